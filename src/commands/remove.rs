//! `omnistack remove`: take a module or some of its providers out, keeping the user's edits
//! (`remove resource` is [`crate::commands::generate`]'s).

use clap::Command;

use crate::Error;
use crate::catalogue::Catalogue;
use crate::commands::change::{self, TargetArgs};
use crate::commands::generate;
use crate::selection::Target;
use crate::ui::Ui;

/// The `remove` subcommand's arguments.
pub fn command() -> Command {
    Command::new("remove")
        .about("Remove a module or provider from the project around the current directory, keeping your edits")
        .args(TargetArgs::args(
            "Only these providers of the module (default: the whole module)",
        ))
        // `remove resource <name>` beside `remove <module>`: no module is called `resource`.
        .subcommand(generate::remove_command())
        .subcommand_negates_reqs(true)
        .args_conflicts_with_subcommands(true)
}

/// Runs `remove`.
pub fn run(catalogue: &Catalogue, args: &TargetArgs, ui: Ui) -> Result<(), Error> {
    let target = Target::resolve(catalogue, &args.target, &args.providers)?;
    let project = change::open(catalogue, &args.options)?;
    let answers = change::answers(&project, catalogue, &args.options)?;
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
    let merged = change::merge(&project, catalogue, &changed, &what, &args.options, ui);
    change::announce_shared_moves(&answers, &changed, &merged, ui);
    merged
}
