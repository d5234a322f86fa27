//! Where a change's merge base comes from: rebuilt from `omnistack.toml` by the same release,
//! or found in the history for an older one, so that every clone of a repository merges alike,
//! and abandoning a change (`git merge --abort`, or `git reset --hard`) leaves nothing behind.

mod change_support;

use std::fs;
use std::path::{Path, PathBuf};

use change_support::{
    Scenario, commit_all, differing, files, generate, git, index, insert_line, omnistack,
    quiet_line, stamp_older_version, status, tree_of,
};
use predicates::prelude::*;
use tempfile::TempDir;

/// The scenario's "before" project with the user's edits committed: a line in the file the
/// change rewrites, away from the change, and a rewrite of a file the change leaves alone.
fn project_with_edits(tmp: &TempDir, scenario: &Scenario) -> PathBuf {
    let project = generate(&tmp.path().join("original"), &scenario.before);
    let shared = scenario.shared_file().unwrap();
    let line = quiet_line(&scenario.old[&shared], &scenario.new[&shared]).unwrap();
    insert_line(&project.join(&shared), line, "# the user's line");
    fs::write(project.join(scenario.untouched_file()), "the user's\n").unwrap();
    commit_all(&project, "user edits");
    project
}

fn clone(from: &Path, to: &Path) -> PathBuf {
    git(
        from.parent().unwrap(),
        &["clone", "-q", from.to_str().unwrap(), to.to_str().unwrap()],
    );
    to.to_path_buf()
}

fn has_ref(dir: &Path, reference: &str) -> bool {
    git(dir, &["for-each-ref", "--format=%(refname)", reference])
        .lines()
        .any(|line| line == reference)
}

#[test]
fn a_clone_without_the_pristine_ref_gets_the_same_add_result_as_the_original() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let original = project_with_edits(&tmp, &scenario);
    let copy = clone(&original, &tmp.path().join("clone"));
    assert!(!has_ref(&copy, "refs/omnistack/pristine"));

    for dir in [&original, &copy] {
        omnistack(dir).args(scenario.add_args()).assert().success();
    }

    assert_eq!(
        differing(&files(&original), &files(&copy)),
        Vec::<String>::new()
    );
    assert_eq!(index(&original), index(&copy));
    assert_eq!(status(&original), status(&copy));
}

#[test]
fn a_project_generated_without_git_and_committed_by_hand_changes_without_adopt() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let mut new = vec!["new".to_string(), "app".into(), "--no-git".into()];
    new.extend(change_support::flags(
        &change_support::catalogue(),
        &scenario.before,
    ));
    omnistack(tmp.path()).args(&new).assert().success();
    let project = tmp.path().join("app");
    git(&project, &["init", "-q"]);
    commit_all(&project, "Initial commit");

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert_eq!(
        differing(&files(&project), &change_support::recorded_render(&project)),
        Vec::<String>::new()
    );
}

#[test]
fn a_change_leaves_a_merge_in_progress_whose_commit_records_the_render_as_second_parent() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario);
    let before = git(&project, &["rev-parse", "HEAD"]);

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(project.join(".git/MERGE_MSG")).unwrap(),
        format!(
            "omnistack {}: add {} ({})\n",
            env!("CARGO_PKG_VERSION"),
            scenario.module,
            scenario.provider
        )
    );
    git(&project, &["commit", "-q", "--no-edit"]);

    assert_eq!(git(&project, &["rev-parse", "HEAD^1"]), before);
    assert_eq!(
        git(&project, &["rev-parse", "HEAD^2"]),
        git(&project, &["rev-parse", "refs/omnistack/pristine"])
    );
    assert!(
        git(&project, &["log", "-1", "--format=%B", "HEAD^2"])
            .contains(&format!("Omnistack-Render: {}", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        git(&project, &["rev-parse", "HEAD^2^"]),
        git(&project, &["rev-list", "--max-parents=0", "HEAD"]),
        "the render's parent is the render it merged from, the initial commit"
    );
}

#[test]
fn git_merge_abort_restores_head_the_index_and_the_working_tree() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario);
    let shared = scenario.shared_file().unwrap();
    // A rewrite of the lines the change rewrites, so that the merge leaves a conflict to abort.
    let hunk = scenario.hunks(&shared)[0];
    change_support::replace_lines(&project.join(&shared), hunk, "USER REWRITE");
    commit_all(&project, "overlapping edit");
    let (head, before, staged) = (
        git(&project, &["rev-parse", "HEAD"]),
        files(&project),
        index(&project),
    );
    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .code(change_support::CONFLICTS);

    git(&project, &["merge", "--abort"]);

    assert_eq!(git(&project, &["rev-parse", "HEAD"]), head);
    assert_eq!(differing(&files(&project), &before), Vec::<String>::new());
    assert_eq!(index(&project), staged);
    assert_eq!(status(&project), Vec::<String>::new());
}

#[test]
fn after_git_reset_hard_without_update_ref_the_next_change_merges_without_spurious_conflicts() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario);
    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();
    let first = files(&project);

    // Abandoned the old way: the pristine ref still holds the abandoned change's render.
    git(&project, &["reset", "-q", "--hard"]);
    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert_eq!(differing(&files(&project), &first), Vec::<String>::new());
}

#[test]
fn a_change_while_a_merge_is_in_progress_is_refused() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario);
    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    omnistack(&project)
        .args(scenario.undo_args())
        .arg("--allow-dirty")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("git merge --abort"));
}

#[test]
fn a_clone_updates_from_an_older_release_through_the_render_in_its_history() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let untouched = scenario.untouched_file();
    let tmp = TempDir::new().unwrap();
    let project = generate(&tmp.path().join("original"), &scenario.before);
    let current = fs::read(project.join(&shared)).unwrap();
    let answers = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    // An older release's render, committed as omnistack commits renders, then merged by the
    // user's commit as `git commit` records a change: its render is the second parent.
    git(&project, &["checkout", "-q", "-b", "older-render"]);
    fs::write(project.join(&shared), b"an older template\n").unwrap();
    let old_answers = answers.replace(
        &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
        "version = \"0.0.1\"",
    );
    fs::write(project.join("omnistack.toml"), &old_answers).unwrap();
    commit_all(
        &project,
        "omnistack 0.0.1: the older render\n\nOmnistack-Render: 0.0.1",
    );
    git(&project, &["checkout", "-q", "main"]);
    fs::write(project.join(&untouched), "the user's\n").unwrap();
    commit_all(&project, "user edits");
    git(
        &project,
        &["merge", "-q", "--no-ff", "--no-edit", "older-render"],
    );
    git(&project, &["branch", "-q", "-D", "older-render"]);
    let copy = clone(&project, &tmp.path().join("clone"));

    omnistack(&copy)
        .args(["update", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("modified  {shared}")));

    assert_eq!(fs::read(copy.join(&shared)).unwrap(), current);
    assert_eq!(
        fs::read_to_string(copy.join("omnistack.toml")).unwrap(),
        answers
    );
    assert_eq!(
        fs::read_to_string(copy.join(&untouched)).unwrap(),
        "the user's\n"
    );
}

#[test]
fn an_older_releases_initial_commit_amended_with_edits_is_not_taken_as_its_render() {
    let scenario = Scenario::find();
    let shared = scenario.shared_file().unwrap();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    // The initial commit as an older release made it, naming its tree ...
    stamp_older_version(&project);
    git(&project, &["add", "--all"]);
    let tree = git(&project, &["write-tree"]);
    let message = format!(
        "Initial commit from omnistack 0.0.1\n\nOmnistack-Render: 0.0.1\nOmnistack-Tree: {}",
        tree.trim()
    );
    git(&project, &["commit", "-q", "--amend", "-m", &message]);
    // ... then amended with the user's edit: the same message over another tree.
    let line = quiet_line(&scenario.old[&shared], &scenario.new[&shared]).unwrap();
    insert_line(&project.join(&shared), line, "# the user's line");
    git(&project, &["commit", "-q", "--all", "--amend", "--no-edit"]);
    git(&project, &["update-ref", "-d", "refs/omnistack/pristine"]);

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("records omnistack 0.0.1"));
    assert!(
        fs::read_to_string(project.join(&shared))
            .unwrap()
            .contains("# the user's line")
    );
}

#[test]
fn an_older_release_project_whose_render_is_not_in_the_history_is_told_how_to_rebuild_it() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &scenario.before);
    stamp_older_version(&project);
    // A squash merge of an older change: the content, without the render commit.
    commit_all(&project, "squashed: update to omnistack 0.0.1");
    git(&project, &["update-ref", "-d", "refs/omnistack/pristine"]);

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("records omnistack 0.0.1"))
        .stderr(predicate::str::contains("Install omnistack 0.0.1"))
        .stderr(predicate::str::contains("omnistack adopt --force"));
    assert_eq!(status(&project), Vec::<String>::new());
}

#[test]
fn the_pristine_ref_is_a_cache_a_project_of_this_release_changes_without_it() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = project_with_edits(&tmp, &scenario);
    let expected = clone(&project, &tmp.path().join("clone"));
    omnistack(&expected)
        .args(scenario.add_args())
        .assert()
        .success();
    git(&project, &["update-ref", "-d", "refs/omnistack/pristine"]);

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert_eq!(
        differing(&files(&project), &files(&expected)),
        Vec::<String>::new()
    );
    assert_eq!(
        tree_of(&project, "refs/omnistack/pristine"),
        tree_of(&project, "MERGE_HEAD")
    );
}

#[test]
fn a_render_of_this_release_that_the_pristine_ref_leads_to_is_the_base_as_it_was_made() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(&tmp.path().join("project"), &scenario.before);
    // The render of the same record by another build of this release, cached by that build: it
    // holds a file this build no longer renders, which the project holds as rendered.
    let dropped = "docs/dropped-by-this-build.md";
    fs::create_dir_all(project.join("docs")).unwrap();
    fs::write(project.join(dropped), "rendered by an earlier build\n").unwrap();
    git(&project, &["add", "--all"]);
    let message = format!("Render\n\nOmnistack-Render: {}", env!("CARGO_PKG_VERSION"));
    git(&project, &["commit", "-q", "-m", &message]);
    git(&project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    // The file was omnistack's and left as rendered, so the change removes it as omnistack's.
    assert!(!project.join(dropped).exists());
}

#[test]
fn an_amended_initial_commit_is_not_taken_as_the_base() {
    let scenario = Scenario::find();
    let tmp = TempDir::new().unwrap();
    let project = generate(&tmp.path().join("project"), &scenario.before);
    let shared = scenario.shared_file().unwrap();
    let line = quiet_line(&scenario.old[&shared], &scenario.new[&shared]).unwrap();
    insert_line(&project.join(&shared), line, "# the user's line");
    git(&project, &["commit", "-q", "--all", "--amend", "--no-edit"]);
    // As in a clone, whose history holds the amended commit and nothing else.
    git(&project, &["update-ref", "-d", "refs/omnistack/pristine"]);

    omnistack(&project)
        .args(scenario.add_args())
        .assert()
        .success();

    assert!(
        fs::read_to_string(project.join(&shared))
            .unwrap()
            .contains("# the user's line")
    );
}

const HEALTH: &str = "src/routes/health.rs";
/// The line of `health.rs` the "older release" renders differently.
const TIMEOUT: &str = "Duration::from_secs(2)";
/// A teammate's line in `health.rs`, away from [`TIMEOUT`].
const TEAMMATE: &str = "/// The teammate's note on liveness.";

fn replace(file: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} holds {from}", file.display());
    fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// An older release's project in which a change by that release (a render commit, merged as
/// `git commit` records it) was flattened by `git pull --rebase` onto a teammate's edit to
/// `health.rs`: the render commit, replayed, keeps its trailer but now holds that edit.
fn older_change_rebased_onto_a_teammates_edit(tmp: &TempDir) -> PathBuf {
    let project = generate(&tmp.path().join("original"), &Scenario::find().before);
    replace(&project.join(HEALTH), TIMEOUT, "Duration::from_secs(5)");
    replace(
        &project.join("omnistack.toml"),
        &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
        "version = \"0.0.1\"",
    );
    commit_all(
        &project,
        "omnistack 0.0.1: the older render\n\nOmnistack-Render: 0.0.1",
    );
    git(&project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);
    git(&project, &["checkout", "-q", "-b", "teammate"]);
    replace(
        &project.join(HEALTH),
        "async fn liveness()",
        &format!("{TEAMMATE}\nasync fn liveness()"),
    );
    commit_all(&project, "the teammate's note");
    git(&project, &["checkout", "-q", "-b", "render", "main"]);
    let answers = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    fs::write(
        project.join("omnistack.toml"),
        format!("{answers}# 0.0.1's change\n"),
    )
    .unwrap();
    commit_all(
        &project,
        "omnistack 0.0.1: a change\n\nOmnistack-Render: 0.0.1",
    );
    git(&project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);
    git(&project, &["checkout", "-q", "main"]);
    git(&project, &["merge", "-q", "--no-ff", "--no-edit", "render"]);
    git(&project, &["branch", "-q", "-D", "render"]);
    // Later than the commits before it, as a pull is: the replayed render is the newest.
    let rebased = std::process::Command::new("git")
        .current_dir(&project)
        .args(["rebase", "-q", "teammate"])
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_DATE", "2090-01-01T00:00:00Z")
        .status()
        .unwrap();
    assert!(rebased.success());
    project
}

#[test]
fn a_render_commit_flattened_by_a_rebase_onto_user_edits_is_not_taken_as_the_base() {
    let tmp = TempDir::new().unwrap();
    let project = older_change_rebased_onto_a_teammates_edit(&tmp);

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .success();

    let health = fs::read_to_string(project.join(HEALTH)).unwrap();
    assert!(health.contains(TEAMMATE), "{health}");
    assert!(health.contains(TIMEOUT), "{health}");
}

#[test]
fn a_clone_whose_only_render_of_the_record_was_flattened_by_a_rebase_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = older_change_rebased_onto_a_teammates_edit(&tmp);
    let copy = clone(&project, &tmp.path().join("clone"));

    omnistack(&copy)
        .args(["update", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("records omnistack 0.0.1"));

    assert_eq!(status(&copy), Vec::<String>::new());
    assert!(
        fs::read_to_string(copy.join(HEALTH))
            .unwrap()
            .contains(TEAMMATE)
    );
}
