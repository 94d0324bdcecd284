//! Domain types that parse, not validate: once a value of one of these types exists, it obeys
//! the rules of API.md, so nothing downstream checks them again.

mod attachment;
mod canned;
mod connection;
mod identity;
mod ids;
mod model;
mod paging;
mod room_change;
mod routing;
mod text;
mod time;

pub use attachment::{
    Attachment, AttachmentRules, AttachmentSize, AttachmentType, UNSENT_KEPT_FOR, UPLOAD_VALID_FOR,
};
pub use canned::{CannedResponse, search as search_canned};
pub use connection::ConnectionId;
pub use identity::{AgentIdentity, Caller, VisitorIdentity};
pub use ids::{AgentId, AttachmentId, CannedResponseId, MessageId, RoomId, VisitorId};
pub use model::{
    Agent, AgentFlag, Assignee, Availability, ChosenAvailability, Message, Reader, Role, Room,
    RoomStatus, SenderType,
};
pub use paging::{Limit, MessagePage, MessageWindow, Page, PageCursor};
pub use room_change::{Expected, RoomChange, Standing, Taken, Tally, Unread};
pub use routing::{AutoAssign, Routing};
pub use text::{
    AttachmentFilename, ClientMsgId, CustomerEmail, CustomerName, DisplayName, MessageContent,
    ShortCode, Subject, Username,
};
pub use time::Timestamp;
