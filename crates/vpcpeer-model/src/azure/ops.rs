//! Azure commands. Each takes the transaction and what the caller asked for, validates everything
//! before it mutates, and returns the resulting record (with whether it was created) or an
//! [`AzureError`] carrying ARM's code. Changes are applied at once: a long-running operation is
//! already finished when its PUT or DELETE is answered, and the operation record only lets its
//! polling URLs answer `Succeeded`.
//!
//! Error codes: the peering codes of spec §2.8 (`VnetAddressSpacesOverlap`,
//! `VnetAddressSpaceOverlapsWithAlreadyPeeredVnet`, `AnotherPeeringAlreadyReferencesRemoteVnet`,
//! `RemotePeeringIsDisconnected`, `RemoteVnetHasNoGateways`,
//! `ChangingRemoteVirtualNetworkNotAllowed`, `InvalidResourceName`, `ResourceNotFound`,
//! `ResourceGroupNotFound`) and the common ARM/NRP ones (`LinkedInvalidPropertyId`,
//! `InvalidResourceReference`, `InUseSubnetCannotBeDeleted`,
//! `InUseNetworkSecurityGroupCannotBeDeleted`, `InUseRouteTableCannotBeDeleted`,
//! `NetcfgSubnetRangeOutsideVnet`, `NetcfgSubnetRangesOverlap`, `PrivateIPAddressInUse`,
//! `LocationRequired`, `InvalidResourceLocation`, `SecurityRuleInvalidPriority`, `NicInUse`) are
//! ARM's. \[UNVERIFIED\] These were chosen here, for rules whose real code was not confirmed:
//! `InvalidRemoteVirtualNetwork` (another cloud's network), `CannotPeerVirtualNetworkWithItself`,
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
//! `SecurityRuleInvalidProtocol`, `SecurityRuleInvalidPortRange`, `SecurityRuleInvalidAddressPrefix`
//! and `OperationNotFound`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::peering::{self, PeeringState};
use super::{
    key, normalize_location, resource_group_id, resource_id, ArmId, AzGateway, AzGatewayType,
    AzIpConfig, AzNextHop, AzNic, AzNsg, AzOperation, AzOperationResult, AzPeering, AzPlace,
    AzResourceGroup, AzRoute, AzRouteTable, AzSecurityRule, AzSubnet, AzTags, AzVm, AzVnet,
    AzureError,
};
use crate::{Tx, World};

const NETWORK: &str = "Microsoft.Network";
const COMPUTE: &str = "Microsoft.Compute";

/// Which resource a request names: subscription, resource group and resource name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Subscription (from the URL).
    pub subscription: String,
    /// Resource group (from the URL).
    pub resource_group: String,
    /// Resource name (from the URL).
    pub name: String,
}

impl Target {
    /// A target from its parts.
    pub fn new(subscription: &str, resource_group: &str, name: &str) -> Self {
        Target {
            subscription: subscription.to_owned(),
            resource_group: resource_group.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The ARM id of a `Microsoft.Network/{kind}` resource with this name.
    pub fn network_id(&self, kind: &str) -> String {
        resource_id(
            &self.subscription,
            &self.resource_group,
            NETWORK,
            kind,
            &self.name,
        )
    }

    fn place(&self, location: &str) -> AzPlace {
        AzPlace {
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            location: normalize_location(location),
        }
    }
}

/// Checks an ARM resource name: 1–80 characters, starting with a letter or digit, ending with a
/// letter, digit or `_`, and otherwise letters, digits, `.`, `-` and `_`.
pub fn check_name(name: &str) -> Result<(), AzureError> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AzureError::bad_request(
            "InvalidResourceName",
            format!("Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'."),
        ))
    }
}

fn require_location(location: Option<&str>) -> Result<&str, AzureError> {
    match location {
        Some(l) if !l.trim().is_empty() => Ok(l),
        _ => Err(AzureError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

fn check_same_location(existing: &AzPlace, id: &str, location: &str) -> Result<(), AzureError> {
    let wanted = normalize_location(location);
    if existing.location != wanted {
        return Err(AzureError::bad_request(
            "InvalidResourceLocation",
            format!("The resource '{id}' already exists in location '{}' in resource group '{}'. A resource with the same name cannot be created in location '{wanted}'. Please select a new resource name.", existing.location, existing.resource_group),
        ));
    }
    Ok(())
}

fn require_group(world: &World, t: &Target) -> Result<(), AzureError> {
    let id = key(&resource_group_id(&t.subscription, &t.resource_group));
    if world.az_resource_groups.contains_key(&id) {
        Ok(())
    } else {
        Err(AzureError::resource_group_not_found(&t.resource_group))
    }
}

fn parse_prefix(s: &str) -> Result<Ipv4Net, AzureError> {
    let bad = || {
        AzureError::bad_request(
            "InvalidAddressPrefixFormat",
            format!("Address prefix {s} does not have a valid format."),
        )
    };
    let net: Ipv4Net = s.trim().parse().map_err(|_| bad())?;
    if net.trunc() != net {
        return Err(bad());
    }
    Ok(net)
}

fn fmt_prefixes(p: &[Ipv4Net]) -> String {
    p.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

use super::limits::{self, overlapping};

// ---------------------------------------------------------------- resource groups

/// Creates or updates a resource group; returns it and whether it was created.
pub fn put_resource_group(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    name: &str,
    location: Option<&str>,
    tags: AzTags,
) -> Result<(AzResourceGroup, bool), AzureError> {
    let valid = !name.is_empty()
        && name.len() <= 90
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-()".contains(c));
    if !valid {
        return Err(AzureError::bad_request(
            "InvalidResourceGroupName",
            format!("The provided resource group name '{name}' has these invalid characters or is too long. The name can only be a letter, digit, '-', '.', '(', ')' or '_', up to 90 characters, and may not end with '.'."),
        ));
    }
    let location = require_location(location)?;
    let display_id = resource_group_id(subscription, name);
    let id = key(&display_id);
    let existing = tx.get::<AzResourceGroup>(&id).cloned();
    if let Some(rg) = &existing {
        if rg.location != normalize_location(location) {
            return Err(AzureError::new(
                409,
                "InvalidResourceGroupLocation",
                format!("Invalid resource group location '{}'. The Resource group already exists in location '{}'.", normalize_location(location), rg.location),
            ));
        }
    }
    let rg = AzResourceGroup {
        id,
        display_id: existing
            .as_ref()
            .map_or(display_id, |r| r.display_id.clone()),
        name: existing
            .as_ref()
            .map_or(name.to_owned(), |r| r.name.clone()),
        subscription: subscription.to_owned(),
        location: normalize_location(location),
        tags,
    };
    tx.put(rg.clone());
    Ok((rg, existing.is_none()))
}

/// Deletes a resource group and everything in it; returns whether it existed.
pub fn delete_resource_group(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    name: &str,
) -> Result<bool, AzureError> {
    let id = key(&resource_group_id(subscription, name));
    if tx.get::<AzResourceGroup>(&id).is_none() {
        return Ok(false);
    }
    let prefix = format!("{id}/");
    let w = tx.world();
    let inside = |m: &dyn Fn(&World) -> Vec<String>| m(w);
    let vms = inside(&|w| keys_under(&w.az_vms, &prefix));
    let nics = inside(&|w| keys_under(&w.az_nics, &prefix));
    let gws = inside(&|w| keys_under(&w.az_gateways, &prefix));
    let peerings = inside(&|w| keys_under(&w.az_peerings, &prefix));
    let vnets = inside(&|w| keys_under(&w.az_vnets, &prefix));
    let nsgs = inside(&|w| keys_under(&w.az_nsgs, &prefix));
    let rts = inside(&|w| keys_under(&w.az_route_tables, &prefix));
    // A NIC outside the group may sit in one of its subnets: ARM refuses then.
    if let Some(nic) = tx.world().az_nics.values().find(|n| {
        !n.id.starts_with(&prefix)
            && n.ip_configs
                .iter()
                .any(|c| key(&c.subnet_id).starts_with(&prefix))
    }) {
        return Err(AzureError::bad_request(
            "InUseSubnetCannotBeDeleted",
            format!(
                "Subnet is in use by {} and cannot be deleted.",
                nic.display_id
            ),
        ));
    }
    for k in vms {
        tx.remove::<AzVm>(&k);
    }
    for k in nics {
        tx.remove::<AzNic>(&k);
    }
    for k in gws {
        tx.remove::<AzGateway>(&k);
    }
    for k in peerings {
        tx.remove::<AzPeering>(&k);
    }
    for k in vnets {
        tx.remove::<AzVnet>(&k);
    }
    for k in nsgs {
        tx.remove::<AzNsg>(&k);
    }
    for k in rts {
        tx.remove::<AzRouteTable>(&k);
    }
    tx.remove::<AzResourceGroup>(&id);
    Ok(true)
}

fn keys_under<T>(m: &std::collections::BTreeMap<String, T>, prefix: &str) -> Vec<String> {
    m.range(prefix.to_owned()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, _)| k.clone())
        .collect()
}

// ---------------------------------------------------------------- virtual networks

/// A subnet as a request describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetSpec {
    /// Name.
    pub name: String,
    /// `addressPrefix`.
    pub prefix: Option<String>,
    /// `networkSecurityGroup.id`.
    pub nsg: Option<String>,
    /// `routeTable.id`.
    pub route_table: Option<String>,
}

/// A VNet PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutVnet {
    /// `location`.
    pub location: Option<String>,
    /// `addressSpace.addressPrefixes`.
    pub prefixes: Vec<String>,
    /// `subnets` (`None`: keep the current ones on update).
    pub subnets: Option<Vec<SubnetSpec>>,
    /// Tags.
    pub tags: AzTags,
}

/// The VNet a subnet is built in: its name, ARM id and location, and its address space sorted
/// ([`limits::sorted`]) and disjoint.
struct InVnet<'a> {
    name: &'a str,
    id: &'a str,
    location: &'a str,
    prefixes: &'a [Ipv4Net],
}

fn build_subnet(
    world: &World,
    vnet: &InVnet<'_>,
    spec: &SubnetSpec,
) -> Result<AzSubnet, AzureError> {
    check_name(&spec.name)?;
    let (vnet_name, prefixes) = (vnet.name, vnet.prefixes);
    let Some(p) = spec.prefix.as_deref() else {
        return Err(AzureError::bad_request(
            "NetcfgInvalidSubnet",
            format!("Subnet '{}' is not valid in virtual network '{vnet_name}': it has no addressPrefix.", spec.name),
        ));
    };
    let prefix = parse_prefix(p)?;
    if !limits::contained_in_sorted(prefixes, prefix) {
        return Err(AzureError::bad_request(
            "NetcfgSubnetRangeOutsideVnet",
            format!("Subnet '{}' is not valid because its IP address range is outside the IP address range of virtual network '{vnet_name}'.", spec.name),
        ));
    }
    for (what, r) in [
        ("networkSecurityGroups", &spec.nsg),
        ("routeTables", &spec.route_table),
    ] {
        if let Some(id) = r {
            let subnet_id = format!("{}/subnets/{}", vnet.id, spec.name);
            same_subscription(&subnet_id, id)?;
            let location = match what {
                "networkSecurityGroups" => world.az_nsgs.get(&key(id)).map(|n| &n.place.location),
                _ => world
                    .az_route_tables
                    .get(&key(id))
                    .map(|r| &r.place.location),
            };
            match location {
                None => return Err(invalid_reference(id)),
                Some(l) if *l != normalize_location(vnet.location) => {
                    return Err(foreign_reference(&subnet_id, id))
                }
                Some(_) => {}
            }
        }
    }
    Ok(AzSubnet {
        name: spec.name.clone(),
        prefix,
        nsg: spec.nsg.clone(),
        route_table: spec.route_table.clone(),
    })
}

/// The subscription an ARM id names (`/subscriptions/{s}/…`), if it names one.
fn subscription_of(id: &str) -> Option<&str> {
    let mut parts = id.trim_start_matches('/').split('/');
    let first = parts.next()?;
    first
        .eq_ignore_ascii_case("subscriptions")
        .then(|| parts.next())
        .flatten()
        .filter(|s| !s.is_empty())
}

/// ARM's answer to a reference it will not follow: 400 `InvalidResourceReference`, "Resource
/// {referenced} referenced by resource {referrer} was not found. Please make sure that the
/// referenced resource exists, and that both resources are in the same region." (observed for a
/// NIC on another subscription's subnet, Azure/azure-cli#13258).
fn foreign_reference(referrer: &str, referenced: &str) -> AzureError {
    AzureError::bad_request(
        "InvalidResourceReference",
        format!("Resource {referenced} referenced by resource {referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
    )
}

/// Refuses a reference from `referrer` to a resource of another subscription: a NIC and the
/// VNet of its subnet, a subnet or NIC and its NSG, a subnet and its route table, a VM and its
/// NICs, a gateway and its VNet must all be in one subscription (and one region), as Azure's
/// docs require ("the NIC, subnet, and VNet must all exist in the same region and
/// subscription"; route tables: "in the same Azure location and subscription"). Checked before
/// the referenced resource is looked up, so a caller learns nothing of another subscription.
/// VNet peering is the one cross-subscription reference Azure allows (spec §2.7).
fn same_subscription(referrer: &str, referenced: &str) -> Result<(), AzureError> {
    match (subscription_of(referrer), subscription_of(referenced)) {
        (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b) => {
            Err(foreign_reference(referrer, referenced))
        }
        _ => Ok(()),
    }
}

fn invalid_reference(id: &str) -> AzureError {
    AzureError::bad_request(
        "InvalidResourceReference",
        format!("Resource {id} referenced by the request was not found."),
    )
}

/// No two subnets share a name (case-insensitively) or overlap. `O(n log n)`.
fn check_subnets(vnet_name: &str, subnets: &[AzSubnet]) -> Result<(), AzureError> {
    limits::check_count(
        subnets.len(),
        limits::MAX_SUBNETS,
        "SubnetCountLimitReached",
        "virtual network",
        "subnets",
    )?;
    let mut names = HashSet::new();
    for s in subnets {
        if !names.insert(s.name.to_ascii_lowercase()) {
            return Err(AzureError::bad_request(
                "DuplicateResourceName",
                format!(
                    "Virtual network {vnet_name} has two subnets with the same name {}.",
                    s.name
                ),
            ));
        }
    }
    let nets: Vec<Ipv4Net> = subnets.iter().map(|s| s.prefix).collect();
    if let Some((i, j)) = limits::first_overlap_index(&nets) {
        let (a, b) = (&subnets[i.min(j)], &subnets[i.max(j)]);
        return Err(AzureError::bad_request(
            "NetcfgSubnetRangesOverlap",
            format!("Subnet '{}' is not valid because its IP address range overlaps with that of an existing subnet '{}' in virtual network '{vnet_name}'.", b.name, a.name),
        ));
    }
    Ok(())
}

/// The NIC that uses a subnet of `vnet_key` (named `subnet`, or any when `None`), if any.
fn nic_in_subnet<'a>(world: &'a World, vnet_key: &str, subnet: Option<&str>) -> Option<&'a AzNic> {
    world.az_nics.values().find(|n| {
        n.ip_configs.iter().any(|c| {
            ArmId::parse(&c.subnet_id).is_some_and(|s| {
                key(&s.top_level()) == vnet_key
                    && subnet.is_none_or(|name| s.segments[1].1.eq_ignore_ascii_case(name))
            })
        })
    })
}

fn gateway_in_subnet<'a>(
    world: &'a World,
    vnet_key: &str,
    subnet: Option<&str>,
) -> Option<&'a AzGateway> {
    world.az_gateways.values().find(|g| {
        g.vnet == vnet_key
            && subnet.is_none_or(|name| {
                ArmId::parse(&g.subnet_id)
                    .is_some_and(|s| s.segments[1].1.eq_ignore_ascii_case(name))
            })
    })
}

fn subnet_in_use(world: &World, vnet: &AzVnet, name: &str) -> Result<(), AzureError> {
    let user = nic_in_subnet(world, &vnet.id, Some(name))
        .map(|n| n.display_id.clone())
        .or_else(|| gateway_in_subnet(world, &vnet.id, Some(name)).map(|g| g.display_id.clone()));
    match user {
        Some(u) => Err(AzureError::bad_request(
            "InUseSubnetCannotBeDeleted",
            format!("Subnet {name} is in use by {u} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet."),
        )),
        None => Ok(()),
    }
}

/// The VNets peered with `vnet` (through a link of either side that still names it), with the
/// link's name, excluding `except`.
fn peers_of<'a>(world: &'a World, vnet: &AzVnet, except: Option<&str>) -> Vec<&'a AzVnet> {
    let mut keys = BTreeSet::new();
    for l in peering::links_of(world, &vnet.id) {
        if world
            .az_vnets
            .get(&l.remote_vnet)
            .is_some_and(|r| r.guid == l.remote_vnet_guid)
        {
            keys.insert(l.remote_vnet.clone());
        }
    }
    for l in world.az_peerings.values() {
        if l.remote_vnet == vnet.id && l.remote_vnet_guid == vnet.guid {
            keys.insert(l.vnet.clone());
        }
    }
    keys.into_iter()
        .filter(|k| Some(k.as_str()) != except && *k != vnet.id)
        .filter_map(|k| world.az_vnets.get(&k))
        .collect()
}

/// Creates or updates a virtual network.
pub fn put_vnet(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutVnet,
) -> Result<(AzVnet, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = t.network_id("virtualNetworks");
    let id = key(&display_id);
    let existing = tx.get::<AzVnet>(&id).cloned();
    if let Some(v) = &existing {
        check_same_location(&v.place, &v.display_id, &location)?;
    }
    if req.prefixes.is_empty() {
        return Err(AzureError::bad_request(
            "InvalidRequestFormat",
            "Cannot parse the request: virtual network needs addressSpace.addressPrefixes.",
        ));
    }
    limits::check_count(
        req.prefixes.len(),
        limits::MAX_ADDRESS_PREFIXES,
        "AddressPrefixCountLimitReached",
        "virtual network",
        "address prefixes in its address space",
    )?;
    if let Some(specs) = &req.subnets {
        limits::check_count(
            specs.len(),
            limits::MAX_SUBNETS,
            "SubnetCountLimitReached",
            "virtual network",
            "subnets",
        )?;
    }
    let prefixes = req
        .prefixes
        .iter()
        .map(|p| parse_prefix(p))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some((i, j)) = limits::first_overlap_index(&prefixes) {
        let (a, b) = (prefixes[i.min(j)], prefixes[i.max(j)]);
        return Err(AzureError::bad_request(
            "NetcfgInvalidAddressPrefixes",
            format!(
                "Address prefixes {a} and {b} of virtual network {} overlap.",
                t.name
            ),
        ));
    }
    let sorted_prefixes = limits::sorted(&prefixes);
    let subnets = match (&req.subnets, &existing) {
        (Some(specs), _) => {
            let mut out = Vec::new();
            for s in specs {
                let vnet = InVnet {
                    name: &t.name,
                    id: &display_id,
                    location: &location,
                    prefixes: &sorted_prefixes,
                };
                out.push(build_subnet(tx.world(), &vnet, s)?);
            }
            out
        }
        (None, Some(v)) => v.subnets.clone(),
        (None, None) => Vec::new(),
    };
    check_subnets(&t.name, &subnets)?;
    // Subnets kept from before must still lie inside the (possibly shrunk) address space.
    if let Some(s) = subnets
        .iter()
        .find(|s| !limits::contained_in_sorted(&sorted_prefixes, s.prefix))
    {
        return Err(AzureError::bad_request(
            "NetcfgSubnetRangeOutsideVnet",
            format!("Subnet '{}' is not valid because its IP address range is outside the IP address range of virtual network '{}'.", s.name, t.name),
        ));
    }
    if let Some(v) = &existing {
        let by_name: HashMap<String, &AzSubnet> = subnets
            .iter()
            .map(|s| (s.name.to_ascii_lowercase(), s))
            .collect();
        for old in &v.subnets {
            let kept = by_name.get(&old.name.to_ascii_lowercase());
            if kept.is_none() {
                subnet_in_use(tx.world(), v, &old.name)?;
            }
            if let Some(s) = kept {
                if s.prefix != old.prefix {
                    subnet_in_use(tx.world(), v, &old.name).map_err(|_| {
                        AzureError::bad_request(
                            "InUseSubnetCannotBeUpdated",
                            format!(
                                "Subnet {} is in use and its address prefix cannot be changed.",
                                old.name
                            ),
                        )
                    })?;
                }
            }
        }
        // A new address space must not overlap any peer, nor the peers of a peer.
        let added: Vec<Ipv4Net> = prefixes
            .iter()
            .filter(|p| !v.prefixes.contains(p))
            .copied()
            .collect();
        if !added.is_empty() {
            // Each VNet is compared once, however many peers it shares with this one.
            let mut compared = BTreeSet::new();
            for peer in peers_of(tx.world(), v, None) {
                let o = overlapping(&added, &peer.prefixes);
                if !o.is_empty() {
                    return Err(AzureError::bad_request(
                        "VnetAddressSpacesOverlap",
                        format!("Cannot update virtual network {}. Its address space would overlap with peered virtual network {}. Overlapping address prefixes: {}", v.display_id, peer.display_id, fmt_prefixes(&o)),
                    ));
                }
                compared.insert(peer.id.clone());
            }
            for peer in peers_of(tx.world(), v, None) {
                for third in peers_of(tx.world(), peer, Some(&v.id)) {
                    if !compared.insert(third.id.clone()) {
                        continue;
                    }
                    let o = overlapping(&added, &third.prefixes);
                    if !o.is_empty() {
                        return Err(AzureError::bad_request(
                            "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                            format!("Cannot update virtual network {}. Its address space would overlap with address space of virtual network {} already peered with peered virtual network {}. Overlapping address prefixes: {}", v.display_id, third.display_id, peer.display_id, fmt_prefixes(&o)),
                        ));
                    }
                }
            }
        }
    }
    let vnet = AzVnet {
        id: id.clone(),
        display_id: existing
            .as_ref()
            .map_or(display_id, |v| v.display_id.clone()),
        name: existing.as_ref().map_or(t.name.clone(), |v| v.name.clone()),
        place: t.place(&location),
        prefixes,
        subnets,
        guid: match &existing {
            Some(v) => v.guid.clone(),
            None => tx.ctx.ids.uuid(),
        },
        created: existing.as_ref().map_or(tx.now(), |v| v.created),
        tags: req.tags,
    };
    tx.put(vnet.clone());
    Ok((vnet, existing.is_none()))
}

/// Deletes a virtual network and its peering links (links of other VNets pointing at it become
/// Disconnected); returns whether it existed.
pub fn delete_vnet(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("virtualNetworks"));
    let Some(vnet) = tx.get::<AzVnet>(&id).cloned() else {
        return Ok(false);
    };
    for s in &vnet.subnets {
        subnet_in_use(tx.world(), &vnet, &s.name)?;
    }
    let links: Vec<String> = peering::links_of(tx.world(), &id)
        .map(|l| l.id.clone())
        .collect();
    for l in links {
        tx.remove::<AzPeering>(&l);
    }
    tx.remove::<AzVnet>(&id);
    Ok(true)
}

/// Looks a VNet up by target.
pub fn get_vnet<'a>(world: &'a World, t: &Target) -> Result<&'a AzVnet, AzureError> {
    require_group(world, t)?;
    world
        .az_vnets
        .get(&key(&t.network_id("virtualNetworks")))
        .ok_or_else(|| {
            AzureError::not_found(
                "Microsoft.Network/virtualNetworks",
                &t.name,
                &t.resource_group,
            )
        })
}

/// Creates or updates one subnet of the VNet `vnet`; returns the VNet and whether the subnet was
/// created.
pub fn put_subnet(
    tx: &mut Tx<'_, '_>,
    vnet: &Target,
    spec: SubnetSpec,
) -> Result<(AzVnet, bool), AzureError> {
    let mut v = get_vnet(tx.world(), vnet)?.clone();
    let sorted_prefixes = limits::sorted(&v.prefixes);
    let in_vnet = InVnet {
        name: &v.name,
        id: &v.display_id,
        location: &v.place.location,
        prefixes: &sorted_prefixes,
    };
    let sub = build_subnet(tx.world(), &in_vnet, &spec)?;
    if let Some(s) = v.subnet(&spec.name) {
        if s.prefix != sub.prefix {
            subnet_in_use(tx.world(), &v, &s.name).map_err(|_| {
                AzureError::bad_request(
                    "InUseSubnetCannotBeUpdated",
                    format!(
                        "Subnet {} is in use and its address prefix cannot be changed.",
                        s.name
                    ),
                )
            })?;
        }
    }
    let created = match v
        .subnets
        .iter_mut()
        .find(|s| s.name.eq_ignore_ascii_case(&spec.name))
    {
        Some(s) => {
            let name = s.name.clone();
            *s = AzSubnet { name, ..sub };
            false
        }
        None => {
            v.subnets.push(sub);
            true
        }
    };
    check_subnets(&v.name, &v.subnets)?;
    tx.put(v.clone());
    Ok((v, created))
}

/// Deletes a subnet; returns whether it existed.
pub fn delete_subnet(tx: &mut Tx<'_, '_>, vnet: &Target, name: &str) -> Result<bool, AzureError> {
    let mut v = get_vnet(tx.world(), vnet)?.clone();
    if v.subnet(name).is_none() {
        return Ok(false);
    }
    subnet_in_use(tx.world(), &v, name)?;
    v.subnets.retain(|s| !s.name.eq_ignore_ascii_case(name));
    tx.put(v);
    Ok(true)
}

// ---------------------------------------------------------------- peering

/// A peering PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutPeering {
    /// `remoteVirtualNetwork.id`.
    pub remote_vnet_id: Option<String>,
    /// `allowVirtualNetworkAccess` (default true).
    pub allow_vnet_access: bool,
    /// `allowForwardedTraffic`.
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`.
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`.
    pub use_remote_gateways: bool,
    /// `doNotVerifyRemoteGateways`.
    pub do_not_verify_remote_gateways: bool,
    /// `?syncRemoteAddressSpace=true`.
    pub sync_remote_address_space: bool,
}

impl Default for PutPeering {
    fn default() -> Self {
        PutPeering {
            remote_vnet_id: None,
            allow_vnet_access: true,
            allow_forwarded_traffic: false,
            allow_gateway_transit: false,
            use_remote_gateways: false,
            do_not_verify_remote_gateways: false,
            sync_remote_address_space: false,
        }
    }
}

/// The message of a refused cross-cloud peering.
pub const CROSS_CLOUD: &str = "native VNet peering cannot join networks of different clouds; cross-cloud links need encrypted peering through gateways (a transit gateway in each cloud)";

/// Whether `id` names another cloud's network: an AWS VPC id or ARN, or a GCP network path/URL.
pub fn is_other_cloud_network(id: &str) -> Option<&'static str> {
    let t = id.trim();
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("vpc-") || lower.starts_with("arn:aws") {
        return Some("AWS VPC");
    }
    if lower.contains("/global/networks/")
        || lower.starts_with("projects/")
        || lower.contains("googleapis.com/")
    {
        return Some("GCP VPC network");
    }
    None
}

fn peering_err(code: &str, peering_id: &str, rest: String) -> AzureError {
    AzureError::bad_request(
        code,
        format!("Cannot create or update peering {peering_id}. {rest}"),
    )
}

/// Creates or updates the peering link `name` of the VNet `vnet`.
pub fn put_peering(
    tx: &mut Tx<'_, '_>,
    vnet: &Target,
    name: &str,
    req: PutPeering,
) -> Result<(AzPeering, bool), AzureError> {
    check_name(name)?;
    let local = get_vnet(tx.world(), vnet)?.clone();
    let display_id = format!("{}/virtualNetworkPeerings/{name}", local.display_id);
    let id = key(&display_id);
    let existing = tx.get::<AzPeering>(&id).cloned();
    let Some(remote_id) = req.remote_vnet_id.clone().filter(|r| !r.trim().is_empty()) else {
        return Err(AzureError::bad_request(
            "InvalidRequestFormat",
            format!("Cannot parse the request: peering {display_id} needs properties.remoteVirtualNetwork.id."),
        ));
    };
    if let Some(kind) = is_other_cloud_network(&remote_id) {
        return Err(AzureError::bad_request(
            "InvalidRemoteVirtualNetwork",
            format!("Cannot create or update peering {display_id}: remote network '{remote_id}' is an {kind}, not an Azure virtual network; {CROSS_CLOUD}."),
        ));
    }
    let remote_ref = ArmId::parse(&remote_id)
        .filter(|r| r.is(NETWORK, &["virtualNetworks"]))
        .ok_or_else(|| {
            AzureError::bad_request(
                "LinkedInvalidPropertyId",
                format!("Property id '{remote_id}' at path 'properties.remoteVirtualNetwork.id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' and name a Microsoft.Network/virtualNetworks resource."),
            )
        })?;
    let remote_key = key(&remote_ref.top_level());
    if let Some(old) = &existing {
        if old.remote_vnet != remote_key {
            return Err(peering_err(
                "ChangingRemoteVirtualNetworkNotAllowed",
                &display_id,
                format!(
                    "Changing the remote virtual network from {} to {remote_id} is not allowed.",
                    old.remote_vnet_id
                ),
            ));
        }
    }
    if remote_key == local.id {
        return Err(peering_err(
            "CannotPeerVirtualNetworkWithItself",
            &display_id,
            "A virtual network cannot be peered with itself.".into(),
        ));
    }
    let Some(remote) = tx.world().az_vnets.get(&remote_key).cloned() else {
        return Err(AzureError::new(
            404,
            "ResourceNotFound",
            format!("Cannot create or update peering {display_id}: remote virtual network {remote_id} was not found."),
        ));
    };
    if let Some(other) =
        peering::links_of(tx.world(), &local.id).find(|l| l.remote_vnet == remote_key && l.id != id)
    {
        return Err(peering_err(
            "AnotherPeeringAlreadyReferencesRemoteVnet",
            &display_id,
            format!("Peering {} already references remote virtual network {}. Cannot have two peerings referencing the same remote virtual network.", other.display_id, remote.display_id),
        ));
    }
    if existing.is_none() {
        if let Some(max) = tx.ctx.limits.az_peerings_per_vnet {
            if peering::links_of(tx.world(), &local.id).count() >= max {
                return Err(peering_err(
                    "PeeringLimitReachedForVirtualNetwork",
                    &display_id,
                    format!(
                        "Virtual network {} already has {max} peerings, the maximum allowed.",
                        local.display_id
                    ),
                ));
            }
        }
    }
    let o = overlapping(&local.prefixes, &remote.prefixes);
    if !o.is_empty() {
        return Err(peering_err(
            "VnetAddressSpacesOverlap",
            &display_id,
            format!("Virtual networks {} and {} cannot be peered because their address spaces overlap. Overlapping address prefixes: {}", local.display_id, remote.display_id, fmt_prefixes(&o)),
        ));
    }
    for third in peers_of(tx.world(), &remote, Some(&local.id)) {
        let o = overlapping(&local.prefixes, &third.prefixes);
        if !o.is_empty() {
            return Err(peering_err(
                "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                &display_id,
                format!("Virtual networks {} and {} cannot be peered because address space of the first virtual network overlaps with address space of virtual network {} already peered with the second virtual network. Overlapping address prefixes: {}", local.display_id, remote.display_id, third.display_id, fmt_prefixes(&o)),
            ));
        }
    }
    for third in peers_of(tx.world(), &local, Some(&remote.id)) {
        let o = overlapping(&remote.prefixes, &third.prefixes);
        if !o.is_empty() {
            return Err(peering_err(
                "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                &display_id,
                format!("Virtual networks {} and {} cannot be peered because address space of the second virtual network overlaps with address space of virtual network {} already peered with the first virtual network. Overlapping address prefixes: {}", local.display_id, remote.display_id, third.display_id, fmt_prefixes(&o)),
            ));
        }
    }
    let reverse = peering::links_of(tx.world(), &remote_key)
        .find(|r| r.remote_vnet == local.id)
        .cloned();
    let reverse_state = reverse.as_ref().map(|r| peering::state(tx.world(), r));
    // The reverse link is Disconnected unless it is connected to this very link, or is Initiated
    // and still sees this VNet (same guid).
    let reverse_ok = match (&reverse, reverse_state) {
        (None, _) => true,
        (Some(r), Some(PeeringState::Connected)) => existing
            .as_ref()
            .is_some_and(|e| r.connected_with.as_deref() == Some(&e.guid)),
        (Some(_), Some(PeeringState::Initiated)) => true,
        _ => false,
    };
    if !reverse_ok {
        let r = reverse.as_ref().expect("reverse exists when not ok");
        return Err(peering_err(
            "RemotePeeringIsDisconnected",
            &display_id,
            format!("Remote peering {} referencing parent virtual network {} is in Disconnected state. Update or re-create the remote peering to get it back to Initiated state. Peering gets Disconnected when remote vnet or remote peering is deleted and re-created.", r.display_id, local.display_id),
        ));
    }
    if req.use_remote_gateways {
        if !tx.world().az_gateways.values().any(|g| g.vnet == remote.id) {
            return Err(peering_err(
                "RemoteVnetHasNoGateways",
                &display_id,
                format!("Peering {display_id} cannot have UseRemoteGateway flag set to true because remote virtual network {} referenced by the peering does not have any gateways.", remote.display_id),
            ));
        }
        if let Some(g) = tx.world().az_gateways.values().find(|g| g.vnet == local.id) {
            return Err(peering_err(
                "VnetHasGatewayCannotUseRemoteGateways",
                &display_id,
                format!("Peering {display_id} cannot have UseRemoteGateway flag set to true because its virtual network {} has gateway {} of its own.", local.display_id, g.display_id),
            ));
        }
        if let Some(other) =
            peering::links_of(tx.world(), &local.id).find(|l| l.use_remote_gateways && l.id != id)
        {
            return Err(peering_err(
                "AnotherPeeringAlreadyUsesRemoteGateways",
                &display_id,
                format!("Peering {} of virtual network {} already uses remote gateways; only one peering per virtual network may.", other.display_id, local.display_id),
            ));
        }
        if !reverse.as_ref().is_some_and(|r| r.allow_gateway_transit) {
            return Err(peering_err(
                "RemotePeeringDoesNotAllowGatewayTransit",
                &display_id,
                format!("Peering {display_id} cannot have UseRemoteGateway flag set to true because the remote peering from {} back to {} does not exist or does not have AllowGatewayTransit set to true.", remote.display_id, local.display_id),
            ));
        }
    }
    if !req.allow_gateway_transit {
        if let Some(r) = reverse.as_ref().filter(|r| {
            r.use_remote_gateways && existing.as_ref().is_some_and(|e| e.allow_gateway_transit)
        }) {
            return Err(peering_err(
                "GatewayTransitInUseByRemotePeering",
                &display_id,
                format!("AllowGatewayTransit cannot be turned off while remote peering {} uses this virtual network's gateways.", r.display_id),
            ));
        }
    }
    // Connect with an Initiated reverse link; re-arm a Disconnected link on update.
    let guid = existing
        .as_ref()
        .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone());
    let keeps_connection = existing
        .as_ref()
        .is_some_and(|e| peering::state(tx.world(), e) == PeeringState::Connected);
    let connected_with = match (&reverse, reverse_state) {
        (Some(r), Some(PeeringState::Initiated)) => {
            let r_id = r.id.clone();
            let g = guid.clone();
            if let Some(rm) = tx.get_mut::<AzPeering>(&r_id) {
                rm.connected_with = Some(g);
            }
            Some(r.guid.clone())
        }
        (Some(r), Some(PeeringState::Connected)) if keeps_connection => Some(r.guid.clone()),
        _ => None,
    };
    let remote_snapshot = match &existing {
        Some(e) if !req.sync_remote_address_space && e.remote_vnet_guid == remote.guid => {
            e.remote_snapshot.clone()
        }
        _ => remote.prefixes.clone(),
    };
    let link = AzPeering {
        id: id.clone(),
        display_id: existing
            .as_ref()
            .map_or(display_id, |e| e.display_id.clone()),
        name: existing
            .as_ref()
            .map_or(name.to_owned(), |e| e.name.clone()),
        vnet: local.id.clone(),
        remote_vnet_id: existing
            .as_ref()
            .map_or(remote_id, |e| e.remote_vnet_id.clone()),
        remote_vnet: remote_key,
        allow_vnet_access: req.allow_vnet_access,
        allow_forwarded_traffic: req.allow_forwarded_traffic,
        allow_gateway_transit: req.allow_gateway_transit,
        use_remote_gateways: req.use_remote_gateways,
        do_not_verify_remote_gateways: req.do_not_verify_remote_gateways,
        remote_snapshot,
        remote_vnet_guid: remote.guid.clone(),
        guid,
        connected_with,
        created: existing.as_ref().map_or(tx.now(), |e| e.created),
    };
    tx.put(link.clone());
    Ok((link, existing.is_none()))
}

/// Deletes a peering link; the reverse link, if any, becomes Disconnected.
pub fn delete_peering(tx: &mut Tx<'_, '_>, vnet: &Target, name: &str) -> Result<bool, AzureError> {
    let local = get_vnet(tx.world(), vnet)?;
    let id = key(&format!(
        "{}/virtualNetworkPeerings/{name}",
        local.display_id
    ));
    Ok(tx.remove::<AzPeering>(&id).is_some())
}

/// Looks a peering link up.
pub fn get_peering<'a>(
    world: &'a World,
    vnet: &Target,
    name: &str,
) -> Result<&'a AzPeering, AzureError> {
    let local = get_vnet(world, vnet)?;
    let display = format!("{}/virtualNetworkPeerings/{name}", local.display_id);
    world
        .az_peerings
        .get(&key(&display))
        .ok_or_else(|| AzureError::not_found_id(&display))
}

// ---------------------------------------------------------------- NSGs and route tables

/// An NSG PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutNsg {
    /// `location`.
    pub location: Option<String>,
    /// `securityRules`.
    pub rules: Vec<AzSecurityRule>,
    /// Tags.
    pub tags: AzTags,
}

/// Creates or updates a network security group.
pub fn put_nsg(tx: &mut Tx<'_, '_>, t: &Target, req: PutNsg) -> Result<(AzNsg, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = t.network_id("networkSecurityGroups");
    let id = key(&display_id);
    let existing = tx.get::<AzNsg>(&id).cloned();
    if let Some(e) = &existing {
        check_same_location(&e.place, &e.display_id, &location)?;
    }
    check_rules(&req.rules)?;
    let nsg = AzNsg {
        id,
        display_id: existing
            .as_ref()
            .map_or(display_id, |e| e.display_id.clone()),
        name: existing.as_ref().map_or(t.name.clone(), |e| e.name.clone()),
        place: t.place(&location),
        rules: req.rules,
        guid: existing
            .as_ref()
            .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone()),
        tags: req.tags,
    };
    tx.put(nsg.clone());
    Ok((nsg, existing.is_none()))
}

fn check_rule(r: &AzSecurityRule) -> Result<(), AzureError> {
    check_name(&r.name)?;
    let bad = |code: &str, what: String| {
        Err(AzureError::bad_request(
            code,
            format!("Security rule {} has {what}.", r.name),
        ))
    };
    if !(100..=4096).contains(&r.priority) {
        return Err(AzureError::bad_request(
            "SecurityRuleInvalidPriority",
            format!("Security rule {} has invalid Priority {}. Value provided: {} Allowed range 100-4096.", r.name, r.priority, r.priority),
        ));
    }
    const PROTOCOLS: [&str; 6] = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"];
    if !PROTOCOLS
        .iter()
        .any(|p| p.eq_ignore_ascii_case(&r.protocol))
    {
        return bad(
            "SecurityRuleInvalidProtocol",
            format!(
                "invalid protocol '{}'; allowed: Tcp, Udp, Icmp, Esp, Ah, *",
                r.protocol
            ),
        );
    }
    for (what, ports) in [
        ("source", &r.source_ports),
        ("destination", &r.destination_ports),
    ] {
        if ports.is_empty() {
            return bad(
                "SecurityRuleInvalidPortRange",
                format!("no {what} port range"),
            );
        }
        for p in ports {
            if parse_port_range(p).is_none() {
                return bad("SecurityRuleInvalidPortRange", format!("invalid {what} port range '{p}'; use *, a port or a range like 1000-2000 within 0-65535"));
            }
        }
    }
    for (what, prefixes) in [
        ("source", &r.source_prefixes),
        ("destination", &r.destination_prefixes),
    ] {
        limits::check_count(
            prefixes.len(),
            limits::MAX_RULE_PREFIXES,
            "SecurityRuleAddressPrefixCountLimitReached",
            "security rule",
            &format!("{what} addresses and ranges"),
        )?;
        if prefixes.is_empty() {
            return bad(
                "SecurityRuleInvalidAddressPrefix",
                format!("no {what} address prefix"),
            );
        }
        for p in prefixes {
            if !valid_rule_prefix(p) {
                return bad("SecurityRuleInvalidAddressPrefix", format!("invalid {what} address prefix '{p}'; use *, an IPv4 address or CIDR, or a service tag"));
            }
        }
    }
    Ok(())
}

/// A port range of a security rule: `*` (all), `N` or `N-M`, within 0–65535.
pub fn parse_port_range(s: &str) -> Option<(u16, u16)> {
    let s = s.trim();
    if s == "*" {
        return Some((0, 65535));
    }
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}

fn valid_rule_prefix(p: &str) -> bool {
    let p = p.trim();
    p == "*"
        || p.parse::<Ipv4Addr>().is_ok()
        || p.parse::<Ipv4Net>().is_ok()
        || (!p.is_empty()
            && p.as_bytes()[0].is_ascii_alphabetic()
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'))
}

/// Checks every rule, and that no two rules share a direction and a priority (or a name).
fn check_rules(rules: &[AzSecurityRule]) -> Result<(), AzureError> {
    limits::check_count(
        rules.len(),
        limits::MAX_SECURITY_RULES,
        "SecurityRuleCountLimitReached",
        "security group",
        "security rules",
    )?;
    let mut seen = BTreeSet::new();
    let mut names = HashSet::new();
    for r in rules {
        check_rule(r)?;
        if !seen.insert((r.direction, r.priority)) {
            return Err(AzureError::bad_request(
                "SecurityRuleConflict",
                format!("Security rule {} conflicts with another rule: two rules have priority {} and direction {:?}.", r.name, r.priority, r.direction),
            ));
        }
        if !names.insert(r.name.to_ascii_lowercase()) {
            return Err(AzureError::bad_request(
                "DuplicateResourceName",
                format!(
                    "Network security group has two security rules named {}.",
                    r.name
                ),
            ));
        }
    }
    Ok(())
}

/// Creates or updates one security rule of an NSG; returns the NSG and whether the rule was new.
pub fn put_security_rule(
    tx: &mut Tx<'_, '_>,
    nsg: &Target,
    rule: AzSecurityRule,
) -> Result<(AzNsg, bool), AzureError> {
    require_group(tx.world(), nsg)?;
    let id = key(&nsg.network_id("networkSecurityGroups"));
    let Some(mut n) = tx.get::<AzNsg>(&id).cloned() else {
        return Err(AzureError::not_found(
            "Microsoft.Network/networkSecurityGroups",
            &nsg.name,
            &nsg.resource_group,
        ));
    };
    let created = match n
        .rules
        .iter_mut()
        .find(|r| r.name.eq_ignore_ascii_case(&rule.name))
    {
        Some(r) => {
            *r = AzSecurityRule {
                name: r.name.clone(),
                ..rule
            };
            false
        }
        None => {
            n.rules.push(rule);
            true
        }
    };
    check_rules(&n.rules)?;
    tx.put(n.clone());
    Ok((n, created))
}

/// Deletes one security rule; returns whether it existed.
pub fn delete_security_rule(
    tx: &mut Tx<'_, '_>,
    nsg: &Target,
    name: &str,
) -> Result<bool, AzureError> {
    require_group(tx.world(), nsg)?;
    let id = key(&nsg.network_id("networkSecurityGroups"));
    let Some(mut n) = tx.get::<AzNsg>(&id).cloned() else {
        return Err(AzureError::not_found(
            "Microsoft.Network/networkSecurityGroups",
            &nsg.name,
            &nsg.resource_group,
        ));
    };
    let before = n.rules.len();
    n.rules.retain(|r| !r.name.eq_ignore_ascii_case(name));
    if n.rules.len() == before {
        return Ok(false);
    }
    tx.put(n);
    Ok(true)
}

/// A route as a request describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// Name.
    pub name: String,
    /// `addressPrefix`.
    pub prefix: String,
    /// `nextHopType`.
    pub next_hop: AzNextHop,
    /// `nextHopIpAddress`.
    pub next_hop_ip: Option<String>,
}

/// A route table PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutRouteTable {
    /// `location`.
    pub location: Option<String>,
    /// `routes`.
    pub routes: Vec<RouteSpec>,
    /// `disableBgpRoutePropagation`.
    pub disable_bgp_route_propagation: bool,
    /// Tags.
    pub tags: AzTags,
}

fn build_route(spec: &RouteSpec) -> Result<AzRoute, AzureError> {
    check_name(&spec.name)?;
    let prefix = parse_prefix(&spec.prefix)?;
    let ip = match (&spec.next_hop, &spec.next_hop_ip) {
        (AzNextHop::VirtualAppliance, Some(ip)) => Some(ip.parse::<Ipv4Addr>().map_err(|_| {
            AzureError::bad_request(
                "InvalidNextHopIpAddress",
                format!(
                    "Route {} has an invalid next hop IP address {ip}.",
                    spec.name
                ),
            )
        })?),
        (AzNextHop::VirtualAppliance, None) => {
            return Err(AzureError::bad_request(
                "NextHopIpAddressRequired",
                format!(
                    "Route {} has next hop type VirtualAppliance and needs nextHopIpAddress.",
                    spec.name
                ),
            ))
        }
        (_, Some(_)) => {
            return Err(AzureError::bad_request(
                "NextHopIpAddressNotAllowed",
                format!(
                    "Route {} may have nextHopIpAddress only with next hop type VirtualAppliance.",
                    spec.name
                ),
            ))
        }
        (_, None) => None,
    };
    if matches!(
        spec.next_hop,
        AzNextHop::VnetPeering | AzNextHop::VnetGlobalPeering
    ) {
        return Err(AzureError::bad_request(
            "InvalidNextHopType",
            format!(
                "Route {} has a next hop type that only system routes use.",
                spec.name
            ),
        ));
    }
    Ok(AzRoute {
        name: spec.name.clone(),
        prefix,
        next_hop: spec.next_hop,
        next_hop_ip: ip,
    })
}

/// Creates or updates a route table.
pub fn put_route_table(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutRouteTable,
) -> Result<(AzRouteTable, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = t.network_id("routeTables");
    let id = key(&display_id);
    let existing = tx.get::<AzRouteTable>(&id).cloned();
    if let Some(e) = &existing {
        check_same_location(&e.place, &e.display_id, &location)?;
    }
    limits::check_count(
        req.routes.len(),
        limits::MAX_ROUTES,
        "RouteCountLimitReached",
        "route table",
        "routes",
    )?;
    let routes = req
        .routes
        .iter()
        .map(build_route)
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_name: HashMap<String, &AzRoute> = HashMap::new();
    let mut by_prefix: HashMap<Ipv4Net, &AzRoute> = HashMap::new();
    for b in &routes {
        let earlier = by_name
            .insert(b.name.to_ascii_lowercase(), b)
            .or(by_prefix.insert(b.prefix, b));
        if let Some(a) = earlier {
            return Err(AzureError::bad_request(
                "RouteConflict",
                format!(
                    "Routes {} and {} of route table {} have the same name or address prefix.",
                    a.name, b.name, t.name
                ),
            ));
        }
    }
    let rt = AzRouteTable {
        id,
        display_id: existing
            .as_ref()
            .map_or(display_id, |e| e.display_id.clone()),
        name: existing.as_ref().map_or(t.name.clone(), |e| e.name.clone()),
        place: t.place(&location),
        routes,
        disable_bgp_route_propagation: req.disable_bgp_route_propagation,
        tags: req.tags,
    };
    tx.put(rt.clone());
    Ok((rt, existing.is_none()))
}

/// Creates or updates one route of a route table; returns the table and whether it was created.
pub fn put_route(
    tx: &mut Tx<'_, '_>,
    table: &Target,
    spec: RouteSpec,
) -> Result<(AzRouteTable, bool), AzureError> {
    require_group(tx.world(), table)?;
    let id = key(&table.network_id("routeTables"));
    let Some(mut rt) = tx.get::<AzRouteTable>(&id).cloned() else {
        return Err(AzureError::not_found(
            "Microsoft.Network/routeTables",
            &table.name,
            &table.resource_group,
        ));
    };
    let route = build_route(&spec)?;
    let created = match rt
        .routes
        .iter_mut()
        .find(|r| r.name.eq_ignore_ascii_case(&spec.name))
    {
        Some(r) => {
            *r = AzRoute {
                name: r.name.clone(),
                ..route
            };
            false
        }
        None => {
            rt.routes.push(route);
            true
        }
    };
    limits::check_count(
        rt.routes.len(),
        limits::MAX_ROUTES,
        "RouteCountLimitReached",
        "route table",
        "routes",
    )?;
    let mut prefixes = BTreeSet::new();
    if rt.routes.iter().any(|r| !prefixes.insert(r.prefix)) {
        return Err(AzureError::bad_request(
            "RouteConflict",
            format!(
                "Route table {} already has a route for {}.",
                rt.name, spec.prefix
            ),
        ));
    }
    tx.put(rt.clone());
    Ok((rt, created))
}

/// Deletes one route; returns whether it existed.
pub fn delete_route(tx: &mut Tx<'_, '_>, table: &Target, name: &str) -> Result<bool, AzureError> {
    require_group(tx.world(), table)?;
    let id = key(&table.network_id("routeTables"));
    let Some(mut rt) = tx.get::<AzRouteTable>(&id).cloned() else {
        return Err(AzureError::not_found(
            "Microsoft.Network/routeTables",
            &table.name,
            &table.resource_group,
        ));
    };
    let before = rt.routes.len();
    rt.routes.retain(|r| !r.name.eq_ignore_ascii_case(name));
    if rt.routes.len() == before {
        return Ok(false);
    }
    tx.put(rt);
    Ok(true)
}

fn referencing_subnet(world: &World, id: &str, nsg: bool) -> Option<String> {
    for v in world.az_vnets.values() {
        for s in &v.subnets {
            let r = if nsg { &s.nsg } else { &s.route_table };
            if r.as_deref().is_some_and(|r| key(r) == id) {
                return Some(format!("{}/subnets/{}", v.display_id, s.name));
            }
        }
    }
    None
}

/// Deletes an NSG; refused while a subnet or NIC uses it.
pub fn delete_nsg(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("networkSecurityGroups"));
    if tx.get::<AzNsg>(&id).is_none() {
        return Ok(false);
    }
    let user = referencing_subnet(tx.world(), &id, true).or_else(|| {
        tx.world()
            .az_nics
            .values()
            .find(|n| n.nsg.as_deref().is_some_and(|r| key(r) == id))
            .map(|n| n.display_id.clone())
    });
    if let Some(u) = user {
        return Err(AzureError::bad_request(
            "InUseNetworkSecurityGroupCannotBeDeleted",
            format!("Network security group {} cannot be deleted because it is in use by the following resources: {u}.", t.network_id("networkSecurityGroups")),
        ));
    }
    tx.remove::<AzNsg>(&id);
    Ok(true)
}

/// Deletes a route table; refused while a subnet uses it.
pub fn delete_route_table(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("routeTables"));
    if tx.get::<AzRouteTable>(&id).is_none() {
        return Ok(false);
    }
    if let Some(u) = referencing_subnet(tx.world(), &id, false) {
        return Err(AzureError::bad_request(
            "InUseRouteTableCannotBeDeleted",
            format!(
                "Route table {} is in use by subnet {u} and cannot be deleted.",
                t.network_id("routeTables")
            ),
        ));
    }
    tx.remove::<AzRouteTable>(&id);
    Ok(true)
}

// ---------------------------------------------------------------- NICs and VMs

/// An IP configuration as a request describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpConfigSpec {
    /// Name.
    pub name: String,
    /// `subnet.id`.
    pub subnet_id: Option<String>,
    /// `privateIPAddress`.
    pub private_ip: Option<String>,
    /// `privateIPAllocationMethod` is `Static`.
    pub is_static: bool,
    /// `primary`.
    pub primary: Option<bool>,
}

/// A NIC PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutNic {
    /// `location`.
    pub location: Option<String>,
    /// `ipConfigurations`.
    pub ip_configs: Vec<IpConfigSpec>,
    /// `networkSecurityGroup.id`.
    pub nsg: Option<String>,
    /// `enableIPForwarding`.
    pub ip_forwarding: bool,
    /// Tags.
    pub tags: AzTags,
}

fn used_ips(world: &World, subnet_key: &str, except_nic: &str) -> BTreeSet<Ipv4Addr> {
    world
        .az_nics
        .values()
        .filter(|n| n.id != except_nic)
        .flat_map(|n| n.ip_configs.iter())
        .filter(|c| key(&c.subnet_id) == subnet_key)
        .map(|c| c.private_ip)
        .collect()
}

/// Creates or updates a NIC; a dynamic address is the subnet's first free one (Azure reserves the
/// first four addresses and the last).
pub fn put_nic(tx: &mut Tx<'_, '_>, t: &Target, req: PutNic) -> Result<(AzNic, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = t.network_id("networkInterfaces");
    let id = key(&display_id);
    let existing = tx.get::<AzNic>(&id).cloned();
    if let Some(e) = &existing {
        check_same_location(&e.place, &e.display_id, &location)?;
    }
    limits::check_count(
        req.ip_configs.len(),
        limits::MAX_IP_CONFIGS,
        "IpConfigurationCountLimitReached",
        "network interface",
        "IP configurations",
    )?;
    if req.ip_configs.is_empty() {
        return Err(AzureError::bad_request(
            "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
            format!("Network interface {display_id} must have at least one IP configuration."),
        ));
    }
    if let Some(n) = &req.nsg {
        same_subscription(&display_id, n)?;
        match tx.world().az_nsgs.get(&key(n)) {
            None => return Err(invalid_reference(n)),
            Some(g) if g.place.location != normalize_location(&location) => {
                return Err(foreign_reference(&display_id, n))
            }
            Some(_) => {}
        }
    }
    let mut configs: Vec<AzIpConfig> = Vec::new();
    let mut vnet_of_nic: Option<String> = None;
    for (i, c) in req.ip_configs.iter().enumerate() {
        check_name(&c.name)?;
        let Some(subnet_id) = c.subnet_id.clone() else {
            return Err(AzureError::bad_request(
                "SubnetRequired",
                format!(
                    "IP configuration {} of {display_id} needs subnet.id.",
                    c.name
                ),
            ));
        };
        same_subscription(&display_id, &subnet_id)?;
        let sref = ArmId::parse(&subnet_id)
            .filter(|s| s.is(NETWORK, &["virtualNetworks", "subnets"]))
            .ok_or_else(|| invalid_reference(&subnet_id))?;
        let vkey = key(&sref.top_level());
        let vnet = tx
            .world()
            .az_vnets
            .get(&vkey)
            .ok_or_else(|| invalid_reference(&subnet_id))?;
        let subnet = vnet
            .subnet(&sref.segments[1].1)
            .ok_or_else(|| invalid_reference(&subnet_id))?;
        if vnet.place.location != normalize_location(&location) {
            return Err(AzureError::bad_request(
                "InvalidResourceReference",
                format!("Subnet {subnet_id} is in location {}, but network interface {display_id} is in {}.", vnet.place.location, normalize_location(&location)),
            ));
        }
        if vnet_of_nic.as_ref().is_some_and(|v| *v != vkey) {
            return Err(AzureError::bad_request(
                "IpConfigurationsOfNicInDifferentVnets",
                format!("IP configurations of {display_id} must all be in one virtual network."),
            ));
        }
        vnet_of_nic = Some(vkey);
        let skey = key(&subnet_id);
        let mut used = used_ips(tx.world(), &skey, &id);
        used.extend(
            configs
                .iter()
                .filter(|x| key(&x.subnet_id) == skey)
                .map(|x| x.private_ip),
        );
        let net = subnet.prefix;
        let hosts = crate::cidr::host_range(net, 4, 1);
        let kept = existing
            .as_ref()
            .and_then(|e| {
                e.ip_configs
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(&c.name) && key(&x.subnet_id) == skey)
            })
            .map(|x| x.private_ip);
        // A static configuration takes the address asked for; a dynamic one keeps the address it
        // has (clients send it back on update) or gets the first free one.
        let ip = match (&c.private_ip, c.is_static) {
            (Some(s), true) => {
                let ip: Ipv4Addr = s.parse().map_err(|_| {
                    AzureError::bad_request(
                        "InvalidPrivateIPAddressFormat",
                        format!("Private IP address {s} is not a valid IPv4 address."),
                    )
                })?;
                if !hosts.contains(&ip) {
                    return Err(AzureError::bad_request(
                        "PrivateIPAddressNotInSubnet",
                        format!("IP configuration {} of {display_id} requests private IP address {ip}, which is not an available address of subnet {subnet_id} ({net}; the first four and the last are reserved).", c.name),
                    ));
                }
                if used.contains(&ip) {
                    return Err(AzureError::bad_request(
                        "PrivateIPAddressInUse",
                        format!("IP configuration {} of {display_id} is using the private IP address {ip} which is already allocated to another resource.", c.name),
                    ));
                }
                ip
            }
            _ => match kept {
                Some(ip) => ip,
                None => {
                    let Some(ip) = crate::cidr::first_free(hosts, |a| used.contains(&a)) else {
                        return Err(AzureError::bad_request(
                            "SubnetIsFull",
                            format!("Subnet {subnet_id} has no free address left."),
                        ));
                    };
                    ip
                }
            },
        };
        configs.push(AzIpConfig {
            name: c.name.clone(),
            subnet_id,
            private_ip: ip,
            dynamic: !c.is_static,
            primary: c.primary.unwrap_or(i == 0),
        });
    }
    let nic = AzNic {
        id,
        display_id: existing
            .as_ref()
            .map_or(display_id, |e| e.display_id.clone()),
        name: existing.as_ref().map_or(t.name.clone(), |e| e.name.clone()),
        place: t.place(&location),
        ip_configs: configs,
        nsg: req.nsg,
        ip_forwarding: req.ip_forwarding,
        vm: existing.as_ref().and_then(|e| e.vm.clone()),
        guid: existing
            .as_ref()
            .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone()),
        tags: req.tags,
    };
    tx.put(nic.clone());
    Ok((nic, existing.is_none()))
}

/// Deletes a NIC; refused while a VM uses it.
pub fn delete_nic(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("networkInterfaces"));
    let Some(nic) = tx.get::<AzNic>(&id) else {
        return Ok(false);
    };
    if let Some(vm) = &nic.vm {
        return Err(AzureError::bad_request(
            "NicInUse",
            format!("Network Interface {} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource.", nic.display_id),
        ));
    }
    tx.remove::<AzNic>(&id);
    Ok(true)
}

/// A VM PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutVm {
    /// `location`.
    pub location: Option<String>,
    /// `networkProfile.networkInterfaces[].id`.
    pub nics: Vec<String>,
    /// `hardwareProfile.vmSize`.
    pub size: Option<String>,
    /// Tags.
    pub tags: AzTags,
}

/// The ARM id of a VM.
pub fn vm_id(t: &Target) -> String {
    resource_id(
        &t.subscription,
        &t.resource_group,
        COMPUTE,
        "virtualMachines",
        &t.name,
    )
}

/// Creates or updates a VM and attaches its NICs.
pub fn put_vm(tx: &mut Tx<'_, '_>, t: &Target, req: PutVm) -> Result<(AzVm, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = vm_id(t);
    let id = key(&display_id);
    let existing = tx.get::<AzVm>(&id).cloned();
    if let Some(e) = &existing {
        check_same_location(&e.place, &e.display_id, &location)?;
    }
    limits::check_count(
        req.nics.len(),
        limits::MAX_VM_NICS,
        "NetworkInterfaceCountLimitReached",
        "virtual machine",
        "network interfaces",
    )?;
    if req.nics.is_empty() {
        return Err(AzureError::bad_request(
            "InvalidParameter",
            "At least one network interface is required in networkProfile.networkInterfaces.",
        ));
    }
    for n in &req.nics {
        same_subscription(&display_id, n)?;
        let nic = tx.world().az_nics.get(&key(n)).ok_or_else(|| {
            AzureError::bad_request("NotFound", format!("Resource {n} not found."))
        })?;
        if nic.vm.as_deref().is_some_and(|v| key(v) != id) {
            return Err(AzureError::bad_request(
                "NicInUse",
                format!("Network interface {n} is in use by another virtual machine."),
            ));
        }
        if nic.place.location != normalize_location(&location) {
            return Err(AzureError::bad_request(
                "NicInDifferentLocation",
                format!(
                    "Network interface {n} is in location {}, not {}.",
                    nic.place.location,
                    normalize_location(&location)
                ),
            ));
        }
    }
    let vm = AzVm {
        id: id.clone(),
        display_id: existing
            .as_ref()
            .map_or(display_id, |e| e.display_id.clone()),
        name: existing.as_ref().map_or(t.name.clone(), |e| e.name.clone()),
        place: t.place(&location),
        nics: req.nics.clone(),
        size: req.size.unwrap_or_else(|| "Standard_B1s".into()),
        guid: existing
            .as_ref()
            .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone()),
        tags: req.tags,
    };
    let created = existing.is_none();
    let old: Vec<String> = existing.map(|e| e.nics).unwrap_or_default();
    for n in old
        .iter()
        .filter(|o| !req.nics.iter().any(|n| key(n) == key(o)))
    {
        if let Some(nic) = tx.get_mut::<AzNic>(&key(n)) {
            nic.vm = None;
        }
    }
    for n in &req.nics {
        if let Some(nic) = tx.get_mut::<AzNic>(&key(n)) {
            nic.vm = Some(vm.display_id.clone());
        }
    }
    tx.put(vm.clone());
    Ok((vm, created))
}

/// Deletes a VM (its NICs stay, detached).
pub fn delete_vm(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&vm_id(t));
    let Some(vm) = tx.remove::<AzVm>(&id) else {
        return Ok(false);
    };
    for n in vm.nics {
        if let Some(nic) = tx.get_mut::<AzNic>(&key(&n)) {
            nic.vm = None;
        }
    }
    Ok(true)
}

// ---------------------------------------------------------------- gateways

/// A virtual network gateway PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutGateway {
    /// `location`.
    pub location: Option<String>,
    /// `ipConfigurations[0].subnet.id` (the VNet's `GatewaySubnet`).
    pub subnet_id: Option<String>,
    /// `gatewayType`.
    pub gateway_type: AzGatewayType,
    /// `vpnType`.
    pub vpn_type: Option<String>,
    /// `sku.name`.
    pub sku: Option<String>,
    /// Tags.
    pub tags: AzTags,
}

/// Creates or updates a virtual network gateway (in its VNet's `GatewaySubnet`).
pub fn put_gateway(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutGateway,
) -> Result<(AzGateway, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = t.network_id("virtualNetworkGateways");
    let id = key(&display_id);
    let existing = tx.get::<AzGateway>(&id).cloned();
    let Some(subnet_id) = req.subnet_id.clone() else {
        return Err(AzureError::bad_request(
            "GatewaySubnetRequired",
            format!("Virtual network gateway {display_id} needs ipConfigurations[0].properties.subnet.id naming a GatewaySubnet."),
        ));
    };
    same_subscription(&display_id, &subnet_id)?;
    let sref = ArmId::parse(&subnet_id)
        .filter(|s| s.is(NETWORK, &["virtualNetworks", "subnets"]))
        .ok_or_else(|| invalid_reference(&subnet_id))?;
    if !sref.segments[1].1.eq_ignore_ascii_case("GatewaySubnet") {
        return Err(AzureError::bad_request(
            "InvalidGatewaySubnet",
            format!("Subnet {subnet_id} cannot hold a virtual network gateway: gateways go in the subnet named GatewaySubnet."),
        ));
    }
    let vkey = key(&sref.top_level());
    let vnet = tx
        .world()
        .az_vnets
        .get(&vkey)
        .ok_or_else(|| invalid_reference(&subnet_id))?;
    if vnet.subnet("GatewaySubnet").is_none() {
        return Err(invalid_reference(&subnet_id));
    }
    if vnet.place.location != normalize_location(&location) {
        return Err(AzureError::bad_request(
            "InvalidResourceReference",
            format!(
                "Virtual network {} is in location {}, not {}.",
                vnet.display_id,
                vnet.place.location,
                normalize_location(&location)
            ),
        ));
    }
    if let Some(e) = &existing {
        if e.vnet != vkey {
            return Err(AzureError::bad_request(
                "ChangingGatewayVirtualNetworkNotAllowed",
                format!(
                    "Virtual network gateway {display_id} cannot move to another virtual network."
                ),
            ));
        }
    }
    if let Some(other) = tx
        .world()
        .az_gateways
        .values()
        .find(|g| g.vnet == vkey && g.id != id && g.gateway_type == req.gateway_type)
    {
        return Err(AzureError::bad_request(
            "VnetAlreadyHasGatewayOfThisType",
            format!(
                "Virtual network {} already has gateway {} of this type.",
                vnet.display_id, other.display_id
            ),
        ));
    }
    if let Some(l) = peering::links_of(tx.world(), &vkey).find(|l| l.use_remote_gateways) {
        return Err(AzureError::bad_request(
            "VnetUsesRemoteGatewaysCannotHaveGateway",
            format!("Virtual network {} uses remote gateways through peering {} and cannot have a gateway of its own.", vnet.display_id, l.display_id),
        ));
    }
    let gw = AzGateway {
        id,
        display_id: existing
            .as_ref()
            .map_or(display_id, |e| e.display_id.clone()),
        name: existing.as_ref().map_or(t.name.clone(), |e| e.name.clone()),
        place: t.place(&location),
        vnet: vkey,
        subnet_id,
        gateway_type: req.gateway_type,
        vpn_type: req.vpn_type.unwrap_or_else(|| "RouteBased".into()),
        sku: req.sku.unwrap_or_else(|| "VpnGw1".into()),
        guid: existing
            .as_ref()
            .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone()),
        tags: req.tags,
    };
    tx.put(gw.clone());
    Ok((gw, existing.is_none()))
}

/// Deletes a gateway; refused while a peer uses it through gateway transit.
pub fn delete_gateway(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("virtualNetworkGateways"));
    let Some(gw) = tx.get::<AzGateway>(&id).cloned() else {
        return Ok(false);
    };
    if let Some(l) = tx.world().az_peerings.values().find(|l| {
        l.remote_vnet == gw.vnet
            && l.use_remote_gateways
            && peering::state(tx.world(), l) == PeeringState::Connected
    }) {
        return Err(AzureError::bad_request(
            "GatewayInUseByPeering",
            format!("Virtual network gateway {} is used by peering {} (useRemoteGateways) and cannot be deleted.", gw.display_id, l.display_id),
        ));
    }
    tx.remove::<AzGateway>(&id);
    Ok(true)
}

// ---------------------------------------------------------------- operations

/// How long a finished operation stays readable: a client polls its URLs right after the request,
/// so a day is ample. \[UNVERIFIED\] Azure's own retention of operation status is not documented
/// here; this is a choice that keeps the table bounded.
pub const OPERATION_RETENTION_MS: i64 = 24 * crate::Timestamp::HOUR;

/// Records a finished long-running operation and returns it, and forgets the operations older
/// than [`OPERATION_RETENTION_MS`]. Operation ids start with the start time in hex, so they sort
/// by age and the expired ones are a prefix of the table.
pub fn record_operation(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    location: &str,
    result: AzOperationResult,
) -> AzOperation {
    let now = tx.now();
    let cutoff = format!(
        "{:012x}",
        now.millis().saturating_sub(OPERATION_RETENTION_MS).max(0)
    );
    let expired: Vec<String> = tx
        .world()
        .az_operations
        .range(..cutoff)
        .map(|(k, _)| k.clone())
        .collect();
    for k in expired {
        tx.remove::<AzOperation>(&k);
    }
    let op = AzOperation {
        id: format!("{:012x}-{}", now.millis().max(0), tx.ctx.ids.uuid()),
        subscription: subscription.to_owned(),
        location: normalize_location(location),
        started: now,
        result,
    };
    tx.put(op.clone());
    op
}

/// Looks an operation up for `subscription` (another subscription's operations are not found).
pub fn get_operation<'a>(
    world: &'a World,
    subscription: &str,
    id: &str,
) -> Result<&'a AzOperation, AzureError> {
    world
        .az_operations
        .get(&id.to_ascii_lowercase())
        .filter(|o| o.subscription.eq_ignore_ascii_case(subscription))
        .ok_or_else(|| {
            AzureError::new(
                404,
                "OperationNotFound",
                format!("Operation {id} was not found."),
            )
        })
}

/// Computes a NIC's effective routes and records them as a finished operation.
pub fn effective_route_table(tx: &mut Tx<'_, '_>, t: &Target) -> Result<AzOperation, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("networkInterfaces"));
    let Some(nic) = tx.get::<AzNic>(&id) else {
        return Err(AzureError::not_found(
            "Microsoft.Network/networkInterfaces",
            &t.name,
            &t.resource_group,
        ));
    };
    let routes = super::routes::effective_routes(tx.world(), nic);
    let location = nic.place.location.clone();
    Ok(record_operation(
        tx,
        &t.subscription,
        &location,
        AzOperationResult::EffectiveRoutes(routes),
    ))
}

// ---------------------------------------------------------------- tags

/// A top-level resource kind that carries tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tagged {
    /// A resource group.
    ResourceGroup,
    /// A virtual network.
    Vnet,
    /// A network security group.
    Nsg,
    /// A route table.
    RouteTable,
    /// A network interface.
    Nic,
    /// A virtual network gateway.
    Gateway,
    /// A virtual machine.
    Vm,
}

/// A record whose ARM tags `update_tags` replaces.
trait Taggable: crate::Entity {
    fn tags_mut(&mut self) -> &mut AzTags;
}

macro_rules! taggable {
    ($($ty:ty),*) => {
        $(impl Taggable for $ty {
            fn tags_mut(&mut self) -> &mut AzTags {
                &mut self.tags
            }
        })*
    };
}

taggable!(
    AzResourceGroup,
    AzVnet,
    AzNsg,
    AzRouteTable,
    AzNic,
    AzGateway,
    AzVm
);

fn retag<R: Taggable>(
    tx: &mut Tx<'_, '_>,
    id: &str,
    missing: AzureError,
    tags: AzTags,
) -> Result<(), AzureError> {
    match tx.get_mut::<R>(id) {
        Some(r) => {
            *r.tags_mut() = tags;
            Ok(())
        }
        None => Err(missing),
    }
}

/// Replaces the tags of a resource (`PATCH {"tags": …}`, as `update_tags` sends).
pub fn update_tags(
    tx: &mut Tx<'_, '_>,
    kind: Tagged,
    t: &Target,
    tags: AzTags,
) -> Result<(), AzureError> {
    if kind == Tagged::ResourceGroup {
        let id = key(&resource_group_id(&t.subscription, &t.resource_group));
        let missing = AzureError::resource_group_not_found(&t.resource_group);
        return retag::<AzResourceGroup>(tx, &id, missing, tags);
    }
    require_group(tx.world(), t)?;
    let network = |kind: &str| (t.network_id(kind), format!("Microsoft.Network/{kind}"));
    let (id, arm_type) = match kind {
        Tagged::ResourceGroup => unreachable!("handled above"),
        Tagged::Vnet => network("virtualNetworks"),
        Tagged::Nsg => network("networkSecurityGroups"),
        Tagged::RouteTable => network("routeTables"),
        Tagged::Nic => network("networkInterfaces"),
        Tagged::Gateway => network("virtualNetworkGateways"),
        Tagged::Vm => (vm_id(t), "Microsoft.Compute/virtualMachines".to_owned()),
    };
    let id = key(&id);
    let missing = AzureError::not_found(&arm_type, &t.name, &t.resource_group);
    match kind {
        Tagged::ResourceGroup => unreachable!("handled above"),
        Tagged::Vnet => retag::<AzVnet>(tx, &id, missing, tags),
        Tagged::Nsg => retag::<AzNsg>(tx, &id, missing, tags),
        Tagged::RouteTable => retag::<AzRouteTable>(tx, &id, missing, tags),
        Tagged::Nic => retag::<AzNic>(tx, &id, missing, tags),
        Tagged::Gateway => retag::<AzGateway>(tx, &id, missing, tags),
        Tagged::Vm => retag::<AzVm>(tx, &id, missing, tags),
    }
}

/// Computes a NIC's effective network security groups and records them as a finished operation.
pub fn effective_nsgs(tx: &mut Tx<'_, '_>, t: &Target) -> Result<AzOperation, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&t.network_id("networkInterfaces"));
    let Some(nic) = tx.get::<AzNic>(&id) else {
        return Err(AzureError::not_found(
            "Microsoft.Network/networkInterfaces",
            &t.name,
            &t.resource_group,
        ));
    };
    let nsgs = super::security::effective_nsgs(tx.world(), nic);
    let location = nic.place.location.clone();
    Ok(record_operation(
        tx,
        &t.subscription,
        &location,
        AzOperationResult::EffectiveNsgs(nsgs),
    ))
}
