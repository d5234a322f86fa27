//! The `uploads` table: who uploaded which object, and whether the upload finished.

use serde::Serialize;
use sqlx::{PgExecutor, QueryBuilder};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::crud::{Key, Keyed, Page, PageRequest};

/// A row of `uploads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Upload {
    /// Primary key, chosen by the server; part of the object key.
    pub id: Uuid,
    /// The user the file belongs to.
    #[serde(skip)]
    #[schema(ignore)]
    pub owner_id: Uuid,
    /// Where the object is in the bucket; never chosen by the client.
    #[serde(skip)]
    #[schema(ignore)]
    pub object_key: String,
    /// The name the user gave the file.
    pub filename: String,
    /// Content type, from the allow-list.
    pub content_type: String,
    /// Size in bytes, signed into the upload URL.
    pub size_bytes: i64,
    /// When the upload was confirmed; `None` while it is pending.
    #[serde(with = "time::serde::rfc3339::option")]
    pub completed_at: Option<OffsetDateTime>,
    /// When the upload URL was handed out.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Keyed for Upload {
    fn key(&self) -> Key {
        Key {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

/// What a new upload is made of; its object does not exist until the client sends it.
pub struct NewUpload<'a> {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub object_key: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
}

/// Records a pending upload.
pub async fn insert(db: impl PgExecutor<'_>, upload: &NewUpload<'_>) -> sqlx::Result<Upload> {
    sqlx::query_as(
        "INSERT INTO uploads (id, owner_id, object_key, filename, content_type, size_bytes)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, owner_id, object_key, filename, content_type, size_bytes,
                   completed_at, created_at",
    )
    .bind(upload.id)
    .bind(upload.owner_id)
    .bind(upload.object_key)
    .bind(upload.filename)
    .bind(upload.content_type)
    .bind(upload.size_bytes)
    .fetch_one(db)
    .await
}

/// The upload `id` if `owner` owns it, pending or not.
pub async fn find(db: impl PgExecutor<'_>, owner: Uuid, id: Uuid) -> sqlx::Result<Option<Upload>> {
    sqlx::query_as(
        "SELECT id, owner_id, object_key, filename, content_type, size_bytes,
                completed_at, created_at
         FROM uploads
         WHERE id = $1 AND owner_id = $2",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// Marks the upload completed; confirming it again keeps the first time.
pub async fn complete(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Upload>> {
    sqlx::query_as(
        "UPDATE uploads SET completed_at = coalesce(completed_at, now())
         WHERE id = $1 AND owner_id = $2
         RETURNING id, owner_id, object_key, filename, content_type, size_bytes,
                   completed_at, created_at",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(db)
    .await
}

/// A page of the owner's completed uploads, oldest first.
pub async fn list_completed(
    db: impl PgExecutor<'_>,
    owner: Uuid,
    page: &PageRequest,
) -> sqlx::Result<Page<Upload>> {
    let mut query = QueryBuilder::new(
        "SELECT id, owner_id, object_key, filename, content_type, size_bytes,
                completed_at, created_at
         FROM uploads
         WHERE completed_at IS NOT NULL AND owner_id = ",
    );
    query.push_bind(owner);
    page.fetch(query, db).await
}

/// Deletes the row; `false` when `owner` has no upload `id`.
pub async fn delete(db: impl PgExecutor<'_>, owner: Uuid, id: Uuid) -> sqlx::Result<bool> {
    let result = sqlx::query("DELETE FROM uploads WHERE id = $1 AND owner_id = $2")
        .bind(id)
        .bind(owner)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}
