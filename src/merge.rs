//! Three-way merges of a new render into the user's project, with git's own tree merge.
//!
//! base = the pristine render recorded for the project, ours = the user's `HEAD`, theirs = the
//! new render. git2's `merge_trees` decides every path (renames and whole-file adds and deletes
//! included); this module turns its index into working-tree changes, previews them, and applies
//! them (through [`crate::worktree`]: checked first, all or nothing, through git's filters),
//! leaving the index as `git merge --no-commit` would: clean paths staged, conflicts as stages 1
//! to 3 with markers in the file. Submodules (gitlinks) are left alone, as `git merge` leaves them.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use git2::{
    IndexConflict, IndexEntry, MergeFileInput, MergeFileOptions, MergeOptions, Oid, Repository,
    Tree, TreeWalkMode, TreeWalkResult,
};

use crate::git::NewObjects;
use crate::worktree::{self, Planned, Transaction, WorktreeError};

/// The mode of a gitlink: a submodule's commit, recorded in the tree, whose content is no blob.
const GITLINK_MODE: u32 = 0o160_000;

/// The mode of a symbolic link.
const LINK_MODE: u32 = 0o120_000;

/// The mode of a file omnistack writes when no side says otherwise.
const FILE_MODE: u32 = 0o100_644;

/// The label of the user's side in conflict markers.
pub const OURS_LABEL: &str = "HEAD (your project)";

/// The label of omnistack's side in conflict markers.
pub const THEIRS_LABEL: &str = "omnistack";

/// Why a merge could not be computed or applied.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A git operation failed.
    #[error("git: {}", .0.message())]
    Git(#[from] git2::Error),
    /// A path in the repository is not UTF-8 (omnistack renders only UTF-8 paths).
    #[error("the repository holds a path that is not UTF-8: {0}")]
    NonUtf8Path(String),
    /// Writing a file of the working tree failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which file.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// The repository is bare: it has no working tree to merge into.
    #[error("the repository has no working tree")]
    Bare,
    /// The working tree cannot take the change (checked before writing), or writing failed and
    /// was undone.
    #[error(transparent)]
    Worktree(#[from] WorktreeError),
}

/// What happens to one path of the working tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// The path appears.
    Added,
    /// The path's content changes cleanly.
    Modified,
    /// The path disappears.
    Deleted,
    /// Both sides changed the path in ways git cannot reconcile.
    Conflicted,
}

impl ChangeKind {
    /// A short word for listings.
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Conflicted => "conflict",
        }
    }
}

/// One path the merge changes, with its content before (in `HEAD`) and after.
#[derive(Debug)]
pub struct FileChange {
    /// The path, relative to the repository root, with `/` separators.
    pub path: String,
    /// What happens to it.
    pub kind: ChangeKind,
    /// Its content in `HEAD`, if it exists there.
    pub before: Option<Vec<u8>>,
    /// Its content in the working tree afterwards (with conflict markers when conflicted).
    pub after: Option<Vec<u8>>,
    /// For a conflict on a path the user renamed: the path omnistack's side has.
    pub renamed_from: Option<String>,
    /// Its mode in `HEAD`, if it exists there.
    before_mode: Option<u32>,
    /// Its mode afterwards.
    mode: u32,
    /// The index entries, stages 1 to 3, to record for a conflicted path.
    conflict: Vec<IndexEntry>,
}

impl FileChange {
    /// The blobs the index records for this path beyond its new content: a conflict's sides.
    pub fn recorded_blobs(&self) -> impl Iterator<Item = Oid> + '_ {
        self.conflict
            .iter()
            .filter(|entry| entry.mode != GITLINK_MODE)
            .map(|entry| entry.id)
    }

    /// The removal of `path`, whose entry in `HEAD` is `(id, mode)`.
    fn deleted(repo: &Repository, path: &str, (id, mode): (Oid, u32)) -> Result<Self, MergeError> {
        Ok(Self {
            path: path.to_string(),
            kind: ChangeKind::Deleted,
            before: content(repo, Some((id, mode)))?,
            after: None,
            renamed_from: None,
            before_mode: Some(mode),
            mode,
            conflict: Vec::new(),
        })
    }
}

/// The outcome of a three-way merge, not yet applied.
#[derive(Debug)]
pub struct Merge {
    /// Every path whose working-tree content changes, sorted by path.
    pub changes: Vec<FileChange>,
}

impl Merge {
    /// Merges `base -> theirs` into `ours` in memory; nothing is written to the working tree.
    pub fn compute(
        repo: &Repository,
        base: &Tree<'_>,
        ours: &Tree<'_>,
        theirs: &Tree<'_>,
    ) -> Result<Self, MergeError> {
        let mut options = MergeOptions::new();
        options.find_renames(true);
        let merged = repo.merge_trees(base, ours, theirs, Some(&options))?;
        let before = entries(ours)?;
        let before_of = |path: &str| before.get(path).copied();
        let mut changes = BTreeMap::new();
        let mut present = BTreeSet::new();
        for entry in merged.iter() {
            let path = utf8(&entry.path)?;
            present.insert(path.clone());
            if stage(&entry) != 0 || entry.mode == GITLINK_MODE {
                continue;
            }
            let kind = match before_of(&path) {
                Some((id, mode)) if id == entry.id && mode == entry.mode => continue,
                Some(_) => ChangeKind::Modified,
                None => ChangeKind::Added,
            };
            let change = FileChange {
                before: content(repo, before_of(&path))?,
                after: content(repo, Some((entry.id, entry.mode)))?,
                before_mode: before_of(&path).map(|b| b.1),
                mode: entry.mode,
                path: path.clone(),
                kind,
                renamed_from: None,
                conflict: Vec::new(),
            };
            changes.insert(path, change);
        }
        let gone = before
            .iter()
            .filter(|(p, (_, mode))| !present.contains(*p) && *mode != GITLINK_MODE);
        for (path, &entry) in gone {
            changes.insert(path.clone(), FileChange::deleted(repo, path, entry)?);
        }
        for sides in conflicts(repo, &merged, [base, ours, theirs])? {
            let path = sides.path.clone();
            // omnistack renamed a file the user changed: the user's copy leaves the old path.
            if sides.renamed_by_theirs
                && let Some(old) = &sides.renamed_from
                && let Some(entry) = before_of(old)
            {
                changes.insert(old.clone(), FileChange::deleted(repo, old, entry)?);
            }
            let change = FileChange {
                before: content(repo, before_of(&path))?,
                after: Some(conflicted_content(repo, &sides.conflict)?),
                before_mode: before_of(&path).map(|b| b.1),
                mode: sides.mode(),
                renamed_from: sides.renamed_from.clone(),
                path: path.clone(),
                kind: ChangeKind::Conflicted,
                conflict: sides.entries(),
            };
            changes.insert(path, change);
        }
        Ok(Self {
            changes: changes.into_values().collect(),
        })
    }

    /// The conflicting paths, sorted.
    pub fn conflicts(&self) -> Vec<&str> {
        self.changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Conflicted)
            .map(|c| c.path.as_str())
            .collect()
    }

    /// Writes `objects` (what the index and `then` refer to that the repository lacks) with
    /// the new contents, the changes into the working tree and the index, without committing,
    /// then runs `then` (which records the new pristine render).
    ///
    /// All or nothing: every path is checked before anything is written, and when writing the
    /// objects, a file, the index, or `then` fails, the objects are removed and the working tree
    /// and the index are put back as they were before the error is returned.
    pub fn apply(
        self,
        repo: &Repository,
        mut objects: NewObjects<'_>,
        then: impl FnOnce() -> Result<(), git2::Error>,
    ) -> Result<(), MergeError> {
        let root = repo.workdir().ok_or(MergeError::Bare)?.to_path_buf();
        worktree::preflight(
            repo,
            &root,
            self.changes.iter().map(|change| Planned {
                path: &change.path,
                writes: change.after.is_some(),
                tracked: change.before_mode.is_some(),
                link_in_head: change.before_mode == Some(LINK_MODE),
            }),
        )?;
        // Stored before anything refers to them (the checkout below reads the new contents
        // from the repository); the pack is removed on any error below.
        for after in self.changes.iter().filter_map(|c| c.after.as_deref()) {
            objects.add_blob(after);
        }
        let pack = objects.write().map_err(|source| MergeError::Io {
            action: "write a packfile in",
            path: objects.pack_dir(),
            source,
        })?;
        let to_write: Vec<(&str, &[u8], u32)> = self
            .changes
            .iter()
            .filter_map(|c| Some((c.path.as_str(), c.after.as_deref()?, c.mode)))
            .collect();
        let smudged = worktree::smudge(repo, &to_write)?;
        let writes: Vec<(&str, &[u8])> = smudged
            .iter()
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
            .collect();
        let removals: Vec<&str> = self
            .changes
            .iter()
            .filter(|c| c.after.is_none())
            .map(|c| c.path.as_str())
            .collect();
        let index_file = repo.path().join("index");
        let index_before = match fs::read(&index_file) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(MergeError::Io {
                    action: "read",
                    path: index_file,
                    source,
                });
            }
        };
        let mut transaction = Transaction::new(&root);
        transaction.apply(&writes, &removals)?;
        let recorded = self.record(repo).and_then(|()| Ok(then()?));
        match recorded {
            Ok(()) => {
                transaction.commit();
                pack.keep();
                Ok(())
            }
            Err(e) => {
                transaction.rollback();
                restore_index(repo, &index_file, index_before.as_deref());
                Err(e)
            }
        }
    }

    /// Stages the applied changes in the index, conflicts as their stages.
    fn record(&self, repo: &Repository) -> Result<(), MergeError> {
        let mut index = repo.index()?;
        for change in &self.changes {
            let path = Path::new(&change.path);
            index.remove_path(path)?;
            if let Some(old) = &change.renamed_from {
                index.remove_path(Path::new(old))?;
            }
            if change.kind == ChangeKind::Conflicted {
                // git2 has no `conflict_add`; `add` keeps the stage that each entry's flags carry.
                for entry in &change.conflict {
                    index.add(entry)?;
                }
            } else if change.after.is_some() {
                // Added from the file just written, through git's filters, so that the index
                // holds the normalised blob and the file's stat data.
                index.add_path(path)?;
            }
        }
        index.write()?;
        Ok(())
    }

    /// A unified diff of every change, from `HEAD` to the merged working tree.
    pub fn unified_diff(&self) -> Result<String, MergeError> {
        let mut out = String::new();
        for change in &self.changes {
            let path = Path::new(&change.path);
            let before = change.before.as_deref().unwrap_or_default();
            let after = change.after.as_deref().unwrap_or_default();
            let mut patch = git2::Patch::from_buffers(before, Some(path), after, Some(path), None)?;
            let buf = patch.to_buf()?;
            out.push_str(&String::from_utf8_lossy(&buf));
        }
        Ok(out)
    }
}

/// The sides of one conflict, as `merge_trees` recorded them, and the path git leaves it at.
struct Sides {
    /// Where the conflict lands: the new path of a file one side renamed.
    path: String,
    /// The path before that rename.
    renamed_from: Option<String>,
    /// Whether omnistack's side made the rename: then the user's file leaves its old path.
    renamed_by_theirs: bool,
    conflict: IndexConflict,
}

impl Sides {
    /// The mode of the file left in the working tree.
    fn mode(&self) -> u32 {
        [&self.conflict.our, &self.conflict.their]
            .into_iter()
            .flatten()
            .map(|e| e.mode)
            .find(|&mode| mode != GITLINK_MODE)
            .unwrap_or(FILE_MODE)
    }

    /// The stages to record, every one under [`Sides::path`], as git records a conflict on a
    /// renamed file.
    fn entries(self) -> Vec<IndexEntry> {
        let path = self.path;
        [
            self.conflict.ancestor,
            self.conflict.our,
            self.conflict.their,
        ]
        .into_iter()
        .flatten()
        .map(|mut entry| {
            entry.path = path.as_bytes().to_vec();
            // The low 12 bits hold the path length, saturated; the stage bits stay.
            let length = u16::try_from(path.len().min(0xfff)).unwrap_or(0xfff);
            entry.flags = (entry.flags & !0xfff) | length;
            entry
        })
        .collect()
    }
}

/// The conflicts of a merged index, one per file: git2 reads them path by path, and has no
/// binding for the index's record of renames (its NAME entries), so a conflict on a file one
/// side renamed comes as two (the old path with the ancestor and the unrenamed side, the new
/// path with the renamed side alone). They are paired again here from each side's renames, and
/// land under the new path, as git leaves them.
fn conflicts(
    repo: &Repository,
    merged: &git2::Index,
    [base, ours, theirs]: [&Tree<'_>; 3],
) -> Result<Vec<Sides>, MergeError> {
    let mut by_path: BTreeMap<String, IndexConflict> = BTreeMap::new();
    for conflict in merged.conflicts()? {
        let conflict = conflict?;
        let any = [&conflict.our, &conflict.their, &conflict.ancestor]
            .into_iter()
            .flatten()
            .next()
            .map(|e| utf8(&e.path))
            .transpose()?
            .unwrap_or_default();
        by_path.insert(any, conflict);
    }
    let mut out = Vec::new();
    for (side, tree) in [(Side::Ours, ours), (Side::Theirs, theirs)] {
        for (old, new) in renames(repo, base, tree)? {
            let alone = |c: &IndexConflict| {
                c.ancestor.is_none() && side.of(c).is_some() && side.other(c).is_none()
            };
            let paired = by_path.get(&old).is_some_and(|c| side.of(c).is_none())
                && by_path.get(&new).is_some_and(alone);
            if !paired {
                continue;
            }
            let (Some(mut at_old), Some(at_new)) = (by_path.remove(&old), by_path.remove(&new))
            else {
                continue;
            };
            match side {
                Side::Ours => at_old.our = at_new.our,
                Side::Theirs => at_old.their = at_new.their,
            }
            out.push(Sides {
                path: new,
                renamed_from: Some(old),
                renamed_by_theirs: matches!(side, Side::Theirs),
                conflict: at_old,
            });
        }
    }
    out.extend(by_path.into_iter().map(|(path, conflict)| Sides {
        path,
        renamed_from: None,
        renamed_by_theirs: false,
        conflict,
    }));
    Ok(out)
}

/// One side of a merge.
#[derive(Debug, Clone, Copy)]
enum Side {
    Ours,
    Theirs,
}

impl Side {
    fn of(self, conflict: &IndexConflict) -> Option<&IndexEntry> {
        match self {
            Side::Ours => conflict.our.as_ref(),
            Side::Theirs => conflict.their.as_ref(),
        }
    }

    fn other(self, conflict: &IndexConflict) -> Option<&IndexEntry> {
        match self {
            Side::Ours => conflict.their.as_ref(),
            Side::Theirs => conflict.our.as_ref(),
        }
    }
}

/// The files renamed from `base` to `side` (old path, new path), found as `merge_trees` finds
/// them (the same default similarity).
fn renames(
    repo: &Repository,
    base: &Tree<'_>,
    side: &Tree<'_>,
) -> Result<Vec<(String, String)>, MergeError> {
    let mut diff = repo.diff_tree_to_tree(Some(base), Some(side), None)?;
    diff.find_similar(Some(git2::DiffFindOptions::new().renames(true)))?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        if delta.status() == git2::Delta::Renamed {
            let path = |f: git2::DiffFile<'_>| utf8(f.path_bytes().unwrap_or_default());
            out.push((path(delta.old_file())?, path(delta.new_file())?));
        }
    }
    Ok(out)
}

/// The merge stage of an index entry: 0 when resolved, 1 to 3 for a conflict's sides.
fn stage(entry: &IndexEntry) -> u16 {
    (entry.flags >> 12) & 0x3
}

fn utf8(path: &[u8]) -> Result<String, MergeError> {
    String::from_utf8(path.to_vec())
        .map_err(|_| MergeError::NonUtf8Path(String::from_utf8_lossy(path).into_owned()))
}

/// Every blob and gitlink of `tree`, by path: its id and mode.
fn entries(tree: &Tree<'_>) -> Result<BTreeMap<String, (Oid, u32)>, MergeError> {
    let mut out = BTreeMap::new();
    let mut bad_path = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if matches!(
            entry.kind(),
            Some(git2::ObjectType::Blob | git2::ObjectType::Commit)
        ) {
            match entry.name() {
                Ok(name) => {
                    let mode = u32::try_from(entry.filemode()).unwrap_or_default();
                    out.insert(format!("{dir}{name}"), (entry.id(), mode));
                }
                Err(_) => {
                    bad_path = Some(String::from_utf8_lossy(entry.name_bytes()).into_owned());
                    return TreeWalkResult::Abort;
                }
            }
        }
        TreeWalkResult::Ok
    })?;
    match bad_path {
        Some(path) => Err(MergeError::NonUtf8Path(path)),
        None => Ok(out),
    }
}

/// The content of the entry (id, mode); none for a gitlink, whose id names a commit of another
/// repository, not a blob.
fn content(repo: &Repository, entry: Option<(Oid, u32)>) -> Result<Option<Vec<u8>>, MergeError> {
    Ok(match entry {
        Some((id, mode)) if mode != GITLINK_MODE => Some(repo.find_blob(id)?.content().to_vec()),
        _ => None,
    })
}

/// What git leaves in the working tree for a conflict: both sides with markers when both exist,
/// else the side that still has the file (a modify/delete conflict keeps the modified file).
fn conflicted_content(repo: &Repository, sides: &IndexConflict) -> Result<Vec<u8>, MergeError> {
    let blob = |entry: &Option<IndexEntry>| content(repo, entry.as_ref().map(|e| (e.id, e.mode)));
    let (ours, theirs) = match (blob(&sides.our)?, blob(&sides.their)?) {
        (Some(ours), Some(theirs)) => (ours, theirs),
        (Some(only), None) | (None, Some(only)) => return Ok(only),
        (None, None) => return Ok(Vec::new()),
    };
    // An add/add conflict has no ancestor: git merges the two against an empty file.
    let ancestor = blob(&sides.ancestor)?.unwrap_or_default();
    let (base, ours, theirs) = (input(&ancestor), input(&ours), input(&theirs));
    let mut options = MergeFileOptions::new();
    options.our_label(OURS_LABEL).their_label(THEIRS_LABEL);
    let merged = git2::merge_file(&base, &ours, &theirs, Some(&mut options))?;
    Ok(merged.content().to_vec())
}

fn input(bytes: &[u8]) -> MergeFileInput<'_> {
    let mut input = MergeFileInput::new();
    input.content(bytes);
    input
}

/// Puts the index file back as it was before a failed apply. Best effort, like the rest of a
/// rollback: the error that caused it is the one reported.
fn restore_index(repo: &Repository, file: &Path, before: Option<&[u8]>) {
    let _ = match before {
        Some(bytes) => worktree::restore(file, bytes),
        None => fs::remove_file(file),
    };
    if let Ok(mut index) = repo.index() {
        let _ = index.read(true);
    }
}
