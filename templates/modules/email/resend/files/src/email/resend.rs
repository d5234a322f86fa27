//! Sending through Resend's HTTP API: one `POST /emails` per email.

use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::{Email, EmailError, EmailSender, SendFuture};
use crate::config::EmailSettings;

const PROVIDER: &str = "Resend";
/// Resend answers within a second or two; a hung connection must not hold a request (or
/// a job) for longer than this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends email through Resend.
#[derive(Debug, Clone)]
pub struct ResendSender {
    client: reqwest::Client,
    endpoint: String,
    api_key: SecretString,
    from: String,
}

impl ResendSender {
    /// A sender for the configured account; nothing is sent until [`EmailSender::send`].
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        // reqwest is built without a TLS crypto provider of its own; ring is the one sqlx
        // already uses. An error only means a provider was installed before, which is fine.
        // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
        // the alternative, aws-lc-rs, needs a C toolchain and cmake to build.
        #[allow(deprecated)]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .context("could not build the HTTP client for Resend")?;
        Ok(Self {
            client,
            endpoint: format!("{}/emails", settings.base_url.trim_end_matches('/')),
            api_key: settings.api_key.clone(),
            from: settings.from.clone(),
        })
    }

    async fn deliver(&self, email: &Email) -> Result<(), EmailError> {
        let body = SendEmail {
            from: &self.from,
            to: [&email.to],
            subject: &email.subject,
            html: &email.html,
            text: &email.text,
        };
        let response = self
            .client
            .post(&self.endpoint)
            .bearer_auth(self.api_key.expose_secret())
            .json(&body)
            .send()
            .await
            .map_err(failed)?;

        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // Resend explains errors in a small JSON object; keep it whole for the logs.
        let message = response.text().await.map_err(failed)?;
        Err(EmailError::Rejected {
            provider: PROVIDER,
            status: status.as_u16(),
            message: message.trim().to_owned(),
        })
    }
}

impl EmailSender for ResendSender {
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(self.deliver(email))
    }
}

/// The body of `POST /emails`.
#[derive(Serialize)]
struct SendEmail<'a> {
    from: &'a str,
    to: [&'a str; 1],
    subject: &'a str,
    html: &'a str,
    text: &'a str,
}

fn failed(error: reqwest::Error) -> EmailError {
    EmailError::Failed {
        provider: PROVIDER,
        source: error.into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wiremock::matchers::{body_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    const API_KEY: &str = "re_test_key";

    fn sender(base_url: &str) -> ResendSender {
        ResendSender::new(&EmailSettings {
            from: "Acme <hello@acme.test>".to_owned(),
            api_key: API_KEY.into(),
            base_url: base_url.to_owned(),
        })
        .expect("the client builds")
    }

    fn email() -> Email {
        Email {
            to: "ada@example.com".to_owned(),
            subject: "Welcome, Ada".to_owned(),
            html: "<p>Hello, Ada</p>".to_owned(),
            text: "Hello, Ada".to_owned(),
        }
    }

    /// A fake Resend that answers every request with `response`.
    async fn resend_answering(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn an_email_is_posted_to_the_emails_endpoint_with_the_key_as_bearer_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/emails"))
            .and(header("authorization", "Bearer re_test_key"))
            .and(header("content-type", "application/json"))
            .and(body_json(json!({
                "from": "Acme <hello@acme.test>",
                "to": ["ada@example.com"],
                "subject": "Welcome, Ada",
                "html": "<p>Hello, Ada</p>",
                "text": "Hello, Ada",
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "49a3999c"})))
            .expect(1)
            .mount(&server)
            .await;

        sender(&server.uri()).send(&email()).await.unwrap();
    }

    #[tokio::test]
    async fn a_client_error_is_a_rejection_with_resends_status_and_explanation() {
        let server = resend_answering(ResponseTemplate::new(422).set_body_json(json!({
            "statusCode": 422,
            "name": "validation_error",
            "message": "Invalid `to` field.",
        })))
        .await;

        let error = sender(&server.uri()).send(&email()).await.unwrap_err();

        let EmailError::Rejected {
            provider,
            status,
            message,
        } = &error
        else {
            panic!("expected a rejection, got {error:?}");
        };
        assert_eq!((*provider, *status), ("Resend", 422));
        assert!(message.contains("Invalid `to` field."), "{message}");
    }

    #[tokio::test]
    async fn a_server_error_is_a_rejection_too() {
        let server = resend_answering(ResponseTemplate::new(503)).await;

        let error = sender(&server.uri()).send(&email()).await.unwrap_err();

        assert!(
            matches!(
                error,
                EmailError::Rejected {
                    provider: "Resend",
                    status: 503,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn errors_name_resend_and_the_status_but_never_the_api_key() {
        let server = resend_answering(ResponseTemplate::new(401)).await;

        let error = sender(&server.uri()).send(&email()).await.unwrap_err();

        let shown = format!("{error} / {error:?}");
        assert!(
            shown.contains("Resend rejected the email with status 401"),
            "{shown}"
        );
        assert!(!shown.contains(API_KEY), "{shown}");
    }

    #[tokio::test]
    async fn an_unreachable_api_is_a_failure_naming_resend() {
        // Port 9 (discard) is closed on test machines: the connection is refused.
        let error = sender("http://127.0.0.1:9")
            .send(&email())
            .await
            .unwrap_err();

        assert!(
            matches!(
                error,
                EmailError::Failed {
                    provider: "Resend",
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "could not send the email through Resend");
    }
}
