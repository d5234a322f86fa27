//! How Clerk looks to the shared auth tests: where it publishes its keys and what its
//! session tokens hold.

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::idp::FakeIdp;
use super::keys::now;

/// Clerk signs session tokens with RS256 only.
pub const ALGORITHM: Algorithm = Algorithm::RS256;
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The frontend origin the tests' tokens are requested from.
pub const ORIGIN: &str = "http://localhost:3000";

pub async fn mount(idp: &FakeIdp) {
    idp.serve_jwks(JWKS_PATH).await;
}

pub fn env(idp: &FakeIdp) -> Vec<(&'static str, String)> {
    vec![
        ("CLERK_FRONTEND_API_URL", idp.uri()),
        (
            "CLERK_AUTHORIZED_PARTIES",
            format!("https://app.example, {ORIGIN}"),
        ),
    ]
}

pub fn claims(idp: &FakeIdp, subject: &str) -> Value {
    json!({
        "iss": idp.uri(),
        "azp": ORIGIN,
        "sub": subject,
        "sid": "sess_test",
        "exp": now() + 60,
        "iat": now(),
        "nbf": now() - 5,
        "email": format!("{subject}@example.com"),
        "name": "Ada Lovelace",
    })
}

pub fn set_role(claims: &mut Value, role: &str) {
    claims["metadata"] = json!({"role": role});
}
