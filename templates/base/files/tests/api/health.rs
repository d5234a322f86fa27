use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn health_returns_200_without_touching_dependencies() {
    let app = spawn_app_with(&[("REDIS_URL", "redis://127.0.0.1:1")]).await;

    let response = app.health().await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn readiness_returns_200_when_postgres_and_redis_answer() {
    let app = spawn_app().await;

    let response = app.readiness().await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}})
    );
}

#[tokio::test]
async fn readiness_returns_503_naming_redis_when_redis_is_down() {
    // Nothing listens on port 1, yet the application still starts.
    let app = spawn_app_with(&[("REDIS_URL", "redis://127.0.0.1:1")]).await;

    let response = app.readiness().await;

    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"]["postgres"], "ok");
    assert_eq!(body["checks"]["redis"], "error");
}
