//! Networks, subnetworks, routes, firewall rules, instances, and the `DONE` operations their
//! changes leave. These apply at once; refusals (`alreadyExists`, `notFound`, `invalid`) are
//! synchronous HTTP errors, as GCP reports them for these calls.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::peering::active_peers;
use super::*;
use crate::cidr::overlaps_v4;
use crate::Tx;

/// Parses an IPv4 range for `field`; host bits must be zero.
pub fn parse_range(field: &str, s: &str) -> Result<Ipv4Net, GcpError> {
    let bad = || {
        GcpError::Invalid(format!(
            "Invalid value for field '{field}': '{s}'. Must be a valid IPv4 CIDR range."
        ))
    };
    let (addr, len) = s.trim().split_once('/').ok_or_else(bad)?;
    let addr: Ipv4Addr = addr.parse().map_err(|_| bad())?;
    let len: u8 = len.parse().map_err(|_| bad())?;
    let net = Ipv4Net::new(addr, len).map_err(|_| bad())?;
    if net.trunc() != net {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {s} has non-zero host bits."
        )));
    }
    Ok(net)
}

fn operation_name(tx: &mut Tx<'_, '_>) -> String {
    let a = tx.ctx.ids.hex17();
    let b = tx.ctx.ids.hex17();
    format!(
        "operation-{}-{}-{}-{}",
        tx.now().millis(),
        &a[..13],
        &b[..8],
        &b[8..16]
    )
}

/// Records a new operation on `target` and returns it.
pub(crate) fn new_operation(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    operation_type: &str,
    target: &str,
    target_id: u64,
    pending: Option<(PendingPeering, String)>,
) -> GcpOperation {
    let name = operation_name(tx);
    let id = match &scope {
        OpScope::Global => format!("projects/{project}/global/operations/{name}"),
        OpScope::Region(r) => format!("projects/{project}/regions/{r}/operations/{name}"),
        OpScope::Zone(z) => format!("projects/{project}/zones/{z}/operations/{name}"),
    };
    let now = tx.now();
    let running = pending.is_some();
    let (pending, peer_network) = match pending {
        Some((p, peer)) => (Some(p), Some(peer)),
        None => (None, None),
    };
    let op = GcpOperation {
        id,
        project: project.to_owned(),
        name,
        numeric_id: numeric_id(tx),
        scope,
        operation_type: operation_type.to_owned(),
        target: target.to_owned(),
        target_id,
        status: if running {
            OpStatus::Running
        } else {
            OpStatus::Done
        },
        insert_time: now,
        end_time: (!running).then_some(now),
        error: None,
        pending,
        peer_network,
    };
    tx.put(op.clone());
    op
}

fn done_op(
    tx: &mut Tx<'_, '_>,
    project: &str,
    scope: OpScope,
    operation_type: &str,
    target: &str,
    target_id: u64,
) -> GcpOperation {
    new_operation(tx, project, scope, operation_type, target, target_id, None)
}

/// What `networks.insert` takes.
#[derive(Debug, Clone, Default)]
pub struct NetworkSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// `true` auto mode, `false` custom mode; unset would be a legacy network, which is refused.
    pub auto_create_subnetworks: Option<bool>,
    /// Default regional.
    pub routing_mode: Option<RoutingMode>,
    /// Default 1460.
    pub mtu: Option<u32>,
}

/// `networks.insert`: a network, its default route to the internet gateway, and in auto mode one
/// subnetwork per known region.
pub fn insert_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: NetworkSpec,
) -> Result<GcpOperation, GcpError> {
    check_name("resource.name", &spec.name)?;
    super::limits::check_description(&spec.description)?;
    let Some(auto) = spec.auto_create_subnetworks else {
        // [UNVERIFIED] wording; GCP no longer lets new projects create legacy networks.
        return Err(GcpError::Invalid(
            "Invalid value for field 'resource.autoCreateSubnetworks': unset. Legacy networks are \
             not supported; set autoCreateSubnetworks to true (auto mode) or false (custom mode)."
                .into(),
        ));
    };
    let mtu = spec.mtu.unwrap_or(1460);
    if !(1300..=8896).contains(&mtu) {
        return Err(GcpError::Invalid(format!(
            "Invalid value for field 'resource.mtu': '{mtu}'. Must be between 1300 and 8896."
        )));
    }
    let id = network_path(project, &spec.name);
    if tx.get::<GcpNetwork>(&id).is_some() {
        return Err(GcpError::AlreadyExists(id));
    }
    let now = tx.now();
    let net = GcpNetwork {
        id: id.clone(),
        project: project.to_owned(),
        name: spec.name.clone(),
        numeric_id: numeric_id(tx),
        description: spec.description,
        auto_create_subnetworks: auto,
        routing_mode: spec.routing_mode.unwrap_or(RoutingMode::Regional),
        mtu,
        created: now,
        peerings: Vec::new(),
    };
    let numeric = net.numeric_id;
    tx.put(net);
    let hex = tx.ctx.ids.hex17();
    let route = GcpRoute {
        id: route_path(project, &format!("default-route-{}", &hex[..16])),
        project: project.to_owned(),
        name: format!("default-route-{}", &hex[..16]),
        numeric_id: numeric_id(tx),
        description: "Default route to the Internet.".into(),
        network: id.clone(),
        dest_range: Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("0.0.0.0/0"),
        priority: 1000,
        tags: Vec::new(),
        next_hop: GcpNextHop::Gateway(format!(
            "projects/{project}/global/gateways/default-internet-gateway"
        )),
        created: now,
    };
    tx.put(route);
    if auto {
        for (region, range) in AUTO_MODE_REGIONS {
            let sid = subnetwork_path(project, region, &spec.name);
            if tx.get::<GcpSubnetwork>(&sid).is_some() {
                return Err(GcpError::AlreadyExists(sid));
            }
            let s = GcpSubnetwork {
                id: sid,
                project: project.to_owned(),
                region: (*region).to_owned(),
                name: spec.name.clone(),
                numeric_id: numeric_id(tx),
                description: String::new(),
                network: id.clone(),
                ip_cidr_range: range.parse().expect("auto-mode ranges are valid"),
                secondary_ranges: Vec::new(),
                private_ip_google_access: false,
                auto_created: true,
                created: now,
            };
            tx.put(s);
        }
    }
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "insert",
        &id,
        numeric,
    ))
}

/// A network by relative path, or `notFound`.
pub fn network<'t>(tx: &'t Tx<'_, '_>, path: &str) -> Result<&'t GcpNetwork, GcpError> {
    tx.get::<GcpNetwork>(path)
        .ok_or_else(|| GcpError::NotFound(path.to_owned()))
}

/// `networks.delete`. Refused while anything but its default route and auto-mode subnetworks
/// uses it, or while it has peering configurations [UNVERIFIED: GCP's exact behaviour with
/// peerings].
pub fn delete_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = network_path(project, name);
    let net = network(tx, &id)?.clone();
    let in_use = |by: &str| GcpError::InUse {
        kind: "network".into(),
        resource: id.clone(),
        by: by.to_owned(),
    };
    if let Some(p) = net.peerings.first() {
        return Err(in_use(&format!("{id}/peerings/{}", p.name)));
    }
    let w = tx.world();
    if let Some(s) = subnetworks_of(w, &id).find(|s| !s.auto_created) {
        return Err(in_use(&s.id));
    }
    if let Some(i) = w
        .gcp_instances
        .values()
        .find(|i| i.nics.iter().any(|n| n.network == id))
    {
        return Err(in_use(&i.id));
    }
    if let Some(f) = w.gcp_firewalls.values().find(|f| f.network == id) {
        return Err(in_use(&f.id));
    }
    let is_default = |r: &GcpRoute| {
        r.name.starts_with("default-route-") && matches!(r.next_hop, GcpNextHop::Gateway(_))
    };
    if let Some(r) = w
        .gcp_routes
        .values()
        .find(|r| r.network == id && !is_default(r))
    {
        return Err(in_use(&r.id));
    }
    let doomed_routes: Vec<String> = w
        .gcp_routes
        .values()
        .filter(|r| r.network == id)
        .map(|r| r.id.clone())
        .collect();
    let doomed_subnets: Vec<String> = subnetworks_of(w, &id).map(|s| s.id.clone()).collect();
    for r in doomed_routes {
        tx.remove::<GcpRoute>(&r);
    }
    for s in doomed_subnets {
        tx.remove::<GcpSubnetwork>(&s);
    }
    tx.remove::<GcpNetwork>(&id);
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "delete",
        &id,
        net.numeric_id,
    ))
}

/// What `networks.patch` may change.
#[derive(Debug, Clone, Default)]
pub struct NetworkPatch {
    /// New description.
    pub description: Option<String>,
    /// New routing mode.
    pub routing_mode: Option<RoutingMode>,
    /// `false` converts an auto-mode network to custom mode (the only conversion GCP allows).
    pub auto_create_subnetworks: Option<bool>,
    /// New MTU.
    pub mtu: Option<u32>,
}

/// `networks.patch`.
pub fn patch_network(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
    patch: NetworkPatch,
) -> Result<GcpOperation, GcpError> {
    let id = network_path(project, name);
    let net = network(tx, &id)?.clone();
    if patch.auto_create_subnetworks == Some(true) && !net.auto_create_subnetworks {
        return Err(GcpError::Invalid(
            "Invalid value for field 'resource.autoCreateSubnetworks': 'true'. A custom mode \
             network cannot be converted to auto mode."
                .into(),
        ));
    }
    if let Some(mtu) = patch.mtu {
        if !(1300..=8896).contains(&mtu) {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.mtu': '{mtu}'. Must be between 1300 and 8896."
            )));
        }
    }
    if let Some(d) = &patch.description {
        super::limits::check_description(d)?;
    }
    let n = tx.get_mut::<GcpNetwork>(&id).expect("checked above");
    if let Some(d) = patch.description {
        n.description = d;
    }
    if let Some(m) = patch.routing_mode {
        n.routing_mode = m;
    }
    let to_custom = patch.auto_create_subnetworks == Some(false) && n.auto_create_subnetworks;
    n.auto_create_subnetworks &= !to_custom;
    if let Some(m) = patch.mtu {
        n.mtu = m;
    }
    if to_custom {
        // Converted to custom mode, its subnetworks become ordinary ones (deletable, kept when
        // the network would be deleted).
        let auto: Vec<String> = subnetworks_of(tx.world(), &id)
            .filter(|s| s.auto_created)
            .map(|s| s.id.clone())
            .collect();
        for sid in auto {
            tx.get_mut::<GcpSubnetwork>(&sid)
                .expect("listed above")
                .auto_created = false;
        }
    }
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "patch",
        &id,
        net.numeric_id,
    ))
}

/// What `subnetworks.insert` takes.
#[derive(Debug, Clone, Default)]
pub struct SubnetSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The network, as a URL or partial path.
    pub network: String,
    /// Primary range.
    pub ip_cidr_range: String,
    /// Secondary ranges: (name, range).
    pub secondary_ranges: Vec<(String, String)>,
    /// Private Google Access.
    pub private_ip_google_access: bool,
}

fn unknown_region(project: &str, region: &str) -> GcpError {
    GcpError::NotFound(format!("projects/{project}/regions/{region}"))
}

/// The ranges of `network`'s subnetworks, each with the subnetwork it belongs to, in address
/// order.
pub fn network_ranges<'w>(
    world: &'w crate::World,
    network: &str,
) -> Vec<(Ipv4Net, &'w GcpSubnetwork)> {
    let mut out: Vec<(Ipv4Net, &GcpSubnetwork)> = subnetworks_of(world, network)
        .flat_map(|s| s.ranges().map(move |r| (r, s)))
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    out
}

/// `subnetworks.insert`: ranges must not overlap the network's other subnetworks, nor those of
/// networks it is actively peered with.
pub fn insert_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    spec: SubnetSpec,
) -> Result<GcpOperation, GcpError> {
    if !is_region(region) {
        return Err(unknown_region(project, region));
    }
    check_name("resource.name", &spec.name)?;
    let net_id = resolve_network(&spec.network, project).ok_or_else(|| {
        GcpError::Invalid(format!(
            "Invalid value for field 'resource.network': '{}'. The URL is malformed.",
            spec.network
        ))
    })?;
    same_project(project, "resource.network", &net_id)?;
    let net = network(tx, &net_id)?.clone();
    let primary = parse_range("resource.ipCidrRange", &spec.ip_cidr_range)?;
    if !(8..=29).contains(&primary.prefix_len()) {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {primary}. The prefix length must be between /8 and /29."
        )));
    }
    super::limits::check_description(&spec.description)?;
    super::limits::check_count(
        "resource.secondaryIpRanges",
        spec.secondary_ranges.len(),
        super::limits::MAX_SECONDARY_RANGES,
    )?;
    let mut secondary = Vec::new();
    for (name, range) in &spec.secondary_ranges {
        check_name("resource.secondaryIpRanges.rangeName", name)?;
        let r = parse_range("resource.secondaryIpRanges.ipCidrRange", range)?;
        if secondary.iter().any(|s: &SecondaryRange| s.name == *name) {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.secondaryIpRanges': duplicate range name '{name}'."
            )));
        }
        secondary.push(SecondaryRange {
            name: name.clone(),
            range: r,
        });
    }
    let mine: Vec<Ipv4Net> = std::iter::once(primary)
        .chain(secondary.iter().map(|s| s.range))
        .collect();
    for (i, a) in mine.iter().enumerate() {
        if mine[..i].iter().any(|b| overlaps_v4(*a, *b)) {
            return Err(GcpError::Invalid(format!(
                "Invalid IPCidrRange: {a} conflicts with another range of the same subnetwork."
            )));
        }
    }
    let id = subnetwork_path(project, region, &spec.name);
    if tx.get::<GcpSubnetwork>(&id).is_some() {
        return Err(GcpError::AlreadyExists(id));
    }
    let w = tx.world();
    for r in &mine {
        if let Some((_, s)) = network_ranges(w, &net_id)
            .into_iter()
            .find(|(x, _)| overlaps_v4(*x, *r))
        {
            return Err(GcpError::Invalid(format!(
                "Invalid IPCidrRange: {r} conflicts with existing subnetwork '{}' in region '{}'.",
                s.name, s.region
            )));
        }
        for (peering, peer) in active_peers(w, &net) {
            if network_ranges(w, &peer)
                .iter()
                .any(|(x, _)| overlaps_v4(*x, *r))
            {
                // [UNVERIFIED] wording.
                return Err(GcpError::Invalid(format!(
                    "Invalid IPCidrRange: {r} conflicts with peer network in active peering '{peering}'."
                )));
            }
        }
    }
    let numeric = numeric_id(tx);
    let now = tx.now();
    tx.put(GcpSubnetwork {
        id: id.clone(),
        project: project.to_owned(),
        region: region.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        network: net_id,
        ip_cidr_range: primary,
        secondary_ranges: secondary,
        private_ip_google_access: spec.private_ip_google_access,
        auto_created: false,
        created: now,
    });
    Ok(done_op(
        tx,
        project,
        OpScope::Region(region.to_owned()),
        "insert",
        &id,
        numeric,
    ))
}

/// `subnetworks.delete`: refused while an instance uses it, and for auto-mode subnetworks.
pub fn delete_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    if !is_region(region) {
        return Err(unknown_region(project, region));
    }
    let id = subnetwork_path(project, region, name);
    let s = tx
        .get::<GcpSubnetwork>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?
        .clone();
    if s.auto_created {
        return Err(GcpError::BadRequest(format!(
            "The subnetwork resource '{id}' belongs to an auto mode network and cannot be deleted \
             while the network is in auto mode."
        )));
    }
    if let Some(i) = tx
        .world()
        .gcp_instances
        .values()
        .find(|i| i.nics.iter().any(|n| n.subnetwork == id))
    {
        return Err(GcpError::InUse {
            kind: "subnetwork".into(),
            resource: id.clone(),
            by: i.id.clone(),
        });
    }
    tx.remove::<GcpSubnetwork>(&id);
    Ok(done_op(
        tx,
        project,
        OpScope::Region(region.to_owned()),
        "delete",
        &id,
        s.numeric_id,
    ))
}

/// What `routes.insert` takes.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The network, as a URL or partial path.
    pub network: String,
    /// Destination.
    pub dest_range: String,
    /// Default 1000.
    pub priority: Option<u32>,
    /// Instance tags.
    pub tags: Vec<String>,
    /// Next hop (exactly one).
    pub next_hop: GcpNextHop,
}

/// Subnetworks, routes and firewalls live in the project of their network, and instances use
/// the networks and subnetworks of their own project (Shared VPC's service projects are not
/// emulated). Refuses a reference (`path`, given in `field`) to a resource of another project: GCP allows
/// that only through Shared VPC, which the emulator does not model, and answers 400 `invalid`
/// "Invalid value for field '…': '…'. Cross-project references for this resource are not
/// allowed." (the wording GCP gives an instance template on another project's subnetwork,
/// tranquilitybase-io/tb-gcp#507). Checked before the referenced resource is looked up, so a
/// caller learns nothing of another project's resources. VPC Network Peering is the one
/// cross-project reference GCP allows without Shared VPC (see [`crate::gcp::peering`]).
pub(crate) fn same_project(project: &str, field: &str, path: &str) -> Result<(), GcpError> {
    if project_of(path) == project {
        Ok(())
    } else {
        Err(GcpError::Invalid(format!(
            "Invalid value for field '{field}': '{path}'. Cross-project references for this resource are not allowed."
        )))
    }
}

/// `routes.insert`.
pub fn insert_route(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: RouteSpec,
) -> Result<GcpOperation, GcpError> {
    check_name("resource.name", &spec.name)?;
    let net_id = resolve_network(&spec.network, project).ok_or_else(|| {
        GcpError::Invalid(format!(
            "Invalid value for field 'resource.network': '{}'. The URL is malformed.",
            spec.network
        ))
    })?;
    same_project(project, "resource.network", &net_id)?;
    network(tx, &net_id)?;
    let dest = parse_range("resource.destRange", &spec.dest_range)?;
    let priority = spec.priority.unwrap_or(1000);
    if priority > 65535 {
        return Err(GcpError::Invalid(format!(
            "Invalid value for field 'resource.priority': '{priority}'. Must be less than or equal to 65535."
        )));
    }
    super::limits::check_description(&spec.description)?;
    super::limits::check_count(
        "resource.tags",
        spec.tags.len(),
        super::limits::MAX_ROUTE_TAGS,
    )?;
    for t in &spec.tags {
        check_name("resource.tags", t)?;
    }
    let next_hop = match spec.next_hop {
        GcpNextHop::Instance(i) => {
            let rel = relative_path(&i).to_owned();
            same_project(project, "resource.nextHopInstance", &rel)?;
            let inst = tx
                .get::<GcpInstance>(&rel)
                .ok_or_else(|| GcpError::NotFound(rel.clone()))?;
            if !inst.nics.iter().any(|n| n.network == net_id) {
                return Err(GcpError::Invalid(format!(
                    "Invalid value for field 'resource.nextHopInstance': '{i}'. The instance has \
                     no interface in network '{net_id}'."
                )));
            }
            GcpNextHop::Instance(rel)
        }
        GcpNextHop::Gateway(g) => {
            let rel = relative_path(&g);
            if name_of(rel) != "default-internet-gateway" {
                return Err(GcpError::Invalid(format!(
                    "Invalid value for field 'resource.nextHopGateway': '{g}'. Only \
                     default-internet-gateway is supported."
                )));
            }
            GcpNextHop::Gateway(format!(
                "projects/{project}/global/gateways/default-internet-gateway"
            ))
        }
        other => other,
    };
    let id = route_path(project, &spec.name);
    if tx.get::<GcpRoute>(&id).is_some() {
        return Err(GcpError::AlreadyExists(id));
    }
    let numeric = numeric_id(tx);
    let now = tx.now();
    tx.put(GcpRoute {
        id: id.clone(),
        project: project.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        network: net_id,
        dest_range: dest,
        priority,
        tags: spec.tags,
        next_hop,
        created: now,
    });
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "insert",
        &id,
        numeric,
    ))
}

/// `routes.delete`.
pub fn delete_route(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = route_path(project, name);
    let r = tx
        .remove::<GcpRoute>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?;
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "delete",
        &id,
        r.numeric_id,
    ))
}

/// What `firewalls.insert` takes.
#[derive(Debug, Clone)]
pub struct FirewallSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The network, as a URL or partial path (default: `global/networks/default`).
    pub network: Option<String>,
    /// Default ingress.
    pub direction: Option<Direction>,
    /// Default 1000.
    pub priority: Option<u32>,
    /// `allowed[]` as (protocol, ports).
    pub allowed: Vec<(String, Vec<String>)>,
    /// `denied[]` as (protocol, ports).
    pub denied: Vec<(String, Vec<String>)>,
    /// Source ranges.
    pub source_ranges: Vec<String>,
    /// Destination ranges.
    pub destination_ranges: Vec<String>,
    /// Source tags.
    pub source_tags: Vec<String>,
    /// Target tags.
    pub target_tags: Vec<String>,
    /// Disabled.
    pub disabled: bool,
}

const PROTOCOLS: &[&str] = &["tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", "all"];

fn matches_of(list: &[(String, Vec<String>)]) -> Result<Vec<FirewallMatch>, GcpError> {
    let mut out = Vec::new();
    for (proto, ports) in list {
        let p = proto.to_ascii_lowercase();
        let numeric = p.parse::<u8>().is_ok();
        if !numeric && !PROTOCOLS.contains(&p.as_str()) {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.allowed[].IPProtocol': '{proto}'. Must be one \
                 of [tcp, udp, icmp, esp, ah, sctp, ipip, all] or an IP protocol number."
            )));
        }
        if !ports.is_empty() && !matches!(p.as_str(), "tcp" | "udp" | "sctp" | "6" | "17" | "132") {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.allowed[].ports': ports are only allowed for \
                 tcp, udp and sctp, not '{proto}'."
            )));
        }
        let ports = ports
            .iter()
            .map(|s| PortRange::parse(s))
            .collect::<Result<_, _>>()?;
        out.push(FirewallMatch { protocol: p, ports });
    }
    Ok(out)
}

/// `firewalls.insert`. Ingress rules without sources get `0.0.0.0/0`; egress rules without
/// destinations get `0.0.0.0/0`.
pub fn insert_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: FirewallSpec,
) -> Result<GcpOperation, GcpError> {
    let f = build_firewall(tx, project, spec)?;
    if tx.get::<GcpFirewall>(&f.id).is_some() {
        return Err(GcpError::AlreadyExists(f.id));
    }
    let (id, numeric) = (f.id.clone(), f.numeric_id);
    tx.put(f);
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "insert",
        &id,
        numeric,
    ))
}

/// What `firewalls.patch` may change (`None` keeps the current value). The network, name and
/// direction cannot change.
#[derive(Debug, Clone, Default)]
pub struct FirewallPatch {
    /// New description.
    pub description: Option<String>,
    /// New priority.
    pub priority: Option<u32>,
    /// New `allowed[]` (clears `denied[]`).
    pub allowed: Option<Vec<(String, Vec<String>)>>,
    /// New `denied[]` (clears `allowed[]`).
    pub denied: Option<Vec<(String, Vec<String>)>>,
    /// New source ranges.
    pub source_ranges: Option<Vec<String>>,
    /// New destination ranges.
    pub destination_ranges: Option<Vec<String>>,
    /// New source tags.
    pub source_tags: Option<Vec<String>>,
    /// New target tags.
    pub target_tags: Option<Vec<String>>,
    /// Enable or disable.
    pub disabled: Option<bool>,
}

/// `firewalls.patch`: the rule with the given fields replaced, validated as a new rule would be.
pub fn patch_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
    patch: FirewallPatch,
) -> Result<GcpOperation, GcpError> {
    let id = firewall_path(project, name);
    let old = tx
        .get::<GcpFirewall>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?
        .clone();
    let rules: Vec<(String, Vec<String>)> = old
        .matches
        .iter()
        .map(|m| {
            (
                m.protocol.clone(),
                m.ports.iter().map(|p| p.to_string()).collect(),
            )
        })
        .collect();
    let (mut allowed, mut denied) = match old.action {
        FirewallAction::Allow => (rules, Vec::new()),
        FirewallAction::Deny => (Vec::new(), rules),
    };
    if let Some(a) = patch.allowed {
        allowed = a;
        denied.clear();
    }
    if let Some(d) = patch.denied {
        denied = d;
        allowed.clear();
    }
    let strings = |v: &[Ipv4Net]| v.iter().map(|r| r.to_string()).collect::<Vec<_>>();
    let spec = FirewallSpec {
        name: old.name.clone(),
        description: patch.description.unwrap_or(old.description.clone()),
        network: Some(old.network.clone()),
        direction: Some(old.direction),
        priority: Some(patch.priority.unwrap_or(old.priority)),
        allowed,
        denied,
        source_ranges: patch
            .source_ranges
            .unwrap_or_else(|| strings(&old.source_ranges)),
        destination_ranges: patch
            .destination_ranges
            .unwrap_or_else(|| strings(&old.destination_ranges)),
        source_tags: patch.source_tags.unwrap_or(old.source_tags.clone()),
        target_tags: patch.target_tags.unwrap_or(old.target_tags.clone()),
        disabled: patch.disabled.unwrap_or(old.disabled),
    };
    let mut f = build_firewall(tx, project, spec)?;
    f.numeric_id = old.numeric_id;
    f.created = old.created;
    tx.put(f);
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "patch",
        &id,
        old.numeric_id,
    ))
}

fn build_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: FirewallSpec,
) -> Result<GcpFirewall, GcpError> {
    check_name("resource.name", &spec.name)?;
    let net_ref = spec
        .network
        .clone()
        .unwrap_or_else(|| "global/networks/default".into());
    let net_id = resolve_network(&net_ref, project).ok_or_else(|| {
        GcpError::Invalid(format!(
            "Invalid value for field 'resource.network': '{net_ref}'. The URL is malformed."
        ))
    })?;
    same_project(project, "resource.network", &net_id)?;
    network(tx, &net_id)?;
    {
        use super::limits::*;
        check_description(&spec.description)?;
        check_count(
            "resource.sourceRanges",
            spec.source_ranges.len(),
            MAX_FIREWALL_RANGES,
        )?;
        check_count(
            "resource.destinationRanges",
            spec.destination_ranges.len(),
            MAX_FIREWALL_RANGES,
        )?;
        check_count(
            "resource.sourceTags",
            spec.source_tags.len(),
            MAX_SOURCE_TAGS,
        )?;
        check_count(
            "resource.targetTags",
            spec.target_tags.len(),
            MAX_TARGET_TAGS,
        )?;
        for (field, list) in [
            ("resource.allowed", &spec.allowed),
            ("resource.denied", &spec.denied),
        ] {
            check_count(field, list.len(), MAX_FIREWALL_ENTRIES)?;
            for (_, ports) in list.iter() {
                check_count(
                    &format!("{field}[].ports"),
                    ports.len(),
                    MAX_FIREWALL_ENTRIES,
                )?;
            }
        }
    }
    let direction = spec.direction.unwrap_or(Direction::Ingress);
    let (action, matches) = match (spec.allowed.is_empty(), spec.denied.is_empty()) {
        (false, true) => (FirewallAction::Allow, matches_of(&spec.allowed)?),
        (true, false) => (FirewallAction::Deny, matches_of(&spec.denied)?),
        _ => {
            return Err(GcpError::Invalid(
                "Exactly one of 'allowed' or 'denied' must be specified.".into(),
            ))
        }
    };
    let priority = spec.priority.unwrap_or(1000);
    if priority > 65535 {
        return Err(GcpError::Invalid(format!(
            "Invalid value for field 'resource.priority': '{priority}'. Must be less than or equal to 65535."
        )));
    }
    if direction == Direction::Egress && !spec.source_tags.is_empty() {
        return Err(GcpError::Invalid(
            "Invalid value for field 'resource.sourceTags': source tags cannot be set for EGRESS \
             firewall rules."
                .into(),
        ));
    }
    let ranges = |field: &str, v: &[String]| -> Result<Vec<Ipv4Net>, GcpError> {
        v.iter()
            .map(|s| {
                crate::cidr::parse_v4(s)
                    .or_else(|| s.parse::<Ipv4Addr>().ok().map(Ipv4Net::from))
                    .ok_or_else(|| {
                        GcpError::Invalid(format!(
                            "Invalid value for field 'resource.{field}': '{s}'. Must be a CIDR \
                             address range that is contained in 0.0.0.0/0."
                        ))
                    })
            })
            .collect()
    };
    let mut source_ranges = ranges("sourceRanges", &spec.source_ranges)?;
    let mut destination_ranges = ranges("destinationRanges", &spec.destination_ranges)?;
    let any = Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("0.0.0.0/0");
    if direction == Direction::Ingress && source_ranges.is_empty() && spec.source_tags.is_empty() {
        source_ranges.push(any);
    }
    if direction == Direction::Egress && destination_ranges.is_empty() {
        destination_ranges.push(any);
    }
    for t in spec.source_tags.iter().chain(&spec.target_tags) {
        check_name("resource.tags", t)?;
    }
    let id = firewall_path(project, &spec.name);
    let numeric = numeric_id(tx);
    let now = tx.now();
    Ok(GcpFirewall {
        id,
        project: project.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        network: net_id,
        direction,
        priority,
        action,
        matches,
        source_ranges,
        destination_ranges,
        source_tags: spec.source_tags,
        target_tags: spec.target_tags,
        disabled: spec.disabled,
        created: now,
    })
}

/// `firewalls.delete`.
pub fn delete_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = firewall_path(project, name);
    let f = tx
        .remove::<GcpFirewall>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?;
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "delete",
        &id,
        f.numeric_id,
    ))
}

/// One `networkInterfaces[]` entry of `instances.insert`.
#[derive(Debug, Clone, Default)]
pub struct NicSpec {
    /// The network (URL or partial); optional when `subnetwork` is given.
    pub network: Option<String>,
    /// The subnetwork (URL or partial); optional for auto-mode networks.
    pub subnetwork: Option<String>,
    /// A fixed internal IP; allocated from the subnetwork when absent.
    pub network_ip: Option<String>,
}

/// What `instances.insert` takes.
#[derive(Debug, Clone, Default)]
pub struct InstanceSpec {
    /// Name.
    pub name: String,
    /// Machine type as given.
    pub machine_type: String,
    /// Network tags.
    pub tags: Vec<String>,
    /// Interfaces (at least one).
    pub nics: Vec<NicSpec>,
}

fn used_ips(world: &crate::World, subnet: &str) -> BTreeSet<Ipv4Addr> {
    world
        .gcp_instances
        .values()
        .flat_map(|i| i.nics.iter())
        .filter(|n| n.subnetwork == subnet)
        .map(|n| n.network_ip)
        .collect()
}

/// `instances.insert`: each interface lands in a subnetwork of the zone's region and gets an
/// internal IP (the first free one after the two reserved at the start of the range, keeping the
/// two GCP reserves at its end, when none is given).
pub fn insert_instance(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    spec: InstanceSpec,
) -> Result<GcpOperation, GcpError> {
    let region = region_of_zone(zone)
        .ok_or_else(|| GcpError::NotFound(format!("projects/{project}/zones/{zone}")))?
        .to_owned();
    check_name("resource.name", &spec.name)?;
    if spec.nics.is_empty() {
        return Err(GcpError::Invalid(
            "Invalid value for field 'resource.networkInterfaces': ''. At least one network \
             interface is required."
                .into(),
        ));
    }
    super::limits::check_count(
        "resource.tags.items",
        spec.tags.len(),
        super::limits::MAX_INSTANCE_TAGS,
    )?;
    super::limits::check_count(
        "resource.networkInterfaces",
        spec.nics.len(),
        super::limits::MAX_NICS,
    )?;
    for t in &spec.tags {
        check_name("resource.tags.items", t)?;
    }
    let id = instance_path(project, zone, &spec.name);
    if tx.get::<GcpInstance>(&id).is_some() {
        return Err(GcpError::AlreadyExists(id));
    }
    let mut nics: Vec<GcpNic> = Vec::new();
    for (i, n) in spec.nics.iter().enumerate() {
        let subnet = match (&n.subnetwork, &n.network) {
            (Some(s), _) => {
                let sid = resolve_subnetwork(s, project, &region).ok_or_else(|| {
                    GcpError::Invalid(format!(
                        "Invalid value for field 'resource.networkInterfaces[{i}].subnetwork': '{s}'."
                    ))
                })?;
                same_project(
                    project,
                    &format!("resource.networkInterfaces[{i}].subnetwork"),
                    &sid,
                )?;
                tx.get::<GcpSubnetwork>(&sid)
                    .ok_or_else(|| GcpError::NotFound(sid.clone()))?
                    .clone()
            }
            (None, Some(net)) => {
                let nid = resolve_network(net, project).ok_or_else(|| {
                    GcpError::Invalid(format!(
                        "Invalid value for field 'resource.networkInterfaces[{i}].network': '{net}'."
                    ))
                })?;
                same_project(
                    project,
                    &format!("resource.networkInterfaces[{i}].network"),
                    &nid,
                )?;
                let netw = network(tx, &nid)?;
                if !netw.auto_create_subnetworks {
                    return Err(GcpError::Invalid(format!(
                        "Invalid value for field 'resource.networkInterfaces[{i}].subnetwork': ''. \
                         Subnetwork should be specified for custom subnetmode network"
                    )));
                }
                subnetworks_of(tx.world(), &nid)
                    .find(|s| s.region == region && s.auto_created)
                    .cloned()
                    .ok_or_else(|| {
                        GcpError::NotFound(subnetwork_path(project, &region, name_of(&nid)))
                    })?
            }
            (None, None) => {
                return Err(GcpError::Invalid(format!(
                    "Invalid value for field 'resource.networkInterfaces[{i}]': neither network \
                     nor subnetwork is set."
                )))
            }
        };
        if subnet.region != region {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.networkInterfaces[{i}].subnetwork': '{}'. \
                 Subnetwork must be in the same region as the instance ('{region}').",
                subnet.id
            )));
        }
        if let Some(net) = &n.network {
            let nid = resolve_network(net, project);
            if nid.as_deref() != Some(subnet.network.as_str()) {
                return Err(GcpError::Invalid(format!(
                    "Invalid value for field 'resource.networkInterfaces[{i}].network': '{net}'. \
                     The subnetwork '{}' belongs to another network.",
                    subnet.id
                )));
            }
        }
        if nics.iter().any(|x| x.network == subnet.network) {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.networkInterfaces[{i}]'. Multiple network \
                 interfaces cannot be in the same network."
            )));
        }
        let mut used = used_ips(tx.world(), &subnet.id);
        used.extend(nics.iter().map(|x| x.network_ip));
        let range = subnet.ip_cidr_range;
        let hosts = crate::cidr::host_range(range, 2, 2);
        let ip = match &n.network_ip {
            Some(s) => {
                let a: Ipv4Addr = s.parse().map_err(|_| {
                    GcpError::Invalid(format!(
                        "Invalid value for field 'resource.networkInterfaces[{i}].networkIP': '{s}'."
                    ))
                })?;
                if !hosts.contains(&a) {
                    return Err(GcpError::Invalid(format!(
                        "Requested internal IP address '{s}' is outside the subnetwork's range \
                         or reserved ({range})."
                    )));
                }
                if used.contains(&a) {
                    return Err(GcpError::BadRequest(format!(
                        "IP '{s}' is already being used by another resource."
                    )));
                }
                a
            }
            None => crate::cidr::first_free(hosts, |a| used.contains(&a)).ok_or_else(|| {
                GcpError::BadRequest(format!("IP space of '{}' is exhausted.", subnet.id))
            })?,
        };
        nics.push(GcpNic {
            name: format!("nic{i}"),
            network: subnet.network.clone(),
            subnetwork: subnet.id.clone(),
            network_ip: ip,
        });
    }
    let numeric = numeric_id(tx);
    let now = tx.now();
    tx.put(GcpInstance {
        id: id.clone(),
        project: project.to_owned(),
        zone: zone.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        machine_type: spec.machine_type,
        tags: spec.tags,
        nics,
        created: now,
    });
    Ok(done_op(
        tx,
        project,
        OpScope::Zone(zone.to_owned()),
        "insert",
        &id,
        numeric,
    ))
}

/// `instances.delete`.
pub fn delete_instance(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = instance_path(project, zone, name);
    let i = tx
        .remove::<GcpInstance>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?;
    Ok(done_op(
        tx,
        project,
        OpScope::Zone(zone.to_owned()),
        "delete",
        &id,
        i.numeric_id,
    ))
}

/// `globalOperations.delete` (and the regional and zonal ones): forgets a finished operation.
/// A running one is refused [UNVERIFIED: GCP's behaviour].
pub fn delete_operation(tx: &mut Tx<'_, '_>, id: &str) -> Result<(), GcpError> {
    super::settle_due_operations(tx);
    let op = tx
        .get::<GcpOperation>(id)
        .ok_or_else(|| GcpError::NotFound(id.to_owned()))?;
    if op.status == OpStatus::Running {
        return Err(GcpError::BadRequest(format!(
            "The operation '{id}' is still running and cannot be deleted."
        )));
    }
    tx.remove::<GcpOperation>(id);
    Ok(())
}

/// `subnetworks.expandIpCidrRange`: the new primary range must contain the old one and be
/// larger, and must not overlap the network's other ranges or those of active peers.
pub fn expand_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
    range: &str,
) -> Result<GcpOperation, GcpError> {
    if !is_region(region) {
        return Err(unknown_region(project, region));
    }
    let id = subnetwork_path(project, region, name);
    let s = tx
        .get::<GcpSubnetwork>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?
        .clone();
    let new = parse_range("ipCidrRange", range)?;
    let old = s.ip_cidr_range;
    if new.prefix_len() >= old.prefix_len() || !new.contains(&old.network()) {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {new}. The new range must be larger than and contain the \
             current range {old}."
        )));
    }
    if new.prefix_len() < 8 {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {new}. The prefix length must be between /8 and /29."
        )));
    }
    let w = tx.world();
    if let Some((_, other)) = network_ranges(w, &s.network)
        .into_iter()
        .find(|(r, o)| overlaps_v4(*r, new) && !(o.id == id && *r == old))
    {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {new} conflicts with existing subnetwork '{}' in region '{}'.",
            other.name, other.region
        )));
    }
    let net = network(tx, &s.network)?.clone();
    for (peering, peer) in active_peers(w, &net) {
        if network_ranges(w, &peer)
            .iter()
            .any(|(x, _)| overlaps_v4(*x, new))
        {
            // [UNVERIFIED] wording.
            return Err(GcpError::Invalid(format!(
                "Invalid IPCidrRange: {new} conflicts with peer network in active peering '{peering}'."
            )));
        }
    }
    tx.get_mut::<GcpSubnetwork>(&id)
        .expect("read above")
        .ip_cidr_range = new;
    Ok(done_op(
        tx,
        project,
        OpScope::Region(region.to_owned()),
        "expandIpCidrRange",
        &id,
        s.numeric_id,
    ))
}
