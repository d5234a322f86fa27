//! Postgres: the connection pool and the embedded migrations.

mod pool;

pub use pool::{DEFAULT_MAX_CONNECTIONS, connect};

use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};

/// The SQL files in `migrations/`, embedded at compile time.
pub static MIGRATOR: Migrator = sqlx::migrate!();

/// Applies every pending migration.
pub async fn migrate(pool: &PgPool) -> Result<(), MigrateError> {
    MIGRATOR.run(pool).await
}
