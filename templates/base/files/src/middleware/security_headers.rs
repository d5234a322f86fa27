//! Security headers for a JSON API: nothing on these responses should ever be framed,
//! sniffed, leak a referrer or load other resources.

use axum::http::{HeaderName, HeaderValue, Response, header};
use tower_http::set_header::response::SetMultipleResponseHeadersLayer;

/// Adds the headers unless a handler already set its own value.
pub(super) fn layer<B>() -> SetMultipleResponseHeadersLayer<Response<B>> {
    let headers: [(HeaderName, &'static str); 5] = [
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
    SetMultipleResponseHeadersLayer::if_not_present(
        headers
            .into_iter()
            .map(|(name, value)| (name, HeaderValue::from_static(value)).into())
            .collect(),
    )
}
