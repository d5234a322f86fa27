//! HTTP server settings.

use std::str::FromStr;
use std::time::Duration;

use axum::http::HeaderValue;

use super::env::Env;

/// Where the application runs; decides defaults such as the log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    /// A developer's machine.
    Development,
    /// A deployed environment.
    Production,
}

impl FromStr for AppEnv {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "development" => Ok(Self::Development),
            "production" => Ok(Self::Production),
            _ => Err("expected development or production".to_owned()),
        }
    }
}

/// Origins allowed to call the API from a browser, parsed from a comma-separated list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedOrigins(pub Vec<HeaderValue>);

impl FromStr for AllowedOrigins {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        value
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(|origin| {
                if !is_origin(origin) {
                    return Err(format!(
                        "{origin:?} is not an origin: write it as a browser sends it, \
                         such as https://app.example.com or http://localhost:5173"
                    ));
                }
                HeaderValue::from_str(origin).map_err(|error| error.to_string())
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// Whether `value` is an origin as a browser's `Origin` header carries it: `http` or `https`,
/// a lowercase host and a port only when it is not the scheme's default, nothing after. Any
/// other spelling (`https://App.example.com`, `https://app.example.com:443`, a trailing `/`)
/// would never match, and `*` is not a list of origins.
fn is_origin(value: &str) -> bool {
    let Some((scheme, authority)) = value.split_once("://") else {
        return false;
    };
    let default_port = match scheme {
        "http" => "80",
        "https" => "443",
        _ => return false,
    };
    // The last `:` starts the port unless it is inside an IPv6 address's brackets.
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|port| {
        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && port != default_port
    });
    is_host(host) && port_ok
}

/// A host as browsers write it in an origin: a lowercase name or IPv4 address, or a lowercase
/// IPv6 address in brackets.
fn is_host(host: &str) -> bool {
    match host
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        Some(address) => {
            !address.is_empty()
                && address
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':'))
        }
        None => {
            !host.is_empty()
                && host.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-')
                })
        }
    }
}

/// How the HTTP server listens and what it accepts.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Development or production.
    pub app_env: AppEnv,
    /// Interface to bind, such as `0.0.0.0` or `127.0.0.1`.
    pub host: String,
    /// Port to bind; 0 picks a free one (tests rely on this).
    pub port: u16,
    /// Browser origins allowed by CORS; empty allows none.
    pub cors_allowed_origins: AllowedOrigins,
    /// Largest request body accepted, in bytes.
    pub request_body_limit_bytes: usize,
    /// Longest time a request may take before it is answered with 408.
    pub request_timeout: Duration,
}

impl ServerSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            app_env: env.parsed("APP_ENV", AppEnv::Development),
            host: env.optional("HOST").unwrap_or_else(|| "0.0.0.0".to_owned()),
            port: env.parsed("PORT", 8080),
            cors_allowed_origins: env.parsed("CORS_ALLOWED_ORIGINS", AllowedOrigins::default()),
            request_body_limit_bytes: env.parsed("REQUEST_BODY_LIMIT_BYTES", 1024 * 1024),
            request_timeout: Duration::from_secs(env.parsed("REQUEST_TIMEOUT_SECS", 30)),
        }
    }
}
