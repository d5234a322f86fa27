//! Rate limiting per route group, shared by every instance of the application through Redis.
//!
//! Each group (public, app, admin) has its own [`Quota`], counted per caller: per
//! [`RateLimitSubject`] when an earlier layer put one in the request's extensions (the
//! signed-in user, when the project has authentication), per client IP otherwise.
//!
//! The window slides: a request counts against its caller for exactly one window after it
//! was made. Each caller's recent requests are a sorted-set log in Redis rather than the
//! weighted two-window counter, because the log is exact where the counter estimates:
//! out of any burst exactly `requests` pass, and `RateLimit-Reset` / `Retry-After` say
//! precisely when the oldest request leaves the window. Its cost stays bounded: refused
//! requests are not logged, so a set never holds more entries than the quota, and it is
//! trimmed on every call. Timestamps come from Redis's clock, so instances whose clocks
//! drift apart still agree, and one Lua script does everything atomically in one round
//! trip (`EVALSHA`, loading the script again only when Redis answers `NOSCRIPT`).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::http::header::{FORWARDED, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use axum::middleware::Next;
use axum::response::Response;
use redis::Script;
use redis::aio::ConnectionManager;

use crate::cache;
use crate::config::{FailMode, Quota, RateLimitSettings};
use crate::error::{default_message, error_response};

/// Trims the caller's log to the window, then logs the request if the quota allows it.
///
/// `KEYS[1]`: the caller's log. `ARGV[1]`: requests allowed; `ARGV[2]`: window in
/// microseconds. Returns whether the request is allowed, the requests left, and the
/// microseconds until the oldest logged request leaves the window.
const SCRIPT: &str = r"
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  -- Unique even for two requests within one microsecond: the second sees one more.
  redis.call('ZADD', key, now, time[1] .. '.' .. time[2] .. '.' .. count)
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, math.ceil(window / 1000))
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then
  reset = tonumber(oldest[2]) + window - now
end
-- Never negative, even when the quota was lowered below a full log.
return {allowed, math.max(limit - count, 0), reset}
";

/// Shortest time between two warnings about Redis being unreachable.
const WARNING_INTERVAL_SECS: u64 = 10;

const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// Whom a request counts against, when not its client IP: a stable id of the caller,
/// such as the signed-in user's id, put in the request's extensions by an earlier layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSubject(pub String);

/// A group of routes sharing one quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteGroup {
    /// Routes anyone may call.
    Public,
    /// Routes for signed-in users.
    App,
    /// Routes for administrators.
    Admin,
}

impl RouteGroup {
    fn name(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::App => "app",
            Self::Admin => "admin",
        }
    }
}

/// Counts requests in Redis; cheap to clone, and clones share the loaded script.
#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    redis: ConnectionManager,
    script: Script,
    settings: RateLimitSettings,
    started: Instant,
    /// Seconds after `started`, plus the interval, of the last warning about Redis.
    last_warning: AtomicU64,
}

impl RateLimiter {
    /// A limiter keeping its counts in `redis` (the SHA of the script is computed here once).
    pub fn new(settings: &RateLimitSettings, redis: ConnectionManager) -> Self {
        Self {
            inner: Arc::new(Inner {
                redis,
                script: Script::new(SCRIPT),
                settings: settings.clone(),
                started: Instant::now(),
                last_warning: AtomicU64::new(0),
            }),
        }
    }

    /// The state of [`enforce`] for the routes of `group`.
    pub fn group(&self, group: RouteGroup) -> GroupLimiter {
        let settings = &self.inner.settings;
        let quota = match group {
            RouteGroup::Public => settings.public,
            RouteGroup::App => settings.app,
            RouteGroup::Admin => settings.admin,
        };
        GroupLimiter {
            limiter: self.clone(),
            group,
            quota,
        }
    }

    /// Logs that Redis could not be asked, at most once per [`WARNING_INTERVAL_SECS`], so
    /// that an outage does not flood the logs with one line per request.
    fn warn_unavailable(&self, error: &redis::RedisError) {
        let inner = &self.inner;
        // Shifted by one interval, so that the first warning is always due.
        let now = inner.started.elapsed().as_secs() + WARNING_INTERVAL_SECS;
        let last = inner.last_warning.load(Ordering::Relaxed);
        let due = now >= last + WARNING_INTERVAL_SECS;
        if due
            && inner
                .last_warning
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                %error,
                fail_mode = ?inner.settings.fail_mode,
                "rate limiter cannot reach Redis"
            );
        }
    }
}

/// A limiter bound to one group's quota: the state of [`enforce`].
#[derive(Clone)]
pub struct GroupLimiter {
    limiter: RateLimiter,
    group: RouteGroup,
    quota: Quota,
}

/// What Redis decided about one request.
struct Decision {
    allowed: bool,
    remaining: u64,
    /// Until the oldest counted request leaves the window, so that one more is allowed.
    reset: Duration,
}

impl GroupLimiter {
    async fn check(&self, key: String) -> redis::RedisResult<Decision> {
        let inner = &self.limiter.inner;
        let window = u64::try_from(self.quota.window.as_micros()).unwrap_or(u64::MAX);
        let mut invocation = inner.script.key(key);
        invocation.arg(self.quota.requests).arg(window);
        let (allowed, remaining, reset): (bool, u64, u64) =
            cache::traced("EVALSHA", invocation.invoke_async(&mut inner.redis.clone())).await?;
        Ok(Decision {
            allowed,
            remaining,
            reset: Duration::from_micros(reset),
        })
    }

    /// `<prefix>:<group>:user:<subject>` or `<prefix>:<group>:ip:<address>`.
    fn key(&self, request: &Request) -> String {
        let prefix = &self.limiter.inner.settings.key_prefix;
        let group = self.group.name();
        match request.extensions().get::<RateLimitSubject>() {
            Some(RateLimitSubject(subject)) => format!("{prefix}:{group}:user:{subject}"),
            None => format!("{prefix}:{group}:ip:{}", self.client_ip(request)),
        }
    }

    /// The socket's peer, or with trusted proxies in front the address the outermost of
    /// them received the request from.
    ///
    /// A router served without connect info (driven through `oneshot`, say) has no peer:
    /// all its callers then share the unspecified address.
    fn client_ip(&self, request: &Request) -> IpAddr {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |ConnectInfo(peer)| {
                peer.ip()
            });
        match self.limiter.inner.settings.trusted_proxy_hops {
            0 => peer,
            hops => forwarded_client(request.headers(), hops).unwrap_or(peer),
        }
    }
}

/// The client as the `hops`-th trusted proxy saw it: each proxy appends the address it got
/// the request from, so that is the `hops`-th entry from the right of `X-Forwarded-For`
/// (or of `Forwarded`'s `for=` parameters, when there is no `X-Forwarded-For`). Entries
/// further left were written by the client and prove nothing. `None` when the chain is
/// shorter than `hops` or the entry is no address.
fn forwarded_client(headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    let node = if headers.contains_key(X_FORWARDED_FOR) {
        nth_from_right(headers, &X_FORWARDED_FOR, hops)?
    } else {
        let element = nth_from_right(headers, &FORWARDED, hops)?;
        element.split(';').find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            name.trim().eq_ignore_ascii_case("for").then_some(value)
        })?
    };
    parse_node(node)
}

/// The `n`-th comma-separated entry from the right across every line of a header.
fn nth_from_right<'a>(headers: &'a HeaderMap, name: &HeaderName, n: usize) -> Option<&'a str> {
    headers
        .get_all(name)
        .iter()
        .rev()
        .flat_map(|line| line.to_str().unwrap_or_default().rsplit(','))
        .nth(n - 1)
}

/// `192.0.2.1`, `2001:db8::1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"` or `[2001:db8::1]`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    node.parse()
        .ok()
        .or_else(|| node.parse::<SocketAddr>().ok().map(|address| address.ip()))
        .or_else(|| node.strip_prefix('[')?.strip_suffix(']')?.parse().ok())
}

/// Middleware counting each request against its caller's quota for the group: 429 with
/// `Retry-After` once the quota is spent, `RateLimit-*` headers on every answer.
///
/// Added to a group with `Router::route_layer`, so that unmatched paths and `/health`
/// never count.
pub async fn enforce(
    State(limiter): State<GroupLimiter>,
    request: Request,
    next: Next,
) -> Response {
    let key = limiter.key(&request);
    let decision = match limiter.check(key).await {
        Ok(decision) => decision,
        Err(error) => {
            limiter.limiter.warn_unavailable(&error);
            return match limiter.limiter.inner.settings.fail_mode {
                FailMode::Open => next.run(request).await,
                FailMode::Closed => {
                    let status = StatusCode::SERVICE_UNAVAILABLE;
                    error_response(status, default_message(status))
                }
            };
        }
    };
    // Whole seconds, rounded up: a client waiting this long finds room.
    let reset_secs = decision.reset.as_micros().div_ceil(1_000_000);
    let reset = HeaderValue::from(u64::try_from(reset_secs).unwrap_or(u64::MAX));
    let mut response = if decision.allowed {
        next.run(request).await
    } else {
        let mut response = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests, retry later".to_owned(),
        );
        response.headers_mut().insert(RETRY_AFTER, reset.clone());
        response
    };
    let headers = response.headers_mut();
    headers.insert(RATELIMIT_LIMIT, HeaderValue::from(limiter.quota.requests));
    headers.insert(RATELIMIT_REMAINING, HeaderValue::from(decision.remaining));
    headers.insert(RATELIMIT_RESET, reset);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_entry_appended_by_the_outermost_trusted_proxy_is_the_client() {
        let forged = headers(&[("x-forwarded-for", "6.6.6.6, 192.0.2.1, 10.0.0.2")]);

        assert_eq!(forwarded_client(&forged, 1), "10.0.0.2".parse().ok());
        assert_eq!(forwarded_client(&forged, 2), "192.0.2.1".parse().ok());
    }

    #[test]
    fn entries_are_counted_across_header_lines() {
        let split = headers(&[
            ("x-forwarded-for", "6.6.6.6, 192.0.2.1"),
            ("x-forwarded-for", "10.0.0.2"),
        ]);

        assert_eq!(forwarded_client(&split, 2), "192.0.2.1".parse().ok());
    }

    #[test]
    fn a_chain_shorter_than_the_trusted_hops_names_no_client() {
        let short = headers(&[("x-forwarded-for", "192.0.2.1")]);

        assert_eq!(forwarded_client(&short, 2), None);
        assert_eq!(forwarded_client(&HeaderMap::new(), 1), None);
    }

    #[test]
    fn forwarded_is_read_when_there_is_no_x_forwarded_for() {
        let forwarded = headers(&[(
            "forwarded",
            r#"for=6.6.6.6, for="[2001:db8::1]:4711";proto=https;by=10.0.0.1"#,
        )]);

        assert_eq!(forwarded_client(&forwarded, 1), "2001:db8::1".parse().ok());
        assert_eq!(forwarded_client(&forwarded, 2), "6.6.6.6".parse().ok());
    }

    #[test]
    fn addresses_are_read_with_or_without_port_and_brackets() {
        for (node, ip) in [
            ("192.0.2.1", "192.0.2.1"),
            (" 192.0.2.1:4711", "192.0.2.1"),
            ("2001:db8::1", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"),
            ("\"[2001:db8::1]:4711\"", "2001:db8::1"),
        ] {
            assert_eq!(parse_node(node), ip.parse().ok(), "{node}");
        }
        assert_eq!(parse_node("unknown"), None);
        assert_eq!(parse_node("_hidden"), None);
    }
}
