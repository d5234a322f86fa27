//! A change to a generated project, as `add`, `remove`, `update` and `doctor` compute it: open
//! the project, render the new answers, and merge the change from the render `HEAD` was made
//! from (see [`crate::base`]) into `HEAD`, leaving it uncommitted for review as
//! `git merge --no-commit` would.
//!
//! The change is computed in memory: its objects (both renders' blobs and trees, merged files)
//! go to an in-memory object database, and only applying it writes the ones the repository
//! lacks, with the render commit, as one pack.

use std::path::Path;

use git2::{Mempack, Odb, Repository};

use crate::Error;
use crate::answers::{ANSWERS_FILE, Answers, AnswersFile};
use crate::catalogue::{Catalogue, Module};
use crate::merge::{ChangeKind, FileChange, Merge};
use crate::name::ProjectName;
use crate::project::{self, Project, ProjectError};
use crate::{base, git, migrations, semantic};

/// Objects written while computing a change go to an in-memory backend of this priority, above
/// the on-disk ones, so that `.git` stays untouched.
const IN_MEMORY_PRIORITY: i32 = 1000;

/// Keeps every object written to `odb` from now on in memory: the backend belongs to `odb`
/// (libgit2 cannot remove one), and the returned handle only gives access to it.
pub fn objects_in_memory<'odb>(odb: &'odb Odb<'_>) -> Result<Mempack<'odb>, git2::Error> {
    odb.add_new_mempack_backend(IN_MEMORY_PRIORITY)
}

/// What a change will do to the working tree, which decides what [`OpenProject::open_at`]
/// refuses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Intent {
    /// Only shown, never written: a merge in progress or uncommitted work is no reason to refuse.
    pub dry_run: bool,
    /// Written over uncommitted work, as long as the files the change touches are clean.
    pub allow_dirty: bool,
}

/// A generated project opened for a change, every precondition checked.
pub struct OpenProject {
    /// The project.
    pub project: Project,
    /// Its git repository.
    pub repo: Repository,
    /// Its `omnistack.toml`, as `HEAD` records it.
    pub recorded: AnswersFile,
}

impl OpenProject {
    /// Opens the project that contains `start`, refusing one that cannot be merged into.
    pub fn open_at(start: &Path, catalogue: &Catalogue, intent: Intent) -> Result<Self, Error> {
        let project = Project::find(start)?;
        let recorded = AnswersFile::read(catalogue, &project.answers_file())?;
        project::ensure_not_newer(recorded.version.as_deref())?;
        let repo = project.repository()?;
        let head = head_tree_id(&repo)?;
        let recorded = recorded_in(&repo, head, catalogue)?.unwrap_or(recorded);
        project::ensure_not_newer(recorded.version.as_deref())?;
        if !intent.dry_run && repo.state() != git2::RepositoryState::Clean {
            return Err(ProjectError::MergeInProgress.into());
        }
        if !intent.allow_dirty && !intent.dry_run {
            project::ensure_clean(&repo)?;
        }
        Ok(Self {
            project,
            repo,
            recorded,
        })
    }

    /// The recorded answers, resources included, with modules that `omnistack.toml` does not
    /// mention (new in this release) asked for through `ask` or defaulted as `new` does.
    pub fn answers<E>(
        &self,
        catalogue: &Catalogue,
        ask: impl FnMut(&Module) -> Result<Option<Vec<String>>, E>,
    ) -> Result<Answers, Error>
    where
        Error: From<E>,
    {
        let name = match &self.recorded.name {
            Some(name) => name.clone(),
            None => ProjectName::from_dir(&self.project.root)?,
        };
        let mut answers = Answers::complete(catalogue, name, &self.recorded.choices, ask)?;
        answers.resources = self.recorded.resources.clone();
        Ok(answers)
    }

    /// What the change to `answers` would do to each path, computed in memory: nothing is
    /// written to the working tree, the index or `.git` (`doctor`'s view of `update`).
    pub fn preview(
        &self,
        catalogue: &Catalogue,
        answers: &Answers,
    ) -> Result<Vec<(ChangeKind, String)>, Error> {
        Ok(match self.change(catalogue, answers)? {
            Some(change) => change.merge.changes.iter().map(listed).collect(),
            None => Vec::new(),
        })
    }

    /// Finds the base, renders `answers` (new module migrations get their versions first, and the
    /// base's migrations keep its bytes: see [`migrations::freeze`]) and merges, all in memory:
    /// nothing is written to `.git` until [`Change::apply`]. `None` when the render is the base's.
    pub fn change(
        &self,
        catalogue: &Catalogue,
        answers: &Answers,
    ) -> Result<Option<Change<'_>>, Error> {
        // A second handle on the repository, whose new objects stay in memory: the project's
        // own handle writes to disk when the change is applied.
        let memory = Repository::open(self.repo.path())?;
        objects_in_memory(&memory.odb()?)?;
        // In a block, so that every borrow of `memory` ends before the change takes it.
        let (base_commit, theirs, merge, warnings) = {
            let repo = &memory;
            let head = repo.head()?.peel_to_commit()?;
            if let Some(rendered) = base::rendered_record(repo, catalogue, &head)? {
                check_owners(&rendered, &self.recorded)?;
            }
            let base = base::find(repo, catalogue, &self.project.root, &self.recorded, &head)?;
            let head_paths = base::paths(&head)?;
            let mut answers = answers.clone();
            answers.migrations = self.recorded.migrations.clone();
            let now = migrations::now();
            migrations::assign(
                catalogue,
                &mut answers,
                head_paths.iter().map(String::as_str),
                Some(&now),
            );
            let mut render = crate::generate(catalogue, &answers)?;
            let base_tree = repo.find_tree(base.tree)?;
            migrations::freeze(repo, &base_tree, &mut render)?;
            let theirs = git::write_tree(repo, &render)?;
            if theirs == base.tree {
                return Ok(None);
            }
            migrations::check_render(&head_paths, &base_tree, &render, &answers)?;
            let ours = head.tree()?;
            let merge = Merge::compute(repo, &base_tree, &ours, &repo.find_tree(theirs)?)?;
            let warnings = semantic::warnings(repo, &ours, &merge)?;
            let base_commit = base.commit.map(|commit| commit.id());
            (base_commit, theirs, merge, warnings)
        };
        Ok(Some(Change {
            repo: &self.repo,
            memory,
            base: base_commit,
            theirs,
            merge,
            warnings,
        }))
    }
}

/// A change computed in memory, not yet applied.
pub struct Change<'r> {
    /// The project's repository, which the change is written to.
    repo: &'r Repository,
    /// The handle the change was computed through, which holds its new objects.
    memory: Repository,
    /// The render commit of the base, when the history has one.
    base: Option<git2::Oid>,
    /// The new render's tree.
    theirs: git2::Oid,
    /// The three-way merge into `HEAD`.
    pub merge: Merge,
    /// What rustc may reject after the merge.
    pub warnings: Vec<String>,
}

/// What [`Change::apply`] wrote.
#[derive(Debug)]
pub struct Applied {
    /// Each changed path, as it is listed to the user.
    pub listing: Vec<(ChangeKind, String)>,
    /// The paths left with conflict markers.
    pub conflicts: Vec<String>,
}

impl Change<'_> {
    /// Writes the merge into the working tree and index, records the render as a commit and
    /// leaves `MERGE_HEAD` on it; on error nothing is changed. `what` names the change in the
    /// render commit's message.
    pub fn apply(self, what: &str, allow_dirty: bool) -> Result<Applied, Error> {
        let repo = self.repo;
        if allow_dirty {
            project::ensure_untouched(repo, self.merge.changes.iter().map(|c| c.path.as_str()))?;
        }
        let listing = self.merge.changes.iter().map(listed).collect();
        let conflicts = self
            .merge
            .conflicts()
            .into_iter()
            .map(str::to_string)
            .collect();
        let subject = git::change_subject(what);
        let message = git::render_message(&subject, self.theirs);
        // What the merge records and the render commit need, and the repository lacks.
        let mut objects = git::NewObjects::new(repo)?;
        objects.add_tree(&self.memory, self.theirs)?;
        for id in self
            .merge
            .changes
            .iter()
            .flat_map(FileChange::recorded_blobs)
        {
            objects.add_from(&self.memory, id)?;
        }
        let render_commit = objects.add_render_commit(repo, self.theirs, self.base, &message)?;
        // The render is recorded only once the merge is written; if it cannot be, the merge is
        // undone. The pristine ref moves last, so that a failure leaves it where it was.
        self.merge.apply(repo, objects, || {
            git::begin_merge(repo, render_commit, &format!("{subject}\n")).map_err(|e| {
                git2::Error::from_str(&format!(
                    "cannot record the merge in {}: {e}",
                    repo.path().display()
                ))
            })?;
            git::set_pristine(repo, render_commit, &message).inspect_err(|_| git::clear_merge(repo))
        })?;
        Ok(Applied { listing, conflicts })
    }
}

/// The tree of `HEAD`, or [`ProjectError::NoCommit`] on a repository without commits.
fn head_tree_id(repo: &Repository) -> Result<git2::Oid, ProjectError> {
    let head = repo.head().map_err(|e| match e.code() {
        git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound => ProjectError::NoCommit,
        _ => ProjectError::Git(e),
    })?;
    Ok(head.peel_to_commit()?.tree_id())
}

/// The record `HEAD`'s tree (`tree`) holds, if it has one. The merge is from the answers `HEAD`
/// records: the working tree's `omnistack.toml` may be ahead of them (a dry run while a change
/// is uncommitted, or `doctor`), and a base rebuilt from it would not be `HEAD`'s.
fn recorded_in(
    repo: &Repository,
    tree: git2::Oid,
    catalogue: &Catalogue,
) -> Result<Option<AnswersFile>, Error> {
    let Ok(entry) = repo.find_tree(tree)?.get_path(Path::new(ANSWERS_FILE)) else {
        return Ok(None);
    };
    let blob = repo.find_blob(entry.id())?;
    let text = String::from_utf8_lossy(blob.content());
    Ok(Some(AnswersFile::parse(catalogue, &text)?))
}

/// Refuses a resource live in both the last render's record and `HEAD`'s whose owner differs:
/// its table, routes and tests were made for the rendered owner.
fn check_owners(rendered: &AnswersFile, recorded: &AnswersFile) -> Result<(), ProjectError> {
    for (name, resource) in &recorded.resources {
        let Some(before) = rendered.resources.get(name) else {
            continue;
        };
        if resource.removed.is_none() && before.removed.is_none() && before.owner != resource.owner
        {
            return Err(ProjectError::OwnerChanged {
                resource: name.clone(),
                rendered: before.owner.keyword(),
                recorded: resource.owner.keyword(),
            });
        }
    }
    Ok(())
}

/// How a change is listed: a conflict on a file one side renamed names both paths.
fn listed(change: &FileChange) -> (ChangeKind, String) {
    let path = match &change.renamed_from {
        Some(old) => format!("{} (renamed from {old})", change.path),
        None => change.path.clone(),
    };
    (change.kind, path)
}
