//! `omnistack add`: give the project a module or more providers, merged with the user's edits.

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::change::{ChangeOptions, OpenProject};
use crate::prompt;
use crate::selection::Target;
use crate::ui::Ui;

/// What `add` was asked to do.
#[derive(Debug, Clone)]
pub struct AddArgs {
    /// A module, or a provider name that only one module has.
    pub target: String,
    /// The providers given with `--provider`.
    pub providers: Vec<String>,
    /// How the change is carried out.
    pub options: ChangeOptions,
}

/// The `add` subcommand's arguments.
pub fn command() -> Command {
    Command::new("add")
        .about("Add a module or provider to the project around the current directory, keeping your edits")
        .arg(
            Arg::new("module")
                .required(true)
                .value_name("MODULE")
                .help("A module (`deploy`), or a provider that only one module has (`fly`)"),
        )
        .arg(provider_arg().help(
            "The provider(s) to add; asked for on a terminal, else the module's default",
        ))
        .args(ChangeOptions::args())
}

/// `--provider a,b`, shared with `remove`.
pub fn provider_arg() -> Arg {
    Arg::new("provider")
        .short('p')
        .long("provider")
        .value_name("PROVIDER")
        .action(ArgAction::Append)
        .value_delimiter(',')
}

impl AddArgs {
    /// Reads the arguments of the `add` subcommand.
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

/// Runs `add`.
pub fn run(catalogue: &Catalogue, args: &AddArgs, ui: Ui) -> Result<(), Error> {
    let target = Target::resolve(catalogue, &args.target, &args.providers)?;
    let project = OpenProject::open(catalogue, &args.options)?;
    let answers = project.answers(catalogue, &args.options)?;
    let wanted = if !target.providers.is_empty() {
        target.providers.clone()
    } else if args.options.interactive() {
        prompt::ask(target.module)?
    } else {
        target.module.default.clone()
    };
    let changed = target.added(catalogue, &answers, &wanted)?;
    let what = format!(
        "add {} ({})",
        target.module.name,
        changed.providers(&target.module.name).join(", ")
    );
    project.merge(catalogue, &changed, &what, &args.options, ui)
}
