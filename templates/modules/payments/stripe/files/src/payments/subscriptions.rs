//! The `subscriptions` table and the customer id on `users`.

use serde::Serialize;
use sqlx::PgExecutor;
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

/// Statuses that let a user use what they pay for.
const GRANTING: [&str; 2] = ["active", "trialing"];

/// A user's subscription, as Stripe's webhooks last described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, ToSchema)]
pub struct Subscription {
    /// Stripe's id (`sub_...`).
    pub stripe_subscription_id: String,
    /// Stripe's status, such as `active`, `trialing`, `past_due` or `canceled`.
    pub status: String,
    /// The price subscribed to: the plan.
    pub price_id: Option<String>,
    /// End of the period paid for.
    #[serde(with = "time::serde::rfc3339::option")]
    pub current_period_end: Option<OffsetDateTime>,
    /// Whether the subscription ends at `current_period_end` instead of renewing.
    pub cancel_at_period_end: bool,
}

impl Subscription {
    /// Whether the subscription currently grants access: active or trialing. A past-due
    /// subscription does not, so a failed renewal shows as soon as Stripe reports it.
    pub fn grants_access(&self) -> bool {
        GRANTING.contains(&self.status.as_str())
    }
}

/// A subscription's state as a Stripe event carries it.
#[derive(Debug, Clone)]
pub struct SubscriptionState<'a> {
    pub user_id: Uuid,
    pub stripe_subscription_id: &'a str,
    pub status: &'a str,
    pub price_id: Option<&'a str>,
    pub current_period_end: Option<OffsetDateTime>,
    pub cancel_at_period_end: bool,
    /// When Stripe created the event.
    pub event_at: OffsetDateTime,
}

/// The user's subscription that matters: one granting access if there is one, else the
/// latest.
pub async fn current(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Option<Subscription>> {
    sqlx::query_as(
        "SELECT stripe_subscription_id, status, price_id, current_period_end, cancel_at_period_end
         FROM subscriptions
         WHERE user_id = $1
         ORDER BY status = ANY($2) DESC, created_at DESC
         LIMIT 1",
    )
    .bind(user_id)
    .bind(&GRANTING[..])
    .fetch_optional(db)
    .await
}

/// Stores the state unless the row already reflects a newer event.
pub async fn upsert(db: impl PgExecutor<'_>, state: &SubscriptionState<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO subscriptions (user_id, stripe_subscription_id, status, price_id,
             current_period_end, cancel_at_period_end, stripe_event_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (stripe_subscription_id) DO UPDATE
         SET status = EXCLUDED.status,
             price_id = EXCLUDED.price_id,
             current_period_end = EXCLUDED.current_period_end,
             cancel_at_period_end = EXCLUDED.cancel_at_period_end,
             stripe_event_at = EXCLUDED.stripe_event_at
         WHERE subscriptions.stripe_event_at <= EXCLUDED.stripe_event_at",
    )
    .bind(state.user_id)
    .bind(state.stripe_subscription_id)
    .bind(state.status)
    .bind(state.price_id)
    .bind(state.current_period_end)
    .bind(state.cancel_at_period_end)
    .bind(state.event_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Moves a subscription to `status` if it is in one of `from` and no newer event has
/// been applied; returns whether it did.
pub async fn transition(
    db: impl PgExecutor<'_>,
    stripe_subscription_id: &str,
    from: &[&str],
    status: &str,
    event_at: OffsetDateTime,
) -> sqlx::Result<bool> {
    let updated = sqlx::query(
        "UPDATE subscriptions SET status = $3, stripe_event_at = $4
         WHERE stripe_subscription_id = $1 AND status = ANY($2) AND stripe_event_at <= $4",
    )
    .bind(stripe_subscription_id)
    .bind(from)
    .bind(status)
    .bind(event_at)
    .execute(db)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// The user's Stripe customer id, if they have one yet.
pub async fn customer_id(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT stripe_customer_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// Stores `customer` as the user's customer id unless they have one already, and returns
/// the one they have.
pub async fn link_customer(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    customer: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE users SET stripe_customer_id = COALESCE(stripe_customer_id, $2)
         WHERE id = $1
         RETURNING stripe_customer_id",
    )
    .bind(user_id)
    .bind(customer)
    .fetch_optional(db)
    .await
    .map(Option::flatten)
}

/// The user whose customer id is `customer`.
pub async fn user_by_customer(
    db: impl PgExecutor<'_>,
    customer: &str,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT id FROM users WHERE stripe_customer_id = $1")
        .bind(customer)
        .fetch_optional(db)
        .await
}

/// Whether a user with this id exists.
pub async fn user_exists(db: impl PgExecutor<'_>, user_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)")
        .bind(user_id)
        .fetch_one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_status(status: &str) -> Subscription {
        Subscription {
            stripe_subscription_id: "sub_1".to_owned(),
            status: status.to_owned(),
            price_id: Some("price_monthly".to_owned()),
            current_period_end: None,
            cancel_at_period_end: false,
        }
    }

    #[test]
    fn only_active_and_trialing_subscriptions_grant_access() {
        for status in ["active", "trialing"] {
            assert!(with_status(status).grants_access(), "{status}");
        }
        for status in [
            "past_due",
            "unpaid",
            "paused",
            "incomplete",
            "incomplete_expired",
            "canceled",
        ] {
            assert!(!with_status(status).grants_access(), "{status}");
        }
    }
}
