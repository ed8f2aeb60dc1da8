//! The GCP driver: a client of Compute Engine v1 (`/compute/v1/projects/...`), for the real
//! cloud (`https://compute.googleapis.com`, a bearer token or Application Default Credentials)
//! and the local emulator alike, built on Google's own Rust SDK (`google-cloud-compute-v1`: its
//! clients, request builders, model types and operation poller; see [`clients`] for the
//! credentials, retries and polling it is configured with, and [`api`] for how its errors
//! become the step's error).
//!
//! `observe` reads each GCP network of the topology: an existing one by its `id` (a name, a
//! `projects/<p>/global/networks/<n>` path or a full URL), a declared one by its name in its
//! account's project (`networks.get`; a 404 means absent). Its blocks are the primary and
//! secondary ranges of its subnetworks (one `subnetworks.list` per project and region, shared by
//! the networks of the round); its peerings come from `peerings[]`, with the peer normalised to
//! `projects/<p>/global/networks/<n>`, `ACTIVE` as active and custom routes as export AND import;
//! its firewalls are the ingress rules of that network whose names the topology owns (one
//! `firewalls.list` per project). Every list is read page after page (500 a page).
//!
//! Orphans: a network the controller creates carries `description: "vpcpeer topology <name>"`
//! (set in `networks.insert` itself, so no network of the topology is ever left unmarked). One
//! `networks.list` per GCP project of the file finds those the file no longer declares; each is
//! read like a declared one into `Observed::orphans`, and its project and region are kept in
//! `Found::places`, so that removing its peerings and rules and deleting it reach it. A network
//! the file still names — by its name, or by id under another name — is never an orphan, and a
//! network given by id carries no mark unless the topology made it.
//!
//! `execute` carries out one step and waits for the operation it starts to be `DONE` (polling
//! it every `Drivers::poll`); an operation's `error` is the step's error, named after the call
//! that started it (`networks.addPeering lake/demo--lake-train`). A declared network is a
//! custom-mode network (regional routing) with one subnetwork per block in the network's region,
//! named `<network>-<i>` (`i` from 0, in the declared order). Calls that find their work already
//! done count as done, so a step tried again after a lost answer does not fail on its own
//! earlier success: an `alreadyExists` network of the declared name (a network is owned by its
//! name; `CreateNetwork` then adds only the blocks it lacks, which also completes a network an
//! apply stopped between the network and its subnetworks), an `alreadyExists` subnetwork with
//! the same network and range, and a 404 on a delete. A firewall step whose peer has no ranges
//! is refused by the driver (`noSourceRanges`): GCP reads an ingress rule without sources as
//! one from `0.0.0.0/0`.
//!
//! Firewall rules: one ingress rule per link side, priority 1000, `allowed` with one entry per
//! protocol listing its port ranges (and one entry without ports for an opening of every port
//! of that protocol), so that reading it back gives the same openings. A rule's entry that an
//! opening cannot express (a protocol other than tcp, udp, icmp or all; an IPv6 or unreadable
//! source range) is read as a value no topology declares (icmp with port 0; the source
//! `0.0.0.0/32`), so the plan sets the rule back to what the topology says.

mod api;
mod clients;
mod gateway_steps;
mod gateways;

use std::collections::{BTreeMap, BTreeSet};

use google_cloud_compute_v1::model::firewall::{Allowed, Direction};
use google_cloud_compute_v1::model::network_peering::State;
use google_cloud_compute_v1::model::network_routing_config::RoutingMode;
use google_cloud_compute_v1::model::{
    Firewall, Instance, Network, NetworkPeering, NetworkRoutingConfig, NetworksAddPeeringRequest,
    NetworksRemovePeeringRequest, NetworksUpdatePeeringRequest, Subnetwork,
};
use ipnet::Ipv4Net;
use vpcpeer_controller::desired::{Opening, Protocol, Source};
use vpcpeer_controller::observed::{Detail, GcpFirewall, GcpPeering, ObservedNetwork};
use vpcpeer_controller::{Action, Cloud, Desired, Observed};

use self::api::{network_path, parts, project_of, relative, Api};
pub(crate) use self::clients::Cache;
pub(crate) use self::gateways::route_name;
use crate::{DriverError, Drivers};

/// The lists one observe reads once and shares between networks: subnetworks by (endpoint,
/// project, region), firewall rules by (endpoint, project).
#[derive(Default)]
struct Lists {
    subnets: BTreeMap<(String, String, String), Vec<Subnetwork>>,
    firewalls: BTreeMap<(String, String), Vec<Firewall>>,
}

/// Reads the topology's GCP networks into `out`, then its orphans: in every GCP project of the
/// file, the networks marked with the topology (`description: "vpcpeer topology <name>"`, set
/// in `networks.insert` itself) whose name the file no longer declares. A network the file
/// still names, by its name or by id, is never an orphan.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    let mut lists = Lists::default();
    for (name, n) in &desired.networks {
        if n.cloud != Cloud::Gcp {
            continue;
        }
        let (api, path) = target(d, desired, "networks.get", name).await?;
        let Some(net) = get_network(&api, &format!("networks.get {name}"), &path).await? else {
            continue;
        };
        let found = read_network(&api, &mut lists, desired, &path, &net).await?;
        out.networks.insert(name.clone(), found);
    }
    let mark = mark(&desired.name);
    let mut projects: BTreeSet<(String, String)> = BTreeSet::new();
    for (account, a) in &desired.accounts {
        if a.cloud != Cloud::Gcp {
            continue;
        }
        let access = d.access.get(account).ok_or_else(|| {
            DriverError::transport(
                Cloud::Gcp,
                "networks.list",
                format!("no access for account {account}"),
            )
        })?;
        let api = Api::new(&d.gcp, "networks.list", access, None, d.poll).await?;
        let project = a.id.clone();
        if !projects.iter().any(|(base, _)| base == api.base()) {
            read_clock(d, api.base()).await;
        }
        if !projects.insert((api.base().to_string(), project.clone())) {
            continue;
        }
        let call = format!("networks.list {project}");
        let listed = api
            .list(&call, false, |max, token| {
                let list = api.sdk().networks.list().set_project(&project);
                list.set_max_results(max)
                    .set_or_clear_page_token(token)
                    .send()
            })
            .await?;
        for net in listed {
            let name = net.name.clone().unwrap_or_default();
            if net.description.as_deref() != Some(mark.as_str()) || name.is_empty() {
                continue;
            }
            let path = network_path(net.self_link.as_deref().unwrap_or(&name), &project);
            let named = out
                .networks
                .values()
                .any(|n| n.id.eq_ignore_ascii_case(&path));
            if named || desired.networks.contains_key(&name) || out.orphans.contains_key(&name) {
                continue;
            }
            let found = read_network(&api, &mut lists, desired, &path, &net).await?;
            let region = net
                .subnetworks
                .iter()
                .find_map(|s| region_of_subnetwork(relative(s)))
                .unwrap_or_default();
            d.found
                .places
                .insert(name.clone(), (account.clone(), region.to_string()));
            out.orphans.insert(name, found);
        }
    }
    gateways::observe(d, desired, out).await
}

/// The description a network the controller creates carries: its mark of ownership.
fn mark(topology: &str) -> String {
    format!("vpcpeer topology {topology}")
}

/// A network by its path; `None` when GCP answers 404 (or the path names no network).
async fn get_network(api: &Api, call: &str, path: &str) -> Result<Option<Network>, DriverError> {
    let Some((project, None, network)) = parts(path) else {
        return Ok(None);
    };
    let read = api.sdk().networks.get().set_project(project);
    api.get(call, read.set_network(network).send()).await
}

/// `r` of `projects/p/regions/r/subnetworks/s`.
fn region_of_subnetwork(path: &str) -> Option<&str> {
    match path.split('/').collect::<Vec<_>>()[..] {
        ["projects", _, "regions", region, "subnetworks", _] => Some(region),
        _ => None,
    }
}

/// One network as the plan reads it: its blocks (the primary and secondary ranges of its
/// subnetworks), its peerings and the ingress firewall rules on it whose names the topology
/// owns. `path` is where it was asked for (its id when GCP gives no `selfLink`).
async fn read_network(
    api: &Api,
    lists: &mut Lists,
    desired: &Desired,
    path: &str,
    net: &Network,
) -> Result<ObservedNetwork, DriverError> {
    let id = match net.self_link.as_deref().filter(|l| !l.is_empty()) {
        None => path.to_string(),
        Some(link) => network_path(link, project_of(path)),
    };
    let project = project_of(&id).to_string();
    let mut cidrs = Vec::new();
    for link in &net.subnetworks {
        let s = subnetwork(api, &mut lists.subnets, relative(link)).await?;
        let ranges = s.iter().flat_map(|s| {
            s.ip_cidr_range.as_deref().into_iter().chain(
                s.secondary_ip_ranges
                    .iter()
                    .filter_map(|r| r.ip_cidr_range.as_deref()),
            )
        });
        cidrs.extend(ranges.filter_map(|r| r.parse::<Ipv4Net>().ok()));
    }
    cidrs.sort();
    cidrs.dedup();
    let peerings = net
        .peerings
        .iter()
        .map(|p| GcpPeering {
            name: p.name.clone().unwrap_or_default(),
            peer: network_path(p.network.as_deref().unwrap_or_default(), &project),
            active: p.state == Some(State::Active),
            custom_routes: p.export_custom_routes == Some(true)
                && p.import_custom_routes == Some(true),
        })
        .collect();
    let key = (api.base().to_string(), project.clone());
    if !lists.firewalls.contains_key(&key) {
        let call = format!("firewalls.list {project}");
        let list = api
            .list(&call, false, |max, token| {
                let list = api.sdk().firewalls.list().set_project(&project);
                list.set_max_results(max)
                    .set_or_clear_page_token(token)
                    .send()
            })
            .await?;
        lists.firewalls.insert(key.clone(), list);
    }
    let owned = lists.firewalls[&key]
        .iter()
        .filter(|f| {
            let direction = f.direction.as_ref().and_then(Direction::name);
            network_path(f.network.as_deref().unwrap_or_default(), &project)
                .eq_ignore_ascii_case(&id)
                && direction.unwrap_or("INGRESS") == "INGRESS"
                && !gateways::is_gateway_rule(f)
                && vpcpeer_controller::names::owned_name(
                    &desired.name,
                    f.name.as_deref().unwrap_or_default(),
                )
        })
        .map(read_firewall)
        .collect();
    Ok(ObservedNetwork {
        id,
        cidrs,
        detail: Detail::Gcp {
            peerings,
            firewalls: owned,
        },
    })
}

/// The VMs of each GCP network found, as `projects/P/zones/Z/instances/N` (for `apply --verify`):
/// the instances with an interface on the network, in any zone, from one aggregated list
/// (`instances.aggregatedList`, every page) per project and endpoint.
pub(crate) async fn instances(
    d: &Drivers,
    desired: &Desired,
    out: &mut BTreeMap<String, Vec<crate::Endpoint>>,
) -> Result<(), DriverError> {
    let mut listed: BTreeMap<(String, String), Vec<Instance>> = BTreeMap::new();
    for (name, found) in &d.found.observed.networks {
        if desired.networks.get(name).map(|n| n.cloud) != Some(Cloud::Gcp) {
            continue;
        }
        let (api, _) = target(d, desired, "instances.aggregatedList", name).await?;
        let project = project_of(&found.id).to_string();
        let key = (api.base().to_string(), project.clone());
        if !listed.contains_key(&key) {
            let call = format!("instances.aggregatedList {project}");
            let vms = api
                .list(&call, false, |max, token| {
                    let list = api.sdk().instances.aggregated_list();
                    list.set_project(&project)
                        .set_max_results(max)
                        .set_or_clear_page_token(token)
                        .send()
                })
                .await?;
            listed.insert(key.clone(), vms);
        }
        let mut ids = Vec::new();
        for vm in &listed[&key] {
            let nic = vm.network_interfaces.iter().find(|nic| {
                let net = nic.network.as_deref().unwrap_or_default();
                network_path(net, &project).eq_ignore_ascii_case(&found.id)
            });
            let link = vm.self_link.as_deref().unwrap_or_default();
            if let (Some(nic), false) = (nic, link.is_empty()) {
                ids.push(crate::Endpoint {
                    id: relative(link).to_string(),
                    ip: nic.network_ip.clone().unwrap_or_default(),
                });
            }
        }
        ids.sort_by(|a, b| a.id.cmp(&b.id));
        out.insert(name.clone(), ids);
    }
    Ok(())
}

/// A subnetwork by its relative path, from its project and region's list (read once per
/// observe), or by itself when the list does not have it (created meanwhile).
async fn subnetwork(
    api: &Api,
    lists: &mut BTreeMap<(String, String, String), Vec<Subnetwork>>,
    path: &str,
) -> Result<Option<Subnetwork>, DriverError> {
    let split: Vec<&str> = path.split('/').collect();
    let ["projects", project, "regions", region, "subnetworks", name] = split[..] else {
        return Ok(None);
    };
    let key = (
        api.base().to_string(),
        project.to_string(),
        region.to_string(),
    );
    if !lists.contains_key(&key) {
        let call = format!("subnetworks.list {project}/{region}");
        let list = api
            .list(&call, false, |max, token| {
                let list = api.sdk().subnetworks.list().set_project(project);
                list.set_region(region)
                    .set_max_results(max)
                    .set_or_clear_page_token(token)
                    .send()
            })
            .await?;
        lists.insert(key.clone(), list);
    }
    let listed = lists[&key]
        .iter()
        .find(|s| relative(s.self_link.as_deref().unwrap_or_default()) == path);
    if let Some(s) = listed {
        return Ok(Some(s.clone()));
    }
    let read = api.sdk().subnetworks.get().set_project(project);
    let read = read.set_region(region).set_subnetwork(name).send();
    api.get(&format!("subnetworks.get {path}"), read).await
}

/// A firewall rule as the plan reads it.
fn read_firewall(f: &Firewall) -> GcpFirewall {
    let unreadable_source = Ipv4Net::new(std::net::Ipv4Addr::UNSPECIFIED, 32).expect("valid");
    let sources = f
        .source_ranges
        .iter()
        .map(|s| s.parse().unwrap_or(unreadable_source))
        .collect();
    let mut allowed = Vec::new();
    for rule in &f.allowed {
        let protocol = rule.ip_protocol.as_deref().unwrap_or_default();
        let protocol = match protocol.to_ascii_lowercase().as_str() {
            "tcp" | "6" => Some(Protocol::Tcp),
            "udp" | "17" => Some(Protocol::Udp),
            "icmp" | "1" => Some(Protocol::Icmp),
            "all" => Some(Protocol::All),
            _ => None,
        };
        let Some(protocol) = protocol else {
            allowed.push(UNEXPRESSIBLE);
            continue;
        };
        if rule.ports.is_empty() {
            allowed.push(Opening {
                protocol,
                ports: None,
            });
        }
        for p in &rule.ports {
            let range = match p.split_once('-') {
                Some((a, b)) => a.trim().parse().ok().zip(b.trim().parse().ok()),
                None => p.trim().parse().ok().map(|n| (n, n)),
            };
            allowed.push(match range {
                Some(ports) => Opening {
                    protocol,
                    ports: Some(ports),
                },
                None => UNEXPRESSIBLE,
            });
        }
    }
    if !f.denied.is_empty() {
        allowed.push(UNEXPRESSIBLE);
    }
    GcpFirewall {
        name: f.name.clone().unwrap_or_default(),
        sources,
        allowed,
    }
}

/// What a rule entry that no opening expresses is read as: icmp with a port, which validation
/// never lets a topology declare.
const UNEXPRESSIBLE: Opening = Opening {
    protocol: Protocol::Icmp,
    ports: Some((0, 0)),
};

/// `allowed[]` for openings: one entry per protocol with its port ranges, and one without
/// ports for an opening of all the protocol's ports.
fn allowed(openings: &[Opening]) -> Vec<Allowed> {
    let mut ranges: BTreeMap<Protocol, Vec<String>> = BTreeMap::new();
    let mut whole: Vec<Protocol> = Vec::new();
    for o in openings {
        match o.ports {
            Some((a, b)) if a == b => ranges.entry(o.protocol).or_default().push(a.to_string()),
            Some((a, b)) => ranges
                .entry(o.protocol)
                .or_default()
                .push(format!("{a}-{b}")),
            None => whole.push(o.protocol),
        }
    }
    whole.sort();
    whole.dedup();
    let mut out: Vec<Allowed> = whole
        .iter()
        .map(|p| Allowed::new().set_ip_protocol(p.to_string()))
        .collect();
    for (p, mut ports) in ranges {
        ports.dedup();
        out.push(
            Allowed::new()
                .set_ip_protocol(p.to_string())
                .set_ports(ports),
        );
    }
    out
}

/// The API and the network's path for a network of the topology: an orphan where the last
/// observe found it (its project's access, its id); a declared network as the last observe
/// found it, else where it is (existing) or will be (declared).
async fn target(
    d: &Drivers,
    desired: &Desired,
    call: &str,
    network: &str,
) -> Result<(Api, String), DriverError> {
    if let Some((account, region)) = d.found.places.get(network) {
        let orphan = d.found.observed.orphans.get(network);
        if let Some(found) = orphan.filter(|o| o.detail.cloud() == Cloud::Gcp) {
            let access = d.access.get(account).ok_or_else(|| {
                DriverError::transport(Cloud::Gcp, call, format!("no access for account {account}"))
            })?;
            let region = Some(region.as_str()).filter(|r| !r.is_empty());
            let api = Api::new(&d.gcp, call, access, region, d.poll).await?;
            return Ok((api, found.id.clone()));
        }
    }
    let (n, account, access) = d.network(desired, Cloud::Gcp, call, network)?;
    let path = match d.found.observed.networks.get(network) {
        Some(found) => found.id.clone(),
        None => match &n.source {
            Source::Existing(id) => network_path(id, &account.id),
            Source::Declared(_) => network_path(network, &account.id),
        },
    };
    let api = Api::new(&d.gcp, call, &access, n.region.as_deref(), d.poll).await?;
    Ok((api, path))
}

/// Carries out one GCP step.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<(), DriverError> {
    match action {
        Action::CreateNetwork { network, cidrs, .. } => {
            create_network(d, desired, network, cidrs).await
        }
        // The create completes a network: it adds only the subnetworks of the blocks it lacks.
        Action::AddCidr { network, .. } => {
            let cidrs = desired.networks[network].declared_cidrs();
            create_network(d, desired, network, cidrs).await
        }
        Action::DeleteNetwork { network, id, .. } => {
            let (api, _) = target(d, desired, "networks.delete", network).await?;
            delete_network(&api, network, &network_path(id, "")).await
        }
        Action::GcpAddPeering {
            network,
            name,
            peer,
            custom_routes,
        } => {
            let call = format!("networks.addPeering {network}/{name}");
            let (api, path) = target(d, desired, &call, network).await?;
            let (project, at) = network_parts(&call, &path)?;
            let peering = NetworkPeering::new()
                .set_name(name)
                .set_network(network_path(peer, project))
                .set_exchange_subnet_routes(true)
                .set_export_custom_routes(*custom_routes)
                .set_import_custom_routes(*custom_routes);
            let body = NetworksAddPeeringRequest::new().set_network_peering(peering);
            let send = api.sdk().networks.add_peering().set_project(project);
            let send = send.set_network(at).set_body(body);
            api.change(&call, send.poller()).await
        }
        Action::GcpUpdatePeering {
            network,
            name,
            custom_routes,
        } => {
            let call = format!("networks.updatePeering {network}/{name}");
            let (api, path) = target(d, desired, &call, network).await?;
            let (project, at) = network_parts(&call, &path)?;
            let peering = NetworkPeering::new()
                .set_name(name)
                .set_export_custom_routes(*custom_routes)
                .set_import_custom_routes(*custom_routes);
            let body = NetworksUpdatePeeringRequest::new().set_network_peering(peering);
            let send = api.sdk().networks.update_peering().set_project(project);
            let send = send.set_network(at).set_body(body);
            api.change(&call, send.poller()).await
        }
        Action::GcpRemovePeering { network, name } => {
            let call = format!("networks.removePeering {network}/{name}");
            let (api, path) = target(d, desired, &call, network).await?;
            let (project, at) = network_parts(&call, &path)?;
            let body = NetworksRemovePeeringRequest::new().set_name(name);
            let send = api.sdk().networks.remove_peering().set_project(project);
            let send = send.set_network(at).set_body(body);
            api.change(&call, send.poller()).await
        }
        Action::GcpCreateFirewall(rule) => {
            let (network, name) = (&rule.network, &rule.name);
            let call = format!("firewalls.insert {network}/{name}");
            let (api, path) = target(d, desired, &call, network).await?;
            no_empty_sources(&call, &rule.sources)?;
            let body = Firewall::new()
                .set_name(name)
                .set_description(format!(
                    "vpcpeer topology {}: ingress from the peer of {network}",
                    desired.name
                ))
                .set_network(&path)
                .set_direction(Direction::Ingress)
                .set_priority(1000)
                .set_source_ranges(rule.sources.iter().map(Ipv4Net::to_string))
                .set_allowed(allowed(&rule.allowed));
            let send = api.sdk().firewalls.insert().set_project(project_of(&path));
            api.change(&call, send.set_body(body).poller()).await
        }
        Action::GcpUpdateFirewall(rule) => {
            let (network, name) = (&rule.network, &rule.name);
            let call = format!("firewalls.patch {network}/{name}");
            let (api, path) = target(d, desired, &call, network).await?;
            no_empty_sources(&call, &rule.sources)?;
            let body = Firewall::new()
                .set_source_ranges(rule.sources.iter().map(Ipv4Net::to_string))
                .set_allowed(allowed(&rule.allowed));
            let send = api.sdk().firewalls.patch().set_project(project_of(&path));
            let send = send.set_firewall(name).set_body(body);
            api.change(&call, send.poller()).await
        }
        Action::GcpDeleteFirewall { network, name } => {
            let call = format!("firewalls.delete {network}/{name}");
            let (api, path) = target(d, desired, &call, network).await?;
            let send = api.sdk().firewalls.delete().set_project(project_of(&path));
            gone_if_absent(api.change(&call, send.set_firewall(name).poller()).await)
        }
        other if gateway_steps::execute(d, desired, other).await? => Ok(()),
        other => Err(DriverError::transport(
            Cloud::Gcp,
            &other.to_string(),
            "not a GCP step",
        )),
    }
}

/// The project and name of a network's path (`projects/<p>/global/networks/<n>`).
fn network_parts<'p>(call: &str, path: &'p str) -> Result<(&'p str, &'p str), DriverError> {
    match parts(path) {
        Some((project, None, name)) => Ok((project, name)),
        _ => Err(DriverError::transport(
            Cloud::Gcp,
            call,
            format!("{path} is not a network's path (projects/<project>/global/networks/<name>)"),
        )),
    }
}

/// Refuses a rule with no source ranges: GCP reads an ingress rule without sources as one from
/// `0.0.0.0/0`, which would open the network to every address (the peer has no ranges yet: an
/// existing network without subnetworks).
fn no_empty_sources(call: &str, sources: &[Ipv4Net]) -> Result<(), DriverError> {
    if sources.is_empty() {
        return Err(DriverError {
            code: "noSourceRanges".into(),
            ..DriverError::transport(
                Cloud::Gcp,
                call,
                "the peer network has no address ranges; GCP would read a rule without sources \
                 as admitting 0.0.0.0/0, so none is written (give the peer a subnetwork first)",
            )
        });
    }
    Ok(())
}

/// A delete that finds nothing to delete has done its work.
fn gone_if_absent(r: Result<(), DriverError>) -> Result<(), DriverError> {
    match r {
        Err(e) if e.status == Some(404) => Ok(()),
        other => other,
    }
}

/// A custom-mode network and a subnetwork per block in the network's region.
async fn create_network(
    d: &Drivers,
    desired: &Desired,
    network: &str,
    cidrs: &[Ipv4Net],
) -> Result<(), DriverError> {
    let call = format!("networks.insert {network}");
    let (n, account, _) = d.network(desired, Cloud::Gcp, &call, network)?;
    let (api, _) = target(d, desired, &call, network).await?;
    let project = account.id.as_str();
    let path = network_path(network, project);
    let body = Network::new()
        .set_name(network)
        .set_description(mark(&desired.name))
        .set_auto_create_subnetworks(false)
        .set_routing_config(NetworkRoutingConfig::new().set_routing_mode(RoutingMode::Regional));
    let send = api.sdk().networks.insert().set_project(project);
    // The ranges the network has already, when it was there before this call (an earlier
    // attempt, or an apply stopped between the network and its subnetworks).
    let mut have: Vec<Ipv4Net> = Vec::new();
    match api.change(&call, send.set_body(body).poller()).await {
        Err(e) if e.status == Some(409) => {
            let mut lists = BTreeMap::new();
            let net = get_network(&api, &call, &path).await?;
            for link in net.map(|n| n.subnetworks).unwrap_or_default() {
                if let Some(s) = subnetwork(&api, &mut lists, relative(&link)).await? {
                    have.extend(s.ip_cidr_range.and_then(|r| r.parse::<Ipv4Net>().ok()));
                }
            }
        }
        other => other?,
    }
    let Some(region) = n.region.as_deref() else {
        return Err(DriverError::transport(
            Cloud::Gcp,
            &call,
            "a declared GCP network needs a region for its subnetworks",
        ));
    };
    for (i, cidr) in cidrs.iter().enumerate() {
        if have.contains(cidr) {
            continue;
        }
        let name = format!("{network}-{i}");
        let call = format!("subnetworks.insert {region}/{name}");
        let body = Subnetwork::new()
            .set_name(&name)
            .set_network(&path)
            .set_ip_cidr_range(cidr.to_string());
        let send = api.sdk().subnetworks.insert().set_project(project);
        let send = send.set_region(region).set_body(body);
        match api.change(&call, send.poller()).await {
            Err(e) if e.status == Some(409) => {
                let read = api.sdk().subnetworks.get().set_project(project);
                let read = read.set_region(region).set_subnetwork(&name).send();
                let found = api.get(&call, read).await?;
                let same = found.is_some_and(|s| {
                    network_path(s.network.as_deref().unwrap_or_default(), project) == path
                        && s.ip_cidr_range.and_then(|r| r.parse::<Ipv4Net>().ok()) == Some(*cidr)
                });
                if !same {
                    return Err(e);
                }
            }
            other => other?,
        }
    }
    Ok(())
}

/// Deletes a network's subnetworks, then the network (already gone counts as done).
async fn delete_network(api: &Api, network: &str, path: &str) -> Result<(), DriverError> {
    let call = format!("networks.delete {network}");
    let Some(net) = get_network(api, &call, path).await? else {
        return Ok(());
    };
    for link in &net.subnetworks {
        let sub = relative(link);
        let name = sub.rsplit('/').next().unwrap_or(sub);
        let call = format!("subnetworks.delete {network}/{name}");
        let Some((project, Some(region), name)) = parts(sub) else {
            return Err(DriverError::transport(
                Cloud::Gcp,
                &call,
                format!("{link} is not a subnetwork's link"),
            ));
        };
        let send = api.sdk().subnetworks.delete().set_project(project);
        let send = send.set_region(region).set_subnetwork(name);
        gone_if_absent(api.change(&call, send.poller()).await)?;
    }
    let (project, name) = network_parts(&call, path)?;
    let send = api.sdk().networks.delete().set_project(project);
    gone_if_absent(api.change(&call, send.set_network(name).poller()).await)
}

/// Reads the clouds' clock off a Compute endpoint: one unauthenticated `GET <endpoint>/compute/v1`
/// whose answer (a 404 or a 401, no matter) carries the front end's `Date`, which feeds
/// `Drivers::cloud_now` as EC2's and ARM's answers do. Google's SDK shows no answer's headers,
/// so this is the one call of a pass that goes around it; a failure costs nothing but the
/// reading (`crate::clock`).
async fn read_clock(d: &Drivers, base: &str) {
    let url = format!("{}/compute/v1", base.trim_end_matches('/'));
    let sent = d
        .http
        .send(
            Cloud::Gcp,
            "clock",
            hyper::Method::GET,
            &url,
            &[],
            Vec::new(),
        )
        .await;
    if let Some(date) = sent
        .ok()
        .and_then(|a| a.headers.get("date").cloned())
        .and_then(|v| v.to_str().ok().map(str::to_string))
    {
        d.clock.saw_header(&date);
    }
}
