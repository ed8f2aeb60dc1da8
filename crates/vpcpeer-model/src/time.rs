//! Instants as milliseconds since the Unix epoch; the model never reads the system clock.

use serde::{Deserialize, Serialize};

/// A point in time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// One second, in the unit of [`Timestamp`].
    pub const SECOND: i64 = 1_000;
    /// One hour.
    pub const HOUR: i64 = 3_600 * Self::SECOND;
    /// One day.
    pub const DAY: i64 = 24 * Self::HOUR;

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// This instant moved forward by `ms` milliseconds.
    pub fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}
