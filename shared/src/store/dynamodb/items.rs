//! The single-table item layout (DESIGN.md) and the mapping of every record to and from its
//! items. Nothing outside this adapter sees an item.
//!
//! | record | PK | SK | GSI1PK / GSI1SK |
//! | --- | --- | --- | --- |
//! | room | `ROOM#<room>` | `ROOM` | `ROOMS#<status>` / `<activity ms, 15 digits>#<room>` |
//!
//! A room is also in GSI2, by assignee and status: `ASSIGNEE#<agent id|none>#<status>` /
//! the same activity key as GSI1's.
//!
//! | record | PK | SK | GSI1PK / GSI1SK |
//! | --- | --- | --- | --- |
//! | message | `ROOM#<room>` | `MSG#<ulid>` | |
//! | private note | `ROOM#<room>` | `NOTE#<ulid>` | |
//! | retry guard | `ROOM#<room>` | `CMID#<client_msg_id>` | |
//! | visitor's room | `VISITOR#<visitor>` | `ROOM#<room>` | |
//! | customer connection of a room | `ROOM#<room>` | `CONN#<connection>` | |
//! | agent connection | `AGENTS` | `CONN#<connection>` (with `agent`, its agent's id) | |
//! | connection | `CONN#<connection>` | `CONN` | |
//! | agent | `AGENT#<username>` | `AGENT` | `TEAM` / `<agent id>` |
//! | canned response | `CANNED` | `CANNED#<id>` | |
//! | a short code's holder | `CANNED_CODE#<short code>` | `CODE` (with `id`) | |
//! | attachment | `ROOM#<room>` | `ATT#<attachment>` (`expires_at` while unsent) | |

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use aws_sdk_dynamodb::types::AttributeValue;

use crate::domain::{
    Agent, AgentFlag, AgentId, Assignee, ClientMsgId, ConnectionId, CustomerEmail, CustomerName,
    DisplayName, Message, MessageContent, MessageId, Role, Room, RoomId, RoomStatus, SenderType,
    Subject, Timestamp, Username,
};
use crate::domain::{AgentIdentity, CannedResponse, CannedResponseId, ShortCode, VisitorIdentity};
use crate::domain::{Attachment, AttachmentFilename, AttachmentId, AttachmentSize, AttachmentType};
use crate::ports::{Connection, Party};

pub type Item = HashMap<String, AttributeValue>;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI2: &str = "GSI2";
pub const ROOM_SK: &str = "ROOM";
pub const AGENTS_PK: &str = "AGENTS";
pub const MESSAGE_PREFIX: &str = "MSG#";
pub const NOTE_PREFIX: &str = "NOTE#";
pub const CONNECTION_PREFIX: &str = "CONN#";
/// Greater than every Crockford base-32 character: the end of a `MSG#` or `NOTE#` range.
pub const AFTER_EVERY_ID: &str = "~";

/// A string attribute.
pub fn string_attr(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute (DynamoDB carries numbers as text).
pub fn number_attr(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn room_pk(room: RoomId) -> String {
    format!("ROOM#{room}")
}

pub fn message_sk(id: MessageId) -> String {
    format!("{MESSAGE_PREFIX}{id}")
}

pub fn note_sk(id: MessageId) -> String {
    format!("{NOTE_PREFIX}{id}")
}

pub fn guard_sk(client_msg_id: &ClientMsgId) -> String {
    format!("CMID#{client_msg_id}")
}

pub fn visitor_pk(visitor: crate::domain::VisitorId) -> String {
    format!("VISITOR#{visitor}")
}

pub fn visitor_room_sk(room: RoomId) -> String {
    format!("ROOM#{room}")
}

pub fn connection_pk(id: &ConnectionId) -> String {
    format!("{CONNECTION_PREFIX}{id}")
}

pub fn connection_sk(id: &ConnectionId) -> String {
    format!("{CONNECTION_PREFIX}{id}")
}

pub fn agent_pk(username: &Username) -> String {
    format!("AGENT#{username}")
}

pub fn status_partition(status: RoomStatus) -> String {
    format!("ROOMS#{}", status.as_str())
}

/// The GSI2 partition of the rooms of one assignee (or of none) in one status.
pub fn assignee_partition(status: RoomStatus, assignee: Option<AgentId>) -> String {
    let assignee = assignee.map_or_else(|| "none".to_owned(), |id| id.to_string());
    format!("ASSIGNEE#{assignee}#{}", status.as_str())
}

/// Sorts as the lists do: by activity, then by room id (fixed-width, so text order is time order).
pub fn activity_sk(at: Timestamp, room: RoomId) -> String {
    format!("{:015}#{room}", at.unix_millis())
}

pub fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([
        (PK.to_owned(), string_attr(pk)),
        (SK.to_owned(), string_attr(sk)),
    ])
}

/// The partition of a rate counter: one item per counter key and window.
pub fn rate_pk(key: &str) -> String {
    format!("RATE#{key}")
}

/// A rate counter's count and end (epoch seconds).
pub fn rate_counter_from(item: &Item) -> anyhow::Result<(u32, i64)> {
    let count = u32::try_from(number(item, "count")?)?;
    Ok((count, number(item, "expires_at")?))
}

/// TTL works in epoch seconds; an instant is stored rounded up to the next second.
pub fn ttl_seconds(at: Timestamp) -> i64 {
    (at.unix_millis() + 999).div_euclid(1000)
}

// Reading attributes.

fn text<'a>(item: &'a Item, name: &str) -> anyhow::Result<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(anyhow!("item attribute {name} is missing or not a string")),
    }
}

fn optional_text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

fn number(item: &Item, name: &str) -> anyhow::Result<i64> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value
            .parse()
            .with_context(|| format!("item attribute {name} is not an integer")),
        _ => Err(anyhow!("item attribute {name} is missing or not a number")),
    }
}

fn parsed<T, E: std::fmt::Debug>(
    item: &Item,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> anyhow::Result<T> {
    let raw = text(item, name)?;
    parse(raw).map_err(|e| anyhow!("item attribute {name} does not parse: {e:?}"))
}

fn millis(item: &Item, name: &str) -> anyhow::Result<Timestamp> {
    number(item, name).map(Timestamp::from_unix_millis)
}

// Messages: an item of their own, and a map inside rooms and retry guards.

pub fn message_attributes(message: &Message) -> Item {
    let mut item = HashMap::from([
        ("id".to_owned(), string_attr(message.id.to_string())),
        (
            "room_id".to_owned(),
            string_attr(message.room_id.to_string()),
        ),
        (
            "sender_type".to_owned(),
            string_attr(sender_type_name(message.sender_type)),
        ),
        (
            "sender_name".to_owned(),
            string_attr(message.sender_name.clone()),
        ),
        ("content".to_owned(), string_attr(message.content.as_str())),
        (
            "created_at".to_owned(),
            number_attr(message.created_at.unix_millis()),
        ),
    ]);
    if let Some(client_msg_id) = &message.client_msg_id {
        item.insert(
            "client_msg_id".to_owned(),
            string_attr(client_msg_id.as_str()),
        );
    }
    if message.private {
        item.insert("private".to_owned(), AttributeValue::Bool(true));
    }
    item
}

/// A message under `MSG#`, a note under `NOTE#`: a customer's page reads the first range only.
pub fn message_item(message: &Message) -> Item {
    let mut item = message_attributes(message);
    let sk = match message.private {
        true => note_sk(message.id),
        false => message_sk(message.id),
    };
    item.extend(key(room_pk(message.room_id), sk));
    item
}

/// The retry guard keeps a copy of its message, so a retry is answered without another read.
pub fn guard_item(message: &Message, client_msg_id: &ClientMsgId) -> Item {
    let mut item = key(room_pk(message.room_id), guard_sk(client_msg_id));
    item.insert(
        "message".to_owned(),
        AttributeValue::M(message_attributes(message)),
    );
    item
}

pub fn message_from(item: &Item) -> anyhow::Result<Message> {
    Ok(Message {
        id: parsed(item, "id", str::parse)?,
        room_id: parsed(item, "room_id", str::parse)?,
        sender_type: parsed(item, "sender_type", sender_type_from)?,
        sender_name: text(item, "sender_name")?.to_owned(),
        content: parsed(item, "content", MessageContent::parse)?,
        created_at: millis(item, "created_at")?,
        client_msg_id: optional_text(item, "client_msg_id")
            .map(ClientMsgId::parse)
            .transpose()
            .map_err(|e| anyhow!("client_msg_id does not parse: {e}"))?,
        private: matches!(item.get("private"), Some(AttributeValue::Bool(true))),
    })
}

pub fn nested_message(item: &Item, name: &str) -> anyhow::Result<Option<Message>> {
    match item.get(name) {
        Some(AttributeValue::M(map)) => message_from(map).map(Some),
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(_) => Err(anyhow!("item attribute {name} is not a map")),
    }
}

fn sender_type_name(sender: SenderType) -> &'static str {
    match sender {
        SenderType::Customer => "customer",
        SenderType::Agent => "agent",
        SenderType::System => "system",
    }
}

fn sender_type_from(raw: &str) -> Result<SenderType, String> {
    match raw {
        "customer" => Ok(SenderType::Customer),
        "agent" => Ok(SenderType::Agent),
        "system" => Ok(SenderType::System),
        other => Err(other.to_owned()),
    }
}

// Rooms.

pub fn room_item(room: &Room) -> Item {
    let mut item = key(room_pk(room.id), ROOM_SK);
    item.extend([
        (
            "GSI1PK".to_owned(),
            string_attr(status_partition(room.status)),
        ),
        (
            "GSI1SK".to_owned(),
            string_attr(activity_sk(room.updated_at, room.id)),
        ),
        (
            "GSI2PK".to_owned(),
            string_attr(assignee_partition(
                room.status,
                room.assignee.as_ref().map(|a| a.id),
            )),
        ),
        (
            "GSI2SK".to_owned(),
            string_attr(activity_sk(room.updated_at, room.id)),
        ),
        ("id".to_owned(), string_attr(room.id.to_string())),
        ("visitor".to_owned(), string_attr(room.visitor.to_string())),
        (
            "customer_name".to_owned(),
            string_attr(room.customer_name.as_str()),
        ),
        ("status".to_owned(), string_attr(room.status.as_str())),
        (
            "created_at".to_owned(),
            number_attr(room.created_at.unix_millis()),
        ),
        (
            "updated_at".to_owned(),
            number_attr(room.updated_at.unix_millis()),
        ),
        (
            "unread_count".to_owned(),
            number_attr(i64::from(room.unread_count)),
        ),
    ]);
    if let Some(email) = &room.customer_email {
        item.insert("customer_email".to_owned(), string_attr(email.as_str()));
    }
    if let Some(subject) = &room.subject {
        item.insert("subject".to_owned(), string_attr(subject.as_str()));
    }
    for (name, message) in [
        ("last_message", &room.last_message),
        ("last_note", &room.last_note),
    ] {
        if let Some(message) = message {
            item.insert(
                name.to_owned(),
                AttributeValue::M(message_attributes(message)),
            );
        }
    }
    if let Some(assignee) = &room.assignee {
        item.insert("assignee".to_owned(), assignee_attribute(assignee));
    }
    item
}

/// A room's assignee, as a map inside the room's item.
pub fn assignee_attribute(assignee: &Assignee) -> AttributeValue {
    AttributeValue::M(HashMap::from([
        ("id".to_owned(), string_attr(assignee.id.to_string())),
        (
            "username".to_owned(),
            string_attr(assignee.username.as_str()),
        ),
        (
            "display_name".to_owned(),
            string_attr(assignee.display_name.as_str()),
        ),
    ]))
}

fn assignee_from(item: &Item) -> anyhow::Result<Option<Assignee>> {
    match item.get("assignee") {
        Some(AttributeValue::M(map)) => Ok(Some(Assignee {
            id: parsed(map, "id", str::parse)?,
            username: parsed(map, "username", Username::parse)?,
            display_name: parsed(map, "display_name", DisplayName::parse)?,
        })),
        None | Some(AttributeValue::Null(_)) => Ok(None),
        Some(_) => Err(anyhow!("item attribute assignee is not a map")),
    }
}

pub fn room_from(item: &Item) -> anyhow::Result<Room> {
    Ok(Room {
        id: parsed(item, "id", str::parse)?,
        visitor: parsed(item, "visitor", str::parse)?,
        customer_name: parsed(item, "customer_name", CustomerName::parse)?,
        customer_email: optional_text(item, "customer_email")
            .map(CustomerEmail::parse)
            .transpose()
            .map_err(|e| anyhow!("customer_email does not parse: {e}"))?,
        subject: optional_text(item, "subject")
            .map(Subject::parse)
            .transpose()
            .map_err(|e| anyhow!("subject does not parse: {e}"))?
            .flatten(),
        status: parsed(item, "status", status_from)?,
        created_at: millis(item, "created_at")?,
        updated_at: millis(item, "updated_at")?,
        last_message: nested_message(item, "last_message")?,
        last_note: nested_message(item, "last_note")?,
        unread_count: u32::try_from(number(item, "unread_count")?).unwrap_or(0),
        assignee: assignee_from(item)?,
    })
}

pub fn status_from(raw: &str) -> Result<RoomStatus, String> {
    match raw {
        "open" => Ok(RoomStatus::Open),
        "closed" => Ok(RoomStatus::Closed),
        other => Err(other.to_owned()),
    }
}

// Agents.

/// The GSI1 partition that lists the team: one Query lists it, or finds an agent by id.
pub const TEAM_PARTITION: &str = "TEAM";

pub fn agent_item(agent: &Agent) -> Item {
    let mut item = key(agent_pk(&agent.username), "AGENT");
    item.extend([
        ("GSI1PK".to_owned(), string_attr(TEAM_PARTITION)),
        ("GSI1SK".to_owned(), string_attr(agent.id.to_string())),
        (
            flag_attribute(AgentFlag::Active).to_owned(),
            AttributeValue::Bool(agent.active),
        ),
        (
            flag_attribute(AgentFlag::Away).to_owned(),
            AttributeValue::Bool(agent.away),
        ),
        ("id".to_owned(), string_attr(agent.id.to_string())),
        ("username".to_owned(), string_attr(agent.username.as_str())),
        (
            "display_name".to_owned(),
            string_attr(agent.display_name.as_str()),
        ),
        ("role".to_owned(), string_attr(role_name(agent.role))),
        (
            "password_hash".to_owned(),
            string_attr(agent.password_hash.clone()),
        ),
        (
            OPEN_ROOMS.to_owned(),
            number_attr(i64::from(agent.open_rooms)),
        ),
        (
            PASSWORD_GENERATION.to_owned(),
            number_attr(i64::from(agent.password_generation)),
        ),
    ]);
    if let Some(at) = agent.last_assigned_at {
        item.insert(LAST_ASSIGNED_AT.to_owned(), number_attr(at.unix_millis()));
    }
    item
}

/// The attribute of an agent's item that counts its password changes.
pub const PASSWORD_GENERATION: &str = "password_generation";
/// The attribute of an agent's item that counts its open rooms.
pub const OPEN_ROOMS: &str = "open_rooms";
/// The attribute of an agent's item that holds its last assignment (epoch milliseconds).
pub const LAST_ASSIGNED_AT: &str = "last_assigned_at";

pub fn agent_from(item: &Item) -> anyhow::Result<Agent> {
    Ok(Agent {
        id: parsed(item, "id", str::parse)?,
        username: parsed(item, "username", Username::parse)?,
        display_name: parsed(item, "display_name", DisplayName::parse)?,
        role: parsed(item, "role", role_from)?,
        // Agents stored before deactivation existed are active.
        active: !matches!(item.get("active"), Some(AttributeValue::Bool(false))),
        away: matches!(item.get("away"), Some(AttributeValue::Bool(true))),
        // Agents stored before assignment existed have none.
        open_rooms: match item.get(OPEN_ROOMS) {
            Some(_) => u32::try_from(number(item, OPEN_ROOMS)?.max(0))?,
            None => 0,
        },
        last_assigned_at: match item.get(LAST_ASSIGNED_AT) {
            Some(_) => Some(millis(item, LAST_ASSIGNED_AT)?),
            None => None,
        },
        password_hash: text(item, "password_hash")?.to_owned(),
        password_generation: match item.get(PASSWORD_GENERATION) {
            Some(_) => u32::try_from(number(item, PASSWORD_GENERATION)?)?,
            None => 0,
        },
    })
}

/// The attribute of an agent's item that holds `flag`.
pub fn flag_attribute(flag: AgentFlag) -> &'static str {
    match flag {
        AgentFlag::Active => "active",
        AgentFlag::Away => "away",
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        Role::Admin => "admin",
    }
}

fn role_from(raw: &str) -> Result<Role, String> {
    match raw {
        "agent" => Ok(Role::Agent),
        "admin" => Ok(Role::Admin),
        other => Err(other.to_owned()),
    }
}

// Connections: the record, and its entry in the room's or the agents' partition.

pub fn connection_item(connection: &Connection) -> Item {
    let mut item = key(connection_pk(&connection.id), "CONN");
    item.extend([
        ("id".to_owned(), string_attr(connection.id.as_str())),
        (
            "connected_at".to_owned(),
            number_attr(connection.connected_at.unix_millis()),
        ),
        (
            "expires_at".to_owned(),
            number_attr(ttl_seconds(connection.expires_at)),
        ),
    ]);
    match &connection.party {
        Party::Customer { visitor, room } => item.extend([
            ("party".to_owned(), string_attr("customer")),
            ("visitor".to_owned(), string_attr(visitor.id.to_string())),
            ("name".to_owned(), string_attr(visitor.name.as_str())),
            ("room".to_owned(), string_attr(room.to_string())),
        ]),
        Party::Agent(agent) => item.extend([
            ("party".to_owned(), string_attr("agent")),
            ("agent".to_owned(), string_attr(agent.id.to_string())),
            ("username".to_owned(), string_attr(agent.username.as_str())),
            ("name".to_owned(), string_attr(agent.display_name.as_str())),
            ("role".to_owned(), string_attr(role_name(agent.role))),
        ]),
    }
    item
}

/// Where a connection is listed for fan-out: its room's partition, or the agents'.
pub fn connection_entry_key(connection: &ConnectionId, party: &Party) -> Item {
    let pk = match party {
        Party::Customer { room, .. } => room_pk(*room),
        Party::Agent(_) => AGENTS_PK.to_owned(),
    };
    key(pk, connection_sk(connection))
}

pub fn connection_entry(connection: &Connection) -> Item {
    let mut item = connection_entry_key(&connection.id, &connection.party);
    item.insert(
        "expires_at".to_owned(),
        number_attr(ttl_seconds(connection.expires_at)),
    );
    // Whose it is, so one Query of the agents' entries tells who is connected.
    if let Party::Agent(agent) = &connection.party {
        item.insert("agent".to_owned(), string_attr(agent.id.to_string()));
    }
    item
}

pub fn connection_from(item: &Item) -> anyhow::Result<Connection> {
    let party = match text(item, "party")? {
        "customer" => Party::Customer {
            visitor: VisitorIdentity {
                id: parsed(item, "visitor", str::parse)?,
                name: parsed(item, "name", CustomerName::parse)?,
            },
            room: parsed(item, "room", str::parse)?,
        },
        "agent" => Party::Agent(AgentIdentity {
            id: parsed(item, "agent", str::parse)?,
            username: parsed(item, "username", Username::parse)?,
            display_name: parsed(item, "name", DisplayName::parse)?,
            role: parsed(item, "role", role_from)?,
        }),
        other => return Err(anyhow!("unknown connection party {other}")),
    };
    Ok(Connection {
        id: parsed(item, "id", ConnectionId::parse)?,
        party,
        connected_at: millis(item, "connected_at")?,
        expires_at: Timestamp::from_unix_millis(number(item, "expires_at")? * 1000),
    })
}

/// The agent of an agent connection's entry, if the entry names it.
pub fn agent_of_entry(entry: &Item) -> Option<anyhow::Result<AgentId>> {
    entry
        .contains_key("agent")
        .then(|| parsed(entry, "agent", str::parse))
}

/// The connection id of a `CONN#<id>` sort key.
pub fn connection_id_of(item: &Item) -> anyhow::Result<ConnectionId> {
    let sk = text(item, SK)?;
    let raw = sk
        .strip_prefix(CONNECTION_PREFIX)
        .ok_or_else(|| anyhow!("{sk} is not a connection entry"))?;
    ConnectionId::parse(raw).map_err(|e| anyhow!("connection id does not parse: {e}"))
}

// Canned responses: one partition of them, and one item per short code naming its holder, so
// a code is unique by a conditional put.

pub const CANNED_PK: &str = "CANNED";
pub const CANNED_PREFIX: &str = "CANNED#";
pub const CODE_SK: &str = "CODE";

pub fn canned_key(id: CannedResponseId) -> Item {
    key(CANNED_PK.to_owned(), format!("{CANNED_PREFIX}{id}"))
}

pub fn code_key(code: &ShortCode) -> Item {
    key(format!("CANNED_CODE#{code}"), CODE_SK)
}

pub fn canned_item(response: &CannedResponse) -> Item {
    let mut item = canned_key(response.id);
    item.extend([
        ("id".to_owned(), string_attr(response.id.to_string())),
        (
            "short_code".to_owned(),
            string_attr(response.short_code.as_str()),
        ),
        ("content".to_owned(), string_attr(response.content.as_str())),
        (
            "created_at".to_owned(),
            number_attr(response.created_at.unix_millis()),
        ),
        (
            "updated_at".to_owned(),
            number_attr(response.updated_at.unix_millis()),
        ),
    ]);
    item
}

pub fn code_item(response: &CannedResponse) -> Item {
    let mut item = code_key(&response.short_code);
    item.insert("id".to_owned(), string_attr(response.id.to_string()));
    item
}

pub fn canned_from(item: &Item) -> anyhow::Result<CannedResponse> {
    Ok(CannedResponse {
        id: parsed(item, "id", str::parse)?,
        short_code: parsed(item, "short_code", ShortCode::parse)?,
        content: parsed(item, "content", MessageContent::parse)?,
        created_at: millis(item, "created_at")?,
        updated_at: millis(item, "updated_at")?,
    })
}

// Attachments: each a record under its room, carrying DynamoDB's TTL (`expires_at`) while it
// is unsent.

pub fn attachment_key(room: RoomId, id: AttachmentId) -> Item {
    key(room_pk(room), format!("ATT#{id}"))
}

pub fn attachment_item(attachment: &Attachment) -> Item {
    let mut item = attachment_key(attachment.room_id, attachment.id);
    item.extend([
        ("id".to_owned(), string_attr(attachment.id.to_string())),
        (
            "room_id".to_owned(),
            string_attr(attachment.room_id.to_string()),
        ),
        (
            "filename".to_owned(),
            string_attr(attachment.filename.as_str()),
        ),
        (
            "content_type".to_owned(),
            string_attr(attachment.content_type.as_str()),
        ),
        (
            "size".to_owned(),
            AttributeValue::N(attachment.size.bytes().to_string()),
        ),
        (
            "uploaded_by".to_owned(),
            string_attr(sender_type_name(attachment.uploaded_by)),
        ),
        (
            "created_at".to_owned(),
            number_attr(attachment.created_at.unix_millis()),
        ),
    ]);
    match attachment.message_id {
        Some(message) => {
            item.insert("message_id".to_owned(), string_attr(message.to_string()));
        }
        None => {
            let until = ttl_seconds(attachment.unsent_until());
            item.insert("expires_at".to_owned(), number_attr(until));
        }
    }
    item
}

pub fn attachment_from(item: &Item) -> anyhow::Result<Attachment> {
    let size = number(item, "size")?;
    Ok(Attachment {
        id: parsed(item, "id", str::parse)?,
        room_id: parsed(item, "room_id", str::parse)?,
        filename: parsed(item, "filename", AttachmentFilename::parse)?,
        content_type: AttachmentType::stored(text(item, "content_type")?.to_owned()),
        size: AttachmentSize::stored(u64::try_from(size).context("a negative size")?),
        uploaded_by: parsed(item, "uploaded_by", sender_type_from)?,
        created_at: millis(item, "created_at")?,
        message_id: optional_text(item, "message_id")
            .map(str::parse)
            .transpose()
            .map_err(|e| anyhow!("item attribute message_id does not parse: {e:?}"))?,
    })
}
