//! What the AI routes answer before any provider is asked.

use serde_json::{Value, json};

use super::support::{post_as, usage};
use crate::auth::idp::AuthApp;

fn hello() -> Value {
    json!({"messages": [{"role": "user", "content": "Hello?"}]})
}

async fn assert_invalid(auth: &AuthApp, body: Value, message: &str) {
    let token = auth.valid_token();
    for path in ["/api/v1/ai/chat", "/api/v1/ai/chat/stream"] {
        let response = post_as(auth, path, &token, &body).await;
        assert_eq!(response.status(), 422, "{path} {body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "validation_failed", "{error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{path}: {error}"
        );
    }
}

#[tokio::test]
async fn the_ai_routes_need_a_signed_in_user() {
    let auth = AuthApp::spawn().await;

    let response = auth
        .app
        .client
        .post(format!("{}/api/v1/ai/chat", auth.app.address))
        .json(&hello())
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 401);
    assert_eq!(auth.app.get("/api/v1/ai/usage").await.status(), 401);
}

#[tokio::test]
async fn an_empty_conversation_is_refused() {
    let auth = AuthApp::spawn().await;

    assert_invalid(&auth, json!({"messages": []}), "messages must not be empty").await;
    assert_invalid(
        &auth,
        json!({"messages": [{"role": "user", "content": "  "}]}),
        "every message needs some content",
    )
    .await;
    assert_invalid(
        &auth,
        json!({"messages": [{"role": "system", "content": "Be brief."}]}),
        "at least one user message",
    )
    .await;
}

#[tokio::test]
async fn asking_for_too_many_tokens_or_too_hot_a_temperature_is_refused() {
    let auth = AuthApp::spawn_with(&[("AI_MAX_OUTPUT_TOKENS", "500")]).await;

    let mut body = hello();
    body["max_tokens"] = json!(501);
    assert_invalid(&auth, body, "max_tokens must be between 1 and 500").await;

    let mut body = hello();
    body["max_tokens"] = json!(0);
    assert_invalid(&auth, body, "max_tokens must be between 1 and 500").await;

    let mut body = hello();
    body["temperature"] = json!(1.5);
    assert_invalid(&auth, body, "temperature must be between 0 and 1").await;
}

#[tokio::test]
async fn an_unknown_task_or_role_is_refused() {
    let auth = AuthApp::spawn().await;
    let token = auth.valid_token();

    let mut body = hello();
    body["task"] = json!("poetry");
    let response = post_as(&auth, "/api/v1/ai/chat", &token, &body).await;
    assert_eq!(response.status(), 422);

    let body = json!({"messages": [{"role": "robot", "content": "Hello?"}]});
    let response = post_as(&auth, "/api/v1/ai/chat", &token, &body).await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn without_an_api_key_the_chat_routes_are_unavailable() {
    // The test configuration sets no provider's key.
    let auth = AuthApp::spawn().await;
    let token = auth.valid_token();

    for path in ["/api/v1/ai/chat", "/api/v1/ai/chat/stream"] {
        let response = post_as(&auth, path, &token, &hello()).await;

        assert_eq!(response.status(), 503, "{path}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "service_unavailable", "{error}");
        assert_eq!(
            error["error"]["message"], "no AI provider is configured",
            "{error}"
        );
    }
    assert_eq!(usage(&auth, &token).await["requests"], 0);
}

#[tokio::test]
async fn a_new_user_has_used_nothing() {
    let auth = AuthApp::spawn().await;
    let token = auth.valid_token();

    assert_eq!(
        usage(&auth, &token).await,
        json!({
            "days": 30,
            "requests": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "estimated_cost_usd": 0.0,
            "models": [],
        })
    );
    let response = auth.get_as("/api/v1/ai/usage?days=0", &token).await;
    assert_eq!(response.status(), 422);
}
