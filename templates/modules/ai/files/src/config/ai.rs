//! Settings of the AI gateway shared by every provider.

use std::time::Duration;

use super::env::Env;

/// How long providers may take, and the limits and thresholds of the model router.
#[derive(Debug, Clone)]
pub struct AiSettings {
    /// How long a chat request may take, or a stream may go without sending anything.
    pub request_timeout: Duration,
    /// Prompts longer than this many characters go to the strong model (see `ai::router`).
    pub strong_prompt_chars: usize,
    /// Largest `max_tokens` a request may ask for.
    pub max_output_tokens: u32,
}

impl AiSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            request_timeout: Duration::from_secs(env.parsed("AI_REQUEST_TIMEOUT_SECS", 60)),
            strong_prompt_chars: env.parsed("AI_STRONG_PROMPT_CHARS", 4000),
            max_output_tokens: env.parsed("AI_MAX_OUTPUT_TOKENS", 4096),
        }
    }
}
