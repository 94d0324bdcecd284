use std::sync::OnceLock;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::ChatError;

/// Hashes a password with argon2id (default parameters) on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, ChatError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .context("password hashing task")?
    .map_err(ChatError::Internal)
}

/// Verifies `password` against a PHC hash on a blocking thread. With no hash (an unknown user)
/// it verifies against a dummy hash, so both failures cost the same time and look the same.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, ChatError> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&hash) else {
            tracing::error!("an agent's stored password hash does not parse");
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        known && matches
    })
    .await
    .context("password verification task")
    .map_err(ChatError::Internal)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand_core::OsRng);
        Argon2::default()
            .hash_password(b"no such agent", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_fail() {
        let hash = hash_password("admin123".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("admin123".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("admin124".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!verify_password("no such agent".into(), None).await.unwrap());
    }
}
