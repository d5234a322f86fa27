//! A user never reaches another user's projects: they are 404s, exactly like missing ones.

use reqwest::Method;
use serde_json::json;

use super::{ProjectsApp, assert_status, id};

#[tokio::test]
async fn another_users_project_is_a_404_for_every_operation() {
    let app = ProjectsApp::spawn().await;
    let mine = app.create("mine").await;
    let path = format!("/projects/{}", id(&mine));
    let other = app.other_user();

    let attempts = [
        (Method::GET, path.clone(), None),
        (Method::PATCH, path.clone(), Some(json!({"name": "taken"}))),
        (Method::DELETE, path.clone(), None),
        (Method::POST, format!("{path}/restore"), None),
    ];
    for (method, path, body) in attempts {
        let response = app.send(method.clone(), &path, Some(&other), body).await;
        let body = assert_status(response, 404).await;
        assert_eq!(body["error"]["code"], "not_found", "{method} {path}");
    }

    let untouched = app.call(Method::GET, &path, None, 200).await;
    assert_eq!(untouched, mine);
}

#[tokio::test]
async fn another_users_soft_deleted_project_cannot_be_restored_by_someone_else() {
    let app = ProjectsApp::spawn().await;
    let mine = app.create("mine").await;
    let path = format!("/projects/{}", id(&mine));
    app.call(Method::DELETE, &path, None, 204).await;

    let response = app
        .send(
            Method::POST,
            &format!("{path}/restore"),
            Some(&app.other_user()),
            None,
        )
        .await;

    assert_status(response, 404).await;
    app.call(Method::GET, &path, None, 404).await;
}

#[tokio::test]
async fn each_user_lists_only_their_own_projects() {
    let app = ProjectsApp::spawn().await;
    let other = app.other_user();
    app.create("mine").await;
    app.create_as(&other, "theirs").await;

    assert_eq!(app.list("").await.0, ["mine"]);
    let theirs = app.send(Method::GET, "/projects", Some(&other), None).await;
    assert_eq!(super::names(&assert_status(theirs, 200).await), ["theirs"]);
}

#[tokio::test]
async fn every_project_route_needs_a_token() {
    let app = ProjectsApp::spawn().await;
    let mine = app.create("mine").await;
    let path = format!("/projects/{}", id(&mine));

    let attempts = [
        (Method::GET, "/projects".to_owned()),
        (Method::POST, "/projects".to_owned()),
        (Method::GET, path.clone()),
        (Method::PATCH, path.clone()),
        (Method::DELETE, path.clone()),
        (Method::POST, format!("{path}/restore")),
    ];
    for (method, path) in attempts {
        let response = app
            .send(method, &path, None, Some(json!({"name": "x"})))
            .await;
        let body = assert_status(response, 401).await;
        assert_eq!(body["error"]["code"], "unauthorized");
    }
}
