//! The interface every LLM provider implements, and what goes in and out of it.

use std::pin::Pin;
use std::time::Duration;

use anyhow::Context;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::router::Tier;

/// Who wrote a message of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions for the model.
    System,
    /// The person (or program) asking.
    User,
    /// The model's earlier answers.
    Assistant,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// What it says.
    #[schema(pattern = r"\S")]
    pub content: String,
}

/// A chat completion request, as a provider receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The provider's model name, such as `gpt-4o-mini`.
    pub model: String,
    /// The conversation so far, oldest first.
    pub messages: Vec<Message>,
    /// Sampling temperature, 0 to 1; `None` keeps the provider's default.
    pub temperature: Option<f32>,
    /// Most tokens the answer may have.
    pub max_tokens: u32,
}

/// Tokens a request consumed, as the provider counted them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Usage {
    /// Tokens of the prompt.
    pub input_tokens: u32,
    /// Tokens of the answer.
    pub output_tokens: u32,
}

/// A finished chat completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The answer's text.
    pub text: String,
    /// What it cost in tokens.
    pub usage: Usage,
}

/// What a streamed completion yields: text as it is written, then the usage, once, last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// The next piece of the answer.
    Delta(String),
    /// The answer is complete.
    Done(Usage),
}

/// A streamed completion: deltas, then [`StreamEvent::Done`]; an error ends it.
pub type ChatStream = BoxStream<'static, Result<StreamEvent, LlmError>>;

/// The future a provider's methods return, boxed so that providers can be `dyn LlmProvider`.
pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LlmError>> + Send + 'a>>;

/// A chat completion API, such as OpenAI's or Anthropic's.
pub trait LlmProvider: Send + Sync {
    /// Short lowercase name, recorded with the usage: `openai`, `anthropic`.
    fn name(&self) -> &'static str;

    /// The model this provider uses for `tier`.
    fn model(&self, tier: Tier) -> &str;

    /// Asks for a whole answer at once.
    fn complete<'a>(&'a self, request: &'a ChatRequest) -> ProviderFuture<'a, Completion>;

    /// Asks for the answer as a stream. The future resolves once the provider has accepted
    /// the request, so a refusal (a 429, say) is an error here rather than in the stream.
    fn stream<'a>(&'a self, request: &'a ChatRequest) -> ProviderFuture<'a, ChatStream>;
}

/// Why a provider gave no answer. Messages name the provider, never its credentials.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The provider answered with an error status.
    #[error("{provider} answered {status}: {message}")]
    Status {
        /// The provider's name.
        provider: &'static str,
        /// The HTTP status.
        status: u16,
        /// What the provider said.
        message: String,
    },
    /// The provider could not be reached, or did not answer in time.
    #[error("could not reach {provider}")]
    Unreachable {
        /// The provider's name.
        provider: &'static str,
        /// The connection error or timeout.
        #[source]
        source: reqwest::Error,
    },
    /// The exchange failed in another way: a broken connection mid-answer, or a body that
    /// is not what the API documents.
    #[error("{provider} sent an unreadable response: {message}")]
    Malformed {
        /// The provider's name.
        provider: &'static str,
        /// What was wrong.
        message: String,
    },
}

impl LlmError {
    /// Whether another attempt (or another provider) may succeed: rate limits (429),
    /// server errors (5xx, including Anthropic's 529 "overloaded"), timeouts and refused
    /// connections. Anything else would fail again the same way.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            Self::Unreachable { .. } => true,
            Self::Malformed { .. } => false,
        }
    }

    /// Classifies an error of reqwest.
    pub(super) fn transport(provider: &'static str, source: reqwest::Error) -> Self {
        if source.is_connect() || source.is_timeout() {
            Self::Unreachable { provider, source }
        } else {
            Self::Malformed {
                provider,
                message: source.to_string(),
            }
        }
    }

    /// A body that does not parse as the API documents it.
    pub(super) fn malformed(provider: &'static str, error: impl std::fmt::Display) -> Self {
        Self::Malformed {
            provider,
            message: error.to_string(),
        }
    }
}

/// The HTTP client of a provider: connections time out after ten seconds, and a response
/// must keep coming, each part within `timeout` of the last.
pub(super) fn http_client(provider: &str, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    // reqwest is built without a TLS crypto provider of its own; ring is the one sqlx
    // already uses. An error only means a provider was installed before, which is fine.
    // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
    // the alternative, aws-lc-rs, needs a C toolchain and cmake to build.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(timeout)
        .build()
        .with_context(|| format!("could not build the HTTP client for {provider}"))
}

/// Sends `request`, and turns an error status into [`LlmError::Status`] with the message
/// of the provider's error body (both APIs put it at `error.message`).
pub(super) async fn send(
    provider: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, LlmError> {
    let response = request
        .send()
        .await
        .map_err(|error| LlmError::transport(provider, error))?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|error| error["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.trim().to_owned());
    Err(LlmError::Status {
        provider,
        status: status.as_u16(),
        message,
    })
}
