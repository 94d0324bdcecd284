//! What every store must do, whatever it is built on.

use std::sync::Arc;
use std::time::Duration;

use shared::ChatError;
use shared::clock::ManualClock;
use shared::domain::RoomChange;
use shared::domain::{
    Agent, AgentFlag, AgentId, Assignee, ClientMsgId, ConnectionId, CustomerEmail, CustomerName,
    DisplayName, Limit, Message, MessageContent, MessageId, MessageWindow, PageCursor, Role, Room,
    RoomId, RoomStatus, SenderType, Subject, Timestamp, Username, VisitorId,
};
use shared::domain::{
    AgentIdentity, CannedResponse, CannedResponseId, Reader, ShortCode, VisitorIdentity,
};
use shared::domain::{
    Attachment, AttachmentFilename, AttachmentId, AttachmentRules, AttachmentSize, AttachmentType,
};
use shared::ports::{
    Appended, CannedWrite, Charge, Clock, Connection, Party, RoomFilter, RoomWrite, Store,
};

/// The store's writes as the service makes them: each with the change its rules compute, so
/// the suite holds both stores to the same rules.
trait AsTheServiceWrites {
    fn append_charged(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
        charges: &[Charge],
    ) -> impl Future<Output = Result<Appended, ChatError>> + Send;

    fn append_message(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
    ) -> impl Future<Output = Result<Appended, ChatError>> + Send {
        self.append_charged(message, owner, &[])
    }

    fn set_room_status(
        &self,
        id: RoomId,
        status: RoomStatus,
        at: Timestamp,
    ) -> impl Future<Output = Result<RoomWrite, ChatError>> + Send;

    fn mark_room_read(
        &self,
        id: RoomId,
    ) -> impl Future<Output = Result<RoomWrite, ChatError>> + Send;
}

impl AsTheServiceWrites for Arc<dyn Store> {
    async fn append_charged(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
        charges: &[Charge],
    ) -> Result<Appended, ChatError> {
        let change = RoomChange::message_sent(message, owner);
        self.append(message, &change, charges).await
    }

    /// As a writer that read the room in the other status (or read a room that is gone
    /// since): the store's conditions alone decide.
    async fn set_room_status(
        &self,
        id: RoomId,
        status: RoomStatus,
        at: Timestamp,
    ) -> Result<RoomWrite, ChatError> {
        let mut seen = match self.get_room(id).await? {
            Some(room) => room,
            None => Room {
                id,
                ..new_room(&clock(), VisitorId::from_ulid(ulid::Ulid::new()))
            },
        };
        let change = match status {
            RoomStatus::Closed => {
                seen.status = RoomStatus::Open;
                RoomChange::closed(&seen, at)
            }
            RoomStatus::Open => {
                seen.status = RoomStatus::Closed;
                let assignee_active = match &seen.assignee {
                    Some(assignee) => self
                        .find_agent_by_id(assignee.id)
                        .await?
                        .is_some_and(|agent| agent.active),
                    None => false,
                };
                RoomChange::reopened(&seen, at, assignee_active)
            }
        };
        self.change_room(id, &change).await
    }

    async fn mark_room_read(&self, id: RoomId) -> Result<RoomWrite, ChatError> {
        self.change_room(id, &RoomChange::read()).await
    }
}

fn closed_rooms() -> RoomFilter {
    RoomFilter {
        status: Some(RoomStatus::Closed),
        assignee: None,
    }
}

/// The room of a write that changed it.
fn changed(write: RoomWrite) -> Room {
    match write {
        RoomWrite::Changed(room) => room,
        other => panic!("expected the room changed, got {other:?}"),
    }
}

fn clock() -> ManualClock {
    ManualClock::starting_at(Timestamp::from_unix_millis(1_800_000_000_000))
}

fn new_room(clock: &ManualClock, visitor: VisitorId) -> Room {
    let id = clock.next_id();
    Room {
        id: RoomId::from_ulid(id),
        visitor,
        customer_name: CustomerName::parse("Ada").unwrap(),
        customer_email: Some(CustomerEmail::parse("ada@example.com").unwrap()),
        subject: Subject::parse("Billing").unwrap(),
        status: RoomStatus::Open,
        created_at: clock.now(),
        updated_at: clock.now(),
        last_message: None,
        last_note: None,
        unread_count: 0,
        assignee: None,
    }
}

fn message(
    clock: &ManualClock,
    room: RoomId,
    sender: SenderType,
    text: &str,
    cmid: Option<&str>,
) -> Message {
    let id = clock.next_id();
    Message {
        id: MessageId::from_ulid(id),
        room_id: room,
        sender_type: sender,
        sender_name: "Ada".to_owned(),
        content: MessageContent::parse(text).unwrap(),
        created_at: Timestamp::from_unix_millis(id.timestamp_ms() as i64),
        client_msg_id: cmid.map(|c| ClientMsgId::parse(c).unwrap()),
        private: false,
    }
}

fn visitor(clock: &ManualClock) -> VisitorId {
    VisitorId::from_ulid(clock.next_id())
}

async fn open_room(store: &Arc<dyn Store>, clock: &ManualClock, owner: VisitorId) -> Room {
    let room = new_room(clock, owner);
    store.create_room(&room, None).await.unwrap();
    room
}

pub async fn rooms_round_trip(store: Arc<dyn Store>) {
    let clock = clock();
    let plain = open_room(&store, &clock, visitor(&clock)).await;
    assert_eq!(store.get_room(plain.id).await.unwrap(), Some(plain.clone()));

    let mut with_first = new_room(&clock, visitor(&clock));
    with_first.customer_email = None;
    with_first.subject = None;
    let first = message(&clock, with_first.id, SenderType::Customer, "hello", None);
    let with_first = with_first.with_message(&first);
    store.create_room(&with_first, Some(&first)).await.unwrap();
    assert_eq!(
        store.get_room(with_first.id).await.unwrap(),
        Some(with_first.clone())
    );
    let page = store
        .list_messages(
            with_first.id,
            MessageWindow::Newest,
            Limit::DEFAULT,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page.messages, vec![first]);

    assert_eq!(
        store
            .get_room(RoomId::from_ulid(clock.next_id()))
            .await
            .unwrap(),
        None
    );
}

pub async fn appending_updates_the_room(store: Arc<dyn Store>) {
    let clock = clock();
    let room = open_room(&store, &clock, visitor(&clock)).await;
    clock.advance(Duration::from_millis(10));
    let from_customer = message(&clock, room.id, SenderType::Customer, "one", None);
    assert_eq!(
        store
            .append_message(&from_customer, Some(room.visitor))
            .await
            .unwrap(),
        Appended::Stored
    );
    clock.advance(Duration::from_millis(10));
    let from_agent = message(&clock, room.id, SenderType::Agent, "two", Some("a-1"));
    assert_eq!(
        store.append_message(&from_agent, None).await.unwrap(),
        Appended::Stored
    );
    let stored = store.get_room(room.id).await.unwrap().unwrap();
    assert_eq!(stored.unread_count, 1, "only customer messages are unread");
    assert_eq!(stored.last_message, Some(from_agent.clone()));
    assert_eq!(stored.updated_at, from_agent.created_at);
    let page = store
        .list_messages(
            room.id,
            MessageWindow::Newest,
            Limit::DEFAULT,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page.messages, vec![from_customer, from_agent]);
}

pub async fn appending_refuses_in_api_order(store: Arc<dyn Store>) {
    let clock = clock();
    let owner = visitor(&clock);
    let room = open_room(&store, &clock, owner).await;
    let stranger = visitor(&clock);

    let ghost = message(
        &clock,
        RoomId::from_ulid(clock.next_id()),
        SenderType::Customer,
        "x",
        None,
    );
    assert!(matches!(
        store.append_message(&ghost, None).await,
        Err(ChatError::NotFound(_))
    ));
    let intruder = message(&clock, room.id, SenderType::Customer, "x", None);
    assert!(matches!(
        store.append_message(&intruder, Some(stranger)).await,
        Err(ChatError::NotFound(_))
    ));

    let first = message(&clock, room.id, SenderType::Customer, "once", Some("c-1"));
    assert_eq!(
        store.append_message(&first, Some(owner)).await.unwrap(),
        Appended::Stored
    );
    store
        .set_room_status(room.id, RoomStatus::Closed, clock.now())
        .await
        .unwrap();
    // A retry of a stored send is answered even once the room closed...
    let retry = message(&clock, room.id, SenderType::Customer, "once", Some("c-1"));
    assert_eq!(
        store.append_message(&retry, Some(owner)).await.unwrap(),
        Appended::Duplicate(first.clone())
    );
    // ...but never to another visitor, who learns nothing.
    assert!(matches!(
        store.append_message(&retry, Some(stranger)).await,
        Err(ChatError::NotFound(_))
    ));
    let late = message(&clock, room.id, SenderType::Agent, "too late", Some("c-2"));
    assert!(matches!(
        store.append_message(&late, None).await,
        Err(ChatError::Conflict(_))
    ));

    let page = store
        .list_messages(
            room.id,
            MessageWindow::Newest,
            Limit::DEFAULT,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page.messages, vec![first]);
    assert_eq!(
        store.get_room(room.id).await.unwrap().unwrap().unread_count,
        1
    );
}

pub async fn concurrent_retries_store_one_message(store: Arc<dyn Store>) {
    let clock = clock();
    let owner = visitor(&clock);
    let room = open_room(&store, &clock, owner).await;
    let attempts: Vec<Message> = (0..8)
        .map(|_| {
            message(
                &clock,
                room.id,
                SenderType::Customer,
                "racing",
                Some("race"),
            )
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for attempt in attempts {
        let store = store.clone();
        tasks.spawn(async move {
            (
                attempt.clone(),
                store.append_message(&attempt, Some(owner)).await.unwrap(),
            )
        });
    }
    let outcomes = tasks.join_all().await;
    let stored: Vec<&Message> = outcomes
        .iter()
        .filter(|(_, o)| *o == Appended::Stored)
        .map(|(m, _)| m)
        .collect();
    assert_eq!(stored.len(), 1, "{outcomes:?}");
    for (_, outcome) in &outcomes {
        if let Appended::Duplicate(earlier) = outcome {
            assert_eq!(earlier, stored[0]);
        }
    }
    let page = store
        .list_messages(
            room.id,
            MessageWindow::Newest,
            Limit::DEFAULT,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page.messages, vec![stored[0].clone()]);
    assert_eq!(
        store.get_room(room.id).await.unwrap().unwrap().unread_count,
        1
    );
}

pub async fn messages_page_both_ways(store: Arc<dyn Store>) {
    let clock = clock();
    let room = open_room(&store, &clock, visitor(&clock)).await;
    let mut ids = Vec::new();
    for i in 0..25 {
        let m = message(
            &clock,
            room.id,
            SenderType::Customer,
            &format!("m{i}"),
            Some(&format!("c{i}")),
        );
        store.append_message(&m, None).await.unwrap();
        ids.push(m.id);
    }
    let limit = Limit::parse(Some("10")).unwrap();
    let page_ids = |page: &shared::domain::MessagePage<Message>| {
        page.messages.iter().map(|m| m.id).collect::<Vec<_>>()
    };

    let newest = store
        .list_messages(room.id, MessageWindow::Newest, limit, Reader::Agent)
        .await
        .unwrap();
    assert_eq!(page_ids(&newest), ids[15..]);
    assert_eq!(newest.next, Some(ids[15]));
    let older = store
        .list_messages(
            room.id,
            MessageWindow::Before(ids[15]),
            limit,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page_ids(&older), ids[5..15]);
    assert_eq!(older.next, Some(ids[5]));
    let oldest = store
        .list_messages(room.id, MessageWindow::Before(ids[5]), limit, Reader::Agent)
        .await
        .unwrap();
    assert_eq!(page_ids(&oldest), ids[..5]);
    assert_eq!(oldest.next, None);

    let after = store
        .list_messages(room.id, MessageWindow::After(ids[4]), limit, Reader::Agent)
        .await
        .unwrap();
    assert_eq!(page_ids(&after), ids[5..15]);
    assert_eq!(after.next, Some(ids[14]));
    let rest = store
        .list_messages(room.id, MessageWindow::After(ids[14]), limit, Reader::Agent)
        .await
        .unwrap();
    assert_eq!(page_ids(&rest), ids[15..]);
    assert_eq!(rest.next, None);
    let none = store
        .list_messages(room.id, MessageWindow::After(ids[24]), limit, Reader::Agent)
        .await
        .unwrap();
    assert!(none.messages.is_empty() && none.next.is_none());

    // Exactly a page's worth: no next.
    let exact = store
        .list_messages(
            room.id,
            MessageWindow::Before(ids[10]),
            limit,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page_ids(&exact), ids[..10]);
    assert_eq!(exact.next, None);
    // An id between messages (not one of them) is a position too.
    let between = MessageId::from_ulid(ulid::Ulid::from_parts(
        ids[3].ulid().timestamp_ms(),
        ids[3].ulid().random() + 1,
    ));
    if between < ids[4] {
        let from = store
            .list_messages(
                room.id,
                MessageWindow::After(between),
                Limit::parse(Some("1")).unwrap(),
                Reader::Agent,
            )
            .await
            .unwrap();
        assert_eq!(page_ids(&from), vec![ids[4]]);
    }
    // Another room's messages never show.
    let other = open_room(&store, &clock, visitor(&clock)).await;
    let page = store
        .list_messages(other.id, MessageWindow::Newest, limit, Reader::Agent)
        .await
        .unwrap();
    assert!(page.messages.is_empty() && page.next.is_none());
}

pub async fn status_changes_and_reads(store: Arc<dyn Store>) {
    let clock = clock();
    let owner = visitor(&clock);
    let room = open_room(&store, &clock, owner).await;
    for text in ["a", "b"] {
        store
            .append_message(
                &message(&clock, room.id, SenderType::Customer, text, None),
                Some(owner),
            )
            .await
            .unwrap();
    }
    clock.advance(Duration::from_secs(1));
    let change = |status| store.set_room_status(room.id, status, clock.now());
    let closed = changed(change(RoomStatus::Closed).await.unwrap());
    assert_eq!(
        (closed.status, closed.updated_at),
        (RoomStatus::Closed, clock.now())
    );
    clock.advance(Duration::from_secs(1));
    let again = change(RoomStatus::Closed).await.unwrap();
    assert_eq!(
        again,
        RoomWrite::OtherStatus(closed.clone()),
        "closing a closed room changes nothing"
    );
    // The notice of a close is a system message: closed rooms take those, and only those.
    let notice = message(
        &clock,
        room.id,
        SenderType::System,
        "Admin closed the conversation",
        None,
    );
    assert_eq!(
        store.append_message(&notice, None).await.unwrap(),
        Appended::Stored
    );
    let noted = store.get_room(room.id).await.unwrap().unwrap();
    assert_eq!((noted.last_message, noted.unread_count), (Some(notice), 2));
    clock.advance(Duration::from_secs(1));
    let reopened = changed(change(RoomStatus::Open).await.unwrap());
    assert_eq!(
        (reopened.status, reopened.updated_at),
        (RoomStatus::Open, clock.now())
    );
    assert_eq!(reopened.unread_count, 2);

    let read = changed(store.mark_room_read(room.id).await.unwrap());
    assert_eq!(read.unread_count, 0);
    let last = read.last_message.as_ref().map(|m| m.content.as_str());
    assert_eq!(last, Some("Admin closed the conversation"));
    assert_eq!(
        store.get_room(room.id).await.unwrap().unwrap().unread_count,
        0
    );

    let ghost = RoomId::from_ulid(clock.next_id());
    assert_eq!(
        store.mark_room_read(ghost).await.unwrap(),
        RoomWrite::Missing
    );
    assert_eq!(
        store
            .set_room_status(ghost, RoomStatus::Closed, clock.now())
            .await
            .unwrap(),
        RoomWrite::Missing
    );
    assert_eq!(
        store.get_room(ghost).await.unwrap(),
        None,
        "nothing was created"
    );
}

/// A clock `millis` behind `clock`'s now: another process's (Lambda instances each have their
/// own), or this one's after a correction.
fn clock_behind(clock: &ManualClock, millis: i64) -> ManualClock {
    ManualClock::starting_at(Timestamp::from_unix_millis(
        clock.now().unix_millis() - millis,
    ))
}

pub async fn activity_never_moves_backwards(store: Arc<dyn Store>) {
    let ahead = clock();
    let owner = visitor(&ahead);
    let room = open_room(&store, &ahead, owner).await;
    let other = open_room(&store, &ahead, visitor(&ahead)).await;
    ahead.advance(Duration::from_secs(10));
    let latest = message(&ahead, room.id, SenderType::Customer, "ahead", None);
    store.append_message(&latest, Some(owner)).await.unwrap();

    // Every kind of write stamped by a clock 5 s behind: a reply, a close, its notice.
    let behind = clock_behind(&ahead, 5_000);
    let reply = message(&behind, room.id, SenderType::Agent, "behind", None);
    assert_eq!(
        store.append_message(&reply, None).await.unwrap(),
        Appended::Stored
    );
    let stored = store.get_room(room.id).await.unwrap().unwrap();
    assert_eq!(
        stored.updated_at, latest.created_at,
        "a send kept the activity"
    );
    assert_eq!(stored.last_message, Some(reply), "the last one stored");
    assert_eq!(stored.unread_count, 1);
    let closed = store
        .set_room_status(room.id, RoomStatus::Closed, behind.now())
        .await
        .unwrap();
    let closed = changed(closed);
    assert_eq!(
        (closed.status, closed.updated_at),
        (RoomStatus::Closed, latest.created_at),
        "a close kept the activity"
    );
    let notice = message(&behind, room.id, SenderType::System, "closed", None);
    store.append_message(&notice, None).await.unwrap();
    let noted = store.get_room(room.id).await.unwrap().unwrap();
    assert_eq!(noted.updated_at, latest.created_at);
    assert_eq!(noted.last_message, Some(notice));

    // The other room's activity falls between: the lists still rank by the latest activity,
    // and their cursors agree with it.
    behind.advance(Duration::from_secs(3));
    let between = message(&behind, other.id, SenderType::Customer, "between", None);
    store.append_message(&between, None).await.unwrap();
    let one = Limit::parse(Some("1")).unwrap();
    let first = store
        .list_rooms(RoomFilter::default(), one, None)
        .await
        .unwrap();
    assert_eq!(first.items, vec![noted.clone()]);
    let second = store
        .list_rooms(RoomFilter::default(), one, first.next.as_ref())
        .await
        .unwrap();
    assert_eq!(
        second.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![other.id]
    );
    let closed_rooms = store
        .list_rooms(closed_rooms(), Limit::DEFAULT, None)
        .await
        .unwrap();
    assert_eq!(closed_rooms.items, vec![noted]);

    // A later instant raises it again.
    ahead.advance(Duration::from_secs(1));
    let reopened = store
        .set_room_status(room.id, RoomStatus::Open, ahead.now())
        .await
        .unwrap();
    assert_eq!(changed(reopened).updated_at, ahead.now());
}

pub async fn racing_writers_agree(store: Arc<dyn Store>) {
    let clock = clock();
    let owner = visitor(&clock);
    let room = open_room(&store, &clock, owner).await;
    clock.advance(Duration::from_secs(1));

    // Of agents closing the room at once, one closes it; the others find it closed.
    let mut closes = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (store, at) = (store.clone(), clock.now());
        closes.spawn(async move {
            store
                .set_room_status(room.id, RoomStatus::Closed, at)
                .await
                .unwrap()
        });
    }
    let outcomes = closes.join_all().await;
    let closed: Vec<&RoomWrite> = outcomes
        .iter()
        .filter(|w| matches!(w, RoomWrite::Changed(_)))
        .collect();
    assert_eq!(closed.len(), 1, "{outcomes:?}");
    for outcome in &outcomes {
        match outcome {
            RoomWrite::Changed(room) | RoomWrite::OtherStatus(room) => {
                assert_eq!(room.status, RoomStatus::Closed)
            }
            other => panic!("{other:?} in {outcomes:?}"),
        }
    }
    clock.advance(Duration::from_secs(1));
    changed(
        store
            .set_room_status(room.id, RoomStatus::Open, clock.now())
            .await
            .unwrap(),
    );

    // Sends from two processes (one clock 1 s behind) race a close: each is stored before it
    // or refused after it, and the room counts exactly the stored ones.
    clock.advance(Duration::from_secs(1));
    let behind = clock_behind(&clock, 1_000);
    let sends: Vec<Message> = (0..6)
        .map(|i| {
            let by = if i % 2 == 0 { &clock } else { &behind };
            message(
                by,
                room.id,
                SenderType::Customer,
                &format!("race {i}"),
                None,
            )
        })
        .collect();
    let mut racers = tokio::task::JoinSet::new();
    for send in sends.clone() {
        let store = store.clone();
        racers.spawn(async move {
            let outcome = store.append_message(&send, Some(owner)).await;
            (send, outcome.map(|_| ()))
        });
    }
    let close_at = clock.now();
    let closer = store.clone();
    let close = tokio::spawn(async move {
        closer
            .set_room_status(room.id, RoomStatus::Closed, close_at)
            .await
            .unwrap()
    });
    let raced = racers.join_all().await;
    changed(close.await.unwrap());
    let mut stored = Vec::new();
    for (send, outcome) in raced {
        match outcome {
            Ok(()) => stored.push(send),
            Err(ChatError::Conflict(_)) => {}
            Err(other) => panic!("{} failed: {other:?}", send.content.as_str()),
        }
    }
    stored.sort_by_key(|m| m.id);
    let page = store
        .list_messages(
            room.id,
            MessageWindow::Newest,
            Limit::DEFAULT,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page.messages, stored);
    let after = store.get_room(room.id).await.unwrap().unwrap();
    assert_eq!(after.status, RoomStatus::Closed);
    assert_eq!(after.unread_count as usize, stored.len());
    let latest = stored.iter().map(|m| m.created_at).chain([close_at]).max();
    assert_eq!(Some(after.updated_at), latest);
}

pub async fn admin_lists_page_by_activity(store: Arc<dyn Store>) {
    let clock = clock();
    let mut rooms = Vec::new();
    for _ in 0..7 {
        clock.advance(Duration::from_millis(3));
        rooms.push(open_room(&store, &clock, visitor(&clock)).await.id);
    }
    // Activity reorders: a message to the oldest, a close of the second.
    clock.advance(Duration::from_millis(3));
    store
        .append_message(
            &message(&clock, rooms[0], SenderType::Customer, "bump", None),
            None,
        )
        .await
        .unwrap();
    clock.advance(Duration::from_millis(3));
    store
        .set_room_status(rooms[1], RoomStatus::Closed, clock.now())
        .await
        .unwrap();
    let expected = vec![
        rooms[1], rooms[0], rooms[6], rooms[5], rooms[4], rooms[3], rooms[2],
    ];

    let mut seen = Vec::new();
    let mut cursor: Option<PageCursor> = None;
    loop {
        let page = store
            .list_rooms(
                RoomFilter::default(),
                Limit::parse(Some("3")).unwrap(),
                cursor.as_ref(),
            )
            .await
            .unwrap();
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, expected);

    let closed = store
        .list_rooms(closed_rooms(), Limit::DEFAULT, None)
        .await
        .unwrap();
    assert_eq!(
        closed.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![rooms[1]]
    );
    assert_eq!(closed.next, None);
    let open_first = store
        .list_rooms(
            RoomFilter {
                status: Some(RoomStatus::Open),
                assignee: None,
            },
            Limit::parse(Some("2")).unwrap(),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        open_first.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![rooms[0], rooms[6]]
    );
    let open_rest = store
        .list_rooms(
            RoomFilter {
                status: Some(RoomStatus::Open),
                assignee: None,
            },
            Limit::DEFAULT,
            open_first.next.as_ref(),
        )
        .await
        .unwrap();
    assert_eq!(
        open_rest.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        expected[3..]
    );
    assert_eq!(open_rest.next, None);

    for garbage in [
        "bm9wZQ",
        "x",
        "MTIzLg",
        "LTEuMDFKRDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA",
    ] {
        let cursor = PageCursor::parse(Some(garbage)).unwrap();
        let refused = store
            .list_rooms(RoomFilter::default(), Limit::DEFAULT, cursor.as_ref())
            .await;
        assert!(
            matches!(
                refused,
                Err(ChatError::Validation {
                    field: "cursor",
                    ..
                })
            ),
            "{garbage}: {refused:?}"
        );
    }
}

pub async fn visitor_lists_are_scoped(store: Arc<dyn Store>) {
    let clock = clock();
    let (ada, bob) = (visitor(&clock), visitor(&clock));
    let mut adas = Vec::new();
    for _ in 0..5 {
        clock.advance(Duration::from_millis(2));
        adas.push(open_room(&store, &clock, ada).await.id);
    }
    let bobs = open_room(&store, &clock, bob).await.id;
    clock.advance(Duration::from_millis(2));
    store
        .append_message(
            &message(&clock, adas[1], SenderType::Customer, "bump", None),
            Some(ada),
        )
        .await
        .unwrap();

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_visitor_rooms(ada, Limit::parse(Some("2")).unwrap(), cursor.as_ref())
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, vec![adas[1], adas[4], adas[3], adas[2], adas[0]]);
    let bob_page = store
        .list_visitor_rooms(bob, Limit::DEFAULT, None)
        .await
        .unwrap();
    assert_eq!(
        bob_page.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![bobs]
    );
    let nobody = store
        .list_visitor_rooms(visitor(&clock), Limit::DEFAULT, None)
        .await
        .unwrap();
    assert!(nobody.items.is_empty() && nobody.next.is_none());
}

pub async fn connections_come_and_go(store: Arc<dyn Store>) {
    let clock = clock();
    let owner = visitor(&clock);
    let room = open_room(&store, &clock, owner).await;
    let other_room = open_room(&store, &clock, owner).await;
    let now = clock.now();
    let customer = |id: &str, room: RoomId| Connection {
        id: ConnectionId::parse(id).unwrap(),
        party: Party::Customer {
            visitor: VisitorIdentity {
                id: owner,
                name: CustomerName::parse("Ada").unwrap(),
            },
            room,
        },
        connected_at: now,
        expires_at: now.plus_seconds(7800),
    };
    let agent = Connection {
        id: ConnectionId::parse("QWdlbnQ=").unwrap(),
        party: Party::Agent(AgentIdentity {
            id: AgentId::from_ulid(clock.next_id()),
            username: Username::parse("admin").unwrap(),
            display_name: DisplayName::parse("Admin").unwrap(),
            role: Role::Admin,
        }),
        connected_at: now,
        expires_at: now.plus_seconds(7800),
    };
    let (tab1, tab2, elsewhere) = (
        customer("VGFiMQ==", room.id),
        customer("VGFiMg==", room.id),
        customer("RWxzZQ==", other_room.id),
    );
    for connection in [&tab1, &tab2, &elsewhere, &agent] {
        store.add_connection(connection).await.unwrap();
    }
    let mut in_room = store.room_connections(room.id, now).await.unwrap();
    in_room.sort();
    let mut expected = vec![tab1.id.clone(), tab2.id.clone()];
    expected.sort();
    assert_eq!(in_room, expected);
    assert_eq!(
        store.agent_connections(now).await.unwrap(),
        vec![agent.id.clone()]
    );
    let Party::Agent(agent_identity) = &agent.party else {
        unreachable!()
    };
    assert_eq!(
        store.agent_connections_by_agent(now).await.unwrap(),
        vec![(agent_identity.id, agent.id.clone())],
        "each agent connection with its agent"
    );
    assert_eq!(
        store.get_connection(&tab1.id, now).await.unwrap(),
        Some(tab1.clone())
    );
    assert_eq!(
        store.get_connection(&agent.id, now).await.unwrap(),
        Some(agent.clone())
    );

    // Removing answers the record it forgot, and nothing for an unknown id.
    assert_eq!(
        store.remove_connection(&tab1.id).await.unwrap(),
        Some(tab1.clone())
    );
    assert_eq!(
        store
            .remove_connection(&ConnectionId::parse("bm9ib2R5").unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.room_connections(room.id, now).await.unwrap(),
        vec![tab2.id.clone()]
    );
    assert_eq!(store.get_connection(&tab1.id, now).await.unwrap(), None);

    // Past their expiry, connections are gone on every read, removed or not.
    let later = now.plus_seconds(7801);
    assert!(
        store
            .room_connections(room.id, later)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.agent_connections(later).await.unwrap().is_empty());
    assert!(
        store
            .agent_connections_by_agent(later)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.get_connection(&agent.id, later).await.unwrap(), None);

    // Only the sweep of dead sockets sees an expired agent connection, until it is removed
    // (the customer connections are not its business).
    assert!(
        store
            .expired_agent_connections(now)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.expired_agent_connections(later).await.unwrap(),
        vec![agent.id.clone()]
    );
    assert_eq!(
        store.remove_connection(&agent.id).await.unwrap(),
        Some(agent.clone()),
        "an expired record is still forgotten, and answered"
    );
    assert!(
        store
            .expired_agent_connections(later)
            .await
            .unwrap()
            .is_empty()
    );
}

fn team_member(clock: &ManualClock, name: &str) -> Agent {
    Agent::new(
        AgentId::from_ulid(clock.next_id()),
        Username::parse(name).unwrap(),
        DisplayName::parse(name).unwrap(),
        Role::Agent,
        "hash".to_owned(),
    )
}

pub async fn agents_are_inserted_once(store: Arc<dyn Store>) {
    let clock = clock();
    let agent = Agent::new(
        AgentId::from_ulid(clock.next_id()),
        Username::parse("grace").unwrap(),
        DisplayName::parse("Grace H.").unwrap(),
        Role::Agent,
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
    );
    assert_eq!(store.find_agent(&agent.username).await.unwrap(), None);
    assert!(store.insert_agent_if_absent(&agent).await.unwrap());
    let mut impostor = agent.clone();
    impostor.id = AgentId::from_ulid(clock.next_id());
    impostor.password_hash = "other".to_owned();
    assert!(!store.insert_agent_if_absent(&impostor).await.unwrap());
    assert_eq!(
        store.find_agent(&agent.username).await.unwrap(),
        Some(agent)
    );
}

pub async fn the_team_is_listed_found_by_id_and_deactivated(store: Arc<dyn Store>) {
    let clock = clock();
    let agent = |name: &str| team_member(&clock, name);
    let (ann, ben) = (agent("ann"), agent("ben"));
    assert!(store.list_agents().await.unwrap().is_empty());
    for member in [&ann, &ben] {
        assert!(store.insert_agent_if_absent(member).await.unwrap());
    }
    let mut listed = store.list_agents().await.unwrap();
    listed.sort_by_key(|agent| agent.id);
    assert_eq!(listed, vec![ann.clone(), ben.clone()]);
    assert_eq!(
        store.find_agent_by_id(ben.id).await.unwrap(),
        Some(ben.clone())
    );
    let nobody = AgentId::from_ulid(clock.next_id());
    assert_eq!(store.find_agent_by_id(nobody).await.unwrap(), None);

    let off = store
        .set_agent_flag(&ben, AgentFlag::Active, false)
        .await
        .unwrap()
        .unwrap();
    assert!(!off.active);
    assert_eq!(
        store.find_agent(&ben.username).await.unwrap(),
        Some(off.clone())
    );
    assert_eq!(store.find_agent_by_id(ben.id).await.unwrap(), Some(off));
    let on = store
        .set_agent_flag(&ben, AgentFlag::Active, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(on, ben);
    // The away flag is kept apart from the active one.
    let away = store
        .set_agent_flag(&ben, AgentFlag::Away, true)
        .await
        .unwrap()
        .unwrap();
    assert!(away.away && away.active);
    assert_eq!(store.find_agent(&ben.username).await.unwrap(), Some(away));
    let back = store
        .set_agent_flag(&ben, AgentFlag::Away, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back, ben);
    // A new password: the hash replaced, one more generation, nothing else changed.
    let changed = store
        .set_password(&ben, "new hash".to_owned())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.password_hash.as_str(), changed.password_generation),
        ("new hash", 1)
    );
    assert_eq!(
        Agent {
            password_hash: ben.password_hash.clone(),
            password_generation: 0,
            ..changed.clone()
        },
        ben
    );
    assert_eq!(
        store.find_agent(&ben.username).await.unwrap(),
        Some(changed)
    );
    let ben = store.find_agent(&ben.username).await.unwrap().unwrap();
    // Only the record of that agent: another with the same username is not it.
    let impostor = Agent {
        id: nobody,
        ..ben.clone()
    };
    assert_eq!(
        store
            .set_password(&impostor, "stolen".to_owned())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .set_agent_flag(&impostor, AgentFlag::Active, false)
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .find_agent(&ben.username)
            .await
            .unwrap()
            .unwrap()
            .active
    );
}

pub async fn rate_counters_count_up_to_their_max(store: Arc<dyn Store>) {
    let now = clock().now();
    let ends = now.plus_seconds(60);
    let key = format!("test#{}", ulid::Ulid::new());
    assert_eq!(store.counted(&key, now).await.unwrap(), 0);
    for _ in 0..3 {
        assert!(store.count_up_to(&key, 3, now, ends).await.unwrap());
    }
    assert!(!store.count_up_to(&key, 3, now, ends).await.unwrap());
    assert_eq!(store.counted(&key, now).await.unwrap(), 3);
    // Counters are independent, and an expired one reads as nothing.
    let other = format!("{key}-other");
    assert!(store.count_up_to(&other, 3, now, ends).await.unwrap());
    assert_eq!(store.counted(&other, now).await.unwrap(), 1);
    assert_eq!(store.counted(&key, ends).await.unwrap(), 0);

    // Concurrent counts never pass the max: each is one atomic step.
    let racing = format!("{key}-racing");
    let attempts = (0..20).map(|_| {
        let (store, racing) = (store.clone(), racing.clone());
        tokio::spawn(async move { store.count_up_to(&racing, 5, now, ends).await.unwrap() })
    });
    let counted = futures::future::join_all(attempts)
        .await
        .into_iter()
        .filter(|joined| *joined.as_ref().unwrap())
        .count();
    assert_eq!(counted, 5);
    assert_eq!(store.counted(&racing, now).await.unwrap(), 5);
}

pub async fn sends_count_their_charges_in_the_same_write(store: Arc<dyn Store>) {
    let clock = clock();
    let owner = visitor(&clock);
    let room = open_room(&store, &clock, owner).await;
    let charge = Charge {
        key: format!("sends#{}", ulid::Ulid::new()),
        max: 2,
        expires_at: clock.now().plus_seconds(60),
        retry_after_secs: 42,
    };
    let charges = std::slice::from_ref(&charge);
    let say = |retry: Option<&str>| message(&clock, room.id, SenderType::Customer, "hi", retry);
    let first = say(Some("first"));
    assert_eq!(
        store
            .append_charged(&first, Some(owner), charges)
            .await
            .unwrap(),
        Appended::Stored
    );
    // A refused send counts nothing: a stranger's send to this room.
    let stranger = visitor(&clock);
    assert!(matches!(
        store
            .append_charged(&say(None), Some(stranger), charges)
            .await,
        Err(ChatError::NotFound(_))
    ));
    assert_eq!(
        store
            .append_charged(&say(None), Some(owner), charges)
            .await
            .unwrap(),
        Appended::Stored
    );
    assert_eq!(store.counted(&charge.key, clock.now()).await.unwrap(), 2);
    // At the max: refused with the charge's wait, and not stored...
    let over = say(None);
    match store.append_charged(&over, Some(owner), charges).await {
        Err(ChatError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 42),
        other => panic!("{other:?}"),
    }
    let page = store
        .list_messages(
            room.id,
            MessageWindow::Newest,
            Limit::DEFAULT,
            Reader::Agent,
        )
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 2);
    // ...but a retry of a stored send is still answered with it.
    let retry = Message {
        id: MessageId::from_ulid(clock.next_id()),
        ..first.clone()
    };
    assert_eq!(
        store
            .append_charged(&retry, Some(owner), charges)
            .await
            .unwrap(),
        Appended::Duplicate(first)
    );
    assert_eq!(store.counted(&charge.key, clock.now()).await.unwrap(), 2);
}

/// The agent as stored now.
async fn stored_agent(store: &Arc<dyn Store>, agent: &Agent) -> Agent {
    store.find_agent_by_id(agent.id).await.unwrap().unwrap()
}

async fn listed(
    store: &Arc<dyn Store>,
    status: RoomStatus,
    assignee: Option<AgentId>,
) -> Vec<RoomId> {
    let filter = RoomFilter {
        status: Some(status),
        assignee: Some(assignee),
    };
    let page = store
        .list_rooms(filter, Limit::DEFAULT, None)
        .await
        .unwrap();
    page.items.iter().map(|room| room.id).collect()
}

pub async fn assignments_keep_counts_and_file_rooms_by_assignee(store: Arc<dyn Store>) {
    let clock = clock();
    let (ann, ben) = (team_member(&clock, "ann"), team_member(&clock, "ben"));
    for member in [&ann, &ben] {
        assert!(store.insert_agent_if_absent(member).await.unwrap());
    }
    let owner = visitor(&clock);
    let first = open_room(&store, &clock, owner).await;
    clock.advance(Duration::from_millis(5));
    let second = open_room(&store, &clock, owner).await;
    assert_eq!(
        listed(&store, RoomStatus::Open, None).await,
        vec![second.id, first.id]
    );

    let at = clock.now();
    let to_ann = RoomChange::assigned(&first, Some(&ann), None, at);
    let anns = changed(store.change_room(first.id, &to_ann).await.unwrap());
    assert_eq!(anns.assignee, Some(Assignee::of(&ann)));
    assert_eq!(store.get_room(first.id).await.unwrap(), Some(anns.clone()));
    let counted = stored_agent(&store, &ann).await;
    assert_eq!(
        (counted.open_rooms, counted.last_assigned_at),
        (1, Some(at))
    );
    // A change built from the room before it was assigned is refused, and counts nothing.
    let stale = RoomChange::assigned(&first, Some(&ben), None, at);
    assert_eq!(
        store.change_room(first.id, &stale).await.unwrap(),
        RoomWrite::OtherAssignee(anns.clone())
    );
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 0);

    // A transfer frees one slot and takes another.
    let to_ben = RoomChange::assigned(&anns, Some(&ben), None, at);
    let bens = changed(store.change_room(first.id, &to_ben).await.unwrap());
    assert_eq!(bens.assignee, Some(Assignee::of(&ben)));
    assert_eq!(stored_agent(&store, &ann).await.open_rooms, 0);
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 1);
    assert_eq!(
        listed(&store, RoomStatus::Open, Some(ben.id)).await,
        vec![first.id]
    );
    assert_eq!(
        listed(&store, RoomStatus::Open, None).await,
        vec![second.id]
    );
    assert!(
        listed(&store, RoomStatus::Open, Some(ann.id))
            .await
            .is_empty()
    );

    // Activity orders an assignee's list as it does every list.
    clock.advance(Duration::from_millis(5));
    let second_bens = RoomChange::assigned(&second, Some(&ben), None, clock.now());
    changed(store.change_room(second.id, &second_bens).await.unwrap());
    clock.advance(Duration::from_millis(5));
    let reply = message(&clock, first.id, SenderType::Agent, "On it", None);
    store.append_message(&reply, None).await.unwrap();
    assert_eq!(
        listed(&store, RoomStatus::Open, Some(ben.id)).await,
        vec![first.id, second.id]
    );
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 2);

    // Closing frees the slot and files the room under closed, keeping its assignee; a reopen
    // counts it again, cap or not.
    let bens = store.get_room(first.id).await.unwrap().unwrap();
    let closed = changed(
        store
            .change_room(first.id, &RoomChange::closed(&bens, clock.now()))
            .await
            .unwrap(),
    );
    assert_eq!(closed.assignee, Some(Assignee::of(&ben)));
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 1);
    assert_eq!(
        listed(&store, RoomStatus::Closed, Some(ben.id)).await,
        vec![first.id]
    );
    assert_eq!(
        listed(&store, RoomStatus::Open, Some(ben.id)).await,
        vec![second.id]
    );
    let reopen = RoomChange::reopened(&closed, clock.now(), true);
    changed(store.change_room(first.id, &reopen).await.unwrap());
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 2);

    // A taker at its cap, or deactivated, is refused, and nothing changes.
    let third = open_room(&store, &clock, owner).await;
    let past_cap = RoomChange::assigned(&third, Some(&ben), Some(2), clock.now());
    assert_eq!(
        store.change_room(third.id, &past_cap).await.unwrap(),
        RoomWrite::TakerRefused
    );
    store
        .set_agent_flag(&ann, AgentFlag::Active, false)
        .await
        .unwrap();
    let to_gone = RoomChange::assigned(&third, Some(&ann), None, clock.now());
    assert_eq!(
        store.change_room(third.id, &to_gone).await.unwrap(),
        RoomWrite::TakerRefused
    );
    assert_eq!(store.get_room(third.id).await.unwrap(), Some(third.clone()));
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 2);
    assert_eq!(stored_agent(&store, &ann).await.open_rooms, 0);

    // Unassigning files the room under nobody.
    let bens = store.get_room(second.id).await.unwrap().unwrap();
    let nobody = RoomChange::assigned(&bens, None, None, clock.now());
    assert_eq!(
        changed(store.change_room(second.id, &nobody).await.unwrap()).assignee,
        None
    );
    assert_eq!(stored_agent(&store, &ben).await.open_rooms, 1);
    assert_eq!(
        listed(&store, RoomStatus::Open, None).await,
        vec![third.id, second.id]
    );
}

pub async fn rooms_arriving_at_once_never_push_an_agent_past_its_cap(store: Arc<dyn Store>) {
    let clock = clock();
    let cat = team_member(&clock, "cat");
    assert!(store.insert_agent_if_absent(&cat).await.unwrap());
    let owner = visitor(&clock);
    let mut rooms = Vec::new();
    for _ in 0..6 {
        rooms.push(open_room(&store, &clock, owner).await);
    }
    let mut writes = tokio::task::JoinSet::new();
    for room in rooms {
        let (store, cat, at) = (store.clone(), cat.clone(), clock.now());
        writes.spawn(async move {
            let change = RoomChange::assigned(&room, Some(&cat), Some(2), at);
            store.change_room(room.id, &change).await.unwrap()
        });
    }
    let outcomes = writes.join_all().await;
    let taken = outcomes
        .iter()
        .filter(|write| matches!(write, RoomWrite::Changed(_)))
        .count();
    assert_eq!(taken, 2, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|write| matches!(write, RoomWrite::Changed(_) | RoomWrite::TakerRefused)),
        "{outcomes:?}"
    );
    assert_eq!(stored_agent(&store, &cat).await.open_rooms, 2);
    assert_eq!(
        listed(&store, RoomStatus::Open, Some(cat.id)).await.len(),
        2
    );
}

/// Every page of `reader`'s, following `next` from `first` until it is null, in the order
/// read; each page holds `limit` messages but the last.
async fn every_page(
    store: &Arc<dyn Store>,
    room: RoomId,
    first: MessageWindow,
    limit: Limit,
    reader: Reader,
) -> Vec<MessageId> {
    let forward = matches!(first, MessageWindow::After(_));
    let mut window = first;
    let mut pages: Vec<Vec<MessageId>> = Vec::new();
    loop {
        let page = store
            .list_messages(room, window, limit, reader)
            .await
            .unwrap();
        let ids: Vec<MessageId> = page.messages.iter().map(|m| m.id).collect();
        assert!(ids.is_sorted(), "oldest first: {ids:?}");
        pages.push(ids);
        match page.next {
            Some(next) => {
                assert_eq!(pages.last().unwrap().len(), limit.get(), "a full page");
                window = match forward {
                    true => MessageWindow::After(next),
                    false => MessageWindow::Before(next),
                };
            }
            None => break,
        }
    }
    if !forward {
        pages.reverse();
    }
    pages.concat()
}

/// Random interleavings of messages and notes (proptest draws them, seeded): a customer's
/// pages, both ways and at every page size drawn, hold exactly the messages in order however
/// many notes sit between them; an agent's hold everything; the room keeps the newest of each.
pub async fn notes_are_stored_apart_and_paged_per_reader(store: Arc<dyn Store>) {
    use proptest::strategy::{Strategy, ValueTree};
    let clock = clock();
    let cases = (
        proptest::collection::vec(proptest::bool::ANY, 0..30),
        1u16..6,
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..8 {
        let (notes, limit) = cases.new_tree(&mut runner).unwrap().current();
        let limit = Limit::new_clamped(limit);
        let room = open_room(&store, &clock, visitor(&clock)).await;
        let mut all = Vec::new();
        let mut public = Vec::new();
        for (i, private) in notes.iter().enumerate() {
            let sender = match (private, i % 2) {
                (true, _) | (false, 0) => SenderType::Agent,
                (false, _) => SenderType::Customer,
            };
            let m = Message {
                private: *private,
                ..message(&clock, room.id, sender, &format!("m{i}"), None)
            };
            store.append_message(&m, None).await.unwrap();
            all.push(m.id);
            if !private {
                public.push(m.clone());
            }
        }
        let public_ids: Vec<MessageId> = public.iter().map(|m| m.id).collect();
        for (reader, expected) in [(Reader::Customer, &public_ids), (Reader::Agent, &all)] {
            let newest = every_page(&store, room.id, MessageWindow::Newest, limit, reader).await;
            assert_eq!(
                &newest, expected,
                "{reader:?} scrolling back, {notes:?} by {limit:?}"
            );
            if let Some(first) = expected.first() {
                let after = MessageWindow::After(*first);
                let caught_up = every_page(&store, room.id, after, limit, reader).await;
                assert_eq!(
                    caught_up,
                    expected[1..],
                    "{reader:?} catching up, {notes:?}"
                );
            }
        }
        let stored = store.get_room(room.id).await.unwrap().unwrap();
        assert_eq!(stored.last_message, public.last().cloned(), "{notes:?}");
        assert_eq!(
            stored.last_message_for(Reader::Agent).map(|m| m.id),
            all.last().copied(),
            "{notes:?}"
        );
        let from_customers = public
            .iter()
            .filter(|m| m.sender_type == SenderType::Customer)
            .count();
        assert_eq!(stored.unread_count as usize, from_customers, "{notes:?}");
    }

    // A note goes to a closed room, and is no activity there.
    let room = open_room(&store, &clock, visitor(&clock)).await;
    let closed_at = clock.now();
    store
        .set_room_status(room.id, RoomStatus::Closed, closed_at)
        .await
        .unwrap();
    clock.advance(std::time::Duration::from_secs(5));
    let note = Message {
        private: true,
        ..message(&clock, room.id, SenderType::Agent, "for the team", None)
    };
    assert_eq!(
        store.append_message(&note, None).await.unwrap(),
        Appended::Stored
    );
    let stored = store.get_room(room.id).await.unwrap().unwrap();
    assert_eq!(stored.last_note, Some(note));
    assert_eq!(stored.last_message, None);
    assert_eq!(stored.updated_at, closed_at, "a note is no activity");
}

fn canned(clock: &ManualClock, code: &str, content: &str) -> CannedResponse {
    CannedResponse {
        id: CannedResponseId::from_ulid(clock.next_id()),
        short_code: ShortCode::parse(code).unwrap(),
        content: MessageContent::parse(content).unwrap(),
        created_at: clock.now(),
        updated_at: clock.now(),
    }
}

/// Short codes are unique across inserts and replacements; a replacement or deletion of a
/// response changed since it was read is refused; a deleted or moved code is free again.
pub async fn canned_responses_keep_their_short_codes_unique(store: Arc<dyn Store>) {
    let clock = clock();
    let hello = canned(&clock, "hello", "Hello!");
    let bye = canned(&clock, "bye", "Bye!");
    for response in [&hello, &bye] {
        assert_eq!(
            store.insert_canned(response).await.unwrap(),
            CannedWrite::Written
        );
    }
    let twin = canned(&clock, "hello", "Hello again");
    assert_eq!(
        store.insert_canned(&twin).await.unwrap(),
        CannedWrite::CodeTaken
    );
    assert_eq!(
        store.get_canned(twin.id).await.unwrap(),
        None,
        "nothing stored"
    );
    let mut listed = store.list_canned().await.unwrap();
    listed.sort_by_key(|r| r.id);
    assert_eq!(listed, vec![hello.clone(), bye.clone()]);

    clock.advance(std::time::Duration::from_millis(5));
    let taking = CannedResponse {
        short_code: ShortCode::parse("hello").unwrap(),
        updated_at: clock.now(),
        ..bye.clone()
    };
    assert_eq!(
        store.replace_canned(&bye, &taking).await.unwrap(),
        CannedWrite::CodeTaken
    );
    let moved = CannedResponse {
        short_code: ShortCode::parse("farewell").unwrap(),
        updated_at: clock.now(),
        ..bye.clone()
    };
    assert_eq!(
        store.replace_canned(&bye, &moved).await.unwrap(),
        CannedWrite::Written
    );
    assert_eq!(store.get_canned(bye.id).await.unwrap(), Some(moved.clone()));
    // As read before the move: refused, both to replace and to delete.
    assert_eq!(
        store.replace_canned(&bye, &moved).await.unwrap(),
        CannedWrite::Changed
    );
    assert_eq!(
        store.delete_canned(&bye).await.unwrap(),
        CannedWrite::Changed
    );
    // "bye" is free again; deleting frees "farewell".
    let again = canned(&clock, "bye", "See you");
    assert_eq!(
        store.insert_canned(&again).await.unwrap(),
        CannedWrite::Written
    );
    assert_eq!(
        store.delete_canned(&moved).await.unwrap(),
        CannedWrite::Written
    );
    assert_eq!(store.get_canned(moved.id).await.unwrap(), None);
    assert_eq!(
        store.delete_canned(&moved).await.unwrap(),
        CannedWrite::Changed
    );
    let reuse = canned(&clock, "farewell", "Farewell");
    assert_eq!(
        store.insert_canned(&reuse).await.unwrap(),
        CannedWrite::Written
    );

    // Two admins saving the same new code at the same moment: one is written, one refused.
    let (left, right) = (
        canned(&clock, "race", "Left"),
        canned(&clock, "race", "Right"),
    );
    let (a, b) = tokio::join!(store.insert_canned(&left), store.insert_canned(&right));
    let mut outcomes = [a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|outcome| *outcome != CannedWrite::Written);
    assert_eq!(outcomes, [CannedWrite::Written, CannedWrite::CodeTaken]);
    let racing: Vec<_> = store
        .list_canned()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.short_code.as_str() == "race")
        .collect();
    assert_eq!(racing.len(), 1, "one response holds the code");
}

fn attachment(clock: &ManualClock, room: RoomId, filename: &str) -> Attachment {
    let rules = AttachmentRules::default();
    Attachment {
        id: AttachmentId::from_ulid(clock.next_id()),
        room_id: room,
        filename: AttachmentFilename::parse(filename).unwrap(),
        content_type: AttachmentType::parse("image/png", &rules).unwrap(),
        size: AttachmentSize::parse(48_213, &rules).unwrap(),
        uploaded_by: SenderType::Customer,
        created_at: clock.now(),
        message_id: None,
    }
}

pub async fn attachments_are_kept_under_their_room(store: Arc<dyn Store>) {
    let clock = clock();
    let (room, other_room) = (
        RoomId::from_ulid(clock.next_id()),
        RoomId::from_ulid(clock.next_id()),
    );
    let shot = attachment(&clock, room, "screen shot (2).png");
    store.insert_attachment(&shot).await.unwrap();
    let agents = Attachment {
        uploaded_by: SenderType::Agent,
        ..attachment(&clock, room, "отчёт.png")
    };
    store.insert_attachment(&agents).await.unwrap();
    assert_eq!(
        store.get_attachment(room, shot.id).await.unwrap(),
        Some(shot.clone())
    );
    assert_eq!(
        store.get_attachment(room, agents.id).await.unwrap(),
        Some(agents)
    );
    // Found under its own room only.
    assert_eq!(
        store.get_attachment(other_room, shot.id).await.unwrap(),
        None
    );
    let unknown = AttachmentId::from_ulid(clock.next_id());
    assert_eq!(store.get_attachment(room, unknown).await.unwrap(), None);
    // A record is never overwritten.
    let again = Attachment {
        filename: AttachmentFilename::parse("other.png").unwrap(),
        ..shot.clone()
    };
    assert!(store.insert_attachment(&again).await.is_err());
    assert_eq!(
        store.get_attachment(room, shot.id).await.unwrap(),
        Some(shot)
    );
}
