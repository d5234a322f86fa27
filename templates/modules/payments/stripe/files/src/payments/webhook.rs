//! `POST /api/v1/webhooks/stripe`: Stripe's events, verified, applied at most once each.
//!
//! Each applied event's id goes into `stripe_events` in the same transaction as its
//! effect, so a redelivery (Stripe retries until it gets a 2xx, and may deliver twice) is
//! acknowledged without applying it again, and a failure leaves nothing half-done for the
//! retry. Events of other types are acknowledged and ignored.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::signature;
use super::subscriptions::{self, SubscriptionState};
use crate::error::{AppError, ErrorEnvelope};
use crate::extract::Json;
use crate::state::AppState;

/// An event, with its object left as JSON until its type is known.
#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    /// Seconds since the epoch.
    created: i64,
    data: EventData,
}

#[derive(Debug, Deserialize)]
struct EventData {
    object: Value,
}

impl Event {
    /// `data.object` as the type its event type implies.
    fn object<T: DeserializeOwned>(&self) -> serde_json::Result<T> {
        T::deserialize(&self.data.object)
    }
}

/// The acknowledgement Stripe gets (it reads only the status).
#[derive(Debug, Serialize, ToSchema)]
pub struct Received {
    /// Always `true`.
    received: bool,
}

/// The types this endpoint applies; register the endpoint for exactly these.
pub const HANDLED_EVENTS: [&str; 6] = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
];

/// Verifies the signature over the exact bytes received, then applies the event.
#[utoipa::path(
    post,
    path = "/webhooks/stripe",
    operation_id = "stripe_webhook",
    tag = "webhooks",
    params((
        "Stripe-Signature" = String,
        Header,
        description = "`t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body>`"
    )),
    request_body(content = Object, description = "A Stripe event"),
    responses(
        (status = 200, description = "Applied, already applied, or of a type not handled", body = Received),
        (status = 400, description = "Missing, invalid or stale signature, or not an event", body = ErrorEnvelope),
    )
)]
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Received>, AppError> {
    let settings = &state.config.payments;
    let header = headers
        .get("stripe-signature")
        .map(|value| value.to_str().unwrap_or_default());
    signature::verify(
        header,
        &body,
        settings.webhook_secret.expose_secret().as_bytes(),
        settings.webhook_tolerance,
        unix_now(),
    )
    .map_err(|error| {
        tracing::warn!(%error, "refused a Stripe webhook delivery");
        AppError::BadRequest(error.to_string())
    })?;

    let event: Event = serde_json::from_slice(&body)
        .map_err(|error| AppError::BadRequest(format!("not a Stripe event: {error}")))?;
    if HANDLED_EVENTS.contains(&event.kind.as_str()) {
        apply_once(&state.db, &event).await?;
    } else {
        tracing::debug!(id = event.id, kind = event.kind, "ignored a Stripe event");
    }
    Ok(Json(Received { received: true }))
}

/// Records the event and applies it in one transaction, unless it was recorded before.
async fn apply_once(db: &PgPool, event: &Event) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    // A concurrent delivery of the same event waits here for this one to commit, and then
    // inserts nothing.
    let first = sqlx::query(
        "INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&event.id)
    .bind(&event.kind)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        tracing::debug!(id = event.id, "Stripe redelivered an applied event");
        return Ok(());
    }
    apply(&mut tx, event)
        .await
        .with_context(|| format!("could not apply Stripe event {} ({})", event.id, event.kind))?;
    tx.commit().await?;
    tracing::info!(id = event.id, kind = event.kind, "applied a Stripe event");
    Ok(())
}

async fn apply(db: &mut PgConnection, event: &Event) -> anyhow::Result<()> {
    let event_at = OffsetDateTime::from_unix_timestamp(event.created)?;
    match event.kind.as_str() {
        "checkout.session.completed" => checkout_completed(db, event.object()?).await,
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            subscription_changed(db, event.object()?, event_at).await
        }
        "invoice.paid" => {
            // Paying a past-due or first invoice makes the subscription active again.
            let from = ["incomplete", "past_due", "unpaid"];
            invoice_settled(db, event.object()?, &from, "active", event_at).await
        }
        "invoice.payment_failed" => {
            let from = ["active", "trialing"];
            invoice_settled(db, event.object()?, &from, "past_due", event_at).await
        }
        other => anyhow::bail!("no handler for {other}"),
    }
}

/// `data.object` of `checkout.session.completed`.
#[derive(Debug, Deserialize)]
struct CheckoutSession {
    id: String,
    customer: Option<String>,
    /// Our user id, set when the session was created.
    client_reference_id: Option<String>,
    mode: String,
}

/// Links the customer to the user who checked out, in case the customer was made
/// elsewhere. The subscription itself arrives with `customer.subscription.*`; a one-time
/// purchase is complete here, and this is where the application grants what was bought.
async fn checkout_completed(db: &mut PgConnection, session: CheckoutSession) -> anyhow::Result<()> {
    let user = session
        .client_reference_id
        .as_deref()
        .and_then(|id| Uuid::parse_str(id).ok());
    if let (Some(user), Some(customer)) = (user, session.customer.as_deref()) {
        subscriptions::link_customer(&mut *db, user, customer).await?;
    }
    tracing::info!(
        session = session.id,
        mode = session.mode,
        user = ?user,
        "checkout completed"
    );
    Ok(())
}

/// `data.object` of `customer.subscription.*`.
#[derive(Debug, Deserialize)]
struct Subscription {
    id: String,
    customer: String,
    status: String,
    cancel_at_period_end: bool,
    items: List<SubscriptionItem>,
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Debug, Deserialize)]
struct List<T> {
    data: Vec<T>,
}

/// Since API version 2025-03-31, the billing period is per item.
#[derive(Debug, Deserialize)]
struct SubscriptionItem {
    price: Price,
    current_period_end: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct Price {
    id: String,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    user_id: Option<String>,
}

async fn subscription_changed(
    db: &mut PgConnection,
    subscription: Subscription,
    event_at: OffsetDateTime,
) -> anyhow::Result<()> {
    let Some(user_id) = subscription_owner(db, &subscription).await? else {
        // Made in the Dashboard for a customer this application never created, say.
        tracing::warn!(
            subscription = subscription.id,
            customer = subscription.customer,
            "a Stripe subscription belongs to no user; ignored"
        );
        return Ok(());
    };
    let item = subscription.items.data.first();
    let current_period_end = item
        .and_then(|item| item.current_period_end)
        .map(OffsetDateTime::from_unix_timestamp)
        .transpose()?;
    subscriptions::upsert(
        &mut *db,
        &SubscriptionState {
            user_id,
            stripe_subscription_id: &subscription.id,
            status: &subscription.status,
            price_id: item.map(|item| item.price.id.as_str()),
            current_period_end,
            cancel_at_period_end: subscription.cancel_at_period_end,
            event_at,
        },
    )
    .await?;
    Ok(())
}

/// The user by the customer id stored on them, or by the user id the checkout put in the
/// subscription's metadata (if that user still exists).
async fn subscription_owner(
    db: &mut PgConnection,
    subscription: &Subscription,
) -> anyhow::Result<Option<Uuid>> {
    if let Some(user) = subscriptions::user_by_customer(&mut *db, &subscription.customer).await? {
        return Ok(Some(user));
    }
    let Some(user) = subscription
        .metadata
        .user_id
        .as_deref()
        .and_then(|id| Uuid::parse_str(id).ok())
    else {
        return Ok(None);
    };
    Ok(subscriptions::user_exists(&mut *db, user)
        .await?
        .then_some(user))
}

/// `data.object` of `invoice.*`: since API version 2025-03-31, the subscription an invoice
/// bills is under `parent.subscription_details`.
#[derive(Debug, Deserialize)]
struct Invoice {
    id: String,
    parent: Option<InvoiceParent>,
}

#[derive(Debug, Deserialize)]
struct InvoiceParent {
    subscription_details: Option<SubscriptionDetails>,
}

#[derive(Debug, Deserialize)]
struct SubscriptionDetails {
    subscription: String,
}

async fn invoice_settled(
    db: &mut PgConnection,
    invoice: Invoice,
    from: &[&str],
    status: &str,
    event_at: OffsetDateTime,
) -> anyhow::Result<()> {
    let Some(subscription) = invoice
        .parent
        .and_then(|parent| parent.subscription_details)
        .map(|details| details.subscription)
    else {
        tracing::debug!(invoice = invoice.id, "an invoice for no subscription");
        return Ok(());
    };
    subscriptions::transition(&mut *db, &subscription, from, status, event_at).await?;
    Ok(())
}

fn unix_now() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
}
