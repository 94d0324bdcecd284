//! Bad frames get an `error` event and the socket stays usable; API Gateway's limits hold.

use std::time::Duration;

use api_tests::{contents, spawn_app, spawn_app_with};
use serde_json::json;

use crate::live::agent_and_customer;

#[tokio::test]
async fn bad_frames_get_error_events_and_the_socket_stays_usable() {
    let app = spawn_app().await;
    let (mut agent, mut customer, room, token) = agent_and_customer(&app).await;
    let (other_room, _) = app.open_room("Bob").await;
    agent.next_of_type("room_created").await;

    let cases = [
        ("this is not json".to_owned(), "bad_request", None),
        ("[1, 2]".to_owned(), "bad_request", None),
        (
            json!({ "content": "no action" }).to_string(),
            "bad_request",
            None,
        ),
        (
            json!({ "action": "dance" }).to_string(),
            "bad_request",
            None,
        ),
        (json!({ "action": 5 }).to_string(), "bad_request", None),
        (
            json!({ "action": "send_message", "content": "  " }).to_string(),
            "validation_error",
            Some("content"),
        ),
        (
            json!({ "action": "send_message", "content": "x".repeat(4001) }).to_string(),
            "validation_error",
            Some("content"),
        ),
        (
            json!({ "action": "send_message", "content": 5 }).to_string(),
            "bad_request",
            None,
        ),
        (
            json!({ "action": "send_message", "content": "hi", "client_msg_id": "bad id" })
                .to_string(),
            "validation_error",
            Some("client_msg_id"),
        ),
        (
            json!({ "action": "send_message", "room_id": "nope", "content": "hi" }).to_string(),
            "validation_error",
            Some("room_id"),
        ),
        (
            json!({ "action": "send_message", "room_id": other_room, "content": "hi" }).to_string(),
            "not_found",
            None,
        ),
        (
            json!({ "action": "typing", "room_id": room }).to_string(),
            "validation_error",
            Some("is_typing"),
        ),
        (
            json!({ "action": "mark_as_read", "room_id": room }).to_string(),
            "forbidden",
            None,
        ),
    ];
    for (frame, code, field) in cases {
        customer.send_text(frame.clone()).await;
        let event = customer.next_event().await;
        assert_eq!(event["type"], "error", "{frame}: {event}");
        assert_eq!(event["error"]["code"], code, "{frame}: {event}");
        assert_eq!(
            event["error"].get("field").and_then(|f| f.as_str()),
            field,
            "{frame}"
        );
    }
    agent
        .send_json(json!({ "action": "send_message", "content": "which room?" }))
        .await;
    let event = agent.next_event().await;
    assert_eq!(
        (
            event["error"]["code"].as_str(),
            event["error"]["field"].as_str()
        ),
        (Some("validation_error"), Some("room_id"))
    );

    // Still open and working: ping answers with the connection id, a good send goes through.
    customer.send_json(json!({ "action": "ping" })).await;
    assert_eq!(
        customer.next_event().await,
        json!({ "type": "pong", "connection_id": customer.connection_id })
    );
    customer
        .send_json(json!({ "action": "send_message", "content": "finally" }))
        .await;
    assert_eq!(customer.next_event().await["message"]["content"], "finally");
    let page = app
        .get(
            &format!("/api/public/chat-rooms/{room}/get_messages/"),
            Some(&token),
        )
        .await;
    assert_eq!(contents(&page.body), vec!["finally"]);
}

#[tokio::test]
async fn a_frame_over_32_kib_closes_the_connection_with_1009_and_stores_nothing() {
    let app = spawn_app().await;
    let (mut agent, mut customer, room, token) = agent_and_customer(&app).await;
    let big = json!({ "action": "send_message", "content": "x".repeat(40 * 1024) }).to_string();
    customer.send_text(big).await;
    assert_eq!(customer.closed(Duration::from_secs(5)).await.code, 1009);
    agent.assert_silent(Duration::from_millis(300)).await;
    let page = app
        .get(
            &format!("/api/public/chat-rooms/{room}/get_messages/"),
            Some(&token),
        )
        .await;
    assert!(contents(&page.body).is_empty());
    // The closed connection is forgotten: a later message reaches the agent only.
    app.customer_says(&room, &token, "after").await;
    assert_eq!(agent.next_event().await["message"]["content"], "after");
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let app = spawn_app_with(|options| {
        options.ws_limits.idle_timeout = Duration::from_millis(600);
    })
    .await;
    let (mut agent, _customer, _, _) = agent_and_customer(&app).await;
    // Activity keeps it open past the timeout...
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        agent.send_json(json!({ "action": "ping" })).await;
        assert_eq!(agent.next_event().await["type"], "pong");
    }
    // ...silence closes it, as API Gateway does (1001, going away).
    assert_eq!(agent.closed(Duration::from_secs(3)).await.code, 1001);
}

#[tokio::test]
async fn connections_end_at_the_maximum_lifetime() {
    let app = spawn_app_with(|options| {
        options.ws_limits.max_lifetime = Duration::from_millis(800);
    })
    .await;
    let (mut agent, _customer, _, _) = agent_and_customer(&app).await;
    agent.send_json(json!({ "action": "ping" })).await;
    assert_eq!(agent.next_event().await["type"], "pong");
    assert_eq!(agent.closed(Duration::from_secs(3)).await.code, 1001);
}

#[tokio::test]
async fn a_connection_over_its_frame_limit_gets_rate_limited_events_and_stores_nothing() {
    let app = spawn_app_with(|options| {
        options.config.rate_limits.messages_per_connection = shared::rate::Rate::per_minute(2);
    })
    .await;
    let (mut agent, mut customer, room, token) = agent_and_customer(&app).await;
    for content in ["one", "two", "three"] {
        customer
            .send_json(json!({ "action": "send_message", "content": content }))
            .await;
    }
    for expected in ["one", "two"] {
        let event = agent.next_of_type("message").await;
        assert_eq!(event["message"]["content"], expected);
    }
    let refused = customer.next_of_type("error").await;
    assert_eq!(refused["error"]["code"], "rate_limited");
    assert!(
        refused["error"]["retry_after"]
            .as_u64()
            .is_some_and(|s| (1..=60).contains(&s))
    );
    agent.assert_silent(Duration::from_millis(300)).await;
    // Pings are not counted, and the socket stays open.
    customer.send_json(json!({ "action": "ping" })).await;
    assert_eq!(customer.next_of_type("pong").await["type"], "pong");
    let path = format!("/api/public/chat-rooms/{room}/get_messages/");
    let stored = app.get(&path, Some(&token)).await;
    assert_eq!(contents(&stored.body), ["one", "two"]);
}
