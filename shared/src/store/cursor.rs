//! The room lists' cursor, shared by both stores: the (activity, room id) of the last room of
//! a page, base64url-encoded. Lists are ordered by exactly that pair, newest first, so the next
//! page starts strictly below it whatever changed in between.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::domain::{PageCursor, RoomId, Timestamp};
use crate::error::ChatError;

/// A room's place in the lists.
pub type ActivityKey = (Timestamp, RoomId);

pub fn encode((at, id): ActivityKey) -> PageCursor {
    PageCursor::from_encoded(URL_SAFE_NO_PAD.encode(format!("{}.{id}", at.unix_millis())))
}

/// A forged or garbled cursor is a 422 on `cursor`, never anything worse.
pub fn decode(cursor: &PageCursor) -> Result<ActivityKey, ChatError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.as_str())
        .map_err(|_| PageCursor::invalid())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| PageCursor::invalid())?;
    let (millis, id) = text.split_once('.').ok_or_else(PageCursor::invalid)?;
    match (millis.parse::<i64>(), id.parse()) {
        (Ok(millis), Ok(id)) if millis >= 0 => Ok((Timestamp::from_unix_millis(millis), id)),
        _ => Err(PageCursor::invalid()),
    }
}
