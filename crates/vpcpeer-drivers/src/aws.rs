//! AWS driver: reads the topology's VPCs, their route tables, default security groups and
//! peerings through EC2 (DescribeVpcs, DescribeRouteTables, DescribeSecurityGroups,
//! DescribeVpcPeeringConnections), and carries out the AWS steps, each as the account that owns
//! what it changes, in that resource's region: the requester's account requests, the accepter's
//! accepts (cross-account, cross-region), each side sets its own DNS option and its own routes.
//!
//! Finding: a VPC given by id is described by id; a declared one by its tags
//! (`vpcpeer:topology`, `vpcpeer:network`, set in CreateVpc itself, so a VPC is never left
//! untagged by a kill). Peerings are described in every account and region the topology's VPCs
//! are in, by the topology's tag and by VPC id (the accepter does not see the requester's tags:
//! tags are per side), and merged by id.

mod query;
mod read;

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::desired::Source;
use vpcpeer_controller::names::{rule_description, TAG_LINK, TAG_NETWORK, TAG_TOPOLOGY};
use vpcpeer_controller::observed::{AwsPeering, AwsRouteTable, AwsStatus, Detail, ObservedNetwork};
use vpcpeer_controller::plan::TableRef;
use vpcpeer_controller::{Action, Cloud, Desired, Observed};

use crate::{DriverError, Drivers};
use query::{call, Target};
use read::{group_ingress, group_permission, ingress, peering, permission, route_table};

/// Parameters of one call.
type Params = Vec<(String, String)>;

/// Polls of a peering on its way to active before the step is given back to the loop.
const AWAIT_POLLS: u32 = 50;

fn p(k: impl Into<String>, v: impl Into<String>) -> (String, String) {
    (k.into(), v.into())
}

/// `Filter.N.Name` / `Filter.N.Value.1` parameters, one value each.
fn filters(list: &[(&str, &str)]) -> Params {
    let mut out = Vec::new();
    for (i, (name, value)) in list.iter().enumerate() {
        out.push(p(format!("Filter.{}.Name", i + 1), *name));
        out.push(p(format!("Filter.{}.Value.1", i + 1), *value));
    }
    out
}

/// One filter matching any of `values`.
fn filter_any(name: &str, values: &[String]) -> Params {
    let mut out = vec![p("Filter.1.Name", name)];
    for (j, v) in values.iter().enumerate() {
        out.push(p(format!("Filter.1.Value.{}", j + 1), v.clone()));
    }
    out
}

/// `TagSpecification.1` for a new resource.
fn tag_spec(resource_type: &str, tags: &[(&str, &str)]) -> Params {
    let mut out = vec![p("TagSpecification.1.ResourceType", resource_type)];
    for (i, (k, v)) in tags.iter().enumerate() {
        out.push(p(format!("TagSpecification.1.Tag.{}.Key", i + 1), *k));
        out.push(p(format!("TagSpecification.1.Tag.{}.Value", i + 1), *v));
    }
    out
}

/// Where and as whom to call for an account (by its topology name) in a region.
fn target_in(d: &Drivers, account: &str, region: &str, call: &str) -> Result<Target, DriverError> {
    let access = d.access.get(account).ok_or_else(|| {
        DriverError::transport(Cloud::Aws, call, format!("no access for account {account}"))
    })?;
    let keys = access.aws_keys.clone().ok_or_else(|| {
        DriverError::transport(
            Cloud::Aws,
            call,
            format!("no AWS keys for account {account}"),
        )
    })?;
    Ok(Target {
        endpoint: access.endpoint.replace("{region}", region),
        region: region.to_string(),
        keys,
        now: (d.now)(),
    })
}

/// Where and as whom to call for a network of the topology.
fn target(
    d: &Drivers,
    desired: &Desired,
    network: &str,
    call: &str,
) -> Result<Target, DriverError> {
    if let Some((account, region)) = d.found.places.get(network) {
        return target_in(d, account, region, call);
    }
    let (n, _, _) = d.network(desired, Cloud::Aws, call, network)?;
    target_in(d, &n.account, region_of(n), call)
}

fn region_of(n: &vpcpeer_controller::desired::Network) -> &str {
    n.region.as_deref().unwrap_or("us-east-1")
}

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
        let t = target(d, desired, name, "DescribeVpcs")?;
        let params = match &n.source {
            Source::Existing(id) => vec![p("VpcId.1", id.clone())],
            Source::Declared(_) => filters(&[
                (&format!("tag:{TAG_TOPOLOGY}"), desired.name.as_str()),
                (&format!("tag:{TAG_NETWORK}"), name.as_str()),
            ]),
        };
        let vpcs = match call(&d.http, &t, "DescribeVpcs", name, &params).await {
            Ok(root) => root,
            Err(e) if e.code == "InvalidVpcID.NotFound" => continue,
            Err(e) => return Err(e),
        };
        let first = vpcs.items("vpcSet").next().cloned();
        if let Some(vpc) = first {
            let found = read_vpc(d, &t, name, &vpc).await?;
            out.networks.insert(name.clone(), found);
        }
    }
    let vpc_ids: Vec<String> = d.found.vpcs.values().cloned().collect();
    let mut peerings: BTreeMap<String, AwsPeering> = BTreeMap::new();
    // Where the other ends of the topology's peerings are: an orphan's account and region.
    let mut linked: BTreeSet<(String, String)> = BTreeSet::new();
    for (account, region) in &places {
        let t = target_in(d, account, region, "DescribeVpcPeeringConnections")?;
        let mut queries = vec![filters(&[(
            &format!("tag:{TAG_TOPOLOGY}"),
            desired.name.as_str(),
        )])];
        if !vpc_ids.is_empty() {
            queries.push(filter_any("requester-vpc-info.vpc-id", &vpc_ids));
            queries.push(filter_any("accepter-vpc-info.vpc-id", &vpc_ids));
        }
        for q in queries {
            let root = call(&d.http, &t, "DescribeVpcPeeringConnections", "", &q).await?;
            for item in root.items("vpcPeeringConnectionSet") {
                for side in ["requesterVpcInfo", "accepterVpcInfo"] {
                    let owner = item.at(&[side, "ownerId"]).map_or("", |n| n.text.as_str());
                    let region = item.at(&[side, "region"]).map_or("", |n| n.text.as_str());
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
        let t = target_in(d, account, region, "DescribeVpcs")?;
        let q = filters(&[(&format!("tag:{TAG_TOPOLOGY}"), desired.name.as_str())]);
        let vpcs = call(&d.http, &t, "DescribeVpcs", "", &q).await?;
        let listed: Vec<query::Node> = vpcs.items("vpcSet").cloned().collect();
        for vpc in &listed {
            let tag = vpc
                .items("tagSet")
                .find(|t| t.text_of("key") == TAG_NETWORK);
            let Some(name) = tag.map(|t| t.text_of("value").to_string()) else {
                continue;
            };
            if desired.networks.contains_key(&name) || out.orphans.contains_key(&name) {
                continue;
            }
            d.found
                .places
                .insert(name.clone(), (account.clone(), region.clone()));
            let found = read_vpc(d, &t, &name, vpc).await?;
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
    Ok(())
}

/// A VPC's blocks, DNS attributes, route tables and default group; its ids go to `d.found`.
async fn read_vpc(
    d: &mut Drivers,
    t: &Target,
    name: &str,
    vpc: &query::Node,
) -> Result<ObservedNetwork, DriverError> {
    let id = vpc.text_of("vpcId").to_string();
    let cidrs: Vec<Ipv4Net> = vpc
        .items("cidrBlockAssociationSet")
        .filter(|a| {
            a.at(&["cidrBlockState", "state"])
                .is_some_and(|s| s.text == "associated")
        })
        .filter_map(|a| a.text_of("cidrBlock").parse().ok())
        .collect();
    let mut dns = true;
    for attribute in ["enableDnsSupport", "enableDnsHostnames"] {
        let params = vec![p("VpcId", id.clone()), p("Attribute", attribute)];
        let root = call(&d.http, t, "DescribeVpcAttribute", name, &params).await?;
        dns &= root
            .at(&[attribute, "value"])
            .is_some_and(|v| v.text == "true");
    }
    let by_vpc = filters(&[("vpc-id", id.as_str())]);
    let tables = call(&d.http, t, "DescribeRouteTables", name, &by_vpc).await?;
    let route_tables: Vec<AwsRouteTable> = tables.items("routeTableSet").map(route_table).collect();
    let groups = call(
        &d.http,
        t,
        "DescribeSecurityGroups",
        name,
        &filters(&[("vpc-id", id.as_str()), ("group-name", "default")]),
    )
    .await?;
    let group = groups
        .items("securityGroupInfo")
        .next()
        .cloned()
        .unwrap_or_default();
    let default_group = group.text_of("groupId").to_string();
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
            ingress: ingress(&group),
            group_ingress: group_ingress(&group),
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
        let t = target(d, desired, name, "DescribeInstances")?;
        let params = filters(&[("vpc-id", vpc.as_str()), ("instance-state-name", "running")]);
        let root = call(&d.http, &t, "DescribeInstances", name, &params).await?;
        let ids = root
            .items("reservationSet")
            .flat_map(|r| r.items("instancesSet"))
            .map(|i| crate::Endpoint {
                id: i.text_of("instanceId").to_string(),
                ip: i.text_of("privateIpAddress").to_string(),
            })
            .collect();
        out.insert(name.clone(), ids);
    }
    Ok(())
}

/// The network of the topology whose VPC is `vpc`.
fn network_of_vpc<'a>(d: &'a Drivers, vpc: &str) -> Option<&'a str> {
    d.found
        .vpcs
        .iter()
        .find(|(_, id)| *id == vpc)
        .map(|(n, _)| n.as_str())
}

/// A link's peering: its id and its requester and accepter networks.
fn link_peering(
    d: &Drivers,
    desired: &Desired,
    link: &str,
    call: &str,
) -> Result<(String, String, String), DriverError> {
    let id = d.found.peerings.get(link).cloned().ok_or_else(|| {
        ec2_error(
            call,
            "InvalidVpcPeeringConnectionID.NotFound",
            format!("no peering for link {link} yet"),
        )
    })?;
    let known = d.found.observed.aws_peerings.iter().find(|p| p.id == id);
    let sides = match known {
        Some(pc) => (
            network_of_vpc(d, &pc.requester).map(str::to_string),
            network_of_vpc(d, &pc.accepter).map(str::to_string),
        ),
        None => (None, None),
    };
    let declared = desired.links.iter().find(|l| l.name == link);
    let requester = sides.0.or_else(|| declared.map(|l| l.sides[0].clone()));
    let accepter = sides.1.or_else(|| declared.map(|l| l.sides[1].clone()));
    match (requester, accepter) {
        (Some(r), Some(a)) => Ok((id, r, a)),
        _ => Err(DriverError::transport(
            Cloud::Aws,
            call,
            format!("peering {id}: its VPCs are not the topology's"),
        )),
    }
}

fn vpc_of(d: &Drivers, network: &str, call: &str) -> Result<String, DriverError> {
    d.found.vpcs.get(network).cloned().ok_or_else(|| {
        ec2_error(
            call,
            "InvalidVpcID.NotFound",
            format!("no VPC for {network} yet"),
        )
    })
}

/// A network's default security group, as found or made in this round.
fn default_group(d: &Drivers, network: &str, call: &str) -> Result<String, DriverError> {
    d.found.default_groups.get(network).cloned().ok_or_else(|| {
        ec2_error(
            call,
            "InvalidGroup.NotFound",
            format!("no default group for {network} yet"),
        )
    })
}

/// Carries out one AWS step.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<(), DriverError> {
    let http = d.http.clone();
    match action {
        Action::CreateNetwork { network, cidrs, .. } => {
            let t = target(d, desired, network, "CreateVpc")?;
            let mut params = vec![p("CidrBlock", cidrs[0].to_string())];
            params.extend(tag_spec(
                "vpc",
                &[
                    ("Name", network),
                    (TAG_TOPOLOGY, &desired.name),
                    (TAG_NETWORK, network),
                ],
            ));
            let root = call(&http, &t, "CreateVpc", network, &params).await?;
            let vpc = root
                .at(&["vpc", "vpcId"])
                .map(|n| n.text.clone())
                .unwrap_or_default();
            d.found.vpcs.insert(network.clone(), vpc.clone());
            for c in &cidrs[1..] {
                let params = vec![p("VpcId", vpc.clone()), p("CidrBlock", c.to_string())];
                call(&http, &t, "AssociateVpcCidrBlock", network, &params).await?;
            }
            let by_vpc = filters(&[("vpc-id", vpc.as_str())]);
            let tables = call(&http, &t, "DescribeRouteTables", network, &by_vpc).await?;
            if let Some(main) = tables
                .items("routeTableSet")
                .map(route_table)
                .find(|t| t.main)
            {
                d.found.main_tables.insert(network.clone(), main.id);
            }
            let groups = call(
                &http,
                &t,
                "DescribeSecurityGroups",
                network,
                &filters(&[("vpc-id", vpc.as_str()), ("group-name", "default")]),
            )
            .await?;
            let group = groups
                .items("securityGroupInfo")
                .next()
                .map(|g| g.text_of("groupId").to_string());
            if let Some(g) = group {
                d.found.default_groups.insert(network.clone(), g);
            }
        }
        Action::AwsEnableDns { network } => {
            let vpc = vpc_of(d, network, "ModifyVpcAttribute")?;
            let t = target(d, desired, network, "ModifyVpcAttribute")?;
            // One attribute per call; support before hostnames (EC2 refuses hostnames without it).
            for attribute in ["EnableDnsSupport", "EnableDnsHostnames"] {
                let params = vec![
                    p("VpcId", vpc.clone()),
                    p(format!("{attribute}.Value"), "true"),
                ];
                call(&http, &t, "ModifyVpcAttribute", network, &params).await?;
            }
        }
        Action::AddCidr { network, cidr, .. } => {
            let t = target(d, desired, network, "AssociateVpcCidrBlock")?;
            let params = vec![
                p("VpcId", vpc_of(d, network, "AssociateVpcCidrBlock")?),
                p("CidrBlock", cidr.to_string()),
            ];
            call(&http, &t, "AssociateVpcCidrBlock", network, &params).await?;
        }
        Action::DeleteNetwork { network, id, .. } => {
            let t = target(d, desired, network, "DeleteVpc")?;
            call(&http, &t, "DeleteVpc", network, &[p("VpcId", id.clone())]).await?;
        }
        Action::AwsRequestPeering {
            link,
            requester,
            accepter,
        } => {
            let t = target(d, desired, requester, "CreateVpcPeeringConnection")?;
            let (peer, peer_account, _) =
                d.network(desired, Cloud::Aws, "CreateVpcPeeringConnection", accepter)?;
            let mut params = vec![
                p("VpcId", vpc_of(d, requester, "CreateVpcPeeringConnection")?),
                p(
                    "PeerVpcId",
                    vpc_of(d, accepter, "CreateVpcPeeringConnection")?,
                ),
                p("PeerOwnerId", peer_account.id.clone()),
                p("PeerRegion", region_of(peer)),
            ];
            let name = format!("{}--{link}", desired.name);
            params.extend(tag_spec(
                "vpc-peering-connection",
                &[
                    ("Name", &name),
                    (TAG_TOPOLOGY, &desired.name),
                    (TAG_LINK, link),
                ],
            ));
            let root = call(&http, &t, "CreateVpcPeeringConnection", link, &params).await?;
            let id = root
                .at(&["vpcPeeringConnection", "vpcPeeringConnectionId"])
                .map(|n| n.text.clone())
                .unwrap_or_default();
            d.found.peerings.insert(link.clone(), id);
        }
        Action::AwsAdoptPeering { link, peering } => {
            d.found.peerings.insert(link.clone(), peering.clone());
            let (id, requester, accepter) = link_peering(d, desired, link, "CreateTags")?;
            for side in [requester, accepter] {
                let t = target(d, desired, &side, "CreateTags")?;
                let params = vec![
                    p("ResourceId.1", id.clone()),
                    p("Tag.1.Key", TAG_TOPOLOGY),
                    p("Tag.1.Value", desired.name.clone()),
                    p("Tag.2.Key", TAG_LINK),
                    p("Tag.2.Value", link.clone()),
                ];
                call(&http, &t, "CreateTags", &id, &params).await?;
            }
        }
        Action::AwsAcceptPeering { link } => {
            let (id, _, accepter) = link_peering(d, desired, link, "AcceptVpcPeeringConnection")?;
            let t = target(d, desired, &accepter, "AcceptVpcPeeringConnection")?;
            call(
                &http,
                &t,
                "AcceptVpcPeeringConnection",
                &id,
                &[p("VpcPeeringConnectionId", id.clone())],
            )
            .await?;
        }
        Action::AwsAwaitPeering { link } => {
            let (id, requester, _) =
                link_peering(d, desired, link, "DescribeVpcPeeringConnections")?;
            let t = target(d, desired, &requester, "DescribeVpcPeeringConnections")?;
            for _ in 0..AWAIT_POLLS {
                let root = call(
                    &http,
                    &t,
                    "DescribeVpcPeeringConnections",
                    &id,
                    &[p("VpcPeeringConnectionId.1", id.clone())],
                )
                .await?;
                let now = root.items("vpcPeeringConnectionSet").next().map(peering);
                match now.map(|pc| pc.status) {
                    Some(AwsStatus::Active) => return Ok(()),
                    Some(s) if s.is_live() => tokio::time::sleep(d.poll).await,
                    other => {
                        return Err(DriverError {
                            retry: Retry::Never,
                            ..ec2_error(
                                "DescribeVpcPeeringConnections",
                                "PeeringNotLive",
                                format!("{id} is {other:?}"),
                            )
                        })
                    }
                }
            }
            return Err(DriverError {
                retry: Retry::Busy,
                ..ec2_error(
                    "DescribeVpcPeeringConnections",
                    "PeeringNotActiveYet",
                    format!("{id} is not active yet"),
                )
            });
        }
        Action::AwsSetDns { link, enabled } => {
            let (id, requester, accepter) =
                link_peering(d, desired, link, "ModifyVpcPeeringConnectionOptions")?;
            for (side, prefix) in [
                (requester, "RequesterPeeringConnectionOptions"),
                (accepter, "AccepterPeeringConnectionOptions"),
            ] {
                let t = target(d, desired, &side, "ModifyVpcPeeringConnectionOptions")?;
                let params = vec![
                    p("VpcPeeringConnectionId", id.clone()),
                    p(
                        format!("{prefix}.AllowDnsResolutionFromRemoteVpc"),
                        enabled.to_string(),
                    ),
                ];
                call(&http, &t, "ModifyVpcPeeringConnectionOptions", &id, &params).await?;
            }
        }
        Action::AwsDeletePeering { peering, .. } => {
            let known = d
                .found
                .observed
                .aws_peerings
                .iter()
                .find(|pc| &pc.id == peering);
            let side = known
                .and_then(|pc| {
                    network_of_vpc(d, &pc.requester).or_else(|| network_of_vpc(d, &pc.accepter))
                })
                .map(str::to_string)
                .ok_or_else(|| {
                    DriverError::transport(
                        Cloud::Aws,
                        "DeleteVpcPeeringConnection",
                        format!("{peering}: its VPCs are not the topology's"),
                    )
                })?;
            let t = target(d, desired, &side, "DeleteVpcPeeringConnection")?;
            call(
                &http,
                &t,
                "DeleteVpcPeeringConnection",
                peering,
                &[p("VpcPeeringConnectionId", peering.clone())],
            )
            .await?;
        }
        Action::AwsCreateRoute {
            network,
            destination,
            link,
            ..
        }
        | Action::AwsReplaceRoute {
            network,
            destination,
            link,
            ..
        } => {
            let (verb, table) = match action {
                Action::AwsReplaceRoute { table, .. } => ("ReplaceRoute", table.clone()),
                Action::AwsCreateRoute {
                    table: TableRef::Id(id),
                    ..
                } => ("CreateRoute", id.clone()),
                _ => (
                    "CreateRoute",
                    d.found.main_tables.get(network).cloned().ok_or_else(|| {
                        ec2_error(
                            "CreateRoute",
                            "InvalidRouteTableID.NotFound",
                            format!("no main route table for {network} yet"),
                        )
                    })?,
                ),
            };
            let (id, _, _) = link_peering(d, desired, link, verb)?;
            let t = target(d, desired, network, verb)?;
            let params = vec![
                p("RouteTableId", table.clone()),
                p("DestinationCidrBlock", destination.to_string()),
                p("VpcPeeringConnectionId", id),
            ];
            call(&http, &t, verb, &format!("{table} {destination}"), &params).await?;
        }
        Action::AwsDeleteRoute {
            network,
            table,
            destination,
            ..
        } => {
            let t = target(d, desired, network, "DeleteRoute")?;
            let params = vec![
                p("RouteTableId", table.clone()),
                p("DestinationCidrBlock", destination.to_string()),
            ];
            match call(
                &http,
                &t,
                "DeleteRoute",
                &format!("{table} {destination}"),
                &params,
            )
            .await
            {
                Err(e) if e.code == "InvalidRoute.NotFound" => {}
                other => {
                    other?;
                }
            }
        }
        Action::AwsAllowIngress {
            network,
            link,
            opening,
            source,
        }
        | Action::AwsRevokeIngress {
            network,
            link,
            opening,
            source,
        } => {
            let allow = matches!(action, Action::AwsAllowIngress { .. });
            let verb = if allow {
                "AuthorizeSecurityGroupIngress"
            } else {
                "RevokeSecurityGroupIngress"
            };
            let group = d
                .found
                .default_groups
                .get(network)
                .cloned()
                .ok_or_else(|| {
                    ec2_error(
                        verb,
                        "InvalidGroup.NotFound",
                        format!("no default group for {network} yet"),
                    )
                })?;
            let t = target(d, desired, network, verb)?;
            let description = rule_description(&desired.name, link);
            let mut params = vec![p("GroupId", group.clone())];
            params.extend(permission(
                opening,
                source,
                allow.then_some(description.as_str()),
            ));
            let done = call(
                &http,
                &t,
                verb,
                &format!("{group} {opening} from {source}"),
                &params,
            )
            .await;
            match done {
                Err(e) if e.code == "InvalidPermission.Duplicate" && allow => {}
                Err(e) if e.code == "InvalidPermission.NotFound" && !allow => {}
                other => {
                    other?;
                }
            }
        }
        Action::AwsAllowGroupIngress {
            network,
            link,
            opening,
            peer,
        } => {
            let verb = "AuthorizeSecurityGroupIngress";
            let group = default_group(d, network, verb)?;
            let source = default_group(d, peer, verb)?;
            let owner = desired.accounts[&desired.networks[peer].account].id.clone();
            let t = target(d, desired, network, verb)?;
            let description = rule_description(&desired.name, link);
            let mut params = vec![p("GroupId", group.clone())];
            params.extend(group_permission(
                opening,
                &source,
                &owner,
                Some(&description),
            ));
            let what = format!("{group} {opening} from {source}");
            match call(&http, &t, verb, &what, &params).await {
                Err(e) if e.code == "InvalidPermission.Duplicate" => {}
                other => {
                    other?;
                }
            }
        }
        Action::AwsRevokeGroupIngress {
            network,
            opening,
            group: source,
            owner,
            ..
        } => {
            let verb = "RevokeSecurityGroupIngress";
            let group = default_group(d, network, verb)?;
            let t = target(d, desired, network, verb)?;
            let mut params = vec![p("GroupId", group.clone())];
            params.extend(group_permission(opening, source, owner, None));
            let what = format!("{group} {opening} from {source}");
            match call(&http, &t, verb, &what, &params).await {
                Err(e) if e.code == "InvalidPermission.NotFound" => {}
                other => {
                    other?;
                }
            }
        }
        other => {
            return Err(DriverError::transport(
                Cloud::Aws,
                &other.to_string(),
                "not an AWS step",
            ));
        }
    }
    Ok(())
}
