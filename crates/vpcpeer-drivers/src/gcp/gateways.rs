//! GCP gateways: reading them and the gateway steps, through Compute Engine v1 (Google's SDK).
//!
//! What a gateway VM `vm` of topology `t` is on GCP, every piece named `t--vm`
//! (`names::gateway_resource`, owned by its name):
//! - its address: a regional static external address (`addresses.insert`) in the region of its
//!   network; its id in `Observed` is its path `projects/<p>/regions/<r>/addresses/<name>`;
//! - its subnet: the subnetwork of the network that holds the block the file gives (a declared
//!   network has one subnetwork per block, made with it: GCP needs no subnet of its own for a
//!   gateway), or the subnetwork the file names. A GCP subnetwork reaches the internet through
//!   the network's default route, so it is public while the network has a route `0.0.0.0/0` to
//!   `default-internet-gateway`; without one the launch is refused (`noInternetRoute`) and a
//!   named subnetwork is reported not public;
//! - its firewall: an ingress rule on the network allowing udp/51820 from exactly the peers'
//!   addresses (`/32` each) to the target tag `vpcpeer-gw-<vm>`; a gateway with no peers has the
//!   rule disabled (GCP reads an ingress rule without sources as one from `0.0.0.0/0`), read back
//!   as admitting nothing; and a second rule `t--vm--inner` allowing every protocol from the
//!   network's own blocks to the same tag (the traffic the gateway forwards: a custom-mode
//!   network admits nothing by itself);
//! - the VM: `instances.insert` in its zone (default `<region>-a`), machine type `e2-small`
//!   unless the file gives a size, `canIpForward: true`, the tag, one interface in the subnetwork
//!   with `accessConfigs[0].natIP` = the static address, the boot disk from
//!   `projects/vpcpeer/global/images/vpcpeer-gateway`, and metadata items `user-data` (the
//!   rendered configuration), `vpcpeer-config` (its hex SHA-256: a GCP label value holds at most
//!   63 characters of `[a-z0-9_-]`, too short for the 64-character digest, so it is a metadata
//!   item), `vpcpeer-network` (the network's name in the topology);
//! - routes: one per (network, remote block), `nextHopInstance` = the VM, priority 1000, named
//!   `t--vm-r<8 hex>` (a hash of the block: names stay within GCP's 63 characters). GCP routes
//!   belong to the network, so the network is the one "table" (`GatewayTable::id` = its path).
//!   A route cannot be changed: a replacement deletes the old route and inserts the new one.
//!
//! Reading: always, as on AWS, so that a file that drops its last gateways still finds their
//! pieces and removes them: per project and region of the file's GCP networks, one
//! `addresses.list`, and per project one `firewalls.list`, one `instances.aggregatedList` and
//! one `routes.list` per network found.
//!
//! Stop time: a gateway VM that does not run and has a `lastStopTimestamp` was stopped then
//! (`Observed::gateway_stopped_at`, from which the health check dates its failure). The clouds'
//! clock on GCP is read off one plain `GET` of the Compute endpoint (`clock.rs`).
//!
//! Drift: `canIpForward` is fixed at creation, and the emulator (like GCP without a stop) gives
//! no call to change an access config's address, so `GatewayForwarding` and `AttachAddress`
//! delete the VM and the next round launches it again as it should be; a VM whose digest
//! differs is replaced by the plan (delete, then launch).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use google_cloud_compute_v1::model::instance::Status;
use google_cloud_compute_v1::model::{Firewall, Instance, Route};
use ipnet::Ipv4Net;
use vpcpeer_controller::gateway::{SubnetRef, DEFAULT_PORT};
use vpcpeer_controller::names::{gateway_resource, owned_name};
use vpcpeer_controller::observed::{
    GatewayAddress, GatewayInstance, GatewaySubnet, GatewayTable, GatewayTableRoute,
    ObservedGateway,
};
use vpcpeer_controller::{Cloud, Desired, Observed};

use super::api::{network_path, project_of, relative, Api};
use super::target;
use crate::clock::rfc3339_secs;
use crate::{DriverError, Drivers};

/// The gateway image every gateway VM boots from.
pub(crate) const SOURCE_IMAGE: &str = "projects/vpcpeer/global/images/vpcpeer-gateway";
/// The machine type of a gateway whose size the file leaves out.
pub(crate) const DEFAULT_SIZE: &str = "e2-small";
/// Metadata key: the configuration's digest.
pub(crate) const KEY_CONFIG: &str = "vpcpeer-config";
/// Metadata key: the configuration the gateway image reads.
pub(crate) const KEY_USER_DATA: &str = "user-data";
/// Metadata key: the network's name in the topology.
pub(crate) const KEY_NETWORK: &str = "vpcpeer-network";
/// The prefix of a gateway VM's network tag (its firewall rule's target).
pub(crate) const TAG_PREFIX: &str = "vpcpeer-gw-";

/// A gateway VM's network tag.
pub(crate) fn vm_tag(vm: &str) -> String {
    format!("{TAG_PREFIX}{vm}")
}

/// The name of the route to `destination` through `vm`: `<topology>--<vm>-r<hash>`.
pub(crate) fn route_name(topology: &str, vm: &str, destination: &Ipv4Net) -> String {
    // FNV-1a: a short, stable hash of the block (no key, no collisions that matter within a
    // network's few remote blocks).
    let mut h: u32 = 0x811c_9dc5;
    for b in destination.to_string().bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{}-r{h:08x}", gateway_resource(topology, vm))
}

/// The description of an address or firewall rule: names the network it serves, so a gateway
/// the file dropped is found with its network.
pub(super) fn description(topology: &str, vm: &str, network: &str) -> String {
    format!("vpcpeer topology {topology} gateway {vm} network {network}")
}

/// The network a [`description`] names.
fn network_in(text: &str) -> Option<&str> {
    text.rsplit_once(" network ").map(|(_, n)| n)
}

/// The projects (by account) and regions the topology's GCP gateways may be in.
fn places(d: &Drivers, desired: &Desired) -> BTreeSet<(String, String)> {
    let mut out: BTreeSet<(String, String)> = desired
        .networks
        .values()
        .filter(|n| n.cloud == Cloud::Gcp)
        .filter_map(|n| Some((n.account.clone(), n.region.clone()?)))
        .collect();
    out.extend(d.found.places.values().cloned());
    out.retain(|(account, region)| {
        !region.is_empty()
            && desired
                .accounts
                .get(account)
                .is_some_and(|a| a.cloud == Cloud::Gcp)
    });
    out
}

fn entry<'o>(out: &'o mut Observed, vm: &str, network: &str) -> &'o mut ObservedGateway {
    crate::gateway_entry(out, Cloud::Gcp, vm, network)
}

/// The network a gateway VM serves: the file's, else what its piece says.
fn network_of(desired: &Desired, vm: &str, said: Option<&str>) -> Option<String> {
    desired
        .gateways
        .values()
        .find(|g| g.vms().iter().any(|v| v.name == vm))
        .map(|g| g.network.clone())
        .or_else(|| said.map(str::to_string))
}

fn metadata_item<'i>(i: &'i Instance, key: &str) -> Option<&'i str> {
    i.metadata
        .as_ref()?
        .items
        .iter()
        .find(|it| it.key.as_deref() == Some(key))
        .and_then(|it| it.value.as_deref())
}

/// Reads the topology's GCP gateways and, for every GCP network found, its routes.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    // The orphans found so far, so that reaching an orphan's account (`target`) works
    // while observing, before the whole observation is kept.
    d.found.observed.orphans = out.orphans.clone();
    let mut apis: BTreeMap<String, (Api, String)> = BTreeMap::new();
    for (account, region) in places(d, desired) {
        let a = &desired.accounts[&account];
        let access = d.access.get(&account).ok_or_else(|| {
            DriverError::transport(
                Cloud::Gcp,
                "addresses.list",
                format!("no access for account {account}"),
            )
        })?;
        let api = Api::new(&d.gcp, "addresses.list", access, Some(&region), d.poll).await?;
        let project = a.id.clone();
        let call = format!("addresses.list {project}/{region}");
        let listed = api
            .list(&call, true, |max, token| {
                let list = api.sdk().addresses.list().set_project(&project);
                list.set_region(&region)
                    .set_max_results(max)
                    .set_or_clear_page_token(token)
                    .send()
            })
            .await?;
        for addr in listed {
            let name = addr.name.clone().unwrap_or_default();
            let Some(vm) = name
                .strip_prefix(&desired.name)
                .and_then(|r| r.strip_prefix("--"))
            else {
                continue;
            };
            let said = addr.description.as_deref().and_then(network_in);
            let Some(network) = network_of(desired, vm, said) else {
                continue;
            };
            let Some(ip) = addr.address.as_deref().and_then(|a| a.parse().ok()) else {
                continue;
            };
            entry(out, vm, &network).address = Some(GatewayAddress {
                id: format!("projects/{project}/regions/{region}/addresses/{name}"),
                ip,
            });
            d.found
                .gateway_places
                .insert(vm.to_string(), (account.clone(), region.clone()));
        }
        apis.entry(project).or_insert((api, account));
    }
    let mut instance_names: BTreeMap<String, String> = BTreeMap::new();
    for (project, (api, account)) in &apis {
        let call = format!("firewalls.list {project}");
        let rules = api
            .list(&call, false, |max, token| {
                let list = api.sdk().firewalls.list().set_project(project);
                list.set_max_results(max)
                    .set_or_clear_page_token(token)
                    .send()
            })
            .await?;
        for f in &rules {
            if let Some(vm) = inner_rule_of(&desired.name, f) {
                let said = f.description.as_deref().and_then(network_in);
                if let Some(network) = network_of(desired, vm, said) {
                    entry(out, vm, &network).inner = inner_sources(f);
                }
                continue;
            }
            let Some(vm) = gateway_rule(&desired.name, f) else {
                continue;
            };
            let said = f.description.as_deref().and_then(network_in);
            let Some(network) = network_of(desired, vm, said) else {
                continue;
            };
            entry(out, vm, &network).firewall = Some(tunnel_sources(f));
        }
        let call = format!("instances.aggregatedList {project}");
        let vms = api
            .list(&call, false, |max, token| {
                let list = api.sdk().instances.aggregated_list();
                list.set_project(project)
                    .set_max_results(max)
                    .set_or_clear_page_token(token)
                    .send()
            })
            .await?;
        for i in &vms {
            let name = i.name.as_deref().unwrap_or_default();
            if !owned_name(&desired.name, name) {
                continue;
            }
            let Some(vm) = name.strip_prefix(&format!("{}--", desired.name)) else {
                continue;
            };
            let Some(network) = network_of(desired, vm, metadata_item(i, KEY_NETWORK)) else {
                continue;
            };
            let path = relative(i.self_link.as_deref().unwrap_or_default()).to_string();
            instance_names.insert(path.clone(), vm.to_string());
            d.found
                .gateway_instances
                .insert(vm.to_string(), path.clone());
            if let Some(region) = region_of_zone_path(&path) {
                d.found
                    .gateway_places
                    .insert(vm.to_string(), (account.clone(), region));
            }
            let nat = i
                .network_interfaces
                .first()
                .and_then(|n| n.access_configs.first())
                .and_then(|a| a.nat_ip.as_deref())
                .and_then(|ip| ip.parse::<Ipv4Addr>().ok());
            let running = matches!(
                i.status,
                Some(Status::Running | Status::Provisioning | Status::Staging)
            );
            let stopped_at = i.last_stop_timestamp.as_deref().and_then(rfc3339_secs);
            if let Some(t) = stopped_at.filter(|_| !running) {
                out.gateway_stopped_at.insert(vm.to_string(), t);
            }
            let e = entry(out, vm, &network);
            let address_attached = nat.is_some() && nat == e.address.as_ref().map(|a| a.ip);
            e.instance = Some(GatewayInstance {
                id: path,
                digest: metadata_item(i, KEY_CONFIG).unwrap_or_default().to_string(),
                running,
                forwarding: i.can_ip_forward == Some(true),
                address_attached,
            });
        }
    }
    subnets(d, desired, out).await?;
    tables(d, desired, out, &instance_names).await
}

/// The VM a rule is the firewall of: named `<topology>--<vm>`, targeting the VM's tag.
fn gateway_rule<'f>(topology: &str, f: &'f Firewall) -> Option<&'f str> {
    let vm = f
        .name
        .as_deref()?
        .strip_prefix(topology)?
        .strip_prefix("--")?;
    f.target_tags.iter().any(|t| *t == vm_tag(vm)).then_some(vm)
}

/// A gateway's inner rule (every protocol from its network's blocks): its name.
pub(super) fn inner_rule_name(topology: &str, vm: &str) -> String {
    format!("{}--inner", gateway_resource(topology, vm))
}

/// The VM a rule is the inner rule of: named `<topology>--<vm>--inner`, targeting the VM's tag.
fn inner_rule_of<'f>(topology: &str, f: &'f Firewall) -> Option<&'f str> {
    let vm = f
        .name
        .as_deref()?
        .strip_prefix(topology)?
        .strip_prefix("--")?
        .strip_suffix("--inner")?;
    f.target_tags.iter().any(|t| *t == vm_tag(vm)).then_some(vm)
}

/// The blocks an inner rule admits (none while disabled or when it admits less than every
/// protocol).
fn inner_sources(f: &Firewall) -> Vec<Ipv4Net> {
    let all = f
        .allowed
        .iter()
        .any(|a| a.ip_protocol.as_deref() == Some("all"));
    if f.disabled == Some(true) || !all {
        return Vec::new();
    }
    let mut out: Vec<Ipv4Net> = f
        .source_ranges
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    out.sort();
    out
}

/// Whether a rule is a gateway's firewall (of any topology): it targets a gateway VM's tag. The
/// link rules' reading leaves those out.
pub(crate) fn is_gateway_rule(f: &Firewall) -> bool {
    f.target_tags.iter().any(|t| t.starts_with(TAG_PREFIX))
}

/// The addresses a gateway rule admits on the tunnel port over UDP (none while disabled).
fn tunnel_sources(f: &Firewall) -> Vec<Ipv4Addr> {
    if f.disabled == Some(true) {
        return Vec::new();
    }
    let port = DEFAULT_PORT.to_string();
    let admits = f.allowed.iter().any(|a| {
        a.ip_protocol.as_deref() == Some("udp") && (a.ports.is_empty() || a.ports.contains(&port))
    });
    if !admits {
        return Vec::new();
    }
    f.source_ranges
        .iter()
        .filter_map(|r| {
            let r = r.strip_suffix("/32").unwrap_or(r);
            r.parse().ok()
        })
        .collect()
}

/// `r` of `projects/p/zones/<r>-<z>/instances/n`.
fn region_of_zone_path(path: &str) -> Option<String> {
    let zone = path.split('/').nth(3)?;
    zone.rsplit_once('-').map(|(r, _)| r.to_string())
}

/// The subnets of the declared gateways: the subnetwork holding the given block, or the one
/// named, each public while its network routes 0.0.0.0/0 to the default internet gateway.
async fn subnets(d: &Drivers, desired: &Desired, out: &mut Observed) -> Result<(), DriverError> {
    for g in desired.gateways.values() {
        if g.cloud != Cloud::Gcp {
            continue;
        }
        let Some(found) = out.networks.get(&g.network) else {
            continue;
        };
        let net = found.id.clone();
        let (api, _) = target(d, desired, "subnetworks.list", &g.network).await?;
        let region = desired.networks[&g.network]
            .region
            .clone()
            .unwrap_or_default();
        let public = to_internet(&api, &net).await?;
        for vm in g.vms() {
            let s = subnetwork_of(&api, &net, &region, vm.subnet).await?;
            if let Some((name, cidr)) = s {
                entry(out, vm.name, &g.network).subnet = Some(GatewaySubnet {
                    id: name,
                    cidr,
                    public,
                    created: false,
                });
            }
        }
    }
    Ok(())
}

/// Whether a network has a route 0.0.0.0/0 to the default internet gateway.
pub(super) async fn to_internet(api: &Api, network: &str) -> Result<bool, DriverError> {
    let routes = routes_of(api, network).await?;
    Ok(routes.iter().any(|r| {
        r.dest_range.as_deref() == Some("0.0.0.0/0")
            && r.next_hop_gateway
                .as_deref()
                .is_some_and(|g| g.ends_with("/default-internet-gateway"))
    }))
}

/// The routes of a network (`routes.list` of its project, those on it).
pub(super) async fn routes_of(api: &Api, network: &str) -> Result<Vec<Route>, DriverError> {
    let project = project_of(network).to_string();
    let call = format!("routes.list {project}");
    let all = api
        .list(&call, false, |max, token| {
            let list = api.sdk().routes.list().set_project(&project);
            list.set_max_results(max)
                .set_or_clear_page_token(token)
                .send()
        })
        .await?;
    Ok(all
        .into_iter()
        .filter(|r| {
            network_path(r.network.as_deref().unwrap_or_default(), &project)
                .eq_ignore_ascii_case(network)
        })
        .collect())
}

/// The subnetwork of `network` in `region` a gateway goes in: the one holding the block, or the
/// one named: its name and range.
pub(super) async fn subnetwork_of(
    api: &Api,
    network: &str,
    region: &str,
    subnet: &SubnetRef,
) -> Result<Option<(String, Option<Ipv4Net>)>, DriverError> {
    let project = project_of(network).to_string();
    let call = format!("subnetworks.list {project}/{region}");
    let listed = api
        .list(&call, true, |max, token| {
            let list = api.sdk().subnetworks.list().set_project(&project);
            list.set_region(region)
                .set_max_results(max)
                .set_or_clear_page_token(token)
                .send()
        })
        .await?;
    Ok(listed
        .into_iter()
        .filter(|s| {
            network_path(s.network.as_deref().unwrap_or_default(), &project)
                .eq_ignore_ascii_case(network)
        })
        .map(|s| {
            let range = s.ip_cidr_range.as_deref().and_then(|r| r.parse().ok());
            (s.name.unwrap_or_default(), range)
        })
        .find(|(name, range)| match subnet {
            SubnetRef::Create(cidr) => range.is_some_and(|r: Ipv4Net| r.contains(cidr)),
            SubnetRef::Existing(n) => name == n,
        }))
}

/// The routes of every GCP network found, as the one table of the network.
async fn tables(
    d: &Drivers,
    desired: &Desired,
    out: &mut Observed,
    instance_names: &BTreeMap<String, String>,
) -> Result<(), DriverError> {
    let found: Vec<(String, String)> = out
        .networks
        .iter()
        .chain(out.orphans.iter())
        .filter(|(_, n)| n.detail.cloud() == Cloud::Gcp)
        .map(|(name, n)| (name.clone(), n.id.clone()))
        .collect();
    for (name, id) in found {
        let (api, _) = target(d, desired, "routes.list", &name).await?;
        let routes = routes_of(&api, &id).await?;
        let list = routes
            .iter()
            .filter(|r| r.next_hop_gateway.is_none())
            .filter_map(|r| {
                let destination = r.dest_range.as_deref()?.parse::<Ipv4Net>().ok()?;
                let instance = r.next_hop_instance.as_deref().map(relative);
                let target = instance
                    .map(str::to_string)
                    .or_else(|| r.next_hop_ip.clone())
                    .or_else(|| r.next_hop_ilb.clone())
                    .or_else(|| r.next_hop_vpn_tunnel.clone())
                    .or_else(|| r.next_hop_peering.clone())
                    .unwrap_or_default();
                let owned = owned_name(&desired.name, r.name.as_deref().unwrap_or_default());
                let gateway = instance
                    .and_then(|i| instance_names.get(i))
                    .filter(|_| owned)
                    .cloned();
                let blackhole = instance.is_some_and(|i| {
                    owned_name(&desired.name, i.rsplit('/').next().unwrap_or_default())
                        && !instance_names.contains_key(i)
                });
                let gateway = gateway.or_else(|| {
                    // A route of the topology whose VM is gone: still the topology's.
                    let name = instance?.rsplit('/').next()?;
                    let vm = name.strip_prefix(&format!("{}--", desired.name))?;
                    owned.then(|| vm.to_string())
                });
                Some(GatewayTableRoute {
                    destination,
                    gateway,
                    target,
                    blackhole,
                })
            })
            .collect();
        out.gateway_tables.insert(
            name,
            vec![GatewayTable {
                id: id.clone(),
                routes: list,
            }],
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_gcp_and_descriptions_carry_the_network() {
        let d: Ipv4Net = "10.3.0.0/16".parse().unwrap();
        let r = route_name("t", "app-gw-hagw", &d);
        assert!(r.starts_with("t--app-gw-hagw-r") && r.len() == "t--app-gw-hagw-r".len() + 8);
        assert_ne!(
            r,
            route_name("t", "app-gw-hagw", &"10.4.0.0/16".parse().unwrap())
        );
        let long = "x".repeat(63 - 14 - 2);
        assert!(route_name("ab", &long, &d).len() <= 63);
        assert_eq!(
            network_in(&description("t", "gw", "my-net")),
            Some("my-net")
        );
        assert_eq!(
            region_of_zone_path("projects/p/zones/us-central1-a/instances/x").as_deref(),
            Some("us-central1")
        );
    }
}
