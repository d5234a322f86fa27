//! Settings of the OpenAI provider.

use secrecy::SecretString;

use super::env::Env;

/// How to reach OpenAI (or a compatible server), and its model for each tier.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// API key, sent as a bearer token; `None` leaves OpenAI out of the gateway.
    pub api_key: Option<SecretString>,
    /// Root of the API, such as `https://api.openai.com/v1`; tests point it at a fake server.
    pub base_url: String,
    /// Model of the cheap tier.
    pub cheap_model: String,
    /// Model of the strong tier.
    pub strong_model: String,
}

impl OpenAiSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            api_key: env.optional("OPENAI_API_KEY").map(SecretString::from),
            base_url: env
                .optional("OPENAI_BASE_URL")
                .unwrap_or_else(|| "https://api.openai.com/v1".to_owned()),
            cheap_model: env
                .optional("OPENAI_MODEL_CHEAP")
                .unwrap_or_else(|| "gpt-4o-mini".to_owned()),
            strong_model: env
                .optional("OPENAI_MODEL_STRONG")
                .unwrap_or_else(|| "gpt-4o".to_owned()),
        }
    }
}
