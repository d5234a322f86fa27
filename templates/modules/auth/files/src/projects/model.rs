//! A project row.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crud::{Key, Keyed, Resource};

/// A row of `projects`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Project {
    pub id: Uuid,
    /// The user who created it; `null` for a project from before the app had users, which
    /// only administrators see.
    pub owner_id: Option<Uuid>,
    pub name: String,
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When it was soft-deleted; `null` while it is live.
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
}

impl Keyed for Project {
    fn key(&self) -> Key {
        Key {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

impl Resource for Project {
    const TABLE: &'static str = "projects";
    const COLUMNS: &'static str =
        "id, owner_id, name, description, created_at, updated_at, deleted_at";
}
