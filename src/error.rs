//! The library's error type: every way a command can fail, with a message for the user.

use crate::answers::AnswersError;
use crate::catalogue::CatalogueError;
use crate::name::NameError;
use crate::plan::PlanError;
use crate::render::RenderError;
use crate::write::WriteError;

/// Anything an omnistack command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The embedded catalogue is inconsistent (an omnistack bug).
    #[error("omnistack's template catalogue is broken: {0}")]
    Catalogue(#[from] CatalogueError),
    /// A choice or an answers file is invalid.
    #[error(transparent)]
    Answers(#[from] AnswersError),
    /// The project name is invalid.
    #[error(transparent)]
    Name(#[from] NameError),
    /// Two units ship the same file (an omnistack bug).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A template failed to render (an omnistack bug).
    #[error(transparent)]
    Render(#[from] RenderError),
    /// Writing the project failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A prompt failed (the terminal went away, or was interrupted).
    #[error("prompt failed: {0}")]
    Prompt(#[from] dialoguer::Error),
}
