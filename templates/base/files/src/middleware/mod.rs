//! The middleware stack every request passes through.

mod error_envelope;
mod keep_alive;
pub mod rate_limit;
mod request_id;
mod security_headers;

pub use error_envelope::current_request_id;
pub use rate_limit::RateLimiter;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::from_fn;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::ServerSettings;

/// Wraps `router` in the application's middleware, listed in the order a request meets
/// them (`ServiceBuilder` reads top to bottom, unlike repeated `Router::layer` calls).
pub fn apply(router: Router, settings: &ServerSettings) -> Router {
    let stack = ServiceBuilder::new()
        // Outermost, so that it sees whether anything inside read the whole body.
        .layer(from_fn(keep_alive::middleware))
        // Next, so that every log line and every response carries the id.
        .layer(request_id::set_layer())
        .layer(TraceLayer::new_for_http().make_span_with(request_id::span))
        .layer(request_id::propagate_layer())
        .map_response(security_headers::add)
        .layer(CorsLayer::new().allow_origin(settings.cors_allowed_origins.0.clone()))
        .layer(CompressionLayer::new())
        // Outside the timeout and the body limit, so that their bare 408 and 413 get
        // the envelope too.
        .layer(from_fn(error_envelope::middleware))
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
