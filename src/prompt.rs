//! Interactive prompts, asked only for the choices that flags and presets left open.

use std::io::IsTerminal;

use console::Term;
use dialoguer::theme::{ColorfulTheme, Theme};
use dialoguer::{MultiSelect, Select};

use crate::catalogue::{Kind, Module, NONE};

/// Whether missing choices are asked for: on a terminal (stdin and stdout), without `--yes`.
pub fn interactive(yes: bool) -> bool {
    !yes && std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// What [`crate::answers::Answers::complete`] calls for a missing choice: [`ask`] when
/// `interactive`, else nothing (so the module's default applies).
pub fn ask_when(
    interactive: bool,
) -> impl FnMut(&Module) -> Result<Option<Vec<String>>, dialoguer::Error> {
    move |module| {
        if interactive {
            ask(module).map(Some)
        } else {
            Ok(None)
        }
    }
}

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
            // As for a multi-select below: the confirmation names the choice, not its description.
            let picked = Select::with_theme(&theme)
                .with_prompt(&module.prompt)
                .items(&items)
                .default(default)
                .report(false)
                .interact()?;
            let chosen: Vec<String> = names
                .get(picked)
                .map(|n| vec![n.to_string()])
                .unwrap_or_default();
            Term::stderr().write_line(&confirmation(&theme, module, &chosen))?;
            Ok(chosen)
        }
        Kind::Many => {
            let defaults: Vec<bool> = names
                .iter()
                .map(|n| module.default.iter().any(|d| d == n))
                .collect();
            // dialoguer's own confirmation line would repeat each chosen item whole, description
            // included; ours names the chosen providers only.
            let picked = MultiSelect::with_theme(&theme)
                .with_prompt(format!(
                    "{} (space to toggle, enter to confirm)",
                    module.prompt
                ))
                .items(&items)
                .defaults(&defaults)
                .report(false)
                .interact()?;
            let chosen: Vec<String> = picked.into_iter().map(|i| names[i].to_string()).collect();
            Term::stderr().write_line(&confirmation(&theme, module, &chosen))?;
            Ok(chosen)
        }
    }
}

/// The line left on screen once a choice is answered: the question and the chosen names.
fn confirmation(theme: &dyn Theme, module: &Module, chosen: &[String]) -> String {
    let names: Vec<&str> = if chosen.is_empty() {
        vec![NONE]
    } else {
        chosen.iter().map(String::as_str).collect()
    };
    let mut line = String::new();
    let written = match module.kind {
        Kind::One => theme.format_select_prompt_selection(&mut line, &module.prompt, names[0]),
        Kind::Many => theme.format_multi_select_prompt_selection(&mut line, &module.prompt, &names),
    };
    written.expect("formatting into a String never fails");
    line
}

#[cfg(test)]
mod tests {
    use dialoguer::theme::SimpleTheme;

    use super::*;
    use crate::catalogue::Catalogue;

    fn many_module() -> Module {
        Catalogue::embedded()
            .expect("the embedded catalogue loads")
            .modules
            .into_iter()
            .find(|m| m.kind == Kind::Many && m.providers.len() >= 2)
            .expect("a module with several providers to choose from")
    }

    #[test]
    fn a_multi_select_confirms_the_chosen_provider_names_without_descriptions() {
        let module = many_module();
        let chosen: Vec<String> = module.providers[..2]
            .iter()
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(
            confirmation(&SimpleTheme, &module, &chosen),
            format!("{}: {}, {}", module.prompt, chosen[0], chosen[1])
        );
    }

    #[test]
    fn a_single_choice_confirms_the_provider_name_without_its_description() {
        let module = Catalogue::embedded()
            .expect("the embedded catalogue loads")
            .modules
            .into_iter()
            .find(|m| m.kind == Kind::One && m.optional)
            .expect("an optional module with one provider to choose");
        let chosen = vec![module.providers[0].name.clone()];
        assert_eq!(
            confirmation(&SimpleTheme, &module, &chosen),
            format!("{}: {}", module.prompt, chosen[0])
        );
        assert_eq!(
            confirmation(&SimpleTheme, &module, &[]),
            format!("{}: {NONE}", module.prompt)
        );
    }

    #[test]
    fn a_multi_select_with_nothing_chosen_confirms_none() {
        let module = many_module();
        assert_eq!(
            confirmation(&SimpleTheme, &module, &[]),
            format!("{}: {NONE}", module.prompt)
        );
    }
}
