//! `omnistack add`: give the project a module or more providers, merged with the user's edits.

use clap::Command;

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::change::{self, TargetArgs};
use crate::prompt;
use crate::selection::Target;
use crate::ui::Ui;

/// The `add` subcommand's arguments.
pub fn command() -> Command {
    Command::new("add")
        .about("Add a module or provider to the project around the current directory, keeping your edits")
        .args(TargetArgs::args(
            "The provider(s) to add; asked for on a terminal, else the module's default",
        ))
}

/// Runs `add`.
pub fn run(catalogue: &Catalogue, args: &TargetArgs, ui: Ui) -> Result<(), Error> {
    let target = Target::resolve(catalogue, &args.target, &args.providers)?;
    let project = change::open(catalogue, &args.options)?;
    let answers = change::answers(&project, catalogue, &args.options)?;
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
    let merged = change::merge(&project, catalogue, &changed, &what, &args.options, ui);
    change::announce_shared_moves(&answers, &changed, &merged, ui);
    merged
}
