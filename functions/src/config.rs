//! The process's configuration, read once at start from the environment.

use anyhow::{Context, bail};

/// The shortest `JWT_SECRET` accepted: HS256 wants a key at least as long as its hash.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Config {
    /// Signs and verifies every token (`JWT_SECRET`).
    pub jwt_secret: Vec<u8>,
    /// Where API Gateway's Management API is (`WEBSOCKET_ENDPOINT`), for pushes.
    pub websocket_endpoint: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config").finish_non_exhaustive()
    }
}

impl Config {
    /// Reads the environment of a deployed function. A missing or weak variable fails the start
    /// with its name.
    pub fn from_env() -> anyhow::Result<Self> {
        let secret = std::env::var("JWT_SECRET").context("JWT_SECRET is not set")?;
        let mut config = Self::with_secret(secret.into_bytes())?;
        config.websocket_endpoint = std::env::var("WEBSOCKET_ENDPOINT").ok();
        Ok(config)
    }

    pub fn with_secret(jwt_secret: Vec<u8>) -> anyhow::Result<Self> {
        if jwt_secret.len() < MIN_SECRET_BYTES {
            bail!("JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes");
        }
        Ok(Self {
            jwt_secret,
            websocket_endpoint: None,
        })
    }
}
