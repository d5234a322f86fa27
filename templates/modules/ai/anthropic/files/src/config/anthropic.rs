//! Settings of the Anthropic provider.

use secrecy::SecretString;

use super::env::Env;

/// How to reach Anthropic, and its model for each tier.
#[derive(Debug, Clone)]
pub struct AnthropicSettings {
    /// API key, sent as `x-api-key`; `None` leaves Anthropic out of the gateway.
    pub api_key: Option<SecretString>,
    /// Root of the API, such as `https://api.anthropic.com`; tests point it at a fake server.
    pub base_url: String,
    /// Model of the cheap tier.
    pub cheap_model: String,
    /// Model of the strong tier.
    pub strong_model: String,
}

impl AnthropicSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            api_key: env.optional("ANTHROPIC_API_KEY").map(SecretString::from),
            base_url: env
                .optional("ANTHROPIC_BASE_URL")
                .unwrap_or_else(|| "https://api.anthropic.com".to_owned()),
            cheap_model: env
                .optional("ANTHROPIC_MODEL_CHEAP")
                .unwrap_or_else(|| "claude-haiku-4-5".to_owned()),
            strong_model: env
                .optional("ANTHROPIC_MODEL_STRONG")
                .unwrap_or_else(|| "claude-sonnet-4-5".to_owned()),
        }
    }
}
