//! `omnistack new`: choices in, a new git repository out.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::ArgMatches;
use console::style;

use crate::Error;
use crate::answers::{Answers, AnswersFile, Choices};
use crate::catalogue::Catalogue;
use crate::name::ProjectName;
use crate::render::RenderedTree;
use crate::ui::Ui;
use crate::{cli, git, plan, prompt, render, write};

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
            flags: cli::choices_from_flags(catalogue, matches)?,
            no_git: matches.get_flag("no-git"),
            dry_run: matches.get_flag("dry-run"),
        })
    }
}

/// Runs `new`.
pub fn run(catalogue: &Catalogue, args: &NewArgs, ui: Ui) -> Result<(), Error> {
    let name = project_name(&args.path)?;
    // Fail before asking anything: answering prompts only to be refused is a poor experience.
    write::check_target(&args.path)?;
    let mut choices = match &args.preset {
        Some(path) => AnswersFile::read(catalogue, path)?.choices,
        None => Choices::default(),
    };
    choices.overlay(args.flags.clone());
    let interactive =
        !args.yes && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let answers = Answers::complete(catalogue, name, &choices, |module| {
        if interactive {
            prompt::ask(module).map(Some)
        } else {
            Ok(None)
        }
    })?;

    let progress = ui.progress("Rendering templates");
    let tree = render_answers(catalogue, &answers)?;
    if args.dry_run {
        progress.finish_and_clear();
        for (path, bytes) in &tree.files {
            println!("{path} ({} bytes)", bytes.len());
        }
        return Ok(());
    }
    progress.set_message(format!("Writing {} files", tree.files.len()));
    write::write_project(&args.path, &tree, |dir| {
        if !args.no_git {
            git::init_with_initial_commit(dir, &tree)?;
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    summary(ui, args, &answers, &tree);
    Ok(())
}

/// Plans and renders a project: the pure part of `new`, shared with tests and later commands.
pub fn render_answers(catalogue: &Catalogue, answers: &Answers) -> Result<RenderedTree, Error> {
    answers.check_requirements(catalogue)?;
    let plan = plan::plan(catalogue, answers)?;
    Ok(render::render(&plan)?)
}

fn project_name(path: &std::path::Path) -> Result<ProjectName, Error> {
    let last = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    Ok(ProjectName::parse(&last)?)
}

fn summary(ui: Ui, args: &NewArgs, answers: &Answers, tree: &RenderedTree) {
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
    let chosen: Vec<String> = answers
        .modules
        .iter()
        .filter(|(_, providers)| !providers.is_empty())
        .map(|(module, providers)| format!("{module}: {}", providers.join(", ")))
        .collect();
    ui.line(format!("  modules  {}", chosen.join(" · ")));
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
