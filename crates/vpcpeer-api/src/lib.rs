//! The shapes of vpcpeer's own HTTP API (`/_vpcpeer/*`): every admin, reach, audit and matrix
//! answer and request body, as serde types. The server builds them, the CLI reads them, and the
//! controller and the console will use them too; this crate depends on serde alone, so none of
//! them needs the model or the engine to speak the API.
//!
//! The server sends each answer as a JSON object whose keys are in lexicographic order (it goes
//! through `serde_json::Value`, which keeps keys sorted), so the fields of every answer type here
//! are declared in that order too: serializing one directly gives the same bytes. Request bodies
//! keep the field order of their error messages (`expected one of …`). The golden tests
//! (`tests/golden.rs`) pin every shape.

pub mod admin;
pub mod audit;
pub mod matrix;
pub mod reach;

pub use admin::{AdvanceClock, Clock, ErrorAnswer, Health, ResetAnswer};
pub use audit::{AuditAnswer, AuditRequest, Finding, Severity, Summary};
pub use matrix::{Cell, MatrixAnswer, MatrixInstance, MatrixRequest};
pub use reach::{
    AclEntryRule, Blocker, Component, FilterRule, Header, Hop, Leg, ReachAnswer, ReachRequest,
    RouteRule, Rule, SecurityGroupRule,
};
