//! The command line: the top-level `omnistack` command, assembled from the subcommands that
//! [`crate::commands`] defines, and the dispatch to them.

use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::change::TargetArgs;
use crate::commands::generate::{self, ResourceArgs};
use crate::commands::{add, adopt, completions, doctor, list, matrix, new, remove, update};
use crate::ui::{Ui, Verbosity};

/// The whole `omnistack` command, with one flag of `new` per catalogue module.
pub fn command(catalogue: &Catalogue) -> Command {
    Command::new("omnistack")
        .version(crate::VERSION)
        .about("Scaffold a production-ready Rust SaaS backend, and keep it up to date")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("quiet")
                .short('q')
                .long("quiet")
                .global(true)
                .action(ArgAction::SetTrue)
                .conflicts_with("verbose")
                .help("Print errors only"),
        )
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Also print every file written"),
        )
        .subcommand(new::command(catalogue))
        .subcommand(add::command())
        .subcommand(remove::command())
        .subcommand(generate::command())
        .subcommand(update::command())
        .subcommand(adopt::command())
        .subcommand(doctor::command())
        .subcommand(list::command())
        .subcommand(matrix::command())
        .subcommand(completions::command())
}

fn verbosity(matches: &ArgMatches) -> Verbosity {
    if matches.get_flag("quiet") {
        Verbosity::Quiet
    } else if matches.get_flag("verbose") {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    }
}

/// Parses `args` and runs the chosen command.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> Result<(), Error> {
    let catalogue = Catalogue::embedded()?;
    let matches = command(&catalogue).get_matches_from(args);
    let ui = Ui::new(verbosity(&matches));
    match matches.subcommand() {
        Some(("new", sub)) => new::run(
            &catalogue,
            &new::NewArgs::from_matches(&catalogue, sub)?,
            ui,
        ),
        Some(("add", sub)) => add::run(&catalogue, &TargetArgs::from_matches(sub), ui),
        Some(("remove", sub)) => match sub.subcommand() {
            Some(("resource", resource)) => {
                generate::run(&catalogue, &ResourceArgs::from_remove(resource), ui)
            }
            _ => remove::run(&catalogue, &TargetArgs::from_matches(sub), ui),
        },
        Some(("generate", sub)) => generate::run(&catalogue, &ResourceArgs::from_generate(sub), ui),
        Some(("update", sub)) => update::run(&catalogue, &update::options(sub), ui),
        Some(("adopt", sub)) => adopt::run(&catalogue, adopt::force(sub), ui),
        Some(("doctor", sub)) => doctor::run(&doctor::DoctorArgs::from_matches(sub)),
        Some(("list", sub)) => list::run(&catalogue, list::format(sub)),
        Some(("matrix", sub)) => matrix::run(&catalogue, &matrix::MatrixArgs::from_matches(sub)),
        Some(("completions", sub)) => {
            completions::run(completions::shell(sub), &mut command(&catalogue))
        }
        _ => unreachable!("clap requires a subcommand"),
    }
}
