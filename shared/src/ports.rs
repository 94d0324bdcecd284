//! What the service needs from the outside world, split by capability so an adapter (or a test
//! double) implements only what it is asked for.

use async_trait::async_trait;
use ulid::Ulid;

use crate::domain::{
    Agent, AgentFlag, AgentId, Availability, ConnectionId, DisplayName, Limit, Message, MessageId,
    MessagePage, MessageWindow, Page, PageCursor, Room, RoomChange, RoomId, RoomStatus, SenderType,
    Timestamp, Username, VisitorId,
};
use crate::domain::{AgentIdentity, CannedResponse, CannedResponseId, Reader, VisitorIdentity};
use crate::domain::{Attachment, AttachmentId};
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

    /// Applies `change` to the room, and its tally to the agents' counts of open rooms, as one
    /// atomic step, if the room meets the change's expectations and the agent taking the room
    /// may (`Taken::allowed`); changes nothing otherwise.
    async fn change_room(&self, id: RoomId, change: &RoomChange) -> Result<RoomWrite, ChatError>;
}

/// What `change_room` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoomWrite {
    /// The room after the change.
    Changed(Room),
    /// The room exists (and is the expected visitor's) but is not in the expected status:
    /// unchanged.
    OtherStatus(Room),
    /// The room has another assignee than expected: unchanged.
    OtherAssignee(Room),
    /// The agent taking the room is deactivated or at its cap: unchanged.
    TakerRefused,
    /// No such room, or another visitor's.
    Missing,
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

    /// All rooms, or those of one status, of one assignee, or both.
    async fn list_rooms(
        &self,
        filter: RoomFilter,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError>;
}

/// Which rooms an admin list holds: `None` for any.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoomFilter {
    pub status: Option<RoomStatus>,
    /// `Some(None)`: the unassigned rooms.
    pub assignee: Option<Option<AgentId>>,
}

impl RoomFilter {
    pub fn admits(&self, room: &Room) -> bool {
        self.status.is_none_or(|status| status == room.status)
            && self
                .assignee
                .is_none_or(|assignee| assignee == room.assignee.as_ref().map(|a| a.id))
    }
}

/// What appending a message did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Appended {
    /// Stored, with the room's update.
    Stored,
    /// The room already had a message with this `client_msg_id`: that one, unchanged.
    Duplicate(Message),
}

/// A rate-limit count that a write makes as part of itself: counted only if the write is
/// stored, and the write refused (429, `retry_after_secs`) if `max` were counted already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charge {
    pub key: String,
    pub max: u32,
    pub expires_at: Timestamp,
    pub retry_after_secs: u64,
}

/// A room's messages.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores `message` and applies `room` (its change: `RoomChange::message_sent`) as one
    /// atomic step, counting each of `charges` in it, so a send costs no read before it. In
    /// this order: a room that is `Missing` for the change is `NotFound`; a `client_msg_id`
    /// already used in that room answers `Duplicate`; a room in another status than expected
    /// is `room_closed`; a charge at its max is `RateLimited` (`retry_after_secs`).
    async fn append(
        &self,
        message: &Message,
        room: &RoomChange,
        charges: &[Charge],
    ) -> Result<Appended, ChatError>;

    /// A page of the messages `reader` may see: up to `limit` of them, however many notes
    /// sit between them for a customer, with `next` as API.md's `get_messages` says.
    async fn list_messages(
        &self,
        room: RoomId,
        window: MessageWindow,
        limit: Limit,
        reader: Reader,
    ) -> Result<MessagePage<Message>, ChatError>;
}

/// Agents and their credentials.
#[async_trait]
pub trait AgentStore: Send + Sync {
    async fn find_agent(&self, username: &Username) -> Result<Option<Agent>, ChatError>;

    /// Stores the agent unless one with that username exists; tells whether it stored it.
    async fn insert_agent_if_absent(&self, agent: &Agent) -> Result<bool, ChatError>;

    /// Every agent, in no order (a team is small: one read).
    async fn list_agents(&self) -> Result<Vec<Agent>, ChatError>;

    async fn find_agent_by_id(&self, id: AgentId) -> Result<Option<Agent>, ChatError>;

    /// Replaces `agent`'s password hash and counts one more password generation, as long as
    /// that record is still this agent's; the agent after, or `None` when there is no such
    /// record.
    async fn set_password(
        &self,
        agent: &Agent,
        password_hash: String,
    ) -> Result<Option<Agent>, ChatError>;

    /// Sets one flag of `agent`'s record, as long as that record is still this agent's; the
    /// agent after, or `None` when there is no such record.
    async fn set_agent_flag(
        &self,
        agent: &Agent,
        flag: AgentFlag,
        value: bool,
    ) -> Result<Option<Agent>, ChatError>;
}

/// Who holds a WebSocket connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Party {
    /// A visitor, on one room of theirs.
    Customer {
        visitor: VisitorIdentity,
        room: RoomId,
    },
    /// An agent: every room's events.
    Agent(AgentIdentity),
}

/// A live WebSocket connection, recorded at `$connect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub id: ConnectionId,
    pub party: Party,
    pub connected_at: Timestamp,
    /// `$disconnect` is best effort: a connection past this instant is gone whatever the store
    /// still holds (API Gateway closes every connection after 2 hours).
    pub expires_at: Timestamp,
}

/// WebSocket connections. Reads never return a connection whose `expires_at` has passed.
#[async_trait]
pub trait ConnectionStore: Send + Sync {
    async fn add_connection(&self, connection: &Connection) -> Result<(), ChatError>;

    async fn get_connection(
        &self,
        id: &ConnectionId,
        now: Timestamp,
    ) -> Result<Option<Connection>, ChatError>;

    /// Forgets the connection; forgetting an unknown one is not an error. Answers the record
    /// it forgot (expired or not), for what the connection's end means (an agent offline).
    async fn remove_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, ChatError>;

    /// The customer connections opened on a room.
    async fn room_connections(
        &self,
        room: RoomId,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, ChatError>;

    /// Every agent connection.
    async fn agent_connections(&self, now: Timestamp) -> Result<Vec<ConnectionId>, ChatError>;

    /// Every agent connection, with its agent's id (for who is online, and for closing one
    /// agent's connections).
    async fn agent_connections_by_agent(
        &self,
        now: Timestamp,
    ) -> Result<Vec<(AgentId, ConnectionId)>, ChatError>;

    /// The agent connections whose record expired at `now` but is still stored (its
    /// `$disconnect` never came, and TTL deletion lags): the only read that sees them.
    async fn expired_agent_connections(
        &self,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, ChatError>;
}

/// What a write of a canned response came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CannedWrite {
    Written,
    /// Another response has the short code.
    CodeTaken,
    /// The response is gone, or was changed since it was read.
    Changed,
}

/// Canned responses, each short code held by one response at most.
#[async_trait]
pub trait CannedStore: Send + Sync {
    /// Stores a new response unless its short code is taken.
    async fn insert_canned(&self, response: &CannedResponse) -> Result<CannedWrite, ChatError>;

    /// Every response (a team's few hundred at most: one partition).
    async fn list_canned(&self) -> Result<Vec<CannedResponse>, ChatError>;

    async fn get_canned(&self, id: CannedResponseId) -> Result<Option<CannedResponse>, ChatError>;

    /// Replaces `old`, as it was read, with `new` (the same id), moving the short code if it
    /// changed.
    async fn replace_canned(
        &self,
        old: &CannedResponse,
        new: &CannedResponse,
    ) -> Result<CannedWrite, ChatError>;

    /// Deletes `response`, as it was read, and frees its short code.
    async fn delete_canned(&self, response: &CannedResponse) -> Result<CannedWrite, ChatError>;
}

/// Rate-limit counters: one per subject and window (`crate::rate`), gone when the window ends.
#[async_trait]
pub trait RateCounters: Send + Sync {
    /// Counts one more for `key` unless `max` were counted already, as one atomic step; tells
    /// whether it counted. The counter lives until `expires_at`.
    async fn count_up_to(
        &self,
        key: &str,
        max: u32,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<bool, ChatError>;

    /// How many were counted for `key` (0 once it expired).
    async fn counted(&self, key: &str, now: Timestamp) -> Result<u32, ChatError>;
}

/// Whether the store answers, for a health check: one read of the cheapest kind.
#[async_trait]
pub trait StoreHealth: Send + Sync {
    async fn answers(&self) -> Result<(), ChatError>;
}

/// The records of uploads (API.md "Attachments"), each under its room.
#[async_trait]
pub trait AttachmentStore: Send + Sync {
    /// Stores a new upload slot's record, to expire at `unsent_until` unless it is sent.
    async fn insert_attachment(&self, attachment: &Attachment) -> Result<(), ChatError>;

    async fn get_attachment(
        &self,
        room: RoomId,
        id: AttachmentId,
    ) -> Result<Option<Attachment>, ChatError>;
}

/// Everything the chat service stores.
pub trait Store:
    RoomStore
    + RoomLister
    + MessageStore
    + AgentStore
    + ConnectionStore
    + CannedStore
    + AttachmentStore
    + RateCounters
    + StoreHealth
{
}
impl<T> Store for T where
    T: RoomStore
        + RoomLister
        + MessageStore
        + AgentStore
        + ConnectionStore
        + CannedStore
        + AttachmentStore
        + RateCounters
        + StoreHealth
{
}

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
        read_up_to: Option<MessageId>,
    },
    /// To agents: an agent's availability changed (connect, last disconnect, set away or
    /// online).
    Presence {
        agent: AgentId,
        display_name: DisplayName,
        availability: Availability,
        /// A connection still in its `$connect`: left out, as API Gateway answers 410 for a
        /// push to it (and a 410 makes the fan-out forget the connection).
        connecting: Option<ConnectionId>,
    },
    /// A customer's to the agents, an agent's to the room's customer connections; never to
    /// the connection it came from.
    Typing {
        room_id: RoomId,
        sender_type: SenderType,
        is_typing: bool,
        from: ConnectionId,
    },
}

/// Where events go out, and where connections are ended. Never fails the operation that
/// produced the event: an implementation logs what it could not deliver, and clients catch up
/// with `get_messages?after=`.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers the event; the connections found gone on the way (410), forgotten already,
    /// as they were recorded: the service treats each as its `$disconnect`.
    async fn publish(&self, event: Event) -> Vec<Connection>;

    /// Closes these connections (a deactivated agent's, expired ones) and forgets them;
    /// answers the records it forgot.
    async fn close(&self, connections: Vec<ConnectionId>) -> Vec<Connection>;
}

/// Why a push did not arrive.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The connection is gone (API Gateway's 410 GoneException): forget it.
    #[error("connection is gone")]
    Gone,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

/// Sends bytes to one WebSocket connection, as API Gateway's `PostToConnection` does, and
/// ends one, as its `DeleteConnection` does.
#[async_trait]
pub trait Pusher: Send + Sync {
    async fn push(&self, connection: &ConnectionId, payload: &[u8]) -> Result<(), PushError>;

    /// Closes the connection; one already gone is `Gone`.
    async fn close(&self, connection: &ConnectionId) -> Result<(), PushError>;
}

/// A request a client makes itself, signed by the object store's credentials: the store
/// checks it, so what was signed (a size, a type, a key) is all it can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedRequest {
    pub method: &'static str,
    pub url: String,
    /// Headers the client must send as they are (they were signed).
    pub headers: Vec<(String, String)>,
    pub expires_at: Timestamp,
}

/// Where attachments' bytes live (S3, or local-dev's S3-compatible endpoint). The bytes never
/// pass through the service: it presigns requests for the clients.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// A PUT of exactly `attachment.size` bytes of its type to its key, valid until
    /// `expires_at`, storing the object with the attachment's `Content-Disposition` (which
    /// reads of it are then served with).
    async fn presign_upload(
        &self,
        attachment: &Attachment,
        expires_at: Timestamp,
    ) -> Result<PresignedRequest, ChatError>;

    /// A GET of the attachment's object, valid until `expires_at`.
    async fn presign_download(
        &self,
        attachment: &Attachment,
        signed_at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<String, ChatError>;
}
