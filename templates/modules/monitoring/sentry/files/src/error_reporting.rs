//! Error reporting to Sentry: panics, and `tracing` errors such as the ones `AppError` logs
//! for its 500s, with the request they happened in.
//!
//! Without a DSN nothing starts: no client, no sending thread, no layer in the subscriber.

use std::sync::Arc;

use sentry::integrations::tracing::{BreadcrumbLayer, ErrorLayer, SpanLayer};
use tracing::{Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, filter_fn};
use tracing_subscriber::registry::LookupSpan;

use crate::config::ErrorReportingSettings;

/// Keeps reporting on; dropping it sends what is still queued (waiting up to Sentry's
/// two-second shutdown timeout) and stops the client.
#[must_use = "reporting stops when the guard is dropped"]
pub struct Guard(Arc<sentry::Client>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.close(None);
    }
}

/// Starts reporting when a DSN is configured, for the whole process.
///
/// Call it in `main` before other threads use Sentry: a thread copies the main hub, with
/// or without a client, the first time it reports.
pub fn init(settings: &ErrorReportingSettings) -> Option<Guard> {
    let client = client(settings)?;
    sentry::Hub::main().bind_client(Some(client.clone()));
    Some(Guard(client))
}

/// A client for the configured DSN, with its transport and the panic hook, or `None`
/// without a DSN.
pub fn client(settings: &ErrorReportingSettings) -> Option<Arc<sentry::Client>> {
    let dsn = settings.dsn.clone()?;
    let mut options = sentry::ClientOptions::new()
        .environment(settings.environment.clone())
        .maybe_release(sentry::release_name!())
        .traces_sample_rate(settings.traces_sample_rate);
    options.dsn = Some(dsn);
    // The defaults add the HTTP transport (which honours `HTTPS_PROXY`) and the panic,
    // context and stack trace integrations; the `SENTRY_*` variables they would read only
    // fill options left unset, and none is.
    Some(Arc::new(sentry::apply_defaults(options).into()))
}

/// What `tracing` tells Sentry, or `None` when no client is bound to the current hub, so
/// that without a DSN no span or event does any work for Sentry.
pub fn tracing_layer<S>() -> Option<impl Layer<S>>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
{
    let reporting = sentry::Hub::current()
        .client()
        .is_some_and(|client| client.is_enabled());
    reporting.then(|| {
        // Spans such as each request's become transactions, sent as sampled.
        SpanLayer::new()
            .with_filter(LevelFilter::INFO)
            // Info and warning events travel with the next error report as breadcrumbs.
            .and_then(
                BreadcrumbLayer::new().with_filter(
                    filter_fn(|metadata| {
                        metadata.is_event()
                            && matches!(*metadata.level(), Level::INFO | Level::WARN)
                    })
                    .with_max_level_hint(LevelFilter::INFO),
                ),
            )
            // Errors are reported with the fields of their spans (the request id, say), which
            // this layer can only read if it sees the spans too. tower-http's error line for
            // each 5xx is left out: it repeats, without the cause, what the code reported.
            .and_then(
                ErrorLayer::new().enable_span_attributes().with_filter(
                    filter_fn(|metadata| {
                        if metadata.is_span() {
                            *metadata.level() <= Level::INFO
                        } else {
                            *metadata.level() == Level::ERROR
                                && metadata.target() != "tower_http::trace::on_failure"
                        }
                    })
                    // Keeps the subscriber's most verbose level at `info` unless another layer
                    // asks for more.
                    .with_max_level_hint(LevelFilter::INFO),
                ),
            )
    })
}
