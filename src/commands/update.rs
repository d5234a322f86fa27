//! `omnistack update`: re-render the project with this release's templates and merge the change.

use clap::{ArgMatches, Command};

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::change::{self, ChangeOptions};
use crate::ui::Ui;

/// The `update` subcommand's arguments.
pub fn command() -> Command {
    Command::new("update")
        .about("Bring the project around the current directory up to this omnistack's templates, keeping your edits")
        .args(ChangeOptions::args())
}

/// Reads the arguments of the `update` subcommand.
pub fn options(matches: &ArgMatches) -> ChangeOptions {
    ChangeOptions::from_matches(matches)
}

/// Runs `update`.
pub fn run(catalogue: &Catalogue, options: &ChangeOptions, ui: Ui) -> Result<(), Error> {
    let project = change::open(catalogue, options)?;
    let answers = change::answers(&project, catalogue, options)?;
    let what = format!("update to omnistack {}", crate::VERSION);
    change::merge(&project, catalogue, &answers, &what, options, ui)
}
