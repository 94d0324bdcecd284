//! Soak (bounded in count and time, loopback only): connections open and close by the
//! thousand while customers send over REST and WebSocket; afterwards every acknowledged message
//! is readable exactly once, every closed connection is gone (410 on `@connections`, no record
//! in the store), and the churn of connections did not grow the process's memory.
//!
//! `SOAK_SECONDS` (default 30) is the whole run; infra/test.sh runs it for several minutes.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use api_tests::{TestApp, spawn_app};
use serde_json::json;
use tokio::sync::Mutex;

/// How many customers work at once.
const CONCURRENCY: usize = 16;

fn soak_seconds() -> u64 {
    std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

/// One customer's connections: open, ping, close, again and again. Returns how many, and a
/// bounded sample of their ids (keeping them all would grow this process's own memory).
async fn churn(app: &TestApp, room: &str, token: &str, stop: &AtomicBool) -> (usize, Vec<String>) {
    let (mut count, mut sample) = (0, Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let mut socket = app
            .connect(&format!("/ws/chat/{room}/?token={token}"))
            .await;
        socket.send_json(json!({ "action": "ping" })).await;
        assert_eq!(socket.next_of_type("pong").await["type"], "pong");
        if count % 97 == 0 && sample.len() < 100 {
            sample.push(socket.connection_id.clone());
        }
        count += 1;
        socket.close().await;
    }
    (count, sample)
}

/// One customer's messages, half over REST and half over the socket; every acknowledged id.
async fn talk(app: &TestApp, room: &str, token: &str, stop: &AtomicBool) -> Vec<String> {
    let mut acknowledged = Vec::new();
    let mut socket = app
        .connect(&format!("/ws/chat/{room}/?token={token}"))
        .await;
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let reply = app.customer_says(room, token, &format!("rest {n}")).await;
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        acknowledged.push(reply.id());
        let client_msg_id = format!("ws-{n}");
        socket
            .send_json(json!({ "action": "send_message", "content": format!("ws {n}"), "client_msg_id": client_msg_id }))
            .await;
        // The sender's own connections hear their message: that is its acknowledgement.
        loop {
            let event = socket.next_of_type("message").await;
            if event["message"]["client_msg_id"] == client_msg_id.as_str() {
                acknowledged.push(event["message"]["id"].as_str().unwrap().to_owned());
                break;
            }
        }
    }
    socket.close().await;
    acknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn churn_and_messages_leave_nothing_behind_and_lose_nothing() {
    let app = Arc::new(spawn_app().await);
    let half = Duration::from_secs(soak_seconds().max(4) / 2);
    let mut rooms = Vec::new();
    for i in 0..CONCURRENCY {
        rooms.push(app.open_room(&format!("Soak {i}")).await);
    }

    // Connections by the thousand; memory is sampled once warm and at the end.
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = rooms
        .iter()
        .cloned()
        .map(|(room, token)| {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move { churn(&app, &room, &token, &stop).await })
        })
        .collect();
    tokio::time::sleep(half / 4).await;
    let warm = rss_bytes();
    tokio::time::sleep(half - half / 4).await;
    stop.store(true, Ordering::Relaxed);
    let (mut connections, mut closed) = (0, Vec::new());
    for worker in workers {
        let (count, sample) = worker.await.unwrap();
        connections += count;
        closed.extend(sample);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_churn = rss_bytes();
    assert!(
        connections >= 500,
        "only {connections} connections in {half:?}"
    );
    let grown = after_churn.saturating_sub(warm);
    eprintln!(
        "soak: {connections} connections opened and closed in {half:?}; memory {} KiB once warm, {} KiB after",
        warm / 1024,
        after_churn / 1024
    );
    assert!(
        grown < 4 * 1024 * 1024,
        "{connections} connections grew memory by {} KiB",
        grown / 1024
    );
    // No connection record is left behind in the store either.
    let now = shared::domain::Timestamp::from_unix_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    );
    for (room, _) in &rooms {
        let listed = app.store().room_connections(room.parse().unwrap(), now);
        let records = api_tests::the_test_itself(listed).await.unwrap();
        assert!(records.is_empty(), "room {room} still lists {records:?}");
    }
    let client = reqwest::Client::new();
    for id in &closed {
        let described = client
            .get(format!("{}/@connections/{id}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            described.status(),
            410,
            "closed connection {id} is still known"
        );
    }

    // Messages: every acknowledged one readable afterwards, exactly once.
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(HashMap::<String, Vec<String>>::new()));
    let workers: Vec<_> = rooms
        .iter()
        .cloned()
        .map(|(room, token)| {
            let (app, stop, acknowledged) = (app.clone(), stop.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let ids = talk(&app, &room, &token, &stop).await;
                acknowledged.lock().await.insert(room, ids);
            })
        })
        .collect();
    tokio::time::sleep(half).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let acknowledged = acknowledged.lock().await;
    let mut total = 0;
    for (room, token) in &rooms {
        let mut expected = acknowledged[room].clone();
        let mut stored = app.all_message_ids(room, token).await;
        total += expected.len();
        expected.sort();
        stored.sort();
        assert_eq!(
            stored, expected,
            "room {room}: stored and acknowledged differ"
        );
    }
    eprintln!("soak: {total} acknowledged messages in {half:?}, each stored exactly once");
    assert!(total >= 200, "only {total} messages in {half:?}");
}
