use serde::Serialize;

use super::{
    AgentId, ClientMsgId, CustomerEmail, CustomerName, DisplayName, MessageContent, MessageId,
    RoomId, Subject, Timestamp, Username, VisitorId,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomStatus {
    Open,
    Closed,
}

impl RoomStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SenderType {
    Customer,
    Agent,
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, crate::ChatError> {
        match raw {
            "agent" => Ok(Self::Agent),
            "admin" => Ok(Self::Admin),
            _ => Err(crate::ChatError::validation(
                "role",
                "role must be agent or admin",
            )),
        }
    }
}

/// Whether an agent can be reached now (API.md): `online` with a connection open and not set
/// away, `away` connected but set away, `offline` without a connection (or deactivated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Online,
    Away,
    Offline,
}

impl Availability {
    /// The one rule: what an agent's flags and connections make it.
    pub fn of(agent: &Agent, connected: bool) -> Self {
        match (agent.active && connected, agent.away) {
            (false, _) => Self::Offline,
            (true, true) => Self::Away,
            (true, false) => Self::Online,
        }
    }
}

/// What an agent may set itself to (`set_availability`): `offline` follows its sockets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChosenAvailability {
    Online,
    Away,
}

impl ChosenAvailability {
    pub fn parse(raw: &str) -> Result<Self, crate::ChatError> {
        match raw {
            "online" => Ok(Self::Online),
            "away" => Ok(Self::Away),
            _ => Err(crate::ChatError::validation(
                "availability",
                "availability must be online or away",
            )),
        }
    }
}

/// A flag of an agent's record that the team or the agent itself sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentFlag {
    /// Whether it may sign in, refresh and connect.
    Active,
    /// Whether it set itself away (shared by all its connections).
    Away,
}

/// A chat room as stored. `visitor` is never shown to anyone; `unread_count` only to agents
/// (see `views`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Room {
    pub id: RoomId,
    pub visitor: VisitorId,
    pub customer_name: CustomerName,
    pub customer_email: Option<CustomerEmail>,
    pub subject: Option<Subject>,
    pub status: RoomStatus,
    pub created_at: Timestamp,
    /// The last activity: creation, every message, close and reopen. Lists sort by it.
    pub updated_at: Timestamp,
    /// The newest message the customer may see (never a note).
    pub last_message: Option<Message>,
    /// The newest private note, while it is newer than `last_message` (a message the
    /// customer sees clears it): what agents see as the last message.
    pub last_note: Option<Message>,
    /// Customer messages no agent has marked read yet.
    pub unread_count: u32,
    /// Who handles the room; a closed room keeps its assignee for the record.
    pub assignee: Option<Assignee>,
}

impl Room {
    /// The newest message `reader` may see: a note only for agents.
    pub fn last_message_for(&self, reader: Reader) -> Option<&Message> {
        let public = self.last_message.as_ref();
        match (reader, &self.last_note) {
            (Reader::Agent, Some(note)) if public.is_none_or(|m| m.id < note.id) => Some(note),
            _ => public,
        }
    }
}

/// The agent a room is assigned to, as the room keeps it: its id and display name to show,
/// and its username, the key of the agent's record (whose count of open rooms an assignment
/// changes in the same write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignee {
    pub id: AgentId,
    pub username: Username,
    pub display_name: DisplayName,
}

impl Assignee {
    pub fn of(agent: &Agent) -> Self {
        Self {
            id: agent.id,
            username: agent.username.clone(),
            display_name: agent.display_name.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: MessageId,
    pub room_id: RoomId,
    pub sender_type: SenderType,
    pub sender_name: String,
    pub content: MessageContent,
    pub created_at: Timestamp,
    pub client_msg_id: Option<ClientMsgId>,
    /// An agent's private note: agents only ever see it.
    pub private: bool,
}

/// Who reads a room's messages: a customer never sees a private note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Customer,
    Agent,
}

impl Reader {
    pub fn sees(self, message: &Message) -> bool {
        self == Reader::Agent || !message.private
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    pub id: AgentId,
    pub username: Username,
    pub display_name: DisplayName,
    pub role: Role,
    /// A deactivated agent cannot sign in, refresh or connect; its record stays, for the
    /// messages it signed.
    pub active: bool,
    /// Set away by the agent; cleared when it connects from `offline`.
    pub away: bool,
    /// The open rooms assigned to it, kept by the writes that assign, close and reopen rooms.
    pub open_rooms: u32,
    /// When a room was last assigned to it (auto-assignment's tie-break).
    pub last_assigned_at: Option<Timestamp>,
    /// An argon2 PHC string; never leaves the service.
    pub password_hash: String,
    /// How many times its password changed. Refresh tokens carry it: one issued before the
    /// last change is refused.
    pub password_generation: u32,
}

impl Agent {
    /// A new agent: active, not away, with no rooms yet.
    pub fn new(
        id: AgentId,
        username: Username,
        display_name: DisplayName,
        role: Role,
        password_hash: String,
    ) -> Self {
        Self {
            id,
            username,
            display_name,
            role,
            active: true,
            away: false,
            open_rooms: 0,
            last_assigned_at: None,
            password_hash,
            password_generation: 0,
        }
    }
}
