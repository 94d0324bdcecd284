//! A WebSocket client for the tests, reading API.md's events as JSON.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::TestApp;

/// How long a test waits for an event that must come.
const EVENT_WAIT: Duration = Duration::from_secs(5);

pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// From the upgrade response's `x-connection-id` header.
    pub connection_id: String,
}

/// A refused upgrade: its status and JSON body.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: Value,
}

impl TestApp {
    /// Opens a WebSocket on `path` (with its query), or tells how the upgrade was refused.
    pub async fn try_connect(&self, path: &str) -> Result<Socket, Refused> {
        let url = format!("ws://{}{path}", self.addr);
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, response)) => {
                let connection_id = response
                    .headers()
                    .get("x-connection-id")
                    .and_then(|v| v.to_str().ok())
                    .expect("the upgrade names the connection")
                    .to_owned();
                Ok(Socket {
                    stream,
                    connection_id,
                })
            }
            Err(tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response
                    .body()
                    .as_deref()
                    .and_then(|b| serde_json::from_slice(b).ok())
                    .unwrap_or(Value::Null);
                Err(Refused { status, body })
            }
            Err(other) => panic!("connecting to {path}: {other}"),
        }
    }

    pub async fn connect(&self, path: &str) -> Socket {
        match self.try_connect(path).await {
            Ok(socket) => socket,
            Err(refused) => panic!("{path} refused: {refused:?}"),
        }
    }
}

/// What ended a socket.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed {
    pub code: u16,
}

impl Socket {
    pub async fn send_json(&mut self, value: Value) {
        self.send_text(value.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.stream
            .send(Message::text(text))
            .await
            .expect("the frame is sent");
    }

    /// The next event; panics if none comes in time or the socket closes.
    pub async fn next_event(&mut self) -> Value {
        match self.next(EVENT_WAIT).await {
            Some(Ok(event)) => event,
            Some(Err(closed)) => panic!("the socket closed ({closed:?}) instead of an event"),
            None => panic!("no event within {EVENT_WAIT:?}"),
        }
    }

    /// The next event of this `type`, skipping others (such as `room_updated` beside a `read`).
    pub async fn next_of_type(&mut self, kind: &str) -> Value {
        loop {
            let event = self.next_event().await;
            if event["type"] == kind {
                return event;
            }
        }
    }

    /// Asserts that nothing arrives for a while.
    pub async fn assert_silent(&mut self, wait: Duration) {
        if let Some(got) = self.next(wait).await {
            panic!("expected silence, got {got:?}");
        }
    }

    /// Every event that arrives until none has for `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut events = Vec::new();
        while let Some(Ok(event)) = self.next(quiet).await {
            events.push(event);
        }
        events
    }

    /// Waits for the close frame, and returns its code.
    pub async fn closed(&mut self, wait: Duration) -> Closed {
        match self.next(wait).await {
            Some(Err(closed)) => closed,
            other => panic!("expected a close within {wait:?}, got {other:?}"),
        }
    }

    /// The next event, the close, or None after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Result<Value, Closed>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Some(Ok(serde_json::from_str(&text).expect("events are JSON")));
                }
                Some(Ok(Message::Close(frame))) => {
                    let code = frame.map_or(1005, |CloseFrame { code, .. }| u16::from(code));
                    return Some(Err(Closed { code }));
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Some(Err(Closed { code: 1006 })),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}
