//! Rate limiting settings: one quota per route group, and how callers are told apart.

use std::str::FromStr;
use std::time::Duration;

use super::env::Env;

/// How many requests a caller may make in a sliding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed in any window; at least one.
    pub requests: u32,
    /// Length of the window; at least one second.
    pub window: Duration,
}

impl Quota {
    /// `requests` per `seconds`.
    pub const fn per_seconds(requests: u32, seconds: u64) -> Self {
        Self {
            requests,
            window: Duration::from_secs(seconds),
        }
    }
}

/// `<requests>/<window>`, the window in seconds, minutes or hours: `120/60s`, `1000/1h`.
impl FromStr for Quota {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "expected <requests>/<window> such as 120/60s, 20/1m or 1000/1h";
        let (requests, window) = value.split_once('/').ok_or(EXPECTED)?;
        let requests: u32 = requests.trim().parse().map_err(|_| EXPECTED)?;
        let window = window.trim();
        let unit_at = window.len().saturating_sub(1);
        let (amount, unit) = window.split_at(unit_at);
        let seconds_per_unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 60 * 60,
            _ => return Err(EXPECTED.to_owned()),
        };
        let amount: u64 = amount.parse().map_err(|_| EXPECTED)?;
        if requests == 0 || amount == 0 {
            return Err("the requests and the window must both be positive".to_owned());
        }
        Ok(Self::per_seconds(requests, amount * seconds_per_unit))
    }
}

/// What a rate-limited route does while Redis cannot be asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailMode {
    /// Serve the request unlimited (and log a warning): an outage of Redis does not
    /// become an outage of the API.
    Open,
    /// Refuse the request with 503: nothing gets through unmetered.
    Closed,
}

impl FromStr for FailMode {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            _ => Err("expected open or closed".to_owned()),
        }
    }
}

/// Quotas of the route groups, and where the limiter keeps its counts.
#[derive(Debug, Clone)]
pub struct RateLimitSettings {
    /// Routes anyone may call, per client IP.
    pub public: Quota,
    /// Routes for signed-in users, per user.
    pub app: Quota,
    /// Routes for administrators, per user.
    pub admin: Quota,
    /// What to do while Redis is unreachable.
    pub fail_mode: FailMode,
    /// How many reverse proxies in front of the server append to `X-Forwarded-For` (or
    /// `Forwarded`); 0 ignores those headers, which anyone can forge, and counts the
    /// socket's peer address.
    pub trusted_proxy_hops: usize,
    /// Prefix of every Redis key the limiter writes.
    pub key_prefix: String,
}

impl RateLimitSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            public: env.parsed("RATE_LIMIT_PUBLIC", Quota::per_seconds(120, 60)),
            app: env.parsed("RATE_LIMIT_APP", Quota::per_seconds(600, 60)),
            admin: env.parsed("RATE_LIMIT_ADMIN", Quota::per_seconds(300, 60)),
            fail_mode: env.parsed("RATE_LIMIT_FAIL_MODE", FailMode::Open),
            trusted_proxy_hops: env.parsed("TRUSTED_PROXY_HOPS", 0),
            key_prefix: env
                .optional("RATE_LIMIT_KEY_PREFIX")
                .unwrap_or_else(|| concat!(env!("CARGO_PKG_NAME"), ":rate_limit").to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_reads_requests_per_seconds_minutes_or_hours() {
        assert_eq!("120/60s".parse(), Ok(Quota::per_seconds(120, 60)));
        assert_eq!(" 20 / 1m ".parse(), Ok(Quota::per_seconds(20, 60)));
        assert_eq!("1000/2h".parse(), Ok(Quota::per_seconds(1000, 7200)));
    }

    #[test]
    fn a_malformed_or_empty_quota_is_refused() {
        for value in [
            "120", "120/60", "x/60s", "120/xs", "0/60s", "10/0s", "/", "120/60d",
        ] {
            assert!(value.parse::<Quota>().is_err(), "{value}");
        }
    }
}
