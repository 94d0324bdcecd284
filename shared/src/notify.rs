//! Notifiers that need no network: one that drops events (a process with no WebSocket API)
//! and one that records them (tests).

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
