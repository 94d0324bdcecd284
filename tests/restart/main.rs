//! DynamoDB Local stopped and restarted under load: sends fail cleanly while it is down, the
//! client retries each with its `client_msg_id` (API.md's safe retries), and afterwards every
//! acknowledged message is stored exactly once.
//!
//! The service reaches DynamoDB Local through a link the test cuts just before stopping it.
//! DynamoDB Local answers a write a moment before the write is on disk: stopped while traffic
//! flows, it can lose the last write it acknowledged (seen both with SIGTERM and SIGKILL), which
//! DynamoDB itself never does. Cutting the link first begins the outage as the service sees one
//! (connections reset, in-flight requests lost, new connections refused) and lets DynamoDB Local
//! settle before it stops.

use std::net::TcpListener;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_tests::spawn_app_with;
use serde_json::json;
use tokio::process::{Child, Command};
use tokio::task::JoinSet;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// DynamoDB Local on `port`, its data in `dir`; stops with this test process.
fn start_dynamodb_local(port: u16, dir: &std::path::Path) -> Child {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/dynamodb-local.sh");
    Command::new(script)
        .args(["start", &port.to_string(), &std::process::id().to_string()])
        .env("DYNAMODB_LOCAL_DB_PATH", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("infra/dynamodb-local.sh starts")
}

/// A TCP link to `port` that can be cut (every connection dropped, new ones refused) and
/// restored.
struct Link {
    port: u16,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<JoinSet<()>>>,
}

impl Link {
    async fn to(port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let link = Self {
            port: listener.local_addr().unwrap().port(),
            up: Arc::new(AtomicBool::new(true)),
            connections: Arc::default(),
        };
        let (up, connections) = (link.up.clone(), link.connections.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes at once
                }
                connections.lock().unwrap().spawn(async move {
                    if let Ok(mut server) =
                        tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        link
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.connections.lock().unwrap().abort_all();
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn answers(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_ok()
}

async fn wait_until(port: u16, up: bool) {
    for _ in 0..600 {
        if answers(port).await == up {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "DynamoDB Local on {port} is still {}",
        if up { "down" } else { "up" }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_dynamodb_loses_no_acknowledged_message() {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("dynamodb-restart-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut dynamodb = start_dynamodb_local(port, &dir);
    wait_until(port, true).await;
    let link = Link::to(port).await;
    let app = Arc::new(
        spawn_app_with(|options| {
            options.store = local_dev::StoreChoice::DynamoDb {
                endpoint: Some(format!("http://127.0.0.1:{}", link.port)),
                table: "restart".to_owned(),
            };
        })
        .await,
    );
    let (room, token) = app.open_room("Ada").await;

    let stop = Arc::new(AtomicBool::new(false));
    let sender = {
        let (app, room, token, stop) = (app.clone(), room.clone(), token.clone(), stop.clone());
        tokio::spawn(async move {
            let (mut acknowledged, mut failures) = (Vec::new(), 0);
            let path = format!("/api/public/chat-rooms/{room}/send_message/");
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let body = json!({ "content": format!("m{n}"), "client_msg_id": format!("m{n}") });
                loop {
                    let reply = app.post(&path, Some(&token), body.clone()).await;
                    match reply.status {
                        200 | 201 => {
                            acknowledged.push(reply.id());
                            break;
                        }
                        500 => {
                            reply.assert_error(500, "internal", None);
                            failures += 1;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        other => panic!("{other}: {:?}", reply.body),
                    }
                }
            }
            (acknowledged, failures)
        })
    };

    tokio::time::sleep(Duration::from_secs(2)).await;
    link.cut();
    tokio::time::sleep(Duration::from_millis(500)).await;
    dynamodb.kill().await.unwrap(); // its watcher stops the Java process within a second
    wait_until(port, false).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _restarted = start_dynamodb_local(port, &dir);
    wait_until(port, true).await;
    link.restore();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let (acknowledged, failures) = sender.await.unwrap();
    assert!(
        failures > 0,
        "the outage was not felt: the test proves nothing"
    );

    let stored = app.all_message_ids(&room, &token).await;
    eprintln!(
        "restart: {} messages acknowledged, {failures} sends failed during the outage and were retried",
        acknowledged.len()
    );
    assert_eq!(stored, acknowledged, "stored and acknowledged differ");
    let _ = std::fs::remove_dir_all(&dir);
}
