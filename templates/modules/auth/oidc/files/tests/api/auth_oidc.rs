//! What only the generic OpenID Connect provider does: discovery, a configurable
//! audience, several algorithms and role lists.

use jsonwebtoken::Algorithm;
use serde_json::json;

use crate::auth::idp::{AuthApp, FakeIdp, unique_subject};
use crate::auth::keys::{EC_KID, sign};
use crate::auth::provider::{DISCOVERY_PATH, JWKS_PATH, discovery};

#[tokio::test]
async fn the_keys_are_found_through_the_discovery_document_once() {
    let auth = AuthApp::spawn().await;

    for _ in 0..2 {
        let response = auth.get_as("/api/v1/me", &auth.valid_token()).await;
        assert_eq!(response.status(), 200);
    }

    assert_eq!(auth.idp.requests_to(DISCOVERY_PATH).await, 1);
    assert_eq!(auth.idp.requests_to(JWKS_PATH).await, 1);
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_not_trusted() {
    let idp = FakeIdp::start().await;
    let document = discovery(&idp, "https://attacker.example");
    idp.serve(DISCOVERY_PATH, document).await;
    idp.serve_jwks(JWKS_PATH).await;
    let auth = AuthApp::spawn_against(idp, &[]).await;

    let response = auth.get_as("/api/v1/me", &auth.valid_token()).await;

    assert_eq!(response.status(), 503);
    assert_eq!(auth.idp.requests_to(JWKS_PATH).await, 0);
}

#[tokio::test]
async fn a_token_for_another_audience_is_rejected() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims["aud"] = json!("https://other-api.example");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn a_token_without_an_audience_is_rejected_when_one_is_configured() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims.as_object_mut().unwrap().remove("aud");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn any_audience_is_accepted_when_none_is_configured() {
    let auth = AuthApp::spawn_with(&[("OIDC_AUDIENCE", "")]).await;
    let mut claims = auth.claims(&unique_subject());
    claims["aud"] = json!("https://other-api.example");

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_es256_token_is_accepted_too() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());

    let response = auth
        .get_as("/api/v1/me", &sign(&claims, Algorithm::ES256, EC_KID))
        .await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_admin_role_in_a_role_list_grants_the_admin_routes() {
    let auth = AuthApp::spawn_with(&[("OIDC_ROLE_CLAIM", "realm_access.roles")]).await;
    let mut claims = auth.claims(&unique_subject());
    claims["realm_access"] = json!({"roles": ["offline_access", "admin"]});

    let response = auth
        .get_as("/api/v1/admin/users", &auth.token(&claims))
        .await;

    assert_eq!(response.status(), 200);
}
