//! `GET /api/v1/me` and `GET /api/v1/admin/users`.

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;

use super::extract::{CurrentUser, RequireAdmin};
use super::users::{self, User};
use crate::crud::{Page, PageParams, PageRequest};
use crate::error::AppError;
use crate::extract::Json;
use crate::state::AppState;

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

/// Every user, oldest first, a page at a time (`?limit=50&offset=0` or `?cursor=...`).
async fn list_users(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
) -> Result<Json<Page<User>>, AppError> {
    let page = PageRequest::try_from(page)?;
    let users = users::list(&state.db, &page)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(Json(users))
}
