//! The OpenAPI 3.1 document, derived from the handlers the routers mount, and the routes that
//! publish it: `/api/v1/openapi.json` and an API reference at `/docs`.

use axum::Router;
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::Html;
use axum::routing::get;
use utoipa::OpenApi as _;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::{
    Content, ObjectBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder, Type,
};
use utoipa_scalar::Scalar;

use crate::error::ErrorEnvelope;
use crate::routes;
use crate::state::AppState;

/// Where the versioned API is mounted.
pub const API_PREFIX: &str = "/api/v1";

/// The parts of the document no handler describes.
#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(ErrorEnvelope)),
    tags((name = "health", description = "Liveness and readiness probes"))
)]
struct Base;

/// The whole HTTP surface: the probes at the root and the API under [`API_PREFIX`].
pub fn document() -> OpenApi {
    let mut api = routes::api_openapi();
    add_api_responses(&mut api);
    let mut document = Base::openapi();
    // The title and version come from Cargo.toml, and so would a description and a license,
    // which a new package leaves empty: an empty license name is not a license.
    let info = &mut document.info;
    info.description = info.description.take().filter(|text| !text.is_empty());
    info.license = info
        .license
        .take()
        .filter(|license| !license.name.is_empty());
    document.merge(routes::health::router().into_openapi());
    document.nest(API_PREFIX, api)
}

/// The document as the committed `openapi.json` holds it (what `make openapi` writes): keys
/// sorted, two-space indents and a final newline, so that an API change reads as a small diff.
pub fn document_json() -> String {
    // serde_json's maps keep their keys sorted, whatever order utoipa built them in.
    let document =
        serde_json::to_value(document()).expect("the OpenAPI document serialises to JSON");
    let mut json = serde_json::to_string_pretty(&document).expect("a JSON value serialises");
    json.push('\n');
    json
}

/// `/api/v1/openapi.json` and `/docs`, both rendered once, at startup.
pub fn routes() -> Router<AppState> {
    let document = document();
    let json = document
        .to_json()
        .expect("the OpenAPI document serialises to JSON");
    let page = Scalar::new(document).to_html();
    Router::new()
        .route(
            &format!("{API_PREFIX}/openapi.json"),
            get(move || async move { ([(CONTENT_TYPE, "application/json")], json) }),
        )
        .route(
            "/docs",
            get(move || async move { ([(CONTENT_SECURITY_POLICY, DOCS_POLICY)], Html(page)) }),
        )
}

/// The reference page runs Scalar from its CDN, which the API's own policy (`default-src
/// 'none'`) would block; it still may not be framed, nor send requests anywhere but here.
const DOCS_POLICY: &str = "default-src 'none'; script-src https://cdn.jsdelivr.net; \
    style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.scalar.com; \
    font-src https://cdn.jsdelivr.net https://fonts.scalar.com data:; img-src data: https:; \
    connect-src 'self'; frame-ancestors 'none'";

/// An error response in the API's envelope, for the document.
pub fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorEnvelope"))),
        )
        .build()
}

/// Adds `response` under `status` to every operation that does not describe that status
/// itself, as a reference to one shared component named `name`.
pub fn add_response(openapi: &mut OpenApi, status: &str, name: &str, response: Response) {
    add_response_where(openapi, status, name, response, |_| true);
}

/// Like [`add_response`], for the operations that `applies` selects.
fn add_response_where(
    openapi: &mut OpenApi,
    status: &str,
    name: &str,
    response: Response,
    applies: impl Fn(&Operation) -> bool,
) {
    let mut used = false;
    for operation in operations_mut(openapi) {
        if applies(operation) && !operation.responses.responses.contains_key(status) {
            operation
                .responses
                .responses
                .insert(status.to_owned(), RefOr::Ref(Ref::from_response_name(name)));
            used = true;
        }
    }
    if used {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .responses
            .insert(name.to_owned(), RefOr::T(response));
    }
}

/// Every operation of every path.
pub fn operations_mut(openapi: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// The answers that the API's shared layers and extractors can give to any operation.
fn add_api_responses(api: &mut OpenApi) {
    // Headers are read by the handler that names them, not by an extractor that rejects.
    let reads_input = |operation: &Operation| {
        operation.request_body.is_some()
            || operation.parameters.iter().flatten().any(|parameter| {
                matches!(
                    parameter,
                    RefOr::T(Parameter {
                        parameter_in: ParameterIn::Path | ParameterIn::Query,
                        ..
                    })
                )
            })
    };
    let has_body = |operation: &Operation| operation.request_body.is_some();
    add_response_where(
        api,
        "400",
        "BadRequest",
        error_response("The body, path or query could not be read"),
        reads_input,
    );
    add_response_where(
        api,
        "413",
        "PayloadTooLarge",
        error_response("The body is larger than `REQUEST_BODY_LIMIT_BYTES`"),
        has_body,
    );
    add_response_where(
        api,
        "415",
        "UnsupportedMediaType",
        error_response("The body is not sent as `application/json`"),
        has_body,
    );
    add_response_where(
        api,
        "422",
        "ValidationFailed",
        error_response("Some input is invalid; `fields` names each invalid field"),
        reads_input,
    );
    add_response(api, "429", "TooManyRequests", too_many_requests());
    add_response(
        api,
        "500",
        "InternalError",
        error_response("Something failed on the server; the cause is logged, not sent"),
    );
    add_response(
        api,
        "503",
        "ServiceUnavailable",
        error_response("A dependency (such as Redis for the rate limit) is unavailable"),
    );
}

fn too_many_requests() -> Response {
    let seconds = HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::Integer)))
        .description(Some("Seconds until a request may succeed"))
        .build();
    let mut response =
        error_response("The route group's rate limit is spent; retry after `Retry-After` seconds");
    response
        .headers
        .insert("Retry-After".to_owned(), RefOr::T(seconds));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The command that refreshes `openapi.json`.
    const REFRESH: &str = "make openapi (or: cargo run -- openapi > openapi.json)";

    /// `openapi.json` is the API's contract as reviewers and clients see it: it must be the
    /// document the handlers describe, byte for byte.
    #[test]
    fn the_committed_openapi_json_is_the_document_the_code_describes() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        let committed = std::fs::read_to_string(path).unwrap_or_else(|error| {
            panic!("could not read {path} ({error}); write it with {REFRESH}")
        });
        let described = document_json();

        let first_difference = committed
            .lines()
            .zip(described.lines())
            .enumerate()
            .find(|(_, (committed, described))| committed != described);
        match first_difference {
            Some((index, (committed, described))) => panic!(
                "openapi.json is stale: line {} is `{}` but the code describes `{}`. \
                 Refresh it with {REFRESH}, and commit it.",
                index + 1,
                committed.trim(),
                described.trim()
            ),
            None => assert!(
                committed == described,
                "openapi.json is stale: its length differs from the document the code \
                 describes. Refresh it with {REFRESH}, and commit it."
            ),
        }
    }
}
