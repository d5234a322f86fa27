//! Authentication settings for Supabase Auth.

use jsonwebtoken::Algorithm;
use secrecy::SecretString;

use super::env::Env;
use crate::auth::{JwksLocation, Policy};

/// The `aud` of a signed-in user's token. The anon and service-role keys carry none,
/// so requiring it keeps those keys from passing for a user.
const AUDIENCE: &str = "authenticated";

/// How to verify the access tokens of a Supabase project.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Project URL, such as `https://abcdefgh.supabase.co`, without a trailing slash.
    pub project_url: String,
    /// Legacy JWT secret for HS256 tokens; `None` once the project uses signing keys only.
    pub jwt_secret: Option<SecretString>,
    /// Dotted path of the role claim: `app_metadata` is writable only by the server.
    pub role_claim: String,
    /// Role value that grants the admin routes.
    pub admin_role: String,
    /// Shared secret of the `auth.users` database webhook; `None` refuses its deliveries.
    pub webhook_secret: Option<SecretString>,
}

impl AuthSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            project_url: env
                .required("SUPABASE_URL")
                .trim_end_matches('/')
                .to_owned(),
            jwt_secret: env.optional("SUPABASE_JWT_SECRET").map(SecretString::from),
            role_claim: env
                .optional("SUPABASE_ROLE_CLAIM")
                .unwrap_or_else(|| "app_metadata.role".to_owned()),
            admin_role: env
                .optional("AUTH_ADMIN_ROLE")
                .unwrap_or_else(|| "admin".to_owned()),
            webhook_secret: env
                .optional("SUPABASE_WEBHOOK_SECRET")
                .map(SecretString::from),
        }
    }

    /// Tokens issued by the project's Auth server to signed-in users, signed with one of
    /// the project's signing keys (ES256 or RS256, from its JWKS) or, for projects that
    /// have not migrated yet, with the legacy secret (HS256).
    pub fn policy(&self) -> Policy {
        let issuer = format!("{}/auth/v1", self.project_url);
        Policy {
            jwks: JwksLocation::Url(format!("{issuer}/.well-known/jwks.json")),
            issuer,
            audience: Some(AUDIENCE.to_owned()),
            algorithms: vec![Algorithm::ES256, Algorithm::RS256],
            hmac_secret: self.jwt_secret.clone(),
            authorized_parties: Vec::new(),
            role_claim: self.role_claim.clone(),
            name_claim: "user_metadata.full_name",
            admin_role: self.admin_role.clone(),
        }
    }
}
