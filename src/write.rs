//! Writing a rendered project to disk, all or nothing.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::render::RenderedTree;

/// Why a project could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The target exists and holds something: omnistack never writes into it.
    #[error("{} already exists and is not empty; choose another name or remove it", .0.display())]
    TargetNotEmpty(PathBuf),
    /// A filesystem operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Initialising the repository failed.
    #[error("initialising the git repository failed: {0}")]
    Git(#[from] git2::Error),
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError::Io {
        action,
        path,
        source,
    }
}

/// Refuses a target that exists and is not an empty directory.
pub fn check_target(target: &Path) -> Result<(), WriteError> {
    match fs::read_dir(target).map(|mut entries| entries.next().is_none()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(WriteError::TargetNotEmpty(target.to_path_buf())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            Err(WriteError::TargetNotEmpty(target.to_path_buf()))
        }
        Err(e) => Err(io_error("cannot read", target)(e)),
    }
}

/// Writes `tree` to `target` through a temporary directory beside it, so that a failure part-way
/// leaves nothing behind; `init_git` runs inside the temporary directory before the move.
pub fn write_project(
    target: &Path,
    tree: &RenderedTree,
    init_git: impl FnOnce(&Path) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    check_target(target)?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_error("cannot create", &parent))?;
    let staging = staging_dir(&parent)?;
    // In path order most files follow one in the same directory, whose creation is then skipped.
    let mut last_dir = None;
    for (path, bytes) in &tree.files {
        let dest = staging.path().join(path);
        let dir = dest.parent();
        if dir != last_dir.as_deref() {
            if let Some(dir) = dir {
                fs::create_dir_all(dir).map_err(io_error("cannot create", dir))?;
            }
            last_dir = dir.map(Path::to_path_buf);
        }
        fs::write(&dest, bytes).map_err(io_error("cannot write", &dest))?;
    }
    init_git(staging.path())?;
    if target.is_dir() {
        // check_target saw it empty; rename(2) cannot replace a directory on every platform.
        fs::remove_dir(target).map_err(io_error("cannot replace", target))?;
    }
    fs::rename(staging.path(), target).map_err(io_error("cannot move the project to", target))?;
    // The directory now lives at `target`; there is nothing left for the guard to clean up.
    let _moved = staging.keep();
    Ok(())
}

/// A temporary directory beside the target (same filesystem, so the final rename is atomic),
/// created with the usual permissions rather than tempfile's private 0700.
fn staging_dir(parent: &Path) -> Result<tempfile::TempDir, WriteError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".omnistack-new-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o777));
    }
    builder
        .tempdir_in(parent)
        .map_err(io_error("cannot create a temporary directory in", parent))
}
