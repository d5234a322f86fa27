//! `omnistack list`: the catalogue, for people (text), for the README (markdown) and for tools (JSON).

use serde::Serialize;

use crate::catalogue::{Catalogue, Kind, NONE};

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

/// Prints the catalogue in `format` (`text`, `markdown` or `json`).
pub fn run(catalogue: &Catalogue, format: &str) {
    match format {
        "json" => println!("{}", json(catalogue)),
        "markdown" => print!("{}", markdown(catalogue)),
        _ => print!("{}", text(catalogue)),
    }
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
        let width = m.providers.iter().map(|p| p.name.len()).max().unwrap_or(0);
        for p in &m.providers {
            out.push_str(&format!("    {:width$}  {}\n", p.name, p.description));
        }
        if m.optional {
            out.push_str(&format!("    {NONE:width$}  leave it out\n"));
        }
    }
    out
}
