//! [`AzureError`]: why an Azure command was refused, as a kind plus the ids and values involved.
//! The model builds no ARM sentence: `vpcpeer-wire-azure` renders each kind's ARM code, HTTP
//! status and message with an exhaustive match, so a new kind does not compile until the face
//! has decided how to say it.
//!
//! Ids are carried as the request or the stored record spells them (the display id), names as
//! the request spelled them.

use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

use super::ops::Tagged;
use super::AzDirection;

/// The two ends of a security rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The source (addresses, ports).
    Source,
    /// The destination.
    Destination,
}

/// A bound on how many items one request may carry (see [`super::limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Address prefixes in a VNet's address space.
    AddressPrefixes,
    /// Subnets of a VNet.
    Subnets,
    /// Security rules of an NSG.
    SecurityRules,
    /// Addresses and ranges of one side of a security rule.
    RulePrefixes(Side),
    /// Routes of a route table.
    Routes,
    /// IP configurations of a NIC.
    IpConfigs,
    /// NICs of a VM.
    VmNics,
}

/// Another cloud's network named where an Azure VNet was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherCloud {
    /// An AWS VPC id or ARN.
    Aws,
    /// A GCP VPC network path or URL.
    Gcp,
}

/// Which of a new peering's two VNets overlaps a VNet already peered with the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeredSide {
    /// The local VNet overlaps a peer of the remote one.
    Local,
    /// The remote VNet overlaps a peer of the local one.
    Remote,
}

/// Why an Azure command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AzureError {
    // ---- names, groups, locations, lookups
    /// A resource name breaks ARM's naming rule.
    #[error("invalid resource name {name}")]
    InvalidName {
        /// The name.
        name: String,
    },
    /// A resource group name breaks ARM's naming rule.
    #[error("invalid resource group name {name}")]
    InvalidGroupName {
        /// The name.
        name: String,
    },
    /// A PUT without a location.
    #[error("location required")]
    LocationRequired,
    /// A PUT would move a stored resource to another location.
    #[error("{id} is in {location}, not {wanted}")]
    LocationChanged {
        /// The stored resource.
        id: String,
        /// Its location.
        location: String,
        /// Its resource group.
        resource_group: String,
        /// The location asked for (normalized).
        wanted: String,
    },
    /// A PUT would move a stored resource group to another location.
    #[error("resource group is in {location}, not {wanted}")]
    GroupLocationChanged {
        /// Its location.
        location: String,
        /// The location asked for (normalized).
        wanted: String,
    },
    /// The resource group does not exist.
    #[error("resource group {name} not found")]
    GroupNotFound {
        /// Its name.
        name: String,
    },
    /// A top-level resource does not exist.
    #[error("{kind:?} {name} not found in {resource_group}")]
    NotFound {
        /// Its kind.
        kind: Tagged,
        /// Its name.
        name: String,
        /// The resource group named.
        resource_group: String,
    },
    /// A child resource (or an id) names nothing.
    #[error("{id} not found")]
    ChildNotFound {
        /// The id.
        id: String,
    },
    /// An operation id names no operation of the subscription.
    #[error("operation {id} not found")]
    OperationNotFound {
        /// The id.
        id: String,
    },
    /// An address prefix that is not a CIDR block (or has host bits set).
    #[error("invalid address prefix {prefix}")]
    InvalidPrefix {
        /// The text.
        prefix: String,
    },
    /// A list longer than its bound.
    #[error("{limit:?}: {count} > {max}")]
    TooMany {
        /// Which bound.
        limit: Limit,
        /// The bound.
        max: usize,
        /// How many the request has.
        count: usize,
    },
    // ---- tags
    /// More tags than a resource may carry.
    #[error("{count} tags")]
    TooManyTags {
        /// How many.
        count: usize,
    },
    /// An empty or blank tag name.
    #[error("empty tag name")]
    EmptyTagName,
    /// A tag name too long.
    #[error("tag name too long")]
    TagNameTooLong {
        /// The name.
        name: String,
    },
    /// A tag name with a reserved or control character.
    #[error("tag name with reserved characters")]
    TagNameCharacters {
        /// The name.
        name: String,
    },
    /// A tag value too long.
    #[error("tag value too long")]
    TagValueTooLong {
        /// The value.
        value: String,
    },
    // ---- references
    /// A reference to a resource of another subscription or region.
    #[error("{referrer} may not reference {referenced}")]
    ForeignReference {
        /// The resource that refers.
        referrer: String,
        /// The resource referred to.
        referenced: String,
    },
    /// A reference to nothing (or to the wrong kind of resource).
    #[error("{id} referenced by the request was not found")]
    MissingReference {
        /// The id referred to.
        id: String,
    },
    // ---- VNets and subnets
    /// A VNet PUT without an address space.
    #[error("no address space")]
    NoAddressSpace,
    /// Two prefixes of one address space overlap.
    #[error("{a} and {b} of {vnet} overlap")]
    AddressPrefixesOverlap {
        /// The VNet's name.
        vnet: String,
        /// One prefix.
        a: Ipv4Net,
        /// The other.
        b: Ipv4Net,
    },
    /// A subnet without an address prefix.
    #[error("subnet {subnet} has no prefix")]
    SubnetWithoutPrefix {
        /// The subnet.
        subnet: String,
        /// The VNet's name.
        vnet: String,
    },
    /// A subnet outside its VNet's address space.
    #[error("subnet {subnet} outside {vnet}")]
    SubnetOutsideVnet {
        /// The subnet.
        subnet: String,
        /// The VNet's name.
        vnet: String,
    },
    /// Two subnets share a name.
    #[error("two subnets {subnet} in {vnet}")]
    DuplicateSubnet {
        /// The VNet's name.
        vnet: String,
        /// The name.
        subnet: String,
    },
    /// Two subnets overlap.
    #[error("subnet {subnet} overlaps {existing} in {vnet}")]
    SubnetsOverlap {
        /// The later subnet.
        subnet: String,
        /// The earlier one.
        existing: String,
        /// The VNet's name.
        vnet: String,
    },
    /// A subnet in use cannot be deleted.
    #[error("subnet {subnet} in use by {user}")]
    SubnetInUse {
        /// The subnet.
        subnet: String,
        /// Who uses it.
        user: String,
    },
    /// A resource group cannot go while a NIC outside it uses one of its subnets.
    #[error("a subnet of the group is used by {nic}")]
    GroupSubnetInUse {
        /// The NIC.
        nic: String,
    },
    /// A subnet in use cannot change its prefix.
    #[error("subnet {subnet} in use")]
    SubnetInUseCannotChange {
        /// The subnet.
        subnet: String,
    },
    /// A VNet's new address space would overlap a peer (or, `via` a peer, a peer of it).
    #[error("{vnet} would overlap {other}")]
    SpaceOverlapsPeer {
        /// The VNet updated.
        vnet: String,
        /// The VNet it would overlap.
        other: String,
        /// The peer through which `other` is peered, when `other` is a peer's peer.
        via: Option<String>,
        /// The overlapping prefixes.
        prefixes: Vec<Ipv4Net>,
    },
    // ---- peerings
    /// A peering PUT without a remote network.
    #[error("peering {peering} needs a remote network")]
    PeeringNeedsRemote {
        /// The link.
        peering: String,
    },
    /// A peering to another cloud's network.
    #[error("peering {peering} to another cloud's network {remote}")]
    RemoteInOtherCloud {
        /// The link.
        peering: String,
        /// The remote id as given.
        remote: String,
        /// The cloud.
        cloud: OtherCloud,
    },
    /// A remote id that is not a VNet id.
    #[error("invalid remote network id {remote}")]
    InvalidRemoteId {
        /// The id as given.
        remote: String,
    },
    /// A peering may not change its remote network.
    #[error("peering {peering} may not move from {from} to {to}")]
    ChangingRemote {
        /// The link.
        peering: String,
        /// Its remote network.
        from: String,
        /// The one asked for.
        to: String,
    },
    /// A VNet peered with itself.
    #[error("peering {peering} with its own network")]
    PeerWithItself {
        /// The link.
        peering: String,
    },
    /// The remote VNet does not exist.
    #[error("remote network {remote} of {peering} not found")]
    RemoteNotFound {
        /// The link.
        peering: String,
        /// The remote id as given.
        remote: String,
    },
    /// Another link of the VNet already names the remote VNet.
    #[error("{other} already references {remote}")]
    RemoteAlreadyPeered {
        /// The link.
        peering: String,
        /// The other link.
        other: String,
        /// The remote VNet.
        remote: String,
    },
    /// The VNet has as many links as allowed.
    #[error("{vnet} has {max} peerings")]
    PeeringLimit {
        /// The link.
        peering: String,
        /// The VNet.
        vnet: String,
        /// The bound.
        max: usize,
    },
    /// The two VNets' address spaces overlap.
    #[error("{local} and {remote} overlap")]
    PeeringOverlap {
        /// The link.
        peering: String,
        /// The local VNet.
        local: String,
        /// The remote VNet.
        remote: String,
        /// The overlapping prefixes.
        prefixes: Vec<Ipv4Net>,
    },
    /// One of the two VNets overlaps a VNet already peered with the other.
    #[error("{local} and {remote}: {third} overlaps")]
    PeeringOverlapsPeer {
        /// The link.
        peering: String,
        /// The local VNet.
        local: String,
        /// The remote VNet.
        remote: String,
        /// Which side overlaps the other side's peer.
        side: PeeredSide,
        /// The peer overlapped.
        third: String,
        /// The overlapping prefixes (boxed, to keep the error small).
        prefixes: Box<[Ipv4Net]>,
    },
    /// The reverse link is Disconnected.
    #[error("remote peering {remote_peering} is disconnected")]
    RemotePeeringDisconnected {
        /// The link.
        peering: String,
        /// The reverse link.
        remote_peering: String,
        /// The local VNet.
        vnet: String,
    },
    /// `useRemoteGateways` towards a VNet without a gateway.
    #[error("{remote} has no gateway")]
    RemoteHasNoGateways {
        /// The link.
        peering: String,
        /// The remote VNet.
        remote: String,
    },
    /// `useRemoteGateways` from a VNet that has its own gateway.
    #[error("{vnet} has gateway {gateway}")]
    LocalHasGateway {
        /// The link.
        peering: String,
        /// The local VNet.
        vnet: String,
        /// Its gateway.
        gateway: String,
    },
    /// Another link of the VNet already uses remote gateways.
    #[error("{other} already uses remote gateways")]
    AnotherPeeringUsesRemoteGateways {
        /// The link.
        peering: String,
        /// The other link.
        other: String,
        /// The local VNet.
        vnet: String,
    },
    /// `useRemoteGateways` while the reverse link does not allow gateway transit.
    #[error("remote peering does not allow gateway transit")]
    RemoteDoesNotAllowTransit {
        /// The link.
        peering: String,
        /// The remote VNet.
        remote: String,
        /// The local VNet.
        local: String,
    },
    /// Gateway transit turned off while the reverse link uses it.
    #[error("gateway transit in use by {remote_peering}")]
    TransitInUse {
        /// The link.
        peering: String,
        /// The reverse link.
        remote_peering: String,
    },
    // ---- NSGs
    /// A rule priority outside 100–4096.
    #[error("rule {rule}: priority {priority}")]
    RulePriority {
        /// The rule.
        rule: String,
        /// Its priority.
        priority: u32,
    },
    /// A rule protocol ARM does not know.
    #[error("rule {rule}: protocol {protocol}")]
    RuleProtocol {
        /// The rule.
        rule: String,
        /// The protocol as given.
        protocol: String,
    },
    /// A rule side without a port range.
    #[error("rule {rule}: no port range")]
    RuleNoPorts {
        /// The rule.
        rule: String,
        /// Which side.
        side: Side,
    },
    /// A rule port range that does not parse.
    #[error("rule {rule}: port range {range}")]
    RulePorts {
        /// The rule.
        rule: String,
        /// Which side.
        side: Side,
        /// The range as given.
        range: String,
    },
    /// A rule side without an address prefix.
    #[error("rule {rule}: no address prefix")]
    RuleNoPrefix {
        /// The rule.
        rule: String,
        /// Which side.
        side: Side,
    },
    /// A rule address prefix that is neither `*`, an address, a CIDR nor a service tag.
    #[error("rule {rule}: address prefix {prefix}")]
    RulePrefix {
        /// The rule.
        rule: String,
        /// Which side.
        side: Side,
        /// The prefix as given.
        prefix: String,
    },
    /// Two rules share a direction and a priority.
    #[error("rule {rule}: priority {priority} taken")]
    RuleConflict {
        /// The later rule.
        rule: String,
        /// The priority.
        priority: u32,
        /// The direction.
        direction: AzDirection,
    },
    /// Two rules share a name.
    #[error("two rules {rule}")]
    DuplicateRule {
        /// The name.
        rule: String,
    },
    /// An NSG in use cannot be deleted.
    #[error("{nsg} in use by {user}")]
    NsgInUse {
        /// The NSG.
        nsg: String,
        /// Who uses it.
        user: String,
    },
    // ---- route tables
    /// A next-hop address that is not an IPv4 address.
    #[error("route {route}: next hop {ip}")]
    InvalidNextHopIp {
        /// The route.
        route: String,
        /// The address as given.
        ip: String,
    },
    /// A `VirtualAppliance` route without a next-hop address.
    #[error("route {route} needs a next hop address")]
    NextHopIpRequired {
        /// The route.
        route: String,
    },
    /// A next-hop address on a route that is not `VirtualAppliance`.
    #[error("route {route} may not have a next hop address")]
    NextHopIpNotAllowed {
        /// The route.
        route: String,
    },
    /// A next-hop type only system routes use.
    #[error("route {route}: system next hop")]
    SystemNextHop {
        /// The route.
        route: String,
    },
    /// Two routes of one table share a name or a prefix.
    #[error("routes {a} and {b} of {table} conflict")]
    RoutesConflict {
        /// The earlier route.
        a: String,
        /// The later route.
        b: String,
        /// The table's name.
        table: String,
    },
    /// The table already has a route for the prefix.
    #[error("{table} already routes {prefix}")]
    RoutePrefixTaken {
        /// The table's name.
        table: String,
        /// The prefix as given.
        prefix: String,
    },
    /// A route table in use cannot be deleted.
    #[error("{table} in use by {subnet}")]
    RouteTableInUse {
        /// The table.
        table: String,
        /// The subnet using it.
        subnet: String,
    },
    // ---- gateways
    /// A gateway PUT without a subnet.
    #[error("{gateway} needs a subnet")]
    GatewaySubnetRequired {
        /// The gateway.
        gateway: String,
    },
    /// A gateway in a subnet other than `GatewaySubnet`.
    #[error("{subnet} is not a GatewaySubnet")]
    NotGatewaySubnet {
        /// The subnet.
        subnet: String,
    },
    /// A gateway in a VNet of another location.
    #[error("{vnet} is in {location}, not {wanted}")]
    GatewayLocation {
        /// The VNet.
        vnet: String,
        /// Its location.
        location: String,
        /// The gateway's.
        wanted: String,
    },
    /// A gateway may not move to another VNet.
    #[error("{gateway} may not move")]
    GatewayMoved {
        /// The gateway.
        gateway: String,
    },
    /// The VNet already has a gateway of the type.
    #[error("{vnet} already has {other}")]
    GatewayOfTypeExists {
        /// The VNet.
        vnet: String,
        /// Its gateway.
        other: String,
    },
    /// A VNet that uses remote gateways cannot have one.
    #[error("{vnet} uses remote gateways through {peering}")]
    VnetUsesRemoteGateways {
        /// The VNet.
        vnet: String,
        /// The link.
        peering: String,
    },
    /// A gateway used by a peer cannot be deleted.
    #[error("{gateway} used by {peering}")]
    GatewayInUse {
        /// The gateway.
        gateway: String,
        /// The link using it.
        peering: String,
    },
    // ---- NICs and VMs
    /// A NIC without IP configurations.
    #[error("{nic} needs an IP configuration")]
    NicNeedsConfig {
        /// The NIC.
        nic: String,
    },
    /// An IP configuration without a subnet.
    #[error("{config} of {nic} needs a subnet")]
    SubnetRequired {
        /// The configuration.
        config: String,
        /// The NIC.
        nic: String,
    },
    /// A NIC on a subnet of another location.
    #[error("{subnet} is in {location}, not {wanted}")]
    SubnetLocation {
        /// The subnet.
        subnet: String,
        /// Its location.
        location: String,
        /// The NIC.
        nic: String,
        /// The NIC's location.
        wanted: String,
    },
    /// IP configurations in two VNets.
    #[error("{nic} spans VNets")]
    ConfigsInDifferentVnets {
        /// The NIC.
        nic: String,
    },
    /// A private address that is not an IPv4 address.
    #[error("invalid private address {ip}")]
    InvalidPrivateIp {
        /// The text.
        ip: String,
    },
    /// A static address outside the subnet's usable range.
    #[error("{ip} not in {subnet}")]
    PrivateIpNotInSubnet {
        /// The configuration.
        config: String,
        /// The NIC.
        nic: String,
        /// The address.
        ip: Ipv4Addr,
        /// The subnet.
        subnet: String,
        /// Its prefix.
        prefix: Ipv4Net,
    },
    /// A static address already taken.
    #[error("{ip} in use")]
    PrivateIpInUse {
        /// The configuration.
        config: String,
        /// The NIC.
        nic: String,
        /// The address.
        ip: Ipv4Addr,
    },
    /// No free address left in the subnet.
    #[error("{subnet} is full")]
    SubnetFull {
        /// The subnet.
        subnet: String,
    },
    /// A NIC attached to a VM cannot be deleted.
    #[error("{nic} used by {vm}")]
    NicAttached {
        /// The NIC.
        nic: String,
        /// The VM.
        vm: String,
    },
    /// A VM without NICs.
    #[error("a VM needs a network interface")]
    VmNeedsNic,
    /// A VM naming a NIC that does not exist.
    #[error("{nic} not found")]
    VmNicNotFound {
        /// The NIC id.
        nic: String,
    },
    /// A VM naming a NIC another VM uses.
    #[error("{nic} used by another VM")]
    NicUsedByOtherVm {
        /// The NIC id.
        nic: String,
    },
    /// A VM naming a NIC of another location.
    #[error("{nic} is in {location}, not {wanted}")]
    NicInOtherLocation {
        /// The NIC id.
        nic: String,
        /// Its location.
        location: String,
        /// The VM's.
        wanted: String,
    },
    // ---- public IP addresses and VM power
    /// A Standard public IP with `Dynamic` allocation.
    #[error("{ip}: Standard needs Static")]
    StandardSkuMustBeStatic {
        /// The public IP.
        ip: String,
    },
    /// A public IP cannot be deleted while an IP configuration uses it.
    #[error("{ip} used by {config}")]
    PublicIpCannotBeDeleted {
        /// The public IP.
        ip: String,
        /// The IP configuration using it.
        config: String,
    },
    /// An IP configuration names a public IP another configuration uses.
    #[error("{config} references {ip}, used by {other}")]
    PublicIpInUse {
        /// The configuration asking for it.
        config: String,
        /// The public IP.
        ip: String,
        /// The configuration using it.
        other: String,
    },
    /// Two configurations of one NIC name the same public IP.
    #[error("{ip} referenced twice by {nic}")]
    PublicIpReferencedTwice {
        /// The NIC.
        nic: String,
        /// The public IP.
        ip: String,
    },
    /// The emulator's pool of public addresses has none left.
    #[error("no public address left")]
    PublicIpPoolExhausted,
    /// A PUT of a VM would change its custom data.
    #[error("{vm}: customData cannot change")]
    CustomDataChanged {
        /// The VM.
        vm: String,
    },
    /// A PUT of a VM would change its `storageProfile.imageReference` (fixed at creation).
    #[error("{vm}: imageReference cannot change")]
    ImageReferenceChanged {
        /// The VM.
        vm: String,
    },
    /// A power operation the VM's state does not allow (`powerOff` of a deallocated VM).
    #[error("{operation:?} not allowed on {vm}")]
    VmOperationNotAllowed {
        /// The VM's name.
        vm: String,
        /// The operation.
        operation: super::ops::VmPowerAction,
    },
}
