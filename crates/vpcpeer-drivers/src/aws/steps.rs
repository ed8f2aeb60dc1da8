//! The AWS steps, one EC2 call (or a few) each through `aws-sdk-ec2`, each as the account that
//! owns what it changes, in that resource's region. A step run again after its answer was lost
//! (a killed apply, then another) does not duplicate: a VPC and a peering carry the topology's
//! tags from their create call, so the next observe finds them and the plan no longer asks for
//! them; a rule already there, and a route or rule already gone, count as done.

use aws_sdk_ec2::types::{AttributeBooleanValue, PeeringConnectionOptionsRequest, ResourceType};
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::names::{rule_description, TAG_LINK, TAG_NETWORK, TAG_TOPOLOGY};
use vpcpeer_controller::observed::AwsStatus;
use vpcpeer_controller::plan::AwsIngressSpec;
use vpcpeer_controller::{Action, Cloud, Desired};

use super::read::{group_permission, peering, permission, route_table, tag, tag_spec};
use super::routes::{delete_route, put_route, table_id, Target};
use super::{client, default_group_of, ec2_error, fails, region_of, route_tables, vpc_of};
use crate::{DriverError, Drivers};

/// Polls of a peering on its way to active before the step is given back to the loop.
const AWAIT_POLLS: u32 = 50;

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
    if super::gateway_steps::execute(d, desired, action).await? {
        return Ok(());
    }
    match action {
        Action::CreateNetwork { network, cidrs, .. } => {
            let c = client(d, desired, network, "CreateVpc")?;
            let made = c
                .create_vpc()
                .cidr_block(cidrs[0].to_string())
                .tag_specifications(tag_spec(
                    ResourceType::Vpc,
                    &[
                        ("Name", network),
                        (TAG_TOPOLOGY, &desired.name),
                        (TAG_NETWORK, network),
                    ],
                ))
                .send()
                .await
                .map_err(fails("CreateVpc", network))?;
            let vpc = made
                .vpc()
                .and_then(|v| v.vpc_id())
                .unwrap_or_default()
                .to_string();
            d.found.vpcs.insert(network.clone(), vpc.clone());
            for cidr in &cidrs[1..] {
                c.associate_vpc_cidr_block()
                    .vpc_id(&vpc)
                    .cidr_block(cidr.to_string())
                    .send()
                    .await
                    .map_err(fails("AssociateVpcCidrBlock", network))?;
            }
            let tables = route_tables(&c, &vpc, network).await?;
            if let Some(main) = tables.iter().map(route_table).find(|t| t.main) {
                d.found.main_tables.insert(network.clone(), main.id);
            }
            let group = default_group_of(&c, &vpc, network).await?;
            if let Some(g) = group.as_ref().and_then(|g| g.group_id()) {
                d.found
                    .default_groups
                    .insert(network.clone(), g.to_string());
            }
        }
        Action::AwsEnableDns { network } => {
            let vpc = vpc_of(d, network, "ModifyVpcAttribute")?;
            let c = client(d, desired, network, "ModifyVpcAttribute")?;
            let on = AttributeBooleanValue::builder().value(true).build();
            // One attribute per call; support before hostnames (EC2 refuses hostnames without it).
            c.modify_vpc_attribute()
                .vpc_id(&vpc)
                .enable_dns_support(on.clone())
                .send()
                .await
                .map_err(fails("ModifyVpcAttribute", network))?;
            c.modify_vpc_attribute()
                .vpc_id(&vpc)
                .enable_dns_hostnames(on)
                .send()
                .await
                .map_err(fails("ModifyVpcAttribute", network))?;
        }
        Action::AddCidr { network, cidr, .. } => {
            let c = client(d, desired, network, "AssociateVpcCidrBlock")?;
            c.associate_vpc_cidr_block()
                .vpc_id(vpc_of(d, network, "AssociateVpcCidrBlock")?)
                .cidr_block(cidr.to_string())
                .send()
                .await
                .map_err(fails("AssociateVpcCidrBlock", network))?;
        }
        Action::DeleteNetwork { network, id, .. } => {
            let c = client(d, desired, network, "DeleteVpc")?;
            c.delete_vpc()
                .vpc_id(id)
                .send()
                .await
                .map_err(fails("DeleteVpc", network))?;
        }
        Action::AwsRequestPeering {
            link,
            requester,
            accepter,
        } => {
            let call = "CreateVpcPeeringConnection";
            let c = client(d, desired, requester, call)?;
            let (peer, peer_account, _) = d.network(desired, Cloud::Aws, call, accepter)?;
            let name = format!("{}--{link}", desired.name);
            let made = c
                .create_vpc_peering_connection()
                .vpc_id(vpc_of(d, requester, call)?)
                .peer_vpc_id(vpc_of(d, accepter, call)?)
                .peer_owner_id(&peer_account.id)
                .peer_region(region_of(peer))
                .tag_specifications(tag_spec(
                    ResourceType::VpcPeeringConnection,
                    &[
                        ("Name", &name),
                        (TAG_TOPOLOGY, &desired.name),
                        (TAG_LINK, link),
                    ],
                ))
                .send()
                .await
                .map_err(fails(call, link))?;
            let id = made
                .vpc_peering_connection()
                .and_then(|pc| pc.vpc_peering_connection_id())
                .unwrap_or_default()
                .to_string();
            d.found.peerings.insert(link.clone(), id);
        }
        Action::AwsAdoptPeering { link, peering } => {
            d.found.peerings.insert(link.clone(), peering.clone());
            let (id, requester, accepter) = link_peering(d, desired, link, "CreateTags")?;
            for side in [requester, accepter] {
                let c = client(d, desired, &side, "CreateTags")?;
                c.create_tags()
                    .resources(&id)
                    .tags(tag(TAG_TOPOLOGY, &desired.name))
                    .tags(tag(TAG_LINK, link))
                    .send()
                    .await
                    .map_err(fails("CreateTags", &id))?;
            }
        }
        Action::AwsAcceptPeering { link } => {
            let call = "AcceptVpcPeeringConnection";
            let (id, _, accepter) = link_peering(d, desired, link, call)?;
            let c = client(d, desired, &accepter, call)?;
            c.accept_vpc_peering_connection()
                .vpc_peering_connection_id(&id)
                .send()
                .await
                .map_err(fails(call, &id))?;
        }
        Action::AwsAwaitPeering { link } => {
            let call = "DescribeVpcPeeringConnections";
            let (id, requester, _) = link_peering(d, desired, link, call)?;
            let c = client(d, desired, &requester, call)?;
            for _ in 0..AWAIT_POLLS {
                let answer = c
                    .describe_vpc_peering_connections()
                    .vpc_peering_connection_ids(&id)
                    .send()
                    .await
                    .map_err(fails(call, &id))?;
                let now = answer.vpc_peering_connections().first().map(peering);
                match now.map(|pc| pc.status) {
                    Some(AwsStatus::Active) => return Ok(()),
                    Some(s) if s.is_live() => tokio::time::sleep(d.poll).await,
                    other => {
                        return Err(DriverError {
                            retry: Retry::Never,
                            ..ec2_error(call, "PeeringNotLive", format!("{id} is {other:?}"))
                        })
                    }
                }
            }
            return Err(DriverError {
                retry: Retry::Busy,
                ..ec2_error(
                    call,
                    "PeeringNotActiveYet",
                    format!("{id} is not active yet"),
                )
            });
        }
        Action::AwsSetDns { link, enabled } => {
            let call = "ModifyVpcPeeringConnectionOptions";
            let (id, requester, accepter) = link_peering(d, desired, link, call)?;
            let options = PeeringConnectionOptionsRequest::builder()
                .allow_dns_resolution_from_remote_vpc(*enabled)
                .build();
            // Each side sets its own option, as its own account.
            let c = client(d, desired, &requester, call)?;
            c.modify_vpc_peering_connection_options()
                .vpc_peering_connection_id(&id)
                .requester_peering_connection_options(options.clone())
                .send()
                .await
                .map_err(fails(call, &id))?;
            let c = client(d, desired, &accepter, call)?;
            c.modify_vpc_peering_connection_options()
                .vpc_peering_connection_id(&id)
                .accepter_peering_connection_options(options)
                .send()
                .await
                .map_err(fails(call, &id))?;
        }
        Action::AwsDeletePeering { peering, .. } => {
            let call = "DeleteVpcPeeringConnection";
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
                        call,
                        format!("{peering}: its VPCs are not the topology's"),
                    )
                })?;
            let c = client(d, desired, &side, call)?;
            c.delete_vpc_peering_connection()
                .vpc_peering_connection_id(peering)
                .send()
                .await
                .map_err(fails(call, peering))?;
        }
        Action::AwsCreateRoute(r) => {
            let table = table_id(d, &r.network, &r.table)?;
            let (id, _, _) = link_peering(d, desired, &r.link, "CreateRoute")?;
            let to = Target::Peering(id);
            put_route(d, desired, &r.network, &table, r.destination, to, false).await?;
        }
        Action::AwsReplaceRoute(r) => {
            let (id, _, _) = link_peering(d, desired, &r.link, "ReplaceRoute")?;
            let to = Target::Peering(id);
            put_route(d, desired, &r.network, &r.table, r.destination, to, true).await?;
        }
        Action::AwsDeleteRoute {
            network,
            table,
            destination,
            ..
        } => delete_route(d, desired, network, table, *destination).await?,
        Action::AwsAllowIngress(rule) | Action::AwsRevokeIngress(rule) => {
            let AwsIngressSpec {
                network,
                link,
                opening,
                source,
            } = rule;
            let allow = matches!(action, Action::AwsAllowIngress { .. });
            let verb = if allow {
                "AuthorizeSecurityGroupIngress"
            } else {
                "RevokeSecurityGroupIngress"
            };
            let group = default_group(d, network, verb)?;
            let c = client(d, desired, network, verb)?;
            let description = rule_description(&desired.name, link);
            let perm = permission(opening, source, allow.then_some(description.as_str()));
            let what = format!("{group} {opening} from {source}");
            let done = if allow {
                c.authorize_security_group_ingress()
                    .group_id(&group)
                    .ip_permissions(perm)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(fails(verb, &what))
            } else {
                c.revoke_security_group_ingress()
                    .group_id(&group)
                    .ip_permissions(perm)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(fails(verb, &what))
            };
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
            let c = client(d, desired, network, verb)?;
            let description = rule_description(&desired.name, link);
            let what = format!("{group} {opening} from {source}");
            let done = c
                .authorize_security_group_ingress()
                .group_id(&group)
                .ip_permissions(group_permission(
                    opening,
                    &source,
                    &owner,
                    Some(&description),
                ))
                .send()
                .await
                .map_err(fails(verb, &what));
            match done {
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
            let c = client(d, desired, network, verb)?;
            let what = format!("{group} {opening} from {source}");
            let done = c
                .revoke_security_group_ingress()
                .group_id(&group)
                .ip_permissions(group_permission(opening, source, owner, None))
                .send()
                .await
                .map_err(fails(verb, &what));
            match done {
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
