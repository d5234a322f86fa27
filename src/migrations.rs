//! The SQL migrations of a project: which version each module migration gets, so that module
//! migrations never share a version with the user's and apply in the same order everywhere.
//!
//! A template ships `files/migrations/<version>_<name>.sql`: `<name>` is the migration's logical
//! name, unique across the catalogue, and `<version>` the version a new project gives it. A
//! migration that enters an existing project (`add`, or `update` to a release that has a new
//! one) gets a fresh version instead, after every migration the project already has, since
//! databases in use have applied those. `omnistack.toml` records every module migration's
//! version (`[migrations]`), so that rendering the recorded answers is exact.
//!
//! A resource's migrations (see [`crate::resource`]) follow the same rule: recorded under their
//! logical names, a fresh version when they enter an existing project (`generate resource`,
//! `generate field`, `remove resource --drop-table`), and in a new project the default version
//! of their place in [`resource::migration_names`].

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::answers::Answers;
use crate::catalogue::Catalogue;
use crate::plan;
use crate::render::RenderedTree;
use crate::resource;

/// The directory of the generated project that holds its migrations.
pub const DIR: &str = "migrations";

/// The digits of a version, as `sqlx migrate add` writes them (`YYYYMMDDHHMMSS`).
const VERSION_DIGITS: usize = 14;

/// Two migrations that would share a version.
#[derive(Debug, thiserror::Error)]
#[error(
    "{new} would have the version of your {existing}: two migrations with one version fail on every database. Rename {existing} with a new version (as `sqlx migrate add` would name it), or change the version of `{name}` in omnistack.toml's [migrations], then run the change again"
)]
pub struct Collision {
    /// The migration of the new render.
    pub new: String,
    /// The project's migration with the same version.
    pub existing: String,
    /// The logical name of the new render's migration.
    pub name: String,
}

/// A module migration as a template ships it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    /// Its logical name, the key in `omnistack.toml`'s `[migrations]`.
    pub name: String,
    /// The version a new project gives it.
    pub default_version: String,
}

impl Shipped {
    /// The migration a template file at `path` (relative to the unit's `files/`) ships, if it is
    /// one; an error says why a file in `migrations/` is not named as a module migration must be.
    pub fn from_template_path(path: &str) -> Option<Result<Self, String>> {
        let file = path.strip_prefix(DIR)?.strip_prefix('/')?;
        let parsed = split(file)
            .filter(|(_, name)| is_name(name))
            .map(|(version, name)| Self {
                name: name.to_string(),
                default_version: version.to_string(),
            })
            .ok_or_else(|| {
                format!(
                    "{path}: a module migration is named `{DIR}/<{VERSION_DIGITS} digits>_<snake_case name>.sql`"
                )
            });
        Some(parsed)
    }

    /// Its path in a project where its version is `version`.
    pub fn path(&self, version: &str) -> String {
        format!("{DIR}/{version}_{}.sql", self.name)
    }
}

/// The version and the rest of a migration file's name (`20250102000000_users.sql`), when it
/// is named as sqlx reads it: digits, `_`, a description, `.sql`.
fn split(file: &str) -> Option<(&str, &str)> {
    let (version, rest) = file.split_once('_')?;
    let name = rest.strip_suffix(".sql")?;
    let digits = version.len() == VERSION_DIGITS && version.bytes().all(|b| b.is_ascii_digit());
    (digits && !name.is_empty() && !name.contains('/')).then_some((version, name))
}

fn is_name(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

/// Whether `version` is written as a migration version of `omnistack.toml` must be.
pub fn is_version(version: &str) -> bool {
    version.len() == VERSION_DIGITS && version.bytes().all(|b| b.is_ascii_digit())
}

/// The version of a project file, when it is a migration sqlx would read (`migrations/<n>_*.sql`).
pub fn version_of(path: &str) -> Option<u64> {
    let file = path.strip_prefix(DIR)?.strip_prefix('/')?;
    let (version, rest) = file.split_once('_')?;
    if !rest.ends_with(".sql") || rest.contains('/') {
        return None;
    }
    version.parse().ok()
}

/// Gives every module and resource migration of `answers` that has no recorded version one.
///
/// The versions of migrations the answers no longer include stay recorded: the project keeps
/// those migrations (see [`crate::plan`]), since databases have applied them.
///
/// `existing` are the paths of the project's files (its `HEAD`). In a project from before
/// versions were recorded (none is), a migration already there under its name keeps the
/// version it has; once the record holds versions, such a file is the user's own (their
/// `uploads` table), never the module's. With `now` (`YYYYMMDDHHMMSS`, UTC), any other gets a version after every migration in
/// `existing` and in the record, and not before `now`, so that it also sorts after migrations
/// written since. Without `now` it keeps the version its template ships (for rebuilding a
/// render made before versions were recorded).
pub fn assign<'p>(
    catalogue: &Catalogue,
    answers: &mut Answers,
    existing: impl IntoIterator<Item = &'p str> + Clone,
    now: Option<&str>,
) {
    let shipped = plan::migrations(catalogue, answers);
    let unrecorded = answers.migrations.is_empty();
    let mut latest = existing
        .clone()
        .into_iter()
        .filter_map(version_of)
        .chain(answers.migrations.values().filter_map(|v| v.parse().ok()))
        .max()
        .unwrap_or(0);

    for migration in &shipped {
        if answers.migrations.contains_key(&migration.name) {
            continue;
        }
        let suffix = format!("_{}.sql", migration.name);
        let present = existing
            .clone()
            .into_iter()
            .filter(|_| unrecorded)
            .find_map(|path| {
                let file = path.strip_prefix(DIR)?.strip_prefix('/')?;
                let version = file.strip_suffix(&suffix)?;
                is_version(version).then(|| version.to_string())
            });
        let version = match (present, now) {
            (Some(version), _) => version,
            (None, Some(now)) => {
                latest = (latest + 1).max(now.parse().unwrap_or(0));
                format!("{latest:0VERSION_DIGITS$}")
            }
            (None, None) => continue,
        };
        answers.migrations.insert(migration.name.clone(), version);
    }
    // A resource's migrations enter the project as a module's do; without `now`, an unrecorded
    // one keeps the default version of its place (see `resource::migration_versions`).
    if let Some(now) = now {
        let auth = !answers.providers(resource::check::AUTH_MODULE).is_empty();
        for name in resource::migration_names(&answers.resources, auth, &answers.migrations) {
            if answers.migrations.contains_key(&name) {
                continue;
            }
            latest = (latest + 1).max(now.parse().unwrap_or(0));
            answers
                .migrations
                .insert(name, format!("{latest:0VERSION_DIGITS$}"));
        }
    }
}

/// Gives every migration of `render` that the base render already has the base's bytes.
///
/// Databases in use have applied the base's migrations, and sqlx refuses to run once an
/// applied migration's checksum changes: a newer release whose template writes the migration
/// differently must not rewrite it in the project. A new migration carries the change instead.
/// A migration the render no longer has is left out as the render decides.
pub fn freeze(
    repo: &git2::Repository,
    base: &git2::Tree<'_>,
    render: &mut RenderedTree,
) -> Result<(), git2::Error> {
    for (path, bytes) in &mut render.files {
        if version_of(path).is_none() {
            continue;
        }
        let Ok(entry) = base.get_path(Path::new(path)) else {
            continue;
        };
        if entry.id() != git2::Oid::hash_object(git2::ObjectType::Blob, bytes)? {
            *bytes = repo.find_blob(entry.id())?.content().to_vec();
        }
    }
    Ok(())
}

/// Refuses a render whose migration has the version of another migration the project keeps:
/// one of `head_paths` that the merge from `base` to `render` does not delete.
pub fn check_render(
    head_paths: &[String],
    base: &git2::Tree<'_>,
    render: &RenderedTree,
    answers: &Answers,
) -> Result<(), Collision> {
    let project: BTreeMap<String, bool> = head_paths
        .iter()
        .filter(|path| version_of(path).is_some())
        .map(|path| {
            // The merge deletes a file of the base render that the new render lacks.
            let deleted =
                base.get_path(Path::new(path)).is_ok() && !render.files.contains_key(path);
            (path.clone(), !deleted)
        })
        .collect();
    check_collisions(render.files.keys().map(String::as_str), &project, answers)
}

/// Refuses a render whose migration has the version of another migration that stays in the
/// project: `project` maps the project's migration paths to whether the change keeps them.
pub fn check_collisions<'a>(
    render: impl IntoIterator<Item = &'a str>,
    project: &BTreeMap<String, bool>,
    answers: &Answers,
) -> Result<(), Collision> {
    for new in render {
        let Some(version) = version_of(new) else {
            continue;
        };
        let clash = project.iter().find(|(existing, kept)| {
            **kept && existing.as_str() != new && version_of(existing) == Some(version)
        });
        if let Some((existing, _)) = clash {
            let name = answers
                .migrations
                .iter()
                .find(|(name, v)| new.ends_with(&format!("{v}_{name}.sql")))
                .map(|(name, _)| name.clone())
                .unwrap_or_default();
            return Err(Collision {
                new: new.to_string(),
                existing: existing.clone(),
                name,
            });
        }
    }
    Ok(())
}

/// The current UTC time as `sqlx migrate add` names a migration: `YYYYMMDDHHMMSS`.
pub fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_utc(seconds)
}

/// Formats seconds since the epoch as `YYYYMMDDHHMMSS`, UTC.
///
/// Written here (Howard Hinnant's `civil_from_days`) rather than pulling a date crate for one
/// timestamp a change.
fn format_utc(seconds: u64) -> String {
    let (days, secs) = (seconds / 86_400, seconds % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The defaults and the example, with `storage` (whose migration is `uploads`) as given.
    fn answers(storage: &[&str], recorded: &[(&str, &str)]) -> (Catalogue, Answers) {
        let catalogue = Catalogue::embedded().unwrap();
        let answers = Answers {
            migrations: recorded
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            resources: catalogue.example.clone(),
            ..Answers::defaults(&catalogue).answering("storage", storage)
        };
        (catalogue, answers)
    }

    const USERS: (&str, &str) = ("users", "20250102000000");
    /// What `new` records for the defaults, which have no storage.
    const DEFAULTS: [(&str, &str); 4] = [
        ("init", "20250101000000"),
        USERS,
        ("create_projects", "20250201000000"),
        ("projects_owner", "20250201000001"),
    ];

    #[test]
    fn a_new_migration_gets_a_version_after_every_existing_one_and_not_before_now() {
        let (catalogue, mut answers) = answers(&["s3"], &DEFAULTS);
        let existing = [
            "migrations/20250102000000_users.sql",
            "migrations/30000101000000_mine.sql",
        ];

        assign(&catalogue, &mut answers, existing, Some("20261202120000"));

        assert_eq!(answers.migrations["uploads"], "30000101000001");
        let (catalogue, mut answers) = self::answers(&["s3"], &DEFAULTS);
        assign(
            &catalogue,
            &mut answers,
            existing[..1].iter().copied(),
            Some("20261202120000"),
        );
        assert_eq!(answers.migrations["uploads"], "20261202120000");
    }

    #[test]
    fn a_migration_in_the_project_under_its_name_and_unrecorded_keeps_its_version() {
        let (catalogue, mut answers) = answers(&["s3"], &[]);
        let existing = [
            "migrations/20250101000000_init.sql",
            "migrations/20250104000000_uploads.sql",
        ];

        assign(&catalogue, &mut answers, existing, Some("20261202120000"));

        assert_eq!(answers.migrations["uploads"], "20250104000000");
        assert_eq!(answers.migrations["init"], "20250101000000");
        // The others in the order units are planned, then the resources' (the example's table,
        // then its owner, which refers to `users`).
        assert_eq!(answers.migrations["users"], "20261202120000");
        assert_eq!(answers.migrations["create_projects"], "20261202120001");
        assert_eq!(answers.migrations["projects_owner"], "20261202120002");
    }

    #[test]
    fn once_versions_are_recorded_a_file_under_a_module_migration_name_is_the_users() {
        let (catalogue, mut answers) = answers(&["s3"], &DEFAULTS);
        let existing = ["migrations/20250104000000_uploads.sql"];

        assign(&catalogue, &mut answers, existing, Some("20261202120000"));

        assert_eq!(answers.migrations["uploads"], "20261202120000");
    }

    #[test]
    fn the_versions_of_migrations_the_answers_no_longer_include_stay_recorded() {
        let (catalogue, mut answers) = answers(&[], &[USERS, ("uploads", "20250104000000")]);

        assign(&catalogue, &mut answers, [], None);

        assert_eq!(answers.migrations["uploads"], "20250104000000");
        assert_eq!(answers.migrations["users"], USERS.1);
    }

    #[test]
    fn a_new_resource_migration_gets_a_version_after_every_existing_one() {
        let (catalogue, mut answers) = answers(&[], &DEFAULTS);
        answers.resources = toml::from_str(
            r#"
[invoices]
fields = [
  { name = "title", type = "text" },
  { name = "paid", type = "bool", optional = true, added = "add_paid_to_invoices" },
]
"#,
        )
        .unwrap();
        answers
            .migrations
            .insert("create_invoices".into(), "20261201000000".into());
        let existing = ["migrations/20261205000000_mine.sql"];

        assign(&catalogue, &mut answers, existing, Some("20261202120000"));

        assert_eq!(answers.migrations["create_invoices"], "20261201000000");
        assert_eq!(answers.migrations["add_paid_to_invoices"], "20261205000001");
    }

    #[test]
    fn without_now_an_unrecorded_resource_migration_stays_unrecorded() {
        let (catalogue, mut answers) = answers(&[], &DEFAULTS);
        answers.resources =
            toml::from_str("[invoices]\nfields = [{ name = \"title\", type = \"text\" }]\n")
                .unwrap();

        assign(&catalogue, &mut answers, [], None);

        assert!(!answers.migrations.contains_key("create_invoices"));
    }

    #[test]
    fn a_render_migration_with_the_version_of_a_kept_project_migration_is_refused() {
        let (_, answers) = answers(&["s3"], &[("uploads", "20250104000000")]);
        let project = BTreeMap::from([("migrations/20250104000000_orders.sql".to_string(), true)]);

        let err = check_collisions(
            ["migrations/20250104000000_uploads.sql"],
            &project,
            &answers,
        )
        .unwrap_err();

        assert_eq!(err.existing, "migrations/20250104000000_orders.sql");
        assert_eq!(err.name, "uploads");
        let deleted = BTreeMap::from([("migrations/20250104000000_orders.sql".to_string(), false)]);
        assert!(
            check_collisions(
                ["migrations/20250104000000_uploads.sql"],
                &deleted,
                &answers
            )
            .is_ok()
        );
    }

    #[test]
    fn utc_times_are_formatted_as_sqlx_names_migrations() {
        assert_eq!(format_utc(0), "19700101000000");
        assert_eq!(format_utc(951_782_400), "20000229000000");
        assert_eq!(format_utc(1_800_000_000), "20270115080000");
    }

    #[test]
    fn a_template_migration_gives_its_name_and_default_version() {
        assert_eq!(
            Shipped::from_template_path("migrations/20250102000000_users.sql"),
            Some(Ok(Shipped {
                name: "users".into(),
                default_version: "20250102000000".into()
            }))
        );
        assert_eq!(Shipped::from_template_path("src/main.rs"), None);
    }

    #[test]
    fn a_template_migration_without_a_full_version_is_refused() {
        let err = Shipped::from_template_path("migrations/2025_users.sql")
            .unwrap()
            .unwrap_err();
        assert!(err.contains("14 digits"), "{err}");
    }

    #[test]
    fn the_version_of_any_sqlx_migration_is_read() {
        assert_eq!(version_of("migrations/0001_orders.sql"), Some(1));
        assert_eq!(
            version_of("migrations/20250104000000_orders.sql"),
            Some(20_250_104_000_000)
        );
        assert_eq!(version_of("migrations/readme.md"), None);
        assert_eq!(version_of("src/migrations/1_x.sql"), None);
    }
}
