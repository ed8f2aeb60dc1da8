//! The structured reasons behind several [`DomainError`](super::DomainError) kinds, by area: what
//! went wrong, with the ids and values involved. They hold no wording: each face renders them
//! (`vpcpeer-wire-aws` words them in EC2's dialect with an exhaustive `match`).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::aws::resources::{Destination, RtAssocTarget};

/// What still depends on a resource that is to be deleted or detached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependent {
    /// An internet gateway is the edge target of a route table.
    EdgeAssociation {
        /// The route table.
        route_table_id: String,
    },
    /// A subnet is associated with the network ACL.
    AclSubnet {
        /// The subnet.
        subnet_id: String,
    },
    /// An active peering connection of the VPC.
    ActivePeering {
        /// The connection.
        peering_id: String,
    },
    /// A pending request of another account to the VPC, which its accepter must reject first.
    PendingPeering {
        /// The connection.
        peering_id: String,
    },
    /// Subnets inside a VPC's IPv4 block.
    SubnetsInBlock {
        /// The block.
        cidr: Ipv4Net,
    },
    /// Subnets inside a VPC's IPv6 block.
    SubnetsInIpv6Block {
        /// The block.
        cidr: ipnet::Ipv6Net,
    },
    /// Network interfaces hold IPv6 addresses of a subnet's block.
    Ipv6Addresses {
        /// The block.
        cidr: ipnet::Ipv6Net,
    },
    /// A network interface uses the security group.
    Interface {
        /// The interface.
        interface_id: String,
    },
    /// Another security group's rule references the group.
    ReferencingGroup {
        /// The referencing group.
        group_id: String,
    },
    /// A network insights path still has analyses.
    Analyses,
    /// A VPC is associated with the DHCP option set.
    DhcpVpc {
        /// The VPC.
        vpc_id: String,
    },
    /// A virtual private gateway is attached to the VPC.
    VpnGateway {
        /// The gateway.
        gateway_id: String,
    },
}

/// Two resources that must be in one VPC and are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A network ACL and the subnet it is to be associated with.
    AclAndSubnet {
        /// The ACL.
        acl_id: String,
        /// The subnet.
        subnet_id: String,
    },
    /// A route table and a route's target (or an edge association's gateway).
    TableAndTarget {
        /// The table.
        table_id: String,
        /// The target.
        target_id: String,
    },
    /// A route table and the subnet it is to be associated with.
    TableAndSubnet {
        /// The table.
        table_id: String,
        /// The subnet.
        subnet_id: String,
    },
    /// A route table and the association it is to take over.
    TableAndAssociation {
        /// The table.
        table_id: String,
        /// The association.
        association_id: String,
    },
}

/// Something is already attached or associated elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attached {
    /// The internet gateway is attached to a VPC.
    GatewayAttached {
        /// The gateway.
        gateway_id: String,
        /// The VPC it is attached to.
        vpc_id: String,
    },
    /// The VPC has an internet gateway attached.
    VpcHasGateway {
        /// The VPC.
        vpc_id: String,
        /// The gateway attached to it.
        gateway_id: String,
    },
    /// The Elastic IP allocation is used by a NAT gateway.
    AllocationInUse {
        /// The allocation.
        allocation_id: String,
        /// The NAT gateway using it.
        nat_gateway_id: String,
    },
    /// The subnet or gateway is associated with a route table already.
    RouteTableTarget {
        /// The table asked for.
        table_id: String,
        /// The subnet or gateway.
        target: RtAssocTarget,
        /// The association that holds it.
        association_id: String,
    },
}

/// Why a route, or a route table association, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteProblem {
    /// A destination inside a range the cloud reserves.
    ReservedDestination {
        /// The destination.
        destination: Destination,
        /// The reserved range.
        reserved: Destination,
    },
    /// More than one target.
    SeveralTargets,
    /// The main association cannot be removed, only replaced.
    MainAssociation {
        /// The association.
        association_id: String,
    },
    /// An instance target with several interfaces (the interface must be named).
    InstanceWithSeveralInterfaces {
        /// The instance.
        instance_id: String,
    },
    /// An egress-only internet gateway as the target of an IPv4 route.
    EgressOnlyForIpv4 {
        /// The gateway.
        gateway_id: String,
    },
    /// A destination inside the VPC's blocks, with a target or destination such routes may not
    /// have.
    MoreSpecificThanVpc {
        /// The destination.
        destination: Destination,
    },
    /// A local route whose destination is not one of the VPC's blocks.
    LocalNotVpcBlock {
        /// The destination.
        destination: Destination,
        /// The VPC.
        vpc_id: String,
    },
    /// A local route replaced with another target.
    LocalReplaced {
        /// The destination.
        destination: Destination,
        /// The table.
        table_id: String,
    },
    /// A route outside the VPC's blocks made local.
    LocalOutsideVpc {
        /// The destination.
        destination: Destination,
        /// The VPC.
        vpc_id: String,
    },
    /// A local route deleted.
    LocalDeleted {
        /// The destination.
        destination: Destination,
        /// The table.
        table_id: String,
    },
}

/// Why a change to a VPC's blocks or attributes is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VpcProblem {
    /// A new block would contain the destination of an existing route of the VPC.
    BlockCoversRoute {
        /// The block, as given.
        cidr: String,
        /// The VPC.
        vpc_id: String,
    },
    /// A block added while the VPC's own peering request is pending.
    BlockWhilePending {
        /// The VPC.
        vpc_id: String,
        /// The pending connection.
        peering_id: String,
    },
    /// A new block overlapping a block of an active peer.
    BlockOverlapsPeer {
        /// The block, as given.
        cidr: String,
        /// The peer VPC.
        peer_vpc_id: String,
        /// The VPC.
        vpc_id: String,
        /// The connection.
        peering_id: String,
    },
    /// The primary IPv4 block cannot be removed.
    PrimaryBlock {
        /// Its association.
        association_id: String,
    },
    /// DNS hostnames enabled while DNS support is off.
    HostnamesWithoutDnsSupport,
    /// DNS support disabled while DNS hostnames are on.
    DnsSupportUnderHostnames,
}

/// Which side of a peering connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeeringSide {
    /// The requester.
    Requester,
    /// The accepter.
    Accepter,
}

/// Why a peering action is refused (other than by the state machine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeeringProblem {
    /// A request between a VPC and itself.
    SameVpc {
        /// The VPC.
        vpc_id: String,
    },
    /// Accepting from an account that is not the accepter's.
    AcceptByOtherAccount {
        /// The caller's account.
        account: String,
        /// The connection.
        peering_id: String,
    },
    /// Accepting in a region that is not the accepter's.
    AcceptInOtherRegion {
        /// The caller's region.
        region: String,
        /// The connection.
        peering_id: String,
        /// The accepter's region.
        accepter_region: String,
    },
    /// Rejecting by a caller that is not the accepter.
    RejectByOther {
        /// The caller's account.
        account: String,
        /// The connection.
        peering_id: String,
    },
    /// Rejecting in a region that is not the accepter's (by the accepter's account).
    RejectInOtherRegion {
        /// The caller's region.
        region: String,
        /// The connection.
        peering_id: String,
        /// The accepter's region.
        accepter_region: String,
    },
    /// Deleting a pending request by a caller that is not its requester.
    DeletePendingByOther {
        /// The caller's account.
        account: String,
        /// The connection.
        peering_id: String,
    },
    /// Changing the options of a side that is not the caller's.
    OtherSideOptions {
        /// The caller's account.
        account: String,
        /// The side.
        side: PeeringSide,
    },
    /// Changing options of a connection that is not active.
    OptionsWhileInactive {
        /// The connection.
        peering_id: String,
    },
    /// ClassicLink options on an inter-region connection.
    ClassicLinkAcrossRegions {
        /// The connection.
        peering_id: String,
    },
    /// DNS resolution asked for while a VPC lacks DNS support or hostnames.
    DnsNeedsHostnames {
        /// The connection.
        peering_id: String,
        /// The VPC lacking them.
        vpc_id: String,
    },
}

/// Why a tag is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagProblem {
    /// A key that is empty, too long or reserved (`aws:`).
    KeyMalformed {
        /// The key, as given.
        key: String,
    },
    /// A key holding a refused character.
    KeyCharacter {
        /// The key, as given.
        key: String,
        /// The character's 1-based position.
        position: usize,
        /// The character.
        character: char,
    },
    /// A value longer than allowed.
    ValueTooLong {
        /// The key.
        key: String,
    },
    /// A value holding a refused character.
    ValueCharacter {
        /// The key.
        key: String,
        /// The character's 1-based position.
        position: usize,
        /// The character.
        character: char,
    },
    /// A key given twice in one request.
    DuplicateKey {
        /// The key.
        key: String,
    },
}

/// Why a security group, or a reference to one, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupProblem {
    /// No group of the caller has that name.
    NameNotFound {
        /// The name.
        name: String,
    },
    /// The group (by name or id) is not in the VPC.
    NotInVpc {
        /// The group's name or id, as given.
        group: String,
        /// The VPC.
        vpc_id: String,
    },
    /// A referenced group in another region.
    OtherRegion {
        /// The referenced group.
        group_id: String,
        /// Its region.
        group_region: String,
        /// The referencing group.
        owner_id: String,
        /// Its region.
        owner_region: String,
    },
    /// A referenced group in a VPC not actively peered with the referencing group's.
    NotPeered {
        /// The referenced group.
        group_id: String,
    },
    /// A name of the shape of a group id (`sg-…`).
    NameLikeId {
        /// The name.
        name: String,
    },
    /// The same permission twice in one request.
    PermissionRepeated,
    /// A group named without a VPC, which selects among the default VPC's groups, that the
    /// default VPC does not have.
    NotInDefaultVpc {
        /// The name.
        name: String,
        /// The default VPC.
        vpc_id: String,
    },
}

/// Why a launch's network interfaces are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LaunchProblem {
    /// Two interfaces with one device index.
    DeviceIndexRepeated {
        /// The index.
        device_index: u32,
    },
    /// No interface at device index 0.
    NoPrimaryInterface,
    /// Interfaces in subnets of different zones.
    InterfacesInSeveralZones {
        /// A subnet outside the primary interface's zone.
        subnet_id: String,
        /// Its zone.
        zone: String,
        /// The primary interface's zone.
        primary_zone: String,
    },
    /// A zone asked for (placement) that is not the zone of the launch's subnet.
    SubnetNotInZone {
        /// The subnet.
        subnet_id: String,
        /// The zone asked for.
        zone: String,
    },
}

/// Why a private address is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressProblem {
    /// Outside the subnet's block.
    OutsideSubnet {
        /// The address.
        address: Ipv4Addr,
        /// The subnet.
        subnet_id: String,
    },
    /// One of the addresses the cloud reserves in every subnet.
    Reserved {
        /// The address.
        address: Ipv4Addr,
        /// The subnet.
        subnet_id: String,
    },
    /// Taken by another interface.
    InUse {
        /// The address.
        address: Ipv4Addr,
    },
    /// No free address left in the subnet.
    Exhausted {
        /// The subnet.
        subnet_id: String,
    },
}

/// What needs the region's default VPC when the caller names no VPC or subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultVpcUse {
    /// A launch without a subnet.
    Launch,
    /// A security group created, or selected by name, without a VPC.
    Group,
}

/// Why a request about the region's default VPC, or one that falls back on it, is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultVpcProblem {
    /// The region has no default VPC (never created, deleted, or turned off).
    NoDefaultVpc(DefaultVpcUse),
    /// CreateDefaultVpc in a region that has one.
    VpcExists {
        /// The default VPC.
        vpc_id: String,
    },
    /// CreateDefaultSubnet in a region without a default VPC.
    VpcMissing,
    /// CreateDefaultSubnet in a zone that has a default subnet.
    SubnetExists {
        /// The zone.
        zone: String,
        /// Its default subnet.
        subnet_id: String,
    },
    /// No /20 of the default VPC's block is free for a new default subnet.
    NoFreeBlock {
        /// The default VPC.
        vpc_id: String,
    },
    /// A launch without a subnet in a default VPC that has no default subnet.
    NoDefaultSubnets {
        /// The default VPC.
        vpc_id: String,
    },
    /// A launch without a subnet into a zone whose default subnet is gone.
    NoDefaultSubnetInZone {
        /// The zone.
        zone: String,
    },
}
