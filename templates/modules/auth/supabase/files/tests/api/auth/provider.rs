//! How Supabase looks to the shared auth tests: where it publishes its keys and what its
//! access tokens hold.

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use super::idp::FakeIdp;
use super::keys::now;

/// New Supabase projects sign with ES256 keys.
pub const ALGORITHM: Algorithm = Algorithm::ES256;
pub const JWKS_PATH: &str = "/auth/v1/.well-known/jwks.json";

pub async fn mount(idp: &FakeIdp) {
    idp.serve_jwks(JWKS_PATH).await;
}

pub fn env(idp: &FakeIdp) -> Vec<(&'static str, String)> {
    vec![("SUPABASE_URL", idp.uri())]
}

pub fn claims(idp: &FakeIdp, subject: &str) -> Value {
    json!({
        "iss": format!("{}/auth/v1", idp.uri()),
        "aud": "authenticated",
        "sub": subject,
        "exp": now() + 3600,
        "iat": now(),
        "email": format!("{subject}@example.com"),
        "role": "authenticated",
        "user_metadata": {"full_name": "Ada Lovelace"},
    })
}

pub fn set_role(claims: &mut Value, role: &str) {
    claims["app_metadata"] = json!({"provider": "email", "role": role});
}
