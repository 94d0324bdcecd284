use api_tests::{assert_ulid, spawn_app};
use serde_json::json;

#[tokio::test]
async fn the_default_agent_logs_in() {
    let app = spawn_app().await;
    let reply = app.login("admin", "admin123").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.body["access"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    assert!(
        reply.body["refresh"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    let agent = &reply.body["agent"];
    assert_ulid(&agent["id"]);
    assert_eq!(agent["username"], "admin");
    assert_eq!(agent["role"], "admin");
    assert!(
        agent["display_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert!(agent.get("password_hash").is_none());
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    let wrong = app.login("admin", "admin124").await;
    let unknown = app.login("nobody", "admin123").await;
    let empty = app.login("", "").await;
    wrong.assert_error(401, "unauthorized", None);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body, empty.body);
}

#[tokio::test]
async fn login_bodies_are_checked() {
    let app = spawn_app().await;
    app.post("/api/auth/login/", None, json!({ "username": "admin" }))
        .await
        .assert_error(422, "validation_error", Some("password"));
    app.post("/api/auth/login/", None, json!({ "password": "admin123" }))
        .await
        .assert_error(422, "validation_error", Some("username"));
    app.post(
        "/api/auth/login/",
        None,
        json!({ "username": 1, "password": "x" }),
    )
    .await
    .assert_error(400, "bad_request", None);
    app.post_raw("/api/auth/login/", None, "username=admin")
        .await
        .assert_error(400, "bad_request", None);
    app.post_raw("/api/auth/login/", None, "")
        .await
        .assert_error(400, "bad_request", None);
    app.post("/api/auth/login/", None, json!(["admin", "admin123"]))
        .await
        .assert_error(400, "bad_request", None);
}

#[tokio::test]
async fn a_refresh_token_buys_a_new_access_token_and_nothing_else() {
    let app = spawn_app().await;
    let login = app.login("admin", "admin123").await;
    let (access, refresh) = (
        login.body["access"].as_str().unwrap(),
        login.body["refresh"].as_str().unwrap(),
    );

    let renewed = app
        .post("/api/auth/refresh/", None, json!({ "refresh": refresh }))
        .await;
    assert_eq!(renewed.status, 200, "{:?}", renewed.body);
    let new_access = renewed.body["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/admin/chat-rooms/", Some(new_access))
            .await
            .status,
        200
    );

    // The refresh token is not an access token, and the access token does not refresh.
    app.get("/api/admin/chat-rooms/", Some(refresh))
        .await
        .assert_error(401, "unauthorized", None);
    app.post("/api/auth/refresh/", None, json!({ "refresh": access }))
        .await
        .assert_error(401, "unauthorized", None);
    app.post(
        "/api/auth/refresh/",
        None,
        json!({ "refresh": "not.a.token" }),
    )
    .await
    .assert_error(401, "unauthorized", None);
    app.post("/api/auth/refresh/", None, json!({}))
        .await
        .assert_error(422, "validation_error", Some("refresh"));
    app.post_raw("/api/auth/refresh", None, "refresh=x")
        .await
        .assert_error(400, "bad_request", None);
}

#[tokio::test]
async fn changing_a_password_refuses_the_old_one_and_the_refresh_tokens_issued_before() {
    let app = spawn_app().await;
    let before = app.login("admin", "admin123").await;
    assert_eq!(before.status, 200);
    let access = before.body["access"].as_str().unwrap().to_owned();
    let old_refresh = before.body["refresh"].clone();
    let path = "/api/auth/password";
    let change =
        |current: &str, new: &str| json!({ "current_password": current, "new_password": new });

    // A wrong current password is 401 even with a new one that breaks the rule; a short new
    // one is 422; neither changes anything.
    app.post(path, Some(&access), change("wrong one", "short"))
        .await
        .assert_error(401, "unauthorized", None);
    app.post(path, Some(&access), change("admin123", "short"))
        .await
        .assert_error(422, "validation_error", Some("new_password"));
    app.post(
        path,
        Some(&access),
        json!({ "current_password": "admin123" }),
    )
    .await
    .assert_error(422, "validation_error", Some("new_password"));
    app.post(
        path,
        Some(&access),
        json!({ "current_password": 5, "new_password": "x" }),
    )
    .await
    .assert_error(400, "bad_request", None);
    app.post(path, None, change("admin123", "a brand new password"))
        .await
        .assert_error(401, "unauthorized", None);
    let (_, customer) = app.open_room("Ada").await;
    app.post(
        path,
        Some(&customer),
        change("admin123", "a brand new password"),
    )
    .await
    .assert_error(403, "forbidden", None);
    let refreshed = app
        .post("/api/auth/refresh", None, json!({ "refresh": old_refresh }))
        .await;
    assert_eq!(refreshed.status, 200, "nothing changed yet");

    let changed = app
        .post(
            path,
            Some(&access),
            change("admin123", "a brand new password"),
        )
        .await;
    assert_eq!(
        (changed.status, changed.body.clone()),
        (200, json!({ "changed": true }))
    );
    assert_eq!(app.login("admin", "admin123").await.status, 401);
    app.post("/api/auth/refresh", None, json!({ "refresh": old_refresh }))
        .await
        .assert_error(401, "unauthorized", None);
    let after = app.login("admin", "a brand new password").await;
    assert_eq!(after.status, 200);
    let new_refresh = after.body["refresh"].clone();
    let refreshed = app
        .post("/api/auth/refresh", None, json!({ "refresh": new_refresh }))
        .await;
    assert_eq!(refreshed.status, 200);
}
