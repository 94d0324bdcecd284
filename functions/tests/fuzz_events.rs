//! Arbitrary API Gateway events into every handler: fixtures with any token, room id, query
//! and body, and with any part of the event replaced by any JSON. Whatever lambda_http (or the
//! runtime, for WebSocket events) accepts reaches the handler, which never panics and never
//! answers 5xx; every 4xx carries API.md's error body and leaves the store as it was.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use functions::routes::{ROUTES, WS_ROUTES};
use functions::{App, Config};
use lambda_http::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::Value;
use shared::domain::{ConnectionId, Limit, MessageWindow, Reader, RoomId};
use shared::ports::{CannedStore, MessageStore, RoomFilter, RoomLister};
use shared::store::MemoryStore;

use common::NobodyListens;

/// An app with an agent, a room with a message, and a connection; and what a client holds.
struct World {
    runtime: tokio::runtime::Runtime,
    store: Arc<MemoryStore>,
    app: App,
    room: String,
    customer: String,
    access: String,
}

impl World {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = Arc::new(MemoryStore::new());
        let mut config =
            Config::with_secret(b"the event fuzzing secret, 32+ bytes".to_vec()).unwrap();
        config.attachments = Some(common::unreachable_bucket());
        let app = App::new(&config, store.clone(), Arc::new(NobodyListens));
        let (room, customer, access) = runtime.block_on(async {
            let seeded = common::seed(&app, Some("hello")).await;
            // The connection of the WebSocket fixtures, so their frames come from an open one.
            let connection = ConnectionId::parse("SYfJwcT0joECHlA=").unwrap();
            app.chat
                .connect(connection, Some(&seeded.customer), Some(&seeded.room))
                .await
                .unwrap();
            (seeded.room, seeded.customer, seeded.access)
        });
        Self {
            runtime,
            store,
            app,
            room,
            customer,
            access,
        }
    }

    /// Every room, every message of the seeded room, and every canned response.
    fn snapshot(&self) -> String {
        self.runtime.block_on(async {
            let rooms = self
                .store
                .list_rooms(RoomFilter::default(), Limit::new_clamped(200), None)
                .await
                .unwrap();
            let room: RoomId = self.room.parse().unwrap();
            let messages = self
                .store
                .list_messages(
                    room,
                    MessageWindow::Newest,
                    Limit::new_clamped(200),
                    Reader::Agent,
                )
                .await
                .unwrap();
            let mut canned = self.store.list_canned().await.unwrap();
            canned.sort_by_key(|response| response.id);
            format!("{:?}{:?}{canned:?}", rooms.items, messages.messages)
        })
    }
}

/// JSON of any shape.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,30}".prop_map(Value::String),
        prop::sample::select(vec![
            "send_message",
            "typing",
            "ping",
            "mark_as_read",
            "content"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// What goes into a fixture's placeholders.
#[derive(Clone, Debug)]
struct Fill {
    token: Option<String>,
    room: Option<String>,
    query: String,
    body: String,
    /// Parts of the event replaced by any JSON.
    replacements: Vec<(prop::sample::Index, Value)>,
}

fn fill() -> impl Strategy<Value = Fill> {
    (
        prop::option::of("\\PC{0,40}|[A-Za-z0-9._-]{0,300}"),
        prop::option::of("[0-9A-Za-z%/]{0,30}"),
        "[a-z_=&%0-9A-Z]{0,40}",
        prop_oneof![json().prop_map(|v| v.to_string()), "\\PC{0,80}"],
        prop::collection::vec((any::<prop::sample::Index>(), json()), 0..2),
    )
        .prop_map(|(token, room, query, body, replacements)| Fill {
            token,
            room,
            query,
            body,
            replacements,
        })
}

/// Text that sits inside a JSON string.
fn escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_owned()
}

/// The fixture, filled (a missing token or room takes the world's valid one), then mutated.
fn event(world: &World, fixture: &str, fill: &Fill, token_kind: bool) -> Value {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let valid_token = if token_kind {
        &world.customer
    } else {
        &world.access
    };
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace(
            "{{TOKEN}}",
            &escaped(fill.token.as_deref().unwrap_or(valid_token)),
        )
        .replace(
            "{{ROOM_ID}}",
            &escaped(fill.room.as_deref().unwrap_or(&world.room)),
        )
        .replace("{{QUERY}}", &escaped(&fill.query))
        .replace("{{BODY}}", &escaped(&fill.body));
    let mut event: Value = serde_json::from_str(&text).unwrap();
    for (at, replacement) in &fill.replacements {
        let mut pointers = Vec::new();
        pointers_of(&event, String::new(), &mut pointers);
        let pointer = &pointers[at.index(pointers.len())];
        if let Some(slot) = event.pointer_mut(pointer) {
            *slot = replacement.clone();
        }
    }
    event
}

fn pointers_of(value: &Value, at: String, into: &mut Vec<String>) {
    into.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                pointers_of(
                    inner,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    into,
                );
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                pointers_of(inner, format!("{at}/{i}"), into);
            }
        }
        _ => {}
    }
}

fn runner() -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases: 384,
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

#[test]
fn any_rest_event_is_answered_without_5xx_and_a_refusal_stores_nothing() {
    let world = World::new();
    let routes = 0..ROUTES.len();
    let (handled, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
    runner()
        .run(
            &(routes, any::<bool>(), fill()),
            |(index, customer, fill)| {
                let route = &ROUTES[index];
                let fixture = format!("http/{}.json", route.function);
                let event = event(&world, &fixture, &fill, customer);
                // lambda_http refuses some events, and panics on others (an unparsable URL built
                // from `host` and `x-forwarded-proto`, headers API Gateway sets itself): either
                // way no handler runs. Those panics are upstream's; see the README's notes.
                let text = event.to_string();
                let converted = std::panic::catch_unwind(|| lambda_http::request::from_str(&text));
                let Ok(Ok(request)) = converted else {
                    return Ok(());
                };
                let before = world.snapshot();
                let response = world
                    .runtime
                    .block_on((route.handler)(world.app.clone(), request));
                let status = response.status().as_u16();
                handled.fetch_add(1, Ordering::Relaxed);
                prop_assert!(
                    status < 500,
                    "{} answered {status} to {event}",
                    route.function
                );
                if status >= 400 {
                    refused.fetch_add(1, Ordering::Relaxed);
                    let body: Value = match response.body() {
                        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
                        other => panic!("not a text body: {other:?}"),
                    };
                    prop_assert!(body["error"]["code"].is_string(), "{body}");
                    prop_assert!(body["error"]["message"].is_string(), "{body}");
                    prop_assert_eq!(
                        world.snapshot(),
                        before,
                        "{} {} stored on a refusal",
                        route.function,
                        status
                    );
                }
                Ok(())
            },
        )
        .unwrap();
    // Not vacuous: most events reach a handler, and both answers happen.
    let (handled, refused) = (handled.into_inner(), refused.into_inner());
    assert!(handled > 384 / 3, "only {handled} events reached a handler");
    assert!(
        refused > 0 && refused < handled,
        "{refused} of {handled} refused"
    );
}

#[test]
fn any_websocket_event_is_answered_without_5xx() {
    let world = World::new();
    let routes = 0..WS_ROUTES.len();
    runner()
        .run(&(routes, fill()), |(index, fill)| {
            let route = &WS_ROUTES[index];
            let fixture = format!("{}.json", route.function);
            let event = event(&world, &fixture, &fill, true);
            let Ok(event) = serde_json::from_value::<ApiGatewayWebsocketProxyRequest>(event) else {
                return Ok(()); // the runtime refuses it before any handler
            };
            let answer = world
                .runtime
                .block_on((route.handler)(world.app.clone(), event));
            prop_assert!(
                answer.status_code == 200 || (400..500).contains(&answer.status_code),
                "{} answered {}",
                route.function,
                answer.status_code
            );
            Ok(())
        })
        .unwrap();
}
