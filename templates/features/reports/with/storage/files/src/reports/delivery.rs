//! Where a done report's CSV goes: into the storage bucket, under its owner's prefix like their
//! uploads, downloaded through a presigned URL.

use anyhow::Context;
use axum::extract::{Path, State};
use sqlx::PgExecutor;
use time::OffsetDateTime;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::csv;
use super::model::{ReportStatus, Run};
use super::routes::downloadable;
use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorEnvelope};
use crate::extract::Json;
use crate::state::AppState;
use crate::storage::PresignedRequest;

/// The download of a done report.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// Uploads the CSV of the report `run` works on to the bucket, and marks the report done.
pub async fn finish(
    state: &AppState,
    run: &Run,
    row_count: i32,
    csv: String,
) -> anyhow::Result<()> {
    // A second run replaces the object.
    let object_key = format!("users/{}/reports/{}.csv", run.owner_id, run.id);
    state
        .storage
        .put(&object_key, csv::CONTENT_TYPE, csv.into_bytes())
        .await
        .context("could not upload the CSV")?;
    mark_done(&state.db, run.id, row_count, &object_key)
        .await
        .context("could not mark the report done")
}

/// A presigned `GET` of a done report's CSV in the bucket.
#[utoipa::path(
    get,
    path = "/reports/{id}/download",
    operation_id = "download_report",
    tag = "reports",
    params(("id" = Uuid, Path, description = "The report's id")),
    responses(
        (status = 200, description = "The presigned download request", body = PresignedRequest),
        (status = 404, description = "No such report of the caller's", body = ErrorEnvelope),
        (status = 409, description = "The report is not done, or failed", body = ErrorEnvelope),
    )
)]
async fn download(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<PresignedRequest>, AppError> {
    let object_key = downloadable(object_key(&state.db, user.id, id).await?)?;
    Ok(Json(state.storage.presign_download(
        &object_key,
        state.config.uploads.url_expiry,
        OffsetDateTime::now_utc(),
    )))
}

/// The status of `owner`'s report `id` and, once it is done, the key of its CSV in the bucket.
async fn object_key(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<(ReportStatus, Option<String>)>> {
    sqlx::query_as("SELECT status, object_key FROM reports WHERE id = $1 AND owner_id = $2")
        .bind(id)
        .bind(owner)
        .fetch_optional(db)
        .await
}

/// Marks the report done: `row_count` projects, in the CSV stored under `object_key`.
async fn mark_done(
    db: impl PgExecutor<'_>,
    id: Uuid,
    row_count: i32,
    object_key: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET status = 'done', row_count = $2, object_key = $3, finished_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(row_count)
    .bind(object_key)
    .execute(db)
    .await?;
    Ok(())
}
