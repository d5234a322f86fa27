//! The `omnistack` command line, run as a user would: flags, presets, prompts that never hang,
//! and refusals that write nothing.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

fn omnistack() -> Command {
    let mut cmd = Command::cargo_bin("omnistack").expect("the binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

fn answers(project: &Path) -> toml::Table {
    let text = fs::read_to_string(project.join("omnistack.toml")).expect("omnistack.toml exists");
    toml::from_str(&text).expect("omnistack.toml parses")
}

fn module<'a>(answers: &'a toml::Table, name: &str) -> &'a toml::Value {
    &answers["modules"][name]
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("dir is readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn new_with_yes_writes_the_project_and_records_the_answers() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Created demo"))
        .stdout(predicate::str::contains("cp .env.example .env"));
    let project = tmp.path().join("demo");
    let recorded = answers(&project);
    assert_eq!(recorded["project"]["name"].as_str(), Some("demo"));
    assert_eq!(
        recorded["omnistack"]["version"].as_str(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(module(&recorded, "db").as_str(), Some("postgres"));
}

#[test]
fn new_without_a_terminal_takes_the_defaults_instead_of_prompting() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo"])
        .write_stdin("")
        .assert()
        .success();
    assert_eq!(
        module(&answers(&tmp.path().join("demo")), "db").as_str(),
        Some("postgres")
    );
}

#[test]
fn a_flag_sets_its_module() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes", "--db", "serverless"])
        .assert()
        .success();
    assert_eq!(
        module(&answers(&tmp.path().join("demo")), "db").as_str(),
        Some("serverless")
    );
}

#[test]
fn flags_override_the_preset() {
    let tmp = TempDir::new().unwrap();
    fs::write(
        tmp.path().join("preset.toml"),
        "[modules]\ndb = \"serverless\"\n",
    )
    .unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "a", "--preset", "preset.toml", "--db", "postgres"])
        .assert()
        .success();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "b", "--preset", "preset.toml"])
        .assert()
        .success();
    assert_eq!(
        module(&answers(&tmp.path().join("a")), "db").as_str(),
        Some("postgres")
    );
    assert_eq!(
        module(&answers(&tmp.path().join("b")), "db").as_str(),
        Some("serverless")
    );
}

#[test]
fn every_example_preset_generates_a_project() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let presets: Vec<_> = fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(
        presets.len() >= 4,
        "examples/ holds the minimal, saas, ai-app and full presets"
    );
    for preset in presets {
        let tmp = TempDir::new().unwrap();
        omnistack()
            .current_dir(tmp.path())
            .args(["new", "demo", "--no-git", "--preset"])
            .arg(&preset)
            .assert()
            .success();
        assert!(
            tmp.path().join("demo/Cargo.toml").is_file(),
            "{}",
            preset.display()
        );
    }
}

#[test]
fn a_preset_with_an_unknown_module_is_refused_naming_the_known_modules() {
    let tmp = TempDir::new().unwrap();
    fs::write(
        tmp.path().join("p.toml"),
        "[modules]\ndatabase = \"postgres\"\n",
    )
    .unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--preset", "p.toml"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("unknown module `database`"))
        .stderr(predicate::str::contains("known modules: db"));
    assert_eq!(entries(tmp.path()), ["p.toml"]);
}

#[test]
fn a_preset_with_an_unknown_value_names_the_allowed_values() {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("p.toml"), "[modules]\ndb = \"mysql\"\n").unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--preset", "p.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "unknown value `mysql` for `db`; allowed values: postgres, serverless",
        ));
    assert_eq!(entries(tmp.path()), ["p.toml"]);
}

#[test]
fn a_preset_with_an_unknown_key_is_refused_with_the_file_and_key() {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("p.toml"), "[module]\ndb = \"postgres\"\n").unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--preset", "p.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("p.toml"))
        .stderr(predicate::str::contains("module"));
    assert_eq!(entries(tmp.path()), ["p.toml"]);
}

#[test]
fn a_preset_that_is_not_toml_is_refused() {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("p.toml"), "modules = [oops\n").unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--preset", "p.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("p.toml"));
    assert_eq!(entries(tmp.path()), ["p.toml"]);
}

#[test]
fn a_missing_preset_file_is_refused() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--preset", "nope.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot read nope.toml"));
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn an_unknown_flag_value_is_a_usage_error_listing_the_possible_values() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--db", "mysql"])
        .assert()
        .failure()
        .code(2)
        .stderr(predicate::str::contains("postgres"))
        .stderr(predicate::str::contains("serverless"));
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn an_invalid_name_is_refused_with_a_suggestion_and_nothing_is_written() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "My App", "--yes"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("invalid project name `My App`"))
        .stderr(predicate::str::contains("try `my-app`"));
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn a_keyword_name_is_refused() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "test", "--yes"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("reserved"));
}

#[test]
fn a_non_empty_target_is_refused_and_left_untouched() {
    let tmp = TempDir::new().unwrap();
    let target = tmp.path().join("demo");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("notes.txt"), "mine").unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists and is not empty"));
    assert_eq!(entries(&target), ["notes.txt"]);
    assert_eq!(
        fs::read_to_string(target.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        entries(tmp.path()),
        ["demo"],
        "no temporary directory is left behind"
    );
}

#[test]
fn a_file_in_the_way_is_refused() {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("demo"), "a file").unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn an_empty_existing_directory_is_filled() {
    let tmp = TempDir::new().unwrap();
    fs::create_dir(tmp.path().join("demo")).unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .success();
    assert!(tmp.path().join("demo/omnistack.toml").is_file());
    assert_eq!(
        entries(tmp.path()),
        ["demo"],
        "no temporary directory is left behind"
    );
}

#[test]
fn a_path_creates_missing_parents_and_takes_its_last_part_as_the_name() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "apps/billing-api", "--yes"])
        .assert()
        .success();
    let recorded = answers(&tmp.path().join("apps/billing-api"));
    assert_eq!(recorded["project"]["name"].as_str(), Some("billing-api"));
}

#[test]
fn dry_run_lists_the_files_and_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("omnistack.toml ("))
        .stdout(predicate::str::contains("Cargo.toml ("));
    assert!(entries(tmp.path()).is_empty());
}

#[test]
fn new_makes_an_initial_commit_on_main_and_a_pristine_ref() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .success();
    let repo = git2::Repository::open(tmp.path().join("demo")).unwrap();
    let head = repo.head().unwrap();
    assert_eq!(head.shorthand().ok(), Some("main"));
    let commit = head.peel_to_commit().unwrap();
    let pristine = repo
        .find_reference("refs/omnistack/pristine")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    assert_eq!(pristine.id(), commit.id());
    assert!(commit.tree().unwrap().get_name("omnistack.toml").is_some());
    let statuses = repo.statuses(None).unwrap();
    assert!(statuses.is_empty(), "everything generated is committed");
}

#[test]
fn the_generated_repository_stores_and_checks_out_text_files_with_lf() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .success();
    let repo = git2::Repository::open(tmp.path().join("demo")).unwrap();
    for path in [
        "Dockerfile",
        "Makefile",
        "migrations/20250101000000_init.sql",
    ] {
        let eol = repo
            .get_attr(Path::new(path), "eol", git2::AttrCheckFlags::default())
            .unwrap();
        assert_eq!(eol, Some("lf"), "{path}: .gitattributes sets eol=lf");
    }
    let tree = repo.head().unwrap().peel_to_tree().unwrap();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if let Ok(blob) = entry.to_object(&repo).and_then(|o| o.peel_to_blob()) {
            let name = entry.name().unwrap_or_default();
            assert!(
                !blob.content().windows(2).any(|pair| pair == b"\r\n"),
                "{dir}{name} has CRLF line endings"
            );
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
}

#[test]
fn no_git_leaves_no_repository() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes", "--no-git"])
        .assert()
        .success();
    assert!(!tmp.path().join("demo/.git").exists());
    assert!(tmp.path().join("demo/omnistack.toml").is_file());
}

#[test]
fn quiet_prints_nothing_on_success() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes", "--quiet"])
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::is_empty());
}

#[test]
fn verbose_lists_every_file_written() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes", "--verbose"])
        .assert()
        .success()
        .stdout(predicate::str::contains("  omnistack.toml"))
        .stdout(predicate::str::contains("  Cargo.toml"));
}

#[test]
fn output_without_a_terminal_has_no_colour_codes() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .env_remove("NO_COLOR")
        .args(["new", "demo", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn list_prints_every_module_with_its_providers() {
    omnistack()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("--db (one, default: postgres)"))
        .stdout(predicate::str::contains("serverless"));
}

#[test]
fn list_as_json_is_machine_readable() {
    let out = omnistack()
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    let modules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        modules
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "db")
    );
}

#[test]
fn the_readme_options_table_is_the_catalogue() {
    let out = omnistack()
        .args(["list", "--format", "markdown"])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        readme.contains(&table),
        "README.md's options table is stale; paste `omnistack list --format markdown`:\n{table}"
    );
}

#[test]
fn completions_print_a_script_for_the_shell() {
    omnistack()
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--db"));
}

#[test]
fn help_for_new_lists_every_module_flag() {
    omnistack()
        .args(["new", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--db <PROVIDER>"));
}

#[test]
fn list_aligns_none_with_the_other_values() {
    let out = omnistack().arg("list").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Where the description starts on a value line: four spaces, the value, padding, the text.
    let description_column = |line: &str| {
        let value_end = 4 + line[4..].find(' ').expect("a value and its description");
        line.len() - line[value_end..].trim_start().len()
    };
    let mut checked_none = false;
    for block in text.split("\n--") {
        // The flag's line and the module's description come before the values.
        let values: Vec<&str> = block.lines().skip(2).collect();
        let columns: Vec<usize> = values.iter().map(|line| description_column(line)).collect();
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{values:#?}");
        checked_none |= values
            .iter()
            .any(|line| line.trim_start().starts_with("none "));
    }
    assert!(checked_none, "some module offers `none`:\n{text}");
}

#[test]
fn list_refuses_an_unknown_format_naming_the_formats() {
    omnistack()
        .args(["list", "--format", "yaml"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "[possible values: text, markdown, json]",
        ));
}

#[test]
fn help_leaves_out_the_ci_only_matrix_command_which_still_runs() {
    omnistack()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("completions"))
        .stdout(predicate::str::contains("matrix").not());
    omnistack().args(["matrix", "--count"]).assert().success();
}

/// Runs `args` in `dir` with stdout a pipe whose reader is already gone, as in
/// `omnistack list | head` once `head` has exited, and expects a quiet success.
fn ends_quietly_into_a_closed_pipe(dir: &Path, args: &[&str]) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("omnistack"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?}: {:?}\n{stderr}", out.status);
    assert!(stderr.is_empty(), "{args:?}:\n{stderr}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly_with_success() {
    let tmp = TempDir::new().unwrap();
    for args in [
        &["list"][..],
        &["list", "--format", "json"],
        &["matrix"],
        &["completions", "bash"],
        &["new", "listed", "--yes", "--dry-run"],
        &["new", "demo", "--yes"],
    ] {
        ends_quietly_into_a_closed_pipe(tmp.path(), args);
    }
    assert!(
        tmp.path().join("demo/omnistack.toml").is_file(),
        "`new` finished its work"
    );
}

#[test]
fn a_dry_run_change_into_a_closed_pipe_ends_quietly_with_success() {
    let tmp = TempDir::new().unwrap();
    omnistack()
        .current_dir(tmp.path())
        .args(["new", "demo", "--yes"])
        .assert()
        .success();
    let project = tmp.path().join("demo");
    for args in [
        &["add", "storage", "--provider", "s3", "--dry-run"][..],
        &["add", "storage", "--provider", "s3", "--dry-run", "--stat"],
        &["update", "--dry-run"],
    ] {
        ends_quietly_into_a_closed_pipe(&project, args);
    }
}
