//! A small typed client for the three Stripe calls the application makes.
//!
//! Stripe's API takes `application/x-www-form-urlencoded` bodies with nested keys in
//! brackets (`line_items[0][price]=...`, `metadata[user_id]=...`), which neither serde's
//! form encoder nor a struct can express, so requests are built as a [`Form`] of key and
//! value pairs.

use std::time::Duration;

use anyhow::Context;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::config::PaymentsSettings;

/// The API version every request pins, so Stripe's answers keep the shape this code reads.
/// Webhook endpoints must be registered with the same version.
pub const API_VERSION: &str = "2025-08-27.basil";
/// Time allowed to connect to Stripe.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed for a whole request; Stripe usually answers within a second.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Stripe's API, authenticated with the secret key. Cheap to clone.
#[derive(Debug, Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    api_base: String,
    secret_key: SecretString,
}

/// Why a Stripe call failed. Messages never include the secret key.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with an error object.
    #[error("Stripe refused the request with status {status} ({kind}): {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// The error's `type`, such as `invalid_request_error` or `card_error`.
        kind: String,
        /// The error's `code`, such as `resource_missing`, when Stripe gives one.
        code: Option<String>,
        /// Stripe's explanation.
        message: String,
        /// The `Request-Id` header, which Stripe's support asks for.
        request_id: Option<String>,
    },
    /// No usable answer: Stripe was unreachable or too slow, or answered with something
    /// other than the documented JSON.
    #[error("could not complete the request to Stripe")]
    Failed(#[from] reqwest::Error),
}

/// A customer, as far as the application needs it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// `cus_...`.
    pub id: String,
}

/// A Checkout session to send the customer to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutSession {
    /// `cs_...`.
    pub id: String,
    /// The hosted payment page.
    pub url: String,
}

/// A Billing Portal session to send the customer to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalSession {
    /// `bps_...`.
    pub id: String,
    /// The hosted portal page.
    pub url: String,
}

/// What Checkout sells: a subscription to a recurring price, or a one-time price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutMode {
    /// Starts a subscription.
    Subscription,
    /// Takes one payment.
    Payment,
}

/// A Checkout session to create for one price.
#[derive(Debug, Clone)]
pub struct NewCheckoutSession<'a> {
    /// The customer paying (`cus_...`).
    pub customer: &'a str,
    /// Subscription or one-time payment; must match the price's type.
    pub mode: CheckoutMode,
    /// The price bought (`price_...`), once.
    pub price: &'a str,
    /// Our user id, echoed back in the `checkout.session.completed` event.
    pub client_reference_id: &'a str,
    /// Where Stripe sends the customer after paying.
    pub success_url: &'a str,
    /// Where Stripe sends the customer who goes back.
    pub cancel_url: &'a str,
}

/// The pairs of a form-encoded request body, in order.
#[derive(Debug, Default)]
struct Form(Vec<(String, String)>);

impl Form {
    fn field(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((key.into(), value.into()));
        self
    }
}

/// Stripe's error body: `{"error": {"type": ..., "code": ..., "message": ...}}`.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorObject,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(rename = "type")]
    kind: String,
    code: Option<String>,
    message: Option<String>,
}

impl StripeClient {
    /// A client for the configured account; nothing is sent until a call is made.
    pub fn new(settings: &PaymentsSettings) -> anyhow::Result<Self> {
        Self::connect(&settings.api_base, settings.secret_key.clone())
    }

    fn connect(api_base: &str, secret_key: SecretString) -> anyhow::Result<Self> {
        // reqwest is built without a TLS crypto provider of its own; ring is the one sqlx
        // already uses. An error only means a provider was installed before, which is fine.
        // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
        // the alternative, aws-lc-rs, needs a C toolchain and cmake to build.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .user_agent(concat!(
                env!("CARGO_PKG_NAME"),
                "/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .context("could not build the HTTP client for Stripe")?;
        Ok(Self {
            http,
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key,
        })
    }

    /// Creates the customer for one of our users.
    ///
    /// The idempotency key is derived from the user, so two concurrent first checkouts of
    /// one user (or a retry after the id could not be stored) yield the same customer
    /// instead of two.
    pub async fn create_customer(
        &self,
        user_id: &str,
        email: Option<&str>,
        name: Option<&str>,
    ) -> Result<Customer, StripeError> {
        let mut form = Form::default();
        if let Some(email) = email {
            form = form.field("email", email);
        }
        if let Some(name) = name {
            form = form.field("name", name);
        }
        let form = form.field("metadata[user_id]", user_id);
        self.post("/v1/customers", form, &format!("customer-{user_id}"))
            .await
    }

    /// Creates a Checkout session selling one price to `session.customer`.
    pub async fn create_checkout_session(
        &self,
        session: &NewCheckoutSession<'_>,
    ) -> Result<CheckoutSession, StripeError> {
        let mode = match session.mode {
            CheckoutMode::Subscription => "subscription",
            CheckoutMode::Payment => "payment",
        };
        let form = Form::default()
            .field("mode", mode)
            .field("customer", session.customer)
            .field("client_reference_id", session.client_reference_id)
            .field("line_items[0][price]", session.price)
            .field("line_items[0][quantity]", "1")
            .field("success_url", session.success_url)
            .field("cancel_url", session.cancel_url)
            .field("metadata[user_id]", session.client_reference_id);
        // The subscription or payment outlives the session: it carries the user id too.
        let form = match session.mode {
            CheckoutMode::Subscription => form.field(
                "subscription_data[metadata][user_id]",
                session.client_reference_id,
            ),
            CheckoutMode::Payment => form.field(
                "payment_intent_data[metadata][user_id]",
                session.client_reference_id,
            ),
        };
        self.post("/v1/checkout/sessions", form, &new_idempotency_key())
            .await
    }

    /// Creates a Billing Portal session for `customer`, returning to `return_url`.
    pub async fn create_portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<PortalSession, StripeError> {
        let form = Form::default()
            .field("customer", customer)
            .field("return_url", return_url);
        self.post("/v1/billing_portal/sessions", form, &new_idempotency_key())
            .await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: Form,
        idempotency_key: &str,
    ) -> Result<T, StripeError> {
        let response = self
            .http
            .post(format!("{}{path}", self.api_base))
            .bearer_auth(self.secret_key.expose_secret())
            .header("Stripe-Version", API_VERSION)
            .header("Idempotency-Key", idempotency_key)
            .form(&form.0)
            .send()
            .await?;
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let request_id = request_id(response.headers());
        let body = response.text().await?;
        let (kind, code, message) = match serde_json::from_str::<ErrorBody>(&body) {
            Ok(ErrorBody { error }) => (error.kind, error.code, error.message.unwrap_or_default()),
            // A proxy's error page, say: keep it for the logs.
            Err(_) => ("unknown".to_owned(), None, body.trim().to_owned()),
        };
        Err(StripeError::Api {
            status: status.as_u16(),
            kind,
            code,
            message,
            request_id,
        })
    }
}

/// A fresh key for a create call: retrying that very request may reuse it, a new request
/// must not.
fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn client(api_base: &str) -> StripeClient {
        StripeClient::connect(api_base, "sk_test_key".into()).expect("the client builds")
    }

    #[tokio::test]
    async fn a_stripe_error_object_becomes_a_typed_error() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/billing_portal/sessions"))
            .respond_with(
                ResponseTemplate::new(400)
                    .insert_header("request-id", "req_123")
                    .set_body_json(json!({"error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "message": "No such customer: 'cus_gone'",
                        "param": "customer",
                    }})),
            )
            .mount(&server)
            .await;

        let error = client(&server.uri())
            .create_portal_session("cus_gone", "https://app.test")
            .await
            .unwrap_err();

        let StripeError::Api {
            status,
            kind,
            code,
            message,
            request_id,
        } = &error
        else {
            panic!("expected an API error, got {error:?}");
        };
        assert_eq!(*status, 400);
        assert_eq!(kind, "invalid_request_error");
        assert_eq!(code.as_deref(), Some("resource_missing"));
        assert_eq!(message, "No such customer: 'cus_gone'");
        assert_eq!(request_id.as_deref(), Some("req_123"));
    }

    #[tokio::test]
    async fn an_error_without_stripes_json_keeps_the_body() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
            .mount(&server)
            .await;

        let error = client(&server.uri())
            .create_customer("u1", None, None)
            .await
            .unwrap_err();

        assert!(
            matches!(&error, StripeError::Api { status: 502, message, .. } if message == "bad gateway"),
            "{error:?}"
        );
        assert!(!format!("{error} {error:?}").contains("sk_test_key"));
    }

    #[tokio::test]
    async fn an_unreachable_api_is_a_failure() {
        // Port 9 (discard) is closed on test machines: the connection is refused.
        let error = client("http://127.0.0.1:9")
            .create_customer("u1", None, None)
            .await
            .unwrap_err();

        assert!(matches!(error, StripeError::Failed(_)), "{error:?}");
    }
}
