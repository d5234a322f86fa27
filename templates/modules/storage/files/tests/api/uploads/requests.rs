//! The uploads API against a fake bucket: what the application hands out, and the requests
//! it sends to the bucket itself.

use reqwest::{Method, Url};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::UploadsApp;

/// The bucket name the fake serves.
const BUCKET: &str = "uploads";
/// The access key id of the test configuration.
const ACCESS_KEY_ID: &str = "test-access-key";

/// A fake bucket, and the application using it.
async fn spawn() -> (UploadsApp, MockServer) {
    spawn_with(&[]).await
}

async fn spawn_with(overrides: &[(&str, String)]) -> (UploadsApp, MockServer) {
    let bucket = MockServer::start().await;
    let app = UploadsApp::spawn(&bucket.uri(), BUCKET, overrides).await;
    (app, bucket)
}

/// The path of the object an upload URL points at, such as `/uploads/users/<id>/<id>/a.png`.
fn object_path(created: &Value) -> String {
    let url: Url = created["url"].as_str().unwrap().parse().unwrap();
    url.path().to_owned()
}

fn query(url: &str) -> Vec<(String, String)> {
    let url: Url = url.parse().unwrap();
    url.query_pairs().into_owned().collect()
}

fn query_value(url: &str, name: &str) -> String {
    query(url)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("{url} has no {name}"))
}

/// Whether the bucket received a request presigned with SigV4 by the test credentials.
fn signed_by_the_application(request: &Request) -> bool {
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let value = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    value("X-Amz-Algorithm") == Some("AWS4-HMAC-SHA256")
        && value("X-Amz-Credential").is_some_and(|c| c.starts_with(&format!("{ACCESS_KEY_ID}/")))
        && value("X-Amz-Signature").is_some_and(|s| s.len() == 64)
}

/// The fake bucket holds `size` bytes of `content_type` at `at`.
async fn holds(bucket: &MockServer, at: &str, size: usize, content_type: &str) {
    Mock::given(method("HEAD"))
        .and(path(at))
        .and(signed_by_the_application)
        // The body is not sent in answer to HEAD, but it sets the content-length.
        .respond_with(ResponseTemplate::new(200).set_body_raw(vec![0; size], content_type))
        .mount(bucket)
        .await;
}

/// The fake bucket expects `expected` signed DELETEs of `at`.
async fn expects_deletes(bucket: &MockServer, at: &str, expected: u64) {
    Mock::given(method("DELETE"))
        .and(path(at))
        .and(signed_by_the_application)
        .respond_with(ResponseTemplate::new(204))
        .expect(expected)
        .mount(bucket)
        .await;
}

/// An upload whose object the fake bucket holds, confirmed; returns the created upload.
async fn completed_upload(app: &UploadsApp, bucket: &MockServer, filename: &str) -> Value {
    let created = app.upload_url(filename, "image/png", 1234).await;
    holds(bucket, &object_path(&created), 1234, "image/png").await;
    let id = created["id"].as_str().unwrap();
    let response = app
        .send(Method::POST, &format!("/uploads/{id}/complete"), None)
        .await;
    assert_eq!(response.status(), 200);
    created
}

async fn assert_validation_error(response: reqwest::Response, mentions: &str) {
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(mentions), "{message}");
}

async fn listed_ids(app: &UploadsApp, token: &str) -> Vec<String> {
    let response = app.send_as(token, Method::GET, "/uploads", None).await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|upload| upload["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_allowed_file_gets_a_presigned_put_under_the_users_own_key() {
    let (app, bucket) = spawn().await;
    let user_id = app.user_id().await;

    let created = app.upload_url("My cat.png", "image/png", 1234).await;

    let id = created["id"].as_str().unwrap();
    let url = created["url"].as_str().unwrap();
    assert_eq!(created["method"], "PUT");
    assert!(
        url.starts_with(&format!(
            "{}/{BUCKET}/users/{user_id}/{id}/My_cat.png?",
            bucket.uri()
        )),
        "{url}"
    );
    assert_eq!(query_value(url, "X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
    assert_eq!(
        query_value(url, "X-Amz-SignedHeaders"),
        "content-length;content-type;host"
    );
    assert_eq!(query_value(url, "X-Amz-Expires"), "900");
    assert!(query_value(url, "X-Amz-Credential").starts_with("test-access-key/"));
    assert_eq!(
        created["headers"],
        serde_json::json!({"content-length": "1234", "content-type": "image/png"})
    );
    assert!(
        created["expires_at"].as_str().unwrap().ends_with('Z'),
        "{created}"
    );
    // Nothing reached the bucket: the client sends the file itself.
    assert!(bucket.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_content_type_outside_the_allow_list_is_refused() {
    let (app, _bucket) = spawn().await;

    let response = app.request_upload("page.html", "text/html", 100).await;

    assert_validation_error(response, "image/png").await;
}

#[tokio::test]
async fn a_nul_character_in_the_filename_is_refused_naming_it() {
    let (app, _bucket) = spawn().await;

    let response = app.request_upload("a\0b.png", "image/png", 100).await;

    assert_validation_error(response, "filename: must not contain a NUL character").await;
}

#[tokio::test]
async fn a_file_larger_than_the_limit_is_refused() {
    let (app, _bucket) = spawn_with(&[("UPLOAD_MAX_BYTES", "1000".to_owned())]).await;

    assert_validation_error(
        app.request_upload("big.png", "image/png", 1001).await,
        "1000",
    )
    .await;
    assert_validation_error(
        app.request_upload("empty.png", "image/png", 0).await,
        "1000",
    )
    .await;
    assert_eq!(
        app.request_upload("fits.png", "image/png", 1000)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_confirmed_upload_is_listed_and_downloadable() {
    let (app, bucket) = spawn().await;

    let created = completed_upload(&app, &bucket, "cat.png").await;

    let id = created["id"].as_str().unwrap();
    assert_eq!(listed_ids(&app, &app.token).await, [id]);
    let shown: Value = app
        .send(Method::GET, &format!("/uploads/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["filename"], "cat.png");
    assert_eq!(shown["size_bytes"], 1234);
    assert!(shown["completed_at"].is_string(), "{shown}");

    let response = app
        .send(Method::GET, &format!("/uploads/{id}/download"), None)
        .await;
    assert_eq!(response.status(), 200);
    let download: Value = response.json().await.unwrap();
    assert_eq!(download["method"], "GET");
    let url = download["url"].as_str().unwrap();
    assert!(url.contains(&object_path(&created)), "{url}");
    assert_eq!(query_value(url, "X-Amz-SignedHeaders"), "host");
}

#[tokio::test]
async fn confirming_before_the_file_is_uploaded_is_a_conflict() {
    let (app, _bucket) = spawn().await;
    // The fake bucket answers 404 to everything: there is no object yet.
    let created = app.upload_url("cat.png", "image/png", 1234).await;
    let id = created["id"].as_str().unwrap();

    let response = app
        .send(Method::POST, &format!("/uploads/{id}/complete"), None)
        .await;

    assert_eq!(response.status(), 409);
    assert!(listed_ids(&app, &app.token).await.is_empty());
    let response = app
        .send(Method::GET, &format!("/uploads/{id}/download"), None)
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn an_object_of_the_wrong_size_is_refused_and_deleted() {
    let (app, bucket) = spawn().await;
    let created = app.upload_url("cat.png", "image/png", 1234).await;
    let at = object_path(&created);
    holds(&bucket, &at, 999, "image/png").await;
    expects_deletes(&bucket, &at, 1).await;
    let id = created["id"].as_str().unwrap();

    let response = app
        .send(Method::POST, &format!("/uploads/{id}/complete"), None)
        .await;

    assert_validation_error(response, "expected 1234 bytes").await;
    assert!(listed_ids(&app, &app.token).await.is_empty());
}

#[tokio::test]
async fn an_object_of_another_type_is_refused() {
    let (app, bucket) = spawn().await;
    let created = app.upload_url("cat.png", "image/png", 1234).await;
    let at = object_path(&created);
    holds(&bucket, &at, 1234, "text/html").await;
    expects_deletes(&bucket, &at, 1).await;
    let id = created["id"].as_str().unwrap();

    let response = app
        .send(Method::POST, &format!("/uploads/{id}/complete"), None)
        .await;

    assert_validation_error(response, "image/png").await;
}

#[tokio::test]
async fn only_completed_uploads_are_listed_oldest_first_a_page_at_a_time() {
    let (app, bucket) = spawn().await;
    let first = completed_upload(&app, &bucket, "first.png").await;
    app.upload_url("pending.png", "image/png", 10).await;
    let second = completed_upload(&app, &bucket, "second.png").await;

    assert_eq!(
        listed_ids(&app, &app.token).await,
        [
            first["id"].as_str().unwrap(),
            second["id"].as_str().unwrap()
        ]
    );
    let page: Value = app
        .send(Method::GET, "/uploads?limit=1&offset=1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["id"], second["id"]);
    assert_eq!(
        (page["limit"].as_i64(), page["offset"].as_i64()),
        (Some(1), Some(1))
    );
    let page: Value = app
        .send(Method::GET, "/uploads?limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    let cursor = page["next_cursor"].as_str().unwrap();
    let next: Value = app
        .send(
            Method::GET,
            &format!("/uploads?limit=1&cursor={cursor}"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["items"][0]["id"], second["id"]);
    let response = app.send(Method::GET, "/uploads?limit=0", None).await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn deleting_an_upload_deletes_its_object_then_its_row() {
    let (app, bucket) = spawn().await;
    let created = completed_upload(&app, &bucket, "cat.png").await;
    expects_deletes(&bucket, &object_path(&created), 1).await;
    let id = created["id"].as_str().unwrap();

    let response = app
        .send(Method::DELETE, &format!("/uploads/{id}"), None)
        .await;

    assert_eq!(response.status(), 204);
    assert!(listed_ids(&app, &app.token).await.is_empty());
    let response = app.send(Method::GET, &format!("/uploads/{id}"), None).await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn another_users_upload_is_not_found() {
    let (app, bucket) = spawn().await;
    let created = completed_upload(&app, &bucket, "cat.png").await;
    expects_deletes(&bucket, &object_path(&created), 0).await;
    let id = created["id"].as_str().unwrap();
    let other = app.other_user();

    for (method, path) in [
        (Method::GET, format!("/uploads/{id}")),
        (Method::POST, format!("/uploads/{id}/complete")),
        (Method::GET, format!("/uploads/{id}/download")),
        (Method::DELETE, format!("/uploads/{id}")),
    ] {
        let response = app.send_as(&other, method.clone(), &path, None).await;
        assert_eq!(response.status(), 404, "{method} {path}");
    }
    assert!(listed_ids(&app, &other).await.is_empty());
    assert_eq!(listed_ids(&app, &app.token).await, [id]);
}

#[tokio::test]
async fn uploads_need_a_signed_in_user() {
    let (app, _bucket) = spawn().await;

    let response = app.auth.app.get("/api/v1/uploads").await;

    assert_eq!(response.status(), 401);
}
