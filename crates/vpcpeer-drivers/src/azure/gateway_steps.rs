//! The Azure gateway steps (see `gateways.rs` for what they make, how they are named and found):
//! each a few ARM calls in the resource group of the gateway's network, each write waited for
//! to the end of its long-running operation. A delete that finds nothing has done its work.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use base64::Engine as _;
use hyper::Method;
use ipnet::Ipv4Net;
use serde_json::{json, Value};
use vpcpeer_controller::gateway::{digest, DEFAULT_PORT};
use vpcpeer_controller::names::{TAG_CONFIG, TAG_GATEWAY, TAG_NETWORK, TAG_TOPOLOGY};
use vpcpeer_controller::plan::GatewayRoute;
use vpcpeer_controller::{Action, Cloud, Desired};

use super::arm::{Arm, API};
use super::gateways::{
    piece, private_ip, resource_id, route_vm, subnet_name, table_id, API_COMPUTE, RULE,
};
use crate::{DriverError, Drivers};

/// The VM size of a gateway whose size the file leaves out.
pub(crate) const DEFAULT_SIZE: &str = "Standard_B1s";

/// A gateway VM's account (by its topology name) and region: its declared network's, else
/// where the last observe found its pieces (region unknown then: deletes need none).
fn place(
    d: &Drivers,
    desired: &Desired,
    vm: &str,
    call: &str,
) -> Result<(String, Option<String>), DriverError> {
    let declared = desired
        .gateways
        .values()
        .find(|g| g.vms().iter().any(|v| v.name == vm));
    match declared {
        Some(g) => {
            let n = &desired.networks[&g.network];
            Ok((n.account.clone(), n.region.clone()))
        }
        None => match d.found.gateway_places.get(vm) {
            Some((account, _)) => Ok((account.clone(), None)),
            None => Err(DriverError::transport(
                Cloud::Azure,
                call,
                format!("gateway {vm}: where it is is unknown"),
            )),
        },
    }
}

fn tags(desired: &Desired, network: &str, vm: &str) -> Value {
    json!({TAG_TOPOLOGY: desired.name, TAG_NETWORK: network, TAG_GATEWAY: vm})
}

/// A DELETE; 404 counts as done.
async fn delete(arm: &Arm, call: &str, path: &str) -> Result<(), DriverError> {
    match arm.write(call, Method::DELETE, path, None).await {
        Err(e) if e.status == Some(404) => Ok(()),
        other => other,
    }
}

/// The VNet id of a network: as the last observe found it, else as declared.
fn vnet_id(d: &Drivers, desired: &Desired, network: &str) -> String {
    let observed = &d.found.observed;
    match observed
        .networks
        .get(network)
        .or_else(|| observed.orphans.get(network))
    {
        Some(n) => n.id.clone(),
        None => super::declared_id(desired, network),
    }
}

/// Carries out one Azure gateway step; `Ok(false)` when the action is not one.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<bool, DriverError> {
    let t = desired.name.as_str();
    match action {
        Action::CreateGatewaySubnet { network, cidr, .. } => {
            let name = subnet_name(t, cidr);
            let call = format!("PUT subnets {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = format!("{}/subnets/{name}?{API}", vnet_id(d, desired, network));
            let body = json!({"properties": {"addressPrefix": cidr.to_string()}});
            arm.write(&call, Method::PUT, &path, Some(&body)).await?;
        }
        Action::DeleteGatewaySubnet { network, id, .. } => {
            let call = format!("DELETE subnets {id}");
            let arm = Arm::of(d, desired, &call, network)?;
            delete(&arm, &call, &format!("{id}?{API}")).await?;
        }
        Action::AllocateAddress {
            gateway, network, ..
        } => {
            let name = piece(t, gateway);
            let call = format!("PUT publicIPAddresses {name}");
            let (account, region) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, region.as_deref(), &call)?;
            let id = resource_id(
                desired,
                &account,
                "Microsoft.Network/publicIPAddresses",
                &name,
            );
            let body = json!({
                "location": region,
                "tags": tags(desired, network, gateway),
                "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static"},
            });
            let path = format!("{id}?{API}");
            arm.write(&call, Method::PUT, &path, Some(&body)).await?;
            let got = arm.get(&call, &path).await?.unwrap_or(Value::Null);
            if let Some(ip) = got["properties"]["ipAddress"]
                .as_str()
                .and_then(|s| s.parse::<Ipv4Addr>().ok())
            {
                d.found.gateway_addresses.insert(gateway.clone(), ip);
            }
        }
        Action::GatewayFirewall {
            gateway,
            network,
            peers,
            ..
        } => {
            let name = piece(t, gateway);
            let call = format!("PUT networkSecurityGroups {name}");
            let sources = d.peer_addresses(peers, |m| not_found(&call, m))?;
            let (account, region) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, region.as_deref(), &call)?;
            let id = resource_id(
                desired,
                &account,
                "Microsoft.Network/networkSecurityGroups",
                &name,
            );
            let rules: Vec<Value> = if sources.is_empty() {
                Vec::new()
            } else {
                vec![json!({"name": RULE, "properties": {
                    "priority": 100,
                    "direction": "Inbound",
                    "access": "Allow",
                    "protocol": "Udp",
                    "sourcePortRange": "*",
                    "destinationPortRange": DEFAULT_PORT.to_string(),
                    "sourceAddressPrefixes":
                        sources.iter().map(|ip| format!("{ip}/32")).collect::<Vec<_>>(),
                    "destinationAddressPrefix": "*",
                    "description": format!("vpcpeer topology {t}: tunnels to {gateway}"),
                }})]
            };
            let body = json!({
                "location": region,
                "tags": tags(desired, network, gateway),
                "properties": {"securityRules": rules},
            });
            arm.write(&call, Method::PUT, &format!("{id}?{API}"), Some(&body))
                .await?;
        }
        Action::LaunchGateway {
            gateway,
            network,
            subnet,
            size,
            tunnels,
            ..
        } => {
            let name = piece(t, gateway);
            let call = format!("PUT virtualMachines {name}");
            let rendered =
                d.gateway_config(desired, (Cloud::Azure, &call), gateway, tunnels, |m| {
                    not_found(&call, m)
                })?;
            let (account, region) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, region.as_deref(), &call)?;
            let subnet_id = format!(
                "{}/subnets/{}",
                vnet_id(d, desired, network),
                match subnet {
                    vpcpeer_controller::gateway::SubnetRef::Create(c) => subnet_name(t, c),
                    vpcpeer_controller::gateway::SubnetRef::Existing(n) => n.clone(),
                }
            );
            let net = |kind: &str| {
                resource_id(
                    desired,
                    &account,
                    &format!("Microsoft.Network/{kind}"),
                    &name,
                )
            };
            let nic_id = net("networkInterfaces");
            let nic = json!({
                "location": region,
                "tags": tags(desired, network, gateway),
                "properties": {
                    "enableIPForwarding": true,
                    "networkSecurityGroup": {"id": net("networkSecurityGroups")},
                    "ipConfigurations": [{"name": "ipconfig1", "properties": {
                        "primary": true,
                        "privateIPAllocationMethod": "Dynamic",
                        "subnet": {"id": subnet_id},
                        "publicIPAddress": {"id": net("publicIPAddresses")},
                    }}],
                },
            });
            let nic_call = format!("PUT networkInterfaces {name}");
            arm.write(
                &nic_call,
                Method::PUT,
                &format!("{nic_id}?{API}"),
                Some(&nic),
            )
            .await?;
            let mut vm_tags = tags(desired, network, gateway);
            vm_tags[TAG_CONFIG] = json!(digest(&rendered));
            let vm = json!({
                "location": region,
                "tags": vm_tags,
                "properties": {
                    "hardwareProfile": {"vmSize": size.as_deref().unwrap_or(DEFAULT_SIZE)},
                    "storageProfile": {"imageReference": {
                        "publisher": "vpcpeer",
                        "offer": "vpcpeer-gateway",
                        "sku": "v1",
                        "version": "latest",
                    }},
                    "osProfile": {
                        "computerName": gateway,
                        "adminUsername": "vpcpeer",
                        "customData": base64::engine::general_purpose::STANDARD
                            .encode(rendered.render()),
                    },
                    "networkProfile": {"networkInterfaces": [
                        {"id": nic_id, "properties": {"primary": true}},
                    ]},
                },
            });
            let vm_id = resource_id(
                desired,
                &account,
                "Microsoft.Compute/virtualMachines",
                &name,
            );
            arm.write(
                &call,
                Method::PUT,
                &format!("{vm_id}?{API_COMPUTE}"),
                Some(&vm),
            )
            .await?;
            d.found.gateway_instances.insert(gateway.clone(), vm_id);
        }
        Action::GatewayForwarding { gateway, .. } | Action::AttachAddress { gateway, .. } => {
            let name = piece(t, gateway);
            let call = format!("PUT networkInterfaces {name}");
            let (account, region) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, region.as_deref(), &call)?;
            let nic_id = resource_id(
                desired,
                &account,
                "Microsoft.Network/networkInterfaces",
                &name,
            );
            let path = format!("{nic_id}?{API}");
            let mut nic = arm.get(&call, &path).await?.ok_or_else(|| {
                DriverError::transport(Cloud::Azure, &call, "the gateway's NIC is gone")
            })?;
            nic["properties"]["enableIPForwarding"] = json!(true);
            let pip = resource_id(
                desired,
                &account,
                "Microsoft.Network/publicIPAddresses",
                &name,
            );
            nic["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"] =
                json!({ "id": pip });
            arm.write(&call, Method::PUT, &path, Some(&nic)).await?;
        }
        Action::DeleteGateway { gateway, id, .. } => {
            let call = format!("DELETE virtualMachines {id}");
            let (account, _) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, None, &call)?;
            delete(&arm, &call, &format!("{id}?{API_COMPUTE}")).await?;
            delete_nic(desired, &arm, &account, gateway).await?;
            d.found.gateway_instances.remove(gateway);
        }
        Action::DeleteGatewayFirewall { gateway, .. } => {
            let name = piece(t, gateway);
            let call = format!("DELETE networkSecurityGroups {name}");
            let (account, _) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, None, &call)?;
            delete_nic(desired, &arm, &account, gateway).await?;
            let id = resource_id(
                desired,
                &account,
                "Microsoft.Network/networkSecurityGroups",
                &name,
            );
            delete(&arm, &call, &format!("{id}?{API}")).await?;
        }
        Action::ReleaseAddress { gateway, id, .. } => {
            let call = format!("DELETE publicIPAddresses {id}");
            let (account, _) = place(d, desired, gateway, &call)?;
            let arm = Arm::at(d, &account, None, &call)?;
            delete_nic(desired, &arm, &account, gateway).await?;
            delete(&arm, &call, &format!("{id}?{API}")).await?;
            d.found.gateway_addresses.remove(gateway);
        }
        Action::CreateGatewayRoute(GatewayRoute {
            network,
            destination,
            gateway,
            ..
        })
        | Action::ReplaceGatewayRoute(GatewayRoute {
            network,
            destination,
            gateway,
            ..
        }) => {
            let route = crate::gcp::route_name(t, gateway, destination);
            let call = format!("PUT routes {network}/{route}");
            let arm = Arm::of(d, desired, &call, network)?;
            let vnet = vnet_id(d, desired, network);
            let table = table_id(&vnet, t, network);
            let hop = next_hop(d, desired, &arm, gateway, &call).await?;
            let existing = arm.get(&call, &format!("{table}?{API}")).await?;
            if existing.is_none() {
                let region = desired.networks.get(network).and_then(|n| n.region.clone());
                let body = json!({
                    "location": region,
                    "tags": {TAG_TOPOLOGY: t, TAG_NETWORK: network},
                    "properties": {"routes": []},
                });
                let tcall = format!("PUT routeTables {network}");
                arm.write(&tcall, Method::PUT, &format!("{table}?{API}"), Some(&body))
                    .await?;
            }
            // A replacement: the topology's other routes to this block go first.
            for r in routes_of(existing.as_ref()) {
                let (name, prefix) = r;
                if prefix == *destination && name != route && route_vm(t, &name).is_some() {
                    let dcall = format!("DELETE routes {network}/{name}");
                    delete(&arm, &dcall, &format!("{table}/routes/{name}?{API}")).await?;
                }
            }
            let body = json!({"properties": {
                "addressPrefix": destination.to_string(),
                "nextHopType": "VirtualAppliance",
                "nextHopIpAddress": hop.to_string(),
            }});
            let path = format!("{table}/routes/{route}?{API}");
            arm.write(&call, Method::PUT, &path, Some(&body)).await?;
            associate(desired, &arm, network, &vnet, &table).await?;
        }
        Action::DeleteGatewayRoute {
            network,
            table,
            destination,
            gateway,
            ..
        } => {
            let route = crate::gcp::route_name(t, gateway, destination);
            let call = format!("DELETE routes {network}/{route}");
            let arm = Arm::of(d, desired, &call, network)?;
            delete(&arm, &call, &format!("{table}/routes/{route}?{API}")).await?;
            let left = arm.get(&call, &format!("{table}?{API}")).await?;
            if left.as_ref().is_some_and(|v| routes_of(Some(v)).is_empty()) {
                drop_table(&arm, network, table, left.as_ref()).await?;
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The (name, block) of each route of a route table's body.
fn routes_of(table: Option<&Value>) -> Vec<(String, Ipv4Net)> {
    let routes = table.and_then(|t| t["properties"]["routes"].as_array());
    routes
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                r["name"].as_str()?.to_string(),
                r["properties"]["addressPrefix"].as_str()?.parse().ok()?,
            ))
        })
        .collect()
}

/// The private IP of a gateway VM's NIC: the next hop of routes through it.
async fn next_hop(
    d: &Drivers,
    desired: &Desired,
    arm: &Arm,
    gateway: &str,
    call: &str,
) -> Result<Ipv4Addr, DriverError> {
    let (account, _) = place(d, desired, gateway, call)?;
    let name = piece(&desired.name, gateway);
    let nic_id = resource_id(
        desired,
        &account,
        "Microsoft.Network/networkInterfaces",
        &name,
    );
    let nic = arm.get(call, &format!("{nic_id}?{API}")).await?;
    nic.as_ref().and_then(private_ip).ok_or_else(|| {
        not_found(
            call,
            format!("gateway {gateway} has no network interface yet"),
        )
    })
}

/// A piece a step needs is not there yet: `NotFound`, as ARM words it.
fn not_found(call: &str, message: String) -> DriverError {
    DriverError {
        code: "NotFound".into(),
        ..DriverError::transport(Cloud::Azure, call, message)
    }
}

/// Associates the route table with the VNet's subnets but the gateways' (those a NIC of the
/// topology's gateways sits in, and those made for gateways).
async fn associate(
    desired: &Desired,
    arm: &Arm,
    network: &str,
    vnet: &str,
    table: &str,
) -> Result<(), DriverError> {
    let call = format!("GET virtualNetworks {network}");
    let Some(body) = arm.get(&call, &format!("{vnet}?{API}")).await? else {
        return Ok(());
    };
    let gateway_subnets: BTreeSet<String> = desired
        .gateways
        .values()
        .filter(|g| g.network == network)
        .flat_map(|g| g.vms())
        .map(|v| match v.subnet {
            vpcpeer_controller::gateway::SubnetRef::Create(c) => subnet_name(&desired.name, c),
            vpcpeer_controller::gateway::SubnetRef::Existing(n) => n.clone(),
        })
        .map(|n| n.to_ascii_lowercase())
        .collect();
    for s in body["properties"]["subnets"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = s["name"].as_str().unwrap_or_default();
        let made_for_gateways = name
            .strip_prefix(&desired.name)
            .is_some_and(|r| r.starts_with("--gw-"));
        if made_for_gateways || gateway_subnets.contains(&name.to_ascii_lowercase()) {
            continue;
        }
        let has = s["properties"]["routeTable"]["id"].as_str();
        if has.is_some_and(|h| h.eq_ignore_ascii_case(table)) {
            continue;
        }
        if has.is_some() {
            // Another table is the subnet's: it is someone else's choice, left as it is.
            continue;
        }
        let id = s["id"].as_str().unwrap_or_default();
        let mut put = json!({"properties": s["properties"].clone()});
        put["properties"]["routeTable"] = json!({ "id": table });
        let scall = format!("PUT subnets {network}/{name}");
        arm.write(&scall, Method::PUT, &format!("{id}?{API}"), Some(&put))
            .await?;
    }
    Ok(())
}

/// Deletes the topology's route table once its last route is gone, after taking it off the
/// subnets it is associated with.
async fn drop_table(
    arm: &Arm,
    network: &str,
    table: &str,
    body: Option<&Value>,
) -> Result<(), DriverError> {
    let subnets = body
        .and_then(|b| b["properties"]["subnets"].as_array())
        .cloned()
        .unwrap_or_default();
    for s in subnets {
        let Some(id) = s["id"].as_str() else { continue };
        let call = format!("PUT subnets {id} (route table off)");
        let Some(mut sub) = arm.get(&call, &format!("{id}?{API}")).await? else {
            continue;
        };
        if let Some(p) = sub["properties"].as_object_mut() {
            p.remove("routeTable");
        }
        let put = json!({"properties": sub["properties"].clone()});
        arm.write(&call, Method::PUT, &format!("{id}?{API}"), Some(&put))
            .await?;
    }
    let call = format!("DELETE routeTables {network}");
    delete(arm, &call, &format!("{table}?{API}")).await
}

/// Deletes a gateway VM's NIC (its VM gone), which holds its NSG and public IP.
async fn delete_nic(
    desired: &Desired,
    arm: &Arm,
    account: &str,
    gateway: &str,
) -> Result<(), DriverError> {
    let name = piece(&desired.name, gateway);
    let id = resource_id(
        desired,
        account,
        "Microsoft.Network/networkInterfaces",
        &name,
    );
    let call = format!("DELETE networkInterfaces {name}");
    let nic = arm.get(&call, &format!("{id}?{API}")).await?;
    if nic.is_some() {
        delete(arm, &call, &format!("{id}?{API}")).await?;
    }
    Ok(())
}
