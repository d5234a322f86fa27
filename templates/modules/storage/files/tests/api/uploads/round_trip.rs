//! A real round trip through an S3-compatible server: the presigned URLs the application
//! hands out are used as a client would use them.
//!
//! Opt-in, because it needs a server: run MinIO (`make storage`) or moto
//! (`pip install 'moto[server]' && moto_server -p 9000`), then
//! `S3_TEST_ENDPOINT=http://localhost:9000 cargo test -- --ignored round_trip`.
//! The credentials default to MinIO's (`minioadmin`); set `S3_TEST_ACCESS_KEY_ID` and
//! `S3_TEST_SECRET_ACCESS_KEY` for another server. The test creates a bucket of its own.

use std::time::Duration;

use reqwest::Method;
use rusty_s3::actions::CreateBucket;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use serde_json::Value;

use super::{UploadsApp, provider};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

/// Creates `name` on the server at `endpoint`, signed like any S3 request.
async fn create_bucket(
    client: &reqwest::Client,
    endpoint: &str,
    name: &str,
    credentials: &Credentials,
) {
    let bucket = Bucket::new(
        endpoint.parse().expect("S3_TEST_ENDPOINT is a URL"),
        UrlStyle::Path,
        name.to_owned(),
        provider::REGION,
    )
    .unwrap();
    let url = CreateBucket::new(&bucket, credentials).sign(Duration::from_secs(60));
    // Every region but us-east-1 must be named; the body is never empty, because some
    // servers want a content-length, which an empty body goes without.
    let location = match provider::REGION {
        "us-east-1" => String::new(),
        region => format!("<LocationConstraint>{region}</LocationConstraint>"),
    };
    let body = format!(
        r#"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{location}</CreateBucketConfiguration>"#
    );
    let response = client
        .put(url)
        .body(body)
        .send()
        .await
        .expect("the S3 server is reachable");
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set S3_TEST_ENDPOINT (see the module's docs)"]
async fn a_file_goes_up_and_down_through_presigned_urls() {
    let endpoint = std::env::var("S3_TEST_ENDPOINT")
        .expect("S3_TEST_ENDPOINT names the S3-compatible server, such as http://localhost:9000");
    let access_key_id = env_or("S3_TEST_ACCESS_KEY_ID", "minioadmin");
    let secret = env_or("S3_TEST_SECRET_ACCESS_KEY", "minioadmin");
    let bucket = format!("round-trip-{}", uuid::Uuid::new_v4().simple());
    let app = UploadsApp::spawn(
        &endpoint,
        &bucket,
        &provider::credentials_env(&access_key_id, &secret),
    )
    .await;
    // The application installed the TLS crypto provider this client needs.
    let client = &app.auth.app.client;
    create_bucket(
        client,
        &endpoint,
        &bucket,
        &Credentials::new(&access_key_id, &secret),
    )
    .await;
    let content = b"\x89PNG\r\n\x1a\n not really a picture".to_vec();

    let created = app
        .upload_url("cat.png", "image/png", content.len() as u64)
        .await;
    let mut put = client.put(created["url"].as_str().unwrap());
    for (name, value) in created["headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    let response = put.body(content.clone()).send().await.unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );

    let id = created["id"].as_str().unwrap();
    let response = app
        .send(Method::POST, &format!("/uploads/{id}/complete"), None)
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);

    let download: Value = app
        .send(Method::GET, &format!("/uploads/{id}/download"), None)
        .await
        .json()
        .await
        .unwrap();
    let download_url = download["url"].as_str().unwrap();
    let response = client.get(download_url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap(), content);

    let response = app
        .send(Method::DELETE, &format!("/uploads/{id}"), None)
        .await;
    assert_eq!(response.status(), 204);
    let response = client.get(download_url).send().await.unwrap();
    assert_eq!(response.status(), 404, "the object is gone from the bucket");
}
