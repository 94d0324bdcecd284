//! The team: who the agents are, who is reachable, and the admin's changes to it.

use std::collections::BTreeSet;

use crate::auth::hash_password;
use crate::domain::{Agent, AgentFlag, AgentId, AgentIdentity, Availability, ConnectionId, Role};
use crate::error::ChatError;
use crate::input::NewAgent;

use super::ChatService;

/// An agent as the team list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    pub agent: Agent,
    pub availability: Availability,
}

impl TeamMember {
    pub fn new(agent: Agent, connected: bool) -> Self {
        Self {
            availability: Availability::of(&agent, connected),
            agent,
        }
    }
}

impl ChatService {
    /// The agent of an access token, if an admin; any other agent is 403.
    pub fn admin(&self, bearer: Option<&str>) -> Result<AgentIdentity, ChatError> {
        let agent = self.agent(bearer)?;
        match agent.role {
            Role::Admin => Ok(agent),
            Role::Agent => Err(ChatError::Forbidden("this route is for admins")),
        }
    }

    /// Every agent: active ones first, then by display name (ignoring case), then username.
    pub async fn team(&self) -> Result<Vec<TeamMember>, ChatError> {
        let (agents, connected) = futures::try_join!(
            self.store.list_agents(),
            self.store.agent_connections_by_agent(self.clock.now())
        )?;
        let online: BTreeSet<AgentId> = connected.into_iter().map(|(agent, _)| agent).collect();
        let mut team: Vec<TeamMember> = agents
            .into_iter()
            .map(|agent| {
                let connected = online.contains(&agent.id);
                TeamMember::new(agent, connected)
            })
            .collect();
        team.sort_by_cached_key(|member| {
            let agent = &member.agent;
            (
                !agent.active,
                agent.display_name.as_str().to_lowercase(),
                agent.username.as_str().to_owned(),
            )
        });
        Ok(team)
    }

    /// Whether any active agent is online: all a visitor may know of the team.
    pub async fn anyone_online(&self) -> Result<bool, ChatError> {
        let team = self.team().await?;
        Ok(team
            .iter()
            .any(|member| member.availability == Availability::Online))
    }

    /// A new agent; a username taken is 409.
    pub async fn add_agent(&self, input: NewAgent) -> Result<TeamMember, ChatError> {
        let agent = Agent::new(
            AgentId::from_ulid(self.clock.next_id()),
            input.username,
            input.display_name,
            input.role,
            hash_password(input.password).await?,
        );
        if !self.store.insert_agent_if_absent(&agent).await? {
            return Err(ChatError::Conflict("username is taken"));
        }
        Ok(TeamMember {
            agent,
            availability: Availability::Offline,
        })
    }

    /// Activates or deactivates an agent. A deactivated one cannot sign in, refresh or open a
    /// connection, and its open rooms are unassigned. An admin cannot deactivate themselves.
    pub async fn set_agent_active(
        &self,
        by: &AgentIdentity,
        id: AgentId,
        active: bool,
    ) -> Result<TeamMember, ChatError> {
        if !active && by.id == id {
            return Err(ChatError::validation(
                "id",
                "an admin cannot deactivate themselves",
            ));
        }
        let not_found = || ChatError::NotFound("agent not found");
        let agent = self
            .store
            .find_agent_by_id(id)
            .await?
            .ok_or_else(not_found)?;
        let member = self
            .set_agent_flag(&agent, AgentFlag::Active, active)
            .await?
            .ok_or_else(not_found)?;
        if active {
            return Ok(member);
        }
        // Its sockets: it may not connect any more, so none stays open.
        let now = self.clock.now();
        let sockets: Vec<ConnectionId> = self
            .store
            .agent_connections_by_agent(now)
            .await?
            .into_iter()
            .filter(|(owner, _)| *owner == id)
            .map(|(_, connection)| connection)
            .collect();
        self.notifier.close(sockets).await;
        // Once inactive, no room can be given to the agent (the taking write is conditioned
        // on it), so the rooms listed now are all it will ever hold.
        self.unassign_all(member.agent.id).await?;
        // Its count went to zero with the rooms it gave up.
        let agent = self
            .store
            .find_agent_by_id(id)
            .await?
            .ok_or_else(not_found)?;
        Ok(TeamMember { agent, ..member })
    }
}
