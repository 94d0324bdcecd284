//! Counting what API.md rate-limits, before the work it limits: over a limit is 429
//! `rate_limited` (an `error` event over WebSocket) with the seconds until the window ends, and
//! nothing else happens.

use std::sync::Arc;

use crate::error::ChatError;
use crate::ports::Charge;
use crate::rate::{CounterKey, Rate, RateLimits};

use super::ChatService;

impl ChatService {
    /// The service with these limits (a new service has none).
    pub fn with_rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = Arc::new(limits);
        self
    }

    pub fn rate_limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Counts one action of `counter`; over `rate` it is refused.
    pub(super) async fn count(&self, rate: Rate, counter: &CounterKey) -> Result<(), ChatError> {
        if rate.is_off() {
            return Ok(());
        }
        let now = self.clock.now();
        let window = rate.window(now);
        let key = counter.key(window);
        if self
            .store
            .count_up_to(&key, rate.max, now, window.ends)
            .await?
        {
            Ok(())
        } else {
            Err(ChatError::RateLimited {
                retry_after_secs: window.retry_after(now),
            })
        }
    }

    /// One action of `counter` under `rate`, to be counted by the write it limits (`None`
    /// when the limit is off).
    pub(super) fn charge(&self, rate: Rate, counter: &CounterKey) -> Option<Charge> {
        if rate.is_off() {
            return None;
        }
        let now = self.clock.now();
        let window = rate.window(now);
        Some(Charge {
            key: counter.key(window),
            max: rate.max,
            expires_at: window.ends,
            retry_after_secs: window.retry_after(now),
        })
    }

    /// Refused if `counter` already reached `rate`; counts nothing (failures are counted
    /// after they happen, with `count_failure`).
    pub(super) async fn ensure_below(
        &self,
        rate: Rate,
        counter: &CounterKey,
    ) -> Result<(), ChatError> {
        if rate.is_off() {
            return Ok(());
        }
        let now = self.clock.now();
        let window = rate.window(now);
        if self.store.counted(&counter.key(window), now).await? >= rate.max {
            return Err(ChatError::RateLimited {
                retry_after_secs: window.retry_after(now),
            });
        }
        Ok(())
    }

    /// Counts a failure of `counter` without a ceiling (the ceiling is `ensure_below`'s).
    pub(super) async fn count_failure(
        &self,
        rate: Rate,
        counter: &CounterKey,
    ) -> Result<(), ChatError> {
        let unbounded = Rate {
            max: u32::MAX,
            ..rate
        };
        match self.count(unbounded, counter).await {
            Ok(()) | Err(ChatError::RateLimited { .. }) => Ok(()),
            Err(other) => Err(other),
        }
    }
}
