//! The `projects` resource end to end: each user's own projects, pagination, soft delete,
//! validation, and the admin routes, with tokens from the fake identity provider.

mod admin;
mod lifecycle;
mod ownership;
mod pagination;
mod validation;

use reqwest::Method;
use serde_json::{Value, json};

use crate::auth::idp::{AuthApp, unique_subject};

/// The application and a signed-in user with a token of their own.
pub struct ProjectsApp {
    pub auth: AuthApp,
    pub token: String,
}

impl ProjectsApp {
    pub async fn spawn() -> Self {
        let auth = AuthApp::spawn().await;
        let token = auth.valid_token();
        Self { auth, token }
    }

    /// A token of another user.
    pub fn other_user(&self) -> String {
        self.auth.valid_token()
    }

    /// A token of an administrator.
    pub fn admin(&self) -> String {
        self.auth.token(&self.auth.admin_claims(&unique_subject()))
    }

    /// `method path` as the holder of `token` (none without one), with a JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .auth
            .app
            .client
            .request(method, format!("{}/api/v1{path}", self.auth.app.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request failed")
    }

    /// `method path` as the user, expecting `status`, returning the body (`null` if empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let response = self.send(method, path, Some(&self.token), body).await;
        assert_status(response, status).await
    }

    /// Creates a project named `name` as the holder of `token`, returning it.
    pub async fn create_as(&self, token: &str, name: &str) -> Value {
        let response = self
            .send(
                Method::POST,
                "/projects",
                Some(token),
                Some(json!({"name": name})),
            )
            .await;
        assert_status(response, 201).await
    }

    /// Creates a project named `name` as the user, returning it.
    pub async fn create(&self, name: &str) -> Value {
        self.create_as(&self.token, name).await
    }

    /// The names on the user's page at `query` (such as `?limit=2`), and the page itself.
    pub async fn list(&self, query: &str) -> (Vec<String>, Value) {
        let page = self
            .call(Method::GET, &format!("/projects{query}"), None, 200)
            .await;
        (names(&page), page)
    }
}

/// Asserts the status and returns the JSON body, or `null` for an empty one.
pub async fn assert_status(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual.as_u16(), status, "{text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    }
}

/// The `name` of each item of a page, in order.
pub fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("a page has items")
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The `id` of a project.
pub fn id(project: &Value) -> &str {
    project["id"].as_str().expect("a project has an id")
}
