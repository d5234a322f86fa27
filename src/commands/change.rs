//! What `add`, `remove` and `update` share: their flags, and the shell around
//! [`crate::change`] that prints a dry run or applies the merge and reports it.

use clap::{Arg, ArgAction, ArgMatches};
use console::style;

use crate::Error;
use crate::answers::Answers;
use crate::catalogue::{Catalogue, ResourceNeed};
use crate::change::{Applied, Intent, OpenProject};
use crate::merge::{ChangeKind, Merge};
use crate::project::ProjectError;
use crate::resource::check::AUTH_MODULE;
use crate::resource::{Owner, Resource};
use crate::ui::{self, Ui};
use crate::{check, plan, prompt};

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

    /// What opening the project must allow for.
    pub fn intent(&self) -> Intent {
        Intent {
            dry_run: self.dry_run,
            allow_dirty: self.allow_dirty,
        }
    }
}

/// Opens the project around the current directory for the change `options` describe.
pub fn open(catalogue: &Catalogue, options: &ChangeOptions) -> Result<OpenProject, Error> {
    let here = std::env::current_dir().map_err(|source| ProjectError::CurrentDir { source })?;
    OpenProject::open_at(&here, catalogue, options.intent())
}

/// The project's recorded answers, asking for new modules on a terminal as `new` does.
pub fn answers(
    project: &OpenProject,
    catalogue: &Catalogue,
    options: &ChangeOptions,
) -> Result<Answers, Error> {
    project.answers(catalogue, prompt::ask_when(options.interactive()))
}

/// After a change that merged (or left conflicts to resolve), says in one line per live shared
/// resource where its routes went when the change adds auth or removes it: behind sign-in on
/// the app routes, or back on the public ones.
pub fn announce_shared_moves(
    before: &Answers,
    after: &Answers,
    merged: &Result<(), Error>,
    ui: Ui,
) {
    let auth = |answers: &Answers| !answers.providers(AUTH_MODULE).is_empty();
    if auth(before) == auth(after) || !matches!(merged, Ok(()) | Err(Error::Conflicts(_))) {
        return;
    }
    let live = after.resources.iter().filter(|(_, r)| r.removed.is_none());
    for (name, resource) in live {
        if resource.owner == Owner::FollowsAuth {
            ui.line(if auth(after) {
                format!(
                    "The rows of `{name}` are now owned: each new one belongs to the user who creates it, under /api/v1/{name}; the rows from before have no owner, which no user sees and administrators list and purge under /api/v1/admin/{name}. The migration `{owner}` adds the nullable owner_id.",
                    owner = Resource::owner_migration(name)
                )
            } else {
                format!(
                    "The rows of `{name}` are shared again, on the public routes: anyone who can reach the API may list, read, change and delete them under /api/v1/{name}. Their owner_id column stays (its migration `{owner}` was applied), unused.",
                    owner = Resource::owner_migration(name)
                )
            });
            continue;
        }
        if resource.owner != Owner::None {
            continue;
        }
        ui.line(if auth(after) {
            format!(
                "The shared rows of `{name}` are now behind sign-in: any signed-in user may list, read, change and delete them under /api/v1/{name}, and administrators purge them under /api/v1/admin/{name}."
            )
        } else {
            format!(
                "The shared rows of `{name}` are back on the public routes: anyone who can reach the API may list, read, change and delete them under /api/v1/{name}."
            )
        });
    }
}

/// After a change that merged (or left conflicts to resolve), says which features that depend
/// on the resources came or went with it (the reports go with the example's `projects`).
pub fn announce_features(
    catalogue: &Catalogue,
    before: &Answers,
    after: &Answers,
    merged: &Result<(), Error>,
    ui: Ui,
) {
    if !matches!(merged, Ok(()) | Err(Error::Conflicts(_))) {
        return;
    }
    for feature in catalogue.features.iter().filter(|f| f.resources.is_some()) {
        let had = plan::includes(catalogue, before, feature);
        match (had, plan::includes(catalogue, after, feature)) {
            (false, true) => ui.line(format!(
                "The feature `{}` comes with it: {}.",
                feature.name, feature.description
            )),
            (true, false) => ui.line(format!(
                "The feature `{}` goes with it, as it needs {}: {}.",
                feature.name,
                feature.resources.map_or("", ResourceNeed::what),
                feature.description
            )),
            _ => {}
        }
    }
}

/// Renders `answers` and merges the change since the base render into the working tree, or
/// prints it with `--dry-run`; `what` names the change in messages and in the render commit.
pub fn merge(
    project: &OpenProject,
    catalogue: &Catalogue,
    answers: &Answers,
    what: &str,
    options: &ChangeOptions,
    ui: Ui,
) -> Result<(), Error> {
    let Some(change) = project.change(catalogue, answers)? else {
        ui.success(format!(
            "Nothing to change: the project already matches `{what}`"
        ));
        return Ok(());
    };
    if options.dry_run {
        print_preview(&change.merge, options.stat)?;
        print_warnings(&change.warnings);
        return Ok(());
    }
    let warnings = change.warnings.clone();
    let Applied { listing, conflicts } = change.apply(what, options.allow_dirty)?;
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
        check::cargo_check(&project.project.root)?;
        ui.success(format!("`{}` passed", check::COMMAND));
    }
    Ok(())
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
