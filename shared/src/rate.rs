//! Rate limits (API.md): each is at most `max` counted actions per fixed window of
//! `window_seconds`, per subject (a source IP, a visitor, a connection, a username). Counters
//! live in the store, so they hold across Lambda instances; a `max` of 0 turns a limit off.

use std::fmt;
use std::net::IpAddr;

use crate::domain::Timestamp;

/// One limit: at most `max` per `window_seconds`. `max` 0 is no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub max: u32,
    pub window_seconds: u32,
}

impl Rate {
    pub const OFF: Rate = Rate {
        max: 0,
        window_seconds: 60,
    };

    pub const fn per_minute(max: u32) -> Self {
        Self {
            max,
            window_seconds: 60,
        }
    }

    pub const fn per_hour(max: u32) -> Self {
        Self {
            max,
            window_seconds: 3600,
        }
    }

    pub const fn is_off(self) -> bool {
        self.max == 0 || self.window_seconds == 0
    }

    /// `max/seconds` (`20/3600`), or `0` for off.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw == "0" {
            return Ok(Self::OFF);
        }
        let (max, window) = raw
            .split_once('/')
            .ok_or_else(|| format!("{raw:?} is not max/seconds (say 20/3600) or 0"))?;
        let number = |text: &str| {
            text.trim()
                .parse::<u32>()
                .map_err(|_| format!("{raw:?} is not max/seconds (say 20/3600) or 0"))
        };
        let (max, window_seconds) = (number(max)?, number(window)?);
        if window_seconds == 0 && max != 0 {
            return Err(format!("{raw:?}: the window must be at least one second"));
        }
        Ok(Self {
            max,
            window_seconds,
        })
    }

    /// The window `at` falls in.
    pub fn window(self, at: Timestamp) -> Window {
        let length = i64::from(self.window_seconds.max(1));
        let index = at.unix_seconds().div_euclid(length);
        Window {
            index,
            ends: Timestamp::from_unix_millis((index + 1) * length * 1000),
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_off() {
            f.write_str("0")
        } else {
            write!(f, "{}/{}", self.max, self.window_seconds)
        }
    }
}

/// One fixed window of a rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub index: i64,
    pub ends: Timestamp,
}

impl Window {
    /// Whole seconds from `now` until the window ends (at least 1): the `Retry-After`.
    pub fn retry_after(self, now: Timestamp) -> u64 {
        let millis = self.ends.unix_millis() - now.unix_millis();
        u64::try_from((millis + 999) / 1000).unwrap_or(1).max(1)
    }
}

/// Every limit of API.md, as settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    pub rooms_per_ip: Rate,
    pub rooms_per_visitor: Rate,
    pub messages_per_visitor: Rate,
    /// WebSocket frames that act (send_message, typing, mark_as_read; not ping).
    pub messages_per_connection: Rate,
    pub failed_logins_per_username: Rate,
    pub failed_logins_per_ip: Rate,
    /// Upload slots a visitor asks for.
    pub uploads_per_visitor: Rate,
}

impl Default for RateLimits {
    /// Generous for people, tight for scripts: a visitor types far below a message a second,
    /// an office behind one IP opens a few dozen rooms an hour, and a password guesser gets
    /// ten tries an hour per account.
    fn default() -> Self {
        Self {
            rooms_per_ip: Rate::per_hour(60),
            rooms_per_visitor: Rate::per_hour(10),
            messages_per_visitor: Rate::per_minute(60),
            messages_per_connection: Rate::per_minute(120),
            failed_logins_per_username: Rate::per_hour(10),
            failed_logins_per_ip: Rate::per_hour(50),
            uploads_per_visitor: Rate::per_hour(60),
        }
    }
}

impl RateLimits {
    pub const OFF: RateLimits = RateLimits {
        rooms_per_ip: Rate::OFF,
        rooms_per_visitor: Rate::OFF,
        messages_per_visitor: Rate::OFF,
        messages_per_connection: Rate::OFF,
        failed_logins_per_username: Rate::OFF,
        failed_logins_per_ip: Rate::OFF,
        uploads_per_visitor: Rate::OFF,
    };

    /// The settings and the environment variable of each (`RATE_LIMIT_ROOMS_PER_IP=60/3600`).
    pub fn settings(&mut self) -> [(&'static str, &mut Rate); 7] {
        [
            ("RATE_LIMIT_ROOMS_PER_IP", &mut self.rooms_per_ip),
            ("RATE_LIMIT_ROOMS_PER_VISITOR", &mut self.rooms_per_visitor),
            (
                "RATE_LIMIT_MESSAGES_PER_VISITOR",
                &mut self.messages_per_visitor,
            ),
            (
                "RATE_LIMIT_MESSAGES_PER_CONNECTION",
                &mut self.messages_per_connection,
            ),
            (
                "RATE_LIMIT_FAILED_LOGINS_PER_USERNAME",
                &mut self.failed_logins_per_username,
            ),
            (
                "RATE_LIMIT_FAILED_LOGINS_PER_IP",
                &mut self.failed_logins_per_ip,
            ),
            (
                "RATE_LIMIT_UPLOADS_PER_VISITOR",
                &mut self.uploads_per_visitor,
            ),
        ]
    }

    /// The defaults, each replaced by its environment variable when set; a malformed one
    /// fails with its name.
    pub fn from_env() -> Result<Self, String> {
        let mut limits = Self::default();
        for (name, rate) in limits.settings() {
            if let Ok(raw) = std::env::var(name) {
                *rate = Rate::parse(&raw).map_err(|e| format!("{name}: {e}"))?;
            }
        }
        Ok(limits)
    }
}

/// What a counter counts, and for whom. Its text is the counter's key in the store.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CounterKey(String);

impl CounterKey {
    pub fn room_creations_from(ip: IpAddr) -> Self {
        Self(format!("rooms-ip#{ip}"))
    }

    pub fn room_creations_of(visitor: crate::domain::VisitorId) -> Self {
        Self(format!("rooms-visitor#{visitor}"))
    }

    pub fn messages_of(visitor: crate::domain::VisitorId) -> Self {
        Self(format!("messages-visitor#{visitor}"))
    }

    pub fn uploads_of(visitor: crate::domain::VisitorId) -> Self {
        Self(format!("uploads-visitor#{visitor}"))
    }

    pub fn frames_of(connection: &crate::domain::ConnectionId) -> Self {
        Self(format!("frames-connection#{connection}"))
    }

    /// Usernames are counted as given (any text up to a bound), so unknown ones count too.
    pub fn failed_logins_of(username: &str) -> Self {
        let username: String = username.trim().to_lowercase().chars().take(150).collect();
        Self(format!("logins-user#{username}"))
    }

    pub fn failed_logins_from(ip: IpAddr) -> Self {
        Self(format!("logins-ip#{ip}"))
    }

    /// The counter of this key in one window.
    pub fn key(&self, window: Window) -> String {
        format!("{}#{}", self.0, window.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_settings() {
        assert_eq!(Rate::parse("20/3600"), Ok(Rate::per_hour(20)));
        assert_eq!(Rate::parse(" 5 / 60 "), Ok(Rate::per_minute(5)));
        assert!(Rate::parse("0").unwrap().is_off());
        assert!(Rate::parse("0/60").unwrap().is_off());
        for bad in ["", "20", "x/60", "20/", "-1/60", "5/0", "20/3600/1"] {
            assert!(Rate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Rate::per_hour(20).to_string(), "20/3600");
    }

    #[test]
    fn windows_are_fixed_and_retry_after_counts_to_their_end() {
        let rate = Rate::per_minute(3);
        let at = Timestamp::from_unix_millis(120_500);
        let window = rate.window(at);
        assert_eq!(window.index, 2);
        assert_eq!(window.ends, Timestamp::from_unix_millis(180_000));
        assert_eq!(window.retry_after(at), 60);
        assert_eq!(window.retry_after(Timestamp::from_unix_millis(179_999)), 1);
        assert_ne!(rate.window(Timestamp::from_unix_millis(180_000)), window);
    }
}
