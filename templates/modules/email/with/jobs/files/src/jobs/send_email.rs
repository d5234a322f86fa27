//! Email sent by the worker: a request enqueues the email and answers at once, and the
//! worker delivers it, retrying with backoff while the provider is down or refusing.

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::Job;
use crate::email::Email;
use crate::state::AppState;

/// Delivers one rendered email through the configured provider.
///
/// Send email from a handler with `state.jobs.enqueue(&SendEmail(email)).await?` rather than
/// `state.email.send(&email)`: the request does not wait for the provider, and an outage
/// delays the email instead of failing the request.
#[derive(Debug, Serialize, Deserialize)]
pub struct SendEmail(pub Email);

impl Job for SendEmail {
    const NAME: &'static str = "send_email";
    /// With the default 10 s first delay, eight attempts span some 20 minutes of outage.
    const MAX_ATTEMPTS: u32 = 8;

    async fn run(self, state: &AppState) -> anyhow::Result<()> {
        state
            .email
            .send(&self.0)
            .await
            .context("the email was not sent")
    }
}
