//! The `reports` table: who asked for which report, and how far its job got.

use serde::Serialize;
use sqlx::PgExecutor;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a report is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, sqlx::Type, ToSchema)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "report_status", rename_all = "lowercase")]
pub enum ReportStatus {
    /// Waiting for a worker.
    Queued,
    /// Being written, or waiting for a retry after a failed attempt.
    Running,
    /// Written: its CSV can be downloaded.
    Done,
    /// Its last attempt failed; asking for a new report is the way forward.
    Failed,
}

/// A report as its owner sees it: everything but the CSV and why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub status: ReportStatus,
    /// Projects in the CSV, once done.
    pub row_count: Option<i32>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was done, or failed.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// One run of a report's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Run {
    /// The report.
    pub id: Uuid,
    /// The user who asked for it, whose projects it lists.
    pub owner_id: Uuid,
    /// Which run of the job this is, from 1; a run cut short by a dying worker counts too.
    pub attempt: i32,
}

/// Records a queued report of `owner`'s projects.
pub async fn insert(db: impl PgExecutor<'_>, owner: Uuid) -> sqlx::Result<Report> {
    sqlx::query_as(
        "INSERT INTO reports (owner_id) VALUES ($1)
         RETURNING id, status, row_count, created_at, finished_at",
    )
    .bind(owner)
    .fetch_one(db)
    .await
}

/// The report `id` if `owner` asked for it.
pub async fn find(db: impl PgExecutor<'_>, owner: Uuid, id: Uuid) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(
        "SELECT id, status, row_count, created_at, finished_at
         FROM reports
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// Starts a run of the report's job: marks the report running and counts the attempt.
///
/// `None` when there is nothing to do: the report is done or failed already (the job was
/// delivered again), or it was deleted with its owner.
pub async fn start(db: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<Run>> {
    sqlx::query_as(
        "UPDATE reports SET status = 'running', attempts = attempts + 1
         WHERE id = $1 AND status IN ('queued', 'running')
         RETURNING id, owner_id, attempts AS attempt",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Marks the report failed, keeping `error` for operators.
pub async fn fail(db: impl PgExecutor<'_>, id: Uuid, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .execute(db)
    .await?;
    Ok(())
}
