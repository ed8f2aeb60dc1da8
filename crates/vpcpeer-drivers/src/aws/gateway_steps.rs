//! The AWS gateway steps (see `gateways.rs` for what they make and how they are found): each
//! one EC2 call or a few, as the account of the gateway's network, in its region.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use aws_sdk_ec2::types::{
    AttributeBooleanValue, DomainType, Filter, InstanceType, IpPermission, IpRange, ResourceType,
    RouteTable,
};
use aws_sdk_ec2::Client;
use base64::Engine as _;
use ipnet::Ipv4Net;
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::gateway::{digest, SubnetRef, DEFAULT_PORT, IMAGE_NAME};
use vpcpeer_controller::names::{
    gateway_resource, TAG_CONFIG, TAG_GATEWAY, TAG_GATEWAY_SUBNET, TAG_NETWORK, TAG_TOPOLOGY,
};
use vpcpeer_controller::{Action, Cloud, Desired};

use super::gateways::{
    address_of, await_state, group_of, inner_sources, instance_of, ours, subnet_by_cidr,
    to_internet, tunnel_sources, vm_client, vm_tags, DEFAULT_SIZE,
};
use super::read::{filters, tag_spec};
use super::routes::{delete_route, put_route, table_id, Target};
use super::{client, ec2_error, fails};
use crate::{DriverError, Drivers};

/// Carries out one AWS gateway step; `Ok(false)` when the action is not one.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<bool, DriverError> {
    match action {
        Action::CreateGatewaySubnet {
            network,
            cidr,
            zone,
            ..
        } => {
            let call = "CreateSubnet";
            let vpc = super::vpc_of(d, network, call)?;
            let c = client(d, desired, network, call)?;
            let vm = desired
                .gateways
                .values()
                .filter(|g| &g.network == network)
                .flat_map(|g| g.vms())
                .find(|v| *v.subnet == SubnetRef::Create(*cidr))
                .map(|v| v.name.to_string())
                .unwrap_or_default();
            let subnet = match subnet_by_cidr(&c, &vpc, &cidr.to_string()).await? {
                Some(id) => id,
                None => c
                    .create_subnet()
                    .vpc_id(&vpc)
                    .cidr_block(cidr.to_string())
                    .set_availability_zone(zone.clone())
                    .tag_specifications(tag_spec(
                        ResourceType::Subnet,
                        &[
                            ("Name", &gateway_resource(&desired.name, &vm)),
                            (TAG_TOPOLOGY, &desired.name),
                            (TAG_NETWORK, network),
                            (TAG_GATEWAY, &vm),
                        ],
                    ))
                    .send()
                    .await
                    .map_err(fails(call, &cidr.to_string()))?
                    .subnet()
                    .and_then(|s| s.subnet_id())
                    .unwrap_or_default()
                    .to_string(),
            };
            let igws = c
                .describe_internet_gateways()
                .set_filters(Some(filters(&[("attachment.vpc-id", &vpc)])))
                .send()
                .await
                .map_err(fails("DescribeInternetGateways", &vpc))?;
            let igw = match igws
                .internet_gateways()
                .first()
                .and_then(|g| g.internet_gateway_id())
            {
                Some(id) => id.to_string(),
                None => {
                    let made = c
                        .create_internet_gateway()
                        .tag_specifications(tag_spec(
                            ResourceType::InternetGateway,
                            &[(TAG_TOPOLOGY, &desired.name), (TAG_NETWORK, network)],
                        ))
                        .send()
                        .await
                        .map_err(fails("CreateInternetGateway", &vpc))?;
                    let id = made
                        .internet_gateway()
                        .and_then(|g| g.internet_gateway_id())
                        .unwrap_or_default()
                        .to_string();
                    c.attach_internet_gateway()
                        .internet_gateway_id(&id)
                        .vpc_id(&vpc)
                        .send()
                        .await
                        .map_err(fails("AttachInternetGateway", &id))?;
                    id
                }
            };
            let tables = c
                .describe_route_tables()
                .set_filters(Some(filters(&[(
                    &format!("tag:{TAG_GATEWAY_SUBNET}"),
                    &subnet,
                )])))
                .send()
                .await
                .map_err(fails("DescribeRouteTables", &subnet))?;
            let table = match tables.route_tables().first() {
                Some(t) => t.clone(),
                None => c
                    .create_route_table()
                    .vpc_id(&vpc)
                    .tag_specifications(tag_spec(
                        ResourceType::RouteTable,
                        &[
                            (TAG_TOPOLOGY, &desired.name),
                            (TAG_NETWORK, network),
                            (TAG_GATEWAY_SUBNET, &subnet),
                        ],
                    ))
                    .send()
                    .await
                    .map_err(fails("CreateRouteTable", &subnet))?
                    .route_table()
                    .cloned()
                    .unwrap_or_else(|| RouteTable::builder().build()),
            };
            let table_id = table.route_table_id().unwrap_or_default().to_string();
            if !to_internet(&table) {
                c.create_route()
                    .route_table_id(&table_id)
                    .destination_cidr_block("0.0.0.0/0")
                    .gateway_id(&igw)
                    .send()
                    .await
                    .map_err(fails("CreateRoute", &table_id))?;
            }
            if !table
                .associations()
                .iter()
                .any(|a| a.subnet_id() == Some(subnet.as_str()))
            {
                c.associate_route_table()
                    .route_table_id(&table_id)
                    .subnet_id(&subnet)
                    .send()
                    .await
                    .map_err(fails("AssociateRouteTable", &subnet))?;
            }
        }
        Action::AllocateAddress {
            gateway, network, ..
        } => {
            let c = client(d, desired, network, "AllocateAddress")?;
            let made = c
                .allocate_address()
                .domain(DomainType::Vpc)
                .tag_specifications(tag_spec(
                    ResourceType::ElasticIp,
                    &vm_tags(desired, network, gateway),
                ))
                .send()
                .await
                .map_err(fails("AllocateAddress", gateway))?;
            if let Some(ip) = made.public_ip().and_then(|ip| ip.parse().ok()) {
                d.found.gateway_addresses.insert(gateway.clone(), ip);
            }
        }
        Action::GatewayFirewall {
            gateway,
            network,
            peers,
            inner,
            ..
        } => {
            let call = "AuthorizeSecurityGroupIngress";
            let want =
                d.peer_addresses(peers, |m| ec2_error(call, "InvalidAddress.NotFound", m))?;
            let c = client(d, desired, network, call)?;
            let group = match group_of(&c, desired, gateway).await? {
                Some(g) => g,
                None => {
                    let vpc = super::vpc_of(d, network, "CreateSecurityGroup")?;
                    c.create_security_group()
                        .group_name(gateway_resource(&desired.name, gateway))
                        .description(format!("vpcpeer gateway {gateway}: tunnels from its peers"))
                        .vpc_id(vpc)
                        .tag_specifications(tag_spec(
                            ResourceType::SecurityGroup,
                            &vm_tags(desired, network, gateway),
                        ))
                        .send()
                        .await
                        .map_err(fails("CreateSecurityGroup", gateway))?
                        .group_id()
                        .unwrap_or_default()
                        .to_string()
                }
            };
            let described = c
                .describe_security_groups()
                .group_ids(&group)
                .send()
                .await
                .map_err(fails("DescribeSecurityGroups", &group))?;
            let permissions = described
                .security_groups()
                .first()
                .map(|g| g.ip_permissions())
                .unwrap_or_default();
            let have: BTreeSet<Ipv4Addr> = tunnel_sources(permissions).into_iter().collect();
            let inner_have: BTreeSet<Ipv4Net> = inner_sources(permissions).into_iter().collect();
            let inner_want: BTreeSet<Ipv4Net> = inner.iter().copied().collect();
            let permission = |ips: &BTreeSet<&Ipv4Addr>| {
                ips.iter()
                    .fold(
                        IpPermission::builder()
                            .ip_protocol("udp")
                            .from_port(i32::from(DEFAULT_PORT))
                            .to_port(i32::from(DEFAULT_PORT)),
                        |b, ip| {
                            b.ip_ranges(
                                IpRange::builder()
                                    .cidr_ip(format!("{ip}/32"))
                                    .description(format!("vpcpeer:{}:{gateway}", desired.name))
                                    .build(),
                            )
                        },
                    )
                    .build()
            };
            let all_from = |blocks: &BTreeSet<&Ipv4Net>| {
                blocks
                    .iter()
                    .fold(IpPermission::builder().ip_protocol("-1"), |b, block| {
                        b.ip_ranges(
                            IpRange::builder()
                                .cidr_ip(block.to_string())
                                .description(format!("vpcpeer:{}:{gateway}:inner", desired.name))
                                .build(),
                        )
                    })
                    .build()
            };
            // The tunnel permission of `ips` and the inner one of `blocks`, each if not empty.
            let permissions = |ips: BTreeSet<&Ipv4Addr>, blocks: BTreeSet<&Ipv4Net>| {
                let mut out = Vec::new();
                if !ips.is_empty() {
                    out.push(permission(&ips));
                }
                if !blocks.is_empty() {
                    out.push(all_from(&blocks));
                }
                out
            };
            let revoke = permissions(
                have.difference(&want).collect(),
                inner_have.difference(&inner_want).collect(),
            );
            if !revoke.is_empty() {
                c.revoke_security_group_ingress()
                    .group_id(&group)
                    .set_ip_permissions(Some(revoke))
                    .send()
                    .await
                    .map_err(fails("RevokeSecurityGroupIngress", &group))?;
            }
            let authorize = permissions(
                want.difference(&have).collect(),
                inner_want.difference(&inner_have).collect(),
            );
            if !authorize.is_empty() {
                c.authorize_security_group_ingress()
                    .group_id(&group)
                    .set_ip_permissions(Some(authorize))
                    .send()
                    .await
                    .map_err(fails(call, &group))?;
            }
        }
        Action::LaunchGateway {
            gateway,
            network,
            subnet,
            size,
            tunnels,
            ..
        } => {
            let call = "RunInstances";
            let rendered =
                d.gateway_config(desired, (Cloud::Aws, call), gateway, tunnels, |m| {
                    ec2_error(call, "InvalidAddress.NotFound", m)
                })?;
            let c = client(d, desired, network, call)?;
            let vpc = super::vpc_of(d, network, call)?;
            let subnet_id = match subnet {
                SubnetRef::Create(cidr) => subnet_by_cidr(&c, &vpc, &cidr.to_string())
                    .await?
                    .ok_or_else(|| {
                        ec2_error(
                            call,
                            "InvalidSubnetID.NotFound",
                            format!("no subnet {cidr} in {network} yet"),
                        )
                    })?,
                SubnetRef::Existing(id) => id.clone(),
            };
            let group = group_of(&c, desired, gateway).await?.ok_or_else(|| {
                ec2_error(
                    call,
                    "InvalidGroup.NotFound",
                    format!("no security group for gateway {gateway} yet"),
                )
            })?;
            let images = c
                .describe_images()
                .set_filters(Some(filters(&[("name", IMAGE_NAME)])))
                .send()
                .await
                .map_err(fails("DescribeImages", IMAGE_NAME))?;
            let image = images
                .images()
                .first()
                .and_then(|i| i.image_id())
                .ok_or_else(|| DriverError {
                    cloud: Cloud::Aws,
                    call: "DescribeImages".into(),
                    status: None,
                    code: "InvalidAMIName.NotFound".into(),
                    message: format!("no image named {IMAGE_NAME} in this region"),
                    retry: Retry::Never,
                })?
                .to_string();
            let text = rendered.render();
            let sum = digest(&rendered);
            let mut tags = vm_tags(desired, network, gateway);
            let name = gateway_resource(&desired.name, gateway);
            tags.push(("Name", &name));
            tags.push((TAG_CONFIG, &sum));
            let made = c
                .run_instances()
                .image_id(image)
                .instance_type(InstanceType::from(size.as_deref().unwrap_or(DEFAULT_SIZE)))
                .min_count(1)
                .max_count(1)
                .subnet_id(&subnet_id)
                .security_group_ids(&group)
                .user_data(base64::engine::general_purpose::STANDARD.encode(text))
                .tag_specifications(tag_spec(ResourceType::Instance, &tags))
                .send()
                .await
                .map_err(fails(call, gateway))?;
            let id = made
                .instances()
                .first()
                .and_then(|i| i.instance_id())
                .unwrap_or_default()
                .to_string();
            d.found
                .gateway_instances
                .insert(gateway.clone(), id.clone());
            await_state(d, &c, &id, &["running"]).await?;
            forwarding_off(&c, &id).await?;
            attach(&c, desired, gateway, &id).await?;
        }
        Action::GatewayForwarding { gateway, .. } => {
            let id = instance_of(d, gateway, "ModifyInstanceAttribute")?;
            let c = vm_client(d, desired, gateway, "ModifyInstanceAttribute")?;
            forwarding_off(&c, &id).await?;
        }
        Action::AttachAddress { gateway, .. } => {
            let id = instance_of(d, gateway, "AssociateAddress")?;
            let c = vm_client(d, desired, gateway, "AssociateAddress")?;
            attach(&c, desired, gateway, &id).await?;
        }
        Action::DeleteGateway { gateway, id, .. } => {
            let c = vm_client(d, desired, gateway, "TerminateInstances")?;
            let done = c
                .terminate_instances()
                .instance_ids(id)
                .send()
                .await
                .map_err(fails("TerminateInstances", id));
            match done {
                Err(e) if e.code == "InvalidInstanceID.NotFound" => {}
                other => {
                    other?;
                    await_state(d, &c, id, &["terminated", ""]).await?;
                }
            }
            d.found.gateway_instances.remove(gateway);
        }
        Action::DeleteGatewayFirewall { gateway, .. } => {
            let c = vm_client(d, desired, gateway, "DeleteSecurityGroup")?;
            if let Some(g) = group_of(&c, desired, gateway).await? {
                c.delete_security_group()
                    .group_id(&g)
                    .send()
                    .await
                    .map_err(fails("DeleteSecurityGroup", &g))?;
            }
        }
        Action::ReleaseAddress { gateway, id, .. } => {
            let c = vm_client(d, desired, gateway, "ReleaseAddress")?;
            if let Some((_, _, Some(association))) = address_of(&c, desired, gateway).await? {
                c.disassociate_address()
                    .association_id(association)
                    .send()
                    .await
                    .map_err(fails("DisassociateAddress", id))?;
            }
            c.release_address()
                .allocation_id(id)
                .send()
                .await
                .map_err(fails("ReleaseAddress", id))?;
            d.found.gateway_addresses.remove(gateway);
        }
        Action::DeleteGatewaySubnet { network, id, .. } => {
            delete_subnet(d, desired, network, id).await?;
        }
        Action::CreateGatewayRoute(r) => {
            let table = table_id(d, &r.network, &r.table)?;
            let instance = instance_of(d, &r.gateway, "CreateRoute")?;
            let to = Target::Instance(instance);
            put_route(d, desired, &r.network, &table, r.destination, to, false).await?;
        }
        Action::ReplaceGatewayRoute(r) => {
            let instance = instance_of(d, &r.gateway, "ReplaceRoute")?;
            let to = Target::Instance(instance);
            put_route(d, desired, &r.network, &r.table, r.destination, to, true).await?;
        }
        Action::DeleteGatewayRoute {
            network,
            table,
            destination,
            ..
        } => delete_route(d, desired, network, table, *destination).await?,
        _ => return Ok(false),
    }
    Ok(true)
}

async fn forwarding_off(c: &Client, id: &str) -> Result<(), DriverError> {
    c.modify_instance_attribute()
        .instance_id(id)
        .source_dest_check(AttributeBooleanValue::builder().value(false).build())
        .send()
        .await
        .map_err(fails("ModifyInstanceAttribute", id))?;
    Ok(())
}

async fn attach(c: &Client, desired: &Desired, vm: &str, id: &str) -> Result<(), DriverError> {
    let (allocation, _, _) = address_of(c, desired, vm).await?.ok_or_else(|| {
        ec2_error(
            "AssociateAddress",
            "InvalidAllocationID.NotFound",
            format!("gateway {vm} has no Elastic IP yet"),
        )
    })?;
    c.associate_address()
        .allocation_id(allocation)
        .instance_id(id)
        .send()
        .await
        .map_err(fails("AssociateAddress", vm))?;
    Ok(())
}

/// Deletes a gateway subnet the controller made, its route table, and the VPC's internet gateway
/// when the controller made it and no other gateway subnet of the topology is left in the VPC.
async fn delete_subnet(
    d: &Drivers,
    desired: &Desired,
    network: &str,
    id: &str,
) -> Result<(), DriverError> {
    let c = client(d, desired, network, "DeleteSubnet")?;
    let tables = c
        .describe_route_tables()
        .set_filters(Some(filters(&[(&format!("tag:{TAG_GATEWAY_SUBNET}"), id)])))
        .send()
        .await
        .map_err(fails("DescribeRouteTables", id))?;
    for t in tables.route_tables() {
        for a in t.associations() {
            if let Some(assoc) = a.route_table_association_id() {
                c.disassociate_route_table()
                    .association_id(assoc)
                    .send()
                    .await
                    .map_err(fails("DisassociateRouteTable", assoc))?;
            }
        }
        let table = t.route_table_id().unwrap_or_default();
        c.delete_route_table()
            .route_table_id(table)
            .send()
            .await
            .map_err(fails("DeleteRouteTable", table))?;
    }
    let subnets = c
        .describe_subnets()
        .subnet_ids(id)
        .send()
        .await
        .map_err(fails("DescribeSubnets", id));
    let vpc = match subnets {
        Err(e) if e.code == "InvalidSubnetID.NotFound" => return Ok(()),
        other => other?
            .subnets()
            .first()
            .and_then(|s| s.vpc_id())
            .unwrap_or_default()
            .to_string(),
    };
    c.delete_subnet()
        .subnet_id(id)
        .send()
        .await
        .map_err(fails("DeleteSubnet", id))?;
    let others = c
        .describe_subnets()
        .set_filters(Some(
            [
                ours(desired),
                filters(&[("vpc-id", &vpc)]),
                vec![Filter::builder()
                    .name("tag-key")
                    .values(TAG_GATEWAY)
                    .build()],
            ]
            .concat(),
        ))
        .send()
        .await
        .map_err(fails("DescribeSubnets", &vpc))?;
    if !others.subnets().is_empty() {
        return Ok(());
    }
    let igws = c
        .describe_internet_gateways()
        .set_filters(Some(
            [ours(desired), filters(&[("attachment.vpc-id", &vpc)])].concat(),
        ))
        .send()
        .await
        .map_err(fails("DescribeInternetGateways", &vpc))?;
    for g in igws.internet_gateways() {
        let igw = g.internet_gateway_id().unwrap_or_default();
        c.detach_internet_gateway()
            .internet_gateway_id(igw)
            .vpc_id(&vpc)
            .send()
            .await
            .map_err(fails("DetachInternetGateway", igw))?;
        c.delete_internet_gateway()
            .internet_gateway_id(igw)
            .send()
            .await
            .map_err(fails("DeleteInternetGateway", igw))?;
    }
    Ok(())
}
