//! `DATABASE_URL`: the server answers, accepts the credentials and has the database, and every
//! file in `migrations/` is applied.
//!
//! Through the `postgres` crate rather than a hand-written client: PostgreSQL 14 and later (and
//! the `postgres` Docker image) authenticate with SCRAM-SHA-256, which a few bytes of protocol
//! cannot do; the crate also reads both forms of connection string, as sqlx does.

use std::collections::BTreeSet;
use std::str::FromStr;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use super::{Finding, Setup, TIMEOUT};

const VARIABLE: &str = "DATABASE_URL";

/// Where a connection string points, for messages and fixes (never the password).
struct Target {
    host: String,
    port: u16,
    user: String,
    database: String,
}

impl Target {
    fn of(config: &Config) -> Self {
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(host)) => host.clone(),
            #[cfg(unix)]
            Some(postgres::config::Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_string(),
        };
        let user = config.get_user().unwrap_or("postgres").to_string();
        Self {
            host,
            port: config.get_ports().first().copied().unwrap_or(5432),
            database: config.get_dbname().unwrap_or(&user).to_string(),
            user,
        }
    }

    fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// The parsed `DATABASE_URL`, or the finding that says why there is none.
fn config(setup: &Setup) -> Result<Config, Finding> {
    let Some(url) = setup.env.non_empty(VARIABLE) else {
        return Err(Finding::skipped(format!("{VARIABLE} is not set")));
    };
    let mut config = Config::from_str(&url).map_err(|_| {
        Finding::problem(
            format!("{VARIABLE} is not a PostgreSQL connection URL"),
            "write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (see .env.example)",
        )
    })?;
    config.connect_timeout(TIMEOUT);
    Ok(config)
}

/// Connects, turning every failure into a problem said in plain words with its fix.
fn connect(config: &Config) -> Result<Client, Finding> {
    let target = Target::of(config);
    config
        .connect(NoTls)
        .map_err(|error| connection_problem(&error, &target))
}

fn connection_problem(error: &postgres::Error, target: &Target) -> Finding {
    let address = target.address();
    if let Some(db) = error.as_db_error() {
        let code = db.code();
        if *code == SqlState::INVALID_CATALOG_NAME {
            return Finding::problem(
                format!(
                    "PostgreSQL at {address} has no database `{}`",
                    target.database
                ),
                format!(
                    "create it: `createdb -h {} -p {} -U {} {}` (or `sqlx database create`)",
                    target.host, target.port, target.user, target.database
                ),
            );
        }
        if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            return Finding::problem(
                format!(
                    "PostgreSQL at {address} refused user `{}`: {}",
                    target.user,
                    db.message()
                ),
                format!("check the user and password in {VARIABLE}"),
            );
        }
        return Finding::problem(
            format!("PostgreSQL at {address}: {}", db.message()),
            format!("check {VARIABLE} and the server's log"),
        );
    }
    match io_error_kind(error) {
        Some(std::io::ErrorKind::ConnectionRefused) => Finding::problem(
            format!("nothing listens on {address} (connection refused)"),
            format!(
                "start PostgreSQL (`make up` runs it in a container), or fix the host and port in {VARIABLE}"
            ),
        ),
        Some(std::io::ErrorKind::TimedOut) => Finding::problem(
            format!("no answer from {address} within {} s", TIMEOUT.as_secs()),
            format!("check that the host in {VARIABLE} is reachable from here"),
        ),
        _ => Finding::problem(
            format!("cannot connect to PostgreSQL at {address}: {error}"),
            format!("check {VARIABLE}"),
        ),
    }
}

/// The kind of the I/O error under a connection error, if that is what it is.
fn io_error_kind(error: &postgres::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

/// The server in `DATABASE_URL` answers, accepts the credentials and has the database.
pub fn check_connection(setup: &Setup) -> Finding {
    let config = match config(setup) {
        Ok(config) => config,
        Err(finding) => return finding,
    };
    let target = Target::of(&config);
    match connect(&config) {
        Ok(_) => Finding::ok(format!(
            "PostgreSQL at {} has database `{}`",
            target.address(),
            target.database
        )),
        Err(finding) => finding,
    }
}

/// The versions of the migrations in `migrations/`, as sqlx numbers them (`<version>_<name>.sql`).
fn migration_files(setup: &Setup) -> std::io::Result<BTreeSet<i64>> {
    let mut versions = BTreeSet::new();
    for entry in std::fs::read_dir(setup.root.join("migrations"))? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        // A reversible migration's `.down.sql` undoes its `.up.sql`: only the latter is applied.
        if !name.ends_with(".sql") || name.ends_with(".down.sql") {
            continue;
        }
        if let Some(version) = name.split('_').next().and_then(|v| v.parse().ok()) {
            versions.insert(version);
        }
    }
    Ok(versions)
}

/// The versions sqlx has recorded as successfully applied.
fn applied(client: &mut Client) -> Result<BTreeSet<i64>, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('_sqlx_migrations') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(BTreeSet::new());
    }
    Ok(client
        .query("SELECT version FROM _sqlx_migrations WHERE success", &[])?
        .iter()
        .map(|row| row.get(0))
        .collect())
}

/// Every migration in `migrations/` has been applied to the database.
pub fn check_migrations(setup: &Setup) -> Finding {
    let files = match migration_files(setup) {
        Ok(files) => files,
        Err(error) => {
            return Finding::problem(
                format!("cannot read migrations/: {error}"),
                "restore migrations/ from git",
            );
        }
    };
    let Ok(mut client) = config(setup).and_then(|config| connect(&config)) else {
        return Finding::skipped("the database is not reachable (see `database`)");
    };
    let applied = match applied(&mut client) {
        Ok(applied) => applied,
        Err(error) => {
            return Finding::problem(
                format!("cannot read the applied migrations: {error}"),
                "check that the user in DATABASE_URL may read _sqlx_migrations",
            );
        }
    };
    let pending: Vec<String> = files
        .difference(&applied)
        .map(ToString::to_string)
        .collect();
    if pending.is_empty() {
        Finding::ok(format!("the {} migrations are applied", files.len()))
    } else {
        Finding::problem(
            format!(
                "{} of {} migrations not applied: {}",
                pending.len(),
                files.len(),
                pending.join(", ")
            ),
            "make migrate",
        )
    }
}
