//! Property tests: whatever arrives — bytes, JSON of any shape, any text in any field, any
//! token, any cursor — parsing never panics, and every rejection is a 4xx with API.md's error
//! body. (What is stored on a rejection is checked where requests are handled: the handler
//! fuzzing in functions/tests/fuzz_events.rs.)

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Value;
use shared::ChatError;
use shared::auth::TokenKeys;
use shared::clock::ManualClock;
use shared::domain::{
    AgentId, ClientMsgId, ConnectionId, CustomerEmail, CustomerName, DisplayName, Limit,
    MessageContent, MessageId, MessageWindow, PageCursor, RoomId, Subject, Timestamp, Username,
    VisitorId,
};
use shared::domain::{AgentIdentity, Caller, Role, VisitorIdentity};
use shared::input::{Frame, JsonObject, Login, NewMessage, NewRoom, Refresh};
use shared::notify::NoopNotifier;
use shared::store::MemoryStore;
use shared::{ChatService, ports::Clock};

#[track_caller]
fn assert_rejection(error: &ChatError) {
    let status = error.status();
    assert!((400..500).contains(&status), "{status}: {error:?}");
    let body = error.body();
    assert_eq!(body["error"]["code"], error.code());
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

fn check<T>(outcome: Result<T, ChatError>) {
    if let Err(error) = outcome {
        assert_rejection(&error);
    }
}

/// Field names the parsers look for, and others.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "customer_name",
            "customer_email",
            "subject",
            "message",
            "content",
            "client_msg_id",
            "username",
            "password",
            "refresh",
            "action",
            "room_id",
            "is_typing",
            "send_message",
            "typing",
            "mark_as_read",
            "ping",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,8}",
    ]
}

/// JSON of any shape, with strings that are often the values the parsers expect.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        key().prop_map(Value::String),
        "\\PC{0,40}".prop_map(Value::String),
        (0usize..5000).prop_map(|n| Value::String("x".repeat(n))),
    ];
    leaf.prop_recursive(3, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn every_body_parser(bytes: &[u8]) {
    check(Frame::parse(bytes));
    match JsonObject::parse(bytes) {
        Ok(body) => {
            check(NewRoom::parse(&body));
            check(NewMessage::parse(&body));
            check(Login::parse(&body));
            check(Refresh::parse(&body));
        }
        Err(error) => assert_rejection(&error),
    }
}

fn keys() -> TokenKeys {
    TokenKeys::new(b"the property tests' secret, 32+ bytes")
}

const NOW: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_are_parsed_or_refused_with_4xx(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        every_body_parser(&bytes);
    }

    #[test]
    fn any_json_is_parsed_or_refused_with_4xx(value in json()) {
        every_body_parser(value.to_string().as_bytes());
    }

    #[test]
    fn any_text_in_any_field_is_parsed_or_refused_with_4xx(raw in "\\PC{0,300}|.{0,300}") {
        check(CustomerName::parse(&raw));
        check(CustomerEmail::parse(&raw));
        check(Subject::parse(&raw));
        check(MessageContent::parse(&raw));
        check(ClientMsgId::parse(&raw));
        check(Username::parse(&raw));
        check(DisplayName::parse(&raw));
        check(ConnectionId::parse(&raw));
        check(Limit::parse(Some(&raw)));
        check(PageCursor::parse(Some(&raw)));
        check(MessageWindow::parse(Some(&raw), None));
        check(MessageWindow::parse(None, Some(&raw)));
        check(MessageWindow::parse(Some(&raw), Some(&raw)));
        let _ = raw.parse::<RoomId>();
        let _ = raw.parse::<MessageId>();
        let _ = raw.parse::<VisitorId>();
        let _ = raw.parse::<AgentId>();
    }

    #[test]
    fn any_token_text_is_refused_with_401(raw in "\\PC{0,400}|[A-Za-z0-9_.-]{0,400}") {
        let refused = keys().caller(&raw, NOW).unwrap_err();
        assert_rejection(&refused);
        prop_assert_eq!(refused.status(), 401);
    }

    /// A real token with one character changed is refused, or (when the change falls in
    /// base64's unused bits) still names exactly the same caller: never anyone else.
    #[test]
    fn a_tampered_token_never_names_someone_else(index in any::<prop::sample::Index>(), byte in 0x21u8..0x7f) {
        let visitor = VisitorIdentity {
            id: VisitorId::from_ulid(ulid::Ulid::from_parts(1_800_000_000_000, 7)),
            name: CustomerName::parse("Ada").unwrap(),
        };
        let token = keys().issue_customer(&visitor, NOW).unwrap();
        let mut tampered = token.clone().into_bytes();
        let at = index.index(tampered.len());
        tampered[at] = byte;
        let tampered = String::from_utf8(tampered).unwrap();
        match keys().caller(&tampered, NOW) {
            Err(error) => prop_assert_eq!(error.status(), 401),
            Ok(Caller::Visitor(who)) => prop_assert_eq!(who, visitor),
            Ok(other) => prop_assert!(false, "{tampered} named {other:?}"),
        }
    }

    /// Cursors come back from clients: anything that is not one of ours is a 4xx.
    #[test]
    fn any_cursor_is_followed_or_refused_with_4xx(raw in "[A-Za-z0-9_-]{0,120}|\\PC{0,60}") {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let chat = ChatService::new(
            Arc::new(MemoryStore::new()),
            Arc::new(NoopNotifier),
            Arc::new(ManualClock::starting_at(NOW)) as Arc<dyn Clock>,
            keys(),
        );
        let cursor = PageCursor::from_encoded(raw);
        runtime.block_on(async {
            let agent = AgentIdentity {
                id: AgentId::from_ulid(ulid::Ulid::new()),
                username: Username::parse("ada").unwrap(),
                display_name: DisplayName::parse("Ada").unwrap(),
                role: Role::Agent,
            };
            let every_room = (None, None);
            check(chat.rooms(&agent, every_room, Limit::DEFAULT, Some(&cursor)).await);
        });
    }
}
