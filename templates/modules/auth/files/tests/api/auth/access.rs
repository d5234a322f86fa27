//! Who may call what: tokens on the app routes, the role on the admin routes.

use serde_json::Value;

use super::idp::{AuthApp, unique_subject};

#[tokio::test]
async fn a_valid_token_is_accepted_and_me_returns_its_user() {
    let auth = AuthApp::spawn().await;
    let subject = unique_subject();
    let claims = auth.claims(&subject);

    let response = auth.get_as("/api/v1/me", &auth.token(&claims)).await;

    assert_eq!(response.status(), 200);
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["external_id"], subject.as_str());
    assert_eq!(user["email"], claims["email"]);
    assert_eq!(user["role"], "user");
    assert!(
        user["id"]
            .as_str()
            .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
    );
}

#[tokio::test]
async fn a_request_without_a_token_gets_401_with_a_bearer_challenge() {
    let auth = AuthApp::spawn().await;

    let response = auth.app.get("/api/v1/me").await;

    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(body["error"]["request_id"].is_string(), "{body}");
}

#[tokio::test]
async fn a_request_with_another_scheme_gets_401() {
    let auth = AuthApp::spawn().await;

    let response = auth
        .app
        .client
        .get(format!("{}/api/v1/me", auth.app.address))
        .basic_auth("user", Some("password"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn an_ordinary_user_gets_403_from_the_admin_routes() {
    let auth = AuthApp::spawn().await;

    let response = auth
        .get_as("/api/v1/admin/users", &auth.valid_token())
        .await;

    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn the_admin_routes_need_a_token_too() {
    let auth = AuthApp::spawn().await;

    let response = auth.app.get("/api/v1/admin/users").await;

    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn an_admin_lists_the_users_a_page_at_a_time() {
    let auth = AuthApp::spawn().await;
    let admin = auth.token(&auth.admin_claims(&unique_subject()));
    for token in [admin.clone(), auth.valid_token(), auth.valid_token()] {
        let response = auth.get_as("/api/v1/me", &token).await;
        assert_eq!(response.status(), 200);
    }

    let all: Value = auth
        .get_as("/api/v1/admin/users", &admin)
        .await
        .json()
        .await
        .unwrap();
    let page: Value = auth
        .get_as("/api/v1/admin/users?limit=1&offset=1", &admin)
        .await
        .json()
        .await
        .unwrap();

    let users = all["items"].as_array().unwrap();
    assert_eq!(users.len(), 3, "{all}");
    assert_eq!(users[0]["role"], "admin");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["id"], users[1]["id"]);
    assert_eq!(
        (page["limit"].as_i64(), page["offset"].as_i64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn a_page_larger_than_100_users_is_refused_with_422() {
    let auth = AuthApp::spawn().await;
    let admin = auth.token(&auth.admin_claims(&unique_subject()));

    let response = auth.get_as("/api/v1/admin/users?limit=101", &admin).await;

    assert_eq!(response.status(), 422);
}
