//! Telemetry export settings: the standard `OTEL_*` variables that decide whether and where
//! traces and metrics go and which traces are kept, and the port of the Prometheus page,
//! checked at startup like every other setting.

use std::str::FromStr;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue};
use opentelemetry_sdk::trace::Sampler;
use percent_encoding::percent_decode_str;
use reqwest::Url;
use secrecy::SecretString;

use super::env::Env;

/// Where traces and metrics are exported, under which service name, and which traces are
/// kept.
#[derive(Debug, Clone)]
pub struct OtelSettings {
    /// The URL spans are posted to; `None` (no endpoint configured) turns exporting off.
    pub traces_endpoint: Option<Url>,
    /// The URL metrics are posted to; `None` (no endpoint, or `OTEL_METRICS_EXPORTER=none`)
    /// turns pushing them off.
    pub metrics_endpoint: Option<Url>,
    /// How often metrics are pushed.
    pub metric_export_interval: Duration,
    /// The port serving `/metrics` in the Prometheus text format, apart from the API's;
    /// `None` serves no such page.
    pub metrics_port: Option<u16>,
    /// Headers sent with every export, such as a hosted backend's API key.
    pub headers: Vec<(HeaderName, SecretString)>,
    /// The `service.name` the traces and metrics are filed under.
    pub service_name: String,
    /// Attributes of the service besides its name, such as `deployment.environment`.
    pub resource_attributes: Vec<(String, String)>,
    /// Which traces are recorded and exported.
    pub sampler: Sampler,
}

impl OtelSettings {
    pub(super) fn from_env(env: &mut Env<impl Fn(&str) -> Option<String>>) -> Self {
        let traces = env.parsed("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", Endpoint(None));
        let metrics = env.parsed("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", Endpoint(None));
        let base = env.parsed("OTEL_EXPORTER_OTLP_ENDPOINT", Endpoint(None)).0;
        env.parsed("OTEL_EXPORTER_OTLP_PROTOCOL", HttpProtobuf);
        // Headers carry API keys: a malformed value is not repeated.
        let headers = env.parsed_quoting("OTEL_EXPORTER_OTLP_HEADERS", Headers(Vec::new()), false);
        let attributes = env.parsed("OTEL_RESOURCE_ATTRIBUTES", Pairs(Vec::new())).0;
        let sampler = env.parsed("OTEL_TRACES_SAMPLER", SamplerKind::ParentBasedAlwaysOn);
        let ratio = env.parsed("OTEL_TRACES_SAMPLER_ARG", Ratio(1.0));
        let pushed = env.parsed("OTEL_METRICS_EXPORTER", MetricsExporter::Otlp);
        let interval = env.parsed("OTEL_METRIC_EXPORT_INTERVAL", Millis(60_000));
        let metrics_port = env.parsed("METRICS_PORT", Port(None)).0;
        // OTEL_SERVICE_NAME wins over a `service.name` among the attributes, as the
        // specification says.
        let service_name = env
            .optional("OTEL_SERVICE_NAME")
            .map(|name| name.trim().to_owned())
            .or_else(|| {
                let named = attributes.iter().find(|(key, _)| key == "service.name");
                named.map(|(_, name)| name.clone())
            })
            .unwrap_or_else(|| env!("CARGO_PKG_NAME").to_owned());
        Self {
            traces_endpoint: traces.0.or_else(|| signal_path(base.clone(), "traces")),
            metrics_endpoint: match pushed {
                MetricsExporter::Otlp => metrics.0.or_else(|| signal_path(base, "metrics")),
                MetricsExporter::None => None,
            },
            metric_export_interval: Duration::from_millis(interval.0),
            metrics_port,
            headers: headers.0,
            service_name,
            resource_attributes: attributes,
            sampler: sampler.with_ratio(ratio.0),
        }
    }
}

/// The base endpoint's `/v1/<signal>`, as the OTLP specification builds a signal's URL.
fn signal_path(base: Option<Url>, signal: &str) -> Option<Url> {
    let mut url = base?;
    let path = format!("{}/v1/{signal}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Some(url)
}

/// An HTTP or HTTPS URL that may be absent, so that a malformed one is reported with every
/// other problem.
struct Endpoint(Option<Url>);

impl FromStr for Endpoint {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(value).map_err(|error| error.to_string())?;
        match url.scheme() {
            "http" | "https" => Ok(Self(Some(url))),
            _ => Err("expected an http:// or https:// URL".to_owned()),
        }
    }
}

/// The one OTLP protocol the exporter speaks: `http/protobuf`. Exporting over gRPC, or as
/// JSON, would send every span where the receiver cannot read it.
struct HttpProtobuf;

impl FromStr for HttpProtobuf {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "http/protobuf" => Ok(Self),
            _ => Err("this app exports over http/protobuf only"),
        }
    }
}

/// `key=value` pairs separated by commas, each value URL-decoded (`%20` is a space), as the
/// OpenTelemetry specification writes headers and resource attributes.
struct Pairs(Vec<(String, String)>);

impl FromStr for Pairs {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        value
            .split(',')
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err("expected key=value pairs separated by commas".to_owned());
                };
                let key = key.trim();
                if key.is_empty() {
                    return Err("a pair has no key".to_owned());
                }
                let value = percent_decode_str(value.trim())
                    .decode_utf8()
                    .map_err(|_| format!("the value of {key} is not UTF-8 once decoded"))?;
                Ok((key.to_owned(), value.into_owned()))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// Export headers: pairs whose keys are header names and whose values can be sent.
struct Headers(Vec<(HeaderName, SecretString)>);

impl FromStr for Headers {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let Pairs(pairs) = value.parse()?;
        pairs
            .into_iter()
            .map(|(key, value)| {
                let name = HeaderName::from_bytes(key.as_bytes())
                    .map_err(|_| format!("{key} is not a header name"))?;
                HeaderValue::from_str(&value)
                    .map_err(|_| format!("the value of {key} cannot be sent in a header"))?;
                Ok((name, SecretString::from(value)))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

/// The samplers `OTEL_TRACES_SAMPLER` names, as the OpenTelemetry specification spells them.
#[derive(Debug, Clone, Copy)]
enum SamplerKind {
    AlwaysOn,
    AlwaysOff,
    TraceIdRatio,
    ParentBasedAlwaysOn,
    ParentBasedAlwaysOff,
    ParentBasedTraceIdRatio,
}

impl SamplerKind {
    /// The sampler, keeping `ratio` of the traces where it samples by ratio.
    fn with_ratio(self, ratio: f64) -> Sampler {
        let parent_based = |root| Sampler::ParentBased(Box::new(root));
        match self {
            Self::AlwaysOn => Sampler::AlwaysOn,
            Self::AlwaysOff => Sampler::AlwaysOff,
            Self::TraceIdRatio => Sampler::TraceIdRatioBased(ratio),
            Self::ParentBasedAlwaysOn => parent_based(Sampler::AlwaysOn),
            Self::ParentBasedAlwaysOff => parent_based(Sampler::AlwaysOff),
            Self::ParentBasedTraceIdRatio => parent_based(Sampler::TraceIdRatioBased(ratio)),
        }
    }
}

impl FromStr for SamplerKind {
    type Err = &'static str;

    /// Case-insensitive, as the specification reads enumerated values.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "always_on" => Ok(Self::AlwaysOn),
            "always_off" => Ok(Self::AlwaysOff),
            "traceidratio" => Ok(Self::TraceIdRatio),
            "parentbased_always_on" => Ok(Self::ParentBasedAlwaysOn),
            "parentbased_always_off" => Ok(Self::ParentBasedAlwaysOff),
            "parentbased_traceidratio" => Ok(Self::ParentBasedTraceIdRatio),
            _ => Err(
                "expected always_on, always_off, traceidratio, parentbased_always_on, \
                 parentbased_always_off or parentbased_traceidratio",
            ),
        }
    }
}

/// Whether metrics are pushed over OTLP, as `OTEL_METRICS_EXPORTER` says: `otlp` or `none`
/// (a receiver that takes traces only, Jaeger say), in any case as the specification reads
/// enumerated values.
enum MetricsExporter {
    Otlp,
    None,
}

impl FromStr for MetricsExporter {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.to_ascii_lowercase().as_str() {
            "otlp" => Ok(Self::Otlp),
            "none" => Ok(Self::None),
            _ => Err("expected otlp or none"),
        }
    }
}

/// A positive number of milliseconds.
struct Millis(u64);

impl FromStr for Millis {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.parse() {
            Ok(millis) if millis > 0 => Ok(Self(millis)),
            _ => Err("expected a positive number of milliseconds"),
        }
    }
}

/// A TCP port that may be absent.
struct Port(Option<u16>);

impl FromStr for Port {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.parse() {
            Ok(port) if port > 0 => Ok(Self(Some(port))),
            _ => Err("expected a port from 1 to 65535"),
        }
    }
}

/// A share of traces from 0 to 1.
struct Ratio(f64);

impl FromStr for Ratio {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.parse() {
            Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(Self(ratio)),
            _ => Err("expected a number from 0 to 1"),
        }
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn load(vars: &[(&str, &str)]) -> (OtelSettings, Vec<String>) {
        let mut env = Env::new(|name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        });
        let settings = OtelSettings::from_env(&mut env);
        (settings, env.into_problems())
    }

    fn endpoint(vars: &[(&str, &str)]) -> Option<String> {
        load(vars).0.traces_endpoint.map(String::from)
    }

    #[test]
    fn exporting_is_off_when_no_endpoint_is_set_or_it_is_empty() {
        for vars in [&[][..], &[("OTEL_EXPORTER_OTLP_ENDPOINT", "")]] {
            let (settings, problems) = load(vars);

            assert!(settings.traces_endpoint.is_none());
            assert!(problems.is_empty(), "{problems:?}");
        }
    }

    #[test]
    fn traces_go_to_the_base_endpoints_traces_path() {
        for base in ["http://collector:4318", "http://collector:4318/"] {
            assert_eq!(
                endpoint(&[("OTEL_EXPORTER_OTLP_ENDPOINT", base)]).as_deref(),
                Some("http://collector:4318/v1/traces")
            );
        }
        assert_eq!(
            endpoint(&[(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "https://otlp.example.com/otlp"
            )])
            .as_deref(),
            Some("https://otlp.example.com/otlp/v1/traces")
        );
    }

    #[test]
    fn metrics_go_to_the_base_endpoints_metrics_path_or_their_own() {
        let base = ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318");
        let metrics = |vars: &[(&str, &str)]| load(vars).0.metrics_endpoint.map(String::from);

        assert_eq!(
            metrics(&[base]).as_deref(),
            Some("http://collector:4318/v1/metrics")
        );
        assert_eq!(
            metrics(&[
                base,
                (
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                    "http://mimir:4318/otlp"
                )
            ])
            .as_deref(),
            Some("http://mimir:4318/otlp")
        );
        assert_eq!(metrics(&[]), None);
        assert_eq!(metrics(&[base, ("OTEL_METRICS_EXPORTER", "None")]), None);
    }

    #[test]
    fn metrics_are_pushed_every_minute_unless_told_otherwise() {
        assert_eq!(load(&[]).0.metric_export_interval, Duration::from_secs(60));
        assert_eq!(
            load(&[("OTEL_METRIC_EXPORT_INTERVAL", "5000")])
                .0
                .metric_export_interval,
            Duration::from_secs(5)
        );
    }

    #[test]
    fn the_prometheus_page_is_served_only_on_a_port_given_to_it() {
        assert_eq!(load(&[]).0.metrics_port, None);
        assert_eq!(load(&[("METRICS_PORT", "9464")]).0.metrics_port, Some(9464));
    }

    #[test]
    fn a_traces_endpoint_is_taken_as_it_is_before_the_base_one() {
        let vars = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://tempo:4318/traces",
            ),
        ];

        assert_eq!(endpoint(&vars).as_deref(), Some("http://tempo:4318/traces"));
    }

    #[test]
    fn the_service_is_named_after_the_crate_unless_named_itself() {
        assert_eq!(load(&[]).0.service_name, env!("CARGO_PKG_NAME"));
        assert_eq!(
            load(&[("OTEL_SERVICE_NAME", "checkout")]).0.service_name,
            "checkout"
        );
    }

    #[test]
    fn headers_are_read_with_their_values_url_decoded() {
        let (settings, problems) = load(&[(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "authorization=Basic%20dXNlcjprZXk=, x-team = checkout",
        )]);

        assert!(problems.is_empty(), "{problems:?}");
        let headers: Vec<(&str, &str)> = settings
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.expose_secret()))
            .collect();
        assert_eq!(
            headers,
            [
                ("authorization", "Basic dXNlcjprZXk="),
                ("x-team", "checkout")
            ]
        );
    }

    #[test]
    fn resource_attributes_are_read_in_order() {
        let (settings, problems) = load(&[(
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment=staging,service.version=1.4.2",
        )]);

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            settings.resource_attributes,
            [
                ("deployment.environment".to_owned(), "staging".to_owned()),
                ("service.version".to_owned(), "1.4.2".to_owned()),
            ]
        );
    }

    #[test]
    fn the_service_name_wins_over_one_among_the_attributes() {
        let attributes = ("OTEL_RESOURCE_ATTRIBUTES", "service.name=legacy");

        assert_eq!(load(&[attributes]).0.service_name, "legacy");
        assert_eq!(
            load(&[attributes, ("OTEL_SERVICE_NAME", "checkout")])
                .0
                .service_name,
            "checkout"
        );
    }

    #[test]
    fn a_sampler_is_named_in_any_case() {
        let (settings, problems) = load(&[("OTEL_TRACES_SAMPLER", "Always_Off")]);

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            format!("{:?}", settings.sampler),
            format!("{:?}", Sampler::AlwaysOff)
        );
    }

    #[test]
    fn a_malformed_header_is_reported_without_its_value() {
        let (_, problems) = load(&[("OTEL_EXPORTER_OTLP_HEADERS", "authorization:Bearer sk-123")]);

        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(!problems[0].contains("sk-123"), "{}", problems[0]);
    }

    #[test]
    fn every_trace_is_kept_by_default_and_a_callers_decision_is_followed() {
        let expected = Sampler::ParentBased(Box::new(Sampler::AlwaysOn));

        assert_eq!(
            format!("{:?}", load(&[]).0.sampler),
            format!("{expected:?}")
        );
    }

    #[test]
    fn a_ratio_sampler_keeps_the_share_its_argument_gives() {
        let (settings, problems) = load(&[
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.1"),
        ]);
        let expected = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(0.1)));

        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(format!("{:?}", settings.sampler), format!("{expected:?}"));
    }

    #[test]
    fn malformed_values_are_reported_by_name() {
        let (_, problems) = load(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "not a url"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "bad header=1"),
            ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment"),
            ("OTEL_TRACES_SAMPLER", "sometimes"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "mimir"),
            ("OTEL_METRICS_EXPORTER", "prometheus"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
            ("METRICS_PORT", "0"),
        ]);

        let reported: Vec<&str> = problems
            .iter()
            .map(|problem| problem.split_whitespace().next().unwrap_or_default())
            .collect();
        assert_eq!(
            reported,
            [
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                "OTEL_EXPORTER_OTLP_HEADERS",
                "OTEL_RESOURCE_ATTRIBUTES",
                "OTEL_TRACES_SAMPLER",
                "OTEL_TRACES_SAMPLER_ARG",
                "OTEL_METRICS_EXPORTER",
                "OTEL_METRIC_EXPORT_INTERVAL",
                "METRICS_PORT",
            ]
        );
    }
}
