//! The AI routes answered by a fake Anthropic, and the usage they record.

use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::ai::support::{events, post_as, usage};
use crate::auth::idp::AuthApp;

/// The application with Anthropic's key set and its API at `server`.
async fn spawn(server: &MockServer) -> AuthApp {
    AuthApp::spawn_with(&[
        ("ANTHROPIC_API_KEY", "sk-ant-test"),
        ("ANTHROPIC_BASE_URL", &server.uri()),
        ("ANTHROPIC_MODEL_CHEAP", "claude-haiku-4-5"),
        ("ANTHROPIC_MODEL_STRONG", "claude-sonnet-4-5"),
    ])
    .await
}

#[tokio::test]
async fn a_chat_is_answered_by_anthropic_and_its_usage_recorded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", "sk-ant-test"))
        .and(header("anthropic-version", "2023-06-01"))
        .and(body_partial_json(json!({
            "model": "claude-haiku-4-5",
            "system": "Answer with one word.",
            "messages": [{"role": "user", "content": "Is this spam?"}],
            "max_tokens": 1024,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "content": [{"type": "text", "text": "No."}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 2000, "output_tokens": 1000},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let auth = spawn(&server).await;
    let token = auth.valid_token();

    let body = json!({
        "messages": [
            {"role": "system", "content": "Answer with one word."},
            {"role": "user", "content": "Is this spam?"},
        ],
        "task": "classify",
    });
    let response = post_as(&auth, "/api/v1/ai/chat", &token, &body).await;

    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({
            "message": {"role": "assistant", "content": "No."},
            "provider": "anthropic",
            "model": "claude-haiku-4-5",
            "tier": "cheap",
            "usage": {"input_tokens": 2000, "output_tokens": 1000},
        })
    );
    let used = usage(&auth, &token).await;
    assert_eq!(
        used["models"],
        json!([{
            "provider": "anthropic",
            "model": "claude-haiku-4-5",
            "requests": 1,
            "input_tokens": 2000,
            "output_tokens": 1000,
            // 2,000 tokens at $1 per million and 1,000 at $5.
            "estimated_cost_micros": 7000,
        }])
    );
}

#[tokio::test]
async fn a_streamed_chat_relays_the_deltas_then_records_the_usage() {
    // Anthropic names each event after the `type` of its data.
    let body = [
        json!({
            "type": "message_start",
            "message": {"id": "msg_1", "content": [], "usage": {"input_tokens": 25, "output_tokens": 1}},
        }),
        json!({
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "Bien"},
        }),
        json!({
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": ", merci."},
        }),
        json!({
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 6},
        }),
        json!({"type": "message_stop"}),
    ]
    .map(|data| format!("event: {}\ndata: {data}\n\n", data["type"].as_str().unwrap()))
    .concat();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(body_partial_json(
            json!({"model": "claude-sonnet-4-5", "stream": true}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
        .expect(1)
        .mount(&server)
        .await;
    let auth = spawn(&server).await;
    let token = auth.valid_token();

    let request = json!({
        "messages": [{"role": "user", "content": "Ça va ?"}],
        "tier": "strong",
    });
    let response = post_as(&auth, "/api/v1/ai/chat/stream", &token, &request).await;

    assert_eq!(response.status(), 200);
    let streamed = events(&response.text().await.unwrap());
    assert_eq!(
        streamed,
        [
            ("delta".to_owned(), json!({"text": "Bien"})),
            ("delta".to_owned(), json!({"text": ", merci."})),
            (
                "done".to_owned(),
                json!({
                    "provider": "anthropic",
                    "model": "claude-sonnet-4-5",
                    "tier": "strong",
                    "usage": {"input_tokens": 25, "output_tokens": 6},
                })
            ),
        ]
    );
    let used = usage(&auth, &token).await;
    assert_eq!(used["requests"], 1);
    assert_eq!(used["input_tokens"], 25);
    assert_eq!(used["output_tokens"], 6);
}

#[tokio::test]
async fn a_request_anthropic_refuses_is_a_502() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "max_tokens: too large"},
        })))
        .mount(&server)
        .await;
    let auth = spawn(&server).await;
    let token = auth.valid_token();

    let body = json!({"messages": [{"role": "user", "content": "Hello?"}]});
    let response = post_as(&auth, "/api/v1/ai/chat", &token, &body).await;

    assert_eq!(response.status(), 502);
    assert_eq!(usage(&auth, &token).await["requests"], 0);
}
