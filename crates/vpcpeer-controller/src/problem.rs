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
         one cloud. Across clouds it takes `type: encrypted` (gateways), which this version does \
         not support yet"
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
    /// An encrypted link.
    #[error(
        "link {link}: `type: encrypted` (IPsec between gateways) is not supported yet; use \
         `native` between networks of one cloud"
    )]
    EncryptedUnsupported {
        /// The link.
        link: String,
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
