//! The uploads API end to end: a signed-in user, the application, and a bucket that is a
//! wiremock fake (`requests.rs`) or, opt-in, a real S3-compatible server (`round_trip.rs`).

pub mod provider;
mod requests;
pub mod round_trip;

use serde_json::{Value, json};

use crate::auth::idp::AuthApp;

/// The application with its bucket at `endpoint`, and a signed-in user.
pub struct UploadsApp {
    pub auth: AuthApp,
    pub token: String,
}

impl UploadsApp {
    /// The application using the bucket `bucket` at `endpoint`, with `overrides` on top.
    pub async fn spawn(endpoint: &str, bucket: &str, overrides: &[(&str, String)]) -> Self {
        let vars: Vec<(&str, String)> = provider::bucket_env(endpoint, bucket)
            .into_iter()
            .chain(overrides.iter().cloned())
            .collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let auth = AuthApp::spawn_with(&vars).await;
        let token = auth.valid_token();
        Self { auth, token }
    }

    /// The signed-in user's id.
    pub async fn user_id(&self) -> String {
        let me: Value = self
            .auth
            .get_as("/api/v1/me", &self.token)
            .await
            .json()
            .await
            .unwrap();
        me["id"].as_str().unwrap().to_owned()
    }

    /// A token of another user.
    pub fn other_user(&self) -> String {
        self.auth.valid_token()
    }

    /// `method path` as the signed-in user, with `body` as JSON when given.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        self.send_as(&self.token, method, path, body).await
    }

    /// `method path` as the holder of `token`.
    pub async fn send_as(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .auth
            .app
            .client
            .request(method, format!("{}/api/v1{path}", self.auth.app.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request failed")
    }

    /// Asks for an upload URL; the response is returned whatever its status.
    pub async fn request_upload(
        &self,
        filename: &str,
        content_type: &str,
        size: u64,
    ) -> reqwest::Response {
        let body = json!({"filename": filename, "content_type": content_type, "size_bytes": size});
        self.send(reqwest::Method::POST, "/uploads", Some(body))
            .await
    }

    /// Asks for an upload URL that must be granted, and returns the answer.
    pub async fn upload_url(&self, filename: &str, content_type: &str, size: u64) -> Value {
        let response = self.request_upload(filename, content_type, size).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }
}
