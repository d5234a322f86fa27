//! A conflict on a file the user renamed lands, as one conflict with markers, under the new name.

mod change_support;

use std::fs;
use std::path::Path;

use change_support::{
    CONFLICTS, catalogue, commit_all, defaults, generate, git, omnistack, stamp_older_version,
    status,
};
use predicates::prelude::*;
use tempfile::TempDir;

const HEALTH: &str = "src/routes/health.rs";
const PROBES: &str = "src/routes/probes.rs";
/// The line of `health.rs` that the "older release" rendered differently.
const CHANGED: &str = "const CHECK_TIMEOUT: Duration = Duration::from_secs(2);";

/// A project whose pristine render came from an older release with another `CHANGED` line, in
/// which the user renamed `health.rs` to `probes.rs` and edited that same line.
fn renamed_and_edited(tmp: &TempDir) -> std::path::PathBuf {
    let project = generate(tmp.path(), &defaults(&catalogue()));
    let current = fs::read_to_string(project.join(HEALTH)).unwrap();
    assert!(
        current.contains(CHANGED),
        "health.rs still holds the line this test edits"
    );
    replace(
        &project.join(HEALTH),
        CHANGED,
        "const CHECK_TIMEOUT: Duration = Duration::from_secs(5);",
    );
    stamp_older_version(&project);
    commit_all(&project, "the older release's render");
    git(&project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);
    git(&project, &["mv", HEALTH, PROBES]);
    replace(
        &project.join(PROBES),
        "Duration::from_secs(5)",
        "Duration::from_secs(10)",
    );
    commit_all(&project, "probes, with a longer timeout");
    project
}

fn replace(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} holds {from}", file.display());
    fs::write(file, text.replace(from, to)).unwrap();
}

#[test]
fn an_update_conflicting_with_an_edit_in_a_renamed_file_is_one_conflict_in_the_renamed_file() {
    let tmp = TempDir::new().unwrap();
    let project = renamed_and_edited(&tmp);

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .code(CONFLICTS)
        .stdout(predicate::str::contains(format!(
            "conflict  {PROBES} (renamed from {HEALTH})"
        )))
        .stderr(predicate::str::contains(format!("1 file(s): {PROBES}")));

    let merged = fs::read_to_string(project.join(PROBES)).unwrap();
    assert!(merged.contains("<<<<<<< HEAD"), "{merged}");
    assert!(
        merged.contains("Duration::from_secs(10)"),
        "the user's side: {merged}"
    );
    assert!(merged.contains(CHANGED), "omnistack's side: {merged}");
    assert!(merged.contains(">>>>>>> omnistack"), "{merged}");
    assert!(
        !project.join(HEALTH).exists(),
        "the old name is not recreated"
    );
}

#[test]
fn the_index_records_the_renamed_conflict_in_three_stages_under_the_new_name() {
    let tmp = TempDir::new().unwrap();
    let project = renamed_and_edited(&tmp);

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .code(CONFLICTS);

    let stages: Vec<String> = git(&project, &["ls-files", "--stage", "src/routes"])
        .lines()
        .filter(|l| l.contains("probes.rs") || l.contains("health.rs"))
        .map(|l| {
            let (meta, path) = l.split_once('\t').unwrap();
            format!("{} {path}", meta.rsplit(' ').next().unwrap())
        })
        .collect();
    assert_eq!(
        stages,
        [
            format!("1 {PROBES}"),
            format!("2 {PROBES}"),
            format!("3 {PROBES}")
        ]
    );
    assert!(
        status(&project).contains(&format!("UU {PROBES}")),
        "{:?}",
        status(&project)
    );
}

#[test]
fn a_file_the_update_renames_that_the_user_edited_conflicts_once_under_the_new_name() {
    const CHECKS: &str = "src/routes/checks.rs";
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    // The older release named the file checks.rs and had another timeout.
    git(&project, &["mv", HEALTH, CHECKS]);
    replace(
        &project.join(CHECKS),
        CHANGED,
        "const CHECK_TIMEOUT: Duration = Duration::from_secs(5);",
    );
    stamp_older_version(&project);
    commit_all(&project, "the older release's render");
    git(&project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);
    replace(
        &project.join(CHECKS),
        "Duration::from_secs(5)",
        "Duration::from_secs(10)",
    );
    commit_all(&project, "a longer timeout");

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .code(CONFLICTS)
        .stderr(predicate::str::contains(format!("1 file(s): {HEALTH}")));

    let merged = fs::read_to_string(project.join(HEALTH)).unwrap();
    assert!(
        merged.contains("Duration::from_secs(10)") && merged.contains(CHANGED),
        "{merged}"
    );
    assert!(
        !project.join(CHECKS).exists(),
        "the old name is gone, as after `git merge`"
    );
    assert!(
        status(&project).contains(&format!("UU {HEALTH}")),
        "{:?}",
        status(&project)
    );
}
