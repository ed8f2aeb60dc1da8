//! The shapes of vpcpeer's own HTTP API (`/_vpcpeer/*`): every admin, reach, audit, matrix,
//! topology, inspect, command-log and live-event answer and request body, as serde types. The server builds them, the CLI reads them, and the
//! controller and the console will use them too; this crate depends on serde alone, so none of
//! them needs the model or the engine to speak the API.
//!
//! Key order: the server sends every object with its keys in lexicographic order (the reach,
//! audit and matrix answers go through `serde_json::Value`, which keeps keys sorted, for the
//! redaction pass; the admin answers have their fields declared in that order). Clients must not
//! depend on key order. Request bodies keep the field order of their error messages (`expected
//! one of …`). `vpcpeer-server`'s golden tests pin every answer's bytes and check that these
//! types read each one and write it back unchanged.

pub mod admin;
pub mod audit;
pub mod inspect;
pub mod log;
pub mod matrix;
pub mod reach;
pub mod topology;

pub use admin::{
    AdvanceClock, ArmFault, Clock, ErrorAnswer, Face, Fault, FaultKind, FaultsAnswer, Health,
    ResetAnswer,
};
pub use audit::{AuditAnswer, AuditRequest, Finding, Severity, Summary};
pub use inspect::{InspectFact, InspectRow, InspectTable, Inspection};
pub use log::{LiveEvent, LogAnswer, LogEntry, ReplayAnswer, ReplayRequest};
pub use matrix::{Cell, MatrixAnswer, MatrixInstance, MatrixRequest};
pub use reach::{
    AclEntryRule, Blocker, Component, FilterRule, Header, Hop, Leg, ReachAnswer, ReachRequest,
    RouteRule, Rule, SecurityGroupRule,
};
pub use topology::{
    Topology, TopologyAccount, TopologyCloud, TopologyGateway, TopologyInstance, TopologyLink,
    TopologyNetwork, TopologyPeering, TopologyRegion, TopologySubnet,
};
