//! Pages by limit and offset, and by cursor: every row once, in order, ties included.

use reqwest::Method;
use serde_json::Value;

use super::{ProjectsApp, names};

async fn create_numbered(app: &ProjectsApp, count: usize) -> Vec<String> {
    let mut created = Vec::new();
    for n in 0..count {
        let name = format!("p{n}");
        app.create(&name).await;
        created.push(name);
    }
    created
}

/// Follows `next_cursor` from the first page of `limit` rows to the last.
async fn walk(app: &ProjectsApp, limit: usize) -> (Vec<String>, usize) {
    let mut seen = Vec::new();
    let mut pages = 0;
    let mut query = format!("?limit={limit}");
    loop {
        let (page_names, page) = app.list(&query).await;
        pages += 1;
        assert!(page_names.len() <= limit, "{page}");
        seen.extend(page_names);
        match &page["next_cursor"] {
            Value::String(cursor) => query = format!("?limit={limit}&cursor={cursor}"),
            Value::Null => return (seen, pages),
            other => panic!("unexpected next_cursor {other}"),
        }
    }
}

#[tokio::test]
async fn limit_and_offset_page_through_the_projects_oldest_first() {
    let app = ProjectsApp::spawn().await;
    let created = create_numbered(&app, 5).await;

    let (first, first_page) = app.list("?limit=2").await;
    let (third, third_page) = app.list("?limit=2&offset=4").await;

    assert_eq!(first, created[..2]);
    assert_eq!(first_page["limit"], 2);
    assert_eq!(first_page["offset"], 0);
    assert!(first_page["next_cursor"].is_string());
    assert_eq!(third, created[4..]);
    assert!(third_page["next_cursor"].is_null(), "the last page");
    assert_eq!(
        app.list("").await.0,
        created,
        "the default page holds them all"
    );
}

#[tokio::test]
async fn an_offset_past_the_end_is_an_empty_page() {
    let app = ProjectsApp::spawn().await;
    create_numbered(&app, 2).await;

    let (items, page) = app.list("?offset=2").await;
    let (far, _) = app.list("?offset=1000").await;

    assert!(items.is_empty() && far.is_empty());
    assert!(page["next_cursor"].is_null());
}

#[tokio::test]
async fn the_limit_must_be_between_1_and_100() {
    let app = ProjectsApp::spawn().await;
    create_numbered(&app, 2).await;

    assert_eq!(app.list("?limit=1").await.0, ["p0"]);
    assert_eq!(app.list("?limit=100").await.0.len(), 2);
    for query in ["?limit=0", "?limit=101", "?limit=-1"] {
        let body = app
            .call(Method::GET, &format!("/projects{query}"), None, 422)
            .await;
        assert_eq!(body["error"]["fields"][0]["field"], "limit", "{query}");
    }
}

#[tokio::test]
async fn bad_pagination_parameters_are_each_named_in_one_422() {
    let app = ProjectsApp::spawn().await;

    let body = app
        .call(Method::GET, "/projects?limit=0&offset=-1", None, 422)
        .await;
    let mixed = app
        .call(
            Method::GET,
            &format!("/projects?offset=1&cursor={}", "0".repeat(48)),
            None,
            422,
        )
        .await;
    let forged = app
        .call(Method::GET, "/projects?cursor=not-a-cursor", None, 422)
        .await;

    let fields: Vec<&Value> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| &field["field"])
        .collect();
    assert_eq!(fields, ["limit", "offset"]);
    assert_eq!(mixed["error"]["fields"][0]["field"], "cursor");
    assert_eq!(forged["error"]["fields"][0]["field"], "cursor");
}

#[tokio::test]
async fn the_cursor_walks_every_project_exactly_once_in_order() {
    let app = ProjectsApp::spawn().await;
    let created = create_numbered(&app, 7).await;

    let (seen, pages) = walk(&app, 3).await;
    let (one_by_one, single_pages) = walk(&app, 1).await;

    assert_eq!(seen, created);
    assert_eq!(pages, 3);
    assert_eq!(one_by_one, created);
    assert_eq!(single_pages, 7);
}

#[tokio::test]
async fn projects_created_at_the_same_instant_keep_a_stable_order_by_id() {
    let app = ProjectsApp::spawn().await;
    create_numbered(&app, 6).await;
    sqlx::query("UPDATE projects SET created_at = '2025-01-01T00:00:00Z'")
        .execute(&app.app.db().await)
        .await
        .unwrap();
    let all = app.list("").await.1;
    let mut by_id: Vec<(String, String)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["id"].to_string(), item["name"].to_string()))
        .collect();
    by_id.sort();
    let by_id: Vec<String> = by_id
        .into_iter()
        .map(|(_, name)| name.trim_matches('"').to_owned())
        .collect();

    let (seen, _) = walk(&app, 2).await;

    assert_eq!(names(&all), by_id, "ties are ordered by id");
    assert_eq!(seen, by_id);
}

#[tokio::test]
async fn deleting_a_project_between_pages_skips_nothing_else() {
    let app = ProjectsApp::spawn().await;
    let created = create_numbered(&app, 4).await;
    let (first, page) = app.list("?limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let second_id = page["items"][1]["id"].as_str().unwrap();
    app.call(Method::DELETE, &format!("/projects/{second_id}"), None, 204)
        .await;

    let (rest, _) = app.list(&format!("?limit=2&cursor={cursor}")).await;

    assert_eq!(first, created[..2]);
    assert_eq!(rest, created[2..]);
}

#[tokio::test]
async fn a_cursor_before_the_earliest_timestamp_postgres_stores_is_a_422_naming_it() {
    let app = ProjectsApp::spawn().await;
    create_numbered(&app, 1).await;

    // A year near -9000: well-formed hex, but before 4714 BC.
    let body = app
        .call(
            Method::GET,
            "/projects?cursor=fb32c2d54bb7000000000000000000000000000000000000",
            None,
            422,
        )
        .await;

    assert_eq!(body["error"]["fields"][0]["field"], "cursor");
}

#[tokio::test]
async fn a_query_parameter_of_the_wrong_type_is_a_400_naming_it() {
    let app = ProjectsApp::spawn().await;

    let body = app
        .call(Method::GET, "/projects?offset=many", None, 400)
        .await;

    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("offset"), "{body}");
}
