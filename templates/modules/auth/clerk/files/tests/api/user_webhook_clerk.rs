//! Clerk's user webhook, signed as Svix signs it, keeps the `users` table in step.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::auth::idp::{AuthApp, unique_subject};

const KEY: &[u8] = b"a test signing key of thirty-two";
const PATH: &str = "/api/v1/webhooks/clerk";

fn secret(key: &[u8]) -> String {
    format!("whsec_{}", STANDARD.encode(key))
}

async fn spawn() -> AuthApp {
    AuthApp::spawn_with(&[("CLERK_WEBHOOK_SECRET", &secret(KEY))]).await
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A delivery: its id, timestamp and body, signed with `key`.
struct Delivery {
    id: String,
    timestamp: String,
    body: String,
}

impl Delivery {
    fn new(event: &Value) -> Self {
        Self {
            id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
            timestamp: now().to_string(),
            body: event.to_string(),
        }
    }

    fn signature(&self, key: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    async fn send(&self, auth: &AuthApp, signature: Option<&str>) -> reqwest::Response {
        let mut request = auth
            .app
            .client
            .post(format!("{}{PATH}", auth.app.address))
            .header("content-type", "application/json")
            .header("svix-id", &self.id)
            .header("svix-timestamp", &self.timestamp)
            .body(self.body.clone());
        if let Some(signature) = signature {
            request = request.header("svix-signature", signature);
        }
        request.send().await.expect("request failed")
    }

    async fn send_signed(&self, auth: &AuthApp) -> reqwest::Response {
        self.send(auth, Some(&self.signature(KEY))).await
    }
}

fn user_event(kind: &str, id: &str, email: &str) -> Value {
    json!({
        "type": kind,
        "object": "event",
        "data": {
            "id": id,
            "object": "user",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "primary_email_address_id": "idn_primary",
            "email_addresses": [
                {"id": "idn_other", "email_address": "other@example.com"},
                {"id": "idn_primary", "email_address": email},
            ],
        },
    })
}

/// The row of `external_id`, as an admin lists it.
async fn row(auth: &AuthApp, external_id: &str) -> Option<Value> {
    let admin = auth.token(&auth.admin_claims(&unique_subject()));
    let page: Value = auth
        .get_as("/api/v1/admin/users", &admin)
        .await
        .json()
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["external_id"] == external_id)
        .cloned()
}

async fn assert_refused(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
}

#[tokio::test]
async fn a_signed_user_created_event_creates_the_row_and_a_replay_is_harmless() {
    let auth = spawn().await;
    let id = unique_subject();
    let delivery = Delivery::new(&user_event("user.created", &id, "ada@example.com"));

    for _ in 0..2 {
        assert_eq!(delivery.send_signed(&auth).await.status(), 204);
    }

    let user = row(&auth, &id).await.expect("the user has a row");
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["created_at"], user["updated_at"], "{user}");
}

#[tokio::test]
async fn user_updated_changes_the_row_and_user_deleted_removes_it() {
    let auth = spawn().await;
    let id = unique_subject();
    let created = Delivery::new(&user_event("user.created", &id, "ada@example.com"));
    assert_eq!(created.send_signed(&auth).await.status(), 204);

    let updated = Delivery::new(&user_event("user.updated", &id, "new@example.com"));
    assert_eq!(updated.send_signed(&auth).await.status(), 204);
    assert_eq!(row(&auth, &id).await.unwrap()["email"], "new@example.com");

    let deleted = Delivery::new(&json!({
        "type": "user.deleted",
        "data": {"id": id, "object": "user", "deleted": true},
    }));
    assert_eq!(deleted.send_signed(&auth).await.status(), 204);
    assert_eq!(row(&auth, &id).await, None);
}

#[tokio::test]
async fn a_signature_made_with_another_secret_is_refused_with_401() {
    let auth = spawn().await;
    let id = unique_subject();
    let delivery = Delivery::new(&user_event("user.created", &id, "ada@example.com"));

    let forged = delivery.signature(b"not the endpoint's signing key!!");
    assert_refused(
        delivery.send(&auth, Some(&forged)).await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(row(&auth, &id).await, None);
}

#[tokio::test]
async fn a_stale_delivery_is_refused_with_401() {
    let auth = spawn().await;
    let mut delivery = Delivery::new(&user_event("user.created", "user_1", "a@example.com"));
    delivery.timestamp = (now() - 10 * 60).to_string();

    assert_refused(delivery.send_signed(&auth).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_missing_or_malformed_svix_header_is_refused_with_400() {
    let auth = spawn().await;
    let event = user_event("user.created", "user_1", "a@example.com");

    let unsigned = Delivery::new(&event);
    assert_refused(unsigned.send(&auth, None).await, 400, "bad_request").await;
    let mut not_a_time = Delivery::new(&event);
    not_a_time.timestamp = "yesterday".to_owned();
    assert_refused(not_a_time.send_signed(&auth).await, 400, "bad_request").await;
}

#[tokio::test]
async fn other_events_are_acknowledged_and_ignored() {
    let auth = spawn().await;
    let delivery = Delivery::new(&json!({"type": "session.created", "data": {"id": "sess_1"}}));

    assert_eq!(delivery.send_signed(&auth).await.status(), 204);
}
