//! `throughput`: C closed-loop senders, each on its own room, for a while; over REST (POST and
//! wait for the answer) or over the WebSocket `send_message` action (send and wait for the
//! echo). One agent socket and every room's customer socket count deliveries.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::server::Target;
use crate::sockets::{connect_split, sequence_of};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Rest,
    WebSocket,
}

pub async fn run(
    target: &Target,
    senders: usize,
    seconds: u64,
    mode: Mode,
) -> anyhow::Result<serde_json::Value> {
    let agent_token = target.agent_token().await?;
    let sent = Arc::new(AtomicUsize::new(0));
    let to_agent = Arc::new(AtomicUsize::new(0));
    let to_customers = Arc::new(AtomicUsize::new(0));
    let (_agent_writer, mut agent_reader) =
        connect_split(&format!("{}?token={agent_token}", target.ws)).await?;
    let counter = to_agent.clone();
    let agent_task = tokio::spawn(async move {
        while let Some(Ok(Message::Text(text))) = agent_reader.next().await {
            if sequence_of(&text).is_some() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for sender in 0..senders {
        let (room, token) = target.open_room(&format!("Sender {sender}")).await?;
        let url = format!("{}?room_id={room}&token={token}", target.ws);
        let (mut writer, mut reader) = connect_split(&url).await?;
        let (sent, to_customers) = (sent.clone(), to_customers.clone());
        let (client, base) = (target.client.clone(), target.base.clone());
        tasks.push(tokio::spawn(async move {
            let mut seq = 0usize;
            while Instant::now() < deadline {
                let id = format!("b{}", sender * 10_000_000 + seq);
                seq += 1;
                match mode {
                    Mode::Rest => {
                        let response = client
                            .post(format!("{base}/api/public/chat-rooms/{room}/send_message/"))
                            .bearer_auth(&token)
                            .json(&json!({ "content": "throughput", "client_msg_id": id }))
                            .send()
                            .await;
                        if matches!(response, Ok(r) if r.status().as_u16() == 201) {
                            sent.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Mode::WebSocket => {
                        let frame = json!({ "action": "send_message", "content": "throughput", "client_msg_id": id });
                        if writer.send(Message::text(frame.to_string())).await.is_err() {
                            return;
                        }
                        sent.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // Closed loop over WebSocket: the next send waits for this one's echo. Over
                // REST the answer paced it; the echo is counted as it comes.
                loop {
                    let next = tokio::time::timeout(Duration::from_millis(if mode == Mode::Rest { 0 } else { 5000 }), reader.next()).await;
                    match next {
                        Ok(Some(Ok(Message::Text(text)))) if sequence_of(&text).is_some() => {
                            to_customers.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                        Ok(Some(Ok(_))) => continue,
                        _ => break,
                    }
                }
            }
            // Let the last echoes arrive.
            while let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout(Duration::from_secs(2), reader.next()).await {
                if sequence_of(&text).is_some() {
                    to_customers.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let started = Instant::now();
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started
        .elapsed()
        .min(Duration::from_secs(seconds))
        .as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    agent_task.abort();
    let sent = sent.load(Ordering::Relaxed);
    let per_second = sent as f64 / elapsed;
    let agent_ratio = to_agent.load(Ordering::Relaxed) as f64 / sent.max(1) as f64;
    let customer_ratio = to_customers.load(Ordering::Relaxed) as f64 / sent.max(1) as f64;
    let name = if mode == Mode::Rest {
        "rest"
    } else {
        "websocket"
    };
    eprintln!(
        "throughput {name}: {senders} senders, {sent} messages in {elapsed:.1} s = {per_second:.0} msg/s; \
         delivered/sent: agent {agent_ratio:.3}, customers {customer_ratio:.3}"
    );
    Ok(json!({
        "bench": "throughput", "mode": name, "senders": senders, "seconds": seconds, "sent": sent,
        "messages_per_second": per_second.round(),
        "delivered_ratio_agent": (agent_ratio * 1000.0).round() / 1000.0,
        "delivered_ratio_customers": (customer_ratio * 1000.0).round() / 1000.0,
    }))
}
