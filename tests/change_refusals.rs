//! When `add`, `remove` and `update` refuse, and what they say: dirty trees, places that are not
//! generated projects, projects whose render cannot be found (and `adopt`), impossible choices.

mod change_support;

use std::fs;

use change_support::{
    Scenario, catalogue, commit_all, defaults, generate, git, omnistack, stamp_older_version,
    status,
};
use omnistack::catalogue::Kind;
use predicates::prelude::*;
use tempfile::TempDir;

#[test]
fn a_dirty_working_tree_is_refused_naming_the_files() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    fs::write(project.join("notes.txt"), "work in progress\n").unwrap();

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("uncommitted changes (notes.txt)"))
        .stderr(predicate::str::contains("--allow-dirty"));

    assert_eq!(status(&project), ["?? notes.txt"]);
}

#[test]
fn allow_dirty_merges_and_keeps_uncommitted_changes_elsewhere() {
    let scenario = Scenario::find();
    let untouched = scenario.untouched_file();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    fs::write(project.join(&untouched), "uncommitted\n").unwrap();

    omnistack(&project)
        .args(scenario.add_args())
        .arg("--allow-dirty")
        .assert()
        .success();

    assert_eq!(
        fs::read_to_string(project.join(&untouched)).unwrap(),
        "uncommitted\n"
    );
    assert!(status(&project).contains(&format!(" M {untouched}")));
}

#[test]
fn allow_dirty_still_refuses_to_overwrite_an_uncommitted_change_the_merge_touches() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    fs::write(project.join(&shared), "uncommitted\n").unwrap();
    let pristine = git(&project, &["rev-parse", "refs/omnistack/pristine"]);

    omnistack(&project)
        .args(scenario.add_args())
        .arg("--allow-dirty")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "would overwrite uncommitted changes",
        ))
        .stderr(predicate::str::contains(&shared));

    assert_eq!(
        fs::read_to_string(project.join(&shared)).unwrap(),
        "uncommitted\n"
    );
    assert_eq!(
        git(&project, &["rev-parse", "refs/omnistack/pristine"]),
        pristine
    );
}

#[test]
fn outside_a_generated_project_every_change_is_refused() {
    let tmp = TempDir::new().unwrap();
    for args in [
        &["add", "db", "--yes"][..],
        &["remove", "deploy"],
        &["update"],
        &["adopt"],
    ] {
        omnistack(tmp.path())
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("no omnistack.toml"))
            .stderr(predicate::str::contains("omnistack new"));
    }
}

#[test]
fn a_project_generated_without_git_is_told_to_commit_it_first() {
    let tmp = TempDir::new().unwrap();
    omnistack(tmp.path())
        .args(["new", "app", "--yes", "--no-git"])
        .assert()
        .success();

    omnistack(&tmp.path().join("app"))
        .args(["update", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--no-git"))
        .stderr(predicate::str::contains("git init"))
        .stderr(predicate::str::contains("then run the change again"));
}

#[test]
fn adopt_of_a_project_of_this_release_records_its_exact_render_without_a_warning() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    let shared = scenario.shared_file().unwrap();
    fs::write(project.join(&shared), "the user's\n").unwrap();
    commit_all(&project, "user edit");
    git(&project, &["update-ref", "-d", "refs/omnistack/pristine"]);

    omnistack(&project)
        .arg("adopt")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:").not());

    assert_eq!(
        change_support::tree_of(&project, "refs/omnistack/pristine"),
        change_support::tree_of(&project, "HEAD~1"),
        "the render of omnistack.toml, not the user's edit"
    );
}

#[test]
fn adopt_of_an_older_release_project_records_head_with_a_warning_and_changes_can_follow() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    stamp_older_version(&project);
    commit_all(&project, "squashed: update to omnistack 0.0.1");

    omnistack(&project)
        .args(["adopt", "--force"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning:"))
        .stderr(predicate::str::contains("records omnistack 0.0.1"))
        .stderr(predicate::str::contains("omnistack's own"));

    assert_eq!(
        change_support::tree_of(&project, "refs/omnistack/pristine"),
        change_support::tree_of(&project, "HEAD")
    );
    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();
}

#[test]
fn adopt_leaves_the_user_own_files_out_of_the_pristine_render_so_merges_keep_them() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    fs::write(project.join("MINE.md"), "the user's own file\n").unwrap();
    commit_all(&project, "user file");
    git(&project, &["update-ref", "-d", "refs/omnistack/pristine"]);
    omnistack(&project).arg("adopt").assert().success();

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert_eq!(
        fs::read_to_string(project.join("MINE.md")).unwrap(),
        "the user's own file\n"
    );
}

#[test]
fn adopt_refuses_to_replace_an_existing_pristine_render_without_force() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));

    omnistack(&project)
        .arg("adopt")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--force"));
    omnistack(&project)
        .args(["adopt", "--force"])
        .assert()
        .success();
}

#[test]
fn removing_a_required_module_is_an_error_naming_why() {
    let catalogue = catalogue();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue));
    for module in catalogue.modules.iter().filter(|m| !m.optional) {
        omnistack(&project)
            .args(["remove", &module.name])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(format!(
                "`{}` is required: every project needs one",
                module.name
            )));
    }
    assert!(status(&project).is_empty());
}

#[test]
fn removing_a_provider_the_project_does_not_have_is_refused() {
    let catalogue = catalogue();
    let module = catalogue
        .modules
        .iter()
        .find(|m| m.kind == Kind::Many)
        .expect("a many module");
    let mut selection = defaults(&catalogue);
    selection.insert(module.name.clone(), Vec::new());
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &selection);

    omnistack(&project)
        .args([
            "remove",
            &module.name,
            "--provider",
            &module.providers[0].name,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the project has no"));
}

#[test]
fn a_provider_name_alone_is_shorthand_for_its_module() {
    let scenario = Scenario::find();
    let catalogue = catalogue();
    let owners = catalogue
        .modules
        .iter()
        .filter(|m| m.provider(&scenario.provider).is_some())
        .count();
    if owners != 1 || catalogue.module(&scenario.provider).is_some() {
        return; // not unambiguous in this catalogue: nothing to check
    }
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);

    omnistack(&project)
        .args(["add", &scenario.provider, "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("add {}", scenario.module)));
}

#[test]
fn an_unknown_module_is_refused_naming_the_known_ones() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));

    omnistack(&project)
        .args(["add", "nonsense", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "unknown module or provider `nonsense`",
        ))
        .stderr(predicate::str::contains("known modules: "));
}

#[test]
fn an_unknown_provider_is_refused_naming_the_allowed_ones() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));

    omnistack(&project)
        .args(["add", "db", "--provider", "nonsense", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("allowed values:"));
}

#[test]
fn add_without_a_provider_and_without_a_terminal_takes_the_module_default_or_asks_for_one() {
    let catalogue = catalogue();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue));
    for module in &catalogue.modules {
        let assert = omnistack(&project).args(["add", &module.name]).assert();
        if module.default.is_empty() {
            assert
                .code(1)
                .stderr(predicate::str::contains("choose a provider"));
        } else {
            // Every default is already in a project generated with the defaults.
            assert
                .success()
                .stdout(predicate::str::contains("Nothing to change"));
        }
    }
}

#[test]
fn stat_without_dry_run_is_a_usage_error() {
    let tmp = TempDir::new().unwrap();
    omnistack(tmp.path())
        .args(["update", "--stat"])
        .assert()
        .code(2);
}
