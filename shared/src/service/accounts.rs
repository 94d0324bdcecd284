//! Agents signing in, refreshing their access, and being created.

use std::net::IpAddr;

use crate::auth::{hash_password, verify_password};
use crate::domain::AgentIdentity;
use crate::domain::{Agent, AgentId, DisplayName, Role, Username};
use crate::error::ChatError;
use crate::input::{ChangePassword, Login, NewPassword, Refresh};
use crate::rate::CounterKey;

use super::ChatService;

#[derive(Clone, Debug)]
pub struct LoggedIn {
    pub access: String,
    pub refresh: String,
    pub agent: Agent,
}

const BAD_LOGIN: ChatError = ChatError::Unauthorized("invalid username or password");

impl ChatService {
    /// Unknown user and wrong password answer the same 401 after the same work. A username or
    /// a source that failed too often is refused (429) before any password is checked, the
    /// right one included, until its window ends.
    pub async fn login(&self, input: Login, source: Option<IpAddr>) -> Result<LoggedIn, ChatError> {
        let limits = self.limits.clone();
        let by_username = CounterKey::failed_logins_of(&input.username);
        let by_source = source.map(CounterKey::failed_logins_from);
        self.ensure_below(limits.failed_logins_per_username, &by_username)
            .await?;
        if let Some(by_source) = &by_source {
            self.ensure_below(limits.failed_logins_per_ip, by_source)
                .await?;
        }
        let logged_in = self.verify_login(input).await;
        if let Err(ChatError::Unauthorized(_)) = &logged_in {
            self.count_failure(limits.failed_logins_per_username, &by_username)
                .await?;
            if let Some(by_source) = &by_source {
                self.count_failure(limits.failed_logins_per_ip, by_source)
                    .await?;
            }
        }
        logged_in
    }

    async fn verify_login(&self, input: Login) -> Result<LoggedIn, ChatError> {
        let agent = match Username::parse(&input.username) {
            Ok(username) => self.store.find_agent(&username).await?,
            Err(_) => None,
        };
        let hash = agent.as_ref().map(|agent| agent.password_hash.clone());
        let verified = verify_password(input.password, hash).await?;
        // A deactivated agent gets the same answer, after the same work.
        let agent = agent
            .filter(|agent| verified && agent.active)
            .ok_or(BAD_LOGIN)?;
        let now = self.clock.now();
        Ok(LoggedIn {
            access: self.keys.issue_access(&agent, now)?,
            refresh: self.keys.issue_refresh(&agent, now)?,
            agent,
        })
    }

    /// A new access token for a refresh token whose agent still exists and is active, and
    /// whose password has not changed since, with the agent's current role and name.
    pub async fn refresh(&self, input: Refresh) -> Result<String, ChatError> {
        let now = self.clock.now();
        let (identity, generation) = self.keys.refresh_identity(&input.refresh, now)?;
        let agent = self
            .store
            .find_agent(&identity.username)
            .await?
            .filter(|agent| {
                agent.id == identity.id && agent.active && agent.password_generation == generation
            })
            .ok_or_else(ChatError::invalid_token)?;
        self.keys.issue_access(&agent, now)
    }

    /// Changes the caller's password. A wrong current password is 401, before the new one is
    /// checked, and counts as a failed sign-in of the username (so the same limit holds
    /// against guessing it here); refresh tokens issued before are refused from then on.
    pub async fn change_password(
        &self,
        by: &AgentIdentity,
        input: ChangePassword,
    ) -> Result<(), ChatError> {
        let wrong = ChatError::Unauthorized("the current password is wrong");
        let limit = self.limits.failed_logins_per_username;
        let by_username = CounterKey::failed_logins_of(by.username.as_str());
        self.ensure_below(limit, &by_username).await?;
        let agent = self
            .store
            .find_agent(&by.username)
            .await?
            .filter(|agent| agent.id == by.id && agent.active);
        let hash = agent.as_ref().map(|agent| agent.password_hash.clone());
        let verified = verify_password(input.current_password, hash).await?;
        let Some(agent) = agent.filter(|_| verified) else {
            self.count_failure(limit, &by_username).await?;
            return Err(wrong);
        };
        let new_password = NewPassword::parse("new_password", &input.new_password)?;
        let hash = hash_password(new_password.into_inner()).await?;
        self.store
            .set_password(&agent, hash)
            .await?
            .map(drop)
            .ok_or(wrong)
    }

    /// Creates the agent unless one with that username exists; tells whether it did.
    pub async fn ensure_agent(
        &self,
        username: Username,
        password: String,
        display_name: DisplayName,
        role: Role,
    ) -> Result<bool, ChatError> {
        if self.store.find_agent(&username).await?.is_some() {
            return Ok(false);
        }
        let agent = Agent::new(
            AgentId::from_ulid(self.clock.next_id()),
            username,
            display_name,
            role,
            hash_password(password).await?,
        );
        self.store.insert_agent_if_absent(&agent).await
    }
}
