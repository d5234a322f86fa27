//! `GET /api/v1/me` and `GET /api/v1/admin/users`.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{CurrentUser, RequireAdmin};
use super::users::{self, User};
use crate::crud::{Page, PageParams, PageRequest};
use crate::error::AppError;
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Routes for any signed-in user.
pub fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// Routes for administrators.
pub fn admin_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_users))
}

/// The caller, as the `users` table knows them.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "get_me",
    tag = "users",
    responses((status = 200, description = "The signed-in user", body = CurrentUser))
)]
async fn me(user: CurrentUser) -> Json<CurrentUser> {
    Json(user)
}

/// Every user, oldest first, a page at a time (`?limit=50&offset=0` or `?cursor=...`).
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "list_users",
    tag = "admin",
    params(PageParams),
    responses((status = 200, description = "A page of users", body = Page<User>))
)]
async fn list_users(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
) -> Result<Json<Page<User>>, AppError> {
    let page = PageRequest::try_from(page)?;
    Ok(Json(users::list(&state.db, &page).await?))
}
