//! The `projects` resource end to end: shared rows on the public routes, pagination, soft
//! delete and validation, with no token at all.

mod lifecycle;
mod pagination;
mod validation;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// The application, called without credentials.
pub struct ProjectsApp {
    pub app: TestApp,
}

impl ProjectsApp {
    pub async fn spawn() -> Self {
        Self {
            app: spawn_app().await,
        }
    }

    /// `method path`, expecting `status`, returning the body (`null` if empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let mut request = self
            .app
            .client
            .request(method, format!("{}/api/v1{path}", self.app.address));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request failed");
        assert_status(response, status).await
    }

    /// Creates a project named `name`, returning it.
    pub async fn create(&self, name: &str) -> Value {
        self.call(Method::POST, "/projects", Some(json!({"name": name})), 201)
            .await
    }

    /// The names on the page at `query` (such as `?limit=2`), and the page itself.
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
