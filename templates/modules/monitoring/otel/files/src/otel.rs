//! Traces and metrics sent to an OpenTelemetry receiver over OTLP/HTTP: each request's span
//! with the spans and events inside it, continuing the caller's trace when its `traceparent`
//! header names one, and passing it on to the services the app calls (W3C Trace Context);
//! and the app's [`crate::metrics`], pushed at an interval and read by the Prometheus page.
//!
//! Without an endpoint nothing starts: no exporter, no exporting thread, no layer in the
//! subscriber; without a metrics port either, instruments record into nothing.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::metrics::Meter;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, global};
use opentelemetry_otlp::{
    ExporterBuildError, MetricExporter, Protocol, SpanExporter, WithExportConfig, WithHttpConfig,
};
use opentelemetry_prometheus_text_exporter::PrometheusExporter;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use secrecy::ExposeSecret;
use tracing::{Span, Subscriber};
use tracing_opentelemetry::{OpenTelemetryLayer, OpenTelemetrySpanExt};
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;
use uuid::Uuid;

use crate::config::OtelSettings;

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
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(settings.sampler.clone())
            .with_resource(resource(settings))
            .build(),
    ))
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
    exporting_layer(tracer(provider))
}

/// The exporting layer of the provider [`init`] started, or `None` when none did, so that
/// without an endpoint no span does any work for OpenTelemetry.
pub fn tracing_layer<S>() -> Option<impl Layer<S>>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    TRACER.get().map(|tracer| exporting_layer(tracer.clone()))
}

/// A layer exporting through `tracer` the spans' fields and events, and nothing the layer
/// would add of its own.
///
/// Each of those additions costs work on every span, or on every poll of a span's future,
/// sampled or not: the source location and module of the span (always the same middleware
/// for a request), the thread it started on (any of the runtime's), the time it was busy
/// and idle (an `Instant` read at each poll), and the OpenTelemetry context made current at
/// each poll, which only OpenTelemetry's own instrumentation reads.
fn exporting_layer<S>(tracer: SdkTracer) -> OpenTelemetryLayer<S, SdkTracer>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_target(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false)
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
