//! What the welcome email links to.

use super::env::Env;

/// Where the welcome email's button leads.
#[derive(Debug, Clone)]
pub struct WelcomeSettings {
    /// The app's front end, such as `https://app.example.com`.
    pub app_url: String,
}

impl WelcomeSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            app_url: env.required("APP_URL"),
        }
    }
}
