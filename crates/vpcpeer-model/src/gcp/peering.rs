//! VPC Network Peering: each side's configuration, the state derived from the reverse entry,
//! the one-operation-at-a-time rule, and the routes a peering exchanges.
//!
//! Timing of peering operations [UNVERIFIED — the emulator's choice, not GCP's documented
//! behaviour]: `addPeering`, `removePeering` and `updatePeering` each create an operation whose
//! duration is the `gcp_peering_op_secs` knob of [`Limits`](crate::Limits).
//!
//! - 0 (the default): the change is validated and applied within the same request and the reply
//!   is the `DONE` operation, so a client's `operation.result()` returns (or raises) without
//!   polling. This matters because google-cloud-compute's Python `ExtendedOperation` polls a
//!   `RUNNING` operation through an operations client built without the caller's
//!   `client_options`, i.e. against compute.googleapis.com, not the emulator.
//! - N > 0: the operation is `RUNNING` and changes nothing yet. The change is validated and
//!   applied when it completes, on its first `get` or `wait`, or on any later request once the
//!   emulator clock reaches `insertTime` + N seconds ([`settle_due_operations`]; nothing runs in
//!   the background).
//!
//! While an operation is `RUNNING` on a network or on its peer, another peering operation that
//! touches either is refused with GCP's `badRequest` "There is a peering operation in
//! progress…". Real GCP peering operations take seconds and tools (Terraform, gcloud) retry on
//! that error; zero-duration operations never overlap, so the rule is only observable with
//! N > 0, which is what lets users test their retries. Validation failures (overlapping ranges,
//! two auto-mode networks, a second peering to the same network, a duplicate name, the
//! per-network quota) are not HTTP errors: they are the `error` of the `DONE` operation, as GCP
//! reports them, in both modes.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::operations::done_op;
use super::rules::network_ranges;
use super::*;
use crate::cidr::overlaps_v4;
use crate::{set_if_given, Timestamp, Tx, World};

/// A peering entry as read: its derived state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeeringView {
    /// `ACTIVE`: the peer network exists and has an entry pointing back at this network.
    pub active: bool,
    /// Since when the entry is in this state (the later of the two sides' creation when active,
    /// this side's creation otherwise).
    pub since: Timestamp,
    /// The peer network's MTU, when active.
    pub peer_mtu: Option<u32>,
}

fn reverse_entry<'w>(world: &'w World, net: &GcpNetwork, p: &GcpPeering) -> Option<&'w GcpPeering> {
    world
        .gcp
        .networks
        .get(&p.peer_network)
        .and_then(|peer| peer.peerings.iter().find(|r| r.peer_network == net.id))
}

/// The derived state of `net`'s entry `p`.
pub fn peering_view(world: &World, net: &GcpNetwork, p: &GcpPeering) -> PeeringView {
    match reverse_entry(world, net, p) {
        Some(r) => PeeringView {
            active: true,
            since: p.created.max(r.created),
            peer_mtu: world.gcp.networks.get(&p.peer_network).map(|n| n.mtu),
        },
        None => PeeringView {
            active: false,
            since: p.created,
            peer_mtu: None,
        },
    }
}

/// `net`'s active peerings: (peering name, peer network path).
pub fn active_peers(world: &World, net: &GcpNetwork) -> Vec<(String, String)> {
    net.peerings
        .iter()
        .filter(|p| reverse_entry(world, net, p).is_some())
        .map(|p| (p.name.clone(), p.peer_network.clone()))
        .collect()
}

/// What `networks.addPeering` takes (the `networkPeering` form, or the legacy top-level one).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AddPeering {
    /// Name of the new entry.
    pub name: String,
    /// The peer network, as a URL or partial path.
    pub peer_network: String,
    /// `exchangeSubnetRoutes` / `autoCreateRoutes`: subnet routes are always exchanged, so only
    /// `true` (or unset) is accepted.
    pub exchange_subnet_routes: Option<bool>,
    /// Default false.
    pub export_custom_routes: bool,
    /// Default false.
    pub import_custom_routes: bool,
    /// Default true.
    pub export_subnet_routes_with_public_ip: Option<bool>,
    /// Default false.
    pub import_subnet_routes_with_public_ip: Option<bool>,
    /// Default IPv4 only.
    pub stack_type: Option<StackType>,
}

/// What `networks.updatePeering` takes: the entry's name and the flags to change.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct UpdatePeering {
    /// Which entry.
    pub name: String,
    /// New value, if given.
    pub export_custom_routes: Option<bool>,
    /// New value, if given.
    pub import_custom_routes: Option<bool>,
    /// New value, if given.
    pub export_subnet_routes_with_public_ip: Option<bool>,
    /// New value, if given.
    pub import_subnet_routes_with_public_ip: Option<bool>,
    /// New value, if given.
    pub stack_type: Option<StackType>,
}

/// Records a peering operation on `target` and, when operations take no time
/// (`gcp_peering_op_secs` = 0), completes it at once: the result is then `DONE`, with the
/// refusal as its `error` when validation fails.
fn start(
    tx: &mut Tx<'_, '_>,
    project: &str,
    target: &GcpNetwork,
    change: PendingPeering,
    peer: String,
) -> GcpOperation {
    let operation_type = match change {
        PendingPeering::Add(_) => "addPeering",
        PendingPeering::Remove(_) => "removePeering",
        PendingPeering::Update(_) => "updatePeering",
    };
    let (id, numeric) = (&target.id, target.numeric_id);
    let mut op = done_op(tx, project, OpScope::Global, operation_type, id, numeric);
    op.status = OpStatus::Running;
    op.end_time = None;
    op.pending = Some(change);
    op.peer_network = Some(peer);
    // `put`, not `get_mut`: the index of running operations follows puts.
    tx.put(op.clone());
    if tx.ctx.limits.gcp_peering_op_secs > 0 {
        return op;
    }
    complete(tx, &op.id);
    tx.get::<GcpOperation>(&op.id)
        .expect("just recorded")
        .clone()
}

fn check_not_busy(tx: &Tx<'_, '_>, a: &str, b: &str) -> Result<(), GcpError> {
    let w = tx.world();
    let busy = w.gcp.running_operations().any(|op| {
        [Some(op.target.as_str()), op.peer_network.as_deref()]
            .into_iter()
            .flatten()
            .any(|n| n == a || n == b)
    });
    if busy {
        Err(GcpError::PeeringInProgress)
    } else {
        Ok(())
    }
}

/// `networks.addPeering`: validates the request itself (network exists, name, the peer is a GCP
/// network and not this one, no peering operation running on either) and returns the operation
/// (`DONE` by default, `RUNNING` with `gcp_peering_op_secs` > 0); the rest is checked when it
/// completes.
pub fn add_peering(
    tx: &mut Tx<'_, '_>,
    project: &str,
    network_name: &str,
    req: AddPeering,
) -> Result<GcpOperation, GcpError> {
    let net = peering_network(tx, project, network_name)?;
    let id = net.id.clone();
    check_name(Field::PeeringName, &req.name)?;
    if req.peer_network.trim().is_empty() {
        return Err(GcpError::PeerNetworkMissing);
    }
    let peer = resolve_network(&req.peer_network, project).ok_or_else(|| GcpError::PeerNotGcp {
        reference: req.peer_network.clone(),
    })?;
    if peer == id {
        return Err(GcpError::PeerIsSelf {
            reference: req.peer_network,
        });
    }
    if req.exchange_subnet_routes == Some(false) {
        return Err(GcpError::SubnetRoutesNotExchanged);
    }
    check_not_busy(tx, &id, &peer)?;
    let entry = GcpPeering {
        name: req.name,
        peer_network: peer.clone(),
        export_custom_routes: req.export_custom_routes,
        import_custom_routes: req.import_custom_routes,
        export_subnet_routes_with_public_ip: req
            .export_subnet_routes_with_public_ip
            .unwrap_or(true),
        import_subnet_routes_with_public_ip: req
            .import_subnet_routes_with_public_ip
            .unwrap_or(false),
        stack_type: req.stack_type.unwrap_or(StackType::Ipv4Only),
        created: tx.now(),
    };
    Ok(start(tx, project, &net, PendingPeering::Add(entry), peer))
}

/// What every peering operation does first: settles the operations that are due, then looks
/// the network `network_name` up.
fn peering_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    network_name: &str,
) -> Result<GcpNetwork, GcpError> {
    settle_due_operations(tx);
    network(tx, &network_path(project, network_name)).cloned()
}

/// The network `network_name` and its peering entry `name`, which no running operation may
/// touch (the checks `removePeering` and `updatePeering` share, in their order).
fn idle_entry(
    tx: &mut Tx<'_, '_>,
    project: &str,
    network_name: &str,
    name: &str,
) -> Result<(GcpNetwork, GcpPeering), GcpError> {
    let net = peering_network(tx, project, network_name)?;
    let entry = entry_of(&net, name)?;
    check_not_busy(tx, &net.id, &entry.peer_network)?;
    Ok((net, entry))
}

fn entry_of(net: &GcpNetwork, name: &str) -> Result<GcpPeering, GcpError> {
    net.peerings
        .iter()
        .find(|p| p.name == name)
        .cloned()
        .ok_or_else(|| GcpError::NoSuchPeering {
            name: name.to_owned(),
            network: net.id.clone(),
        })
}

/// `networks.removePeering`: the entry must exist; returns the operation (see [`add_peering`]).
pub fn remove_peering(
    tx: &mut Tx<'_, '_>,
    project: &str,
    network_name: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let (net, entry) = idle_entry(tx, project, network_name, name)?;
    let change = PendingPeering::Remove(name.to_owned());
    Ok(start(tx, project, &net, change, entry.peer_network))
}

/// `networks.updatePeering`: the entry must exist; returns the operation (see [`add_peering`]).
pub fn update_peering(
    tx: &mut Tx<'_, '_>,
    project: &str,
    network_name: &str,
    req: UpdatePeering,
) -> Result<GcpOperation, GcpError> {
    let (net, mut entry) = idle_entry(tx, project, network_name, &req.name)?;
    set_if_given(&mut entry.export_custom_routes, req.export_custom_routes);
    set_if_given(&mut entry.import_custom_routes, req.import_custom_routes);
    set_if_given(
        &mut entry.export_subnet_routes_with_public_ip,
        req.export_subnet_routes_with_public_ip,
    );
    set_if_given(
        &mut entry.import_subnet_routes_with_public_ip,
        req.import_subnet_routes_with_public_ip,
    );
    set_if_given(&mut entry.stack_type, req.stack_type);
    let peer = entry.peer_network.clone();
    Ok(start(
        tx,
        project,
        &net,
        PendingPeering::Update(entry),
        peer,
    ))
}

fn overlap_error(world: &World, local: &GcpNetwork, peer: &GcpNetwork) -> Option<GcpError> {
    let mine = network_ranges(world, &local.id);
    let theirs = network_ranges(world, &peer.id);
    for (pr, _) in &theirs {
        if let Some((lr, ls)) = mine.iter().find(|(lr, _)| overlaps_v4(*lr, *pr)) {
            return Some(GcpError::PeerRangeOverlap {
                peer_range: *pr,
                local_range: *lr,
                local_subnetwork: ls.id.clone(),
            });
        }
    }
    let auto: Ipv4Net = AUTO_MODE_RANGE.parse().expect("valid");
    if local.auto_create_subnetworks && peer.auto_create_subnetworks {
        return Some(GcpError::TwoAutoModeNetworks);
    }
    // An auto-mode network may grow a subnetwork anywhere in 10.128.0.0/9.
    if local.auto_create_subnetworks {
        if let Some((pr, _)) = theirs.iter().find(|(r, _)| overlaps_v4(*r, auto)) {
            return Some(GcpError::PeerInLocalAutoRange { peer_range: *pr });
        }
    }
    if peer.auto_create_subnetworks {
        if let Some((lr, ls)) = mine.iter().find(|(r, _)| overlaps_v4(*r, auto)) {
            return Some(GcpError::LocalInPeerAutoRange {
                local_range: *lr,
                local_subnetwork: ls.id.clone(),
            });
        }
    }
    None
}

/// Validates and applies a running operation's change; the operation becomes `DONE`, with the
/// refusal as its error when there is one.
fn complete(tx: &mut Tx<'_, '_>, op_id: &str) {
    let Some(op) = tx.get::<GcpOperation>(op_id).cloned() else {
        return;
    };
    if op.status == OpStatus::Done {
        return;
    }
    let result = match &op.pending {
        Some(change) => apply(tx, &op.target, change),
        None => Ok(()),
    };
    // `put`, not `get_mut`: the index of running operations follows puts.
    let mut o = op;
    o.status = OpStatus::Done;
    o.end_time = Some(tx.now());
    o.pending = None;
    o.error = result.err();
    tx.put(o);
}

fn apply(tx: &mut Tx<'_, '_>, target: &str, change: &PendingPeering) -> Result<(), GcpError> {
    let net = network(tx, target)?.clone();
    match change {
        PendingPeering::Add(p) => {
            if net.peerings.iter().any(|e| e.name == p.name) {
                return Err(GcpError::DuplicatePeeringName {
                    name: p.name.clone(),
                    network: net.id.clone(),
                });
            }
            if let Some(e) = net
                .peerings
                .iter()
                .find(|e| e.peer_network == p.peer_network)
            {
                return Err(GcpError::AlreadyPeered {
                    existing: e.name.clone(),
                });
            }
            if let Some(limit) = tx.ctx.limits.gcp_peerings_per_network {
                if net.peerings.len() >= limit {
                    return Err(GcpError::PeeringQuota {
                        limit,
                        network: net.id.clone(),
                    });
                }
            }
            if let Some(peer) = tx.get::<GcpNetwork>(&p.peer_network).cloned() {
                if let Some(e) = overlap_error(tx.world(), &net, &peer) {
                    return Err(e);
                }
            }
            let mut p = p.clone();
            p.created = tx.now();
            tx.get_mut::<GcpNetwork>(target)
                .expect("read above")
                .peerings
                .push(p);
        }
        PendingPeering::Remove(name) => {
            entry_of(&net, name)?;
            tx.get_mut::<GcpNetwork>(target)
                .expect("read above")
                .peerings
                .retain(|e| e.name != *name);
        }
        PendingPeering::Update(p) => {
            entry_of(&net, &p.name)?;
            let n = tx.get_mut::<GcpNetwork>(target).expect("read above");
            if let Some(e) = n.peerings.iter_mut().find(|e| e.name == p.name) {
                let created = e.created;
                *e = p.clone();
                e.created = created;
            }
        }
    }
    Ok(())
}

/// The running operations whose time has come (`insertTime` + `gcp_peering_op_secs` ≤ now).
pub(crate) fn due_operations<'t>(
    tx: &'t Tx<'_, '_>,
) -> impl Iterator<Item = &'t GcpOperation> + 't {
    let now = tx.now();
    let millis = tx.ctx.limits.gcp_peering_op_secs.max(0) * 1000;
    tx.world()
        .gcp
        .running_operations()
        .filter(move |op| op.insert_time.plus_millis(millis) <= now)
}

/// Completes every running operation whose time has come (`insertTime` + `gcp_peering_op_secs`
/// ≤ now), oldest first. The wire face calls it at the start of every request.
pub fn settle_due_operations(tx: &mut Tx<'_, '_>) {
    let mut due: Vec<(Timestamp, String)> = due_operations(tx)
        .map(|op| (op.insert_time, op.id.clone()))
        .collect();
    due.sort();
    for (_, id) in due {
        complete(tx, &id);
    }
}

/// `globalOperations.get` / `wait` (and the regional and zonal ones): the operation, completed
/// first if it was still running.
pub fn get_operation(tx: &mut Tx<'_, '_>, id: &str) -> Result<GcpOperation, GcpError> {
    settle_due_operations(tx);
    if tx.get::<GcpOperation>(id).is_none() {
        return Err(GcpError::NotFound(id.to_owned()));
    }
    complete(tx, id);
    Ok(tx.get::<GcpOperation>(id).expect("checked").clone())
}

/// `globalOperations.delete` (and the regional and zonal ones): forgets a finished operation.
/// A running one is refused [UNVERIFIED: GCP's behaviour].
pub fn delete_operation(tx: &mut Tx<'_, '_>, id: &str) -> Result<(), GcpError> {
    settle_due_operations(tx);
    let op = tx
        .get::<GcpOperation>(id)
        .ok_or_else(|| GcpError::NotFound(id.to_owned()))?;
    if op.status == OpStatus::Running {
        return Err(GcpError::OperationRunning {
            operation: id.to_owned(),
        });
    }
    tx.remove::<GcpOperation>(id);
    Ok(())
}

/// Which way `listPeeringRoutes` looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeringDirection {
    /// Routes the peer sends to this network.
    Incoming,
    /// Routes this network sends to the peer.
    Outgoing,
}

/// Kind of an exchanged route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangedRouteType {
    /// A subnetwork range.
    Subnet,
    /// A static (custom) route.
    Static,
}

/// One row of `listPeeringRoutes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangedRoute {
    /// Destination.
    pub dest_range: Ipv4Net,
    /// Subnet or static.
    pub kind: ExchangedRouteType,
    /// The subnetwork's region, for subnet routes.
    pub next_hop_region: Option<String>,
    /// Priority (0 for subnet routes \[UNVERIFIED\]).
    pub priority: u32,
    /// Whether the receiving side installs it.
    pub imported: bool,
}

fn is_private(n: Ipv4Net) -> bool {
    // RFC 1918, RFC 6598 shared space, and the other special-use ranges GCP always exchanges.
    const SPECIAL: &[(Ipv4Addr, u8)] = &[
        (Ipv4Addr::new(10, 0, 0, 0), 8),
        (Ipv4Addr::new(172, 16, 0, 0), 12),
        (Ipv4Addr::new(192, 168, 0, 0), 16),
        (Ipv4Addr::new(100, 64, 0, 0), 10),
        (Ipv4Addr::new(192, 0, 0, 0), 24),
        (Ipv4Addr::new(192, 0, 2, 0), 24),
        (Ipv4Addr::new(198, 18, 0, 0), 15),
        (Ipv4Addr::new(198, 51, 100, 0), 24),
        (Ipv4Addr::new(203, 0, 113, 0), 24),
        (Ipv4Addr::new(240, 0, 0, 0), 4),
    ];
    SPECIAL.iter().any(|(a, len)| {
        Ipv4Net::new(*a, *len).is_ok_and(|s| s.contains(&n.network()) && s.contains(&n.broadcast()))
    })
}

/// The routes `exporter` sends over a peering to `importer`: its subnet ranges (privately used
/// public ranges only if it exports them), and its static routes without tags and not to the
/// internet gateway if it exports custom routes. Routes it learned from its own peers are never
/// passed on (peering is not transitive). `imported` says whether `importer` installs each.
fn exported(
    world: &World,
    exporter: &GcpNetwork,
    out_cfg: &GcpPeering,
    importer: &GcpNetwork,
    in_cfg: &GcpPeering,
) -> Vec<ExchangedRoute> {
    let mut out = Vec::new();
    let mut subnets: Vec<&GcpSubnetwork> = subnetworks_of(world, &exporter.id).collect();
    subnets.sort_by_key(|s| s.ip_cidr_range);
    for s in subnets {
        for r in s.ranges() {
            let private = is_private(r);
            if !private && !out_cfg.export_subnet_routes_with_public_ip {
                continue;
            }
            out.push(ExchangedRoute {
                dest_range: r,
                kind: ExchangedRouteType::Subnet,
                next_hop_region: Some(s.region.clone()),
                priority: 0,
                imported: private || in_cfg.import_subnet_routes_with_public_ip,
            });
        }
    }
    if out_cfg.export_custom_routes {
        let local: Vec<Ipv4Net> = network_ranges(world, &importer.id)
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let mut statics: Vec<&GcpRoute> = world
            .gcp
            .routes
            .values()
            .filter(|r| {
                r.network == exporter.id
                    && r.tags.is_empty()
                    && !matches!(r.next_hop, GcpNextHop::Gateway(_))
            })
            .collect();
        statics.sort_by_key(|r| (r.dest_range, r.priority));
        for r in statics {
            // A custom route that falls inside (or equals) a subnet range of the importer
            // conflicts with it and is not installed.
            let conflict = local.iter().any(|l| l.contains(&r.dest_range));
            out.push(ExchangedRoute {
                dest_range: r.dest_range,
                kind: ExchangedRouteType::Static,
                next_hop_region: None,
                priority: r.priority,
                imported: in_cfg.import_custom_routes && !conflict,
            });
        }
    }
    out
}

/// `networks.listPeeringRoutes`: what `network`'s peering `peering_name` exchanges in
/// `direction`. Empty while the peering is not active. Subnet and static routes are global, so
/// `region` only has to name a known region.
pub fn list_peering_routes(
    world: &World,
    network: &str,
    peering_name: &str,
    direction: PeeringDirection,
    region: Option<&str>,
) -> Result<Vec<ExchangedRoute>, GcpError> {
    let net = world
        .gcp
        .networks
        .get(network)
        .ok_or_else(|| GcpError::NotFound(network.to_owned()))?;
    if let Some(r) = region {
        known_region(&net.project, r)?;
    }
    let entry = entry_of(net, peering_name)?;
    let (Some(peer), Some(back)) = (
        world.gcp.networks.get(&entry.peer_network),
        reverse_entry(world, net, &entry),
    ) else {
        return Ok(Vec::new());
    };
    Ok(match direction {
        PeeringDirection::Outgoing => exported(world, net, &entry, peer, back),
        PeeringDirection::Incoming => exported(world, peer, back, net, &entry),
    })
}
