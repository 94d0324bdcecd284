//! What each use case does to a room, and what the room must be for it to happen: the rules,
//! written once. A store applies a `RoomChange` as one atomic step under its `expect`ations and
//! decides nothing itself; the memory store through `RoomChange::apply`, the DynamoDB store by
//! turning the same fields into one conditional update.

use super::{Message, Room, RoomStatus, SenderType, Timestamp, VisitorId};

/// What the room must be for a change to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Only this visitor's room: any other is as if there were none.
    pub owner: Option<VisitorId>,
    /// Only a room in this status.
    pub status: Option<RoomStatus>,
}

impl Expected {
    pub const ANY: Self = Self {
        owner: None,
        status: None,
    };
}

/// What becomes of the unread count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unread {
    Keep,
    Add(u32),
    Reset,
}

/// A change to one room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomChange {
    pub expect: Expected,
    pub status: Option<RoomStatus>,
    /// An instant of activity: the room's `updated_at` becomes it, unless the room already
    /// shows later activity (a clock that stepped back, or a write that raced ahead), so a
    /// room's activity never moves backwards and lists never reorder into the past.
    pub activity: Option<Timestamp>,
    pub last_message: Option<Message>,
    pub unread: Unread,
}

/// How a room stands against a change's expectations.
#[derive(Debug, PartialEq, Eq)]
pub enum Standing<'r> {
    /// No such room, or another visitor's.
    Missing,
    /// The room exists (and is the visitor's) but is not in the expected status.
    OtherStatus(&'r Room),
    Expected(&'r Room),
}

impl RoomChange {
    /// Appending `message`: it becomes the room's last message and activity, a customer's is
    /// unread until an agent reads. Only system messages (the notice of a close) go to a closed
    /// room; with `owner`, only to that visitor's room.
    pub fn message_sent(message: &Message, owner: Option<VisitorId>) -> Self {
        let status = match message.sender_type {
            SenderType::System => None,
            SenderType::Customer | SenderType::Agent => Some(RoomStatus::Open),
        };
        let unread = match message.sender_type {
            SenderType::Customer => Unread::Add(1),
            SenderType::Agent | SenderType::System => Unread::Keep,
        };
        Self {
            expect: Expected { owner, status },
            status: None,
            activity: Some(message.created_at),
            last_message: Some(message.clone()),
            unread,
        }
    }

    /// Closing or reopening: only a room in the other status changes, and the change is
    /// activity. Setting the status a room has changes nothing.
    pub fn status_set(status: RoomStatus, at: Timestamp) -> Self {
        let other = match status {
            RoomStatus::Open => RoomStatus::Closed,
            RoomStatus::Closed => RoomStatus::Open,
        };
        Self {
            expect: Expected {
                owner: None,
                status: Some(other),
            },
            status: Some(status),
            activity: Some(at),
            last_message: None,
            unread: Unread::Keep,
        }
    }

    /// Agents read the room: one count per room, whichever agent reads. Not activity.
    pub fn read() -> Self {
        Self {
            expect: Expected::ANY,
            status: None,
            activity: None,
            last_message: None,
            unread: Unread::Reset,
        }
    }

    pub fn standing<'r>(&self, room: Option<&'r Room>) -> Standing<'r> {
        match room {
            Some(room) if self.expect.owner.is_none_or(|owner| owner == room.visitor) => {
                match self.expect.status {
                    Some(status) if status != room.status => Standing::OtherStatus(room),
                    _ => Standing::Expected(room),
                }
            }
            _ => Standing::Missing,
        }
    }

    /// Whether the change raises the room's activity (or leaves a later one as it is).
    pub fn raises_activity(&self, room: &Room) -> bool {
        self.activity.is_some_and(|at| at >= room.updated_at)
    }

    /// The room after the change (whose expectations it meets).
    pub fn apply(&self, room: &Room) -> Room {
        let mut room = room.clone();
        if let Some(status) = self.status {
            room.status = status;
        }
        if let Some(at) = self.activity {
            room.updated_at = room.updated_at.max(at);
        }
        if let Some(message) = &self.last_message {
            room.last_message = Some(message.clone());
        }
        match self.unread {
            Unread::Keep => {}
            Unread::Add(count) => room.unread_count += count,
            Unread::Reset => room.unread_count = 0,
        }
        room
    }
}

impl Room {
    /// The room after `message` was appended to it.
    pub fn with_message(&self, message: &Message) -> Self {
        RoomChange::message_sent(message, None).apply(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerName, MessageContent, MessageId, RoomId};
    use ulid::Ulid;

    fn room(at: i64) -> Room {
        Room {
            id: RoomId::from_ulid(Ulid::new()),
            visitor: VisitorId::from_ulid(Ulid::new()),
            customer_name: CustomerName::parse("Ada").unwrap(),
            customer_email: None,
            subject: None,
            status: RoomStatus::Open,
            created_at: Timestamp::from_unix_millis(at),
            updated_at: Timestamp::from_unix_millis(at),
            last_message: None,
            unread_count: 0,
        }
    }

    fn message(room: &Room, sender_type: SenderType, at: i64) -> Message {
        Message {
            id: MessageId::from_ulid(Ulid::new()),
            room_id: room.id,
            sender_type,
            sender_name: "Ada".to_owned(),
            content: MessageContent::parse("hi").unwrap(),
            created_at: Timestamp::from_unix_millis(at),
            client_msg_id: None,
        }
    }

    #[test]
    fn only_customer_messages_are_unread() {
        let open = room(1_000);
        for (sender, unread) in [
            (SenderType::Customer, 1),
            (SenderType::Agent, 0),
            (SenderType::System, 0),
        ] {
            let after = open.with_message(&message(&open, sender, 2_000));
            assert_eq!(after.unread_count, unread, "{sender:?}");
            assert_eq!(after.updated_at, Timestamp::from_unix_millis(2_000));
        }
    }

    #[test]
    fn activity_never_moves_backwards() {
        let open = room(5_000);
        let early = message(&open, SenderType::Agent, 4_000);
        let change = RoomChange::message_sent(&early, None);
        assert!(!change.raises_activity(&open));
        let after = change.apply(&open);
        assert_eq!(after.updated_at, open.updated_at);
        assert_eq!(after.last_message, Some(early));
        let closed = RoomChange::status_set(RoomStatus::Closed, Timestamp::from_unix_millis(10));
        assert_eq!(closed.apply(&open).updated_at, open.updated_at);
    }

    #[test]
    fn closed_rooms_take_only_system_messages_and_owners_only_their_rooms() {
        let mut closed = room(1_000);
        closed.status = RoomStatus::Closed;
        let agent = RoomChange::message_sent(&message(&closed, SenderType::Agent, 2_000), None);
        assert_eq!(
            agent.standing(Some(&closed)),
            Standing::OtherStatus(&closed)
        );
        let notice = RoomChange::message_sent(&message(&closed, SenderType::System, 2_000), None);
        assert_eq!(notice.standing(Some(&closed)), Standing::Expected(&closed));
        let stranger = VisitorId::from_ulid(Ulid::new());
        let intruder = RoomChange::message_sent(
            &message(&closed, SenderType::Customer, 2_000),
            Some(stranger),
        );
        assert_eq!(intruder.standing(Some(&closed)), Standing::Missing);
        assert_eq!(intruder.standing(None), Standing::Missing);
    }

    #[test]
    fn a_status_is_set_only_from_the_other_one() {
        let open = room(1_000);
        let reopen = RoomChange::status_set(RoomStatus::Open, Timestamp::from_unix_millis(2_000));
        assert_eq!(reopen.standing(Some(&open)), Standing::OtherStatus(&open));
        let close = RoomChange::status_set(RoomStatus::Closed, Timestamp::from_unix_millis(2_000));
        let closed = close.apply(&open);
        assert_eq!(closed.status, RoomStatus::Closed);
        assert_eq!(closed.updated_at, Timestamp::from_unix_millis(2_000));
    }
}
