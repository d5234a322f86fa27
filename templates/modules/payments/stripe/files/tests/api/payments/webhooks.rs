//! The webhook endpoint: only Stripe's signed, fresh deliveries count, and each event once.

use serde_json::{Value, json};

use super::stripe::{BillingApp, WEBHOOK_SECRET, event, now, signature_header, subscription};

const PERIOD_END: i64 = 1_900_000_000;

fn created(id: &str) -> Value {
    event(
        id,
        "customer.subscription.created",
        now(),
        subscription("active", "price_basic", PERIOD_END, false),
    )
}

/// Asserts a 400 in the envelope that names the signature problem.
async fn assert_refused(response: reqwest::Response, message: &str) {
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request", "{body}");
    assert_eq!(body["error"]["message"], message, "{body}");
}

#[tokio::test]
async fn a_validly_signed_event_is_applied_and_acknowledged() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;

    let response = billing.deliver(&created("evt_1")).await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"received": true})
    );
    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], true, "{plan}");
    assert_eq!(plan["subscription"]["stripe_subscription_id"], "sub_test");
}

#[tokio::test]
async fn a_delivery_signed_with_another_secret_is_refused_without_effect() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;
    let body = created("evt_1").to_string();

    let signature = signature_header(now(), &body, "whsec_someone_else");
    let response = billing.deliver_raw(&body, Some(&signature)).await;

    assert_refused(
        response,
        "no Stripe-Signature signature matches the payload",
    )
    .await;
    assert_eq!(billing.plan(&user.token).await["subscription"], Value::Null);
}

#[tokio::test]
async fn a_body_changed_after_signing_is_refused() {
    let billing = BillingApp::spawn().await;
    let body = created("evt_1").to_string();
    let signature = signature_header(now(), &body, WEBHOOK_SECRET);

    let tampered = body.replace("price_basic", "price_pro");
    let response = billing.deliver_raw(&tampered, Some(&signature)).await;

    assert_refused(
        response,
        "no Stripe-Signature signature matches the payload",
    )
    .await;
}

#[tokio::test]
async fn a_replayed_delivery_with_a_stale_timestamp_is_refused() {
    let billing = BillingApp::spawn().await;
    let body = created("evt_1").to_string();

    // Correctly signed, six minutes ago: past the default tolerance of five.
    let signature = signature_header(now() - 360, &body, WEBHOOK_SECRET);
    let response = billing.deliver_raw(&body, Some(&signature)).await;

    assert_refused(
        response,
        "the Stripe-Signature timestamp is outside the tolerance",
    )
    .await;
}

#[tokio::test]
async fn a_malformed_signature_header_is_refused() {
    let billing = BillingApp::spawn().await;
    let body = created("evt_1").to_string();

    for header in ["v1=abc", "t=now,v1=00", "garbage"] {
        let response = billing.deliver_raw(&body, Some(header)).await;
        assert_refused(response, "malformed Stripe-Signature header").await;
    }
}

#[tokio::test]
async fn a_delivery_without_a_signature_is_refused() {
    let billing = BillingApp::spawn().await;

    let response = billing
        .deliver_raw(&created("evt_1").to_string(), None)
        .await;

    assert_refused(response, "missing Stripe-Signature header").await;
}

#[tokio::test]
async fn a_redelivered_event_is_acknowledged_but_applied_only_once() {
    let billing = BillingApp::spawn().await;
    let user = billing.customer().await;
    let at = now();
    let first = event(
        "evt_1",
        "customer.subscription.created",
        at,
        subscription("active", "price_basic", PERIOD_END, false),
    );
    // Created in the same second, so only the event id keeps the first from applying again.
    let second = event(
        "evt_2",
        "customer.subscription.updated",
        at,
        subscription("past_due", "price_basic", PERIOD_END, false),
    );

    for delivery in [&first, &second, &first] {
        assert_eq!(billing.deliver(delivery).await.status(), 200);
    }

    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["subscription"]["status"], "past_due", "{plan}");
}

#[tokio::test]
async fn events_of_other_types_are_acknowledged_and_ignored() {
    let billing = BillingApp::spawn().await;

    let response = billing
        .deliver(&event(
            "evt_1",
            "customer.created",
            now(),
            json!({"id": "cus_other", "object": "customer"}),
        ))
        .await;

    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_subscription_of_an_unknown_customer_is_acknowledged_without_effect() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;

    let response = billing.deliver(&created("evt_1")).await;

    assert_eq!(response.status(), 200);
    assert_eq!(billing.plan(&user.token).await["subscription"], Value::Null);
}

#[tokio::test]
async fn a_completed_checkout_links_the_customer_so_its_subscription_finds_the_user() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;
    let session = json!({
        "id": "cs_test",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": "cus_test",
        "client_reference_id": user.id,
        "subscription": "sub_test",
    });

    let completed = event("evt_1", "checkout.session.completed", now(), session);
    assert_eq!(billing.deliver(&completed).await.status(), 200);
    assert_eq!(billing.deliver(&created("evt_2")).await.status(), 200);

    let plan = billing.plan(&user.token).await;
    assert_eq!(plan["active"], true, "{plan}");
}
