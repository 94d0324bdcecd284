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
    /// The function's log lines (JSON, as Lambda's JSON log format asks).
    logs: Vec<Value>,
}

#[derive(Clone)]
struct Stub {
    event: Arc<Mutex<Option<String>>>,
    ended: mpsc::UnboundedSender<(String, Value)>,
    pushes: Arc<Mutex<Vec<(String, Value)>>>,
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

/// Runs the binary `function` on `event` with a fresh stub for its Runtime API and its
/// Management API, and returns what it answered and pushed.
async fn invoke(function: &str, event: String, table: &str) -> Invocation {
    let (ended_tx, mut ended_rx) = mpsc::unbounded_channel();
    let stub = Stub {
        event: Arc::new(Mutex::new(Some(event))),
        ended: ended_tx,
        pushes: Arc::default(),
    };
    let api = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{outcome}", post(ended))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .route("/prod/@connections/{id}", post(post_to_connection))
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
    Invocation {
        outcome,
        answer,
        pushes,
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

#[tokio::test]
async fn each_binary_answers_its_event_through_the_runtime_api() {
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
