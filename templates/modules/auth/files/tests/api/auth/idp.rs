//! A fake identity provider on a local port, and the application configured to trust it.

use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::keys::{EC_KID, RSA_KID, jwks, sign};
use super::provider;
use crate::helpers::{TestApp, spawn_app_with};

/// A wiremock server standing in for the provider's discovery document and JWKS.
pub struct FakeIdp {
    pub server: MockServer,
}

impl FakeIdp {
    pub async fn start() -> Self {
        Self {
            server: MockServer::start().await,
        }
    }

    /// Base URL, such as `http://127.0.0.1:41234`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Serves `body` as JSON to `GET <path>`.
    pub async fn serve(&self, at: &str, body: Value) {
        Mock::given(method("GET"))
            .and(path(at))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&self.server)
            .await;
    }

    /// Serves the test keys' JWKS at `at`.
    pub async fn serve_jwks(&self, at: &str) {
        self.serve(at, jwks()).await;
    }

    /// How many requests reached `at` so far.
    pub async fn requests_to(&self, at: &str) -> usize {
        let requests = self.server.received_requests().await.unwrap_or_default();
        requests.iter().filter(|r| r.url.path() == at).count()
    }
}

/// The application configured for the project's provider, and the provider it trusts.
pub struct AuthApp {
    pub app: TestApp,
    pub idp: FakeIdp,
}

impl AuthApp {
    /// Starts a fake provider publishing the test keys, and the application trusting it.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Like [`AuthApp::spawn`], with some variables of the configuration replaced.
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        let idp = FakeIdp::start().await;
        provider::mount(&idp).await;
        Self::spawn_against(idp, overrides).await
    }

    /// The application trusting `idp`, whose mocks the caller mounted.
    pub async fn spawn_against(idp: FakeIdp, overrides: &[(&str, &str)]) -> Self {
        let mut vars = provider::env(&idp);
        vars.extend(overrides.iter().map(|(k, v)| (*k, v.to_string())));
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let app = spawn_app_with(&vars).await;
        Self { app, idp }
    }

    /// Claims of a valid token for `subject`, as the provider issues them.
    pub fn claims(&self, subject: &str) -> Value {
        provider::claims(&self.idp, subject)
    }

    /// Claims of a valid token for `subject` with the admin role.
    pub fn admin_claims(&self, subject: &str) -> Value {
        let mut claims = self.claims(subject);
        provider::set_role(&mut claims, "admin");
        claims
    }

    /// `claims` signed the way the provider signs, with a key of its JWKS.
    pub fn token(&self, claims: &Value) -> String {
        signed(claims)
    }

    /// A valid token for a fresh subject.
    pub fn valid_token(&self) -> String {
        self.token(&self.claims(&unique_subject()))
    }

    /// `GET <path>` with `Authorization: Bearer <token>`.
    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.app
            .client
            .get(format!("{}{path}", self.app.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request failed")
    }

    /// How many times the application fetched the provider's keys.
    pub async fn jwks_fetches(&self) -> usize {
        self.idp.requests_to(provider::JWKS_PATH).await
    }
}

/// `claims` signed the way the provider signs, with a key of its JWKS.
pub fn signed(claims: &Value) -> String {
    let kid = match provider::ALGORITHM.family() {
        AlgorithmFamily::Ec => EC_KID,
        _ => RSA_KID,
    };
    sign(claims, provider::ALGORITHM, kid)
}

/// A subject no other test uses, since Redis is shared between tests.
pub fn unique_subject() -> String {
    format!("user_{}", uuid::Uuid::new_v4().simple())
}

/// Asserts a 401 for a bad token that names no reason, in the envelope.
pub async fn assert_rejected(response: reqwest::Response) {
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer error="invalid_token""#
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    assert_eq!(
        body["error"]["message"], "invalid or expired token",
        "{body}"
    );
}

/// The algorithm a different family than the provider's own would use.
pub fn other_family(alg: Algorithm) -> (Algorithm, &'static str) {
    match alg.family() {
        AlgorithmFamily::Ec => (Algorithm::RS256, RSA_KID),
        _ => (Algorithm::ES256, EC_KID),
    }
}

/// Replaces `claims[key]` with `value`.
pub fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}
