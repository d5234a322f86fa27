//! The uploads bucket: presigned URLs that clients use directly, and the few requests the
//! server sends itself.
//!
//! Signatures are AWS Signature Version 4 in the query string, made by rusty-s3 (which does
//! no I/O). The server's own requests (PUT, HEAD, DELETE) are presigned the same way, valid
//! for a minute, and sent with reqwest: one signing code path for everything.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::{StatusCode, Url, header};
use rusty_s3::actions::{DeleteObject, GetObject, HeadObject, PutObject};
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use secrecy::ExposeSecret;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::config::StorageSettings;

/// Validity of the requests the server signs for itself: they are sent at once.
const SERVER_REQUEST_EXPIRY: Duration = Duration::from_secs(60);
/// A hung connection to the bucket must not hold a request for longer than this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The bucket uploads go to, and the credentials that sign requests to it.
#[derive(Debug, Clone)]
pub struct Storage {
    bucket: Bucket,
    credentials: Credentials,
    client: reqwest::Client,
}

/// A request the client sends itself, exactly as described: the signature covers the
/// headers, so any other value is refused by the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PresignedRequest {
    /// HTTP method.
    pub method: &'static str,
    /// The presigned URL.
    pub url: String,
    /// Headers the request must carry, with these values.
    pub headers: BTreeMap<&'static str, String>,
    /// When the URL stops working.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
}

/// What the bucket says about a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// Content type it was stored with, if any.
    pub content_type: Option<String>,
}

impl Storage {
    /// A client for the configured bucket; nothing is sent until a request is made.
    pub fn new(settings: &StorageSettings) -> anyhow::Result<Self> {
        let endpoint: Url = settings.endpoint.parse().with_context(|| {
            format!("the storage endpoint {:?} is not a URL", settings.endpoint)
        })?;
        let style = if settings.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket = Bucket::new(
            endpoint,
            style,
            settings.bucket.clone(),
            settings.region.clone(),
        )
        .with_context(|| format!("the bucket {:?} cannot be addressed", settings.bucket))?;
        let credentials = Credentials::new(
            settings.access_key_id.clone(),
            settings.secret_access_key.expose_secret(),
        );
        // reqwest is built without a TLS crypto provider of its own; ring is the one sqlx
        // already uses. An error only means a provider was installed before, which is fine.
        // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
        // the alternative, aws-lc-rs, needs a C toolchain and cmake to build.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .context("could not build the HTTP client for the storage")?;
        Ok(Self {
            bucket,
            credentials,
            client,
        })
    }

    /// A `PUT` of exactly `size` bytes of `content_type` to `key`, valid for `expires_in`
    /// from `now`.
    ///
    /// S3 has two ways to bound an upload's size: a presigned POST whose policy carries a
    /// `content-length-range`, or a presigned PUT that signs the `content-length` header.
    /// rusty-s3 makes the second, which is stricter: the client declares the size up front
    /// and the bucket refuses any other (browsers set `content-length` from the body).
    pub fn presign_upload(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        expires_in: Duration,
        now: OffsetDateTime,
    ) -> PresignedRequest {
        let headers = BTreeMap::from([
            ("content-length", size.to_string()),
            ("content-type", content_type.to_owned()),
        ]);
        let mut action = PutObject::new(&self.bucket, Some(&self.credentials), key);
        for (name, value) in &headers {
            action.headers_mut().insert(*name, value.as_str());
        }
        let url = action.sign_with_time(expires_in, &signing_time(now));
        PresignedRequest {
            method: "PUT",
            url: url.into(),
            headers,
            expires_at: now + expires_in,
        }
    }

    /// A `GET` of `key`, valid for `expires_in` from `now`.
    pub fn presign_download(
        &self,
        key: &str,
        expires_in: Duration,
        now: OffsetDateTime,
    ) -> PresignedRequest {
        let url = GetObject::new(&self.bucket, Some(&self.credentials), key)
            .sign_with_time(expires_in, &signing_time(now));
        PresignedRequest {
            method: "GET",
            url: url.into(),
            headers: BTreeMap::new(),
            expires_at: now + expires_in,
        }
    }

    /// The object's size and content type, or `None` when there is no such object.
    pub async fn head(&self, key: &str) -> anyhow::Result<Option<ObjectInfo>> {
        let url =
            HeadObject::new(&self.bucket, Some(&self.credentials), key).sign(SERVER_REQUEST_EXPIRY);
        let response = self
            .client
            .head(url)
            .send()
            .await
            .context("could not reach the storage")?;
        match response.status() {
            StatusCode::NOT_FOUND => return Ok(None),
            status if !status.is_success() => {
                bail!("the storage answered HEAD of an object with status {status}")
            }
            _ => {}
        }
        let headers = response.headers();
        let size = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse().ok())
            .context("the storage answered HEAD without a content-length")?;
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        Ok(Some(ObjectInfo { size, content_type }))
    }

    /// Stores `body` as the object `key` of `content_type`, replacing any object there: for
    /// files the server writes itself, such as generated reports.
    pub async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> anyhow::Result<()> {
        let mut action = PutObject::new(&self.bucket, Some(&self.credentials), key);
        action.headers_mut().insert("content-type", content_type);
        let url = action.sign(SERVER_REQUEST_EXPIRY);
        let response = self
            .client
            .put(url)
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .context("could not reach the storage")?;
        let status = response.status();
        if !status.is_success() {
            bail!("the storage answered PUT of an object with status {status}");
        }
        Ok(())
    }

    /// Deletes the object; deleting one that does not exist succeeds.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let url = DeleteObject::new(&self.bucket, Some(&self.credentials), key)
            .sign(SERVER_REQUEST_EXPIRY);
        let response = self
            .client
            .delete(url)
            .send()
            .await
            .context("could not reach the storage")?;
        let status = response.status();
        if status.is_success() || status == StatusCode::NOT_FOUND {
            Ok(())
        } else {
            bail!("the storage answered DELETE of an object with status {status}")
        }
    }
}

/// `now` as the timestamp type rusty-s3 signs with.
fn signing_time(now: OffsetDateTime) -> jiff::Timestamp {
    jiff::Timestamp::from_nanosecond(now.unix_timestamp_nanos())
        .expect("jiff and time cover the same years")
}

#[cfg(test)]
mod tests {
    use time::format_description::well_known::Rfc3339;

    use super::*;

    /// The credentials of the examples in AWS's Signature Version 4 documentation.
    const ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    /// The bucket of the examples, on AWS.
    fn aws_settings() -> StorageSettings {
        StorageSettings {
            endpoint: "https://s3.amazonaws.com".to_owned(),
            region: "us-east-1".to_owned(),
            bucket: "examplebucket".to_owned(),
            path_style: false,
            access_key_id: ACCESS_KEY_ID.to_owned(),
            secret_access_key: SECRET_ACCESS_KEY.into(),
        }
    }

    fn aws_example_bucket() -> Storage {
        Storage::new(&aws_settings()).expect("the example bucket is valid")
    }

    fn may_24_2013() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_369_353_600).unwrap()
    }

    fn query(request: &PresignedRequest) -> BTreeMap<String, String> {
        let url: Url = request.url.parse().unwrap();
        url.query_pairs().into_owned().collect()
    }

    /// "Example: Presigned URL" of "Authenticating Requests: Using Query Parameters (AWS
    /// Signature Version 4)" in the Amazon S3 API reference.
    #[test]
    fn a_download_url_matches_the_aws_documentation_example() {
        let request = aws_example_bucket().presign_download(
            "test.txt",
            Duration::from_secs(86_400),
            may_24_2013(),
        );

        assert_eq!(
            request.url,
            "https://examplebucket.s3.amazonaws.com/test.txt\
             ?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20130524T000000Z\
             &X-Amz-Expires=86400\
             &X-Amz-SignedHeaders=host\
             &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        );
        assert_eq!(request.method, "GET");
        assert!(request.headers.is_empty());
        assert_eq!(
            request.expires_at.format(&Rfc3339).unwrap(),
            "2013-05-25T00:00:00Z"
        );
    }

    #[test]
    fn an_upload_url_signs_the_content_type_and_the_exact_length() {
        let request = aws_example_bucket().presign_upload(
            "users/1/2/cat.png",
            "image/png",
            1234,
            Duration::from_secs(900),
            may_24_2013(),
        );

        assert_eq!(request.method, "PUT");
        assert!(
            request
                .url
                .starts_with("https://examplebucket.s3.amazonaws.com/users/1/2/cat.png?"),
            "{}",
            request.url
        );
        let query = query(&request);
        assert_eq!(
            query["X-Amz-SignedHeaders"],
            "content-length;content-type;host"
        );
        assert_eq!(query["X-Amz-Expires"], "900");
        assert_eq!(query["X-Amz-Signature"].len(), 64);
        assert_eq!(
            request.headers,
            BTreeMap::from([
                ("content-length", "1234".to_owned()),
                ("content-type", "image/png".to_owned()),
            ])
        );
        assert_eq!(
            request.expires_at.format(&Rfc3339).unwrap(),
            "2013-05-24T00:15:00Z"
        );
    }

    #[test]
    fn the_signature_changes_with_every_signed_value() {
        let storage = aws_example_bucket();
        let upload = |content_type: &str, size: u64| {
            query(&storage.presign_upload(
                "a.png",
                content_type,
                size,
                Duration::from_secs(900),
                may_24_2013(),
            ))["X-Amz-Signature"]
                .clone()
        };

        let signature = upload("image/png", 10);

        assert_eq!(signature, upload("image/png", 10), "deterministic");
        assert_ne!(signature, upload("image/png", 11));
        assert_ne!(signature, upload("image/jpeg", 10));
    }

    #[test]
    fn path_style_puts_the_bucket_in_the_path() {
        let storage = Storage::new(&StorageSettings {
            endpoint: "http://localhost:9000".to_owned(),
            path_style: true,
            ..aws_settings()
        })
        .unwrap();

        let request = storage.presign_download("a b.txt", Duration::from_secs(60), may_24_2013());

        assert!(
            request
                .url
                .starts_with("http://localhost:9000/examplebucket/a%20b.txt?"),
            "{}",
            request.url
        );
    }

    #[test]
    fn an_endpoint_that_is_not_a_url_is_refused() {
        let error = Storage::new(&StorageSettings {
            endpoint: "s3.example.com".to_owned(),
            ..aws_settings()
        })
        .unwrap_err();

        assert!(error.to_string().contains("s3.example.com"), "{error}");
    }
}
