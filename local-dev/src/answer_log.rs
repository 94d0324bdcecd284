//! What local-dev answered, recorded for the API reference's check: with `ANSWER_LOG` set to a
//! file, every answer of a REST route (its route key, status, content type, JSON body and length) and
//! every frame pushed to a WebSocket connection is appended as one JSON line.
//! `functions/tests/openapi_answers.rs` holds docs/openapi.json to these records: each status a
//! route answered is documented, each documented status was answered, each body fits the
//! documented schema.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};
use shared::domain::ConnectionId;
use shared::ports::{PushError, Pusher};

use crate::json_lines::JsonLines;

#[derive(Clone, Debug)]
pub struct AnswerLog(JsonLines);

impl AnswerLog {
    /// The log `ANSWER_LOG` names, if it names one.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        Ok(JsonLines::from_env("ANSWER_LOG")?.map(Self))
    }

    /// A REST answer of the route `route_key` (`POST /api/auth/login`).
    pub fn http(&self, route_key: &str, status: u16, content_type: Option<&str>, body: &[u8]) {
        self.0.append(&json!({
            "kind": "http",
            "route": route_key,
            "status": status,
            "content_type": content_type,
            "body": as_json(body),
            "length": body.len(),
        }));
    }

    /// A frame a function pushed to a connection (an event, or the answer to a frame it sent).
    fn frame(&self, payload: &[u8]) {
        self.0
            .append(&json!({ "kind": "frame", "body": as_json(payload) }));
    }
}

/// The functions' pusher, recording each frame they push. Frames a test pushes itself through
/// `@connections` are not the API's and are not recorded.
pub struct RecordingPusher {
    pub inner: Arc<dyn Pusher>,
    pub answers: AnswerLog,
}

#[async_trait]
impl Pusher for RecordingPusher {
    async fn push(&self, connection: &ConnectionId, payload: &[u8]) -> Result<(), PushError> {
        self.answers.frame(payload);
        self.inner.push(connection, payload).await
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        self.inner.close(connection).await
    }
}

/// The body when it is JSON; anything else (a page, a script) is recorded as null.
fn as_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}
