//! The provider's public signing keys (its JWKS), fetched on first use and cached.
//!
//! A token naming a key the cache does not know triggers a refetch, which is how key
//! rotations are picked up; refetches happen at most once per [`MIN_REFRESH_INTERVAL`],
//! so a flood of tokens with made-up key ids costs the provider one request, not one each.
//! A failed fetch is retried sooner, after [`FIRST_RETRY_DELAY`] doubled with each failure
//! in a row up to that interval, so that sign-ins resume within seconds of an outage's end.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::policy::JwksLocation;

/// Shortest time between two fetches of the key set, after one that succeeded.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Time between a failed fetch and the next attempt, doubled for each further failure.
const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);
/// Age after which known keys are fetched again, so that a revoked key stops working.
const MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// Time allowed to connect to the provider.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Time allowed for a whole request to the provider.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A public key from the set, with the algorithm the provider declared for it.
pub(super) struct Key {
    pub(super) decoding: DecodingKey,
    pub(super) algorithm: Option<Algorithm>,
}

/// The key set could not be fetched and the key asked for is not cached.
#[derive(Debug)]
pub(super) struct Unavailable;

/// The cached key set of one provider.
pub(super) struct Jwks {
    http: reqwest::Client,
    issuer: String,
    location: JwksLocation,
    keys: RwLock<KeySet>,
    /// Held while fetching, so that concurrent misses wait for one fetch.
    refresh: Mutex<RefreshState>,
}

#[derive(Default)]
struct KeySet {
    by_id: HashMap<String, Arc<Key>>,
    fetched_at: Option<Instant>,
}

#[derive(Default)]
struct RefreshState {
    last_attempt: Option<Instant>,
    /// Fetches that failed since the last one that succeeded.
    failures: u32,
    /// Found through discovery once, then reused.
    jwks_uri: Option<String>,
}

impl Jwks {
    pub(super) fn new(issuer: String, location: JwksLocation) -> anyhow::Result<Self> {
        Ok(Self {
            http: http_client()?,
            issuer,
            location,
            keys: RwLock::default(),
            refresh: Mutex::default(),
        })
    }

    /// The key with this id: from the cache while fresh, otherwise after a refetch.
    ///
    /// `Ok(None)` means the provider does not publish such a key. A key known from an
    /// earlier fetch is still returned while the provider is unreachable.
    pub(super) async fn get(&self, kid: &str) -> Result<Option<Arc<Key>>, Unavailable> {
        if let Some(key) = self.cached(kid, MAX_AGE) {
            return Ok(Some(key));
        }
        let refreshed = self.refresh().await;
        match (self.cached(kid, Duration::MAX), refreshed) {
            (Some(key), _) => Ok(Some(key)),
            (None, Ok(())) => Ok(None),
            (None, Err(unavailable)) => Err(unavailable),
        }
    }

    fn cached(&self, kid: &str, max_age: Duration) -> Option<Arc<Key>> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        let fresh = keys.fetched_at.is_some_and(|at| at.elapsed() < max_age);
        fresh.then(|| keys.by_id.get(kid).cloned()).flatten()
    }

    /// Fetches the key set unless the last attempt is more recent than the wait it set
    /// ([`RefreshState::wait`]), in which case that attempt's outcome stands.
    async fn refresh(&self) -> Result<(), Unavailable> {
        let mut state = self.refresh.lock().await;
        let wait = state.wait();
        let recent = state.last_attempt.is_some_and(|at| at.elapsed() < wait);
        if !recent {
            state.last_attempt = Some(Instant::now());
            match self.fetch(&mut state).await {
                Ok(by_id) => {
                    tracing::debug!(keys = by_id.len(), "fetched the identity provider's keys");
                    *self.keys.write().unwrap_or_else(PoisonError::into_inner) = KeySet {
                        by_id,
                        fetched_at: Some(Instant::now()),
                    };
                    state.failures = 0;
                }
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "could not fetch the identity provider's keys"
                    );
                    state.failures = state.failures.saturating_add(1);
                }
            }
        }
        if state.failures > 0 {
            Err(Unavailable)
        } else {
            Ok(())
        }
    }

    async fn fetch(&self, state: &mut RefreshState) -> anyhow::Result<HashMap<String, Arc<Key>>> {
        let url = match (&self.location, &state.jwks_uri) {
            (JwksLocation::Url(url), _) | (JwksLocation::Discovery, Some(url)) => url.clone(),
            (JwksLocation::Discovery, None) => {
                let url = self.discover().await?;
                state.jwks_uri = Some(url.clone());
                url
            }
        };
        let set: KeySetDocument = self.get_json(&url).await?;
        Ok(set.keys.into_iter().filter_map(usable_key).collect())
    }

    /// Reads `jwks_uri` from the issuer's discovery document.
    async fn discover(&self) -> anyhow::Result<String> {
        #[derive(Deserialize)]
        struct Discovery {
            issuer: String,
            jwks_uri: String,
        }

        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&url).await?;
        // OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer
        // it was fetched for, or its keys belong to someone else.
        anyhow::ensure!(
            discovery.issuer == self.issuer,
            "the discovery document names the issuer {:?}, not {:?}",
            discovery.issuer,
            self.issuer
        );
        Ok(discovery.jwks_uri)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> anyhow::Result<T> {
        self.http
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .with_context(|| format!("GET {url} failed"))?
            .json()
            .await
            .with_context(|| format!("GET {url} returned unexpected JSON"))
    }
}

impl RefreshState {
    /// How long the last attempt's outcome stands: [`MIN_REFRESH_INTERVAL`] after a success,
    /// and after failures [`FIRST_RETRY_DELAY`], doubled for each one after the first, up to
    /// that interval.
    fn wait(&self) -> Duration {
        match self.failures {
            0 => MIN_REFRESH_INTERVAL,
            failures => FIRST_RETRY_DELAY
                .saturating_mul(1 << (failures - 1).min(16))
                .min(MIN_REFRESH_INTERVAL),
        }
    }
}

/// `{"keys": [...]}`, with each key parsed on its own so that one key of a type this
/// application does not know cannot make the whole set unusable.
#[derive(Deserialize)]
struct KeySetDocument {
    keys: Vec<Value>,
}

/// A signing key with an id, or `None` (and a debug log) for anything else.
fn usable_key(value: Value) -> Option<(String, Arc<Key>)> {
    let jwk: Jwk = match serde_json::from_value(value) {
        Ok(jwk) => jwk,
        Err(error) => {
            tracing::debug!(%error, "skipping a JWK this application cannot read");
            return None;
        }
    };
    if jwk.common.public_key_use == Some(PublicKeyUse::Encryption) {
        return None;
    }
    let kid = jwk.common.key_id.clone()?;
    let decoding = DecodingKey::from_jwk(&jwk)
        .inspect_err(|error| tracing::debug!(kid, %error, "skipping an unusable JWK"))
        .ok()?;
    let algorithm = jwk
        .common
        .key_algorithm
        .and_then(|alg| Algorithm::from_str(&alg.to_string()).ok());
    Some((
        kid,
        Arc::new(Key {
            decoding,
            algorithm,
        }),
    ))
}

/// An HTTP client with timeouts, for the provider's discovery document and keys.
fn http_client() -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a TLS crypto provider of its own; ring is the one sqlx
    // already uses. An error only means a provider was installed before, which is fine.
    // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
    // the alternative, aws-lc-rs, needs a C toolchain and cmake to build.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(FETCH_TIMEOUT)
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .context("could not build the HTTP client for the identity provider")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(failures: u32) -> Duration {
        RefreshState {
            failures,
            ..RefreshState::default()
        }
        .wait()
    }

    #[test]
    fn a_success_stands_for_the_refresh_interval() {
        assert_eq!(after(0), MIN_REFRESH_INTERVAL);
    }

    #[test]
    fn failures_are_retried_after_a_second_doubling_up_to_the_refresh_interval() {
        let waits: Vec<u64> = (1..=7).map(|failures| after(failures).as_secs()).collect();

        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(after(u32::MAX), MIN_REFRESH_INTERVAL);
    }
}
