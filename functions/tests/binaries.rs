//! The function binaries themselves, started as Lambda starts them: each is given the
//! environment a deployed function has, polls a Runtime API (a stub here) for its event,
//! handles it against DynamoDB Local and posts its answer back. A pushing function's pushes
//! reach a Management API stub at `WEBSOCKET_ENDPOINT`, signed by the real SDK client.
//!
//! Needs `DYNAMODB_ENDPOINT` (infra/test.sh starts DynamoDB Local).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use shared::clock::SystemClock;
use shared::domain::{Agent, AgentId, AgentIdentity, ConnectionId, DisplayName, Role, Username};
use shared::ports::{AgentStore, Clock, Connection, ConnectionStore, Party};
use tokio::sync::mpsc;

const SECRET: &str = "the binaries test's secret, 32+ bytes long";
const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
const CONNECTION: &str = "SYfJwcT0joECHlA=";

/// What one run of a binary produced.
#[derive(Debug)]
struct Invocation {
    /// The Runtime API call that ended it: `response`, `error` or `init/error`.
    outcome: String,
    answer: Value,
    /// `(connection id, payload)` of each `PostToConnection`.
    pushes: Vec<(String, Value)>,
    /// The connection id of each `DeleteConnection`.
    closed: Vec<String>,
    /// The function's log lines (JSON, as Lambda's JSON log format asks).
    logs: Vec<Value>,
}

#[derive(Clone)]
struct Stub {
    event: Arc<Mutex<Option<String>>>,
    ended: mpsc::UnboundedSender<(String, Value)>,
    pushes: Arc<Mutex<Vec<(String, Value)>>>,
    closed: Arc<Mutex<Vec<String>>>,
}

/// The next event, once; later polls wait forever (the test stops the binary first).
async fn next(State(stub): State<Stub>) -> (HeaderMap, String) {
    let Some(event) = stub.event.lock().unwrap().take() else {
        return std::future::pending().await;
    };
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
    let mut headers = HeaderMap::new();
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:chat";
    for (name, value) in [
        ("lambda-runtime-aws-request-id", REQUEST_ID.to_owned()),
        (
            "lambda-runtime-deadline-ms",
            deadline.as_millis().to_string(),
        ),
        ("lambda-runtime-invoked-function-arn", arn.to_owned()),
        (
            "lambda-runtime-trace-id",
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700".to_owned(),
        ),
        ("content-type", "application/json".to_owned()),
    ] {
        headers.insert(name, value.parse().unwrap());
    }
    (headers, event)
}

async fn ended(
    State(stub): State<Stub>,
    Path((_, outcome)): Path<(String, String)>,
    body: Bytes,
) -> StatusCode {
    let answer = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let _ = stub.ended.send((outcome, answer));
    StatusCode::ACCEPTED
}

async fn init_error(State(stub): State<Stub>, body: Bytes) -> StatusCode {
    let _ = stub.ended.send((
        "init/error".to_owned(),
        serde_json::from_slice(&body).unwrap_or_default(),
    ));
    StatusCode::ACCEPTED
}

async fn post_to_connection(
    State(stub): State<Stub>,
    Path(connection): Path<String>,
    body: Bytes,
) -> StatusCode {
    let payload = serde_json::from_slice(&body).expect("pushes are JSON");
    stub.pushes.lock().unwrap().push((connection, payload));
    StatusCode::OK
}

/// A connection long gone, as API Gateway answers `DeleteConnection` for one (410).
async fn delete_connection(
    State(stub): State<Stub>,
    Path(connection): Path<String>,
) -> (StatusCode, [(&'static str, &'static str); 1], &'static str) {
    stub.closed.lock().unwrap().push(connection);
    (
        StatusCode::GONE,
        [("x-amzn-ErrorType", "GoneException")],
        r#"{"message":"Gone"}"#,
    )
}

/// Runs the binary `function` on `event` with a fresh stub for its Runtime API and its
/// Management API, and returns what it answered and pushed.
async fn invoke(function: &str, event: String, table: &str) -> Invocation {
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel();
    let stub = Stub {
        event: Arc::new(Mutex::new(Some(event))),
        ended: ended_tx,
        pushes: Arc::default(),
        closed: Arc::default(),
    };
    let api = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{outcome}", post(ended))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .route(
            "/prod/@connections/{id}",
            post(post_to_connection).delete(delete_connection),
        )
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, api).await });

    let dynamodb = std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT is not set: run infra/test.sh, which starts DynamoDB Local");
    let binary = match function {
        "auth-login" => env!("CARGO_BIN_EXE_auth-login"),
        "create-agent" => env!("CARGO_BIN_EXE_create-agent"),
        "public-create-room" => env!("CARGO_BIN_EXE_public-create-room"),
        "public-send-message" => env!("CARGO_BIN_EXE_public-send-message"),
        "ws-connect" => env!("CARGO_BIN_EXE_ws-connect"),
        "sweep-connections" => env!("CARGO_BIN_EXE_sweep-connections"),
        other => panic!("no binary {other} in this test"),
    };
    let mut child = tokio::process::Command::new(binary)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_LEVEL", "INFO")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .stdout(std::process::Stdio::piped())
        .env("AWS_REGION", "us-east-1")
        // The keys the table was created with: DynamoDB Local keeps tables per key.
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("JWT_SECRET", SECRET)
        .env("TABLE_NAME", table)
        .env("DYNAMODB_ENDPOINT", dynamodb)
        .env("WEBSOCKET_ENDPOINT", format!("http://{address}/prod"))
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {binary}: {e}"));
    let (outcome, answer) = tokio::time::timeout(Duration::from_secs(60), ended_rx.recv())
        .await
        .unwrap_or_else(|_| panic!("{function} did not answer within 60 s"))
        .expect("the stub keeps its sender");
    // A function posts its answer after its pushes; it is stopped as Lambda freezes it.
    child.kill().await.unwrap();
    server.abort();
    let mut output = String::new();
    let mut stdout = child.stdout.take().expect("piped");
    tokio::io::AsyncReadExt::read_to_string(&mut stdout, &mut output)
        .await
        .unwrap();
    let logs = output
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")))
        .collect();
    let pushes = std::mem::take(&mut *stub.pushes.lock().unwrap());
    let closed = std::mem::take(&mut *stub.closed.lock().unwrap());
    Invocation {
        outcome,
        answer,
        pushes,
        closed,
        logs,
    }
}

/// An HTTP API event for the REST function `function`, from its fixture.
fn http_event(function: &str, token: &str, room: &str, body: &Value) -> String {
    common::fixture(
        &format!("http/{function}.json"),
        &[
            ("{{TOKEN}}", token),
            ("{{ROOM_ID}}", room),
            ("{{QUERY}}", ""),
            ("{{BODY}}", &common::inside_json_string(body)),
        ],
    )
}

/// The JSON body of an HTTP API answer, beside its status.
fn http_answer(invocation: &Invocation) -> (u64, Value) {
    assert_eq!(invocation.outcome, "response", "{invocation:?}");
    let status = invocation.answer["statusCode"].as_u64().unwrap();
    let body = invocation.answer["body"].as_str().unwrap_or("null");
    (status, serde_json::from_str(body).unwrap())
}

/// A fresh table on DynamoDB Local, and the store over it (to arrange a case and look behind
/// a binary).
async fn fresh_table() -> (String, shared::store::DynamoStore) {
    let table = format!("binaries-{}", ulid::Ulid::new());
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")
        .expect("DYNAMODB_ENDPOINT is not set: run infra/test.sh, which starts DynamoDB Local");
    let store = shared::store::DynamoStore::connect(
        &shared::aws::AwsSettings::local(),
        Some(&endpoint),
        table.clone(),
    );
    shared::store::dynamodb::table::ensure_table(store.client(), &table)
        .await
        .unwrap();
    (table, store)
}

#[tokio::test]
async fn each_binary_answers_its_event_through_the_runtime_api() {
    let (table, _) = fresh_table().await;

    // An invoked function (plain JSON in, JSON out): the first agent of a deployed stack.
    let agent = json!({"username": "lead", "password": "a long enough password"});
    let created = invoke("create-agent", agent.to_string(), &table).await;
    assert_eq!(created.outcome, "response", "{created:?}");
    assert_eq!(created.answer["username"], "lead", "{created:?}");

    // Password hashing runs off the function's one runtime thread, and signs the agent in.
    let login = |password: &str| {
        let credentials = json!({"username": "lead", "password": password});
        http_event("auth-login", "", "", &credentials)
    };
    let signed_in = invoke("auth-login", login("a long enough password"), &table).await;
    let (status, session) = http_answer(&signed_in);
    assert_eq!(status, 200, "{session}");
    assert!(session["access"].is_string(), "{session}");
    let refused = invoke("auth-login", login("not the password"), &table).await;
    let (status, error) = http_answer(&refused);
    assert_eq!(
        (status, &error["error"]["code"]),
        (401, &json!("unauthorized"))
    );

    let open = http_event(
        "public-create-room",
        "",
        "",
        &json!({"customer_name": "Ada"}),
    );
    let (status, opened) = http_answer(&invoke("public-create-room", open, &table).await);
    assert_eq!(status, 201, "{opened}");
    let room = opened["room"]["id"].as_str().unwrap().to_owned();
    let customer = opened["customer_token"].as_str().unwrap().to_owned();

    // A WebSocket function: the customer's connection to the room.
    let connect = common::fixture(
        "ws-connect.json",
        &[("{{ROOM_ID}}", &room), ("{{TOKEN}}", &customer)],
    );
    let connected = invoke("ws-connect", connect, &table).await;
    assert_eq!(connected.outcome, "response", "{connected:?}");
    assert_eq!(connected.answer["statusCode"], 200, "{connected:?}");

    // A pushing function: the message is stored and pushed to the room's connection.
    let send = http_event(
        "public-send-message",
        &customer,
        &room,
        &json!({"content": "Hello from a binary"}),
    );
    let sent = invoke("public-send-message", send, &table).await;
    let (status, message) = http_answer(&sent);
    assert_eq!(status, 201, "{message}");
    assert_eq!(message["content"], "Hello from a binary");
    assert_eq!(sent.pushes.len(), 1, "{:?}", sent.pushes);
    let (connection, pushed) = &sent.pushes[0];
    assert_eq!(connection, CONNECTION);
    assert_eq!(pushed["type"], "message");
    assert_eq!(pushed["message"]["content"], "Hello from a binary");

    // Each invocation logs in its span: the function, the route, the room or the connection;
    // never the token or the message.
    let answered = |invocation: &Invocation| -> Value {
        let line = invocation
            .logs
            .iter()
            .find(|line| line["fields"]["message"] == "answered")
            .unwrap_or_else(|| panic!("no answered line in {:?}", invocation.logs));
        line["span"].clone()
    };
    let span = answered(&sent);
    assert_eq!(span["function"], "public-send-message", "{span}");
    assert_eq!(
        span["route"],
        "POST /api/public/chat-rooms/{id}/send_message"
    );
    assert_eq!(span["room"], room.as_str());
    let span = answered(&connected);
    assert_eq!(
        (&span["function"], &span["route"]),
        (&json!("ws-connect"), &json!("$connect"))
    );
    assert_eq!(span["connection"], CONNECTION);
    for invocation in [&sent, &connected, &signed_in] {
        let text = serde_json::to_string(&invocation.logs).unwrap();
        for secret in [
            customer.as_str(),
            "Hello from a binary",
            "a long enough password",
        ] {
            assert!(!text.contains(secret), "a log line holds {secret}: {text}");
        }
    }
}

/// An agent connection of `agent` connected `age` seconds ago, with the record's usual life.
fn agent_connection(agent: &Agent, id: &str, age: i64) -> Connection {
    let connected_at = SystemClock::new().now().plus_seconds(-age);
    Connection {
        id: ConnectionId::parse(id).unwrap(),
        party: Party::Agent(AgentIdentity {
            id: agent.id,
            username: agent.username.clone(),
            display_name: agent.display_name.clone(),
            role: agent.role,
        }),
        connected_at,
        expires_at: connected_at.plus_seconds(shared::service::CONNECTION_TTL_SECONDS),
    }
}

#[tokio::test]
async fn the_scheduled_sweep_ends_expired_agent_connections_and_pushes_their_agents_offline() {
    let (table, store) = fresh_table().await;
    let clock = SystemClock::new();
    let agent = |name: &str| {
        Agent::new(
            AgentId::from_ulid(clock.next_id()),
            Username::parse(name).unwrap(),
            DisplayName::parse(name).unwrap(),
            Role::Agent,
            "not a hash: nobody signs in here".to_owned(),
        )
    };
    let (eli, lead) = (agent("eli"), agent("lead"));
    for member in [&eli, &lead] {
        assert!(store.insert_agent_if_absent(member).await.unwrap());
    }
    // Eli's socket died without a $disconnect 2 h 11 min ago; the lead's is open.
    let dead = agent_connection(&eli, "ZGVhZC1lbGk=", 2 * 3600 + 11 * 60);
    store.add_connection(&dead).await.unwrap();
    store
        .add_connection(&agent_connection(&lead, CONNECTION, 60))
        .await
        .unwrap();

    let event = common::fixture("scheduled-event.json", &[]);
    let swept = invoke("sweep-connections", event, &table).await;
    assert_eq!(swept.outcome, "response", "{swept:?}");
    assert_eq!(swept.answer, json!({"ended": 1}));
    // API Gateway is asked to end it (it answers 410: long gone), and the record is forgotten.
    assert_eq!(swept.closed, vec![dead.id.to_string()]);
    assert_eq!(store.remove_connection(&dead.id).await.unwrap(), None);
    // The lead's socket hears that Eli is offline.
    assert_eq!(swept.pushes.len(), 1, "{:?}", swept.pushes);
    let (to, pushed) = &swept.pushes[0];
    assert_eq!(to, CONNECTION);
    assert_eq!(pushed["type"], "presence", "{pushed}");
    assert_eq!(pushed["agent"]["id"], eli.id.to_string());
    assert_eq!(pushed["agent"]["availability"], "offline");

    // The next minute finds nothing to end, and pushes nothing.
    let event = common::fixture("scheduled-event.json", &[]);
    let again = invoke("sweep-connections", event, &table).await;
    assert_eq!(again.answer, json!({"ended": 0}), "{again:?}");
    assert!(
        again.pushes.is_empty() && again.closed.is_empty(),
        "{again:?}"
    );
}
