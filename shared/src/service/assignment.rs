//! Who handles a room: assigning it by hand, and what closing, reopening and deactivating an
//! agent do to it. Each change is built from the room as read and written only if the room is
//! still so (`RoomChange`'s pinned expectations), so the agents' counts of open rooms follow
//! every room exactly; a room that moved meanwhile is read again.

use futures::future::{self, BoxFuture, FutureExt};
use futures::{StreamExt, TryStreamExt};

use crate::domain::{
    Agent, AgentId, Assignee, Availability, Limit, MessageContent, Room, RoomChange, RoomId,
    RoomStatus, Routing, SenderType,
};
use crate::error::ChatError;
use crate::input::NewMessage;
use crate::ports::{Event, RoomFilter, RoomWrite};

use super::ChatService;

/// How many times a change is built again from a room that moved while it was written.
const ATTEMPTS: usize = 5;

/// How many rooms a deactivation unassigns at once.
const UNASSIGN_CONCURRENCY: usize = 8;

/// What changing a room as found came to.
pub(super) enum AsFound {
    /// The room needed no change: as it is.
    Unchanged(Room),
    Changed(Room),
    /// The agent the change gave the room to may not take it (deactivated, or at the cap).
    TakerRefused,
}

impl ChatService {
    /// Reads the room, asks `build` for the change to make of it (`None`: none is needed), and
    /// writes it; a room that changed status or assignee meanwhile is read again.
    pub(super) async fn change_as_found<'a>(
        &'a self,
        room: RoomId,
        mut build: impl FnMut(Room) -> BoxFuture<'a, Result<Option<RoomChange>, ChatError>> + Send,
    ) -> Result<AsFound, ChatError> {
        for _ in 0..ATTEMPTS {
            let found = self.room(room).await?;
            let Some(change) = build(found.clone()).await? else {
                return Ok(AsFound::Unchanged(found));
            };
            match self.store.change_room(room, &change).await? {
                RoomWrite::Missing => return Err(ChatError::room_not_found()),
                RoomWrite::Changed(changed) => return Ok(AsFound::Changed(changed)),
                RoomWrite::TakerRefused => return Ok(AsFound::TakerRefused),
                RoomWrite::OtherStatus(_) | RoomWrite::OtherAssignee(_) => continue,
            }
        }
        Err(ChatError::Internal(anyhow::anyhow!(
            "room {room} kept changing while being written"
        )))
    }

    /// Tells of a change in the room itself with a system message (how the customer learns of
    /// it), then tells agents with `room_updated`; the room after both.
    pub(super) async fn tell(&self, room: Room, notice: Option<String>) -> Result<Room, ChatError> {
        let room = match notice {
            Some(notice) => {
                let input = NewMessage {
                    content: MessageContent::parse(&notice)?,
                    client_msg_id: None,
                    private: false,
                };
                let system = (SenderType::System, "System".to_owned());
                let sent = self.send(room.id, system, input, None, &[]).await?;
                room.with_message(&sent.message)
            }
            None => room,
        };
        self.publish(Event::RoomUpdated { room: room.clone() })
            .await;
        Ok(room)
    }

    /// Assigns an open room to an active agent, or to nobody (`None`). A closed room is 409,
    /// an unknown or deactivated agent 422 naming `agent_id`; the assignee it already has
    /// changes nothing. An assignment is told with "<name> joined the conversation".
    pub async fn assign(&self, room: RoomId, to: Option<AgentId>) -> Result<Room, ChatError> {
        let not_assignable =
            || ChatError::validation("agent_id", "agent_id is not an active agent");
        let to = match to {
            None => None,
            Some(id) => {
                let agent = self.store.find_agent_by_id(id).await?;
                Some(
                    agent
                        .filter(|agent| agent.active)
                        .ok_or_else(not_assignable)?,
                )
            }
        };
        let now = self.clock.now();
        // The assignee the room had when the change that was written was built.
        let mut previous = None;
        let outcome = self
            .change_as_found(room, |found| {
                previous = found.assignee.clone();
                let change = if found.status == RoomStatus::Closed {
                    Err(ChatError::room_closed())
                } else {
                    let current = found.assignee.as_ref().map(|a| a.id);
                    Ok((current != to.as_ref().map(|a| a.id))
                        .then(|| RoomChange::assigned(&found, to.as_ref(), None, now)))
                };
                future::ready(change).boxed()
            })
            .await?;
        match outcome {
            AsFound::Unchanged(room) => Ok(room),
            AsFound::TakerRefused => Err(not_assignable()),
            AsFound::Changed(room) => {
                let released = previous.filter(|_| room.assignee.is_some());
                let room = self.tell_assignment(room).await?;
                // A transfer frees a slot of the agent it came from.
                if let Some(released) = released {
                    self.refill(&released).await?;
                }
                Ok(room)
            }
        }
    }

    /// Unassigns every open room of `agent` (deactivated), without a system message, each
    /// told with `room_updated`.
    pub(super) async fn unassign_all(&self, agent: AgentId) -> Result<(), ChatError> {
        let filter = RoomFilter {
            status: Some(RoomStatus::Open),
            assignee: Some(Some(agent)),
        };
        let rooms = self
            .all_rooms(filter)
            .await?
            .into_iter()
            .map(|room| room.id);
        let now = self.clock.now();
        futures::stream::iter(rooms)
            .map(|room| async move {
                let outcome = self
                    .change_as_found(room, |found| {
                        let still_theirs = found.status == RoomStatus::Open
                            && found.assignee.as_ref().is_some_and(|a| a.id == agent);
                        let change =
                            still_theirs.then(|| RoomChange::assigned(&found, None, None, now));
                        future::ready(Ok(change)).boxed()
                    })
                    .await?;
                if let AsFound::Changed(room) = outcome {
                    let room = self.tell(room, None).await?;
                    // Handled like a new room.
                    self.route(room).await?;
                }
                Ok::<_, ChatError>(())
            })
            .buffer_unordered(UNASSIGN_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(())
    }
}

impl ChatService {
    /// Auto-assignment's settings (off unless set).
    pub fn with_routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// Gives a waiting room (open, unassigned) to the least busy agent who may take it, if
    /// auto-assignment is on and anyone can; the room after. An agent filled by a room
    /// arriving at the same instant refuses it (its cap is in the write), and the next is
    /// tried.
    pub(super) async fn route(&self, room: Room) -> Result<Room, ChatError> {
        if !self.routing.is_on() || room.status != RoomStatus::Open || room.assignee.is_some() {
            return Ok(room);
        }
        let team = self.team().await?;
        let candidates = self.routing.candidates(
            team.into_iter()
                .map(|member| (member.agent, member.availability)),
        );
        let now = self.clock.now();
        for agent in candidates {
            let change = RoomChange::assigned(&room, Some(&agent), self.routing.cap, now);
            match self.store.change_room(room.id, &change).await? {
                RoomWrite::Changed(assigned) => return self.tell_assignment(assigned).await,
                RoomWrite::TakerRefused => continue,
                // Assigned, closed or gone meanwhile: not waiting any more.
                RoomWrite::OtherAssignee(_) | RoomWrite::OtherStatus(_) | RoomWrite::Missing => {
                    break;
                }
            }
        }
        Ok(room)
    }

    /// An agent who may take rooms now (it came online, or freed a slot) takes the waiting
    /// ones, oldest first, up to the cap; the agent after. `online` says the caller knows it
    /// is online (at its first connection, not recorded yet); otherwise its connections are
    /// asked.
    pub(super) async fn take_waiting(
        &self,
        mut agent: Agent,
        online: bool,
    ) -> Result<Agent, ChatError> {
        if !self.routing.is_on() {
            return Ok(agent);
        }
        let connected = online || self.connected(agent.id, None).await?;
        if !self
            .routing
            .may_take(&agent, Availability::of(&agent, connected))
        {
            return Ok(agent);
        }
        let mut waiting = self
            .all_rooms(RoomFilter {
                status: Some(RoomStatus::Open),
                assignee: Some(None),
            })
            .await?;
        // Ids are ULIDs: their order is the rooms' age.
        waiting.sort_unstable_by_key(|room| room.id);
        for room in waiting {
            let now = self.clock.now();
            let change = RoomChange::assigned(&room, Some(&agent), self.routing.cap, now);
            match self.store.change_room(room.id, &change).await? {
                RoomWrite::Changed(assigned) => {
                    self.tell_assignment(assigned).await?;
                    agent.open_rooms += 1;
                }
                // At its cap (or deactivated) now.
                RoomWrite::TakerRefused => break,
                // Taken by someone else, or closed, since the list was read.
                RoomWrite::OtherAssignee(_) | RoomWrite::OtherStatus(_) | RoomWrite::Missing => {}
            }
            if self.routing.cap.is_some_and(|cap| agent.open_rooms >= cap) {
                break;
            }
        }
        Ok(agent)
    }

    /// `take_waiting` for the agent that freed a slot, read again for its count.
    pub(super) async fn refill(&self, freed: &Assignee) -> Result<(), ChatError> {
        if !self.routing.is_on() {
            return Ok(());
        }
        let agent = self.store.find_agent(&freed.username).await?;
        match agent.filter(|agent| agent.id == freed.id) {
            Some(agent) => self.take_waiting(agent, false).await.map(drop),
            None => Ok(()),
        }
    }

    /// Every room of a filter, page by page.
    async fn all_rooms(&self, filter: RoomFilter) -> Result<Vec<Room>, ChatError> {
        let mut rooms = Vec::new();
        let mut cursor = None;
        loop {
            let limit = Limit::new_clamped(Limit::MAX);
            let page = self
                .store
                .list_rooms(filter, limit, cursor.as_ref())
                .await?;
            rooms.extend(page.items);
            match page.next {
                Some(next) => cursor = Some(next),
                None => return Ok(rooms),
            }
        }
    }

    /// An assignment told: "<name> joined the conversation", and `room_updated`.
    async fn tell_assignment(&self, room: Room) -> Result<Room, ChatError> {
        let notice = room
            .assignee
            .as_ref()
            .map(|a| format!("{} joined the conversation", a.display_name));
        self.tell(room, notice).await
    }
}
