//! What only Supabase does: legacy HS256 tokens, and its audience for signed-in users.

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};

use crate::auth::idp::{AuthApp, unique_subject};
use crate::auth::keys::{RSA_KID, now, sign, sign_with_secret};
use crate::auth::provider::JWKS_PATH;

const SECRET: &str = "super-secret-jwt-token-with-at-least-32-characters-long";

#[tokio::test]
async fn a_legacy_hs256_token_signed_with_the_jwt_secret_is_accepted() {
    let auth = AuthApp::spawn_with(&[("SUPABASE_JWT_SECRET", SECRET)]).await;
    let claims = auth.claims(&unique_subject());

    let token = sign_with_secret(&claims, SECRET.as_bytes(), None);
    let response = auth.get_as("/api/v1/me", &token).await;

    assert_eq!(response.status(), 200);
    assert_eq!(auth.jwks_fetches().await, 0, "HS256 needs no keys");
}

#[tokio::test]
async fn an_hs256_token_is_rejected_when_no_jwt_secret_is_configured() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());

    let token = sign_with_secret(&claims, SECRET.as_bytes(), None);
    let response = auth.get_as("/api/v1/me", &token).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_hs256_token_signed_with_another_secret_is_rejected() {
    let auth = AuthApp::spawn_with(&[("SUPABASE_JWT_SECRET", SECRET)]).await;
    let claims = auth.claims(&unique_subject());

    let token = sign_with_secret(&claims, b"not-the-project-secret", None);
    let response = auth.get_as("/api/v1/me", &token).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_rs256_signing_key_is_accepted_too() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());

    let response = auth
        .get_as("/api/v1/me", &sign(&claims, Algorithm::RS256, RSA_KID))
        .await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_keys_come_from_the_auth_servers_jwks() {
    let auth = AuthApp::spawn().await;

    auth.get_as("/api/v1/me", &auth.valid_token()).await;

    assert_eq!(auth.idp.requests_to(JWKS_PATH).await, 1);
}

#[tokio::test]
async fn an_anon_key_is_not_a_user() {
    let auth = AuthApp::spawn_with(&[("SUPABASE_JWT_SECRET", SECRET)]).await;
    // What Supabase's anon key holds: no audience, no subject.
    let anon = json!({"iss": "supabase", "role": "anon", "exp": now() + 3600});

    let token = sign_with_secret(&anon, SECRET.as_bytes(), None);
    let response = auth.get_as("/api/v1/me", &token).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_token_for_another_audience_is_rejected() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims["aud"] = json!("anon");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn the_role_comes_from_app_metadata_and_the_name_from_user_metadata() {
    let auth = AuthApp::spawn().await;
    let claims = auth.admin_claims(&unique_subject());

    let user: Value = auth
        .get_as("/api/v1/me", &auth.token(&claims))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(user["role"], "admin");
    assert_eq!(user["name"], "Ada Lovelace");
}
