//! Background job settings.

use std::num::{NonZeroU64, NonZeroUsize};
use std::time::Duration;

use super::env::Env;

/// The queue's name when `JOBS_QUEUE` is not set: named after the package, so that projects
/// sharing a Redis keep their jobs apart.
const DEFAULT_QUEUE: &str = concat!(env!("CARGO_PKG_NAME"), ":jobs");
const DEFAULT_CONCURRENCY: NonZeroUsize = NonZeroUsize::new(4).unwrap();
/// A killed worker's jobs run again within about this long. Its heartbeat comes five times
/// as often, so a worker counts as dead only after four beats in a row went missing.
const DEFAULT_WORKER_TIMEOUT_SECS: NonZeroU64 = NonZeroU64::new(5).unwrap();
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Where jobs are queued and how workers run them.
#[derive(Debug, Clone)]
pub struct JobsSettings {
    /// The queue's name, the prefix of every Redis key it uses.
    pub queue: String,
    /// Whether `serve` also runs a worker (development); production runs `worker`.
    pub run_in_process: bool,
    /// How many jobs one worker runs at the same time.
    pub concurrency: NonZeroUsize,
    /// The wait before a failed job's first retry, doubled for each later one.
    pub retry_delay: Duration,
    /// How long a stopping worker lets its jobs finish before putting them back.
    pub shutdown_timeout: Duration,
    /// How long a worker may go without a heartbeat before it counts as dead.
    pub worker_timeout: Duration,
    /// The worker's slot: a name that one running worker holds at a time and that its
    /// restarted successor takes over, putting back its predecessor's jobs at once.
    pub worker_name: Option<String>,
    /// How long jobs that failed their last attempt stay listed.
    pub failed_retention: Duration,
}

impl JobsSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            queue: env
                .optional("JOBS_QUEUE")
                .unwrap_or_else(|| DEFAULT_QUEUE.to_owned()),
            run_in_process: env.parsed("JOBS_RUN_IN_PROCESS", false),
            concurrency: env.parsed("JOBS_CONCURRENCY", DEFAULT_CONCURRENCY),
            retry_delay: Duration::from_secs(env.parsed("JOBS_RETRY_DELAY_SECS", 10)),
            shutdown_timeout: Duration::from_secs(env.parsed("JOBS_SHUTDOWN_TIMEOUT_SECS", 4)),
            worker_timeout: Duration::from_secs(
                env.parsed("JOBS_WORKER_TIMEOUT_SECS", DEFAULT_WORKER_TIMEOUT_SECS)
                    .get(),
            ),
            worker_name: env.optional("JOBS_WORKER_NAME"),
            failed_retention: DAY.saturating_mul(env.parsed("JOBS_FAILED_RETENTION_DAYS", 14)),
        }
    }
}
