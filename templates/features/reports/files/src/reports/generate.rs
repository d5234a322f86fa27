//! Writing a report: the CSV of its owner's live projects, handed to `delivery.rs`.

use anyhow::Context;
use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

use super::model::Run;
use super::{csv, delivery};
use crate::crud::Resource;
use crate::projects::Project;
use crate::state::AppState;

/// Writes the CSV of the report `run` works on, and marks the report done.
pub async fn write(state: &AppState, run: &Run) -> anyhow::Result<()> {
    let projects = live_projects(&state.db, run.owner_id)
        .await
        .context("could not read the projects")?;
    let csv = csv::projects(&projects)?;
    let row_count = i32::try_from(projects.len()).context("too many projects for a report")?;
    delivery::finish(state, run, row_count, csv).await
}

/// The owner's projects that are not soft-deleted, oldest first.
async fn live_projects(db: impl PgExecutor<'_>, owner: Uuid) -> sqlx::Result<Vec<Project>> {
    let sql = format!(
        "SELECT {} FROM projects
         WHERE owner_id = $1 AND deleted_at IS NULL
         ORDER BY created_at, id",
        Project::COLUMNS
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(owner)
        .fetch_all(db)
        .await
}
