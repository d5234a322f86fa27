//! One flag per catalogue module (`--auth clerk`, `--deploy fly,render`, `--email none`), so
//! every module is a flag without being written down twice.

use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches};

use crate::Error;
use crate::answers::Choices;
use crate::catalogue::{Catalogue, Kind, Module, NONE};

/// The flags, one per module, in catalogue order.
pub fn args(catalogue: &Catalogue) -> Vec<Arg> {
    catalogue.modules.iter().map(arg).collect()
}

fn arg(module: &Module) -> Arg {
    let default = if module.default.is_empty() {
        NONE.to_string()
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

/// The module choices given as flags of [`args`].
pub fn choices(catalogue: &Catalogue, matches: &ArgMatches) -> Result<Choices, Error> {
    let mut choices = Choices::default();
    for module in &catalogue.modules {
        if let Some(values) = matches.get_many::<String>(&module.name) {
            let values: Vec<String> = values.cloned().collect();
            choices.set(catalogue, &module.name, &values)?;
        }
    }
    Ok(choices)
}
