//! The live WebSocket connections of the emulated API Gateway, by connection id, and the
//! in-process pusher that writes to them without a round trip through `@connections`.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::extract::ws::{Message, Utf8Bytes};
use shared::domain::{ConnectionId, Timestamp};
use shared::ports::{PushError, Pusher};
use tokio::sync::Notify;

/// What the socket's task is told to do.
#[derive(Debug)]
pub enum Outgoing {
    Frame(Message),
    Close(u16, &'static str),
}

/// One open connection, as `GetConnection` describes it, and what waits to be sent to it. The
/// outbox is a plain queue and a wake-up (no channel): an idle socket's outbox allocates
/// nothing.
pub struct Live {
    outbox: Mutex<VecDeque<Outgoing>>,
    ready: Notify,
    pub connected_at: Timestamp,
    last_active_ms: AtomicI64,
    pub source_ip: IpAddr,
    pub user_agent: Option<String>,
}

impl Live {
    pub fn new(connected_at: Timestamp, source_ip: IpAddr, user_agent: Option<String>) -> Self {
        Self {
            outbox: Mutex::new(VecDeque::new()),
            ready: Notify::new(),
            connected_at,
            last_active_ms: AtomicI64::new(connected_at.unix_millis()),
            source_ip,
            user_agent,
        }
    }

    pub fn touch(&self, now: Timestamp) {
        self.last_active_ms
            .store(now.unix_millis(), Ordering::Relaxed);
    }

    pub fn last_active(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.last_active_ms.load(Ordering::Relaxed))
    }

    fn send(&self, outgoing: Outgoing) {
        self.outbox
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push_back(outgoing);
        self.ready.notify_one();
    }

    /// Waits until something was sent, then takes all of it, in order.
    pub async fn next_outgoing(&self) -> VecDeque<Outgoing> {
        loop {
            let taken = std::mem::take(&mut *self.outbox.lock().unwrap_or_else(|p| p.into_inner()));
            if !taken.is_empty() {
                return taken;
            }
            self.ready.notified().await;
        }
    }
}

/// The connection is not open (API Gateway's 410 GoneException).
#[derive(Debug)]
pub struct Gone;

#[derive(Default)]
pub struct Registry {
    connections: Mutex<HashMap<String, Arc<Live>>>,
}

impl Registry {
    fn connections(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Live>>> {
        self.connections.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, id: &str, live: Live) -> Arc<Live> {
        let live = Arc::new(live);
        self.connections().insert(id.to_owned(), live.clone());
        live
    }

    pub fn remove(&self, id: &str) {
        self.connections().remove(id);
    }

    pub fn get(&self, id: &str) -> Option<Arc<Live>> {
        self.connections().get(id).cloned()
    }

    fn send(&self, id: &str, outgoing: Outgoing) -> Result<(), Gone> {
        self.get(id).ok_or(Gone)?.send(outgoing);
        Ok(())
    }

    /// Sends `payload` as one frame: text when it is UTF-8, binary otherwise.
    pub fn push(&self, id: &str, payload: &[u8]) -> Result<(), Gone> {
        let frame = match std::str::from_utf8(payload) {
            Ok(text) => Message::Text(Utf8Bytes::from(text)),
            Err(_) => Message::Binary(payload.to_vec().into()),
        };
        self.send(id, Outgoing::Frame(frame))
    }

    pub fn close(&self, id: &str, code: u16, reason: &'static str) -> Result<(), Gone> {
        self.send(id, Outgoing::Close(code, reason))
    }
}

/// Pushes straight into the sockets of this process: what `@connections` does, minus HTTP.
pub struct InProcessPusher(pub Arc<Registry>);

#[async_trait]
impl Pusher for InProcessPusher {
    async fn push(&self, connection: &ConnectionId, payload: &[u8]) -> Result<(), PushError> {
        self.0
            .push(connection.as_str(), payload)
            .map_err(|Gone| PushError::Gone)
    }

    /// As API Gateway's `DeleteConnection`, and local-dev's `DELETE @connections`.
    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        self.0
            .close(
                connection.as_str(),
                1000,
                "closed through the Management API",
            )
            .map_err(|Gone| PushError::Gone)
    }
}
