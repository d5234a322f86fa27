//! Security headers for a JSON API: nothing on these responses should ever be framed,
//! sniffed, leak a referrer or load other resources.

use axum::http::{HeaderName, HeaderValue, Response, header};

const HEADERS: [(HeaderName, &str); 5] = [
    (
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=63072000; includeSubDomains",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

/// Adds the headers unless a handler already set its own value.
///
/// A plain function for `ServiceBuilder::map_response` rather than tower-http's
/// `SetMultipleResponseHeadersLayer`, whose boxed header makers are cloned with the
/// middleware stack on every request.
pub(super) fn add<B>(mut response: Response<B>) -> Response<B> {
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    response
}
