//! The OpenAPI document at `/api/v1/openapi.json` and the reference page at `/docs`.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// The served document.
pub async fn document(app: &TestApp) -> Value {
    let response = app.get("/api/v1/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Every operation of the document, as its method, its path with a made-up value for each
/// path parameter, and its description.
pub fn operations(document: &Value) -> Vec<(Method, String, Value)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        let concrete: Vec<&str> = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "00000000-0000-0000-0000-000000000000"
                } else {
                    segment
                }
            })
            .collect();
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((method, concrete.join("/"), operation.clone()));
        }
    }
    operations
}

#[tokio::test]
async fn the_document_is_openapi_3_1_titled_after_the_package() {
    let app = spawn_app().await;

    let document = document(&app).await;

    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(document["info"]["title"], env!("CARGO_PKG_NAME"));
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn the_probes_are_documented() {
    let app = spawn_app().await;

    let document = document(&app).await;

    assert!(document["paths"]["/health"]["get"].is_object());
    assert!(document["paths"]["/health/ready"]["get"].is_object());
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = spawn_app().await;
    let document = document(&app).await;

    for (method, path, _) in operations(&document) {
        // No token, no body and a made-up id: any answer will do (401, 400, 404 for the id)
        // except the ones for a path or method that no route serves.
        let response = app
            .client
            .request(method.clone(), format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), 405, "{method} {path}");
        let body: Value = response.json().await.unwrap_or_default();
        assert_ne!(
            body["error"]["message"], "no route matches this path",
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn every_error_response_uses_the_envelope_schema() {
    let app = spawn_app().await;
    let document = document(&app).await;
    let shared = &document["components"]["responses"];

    for (method, path, operation) in operations(&document) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            if !status.starts_with(['4', '5']) || path.starts_with("/health") {
                continue;
            }
            let response = match response["$ref"].as_str() {
                Some(reference) => &shared[reference.rsplit('/').next().unwrap()],
                None => response,
            };
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorEnvelope",
                "{method} {path} {status}"
            );
        }
    }
}

#[tokio::test]
async fn the_reference_page_embeds_the_document_and_may_load_its_script() {
    let app = spawn_app().await;

    let response = app.get("/docs").await;

    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src https://cdn.jsdelivr.net"));
    assert!(policy.contains("frame-ancestors 'none'"));
    let page = response.text().await.unwrap();
    assert!(page.contains(r#""openapi":"3.1.0""#));
}
