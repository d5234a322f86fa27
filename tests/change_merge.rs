//! `add`, `remove` and `update` as three-way merges into a real git repository: the user's
//! edits survive, overlapping ones become conflicts, and nothing is committed.

mod change_support;

use std::fs;

use change_support::{
    CONFLICTS, Scenario, commit_all, generate, git, insert_line, omnistack, quiet_line,
    replace_lines, status, tree_of,
};
use predicates::prelude::*;
use tempfile::TempDir;

/// A generated project of the scenario's "before" answers, with the user's commit on top.
fn project_with_edits(
    tmp: &TempDir,
    scenario: &Scenario,
    edit: impl FnOnce(&std::path::Path),
) -> std::path::PathBuf {
    let project = generate(tmp.path(), &scenario.before);
    edit(&project);
    commit_all(&project, "user edits");
    project
}

#[test]
fn add_leaves_the_merge_staged_but_uncommitted_and_advances_the_pristine_ref() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |_| {});
    let head = git(&project, &["rev-parse", "HEAD"]);
    let pristine = git(&project, &["rev-parse", "refs/omnistack/pristine"]);

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success()
        .stdout(predicate::str::contains("not committed"))
        .stdout(predicate::str::contains(scenario.shared_file().unwrap()));

    assert_eq!(git(&project, &["rev-parse", "HEAD"]), head);
    assert!(!status(&project).is_empty());
    assert!(
        status(&project)
            .iter()
            .all(|line| line.starts_with(['M', 'A', 'D']) && line.as_bytes()[1] == b' '),
        "every change is staged: {:?}",
        status(&project)
    );
    assert_eq!(
        git(&project, &["rev-parse", "refs/omnistack/pristine^"]),
        pristine,
        "the new pristine render's parent is the old one"
    );
}

#[test]
fn a_user_edit_apart_from_the_module_change_in_the_same_file_is_kept() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let line = quiet_line(&scenario.old[&shared], &scenario.new[&shared]).unwrap();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        insert_line(&p.join(&shared), line, "USER EDIT")
    });

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    let merged = fs::read_to_string(project.join(&shared)).unwrap();
    assert!(merged.contains("USER EDIT"), "the user's line is kept");
    assert!(!merged.contains("<<<<<<<"), "no conflict");
    let without_edit: String = merged
        .lines()
        .filter(|l| *l != "USER EDIT")
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        without_edit.as_bytes(),
        scenario.new[&shared].as_slice(),
        "the module's change is applied"
    );
}

#[test]
fn a_user_edit_overlapping_the_module_change_is_a_conflict_with_markers_and_exit_code_3() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let hunk = scenario.hunks(&shared)[0];
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        replace_lines(&p.join(&shared), hunk, "USER REWRITE")
    });

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .code(CONFLICTS)
        .stdout(predicate::str::contains(format!("conflict  {shared}")))
        .stderr(predicate::str::contains("merged with conflicts"));

    let merged = fs::read_to_string(project.join(&shared)).unwrap();
    assert!(merged.contains("<<<<<<< HEAD"), "{merged}");
    assert!(
        merged.contains("USER REWRITE"),
        "the user's side is kept in the markers"
    );
    assert!(merged.contains(">>>>>>> omnistack"), "{merged}");
    assert!(
        status(&project).contains(&format!("UU {shared}")),
        "git sees the conflict: {:?}",
        status(&project)
    );
}

#[test]
fn a_user_edit_in_a_file_the_module_does_not_touch_is_never_modified() {
    let scenario = Scenario::find();
    let untouched = scenario.untouched_file();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        fs::write(p.join(&untouched), "entirely the user's own\n").unwrap()
    });

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert_eq!(
        fs::read_to_string(project.join(&untouched)).unwrap(),
        "entirely the user's own\n"
    );
    assert!(!status(&project).iter().any(|l| l.ends_with(&untouched)));
}

#[test]
fn a_file_the_user_deleted_stays_deleted_when_the_module_does_not_change_it() {
    let scenario = Scenario::find();
    let untouched = scenario.untouched_file();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        fs::remove_file(p.join(&untouched)).unwrap()
    });

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert!(!project.join(&untouched).exists());
}

#[test]
fn a_file_the_user_deleted_that_the_module_changes_is_a_conflict() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        fs::remove_file(p.join(&shared)).unwrap()
    });

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .code(CONFLICTS)
        .stderr(predicate::str::contains(&shared));

    assert!(
        status(&project).contains(&format!("DU {shared}")),
        "git sees a deleted-by-us conflict: {:?}",
        status(&project)
    );
}

#[test]
fn a_file_the_user_renamed_gets_the_module_change_under_its_new_name() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let renamed = format!("{shared}.renamed");
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        fs::rename(p.join(&shared), p.join(&renamed)).unwrap()
    });

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert!(!project.join(&shared).exists());
    assert_eq!(
        fs::read(project.join(&renamed)).unwrap(),
        scenario.new[&shared]
    );
}

#[test]
fn the_next_change_merges_from_the_pristine_render_the_previous_one_recorded() {
    let scenario = Scenario::find();
    let untouched = scenario.untouched_file();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |p| {
        fs::write(p.join(&untouched), "the user's\n").unwrap()
    });
    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();
    commit_all(&project, "add the module");

    omnistack(&project)
        .args(scenario.undo_args())
        .assert()
        .success();

    let shared = scenario.shared_file().unwrap();
    assert_eq!(
        fs::read(project.join(&shared)).unwrap(),
        scenario.old[&shared]
    );
    assert_eq!(
        fs::read_to_string(project.join(&untouched)).unwrap(),
        "the user's\n"
    );
}

#[test]
fn dry_run_prints_a_unified_diff_and_changes_nothing_even_inside_git() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |_| {});
    let before = change_support::files_with_git(&project);

    omnistack(&project)
        .args(scenario.add_args())
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("--- a/{shared}")))
        .stdout(predicate::str::contains("\n+"));

    assert_eq!(change_support::files_with_git(&project), before);
}

#[test]
fn dry_run_during_an_uncommitted_change_previews_from_the_answers_head_records() {
    let tmp = TempDir::new().unwrap();
    let project = generate(
        tmp.path(),
        &change_support::defaults(&change_support::catalogue()),
    );
    let preview = [
        "add",
        "monitoring",
        "--provider",
        "sentry",
        "--dry-run",
        "--stat",
    ];
    let from_head = omnistack(&project).args(preview).output().unwrap();
    omnistack(&project)
        .args(["add", "payments", "--provider", "stripe", "--yes"])
        .assert()
        .success();

    // omnistack.toml in the working tree now records stripe; HEAD does not.
    omnistack(&project)
        .args(preview)
        .assert()
        .success()
        .stdout(String::from_utf8(from_head.stdout).unwrap())
        .stderr(predicate::str::contains("would conflict").not());
}

#[test]
fn dry_run_with_stat_lists_each_changed_file_with_what_happens_to_it() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |_| {});

    omnistack(&project)
        .args(scenario.add_args())
        .args(["--dry-run", "--stat"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("modified  {shared}")))
        .stdout(predicate::str::contains("@@").not());

    assert!(status(&project).is_empty());
}

#[test]
fn omnistack_toml_records_the_new_answers() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |_| {});

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    let recorded: toml::Table =
        toml::from_str(&fs::read_to_string(project.join("omnistack.toml")).unwrap()).unwrap();
    let value = &recorded["modules"][&scenario.module];
    let chosen: Vec<&str> = match value {
        toml::Value::String(s) => vec![s.as_str()],
        other => other
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect(),
    };
    assert!(chosen.contains(&scenario.provider.as_str()), "{chosen:?}");
}

#[test]
fn update_brings_a_newer_release_template_change_and_keeps_user_edits() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let untouched = scenario.untouched_file();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    // Pretend an older release generated the project: its render of `shared` differed, and it
    // stamped an older version. That render is both the pristine ref and the first commit.
    let current = fs::read(project.join(&shared)).unwrap();
    let answers = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    fs::write(project.join(&shared), b"an older template\n").unwrap();
    let old_answers = answers.replace(
        &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
        "version = \"0.0.1\"",
    );
    fs::write(project.join("omnistack.toml"), &old_answers).unwrap();
    commit_all(&project, "the older release's render");
    git(&project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);
    fs::write(project.join(&untouched), "the user's\n").unwrap();
    commit_all(&project, "user edits");

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("modified  {shared}")));

    assert_eq!(fs::read(project.join(&shared)).unwrap(), current);
    assert_eq!(
        fs::read_to_string(project.join("omnistack.toml")).unwrap(),
        answers
    );
    assert_eq!(
        fs::read_to_string(project.join(&untouched)).unwrap(),
        "the user's\n"
    );
}

#[test]
fn update_of_an_up_to_date_project_changes_nothing() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |_| {});
    let pristine = tree_of(&project, "refs/omnistack/pristine");

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to change"));

    assert!(status(&project).is_empty());
    assert_eq!(tree_of(&project, "refs/omnistack/pristine"), pristine);
}

#[test]
fn add_runs_from_a_subdirectory_of_the_project() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario, |_| {});
    let sub = project.join("src");

    omnistack(&sub).args(scenario.add_args()).assert().success();

    assert!(!status(&project).is_empty());
}
