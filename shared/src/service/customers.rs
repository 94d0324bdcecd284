//! What a website visitor does: open rooms, read and write in their own rooms only.

use std::net::IpAddr;

use crate::domain::{Caller, Reader, VisitorIdentity};
use crate::domain::{
    Limit, Message, MessageId, MessagePage, MessageWindow, Page, PageCursor, Room, RoomId,
    RoomStatus, SenderType, VisitorId,
};
use crate::error::ChatError;
use crate::input::{NewMessage, NewRoom};
use crate::ports::{Charge, Event};
use crate::rate::CounterKey;

use super::{ChatService, Sent};

#[derive(Clone, Debug)]
pub struct CreatedRoom {
    pub room: Room,
    pub customer_token: String,
}

impl ChatService {
    /// The visitor a room is created for: none for a first visit, the token's visitor when a
    /// customer token comes back. A bad token is 401 (never a silent new visitor), an agent's
    /// token 403.
    pub fn returning_visitor(&self, bearer: Option<&str>) -> Result<Option<VisitorId>, ChatError> {
        match bearer {
            None => Ok(None),
            Some(_) => match self.caller(bearer)? {
                Caller::Visitor(visitor) => Ok(Some(visitor.id)),
                Caller::Agent(_) => Err(ChatError::Forbidden("agents cannot open chat rooms")),
            },
        }
    }

    /// Opens a room for a first-time visitor (`None`) or a returning one, from `source`.
    pub async fn create_room(
        &self,
        visitor: Option<VisitorId>,
        source: Option<IpAddr>,
        input: NewRoom,
    ) -> Result<CreatedRoom, ChatError> {
        if let Some(source) = source {
            let subject = CounterKey::room_creations_from(source);
            self.count(self.limits.rooms_per_ip, &subject).await?;
        }
        if let Some(visitor) = visitor {
            let subject = CounterKey::room_creations_of(visitor);
            self.count(self.limits.rooms_per_visitor, &subject).await?;
        }
        let visitor = VisitorIdentity {
            id: visitor.unwrap_or_else(|| VisitorId::from_ulid(self.clock.next_id())),
            name: input.customer_name,
        };
        let (id, created_at) = self.stamp();
        let room = Room {
            id: RoomId::from_ulid(id),
            visitor: visitor.id,
            customer_name: visitor.name.clone(),
            customer_email: input.customer_email,
            subject: input.subject,
            status: RoomStatus::Open,
            created_at,
            updated_at: created_at,
            last_message: None,
            last_note: None,
            unread_count: 0,
            assignee: None,
        };
        let first_message = input.message.map(|content| {
            let (id, created_at) = self.stamp();
            Message {
                id: MessageId::from_ulid(id),
                room_id: room.id,
                sender_type: SenderType::Customer,
                sender_name: visitor.name.to_string(),
                content,
                created_at,
                client_msg_id: None,
                private: false,
            }
        });
        let room = match &first_message {
            Some(message) => room.with_message(message),
            None => room,
        };
        self.store
            .create_room(&room, first_message.as_ref())
            .await?;
        let customer_token = self.keys.issue_customer(&visitor, self.clock.now())?;
        self.publish(Event::RoomCreated { room: room.clone() })
            .await;
        let room = self.route(room).await?;
        Ok(CreatedRoom {
            room,
            customer_token,
        })
    }

    pub async fn visitor_rooms(
        &self,
        visitor: &VisitorIdentity,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        self.store
            .list_visitor_rooms(visitor.id, limit, cursor)
            .await
    }

    /// The room, if it is this visitor's; any other room is indistinguishable from none.
    pub async fn visitor_room(
        &self,
        visitor: &VisitorIdentity,
        room: RoomId,
    ) -> Result<Room, ChatError> {
        self.store
            .get_room(room)
            .await?
            .filter(|room| room.visitor == visitor.id)
            .ok_or_else(ChatError::room_not_found)
    }

    pub async fn visitor_messages(
        &self,
        visitor: &VisitorIdentity,
        room: RoomId,
        window: MessageWindow,
        limit: Limit,
    ) -> Result<MessagePage<Message>, ChatError> {
        self.visitor_room(visitor, room).await?;
        self.store
            .list_messages(room, window, limit, Reader::Customer)
            .await
    }

    pub async fn send_as_visitor(
        &self,
        visitor: &VisitorIdentity,
        room: RoomId,
        input: NewMessage,
    ) -> Result<Sent, ChatError> {
        self.visitor_sends(visitor, room, input, None).await
    }

    /// A visitor's send, counted against their limit (and `frame`'s, over WebSocket) in the
    /// same write as the message.
    pub(super) async fn visitor_sends(
        &self,
        visitor: &VisitorIdentity,
        room: RoomId,
        input: NewMessage,
        frame: Option<Charge>,
    ) -> Result<Sent, ChatError> {
        if input.private {
            return Err(ChatError::validation(
                "private",
                "private notes are for agents; a customer's message is never private",
            ));
        }
        let subject = CounterKey::messages_of(visitor.id);
        let charges: Vec<Charge> = self
            .charge(self.limits.messages_per_visitor, &subject)
            .into_iter()
            .chain(frame)
            .collect();
        let sender = (SenderType::Customer, visitor.name.to_string());
        self.send(room, sender, input, Some(visitor.id), &charges)
            .await
    }
}
