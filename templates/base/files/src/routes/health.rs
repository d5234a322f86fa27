//! Liveness and readiness probes.

use std::fmt::Display;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cache;
use crate::extract::Json;
use crate::state::AppState;

/// How long each dependency may take to answer a readiness probe.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health` and `GET /health/ready`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(liveness))
        .routes(routes!(readiness))
}

/// The answer of the liveness probe.
#[derive(Serialize, ToSchema)]
struct Liveness {
    /// Always `ok`.
    #[schema(example = "ok")]
    status: &'static str,
}

/// The process is up; touches nothing, so a slow database never gets it restarted.
#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    responses((status = 200, description = "The process is up", body = Liveness))
)]
async fn liveness() -> Json<Liveness> {
    Json(Liveness { status: "ok" })
}

/// The answer of the readiness probe.
#[derive(Serialize, ToSchema)]
struct Readiness {
    /// `ready` or `unavailable`.
    #[schema(example = "ready")]
    status: &'static str,
    checks: Checks,
}

/// The outcome of each dependency's probe.
#[derive(Serialize, ToSchema)]
struct Checks {
    postgres: Check,
    redis: Check,
}

/// How one dependency answered.
#[derive(Serialize, PartialEq, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Check {
    Ok,
    Error,
    Timeout,
}

/// The dependencies answer: Postgres and Redis are probed concurrently.
#[utoipa::path(
    get,
    path = "/health/ready",
    tag = "health",
    responses(
        (status = 200, description = "Postgres and Redis answer", body = Readiness),
        (status = 503, description = "A dependency failed or timed out", body = Readiness),
    )
)]
async fn readiness(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut redis = state.redis.clone();
    let ping = redis::cmd("PING");
    let (postgres, redis) = tokio::join!(
        check("postgres", sqlx::query("SELECT 1").execute(&state.db)),
        check(
            "redis",
            cache::traced("PING", ping.query_async::<String>(&mut redis))
        ),
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
