//! Domain errors: the failures a caller can cause, in cloud-neutral terms. Each wire crate maps
//! every variant to its own dialect with an exhaustive `match`.
//!
//! No variant carries prose: each names what went wrong, with the ids and values involved
//! (typed where the domain has a type). The `Display` text is a short domain description for
//! logs, never a cloud's message; `crates/vpcpeer-model/tests/no_ec2_spelling.rs` checks that
//! every `String` a kind holds is an id, a name or a value as given (by its field name).

mod appliance;
mod catalog;
mod eip;
mod endpoints;
mod problems;
mod vpn;

pub use appliance::{ApplianceProblem, InstanceAction};
pub use eip::EipProblem;

pub use endpoints::EndpointProblem;

pub use catalog::CatalogProblem;

pub use problems::{
    AddressProblem, Attached, DefaultVpcProblem, DefaultVpcUse, Dependent, GroupProblem,
    LaunchProblem, Mismatch, PeeringProblem, PeeringSide, RouteProblem, TagProblem, VpcProblem,
};
pub use vpn::VpnProblem;

use crate::aws::resources::{Destination, SgRule};

/// Kinds of resources, for not-found and malformed-id errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `vpc-`.
    Vpc,
    /// `subnet-`.
    Subnet,
    /// `rtb-`.
    RouteTable,
    /// A route in a table.
    Route,
    /// `igw-`.
    InternetGateway,
    /// `nat-`.
    NatGateway,
    /// `sg-`.
    SecurityGroup,
    /// `sgr-`.
    SecurityGroupRule,
    /// `acl-`.
    NetworkAcl,
    /// `i-`.
    Instance,
    /// `eni-`.
    NetworkInterface,
    /// `pcx-`.
    PeeringConnection,
    /// `nip-`.
    NetworkInsightsPath,
    /// `nia-`.
    NetworkInsightsAnalysis,
    /// `eigw-`.
    EgressOnlyInternetGateway,
    /// Any association id (`rtbassoc-`, `aclassoc-`, `vpc-cidr-assoc-`, `subnet-cidr-assoc-`).
    /// `key-`.
    KeyPair,
    /// `lt-`.
    LaunchTemplate,
    /// Any association id (`rtbassoc-`, `aclassoc-`, `vpc-cidr-assoc-`).
    Association,
    /// A gateway id of unknown kind given as a route target.
    Gateway,
    /// An availability zone.
    Zone,
    /// An id whose kind could not be told (tags).
    Any,
    /// `eipalloc-` (an Elastic IP).
    ElasticIp,
    // --- VPN gateways, customer gateways, DHCP options ---
    /// `vgw-`.
    VpnGateway,
    /// `cgw-`.
    CustomerGateway,
    /// `dopt-`.
    DhcpOptions,
    /// `pl-`: a managed prefix list.
    PrefixList,
    /// `vpce-`: a VPC endpoint.
    VpcEndpoint,
}

impl Kind {
    /// The id prefix of the kind, if it has one.
    pub fn prefix(self) -> Option<&'static str> {
        Some(match self {
            Kind::Vpc => "vpc",
            Kind::Subnet => "subnet",
            Kind::RouteTable => "rtb",
            Kind::InternetGateway => "igw",
            Kind::NatGateway => "nat",
            Kind::SecurityGroup => "sg",
            Kind::SecurityGroupRule => "sgr",
            Kind::NetworkAcl => "acl",
            Kind::Instance => "i",
            Kind::NetworkInterface => "eni",
            Kind::PeeringConnection => "pcx",
            Kind::NetworkInsightsPath => "nip",
            Kind::NetworkInsightsAnalysis => "nia",
            Kind::EgressOnlyInternetGateway => "eigw",
            Kind::ElasticIp => "eipalloc",
            Kind::VpnGateway => "vgw",
            Kind::CustomerGateway => "cgw",
            Kind::DhcpOptions => "dopt",
            Kind::PrefixList => "pl",
            Kind::VpcEndpoint => "vpce",
            Kind::KeyPair => "key",
            Kind::LaunchTemplate => "lt",
            _ => return None,
        })
    }
}

/// Quotas that can be exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Active peering connections per VPC.
    ActivePeeringsPerVpc,
    /// Outstanding (pending) peering requests per account.
    OutstandingPeeringRequests,
    /// Routes per route table.
    RoutesPerTable,
    /// Rules per security group (per direction).
    RulesPerSecurityGroup,
    /// VPCs per region.
    Vpcs,
    /// Subnets per VPC.
    SubnetsPerVpc,
    /// Route tables per VPC.
    RouteTablesPerVpc,
    /// Security groups per region.
    SecurityGroups,
    /// IPv4/IPv6 blocks per VPC.
    CidrBlocksPerVpc,
    /// Internet gateways per region.
    InternetGateways,
    /// Tags per resource.
    TagsPerResource,
    /// Egress-only internet gateways per region.
    EgressOnlyGateways,
    /// Elastic IP addresses per region.
    ElasticIps,
}

/// The fields of a request the model can find missing or unusable, in domain terms. Each face
/// decides how to spell a field (EC2 renders its parameter name and message in
/// `vpcpeer-wire-aws`); the model never names a wire parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Field {
    /// The Elastic IP allocation a public NAT gateway needs.
    NatAllocation,
    /// An ACL entry's IPv4 or IPv6 block.
    AclEntryBlock,
    /// An ACL entry's IPv4 block.
    AclEntryIpv4Block,
    /// An ACL entry's IPv6 block.
    AclEntryIpv6Block,
    /// An ACL entry's rule number.
    AclRuleNumber,
    /// An ACL entry's protocol.
    AclProtocol,
    /// An ACL entry's action (allow or deny).
    AclRuleAction,
    /// An ACL entry's port range (TCP and UDP).
    AclPortRange,
    /// An ACL entry's ICMP type and code (ICMP and ICMPv6).
    AclIcmpTypeCode,
    /// The accepter VPC of a peering request.
    PeerVpc,
    /// The requester or accepter options of a peering modification.
    PeeringOptions,
    /// The security groups whose references are asked for.
    ReferencingGroups,
    /// The resources to tag or untag.
    TaggedResources,
    /// The tags to set.
    Tags,
    /// A route's destination block (IPv4 or IPv6).
    RouteDestination,
    /// A route's target.
    RouteTarget,
    /// A security group's name.
    GroupName,
    /// A security group's description.
    GroupDescription,
    /// A security group rule's description.
    RuleDescription,
    /// The group a security group rule references.
    ReferencedGroup,
    /// The permissions of a security group rule change.
    Permissions,
    /// The availability zone a launch asks for (its placement).
    LaunchZone,
    /// The subnet of the network interface at this device index in a launch.
    InterfaceSubnet {
        /// The device index.
        device_index: u32,
    },
    /// The image of a launch.
    Image,
    /// The instances of a request.
    Instances,
    /// A network insights path's source.
    PathSource,
    /// A network insights path's protocol.
    PathProtocol,
    /// A network insights path's destination port.
    PathDestinationPort,
    /// A network insights path's destination resource or address.
    PathDestination,
    /// A NAT gateway's connectivity (public or private).
    NatConnectivity,
    /// A NAT gateway's private address.
    NatPrivateAddress,
    /// A route's IPv4 destination block.
    RouteIpv4Destination,
    /// A route's IPv6 destination block.
    RouteIpv6Destination,
    /// A route's transit gateway target.
    RouteTransitGateway,
    /// A route's egress-only internet gateway target.
    RouteEgressOnlyGateway,
    /// A route's VPC endpoint target.
    RouteEndpoint,
    /// The least number of instances a launch asks for.
    LaunchMinCount,
    /// A request's idempotency token.
    ClientToken,
    /// A subnet's IPv4 block.
    SubnetIpv4Block,
    /// A subnet's IPv6 block.
    SubnetIpv6Block,
    /// A VPC's IPv4 block.
    VpcIpv4Block,
    /// A VPC's instance tenancy.
    VpcTenancy,
    /// A network insights path's source address.
    PathSourceIp,
    /// A network insights path's destination address.
    PathDestinationIp,
    /// A subnet's availability zone, by name.
    SubnetZone,
    /// A subnet's availability zone, by zone id.
    SubnetZoneId,
    /// Whether a subnet is IPv6-only.
    SubnetIpv6Native,
    /// A route's prefix-list destination.
    RoutePrefixList,
}

impl Field {
    /// Every field (the per-interface subnet once, at device index 0), for the faces' table
    /// tests.
    pub const ALL: &'static [Field] = &[
        Field::NatAllocation,
        Field::AclEntryBlock,
        Field::AclEntryIpv4Block,
        Field::AclEntryIpv6Block,
        Field::AclRuleNumber,
        Field::AclProtocol,
        Field::AclRuleAction,
        Field::AclPortRange,
        Field::AclIcmpTypeCode,
        Field::PeerVpc,
        Field::PeeringOptions,
        Field::ReferencingGroups,
        Field::TaggedResources,
        Field::Tags,
        Field::RouteDestination,
        Field::RouteTarget,
        Field::GroupName,
        Field::GroupDescription,
        Field::ReferencedGroup,
        Field::Permissions,
        Field::LaunchZone,
        Field::InterfaceSubnet { device_index: 0 },
        Field::Image,
        Field::Instances,
        Field::PathSource,
        Field::PathProtocol,
        Field::PathDestinationPort,
        Field::PathDestination,
        Field::NatConnectivity,
        Field::NatPrivateAddress,
        Field::RouteIpv4Destination,
        Field::RouteIpv6Destination,
        Field::RouteTransitGateway,
        Field::RouteEgressOnlyGateway,
        Field::RouteEndpoint,
        Field::LaunchMinCount,
        Field::ClientToken,
        Field::SubnetIpv4Block,
        Field::SubnetIpv6Block,
        Field::VpcIpv4Block,
        Field::VpcTenancy,
        Field::PathSourceIp,
        Field::PathDestinationIp,
        Field::SubnetZone,
        Field::SubnetZoneId,
        Field::RuleDescription,
        Field::SubnetIpv6Native,
        Field::RoutePrefixList,
    ];
}

/// Requests whose parts cannot go together, in domain terms (each face words them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conflict {
    /// An Elastic IP allocation for a private NAT gateway.
    AllocationOnPrivateNat,
    /// A public address asked for in a launch with several network interfaces.
    PublicAddressWithSeveralInterfaces,
    /// A fixed private address in a launch of more than one instance.
    PrivateAddressForSeveralInstances,
    /// A subnet's zone given both by name and by id.
    ZoneByNameAndId,
    /// Network interfaces and an instance-level subnet in one launch.
    InterfacesWithSubnet,
    /// Network interfaces and instance-level security groups in one launch.
    InterfacesWithGroups,
    /// Network interfaces and an instance-level private address in one launch.
    InterfacesWithPrivateAddress,
    /// A network insights path from a resource to itself.
    SameSourceAndDestination,
}

/// Why a security group rule is refused, in domain terms (each face words it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RuleProblem {
    /// The rule names no peer (no block, prefix list or group).
    NoPeers,
    /// A protocol that is neither a name the rules know nor a number 0–255.
    UnknownProtocol {
        /// The protocol, as given.
        value: String,
    },
    /// A TCP or UDP rule without both ports.
    PortsMissing,
    /// A port outside 0–65535.
    PortOutOfRange(i64),
    /// A from port above the to port.
    PortsReversed(i64, i64),
    /// An ICMP type or code outside -1 and 0–255.
    IcmpOutOfRange(i64),
    /// A specific ICMP code with all ICMP types.
    IcmpCodeWithAllTypes,
    /// A block that does not parse.
    MalformedCidr {
        /// The block, as given.
        value: String,
    },
    /// A prefix list id that is not of the shape `pl-` and hex digits.
    MalformedPrefixList {
        /// The id, as given.
        value: String,
    },
}

/// Why a caller's text (a name or description) is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextProblem {
    /// Longer than `max` characters.
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// A character the field does not allow.
    Character(char),
}

/// A failure caused by the request (never by the emulator itself).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A referenced resource does not exist (or is not visible to the caller).
    #[error("no {kind:?} {id} (or not visible to the caller)")]
    NotFound {
        /// Its kind.
        kind: Kind,
        /// The id as given.
        id: String,
    },
    /// An id does not have the shape of its kind.
    #[error("invalid id: \"{id}\"")]
    MalformedId {
        /// Expected kind.
        kind: Kind,
        /// The id as given.
        id: String,
    },
    /// A required field is missing.
    #[error("the request lacks {0:?}")]
    Missing(Field),
    /// A field's value is unusable for the one reason the field can have (each face words it).
    #[error("the value ({value}) of {field:?} is invalid")]
    Invalid {
        /// The field.
        field: Field,
        /// The value as given.
        value: String,
    },
    /// A launch asks for fewer instances at most than at least.
    #[error("a launch asks for at most {max_count} and at least {min_count} instances")]
    LaunchCountsReversed {
        /// The least number asked for.
        min_count: i64,
        /// The most asked for.
        max_count: i64,
    },
    /// A launch asks for more instances than the emulator launches at once.
    #[error("a launch asks for at least {min_count} instances, more than {limit}")]
    LaunchTooLarge {
        /// The least number asked for.
        min_count: i64,
        /// The most one launch creates.
        limit: i64,
    },
    /// A zone the region does not offer.
    #[error("the zone {value} is not offered here")]
    ZoneNotOffered {
        /// The field that names it (by name or by id).
        field: Field,
        /// The value as given.
        value: String,
        /// The names of the zones the region offers.
        offered: Vec<String>,
    },
    /// A security group rule is refused.
    #[error("security group rule refused: {0:?}")]
    Rule(RuleProblem),
    /// A name or description is refused.
    #[error("the text '{value}' of {field:?} is refused: {problem:?}")]
    TextRefused {
        /// The field.
        field: Field,
        /// The text as given.
        value: String,
        /// Why.
        problem: TextProblem,
    },
    /// A group name selects groups of several VPCs.
    #[error("security groups named '{name}' exist in several VPCs")]
    AmbiguousGroupName {
        /// The name.
        name: String,
    },
    /// A route to a managed prefix list where the face does not take one (kept for faces and
    /// logs of earlier releases; EC2 routes now take prefix lists).
    #[error("routes to managed prefix lists are not supported")]
    PrefixListRouteUnsupported,
    /// An instance type the emulator does not know.
    #[error("unknown instance type '{instance_type}'")]
    UnknownInstanceType {
        /// The type, as given.
        instance_type: String,
    },
    /// Assigning IPv6 addresses on creation in a subnet without an IPv6 block.
    #[error("subnet {subnet_id} has no IPv6 block")]
    Ipv6AssignmentWithoutBlock {
        /// The subnet.
        subnet_id: String,
    },
    /// Parts of a request that cannot go together.
    #[error("conflicting request: {0:?}")]
    Conflict(Conflict),
    /// Two fields that cannot be given together.
    #[error("{0:?} cannot be given with {1:?}")]
    Exclusive(Field, Field),
    /// A VPC block of a size or range the cloud refuses.
    #[error("the CIDR '{cidr}' is invalid")]
    InvalidVpcRange {
        /// The block.
        cidr: String,
        /// Whether it is refused for its range rather than its size.
        restricted: bool,
    },
    /// A subnet block outside its VPC or of a refused size.
    #[error("the CIDR '{cidr}' is invalid")]
    InvalidSubnetRange {
        /// The block.
        cidr: String,
    },
    /// A subnet block overlapping a sibling.
    #[error("the CIDR '{cidr}' conflicts with another subnet")]
    SubnetConflict {
        /// The block.
        cidr: String,
    },
    /// The resource still has dependents.
    #[error("the {kind:?} {id} still has dependents ({dependent:?})")]
    DependencyViolation {
        /// Its kind.
        kind: Kind,
        /// Its id.
        id: String,
        /// What depends on it, where the emulator tells.
        dependent: Option<Dependent>,
    },
    /// A peering connection is not in a state that allows the action.
    #[error("invalid state transition for {id}, attempted to transition from {from:?} to {to:?}")]
    InvalidStateTransition {
        /// The connection.
        id: String,
        /// Current state.
        from: crate::aws::peering_state::PeeringState,
        /// Attempted state.
        to: crate::aws::peering_state::PeeringState,
    },
    /// Accepting would make a second connection between the same VPCs.
    #[error("the vpc peering connection identified by {id} already exists")]
    PeeringAlreadyExists {
        /// The connection that already exists.
        id: String,
    },
    /// A route with that destination exists.
    #[error("the route identified by {destination} already exists")]
    RouteAlreadyExists {
        /// The destination.
        destination: Destination,
    },
    /// No route with that destination.
    #[error("no route with destination {destination} in route table {table}")]
    RouteNotFound {
        /// The destination.
        destination: Destination,
        /// The table.
        table: String,
    },
    /// The same security group permission exists.
    #[error("the security group already has the rule {rule:?}")]
    PermissionDuplicate {
        /// The rule asked for (its id unset).
        rule: Box<SgRule>,
    },
    /// A security group of that name exists in the VPC.
    #[error("the security group '{name}' already exists for VPC '{vpc_id}'")]
    GroupDuplicate {
        /// The name.
        name: String,
        /// The VPC.
        vpc_id: String,
    },
    /// `default` is reserved.
    #[error("the security group name '{name}' is reserved")]
    GroupReserved {
        /// The name.
        name: String,
    },
    /// The default group cannot be deleted.
    #[error("the default security group cannot be deleted")]
    CannotDeleteDefaultGroup,
    /// The resource is already associated or attached.
    #[error("already associated: {0:?}")]
    Attached(Attached),
    /// A gateway is not attached to that VPC.
    #[error("the gateway '{gateway}' is not attached to '{vpc_id}'")]
    GatewayNotAttached {
        /// The gateway.
        gateway: String,
        /// The VPC.
        vpc_id: String,
    },
    /// A quota would be exceeded.
    #[error("over the quota {kind:?} of {max}")]
    LimitExceeded {
        /// The quota.
        kind: LimitKind,
        /// Its value.
        max: usize,
        /// The resource whose quota it is (a VPC, a route table, a tagged resource), where
        /// the quota is per resource and the resource exists.
        resource: Option<String>,
    },
    /// A private address is refused.
    #[error("private address refused: {0:?}")]
    Address(AddressProblem),
    /// A tag is refused.
    #[error("tag refused: {0:?}")]
    Tag(TagProblem),
    /// Two resources are in different VPCs.
    #[error("resources in different VPCs: {0:?}")]
    DifferentVpcs(Mismatch),
    /// A route or route table association is refused.
    #[error("route refused: {0:?}")]
    Route(RouteProblem),
    /// A change to a VPC is refused.
    #[error("VPC change refused: {0:?}")]
    Vpc(VpcProblem),
    /// A peering action is refused.
    #[error("peering action refused: {0:?}")]
    Peering(PeeringProblem),
    /// A security group, or a reference to one, is refused.
    #[error("security group refused: {0:?}")]
    Group(GroupProblem),
    /// A launch's network interfaces are refused.
    #[error("launch refused: {0:?}")]
    Launch(LaunchProblem),
    /// The region's default VPC is missing, or in the way.
    #[error("default VPC: {0:?}")]
    DefaultVpc(DefaultVpcProblem),
    /// An IPv6 change is refused.
    #[error("IPv6 change refused: {0:?}")]
    Ipv6(crate::aws::ipv6::Ipv6Problem),
    /// An appliance request (interface or instance attribute, stop/start) is refused.
    #[error("appliance request refused: {0:?}")]
    Appliance(ApplianceProblem),
    /// A key pair or launch template request is refused (the catalogue area).
    #[error("key pair or launch template refused: {0:?}")]
    Catalog(CatalogProblem),
    /// An Elastic IP allocation id of the wrong shape.
    #[error("malformed allocation id '{allocation_id}'")]
    AllocationMalformed {
        /// The id, as given.
        allocation_id: String,
    },
    /// A network interface the cloud manages (a NAT gateway's) deleted by the caller.
    #[error("the network interface {interface_id} is managed by the cloud")]
    InterfaceManaged {
        /// The interface.
        interface_id: String,
    },
    /// A VPC's default network ACL deleted.
    #[error("the default network ACL {acl_id} cannot be deleted")]
    DefaultAclUndeletable {
        /// The ACL.
        acl_id: String,
    },
    /// A network ACL already has an entry with that number in that direction.
    #[error("the network ACL entry identified by {rule_number} already exists in {acl_id}")]
    AclEntryAlreadyExists {
        /// The ACL.
        acl_id: String,
        /// The rule number.
        rule_number: i32,
        /// Direction.
        egress: bool,
    },
    /// A network ACL has no entry with that number in that direction.
    #[error("no network ACL entry with rule number {rule_number} in {acl_id}")]
    AclEntryNotFound {
        /// The ACL.
        acl_id: String,
        /// The rule number.
        rule_number: i32,
        /// Direction.
        egress: bool,
    },
    /// A client token was reused with other parameters.
    #[error("client token {client_token} was reused with different parameters")]
    IdempotentParameterMismatch {
        /// The token.
        client_token: String,
    },
    /// A managed prefix list or VPC endpoint request is refused.
    #[error("prefix list or VPC endpoint refused: {0:?}")]
    Endpoint(EndpointProblem),
    // --- Area 2: security groups, ACLs, instances, tags, insights ---
    /// An ACL entry given both an IPv4 and an IPv6 block.
    #[error("an ACL entry takes one block, IPv4 or IPv6")]
    AclBlocksExclusive,
    /// An ACL entry port outside 0–65535.
    #[error("the ACL entry port {0} is outside 0-65535")]
    AclPortOutOfRange(i64),
    // --- VPN gateways, customer gateways, DHCP options, security group rule edits ---
    /// A VPN gateway, customer gateway, DHCP options or security group rule edit is refused.
    #[error("refused: {0:?}")]
    Vpn(VpnProblem),
    /// A network interface attached to an instance cannot be deleted.
    #[error("the network interface '{id}' is attached to {instance_id}")]
    InterfaceInUse {
        /// The interface.
        id: String,
        /// The instance it is attached to.
        instance_id: String,
    },
    // --- Area eip: Elastic IPs, public IPv4 addresses, the network interface lifecycle ---
    /// An Elastic IP or network interface action is refused.
    #[error("Elastic IP or interface action refused: {0:?}")]
    Eip(EipProblem),
}

impl DomainError {
    /// Not-found for `kind`/`id`.
    pub fn not_found(kind: Kind, id: impl Into<String>) -> Self {
        DomainError::NotFound {
            kind,
            id: id.into(),
        }
    }

    /// Dependency violation for `kind`/`id`.
    pub fn dependency(kind: Kind, id: impl Into<String>) -> Self {
        DomainError::DependencyViolation {
            kind,
            id: id.into(),
            dependent: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Field;

    /// `Field::ALL` holds every variant: the match below stops compiling when a field is added,
    /// and its position must then be listed in `ALL`.
    #[test]
    fn all_lists_every_field() {
        let position = |f: Field| match f {
            Field::NatAllocation => 0,
            Field::AclEntryBlock => 1,
            Field::AclEntryIpv4Block => 2,
            Field::AclEntryIpv6Block => 3,
            Field::AclRuleNumber => 4,
            Field::AclProtocol => 5,
            Field::AclRuleAction => 6,
            Field::AclPortRange => 7,
            Field::AclIcmpTypeCode => 8,
            Field::PeerVpc => 9,
            Field::PeeringOptions => 10,
            Field::ReferencingGroups => 11,
            Field::TaggedResources => 12,
            Field::Tags => 13,
            Field::RouteDestination => 14,
            Field::RouteTarget => 15,
            Field::GroupName => 16,
            Field::GroupDescription => 17,
            Field::ReferencedGroup => 18,
            Field::Permissions => 19,
            Field::LaunchZone => 20,
            Field::InterfaceSubnet { .. } => 21,
            Field::Image => 22,
            Field::Instances => 23,
            Field::PathSource => 24,
            Field::PathProtocol => 25,
            Field::PathDestinationPort => 26,
            Field::PathDestination => 27,
            Field::NatConnectivity => 28,
            Field::NatPrivateAddress => 29,
            Field::RouteIpv4Destination => 30,
            Field::RouteIpv6Destination => 31,
            Field::RouteTransitGateway => 32,
            Field::RouteEgressOnlyGateway => 33,
            Field::RouteEndpoint => 34,
            Field::LaunchMinCount => 35,
            Field::ClientToken => 36,
            Field::SubnetIpv4Block => 37,
            Field::SubnetIpv6Block => 38,
            Field::VpcIpv4Block => 39,
            Field::VpcTenancy => 40,
            Field::PathSourceIp => 41,
            Field::PathDestinationIp => 42,
            Field::SubnetZone => 43,
            Field::SubnetZoneId => 44,
            Field::RuleDescription => 45,
            Field::SubnetIpv6Native => 46,
            Field::RoutePrefixList => 47,
        };
        let got: Vec<usize> = Field::ALL.iter().map(|f| position(*f)).collect();
        let want: Vec<usize> = (0..=47).collect();
        assert_eq!(got, want);
    }
}
