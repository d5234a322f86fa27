//! Invalid bodies are 422s naming every invalid field at once, in the error envelope.

use reqwest::Method;
use serde_json::{Value, json};

use super::{ProjectsApp, id};

fn invalid_fields(body: &Value) -> Vec<&str> {
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    body["error"]["fields"]
        .as_array()
        .expect("the envelope lists the fields")
        .iter()
        .map(|field| {
            assert!(field["message"].as_str().is_some_and(|m| !m.is_empty()));
            field["field"].as_str().unwrap()
        })
        .collect()
}

#[tokio::test]
async fn a_create_with_several_invalid_fields_names_each_of_them() {
    let app = ProjectsApp::spawn().await;

    let body = app
        .call(
            Method::POST,
            "/projects",
            Some(json!({"name": "   ", "description": "x".repeat(2001)})),
            422,
        )
        .await;

    assert_eq!(invalid_fields(&body), ["name", "description"]);
    assert!(body["error"]["request_id"].is_string());
    assert!(app.list("").await.0.is_empty(), "nothing was created");
}

#[tokio::test]
async fn a_name_over_100_characters_is_refused() {
    let app = ProjectsApp::spawn().await;

    let body = app
        .call(
            Method::POST,
            "/projects",
            Some(json!({"name": "x".repeat(101)})),
            422,
        )
        .await;

    assert_eq!(invalid_fields(&body), ["name"]);
}

#[tokio::test]
async fn a_nul_character_in_a_field_is_refused_naming_it() {
    let app = ProjectsApp::spawn().await;

    let body = app
        .call(
            Method::POST,
            "/projects",
            Some(json!({"name": "Apollo", "description": "to the\u{0}moon"})),
            422,
        )
        .await;

    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("description"), "{body}");
    assert!(app.list("").await.0.is_empty(), "nothing was created");
}

#[tokio::test]
async fn an_update_with_invalid_fields_names_each_and_changes_nothing() {
    let app = ProjectsApp::spawn().await;
    let created = app.create("Apollo").await;
    let path = format!("/projects/{}", id(&created));

    let body = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"name": "", "description": "x".repeat(2001)})),
            422,
        )
        .await;

    assert_eq!(invalid_fields(&body), ["name", "description"]);
    assert_eq!(app.call(Method::GET, &path, None, 200).await, created);
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_are_refused_in_the_envelope() {
    let app = ProjectsApp::spawn().await;

    // Shared projects have no owner, so a client cannot give them one.
    for body in [
        json!({"name": "Apollo", "owner_id": uuid::Uuid::new_v4()}),
        json!({"name": 42}),
        json!({}),
    ] {
        let response = app
            .call(Method::POST, "/projects", Some(body.clone()), 422)
            .await;
        assert_eq!(response["error"]["code"], "validation_failed", "{body}");
        assert!(response["error"]["request_id"].is_string());
    }
    assert!(app.list("").await.0.is_empty());
}
