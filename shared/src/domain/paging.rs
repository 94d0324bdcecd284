use crate::error::ChatError;

use super::MessageId;

/// A page size: 1–200, 50 when absent or empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(u16);

impl Limit {
    pub const DEFAULT: Self = Self(50);
    pub const MAX: u16 = 200;

    pub fn parse(raw: Option<&str>) -> Result<Self, ChatError> {
        let Some(raw) = raw.filter(|raw| !raw.is_empty()) else {
            return Ok(Self::DEFAULT);
        };
        match raw.parse::<u16>() {
            Ok(n) if (1..=Self::MAX).contains(&n) => Ok(Self(n)),
            _ => Err(ChatError::validation(
                "limit",
                "limit must be a whole number from 1 to 200",
            )),
        }
    }

    pub const fn new_clamped(n: u16) -> Self {
        Self(if n == 0 {
            1
        } else if n > Self::MAX {
            Self::MAX
        } else {
            n
        })
    }

    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// An opaque position in a room list, as a store wrote it. Only the store that wrote it can
/// read it; a garbled or forged one is a 422 on `cursor` from that store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCursor(String);

impl PageCursor {
    const MAX_LEN: usize = 1024;

    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, ChatError> {
        match raw.filter(|raw| !raw.is_empty()) {
            None => Ok(None),
            Some(raw)
                if raw.len() <= Self::MAX_LEN
                    && raw
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Ok(Some(Self(raw.to_owned())))
            }
            Some(_) => Err(Self::invalid()),
        }
    }

    /// For stores: wraps what they encoded (base64url, no padding).
    pub fn from_encoded(encoded: String) -> Self {
        Self(encoded)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn invalid() -> ChatError {
        ChatError::validation("cursor", "cursor is not valid")
    }
}

/// A page of rooms (or any list) with the cursor of the next page, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageCursor>,
}

/// Which messages of a room to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageWindow {
    /// The newest `limit`.
    Newest,
    /// The `limit` that came right after this id (catch-up after a reconnect).
    After(MessageId),
    /// The `limit` that came right before this id (scrolling back).
    Before(MessageId),
}

impl MessageWindow {
    /// From the `after=` and `before=` query parameters, empty values counting as absent.
    pub fn parse(after: Option<&str>, before: Option<&str>) -> Result<Self, ChatError> {
        let id = |field: &'static str, raw: &str| {
            raw.parse::<MessageId>()
                .map_err(|_| ChatError::validation(field, format!("{field} must be a message id")))
        };
        match (
            after.filter(|s| !s.is_empty()),
            before.filter(|s| !s.is_empty()),
        ) {
            (None, None) => Ok(Self::Newest),
            (Some(after), None) => id("after", after).map(Self::After),
            (None, Some(before)) => id("before", before).map(Self::Before),
            (Some(_), Some(_)) => Err(ChatError::validation(
                "before",
                "give either after or before, not both",
            )),
        }
    }
}

/// Messages oldest first, and the id to pass on in the same direction while more remain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessagePage<M> {
    pub messages: Vec<M>,
    pub next: Option<MessageId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(Limit::parse(None).unwrap().get(), 50);
        assert_eq!(Limit::parse(Some("")).unwrap().get(), 50);
        assert_eq!(Limit::parse(Some("200")).unwrap().get(), 200);
        for bad in ["0", "201", "ten", "-1", "1.5", " 5"] {
            assert!(Limit::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_are_bounded_base64url() {
        assert_eq!(PageCursor::parse(Some("")).unwrap(), None);
        assert!(PageCursor::parse(Some("abc-_09")).unwrap().is_some());
        assert!(PageCursor::parse(Some("a=b")).is_err());
        assert!(PageCursor::parse(Some(&"a".repeat(2000))).is_err());
    }

    #[test]
    fn windows() {
        let id = "01JD0000000000000000000000";
        assert_eq!(
            MessageWindow::parse(None, Some("")).unwrap(),
            MessageWindow::Newest
        );
        assert!(matches!(
            MessageWindow::parse(Some(id), None).unwrap(),
            MessageWindow::After(_)
        ));
        assert!(matches!(
            MessageWindow::parse(None, Some(id)).unwrap(),
            MessageWindow::Before(_)
        ));
        assert!(MessageWindow::parse(Some("nope"), None).is_err());
        assert!(MessageWindow::parse(Some(id), Some(id)).is_err());
    }
}
