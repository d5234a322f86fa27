//! OpenAI's Chat Completions API (`POST /chat/completions`), which many other servers
//! speak too: point `OPENAI_BASE_URL` at one of them.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::provider::{self, ChatRequest, ChatStream, Completion, LlmError, LlmProvider};
use super::provider::{Message, ProviderFuture, StreamEvent, Usage};
use super::router::Tier;
use super::sse::{self, SseEvent};
use crate::config::{Config, OpenAiSettings};

const PROVIDER: &str = "openai";

/// Chat completions from OpenAI, or a compatible server.
#[derive(Debug, Clone)]
pub struct OpenAi {
    client: reqwest::Client,
    endpoint: String,
    api_key: SecretString,
    cheap_model: String,
    strong_model: String,
    timeout: Duration,
}

impl OpenAi {
    /// The provider, when `OPENAI_API_KEY` is set.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(api_key) = &config.openai.api_key else {
            return Ok(None);
        };
        Self::new(&config.openai, api_key.clone(), config.ai.request_timeout).map(Some)
    }

    fn new(
        settings: &OpenAiSettings,
        api_key: SecretString,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client: provider::http_client(PROVIDER, timeout)?,
            endpoint: format!(
                "{}/chat/completions",
                settings.base_url.trim_end_matches('/')
            ),
            api_key,
            cheap_model: settings.cheap_model.clone(),
            strong_model: settings.strong_model.clone(),
            timeout,
        })
    }

    fn post(&self, body: &Body<'_>) -> reqwest::RequestBuilder {
        self.client
            .post(&self.endpoint)
            .bearer_auth(self.api_key.expose_secret())
            .json(body)
    }

    async fn complete_now(&self, request: &ChatRequest) -> Result<Completion, LlmError> {
        let body = Body::new(request, false);
        let response = provider::send(PROVIDER, self.post(&body).timeout(self.timeout)).await?;
        let reply: Reply = response
            .json()
            .await
            .map_err(|error| LlmError::malformed(PROVIDER, error))?;
        let text = reply
            .choices
            .into_iter()
            .next()
            .and_then(|choice| choice.message.content)
            .ok_or_else(|| LlmError::malformed(PROVIDER, "the reply has no message"))?;
        Ok(Completion {
            text,
            usage: reply.usage.into(),
        })
    }

    async fn start_stream(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        let body = Body::new(request, true);
        let response = provider::send(PROVIDER, self.post(&body)).await?;
        let mut usage = None;
        Ok(sse::chat_stream(PROVIDER, response, move |event| {
            decode(event, &mut usage)
        }))
    }
}

impl LlmProvider for OpenAi {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn model(&self, tier: Tier) -> &str {
        match tier {
            Tier::Cheap => &self.cheap_model,
            Tier::Strong => &self.strong_model,
        }
    }

    fn complete<'a>(&'a self, request: &'a ChatRequest) -> ProviderFuture<'a, Completion> {
        Box::pin(self.complete_now(request))
    }

    fn stream<'a>(&'a self, request: &'a ChatRequest) -> ProviderFuture<'a, ChatStream> {
        Box::pin(self.start_stream(request))
    }
}

/// Reads one event of a stream: `data:` is a chunk whose first choice carries a delta, then
/// (asked for with `include_usage`) a chunk with the usage and no choices, then `[DONE]`.
fn decode(event: SseEvent, usage: &mut Option<Usage>) -> Result<Option<StreamEvent>, LlmError> {
    if event.data == "[DONE]" {
        // A compatible server that ignores `include_usage` sends none: count nothing rather
        // than fail an answer that arrived whole.
        return Ok(Some(StreamEvent::Done(usage.take().unwrap_or_default())));
    }
    let chunk: Chunk =
        serde_json::from_str(&event.data).map_err(|error| LlmError::malformed(PROVIDER, error))?;
    if let Some(counted) = chunk.usage {
        *usage = Some(counted.into());
    }
    let text = chunk
        .choices
        .into_iter()
        .next()
        .and_then(|choice| choice.delta.content)
        .filter(|text| !text.is_empty());
    Ok(text.map(StreamEvent::Delta))
}

/// The body of `POST /chat/completions`.
#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: &'a [Message],
    // `max_tokens` rather than the newer `max_completion_tokens`: OpenAI's chat models
    // take both, and compatible servers only the former.
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
}

impl<'a> Body<'a> {
    fn new(request: &'a ChatRequest, stream: bool) -> Self {
        Self {
            model: &request.model,
            messages: &request.messages,
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            stream,
            stream_options: stream.then_some(StreamOptions {
                include_usage: true,
            }),
        }
    }
}

#[derive(Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Deserialize)]
struct Reply {
    choices: Vec<Choice>,
    usage: ReplyUsage,
}

#[derive(Deserialize)]
struct Choice {
    message: ReplyMessage,
}

#[derive(Deserialize)]
struct ReplyMessage {
    content: Option<String>,
}

#[derive(Deserialize)]
struct ReplyUsage {
    prompt_tokens: u32,
    completion_tokens: u32,
}

impl From<ReplyUsage> for Usage {
    fn from(usage: ReplyUsage) -> Self {
        Self {
            input_tokens: usage.prompt_tokens,
            output_tokens: usage.completion_tokens,
        }
    }
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    usage: Option<ReplyUsage>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    delta: Delta,
}

#[derive(Deserialize)]
struct Delta {
    content: Option<String>,
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use serde_json::json;
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::ai::Role;

    fn openai(base_url: &str) -> OpenAi {
        let settings = OpenAiSettings {
            api_key: None,
            base_url: format!("{base_url}/v1"),
            cheap_model: "gpt-4o-mini".to_owned(),
            strong_model: "gpt-4o".to_owned(),
        };
        OpenAi::new(&settings, "sk-test".into(), Duration::from_secs(5)).unwrap()
    }

    fn request() -> ChatRequest {
        ChatRequest {
            model: "gpt-4o-mini".to_owned(),
            messages: vec![
                Message {
                    role: Role::System,
                    content: "Be brief.".to_owned(),
                },
                Message {
                    role: Role::User,
                    content: "Hello?".to_owned(),
                },
            ],
            temperature: Some(0.5),
            max_tokens: 64,
        }
    }

    async fn answering(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn a_completion_is_posted_with_the_key_as_bearer_token_and_read_back() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(header("authorization", "Bearer sk-test"))
            .and(header("content-type", "application/json"))
            .and(body_json(json!({
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Hello?"},
                ],
                "max_tokens": 64,
                "temperature": 0.5,
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi."},
                    "finish_reason": "stop",
                }],
                "usage": {"prompt_tokens": 14, "completion_tokens": 2, "total_tokens": 16},
            })))
            .expect(1)
            .mount(&server)
            .await;

        let completion = openai(&server.uri()).complete(&request()).await.unwrap();

        assert_eq!(
            completion,
            Completion {
                text: "Hi.".to_owned(),
                usage: Usage {
                    input_tokens: 14,
                    output_tokens: 2,
                },
            }
        );
    }

    #[tokio::test]
    async fn an_error_status_carries_openais_message_and_says_whether_to_retry() {
        for (status, retryable) in [(429, true), (500, true), (400, false), (401, false)] {
            let server = answering(ResponseTemplate::new(status).set_body_json(json!({
                "error": {"message": "Slow down.", "type": "requests", "code": null},
            })))
            .await;

            let error = openai(&server.uri())
                .complete(&request())
                .await
                .unwrap_err();

            assert_eq!(
                error.to_string(),
                format!("openai answered {status}: Slow down.")
            );
            assert_eq!(error.is_retryable(), retryable, "{status}");
        }
    }

    #[tokio::test]
    async fn an_unreachable_server_is_retryable() {
        let error = openai("http://127.0.0.1:9")
            .complete(&request())
            .await
            .unwrap_err();

        assert!(matches!(error, LlmError::Unreachable { .. }), "{error:?}");
        assert!(error.is_retryable());
    }

    #[tokio::test]
    async fn a_reply_that_is_not_a_completion_is_malformed() {
        let server = answering(ResponseTemplate::new(200).set_body_string("<html>")).await;

        let error = openai(&server.uri())
            .complete(&request())
            .await
            .unwrap_err();

        assert!(matches!(error, LlmError::Malformed { .. }), "{error:?}");
        assert!(!error.is_retryable());
    }

    #[tokio::test]
    async fn a_stream_asks_for_the_usage_and_yields_the_deltas_then_the_usage() {
        let body = [
            r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"Hel"}}]}"#,
            r#"{"choices":[{"index":0,"delta":{"content":"lo."}}]}"#,
            r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            r#"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#,
            "[DONE]",
        ]
        .map(|data| format!("data: {data}\n\n"))
        .concat();
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .and(header("authorization", "Bearer sk-test"))
            .and(body_json(json!({
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Hello?"},
                ],
                "max_tokens": 64,
                "temperature": 0.5,
                "stream": true,
                "stream_options": {"include_usage": true},
            })))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
            .expect(1)
            .mount(&server)
            .await;

        let stream = openai(&server.uri()).stream(&request()).await.unwrap();
        let events: Vec<StreamEvent> = stream.map(Result::unwrap).collect().await;

        assert_eq!(
            events,
            [
                StreamEvent::Delta("Hel".to_owned()),
                StreamEvent::Delta("lo.".to_owned()),
                StreamEvent::Done(Usage {
                    input_tokens: 9,
                    output_tokens: 2,
                }),
            ]
        );
    }

    #[tokio::test]
    async fn a_refused_stream_fails_before_it_starts() {
        let server = answering(ResponseTemplate::new(429).set_body_json(json!({
            "error": {"message": "Rate limit reached."},
        })))
        .await;

        let error = openai(&server.uri())
            .stream(&request())
            .await
            .err()
            .unwrap();

        assert!(error.is_retryable(), "{error:?}");
    }

    #[tokio::test]
    async fn a_stream_cut_before_done_ends_with_an_error() {
        let body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
        let server =
            answering(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")).await;

        let stream = openai(&server.uri()).stream(&request()).await.unwrap();
        let events: Vec<Result<StreamEvent, LlmError>> = stream.collect().await;

        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(
            events[0].as_ref().unwrap(),
            &StreamEvent::Delta("Hel".to_owned())
        );
        assert!(
            matches!(events[1], Err(LlmError::Malformed { .. })),
            "{events:?}"
        );
    }
}
