//! Every token that must not pass gets the same 401, whatever was wrong with it.

use serde_json::{Value, json};

use super::idp::{AuthApp, assert_rejected, other_family, unique_subject, with};
use super::keys::{RSA_KID, RSA_PUBLIC_PEM, now, sign, sign_with_secret};
use super::provider;
use crate::helpers::RawConnection;

async fn me_with(auth: &AuthApp, token: &str) -> reqwest::Response {
    auth.get_as("/api/v1/me", token).await
}

#[tokio::test]
async fn an_expired_token_is_rejected() {
    let auth = AuthApp::spawn().await;
    let claims = with(auth.claims(&unique_subject()), "exp", json!(now() - 120));

    assert_rejected(me_with(&auth, &auth.token(&claims)).await).await;
}

#[tokio::test]
async fn a_token_expired_within_the_leeway_is_still_accepted() {
    let auth = AuthApp::spawn().await;
    let claims = with(auth.claims(&unique_subject()), "exp", json!(now() - 5));

    let response = me_with(&auth, &auth.token(&claims)).await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_token_not_yet_valid_is_rejected() {
    let auth = AuthApp::spawn().await;
    let claims = with(auth.claims(&unique_subject()), "nbf", json!(now() + 120));

    assert_rejected(me_with(&auth, &auth.token(&claims)).await).await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_rejected() {
    let auth = AuthApp::spawn().await;
    let claims = with(
        auth.claims(&unique_subject()),
        "iss",
        json!("https://attacker.example"),
    );

    assert_rejected(me_with(&auth, &auth.token(&claims)).await).await;
}

#[tokio::test]
async fn a_token_without_a_subject_is_rejected() {
    let auth = AuthApp::spawn().await;
    let mut claims = auth.claims(&unique_subject());
    claims.as_object_mut().unwrap().remove("sub");

    assert_rejected(me_with(&auth, &auth.token(&claims)).await).await;
}

#[tokio::test]
async fn an_unsigned_token_with_alg_none_is_rejected() {
    let auth = AuthApp::spawn().await;
    let signed = auth.token(&auth.claims(&unique_subject()));
    let payload = signed.split('.').nth(1).unwrap();
    // base64url of {"alg":"none","typ":"JWT"}
    let token = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");

    assert_rejected(me_with(&auth, &token).await).await;
}

#[tokio::test]
async fn an_hs256_token_signed_with_the_rsa_public_key_is_rejected() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());
    // The classic confusion attack: the public key, which anyone can fetch, used as an
    // HMAC secret under the id of the RSA key.
    let token = sign_with_secret(&claims, RSA_PUBLIC_PEM.as_bytes(), Some(RSA_KID));

    assert_rejected(me_with(&auth, &token).await).await;
}

#[tokio::test]
async fn a_token_with_an_unknown_key_id_is_rejected() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());

    let token = sign(&claims, provider::ALGORITHM, "rotated-away");

    assert_rejected(me_with(&auth, &token).await).await;
}

#[tokio::test]
async fn a_token_naming_a_key_of_another_type_is_rejected() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());
    // Signed with the provider's algorithm, but naming the published key of the other
    // type: the key's type decides what it verifies, not the token's header.
    let (_, other_kid) = other_family(provider::ALGORITHM);

    let token = sign(&claims, provider::ALGORITHM, other_kid);

    assert_rejected(me_with(&auth, &token).await).await;
}

#[tokio::test]
async fn a_token_whose_payload_was_changed_after_signing_is_rejected() {
    let auth = AuthApp::spawn().await;
    let user = auth.token(&auth.claims(&unique_subject()));
    let admin = auth.token(&auth.admin_claims(&unique_subject()));
    let parts: Vec<&str> = user.split('.').collect();
    let admin_payload = admin.split('.').nth(1).unwrap();

    let tampered = format!("{}.{admin_payload}.{}", parts[0], parts[2]);

    assert_rejected(me_with(&auth, &tampered).await).await;
}

#[tokio::test]
async fn a_malformed_token_is_rejected() {
    let auth = AuthApp::spawn().await;

    for token in ["not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9..", "Bearer"] {
        assert_rejected(me_with(&auth, token).await).await;
    }
}

#[tokio::test]
async fn a_rejection_reveals_nothing_about_the_token() {
    let auth = AuthApp::spawn().await;
    let expired = with(auth.claims(&unique_subject()), "exp", json!(now() - 120));

    let response = me_with(&auth, &auth.token(&expired)).await;

    let body: Value = response.json().await.unwrap();
    let text = body.to_string().to_lowercase();
    for word in [
        "signature",
        "claim",
        "key",
        "issuer",
        "audience",
        "algorithm",
    ] {
        assert!(!text.contains(word), "{word} in {body}");
    }
}

#[tokio::test]
async fn a_401_before_the_body_was_read_leaves_the_connection_usable_or_announces_its_close() {
    let auth = AuthApp::spawn().await;
    let mut connection = RawConnection::open(&auth.app).await;

    let head = connection
        .send_half(
            "GET",
            "/api/v1/me",
            "content-type: application/json\r\n",
            r#"{"name":"unread"}"#,
        )
        .await;

    let head = head.expect("a reply");
    assert!(head.starts_with("http/1.1 401"), "{head}");
    connection.assert_usable_unless_closed(&head).await;
}
