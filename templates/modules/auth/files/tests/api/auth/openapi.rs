//! What the OpenAPI document says about authentication is what the routes do.

use serde_json::json;

use super::idp::AuthApp;
use crate::openapi::{document, operations};

#[tokio::test]
async fn exactly_the_operations_documented_as_needing_a_token_challenge_a_caller_without_one() {
    let auth = AuthApp::spawn().await;
    let document = document(&auth.app).await;

    for (method, path, operation) in operations(&document) {
        let needs_token = operation["security"] == json!([{"bearer": []}]);
        let response = auth
            .app
            .client
            .request(method.clone(), format!("{}{path}", auth.app.address))
            .send()
            .await
            .unwrap();
        let challenged =
            response.status() == 401 && response.headers().contains_key("www-authenticate");
        assert_eq!(challenged, needs_token, "{method} {path}");
    }
}

#[tokio::test]
async fn the_bearer_scheme_is_declared_for_jwts() {
    let auth = AuthApp::spawn().await;

    let document = document(&auth.app).await;

    assert_eq!(
        document["components"]["securitySchemes"]["bearer"],
        json!({
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An access token issued by the identity provider",
        })
    );
}
