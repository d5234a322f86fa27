//! `omnistack adopt`: record the current commit as omnistack's pristine render, for a project
//! generated with `--no-git` or whose pristine ref was lost.

use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches, Command};
use console::style;

use crate::Error;
use crate::answers::{Answers, AnswersFile};
use crate::catalogue::Catalogue;
use crate::git;
use crate::name::ProjectName;
use crate::project::{Project, ProjectError};
use crate::render::RenderedTree;
use crate::ui::Ui;

/// The `adopt` subcommand's arguments.
pub fn command() -> Command {
    Command::new("adopt")
        .about("Record the current commit as omnistack's render, so that add, remove and update can merge")
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
/// The pristine tree holds, for every file omnistack renders for the recorded answers, its
/// content in `HEAD` (or the render, where `HEAD` lacks it). Files omnistack does not render
/// stay out of it: were they in the base of later merges, the new render's lack of them would
/// read as a deletion, and `add` would delete the user's own files.
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
    let name = match recorded.name {
        Some(name) => name,
        None => ProjectName::from_dir(&project.root)?,
    };
    let answers = Answers::complete(catalogue, name, &recorded.choices, |_| Ok::<_, Error>(None))?;
    let render = crate::generate(catalogue, &answers)?;
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
        "{} later `add`, `remove` and `update` treat the current content of omnistack's files as omnistack's own: wherever it differs from what omnistack renders, the merge offers omnistack's version instead of keeping yours. Review their `git diff HEAD` with care before committing.",
        style("warning:").yellow().bold()
    );
    Ok(())
}
