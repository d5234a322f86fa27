//! HTTP routes, one file per area.

pub mod admin;
pub mod app;
pub mod health;
pub mod public;

use axum::Router;

use crate::error::AppError;
use crate::state::AppState;

/// The versioned API: public and signed-in routes at its root, admin ones under `/admin`.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(public::router())
        .merge(app::router())
        .nest("/admin", admin::router())
}

/// Answers requests that match no route.
pub async fn not_found() -> AppError {
    AppError::NotFound("no route matches this path".to_owned())
}

/// Merges the routers that feature modules contribute to one group.
fn merge_all(routers: impl IntoIterator<Item = Router<AppState>>) -> Router<AppState> {
    routers.into_iter().fold(Router::new(), Router::merge)
}
