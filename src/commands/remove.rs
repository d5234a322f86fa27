//! `omnistack remove`: take a module or some of its providers out, keeping the user's edits.

use clap::{Arg, ArgMatches, Command};

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::add::provider_arg;
use crate::commands::change::{ChangeOptions, OpenProject};
use crate::selection::Target;
use crate::ui::Ui;

/// What `remove` was asked to do.
#[derive(Debug, Clone)]
pub struct RemoveArgs {
    /// A module, or a provider name that only one module has.
    pub target: String,
    /// The providers given with `--provider` (none: the whole module).
    pub providers: Vec<String>,
    /// How the change is carried out.
    pub options: ChangeOptions,
}

/// The `remove` subcommand's arguments.
pub fn command() -> Command {
    Command::new("remove")
        .about("Remove a module or provider from the project around the current directory, keeping your edits")
        .arg(
            Arg::new("module")
                .required(true)
                .value_name("MODULE")
                .help("A module (`deploy`), or a provider that only one module has (`fly`)"),
        )
        .arg(provider_arg().help("Only these providers of the module (default: the whole module)"))
        .args(ChangeOptions::args())
}

impl RemoveArgs {
    /// Reads the arguments of the `remove` subcommand.
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

/// Runs `remove`.
pub fn run(catalogue: &Catalogue, args: &RemoveArgs, ui: Ui) -> Result<(), Error> {
    let target = Target::resolve(catalogue, &args.target, &args.providers)?;
    let project = OpenProject::open(catalogue, &args.options)?;
    let answers = project.answers(catalogue, &args.options)?;
    let changed = target.removed(&answers)?;
    let removed: Vec<&String> = answers
        .providers(&target.module.name)
        .iter()
        .filter(|p| !changed.providers(&target.module.name).contains(p))
        .collect();
    let what = format!(
        "remove {} ({})",
        target.module.name,
        removed
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    project.merge(catalogue, &changed, &what, &args.options, ui)
}
