//! The cost of a send does not grow with history: the DynamoDB calls of one send are counted
//! (an SDK interceptor) with 10 and with 10,000 messages in the room, on a real DynamoDB Local,
//! with the production rate limits on (their counters ride in the send's one transaction).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use futures::StreamExt;
use shared::ChatService;
use shared::auth::TokenKeys;
use shared::aws::AwsSettings;
use shared::clock::SystemClock;
use shared::domain::AgentIdentity;
use shared::domain::{
    Agent, AgentId, AutoAssign, ConnectionId, DisplayName, Role, Routing, Username,
};
use shared::domain::{Message, MessageContent, MessageId, RoomChange, SenderType, Timestamp};
use shared::input::{JsonObject, NewMessage, NewRoom};
use shared::notify::FanoutNotifier;
use shared::ports::{
    AgentStore, Clock, Connection, ConnectionStore, MessageStore, Party, PushError, Pusher,
};
use shared::rate::RateLimits;
use shared::store::DynamoStore;

/// Names every DynamoDB operation the client starts.
#[derive(Debug, Default, Clone)]
struct CallLog(Arc<Mutex<Vec<String>>>);

impl CallLog {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        let name = cfg.load::<Metadata>().map_or("?", |m| m.name()).to_owned();
        self.0.lock().unwrap().push(name);
        Ok(())
    }
}

/// Every push arrives.
struct Delivered;

#[async_trait]
impl Pusher for Delivered {
    async fn push(&self, _: &ConnectionId, _: &[u8]) -> Result<(), PushError> {
        Ok(())
    }

    async fn close(&self, _: &ConnectionId) -> Result<(), PushError> {
        Ok(())
    }
}

fn say(text: &str) -> NewMessage {
    let body = serde_json::json!({ "content": text }).to_string();
    NewMessage::parse(&JsonObject::parse(body.as_bytes()).unwrap()).unwrap()
}

/// A chat on a fresh table of the DynamoDB Local at `DYNAMODB_ENDPOINT`, with the production
/// rate limits, whose every DynamoDB call is logged.
async fn counted_chat() -> (CallLog, Arc<DynamoStore>, Arc<dyn Clock>, ChatService) {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| {
        panic!("DYNAMODB_ENDPOINT is not set: run infra/test.sh, which starts DynamoDB Local")
    });
    let calls = CallLog::default();
    let table = format!("calls-{}", ulid::Ulid::new());
    let config = DynamoStore::client_config(&AwsSettings::local(), Some(&endpoint))
        .interceptor(calls.clone())
        .build();
    let store = Arc::new(DynamoStore::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table.clone(),
    ));
    shared::store::dynamodb::table::ensure_table(store.client(), &table)
        .await
        .unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new());
    let notifier = Arc::new(FanoutNotifier::new(
        store.clone(),
        Arc::new(Delivered),
        clock.clone(),
    ));
    let chat = ChatService::new(
        store.clone(),
        notifier,
        clock.clone(),
        TokenKeys::new(b"a secret of thirty-two bytes, yes"),
    )
    .with_rate_limits(RateLimits::default());
    (calls, store, clock, chat)
}

#[tokio::test]
async fn a_send_costs_the_same_few_calls_with_10_or_10000_messages() {
    let (calls, store, clock, chat) = counted_chat().await;

    let new_room =
        NewRoom::parse(&JsonObject::parse(br#"{"customer_name":"Ada"}"#).unwrap()).unwrap();
    let created = chat.create_room(None, None, new_room).await.unwrap();
    let visitor = chat.visitor(Some(&created.customer_token)).unwrap();
    let room = created.room.id;
    let now = clock.now();
    let agent = AgentIdentity {
        id: AgentId::from_ulid(clock.next_id()),
        username: Username::parse("admin").unwrap(),
        display_name: DisplayName::parse("Admin").unwrap(),
        role: Role::Admin,
    };
    for (id, party) in [
        (
            "Y3VzdG9tZXI=",
            Party::Customer {
                visitor: visitor.clone(),
                room,
            },
        ),
        ("YWdlbnQ=", Party::Agent(agent.clone())),
    ] {
        let connection = Connection {
            id: ConnectionId::parse(id).unwrap(),
            party,
            connected_at: now,
            expires_at: now.plus_seconds(3600),
        };
        store.add_connection(&connection).await.unwrap();
    }

    // History is written through the store port (one TransactWriteItems each), many at once.
    let fill = |count: usize| {
        let (store, clock, visitor) = (store.clone(), clock.clone(), visitor.clone());
        async move {
            futures::stream::iter(0..count)
                .for_each_concurrent(64, |i| {
                    let (store, clock, visitor) = (store.clone(), clock.clone(), visitor.clone());
                    async move {
                        let id = clock.next_id();
                        let message = Message {
                            id: MessageId::from_ulid(id),
                            room_id: room,
                            sender_type: SenderType::Customer,
                            sender_name: "Ada".to_owned(),
                            content: MessageContent::parse(&format!("history {i}")).unwrap(),
                            created_at: Timestamp::from_unix_millis(id.timestamp_ms() as i64),
                            client_msg_id: None,
                            private: false,
                        };
                        let change = RoomChange::message_sent(&message, Some(visitor.id));
                        store.append(&message, &change, &[]).await.unwrap();
                    }
                })
                .await;
        }
    };

    let mut costs = Vec::new();
    for (fill_count, total) in [(10, 10), (9_990, 10_000)] {
        fill(fill_count).await;
        calls.take();
        chat.send_as_visitor(&visitor, room, say("measured"))
            .await
            .unwrap();
        let customer_send = calls.take();
        chat.send_as_agent(&agent, room, say("measured reply"))
            .await
            .unwrap();
        let agent_send = calls.take();
        let frame = br#"{"action":"send_message","content":"over the socket"}"#;
        let socket = ConnectionId::parse("Y3VzdG9tZXI=").unwrap();
        assert_eq!(chat.handle_frame(&socket, frame).await, None);
        let socket_send = calls.take();
        println!(
            "with {total} messages: customer send {customer_send:?}, agent send {agent_send:?}, \
             WebSocket send {socket_send:?}"
        );
        costs.push((customer_send, agent_send, socket_send));
    }
    assert_eq!(
        costs[0], costs[1],
        "the cost of a send grew with the room's history"
    );
    let (customer_send, agent_send, socket_send) = &costs[0];
    assert!(
        customer_send.len() <= 3 && agent_send.len() <= 3,
        "{costs:?}"
    );
    // Over WebSocket, the connection is read first: who is sending.
    assert_eq!(socket_send[0], "GetItem", "{costs:?}");
    assert_eq!(&socket_send[1..], customer_send.as_slice(), "{costs:?}");
    assert_eq!(
        customer_send
            .iter()
            .filter(|c| *c == "TransactWriteItems")
            .count(),
        1
    );
    assert!(customer_send.iter().all(|c| c != "Scan"));
}

#[tokio::test]
async fn creating_a_room_with_auto_assignment_costs_the_same_few_calls_whatever_the_team() {
    let (calls, store, clock, chat) = counted_chat().await;
    let chat = chat.with_routing(Routing {
        auto_assign: AutoAssign::LeastBusy,
        cap: Some(1_000),
    });
    // Agents, each online (one connection), added a team at a time.
    let mut added = 0;
    let mut join = |count: usize| {
        let (store, clock) = (store.clone(), clock.clone());
        let first = added;
        added += count;
        async move {
            for n in first..first + count {
                let agent = Agent::new(
                    AgentId::from_ulid(clock.next_id()),
                    Username::parse(&format!("agent{n}")).unwrap(),
                    DisplayName::parse(&format!("Agent {n}")).unwrap(),
                    Role::Agent,
                    "hash".to_owned(),
                );
                store.insert_agent_if_absent(&agent).await.unwrap();
                let now = clock.now();
                let connection = Connection {
                    id: ConnectionId::parse(&format!("YWdlbnQ{n}=")).unwrap(),
                    party: Party::Agent(AgentIdentity {
                        id: agent.id,
                        username: agent.username.clone(),
                        display_name: agent.display_name.clone(),
                        role: agent.role,
                    }),
                    connected_at: now,
                    expires_at: now.plus_seconds(3600),
                };
                store.add_connection(&connection).await.unwrap();
            }
        }
    };
    let mut costs = Vec::new();
    for (joining, team) in [(1, 1), (19, 20)] {
        join(joining).await;
        calls.take();
        let new_room =
            NewRoom::parse(&JsonObject::parse(br#"{"customer_name":"Ada"}"#).unwrap()).unwrap();
        let created = chat.create_room(None, None, new_room).await.unwrap();
        assert!(created.room.assignee.is_some(), "{:?}", created.room);
        let cost = calls.take();
        println!("creating a room with auto-assignment, {team} agents online: {cost:?}");
        costs.push(cost);
    }
    assert_eq!(costs[0], costs[1], "the cost grew with the team");
    // The room and its first push (3 calls), the team and who is online (2), the assignment
    // and the room read back (2), and the notice stored and pushed with room_updated (3).
    assert_eq!(costs[0].len(), 10, "{costs:?}");
    assert!(costs[0].iter().all(|c| c != "Scan"), "{costs:?}");
}
