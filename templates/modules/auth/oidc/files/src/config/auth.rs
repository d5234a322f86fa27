//! Authentication settings for any OpenID Connect provider (Auth0, Keycloak, Cognito,
//! WorkOS, Okta, Zitadel, ...).
//!
//! OpenID Connect defines no webhook for user changes, so unlike Clerk and Supabase there
//! is none here: a user's row follows their tokens, on their next request.

use jsonwebtoken::Algorithm;

use super::env::Env;
use crate::auth::{JwksLocation, Policy};

/// How to verify access tokens of an OpenID Connect provider.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The issuer exactly as it appears in the `iss` claim (Auth0's ends with `/`).
    pub issuer_url: String,
    /// Required `aud`, such as an Auth0 API identifier; `None` skips the check.
    pub audience: Option<String>,
    /// Dotted path of the role claim, such as `realm_access.roles` for Keycloak.
    pub role_claim: String,
    /// Role value that grants the admin routes.
    pub admin_role: String,
}

impl AuthSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            issuer_url: env.required("OIDC_ISSUER_URL"),
            audience: env.optional("OIDC_AUDIENCE"),
            role_claim: env
                .optional("OIDC_ROLE_CLAIM")
                .unwrap_or_else(|| "role".to_owned()),
            admin_role: env
                .optional("AUTH_ADMIN_ROLE")
                .unwrap_or_else(|| "admin".to_owned()),
        }
    }

    /// Tokens from the issuer, signed with an asymmetric key from the JWKS its discovery
    /// document points to, and meant for this API when an audience is configured.
    pub fn policy(&self) -> Policy {
        Policy {
            issuer: self.issuer_url.clone(),
            audience: self.audience.clone(),
            algorithms: vec![
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
                Algorithm::ES256,
                Algorithm::ES384,
                Algorithm::EdDSA,
            ],
            hmac_secret: None,
            jwks: JwksLocation::Discovery,
            authorized_parties: Vec::new(),
            role_claim: self.role_claim.clone(),
            name_claim: "name",
            admin_role: self.admin_role.clone(),
        }
    }
}
