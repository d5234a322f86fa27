//! omnistack: scaffold a production-ready Rust SaaS backend and keep it up to date.
//!
//! The flow is `flags / preset / prompts -> Answers -> Plan -> RenderedTree -> disk`; its pure
//! part, from answers to the rendered tree, is [`generate`].
//! Every module and provider is declared once, in `templates/` (see [`catalogue`]).

pub mod answers;
pub mod base;
pub mod catalogue;
pub mod change;
pub mod check;
pub mod cli;
pub mod commands;
pub mod doctor;
pub mod error;
pub mod git;
pub mod matrix;
pub mod merge;
pub mod migrations;
pub mod name;
pub mod openapi;
pub mod plan;
pub mod project;
pub mod prompt;
pub mod render;
pub mod resource;
pub mod selection;
pub mod semantic;
pub mod templates;
pub mod ui;
pub mod worktree;
pub mod write;

pub use error::Error;

use crate::answers::Answers;
use crate::catalogue::Catalogue;
use crate::render::RenderedTree;

/// The version of this omnistack build, stamped into every generated `omnistack.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Plans and renders the project `answers` describe, in memory: the one pipeline every command
/// (and every test and benchmark) goes through.
pub fn generate(catalogue: &Catalogue, answers: &Answers) -> Result<RenderedTree, Error> {
    answers.check_requirements(catalogue)?;
    let plan = plan::plan(catalogue, answers)?;
    Ok(render::render(&plan)?)
}
