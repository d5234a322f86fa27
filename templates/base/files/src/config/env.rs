//! A small reader over environment variables that collects every problem instead of
//! stopping at the first one, so a misconfigured deployment is fixed in one round.

use std::fmt::Display;
use std::str::FromStr;

/// Reads variables through a lookup function and records what is missing or malformed.
pub(super) struct Env<L> {
    lookup: L,
    problems: Vec<String>,
}

impl<L> Env<L>
where
    L: Fn(&str) -> Option<String>,
{
    pub(super) fn new(lookup: L) -> Self {
        Self {
            lookup,
            problems: Vec::new(),
        }
    }

    /// A variable that must be set to a non-empty value.
    ///
    /// When it is missing an empty string is returned and a problem recorded, so loading the
    /// configuration fails and the placeholder never reaches a running application.
    pub(super) fn required(&mut self, name: &'static str) -> String {
        self.optional(name).unwrap_or_else(|| {
            self.problems
                .push(format!("{name} is required but not set"));
            String::new()
        })
    }

    /// A variable that may be absent; an empty value counts as absent, which is what
    /// `NAME=` in a `.env` file usually means.
    pub(super) fn optional(&mut self, name: &'static str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    /// A variable parsed with `FromStr`, falling back to `default` when absent.
    pub(super) fn parsed<T>(&mut self, name: &'static str, default: T) -> T
    where
        T: FromStr,
        T::Err: Display,
    {
        self.parsed_quoting(name, default, true)
    }

    /// [`Env::parsed`], whose problem quotes the malformed value only when `quote` is set:
    /// a secret's (an API key, a DSN) must not reach the logs.
    pub(super) fn parsed_quoting<T>(&mut self, name: &'static str, default: T, quote: bool) -> T
    where
        T: FromStr,
        T::Err: Display,
    {
        let Some(raw) = self.optional(name) else {
            return default;
        };
        match raw.trim().parse() {
            Ok(value) => value,
            Err(error) if quote => {
                self.problems
                    .push(format!("{name} has an invalid value {raw:?}: {error}"));
                default
            }
            Err(error) => {
                self.problems
                    .push(format!("{name} has an invalid value: {error}"));
                default
            }
        }
    }

    /// Every problem recorded so far, in the order the variables were read.
    pub(super) fn into_problems(self) -> Vec<String> {
        self.problems
    }
}
