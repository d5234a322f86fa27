//! Email sent by the worker: a request posts the email to the outbox, which enqueues it, and
//! answers at once; the worker delivers it, retrying with backoff while the provider is down
//! or refusing.

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::Job;
use crate::email::{Email, Outbox, PostFuture, SendNow};
use crate::state::AppState;

/// Delivers one rendered email through the configured provider.
///
/// The application's outbox enqueues one for each email posted to it, so the request does
/// not wait for the provider, and an outage delays the email instead of failing the request.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendEmail(pub Email);

impl SendEmail {
    /// The outbox that posts each email as a job.
    pub fn outbox() -> impl Outbox {
        Enqueue
    }
}

/// Posts email to the job queue.
struct Enqueue;

impl Outbox for Enqueue {
    fn post<'a>(&'a self, state: &'a AppState, email: Email) -> PostFuture<'a> {
        Box::pin(async move {
            state.jobs.enqueue(&SendEmail(email)).await?;
            Ok(())
        })
    }
}

impl Job for SendEmail {
    const NAME: &'static str = "send_email";
    /// With the default 10 s first delay, eight attempts span some 20 minutes of outage.
    const MAX_ATTEMPTS: u32 = 8;

    async fn run(self, state: &AppState) -> anyhow::Result<()> {
        SendNow
            .post(state, self.0)
            .await
            .context("the email was not sent")
    }
}
