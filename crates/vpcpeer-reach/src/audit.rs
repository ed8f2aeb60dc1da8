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
//! - `tunnel_outer_blocked`: a gateway VM of the `vpcpeer-gateway` image (AWS, GCP or Azure)
//!   has a tunnel to another gateway VM, and a security group, GCP firewall rule, Azure NSG or
//!   network ACL stops the tunnel's outer UDP one way or the other, as `vpcpeer reach` checks
//!   it (`TUNNEL_OUTER_BLOCKED_BY_SG` / `_BY_ACL`): the tunnel carries nothing (error).

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::aws::route::{table_route_state, RouteState};
use vpcpeer_model::cidr::overlaps;
use vpcpeer_model::{
    AclAction, AclEntry, Destination, Limits, RouteTable, RouteTarget, RtAssocTarget, RulePeer,
    Timestamp, World,
};

use crate::model::{display_by, Header, Protocol};
use crate::rules::acl_entry_matches;

mod routes;
mod rules;
mod tunnels;

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

display_by!(Severity, name);

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
    /// `tunnel_outer_blocked`.
    TunnelOuterBlocked,
}

impl Check {
    /// Every check.
    pub const ALL: [Check; 12] = [
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
        Check::TunnelOuterBlocked,
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
            Check::TunnelOuterBlocked => "tunnel_outer_blocked",
        }
    }
}

display_by!(Check, name);

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
    tunnels::check(world, now, &mut raw);
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
    if let Some(p) = w.aws.peerings().get(id) {
        return vec![
            p.requester.scope.account.clone(),
            p.accepter.scope.account.clone(),
        ];
    }
    one(w.aws.vpcs().get(id).map(|x| &x.scope))
        .or_else(|| one(w.aws.subnets().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.route_tables().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.security_groups().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.network_acls().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.internet_gateways().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.nat_gateways().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.instances().get(id).map(|x| &x.scope)))
        .or_else(|| one(w.aws.network_interfaces().get(id).map(|x| &x.scope)))
        .unwrap_or_default()
}

/// The block of an ACL entry (which always holds one: a prefix list is a route destination
/// only, shown as the whole IPv4 space should one ever appear).
fn net(d: &Destination) -> IpNet {
    route_net(d).unwrap_or(IpNet::V4(ipnet::Ipv4Net::default()))
}

/// The block of a route's destination; `None` for a prefix list (the audit's route checks look
/// at static blocks only).
fn route_net(d: &Destination) -> Option<IpNet> {
    match d {
        Destination::V4(n) => Some(IpNet::V4(*n)),
        Destination::V6(n) => Some(IpNet::V6(*n)),
        Destination::PrefixList(_) => None,
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
    crate::model::peering_state_name(s)
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
        for s in w.aws.subnets().values() {
            subnets.entry(&s.vpc_id).or_default().push(&s.id);
        }
        for t in w.aws.route_tables().values() {
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
        match self.w.aws.vpcs().get(id) {
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
            .filter_map(|id| self.w.aws.route_tables().get(id))
            .collect()
    }

    /// The VPC on the other side of peering `pcx` from `vpc`.
    fn other_side(&self, pcx: &str, vpc: &str) -> Option<&'w vpcpeer_model::PeerSide> {
        let p = self.w.aws.peerings().get(pcx)?;
        if p.requester.vpc_id == vpc {
            Some(&p.accepter)
        } else if p.accepter.vpc_id == vpc {
            Some(&p.requester)
        } else {
            None
        }
    }
}
