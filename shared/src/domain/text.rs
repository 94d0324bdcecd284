//! The text fields of API.md. Each is trimmed, and its length counted in Unicode code points.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::ChatError;

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
    };
}

/// Trims `raw` and checks its length in code points against `min..=max`.
fn trimmed_within(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, ChatError> {
    let trimmed = raw.trim();
    let length = trimmed.chars().count();
    if length < min {
        return Err(ChatError::validation(
            field,
            format!("{field} must not be empty"),
        ));
    }
    if length > max {
        return Err(ChatError::validation(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

text_type!(
    /// 1–100 characters after trimming.
    CustomerName
);
impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        trimmed_within("customer_name", raw, 1, 100).map(Self)
    }
}

text_type!(
    /// A plausible address of at most 254 characters: one `@`, something before it, a dotted
    /// domain after it, and no white space or control characters.
    CustomerEmail
);
impl CustomerEmail {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        let email = trimmed_within("customer_email", raw, 1, 254)?;
        let implausible = || {
            ChatError::validation(
                "customer_email",
                "customer_email is not a valid email address",
            )
        };
        let (local, domain) = email.split_once('@').ok_or_else(implausible)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..");
        let clean = !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if local.is_empty() || local.chars().count() > 64 || !domain_ok || !clean {
            return Err(implausible());
        }
        Ok(Self(email))
    }
}

text_type!(
    /// Up to 200 characters after trimming; a blank subject is no subject.
    Subject
);
impl Subject {
    pub fn parse(raw: &str) -> Result<Option<Self>, ChatError> {
        let subject = trimmed_within("subject", raw, 0, 200)?;
        Ok((!subject.is_empty()).then_some(Self(subject)))
    }
}

text_type!(
    /// A message's text: 1–4000 characters after trimming (white space only is empty).
    MessageContent
);
impl MessageContent {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        trimmed_within("content", raw, 1, 4000).map(Self)
    }
}

text_type!(
    /// The sender's idempotency key: 1–64 characters of `[A-Za-z0-9_-]`.
    ClientMsgId
);
impl ClientMsgId {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        let valid_chars = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if raw.is_empty() || raw.len() > 64 || !valid_chars {
            return Err(ChatError::validation(
                "client_msg_id",
                "client_msg_id must be 1-64 characters of A-Z, a-z, 0-9, _ and -",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

text_type!(
    /// An agent's login name: 1–150 characters, no surrounding white space.
    Username
);
impl Username {
    /// A username as given to sign in: any agent's, including one made before the rules of
    /// new usernames.
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        trimmed_within("username", raw, 1, 150).map(Self)
    }

    /// A new agent's username: 3–32 of `[a-z0-9_.-]` (API.md).
    pub fn parse_new(raw: &str) -> Result<Self, ChatError> {
        let plain = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
        if !(3..=32).contains(&raw.len()) || !plain {
            return Err(ChatError::validation(
                "username",
                "username must be 3 to 32 of a-z, 0-9, _ . -",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

text_type!(
    /// A canned response's short code, typed after `/`: 1–32 of `[a-z0-9_-]`.
    ShortCode
);
impl ShortCode {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        let plain = raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b));
        if !(1..=32).contains(&raw.len()) || !plain {
            return Err(ChatError::validation(
                "short_code",
                "short_code must be 1 to 32 of a-z, 0-9, _ and -",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

text_type!(
    /// An attachment's file name, as given (never trimmed): 1–255 characters, no `/` or `\`
    /// (it names a file, never a path) and no control character (Unicode category Cc).
    AttachmentFilename
);
impl AttachmentFilename {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        let length = raw.chars().count();
        if !(1..=255).contains(&length) {
            return Err(ChatError::validation(
                "filename",
                "filename must be 1 to 255 characters",
            ));
        }
        if raw.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
            return Err(ChatError::validation(
                "filename",
                "filename must not contain / or \\ or control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

text_type!(
    /// The name an agent's messages carry: 1–100 characters after trimming.
    DisplayName
);
impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, ChatError> {
        trimmed_within("display_name", raw, 1, 100).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: ChatError) -> &'static str {
        match err {
            ChatError::Validation { field, .. } => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_counted_in_code_points() {
        assert_eq!(CustomerName::parse("  Ada ").unwrap().as_str(), "Ada");
        assert!(CustomerName::parse(&"中".repeat(100)).is_ok());
        assert_eq!(
            field_of(CustomerName::parse(&"中".repeat(101)).unwrap_err()),
            "customer_name"
        );
        assert_eq!(
            field_of(CustomerName::parse(" \t\n").unwrap_err()),
            "customer_name"
        );
    }

    #[test]
    fn content_rules() {
        assert_eq!(MessageContent::parse("  hi  ").unwrap().as_str(), "hi");
        assert!(MessageContent::parse(&"é".repeat(4000)).is_ok());
        assert_eq!(
            field_of(MessageContent::parse(&"x".repeat(4001)).unwrap_err()),
            "content"
        );
        assert_eq!(
            field_of(MessageContent::parse("   \n ").unwrap_err()),
            "content"
        );
    }

    #[test]
    fn emails_must_be_plausible() {
        for ok in [
            "ada@example.com",
            "a.b+c@mail.example.org",
            " ada@example.com ",
        ] {
            assert!(CustomerEmail::parse(ok).is_ok(), "{ok}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@example.com",
            "ada@.example.com",
            "ada@example..com",
            long.as_str(),
        ] {
            assert_eq!(
                field_of(CustomerEmail::parse(bad).unwrap_err()),
                "customer_email",
                "{bad}"
            );
        }
    }

    #[test]
    fn blank_subject_is_none_and_long_one_is_rejected() {
        assert_eq!(Subject::parse("  ").unwrap(), None);
        assert_eq!(
            Subject::parse(" Billing ").unwrap().unwrap().as_str(),
            "Billing"
        );
        assert!(Subject::parse(&"s".repeat(200)).unwrap().is_some());
        assert_eq!(
            field_of(Subject::parse(&"s".repeat(201)).unwrap_err()),
            "subject"
        );
    }

    #[test]
    fn client_msg_ids() {
        assert!(ClientMsgId::parse("c-123_ABC").is_ok());
        assert!(ClientMsgId::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "a b", "é", "x/y", &"a".repeat(65)] {
            assert_eq!(
                field_of(ClientMsgId::parse(bad).unwrap_err()),
                "client_msg_id",
                "{bad}"
            );
        }
    }
}
