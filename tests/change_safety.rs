//! What `add`, `remove` and `update` refuse to write, and how they fail: never through a
//! symbolic link, never over a file git does not track, never half-way; submodules left alone.

mod change_support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use change_support::{
    catalogue, commit_all, defaults, differing, files, generate, git, omnistack, status,
};
use predicates::prelude::*;
use tempfile::TempDir;

/// A project of the default answers, generated as `tmp/app`.
fn project(tmp: &TempDir) -> PathBuf {
    generate(tmp.path(), &defaults(&catalogue()))
}

/// Everything that must be exactly as before a refused or failed change.
struct Snapshot {
    files: std::collections::BTreeMap<String, Vec<u8>>,
    status: Vec<String>,
    index: String,
    pristine: String,
    /// The packs in `.git/objects/pack`: a failed change removes the one it wrote.
    packs: Vec<String>,
}

fn snapshot(project: &Path) -> Snapshot {
    Snapshot {
        files: files(project),
        status: status(project),
        index: git(project, &["ls-files", "--stage"]),
        pristine: git(project, &["rev-parse", "refs/omnistack/pristine"]),
        packs: fs::read_dir(project.join(".git/objects/pack"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect(),
    }
}

/// Asserts that nothing of `before` changed, naming what did.
fn assert_unchanged(project: &Path, before: &Snapshot) {
    let after = snapshot(project);
    assert_eq!(
        differing(&after.files, &before.files),
        Vec::<String>::new(),
        "working tree"
    );
    assert_eq!(after.status, before.status, "git status");
    assert!(after.index == before.index, "the index changed");
    assert_eq!(after.pristine, before.pristine, "refs/omnistack/pristine");
    assert_eq!(after.packs, before.packs, ".git/objects/pack");
}

/// Paths below `dir` (`.git` included) that look like omnistack's temporary files.
fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with(".omnistack-") || name.starts_with("omnistack-checkout-") {
            out.push(path.clone());
        }
        if fs::symlink_metadata(&path).unwrap().is_dir() {
            out.extend(leftovers(&path));
        }
    }
    out
}

#[test]
fn a_tracked_link_to_a_file_outside_the_repository_is_refused_and_its_target_untouched() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let shared = tmp.path().join("shared");
    fs::create_dir(&shared).unwrap();
    fs::write(shared.join("env.example"), "SHARED=1\n").unwrap();
    fs::remove_file(project.join(".env.example")).unwrap();
    symlink("../shared/env.example", project.join(".env.example")).unwrap();
    commit_all(&project, "share .env.example");
    let before = snapshot(&project);

    omnistack(&project)
        .args(["add", "stripe", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("symbolic link"))
        .stderr(predicate::str::contains(".env.example"));

    assert_eq!(
        fs::read_to_string(shared.join("env.example")).unwrap(),
        "SHARED=1\n"
    );
    assert_unchanged(&project, &before);
}

#[test]
fn a_tracked_link_inside_the_repository_never_receives_the_change() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    fs::create_dir_all(project.join("docs")).unwrap();
    fs::rename(project.join("README.md"), project.join("docs/readme.md")).unwrap();
    symlink("docs/readme.md", project.join("README.md")).unwrap();
    commit_all(&project, "README.md links to the docs");
    let target = fs::read(project.join("docs/readme.md")).unwrap();
    let before = snapshot(&project);

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("README.md"));

    assert_eq!(fs::read(project.join("docs/readme.md")).unwrap(), target);
    assert_unchanged(&project, &before);
}

#[test]
fn a_directory_that_is_a_link_is_never_written_through() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let outside = tmp.path().join("outside-templates");
    fs::create_dir(&outside).unwrap();
    symlink("../outside-templates", project.join("templates")).unwrap();
    commit_all(&project, "templates live elsewhere");
    let before = snapshot(&project);

    omnistack(&project)
        .args(["add", "email", "--provider", "smtp", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("under the link templates"));

    assert_eq!(
        fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing written outside"
    );
    assert_unchanged(&project, &before);
}

#[test]
fn a_failure_after_the_files_are_written_puts_back_the_working_tree_the_index_and_the_ref() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = snapshot(&project);
    // git's own lock: the files are written, then recording them in the index fails.
    let lock = project.join(".git/index.lock");
    fs::write(&lock, "").unwrap();

    omnistack(&project)
        .args(["add", "stripe", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("index"));

    fs::remove_file(&lock).unwrap();
    assert_unchanged(&project, &before);
    assert_eq!(leftovers(&project), Vec::<PathBuf>::new());
}

#[test]
fn a_failure_recording_the_merge_state_leaves_the_ref_and_no_merge_message_behind() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = snapshot(&project);
    // MERGE_HEAD cannot be written: the last step of the change fails.
    let merge_head = project.join(".git/MERGE_HEAD");
    fs::create_dir(&merge_head).unwrap();

    omnistack(&project)
        .args(["add", "stripe", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot record the merge"));

    fs::remove_dir(&merge_head).unwrap();
    assert_unchanged(&project, &before);
    for leftover in ["MERGE_MSG", "MERGE_MODE"] {
        assert!(!project.join(".git").join(leftover).exists(), "{leftover}");
    }
}

#[test]
fn a_failure_moving_the_pristine_ref_leaves_no_merge_in_progress() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = snapshot(&project);
    // git's own lock on the ref: moving it, the last step of the change, fails.
    let lock = project.join(".git/refs/omnistack/pristine.lock");
    fs::write(&lock, "").unwrap();

    omnistack(&project)
        .args(["add", "stripe", "--yes"])
        .assert()
        .code(1);

    fs::remove_file(&lock).unwrap();
    assert_unchanged(&project, &before);
    for leftover in ["MERGE_HEAD", "MERGE_MSG", "MERGE_MODE"] {
        assert!(!project.join(".git").join(leftover).exists(), "{leftover}");
    }
}

#[test]
fn an_empty_directory_where_the_change_adds_a_file_is_refused_before_anything_is_written() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    // git does not see an empty directory, so the working tree is clean.
    fs::create_dir(project.join("fly.toml")).unwrap();
    let before = snapshot(&project);

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fly.toml (a directory)"));

    assert_unchanged(&project, &before);
    assert!(project.join("fly.toml").is_dir());
    assert_eq!(leftovers(&project), Vec::<PathBuf>::new());
}

#[test]
fn an_ignored_file_where_the_change_adds_one_is_refused_naming_it() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let mut ignore = fs::read_to_string(project.join(".gitignore")).unwrap();
    ignore.push_str("fly.toml\n");
    fs::write(project.join(".gitignore"), ignore).unwrap();
    commit_all(&project, "keep fly.toml local");
    fs::write(project.join("fly.toml"), "my own fly app\n").unwrap();
    let before = snapshot(&project);

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fly.toml (ignored)"));

    assert_eq!(
        fs::read_to_string(project.join("fly.toml")).unwrap(),
        "my own fly app\n"
    );
    assert_unchanged(&project, &before);
}

#[test]
fn an_untracked_file_where_the_change_adds_one_is_refused_even_with_allow_dirty() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    fs::write(project.join("fly.toml"), "my own fly app\n").unwrap();
    let before = snapshot(&project);

    omnistack(&project)
        .args(["add", "fly", "--yes", "--allow-dirty"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("fly.toml"));

    assert_eq!(
        fs::read_to_string(project.join("fly.toml")).unwrap(),
        "my own fly app\n"
    );
    assert_unchanged(&project, &before);
}

#[test]
fn a_gitlink_in_the_tree_is_left_alone() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let head = git(&project, &["rev-parse", "HEAD"]);
    let gitlink = format!("160000,{},vendor/lib", head.trim());
    git(
        &project,
        &["update-index", "--add", "--cacheinfo", &gitlink],
    );
    git(&project, &["commit", "-q", "-m", "vendor a library"]);
    // As `git clone` without `--recurse-submodules` leaves a submodule: an empty directory.
    fs::create_dir_all(project.join("vendor/lib")).unwrap();

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .success();

    assert_eq!(
        git(&project, &["ls-files", "--stage", "vendor/lib"]),
        format!("160000 {} 0\tvendor/lib\n", head.trim())
    );
    assert!(
        !status(&project).iter().any(|l| l.contains("vendor")),
        "{:?}",
        status(&project)
    );
    assert!(project.join("fly.toml").is_file());
}

#[test]
fn a_real_submodule_is_left_alone() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let library = tmp.path().join("library");
    fs::create_dir(&library).unwrap();
    git(&library, &["init", "-q"]);
    fs::write(library.join("lib.txt"), "a library\n").unwrap();
    commit_all(&library, "a library");
    git(
        &project,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            library.to_str().unwrap(),
            "vendor/lib",
        ],
    );
    git(&project, &["commit", "-q", "-m", "vendor a library"]);

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .success();

    assert_eq!(
        fs::read_to_string(project.join("vendor/lib/lib.txt")).unwrap(),
        "a library\n"
    );
    assert!(
        !status(&project).iter().any(|l| l.contains("vendor")),
        "{:?}",
        status(&project)
    );
}
