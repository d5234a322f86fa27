//! `omnistack generate resource`, `generate field` and `remove resource`: bad declarations are
//! refused with a clear error and nothing written, and the invariants of modules hold for
//! resources: generating one yields `new` with it declared, removing it yields the project
//! before but for its migrations, and adding a field merges into the user's edits.

mod change_support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use change_support::{
    CONFLICTS, Selection, catalogue, commit_all, defaults, differing, files, files_with_git,
    generate, omnistack, quiet_line, recorded_render, replace_lines, stamp_older_version,
    without_migration_versions,
};
use omnistack::answers::Answers;
use omnistack::answers::AnswersFile;
use omnistack::name::ProjectName;
use omnistack::resource::grammar::parse_fields;
use omnistack::resource::{Owner, Removal, Resource};
use predicates::prelude::*;
use tempfile::TempDir;

/// The fields of the resource these tests generate: one of several types.
const INVOICE_FIELDS: [&str; 4] = [
    "title:string(200)",
    "amount_cents:i64=0",
    "due_on:date?",
    "status:enum(draft,sent,paid)=draft",
];

/// A project of the default modules (auth among them), committed, inside `tmp`.
fn project(tmp: &TempDir) -> PathBuf {
    generate(tmp.path(), &defaults(&catalogue()))
}

/// A project of the default modules but auth, committed, inside `tmp`.
fn project_without_auth(tmp: &TempDir) -> PathBuf {
    generate(tmp.path(), &defaults_without_auth())
}

fn generate_invoices(project: &Path) {
    omnistack(project)
        .args(["generate", "resource", "invoices"])
        .args(INVOICE_FIELDS)
        .assert()
        .success();
}

fn recorded(project: &Path) -> AnswersFile {
    AnswersFile::read(&catalogue(), &project.join("omnistack.toml")).expect("omnistack.toml reads")
}

/// Runs omnistack with `args` in `project`, expects exit code 1 with `message` on stderr, and
/// checks that nothing changed, `.git` included.
fn refused(project: &Path, args: &[&str], message: &str) {
    let before = files_with_git(project);
    omnistack(project)
        .args(args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(message));
    assert_eq!(
        differing(&files_with_git(project), &before),
        Vec::<String>::new(),
        "`{}` wrote these files",
        args.join(" ")
    );
}

#[test]
fn a_field_without_a_type_is_refused_naming_the_word_and_the_grammar() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["generate", "resource", "invoices", "title:text", "amount"],
        "field `amount`: expected `name:type`, found no type; a field is written `name:type`",
    );
}

#[test]
fn an_unknown_type_is_refused_naming_the_known_ones() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["g", "resource", "invoices", "amount:money"],
        "unknown type `money`; known types: string, text, bool, i32, i64, f64, decimal, uuid, date, datetime, json, enum, ref",
    );
}

#[test]
fn a_rust_keyword_is_refused_as_a_resource_name() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["generate", "resource", "match", "title:text"],
        "resource `match` is a Rust keyword",
    );
}

#[test]
fn an_sql_keyword_is_refused_as_a_field_name() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["generate", "resource", "invoices", "order:i32"],
        "field `invoices.order` `order` is a reserved SQL keyword",
    );
}

#[test]
fn a_resource_whose_singular_is_an_sql_keyword_is_generated() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    omnistack(&project)
        .args(["generate", "resource", "orders", "title:string"])
        .assert()
        .success();

    assert!(project.join("src/orders/model.rs").is_file());
    assert!(recorded(&project).resources.contains_key("orders"));
}

#[test]
fn a_unique_text_field_is_refused_saying_how_long_a_unique_string_may_be() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    refused(
        &project,
        &["generate", "resource", "articles", "slug:text:unique"],
        "declare it `string(n)` with n at most 600",
    );
}

/// A project of the default modules, written as `new` writes it, whose `omnistack.toml`
/// declares the resource `subscriptions` (`plan:text`): a project an earlier release made,
/// before it gave the payments module a table of that name.
fn project_declaring_subscriptions(tmp: &TempDir) -> PathBuf {
    let catalogue = catalogue();
    let mut answers = Answers {
        name: ProjectName::parse("app").unwrap(),
        modules: defaults(&catalogue),
        migrations: BTreeMap::new(),
        resources: BTreeMap::from([(
            "subscriptions".to_string(),
            Resource {
                owner: Owner::User,
                singular: None,
                fields: parse_fields(&["plan:text"]).unwrap(),
                removed: None,
            },
        )]),
    };
    for (name, version) in
        omnistack::resource::migration_versions(&answers.resources, true, &answers.migrations)
    {
        answers.migrations.insert(name, version);
    }
    let tree = omnistack::generate(&catalogue, &answers).unwrap();
    let project = tmp.path().join("app");
    omnistack::write::write_project(&project, &tree, |dir| {
        omnistack::git::init_with_initial_commit(dir, &tree).unwrap();
        Ok(())
    })
    .unwrap();
    project
}

#[test]
fn a_resource_named_as_a_table_of_a_module_the_project_lacks_keeps_working_until_that_module_is_added()
 {
    let tmp = TempDir::new().unwrap();
    let project = project_declaring_subscriptions(&tmp);

    omnistack(&project)
        .args(["generate", "field", "subscriptions", "note:text?"])
        .assert()
        .success();
    commit_all(&project, "note");

    refused(
        &project,
        &["add", "payments", "--provider", "stripe", "--yes"],
        "resource `subscriptions` would collide with the table `subscriptions`, from payments (stripe)",
    );
}

/// Runs `new app --preset` on a preset of `text`, expecting a refusal that says `message` and
/// no project written.
fn new_is_refused(text: &str, message: &str) {
    let tmp = TempDir::new().unwrap();
    let preset = tmp.path().join("preset.toml");
    fs::write(&preset, text).unwrap();

    omnistack(tmp.path())
        .args(["new", "app", "--yes", "--preset"])
        .arg(&preset)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(message));

    assert!(!tmp.path().join("app").exists());
}

#[test]
fn a_new_project_may_not_declare_a_resource_named_as_what_a_module_it_lacks_uses() {
    new_is_refused(
        "[resources.subscriptions]\nfields = [{ name = \"plan\", type = \"text\" }]\n",
        "resource `subscriptions` would collide with the table `subscriptions`",
    );
}

#[test]
fn the_test_of_a_resource_with_one_optional_field_asserts_it_without_a_loop() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    omnistack(&project)
        .args([
            "generate",
            "resource",
            "notes",
            "title:string",
            "body:text?",
        ])
        .assert()
        .success();

    // Clippy refuses a `for` over one element (`single_element_loop`).
    let test = fs::read_to_string(project.join("tests/api/notes/lifecycle.rs")).unwrap();
    assert!(
        test.contains("assert!(created[\"body\"].is_null());"),
        "{test}"
    );
    assert!(!test.contains("for field in [\"body\"]"), "{test}");
}

#[test]
fn a_name_the_project_uses_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["generate", "resource", "users", "title:text"],
        "resource `users` would collide with the table `users`",
    );
}

#[test]
fn a_name_that_is_not_snake_case_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["generate", "resource", "LineItems", "title:text"],
        "resource `LineItems` is not a snake_case name",
    );
}

#[test]
fn a_field_declared_twice_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &[
            "generate",
            "resource",
            "invoices",
            "title:text",
            "title:string",
        ],
        "field `invoices.title` is declared twice",
    );
}

#[test]
fn a_ref_to_a_resource_that_does_not_exist_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &[
            "generate",
            "resource",
            "invoices",
            "customer_id:ref(customers)",
        ],
        "field `invoices.customer_id` refers to `customers`, which is not a resource of the project",
    );
}

#[test]
fn owner_user_without_auth_is_refused_saying_what_to_do() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);
    refused(
        &project,
        &[
            "generate",
            "resource",
            "invoices",
            "title:text",
            "--owner",
            "user",
        ],
        "which needs auth, and the project has none: add auth (`omnistack add auth`) first",
    );
}

#[test]
fn without_auth_a_resource_is_shared_and_mounted_on_the_public_routes() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);

    omnistack(&project)
        .args(["generate", "resource", "tags", "name:string(50):unique"])
        .assert()
        .success();

    assert_eq!(recorded(&project).resources["tags"].owner, Owner::None);
    let public = fs::read_to_string(project.join("src/routes/public.rs")).unwrap();
    assert!(public.contains("crate::tags::routes()"), "{public}");
    let readme = fs::read_to_string(project.join("README.md")).unwrap();
    assert!(
        readme.contains("every row is public to anyone who can reach\nthe API"),
        "{readme}"
    );
    assert_eq!(
        differing(&files(&project), &recorded_render(&project)),
        Vec::<String>::new()
    );
}

#[test]
fn shared_rows_chosen_by_default_are_announced_as_public_unless_quiet() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);
    let announced = "The rows of `tags` are shared (`--owner none`, the default without auth): public to anyone who can reach the API";

    omnistack(&project)
        .args([
            "generate",
            "resource",
            "tags",
            "name:string(50)",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(announced));
    omnistack(&project)
        .args(["--quiet", "generate", "resource", "tags", "name:string(50)"])
        .assert()
        .success()
        .stdout(predicate::str::contains("shared").not());
    commit_all(&project, "tags");
    omnistack(&project)
        .args([
            "generate",
            "resource",
            "labels",
            "name:string(50)",
            "--owner",
            "none",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("shared").not());
}

#[test]
fn with_auth_a_shared_resource_is_mounted_for_signed_in_users_and_administrators() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    omnistack(&project)
        .args([
            "generate",
            "resource",
            "tags",
            "name:text",
            "--owner",
            "none",
        ])
        .assert()
        .success();

    assert_eq!(recorded(&project).resources["tags"].owner, Owner::None);
    let app = fs::read_to_string(project.join("src/routes/app.rs")).unwrap();
    let admin = fs::read_to_string(project.join("src/routes/admin.rs")).unwrap();
    let public = fs::read_to_string(project.join("src/routes/public.rs")).unwrap();
    assert!(app.contains("crate::tags::app_routes()"), "{app}");
    assert!(admin.contains("crate::tags::admin_routes()"), "{admin}");
    assert!(!public.contains("crate::tags::"), "{public}");
    assert_eq!(
        differing(&files(&project), &recorded_render(&project)),
        Vec::<String>::new()
    );
}

#[test]
fn adding_auth_moves_shared_resources_behind_sign_in_saying_so_and_removing_it_moves_them_back() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);
    for name in ["labels", "tags"] {
        omnistack(&project)
            .args(["generate", "resource", name, "name:text"])
            .assert()
            .success();
        commit_all(&project, name);
    }
    let routes =
        |group: &str| fs::read_to_string(project.join(format!("src/routes/{group}.rs"))).unwrap();

    omnistack(&project)
        .args(["add", "auth", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The shared rows of `labels` are now behind sign-in: any signed-in user may list",
        ))
        .stdout(predicate::str::contains(
            "The shared rows of `tags` are now behind sign-in",
        ));
    assert!(routes("app").contains("crate::tags::app_routes()"));
    assert!(!routes("public").contains("crate::tags::"));
    commit_all(&project, "auth");
    omnistack(&project)
        .args(["remove", "auth", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The shared rows of `tags` are back on the public routes",
        ));

    assert!(routes("public").contains("crate::tags::routes()"));
    assert_eq!(
        differing(&files(&project), &recorded_render(&project)),
        Vec::<String>::new()
    );
}

#[test]
fn a_shared_resource_referring_to_an_owned_one_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    refused(
        &project,
        &[
            "generate",
            "resource",
            "tags",
            "invoice_id:ref(invoices)",
            "--owner",
            "none",
        ],
        "a row every caller sees cannot point at a row only one user sees",
    );
}

#[test]
fn an_owned_resource_referring_to_a_shared_one_restricts_the_purge_of_the_referred_row() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    omnistack(&project)
        .args([
            "generate",
            "resource",
            "taxes",
            "name:text",
            "--owner",
            "none",
        ])
        .assert()
        .success();
    commit_all(&project, "taxes");

    omnistack(&project)
        .args(["generate", "resource", "invoices", "tax_id:ref(taxes)"])
        .assert()
        .success();

    let migrations = migrations(&project);
    let (_, create) = migrations
        .iter()
        .find(|(name, _)| name.ends_with("_create_invoices.sql"))
        .expect("a migration creates the invoices");
    let create = String::from_utf8_lossy(create);
    assert!(
        create.contains("tax_id uuid NOT NULL REFERENCES taxes (id) ON DELETE RESTRICT,"),
        "{create}"
    );
}

#[test]
fn a_required_field_without_default_is_refused_on_an_existing_table() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    refused(
        &project,
        &["generate", "field", "invoices", "paid_at:datetime"],
        "make it optional with `?` (`paid_at:datetime?`) or give it a default",
    );
}

#[test]
fn a_name_whose_index_postgresql_would_cut_short_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let (name, field) = ("a".repeat(30), "b".repeat(30));

    refused(
        &project,
        &[
            "generate",
            "resource",
            &name,
            &format!("{field}:string:unique"),
        ],
        &format!("the index `{name}_{field}_key` is 65 bytes long"),
    );
}

#[test]
fn a_name_longer_than_thirty_characters_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let name = "a".repeat(31);

    refused(
        &project,
        &["generate", "resource", &name, "title:text"],
        &format!("resource `{name}` is 31 characters long, and names are at most 30 characters"),
    );
}

#[test]
fn removing_a_resource_the_project_lacks_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    refused(
        &project,
        &["remove", "resource", "invoices"],
        "the project has no resource `invoices`; its resources: projects",
    );
}

#[test]
fn a_preset_with_an_invalid_resource_is_refused_before_anything_is_written() {
    new_is_refused(
        "[resources.invoices]\nfields = [{ name = \"type\", type = \"text\" }]\n",
        "field `invoices.type` `type` is a Rust keyword",
    );
}

#[test]
fn generate_resource_records_the_declaration_and_its_migration_version() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    generate_invoices(&project);

    let recorded = recorded(&project);
    let invoices = &recorded.resources["invoices"];
    assert_eq!(invoices.owner, Owner::User);
    assert_eq!(
        invoices
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        ["title", "amount_cents", "due_on", "status"]
    );
    let version = &recorded.migrations["create_invoices"];
    assert!(
        project
            .join(format!("migrations/{version}_create_invoices.sql"))
            .is_file(),
        "the migration is named for its recorded version {version}"
    );
}

#[test]
fn generate_resource_on_an_unedited_project_equals_new_with_the_resource_declared() {
    let tmp = TempDir::new().unwrap();
    let changed = project(&tmp);

    generate_invoices(&changed);

    let expected = new_with_invoices_of(&changed, &tmp, &defaults(&catalogue()));
    assert_eq!(
        differing(&files(&changed), &files(&expected)),
        Vec::<String>::new(),
        "these files differ between `generate resource` and `new` with the resource declared"
    );
}

#[test]
fn generate_resource_yields_the_render_of_the_answers_it_records() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    generate_invoices(&project);

    assert_eq!(
        differing(&files(&project), &recorded_render(&project)),
        Vec::<String>::new()
    );
}

#[test]
fn generate_then_remove_equals_before_but_for_the_kept_migration_and_its_record() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = files(&project);
    let before_record = recorded(&project);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    let version = recorded(&project).migrations["create_invoices"].clone();

    omnistack(&project)
        .args(["remove", "resource", "invoices"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The table `invoices` stays in the database",
        ));

    let migration = format!("migrations/{version}_create_invoices.sql");
    assert_eq!(
        differing(&files(&project), &before),
        [migration, "omnistack.toml".to_string()]
    );
    let after = recorded(&project);
    assert_eq!(after.choices, before_record.choices);
    let mut migrations = before_record.migrations.clone();
    migrations.insert("create_invoices".into(), version);
    assert_eq!(after.migrations, migrations);
    assert_eq!(
        after.resources.keys().collect::<Vec<_>>(),
        ["invoices", "projects"],
        "the removed resource stays declared, for its migrations"
    );
    assert_eq!(
        after.resources["invoices"].removed,
        Some(Removal { drop_table: false })
    );
}

#[test]
fn generating_then_removing_a_shared_resource_beside_auth_leaves_only_its_migration() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = files(&project);
    omnistack(&project)
        .args([
            "generate",
            "resource",
            "tags",
            "name:text",
            "--owner",
            "none",
        ])
        .assert()
        .success();
    commit_all(&project, "tags");
    let version = recorded(&project).migrations["create_tags"].clone();

    omnistack(&project)
        .args(["remove", "resource", "tags"])
        .assert()
        .success();

    assert_eq!(
        differing(&files(&project), &before),
        [
            format!("migrations/{version}_create_tags.sql"),
            "omnistack.toml".to_string()
        ]
    );
}

#[test]
fn remove_resource_with_drop_table_adds_a_drop_migration_after_the_others() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");

    omnistack(&project)
        .args(["remove", "resource", "invoices", "--drop-table"])
        .assert()
        .success();

    let recorded = recorded(&project);
    let (create, drop) = (
        &recorded.migrations["create_invoices"],
        &recorded.migrations["drop_invoices"],
    );
    assert!(drop > create, "{drop} applies after {create}");
    let sql = fs::read_to_string(project.join(format!("migrations/{drop}_drop_invoices.sql")))
        .expect("the drop migration is written");
    assert!(sql.to_lowercase().contains("drop table"), "{sql}");
}

/// The migrations of a project, by path, with their bytes.
fn migrations(project: &Path) -> BTreeMap<String, Vec<u8>> {
    files(project)
        .into_iter()
        .filter(|(path, _)| path.starts_with("migrations/"))
        .collect()
}

#[test]
fn generate_field_adds_one_migration_and_leaves_the_earlier_ones_as_they_are() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    let before = migrations(&project);

    omnistack(&project)
        .args(["generate", "field", "invoices", "paid_at:datetime?"])
        .assert()
        .success();

    let after = migrations(&project);
    let added: Vec<&String> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    let version = &recorded(&project).migrations["add_paid_at_to_invoices"];
    assert_eq!(
        added,
        [&format!("migrations/{version}_add_paid_at_to_invoices.sql")]
    );
    for (path, bytes) in &before {
        assert_eq!(after.get(path), Some(bytes), "{path} changed");
    }
}

/// Rewrites the migration of `project` whose name ends with `suffix` as an older release's
/// templates wrote it, and commits that as the older release's render the project came from;
/// returns the migration's path and its text.
fn migration_of_an_older_release(project: &Path, suffix: &str) -> (String, String) {
    let path = migrations(project)
        .into_keys()
        .find(|path| path.ends_with(suffix))
        .unwrap_or_else(|| panic!("a migration ending with {suffix}"));
    let sql = fs::read_to_string(project.join(&path)).unwrap();
    let older = format!("-- As an older release wrote it.\n{sql}");
    fs::write(project.join(&path), &older).unwrap();
    stamp_older_version(project);
    commit_all(
        project,
        "omnistack 0.0.1: the older render\n\nOmnistack-Render: 0.0.1",
    );
    change_support::git(project, &["update-ref", "refs/omnistack/pristine", "HEAD"]);
    (path, older)
}

#[test]
fn a_resource_migration_the_project_has_keeps_its_bytes_when_the_templates_write_it_differently() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    let (path, applied) = migration_of_an_older_release(&project, "_create_invoices.sql");

    omnistack(&project)
        .args(["generate", "field", "invoices", "paid_at:datetime?"])
        .assert()
        .success();

    assert_eq!(fs::read_to_string(project.join(&path)).unwrap(), applied);
    assert!(
        recorded(&project)
            .migrations
            .contains_key("add_paid_at_to_invoices"),
        "the change itself is made"
    );
}

#[test]
fn a_module_migration_the_project_has_keeps_its_bytes_through_update() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let (path, applied) = migration_of_an_older_release(&project, "_users.sql");

    omnistack(&project)
        .args(["update", "--yes"])
        .assert()
        .success();

    assert_eq!(fs::read_to_string(project.join(&path)).unwrap(), applied);
    assert!(
        fs::read_to_string(project.join("omnistack.toml"))
            .unwrap()
            .contains(&format!("version = \"{}\"", env!("CARGO_PKG_VERSION"))),
        "the update itself is made"
    );
}

/// A project with `invoices` generated and committed, a copy of it where `generate field`
/// ran unedited, and a resource file that the field changes: its content before and after.
struct FieldScenario {
    _tmp: TempDir,
    project: PathBuf,
    path: String,
    old: Vec<u8>,
    new: Vec<u8>,
}

impl FieldScenario {
    const FIELD: &'static str = "paid_at:datetime?";

    fn new() -> Self {
        let tmp = TempDir::new().unwrap();
        let project = project(&tmp);
        generate_invoices(&project);
        commit_all(&project, "invoices");
        let copy = tmp.path().join("copy");
        let status = std::process::Command::new("cp")
            .args(["-a"])
            .arg(&project)
            .arg(&copy)
            .status()
            .unwrap();
        assert!(status.success());
        omnistack(&copy)
            .args(["generate", "field", "invoices", Self::FIELD])
            .assert()
            .success();
        let (old, new) = (files(&project), files(&copy));
        let path = old
            .iter()
            // The resource's own code, not its record or its migrations.
            .filter(|(path, _)| *path != "omnistack.toml" && !path.starts_with("migrations/"))
            .find(|(path, bytes)| {
                new.get(*path).is_some_and(|n| n != *bytes)
                    && quiet_line(bytes, &new[*path]).is_some()
            })
            .map(|(path, _)| path.clone())
            .expect("a file of the resource changes with its field");
        let (old, new) = (old[&path].clone(), new[&path].clone());
        Self {
            _tmp: tmp,
            project,
            path,
            old,
            new,
        }
    }
}

#[test]
fn generate_field_keeps_the_users_edit_of_a_resource_file() {
    let scenario = FieldScenario::new();
    let file = scenario.project.join(&scenario.path);
    let line = quiet_line(&scenario.old, &scenario.new).unwrap();
    change_support::insert_line(&file, line, "// the user's note");
    commit_all(&scenario.project, "a note");

    omnistack(&scenario.project)
        .args(["generate", "field", "invoices", FieldScenario::FIELD])
        .assert()
        .success();

    let merged = fs::read_to_string(&file).unwrap();
    assert!(merged.contains("// the user's note"), "{merged}");
    let without_note: String = merged
        .lines()
        .filter(|l| *l != "// the user's note")
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        without_note,
        String::from_utf8(scenario.new.clone()).unwrap()
    );
}

#[test]
fn generate_field_over_a_conflicting_edit_exits_3_with_markers() {
    let scenario = FieldScenario::new();
    let file = scenario.project.join(&scenario.path);
    let hunk = change_support::hunks(&scenario.old, &scenario.new)[0];
    replace_lines(&file, hunk, "// the user's rewrite");
    commit_all(&scenario.project, "a rewrite");

    omnistack(&scenario.project)
        .args(["generate", "field", "invoices", FieldScenario::FIELD])
        .assert()
        .code(CONFLICTS)
        .stderr(predicate::str::contains(&scenario.path));

    let merged = fs::read_to_string(&file).unwrap();
    assert!(merged.contains("<<<<<<<"), "{merged}");
    assert!(merged.contains("// the user's rewrite"), "{merged}");
}

#[test]
fn generate_resource_dry_run_prints_the_change_and_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = files_with_git(&project);

    omnistack(&project)
        .args([
            "generate",
            "resource",
            "invoices",
            "title:text",
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("+[resources.invoices]"))
        .stdout(predicate::str::contains("_create_invoices.sql"));

    assert_eq!(
        differing(&files_with_git(&project), &before),
        Vec::<String>::new()
    );
}

#[test]
fn remove_of_a_module_still_reads_its_module_beside_remove_resource() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    omnistack(&project)
        .args(["remove", "auth", "--dry-run", "--stat"])
        .assert()
        .success()
        .stdout(predicate::str::contains("omnistack.toml"));
}

#[test]
fn removing_auth_under_an_owned_resource_is_refused() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    refused(
        &project,
        &["remove", "auth"],
        "resource `invoices` is owned by the signed-in user, which needs auth",
    );
}

#[test]
fn a_rendered_resources_owner_changed_in_omnistack_toml_is_refused_naming_both_owners() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");
    let answers = project.join("omnistack.toml");
    let text = fs::read_to_string(&answers).unwrap();
    let edited = text.replace(
        "[resources.invoices]\nowner = \"user\"",
        "[resources.invoices]\nowner = \"follows-auth\"",
    );
    assert_ne!(
        edited, text,
        "omnistack.toml records invoices as owned:\n{text}"
    );
    fs::write(&answers, edited).unwrap();
    commit_all(&project, "invoices follow auth");

    let message = "resource `invoices` was rendered with `owner = \"user\"`, and omnistack.toml \
                   now records `owner = \"follows-auth\"`";
    refused(&project, &["update"], message);
    refused(
        &project,
        &["add", "jobs", "--provider", "redis", "--yes"],
        message,
    );
    refused(
        &project,
        &["generate", "field", "invoices", "paid_at:datetime?"],
        message,
    );
    refused(
        &project,
        &["generate", "resource", "tags", "name:string(40)"],
        message,
    );
    refused(&project, &["remove", "resource", "invoices"], message);
}

/// `target`, and `name` with a field of every type named by `field`, a unique field and a
/// `ref` to `target` (whose index names, prefixed by `name`, must stay short).
fn every_type(
    name: &str,
    owner: &str,
    field: impl Fn(&str) -> String,
    target: &str,
    target_owner: &str,
) -> String {
    let typed = [
        ("string", "type = \"string\", max-length = 40"),
        ("text", "type = \"text\", optional = true"),
        ("bool", "type = \"bool\", default = false"),
        ("i32", "type = \"i32\", default = 1"),
        ("i64", "type = \"i64\""),
        ("f64", "type = \"f64\", optional = true"),
        ("decimal", "type = \"decimal\""),
        ("uuid", "type = \"uuid\", optional = true"),
        ("date", "type = \"date\", optional = true"),
        ("datetime", "type = \"datetime\""),
        ("json", "type = \"json\", optional = true"),
        (
            "enum",
            "type = \"enum\", values = [\"draft\", \"sent\"], default = \"draft\"",
        ),
    ];
    let mut fields: Vec<String> = typed
        .iter()
        .map(|(ty, declaration)| format!("  {{ name = \"{}\", {declaration} }},", field(ty)))
        .collect();
    fields.push("  { name = \"code\", type = \"string\", max-length = 9, unique = true },".into());
    fields.push(format!(
        "  {{ name = \"{}_id\", type = \"ref\", to = \"{target}\" }},",
        &target[..1]
    ));
    format!(
        "[resources.{target}]\nowner = \"{target_owner}\"\nfields = [{{ name = \"a\", type = \"i32\" }}]\n\n\
         [resources.{name}]\nowner = \"{owner}\"\nfields = [\n{}\n]\n",
        fields.join("\n")
    )
}

/// The resources of [`every_type`] named short (`tags`, fields `s`, `t`...), medium, about as
/// long as the presets' names, and long (30 characters), of `owner`, referring to rows of
/// `target_owner`.
fn up_to_thirty_characters(owner: &str, target_owner: &str) -> (String, Vec<&'static str>) {
    let letters = |ty: &str| {
        let letter = match ty {
            "i64" => "l",
            "decimal" => "m",
            "datetime" => "dt",
            _ => &ty[..1],
        };
        letter.to_string()
    };
    let declarations = [
        every_type("tags", owner, letters, "bins", target_owner),
        every_type(
            "shipments",
            owner,
            |ty| format!("{ty}_value"),
            "clients",
            target_owner,
        ),
        every_type(
            "support_requests",
            owner,
            letters,
            "organizations",
            target_owner,
        ),
        every_type(
            "customer_support_ticket_events",
            owner,
            |ty| format!("{ty}_value"),
            "regional_fulfillment_locations",
            target_owner,
        ),
    ];
    (
        declarations.concat(),
        vec![
            "tags",
            "bins",
            "shipments",
            "clients",
            "support_requests",
            "organizations",
            "customer_support_ticket_events",
            "regional_fulfillment_locations",
        ],
    )
}

/// The resources of [`longest_names`]: one named as long as allowed, whose fields refer to
/// another, and one named short whose fields refer to the first.
fn longest(owner: &str) -> (String, Vec<&'static str>) {
    let declarations = [
        longest_names(LONGEST, owner, LONGEST_TARGET),
        longest_names("notes", owner, LONGEST),
    ];
    (
        declarations.concat(),
        vec![LONGEST_TARGET, LONGEST, "notes"],
    )
}

/// Resource names as long as allowed (30 characters).
const LONGEST: &str = "warehouse_adjustment_approvals";
const LONGEST_TARGET: &str = "regional_distribution_forecast";

/// `target` (unless declared already), and `name` with fields of every type, required,
/// defaulted and optional, each named as long as allowed (30 characters) and as the identifiers
/// derived from it allow (`<name>_<field>_key` in 63 bytes for a unique one...), an enum of long
/// values, and `ref`s to `target`.
fn longest_names(name: &str, owner: &str, target: &str) -> String {
    // The longest field name of `name` whose identifier `<name>_<field><suffix>` fits 63 bytes.
    let room = |suffix: &str| (63 - name.len() - 1 - suffix.len()).min(30);
    let named = |stem: &str, length: usize| {
        let padding = length - stem.len();
        format!(
            "{stem}{}",
            "_long_name".repeat(padding / 10) + &"x".repeat(padding % 10)
        )
    };
    let long_value = |start: &str| named(start, 30);
    let typed: [(&str, &str); 13] = [
        ("string", "type = \"string\", max-length = 250000"),
        (
            "string_default",
            "type = \"string\", max-length = 60, default = \"Untitled\"",
        ),
        ("text", "type = \"text\""),
        ("text_bounded", "type = \"text\", max-length = 250000"),
        ("bool", "type = \"bool\", default = false"),
        ("i32", "type = \"i32\", default = 1"),
        ("i64", "type = \"i64\""),
        ("f64", "type = \"f64\""),
        ("decimal", "type = \"decimal\""),
        ("uuid", "type = \"uuid\""),
        ("date", "type = \"date\", default = 2025-01-31"),
        ("datetime", "type = \"datetime\""),
        (
            "json",
            "type = \"json\", default = \"{\\\"net_days\\\": 30}\"",
        ),
    ];
    let mut fields = Vec::new();
    for (stem, declaration) in typed {
        fields.push(format!(
            "  {{ name = \"{}\", {declaration} }},",
            named(stem, 30)
        ));
        let optional = declaration.split(", default").next().unwrap();
        fields.push(format!(
            "  {{ name = \"{}\", {optional}, optional = true }},",
            named(&format!("{stem}_opt"), 30)
        ));
    }
    let values = format!("[\"{}\", \"{}\"]", long_value("draft"), long_value("sent"));
    fields.push(format!(
        "  {{ name = \"{}\", type = \"enum\", values = {values}, default = \"{}\" }},",
        named("e", room("_check")),
        long_value("draft")
    ));
    fields.push(format!(
        "  {{ name = \"{}\", type = \"enum\", values = {values}, optional = true }},",
        named("o", room("_check"))
    ));
    for (stem, declaration) in [
        ("u", "type = \"string\", max-length = 600"),
        ("n", "type = \"i64\""),
        ("d", "type = \"datetime\", optional = true"),
    ] {
        fields.push(format!(
            "  {{ name = \"{}\", {declaration}, unique = true }},",
            named(stem, room("_key"))
        ));
    }
    for (stem, optional) in [("r", ""), ("p", ", optional = true")] {
        fields.push(format!(
            "  {{ name = \"{}\", type = \"ref\", to = \"{target}\"{optional} }},",
            named(stem, room("_fkey"))
        ));
    }
    let target = if target == LONGEST {
        String::new()
    } else {
        format!(
            "[resources.{target}]\nowner = \"{owner}\"\nfields = [{{ name = \"a\", type = \"i32\" }}]\n\n"
        )
    };
    format!(
        "{target}[resources.{name}]\nowner = \"{owner}\"\nfields = [\n{}\n]\n",
        fields.join("\n")
    )
}

/// `rustfmt --check`'s diff of the Rust files of `resources` in the project `answers` render
/// under `dirs` (`src`, `tests/api`), empty when rustfmt leaves them as they are.
fn rustfmt_diff(
    answers: &omnistack::answers::Answers,
    resources: &[&str],
    dirs: &[&str],
) -> String {
    let tree = omnistack::generate(&catalogue(), answers).expect("renders");
    let tmp = TempDir::new().unwrap();
    for (path, bytes) in &tree.files {
        let target = tmp.path().join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, bytes).unwrap();
    }
    let rust: Vec<&String> = tree
        .files
        .keys()
        // rustfmt reaches the others from the modules that declare them, as `cargo fmt` does.
        .filter(|path| {
            resources.iter().any(|resource| {
                dirs.iter()
                    .any(|dir| **path == format!("{dir}/{resource}/mod.rs"))
            })
        })
        .collect();
    assert!(!rust.is_empty(), "no Rust file of {resources:?}");
    let output = std::process::Command::new("rustfmt")
        .current_dir(tmp.path())
        .args(["--check", "--edition", "2024", "--color", "never"])
        .args(rust)
        .output()
        .expect("rustfmt runs (it is on PATH)");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn answers_declaring(resources: &str, auth: bool) -> omnistack::answers::Answers {
    let catalogue = catalogue();
    let modules = if auth {
        ""
    } else {
        "[modules]\nauth = \"none\"\n\n"
    };
    let file = AnswersFile::parse(&catalogue, &format!("{modules}{resources}"))
        .unwrap_or_else(|e| panic!("the declarations are valid: {e}\n{resources}"));
    let mut selection = defaults(&catalogue);
    if !auth {
        selection.insert("auth".into(), Vec::new());
    }
    let mut answers = omnistack::answers::Answers::complete(
        &catalogue,
        omnistack::name::ProjectName::parse("demo").unwrap(),
        &omnistack::answers::Choices::default(),
        |_| Ok::<_, ()>(None),
    )
    .unwrap();
    answers.modules = selection;
    answers.resources = file.resources;
    answers
}

#[test]
fn owned_resources_named_up_to_thirty_characters_are_rendered_as_rustfmt_lays_them_out() {
    let (declarations, names) = up_to_thirty_characters("user", "user");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn owned_resources_referring_to_shared_ones_are_rendered_as_rustfmt_lays_them_out() {
    let (declarations, names) = up_to_thirty_characters("user", "none");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn shared_resources_named_up_to_thirty_characters_are_rendered_as_rustfmt_lays_them_out() {
    let (declarations, names) = up_to_thirty_characters("none", "none");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, false),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn owned_resources_named_as_long_as_allowed_are_rendered_as_rustfmt_lays_them_out() {
    let (declarations, names) = longest("user");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn shared_resources_named_as_long_as_allowed_are_rendered_as_rustfmt_lays_them_out() {
    let (declarations, names) = longest("none");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, false),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn shared_resources_beside_auth_named_as_long_as_allowed_are_rendered_as_rustfmt_lays_them_out() {
    let (declarations, names) = longest("none");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn shared_resources_beside_auth_named_up_to_thirty_characters_are_rendered_as_rustfmt_lays_them_out()
 {
    let (declarations, names) = up_to_thirty_characters("none", "none");
    let diff = rustfmt_diff(
        &answers_declaring(&declarations, true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

/// The `[resources.invoices]` of [`INVOICE_FIELDS`] with rows of `owner`, and the version
/// `create_invoices` has in the project it is compared with.
fn invoices_preset(owner: Owner, version: &str) -> String {
    let owner = toml::Value::try_from(owner).unwrap();
    format!(
        r#"[resources.invoices]
owner = {owner}
fields = [
  {{ name = "title", type = "string", max-length = 200 }},
  {{ name = "amount_cents", type = "i64", default = 0 }},
  {{ name = "due_on", type = "date", optional = true }},
  {{ name = "status", type = "enum", values = ["draft", "sent", "paid"], default = "draft" }},
]

[migrations]
create_invoices = "{version}"
"#
    )
}

/// `preset` with the example's resources declared too, as `new` declares them without a preset.
fn with_example(preset: &str) -> String {
    let example = include_str!("../templates/resource/example.toml");
    let declared: String = example
        .lines()
        .map(|line| match line.strip_prefix('[') {
            Some(table) => format!("[resources.{table}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    format!("{declared}\n{preset}")
}

/// `new` with `selection` and the invoices of `project` declared, inside `tmp`.
fn new_with_invoices_of(project: &Path, tmp: &TempDir, selection: &Selection) -> PathBuf {
    let recorded = recorded(project);
    let version = &recorded.migrations["create_invoices"];
    let owner = recorded.resources["invoices"].owner;
    let preset = tmp.path().join("preset.toml");
    // The example's migrations keep the versions the project gave them.
    let mut text = with_example(&invoices_preset(owner, version));
    for name in ["create_projects", "projects_owner"] {
        if let Some(version) = recorded.migrations.get(name) {
            text.push_str(&format!("{name} = \"{version}\"\n"));
        }
    }
    fs::write(&preset, text).unwrap();
    let parent = tmp.path().join("expected");
    fs::create_dir_all(&parent).unwrap();
    omnistack(&parent)
        .args(["new", "app", "--preset"])
        .arg(&preset)
        .args(change_support::flags(&catalogue(), selection))
        .assert()
        .success();
    parent.join("app")
}

/// The default modules and the job queue.
fn defaults_with_jobs() -> Selection {
    let catalogue = catalogue();
    let jobs = catalogue.module("jobs").expect("the catalogue has jobs");
    change_support::with(jobs, &defaults(&catalogue), "redis")
}

/// The default modules but auth (with jobs, no feature brings migrations of its own then).
fn defaults_without_auth() -> Selection {
    let mut selection = defaults(&catalogue());
    selection.insert("auth".into(), Vec::new());
    selection
}

/// The tables the purge job of `project` purges, in order.
fn purged_tables(project: &Path) -> Vec<String> {
    let job = fs::read_to_string(project.join("src/jobs/purge_soft_deleted.rs")).unwrap();
    job.lines()
        .filter_map(|line| line.trim().strip_prefix("purge(state, \""))
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn generate_resource_beside_jobs_renders_its_purge_with_the_example_projects() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults_with_jobs());

    generate_invoices(&project);

    assert_eq!(purged_tables(&project), ["invoices", "projects"]);
    assert!(project.join("tests/api/invoices_purge.rs").is_file());
}

#[test]
fn a_resources_purge_is_told_in_its_readme_section() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults_with_jobs());

    generate_invoices(&project);

    let readme = fs::read_to_string(project.join("README.md")).unwrap();
    let section = readme
        .split("## `invoices`")
        .nth(1)
        .expect("a section on invoices");
    let section = section.split("\n#").next().unwrap();
    assert!(
        section.contains("Soft-deleted invoices stay restorable"),
        "{section}"
    );
}

#[test]
fn a_new_project_declares_the_example_as_any_resource_is_declared() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);

    let example = &catalogue().example;
    assert_eq!(&recorded(&project).resources, example);
    assert!(project.join("src/projects/routes.rs").is_file());
    assert!(project.join("tests/api/projects/ownerless.rs").is_file());
}

#[test]
fn new_with_no_example_declares_no_resource_even_from_a_preset() {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("preset.toml"), with_example("")).unwrap();
    for args in [
        vec!["new", "plain"],
        vec!["new", "preset", "--preset", "preset.toml"],
    ] {
        omnistack(tmp.path())
            .args(&args)
            .args(["--yes", "--no-example"])
            .assert()
            .success();
        let project = tmp.path().join(args[1]);

        assert!(recorded(&project).resources.is_empty(), "{args:?}");
        assert!(!project.join("src/projects").exists(), "{args:?}");
    }
}

#[test]
fn no_example_keeps_a_presets_own_resource_of_the_examples_name() {
    let tmp = TempDir::new().unwrap();
    let own =
        "[resources.projects]\nowner = \"user\"\nfields = [{ name = \"code\", type = \"text\" }]\n";
    fs::write(tmp.path().join("preset.toml"), own).unwrap();

    omnistack(tmp.path())
        .args([
            "new",
            "app",
            "--preset",
            "preset.toml",
            "--yes",
            "--no-example",
        ])
        .assert()
        .success();

    let resources = recorded(&tmp.path().join("app")).resources;
    assert_eq!(resources["projects"].fields[0].name, "code");
    assert!(!tmp.path().join("app/src/reports").exists());
}

#[test]
fn removing_the_example_beside_auth_and_jobs_takes_the_reports_and_the_purge_saying_so() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults_with_jobs());

    omnistack(&project)
        .args(["remove", "resource", "projects"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The feature `reports` goes with it, as it needs the example's resources",
        ))
        .stdout(predicate::str::contains(
            "The feature `purge` goes with it, as it needs a resource",
        ));

    for gone in [
        "src/reports",
        "src/jobs/purge_soft_deleted.rs",
        "src/projects",
    ] {
        assert!(!project.join(gone).exists(), "{gone}");
    }
    assert!(
        fs::read_to_string(project.join("migrations").join(format!(
            "{}_reports.sql",
            recorded(&project).migrations["reports"]
        )))
        .is_ok(),
        "the reports migration stays, as databases applied it"
    );
}

#[test]
fn a_first_resource_beside_jobs_brings_the_purge_saying_so() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults_with_jobs());
    omnistack(&project)
        .args(["remove", "resource", "projects"])
        .assert()
        .success();
    commit_all(&project, "no example");

    omnistack(&project)
        .args(["generate", "resource", "invoices"])
        .args(INVOICE_FIELDS)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The feature `purge` comes with it",
        ));

    assert_eq!(purged_tables(&project), ["invoices"]);
}

#[test]
fn removing_a_resource_beside_jobs_leaves_the_purge_of_the_others() {
    let tmp = TempDir::new().unwrap();
    let project = generate(tmp.path(), &defaults_with_jobs());
    let before = files(&project);
    generate_invoices(&project);
    commit_all(&project, "invoices");

    omnistack(&project)
        .args(["remove", "resource", "invoices"])
        .assert()
        .success();

    assert_eq!(purged_tables(&project), ["projects"]);
    let version = recorded(&project).migrations["create_invoices"].clone();
    assert_eq!(
        differing(&files(&project), &before),
        [
            format!("migrations/{version}_create_invoices.sql"),
            "omnistack.toml".to_string()
        ]
    );
}

#[test]
fn add_jobs_to_a_project_with_a_resource_equals_new_with_both() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);
    generate_invoices(&project);
    commit_all(&project, "invoices");

    omnistack(&project)
        .args(["add", "jobs", "--provider", "redis", "--yes"])
        .assert()
        .success();

    assert!(project.join("tests/api/invoices_purge.rs").is_file());
    let jobs = catalogue().module("jobs").cloned().unwrap();
    let selection = change_support::with(&jobs, &defaults_without_auth(), "redis");
    let expected = new_with_invoices_of(&project, &tmp, &selection);
    assert_eq!(
        differing(&files(&project), &files(&expected)),
        Vec::<String>::new(),
        "these files differ between `add jobs` and `new` with jobs and the resource"
    );
}

#[test]
fn remove_jobs_from_a_project_with_a_resource_equals_new_without_it() {
    let tmp = TempDir::new().unwrap();
    let jobs = catalogue().module("jobs").cloned().unwrap();
    let selection = change_support::with(&jobs, &defaults_without_auth(), "redis");
    let project = generate(tmp.path(), &selection);
    generate_invoices(&project);
    commit_all(&project, "invoices");

    omnistack(&project)
        .args(["remove", "jobs", "--yes"])
        .assert()
        .success();

    assert!(!project.join("tests/api/invoices_purge.rs").exists());
    let expected = new_with_invoices_of(&project, &tmp, &defaults_without_auth());
    assert_eq!(
        differing(&files(&project), &files(&expected)),
        Vec::<String>::new(),
        "these files differ between `remove jobs` and `new` without jobs, with the resource"
    );
}

/// `[resources.notes]`, shared until the project has auth and owned after.
const FOLLOWS_AUTH_NOTES: &str = r#"[resources.notes]
owner = "follows-auth"
fields = [
  { name = "title", type = "string", max-length = 100 },
  { name = "body", type = "text", max-length = 2000, optional = true },
]
"#;

fn generate_follows_auth_notes(project: &Path) {
    omnistack(project)
        .args(["generate", "resource", "notes", "title:string(100)"])
        .args(["body:text(2000)?", "--owner", "follows-auth"])
        .assert()
        .success();
}

#[test]
fn without_auth_a_follows_auth_resource_is_the_shared_one_but_for_what_it_says() {
    let shared = FOLLOWS_AUTH_NOTES.replace("follows-auth", "none");
    let render = |declarations: &str| {
        let answers = answers_declaring(declarations, false);
        omnistack::generate(&catalogue(), &answers)
            .expect("renders")
            .files
    };

    let differ: BTreeSet<String> = differing(&render(FOLLOWS_AUTH_NOTES), &render(&shared))
        .into_iter()
        .collect();

    assert_eq!(
        Vec::from_iter(differ),
        [
            "README.md",
            "migrations/20250201000000_create_notes.sql",
            "omnistack.toml",
            "src/notes/mod.rs",
        ]
    );
}

#[test]
fn with_auth_a_follows_auth_resource_is_created_shared_and_given_a_nullable_owner_by_a_migration_of_its_own()
 {
    let answers = answers_declaring(FOLLOWS_AUTH_NOTES, true);

    let files = omnistack::generate(&catalogue(), &answers).unwrap().files;

    let text = |path: &str| String::from_utf8(files[path].clone()).unwrap();
    let create = text("migrations/20250201000000_create_notes.sql");
    let owner = text("migrations/20250201000001_notes_owner.sql");
    assert!(!create.contains("owner_id"), "{create}");
    assert!(
        owner.contains(
            "ALTER TABLE notes ADD COLUMN owner_id uuid REFERENCES users (id) ON DELETE CASCADE;"
        ),
        "{owner}"
    );
    assert!(text("src/notes/model.rs").contains("pub owner_id: Option<Uuid>,"));
    assert!(files.contains_key("tests/api/notes/ownerless.rs"));
    let openapi: serde_json::Value = serde_json::from_slice(&files["openapi.json"]).unwrap();
    let note = &openapi["components"]["schemas"]["Note"];
    assert_eq!(
        note["properties"]["owner_id"]["type"],
        serde_json::json!(["string", "null"])
    );
    assert!(
        !note["required"]
            .as_array()
            .unwrap()
            .contains(&"owner_id".into())
    );
}

#[test]
fn adding_auth_under_a_follows_auth_resource_equals_new_with_both_but_for_migration_versions() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);
    generate_follows_auth_notes(&project);
    commit_all(&project, "notes");

    omnistack(&project)
        .args(["add", "auth", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The rows of `notes` are now owned: each new one belongs to the user who creates it",
        ));

    assert_eq!(
        differing(&files(&project), &recorded_render(&project)),
        Vec::<String>::new()
    );
    let preset = tmp.path().join("preset.toml");
    fs::write(&preset, with_example(FOLLOWS_AUTH_NOTES)).unwrap();
    let parent = tmp.path().join("expected");
    fs::create_dir_all(&parent).unwrap();
    omnistack(&parent)
        .args(["new", "app", "--preset"])
        .arg(&preset)
        .args(change_support::flags(&catalogue(), &defaults(&catalogue())))
        .assert()
        .success();
    assert_eq!(
        differing(
            &without_migration_versions(&files(&project)),
            &without_migration_versions(&files(&parent.join("app")))
        ),
        Vec::<String>::new()
    );
    // Each follows-auth resource's owner migration comes after every other (the example's too).
    let migrations = recorded(&project).migrations;
    let users = &migrations["users"];
    let mut latest: Vec<&String> = migrations.values().collect();
    latest.sort();
    assert_eq!(
        latest[latest.len() - 3..],
        [
            users,
            &migrations["notes_owner"],
            &migrations["projects_owner"]
        ]
    );
}

#[test]
fn removing_auth_shares_a_follows_auth_resources_rows_again_and_keeps_its_owner_migration() {
    let tmp = TempDir::new().unwrap();
    let project = project_without_auth(&tmp);
    generate_follows_auth_notes(&project);
    commit_all(&project, "notes");
    let before = files(&project);
    omnistack(&project)
        .args(["add", "auth", "--yes"])
        .assert()
        .success();
    commit_all(&project, "auth");

    omnistack(&project)
        .args(["remove", "auth", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "The rows of `notes` are shared again, on the public routes",
        ));

    let version = recorded(&project).migrations["notes_owner"].clone();
    assert!(
        project
            .join(format!("migrations/{version}_notes_owner.sql"))
            .is_file()
    );
    let left: Vec<String> = differing(&files(&project), &before)
        .into_iter()
        .filter(|path| !path.starts_with("migrations/"))
        .collect();
    assert_eq!(left, ["omnistack.toml"]);
    assert_eq!(
        differing(&files(&project), &recorded_render(&project)),
        Vec::<String>::new()
    );
}

#[test]
fn generating_then_removing_a_follows_auth_resource_beside_auth_leaves_only_its_migrations() {
    let tmp = TempDir::new().unwrap();
    let project = project(&tmp);
    let before = files(&project);
    generate_follows_auth_notes(&project);
    commit_all(&project, "notes");

    omnistack(&project)
        .args(["remove", "resource", "notes"])
        .assert()
        .success();

    let recorded = recorded(&project).migrations;
    assert_eq!(
        differing(&files(&project), &before),
        [
            format!("migrations/{}_create_notes.sql", recorded["create_notes"]),
            format!("migrations/{}_notes_owner.sql", recorded["notes_owner"]),
            "omnistack.toml".to_string()
        ]
    );
}

/// `declarations` without their unique fields, which a follows-auth resource cannot have.
fn without_unique(declarations: &str) -> String {
    declarations
        .lines()
        .filter(|line| !line.contains("unique = true"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn follows_auth_resources_beside_auth_named_up_to_thirty_characters_are_rendered_as_rustfmt_lays_them_out()
 {
    let (declarations, names) = up_to_thirty_characters("follows-auth", "follows-auth");
    let diff = rustfmt_diff(
        &answers_declaring(&without_unique(&declarations), true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn follows_auth_resources_beside_auth_named_as_long_as_allowed_are_rendered_as_rustfmt_lays_them_out()
 {
    let (declarations, names) = longest("follows-auth");
    let diff = rustfmt_diff(
        &answers_declaring(&without_unique(&declarations), true),
        &names,
        &["src", "tests/api"],
    );
    assert!(diff.is_empty(), "{diff}");
}

#[test]
fn resources_whose_fields_are_all_optional_are_rendered_as_rustfmt_lays_them_out() {
    for (owner, auth) in [("user", true), ("none", true), ("none", false)] {
        let declarations = format!(
            "[resources.notes]\nowner = \"{owner}\"\nfields = [\n  {{ name = \"title\", type = \"string\", optional = true }},\n  {{ name = \"body\", type = \"text\", optional = true }},\n]\n"
        );
        let diff = rustfmt_diff(
            &answers_declaring(&declarations, auth),
            &["notes"],
            &["src", "tests/api"],
        );
        assert!(diff.is_empty(), "owner {owner}, auth {auth}:\n{diff}");
    }
}

/// The file `path` of the project `answers` render.
fn rendered(answers: &omnistack::answers::Answers, path: &str) -> String {
    let tree = omnistack::generate(&catalogue(), answers).expect("renders");
    let bytes = tree.files.get(path).unwrap_or_else(|| panic!("no {path}"));
    String::from_utf8(bytes.clone()).unwrap()
}

/// `orders` refer to `stores`, which refer to `regions`, each `ref` required, of `owner`.
fn chain_of_required_refs(owner: &str) -> String {
    format!(
        "[resources.regions]\nowner = \"{owner}\"\nfields = [{{ name = \"name\", type = \"string\" }}]\n\n\
         [resources.stores]\nowner = \"{owner}\"\nfields = [\n  {{ name = \"name\", type = \"string\" }},\n  \
         {{ name = \"region_id\", type = \"ref\", to = \"regions\" }},\n]\n\n\
         [resources.orders]\nowner = \"{owner}\"\nfields = [\n  {{ name = \"title\", type = \"string\" }},\n  \
         {{ name = \"store_id\", type = \"ref\", to = \"stores\" }},\n]\n"
    )
}

#[test]
fn the_tests_create_the_rows_a_referred_row_requires_down_the_chain_of_refs() {
    for (owner, auth, helper, call) in [
        (
            "user",
            true,
            "pub async fn seed_region_as(&self, token: &str) -> String {",
            "\"region_id\": self.seed_region_as(token).await",
        ),
        (
            "none",
            true,
            "pub async fn seed_region_as(&self, token: &str) -> String {",
            "\"region_id\": self.seed_region_as(token).await",
        ),
        (
            "none",
            false,
            "pub async fn seed_region(&self) -> String {",
            "\"region_id\": self.seed_region().await",
        ),
    ] {
        let answers = answers_declaring(&chain_of_required_refs(owner), auth);
        let orders = rendered(&answers, "tests/api/orders/mod.rs");

        assert!(
            orders.contains(helper),
            "owner {owner}, auth {auth}:\n{orders}"
        );
        assert!(
            orders.contains(call),
            "owner {owner}, auth {auth}:\n{orders}"
        );
        let diff = rustfmt_diff(&answers, &["orders"], &["tests/api"]);
        assert!(diff.is_empty(), "owner {owner}, auth {auth}:\n{diff}");
    }
}

#[test]
fn ref_fields_named_as_the_tests_app_members_keep_their_rows_apart() {
    for (owner, auth) in [("user", true), ("none", true), ("none", false)] {
        let declarations = format!(
            "[resources.others]\nowner = \"{owner}\"\nfields = [{{ name = \"a\", type = \"i32\" }}]\n\n\
             [resources.things]\nowner = \"{owner}\"\nfields = [\n  \
             {{ name = \"app\", type = \"ref\", to = \"others\" }},\n  \
             {{ name = \"auth\", type = \"ref\", to = \"others\" }},\n  \
             {{ name = \"token\", type = \"ref\", to = \"others\" }},\n]\n"
        );
        let things = rendered(
            &answers_declaring(&declarations, auth),
            "tests/api/things/mod.rs",
        );

        for field in ["app", "auth", "token"] {
            let member = format!("pub {field}_rows: [String; 2],");
            assert!(
                things.contains(&member),
                "owner {owner}, auth {auth}:\n{things}"
            );
            let clash = format!("pub {field}: [String; 2],");
            assert!(
                !things.contains(&clash),
                "owner {owner}, auth {auth}:\n{things}"
            );
        }
    }
}

#[test]
fn a_ref_field_named_as_a_chains_row_keeps_a_helper_of_its_own() {
    let declarations = chain_of_required_refs("user").replace(
        "{ name = \"store_id\", type = \"ref\", to = \"stores\" },",
        "{ name = \"store_id\", type = \"ref\", to = \"stores\" },\n  \
         { name = \"region_row\", type = \"ref\", to = \"regions\" },",
    );
    let orders = rendered(
        &answers_declaring(&declarations, true),
        "tests/api/orders/mod.rs",
    );

    for helper in ["create_region_row_as(", "seed_region_as("] {
        let definition = format!("pub async fn {helper}");
        assert_eq!(
            orders.matches(&definition).count(),
            1,
            "{helper}:\n{orders}"
        );
    }
}

#[test]
fn the_tests_values_of_a_unique_string_fit_its_length_and_differ_from_one_character_up() {
    for max in 1..=12 {
        let declarations = format!(
            "[resources.codes]\nowner = \"user\"\nfields = [\n  \
             {{ name = \"code\", type = \"string\", max-length = {max}, unique = true }},\n]\n\n\
             [resources.badges]\nowner = \"user\"\nfields = [\n  \
             {{ name = \"code_id\", type = \"ref\", to = \"codes\" }},\n]\n"
        );
        let answers = answers_declaring(&declarations, true);
        let codes = rendered(&answers, "tests/api/codes/mod.rs");
        let validation = rendered(&answers, "tests/api/codes/validation.rs");
        let badges = rendered(&answers, "tests/api/badges/mod.rs");

        // The two samples, cut to `max`, differ by their first letter.
        let samples: Vec<&str> = codes
            .lines()
            .filter_map(|line| line.trim().strip_prefix("\"code\": \""))
            .map(|rest| rest.trim_end_matches("\","))
            .collect();
        assert_eq!(samples.len(), 2, "{codes}");
        assert_ne!(samples[0], samples[1]);
        assert!(samples.iter().all(|sample| sample.chars().count() <= max));
        // Each other body's value and each referred row's is a character of its own below 10
        // characters, and a sample with a number after it from 10 (`Alpha-12`).
        if max < 10 {
            assert!(
                codes.contains("body[\"code\"] = json!(nth_char(n));"),
                "{codes}"
            );
            assert!(
                badges.contains("\"code\": nth_char(BODIES.fetch_add(1, Ordering::Relaxed))"),
                "{badges}"
            );
            assert!(
                badges.contains("fn nth_char(n: usize) -> String {"),
                "{badges}"
            );
        } else {
            assert!(!codes.contains("nth_char"), "{codes}");
            assert!(!badges.contains("nth_char"), "{badges}");
        }
        // Clippy refuses `"x".repeat(1)` (`repeat_once`).
        if max == 1 {
            assert!(
                validation.contains("async fn a_code_of_1_character_is_accepted() {"),
                "{validation}"
            );
            assert!(
                validation.contains("let longest = \"x\".to_owned();"),
                "{validation}"
            );
        }
    }
}
