//! `x-request-id`: taken from the client or generated, attached to the trace span and
//! echoed on the response, so a client's report can be matched with the logs.

use axum::http::Request;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tracing::Span;

/// Keeps the client's `x-request-id` or sets a new UUID v4.
pub(super) fn set_layer() -> SetRequestIdLayer<MakeRequestUuid> {
    SetRequestIdLayer::x_request_id(MakeRequestUuid)
}

/// Copies the request's id onto the response.
pub(super) fn propagate_layer() -> PropagateRequestIdLayer {
    PropagateRequestIdLayer::x_request_id()
}

/// The id of a request, once `set_layer` has run.
pub(super) fn of<B>(request: &Request<B>) -> Option<&str> {
    request.headers().get("x-request-id")?.to_str().ok()
}

/// The span every request is traced in. Only the path is recorded: query strings can
/// carry tokens.
pub(super) fn span<B>(request: &Request<B>) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id = of(request).unwrap_or_default(),
    )
}
