//! Answers one query over a [`Snapshot`]: the forward path, the return path, and for an
//! unreachable query the *blocked path* with every blocker on it.
//!
//! Forward walk: source interface → its security groups (egress) → its subnet's ACL (outbound,
//! skipped when the next hop is in the same subnet) → its subnet's route table (longest prefix
//! match on the destination; a `local` route wins over any peering route) → by target:
//! - `local`: delivery inside the VPC;
//! - a peering: it must be active (else `BAD_STATE_ROUTE`); the destination must lie in the peer
//!   VPC's blocks (else `PCX_REQUIRES_ADDRESS_IN_VPC_CIDR`, and if the peer's main route table
//!   would send it on to its internet or NAT gateway, the edge-to-edge code naming that gateway);
//!   then delivery inside the peer VPC — never onward routing;
//! - an internet gateway: reaches the internet when the destination lies outside every VPC
//!   (public addresses are not emulated: an interface routed to an attached gateway is assumed
//!   to have one);
//! - a NAT gateway of the VPC: the packet enters the gateway's subnet, its source becomes the
//!   gateway's address, and the gateway's subnet route table routes it on (once);
//! - an instance or a network interface (an appliance: a NAT instance, a firewall): the
//!   packet enters the appliance's interface (see [`appliance`](self::appliance) for what is
//!   checked there) and, when the interface forwards it, the appliance's subnet route table
//!   routes it on, unchanged (the engine models a router, not a NAT: no address is rewritten);
//!   a route back to an appliance already crossed is `ROUTING_LOOP`;
//!   when the appliance is a `vpcpeer-gateway` instance whose configuration has a tunnel for
//!   the destination, the packet goes into the tunnel and is routed on from the far gateway
//!   (see [`tunnel`](self::tunnel) and [`crate::tunnel`]; `DISCONNECTED_VPCS` does not apply to
//!   a path through a tunnel);
//! - anything else (transit gateways, endpoints): `UNSUPPORTED_COMPONENT`.
//!
//! Delivery: destination subnet ACL (inbound, unless the packet comes from the same subnet) →
//! destination interface security groups (ingress). Security groups are stateful; ACLs are
//! not, so the return path replays every segment backwards with the reply header (source port =
//! the query port, destination port = [`EPHEMERAL_PORT`](crate::EPHEMERAL_PORT)): ACL outbound
//! where the reply leaves a subnet, the responder's route table (it must route the reply back: local inside a VPC, an
//! active peering to the requester's VPC across one; else a return-leg
//! `NO_ROUTE_TO_DESTINATION`/`BAD_STATE_ROUTE`), ACL inbound where it enters one. The return path
//! is checked for every protocol (TCP, UDP, ICMP echo reply, all traffic).
//!
//! Blockers do not stop the walk: after one, it goes on as if the blocked hop had passed, when
//! it can tell where the packet would go next (a known destination interface), so the verdict
//! lists every blocker on the most plausible path. `DISCONNECTED_VPCS` is added when the two
//! VPCs differ and no peering joining them is active or can still become active (pending,
//! provisioning).

use std::net::IpAddr;

use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::{Destination, InstanceState, RouteTarget};

use crate::model::{
    instance_state_name, Code, ComponentKind as K, ComponentRef, Direction, Endpoint, Explanation,
    Header, Hop, Leg, Protocol, Query, QueryError, RuleRef, Verdict,
};
use crate::snapshot::filters::table_component;
use crate::snapshot::{EniView, GroupView, NatView, RouteEntry, Snapshot, TableView};

mod appliance;
mod back;
mod filters;
mod internet;
mod targets;
mod tunnel;

/// The most route tables one walk consults (source, then each appliance or NAT gateway): a
/// bound on top of the loop check, so that no world makes a walk run long.
const MAX_HOPS: usize = 16;

/// Answers `q` over `snapshot`.
pub fn explain(snapshot: &Snapshot, q: &Query) -> Result<Verdict, QueryError> {
    if matches!(q.protocol, Protocol::Tcp | Protocol::Udp) && q.port.is_none() {
        return Err(QueryError::PortRequired(q.protocol));
    }
    if let Some(ip) = internet::internet_source(snapshot, &q.src) {
        return internet::from_internet(snapshot, q, ip);
    }
    let (src, src_ip_given) = resolve_src(snapshot, &q.src)?;
    let dst = resolve_dst(snapshot, &q.dst, src)?;
    let dst_ip = match &dst {
        Dst::Eni { eni, ip, .. } => {
            if eni.id == src.id {
                return Err(QueryError::SameInterface(src.id.clone()));
            }
            *ip
        }
        Dst::Unassigned { ip, .. } | Dst::Internet(ip) => *ip,
    };
    let src_ip = match src_ip_given {
        Some(ip) if ip.is_ipv4() == dst_ip.is_ipv4() => ip,
        _ => src
            .address_like(dst_ip)
            .ok_or_else(|| QueryError::NoAddressInFamily(src.id.clone()))?,
    };
    let header = Header::for_query(q, src_ip, dst_ip);
    let mut w = Walk::new(snapshot);
    w.disconnected(src, &dst);
    let segs = w.forward(src, header, &dst);
    let tunnelled = segs.iter().any(|s| matches!(s.via, Via::Tunnel(_)))
        || w.blockers.iter().any(|b| b.code.is_tunnel());
    if tunnelled {
        // The VPCs are joined by a tunnel, not a peering.
        w.blockers.retain(|b| b.code != Code::DisconnectedVpcs);
    }
    Ok(w.finish(&segs))
}

/// The destination as resolved before the walk.
enum Dst<'s> {
    /// An interface; `by_ip` when the query named an address (re-resolved where the packet lands).
    Eni {
        eni: &'s EniView,
        ip: IpAddr,
        by_ip: bool,
    },
    /// An address inside a VPC's blocks that no interface holds.
    Unassigned { ip: IpAddr, vpc: String },
    /// An address outside every VPC.
    Internet(IpAddr),
}

impl Dst<'_> {
    fn vpc(&self) -> Option<&str> {
        match self {
            Dst::Eni { eni, .. } => Some(&eni.vpc_id),
            Dst::Unassigned { vpc, .. } => Some(vpc),
            Dst::Internet(_) => None,
        }
    }

    fn eni(&self) -> Option<&EniView> {
        match self {
            Dst::Eni { eni, .. } => Some(eni),
            _ => None,
        }
    }
}

/// Whether a peering in state `state` keeps its VPCs "connected": active or pending (anything
/// else is `DISCONNECTED_VPCS`).
pub(crate) fn is_live(state: PeeringState) -> bool {
    matches!(
        state,
        PeeringState::Active
            | PeeringState::PendingAcceptance
            | PeeringState::InitiatingRequest
            | PeeringState::Provisioning
    )
}

/// The primary interface of instance `id`.
pub(crate) fn instance_eni<'s>(s: &'s Snapshot, id: &str) -> Result<&'s EniView, QueryError> {
    let i = s
        .instances
        .get(id)
        .ok_or_else(|| QueryError::UnknownInstance(id.to_owned()))?;
    i.primary_eni
        .as_ref()
        .and_then(|e| s.enis.get(e))
        .ok_or_else(|| QueryError::InstanceWithoutInterface(id.to_owned()))
}

/// The interface named `id`.
fn eni_by_id<'s>(s: &'s Snapshot, id: &str) -> Result<&'s EniView, QueryError> {
    s.enis
        .get(id)
        .ok_or_else(|| QueryError::UnknownInterface(id.to_owned()))
}

fn resolve_src<'s>(
    s: &'s Snapshot,
    ep: &Endpoint,
) -> Result<(&'s EniView, Option<IpAddr>), QueryError> {
    match ep {
        Endpoint::Instance(id) => Ok((instance_eni(s, id)?, None)),
        Endpoint::Eni(id) => Ok((eni_by_id(s, id)?, None)),
        Endpoint::Ip(ip) => {
            let ids = s.enis_by_ip.get(ip).map(Vec::as_slice).unwrap_or_default();
            match ids {
                [] => Err(QueryError::UnknownSourceAddress(*ip)),
                [one] => s
                    .enis
                    .get(one)
                    .map(|e| (e, Some(*ip)))
                    .ok_or(QueryError::UnknownSourceAddress(*ip)),
                _ => Err(QueryError::AmbiguousSourceAddress(*ip)),
            }
        }
        Endpoint::IpIn(ip, _) => resolve_src(s, &Endpoint::Ip(*ip)),
        Endpoint::GcpInstance(id) | Endpoint::Azure(id) => {
            Err(QueryError::UnknownEndpoint(id.clone()))
        }
    }
}

fn resolve_dst<'s>(s: &'s Snapshot, ep: &Endpoint, src: &EniView) -> Result<Dst<'s>, QueryError> {
    let eni = match ep {
        Endpoint::Instance(id) => instance_eni(s, id)?,
        Endpoint::Eni(id) => eni_by_id(s, id)?,
        Endpoint::GcpInstance(id) | Endpoint::Azure(id) => {
            return Err(QueryError::UnknownEndpoint(id.clone()))
        }
        Endpoint::Ip(ip) | Endpoint::IpIn(ip, _) => {
            let ip = *ip;
            let candidates: Vec<&EniView> = s
                .enis_by_ip
                .get(&ip)
                .into_iter()
                .flatten()
                .filter_map(|id| s.enis.get(id))
                .collect();
            let pick = candidates
                .iter()
                .find(|e| e.vpc_id == src.vpc_id)
                .or_else(|| {
                    candidates
                        .iter()
                        .find(|e| s.active_peering_between(&src.vpc_id, &e.vpc_id).is_some())
                })
                .or_else(|| candidates.first());
            if let Some(eni) = pick {
                return Ok(Dst::Eni {
                    eni,
                    ip,
                    by_ip: true,
                });
            }
            let vpc = s
                .vpcs_containing(ip)
                .find(|v| v.id == src.vpc_id)
                .or_else(|| s.vpcs_containing(ip).next());
            return Ok(match vpc {
                Some(v) => Dst::Unassigned {
                    ip,
                    vpc: v.id.clone(),
                },
                None => Dst::Internet(ip),
            });
        }
    };
    let ip = eni
        .ips
        .first()
        .copied()
        .ok_or_else(|| QueryError::UnknownInterface(eni.id.clone()))?;
    Ok(Dst::Eni {
        eni,
        ip,
        by_ip: false,
    })
}

/// A place a segment starts or ends.
#[derive(Debug, Clone)]
struct Node {
    vpc: String,
    /// `None` for the internet.
    subnet: Option<String>,
    kind: NodeKind,
}

#[derive(Debug, Clone)]
enum NodeKind {
    Eni(String),
    Nat(String),
    Internet,
}

/// How a segment crosses from one node to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Via {
    Local,
    Peering,
    Igw(String),
    /// An egress-only internet gateway (IPv6, outbound).
    Eigw(String),
    /// Out through a virtual private gateway, toward on-premises.
    Vgw(String),
    /// A gateway VPC endpoint, to its service's addresses.
    Endpoint(String),
    /// An encrypted tunnel between two gateway instances (`tunnel.rs`).
    Tunnel(Box<tunnel::TunnelLeg>),
}

/// One stretch of the forward path, replayed backwards for the reply.
#[derive(Debug, Clone)]
struct Seg {
    from: Node,
    to: Node,
    via: Via,
    /// Forward header on this stretch.
    hdr: Header,
}

/// What a route table does with a destination.
enum Decision<'s> {
    None,
    Route(&'s RouteEntry),
    /// A peering route lost to the VPC's own (local) block.
    LocalOverride(Destination),
}

struct Walk<'s> {
    s: &'s Snapshot,
    leg: Leg,
    forward: Vec<Hop>,
    ret: Vec<Hop>,
    blockers: Vec<Explanation>,
}

impl Node {
    /// The internet: outside every VPC.
    fn internet() -> Node {
        Node {
            vpc: String::new(),
            subnet: None,
            kind: NodeKind::Internet,
        }
    }
}

fn node_of_eni(e: &EniView) -> Node {
    Node {
        vpc: e.vpc_id.clone(),
        subnet: Some(e.subnet_id.clone()),
        kind: NodeKind::Eni(e.id.clone()),
    }
}

fn node_of_nat(n: &NatView) -> Node {
    Node {
        vpc: n.vpc_id.clone(),
        subnet: Some(n.subnet_id.clone()),
        kind: NodeKind::Nat(n.id.clone()),
    }
}

fn route_rule(e: &RouteEntry) -> RuleRef {
    RuleRef::Route {
        destination: e.destination,
        target: e.target.clone(),
    }
}

fn state_name(s: PeeringState) -> &'static str {
    crate::model::peering_state_name(s)
}

impl<'s> Walk<'s> {
    /// A walk over `s` that starts on the forward leg.
    fn new(s: &'s Snapshot) -> Walk<'s> {
        Walk {
            s,
            leg: Leg::Forward,
            forward: Vec::new(),
            ret: Vec::new(),
            blockers: Vec::new(),
        }
    }

    /// The verdict once the forward walk produced `segs`: the return leg walks them back.
    fn finish(mut self, segs: &[Seg]) -> Verdict {
        self.leg = Leg::Return;
        self.back(segs);
        Verdict {
            reachable: self.blockers.is_empty(),
            forward: self.forward,
            ret: self.ret,
            blockers: self.blockers,
        }
    }

    fn hop(&mut self, component: ComponentRef, rule: Option<RuleRef>, inb: Header, out: Header) {
        let h = Hop {
            component,
            rule,
            inbound: inb,
            outbound: out,
        };
        match self.leg {
            Leg::Forward => self.forward.push(h),
            Leg::Return => self.ret.push(h),
        }
    }

    fn block(&mut self, code: Code, component: ComponentRef, detail: String) {
        self.blockers.push(Explanation {
            code,
            component,
            leg: self.leg,
            detail,
            fact: None,
        });
    }

    /// `DISCONNECTED_VPCS` when the VPCs differ and no live peering joins them.
    fn disconnected(&mut self, src: &EniView, dst: &Dst<'_>) {
        let Some(dv) = dst.vpc() else {
            return;
        };
        if dv == src.vpc_id {
            return;
        }
        let live = self
            .s
            .peerings_between(&src.vpc_id, dv)
            .iter()
            .any(|p| is_live(p.state));
        if !live {
            self.block(
                Code::DisconnectedVpcs,
                ComponentRef::new(K::Vpc, dv),
                format!(
                    "{} and {dv} are not joined by a peering connection that is active or pending",
                    src.vpc_id
                ),
            );
        }
    }

    /// Stated once per endpoint: an instance that is not running neither sends nor receives.
    fn instance_state(&mut self, eni: &EniView) {
        let Some(i) = eni.instance.as_ref().and_then(|i| self.s.instances.get(i)) else {
            return;
        };
        if i.state != InstanceState::Running {
            self.block(
                Code::BadState,
                ComponentRef::new(K::Instance, &i.id),
                format!("instance {} is {:?}, not running", i.id, i.state),
            );
        }
    }

    fn endpoint_hops(&mut self, eni: &EniView, h: Header, instance_first: bool) {
        let inst = eni.instance.clone();
        if instance_first {
            if let Some(i) = &inst {
                self.hop(ComponentRef::new(K::Instance, i), None, h, h);
            }
        }
        self.hop(ComponentRef::new(K::NetworkInterface, &eni.id), None, h, h);
        if !instance_first {
            if let Some(i) = &inst {
                self.hop(ComponentRef::new(K::Instance, i), None, h, h);
            }
        }
    }

    /// The route table's decision for `dst`; a peering route never beats the VPC's own blocks.
    fn decide(&self, table: Option<&'s TableView>, dst: IpAddr) -> Decision<'s> {
        let Some(t) = table else {
            return Decision::None;
        };
        let Some((_, e)) = t.lpm.lookup(dst) else {
            return Decision::None;
        };
        if matches!(e.target, RouteTarget::Peering(_)) {
            if let Some(v) = self.s.vpcs.get(&t.vpc_id) {
                let own = match dst {
                    IpAddr::V4(a) => v
                        .ipv4
                        .iter()
                        .find(|n| n.contains(&a))
                        .map(|n| Destination::V4(*n)),
                    IpAddr::V6(a) => v
                        .ipv6
                        .iter()
                        .find(|n| n.contains(&a))
                        .map(|n| Destination::V6(*n)),
                };
                if let Some(d) = own {
                    return Decision::LocalOverride(d);
                }
            }
        }
        Decision::Route(e)
    }

    /// The interface where a packet for `dst` lands inside `vpc`: for a destination given by
    /// address, whichever interface of `vpc` holds it.
    fn land(&mut self, vpc: &str, dst: &Dst<'s>, h: Header) -> Option<&'s EniView> {
        match dst {
            Dst::Eni { eni, by_ip, ip } => {
                if eni.vpc_id == vpc {
                    return Some(eni);
                }
                if *by_ip {
                    if let Some(e) = self.s.eni_in_vpc(vpc, *ip) {
                        return Some(e);
                    }
                }
                self.block(
                    Code::NoRouteToDestination,
                    ComponentRef::new(K::Vpc, vpc),
                    format!(
                        "{h} is delivered inside {vpc}, but {} is in {}",
                        eni.id, eni.vpc_id
                    ),
                );
                Some(eni)
            }
            Dst::Unassigned { ip, .. } | Dst::Internet(ip) => {
                if let Some(e) = self.s.eni_in_vpc(vpc, *ip) {
                    return Some(e);
                }
                self.block(
                    Code::UnknownDestination,
                    ComponentRef::new(K::Vpc, vpc),
                    format!("no network interface of {vpc} holds {ip}"),
                );
                None
            }
        }
    }

    /// The interface a packet from `node` leaves by (a NAT gateway's own), if it has one.
    fn eni_of_node(&self, node: &Node) -> Option<&'s EniView> {
        match &node.kind {
            NodeKind::Eni(id) => self.s.enis.get(id),
            NodeKind::Nat(id) => self.s.nats.get(id).and_then(|n| self.s.enis.get(&n.eni_id)),
            NodeKind::Internet => None,
        }
    }

    /// Delivery to `eni` of `h` coming from node `from`.
    fn deliver(&mut self, from: &Node, eni: &EniView, h: Header, via: Via, segs: &mut Vec<Seg>) {
        let crossing = via != Via::Local || from.subnet.as_deref() != Some(eni.subnet_id.as_str());
        if crossing {
            self.acl(&eni.subnet_id, Direction::Ingress, h);
        }
        let peer = self.eni_of_node(from);
        self.sg(eni, Direction::Ingress, h, peer);
        self.endpoint_hops(eni, h, false);
        self.instance_state(eni);
        segs.push(Seg {
            from: from.clone(),
            to: node_of_eni(eni),
            via,
            hdr: h,
        });
    }

    /// After a blocker that leaves the next hop unknown: deliver to the destination interface
    /// as if the path had gone on, when the destination is one.
    fn as_if(&mut self, from: &Node, dst: &Dst<'s>, h: Header, segs: &mut Vec<Seg>) {
        if let Some(eni) = dst.eni() {
            let via = if eni.vpc_id == from.vpc {
                Via::Local
            } else {
                Via::Peering
            };
            self.deliver(from, eni, h, via, segs);
        }
    }

    fn forward(&mut self, src: &'s EniView, h0: Header, dst: &Dst<'s>) -> Vec<Seg> {
        let mut segs = Vec::new();
        self.endpoint_hops(src, h0, true);
        self.instance_state(src);
        self.sg(src, Direction::Egress, h0, dst.eni());
        let mut cur = node_of_eni(src);
        let mut h = h0;
        // The appliances crossed so far (a route back to one is a loop), and whether a NAT
        // gateway was (it rewrites the source once).
        let mut crossed: Vec<String> = vec![src.id.clone()];
        let mut nat_used = false;
        for _ in 0..MAX_HOPS {
            let Some(subnet) = cur.subnet.clone() else {
                break;
            };
            let table = self.s.table_of_subnet(&subnet);
            let table_ref = table_component(table, &subnet);
            match self.decide(table, h.dst_ip) {
                Decision::None => {
                    self.acl(&subnet, Direction::Egress, h);
                    self.hop(table_ref.clone(), None, h, h);
                    self.block(
                        Code::NoRouteToDestination,
                        table_ref.clone(),
                        format!("{} has no route for {}", table_ref.id, h.dst_ip),
                    );
                    self.as_if(&cur, dst, h, &mut segs);
                    return segs;
                }
                Decision::LocalOverride(d) => {
                    let rule = RuleRef::Route {
                        destination: d,
                        target: RouteTarget::Local,
                    };
                    self.local(&cur, &subnet, table_ref, rule, dst, h, &mut segs);
                    return segs;
                }
                Decision::Route(e) => {
                    let rule = route_rule(e);
                    if let Some(x) = self.exit_of(&cur, e) {
                        self.acl(&subnet, Direction::Egress, h);
                        self.hop(table_ref.clone(), Some(rule), h, h);
                        self.exit(&cur, &table_ref, e, x, dst, h, &mut segs);
                        return segs;
                    }
                    match &e.target {
                        RouteTarget::Local => {
                            self.local(&cur, &subnet, table_ref, rule, dst, h, &mut segs);
                            return segs;
                        }
                        RouteTarget::Peering(pcx) => {
                            self.acl(&subnet, Direction::Egress, h);
                            self.hop(table_ref.clone(), Some(rule), h, h);
                            self.peering(&cur, &table_ref, e, pcx, dst, h, &mut segs);
                            return segs;
                        }
                        RouteTarget::Instance(_) | RouteTarget::NetworkInterface(_) => {
                            match self.appliance(
                                &cur,
                                &subnet,
                                &table_ref,
                                e,
                                dst,
                                h,
                                &mut crossed,
                                &mut segs,
                            ) {
                                Some(next) => {
                                    cur = next;
                                    continue;
                                }
                                None => return segs,
                            }
                        }
                        RouteTarget::NatGateway(nat) if !nat_used => {
                            nat_used = true;
                            let Some(n) = self.s.nats.get(nat) else {
                                self.acl(&subnet, Direction::Egress, h);
                                self.hop(table_ref.clone(), Some(rule), h, h);
                                self.blackhole(&table_ref, e, h);
                                self.as_if(&cur, dst, h, &mut segs);
                                return segs;
                            };
                            let crossing = n.subnet_id != subnet;
                            if crossing {
                                self.acl(&subnet, Direction::Egress, h);
                            }
                            self.hop(table_ref.clone(), Some(rule), h, h);
                            if !e.active {
                                self.blackhole(&table_ref, e, h);
                            }
                            if crossing {
                                self.acl(&n.subnet_id, Direction::Ingress, h);
                            }
                            let out = Header {
                                src_ip: n.private_ip,
                                ..h
                            };
                            self.hop(ComponentRef::new(K::NatGateway, &n.id), None, h, out);
                            let nat_node = node_of_nat(n);
                            segs.push(Seg {
                                from: cur.clone(),
                                to: nat_node.clone(),
                                via: Via::Local,
                                hdr: h,
                            });
                            cur = nat_node;
                            h = out;
                            continue;
                        }
                        other => {
                            self.acl(&subnet, Direction::Egress, h);
                            self.hop(table_ref.clone(), Some(rule), h, h);
                            self.block(
                                Code::UnsupportedComponent,
                                table_ref.clone(),
                                format!(
                                    "{} sends {} to {}, which this engine does not model as a hop",
                                    table_ref.id,
                                    h.dst_ip,
                                    other.id()
                                ),
                            );
                            self.as_if(&cur, dst, h, &mut segs);
                            return segs;
                        }
                    }
                }
            }
        }
        self.block(
            Code::RoutingLoop,
            ComponentRef::new(K::Vpc, &cur.vpc),
            format!("{h} crossed {MAX_HOPS} route tables without arriving"),
        );
        segs
    }
}
