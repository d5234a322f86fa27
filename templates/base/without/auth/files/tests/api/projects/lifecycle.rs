//! Create, read, update, soft delete and restore of a shared project, without a token.

use reqwest::Method;
use serde_json::json;

use super::{ProjectsApp, id};

#[tokio::test]
async fn a_created_project_is_shared_and_can_be_read_back() {
    let app = ProjectsApp::spawn().await;

    let created = app
        .call(
            Method::POST,
            "/projects",
            Some(json!({"name": "  Apollo  ", "description": "to the moon"})),
            201,
        )
        .await;
    let read = app
        .call(
            Method::GET,
            &format!("/projects/{}", id(&created)),
            None,
            200,
        )
        .await;

    assert_eq!(read, created);
    assert!(
        created.get("owner_id").is_none(),
        "no one owns it: {created}"
    );
    assert_eq!(created["name"], "Apollo", "the name is trimmed");
    assert_eq!(created["description"], "to the moon");
    assert_eq!(created["created_at"], created["updated_at"]);
    assert!(created["deleted_at"].is_null());
}

#[tokio::test]
async fn an_update_changes_only_the_fields_sent_and_moves_updated_at() {
    let app = ProjectsApp::spawn().await;
    let created = app
        .call(
            Method::POST,
            "/projects",
            Some(json!({"name": "Apollo", "description": "to the moon"})),
            201,
        )
        .await;
    let path = format!("/projects/{}", id(&created));

    let renamed = app
        .call(Method::PATCH, &path, Some(json!({"name": "Artemis"})), 200)
        .await;
    let cleared = app
        .call(
            Method::PATCH,
            &path,
            Some(json!({"description": null})),
            200,
        )
        .await;
    let unchanged = app.call(Method::PATCH, &path, Some(json!({})), 200).await;

    assert_eq!(renamed["name"], "Artemis");
    assert_eq!(renamed["description"], "to the moon");
    assert_ne!(renamed["updated_at"], created["updated_at"]);
    assert_eq!(cleared["name"], "Artemis");
    assert!(cleared["description"].is_null());
    assert_eq!(unchanged, cleared, "an empty change writes nothing");
    assert_eq!(cleared["created_at"], created["created_at"]);
}

#[tokio::test]
async fn a_soft_deleted_project_is_invisible_until_it_is_restored() {
    let app = ProjectsApp::spawn().await;
    let kept = app.create("kept").await;
    let deleted = app.create("deleted").await;
    let path = format!("/projects/{}", id(&deleted));

    app.call(Method::DELETE, &path, None, 204).await;

    app.call(Method::GET, &path, None, 404).await;
    app.call(Method::PATCH, &path, Some(json!({"name": "x"})), 404)
        .await;
    app.call(Method::DELETE, &path, None, 404).await;
    assert_eq!(app.list("").await.0, ["kept"]);
    let (all, page) = app.list("?include_deleted=true").await;
    assert_eq!(all, ["kept", "deleted"]);
    assert!(page["items"][1]["deleted_at"].is_string(), "{page}");

    let restored = app
        .call(Method::POST, &format!("{path}/restore"), None, 200)
        .await;

    assert!(restored["deleted_at"].is_null());
    assert_eq!(restored["name"], "deleted");
    assert_eq!(app.list("").await.0, ["kept", "deleted"]);
    app.call(Method::GET, &path, None, 200).await;
    let again = app
        .call(Method::POST, &format!("{path}/restore"), None, 200)
        .await;
    assert_eq!(again, restored);
    app.call(Method::GET, &format!("/projects/{}", id(&kept)), None, 200)
        .await;
}

#[tokio::test]
async fn an_unknown_id_is_a_404_and_a_malformed_one_a_400_in_the_envelope() {
    let app = ProjectsApp::spawn().await;

    let missing = app
        .call(
            Method::GET,
            &format!("/projects/{}", uuid::Uuid::new_v4()),
            None,
            404,
        )
        .await;
    let malformed = app.call(Method::GET, "/projects/42", None, 400).await;

    assert_eq!(missing["error"]["code"], "not_found");
    assert_eq!(malformed["error"]["code"], "bad_request");
}
