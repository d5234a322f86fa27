//! What a token must satisfy to be accepted, as each provider's settings describe it.

use jsonwebtoken::Algorithm;
use secrecy::SecretString;

/// Where the provider publishes the public keys its tokens are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksLocation {
    /// A JWKS URL known in advance.
    Url(String),
    /// The `jwks_uri` of the issuer's OpenID Connect discovery document,
    /// `<issuer>/.well-known/openid-configuration`.
    Discovery,
}

/// The rules every token is checked against, built by `AuthSettings::policy`.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Required `iss`, compared exactly.
    pub issuer: String,
    /// Required `aud`, when the provider sets one.
    pub audience: Option<String>,
    /// Asymmetric algorithms accepted for keys from the JWKS (never HS*, never `none`).
    pub algorithms: Vec<Algorithm>,
    /// Shared secret of HS256 tokens, for providers that still issue them.
    pub hmac_secret: Option<SecretString>,
    /// Where the signing keys are published.
    pub jwks: JwksLocation,
    /// When not empty, the `azp` claim must be present and one of these.
    pub authorized_parties: Vec<String>,
    /// Dotted path of the claim holding the user's role, such as `app_metadata.role`.
    pub role_claim: String,
    /// Dotted path of the claim holding the user's display name.
    pub name_claim: &'static str,
    /// Role value that grants the admin routes.
    pub admin_role: String,
}
