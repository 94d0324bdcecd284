//! Where events go. `FanoutNotifier` is the real one: it finds the connections an event is
//! for and pushes to them through a `Pusher` (API Gateway's Management API in the cloud, or
//! local-dev's sockets directly). The others drop events or record them, for tests.

mod apigw;
mod fanout;

pub use apigw::ApiGatewayPusher;
pub use fanout::FanoutNotifier;

use std::sync::Mutex;

use async_trait::async_trait;

use crate::ports::{Event, Notifier};

/// Sends nothing. For a deployment or a test with no real-time side.
#[derive(Debug, Default)]
pub struct NoopNotifier;

#[async_trait]
impl Notifier for NoopNotifier {
    async fn publish(&self, _event: Event) {}
}

/// Keeps every event, in order, for tests to inspect.
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    events: Mutex<Vec<Event>>,
}

impl RecordingNotifier {
    pub fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait]
impl Notifier for RecordingNotifier {
    async fn publish(&self, event: Event) {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(event);
    }
}
