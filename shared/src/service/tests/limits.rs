//! API.md's rate limits: over one, a 429 with the seconds to wait, nothing stored or pushed;
//! after the window, allowed again; other subjects unaffected.

use std::net::IpAddr;
use std::time::Duration;

use super::{fixture_with, json, new_room, say};
use crate::domain::{ConnectionId, Limit, MessageWindow};
use crate::error::ChatError;
use crate::input::Login;
use crate::rate::{Rate, RateLimits};

fn only(adjust: impl FnOnce(&mut RateLimits)) -> RateLimits {
    let mut limits = RateLimits::OFF;
    adjust(&mut limits);
    limits
}

fn retry_after(error: ChatError) -> u64 {
    assert_eq!(error.status(), 429, "{error:?}");
    assert_eq!(error.body()["error"]["code"], "rate_limited");
    match error {
        ChatError::RateLimited { retry_after_secs } => retry_after_secs,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_visitor_over_the_message_limit_stores_nothing_until_the_window_ends() {
    let f = fixture_with(only(|l| l.messages_per_visitor = Rate::per_minute(3)));
    let (ada, room) = f.open_room("Ada").await;
    let (bob, bobs_room) = f.open_room("Bob").await;
    f.events.take();
    for i in 0..3 {
        f.chat
            .send_as_visitor(&ada, room, say(&i.to_string(), None))
            .await
            .unwrap();
    }
    assert_eq!(f.events.take().len(), 3);
    let refused = f.chat.send_as_visitor(&ada, room, say("4", None)).await;
    let wait = retry_after(refused.unwrap_err());
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(f.events.take().is_empty());
    let stored = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Newest, Limit::DEFAULT)
        .await
        .unwrap();
    assert_eq!(stored.messages.len(), 3);
    // Another visitor has a counter of their own.
    f.chat
        .send_as_visitor(&bob, bobs_room, say("hi", None))
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(wait));
    f.chat
        .send_as_visitor(&ada, room, say("later", None))
        .await
        .unwrap();
}

#[tokio::test]
async fn room_creation_is_limited_per_source_and_per_returning_visitor() {
    let f = fixture_with(only(|l| {
        l.rooms_per_ip = Rate::per_hour(2);
        l.rooms_per_visitor = Rate::per_hour(1);
    }));
    let (one, two): (IpAddr, IpAddr) = (
        "203.0.113.1".parse().unwrap(),
        "203.0.113.2".parse().unwrap(),
    );
    let room = || new_room(r#"{"customer_name":"Ada"}"#);
    let first = f.chat.create_room(None, Some(one), room()).await.unwrap();
    f.chat.create_room(None, Some(one), room()).await.unwrap();
    let refused = f
        .chat
        .create_room(None, Some(one), room())
        .await
        .unwrap_err();
    assert!(retry_after(refused) <= 3600);
    f.chat.create_room(None, Some(two), room()).await.unwrap();
    // A returning visitor, from anywhere, opens one room an hour here.
    let visitor = f.chat.visitor(Some(&first.customer_token)).unwrap().id;
    let three = "203.0.113.3".parse().ok();
    f.chat
        .create_room(Some(visitor), three, room())
        .await
        .unwrap();
    let refused = f.chat.create_room(Some(visitor), three, room()).await;
    retry_after(refused.unwrap_err());
    let agent = f.seeded_agent().await;
    let all = f
        .chat
        .rooms(&agent, (None, None), Limit::DEFAULT, None)
        .await
        .unwrap();
    assert_eq!(all.items.len(), 4);
}

#[tokio::test]
async fn failed_logins_lock_a_username_and_a_source_for_the_window() {
    let f = fixture_with(only(|l| {
        l.failed_logins_per_username = Rate::per_hour(3);
        l.failed_logins_per_ip = Rate::per_hour(5);
    }));
    f.seeded_agent().await;
    let login = |user: &str, password: &str| {
        Login::parse(&json(&format!(
            r#"{{"username":"{user}","password":"{password}"}}"#
        )))
        .unwrap()
    };
    let attacker: Option<IpAddr> = "198.51.100.7".parse().ok();
    let office: Option<IpAddr> = "198.51.100.8".parse().ok();
    for _ in 0..3 {
        let wrong = f.chat.login(login("admin", "guess"), attacker).await;
        assert_eq!(wrong.unwrap_err().status(), 401);
    }
    // Now even the right password waits, from anywhere: the account is what is guessed.
    let locked = f.chat.login(login("admin", "admin123"), office).await;
    retry_after(locked.unwrap_err());
    // The attacker's source fails on other usernames until its own limit.
    for user in ["ghost1", "ghost2"] {
        let wrong = f.chat.login(login(user, "guess"), attacker).await;
        assert_eq!(wrong.unwrap_err().status(), 401);
    }
    let blocked = f.chat.login(login("ghost3", "guess"), attacker).await;
    retry_after(blocked.unwrap_err());
    f.clock.advance(Duration::from_secs(3600));
    assert!(
        f.chat
            .login(login("admin", "admin123"), office)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_connection_over_its_frame_limit_gets_an_error_event_and_pings_still_answer() {
    let f = fixture_with(only(|l| l.messages_per_connection = Rate::per_minute(2)));
    let created = f
        .chat
        .create_room(None, None, new_room(r#"{"customer_name":"Ada"}"#))
        .await
        .unwrap();
    let (token, room) = (created.customer_token, created.room.id);
    let ada = f.chat.visitor(Some(&token)).unwrap();
    let connection = ConnectionId::parse("conn-1=").unwrap();
    f.chat
        .connect(connection.clone(), Some(&token), Some(&room.to_string()))
        .await
        .unwrap();
    let send = br#"{"action":"send_message","content":"hi"}"#;
    assert_eq!(f.chat.handle_frame(&connection, send).await, None);
    assert_eq!(f.chat.handle_frame(&connection, send).await, None);
    let refused = f.chat.handle_frame(&connection, send).await.unwrap();
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["error"]["code"], "rate_limited");
    assert!(refused["error"]["retry_after"].as_u64().unwrap() >= 1);
    let pong = f
        .chat
        .handle_frame(&connection, br#"{"action":"ping"}"#)
        .await
        .unwrap();
    assert_eq!(pong["type"], "pong");
    let stored = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Newest, Limit::DEFAULT)
        .await
        .unwrap();
    assert_eq!(stored.messages.len(), 2);
}

#[tokio::test]
async fn a_limit_of_zero_is_no_limit() {
    let f = fixture_with(only(|l| l.messages_per_visitor = Rate::parse("0").unwrap()));
    let (ada, room) = f.open_room("Ada").await;
    for i in 0..100 {
        f.chat
            .send_as_visitor(&ada, room, say(&i.to_string(), None))
            .await
            .unwrap();
    }
}
