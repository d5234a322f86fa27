//! What the worker measures: each run of a job, by the job's name and how it went, from
//! which the failures and the retries per job are counted; and the jobs the queue holds.

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Gauge, Histogram, Meter};

use crate::jobs::{Depth, Outcome};
use crate::state::AppState;

/// Upper bounds, in seconds, of the run duration's buckets: from 10 ms to 10 minutes, as
/// jobs take longer than requests.
const DURATION_BUCKETS: [f64; 12] = [
    0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 600.0,
];

/// The instruments the worker records into.
pub struct JobMetrics {
    run_duration: Histogram<f64>,
    queued: Gauge<u64>,
}

impl JobMetrics {
    /// Instruments of `meter`.
    pub fn new(meter: &Meter) -> Self {
        Self {
            run_duration: meter
                .f64_histogram("job.run.duration")
                .with_description("Duration of runs of background jobs, by job and outcome.")
                .with_unit("s")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
            queued: meter
                .u64_gauge("job.count")
                .with_description("Jobs in the queue, by state: ready, scheduled or failed.")
                .with_unit("{job}")
                .build(),
        }
    }
}

/// Records a run of the job named `job` that took `ran` and ended as `outcome`.
pub fn record(state: &AppState, job: &str, ran: Duration, outcome: Outcome) {
    let outcome = match outcome {
        Outcome::Succeeded => "succeeded",
        Outcome::Retrying => "retrying",
        Outcome::Failed => "failed",
        // Never passed: the worker records runs only.
        Outcome::Idle => return,
    };
    let attributes = [
        KeyValue::new("job.name", job.to_owned()),
        KeyValue::new("job.outcome", outcome),
    ];
    state
        .job_metrics
        .run_duration
        .record(ran.as_secs_f64(), &attributes);
}

/// Counts the jobs in the queue, as each worker does after its housekeeping, a few times per
/// `JOBS_WORKER_TIMEOUT_SECS`, so that the gauge stays current with no job running.
pub async fn count_queued(state: &AppState) {
    match state.jobs.depth().await {
        Ok(Depth {
            ready,
            scheduled,
            failed,
        }) => {
            for (waiting, count) in [
                ("ready", ready),
                ("scheduled", scheduled),
                ("failed", failed),
            ] {
                let attributes = [KeyValue::new("job.state", waiting)];
                state.job_metrics.queued.record(count, &attributes);
            }
        }
        Err(error) => {
            let error = format!("{error:#}");
            tracing::warn!(error, "could not count the queued jobs");
        }
    }
}
