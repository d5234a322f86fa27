//! `omnistack list`: the catalogue, for people (text), for the README (markdown) and for tools (JSON).

use clap::builder::PossibleValue;
use clap::{Arg, ArgMatches, Command, ValueEnum, value_parser};
use serde::Serialize;

use crate::Error;
use crate::catalogue::{Catalogue, Kind, NONE};
use crate::ui;

/// How the catalogue is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned text, for people.
    Text,
    /// The table README.md embeds.
    Markdown,
    /// A JSON document, for tools.
    Json,
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Text, Format::Markdown, Format::Json]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Json => "json",
        }))
    }
}

/// The `list` subcommand and its flags.
pub fn command() -> Command {
    Command::new("list")
        .about("Print every module and provider omnistack can generate")
        .arg(
            Arg::new("format")
                .long("format")
                .value_parser(value_parser!(Format))
                .default_value("text")
                .help("Output format (markdown is the table in README.md)"),
        )
}

/// The `--format` given to `list`.
pub fn format(matches: &ArgMatches) -> Format {
    *matches.get_one("format").expect("`format` has a default")
}

#[derive(Serialize)]
struct ModuleView<'a> {
    name: &'a str,
    description: &'a str,
    kind: Kind,
    optional: bool,
    default: &'a [String],
    providers: Vec<ProviderView<'a>>,
}

#[derive(Serialize)]
struct ProviderView<'a> {
    name: &'a str,
    description: &'a str,
    env: Vec<&'a str>,
}

/// Prints the catalogue in `format`.
pub fn run(catalogue: &Catalogue, format: Format) -> Result<(), Error> {
    ui::print(match format {
        Format::Json => format!("{}\n", json(catalogue)),
        Format::Markdown => markdown(catalogue),
        Format::Text => text(catalogue),
    })
}

fn default_label(default: &[String]) -> String {
    if default.is_empty() {
        NONE.to_string()
    } else {
        default.join(", ")
    }
}

/// The catalogue as a JSON document.
pub fn json(catalogue: &Catalogue) -> String {
    let modules: Vec<ModuleView<'_>> = catalogue
        .modules
        .iter()
        .map(|m| ModuleView {
            name: &m.name,
            description: &m.description,
            kind: m.kind,
            optional: m.optional,
            default: &m.default,
            providers: m
                .providers
                .iter()
                .map(|p| ProviderView {
                    name: &p.name,
                    description: &p.description,
                    env: p.contribution.env.iter().map(|e| e.name.as_str()).collect(),
                })
                .collect(),
        })
        .collect();
    serde_json::to_string_pretty(&modules).unwrap_or_default()
}

/// The catalogue as the Markdown table that README.md embeds.
pub fn markdown(catalogue: &Catalogue) -> String {
    let mut out = String::from("| flag | choose | values | default |\n|---|---|---|---|\n");
    for m in &catalogue.modules {
        let mut values: Vec<String> = m
            .providers
            .iter()
            .map(|p| format!("`{}`: {}", p.name, p.description))
            .collect();
        if m.optional {
            values.push(format!("`{NONE}`"));
        }
        let choose = match m.kind {
            Kind::One => "one",
            Kind::Many => "any, comma separated",
        };
        out.push_str(&format!(
            "| `--{}` | {} | {} | `{}` |\n",
            m.name,
            choose,
            values.join("<br>"),
            default_label(&m.default)
        ));
    }
    out
}

/// The catalogue as aligned text.
pub fn text(catalogue: &Catalogue) -> String {
    let mut out = String::new();
    for m in &catalogue.modules {
        out.push_str(&format!(
            "--{} ({}, default: {})\n    {}\n",
            m.name,
            match m.kind {
                Kind::One => "one",
                Kind::Many => "any",
            },
            default_label(&m.default),
            m.description
        ));
        let width = m
            .allowed_values()
            .iter()
            .map(|value| value.len())
            .max()
            .unwrap_or(0);
        for p in &m.providers {
            out.push_str(&format!("    {:width$}  {}\n", p.name, p.description));
        }
        if m.optional {
            out.push_str(&format!("    {NONE:width$}  leave it out\n"));
        }
    }
    out
}
