use std::sync::Arc;
use std::time::Duration;

use crate::auth::TokenKeys;
use crate::clock::ManualClock;
use crate::domain::{Caller, VisitorIdentity};
use crate::domain::{
    DisplayName, Limit, MessageWindow, Role, RoomId, RoomStatus, SenderType, Timestamp, Username,
};
use crate::error::ChatError;
use crate::input::{JsonObject, Login, NewMessage, NewRoom, Refresh};
use crate::notify::RecordingNotifier;
use crate::ports::Event;
use crate::rate::RateLimits;
use crate::store::MemoryStore;

use super::ChatService;

mod agent_tools;
mod limits;
mod uploads;

struct Fixture {
    chat: ChatService,
    clock: Arc<ManualClock>,
    events: Arc<RecordingNotifier>,
}

fn fixture() -> Fixture {
    fixture_with(RateLimits::OFF)
}

fn fixture_with(limits: RateLimits) -> Fixture {
    let clock = Arc::new(ManualClock::starting_at(Timestamp::from_unix_millis(
        1_800_000_000_000,
    )));
    let events = Arc::new(RecordingNotifier::default());
    let chat = ChatService::new(
        Arc::new(MemoryStore::new()),
        events.clone(),
        clock.clone(),
        TokenKeys::new(b"a test secret of at least 32 bytes!"),
    )
    .with_rate_limits(limits);
    Fixture {
        chat,
        clock,
        events,
    }
}

fn json(text: &str) -> JsonObject {
    JsonObject::parse(text.as_bytes()).unwrap()
}

fn new_room(text: &str) -> NewRoom {
    NewRoom::parse(&json(text)).unwrap()
}

fn say(content: &str, client_msg_id: Option<&str>) -> NewMessage {
    let body = serde_json::json!({ "content": content, "client_msg_id": client_msg_id });
    NewMessage::parse(&JsonObject::parse(body.to_string().as_bytes()).unwrap()).unwrap()
}

impl Fixture {
    /// Opens a room for a new visitor; returns the visitor and the room id.
    async fn open_room(&self, name: &str) -> (VisitorIdentity, RoomId) {
        let created = self
            .chat
            .create_room(
                None,
                None,
                new_room(&format!(r#"{{"customer_name":"{name}"}}"#)),
            )
            .await
            .unwrap();
        let visitor = self.chat.visitor(Some(&created.customer_token)).unwrap();
        (visitor, created.room.id)
    }

    async fn seeded_agent(&self) -> crate::domain::AgentIdentity {
        self.chat
            .ensure_agent(
                Username::parse("admin").unwrap(),
                "admin123".into(),
                DisplayName::parse("Support").unwrap(),
                Role::Admin,
            )
            .await
            .unwrap();
        let login = Login::parse(&json(r#"{"username":"admin","password":"admin123"}"#)).unwrap();
        let access = self.chat.login(login, None).await.unwrap().access;
        self.chat.agent(Some(&access)).unwrap()
    }
}

#[tokio::test]
async fn a_first_message_becomes_the_rooms_last_message_and_one_event() {
    let f = fixture();
    let created = f
        .chat
        .create_room(
            None,
            None,
            new_room(r#"{"customer_name":"Ada","message":"Hello"}"#),
        )
        .await
        .unwrap();
    let last = created.room.last_message.clone().unwrap();
    assert_eq!(last.content.as_str(), "Hello");
    assert_eq!(last.sender_name, "Ada");
    assert_eq!(created.room.unread_count, 1);
    assert_eq!(
        f.events.take(),
        vec![Event::RoomCreated { room: created.room }]
    );
}

#[tokio::test]
async fn a_returning_visitor_keeps_their_rooms_and_nobody_elses() {
    let f = fixture();
    let (ada, first) = f.open_room("Ada").await;
    let again = f
        .chat
        .create_room(Some(ada.id), None, new_room(r#"{"customer_name":"Ada"}"#))
        .await
        .unwrap();
    let (bob, bobs) = f.open_room("Bob").await;
    let rooms = f
        .chat
        .visitor_rooms(&ada, Limit::DEFAULT, None)
        .await
        .unwrap();
    let ids: Vec<RoomId> = rooms.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![again.room.id, first]);
    assert!(matches!(
        f.chat.visitor_room(&bob, first).await,
        Err(ChatError::NotFound(_))
    ));
    assert!(matches!(
        f.chat.send_as_visitor(&ada, bobs, say("hi", None)).await,
        Err(ChatError::NotFound(_))
    ));
    assert!(
        f.chat
            .visitor_messages(&bob, first, MessageWindow::Newest, Limit::DEFAULT)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_agent_token_cannot_open_a_room_and_a_customer_token_is_not_an_agent() {
    let f = fixture();
    let agent_token = {
        f.seeded_agent().await;
        let login = Login::parse(&json(r#"{"username":"admin","password":"admin123"}"#)).unwrap();
        f.chat.login(login, None).await.unwrap().access
    };
    assert!(matches!(
        f.chat.returning_visitor(Some(&agent_token)),
        Err(ChatError::Forbidden(_))
    ));
    assert!(matches!(
        f.chat.returning_visitor(Some("garbage")),
        Err(ChatError::Unauthorized(_))
    ));
    let created = f
        .chat
        .create_room(None, None, new_room(r#"{"customer_name":"Ada"}"#))
        .await
        .unwrap();
    assert!(matches!(
        f.chat.agent(Some(&created.customer_token)),
        Err(ChatError::Forbidden(_))
    ));
}

#[tokio::test]
async fn retries_with_one_client_msg_id_store_and_push_one_message() {
    let f = fixture();
    let (ada, room) = f.open_room("Ada").await;
    f.events.take();
    let first = f
        .chat
        .send_as_visitor(&ada, room, say("hi", Some("c-1")))
        .await
        .unwrap();
    let retry = f
        .chat
        .send_as_visitor(&ada, room, say("hi", Some("c-1")))
        .await
        .unwrap();
    assert!(!first.replayed && retry.replayed);
    assert_eq!(first.message, retry.message);
    assert_eq!(f.events.take().len(), 1);
    let page = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Newest, Limit::DEFAULT)
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 1);
}

#[tokio::test]
async fn closed_rooms_refuse_messages_from_both_sides_until_reopened() {
    let f = fixture();
    let agent = f.seeded_agent().await;
    let (ada, room) = f.open_room("Ada").await;
    let closed = f
        .chat
        .set_status(&agent, room, RoomStatus::Closed)
        .await
        .unwrap();
    assert_eq!(closed.status, RoomStatus::Closed);
    assert!(matches!(
        f.chat.send_as_visitor(&ada, room, say("hi", None)).await,
        Err(ChatError::Conflict(_))
    ));
    assert!(matches!(
        f.chat.send_as_agent(&agent, room, say("hi", None)).await,
        Err(ChatError::Conflict(_))
    ));
    f.chat
        .set_status(&agent, room, RoomStatus::Open)
        .await
        .unwrap();
    let sent = f
        .chat
        .send_as_agent(&agent, room, say("back", None))
        .await
        .unwrap();
    assert_eq!(sent.message.sender_type, SenderType::Agent);
    assert_eq!(sent.message.sender_name, "Support");
}

#[tokio::test]
async fn unread_counts_customer_messages_until_an_agent_reads() {
    let f = fixture();
    let agent = f.seeded_agent().await;
    let (ada, room) = f.open_room("Ada").await;
    f.chat
        .send_as_visitor(&ada, room, say("one", None))
        .await
        .unwrap();
    let last = f
        .chat
        .send_as_visitor(&ada, room, say("two", None))
        .await
        .unwrap();
    f.chat
        .send_as_agent(&agent, room, say("reply", None))
        .await
        .unwrap();
    assert_eq!(f.chat.room(room).await.unwrap().unread_count, 2);
    f.events.take();
    let read_up_to = f.chat.mark_read(room).await.unwrap();
    let newest = f.chat.room(room).await.unwrap().last_message.unwrap().id;
    assert_eq!(read_up_to, Some(newest));
    assert_ne!(read_up_to, Some(last.message.id));
    assert_eq!(f.chat.room(room).await.unwrap().unread_count, 0);
    let events = f.events.take();
    assert!(matches!(events[0], Event::Read { read_up_to: Some(id), .. } if id == newest));
    assert!(matches!(&events[1], Event::RoomUpdated { room: r } if r.unread_count == 0));
}

#[tokio::test]
async fn admin_list_is_most_recent_activity_first_and_filters_by_status() {
    let f = fixture();
    let agent = f.seeded_agent().await;
    let (_, a) = f.open_room("A").await;
    f.clock.advance(Duration::from_millis(5));
    let (_, b) = f.open_room("B").await;
    f.clock.advance(Duration::from_millis(5));
    f.chat
        .send_as_agent(&agent, a, say("bump", None))
        .await
        .unwrap();
    f.clock.advance(Duration::from_millis(5));
    let (_, c) = f.open_room("C").await;
    f.chat
        .set_status(&agent, c, RoomStatus::Closed)
        .await
        .unwrap();
    let all = f
        .chat
        .rooms(&agent, (None, None), Limit::DEFAULT, None)
        .await
        .unwrap();
    let ids: Vec<RoomId> = all.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![c, a, b]);
    let open = f
        .chat
        .rooms(
            &agent,
            (Some(RoomStatus::Open), None),
            Limit::parse(Some("1")).unwrap(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(open.items[0].id, a);
    let rest = f
        .chat
        .rooms(
            &agent,
            (Some(RoomStatus::Open), None),
            Limit::DEFAULT,
            open.next.as_ref(),
        )
        .await
        .unwrap();
    assert_eq!(rest.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b]);
    assert_eq!(rest.next, None);
}

#[tokio::test]
async fn message_pages_walk_back_and_forth_without_gaps() {
    let f = fixture();
    let (ada, room) = f.open_room("Ada").await;
    let mut sent = Vec::new();
    for i in 0..7 {
        sent.push(
            f.chat
                .send_as_visitor(&ada, room, say(&format!("m{i}"), None))
                .await
                .unwrap()
                .message
                .id,
        );
    }
    let three = Limit::parse(Some("3")).unwrap();
    let newest = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Newest, three)
        .await
        .unwrap();
    assert_eq!(
        newest.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        sent[4..]
    );
    assert_eq!(newest.next, Some(sent[4]));
    let back = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Before(sent[4]), three)
        .await
        .unwrap();
    assert_eq!(
        back.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        sent[1..4]
    );
    let oldest = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::Before(sent[1]), three)
        .await
        .unwrap();
    assert_eq!(
        oldest.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        sent[..1]
    );
    assert_eq!(oldest.next, None);
    let after = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::After(sent[0]), three)
        .await
        .unwrap();
    assert_eq!(after.next, Some(sent[3]));
    let tail = f
        .chat
        .visitor_messages(&ada, room, MessageWindow::After(sent[3]), three)
        .await
        .unwrap();
    assert_eq!(
        tail.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        sent[4..]
    );
    assert_eq!(tail.next, None);
}

#[tokio::test]
async fn ids_sort_in_send_order_within_one_millisecond() {
    let f = fixture();
    let (ada, room) = f.open_room("Ada").await;
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(
            f.chat
                .send_as_visitor(&ada, room, say(&i.to_string(), None))
                .await
                .unwrap()
                .message
                .id,
        );
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[tokio::test]
async fn login_refresh_and_their_failures() {
    let f = fixture();
    f.seeded_agent().await;
    let wrong = Login::parse(&json(r#"{"username":"admin","password":"nope"}"#)).unwrap();
    let unknown = Login::parse(&json(r#"{"username":"ghost","password":"admin123"}"#)).unwrap();
    let (a, b) = (
        f.chat.login(wrong, None).await.unwrap_err(),
        f.chat.login(unknown, None).await.unwrap_err(),
    );
    assert_eq!((a.status(), a.body()), (b.status(), b.body()));
    assert_eq!(a.status(), 401);

    let login = Login::parse(&json(r#"{"username":"admin","password":"admin123"}"#)).unwrap();
    let tokens = f.chat.login(login, None).await.unwrap();
    let refresh =
        |token: &str| Refresh::parse(&json(&format!(r#"{{"refresh":"{token}"}}"#))).unwrap();
    let access = f.chat.refresh(refresh(&tokens.refresh)).await.unwrap();
    assert!(matches!(f.chat.caller(Some(&access)), Ok(Caller::Agent(_))));
    assert!(f.chat.refresh(refresh(&tokens.access)).await.is_err());
    f.clock.advance(Duration::from_secs(7 * 24 * 3600));
    assert!(f.chat.refresh(refresh(&tokens.refresh)).await.is_err());
    assert!(f.chat.caller(Some(&access)).is_err());
}

#[tokio::test]
async fn seeding_an_agent_twice_keeps_the_first() {
    let f = fixture();
    let seed = |password: &str| {
        f.chat.ensure_agent(
            Username::parse("admin").unwrap(),
            password.to_owned(),
            DisplayName::parse("Admin").unwrap(),
            Role::Admin,
        )
    };
    assert!(seed("admin123").await.unwrap());
    assert!(!seed("other").await.unwrap());
    let login = Login::parse(&json(r#"{"username":"admin","password":"admin123"}"#)).unwrap();
    assert!(f.chat.login(login, None).await.is_ok());
}
