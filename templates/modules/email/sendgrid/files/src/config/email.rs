//! Email settings for SendGrid.

use secrecy::SecretString;

use super::env::Env;

/// Who the application's email comes from, and how to reach SendGrid.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// Sender, as `Name <address>` or a bare address, verified in SendGrid.
    pub from: String,
    /// API key, sent as a bearer token.
    pub api_key: SecretString,
    /// Root of the API, such as `https://api.sendgrid.com`; tests point it at a fake server.
    pub base_url: String,
}

impl EmailSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            from: env.required("EMAIL_FROM"),
            api_key: env.required("SENDGRID_API_KEY").into(),
            base_url: env
                .optional("SENDGRID_BASE_URL")
                .unwrap_or_else(|| "https://api.sendgrid.com".to_owned()),
        }
    }
}
