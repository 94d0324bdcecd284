//! The team: listing agents, adding them (admins only), deactivating and activating them.

use api_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// Adds an agent as the admin; its id.
pub async fn add(
    app: &TestApp,
    admin: &str,
    username: &str,
    display_name: &str,
    role: &str,
) -> String {
    let reply = app
        .post(
            "/api/admin/agents/",
            Some(admin),
            json!({
                "username": username, "password": format!("{username}-password"),
                "display_name": display_name, "role": role,
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

fn usernames(list: &Value) -> Vec<&str> {
    list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|agent| agent["username"].as_str().unwrap())
        .collect()
}

pub async fn team(app: &TestApp, token: &str) -> Value {
    let reply = app.get("/api/admin/agents/", Some(token)).await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    reply.body
}

/// One agent of the team list, by username.
pub async fn member(app: &TestApp, token: &str, username: &str) -> Value {
    let list = team(app, token).await;
    let found = list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|agent| agent["username"] == username)
        .cloned();
    found.unwrap_or_else(|| panic!("{username} is not in {list}"))
}

#[tokio::test]
async fn an_admin_adds_agents_and_every_agent_lists_the_team_in_order() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let reply = app
        .post(
            "/api/admin/agents/",
            Some(&admin),
            json!({
                "username": "zoe", "password": "ten chars!", "display_name": "  Zoe  ",
                "role": "agent",
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let zoe = reply.body.clone();
    assert_eq!(zoe["display_name"], "Zoe", "trimmed");
    assert_eq!(zoe["active"], true);
    assert_eq!(zoe["availability"], "offline");
    assert_eq!(zoe["open_rooms"], 0);
    assert!(zoe.get("password").is_none() && zoe.get("password_hash").is_none());
    add(&app, &admin, "bob", "bob", "agent").await;
    let carol = add(&app, &admin, "carol", "Carol", "admin").await;

    // The new agent signs in with what the admin set, and sees the team too.
    let login = app.login("zoe", "ten chars!").await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let zoe_token = login.body["access"].as_str().unwrap().to_owned();
    let listed = team(&app, &zoe_token).await;
    // By display name ignoring case: Admin, bob, Carol, Zoe.
    assert_eq!(usernames(&listed), ["admin", "bob", "carol", "zoe"]);

    // Deactivated agents come last.
    app.post(
        &format!("/api/admin/agents/{carol}/deactivate"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(
        usernames(&team(&app, &admin).await),
        ["admin", "bob", "zoe", "carol"]
    );

    // Someone connected is online.
    let _socket = app.connect(&format!("/ws?token={zoe_token}")).await;
    let listed = team(&app, &admin).await;
    let zoe = listed["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|agent| agent["username"] == "zoe")
        .unwrap();
    assert_eq!(zoe["availability"], "online");
}

#[tokio::test]
async fn only_admins_change_the_team_and_bad_agents_are_refused_on_the_field() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    add(&app, &admin, "dana", "Dana", "agent").await;
    let dana = app.login("dana", "dana-password").await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let new = json!({
        "username": "eve", "password": "long enough!", "display_name": "Eve", "role": "admin",
    });
    app.post("/api/admin/agents/", Some(&dana), new.clone())
        .await
        .assert_error(403, "forbidden", None);
    let admin_id = app.login("admin", "admin123").await.body["agent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/admin/agents/{admin_id}/deactivate"),
        Some(&dana),
        json!({}),
    )
    .await
    .assert_error(403, "forbidden", None);

    for (field, value) in [
        ("username", json!("ab")),
        ("username", json!("Upper")),
        ("username", json!("has space")),
        ("username", json!("x".repeat(33))),
        ("password", json!("too short")),
        ("password", json!("p".repeat(129))),
        ("display_name", json!("   ")),
        ("role", json!("owner")),
        ("role", Value::Null),
    ] {
        let mut body = new.clone();
        body[field] = value.clone();
        app.post("/api/admin/agents/", Some(&admin), body)
            .await
            .assert_error(422, "validation_error", Some(field));
    }
    for body in [
        json!({ "username": 7, "password": "long enough!", "display_name": "Eve", "role": "agent" }),
        json!({ "username": "eve", "password": ["long enough!"], "display_name": "Eve", "role": "agent" }),
        json!("eve"),
    ] {
        app.post("/api/admin/agents/", Some(&admin), body)
            .await
            .assert_error(400, "bad_request", None);
    }
    app.post_raw("/api/admin/agents/", Some(&admin), "{\"username\": ")
        .await
        .assert_error(400, "bad_request", None);
    add(&app, &admin, "eve", "Eve", "agent").await;
    app.post("/api/admin/agents/", Some(&admin), new)
        .await
        .assert_error(409, "conflict", None);
    // None of the refused ones exists.
    assert_eq!(
        usernames(&team(&app, &admin).await),
        ["admin", "dana", "eve"]
    );
}

#[tokio::test]
async fn a_deactivated_agent_cannot_sign_in_refresh_or_connect_until_activated() {
    let app = spawn_app().await;
    let admin = app.agent_token().await;
    let frank = add(&app, &admin, "frank", "Frank", "agent").await;
    let session = app.login("frank", "frank-password").await.body;
    let (access, refresh) = (
        session["access"].as_str().unwrap().to_owned(),
        session["refresh"].as_str().unwrap().to_owned(),
    );

    let reply = app
        .post(
            &format!("/api/admin/agents/{frank}/deactivate/"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["active"], false);
    // Again changes nothing.
    let again = app
        .post(
            &format!("/api/admin/agents/{frank}/deactivate"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(again.body, reply.body);

    app.login("frank", "frank-password")
        .await
        .assert_error(401, "unauthorized", None);
    app.post("/api/auth/refresh/", None, json!({ "refresh": refresh }))
        .await
        .assert_error(401, "unauthorized", None);
    let refused = app
        .try_connect(&format!("/ws?token={access}"))
        .await
        .err()
        .expect("the upgrade is refused");
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(refused.body["error"]["code"], "forbidden");

    let reply = app
        .post(
            &format!("/api/admin/agents/{frank}/activate"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(reply.body["active"], true);
    assert_eq!(app.login("frank", "frank-password").await.status, 200);
    app.connect(&format!("/ws?token={access}")).await;
}

#[tokio::test]
async fn an_admin_cannot_deactivate_themselves_and_unknown_agents_are_404() {
    let app = spawn_app().await;
    let admin = app.login("admin", "admin123").await.body;
    let (token, id) = (
        admin["access"].as_str().unwrap(),
        admin["agent"]["id"].as_str().unwrap(),
    );
    app.post(
        &format!("/api/admin/agents/{id}/deactivate"),
        Some(token),
        json!({}),
    )
    .await
    .assert_error(422, "validation_error", Some("id"));
    for unknown in ["01JZ5C3V4W6X8Y0Z2A4B6C8D0E", "not-an-id"] {
        for action in ["deactivate", "activate"] {
            app.post(
                &format!("/api/admin/agents/{unknown}/{action}"),
                Some(token),
                json!({}),
            )
            .await
            .assert_error(404, "not_found", None);
        }
    }
    assert_eq!(
        app.login("admin", "admin123").await.status,
        200,
        "still active"
    );
}

#[tokio::test]
async fn visitors_learn_whether_an_active_agent_is_online_and_nothing_else() {
    let app = spawn_app().await;
    let online = || async { app.get("/api/public/availability/", None).await.body };
    assert_eq!(
        online().await,
        json!({ "online": false }),
        "nobody connected"
    );
    let admin = app.agent_token().await;
    let gus = add(&app, &admin, "gus", "Gus", "agent").await;
    let gus_token = app.login("gus", "gus-password").await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let socket = app.connect(&format!("/ws?token={gus_token}")).await;
    assert_eq!(online().await, json!({ "online": true }));
    // A deactivated agent's connection does not count.
    app.post(
        &format!("/api/admin/agents/{gus}/deactivate"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(online().await, json!({ "online": false }));
    drop(socket);
    // Deactivation closed its socket: active again, it is online once it connects again.
    app.post(
        &format!("/api/admin/agents/{gus}/activate"),
        Some(&admin),
        json!({}),
    )
    .await;
    assert_eq!(online().await, json!({ "online": false }));
    let socket = app.connect(&format!("/ws?token={gus_token}")).await;
    assert_eq!(online().await, json!({ "online": true }));
    // The last tab closed: offline at once.
    drop(socket);
    for _ in 0..50 {
        if online().await == json!({ "online": false }) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("still online after the last connection closed");
}
