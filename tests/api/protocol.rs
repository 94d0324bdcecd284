//! What holds for every route: both path forms, the body limit, unknown routes.

use api_tests::{TestApp, spawn_app};
use functions::routes::{ROUTES, Route};
use reqwest::Method;
use serde_json::{Value, json};

/// The token a route wants: an agent's on the admin routes, the visitor's on the customer
/// routes; none to sign in, to refresh (the token is in the body) or to open a room.
fn token_for(route: &Route, agent: &str, customer: &str) -> Option<String> {
    let path = route.path;
    let opens_a_room = route.function == "public-create-room";
    if path.starts_with("/api/admin/") {
        Some(agent.to_owned())
    } else if path.starts_with("/api/public/") && !opens_a_room {
        Some(customer.to_owned())
    } else {
        None
    }
}

fn method(route: &Route) -> Method {
    Method::from_bytes(route.method.as_str().as_bytes()).unwrap()
}

/// What an agent sees of a room and its messages: to show that a request changed nothing.
async fn room_state(app: &TestApp, agent: &str, room: &str) -> (Value, Value) {
    let seen = app
        .get(&format!("/api/admin/chat-rooms/{room}"), Some(agent))
        .await;
    let messages = app
        .get(
            &format!("/api/admin/chat-rooms/{room}/get_messages"),
            Some(agent),
        )
        .await;
    (seen.body, messages.body)
}

#[tokio::test]
async fn every_route_answers_with_and_without_its_trailing_slash() {
    let app = spawn_app().await;
    let (room, _) = app.open_room("Ada").await;
    for route in ROUTES {
        let path = route.path.replace("{id}", &room);
        for path in [path.clone(), format!("{path}/")] {
            let reply = app
                .send(app.request(method(route), &path, None).json(&json!({})))
                .await;
            // No route is missing: each answers with its own checks (a token, or a body
            // field), or, needing neither, with its answer.
            let expected: &[u16] = if matches!(route.function, "health" | "public-availability") {
                &[200]
            } else {
                &[401, 422]
            };
            assert!(
                expected.contains(&reply.status),
                "{} {path}: {} {:?}",
                route.method,
                reply.status,
                reply.body
            );
            let answered = reply.body["error"]["code"].is_string() || reply.status == 200;
            assert!(answered, "{path}: {:?}", reply.body);
        }
    }
}

#[tokio::test]
async fn bodies_over_64_kib_are_413_and_store_nothing() {
    let app = spawn_app().await;
    let (room, token) = app.open_room("Ada").await;
    let big = json!({ "content": "x".repeat(64 * 1024) }).to_string();
    app.post_raw(
        &format!("/api/public/chat-rooms/{room}/send_message/"),
        Some(&token),
        big,
    )
    .await
    .assert_error(413, "payload_too_large", None);
    let huge =
        json!({ "customer_name": "Ada", "subject": "s".repeat(2 * 1024 * 1024) }).to_string();
    app.post_raw("/api/public/chat-rooms/", None, huge)
        .await
        .assert_error(413, "payload_too_large", None);
    // Just under the limit is read (and then refused for its content, not its size).
    let under = json!({ "content": "x".repeat(60 * 1024) }).to_string();
    app.post_raw(
        &format!("/api/public/chat-rooms/{room}/send_message/"),
        Some(&token),
        under,
    )
    .await
    .assert_error(422, "validation_error", Some("content"));
    let messages = app
        .get(
            &format!("/api/public/chat-rooms/{room}/get_messages/"),
            Some(&token),
        )
        .await;
    assert_eq!(messages.body["messages"], json!([]));
}

#[tokio::test]
async fn every_route_that_takes_a_body_refuses_one_over_64_kib_and_changes_nothing() {
    let app = spawn_app().await;
    let (room, customer) = app.open_room("Ada").await;
    app.customer_says(&room, &customer, "before").await;
    let agent = app.agent_token().await;
    let before = room_state(&app, &agent, &room).await;
    let big = json!({ "content": "x".repeat(64 * 1024), "customer_name": "Eve" }).to_string();
    let mut refused = 0;
    for route in ROUTES
        .iter()
        .filter(|route| route.method == "POST" || route.method == "PUT")
    {
        let path = route.path.replace("{id}", &room);
        let token = token_for(route, &agent, &customer);
        let reply = app
            .send(
                app.request(method(route), &path, token.as_deref())
                    .body(big.clone()),
            )
            .await;
        reply.assert_error(413, "payload_too_large", None);
        refused += 1;
    }
    assert_eq!(refused, 18);
    assert_eq!(room_state(&app, &agent, &room).await, before);
    assert_eq!(app.rooms_listed(&agent).await, 1);
    let team = app.get("/api/admin/agents", Some(&agent)).await;
    assert_eq!(
        team.body["agents"].as_array().unwrap().len(),
        1,
        "no agent added"
    );
    let canned = app.get("/api/admin/canned-responses", Some(&agent)).await;
    assert_eq!(
        canned.body["canned_responses"],
        json!([]),
        "no canned response added"
    );
}

#[tokio::test]
async fn every_route_with_an_id_answers_404_for_an_id_that_names_nothing() {
    let app = spawn_app().await;
    let (_, customer) = app.open_room("Ada").await;
    let agent = app.agent_token().await;
    let nowhere = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    let mut answered = 0;
    for route in ROUTES.iter().filter(|route| route.path.contains("{id}")) {
        let path = route.path.replace("{id}", nowhere);
        let token = token_for(route, &agent, &customer);
        let request = app.request(method(route), &path, token.as_deref());
        // A body every one of them takes, so that only the id is wrong.
        let body = json!({
            "content": "hi", "agent_id": null, "short_code": "hi",
            "filename": "a.png", "content_type": "image/png", "size": 1,
        });
        let reply = app.send(request.json(&body)).await;
        reply.assert_error(404, "not_found", None);
        answered += 1;
    }
    assert_eq!(answered, 16);
}

#[tokio::test]
async fn the_api_reference_is_the_document_kept_in_the_repo() {
    let app = spawn_app().await;
    let reply = app.get("/api/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "application/json");
    let kept =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"))
            .unwrap();
    assert_eq!(reply.body, serde_json::from_str::<Value>(&kept).unwrap());
    assert_eq!(reply.body["openapi"], "3.1.0");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_with_an_error_body() {
    let app = spawn_app().await;
    app.get("/api/nothing-here/", None)
        .await
        .assert_error(404, "not_found", None);
    let reply = app
        .send(app.request(Method::DELETE, "/api/public/chat-rooms/", None))
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn the_health_route_reads_the_store_and_says_ok() {
    let app = spawn_app().await;
    let reply = app.get("/api/health", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({ "status": "ok", "store": "ok" }));
}

#[tokio::test]
async fn the_start_page_links_to_everything_and_names_the_store() {
    let app = spawn_app().await;
    let page = reqwest::get(format!("{}/", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = page.text().await.unwrap();
    for link in [
        "/admin/chat",
        "/chat",
        "/api/openapi.json",
        "/api/health",
        "/README.md",
    ] {
        assert!(
            html.contains(&format!("href=\"{link}\"")),
            "links to {link}"
        );
    }
    let store = if std::env::var("TEST_STORE").as_deref() == Ok("dynamodb") {
        "DynamoDB at http://"
    } else {
        "memory (embedded"
    };
    assert!(
        html.contains(&format!("<strong id=\"store\">{store}")),
        "{html}"
    );
    let readme = reqwest::get(format!("{}/README.md", app.base))
        .await
        .unwrap();
    assert_eq!(readme.status(), 200);
    assert!(
        readme.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(readme.text().await.unwrap().contains("## Two commands"));
}
