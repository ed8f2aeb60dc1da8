//! The Elastic IP record (`eipalloc-…`): a public IPv4 address of an account and region, and the
//! network interface address it is associated with (an instance's interface or a NAT gateway's).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::{Scope, Tags};

/// An Elastic IP address (AllocateAddress, `Domain` `vpc`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElasticIp {
    /// `eipalloc-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// The public address, from the emulator's pool
    /// ([`PUBLIC_POOL`](crate::aws::address::PUBLIC_POOL)).
    pub public_ip: Ipv4Addr,
    /// What it is associated with, if anything.
    pub association: Option<EipAssociation>,
    /// User tags.
    pub tags: Tags,
}

/// The association of an Elastic IP with one private address of a network interface. The
/// instance (if any) is the interface's attachment, read when shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EipAssociation {
    /// `eipassoc-…`.
    pub id: String,
    /// The interface.
    pub eni_id: String,
    /// The private address of the interface it maps to.
    pub private_ip: Ipv4Addr,
}
