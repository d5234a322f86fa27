//! The worker: claims jobs, runs them, and records how they went.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::queue::Claimed;
use super::{JobQueue, Registry};
use crate::config::JobsSettings;
use crate::state::AppState;

/// How long an idle worker waits before it looks at the queue again.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Heartbeats per worker timeout: a worker counts as dead once four beats in a row went
/// missing, and its jobs go back to the queue within a beat of that, put back by whichever
/// worker beats next.
const BEATS_PER_TIMEOUT: u32 = 5;
/// The longest wait between two attempts of a job, however many it had.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(60 * 60);

/// Runs the queue's jobs with the application's state.
pub struct Worker {
    id: u64,
    queue: JobQueue,
    registry: Registry,
    state: AppState,
}

/// What [`Worker::try_execute_next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// No job was due.
    Idle,
    /// A job ran and succeeded.
    Succeeded,
    /// A job failed and will run again after a delay.
    Retrying,
    /// A job failed its last attempt and moved to the failed set.
    Failed,
}

impl Worker {
    /// Registers a worker on the state's queue, and first puts back the jobs of workers
    /// that died: at once those of the worker that ran before under its `JOBS_WORKER_NAME`
    /// (this worker replaces it), and those of any worker whose heartbeat expired.
    pub async fn start(state: AppState, registry: Registry) -> anyhow::Result<Self> {
        let queue = state.jobs.clone();
        let settings = &state.config.jobs;
        let (id, predecessor) = queue
            .register_worker(settings.worker_name.as_deref(), settings.worker_timeout)
            .await?;
        if let Some(predecessor) = predecessor {
            let recovered = queue.release(predecessor).await?;
            if recovered > 0 {
                tracing::warn!(
                    recovered,
                    predecessor,
                    "put back the jobs of the worker that ran before under this name"
                );
            }
        }
        let recovered = queue.recover_abandoned().await?;
        if recovered > 0 {
            tracing::warn!(
                recovered,
                "put back jobs of workers that stopped responding"
            );
        }
        Ok(Self {
            id,
            queue,
            registry,
            state,
        })
    }

    /// Runs the next due job, if any, and records how it went.
    ///
    /// Tests drain the queue with it instead of waiting for a running worker.
    pub async fn try_execute_next(&self) -> anyhow::Result<Outcome> {
        let Some(claimed) = self.queue.claim(self.id).await? else {
            return Ok(Outcome::Idle);
        };
        let result = self.run(&claimed).await;
        self.record(&claimed, result).await
    }

    /// Runs jobs, `JOBS_CONCURRENCY` at a time, until `shutdown` resolves; then lets the jobs
    /// in hand finish for up to `JOBS_SHUTDOWN_TIMEOUT_SECS` and puts back the others.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let worker = Arc::new(self);
        let (stop, stopping) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for _ in 0..worker.settings().concurrency.get() {
            tasks.spawn(Arc::clone(&worker).work(stopping.clone()));
        }
        tasks.spawn(Arc::clone(&worker).keep_alive(stopping));
        tracing::info!(
            worker = worker.id,
            name = worker.settings().worker_name.as_deref(),
            concurrency = worker.settings().concurrency,
            "worker started"
        );

        shutdown.await;
        tracing::info!(worker = worker.id, "worker stopping");
        // Sending fails only without receivers, when every task has ended already.
        let _ = stop.send(true);
        while let Some(ended) = tasks.join_next().await {
            if let Err(error) = ended {
                tracing::error!(%error, "a worker task ended abnormally");
            }
        }
        // Normally empty: a job is left only when its end could not be recorded.
        let released = worker.queue.release(worker.id).await?;
        if released > 0 {
            tracing::warn!(released, "put back jobs whose end was not recorded");
        }
        Ok(())
    }

    /// One of the worker's lanes: claims and runs jobs one after the other until stopped.
    async fn work(self: Arc<Self>, mut stopping: watch::Receiver<bool>) {
        while !*stopping.borrow() {
            let claimed = match self.queue.claim(self.id).await {
                Ok(Some(claimed)) => claimed,
                Ok(None) => {
                    idle(&mut stopping).await;
                    continue;
                }
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "could not claim a job");
                    idle(&mut stopping).await;
                    continue;
                }
            };
            let grace = self.settings().shutdown_timeout;
            let recorded = tokio::select! {
                result = self.run(&claimed) => self.record(&claimed, result).await.map(drop),
                () = stopped_for(&mut stopping, grace) => {
                    // Dropping the run cancels the job; it runs again from the start.
                    tracing::warn!(id = claimed.job.id, "job interrupted by shutdown, put back");
                    self.queue.put_back(self.id, &claimed).await
                }
            };
            if let Err(error) = recorded {
                // The job stays in this worker's list until the worker stops (or dies), and
                // then goes back to the queue.
                tracing::error!(error = format!("{error:#}"), "could not record a job's end");
            }
        }
    }

    /// Refreshes the heartbeat, puts back the jobs of dead workers and enqueues scheduled
    /// jobs, [`BEATS_PER_TIMEOUT`] times per `JOBS_WORKER_TIMEOUT_SECS`, until stopped.
    async fn keep_alive(self: Arc<Self>, mut stopping: watch::Receiver<bool>) {
        let timeout = self.settings().worker_timeout;
        let mut ticks = tokio::time::interval(timeout / BEATS_PER_TIMEOUT);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = stopping.wait_for(|stopping| *stopping) => return,
            }
            if let Err(error) = self.housekeeping(timeout).await {
                tracing::error!(error = format!("{error:#}"), "worker housekeeping failed");
            }
        }
    }

    async fn housekeeping(&self, timeout: Duration) -> anyhow::Result<()> {
        let name = self.settings().worker_name.as_deref();
        if let Some(other) = self.queue.heartbeat(self.id, name, timeout).await? {
            // A second worker started under this name after this one, and took its place.
            tracing::error!(
                other,
                name,
                "another running worker has this JOBS_WORKER_NAME; each needs its own"
            );
        }
        let recovered = self.queue.recover_abandoned().await?;
        if recovered > 0 {
            tracing::warn!(
                recovered,
                "put back jobs of workers that stopped responding"
            );
        }
        for schedule in self.registry.schedules() {
            if self
                .queue
                .take_schedule(schedule.name, schedule.every)
                .await?
            {
                self.queue
                    .push(schedule.name, (schedule.payload)()?)
                    .await?;
            }
        }
        Ok(())
    }

    /// Runs a claimed job in a task of its own, so that a panic fails the job and not the
    /// worker; dropping the returned future cancels the job.
    async fn run(&self, claimed: &Claimed) -> anyhow::Result<()> {
        let job = &claimed.job;
        let Some(run) = self
            .registry
            .run(&job.name, job.payload.clone(), self.state.clone())
        else {
            return Err(anyhow!("this worker has no job named {:?}", job.name));
        };
        tracing::info!(
            id = job.id,
            name = job.name,
            attempt = job.attempts + 1,
            "job started"
        );
        let mut task = JoinSet::new();
        task.spawn(run);
        match task.join_next().await {
            Some(Ok(result)) => result,
            Some(Err(error)) if error.is_panic() => Err(anyhow!("the job panicked")),
            _ => Err(anyhow!("the job was cancelled")),
        }
    }

    /// Forgets a job that succeeded; schedules a retry of one that failed, or moves it to
    /// the failed set after its last attempt.
    async fn record(
        &self,
        claimed: &Claimed,
        result: anyhow::Result<()>,
    ) -> anyhow::Result<Outcome> {
        let job = &claimed.job;
        let error = match result {
            Ok(()) => {
                tracing::info!(id = job.id, name = job.name, "job succeeded");
                self.queue.complete(self.id, claimed).await?;
                return Ok(Outcome::Succeeded);
            }
            Err(error) => format!("{error:#}"),
        };
        let attempts = job.attempts + 1;
        if attempts >= self.registry.max_attempts(&job.name) {
            tracing::error!(
                id = job.id,
                name = job.name,
                attempts,
                error,
                "job failed for good"
            );
            self.queue.fail(self.id, claimed, error, None).await?;
            return Ok(Outcome::Failed);
        }
        let delay = retry_delay(self.settings().retry_delay, attempts);
        tracing::warn!(
            id = job.id,
            name = job.name,
            attempts,
            error,
            ?delay,
            "job failed, will retry"
        );
        self.queue
            .fail(self.id, claimed, error, Some(delay))
            .await?;
        Ok(Outcome::Retrying)
    }

    fn settings(&self) -> &JobsSettings {
        &self.state.config.jobs
    }
}

/// The wait after a job's `attempts`-th failure: `first`, then twice as long each time.
fn retry_delay(first: Duration, attempts: u32) -> Duration {
    let factor = 2_u32.saturating_pow(attempts.saturating_sub(1));
    first.saturating_mul(factor).min(MAX_RETRY_DELAY)
}

/// Waits for a while, or until the worker is told to stop.
async fn idle(stopping: &mut watch::Receiver<bool>) {
    tokio::select! {
        () = tokio::time::sleep(POLL_INTERVAL) => {}
        _ = stopping.changed() => {}
    }
}

/// Resolves `grace` after the worker is told to stop.
async fn stopped_for(stopping: &mut watch::Receiver<bool>, grace: Duration) {
    // An error means the sender is gone, which happens only once the worker has stopped.
    let _ = stopping.wait_for(|stopping| *stopping).await;
    tokio::time::sleep(grace).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_as_the_one_before() {
        let first = Duration::from_secs(10);

        let delays: Vec<u64> = (1..=4)
            .map(|attempts| retry_delay(first, attempts).as_secs())
            .collect();

        assert_eq!(delays, [10, 20, 40, 80]);
    }

    #[test]
    fn retry_delays_stop_growing_at_an_hour() {
        assert_eq!(retry_delay(Duration::from_secs(10), 30), MAX_RETRY_DELAY);
        assert_eq!(
            retry_delay(Duration::from_secs(10), u32::MAX),
            MAX_RETRY_DELAY
        );
    }
}
