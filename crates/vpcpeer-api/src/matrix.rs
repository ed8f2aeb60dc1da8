//! `POST /_vpcpeer/matrix`: reachability between every ordered pair of instances.

use serde::{Deserialize, Serialize};

/// Body of `POST /_vpcpeer/matrix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixRequest {
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// Destination port (TCP/UDP).
    #[serde(default)]
    pub port: Option<u16>,
    /// Only instances of this account.
    #[serde(default)]
    pub account: Option<String>,
    /// Only instances in this region.
    #[serde(default)]
    pub region: Option<String>,
    /// Exactly these instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<Vec<String>>,
}

/// One instance of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixInstance {
    /// Owner account.
    pub account: String,
    /// `i-…`.
    pub id: String,
    /// Primary private address (`null` without an interface).
    pub private_ip: Option<String>,
    /// Region.
    pub region: String,
    /// Subnet.
    pub subnet_id: String,
    /// VPC.
    pub vpc_id: String,
}

/// One ordered pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// The first blocker's code, when unreachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The engine's refusal, when it could not answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Source instance.
    pub from: String,
    /// Whether the packet gets there and the reply comes back.
    pub reachable: bool,
    /// Destination instance.
    pub to: String,
}

/// The answer of `POST /_vpcpeer/matrix`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixAnswer {
    /// Every ordered pair of distinct instances.
    pub cells: Vec<Cell>,
    /// The instances, in the matrix's order.
    pub instances: Vec<MatrixInstance>,
    /// Destination port (TCP/UDP).
    pub port: Option<u16>,
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// The reachable pairs, `[from, to]`.
    pub reachable: Vec<(String, String)>,
}
