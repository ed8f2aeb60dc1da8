//! `GET /_vpcpeer/topology`: the estate of all three clouds as one typed answer
//! ([`vpcpeer_api::Topology`]), for the web console's map ([`crate::console`]).
//!
//! Built from the world under the read lock ([`Emulator::with_world`](vpcpeer_service::Emulator))
//! at the emulator's `now`, with no I/O. States are the ones each cloud's own read shows: the AWS
//! peering state at `now` (a pending request past its expiration is `expired`) spelled by
//! `vpcpeer_reach::peering_state_name`, the GCP entry's `ACTIVE`/`INACTIVE` derived from the
//! reverse entry (`gcp::peering_view`, spelled as `vpcpeer-wire-gcp` renders it), and the Azure
//! link's `peeringState` (`azure::peering::state`, spelled by `vpcpeer-wire-azure`).
//!
//! An AWS peering connection is listed while either party still sees it (`visible_to`), so a
//! deleted, rejected or expired one stays on the map for the window AWS keeps it listed.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vpcpeer_api::{
    Topology, TopologyAccount, TopologyCloud, TopologyInstance, TopologyNetwork, TopologyPeering,
    TopologyRegion, TopologySubnet,
};
use vpcpeer_model::{InstanceState, Timestamp, World};
use vpcpeer_wire_aws::render::iso;

use crate::AppState;

/// `GET /_vpcpeer/topology`.
pub(crate) async fn topology_handler(State(st): State<Arc<AppState>>) -> Response {
    let now = st.emulator.now();
    Json(st.emulator.with_world(|w| build(w, now))).into_response()
}

/// A network with its account (project, subscription) and region.
type Placed = (String, String, TopologyNetwork);

/// The topology of `world` at `now`.
pub fn build(world: &World, now: Timestamp) -> Topology {
    let mut peerings = aws_peerings(world, now);
    peerings.extend(gcp_peerings(world));
    peerings.extend(azure_peerings(world));
    peerings.sort_by(|a, b| a.id.cmp(&b.id));
    Topology {
        clouds: vec![
            cloud("aws", aws_networks(world)),
            cloud("gcp", gcp_networks(world)),
            cloud("azure", azure_networks(world)),
        ],
        gateways: Vec::new(),
        links: Vec::new(),
        now: iso(now),
        now_ms: now.millis(),
        peerings,
    }
}

/// The cloud's networks nested account → region, as the answer wants them.
fn cloud(name: &str, networks: Vec<Placed>) -> TopologyCloud {
    let mut tree: BTreeMap<String, BTreeMap<String, Vec<TopologyNetwork>>> = BTreeMap::new();
    for (account, region, network) in networks {
        tree.entry(account)
            .or_default()
            .entry(region)
            .or_default()
            .push(network);
    }
    TopologyCloud {
        accounts: tree
            .into_iter()
            .map(|(id, regions)| TopologyAccount {
                id,
                regions: regions
                    .into_iter()
                    .map(|(name, mut networks)| {
                        networks.sort_by(|a, b| a.id.cmp(&b.id));
                        TopologyRegion { name, networks }
                    })
                    .collect(),
            })
            .collect(),
        cloud: name.to_owned(),
    }
}

fn name_tag(tags: &BTreeMap<String, String>) -> Option<String> {
    tags.get("Name").cloned()
}

// --- AWS ---------------------------------------------------------------------------------------

fn aws_networks(world: &World) -> Vec<Placed> {
    let aws = &world.aws;
    let mut subnets = grouped(aws.subnets().values().map(|s| {
        let subnet = TopologySubnet {
            cidr: s.cidr.map(|c| c.to_string()),
            id: s.id.clone(),
            name: name_tag(&s.tags),
            zone: s.availability_zone.clone(),
        };
        (s.vpc_id.as_str(), subnet)
    }));
    let mut instances: BTreeMap<&str, Vec<TopologyInstance>> = BTreeMap::new();
    for i in aws.instances().values() {
        if i.state == InstanceState::Terminated {
            continue;
        }
        let ips = i
            .eni_ids
            .iter()
            .filter_map(|e| aws.network_interfaces().get(e))
            .filter(|e| e.vpc_id == i.vpc_id)
            .flat_map(|e| std::iter::once(e.private_ip).chain(e.secondary_ips.iter().copied()))
            .map(|ip| ip.to_string())
            .collect();
        instances
            .entry(i.vpc_id.as_str())
            .or_default()
            .push(TopologyInstance {
                id: i.id.clone(),
                ips,
                name: name_tag(&i.tags),
                subnet: i.subnet_id.clone(),
            });
    }
    let mut networks = Vec::new();
    for v in aws.vpcs().values() {
        networks.push((
            v.scope.account.clone(),
            v.scope.region.clone(),
            TopologyNetwork {
                cidrs: v.ipv4_cidrs().map(|c| c.to_string()).collect(),
                id: v.id.clone(),
                instances: instances.remove(v.id.as_str()).unwrap_or_default(),
                is_default: v.is_default,
                name: name_tag(&v.tags),
                subnets: subnets.remove(v.id.as_str()).unwrap_or_default(),
                tags: v.tags.clone(),
            },
        ));
    }
    networks
}

fn aws_peerings(world: &World, now: Timestamp) -> Vec<TopologyPeering> {
    world
        .aws
        .peerings()
        .values()
        .filter(|p| p.visible_to(&p.requester.scope, now) || p.visible_to(&p.accepter.scope, now))
        .map(|p| {
            let state = p.state_at(now);
            let pending =
                state == vpcpeer_model::aws::peering_state::PeeringState::PendingAcceptance;
            TopologyPeering {
                cloud: "aws".to_owned(),
                expires: pending.then(|| iso(p.expiration)),
                expires_ms: pending.then(|| p.expiration.millis()),
                from: p.requester.vpc_id.clone(),
                id: p.id.clone(),
                name: p.tags.values().find_map(name_tag),
                state: vpcpeer_reach::peering_state_name(state).to_owned(),
                to: p.accepter.vpc_id.clone(),
            }
        })
        .collect()
}

/// Adds an instance (GCP) or VM (Azure) to the networks it has an address in, one entry per
/// network: `addresses` are `(network, subnet, ip)`, in order; an entry's subnet is the one of
/// its first address.
fn add_by_network<'a, K: Ord>(
    instances: &mut BTreeMap<K, Vec<TopologyInstance>>,
    id: &str,
    name: &str,
    addresses: impl Iterator<Item = (K, &'a str, String)>,
) {
    let mut seen: BTreeMap<K, TopologyInstance> = BTreeMap::new();
    for (network, subnet, ip) in addresses {
        seen.entry(network)
            .or_insert_with(|| TopologyInstance {
                id: id.to_owned(),
                ips: Vec::new(),
                name: Some(name.to_owned()),
                subnet: subnet.to_owned(),
            })
            .ips
            .push(ip);
    }
    for (network, entry) in seen {
        instances.entry(network).or_default().push(entry);
    }
}

/// `(key, value)` pairs grouped by key, each group's values in order.
fn grouped<K: Ord, V>(pairs: impl Iterator<Item = (K, V)>) -> BTreeMap<K, Vec<V>> {
    let mut out: BTreeMap<K, Vec<V>> = BTreeMap::new();
    for (k, v) in pairs {
        out.entry(k).or_default().push(v);
    }
    out
}

// --- GCP ---------------------------------------------------------------------------------------

fn gcp_networks(world: &World) -> Vec<Placed> {
    let gcp = &world.gcp;
    let mut subnets = grouped(gcp.subnetworks().values().map(|s| {
        let subnet = TopologySubnet {
            cidr: Some(s.ip_cidr_range.to_string()),
            id: s.id.clone(),
            name: Some(s.name.clone()),
            zone: s.region.clone(),
        };
        (s.network.as_str(), subnet)
    }));
    let mut instances: BTreeMap<&str, Vec<TopologyInstance>> = BTreeMap::new();
    for i in gcp.instances().values() {
        let addresses = i.nics.iter().map(|nic| {
            let ip = nic.network_ip.to_string();
            (nic.network.as_str(), nic.subnetwork.as_str(), ip)
        });
        add_by_network(&mut instances, &i.id, &i.name, addresses);
    }
    let mut networks = Vec::new();
    for n in gcp.networks().values() {
        let subnets = subnets.remove(n.id.as_str()).unwrap_or_default();
        networks.push((
            n.project.clone(),
            "global".to_owned(),
            TopologyNetwork {
                cidrs: subnets.iter().filter_map(|s| s.cidr.clone()).collect(),
                id: n.id.clone(),
                instances: instances.remove(n.id.as_str()).unwrap_or_default(),
                is_default: n.auto_create_subnetworks,
                name: Some(n.name.clone()),
                subnets,
                tags: BTreeMap::new(),
            },
        ));
    }
    networks
}

fn gcp_peerings(world: &World) -> Vec<TopologyPeering> {
    let mut out = Vec::new();
    for n in world.gcp.networks().values() {
        for p in &n.peerings {
            let view = vpcpeer_model::gcp::peering_view(world, n, p);
            out.push(TopologyPeering {
                cloud: "gcp".to_owned(),
                expires: None,
                expires_ms: None,
                from: n.id.clone(),
                id: format!("{}/peerings/{}", n.id, p.name),
                name: Some(p.name.clone()),
                state: if view.active { "ACTIVE" } else { "INACTIVE" }.to_owned(),
                to: p.peer_network.clone(),
            });
        }
    }
    out
}

// --- Azure -------------------------------------------------------------------------------------

/// The lower-cased VNet key of a subnet's ARM id (`…/virtualNetworks/V/subnets/S`).
fn vnet_of_subnet(subnet_id: &str) -> String {
    let lower = subnet_id.to_ascii_lowercase();
    match lower.rfind("/subnets/") {
        Some(i) => lower[..i].to_owned(),
        None => lower,
    }
}

fn azure_networks(world: &World) -> Vec<Placed> {
    let az = &world.azure;
    let mut instances: BTreeMap<String, Vec<TopologyInstance>> = BTreeMap::new();
    for vm in az.vms().values() {
        let addresses = vm
            .nics
            .iter()
            .filter_map(|n| az.nics().get(&n.to_ascii_lowercase()))
            .flat_map(|nic| &nic.ip_configs)
            .map(|c| {
                let ip = c.private_ip.to_string();
                (vnet_of_subnet(&c.subnet_id), c.subnet_id.as_str(), ip)
            });
        add_by_network(&mut instances, &vm.display_id, &vm.name, addresses);
    }
    let mut networks = Vec::new();
    for v in az.vnets().values() {
        networks.push((
            v.place.subscription.clone(),
            v.place.location.clone(),
            TopologyNetwork {
                cidrs: v.prefixes.iter().map(|p| p.to_string()).collect(),
                id: v.display_id.clone(),
                instances: instances.remove(&v.id).unwrap_or_default(),
                is_default: false,
                name: Some(v.name.clone()),
                subnets: v
                    .subnets
                    .iter()
                    .map(|s| TopologySubnet {
                        cidr: Some(s.prefix.to_string()),
                        id: format!("{}/subnets/{}", v.display_id, s.name),
                        name: Some(s.name.clone()),
                        zone: v.place.location.clone(),
                    })
                    .collect(),
                tags: v.tags.clone(),
            },
        ));
    }
    networks
}

fn azure_peerings(world: &World) -> Vec<TopologyPeering> {
    let vnets = world.azure.vnets();
    world
        .azure
        .peerings()
        .values()
        .map(|l| {
            let state = vpcpeer_model::azure::peering::state(world, l);
            TopologyPeering {
                cloud: "azure".to_owned(),
                expires: None,
                expires_ms: None,
                from: vnets
                    .get(&l.vnet)
                    .map_or_else(|| l.vnet.clone(), |v| v.display_id.clone()),
                id: l.display_id.clone(),
                name: Some(l.name.clone()),
                state: vpcpeer_wire_azure::peering_state(state).to_owned(),
                to: vnets
                    .get(&l.remote_vnet)
                    .map_or_else(|| l.remote_vnet_id.clone(), |v| v.display_id.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "topology_tests.rs"]
mod tests;
