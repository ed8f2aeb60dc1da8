//! Errors in GCP's dialect. [`WireError`] is what a handler returns; every [`GcpError`] of the
//! model gets its HTTP status, reason and message in [`describe`] (`messages.rs`), with an
//! exhaustive `match`.

use serde_json::{json, Value};
use vpcpeer_model::gcp::GcpError;

pub use crate::messages::{describe, Class};

/// An error as the client sees it: HTTP status, GCP reason and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    /// HTTP status.
    pub status: u16,
    /// `notFound`, `alreadyExists`, `invalid`, `badRequest`, …
    pub reason: &'static str,
    /// Human-readable message.
    pub message: String,
}

impl WireError {
    /// 400 `invalid`.
    pub fn invalid(message: impl Into<String>) -> Self {
        WireError {
            status: 400,
            reason: "invalid",
            message: message.into(),
        }
    }

    /// 400 `badRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        WireError {
            status: 400,
            reason: "badRequest",
            message: message.into(),
        }
    }

    /// 404 `notFound` for a URL no method serves.
    pub fn no_such_method(method: &str, path: &str) -> Self {
        WireError {
            status: 404,
            reason: "notFound",
            message: format!("The requested URL {method} /compute/v1/{path} was not found."),
        }
    }

    /// 500 `backendError` (the emulator's own failure; no detail).
    pub fn internal() -> Self {
        WireError {
            status: 500,
            reason: "backendError",
            message: "Internal error. Please try again.".into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        error_json(self.status, self.reason, &self.message)
    }
}

impl From<GcpError> for WireError {
    fn from(e: GcpError) -> Self {
        let (class, message) = describe(&e);
        WireError {
            status: class.status(),
            reason: class.reason(),
            message,
        }
    }
}

/// The HTTP status and reason of a model error.
pub fn status_of(e: &GcpError) -> (u16, &'static str) {
    let class = describe(e).0;
    (class.status(), class.reason())
}

/// The upper-case `code` of a model error inside a failed operation's `error.errors[]`.
pub fn op_error_code(e: &GcpError) -> &'static str {
    describe(e).0.op_error_code()
}

/// `httpErrorMessage` of a failed operation, as GCP spells the status.
pub fn http_error_message(status: u16) -> &'static str {
    match status {
        400 => "BAD REQUEST",
        403 => "FORBIDDEN",
        404 => "NOT FOUND",
        409 => "CONFLICT",
        412 => "PRECONDITION FAILED",
        _ => "INTERNAL SERVER ERROR",
    }
}

/// The JSON error body of a refused request.
pub fn error_body(e: &GcpError) -> (u16, Value) {
    let w = WireError::from(e.clone());
    (w.status, w.body())
}

/// GCP's error document: `{"error": {"code", "message", "errors": [{message, domain, reason}]}}`.
pub fn error_json(status: u16, reason: &str, message: &str) -> Value {
    json!({
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }
    })
}
