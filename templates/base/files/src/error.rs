//! The API's error type and the JSON envelope every error response uses:
//! `{"error": {"code": "not_found", "message": "...", "request_id": "..."}}`, plus
//! `"fields": [{"field": "name", "message": "..."}]` when named fields are invalid.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::middleware::current_request_id;

/// What a handler can fail with; each variant decides its status code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed in a way the client can fix.
    #[error("{0}")]
    BadRequest(String),
    /// There is no `{0}` with the addressed id, or none the caller may reach (another user's
    /// row answers exactly like a missing one).
    #[error("no {0} with this id")]
    NotFound(&'static str),
    /// The request conflicts with the current state, such as a duplicate name.
    #[error("{0}")]
    Conflict(String),
    /// The request is well-formed but its content is invalid.
    #[error("{0}")]
    Validation(String),
    /// Some fields of the request are invalid: a 422 listing each of them.
    #[error("{0}")]
    InvalidFields(FieldErrors),
    /// The JSON body could not be read; the rejection carries the status.
    #[error(transparent)]
    Json(#[from] JsonRejection),
    /// The query string could not be read; the rejection names the parameter.
    #[error(transparent)]
    Query(#[from] QueryRejection),
    /// Anything else: logged with its cause chain, answered with an opaque 500.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A failed query is the server's problem: `?` on a `sqlx::Result` in a handler answers an
/// opaque 500 and logs the cause.
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(error).context("database query failed"))
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Validation(_) | Self::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Json(rejection) => rejection.status(),
            Self::Query(rejection) => rejection.status(),
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match self {
            Self::Unexpected(error) => {
                // `{:#}` prints the whole `context` chain on one line.
                tracing::error!(error = format!("{error:#}"), "request failed unexpectedly");
                default_message(status)
            }
            Self::Json(rejection) => rejection.body_text(),
            Self::Query(rejection) => rejection.body_text(),
            Self::InvalidFields(fields) => return envelope(status, fields.to_string(), fields.0),
            other => other.to_string(),
        };
        error_response(status, message)
    }
}

/// The invalid fields of a request, each with what is wrong with it.
///
/// Collect every problem before answering, so that a client fixes them in one round:
///
/// ```ignore
/// let mut errors = FieldErrors::new();
/// if name.trim().is_empty() {
///     errors.add("name", "must not be empty");
/// }
/// errors.check()?;
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FieldErrors(Vec<FieldError>);

/// One invalid field, as the envelope lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name in the request (a body field or a query parameter).
    #[schema(example = "name")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `field` is invalid, and why.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// `Ok` when no field was found invalid, otherwise a 422 listing them all.
    pub fn check(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::InvalidFields(self))
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|error| error.field.as_str()).collect();
        write!(f, "invalid fields: {}", names.join(", "))
    }
}

/// Builds an error response in the envelope, tagged with the current request's id.
pub(crate) fn error_response(status: StatusCode, message: String) -> Response {
    envelope(status, message, Vec::new())
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorEnvelope {
    error: ErrorBody,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable and machine-readable, derived from the status: clients match on it, never on
    /// the message.
    #[schema(example = "not_found")]
    code: &'static str,
    /// For people; may change between versions.
    #[schema(example = "no project with this id")]
    message: String,
    /// The request's `x-request-id`, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    /// Each invalid field, on a 422 about named fields.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    fields: Vec<FieldError>,
}

fn envelope(status: StatusCode, message: String, fields: Vec<FieldError>) -> Response {
    let envelope = ErrorEnvelope {
        error: ErrorBody {
            code: code(status),
            message,
            request_id: current_request_id(),
            fields,
        },
    };
    (status, Json(envelope)).into_response()
}

/// The message for a status when there is nothing more specific (and nothing to leak).
pub(crate) fn default_message(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("Error")
        .to_ascii_lowercase()
}

/// Stable, machine-readable codes: clients match on these, never on messages.
fn code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::PAYMENT_REQUIRED => "payment_required",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_ACCEPTABLE => "not_acceptable",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
        status if status.is_client_error() => "client_error",
        _ => "internal_error",
    }
}

#[cfg(test)]
mod tests {
    use axum::body::to_bytes;
    use serde_json::{Value, json};

    use super::*;

    async fn render(error: AppError) -> (StatusCode, Value) {
        let response = error.into_response();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn domain_errors_keep_their_message_and_get_their_status() {
        let cases = [
            (AppError::BadRequest("bad".into()), 400, "bad_request"),
            (AppError::NotFound("project"), 404, "not_found"),
            (AppError::Conflict("taken".into()), 409, "conflict"),
            (
                AppError::Validation("too short".into()),
                422,
                "validation_failed",
            ),
        ];
        for (error, status, code) in cases {
            let message = error.to_string();
            let (actual_status, body) = render(error).await;
            assert_eq!(actual_status.as_u16(), status);
            assert_eq!(body, json!({"error": {"code": code, "message": message}}));
        }
    }

    #[tokio::test]
    async fn invalid_fields_are_a_422_listing_each_field() {
        let mut errors = FieldErrors::new();
        errors.add("name", "must not be empty");
        errors.add("limit", "must be between 1 and 100");

        let (status, body) = render(errors.check().unwrap_err()).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            json!({"error": {
                "code": "validation_failed",
                "message": "invalid fields: name, limit",
                "fields": [
                    {"field": "name", "message": "must not be empty"},
                    {"field": "limit", "message": "must be between 1 and 100"},
                ],
            }})
        );
    }

    #[test]
    fn no_invalid_field_passes_the_check() {
        assert!(FieldErrors::new().check().is_ok());
    }

    #[tokio::test]
    async fn unexpected_errors_are_opaque_500s() {
        let error = anyhow::anyhow!("password=hunter2").context("loading the user");

        let (status, body) = render(AppError::from(error)).await;

        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            json!({"error": {"code": "internal_error", "message": "internal server error"}})
        );
    }

    #[tokio::test]
    async fn database_errors_are_opaque_500s_that_keep_their_cause() {
        let error = AppError::from(sqlx::Error::Protocol("password=hunter2".into()));

        assert!(format!("{error:#}").contains("password=hunter2"));
        let (status, body) = render(error).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            json!({"error": {"code": "internal_error", "message": "internal server error"}})
        );
    }
}
