//! The queue's own upkeep, run on a schedule.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::Job;
use crate::state::AppState;

/// Deletes the failed jobs older than `JOBS_FAILED_RETENTION_DAYS`, so that the failed set
/// keeps what is worth looking at and does not grow without end.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cleanup;

impl Cleanup {
    /// How often the workers enqueue it.
    pub const EVERY: Duration = Duration::from_secs(60 * 60);
}

impl Job for Cleanup {
    const NAME: &'static str = "cleanup";
    /// The next run an hour later does the same work, so a failure is not worth retrying.
    const MAX_ATTEMPTS: u32 = 1;

    async fn run(self, state: &AppState) -> anyhow::Result<()> {
        let cutoff = SystemTime::now() - state.config.jobs.failed_retention;
        let deleted = state.jobs.delete_failed_until(cutoff).await?;
        tracing::info!(deleted, "deleted old failed jobs");
        Ok(())
    }
}
