//! Email settings for SMTP.

use secrecy::SecretString;

use super::env::Env;

/// Who the application's email comes from, and which SMTP server sends it.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// Sender, as `Name <address>` or a bare address.
    pub from: String,
    /// Server URL: `smtps://` for TLS, `smtp://..?tls=required` for STARTTLS, plain
    /// `smtp://` only for a local catcher. Secret because it carries the password.
    pub url: SecretString,
}

impl EmailSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            from: env.required("EMAIL_FROM"),
            url: env.required("SMTP_URL").into(),
        }
    }
}
