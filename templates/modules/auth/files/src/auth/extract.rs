//! The signed-in user as an extractor, the admin guard, and the layer that authenticates
//! the signed-in route groups.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::AuthError;
use super::users;
use crate::middleware::rate_limit::RateLimitSubject;
use crate::state::AppState;

/// The user a request's bearer token identifies, synced to the `users` table.
///
/// Taking it as a handler argument makes the route require a valid token (401 otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CurrentUser {
    /// The `users` row id: what other tables reference.
    pub id: Uuid,
    /// The identity provider's id for the user.
    pub external_id: String,
    /// Email address, when the provider shares it.
    pub email: Option<String>,
    /// Display name, when the provider shares it.
    pub name: Option<String>,
    /// Role from the provider's role claim (`user` when absent).
    pub role: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Several extractors of one request (`RequireAdmin` and `CurrentUser`, say)
        // verify the token once.
        if let Some(user) = parts.extensions.get::<Self>() {
            return Ok(user.clone());
        }
        let token = bearer_token(parts)?;
        let identity = state.auth.verify(token).await?;
        let user = users::sync(state, identity).await?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// Middleware of the app and admin groups: verifies the bearer token once, before the
/// group's rate limit, so that a request without a valid token is refused with 401 at no
/// cost to anyone's quota, and a signed-in user's requests count against their own quota
/// wherever they come from. Handlers taking [`CurrentUser`] reuse the user found here.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(user) => {
            parts
                .extensions
                .insert(RateLimitSubject(user.id.to_string()));
            next.run(Request::from_parts(parts, body)).await
        }
        Err(rejection) => rejection.into_response(),
    }
}

/// A signed-in user with the admin role; anyone else gets 403 (or 401 without a token).
#[derive(Debug, Clone)]
pub struct RequireAdmin(pub CurrentUser);

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = AuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.role == state.auth.policy().admin_role {
            Ok(Self(user))
        } else {
            Err(AuthError::Forbidden)
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (the scheme is case-insensitive).
fn bearer_token(parts: &Parts) -> Result<&str, AuthError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingToken)?;
    let (scheme, token) = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .ok_or(AuthError::InvalidToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingToken);
    }
    match token.trim() {
        "" => Err(AuthError::InvalidToken),
        token => Ok(token),
    }
}
