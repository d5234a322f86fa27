//! Error reporting settings for Sentry.

use std::str::FromStr;

use sentry::types::{Dsn, ParseDsnError};

use super::env::Env;

/// Where errors are reported, under which environment, and how much is traced.
#[derive(Debug, Clone)]
pub struct ErrorReportingSettings {
    /// Sentry's address for this project; `None` (unset or empty) turns reporting off.
    pub dsn: Option<Dsn>,
    /// Environment the reports are filed under, such as `production` or `staging`.
    pub environment: String,
    /// Share of requests traced, from 0 (none) to 1 (all).
    pub traces_sample_rate: f32,
}

impl ErrorReportingSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        Self {
            // A DSN holds the project's key: a malformed one is not repeated.
            dsn: env.parsed_quoting("SENTRY_DSN", OptionalDsn(None), false).0,
            // APP_ENV is validated with the server settings; here it only names the environment.
            environment: env
                .optional("SENTRY_ENVIRONMENT")
                .or_else(|| env.optional("APP_ENV"))
                .unwrap_or_else(|| "development".to_owned()),
            traces_sample_rate: env.parsed("SENTRY_TRACES_SAMPLE_RATE", SampleRate(0.0)).0,
        }
    }
}

/// A DSN that may be absent, so that a malformed one is reported with every other problem.
struct OptionalDsn(Option<Dsn>);

impl FromStr for OptionalDsn {
    type Err = ParseDsnError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        value.parse().map(|dsn| Self(Some(dsn)))
    }
}

/// A fraction from 0 to 1: the Sentry client panics on anything else.
struct SampleRate(f32);

impl FromStr for SampleRate {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.parse() {
            Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(Self(rate)),
            _ => Err("expected a number from 0 to 1".to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> (ErrorReportingSettings, Vec<String>) {
        let mut env = Env::new(|name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        });
        let settings = ErrorReportingSettings::from_env(&mut env);
        (settings, env.into_problems())
    }

    #[test]
    fn reporting_is_off_when_the_dsn_is_unset_or_empty() {
        for vars in [&[][..], &[("SENTRY_DSN", "")]] {
            let (settings, problems) = load(vars);

            assert!(settings.dsn.is_none());
            assert!(problems.is_empty(), "{problems:?}");
        }
    }

    #[test]
    fn a_dsn_turns_reporting_on_with_no_traces_by_default() {
        let (settings, problems) = load(&[("SENTRY_DSN", "https://key@o1.ingest.sentry.io/42")]);

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(settings.dsn.unwrap().project_id().to_string(), "42");
        assert_eq!(settings.traces_sample_rate, 0.0);
    }

    #[test]
    fn the_environment_follows_app_env_unless_set_itself() {
        assert_eq!(load(&[]).0.environment, "development");
        assert_eq!(
            load(&[("APP_ENV", "production")]).0.environment,
            "production"
        );
        let staging = [("APP_ENV", "production"), ("SENTRY_ENVIRONMENT", "staging")];
        assert_eq!(load(&staging).0.environment, "staging");
    }

    #[test]
    fn a_malformed_dsn_and_an_out_of_range_sample_rate_are_reported_by_name() {
        let (_, problems) = load(&[
            ("SENTRY_DSN", "not a dsn"),
            ("SENTRY_TRACES_SAMPLE_RATE", "1.5"),
        ]);

        let reported: Vec<&str> = problems
            .iter()
            .map(|problem| problem.split_whitespace().next().unwrap_or_default())
            .collect();
        assert_eq!(reported, ["SENTRY_DSN", "SENTRY_TRACES_SAMPLE_RATE"]);
    }
}
