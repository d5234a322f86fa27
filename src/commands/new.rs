//! `omnistack new`: choices in, a new git repository out.

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use console::style;

use crate::Error;
use crate::answers::{Answers, AnswersFile, Choices};
use crate::catalogue::Catalogue;
use crate::commands::module_flags;
use crate::name::ProjectName;
use crate::render::RenderedTree;
use crate::resource;
use crate::ui::{self, Ui};
use crate::{git, prompt, write};

/// The help of `--no-example`, naming the example's resources.
fn example_help(catalogue: &Catalogue) -> String {
    let names: Vec<String> = catalogue.example.keys().map(|n| format!("`{n}`")).collect();
    format!(
        "Leave out the example resource ({}), from the defaults or the preset",
        names.join(", ")
    )
}

/// The `new` subcommand, with one flag per catalogue module.
pub fn command(catalogue: &Catalogue) -> Command {
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
            Arg::new("no-example")
                .long("no-example")
                .action(ArgAction::SetTrue)
                .help(example_help(catalogue)),
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
        .args(module_flags::args(catalogue))
}

/// What `new` was asked to do.
#[derive(Debug, Clone)]
pub struct NewArgs {
    /// Where the project goes; its last component is the project name.
    pub path: PathBuf,
    /// Take defaults instead of prompting.
    pub yes: bool,
    /// An answers file to start from.
    pub preset: Option<PathBuf>,
    /// Choices given as flags (they override the preset).
    pub flags: Choices,
    /// Leave out the catalogue's example resources.
    pub no_example: bool,
    /// Skip `git init`.
    pub no_git: bool,
    /// List files without writing.
    pub dry_run: bool,
}

impl NewArgs {
    /// Reads the arguments of the `new` subcommand.
    pub fn from_matches(catalogue: &Catalogue, matches: &ArgMatches) -> Result<Self, Error> {
        Ok(Self {
            path: matches
                .get_one::<PathBuf>("path")
                .cloned()
                .unwrap_or_default(),
            yes: matches.get_flag("yes"),
            preset: matches.get_one::<PathBuf>("preset").cloned(),
            flags: module_flags::choices(catalogue, matches)?,
            no_example: matches.get_flag("no-example"),
            no_git: matches.get_flag("no-git"),
            dry_run: matches.get_flag("dry-run"),
        })
    }
}

/// Runs `new`.
pub fn run(catalogue: &Catalogue, args: &NewArgs, ui: Ui) -> Result<(), Error> {
    let name = ProjectName::from_dir(&args.path)?;
    // Fail before asking anything: answering prompts only to be refused is a poor experience.
    write::check_target(&args.path)?;
    let preset = match &args.preset {
        Some(path) => Some(AnswersFile::read(catalogue, path)?),
        None => None,
    };
    if let Some(preset) = &preset {
        // A new project's resources are new declarations, checked as `generate resource`
        // checks one: against every name a module may take, even one this project lacks.
        for (name, declared) in &preset.resources {
            if !declared.removed.as_ref().is_some_and(|r| r.drop_table) {
                resource::check::check_new(catalogue, &preset.resources, name)
                    .map_err(crate::answers::AnswersError::from)?;
            }
        }
    }
    let mut choices = preset
        .as_ref()
        .map(|p| p.choices.clone())
        .unwrap_or_default();
    choices.overlay(args.flags.clone());
    let mut answers = Answers::complete(
        catalogue,
        name,
        &choices,
        prompt::ask_when(prompt::interactive(args.yes)),
    )?;
    // A preset's resources, and the versions it records (a project's own omnistack.toml
    // renders that project again), are answers as its modules are; without one, a project
    // starts with the example.
    match preset {
        Some(preset) => {
            answers.resources = preset.resources;
            answers.migrations = preset.migrations;
        }
        None => answers.resources = catalogue.example.clone(),
    }
    // A preset's own resource that happens to share the example's name stays.
    if args.no_example {
        answers.resources.retain(|name, resource| {
            !catalogue
                .example
                .get(name)
                .is_some_and(|example| resource.extends(example))
        });
    }
    // Recorded here, in the order a fresh database needs them (a referenced table first).
    let auth = !answers.providers(resource::check::AUTH_MODULE).is_empty();
    let versions = resource::migration_versions(&answers.resources, auth, &answers.migrations);
    for (name, version) in versions {
        answers.migrations.entry(name).or_insert(version);
    }

    let progress = ui.progress("Rendering templates");
    let tree = crate::generate(catalogue, &answers)?;
    if args.dry_run {
        progress.finish_and_clear();
        let listing: String = tree
            .files
            .iter()
            .map(|(path, bytes)| format!("{path} ({} bytes)\n", bytes.len()))
            .collect();
        return ui::print(listing);
    }
    progress.set_message(format!("Writing {} files", tree.files.len()));
    write::write_project(&args.path, &tree, |dir| {
        if !args.no_git {
            git::init_with_initial_commit(dir, &tree)?;
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    summary(ui, catalogue, args, &answers, &tree);
    Ok(())
}

/// The chosen modules as the summary shows them, in catalogue order (the order of the prompts
/// and of `omnistack.toml`), leaving out those chosen as `none`.
fn chosen_modules(catalogue: &Catalogue, answers: &Answers) -> String {
    let chosen: Vec<String> = catalogue
        .modules
        .iter()
        .map(|module| (&module.name, answers.providers(&module.name)))
        .filter(|(_, providers)| !providers.is_empty())
        .map(|(module, providers)| format!("{module}: {}", providers.join(", ")))
        .collect();
    chosen.join(" · ")
}

fn summary(ui: Ui, catalogue: &Catalogue, args: &NewArgs, answers: &Answers, tree: &RenderedTree) {
    for path in tree.files.keys() {
        ui.detail(format!("  {path}"));
    }
    ui.success(format!(
        "Created {} ({} files{})",
        style(args.path.display()).bold(),
        tree.files.len(),
        if args.no_git {
            ""
        } else {
            ", git repository with an initial commit"
        }
    ));
    ui.line(format!("  modules  {}", chosen_modules(catalogue, answers)));
    let resources = resource::live_names(&answers.resources);
    if !resources.is_empty() {
        ui.line(format!("  resources  {}", resources.join(", ")));
    }
    ui.line("");
    ui.heading("Next steps");
    for step in [
        format!("cd {}", args.path.display()),
        "cp .env.example .env".to_string(),
        "docker compose up -d   # or use your own PostgreSQL and Redis".to_string(),
        "cargo run".to_string(),
    ] {
        ui.line(format!("  {step}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_lists_modules_in_catalogue_order() {
        let catalogue = Catalogue::embedded().expect("the embedded catalogue loads");
        let answers = Answers::complete(
            &catalogue,
            ProjectName::parse("demo").expect("a valid name"),
            &Choices::default(),
            |module| Ok::<_, Error>(Some(vec![module.providers[0].name.clone()])),
        )
        .expect("every module gets its first provider");
        let summary = chosen_modules(&catalogue, &answers);
        let listed: Vec<&str> = summary
            .split(" · ")
            .map(|entry| entry.split(':').next().unwrap_or_default())
            .collect();
        assert_eq!(listed, catalogue.module_names());
    }
}
