//! Effective security rules of a NIC, as `effectiveNetworkSecurityGroups` reports them: the NSG
//! of its subnet and its own NSG, each with its rules (user rules, then Azure's defaults) and the
//! service tags expanded to prefixes. `VirtualNetwork` is the VNet's address space plus the
//! address spaces of Connected peerings that allow virtual network access (as peered, i.e. the
//! synced copies) plus the prefixes of the UDRs on its subnets ([`virtual_network_tag`]); `AzureLoadBalancer` is 168.63.129.16/32; `*` is 0.0.0.0/0. Other tags
//! (`Internet`, regional service tags) are not expanded: their expansion is empty.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::input::{AzAddressSpec, AzServiceTag, RuleAddress};
use super::peering::{self, PeeringState};
use super::{default_security_rules, key, ArmId, AzNic, AzNsg, AzSecurityRule, AzVnet};
use crate::World;

/// One effective rule: the rule, where it came from, and its prefixes expanded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzEffectiveRule {
    /// `securityRules/{name}` or `defaultSecurityRules/{name}`.
    pub name: String,
    /// The rule as written.
    pub rule: AzSecurityRule,
    /// Its source prefixes, tags expanded.
    pub expanded_source: Vec<Ipv4Net>,
    /// Its destination prefixes, tags expanded.
    pub expanded_destination: Vec<Ipv4Net>,
}

/// One NSG applied to a NIC, through its subnet or directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzEffectiveNsg {
    /// The NSG's ARM id (as given on the association).
    pub nsg_id: String,
    /// The subnet's ARM id when applied through the subnet.
    pub subnet_id: Option<String>,
    /// The NIC's ARM id when applied to the NIC itself.
    pub nic_id: Option<String>,
    /// Its rules in priority order per direction: user rules, then the defaults.
    pub rules: Vec<AzEffectiveRule>,
    /// Each service tag used, with its expansion.
    pub tag_map: BTreeMap<String, Vec<Ipv4Net>>,
}

/// The prefixes of the `VirtualNetwork` tag seen from `vnet`: its address space, the spaces
/// of its `Connected` peerings that allow virtual network access, and the prefixes of the
/// user-defined routes in the route tables associated with its subnets (Azure documents the tag
/// as covering "address prefixes used on user-defined routes"; that is what lets traffic an
/// appliance forwards from another network pass the default `AllowVnetInBound` /
/// `AllowVnetOutBound`). \[choice, unverified\] every UDR prefix counts whatever its next hop,
/// except a default route (`/0`): the tag does not become the whole address space. The
/// engine's NSG evaluation (`vpcpeer-reach`) reads the tag through this function too.
pub fn virtual_network_tag(world: &World, vnet: &AzVnet) -> Vec<Ipv4Net> {
    let mut out = vnet.prefixes.clone();
    for l in peering::links_of(world, &vnet.id) {
        if l.allow_vnet_access && peering::state(world, l) == PeeringState::Connected {
            out.extend(l.remote_snapshot.iter().copied());
        }
    }
    let tables = vnet
        .subnets
        .iter()
        .filter_map(|s| s.route_table.as_deref())
        .filter_map(|id| world.azure.route_tables.get(&key(id)));
    for table in tables {
        for r in &table.routes {
            if r.prefix.prefix_len() > 0 && !out.contains(&r.prefix) {
                out.push(r.prefix);
            }
        }
    }
    out
}

/// The prefixes `spec` stands for, and the service tag it names when the effective rules list
/// that tag's expansion.
fn expand(
    spec: Option<&AzAddressSpec>,
    vnet_tag: &[Ipv4Net],
) -> (Vec<Ipv4Net>, Option<&'static str>) {
    match spec {
        Some(AzAddressSpec::Any) => (vec![Ipv4Net::default()], None),
        Some(AzAddressSpec::Prefix(n)) => (vec![*n], None),
        Some(AzAddressSpec::ServiceTag(AzServiceTag::VirtualNetwork)) => {
            (vnet_tag.to_vec(), Some("VirtualNetwork"))
        }
        Some(AzAddressSpec::ServiceTag(AzServiceTag::AzureLoadBalancer)) => {
            let lb = Ipv4Net::new(Ipv4Addr::new(168, 63, 129, 16), 32).expect("a /32");
            (vec![lb], Some("AzureLoadBalancer"))
        }
        Some(AzAddressSpec::ServiceTag(_)) | None => (Vec::new(), None),
    }
}

fn effective(
    nsg: &AzNsg,
    vnet_tag: &[Ipv4Net],
) -> (Vec<AzEffectiveRule>, BTreeMap<String, Vec<Ipv4Net>>) {
    let mut tags = BTreeMap::new();
    let mut rules = Vec::new();
    let mut user = nsg.rules.clone();
    user.sort_by_key(|r| (r.direction, r.priority));
    for (kind, list) in [
        ("securityRules", user),
        ("defaultSecurityRules", default_security_rules()),
    ] {
        for r in list {
            let mut side = |prefixes: &[RuleAddress]| {
                let mut out = Vec::new();
                for p in prefixes {
                    let (nets, tag) = expand(p.value(), vnet_tag);
                    if let Some(t) = tag {
                        tags.insert(t.to_owned(), nets.clone());
                    }
                    out.extend(nets);
                }
                out
            };
            let expanded_source = side(&r.source_prefixes);
            let expanded_destination = side(&r.destination_prefixes);
            rules.push(AzEffectiveRule {
                name: format!("{kind}/{}", r.name),
                rule: r,
                expanded_source,
                expanded_destination,
            });
        }
    }
    (rules, tags)
}

/// The NSGs in force on `nic` (its primary configuration's subnet's NSG, then its own).
pub fn effective_nsgs(world: &World, nic: &AzNic) -> Vec<AzEffectiveNsg> {
    let cfg = nic
        .ip_configs
        .iter()
        .find(|c| c.primary)
        .or(nic.ip_configs.first());
    let subnet_ref = cfg.and_then(|c| ArmId::parse(&c.subnet_id));
    let vnet = subnet_ref
        .as_ref()
        .and_then(|s| world.azure.vnets.get(&key(&s.top_level())));
    let vnet_tag = vnet
        .map(|v| virtual_network_tag(world, v))
        .unwrap_or_default();
    let mut out = Vec::new();
    if let (Some(v), Some(s), Some(c)) = (vnet, subnet_ref.as_ref(), cfg) {
        if let Some(nsg_id) = v.subnet(&s.segments[1].1).and_then(|sn| sn.nsg.clone()) {
            if let Some(nsg) = world.azure.nsgs.get(&key(&nsg_id)) {
                let (rules, tag_map) = effective(nsg, &vnet_tag);
                out.push(AzEffectiveNsg {
                    nsg_id,
                    subnet_id: Some(c.subnet_id.clone()),
                    nic_id: None,
                    rules,
                    tag_map,
                });
            }
        }
    }
    if let Some(nsg_id) = &nic.nsg {
        if let Some(nsg) = world.azure.nsgs.get(&key(nsg_id)) {
            let (rules, tag_map) = effective(nsg, &vnet_tag);
            out.push(AzEffectiveNsg {
                nsg_id: nsg_id.clone(),
                subnet_id: None,
                nic_id: Some(nic.display_id.clone()),
                rules,
                tag_map,
            });
        }
    }
    out
}
