//! `x-request-id`: taken from the client or generated, attached to the trace span and
//! echoed on the response, so a client's report can be matched with the logs.

use std::pin::Pin;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};

use axum::http::{HeaderName, HeaderValue, Request, Response};
use pin_project_lite::pin_project;
use tokio::task::futures::TaskLocalFuture;
use tower::{Layer, Service};
use tracing::Span;
use uuid::Uuid;

/// The header a request's id travels in, both ways; a `static` so that inserting it copies
/// no bytes, as a name given as `&str` would on every request.
static HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: HeaderValue;
}

/// The id of the request being handled, if called while handling one.
///
/// A task-local rather than an extractor, so that `AppError` can be returned from
/// anywhere without threading the id through every handler.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID
        .try_with(|id| id.to_str().ok().map(str::to_owned))
        .ok()
        .flatten()
}

/// Keeps the client's `x-request-id` or sets a new one, makes it the
/// [`current_request_id`] while the request is handled, and copies it onto the response.
///
/// One layer rather than tower-http's `SetRequestIdLayer` and `PropagateRequestIdLayer`,
/// which also store the id in the request's and the response's extensions, where nothing
/// reads it.
#[derive(Clone, Copy)]
pub(super) struct RequestIdLayer;

impl<S> Layer<S> for RequestIdLayer {
    type Service = RequestId<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestId { inner }
    }
}

/// The service of [`RequestIdLayer`].
#[derive(Clone)]
pub(super) struct RequestId<S> {
    inner: S,
}

impl<S, B, ResBody> Service<Request<B>> for RequestId<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let id = match request.headers().get(&HEADER) {
            Some(id) => id.clone(),
            None => {
                let id = new_id();
                request.headers_mut().insert(HEADER.clone(), id.clone());
                id
            }
        };
        ResponseFuture {
            inner: REQUEST_ID.scope(id.clone(), self.inner.call(request)),
            id: Some(id),
        }
    }
}

pin_project! {
    /// The response of [`RequestId`], given the request's id unless it already has one.
    pub(super) struct ResponseFuture<F> {
        #[pin]
        inner: TaskLocalFuture<HeaderValue, F>,
        id: Option<HeaderValue>,
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
        if let Some(id) = this.id.take() {
            response.headers_mut().entry(HEADER.clone()).or_insert(id);
        }
        Poll::Ready(Ok(response))
    }
}

/// The span every request is traced in. Only the path is recorded: query strings can
/// carry tokens.
pub(super) fn span<B>(request: &Request<B>) -> Span {
    let id = request.headers().get(&HEADER);
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id = id.and_then(|id| id.to_str().ok()).unwrap_or_default(),
    )
}

/// A new id shaped like a UUID, from a random per-process half and a counter.
///
/// Hand-written rather than tower-http's `MakeRequestUuid`, which asks the kernel for 16
/// random bytes on every request: an id has to be unique, not unpredictable. The random
/// half keeps processes apart; the counter goes through a bijective mix, so ids within a
/// process never repeat yet do not reveal how many requests came before.
fn new_id() -> HeaderValue {
    static PROCESS: LazyLock<u64> = LazyLock::new(|| Uuid::new_v4().as_u64_pair().0);
    static COUNTER: AtomicU64 = AtomicU64::new(0);

    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let id = Uuid::from_u64_pair(*PROCESS, mix(count));
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()))
        .expect("a hyphenated UUID is a valid header value")
}

/// SplitMix64's finaliser: a bijection on `u64` that scatters consecutive inputs.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::mix;

    #[test]
    fn consecutive_counts_mix_to_distinct_scattered_values() {
        let mixed: Vec<u64> = (0..1000).map(mix).collect();
        let mut unique = mixed.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), mixed.len());
        let scattered = |pair: &[u64]| pair[0].abs_diff(pair[1]) > 1 << 32;
        assert!(mixed.windows(2).all(scattered));
    }
}
