//! Effective routes of a NIC, as `effectiveRouteTable` reports them: the system routes of its
//! VNet (local prefixes, connected peers, the internet, the reserved ranges that drop), then the
//! user-defined routes of its subnet's route table, which make a system route of the same prefix
//! `Invalid`.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::peering::{self, PeeringState};
use super::{key, ArmId, AzEffectiveRoute, AzNextHop, AzNic, AzRouteSource};
use crate::World;

/// Azure's system routes that drop traffic to address ranges not in the VNet's address space.
const DROPPED: [(Ipv4Addr, u8); 4] = [
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
    (Ipv4Addr::new(100, 64, 0, 0), 10),
];

fn system(prefixes: Vec<Ipv4Net>, next_hop: AzNextHop) -> AzEffectiveRoute {
    AzEffectiveRoute {
        name: None,
        source: AzRouteSource::Default,
        active: true,
        prefixes,
        next_hop_ips: Vec::new(),
        next_hop,
    }
}

/// The effective routes of `nic` (of its primary IP configuration's subnet).
pub fn effective_routes(world: &World, nic: &AzNic) -> Vec<AzEffectiveRoute> {
    let Some(cfg) = nic
        .ip_configs
        .iter()
        .find(|c| c.primary)
        .or(nic.ip_configs.first())
    else {
        return Vec::new();
    };
    let Some(subnet_ref) = ArmId::parse(&cfg.subnet_id) else {
        return Vec::new();
    };
    let Some(vnet) = world.azure.vnets.get(&key(&subnet_ref.top_level())) else {
        return Vec::new();
    };
    let subnet = vnet.subnet(&subnet_ref.segments[1].1);
    let mut out = vec![system(vnet.prefixes.clone(), AzNextHop::VnetLocal)];
    for link in peering::links_of(world, &vnet.id) {
        if !link.allow_vnet_access || peering::state(world, link) != PeeringState::Connected {
            continue;
        }
        let global = world
            .azure
            .vnets
            .get(&link.remote_vnet)
            .is_some_and(|r| r.place.location != vnet.place.location);
        let hop = if global {
            AzNextHop::VnetGlobalPeering
        } else {
            AzNextHop::VnetPeering
        };
        for p in &link.remote_snapshot {
            out.push(system(vec![*p], hop));
        }
    }
    let internet = Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("0.0.0.0/0");
    out.push(system(vec![internet], AzNextHop::Internet));
    for (addr, len) in DROPPED {
        let net = Ipv4Net::new(addr, len).expect("reserved range");
        if !vnet.prefixes.iter().any(|p| p.contains(&net)) {
            out.push(system(vec![net], AzNextHop::None));
        }
    }
    let table = subnet
        .and_then(|s| s.route_table.as_deref())
        .and_then(|id| world.azure.route_tables.get(&key(id)));
    if let Some(table) = table {
        for r in &table.routes {
            for sys in out.iter_mut() {
                if sys.source == AzRouteSource::Default && sys.prefixes.contains(&r.prefix) {
                    sys.active = false;
                }
            }
        }
        for r in &table.routes {
            out.push(AzEffectiveRoute {
                name: Some(r.name.clone()),
                source: AzRouteSource::User,
                active: true,
                prefixes: vec![r.prefix],
                next_hop_ips: r.next_hop_ip.into_iter().collect(),
                next_hop: r.next_hop,
            });
        }
    }
    out
}
