//! Network-wide checks (`vpcpeer audit`): findings that name the resources at fault, with a
//! severity, a one-line message and a fix. The check names are this project's; the definitions
//! below are the reference. Pure code: the world, the instant and the quotas come in.
//!
//! The checks, precisely:
//! - `cidr_overlap_audit`: the two VPCs of a peering that is active, being requested or failed
//!   have overlapping blocks (error while the peering is live, warning for a failed request);
//!   and two VPCs with overlapping blocks are both peered (live) with a third one, which cannot
//!   route to both (warning).
//! - `missing_return_route`: a route in a table of VPC A sends part of B's blocks over an active
//!   peering, and the tables serving B's subnets (each subnet's explicit table, else B's main
//!   table; the main table alone when B has no subnet) route no part of A's blocks of the same
//!   IP family back over that peering. Error when none of them does, warning naming the ones that do not when only
//!   some do.
//! - `orphaned_peering`: an active peering that no route of either side targets (warning). An
//!   active peering routed from one side only is a `missing_return_route`.
//! - `peering_route_without_active_pcx`: a route targets a peering still waiting for acceptance
//!   (warning: it is a blackhole until then).
//! - `blackhole_routes`: a route whose target is gone or unusable: a deleted, failed, rejected,
//!   expired or unknown peering, a detached internet gateway, a deleted NAT gateway, a stopped
//!   instance, a deleted interface (error).
//! - `transitive_peering_misconfig`: a route in A sends blocks outside peer B over pcx(A, B),
//!   and those blocks belong to a VPC C that B is peered with (live), where no more specific
//!   route of the same table (nor A's own block) takes that part instead: peering is not
//!   transitive, so B never forwards them (error).
//! - `edge_to_edge_misconfig`: a route in A sends blocks outside peer B over pcx(A, B) that B's
//!   main route table would send on to its internet or NAT gateway: edge-to-edge routing through
//!   a peer is not supported (error).
//! - `stale_sg_references`: a security group rule references a group that no longer exists, or
//!   a peer VPC's group while no active peering joins the two VPCs (warning, as AWS's
//!   DescribeStaleSecurityGroups: the rule is kept but admits nothing).
//! - `nacl_ephemeral_gap`: a network ACL allows a TCP/UDP *service* port one way (an allow entry
//!   whose range spans fewer than 1,024 ports and which decides for its own first port) but
//!   the other direction denies the replies to the ephemeral ports, for the same peer block.
//!   Ephemeral ports are sampled at 1024, 32768, 49152 and 65535 (the ranges of ELB, Linux and
//!   Windows); error when every sample is denied and the ACL serves a subnet, warning when
//!   some are or the ACL serves none. Wide allow entries
//!   (1,024 ports or more) are taken to be return-traffic allowances and are not checked.
//! - `shadowed_routes`: a route that never wins the longest prefix match: every address of its
//!   destination is covered by strictly more specific routes of the same table, or (for a
//!   peering route) by the VPC's own blocks, where the local route wins. Exact duplicates cannot
//!   exist (the model refuses them). Local routes are never reported (warning).
//! - `quota_headroom`: usage at 80 % or more of a quota of [`Limits`] that is enforced: routes
//!   per table and family, rules per security group, direction and family, active peerings per
//!   VPC, outstanding requests per account, route tables and subnets per VPC, security groups
//!   and VPCs per account and region, IPv4 blocks per VPC; and network ACL entries per
//!   direction against AWS's default of 20, which [`Limits`] does not carry. Info below the
//!   quota, warning at it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use vpcpeer_model::cidr::overlaps;
use vpcpeer_model::ops::route::{table_route_state, RouteState};
use vpcpeer_model::peering::PeeringState;
use vpcpeer_model::{
    AclAction, AclEntry, Destination, Limits, RouteTable, RouteTarget, RtAssocTarget, RulePeer,
    Timestamp, World,
};

use crate::model::{Header, Protocol};
use crate::rules::acl_entry_matches;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Traffic the configuration asks for is dropped.
    Error,
    /// Likely a mistake, or dead configuration.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The checks, by the names `vpcpeer audit` prints (the definitions below are the reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// `cidr_overlap_audit`.
    CidrOverlap,
    /// `missing_return_route`.
    MissingReturnRoute,
    /// `orphaned_peering`.
    OrphanedPeering,
    /// `peering_route_without_active_pcx`.
    PeeringRouteWithoutActivePcx,
    /// `blackhole_routes`.
    BlackholeRoutes,
    /// `transitive_peering_misconfig`.
    TransitivePeeringMisconfig,
    /// `edge_to_edge_misconfig`.
    EdgeToEdgeMisconfig,
    /// `stale_sg_references`.
    StaleSgReferences,
    /// `nacl_ephemeral_gap`.
    NaclEphemeralGap,
    /// `shadowed_routes`.
    ShadowedRoutes,
    /// `quota_headroom`.
    QuotaHeadroom,
}

impl Check {
    /// Every check.
    pub const ALL: [Check; 11] = [
        Check::CidrOverlap,
        Check::MissingReturnRoute,
        Check::OrphanedPeering,
        Check::PeeringRouteWithoutActivePcx,
        Check::BlackholeRoutes,
        Check::TransitivePeeringMisconfig,
        Check::EdgeToEdgeMisconfig,
        Check::StaleSgReferences,
        Check::NaclEphemeralGap,
        Check::ShadowedRoutes,
        Check::QuotaHeadroom,
    ];

    /// The check's name.
    pub fn name(self) -> &'static str {
        match self {
            Check::CidrOverlap => "cidr_overlap_audit",
            Check::MissingReturnRoute => "missing_return_route",
            Check::OrphanedPeering => "orphaned_peering",
            Check::PeeringRouteWithoutActivePcx => "peering_route_without_active_pcx",
            Check::BlackholeRoutes => "blackhole_routes",
            Check::TransitivePeeringMisconfig => "transitive_peering_misconfig",
            Check::EdgeToEdgeMisconfig => "edge_to_edge_misconfig",
            Check::StaleSgReferences => "stale_sg_references",
            Check::NaclEphemeralGap => "nacl_ephemeral_gap",
            Check::ShadowedRoutes => "shadowed_routes",
            Check::QuotaHeadroom => "quota_headroom",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check that found it.
    pub check: Check,
    /// How bad.
    pub severity: Severity,
    /// The resources it names (ids), the one at fault first.
    pub resources: Vec<String>,
    /// The accounts owning those resources, sorted.
    pub accounts: Vec<String>,
    /// One line.
    pub message: String,
    /// One line: what to change.
    pub fix: String,
}

impl Finding {
    /// Whether it names a resource of `account`.
    pub fn involves(&self, account: &str) -> bool {
        self.accounts.iter().any(|a| a == account)
    }
}

/// Runs every check over `world` at `now` with quotas `limits`. Findings come sorted by
/// severity (errors first), check, then resources.
pub fn audit(world: &World, now: Timestamp, limits: &Limits) -> Vec<Finding> {
    let a = Auditor::new(world, now);
    let mut raw: Vec<Raw> = Vec::new();
    a.cidr_overlap(&mut raw);
    a.routes(&mut raw);
    a.orphaned_peerings(&mut raw);
    a.stale_sg_references(&mut raw);
    a.nacl_ephemeral_gap(&mut raw);
    a.shadowed_routes(&mut raw);
    a.quota_headroom(limits, &mut raw);
    let mut out: Vec<Finding> = raw
        .into_iter()
        .map(|r| {
            let accounts: BTreeSet<String> = r
                .resources
                .iter()
                .flat_map(|id| owners(world, id))
                .collect();
            Finding {
                check: r.check,
                severity: r.severity,
                resources: r.resources,
                accounts: accounts.into_iter().collect(),
                message: r.message,
                fix: r.fix,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        (x.severity, x.check, &x.resources).cmp(&(y.severity, y.check, &y.resources))
    });
    out.dedup();
    out
}

struct Raw {
    check: Check,
    severity: Severity,
    resources: Vec<String>,
    message: String,
    fix: String,
}

fn raw(
    check: Check,
    severity: Severity,
    resources: Vec<String>,
    message: String,
    fix: String,
) -> Raw {
    Raw {
        check,
        severity,
        resources,
        message,
        fix,
    }
}

/// The accounts owning resource `id` (both sides for a peering).
fn owners(w: &World, id: &str) -> Vec<String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        return vec![id.to_owned()];
    }
    let one = |s: Option<&vpcpeer_model::Scope>| s.map(|s| vec![s.account.clone()]);
    if let Some(p) = w.peerings.get(id) {
        return vec![
            p.requester.scope.account.clone(),
            p.accepter.scope.account.clone(),
        ];
    }
    one(w.vpcs.get(id).map(|x| &x.scope))
        .or_else(|| one(w.subnets.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.route_tables.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.security_groups.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.network_acls.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.internet_gateways.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.nat_gateways.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.instances.get(id).map(|x| &x.scope)))
        .or_else(|| one(w.network_interfaces.get(id).map(|x| &x.scope)))
        .unwrap_or_default()
}

fn net(d: &Destination) -> IpNet {
    match d {
        Destination::V4(n) => IpNet::V4(*n),
        Destination::V6(n) => IpNet::V6(*n),
    }
}

fn list(nets: &[IpNet]) -> String {
    nets.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether every address of `p` lies in some prefix of `covers` (any family).
fn covered(p: IpNet, covers: &[IpNet]) -> bool {
    if covers.iter().any(|c| c.contains(&p)) {
        return true;
    }
    let inner: Vec<IpNet> = covers
        .iter()
        .filter(|c| c.prefix_len() > p.prefix_len() && p.contains(*c))
        .copied()
        .collect();
    if inner.is_empty() {
        return false;
    }
    match p.subnets(p.prefix_len() + 1) {
        Ok(mut halves) => halves.all(|h| covered(h, &inner)),
        Err(_) => false,
    }
}

fn state_name(s: PeeringState) -> &'static str {
    vpcpeer_model::ops::peering::state_name(s)
}

/// Whether a peering in `s` is live: active or on its way there.
fn live(s: PeeringState) -> bool {
    matches!(
        s,
        PeeringState::Active
            | PeeringState::PendingAcceptance
            | PeeringState::InitiatingRequest
            | PeeringState::Provisioning
    )
}

struct Auditor<'w> {
    w: &'w World,
    now: Timestamp,
    /// Main route table per VPC.
    main: BTreeMap<&'w str, &'w str>,
    /// Explicit route table per subnet.
    explicit: BTreeMap<&'w str, &'w str>,
    /// Subnet ids per VPC.
    subnets: BTreeMap<&'w str, Vec<&'w str>>,
    /// Route tables per VPC.
    tables: BTreeMap<&'w str, Vec<&'w RouteTable>>,
    /// Peering ids targeted by some route, per VPC of the route's table.
    routed: BTreeSet<(&'w str, &'w str)>,
}

impl<'w> Auditor<'w> {
    fn new(w: &'w World, now: Timestamp) -> Self {
        let mut main = BTreeMap::new();
        let mut explicit = BTreeMap::new();
        let mut subnets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut tables: BTreeMap<&str, Vec<&RouteTable>> = BTreeMap::new();
        let mut routed = BTreeSet::new();
        for s in w.subnets.values() {
            subnets.entry(&s.vpc_id).or_default().push(&s.id);
        }
        for t in w.route_tables.values() {
            tables.entry(&t.vpc_id).or_default().push(t);
            for r in &t.routes {
                if let RouteTarget::Peering(p) = &r.target {
                    routed.insert((t.vpc_id.as_str(), p.as_str()));
                }
            }
            for a in &t.associations {
                match &a.target {
                    RtAssocTarget::Main => {
                        main.insert(t.vpc_id.as_str(), t.id.as_str());
                    }
                    RtAssocTarget::Subnet(s) => {
                        explicit.insert(s.as_str(), t.id.as_str());
                    }
                    RtAssocTarget::Gateway(_) => {}
                }
            }
        }
        Auditor {
            w,
            now,
            main,
            explicit,
            subnets,
            tables,
            routed,
        }
    }

    /// The current blocks of VPC `id`, else those recorded on the peering side.
    fn blocks(&self, id: &str, recorded: Option<&vpcpeer_model::PeerSide>) -> Vec<IpNet> {
        match self.w.vpcs.get(id) {
            Some(v) => v
                .ipv4_cidrs()
                .map(IpNet::V4)
                .chain(v.ipv6_cidrs().map(IpNet::V6))
                .collect(),
            None => recorded
                .map(|s| {
                    s.ipv4
                        .iter()
                        .map(|n| IpNet::V4(*n))
                        .chain(s.ipv6.iter().map(|n| IpNet::V6(*n)))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The tables serving VPC `vpc`'s subnets (the main table when it has none), in id order.
    fn serving_tables(&self, vpc: &str) -> Vec<&'w RouteTable> {
        let mut ids: BTreeSet<&str> = BTreeSet::new();
        let mut any_subnet = false;
        for s in self.subnets.get(vpc).into_iter().flatten() {
            any_subnet = true;
            if let Some(t) = self.explicit.get(s).or_else(|| self.main.get(vpc)) {
                ids.insert(t);
            }
        }
        if !any_subnet {
            if let Some(t) = self.main.get(vpc) {
                ids.insert(t);
            }
        }
        ids.into_iter()
            .filter_map(|id| self.w.route_tables.get(id))
            .collect()
    }

    /// The VPC on the other side of peering `pcx` from `vpc`.
    fn other_side(&self, pcx: &str, vpc: &str) -> Option<&'w vpcpeer_model::PeerSide> {
        let p = self.w.peerings.get(pcx)?;
        if p.requester.vpc_id == vpc {
            Some(&p.accepter)
        } else if p.accepter.vpc_id == vpc {
            Some(&p.requester)
        } else {
            None
        }
    }

    fn cidr_overlap(&self, out: &mut Vec<Raw>) {
        for p in self.w.peerings.values() {
            let state = p.state_at(self.now);
            if !live(state) && state != PeeringState::Failed {
                continue;
            }
            let ra = self.blocks(&p.requester.vpc_id, Some(&p.requester));
            let rb = self.blocks(&p.accepter.vpc_id, Some(&p.accepter));
            let clash: Vec<String> = ra
                .iter()
                .flat_map(|x| rb.iter().map(move |y| (x, y)))
                .filter(|(x, y)| overlaps(x, y))
                .map(|(x, y)| format!("{x} ∩ {y}"))
                .collect();
            if clash.is_empty() {
                continue;
            }
            let severity = if state == PeeringState::Failed {
                Severity::Warning
            } else {
                Severity::Error
            };
            out.push(raw(
                Check::CidrOverlap,
                severity,
                vec![
                    p.id.clone(),
                    p.requester.vpc_id.clone(),
                    p.accepter.vpc_id.clone(),
                ],
                format!(
                    "{} ({}) joins {} and {} whose blocks overlap ({}); a peering never carries overlapping blocks",
                    p.id,
                    state_name(state),
                    p.requester.vpc_id,
                    p.accepter.vpc_id,
                    clash.join("; ")
                ),
                format!(
                    "re-address one of {} and {} so their blocks are disjoint, then request a new peering",
                    p.requester.vpc_id, p.accepter.vpc_id
                ),
            ));
        }
        // Two overlapping VPCs peered with the same third one.
        for hub in self.w.vpcs.keys() {
            let peers: Vec<(&str, &str)> = self
                .w
                .peerings_of_vpc(hub)
                .filter(|p| live(p.state_at(self.now)))
                .filter_map(|p| {
                    let other = if p.requester.vpc_id == *hub {
                        &p.accepter.vpc_id
                    } else {
                        &p.requester.vpc_id
                    };
                    (other != hub).then_some((other.as_str(), p.id.as_str()))
                })
                .collect();
            for (i, (x, px)) in peers.iter().enumerate() {
                for (y, py) in &peers[i + 1..] {
                    if x == y {
                        continue;
                    }
                    let bx = self.blocks(x, None);
                    let by = self.blocks(y, None);
                    let clash: Vec<String> = bx
                        .iter()
                        .flat_map(|a| by.iter().map(move |b| (a, b)))
                        .filter(|(a, b)| overlaps(a, b))
                        .map(|(a, b)| format!("{a} ∩ {b}"))
                        .collect();
                    if clash.is_empty() {
                        continue;
                    }
                    out.push(raw(
                        Check::CidrOverlap,
                        Severity::Warning,
                        vec![
                            hub.clone(),
                            (*x).to_owned(),
                            (*y).to_owned(),
                            (*px).to_owned(),
                            (*py).to_owned(),
                        ],
                        format!(
                            "{hub} is peered with {x} ({px}) and {y} ({py}), whose blocks overlap ({}); a route in {hub} can send the overlap to only one of them",
                            clash.join("; ")
                        ),
                        format!("re-address {x} or {y}, or route only specific subnets of each from {hub}"),
                    ));
                }
            }
        }
    }

    /// Per route of every table: blackholes, routes to pending peerings, transitive and
    /// edge-to-edge attempts, one-sided peering routes.
    fn routes(&self, out: &mut Vec<Raw>) {
        for t in self.w.route_tables.values() {
            for r in &t.routes {
                let d = net(&r.destination);
                if let RouteTarget::Peering(pcx) = &r.target {
                    let state = self.w.peerings.get(pcx).map(|p| p.state_at(self.now));
                    match state {
                        Some(s) if live(s) && s != PeeringState::Active => {
                            out.push(raw(
                                Check::PeeringRouteWithoutActivePcx,
                                Severity::Warning,
                                vec![t.id.clone(), pcx.clone()],
                                format!(
                                    "route {d} → {pcx} in {} targets a peering that is {}: it drops traffic until the peering is active",
                                    t.id,
                                    state_name(s)
                                ),
                                format!("accept {pcx} as the owner of the accepter VPC"),
                            ));
                            continue;
                        }
                        Some(PeeringState::Active) => {
                            self.peering_route(t, &d, pcx, out);
                            continue;
                        }
                        _ => {}
                    }
                }
                if table_route_state(self.w, t, r, self.now) == RouteState::Blackhole {
                    out.push(self.blackhole(t, &d, &r.target));
                }
            }
        }
    }

    fn blackhole(&self, t: &RouteTable, d: &IpNet, target: &RouteTarget) -> Raw {
        let tid = target.id();
        let why = match target {
            RouteTarget::Peering(p) => match self.w.peerings.get(p) {
                Some(c) => format!("the peering is {}", state_name(c.state_at(self.now))),
                None => "the peering no longer exists".to_owned(),
            },
            RouteTarget::Gateway(g) => match self.w.internet_gateways.get(g) {
                Some(x) => match &x.attached_vpc {
                    Some(v) => format!("the gateway is attached to {v}, not to {}", t.vpc_id),
                    None => "the gateway is detached".to_owned(),
                },
                None => "the gateway no longer exists".to_owned(),
            },
            RouteTarget::NatGateway(_) => "the NAT gateway is not available".to_owned(),
            RouteTarget::Instance(_) => "the instance is not running".to_owned(),
            RouteTarget::NetworkInterface(_) => "the interface no longer exists".to_owned(),
            _ => "the target is not usable".to_owned(),
        };
        let fix = match target {
            RouteTarget::Peering(_) => format!(
                "delete the route {d} from {} or point it at an active peering",
                t.id
            ),
            _ => format!(
                "delete the route {d} from {} or replace its target with a usable one",
                t.id
            ),
        };
        raw(
            Check::BlackholeRoutes,
            Severity::Error,
            vec![t.id.clone(), tid.to_owned()],
            format!("route {d} → {tid} in {} is a blackhole: {why}", t.id),
            fix,
        )
    }

    /// A route `d` → `pcx` (active) in table `t`.
    fn peering_route(&self, t: &RouteTable, d: &IpNet, pcx: &str, out: &mut Vec<Raw>) {
        let a = t.vpc_id.as_str();
        let Some(side_b) = self.other_side(pcx, a) else {
            return;
        };
        let b = side_b.vpc_id.as_str();
        let b_blocks = self.blocks(b, Some(side_b));
        let a_blocks = self.blocks(a, None);
        // The reply comes back in the family of the request: A's blocks of that family.
        let a_family: Vec<IpNet> = a_blocks
            .iter()
            .copied()
            .filter(|x| x.network().is_ipv4() == d.network().is_ipv4())
            .collect();
        if b_blocks.iter().any(|x| overlaps(x, d)) && !a_family.is_empty() {
            self.return_route(t, d, pcx, b, &a_family, out);
        }
        if b_blocks.iter().any(|x| x.contains(d)) {
            return;
        }
        // Part of `d` lies outside B: who would it be meant for?
        let more_specific: Vec<IpNet> = t
            .routes
            .iter()
            .map(|r| net(&r.destination))
            .filter(|o| o.prefix_len() > d.prefix_len() && d.contains(o))
            .chain(a_blocks.iter().copied())
            .collect();
        let mut transit = Vec::new();
        for p in self.w.peerings_of_vpc(b) {
            if p.id == pcx || !live(p.state_at(self.now)) {
                continue;
            }
            let c = if p.requester.vpc_id == b {
                &p.accepter
            } else {
                &p.requester
            };
            if c.vpc_id == a {
                continue;
            }
            // The part of C's block this route decides: the smaller of the two prefixes,
            // unless more specific routes of the table (or A's own blocks) take all of it.
            let hit: Vec<IpNet> = self
                .blocks(&c.vpc_id, Some(c))
                .into_iter()
                .filter(|x| overlaps(x, d))
                .filter(|x| {
                    let part = if x.prefix_len() >= d.prefix_len() {
                        *x
                    } else {
                        *d
                    };
                    !covered(part, &more_specific)
                })
                .collect();
            if !hit.is_empty() {
                transit.push((c.vpc_id.clone(), p.id.clone(), hit));
            }
        }
        for (c, pbc, hit) in transit {
            out.push(raw(
                Check::TransitivePeeringMisconfig,
                Severity::Error,
                vec![t.id.clone(), pcx.to_owned(), c.clone(), pbc.clone()],
                format!(
                    "route {d} → {pcx} in {} sends traffic for {c} ({}) to {b}, which is peered with {c} over {pbc}; peering is not transitive, so {b} drops it",
                    t.id,
                    list(&hit)
                ),
                format!("peer {a} with {c} directly and route {} to that peering", list(&hit)),
            ));
        }
        if let Some(main_b) = self.main.get(b).and_then(|id| self.w.route_tables.get(*id)) {
            for r in &main_b.routes {
                let gw = match &r.target {
                    RouteTarget::Gateway(g) if g.starts_with("igw-") => g,
                    RouteTarget::NatGateway(n) => n,
                    _ => continue,
                };
                let gd = net(&r.destination);
                if overlaps(&gd, d) {
                    out.push(raw(
                        Check::EdgeToEdgeMisconfig,
                        Severity::Error,
                        vec![t.id.clone(), pcx.to_owned(), gw.clone(), main_b.id.clone()],
                        format!(
                            "route {d} → {pcx} in {} expects {b} to forward to {gw} (route {gd} in {}); a peer's internet or NAT gateway never serves traffic arriving over a peering",
                            t.id, main_b.id
                        ),
                        format!("give {a} its own internet or NAT gateway and route {d} there"),
                    ));
                }
            }
        }
    }

    /// The return half of route `d` → `pcx` in `t`, towards B.
    fn return_route(
        &self,
        t: &RouteTable,
        d: &IpNet,
        pcx: &str,
        b: &str,
        a_blocks: &[IpNet],
        out: &mut Vec<Raw>,
    ) {
        let tables = self.serving_tables(b);
        if tables.is_empty() {
            return;
        }
        let routes_back = |rt: &RouteTable| {
            rt.routes.iter().any(|r| {
                r.target == RouteTarget::Peering(pcx.to_owned())
                    && a_blocks.iter().any(|x| overlaps(x, &net(&r.destination)))
            })
        };
        let missing: Vec<&RouteTable> =
            tables.iter().copied().filter(|r| !routes_back(r)).collect();
        if missing.is_empty() {
            return;
        }
        let a = &t.vpc_id;
        let severity = if missing.len() == tables.len() {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut resources = vec![t.id.clone(), pcx.to_owned(), b.to_owned()];
        resources.extend(missing.iter().map(|r| r.id.clone()));
        let names: Vec<&str> = missing.iter().map(|r| r.id.as_str()).collect();
        out.push(raw(
            Check::MissingReturnRoute,
            severity,
            resources,
            format!(
                "route {d} → {pcx} in {} has no return route: {} ({b}) route{} no part of {a}'s blocks ({}) back over {pcx}",
                t.id,
                names.join(", "),
                if names.len() == 1 { "s" } else { "" },
                list(a_blocks)
            ),
            format!(
                "add a route {} → {pcx} to {}",
                a_blocks.first().map(ToString::to_string).unwrap_or_default(),
                names.join(" and ")
            ),
        ));
    }

    fn orphaned_peerings(&self, out: &mut Vec<Raw>) {
        for p in self.w.peerings.values() {
            if !p.is_active_at(self.now) {
                continue;
            }
            let routed = |vpc: &str| self.routed.contains(&(vpc, p.id.as_str()));
            if routed(&p.requester.vpc_id) || routed(&p.accepter.vpc_id) {
                continue;
            }
            out.push(raw(
                Check::OrphanedPeering,
                Severity::Warning,
                vec![
                    p.id.clone(),
                    p.requester.vpc_id.clone(),
                    p.accepter.vpc_id.clone(),
                ],
                format!(
                    "{} is active but no route table of {} or {} routes over it",
                    p.id, p.requester.vpc_id, p.accepter.vpc_id
                ),
                format!(
                    "add routes to the peer's block via {} on both sides, or delete it",
                    p.id
                ),
            ));
        }
    }

    fn stale_sg_references(&self, out: &mut Vec<Raw>) {
        for g in self.w.security_groups.values() {
            let rules = g
                .ingress
                .iter()
                .map(|r| ("ingress", r))
                .chain(g.egress.iter().map(|r| ("egress", r)));
            for (dir, r) in rules {
                let RulePeer::Group {
                    group_id,
                    peering_id,
                    ..
                } = &r.peer
                else {
                    continue;
                };
                let referenced = self.w.security_groups.get(group_id);
                let (why, pcx) = match peering_id {
                    None => match referenced {
                        Some(_) => continue,
                        None => (format!("{group_id} no longer exists"), None),
                    },
                    Some(pcx) => {
                        let recorded = self.w.peerings.get(pcx);
                        let peer_vpc = referenced.map(|x| x.vpc_id.clone()).or_else(|| {
                            recorded.map(|p| {
                                if p.requester.vpc_id == g.vpc_id {
                                    p.accepter.vpc_id.clone()
                                } else {
                                    p.requester.vpc_id.clone()
                                }
                            })
                        });
                        let active = peer_vpc.as_deref().is_some_and(|pv| {
                            self.w.peerings_of_vpc(&g.vpc_id).any(|p| {
                                p.is_active_at(self.now)
                                    && ((p.requester.vpc_id == g.vpc_id && p.accepter.vpc_id == pv)
                                        || (p.accepter.vpc_id == g.vpc_id
                                            && p.requester.vpc_id == pv))
                            })
                        });
                        let why = if referenced.is_none() {
                            format!("{group_id} no longer exists")
                        } else if active {
                            continue;
                        } else {
                            match recorded {
                                Some(p) => format!(
                                    "{pcx} is {}, and no other active peering joins {} and {}",
                                    state_name(p.state_at(self.now)),
                                    g.vpc_id,
                                    peer_vpc.as_deref().unwrap_or("?")
                                ),
                                None => format!("{pcx} no longer exists"),
                            }
                        };
                        (why, Some(pcx.clone()))
                    }
                };
                let mut resources = vec![g.id.clone(), r.id.clone(), group_id.clone()];
                resources.extend(pcx);
                out.push(raw(
                    Check::StaleSgReferences,
                    Severity::Warning,
                    resources,
                    format!(
                        "{dir} rule {} of {} references {group_id}, which is stale: {why}; the rule admits nothing",
                        r.id, g.id
                    ),
                    format!(
                        "revoke {} from {}, or restore the peering and reference the peer group again",
                        r.id, g.id
                    ),
                ));
            }
        }
    }

    fn nacl_ephemeral_gap(&self, out: &mut Vec<Raw>) {
        const SAMPLES: [u16; 4] = [1024, 32768, 49152, 65535];
        for acl in self.w.network_acls.values() {
            let mut entries: Vec<&AclEntry> = acl.entries.iter().collect();
            entries.sort_by_key(|e| e.rule_number);
            let inbound: Vec<&AclEntry> = entries.iter().copied().filter(|e| !e.egress).collect();
            let outbound: Vec<&AclEntry> = entries.iter().copied().filter(|e| e.egress).collect();
            for (service, other, egress) in
                [(&inbound, &outbound, false), (&outbound, &inbound, true)]
            {
                for e in service.iter() {
                    let protocol = match e.protocol.as_str() {
                        "6" => Protocol::Tcp,
                        "17" => Protocol::Udp,
                        _ => continue,
                    };
                    let Some((from, to)) = e.port_range else {
                        continue;
                    };
                    if e.action != AclAction::Allow || to - from >= 1024 || from < 0 {
                        continue;
                    }
                    let Ok(port) = u16::try_from(from) else {
                        continue;
                    };
                    let peer = net(&e.cidr).network();
                    let local = match peer {
                        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    };
                    let (src, dst) = if egress { (local, peer) } else { (peer, local) };
                    let req = Header {
                        src_ip: src,
                        dst_ip: dst,
                        protocol,
                        src_port: Some(crate::model::EPHEMERAL_PORT),
                        dst_port: Some(port),
                        icmp: None,
                    };
                    // Only entries that decide for their own first port.
                    let first = service
                        .iter()
                        .find(|x| acl_entry_matches(x, &req, peer))
                        .map(|x| x.rule_number);
                    if first != Some(e.rule_number) {
                        continue;
                    }
                    let denied: Vec<u16> = SAMPLES
                        .iter()
                        .copied()
                        .filter(|eph| {
                            let mut rep = req.reply();
                            rep.dst_port = Some(*eph);
                            let verdict = other
                                .iter()
                                .find(|x| acl_entry_matches(x, &rep, peer))
                                .map_or(AclAction::Deny, |x| x.action);
                            verdict == AclAction::Deny
                        })
                        .collect();
                    if denied.is_empty() {
                        continue;
                    }
                    let severity = if denied.len() == SAMPLES.len() && !acl.associations.is_empty()
                    {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    let (back, pre) = if egress {
                        ("inbound", "to")
                    } else {
                        ("outbound", "from")
                    };
                    let proto = if protocol == Protocol::Tcp {
                        "tcp"
                    } else {
                        "udp"
                    };
                    let ports = if from == to {
                        from.to_string()
                    } else {
                        format!("{from}-{to}")
                    };
                    out.push(raw(
                        Check::NaclEphemeralGap,
                        severity,
                        vec![acl.id.clone()],
                        format!(
                            "{} entry #{} allows {proto}/{ports} {pre} {}, but its {back} entries deny the replies to ephemeral port{} {}",
                            acl.id,
                            e.rule_number,
                            net(&e.cidr),
                            if denied.len() == 1 { "" } else { "s" },
                            denied
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        format!(
                            "add an {back} allow entry for {proto} 1024-65535 {} {} to {} (numbered before any deny that matches)",
                            if egress { "from" } else { "to" },
                            net(&e.cidr),
                            acl.id
                        ),
                    ));
                }
            }
        }
    }

    fn shadowed_routes(&self, out: &mut Vec<Raw>) {
        for t in self.w.route_tables.values() {
            let own = self.blocks(&t.vpc_id, None);
            for r in &t.routes {
                if r.target == RouteTarget::Local {
                    continue;
                }
                let p = net(&r.destination);
                let mut covers: Vec<IpNet> = t
                    .routes
                    .iter()
                    .map(|o| net(&o.destination))
                    .filter(|o| o.prefix_len() > p.prefix_len() && p.contains(o))
                    .collect();
                let by_local = matches!(r.target, RouteTarget::Peering(_));
                if by_local {
                    covers.extend(own.iter().copied());
                }
                if !covered(p, &covers) {
                    continue;
                }
                let by: Vec<IpNet> = covers.iter().copied().filter(|c| overlaps(c, &p)).collect();
                out.push(raw(
                    Check::ShadowedRoutes,
                    Severity::Warning,
                    vec![t.id.clone(), r.target.id().to_owned()],
                    format!(
                        "route {p} → {} in {} never wins the longest prefix match: {} cover{} every address of it",
                        r.target.id(),
                        t.id,
                        list(&by),
                        if by.len() == 1 { "s" } else { "" }
                    ),
                    format!("delete the route {p} from {} (it carries no traffic)", t.id),
                ));
            }
        }
    }

    fn quota_headroom(&self, limits: &Limits, out: &mut Vec<Raw>) {
        /// AWS's default of network ACL entries per direction (not in [`Limits`]).
        const ACL_RULES_PER_DIRECTION: usize = 20;
        // `what` ends with the quota's name in parentheses: a `--limit` name of `serve`, or
        // the AWS default that the emulator does not enforce.
        let mut check = |used: usize, max: Option<usize>, what: String, ids: Vec<String>| {
            let Some(max) = max else {
                return;
            };
            if max == 0 || used * 5 < max * 4 {
                return;
            }
            let severity = if used >= max {
                Severity::Warning
            } else {
                Severity::Info
            };
            out.push(raw(
                Check::QuotaHeadroom,
                severity,
                ids,
                format!("{what}: {used} of {max} ({}%)", used * 100 / max),
                match what.rsplit_once('(').map(|(_, k)| k.trim_end_matches(')')) {
                    Some(k) if !k.contains(' ') => format!(
                        "remove unused entries, or raise the quota (vpcpeer serve --limit {k}={})",
                        max * 2
                    ),
                    _ => "merge or remove entries before the quota is reached".to_owned(),
                },
            ));
        };
        for t in self.w.route_tables.values() {
            for (fam, v6) in [("IPv4", false), ("IPv6", true)] {
                let n = t
                    .routes
                    .iter()
                    .filter(|r| r.target != RouteTarget::Local)
                    .filter(|r| matches!(r.destination, Destination::V6(_)) == v6)
                    .count();
                check(
                    n,
                    limits.routes_per_table,
                    format!("{fam} routes in {} (routes_per_table)", t.id),
                    vec![t.id.clone()],
                );
            }
        }
        for g in self.w.security_groups.values() {
            for (dir, rules) in [("inbound", &g.ingress), ("outbound", &g.egress)] {
                // Counted as the model enforces it: group and prefix-list peers count in both
                // families.
                let v4 = rules
                    .iter()
                    .filter(|r| !matches!(r.peer, RulePeer::Cidr6(_)))
                    .count();
                let v6 = rules
                    .iter()
                    .filter(|r| !matches!(r.peer, RulePeer::Cidr4(_)))
                    .count();
                for (fam, n) in [("IPv4", v4), ("IPv6", v6)] {
                    check(
                        n,
                        limits.rules_per_security_group,
                        format!("{dir} {fam} rules of {} (rules_per_security_group)", g.id),
                        vec![g.id.clone()],
                    );
                }
            }
        }
        for acl in self.w.network_acls.values() {
            for (dir, egress) in [("inbound", false), ("outbound", true)] {
                let n = acl
                    .entries
                    .iter()
                    .filter(|e| e.egress == egress && e.rule_number < 32767)
                    .count();
                check(
                    n,
                    Some(ACL_RULES_PER_DIRECTION),
                    format!("{dir} entries of {} (AWS default per direction)", acl.id),
                    vec![acl.id.clone()],
                );
            }
        }
        let mut scope_vpcs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut scope_sgs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for v in self.w.vpcs.values() {
            *scope_vpcs
                .entry((&v.scope.account, &v.scope.region))
                .or_default() += 1;
            let active = self
                .w
                .peerings_of_vpc(&v.id)
                .filter(|p| p.is_active_at(self.now))
                .count();
            check(
                active,
                limits.active_peerings_per_vpc,
                format!("active peerings of {} (active_peerings_per_vpc)", v.id),
                vec![v.id.clone()],
            );
            let tables = self.tables.get(v.id.as_str()).map_or(0, Vec::len);
            check(
                tables,
                limits.route_tables_per_vpc,
                format!("route tables of {} (route_tables_per_vpc)", v.id),
                vec![v.id.clone()],
            );
            let subnets = self.subnets.get(v.id.as_str()).map_or(0, Vec::len);
            check(
                subnets,
                limits.subnets_per_vpc,
                format!("subnets of {} (subnets_per_vpc)", v.id),
                vec![v.id.clone()],
            );
            check(
                v.ipv4_cidrs().count(),
                limits.ipv4_blocks_per_vpc,
                format!("IPv4 blocks of {} (ipv4_blocks_per_vpc)", v.id),
                vec![v.id.clone()],
            );
        }
        for g in self.w.security_groups.values() {
            *scope_sgs
                .entry((&g.scope.account, &g.scope.region))
                .or_default() += 1;
        }
        for ((acct, region), n) in scope_vpcs {
            check(
                n,
                limits.vpcs_per_region,
                format!("VPCs of account {acct} in {region} (vpcs_per_region)"),
                vec![acct.to_owned()],
            );
        }
        for ((acct, region), n) in scope_sgs {
            check(
                n,
                limits.security_groups_per_region,
                format!(
                    "security groups of account {acct} in {region} (security_groups_per_region)"
                ),
                vec![acct.to_owned()],
            );
        }
        let mut outstanding: BTreeMap<&str, usize> = BTreeMap::new();
        for p in self.w.peerings.values() {
            if p.state_at(self.now) == PeeringState::PendingAcceptance {
                *outstanding.entry(&p.requester.scope.account).or_default() += 1;
            }
        }
        for (acct, n) in outstanding {
            check(
                n,
                limits.outstanding_peering_requests,
                format!(
                    "outstanding peering requests of account {acct} (outstanding_peering_requests)"
                ),
                vec![acct.to_owned()],
            );
        }
    }
}
