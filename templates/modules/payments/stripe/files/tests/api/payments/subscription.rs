//! The subscription's life, as Stripe's events tell it, and what the plan route and the
//! `RequireActiveSubscription` guard's rule make of it.

use serde_json::{Value, json};

use super::stripe::{BillingApp, event, invoice, now, subscription};

const PERIOD_END: i64 = 1_900_000_000;

/// Delivers an event created `at`, expecting it to be acknowledged.
async fn deliver(billing: &BillingApp, id: &str, kind: &str, at: i64, object: Value) {
    let response = billing.deliver(&event(id, kind, at, object)).await;
    assert_eq!(response.status(), 200, "{kind}");
}

#[tokio::test]
async fn a_user_without_a_subscription_has_no_plan() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;

    let plan = billing.plan(&user.token).await;

    assert_eq!(plan, json!({"active": false, "subscription": null}));
}

#[tokio::test]
async fn created_updated_payment_failed_and_deleted_each_leave_their_state() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;
    let at = now();

    deliver(
        &billing,
        "evt_1",
        "customer.subscription.created",
        at,
        subscription("active", "price_basic", PERIOD_END, false),
    )
    .await;
    let plan = billing.plan(&user.token).await;
    assert_eq!(
        plan,
        json!({"active": true, "subscription": {
            "stripe_subscription_id": "sub_test",
            "status": "active",
            "price_id": "price_basic",
            "current_period_end": "2030-03-17T17:46:40Z",
            "cancel_at_period_end": false,
        }})
    );

    // Switched to the yearly plan, to end at the period's end.
    deliver(
        &billing,
        "evt_2",
        "customer.subscription.updated",
        at + 1,
        subscription("active", "price_pro", PERIOD_END + 1, true),
    )
    .await;
    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], true);
    assert_eq!(plan["subscription"]["price_id"], "price_pro");
    assert_eq!(plan["subscription"]["cancel_at_period_end"], true);
    assert_eq!(
        plan["subscription"]["current_period_end"],
        "2030-03-17T17:46:41Z"
    );

    deliver(
        &billing,
        "evt_3",
        "invoice.payment_failed",
        at + 2,
        invoice("open"),
    )
    .await;
    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], false, "past due grants nothing: {plan}");
    assert_eq!(plan["subscription"]["status"], "past_due");

    deliver(
        &billing,
        "evt_4",
        "customer.subscription.deleted",
        at + 3,
        subscription("canceled", "price_pro", PERIOD_END + 1, true),
    )
    .await;
    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], false);
    assert_eq!(plan["subscription"]["status"], "canceled");
}

#[tokio::test]
async fn a_paid_invoice_reactivates_a_past_due_subscription() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;
    let at = now();
    let active = subscription("active", "price_basic", PERIOD_END, false);

    deliver(
        &billing,
        "evt_1",
        "customer.subscription.created",
        at,
        active,
    )
    .await;
    deliver(
        &billing,
        "evt_2",
        "invoice.payment_failed",
        at + 1,
        invoice("open"),
    )
    .await;
    deliver(&billing, "evt_3", "invoice.paid", at + 2, invoice("paid")).await;

    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], true, "{plan}");
    assert_eq!(plan["subscription"]["status"], "active");
}

#[tokio::test]
async fn an_older_event_arriving_late_does_not_undo_a_newer_one() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;
    let at = now();

    deliver(
        &billing,
        "evt_2",
        "customer.subscription.deleted",
        at,
        subscription("canceled", "price_basic", PERIOD_END, false),
    )
    .await;
    deliver(
        &billing,
        "evt_1",
        "customer.subscription.updated",
        at - 60,
        subscription("active", "price_basic", PERIOD_END, false),
    )
    .await;

    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], false, "{plan}");
    assert_eq!(plan["subscription"]["status"], "canceled");
}

#[tokio::test]
async fn an_active_subscription_wins_over_an_older_cancelled_one() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;
    let at = now();
    let mut old = subscription("canceled", "price_basic", PERIOD_END, false);
    old["id"] = json!("sub_old");

    deliver(&billing, "evt_1", "customer.subscription.deleted", at, old).await;
    deliver(
        &billing,
        "evt_2",
        "customer.subscription.created",
        at,
        subscription("trialing", "price_pro", PERIOD_END, false),
    )
    .await;

    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], true, "{plan}");
    assert_eq!(plan["subscription"]["price_id"], "price_pro");
}
