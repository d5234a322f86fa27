//! Redis settings.

use secrecy::SecretString;

use super::env::Env;

/// How to reach Redis.
#[derive(Debug, Clone)]
pub struct RedisSettings {
    /// Connection URL; secret because it may carry a password.
    pub url: SecretString,
}

impl RedisSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            url: env.required("REDIS_URL").into(),
        }
    }
}
