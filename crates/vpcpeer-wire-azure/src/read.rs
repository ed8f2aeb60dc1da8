//! GET of one resource and of lists (by subscription or resource group), rendered as ARM JSON.

use crate::render;
use crate::route::Kind;
use serde_json::{json, Value};
use vpcpeer_model::azure::ops::{self, Tagged, Target};
use vpcpeer_model::azure::{key, routes, AzureError};
use vpcpeer_model::World;

fn group_exists(world: &World, sub: &str, rg: &str) -> Result<(), AzureError> {
    if world
        .azure
        .resource_groups()
        .contains_key(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)))
    {
        Ok(())
    } else {
        Err(group_not_found(rg))
    }
}

fn group_not_found(rg: &str) -> AzureError {
    AzureError::GroupNotFound {
        name: rg.to_owned(),
    }
}

fn in_scope(id: &str, sub: &str, rg: Option<&str>) -> bool {
    let prefix = match rg {
        Some(rg) => key(&format!(
            "{}/",
            vpcpeer_model::azure::resource_group_id(sub, rg)
        )),
        None => key(&format!("/subscriptions/{sub}/")),
    };
    id.starts_with(&prefix)
}

/// The rendering of each of `records` that `keep` keeps, in order.
fn listed<'w, T: 'w>(
    records: impl Iterator<Item = &'w T>,
    keep: impl Fn(&T) -> bool,
    render: impl Fn(&'w T) -> Value,
) -> Vec<Value> {
    records.filter(|r| keep(r)).map(render).collect()
}

/// The list a `GET` of a collection answers (a subscription's or a resource group's).
pub(crate) fn list(
    world: &World,
    sub: &str,
    rg: Option<&str>,
    kind: &Kind,
) -> Result<Vec<Value>, AzureError> {
    if let Some(rg) = rg {
        group_exists(world, sub, rg)?;
    }
    let ok = |id: &str| in_scope(id, sub, rg);
    Ok(match kind {
        Kind::ResourceGroup => world
            .azure
            .resource_groups()
            .values()
            .filter(|g| g.subscription.eq_ignore_ascii_case(sub))
            .map(render::resource_group)
            .collect(),
        Kind::Vnet => listed(
            world.azure.vnets().values(),
            |v| ok(&v.id),
            |v| render::vnet(world, v),
        ),
        Kind::Nsg => listed(
            world.azure.nsgs().values(),
            |v| ok(&v.id),
            |v| render::nsg(world, v),
        ),
        Kind::RouteTable => listed(
            world.azure.route_tables().values(),
            |v| ok(&v.id),
            |v| render::route_table(world, v),
        ),
        Kind::Nic => listed(world.azure.nics().values(), |v| ok(&v.id), render::nic),
        Kind::Gateway => listed(
            world.azure.gateways().values(),
            |v| ok(&v.id),
            render::gateway,
        ),
        Kind::Vm => listed(world.azure.vms().values(), |v| ok(&v.id), render::vm),
        Kind::PublicIp => listed(
            world.azure.public_ips().values(),
            |v| ok(&v.id),
            |v| render::public_ip(world, v),
        ),
        Kind::Subnet(vnet) => {
            let v = ops::get_vnet(world, &Target::new(sub, rg.unwrap_or_default(), vnet))?;
            v.subnets
                .iter()
                .map(|s| render::subnet(world, v, s))
                .collect()
        }
        Kind::Peering(vnet) => {
            let v = ops::get_vnet(world, &Target::new(sub, rg.unwrap_or_default(), vnet))?;
            vpcpeer_model::azure::peering::links_of(world, &v.id)
                .map(|l| render::peering_json(world, l))
                .collect()
        }
        Kind::SecurityRule(nsg) => {
            let n = nsg_of(world, &Target::new(sub, rg.unwrap_or_default(), nsg))?;
            n.rules
                .iter()
                .map(|r| render::security_rule(&n.display_id, "securityRules", r))
                .collect()
        }
        Kind::Route(table) => {
            let t = route_table(world, &Target::new(sub, rg.unwrap_or_default(), table))?;
            t.routes
                .iter()
                .map(|r| render::route(&t.display_id, r))
                .collect()
        }
    })
}

fn route_table<'a>(
    world: &'a World,
    t: &Target,
) -> Result<&'a vpcpeer_model::azure::AzRouteTable, AzureError> {
    group_exists(world, &t.subscription, &t.resource_group)?;
    let table = world.azure.route_tables();
    found(
        table.get(&key(&t.network_id("routeTables"))),
        t,
        Tagged::RouteTable,
    )
}

fn nsg_of<'a>(world: &'a World, t: &Target) -> Result<&'a vpcpeer_model::azure::AzNsg, AzureError> {
    group_exists(world, &t.subscription, &t.resource_group)?;
    let nsgs = world.azure.nsgs();
    found(
        nsgs.get(&key(&t.network_id("networkSecurityGroups"))),
        t,
        Tagged::Nsg,
    )
}

/// A record looked up for `t`, else the NotFound of `kind` (its group already checked).
fn found<'a, T>(record: Option<&'a T>, t: &Target, kind: Tagged) -> Result<&'a T, AzureError> {
    record.ok_or_else(|| t.not_found(kind))
}

fn child_not_found(parent: &str, kind: &str, name: &str) -> AzureError {
    AzureError::ChildNotFound {
        id: format!("{parent}/{kind}/{name}"),
    }
}

pub(crate) fn get(
    world: &World,
    sub: &str,
    rg: &str,
    kind: &Kind,
    name: &str,
) -> Result<Value, AzureError> {
    let t = Target::new(sub, rg, name);
    let az = &world.azure;
    let id = |kind: &str| key(&t.network_id(kind));
    if *kind == Kind::ResourceGroup {
        return world
            .azure
            .resource_groups()
            .get(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)))
            .map(render::resource_group)
            .ok_or_else(|| group_not_found(rg));
    }
    group_exists(world, sub, rg)?;
    match kind {
        Kind::ResourceGroup => unreachable!("handled above"),
        Kind::Vnet => ops::get_vnet(world, &t).map(|v| render::vnet(world, v)),
        Kind::Subnet(vnet) => {
            let v = ops::get_vnet(world, &Target::new(sub, rg, vnet))?;
            v.subnet(name)
                .map(|s| render::subnet(world, v, s))
                .ok_or_else(|| child_not_found(&v.display_id, "subnets", name))
        }
        Kind::Peering(vnet) => ops::get_peering(world, &Target::new(sub, rg, vnet), name)
            .map(|l| render::peering_json(world, l)),
        Kind::Nsg => nsg_of(world, &t).map(|n| render::nsg(world, n)),
        Kind::RouteTable => route_table(world, &t).map(|r| render::route_table(world, r)),
        Kind::SecurityRule(nsg) => {
            let n = nsg_of(world, &Target::new(sub, rg, nsg))?;
            n.rules
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .map(|r| render::security_rule(&n.display_id, "securityRules", r))
                .ok_or_else(|| child_not_found(&n.display_id, "securityRules", name))
        }
        Kind::Route(table) => {
            let rt = route_table(world, &Target::new(sub, rg, table))?;
            rt.routes
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .map(|r| render::route(&rt.display_id, r))
                .ok_or_else(|| child_not_found(&rt.display_id, "routes", name))
        }
        Kind::Nic => {
            found(az.nics().get(&id("networkInterfaces")), &t, Tagged::Nic).map(render::nic)
        }
        Kind::Gateway => {
            let gateway = az.gateways().get(&id("virtualNetworkGateways"));
            found(gateway, &t, Tagged::Gateway).map(render::gateway)
        }
        Kind::Vm => found(az.vms().get(&key(&ops::vm_id(&t))), &t, Tagged::Vm).map(render::vm),
        Kind::PublicIp => {
            let pip = az.public_ips().get(&key(&ops::public_ip_id(&t)));
            found(pip, &t, Tagged::PublicIp).map(|p| render::public_ip(world, p))
        }
    }
}

/// The effective routes of a NIC as JSON (for tests and tools that read the world directly).
pub fn effective_routes_json(world: &World, nic: &vpcpeer_model::azure::AzNic) -> Value {
    json!({"value": routes::effective_routes(world, nic).iter().map(render::effective_route).collect::<Vec<_>>()})
}
