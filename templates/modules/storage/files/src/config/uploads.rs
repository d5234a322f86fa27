//! What users may upload, and for how long a presigned URL is valid.

use std::str::FromStr;
use std::time::Duration;

use super::env::Env;

/// The longest validity S3 accepts for a presigned URL: seven days.
const MAX_URL_EXPIRY_SECS: u64 = 7 * 24 * 60 * 60;

/// Limits on uploads, checked before an upload URL is handed out.
#[derive(Debug, Clone)]
pub struct UploadSettings {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Content types accepted, lowercase.
    pub allowed_content_types: ContentTypes,
    /// How long presigned upload and download URLs stay valid.
    pub url_expiry: Duration,
}

impl UploadSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            max_bytes: env.parsed("UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
            allowed_content_types: env.parsed(
                "UPLOAD_ALLOWED_CONTENT_TYPES",
                ContentTypes::from_str("image/png,image/jpeg,image/webp,application/pdf")
                    .expect("the default content types parse"),
            ),
            url_expiry: env
                .parsed(
                    "UPLOAD_URL_EXPIRY_SECS",
                    UrlExpiry(Duration::from_secs(900)),
                )
                .0,
        }
    }
}

/// Content types parsed from a comma-separated list, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentTypes(Vec<String>);

impl ContentTypes {
    /// The allowed spelling of `content_type`, if it is allowed.
    pub fn find(&self, content_type: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|allowed| allowed.eq_ignore_ascii_case(content_type))
            .map(String::as_str)
    }

    /// The allowed types, for messages.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl FromStr for ContentTypes {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let types: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|kind| !kind.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        match types.iter().find(|kind| !is_media_type(kind)) {
            Some(bad) => Err(format!("{bad:?} is not a content type like image/png")),
            None => Ok(Self(types)),
        }
    }
}

/// `type/subtype` made of the characters RFC 6838 allows, without parameters.
fn is_media_type(value: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    value
        .split_once('/')
        .is_some_and(|(kind, subtype)| token(kind) && token(subtype))
}

/// A URL validity in seconds, between one second and S3's seven days.
struct UrlExpiry(Duration);

impl FromStr for UrlExpiry {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let secs: u64 = value.parse().map_err(|error| format!("{error}"))?;
        if (1..=MAX_URL_EXPIRY_SECS).contains(&secs) {
            Ok(Self(Duration::from_secs(secs)))
        } else {
            Err(format!("expected 1 to {MAX_URL_EXPIRY_SECS} seconds"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_trimmed_lowercased_and_matched_ignoring_case() {
        let types: ContentTypes = " image/PNG, application/pdf ,".parse().unwrap();

        assert_eq!(types.as_slice(), ["image/png", "application/pdf"]);
        assert_eq!(types.find("Image/Png"), Some("image/png"));
        assert_eq!(types.find("image/gif"), None);
    }

    #[test]
    fn a_list_with_something_else_than_a_content_type_is_refused() {
        for bad in ["image", "image/png; charset=utf-8", "/png", "text/"] {
            assert!(bad.parse::<ContentTypes>().is_err(), "{bad}");
        }
    }

    #[test]
    fn url_expiry_stays_within_what_s3_accepts() {
        assert_eq!(
            "604800".parse::<UrlExpiry>().unwrap().0,
            Duration::from_secs(604_800)
        );
        for bad in ["0", "604801", "-1", "soon"] {
            assert!(bad.parse::<UrlExpiry>().is_err(), "{bad}");
        }
    }
}
