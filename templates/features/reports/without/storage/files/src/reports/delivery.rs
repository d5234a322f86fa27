//! Where a done report's CSV goes: into the report's own row, downloaded from there.

use anyhow::Context;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, HeaderName};
use sqlx::PgExecutor;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::csv;
use super::model::{ReportStatus, Run};
use super::routes::downloadable;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorEnvelope};
use crate::state::AppState;

/// The download of a done report.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// Keeps the CSV of the report `run` works on in its row, and marks the report done.
pub async fn finish(
    state: &AppState,
    run: &Run,
    row_count: i32,
    csv: String,
) -> anyhow::Result<()> {
    mark_done(&state.db, run.id, row_count, &csv)
        .await
        .context("could not mark the report done")
}

/// A done report's CSV, as a file to save.
#[utoipa::path(
    get,
    path = "/reports/{id}/download",
    operation_id = "download_report",
    tag = "reports",
    params(("id" = Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The CSV", content_type = "text/csv", body = String),
        (status = 404, description = "No such report of the caller's", body = ErrorEnvelope),
        (status = 409, description = "The report is not done, or failed", body = ErrorEnvelope),
    )
)]
async fn download(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<([(HeaderName, &'static str); 2], String), AppError> {
    let body = downloadable(stored_csv(&state.db, user.id, id).await?)?;
    let headers = [
        (CONTENT_TYPE, csv::CONTENT_TYPE),
        (
            CONTENT_DISPOSITION,
            r#"attachment; filename="projects.csv""#,
        ),
    ];
    Ok((headers, body))
}

/// The status of `owner`'s report `id` and, once it is done, its CSV.
async fn stored_csv(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<(ReportStatus, Option<String>)>> {
    sqlx::query_as("SELECT status, csv FROM reports WHERE id = $1 AND owner_id = $2")
        .bind(id)
        .bind(owner)
        .fetch_optional(db)
        .await
}

/// Marks the report done: `row_count` projects, in `csv`.
async fn mark_done(
    db: impl PgExecutor<'_>,
    id: Uuid,
    row_count: i32,
    csv: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET status = 'done', row_count = $2, csv = $3, finished_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(row_count)
    .bind(csv)
    .execute(db)
    .await?;
    Ok(())
}
