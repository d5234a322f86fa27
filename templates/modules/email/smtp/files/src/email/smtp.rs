//! Sending over SMTP with lettre: TLS (`smtps://`) or STARTTLS (`?tls=required`) through
//! rustls, with connections kept in a pool between emails.

use std::error::Error;
use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use super::{Email, EmailError, EmailSender, SendFuture};
use crate::config::EmailSettings;

const PROVIDER: &str = "SMTP";
/// Per SMTP command; lettre's default of a minute would hold a request (or a job) for
/// far too long when the server hangs.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Sends email through an SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// A sender for the configured server; it connects on the first send, so a server
    /// that is down does not stop the application from starting. Call it within the
    /// Tokio runtime: the connection pool starts a task that closes idle connections.
    pub fn new(settings: &EmailSettings) -> anyhow::Result<Self> {
        let from = settings
            .from
            .parse()
            .context("EMAIL_FROM is not a valid address")?;
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(settings.url.expose_secret())
                .context("SMTP_URL is not a valid SMTP URL")?
                .timeout(Some(TIMEOUT))
                .build();
        Ok(Self { transport, from })
    }

    async fn deliver(&self, email: &Email) -> Result<(), EmailError> {
        let message = self.message(email).map_err(|source| EmailError::Failed {
            provider: PROVIDER,
            source,
        })?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => Err(match error.status() {
                Some(code) => EmailError::Rejected {
                    provider: PROVIDER,
                    status: code.into(),
                    message: error.to_string(),
                },
                None => EmailError::Failed {
                    provider: PROVIDER,
                    source: error.into(),
                },
            }),
        }
    }

    /// The MIME message: `multipart/alternative` with the text part first, so clients
    /// that can show HTML pick the last part they understand.
    fn message(&self, email: &Email) -> Result<Message, Box<dyn Error + Send + Sync>> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(email.to.parse()?)
            .subject(&email.subject)
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))?;
        Ok(message)
    }
}

impl EmailSender for SmtpSender {
    fn send<'a>(&'a self, email: &'a Email) -> SendFuture<'a> {
        Box::pin(self.deliver(email))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    /// What a fake SMTP server was told: the commands, then the message after `DATA`.
    #[derive(Debug, Default)]
    struct Received {
        commands: Vec<String>,
        data: String,
    }

    /// Starts an SMTP server on a free port that accepts one connection, answers
    /// `RCPT TO` with `rcpt_reply` and records what it hears; returns its URL.
    ///
    /// Hand-written because the SMTP sinks on crates.io are blocking servers on threads
    /// of their own or whole mail servers, and these tests must need nothing outside
    /// the process. It speaks just enough SMTP for lettre: no extensions, so no TLS.
    async fn fake_smtp(rcpt_reply: &'static str) -> (String, Arc<Mutex<Received>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Received::default()));
        let record = Arc::clone(&received);
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (reader, mut writer) = stream.into_split();
            let mut lines = BufReader::new(reader).lines();
            writer.write_all(b"220 fake ESMTP\r\n").await.unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                let command = line.to_ascii_uppercase();
                let reply = if command.starts_with("RCPT") {
                    rcpt_reply
                } else if command == "DATA" {
                    writer.write_all(b"354 end with .\r\n").await.unwrap();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if line == "." {
                            break;
                        }
                        let mut received = record.lock().unwrap();
                        received.data.push_str(&line);
                        received.data.push('\n');
                    }
                    "250 queued"
                } else if command == "QUIT" {
                    "221 bye"
                } else {
                    "250 ok"
                };
                record.lock().unwrap().commands.push(line);
                writer
                    .write_all(format!("{reply}\r\n").as_bytes())
                    .await
                    .unwrap();
            }
        });
        (url, received)
    }

    fn sender(url: &str) -> SmtpSender {
        SmtpSender::new(&EmailSettings {
            from: "Acme <hello@acme.test>".to_owned(),
            url: url.into(),
        })
        .expect("valid settings")
    }

    fn email() -> Email {
        Email {
            to: "Ada <ada@example.com>".to_owned(),
            subject: "Welcome, Ada".to_owned(),
            html: "<p>Hello, Ada</p>".to_owned(),
            text: "Hello, Ada".to_owned(),
        }
    }

    #[tokio::test]
    async fn an_email_goes_from_the_sender_to_the_recipient_with_both_parts() {
        let (url, received) = fake_smtp("250 ok").await;

        sender(&url).send(&email()).await.unwrap();

        let received = received.lock().unwrap();
        let envelope: Vec<&str> = received
            .commands
            .iter()
            .map(String::as_str)
            .filter(|command| command.starts_with("MAIL") || command.starts_with("RCPT"))
            .collect();
        assert_eq!(
            envelope,
            ["MAIL FROM:<hello@acme.test>", "RCPT TO:<ada@example.com>"]
        );
        let data = &received.data;
        for expected in [
            "From: Acme <hello@acme.test>",
            "To: Ada <ada@example.com>",
            "Subject: Welcome, Ada",
            "Content-Type: multipart/alternative",
            "Content-Type: text/plain; charset=utf-8",
            "Hello, Ada",
            "Content-Type: text/html; charset=utf-8",
            "<p>Hello, Ada</p>",
        ] {
            assert!(data.contains(expected), "{expected:?} missing from\n{data}");
        }
        let text = data.find("text/plain").unwrap();
        assert!(text < data.find("text/html").unwrap(), "{data}");
    }

    #[tokio::test]
    async fn a_refused_recipient_is_a_rejection_with_the_smtp_reply_code() {
        let (url, _) = fake_smtp("550 5.1.1 no such user").await;

        let error = sender(&url).send(&email()).await.unwrap_err();

        let EmailError::Rejected {
            provider,
            status,
            message,
        } = &error
        else {
            panic!("expected a rejection, got {error:?}");
        };
        assert_eq!((*provider, *status), ("SMTP", 550));
        assert!(message.contains("no such user"), "{message}");
    }

    #[tokio::test]
    async fn a_malformed_recipient_fails_before_anything_is_sent() {
        // Nothing listens on port 9: reaching the network would fail differently.
        let email = Email {
            to: "not an address".to_owned(),
            ..email()
        };

        let error = sender("smtp://127.0.0.1:9").send(&email).await.unwrap_err();

        let EmailError::Failed { provider, source } = &error else {
            panic!("expected a failure, got {error:?}");
        };
        assert_eq!(*provider, "SMTP");
        assert!(source.is::<lettre::address::AddressError>(), "{source:?}");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_failure_naming_smtp() {
        let error = sender("smtp://127.0.0.1:9")
            .send(&email())
            .await
            .unwrap_err();

        assert!(
            matches!(
                error,
                EmailError::Failed {
                    provider: "SMTP",
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn tls_starttls_and_plain_urls_are_accepted() {
        for url in [
            "smtps://user:secret@smtp.example.com:465",
            "smtp://user:secret@smtp.example.com:587?tls=required",
            "smtp://localhost:1025",
        ] {
            assert!(
                SmtpSender::new(&EmailSettings {
                    from: "hello@acme.test".to_owned(),
                    url: url.into(),
                })
                .is_ok(),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn an_invalid_sender_or_url_is_reported_by_its_variable_name() {
        let invalid = |from: &str, url: &str| {
            SmtpSender::new(&EmailSettings {
                from: from.to_owned(),
                url: url.into(),
            })
            .unwrap_err()
            .to_string()
        };

        assert_eq!(
            invalid("nobody", "smtp://localhost"),
            "EMAIL_FROM is not a valid address"
        );
        assert_eq!(
            invalid("hello@acme.test", "http://user:secret@smtp.example.com"),
            "SMTP_URL is not a valid SMTP URL"
        );
    }
}
