//! Object storage settings for S3 or an S3-compatible server.

use secrecy::SecretString;

use super::env::Env;

/// Where the uploads bucket is, and the credentials that sign requests to it.
#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// Root of the S3 API, such as `https://s3.eu-west-1.amazonaws.com` or `http://localhost:9000`.
    pub endpoint: String,
    /// Region, part of every signature.
    pub region: String,
    /// Bucket name.
    pub bucket: String,
    /// Whether the bucket is addressed in the path rather than the host name.
    pub path_style: bool,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: SecretString,
}

impl StorageSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        let region = env
            .optional("S3_REGION")
            .unwrap_or_else(|| "us-east-1".to_owned());
        Self {
            endpoint: env
                .optional("S3_ENDPOINT")
                .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com")),
            region,
            bucket: env.required("S3_BUCKET"),
            path_style: env.parsed("S3_PATH_STYLE", false),
            access_key_id: env.required("S3_ACCESS_KEY_ID"),
            secret_access_key: env.required("S3_SECRET_ACCESS_KEY").into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn load(vars: &[(&str, &str)]) -> (StorageSettings, Vec<String>) {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        let mut env = Env::new(|name| vars.get(name).map(|value| (*value).to_owned()));
        let settings = StorageSettings::from_env(&mut env);
        (settings, env.into_problems())
    }

    const CREDENTIALS: [(&str, &str); 3] = [
        ("S3_BUCKET", "uploads"),
        ("S3_ACCESS_KEY_ID", "key"),
        ("S3_SECRET_ACCESS_KEY", "secret"),
    ];

    #[test]
    fn without_an_endpoint_the_bucket_is_on_aws_in_its_region() {
        let (settings, problems) =
            load(&[CREDENTIALS.as_slice(), &[("S3_REGION", "eu-west-1")]].concat());

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(settings.endpoint, "https://s3.eu-west-1.amazonaws.com");
        assert_eq!(settings.region, "eu-west-1");
        assert!(!settings.path_style);
    }

    #[test]
    fn an_s3_compatible_server_gets_its_endpoint_and_path_style() {
        let vars = [
            CREDENTIALS.as_slice(),
            &[
                ("S3_ENDPOINT", "http://localhost:9000"),
                ("S3_PATH_STYLE", "true"),
            ],
        ]
        .concat();

        let (settings, problems) = load(&vars);

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(settings.endpoint, "http://localhost:9000");
        assert_eq!(settings.region, "us-east-1");
        assert!(settings.path_style);
    }

    #[test]
    fn the_bucket_and_credentials_are_required() {
        let (_, problems) = load(&[]);

        assert_eq!(
            problems,
            [
                "S3_BUCKET is required but not set",
                "S3_ACCESS_KEY_ID is required but not set",
                "S3_SECRET_ACCESS_KEY is required but not set",
            ]
        );
    }
}
