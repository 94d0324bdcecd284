//! WebSocket clients of the benchmarks.

use futures_util::StreamExt;
use futures_util::stream::{SplitSink, SplitStream};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Stream = WebSocketStream<MaybeTlsStream<TcpStream>>;
pub type Writer = SplitSink<Stream, Message>;
pub type Reader = SplitStream<Stream>;

pub async fn connect(url: &str) -> anyhow::Result<Stream> {
    let (stream, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| anyhow::anyhow!("connecting {url}: {e}"))?;
    Ok(stream)
}

pub async fn connect_split(url: &str) -> anyhow::Result<(Writer, Reader)> {
    Ok(connect(url).await?.split())
}

/// The `client_msg_id` of a `message` event, as the benchmarks number them (`b<seq>`).
pub fn sequence_of(frame: &str) -> Option<usize> {
    let event: serde_json::Value = serde_json::from_str(frame).ok()?;
    if event["type"] != "message" {
        return None;
    }
    event["message"]["client_msg_id"]
        .as_str()?
        .strip_prefix('b')?
        .parse()
        .ok()
}
