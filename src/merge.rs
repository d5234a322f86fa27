//! Three-way merges of a new render into the user's project, with git's own tree merge.
//!
//! base = the pristine render recorded for the project, ours = the user's `HEAD`, theirs = the
//! new render. git2's `merge_trees` decides every path (renames and whole-file adds and deletes
//! included); this module turns its index into working-tree changes, previews them, and applies
//! them, leaving the index as `git merge --no-commit` would: clean paths staged, conflicts as
//! stages 1 to 3 with markers in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use git2::{
    IndexEntry, MergeFileInput, MergeFileOptions, MergeOptions, Oid, Repository, Tree,
    TreeWalkMode, TreeWalkResult,
};

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
    /// The index entries, stages 1 to 3, to record for a conflicted path.
    conflict: Vec<IndexEntry>,
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
        let before = blobs(ours)?;
        let mut changes = BTreeMap::new();
        let mut present = BTreeSet::new();
        let mut conflicted: BTreeMap<String, Stages> = BTreeMap::new();
        for entry in merged.iter() {
            let path = utf8(&entry.path)?;
            present.insert(path.clone());
            if stage(&entry) != 0 {
                conflicted.entry(path).or_default().put(entry);
                continue;
            }
            let kind = match before.get(&path) {
                Some(&(id, mode)) if id == entry.id && mode == entry.mode => continue,
                Some(_) => ChangeKind::Modified,
                None => ChangeKind::Added,
            };
            let change = FileChange {
                before: content(repo, before.get(&path).map(|b| b.0))?,
                after: content(repo, Some(entry.id))?,
                path: path.clone(),
                kind,
                conflict: Vec::new(),
            };
            changes.insert(path, change);
        }
        for (path, &(id, _)) in before.iter().filter(|(p, _)| !present.contains(*p)) {
            let change = FileChange {
                path: path.clone(),
                kind: ChangeKind::Deleted,
                before: content(repo, Some(id))?,
                after: None,
                conflict: Vec::new(),
            };
            changes.insert(path.clone(), change);
        }
        for (path, stages) in conflicted {
            let change = FileChange {
                before: content(repo, before.get(&path).map(|b| b.0))?,
                after: Some(conflicted_content(repo, &stages)?),
                path: path.clone(),
                kind: ChangeKind::Conflicted,
                conflict: stages.into_iter().collect(),
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

    /// Writes the changes into the working tree and the index, without committing.
    pub fn apply(self, repo: &Repository) -> Result<(), MergeError> {
        let root = repo.workdir().ok_or(MergeError::Bare)?.to_path_buf();
        for change in &self.changes {
            let file = root.join(&change.path);
            match &change.after {
                Some(bytes) => write_file(&file, bytes)?,
                None => remove_file(&root, &file)?,
            }
        }
        let mut index = repo.index()?;
        for change in &self.changes {
            let path = Path::new(&change.path);
            index.remove_path(path)?;
            if change.kind == ChangeKind::Conflicted {
                // git2 has no `conflict_add`; `add` keeps the stage that each entry's flags carry.
                for entry in &change.conflict {
                    index.add(entry)?;
                }
            } else if change.after.is_some() {
                // Added from the file just written, so that the index also records its stat data.
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

/// The sides of a conflicted path, as `merge_trees` recorded them.
#[derive(Debug, Default)]
struct Stages {
    ancestor: Option<IndexEntry>,
    ours: Option<IndexEntry>,
    theirs: Option<IndexEntry>,
}

impl Stages {
    fn put(&mut self, entry: IndexEntry) {
        match stage(&entry) {
            1 => self.ancestor = Some(entry),
            2 => self.ours = Some(entry),
            _ => self.theirs = Some(entry),
        }
    }

    fn into_iter(self) -> impl Iterator<Item = IndexEntry> {
        [self.ancestor, self.ours, self.theirs]
            .into_iter()
            .flatten()
    }
}

/// The merge stage of an index entry: 0 when resolved, 1 to 3 for a conflict's sides.
fn stage(entry: &IndexEntry) -> u16 {
    (entry.flags >> 12) & 0x3
}

fn utf8(path: &[u8]) -> Result<String, MergeError> {
    String::from_utf8(path.to_vec())
        .map_err(|_| MergeError::NonUtf8Path(String::from_utf8_lossy(path).into_owned()))
}

/// Every blob of `tree`, by path: its id and mode.
fn blobs(tree: &Tree<'_>) -> Result<BTreeMap<String, (Oid, u32)>, MergeError> {
    let mut out = BTreeMap::new();
    let mut bad_path = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
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

fn content(repo: &Repository, id: Option<Oid>) -> Result<Option<Vec<u8>>, MergeError> {
    Ok(match id {
        Some(id) => Some(repo.find_blob(id)?.content().to_vec()),
        None => None,
    })
}

/// What git leaves in the working tree for a conflict: both sides with markers when both exist,
/// else the side that still has the file (a modify/delete conflict keeps the modified file).
fn conflicted_content(repo: &Repository, stages: &Stages) -> Result<Vec<u8>, MergeError> {
    let blob = |entry: &Option<IndexEntry>| content(repo, entry.as_ref().map(|e| e.id));
    let (ours, theirs) = match (blob(&stages.ours)?, blob(&stages.theirs)?) {
        (Some(ours), Some(theirs)) => (ours, theirs),
        (Some(only), None) | (None, Some(only)) => return Ok(only),
        (None, None) => return Ok(Vec::new()),
    };
    // An add/add conflict has no ancestor: git merges the two against an empty file.
    let ancestor = blob(&stages.ancestor)?.unwrap_or_default();
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

fn write_file(file: &Path, bytes: &[u8]) -> Result<(), MergeError> {
    let io = |action| {
        move |source| MergeError::Io {
            action,
            path: file.to_path_buf(),
            source,
        }
    };
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir).map_err(io("create the directory of"))?;
    }
    fs::write(file, bytes).map_err(io("write"))
}

/// Removes `file`, then the directories it leaves empty, as git does.
fn remove_file(root: &Path, file: &Path) -> Result<(), MergeError> {
    match fs::remove_file(file) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(MergeError::Io {
                action: "remove",
                path: file.to_path_buf(),
                source,
            });
        }
    }
    let mut dir = file.parent();
    while let Some(d) = dir.filter(|d| *d != root && d.starts_with(root)) {
        // Fails when the directory still holds something: then it stays, as it should.
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
