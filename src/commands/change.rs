//! What `add`, `remove` and `update` share: open the project, render the new answers, and merge
//! the change from the render `HEAD` was made from (see [`crate::base`]) into `HEAD`, leaving it
//! uncommitted for review as `git merge --no-commit` would.

use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches};
use console::style;
use git2::Repository;

use crate::Error;
use crate::answers::{ANSWERS_FILE, Answers, AnswersFile};
use crate::catalogue::Catalogue;
use crate::merge::{ChangeKind, FileChange, Merge};
use crate::name::ProjectName;
use crate::project::{self, Project, ProjectError};
use crate::ui::{self, Ui};
use crate::{base, check, git, migrations, prompt, semantic};

/// Objects written during a dry run go to an in-memory backend of this priority, above the
/// on-disk ones, so that a dry run leaves `.git` untouched.
const DRY_RUN_ODB_PRIORITY: i32 = 1000;

/// What `add` or `remove` was asked to change.
#[derive(Debug, Clone)]
pub struct TargetArgs {
    /// A module, or a provider name that only one module has.
    pub target: String,
    /// The providers given with `--provider` (for `remove`, none means the whole module).
    pub providers: Vec<String>,
    /// How the change is carried out.
    pub options: ChangeOptions,
}

impl TargetArgs {
    /// The arguments `add` and `remove` share; `providers` is the `--provider` help text.
    pub fn args(providers: &'static str) -> Vec<Arg> {
        let module = Arg::new("module")
            .required(true)
            .value_name("MODULE")
            .help("A module (`deploy`), or a provider that only one module has (`fly`)");
        let provider = Arg::new("provider")
            .short('p')
            .long("provider")
            .value_name("PROVIDER")
            .action(ArgAction::Append)
            .value_delimiter(',')
            .help(providers);
        [module, provider]
            .into_iter()
            .chain(ChangeOptions::args())
            .collect()
    }

    /// Reads the arguments of `add` or `remove`.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        Self {
            target: matches
                .get_one::<String>("module")
                .cloned()
                .unwrap_or_default(),
            providers: matches
                .get_many::<String>("provider")
                .map(|values| values.cloned().collect())
                .unwrap_or_default(),
            options: ChangeOptions::from_matches(matches),
        }
    }
}

/// How a change is carried out.
#[derive(Debug, Clone, Default)]
pub struct ChangeOptions {
    /// Take defaults instead of prompting.
    pub yes: bool,
    /// Show the change and touch nothing.
    pub dry_run: bool,
    /// With `dry_run`, list the files instead of printing a diff.
    pub stat: bool,
    /// Run on a working tree with uncommitted changes (never overwriting them).
    pub allow_dirty: bool,
    /// After a merge without conflicts, run `cargo check --all-targets` and report.
    pub check: bool,
}

impl ChangeOptions {
    /// The flags every changing command takes.
    pub fn args() -> Vec<Arg> {
        vec![
            Arg::new("yes")
                .short('y')
                .long("yes")
                .action(ArgAction::SetTrue)
                .help("Take the default for every choice not given (never prompt)"),
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("Print the change as a unified diff, and touch nothing"),
            Arg::new("stat")
                .long("stat")
                .action(ArgAction::SetTrue)
                .requires("dry-run")
                .help("With --dry-run, list the changed files instead of the diff"),
            Arg::new("allow-dirty")
                .long("allow-dirty")
                .action(ArgAction::SetTrue)
                .help("Run even with uncommitted changes (files the change touches must be clean)"),
            Arg::new("check")
                .long("check")
                .action(ArgAction::SetTrue)
                .conflicts_with("dry-run")
                .help("After a merge without conflicts, run `cargo check --all-targets` on the result and report"),
        ]
    }

    /// Reads the flags of [`ChangeOptions::args`].
    pub fn from_matches(matches: &ArgMatches) -> Self {
        Self {
            yes: matches.get_flag("yes"),
            dry_run: matches.get_flag("dry-run"),
            stat: matches.get_flag("stat"),
            allow_dirty: matches.get_flag("allow-dirty"),
            check: matches.get_flag("check"),
        }
    }

    /// Whether missing choices are asked for: [`prompt::interactive`], as for `new`.
    pub fn interactive(&self) -> bool {
        prompt::interactive(self.yes)
    }
}

/// A generated project opened for a change, every precondition checked.
pub struct OpenProject {
    /// The project.
    pub project: Project,
    /// Its git repository.
    pub repo: Repository,
    /// Its `omnistack.toml`.
    pub recorded: AnswersFile,
}

impl OpenProject {
    /// Opens the project around the current directory, refusing one that cannot be merged into.
    pub fn open(catalogue: &Catalogue, options: &ChangeOptions) -> Result<Self, Error> {
        let here = std::env::current_dir().map_err(|source| ProjectError::CurrentDir { source })?;
        Self::open_at(&here, catalogue, options)
    }

    /// Opens the project that contains `start`, refusing one that cannot be merged into.
    pub fn open_at(
        start: &Path,
        catalogue: &Catalogue,
        options: &ChangeOptions,
    ) -> Result<Self, Error> {
        let project = Project::find(start)?;
        let recorded = AnswersFile::read(catalogue, &project.answers_file())?;
        project::ensure_not_newer(recorded.version.as_deref())?;
        let repo = project.repository()?;
        let head = head_tree_id(&repo)?;
        let recorded = recorded_in(&repo, head, catalogue)?.unwrap_or(recorded);
        project::ensure_not_newer(recorded.version.as_deref())?;
        // A dry run writes nothing, so a merge in progress or uncommitted work is no reason to
        // refuse it.
        if !options.dry_run && repo.state() != git2::RepositoryState::Clean {
            return Err(ProjectError::MergeInProgress.into());
        }
        if !options.allow_dirty && !options.dry_run {
            project::ensure_clean(&repo)?;
        }
        Ok(Self {
            project,
            repo,
            recorded,
        })
    }

    /// The recorded answers, with modules that `omnistack.toml` does not mention (new in this
    /// release) prompted for or defaulted as `new` does.
    pub fn answers(
        &self,
        catalogue: &Catalogue,
        options: &ChangeOptions,
    ) -> Result<Answers, Error> {
        let name = match &self.recorded.name {
            Some(name) => name.clone(),
            None => ProjectName::from_dir(&self.project.root)?,
        };
        Ok(Answers::complete(
            catalogue,
            name,
            &self.recorded.choices,
            prompt::ask_when(options.interactive()),
        )?)
    }

    /// What the change to `answers` would do to each path, computed in memory: nothing is
    /// written to the working tree, the index or `.git` (`doctor`'s view of `update`).
    pub fn preview(
        &self,
        catalogue: &Catalogue,
        answers: &Answers,
    ) -> Result<Vec<(ChangeKind, String)>, Error> {
        let _in_memory = self
            .repo
            .odb()?
            .add_new_mempack_backend(DRY_RUN_ODB_PRIORITY)?;
        Ok(match self.compute(catalogue, answers)? {
            Some(change) => change.merge.changes.iter().map(listed).collect(),
            None => Vec::new(),
        })
    }

    /// Finds the base, renders `answers` (new module migrations get their versions first) and
    /// merges in memory; `None` when the render is the base's.
    fn compute(
        &self,
        catalogue: &Catalogue,
        answers: &Answers,
    ) -> Result<Option<Computed<'_>>, Error> {
        let repo = &self.repo;
        let head = repo.head()?.peel_to_commit()?;
        let base = base::find(repo, catalogue, &self.project.root, &self.recorded, &head)?;
        let head_paths = base::paths(&head)?;
        let mut answers = answers.clone();
        answers.migrations = self.recorded.migrations.clone();
        let now = migrations::now();
        migrations::assign(
            catalogue,
            &mut answers,
            head_paths.iter().map(String::as_str),
            Some(&now),
        );
        let render = crate::generate(catalogue, &answers)?;
        let theirs = git::write_tree(repo, &render)?;
        if theirs == base.tree {
            return Ok(None);
        }
        let base_tree = repo.find_tree(base.tree)?;
        migrations::check_render(&head_paths, &base_tree, &render, &answers)?;
        let ours = head.tree()?;
        let merge = Merge::compute(repo, &base_tree, &ours, &repo.find_tree(theirs)?)?;
        let warnings = semantic::warnings(repo, &ours, &merge)?;
        Ok(Some(Computed {
            base: base.commit,
            theirs,
            merge,
            warnings,
        }))
    }

    /// Renders `answers` and merges the change since the base render into the working tree.
    ///
    /// `what` names the change in messages and in the render commit's message.
    pub fn merge(
        &self,
        catalogue: &Catalogue,
        answers: &Answers,
        what: &str,
        options: &ChangeOptions,
        ui: Ui,
    ) -> Result<(), Error> {
        let repo = &self.repo;
        let odb = repo.odb()?;
        // Held to the end of the function: while it lives, new objects stay in memory.
        let _in_memory = if options.dry_run {
            Some(odb.add_new_mempack_backend(DRY_RUN_ODB_PRIORITY)?)
        } else {
            None
        };
        let Some(Computed {
            base,
            theirs,
            merge,
            warnings,
        }) = self.compute(catalogue, answers)?
        else {
            ui.success(format!(
                "Nothing to change: the project already matches `{what}`"
            ));
            return Ok(());
        };
        if options.dry_run {
            print_preview(&merge, options.stat)?;
            print_warnings(&warnings);
            return Ok(());
        }
        if options.allow_dirty {
            project::ensure_untouched(repo, merge.changes.iter().map(|c| c.path.as_str()))?;
        }
        let listing: Vec<(ChangeKind, String)> = merge.changes.iter().map(listed).collect();
        let conflicts: Vec<String> = merge.conflicts().into_iter().map(str::to_string).collect();
        let message = git::render_message(what);
        let subject = message.lines().next().unwrap_or_default().to_string();
        // The render is recorded only once the merge is written; if it cannot be, the merge is
        // undone. The pristine ref moves last, so that a failure leaves it where it was.
        merge.apply(repo, || {
            let render_commit = git::commit_render(repo, theirs, base.as_ref(), &message)?;
            git::begin_merge(repo, render_commit, &format!("{subject}\n")).map_err(|e| {
                git2::Error::from_str(&format!(
                    "cannot record the merge in {}: {e}",
                    repo.path().display()
                ))
            })?;
            git::set_pristine(repo, render_commit, &message).inspect_err(|_| git::clear_merge(repo))
        })?;
        report(ui, what, &listing, conflicts.is_empty());
        print_warnings(&warnings);
        if !conflicts.is_empty() {
            if options.check {
                ui.line("--check skipped: conflict markers do not compile; resolve them, then run `cargo check --all-targets`.");
            }
            return Err(Error::Conflicts(conflicts));
        }
        if options.check {
            ui.line(format!("Running `{}`...", check::COMMAND));
            check::cargo_check(&self.project.root)?;
            ui.success(format!("`{}` passed", check::COMMAND));
        }
        Ok(())
    }
}

/// A change computed in memory, not yet applied.
struct Computed<'r> {
    /// The render commit of the base, when the history has one.
    base: Option<git2::Commit<'r>>,
    /// The new render's tree.
    theirs: git2::Oid,
    /// The three-way merge into `HEAD`.
    merge: Merge,
    /// What rustc may reject after the merge.
    warnings: Vec<String>,
}

/// The tree of `HEAD`, or [`ProjectError::NoCommit`] on a repository without commits.
fn head_tree_id(repo: &Repository) -> Result<git2::Oid, ProjectError> {
    let head = repo.head().map_err(|e| match e.code() {
        git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound => ProjectError::NoCommit,
        _ => ProjectError::Git(e),
    })?;
    Ok(head.peel_to_commit()?.tree_id())
}

/// The record `HEAD`'s tree (`tree`) holds, if it has one. The merge is from the answers `HEAD`
/// records: the working tree's `omnistack.toml` may be ahead of them (a dry run while a change
/// is uncommitted, or `doctor`), and a base rebuilt from it would not be `HEAD`'s.
fn recorded_in(
    repo: &Repository,
    tree: git2::Oid,
    catalogue: &Catalogue,
) -> Result<Option<AnswersFile>, Error> {
    let Ok(entry) = repo.find_tree(tree)?.get_path(Path::new(ANSWERS_FILE)) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id())?;
    let text = String::from_utf8_lossy(blob.content());
    Ok(Some(AnswersFile::parse(catalogue, &text)?))
}

/// How a change is listed: a conflict on a file one side renamed names both paths.
fn listed(change: &FileChange) -> (ChangeKind, String) {
    let path = match &change.renamed_from {
        Some(old) => format!("{} (renamed from {old})", change.path),
        None => change.path.clone(),
    };
    (change.kind, path)
}

/// Warnings go to stderr, after the listing, so that they are the last thing read.
fn print_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("{} {warning}", style("warning:").yellow().bold());
    }
}

fn print_preview(merge: &Merge, stat: bool) -> Result<(), Error> {
    if stat {
        let listing: String = merge
            .changes
            .iter()
            .map(|change| format!("{:9} {}\n", change.kind.label(), change.path))
            .collect();
        ui::print(listing)?;
    } else {
        ui::print(merge.unified_diff()?)?;
    }
    let conflicts = merge.conflicts();
    if !conflicts.is_empty() {
        eprintln!(
            "{} would conflict: {}",
            style("note:").yellow().bold(),
            conflicts.join(", ")
        );
    }
    Ok(())
}

fn report(ui: Ui, what: &str, listing: &[(ChangeKind, String)], clean: bool) {
    let headline = format!(
        "{}: merged into the working tree ({} files), not committed",
        style(what).bold(),
        listing.len()
    );
    if clean {
        ui.success(headline);
    } else {
        ui.line(format!(
            "{} {headline}, with conflicts",
            style("!").yellow()
        ));
    }
    for (kind, path) in listing {
        ui.line(format!("  {:9} {path}", kind.label()));
    }
    ui.line("");
    if clean {
        ui.line("Review with `git diff HEAD`, then commit.");
    } else {
        ui.line("Resolve the conflict markers (<<<<<<<), `git add` each file, review with `git diff HEAD`, then commit.");
    }
    ui.line("To abandon the change instead: `git merge --abort`.");
}
