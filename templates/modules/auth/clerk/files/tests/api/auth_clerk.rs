//! What only Clerk does: the authorized-parties check, and RS256 only.

use jsonwebtoken::Algorithm;
use serde_json::json;

use crate::auth::idp::{AuthApp, unique_subject};
use crate::auth::keys::{EC_KID, sign};
use crate::auth::provider::JWKS_PATH;

#[tokio::test]
async fn a_token_from_an_authorized_party_is_accepted() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims["azp"] = json!("https://app.example");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_token_requested_from_another_origin_is_rejected() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims["azp"] = json!("https://evil.example");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_token_without_azp_is_rejected_when_parties_are_configured() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims.as_object_mut().unwrap().remove("azp");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn any_azp_is_accepted_when_no_parties_are_configured() {
    let auth = AuthApp::spawn_with(&[("CLERK_AUTHORIZED_PARTIES", "")]).await;
    let mut claims = auth.claims(&unique_subject());
    claims["azp"] = json!("https://elsewhere.example");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_es256_token_is_rejected_even_under_a_published_key() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());

    let token = sign(&claims, Algorithm::ES256, EC_KID);
    let response = auth.get_as("/api/v1/me", &token).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn the_keys_come_from_the_frontend_apis_jwks() {
    let auth = AuthApp::spawn().await;

    auth.get_as("/api/v1/me", &auth.valid_token()).await;

    assert_eq!(auth.idp.requests_to(JWKS_PATH).await, 1);
}

#[tokio::test]
async fn the_role_comes_from_the_session_tokens_metadata() {
    let auth = AuthApp::spawn().await;
    let claims = auth.admin_claims(&unique_subject());

    let response = auth
        .get_as("/api/v1/admin/users", &auth.token(&claims))
        .await;

    assert_eq!(response.status(), 200);
}
