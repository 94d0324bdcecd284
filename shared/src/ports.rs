//! What the service needs from the outside world, split by capability so an adapter (or a test
//! double) implements only what it is asked for.

use async_trait::async_trait;
use ulid::Ulid;

use crate::domain::{
    Agent, Limit, Message, MessagePage, MessageWindow, Page, PageCursor, Room, RoomId, RoomStatus,
    Timestamp, Username, VisitorId,
};
use crate::error::ChatError;

/// Creating and changing rooms.
#[async_trait]
pub trait RoomStore: Send + Sync {
    /// Stores a new room, and its first message (already reflected in `room`) if there is one,
    /// as one unit.
    async fn create_room(
        &self,
        room: &Room,
        first_message: Option<&Message>,
    ) -> Result<(), ChatError>;

    async fn get_room(&self, id: RoomId) -> Result<Option<Room>, ChatError>;

    /// Sets the status and records the activity. `None` when there is no such room.
    async fn set_room_status(
        &self,
        id: RoomId,
        status: RoomStatus,
        at: Timestamp,
    ) -> Result<Option<Room>, ChatError>;

    /// Resets the unread count. `None` when there is no such room.
    async fn mark_room_read(&self, id: RoomId) -> Result<Option<Room>, ChatError>;
}

/// Listing rooms, most recent activity first (then newest id first).
#[async_trait]
pub trait RoomLister: Send + Sync {
    async fn list_visitor_rooms(
        &self,
        visitor: VisitorId,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError>;

    /// All rooms, or those of one status.
    async fn list_rooms(
        &self,
        status: Option<RoomStatus>,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError>;
}

/// What appending a message did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Appended {
    /// Stored; the room as it is now.
    Stored(Room),
    /// The room already had a message with this `client_msg_id`: that one, unchanged.
    Duplicate(Message),
}

/// A room's messages.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Appends `message` to its room as one unit with the room's last message, activity and
    /// unread count. In this order: no such room, or (with `owner`) a room of another visitor,
    /// is `NotFound`; a `client_msg_id` already used in that room answers `Duplicate`; a closed
    /// room is `Conflict`. The checks and the write are one atomic step, so a send costs no
    /// read before it.
    async fn append_message(
        &self,
        message: &Message,
        owner: Option<VisitorId>,
    ) -> Result<Appended, ChatError>;

    async fn list_messages(
        &self,
        room: RoomId,
        window: MessageWindow,
        limit: Limit,
    ) -> Result<MessagePage<Message>, ChatError>;
}

/// Agents and their credentials.
#[async_trait]
pub trait AgentStore: Send + Sync {
    async fn find_agent(&self, username: &Username) -> Result<Option<Agent>, ChatError>;

    /// Stores the agent unless one with that username exists; tells whether it stored it.
    async fn insert_agent_if_absent(&self, agent: &Agent) -> Result<bool, ChatError>;
}

/// Everything the chat service stores.
pub trait Store: RoomStore + RoomLister + MessageStore + AgentStore {}
impl<T: RoomStore + RoomLister + MessageStore + AgentStore> Store for T {}

/// Time and ids. Ids come from the clock so that a message's id and its `created_at` agree.
pub trait Clock: Send + Sync {
    /// A fresh ULID, greater than every one this process issued before.
    fn next_id(&self) -> Ulid;

    fn now(&self) -> Timestamp;
}

/// An event of API.md's WebSocket section. Sent after the data is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// To the room's customer connections and every agent.
    Message { message: Message },
    /// To agents.
    RoomCreated { room: Room },
    /// To agents: close, reopen, mark_as_read.
    RoomUpdated { room: Room },
    /// To the room's customer connections.
    Read {
        room_id: RoomId,
        read_up_to: Option<crate::domain::MessageId>,
    },
}

/// Where events go out. Never fails the operation that produced the event: an implementation
/// logs what it could not deliver, and clients catch up with `get_messages?after=`.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn publish(&self, event: Event);
}
