//! The emails the application sends, written as templates in `templates/email/`.
//!
//! Each email is a pair: `<name>.html`, which extends `layout.html` and has its values
//! HTML-escaped, and `<name>.txt`, the plain-text part that text-only clients show and
//! spam filters expect. Adding an email is adding the pair, its lines in [`SOURCES`] and
//! a type implementing [`EmailTemplate`].
//!
//! The engine is minijinja without its default features (no filters, no serde): one context
//! renders both parts, and the tests render every template so that a broken one fails
//! `cargo test` instead of a send.

use std::sync::LazyLock;

use minijinja::{Environment, Value, context};

use super::Email;

/// A template's name and its source, embedded from `templates/email/` at compile time
/// so that the binary needs no files at run time.
macro_rules! embedded {
    ($file:literal) => {
        (
            $file,
            include_str!(concat!("../../templates/email/", $file)),
        )
    };
}

/// Every template.
const SOURCES: &[(&str, &str)] = &[
    embedded!("layout.html"),
    embedded!("welcome.html"),
    embedded!("welcome.txt"),
];

/// The engine, built on first use; each template is parsed once, when first rendered.
/// `.html` templates escape their values, `.txt` ones do not (minijinja's default).
static ENGINE: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut engine = Environment::new();
    engine.set_loader(|name| {
        Ok(SOURCES
            .iter()
            .find(|(file, _)| *file == name)
            .map(|(_, source)| *source))
    });
    engine
});

/// An email written from a pair of templates.
pub trait EmailTemplate {
    /// The templates' file stem: `templates/email/<NAME>.html` and `<NAME>.txt`.
    const NAME: &'static str;

    /// The subject line, also the HTML document's title.
    fn subject(&self) -> String;

    /// The values the templates show.
    fn context(&self) -> Value;

    /// Renders both parts into an email to `to`.
    fn render(&self, to: &str) -> Result<Email, minijinja::Error> {
        let subject = self.subject();
        let context = context! { subject => &subject, ..self.context() };
        let part = |extension: &str| {
            ENGINE
                .get_template(&format!("{}.{extension}", Self::NAME))?
                .render(context.clone())
        };
        Ok(Email {
            to: to.to_owned(),
            html: part("html")?,
            text: part("txt")?,
            subject,
        })
    }
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

    #[test]
    fn every_template_parses() {
        for (name, _) in SOURCES {
            if let Err(error) = ENGINE.get_template(name) {
                panic!("{name}: {error:#}");
            }
        }
    }

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
