//! The Management API (`/@connections/{id}`) with the real AWS SDK client, and the cleanup of
//! connections that are gone.

use std::sync::Arc;
use std::time::Duration;

use api_tests::{spawn_app, spawn_app_with};
use aws_sdk_apigatewaymanagement::config::BehaviorVersion;
use serde_json::json;
use shared::aws::AwsSettings;
use shared::clock::SystemClock;
use shared::domain::ConnectionId;
use shared::notify::{ApiGatewayPusher, FanoutNotifier};
use shared::ports::{
    Clock, Connection, ConnectionStore, Event, Notifier, Party, PushError, Pusher,
};
use shared::store::MemoryStore;

use crate::live::agent_and_customer;

fn sdk_client(base: &str) -> aws_sdk_apigatewaymanagement::Client {
    let aws = AwsSettings::local();
    let config = aws_sdk_apigatewaymanagement::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws.region())
        .credentials_provider(aws.credentials())
        .http_client(aws.http_client())
        .endpoint_url(base)
        .build();
    aws_sdk_apigatewaymanagement::Client::from_conf(config)
}

#[tokio::test]
async fn the_sdk_posts_describes_and_deletes_connections() {
    let app = spawn_app().await;
    let (_agent, mut customer, _, _) = agent_and_customer(&app).await;
    let id = customer.connection_id.clone();
    let client = sdk_client(&app.base);

    client
        .post_to_connection()
        .connection_id(&id)
        .data(aws_sdk_apigatewaymanagement::primitives::Blob::new(
            r#"{"type":"hello"}"#,
        ))
        .send()
        .await
        .expect("a push to a live connection succeeds");
    assert_eq!(customer.next_event().await, json!({ "type": "hello" }));

    let info = client
        .get_connection()
        .connection_id(&id)
        .send()
        .await
        .expect("GetConnection");
    assert!(info.connected_at().is_some());
    assert!(info.last_active_at().is_some());
    let identity = info.identity().expect("an identity");
    assert_eq!(identity.source_ip(), Some("127.0.0.1"));

    client
        .delete_connection()
        .connection_id(&id)
        .send()
        .await
        .expect("DeleteConnection");
    assert_eq!(customer.closed(Duration::from_secs(3)).await.code, 1000);

    for error in [
        client
            .post_to_connection()
            .connection_id(&id)
            .data(aws_sdk_apigatewaymanagement::primitives::Blob::new("x"))
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_gone_exception(),
        client
            .get_connection()
            .connection_id(&id)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_gone_exception(),
        client
            .delete_connection()
            .connection_id("bm9ib2R5")
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_gone_exception(),
    ] {
        assert!(error, "unknown and closed connections are GoneException");
    }
}

#[tokio::test]
async fn the_api_gateway_pusher_maps_410_to_gone() {
    let app = spawn_app().await;
    let (mut agent, _customer, _, _) = agent_and_customer(&app).await;
    let pusher = ApiGatewayPusher::new(&app.base, &AwsSettings::local());
    let live = ConnectionId::parse(&agent.connection_id).unwrap();
    pusher
        .push(&live, br#"{"type":"ping-from-test"}"#)
        .await
        .unwrap();
    assert_eq!(agent.next_event().await["type"], "ping-from-test");
    let ghost = ConnectionId::parse("Z2hvc3Q=").unwrap();
    assert!(matches!(
        pusher.push(&ghost, b"{}").await,
        Err(PushError::Gone)
    ));
}

#[tokio::test]
async fn a_410_forgets_that_connection_and_no_other() {
    let app = spawn_app().await;
    let (mut agent, _customer, _, _) = agent_and_customer(&app).await;
    let agent_identity = match app_agent_identity(&app).await {
        Party::Agent(identity) => identity,
        other => panic!("{other:?}"),
    };
    // A store that knows the live agent connection and one whose $disconnect never came.
    let store = Arc::new(MemoryStore::new());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let now = clock.now();
    for id in [agent.connection_id.as_str(), "c3RhbGU="] {
        store
            .add_connection(&Connection {
                id: ConnectionId::parse(id).unwrap(),
                party: Party::Agent(agent_identity.clone()),
                connected_at: now,
                expires_at: now.plus_seconds(3600),
            })
            .await
            .unwrap();
    }
    let pusher = Arc::new(ApiGatewayPusher::new(&app.base, &AwsSettings::local()));
    let notifier = FanoutNotifier::new(store.clone(), pusher, clock.clone());
    let room = app
        .post(
            "/api/public/chat-rooms/",
            None,
            json!({ "customer_name": "Eve" }),
        )
        .await;
    agent.next_of_type("room_created").await;
    let room_id: shared::domain::RoomId =
        room.body["room"]["id"].as_str().unwrap().parse().unwrap();
    notifier
        .publish(Event::Read {
            room_id,
            read_up_to: None,
        })
        .await; // to customers: nobody here
    notifier
        .publish(Event::Typing {
            room_id,
            sender_type: shared::domain::SenderType::Customer,
            is_typing: true,
            from: ConnectionId::parse("b3RoZXI=").unwrap(),
        })
        .await;
    assert_eq!(agent.next_event().await["type"], "typing");
    let left = store.agent_connections(clock.now()).await.unwrap();
    assert_eq!(
        left,
        vec![ConnectionId::parse(&agent.connection_id).unwrap()]
    );
}

/// The identity an agent connection carries, as the connect function records it.
async fn app_agent_identity(app: &api_tests::TestApp) -> Party {
    let token = app.agent_token().await;
    let keys = shared::auth::TokenKeys::new(api_tests::SECRET);
    match keys.caller(&token, SystemClock::new().now()).unwrap() {
        shared::domain::Caller::Agent(identity) => Party::Agent(identity),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn local_dev_can_push_through_its_own_management_api() {
    let app = spawn_app_with(|options| options.push = local_dev::PushMode::ManagementApi).await;
    let (mut agent, mut customer, room, token) = agent_and_customer(&app).await;
    app.customer_says(&room, &token, "via the SDK").await;
    assert_eq!(
        agent.next_event().await["message"]["content"],
        "via the SDK"
    );
    assert_eq!(
        customer.next_event().await["message"]["content"],
        "via the SDK"
    );
}

/// Every function that pushes meets connections whose `$disconnect` never came; each must be
/// able to forget one (a DeleteItem its IAM policy needs: the IAM check sees this test's calls).
#[tokio::test]
async fn every_function_that_pushes_forgets_a_connection_found_gone() {
    // The scheduled sweep runs often enough for the loop below to see its push.
    let app = spawn_app_with(|options| {
        options.schedule_every = Some(Duration::from_millis(200));
    })
    .await;
    let (_agent, mut customer, room, customer_token) = agent_and_customer(&app).await;
    let agent = app.agent_token().await;
    let identity = app_agent_identity(&app).await;
    let store = app.store().clone();
    let clock = SystemClock::new();
    let stale = ConnectionId::parse("c3RhbGUtYWdlbnQ=").unwrap();
    let admin_room = format!("/api/admin/chat-rooms/{room}");
    // A second agent, whose comings and goings push `presence`.
    let dana = app
        .post(
            "/api/admin/agents",
            Some(&agent),
            json!({ "username": "dana", "password": "dana's password", "display_name": "Dana", "role": "agent" }),
        )
        .await
        .id();
    let dana_token = app.login("dana", "dana's password").await.body["access"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut dana_socket = None;
    let pushing: Vec<&str> = [
        "public-create-room",
        "public-send-message",
        "admin-send-message",
        "admin-mark-as-read",
        "admin-close-room",
        "admin-reopen-room",
        "admin-assign-room",
        "ws-message",
        "ws-connect",
        "admin-set-presence",
        "ws-disconnect",
        "sweep-connections",
        "admin-deactivate-agent",
    ]
    .into();
    let mut every_pusher: Vec<&str> = functions::routes::all_functions()
        .filter(|(_, pushes)| *pushes)
        .map(|(name, _)| name)
        .collect();
    every_pusher.sort_unstable();
    let mut covered = pushing.clone();
    covered.sort_unstable();
    assert_eq!(
        covered, every_pusher,
        "every function that pushes is tried here"
    );
    for function in pushing {
        let now = clock.now();
        let stale_connection = Connection {
            id: stale.clone(),
            party: identity.clone(),
            connected_at: now,
            expires_at: now.plus_seconds(3600),
        };
        api_tests::the_test_itself(store.add_connection(&stale_connection))
            .await
            .unwrap();
        let status = match function {
            "public-create-room" => {
                let body = json!({ "customer_name": "Grace" });
                app.post("/api/public/chat-rooms", None, body).await.status
            }
            "public-send-message" => app.customer_says(&room, &customer_token, "hi").await.status,
            "admin-send-message" => {
                let path = format!("{admin_room}/send_message");
                app.post(&path, Some(&agent), json!({ "content": "hello" }))
                    .await
                    .status
            }
            "admin-mark-as-read" => app.room_action(&agent, &room, "mark_as_read").await.status,
            "admin-close-room" => app.room_action(&agent, &room, "close").await.status,
            "admin-reopen-room" => app.room_action(&agent, &room, "reopen").await.status,
            "admin-assign-room" => {
                let path = format!("{admin_room}/assign");
                app.post(&path, Some(&agent), json!({ "agent_id": dana }))
                    .await
                    .status
            }
            "ws-message" => {
                customer
                    .send_json(json!({ "action": "send_message", "content": "over ws" }))
                    .await;
                customer.next_of_type("message").await;
                200
            }
            // Dana connects from offline: `presence` to the other agents.
            "ws-connect" => {
                dana_socket = Some(app.connect(&format!("/ws?token={dana_token}")).await);
                200
            }
            // A socket of Dana's that died unseen expires: the sweep pushes her offline.
            "sweep-connections" => {
                let dana_identity = Party::Agent(shared::domain::AgentIdentity {
                    id: dana.parse().unwrap(),
                    username: shared::domain::Username::parse("dana").unwrap(),
                    display_name: shared::domain::DisplayName::parse("Dana").unwrap(),
                    role: shared::domain::Role::Agent,
                });
                let expired = Connection {
                    id: ConnectionId::parse("ZXhwaXJlZC1kYW5h").unwrap(),
                    party: dana_identity,
                    connected_at: now.plus_seconds(-7801),
                    expires_at: now.plus_seconds(-1),
                };
                api_tests::the_test_itself(store.add_connection(&expired))
                    .await
                    .unwrap();
                200
            }
            // Dana online again, then deactivated: `presence` offline, and her socket closed.
            "admin-deactivate-agent" => {
                let _socket = app.connect(&format!("/ws?token={dana_token}")).await;
                api_tests::the_test_itself(store.add_connection(&stale_connection))
                    .await
                    .unwrap();
                let path = format!("/api/admin/agents/{dana}/deactivate");
                app.post(&path, Some(&agent), json!({})).await.status
            }
            "admin-set-presence" => {
                let body = json!({ "availability": "away" });
                app.post("/api/admin/presence", Some(&agent), body)
                    .await
                    .status
            }
            // Dana's last connection closes: `presence` offline.
            "ws-disconnect" => {
                dana_socket.take().expect("dana connected").close().await;
                200
            }
            other => unreachable!("{other}"),
        };
        assert!(matches!(status, 200 | 201), "{function}: {status}");
        // A frame's fan-out may still be running when its sender hears its own message.
        let mut kept = true;
        for _ in 0..100 {
            kept = api_tests::the_test_itself(store.agent_connections(clock.now()))
                .await
                .unwrap()
                .contains(&stale);
            if !kept {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!kept, "{function} kept a gone connection");
    }
}
