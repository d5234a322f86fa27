//! The welcome email, posted once to each new user: when their first request creates their
//! row, or when the identity provider's webhook announces them first.

use minijinja::{Value, context};

use crate::auth::Profile;
use crate::email::EmailTemplate;
use crate::state::AppState;

/// Posts the welcome email to `user`, if they have an email address. A failure is logged and
/// goes no further: the user is signed in all the same.
pub async fn send(state: &AppState, user: &Profile) {
    let Some(to) = user.email.as_deref() else {
        return;
    };
    if let Err(error) = post(state, user, to).await {
        tracing::error!(
            error = format!("{error:#}"),
            external_id = user.external_id,
            "could not send the welcome email"
        );
    }
}

async fn post(state: &AppState, user: &Profile, to: &str) -> anyhow::Result<()> {
    let welcome = Welcome {
        name: user.name.as_deref().unwrap_or(to),
        app_url: &state.config.welcome.app_url,
    };
    state.outbox.post(state, welcome.render(to)?).await
}

/// Sent once, after someone signs up.
#[derive(Debug, Clone, Copy)]
pub struct Welcome<'a> {
    /// How to address the recipient.
    pub name: &'a str,
    /// Where the email's button leads, such as the dashboard.
    pub app_url: &'a str,
}

impl EmailTemplate for Welcome<'_> {
    const NAME: &'static str = "welcome";

    fn subject(&self) -> String {
        format!("Welcome, {}", self.name)
    }

    fn context(&self) -> Value {
        context! { name => self.name, app_url => self.app_url }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TO: &str = "ada@example.com";

    /// A value as the HTML part shows it: minijinja escapes `/` as well as `&`, `<`, `>`
    /// and quotes, and mail clients read `&#x2f;` as `/`.
    fn in_html(value: &str) -> String {
        value.replace('&', "&amp;").replace('/', "&#x2f;")
    }

    #[test]
    fn the_welcome_email_greets_by_name_and_links_to_the_app_in_both_parts() {
        let app_url = "https://app.example.com";

        let email = Welcome {
            name: "Ada",
            app_url,
        }
        .render(TO)
        .unwrap();

        assert_eq!(email.to, TO);
        assert_eq!(email.subject, "Welcome, Ada");
        assert!(email.html.contains("Welcome, Ada!"), "{}", email.html);
        assert!(
            email
                .html
                .contains(&format!(r#"href="{}""#, in_html(app_url)))
        );
        assert!(email.text.contains("Welcome, Ada!"), "{}", email.text);
        assert!(email.text.contains(app_url), "{}", email.text);
    }

    #[test]
    fn the_html_part_is_a_whole_document_titled_with_the_subject() {
        let email = Welcome {
            name: "Ada",
            app_url: "https://app.example.com",
        }
        .render(TO)
        .unwrap();

        assert!(email.html.starts_with("<!doctype html>"), "{}", email.html);
        assert!(email.html.contains("<title>Welcome, Ada</title>"));
        assert!(email.html.trim_end().ends_with("</html>"));
        assert!(!email.text.contains('<'), "{}", email.text);
    }

    #[test]
    fn values_are_escaped_in_the_html_part_and_kept_as_is_in_the_text_part() {
        let email = Welcome {
            name: "<b>Ada & Co</b>",
            app_url: "https://app.example.com",
        }
        .render(TO)
        .unwrap();

        assert!(
            email.html.contains("&lt;b&gt;Ada &amp; Co&lt;&#x2f;b&gt;"),
            "{}",
            email.html
        );
        assert!(!email.html.contains("<b>"));
        assert!(email.text.contains("<b>Ada & Co</b>"));
    }
}
