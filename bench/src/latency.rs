//! `latency`: R rooms, one customer socket and one agent socket per room (every agent socket
//! gets every room's messages); customers POST at a fixed total rate (open loop). Per message,
//! the time from the POST's start to its arrival at the agent sockets and at the room's
//! customer socket.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::server::Target;
use crate::sockets::{connect_split, sequence_of};
use crate::stats::summarize;

/// Stored but not delivered within this is lost.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(5);

struct Book {
    started: Vec<Mutex<Option<Instant>>>,
    /// Deliveries per (socket, message): more than one is a duplicate.
    seen: Vec<Vec<AtomicU8>>,
    agent: Mutex<Vec<Duration>>,
    customer: Mutex<Vec<Duration>>,
}

pub async fn run(
    target: &Target,
    rooms: usize,
    rate: u64,
    seconds: u64,
) -> anyhow::Result<serde_json::Value> {
    let total = (rate * seconds) as usize;
    let agent_token = target.agent_token().await?;
    let mut room_list = Vec::new();
    for i in 0..rooms {
        room_list.push(target.open_room(&format!("Bench {i}")).await?);
    }
    let book = Arc::new(Book {
        started: (0..total).map(|_| Mutex::new(None)).collect(),
        seen: (0..rooms * 2)
            .map(|_| (0..total).map(|_| AtomicU8::new(0)).collect())
            .collect(),
        agent: Mutex::new(Vec::with_capacity(total * rooms)),
        customer: Mutex::new(Vec::with_capacity(total)),
    });
    // Socket i < rooms: the agents'; rooms + i: room i's customer.
    let mut readers = Vec::new();
    for socket in 0..rooms * 2 {
        let url = if socket < rooms {
            format!("{}?token={agent_token}", target.ws)
        } else {
            let (room, token) = &room_list[socket - rooms];
            format!("{}?room_id={room}&token={token}", target.ws)
        };
        let (_writer, mut reader) = connect_split(&url).await?;
        let book = book.clone();
        readers.push(tokio::spawn(async move {
            let _writer = _writer;
            while let Some(Ok(Message::Text(text))) = reader.next().await {
                let Some(seq) = sequence_of(&text) else {
                    continue;
                };
                let Some(started) = *book.started[seq].lock().unwrap() else {
                    continue;
                };
                let elapsed = started.elapsed();
                if book.seen[socket][seq].fetch_add(1, Ordering::Relaxed) == 0 {
                    let bucket = if socket < rooms {
                        &book.agent
                    } else {
                        &book.customer
                    };
                    bucket.lock().unwrap().push(elapsed);
                }
            }
        }));
    }

    // Open loop: one POST every 1/rate s, whatever the answers do.
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut posts = Vec::with_capacity(total);
    for seq in 0..total {
        ticker.tick().await;
        let (room, token) = room_list[seq % rooms].clone();
        let (client, base, book) = (target.client.clone(), target.base.clone(), book.clone());
        posts.push(tokio::spawn(async move {
            *book.started[seq].lock().unwrap() = Some(Instant::now());
            let response = client
                .post(format!("{base}/api/public/chat-rooms/{room}/send_message/"))
                .bearer_auth(token)
                .json(&json!({ "content": format!("latency {seq}"), "client_msg_id": format!("b{seq}") }))
                .send()
                .await;
            matches!(response, Ok(r) if r.status().as_u16() == 201)
        }));
    }
    let mut stored = vec![false; total];
    for (seq, post) in posts.into_iter().enumerate() {
        stored[seq] = post.await.unwrap_or(false);
    }
    tokio::time::sleep(DELIVERY_DEADLINE).await;
    for reader in readers {
        reader.abort();
    }

    let (mut lost, mut duplicates) = (0usize, 0usize);
    for seq in (0..total).filter(|seq| stored[*seq]) {
        let room = seq % rooms;
        for socket in (0..rooms).chain([rooms + room]) {
            match book.seen[socket][seq].load(Ordering::Relaxed) {
                0 => lost += 1,
                1 => {}
                n => duplicates += usize::from(n) - 1,
            }
        }
    }
    let agent = summarize(std::mem::take(&mut *book.agent.lock().unwrap()));
    let customer = summarize(std::mem::take(&mut *book.customer.lock().unwrap()));
    let failed = stored.iter().filter(|ok| !**ok).count();
    eprintln!(
        "latency: {rooms} rooms, {rate} msg/s for {seconds} s: agent p50 {:.2} ms p90 {:.2} p99 {:.2} max {:.2}; \
         customer p50 {:.2} ms p90 {:.2} p99 {:.2} max {:.2}; lost {lost}, duplicates {duplicates}, failed posts {failed}",
        agent.p50_ms,
        agent.p90_ms,
        agent.p99_ms,
        agent.max_ms,
        customer.p50_ms,
        customer.p90_ms,
        customer.p99_ms,
        customer.max_ms
    );
    Ok(json!({
        "bench": "latency", "rooms": rooms, "rate": rate, "seconds": seconds, "sent": total,
        "failed_posts": failed, "agent": agent.json(), "customer": customer.json(),
        "lost": lost, "duplicates": duplicates,
    }))
}
