//! `/api/v1/projects`: shared projects, on the public routes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{NewProject, Project, ProjectChanges};
use crate::crud::{self, Page, PageParams, PageRequest, Scope};
use crate::error::{AppError, ErrorEnvelope};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Routes for anyone, on every project.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show, update, soft_delete))
        .routes(routes!(restore))
}

/// Whether soft-deleted projects are listed too.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Visibility {
    /// List soft-deleted projects too, such as to find one to restore (default `false`).
    #[serde(default)]
    include_deleted: bool,
}

/// Creates a project.
#[utoipa::path(
    post,
    path = "/projects",
    operation_id = "create_project",
    tag = "projects",
    request_body = NewProject,
    responses((status = 201, description = "The new project", body = Project))
)]
async fn create(
    State(state): State<AppState>,
    Json(input): Json<NewProject>,
) -> Result<(StatusCode, Json<Project>), AppError> {
    let project = crud::create(&state.db, Scope::All, input.into_fields()?).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// The projects, oldest first, a page at a time.
#[utoipa::path(
    get,
    path = "/projects",
    operation_id = "list_projects",
    tag = "projects",
    params(PageParams, Visibility),
    responses((status = 200, description = "A page of projects", body = Page<Project>))
)]
async fn list(
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
    Query(visibility): Query<Visibility>,
) -> Result<Json<Page<Project>>, AppError> {
    let page = PageRequest::try_from(page)?;
    let projects = crud::list(&state.db, Scope::All, visibility.include_deleted, &page).await?;
    Ok(Json(projects))
}

/// One project.
#[utoipa::path(
    get,
    path = "/projects/{id}",
    operation_id = "get_project",
    tag = "projects",
    params(("id" = Uuid, Path, description = "The project's id")),
    responses(
        (status = 200, description = "The project", body = Project),
        (status = 404, description = "No such project", body = ErrorEnvelope),
    )
)]
async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, AppError> {
    crud::get(&state.db, Scope::All, id)
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
        (status = 404, description = "No such project", body = ErrorEnvelope),
    )
)]
async fn update(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(changes): Json<ProjectChanges>,
) -> Result<Json<Project>, AppError> {
    crud::update(&state.db, Scope::All, id, changes.into_fields()?)
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
        (status = 204, description = "Deleted; restorable"),
        (status = 404, description = "No such project", body = ErrorEnvelope),
    )
)]
async fn soft_delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    crud::soft_delete::<Project>(&state.db, Scope::All, id)
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
        (status = 404, description = "No such project", body = ErrorEnvelope),
    )
)]
async fn restore(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, AppError> {
    // Restoring is idempotent: a project that is not deleted is answered as it is.
    let project = match crud::restore(&state.db, Scope::All, id).await? {
        Some(project) => Some(project),
        None => crud::get(&state.db, Scope::All, id).await?,
    };
    project.map(Json).ok_or(AppError::NotFound("project"))
}
