//! Where events go. `FanoutNotifier` is the real one: it finds the connections an event is
//! for and pushes to them through a `Pusher` (API Gateway's Management API in the cloud, or
//! local-dev's sockets directly). The others drop events or record them, for tests.

mod apigw;
mod fanout;

pub use apigw::ApiGatewayPusher;
pub use fanout::FanoutNotifier;

use std::sync::Mutex;

use async_trait::async_trait;

use crate::domain::ConnectionId;
use crate::ports::{Connection, Event, Notifier};

/// Sends nothing. For a deployment or a test with no real-time side.
#[derive(Debug, Default)]
pub struct NoopNotifier;

#[async_trait]
impl Notifier for NoopNotifier {
    async fn publish(&self, _event: Event) -> Vec<Connection> {
        Vec::new()
    }

    /// Forgets nothing: it holds no connections.
    async fn close(&self, _connections: Vec<ConnectionId>) -> Vec<Connection> {
        Vec::new()
    }
}

/// Keeps every event, in order, and every connection it was told to close (forgetting none),
/// for tests to inspect.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    events: Mutex<Vec<Event>>,
    closed: Mutex<Vec<ConnectionId>>,
}

impl RecordingNotifier {
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn take_closed(&self) -> Vec<ConnectionId> {
        std::mem::take(&mut *self.closed.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn publish(&self, event: Event) -> Vec<Connection> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(event);
        Vec::new()
    }

    async fn close(&self, connections: Vec<ConnectionId>) -> Vec<Connection> {
        self.closed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(connections);
        Vec::new()
    }
}
