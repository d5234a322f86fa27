//! Traces sent to an OpenTelemetry receiver over OTLP/HTTP: each request's span with the
//! spans and events inside it, its SQL queries and Redis calls among them, continuing the
//! caller's trace when its `traceparent` header names one (W3C Trace Context).
//!
//! Without an endpoint nothing starts: no exporter, no exporting thread, and no layer that
//! takes any span or event.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;
use opentelemetry::KeyValue;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{
    Span as _, SpanKind, TraceContextExt, Tracer as _, TracerProvider as _,
};
use opentelemetry_otlp::{
    ExporterBuildError, Protocol, SpanExporter, WithExportConfig, WithHttpConfig,
};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use secrecy::ExposeSecret;
use tracing::dispatcher::WeakDispatch;
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Level, Metadata, Span, Subscriber};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets, dynamic_filter_fn};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::config::OtelSettings;

/// The tracer of the provider [`init`] started, which the global subscriber's layers use.
static TRACER: OnceLock<SdkTracer> = OnceLock::new();

/// The target of the spans [`crate::cache::traced`] opens around Redis calls.
const REDIS_CALLS: &str = concat!(env!("CARGO_CRATE_NAME"), "::cache");

/// The target of the event sqlx logs for each query it ran.
const SQL_QUERIES: &str = "sqlx::query";

/// Keeps exporting on; dropping it exports the spans still queued and stops the exporting
/// thread.
#[must_use = "exporting stops when the guard is dropped"]
pub struct Guard(SdkTracerProvider);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Err(error) = self.0.shutdown() {
            eprintln!("could not export the last traces: {error}");
        }
    }
}

/// Starts exporting when an endpoint is configured, for the whole process.
///
/// Call it once in `main`, before the subscriber is installed: [`tracing_layer`] adds the
/// exporting layer only once a provider has started.
pub fn init(settings: &OtelSettings) -> Result<Option<Guard>, ExporterBuildError> {
    let Some(provider) = provider(settings)? else {
        return Ok(None);
    };
    // `main` calls this once; a second call would keep the first provider's tracer.
    let _ = TRACER.set(tracer(&provider));
    Ok(Some(Guard(provider)))
}

/// A provider that exports batches of spans to the configured endpoint from a thread of its
/// own, or `None` without an endpoint.
pub fn provider(settings: &OtelSettings) -> Result<Option<SdkTracerProvider>, ExporterBuildError> {
    let Some(endpoint) = &settings.traces_endpoint else {
        return Ok(None);
    };
    // reqwest is built without a TLS crypto provider of its own; ring is the one sqlx
    // already uses. An error only means a provider was installed before, which is fine.
    // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
    // the alternative, aws-lc-rs, needs a C toolchain and cmake to build.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let headers = settings
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.expose_secret().to_owned()))
        .collect();
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(endpoint.as_str())
        .with_headers(headers)
        .build()?;
    let attributes = settings
        .resource_attributes
        .iter()
        .map(|(key, value)| KeyValue::new(key.clone(), value.clone()));
    // The service name last: of two `service.name`s, the later one wins.
    let resource = Resource::builder()
        .with_attributes(attributes)
        .with_service_name(settings.service_name.clone())
        .build();
    Ok(Some(
        SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(settings.sampler.clone())
            .with_resource(resource)
            .build(),
    ))
}

/// The layers that turn `tracing` spans, and sqlx's queries, into OpenTelemetry spans of
/// `provider`.
pub fn layer<S>(provider: &SdkTracerProvider) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let tracer = tracer(provider);
    exporting_layer(tracer.clone()).and_then(QuerySpans::layer(Some(tracer)))
}

/// The exporting layer of the provider [`init`] started, or `None` when none did, so that
/// without an endpoint no span does any work for OpenTelemetry.
pub fn tracing_layer<S>() -> Option<impl Layer<S>>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    TRACER.get().map(|tracer| exporting_layer(tracer.clone()))
}

/// The layer that turns each SQL query into a span, which takes no event at all when no
/// provider started.
///
/// It is not an `Option` like [`tracing_layer`]: an optional layer does not pass on the
/// subscriber it is registered with, which this one needs to find the span a query ran in.
pub fn query_layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    QuerySpans::layer(TRACER.get().cloned())
}

/// A layer exporting through `tracer` the spans' fields and events, and nothing the layer
/// would add of its own.
///
/// It takes `info` spans and events, and the spans of Redis calls made within them.
/// `RUST_LOG` filters the logs alone: quieter logs keep the traces whole, and sampling is
/// what keeps fewer of them.
///
/// Each of the layer's own additions costs work on every span, or on every poll of a span's
/// future, sampled or not: the source location and module of the span (always the same
/// middleware for a request), the thread it started on (any of the runtime's), the time it
/// was busy and idle (an `Instant` read at each poll), and the OpenTelemetry context made
/// current at each poll, which only OpenTelemetry's own instrumentation reads.
fn exporting_layer<S>(tracer: SdkTracer) -> impl Layer<S>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    // Outside any span, a Redis call would start a trace of its own: the workers poll the
    // queue that way all day, and a trace for each poll would bury the requests'.
    let redis_calls = dynamic_filter_fn(|metadata: &Metadata<'_>, cx: &Context<'_, S>| {
        metadata.target() == REDIS_CALLS && cx.lookup_current().is_some()
    })
    .with_max_level_hint(LevelFilter::DEBUG)
    .with_callsite_filter(|metadata| {
        if metadata.target() == REDIS_CALLS {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    });
    tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_target(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false)
        .with_filter(LevelFilter::INFO.or(redis_calls))
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

fn tracer(provider: &SdkTracerProvider) -> SdkTracer {
    provider.tracer(env!("CARGO_PKG_NAME"))
}

/// Turns the event sqlx logs as each query ends into a client span of the span the query
/// ran in, dated back by the query's duration: sqlx opens no span of its own.
struct QuerySpans {
    tracer: Option<SdkTracer>,
    /// The subscriber this layer is registered with, where the OpenTelemetry context of a
    /// query's span is found.
    subscriber: OnceLock<WeakDispatch>,
}

impl QuerySpans {
    /// The layer, taking sqlx's query events when there is a tracer, and nothing otherwise.
    fn layer<S>(tracer: Option<SdkTracer>) -> impl Layer<S>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        let mut events = Targets::new();
        if tracer.is_some() {
            events = events.with_target(SQL_QUERIES, Level::TRACE);
        }
        let queries = Self {
            tracer,
            subscriber: OnceLock::new(),
        };
        queries.with_filter(events)
    }

    /// The OpenTelemetry context of the span an event was logged in, when that span is
    /// exported and its trace kept.
    fn parent<S>(&self, ctx: &Context<'_, S>) -> Option<opentelemetry::Context>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        // A query outside any span (migrations at startup, the workers' polling) is left
        // out, like the Redis calls made there.
        let id = ctx.current_span().id()?.clone();
        let subscriber = self.subscriber.get()?.upgrade()?;
        let parent = tracing_opentelemetry::get_otel_context(&id, &subscriber)?;
        // Every sampler decides for a query as it did for its span: by the parent, or by
        // the trace id they share.
        let sampled = parent.span().span_context().is_sampled();
        sampled.then_some(parent)
    }
}

impl<S> Layer<S> for QuerySpans
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    fn on_register_dispatch(&self, subscriber: &Dispatch) {
        let _ = self.subscriber.set(subscriber.downgrade());
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let Some(tracer) = &self.tracer else {
            return;
        };
        let Some(parent) = self.parent(&ctx) else {
            return;
        };
        let mut query = Query::default();
        event.record(&mut query);
        let end = SystemTime::now();
        let start = end.checked_sub(query.elapsed).unwrap_or(end);
        let operation = query.operation();
        let mut attributes = vec![
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("db.operation.name", operation.clone()),
            KeyValue::new("db.query.text", query.text),
        ];
        if let Some(rows) = query.rows_returned {
            attributes.push(KeyValue::new("db.response.returned_rows", rows));
        }
        tracer
            .span_builder(operation)
            .with_kind(SpanKind::Client)
            .with_start_time(start)
            .with_attributes(attributes)
            .start_with_context(tracer, &parent)
            .end_with_timestamp(end);
    }
}

/// What sqlx logs of a query: its text, how long it took and the rows it returned.
#[derive(Default)]
struct Query {
    text: String,
    elapsed: Duration,
    rows_returned: Option<i64>,
}

impl Query {
    /// The statement's first word, such as `SELECT`, which names the span.
    fn operation(&self) -> String {
        let first = self.text.split_whitespace().next().unwrap_or("query");
        first.to_ascii_uppercase()
    }
}

impl Visit for Query {
    fn record_str(&mut self, field: &Field, value: &str) {
        // sqlx logs the whole statement under `db.statement` only when it is longer than
        // the `summary` of its first four words, and leaves it empty otherwise.
        match field.name() {
            "summary" if self.text.is_empty() => value.clone_into(&mut self.text),
            "db.statement" if !value.trim().is_empty() => value.trim().clone_into(&mut self.text),
            _ => {}
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "rows_returned" {
            self.rows_returned = i64::try_from(value).ok();
        }
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.elapsed = Duration::try_from_secs_f64(value).unwrap_or_default();
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
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
