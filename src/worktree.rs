//! Writing a merge into the working tree, all or nothing and never through a symbolic link.
//!
//! Every path is checked before anything is written ([`preflight`]); file contents pass through
//! git's filters as a checkout would write them ([`smudge`]); each file is then replaced
//! atomically (a temporary file in its directory, renamed over it), and a [`Transaction`] keeps
//! what it replaced in memory so that a failure part-way puts every file back.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use git2::build::CheckoutBuilder;
use git2::{Index, IndexEntry, IndexTime, Repository};

/// Why the working tree cannot take a change, found before anything is written, or why
/// writing it failed (then everything written was put back).
#[derive(Debug, thiserror::Error)]
pub enum WorktreeError {
    /// A path the change writes or removes is a symbolic link or lies under one.
    #[error(
        "omnistack never writes through a symbolic link, and the change would write or remove {}; replace the link by a regular file or directory (and commit), then run again",
        crate::project::list(.0)
    )]
    Symlink(Vec<String>),
    /// Something git does not track stands where the change writes.
    #[error(
        "the change would overwrite {}, which git does not track; move it out of the way, then run again",
        crate::project::list(.0)
    )]
    InTheWay(Vec<String>),
    /// A filesystem operation failed; every file written before it was restored.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Passing contents through git's filters failed.
    #[error("git: {}", .0.message())]
    Git(#[from] git2::Error),
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WorktreeError {
    let path = path.to_path_buf();
    move |source| WorktreeError::Io {
        action,
        path,
        source,
    }
}

/// One path a change writes or removes, as [`preflight`] needs to see it.
#[derive(Debug, Clone, Copy)]
pub struct Planned<'a> {
    /// The path, relative to the repository root, with `/` separators.
    pub path: &'a str,
    /// Whether the change writes the path (else it removes it).
    pub writes: bool,
    /// Whether `HEAD` tracks a file at this path.
    pub tracked: bool,
    /// Whether `HEAD` records the path as a symbolic link.
    pub link_in_head: bool,
}

/// Refuses, before anything is written, a change that would write or remove through a symbolic
/// link (the path itself, or a directory above it), or over something git does not track (an
/// untracked or ignored file, or a directory where a file goes).
///
/// Links are refused rather than merged beside: the link's target may lie outside the
/// repository, and replacing the link by a file would silently undo the user's setup.
pub fn preflight<'a>(
    repo: &Repository,
    root: &Path,
    planned: impl IntoIterator<Item = Planned<'a>>,
) -> Result<(), WorktreeError> {
    let mut links = Vec::new();
    let mut links_above = BTreeSet::new();
    let mut in_the_way = Vec::new();
    for item in planned {
        if item.link_in_head {
            links.push(item.path.to_string());
            continue;
        }
        let parts: Vec<&str> = item.path.split('/').collect();
        let mut dir = root.to_path_buf();
        let mut blocked = false;
        for (depth, part) in parts[..parts.len() - 1].iter().enumerate() {
            dir.push(part);
            let above = parts[..=depth].join("/");
            match fs::symlink_metadata(&dir) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    // One path per link is enough to name it.
                    if links_above.insert(above.clone()) {
                        links.push(format!("{} (under the link {above})", item.path));
                    }
                    blocked = true;
                }
                Ok(meta) if !meta.is_dir() => {
                    in_the_way.push(format!(
                        "{above} (a file where {} needs a directory)",
                        item.path
                    ));
                    blocked = true;
                }
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error("inspect", &dir)(e)),
            }
            break;
        }
        if blocked {
            continue;
        }
        let file = root.join(item.path);
        match fs::symlink_metadata(&file) {
            Ok(meta) if meta.file_type().is_symlink() => links.push(item.path.to_string()),
            Ok(meta) if meta.is_dir() => in_the_way.push(format!("{} (a directory)", item.path)),
            Ok(_) if item.writes && !item.tracked => {
                let why = if repo.status_should_ignore(Path::new(item.path))? {
                    "ignored"
                } else {
                    "untracked"
                };
                in_the_way.push(format!("{} ({why})", item.path));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error("inspect", &file)(e)),
        }
    }
    if !links.is_empty() {
        Err(WorktreeError::Symlink(links))
    } else if !in_the_way.is_empty() {
        Err(WorktreeError::InTheWay(in_the_way))
    } else {
        Ok(())
    }
}

/// The bytes a checkout would write for each file: contents as git stores them, passed through
/// the repository's filters (`core.autocrlf`, `eol` and `text` attributes).
///
/// git2 has no binding for libgit2's filter lists, so the files are checked out by libgit2 itself
/// into a private directory inside `.git` and read back: the same code path as `git checkout`,
/// without touching the working tree. Every content must be stored in `repo` already (as a
/// change's pack holds them): the checkout reads them from there, by the id computed here.
pub fn smudge(
    repo: &Repository,
    files: &[(&str, &[u8], u32)],
) -> Result<BTreeMap<String, Vec<u8>>, WorktreeError> {
    if files.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut index = Index::new()?;
    for &(path, bytes, mode) in files {
        index.add(&entry(path, crate::git::blob_id(bytes), mode, bytes.len()))?;
    }
    let scratch = tempfile::Builder::new()
        .prefix("omnistack-checkout-")
        .tempdir_in(repo.path())
        .map_err(io_error("create a temporary directory in", repo.path()))?;
    let mut checkout = CheckoutBuilder::new();
    checkout
        .force()
        .recreate_missing(true)
        .update_index(false)
        .target_dir(scratch.path())
        // Only these paths: otherwise libgit2 also walks every other file of `HEAD`, to remove
        // it from the (empty) directory.
        .disable_pathspec_match(true);
    for &(path, _, _) in files {
        checkout.path(path);
    }
    repo.checkout_index(Some(&mut index), Some(&mut checkout))?;
    let mut out = BTreeMap::new();
    for &(path, _, _) in files {
        let file = scratch.path().join(path);
        let bytes = fs::read(&file).map_err(io_error("read back", &file))?;
        out.insert(path.to_string(), bytes);
    }
    Ok(out)
}

fn entry(path: &str, id: git2::Oid, mode: u32, size: usize) -> IndexEntry {
    IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode,
        uid: 0,
        gid: 0,
        file_size: u32::try_from(size).unwrap_or(u32::MAX),
        id,
        flags: u16::try_from(path.len().min(0xfff)).unwrap_or(0xfff),
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// What a [`Transaction`] did, so that it can be undone in reverse order.
#[derive(Debug)]
enum Step {
    /// A directory was created.
    MadeDir(PathBuf),
    /// A file was created where there was none.
    Created(PathBuf),
    /// A file was replaced or removed; its earlier bytes and permissions.
    Replaced(PathBuf, Vec<u8>, fs::Permissions),
    /// An empty directory was removed.
    RemovedDir(PathBuf),
}

/// Writes and removals in the working tree that can all be undone until [`Transaction::commit`].
#[derive(Debug)]
pub struct Transaction {
    root: PathBuf,
    done: Vec<Step>,
}

impl Transaction {
    /// A transaction on the working tree at `root`.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            done: Vec::new(),
        }
    }

    /// Writes every file (path, bytes), then removes every path in `removals`; on an error,
    /// everything done so far is undone before the error is returned.
    pub fn apply(
        &mut self,
        writes: &[(&str, &[u8])],
        removals: &[&str],
    ) -> Result<(), WorktreeError> {
        let result = self.try_apply(writes, removals);
        if result.is_err() {
            self.rollback();
        }
        result
    }

    fn try_apply(
        &mut self,
        writes: &[(&str, &[u8])],
        removals: &[&str],
    ) -> Result<(), WorktreeError> {
        // Every new content goes to a temporary file beside its destination first, so that a
        // full disk or an unwritable directory fails before any file is replaced. The files are
        // not synced to disk one by one, as git's checkout does not sync them: every file a
        // change replaces or removes is as `HEAD` has it (a change refuses touched files), so a
        // power cut can lose only this change, which runs again; and a sync per file made the
        // wall time of `generate resource` several times its CPU time on a busy disk.
        let mut staged = Vec::with_capacity(writes.len());
        for &(path, bytes) in writes {
            let file = self.root.join(path);
            let dir = file.parent().unwrap_or(&self.root).to_path_buf();
            self.make_dirs(&dir)?;
            let mut temp = temp_file(&dir).map_err(io_error("create a temporary file in", &dir))?;
            temp.write_all(bytes)
                .map_err(io_error("write a temporary file for", &file))?;
            staged.push((file, temp));
        }
        for (file, temp) in staged {
            match fs::symlink_metadata(&file) {
                Ok(meta) => {
                    // A replaced file keeps its permissions (an executable bit the user set).
                    let before = fs::read(&file).map_err(io_error("read", &file))?;
                    fs::set_permissions(temp.path(), meta.permissions())
                        .map_err(io_error("set the permissions of", &file))?;
                    self.done
                        .push(Step::Replaced(file.clone(), before, meta.permissions()));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    self.done.push(Step::Created(file.clone()));
                }
                Err(e) => return Err(io_error("inspect", &file)(e)),
            }
            temp.persist(&file)
                .map_err(|e| io_error("replace", &file)(e.error))?;
        }
        for path in removals {
            self.remove(&self.root.join(path))?;
        }
        Ok(())
    }

    /// Creates `dir` and its missing parents, recording each one created.
    fn make_dirs(&mut self, dir: &Path) -> Result<(), WorktreeError> {
        let mut missing = Vec::new();
        let mut current = Some(dir);
        while let Some(d) = current.filter(|d| !d.exists()) {
            missing.push(d.to_path_buf());
            current = d.parent();
        }
        for d in missing.into_iter().rev() {
            fs::create_dir(&d).map_err(io_error("create the directory", &d))?;
            self.done.push(Step::MadeDir(d));
        }
        Ok(())
    }

    /// Removes `file`, then the directories it leaves empty, as git does.
    fn remove(&mut self, file: &Path) -> Result<(), WorktreeError> {
        let meta = match fs::symlink_metadata(file) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_error("inspect", file)(e)),
        };
        let before = fs::read(file).map_err(io_error("read", file))?;
        fs::remove_file(file).map_err(io_error("remove", file))?;
        self.done.push(Step::Replaced(
            file.to_path_buf(),
            before,
            meta.permissions(),
        ));
        let mut dir = file.parent();
        while let Some(d) = dir.filter(|d| *d != self.root && d.starts_with(&self.root)) {
            // Fails when the directory still holds something: then it stays, as it should.
            if fs::remove_dir(d).is_err() {
                break;
            }
            self.done.push(Step::RemovedDir(d.to_path_buf()));
            dir = d.parent();
        }
        Ok(())
    }

    /// Puts back everything this transaction did, newest first. Best effort: a step that cannot
    /// be undone (the disk went away) does not stop the others.
    pub fn rollback(&mut self) {
        while let Some(step) = self.done.pop() {
            let _ = match step {
                Step::MadeDir(dir) => fs::remove_dir(dir),
                Step::Created(file) => fs::remove_file(file),
                Step::Replaced(file, bytes, permissions) => {
                    restore_with(&file, &bytes, permissions)
                }
                Step::RemovedDir(dir) => fs::create_dir(dir),
            };
        }
    }

    /// Keeps everything written: nothing will be undone.
    pub fn commit(mut self) {
        self.done.clear();
    }
}

/// Writes `bytes` back to `file` atomically, with its earlier permissions.
fn restore_with(file: &Path, bytes: &[u8], permissions: fs::Permissions) -> io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut temp = temp_file(dir)?;
    temp.write_all(bytes)?;
    fs::set_permissions(temp.path(), permissions)?;
    temp.persist(file).map(drop).map_err(|e| e.error)
}

/// Writes `bytes` to `file` atomically (a temporary file beside it, renamed over it).
pub fn restore(file: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut temp = temp_file(dir)?;
    temp.write_all(bytes)?;
    temp.persist(file).map(drop).map_err(|e| e.error)
}

/// A temporary file in `dir`, created as `git checkout` creates a non-executable file: 0666 less
/// the umask (the mode goes to open(2), which applies the umask), not tempfile's private 0600.
fn temp_file(dir: &Path) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".omnistack-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every file below `root`, with its bytes.
    fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    out.insert(path.clone(), b"<dir>".to_vec());
                    dirs.push(path);
                } else {
                    out.insert(path.clone(), fs::read(&path).unwrap());
                }
            }
        }
        out
    }

    fn sample() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("old/dir")).unwrap();
        fs::write(tmp.path().join("kept.txt"), "kept\n").unwrap();
        fs::write(tmp.path().join("replaced.txt"), "before\n").unwrap();
        fs::write(tmp.path().join("old/dir/removed.txt"), "removed\n").unwrap();
        tmp
    }

    #[test]
    fn a_rollback_after_writes_and_removals_restores_every_file_and_directory() {
        let tmp = sample();
        let before = tree(tmp.path());
        let mut transaction = Transaction::new(tmp.path());

        transaction
            .apply(
                &[
                    ("replaced.txt", b"after\n"),
                    ("new/deep/file.txt", b"new\n"),
                ],
                &["old/dir/removed.txt"],
            )
            .unwrap();
        assert_eq!(
            fs::read(tmp.path().join("replaced.txt")).unwrap(),
            b"after\n"
        );
        assert!(
            !tmp.path().join("old").exists(),
            "emptied directories go, as in git"
        );
        transaction.rollback();

        assert_eq!(tree(tmp.path()), before);
    }

    #[test]
    fn a_write_that_cannot_be_staged_changes_nothing_and_leaves_no_temporary_file() {
        let tmp = sample();
        let before = tree(tmp.path());
        let mut transaction = Transaction::new(tmp.path());

        // `kept.txt` is a file, so no directory can be made there.
        let result = transaction.apply(
            &[("replaced.txt", b"after\n"), ("kept.txt/inner.txt", b"x\n")],
            &["old/dir/removed.txt"],
        );

        assert!(
            matches!(result, Err(WorktreeError::Io { .. })),
            "{result:?}"
        );
        assert_eq!(tree(tmp.path()), before);
    }

    #[test]
    fn a_committed_transaction_keeps_what_it_wrote() {
        let tmp = sample();
        let mut transaction = Transaction::new(tmp.path());
        transaction
            .apply(&[("replaced.txt", b"after\n")], &[])
            .unwrap();

        transaction.commit();

        assert_eq!(
            fs::read(tmp.path().join("replaced.txt")).unwrap(),
            b"after\n"
        );
    }
}
