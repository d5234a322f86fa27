//! Project names: a valid crate name that is also a sensible directory name.

use std::fmt;
use std::path::Path;

/// Why a project name was refused, with a name that would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid project name `{name}`: {reason}{}", suggestion_hint(.suggestion))]
pub struct NameError {
    /// The name as given.
    pub name: String,
    /// What rule it breaks.
    pub reason: String,
    /// A close name that is valid, when one can be derived.
    pub suggestion: Option<String>,
}

fn suggestion_hint(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (try `{s}`)"))
        .unwrap_or_default()
}

/// A checked project name: lowercase ASCII letters, digits, `-` and `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProjectName(String);

/// Names that cargo refuses or that would shadow a crate every project uses.
const RESERVED: &[&str] = &[
    "alloc",
    "core",
    "proc_macro",
    "std",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
    "target",
    "abstract",
    "as",
    "async",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "do",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "override",
    "priv",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// Long enough for any real name, short enough that what the templates derive from it (database
/// names, which PostgreSQL cuts at 63 bytes, and `use` lines that must not wrap) stays valid.
const MAX_LEN: usize = 40;

impl ProjectName {
    /// Checks `name`, explaining any refusal and suggesting a valid alternative.
    pub fn parse(name: &str) -> Result<Self, NameError> {
        let refuse = |reason: &str| NameError {
            name: name.to_string(),
            reason: reason.to_string(),
            suggestion: suggest(name).filter(|s| s != name),
        };
        if name.is_empty() {
            return Err(refuse("it is empty"));
        }
        if name.len() > MAX_LEN {
            return Err(refuse(&format!("it is longer than {MAX_LEN} characters")));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(refuse(&format!(
                "`{c}` is not allowed; use lowercase letters, digits, `-` and `_`"
            )));
        }
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(refuse("crate names are lowercase"));
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(refuse("it must start with a letter"));
        }
        if RESERVED.contains(&name.replace('-', "_").as_str()) {
            return Err(refuse("it is a Rust keyword or a reserved crate name"));
        }
        Ok(Self(name.to_string()))
    }

    /// The name a project in `dir` takes: the last component of the path as given (the whole
    /// path when it has none, such as `.`, which is then refused like any other bad name).
    pub fn from_dir(dir: &Path) -> Result<Self, NameError> {
        let name = dir.file_name().unwrap_or(dir.as_os_str()).to_string_lossy();
        Self::parse(&name)
    }

    /// The name as given, used for the directory and the package.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as Rust code refers to the crate (`my-app` becomes `my_app`).
    pub fn crate_ident(&self) -> String {
        self.0.replace('-', "_")
    }
}

impl fmt::Display for ProjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The closest valid name: lowercased, other characters turned into `-`, prefixed when needed.
fn suggest(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    if out.is_empty() {
        return None;
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "app-");
    }
    if RESERVED.contains(&out.replace('-', "_").as_str()) {
        out.push_str("-app");
    }
    out.truncate(MAX_LEN);
    let out = out.trim_end_matches('-').to_string();
    ProjectName::parse(&out).ok().map(|n| n.0)
}

/// `send_email` as `SendEmail`: a Rust type's name for a `snake_case` one.
pub fn upper_camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lowercase_names_with_dashes_and_underscores() {
        for name in ["demo", "my-app", "my_app2", "a"] {
            assert_eq!(ProjectName::parse(name).unwrap().as_str(), name);
        }
    }

    #[test]
    fn crate_ident_replaces_dashes() {
        assert_eq!(
            ProjectName::parse("my-app").unwrap().crate_ident(),
            "my_app"
        );
    }

    #[test]
    fn refuses_spaces_and_suggests_dashes() {
        let err = ProjectName::parse("My App").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("my-app"));
        assert!(err.to_string().contains("try `my-app`"), "{err}");
    }

    #[test]
    fn refuses_a_leading_digit_and_suggests_a_prefix() {
        let err = ProjectName::parse("1app").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("app-1app"));
    }

    #[test]
    fn refuses_keywords_and_reserved_crate_names() {
        for name in ["test", "std", "self", "async"] {
            let err = ProjectName::parse(name).unwrap_err();
            assert!(err.reason.contains("reserved"), "{name}: {err}");
            assert_eq!(err.suggestion, Some(format!("{name}-app")));
        }
    }

    #[test]
    fn refuses_uppercase_and_suggests_lowercase() {
        let err = ProjectName::parse("Demo").unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("demo"));
    }

    #[test]
    fn refuses_empty_and_overlong_names() {
        assert!(ProjectName::parse("").is_err());
        assert!(ProjectName::parse(&"a".repeat(MAX_LEN + 1)).is_err());
        assert!(ProjectName::parse(&"a".repeat(MAX_LEN)).is_ok());
    }

    #[test]
    fn from_dir_takes_the_last_component_of_the_path() {
        let name = ProjectName::from_dir(Path::new("apps/billing-api")).unwrap();
        assert_eq!(name.as_str(), "billing-api");
    }

    #[test]
    fn from_dir_refuses_a_path_without_a_last_component() {
        assert_eq!(ProjectName::from_dir(Path::new(".")).unwrap_err().name, ".");
    }

    #[test]
    fn refuses_path_separators() {
        assert!(ProjectName::parse("../evil").is_err());
    }
}
