//! The middleware stack every request passes through.

mod cors;
mod error_envelope;
mod keep_alive;
pub mod rate_limit;
mod request_id;
mod security_headers;

pub use rate_limit::RateLimiter;
pub use request_id::current_request_id;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::ServerSettings;

/// Wraps `router` in the application's middleware, listed in the order a request meets
/// them (`ServiceBuilder` reads top to bottom, unlike repeated `Router::layer` calls).
pub fn apply(router: Router, settings: &ServerSettings) -> Router {
    let stack = ServiceBuilder::new()
        // Outermost, so that it sees whether anything inside read the whole body.
        .layer(keep_alive::KeepAliveLayer)
        // Next, so that every log line, every error envelope and every response carries
        // the id.
        .layer(request_id::RequestIdLayer)
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span))
        .map_response(security_headers::add)
        .layer(cors::layer(&settings.cors_allowed_origins))
        .layer(CompressionLayer::new())
        // Outside the timeout and the body limit, so that their bare 408 and 413 get
        // the envelope too.
        .map_response(error_envelope::envelope_bare_errors)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(RequestBodyLimitLayer::new(
            settings.request_body_limit_bytes,
        ));

    router
        // axum's own 2 MiB default would otherwise cap bodies below a larger configured
        // limit; the tower-http limit above is the single source of truth.
        .layer(DefaultBodyLimit::disable())
        .layer(stack)
}
