//! How the uploads tests point the R2 provider at a bucket.

/// R2 signs for the region `auto`.
pub const REGION: &str = "auto";

/// Variables that make the application use `bucket` at `endpoint` instead of R2.
pub fn bucket_env(endpoint: &str, bucket: &str) -> Vec<(&'static str, String)> {
    vec![
        ("R2_ENDPOINT", endpoint.to_owned()),
        ("R2_BUCKET", bucket.to_owned()),
    ]
}

/// Variables that make the application sign with these credentials.
pub fn credentials_env(access_key_id: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("R2_ACCESS_KEY_ID", access_key_id.to_owned()),
        ("R2_SECRET_ACCESS_KEY", secret.to_owned()),
    ]
}
