//! Gives every error response the JSON envelope and the request id.
//!
//! Handlers answer through `AppError`, which renders the envelope itself. Errors made
//! elsewhere (axum's 405, tower-http's 408 and 413, any plain-text error) are rewritten
//! here, so clients only ever see one error shape.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::request_id;
use crate::error::{default_message, error_response};

tokio::task_local! {
    static REQUEST_ID: Option<String>;
}

/// The id of the request being handled, if called while handling one.
///
/// A task-local rather than an extractor, so that `AppError` can be returned from
/// anywhere without threading the id through every handler.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok().flatten()
}

pub(super) async fn middleware(request: Request, next: Next) -> Response {
    let id = request_id::of(&request).map(str::to_owned);
    REQUEST_ID
        .scope(
            id,
            async move { envelope_bare_errors(next.run(request).await) },
        )
        .await
}

fn envelope_bare_errors(response: Response) -> Response {
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
