use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use ulid::Ulid;

/// The ids of API.md are ULIDs: 26 Crockford base-32 characters, sortable by creation time.
macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Ulid);

        impl $name {
            pub const fn from_ulid(ulid: Ulid) -> Self {
                Self(ulid)
            }

            pub const fn ulid(self) -> Ulid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = ulid::DecodeError;

            /// Accepts exactly 26 Crockford characters, in either case.
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Ulid::from_string(raw).map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }
    };
}

ulid_id!(
    /// A chat room.
    RoomId
);
ulid_id!(
    /// A message; its ULID order is the room's message order.
    MessageId
);
ulid_id!(
    /// A website visitor: the subject of a customer token, owner of its rooms.
    VisitorId
);
ulid_id!(
    /// A support agent.
    AgentId
);
ulid_id!(
    /// A canned response.
    CannedResponseId
);
ulid_id!(
    /// An attachment: its upload slot, its object and its place in a message.
    AttachmentId
);
