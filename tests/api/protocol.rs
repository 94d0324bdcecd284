//! What holds for every route: both path forms, the body limit, unknown routes.

use api_tests::spawn_app;
use functions::routes::ROUTES;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_route_answers_with_and_without_its_trailing_slash() {
    let app = spawn_app().await;
    let (room, _) = app.open_room("Ada").await;
    for route in ROUTES {
        let path = route.path.replace("{id}", &room);
        for path in [path.clone(), format!("{path}/")] {
            let method = Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
            let reply = app
                .send(app.request(method, &path, None).json(&json!({})))
                .await;
            // No route is missing: each answers with its own checks (a token, or a body field).
            assert!(
                matches!(reply.status, 401 | 422),
                "{} {path}: {} {:?}",
                route.method,
                reply.status,
                reply.body
            );
            assert!(reply.body["error"]["code"].is_string());
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
