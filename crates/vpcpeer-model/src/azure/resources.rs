//! Azure resource records (persisted form). Every record is keyed by its ARM id in lower case
//! (ARM ids are case-insensitive) and keeps the caller's spelling in `display_id` for rendering.
//! Derived facts — a peering's state and sync level, a NIC's effective routes — are not stored;
//! see [`super::peering`] and [`super::routes`].

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::input::{RuleAddress, RulePorts, RuleProtocol};
use crate::Timestamp;

/// Tags of an ARM resource.
pub type AzTags = BTreeMap<String, String>;

/// Where an ARM resource lives: subscription (the account of the caller's `Scope`), resource
/// group and location (the region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzPlace {
    /// Subscription id, as the caller spelled it.
    pub subscription: String,
    /// Resource group name, as the caller spelled it.
    pub resource_group: String,
    /// Location, lower case without spaces (`eastus`).
    pub location: String,
}

/// A resource group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzResourceGroup {
    /// Lower-cased ARM id (`/subscriptions/{sub}/resourcegroups/{rg}`).
    pub id: String,
    /// The ARM id as first spelled.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Subscription.
    pub subscription: String,
    /// Location.
    pub location: String,
    /// Tags.
    pub tags: AzTags,
}

/// A subnet, held inline in its virtual network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzSubnet {
    /// Name (unique in the VNet, case-insensitively).
    pub name: String,
    /// Its prefix.
    pub prefix: Ipv4Net,
    /// Associated network security group (ARM id as given), if any.
    pub nsg: Option<String>,
    /// Associated route table (ARM id as given), if any.
    pub route_table: Option<String>,
}

/// A virtual network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzVnet {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as the caller spelled it.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Subscription, resource group, location.
    pub place: AzPlace,
    /// `addressSpace.addressPrefixes`.
    pub prefixes: Vec<Ipv4Net>,
    /// Subnets.
    pub subnets: Vec<AzSubnet>,
    /// `resourceGuid`: new for every creation, so a VNet deleted and re-created is a different
    /// network to the peerings that point at it.
    pub guid: String,
    /// Creation time.
    pub created: Timestamp,
    /// Tags.
    pub tags: AzTags,
}

impl AzVnet {
    /// The subnet called `name` (case-insensitive).
    pub fn subnet(&self, name: &str) -> Option<&AzSubnet> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

/// One side of a VNet peering: a link from a local VNet to a remote one. The reverse link is a
/// record of its own, created by its own PUT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzPeering {
    /// Lower-cased ARM id (`{vnet id}/virtualnetworkpeerings/{name}`).
    pub id: String,
    /// ARM id as the caller spelled it.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Key of the local (parent) VNet.
    pub vnet: String,
    /// `remoteVirtualNetwork.id` as given.
    pub remote_vnet_id: String,
    /// Key of the remote VNet (lower-cased `remote_vnet_id`).
    pub remote_vnet: String,
    /// `allowVirtualNetworkAccess`.
    pub allow_vnet_access: bool,
    /// `allowForwardedTraffic`.
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`.
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`.
    pub use_remote_gateways: bool,
    /// `doNotVerifyRemoteGateways` (stored and echoed; it bypasses nothing).
    pub do_not_verify_remote_gateways: bool,
    /// The remote address space peered: taken at creation and on `syncRemoteAddressSpace`.
    pub remote_snapshot: Vec<Ipv4Net>,
    /// The remote VNet's `resourceGuid` seen when this link was created or last updated.
    pub remote_vnet_guid: String,
    /// This link's own `resourceGuid`.
    pub guid: String,
    /// The reverse link's `resourceGuid` once the two connected; `None` while Initiated.
    pub connected_with: Option<String>,
    /// Creation time.
    pub created: Timestamp,
}

/// Direction of a security rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AzDirection {
    /// Inbound.
    Inbound,
    /// Outbound.
    Outbound,
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzAccess {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// A security rule of an NSG. Its protocol, port ranges and address prefixes are typed values
/// ([`super::input`]: a CIDR, an address, `*` or a service tag such as `VirtualNetwork`), each
/// kept with the text the caller gave, which ARM echoes. In a command a value may not have
/// parsed (the NSG checks refuse it in their order); a stored rule's values always parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzSecurityRule {
    /// Name.
    pub name: String,
    /// 100–4096 for user rules; 65000+ for the default rules.
    pub priority: u32,
    /// Direction.
    pub direction: AzDirection,
    /// Access.
    pub access: AzAccess,
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`.
    pub protocol: RuleProtocol,
    /// Source port ranges (`*`, `80`, `1000-2000`).
    pub source_ports: Vec<RulePorts>,
    /// Destination port ranges.
    pub destination_ports: Vec<RulePorts>,
    /// Source address prefixes.
    pub source_prefixes: Vec<RuleAddress>,
    /// Destination address prefixes.
    pub destination_prefixes: Vec<RuleAddress>,
    /// Description.
    pub description: Option<String>,
}

/// A network security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzNsg {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as given.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Place.
    pub place: AzPlace,
    /// User rules (the default rules are fixed and not stored: [`super::default_security_rules`]).
    pub rules: Vec<AzSecurityRule>,
    /// `resourceGuid`.
    pub guid: String,
    /// Tags.
    pub tags: AzTags,
}

/// Next hop of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AzNextHop {
    /// Inside the VNet.
    VnetLocal,
    /// A peered VNet in the same region.
    VnetPeering,
    /// A peered VNet in another region.
    VnetGlobalPeering,
    /// The internet.
    Internet,
    /// A network virtual appliance at `nextHopIpAddress`.
    VirtualAppliance,
    /// The VNet's (or the peer's, with gateway transit) VPN/ExpressRoute gateway.
    VirtualNetworkGateway,
    /// Drop.
    None,
}

/// A user-defined route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzRoute {
    /// Name.
    pub name: String,
    /// Destination.
    pub prefix: Ipv4Net,
    /// Next hop type.
    pub next_hop: AzNextHop,
    /// Next hop address (only for `VirtualAppliance`).
    pub next_hop_ip: Option<Ipv4Addr>,
}

/// A route table (UDRs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzRouteTable {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as given.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Place.
    pub place: AzPlace,
    /// Routes.
    pub routes: Vec<AzRoute>,
    /// `disableBgpRoutePropagation`.
    pub disable_bgp_route_propagation: bool,
    /// Tags.
    pub tags: AzTags,
}

/// An IP configuration of a NIC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzIpConfig {
    /// Name.
    pub name: String,
    /// Subnet ARM id as given.
    pub subnet_id: String,
    /// Private address.
    pub private_ip: Ipv4Addr,
    /// Whether the address was allocated (`Dynamic`) rather than given (`Static`).
    pub dynamic: bool,
    /// Whether this is the primary configuration.
    pub primary: bool,
    /// `publicIPAddress.id`: the public IP address associated (ARM id as given), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzNic {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as given.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Place.
    pub place: AzPlace,
    /// IP configurations (at least one).
    pub ip_configs: Vec<AzIpConfig>,
    /// NIC-level NSG (ARM id as given).
    pub nsg: Option<String>,
    /// `enableIPForwarding`.
    pub ip_forwarding: bool,
    /// The VM using it (ARM id as given).
    pub vm: Option<String>,
    /// `resourceGuid`.
    pub guid: String,
    /// Tags.
    pub tags: AzTags,
}

/// A virtual machine (only what networking needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzVm {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as given.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Place.
    pub place: AzPlace,
    /// NIC ARM ids as given; the first is primary.
    pub nics: Vec<String>,
    /// `hardwareProfile.vmSize`, as given.
    pub size: String,
    /// `vmId`.
    pub guid: String,
    /// Tags.
    pub tags: AzTags,
    /// Power state (running unless deallocated or powered off).
    #[serde(default, skip_serializing_if = "AzPowerState::is_running")]
    pub power: AzPowerState,
    /// `osProfile.customData` as given (base64 text; ARM never returns it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<String>,
    /// `storageProfile.imageReference` as given at creation (`None`: none given, or stored
    /// before images existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<AzImageReference>,
    /// When its last operation ended: its creation, an update (PUT) or a power operation
    /// (`deallocate`, `powerOff`, `start`, each applied at once). The instance view's
    /// `ProvisioningState/succeeded` status carries it as `time`. `None` only for VMs stored
    /// before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_operation: Option<Timestamp>,
}

/// The gateway image's publisher on Azure: vpcpeer's own image (spec choice: it is not a real
/// Marketplace image). A VM of it has `storageProfile.imageReference` `{publisher: "vpcpeer",
/// offer: "vpcpeer-gateway", sku: "v1", version: "latest"}`; its configuration is
/// `osProfile.customData` (base64). [`AzImageReference::is_gateway`] accepts any version.
pub const GATEWAY_IMAGE_PUBLISHER: &str = "vpcpeer";

/// The gateway image's offer ([`GATEWAY_IMAGE_PUBLISHER`]).
pub const GATEWAY_IMAGE_OFFER: &str = "vpcpeer-gateway";

/// The gateway image's SKU ([`GATEWAY_IMAGE_PUBLISHER`]).
pub const GATEWAY_IMAGE_SKU: &str = "v1";

/// The version a controller asks for ([`GATEWAY_IMAGE_PUBLISHER`]).
pub const GATEWAY_IMAGE_VERSION: &str = "latest";

/// A VM's `storageProfile.imageReference` (a Marketplace image), each member as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzImageReference {
    /// `publisher`.
    pub publisher: Option<String>,
    /// `offer`.
    pub offer: Option<String>,
    /// `sku`.
    pub sku: Option<String>,
    /// `version`.
    pub version: Option<String>,
}

impl AzImageReference {
    /// The gateway image's reference, as a controller sends it.
    pub fn gateway() -> Self {
        AzImageReference {
            publisher: Some(GATEWAY_IMAGE_PUBLISHER.into()),
            offer: Some(GATEWAY_IMAGE_OFFER.into()),
            sku: Some(GATEWAY_IMAGE_SKU.into()),
            version: Some(GATEWAY_IMAGE_VERSION.into()),
        }
    }

    /// Whether it names the gateway image (publisher, offer and SKU compared without case, as
    /// ARM compares Marketplace names; any version).
    pub fn is_gateway(&self) -> bool {
        let is = |v: &Option<String>, want: &str| {
            v.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(want))
        };
        is(&self.publisher, GATEWAY_IMAGE_PUBLISHER)
            && is(&self.offer, GATEWAY_IMAGE_OFFER)
            && is(&self.sku, GATEWAY_IMAGE_SKU)
    }
}

impl AzVm {
    /// Whether it runs the gateway image.
    pub fn is_gateway(&self) -> bool {
        self.image
            .as_ref()
            .is_some_and(AzImageReference::is_gateway)
    }
}

/// The power state of a VM (`PowerState/…` in its instance view). The transitional states
/// (`starting`, `stopping`, `deallocating`) are not modelled: changes finish at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzPowerState {
    /// `PowerState/running`.
    #[default]
    Running,
    /// `PowerState/stopped` (powered off: still allocated, still billed, addresses kept).
    Stopped,
    /// `PowerState/deallocated` (released: a Dynamic public IP loses its address).
    Deallocated,
}

impl AzPowerState {
    /// Whether the VM runs.
    pub fn is_running(&self) -> bool {
        *self == AzPowerState::Running
    }
}

/// The SKU of a public IP address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzPublicIpSku {
    /// `Basic` (the default).
    Basic,
    /// `Standard` (Static allocation only).
    Standard,
}

/// A public IP address (`Microsoft.Network/publicIPAddresses`). Its address comes from the
/// emulator's Azure pool ([`super::ops::PUBLIC_IP_POOL`]): a Static one at its PUT, kept until it
/// is deleted; a Dynamic one while it is associated with a NIC whose VM is not deallocated.
/// Which IP configuration uses it is read from the NICs (`AzIpConfig::public_ip`), not stored
/// here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzPublicIp {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as given.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Place.
    pub place: AzPlace,
    /// `sku.name`.
    pub sku: AzPublicIpSku,
    /// `publicIPAllocationMethod` is `Static`.
    pub is_static: bool,
    /// `ipAddress`, when one is allocated.
    pub address: Option<Ipv4Addr>,
    /// `idleTimeoutInMinutes` (4 by default).
    pub idle_timeout: u32,
    /// `resourceGuid`.
    pub guid: String,
    /// Tags.
    pub tags: AzTags,
}

/// Type of a virtual network gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzGatewayType {
    /// VPN gateway.
    Vpn,
    /// ExpressRoute gateway.
    ExpressRoute,
}

/// A virtual network gateway (enough for gateway transit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzGateway {
    /// Lower-cased ARM id.
    pub id: String,
    /// ARM id as given.
    pub display_id: String,
    /// Name.
    pub name: String,
    /// Place.
    pub place: AzPlace,
    /// Key of the VNet whose `GatewaySubnet` it sits in.
    pub vnet: String,
    /// The `GatewaySubnet` ARM id as given.
    pub subnet_id: String,
    /// Type.
    pub gateway_type: AzGatewayType,
    /// `vpnType` as given (`RouteBased` by default).
    pub vpn_type: String,
    /// `sku.name` as given (`VpnGw1` by default).
    pub sku: String,
    /// `resourceGuid`.
    pub guid: String,
    /// Tags.
    pub tags: AzTags,
}

/// Where an effective route came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzRouteSource {
    /// A system route.
    Default,
    /// A user-defined route.
    User,
    /// Learned from a virtual network gateway.
    VirtualNetworkGateway,
}

/// One effective route of a NIC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzEffectiveRoute {
    /// The UDR's name (user routes only).
    pub name: Option<String>,
    /// Source.
    pub source: AzRouteSource,
    /// Whether the route is in force (`Active`) or shadowed by a user route (`Invalid`).
    pub active: bool,
    /// Destination prefixes.
    pub prefixes: Vec<Ipv4Net>,
    /// Next hop addresses.
    pub next_hop_ips: Vec<Ipv4Addr>,
    /// Next hop type.
    pub next_hop: AzNextHop,
}

/// What a finished asynchronous operation produced, for its `operationResults` URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AzOperationResult {
    /// Nothing (PUT and DELETE: the resource itself is read back).
    None,
    /// The effective routes of a NIC at the time of the request.
    EffectiveRoutes(Vec<AzEffectiveRoute>),
    /// The effective network security groups of a NIC at the time of the request.
    EffectiveNsgs(Vec<super::security::AzEffectiveNsg>),
}

/// A long-running operation. Changes are applied when the request is made, so every recorded
/// operation has already succeeded; the record exists so the `Azure-AsyncOperation` and
/// `Location` URLs it hands out answer (and keep answering after a restart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzOperation {
    /// The operation id: its start time in milliseconds as 12 hex digits, `-`, a lower-case GUID.
    pub id: String,
    /// Subscription that started it.
    pub subscription: String,
    /// Location in its URL.
    pub location: String,
    /// When it started (and finished).
    pub started: Timestamp,
    /// Its result.
    pub result: AzOperationResult,
}
