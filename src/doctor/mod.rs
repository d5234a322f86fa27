//! `omnistack doctor`: checks that a generated project can run on this machine (toolchain,
//! `.env`, PostgreSQL, Redis, migrations, omnistack version, the base of later changes) and says how to fix what cannot.
//!
//! Each check is one function of [`Setup`] in [`CHECKS`]; adding a check is adding a line there.

mod environment;
mod merge_base;
mod postgres;
mod redis;
mod toolchain;
mod version;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::project::{Project, ProjectError};

pub use environment::Environment;

/// How long a service may take to answer before it counts as unreachable.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// One check: its name in the report (stable, for `--format json`) and the function that runs it.
pub type Check = (&'static str, fn(&Setup) -> Finding);

/// Every check `doctor` runs, in the order it reports them.
pub const CHECKS: &[Check] = &[
    ("toolchain", toolchain::check),
    ("env-file", environment::check_file),
    ("env-vars", environment::check_required),
    ("database", postgres::check_connection),
    ("migrations", postgres::check_migrations),
    ("redis", redis::check),
    ("omnistack-version", version::check),
    ("merge-base", merge_base::check),
];

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// All is well.
    Ok,
    /// Worth knowing, but the project runs: it does not fail `doctor`.
    Warning,
    /// The project cannot run as it stands: `doctor` exits with 1.
    Problem,
    /// Not checked, because what it needs is missing (another check reports that).
    Skipped,
}

/// The outcome of one check, with the fix when there is something to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check's name in [`CHECKS`].
    pub name: &'static str,
    /// What it found.
    pub status: Status,
    /// One line saying what was found, in plain words; never a secret's value.
    pub summary: String,
    /// What to do about it, when there is something to do.
    pub fix: Option<String>,
}

impl Finding {
    /// A finding with no fix; [`run`] fills in `name`.
    pub fn new(status: Status, summary: impl Into<String>) -> Self {
        Self {
            name: "",
            status,
            summary: summary.into(),
            fix: None,
        }
    }

    /// All is well.
    pub fn ok(summary: impl Into<String>) -> Self {
        Self::new(Status::Ok, summary)
    }

    /// Not checked.
    pub fn skipped(summary: impl Into<String>) -> Self {
        Self::new(Status::Skipped, summary)
    }

    /// A problem and its fix.
    pub fn problem(summary: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(Status::Problem, summary).with_fix(fix)
    }

    /// A warning and what to do about it.
    pub fn warning(summary: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(Status::Warning, summary).with_fix(fix)
    }

    fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The project being checked, read once for every check.
#[derive(Debug)]
pub struct Setup {
    /// The directory that holds `omnistack.toml`.
    pub root: PathBuf,
    /// The variables the application will see, and which of them it requires.
    pub env: Environment,
}

impl Setup {
    /// Reads the project that contains `start`.
    pub fn find(start: &Path) -> Result<Self, ProjectError> {
        let project = Project::find(start)?;
        let env = Environment::read(&project.root);
        Ok(Self {
            root: project.root,
            env,
        })
    }
}

/// The report of every check on one project.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The project's root directory.
    pub project: PathBuf,
    /// Whether no check found a problem.
    pub healthy: bool,
    /// Every check's finding, in the order of [`CHECKS`].
    pub checks: Vec<Finding>,
}

impl Report {
    /// How many checks found a problem.
    pub fn problems(&self) -> usize {
        self.count(Status::Problem)
    }

    /// How many checks found something with this status.
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|f| f.status == status).count()
    }
}

/// Runs every check of [`CHECKS`] on `setup`.
pub fn run(setup: &Setup) -> Report {
    let checks: Vec<Finding> = CHECKS
        .iter()
        .map(|(name, check)| Finding {
            name,
            ..check(setup)
        })
        .collect();
    Report {
        project: setup.root.clone(),
        healthy: !checks.iter().any(|f| f.status == Status::Problem),
        checks,
    }
}
