//! What support agents do: work every room.

use crate::domain::AgentIdentity;
use crate::domain::{
    Limit, Message, MessageContent, MessageId, MessagePage, MessageWindow, Page, PageCursor, Room,
    RoomChange, RoomId, RoomStatus, SenderType,
};
use crate::error::ChatError;
use crate::input::NewMessage;
use crate::ports::{Event, RoomWrite};

use super::{ChatService, Sent};

impl ChatService {
    pub async fn rooms(
        &self,
        status: Option<RoomStatus>,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        self.store.list_rooms(status, limit, cursor).await
    }

    pub async fn room(&self, room: RoomId) -> Result<Room, ChatError> {
        self.store
            .get_room(room)
            .await?
            .ok_or_else(ChatError::room_not_found)
    }

    pub async fn messages(
        &self,
        room: RoomId,
        window: MessageWindow,
        limit: Limit,
    ) -> Result<MessagePage<Message>, ChatError> {
        self.room(room).await?;
        self.store.list_messages(room, window, limit).await
    }

    pub async fn send_as_agent(
        &self,
        agent: &AgentIdentity,
        room: RoomId,
        input: NewMessage,
    ) -> Result<Sent, ChatError> {
        self.agent_sends(agent, room, input, None).await
    }

    /// An agent's send; over WebSocket, counted against `frame`'s limit in the same write.
    pub(super) async fn agent_sends(
        &self,
        agent: &AgentIdentity,
        room: RoomId,
        input: NewMessage,
        frame: Option<crate::ports::Charge>,
    ) -> Result<Sent, ChatError> {
        let sender = (SenderType::Agent, agent.display_name.to_string());
        let charges: Vec<_> = frame.into_iter().collect();
        self.send(room, sender, input, None, &charges).await
    }

    /// Resets the room's unread count (one count per room, whichever agent reads) and tells
    /// the customer how far the agents have read: the room's newest message.
    pub async fn mark_read(&self, room: RoomId) -> Result<Option<MessageId>, ChatError> {
        let room = match self.store.change_room(room, &RoomChange::read()).await? {
            RoomWrite::Missing => return Err(ChatError::room_not_found()),
            // A read expects no status, so it is never refused for one.
            RoomWrite::Changed(room) | RoomWrite::OtherStatus(room) => room,
        };
        let read_up_to = room.last_message.as_ref().map(|message| message.id);
        self.notifier
            .publish(Event::Read {
                room_id: room.id,
                read_up_to,
            })
            .await;
        self.notifier.publish(Event::RoomUpdated { room }).await;
        Ok(read_up_to)
    }

    /// Closes or reopens a room; doing it again changes nothing. A change is told in the room
    /// itself with a system message, which is how the customer learns of it (`room_updated`
    /// goes to agents only).
    pub async fn set_status(
        &self,
        agent: &AgentIdentity,
        room: RoomId,
        status: RoomStatus,
    ) -> Result<Room, ChatError> {
        let change = RoomChange::status_set(status, self.clock.now());
        let changed = match self.store.change_room(room, &change).await? {
            RoomWrite::Missing => return Err(ChatError::room_not_found()),
            RoomWrite::OtherStatus(unchanged) => return Ok(unchanged),
            RoomWrite::Changed(changed) => changed,
        };
        let notice = match status {
            RoomStatus::Closed => format!("{} closed the conversation", agent.display_name),
            RoomStatus::Open => format!("{} reopened the conversation", agent.display_name),
        };
        let input = NewMessage {
            content: MessageContent::parse(&notice)?,
            client_msg_id: None,
        };
        let sent = self
            .send(
                room,
                (SenderType::System, "System".to_owned()),
                input,
                None,
                &[],
            )
            .await?;
        let room = changed.with_message(&sent.message);
        self.notifier
            .publish(Event::RoomUpdated { room: room.clone() })
            .await;
        Ok(room)
    }
}
