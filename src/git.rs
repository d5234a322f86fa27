//! The generated project's git repository: the initial commit and the pristine ref.

use std::path::Path;

use git2::{IndexAddOption, Oid, Repository, RepositoryInitOptions, Signature};

/// The ref that holds omnistack's exact render, the base of later three-way merges.
pub const PRISTINE_REF: &str = "refs/omnistack/pristine";

/// The branch a new repository starts on.
pub const DEFAULT_BRANCH: &str = "main";

/// Initialises a repository in `dir`, commits everything not ignored, and points the pristine ref at it.
pub fn init_with_initial_commit(dir: &Path) -> Result<Oid, git2::Error> {
    let mut options = RepositoryInitOptions::new();
    options.initial_head(DEFAULT_BRANCH);
    let repo = Repository::init_opts(dir, &options)?;
    let mut index = repo.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let author = signature(&repo)?;
    let message = format!("Initial commit from omnistack {}", crate::VERSION);
    let commit = repo.commit(Some("HEAD"), &author, &author, &message, &tree, &[])?;
    repo.reference(PRISTINE_REF, commit, true, "omnistack: pristine render")?;
    Ok(commit)
}

/// The user's git identity when configured, else a neutral one (CI machines often have none).
fn signature(repo: &Repository) -> Result<Signature<'static>, git2::Error> {
    repo.signature()
        .or_else(|_| Signature::now("omnistack", "omnistack@localhost"))
}
