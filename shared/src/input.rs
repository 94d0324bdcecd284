//! Request bodies and WebSocket frames, parsed into commands whose fields obey API.md.
//!
//! API.md separates two kinds of bad input: a body that is not JSON, a field of the wrong JSON
//! type or an empty body is 400 `bad_request`; a required field that is absent (or null) or a
//! value that breaks a rule is 422 `validation_error` naming the field.

use serde_json::{Map, Value};

use crate::domain::{
    AgentId, AttachmentFilename, AttachmentRules, AttachmentSize, AttachmentType,
    ChosenAvailability, ClientMsgId, CustomerEmail, CustomerName, DisplayName, MessageContent,
    Role, RoomId, ShortCode, Subject, Username,
};
use crate::error::ChatError;

/// The largest request body accepted (API.md: over 64 KiB is 413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON object, read field by field.
#[derive(Debug)]
pub struct JsonObject(Map<String, Value>);

impl JsonObject {
    pub fn parse(bytes: &[u8]) -> Result<Self, ChatError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ChatError::bad_request("a JSON body is required"));
        }
        match serde_json::from_slice(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ChatError::bad_request("the body must be a JSON object")),
            Err(_) => Err(ChatError::bad_request("the body is not valid JSON")),
        }
    }

    pub fn from_map(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// A string field that may be absent or null.
    pub fn optional_str(&self, field: &'static str) -> Result<Option<&str>, ChatError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ChatError::bad_request(format!("{field} must be a string"))),
        }
    }

    pub fn required_str(&self, field: &'static str) -> Result<&str, ChatError> {
        self.optional_str(field)?
            .ok_or_else(|| ChatError::validation(field, format!("{field} is required")))
    }

    /// Whether the field is there at all (null included).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// A whole number: any other number (a fraction, one too large) is 422 naming the field,
    /// anything but a number 400.
    pub fn required_integer(&self, field: &'static str) -> Result<i64, ChatError> {
        match self.0.get(field) {
            None | Some(Value::Null) => {
                Err(ChatError::validation(field, format!("{field} is required")))
            }
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| {
                ChatError::validation(field, format!("{field} must be a whole number"))
            }),
            Some(_) => Err(ChatError::bad_request(format!("{field} must be a number"))),
        }
    }

    pub fn optional_bool(&self, field: &'static str) -> Result<Option<bool>, ChatError> {
        match self.0.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ChatError::bad_request(format!("{field} must be a boolean"))),
        }
    }
}

/// `POST /api/public/chat-rooms/`
#[derive(Clone, Debug)]
pub struct NewRoom {
    pub customer_name: CustomerName,
    pub customer_email: Option<CustomerEmail>,
    pub subject: Option<Subject>,
    pub message: Option<MessageContent>,
}

impl NewRoom {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        // Types first, for every field, so a wrong type is a 400 whatever else is wrong.
        let name = body.required_str("customer_name");
        let email = body.optional_str("customer_email")?;
        let subject = body.optional_str("subject")?;
        let message = body.optional_str("message")?;
        Ok(Self {
            customer_name: CustomerName::parse(name?)?,
            customer_email: email.map(CustomerEmail::parse).transpose()?,
            subject: subject.map(Subject::parse).transpose()?.flatten(),
            message: message
                .map(|text| MessageContent::parse(text).map_err(|e| rename_field(e, "message")))
                .transpose()?,
        })
    }
}

/// `send_message`, over REST and WebSocket.
#[derive(Clone, Debug)]
pub struct NewMessage {
    pub content: MessageContent,
    pub client_msg_id: Option<ClientMsgId>,
    /// A private note (`"private": true`): agents only may send one.
    pub private: bool,
}

impl NewMessage {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        let content = body.required_str("content");
        let client_msg_id = body.optional_str("client_msg_id")?;
        let private = body.optional_bool("private")?.unwrap_or(false);
        Ok(Self {
            content: MessageContent::parse(content?)?,
            client_msg_id: client_msg_id.map(ClientMsgId::parse).transpose()?,
            private,
        })
    }
}

/// `POST /api/auth/login/`. The password has no rules: a wrong one is a 401 like any other.
#[derive(Clone)]
pub struct Login {
    pub username: String,
    pub password: String,
}

impl Login {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        let username = body.required_str("username");
        let password = body.required_str("password");
        Ok(Self {
            username: username?.to_owned(),
            password: password?.to_owned(),
        })
    }
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A password being set: 10–128 characters, never trimmed.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ChatError> {
        match raw.chars().count() {
            10..=128 => Ok(Self(raw.to_owned())),
            _ => Err(ChatError::validation(
                field,
                format!("{field} must be 10 to 128 characters"),
            )),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// `POST /api/auth/password/`. The new password's rule is checked after the current one
/// (API.md: a wrong current password is 401 first), by `NewPassword::parse`.
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

impl ChangePassword {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        let current = body.required_str("current_password");
        let new = body.required_str("new_password");
        Ok(Self {
            current_password: current?.to_owned(),
            new_password: new?.to_owned(),
        })
    }
}

impl std::fmt::Debug for ChangePassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangePassword").finish_non_exhaustive()
    }
}

/// `POST /api/auth/refresh/`
pub struct Refresh {
    pub refresh: String,
}

impl Refresh {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        Ok(Self {
            refresh: body.required_str("refresh")?.to_owned(),
        })
    }
}

/// `POST /api/admin/chat-rooms/{id}/assign/`: `agent_id` is required, and null unassigns.
#[derive(Clone, Copy, Debug)]
pub struct Assign {
    pub agent_id: Option<AgentId>,
}

impl Assign {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        let raw = body.optional_str("agent_id")?;
        if !body.has("agent_id") {
            return Err(ChatError::validation(
                "agent_id",
                "agent_id is required: an agent id, or null to unassign",
            ));
        }
        let agent_id = raw
            .map(|raw| {
                raw.parse()
                    .map_err(|_| ChatError::validation("agent_id", "agent_id is not an agent id"))
            })
            .transpose()?;
        Ok(Self { agent_id })
    }
}

/// The admin list's `assignee=me|none|<agent id>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssigneeFilter {
    Me,
    Nobody,
    Agent(AgentId),
}

impl AssigneeFilter {
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, ChatError> {
        match raw {
            None => Ok(None),
            Some("me") => Ok(Some(Self::Me)),
            Some("none") => Ok(Some(Self::Nobody)),
            Some(id) => id.parse().map(|id| Some(Self::Agent(id))).map_err(|_| {
                ChatError::validation("assignee", "assignee must be me, none or an agent id")
            }),
        }
    }
}

/// `POST /api/admin/presence/` and the `set_availability` frame: an agent sets itself online
/// or away.
#[derive(Clone, Copy, Debug)]
pub struct SetAvailability {
    pub availability: ChosenAvailability,
}

impl SetAvailability {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        Ok(Self {
            availability: body
                .required_str("availability")
                .and_then(ChosenAvailability::parse)?,
        })
    }
}

/// The largest WebSocket frame accepted (API Gateway's limit: over it, the connection closes).
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// A client-to-server WebSocket frame, routed by its `action`: a ping, answered on the spot,
/// or an action on a room.
#[derive(Clone, Debug)]
pub enum Frame {
    Ping,
    Act(Action),
}

/// What a frame other than `ping` asks for.
#[derive(Clone, Debug)]
pub enum Action {
    /// `room_id` may be left out by a customer: it is the room of the connection.
    SendMessage {
        room_id: Option<RoomId>,
        message: NewMessage,
    },
    Typing {
        room_id: Option<RoomId>,
        is_typing: bool,
    },
    MarkAsRead {
        room_id: Option<RoomId>,
    },
    SetAvailability(SetAvailability),
}

impl Frame {
    pub fn parse(bytes: &[u8]) -> Result<Self, ChatError> {
        let body = JsonObject::parse(bytes)?;
        let room_id = || -> Result<Option<RoomId>, ChatError> {
            body.optional_str("room_id")?
                .map(|raw| {
                    raw.parse()
                        .map_err(|_| ChatError::validation("room_id", "room_id is not a room id"))
                })
                .transpose()
        };
        match body.optional_str("action")? {
            Some("send_message") => {
                let room_id = room_id()?;
                Ok(Self::Act(Action::SendMessage {
                    room_id,
                    message: NewMessage::parse(&body)?,
                }))
            }
            Some("typing") => Ok(Self::Act(Action::Typing {
                room_id: room_id()?,
                is_typing: body
                    .optional_bool("is_typing")?
                    .ok_or_else(|| ChatError::validation("is_typing", "is_typing is required"))?,
            })),
            Some("mark_as_read") => Ok(Self::Act(Action::MarkAsRead {
                room_id: room_id()?,
            })),
            Some("set_availability") => Ok(Self::Act(Action::SetAvailability(
                SetAvailability::parse(&body)?,
            ))),
            Some("ping") => Ok(Self::Ping),
            Some(other) => Err(ChatError::bad_request(format!(
                "unknown action {:?}",
                other.chars().take(64).collect::<String>()
            ))),
            None => Err(ChatError::bad_request("a frame needs an action")),
        }
    }
}

/// A content rule broken in a field that is not called `content` (the first message of a room).
fn rename_field(error: ChatError, field: &'static str) -> ChatError {
    match error {
        ChatError::Validation { message, .. } => ChatError::Validation {
            field,
            message: message.replace("content", field).into(),
        },
        other => other,
    }
}

/// `POST /api/admin/agents/`: a new agent. The password is 10–128 characters, never trimmed.
pub struct NewAgent {
    pub username: Username,
    pub password: String,
    pub display_name: DisplayName,
    pub role: Role,
}

impl NewAgent {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        let username = body.required_str("username").and_then(Username::parse_new);
        let password = body
            .required_str("password")
            .and_then(|password| NewPassword::parse("password", password))
            .map(NewPassword::into_inner);
        let display_name = body
            .required_str("display_name")
            .and_then(DisplayName::parse);
        let role = body.required_str("role").and_then(Role::parse);
        Ok(Self {
            username: username?,
            password: password?,
            display_name: display_name?,
            role: role?,
        })
    }
}

impl std::fmt::Debug for NewAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAgent")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// `POST /api/admin/canned-responses/` and `PUT .../{id}/`: both fields, always.
pub struct NewCannedResponse {
    pub short_code: ShortCode,
    pub content: MessageContent,
}

impl NewCannedResponse {
    pub fn parse(body: &JsonObject) -> Result<Self, ChatError> {
        let short_code = body.required_str("short_code").and_then(ShortCode::parse);
        let content = body.required_str("content").and_then(MessageContent::parse);
        Ok(Self {
            short_code: short_code?,
            content: content?,
        })
    }
}

/// `POST .../chat-rooms/{id}/attachments/`: the file about to be uploaded.
#[derive(Clone, Debug)]
pub struct NewUpload {
    pub filename: AttachmentFilename,
    pub content_type: AttachmentType,
    pub size: AttachmentSize,
}

impl NewUpload {
    pub fn parse(body: &JsonObject, rules: &AttachmentRules) -> Result<Self, ChatError> {
        let filename = body
            .required_str("filename")
            .and_then(AttachmentFilename::parse);
        let content_type = body
            .required_str("content_type")
            .and_then(|raw| AttachmentType::parse(raw, rules));
        let size = body
            .required_integer("size")
            .and_then(|raw| AttachmentSize::parse(raw, rules));
        Ok(Self {
            filename: filename?,
            content_type: content_type?,
            size: size?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_and_field(result: Result<NewRoom, ChatError>) -> (u16, Option<&'static str>) {
        let err = result.unwrap_err();
        let field = match &err {
            ChatError::Validation { field, .. } => Some(*field),
            _ => None,
        };
        (err.status(), field)
    }

    fn new_room(json: &str) -> Result<NewRoom, ChatError> {
        NewRoom::parse(&JsonObject::parse(json.as_bytes())?)
    }

    #[test]
    fn bodies_that_are_not_json_objects_are_400() {
        for body in ["", "  ", "nope", "[1]", "\"x\"", "{"] {
            assert_eq!(status_and_field(new_room(body)), (400, None), "{body:?}");
        }
    }

    #[test]
    fn missing_fields_are_422_and_wrong_types_400() {
        assert_eq!(
            status_and_field(new_room("{}")),
            (422, Some("customer_name"))
        );
        assert_eq!(
            status_and_field(new_room(r#"{"customer_name":null}"#)),
            (422, Some("customer_name"))
        );
        assert_eq!(
            status_and_field(new_room(r#"{"customer_name":5}"#)),
            (400, None)
        );
        assert_eq!(status_and_field(new_room(r#"{"subject":5}"#)), (400, None));
        assert_eq!(
            status_and_field(new_room(r#"{"customer_name":"Ada","message":"  "}"#)),
            (422, Some("message"))
        );
    }

    #[test]
    fn a_full_room_parses() {
        let room = new_room(
            r#"{"customer_name":" Ada ","customer_email":"ada@example.com","subject":"","message":"Hi"}"#,
        )
        .unwrap();
        assert_eq!(room.customer_name.as_str(), "Ada");
        assert!(room.subject.is_none());
        assert_eq!(room.message.unwrap().as_str(), "Hi");
    }
}
