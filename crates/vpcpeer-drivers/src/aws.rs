//! AWS driver, built on the official `aws-sdk-ec2`: reads the topology's VPCs, their route
//! tables, default security groups and peerings through EC2 (DescribeVpcs, DescribeRouteTables,
//! DescribeSecurityGroups, DescribeVpcPeeringConnections), and carries out the AWS steps
//! (`steps.rs`), each as the account that owns what it changes, in that resource's region: the
//! requester's account requests, the accepter's accepts (cross-account, cross-region), each side
//! sets its own DNS option and its own routes. One SDK client per (endpoint, region, keys), made
//! once and reused, with no retries of its own and the caller's clock (`client.rs`).
//!
//! Finding: a VPC given by id is described by id; a declared one by its tags
//! (`vpcpeer:topology`, `vpcpeer:network`, set in CreateVpc itself, so a VPC is never left
//! untagged by a kill). Peerings are described in every account and region the topology's VPCs
//! are in, by the topology's tag and by VPC id (the accepter does not see the requester's tags:
//! tags are per side), and merged by id. Every describe that EC2 pages is read to its last page
//! (the SDK's paginators follow `NextToken`).

mod client;
mod gateway_steps;
mod gateways;
mod read;
mod routes;
mod steps;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::{Filter, RouteTable, SecurityGroup, Vpc, VpcAttributeName};
use aws_sdk_ec2::Client;
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::desired::Source;
use vpcpeer_controller::names::{TAG_LINK, TAG_NETWORK, TAG_TOPOLOGY};
use vpcpeer_controller::observed::{AwsPeering, AwsRouteTable, Detail, ObservedNetwork};
use vpcpeer_controller::{Cloud, Desired, Observed};

use crate::{DriverError, Drivers};
use client::{call_name, sdk_error};
pub(crate) use client::{Clients, Now};
use read::{filter_any, filters, group_ingress, ingress, peering, route_table, side_place};
pub(crate) use steps::execute;

/// Maps an SDK error of `action` (about `what`, which may be empty) to a driver error.
fn fails<E>(action: &str, what: &str) -> impl FnOnce(SdkError<E, HttpResponse>) -> DriverError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let call = call_name(action, what);
    move |e| sdk_error(&call, e)
}

/// The client for an account (by its topology name) in a region.
fn client_in(d: &Drivers, account: &str, region: &str, call: &str) -> Result<Client, DriverError> {
    let access = d.access.get(account).ok_or_else(|| {
        DriverError::transport(Cloud::Aws, call, format!("no access for account {account}"))
    })?;
    let keys = access.aws_keys.as_ref().ok_or_else(|| {
        DriverError::transport(
            Cloud::Aws,
            call,
            format!("no AWS keys for account {account}"),
        )
    })?;
    let endpoint = access.endpoint.replace("{region}", region);
    Ok(d.aws.get(&endpoint, region, keys, &d.now))
}

/// The client for a network of the topology (or an orphan found by the last observe).
fn client(
    d: &Drivers,
    desired: &Desired,
    network: &str,
    call: &str,
) -> Result<Client, DriverError> {
    if let Some((account, region)) = d.found.places.get(network) {
        return client_in(d, account, region, call);
    }
    let (n, _, _) = d.network(desired, Cloud::Aws, call, network)?;
    client_in(d, &n.account, region_of(n), call)
}

fn region_of(n: &vpcpeer_controller::desired::Network) -> &str {
    n.region.as_deref().unwrap_or("us-east-1")
}

/// An error of the driver's own finding that the loop waits out like EC2's eventual
/// consistency (a resource an earlier step of this round should have made).
fn ec2_error(call: &str, code: &str, message: String) -> DriverError {
    DriverError {
        cloud: Cloud::Aws,
        call: call.to_string(),
        status: None,
        code: code.to_string(),
        message,
        retry: Retry::NotVisibleYet,
    }
}

/// The topology's tag as a filter, and optionally the network's.
fn tagged(desired: &Desired, network: Option<&str>) -> Vec<Filter> {
    let topology = format!("tag:{TAG_TOPOLOGY}");
    let by_network = format!("tag:{TAG_NETWORK}");
    let mut list = vec![(topology.as_str(), desired.name.as_str())];
    if let Some(n) = network {
        list.push((by_network.as_str(), n));
    }
    filters(&list)
}

/// Every VPC `filters` (or `ids`) find, all pages.
async fn describe_vpcs(
    c: &Client,
    what: &str,
    ids: Option<Vec<String>>,
    filters: Option<Vec<Filter>>,
) -> Result<Vec<Vpc>, DriverError> {
    c.describe_vpcs()
        .set_vpc_ids(ids)
        .set_filters(filters)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(fails("DescribeVpcs", what))
}

/// A VPC's route tables, all pages.
async fn route_tables(c: &Client, vpc: &str, what: &str) -> Result<Vec<RouteTable>, DriverError> {
    c.describe_route_tables()
        .set_filters(Some(filters(&[("vpc-id", vpc)])))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(fails("DescribeRouteTables", what))
}

/// A VPC's default security group.
async fn default_group_of(
    c: &Client,
    vpc: &str,
    what: &str,
) -> Result<Option<SecurityGroup>, DriverError> {
    let groups: Vec<SecurityGroup> = c
        .describe_security_groups()
        .set_filters(Some(filters(&[("vpc-id", vpc), ("group-name", "default")])))
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(fails("DescribeSecurityGroups", what))?;
    Ok(groups.into_iter().next())
}

/// Reads the topology's AWS networks and the peerings that concern them into `out`; and the
/// orphans: VPCs tagged with the topology whose network the file no longer declares, looked
/// for in every account of the file and every region its AWS networks use.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    let mut places: BTreeSet<(String, String)> = BTreeSet::new();
    for (name, n) in &desired.networks {
        if n.cloud != Cloud::Aws {
            continue;
        }
        places.insert((n.account.clone(), region_of(n).to_string()));
        let c = client(d, desired, name, "DescribeVpcs")?;
        let found = match &n.source {
            Source::Existing(id) => describe_vpcs(&c, name, Some(vec![id.clone()]), None).await,
            Source::Declared(_) => {
                describe_vpcs(&c, name, None, Some(tagged(desired, Some(name)))).await
            }
        };
        let vpcs = match found {
            Ok(vpcs) => vpcs,
            Err(e) if e.code == "InvalidVpcID.NotFound" => continue,
            Err(e) => return Err(e),
        };
        if let Some(vpc) = vpcs.first() {
            let found = read_vpc(d, &c, name, vpc).await?;
            out.networks.insert(name.clone(), found);
        }
    }
    let vpc_ids: Vec<String> = d.found.vpcs.values().cloned().collect();
    let mut peerings: BTreeMap<String, AwsPeering> = BTreeMap::new();
    // Where the other ends of the topology's peerings are: an orphan's account and region.
    let mut linked: BTreeSet<(String, String)> = BTreeSet::new();
    for (account, region) in &places {
        let c = client_in(d, account, region, "DescribeVpcPeeringConnections")?;
        let mut queries = vec![tagged(desired, None)];
        if !vpc_ids.is_empty() {
            queries.push(vec![filter_any("requester-vpc-info.vpc-id", &vpc_ids)]);
            queries.push(vec![filter_any("accepter-vpc-info.vpc-id", &vpc_ids)]);
        }
        for q in queries {
            let listed: Vec<_> = c
                .describe_vpc_peering_connections()
                .set_filters(Some(q))
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(fails("DescribeVpcPeeringConnections", ""))?;
            for item in &listed {
                for info in [item.requester_vpc_info(), item.accepter_vpc_info()] {
                    let (owner, region) = side_place(info);
                    let account = desired
                        .accounts
                        .iter()
                        .find(|(_, a)| a.cloud == Cloud::Aws && a.id == owner);
                    if let (Some((name, _)), false) = (account, region.is_empty()) {
                        linked.insert((name.clone(), region.to_string()));
                    }
                }
                let seen = peering(item);
                match peerings.get_mut(&seen.id) {
                    Some(known) => known.tags.extend(seen.tags),
                    None => {
                        peerings.insert(seen.id.clone(), seen);
                    }
                }
            }
        }
    }
    // Orphans: VPCs tagged with the topology whose network the file no longer declares, in
    // every account of the file and every region its AWS networks use, and wherever the other
    // end of one of its peerings is.
    let accounts: BTreeSet<&String> = desired
        .accounts
        .iter()
        .filter(|(_, a)| a.cloud == Cloud::Aws)
        .map(|(name, _)| name)
        .collect();
    let regions: BTreeSet<String> = places.iter().map(|(_, r)| r.clone()).collect();
    let mut search: BTreeSet<(String, String)> = linked;
    for account in accounts {
        for region in &regions {
            search.insert((account.clone(), region.clone()));
        }
    }
    for (account, region) in &search {
        let c = client_in(d, account, region, "DescribeVpcs")?;
        let listed = describe_vpcs(&c, "", None, Some(tagged(desired, None))).await?;
        for vpc in &listed {
            let Some(name) = read::tag_value(vpc.tags(), TAG_NETWORK).map(str::to_string) else {
                continue;
            };
            if desired.networks.contains_key(&name) || out.orphans.contains_key(&name) {
                continue;
            }
            d.found
                .places
                .insert(name.clone(), (account.clone(), region.clone()));
            let found = read_vpc(d, &c, &name, vpc).await?;
            out.orphans.insert(name, found);
        }
    }
    for pc in peerings.values() {
        let ours = pc.tags.get(TAG_TOPOLOGY) == Some(&desired.name);
        if let (true, true, Some(link)) = (ours, pc.status.is_live(), pc.tags.get(TAG_LINK)) {
            d.found.peerings.insert(link.clone(), pc.id.clone());
        }
    }
    out.aws_peerings = peerings.into_values().collect();
    gateways::observe(d, desired, out).await
}

/// A VPC's blocks, DNS attributes, route tables and default group; its ids go to `d.found`.
async fn read_vpc(
    d: &mut Drivers,
    c: &Client,
    name: &str,
    vpc: &Vpc,
) -> Result<ObservedNetwork, DriverError> {
    let id = vpc.vpc_id().unwrap_or_default().to_string();
    let cidrs = read::vpc_cidrs(vpc);
    let mut dns = true;
    for attribute in [
        VpcAttributeName::EnableDnsSupport,
        VpcAttributeName::EnableDnsHostnames,
    ] {
        let answer = c
            .describe_vpc_attribute()
            .vpc_id(&id)
            .attribute(attribute.clone())
            .send()
            .await
            .map_err(fails("DescribeVpcAttribute", name))?;
        let value = match attribute {
            VpcAttributeName::EnableDnsSupport => answer.enable_dns_support(),
            _ => answer.enable_dns_hostnames(),
        };
        dns &= value.and_then(|v| v.value()) == Some(true);
    }
    let route_tables: Vec<AwsRouteTable> = route_tables(c, &id, name)
        .await?
        .iter()
        .map(route_table)
        .collect();
    let group = default_group_of(c, &id, name).await?;
    let default_group = group
        .as_ref()
        .and_then(|g| g.group_id())
        .unwrap_or_default()
        .to_string();
    if let Some(main) = route_tables.iter().find(|t| t.main) {
        d.found
            .main_tables
            .insert(name.to_string(), main.id.clone());
    }
    d.found.vpcs.insert(name.to_string(), id.clone());
    d.found
        .default_groups
        .insert(name.to_string(), default_group.clone());
    Ok(ObservedNetwork {
        id,
        cidrs,
        detail: Detail::Aws {
            route_tables,
            default_group,
            dns,
            ingress: group.as_ref().map(ingress).unwrap_or_default(),
            group_ingress: group.as_ref().map(group_ingress).unwrap_or_default(),
        },
    })
}

/// The running instances of each AWS network found, by id (for `apply --verify`).
pub(crate) async fn instances(
    d: &Drivers,
    desired: &Desired,
    out: &mut BTreeMap<String, Vec<crate::Endpoint>>,
) -> Result<(), DriverError> {
    for (name, vpc) in &d.found.vpcs {
        let c = client(d, desired, name, "DescribeInstances")?;
        let reservations: Vec<_> = c
            .describe_instances()
            .set_filters(Some(filters(&[
                ("vpc-id", vpc.as_str()),
                ("instance-state-name", "running"),
            ])))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(fails("DescribeInstances", name))?;
        let ids = reservations
            .iter()
            .flat_map(|r| r.instances())
            .map(|i| crate::Endpoint {
                id: i.instance_id().unwrap_or_default().to_string(),
                ip: i.private_ip_address().unwrap_or_default().to_string(),
            })
            .collect();
        out.insert(name.clone(), ids);
    }
    Ok(())
}

/// The VPC of a network of the topology, as found or made in this round (the steps of both
/// native links and gateways need it).
fn vpc_of(d: &Drivers, network: &str, call: &str) -> Result<String, DriverError> {
    d.found.vpcs.get(network).cloned().ok_or_else(|| {
        ec2_error(
            call,
            "InvalidVpcID.NotFound",
            format!("no VPC for {network} yet"),
        )
    })
}
