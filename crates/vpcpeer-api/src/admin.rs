//! The admin answers: `GET /_vpcpeer/health`, `GET|POST /_vpcpeer/clock`, `POST
//! /_vpcpeer/reset`, and the error body every admin, reach, audit and matrix request may get.

use serde::{Deserialize, Serialize};

/// `GET /_vpcpeer/health`: `200` with `ok`, `503` with `degraded` while the store fails writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Records in the world.
    pub resources: usize,
    /// `ok` or `degraded`.
    pub status: String,
}

/// The emulator's clock (`GET /_vpcpeer/clock`, and the answer to an advance).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// ISO-8601, milliseconds, `Z`.
    pub now: String,
    /// Milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// Body of `POST /_vpcpeer/clock`: move the clock forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    /// Seconds to advance (zero or more).
    pub advance_seconds: i64,
}

/// `POST /_vpcpeer/reset`: `{"status": "reset"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetAnswer {
    /// `reset`.
    pub status: String,
}

/// An error answer of the admin, reach, audit and matrix endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorAnswer {
    /// The message.
    pub error: String,
}
