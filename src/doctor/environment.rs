//! The variables the application sees: its environment first, then `.env` (dotenvy, which the
//! generated app uses, never overrides a variable that is already set), and the required ones,
//! which `.env.example` marks with `(required)` at the end of the comment above them.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Finding, Setup};

/// The file the application reads its local settings from.
const ENV_FILE: &str = ".env";
/// The generated list of every variable, `.env`'s template.
const ENV_EXAMPLE: &str = ".env.example";
/// How `.env.example` marks a variable without a default.
const REQUIRED_MARK: &str = "(required)";

/// What `.env` holds, if it can be read.
#[derive(Debug)]
pub enum EnvFile {
    /// There is no `.env`.
    Missing,
    /// `.env` does not parse (the message names the line, never a value).
    Invalid(String),
    /// The variables `.env` sets.
    Read(BTreeMap<String, String>),
}

/// The variables a project's application will see.
#[derive(Debug)]
pub struct Environment {
    /// The project's `.env`.
    pub file: EnvFile,
    /// The variables `.env.example` marks as required, or `None` without a `.env.example`.
    pub required: Option<Vec<String>>,
}

impl Environment {
    /// Reads `.env` and `.env.example` in the project at `root`.
    pub fn read(root: &Path) -> Self {
        let path = root.join(ENV_FILE);
        let file = if path.is_file() {
            match dotenvy::from_path_iter(&path)
                .and_then(|vars| vars.collect::<Result<BTreeMap<_, _>, _>>())
            {
                Ok(vars) => EnvFile::Read(vars),
                Err(error) => EnvFile::Invalid(describe(&error)),
            }
        } else {
            EnvFile::Missing
        };
        let required = std::fs::read_to_string(root.join(ENV_EXAMPLE))
            .ok()
            .map(|text| required_names(&text));
        Self { file, required }
    }

    /// The value the application sees for `name`: the process environment's, else `.env`'s.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some(value) = std::env::var_os(name) {
            return Some(value.to_string_lossy().into_owned());
        }
        match &self.file {
            EnvFile::Read(vars) => vars.get(name).cloned(),
            _ => None,
        }
    }

    /// The value of `name` when it is set and not empty.
    pub fn non_empty(&self, name: &str) -> Option<String> {
        self.get(name).filter(|value| !value.trim().is_empty())
    }
}

/// dotenvy's parse errors quote the offending line, which may hold a secret: keep the position.
fn describe(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(_, index) => format!("cannot parse it at character {index}"),
        dotenvy::Error::Io(error) => format!("cannot read it: {error}"),
        _ => "cannot parse it".to_string(),
    }
}

/// The names of the variables whose comment line ends with [`REQUIRED_MARK`].
fn required_names(example: &str) -> Vec<String> {
    let mut required = Vec::new();
    let mut marked = false;
    for line in example.lines().map(str::trim) {
        if let Some(comment) = line.strip_prefix('#') {
            marked = comment.trim_end().ends_with(REQUIRED_MARK);
        } else if let Some((name, _)) = line.split_once('=') {
            if marked {
                required.push(name.trim().to_string());
            }
            marked = false;
        } else {
            marked = false;
        }
    }
    required
}

/// `.env` is there and parses.
pub fn check_file(setup: &Setup) -> Finding {
    match &setup.env.file {
        EnvFile::Read(vars) => Finding::ok(format!("{ENV_FILE} sets {} variables", vars.len())),
        EnvFile::Missing => Finding::problem(
            format!("no {ENV_FILE} in the project"),
            format!("cp {ENV_EXAMPLE} {ENV_FILE}, then adjust DATABASE_URL and REDIS_URL"),
        ),
        EnvFile::Invalid(why) => Finding::problem(
            format!("{ENV_FILE}: {why}"),
            format!("write each line as NAME=value, as in {ENV_EXAMPLE}"),
        ),
    }
}

/// Every variable `.env.example` marks as required is set, in the environment or in `.env`.
pub fn check_required(setup: &Setup) -> Finding {
    let Some(required) = &setup.env.required else {
        return Finding::skipped(format!(
            "no {ENV_EXAMPLE}, so the required variables are unknown"
        ));
    };
    let missing: Vec<&str> = required
        .iter()
        .filter(|name| setup.env.non_empty(name).is_none())
        .map(String::as_str)
        .collect();
    if missing.is_empty() {
        Finding::ok(format!(
            "the {} required variables are set ({})",
            required.len(),
            required.join(", ")
        ))
    } else {
        Finding::problem(
            format!("required but not set: {}", missing.join(", ")),
            format!("set them in {ENV_FILE}; {ENV_EXAMPLE} says what each one means"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_variables_are_those_whose_comment_ends_with_the_mark() {
        let example = "# Copy to .env. `(required)` ones have no default.\n\n\
                       # --- core ---\n# Port.\nPORT=8080\n# Database. (required)\nDATABASE_URL=x\n\
                       # Redis. (required)\nREDIS_URL=y\nAFTER=z\n";
        assert_eq!(required_names(example), ["DATABASE_URL", "REDIS_URL"]);
    }

    #[test]
    fn a_parse_error_is_described_without_the_line_it_quotes() {
        let error = dotenvy::Error::LineParse("SECRET=hunter2 'oops".to_string(), 15);
        assert!(!describe(&error).contains("hunter2"));
    }
}
