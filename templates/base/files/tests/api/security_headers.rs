use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;

    for path in ["/health", "/no-such-page"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let expected = [
            (
                "strict-transport-security",
                "max-age=63072000; includeSubDomains",
            ),
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            (
                "content-security-policy",
                "default-src 'none'; frame-ancestors 'none'",
            ),
        ];
        for (name, value) in expected {
            assert_eq!(headers[name], value, "{name} on {path}");
        }
    }
}

#[tokio::test]
async fn a_request_without_an_id_gets_a_uuid() {
    let app = spawn_app().await;

    let response = app.health().await;

    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn each_request_gets_an_id_of_its_own() {
    let app = spawn_app().await;

    let first = app.health().await;
    let second = app.health().await;

    assert_ne!(
        first.headers()["x-request-id"],
        second.headers()["x-request-id"]
    );
}
