//! AWS gateways: reading them (DescribeAddresses, DescribeSecurityGroups, DescribeSubnets,
//! DescribeRouteTables, DescribeInstances, each by the topology's tags) and the gateway steps:
//! a public subnet (CreateSubnet; an internet gateway attached to the VPC if it has none; a
//! route table sending 0.0.0.0/0 to it, associated with the subnet), an Elastic IP
//! (AllocateAddress), a security group admitting udp/51820 from exactly the peers' public
//! addresses and every protocol from the VPC's own blocks (the traffic the gateway forwards), the VM (DescribeImages by the name `vpcpeer-gateway`, RunInstances with the
//! rendered configuration as `UserData`, ModifyInstanceAttribute `SourceDestCheck=false`,
//! AssociateAddress), routes to it (`CreateRoute InstanceId`), and their removal.
//!
//! Every piece carries the topology's tags and the VM's name from its create call, so a step run
//! again after a kill finds what the first run made (a subnet's create is finished by the next
//! one: its internet gateway and route table are looked up before they are made).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::Duration;

use aws_sdk_ec2::types::{Filter, Instance, IpPermission, RouteTable};
use aws_sdk_ec2::Client;
use ipnet::Ipv4Net;
use vpcpeer_controller::gateway::{SubnetRef, DEFAULT_PORT};
use vpcpeer_controller::names::{
    TAG_CONFIG, TAG_GATEWAY, TAG_GATEWAY_SUBNET, TAG_NETWORK, TAG_TOPOLOGY,
};
use vpcpeer_controller::observed::{
    AwsTarget, Detail, GatewayAddress, GatewayInstance, GatewaySubnet, GatewayTable,
    GatewayTableRoute, ObservedGateway,
};
use vpcpeer_controller::{Cloud, Desired, Observed};

use super::read::{filters, tag_value};
use super::{client, client_in, ec2_error, fails, region_of};
use crate::{DriverError, Drivers};

/// The instance type of a gateway whose size the file leaves out.
pub(crate) const DEFAULT_SIZE: &str = "t3.small";
/// Polls of a new or terminated gateway instance before the step is given back to the loop.
pub(super) const STATE_POLLS: u32 = 50;

/// Every AWS place (account, region) the topology's gateways may be in: its AWS networks', and
/// those of orphans.
fn places(d: &Drivers, desired: &Desired) -> BTreeSet<(String, String)> {
    let mut out: BTreeSet<(String, String)> = desired
        .networks
        .values()
        .filter(|n| n.cloud == Cloud::Aws)
        .map(|n| (n.account.clone(), region_of(n).to_string()))
        .collect();
    out.extend(d.found.places.values().cloned());
    out.extend(d.found.gateway_places.values().cloned());
    out.retain(|(account, _)| {
        desired
            .accounts
            .get(account)
            .is_some_and(|a| a.cloud == Cloud::Aws)
    });
    out
}

pub(super) fn ours(desired: &Desired) -> Vec<Filter> {
    filters(&[(&format!("tag:{TAG_TOPOLOGY}"), &desired.name)])
}

/// Reads the topology's AWS gateways, and the route tables encrypted links program in every AWS
/// network found.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    let mut instance_names: BTreeMap<String, String> = BTreeMap::new();
    let mut gateway_tables: BTreeSet<String> = BTreeSet::new();
    for (account, region) in places(d, desired) {
        let c = client_in(d, &account, &region, "DescribeAddresses")?;
        let addresses = c
            .describe_addresses()
            .set_filters(Some(ours(desired)))
            .send()
            .await
            .map_err(fails("DescribeAddresses", ""))?;
        let mut attached: BTreeMap<String, String> = BTreeMap::new();
        for a in addresses.addresses() {
            let (Some(vm), Some(network)) = (
                tag_value(a.tags(), TAG_GATEWAY),
                tag_value(a.tags(), TAG_NETWORK),
            ) else {
                continue;
            };
            let Some(ip) = a.public_ip().and_then(|ip| ip.parse::<Ipv4Addr>().ok()) else {
                continue;
            };
            if let Some(i) = a.instance_id() {
                attached.insert(vm.to_string(), i.to_string());
            }
            entry(out, vm, network).address = Some(GatewayAddress {
                id: a.allocation_id().unwrap_or_default().to_string(),
                ip,
            });
            d.found
                .gateway_places
                .insert(vm.to_string(), (account.clone(), region.clone()));
        }
        let groups: Vec<_> = c
            .describe_security_groups()
            .set_filters(Some(ours(desired)))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(fails("DescribeSecurityGroups", ""))?;
        for g in &groups {
            let (Some(vm), Some(network)) = (
                tag_value(g.tags(), TAG_GATEWAY),
                tag_value(g.tags(), TAG_NETWORK),
            ) else {
                continue;
            };
            let e = entry(out, vm, network);
            e.firewall = Some(tunnel_sources(g.ip_permissions()));
            e.inner = inner_sources(g.ip_permissions());
            d.found
                .gateway_places
                .insert(vm.to_string(), (account.clone(), region.clone()));
        }
        let subnets: Vec<_> = c
            .describe_subnets()
            .set_filters(Some(ours(desired)))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(fails("DescribeSubnets", ""))?;
        let tables: Vec<RouteTable> = c
            .describe_route_tables()
            .set_filters(Some(ours(desired)))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(fails("DescribeRouteTables", ""))?;
        for t in &tables {
            if tag_value(t.tags(), TAG_GATEWAY_SUBNET).is_some() {
                gateway_tables.insert(t.route_table_id().unwrap_or_default().to_string());
            }
        }
        for s in &subnets {
            let (Some(vm), Some(network)) = (
                tag_value(s.tags(), TAG_GATEWAY),
                tag_value(s.tags(), TAG_NETWORK),
            ) else {
                continue;
            };
            let id = s.subnet_id().unwrap_or_default();
            let public = tables
                .iter()
                .any(|t| tag_value(t.tags(), TAG_GATEWAY_SUBNET) == Some(id) && to_internet(t));
            let e = entry(out, vm, network);
            e.subnet = Some(GatewaySubnet {
                id: id.to_string(),
                cidr: s.cidr_block().and_then(|c| c.parse().ok()),
                public,
                created: true,
            });
        }
        let reservations: Vec<_> = c
            .describe_instances()
            .set_filters(Some(
                [
                    ours(desired),
                    vec![Filter::builder()
                        .name("instance-state-name")
                        .values("pending")
                        .values("running")
                        .values("stopping")
                        .values("stopped")
                        .build()],
                ]
                .concat(),
            ))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(fails("DescribeInstances", ""))?;
        for i in reservations.iter().flat_map(|r| r.instances()) {
            let (Some(vm), Some(network)) = (
                tag_value(i.tags(), TAG_GATEWAY),
                tag_value(i.tags(), TAG_NETWORK),
            ) else {
                continue;
            };
            let id = i.instance_id().unwrap_or_default().to_string();
            instance_names.insert(id.clone(), vm.to_string());
            d.found.gateway_instances.insert(vm.to_string(), id.clone());
            let running = state(i) == "running" || state(i) == "pending";
            if let Some(t) = (!running)
                .then(|| i.state_transition_reason().and_then(stopped_at))
                .flatten()
            {
                out.gateway_stopped_at.insert(vm.to_string(), t);
            }
            let e = entry(out, vm, network);
            e.instance = Some(GatewayInstance {
                digest: tag_value(i.tags(), TAG_CONFIG)
                    .unwrap_or_default()
                    .to_string(),
                running,
                forwarding: i.source_dest_check() == Some(false),
                address_attached: attached.get(vm) == Some(&id),
                id,
            });
        }
    }
    // Subnets the file names, or blocks made by someone else: found in the VPC, checked public.
    for g in desired.gateways.values() {
        if g.cloud != Cloud::Aws {
            continue;
        }
        let Some(vpc) = d.found.vpcs.get(&g.network).cloned() else {
            continue;
        };
        for vm in g.vms() {
            let known = out.gateways.get(vm.name).and_then(|e| e.subnet.as_ref());
            let wanted = match vm.subnet {
                SubnetRef::Create(cidr) => {
                    if known.is_some_and(|s| s.cidr == Some(*cidr)) {
                        continue;
                    }
                    ("cidr-block", cidr.to_string())
                }
                SubnetRef::Existing(id) => ("subnet-id", id.clone()),
            };
            let c = client(d, desired, &g.network, "DescribeSubnets")?;
            let found: Vec<_> = c
                .describe_subnets()
                .set_filters(Some(filters(&[("vpc-id", &vpc), (wanted.0, &wanted.1)])))
                .send()
                .await
                .map_err(fails("DescribeSubnets", &wanted.1))?
                .subnets()
                .to_vec();
            let Some(s) = found.first() else { continue };
            let id = s.subnet_id().unwrap_or_default().to_string();
            let public = subnet_is_public(&c, &vpc, &id).await?;
            let created = tag_value(s.tags(), TAG_TOPOLOGY) == Some(desired.name.as_str());
            entry(out, vm.name, &g.network).subnet = Some(GatewaySubnet {
                id,
                cidr: s.cidr_block().and_then(|c| c.parse().ok()),
                public,
                created,
            });
        }
    }
    for (name, n) in out.networks.iter().chain(out.orphans.iter()) {
        let Detail::Aws { route_tables, .. } = &n.detail else {
            continue;
        };
        let list = route_tables
            .iter()
            .filter(|t| !gateway_tables.contains(&t.id))
            .map(|t| GatewayTable {
                id: t.id.clone(),
                routes: t
                    .routes
                    .iter()
                    .filter(|r| r.target != AwsTarget::Local)
                    .map(|r| {
                        let target = r.target.to_string();
                        GatewayTableRoute {
                            destination: r.destination,
                            gateway: instance_names.get(&target).cloned(),
                            blackhole: r.blackhole,
                            target,
                        }
                    })
                    .collect(),
            })
            .collect();
        out.gateway_tables.insert(name.clone(), list);
    }
    Ok(())
}

fn entry<'o>(out: &'o mut Observed, vm: &str, network: &str) -> &'o mut ObservedGateway {
    crate::gateway_entry(out, Cloud::Aws, vm, network)
}

pub(super) fn state(i: &Instance) -> &str {
    i.state()
        .and_then(|s| s.name())
        .map(|n| n.as_str())
        .unwrap_or_default()
}

/// The /32 sources a group admits on the tunnel port over UDP.
pub(super) fn tunnel_sources(permissions: &[IpPermission]) -> Vec<Ipv4Addr> {
    let port = i32::from(DEFAULT_PORT);
    permissions
        .iter()
        .filter(|p| p.ip_protocol() == Some("udp"))
        .filter(|p| p.from_port() == Some(port) && p.to_port() == Some(port))
        .flat_map(|p| p.ip_ranges())
        .filter_map(|r| r.cidr_ip()?.strip_suffix("/32")?.parse().ok())
        .collect()
}

/// The blocks a group admits every protocol from (`IpProtocol` `-1`): the gateway's own network.
pub(super) fn inner_sources(permissions: &[IpPermission]) -> Vec<Ipv4Net> {
    let mut out: Vec<Ipv4Net> = permissions
        .iter()
        .filter(|p| p.ip_protocol() == Some("-1"))
        .flat_map(|p| p.ip_ranges())
        .filter_map(|r| r.cidr_ip()?.parse().ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether a table sends 0.0.0.0/0 to an internet gateway.
pub(super) fn to_internet(t: &RouteTable) -> bool {
    t.routes().iter().any(|r| {
        r.destination_cidr_block() == Some("0.0.0.0/0")
            && r.gateway_id().is_some_and(|g| g.starts_with("igw-"))
            && r.state().is_none_or(|s| s.as_str() != "blackhole")
    })
}

/// Whether a subnet is public: its table (its own association, else the VPC's main table)
/// sends 0.0.0.0/0 to an internet gateway.
async fn subnet_is_public(c: &Client, vpc: &str, subnet: &str) -> Result<bool, DriverError> {
    let tables: Vec<RouteTable> = c
        .describe_route_tables()
        .set_filters(Some(filters(&[("vpc-id", vpc)])))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(fails("DescribeRouteTables", subnet))?;
    let own = tables.iter().find(|t| {
        t.associations()
            .iter()
            .any(|a| a.subnet_id() == Some(subnet))
    });
    let main = tables
        .iter()
        .find(|t| t.associations().iter().any(|a| a.main() == Some(true)));
    Ok(own.or(main).is_some_and(to_internet))
}

/// The client of a gateway VM's network (declared, or where the last observe found its pieces).
pub(super) fn vm_client(
    d: &Drivers,
    desired: &Desired,
    vm: &str,
    call: &str,
) -> Result<Client, DriverError> {
    if let Some(g) = desired
        .gateways
        .values()
        .find(|g| g.vms().iter().any(|v| v.name == vm))
    {
        return client(d, desired, &g.network, call);
    }
    match d.found.gateway_places.get(vm) {
        Some((account, region)) => client_in(d, account, region, call),
        None => Err(DriverError::transport(
            Cloud::Aws,
            call,
            format!("gateway {vm}: where it is is unknown"),
        )),
    }
}

pub(super) fn vm_tags<'a>(
    desired: &'a Desired,
    network: &'a str,
    vm: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        (TAG_TOPOLOGY, desired.name.as_str()),
        (TAG_NETWORK, network),
        (TAG_GATEWAY, vm),
    ]
}

/// Filters for what the topology made for the gateway VM `vm`, by its tags.
fn of_gateway(desired: &Desired, vm: &str) -> Vec<Filter> {
    [
        ours(desired),
        filters(&[(&format!("tag:{TAG_GATEWAY}"), vm)]),
    ]
    .concat()
}

/// The gateway VM's security group, by its tags.
pub(super) async fn group_of(
    c: &Client,
    desired: &Desired,
    vm: &str,
) -> Result<Option<String>, DriverError> {
    let groups = c
        .describe_security_groups()
        .set_filters(Some(of_gateway(desired, vm)))
        .send()
        .await
        .map_err(fails("DescribeSecurityGroups", vm))?;
    Ok(groups
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .map(str::to_string))
}

/// The gateway VM's Elastic IP: allocation id, public address, association id.
pub(super) async fn address_of(
    c: &Client,
    desired: &Desired,
    vm: &str,
) -> Result<Option<(String, String, Option<String>)>, DriverError> {
    let found = c
        .describe_addresses()
        .set_filters(Some(of_gateway(desired, vm)))
        .send()
        .await
        .map_err(fails("DescribeAddresses", vm))?;
    Ok(found.addresses().first().map(|a| {
        (
            a.allocation_id().unwrap_or_default().to_string(),
            a.public_ip().unwrap_or_default().to_string(),
            a.association_id().map(str::to_string),
        )
    }))
}

pub(super) fn instance_of(d: &Drivers, vm: &str, call: &str) -> Result<String, DriverError> {
    d.found.gateway_instances.get(vm).cloned().ok_or_else(|| {
        ec2_error(
            call,
            "InvalidInstanceID.NotFound",
            format!("no instance for gateway {vm} yet"),
        )
    })
}

/// A subnet of `vpc` by its block.
pub(super) async fn subnet_by_cidr(
    c: &Client,
    vpc: &str,
    cidr: &str,
) -> Result<Option<String>, DriverError> {
    let found = c
        .describe_subnets()
        .set_filters(Some(filters(&[("vpc-id", vpc), ("cidr-block", cidr)])))
        .send()
        .await
        .map_err(fails("DescribeSubnets", cidr))?;
    Ok(found
        .subnets()
        .first()
        .and_then(|s| s.subnet_id())
        .map(str::to_string))
}

/// Waits until the instance's state is one of `want`.
pub(super) async fn await_state(
    d: &Drivers,
    c: &Client,
    id: &str,
    want: &[&str],
) -> Result<(), DriverError> {
    for _ in 0..STATE_POLLS {
        let found = c
            .describe_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(fails("DescribeInstances", id))?;
        let now = found
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| state(i).to_string())
            .next()
            .unwrap_or_default();
        if want.contains(&now.as_str()) {
            return Ok(());
        }
        tokio::time::sleep(d.poll.min(Duration::from_secs(5))).await;
    }
    Err(ec2_error(
        "DescribeInstances",
        "IncorrectInstanceState",
        format!("{id} is not {} yet", want.join(" or ")),
    ))
}

/// When a stopped instance was stopped, from its `StateTransitionReason`
/// (`User initiated (2026-12-07 04:50:00 GMT)`), in Unix seconds.
pub(crate) fn stopped_at(reason: &str) -> Option<u64> {
    use aws_sdk_ec2::primitives::{DateTime, DateTimeFormat};
    let inner = reason.split_once('(')?.1.strip_suffix(" GMT)")?;
    let t = DateTime::from_str(
        &format!("{}Z", inner.replacen(' ', "T", 1)),
        DateTimeFormat::DateTime,
    )
    .ok()?;
    u64::try_from(t.secs()).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stop_time_reads_from_the_state_transition_reason() {
        assert_eq!(
            super::stopped_at("User initiated (2026-12-07 04:50:00 GMT)"),
            Some(1_796_619_000)
        );
        assert_eq!(super::stopped_at(""), None);
        assert_eq!(super::stopped_at("Server.InternalError"), None);
    }
}
