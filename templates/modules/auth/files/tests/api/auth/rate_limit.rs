//! The signed-in groups count each user against their own quota, after authentication.

use super::idp::AuthApp;

fn remaining(response: &reqwest::Response) -> &str {
    response.headers()["ratelimit-remaining"].to_str().unwrap()
}

#[tokio::test]
async fn each_signed_in_user_has_a_quota_of_their_own() {
    let auth = AuthApp::spawn_with(&[("RATE_LIMIT_APP", "2/60s")]).await;
    let (first, second) = (auth.valid_token(), auth.valid_token());

    let responses = [
        auth.get_as("/api/v1/me", &first).await,
        auth.get_as("/api/v1/me", &first).await,
    ];
    assert_eq!(
        responses.each_ref().map(|r| r.status().as_u16()),
        [200, 200]
    );
    assert_eq!(responses.each_ref().map(remaining), ["1", "0"]);
    let refused = auth.get_as("/api/v1/me", &first).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));

    // Same client IP, another user: a fresh quota.
    let other = auth.get_as("/api/v1/me", &second).await;
    assert_eq!(other.status(), 200);
    assert_eq!(remaining(&other), "1");
}

#[tokio::test]
async fn the_admin_routes_have_their_own_quota() {
    let auth = AuthApp::spawn_with(&[("RATE_LIMIT_ADMIN", "1/60s")]).await;
    let token = auth.valid_token();

    let forbidden = auth.get_as("/api/v1/admin/users", &token).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(forbidden.headers()["ratelimit-limit"], "1");
    assert_eq!(
        auth.get_as("/api/v1/admin/users", &token).await.status(),
        429
    );
    assert_eq!(auth.get_as("/api/v1/me", &token).await.status(), 200);
}

#[tokio::test]
async fn a_refused_token_gets_401_before_any_quota_is_spent() {
    let auth = AuthApp::spawn_with(&[("RATE_LIMIT_APP", "1/60s")]).await;

    for _ in 0..3 {
        let response = auth.get_as("/api/v1/me", "not-a-jwt").await;
        assert_eq!(response.status(), 401);
        assert!(!response.headers().contains_key("ratelimit-limit"));
    }
    let response = auth.app.get("/api/v1/me").await;
    assert_eq!(response.status(), 401);

    assert_eq!(
        auth.get_as("/api/v1/me", &auth.valid_token())
            .await
            .status(),
        200
    );
}
