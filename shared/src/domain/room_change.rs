//! What each use case does to a room, and what the room must be for it to happen: the rules,
//! written once. A store applies a `RoomChange` as one atomic step under its `expect`ations and
//! decides nothing itself; the memory store through `RoomChange::apply`, the DynamoDB store by
//! turning the same fields into one conditional update.

use super::{
    Agent, AgentId, Assignee, Message, Room, RoomStatus, SenderType, Timestamp, VisitorId,
};

/// What the room must be for a change to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Only this visitor's room: any other is as if there were none.
    pub owner: Option<VisitorId>,
    /// Only a room in this status.
    pub status: Option<RoomStatus>,
    /// Only a room with this assignee (`Some(None)`: with none). A change that counts an
    /// agent's open rooms pins it, so the count follows the room as it was.
    pub assignee: Option<Option<AgentId>>,
}

impl Expected {
    pub const ANY: Self = Self {
        owner: None,
        status: None,
        assignee: None,
    };

    /// Exactly `room`'s status and assignee.
    fn as_found(room: &Room) -> Self {
        Self {
            owner: None,
            status: Some(room.status),
            assignee: Some(room.assignee.as_ref().map(|a| a.id)),
        }
    }
}

/// What a change does to agents' counts of open rooms (`open_rooms`: the open rooms assigned to
/// an agent), written with the room in one step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// The agent one of whose open rooms stops counting (closed, or moved to someone else).
    pub released: Option<Assignee>,
    /// The agent one more of whose open rooms counts.
    pub taken: Option<Taken>,
}

/// An agent taking one more open room: refused unless the agent is active and, with a cap,
/// below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    pub agent: Assignee,
    pub cap: Option<u32>,
    /// Stamped as the agent's last assignment; `None` for a reopened room that keeps it.
    pub assigned_at: Option<Timestamp>,
}

impl Taken {
    /// Whether `agent` may take the room: active, and below the cap if there is one.
    pub fn allowed(&self, agent: &Agent) -> bool {
        agent.active && self.cap.is_none_or(|cap| agent.open_rooms < cap)
    }
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
    /// The room's new last message the customer sees.
    pub last_message: Option<Message>,
    /// The room's newest note: set by a note, cleared (`Some(None)`) by a message the customer
    /// sees.
    pub last_note: Option<Option<Message>>,
    pub unread: Unread,
    /// The room's new assignee (`Some(None)`: none).
    pub assignee: Option<Option<Assignee>>,
    pub tally: Tally,
}

/// How a room stands against a change's expectations.
#[derive(Debug, PartialEq, Eq)]
pub enum Standing<'r> {
    /// No such room, or another visitor's.
    Missing,
    /// The room exists (and is the visitor's) but is not in the expected status.
    OtherStatus(&'r Room),
    /// The room is in the expected status but another agent (or none) has it now.
    OtherAssignee(&'r Room),
    Expected(&'r Room),
}

impl RoomChange {
    /// Appending `message`: it becomes the room's last message and activity, a customer's is
    /// unread until an agent reads. Only system messages (the notice of a close) and notes go
    /// to a closed room; with `owner`, only to that visitor's room. A note is agents' only: it
    /// becomes their last message, and is no activity.
    pub fn message_sent(message: &Message, owner: Option<VisitorId>) -> Self {
        if message.private {
            return Self {
                expect: Expected {
                    owner,
                    status: None,
                    assignee: None,
                },
                last_note: Some(Some(message.clone())),
                ..Self::NOTHING
            };
        }
        let status = match message.sender_type {
            SenderType::System => None,
            SenderType::Customer | SenderType::Agent => Some(RoomStatus::Open),
        };
        let unread = match message.sender_type {
            SenderType::Customer => Unread::Add(1),
            SenderType::Agent | SenderType::System => Unread::Keep,
        };
        Self {
            expect: Expected {
                owner,
                status,
                assignee: None,
            },
            activity: Some(message.created_at),
            last_message: Some(message.clone()),
            last_note: Some(None),
            unread,
            ..Self::NOTHING
        }
    }

    /// A change that changes nothing, to build on.
    const NOTHING: Self = Self {
        expect: Expected::ANY,
        status: None,
        activity: None,
        last_message: None,
        last_note: None,
        unread: Unread::Keep,
        assignee: None,
        tally: Tally {
            released: None,
            taken: None,
        },
    };

    /// Closing `room` as it was found (open): activity, and its assignee's slot is freed (the
    /// room keeps its assignee for the record).
    pub fn closed(room: &Room, at: Timestamp) -> Self {
        Self {
            expect: Expected::as_found(room),
            status: Some(RoomStatus::Closed),
            activity: Some(at),
            tally: Tally {
                released: room.assignee.clone(),
                taken: None,
            },
            ..Self::NOTHING
        }
    }

    /// Reopening `room` as it was found (closed): activity. An assignee who is still active
    /// keeps the room, which counts in their open rooms again whatever the cap (the customer
    /// comes back to the same agent); one who is not (`assignee_active` false) loses it.
    pub fn reopened(room: &Room, at: Timestamp, assignee_active: bool) -> Self {
        let kept = room.assignee.clone().filter(|_| assignee_active);
        Self {
            expect: Expected::as_found(room),
            status: Some(RoomStatus::Open),
            activity: Some(at),
            assignee: (kept.is_none() && room.assignee.is_some()).then_some(None),
            tally: Tally {
                released: None,
                taken: kept.map(|agent| Taken {
                    agent,
                    cap: None,
                    assigned_at: None,
                }),
            },
            ..Self::NOTHING
        }
    }

    /// Giving `room` as it was found (open) to `to`, or to nobody: the old assignee's slot is
    /// freed and the new one's taken (refused past `cap`). Not activity: the system message
    /// that tells of it is.
    pub fn assigned(room: &Room, to: Option<&Agent>, cap: Option<u32>, at: Timestamp) -> Self {
        let to = to.map(Assignee::of);
        Self {
            expect: Expected::as_found(room),
            assignee: Some(to.clone()),
            tally: Tally {
                released: room.assignee.clone(),
                taken: to.map(|agent| Taken {
                    agent,
                    cap,
                    assigned_at: Some(at),
                }),
            },
            ..Self::NOTHING
        }
    }

    /// Agents read the room: one count per room, whichever agent reads. Not activity.
    pub fn read() -> Self {
        Self {
            unread: Unread::Reset,
            ..Self::NOTHING
        }
    }

    pub fn standing<'r>(&self, room: Option<&'r Room>) -> Standing<'r> {
        let Some(room) =
            room.filter(|room| self.expect.owner.is_none_or(|owner| owner == room.visitor))
        else {
            return Standing::Missing;
        };
        if self
            .expect
            .status
            .is_some_and(|status| status != room.status)
        {
            return Standing::OtherStatus(room);
        }
        let assignee = room.assignee.as_ref().map(|a| a.id);
        if self
            .expect
            .assignee
            .is_some_and(|expected| expected != assignee)
        {
            return Standing::OtherAssignee(room);
        }
        Standing::Expected(room)
    }

    /// Where the room files after the change, when the change moves it (its status or
    /// assignee): both, as the change sets or pins them.
    pub fn filed_under(&self) -> Option<(RoomStatus, Option<AgentId>)> {
        if self.status.is_none() && self.assignee.is_none() {
            return None;
        }
        let status = self.status.or(self.expect.status)?;
        let assignee = match &self.assignee {
            Some(assignee) => assignee.as_ref().map(|a| a.id),
            None => self.expect.assignee?,
        };
        Some((status, assignee))
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
        if let Some(note) = &self.last_note {
            room.last_note = note.clone();
        }
        match self.unread {
            Unread::Keep => {}
            Unread::Add(count) => room.unread_count += count,
            Unread::Reset => room.unread_count = 0,
        }
        if let Some(assignee) = &self.assignee {
            room.assignee = assignee.clone();
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
    use crate::domain::{CustomerName, MessageContent, MessageId, Reader, RoomId};
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
            last_note: None,
            unread_count: 0,
            assignee: None,
        }
    }

    fn message(room: &Room, sender_type: SenderType, at: i64) -> Message {
        Message {
            // Ids grow with time, as the clock makes them.
            id: MessageId::from_ulid(Ulid::from_parts(at as u64, 0)),
            room_id: room.id,
            sender_type,
            sender_name: "Ada".to_owned(),
            content: MessageContent::parse("hi").unwrap(),
            created_at: Timestamp::from_unix_millis(at),
            client_msg_id: None,
            private: false,
        }
    }

    #[test]
    fn a_note_is_agents_last_message_only_and_no_activity_nor_unread() {
        let mut closed = room(1_000);
        closed.status = RoomStatus::Closed;
        let public = message(&closed, SenderType::Customer, 1_500);
        let closed = closed.with_message(&public);
        let note = Message {
            private: true,
            ..message(&closed, SenderType::Agent, 2_000)
        };
        let change = RoomChange::message_sent(&note, None);
        // Accepted in a closed room.
        assert!(matches!(
            change.standing(Some(&closed)),
            Standing::Expected(_)
        ));
        let after = change.apply(&closed);
        assert_eq!(after.updated_at, closed.updated_at, "a note is no activity");
        assert_eq!(after.unread_count, closed.unread_count);
        assert_eq!(after.last_message_for(Reader::Agent), Some(&note));
        assert_eq!(after.last_message_for(Reader::Customer), Some(&public));
        // A message the customer sees is everyone's last again.
        let reply = message(&after, SenderType::Agent, 3_000);
        let replied = RoomChange::message_sent(&reply, None).apply(&after);
        assert_eq!(replied.last_note, None);
        assert_eq!(replied.last_message_for(Reader::Agent), Some(&reply));
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
        let closed = RoomChange::closed(&open, Timestamp::from_unix_millis(10));
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

    fn agent(name: &str, open_rooms: u32) -> Agent {
        let mut agent = Agent::new(
            crate::domain::AgentId::from_ulid(Ulid::new()),
            crate::domain::Username::parse(name).unwrap(),
            crate::domain::DisplayName::parse(name).unwrap(),
            crate::domain::Role::Agent,
            String::new(),
        );
        agent.open_rooms = open_rooms;
        agent
    }

    #[test]
    fn a_change_built_from_a_room_applies_to_it_only_as_it_was_found() {
        let open = room(1_000);
        let close = RoomChange::closed(&open, Timestamp::from_unix_millis(2_000));
        let closed = close.apply(&open);
        assert_eq!(closed.status, RoomStatus::Closed);
        assert_eq!(closed.updated_at, Timestamp::from_unix_millis(2_000));
        // Closed meanwhile: closing again is refused for the status.
        assert_eq!(
            close.standing(Some(&closed)),
            Standing::OtherStatus(&closed)
        );
        // Assigned meanwhile: refused for the assignee, so no count goes astray.
        let bob = agent("bob", 0);
        let taken = RoomChange::assigned(&open, Some(&bob), None, Timestamp::from_unix_millis(3));
        let assigned = taken.apply(&open);
        assert_eq!(
            close.standing(Some(&assigned)),
            Standing::OtherAssignee(&assigned)
        );
        assert_eq!(
            taken.standing(Some(&assigned)),
            Standing::OtherAssignee(&assigned)
        );
        let reopen = RoomChange::reopened(&closed, Timestamp::from_unix_millis(3_000), true);
        assert_eq!(reopen.standing(Some(&open)), Standing::OtherStatus(&open));
    }

    #[test]
    fn open_rooms_count_follows_assign_close_and_reopen() {
        let at = Timestamp::from_unix_millis(5);
        let (bob, carol) = (agent("bob", 0), agent("carol", 0));
        let open = room(1_000);
        let to_bob = RoomChange::assigned(&open, Some(&bob), Some(2), at);
        assert_eq!(to_bob.tally.released, None);
        let taken = to_bob.tally.taken.clone().unwrap();
        assert_eq!(
            (taken.agent.id, taken.cap, taken.assigned_at),
            (bob.id, Some(2), Some(at))
        );
        let bobs = to_bob.apply(&open);
        assert_eq!(bobs.assignee, Some(Assignee::of(&bob)));
        assert_eq!(to_bob.filed_under(), Some((RoomStatus::Open, Some(bob.id))));

        let to_carol = RoomChange::assigned(&bobs, Some(&carol), None, at);
        assert_eq!(to_carol.tally.released, Some(Assignee::of(&bob)));
        assert_eq!(to_carol.tally.taken.unwrap().agent.id, carol.id);
        let nobody = RoomChange::assigned(&bobs, None, None, at);
        assert_eq!(
            (nobody.tally.released.is_some(), nobody.tally.taken.clone()),
            (true, None)
        );
        assert_eq!(nobody.apply(&bobs).assignee, None);
        assert_eq!(nobody.filed_under(), Some((RoomStatus::Open, None)));

        // Closing frees the slot and keeps the assignee; reopening counts it again, with no cap.
        let close = RoomChange::closed(&bobs, at);
        assert_eq!(close.tally.released, Some(Assignee::of(&bob)));
        let closed = close.apply(&bobs);
        assert_eq!(closed.assignee, Some(Assignee::of(&bob)));
        assert_eq!(
            close.filed_under(),
            Some((RoomStatus::Closed, Some(bob.id)))
        );
        let back = RoomChange::reopened(&closed, at, true);
        let taken = back.tally.taken.clone().unwrap();
        assert_eq!(
            (taken.agent.id, taken.cap, taken.assigned_at),
            (bob.id, None, None)
        );
        assert_eq!(back.apply(&closed).assignee, Some(Assignee::of(&bob)));
        // An assignee deactivated since loses the room, and nobody's count changes.
        let orphan = RoomChange::reopened(&closed, at, false);
        assert_eq!(orphan.tally, Tally::default());
        assert_eq!(orphan.apply(&closed).assignee, None);
        assert_eq!(orphan.filed_under(), Some((RoomStatus::Open, None)));
        // Messages and reads file nothing anew.
        assert_eq!(RoomChange::read().filed_under(), None);
    }

    #[test]
    fn an_agent_takes_a_room_only_active_and_below_its_cap() {
        let taken = |cap| Taken {
            agent: Assignee::of(&agent("bob", 0)),
            cap,
            assigned_at: None,
        };
        assert!(taken(Some(2)).allowed(&agent("bob", 1)));
        assert!(!taken(Some(2)).allowed(&agent("bob", 2)));
        assert!(taken(None).allowed(&agent("bob", 200)));
        let mut gone = agent("bob", 0);
        gone.active = false;
        assert!(!taken(None).allowed(&gone));
    }
}
