//! Redis: the shared connection, a span for each call, and small JSON cache helpers.

use std::time::Duration;

use anyhow::Context;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::ExposeSecret;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::{Instrument, Level, Span};

use crate::config::RedisSettings;

/// Creates the shared Redis connection without connecting yet.
///
/// Redis serves caches here, so the application starts while Redis is down, reports
/// it through `/health/ready` and connects as soon as Redis answers; the manager also
/// reconnects on its own after a connection is lost. Only a malformed URL fails.
pub fn connect(settings: &RedisSettings) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(settings.url.expose_secret()).context("invalid REDIS_URL")?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        // Fail fast instead of holding requests through a long backoff: a command that
        // finds the connection broken starts the next attempt anyway.
        .set_number_of_retries(1);
    client
        .get_connection_manager_lazy(config)
        .context("could not set up the Redis connection manager")
}

/// Runs one Redis call, made for a request or a job, inside a `redis` span with its
/// `command`: traces show it as a call to Redis from the work that made it.
///
/// The span is a `debug` one, made only where the filter enables `debug` for the app (as
/// `.env.example` does), since each costs a span in every layer. Outside any span, such as
/// a job enqueued on a schedule, the call runs as it is and starts no trace of its own.
pub async fn traced<T>(command: &'static str, call: impl Future<Output = T>) -> T {
    if !tracing::enabled!(Level::DEBUG) || Span::current().is_none() {
        return call.await;
    }
    let span = tracing::debug_span!(
        "redis",
        db.system.name = "redis",
        db.operation.name = command
    );
    call.instrument(span).await
}

/// Reads a JSON value stored by [`set_json`]; `None` when the key is absent or expired.
pub async fn get_json<T: DeserializeOwned>(
    redis: &mut ConnectionManager,
    key: &str,
) -> anyhow::Result<Option<T>> {
    let raw: Option<String> = traced("GET", redis.get(key))
        .await
        .context("Redis GET failed")?;
    raw.map(|json| serde_json::from_str(&json))
        .transpose()
        .with_context(|| format!("cached value under {key:?} is not the expected JSON"))
}

/// Stores a value as JSON under `key` for `ttl` (rounded down to whole seconds, at least one).
pub async fn set_json<T: Serialize>(
    redis: &mut ConnectionManager,
    key: &str,
    value: &T,
    ttl: Duration,
) -> anyhow::Result<()> {
    let json = serde_json::to_string(value).context("value cannot be serialized to JSON")?;
    let seconds = ttl.as_secs().max(1);
    traced("SET", redis.set_ex::<_, _, ()>(key, json, seconds))
        .await
        .context("Redis SET failed")
}
