//! The GCP gateway steps (see `gateways.rs` for what they make, how they are named and found):
//! each one Compute Engine call or a few, in the project and region of the gateway's network,
//! waiting for each operation to be `DONE`.

use std::net::Ipv4Addr;

use google_cloud_compute_v1::model::access_config::Type as AccessType;
use google_cloud_compute_v1::model::address::AddressType;
use google_cloud_compute_v1::model::firewall::{Allowed, Direction};
use google_cloud_compute_v1::model::{
    metadata, AccessConfig, Address, AttachedDisk, AttachedDiskInitializeParams, Firewall,
    Instance, Metadata, NetworkInterface, Route, Tags,
};
use ipnet::Ipv4Net;
use vpcpeer_controller::gateway::{digest, DEFAULT_PORT};
use vpcpeer_controller::names::{gateway_resource, owned_name};
use vpcpeer_controller::plan::GatewayRoute;
use vpcpeer_controller::{Action, Cloud, Desired};

use super::api::{parts, project_of, Api};
use super::gateways::{
    description, inner_rule_name, route_name, routes_of, subnetwork_of, to_internet, vm_tag,
    DEFAULT_SIZE, KEY_CONFIG, KEY_NETWORK, KEY_USER_DATA, SOURCE_IMAGE,
};
use super::{gone_if_absent, target};
use crate::{DriverError, Drivers};

/// The API, project and region of a gateway VM: its declared network's, else where the last
/// observe found it.
async fn vm_api(
    d: &Drivers,
    desired: &Desired,
    vm: &str,
    call: &str,
) -> Result<(Api, String, String), DriverError> {
    let declared = desired
        .gateways
        .values()
        .find(|g| g.vms().iter().any(|v| v.name == vm));
    let (account, region) = match declared {
        Some(g) => {
            let n = &desired.networks[&g.network];
            (n.account.clone(), n.region.clone().unwrap_or_default())
        }
        None => d.found.gateway_places.get(vm).cloned().ok_or_else(|| {
            DriverError::transport(
                Cloud::Gcp,
                call,
                format!("gateway {vm}: where it is is unknown"),
            )
        })?,
    };
    let access = d.access.get(&account).ok_or_else(|| {
        DriverError::transport(Cloud::Gcp, call, format!("no access for account {account}"))
    })?;
    let api = Api::new(&d.gcp, call, access, Some(&region), d.poll).await?;
    let project = desired.accounts[&account].id.clone();
    Ok((api, project, region))
}

fn refused(call: &str, code: &str, message: String) -> DriverError {
    DriverError {
        code: code.into(),
        ..DriverError::transport(Cloud::Gcp, call, message)
    }
}

/// Carries out one GCP gateway step; `Ok(false)` when the action is not one.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<bool, DriverError> {
    let t = desired.name.as_str();
    match action {
        // The subnetworks of a declared network's blocks are made with it (the plan asks for
        // no gateway subnet on GCP); nothing to do.
        Action::CreateGatewaySubnet { .. } | Action::DeleteGatewaySubnet { .. } => {}
        Action::AllocateAddress {
            gateway, network, ..
        } => {
            let name = gateway_resource(t, gateway);
            let call = format!("addresses.insert {name}");
            let (api, project, region) = vm_api(d, desired, gateway, &call).await?;
            let body = Address::new()
                .set_name(&name)
                .set_description(description(t, gateway, network))
                .set_address_type(AddressType::External);
            let send = api.sdk().addresses.insert().set_project(&project);
            let send = send.set_region(&region).set_body(body);
            match api.change(&call, send.poller()).await {
                Err(e) if e.status == Some(409) => {}
                other => other?,
            }
            let read = api.sdk().addresses.get().set_project(&project);
            let read = read.set_region(&region).set_address(&name).send();
            let got = api.get(&call, read).await?;
            if let Some(ip) = got
                .and_then(|a| a.address)
                .and_then(|a| a.parse::<Ipv4Addr>().ok())
            {
                d.found.gateway_addresses.insert(gateway.clone(), ip);
            }
        }
        Action::GatewayFirewall {
            gateway,
            network,
            peers,
            inner,
            exists,
            ..
        } => {
            let name = gateway_resource(t, gateway);
            let call = format!("firewalls.insert {name}");
            let sources = d.peer_addresses(peers, |m| refused(&call, "notFound", m))?;
            let (api, path) = target(d, desired, &call, network).await?;
            let ranges: Vec<String> = sources.iter().map(|ip| format!("{ip}/32")).collect();
            let allowed = [Allowed::new()
                .set_ip_protocol("udp")
                .set_ports([DEFAULT_PORT.to_string()])];
            let project = project_of(&path).to_string();
            if *exists {
                let body = Firewall::new()
                    .set_source_ranges(ranges.clone())
                    .set_allowed(allowed)
                    .set_target_tags([vm_tag(gateway)])
                    .set_disabled(ranges.is_empty());
                let send = api.sdk().firewalls.patch().set_project(&project);
                let send = send.set_firewall(&name).set_body(body);
                api.change(&format!("firewalls.patch {name}"), send.poller())
                    .await?;
            } else {
                let body = Firewall::new()
                    .set_name(&name)
                    .set_description(description(t, gateway, network))
                    .set_network(&path)
                    .set_direction(Direction::Ingress)
                    .set_priority(1000)
                    .set_source_ranges(ranges.clone())
                    .set_allowed(allowed)
                    .set_target_tags([vm_tag(gateway)])
                    .set_disabled(ranges.is_empty());
                let send = api.sdk().firewalls.insert().set_project(&project);
                api.change(&call, send.set_body(body).poller()).await?;
            }
            let rule = InnerRule {
                project: &project,
                network_path: &path,
                topology: t,
                gateway,
                network,
            };
            inner_rule(&api, &rule, inner).await?;
        }
        Action::LaunchGateway {
            gateway,
            network,
            subnet,
            zone,
            size,
            tunnels,
            ..
        } => {
            let name = gateway_resource(t, gateway);
            let call = format!("instances.insert {name}");
            let rendered =
                d.gateway_config(desired, (Cloud::Gcp, &call), gateway, tunnels, |m| {
                    refused(&call, "notFound", m)
                })?;
            let nat = d
                .found
                .gateway_addresses
                .get(gateway)
                .copied()
                .ok_or_else(|| {
                    refused(
                        &call,
                        "notFound",
                        format!("gateway {gateway} has no static address yet"),
                    )
                })?;
            let (api, path) = target(d, desired, &call, network).await?;
            let region = desired.networks[network].region.clone().unwrap_or_default();
            if !to_internet(&api, &path).await? {
                return Err(refused(
                    &call,
                    "noInternetRoute",
                    format!(
                        "network {network} has no route 0.0.0.0/0 to default-internet-gateway: a \
                         gateway's subnetwork must reach the internet (add the route, or give \
                         the gateway a network that has it)"
                    ),
                ));
            }
            let (sub, _) = subnetwork_of(&api, &path, &region, subnet)
                .await?
                .ok_or_else(|| {
                    refused(
                        &call,
                        "notFound",
                        format!("no subnetwork of {network} in {region} for {subnet}"),
                    )
                })?;
            let project = project_of(&path).to_string();
            let zone = zone.clone().unwrap_or_else(|| format!("{region}-a"));
            let items = [
                (KEY_USER_DATA, rendered.render()),
                (KEY_CONFIG, digest(&rendered)),
                (KEY_NETWORK, network.clone()),
            ]
            .map(|(k, v)| metadata::Items::new().set_key(k).set_value(v));
            let body = Instance::new()
                .set_name(&name)
                .set_description(description(t, gateway, network))
                .set_machine_type(format!(
                    "zones/{zone}/machineTypes/{}",
                    size.as_deref().unwrap_or(DEFAULT_SIZE)
                ))
                .set_can_ip_forward(true)
                .set_tags(Tags::new().set_items([vm_tag(gateway)]))
                .set_network_interfaces([NetworkInterface::new()
                    .set_network(&path)
                    .set_subnetwork(format!(
                        "projects/{project}/regions/{region}/subnetworks/{sub}"
                    ))
                    .set_access_configs([AccessConfig::new()
                        .set_type(AccessType::OneToOneNat)
                        .set_name("External NAT")
                        .set_nat_ip(nat.to_string())])])
                .set_disks([AttachedDisk::new()
                    .set_boot(true)
                    .set_auto_delete(true)
                    .set_initialize_params(
                        AttachedDiskInitializeParams::new().set_source_image(SOURCE_IMAGE),
                    )])
                .set_metadata(Metadata::new().set_items(items));
            let send = api.sdk().instances.insert().set_project(&project);
            let send = send.set_zone(&zone).set_body(body);
            match api.change(&call, send.poller()).await {
                Err(e) if e.status == Some(409) => {}
                other => other?,
            }
            d.found.gateway_instances.insert(
                gateway.clone(),
                format!("projects/{project}/zones/{zone}/instances/{name}"),
            );
        }
        // `canIpForward` and the access config's address are set at creation: the VM goes, and
        // the next round launches it again.
        Action::GatewayForwarding { gateway, .. } | Action::AttachAddress { gateway, .. } => {
            if let Some(id) = d.found.gateway_instances.get(gateway).cloned() {
                delete_instance(d, desired, gateway, &id).await?;
            }
        }
        Action::DeleteGateway { gateway, id, .. } => {
            delete_instance(d, desired, gateway, id).await?;
        }
        Action::DeleteGatewayFirewall { gateway, .. } => {
            let name = gateway_resource(t, gateway);
            let call = format!("firewalls.delete {name}");
            let (api, project, _) = vm_api(d, desired, gateway, &call).await?;
            let send = api.sdk().firewalls.delete().set_project(&project);
            gone_if_absent(api.change(&call, send.set_firewall(&name).poller()).await)?;
            let name = inner_rule_name(t, gateway);
            let call = format!("firewalls.delete {name}");
            let send = api.sdk().firewalls.delete().set_project(&project);
            gone_if_absent(api.change(&call, send.set_firewall(&name).poller()).await)?;
        }
        Action::ReleaseAddress { gateway, id, .. } => {
            let call = format!("addresses.delete {id}");
            let Some((project, Some(region), name)) = parts(id) else {
                return Err(DriverError::transport(
                    Cloud::Gcp,
                    &call,
                    format!("{id} is not an address's path"),
                ));
            };
            let (api, _, _) = vm_api(d, desired, gateway, &call).await?;
            let send = api.sdk().addresses.delete().set_project(project);
            let send = send.set_region(region).set_address(name);
            gone_if_absent(api.change(&call, send.poller()).await)?;
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
            let name = route_name(t, gateway, destination);
            let call = format!("routes.insert {name}");
            let (api, path) = target(d, desired, &call, network).await?;
            if matches!(action, Action::ReplaceGatewayRoute { .. }) {
                delete_routes(&api, t, &path, destination, None).await?;
            }
            let instance = d
                .found
                .gateway_instances
                .get(gateway)
                .cloned()
                .ok_or_else(|| {
                    refused(
                        &call,
                        "notFound",
                        format!("no instance for gateway {gateway} yet"),
                    )
                })?;
            let body = Route::new()
                .set_name(&name)
                .set_description(format!(
                    "vpcpeer topology {t}: {destination} through {gateway}"
                ))
                .set_network(&path)
                .set_dest_range(destination.to_string())
                .set_priority(1000_u32)
                .set_next_hop_instance(instance);
            let send = api.sdk().routes.insert().set_project(project_of(&path));
            match api.change(&call, send.set_body(body).poller()).await {
                Err(e) if e.status == Some(409) => {}
                other => other?,
            }
        }
        Action::DeleteGatewayRoute {
            network,
            destination,
            gateway,
            ..
        } => {
            let call = format!("routes.delete {network} {destination}");
            let (api, path) = target(d, desired, &call, network).await?;
            delete_routes(&api, t, &path, destination, Some(gateway)).await?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Deletes the topology's routes of `network` to `destination` (through `gateway`, when given).
async fn delete_routes(
    api: &Api,
    topology: &str,
    network: &str,
    destination: &Ipv4Net,
    gateway: Option<&str>,
) -> Result<(), DriverError> {
    let project = project_of(network).to_string();
    for r in routes_of(api, network).await? {
        let name = r.name.clone().unwrap_or_default();
        let ours = owned_name(topology, &name)
            && r.dest_range
                .as_deref()
                .and_then(|x| x.parse::<Ipv4Net>().ok())
                == Some(*destination)
            && gateway.is_none_or(|g| {
                r.next_hop_instance
                    .as_deref()
                    .is_some_and(|i| i.ends_with(&format!("/{}", gateway_resource(topology, g))))
            });
        if !ours {
            continue;
        }
        let call = format!("routes.delete {name}");
        let send = api.sdk().routes.delete().set_project(&project);
        gone_if_absent(api.change(&call, send.set_route(&name).poller()).await)?;
    }
    Ok(())
}

/// Deletes a gateway VM by its path (already gone counts as done).
async fn delete_instance(
    d: &mut Drivers,
    desired: &Desired,
    gateway: &str,
    id: &str,
) -> Result<(), DriverError> {
    let call = format!("instances.delete {id}");
    let split: Vec<&str> = super::api::relative(id).split('/').collect();
    let ["projects", project, "zones", zone, "instances", name] = split[..] else {
        return Err(DriverError::transport(
            Cloud::Gcp,
            &call,
            format!("{id} is not an instance's path"),
        ));
    };
    let (api, _, _) = vm_api(d, desired, gateway, &call).await?;
    let send = api.sdk().instances.delete().set_project(project);
    let send = send.set_zone(zone).set_instance(name);
    gone_if_absent(api.change(&call, send.poller()).await)?;
    d.found.gateway_instances.remove(gateway);
    Ok(())
}

/// Where a gateway's inner rule goes.
struct InnerRule<'a> {
    project: &'a str,
    network_path: &'a str,
    topology: &'a str,
    gateway: &'a str,
    network: &'a str,
}

/// A gateway's second rule, `<topology>--<vm>--inner`: every protocol from its network's own
/// blocks on the VM's tag, the traffic it forwards into its tunnels and back (a custom-mode
/// network has no rule admitting its own blocks). Read first, so a step cut short after the
/// tunnel rule is finished by the next: created, patched to exactly `blocks`, or deleted when
/// no block is left.
async fn inner_rule(
    api: &Api,
    rule: &InnerRule<'_>,
    blocks: &[Ipv4Net],
) -> Result<(), DriverError> {
    let name = inner_rule_name(rule.topology, rule.gateway);
    let read = api.sdk().firewalls.get().set_project(rule.project);
    let found = api
        .get(
            &format!("firewalls.get {name}"),
            read.set_firewall(&name).send(),
        )
        .await?;
    let ranges: Vec<String> = blocks.iter().map(ToString::to_string).collect();
    let body = || {
        Firewall::new()
            .set_source_ranges(ranges.clone())
            .set_allowed([Allowed::new().set_ip_protocol("all")])
            .set_target_tags([vm_tag(rule.gateway)])
    };
    match found {
        None if ranges.is_empty() => {}
        None => {
            let call = format!("firewalls.insert {name}");
            let body = body()
                .set_name(&name)
                .set_description(description(rule.topology, rule.gateway, rule.network))
                .set_network(rule.network_path)
                .set_direction(Direction::Ingress)
                .set_priority(1000);
            let send = api.sdk().firewalls.insert().set_project(rule.project);
            api.change(&call, send.set_body(body).poller()).await?;
        }
        Some(_) if ranges.is_empty() => {
            let call = format!("firewalls.delete {name}");
            let send = api.sdk().firewalls.delete().set_project(rule.project);
            gone_if_absent(api.change(&call, send.set_firewall(&name).poller()).await)?;
        }
        Some(_) => {
            let call = format!("firewalls.patch {name}");
            let send = api.sdk().firewalls.patch().set_project(rule.project);
            let send = send.set_firewall(&name).set_body(body());
            api.change(&call, send.poller()).await?;
        }
    }
    Ok(())
}
