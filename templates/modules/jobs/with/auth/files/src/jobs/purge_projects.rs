//! Soft-deleted projects past the retention, deleted for good on a schedule.

use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::Job;
use crate::state::AppState;

/// Deletes the projects soft-deleted more than `SOFT_DELETE_RETENTION_DAYS` ago.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PurgeProjects;

impl PurgeProjects {
    /// How often the workers enqueue it.
    pub const EVERY: Duration = Duration::from_secs(60 * 60);
}

impl Job for PurgeProjects {
    const NAME: &'static str = "purge_projects";
    /// The next run an hour later does the same work, so a failure is not worth retrying.
    const MAX_ATTEMPTS: u32 = 1;

    async fn run(self, state: &AppState) -> anyhow::Result<()> {
        let days = i32::from(state.config.retention.soft_deleted_days);
        let purged = sqlx::query(
            "DELETE FROM projects
             WHERE deleted_at < now() - make_interval(days => $1)",
        )
        .bind(days)
        .execute(&state.db)
        .await
        .context("could not purge the soft-deleted projects")?
        .rows_affected();
        tracing::info!(purged, "purged projects past the soft-delete retention");
        Ok(())
    }
}
