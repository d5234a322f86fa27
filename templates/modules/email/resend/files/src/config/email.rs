//! Email settings for Resend.

use secrecy::SecretString;

use super::env::Env;

/// Who the application's email comes from, and how to reach Resend.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// Sender, as `Name <address>` or a bare address, on a domain verified in Resend.
    pub from: String,
    /// API key, sent as a bearer token.
    pub api_key: SecretString,
    /// Root of the API, such as `https://api.resend.com`; tests point it at a fake server.
    pub base_url: String,
}

impl EmailSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            from: env.required("EMAIL_FROM"),
            api_key: env.required("RESEND_API_KEY").into(),
            base_url: env
                .optional("RESEND_BASE_URL")
                .unwrap_or_else(|| "https://api.resend.com".to_owned()),
        }
    }
}
