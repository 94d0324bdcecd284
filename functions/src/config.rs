//! The process's configuration, read once at start from the environment.

use anyhow::{Context, bail};
use shared::rate::RateLimits;

/// The shortest `JWT_SECRET` accepted: HS256 wants a key at least as long as its hash.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Config {
    /// Signs and verifies every token (`JWT_SECRET`).
    pub jwt_secret: Vec<u8>,
    /// Where API Gateway's Management API is (`WEBSOCKET_ENDPOINT`), for pushes.
    pub websocket_endpoint: Option<String>,
    /// The DynamoDB table (`TABLE_NAME`).
    pub table_name: Option<String>,
    /// A DynamoDB other than the region's, such as DynamoDB Local (`DYNAMODB_ENDPOINT`).
    pub dynamodb_endpoint: Option<String>,
    /// API.md's rate limits: the defaults, each replaced by its `RATE_LIMIT_*` variable.
    pub rate_limits: RateLimits,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("table_name", &self.table_name)
            .field("websocket_endpoint", &self.websocket_endpoint)
            .field("dynamodb_endpoint", &self.dynamodb_endpoint)
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}

fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

impl Config {
    /// Reads the environment of a deployed function. A missing or weak variable fails the start
    /// with its name.
    pub fn from_env() -> anyhow::Result<Self> {
        let secret = std::env::var("JWT_SECRET").context("JWT_SECRET is not set")?;
        let mut config = Self::with_secret(secret.into_bytes())?;
        config.table_name = Some(optional("TABLE_NAME").context("TABLE_NAME is not set")?);
        config.websocket_endpoint = optional("WEBSOCKET_ENDPOINT");
        config.dynamodb_endpoint = optional("DYNAMODB_ENDPOINT");
        config.rate_limits = RateLimits::from_env().map_err(anyhow::Error::msg)?;
        Ok(config)
    }

    pub fn with_secret(jwt_secret: Vec<u8>) -> anyhow::Result<Self> {
        if jwt_secret.len() < MIN_SECRET_BYTES {
            bail!("JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes");
        }
        Ok(Self {
            jwt_secret,
            websocket_endpoint: None,
            table_name: None,
            dynamodb_endpoint: None,
            rate_limits: RateLimits::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Config, MIN_SECRET_BYTES};

    #[test]
    fn a_deployed_function_refuses_a_short_secret() {
        let short = Config::with_secret(vec![b'x'; MIN_SECRET_BYTES - 1]).unwrap_err();
        assert!(short.to_string().contains("at least 32 bytes"), "{short}");
        assert!(Config::with_secret(Vec::new()).is_err());
        assert!(Config::with_secret(vec![b'x'; MIN_SECRET_BYTES]).is_ok());
        // The secret never shows in the configuration's Debug form (nor so in logs).
        let config = Config::with_secret(b"a secret that is long enough to sign tokens".to_vec());
        assert!(!format!("{:?}", config.unwrap()).contains("long enough"));
    }
}
