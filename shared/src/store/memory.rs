//! The embedded store: local-dev's default and the unit tests'. One mutex guards all state, held
//! only for in-memory work (never across an await), so every port method is atomic as the
//! DynamoDB store's conditional writes are.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use crate::domain::{
    Agent, AgentFlag, AgentId, ClientMsgId, ConnectionId, Limit, Message, MessageId, MessagePage,
    MessageWindow, Page, PageCursor, Reader, Room, RoomChange, RoomId, Standing, Timestamp,
    Username, VisitorId,
};
use crate::domain::{Attachment, AttachmentId, CannedResponse, CannedResponseId};
use crate::error::ChatError;
use crate::ports::{
    AgentStore, Appended, AttachmentStore, CannedStore, CannedWrite, Charge, Connection,
    ConnectionStore, MessageStore, Party, RateCounters, RoomFilter, RoomLister, RoomStore,
    RoomWrite, StoreHealth,
};

use super::cursor::{self, ActivityKey};

#[derive(Default)]
struct State {
    rooms: HashMap<RoomId, Room>,
    /// Every room by activity; read backwards for most recent first.
    by_activity: BTreeSet<ActivityKey>,
    visitor_rooms: HashMap<VisitorId, Vec<RoomId>>,
    messages: HashMap<RoomId, BTreeMap<MessageId, Message>>,
    /// Retry guards: which message a room's `client_msg_id` stored.
    client_msg_ids: HashMap<(RoomId, ClientMsgId), MessageId>,
    agents: HashMap<Username, Agent>,
    canned: HashMap<CannedResponseId, CannedResponse>,
    attachments: HashMap<(RoomId, AttachmentId), Attachment>,
    /// Past this many attachment records, those never sent and past their time are dropped
    /// (as DynamoDB's TTL drops them).
    sweep_attachments_at: usize,
    connections: HashMap<ConnectionId, Connection>,
    room_connections: HashMap<RoomId, BTreeSet<ConnectionId>>,
    agent_connections: BTreeSet<ConnectionId>,
    /// Past this many connections, expired ones (whose `$disconnect` never came) are swept.
    sweep_connections_at: usize,
    /// Rate-limit counters: count and end of life.
    rate_counters: HashMap<String, (u32, Timestamp)>,
    /// Past this many counters, expired ones are swept.
    sweep_counters_at: usize,
}

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held cannot leave half an update: every update below
        // computes first and writes last.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl State {
    /// Replaces a stored room, keeping the activity index in step.
    fn put_room(&mut self, room: Room) {
        if let Some(old) = self.rooms.get(&room.id) {
            self.by_activity.remove(&(old.updated_at, old.id));
        }
        self.by_activity.insert((room.updated_at, room.id));
        self.rooms.insert(room.id, room);
    }

    /// One page of rooms from `keys` (most recent first), after the cursor's position.
    fn page(
        &self,
        keys: impl Iterator<Item = ActivityKey>,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let after = cursor.map(cursor::decode).transpose()?;
        let mut keys = keys.filter(|key| after.is_none_or(|after| *key < after));
        let items: Vec<Room> = keys
            .by_ref()
            .take(limit.get())
            .map(|(_, id)| self.rooms[&id].clone())
            .collect();
        let next = match (keys.next(), items.last()) {
            (Some(_), Some(last)) => Some(cursor::encode((last.updated_at, last.id))),
            _ => None,
        };
        Ok(Page { items, next })
    }
}

impl State {
    /// Changes `agent`'s record while it is still this agent's; the record after.
    fn update_agent(&mut self, agent: &Agent, change: impl FnOnce(&mut Agent)) -> Option<Agent> {
        let stored = self
            .agents
            .get_mut(&agent.username)
            .filter(|stored| stored.id == agent.id)?;
        change(stored);
        Some(stored.clone())
    }

    /// Applies a change's tally (whose taker was found allowed) to the agents' records.
    fn count_open_rooms(&mut self, change: &RoomChange) {
        if let Some(released) = &change.tally.released
            && let Some(agent) = self.agents.get_mut(&released.username)
        {
            agent.open_rooms = agent.open_rooms.saturating_sub(1);
        }
        if let Some(taken) = &change.tally.taken
            && let Some(agent) = self.agents.get_mut(&taken.agent.username)
        {
            agent.open_rooms += 1;
            if let Some(at) = taken.assigned_at {
                agent.last_assigned_at = Some(at);
            }
        }
    }

    fn forget_connection(&mut self, id: &ConnectionId) -> Option<Connection> {
        let connection = self.connections.remove(id)?;
        match &connection.party {
            Party::Customer { room, .. } => {
                if let Some(ids) = self.room_connections.get_mut(room) {
                    ids.remove(id);
                    if ids.is_empty() {
                        self.room_connections.remove(room);
                    }
                }
            }
            Party::Agent(_) => {
                self.agent_connections.remove(id);
            }
        }
        Some(connection)
    }

    fn sweep_expired_connections(&mut self, now: Timestamp) {
        let expired: Vec<ConnectionId> = self
            .connections
            .values()
            .filter(|c| c.expires_at <= now)
            .map(|c| c.id.clone())
            .collect();
        for id in &expired {
            self.forget_connection(id);
        }
        self.sweep_connections_at = (self.connections.len() * 2).max(1024);
    }

    fn live(&self, ids: Option<&BTreeSet<ConnectionId>>, now: Timestamp) -> Vec<ConnectionId> {
        ids.into_iter()
            .flatten()
            .filter(|id| {
                self.connections
                    .get(*id)
                    .is_some_and(|c| c.expires_at > now)
            })
            .cloned()
            .collect()
    }
}

#[async_trait]
impl RoomStore for MemoryStore {
    async fn create_room(
        &self,
        room: &Room,
        first_message: Option<&Message>,
    ) -> Result<(), ChatError> {
        let mut state = self.state();
        if state.rooms.contains_key(&room.id) {
            return Err(anyhow::anyhow!("room id {} is taken", room.id).into());
        }
        state.put_room(room.clone());
        state
            .visitor_rooms
            .entry(room.visitor)
            .or_default()
            .push(room.id);
        let messages = state.messages.entry(room.id).or_default();
        if let Some(message) = first_message {
            messages.insert(message.id, message.clone());
        }
        Ok(())
    }

    async fn get_room(&self, id: RoomId) -> Result<Option<Room>, ChatError> {
        Ok(self.state().rooms.get(&id).cloned())
    }

    async fn change_room(&self, id: RoomId, change: &RoomChange) -> Result<RoomWrite, ChatError> {
        let mut state = self.state();
        let room = match change.standing(state.rooms.get(&id)) {
            Standing::Missing => return Ok(RoomWrite::Missing),
            Standing::OtherStatus(room) => return Ok(RoomWrite::OtherStatus(room.clone())),
            Standing::OtherAssignee(room) => return Ok(RoomWrite::OtherAssignee(room.clone())),
            Standing::Expected(room) => change.apply(room),
        };
        if let Some(taken) = &change.tally.taken {
            let taker = state.agents.get(&taken.agent.username);
            if !taker.is_some_and(|agent| agent.id == taken.agent.id && taken.allowed(agent)) {
                return Ok(RoomWrite::TakerRefused);
            }
        }
        state.count_open_rooms(change);
        state.put_room(room.clone());
        Ok(RoomWrite::Changed(room))
    }
}

#[async_trait]
impl RoomLister for MemoryStore {
    async fn list_visitor_rooms(
        &self,
        visitor: VisitorId,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let state = self.state();
        let mut keys: Vec<ActivityKey> = state
            .visitor_rooms
            .get(&visitor)
            .into_iter()
            .flatten()
            .map(|id| (state.rooms[id].updated_at, *id))
            .collect();
        keys.sort_unstable_by(|a, b| b.cmp(a));
        state.page(keys.into_iter(), limit, cursor)
    }

    async fn list_rooms(
        &self,
        filter: RoomFilter,
        limit: Limit,
        cursor: Option<&PageCursor>,
    ) -> Result<Page<Room>, ChatError> {
        let state = self.state();
        let keys = state
            .by_activity
            .iter()
            .rev()
            .copied()
            .filter(|(_, id)| filter.admits(&state.rooms[id]));
        state.page(keys, limit, cursor)
    }
}

#[async_trait]
impl MessageStore for MemoryStore {
    async fn append(
        &self,
        message: &Message,
        change: &RoomChange,
        charges: &[Charge],
    ) -> Result<Appended, ChatError> {
        let mut state = self.state();
        let standing = change.standing(state.rooms.get(&message.room_id));
        let room = match standing {
            Standing::Missing => return Err(ChatError::room_not_found()),
            Standing::OtherStatus(room)
            | Standing::OtherAssignee(room)
            | Standing::Expected(room) => room,
        };
        let guard = message
            .client_msg_id
            .clone()
            .map(|id| (message.room_id, id));
        if let Some(earlier) = guard.as_ref().and_then(|g| state.client_msg_ids.get(g)) {
            let earlier = state.messages[&message.room_id][earlier].clone();
            return Ok(Appended::Duplicate(earlier));
        }
        match standing {
            Standing::OtherStatus(_) => return Err(ChatError::room_closed()),
            Standing::OtherAssignee(_) => {
                return Err(anyhow::anyhow!("a send expects no assignee").into());
            }
            Standing::Missing | Standing::Expected(_) => {}
        }
        let counted = |key: &str| state.rate_counters.get(key).map_or(0, |(count, _)| *count);
        if let Some(full) = charges.iter().find(|c| counted(&c.key) >= c.max) {
            return Err(ChatError::RateLimited {
                retry_after_secs: full.retry_after_secs,
            });
        }
        let room = change.apply(room);
        for charge in charges {
            let counter = state
                .rate_counters
                .entry(charge.key.clone())
                .or_insert((0, charge.expires_at));
            counter.0 += 1;
        }
        if let Some(guard) = guard {
            state.client_msg_ids.insert(guard, message.id);
        }
        state
            .messages
            .entry(message.room_id)
            .or_default()
            .insert(message.id, message.clone());
        state.put_room(room);
        Ok(Appended::Stored)
    }

    async fn list_messages(
        &self,
        room: RoomId,
        window: MessageWindow,
        limit: Limit,
        reader: Reader,
    ) -> Result<MessagePage<Message>, ChatError> {
        let state = self.state();
        let Some(all) = state.messages.get(&room) else {
            return Ok(MessagePage {
                messages: Vec::new(),
                next: None,
            });
        };
        let limit = limit.get();
        let page = match window {
            MessageWindow::After(after) => {
                let mut newer = all
                    .range((Bound::Excluded(after), Bound::Unbounded))
                    .filter(|(_, m)| reader.sees(m));
                let messages: Vec<Message> =
                    newer.by_ref().take(limit).map(|(_, m)| m.clone()).collect();
                let more = newer.next().is_some();
                let next = more.then(|| messages.last().map(|m| m.id)).flatten();
                MessagePage { messages, next }
            }
            MessageWindow::Newest | MessageWindow::Before(_) => {
                let upper = match window {
                    MessageWindow::Before(before) => Bound::Excluded(before),
                    _ => Bound::Unbounded,
                };
                let mut older = all
                    .range((Bound::Unbounded, upper))
                    .rev()
                    .filter(|(_, m)| reader.sees(m));
                let mut messages: Vec<Message> =
                    older.by_ref().take(limit).map(|(_, m)| m.clone()).collect();
                messages.reverse();
                let more = older.next().is_some();
                let next = more.then(|| messages.first().map(|m| m.id)).flatten();
                MessagePage { messages, next }
            }
        };
        Ok(page)
    }
}

#[async_trait]
impl AgentStore for MemoryStore {
    async fn find_agent(&self, username: &Username) -> Result<Option<Agent>, ChatError> {
        Ok(self.state().agents.get(username).cloned())
    }

    async fn insert_agent_if_absent(&self, agent: &Agent) -> Result<bool, ChatError> {
        let mut state = self.state();
        if state.agents.contains_key(&agent.username) {
            return Ok(false);
        }
        state.agents.insert(agent.username.clone(), agent.clone());
        Ok(true)
    }

    async fn list_agents(&self) -> Result<Vec<Agent>, ChatError> {
        Ok(self.state().agents.values().cloned().collect())
    }

    async fn find_agent_by_id(&self, id: AgentId) -> Result<Option<Agent>, ChatError> {
        let state = self.state();
        Ok(state.agents.values().find(|agent| agent.id == id).cloned())
    }

    async fn set_password(
        &self,
        agent: &Agent,
        password_hash: String,
    ) -> Result<Option<Agent>, ChatError> {
        Ok(self.state().update_agent(agent, |stored| {
            stored.password_hash = password_hash;
            stored.password_generation += 1;
        }))
    }

    async fn set_agent_flag(
        &self,
        agent: &Agent,
        flag: AgentFlag,
        value: bool,
    ) -> Result<Option<Agent>, ChatError> {
        Ok(self.state().update_agent(agent, |stored| match flag {
            AgentFlag::Active => stored.active = value,
            AgentFlag::Away => stored.away = value,
        }))
    }
}

#[async_trait]
impl ConnectionStore for MemoryStore {
    async fn add_connection(&self, connection: &Connection) -> Result<(), ChatError> {
        let mut state = self.state();
        if state.connections.len() >= state.sweep_connections_at {
            state.sweep_expired_connections(connection.connected_at);
        }
        state.forget_connection(&connection.id);
        match &connection.party {
            Party::Customer { room, .. } => {
                state
                    .room_connections
                    .entry(*room)
                    .or_default()
                    .insert(connection.id.clone());
            }
            Party::Agent(_) => {
                state.agent_connections.insert(connection.id.clone());
            }
        }
        state
            .connections
            .insert(connection.id.clone(), connection.clone());
        Ok(())
    }

    async fn get_connection(
        &self,
        id: &ConnectionId,
        now: Timestamp,
    ) -> Result<Option<Connection>, ChatError> {
        let state = self.state();
        Ok(state
            .connections
            .get(id)
            .filter(|c| c.expires_at > now)
            .cloned())
    }

    async fn remove_connection(&self, id: &ConnectionId) -> Result<Option<Connection>, ChatError> {
        Ok(self.state().forget_connection(id))
    }

    async fn room_connections(
        &self,
        room: RoomId,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, ChatError> {
        let state = self.state();
        Ok(state.live(state.room_connections.get(&room), now))
    }

    async fn agent_connections(&self, now: Timestamp) -> Result<Vec<ConnectionId>, ChatError> {
        let state = self.state();
        Ok(state.live(Some(&state.agent_connections), now))
    }

    async fn agent_connections_by_agent(
        &self,
        now: Timestamp,
    ) -> Result<Vec<(AgentId, ConnectionId)>, ChatError> {
        let state = self.state();
        let live = state.live(Some(&state.agent_connections), now);
        Ok(live
            .into_iter()
            .filter_map(|id| match &state.connections[&id].party {
                Party::Agent(agent) => Some((agent.id, id)),
                Party::Customer { .. } => None,
            })
            .collect())
    }

    async fn expired_agent_connections(
        &self,
        now: Timestamp,
    ) -> Result<Vec<ConnectionId>, ChatError> {
        let state = self.state();
        Ok(state
            .agent_connections
            .iter()
            .filter(|id| state.connections[*id].expires_at <= now)
            .cloned()
            .collect())
    }
}

impl State {
    /// Whether a response other than `except` has `code`.
    fn code_taken(&self, code: &str, except: CannedResponseId) -> bool {
        self.canned
            .values()
            .any(|other| other.id != except && other.short_code.as_str() == code)
    }
}

#[async_trait]
impl CannedStore for MemoryStore {
    async fn insert_canned(&self, response: &CannedResponse) -> Result<CannedWrite, ChatError> {
        let mut state = self.state();
        if state.code_taken(response.short_code.as_str(), response.id) {
            return Ok(CannedWrite::CodeTaken);
        }
        state.canned.insert(response.id, response.clone());
        Ok(CannedWrite::Written)
    }

    async fn list_canned(&self) -> Result<Vec<CannedResponse>, ChatError> {
        Ok(self.state().canned.values().cloned().collect())
    }

    async fn get_canned(&self, id: CannedResponseId) -> Result<Option<CannedResponse>, ChatError> {
        Ok(self.state().canned.get(&id).cloned())
    }

    async fn replace_canned(
        &self,
        old: &CannedResponse,
        new: &CannedResponse,
    ) -> Result<CannedWrite, ChatError> {
        let mut state = self.state();
        if state.canned.get(&old.id) != Some(old) {
            return Ok(CannedWrite::Changed);
        }
        if state.code_taken(new.short_code.as_str(), old.id) {
            return Ok(CannedWrite::CodeTaken);
        }
        state.canned.insert(old.id, new.clone());
        Ok(CannedWrite::Written)
    }

    async fn delete_canned(&self, response: &CannedResponse) -> Result<CannedWrite, ChatError> {
        let mut state = self.state();
        if state.canned.get(&response.id) != Some(response) {
            return Ok(CannedWrite::Changed);
        }
        state.canned.remove(&response.id);
        Ok(CannedWrite::Written)
    }
}

#[async_trait]
impl AttachmentStore for MemoryStore {
    async fn insert_attachment(&self, attachment: &Attachment) -> Result<(), ChatError> {
        let mut state = self.state();
        if state.attachments.len() >= state.sweep_attachments_at {
            let now = attachment.created_at;
            state
                .attachments
                .retain(|_, kept| kept.message_id.is_some() || kept.unsent_until() > now);
            state.sweep_attachments_at = (state.attachments.len() * 2).max(1024);
        }
        let key = (attachment.room_id, attachment.id);
        if state.attachments.contains_key(&key) {
            return Err(anyhow::anyhow!("attachment {} exists already", attachment.id).into());
        }
        state.attachments.insert(key, attachment.clone());
        Ok(())
    }

    async fn get_attachment(
        &self,
        room: RoomId,
        id: AttachmentId,
    ) -> Result<Option<Attachment>, ChatError> {
        Ok(self.state().attachments.get(&(room, id)).cloned())
    }
}

#[async_trait]
impl RateCounters for MemoryStore {
    async fn count_up_to(
        &self,
        key: &str,
        max: u32,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Result<bool, ChatError> {
        let mut state = self.state();
        if state.rate_counters.len() >= state.sweep_counters_at {
            state.rate_counters.retain(|_, (_, expires)| *expires > now);
            state.sweep_counters_at = (state.rate_counters.len() * 2).max(1024);
        }
        let counter = state
            .rate_counters
            .entry(key.to_owned())
            .or_insert((0, expires_at));
        if counter.0 >= max {
            return Ok(false);
        }
        counter.0 += 1;
        Ok(true)
    }

    async fn counted(&self, key: &str, now: Timestamp) -> Result<u32, ChatError> {
        let state = self.state();
        Ok(state
            .rate_counters
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map_or(0, |(count, _)| *count))
    }
}

#[async_trait]
impl StoreHealth for MemoryStore {
    /// In this process's memory: it answers while the process does.
    async fn answers(&self) -> Result<(), ChatError> {
        drop(self.state());
        Ok(())
    }
}
