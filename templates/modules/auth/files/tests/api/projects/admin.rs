//! Administrators list everyone's projects and delete them for good; nobody else may.

use reqwest::Method;

use super::{ProjectsApp, assert_status, id, names};

#[tokio::test]
async fn an_admin_lists_the_projects_of_every_user() {
    let app = ProjectsApp::spawn().await;
    let admin = app.admin();
    app.create("mine").await;
    app.create_as(&app.other_user(), "theirs").await;
    let deleted = app.create("deleted").await;
    app.call(
        Method::DELETE,
        &format!("/projects/{}", id(&deleted)),
        None,
        204,
    )
    .await;

    let live = app
        .send(Method::GET, "/admin/projects", Some(&admin), None)
        .await;
    let all = app
        .send(
            Method::GET,
            "/admin/projects?include_deleted=true&limit=2",
            Some(&admin),
            None,
        )
        .await;

    assert_eq!(names(&assert_status(live, 200).await), ["mine", "theirs"]);
    let all = assert_status(all, 200).await;
    assert_eq!(names(&all), ["mine", "theirs"]);
    assert!(all["next_cursor"].is_string(), "the deleted one is next");
}

#[tokio::test]
async fn an_admin_deletes_a_project_for_good_even_a_soft_deleted_one() {
    let app = ProjectsApp::spawn().await;
    let admin = app.admin();
    let live = app.create("live").await;
    let deleted = app.create("deleted").await;
    app.call(
        Method::DELETE,
        &format!("/projects/{}", id(&deleted)),
        None,
        204,
    )
    .await;

    for project in [&live, &deleted] {
        let path = format!("/admin/projects/{}", id(project));
        let gone = app.send(Method::DELETE, &path, Some(&admin), None).await;
        assert_status(gone, 204).await;
        let again = app.send(Method::DELETE, &path, Some(&admin), None).await;
        assert_status(again, 404).await;
    }

    assert!(app.list("?include_deleted=true").await.0.is_empty());
    app.call(
        Method::POST,
        &format!("/projects/{}/restore", id(&deleted)),
        None,
        404,
    )
    .await;
}

#[tokio::test]
async fn an_ordinary_user_gets_403_from_the_admin_project_routes() {
    let app = ProjectsApp::spawn().await;
    let mine = app.create("mine").await;
    let path = format!("/admin/projects/{}", id(&mine));

    let list = app
        .send(Method::GET, "/admin/projects", Some(&app.token), None)
        .await;
    let delete = app
        .send(Method::DELETE, &path, Some(&app.token), None)
        .await;

    assert_eq!(assert_status(list, 403).await["error"]["code"], "forbidden");
    assert_eq!(
        assert_status(delete, 403).await["error"]["code"],
        "forbidden"
    );
    app.call(Method::GET, &format!("/projects/{}", id(&mine)), None, 200)
        .await;
}

#[tokio::test]
async fn the_admin_project_routes_need_a_token() {
    let app = ProjectsApp::spawn().await;
    let mine = app.create("mine").await;

    let list = app.send(Method::GET, "/admin/projects", None, None).await;
    let delete = app
        .send(
            Method::DELETE,
            &format!("/admin/projects/{}", id(&mine)),
            None,
            None,
        )
        .await;

    assert_status(list, 401).await;
    assert_status(delete, 401).await;
}
