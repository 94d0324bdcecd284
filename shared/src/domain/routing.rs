//! Auto-assignment (API.md, "Assignment"): which agent a waiting room goes to, written once.

use super::{Agent, Availability};

/// How new rooms find an agent (setting `AUTO_ASSIGN`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AutoAssign {
    /// Rooms wait for an agent to assign them.
    Off,
    /// To the `online` active agent with the fewest open rooms.
    LeastBusy,
}

/// The routing settings: `AUTO_ASSIGN` and `MAX_OPEN_ROOMS_PER_AGENT` (0: no cap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routing {
    pub auto_assign: AutoAssign,
    /// No agent is given more open rooms than this by auto-assignment.
    pub cap: Option<u32>,
}

impl Routing {
    pub const OFF: Self = Self {
        auto_assign: AutoAssign::Off,
        cap: None,
    };

    /// From the settings' text: `off` or `least_busy`, and a count of rooms (0 for no cap).
    pub fn parse(auto_assign: Option<&str>, cap: Option<&str>) -> Result<Self, String> {
        let auto_assign = match auto_assign.unwrap_or("off") {
            "off" => AutoAssign::Off,
            "least_busy" => AutoAssign::LeastBusy,
            other => return Err(format!("AUTO_ASSIGN is off or least_busy, not {other:?}")),
        };
        let cap = match cap.map(str::parse::<u32>).transpose() {
            Ok(None | Some(0)) => None,
            Ok(Some(cap)) => Some(cap),
            Err(_) => return Err("MAX_OPEN_ROOMS_PER_AGENT is a count of rooms".to_owned()),
        };
        Ok(Self { auto_assign, cap })
    }

    pub fn is_on(&self) -> bool {
        self.auto_assign != AutoAssign::Off
    }

    /// Whether `agent` may be given one more room now.
    pub fn may_take(&self, agent: &Agent, availability: Availability) -> bool {
        availability == Availability::Online
            && agent.active
            && self.cap.is_none_or(|cap| agent.open_rooms < cap)
    }

    /// The agents a waiting room may go to, the first choice first: the fewest open rooms,
    /// then whoever was assigned longest ago (never counts as longest ago), then by username.
    pub fn candidates(&self, team: impl IntoIterator<Item = (Agent, Availability)>) -> Vec<Agent> {
        if !self.is_on() {
            return Vec::new();
        }
        let mut candidates: Vec<Agent> = team
            .into_iter()
            .filter(|(agent, availability)| self.may_take(agent, *availability))
            .map(|(agent, _)| agent)
            .collect();
        candidates.sort_by(|a, b| {
            (a.open_rooms, a.last_assigned_at, a.username.as_str()).cmp(&(
                b.open_rooms,
                b.last_assigned_at,
                b.username.as_str(),
            ))
        });
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AgentId, DisplayName, Role, Timestamp, Username};

    fn agent(name: &str, open_rooms: u32, last_assigned_ms: Option<i64>) -> Agent {
        let mut agent = Agent::new(
            AgentId::from_ulid(ulid::Ulid::new()),
            Username::parse(name).unwrap(),
            DisplayName::parse(name).unwrap(),
            Role::Agent,
            String::new(),
        );
        agent.open_rooms = open_rooms;
        agent.last_assigned_at = last_assigned_ms.map(Timestamp::from_unix_millis);
        agent
    }

    fn names(agents: &[Agent]) -> Vec<&str> {
        agents.iter().map(|a| a.username.as_str()).collect()
    }

    #[test]
    fn the_least_busy_online_agent_comes_first_ties_to_the_longest_unassigned() {
        let routing = Routing::parse(Some("least_busy"), Some("3")).unwrap();
        let mut gone = agent("gus", 0, None);
        gone.active = false;
        let team = [
            (agent("dan", 1, Some(50)), Availability::Online),
            (agent("amy", 1, Some(10)), Availability::Online),
            (agent("eve", 1, None), Availability::Online),
            (agent("bob", 1, None), Availability::Online),
            (agent("cat", 0, Some(99)), Availability::Online),
            (agent("fay", 0, None), Availability::Away),
            (agent("hal", 0, None), Availability::Offline),
            (agent("ivy", 3, None), Availability::Online),
            (gone, Availability::Online),
        ];
        assert_eq!(
            names(&routing.candidates(team.clone())),
            vec!["cat", "bob", "eve", "amy", "dan"]
        );
        let uncapped = Routing::parse(Some("least_busy"), Some("0")).unwrap();
        assert_eq!(
            names(&uncapped.candidates(team.clone())).last(),
            Some(&"ivy")
        );
        assert!(Routing::OFF.candidates(team).is_empty());
    }

    #[test]
    fn settings_parse_or_say_what_is_wrong() {
        assert_eq!(Routing::parse(None, None).unwrap(), Routing::OFF);
        let on = Routing::parse(Some("least_busy"), Some("5")).unwrap();
        assert_eq!((on.auto_assign, on.cap), (AutoAssign::LeastBusy, Some(5)));
        assert!(Routing::parse(Some("round_robin"), None).is_err());
        assert!(Routing::parse(Some("off"), Some("-1")).is_err());
    }
}
