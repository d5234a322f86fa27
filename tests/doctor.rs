//! `omnistack doctor` against the real PostgreSQL and Redis of this machine (README.md): a
//! healthy project, and each problem it must name with its fix. A stopped Redis is a closed
//! port, never the machine's Redis stopped.

mod tools;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";
const REDIS: &str = "redis://127.0.0.1:6379";
/// The variables the default project requires (`(required)` in its `.env.example`).
const REQUIRED: [&str; 3] = ["DATABASE_URL", "REDIS_URL", "SUPABASE_URL"];

/// A generated project, with a `.env` copied from its `.env.example`.
struct Project {
    _dir: TempDir,
    root: PathBuf,
}

impl Project {
    fn new() -> Self {
        let dir = TempDir::new().unwrap();
        Command::cargo_bin("omnistack")
            .unwrap()
            .current_dir(dir.path())
            .args(["--quiet", "new", "demo", "--yes"])
            .assert()
            .success();
        let root = dir.path().join("demo");
        std::fs::copy(root.join(".env.example"), root.join(".env")).unwrap();
        Self { _dir: dir, root }
    }

    /// Sets `name` in `.env` (or removes it with `None`).
    fn set(&self, name: &str, value: Option<&str>) {
        let path = self.root.join(".env");
        let prefix = format!("{name}=");
        let mut lines: Vec<String> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with(&prefix))
            .map(str::to_string)
            .collect();
        if let Some(value) = value {
            lines.push(format!("{name}={value}"));
        }
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    }

    /// Makes `omnistack.toml` record `version` as the omnistack that generated the project.
    fn record_version(&self, version: &str) {
        let answers = self.root.join("omnistack.toml");
        let text = std::fs::read_to_string(&answers).unwrap().replace(
            &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
            &format!("version = \"{version}\""),
        );
        std::fs::write(&answers, text).unwrap();
    }

    /// The versions of the files in `migrations/`, oldest first.
    fn migrations(&self) -> Vec<String> {
        let mut versions: Vec<String> = std::fs::read_dir(self.root.join("migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .map(|name| name.split('_').next().unwrap().to_string())
            .collect();
        versions.sort();
        versions
    }

    /// Runs `omnistack doctor --format json` there, with the variables `.env` sets taken from
    /// `.env` only, and returns the report and whether it exited with 0.
    fn doctor_json(&self) -> (Value, bool) {
        let output = doctor(&self.root)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{:?}",
            output.status
        );
        (report, output.status.success())
    }
}

/// `omnistack doctor` in `root`, blind to this process's own copies of the project's variables.
fn doctor(root: &Path) -> Command {
    let mut cmd = Command::cargo_bin("omnistack").unwrap();
    cmd.current_dir(root).env("NO_COLOR", "1").arg("doctor");
    for name in REQUIRED {
        cmd.env_remove(name);
    }
    cmd
}

fn check<'r>(report: &'r Value, name: &str) -> &'r Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

fn psql(database: &str, sql: &str) {
    let output = tools::system_command("psql", "sudo apt-get install -y postgresql-client")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-qc",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "psql -c {sql:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A fresh database on the local server, dropped again at the end of the test.
struct Database(String);

impl Database {
    fn create() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "omnistack_doctor_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        psql("postgres", &format!("DROP DATABASE IF EXISTS \"{name}\""));
        psql("postgres", &format!("CREATE DATABASE \"{name}\""));
        Self(name)
    }

    fn url(&self) -> String {
        format!("{POSTGRES}/{}", self.0)
    }

    /// Records `versions` as applied, in the table and the shape sqlx's migrator keeps.
    fn record_migrations(&self, versions: &[String]) {
        psql(
            &self.0,
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
             checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
        );
        for version in versions {
            psql(
                &self.0,
                &format!(
                    "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                     execution_time) VALUES ({version}, 'init', true, '\\x00', 1)"
                ),
            );
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        psql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.0),
        );
    }
}

/// A local port nothing listens on: bound, then released.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A project whose `.env` points at a migrated database and the local Redis.
fn healthy() -> (Project, Database) {
    let project = Project::new();
    let database = Database::create();
    database.record_migrations(&project.migrations());
    project.set("DATABASE_URL", Some(&database.url()));
    project.set("REDIS_URL", Some(REDIS));
    (project, database)
}

#[test]
fn a_healthy_project_passes_every_check_and_exits_with_0() {
    let (project, _database) = healthy();
    let (report, success) = project.doctor_json();
    assert!(success, "{report:#}");
    assert_eq!(report["healthy"], true);
    for check in report["checks"].as_array().unwrap() {
        assert_eq!(check["status"], "ok", "{check:#}");
        assert_eq!(check["fix"], Value::Null, "{check:#}");
    }
}

#[test]
fn the_json_report_has_stable_field_names_and_every_check_in_order() {
    let (project, _database) = healthy();
    let (report, _) = project.doctor_json();
    let keys: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["checks", "healthy", "project"]);
    let root = std::fs::canonicalize(&project.root).unwrap();
    assert_eq!(
        std::fs::canonicalize(report["project"].as_str().unwrap()).unwrap(),
        root
    );
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            let mut fields: Vec<&String> = check.as_object().unwrap().keys().collect();
            fields.sort();
            assert_eq!(fields, ["fix", "name", "status", "summary"], "{check:#}");
            check["name"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "toolchain",
            "env-file",
            "env-vars",
            "database",
            "migrations",
            "redis",
            "omnistack-version",
            "merge-base"
        ]
    );
}

#[test]
fn a_stopped_redis_is_connection_refused_with_how_to_start_it() {
    let (project, _database) = healthy();
    let port = closed_port();
    project.set("REDIS_URL", Some(&format!("redis://127.0.0.1:{port}")));
    let (report, success) = project.doctor_json();
    assert!(!success);
    let redis = check(&report, "redis");
    assert_eq!(redis["status"], "problem");
    assert_eq!(
        redis["summary"],
        format!("nothing listens on 127.0.0.1:{port} (connection refused)")
    );
    assert!(redis["fix"].as_str().unwrap().contains("start Redis"));
    assert_eq!(check(&report, "database")["status"], "ok");
}

#[test]
fn a_missing_database_is_named_with_the_command_that_creates_it() {
    let (project, _database) = healthy();
    project.set(
        "DATABASE_URL",
        Some(&format!("{POSTGRES}/omnistack_doctor_no_such_database")),
    );
    let (report, success) = project.doctor_json();
    assert!(!success);
    let database = check(&report, "database");
    assert_eq!(database["status"], "problem");
    assert_eq!(
        database["summary"],
        "PostgreSQL at 127.0.0.1:5432 has no database `omnistack_doctor_no_such_database`"
    );
    assert!(
        database["fix"].as_str().unwrap().contains(
            "createdb -h 127.0.0.1 -p 5432 -U postgres omnistack_doctor_no_such_database"
        ),
        "{database:#}"
    );
    assert_eq!(check(&report, "migrations")["status"], "skipped");
}

#[test]
fn a_stopped_postgresql_is_connection_refused() {
    let (project, _database) = healthy();
    let port = closed_port();
    project.set(
        "DATABASE_URL",
        Some(&format!("postgres://postgres@127.0.0.1:{port}/demo")),
    );
    let (report, _) = project.doctor_json();
    assert_eq!(
        check(&report, "database")["summary"],
        format!("nothing listens on 127.0.0.1:{port} (connection refused)")
    );
}

#[test]
fn pending_migrations_are_listed_with_the_command_that_applies_them() {
    let project = Project::new();
    let database = Database::create();
    let versions = project.migrations();
    assert!(versions.len() >= 2, "{versions:?}");
    database.record_migrations(&versions[..1]);
    project.set("DATABASE_URL", Some(&database.url()));
    project.set("REDIS_URL", Some(REDIS));
    let (report, success) = project.doctor_json();
    assert!(!success);
    let migrations = check(&report, "migrations");
    assert_eq!(migrations["status"], "problem");
    assert_eq!(
        migrations["summary"],
        format!(
            "{} of {} migrations not applied: {}",
            versions.len() - 1,
            versions.len(),
            versions[1..].join(", ")
        )
    );
    assert_eq!(migrations["fix"], "make migrate");
}

#[test]
fn a_missing_variable_is_named_and_no_value_is_ever_printed() {
    let (project, database) = healthy();
    project.set("REDIS_URL", None);
    let secret = "s3cret-password-value";
    project.set(
        "DATABASE_URL",
        Some(
            &database
                .url()
                .replace("postgres@", &format!("postgres:{secret}@")),
        ),
    );
    let output = doctor(&project.root).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("required but not set: REDIS_URL"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(secret) && !stderr.contains(secret),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("doctor found 1 problem(s)"), "{stderr}");
}

#[test]
fn a_missing_env_file_says_to_copy_the_example() {
    let (project, _database) = healthy();
    std::fs::remove_file(project.root.join(".env")).unwrap();
    let (report, _) = project.doctor_json();
    let env_file = check(&report, "env-file");
    assert_eq!(env_file["status"], "problem");
    assert!(
        env_file["fix"]
            .as_str()
            .unwrap()
            .starts_with("cp .env.example .env")
    );
    assert_eq!(check(&report, "database")["status"], "skipped");
}

#[cfg(unix)]
#[test]
fn a_toolchain_older_than_rust_version_is_a_problem() {
    use std::os::unix::fs::PermissionsExt;
    let (project, _database) = healthy();
    let rustc = project.root.join("old-rustc");
    std::fs::write(
        &rustc,
        "#!/bin/sh\necho 'rustc 1.80.0 (051478957 2024-07-21)'\n",
    )
    .unwrap();
    std::fs::set_permissions(&rustc, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = doctor(&project.root)
        .env("RUSTC", &rustc)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let toolchain = check(&report, "toolchain");
    assert_eq!(toolchain["status"], "problem");
    assert_eq!(
        toolchain["summary"],
        "rustc 1.80.0 is older than the project's rust-version 1.94"
    );
    assert_eq!(toolchain["fix"], "rustup update stable");
}

#[test]
fn a_path_inside_the_project_is_checked_from_anywhere() {
    let (project, _database) = healthy();
    let elsewhere = TempDir::new().unwrap();
    let mut cmd = doctor(elsewhere.path());
    cmd.arg(project.root.join("src"))
        .assert()
        .success()
        .stdout(predicates::str::contains("All is well."));
}

#[test]
fn outside_a_project_doctor_says_so_and_fails() {
    let dir = TempDir::new().unwrap();
    doctor(dir.path())
        .assert()
        .code(1)
        .stderr(predicates::str::contains("no omnistack.toml"));
}

/// Runs git in `dir` with a fixed identity, panicking when it fails.
fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test User")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_project_without_git_is_a_warning_that_add_and_update_need_a_commit() {
    let (project, _database) = healthy();
    std::fs::remove_dir_all(project.root.join(".git")).unwrap();

    let (report, success) = project.doctor_json();

    assert!(success, "{report:#}");
    let base = check(&report, "merge-base");
    assert_eq!(base["status"], "warning", "{base:#}");
    assert!(
        base["fix"].as_str().unwrap().contains("git init"),
        "{base:#}"
    );
}

#[test]
fn an_older_render_missing_from_the_history_is_a_problem_with_the_way_to_rebuild_it() {
    let (project, _database) = healthy();
    // A project from omnistack 0.0.1 whose render commit a squash merge dropped: the record
    // says 0.0.1, and no render of that version is in the history.
    project.record_version("0.0.1");
    git(
        &project.root,
        &["commit", "-qam", "squashed: older release"],
    );

    let (report, success) = project.doctor_json();

    assert!(!success, "{report:#}");
    let base = check(&report, "merge-base");
    assert_eq!(base["status"], "problem", "{base:#}");
    assert!(
        base["fix"]
            .as_str()
            .unwrap()
            .contains("install omnistack 0.0.1, run `omnistack adopt --force`"),
        "{base:#}"
    );
}

#[test]
fn an_older_project_is_a_warning_listing_what_update_would_change() {
    let (project, _database) = healthy();
    // What omnistack 0.0.1 rendered: another health.rs, recorded as the pristine render.
    project.record_version("0.0.1");
    std::fs::write(project.root.join("src/routes/health.rs"), "// older\n").unwrap();
    git(
        &project.root,
        &["commit", "-qam", "the older release's render"],
    );
    git(
        &project.root,
        &["update-ref", "refs/omnistack/pristine", "HEAD"],
    );

    let (report, success) = project.doctor_json();

    assert!(success, "a warning is not a problem: {report:#}");
    let version = check(&report, "omnistack-version");
    assert_eq!(version["status"], "warning", "{version:#}");
    assert!(
        version["summary"].as_str().unwrap().ends_with(
            "`update` would change 2 file(s): omnistack.toml (modified), src/routes/health.rs (modified)"
        ),
        "{version:#}"
    );
    assert_eq!(git_status(&project.root), "", "doctor changed nothing");
}

fn git_status(dir: &Path) -> String {
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args(["status", "--porcelain"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}
