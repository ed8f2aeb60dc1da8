//! The admin answers: `GET /_vpcpeer/health`, `GET|POST /_vpcpeer/clock`, `POST
//! /_vpcpeer/reset`, `GET|POST|DELETE /_vpcpeer/faults` (the opt-in fault mode), and the error
//! body every admin, reach, audit and matrix request may get.

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

/// A cloud face of the emulator, as the fault mode names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Face {
    /// The EC2 Query API (`POST /`).
    Aws,
    /// Compute Engine v1 (`/compute/v1/*`).
    Gcp,
    /// Azure Resource Manager (`/subscriptions/*`).
    Azure,
}

/// What an armed fault does to a request it catches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Refuse the request as the cloud refuses a throttled caller, before doing anything: EC2
    /// 503 `RequestLimitExceeded`, GCP 429 `rateLimitExceeded`, ARM 429 `TooManyRequests` with
    /// `Retry-After: 0`.
    Throttle,
    /// Answer as the cloud answers a call naming a resource it does not see — what a client
    /// meets right after a create, before the new resource is visible everywhere (eventual
    /// consistency): EC2 400 with the named resource's `Invalid…ID.NotFound` code, GCP 404
    /// `notFound`, ARM 404 `ResourceNotFound`.
    #[serde(rename = "not_found")]
    NotFound,
    /// Refuse the request because another operation holds the resource: GCP 400 `badRequest`
    /// "There is a peering operation in progress on the local or peer network. Try again
    /// later.", ARM 409 `AnotherOperationInProgress`. EC2 has no such refusal.
    Busy,
}

/// Body of `POST /_vpcpeer/faults`: the next `count` requests of `action` on `face` meet
/// `fault`. Arming an action already armed on that face replaces its count and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmFault {
    /// The face.
    pub face: Face,
    /// The action, in the face's own naming: the EC2 `Action` (`CreateVpcPeeringConnection`),
    /// the GCP IAM permission of the method (`compute.networks.addPeering`), the Azure RBAC
    /// action (`Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write`).
    pub action: String,
    /// How many requests to catch (one or more).
    pub count: u32,
    /// What to do to them.
    pub fault: FaultKind,
}

/// One armed fault, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// The action, in the face's naming (see [`ArmFault::action`]).
    pub action: String,
    /// Requests it will still catch.
    pub count: u32,
    /// The face.
    pub face: Face,
    /// What it does.
    pub fault: FaultKind,
}

/// The answer of `GET`, `POST` and `DELETE /_vpcpeer/faults`: the faults armed after the
/// request, ordered by face (aws, gcp, azure) then action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultsAnswer {
    /// The armed faults (none once disarmed).
    pub faults: Vec<Fault>,
}
