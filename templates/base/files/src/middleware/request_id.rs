//! `x-request-id`: taken from the client or generated, attached to the trace span and
//! echoed on the response, so a client's report can be matched with the logs.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tracing::Span;
use uuid::Uuid;

/// Keeps the client's `x-request-id` or sets a new one.
pub(super) fn set_layer() -> SetRequestIdLayer<NewId> {
    SetRequestIdLayer::x_request_id(NewId)
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

/// Makes ids shaped like UUIDs from a random per-process half and a counter.
///
/// Hand-written rather than tower-http's `MakeRequestUuid`, which asks the kernel for 16
/// random bytes on every request: an id has to be unique, not unpredictable. The random
/// half keeps processes apart; the counter goes through a bijective mix, so ids within a
/// process never repeat yet do not reveal how many requests came before.
#[derive(Clone, Copy)]
pub(super) struct NewId;

impl MakeRequestId for NewId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        static PROCESS: LazyLock<u64> = LazyLock::new(|| Uuid::new_v4().as_u64_pair().0);
        static COUNTER: AtomicU64 = AtomicU64::new(0);

        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let id = Uuid::from_u64_pair(*PROCESS, mix(count));
        let value = HeaderValue::from_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
        value.ok().map(RequestId::new)
    }
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
