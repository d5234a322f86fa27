//! Connection pool for Postgres behind a transaction-mode pooler such as PgBouncer,
//! Supavisor or Neon (database mode `serverless`).
//!
//! In transaction mode every transaction may run on a different server connection, and
//! the platform may close idle connections at any time, so the pool stays small, keeps
//! nothing open while idle and checks a connection before handing it out.
//!
//! Prepared statements: sqlx runs every query with bind parameters as a named prepared
//! statement (`sqlx_s_N`), parsed in one round trip and executed in the next. The
//! pooler may route those two round trips to different server connections, so the
//! pooler itself has to track prepared statements: PgBouncer 1.21+ with
//! `max_prepared_statements` above 0 (Neon's pooler has it on), or a session-mode
//! endpoint (Supavisor's transaction mode does not track them). This is deliberately
//! not `statement_cache_capacity(0)`: in sqlx 0.9 that setting only stops remembering
//! statements, it still prepares each query under a fresh name and never closes it
//! (see `prepare` and `get_or_prepare` in sqlx-postgres `connection/executor.rs`), so
//! names pile up on the pooler and the server for the life of the connection, while
//! the default bounded cache reuses names and closes the ones it evicts.

use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::DatabaseSettings;

/// Pool size used when `DATABASE_MAX_CONNECTIONS` is not set; the pooler multiplexes,
/// so each instance needs only a few.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 5;

/// Opens a small pool and one connection, so a wrong URL fails at startup.
pub async fn connect(settings: &DatabaseSettings) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())?;
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        // Give connections back quickly: pooler slots are shared with other instances
        // and a scale-to-zero database can only sleep once nobody holds a connection.
        .idle_timeout(Duration::from_secs(30))
        .max_lifetime(Duration::from_secs(5 * 60))
        // The pooler or the platform may have closed an idle connection; a ping costs
        // one round trip and avoids failing the request that would have used it.
        .test_before_acquire(true)
        .connect_with(options)
        .await
}
