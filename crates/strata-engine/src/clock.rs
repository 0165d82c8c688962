//! The machine's clock as a [`Clock`]: wall time for `created` and `applied_at`, a monotonic
//! reading for how long a revision took. For native builds only (the CLI, tests); in the
//! browser the playground's worker reads the browser's clock.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use strata_core::time::{Clock, Timestamp};

/// The system clock.
pub struct SystemClock(Instant);

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock(Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        // A clock set before 1970 reads as negative milliseconds, which format as such.
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp(d.as_millis() as i64),
            Err(e) => Timestamp(-(e.duration().as_millis() as i64)),
        }
    }

    fn millis(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
}
