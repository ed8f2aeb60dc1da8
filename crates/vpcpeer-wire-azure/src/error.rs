//! ARM errors: [`ArmError`] is what this face answers (`{"error": {"code", "message"}}` with an
//! HTTP status), and [`From<AzureError>`] words each refusal of the model with an exhaustive
//! match, so a new kind of refusal does not compile until this face decides its code, status
//! and message.
//!
//! Codes: the peering codes of spec §2.8 (`VnetAddressSpacesOverlap`,
//! `VnetAddressSpaceOverlapsWithAlreadyPeeredVnet`, `AnotherPeeringAlreadyReferencesRemoteVnet`,
//! `RemotePeeringIsDisconnected`, `RemoteVnetHasNoGateways`,
//! `ChangingRemoteVirtualNetworkNotAllowed`, `InvalidResourceName`, `ResourceNotFound`,
//! `ResourceGroupNotFound`) and the common ARM/NRP ones (`LinkedInvalidPropertyId`,
//! `InvalidResourceReference`, `InUseSubnetCannotBeDeleted`,
//! `InUseNetworkSecurityGroupCannotBeDeleted`, `InUseRouteTableCannotBeDeleted`,
//! `NetcfgSubnetRangeOutsideVnet`, `NetcfgSubnetRangesOverlap`, `PrivateIPAddressInUse`,
//! `LocationRequired`, `InvalidResourceLocation`, `SecurityRuleInvalidPriority`, `NicInUse`) are
//! ARM's, as are the tag codes (`InvalidTags`, `InvalidTagName`, `InvalidTagNameCharacters`,
//! `InvalidTagValueLength`) and `SecurityRuleCountLimitReached`. \[UNVERIFIED\] These were
//! chosen here, for rules whose real code was not confirmed: `InvalidRemoteVirtualNetwork`
//! (another cloud's network), `CannotPeerVirtualNetworkWithItself`,
//! `PeeringLimitReachedForVirtualNetwork`, `VnetHasGatewayCannotUseRemoteGateways`,
//! `AnotherPeeringAlreadyUsesRemoteGateways`, `RemotePeeringDoesNotAllowGatewayTransit`,
//! `GatewayTransitInUseByRemotePeering`, `GatewayInUseByPeering`, `InvalidAddressPrefixFormat`,
//! `NetcfgInvalidAddressPrefixes`, `InUseSubnetCannotBeUpdated`, `RouteConflict`,
//! `NextHopIpAddressRequired`, `NextHopIpAddressNotAllowed`, `InvalidNextHopIpAddress`,
//! `InvalidNextHopType`, the NIC codes (`SubnetRequired`, `PrivateIPAddressRequired`,
//! `InvalidPrivateIPAddressFormat`, `PrivateIPAddressNotInSubnet`, `SubnetIsFull`,
//! `IpConfigurationsOfNicInDifferentVnets`, `NetworkInterfaceMustHaveAtLeastOneIpConfiguration`,
//! `NicInDifferentLocation`), the gateway codes (`GatewaySubnetRequired`, `InvalidGatewaySubnet`,
//! `ChangingGatewayVirtualNetworkNotAllowed`, `VnetAlreadyHasGatewayOfThisType`,
//! `VnetUsesRemoteGatewaysCannotHaveGateway`), `DuplicateResourceName`, `SecurityRuleConflict`,
//! `SecurityRuleInvalidProtocol`, `SecurityRuleInvalidPortRange`,
//! `SecurityRuleInvalidAddressPrefix`, `OperationNotFound` and the count limits
//! (`AddressPrefixCountLimitReached`, `SubnetCountLimitReached`, `RouteCountLimitReached`,
//! `IpConfigurationCountLimitReached`, `SecurityRuleAddressPrefixCountLimitReached`,
//! `NetworkInterfaceCountLimitReached`). Public IP addresses and VM power: ARM's
//! `StandardSkuPublicIPAddressesMustBeStatic`, `PublicIPAddressCannotBeDeleted` (a DELETE while
//! an IP configuration uses it), `PublicIPAddressInUse` (a second configuration asks for it),
//! `PublicIPReferencedByMultipleIPConfigs`, `OperationNotAllowed` (409, `powerOff` of a
//! deallocated VM) and `InvalidParameter` for custom data that is not base64; chosen here:
//! `PropertyChangeNotAllowed` (409) for a PUT changing a VM's `customData` or its
//! `storageProfile.imageReference`,
//! `PublicIPIdleTimeoutIsOutOfRange` and `PublicIPCountLimitReached` (the emulator's pool is
//! empty).

use crate::render::direction;
use ipnet::Ipv4Net;
use vpcpeer_model::azure::limits::{MAX_TAGS, MAX_TAG_NAME, MAX_TAG_VALUE};
use vpcpeer_model::azure::ops::{Tagged, VmPowerAction};
use vpcpeer_model::azure::{AzureError, Limit, OtherCloud, PeeredSide, Side};
use vpcpeer_model::text;

/// An ARM error: `{"error": {"code", "message"}}` with an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmError {
    /// HTTP status.
    pub status: u16,
    /// ARM error code.
    pub code: String,
    /// Message.
    pub message: String,
}

impl ArmError {
    /// A 400 with `code`.
    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    /// An error with `status` and `code`.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ArmError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ArmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ArmError {}

fn bad(code: &str, message: impl Into<String>) -> ArmError {
    ArmError::bad_request(code, message)
}

/// The message of a refused cross-cloud peering.
pub const CROSS_CLOUD: &str = "native VNet peering cannot join networks of different clouds; cross-cloud links need encrypted peering through gateways (a transit gateway in each cloud)";

/// The ARM type of a top-level resource kind (`Microsoft.Network/virtualNetworks`).
pub fn arm_type(kind: Tagged) -> &'static str {
    match kind {
        Tagged::ResourceGroup => "Microsoft.Resources/resourceGroups",
        Tagged::Vnet => "Microsoft.Network/virtualNetworks",
        Tagged::Nsg => "Microsoft.Network/networkSecurityGroups",
        Tagged::RouteTable => "Microsoft.Network/routeTables",
        Tagged::Nic => "Microsoft.Network/networkInterfaces",
        Tagged::Gateway => "Microsoft.Network/virtualNetworkGateways",
        Tagged::Vm => "Microsoft.Compute/virtualMachines",
        Tagged::PublicIp => "Microsoft.Network/publicIPAddresses",
    }
}

/// The spelling of a VM power operation in its URL.
pub fn power_action(a: VmPowerAction) -> &'static str {
    match a {
        VmPowerAction::Deallocate => "deallocate",
        VmPowerAction::PowerOff => "powerOff",
        VmPowerAction::Start => "start",
    }
}

fn side(s: Side) -> &'static str {
    match s {
        Side::Source => "source",
        Side::Destination => "destination",
    }
}

fn prefixes(p: &[Ipv4Net]) -> String {
    p.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// (code, owner, items) of a count limit: "A {owner} cannot have more than {max} {items}."
fn limit(l: Limit) -> (&'static str, &'static str, String) {
    match l {
        Limit::AddressPrefixes => (
            "AddressPrefixCountLimitReached",
            "virtual network",
            "address prefixes in its address space".into(),
        ),
        Limit::Subnets => (
            "SubnetCountLimitReached",
            "virtual network",
            "subnets".into(),
        ),
        Limit::SecurityRules => (
            "SecurityRuleCountLimitReached",
            "security group",
            "security rules".into(),
        ),
        Limit::RulePrefixes(s) => (
            "SecurityRuleAddressPrefixCountLimitReached",
            "security rule",
            format!("{} addresses and ranges", side(s)),
        ),
        Limit::Routes => ("RouteCountLimitReached", "route table", "routes".into()),
        Limit::IpConfigs => (
            "IpConfigurationCountLimitReached",
            "network interface",
            "IP configurations".into(),
        ),
        Limit::VmNics => (
            "NetworkInterfaceCountLimitReached",
            "virtual machine",
            "network interfaces".into(),
        ),
    }
}

/// A 400 `code` about peering `peering`: "Cannot create or update peering {peering}. {rest}".
fn peering(code: &str, peering: &str, rest: String) -> ArmError {
    ArmError::bad_request(
        code,
        format!("Cannot create or update peering {peering}. {rest}"),
    )
}

impl From<AzureError> for ArmError {
    fn from(e: AzureError) -> Self {
        use AzureError as E;
        match e {
            E::InvalidName { name } => bad(
                "InvalidResourceName",
                format!("Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'."),
            ),
            E::InvalidGroupName { name } => bad(
                "InvalidResourceGroupName",
                format!("The provided resource group name '{name}' has these invalid characters or is too long. The name can only be a letter, digit, '-', '.', '(', ')' or '_', up to 90 characters, and may not end with '.'."),
            ),
            E::LocationRequired => bad(
                "LocationRequired",
                "The location property is required for this definition.",
            ),
            E::LocationChanged {
                id,
                location,
                resource_group,
                wanted,
            } => bad(
                "InvalidResourceLocation",
                format!("The resource '{id}' already exists in location '{location}' in resource group '{resource_group}'. A resource with the same name cannot be created in location '{wanted}'. Please select a new resource name."),
            ),
            E::GroupLocationChanged { location, wanted } => ArmError::new(
                409,
                "InvalidResourceGroupLocation",
                format!("Invalid resource group location '{wanted}'. The Resource group already exists in location '{location}'."),
            ),
            E::GroupNotFound { name } => ArmError::new(
                404,
                "ResourceGroupNotFound",
                format!("Resource group '{name}' could not be found."),
            ),
            E::NotFound {
                kind,
                name,
                resource_group,
            } => ArmError::new(
                404,
                "ResourceNotFound",
                format!("The Resource '{}/{name}' under resource group '{resource_group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", arm_type(kind)),
            ),
            E::ChildNotFound { id } => {
                ArmError::new(404, "NotFound", format!("Resource {id} not found."))
            }
            E::OperationNotFound { id } => ArmError::new(
                404,
                "OperationNotFound",
                format!("Operation {id} was not found."),
            ),
            E::InvalidPrefix { prefix } => bad(
                "InvalidAddressPrefixFormat",
                format!("Address prefix {prefix} does not have a valid format."),
            ),
            E::TooMany {
                limit: l,
                max,
                count,
            } => {
                let (code, owner, items) = limit(l);
                bad(
                    code,
                    format!("A {owner} cannot have more than {max} {items}. The request has {count}."),
                )
            }
            E::TooManyTags { count } => bad(
                "InvalidTags",
                format!("Too many tags specified. Requested tag count - '{count}'. Maximum number of tags allowed - '{MAX_TAGS}'."),
            ),
            E::EmptyTagName => bad(
                "InvalidTagName",
                "The tag name must be non-null, non-empty and non-whitespace only. Please provide an actual value.",
            ),
            E::TagNameTooLong { name } => bad(
                "InvalidTagName",
                format!("Tag key too large. Following tag name '{}' exceeded the maximum length. Maximum allowed length for tag name - '{MAX_TAG_NAME}' characters.", text::visible(&name)),
            ),
            E::TagNameCharacters { name } => bad(
                "InvalidTagNameCharacters",
                format!(
                    "The tag names '{}' have reserved characters '<,>,%,&,\\,?,/' or control characters.",
                    text::visible(&name)
                ),
            ),
            E::TagValueTooLong { value } => bad(
                "InvalidTagValueLength",
                format!("Tag value too large. Following tag value '{}' exceeded the maximum length. Maximum allowed length for tag value - '{MAX_TAG_VALUE}' characters.", text::visible(&value)),
            ),
            E::ForeignReference {
                referrer,
                referenced,
            } => bad(
                "InvalidResourceReference",
                format!("Resource {referenced} referenced by resource {referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
            ),
            E::MissingReference { id } => bad(
                "InvalidResourceReference",
                format!("Resource {id} referenced by the request was not found."),
            ),
            E::NoAddressSpace => bad(
                "InvalidRequestFormat",
                "Cannot parse the request: virtual network needs addressSpace.addressPrefixes.",
            ),
            E::AddressPrefixesOverlap { vnet, a, b } => bad(
                "NetcfgInvalidAddressPrefixes",
                format!("Address prefixes {a} and {b} of virtual network {vnet} overlap."),
            ),
            E::SubnetWithoutPrefix { subnet, vnet } => bad(
                "NetcfgInvalidSubnet",
                format!("Subnet '{subnet}' is not valid in virtual network '{vnet}': it has no addressPrefix."),
            ),
            E::SubnetOutsideVnet { subnet, vnet } => bad(
                "NetcfgSubnetRangeOutsideVnet",
                format!("Subnet '{subnet}' is not valid because its IP address range is outside the IP address range of virtual network '{vnet}'."),
            ),
            E::DuplicateSubnet { vnet, subnet } => bad(
                "DuplicateResourceName",
                format!("Virtual network {vnet} has two subnets with the same name {subnet}."),
            ),
            E::SubnetsOverlap {
                subnet,
                existing,
                vnet,
            } => bad(
                "NetcfgSubnetRangesOverlap",
                format!("Subnet '{subnet}' is not valid because its IP address range overlaps with that of an existing subnet '{existing}' in virtual network '{vnet}'."),
            ),
            E::SubnetInUse { subnet, user } => bad(
                "InUseSubnetCannotBeDeleted",
                format!("Subnet {subnet} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet."),
            ),
            E::GroupSubnetInUse { nic } => bad(
                "InUseSubnetCannotBeDeleted",
                format!("Subnet is in use by {nic} and cannot be deleted."),
            ),
            E::SubnetInUseCannotChange { subnet } => bad(
                "InUseSubnetCannotBeUpdated",
                format!("Subnet {subnet} is in use and its address prefix cannot be changed."),
            ),
            E::SpaceOverlapsPeer {
                vnet,
                other,
                via: None,
                prefixes: p,
            } => bad(
                "VnetAddressSpacesOverlap",
                format!("Cannot update virtual network {vnet}. Its address space would overlap with peered virtual network {other}. Overlapping address prefixes: {}", prefixes(&p)),
            ),
            E::SpaceOverlapsPeer {
                vnet,
                other,
                via: Some(peer),
                prefixes: p,
            } => bad(
                "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                format!("Cannot update virtual network {vnet}. Its address space would overlap with address space of virtual network {other} already peered with peered virtual network {peer}. Overlapping address prefixes: {}", prefixes(&p)),
            ),
            E::PeeringNeedsRemote { peering } => bad(
                "InvalidRequestFormat",
                format!("Cannot parse the request: peering {peering} needs properties.remoteVirtualNetwork.id."),
            ),
            E::RemoteInOtherCloud {
                peering,
                remote,
                cloud,
            } => {
                let kind = match cloud {
                    OtherCloud::Aws => "AWS VPC",
                    OtherCloud::Gcp => "GCP VPC network",
                };
                bad(
                    "InvalidRemoteVirtualNetwork",
                    format!("Cannot create or update peering {peering}: remote network '{remote}' is an {kind}, not an Azure virtual network; {CROSS_CLOUD}."),
                )
            }
            E::InvalidRemoteId { remote } => bad(
                "LinkedInvalidPropertyId",
                format!("Property id '{remote}' at path 'properties.remoteVirtualNetwork.id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' and name a Microsoft.Network/virtualNetworks resource."),
            ),
            E::ChangingRemote { peering: p, from, to } => peering(
                "ChangingRemoteVirtualNetworkNotAllowed",
                &p,
                format!("Changing the remote virtual network from {from} to {to} is not allowed."),
            ),
            E::PeerWithItself { peering: p } => peering(
                "CannotPeerVirtualNetworkWithItself",
                &p,
                "A virtual network cannot be peered with itself.".into(),
            ),
            E::RemoteNotFound { peering, remote } => ArmError::new(
                404,
                "ResourceNotFound",
                format!("Cannot create or update peering {peering}: remote virtual network {remote} was not found."),
            ),
            E::RemoteAlreadyPeered {
                peering: p,
                other,
                remote,
            } => peering(
                "AnotherPeeringAlreadyReferencesRemoteVnet",
                &p,
                format!("Peering {other} already references remote virtual network {remote}. Cannot have two peerings referencing the same remote virtual network."),
            ),
            E::PeeringLimit {
                peering: p,
                vnet,
                max,
            } => peering(
                "PeeringLimitReachedForVirtualNetwork",
                &p,
                format!("Virtual network {vnet} already has {max} peerings, the maximum allowed."),
            ),
            E::PeeringOverlap {
                peering: p,
                local,
                remote,
                prefixes: o,
            } => peering(
                "VnetAddressSpacesOverlap",
                &p,
                format!("Virtual networks {local} and {remote} cannot be peered because their address spaces overlap. Overlapping address prefixes: {}", prefixes(&o)),
            ),
            E::PeeringOverlapsPeer {
                peering: p,
                local,
                remote,
                side,
                third,
                prefixes: o,
            } => {
                let (first, second) = match side {
                    PeeredSide::Local => ("first", "second"),
                    PeeredSide::Remote => ("second", "first"),
                };
                peering(
                    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                    &p,
                    format!("Virtual networks {local} and {remote} cannot be peered because address space of the {first} virtual network overlaps with address space of virtual network {third} already peered with the {second} virtual network. Overlapping address prefixes: {}", prefixes(&o)),
                )
            }
            E::RemotePeeringDisconnected {
                peering: p,
                remote_peering,
                vnet,
            } => peering(
                "RemotePeeringIsDisconnected",
                &p,
                format!("Remote peering {remote_peering} referencing parent virtual network {vnet} is in Disconnected state. Update or re-create the remote peering to get it back to Initiated state. Peering gets Disconnected when remote vnet or remote peering is deleted and re-created."),
            ),
            E::RemoteHasNoGateways { peering: p, remote } => peering(
                "RemoteVnetHasNoGateways",
                &p,
                format!("Peering {p} cannot have UseRemoteGateway flag set to true because remote virtual network {remote} referenced by the peering does not have any gateways."),
            ),
            E::LocalHasGateway {
                peering: p,
                vnet,
                gateway,
            } => peering(
                "VnetHasGatewayCannotUseRemoteGateways",
                &p,
                format!("Peering {p} cannot have UseRemoteGateway flag set to true because its virtual network {vnet} has gateway {gateway} of its own."),
            ),
            E::AnotherPeeringUsesRemoteGateways {
                peering: p,
                other,
                vnet,
            } => peering(
                "AnotherPeeringAlreadyUsesRemoteGateways",
                &p,
                format!("Peering {other} of virtual network {vnet} already uses remote gateways; only one peering per virtual network may."),
            ),
            E::RemoteDoesNotAllowTransit {
                peering: p,
                remote,
                local,
            } => peering(
                "RemotePeeringDoesNotAllowGatewayTransit",
                &p,
                format!("Peering {p} cannot have UseRemoteGateway flag set to true because the remote peering from {remote} back to {local} does not exist or does not have AllowGatewayTransit set to true."),
            ),
            E::TransitInUse {
                peering: p,
                remote_peering,
            } => peering(
                "GatewayTransitInUseByRemotePeering",
                &p,
                format!("AllowGatewayTransit cannot be turned off while remote peering {remote_peering} uses this virtual network's gateways."),
            ),
            E::RulePriority { rule, priority } => bad(
                "SecurityRuleInvalidPriority",
                format!("Security rule {rule} has invalid Priority {priority}. Value provided: {priority} Allowed range 100-4096."),
            ),
            E::RuleProtocol { rule, protocol } => bad(
                "SecurityRuleInvalidProtocol",
                format!("Security rule {rule} has invalid protocol '{protocol}'; allowed: Tcp, Udp, Icmp, Esp, Ah, *."),
            ),
            E::RuleNoPorts { rule, side: s } => bad(
                "SecurityRuleInvalidPortRange",
                format!("Security rule {rule} has no {} port range.", side(s)),
            ),
            E::RulePorts {
                rule,
                side: s,
                range,
            } => bad(
                "SecurityRuleInvalidPortRange",
                format!("Security rule {rule} has invalid {} port range '{range}'; use *, a port or a range like 1000-2000 within 0-65535.", side(s)),
            ),
            E::RuleNoPrefix { rule, side: s } => bad(
                "SecurityRuleInvalidAddressPrefix",
                format!("Security rule {rule} has no {} address prefix.", side(s)),
            ),
            E::RulePrefix {
                rule,
                side: s,
                prefix,
            } => bad(
                "SecurityRuleInvalidAddressPrefix",
                format!("Security rule {rule} has invalid {} address prefix '{prefix}'; use *, an IPv4 address or CIDR, or a service tag.", side(s)),
            ),
            E::RuleConflict {
                rule,
                priority,
                direction: d,
            } => bad(
                "SecurityRuleConflict",
                format!("Security rule {rule} conflicts with another rule: two rules have priority {priority} and direction {}.", direction(d)),
            ),
            E::DuplicateRule { rule } => bad(
                "DuplicateResourceName",
                format!("Network security group has two security rules named {rule}."),
            ),
            E::NsgInUse { nsg, user } => bad(
                "InUseNetworkSecurityGroupCannotBeDeleted",
                format!("Network security group {nsg} cannot be deleted because it is in use by the following resources: {user}."),
            ),
            E::InvalidNextHopIp { route, ip } => bad(
                "InvalidNextHopIpAddress",
                format!("Route {route} has an invalid next hop IP address {ip}."),
            ),
            E::NextHopIpRequired { route } => bad(
                "NextHopIpAddressRequired",
                format!("Route {route} has next hop type VirtualAppliance and needs nextHopIpAddress."),
            ),
            E::NextHopIpNotAllowed { route } => bad(
                "NextHopIpAddressNotAllowed",
                format!("Route {route} may have nextHopIpAddress only with next hop type VirtualAppliance."),
            ),
            E::SystemNextHop { route } => bad(
                "InvalidNextHopType",
                format!("Route {route} has a next hop type that only system routes use."),
            ),
            E::RoutesConflict { a, b, table } => bad(
                "RouteConflict",
                format!("Routes {a} and {b} of route table {table} have the same name or address prefix."),
            ),
            E::RoutePrefixTaken { table, prefix } => bad(
                "RouteConflict",
                format!("Route table {table} already has a route for {prefix}."),
            ),
            E::RouteTableInUse { table, subnet } => bad(
                "InUseRouteTableCannotBeDeleted",
                format!("Route table {table} is in use by subnet {subnet} and cannot be deleted."),
            ),
            E::GatewaySubnetRequired { gateway } => bad(
                "GatewaySubnetRequired",
                format!("Virtual network gateway {gateway} needs ipConfigurations[0].properties.subnet.id naming a GatewaySubnet."),
            ),
            E::NotGatewaySubnet { subnet } => bad(
                "InvalidGatewaySubnet",
                format!("Subnet {subnet} cannot hold a virtual network gateway: gateways go in the subnet named GatewaySubnet."),
            ),
            E::GatewayLocation {
                vnet,
                location,
                wanted,
            } => bad(
                "InvalidResourceReference",
                format!("Virtual network {vnet} is in location {location}, not {wanted}."),
            ),
            E::GatewayMoved { gateway } => bad(
                "ChangingGatewayVirtualNetworkNotAllowed",
                format!("Virtual network gateway {gateway} cannot move to another virtual network."),
            ),
            E::GatewayOfTypeExists { vnet, other } => bad(
                "VnetAlreadyHasGatewayOfThisType",
                format!("Virtual network {vnet} already has gateway {other} of this type."),
            ),
            E::VnetUsesRemoteGateways { vnet, peering } => bad(
                "VnetUsesRemoteGatewaysCannotHaveGateway",
                format!("Virtual network {vnet} uses remote gateways through peering {peering} and cannot have a gateway of its own."),
            ),
            E::GatewayInUse { gateway, peering } => bad(
                "GatewayInUseByPeering",
                format!("Virtual network gateway {gateway} is used by peering {peering} (useRemoteGateways) and cannot be deleted."),
            ),
            E::NicNeedsConfig { nic } => bad(
                "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
                format!("Network interface {nic} must have at least one IP configuration."),
            ),
            E::SubnetRequired { config, nic } => bad(
                "SubnetRequired",
                format!("IP configuration {config} of {nic} needs subnet.id."),
            ),
            E::SubnetLocation {
                subnet,
                location,
                nic,
                wanted,
            } => bad(
                "InvalidResourceReference",
                format!("Subnet {subnet} is in location {location}, but network interface {nic} is in {wanted}."),
            ),
            E::ConfigsInDifferentVnets { nic } => bad(
                "IpConfigurationsOfNicInDifferentVnets",
                format!("IP configurations of {nic} must all be in one virtual network."),
            ),
            E::InvalidPrivateIp { ip } => bad(
                "InvalidPrivateIPAddressFormat",
                format!("Private IP address {ip} is not a valid IPv4 address."),
            ),
            E::PrivateIpNotInSubnet {
                config,
                nic,
                ip,
                subnet,
                prefix,
            } => bad(
                "PrivateIPAddressNotInSubnet",
                format!("IP configuration {config} of {nic} requests private IP address {ip}, which is not an available address of subnet {subnet} ({prefix}; the first four and the last are reserved)."),
            ),
            E::PrivateIpInUse { config, nic, ip } => bad(
                "PrivateIPAddressInUse",
                format!("IP configuration {config} of {nic} is using the private IP address {ip} which is already allocated to another resource."),
            ),
            E::SubnetFull { subnet } => bad(
                "SubnetIsFull",
                format!("Subnet {subnet} has no free address left."),
            ),
            E::NicAttached { nic, vm } => bad(
                "NicInUse",
                format!("Network Interface {nic} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource."),
            ),
            E::VmNeedsNic => bad(
                "InvalidParameter",
                "At least one network interface is required in networkProfile.networkInterfaces.",
            ),
            E::VmNicNotFound { nic } => bad("NotFound", format!("Resource {nic} not found.")),
            E::NicUsedByOtherVm { nic } => bad(
                "NicInUse",
                format!("Network interface {nic} is in use by another virtual machine."),
            ),
            E::NicInOtherLocation {
                nic,
                location,
                wanted,
            } => bad(
                "NicInDifferentLocation",
                format!("Network interface {nic} is in location {location}, not {wanted}."),
            ),
            E::StandardSkuMustBeStatic { ip } => bad(
                "StandardSkuPublicIPAddressesMustBeStatic",
                format!("Standard sku publicIp {ip} must have AllocationMethod set to Static."),
            ),
            E::PublicIpCannotBeDeleted { ip, config } => bad(
                "PublicIPAddressCannotBeDeleted",
                format!("Public IP address {ip} can not be deleted since it is still allocated to resource {config}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.  To learn how to do this, see aka.ms/deletepublicip."),
            ),
            E::PublicIpInUse { config, ip, other } => bad(
                "PublicIPAddressInUse",
                format!("Resource {config} is referencing public IP address {ip} that is already allocated to resource {other}."),
            ),
            E::PublicIpReferencedTwice { nic, ip } => bad(
                "PublicIPReferencedByMultipleIPConfigs",
                format!("Public IP address {ip} is referenced by multiple IP configurations of network interface {nic}."),
            ),
            E::PublicIpPoolExhausted => ArmError::new(
                409,
                "PublicIPCountLimitReached",
                "No public IP address is left in the emulator's pool (20.40.0.0/13).",
            ),
            E::CustomDataChanged { vm } => ArmError::new(
                409,
                "PropertyChangeNotAllowed",
                format!("Changing property 'customData' is not allowed. (virtual machine {vm})"),
            ),
            E::ImageReferenceChanged { vm } => ArmError::new(
                409,
                "PropertyChangeNotAllowed",
                format!("Changing property 'imageReference' is not allowed. (virtual machine {vm})"),
            ),
            E::VmOperationNotAllowed { vm, operation } => ArmError::new(
                409,
                "OperationNotAllowed",
                format!("Operation '{}' is not allowed on VM '{vm}' since the VM is either deallocated or marked to be deallocated.", power_action(operation)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm(e: AzureError) -> (u16, String, String) {
        let a = ArmError::from(e);
        (a.status, a.code, a.message)
    }

    #[test]
    fn a_huge_tag_value_gives_a_short_message() {
        let (status, code, message) = arm(AzureError::TagValueTooLong {
            value: "v".repeat(1 << 20),
        });
        assert_eq!((status, code.as_str()), (400, "InvalidTagValueLength"));
        assert!(message.len() < 512, "{}", message.len());
    }

    #[test]
    fn statuses_and_codes_of_the_lookups() {
        let (status, code, message) = arm(AzureError::NotFound {
            kind: Tagged::Vnet,
            name: "v".into(),
            resource_group: "rg".into(),
        });
        assert_eq!((status, code.as_str()), (404, "ResourceNotFound"));
        assert_eq!(message, "The Resource 'Microsoft.Network/virtualNetworks/v' under resource group 'rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
        let (status, code, _) = arm(AzureError::GroupLocationChanged {
            location: "eastus".into(),
            wanted: "westus".into(),
        });
        assert_eq!(
            (status, code.as_str()),
            (409, "InvalidResourceGroupLocation")
        );
        let (status, code, _) = arm(AzureError::OperationNotFound { id: "x".into() });
        assert_eq!((status, code.as_str()), (404, "OperationNotFound"));
    }

    #[test]
    fn overlap_messages_name_the_side_and_the_prefixes() {
        let p: Ipv4Net = "10.0.0.0/24".parse().unwrap();
        let (_, code, message) = arm(AzureError::PeeringOverlapsPeer {
            peering: "P".into(),
            local: "L".into(),
            remote: "R".into(),
            side: PeeredSide::Remote,
            third: "T".into(),
            prefixes: vec![p, "10.0.1.0/24".parse().unwrap()].into(),
        });
        assert_eq!(code, "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet");
        assert_eq!(message, "Cannot create or update peering P. Virtual networks L and R cannot be peered because address space of the second virtual network overlaps with address space of virtual network T already peered with the first virtual network. Overlapping address prefixes: 10.0.0.0/24, 10.0.1.0/24");
    }
}
