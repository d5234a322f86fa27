//! The `users` table, kept in step with the identity provider.
//!
//! A user's row is written on their first authenticated request and again whenever the
//! claims of their token change. In between, the synced user is cached in Redis, so the
//! requests of a signed-in user read one key and write nothing. A provider's user webhook,
//! when it has one, keeps rows in step between sign-ins ([`save_profile`], [`remove`]).

use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use sqlx::{PgExecutor, QueryBuilder};
use time::OffsetDateTime;
use uuid::Uuid;

use super::extract::CurrentUser;
use super::verifier::{DEFAULT_ROLE, Identity};
use crate::cache;
use crate::crud::{Key, Keyed, Page, PageRequest};
use crate::state::AppState;

/// How long a synced user is trusted before its row is checked again.
const SYNC_TTL: Duration = Duration::from_secs(5 * 60);

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct User {
    /// Primary key, referenced by other tables.
    pub id: Uuid,
    /// The identity provider's id for the user.
    pub external_id: String,
    /// Email address, when the provider shares it.
    pub email: Option<String>,
    /// Display name, when the provider shares it.
    pub name: Option<String>,
    /// Role from the provider's role claim.
    pub role: String,
    /// When the user first signed in.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the row last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Keyed for User {
    fn key(&self) -> Key {
        Key {
            created_at: self.created_at,
            id: self.id,
        }
    }
}

/// The user behind `identity`, from the cache or, on a miss or a change, from an upsert.
///
/// Redis failing only costs the upsert: a signed-in user is never refused for it.
pub(super) async fn sync(state: &AppState, identity: Identity) -> anyhow::Result<CurrentUser> {
    let key = cache_key(&identity.external_id);
    let mut redis = state.redis.clone();
    match cache::get_json::<CurrentUser>(&mut redis, &key).await {
        Ok(Some(user)) if same_claims(&user, &identity) => return Ok(user),
        Ok(_) => {}
        Err(error) => tracing::warn!(error = format!("{error:#}"), "user cache unavailable"),
    }

    let id = upsert(&state.db, &identity)
        .await
        .context("could not sync the signed-in user")?;
    let user = CurrentUser {
        id,
        external_id: identity.external_id,
        email: identity.email,
        name: identity.name,
        role: identity.role,
    };
    if let Err(error) = cache::set_json(&mut redis, &key, &user, SYNC_TTL).await {
        tracing::warn!(
            error = format!("{error:#}"),
            "could not cache the signed-in user"
        );
    }
    Ok(user)
}

/// Where the synced user is cached.
fn cache_key(external_id: &str) -> String {
    format!("auth:user:{external_id}")
}

fn same_claims(user: &CurrentUser, identity: &Identity) -> bool {
    user.external_id == identity.external_id
        && user.email == identity.email
        && user.name == identity.name
        && user.role == identity.role
}

/// Inserts the user or updates what changed, returning the row id; an unchanged row is
/// not written, so `updated_at` means what it says.
pub async fn upsert(db: impl PgExecutor<'_>, identity: &Identity) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "WITH upserted AS (
             INSERT INTO users (external_id, email, name, role)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (external_id) DO UPDATE
             SET email = EXCLUDED.email, name = EXCLUDED.name, role = EXCLUDED.role
             WHERE (users.email, users.name, users.role)
                 IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.name, EXCLUDED.role)
             RETURNING id
         )
         SELECT id FROM upserted
         UNION ALL
         SELECT id FROM users WHERE external_id = $1
         LIMIT 1",
    )
    .bind(&identity.external_id)
    .bind(&identity.email)
    .bind(&identity.name)
    .bind(&identity.role)
    .fetch_one(db)
    .await
}

/// One page of users, oldest first.
pub async fn list(db: impl PgExecutor<'_>, page: &PageRequest) -> sqlx::Result<Page<User>> {
    let query = QueryBuilder::new(
        "SELECT id, external_id, email, name, role, created_at, updated_at FROM users WHERE true",
    );
    page.fetch(query, db).await
}

/// A user as a provider's webhook describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The provider's id for the user.
    pub external_id: String,
    /// Primary email address.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

/// Creates the user's row or updates their email and name, and drops their cached copy.
///
/// The role is left alone: it comes from the user's tokens, and a new row starts as an
/// ordinary user until their first request says otherwise. Applying the same profile twice
/// changes nothing, so a redelivered webhook is harmless.
pub async fn save_profile(state: &AppState, profile: &Profile) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO users (external_id, email, name, role)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (external_id) DO UPDATE
         SET email = EXCLUDED.email, name = EXCLUDED.name
         WHERE (users.email, users.name) IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.name)",
    )
    .bind(&profile.external_id)
    .bind(&profile.email)
    .bind(&profile.name)
    .bind(DEFAULT_ROLE)
    .execute(&state.db)
    .await
    .context("could not save the user's profile")?;
    forget(state, &profile.external_id).await
}

/// Deletes the user's row, if any, and their cached copy.
pub async fn remove(state: &AppState, external_id: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM users WHERE external_id = $1")
        .bind(external_id)
        .execute(&state.db)
        .await
        .context("could not delete the user")?;
    forget(state, external_id).await
}

/// Drops the cached user, so that their next request reads (and resyncs) the row. A
/// failure is an error here: a stale cache would keep serving what the webhook changed.
async fn forget(state: &AppState, external_id: &str) -> anyhow::Result<()> {
    let mut redis = state.redis.clone();
    redis::cmd("DEL")
        .arg(cache_key(external_id))
        .query_async::<()>(&mut redis)
        .await
        .context("could not drop the cached user")
}
