//! Connection pool for a dedicated Postgres server (database mode `postgres`).

use std::str::FromStr;
use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::config::DatabaseSettings;

/// Pool size used when `DATABASE_MAX_CONNECTIONS` is not set.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;

/// Opens a long-lived pool and one connection, so a wrong URL fails at startup.
pub async fn connect(settings: &DatabaseSettings) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())?;
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        // A couple of warm connections spare the first requests after a quiet spell
        // the TCP and TLS handshakes.
        .min_connections(settings.max_connections.min(2))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(10 * 60))
        // Recycling connections now and then releases server-side memory (cached plans,
        // prepared statements) and follows failovers and DNS changes.
        .max_lifetime(Duration::from_secs(30 * 60))
        // A direct server rarely drops healthy connections, so a ping before every
        // acquire would cost a round trip for nothing; a broken connection surfaces as
        // an error on use and is then discarded by the pool.
        .test_before_acquire(false)
        .connect_with(options)
        .await
}
