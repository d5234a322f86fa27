//! Which browser pages may call the API: the configured origins, with the methods and
//! request headers the API takes, and the response headers a page may read (the request id to
//! report, when to retry, and why a token was refused).

use std::time::Duration;

use axum::http::{Method, header};
use tower_http::cors::CorsLayer;

use super::rate_limit::{RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET};
use super::request_id::HEADER as REQUEST_ID;
use crate::config::AllowedOrigins;

/// How long a browser may reuse a preflight's answer: two hours, Chromium's own cap, so that
/// a page does not send an `OPTIONS` before every write.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(2 * 60 * 60);

/// The CORS policy for `origins`. Credentials are not allowed: the API reads bearer tokens,
/// never cookies, so a page sends its token itself and no other site's page can send it.
pub fn layer(origins: &AllowedOrigins) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(origins.0.clone())
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            REQUEST_ID.clone(),
        ])
        .expose_headers([
            REQUEST_ID.clone(),
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            RATELIMIT_LIMIT,
            RATELIMIT_REMAINING,
            RATELIMIT_RESET,
        ])
        .max_age(PREFLIGHT_MAX_AGE)
}
