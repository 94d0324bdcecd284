//! The one error type of the chat, and its one mapping to API.md's status codes and error body,
//! used by REST responses and WebSocket `error` events alike.

use std::borrow::Cow;

use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// Body is not JSON, a field has the wrong JSON type, an unknown WebSocket action.
    #[error("{0}")]
    BadRequest(Cow<'static, str>),
    /// A field breaks one of API.md's rules; `field` names it.
    #[error("{message}")]
    Validation {
        field: &'static str,
        message: Cow<'static, str>,
    },
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such thing, or one the caller may not see: existence is never leaked.
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    /// A known path called with a method none of its routes takes.
    #[error("this path does not answer that method")]
    MethodNotAllowed,
    #[error("request body is larger than 64 KiB")]
    PayloadTooLarge,
    #[error("too many requests, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Anything unexpected. The cause chain is logged where the error is answered, and never
    /// shown to the client.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ChatError {
    pub fn validation(field: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::Validation {
            field,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::BadRequest(message.into())
    }

    pub const fn room_not_found() -> Self {
        Self::NotFound("chat room not found")
    }

    /// A message to a closed room (only the notice of the close goes there).
    pub const fn room_closed() -> Self {
        Self::Conflict("chat room is closed")
    }

    pub const fn invalid_token() -> Self {
        Self::Unauthorized("missing, invalid or expired token")
    }

    pub const fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Validation { .. } => 422,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::MethodNotAllowed => 405,
            Self::PayloadTooLarge => 413,
            Self::RateLimited { .. } => 429,
            Self::Internal(_) => 500,
        }
    }

    pub const fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Validation { .. } => "validation_error",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal(_) => "internal",
        }
    }

    /// The `{"error": {...}}` object of API.md. An internal error says nothing of its cause.
    pub fn body(&self) -> Value {
        let message = match self {
            Self::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        let mut error = json!({ "code": self.code(), "message": message });
        match self {
            Self::Validation { field, .. } => error["field"] = json!(field),
            // Over WebSocket there is no Retry-After header: the body says it too.
            Self::RateLimited { retry_after_secs } => {
                error["retry_after"] = json!(retry_after_secs)
            }
            _ => {}
        }
        json!({ "error": error })
    }

    /// Logs what the client is not told: the cause chain of an internal error.
    pub fn log_if_internal(&self) {
        if let Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_names_the_field() {
        let body = ChatError::validation("content", "content must not be empty").body();
        assert_eq!(
            body,
            json!({"error": {"code": "validation_error", "message": "content must not be empty", "field": "content"}})
        );
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let err = ChatError::from(anyhow::anyhow!("table chat-prod is missing"));
        assert_eq!(err.status(), 500);
        assert!(!err.body().to_string().contains("chat-prod"));
    }
}
