//! A job's place in a trace: a job enqueued while a request is traced carries the W3C trace
//! context of the span that enqueued it, and its run becomes a child of that span, so the
//! work a request handed to the worker shows in the request's trace.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Writes the current span's trace context (`traceparent` and `tracestate`) into a job's
/// context, when a span is exported: also when its trace is not sampled, so that the job's
/// runs are left out of the trace like the rest of it.
pub fn write(context: &mut HashMap<String, String>) {
    TraceContextPropagator::new().inject_context(&Span::current().context(), context);
}

/// Makes a job's `span` a child of the span its context names; called as the span is made,
/// before anything enters it.
pub fn continue_trace(span: &Span, context: &HashMap<String, String>) {
    if !context.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(context);
    // This fails only when no layer exports the span (exporting is off) or the filter
    // disabled it: then there is no trace to continue.
    let _ = span.set_parent(parent);
}
