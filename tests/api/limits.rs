//! API.md's rate limits over real HTTP: 429 `rate_limited` with `Retry-After`, nothing stored.
//! With `TEST_STORE=dynamodb` the counters are DynamoDB items.

use api_tests::{TestApp, spawn_app_with};
use serde_json::json;
use shared::rate::Rate;

#[track_caller]
fn assert_limited(reply: &api_tests::Reply, window_seconds: u64) {
    reply.assert_error(429, "rate_limited", None);
    let header: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is whole seconds");
    assert!((1..=window_seconds).contains(&header), "{header}");
    assert_eq!(reply.body["error"]["retry_after"], header);
}

async fn limited_app(adjust: impl FnOnce(&mut shared::rate::RateLimits)) -> TestApp {
    spawn_app_with(|options| adjust(&mut options.config.rate_limits)).await
}

#[tokio::test]
async fn room_creation_per_source_ip() {
    let app = limited_app(|l| l.rooms_per_ip = Rate::per_hour(2)).await;
    app.open_room("Ada").await;
    app.open_room("Bob").await;
    let third = app
        .post(
            "/api/public/chat-rooms/",
            None,
            json!({ "customer_name": "Eve", "message": "spam" }),
        )
        .await;
    assert_limited(&third, 3600);
    let agent = app.agent_token().await;
    assert_eq!(app.rooms_listed(&agent).await, 2);
}

#[tokio::test]
async fn messages_per_visitor() {
    let app = limited_app(|l| l.messages_per_visitor = Rate::per_minute(2)).await;
    let (room, token) = app.open_room("Ada").await;
    assert_eq!(app.customer_says(&room, &token, "one").await.status, 201);
    assert_eq!(app.customer_says(&room, &token, "two").await.status, 201);
    assert_limited(&app.customer_says(&room, &token, "three").await, 60);
    let path = format!("/api/public/chat-rooms/{room}/get_messages/");
    let stored = app.get(&path, Some(&token)).await;
    assert_eq!(api_tests::contents(&stored.body), ["one", "two"]);
    // Another visitor is not held back by Ada.
    let (bobs, bob) = app.open_room("Bob").await;
    assert_eq!(app.customer_says(&bobs, &bob, "hi").await.status, 201);
}

#[tokio::test]
async fn upload_slots_per_visitor() {
    let app = limited_app(|l| l.uploads_per_visitor = Rate::per_hour(2)).await;
    let (room, token) = app.open_room("Ada").await;
    let path = format!("/api/public/chat-rooms/{room}/attachments/");
    let file = json!({ "filename": "a.png", "content_type": "image/png", "size": 10 });
    for _ in 0..2 {
        let given = app.post(&path, Some(&token), file.clone()).await;
        assert_eq!(given.status, 201, "{:?}", given.body);
    }
    assert_limited(&app.post(&path, Some(&token), file.clone()).await, 3600);
    // Agents are not limited, and another visitor is not held back by Ada.
    let agent = app.agent_token().await;
    let agents = format!("/api/admin/chat-rooms/{room}/attachments/");
    assert_eq!(
        app.post(&agents, Some(&agent), file.clone()).await.status,
        201
    );
    let (bobs, bob) = app.open_room("Bob").await;
    let path = format!("/api/public/chat-rooms/{bobs}/attachments/");
    assert_eq!(app.post(&path, Some(&bob), file).await.status, 201);
}

#[tokio::test]
async fn failed_logins_per_username_hold_back_even_the_right_password() {
    let app = limited_app(|l| l.failed_logins_per_username = Rate::per_hour(2)).await;
    assert_eq!(app.login("admin", "guess 1").await.status, 401);
    assert_eq!(app.login("admin", "guess 2").await.status, 401);
    assert_limited(&app.login("admin", "admin123").await, 3600);
    // Another account is not locked by admin's failures.
    let other = app.login("someone", "guess").await;
    other.assert_error(401, "unauthorized", None);
}

#[tokio::test]
async fn failed_logins_per_source_ip() {
    let app = limited_app(|l| l.failed_logins_per_ip = Rate::per_hour(3)).await;
    for user in ["a", "b", "c"] {
        assert_eq!(app.login(user, "guess").await.status, 401);
    }
    assert_limited(&app.login("admin", "admin123").await, 3600);
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_logins_of_the_username() {
    let app = limited_app(|l| l.failed_logins_per_username = Rate::per_hour(2)).await;
    let access = app.agent_token().await;
    let change = |current: &str| json!({ "current_password": current, "new_password": "a brand new password" });
    for guess in ["guess 1", "guess 2"] {
        let reply = app
            .post("/api/auth/password", Some(&access), change(guess))
            .await;
        reply.assert_error(401, "unauthorized", None);
    }
    // The right one waits too, here and at sign-in, and nothing changed.
    let reply = app
        .post("/api/auth/password", Some(&access), change("admin123"))
        .await;
    assert_limited(&reply, 3600);
    assert_limited(&app.login("admin", "admin123").await, 3600);
}
