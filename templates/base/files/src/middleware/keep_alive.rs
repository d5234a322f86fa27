//! Keeps keep-alive connections honest when a reply comes before the request's body was read.
//!
//! A 401, a 429, a 405 or a 413 is answered without reading (all of) the body. hyper then
//! cannot reuse the connection, since the rest of the body is still on the wire, and closes
//! it after the response; without `Connection: close` the client does not know, sends its
//! next request on the same connection and gets a broken pipe. So such a response announces
//! the close. Reading the rest of the body instead would let any client make the server read
//! what it already refused, up to the body limit, for every such request.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use http_body::{Frame, SizeHint};
use pin_project_lite::pin_project;
use tower::{Layer, Service};

/// Announces `Connection: close` on a response sent before the request's body was read.
#[derive(Clone, Copy)]
pub(super) struct KeepAliveLayer;

impl<S> Layer<S> for KeepAliveLayer {
    type Service = KeepAlive<S>;

    fn layer(&self, inner: S) -> Self::Service {
        KeepAlive { inner }
    }
}

/// The service of [`KeepAliveLayer`].
#[derive(Clone)]
pub(super) struct KeepAlive<S> {
    inner: S,
}

impl<S, B> Service<Request> for KeepAlive<S>
where
    S: Service<Request, Response = Response<B>>,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if http_body::Body::is_end_stream(request.body()) {
            // No body (most GETs): nothing can be left unread.
            return ResponseFuture {
                inner: self.inner.call(request),
                read: None,
            };
        }
        let read = Arc::new(AtomicBool::new(false));
        let request = request.map(|body| {
            Body::new(Tracked {
                inner: body,
                read: read.clone(),
            })
        });
        ResponseFuture {
            inner: self.inner.call(request),
            read: Some(read),
        }
    }
}

pin_project! {
    /// The response of [`KeepAlive`], with `Connection: close` if the body was left unread.
    pub(super) struct ResponseFuture<F> {
        #[pin]
        inner: F,
        read: Option<Arc<AtomicBool>>,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if this
            .read
            .as_ref()
            .is_some_and(|read| !read.load(Ordering::Acquire))
        {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        Poll::Ready(Ok(response))
    }
}

/// A request body that records when it has been read to its end.
struct Tracked {
    inner: Body,
    read: Arc<AtomicBool>,
}

impl http_body::Body for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if frame.is_none() || self.inner.is_end_stream() {
            self.read.store(true, Ordering::Release);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
