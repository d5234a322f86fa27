//! The queue's data in Redis, and every command that changes it.
//!
//! This is the reliable-queue pattern: a job is claimed by moving it, in one atomic command,
//! from the ready list to a list of the worker that runs it, so that at every moment it is
//! stored somewhere in Redis and never only in a worker's memory. Keys, under the queue's
//! name `<q>`:
//!
//! - `<q>:ready`: jobs waiting to run, the oldest at the right end;
//! - `<q>:processing:<worker>`: the jobs a worker is running;
//! - `<q>:scheduled`: jobs waiting for a retry, scored by when it is due (Unix milliseconds);
//! - `<q>:failed`: jobs that failed their last attempt, scored by when;
//! - `<q>:workers` and `<q>:heartbeat:<worker>`: the workers, and a key per worker that
//!   expires when the worker stops refreshing it, so that another worker puts back its jobs;
//! - `<q>:slot:<name>`: the worker running under a name (`JOBS_WORKER_NAME`), refreshed with
//!   its heartbeat, so that a worker restarted under that name finds its predecessor;
//! - `<q>:ids` and `<q>:schedule:<job>`: the id counter, and when a scheduled job is next due.
//!
//! Jobs are stored as JSON, and a job's JSON is how Redis finds it again (`LREM`), so the
//! text read from Redis is kept as it was rather than serialised anew.

use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Job;
use crate::config::JobsSettings;

/// Moves the retries that are due to the ready list, then claims the oldest ready job.
///
/// One script, so that a retry is never in neither set and a claim never races a move.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
        for _, job in ipairs(due) do
            redis.call('ZREM', KEYS[1], job)
            redis.call('LPUSH', KEYS[2], job)
        end
        return redis.call('LMOVE', KEYS[2], KEYS[3], 'RIGHT', 'LEFT')
        ",
    )
});

/// A handle on the queue: cheap to clone, and all a handler needs to enqueue a job.
#[derive(Clone)]
pub struct JobQueue {
    redis: ConnectionManager,
    name: String,
}

/// A job as stored in Redis.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Envelope {
    pub(super) id: u64,
    pub(super) name: String,
    pub(super) payload: Value,
    /// Attempts made so far.
    pub(super) attempts: u32,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
}

/// A job a worker has claimed, with its JSON exactly as stored.
#[derive(Debug)]
pub(super) struct Claimed {
    stored: String,
    pub(super) job: Envelope,
}

/// A job that failed its last attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedJob {
    /// The id [`JobQueue::enqueue`] returned.
    pub id: u64,
    /// The job's [`Job::NAME`].
    pub name: String,
    /// The job's fields, as JSON.
    pub payload: Value,
    /// How many times it ran.
    pub attempts: u32,
    /// Why its last attempt failed.
    pub error: String,
    /// When it failed for the last time.
    pub failed_at: SystemTime,
}

impl JobQueue {
    /// A handle on the queue named in the settings; connects when first used.
    pub fn new(redis: ConnectionManager, settings: &JobsSettings) -> Self {
        Self {
            redis,
            name: settings.queue.clone(),
        }
    }

    /// Queues a job to run as soon as a worker is free, and returns its id.
    pub async fn enqueue<J: Job>(&self, job: &J) -> anyhow::Result<u64> {
        let payload = serde_json::to_value(job)
            .with_context(|| format!("a {} job cannot be serialised", J::NAME))?;
        self.push(J::NAME, payload).await
    }

    /// The jobs that failed their last attempt, the latest first, at most `limit` of them.
    pub async fn failed_jobs(&self, limit: usize) -> anyhow::Result<Vec<FailedJob>> {
        let Some(last) = limit.checked_sub(1) else {
            return Ok(Vec::new());
        };
        let entries: Vec<(String, u64)> = self
            .redis()
            .zrevrange_withscores(self.key("failed"), 0, isize::try_from(last)?)
            .await
            .context("could not list the failed jobs")?;
        entries
            .into_iter()
            .map(|(stored, failed_at)| {
                let job: Envelope = serde_json::from_str(&stored)
                    .context("a failed job is not stored as expected")?;
                Ok(FailedJob {
                    id: job.id,
                    name: job.name,
                    payload: job.payload,
                    attempts: job.attempts,
                    error: job.error.unwrap_or_default(),
                    failed_at: UNIX_EPOCH + Duration::from_millis(failed_at),
                })
            })
            .collect()
    }

    /// Deletes the failed jobs that failed before `cutoff`, and says how many there were.
    pub async fn delete_failed_before(&self, cutoff: SystemTime) -> anyhow::Result<usize> {
        self.redis()
            .zrembyscore(self.key("failed"), "-inf", format!("({}", millis(cutoff)))
            .await
            .context("could not delete old failed jobs")
    }

    /// Queues a job by name, with its payload already serialised.
    pub(super) async fn push(&self, name: &str, payload: Value) -> anyhow::Result<u64> {
        let mut redis = self.redis();
        let id: u64 = redis
            .incr(self.key("ids"), 1)
            .await
            .context("could not allocate a job id")?;
        let job = Envelope {
            id,
            name: name.to_owned(),
            payload,
            attempts: 0,
            error: None,
        };
        redis
            .lpush::<_, _, ()>(self.key("ready"), serde_json::to_string(&job)?)
            .await
            .context("could not enqueue the job")?;
        tracing::debug!(id, name, "job enqueued");
        Ok(id)
    }

    /// Claims the oldest job that is due, for `worker`.
    pub(super) async fn claim(&self, worker: u64) -> anyhow::Result<Option<Claimed>> {
        let stored: Option<String> = CLAIM
            .key(self.key("scheduled"))
            .key(self.key("ready"))
            .key(self.processing(worker))
            .arg(millis(SystemTime::now()))
            .invoke_async(&mut self.redis())
            .await
            .context("could not claim a job")?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        match serde_json::from_str(&stored) {
            Ok(job) => Ok(Some(Claimed { stored, job })),
            Err(error) => {
                // Nothing can run it, and it must not block the queue: it is kept aside.
                let mut move_aside = redis::pipe();
                move_aside
                    .atomic()
                    .lrem(self.processing(worker), 1, &stored)
                    .zadd(self.key("failed"), &stored, millis(SystemTime::now()));
                move_aside.exec_async(&mut self.redis()).await?;
                Err(error).context("a queued job is not stored as expected")
            }
        }
    }

    /// Forgets a job that succeeded.
    pub(super) async fn complete(&self, worker: u64, claimed: &Claimed) -> anyhow::Result<()> {
        self.redis()
            .lrem::<_, _, ()>(self.processing(worker), 1, &claimed.stored)
            .await
            .context("could not mark the job as done")
    }

    /// Records a failed attempt: the job runs again after `delay`, or, with `None`, it is
    /// moved to the failed set for good.
    pub(super) async fn fail(
        &self,
        worker: u64,
        claimed: &Claimed,
        error: String,
        retry_after: Option<Duration>,
    ) -> anyhow::Result<()> {
        let job = Envelope {
            id: claimed.job.id,
            name: claimed.job.name.clone(),
            payload: claimed.job.payload.clone(),
            attempts: claimed.job.attempts + 1,
            error: Some(error),
        };
        let stored = serde_json::to_string(&job)?;
        let now = SystemTime::now();
        let mut record = redis::pipe();
        record
            .atomic()
            .lrem(self.processing(worker), 1, &claimed.stored);
        match retry_after {
            Some(delay) => record.zadd(self.key("scheduled"), stored, millis(now + delay)),
            None => record.zadd(self.key("failed"), stored, millis(now)),
        };
        record
            .exec_async(&mut self.redis())
            .await
            .context("could not record the failed attempt")
    }

    /// Puts a job the worker gave up on (it is stopping) back at the front of the queue.
    pub(super) async fn put_back(&self, worker: u64, claimed: &Claimed) -> anyhow::Result<()> {
        let mut put_back = redis::pipe();
        put_back
            .atomic()
            .lrem(self.processing(worker), 1, &claimed.stored)
            .rpush(self.key("ready"), &claimed.stored);
        put_back
            .exec_async(&mut self.redis())
            .await
            .context("could not put the job back in the queue")
    }

    /// Gives a new worker its id and its first heartbeat; with a `name`, also says which
    /// worker ran under that name before (see [`Self::heartbeat`]).
    pub(super) async fn register_worker(
        &self,
        name: Option<&str>,
        timeout: Duration,
    ) -> anyhow::Result<(u64, Option<u64>)> {
        let worker: u64 = self
            .redis()
            .incr(self.key("ids"), 1)
            .await
            .context("could not allocate a worker id")?;
        let predecessor = self.heartbeat(worker, name, timeout).await?;
        Ok((worker, predecessor))
    }

    /// Tells the other workers that `worker` is alive for `timeout` more, and, with a `name`,
    /// holds that name for as long; returns the other worker that held the name until now,
    /// if any.
    pub(super) async fn heartbeat(
        &self,
        worker: u64,
        name: Option<&str>,
        timeout: Duration,
    ) -> anyhow::Result<Option<u64>> {
        let mut beat = redis::pipe();
        beat.atomic()
            .sadd(self.key("workers"), worker)
            .ignore()
            .pset_ex(self.heartbeat_key(worker), 1, millis_of(timeout))
            .ignore();
        if let Some(name) = name {
            beat.set_options(
                self.key(&format!("slot:{name}")),
                worker,
                redis::SetOptions::default()
                    .get(true)
                    .with_expiration(redis::SetExpiry::PX(millis_of(timeout))),
            );
        }
        let previous: Vec<Option<u64>> = beat
            .query_async(&mut self.redis())
            .await
            .context("could not record the worker's heartbeat")?;
        Ok(previous
            .into_iter()
            .flatten()
            .find(|&holder| holder != worker))
    }

    /// Puts the jobs of workers whose heartbeat expired back in the queue, and says how many.
    pub(super) async fn recover_abandoned(&self) -> anyhow::Result<usize> {
        let workers: Vec<u64> = self.redis().smembers(self.key("workers")).await?;
        let mut recovered = 0;
        for worker in workers {
            if !self.redis().exists(self.heartbeat_key(worker)).await? {
                recovered += self.release(worker).await?;
            }
        }
        Ok(recovered)
    }

    /// Moves a worker's jobs back to the front of the queue, forgets the worker, and says
    /// how many jobs it held.
    pub(super) async fn release(&self, worker: u64) -> anyhow::Result<usize> {
        let mut redis = self.redis();
        let mut released = 0;
        // One job per atomic move: two workers releasing the same list never duplicate one.
        while redis
            .lmove::<_, _, Option<String>>(
                self.processing(worker),
                self.key("ready"),
                redis::Direction::Left,
                redis::Direction::Right,
            )
            .await?
            .is_some()
        {
            released += 1;
        }
        let mut forget = redis::pipe();
        forget
            .atomic()
            .srem(self.key("workers"), worker)
            .del(self.heartbeat_key(worker));
        forget
            .exec_async(&mut redis)
            .await
            .context("could not deregister the worker")?;
        Ok(released)
    }

    /// Whether the scheduled job `name` is due; if so, it is not due again for `every`,
    /// whichever worker asks.
    pub(super) async fn take_schedule(&self, name: &str, every: Duration) -> anyhow::Result<bool> {
        let options = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::PX(millis_of(every)));
        let taken: Option<String> = self
            .redis()
            .set_options(self.key(&format!("schedule:{name}")), 1, options)
            .await
            .context("could not check the job schedule")?;
        Ok(taken.is_some())
    }

    fn redis(&self) -> ConnectionManager {
        self.redis.clone()
    }

    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.name)
    }

    fn processing(&self, worker: u64) -> String {
        self.key(&format!("processing:{worker}"))
    }

    fn heartbeat_key(&self, worker: u64) -> String {
        self.key(&format!("heartbeat:{worker}"))
    }
}

/// Milliseconds since the Unix epoch, the scores of the sorted sets.
fn millis(time: SystemTime) -> u64 {
    millis_of(time.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn millis_of(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
