//! Anthropic's Messages API (`POST /v1/messages`).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::provider::{self, ChatRequest, ChatStream, Completion, LlmError, LlmProvider};
use super::provider::{ProviderFuture, Role, StreamEvent, Usage};
use super::router::Tier;
use super::sse::{self, SseEvent};
use crate::config::{AnthropicSettings, Config};

const PROVIDER: &str = "anthropic";
/// The API version every request names; newer versions may change the shapes read here.
const API_VERSION: &str = "2023-06-01";

/// Chat completions from Claude.
#[derive(Debug, Clone)]
pub struct Anthropic {
    client: reqwest::Client,
    endpoint: String,
    api_key: SecretString,
    cheap_model: String,
    strong_model: String,
    timeout: Duration,
}

impl Anthropic {
    /// The provider, when `ANTHROPIC_API_KEY` is set.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(api_key) = &config.anthropic.api_key else {
            return Ok(None);
        };
        Self::new(
            &config.anthropic,
            api_key.clone(),
            config.ai.request_timeout,
        )
        .map(Some)
    }

    fn new(
        settings: &AnthropicSettings,
        api_key: SecretString,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            client: provider::http_client(PROVIDER, timeout)?,
            endpoint: format!("{}/v1/messages", settings.base_url.trim_end_matches('/')),
            api_key,
            cheap_model: settings.cheap_model.clone(),
            strong_model: settings.strong_model.clone(),
            timeout,
        })
    }

    fn post(&self, body: &Body<'_>) -> reqwest::RequestBuilder {
        self.client
            .post(&self.endpoint)
            .header("x-api-key", self.api_key.expose_secret())
            .header("anthropic-version", API_VERSION)
            .json(body)
    }

    async fn complete_now(&self, request: &ChatRequest) -> Result<Completion, LlmError> {
        let body = Body::new(request, false);
        let response = provider::send(PROVIDER, self.post(&body).timeout(self.timeout)).await?;
        let reply: Reply = response
            .json()
            .await
            .map_err(|error| LlmError::malformed(PROVIDER, error))?;
        let text: String = reply
            .content
            .into_iter()
            .filter_map(|block| block.text)
            .collect();
        Ok(Completion {
            text,
            usage: reply.usage.into(),
        })
    }

    async fn start_stream(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        let body = Body::new(request, true);
        let response = provider::send(PROVIDER, self.post(&body)).await?;
        let mut usage = Usage::default();
        Ok(sse::chat_stream(PROVIDER, response, move |event| {
            decode(event, &mut usage)
        }))
    }
}

impl LlmProvider for Anthropic {
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

/// Reads one event of a stream: `message_start` counts the input, `content_block_delta`s
/// carry the text, `message_delta` counts the output so far, `message_stop` ends it, and
/// `error` (an overload mid-answer, say) fails it. Others (`ping`, block starts) say nothing.
fn decode(event: SseEvent, usage: &mut Usage) -> Result<Option<StreamEvent>, LlmError> {
    let parse = |data: &str| {
        serde_json::from_str::<StreamData>(data)
            .map_err(|error| LlmError::malformed(PROVIDER, error))
    };
    match event.event.as_str() {
        "message_start" => {
            if let Some(counted) = parse(&event.data)?.message.map(|message| message.usage) {
                usage.input_tokens = counted.input_tokens.unwrap_or_default();
                usage.output_tokens = counted.output_tokens;
            }
            Ok(None)
        }
        "content_block_delta" => Ok(parse(&event.data)?
            .delta
            .and_then(|delta| delta.text)
            .filter(|text| !text.is_empty())
            .map(StreamEvent::Delta)),
        "message_delta" => {
            if let Some(counted) = parse(&event.data)?.usage {
                usage.output_tokens = counted.output_tokens;
            }
            Ok(None)
        }
        "message_stop" => Ok(Some(StreamEvent::Done(*usage))),
        "error" => {
            let message = parse(&event.data)?
                .error
                .map_or_else(|| event.data.clone(), |error| error.message);
            Err(LlmError::malformed(PROVIDER, message))
        }
        _ => Ok(None),
    }
}

/// The body of `POST /v1/messages`: system prompts go in `system`, not in `messages`.
#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    messages: Vec<BodyMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
}

#[derive(Serialize)]
struct BodyMessage<'a> {
    role: Role,
    content: &'a str,
}

impl<'a> Body<'a> {
    fn new(request: &'a ChatRequest, stream: bool) -> Self {
        let (system, messages): (Vec<_>, Vec<_>) = request
            .messages
            .iter()
            .partition(|message| message.role == Role::System);
        let system: Vec<&str> = system.iter().map(|m| m.content.as_str()).collect();
        Self {
            model: &request.model,
            max_tokens: request.max_tokens,
            system: (!system.is_empty()).then(|| system.join("\n\n")),
            messages: messages
                .into_iter()
                .map(|message| BodyMessage {
                    role: message.role,
                    content: &message.content,
                })
                .collect(),
            temperature: request.temperature,
            stream,
        }
    }
}

#[derive(Deserialize)]
struct Reply {
    content: Vec<ContentBlock>,
    usage: ReplyUsage,
}

/// A block of the answer; only `text` blocks have text.
#[derive(Deserialize)]
struct ContentBlock {
    text: Option<String>,
}

#[derive(Deserialize)]
struct ReplyUsage {
    #[serde(default)]
    input_tokens: Option<u32>,
    output_tokens: u32,
}

impl From<ReplyUsage> for Usage {
    fn from(usage: ReplyUsage) -> Self {
        Self {
            input_tokens: usage.input_tokens.unwrap_or_default(),
            output_tokens: usage.output_tokens,
        }
    }
}

/// The data of any stream event; each kind fills the fields it has.
#[derive(Deserialize)]
struct StreamData {
    message: Option<StreamMessage>,
    delta: Option<StreamDelta>,
    usage: Option<ReplyUsage>,
    error: Option<StreamError>,
}

#[derive(Deserialize)]
struct StreamMessage {
    usage: ReplyUsage,
}

#[derive(Deserialize)]
struct StreamDelta {
    text: Option<String>,
}

#[derive(Deserialize)]
struct StreamError {
    message: String,
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use serde_json::json;
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::ai::Message;

    fn anthropic(base_url: &str) -> Anthropic {
        let settings = AnthropicSettings {
            api_key: None,
            base_url: base_url.to_owned(),
            cheap_model: "claude-haiku-4-5".to_owned(),
            strong_model: "claude-sonnet-4-5".to_owned(),
        };
        Anthropic::new(&settings, "sk-ant-test".into(), Duration::from_secs(5)).unwrap()
    }

    fn request() -> ChatRequest {
        let message = |role, content: &str| Message {
            role,
            content: content.to_owned(),
        };
        ChatRequest {
            model: "claude-haiku-4-5".to_owned(),
            messages: vec![
                message(Role::System, "Be brief."),
                message(Role::User, "Hello?"),
                message(Role::Assistant, "Hi."),
                message(Role::System, "Answer in French."),
                message(Role::User, "How are you?"),
            ],
            temperature: None,
            max_tokens: 64,
        }
    }

    /// The body both kinds of request share: system prompts lifted out of the messages.
    fn expected_body() -> serde_json::Value {
        json!({
            "model": "claude-haiku-4-5",
            "max_tokens": 64,
            "system": "Be brief.\n\nAnswer in French.",
            "messages": [
                {"role": "user", "content": "Hello?"},
                {"role": "assistant", "content": "Hi."},
                {"role": "user", "content": "How are you?"},
            ],
        })
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
    async fn a_message_is_posted_with_the_key_and_version_headers_and_read_back() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/messages"))
            .and(header("x-api-key", "sk-ant-test"))
            .and(header("anthropic-version", "2023-06-01"))
            .and(header("content-type", "application/json"))
            .and(body_json(expected_body()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": "claude-haiku-4-5",
                "content": [{"type": "text", "text": "Bien, merci."}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 30, "output_tokens": 5},
            })))
            .expect(1)
            .mount(&server)
            .await;

        let completion = anthropic(&server.uri()).complete(&request()).await.unwrap();

        assert_eq!(
            completion,
            Completion {
                text: "Bien, merci.".to_owned(),
                usage: Usage {
                    input_tokens: 30,
                    output_tokens: 5,
                },
            }
        );
    }

    #[tokio::test]
    async fn an_error_status_carries_anthropics_message_and_says_whether_to_retry() {
        for (status, retryable) in [(429, true), (529, true), (500, true), (400, false)] {
            let server = answering(ResponseTemplate::new(status).set_body_json(json!({
                "type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"},
            })))
            .await;

            let error = anthropic(&server.uri())
                .complete(&request())
                .await
                .unwrap_err();

            assert_eq!(
                error.to_string(),
                format!("anthropic answered {status}: Overloaded")
            );
            assert_eq!(error.is_retryable(), retryable, "{status}");
        }
    }

    #[tokio::test]
    async fn errors_never_show_the_api_key() {
        let server =
            answering(ResponseTemplate::new(401).set_body_string("invalid x-api-key")).await;

        let error = anthropic(&server.uri())
            .complete(&request())
            .await
            .unwrap_err();

        let shown = format!("{error} / {error:?}");
        assert!(
            shown.contains("anthropic answered 401: invalid x-api-key"),
            "{shown}"
        );
        assert!(!shown.contains("sk-ant-test"), "{shown}");
    }

    /// A stream of Anthropic's events; each is named after its `type`, as Anthropic does.
    fn sse_body(events: &[serde_json::Value]) -> String {
        events
            .iter()
            .map(|data| {
                format!(
                    "event: {}\ndata: {data}\n\n",
                    data["type"].as_str().unwrap()
                )
            })
            .collect()
    }

    fn text_delta(text: &str) -> serde_json::Value {
        json!({
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": text},
        })
    }

    #[tokio::test]
    async fn a_stream_yields_the_text_deltas_then_the_usage() {
        let body = sse_body(&[
            json!({
                "type": "message_start",
                "message": {"id": "msg_1", "content": [], "usage": {"input_tokens": 25, "output_tokens": 1}},
            }),
            json!({
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            }),
            json!({"type": "ping"}),
            text_delta("Bien"),
            text_delta(", merci."),
            json!({"type": "content_block_stop", "index": 0}),
            json!({
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": 6},
            }),
            json!({"type": "message_stop"}),
        ]);
        let mut expected = expected_body();
        expected["stream"] = json!(true);
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/messages"))
            .and(header("x-api-key", "sk-ant-test"))
            .and(header("anthropic-version", "2023-06-01"))
            .and(body_json(expected))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream"))
            .expect(1)
            .mount(&server)
            .await;

        let stream = anthropic(&server.uri()).stream(&request()).await.unwrap();
        let events: Vec<StreamEvent> = stream.map(Result::unwrap).collect().await;

        assert_eq!(
            events,
            [
                StreamEvent::Delta("Bien".to_owned()),
                StreamEvent::Delta(", merci.".to_owned()),
                StreamEvent::Done(Usage {
                    input_tokens: 25,
                    output_tokens: 6,
                }),
            ]
        );
    }

    #[tokio::test]
    async fn an_error_event_mid_stream_ends_it_with_an_error() {
        let body = sse_body(&[
            text_delta("Bi"),
            json!({
                "type": "error",
                "error": {"type": "overloaded_error", "message": "Overloaded"},
            }),
        ]);
        let server =
            answering(ResponseTemplate::new(200).set_body_raw(body, "text/event-stream")).await;

        let stream = anthropic(&server.uri()).stream(&request()).await.unwrap();
        let events: Vec<Result<StreamEvent, LlmError>> = stream.collect().await;

        assert_eq!(events.len(), 2, "{events:?}");
        let error = events[1].as_ref().unwrap_err();
        assert!(error.to_string().contains("Overloaded"), "{error}");
    }
}
