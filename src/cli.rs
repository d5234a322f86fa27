//! The command line: built from the catalogue, so every module is a flag of `new` without being
//! written down twice.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use clap_complete::Shell;

use crate::Error;
use crate::answers::Choices;
use crate::catalogue::{Catalogue, Kind, Module};
use crate::commands;
use crate::commands::change::TargetArgs;
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
        .subcommand(new_command(catalogue))
        .subcommand(commands::add::command())
        .subcommand(commands::remove::command())
        .subcommand(commands::update::command())
        .subcommand(commands::adopt::command())
        .subcommand(
            Command::new("list")
                .about("Print every module and provider omnistack can generate")
                .arg(
                    Arg::new("format")
                        .long("format")
                        .value_parser(["text", "markdown", "json"])
                        .default_value("text")
                        .help("Output format (markdown is the table in README.md)"),
                ),
        )
        .subcommand(commands::matrix::command())
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(value_parser!(Shell)),
                ),
        )
}

fn new_command(catalogue: &Catalogue) -> Command {
    Command::new("new")
        .about("Generate a new project in a new directory")
        .arg(
            Arg::new("path")
                .required(true)
                .value_name("NAME")
                .value_parser(value_parser!(PathBuf))
                .help("The project name, or a path whose last part is the name"),
        )
        .arg(
            Arg::new("yes")
                .short('y')
                .long("yes")
                .action(ArgAction::SetTrue)
                .help("Take the default for every choice not given (never prompt)"),
        )
        .arg(
            Arg::new("preset")
                .long("preset")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .help("Read choices from an answers file (see examples/); flags override it"),
        )
        .arg(
            Arg::new("no-git")
                .long("no-git")
                .action(ArgAction::SetTrue)
                .help("Do not initialise a git repository"),
        )
        .arg(
            Arg::new("dry-run")
                .long("dry-run")
                .action(ArgAction::SetTrue)
                .help("List the files that would be written, and write nothing"),
        )
        .next_help_heading("Modules")
        .args(module_args(catalogue))
}

/// One flag per module: `--auth clerk`, `--deploy fly,render`, `--email none`.
pub fn module_args(catalogue: &Catalogue) -> Vec<Arg> {
    catalogue.modules.iter().map(module_arg).collect()
}

fn module_arg(module: &Module) -> Arg {
    let default = if module.default.is_empty() {
        crate::catalogue::NONE.to_string()
    } else {
        module.default.join(",")
    };
    let arg = Arg::new(module.name.clone())
        .long(module.name.clone())
        .value_name("PROVIDER")
        .value_parser(PossibleValuesParser::new(
            module.allowed_values().into_iter().map(str::to_string),
        ))
        .help(format!("{} [default: {default}]", module.description));
    match module.kind {
        Kind::One => arg.action(ArgAction::Set),
        Kind::Many => arg
            .action(ArgAction::Append)
            .value_delimiter(',')
            .num_args(1..),
    }
}

/// The module choices given on the command line.
pub fn choices_from_flags(catalogue: &Catalogue, matches: &ArgMatches) -> Result<Choices, Error> {
    let mut choices = Choices::default();
    for module in &catalogue.modules {
        if let Some(values) = matches.get_many::<String>(&module.name) {
            let values: Vec<String> = values.cloned().collect();
            choices.set(catalogue, &module.name, &values)?;
        }
    }
    Ok(choices)
}

/// Parses `args` and runs the chosen command.
pub fn run(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> Result<(), Error> {
    let catalogue = Catalogue::embedded()?;
    let matches = command(&catalogue).get_matches_from(args);
    let verbosity = if matches.get_flag("quiet") {
        Verbosity::Quiet
    } else if matches.get_flag("verbose") {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let ui = Ui::new(verbosity);
    match matches.subcommand() {
        Some(("new", sub)) => commands::new::run(
            &catalogue,
            &commands::new::NewArgs::from_matches(&catalogue, sub)?,
            ui,
        ),
        Some(("add", sub)) => commands::add::run(&catalogue, &TargetArgs::from_matches(sub), ui),
        Some(("remove", sub)) => {
            commands::remove::run(&catalogue, &TargetArgs::from_matches(sub), ui)
        }
        Some(("update", sub)) => {
            commands::update::run(&catalogue, &commands::update::options(sub), ui)
        }
        Some(("adopt", sub)) => commands::adopt::run(&catalogue, commands::adopt::force(sub), ui),
        Some(("list", sub)) => {
            let format = sub
                .get_one::<String>("format")
                .map(String::as_str)
                .unwrap_or("text");
            commands::list::run(&catalogue, format);
            Ok(())
        }
        Some(("matrix", sub)) => {
            commands::matrix::run(&catalogue, &commands::matrix::MatrixArgs::from_matches(sub));
            Ok(())
        }
        Some(("completions", sub)) => {
            if let Some(shell) = sub.get_one::<Shell>("shell") {
                let mut command = command(&catalogue);
                clap_complete::generate(*shell, &mut command, "omnistack", &mut std::io::stdout());
            }
            Ok(())
        }
        _ => unreachable!("clap requires a subcommand"),
    }
}
