//! `GET /api/v1/me` and `GET /api/v1/admin/users`.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::extract::{CurrentUser, RequireAdmin};
use super::users::{self, User};
use crate::error::AppError;
use crate::extract::Json;
use crate::state::AppState;

/// Largest page `GET /admin/users` returns.
const MAX_LIMIT: i64 = 100;

/// Routes for any signed-in user.
pub fn app_routes() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

/// Routes for administrators.
pub fn admin_routes() -> Router<AppState> {
    Router::new().route("/users", get(list_users))
}

/// The caller, as the `users` table knows them.
async fn me(user: CurrentUser) -> Json<CurrentUser> {
    Json(user)
}

#[derive(Deserialize)]
struct Page {
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    50
}

#[derive(Serialize)]
struct UserPage {
    users: Vec<User>,
    limit: i64,
    offset: i64,
}

/// Every user, oldest first, a page at a time (`?limit=50&offset=0`).
async fn list_users(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Result<Json<UserPage>, AppError> {
    if !(1..=MAX_LIMIT).contains(&page.limit) {
        return Err(AppError::Validation(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    if page.offset < 0 {
        return Err(AppError::Validation("offset must not be negative".into()));
    }
    let users = users::list(&state.db, page.limit, page.offset)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(Json(UserPage {
        users,
        limit: page.limit,
        offset: page.offset,
    }))
}
