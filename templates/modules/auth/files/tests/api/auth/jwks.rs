//! The provider's keys are fetched once, refetched for unknown keys at a bounded rate,
//! and their absence is not blamed on the client.

use std::time::Duration;

use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

use super::idp::{AuthApp, FakeIdp, unique_subject};
use super::keys::sign;
use super::provider;

#[tokio::test]
async fn the_keys_are_fetched_once_for_many_requests() {
    let auth = AuthApp::spawn().await;

    for _ in 0..3 {
        let response = auth.get_as("/api/v1/me", &auth.valid_token()).await;
        assert_eq!(response.status(), 200);
    }

    assert_eq!(auth.jwks_fetches().await, 1);
}

#[tokio::test]
async fn a_flood_of_unknown_key_ids_fetches_the_keys_once_per_interval() {
    let auth = AuthApp::spawn().await;
    let claims = auth.claims(&unique_subject());

    for n in 0..5 {
        let token = sign(&claims, provider::ALGORITHM, &format!("made-up-{n}"));
        let response = auth.get_as("/api/v1/me", &token).await;
        assert_eq!(response.status(), 401);
    }

    assert_eq!(auth.jwks_fetches().await, 1);
}

#[tokio::test]
async fn an_unreachable_provider_gives_503_rather_than_blaming_the_token() {
    let idp = FakeIdp::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&idp.server)
        .await;
    let auth = AuthApp::spawn_against(idp, &[]).await;

    let response = auth.get_as("/api/v1/me", &auth.valid_token()).await;

    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "service_unavailable");
}

#[tokio::test]
async fn a_failed_fetch_is_retried_within_seconds_not_after_the_refresh_interval() {
    let idp = FakeIdp::start().await;
    // The provider's first answer is an error, whatever was asked; then it is back.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&idp.server)
        .await;
    provider::mount(&idp).await;
    let auth = AuthApp::spawn_against(idp, &[]).await;
    let token = auth.valid_token();

    let down = auth.get_as("/api/v1/me", &token).await;
    let at_once = auth.get_as("/api/v1/me", &token).await;
    let requests_while_down = auth.idp.server.received_requests().await.unwrap().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let back = auth.get_as("/api/v1/me", &token).await;

    assert_eq!(down.status(), 503);
    assert_eq!(at_once.status(), 503, "the failure stands for a second");
    assert_eq!(requests_while_down, 1, "one attempt, not one per request");
    assert_eq!(back.status(), 200);
}
