//! Gateways and encrypted links, on every cloud alike: per gateway VM its subnet (created when
//! the file gives a block, checked public when it names one), its public address, its firewall
//! (the tunnel port from exactly its peers' addresses), the VM with the configuration rendered
//! now (replaced when the digest it carries differs), its forwarding and attached address; per
//! encrypted link and side, a route to each remote block through the side's active gateway in
//! every selected table (a blackhole route to the active VM is left alone while that VM is
//! stopped: moving it is the health check's call, `crate::health`); then what the topology
//! owns and no longer wants (routes to its gateways, gateway VMs, their firewalls, addresses
//! and the subnets it made).
//!
//! A VM's tunnels pair primary with primary and backup with backup (validation makes both ends
//! of a link have a backup or neither). Its configuration needs every peer's public address,
//! which is why addresses are allocated in the first phase: an apply's first round allocates
//! them, and the VMs launch in the same round once the executor reads the addresses back.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{missing_reason, Action, Conflict, Ctx, GatewayRoute, Mode, Reason, TableRef};
use crate::desired::{Cloud, LinkKind, Source, Tables};
use crate::gateway::{config, digest, GatewayVm, SubnetRef, Tunnel};
use crate::observed::{AwsTarget, GatewayTable, ObservedGateway};

pub(super) fn plan(cx: &mut Ctx<'_>) {
    let desired = cx.desired;
    let wanted: Vec<GatewayVm<'_>> = if cx.mode == Mode::Apply {
        desired
            .gateways
            .values()
            .filter(|g| usable(cx, &g.network))
            .flat_map(|g| g.vms())
            .collect()
    } else {
        Vec::new()
    };
    let addresses: BTreeMap<String, Ipv4Addr> = cx
        .observed
        .gateways
        .iter()
        .filter_map(|(name, g)| g.address.as_ref().map(|a| (name.clone(), a.ip)))
        .collect();
    let mut subnets_planned: BTreeSet<(String, Ipv4Net)> = BTreeSet::new();
    let mut replaced: BTreeSet<String> = BTreeSet::new();
    let mut secret_missing = false;
    for vm in &wanted {
        let found = cx.observed.gateways.get(vm.name);
        subnet(cx, vm, found, &mut subnets_planned);
        if found.and_then(|g| g.address.as_ref()).is_none() {
            cx.step(
                Action::AllocateAddress {
                    gateway: vm.name.to_string(),
                    network: vm.gateway.network.clone(),
                    cloud: vm.gateway.cloud,
                },
                Reason::Missing,
            );
        }
        let tunnels = tunnels(cx, vm);
        let peers: Vec<String> = tunnels.iter().map(|t| t.peer.clone()).collect();
        let want: Option<BTreeSet<Ipv4Addr>> =
            peers.iter().map(|p| addresses.get(p).copied()).collect();
        let inner = inner_blocks(cx, vm);
        let firewall_reason = match found.and_then(|g| g.firewall.as_ref().map(|f| (f, g))) {
            None => Some(Reason::Missing),
            Some((have, g)) => {
                let have: BTreeSet<Ipv4Addr> = have.iter().copied().collect();
                let inner_have: BTreeSet<&Ipv4Net> = g.inner.iter().collect();
                let differs = want.as_ref() != Some(&have)
                    || inner_have != inner.iter().collect::<BTreeSet<_>>();
                differs.then_some(Reason::RuleDiffers)
            }
        };
        if let Some(reason) = firewall_reason {
            cx.step(
                Action::GatewayFirewall {
                    gateway: vm.name.to_string(),
                    network: vm.gateway.network.clone(),
                    cloud: vm.gateway.cloud,
                    peers: peers.clone(),
                    inner,
                    exists: reason != Reason::Missing,
                },
                reason,
            );
        }
        let expected = desired.gateway_secret.as_ref().and_then(|s| {
            config(s, &desired.name, vm.name, &tunnels, &addresses)
                .ok()
                .map(|c| digest(&c))
        });
        let launch = Action::LaunchGateway {
            gateway: vm.name.to_string(),
            network: vm.gateway.network.clone(),
            cloud: vm.gateway.cloud,
            subnet: vm.subnet.clone(),
            zone: vm.zone.map(str::to_string),
            size: vm.gateway.size.clone(),
            tunnels,
        };
        let instance = found.and_then(|g| g.instance.as_ref());
        let same = matches!((instance, &expected), (Some(i), Some(d)) if &i.digest == d);
        match instance {
            _ if desired.gateway_secret.is_none() && !same => {
                if !secret_missing {
                    secret_missing = true;
                    cx.conflicts.push(Conflict::NoGatewaySecret {
                        gateway: vm.name.to_string(),
                    });
                }
            }
            None => cx.step(launch, Reason::Missing),
            Some(i) if !same => {
                replaced.insert(vm.name.to_string());
                cx.step(
                    Action::DeleteGateway {
                        gateway: vm.name.to_string(),
                        cloud: vm.gateway.cloud,
                        id: i.id.clone(),
                    },
                    Reason::ConfigDiffers,
                );
                cx.step(launch, Reason::ConfigDiffers);
            }
            Some(i) => {
                if !i.forwarding {
                    cx.step(
                        Action::GatewayForwarding {
                            gateway: vm.name.to_string(),
                            cloud: vm.gateway.cloud,
                        },
                        Reason::GatewayDrift,
                    );
                }
                if !i.address_attached {
                    cx.step(
                        Action::AttachAddress {
                            gateway: vm.name.to_string(),
                            cloud: vm.gateway.cloud,
                        },
                        Reason::GatewayDrift,
                    );
                }
            }
        }
    }
    let mut keep: BTreeSet<(String, String, Ipv4Net)> = BTreeSet::new();
    let links: Vec<_> = cx.links.iter().copied().filter(|l| l.encrypted()).collect();
    for l in links {
        let LinkKind::Encrypted { active } = &l.kind else {
            continue;
        };
        for (i, side) in l.sides.iter().enumerate() {
            let peer = l.peer_of(side);
            let vm = active[i].as_str();
            let instance = cx
                .observed
                .gateways
                .get(vm)
                .and_then(|g| g.instance.as_ref());
            let applied = instance.is_some();
            // A route to a stopped gateway is a blackhole, and replacing it with the same
            // target changes nothing: whether to move it is the health check's call.
            let stopped = instance.is_some_and(|i| !i.running);
            routes(
                cx,
                l,
                i,
                side,
                peer,
                vm,
                (applied, stopped),
                &replaced,
                &mut keep,
            );
        }
    }
    stale(cx, &wanted, &keep);
}

/// Whether a network can carry a gateway: found, or declared (created by this plan).
fn usable(cx: &Ctx<'_>, network: &str) -> bool {
    cx.found(network).is_some() || matches!(cx.network(network).source, Source::Declared(_))
}

/// The VM's subnet: created once per block (AWS, Azure), or checked when the file names one.
fn subnet(
    cx: &mut Ctx<'_>,
    vm: &GatewayVm<'_>,
    found: Option<&ObservedGateway>,
    planned: &mut BTreeSet<(String, Ipv4Net)>,
) {
    let network = &vm.gateway.network;
    let seen = found.and_then(|g| g.subnet.as_ref());
    match vm.subnet {
        SubnetRef::Create(_) if vm.gateway.cloud == Cloud::Gcp => {}
        SubnetRef::Create(cidr) => {
            // Found for this VM or another of the block; a made one that is not public yet (its
            // create was cut short before the route to the internet) is made again, which
            // finishes it.
            let found = seen.or_else(|| {
                cx.observed
                    .gateways
                    .values()
                    .filter(|g| &g.network == network)
                    .filter_map(|g| g.subnet.as_ref())
                    .find(|s| s.cidr == Some(*cidr))
            });
            let reason = match found {
                None => Some(Reason::Missing),
                Some(s) if !s.public => Some(Reason::Drift),
                Some(_) => None,
            };
            if let Some(reason) = reason.filter(|_| planned.insert((network.clone(), *cidr))) {
                cx.step(
                    Action::CreateGatewaySubnet {
                        network: network.clone(),
                        cloud: vm.gateway.cloud,
                        cidr: *cidr,
                        zone: vm.zone.map(str::to_string),
                    },
                    reason,
                );
            }
        }
        SubnetRef::Existing(id) => match seen {
            None => cx.conflicts.push(Conflict::GatewaySubnetNotFound {
                gateway: vm.name.to_string(),
                network: network.clone(),
                subnet: id.clone(),
            }),
            Some(s) if !s.public => cx.conflicts.push(Conflict::GatewaySubnetNotPublic {
                gateway: vm.name.to_string(),
                subnet: id.clone(),
            }),
            Some(_) => {}
        },
    }
}

/// The VM's tunnels: one per wanted encrypted link of its network, to the peer's primary (from
/// a primary) or backup (from a backup), carrying the peer network's blocks.
/// The blocks a gateway VM's firewall admits every protocol from: its network's own, the traffic
/// it forwards into its tunnels (out of its instances) and back (their replies). None on Azure:
/// an NSG's default rule `AllowVnetInBound` admits the VNet's address space already.
fn inner_blocks(cx: &Ctx<'_>, vm: &GatewayVm<'_>) -> Vec<Ipv4Net> {
    if vm.gateway.cloud == Cloud::Azure {
        return Vec::new();
    }
    let mut out = cx.cidrs(&vm.gateway.network);
    out.sort();
    out
}

fn tunnels(cx: &Ctx<'_>, vm: &GatewayVm<'_>) -> Vec<Tunnel> {
    let network = vm.gateway.network.as_str();
    let mut out = Vec::new();
    for l in cx.links.iter().filter(|l| l.encrypted()) {
        if !l.sides.iter().any(|s| s == network) {
            continue;
        }
        let peer = l.peer_of(network);
        let Some(h) = cx.desired.gateway_of(peer) else {
            continue;
        };
        let peer_vm = match (&h.ha, vm.backup) {
            (Some(ha), true) => ha.name.clone(),
            _ => h.name.clone(),
        };
        let mut allowed_ips = cx.cidrs(peer);
        allowed_ips.sort();
        out.push(Tunnel {
            peer: peer_vm,
            link: l.name.clone(),
            allowed_ips,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn routes(
    cx: &mut Ctx<'_>,
    l: &crate::desired::Link,
    i: usize,
    side: &str,
    peer: &str,
    vm: &str,
    (applied, stopped): (bool, bool),
    replaced: &BTreeSet<String>,
    keep: &mut BTreeSet<(String, String, Ipv4Net)>,
) {
    let cloud = cx.network(side).cloud;
    let destinations = cx.cidrs(peer);
    let route = |table, d| gateway_route(side, cloud, vm, &l.name, table, d);
    let create = |cx: &mut Ctx<'_>, table: TableRef, d: Ipv4Net, reason: Reason| {
        cx.step(Action::CreateGatewayRoute(route(table, d)), reason);
    };
    let observed: &[GatewayTable] = cx
        .observed
        .gateway_tables
        .get(side)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let tables: Vec<&GatewayTable> = match (&l.tables[i], cx.found(side)) {
        (Tables::Listed(_), None) => {
            cx.conflicts.push(Conflict::TablesOfNewNetwork {
                link: l.name.clone(),
                network: side.to_string(),
            });
            return;
        }
        (Tables::Listed(ids), Some(_)) => {
            let mut out = Vec::new();
            for id in ids {
                match observed.iter().find(|t| &t.id == id) {
                    Some(t) => out.push(t),
                    None => cx.conflicts.push(Conflict::TableNotFound {
                        link: l.name.clone(),
                        network: side.to_string(),
                        table: id.clone(),
                    }),
                }
            }
            out
        }
        (Tables::All, _) if observed.is_empty() => {
            // A new VPC's main table; GCP's and Azure's one table, made with the first route.
            for d in destinations {
                create(cx, TableRef::Main, d, Reason::Missing);
            }
            return;
        }
        (Tables::All, _) => observed.iter().collect(),
    };
    let mut tables = tables;
    tables.sort_by(|a, b| a.id.cmp(&b.id));
    let owned_peerings: BTreeSet<&str> = cx
        .observed
        .aws_peerings
        .iter()
        .filter(|p| super::owned_by(&p.tags, &cx.desired.name))
        .map(|p| p.id.as_str())
        .collect();
    for table in tables {
        for d in &destinations {
            keep.insert((side.to_string(), table.id.clone(), *d));
            let existing = table.routes.iter().find(|r| r.destination == *d);
            let replace = |was: &str| {
                let route = gateway_route(side, cloud, vm, &l.name, table.id.clone(), *d);
                Action::ReplaceGatewayRoute(route).with_was(was)
            };
            match existing {
                None => create(
                    cx,
                    TableRef::Id(table.id.clone()),
                    *d,
                    missing_reason(applied),
                ),
                Some(r)
                    if r.gateway.as_deref() == Some(vm)
                        && (!r.blackhole || stopped)
                        && !replaced.contains(vm) => {}
                // A route to one of the topology's peerings (the pair's link was native): the
                // AWS plan removes it with the routes no native link keeps; made again here.
                Some(r) if owned_peerings.contains(r.target.as_str()) => create(
                    cx,
                    TableRef::Id(table.id.clone()),
                    *d,
                    Reason::Retarget {
                        was: AwsTarget::Peering(r.target.clone()),
                    },
                ),
                Some(r) if r.gateway.is_some() || r.blackhole => {
                    let (action, reason) = replace(&r.target);
                    cx.step(action, reason);
                }
                Some(r) => cx.conflicts.push(Conflict::RouteTaken {
                    link: l.name.clone(),
                    network: side.to_string(),
                    table: table.id.clone(),
                    destination: *d,
                    target: r.target.clone(),
                }),
            }
        }
    }
}

/// The link's route to `destination` through `vm`, in `table` of `side`.
fn gateway_route<T>(
    side: &str,
    cloud: Cloud,
    vm: &str,
    link: &str,
    table: T,
    destination: Ipv4Net,
) -> GatewayRoute<T> {
    GatewayRoute {
        network: side.to_string(),
        cloud,
        table,
        destination,
        gateway: vm.to_string(),
        link: link.to_string(),
    }
}

impl Action {
    /// A replacement route step with the reason naming what the route pointed at.
    fn with_was(self, was: &str) -> (Action, Reason) {
        (
            self,
            Reason::Retarget {
                was: AwsTarget::Other(was.to_string()),
            },
        )
    }
}

/// What the topology owns and no longer wants: routes to its gateways that no wanted link keeps,
/// then the gateway VMs that are not wanted, with their firewalls, addresses and the subnets the
/// controller made for them.
fn stale(cx: &mut Ctx<'_>, wanted: &[GatewayVm<'_>], keep: &BTreeSet<(String, String, Ipv4Net)>) {
    let reason = cx.gone();
    let tables: Vec<(String, GatewayTable)> = cx
        .observed
        .gateway_tables
        .iter()
        .flat_map(|(n, ts)| ts.iter().map(move |t| (n.clone(), t.clone())))
        .collect();
    for (network, t) in tables {
        for r in &t.routes {
            let Some(gw) = &r.gateway else { continue };
            if !keep.contains(&(network.clone(), t.id.clone(), r.destination)) {
                cx.step(
                    Action::DeleteGatewayRoute {
                        network: network.clone(),
                        cloud: cx.observed_cloud(&network),
                        table: t.id.clone(),
                        destination: r.destination,
                        gateway: gw.clone(),
                    },
                    reason.clone(),
                );
            }
        }
    }
    let names: BTreeSet<&str> = wanted.iter().map(|v| v.name).collect();
    let kept_subnets: BTreeSet<String> = cx
        .observed
        .gateways
        .iter()
        .filter(|(name, _)| names.contains(name.as_str()))
        .filter_map(|(_, g)| g.subnet.as_ref().map(|s| s.id.clone()))
        .collect();
    let mut subnets_gone = BTreeSet::new();
    let gone: Vec<(String, ObservedGateway)> = cx
        .observed
        .gateways
        .iter()
        .filter(|(name, _)| !names.contains(name.as_str()))
        .map(|(n, g)| (n.clone(), g.clone()))
        .collect();
    for (name, g) in gone {
        if let Some(i) = &g.instance {
            cx.step(
                Action::DeleteGateway {
                    gateway: name.clone(),
                    cloud: g.cloud,
                    id: i.id.clone(),
                },
                reason.clone(),
            );
        }
        if g.firewall.is_some() {
            cx.step(
                Action::DeleteGatewayFirewall {
                    gateway: name.clone(),
                    cloud: g.cloud,
                },
                reason.clone(),
            );
        }
        if let Some(a) = &g.address {
            cx.step(
                Action::ReleaseAddress {
                    gateway: name.clone(),
                    cloud: g.cloud,
                    id: a.id.clone(),
                },
                reason.clone(),
            );
        }
        if let Some(s) = &g.subnet {
            if s.created && !kept_subnets.contains(&s.id) && subnets_gone.insert(s.id.clone()) {
                cx.step(
                    Action::DeleteGatewaySubnet {
                        network: g.network.clone(),
                        cloud: g.cloud,
                        id: s.id.clone(),
                    },
                    reason.clone(),
                );
            }
        }
    }
}

impl Ctx<'_> {
    /// The cloud of a network the topology declares or found as an orphan.
    fn observed_cloud(&self, network: &str) -> Cloud {
        match self.desired.networks.get(network) {
            Some(n) => n.cloud,
            None => self
                .found(network)
                .map(|n| n.detail.cloud())
                .or_else(|| {
                    let mut of = self.observed.gateways.values();
                    of.find(|g| g.network == network).map(|g| g.cloud)
                })
                .unwrap_or(Cloud::Aws),
        }
    }
}
