//! Whether `add`, `remove` and `update` can find the render they merge from (see [`crate::base`]).

use crate::Error;
use crate::answers::AnswersFile;
use crate::catalogue::Catalogue;
use crate::project::{self, Project, ProjectError};
use crate::{base, change};

use super::{Finding, Setup, Status};

/// The base of later changes is rebuilt from `omnistack.toml` or found in the history.
pub fn check(setup: &Setup) -> Finding {
    match find(setup) {
        Ok(summary) => Finding::ok(summary),
        Err(finding) => finding,
    }
}

fn find(setup: &Setup) -> Result<String, Finding> {
    let project = Project {
        root: setup.root.clone(),
    };
    let repo = project.repository().map_err(|e| match e {
        ProjectError::NoRepository(_) => Finding::warning(
            "the project is not a git repository: add, remove and update merge with git",
            "`git init && git add -A && git commit -m \"Initial commit\"`",
        ),
        other => Finding::problem(other.to_string(), "repair the repository with git"),
    })?;
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
        return Err(Finding::warning(
            "the repository has no commit yet: add, remove and update merge into HEAD",
            "`git add -A && git commit -m \"Initial commit\"`",
        ));
    };
    let catalogue =
        Catalogue::embedded().map_err(|e| Finding::new(Status::Problem, e.to_string()))?;
    let recorded = AnswersFile::read(&catalogue, &project.answers_file())
        .map_err(|e| Finding::problem(e.to_string(), "restore omnistack.toml from git"))?;
    if project::ensure_not_newer(recorded.version.as_deref()).is_err() {
        return Err(Finding::skipped(
            "recorded by a newer omnistack (see omnistack-version)",
        ));
    }
    // The lookup's objects (the rebuilt base's blobs and trees) stay in memory, for as long as
    // `repo` lives: `doctor` never writes to `.git`.
    let odb = repo.odb().map_err(git_problem)?;
    change::objects_in_memory(&odb).map_err(git_problem)?;
    match base::find(&repo, &catalogue, &project.root, &recorded, &head) {
        Ok(found) => Ok(match (&found.commit, recorded.version.as_deref()) {
            (_, Some(crate::VERSION)) => {
                "rebuilt from omnistack.toml: add, remove and update can merge".to_string()
            }
            (Some(commit), _) => format!(
                "omnistack's render {} is in the history: update can merge",
                &commit.id().to_string()[..7]
            ),
            (None, _) => "found: add, remove and update can merge".to_string(),
        }),
        Err(Error::Project(ProjectError::BaseNotFound { recorded })) => Err(Finding::problem(
            format!(
                "omnistack {recorded}'s render of this project is not in the history (a squash merge or a rebase drops it)"
            ),
            format!(
                "install omnistack {recorded}, run `omnistack adopt --force` with it, then `omnistack update` with this one"
            ),
        )),
        Err(e) => Err(Finding::new(Status::Problem, e.to_string())),
    }
}

fn git_problem(e: git2::Error) -> Finding {
    Finding::new(Status::Problem, format!("git: {}", e.message()))
}
