//! `POST /api/v1/webhooks/clerk`: Clerk's user events keep the `users` table in step between
//! sign-ins (a changed email or name, a deleted account).
//!
//! Add an endpoint in the Clerk dashboard (Webhooks) for `user.created`, `user.updated` and
//! `user.deleted`, and set `CLERK_WEBHOOK_SECRET` to its signing secret. Clerk delivers
//! through Svix, which signs each delivery: `svix-signature` holds one or more
//! `v1,<base64>` entries, each an HMAC-SHA256 of `<svix-id>.<svix-timestamp>.<body>` under
//! the secret. Deliveries older or newer than [`TOLERANCE_SECS`] are refused, so a
//! captured one cannot be replayed later; a redelivery within that window is harmless,
//! since applying an event twice changes nothing.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::Sha256;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, Profile};
use crate::error::{AppError, ErrorEnvelope, error_response};
use crate::state::AppState;

/// Largest difference, in seconds, between a delivery's timestamp and the clock.
pub const TOLERANCE_SECS: u64 = 5 * 60;

/// The webhook's route, for the public group.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// Why a delivery was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejection {
    /// A Svix header is missing or malformed: 400.
    Malformed(&'static str),
    /// No signature matches, or the timestamp is out of tolerance: 401.
    Unauthentic(&'static str),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Self::Malformed(message) => (StatusCode::BAD_REQUEST, message),
            Self::Unauthentic(message) => (StatusCode::UNAUTHORIZED, message),
        };
        error_response(status, message.to_owned())
    }
}

/// Checks a delivery's Svix signature against `secret` (`whsec_<base64 key>`) at `now`
/// (seconds since the epoch).
pub fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now: u64) -> Result<(), Rejection> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .ok_or(Rejection::Malformed("missing or malformed Svix headers"))
    };
    let (id, timestamp, signatures) = (
        header("svix-id")?,
        header("svix-timestamp")?,
        header("svix-signature")?,
    );
    let sent: u64 = timestamp
        .parse()
        .map_err(|_| Rejection::Malformed("svix-timestamp is not a number"))?;
    if sent.abs_diff(now) > TOLERANCE_SECS {
        return Err(Rejection::Unauthentic("the delivery is too old or too new"));
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| Rejection::Unauthentic("the webhook secret is not valid base64"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    for part in [id.as_bytes(), b".", timestamp.as_bytes(), b".", body] {
        mac.update(part);
    }
    let matches = signatures
        .split(' ')
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|signature| STANDARD.decode(signature).ok())
        // `verify_slice` compares in constant time.
        .any(|signature| mac.clone().verify_slice(&signature).is_ok());
    if matches {
        Ok(())
    } else {
        Err(Rejection::Unauthentic("no signature matches"))
    }
}

/// A Clerk event; only user events are read.
#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    data: serde_json::Value,
}

/// The part of Clerk's user object the `users` table keeps.
#[derive(Deserialize)]
struct ClerkUser {
    id: String,
    first_name: Option<String>,
    last_name: Option<String>,
    primary_email_address_id: Option<String>,
    #[serde(default)]
    email_addresses: Vec<EmailAddress>,
}

#[derive(Deserialize)]
struct EmailAddress {
    id: String,
    email_address: String,
}

impl ClerkUser {
    fn profile(self) -> Profile {
        let email = self
            .email_addresses
            .into_iter()
            .find(|address| Some(&address.id) == self.primary_email_address_id.as_ref())
            .map(|address| address.email_address);
        let name = [self.first_name, self.last_name]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Profile {
            external_id: self.id,
            email,
            name: (!name.is_empty()).then_some(name),
        }
    }
}

/// `data` of `user.deleted`.
#[derive(Deserialize)]
struct DeletedUser {
    id: String,
}

/// A `user.created`, `user.updated` or `user.deleted` event from Clerk, through Svix.
#[utoipa::path(
    post,
    path = "/webhooks/clerk",
    operation_id = "clerk_user_webhook",
    tag = "webhooks",
    params(
        ("svix-id" = String, Header, description = "The delivery's id"),
        ("svix-timestamp" = i64, Header, description = "Unix seconds when it was sent"),
        ("svix-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>` entries"),
    ),
    request_body(content = Object, description = "A Clerk webhook event"),
    responses(
        (status = 204, description = "Applied (or not about users)"),
        (status = 401, description = "Missing, invalid or stale signature", body = ErrorEnvelope),
        (status = 503, description = "`CLERK_WEBHOOK_SECRET` is not set", body = ErrorEnvelope),
    )
)]
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(secret) = &state.config.auth.webhook_secret else {
        // Not set up yet: 503 makes Svix retry once it is.
        let status = StatusCode::SERVICE_UNAVAILABLE;
        return error_response(status, "the Clerk webhook is not configured".to_owned());
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    if let Err(rejection) = verify(secret.expose_secret(), &headers, &body, now) {
        tracing::debug!(?rejection, "Clerk webhook refused");
        return rejection.into_response();
    }
    match apply(&state, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn apply(state: &AppState, body: &[u8]) -> Result<(), AppError> {
    let malformed = |error: serde_json::Error| AppError::BadRequest(format!("{error}"));
    let event: Event = serde_json::from_slice(body).map_err(malformed)?;
    match event.kind.as_str() {
        "user.created" | "user.updated" => {
            let user: ClerkUser = serde_json::from_value(event.data).map_err(malformed)?;
            auth::save_profile(state, &user.profile()).await?;
        }
        "user.deleted" => {
            let user: DeletedUser = serde_json::from_value(event.data).map_err(malformed)?;
            auth::remove(state, &user.id).await?;
        }
        // Subscribed to more than it needs: acknowledged, so that Svix does not retry.
        other => tracing::debug!(event = other, "Clerk event ignored"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    /// The example of Svix's documentation.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: u64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("svix-id", HeaderValue::from_static(ID));
        headers.insert("svix-timestamp", TIMESTAMP.into());
        headers.insert("svix-signature", signature.parse().unwrap());
        headers
    }

    #[test]
    fn the_documented_example_verifies() {
        assert_eq!(verify(SECRET, &headers(SIGNATURE), BODY, TIMESTAMP), Ok(()));
    }

    #[test]
    fn any_of_several_signatures_may_match() {
        let several = format!("v1,bm9wZQ== v2,abc {SIGNATURE}");

        assert_eq!(verify(SECRET, &headers(&several), BODY, TIMESTAMP), Ok(()));
    }

    #[test]
    fn a_changed_body_does_not_verify() {
        let result = verify(SECRET, &headers(SIGNATURE), br#"{"test": 1}"#, TIMESTAMP);

        assert_eq!(result, Err(Rejection::Unauthentic("no signature matches")));
    }

    #[test]
    fn a_delivery_outside_the_tolerance_is_refused() {
        for now in [
            TIMESTAMP + TOLERANCE_SECS + 1,
            TIMESTAMP - TOLERANCE_SECS - 1,
        ] {
            let result = verify(SECRET, &headers(SIGNATURE), BODY, now);
            assert!(matches!(result, Err(Rejection::Unauthentic(_))), "{now}");
        }
    }

    #[test]
    fn missing_or_malformed_headers_are_bad_requests() {
        let mut missing = headers(SIGNATURE);
        missing.remove("svix-id");
        let mut not_a_number = headers(SIGNATURE);
        not_a_number.insert("svix-timestamp", HeaderValue::from_static("yesterday"));

        for headers in [missing, not_a_number] {
            let result = verify(SECRET, &headers, BODY, TIMESTAMP);
            assert!(matches!(result, Err(Rejection::Malformed(_))));
        }
    }
}
