//! Token verification: signature, algorithm, time window, issuer, audience, party.

use std::collections::HashMap;
use std::sync::Arc;

use jsonwebtoken::{
    Algorithm, AlgorithmFamily, DecodingKey, Header, Validation, decode, decode_header,
};
use secrecy::ExposeSecret;
use serde_json::{Map, Value};

use super::error::AuthError;
use super::jwks::Jwks;
use super::policy::Policy;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;
/// Role of users whose token has no role claim.
pub(super) const DEFAULT_ROLE: &str = "user";

/// Who a verified token says the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's id for the user (`sub`).
    pub external_id: String,
    /// `email`, when the provider includes it.
    pub email: Option<String>,
    /// Display name, from the provider's name claim.
    pub name: Option<String>,
    /// From the configured role claim, or `user` without one.
    pub role: String,
}

/// Verifies bearer tokens; cheap to clone, and shares its key cache between clones.
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

struct Inner {
    policy: Policy,
    hmac: Option<DecodingKey>,
    jwks: Jwks,
    /// One prepared validation per accepted algorithm.
    validations: HashMap<Algorithm, Validation>,
}

impl Authenticator {
    /// Prepares verification for `policy`; fetches nothing until the first token arrives,
    /// so the application starts while the provider is unreachable.
    pub fn new(policy: Policy) -> anyhow::Result<Self> {
        anyhow::ensure!(
            policy
                .algorithms
                .iter()
                .all(|alg| alg.family() != AlgorithmFamily::Hmac),
            "keys from a JWKS must be asymmetric: HS* tokens are verified with the shared secret"
        );
        let hmac = policy
            .hmac_secret
            .as_ref()
            .map(|secret| DecodingKey::from_secret(secret.expose_secret().as_bytes()));
        let accepted = policy
            .algorithms
            .iter()
            .copied()
            .chain(hmac.is_some().then_some(Algorithm::HS256));
        let validations = accepted
            .map(|alg| (alg, validation(&policy, alg)))
            .collect();
        let jwks = Jwks::new(policy.issuer.clone(), policy.jwks.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                policy,
                hmac,
                jwks,
                validations,
            }),
        })
    }

    /// The policy tokens are checked against.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// Checks `token` and returns whom it identifies.
    pub async fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        let header = decode_header(token).map_err(|error| rejected("malformed header", error))?;
        let validation = self
            .inner
            .validations
            .get(&header.alg)
            .ok_or_else(|| rejected("algorithm not accepted", header.alg))?;
        let claims = match header.alg {
            Algorithm::HS256 => {
                let secret = self.inner.hmac.as_ref().ok_or(AuthError::InvalidToken)?;
                decode_claims(token, secret, validation)?
            }
            _ => {
                let key = self.jwks_key(&header).await?;
                decode_claims(token, &key.decoding, validation)?
            }
        };
        self.check_authorized_party(&claims)?;
        Ok(self.identity(claims))
    }

    /// The JWKS key named by the header, if it may verify the header's algorithm.
    async fn jwks_key(&self, header: &Header) -> Result<Arc<super::jwks::Key>, AuthError> {
        let kid = header
            .kid
            .as_deref()
            .ok_or_else(|| rejected("no key id", "kid"))?;
        let key = self
            .inner
            .jwks
            .get(kid)
            .await
            .map_err(|_| AuthError::Unavailable)?
            .ok_or_else(|| rejected("unknown key id", kid))?;
        // The key decides the algorithm, not the token: an RSA key never verifies an EC
        // or PSS token, and a key published for RS256 never verifies RS512.
        let fits = key.decoding.family() == header.alg.family()
            && key.algorithm.is_none_or(|alg| alg == header.alg);
        if fits {
            Ok(key)
        } else {
            Err(rejected("key does not fit the algorithm", header.alg))
        }
    }

    fn check_authorized_party(&self, claims: &Map<String, Value>) -> Result<(), AuthError> {
        let parties = &self.inner.policy.authorized_parties;
        if parties.is_empty() {
            return Ok(());
        }
        match claims.get("azp").and_then(Value::as_str) {
            Some(azp) if parties.iter().any(|party| party == azp) => Ok(()),
            azp => Err(rejected("unauthorized party", azp.unwrap_or("none"))),
        }
    }

    fn identity(&self, claims: Map<String, Value>) -> Identity {
        let policy = &self.inner.policy;
        let text = |path: &str| text_claim(&claims, path);
        Identity {
            // `sub` is a required claim, checked by the validation.
            external_id: text("sub").unwrap_or_default(),
            email: text("email"),
            name: text(policy.name_claim),
            role: role(claim(&claims, &policy.role_claim), &policy.admin_role),
        }
    }
}

fn validation(policy: &Policy, alg: Algorithm) -> Validation {
    let mut validation = Validation::new(alg);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation.set_issuer(&[&policy.issuer]);
    match &policy.audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        }
        None => {
            // Without a configured audience a token carrying one is still fine.
            validation.validate_aud = false;
            validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        }
    }
    validation
}

fn decode_claims(
    token: &str,
    key: &DecodingKey,
    validation: &Validation,
) -> Result<Map<String, Value>, AuthError> {
    decode::<Map<String, Value>>(token, key, validation)
        .map(|data| data.claims)
        .map_err(|error| rejected("verification failed", error))
}

/// Logs why a token was refused (at debug: clients can trigger it at will) and hides it
/// from the response.
fn rejected(reason: &str, detail: impl std::fmt::Debug) -> AuthError {
    tracing::debug!(reason, ?detail, "token rejected");
    AuthError::InvalidToken
}

/// The value at a dotted path such as `app_metadata.role`.
fn claim<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut segments = path.split('.');
    let first = claims.get(segments.next()?)?;
    segments.try_fold(first, |value, segment| value.get(segment))
}

/// A role claim is a string, or a list such as Keycloak's `realm_access.roles` or
/// Cognito's `cognito:groups`, where the admin role wins if present.
/// A string claim as the users table can store it: a user may put a NUL character in their
/// name at the identity provider, and PostgreSQL refuses one in `text`, so it is dropped.
fn text_claim(claims: &Map<String, Value>, path: &str) -> Option<String> {
    claim(claims, path)
        .and_then(Value::as_str)
        .map(|text| text.replace('\0', ""))
}

fn role(value: Option<&Value>, admin_role: &str) -> String {
    let role = match value {
        Some(Value::String(role)) => Some(role.as_str()),
        Some(Value::Array(roles)) => {
            let mut roles = roles.iter().filter_map(Value::as_str);
            let first = roles.clone().next();
            roles.find(|role| *role == admin_role).or(first)
        }
        _ => None,
    };
    role.unwrap_or(DEFAULT_ROLE).to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_dotted_path_reaches_a_nested_claim() {
        let claims = claims(json!({"app_metadata": {"role": "admin"}}));

        assert_eq!(claim(&claims, "app_metadata.role"), Some(&json!("admin")));
        assert_eq!(claim(&claims, "app_metadata.missing"), None);
    }

    #[test]
    fn a_nul_character_in_a_text_claim_is_dropped() {
        let claims = claims(json!({"name": "Ada\0 Lovelace"}));

        assert_eq!(text_claim(&claims, "name").as_deref(), Some("Ada Lovelace"));
    }

    #[test]
    fn a_string_role_claim_is_the_role() {
        assert_eq!(role(Some(&json!("editor")), "admin"), "editor");
    }

    #[test]
    fn a_role_list_yields_the_admin_role_when_it_is_listed() {
        let roles = json!(["offline_access", "admin"]);

        assert_eq!(role(Some(&roles), "admin"), "admin");
        assert_eq!(
            role(Some(&json!(["offline_access"])), "admin"),
            "offline_access"
        );
    }

    #[test]
    fn a_missing_or_odd_role_claim_means_an_ordinary_user() {
        assert_eq!(role(None, "admin"), DEFAULT_ROLE);
        assert_eq!(role(Some(&json!(42)), "admin"), DEFAULT_ROLE);
        assert_eq!(role(Some(&json!([])), "admin"), DEFAULT_ROLE);
    }
}
