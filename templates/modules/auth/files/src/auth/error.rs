//! Why a request was not let through, answered in the error envelope.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, error_response};

/// A request that could not be authenticated or authorised.
///
/// Messages are deliberately generic: which check a token failed is logged at debug
/// level and never told to the client.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// No bearer token in the `Authorization` header.
    #[error("authentication required")]
    MissingToken,
    /// The token is malformed, badly signed, expired or meant for someone else.
    #[error("invalid or expired token")]
    InvalidToken,
    /// Signed in, but without the role the route needs.
    #[error("this route needs the admin role")]
    Forbidden,
    /// The provider's keys could not be fetched, so the token cannot be checked.
    #[error("authentication is temporarily unavailable")]
    Unavailable,
    /// Anything else, such as the database failing while syncing the user.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        // RFC 6750: a 401 names the scheme, and says `invalid_token` when one was sent.
        let challenge = match self {
            Self::MissingToken => "Bearer",
            Self::InvalidToken => r#"Bearer error="invalid_token""#,
            Self::Forbidden => return error_response(StatusCode::FORBIDDEN, self.to_string()),
            Self::Unavailable => {
                return error_response(StatusCode::SERVICE_UNAVAILABLE, self.to_string());
            }
            Self::Unexpected(error) => return AppError::Unexpected(error).into_response(),
        };
        let mut response = error_response(StatusCode::UNAUTHORIZED, self.to_string());
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
        response
    }
}
