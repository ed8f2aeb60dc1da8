//! What validation says: the problems that refuse a topology, each naming what it concerns, and
//! the notices that do not (a hub's spokes that will not talk to each other). The messages are
//! written for the person who wrote the file.

use std::fmt;

use ipnet::Ipv4Net;

use crate::cloud::Cloud;

/// Something validation tells without refusing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// `a` and `c` are both linked to `via` but not to each other, so they will not talk.
    NotTransitive {
        /// One end.
        a: String,
        /// The network both are linked to.
        via: String,
        /// The other end.
        c: String,
    },
    /// Azure openings are carried by the default network security rules.
    AzureOpenByDefault {
        /// The link.
        link: String,
    },
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::NotTransitive { a, via, c } => write!(
                f,
                "{a} and {c} are both linked to {via} but not to each other: they will not talk \
                 (peering is not transitive); add a link {a}-{c} if they must"
            ),
            Notice::AzureOpenByDefault { link } => write!(
                f,
                "link {link}: Azure's default rule AllowVnetInBound already admits a peered \
                 VNet; `open` adds no rule there"
            ),
        }
    }
}

/// One reason a topology is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
pub enum Problem {
    /// A name that cannot be used in GCP or Azure resource names.
    #[error("{what} {name:?}: {why}")]
    BadName {
        /// What carries the name.
        what: &'static str,
        /// The name.
        name: String,
        /// What is wrong.
        why: String,
    },
    /// An account's id is not what its cloud uses.
    #[error("account {account}: {why}")]
    BadAccount {
        /// The account.
        account: String,
        /// What is wrong.
        why: String,
    },
    /// A network names an account the file does not declare.
    #[error("network {network}: no account named {account:?}")]
    UnknownAccount {
        /// The network.
        network: String,
        /// The account named.
        account: String,
    },
    /// A network is neither existing nor declared, or both.
    #[error("network {network}: give either `id` (an existing network) or `cidrs` (one to create), not {got}")]
    IdOrCidrs {
        /// The network.
        network: String,
        /// "neither" or "both".
        got: &'static str,
    },
    /// A network lacks the region its cloud needs.
    #[error("network {network}: {cloud} networks {why} need a `region`")]
    NoRegion {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// When it is needed.
        why: &'static str,
    },
    /// A declared block is not a network address or not private-sized.
    #[error("network {network}: {why}")]
    BadCidr {
        /// The network.
        network: String,
        /// What is wrong.
        why: String,
    },
    /// A link names a network the file does not declare.
    #[error("link {link}: no network named {network:?}")]
    UnknownNetwork {
        /// The link.
        link: String,
        /// The network named.
        network: String,
    },
    /// A link joins a network to itself.
    #[error("link {link}: joins {network} to itself")]
    SelfLink {
        /// The link.
        link: String,
        /// The network.
        network: String,
    },
    /// Two links join the same pair (the clouds allow one peering per pair).
    #[error("links {first} and {second} both join {a} and {b}: one peering per network pair")]
    DuplicatePair {
        /// The first link.
        first: String,
        /// The second link.
        second: String,
        /// One network.
        a: String,
        /// The other.
        b: String,
    },
    /// Two links share a name.
    #[error("two links are named {link}")]
    DuplicateLinkName {
        /// The name.
        link: String,
    },
    /// A native link across clouds.
    #[error(
        "link {link}: joins {a} ({a_cloud}) and {b} ({b_cloud}); native peering joins networks of \
         one cloud. Across clouds use `type: encrypted`, with a gateway in each network"
    )]
    CrossCloud {
        /// The link.
        link: String,
        /// One network.
        a: String,
        /// Its cloud.
        a_cloud: Cloud,
        /// The other.
        b: String,
        /// Its cloud.
        b_cloud: Cloud,
    },
    /// An encrypted link to a network without a gateway.
    #[error(
        "link {link}: `type: encrypted` needs a gateway in each network, and {network} has none; \
         add one under `gateways:`"
    )]
    NoGateway {
        /// The link.
        link: String,
        /// The network without a gateway.
        network: String,
    },
    /// An encrypted link between a gateway with an HA backup and one without.
    #[error(
        "link {link}: gateway {with} has an HA backup and {without} has none; the backups' \
         tunnels pair backup with backup, so give both an `ha` or neither"
    )]
    HaMismatch {
        /// The link.
        link: String,
        /// The gateway with a backup.
        with: String,
        /// The gateway without.
        without: String,
    },
    /// The two gateways of an encrypted link disagree on failback (both sides' routes move
    /// together, since tunnels pair primary with primary and backup with backup).
    #[error(
        "link {link}: gateway {with} has `ha.failback: true` and {without} does not; both \
         sides of a link fail back together, so set it on both or neither"
    )]
    FailbackMismatch {
        /// The link.
        link: String,
        /// The gateway with failback.
        with: String,
        /// The gateway without.
        without: String,
    },
    /// A detection time outside what a health check can use.
    #[error(
        "detection_time: {value} s is out of range; give 20 to 600 seconds (60 when absent), \
         as Aviatrix's tunnel_detection_time"
    )]
    DetectionTime {
        /// The value given.
        value: u64,
    },
    /// An encrypted link sets an option it cannot have.
    #[error("link {link}: `{option}` on an encrypted link: {why}")]
    EncryptedOption {
        /// The link.
        link: String,
        /// The option.
        option: &'static str,
        /// Why not.
        why: String,
    },
    /// A gateway names a network the file does not declare.
    #[error("gateway {gateway}: no network named {network:?}")]
    GatewayUnknownNetwork {
        /// The gateway.
        gateway: String,
        /// The network named.
        network: String,
    },
    /// Two gateways serve one network.
    #[error(
        "gateways {first} and {second} both serve {network}: a network has one gateway (give it \
         an `ha` for a backup)"
    )]
    TwoGateways {
        /// The network.
        network: String,
        /// The first gateway.
        first: String,
        /// The second.
        second: String,
    },
    /// A gateway's HA name is another gateway's name.
    #[error("gateway {gateway}: its HA backup is named {ha}, which another gateway is called")]
    GatewayNameTaken {
        /// The gateway.
        gateway: String,
        /// The backup's name.
        ha: String,
    },
    /// A gateway's subnet cannot be used.
    #[error("gateway {gateway}: subnet {why}")]
    GatewaySubnet {
        /// The gateway (or its backup).
        gateway: String,
        /// What is wrong.
        why: String,
    },
    /// A gateway's zone is not in its network's region.
    #[error("gateway {gateway}: zone {zone} is not in the network's region {region}")]
    GatewayZone {
        /// The gateway (or its backup).
        gateway: String,
        /// The zone.
        zone: String,
        /// The region.
        region: String,
    },
    /// A gateway in an existing GCP network without a region.
    #[error(
        "gateway {gateway}: {network} is a GCP network without a `region`; give it the region \
         of the gateway's subnetwork"
    )]
    GatewayNoRegion {
        /// The gateway.
        gateway: String,
        /// The network.
        network: String,
    },
    /// A backup in the primary's zone.
    #[error(
        "gateway {gateway}: the HA backup is in {zone}, the primary's zone; put it in another \
         zone, so that one zone's failure does not take both"
    )]
    HaSameZone {
        /// The gateway.
        gateway: String,
        /// The zone.
        zone: String,
    },
    /// A backup's subnet that cannot be.
    #[error("gateway {gateway}: {why}")]
    HaSubnet {
        /// The gateway.
        gateway: String,
        /// What is wrong.
        why: String,
    },
    /// A link sets an option its cloud does not have.
    #[error("link {link}: `{option}` is {only}; this link is {cloud}")]
    OptionNotForCloud {
        /// The link.
        link: String,
        /// The option.
        option: &'static str,
        /// Which cloud has it.
        only: &'static str,
        /// The link's cloud.
        cloud: Cloud,
    },
    /// `route_tables` or `gateway_transit` names a network that is not a side.
    #[error("link {link}: names {network}, which is not one of its two networks")]
    TablesNotASide {
        /// The link.
        link: String,
        /// The network named.
        network: String,
    },
    /// An opening that cannot be read.
    #[error("link {link}: opening {what}: {why}")]
    BadOpening {
        /// The link.
        link: String,
        /// The opening as written.
        what: String,
        /// What is wrong.
        why: String,
    },
    /// Two linked networks' blocks overlap.
    #[error(
        "link {link}: {a} ({a_cidr}) and {b} ({b_cidr}) overlap; the clouds refuse to peer \
         overlapping networks"
    )]
    Overlap {
        /// The link.
        link: String,
        /// One network.
        a: String,
        /// Its block.
        a_cidr: Ipv4Net,
        /// The other.
        b: String,
        /// Its block.
        b_cidr: Ipv4Net,
    },
    /// Two peers of one network overlap.
    #[error(
        "{network} is linked to {a} ({a_cidr}) and {b} ({b_cidr}), which overlap: {network} \
         cannot route to both"
    )]
    PeersOverlap {
        /// The network.
        network: String,
        /// One peer.
        a: String,
        /// Its block.
        a_cidr: Ipv4Net,
        /// The other peer.
        b: String,
        /// Its block.
        b_cidr: Ipv4Net,
    },
    /// More links at a network than its cloud's quota.
    #[error("{network}: {count} links, over {cloud}'s quota of {limit} peerings per network")]
    PeeringQuota {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// Links at it.
        count: usize,
        /// The quota.
        limit: usize,
    },
    /// More peer blocks than an AWS route table may hold.
    #[error(
        "{network}: its route tables would need {count} routes to peers, over AWS's quota of \
         {limit} per route table"
    )]
    RouteQuota {
        /// The network.
        network: String,
        /// Routes needed.
        count: usize,
        /// The quota.
        limit: usize,
    },
    /// A VNet would use the gateways of two peers (Azure allows one peering per VNet to set
    /// `useRemoteGateways`).
    #[error("{network} would use the gateways of {first} and {second}: Azure allows a VNet to use one peer's gateway")]
    TwoRemoteGateways {
        /// The network.
        network: String,
        /// One gateway side.
        first: String,
        /// The other.
        second: String,
    },
    /// An expected pair is not a link.
    #[error("{a} and {b} are expected to talk but are not linked{path}: peering is not transitive; add a link between them")]
    NotLinked {
        /// One end.
        a: String,
        /// The other.
        b: String,
        /// `"" ` or ` (a path a-x-b exists: ...)`.
        path: String,
    },
    /// An expected pair names an unknown network.
    #[error("expect: no network named {network:?}")]
    UnknownExpected {
        /// The name.
        network: String,
    },
}

/// A refused topology: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the topology is refused:\n{}", list(.problems))]
pub struct Refusal {
    /// The problems, in the file's order.
    pub problems: Vec<Problem>,
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}
