//! Who a request speaks for, as the service and the stores know it: the identities a valid
//! token carries (the token format itself is `auth`'s).

use super::{AgentId, CustomerName, DisplayName, Role, Username, VisitorId};

/// The agent an access (or refresh) token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentIdentity {
    pub id: AgentId,
    pub username: Username,
    pub display_name: DisplayName,
    pub role: Role,
}

/// The visitor a customer token speaks for, with the name their messages carry (the
/// `customer_name` of the room the token was issued with), so a send needs no read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisitorIdentity {
    pub id: VisitorId,
    pub name: CustomerName,
}

/// Who a valid access or customer token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    Visitor(VisitorIdentity),
    Agent(AgentIdentity),
}
