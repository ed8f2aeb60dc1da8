//! The Azure part of `/_vpcpeer/inspect`: a VNet (its subnets, the route tables associated with
//! them — a `VirtualAppliance` route to an address no running VM's NIC holds is flagged — and
//! the NSGs on its subnets and NICs, the defaults after each NSG's own rules, as ARM evaluates
//! them) or one VNet peering link (its `peeringState`, the remote VNet and its options: each
//! side creates its own link, so the other side's owner completes it).

use std::collections::BTreeSet;

use vpcpeer_api::Inspection;
use vpcpeer_model::azure::{AzAccess, AzDirection, AzNextHop, AzNsg, AzPowerState, AzVnet};
use vpcpeer_model::World;

use super::{list, yes_no, Builder, Table};

pub(super) fn inspect(world: &World, id: &str) -> Option<Inspection> {
    let key = vpcpeer_model::azure::key(id);
    let az = &world.azure;
    if let Some(v) = az.vnets().get(&key) {
        return Some(vnet(world, v));
    }
    let l = az.peerings().get(&key)?;
    let state = vpcpeer_model::azure::peering::state(world, l);
    let vnet_shown = |k: &str, fallback: &str| {
        az.vnets()
            .get(k)
            .map_or_else(|| fallback.to_owned(), |v| v.display_id.clone())
    };
    let mut b = Builder::new("azure", "peering", &l.display_id, Some(l.name.clone()));
    b.fact("State", vpcpeer_wire_azure::peering_state(state))
        .fact("VNet", vnet_shown(&l.vnet, &l.vnet))
        .fact("Remote VNet", vnet_shown(&l.remote_vnet, &l.remote_vnet_id))
        .fact(
            "Who completes it",
            "the remote VNet's owner, by creating the link back (both sides create one)",
        )
        .fact("Allow virtual network access", yes_no(l.allow_vnet_access))
        .fact("Allow forwarded traffic", yes_no(l.allow_forwarded_traffic))
        .fact("Allow gateway transit", yes_no(l.allow_gateway_transit))
        .fact("Use remote gateways", yes_no(l.use_remote_gateways))
        .fact("Remote address space (as synced)", list(&l.remote_snapshot));
    Some(b.done())
}

fn vnet(world: &World, v: &AzVnet) -> Inspection {
    let az = &world.azure;
    let mut b = Builder::new("azure", "network", &v.display_id, Some(v.name.clone()));
    b.fact("Subscription", v.place.subscription.clone())
        .fact("Resource group", v.place.resource_group.clone())
        .fact("Location", v.place.location.clone())
        .fact("Address space", list(&v.prefixes))
        .fact(
            "Subnets",
            list(v.subnets.iter().map(|s| format!("{} {}", s.name, s.prefix))),
        );
    let mut tables = BTreeSet::new();
    let mut nsgs = BTreeSet::new();
    for s in &v.subnets {
        tables.extend(s.route_table.iter().map(|t| vpcpeer_model::azure::key(t)));
        nsgs.extend(s.nsg.iter().map(|n| vpcpeer_model::azure::key(n)));
    }
    let prefix = format!("{}/subnets/", v.id);
    for nic in az.nics().values() {
        let here = nic
            .ip_configs
            .iter()
            .any(|c| c.subnet_id.to_ascii_lowercase().starts_with(&prefix));
        if here {
            nsgs.extend(nic.nsg.iter().map(|n| vpcpeer_model::azure::key(n)));
        }
    }
    for t in tables.iter().filter_map(|k| az.route_tables().get(k)) {
        let users: Vec<&str> = v
            .subnets
            .iter()
            .filter(|s| {
                s.route_table
                    .as_deref()
                    .is_some_and(|r| vpcpeer_model::azure::key(r) == t.id)
            })
            .map(|s| s.name.as_str())
            .collect();
        let mut out = Table::new(
            "route-table",
            Some(&t.display_id),
            format!("Route table {} — subnets {}", t.name, users.join(", ")),
            &["Name", "Address prefix", "Next hop type", "Next hop IP"],
        );
        for r in &t.routes {
            let dead = r.next_hop == AzNextHop::VirtualAppliance
                && r.next_hop_ip.is_none_or(|ip| !appliance_runs(world, ip));
            out.row(
                vec![
                    r.name.clone(),
                    r.prefix.to_string(),
                    vpcpeer_wire_azure::next_hop(r.next_hop).to_owned(),
                    r.next_hop_ip.map(|ip| ip.to_string()).unwrap_or_default(),
                ],
                dead.then_some("blackhole"),
            );
        }
        b.table(out);
    }
    for g in nsgs.iter().filter_map(|k| az.nsgs().get(k)) {
        b.table(nsg(g));
    }
    b.done()
}

/// Whether a running VM's NIC holds private address `ip`.
fn appliance_runs(world: &World, ip: std::net::Ipv4Addr) -> bool {
    world.azure.nics().values().any(|n| {
        n.ip_configs.iter().any(|c| c.private_ip == ip)
            && vpcpeer_reach::azure_outer::power_state(world, n) == Some(AzPowerState::Running)
    })
}

fn nsg(g: &AzNsg) -> Table {
    let mut out = Table::new(
        "nsg",
        Some(&g.display_id),
        format!("Network security group {}", g.name),
        &[
            "Name",
            "Priority",
            "Direction",
            "Access",
            "Protocol",
            "Source",
            "Source ports",
            "Destination",
            "Destination ports",
        ],
    );
    let mut rules: Vec<_> = g.rules.iter().collect();
    let defaults = vpcpeer_model::azure::default_security_rules();
    rules.sort_by_key(|r| (r.direction == AzDirection::Outbound, r.priority));
    let mut default_rules: Vec<_> = defaults.iter().collect();
    default_rules.sort_by_key(|r| (r.direction == AzDirection::Outbound, r.priority));
    for r in rules.into_iter().chain(default_rules) {
        out.row(
            vec![
                r.name.clone(),
                r.priority.to_string(),
                match r.direction {
                    AzDirection::Inbound => "Inbound",
                    AzDirection::Outbound => "Outbound",
                }
                .to_owned(),
                match r.access {
                    AzAccess::Allow => "Allow",
                    AzAccess::Deny => "Deny",
                }
                .to_owned(),
                r.protocol.text().to_owned(),
                list(r.source_prefixes.iter().map(|a| a.text().to_owned())),
                list(r.source_ports.iter().map(|p| p.text().to_owned())),
                list(r.destination_prefixes.iter().map(|a| a.text().to_owned())),
                list(r.destination_ports.iter().map(|p| p.text().to_owned())),
            ],
            None,
        );
    }
    out
}
