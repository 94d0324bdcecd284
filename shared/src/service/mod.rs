//! The use cases of the chat. Adapters authenticate the caller with the methods here, parse
//! the input with `crate::input`, make one call, and render the result with `crate::views`.

mod accounts;
mod agents;
mod assignment;
mod attachments;
mod canned;
mod customers;
mod limits;
mod presence;
mod realtime;
mod team;

use std::sync::Arc;

use ulid::Ulid;

use crate::auth::TokenKeys;
use crate::domain::AttachmentRules;
use crate::domain::{AgentIdentity, Caller, Routing, VisitorIdentity};
use crate::domain::{Message, MessageId, RoomChange, RoomId, SenderType, Timestamp, VisitorId};
use crate::error::ChatError;
use crate::input::NewMessage;
use crate::ports::{Appended, BlobStore, Charge, Clock, Event, Notifier, Store};
use crate::rate::RateLimits;

pub use accounts::LoggedIn;
pub use attachments::{NoBlobStore, UploadSlot};
pub use customers::CreatedRoom;
pub use realtime::CONNECTION_TTL_SECONDS;
pub use team::TeamMember;

/// What a health check found: whether each part answered. The cause of a failure is logged,
/// never told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    pub store: bool,
}

/// The result of a send: the stored message, and whether this was a retry of an earlier send
/// with the same `client_msg_id` (then nothing new was stored or pushed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub message: Message,
    pub replayed: bool,
}

#[derive(Clone)]
pub struct ChatService {
    store: Arc<dyn Store>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    /// Shared: adapters clone the service per request and per connection.
    keys: Arc<TokenKeys>,
    limits: Arc<RateLimits>,
    routing: Routing,
    blobs: Arc<dyn BlobStore>,
    attachment_rules: Arc<AttachmentRules>,
}

impl ChatService {
    pub fn new(
        store: Arc<dyn Store>,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
        keys: TokenKeys,
    ) -> Self {
        Self {
            store,
            notifier,
            clock,
            keys: Arc::new(keys),
            limits: Arc::new(RateLimits::OFF),
            routing: Routing::OFF,
            blobs: Arc::new(NoBlobStore),
            attachment_rules: Arc::new(AttachmentRules::default()),
        }
    }

    /// Who a bearer token speaks for. No token, or a bad one, is 401.
    pub fn caller(&self, bearer: Option<&str>) -> Result<Caller, ChatError> {
        let token = bearer.ok_or_else(ChatError::invalid_token)?;
        self.keys.caller(token, self.clock.now())
    }

    /// The visitor of a customer token; an agent's token is 403.
    pub fn visitor(&self, bearer: Option<&str>) -> Result<VisitorIdentity, ChatError> {
        match self.caller(bearer)? {
            Caller::Visitor(visitor) => Ok(visitor),
            Caller::Agent(_) => Err(ChatError::Forbidden("this route is for customers")),
        }
    }

    /// The agent of an access token; a customer token is 403.
    pub fn agent(&self, bearer: Option<&str>) -> Result<AgentIdentity, ChatError> {
        match self.caller(bearer)? {
            Caller::Agent(agent) => Ok(agent),
            Caller::Visitor(_) => Err(ChatError::Forbidden("this route is for agents")),
        }
    }

    /// One cheap read of the store.
    pub async fn health(&self) -> Health {
        let answered = self.store.answers().await;
        if let Err(error) = &answered {
            error.log_if_internal();
        }
        Health {
            store: answered.is_ok(),
        }
    }

    /// A fresh id and the instant it was made at: a record's id and `created_at` agree.
    fn stamp(&self) -> (Ulid, Timestamp) {
        let id = self.clock.next_id();
        (id, Timestamp::from_unix_millis(id.timestamp_ms() as i64))
    }

    /// Stores a message (or finds the earlier one of a retry), counting its rate-limit
    /// `charges` in the same write, then pushes it if it is new.
    async fn send(
        &self,
        room_id: RoomId,
        sender: (SenderType, String),
        input: NewMessage,
        owner: Option<VisitorId>,
        charges: &[Charge],
    ) -> Result<Sent, ChatError> {
        let (id, created_at) = self.stamp();
        let message = Message {
            id: MessageId::from_ulid(id),
            room_id,
            sender_type: sender.0,
            sender_name: sender.1,
            content: input.content,
            created_at,
            client_msg_id: input.client_msg_id,
            private: input.private,
        };
        let change = RoomChange::message_sent(&message, owner);
        match self.store.append(&message, &change, charges).await? {
            Appended::Stored => {
                self.publish(Event::Message {
                    message: message.clone(),
                })
                .await;
                Ok(Sent {
                    message,
                    replayed: false,
                })
            }
            Appended::Duplicate(earlier) => Ok(Sent {
                message: earlier,
                replayed: true,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
