//! Module migrations and the user's: a module that enters a project gets versions after every
//! migration the project has, recorded in `omnistack.toml`; a collision that still happens is
//! refused before anything is written.

mod change_support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use change_support::{
    catalogue, commit_all, defaults, files, generate, git, index, omnistack, recorded_render, with,
};
use predicates::prelude::*;
use tempfile::TempDir;

const USER_MIGRATION: &str = "migrations/20250104000000_orders.sql";

/// The defaults, without storage, and the user's own migration named as a module's used to be.
fn project_with_a_user_migration(tmp: &TempDir) -> std::path::PathBuf {
    let project = generate(tmp.path(), &defaults(&catalogue()));
    fs::write(
        project.join(USER_MIGRATION),
        "CREATE TABLE orders (id BIGSERIAL PRIMARY KEY);\n",
    )
    .unwrap();
    commit_all(&project, "orders");
    project
}

/// The versions of the project's migrations, by file name.
fn migration_versions(project: &Path) -> BTreeMap<String, u64> {
    fs::read_dir(project.join("migrations"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .map(|name| {
            let version = name.split('_').next().unwrap().parse().unwrap();
            (name, version)
        })
        .collect()
}

/// The `[migrations]` table of the project's `omnistack.toml`.
fn recorded(project: &Path) -> BTreeMap<String, String> {
    let text = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    table["migrations"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(name, version)| (name.clone(), version.as_str().unwrap().to_string()))
        .collect()
}

/// Every ref and what it points at.
fn refs(project: &Path) -> String {
    git(project, &["for-each-ref"])
}

fn utc_now() -> u64 {
    let output = std::process::Command::new("date")
        .args(["-u", "+%Y%m%d%H%M%S"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn new_records_the_version_of_every_module_migration_it_ships() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));

    let mut files: Vec<String> = recorded(&project)
        .iter()
        .map(|(name, version)| format!("{version}_{name}.sql"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        migration_versions(&project).into_keys().collect::<Vec<_>>()
    );
}

#[test]
fn a_module_added_after_a_user_migration_gets_a_later_version_of_its_own() {
    let tmp = TempDir::new().unwrap();
    let project = project_with_a_user_migration(&tmp);
    let started = utc_now();

    omnistack(&project)
        .args(["add", "storage", "--provider", "s3", "--yes"])
        .assert()
        .success();

    let versions = migration_versions(&project);
    let uploads = versions
        .iter()
        .find(|(name, _)| name.ends_with("_uploads.sql"))
        .map(|(_, version)| *version)
        .expect("storage's migration");
    assert!(
        versions
            .iter()
            .all(|(name, version)| name.ends_with("_uploads.sql") || *version < uploads),
        "{versions:?}"
    );
    assert!(uploads >= started, "{uploads} is older than the change");
    assert_eq!(recorded(&project)["uploads"], uploads.to_string());
    let mut expected = recorded_render(&project);
    expected.insert(
        USER_MIGRATION.to_string(),
        fs::read(project.join(USER_MIGRATION)).unwrap(),
    );
    assert_eq!(
        change_support::differing(&files(&project), &expected),
        Vec::<String>::new()
    );
}

#[test]
fn a_user_migration_named_as_a_module_migration_is_left_alone_when_the_module_is_added() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    // The user's own `uploads` table, in a project whose record holds migration versions.
    let mine = "migrations/20250104000000_uploads.sql";
    let table = "CREATE TABLE uploads (id BIGSERIAL PRIMARY KEY);\n";
    fs::write(project.join(mine), table).unwrap();
    commit_all(&project, "my uploads table");

    omnistack(&project)
        .args(["add", "storage", "--provider", "s3", "--yes"])
        .assert()
        .success();

    assert_eq!(fs::read_to_string(project.join(mine)).unwrap(), table);
    let uploads = &recorded(&project)["uploads"];
    assert!(
        uploads.as_str() > "20250104000000",
        "storage's migration has a version of its own: {uploads}"
    );
}

#[test]
fn a_module_migration_with_the_version_of_a_user_migration_is_refused_naming_both() {
    let tmp = TempDir::new().unwrap();
    let project = project_with_a_user_migration(&tmp);
    // A version recorded by hand, equal to the user's migration's.
    let answers = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    fs::write(
        project.join("omnistack.toml"),
        format!("{answers}uploads = \"20250104000000\"\n"),
    )
    .unwrap();
    commit_all(&project, "a recorded version that collides");
    let before = (files(&project), index(&project), refs(&project));

    omnistack(&project)
        .args(["add", "storage", "--provider", "s3", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "migrations/20250104000000_uploads.sql",
        ))
        .stderr(predicate::str::contains(USER_MIGRATION));

    assert_eq!(
        change_support::differing(&files(&project), &before.0),
        Vec::<String>::new(),
        "the working tree is as before"
    );
    assert_eq!(index(&project), before.1);
    assert_eq!(refs(&project), before.2);
    assert!(!project.join(".git/MERGE_HEAD").exists());
}

#[test]
fn a_malformed_recorded_migration_version_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults(&catalogue()));
    let answers = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    fs::write(
        project.join("omnistack.toml"),
        format!("{answers}uploads = \"2025\"\n"),
    )
    .unwrap();
    commit_all(&project, "a malformed version");

    omnistack(&project)
        .args(["add", "storage", "--provider", "s3", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("uploads = \"2025\""));
}

#[test]
fn update_gives_a_migration_new_in_the_release_a_version_after_every_other() {
    let tmp = TempDir::new().unwrap();
    let catalogue = catalogue();
    let storage = catalogue.module("storage").unwrap();
    let project = generate(tmp.path(), &with(storage, &defaults(&catalogue), "s3"));
    // An older release's render, without the uploads migration.
    let answers = fs::read_to_string(project.join("omnistack.toml")).unwrap();
    let uploads = recorded(&project)["uploads"].clone();
    let old_answers: String = answers
        .replace(
            &format!("version = \"{}\"", env!("CARGO_PKG_VERSION")),
            "version = \"0.0.1\"",
        )
        .lines()
        .filter(|line| !line.starts_with("uploads = "))
        .map(|line| format!("{line}\n"))
        .collect();
    fs::write(project.join("omnistack.toml"), old_answers).unwrap();
    fs::remove_file(project.join(format!("migrations/{uploads}_uploads.sql"))).unwrap();
    commit_all(
        &project,
        "omnistack 0.0.1: the older render\n\nOmnistack-Render: 0.0.1",
    );
    fs::write(
        project.join(USER_MIGRATION),
        "CREATE TABLE orders (id BIGSERIAL PRIMARY KEY);\n",
    )
    .unwrap();
    commit_all(&project, "orders");
    let started = utc_now();

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .success();

    let latest_before: u64 = recorded(&project)["projects_owner"].parse().unwrap();
    let uploads: u64 = recorded(&project)["uploads"].parse().unwrap();
    assert!(uploads > latest_before && uploads >= started, "{uploads}");
    assert!(
        project
            .join(format!("migrations/{uploads}_uploads.sql"))
            .is_file()
    );
    assert_eq!(recorded(&project)["users"], "20250102000000");
}

#[test]
fn remove_keeps_the_module_migrations_databases_have_applied_and_their_record() {
    let tmp = TempDir::new().unwrap();
    let project = project_with_a_user_migration(&tmp);
    omnistack(&project)
        .args(["add", "storage", "--provider", "s3", "--yes"])
        .assert()
        .success();
    commit_all(&project, "add storage");
    let uploads = recorded(&project)["uploads"].clone();
    let migration = format!("migrations/{uploads}_uploads.sql");
    let sql = fs::read(project.join(&migration)).unwrap();

    omnistack(&project)
        .args(["remove", "storage", "--yes"])
        .assert()
        .success();

    assert_eq!(fs::read(project.join(&migration)).unwrap(), sql);
    assert_eq!(recorded(&project)["uploads"], uploads);
    assert!(
        !project.join("src/storage").exists(),
        "the module's code is gone"
    );
    assert_eq!(
        change_support::differing(&files(&project), &recorded_render(&project)),
        [USER_MIGRATION],
        "the project is the render of what omnistack.toml records, and the user's migration"
    );
}

/// Runs `sql` with `psql` on `database` of the local PostgreSQL (user `postgres`, trust),
/// stopping at the first error; returns what it printed, unaligned and without headers.
fn psql(database: &str, sql: &str) -> String {
    let output = std::process::Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", database])
        .args(["-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "psql failed on {sql:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Applies the project's migrations that `applied` does not hold yet to `database`, in version
/// order as sqlx does, each in a transaction; returns them.
fn migrate(project: &Path, database: &str, applied: &[String]) -> Vec<String> {
    let pending: Vec<String> = migration_versions(project)
        .into_keys()
        .filter(|name| !applied.contains(name))
        .collect();
    for name in &pending {
        let sql = fs::read_to_string(project.join("migrations").join(name)).unwrap();
        psql(database, &format!("BEGIN;\n{sql}\nCOMMIT;"));
    }
    pending
}

#[test]
fn adding_auth_migrates_a_database_holding_shared_projects_which_keep_no_owner() {
    let catalogue = catalogue();
    let auth = catalogue.module("auth").unwrap();
    let tmp = TempDir::new().unwrap();
    let project = generate(
        tmp.path(),
        &change_support::lacking(&catalogue, auth, "supabase"),
    );
    let database = format!("omnistack_add_auth_{}", std::process::id());
    psql("postgres", &format!("DROP DATABASE IF EXISTS {database}"));
    psql("postgres", &format!("CREATE DATABASE {database}"));
    let before = migrate(&project, &database, &[]);
    psql(
        &database,
        "INSERT INTO projects (name) VALUES ('from before auth')",
    );

    omnistack(&project)
        .args(["add", "auth", "--provider", "supabase", "--yes"])
        .assert()
        .success();
    let added = migrate(&project, &database, &before);
    let owners = psql(&database, "SELECT name, owner_id IS NULL FROM projects");
    let owned = psql(
        &database,
        "INSERT INTO users (external_id, role) VALUES ('u1', 'member') RETURNING id",
    );
    psql(
        &database,
        &format!(
            "INSERT INTO projects (name, owner_id) VALUES ('after', '{}')",
            owned.trim()
        ),
    );
    psql("postgres", &format!("DROP DATABASE {database}"));

    assert!(before.iter().any(|name| name.ends_with("_projects.sql")));
    assert!(
        added
            .iter()
            .any(|name| name.ends_with("_projects_owner.sql")),
        "{added:?}"
    );
    assert_eq!(owners.trim(), "from before auth|t");
}

#[test]
fn adding_auth_migrates_a_database_holding_a_follows_auth_resources_rows_which_keep_no_owner() {
    let catalogue = catalogue();
    let auth = catalogue.module("auth").unwrap();
    let tmp = TempDir::new().unwrap();
    let project = generate(
        tmp.path(),
        &change_support::lacking(&catalogue, auth, "supabase"),
    );
    omnistack(&project)
        .args(["generate", "resource", "notes", "title:string(100)"])
        .args(["--owner", "follows-auth"])
        .assert()
        .success();
    commit_all(&project, "notes");
    let database = format!("omnistack_owner_follows_auth_{}", std::process::id());
    psql("postgres", &format!("DROP DATABASE IF EXISTS {database}"));
    psql("postgres", &format!("CREATE DATABASE {database}"));
    let before = migrate(&project, &database, &[]);
    psql(
        &database,
        "INSERT INTO notes (title) VALUES ('from before auth')",
    );

    omnistack(&project)
        .args(["add", "auth", "--provider", "supabase", "--yes"])
        .assert()
        .success();
    let added = migrate(&project, &database, &before);
    let owners = psql(&database, "SELECT title, owner_id IS NULL FROM notes");
    let owned = psql(
        &database,
        "INSERT INTO users (external_id, role) VALUES ('u1', 'member') RETURNING id",
    );
    psql(
        &database,
        &format!(
            "INSERT INTO notes (title, owner_id) VALUES ('after', '{}')",
            owned.trim()
        ),
    );
    let owned_rows = psql(
        &database,
        "SELECT count(*) FROM notes WHERE owner_id IS NOT NULL",
    );
    psql("postgres", &format!("DROP DATABASE {database}"));

    assert!(
        before
            .iter()
            .any(|name| name.ends_with("_create_notes.sql"))
    );
    // Users first, then each follows-auth resource's owner: the example's too.
    let added: Vec<&str> = added
        .iter()
        .map(|name| name.split_once('_').unwrap().1)
        .collect();
    assert_eq!(
        added,
        ["users.sql", "notes_owner.sql", "projects_owner.sql"]
    );
    assert_eq!(owners.trim(), "from before auth|t");
    assert_eq!(owned_rows.trim(), "1");
}
