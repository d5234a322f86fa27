//! How the uploads tests point the S3 provider at a bucket.

/// The region the provider signs for when none is configured.
pub const REGION: &str = "us-east-1";

/// Variables that make the application use `bucket` at `endpoint`, addressed in the path.
pub fn bucket_env(endpoint: &str, bucket: &str) -> Vec<(&'static str, String)> {
    vec![
        ("S3_ENDPOINT", endpoint.to_owned()),
        ("S3_PATH_STYLE", "true".to_owned()),
        ("S3_BUCKET", bucket.to_owned()),
    ]
}

/// Variables that make the application sign with these credentials.
pub fn credentials_env(access_key_id: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("S3_ACCESS_KEY_ID", access_key_id.to_owned()),
        ("S3_SECRET_ACCESS_KEY", secret.to_owned()),
    ]
}
