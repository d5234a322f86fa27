//! The projects report, written in the background (see [`crate::reports`]).

use anyhow::Context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Job;
use crate::reports;
use crate::state::AppState;

/// Writes the report `report_id`, a CSV of its owner's live projects, and marks it done; or
/// failed, when its last attempt fails.
///
/// `POST /api/v1/reports` enqueues it. Running it again once the report is done or failed
/// does nothing, so a second delivery is harmless.
#[derive(Debug, Serialize, Deserialize)]
pub struct GenerateProjectsReport {
    /// The report's row, created queued.
    pub report_id: Uuid,
}

impl Job for GenerateProjectsReport {
    const NAME: &'static str = "generate_projects_report";
    /// With the default 10 s first delay, the last attempt comes some 30 s after the first.
    const MAX_ATTEMPTS: u32 = 3;

    async fn run(self, state: &AppState) -> anyhow::Result<()> {
        let Some(run) = reports::start(&state.db, self.report_id)
            .await
            .context("could not start the report")?
        else {
            return Ok(());
        };
        let written = reports::write(state, &run).await;
        if let Err(error) = &written
            && i64::from(run.attempt) >= i64::from(Self::MAX_ATTEMPTS)
        {
            reports::fail(&state.db, run.id, &format!("{error:#}"))
                .await
                .context("could not mark the report failed")?;
        }
        written
    }
}
