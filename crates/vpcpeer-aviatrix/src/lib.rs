//! The Aviatrix-compatible controller API, sans-IO: what `vpcpeer serve` answers at `/v2/api`
//! (spec `gcp-azure-aviatrix.md` §3.1), so automation written for an Aviatrix controller (its
//! Terraform provider's actions and field names) drives vpcpeer's controller.
//!
//! - [`Request`]: the form-encoded body or query parameters: `action`, `CID` and the fields.
//! - [`Sessions`]: `login` → a `CID` from the caller's randomness; every other action must carry
//!   a live one.
//! - [`AviatrixState`]: Aviatrix's records (accounts, gateways, peerings, the detection time)
//!   and what the last apply observed; its [`AviatrixState::topology`] is the topology the
//!   controller plans from, the same as a topology file would give.
//! - [`handle`]: one request → a [`Reply`] now, or an accepted edit ([`Handled::Change`]) whose
//!   topology the controller's `validate` passed, for the composition root to save, apply
//!   through the drivers and then answer.
//!
//! No I/O here: the composition root (`crates/vpcpeer`) reads and writes the state file, draws
//! the randomness, runs the drivers and serves HTTP.

mod actions;
mod observe;
mod reply;
mod request;
mod session;
mod state;

pub use actions::{handle, Answer, Handled, ACTIONS};
pub use reply::Reply;
pub use request::Request;
pub use session::{Credentials, Sessions, CID_INVALID, MAX_SESSIONS};
pub use state::{
    network_name, Account, AviatrixState, CloudType, Facts, Gateway, GatewayFacts, HaGateway,
    KnownNetwork, NativePeering, Side, StateError, Tunnel, DETECTION_DEFAULT, TOPOLOGY,
};

#[cfg(test)]
mod tests;
