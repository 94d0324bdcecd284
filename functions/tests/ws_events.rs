//! The WebSocket handlers, fed real API Gateway WebSocket events (fixtures beside this file).

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use functions::{App, Config};
use lambda_http::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use serde_json::{Value, json};
use shared::domain::ConnectionId;
use shared::input::JsonObject;
use shared::ports::{PushError, Pusher};
use shared::store::MemoryStore;

const SECRET: &[u8] = b"the handler tests' secret, 32+ bytes long";
const CONNECTION: &str = "SYfJwcT0joECHlA=";

/// Keeps what was pushed, by connection.
#[derive(Default)]
struct RecordingPusher(Mutex<Vec<(String, Value)>>);

#[async_trait]
impl Pusher for RecordingPusher {
    async fn push(&self, connection: &ConnectionId, payload: &[u8]) -> Result<(), PushError> {
        let value = serde_json::from_slice(payload).expect("pushes are JSON");
        self.0.lock().unwrap().push((connection.to_string(), value));
        Ok(())
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        let closed = serde_json::json!({ "closed": true });
        self.0
            .lock()
            .unwrap()
            .push((connection.to_string(), closed));
        Ok(())
    }
}

impl RecordingPusher {
    fn take(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn app() -> (App, Arc<RecordingPusher>) {
    let pusher = Arc::new(RecordingPusher::default());
    let config = Config::with_secret(SECRET.to_vec()).unwrap();
    (
        App::new(&config, Arc::new(MemoryStore::new()), pusher.clone()),
        pusher,
    )
}

/// A fixture with its placeholders filled in.
fn event(fixture: &str, fill: &[(&str, &str)]) -> ApiGatewayWebsocketProxyRequest {
    serde_json::from_str(&common::fixture(fixture, fill))
        .expect("the fixture is an API Gateway WebSocket event")
}

async fn open_room(app: &App) -> (String, String) {
    let input =
        shared::input::NewRoom::parse(&JsonObject::parse(br#"{"customer_name":"Ada"}"#).unwrap())
            .unwrap();
    let created = app.chat.create_room(None, None, input).await.unwrap();
    (created.room.id.to_string(), created.customer_token)
}

#[tokio::test]
async fn connect_message_and_disconnect_from_real_events() {
    let (app, pushes) = app();
    let (room, token) = open_room(&app).await;

    let connect = event(
        "ws-connect.json",
        &[("{{ROOM_ID}}", &room), ("{{TOKEN}}", &token)],
    );
    assert_eq!(
        functions::ws::connect(app.clone(), connect)
            .await
            .status_code,
        200
    );

    let ping = json!({ "action": "ping" }).to_string().replace('"', "\\\"");
    let message = event("ws-message.json", &[("{{BODY}}", &ping)]);
    assert_eq!(
        functions::ws::message(app.clone(), message)
            .await
            .status_code,
        200
    );
    assert_eq!(
        pushes.take(),
        vec![(
            CONNECTION.to_owned(),
            json!({ "type": "pong", "connection_id": CONNECTION })
        )]
    );

    let send = json!({ "action": "send_message", "content": "hello" })
        .to_string()
        .replace('"', "\\\"");
    functions::ws::message(
        app.clone(),
        event("ws-message.json", &[("{{BODY}}", &send)]),
    )
    .await;
    let pushed = pushes.take();
    assert_eq!(pushed.len(), 1, "{pushed:?}");
    assert_eq!(pushed[0].1["type"], "message");
    assert_eq!(pushed[0].1["message"]["content"], "hello");

    let disconnect = event("ws-disconnect.json", &[]);
    assert_eq!(
        functions::ws::disconnect(app.clone(), disconnect)
            .await
            .status_code,
        200
    );
    // The connection is forgotten: its frames are refused, and it gets no more pushes.
    functions::ws::message(
        app.clone(),
        event("ws-message.json", &[("{{BODY}}", &send)]),
    )
    .await;
    let after = pushes.take();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].1["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn connect_refusals_carry_the_error_body() {
    let (app, _) = app();
    let (room, _) = open_room(&app).await;
    let (_, other_visitor) = open_room(&app).await;
    for (token, status, code) in [
        ("garbage", 401, "unauthorized"),
        ("", 401, "unauthorized"),
        (other_visitor.as_str(), 404, "not_found"),
    ] {
        let connect = event(
            "ws-connect.json",
            &[("{{ROOM_ID}}", &room), ("{{TOKEN}}", token)],
        );
        let answer = functions::ws::connect(app.clone(), connect).await;
        assert_eq!(answer.status_code, status);
        let body: Value = match answer.body {
            Some(lambda_http::Body::Text(text)) => serde_json::from_str(&text).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(body["error"]["code"], code);
    }
}

#[tokio::test]
async fn a_binary_frame_arrives_base64_encoded() {
    let (app, pushes) = app();
    let (room, token) = open_room(&app).await;
    functions::ws::connect(
        app.clone(),
        event(
            "ws-connect.json",
            &[("{{ROOM_ID}}", &room), ("{{TOKEN}}", &token)],
        ),
    )
    .await;
    let mut message = event(
        "ws-message.json",
        &[("{{BODY}}", "eyJhY3Rpb24iOiJwaW5nIn0=")],
    );
    message.is_base64_encoded = true;
    functions::ws::message(app, message).await;
    assert_eq!(pushes.take()[0].1["type"], "pong");
}
