//! The system clock and id source, and a manual one for tests.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ulid::{Generator, Ulid};

use crate::domain::Timestamp;
use crate::ports::Clock;

/// Wall-clock time; ids monotonic within a millisecond (ULID's monotonic generator), so fast
/// sequential sends still sort in the order they were made.
#[derive(Default)]
pub struct SystemClock {
    generator: Mutex<Generator>,
}

impl SystemClock {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Clock for SystemClock {
    fn next_id(&self) -> Ulid {
        let mut generator = self
            .generator
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // The generator only fails when 2^80 ids were made in one millisecond.
        generator
            .generate()
            .unwrap_or_else(|_| Ulid::from_datetime(SystemTime::now()))
    }

    fn now(&self) -> Timestamp {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_unix_millis(since_epoch.as_millis() as i64)
    }
}

/// A clock that moves only when told to; ids are monotonic within its current millisecond.
pub struct ManualClock {
    millis: AtomicI64,
    generator: Mutex<Generator>,
}

impl ManualClock {
    pub fn starting_at(at: Timestamp) -> Self {
        Self {
            millis: AtomicI64::new(at.unix_millis()),
            generator: Mutex::new(Generator::new()),
        }
    }

    pub fn advance(&self, by: Duration) {
        self.millis
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn next_id(&self) -> Ulid {
        let at = UNIX_EPOCH + Duration::from_millis(self.now().unix_millis() as u64);
        self.generator
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .generate_from_datetime(at)
            .expect("fewer than 2^80 ids per millisecond")
    }

    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.millis.load(Ordering::SeqCst))
    }
}
