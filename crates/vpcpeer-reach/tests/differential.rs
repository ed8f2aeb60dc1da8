//! Differential test: the engine against a deliberately slow, obviously-correct reference
//! evaluator on random topologies.
//!
//! The reference works directly on the [`World`] with linear scans (no snapshot, no LPM index)
//! and answers only "reachable or not", straight from the rules: security groups both ends,
//! the longest matching route of each subnet's table, peering state and peer blocks, network ACLs
//! both ways (skipped inside one subnet), and the reply's route back. Topologies are built from
//! a random seed through the real model operations (so every one is a state the emulator could
//! hold): 2–4 VPCs in two accounts and two regions, subnets, custom route tables, routes to
//! peerings in every state and to internet gateways (some detached), routes to on-premises
//! (`192.168.0.0/16`) through virtual private gateways (some detached later, some routed to over
//! a peering: edge to edge), groups with CIDR and group references, custom ACLs with random
//! entries, instances, appliances (an instance with its source/destination check off, mostly,
//! and routes to it by instance or interface id, some of them more specific than the VPC's
//! block, some looping), stopped instances; queries are every ordered pair of instances over
//! several protocols and ports, plus each instance to an internet address, to an on-premises
//! address and to an address of the S3 service.
//!
//! The endpoints area adds: managed prefix lists (routes to peerings through a list, and
//! security group rules to a list), and S3 gateway endpoints on some route tables. The
//! reference expands a prefix-list route into the list's blocks by a linear scan, prefers a
//! static route over a list's block of the same length, and lets an instance reach the S3
//! address through its own table's gateway endpoint only (a route to a peering never reaches an
//! address outside the peer VPC, so a peer's endpoint is never used).

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{acl_entries, acl_rule, table_of, tcp, Build, Rng};
use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;
use vpcpeer_model::aws::appliance::InterfaceChange;
use vpcpeer_model::aws::endpoints::prefix_list::prefix_list_blocks;
use vpcpeer_model::aws::endpoints::{NewEndpoint, NewPrefixList};
use vpcpeer_model::aws::route::RouteSpec;
use vpcpeer_model::aws::security_group::{
    Direction as SgDir, GroupSelector, RulePermission, RuleProtocol,
};
use vpcpeer_model::testkit::{from_group, permission, with_cidr, with_prefix_list};
use vpcpeer_model::testkit::{TestEnv, A, B, REGION};
use vpcpeer_model::{
    AclAction, Destination, InstanceState, NetworkInterface, PrefixListId, Route, RouteTarget,
    RulePeer, Scope, SgRule, Timestamp, World,
};
use vpcpeer_reach::{explain, Endpoint, Protocol, Query, Snapshot};

// ---------------------------------------------------------------------------------------------
// The reference evaluator.

const INTERNET: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 9);
/// An on-premises address, behind the virtual private gateways.
const ONPREM: Ipv4Addr = Ipv4Addr::new(192, 168, 7, 9);
/// An address of the S3 service (in the illustrative blocks of its AWS-managed list).
const SERVICE: Ipv4Addr = Ipv4Addr::new(3, 5, 0, 1);

/// The IPv4 blocks a route's destination stands for, each with whether it comes from a prefix
/// list (as the table's owner sees the list).
fn dest_blocks(w: &World, t: &vpcpeer_model::RouteTable, d: &Destination) -> Vec<(Ipv4Net, bool)> {
    match d {
        Destination::V4(n) => vec![(*n, false)],
        Destination::V6(_) => Vec::new(),
        Destination::PrefixList(p) => prefix_list_blocks(w, &t.scope, p.as_str())
            .into_iter()
            .filter_map(|n| match n {
                IpNet::V4(n) => Some((n, true)),
                IpNet::V6(_) => None,
            })
            .collect(),
    }
}

fn in_vpc(w: &World, vpc: &str, ip: Ipv4Addr) -> bool {
    w.aws
        .vpcs()
        .get(vpc)
        .is_some_and(|v| v.ipv4_cidrs().any(|c| c.contains(&ip)))
}

/// The route used for `ip`: the longest matching prefix; a peering route never beats the VPC's
/// own blocks (then the answer is "local").
fn best_route(w: &World, subnet: &str, ip: Ipv4Addr) -> Option<RouteTarget> {
    let t = table_of(w, subnet)?;
    // Longest prefix; at equal length a static route beats a prefix list's block; among equals,
    // the later route.
    let mut best: Option<(&Route, (u8, bool))> = None;
    for r in &t.routes {
        for (n, from_list) in dest_blocks(w, t, &r.destination) {
            if !n.contains(&ip) {
                continue;
            }
            let key = (n.prefix_len(), !from_list);
            if best.is_none_or(|(_, k)| key >= k) {
                best = Some((r, key));
            }
        }
    }
    let target = best?.0.target.clone();
    if matches!(target, RouteTarget::Peering(_)) && in_vpc(w, &t.vpc_id, ip) {
        return Some(RouteTarget::Local);
    }
    Some(target)
}

fn joins(w: &World, pcx: &str, a: &str, b: &str) -> bool {
    w.aws.peerings().get(pcx).is_some_and(|p| {
        (p.requester.vpc_id == a && p.accepter.vpc_id == b)
            || (p.requester.vpc_id == b && p.accepter.vpc_id == a)
    })
}

fn pcx_active(w: &World, pcx: &str, now: Timestamp) -> bool {
    w.aws
        .peerings()
        .get(pcx)
        .is_some_and(|p| p.is_active_at(now))
}

/// Whether an instance in `state` forwards traffic: a route to it (or to its interface) is
/// active only then.
fn forwards(state: InstanceState) -> bool {
    matches!(state, InstanceState::Running | InstanceState::Pending)
}

/// The appliance interface a route's instance or interface target sends packets to, and
/// whether the route is active (the instance, or the interface's instance, forwards).
fn appliance<'w>(w: &'w World, t: &RouteTarget) -> Option<(&'w NetworkInterface, bool)> {
    match t {
        RouteTarget::Instance(i) => {
            let inst = w.aws.instances().get(i)?;
            let eni = w.aws.network_interfaces().get(inst.eni_ids.first()?)?;
            Some((eni, forwards(inst.state)))
        }
        RouteTarget::NetworkInterface(e) => {
            let eni = w.aws.network_interfaces().get(e)?;
            let active = eni
                .attachment
                .as_ref()
                .and_then(|a| w.aws.instances().get(&a.instance_id))
                .is_some_and(|i| forwards(i.state));
            Some((eni, active))
        }
        _ => None,
    }
}

/// Whether the table of `to`'s subnet leads the reply (addressed to `ip`) back to `from`: the
/// local route inside one VPC, the active peering joining the two VPCs, or an active route to
/// the appliance `from`.
fn leads_back(
    w: &World,
    now: Timestamp,
    to: &NetworkInterface,
    from: &NetworkInterface,
    ip: Ipv4Addr,
) -> bool {
    match best_route(w, &to.subnet_id, ip) {
        Some(RouteTarget::Local) => from.vpc_id == to.vpc_id && in_vpc(w, &to.vpc_id, ip),
        Some(RouteTarget::Peering(p)) => {
            from.vpc_id != to.vpc_id
                && pcx_active(w, &p, now)
                && joins(w, &p, &to.vpc_id, &from.vpc_id)
                && in_vpc(w, &from.vpc_id, ip)
        }
        Some(t @ (RouteTarget::Instance(_) | RouteTarget::NetworkInterface(_))) => {
            from.vpc_id == to.vpc_id
                && appliance(w, &t).is_some_and(|(a, active)| active && a.id == from.id)
        }
        _ => false,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Proto {
    Tcp(u16),
    Udp(u16),
    All,
}

fn sg_proto_ok(r: &SgRule, p: Proto) -> bool {
    let in_range = |port: u16| {
        let (f, t) = (r.from_port.unwrap_or(0), r.to_port.unwrap_or(65535));
        f <= i32::from(port) && i32::from(port) <= t
    };
    match p {
        _ if r.protocol == "-1" => true,
        Proto::Tcp(port) => r.protocol == "tcp" && in_range(port),
        Proto::Udp(port) => r.protocol == "udp" && in_range(port),
        Proto::All => false,
    }
}

/// Whether any `egress`/ingress rule of the groups of `eni` admits the packet whose other end
/// is `other_ip` (the interface `other`, if it is one).
fn sg_ok(
    w: &World,
    now: Timestamp,
    eni: &NetworkInterface,
    egress: bool,
    p: Proto,
    other_ip: Ipv4Addr,
    other: Option<&NetworkInterface>,
) -> bool {
    for gid in &eni.groups {
        let Some(g) = w.aws.security_groups().get(gid) else {
            continue;
        };
        let rules = if egress { &g.egress } else { &g.ingress };
        for r in rules {
            if !sg_proto_ok(r, p) {
                continue;
            }
            let peer_ok = match &r.peer {
                RulePeer::Cidr4(n) => n.contains(&other_ip),
                RulePeer::Cidr6(_) => false,
                RulePeer::PrefixList(pl) => prefix_list_blocks(w, &g.scope, pl)
                    .iter()
                    .any(|n| matches!(n, IpNet::V4(n) if n.contains(&other_ip))),
                RulePeer::Group { group_id, .. } => {
                    let member = other.is_some_and(|o| o.groups.contains(group_id));
                    let usable = w.aws.security_groups().get(group_id).is_some_and(|rg| {
                        rg.vpc_id == g.vpc_id
                            || (rg.scope.region == g.scope.region
                                && w.aws.peerings().values().any(|pc| {
                                    pc.is_active_at(now) && joins(w, &pc.id, &g.vpc_id, &rg.vpc_id)
                                }))
                    });
                    member && usable
                }
            };
            if peer_ok {
                return true;
            }
        }
    }
    false
}

/// Whether the ACL of `subnet` admits a packet in one direction; `other_ip` is the far end.
fn acl_ok(w: &World, subnet: &str, egress: bool, p: Proto, other_ip: Ipv4Addr) -> bool {
    let Some(entries) = acl_entries(w, subnet, egress) else {
        return true;
    };
    for e in entries {
        let cidr_ok = matches!(e.cidr, Destination::V4(n) if n.contains(&other_ip));
        let proto_ok = match p {
            _ if e.protocol == "-1" => true,
            Proto::Tcp(port) | Proto::Udp(port) => {
                let want = if matches!(p, Proto::Tcp(_)) {
                    "6"
                } else {
                    "17"
                };
                e.protocol == want
                    && e.port_range
                        .is_none_or(|(f, t)| f <= i32::from(port) && i32::from(port) <= t)
            }
            Proto::All => false,
        };
        if cidr_ok && proto_ok {
            return e.action == AclAction::Allow;
        }
    }
    false
}

fn reply(p: Proto) -> Proto {
    match p {
        Proto::Tcp(_) => Proto::Tcp(vpcpeer_reach::EPHEMERAL_PORT),
        Proto::Udp(_) => Proto::Udp(vpcpeer_reach::EPHEMERAL_PORT),
        Proto::All => Proto::All,
    }
}

fn running(w: &World, eni: &NetworkInterface) -> bool {
    eni.attachment
        .as_ref()
        .and_then(|a| w.aws.instances().get(&a.instance_id))
        .is_none_or(|i| i.state == InstanceState::Running)
}

/// One stretch of the path: from an interface to an interface, or to the internet (`None`).
type Stretch<'w> = (&'w NetworkInterface, Option<&'w NetworkInterface>);

/// The reference answer for instance `src` to instance `dst` (or the outside address `out`
/// when `None`).
///
/// The packet walks from the source: the longest route of the current interface's subnet
/// decides — `local` delivers inside the VPC, an active peering into the peer VPC (the
/// destination inside its blocks), an attached internet or virtual private gateway of the VPC out
/// of every VPC (a route over a peering never leads out: edge to edge),
/// and an active route to an instance or interface enters that appliance (its groups both ways,
/// its source/destination check off, never one already crossed) to be routed on from there.
/// Then every stretch is checked both ways: ACLs where a stretch leaves a subnet, the reply's
/// route back at each stretch's far end.
fn reference(
    w: &World,
    now: Timestamp,
    src: &str,
    dst: Option<&str>,
    out: Ipv4Addr,
    p: Proto,
) -> bool {
    let eni_of = |i: &str| {
        w.aws
            .instances()
            .get(i)
            .and_then(|i| i.eni_ids.first())
            .and_then(|e| w.aws.network_interfaces().get(e))
    };
    let Some(s) = eni_of(src) else {
        return false;
    };
    let sip = s.private_ip;
    let d = match dst {
        Some(dst) => match eni_of(dst) {
            Some(d) => Some(d),
            None => return false,
        },
        None => None,
    };
    let dip = d.map_or(out, |d| d.private_ip);
    if !running(w, s) || !sg_ok(w, now, s, true, p, dip, d) {
        return false;
    }
    let mut stretches: Vec<Stretch<'_>> = Vec::new();
    let mut cur = s;
    let mut crossed = vec![s.id.clone()];
    loop {
        if crossed.len() > 16 {
            return false;
        }
        match best_route(w, &cur.subnet_id, dip) {
            Some(RouteTarget::Local) => {
                let Some(d) = d.filter(|d| d.vpc_id == cur.vpc_id) else {
                    return false;
                };
                stretches.push((cur, Some(d)));
                break;
            }
            Some(RouteTarget::Peering(pcx)) => {
                let Some(d) = d else { return false };
                let ok = d.vpc_id != cur.vpc_id
                    && pcx_active(w, &pcx, now)
                    && joins(w, &pcx, &cur.vpc_id, &d.vpc_id)
                    && in_vpc(w, &d.vpc_id, dip);
                if !ok {
                    return false;
                }
                stretches.push((cur, Some(d)));
                break;
            }
            Some(RouteTarget::Gateway(g)) => {
                let own = Some(cur.vpc_id.as_str());
                let attached = if g.starts_with("vgw-") {
                    w.aws
                        .vpn_gateways()
                        .get(&g)
                        .is_some_and(|g| g.attached_vpc() == own)
                } else {
                    w.aws
                        .internet_gateways()
                        .get(&g)
                        .is_some_and(|g| g.attached_vpc.as_deref() == own)
                };
                if d.is_some() || !attached {
                    return false;
                }
                stretches.push((cur, None));
                break;
            }
            // A gateway endpoint of the VPC the packet is in (its route comes from the service's
            // list): out to the service.
            Some(RouteTarget::VpcEndpoint(v)) => {
                let own = w
                    .aws
                    .vpc_endpoints()
                    .get(&v)
                    .is_some_and(|e| e.vpc_id == cur.vpc_id);
                if d.is_some() || !own {
                    return false;
                }
                stretches.push((cur, None));
                break;
            }
            Some(t @ (RouteTarget::Instance(_) | RouteTarget::NetworkInterface(_))) => {
                let Some((a, true)) = appliance(w, &t) else {
                    return false;
                };
                if crossed.contains(&a.id) {
                    return false;
                }
                if a.private_ip == dip {
                    // Addressed to the appliance: delivered there.
                    if d.is_none_or(|d| d.id != a.id) {
                        return false;
                    }
                    stretches.push((cur, Some(a)));
                    break;
                }
                let ok = !a.source_dest_check
                    && sg_ok(w, now, a, false, p, sip, Some(cur))
                    && sg_ok(w, now, a, true, p, dip, d);
                if !ok {
                    return false;
                }
                stretches.push((cur, Some(a)));
                crossed.push(a.id.clone());
                cur = a;
            }
            _ => return false,
        }
    }
    if let Some(d) = d {
        if !running(w, d) || !sg_ok(w, now, d, false, p, sip, Some(cur)) {
            return false;
        }
    }
    stretches.iter().all(|(from, to)| match to {
        None => {
            acl_ok(w, &from.subnet_id, true, p, dip)
                && acl_ok(w, &from.subnet_id, false, reply(p), dip)
        }
        Some(to) => {
            let acls = from.subnet_id == to.subnet_id
                || (acl_ok(w, &from.subnet_id, true, p, dip)
                    && acl_ok(w, &to.subnet_id, false, p, sip)
                    && acl_ok(w, &to.subnet_id, true, reply(p), sip)
                    && acl_ok(w, &from.subnet_id, false, reply(p), dip));
            acls && leads_back(w, now, to, from, sip)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Random topologies.

struct Vpc {
    id: String,
    scope: Scope,
    /// First two octets.
    net: (u8, u8),
    cidr: String,
    subnets: Vec<String>,
    groups: Vec<String>,
    tables: Vec<String>,
    igw: Option<String>,
    vgw: Option<String>,
}

fn perm(rng: &mut Rng) -> RulePermission {
    let ports = [
        (80, 80),
        (22, 22),
        (53, 53),
        (0, 1023),
        (1024, 65535),
        (0, 65535),
    ];
    let protocol = match rng.below(4) {
        0 => return permission(RuleProtocol::All, None, None),
        1 => RuleProtocol::Udp,
        _ => RuleProtocol::Tcp,
    };
    let (f, t) = *rng.one(&ports);
    permission(protocol, Some(f), Some(t))
}

fn build(seed: u64) -> (TestEnv, Vec<String>) {
    let mut rng = Rng(seed);
    let mut env = TestEnv::with_seed(seed);
    let scopes = [
        Scope::new(A, REGION),
        Scope::new(B, REGION),
        Scope::new(B, "us-west-2"),
    ];
    let cidrs: [((u8, u8), &str); 5] = [
        ((10, 0), "10.0.0.0/16"),
        ((10, 1), "10.1.0.0/16"),
        ((10, 2), "10.2.0.0/16"),
        ((10, 3), "10.3.0.0/16"),
        ((10, 1), "10.1.0.0/20"),
    ];
    let n = 2 + rng.below(3);
    let mut vpcs: Vec<Vpc> = Vec::new();
    for _ in 0..n {
        let scope = if rng.chance(70) {
            scopes[rng.below(2)].clone()
        } else {
            scopes[2].clone()
        };
        let (net, cidr) = *rng.one(&cidrs);
        let id = env.vpc(&scope, cidr);
        let mut subnets = Vec::new();
        for k in 1..=(1 + rng.below(2)) {
            subnets.push(env.subnet(&scope, &id, &format!("{}.{}.{k}.0/24", net.0, net.1)));
        }
        let main = env.main_rtb(&id);
        let mut tables = vec![main];
        if subnets.len() > 1 && rng.chance(50) {
            let t = env
                .run(&scope, |tx| tx.create_route_table(&id, Default::default()))
                .expect("table");
            let sub = subnets[1].clone();
            env.run(&scope, |tx| {
                tx.associate_route_table(&t, vpcpeer_model::aws::route::AssocRequest::Subnet(sub))
            })
            .expect("associate");
            tables.push(t);
        }
        let igw = rng.chance(60).then(|| env.igw(&scope, &id));
        let vgw = rng.chance(50).then(|| {
            let g = env
                .run(&scope, |tx| {
                    tx.create_vpn_gateway(vpcpeer_model::aws::vpn::NewVpnGateway {
                        gateway_type: "ipsec.1".into(),
                        amazon_side_asn: None,
                        availability_zone: None,
                        tags: Default::default(),
                    })
                })
                .expect("vgw")
                .id;
            env.run(&scope, |tx| tx.attach_vpn_gateway(&g, &id))
                .expect("attach");
            g
        });
        let mut groups = vec![env.default_sg(&id)];
        for g in 0..rng.below(3) {
            groups.push(env.sg(&scope, &id, &format!("g{g}")));
        }
        vpcs.push(Vpc {
            id,
            scope,
            net,
            cidr: cidr.into(),
            subnets,
            groups,
            tables,
            igw,
            vgw,
        });
    }
    // Peerings: pending or accepted now; some deleted or rejected after routes exist.
    let mut pcxs: Vec<(String, usize, usize)> = Vec::new();
    for i in 0..vpcs.len() {
        for j in (i + 1)..vpcs.len() {
            if !rng.chance(65) {
                continue;
            }
            let accept = rng.chance(75);
            let (ri, ai) = if rng.chance(50) { (i, j) } else { (j, i) };
            let (req, acc) = (vpcs[ri].scope.clone(), vpcs[ai].scope.clone());
            let (rv, av) = (vpcs[ri].id.clone(), vpcs[ai].id.clone());
            let id = env
                .run(&req, |tx| {
                    tx.create_peering(vpcpeer_model::aws::peering::CreatePeering {
                        vpc_id: rv,
                        peer_vpc_id: av,
                        peer_owner_id: Some(acc.account.clone()),
                        peer_region: Some(acc.region.clone()),
                        tags: Default::default(),
                    })
                })
                .expect("peering")
                .connection
                .id;
            if accept {
                let _ = env.run(&acc, |tx| tx.accept_peering(&id));
            }
            pcxs.push((id, ri, ai));
        }
    }
    // Routes: to peer blocks (whole, one /24, or a covering /8), and the internet.
    for vi in 0..vpcs.len() {
        let scope = vpcs[vi].scope.clone();
        for t in vpcs[vi].tables.clone() {
            for (pcx, a, b) in pcxs.clone() {
                if a != vi && b != vi {
                    continue;
                }
                if !rng.chance(75) {
                    continue;
                }
                let other = if a == vi { b } else { a };
                let o = &vpcs[other];
                let dest = match rng.below(6) {
                    0 => format!("{}.{}.1.0/24", o.net.0, o.net.1),
                    1 => "10.0.0.0/8".to_owned(),
                    // On-premises over the peering: edge to edge if the peer has a VPN.
                    2 => "192.168.0.0/16".to_owned(),
                    _ => o.cidr.clone(),
                };
                let _ = env.try_route(&scope, &t, &dest, RouteTarget::Peering(pcx));
            }
            if let Some(igw) = vpcs[vi].igw.clone() {
                if rng.chance(60) {
                    let _ = env.try_route(&scope, &t, "0.0.0.0/0", RouteTarget::Gateway(igw));
                }
            }
            if let Some(vgw) = vpcs[vi].vgw.clone() {
                if rng.chance(60) {
                    let dest = *rng.one(&["192.168.0.0/16", "192.168.7.0/24"]);
                    let _ = env.try_route(&scope, &t, dest, RouteTarget::Gateway(vgw));
                }
            }
        }
    }
    // Gateway endpoints to S3 on some tables.
    for v in &vpcs {
        for t in &v.tables {
            if rng.chance(30) {
                let _ = env.run(&v.scope, |tx| {
                    tx.create_endpoint(NewEndpoint {
                        vpc_id: v.id.clone(),
                        service_name: format!("com.amazonaws.{}.s3", v.scope.region),
                        route_table_ids: vec![t.clone()],
                        ..NewEndpoint::default()
                    })
                });
            }
        }
    }
    // Prefix lists: one per VPC sometimes, with a peer's block, a /24 of it or 10.0.0.0/8, used
    // by routes to peerings and by ingress rules.
    let mut lists: Vec<(usize, String)> = Vec::new();
    for vi in 0..vpcs.len() {
        if !rng.chance(50) {
            continue;
        }
        let o = rng.one(&vpcs);
        let mut entries = vec![o.cidr.clone()];
        if rng.chance(50) {
            entries.push(format!("{}.{}.1.0/24", o.net.0, o.net.1));
        }
        if rng.chance(30) {
            entries.push("10.0.0.0/8".to_owned());
        }
        let scope = vpcs[vi].scope.clone();
        let made = env.run(&scope, |tx| {
            tx.create_prefix_list(NewPrefixList {
                name: format!("l{vi}"),
                family: "IPv4".into(),
                max_entries: 5,
                entries: entries.iter().map(|e| (e.clone(), None)).collect(),
                tags: Default::default(),
            })
        });
        if let Ok(l) = made {
            lists.push((vi, l.id));
        }
    }
    for (vi, pl) in &lists {
        let scope = vpcs[*vi].scope.clone();
        for t in vpcs[*vi].tables.clone() {
            for (pcx, a, b) in pcxs.clone() {
                if (a != *vi && b != *vi) || !rng.chance(40) {
                    continue;
                }
                let dest = Destination::PrefixList(PrefixListId::parse(pl).expect("id"));
                let _ = env.run(&scope, |tx| {
                    tx.create_route(RouteSpec {
                        route_table_id: t.clone(),
                        destination: dest,
                        target: RouteTarget::Peering(pcx),
                    })
                });
            }
        }
        for g in vpcs[*vi].groups.clone() {
            if rng.chance(30) {
                let p = with_prefix_list(perm(&mut rng), pl);
                let _ = env.run(&scope, |tx| {
                    tx.authorize_rules(SgDir::Ingress, &GroupSelector::Id(g.clone()), &[p])
                });
            }
        }
    }
    // Security groups: egress sometimes revoked; ingress rules by CIDR or group.
    let all_groups: Vec<(String, String)> = vpcs
        .iter()
        .flat_map(|v| {
            v.groups
                .iter()
                .map(|g| (g.clone(), v.scope.account.clone()))
        })
        .collect();
    for v in &vpcs {
        for g in &v.groups {
            if rng.chance(20) {
                let _ = env.run(&v.scope, |tx| {
                    tx.revoke_matching(
                        SgDir::Egress,
                        &GroupSelector::Id(g.clone()),
                        &[with_cidr(
                            permission(RuleProtocol::All, None, None),
                            "0.0.0.0/0",
                        )],
                    )
                });
                if rng.chance(50) {
                    let p = with_cidr(tcp(Some(80)), "10.0.0.0/8");
                    let _ = env.run(&v.scope, |tx| {
                        tx.authorize_rules(SgDir::Egress, &GroupSelector::Id(g.clone()), &[p])
                    });
                }
            }
            for _ in 0..(1 + rng.below(3)) {
                let p = perm(&mut rng);
                let p = if rng.chance(55) {
                    let c = match rng.below(4) {
                        0 => "0.0.0.0/0".to_owned(),
                        1 => "10.0.0.0/8".to_owned(),
                        _ => rng.one(&vpcs).cidr.clone(),
                    };
                    with_cidr(p, &c)
                } else {
                    let (gid, owner) = rng.one(&all_groups).clone();
                    from_group(p, &gid, &owner)
                };
                let _ = env.run(&v.scope, |tx| {
                    tx.authorize_rules(SgDir::Ingress, &GroupSelector::Id(g.clone()), &[p])
                });
            }
        }
    }
    // Network ACLs: a custom ACL on the last subnet sometimes, random entries on both.
    for v in &vpcs {
        let default_acl = env.default_acl(&v.id);
        let mut acls = vec![default_acl.clone()];
        if rng.chance(40) {
            let acl = env
                .run(&v.scope, |tx| {
                    tx.create_network_acl(&v.id, Default::default())
                })
                .expect("acl");
            let sub = v.subnets.last().expect("subnet").clone();
            let assoc = env.world.aws.network_acls()[&default_acl]
                .associations
                .iter()
                .find(|a| a.subnet_id == sub)
                .map(|a| a.id.clone());
            if let Some(assoc) = assoc {
                let _ = env.run(&v.scope, |tx| {
                    tx.replace_network_acl_association(&assoc, &acl)
                });
            }
            if rng.chance(70) {
                for egress in [true, false] {
                    let _ = env.run(&v.scope, |tx| {
                        tx.create_network_acl_entry(&acl_rule(
                            &acl,
                            100,
                            egress,
                            "-1",
                            "allow",
                            "0.0.0.0/0",
                            None,
                        ))
                    });
                }
            }
            acls.push(acl);
        }
        for acl in &acls {
            for _ in 0..rng.below(3) {
                let number = 1 + rng.below(150) as i64;
                let egress = rng.chance(50);
                let (proto, ports) = *rng.one(&[
                    ("-1", None),
                    ("tcp", Some((80, 80))),
                    ("tcp", Some((1024, 65535))),
                    ("tcp", Some((32768, 60999))),
                    ("udp", Some((0, 65535))),
                    ("tcp", Some((0, 1023))),
                ]);
                let action = if rng.chance(60) { "deny" } else { "allow" };
                let cidr = match rng.below(3) {
                    0 => "0.0.0.0/0".to_owned(),
                    _ => rng.one(&vpcs).cidr.clone(),
                };
                let _ = env.run(&v.scope, |tx| {
                    tx.create_network_acl_entry(&acl_rule(
                        acl, number, egress, proto, action, &cidr, ports,
                    ))
                });
            }
        }
    }
    // Instances: one per subnet, with one or two of the VPC's groups.
    let mut instances = Vec::new();
    for v in &vpcs {
        for s in &v.subnets {
            let mut gs = vec![rng.one(&v.groups).clone()];
            if rng.chance(30) {
                let g = rng.one(&v.groups).clone();
                if !gs.contains(&g) {
                    gs.push(g);
                }
            }
            let refs: Vec<&str> = gs.iter().map(String::as_str).collect();
            instances.push(env.instance(&v.scope, s, &refs));
        }
    }
    // Appliances: in some VPCs an instance becomes a router (its check off, mostly), and some
    // tables route the internet, a peer's block, a covering /8 or one of the VPC's own subnets
    // to it (by instance or by interface); some instances are stopped afterwards.
    for v in &vpcs {
        if !rng.chance(60) {
            continue;
        }
        let here: Vec<String> = instances
            .iter()
            .filter(|i| env.world.aws.instances()[*i].vpc_id == v.id)
            .cloned()
            .collect();
        let Some(router) = rng.pick(&here) else {
            continue;
        };
        let eni = env.world.aws.instances()[&router].eni_ids[0].clone();
        if rng.chance(75) {
            env.run(&v.scope, |tx| {
                tx.modify_interface(&eni, InterfaceChange::SourceDestCheck(false))
            })
            .expect("source/dest check");
        }
        for t in &v.tables {
            for _ in 0..rng.below(3) {
                let dest = match rng.below(4) {
                    0 => "0.0.0.0/0".to_owned(),
                    1 => "10.0.0.0/8".to_owned(),
                    2 => rng.one(&vpcs).cidr.clone(),
                    _ => format!("{}.{}.{}.0/24", v.net.0, v.net.1, 1 + rng.below(2)),
                };
                let target = if rng.chance(50) {
                    RouteTarget::Instance(router.clone())
                } else {
                    RouteTarget::NetworkInterface(eni.clone())
                };
                let _ = env.try_route(&v.scope, t, &dest, target);
            }
        }
    }
    for i in &instances {
        if rng.chance(8) {
            let scope = env.world.aws.instances()[i].scope.clone();
            env.run(&scope, |tx| tx.stop_instances(std::slice::from_ref(i)))
                .expect("stop");
        }
    }
    // Late changes: peerings deleted or rejected (routes become blackholes, group references
    // stale), internet gateways detached.
    for (pcx, ri, ai) in &pcxs {
        let state = env.world.aws.peerings()[pcx].state;
        let r = rng.below(100);
        if r < 20 {
            let _ = env.run(&vpcs[*ri].scope, |tx| tx.delete_peering(pcx));
        } else if r < 30 && state.is_pending() {
            let _ = env.run(&vpcs[*ai].scope, |tx| tx.reject_peering(pcx));
        }
    }
    for v in &vpcs {
        if let Some(igw) = &v.igw {
            if rng.chance(15) {
                let _ = env.run(&v.scope, |tx| tx.detach_internet_gateway(igw, &v.id));
            }
        }
        if let Some(vgw) = &v.vgw {
            if rng.chance(15) {
                let _ = env.run(&v.scope, |tx| tx.detach_vpn_gateway(vgw, &v.id));
            }
        }
    }
    (env, instances)
}

fn protos() -> [(Proto, Protocol, Option<u16>); 4] {
    [
        (Proto::Tcp(80), Protocol::Tcp, Some(80)),
        (Proto::Tcp(22), Protocol::Tcp, Some(22)),
        (Proto::Udp(53), Protocol::Udp, Some(53)),
        (Proto::All, Protocol::All, None),
    ]
}

/// What one topology's queries showed.
#[derive(Default)]
struct Tally {
    total: usize,
    reachable: usize,
    /// Queries whose forward path crosses an appliance, and the reachable ones among them.
    via_appliance: usize,
    via_appliance_reachable: usize,
}

/// Runs every query of one topology.
fn check(seed: u64) -> Result<Tally, TestCaseError> {
    let (env, instances) = build(seed);
    let snap = Snapshot::compile(&env.world, env.now);
    let mut tally = Tally::default();
    let mut dsts: Vec<(Option<&String>, Ipv4Addr)> =
        instances.iter().map(|i| (Some(i), INTERNET)).collect();
    dsts.push((None, INTERNET));
    dsts.push((None, ONPREM));
    dsts.push((None, SERVICE));
    for src in &instances {
        for dst in &dsts {
            let (dst, out) = dst;
            if *dst == Some(src) {
                continue;
            }
            for (p, protocol, port) in protos() {
                let q = Query {
                    src: Endpoint::Instance(src.clone()),
                    dst: match dst {
                        Some(d) => Endpoint::Instance((*d).clone()),
                        None => Endpoint::Ip(IpAddr::V4(*out)),
                    },
                    protocol,
                    port,
                };
                let want = reference(&env.world, env.now, src, dst.map(String::as_str), *out, p);
                let got = explain(&snap, &q).map_err(|e| TestCaseError::fail(format!("{e}")))?;
                prop_assert_eq!(
                    got.reachable,
                    want,
                    "seed {} query {:?}\nblockers {:#?}",
                    seed,
                    q,
                    got.blockers
                );
                prop_assert_eq!(got.reachable, got.blockers.is_empty());
                tally.total += 1;
                tally.reachable += usize::from(want);
                let crosses = got.forward.iter().any(|h| {
                    matches!(
                        &h.rule,
                        Some(vpcpeer_reach::RuleRef::Route {
                            target: RouteTarget::Instance(_) | RouteTarget::NetworkInterface(_),
                            ..
                        })
                    )
                });
                if crosses {
                    tally.via_appliance += 1;
                    tally.via_appliance_reachable += usize::from(want);
                }
            }
        }
    }
    Ok(tally)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_reference(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator is not degenerate: over a fixed set of seeds, a fair share of queries is
/// reachable and a fair share is not.
#[test]
fn random_topologies_mix_verdicts() {
    let (mut total, mut yes, mut via, mut via_yes) = (0, 0, 0, 0);
    for seed in 0..100 {
        let t = check(seed).expect("agrees");
        total += t.total;
        yes += t.reachable;
        via += t.via_appliance;
        via_yes += t.via_appliance_reachable;
    }
    println!("{yes} of {total} reachable; {via_yes} of {via} through an appliance");
    assert!(
        via * 50 > total,
        "only {via} of {total} queries cross an appliance"
    );
    assert!(
        via_yes > 0 && via_yes < via,
        "{via_yes} of {via} through an appliance reachable"
    );
    assert!(total > 500, "only {total} queries");
    assert!(yes * 20 > total, "only {yes} of {total} reachable");
    assert!(yes * 10 < total * 9, "{yes} of {total} reachable");
}

/// The generator exercises the endpoints area: over a fixed set of seeds it makes routes to
/// prefix lists, rules to prefix lists and gateway endpoints, and the S3 address is reached by
/// some queries and not by others.
#[test]
fn random_topologies_use_prefix_lists_and_endpoints() {
    let (mut routes, mut rules, mut endpoints, mut service_yes, mut service_no) = (0, 0, 0, 0, 0);
    for seed in 0..100 {
        let (env, instances) = build(seed);
        let w = &env.world;
        routes += w
            .aws
            .route_tables()
            .values()
            .flat_map(|t| &t.routes)
            .filter(|r| {
                matches!(r.destination, Destination::PrefixList(_))
                    && matches!(r.target, RouteTarget::Peering(_))
            })
            .count();
        rules += w
            .aws
            .security_groups()
            .values()
            .flat_map(|g| &g.ingress)
            .filter(|r| matches!(r.peer, RulePeer::PrefixList(_)))
            .count();
        endpoints += w.aws.vpc_endpoints().len();
        for i in &instances {
            if reference(w, env.now, i, None, SERVICE, Proto::Tcp(80)) {
                service_yes += 1;
            } else {
                service_no += 1;
            }
        }
    }
    assert!(
        routes > 10 && rules > 10 && endpoints > 10,
        "{routes} {rules} {endpoints}"
    );
    assert!(
        service_yes > 5 && service_no > 5,
        "{service_yes} {service_no}"
    );
}

/// Any query over any random topology answers or errors; it never panics, and a verdict is
/// reachable exactly when it lists no blocker.
fn no_panic(seed: u64) -> Result<(), TestCaseError> {
    let (env, instances) = build(seed);
    let snap = Snapshot::compile(&env.world, env.now);
    let mut rng = Rng(seed ^ 0x5eed);
    let enis: Vec<String> = env.world.aws.network_interfaces().keys().cloned().collect();
    let ips: Vec<IpAddr> = env
        .world
        .aws
        .network_interfaces()
        .values()
        .map(|e| IpAddr::V4(e.private_ip))
        .collect();
    let endpoint = |rng: &mut Rng| match rng.below(6) {
        0 => Endpoint::Instance(rng.one(&instances).clone()),
        1 => Endpoint::Eni(rng.one(&enis).clone()),
        2 => Endpoint::Ip(*rng.one(&ips)),
        3 => Endpoint::Ip(IpAddr::V4(Ipv4Addr::new(
            10,
            rng.below(4) as u8,
            1,
            rng.below(8) as u8,
        ))),
        4 => Endpoint::Ip("2600:1f18::7".parse().expect("v6")),
        _ => Endpoint::Instance("i-0123456789abcdef0".into()),
    };
    for _ in 0..60 {
        let q = Query {
            src: endpoint(&mut rng),
            dst: endpoint(&mut rng),
            protocol: *rng.one(&[Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::All]),
            port: rng
                .chance(85)
                .then(|| *rng.one(&[22u16, 80, 443, 0, 65535])),
        };
        if let Ok(v) = explain(&snap, &q) {
            prop_assert_eq!(v.reachable, v.blockers.is_empty(), "{:?}", q);
            prop_assert!(!v.forward.is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_query_answers_without_panicking(seed in any::<u64>()) {
        no_panic(seed)?;
    }
}
