//! `omnistack adopt`: record omnistack's render of the project in the pristine ref, for a
//! project whose render is not in its history (see [`crate::base`]).

use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches, Command};
use console::style;

use crate::Error;
use crate::answers::AnswersFile;
use crate::catalogue::Catalogue;
use crate::project::{Project, ProjectError};
use crate::render::RenderedTree;
use crate::ui::Ui;
use crate::{base, git};

/// The `adopt` subcommand's arguments.
pub fn command() -> Command {
    Command::new("adopt")
        .about("Record omnistack's render of the project as the base of later merges, when its history lacks it")
        .arg(
            Arg::new("force")
                .long("force")
                .action(ArgAction::SetTrue)
                .help("Replace a pristine render that already exists"),
        )
}

/// Whether `--force` was given.
pub fn force(matches: &ArgMatches) -> bool {
    matches.get_flag("force")
}

/// Runs `adopt`.
///
/// When `omnistack.toml` records this omnistack's version, the pristine render is exactly the
/// render of the recorded answers, as a change would rebuild it. Otherwise this release cannot
/// rebuild the older one's render, and the pristine tree holds, for every file omnistack renders
/// for the recorded answers, its content in `HEAD` (or the render, where `HEAD` lacks it), with
/// a warning. Files omnistack does not render stay out of it: were they in the base of later
/// merges, the new render's lack of them would read as a deletion, and `add` would delete the
/// user's own files.
pub fn run(catalogue: &Catalogue, force: bool, ui: Ui) -> Result<(), Error> {
    let here = std::env::current_dir().map_err(|source| ProjectError::CurrentDir { source })?;
    let project = Project::find(&here)?;
    let repo = project.repository()?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|_| ProjectError::NoCommit)?;
    let previous = git::pristine(&repo)?;
    if previous.is_some() && !force {
        return Err(ProjectError::AlreadyAdopted.into());
    }
    let recorded = AnswersFile::read(catalogue, &project.answers_file())?;
    let answers = base::recorded_answers(catalogue, &project.root, &recorded, &head)?;
    let render = crate::generate(catalogue, &answers)?;
    if recorded.version.as_deref() == Some(crate::VERSION) {
        let tree = git::write_tree(&repo, &render)?;
        let message = git::render_message(
            &git::change_subject("render of omnistack.toml, adopted"),
            tree,
        );
        git::commit_pristine(&repo, tree, previous.as_ref(), &message)?;
        ui.success(format!(
            "Recorded omnistack {}'s render of omnistack.toml as the pristine render",
            crate::VERSION
        ));
        return Ok(());
    }
    let head_tree = head.tree()?;
    let mut files = render.files;
    for (path, bytes) in files.iter_mut() {
        if let Ok(entry) = head_tree.get_path(Path::new(path))
            && let Ok(blob) = repo.find_blob(entry.id())
        {
            *bytes = blob.content().to_vec();
        }
    }
    let tree = git::write_tree(&repo, &RenderedTree { files })?;
    let message = format!(
        "omnistack {}: adopt {} as the pristine render",
        crate::VERSION,
        head.id()
    );
    git::commit_pristine(&repo, tree, previous.as_ref(), &message)?;
    ui.success(format!(
        "Recorded commit {} as omnistack's pristine render",
        &head.id().to_string()[..7]
    ));
    // On stderr, and even with --quiet: it changes how every later merge behaves.
    eprintln!(
        "{} omnistack.toml records omnistack {}, not this one ({}), so this release cannot rebuild its render: later `add`, `remove` and `update` treat the current content of omnistack's files as omnistack's own: wherever it differs from what omnistack renders, the merge offers omnistack's version instead of keeping yours. Review their `git diff HEAD` with care before committing.",
        style("warning:").yellow().bold(),
        recorded.version.as_deref().unwrap_or("(no version)"),
        crate::VERSION
    );
    Ok(())
}
