//! The welcome email, posted once to each new user: when their first request creates their
//! row, or when the identity provider's webhook announces them first.

use crate::auth::Profile;
use crate::email::{EmailTemplate, Welcome};
use crate::state::AppState;

/// Posts the welcome email to `user`, if they have an email address. A failure is logged and
/// goes no further: the user is signed in all the same.
pub async fn send(state: &AppState, user: &Profile) {
    let Some(to) = user.email.as_deref() else {
        return;
    };
    if let Err(error) = post(state, user, to).await {
        tracing::error!(
            error = format!("{error:#}"),
            external_id = user.external_id,
            "could not send the welcome email"
        );
    }
}

async fn post(state: &AppState, user: &Profile, to: &str) -> anyhow::Result<()> {
    let welcome = Welcome {
        name: user.name.as_deref().unwrap_or(to),
        app_url: &state.config.welcome.app_url,
    };
    state.outbox.post(state, welcome.render(to)?).await
}
