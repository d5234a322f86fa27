//! What the app measures, as OpenTelemetry instruments named after the semantic conventions:
//! each request's duration by route, method and status, the database pool's connections,
//! and the Redis calls that failed. [`crate::otel`] exports them over OTLP, and
//! [`serve_prometheus`] serves them as a Prometheus page on a port of its own. The route and
//! the status go on the request's span too, where only routing can tell the route.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body::{Frame, SizeHint};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter};
use opentelemetry::trace::Status;
use opentelemetry_prometheus_text_exporter::PrometheusExporter;
use redis::RedisError;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::otel;
use crate::state::AppState;

/// Upper bounds, in seconds, of the request duration's buckets: the semantic conventions'
/// advice, from 5 ms to 10 s.
const DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The instruments request handling records into.
pub struct Metrics {
    request_duration: Histogram<f64>,
}

impl Metrics {
    /// Instruments of `meter`, with the connections of `pool` read at each collection.
    pub fn new(meter: &Meter, pool: &PgPool) -> Self {
        observe_pool(meter, pool.clone());
        Self {
            request_duration: meter
                .f64_histogram("http.server.request.duration")
                .with_description("Duration of HTTP server requests.")
                .with_unit("s")
                .with_boundaries(DURATION_BUCKETS.to_vec())
                .build(),
        }
    }
}

/// Reports the pool's connections, idle and used (held by a request or a job, or still
/// being opened), and its maximum, whenever the metrics are collected: reading them then
/// costs requests nothing.
fn observe_pool(meter: &Meter, pool: PgPool) {
    let pool_name = || KeyValue::new("db.client.connection.pool.name", "postgres");
    let max = pool.options().get_max_connections();
    meter
        .i64_observable_up_down_counter("db.client.connection.count")
        .with_description("Connections of the database pool, by state: idle or used.")
        .with_unit("{connection}")
        .with_callback(move |observer| {
            let open = pool.size();
            let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX).min(open);
            for (state, count) in [("idle", idle), ("used", open - idle)] {
                let state = KeyValue::new("db.client.connection.state", state);
                observer.observe(i64::from(count), &[pool_name(), state]);
            }
        })
        .build();
    meter
        .i64_observable_up_down_counter("db.client.connection.max")
        .with_description("The most connections the database pool opens.")
        .with_unit("{connection}")
        .with_callback(move |observer| observer.observe(i64::from(max), &[pool_name()]))
        .build();
}

/// Counts a Redis call that failed, by its command and `error.type`: `timeout`,
/// `connection` (refused, dropped, or failing to read or write), the error code Redis
/// answered with (`WRONGTYPE`, `OOM`), or `other`.
///
/// The counter is looked up at each failure rather than kept in the state, which the callers
/// of [`crate::cache::traced`] do not all have at hand; failures are rare, and a call that
/// succeeds costs nothing here.
pub fn redis_failed(command: &'static str, error: &RedisError) {
    let error_type = if error.is_timeout() {
        "timeout"
    } else if error.is_connection_refusal() || error.is_connection_dropped() || error.is_io_error()
    {
        "connection"
    } else {
        error.code().unwrap_or("other")
    };
    otel::meter()
        .u64_counter("redis.client.errors")
        .with_description("Redis calls that failed.")
        .with_unit("{error}")
        .build()
        .add(
            1,
            &[
                KeyValue::new("db.system.name", "redis"),
                KeyValue::new("db.operation.name", command),
                KeyValue::new("error.type", error_type.to_owned()),
            ],
        );
}

/// Records the duration of each request from routing until its response's body is sent (or
/// the client went away while it was), with its method, route template (`/items/{id}`, not
/// the path requested) and status: a streamed answer counts for as long as it streams.
///
/// The request's span gets the route and the status as `http.route` and
/// `http.response.status_code`, and an error status on a 5xx, as the conventions of HTTP
/// server spans have them.
///
/// A request matching no route has no route, so that stray paths do not each make a
/// series. One whose handling stopped before a response (the request timeout struck, which
/// answers 408 from outside the router, or the client went away) is recorded with
/// `error.type` `cancelled` and no status.
pub async fn measure(
    State(state): State<AppState>,
    route: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    // Room for the status and the error type, added once the response is known.
    let mut attributes = Vec::with_capacity(4);
    attributes.push(KeyValue::new(
        "http.request.method",
        standard_method(request.method()).unwrap_or("_OTHER"),
    ));
    let span = Span::current();
    if let Some(route) = route {
        span.set_attribute("http.route", route.as_str().to_owned());
        attributes.push(KeyValue::new("http.route", route.as_str().to_owned()));
    }
    let mut outcome = Outcome {
        histogram: state.metrics.request_duration.clone(),
        started: Instant::now(),
        attributes,
        status: None,
    };
    let response = next.run(request).await;
    let status = response.status();
    span.set_attribute("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.set_status(Status::error(status.to_string()));
    }
    outcome.status = Some(status);
    response.map(|body| {
        Body::new(Timed {
            body,
            _outcome: outcome,
        })
    })
}

/// A request being handled, recorded when it is dropped: with its status once it has one,
/// as cancelled otherwise.
struct Outcome {
    histogram: Histogram<f64>,
    started: Instant,
    attributes: Vec<KeyValue>,
    status: Option<StatusCode>,
}

/// A response body that carries its request's [`Outcome`].
struct Timed {
    body: Body,
    /// Recorded as the body is dropped: once it is sent, or when the client goes away.
    _outcome: Outcome,
}

impl http_body::Body for Timed {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Outcome {
    fn drop(&mut self) {
        match self.status {
            Some(status) => {
                let code = KeyValue::new("http.response.status_code", i64::from(status.as_u16()));
                self.attributes.push(code);
                if status.is_server_error() {
                    let error = KeyValue::new("error.type", status.as_str().to_owned());
                    self.attributes.push(error);
                }
            }
            None => self
                .attributes
                .push(KeyValue::new("error.type", "cancelled")),
        }
        let seconds = self.started.elapsed().as_secs_f64();
        self.histogram.record(seconds, &self.attributes);
    }
}

/// The method's name when it is one of HTTP's, `None` for a made-up one, which the
/// semantic conventions keep out of names and labels so that each does not make its own.
pub(crate) fn standard_method(method: &Method) -> Option<&'static str> {
    Some(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => return None,
    })
}

/// Serves `/metrics` on `host` and the configured port, when [`otel::init`] started the
/// Prometheus page's reader, until the process ends.
///
/// A port of its own rather than a route of the API: the platforms route only `PORT` to the
/// public, so the page, which tells who calls what and how often, stays inside the network
/// where Prometheus scrapes it, with no credentials to keep.
pub async fn serve_prometheus(host: &str, port: Option<u16>) -> std::io::Result<()> {
    let (Some(port), Some(exporter)) = (port, otel::prometheus()) else {
        return Ok(());
    };
    let listener = TcpListener::bind((host, port)).await?;
    tracing::info!(port, "serving metrics at /metrics");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, prometheus_page(exporter.clone())).await {
            tracing::error!(%error, "the metrics page stopped");
        }
    });
    Ok(())
}

/// The router of the Prometheus page: `GET /metrics`, the metrics `exporter` reads.
pub fn prometheus_page(exporter: PrometheusExporter) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move {
            let mut page = Vec::new();
            match exporter.export(&mut page) {
                Ok(()) => (
                    [(
                        header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )],
                    page,
                )
                    .into_response(),
                Err(error) => {
                    tracing::error!(%error, "could not write the metrics page");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use opentelemetry::global;
    use opentelemetry_prometheus_text_exporter::PrometheusExporter;
    use opentelemetry_sdk::metrics::SdkMeterProvider;
    use redis::AsyncCommands;
    use uuid::Uuid;

    use crate::cache;
    use crate::config::RedisSettings;

    /// The page of the process-wide meter provider these tests install, which
    /// [`super::redis_failed`] records into; each test counts a command of its own.
    static PAGE: LazyLock<PrometheusExporter> = LazyLock::new(|| {
        let exporter = PrometheusExporter::new();
        let provider = SdkMeterProvider::builder()
            .with_reader(exporter.clone())
            .build();
        global::set_meter_provider(provider);
        exporter
    });

    /// The failed calls counted for `command` with `error_type`.
    fn failures(command: &str, error_type: &str) -> u64 {
        let mut page = Vec::new();
        PAGE.export(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        let labels = [
            "db_system_name=\"redis\"".to_owned(),
            format!("db_operation_name=\"{command}\""),
            format!("error_type=\"{error_type}\""),
        ];
        page.lines()
            .filter(|line| line.starts_with("redis_client_errors_total{"))
            .filter(|line| labels.iter().all(|label| line.contains(label.as_str())))
            .map(|line| line.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
            .sum()
    }

    fn redis(url: &str) -> redis::aio::ConnectionManager {
        cache::connect(&RedisSettings {
            url: url.to_owned().into(),
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_redis_call_that_cannot_connect_counts_as_a_connection_error() {
        LazyLock::force(&PAGE);
        // Nothing listens on port 1.
        let mut redis = redis("redis://127.0.0.1:1");

        let result = cache::traced("GET", redis.get::<_, Option<String>>("absent")).await;

        assert!(result.is_err());
        assert_eq!(failures("GET", "connection"), 1);
    }

    #[tokio::test]
    async fn a_redis_call_the_server_refuses_counts_under_its_error_code() {
        LazyLock::force(&PAGE);
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let mut redis = redis(&url);
        let key = format!("test:{}", Uuid::new_v4().simple());
        cache::traced("SET", redis.set_ex::<_, _, ()>(&key, "text", 60))
            .await
            .unwrap();

        let result = cache::traced("LPUSH", redis.lpush::<_, _, ()>(&key, "item")).await;

        assert!(result.is_err());
        assert_eq!(failures("LPUSH", "WRONGTYPE"), 1);
    }
}
