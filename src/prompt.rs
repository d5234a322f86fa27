//! Interactive prompts, asked only for the choices that flags and presets left open.

use dialoguer::theme::ColorfulTheme;
use dialoguer::{MultiSelect, Select};

use crate::catalogue::{Kind, Module, NONE};

/// Asks for `module`'s providers with its default highlighted; returns the names (empty: `none`).
pub fn ask(module: &Module) -> Result<Vec<String>, dialoguer::Error> {
    let theme = ColorfulTheme::default();
    let width = module
        .providers
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0)
        .max(NONE.len());
    let mut items: Vec<String> = module
        .providers
        .iter()
        .map(|p| format!("{:width$}  {}", p.name, p.description))
        .collect();
    let names: Vec<&str> = module.providers.iter().map(|p| p.name.as_str()).collect();
    match module.kind {
        Kind::One => {
            if module.optional {
                items.push(format!("{NONE:width$}  leave it out"));
            }
            let default = module
                .default
                .first()
                .and_then(|d| names.iter().position(|n| n == d))
                .unwrap_or(names.len());
            let picked = Select::with_theme(&theme)
                .with_prompt(&module.prompt)
                .items(&items)
                .default(default)
                .interact()?;
            Ok(names
                .get(picked)
                .map(|n| vec![n.to_string()])
                .unwrap_or_default())
        }
        Kind::Many => {
            let defaults: Vec<bool> = names
                .iter()
                .map(|n| module.default.iter().any(|d| d == n))
                .collect();
            let picked = MultiSelect::with_theme(&theme)
                .with_prompt(format!(
                    "{} (space to toggle, enter to confirm)",
                    module.prompt
                ))
                .items(&items)
                .defaults(&defaults)
                .interact()?;
            Ok(picked.into_iter().map(|i| names[i].to_string()).collect())
        }
    }
}
