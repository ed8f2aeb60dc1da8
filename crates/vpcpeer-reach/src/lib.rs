//! The reachability engine: compiles the emulated network into a forwarding snapshot and answers
//! "can A reach B on this protocol and port — and if not, exactly why", hop by hop, forward and
//! return path, naming every blocker.
//!
//! Pure code: no I/O, no clock, no wire format. The codes follow AWS Reachability Analyzer's
//! explanation codes where AWS has one ([`Code`]).
//!
//! ```text
//! let snap = Snapshot::compile(&world, now);
//! let verdict = explain(&snap, &Query { src, dst, protocol: Protocol::Tcp, port: Some(443) })?;
//! ```

pub mod audit;
mod azure;
mod clouds;
mod crossing;
mod deps;
mod explain;
mod gcp;
pub mod incremental;
pub mod lpm;
mod matrix;
pub mod model;
mod remedy;
mod rules;
pub mod snapshot;
mod trace;
pub mod tunnel;
mod walk;

pub use audit::{audit, Check, Finding, Severity};
pub use azure::outer as azure_outer;
pub use clouds::explain_world;
pub use explain::explain;
pub use gcp::outer::{
    gcp_egress_admits, gcp_ingress_admits, gcp_internet_route, GcpFirewallVerdict, GcpInternetRoute,
};
pub use matrix::{matrix, matrix_cells, Cell};
pub use remedy::{remedy, Remedy, Traffic};

pub use model::peering_state_name;
pub use model::{
    CloudRule, Code, ComponentKind, ComponentRef, ConfigChange, Direction, Endpoint, Explanation,
    Fact, Header, Hop, Leg, Protocol, Query, QueryError, RuleRef, TunnelFix, Verdict,
    EPHEMERAL_PORT,
};
pub use snapshot::Snapshot;
