//! A real round trip through an S3-compatible server: the presigned URLs the application
//! hands out are used as a client would use them.
//!
//! Opt-in, because it needs a server: run MinIO (`make storage`) or moto
//! (`pipx install 'moto[server]==5.2.5' && moto_server -p 9000`), then
//! `S3_TEST_ENDPOINT=http://localhost:9000 cargo test -- --ignored round_trip`.
//! The credentials default to MinIO's (`minioadmin`); set `S3_TEST_ACCESS_KEY_ID` and
//! `S3_TEST_SECRET_ACCESS_KEY` for another server. The test creates a bucket of its own.

use std::time::Duration;

use reqwest::Method;
use rusty_s3::actions::CreateBucket;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use serde_json::Value;

use super::{UploadsApp, provider};

/// A bucket of its own on the S3-compatible server that `S3_TEST_ENDPOINT` names.
pub struct RealBucket {
    /// The server's URL.
    pub endpoint: String,
    /// The bucket's name, unique to the test.
    pub name: String,
    access_key_id: String,
    secret: String,
}

impl RealBucket {
    /// The server and its credentials, from the environment, and a fresh bucket name.
    pub fn from_env() -> Self {
        let env_or = |name: &str, default: &str| std::env::var(name).unwrap_or(default.to_owned());
        Self {
            endpoint: std::env::var("S3_TEST_ENDPOINT").expect(
                "S3_TEST_ENDPOINT names the S3-compatible server, such as http://localhost:9000",
            ),
            name: format!("round-trip-{}", uuid::Uuid::new_v4().simple()),
            access_key_id: env_or("S3_TEST_ACCESS_KEY_ID", "minioadmin"),
            secret: env_or("S3_TEST_SECRET_ACCESS_KEY", "minioadmin"),
        }
    }

    /// Variables that make the application sign with the server's credentials.
    pub fn credentials_env(&self) -> Vec<(&'static str, String)> {
        provider::credentials_env(&self.access_key_id, &self.secret)
    }

    /// Creates the bucket, signed like any S3 request.
    pub async fn create(&self, client: &reqwest::Client) {
        let bucket = Bucket::new(
            self.endpoint.parse().expect("S3_TEST_ENDPOINT is a URL"),
            UrlStyle::Path,
            self.name.clone(),
            provider::REGION,
        )
        .unwrap();
        let credentials = Credentials::new(&self.access_key_id, &self.secret);
        let url = CreateBucket::new(&bucket, &credentials).sign(Duration::from_secs(60));
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
}

#[tokio::test]
#[ignore = "needs an S3-compatible server: set S3_TEST_ENDPOINT (see the module's docs)"]
async fn a_file_goes_up_and_down_through_presigned_urls() {
    let bucket = RealBucket::from_env();
    let app = UploadsApp::spawn(&bucket.endpoint, &bucket.name, &bucket.credentials_env()).await;
    // The application installed the TLS crypto provider this client needs.
    let client = &app.auth.app.client;
    bucket.create(client).await;
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
