//! How long soft-deleted rows are kept.

use super::env::Env;

/// Days a soft-deleted row stays restorable when `SOFT_DELETE_RETENTION_DAYS` is not set.
const DEFAULT_DAYS: u16 = 30;

/// How long soft-deleted rows stay restorable before they are purged.
#[derive(Debug, Clone)]
pub struct RetentionSettings {
    /// Days a soft-deleted row can still be restored.
    pub soft_deleted_days: u16,
}

impl RetentionSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            soft_deleted_days: env.parsed("SOFT_DELETE_RETENTION_DAYS", DEFAULT_DAYS),
        }
    }
}
