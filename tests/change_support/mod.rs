//! Helpers for the tests of `add`, `remove`, `update` and `adopt`: generated projects in temp
//! dirs, the git CLI as the user runs it, and answers built from the catalogue.

#![allow(dead_code)] // each test file uses its own part of these helpers

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process;

use assert_cmd::Command;
use omnistack::catalogue::{Catalogue, Kind, Module};

/// The exit code of a change that merged with conflicts.
pub const CONFLICTS: i32 = 3;

/// Chosen providers by module, as `omnistack.toml` records them.
pub type Selection = BTreeMap<String, Vec<String>>;

pub fn catalogue() -> Catalogue {
    Catalogue::embedded().expect("the embedded catalogue loads")
}

pub fn omnistack(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("omnistack").expect("the binary is built");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    for (key, value) in git_identity() {
        cmd.env(key, value);
    }
    cmd
}

fn git_identity() -> [(&'static str, &'static str); 5] {
    [
        ("GIT_AUTHOR_NAME", "Test User"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "Test User"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ("GIT_CONFIG_NOSYSTEM", "1"),
    ]
}

/// Runs git in `dir`, panicking with its stderr when it fails; returns stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .envs(git_identity())
        // A caller's git environment (a hook, a scripted index) must not redirect these repos.
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Commits everything in the working tree.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// Records an older omnistack in `omnistack.toml`: this omnistack cannot rebuild that release's
/// render, so a change takes it from the render commit the test records.
pub fn stamp_older_version(project: &Path) {
    let path = project.join("omnistack.toml");
    let current = format!("version = \"{}\"", env!("CARGO_PKG_VERSION"));
    let answers = fs::read_to_string(&path).unwrap();
    assert!(answers.contains(&current), "omnistack.toml holds {current}");
    fs::write(&path, answers.replace(&current, "version = \"0.0.1\"")).unwrap();
}

/// `git status --porcelain`, one line per path.
pub fn status(dir: &Path) -> Vec<String> {
    git(dir, &["status", "--porcelain"])
        .lines()
        .map(str::to_string)
        .collect()
}

/// The flags of `new` that choose exactly `selection`.
pub fn flags(catalogue: &Catalogue, selection: &Selection) -> Vec<String> {
    let mut out = vec!["--yes".to_string()];
    for module in &catalogue.modules {
        let chosen = selection.get(&module.name).cloned().unwrap_or_default();
        out.push(format!("--{}", module.name));
        out.push(if chosen.is_empty() {
            "none".to_string()
        } else {
            chosen.join(",")
        });
    }
    out
}

/// Generates the project `app` inside `parent` with exactly `selection`; returns its path.
pub fn generate(parent: &Path, selection: &Selection) -> PathBuf {
    fs::create_dir_all(parent).expect("parent dir");
    omnistack(parent)
        .args(["new", "app"])
        .args(flags(&catalogue(), selection))
        .assert()
        .success();
    parent.join("app")
}

/// Every module's default.
pub fn defaults(catalogue: &Catalogue) -> Selection {
    catalogue
        .modules
        .iter()
        .map(|m| (m.name.clone(), m.default.clone()))
        .collect()
}

/// `selection` with `provider` added to `module` (replacing a `one` module's provider).
pub fn with(module: &Module, selection: &Selection, provider: &str) -> Selection {
    let mut out = selection.clone();
    let current = out.entry(module.name.clone()).or_default();
    match module.kind {
        Kind::One => *current = vec![provider.to_string()],
        Kind::Many => {
            let mut set: Vec<String> = current.clone();
            set.push(provider.to_string());
            *current = module
                .providers
                .iter()
                .filter(|p| set.contains(&p.name))
                .map(|p| p.name.clone())
                .collect();
        }
    }
    out
}

/// `selection` without `provider` in `module`.
pub fn without(module: &Module, selection: &Selection, provider: &str) -> Selection {
    let mut out = selection.clone();
    out.entry(module.name.clone())
        .or_default()
        .retain(|p| p != provider);
    out
}

/// A selection of `module` that does not have `provider`, starting from the defaults: for a
/// `one` module another provider (or none when optional).
pub fn lacking(catalogue: &Catalogue, module: &Module, provider: &str) -> Selection {
    let mut out = without(module, &defaults(catalogue), provider);
    if module.kind == Kind::One && out[&module.name].is_empty() && !module.optional {
        if let Some(other) = module.providers.iter().find(|p| p.name != provider) {
            out.insert(module.name.clone(), vec![other.name.clone()]);
        } else {
            out.insert(module.name.clone(), vec![provider.to_string()]);
        }
    }
    out
}

/// Every file of the working tree, `.git` aside, with its bytes.
pub fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    collect(root, root, &mut out);
    out
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("dir entry").path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(relative, fs::read(&path).expect("readable file"));
        }
    }
}

/// The paths on which two trees differ (missing on one side, or different bytes).
pub fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut paths: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|p| a.get(*p) != b.get(*p))
        .cloned()
        .collect();
    paths.dedup();
    paths
}

/// The tree id a ref points at, in the project's repository.
pub fn tree_of(dir: &Path, reference: &str) -> String {
    git(dir, &["rev-parse", &format!("{reference}^{{tree}}")])
        .trim()
        .to_string()
}

/// A change of the catalogue to exercise merges with: a provider whose addition rewrites a
/// file that exists before (a shared file) and leaves another untouched.
pub struct Scenario {
    /// The module's name.
    pub module: String,
    /// The provider added.
    pub provider: String,
    /// The answers before.
    pub before: Selection,
    /// The rendered files before and after the addition.
    pub old: BTreeMap<String, Vec<u8>>,
    /// The rendered files after the addition.
    pub new: BTreeMap<String, Vec<u8>>,
}

impl Scenario {
    /// The first provider of the catalogue whose addition changes a shared text file.
    pub fn find() -> Self {
        let catalogue = catalogue();
        for module in &catalogue.modules {
            for provider in &module.providers {
                let before = lacking(&catalogue, module, &provider.name);
                let after = with(module, &before, &provider.name);
                let (old, new) = (render(&catalogue, &before), render(&catalogue, &after));
                let scenario = Self {
                    module: module.name.clone(),
                    provider: provider.name.clone(),
                    before,
                    old,
                    new,
                };
                if scenario.shared_file().is_some() {
                    return scenario;
                }
            }
        }
        panic!("no provider of the catalogue changes a shared file");
    }

    /// The `add` arguments of this scenario.
    pub fn add_args(&self) -> Vec<String> {
        vec![
            "add".into(),
            self.module.clone(),
            "--provider".into(),
            self.provider.clone(),
            "--yes".into(),
        ]
    }

    /// The arguments that undo [`Scenario::add_args`]: back to the previous provider of a
    /// `one` module, else `remove`.
    pub fn undo_args(&self) -> Vec<String> {
        let mut args = match self.before[&self.module].first() {
            Some(previous)
                if !self.before[&self.module].contains(&self.provider) && self.is_one() =>
            {
                vec![
                    "add".into(),
                    self.module.clone(),
                    "--provider".into(),
                    previous.clone(),
                ]
            }
            _ if self.is_one() => vec!["remove".into(), self.module.clone()],
            _ => vec![
                "remove".into(),
                self.module.clone(),
                "--provider".into(),
                self.provider.clone(),
            ],
        };
        args.push("--yes".into());
        args
    }

    fn is_one(&self) -> bool {
        catalogue()
            .module(&self.module)
            .is_some_and(|m| m.kind == Kind::One)
    }

    /// A text file, other than `omnistack.toml`, that the addition changes.
    pub fn shared_file(&self) -> Option<String> {
        self.old
            .iter()
            .filter(|(path, _)| *path != "omnistack.toml")
            .filter(|(path, bytes)| {
                self.new.get(*path).is_some_and(|new| new != *bytes)
                    && std::str::from_utf8(bytes).is_ok()
                    && quiet_line(bytes, &self.new[*path]).is_some()
            })
            .map(|(path, _)| path.clone())
            .next()
    }

    /// A file that the addition leaves as it is.
    pub fn untouched_file(&self) -> String {
        self.old
            .iter()
            .find(|(path, bytes)| self.new.get(*path) == Some(*bytes))
            .map(|(path, _)| path.clone())
            .expect("an addition leaves some file untouched")
    }

    /// The lines of `path` before, and the 0-based line ranges the addition changes.
    pub fn hunks(&self, path: &str) -> Vec<(usize, usize)> {
        hunks(&self.old[path], &self.new[path])
    }
}

fn render(catalogue: &Catalogue, selection: &Selection) -> BTreeMap<String, Vec<u8>> {
    let answers = omnistack::answers::Answers {
        name: omnistack::name::ProjectName::parse("app").expect("a valid name"),
        modules: selection.clone(),
        migrations: BTreeMap::new(),
        resources: Default::default(),
    };
    omnistack::generate(catalogue, &answers)
        .expect("renders")
        .files
}

/// The old-side line ranges (start, end exclusive, 0-based) of the hunks from `old` to `new`,
/// context lines included.
pub fn hunks(old: &[u8], new: &[u8]) -> Vec<(usize, usize)> {
    let patch = git2::Patch::from_buffers(old, None, new, None, None).expect("a diff");
    (0..patch.num_hunks())
        .map(|i| {
            let (hunk, _) = patch.hunk(i).expect("a hunk");
            let start = (hunk.old_start() as usize).saturating_sub(1);
            (start, start + hunk.old_lines() as usize)
        })
        .collect()
}

/// A line of `old`, at least four lines away from every change, where a user edit merges cleanly.
pub fn quiet_line(old: &[u8], new: &[u8]) -> Option<usize> {
    let lines = std::str::from_utf8(old).ok()?.lines().count();
    let hunks = hunks(old, new);
    (0..lines).find(|&line| {
        hunks
            .iter()
            .all(|&(start, end)| line + 4 < start || line >= end + 4)
    })
}

/// Inserts `text` as a new line after line `index` (0-based) of the file.
pub fn insert_line(file: &Path, index: usize, text: &str) {
    let content = fs::read_to_string(file).expect("a text file");
    let mut lines: Vec<&str> = content.lines().collect();
    lines.insert(index + 1, text);
    fs::write(file, lines.join("\n") + "\n").expect("writable");
}

/// Replaces lines `start..end` (0-based) of the file with `text`.
pub fn replace_lines(file: &Path, (start, end): (usize, usize), text: &str) {
    let content = fs::read_to_string(file).expect("a text file");
    let mut lines: Vec<&str> = content.lines().collect();
    let end = end.min(lines.len());
    lines.splice(start..end, [text]);
    fs::write(file, lines.join("\n") + "\n").expect("writable");
}

/// Every file below `root`, `.git` included, with its bytes: to prove nothing was written.
pub fn files_with_git(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = files(root);
    collect(root, &root.join(".git"), &mut out);
    out
}

/// omnistack's render of the answers the project's `omnistack.toml` records, migration
/// versions and resources included: what a change must leave when nobody edited the project.
pub fn recorded_render(project: &Path) -> BTreeMap<String, Vec<u8>> {
    let catalogue = catalogue();
    let recorded =
        omnistack::answers::AnswersFile::read(&catalogue, &project.join("omnistack.toml"))
            .expect("omnistack.toml reads");
    let name = recorded.name.expect("a recorded name");
    let mut answers =
        omnistack::answers::Answers::complete(&catalogue, name, &recorded.choices, |_| {
            Ok::<_, ()>(None)
        })
        .expect("complete answers");
    answers.migrations = recorded.migrations;
    answers.resources = recorded.resources;
    omnistack::generate(&catalogue, &answers)
        .expect("renders")
        .files
}

/// `files` with each migration's version left out of its name (`migrations/users.sql`), and
/// `omnistack.toml` without its `[migrations]` table: to compare projects whose module
/// migrations entered at different times.
pub fn without_migration_versions(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .map(|(path, bytes)| {
            let path = match path
                .strip_prefix("migrations/")
                .and_then(|f| f.split_once('_'))
            {
                Some((version, rest)) if version.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("migrations/{rest}")
                }
                _ => path.clone(),
            };
            let bytes = if path == "omnistack.toml" {
                let text = String::from_utf8_lossy(bytes);
                let kept = text.split("\n[migrations]\n").next().unwrap_or_default();
                format!("{}\n", kept.trim_end()).into_bytes()
            } else {
                bytes.clone()
            };
            (path, bytes)
        })
        .collect()
}

/// The index as git lists it (mode, blob, stage, path): to compare two repositories' indexes.
pub fn index(dir: &Path) -> String {
    git(dir, &["ls-files", "--stage"])
}
