//! `RequireActiveSubscription`: a guard for the handlers of paid features.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::subscriptions::{self, Subscription};
use crate::auth::CurrentUser;
use crate::error::{AppError, error_response};
use crate::state::AppState;

/// A signed-in user whose subscription is active or trialing, with that subscription.
///
/// Taking it as a handler argument makes the route answer 401 without a valid token and
/// 402 Payment Required (code `payment_required`) when the user has no active or trialing
/// subscription: never subscribed, cancelled, or past due after a failed renewal. A
/// handler of a paid feature takes `RequireActiveSubscription(user, subscription)` where it
/// would take `user: CurrentUser`, and can read the plan from `subscription.price_id`.
#[derive(Debug, Clone)]
pub struct RequireActiveSubscription(pub CurrentUser, pub Subscription);

/// Why [`RequireActiveSubscription`] refused a request.
#[derive(Debug, thiserror::Error)]
pub enum SubscriptionRejection {
    /// Not signed in.
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    /// Signed in without an active or trialing subscription.
    #[error("this feature needs an active subscription")]
    PaymentRequired,
    /// The subscription could not be read.
    #[error(transparent)]
    Unexpected(#[from] sqlx::Error),
}

impl IntoResponse for SubscriptionRejection {
    fn into_response(self) -> Response {
        match self {
            Self::Auth(error) => error.into_response(),
            Self::PaymentRequired => error_response(StatusCode::PAYMENT_REQUIRED, self.to_string()),
            Self::Unexpected(error) => AppError::from(error).into_response(),
        }
    }
}

impl FromRequestParts<AppState> for RequireActiveSubscription {
    type Rejection = SubscriptionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match subscriptions::current(&state.db, user.id).await? {
            Some(subscription) if subscription.grants_access() => Ok(Self(user, subscription)),
            _ => Err(SubscriptionRejection::PaymentRequired),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::{Value, json};

    use super::*;

    #[tokio::test]
    async fn no_active_subscription_is_a_402_in_the_envelope() {
        let response = SubscriptionRejection::PaymentRequired.into_response();

        assert_eq!(response.status(), StatusCode::PAYMENT_REQUIRED);
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({"error": {
                "code": "payment_required",
                "message": "this feature needs an active subscription",
            }})
        );
    }

    #[tokio::test]
    async fn a_missing_token_is_still_a_401() {
        let response =
            SubscriptionRejection::Auth(crate::auth::AuthError::MissingToken).into_response();

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
}
