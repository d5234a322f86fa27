//! Postgres settings.

use secrecy::SecretString;

use super::env::Env;
use crate::db;

/// How to reach Postgres and whether to migrate it on startup.
#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    /// Connection URL; secret because it usually carries a password.
    pub url: SecretString,
    /// Upper bound of the connection pool.
    pub max_connections: u32,
    /// Whether `serve` applies pending migrations before accepting traffic.
    pub run_migrations: bool,
}

impl DatabaseSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            url: env.required("DATABASE_URL").into(),
            max_connections: env.parsed("DATABASE_MAX_CONNECTIONS", db::DEFAULT_MAX_CONNECTIONS),
            run_migrations: env.parsed("RUN_MIGRATIONS", true),
        }
    }
}
