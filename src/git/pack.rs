//! Objects built in memory and written as one packfile: a new project's first commit, and the
//! objects a change adds (its render's new blobs and trees, merged files, the render commit).
//!
//! libgit2 stores every new object as a loose file, most of them in a directory of their own,
//! and creating those ~190 files and ~150 directories was most of the time `new` took. A pack
//! and its index are two files, and need one hash and one compression per object. Written by
//! hand because libgit2's own route (a mempack backend dumped through the ODB's pack writer,
//! tried in 3f6afed) hashes each object several times with its collision-detecting SHA-1,
//! searches for deltas on two threads and re-inflates the pack to index it: 3.4 times the
//! instructions of this writer and about 35 ms more CPU for the full preset (BENCHMARKS.md).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use git2::{Oid, Signature};

/// An object id: a SHA-1, as the pack's index sorts them.
pub type Id = [u8; 20];

/// The types of object a commit holds, numbered as the pack format numbers them.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Commit = 1,
    Tree = 2,
    Blob = 3,
}

impl Kind {
    /// The type as libgit2 names it.
    pub fn object_type(self) -> git2::ObjectType {
        match self {
            Kind::Commit => git2::ObjectType::Commit,
            Kind::Tree => git2::ObjectType::Tree,
            Kind::Blob => git2::ObjectType::Blob,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Tree => "tree",
            Kind::Blob => "blob",
        }
    }
}

/// Objects collected for one pack, by id: sorted as the index needs them, duplicates stored once.
#[derive(Debug, Default)]
pub struct Pack<'a> {
    objects: BTreeMap<Id, (Kind, Cow<'a, [u8]>)>,
}

impl<'a> Pack<'a> {
    /// Adds every file as a blob, and the trees that hold them; returns the root tree's id.
    ///
    /// Every file gets mode 100644, as [`super::write_tree`] gives them, so both build the same
    /// tree from the same render.
    pub fn add_tree(&mut self, files: &'a BTreeMap<String, Vec<u8>>) -> Oid {
        let mut root = Dir::default();
        for (path, bytes) in files {
            let id = self.add(Kind::Blob, Cow::Borrowed(bytes));
            let mut dir = &mut root;
            let mut parts = path.split('/').peekable();
            while let Some(part) = parts.next() {
                if parts.peek().is_none() {
                    dir.files.push((part, id));
                } else {
                    dir = dir.dirs.entry(part).or_default();
                }
            }
        }
        oid(self.add_dir(&root))
    }

    /// Adds a commit of `tree` on `parents` by `author` (also its committer); returns its id.
    pub fn add_commit(
        &mut self,
        tree: Oid,
        parents: &[Oid],
        author: &Signature<'_>,
        message: &str,
    ) -> Oid {
        let mut text = format!("tree {tree}\n").into_bytes();
        for parent in parents {
            text.extend_from_slice(format!("parent {parent}\n").as_bytes());
        }
        for header in ["author", "committer"] {
            text.extend_from_slice(header.as_bytes());
            text.push(b' ');
            text.extend_from_slice(author.name_bytes());
            text.extend_from_slice(b" <");
            text.extend_from_slice(author.email_bytes());
            text.extend_from_slice(b"> ");
            text.extend_from_slice(timestamp(author).as_bytes());
            text.push(b'\n');
        }
        text.push(b'\n');
        text.extend_from_slice(message.as_bytes());
        oid(self.add(Kind::Commit, Cow::Owned(text)))
    }

    /// Every object: its id, type and content.
    pub fn iter(&self) -> impl Iterator<Item = (Oid, Kind, &[u8])> {
        self.objects
            .iter()
            .map(|(id, (kind, data))| (oid(*id), *kind, data.as_ref()))
    }

    /// Whether the pack holds no object.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Writes the pack and its index into `pack_dir` (a repository's `objects/pack`); returns
    /// the files it created. A pack of the same name holds the same objects (the name is the
    /// pack's checksum), so one already there is kept, and not returned.
    pub fn write(&self, pack_dir: &Path) -> io::Result<Vec<PathBuf>> {
        let count = u32::try_from(self.objects.len()).map_err(|_| too_large())?;
        let mut pack = Vec::with_capacity(
            self.objects
                .values()
                .map(|(_, data)| data.len())
                .sum::<usize>()
                / 2,
        );
        pack.extend_from_slice(b"PACK");
        pack.extend_from_slice(&2u32.to_be_bytes());
        pack.extend_from_slice(&count.to_be_bytes());
        // Written in id order, so each entry's offset and CRC line up with the index's ids.
        let mut entries = Vec::with_capacity(self.objects.len());
        // The fastest level, as libgit2 writes loose objects: a tenth larger than the default
        // level, at two thirds of its cost.
        let mut deflate = Compress::new(Compression::fast(), true);
        for (kind, data) in self.objects.values() {
            let offset = u32::try_from(pack.len())
                .ok()
                .filter(|offset| offset >> 31 == 0)
                .ok_or_else(too_large)?;
            push_entry_header(&mut pack, *kind, data.len());
            deflate.reset();
            compress_into(&mut deflate, data, &mut pack)?;
            let mut crc = Crc::new();
            crc.update(&pack[offset as usize..]);
            entries.push((offset, crc.sum()));
        }
        let checksum = sha1(&[&pack]);
        pack.extend_from_slice(&checksum);

        let mut index = Vec::with_capacity(8 + 256 * 4 + entries.len() * 28 + 40);
        index.extend_from_slice(b"\xfftOc");
        index.extend_from_slice(&2u32.to_be_bytes());
        let mut fanout = [0u32; 256];
        for id in self.objects.keys() {
            fanout[usize::from(id[0])] += 1;
        }
        let mut below = 0;
        for n in fanout {
            below += n;
            index.extend_from_slice(&below.to_be_bytes());
        }
        for id in self.objects.keys() {
            index.extend_from_slice(id);
        }
        for (_, crc) in &entries {
            index.extend_from_slice(&crc.to_be_bytes());
        }
        for (offset, _) in &entries {
            index.extend_from_slice(&offset.to_be_bytes());
        }
        index.extend_from_slice(&checksum);
        let index_checksum = sha1(&[&index]);
        index.extend_from_slice(&index_checksum);

        // The pack first: a pack without its index is ignored, an index without its pack is not.
        let name = format!("pack-{}", oid(checksum));
        let mut created = Vec::with_capacity(2);
        for (extension, bytes) in [("pack", &pack), ("idx", &index)] {
            let path = pack_dir.join(format!("{name}.{extension}"));
            match write_read_only(&path, bytes) {
                Ok(()) => created.push(path),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    for path in &created {
                        let _ = fs::remove_file(path);
                    }
                    return Err(e);
                }
            }
        }
        Ok(created)
    }

    /// Adds an object; returns its id.
    pub fn add(&mut self, kind: Kind, data: Cow<'a, [u8]>) -> Id {
        let id = object_id(kind, &data);
        self.objects.entry(id).or_insert((kind, data));
        id
    }

    fn add_dir(&mut self, dir: &Dir<'_>) -> Id {
        // Git orders a tree's entries by name, a directory's name compared as if it ended in '/'.
        let mut entries: Vec<(Cow<'_, str>, &str, Id)> = dir
            .files
            .iter()
            .map(|&(name, id)| (Cow::Borrowed(name), "100644", id))
            .collect();
        for (name, sub) in &dir.dirs {
            entries.push((Cow::Owned(format!("{name}/")), "40000", self.add_dir(sub)));
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut text = Vec::new();
        for (name, mode, id) in &entries {
            text.extend_from_slice(mode.as_bytes());
            text.push(b' ');
            text.extend_from_slice(name.trim_end_matches('/').as_bytes());
            text.push(0);
            text.extend_from_slice(id);
        }
        self.add(Kind::Tree, Cow::Owned(text))
    }
}

/// One directory of the tree being built: its files and its subdirectories, by name.
#[derive(Debug, Default)]
struct Dir<'p> {
    files: Vec<(&'p str, Id)>,
    dirs: BTreeMap<&'p str, Dir<'p>>,
}

/// The id git gives an object of `kind` holding `data`.
pub fn object_id(kind: Kind, data: &[u8]) -> Id {
    let header = format!("{} {}\0", kind.name(), data.len());
    sha1(&[header.as_bytes(), data])
}

/// The [`Oid`] of an id.
pub fn oid(id: Id) -> Oid {
    Oid::from_bytes(&id).expect("a SHA-1 is 20 bytes, the length of an Oid")
}

/// SHA-1 without collision detection: these are omnistack's own objects, and the `sha1` crate
/// uses the CPU's SHA instructions where there are some (a third of the time of `sha1_smol`,
/// which rendered projects are hashed with twice per change).
fn sha1(parts: &[&[u8]]) -> Id {
    use sha1::Digest as _;
    let mut hasher = sha1::Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Seconds since the epoch and the UTC offset, as a commit's author line carries them.
fn timestamp(signature: &Signature<'_>) -> String {
    let when = signature.when();
    let offset = when.offset_minutes();
    let sign = if offset < 0 || when.sign() == '-' {
        '-'
    } else {
        '+'
    };
    let offset = offset.unsigned_abs();
    format!(
        "{} {sign}{:02}{:02}",
        when.seconds(),
        offset / 60,
        offset % 60
    )
}

/// An entry's header: its type, then its inflated size, seven bits a byte, low bits first.
fn push_entry_header(pack: &mut Vec<u8>, kind: Kind, size: usize) {
    let mut byte = ((kind as u8) << 4) | (size & 0x0f) as u8;
    let mut rest = size >> 4;
    while rest != 0 {
        pack.push(byte | 0x80);
        byte = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    pack.push(byte);
}

fn compress_into(deflate: &mut Compress, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    let start = deflate.total_in();
    loop {
        // zlib's worst case is a little over the input's size.
        out.reserve(data.len() / 2 + 64);
        let consumed = usize::try_from(deflate.total_in() - start).map_err(|_| too_large())?;
        match deflate.compress_vec(&data[consumed..], out, FlushCompress::Finish)? {
            Status::StreamEnd => return Ok(()),
            Status::Ok | Status::BufError => {}
        }
    }
}

fn write_read_only(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // As git leaves them: packs are never modified in place.
        options.mode(0o444);
    }
    options.open(path)?.write_all(bytes)
}

fn too_large() -> io::Error {
    io::Error::other("the project is too large for a single packfile")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[&str]) -> BTreeMap<String, Vec<u8>> {
        paths
            .iter()
            .map(|path| {
                (
                    path.to_string(),
                    format!("contents of {path}\n").into_bytes(),
                )
            })
            .collect()
    }

    #[test]
    fn builds_the_tree_libgit2_builds_from_the_same_files() {
        // Names that sort differently as plain strings and as git tree entries ("a/" > "a.txt").
        let files = files(&[
            "a.txt",
            "a/x",
            "a-b/y",
            "ab",
            "b/c/d",
            "b/c.rs",
            ".github/ci.yml",
        ]);
        let tmp = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(tmp.path()).unwrap();
        let mut index = git2::Index::new().unwrap();
        for (path, bytes) in &files {
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100_644,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: repo.blob(bytes).unwrap(),
                flags: u16::try_from(path.len()).unwrap(),
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }

        let ours = Pack::default().add_tree(&files);

        assert_eq!(ours, index.write_tree_to(&repo).unwrap());
    }

    #[test]
    fn stores_identical_files_once() {
        let files: BTreeMap<String, Vec<u8>> = [("a/.gitkeep", ""), ("b/.gitkeep", "")]
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec()))
            .into();
        let mut pack = Pack::default();
        pack.add_tree(&files);
        // One blob, the trees a/ and b/ (the same tree), and the root.
        assert_eq!(pack.objects.len(), 3);
    }

    #[test]
    fn writes_a_pack_libgit2_reads_back_object_for_object() {
        let files = files(&["README.md", "src/main.rs", "src/lib/mod.rs"]);
        let tmp = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(tmp.path()).unwrap();
        let author =
            Signature::new("A U Thor", "author@example.com", &git2::Time::new(1, -90)).unwrap();
        let mut pack = Pack::default();
        let tree = pack.add_tree(&files);
        let commit = pack.add_commit(tree, &[], &author, "Initial commit\n");

        pack.write(&repo.path().join("objects/pack")).unwrap();

        let commit = repo.find_commit(commit).unwrap();
        assert_eq!(commit.tree_id(), tree);
        assert_eq!(commit.author().to_string(), "A U Thor <author@example.com>");
        assert_eq!(commit.time().offset_minutes(), -90);
        let blob = commit
            .tree()
            .unwrap()
            .get_path(Path::new("src/lib/mod.rs"))
            .unwrap()
            .to_object(&repo)
            .unwrap();
        assert_eq!(
            blob.as_blob().unwrap().content(),
            b"contents of src/lib/mod.rs\n"
        );
    }
}
