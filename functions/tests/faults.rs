//! Fault injection: a store that cannot be reached and pushes that fail or crawl. A failed
//! store call is a clean 500 `internal` (the cause logged, never shown); a failed or slow push
//! never fails the send it follows.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use functions::routes::ROUTES;
use functions::{App, Config};
use serde_json::{Value, json};
use shared::aws::AwsSettings;
use shared::domain::{ConnectionId, Limit, MessageWindow, Reader};
use shared::ports::{ConnectionStore, MessageStore, PushError, Pusher};
use shared::store::{DynamoStore, MemoryStore};
use tracing_subscriber::layer::SubscriberExt;

use common::NobodyListens;

const SECRET: &[u8] = b"the fault tests' secret, 32+ bytes long";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn captured_logs() -> String {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    let captured = CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry()
            .with(functions::telemetry::filter("info"))
            .with(tracing_subscriber::fmt::layer().with_writer(move || writer.clone()));
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    });
    String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned()
}

/// The REST event of `function` with a body, as API Gateway sends it.
fn request(function: &str, token: &str, room: &str, body: &Value) -> lambda_http::Request {
    let path = format!(
        "{}/tests/fixtures/http/{function}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = serde_json::to_string(&body.to_string()).unwrap();
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("{{TOKEN}}", token)
        .replace("{{ROOM_ID}}", room)
        .replace("{{QUERY}}", "")
        .replace("{{BODY}}", &body[1..body.len() - 1]);
    lambda_http::request::from_str(&text).unwrap()
}

async fn handle(app: &App, function: &str, request: lambda_http::Request) -> (u16, Value) {
    let route = ROUTES.iter().find(|r| r.function == function).unwrap();
    let response = (route.handler)(app.clone(), request).await;
    let body = match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
        other => panic!("not a text body: {other:?}"),
    };
    (response.status().as_u16(), body)
}

#[tokio::test]
async fn an_unreachable_store_is_a_clean_500_with_its_cause_logged() {
    captured_logs();
    // Nothing listens on the discard port: every DynamoDB call fails to connect.
    let store = DynamoStore::connect(&AwsSettings::local(), Some("http://127.0.0.1:9"), "chat");
    let config = Config::with_secret(SECRET.to_vec()).unwrap();
    let app = App::new(&config, Arc::new(store), Arc::new(NobodyListens));
    let create = request(
        "public-create-room",
        "",
        "",
        &json!({ "customer_name": "Ada" }),
    );
    let (status, body) = handle(&app, "public-create-room", create).await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!({ "error": { "code": "internal", "message": "internal server error" } })
    );
    let logs = captured_logs();
    assert!(logs.contains("internal error"), "{logs}");
    assert!(
        logs.contains("PutItem") || logs.contains("UpdateItem"),
        "the cause names the call: {logs}"
    );
}

#[tokio::test]
async fn the_health_check_answers_503_naming_the_store_when_it_cannot_be_read() {
    captured_logs();
    let store = DynamoStore::connect(&AwsSettings::local(), Some("http://127.0.0.1:9"), "chat");
    let config = Config::with_secret(SECRET.to_vec()).unwrap();
    let app = App::new(&config, Arc::new(store), Arc::new(NobodyListens));
    let (status, body) = handle(&app, "health", request("health", "", "", &json!(null))).await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({ "status": "unavailable", "store": "unavailable" }),
        "the failing part, and nothing of why"
    );
    let logs = captured_logs();
    assert!(
        logs.contains("GetItem health probe"),
        "the cause is logged: {logs}"
    );
}

/// A pusher that fails every push, or answers each after a delay.
enum BadPusher {
    Failing,
    Slow(Duration),
}

#[async_trait::async_trait]
impl Pusher for BadPusher {
    async fn push(&self, _: &ConnectionId, _: &[u8]) -> Result<(), PushError> {
        match self {
            Self::Failing => Err(PushError::Failed(anyhow::anyhow!("injected push failure"))),
            Self::Slow(delay) => {
                tokio::time::sleep(*delay).await;
                Ok(())
            }
        }
    }

    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError> {
        self.push(connection, b"").await
    }
}

#[tokio::test]
async fn failed_or_slow_pushes_never_fail_the_send() {
    for pusher in [
        BadPusher::Failing,
        BadPusher::Slow(Duration::from_millis(300)),
    ] {
        let store = Arc::new(MemoryStore::new());
        let config = Config::with_secret(SECRET.to_vec()).unwrap();
        let app = App::new(&config, store.clone(), Arc::new(pusher));
        let create = request(
            "public-create-room",
            "",
            "",
            &json!({ "customer_name": "Ada" }),
        );
        let (status, created) = handle(&app, "public-create-room", create).await;
        assert_eq!(status, 201, "{created}");
        let room = created["room"]["id"].as_str().unwrap().to_owned();
        let token = created["customer_token"].as_str().unwrap().to_owned();
        let connection = ConnectionId::parse("listening=").unwrap();
        app.chat
            .connect(connection.clone(), Some(&token), Some(&room))
            .await
            .unwrap();

        let send = request(
            "public-send-message",
            &token,
            &room,
            &json!({ "content": "hi" }),
        );
        let (status, sent) = handle(&app, "public-send-message", send).await;
        assert_eq!(status, 201, "{sent}");
        let stored = store
            .list_messages(
                room.parse().unwrap(),
                MessageWindow::Newest,
                Limit::DEFAULT,
                Reader::Agent,
            )
            .await
            .unwrap();
        assert_eq!(stored.messages.len(), 1);
        // A failed push is not a 410: the connection is kept for the next one.
        let now = shared::domain::Timestamp::from_unix_millis(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
        );
        assert!(
            store
                .get_connection(&connection, now)
                .await
                .unwrap()
                .is_some()
        );
    }
}

/// A pushing function deployed without `WEBSOCKET_ENDPOINT` pushes nowhere, and must not take
/// that for every connection being gone: the fan-out forgets a connection reported Gone.
#[tokio::test]
async fn a_function_with_nowhere_to_push_forgets_no_connection() {
    let config = Config::with_secret(SECRET.to_vec()).unwrap();
    assert!(config.websocket_endpoint.is_none());
    let store = Arc::new(MemoryStore::new());
    let pusher = functions::app::pusher_for(&AwsSettings::local(), &config, true);
    let app = App::new(&config, store.clone(), pusher);
    common::seed(&app, None).await;
    let now = shared::domain::Timestamp::from_unix_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    );
    let agent = shared::domain::AgentIdentity {
        id: shared::domain::AgentId::from_ulid(ulid::Ulid::new()),
        username: shared::domain::Username::parse("bob").unwrap(),
        display_name: shared::domain::DisplayName::parse("Bob").unwrap(),
        role: shared::domain::Role::Agent,
    };
    let connection = ConnectionId::parse("Ym9iLWFnZW50").unwrap();
    store
        .add_connection(&shared::ports::Connection {
            id: connection.clone(),
            party: shared::ports::Party::Agent(agent),
            connected_at: now,
            expires_at: now.plus_seconds(3600),
        })
        .await
        .unwrap();
    // A new room is pushed to every agent connection.
    let create = request(
        "public-create-room",
        "",
        "",
        &json!({ "customer_name": "Eve" }),
    );
    assert_eq!(handle(&app, "public-create-room", create).await.0, 201);
    let kept = store.agent_connections(now).await.unwrap();
    assert!(
        kept.contains(&connection),
        "the connection was forgotten: {kept:?}"
    );
}
