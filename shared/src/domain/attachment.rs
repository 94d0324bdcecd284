//! Attachments (API.md "Attachments"): a file a customer or an agent uploads straight to the
//! object store with a presigned request, then sends with a message. The chat keeps a record
//! of each; the bytes never pass through a function.

use std::time::Duration;

use super::{AttachmentFilename, AttachmentId, MessageId, RoomId, SenderType, Timestamp};
use crate::error::ChatError;

/// How long an upload slot's presigned PUT is valid.
pub const UPLOAD_VALID_FOR: Duration = Duration::from_secs(5 * 60);

/// How long an upload may wait for its message: after that, never sent, it is deleted.
pub const UNSENT_KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// What may be uploaded: the settings `MAX_ATTACHMENT_BYTES` and `ATTACHMENT_TYPES`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRules {
    pub max_bytes: u64,
    /// Media types, lowercase, without parameters.
    pub types: Vec<String>,
}

impl Default for AttachmentRules {
    /// API.md's: 10 MiB of a picture, a PDF or plain text.
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            types: [
                "image/png",
                "image/jpeg",
                "image/gif",
                "image/webp",
                "application/pdf",
                "text/plain",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

impl AttachmentRules {
    /// The defaults, each replaced by its environment variable when set: `MAX_ATTACHMENT_BYTES`
    /// (a whole number of bytes) and `ATTACHMENT_TYPES` (comma-separated media types).
    pub fn from_env() -> Result<Self, String> {
        let mut rules = Self::default();
        if let Ok(raw) = std::env::var("MAX_ATTACHMENT_BYTES") {
            rules.max_bytes = raw
                .trim()
                .parse()
                .ok()
                .filter(|max| *max > 0)
                .ok_or_else(|| format!("MAX_ATTACHMENT_BYTES: {raw:?} is not a number of bytes"))?;
        }
        if let Ok(raw) = std::env::var("ATTACHMENT_TYPES") {
            let types: Vec<String> = raw
                .split(',')
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect();
            if let Some(odd) = types.iter().find(|t| !is_plain_media_type(t)) {
                return Err(format!(
                    "ATTACHMENT_TYPES: {odd:?} is not a lowercase media type without parameters"
                ));
            }
            rules.types = types;
        }
        Ok(rules)
    }
}

/// `type/subtype` of lowercase letters, digits and `.+-`, with nothing after it.
fn is_plain_media_type(text: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".+-".contains(&b))
    };
    matches!(text.split_once('/'), Some((kind, sub)) if token(kind) && token(sub))
}

/// A media type the rules allow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentType(String);

impl AttachmentType {
    pub fn parse(raw: &str, rules: &AttachmentRules) -> Result<Self, ChatError> {
        if !rules.types.iter().any(|allowed| allowed == raw) {
            return Err(ChatError::validation(
                "content_type",
                format!(
                    "content_type must be one of {} (lowercase, without parameters)",
                    rules.types.join(", ")
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A type already checked, as stored.
    pub fn stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Pictures are shown in the page; anything else is downloaded.
    pub fn is_image(&self) -> bool {
        self.0.starts_with("image/")
    }
}

/// A size the rules allow: 1 byte to `max_bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AttachmentSize(u64);

impl AttachmentSize {
    pub fn parse(raw: i64, rules: &AttachmentRules) -> Result<Self, ChatError> {
        match u64::try_from(raw) {
            Ok(size) if (1..=rules.max_bytes).contains(&size) => Ok(Self(size)),
            _ => Err(ChatError::validation(
                "size",
                format!("size must be 1 to {} bytes", rules.max_bytes),
            )),
        }
    }

    /// A size already checked, as stored.
    pub fn stored(bytes: u64) -> Self {
        Self(bytes)
    }

    pub fn bytes(self) -> u64 {
        self.0
    }
}

/// One upload of a room, from the slot that was made for it until (and after) it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub room_id: RoomId,
    pub filename: AttachmentFilename,
    pub content_type: AttachmentType,
    pub size: AttachmentSize,
    /// Who made the slot: a customer's upload can only be sent by the room's customer, an
    /// agent's by an agent.
    pub uploaded_by: SenderType,
    pub created_at: Timestamp,
    /// The message it was sent with; `None` while unsent.
    pub message_id: Option<MessageId>,
}

impl Attachment {
    /// Its object's key: under its room's prefix, named by its id alone (the file name is
    /// given back as the download's name, never in the key).
    pub fn object_key(&self) -> String {
        format!("rooms/{}/{}", self.room_id, self.id)
    }

    /// How a browser opening its URL treats it (RFC 6266): pictures in the page, anything
    /// else downloaded, under its own name (RFC 8187 for any character, with a plain ASCII
    /// fallback for old clients).
    pub fn content_disposition(&self) -> String {
        let kind = if self.content_type.is_image() {
            "inline"
        } else {
            "attachment"
        };
        let name = self.filename.as_str();
        let fallback: String = name
            .chars()
            .map(|c| match c {
                ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
                _ => '_',
            })
            .collect();
        let mut encoded = String::new();
        for byte in name.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    encoded.push(byte as char)
                }
                _ => encoded.push_str(&format!("%{byte:02X}")),
            }
        }
        format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
    }

    /// When it is deleted if it was never sent.
    pub fn unsent_until(&self) -> Timestamp {
        self.created_at
            .plus_seconds(UNSENT_KEPT_FOR.as_secs() as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<impl std::fmt::Debug, ChatError>) -> &'static str {
        match result.unwrap_err() {
            ChatError::Validation { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn types_are_the_allowed_ones_exactly_as_written() {
        let rules = AttachmentRules::default();
        assert!(
            AttachmentType::parse("image/png", &rules)
                .unwrap()
                .is_image()
        );
        assert!(
            !AttachmentType::parse("application/pdf", &rules)
                .unwrap()
                .is_image()
        );
        for odd in [
            "IMAGE/PNG",
            "image/png; charset=x",
            "image/svg+xml",
            "",
            "text/html",
        ] {
            assert_eq!(field(AttachmentType::parse(odd, &rules)), "content_type");
        }
    }

    #[test]
    fn sizes_run_from_one_byte_to_the_maximum() {
        let rules = AttachmentRules::default();
        assert_eq!(AttachmentSize::parse(1, &rules).unwrap().bytes(), 1);
        let max = rules.max_bytes as i64;
        assert_eq!(
            AttachmentSize::parse(max, &rules).unwrap().bytes(),
            10 << 20
        );
        for odd in [0, -1, max + 1, i64::MIN] {
            assert_eq!(field(AttachmentSize::parse(odd, &rules)), "size");
        }
    }

    #[test]
    fn file_names_are_names_not_paths() {
        assert!(AttachmentFilename::parse("screen shot (2).png").is_ok());
        assert!(AttachmentFilename::parse("отчёт.pdf").is_ok());
        assert!(AttachmentFilename::parse(&"é".repeat(255)).is_ok());
        for odd in [
            String::new(),
            "é".repeat(256),
            "../etc/passwd".to_owned(),
            "a\\b.png".to_owned(),
            "line\nbreak.txt".to_owned(),
            "nul\0.txt".to_owned(),
            "bell\u{7}.txt".to_owned(),
            "c1\u{85}.txt".to_owned(),
        ] {
            assert_eq!(
                field(AttachmentFilename::parse(&odd)),
                "filename",
                "{odd:?}"
            );
        }
    }

    #[test]
    fn pictures_open_inline_and_other_files_download_under_their_own_name() {
        let rules = AttachmentRules::default();
        let of = |name: &str, kind: &str| Attachment {
            id: AttachmentId::from_ulid(ulid::Ulid::nil()),
            room_id: RoomId::from_ulid(ulid::Ulid::nil()),
            filename: AttachmentFilename::parse(name).unwrap(),
            content_type: AttachmentType::parse(kind, &rules).unwrap(),
            size: AttachmentSize::parse(1, &rules).unwrap(),
            uploaded_by: SenderType::Customer,
            created_at: Timestamp::from_unix_millis(0),
            message_id: None,
        };
        assert_eq!(
            of("shot.png", "image/png").content_disposition(),
            "inline; filename=\"shot.png\"; filename*=UTF-8''shot.png"
        );
        assert_eq!(
            of("Счёт \"1\" 100%.pdf", "application/pdf").content_disposition(),
            "attachment; filename=\"____ _1_ 100_.pdf\"; \
             filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82%20%221%22%20100%25.pdf"
        );
    }

    #[test]
    fn media_type_settings_are_plain_lowercase_types() {
        assert!(is_plain_media_type("image/png"));
        assert!(is_plain_media_type("application/vnd.ms-excel"));
        for odd in [
            "image",
            "Image/png",
            "text/plain; charset=utf-8",
            "/x",
            "x/",
        ] {
            assert!(!is_plain_media_type(odd), "{odd}");
        }
    }
}
