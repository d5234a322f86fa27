//! The base of a change's three-way merge: omnistack's render of the answers `HEAD` records,
//! found the same way in every clone of the repository.
//!
//! - When `HEAD`'s `omnistack.toml` records this omnistack's version, the base is the render
//!   of those answers: rendering is deterministic, and the record holds every answer and every
//!   migration version, so any clone rebuilds the same base without a ref. A render of this
//!   release whose `omnistack.toml` is `HEAD`'s, which the pristine ref leads to, already holds
//!   that tree, and is taken as it is when there is one.
//! - Otherwise (an `update` from an older release) the base is the newest render commit whose
//!   `omnistack.toml` is `HEAD`'s: the pristine ref's, or one in `HEAD`'s history, where the
//!   user's commit of each change puts its render (see [`git::begin_merge`]).
//! - Otherwise there is no base to merge from, and [`ProjectError::BaseNotFound`] says how to
//!   rebuild one.
//!
//! The pristine ref is only a cache: it leads to renders omnistack made, and when it is gone
//! the base is still found.

use std::collections::HashSet;
use std::path::Path;

use git2::{Commit, Oid, Repository, Sort};

use crate::Error;
use crate::answers::{ANSWERS_FILE, Answers, AnswersFile};
use crate::catalogue::Catalogue;
use crate::git;
use crate::migrations;
use crate::name::ProjectName;
use crate::project::ProjectError;

/// The base of a change: the tree to merge from, and the render commit that holds it, if any.
pub struct Base<'r> {
    /// The tree of omnistack's render the user's `HEAD` started from.
    pub tree: Oid,
    /// A render commit of that tree, the parent of the change's render commit.
    pub commit: Option<Commit<'r>>,
}

/// Finds the base for a change of the project whose `HEAD` is `head` and whose record is `recorded`.
pub fn find<'r>(
    repo: &'r Repository,
    catalogue: &Catalogue,
    root: &Path,
    recorded: &AnswersFile,
    head: &Commit<'r>,
) -> Result<Base<'r>, Error> {
    let answers_blob = blob_id(head, ANSWERS_FILE);
    if recorded.version.as_deref() == Some(crate::VERSION) {
        // A render of this record by this release is the base itself: rendering it again
        // would give the same tree (renders are deterministic), at half a change's cost. Only
        // the renders the pristine ref leads to are taken so: omnistack wrote those, whereas a
        // render commit in the history may have been amended with the user's edits.
        if let Some(answers_blob) = answers_blob
            && let Some(commit) = cached_render(repo, |commit| {
                git::render_version(commit).as_deref() == Some(crate::VERSION)
                    && blob_id(commit, ANSWERS_FILE) == Some(answers_blob)
            })?
        {
            return Ok(Base {
                tree: commit.tree_id(),
                commit: Some(commit),
            });
        }
        let answers = recorded_answers(catalogue, root, recorded, head)?;
        let render = crate::generate(catalogue, &answers)?;
        let tree = git::write_tree(repo, &render)?;
        let commit = newest_render(repo, head, |commit| commit.tree_id() == tree)?;
        return Ok(Base { tree, commit });
    }
    let Some(answers_blob) = answers_blob else {
        return Err(not_found(recorded));
    };
    let commit = newest_render(repo, head, |commit| {
        blob_id(commit, ANSWERS_FILE) == Some(answers_blob)
    })?
    .ok_or_else(|| not_found(recorded))?;
    Ok(Base {
        tree: commit.tree_id(),
        commit: Some(commit),
    })
}

/// The answers `recorded` holds, as the render that wrote it saw them.
///
/// A migration the record has no version for (a project recorded before versions were) has
/// the version of its file in `HEAD`, else the one its template ships.
pub fn recorded_answers(
    catalogue: &Catalogue,
    root: &Path,
    recorded: &AnswersFile,
    head: &Commit<'_>,
) -> Result<Answers, Error> {
    let name = match &recorded.name {
        Some(name) => name.clone(),
        None => ProjectName::from_dir(root)?,
    };
    let mut answers =
        Answers::complete(catalogue, name, &recorded.choices, |_| Ok::<_, Error>(None))?;
    answers.migrations = recorded.migrations.clone();
    answers.resources = recorded.resources.clone();
    let existing = paths(head)?;
    migrations::assign(
        catalogue,
        &mut answers,
        existing.iter().map(String::as_str),
        None,
    );
    Ok(answers)
}

/// The `omnistack.toml` of the newest render in `head`'s history or that the pristine ref leads
/// to: the answers omnistack last rendered, `None` when there is no render or it cannot be read.
pub fn rendered_record(
    repo: &Repository,
    catalogue: &Catalogue,
    head: &Commit<'_>,
) -> Result<Option<AnswersFile>, git2::Error> {
    let Some(commit) = newest_render(repo, head, |commit| blob_id(commit, ANSWERS_FILE).is_some())?
    else {
        return Ok(None);
    };
    let Some(blob) = blob_id(&commit, ANSWERS_FILE) else {
        return Ok(None);
    };
    let blob = repo.find_blob(blob)?;
    let text = String::from_utf8_lossy(blob.content());
    Ok(AnswersFile::parse(catalogue, &text).ok())
}

/// Every file path of `commit`'s tree.
pub fn paths(commit: &Commit<'_>) -> Result<Vec<String>, git2::Error> {
    let mut out = Vec::new();
    commit
        .tree()?
        .walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                out.push(format!("{dir}{name}"));
            }
            git2::TreeWalkResult::Ok
        })?;
    Ok(out)
}

/// The newest render commit that `matches`, among those the pristine ref leads to (all
/// renders) and the marked ones in `head`'s history.
fn newest_render<'r>(
    repo: &'r Repository,
    head: &Commit<'r>,
    matches: impl Fn(&Commit<'r>) -> bool,
) -> Result<Option<Commit<'r>>, git2::Error> {
    let pristine = git::pristine(repo)?;
    let mut cached = HashSet::new();
    if let Some(pristine) = &pristine {
        let mut walk = repo.revwalk()?;
        walk.push(pristine.id())?;
        for id in walk {
            cached.insert(id?);
        }
    }
    let mut walk = repo.revwalk()?;
    // Children before their parents first, then time: commit times alone do not order a
    // history made within one second, or on machines whose clocks disagree, and the render a
    // change merged must come before the render it was made on.
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    walk.push(head.id())?;
    if let Some(pristine) = &pristine {
        walk.push(pristine.id())?;
    }
    for id in walk {
        let commit = repo.find_commit(id?)?;
        if is_render(&commit, &cached) && matches(&commit) {
            return Ok(Some(commit));
        }
    }
    Ok(None)
}

/// The newest render the pristine ref leads to that `matches`.
fn cached_render<'r>(
    repo: &'r Repository,
    matches: impl Fn(&Commit<'r>) -> bool,
) -> Result<Option<Commit<'r>>, git2::Error> {
    let Some(pristine) = git::pristine(repo)? else {
        return Ok(None);
    };
    let mut walk = repo.revwalk()?;
    walk.push(pristine.id())?;
    for id in walk {
        let commit = repo.find_commit(id?)?;
        if matches(&commit) {
            return Ok(Some(commit));
        }
    }
    Ok(None)
}

/// Whether `commit` is a render: a cached one, or one marked by the trailer whose parents are
/// renders down to a root or a cached one, as omnistack chains them.
///
/// The trailer alone is not enough: `git pull --rebase` (or a cherry-pick) replays a change's
/// render commit onto the user's commits, and the copy keeps the trailer while its tree holds
/// their edits; taken as a base, those edits would look like omnistack's and be overwritten.
fn is_render(commit: &Commit<'_>, cached: &HashSet<Oid>) -> bool {
    let mut commit = commit.clone();
    loop {
        if cached.contains(&commit.id()) {
            return true;
        }
        if git::render_version(&commit).is_none() {
            return false;
        }
        match (commit.parent_count(), commit.parent(0)) {
            (0, _) => return true,
            (1, Ok(parent)) => commit = parent,
            _ => return false,
        }
    }
}

fn blob_id(commit: &Commit<'_>, path: &str) -> Option<Oid> {
    let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
    Some(entry.id())
}

fn not_found(recorded: &AnswersFile) -> Error {
    ProjectError::BaseNotFound {
        recorded: recorded
            .version
            .clone()
            .unwrap_or_else(|| "(no version recorded)".to_string()),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits a tree holding `file` with `parents`, at `seconds`, as a render when `render`.
    fn commit(repo: &Repository, file: &str, parents: &[Oid], seconds: i64, render: bool) -> Oid {
        let blob = repo.blob(file.as_bytes()).unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert(file, blob, 0o100644).unwrap();
        let tree = repo.find_tree(builder.write().unwrap()).unwrap();
        let message = if render {
            git::render_message("omnistack: render", tree.id())
        } else {
            "the user's commit\n".to_string()
        };
        let time = git2::Time::new(seconds, 0);
        let author = git2::Signature::new("A U Thor", "author@example.com", &time).unwrap();
        let parents: Vec<_> = parents
            .iter()
            .map(|id| repo.find_commit(*id).unwrap())
            .collect();
        let parents: Vec<_> = parents.iter().collect();
        repo.commit(None, &author, &author, &message, &tree, &parents)
            .unwrap()
    }

    #[test]
    fn the_newest_render_is_the_latest_in_history_even_when_its_parents_clock_is_ahead() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = Repository::init(tmp.path()).unwrap();
        // Commits made within one second, or on machines whose clocks disagree, do not order
        // by time: the first render here is dated after the second.
        let first = commit(&repo, "first", &[], 1_800_000_010, true);
        let second = commit(&repo, "second", &[first], 1_800_000_000, true);
        let edit = commit(&repo, "edit", &[first], 1_800_000_000, false);
        let merge = commit(&repo, "merge", &[edit, second], 1_800_000_000, false);
        git::set_pristine(&repo, second, "render").unwrap();

        let head = repo.find_commit(merge).unwrap();
        let newest = newest_render(&repo, &head, |_| true).unwrap().unwrap();

        assert_eq!(newest.id(), second);
    }
}
