use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::{
    Agent, AgentId, AgentIdentity, Caller, CustomerName, DisplayName, Role, Timestamp, Username,
    VisitorId, VisitorIdentity,
};
use crate::error::ChatError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Access,
    Refresh,
    Customer,
}

impl TokenKind {
    const fn lifetime_seconds(self) -> i64 {
        match self {
            Self::Access => 15 * 60,
            Self::Refresh => 7 * 24 * 3600,
            Self::Customer => 30 * 24 * 3600,
        }
    }
}

/// A token's claims. `exp` and `iat` are required: a token without them does not decode.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    typ: TokenKind,
    iat: i64,
    exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    /// The name messages are signed with: the agent's display name, or the customer's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// Refresh tokens: the agent's password generation when issued (none: 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pwg: Option<u32>,
}

/// The signing keys, derived once per process from `JWT_SECRET`.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

/// Clock skew tolerated on `iat` between the instance that issued a token and this one.
const IAT_LEEWAY_SECONDS: i64 = 60;

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        // Only HS256. `exp` and `iat` are checked below against the service's clock, so tests
        // can move time; the library still checks the signature and the algorithm.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    fn issue(&self, claims: &Claims) -> Result<String, ChatError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ChatError::Internal(anyhow::Error::new(e).context("signing a token")))
    }

    fn agent_token(
        &self,
        kind: TokenKind,
        agent: &Agent,
        now: Timestamp,
    ) -> Result<String, ChatError> {
        self.issue(&Claims {
            sub: agent.id.to_string(),
            typ: kind,
            iat: now.unix_seconds(),
            exp: now.unix_seconds() + kind.lifetime_seconds(),
            username: Some(agent.username.to_string()),
            role: Some(agent.role),
            name: Some(agent.display_name.to_string()),
            pwg: (kind == TokenKind::Refresh).then_some(agent.password_generation),
        })
    }

    pub fn issue_access(&self, agent: &Agent, now: Timestamp) -> Result<String, ChatError> {
        self.agent_token(TokenKind::Access, agent, now)
    }

    pub fn issue_refresh(&self, agent: &Agent, now: Timestamp) -> Result<String, ChatError> {
        self.agent_token(TokenKind::Refresh, agent, now)
    }

    pub fn issue_customer(
        &self,
        visitor: &VisitorIdentity,
        now: Timestamp,
    ) -> Result<String, ChatError> {
        let kind = TokenKind::Customer;
        self.issue(&Claims {
            sub: visitor.id.to_string(),
            typ: kind,
            iat: now.unix_seconds(),
            exp: now.unix_seconds() + kind.lifetime_seconds(),
            username: None,
            role: None,
            name: Some(visitor.name.to_string()),
            pwg: None,
        })
    }

    /// Decodes a token of any kind; every failure is the same 401.
    fn decode(&self, token: &str, now: Timestamp) -> Result<Claims, ChatError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| ChatError::invalid_token())?
            .claims;
        let now = now.unix_seconds();
        if claims.exp <= now || claims.iat > now + IAT_LEEWAY_SECONDS || claims.iat > claims.exp {
            return Err(ChatError::invalid_token());
        }
        Ok(claims)
    }

    fn agent_identity(claims: Claims) -> Result<AgentIdentity, ChatError> {
        let parsed = (
            claims.sub.parse::<AgentId>(),
            claims.username.as_deref().map(Username::parse),
            claims.name.as_deref().map(DisplayName::parse),
            claims.role,
        );
        match parsed {
            (Ok(id), Some(Ok(username)), Some(Ok(display_name)), Some(role)) => Ok(AgentIdentity {
                id,
                username,
                display_name,
                role,
            }),
            _ => Err(ChatError::invalid_token()),
        }
    }

    fn visitor_identity(claims: Claims) -> Result<VisitorIdentity, ChatError> {
        match (
            claims.sub.parse::<VisitorId>(),
            claims.name.as_deref().map(CustomerName::parse),
        ) {
            (Ok(id), Some(Ok(name))) => Ok(VisitorIdentity { id, name }),
            _ => Err(ChatError::invalid_token()),
        }
    }

    /// An access or customer token. Refresh tokens are not credentials for a request.
    pub fn caller(&self, token: &str, now: Timestamp) -> Result<Caller, ChatError> {
        let claims = self.decode(token, now)?;
        match claims.typ {
            TokenKind::Access => Self::agent_identity(claims).map(Caller::Agent),
            TokenKind::Customer => Self::visitor_identity(claims).map(Caller::Visitor),
            TokenKind::Refresh => Err(ChatError::invalid_token()),
        }
    }

    /// A refresh token, and only a refresh token: its agent, and the password generation it
    /// was issued in.
    pub fn refresh_identity(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<(AgentIdentity, u32), ChatError> {
        let claims = self.decode(token, now)?;
        if claims.typ != TokenKind::Refresh {
            return Err(ChatError::invalid_token());
        }
        let generation = claims.pwg.unwrap_or(0);
        Ok((Self::agent_identity(claims)?, generation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ulid::Ulid;

    fn agent() -> Agent {
        Agent::new(
            AgentId::from_ulid(Ulid::from_parts(1, 1)),
            Username::parse("admin").unwrap(),
            DisplayName::parse("Admin").unwrap(),
            Role::Admin,
            String::new(),
        )
    }

    const NOW: Timestamp = Timestamp::from_unix_millis(1_800_000_000_000);

    #[test]
    fn access_tokens_live_fifteen_minutes() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.issue_access(&agent(), NOW).unwrap();
        assert!(matches!(
            keys.caller(&token, NOW.plus_seconds(899)),
            Ok(Caller::Agent(_))
        ));
        assert!(keys.caller(&token, NOW.plus_seconds(900)).is_err());
    }

    #[test]
    fn kinds_are_not_interchangeable() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let refresh = keys.issue_refresh(&agent(), NOW).unwrap();
        let access = keys.issue_access(&agent(), NOW).unwrap();
        assert!(keys.caller(&refresh, NOW).is_err());
        assert!(keys.refresh_identity(&access, NOW).is_err());
        assert!(
            keys.refresh_identity(&refresh, NOW.plus_seconds(7 * 24 * 3600 - 1))
                .is_ok()
        );
    }

    #[test]
    fn another_secret_or_a_future_iat_is_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let other = TokenKeys::new(b"fedcba9876543210fedcba9876543210");
        let visitor = VisitorIdentity {
            id: VisitorId::from_ulid(Ulid::from_parts(2, 2)),
            name: CustomerName::parse("Ada").unwrap(),
        };
        let token = other.issue_customer(&visitor, NOW).unwrap();
        assert!(keys.caller(&token, NOW).is_err());
        let early = keys
            .issue_customer(&visitor, NOW.plus_seconds(3600))
            .unwrap();
        assert!(keys.caller(&early, NOW).is_err());
        let ok = keys.issue_customer(&visitor, NOW).unwrap();
        assert_eq!(keys.caller(&ok, NOW).unwrap(), Caller::Visitor(visitor));
    }
}
