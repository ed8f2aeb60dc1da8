//! Why the GCP rules refuse a command: a kind plus the resource paths and values involved, never
//! GCP's wording. `vpcpeer-wire-gcp` renders each kind's HTTP status, reason and message with an
//! exhaustive `match`, so a new kind does not compile until the face has decided how to say it.
//!
//! A refusal is also the `error` of a failed peering operation, so it is part of the stored form
//! of [`GcpOperation`](super::GcpOperation). Its serde form is the variant's name; the three
//! kinds the first release stored (`NotFound`, `AlreadyExists`, `InUse`) keep their v1 shape, and
//! the prose variants the first release stored (`Invalid`, `BadRequest`, `QuotaExceeded` with
//! its message) still read, as [`GcpError::Recorded`], and are answered with their recorded
//! words. The model never builds one.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::FirewallAction;

/// A field of a GCP request that a refusal names (the wire spells it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    /// The resource's name.
    Name,
    /// The name of a peering entry.
    PeeringName,
    /// A network reference of a subnetwork, route or firewall rule.
    Network,
    /// A subnetwork's primary range.
    IpCidrRange,
    /// The new range of a subnetwork's expansion.
    ExpandedRange,
    /// A subnetwork's secondary ranges.
    SecondaryRanges,
    /// The name of a secondary range.
    SecondaryRangeName,
    /// The range of a secondary range.
    SecondaryRange,
    /// A route's destination.
    DestRange,
    /// A route's instance next hop.
    NextHopInstance,
    /// The network tags of a route or firewall rule.
    Tags,
    /// An instance's network tags.
    InstanceTags,
    /// An instance's network interfaces.
    NetworkInterfaces,
    /// The network of an instance's interface (by position).
    NicNetwork(usize),
    /// The subnetwork of an instance's interface (by position).
    NicSubnetwork(usize),
    /// The fixed internal IP of an instance's interface (by position).
    NicIp(usize),
    /// A firewall rule's source ranges.
    SourceRanges,
    /// A firewall rule's destination ranges.
    DestinationRanges,
    /// A firewall rule's source tags.
    SourceTags,
    /// A firewall rule's target tags.
    TargetTags,
    /// The access configs of an instance's interface (by position).
    NicAccessConfigs(usize),
    /// The `natIP` of an interface's access config (by position of the interface).
    NicNatIp(usize),
    /// The key of an instance's metadata item (by position).
    MetadataKey(usize),
    /// The fingerprint of a `setMetadata` request.
    MetadataFingerprint,
    /// The address of an `addresses.insert`.
    Address,
    /// A firewall rule's allow or deny entries.
    Rules(FirewallAction),
    /// The ports of one of a firewall rule's allow or deny entries.
    RulePorts(FirewallAction),
}

/// Which kind of resource cannot go because another uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InUseKind {
    /// A network.
    Network,
    /// A subnetwork.
    Subnetwork,
    /// A static external address.
    Address,
}

/// The HTTP-level class of a refusal recorded by the first release, whose words it kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordedKind {
    /// A field value was refused.
    Invalid,
    /// The request could not be served.
    BadRequest,
    /// A quota was exceeded.
    QuotaExceeded,
}

/// A refusal by the GCP rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GcpError {
    /// No resource at this path (a network, a region, a zone, an operation, …).
    NotFound(String),
    /// A resource already has this path.
    AlreadyExists(String),
    /// `resource` cannot go while `by` uses it.
    InUse {
        /// Which kind `resource` is.
        kind: InUseKind,
        /// The resource that cannot go.
        resource: String,
        /// What uses it.
        by: String,
    },
    /// `value` is not a resource name (RFC 1035, 1–63 characters).
    BadName {
        /// Where it was given.
        field: Field,
        /// As given.
        value: String,
    },
    /// `value` is not a well-formed value for `field`.
    BadValue {
        /// Where it was given.
        field: Field,
        /// As given.
        value: String,
    },
    /// `value` is no reference to a resource of the kind `field` takes.
    MalformedReference {
        /// Where it was given.
        field: Field,
        /// As given.
        value: String,
    },
    /// `path` belongs to another project (only Shared VPC, not emulated, allows that).
    CrossProject {
        /// Where it was given.
        field: Field,
        /// The resolved reference.
        path: String,
    },
    /// More items than allowed.
    TooMany {
        /// Which list.
        field: Field,
        /// How many were given.
        count: usize,
        /// How many are allowed.
        max: usize,
    },
    /// A description longer than [`MAX_DESCRIPTION`](super::limits::MAX_DESCRIPTION) characters.
    DescriptionTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// A priority above 65535.
    PriorityTooHigh {
        /// As given.
        priority: u32,
    },
    /// `value` is not an IPv4 CIDR range.
    BadRange {
        /// Where it was given.
        field: Field,
        /// As given.
        value: String,
    },
    /// `value` is a range with host bits set.
    HostBitsSet {
        /// As given.
        value: String,
    },
    /// A subnetwork range outside /8–/29.
    PrefixLength {
        /// The range.
        range: Ipv4Net,
    },
    /// A subnetwork range overlapping another range of the same subnetwork.
    OverlapsOwnRange {
        /// The range.
        range: Ipv4Net,
    },
    /// A subnetwork range overlapping another subnetwork of the network.
    OverlapsSubnetwork {
        /// The range.
        range: Ipv4Net,
        /// The other subnetwork's name.
        subnetwork: String,
        /// Its region.
        region: String,
    },
    /// A subnetwork range overlapping a network the network is actively peered with.
    OverlapsPeer {
        /// The range.
        range: Ipv4Net,
        /// The local peering entry's name.
        peering: String,
    },
    /// Two secondary ranges with one name.
    DuplicateRangeName {
        /// The name.
        name: String,
    },
    /// An expansion's range does not contain, or is not larger than, the current range.
    NotAnExpansion {
        /// The new range.
        new: Ipv4Net,
        /// The current range.
        old: Ipv4Net,
    },
    /// The subnetwork belongs to an auto-mode network.
    AutoModeSubnetwork {
        /// The subnetwork.
        subnetwork: String,
    },
    /// A network without `autoCreateSubnetworks` (a legacy network).
    LegacyNetwork,
    /// An MTU outside 1300–8896.
    Mtu {
        /// As given.
        mtu: u32,
    },
    /// A custom-mode network cannot become auto mode.
    CustomToAuto,
    /// A peering request without a peer network.
    PeerNetworkMissing,
    /// A peer network reference that names another cloud's network, or none.
    PeerNotGcp {
        /// As given.
        reference: String,
    },
    /// A network peered with itself.
    PeerIsSelf {
        /// As given.
        reference: String,
    },
    /// `exchangeSubnetRoutes` false.
    SubnetRoutesNotExchanged,
    /// No peering entry of this name on the network.
    NoSuchPeering {
        /// The name.
        name: String,
        /// The network.
        network: String,
    },
    /// A peering entry of this name exists already.
    DuplicatePeeringName {
        /// The name.
        name: String,
        /// The network.
        network: String,
    },
    /// The network already has a peering entry to the same peer.
    AlreadyPeered {
        /// The existing entry's name.
        existing: String,
    },
    /// The per-network peering quota is reached.
    PeeringQuota {
        /// The quota.
        limit: usize,
        /// The network.
        network: String,
    },
    /// Another peering operation is running on the network or its peer.
    PeeringInProgress,
    /// A peer range overlaps a local subnetwork's range.
    PeerRangeOverlap {
        /// The peer's range.
        peer_range: Ipv4Net,
        /// The local range.
        local_range: Ipv4Net,
        /// The local subnetwork that holds it.
        local_subnetwork: String,
    },
    /// Both networks are in auto mode.
    TwoAutoModeNetworks,
    /// A peer range inside the range the local auto-mode network reserves.
    PeerInLocalAutoRange {
        /// The peer's range.
        peer_range: Ipv4Net,
    },
    /// A local range inside the range the peer auto-mode network reserves.
    LocalInPeerAutoRange {
        /// The local range.
        local_range: Ipv4Net,
        /// The local subnetwork that holds it.
        local_subnetwork: String,
    },
    /// A route's next-hop instance has no interface in the route's network.
    InstanceNotInNetwork {
        /// The instance, as given.
        instance: String,
        /// The route's network.
        network: String,
    },
    /// A gateway other than `default-internet-gateway`.
    UnsupportedGateway {
        /// As given.
        gateway: String,
    },
    /// A firewall protocol that is neither known nor a number.
    BadProtocol {
        /// As given.
        protocol: String,
    },
    /// Ports given for a protocol without ports.
    PortsNotAllowed {
        /// As given.
        protocol: String,
    },
    /// A port or port range that does not parse.
    BadPorts {
        /// As given.
        value: String,
    },
    /// A firewall rule with both or neither of `allowed` and `denied`.
    AllowedXorDenied,
    /// Source tags on an egress rule.
    EgressSourceTags,
    /// A firewall source or destination that is not a range.
    BadFirewallRange {
        /// Which list.
        field: Field,
        /// As given.
        value: String,
    },
    /// An instance without network interfaces.
    NoInterfaces,
    /// An interface on a custom-mode network without a subnetwork.
    SubnetworkRequired {
        /// The interface's position.
        nic: usize,
    },
    /// An interface with neither network nor subnetwork.
    NicWithoutNetwork {
        /// The interface's position.
        nic: usize,
    },
    /// An interface's subnetwork in another region than the instance's zone.
    SubnetworkInOtherRegion {
        /// The interface's position.
        nic: usize,
        /// The subnetwork.
        subnetwork: String,
        /// The instance's region.
        region: String,
    },
    /// An interface whose subnetwork belongs to another network than the one it names.
    SubnetworkOfOtherNetwork {
        /// The interface's position.
        nic: usize,
        /// The network, as given.
        network: String,
        /// The subnetwork.
        subnetwork: String,
    },
    /// Two interfaces in one network.
    TwoNicsInOneNetwork {
        /// The second interface's position.
        nic: usize,
    },
    /// A fixed internal IP outside the subnetwork's usable range.
    IpOutsideRange {
        /// The address.
        ip: Ipv4Addr,
        /// The subnetwork's range.
        range: Ipv4Net,
    },
    /// A fixed internal IP another interface uses.
    IpInUse {
        /// The address.
        ip: Ipv4Addr,
    },
    /// No free internal IP left in the subnetwork.
    IpSpaceExhausted {
        /// The subnetwork.
        subnetwork: String,
    },
    /// A `natIP` that no static address of the project holds in the instance's region.
    NatIpNotReserved {
        /// The interface's position.
        nic: usize,
        /// The address.
        ip: Ipv4Addr,
        /// The instance's region.
        region: String,
    },
    /// Every address of the external pool is taken.
    ExternalIpsExhausted,
    /// `addressType: INTERNAL` (internal static addresses are not emulated).
    InternalAddressUnsupported,
    /// Two metadata items with one key.
    DuplicateMetadataKey {
        /// The key.
        key: String,
    },
    /// Metadata values (or all of it) larger than allowed.
    MetadataTooLarge {
        /// The key whose value is too large, or `None` for the whole.
        key: Option<String>,
        /// Its size in bytes.
        bytes: usize,
        /// The bound.
        max: usize,
    },
    /// A `setMetadata` whose fingerprint is not the instance's current one (or none).
    FingerprintMismatch,
    /// A running operation cannot be deleted.
    OperationRunning {
        /// The operation.
        operation: String,
    },
    /// A failed operation's refusal as the first release stored it (its words); never built
    /// by the model, only read back from a store.
    #[serde(untagged)]
    Recorded(Recorded),
}

/// A refusal stored by the first release: its class and its words (see [`GcpError::Recorded`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recorded {
    /// 400 `invalid`.
    Invalid(String),
    /// 400 `badRequest`.
    BadRequest(String),
    /// 403 `quotaExceeded`.
    QuotaExceeded(String),
}

impl Recorded {
    /// Its class and its words.
    pub fn parts(&self) -> (RecordedKind, &str) {
        match self {
            Recorded::Invalid(m) => (RecordedKind::Invalid, m),
            Recorded::BadRequest(m) => (RecordedKind::BadRequest, m),
            Recorded::QuotaExceeded(m) => (RecordedKind::QuotaExceeded, m),
        }
    }
}

impl std::fmt::Display for GcpError {
    /// The kind and its values (for logs and replays; the wire crate words it for clients).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GCP refusal: {self:?}")
    }
}

impl std::error::Error for GcpError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_refusals_of_the_first_release_read_back_and_write_back_alike() {
        for v1 in [
            r#"{"NotFound":"projects/p/global/networks/n"}"#,
            r#"{"AlreadyExists":"projects/p/global/networks/n"}"#,
            r#"{"InUse":{"kind":"network","resource":"r","by":"b"}}"#,
            r#"{"Invalid":"An IP range in the peer network (10.0.0.0/24) overlaps."}"#,
            r#"{"BadRequest":"There is a peering operation in progress."}"#,
            r#"{"QuotaExceeded":"Quota 'PEERINGS_PER_NETWORK' exceeded."}"#,
        ] {
            let e: GcpError = serde_json::from_str(v1).expect(v1);
            assert_eq!(serde_json::to_string(&e).unwrap(), v1);
        }
        let e: GcpError = serde_json::from_str(r#"{"Invalid":"words"}"#).unwrap();
        assert_eq!(e, GcpError::Recorded(Recorded::Invalid("words".into())));
    }

    #[test]
    fn structured_refusals_round_trip() {
        for e in [
            GcpError::PeeringInProgress,
            GcpError::PeeringQuota {
                limit: 1,
                network: "projects/p/global/networks/n".into(),
            },
            GcpError::BadName {
                field: Field::NicSubnetwork(2),
                value: "X".into(),
            },
        ] {
            let s = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<GcpError>(&s).unwrap(), e, "{s}");
        }
    }
}
