//! The generated project's git repository: the initial commit, render commits and the pristine ref.
//!
//! A render commit holds omnistack's exact render of some answers, apart from any user edit,
//! and says so with a trailer ([`RENDER_TRAILER`]). The initial commit is one; each change
//! commits its new render on top of the render it merged from, and leaves it as `MERGE_HEAD`,
//! so that the user's commit of the change makes it a parent and the renders travel with
//! push and clone. The pristine ref caches the last render locally (see [`crate::base`]).

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};

use git2::{
    Commit, Index, ObjectType, Odb, OdbLookupFlags, Oid, Repository, RepositoryInitOptions,
    Signature,
};

use crate::render::RenderedTree;

mod pack;

use pack::{Kind, Pack};

/// The ref that holds omnistack's exact render, the base of later three-way merges.
pub const PRISTINE_REF: &str = "refs/omnistack/pristine";

/// The trailer that marks a render commit, with the omnistack version that rendered it.
pub const RENDER_TRAILER: &str = "Omnistack-Render";

/// The trailer that names a render commit's own tree: a commit that carries the marks but
/// another tree (amended with the user's edits, or replayed onto their commits by a rebase) is
/// no render.
pub const TREE_TRAILER: &str = "Omnistack-Tree";

/// The subject of the initial commit of projects made before render commits carried the
/// trailer: those commits are renders too.
const LEGACY_INITIAL_SUBJECT: &str = "Initial commit from omnistack ";

/// The branch a new repository starts on.
pub const DEFAULT_BRANCH: &str = "main";

/// Initialises a repository in `dir`, commits exactly `render`, and points the pristine ref at it.
///
/// The commit is built from the render rather than from the directory, so that the user's global
/// gitignore cannot leave a rendered file out and the pristine tree is the one `add` rebuilds.
/// Its objects go to disk as one packfile (see [`pack`]), then libgit2 reads them back from it.
pub fn init_with_initial_commit(dir: &Path, render: &RenderedTree) -> Result<Oid, git2::Error> {
    let mut options = RepositoryInitOptions::new();
    options.initial_head(DEFAULT_BRANCH);
    let repo = Repository::init_opts(dir, &options)?;
    let author = signature(&repo)?;
    let subject = format!("Initial commit from omnistack {}", crate::VERSION);
    commit_initial(&repo, render, &author, |tree| {
        render_message(&subject, tree)
    })
}

/// Commits exactly `render` in the fresh `repo`, as its first commit and the pristine render.
///
/// Apart from [`init_with_initial_commit`] so that tests can fix the author, time and message.
fn commit_initial(
    repo: &Repository,
    render: &RenderedTree,
    author: &Signature<'_>,
    message: impl FnOnce(Oid) -> String,
) -> Result<Oid, git2::Error> {
    let mut objects = Pack::default();
    let tree = objects.add_tree(&render.files);
    let message = message(tree);
    let commit = objects.add_commit(tree, &[], author, &message);
    let subject = message.lines().next().unwrap_or_default();
    let pack_dir = repo.path().join("objects").join("pack");
    objects.write(&pack_dir).map_err(|e| {
        git2::Error::from_str(&format!(
            "cannot write a packfile in {}: {e}",
            pack_dir.display()
        ))
    })?;
    let mut index = repo.index()?;
    index.read_tree(&repo.find_tree(tree)?)?;
    if let Some(workdir) = repo.workdir() {
        record_stat_data(&mut index, workdir)?;
    }
    index.write()?;
    // HEAD is symbolic and its branch unborn: creating the branch moves HEAD with it, and
    // libgit2 logs the move in both reflogs, as `git commit` does.
    let branch = format!("refs/heads/{DEFAULT_BRANCH}");
    repo.reference(
        &branch,
        commit,
        false,
        &format!("commit (initial): {subject}"),
    )?;
    repo.reference(PRISTINE_REF, commit, true, "omnistack: pristine render")?;
    Ok(commit)
}

/// Gives each entry of `index` the stat data of its file in `workdir`, as `git add` records
/// it: an entry without any makes every status (the first step of each change) hash its file
/// again, about a third of the first change's time for the full preset. A file that is not
/// there keeps none. Not `Index::add_all`, which would hash every file once more and leave out
/// rendered files the user's global gitignore matches.
#[cfg(unix)]
fn record_stat_data(index: &mut Index, workdir: &Path) -> Result<(), git2::Error> {
    use std::os::unix::fs::MetadataExt;

    use git2::{IndexEntry, IndexTime};
    let entries: Vec<IndexEntry> = index.iter().collect();
    for mut entry in entries {
        let Ok(path) = std::str::from_utf8(&entry.path) else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(workdir.join(path)) else {
            continue;
        };
        // Truncated to 32 bits, as git and libgit2 store and compare them.
        entry.ctime = IndexTime::new(meta.ctime() as i32, meta.ctime_nsec() as u32);
        entry.mtime = IndexTime::new(meta.mtime() as i32, meta.mtime_nsec() as u32);
        entry.dev = meta.dev() as u32;
        entry.ino = meta.ino() as u32;
        entry.uid = meta.uid();
        entry.gid = meta.gid();
        entry.file_size = meta.size() as u32;
        index.add(&entry)?;
    }
    Ok(())
}

/// Stat data is Unix's: elsewhere the first status hashes every file.
#[cfg(not(unix))]
fn record_stat_data(_index: &mut Index, _workdir: &Path) -> Result<(), git2::Error> {
    Ok(())
}

/// Stores `render` in `repo` as blobs and returns the tree that holds exactly those files.
///
/// The ids are computed here (see [`pack`]: its SHA-1 is faster than libgit2's collision-detecting
/// one), and only the objects `repo` lacks go to its object database: a change renders the whole
/// project twice, and most of both renders is stored already.
pub fn write_tree(repo: &Repository, render: &RenderedTree) -> Result<Oid, git2::Error> {
    let mut objects = Pack::default();
    let tree = objects.add_tree(&render.files);
    let odb = repo.odb()?;
    for (id, kind, data) in objects.iter() {
        if !odb.exists_ext(id, OdbLookupFlags::NO_REFRESH) {
            odb.write(kind.object_type(), data)?;
        }
    }
    Ok(tree)
}

/// The id of a blob holding `bytes`, computed without storing it.
pub fn blob_id(bytes: &[u8]) -> Oid {
    pack::oid(pack::object_id(Kind::Blob, bytes))
}

/// The objects a change adds to a repository: computed in an object database that keeps them
/// in memory (see [`crate::change`]), then written together as one pack by the hand-written
/// writer of [`pack`] (which says why not libgit2's), where libgit2 would write each as a loose
/// file (a temporary file, a fan-out directory, a rename). Only objects the repository lacks
/// are kept.
pub struct NewObjects<'r> {
    /// The repository's own object database, on disk.
    disk: Odb<'r>,
    /// Its `objects` directory (shared by every worktree of the repository).
    objects_dir: PathBuf,
    pack: Pack<'static>,
}

impl<'r> NewObjects<'r> {
    /// Collects objects for `repo`.
    pub fn new(repo: &'r Repository) -> Result<Self, git2::Error> {
        Ok(Self {
            disk: repo.odb()?,
            objects_dir: repo.commondir().join("objects"),
            pack: Pack::default(),
        })
    }

    /// Whether the repository holds `id` already. Without a refresh: libgit2 would rescan the
    /// pack directory for every object it misses, and a pack written since the repository was
    /// opened only means an object is stored twice.
    fn on_disk(&self, id: Oid) -> bool {
        self.disk.exists_ext(id, OdbLookupFlags::NO_REFRESH)
    }

    /// Adds the tree `id` and everything below it that the repository lacks, read from `from`.
    /// A tree the repository holds is skipped whole: git never stores a tree without its entries.
    pub fn add_tree(&mut self, from: &Repository, id: Oid) -> Result<(), git2::Error> {
        if self.on_disk(id) {
            return Ok(());
        }
        let odb = from.odb()?;
        let mut pending = vec![id];
        while let Some(id) = pending.pop() {
            for entry in &from.find_tree(id)? {
                let id = entry.id();
                match entry.kind() {
                    Some(ObjectType::Tree) if !self.on_disk(id) => pending.push(id),
                    Some(ObjectType::Blob) if !self.on_disk(id) => {
                        let blob = odb.read(id)?;
                        self.pack.add(Kind::Blob, Cow::Owned(blob.data().to_vec()));
                    }
                    // Gitlinks name commits of other repositories; the rest is stored already.
                    _ => {}
                }
            }
            let tree = odb.read(id)?;
            self.pack.add(Kind::Tree, Cow::Owned(tree.data().to_vec()));
        }
        Ok(())
    }

    /// Adds the blob `id`, read from `from`, unless the repository holds it.
    pub fn add_from(&mut self, from: &Repository, id: Oid) -> Result<(), git2::Error> {
        if !self.on_disk(id) {
            let odb = from.odb()?;
            let blob = odb.read(id)?;
            self.pack.add(Kind::Blob, Cow::Owned(blob.data().to_vec()));
        }
        Ok(())
    }

    /// Adds `bytes` as a blob unless the repository holds it.
    pub fn add_blob(&mut self, bytes: &[u8]) {
        if !self.on_disk(blob_id(bytes)) {
            self.pack.add(Kind::Blob, Cow::Owned(bytes.to_vec()));
        }
    }

    /// Adds a render commit of `tree` on `parent`, by the user (or omnistack), as
    /// [`commit_render`] makes one; returns its id.
    pub fn add_render_commit(
        &mut self,
        repo: &Repository,
        tree: Oid,
        parent: Option<Oid>,
        message: &str,
    ) -> Result<Oid, git2::Error> {
        let author = signature(repo)?;
        let parents: Vec<Oid> = parent.into_iter().collect();
        Ok(self.pack.add_commit(tree, &parents, &author, message))
    }

    /// Writes the objects as one pack into the repository; the pack is removed again when the
    /// returned guard is dropped without [`WrittenPack::keep`].
    pub fn write(&self) -> Result<WrittenPack, io::Error> {
        if self.pack.is_empty() {
            return Ok(WrittenPack { files: Vec::new() });
        }
        let files = self.pack.write(&self.pack_dir())?;
        Ok(WrittenPack { files })
    }

    /// Where [`NewObjects::write`] writes.
    pub fn pack_dir(&self) -> PathBuf {
        self.objects_dir.join("pack")
    }
}

/// A pack [`NewObjects::write`] wrote, removed on drop unless kept, so that a change that fails
/// after writing it leaves `.git` as it was.
#[must_use]
pub struct WrittenPack {
    files: Vec<PathBuf>,
}

impl WrittenPack {
    /// Keeps the pack: the change that needs it succeeded.
    pub fn keep(mut self) {
        self.files.clear();
    }
}

impl Drop for WrittenPack {
    fn drop(&mut self) {
        // Best effort, like the rest of a rollback: the error that caused it is the one reported.
        for file in self.files.iter().rev() {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// The commit the pristine ref points at, if the project has one.
pub fn pristine(repo: &Repository) -> Result<Option<Commit<'_>>, git2::Error> {
    match repo.find_reference(PRISTINE_REF) {
        Ok(reference) => Ok(Some(reference.peel_to_commit()?)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Records `tree` as the new pristine render, on top of the previous one when there is one.
pub fn commit_pristine(
    repo: &Repository,
    tree: Oid,
    parent: Option<&Commit<'_>>,
    message: &str,
) -> Result<Oid, git2::Error> {
    let commit = commit_render(repo, tree, parent, message)?;
    set_pristine(repo, commit, message)?;
    Ok(commit)
}

/// Commits `tree` as a render on top of `parent`, moving no ref.
pub fn commit_render(
    repo: &Repository,
    tree: Oid,
    parent: Option<&Commit<'_>>,
    message: &str,
) -> Result<Oid, git2::Error> {
    let tree = repo.find_tree(tree)?;
    let author = signature(repo)?;
    let parents: Vec<&Commit<'_>> = parent.into_iter().collect();
    repo.commit(None, &author, &author, message, &tree, &parents)
}

/// Points the pristine ref at the render `commit`.
pub fn set_pristine(repo: &Repository, commit: Oid, message: &str) -> Result<(), git2::Error> {
    repo.reference(PRISTINE_REF, commit, true, message)
        .map(drop)
}

/// The message of a render commit of `tree` whose subject is `subject`, with its trailers.
pub fn render_message(subject: &str, tree: Oid) -> String {
    format!(
        "{subject}\n\n{RENDER_TRAILER}: {}\n{TREE_TRAILER}: {tree}\n",
        crate::VERSION
    )
}

/// The subject of the render commit of the change `what`.
pub fn change_subject(what: &str) -> String {
    format!("omnistack {}: {what}", crate::VERSION)
}

/// The omnistack version that made `commit`, if it is a render commit: marked by the trailer
/// (and holding the tree its tree trailer names, when it has one: renders made before that
/// trailer do not), or the initial commit of a project made before the trailer.
pub fn render_version(commit: &Commit<'_>) -> Option<String> {
    let message = commit.message().ok()?;
    if let Ok(trailers) = git2::message_trailers_strs(message)
        && let Some((_, version)) = trailers.iter().find(|(key, _)| *key == RENDER_TRAILER)
    {
        let tree = trailers.iter().find(|(key, _)| *key == TREE_TRAILER);
        let own_tree = tree.is_none_or(|(_, tree)| *tree == commit.tree_id().to_string());
        return own_tree.then(|| version.to_string());
    }
    let legacy = message
        .lines()
        .next()?
        .strip_prefix(LEGACY_INITIAL_SUBJECT)?;
    (commit.parent_count() == 0).then(|| legacy.trim().to_string())
}

/// Leaves the repository as `git merge --no-commit <render>` would: `render` as `MERGE_HEAD`
/// and `message` as the message `git commit` offers. The user's commit then records `render`
/// as its second parent, and `git merge --abort` undoes the change.
///
/// On failure nothing is left: a stray MERGE_MSG would become the message of the user's next
/// `git commit`.
pub fn begin_merge(repo: &Repository, render: Oid, message: &str) -> Result<(), std::io::Error> {
    let dir = repo.path();
    let written = std::fs::write(dir.join("MERGE_MSG"), message)
        .and_then(|()| std::fs::write(dir.join("MERGE_MODE"), "no-ff"))
        // Written last: its presence is what makes git see a merge in progress.
        .and_then(|()| std::fs::write(dir.join("MERGE_HEAD"), format!("{render}\n")));
    if written.is_err() {
        clear_merge(repo);
    }
    written
}

/// Removes what [`begin_merge`] writes, for a change that fails after it. Best effort, like
/// the rest of a rollback: the error that caused it is the one reported.
pub fn clear_merge(repo: &Repository) {
    for file in ["MERGE_HEAD", "MERGE_MSG", "MERGE_MODE"] {
        let _ = std::fs::remove_file(repo.path().join(file));
    }
}

/// The user's git identity when configured, else a neutral one (CI machines often have none).
fn signature(repo: &Repository) -> Result<Signature<'static>, git2::Error> {
    repo.signature()
        .or_else(|_| Signature::now("omnistack", "omnistack@localhost"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// A small project, with names that sort differently as strings and as git tree entries
    /// ("a/" after "a.txt"), a directory nested three deep and two identical files.
    fn render() -> RenderedTree {
        let files: BTreeMap<String, Vec<u8>> = [
            ("README.md", "# demo\n"),
            ("Cargo.toml", "[package]\nname = \"demo\"\n"),
            (".github/workflows/ci.yml", "on: push\n"),
            ("a.txt", "a\n"),
            ("a/x", "x\n"),
            ("a-b/y", "y\n"),
            ("src/main.rs", "fn main() {}\n"),
            ("src/routes/health/mod.rs", "//! Health.\n"),
            ("migrations/.gitkeep", ""),
            ("docs/.gitkeep", ""),
        ]
        .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
        .into();
        RenderedTree { files }
    }

    fn fresh_repo(dir: &Path) -> Repository {
        let mut options = RepositoryInitOptions::new();
        options.initial_head(DEFAULT_BRANCH);
        Repository::init_opts(dir, &options).unwrap()
    }

    /// Files under `objects/` outside `pack/` and `info/`: loose objects.
    fn loose_objects(repo: &Repository) -> Vec<String> {
        let mut loose = Vec::new();
        for fanout in std::fs::read_dir(repo.path().join("objects")).unwrap() {
            let fanout = fanout.unwrap();
            let name = fanout.file_name().to_string_lossy().into_owned();
            if name != "pack" && name != "info" {
                for object in std::fs::read_dir(fanout.path()).unwrap() {
                    let object = object.unwrap().file_name().to_string_lossy().into_owned();
                    loose.push(format!("{name}/{object}"));
                }
            }
        }
        loose
    }

    #[test]
    fn the_first_commit_of_a_fixed_render_by_a_fixed_author_has_a_pinned_id() {
        // Pinned with the hand-written pack writer (2b309d6), before libgit2 wrote the pack: a
        // change of writer must not change a single object. `git add -A`, `git write-tree` and
        // `git commit-tree -m "Initial commit"` with the same files, author and dates agree.
        let tmp = tempfile::tempdir().unwrap();
        let repo = fresh_repo(tmp.path());
        let author = Signature::new(
            "A U Thor",
            "author@example.com",
            &git2::Time::new(1_800_000_000, -90),
        )
        .unwrap();

        let commit =
            commit_initial(&repo, &render(), &author, |_| "Initial commit\n".into()).unwrap();

        let commit = repo.find_commit(commit).unwrap();
        assert_eq!(
            commit.tree_id().to_string(),
            "6c573d1cc2814ecaa8d74ec5ea4cbb8a464294ea"
        );
        assert_eq!(
            commit.id().to_string(),
            "c75972ec2cfe6dd33a7f0f8205bb7ac0ebfefb70"
        );
    }

    #[test]
    fn the_first_commit_holds_the_tree_write_tree_builds_from_the_same_render() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = fresh_repo(tmp.path());
        let author = Signature::now("A U Thor", "author@example.com").unwrap();

        let commit =
            commit_initial(&repo, &render(), &author, |_| "Initial commit\n".into()).unwrap();

        let elsewhere = tempfile::tempdir().unwrap();
        let other = Repository::init(elsewhere.path()).unwrap();
        let tree = write_tree(&other, &render()).unwrap();
        assert_eq!(repo.find_commit(commit).unwrap().tree_id(), tree);
        // Every object is stored, not only hashed.
        let tree = other.find_tree(tree).unwrap();
        for (path, bytes) in &render().files {
            let blob = tree.get_path(Path::new(path)).unwrap().to_object(&other);
            assert_eq!(blob.unwrap().as_blob().unwrap().content(), bytes, "{path}");
        }
    }

    #[test]
    fn the_first_commit_records_the_stat_data_of_each_file_in_the_index() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = fresh_repo(tmp.path());
        for (path, bytes) in &render().files {
            let file = tmp.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, bytes).unwrap();
        }
        let author = Signature::now("A U Thor", "author@example.com").unwrap();

        commit_initial(&repo, &render(), &author, |_| "Initial commit\n".into()).unwrap();

        let index = repo.index().unwrap();
        for entry in index.iter() {
            let path = String::from_utf8(entry.path.clone()).unwrap();
            let meta = std::fs::metadata(tmp.path().join(&path)).unwrap();
            assert_eq!(u64::from(entry.file_size), meta.len(), "{path}");
            assert_ne!(entry.mtime.seconds(), 0, "{path}");
        }
        assert_eq!(repo.statuses(None).unwrap().len(), 0);
    }

    #[test]
    fn the_first_commit_is_written_as_one_pack_and_no_loose_object() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = fresh_repo(tmp.path());
        let author = Signature::now("A U Thor", "author@example.com").unwrap();

        commit_initial(&repo, &render(), &author, |_| "Initial commit\n".into()).unwrap();

        assert_eq!(loose_objects(&repo), Vec::<String>::new());
        let packs: Vec<_> = std::fs::read_dir(repo.path().join("objects/pack"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".pack"))
            .collect();
        assert_eq!(packs.len(), 1, "{packs:?}");
    }
}
