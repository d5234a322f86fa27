//! `POST /api/v1/webhooks/supabase`: a Supabase database webhook on `auth.users` keeps the
//! `users` table in step between sign-ins (a changed email, a deleted account).
//!
//! Create it in the dashboard (Database > Webhooks) for INSERT, UPDATE and DELETE on
//! `auth.users`, sending the header `X-Webhook-Secret` with the value of
//! `SUPABASE_WEBHOOK_SECRET`; every other request is refused with 401.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;
use subtle::ConstantTimeEq;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, Profile};
use crate::error::{AppError, ErrorEnvelope, error_response};
use crate::state::AppState;

/// The header carrying the shared secret.
pub const SECRET_HEADER: &str = "x-webhook-secret";

/// The webhook's route, for the public group.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(receive))
}

/// The body of a database webhook.
#[derive(Deserialize)]
struct Change {
    #[serde(rename = "type")]
    kind: Kind,
    schema: String,
    table: String,
    record: Option<AuthUser>,
    old_record: Option<AuthUser>,
}

#[derive(Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum Kind {
    Insert,
    Update,
    Delete,
}

/// The columns of `auth.users` the `users` table keeps.
#[derive(Deserialize)]
struct AuthUser {
    id: String,
    email: Option<String>,
    #[serde(default)]
    raw_user_meta_data: Value,
}

impl AuthUser {
    /// The name as tokens carry it (`user_metadata.full_name`).
    fn profile(self) -> Profile {
        let name = self.raw_user_meta_data["full_name"]
            .as_str()
            .map(str::to_owned);
        Profile {
            external_id: self.id,
            email: self.email,
            name,
        }
    }
}

/// A change to `auth.users`, from a Supabase database webhook.
#[utoipa::path(
    post,
    path = "/webhooks/supabase",
    operation_id = "supabase_user_webhook",
    tag = "webhooks",
    params(("x-webhook-secret" = String, Header, description = "`SUPABASE_WEBHOOK_SECRET`")),
    request_body(content = Object, description = "A database webhook payload"),
    responses(
        (status = 204, description = "Applied (or not about `auth.users`)"),
        (status = 401, description = "Missing or wrong secret", body = ErrorEnvelope),
        (status = 503, description = "`SUPABASE_WEBHOOK_SECRET` is not set", body = ErrorEnvelope),
    )
)]
async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(expected) = &state.config.auth.webhook_secret else {
        // Not set up yet: 503 makes Supabase retry once it is.
        let status = StatusCode::SERVICE_UNAVAILABLE;
        return error_response(status, "the Supabase webhook is not configured".to_owned());
    };
    let given = headers
        .get(SECRET_HEADER)
        .map_or(&[][..], |value| value.as_bytes());
    if !bool::from(given.ct_eq(expected.expose_secret().as_bytes())) {
        return error_response(
            StatusCode::UNAUTHORIZED,
            "invalid webhook secret".to_owned(),
        );
    }
    match apply(&state, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn apply(state: &AppState, body: &[u8]) -> Result<(), AppError> {
    let change: Change = serde_json::from_slice(body)
        .map_err(|error| AppError::BadRequest(format!("not a database webhook: {error}")))?;
    if (change.schema.as_str(), change.table.as_str()) != ("auth", "users") {
        return Err(AppError::BadRequest(
            "this webhook handles auth.users only".to_owned(),
        ));
    }
    match (change.kind, change.record, change.old_record) {
        (Kind::Insert | Kind::Update, Some(user), _) => {
            auth::save_profile(state, &user.profile()).await?;
        }
        (Kind::Delete, _, Some(user)) => auth::remove(state, &user.id).await?,
        _ => {
            return Err(AppError::BadRequest(
                "the change carries no user record".to_owned(),
            ));
        }
    }
    Ok(())
}
