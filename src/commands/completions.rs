//! `omnistack completions <shell>`: a completion script for the whole command line.

use clap::{Arg, ArgMatches, Command, value_parser};
use clap_complete::Shell;

use crate::Error;
use crate::ui;

/// The `completions` subcommand and its argument.
pub fn command() -> Command {
    Command::new("completions")
        .about("Print a shell completion script")
        .arg(
            Arg::new("shell")
                .required(true)
                .value_parser(value_parser!(Shell)),
        )
}

/// The shell given to `completions`.
pub fn shell(matches: &ArgMatches) -> Shell {
    *matches.get_one("shell").expect("`shell` is required")
}

/// Prints the completion script of `omnistack`, the top-level command (passed in, since it is
/// built from every command, this one included).
pub fn run(shell: Shell, omnistack: &mut Command) -> Result<(), Error> {
    // Into memory first: clap_complete panics when its writer fails, on a closed pipe say.
    let mut script = Vec::new();
    clap_complete::generate(shell, omnistack, "omnistack", &mut script);
    ui::print(script)
}
