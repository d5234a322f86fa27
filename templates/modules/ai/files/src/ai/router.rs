//! The smart router: which model answers a request, and which provider when one fails.
//!
//! The tier is decided by the first rule that applies:
//!
//! 1. the request's explicit `tier`;
//! 2. its `task`: `classify`, `extract` and `summarize` are cheap, `reasoning` and `code`
//!    are strong;
//! 3. a prompt longer than `AI_STRONG_PROMPT_CHARS` characters is strong;
//! 4. anything else is cheap.
//!
//! Each provider names its model for each tier (`OPENAI_MODEL_CHEAP`, ...). Providers are
//! tried in order, and the next one gets the request when one fails in a way that may pass
//! (a rate limit, a server error, a timeout): see [`LlmError::is_retryable`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::provider::{
    ChatRequest, ChatStream, Completion, LlmError, LlmProvider, Message, ProviderFuture,
};
use crate::config::AiSettings;

/// How capable (and how expensive) a model a request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// A small, fast model.
    Cheap,
    /// The provider's best general model.
    Strong,
}

impl Tier {
    /// The name stored with the usage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cheap => "cheap",
            Self::Strong => "strong",
        }
    }
}

/// What a request is for, as a hint to the router.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Sorting text into given categories.
    Classify,
    /// Pulling fields out of text.
    Extract,
    /// Shortening text.
    Summarize,
    /// Multi-step thinking: planning, analysis, maths.
    Reasoning,
    /// Writing or reviewing code.
    Code,
}

/// What the router decides from: the request's hints and its prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The conversation.
    pub messages: Vec<Message>,
    /// An explicit tier, which wins over every other rule.
    pub tier: Option<Tier>,
    /// What the request is for.
    pub task: Option<Task>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Most tokens the answer may have.
    pub max_tokens: u32,
}

impl Prompt {
    /// Characters of every message together.
    fn chars(&self) -> usize {
        self.messages
            .iter()
            .map(|m| m.content.chars().count())
            .sum()
    }
}

/// The tier for a request, by the rules at the top of this file.
pub fn choose_tier(
    tier: Option<Tier>,
    task: Option<Task>,
    prompt_chars: usize,
    strong_prompt_chars: usize,
) -> Tier {
    match (tier, task) {
        (Some(tier), _) => tier,
        (None, Some(Task::Classify | Task::Extract | Task::Summarize)) => Tier::Cheap,
        (None, Some(Task::Reasoning | Task::Code)) => Tier::Strong,
        (None, None) if prompt_chars > strong_prompt_chars => Tier::Strong,
        (None, None) => Tier::Cheap,
    }
}

/// Who answered a request: the provider, its model and the tier they were chosen for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The provider's name, such as `openai`.
    pub provider: &'static str,
    /// The model that answered.
    pub model: String,
    /// The router's choice.
    pub tier: Tier,
}

/// Why the gateway has no answer.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No provider has an API key.
    #[error("no AI provider is configured")]
    NoProvider,
    /// The last provider tried failed.
    #[error(transparent)]
    Provider(#[from] LlmError),
}

/// The configured providers behind the router.
pub struct AiGateway {
    settings: AiSettings,
    providers: Vec<Arc<dyn LlmProvider>>,
}

impl AiGateway {
    /// A gateway trying `providers` in order.
    pub fn new(settings: AiSettings, providers: Vec<Arc<dyn LlmProvider>>) -> Self {
        Self {
            settings,
            providers,
        }
    }

    /// The settings it routes by.
    pub fn settings(&self) -> &AiSettings {
        &self.settings
    }

    /// The whole answer to `prompt`, and who gave it.
    pub async fn chat(&self, prompt: &Prompt) -> Result<(Route, Completion), GatewayError> {
        self.route(prompt, |provider, request| provider.complete(request))
            .await
    }

    /// The answer to `prompt` as a stream, and who gives it. Falling back to another
    /// provider happens before the first delta, never in the middle of an answer.
    pub async fn stream(&self, prompt: &Prompt) -> Result<(Route, ChatStream), GatewayError> {
        self.route(prompt, |provider, request| provider.stream(request))
            .await
    }

    async fn route<T, F>(&self, prompt: &Prompt, mut call: F) -> Result<(Route, T), GatewayError>
    where
        F: for<'r> FnMut(&'r dyn LlmProvider, &'r ChatRequest) -> ProviderFuture<'r, T>,
    {
        let tier = choose_tier(
            prompt.tier,
            prompt.task,
            prompt.chars(),
            self.settings.strong_prompt_chars,
        );
        for (index, provider) in self.providers.iter().enumerate() {
            let request = ChatRequest {
                model: provider.model(tier).to_owned(),
                messages: prompt.messages.clone(),
                temperature: prompt.temperature,
                max_tokens: prompt.max_tokens,
            };
            match call(provider.as_ref(), &request).await {
                Ok(output) => {
                    let route = Route {
                        provider: provider.name(),
                        model: request.model,
                        tier,
                    };
                    return Ok((route, output));
                }
                Err(error) if error.is_retryable() && index + 1 < self.providers.len() => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "AI provider failed, trying the next one"
                    );
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(GatewayError::NoProvider)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::Mutex;
    use std::time::Duration;

    use futures_util::{StreamExt, stream};

    use super::*;
    use crate::ai::{Role, StreamEvent, Usage};

    const USAGE: Usage = Usage {
        input_tokens: 12,
        output_tokens: 3,
    };

    /// A provider answering from a script, and recording what it was asked.
    struct Scripted {
        name: &'static str,
        answers: Mutex<VecDeque<Result<Completion, LlmError>>>,
        requests: Mutex<Vec<ChatRequest>>,
    }

    impl Scripted {
        fn new(name: &'static str, answers: Vec<Result<Completion, LlmError>>) -> Arc<Self> {
            Arc::new(Self {
                name,
                answers: Mutex::new(answers.into()),
                requests: Mutex::new(Vec::new()),
            })
        }

        fn requests(&self) -> Vec<ChatRequest> {
            self.requests.lock().unwrap().clone()
        }

        fn answer(&self, request: &ChatRequest) -> Result<Completion, LlmError> {
            self.requests.lock().unwrap().push(request.clone());
            self.answers
                .lock()
                .unwrap()
                .pop_front()
                .expect("the script has an answer left")
        }
    }

    impl LlmProvider for Scripted {
        fn name(&self) -> &'static str {
            self.name
        }

        fn model(&self, tier: Tier) -> &str {
            match tier {
                Tier::Cheap => "small",
                Tier::Strong => "large",
            }
        }

        fn complete<'a>(&'a self, request: &'a ChatRequest) -> ProviderFuture<'a, Completion> {
            let answer = self.answer(request);
            Box::pin(async move { answer })
        }

        fn stream<'a>(&'a self, request: &'a ChatRequest) -> ProviderFuture<'a, ChatStream> {
            let answer = self.answer(request).map(|completion| {
                let events = [
                    StreamEvent::Delta(completion.text),
                    StreamEvent::Done(completion.usage),
                ];
                stream::iter(events.map(Ok)).boxed()
            });
            Box::pin(async move { answer })
        }
    }

    fn answer(text: &str) -> Result<Completion, LlmError> {
        Ok(Completion {
            text: text.to_owned(),
            usage: USAGE,
        })
    }

    fn status(provider: &'static str, status: u16) -> Result<Completion, LlmError> {
        Err(LlmError::Status {
            provider,
            status,
            message: "no".to_owned(),
        })
    }

    fn gateway(providers: &[&Arc<Scripted>]) -> AiGateway {
        let settings = AiSettings {
            request_timeout: Duration::from_secs(1),
            strong_prompt_chars: 20,
            max_output_tokens: 100,
        };
        let providers = providers
            .iter()
            .map(|provider| Arc::clone(provider) as Arc<dyn LlmProvider>)
            .collect();
        AiGateway::new(settings, providers)
    }

    fn prompt(content: &str) -> Prompt {
        Prompt {
            messages: vec![Message {
                role: Role::User,
                content: content.to_owned(),
            }],
            tier: None,
            task: None,
            temperature: None,
            max_tokens: 50,
        }
    }

    #[test]
    fn an_explicit_tier_wins_over_the_task_and_the_length() {
        assert_eq!(
            choose_tier(Some(Tier::Cheap), Some(Task::Code), 10_000, 100),
            Tier::Cheap
        );
        assert_eq!(
            choose_tier(Some(Tier::Strong), Some(Task::Classify), 0, 100),
            Tier::Strong
        );
    }

    #[test]
    fn the_task_decides_when_no_tier_is_given_whatever_the_length() {
        for task in [Task::Classify, Task::Extract, Task::Summarize] {
            assert_eq!(choose_tier(None, Some(task), 10_000, 100), Tier::Cheap);
        }
        for task in [Task::Reasoning, Task::Code] {
            assert_eq!(choose_tier(None, Some(task), 0, 100), Tier::Strong);
        }
    }

    #[test]
    fn without_hints_only_prompts_over_the_threshold_are_strong() {
        assert_eq!(choose_tier(None, None, 100, 100), Tier::Cheap);
        assert_eq!(choose_tier(None, None, 101, 100), Tier::Strong);
    }

    #[tokio::test]
    async fn the_first_provider_answers_with_the_model_of_the_chosen_tier() {
        let first = Scripted::new("first", vec![answer("hi")]);
        let second = Scripted::new("second", vec![]);

        let (route, completion) = gateway(&[&first, &second])
            .chat(&prompt("a prompt longer than twenty characters"))
            .await
            .unwrap();

        assert_eq!(route.provider, "first");
        assert_eq!((route.model.as_str(), route.tier), ("large", Tier::Strong));
        assert_eq!(completion.text, "hi");
        assert_eq!(first.requests()[0].model, "large");
        assert_eq!(first.requests()[0].max_tokens, 50);
        assert!(second.requests().is_empty());
    }

    #[tokio::test]
    async fn a_rate_limit_or_a_server_error_falls_back_to_the_next_provider() {
        for failure in [429, 500, 529] {
            let first = Scripted::new("first", vec![status("first", failure)]);
            let second = Scripted::new("second", vec![answer("from second")]);

            let (route, completion) = gateway(&[&first, &second])
                .chat(&prompt("short"))
                .await
                .unwrap();

            assert_eq!(route.provider, "second", "after a {failure}");
            assert_eq!(route.model, "small");
            assert_eq!(completion.text, "from second");
            assert_eq!(second.requests(), first.requests());
        }
    }

    #[tokio::test]
    async fn a_request_the_provider_refuses_is_not_sent_elsewhere() {
        let first = Scripted::new("first", vec![status("first", 400)]);
        let second = Scripted::new("second", vec![]);

        let error = gateway(&[&first, &second])
            .chat(&prompt("short"))
            .await
            .unwrap_err();

        assert!(
            matches!(
                error,
                GatewayError::Provider(LlmError::Status { status: 400, .. })
            ),
            "{error:?}"
        );
        assert!(second.requests().is_empty());
    }

    #[tokio::test]
    async fn the_last_providers_error_is_returned_when_every_provider_fails() {
        let first = Scripted::new("first", vec![status("first", 503)]);
        let second = Scripted::new("second", vec![status("second", 429)]);

        let error = gateway(&[&first, &second])
            .chat(&prompt("short"))
            .await
            .unwrap_err();

        assert_eq!(error.to_string(), "second answered 429: no");
    }

    #[tokio::test]
    async fn without_providers_there_is_no_answer() {
        let error = gateway(&[]).chat(&prompt("short")).await.unwrap_err();

        assert!(matches!(error, GatewayError::NoProvider), "{error:?}");
    }

    #[tokio::test]
    async fn a_stream_falls_back_before_it_starts() {
        let first = Scripted::new("first", vec![status("first", 502)]);
        let second = Scripted::new("second", vec![answer("streamed")]);

        let (route, stream) = gateway(&[&first, &second])
            .stream(&prompt("short"))
            .await
            .unwrap();
        let events: Vec<StreamEvent> = stream.map(Result::unwrap).collect().await;

        assert_eq!(route.provider, "second");
        assert_eq!(
            events,
            [
                StreamEvent::Delta("streamed".to_owned()),
                StreamEvent::Done(USAGE)
            ]
        );
    }
}
