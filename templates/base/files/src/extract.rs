//! Extractors whose rejections use the API's error envelope.

use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::AppError;

/// `axum::Json`, except that a malformed body is answered with the error envelope
/// (400 for broken JSON, 422 for the wrong shape, 415 without a JSON content type,
/// 413 when too large), and a request body must be a JSON object. Use it for both request and
/// response bodies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read as a value first because serde's derived structs also accept an array of their
        // fields in order, so `[null, null]` would pass for `{"name": null, "description":
        // null}`. Bodies are small, and parsing one twice costs microseconds.
        let axum::Json(value) = axum::Json::<Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(AppError::Validation(
                "the body must be a JSON object".to_owned(),
            ));
        }
        T::deserialize(value)
            .map(Self)
            .map_err(|error| AppError::Validation(error.to_string()))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
