//! Which browser pages may call the API: the configured origins, with the methods and
//! request headers the API takes, and the response headers a page may read (the request id to
//! report, when to retry, and why a token was refused).
//!
//! The policy is fixed, so its headers are constants: a request without an `Origin` (a server,
//! a mobile app, a health check) costs one `Vary` entry, and a page's request a lookup in the
//! short list of origins.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::config::AllowedOrigins;

const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("GET,POST,PATCH,DELETE");
const ALLOW_HEADERS: HeaderValue =
    HeaderValue::from_static("authorization,content-type,x-request-id");
const EXPOSE_HEADERS: HeaderValue = HeaderValue::from_static(
    "x-request-id,retry-after,www-authenticate,ratelimit-limit,ratelimit-remaining,ratelimit-reset",
);
/// How long a browser may reuse a preflight's answer, in seconds: two hours, Chromium's own
/// cap, so that a page does not send an `OPTIONS` before every write.
const MAX_AGE: HeaderValue = HeaderValue::from_static("7200");
/// Every answer depends on the request's origin, so caches must keep one per origin.
const VARY: HeaderValue = HeaderValue::from_static("origin");
const VARY_PREFLIGHT: HeaderValue =
    HeaderValue::from_static("origin,access-control-request-method,access-control-request-headers");

/// The CORS policy for `origins`. Credentials are not allowed: the API reads bearer tokens,
/// never cookies, so a page sends its token itself and no other site's page can send it.
pub(super) fn layer(origins: &AllowedOrigins) -> CorsLayer {
    CorsLayer {
        origins: origins.0.as_slice().into(),
    }
}

/// Answers preflights and marks the answers a listed origin's page may read.
#[derive(Clone)]
pub(super) struct CorsLayer {
    origins: Arc<[HeaderValue]>,
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors {
            inner,
            origins: self.origins.clone(),
        }
    }
}

/// The service of [`CorsLayer`].
#[derive(Clone)]
pub(super) struct Cors<S> {
    inner: S,
    origins: Arc<[HeaderValue]>,
}

impl<S, B> Service<Request> for Cors<S>
where
    S: Service<Request, Response = Response<B>>,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .filter(|origin| self.origins.contains(origin))
            .cloned();
        let preflight = request.method() == Method::OPTIONS
            && request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if !preflight {
            return ResponseFuture::Routed {
                inner: self.inner.call(request),
                origin,
            };
        }
        // Answered here: a preflight asks what the browser may send, not for the route.
        let mut response = Response::new(B::default());
        let headers = response.headers_mut();
        headers.insert(header::VARY, VARY_PREFLIGHT);
        if let Some(origin) = origin {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
        }
        ResponseFuture::Preflight {
            response: Some(response),
        }
    }
}

pin_project! {
    /// The response of [`Cors`]: a preflight's answer, or the route's with the CORS headers.
    #[project = ResponseFutureProjection]
    pub(super) enum ResponseFuture<F, B> {
        Preflight { response: Option<Response<B>> },
        Routed {
            #[pin]
            inner: F,
            origin: Option<HeaderValue>,
        },
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ResponseFutureProjection::Preflight { response } => {
                Poll::Ready(Ok(response.take().expect("polled after it completed")))
            }
            ResponseFutureProjection::Routed { inner, origin } => {
                let mut response = ready!(inner.poll(cx))?;
                let headers = response.headers_mut();
                // Appended, so that compression's `accept-encoding` stays.
                headers.append(header::VARY, VARY);
                if let Some(origin) = origin.take() {
                    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
