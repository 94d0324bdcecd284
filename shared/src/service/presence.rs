//! Presence: an agent's availability follows its connections and its away flag
//! (`Availability::of`), and every change of it is pushed to the agents.

use crate::domain::{Agent, AgentFlag, AgentId, AgentIdentity, Availability, ChosenAvailability};
use crate::domain::{ConnectionId, Timestamp};
use crate::error::ChatError;
use crate::input::SetAvailability;
use futures::future::BoxFuture;

use crate::ports::{Connection, Event, Party};

use super::{ChatService, TeamMember};

impl ChatService {
    /// `set_availability` and `POST /api/admin/presence/`: the agent's away flag, shared by
    /// all its connections. With no connection open the agent stays `offline`.
    pub async fn set_availability(
        &self,
        by: &AgentIdentity,
        input: SetAvailability,
    ) -> Result<TeamMember, ChatError> {
        let agent = self
            .store
            .find_agent(&by.username)
            .await?
            .filter(|agent| agent.id == by.id)
            .ok_or(ChatError::Unauthorized("this agent no longer exists"))?;
        let away = input.availability == ChosenAvailability::Away;
        self.set_agent_flag(&agent, AgentFlag::Away, away)
            .await?
            .ok_or(ChatError::Unauthorized("this agent no longer exists"))
    }

    /// Stores one flag of the agent and tells the agents if that changed its availability;
    /// `None` when the agent's record is gone.
    pub(super) async fn set_agent_flag(
        &self,
        agent: &Agent,
        flag: AgentFlag,
        value: bool,
    ) -> Result<Option<TeamMember>, ChatError> {
        let connected = self.connected(agent.id, None).await?;
        let before = Availability::of(agent, connected);
        let Some(after) = self.store.set_agent_flag(agent, flag, value).await? else {
            return Ok(None);
        };
        let mut member = TeamMember::new(after, connected);
        self.announce_if_changed(before, &member, None).await;
        if before != Availability::Online && member.availability == Availability::Online {
            member.agent = self.take_waiting(member.agent, true).await?;
        }
        Ok(Some(member))
    }

    /// Records an agent's new connection. The first one (coming back from `offline`) clears
    /// the away flag, a second tab does not.
    pub(super) async fn add_agent_connection(
        &self,
        agent: Agent,
        record: &Connection,
    ) -> Result<(), ChatError> {
        // Asked before the write, so the answer does not depend on seeing it.
        let connected_before = self.connected(agent.id, None).await?;
        if connected_before {
            return self.store.add_connection(record).await;
        }
        let agent = match agent.away {
            true => self
                .store
                .set_agent_flag(&agent, AgentFlag::Away, false)
                .await?
                .unwrap_or(agent),
            false => agent,
        };
        // Online now: it takes the rooms waiting for someone. Before its connection is
        // recorded, as API Gateway refuses pushes to a connection still in its `$connect`
        // (the console reads its rooms once connected).
        let agent = self.take_waiting(agent, true).await?;
        self.store.add_connection(record).await?;
        let member = TeamMember::new(agent, true);
        self.announce_if_changed(Availability::Offline, &member, Some(&record.id))
            .await;
        Ok(())
    }

    /// Forgets a connection; an agent's last one makes it `offline`.
    pub async fn disconnect(&self, connection: &ConnectionId) -> Result<(), ChatError> {
        let forgotten = self.store.remove_connection(connection).await?;
        if let Some(Party::Agent(agent)) = forgotten.map(|record| record.party) {
            self.announce_if_gone(&agent, connection).await?;
        }
        Ok(())
    }

    /// Ends the agent connections whose record expired without a `$disconnect` (the socket
    /// died unseen: API Gateway ends every connection within 2 hours, and the record lives a
    /// margin longer): each is closed, in case, and forgotten, and an agent left with no
    /// connection is `offline`, pushed as presence. TTL deletion would forget them days
    /// later and tell nobody, so a schedule runs this every minute. Answers how many ended.
    pub async fn end_expired_connections(&self) -> Result<usize, ChatError> {
        let expired = self
            .store
            .expired_agent_connections(self.clock.now())
            .await?;
        if expired.is_empty() {
            return Ok(0);
        }
        let ended = self.notifier.close(expired).await;
        // One announcement per agent, however many of its connections expired together.
        let mut agents: Vec<(&AgentIdentity, &ConnectionId)> = ended
            .iter()
            .filter_map(|record| match &record.party {
                Party::Agent(agent) => Some((agent, &record.id)),
                Party::Customer { .. } => None,
            })
            .collect();
        agents.sort_by_key(|(agent, _)| agent.id);
        agents.dedup_by_key(|(agent, _)| agent.id);
        for (agent, connection) in agents {
            self.announce_if_gone(agent, connection).await?;
        }
        Ok(ended.len())
    }

    /// After `gone` closed: an agent with no other connection is `offline` now. A deactivated
    /// one was told offline when it was deactivated (which closes its connections).
    async fn announce_if_gone(
        &self,
        agent: &AgentIdentity,
        gone: &ConnectionId,
    ) -> Result<(), ChatError> {
        if self.connected(agent.id, Some(gone)).await? {
            return Ok(());
        }
        let stored = self.store.find_agent(&agent.username).await?;
        if stored.is_some_and(|stored| stored.id == agent.id && stored.active) {
            self.publish(Event::Presence {
                agent: agent.id,
                display_name: agent.display_name.clone(),
                availability: Availability::Offline,
                connecting: None,
            })
            .await;
        }
        Ok(())
    }

    /// Publishes an event. A connection found gone on the way (410, its `$disconnect` never
    /// came) is handled as its `$disconnect` would have been: an agent's last one makes it
    /// `offline`. Boxed: announcing that publishes again.
    pub(super) fn publish(&self, event: Event) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            for gone in self.notifier.publish(event).await {
                if let Party::Agent(agent) = &gone.party
                    && let Err(error) = self.announce_if_gone(agent, &gone.id).await
                {
                    error.log_if_internal();
                }
            }
        })
    }

    /// Whether the agent has a live connection, leaving out `except` (one just closed, which
    /// an eventually consistent read may still list).
    pub(super) async fn connected(
        &self,
        agent: AgentId,
        except: Option<&ConnectionId>,
    ) -> Result<bool, ChatError> {
        let now: Timestamp = self.clock.now();
        Ok(self
            .store
            .agent_connections_by_agent(now)
            .await?
            .iter()
            .any(|(owner, id)| *owner == agent && Some(id) != except))
    }

    async fn announce_if_changed(
        &self,
        before: Availability,
        member: &TeamMember,
        connecting: Option<&ConnectionId>,
    ) {
        if before != member.availability {
            self.publish(Event::Presence {
                agent: member.agent.id,
                display_name: member.agent.display_name.clone(),
                availability: member.availability,
                connecting: connecting.cloned(),
            })
            .await;
        }
    }
}
