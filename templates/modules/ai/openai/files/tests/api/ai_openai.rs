//! The AI routes answered by a fake OpenAI, and the usage they record.

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::ai::support::{events, post_as, usage};
use crate::auth::idp::AuthApp;

/// The application with OpenAI's key set and its API at `server`.
async fn spawn(server: &MockServer) -> AuthApp {
    let base_url = format!("{}/v1", server.uri());
    AuthApp::spawn_with(&[
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_BASE_URL", &base_url),
        ("OPENAI_MODEL_CHEAP", "gpt-4o-mini"),
        ("OPENAI_MODEL_STRONG", "gpt-4o"),
    ])
    .await
}

fn completion(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
    }))
}

#[tokio::test]
async fn a_chat_is_answered_by_openai_and_its_usage_recorded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(json!({
            "model": "gpt-4o",
            "messages": [{"role": "user", "content": "Write a haiku about Rust."}],
            "max_tokens": 200,
        })))
        .respond_with(completion("Borrowed, never lost."))
        .expect(1)
        .mount(&server)
        .await;
    let auth = spawn(&server).await;
    let token = auth.valid_token();

    let body = json!({
        "messages": [{"role": "user", "content": "Write a haiku about Rust."}],
        "task": "code",
        "max_tokens": 200,
    });
    let response = post_as(&auth, "/api/v1/ai/chat", &token, &body).await;

    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({
            "message": {"role": "assistant", "content": "Borrowed, never lost."},
            "provider": "openai",
            "model": "gpt-4o",
            "tier": "strong",
            "usage": {"input_tokens": 1000, "output_tokens": 100},
        })
    );
    let used = usage(&auth, &token).await;
    assert_eq!(used["requests"], 1);
    assert_eq!(
        used["models"],
        json!([{
            "provider": "openai",
            "model": "gpt-4o",
            "requests": 1,
            "input_tokens": 1000,
            "output_tokens": 100,
            // 1,000 tokens at $2.50 per million and 100 at $10.00.
            "estimated_cost_micros": 3500,
        }])
    );
    assert_eq!(used["estimated_cost_usd"], 0.0035);
}

#[tokio::test]
async fn short_prompts_without_hints_go_to_the_cheap_model() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"model": "gpt-4o-mini"})))
        .respond_with(completion("Hi."))
        .expect(1)
        .mount(&server)
        .await;
    let auth = spawn(&server).await;

    let body = json!({"messages": [{"role": "user", "content": "Hello?"}]});
    let response = post_as(&auth, "/api/v1/ai/chat", &auth.valid_token(), &body).await;

    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        (answer["model"].as_str(), answer["tier"].as_str()),
        (Some("gpt-4o-mini"), Some("cheap"))
    );
}

#[tokio::test]
async fn a_streamed_chat_relays_the_deltas_then_records_the_usage() {
    let body = [
        r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
        r#"{"choices":[{"index":0,"delta":{"content":"lo."}}]}"#,
        r#"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#,
        "[DONE]",
    ]
    .map(|data| format!("data: {data}\n\n"))
    .concat();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_partial_json(
            json!({"stream": true, "stream_options": {"include_usage": true}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .expect(1)
        .mount(&server)
        .await;
    let auth = spawn(&server).await;
    let token = auth.valid_token();

    let request = json!({"messages": [{"role": "user", "content": "Hello?"}], "tier": "cheap"});
    let response = post_as(&auth, "/api/v1/ai/chat/stream", &token, &request).await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let streamed = events(&response.text().await.unwrap());
    assert_eq!(
        streamed,
        [
            ("delta".to_owned(), json!({"text": "Hel"})),
            ("delta".to_owned(), json!({"text": "lo."})),
            (
                "done".to_owned(),
                json!({
                    "provider": "openai",
                    "model": "gpt-4o-mini",
                    "tier": "cheap",
                    "usage": {"input_tokens": 9, "output_tokens": 2},
                })
            ),
        ]
    );
    let used = usage(&auth, &token).await;
    assert_eq!(used["requests"], 1);
    assert_eq!(used["input_tokens"], 9);
    assert_eq!(used["output_tokens"], 2);
}

#[tokio::test]
async fn an_openai_outage_is_a_503_and_records_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let auth = spawn(&server).await;
    let token = auth.valid_token();

    let body = json!({"messages": [{"role": "user", "content": "Hello?"}]});
    let response = post_as(&auth, "/api/v1/ai/chat", &token, &body).await;

    assert_eq!(response.status(), 503);
    assert_eq!(usage(&auth, &token).await["requests"], 0);
}
