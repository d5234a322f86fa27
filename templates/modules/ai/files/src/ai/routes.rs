//! `POST /api/v1/ai/chat`, `POST /api/v1/ai/chat/stream` and `GET /api/v1/ai/usage`.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::provider::{ChatStream, Message, Role, StreamEvent, Usage};
use super::router::{GatewayError, Prompt, Route, Task, Tier};
use super::usage::{self, ModelUsage};
use crate::auth::{self, CurrentUser};
use crate::config::AiSettings;
use crate::error::{AppError, ErrorEnvelope, error_response};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// `max_tokens` of a request that does not say.
const DEFAULT_MAX_TOKENS: u32 = 1024;
/// Longest period `GET /ai/usage` sums up, in days.
const MAX_DAYS: i32 = 366;
/// The period `GET /ai/usage` sums up when the request names none, in days.
const DEFAULT_DAYS: i32 = 30;

/// Routes for any signed-in user.
pub fn app_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(chat))
        .routes(routes!(chat_stream))
        .routes(routes!(usage_summary))
}

/// The body of both chat routes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ChatBody {
    /// The conversation so far, with at least one user message.
    #[schema(min_items = 1)]
    messages: Vec<Message>,
    /// Which class of model answers; the router decides when absent.
    #[serde(default)]
    tier: Option<Tier>,
    /// What the request is for, a hint to the router.
    #[serde(default)]
    task: Option<Task>,
    /// Longest answer, in tokens, up to `AI_MAX_OUTPUT_TOKENS`.
    #[serde(default)]
    #[schema(minimum = 1)]
    max_tokens: Option<u32>,
    /// 0 to 1.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1)]
    temperature: Option<f32>,
}

impl ChatBody {
    /// The prompt, once the body is known to be answerable.
    fn validate(self, settings: &AiSettings) -> Result<Prompt, AppError> {
        if self.messages.is_empty() {
            return Err(AppError::Validation("messages must not be empty".into()));
        }
        if self.messages.iter().any(|m| m.content.trim().is_empty()) {
            return Err(AppError::Validation(
                "every message needs some content".into(),
            ));
        }
        if !self.messages.iter().any(|m| m.role == Role::User) {
            return Err(AppError::Validation(
                "messages need at least one user message".into(),
            ));
        }
        let limit = settings.max_output_tokens;
        let max_tokens = self.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS.min(limit));
        if !(1..=limit).contains(&max_tokens) {
            return Err(AppError::Validation(format!(
                "max_tokens must be between 1 and {limit}"
            )));
        }
        // Both providers accept 0 to 1 (OpenAI goes up to 2), and a request may end up
        // at either one.
        if self.temperature.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
            return Err(AppError::Validation(
                "temperature must be between 0 and 1".into(),
            ));
        }
        Ok(Prompt {
            messages: self.messages,
            tier: self.tier,
            task: self.task,
            temperature: self.temperature,
            max_tokens,
        })
    }
}

/// Who answered, and what it cost.
#[derive(Debug, Serialize, ToSchema)]
struct Answered {
    provider: &'static str,
    model: String,
    tier: Tier,
    usage: Usage,
}

impl Answered {
    fn new(route: Route, usage: Usage) -> Self {
        Self {
            provider: route.provider,
            model: route.model,
            tier: route.tier,
            usage,
        }
    }
}

/// The answer, and who gave it.
#[derive(Debug, Serialize, ToSchema)]
struct ChatResponse {
    message: Message,
    #[serde(flatten)]
    answered: Answered,
}

/// The whole answer at once.
#[utoipa::path(
    post,
    path = "/ai/chat",
    operation_id = "chat",
    tag = "ai",
    request_body = ChatBody,
    responses(
        (status = 200, description = "The answer", body = ChatResponse),
        (status = 502, description = "The provider refused the request", body = ErrorEnvelope),
    )
)]
async fn chat(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(body): Json<ChatBody>,
) -> Result<Json<ChatResponse>, AiError> {
    let prompt = body.validate(state.ai.settings())?;
    let (route, completion) = state.ai.chat(&prompt).await?;
    record(&state, &user, &route, completion.usage, false).await;
    Ok(Json(ChatResponse {
        message: Message {
            role: Role::Assistant,
            content: completion.text,
        },
        answered: Answered::new(route, completion.usage),
    }))
}

/// The answer as server-sent events: `delta` events (`{"text": "..."}`), then one `done`
/// event with who answered and the usage, recorded before it is sent. A provider failing
/// mid-answer ends the stream with an `error` event instead.
#[utoipa::path(
    post,
    path = "/ai/chat/stream",
    operation_id = "chat_stream",
    tag = "ai",
    request_body = ChatBody,
    responses(
        (
            status = 200,
            description = "`delta` events (`{\"text\": ...}`), then `done` (who answered, \
                and the usage) or `error`",
            content_type = "text/event-stream",
            body = String,
        ),
        (status = 502, description = "The provider refused the request", body = ErrorEnvelope),
    )
)]
async fn chat_stream(
    user: CurrentUser,
    State(state): State<AppState>,
    Json(body): Json<ChatBody>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AiError> {
    let prompt = body.validate(state.ai.settings())?;
    let (route, upstream) = state.ai.stream(&prompt).await?;
    let relay = Relay {
        state,
        user,
        route,
        upstream,
    };
    let events = stream::unfold(Some(relay), |relay| async move {
        let mut relay = relay?;
        match relay.upstream.next().await {
            Some(Ok(StreamEvent::Delta(text))) => {
                let event = Event::default()
                    .event("delta")
                    .json_data(json!({ "text": text }));
                Some((event, Some(relay)))
            }
            Some(Ok(StreamEvent::Done(usage))) => {
                record(&relay.state, &relay.user, &relay.route, usage, true).await;
                let event = Event::default()
                    .event("done")
                    .json_data(Answered::new(relay.route, usage));
                Some((event, None))
            }
            Some(Err(error)) => {
                tracing::error!(error = format!("{error:#}"), "AI stream failed");
                Some((stream_error(), None))
            }
            None => Some((stream_error(), None)),
        }
    })
    // Serialising these small values cannot fail; should it, the client sees an empty event.
    .map(|event| Ok(event.unwrap_or_default()));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// What a stream needs until its end.
struct Relay {
    state: AppState,
    user: CurrentUser,
    route: Route,
    upstream: ChatStream,
}

fn stream_error() -> Result<Event, axum::Error> {
    Event::default()
        .event("error")
        .json_data(json!({ "message": "the AI provider failed while answering" }))
}

/// Records the usage of an answered request. A failure is logged rather than answered: the
/// answer has been paid for, and the user should have it.
async fn record(state: &AppState, user: &CurrentUser, route: &Route, usage: Usage, streamed: bool) {
    let recorded = auth::write_as(state, user, |user_id| {
        usage::record(&state.db, user_id, route, usage, streamed)
    })
    .await;
    if let Err(error) = recorded {
        tracing::error!(error = format!("{error:#}"), "could not record AI usage");
    }
}

/// `?days=30`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Period {
    /// How many days back, 1 to 366 (default 30).
    #[serde(default = "default_days")]
    #[param(minimum = 1, maximum = 366)]
    days: i32,
}

fn default_days() -> i32 {
    DEFAULT_DAYS
}

/// A user's AI usage over a period.
#[derive(Debug, Serialize, ToSchema)]
struct UsageSummary {
    days: i32,
    requests: i64,
    input_tokens: i64,
    output_tokens: i64,
    estimated_cost_usd: f64,
    models: Vec<ModelUsage>,
}

/// The caller's usage over the last `?days=30` days (1 to 366), in total and per model.
#[utoipa::path(
    get,
    path = "/ai/usage",
    operation_id = "get_ai_usage",
    tag = "ai",
    params(Period),
    responses((status = 200, description = "Totals and usage per model", body = UsageSummary))
)]
async fn usage_summary(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(period): Query<Period>,
) -> Result<Json<UsageSummary>, AppError> {
    if !(1..=MAX_DAYS).contains(&period.days) {
        return Err(AppError::Validation(format!(
            "days must be between 1 and {MAX_DAYS}"
        )));
    }
    let models = usage::summary(&state.db, user.id, period.days).await?;
    let cost_micros: i64 = models.iter().map(|m| m.estimated_cost_micros).sum();
    Ok(Json(UsageSummary {
        days: period.days,
        requests: models.iter().map(|m| m.requests).sum(),
        input_tokens: models.iter().map(|m| m.input_tokens).sum(),
        output_tokens: models.iter().map(|m| m.output_tokens).sum(),
        estimated_cost_usd: cost_micros as f64 / 1_000_000.0,
        models,
    }))
}

/// A chat request that could not be answered.
#[derive(Debug, thiserror::Error)]
enum AiError {
    #[error(transparent)]
    Invalid(#[from] AppError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
}

impl IntoResponse for AiError {
    fn into_response(self) -> Response {
        let error = match self {
            Self::Invalid(error) => return error.into_response(),
            Self::Gateway(error) => error,
        };
        tracing::error!(error = format!("{error:#}"), "AI request failed");
        let (status, message) = match &error {
            GatewayError::NoProvider => (
                StatusCode::SERVICE_UNAVAILABLE,
                "no AI provider is configured",
            ),
            GatewayError::Provider(error) if error.is_retryable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the AI provider is unavailable, try again later",
            ),
            // The provider refused what the gateway sent: the gateway's fault, not the
            // client's, and nothing it would help to retry.
            GatewayError::Provider(_) => (
                StatusCode::BAD_GATEWAY,
                "the AI provider refused the request",
            ),
        };
        error_response(status, message.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use utoipa::IntoParams;

    use super::{MAX_DAYS, Period};

    #[test]
    fn the_documented_period_is_the_checked_one() {
        let parameters = serde_json::to_value(Period::into_params(|| None)).unwrap();
        let days = &parameters[0]["schema"];

        assert_eq!(days["minimum"], Value::from(1));
        assert_eq!(days["maximum"], Value::from(MAX_DAYS));
    }
}
