//! What support agents do: work every room.

use crate::domain::{AgentIdentity, Reader};
use crate::domain::{
    Limit, Message, MessageId, MessagePage, MessageWindow, Page, PageCursor, Room, RoomChange,
    RoomId, RoomStatus, SenderType,
};
use crate::error::ChatError;
use crate::input::{AssigneeFilter, NewMessage};
use crate::ports::{Event, RoomFilter, RoomWrite};

use futures::FutureExt;

use super::assignment::AsFound;
use super::{ChatService, Sent};

impl ChatService {
    /// The admin list, of one status, of one assignee (`me` is `agent`), or both.
    pub async fn rooms(
        &self,
        agent: &AgentIdentity,
        (status, assignee): (Option<RoomStatus>, Option<AssigneeFilter>),
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let assignee = assignee.map(|assignee| match assignee {
            AssigneeFilter::Me => Some(agent.id),
            AssigneeFilter::Nobody => None,
            AssigneeFilter::Agent(id) => Some(id),
        });
        let filter = RoomFilter { status, assignee };
        self.store.list_rooms(filter, limit, cursor).await
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
        self.store
            .list_messages(room, window, limit, Reader::Agent)
            .await
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
            RoomWrite::Changed(room)
            | RoomWrite::OtherStatus(room)
            | RoomWrite::OtherAssignee(room) => room,
            RoomWrite::TakerRefused => {
                return Err(anyhow::anyhow!("a read gives the room to nobody").into());
            }
        };
        let read_up_to = room.last_message.as_ref().map(|message| message.id);
        self.publish(Event::Read {
            room_id: room.id,
            read_up_to,
        })
        .await;
        self.publish(Event::RoomUpdated { room }).await;
        Ok(read_up_to)
    }

    /// Closes or reopens a room; doing it again changes nothing. A change is told in the room
    /// itself with a system message, which is how the customer learns of it (`room_updated`
    /// goes to agents only). Closing frees the assignee's slot; reopening takes it again if
    /// the assignee is still active, else the room is unassigned.
    pub async fn set_status(
        &self,
        agent: &AgentIdentity,
        room: RoomId,
        status: RoomStatus,
    ) -> Result<Room, ChatError> {
        let now = self.clock.now();
        // A reopen's assignee deactivated between the read and the write refuses the write;
        // read once more, the room then loses them.
        let mut outcome = AsFound::TakerRefused;
        for _ in 0..2 {
            outcome = self
                .change_as_found(room, |found| {
                    async move {
                        if found.status == status {
                            return Ok(None);
                        }
                        let change = match status {
                            RoomStatus::Closed => RoomChange::closed(&found, now),
                            RoomStatus::Open => {
                                let assignee_active = match &found.assignee {
                                    Some(assignee) => self
                                        .store
                                        .find_agent_by_id(assignee.id)
                                        .await?
                                        .is_some_and(|agent| agent.active),
                                    None => false,
                                };
                                RoomChange::reopened(&found, now, assignee_active)
                            }
                        };
                        Ok(Some(change))
                    }
                    .boxed()
                })
                .await?;
            if !matches!(outcome, AsFound::TakerRefused) {
                break;
            }
        }
        let changed = match outcome {
            AsFound::Unchanged(room) => return Ok(room),
            AsFound::Changed(room) => room,
            AsFound::TakerRefused => {
                return Err(anyhow::anyhow!("room {room}'s assignee kept refusing it").into());
            }
        };
        let notice = match status {
            RoomStatus::Closed => format!("{} closed the conversation", agent.display_name),
            RoomStatus::Open => format!("{} reopened the conversation", agent.display_name),
        };
        let room = self.tell(changed, Some(notice)).await?;
        match (status, &room.assignee) {
            // The assignee's slot is free: a waiting room may take it.
            (RoomStatus::Closed, Some(assignee)) => {
                self.refill(assignee).await?;
                Ok(room)
            }
            // Reopened without an assignee: as a new room.
            (RoomStatus::Open, None) => self.route(room).await,
            _ => Ok(room),
        }
    }
}
