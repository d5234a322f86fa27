//! Merges git accepts but rustc would not get a warning naming the file (and line), and
//! `--check` runs `cargo check --all-targets` on the result.

mod change_support;

use std::fs;
use std::path::{Path, PathBuf};

use change_support::{catalogue, commit_all, defaults, generate, omnistack, status};
use predicates::prelude::*;
use tempfile::TempDir;

fn with_email(tmp: &TempDir) -> PathBuf {
    let mut selection = defaults(&catalogue());
    selection.insert("email".into(), vec!["smtp".into()]);
    generate(tmp.path(), &selection)
}

#[test]
fn removing_a_module_the_user_code_still_uses_warns_naming_the_file_and_line() {
    let tmp = TempDir::new().unwrap();
    let project = with_email(&tmp);
    fs::write(
        project.join("src/billing.rs"),
        "//! Invoices.\n\nuse crate::email::Mailer;\n\npub struct Billing;\n",
    )
    .unwrap();
    commit_all(&project, "billing sends mail");

    omnistack(&project)
        .args(["remove", "email", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: src/billing.rs:3: refers to `crate::email`, which this change removes",
        ));
}

#[test]
fn removing_a_module_the_user_code_imports_in_a_group_warns_naming_the_line_of_the_item() {
    let tmp = TempDir::new().unwrap();
    let project = with_email(&tmp);
    fs::write(
        project.join("src/billing.rs"),
        "//! Invoices.\n\nuse crate::{\n    db,\n    email::Mailer,\n};\n",
    )
    .unwrap();
    commit_all(&project, "billing sends mail");

    omnistack(&project)
        .args(["remove", "email", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: src/billing.rs:5: refers to `crate::email`, which this change removes",
        ));
}

#[test]
fn removing_a_module_nothing_of_the_user_uses_gives_no_warning() {
    let tmp = TempDir::new().unwrap();
    let project = with_email(&tmp);

    omnistack(&project)
        .args(["remove", "email", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
}

#[test]
fn adding_a_module_beside_a_user_file_of_the_same_module_warns_naming_both_files() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    fs::write(project.join("src/email.rs"), "//! My own mailer.\n").unwrap();
    commit_all(&project, "my own email module");

    omnistack(&project)
        .args(["add", "email", "--provider", "smtp", "--yes"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: src/email.rs and src/email/mod.rs both define the module `email` (rustc: error[E0761])",
        ));
}

/// A stand-in for cargo that records its arguments and directory in `record`, prints a
/// compiler error, and exits with `code`.
fn fake_cargo(dir: &Path, code: i32) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let record = dir.join("cargo-record");
    let script = dir.join("fake-cargo");
    fs::write(
        &script,
        format!(
            "#!/bin/sh\npwd > '{}'\necho \"$@\" >> '{}'\necho 'error[E0425]: cannot find value `x` in this scope' >&2\necho '  --> src/lib.rs:3:5' >&2\nexit {code}\n",
            record.display(),
            record.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    (script, record)
}

#[test]
fn check_runs_cargo_check_on_all_targets_in_the_project_and_reports_its_errors() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    let (cargo, record) = fake_cargo(tmp.path(), 101);

    omnistack(&project)
        .args(["add", "fly", "--yes", "--check"])
        .env("CARGO", &cargo)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "`cargo check --all-targets` failed after the merge",
        ))
        .stderr(predicate::str::contains(
            "error[E0425]: cannot find value `x`",
        ))
        .stderr(predicate::str::contains("--> src/lib.rs:3:5"));

    let recorded = fs::read_to_string(&record).unwrap();
    let (dir, args) = recorded.split_once('\n').unwrap();
    assert_eq!(
        Path::new(dir).canonicalize().unwrap(),
        project.canonicalize().unwrap()
    );
    assert_eq!(args.trim(), "check --all-targets");
    assert!(
        !status(&project).is_empty(),
        "the merge stays for the user to fix"
    );
}

#[test]
fn check_reports_a_project_that_passes() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    let (cargo, record) = fake_cargo(tmp.path(), 0);

    omnistack(&project)
        .args(["add", "fly", "--yes", "--check"])
        .env("CARGO", &cargo)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "`cargo check --all-targets` passed",
        ));

    assert!(record.exists(), "cargo ran");
}

#[test]
fn check_is_skipped_when_the_merge_has_conflicts() {
    let scenario = change_support::Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let hunk = scenario.hunks(&shared)[0];
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    change_support::replace_lines(&project.join(&shared), hunk, "USER REWRITE");
    commit_all(&project, "user edits");
    let (cargo, record) = fake_cargo(tmp.path(), 0);

    omnistack(&project)
        .args(scenario.add_args())
        .arg("--check")
        .env("CARGO", &cargo)
        .assert()
        .code(change_support::CONFLICTS)
        .stdout(predicate::str::contains("--check skipped"));

    assert!(!record.exists(), "cargo did not run on conflict markers");
}
