//! Browser pages on the configured origins may call the API and read what it answers;
//! pages elsewhere may not.

use reqwest::{Method, Response};

use crate::helpers::{TestApp, spawn_app_with};

const ORIGIN: &str = "https://app.example.com";
const ADMIN_ORIGIN: &str = "https://admin.example.com";
/// Origins no page of the allowed ones sends: another site, a sandboxed page's, and the
/// allowed one spelled otherwise.
const OTHERS: [&str; 3] = ["https://evil.example", "null", "HTTPS://APP.EXAMPLE.COM"];

async fn spawn() -> TestApp {
    spawn_app_with(&[(
        "CORS_ALLOWED_ORIGINS",
        "https://app.example.com, https://admin.example.com",
    )])
    .await
}

/// A browser's preflight from `origin`, before a `PATCH` with a token and a JSON body to a
/// path no route serves: the answer comes before routing.
async fn preflight(app: &TestApp, origin: &str) -> Response {
    app.client
        .request(Method::OPTIONS, format!("{}/no-such-page", app.address))
        .header("origin", origin)
        .header("access-control-request-method", "PATCH")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("request failed")
}

async fn get_from(app: &TestApp, origin: &str) -> Response {
    get_path_from(app, "/health", origin).await
}

async fn get_path_from(app: &TestApp, path: &str, origin: &str) -> Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("origin", origin)
        .send()
        .await
        .expect("request failed")
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_allows_the_apis_methods_and_headers() {
    let app = spawn().await;

    let response = preflight(&app, ORIGIN).await;

    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        headers["access-control-allow-methods"],
        "GET,POST,PATCH,DELETE"
    );
    assert_eq!(
        headers["access-control-allow-headers"],
        "authorization,content-type,x-request-id"
    );
    assert_eq!(headers["access-control-max-age"], "7200");
    assert!(headers.get("access-control-allow-credentials").is_none());
    assert_eq!(
        varies_on(&response),
        [
            "origin",
            "access-control-request-method",
            "access-control-request-headers"
        ]
    );
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_not_allowed() {
    let app = spawn().await;

    for origin in OTHERS {
        let response = preflight(&app, origin).await;

        assert_eq!(cors_headers(&response), Vec::<&str>::new(), "{origin}");
    }
}

#[tokio::test]
async fn a_page_on_an_allowed_origin_may_read_the_request_id_and_the_rate_limit() {
    let app = spawn().await;

    let response = get_from(&app, ORIGIN).await;

    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        headers["access-control-expose-headers"],
        "x-request-id,retry-after,www-authenticate,ratelimit-limit,ratelimit-remaining,ratelimit-reset"
    );
    assert!(varies_on(&response).contains(&"origin"), "{headers:?}");
}

#[tokio::test]
async fn a_page_on_another_origin_cannot_read_the_answer() {
    let app = spawn().await;

    for origin in OTHERS {
        let response = get_from(&app, origin).await;

        assert_eq!(response.status(), 200);
        assert_eq!(cors_headers(&response), Vec::<&str>::new(), "{origin}");
    }
}

#[tokio::test]
async fn a_page_on_any_allowed_origin_may_read_an_error() {
    let app = spawn().await;

    let response = get_path_from(&app, "/no-such-page", ADMIN_ORIGIN).await;

    assert_eq!(response.status(), 404);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ADMIN_ORIGIN);
    assert!(headers.contains_key("access-control-expose-headers"));
}

#[tokio::test]
async fn a_request_without_an_origin_gets_no_cors_headers_but_varies_on_the_origin() {
    let app = spawn().await;

    let response = app.health().await;

    assert_eq!(cors_headers(&response), Vec::<&str>::new());
    assert_eq!(varies_on(&response), ["origin"]);
}

/// The names of the CORS headers of `response`.
fn cors_headers(response: &Response) -> Vec<&str> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

/// Every value of the `Vary` headers of `response`.
fn varies_on(response: &Response) -> Vec<&str> {
    response
        .headers()
        .get_all("vary")
        .iter()
        .flat_map(|vary| vary.to_str().unwrap().split(','))
        .map(str::trim)
        .collect()
}
