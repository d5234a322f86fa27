//! Sending through SendGrid's v3 Mail Send API: one `POST /v3/mail/send` per email.

use std::time::Duration;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use super::{Email, EmailError, EmailSender, SendFuture};
use crate::config::EmailSettings;

const PROVIDER: &str = "SendGrid";
/// SendGrid answers within a second or two; a hung connection must not hold a request
/// (or a job) for longer than this.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends email through SendGrid.
#[derive(Debug, Clone)]
pub struct SendGridSender {
    client: reqwest::Client,
    endpoint: String,
    api_key: SecretString,
    from: Address,
}

impl SendGridSender {
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
            .context("could not build the HTTP client for SendGrid")?;
        Ok(Self {
            client,
            endpoint: format!("{}/v3/mail/send", settings.base_url.trim_end_matches('/')),
            api_key: settings.api_key.clone(),
            from: Address::parse(&settings.from),
        })
    }

    async fn deliver(&self, email: &Email) -> Result<(), EmailError> {
        let body = MailSend {
            personalizations: [Personalization {
                to: [Address::parse(&email.to)],
            }],
            from: &self.from,
            subject: &email.subject,
            // SendGrid wants the parts from the simplest to the richest.
            content: [
                Content {
                    kind: "text/plain",
                    value: &email.text,
                },
                Content {
                    kind: "text/html",
                    value: &email.html,
                },
            ],
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
        // SendGrid lists what is wrong as `{"errors": [{"message", "field"}]}`; keep it whole.
        let message = response.text().await.map_err(failed)?;
        Err(EmailError::Rejected {
            provider: PROVIDER,
            status: status.as_u16(),
            message: message.trim().to_owned(),
        })
    }
}

impl EmailSender for SendGridSender {
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(self.deliver(email))
    }
}

/// The body of `POST /v3/mail/send`.
#[derive(Serialize)]
struct MailSend<'a> {
    personalizations: [Personalization; 1],
    from: &'a Address,
    subject: &'a str,
    content: [Content<'a>; 2],
}

#[derive(Serialize)]
struct Personalization {
    to: [Address; 1],
}

#[derive(Serialize)]
struct Content<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
}

/// An address as SendGrid takes it: `{"email": .., "name": ..}` rather than a mailbox
/// string such as `Acme <hello@acme.test>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Address {
    email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl Address {
    /// Splits `Name <address>` (the name may be quoted); anything else is a bare address.
    fn parse(mailbox: &str) -> Self {
        let mailbox = mailbox.trim();
        match mailbox
            .strip_suffix('>')
            .and_then(|rest| rest.rsplit_once('<'))
        {
            Some((name, email)) => {
                let name = name.trim().trim_matches('"').trim();
                Self {
                    email: email.trim().to_owned(),
                    name: (!name.is_empty()).then(|| name.to_owned()),
                }
            }
            None => Self {
                email: mailbox.to_owned(),
                name: None,
            },
        }
    }
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

    const API_KEY: &str = "SG.test_key";

    fn sender(base_url: &str) -> SendGridSender {
        SendGridSender::new(&EmailSettings {
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

    /// A fake SendGrid that answers every request with `response`.
    async fn sendgrid_answering(response: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn an_email_is_posted_to_mail_send_with_the_key_as_bearer_token() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v3/mail/send"))
            .and(header("authorization", "Bearer SG.test_key"))
            .and(header("content-type", "application/json"))
            .and(body_json(json!({
                "personalizations": [{"to": [{"email": "ada@example.com"}]}],
                "from": {"email": "hello@acme.test", "name": "Acme"},
                "subject": "Welcome, Ada",
                "content": [
                    {"type": "text/plain", "value": "Hello, Ada"},
                    {"type": "text/html", "value": "<p>Hello, Ada</p>"},
                ],
            })))
            .respond_with(ResponseTemplate::new(202))
            .expect(1)
            .mount(&server)
            .await;

        sender(&server.uri()).send(&email()).await.unwrap();
    }

    #[tokio::test]
    async fn a_client_error_is_a_rejection_with_sendgrids_status_and_explanation() {
        let server = sendgrid_answering(ResponseTemplate::new(400).set_body_json(json!({
            "errors": [{
                "message": "The from address does not match a verified Sender Identity.",
                "field": "from",
            }],
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
        assert_eq!((*provider, *status), ("SendGrid", 400));
        assert!(message.contains("verified Sender Identity"), "{message}");
    }

    #[tokio::test]
    async fn a_server_error_is_a_rejection_too() {
        let server = sendgrid_answering(ResponseTemplate::new(500)).await;

        let error = sender(&server.uri()).send(&email()).await.unwrap_err();

        assert!(
            matches!(
                error,
                EmailError::Rejected {
                    provider: "SendGrid",
                    status: 500,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn errors_name_sendgrid_and_the_status_but_never_the_api_key() {
        let server = sendgrid_answering(ResponseTemplate::new(401)).await;

        let error = sender(&server.uri()).send(&email()).await.unwrap_err();

        let shown = format!("{error} / {error:?}");
        assert!(
            shown.contains("SendGrid rejected the email with status 401"),
            "{shown}"
        );
        assert!(!shown.contains(API_KEY), "{shown}");
    }

    #[tokio::test]
    async fn an_unreachable_api_is_a_failure_naming_sendgrid() {
        // Port 9 (discard) is closed on test machines: the connection is refused.
        let error = sender("http://127.0.0.1:9")
            .send(&email())
            .await
            .unwrap_err();

        assert!(
            matches!(
                error,
                EmailError::Failed {
                    provider: "SendGrid",
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "could not send the email through SendGrid"
        );
    }

    #[test]
    fn a_named_mailbox_is_split_into_name_and_address() {
        let address = Address::parse(r#" "Acme Support" <support@acme.test> "#);

        assert_eq!(
            address,
            Address {
                email: "support@acme.test".to_owned(),
                name: Some("Acme Support".to_owned()),
            }
        );
    }

    #[test]
    fn a_bare_address_has_no_name() {
        assert_eq!(
            Address::parse("support@acme.test"),
            Address {
                email: "support@acme.test".to_owned(),
                name: None,
            }
        );
    }
}
