//! Checkout and the billing portal: the exact requests Stripe gets, and what clients may buy.

use serde_json::{Value, json};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, ResponseTemplate};

use super::stripe::{BillingApp, CUSTOMER, form, stripe_headers};

const SUCCESS_URL: &str = "success_url=https%3A%2F%2Fapp.test%2Fbilling%2Fsuccess%3Fsession_id%3D%7BCHECKOUT_SESSION_ID%7D";
const CANCEL_URL: &str = "cancel_url=https%3A%2F%2Fapp.test%2Fbilling";

/// Answers `POST /v1/checkout/sessions` whose body is exactly `pairs`, once.
async fn expect_checkout(billing: &BillingApp, pairs: &[&str], session: &str) {
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(stripe_headers())
        .and(header_exists("idempotency-key"))
        .and(form(pairs))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": session,
            "object": "checkout.session",
            "url": format!("https://checkout.stripe.test/c/pay/{session}"),
        })))
        .expect(1)
        .mount(&billing.stripe)
        .await;
}

async fn checkout(billing: &BillingApp, token: &str, price: &str) -> reqwest::Response {
    billing
        .post_as(
            "/api/v1/billing/checkout",
            token,
            &json!({"price_id": price}),
        )
        .await
}

#[tokio::test]
async fn a_first_checkout_creates_the_customer_then_a_subscription_session() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;
    billing.expect_customer_created_once(&user).await;
    let metadata = format!("metadata%5Buser_id%5D={}", user.id);
    expect_checkout(
        &billing,
        &[
            "mode=subscription",
            &format!("customer={CUSTOMER}"),
            &format!("client_reference_id={}", user.id),
            "line_items%5B0%5D%5Bprice%5D=price_basic",
            "line_items%5B0%5D%5Bquantity%5D=1",
            SUCCESS_URL,
            CANCEL_URL,
            &metadata,
            &format!("subscription_data%5Bmetadata%5D%5Buser_id%5D={}", user.id),
        ],
        "cs_sub",
    )
    .await;

    let response = checkout(&billing, &user.token, "price_basic").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"url": "https://checkout.stripe.test/c/pay/cs_sub"})
    );
}

#[tokio::test]
async fn a_one_time_price_is_paid_once_by_the_stored_customer() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;
    billing.expect_customer_created_once(&user).await;
    let metadata = format!("metadata%5Buser_id%5D={}", user.id);
    let session = |mode: &str, price: &str, data: &str| {
        vec![
            format!("mode={mode}"),
            format!("customer={CUSTOMER}"),
            format!("client_reference_id={}", user.id),
            format!("line_items%5B0%5D%5Bprice%5D={price}"),
            "line_items%5B0%5D%5Bquantity%5D=1".to_owned(),
            SUCCESS_URL.to_owned(),
            CANCEL_URL.to_owned(),
            metadata.clone(),
            format!("{data}%5Bmetadata%5D%5Buser_id%5D={}", user.id),
        ]
    };
    let subscription = session("subscription", "price_pro", "subscription_data");
    let payment = session("payment", "price_lifetime", "payment_intent_data");
    for (pairs, id) in [(&subscription, "cs_sub"), (&payment, "cs_pay")] {
        let pairs: Vec<&str> = pairs.iter().map(String::as_str).collect();
        expect_checkout(&billing, &pairs, id).await;
    }

    let first = checkout(&billing, &user.token, "price_pro").await;
    let second = checkout(&billing, &user.token, "price_lifetime").await;

    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let body: Value = second.json().await.unwrap();
    assert_eq!(body["url"], "https://checkout.stripe.test/c/pay/cs_pay");
    // Each session got an idempotency key of its own.
    let requests = billing.stripe.received_requests().await.unwrap();
    let keys: Vec<&str> = requests
        .iter()
        .filter(|request| request.url.path() == "/v1/checkout/sessions")
        .map(|request| request.headers["idempotency-key"].to_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1]);
    assert!(
        keys.iter().all(|key| uuid::Uuid::parse_str(key).is_ok()),
        "{keys:?}"
    );
}

#[tokio::test]
async fn a_price_not_on_sale_is_refused_with_422_without_calling_stripe() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;

    let response = checkout(&billing, &user.token, "price_secret_discount").await;

    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed");
    assert_eq!(
        body["error"]["message"],
        r#""price_secret_discount" is not a price on sale"#
    );
    assert!(billing.stripe.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_portal_opens_for_the_users_customer_and_returns_to_the_app() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;
    billing.expect_customer_created_once(&user).await;
    Mock::given(method("POST"))
        .and(path("/v1/billing_portal/sessions"))
        .and(stripe_headers())
        .and(header_exists("idempotency-key"))
        .and(form(&[
            &format!("customer={CUSTOMER}"),
            "return_url=https%3A%2F%2Fapp.test%2Faccount",
        ]))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "bps_test",
            "object": "billing_portal.session",
            "url": "https://billing.stripe.test/p/session/bps_test",
        })))
        .expect(2)
        .mount(&billing.stripe)
        .await;

    for _ in 0..2 {
        let response = billing
            .post_as("/api/v1/billing/portal", &user.token, &json!({}))
            .await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["url"],
            "https://billing.stripe.test/p/session/bps_test"
        );
    }
}

#[tokio::test]
async fn a_stripe_error_is_an_opaque_500() {
    let billing = BillingApp::spawn().await;
    let user = billing.user().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "type": "invalid_request_error",
            "message": "Invalid API Key provided: sk_test_***key",
        }})))
        .mount(&billing.stripe)
        .await;

    let response = checkout(&billing, &user.token, "price_basic").await;

    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal_error");
}

#[tokio::test]
async fn the_billing_routes_need_a_signed_in_user() {
    let billing = BillingApp::spawn().await;

    let plan = billing.auth.app.get("/api/v1/billing/subscription").await;
    let checkout = billing
        .auth
        .app
        .client
        .post(format!(
            "{}/api/v1/billing/checkout",
            billing.auth.app.address
        ))
        .json(&json!({"price_id": "price_basic"}))
        .send()
        .await
        .unwrap();

    assert_eq!(
        (plan.status().as_u16(), checkout.status().as_u16()),
        (401, 401)
    );
}
