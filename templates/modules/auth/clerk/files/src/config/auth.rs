//! Authentication settings for Clerk.

use jsonwebtoken::Algorithm;
use secrecy::SecretString;

use super::env::Env;
use crate::auth::{JwksLocation, Policy};

/// How to verify Clerk session tokens.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The instance's Frontend API URL, which is the tokens' issuer, such as
    /// `https://clerk.example.com`, without a trailing slash.
    pub frontend_api_url: String,
    /// Origins allowed in the `azp` claim; empty skips the check.
    pub authorized_parties: Vec<String>,
    /// Dotted path of the role claim, added to the session token in Clerk's dashboard.
    pub role_claim: String,
    /// Role value that grants the admin routes.
    pub admin_role: String,
    /// Signing secret of the user webhook (`whsec_...`); `None` refuses its deliveries.
    pub webhook_secret: Option<SecretString>,
}

impl AuthSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            frontend_api_url: env
                .required("CLERK_FRONTEND_API_URL")
                .trim_end_matches('/')
                .to_owned(),
            authorized_parties: env
                .optional("CLERK_AUTHORIZED_PARTIES")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|party| !party.is_empty())
                .map(str::to_owned)
                .collect(),
            role_claim: env
                .optional("CLERK_ROLE_CLAIM")
                .unwrap_or_else(|| "metadata.role".to_owned()),
            admin_role: env
                .optional("AUTH_ADMIN_ROLE")
                .unwrap_or_else(|| "admin".to_owned()),
            webhook_secret: env.optional("CLERK_WEBHOOK_SECRET").map(SecretString::from),
        }
    }

    /// RS256 session tokens issued by the Frontend API and signed with a key from its
    /// JWKS, requested by one of the authorized parties (the `azp` claim names the origin
    /// of the page that asked for the token).
    pub fn policy(&self) -> Policy {
        Policy {
            issuer: self.frontend_api_url.clone(),
            audience: None,
            algorithms: vec![Algorithm::RS256],
            hmac_secret: None,
            jwks: JwksLocation::Url(format!("{}/.well-known/jwks.json", self.frontend_api_url)),
            authorized_parties: self.authorized_parties.clone(),
            role_claim: self.role_claim.clone(),
            name_claim: "name",
            admin_role: self.admin_role.clone(),
        }
    }
}
