//! `/api/v1/projects` for their owners, `/api/v1/admin/projects` for administrators.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{NewProject, Project, ProjectChanges};
use crate::auth::{self, CurrentUser, RequireAdmin};
use crate::crud::{self, Page, PageParams, PageRequest, Scope};
use crate::error::AppError;
use crate::extract::Json;
use crate::state::AppState;

/// Routes for any signed-in user, on their own projects.
pub fn app_routes() -> Router<AppState> {
    Router::new()
        .route("/projects", post(create).get(list))
        .route(
            "/projects/{id}",
            get(show).patch(update).delete(soft_delete),
        )
        .route("/projects/{id}/restore", post(restore))
}

/// Routes for administrators, on everyone's projects.
pub fn admin_routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list_all))
        .route("/projects/{id}", delete(hard_delete))
}

/// `?include_deleted=true` lists soft-deleted projects too, such as to find one to restore.
#[derive(Deserialize)]
struct Visibility {
    #[serde(default)]
    include_deleted: bool,
}

fn not_found() -> AppError {
    AppError::NotFound("no project with this id".to_owned())
}

async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(input): Json<NewProject>,
) -> Result<(StatusCode, Json<Project>), AppError> {
    let fields = input.into_fields()?;
    let project = auth::write_as(&state, &user, |owner| {
        crud::create(&state.db, owner, fields.clone())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// The caller's projects, oldest first, a page at a time.
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
    .await
    .map_err(anyhow::Error::from)?;
    Ok(Json(projects))
}

async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, AppError> {
    let project = crud::get(&state.db, Scope::Owner(user.id), id)
        .await
        .map_err(anyhow::Error::from)?;
    project.map(Json).ok_or_else(not_found)
}

async fn update(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Json(changes): Json<ProjectChanges>,
) -> Result<Json<Project>, AppError> {
    let project = crud::update(&state.db, Scope::Owner(user.id), id, changes.into_fields()?)
        .await
        .map_err(anyhow::Error::from)?;
    project.map(Json).ok_or_else(not_found)
}

/// Soft delete: the project disappears from every listing until it is restored.
async fn soft_delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    let deleted: Option<Project> = crud::soft_delete(&state.db, Scope::Owner(user.id), id)
        .await
        .map_err(anyhow::Error::from)?;
    deleted
        .map(|_| StatusCode::NO_CONTENT)
        .ok_or_else(not_found)
}

async fn restore(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, AppError> {
    let project = crud::restore(&state.db, Scope::Owner(user.id), id)
        .await
        .map_err(anyhow::Error::from)?;
    project.map(Json).ok_or_else(not_found)
}

/// Every user's projects, deleted ones included with `?include_deleted=true`.
async fn list_all(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Query(page): Query<PageParams>,
    Query(visibility): Query<Visibility>,
) -> Result<Json<Page<Project>>, AppError> {
    let page = PageRequest::try_from(page)?;
    let projects = crud::list(&state.db, Scope::All, visibility.include_deleted, &page)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(Json(projects))
}

/// Deletes a project for good, whoever owns it and whether or not it was soft-deleted.
async fn hard_delete(
    _admin: RequireAdmin,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    let deleted = crud::hard_delete::<Project>(&state.db, Scope::All, id)
        .await
        .map_err(anyhow::Error::from)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
}
