//! Liveness and readiness probes.

use std::fmt::Display;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;
use serde_json::{Value, json};

use crate::extract::Json;
use crate::state::AppState;

/// How long each dependency may take to answer a readiness probe.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health` and `GET /health/ready`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(liveness))
        .route("/health/ready", get(readiness))
}

/// The process is up; touches nothing, so a slow database never gets it restarted.
async fn liveness() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    checks: Checks,
}

#[derive(Serialize)]
struct Checks {
    postgres: Check,
    redis: Check,
}

#[derive(Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Check {
    Ok,
    Error,
    Timeout,
}

/// The dependencies answer: Postgres and Redis are probed concurrently.
async fn readiness(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut redis = state.redis.clone();
    let ping = redis::cmd("PING");
    let (postgres, redis) = tokio::join!(
        check("postgres", sqlx::query("SELECT 1").execute(&state.db)),
        check("redis", ping.query_async::<String>(&mut redis)),
    );

    let ready = postgres == Check::Ok && redis == Check::Ok;
    let (status, label) = if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    let body = Readiness {
        status: label,
        checks: Checks { postgres, redis },
    };
    (status, Json(body))
}

/// Runs one probe with a deadline; the cause of a failure goes to the logs only.
async fn check<T, E: Display>(
    name: &'static str,
    probe: impl Future<Output = Result<T, E>>,
) -> Check {
    match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
        Ok(Ok(_)) => Check::Ok,
        Ok(Err(error)) => {
            tracing::warn!(dependency = name, %error, "readiness check failed");
            Check::Error
        }
        Err(_) => {
            tracing::warn!(dependency = name, "readiness check timed out");
            Check::Timeout
        }
    }
}
