//! Tokens (HS256 JWTs only) and password hashes (argon2).

mod password;
mod tokens;

pub use password::{hash_password, verify_password};
pub use tokens::{TokenKeys, TokenKind};
