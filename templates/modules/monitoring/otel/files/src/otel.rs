//! Traces and metrics sent to an OpenTelemetry receiver over OTLP/HTTP: each request's span
//! with the spans and events inside it, continuing the caller's trace when its `traceparent`
//! header names one, and passing it on to the services the app calls (W3C Trace Context);
//! and the app's [`crate::metrics`], pushed at an interval and read by the Prometheus page.
//!
//! Without an endpoint nothing starts: no exporter, no exporting thread, and the layer in the
//! subscriber takes nothing; without a metrics port either, instruments record into nothing.
//!
//! What is exported does not follow `RUST_LOG`, which filters the logs only: every span and
//! event at `info` or above, each Redis call's span, and each SQL statement as a span of its
//! own.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use opentelemetry::metrics::Meter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{Span as _, SpanKind, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry::{KeyValue, global};
use opentelemetry_otlp::{
    ExporterBuildError, MetricExporter, Protocol, SpanExporter, WithExportConfig, WithHttpConfig,
};
use opentelemetry_prometheus_text_exporter::PrometheusExporter;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, SdkTracer, SdkTracerProvider, SpanData, SpanProcessor,
};
use secrecy::ExposeSecret;
use tracing::dispatcher::WeakDispatch;
use tracing::field::{Field, Visit};
use tracing::{Dispatch, Event, Span, Subscriber};
use tracing_opentelemetry::{OpenTelemetrySpanExt, get_otel_context};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{self, Layer};
use tracing_subscriber::registry::LookupSpan;
use uuid::Uuid;

use crate::config::OtelSettings;
use crate::metrics;

/// The target of the event sqlx sends as each SQL statement ends, at `debug`.
const SQL_STATEMENTS: &str = "sqlx::query";

/// The target of each Redis call's `debug` span, made by [`crate::cache::traced`].
const REDIS_CALLS: &str = concat!(env!("CARGO_CRATE_NAME"), "::cache");

/// The tracer of the provider [`init`] started, which the global subscriber's layer uses.
static TRACER: OnceLock<SdkTracer> = OnceLock::new();

/// This process's `service.instance.id`, one for its traces and its metrics alike.
static INSTANCE: LazyLock<String> = LazyLock::new(|| Uuid::new_v4().to_string());

/// The reader of the Prometheus page, when [`init`] started one.
static PROMETHEUS: OnceLock<PrometheusExporter> = OnceLock::new();

/// Keeps exporting on; dropping it exports the spans still queued and the metrics recorded
/// since the last push, and stops the exporting threads.
#[must_use = "exporting stops when the guard is dropped"]
pub struct Guard {
    traces: Option<SdkTracerProvider>,
    metrics: Option<SdkMeterProvider>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(Err(error)) = self.traces.as_ref().map(SdkTracerProvider::shutdown) {
            eprintln!("could not export the last traces: {error}");
        }
        if let Some(Err(error)) = self.metrics.as_ref().map(SdkMeterProvider::shutdown) {
            eprintln!("could not export the last metrics: {error}");
        }
    }
}

/// Starts exporting what is configured, for the whole process: traces to their endpoint,
/// metrics to theirs and to the Prometheus page.
///
/// Call it once in `main`, before the subscriber is installed and the state is built:
/// [`tracing_layer`] adds the exporting layer only once a provider has started, and
/// [`meter`] records into the provider started here.
pub fn init(settings: &OtelSettings) -> Result<Guard, ExporterBuildError> {
    let traces = provider(settings)?;
    if let Some(provider) = &traces {
        // `main` calls this once; a second call would keep the first provider's tracer.
        let _ = TRACER.set(tracer(provider));
    }
    let prometheus = settings.metrics_port.map(|_| PrometheusExporter::new());
    let metrics = meter_provider(settings, prometheus.clone())?;
    if let Some(provider) = &metrics {
        global::set_meter_provider(provider.clone());
    }
    if let Some(prometheus) = prometheus {
        let _ = PROMETHEUS.set(prometheus);
    }
    Ok(Guard { traces, metrics })
}

/// A provider that exports batches of spans to the configured endpoint from a thread of its
/// own, or `None` without an endpoint.
pub fn provider(settings: &OtelSettings) -> Result<Option<SdkTracerProvider>, ExporterBuildError> {
    let Some(endpoint) = &settings.traces_endpoint else {
        return Ok(None);
    };
    install_crypto_provider();
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.as_str())
        .with_headers(export_headers(settings))
        .build()?;
    let batches = BatchSpanProcessor::builder(exporter).build();
    Ok(Some(
        SdkTracerProvider::builder()
            .with_span_processor(ServerSpans(batches))
            .with_sampler(settings.sampler.clone())
            .with_resource(resource(settings))
            .build(),
    ))
}

/// Passes each span that ends on to the next processor, with the request's span named and
/// marked as the conventions of HTTP server spans have it: `GET /items/{id}`, or the method
/// alone for a path no route matched, and of kind server.
///
/// Done as the span ends, not as the request is handled: the span is made before routing,
/// which alone knows the route, and its kind is fixed once it starts; and only the spans
/// that are exported pay for the name.
#[derive(Debug)]
struct ServerSpans<P>(P);

impl<P: SpanProcessor> SpanProcessor for ServerSpans<P> {
    fn on_start(
        &self,
        span: &mut opentelemetry_sdk::trace::Span,
        context: &opentelemetry::Context,
    ) {
        self.0.on_start(span, context);
    }

    fn on_end(&self, mut span: SpanData) {
        if span.name == "request" {
            let text = |key: &str| {
                let attribute = span.attributes.iter().find(|a| a.key.as_str() == key)?;
                Some(attribute.value.as_str())
            };
            if let Some(method) = text("method") {
                span.name = server_span_name(&method, text("http.route").as_deref()).into();
                span.span_kind = SpanKind::Server;
            }
        }
        self.0.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.0.set_resource(resource);
    }
}

/// The name of a server span: the method and the route's template, or `HTTP` for a method
/// of no standard, which anyone can make up, so that each does not name spans of its own.
fn server_span_name(method: &str, route: Option<&str>) -> String {
    let method = Method::from_bytes(method.as_bytes())
        .ok()
        .and_then(|method| metrics::standard_method(&method))
        .unwrap_or("HTTP");
    match route {
        Some(route) => format!("{method} {route}"),
        None => method.to_owned(),
    }
}

/// A provider of metrics pushed to the configured endpoint at the configured interval, from
/// a thread of its own, and read by `prometheus` when given; `None` when neither wants them.
pub fn meter_provider(
    settings: &OtelSettings,
    prometheus: Option<PrometheusExporter>,
) -> Result<Option<SdkMeterProvider>, ExporterBuildError> {
    if settings.metrics_endpoint.is_none() && prometheus.is_none() {
        return Ok(None);
    }
    let mut provider = SdkMeterProvider::builder().with_resource(resource(settings));
    if let Some(endpoint) = &settings.metrics_endpoint {
        install_crypto_provider();
        let exporter = MetricExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint.as_str())
            .with_headers(export_headers(settings))
            .build()?;
        let reader = PeriodicReader::builder(exporter)
            .with_interval(settings.metric_export_interval)
            .build();
        provider = provider.with_reader(reader);
    }
    if let Some(prometheus) = prometheus {
        provider = provider.with_reader(prometheus);
    }
    Ok(Some(provider.build()))
}

/// The meter the app's instruments record into: that of the provider [`init`] started, or
/// one that records nothing when it started none.
pub fn meter() -> Meter {
    global::meter(env!("CARGO_PKG_NAME"))
}

/// The reader of the Prometheus page, when `METRICS_PORT` asked [`init`] for one.
pub fn prometheus() -> Option<&'static PrometheusExporter> {
    PROMETHEUS.get()
}

/// Installs the TLS crypto provider the exporters' client needs.
///
/// reqwest is built without a provider of its own; ring is the one sqlx already uses. An
/// error only means a provider was installed before, which is fine. rustls 0.23.48
/// deprecates ring's provider for its lack of post-quantum key exchange; the alternative,
/// aws-lc-rs, needs a C toolchain and cmake to build.
fn install_crypto_provider() {
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The headers sent with every export, such as a hosted backend's API key.
fn export_headers(settings: &OtelSettings) -> HashMap<String, String> {
    settings
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.expose_secret().to_owned()))
        .collect()
}

/// The service the telemetry is filed under, with its attributes.
///
/// Each process is an instance of its own, a random one unless the attributes name it, so
/// that the metrics of two replicas (or of the web server and the worker) are never taken
/// for one series written twice.
fn resource(settings: &OtelSettings) -> Resource {
    let attributes = settings
        .resource_attributes
        .iter()
        .map(|(key, value)| KeyValue::new(key.clone(), value.clone()));
    let instance = KeyValue::new("service.instance.id", INSTANCE.clone());
    // The instance first and the service name last: of two equal keys, the later one wins.
    Resource::builder()
        .with_attribute(instance)
        .with_attributes(attributes)
        .with_service_name(settings.service_name.clone())
        .build()
}

/// The layer that turns `tracing` spans into OpenTelemetry spans of `provider`.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    exporting_layer(Some(tracer(provider)))
}

/// The exporting layer of the provider [`init`] started. Without one, the layer takes
/// nothing: its filter rules out every callsite once, when first seen, so that no span does
/// any work for OpenTelemetry.
///
/// A layer either way rather than an `Option` of one, because an `Option` does not pass the
/// subscriber on to the layer inside it (`Layer::on_register_dispatch`), and [`SqlSpans`]
/// needs it.
pub fn tracing_layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    exporting_layer(TRACER.get().cloned())
}

/// A layer exporting through `tracer` what is exported (see the top of this module), or
/// nothing without a tracer: the spans with their fields and events, and nothing the layer
/// would add of its own.
///
/// Each of those additions costs work on every span, or on every poll of a span's future,
/// sampled or not: the source location and module of the span (always the same middleware
/// for a request), the thread it started on (any of the runtime's), the time it was busy
/// and idle (an `Instant` read at each poll), and the OpenTelemetry context made current at
/// each poll, which only OpenTelemetry's own instrumentation reads.
fn exporting_layer<S>(tracer: Option<SdkTracer>) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let exported = match tracer {
        Some(_) => Targets::new()
            .with_default(LevelFilter::INFO)
            .with_target(REDIS_CALLS, LevelFilter::DEBUG)
            .with_target(SQL_STATEMENTS, LevelFilter::DEBUG),
        None => Targets::new(),
    };
    // The statements become spans of their own rather than events of the span running them.
    let not_statements = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target(SQL_STATEMENTS, LevelFilter::OFF);
    let spans = tracer.clone().map(|tracer| {
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_location(false)
            .with_target(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_context_activation(false)
            .with_filter(not_statements)
    });
    let statements = SqlSpans {
        tracer,
        dispatch: OnceLock::new(),
    };
    Layer::and_then(spans, statements).with_filter(exported)
}

/// Makes each SQL statement a client span of the span that ran it.
///
/// sqlx makes no span of its own: it sends an event once a statement has run, with the
/// statement's text (its parameters left out) and how long it took. The span starts that
/// long before the event, so that it covers the statement. A statement run outside any span,
/// such as a migration at startup, starts no trace.
struct SqlSpans {
    /// The tracer the statements' spans start in, or none when nothing is exported.
    tracer: Option<SdkTracer>,
    /// The subscriber this layer is part of, which holds the OpenTelemetry span of each
    /// `tracing` span: weak, since the subscriber owns the layer.
    dispatch: OnceLock<WeakDispatch>,
}

impl<S> Layer<S> for SqlSpans
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        let _ = self.dispatch.set(subscriber.downgrade());
    }

    fn on_event(&self, event: &Event<'_>, context: layer::Context<'_, S>) {
        let Some(tracer) = &self.tracer else {
            return;
        };
        if event.metadata().target() != SQL_STATEMENTS {
            return;
        }
        let Some(span) = context.event_span(event) else {
            return;
        };
        let Some(dispatch) = self.dispatch.get().and_then(WeakDispatch::upgrade) else {
            return;
        };
        let Some(parent) = get_otel_context(&span.id(), &dispatch) else {
            return;
        };
        if !parent.has_active_span() {
            return;
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        let ended = SystemTime::now();
        let started = ended.checked_sub(statement.elapsed).unwrap_or(ended);
        let rows = i64::try_from(statement.returned_rows).unwrap_or(i64::MAX);
        let mut attributes = vec![
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("db.response.returned_rows", rows),
        ];
        let text = statement.text();
        let operation = operation(&text);
        if let Some(operation) = &operation {
            attributes.push(KeyValue::new("db.operation.name", operation.clone()));
        }
        attributes.push(KeyValue::new("db.query.text", text));
        tracer
            .span_builder(operation.unwrap_or_else(|| "postgresql".to_owned()))
            .with_kind(SpanKind::Client)
            .with_start_time(started)
            .with_attributes(attributes)
            .start_with_context(tracer, &parent)
            .end_with_timestamp(ended);
    }
}

/// What sqlx reports of a statement that has run.
#[derive(Default)]
struct Statement {
    /// The statement, or its first four words when it is longer.
    summary: String,
    /// The whole statement when the summary is not, otherwise empty.
    whole: String,
    returned_rows: u64,
    elapsed: Duration,
}

impl Statement {
    /// The statement's text.
    fn text(self) -> String {
        if self.whole.is_empty() {
            self.summary
        } else {
            self.whole
        }
    }
}

/// The first keyword of a statement, `SELECT` or `INSERT` say, which names its span.
fn operation(text: &str) -> Option<String> {
    let keyword = text.split_whitespace().next()?;
    keyword
        .bytes()
        .all(|byte| byte.is_ascii_alphabetic())
        .then(|| keyword.to_ascii_uppercase())
}

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            // Set apart by blank lines for the logs.
            "db.statement" => self.whole = value.trim().to_owned(),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "rows_returned" {
            self.returned_rows = value;
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed = Duration::try_from_secs_f64(value).unwrap_or_default();
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

/// Makes the request's `span` part of the caller's trace when its headers carry a
/// `traceparent`; called as the span is made, before anything enters it.
pub fn continue_trace(span: &Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let caller = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // This fails only when no layer exports the span (exporting is off) or the filter
    // disabled it: then there is no trace to continue.
    let _ = span.set_parent(caller);
}

/// The headers that carry the current span's trace to another service (W3C `traceparent`,
/// and `tracestate` when the trace has one), sent with each request the app makes so that
/// the service's spans join the trace, or follow its decision not to keep it. There are none
/// when no exporting layer records the current span.
pub fn trace_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    let context = Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(&mut headers));
    headers
}

fn tracer(provider: &SdkTracerProvider) -> SdkTracer {
    provider.tracer(env!("CARGO_PKG_NAME"))
}

/// Writes a trace context into request headers.
struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // The propagator writes its own header names, and values of visible ASCII.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// Reads a trace context from request headers.
struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;
    use tracing_subscriber::Registry;
    use tracing_subscriber::layer::SubscriberExt;

    use super::{operation, server_span_name, tracing_layer};

    #[test]
    fn without_a_provider_the_layer_takes_nothing() {
        let subscriber = Registry::default().with(tracing_layer());

        let enabled = tracing::subscriber::with_default(subscriber, || {
            tracing::enabled!(Level::ERROR)
                || tracing::enabled!(target: "sqlx::query", Level::DEBUG)
        });

        assert!(!enabled);
    }

    #[test]
    fn a_server_span_is_named_after_its_method_and_route() {
        assert_eq!(
            server_span_name("GET", Some("/items/{id}")),
            "GET /items/{id}"
        );
        assert_eq!(server_span_name("POST", None), "POST");
    }

    #[test]
    fn a_server_span_of_a_made_up_method_is_named_http() {
        assert_eq!(
            server_span_name("BREW", Some("/items/{id}")),
            "HTTP /items/{id}"
        );
        assert_eq!(server_span_name("get", None), "HTTP");
    }

    #[test]
    fn a_statement_is_named_after_its_first_keyword_in_capitals() {
        assert_eq!(operation("select 1").as_deref(), Some("SELECT"));
        assert_eq!(
            operation("\n  WITH recent AS (SELECT 1) SELECT * FROM recent").as_deref(),
            Some("WITH")
        );
    }

    #[test]
    fn a_statement_opening_with_anything_but_a_keyword_has_no_operation() {
        assert_eq!(operation("(SELECT 1) UNION (SELECT 2)"), None);
        assert_eq!(operation(""), None);
    }
}
