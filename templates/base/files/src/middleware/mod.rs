//! The middleware stack every request passes through.

mod cors;
mod error_envelope;
mod keep_alive;
pub mod rate_limit;
mod request_id;
mod security_headers;

pub use rate_limit::RateLimiter;
pub use request_id::current_request_id;

use std::convert::Infallible;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower::{Service, ServiceBuilder};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::ServerSettings;

/// An HTTP service as `axum::serve` runs it and tests drive it with `oneshot`.
pub trait HttpService:
    Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + 'static
{
}

impl<S> HttpService for S where
    S: Service<Request, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static
{
}

/// Wraps `router` in the application's middleware, listed in the order a request meets
/// them (`ServiceBuilder` reads top to bottom, unlike repeated `Router::layer` calls).
///
/// The stack goes around the router rather than in through `Router::layer`, which would box
/// it into every route's service, so that each request would clone it and its future through
/// a box: around the router, it is cloned by value. Layers added here therefore run before
/// routing, and see no `MatchedPath`.
pub fn apply(router: Router, settings: &ServerSettings) -> impl HttpService + use<> {
    let stack = ServiceBuilder::new()
        // The layers' response bodies, boxed once into the `Response` of `HttpService`.
        .map_response(IntoResponse::into_response)
        // First of the middleware, so that it sees whether anything inside read the whole body.
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
        ))
        // axum's own 2 MiB default would otherwise cap bodies below a larger configured
        // limit; the tower-http limit above is the single source of truth.
        .layer(DefaultBodyLimit::disable());

    stack.service(router)
}
