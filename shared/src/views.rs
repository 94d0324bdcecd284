//! The JSON shapes of API.md, for REST responses and WebSocket events alike.

use serde::Serialize;
use serde_json::{Value, json};

use crate::ChatError;
use crate::domain::{
    AgentId, CannedResponse, ConnectionId, CustomerEmail, CustomerName, DisplayName, Message,
    MessageId, MessagePage, Page, Reader, Room, RoomId, RoomStatus, Subject, Timestamp,
};
use crate::ports::Event;
use crate::service::UploadSlot;

/// A room as its viewer may see it: the visitor id never, the unread count, the assignee and
/// a note as the last message for agents only.
#[derive(Serialize)]
pub struct RoomView<'a> {
    id: RoomId,
    customer_name: &'a CustomerName,
    customer_email: Option<&'a CustomerEmail>,
    subject: Option<&'a Subject>,
    status: RoomStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
    last_message: Option<MessageView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unread_count: Option<u32>,
    /// Agents only: `Some(None)` is shown as null.
    #[serde(skip_serializing_if = "Option::is_none")]
    assignee: Option<Option<AssigneeView<'a>>>,
}

/// A room's assignee as agents see it: its id and name (never its username).
#[derive(Serialize)]
struct AssigneeView<'a> {
    id: AgentId,
    display_name: &'a DisplayName,
}

impl<'a> RoomView<'a> {
    pub fn new(room: &'a Room, viewer: Reader) -> Self {
        Self {
            id: room.id,
            customer_name: &room.customer_name,
            customer_email: room.customer_email.as_ref(),
            subject: room.subject.as_ref(),
            status: room.status,
            created_at: room.created_at,
            updated_at: room.updated_at,
            last_message: room.last_message_for(viewer).map(MessageView::new),
            unread_count: (viewer == Reader::Agent).then_some(room.unread_count),
            assignee: (viewer == Reader::Agent).then(|| {
                room.assignee.as_ref().map(|assignee| AssigneeView {
                    id: assignee.id,
                    display_name: &assignee.display_name,
                })
            }),
        }
    }
}

pub fn room(room: &Room, viewer: Reader) -> Value {
    json!(RoomView::new(room, viewer))
}

pub fn rooms(page: &Page<Room>, viewer: Reader) -> Value {
    let rooms: Vec<_> = page
        .items
        .iter()
        .map(|r| RoomView::new(r, viewer))
        .collect();
    json!({ "rooms": rooms, "next": page.next.as_ref().map(|c| c.as_str()) })
}

/// A message as API.md writes it. It has no attachments yet (that is the attachments issue's):
/// the list every Message carries is empty.
#[derive(Serialize)]
struct MessageView<'a> {
    #[serde(flatten)]
    message: &'a Message,
    attachments: [(); 0],
}

impl<'a> MessageView<'a> {
    fn new(message: &'a Message) -> Self {
        Self {
            message,
            attachments: [],
        }
    }
}

pub fn message(message: &Message) -> Value {
    json!(MessageView::new(message))
}

pub fn messages(page: &MessagePage<Message>) -> Value {
    let messages: Vec<Value> = page.messages.iter().map(message).collect();
    json!({ "messages": messages, "next": page.next })
}

pub fn canned_response(response: &CannedResponse) -> Value {
    json!(response)
}

pub fn canned_responses(responses: &[CannedResponse]) -> Value {
    json!({ "canned_responses": responses })
}

/// `POST .../attachments/`'s answer: the attachment (no `url` yet: nothing is uploaded) and
/// the request that uploads it.
pub fn upload_slot(slot: &UploadSlot) -> Value {
    let attachment = &slot.attachment;
    let headers: serde_json::Map<String, Value> = slot
        .upload
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
        .collect();
    json!({
        "attachment": {
            "id": attachment.id,
            "filename": attachment.filename,
            "content_type": attachment.content_type.as_str(),
            "size": attachment.size.bytes(),
        },
        "upload": {
            "method": slot.upload.method,
            "url": slot.upload.url,
            "headers": headers,
            "expires_at": slot.upload.expires_at,
        },
    })
}

pub fn marked_read(read_up_to: Option<MessageId>) -> Value {
    json!({ "unread_count": 0, "read_up_to": read_up_to })
}

/// The WebSocket frame of an event.
pub fn event(event: &Event) -> Value {
    match event {
        Event::Message { message } => {
            json!({ "type": "message", "room_id": message.room_id, "message": self::message(message) })
        }
        Event::RoomCreated { room } => {
            json!({ "type": "room_created", "room": RoomView::new(room, Reader::Agent) })
        }
        Event::RoomUpdated { room } => {
            json!({ "type": "room_updated", "room": RoomView::new(room, Reader::Agent) })
        }
        Event::Presence {
            agent,
            display_name,
            availability,
            ..
        } => json!({
            "type": "presence",
            "agent": { "id": agent, "display_name": display_name, "availability": availability },
        }),
        Event::Read {
            room_id,
            read_up_to,
        } => json!({ "type": "read", "room_id": room_id, "read_up_to": read_up_to }),
        Event::Typing {
            room_id,
            sender_type,
            is_typing,
            ..
        } => json!({
            "type": "typing", "room_id": room_id,
            "sender_type": sender_type, "is_typing": is_typing,
        }),
    }
}

/// The answer to a `ping` frame.
pub fn pong(connection: &ConnectionId) -> Value {
    json!({ "type": "pong", "connection_id": connection })
}

/// The answer to a bad frame: API.md's error object, as an event.
pub fn error_event(error: &ChatError) -> Value {
    let body = error.body();
    json!({ "type": "error", "error": body["error"] })
}

/// `{status, store}`: each part `ok` or `unavailable`, and `status` `ok` only when all are.
pub fn health(health: &crate::service::Health) -> Value {
    let word = |up: bool| if up { "ok" } else { "unavailable" };
    json!({ "status": word(health.store), "store": word(health.store) })
}

/// API.md's Agent. `open_rooms` counts open rooms assigned to the agent.
pub fn agent(member: &crate::service::TeamMember) -> Value {
    let agent = &member.agent;
    json!({
        "id": agent.id, "username": agent.username.as_str(),
        "display_name": agent.display_name.as_str(), "role": agent.role,
        "active": agent.active, "availability": member.availability, "open_rooms": agent.open_rooms,
    })
}

pub fn agents(team: &[crate::service::TeamMember]) -> Value {
    json!({ "agents": team.iter().map(agent).collect::<Vec<_>>() })
}

/// `GET /api/public/availability/`: whether anyone is online, and nothing else.
pub fn availability(online: bool) -> Value {
    json!({ "online": online })
}
