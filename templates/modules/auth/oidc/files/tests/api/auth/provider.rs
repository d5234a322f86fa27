//! How a generic OpenID Connect provider looks to the shared auth tests: a Keycloak-like
//! issuer whose discovery document points to its keys.

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::idp::FakeIdp;
use super::keys::now;

pub const ALGORITHM: Algorithm = Algorithm::RS256;
pub const ISSUER_PATH: &str = "/realms/test";
pub const DISCOVERY_PATH: &str = "/realms/test/.well-known/openid-configuration";
pub const JWKS_PATH: &str = "/realms/test/protocol/openid-connect/certs";
pub const AUDIENCE: &str = "https://api.example";

pub fn issuer(idp: &FakeIdp) -> String {
    format!("{}{ISSUER_PATH}", idp.uri())
}

/// The discovery document naming `issuer` and the JWKS.
pub fn discovery(idp: &FakeIdp, issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{}{JWKS_PATH}", idp.uri()),
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    })
}

pub async fn mount(idp: &FakeIdp) {
    idp.serve(DISCOVERY_PATH, discovery(idp, &issuer(idp)))
        .await;
    idp.serve_jwks(JWKS_PATH).await;
}

pub fn env(idp: &FakeIdp) -> Vec<(&'static str, String)> {
    vec![
        ("OIDC_ISSUER_URL", issuer(idp)),
        ("OIDC_AUDIENCE", AUDIENCE.to_owned()),
    ]
}

pub fn claims(idp: &FakeIdp, subject: &str) -> Value {
    json!({
        "iss": issuer(idp),
        "aud": [AUDIENCE, "account"],
        "sub": subject,
        "exp": now() + 300,
        "iat": now(),
        "email": format!("{subject}@example.com"),
        "name": "Ada Lovelace",
    })
}

pub fn set_role(claims: &mut Value, role: &str) {
    claims["role"] = json!(role);
}
