//! `idle`: N open agent sockets held for a while, all still alive afterwards (ping/pong), and
//! the server's resident memory per socket (from /proc/<pid>/status).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::server::Target;
use crate::sockets::{Stream, connect};

pub async fn run(target: &Target, count: usize, hold: u64) -> anyhow::Result<serde_json::Value> {
    let token = target.agent_token().await?;
    let url = format!("{}?token={token}", target.ws);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = target.rss();
    let mut sockets: Vec<Stream> = Vec::with_capacity(count);
    for _ in 0..count {
        sockets.push(connect(&url).await?);
    }
    tokio::time::sleep(Duration::from_secs(hold)).await;
    let after = target.rss();
    let mut alive = 0;
    for socket in &mut sockets {
        if socket
            .send(Message::text(json!({"action": "ping"}).to_string()))
            .await
            .is_err()
        {
            continue;
        }
        let pong = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(Ok(frame)) = socket.next().await {
                if let Message::Text(text) = frame
                    && text.contains("\"pong\"")
                {
                    return true;
                }
            }
            false
        })
        .await;
        alive += usize::from(matches!(pong, Ok(true)));
    }
    let per_socket = match (before, after) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before) as f64 / count as f64),
        _ => None,
    };
    match per_socket {
        Some(bytes) => eprintln!(
            "idle: {count} sockets held {hold} s, {alive} alive after; server RSS {:.2} KiB per socket",
            bytes / 1024.0
        ),
        None => eprintln!(
            "idle: {count} sockets held {hold} s, {alive} alive after; no --pid, so no memory figure"
        ),
    }
    Ok(json!({
        "bench": "idle", "sockets": count, "hold_seconds": hold, "alive": alive,
        "rss_before": before, "rss_after": after,
        "rss_per_socket_bytes": per_socket.map(|b| b.round()),
    }))
}
