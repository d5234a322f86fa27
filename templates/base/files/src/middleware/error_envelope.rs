//! Gives every error response the JSON envelope and the request id.
//!
//! Handlers answer through `AppError`, which renders the envelope itself. Errors made
//! elsewhere (axum's 405, tower-http's 408 and 413, any plain-text error) are rewritten
//! here, so clients only ever see one error shape.

use axum::BoxError;
use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;

use crate::error::{default_message, error_response};

/// Gives a bare error response the envelope; for `ServiceBuilder::map_response`, inside
/// the request id's layer so that the envelope carries the id.
pub(super) fn envelope_bare_errors<B>(response: Response<B>) -> Response
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    let response = response.map(Body::new);
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    if !is_error || is_json(&response) {
        return response;
    }

    let (mut parts, _body) = response.into_parts();
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut enveloped = error_response(status, default_message(status));
    // Keep the rest, such as the `allow` header of a 405.
    enveloped.headers_mut().extend(parts.headers);
    enveloped
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"))
}
