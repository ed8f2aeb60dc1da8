//! A failed call to a cloud, with what the loop needs to decide (try again or stop) and what the
//! user needs to read: the cloud, the call, the HTTP status, the cloud's own error code and
//! message.

use vpcpeer_controller::apply::{Failure, Retry};
use vpcpeer_controller::Cloud;

/// A failed call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{cloud} {call}: {}{code}: {message}", .status.map(|s| format!("HTTP {s} ")).unwrap_or_default())]
pub struct DriverError {
    /// The cloud called.
    pub cloud: Cloud,
    /// The call, as the cloud names it (`CreateRoute`, `networks.addPeering`, `PUT
    /// virtualNetworkPeerings`).
    pub call: String,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// The cloud's error code (`RouteAlreadyExists`, `RESOURCE_NOT_FOUND`,
    /// `AnotherOperationInProgress`), or `transport` when no answer came.
    pub code: String,
    /// The cloud's message.
    pub message: String,
    /// Whether to try again.
    pub retry: Retry,
}

impl Failure for DriverError {
    fn retry(&self) -> Retry {
        self.retry
    }
}

impl DriverError {
    /// An error found before or without an answer (a bad endpoint, a refused connection).
    pub fn transport(cloud: Cloud, call: &str, message: impl Into<String>) -> Self {
        DriverError {
            cloud,
            call: call.to_string(),
            status: None,
            code: "transport".into(),
            message: message.into(),
            retry: Retry::Never,
        }
    }

    /// An answer the driver cannot read.
    pub fn unreadable(cloud: Cloud, call: &str, status: u16, message: impl Into<String>) -> Self {
        DriverError {
            cloud,
            call: call.to_string(),
            status: Some(status),
            code: "unreadable-answer".into(),
            message: message.into(),
            retry: Retry::Never,
        }
    }
}

/// HTTP statuses every cloud uses for "slow down" and "try again later".
pub(crate) fn retry_of_status(status: u16) -> Retry {
    match status {
        429 => Retry::Throttled,
        500 | 502 | 503 | 504 => Retry::Busy,
        _ => Retry::Never,
    }
}
