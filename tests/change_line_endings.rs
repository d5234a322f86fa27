//! Files `add`, `remove` and `update` write pass through git's filters, as a checkout writes
//! them: CRLF in the working tree where `core.autocrlf` or `eol` attributes ask for it, LF blobs
//! in the index, and a clean `git status` for every file the change leaves alone.

mod change_support;

use std::fs;
use std::path::Path;

use change_support::{
    CONFLICTS, Scenario, catalogue, commit_all, defaults, generate, git, omnistack, replace_lines,
    status,
};
use tempfile::TempDir;

/// Whether every line of `bytes` ends with CRLF.
fn all_crlf(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.matches('\n').count() == text.matches("\r\n").count() && text.contains("\r\n")
}

/// Asserts the files the change wrote are CRLF on disk, LF in the index, and that `git status`
/// shows only staged changes.
fn assert_written_as_checkout(project: &Path, written: &[&str]) {
    for path in written {
        let on_disk = fs::read(project.join(path)).unwrap();
        assert!(
            all_crlf(&on_disk),
            "{path} has CRLF line endings in the working tree"
        );
        let staged = git(project, &["show", &format!(":{path}")]);
        assert!(
            !staged.contains('\r'),
            "{path} is staged with LF line endings"
        );
    }
    let lines = status(project);
    assert!(
        lines.iter().all(|l| l.as_bytes()[1] == b' '),
        "nothing but the staged change shows: {lines:?}"
    );
}

/// Leaves line endings to `core.autocrlf`: the generated `.gitattributes` (`eol=lf`) overrides
/// it, in git as in omnistack.
fn without_gitattributes(project: &Path) {
    fs::remove_file(project.join(".gitattributes")).unwrap();
    commit_all(project, "line endings as core.autocrlf says");
}

#[test]
fn with_core_autocrlf_the_files_written_have_crlf_and_the_index_lf() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    without_gitattributes(&project);
    git(&project, &["config", "core.autocrlf", "true"]);

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .success();

    assert_written_as_checkout(&project, &["fly.toml", "Makefile", "omnistack.toml"]);
}

#[test]
fn with_eol_crlf_attributes_the_files_written_have_crlf_and_the_index_lf() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    fs::write(project.join(".gitattributes"), "* text eol=crlf\n").unwrap();
    commit_all(&project, "CRLF in the working tree");

    omnistack(&project)
        .args(["add", "fly", "--yes"])
        .assert()
        .success();

    assert_written_as_checkout(&project, &["fly.toml", "Makefile", "omnistack.toml"]);
}

#[test]
fn with_core_autocrlf_a_conflicted_file_and_its_markers_have_crlf() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let hunk = scenario.hunks(&shared)[0];
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    without_gitattributes(&project);
    git(&project, &["config", "core.autocrlf", "true"]);
    replace_lines(&project.join(&shared), hunk, "USER REWRITE");
    commit_all(&project, "user edits");

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .code(CONFLICTS);

    let merged = fs::read(project.join(&shared)).unwrap();
    assert!(String::from_utf8_lossy(&merged).contains("<<<<<<< HEAD"));
    assert!(
        all_crlf(&merged),
        "the conflicted file has CRLF line endings"
    );
}
