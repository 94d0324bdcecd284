//! What the handler tests share: a pusher with nobody listening, and an app seeded with the
//! default agent and one room.

// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use async_trait::async_trait;
use functions::App;
use shared::domain::{ConnectionId, DisplayName, Role, Username};
use shared::input::{JsonObject, Login, NewRoom};
use shared::ports::{PushError, Pusher};

/// Every connection is gone.
pub struct NobodyListens;

#[async_trait]
impl Pusher for NobodyListens {
    async fn push(&self, _: &ConnectionId, _: &[u8]) -> Result<(), PushError> {
        Err(PushError::Gone)
    }

    async fn close(&self, _: &ConnectionId) -> Result<(), PushError> {
        Err(PushError::Gone)
    }
}

/// What a client holds after `seed`.
pub struct Seeded {
    pub room: String,
    pub customer: String,
    pub access: String,
    pub refresh: String,
}

/// Creates the agent admin / admin123, opens a room for Ada (with `first_message`, if any)
/// and signs the agent in.
pub async fn seed(app: &App, first_message: Option<&str>) -> Seeded {
    app.chat
        .ensure_agent(
            Username::parse("admin").unwrap(),
            "admin123".into(),
            DisplayName::parse("Admin").unwrap(),
            Role::Admin,
        )
        .await
        .unwrap();
    let body = serde_json::json!({ "customer_name": "Ada", "message": first_message });
    let input = NewRoom::parse(&JsonObject::parse(body.to_string().as_bytes()).unwrap()).unwrap();
    let created = app.chat.create_room(None, None, input).await.unwrap();
    let credentials = br#"{"username":"admin","password":"admin123"}"#;
    let login = Login::parse(&JsonObject::parse(credentials).unwrap()).unwrap();
    let session = app.chat.login(login, None).await.unwrap();
    Seeded {
        room: created.room.id.to_string(),
        customer: created.customer_token,
        access: session.access,
        refresh: session.refresh,
    }
}

/// The text of `fixtures/<relative>`, each placeholder (`{{ROOM_ID}}`, …) replaced by its value.
pub fn fixture(relative: &str, fill: &[(&str, &str)]) -> String {
    let path = format!("{}/tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    fill.iter().fold(text, |text, (placeholder, value)| {
        text.replace(placeholder, value)
    })
}

/// `body` as it sits inside a JSON string of an event (`"body": "{{BODY}}"`): serialized, then
/// escaped.
pub fn inside_json_string(body: &serde_json::Value) -> String {
    let quoted = serde_json::to_string(&body.to_string()).unwrap();
    quoted[1..quoted.len() - 1].to_owned()
}

/// A bucket on an endpoint nobody listens on: presigning needs no answer from S3.
pub fn unreachable_bucket() -> functions::s3::Bucket {
    functions::s3::Bucket {
        name: "attachments".to_owned(),
        endpoint: Some("http://127.0.0.1:9".to_owned()),
    }
}
