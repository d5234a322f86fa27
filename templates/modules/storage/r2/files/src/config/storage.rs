//! Object storage settings for Cloudflare R2.

use secrecy::SecretString;

use super::env::Env;

/// Where the uploads bucket is, and the credentials that sign requests to it.
#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// Root of the S3 API: `https://<account id>.r2.cloudflarestorage.com`.
    pub endpoint: String,
    /// Always `auto`: R2 has no regions to sign for.
    pub region: String,
    /// Bucket name.
    pub bucket: String,
    /// Always true: R2 is addressed as `endpoint/bucket/key`.
    pub path_style: bool,
    /// Access key id of an R2 API token.
    pub access_key_id: String,
    /// Secret access key of that token.
    pub secret_access_key: SecretString,
}

impl StorageSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        let account_id = env.required("R2_ACCOUNT_ID");
        Self {
            endpoint: env
                .optional("R2_ENDPOINT")
                .unwrap_or_else(|| format!("https://{account_id}.r2.cloudflarestorage.com")),
            region: "auto".to_owned(),
            bucket: env.required("R2_BUCKET"),
            path_style: true,
            access_key_id: env.required("R2_ACCESS_KEY_ID"),
            secret_access_key: env.required("R2_SECRET_ACCESS_KEY").into(),
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

    const ACCOUNT: [(&str, &str); 4] = [
        ("R2_ACCOUNT_ID", "0123abcd"),
        ("R2_BUCKET", "uploads"),
        ("R2_ACCESS_KEY_ID", "key"),
        ("R2_SECRET_ACCESS_KEY", "secret"),
    ];

    #[test]
    fn the_endpoint_comes_from_the_account_id_with_region_auto_and_path_style() {
        let (settings, problems) = load(&ACCOUNT);

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            settings.endpoint,
            "https://0123abcd.r2.cloudflarestorage.com"
        );
        assert_eq!(settings.region, "auto");
        assert!(settings.path_style);
    }

    #[test]
    fn an_explicit_endpoint_wins_for_other_jurisdictions() {
        let vars = [
            ACCOUNT.as_slice(),
            &[(
                "R2_ENDPOINT",
                "https://0123abcd.eu.r2.cloudflarestorage.com",
            )],
        ]
        .concat();

        let (settings, _) = load(&vars);

        assert_eq!(
            settings.endpoint,
            "https://0123abcd.eu.r2.cloudflarestorage.com"
        );
    }

    #[test]
    fn the_account_bucket_and_credentials_are_required() {
        let (_, problems) = load(&[]);

        assert_eq!(
            problems,
            [
                "R2_ACCOUNT_ID is required but not set",
                "R2_BUCKET is required but not set",
                "R2_ACCESS_KEY_ID is required but not set",
                "R2_SECRET_ACCESS_KEY is required but not set",
            ]
        );
    }
}
