//! The library's error type: every way a command can fail, with a message for the user.

use crate::answers::AnswersError;
use crate::catalogue::CatalogueError;
use crate::check::CheckError;
use crate::merge::MergeError;
use crate::migrations::Collision;
use crate::name::NameError;
use crate::plan::PlanError;
use crate::project::ProjectError;
use crate::render::RenderError;
use crate::resource::change::ResourceChangeError;
use crate::resource::grammar::FieldSyntaxError;
use crate::selection::SelectionError;
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
    /// The project cannot be changed as it stands (not found, no git history, dirty, ...).
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// An `add` or `remove` that the catalogue or the recorded answers do not allow.
    #[error(transparent)]
    Selection(#[from] SelectionError),
    /// A field of `generate` that does not follow the field grammar.
    #[error(transparent)]
    FieldSyntax(#[from] FieldSyntaxError),
    /// A `generate` or `remove resource` that the project's resources do not allow.
    #[error(transparent)]
    Resource(#[from] ResourceChangeError),
    /// Merging a new render into the project failed.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// A module migration would have the version of another migration of the project.
    #[error(transparent)]
    MigrationCollision(#[from] Collision),
    /// A git operation failed.
    #[error("git: {}", .0.message())]
    Git(#[from] git2::Error),
    /// `--check`: the merged project does not pass `cargo check`.
    #[error(transparent)]
    Check(#[from] CheckError),
    /// Standard output could not be written; see [`Error::is_closed_pipe`] for the usual cause.
    #[error("cannot write to standard output: {0}")]
    Stdout(#[source] std::io::Error),
    /// The change was merged, but some files conflict and wait for the user.
    #[error(
        "merged with conflicts in {} file(s): {}; resolve the conflict markers, `git add` the files, then commit",
        .0.len(),
        .0.join(", ")
    )]
    Conflicts(Vec<String>),
    /// `doctor` found problems (it printed them, with their fixes).
    #[error("doctor found {0} problem(s); the report says how to fix each")]
    Unhealthy(usize),
}

/// The exit code of a change that merged with conflicts, distinct from errors (1) and usage (2).
pub const CONFLICTS_EXIT_CODE: u8 = 3;

impl Error {
    /// The process exit code for this error: [`CONFLICTS_EXIT_CODE`] for conflicts, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Conflicts(_) => CONFLICTS_EXIT_CODE,
            _ => 1,
        }
    }

    /// Whether this is output to a pipe whose reader has gone (`omnistack list | head`): no
    /// failure, since the reader stopped because it had all it wanted.
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
