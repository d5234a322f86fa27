//! `/api/v1/projects` for their owners, `/api/v1/admin/projects` for administrators.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{NewProject, Project, ProjectChanges};
use crate::auth::{self, CurrentUser, RequireAdmin};
use crate::crud::{self, Page, PageParams, PageRequest, Scope};
use crate::error::{AppError, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Routes for any signed-in user, on their own projects.
pub fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show, update, soft_delete))
        .routes(routes!(restore))
}

/// Routes for administrators, on everyone's projects.
pub fn admin_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_all))
        .routes(routes!(hard_delete))
}

/// Whether soft-deleted projects are listed too.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Visibility {
    /// List soft-deleted projects too, such as to find one to restore (default `false`).
    #[serde(default)]
    include_deleted: bool,
}

/// Creates a project owned by the caller.
#[utoipa::path(
    post,
    path = "/projects",
    operation_id = "create_project",
    tag = "projects",
    request_body = NewProject,
    responses((status = 201, description = "The new project", body = Project))
)]
async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(input): Json<NewProject>,
) -> Result<(StatusCode, Json<Project>), AppError> {
    let fields = input.into_fields()?;
    let project = auth::write_as(&state, &user, |owner| {
        crud::create(&state.db, Scope::Owner(owner), fields.clone())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// The caller's projects, oldest first, a page at a time.
#[utoipa::path(
    get,
    path = "/projects",
    operation_id = "list_projects",
    tag = "projects",
    params(PageParams, Visibility),
    responses((status = 200, description = "A page of projects", body = Page<Project>))
)]
async fn list(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
    Query(visibility): Query<Visibility>,
) -> Result<Json<Page<Project>>, AppError> {
    let page = PageRequest::try_from(page)?;
    let projects = crud::list(
        &state.db,
        Scope::Owner(user.id),
        visibility.include_deleted,
        &page,
    )
    .await?;
    Ok(Json(projects))
}

/// One of the caller's projects.
#[utoipa::path(
    get,
    path = "/projects/{id}",
    operation_id = "get_project",
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    responses(
        (status = 200, description = "The project", body = Project),
        (status = 404, description = "No such project of the caller's", body = ErrorEnvelope),
    )
)]
async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, AppError> {
    crud::get(&state.db, Scope::Owner(user.id), id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("project"))
}

/// Changes the fields present in the body.
#[utoipa::path(
    patch,
    path = "/projects/{id}",
    operation_id = "update_project",
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    request_body = ProjectChanges,
    responses(
        (status = 200, description = "The changed project", body = Project),
        (status = 404, description = "No such project of the caller's", body = ErrorEnvelope),
    )
)]
async fn update(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(changes): Json<ProjectChanges>,
) -> Result<Json<Project>, AppError> {
    crud::update(&state.db, Scope::Owner(user.id), id, changes.into_fields()?)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound("project"))
}

/// Soft delete: the project disappears from every listing until it is restored.
#[utoipa::path(
    delete,
    path = "/projects/{id}",
    operation_id = "delete_project",
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    responses(
        (status = 204, description = "Deleted; restorable until purged"),
        (status = 404, description = "No such project of the caller's", body = ErrorEnvelope),
    )
)]
async fn soft_delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    crud::soft_delete::<Project>(&state.db, Scope::Owner(user.id), id)
        .await?
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or(AppError::NotFound("project"))
}

/// Brings back a soft-deleted project; a live one is answered unchanged.
#[utoipa::path(
    post,
    path = "/projects/{id}/restore",
    operation_id = "restore_project",
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    responses(
        (status = 200, description = "The project, live", body = Project),
        (status = 404, description = "No such project of the caller's", body = ErrorEnvelope),
    )
)]
async fn restore(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, AppError> {
    let scope = Scope::Owner(user.id);
    // Restoring is idempotent: a project that is not deleted is answered as it is.
    let project = match crud::restore(&state.db, scope, id).await? {
        Some(project) => Some(project),
        None => crud::get(&state.db, scope, id).await?,
    };
    project.map(Json).ok_or(AppError::NotFound("project"))
}

/// Every user's projects, deleted ones included with `?include_deleted=true`.
#[utoipa::path(
    get,
    path = "/projects",
    operation_id = "list_all_projects",
    tag = "admin",
    params(PageParams, Visibility),
    responses((status = 200, description = "A page of projects", body = Page<Project>))
)]
async fn list_all(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
    Query(visibility): Query<Visibility>,
) -> Result<Json<Page<Project>>, AppError> {
    let page = PageRequest::try_from(page)?;
    let projects = crud::list(&state.db, Scope::All, visibility.include_deleted, &page).await?;
    Ok(Json(projects))
}

/// Deletes a project for good, whoever owns it and whether or not it was soft-deleted.
#[utoipa::path(
    delete,
    path = "/projects/{id}",
    operation_id = "purge_project",
    tag = "admin",
    params(("id" = Uuid, Path, description = "The project's id")),
    responses(
        (status = 204, description = "Deleted for good"),
        (status = 404, description = "No such project", body = ErrorEnvelope),
    )
)]
async fn hard_delete(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    crud::hard_delete::<Project>(&state.db, Scope::All, id)
        .await?
        .then_some(StatusCode::NO_CONTENT)
        .ok_or(AppError::NotFound("project"))
}
