//! The jobs a worker knows, by name, and the ones it starts on a schedule.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use super::{DEFAULT_MAX_ATTEMPTS, Job};
use crate::state::AppState;

/// A job's run, with its type erased so that jobs of every type share one table.
pub(super) type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// The jobs a worker can run, by [`Job::NAME`].
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Handler>,
    schedules: Vec<Schedule>,
}

struct Handler {
    max_attempts: u32,
    run: fn(Value, AppState) -> JobFuture,
}

/// A job the workers enqueue every `every`, however many of them run.
pub(super) struct Schedule {
    pub(super) name: &'static str,
    pub(super) every: Duration,
    pub(super) payload: fn() -> serde_json::Result<Value>,
}

impl Registry {
    /// Lets workers run jobs of type `J`.
    pub fn register<J: Job>(&mut self) {
        let handler = Handler {
            max_attempts: J::MAX_ATTEMPTS,
            run: run_erased::<J>,
        };
        self.handlers.insert(J::NAME, handler);
    }

    /// Lets workers run jobs of type `J`, and enqueues `J::default()` every `every`.
    pub fn schedule<J: Job + Default>(&mut self, every: Duration) {
        self.register::<J>();
        self.schedules.push(Schedule {
            name: J::NAME,
            every,
            payload: || serde_json::to_value(J::default()),
        });
    }

    /// Starts the job stored under `name`; `None` when no job has that name.
    pub(super) fn run(&self, name: &str, payload: Value, state: AppState) -> Option<JobFuture> {
        self.handlers
            .get(name)
            .map(|handler| (handler.run)(payload, state))
    }

    /// How many attempts the job stored under `name` gets. A name this worker does not know
    /// gets the default too: a newer worker may know it, so it is retried rather than dropped.
    pub(super) fn max_attempts(&self, name: &str) -> u32 {
        self.handlers
            .get(name)
            .map_or(DEFAULT_MAX_ATTEMPTS, |handler| handler.max_attempts)
    }

    /// The jobs to enqueue on a schedule.
    pub(super) fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }
}

fn run_erased<J: Job>(payload: Value, state: AppState) -> JobFuture {
    Box::pin(async move {
        let job: J = serde_json::from_value(payload)
            .with_context(|| format!("the payload is not a valid {} job", J::NAME))?;
        job.run(&state).await
    })
}
