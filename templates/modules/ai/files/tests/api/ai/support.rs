//! Calling the AI routes as a signed-in user, and reading what they answer.

use serde_json::Value;

use crate::auth::idp::AuthApp;

/// `POST <path>` with `body` as JSON and `Authorization: Bearer <token>`.
pub async fn post_as(auth: &AuthApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    auth.app
        .client
        .post(format!("{}{path}", auth.app.address))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request failed")
}

/// The caller's usage summary.
pub async fn usage(auth: &AuthApp, token: &str) -> Value {
    let response = auth.get_as("/api/v1/ai/usage", token).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The events of a whole `text/event-stream` body, as `(event name, JSON data)`.
pub fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut name = String::new();
            let mut data = None;
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event: ") {
                    name = value.to_owned();
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data = Some(serde_json::from_str(value).expect("event data is JSON"));
                }
            }
            data.map(|data| (name, data))
        })
        .collect()
}
