//! Reachability inside Google Cloud: VPC routes, VPC Network Peering and VPC firewall rules,
//! answered in GCP Connectivity Tests' vocabulary (`FIREWALL_RULE`, `NO_ROUTE`,
//! `ROUTE_BLACKHOLE`) plus `PEERING_NOT_ACTIVE` and `NO_PEERING_PATH`.
//!
//! Forward walk: the source instance → the egress firewall rules of its network → the route the
//! network picks for the destination → by next hop → the ingress firewall rules of the
//! destination's network → the destination instance.
//!
//! - Routes applying to an instance: the subnet routes of its network (every primary and
//!   secondary range), the network's static routes without tags or with a tag of the instance,
//!   and the routes of each ACTIVE peering that the network installs
//!   ([`vpcpeer_model::gcp::list_peering_routes`], incoming and imported: the peer's subnet
//!   routes always, its static routes only when the peer exports and this side imports custom
//!   routes; never routes the peer learned from its own peers — no transit). The longest prefix
//!   wins; among equal prefixes the lowest priority value; then subnet routes.
//! - Next hops: a subnet route delivers inside its network (the local one or the peer's, across
//!   the peering); `default-internet-gateway` reaches only addresses outside every GCP network
//!   (the instance is assumed to have an external address; private destinations are dropped,
//!   GCP's `PRIVATE_TRAFFIC_TO_INTERNET`, reported as `NO_ROUTE`); a next-hop instance or address that
//!   no longer exists is `ROUTE_BLACKHOLE`; forwarding through a live instance, an internal load
//!   balancer or a VPN tunnel is `UNSUPPORTED_COMPONENT` (not modelled, never guessed).
//! - Firewall rules are per network and stateful. Enabled rules of the direction that target the
//!   instance (no target tags, or one of its tags) and match the packet (protocol and ports;
//!   egress: destination ranges; ingress: a source range holding the source address, or a source
//!   tag of a source instance *in the same network* — tags of a peer network's instances never
//!   match; destination ranges if any) are taken by priority, a deny before an allow of the same
//!   priority; the first decides. None: the implied rules at priority 65535, allow egress and
//!   deny ingress. A query for all protocols matches only rules for `all`.
//! - Emulator choices [UNVERIFIED against Connectivity Tests]: an address of a subnetwork that no
//!   instance holds is an endpoint without tags in that subnetwork (firewall rules without target
//!   tags apply to it); equal-prefix, equal-priority routes prefer the subnet route, then the
//!   first by name (no ECMP); a query for all protocols is admitted only by rules for `all`.
//! - Run state: an instance that is not `RUNNING` (`TERMINATED` after `instances.stop`) neither
//!   sends nor receives: `BAD_STATE` at the instance (Connectivity Tests' `INSTANCE_NOT_RUNNING`),
//!   stated once for each end on the forward leg; its fix is to start it. A static route whose
//!   `nextHopInstance` is stopped stays (GCP keeps the route) but drops what it carries:
//!   `BAD_STATE` at that instance, not `ROUTE_BLACKHOLE`, so that the fix names the instance
//!   to start [emulator's choice: Connectivity Tests traces to the next-hop instance and
//!   reports it not running]. An instance that no longer exists is a query error, or a
//!   blackhole next hop.
//! - The outer path of a tunnel between gateways (the tunnel model's part) asks [`outer`]:
//!   whether the firewall admits UDP from a peer's external address, whether egress allows it,
//!   and whether the network routes the peer's address to `default-internet-gateway`.
//! - When routing fails, the two networks are diagnosed: a peering entry between them that is not
//!   ACTIVE (the peer has no entry back) is `PEERING_NOT_ACTIVE`; no peering at all is
//!   `NO_PEERING_PATH` (saying so when both are peered with a third network: peering is not
//!   transitive). The walk then goes on as if the packet had arrived, so ingress firewall and
//!   return-path blockers are listed too.
//! - Return path: firewalls are stateful, so the reply passes them; the destination's network
//!   must still route the reply back (a subnet route of the source's network, its own or one
//!   imported over the peering), else a return-leg `NO_ROUTE`.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use vpcpeer_model::gcp::{
    list_peering_routes, name_of, peering_view, Direction as GDir, ExchangedRouteType,
    FirewallAction, GcpFirewall, GcpInstance, GcpNextHop, GcpProtocol, GcpRoute, PeeringDirection,
};
use vpcpeer_model::{AclAction, World};

use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, Direction, Fact, Header, Protocol,
    QueryError, RuleRef,
};
use crate::snapshot::clouds::Reads;
use crate::trace::Trace;
use crate::walk::{filter_hop, is_private, v4, Cloud, Step};

pub(crate) mod crossing;
pub(crate) mod outer;

/// One end inside a GCP network: an instance's `nic0`, or an address of a subnetwork.
#[derive(Debug, Clone)]
pub(crate) struct GEnd<'w> {
    /// The network's relative path.
    pub network: String,
    /// The subnetwork's relative path.
    pub subnetwork: String,
    /// Its internal address.
    pub ip: Ipv4Addr,
    /// The instance, if the end is one.
    pub instance: Option<&'w GcpInstance>,
}

impl GEnd<'_> {
    pub fn tags(&self) -> &[String] {
        self.instance.map_or(&[], |i| i.tags.as_slice())
    }

    pub fn component(&self) -> ComponentRef {
        match self.instance {
            Some(i) => ComponentRef::new(K::Instance, &i.id),
            None => ComponentRef::new(K::Subnet, &self.subnetwork),
        }
    }
}

/// The end for instance `id` (a relative path), through its first interface.
pub(crate) fn instance_end<'w>(world: &'w World, id: &str) -> Result<GEnd<'w>, QueryError> {
    let i = world
        .gcp
        .instances()
        .get(id)
        .ok_or_else(|| QueryError::UnknownInstance(id.to_owned()))?;
    let nic = i
        .nics
        .first()
        .ok_or_else(|| QueryError::InstanceWithoutInterface(id.to_owned()))?;
    Ok(GEnd {
        network: nic.network.clone(),
        subnetwork: nic.subnetwork.clone(),
        ip: nic.network_ip,
        instance: Some(i),
    })
}

/// The ends address `ip` stands for: instance interfaces holding it, else subnetworks whose
/// ranges hold it.
pub(crate) fn ip_ends(reads: Reads<'_>, ip: Ipv4Addr) -> Vec<GEnd<'_>> {
    let world = reads.world;
    let held: Vec<GEnd<'_>> = reads
        .gcp_holding(ip)
        .into_iter()
        .flat_map(|i| i.nics.iter().map(move |n| (i, n)))
        .filter(|(_, n)| n.network_ip == ip)
        .map(|(i, n)| GEnd {
            network: n.network.clone(),
            subnetwork: n.subnetwork.clone(),
            ip,
            instance: Some(i),
        })
        .collect();
    if !held.is_empty() {
        return held;
    }
    world
        .gcp
        .subnetworks()
        .values()
        .filter(|s| s.ranges().any(|r| r.contains(&ip)))
        .map(|s| GEnd {
            network: s.network.clone(),
            subnetwork: s.id.clone(),
            ip,
            instance: None,
        })
        .collect()
}

/// The entry of network `a` pointing at network `b`, if any.
fn entry<'w>(world: &'w World, a: &str, b: &str) -> Option<&'w vpcpeer_model::gcp::GcpPeering> {
    world
        .gcp
        .networks()
        .get(a)
        .and_then(|n| n.peerings.iter().find(|p| p.peer_network == b))
}

/// Whether networks `a` and `b` are joined by an ACTIVE peering.
pub(crate) fn actively_peered(world: &World, a: &str, b: &str) -> bool {
    match (world.gcp.networks().get(a), entry(world, a, b)) {
        (Some(n), Some(p)) => peering_view(world, n, p).active,
        _ => false,
    }
}

fn peering_ref(network: &str, name: &str) -> ComponentRef {
    ComponentRef::new(K::PeeringConnection, format!("{network}/peerings/{name}"))
}

/// Where a route sends packets, as this engine follows it.
#[derive(Debug, Clone)]
pub(crate) enum Next {
    /// Deliver inside this network (a subnet route).
    Subnet(String),
    /// A static route's next hop, in the network that holds the route.
    Static(GcpNextHop, String),
}

/// A route as the walk sees it.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    name: String,
    dest: Ipv4Net,
    priority: u32,
    next: Next,
    /// The peering it was imported over: (peering name, peer network).
    via: Option<(String, String)>,
}

impl Route {
    fn rule(&self) -> RuleRef {
        let next_hop = match &self.next {
            Next::Subnet(n) => format!("network {}", name_of(n)),
            Next::Static(h, _) => next_hop_name(h),
        };
        RuleRef::Cloud(CloudRule::Route {
            name: self.name.clone(),
            destination: self.dest.to_string(),
            next_hop: match &self.via {
                Some((p, _)) => format!("{next_hop} (peering {p})"),
                None => next_hop,
            },
            priority: Some(self.priority),
        })
    }
}

fn next_hop_name(h: &GcpNextHop) -> String {
    match h {
        GcpNextHop::Gateway(g) => name_of(g).to_owned(),
        GcpNextHop::Instance(i) => format!("instance {}", name_of(i)),
        GcpNextHop::Ip(a) => format!("ip {a}"),
        GcpNextHop::Ilb(x) => format!("ilb {x}"),
        GcpNextHop::VpnTunnel(x) => format!("vpn tunnel {}", name_of(x)),
    }
}

fn static_applies(r: &GcpRoute, tags: &[String]) -> bool {
    r.tags.is_empty() || r.tags.iter().any(|t| tags.contains(t))
}

/// Every route of `network` that applies to an instance with `tags`.
fn routes(reads: Reads<'_>, network: &str, tags: &[String]) -> Vec<Route> {
    let world = reads.world;
    let mut out = Vec::new();
    for s in reads.gcp_subnetworks(network) {
        for r in s.ranges() {
            out.push(Route {
                name: format!("subnet route of {}", s.name),
                dest: r,
                priority: 0,
                next: Next::Subnet(network.to_owned()),
                via: None,
            });
        }
    }
    for r in reads
        .gcp_routes(network)
        .into_iter()
        .filter(|r| static_applies(r, tags))
    {
        out.push(Route {
            name: r.name.clone(),
            dest: r.dest_range,
            priority: r.priority,
            next: Next::Static(r.next_hop.clone(), network.to_owned()),
            via: None,
        });
    }
    let Some(net) = world.gcp.networks().get(network) else {
        return out;
    };
    for p in &net.peerings {
        if !peering_view(world, net, p).active {
            continue;
        }
        let incoming =
            list_peering_routes(world, network, &p.name, PeeringDirection::Incoming, None)
                .unwrap_or_default();
        let via = Some((p.name.clone(), p.peer_network.clone()));
        for er in incoming.into_iter().filter(|r| r.imported) {
            match er.kind {
                ExchangedRouteType::Subnet => out.push(Route {
                    name: format!("peering subnet route from {}", name_of(&p.peer_network)),
                    dest: er.dest_range,
                    priority: 0,
                    next: Next::Subnet(p.peer_network.clone()),
                    via: via.clone(),
                }),
                ExchangedRouteType::Static => {
                    let theirs = reads.gcp_routes(&p.peer_network).into_iter().find(|r| {
                        r.dest_range == er.dest_range
                            && r.priority == er.priority
                            && r.tags.is_empty()
                            && !matches!(r.next_hop, GcpNextHop::Gateway(_))
                    });
                    if let Some(r) = theirs {
                        out.push(Route {
                            name: format!(
                                "peering route {} from {}",
                                r.name,
                                name_of(&p.peer_network)
                            ),
                            dest: r.dest_range,
                            priority: r.priority,
                            next: Next::Static(r.next_hop.clone(), p.peer_network.clone()),
                            via: via.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// The route `network` picks for `dst` (longest prefix, then lowest priority value, then
/// subnet routes).
fn best(routes: &[Route], dst: Ipv4Addr) -> Option<&Route> {
    routes
        .iter()
        .filter(|r| r.dest.contains(&dst))
        .min_by_key(|r| {
            (
                std::cmp::Reverse(r.dest.prefix_len()),
                r.priority,
                !matches!(r.next, Next::Subnet(_)),
            )
        })
}

/// What decided a firewall evaluation.
struct FwDecision<'w> {
    rule: Option<&'w GcpFirewall>,
    action: AclAction,
    priority: u32,
    name: String,
    id: String,
}

/// Whether a firewall entry of `protocol` with `ports` admits `h` (by the typed protocol: a
/// name and its number are the same protocol).
fn proto_matches(
    protocol: Option<GcpProtocol>,
    ports: &[vpcpeer_model::gcp::PortRange],
    h: &Header,
) -> bool {
    let Some(p) = protocol else {
        return false;
    };
    let port_ok = || {
        ports.is_empty()
            || h.dst_port
                .is_some_and(|d| ports.iter().any(|r| r.from <= d && d <= r.to))
    };
    let number = p.number();
    match h.protocol {
        Protocol::All => p == GcpProtocol::All,
        Protocol::Tcp => p == GcpProtocol::All || (number == Some(6) && port_ok()),
        Protocol::Udp => p == GcpProtocol::All || (number == Some(17) && port_ok()),
        Protocol::Icmp => p == GcpProtocol::All || number == Some(1),
    }
}

/// Evaluates the firewall rules of `network` in `dir` for a packet `h` to or from an instance
/// with `tags`; `src_tags` are the source instance's tags when it is in the same network.
fn firewall<'w>(
    reads: Reads<'w>,
    network: &str,
    dir: GDir,
    tags: &[String],
    src_tags: Option<&[String]>,
    h: &Header,
) -> FwDecision<'w> {
    let (Some(src), Some(dst)) = (v4(h.src_ip), v4(h.dst_ip)) else {
        return implied(network, dir);
    };
    let applies = |f: &&GcpFirewall| {
        f.direction == dir
            && !f.disabled
            && (f.target_tags.is_empty() || f.target_tags.iter().any(|t| tags.contains(t)))
            && f.matches
                .iter()
                .any(|m| proto_matches(m.protocol.value().copied(), &m.ports, h))
            && match dir {
                GDir::Egress => {
                    f.destination_ranges.is_empty()
                        || f.destination_ranges.iter().any(|r| r.contains(&dst))
                }
                GDir::Ingress => {
                    let by_range = f.source_ranges.iter().any(|r| r.contains(&src));
                    let by_tag =
                        src_tags.is_some_and(|st| f.source_tags.iter().any(|t| st.contains(t)));
                    let any = f.source_ranges.is_empty() && f.source_tags.is_empty();
                    (any || by_range || by_tag)
                        && (f.destination_ranges.is_empty()
                            || f.destination_ranges.iter().any(|r| r.contains(&dst)))
                }
            }
    };
    let first = reads
        .gcp_firewalls(network)
        .into_iter()
        .filter(applies)
        .min_by_key(|f| {
            (
                f.priority,
                f.action == FirewallAction::Allow,
                f.name.clone(),
            )
        });
    match first {
        Some(f) => FwDecision {
            rule: Some(f),
            action: match f.action {
                FirewallAction::Allow => AclAction::Allow,
                FirewallAction::Deny => AclAction::Deny,
            },
            priority: f.priority,
            name: f.name.clone(),
            id: f.id.clone(),
        },
        None => implied(network, dir),
    }
}

fn implied<'w>(network: &str, dir: GDir) -> FwDecision<'w> {
    let (name, action) = match dir {
        GDir::Egress => ("implied-allow-egress", AclAction::Allow),
        GDir::Ingress => ("implied-deny-ingress", AclAction::Deny),
    };
    FwDecision {
        rule: None,
        action,
        priority: 65535,
        name: name.to_owned(),
        id: format!("{network}/{name}"),
    }
}

/// The GCP side of the walk ([`crate::walk`]).
pub(crate) struct Gcp<'w> {
    /// The world.
    pub world: &'w World,
    /// How it reads a network's records and an address's holders.
    pub reads: Reads<'w>,
}

impl<'w> Gcp<'w> {
    /// The walk reading through `reads`.
    pub(crate) fn new(reads: Reads<'w>) -> Self {
        Gcp {
            world: reads.world,
            reads,
        }
    }
}

fn direction(dir: GDir) -> Direction {
    match dir {
        GDir::Ingress => Direction::Ingress,
        GDir::Egress => Direction::Egress,
    }
}

impl Gcp<'_> {
    /// Records firewall decision `d` of `network` in `dir` on `h`.
    fn filter(&self, t: &mut Trace, d: &FwDecision<'_>, network: &str, dir: GDir, h: Header) {
        let rule = CloudRule::Filter {
            policy: name_of(network).to_owned(),
            rule: d.name.clone(),
            priority: d.priority,
            action: d.action,
            direction: direction(dir),
        };
        filter_hop(
            t,
            ComponentRef::new(K::FirewallRule, &d.id),
            rule,
            h,
            |direction| {
                let what = if d.rule.is_some() {
                    format!("firewall rule {} (priority {})", d.name, d.priority)
                } else {
                    format!("the implied deny-ingress rule (priority {})", d.priority)
                };
                let way = match dir {
                    GDir::Ingress => "ingress",
                    GDir::Egress => "egress",
                };
                (
                    Code::FirewallRule { direction },
                    format!("{what} of network {} denies {way} {h}", name_of(network)),
                )
            },
        );
    }
}

impl<'w> Cloud for Gcp<'w> {
    type End = GEnd<'w>;
    type Route = Route;

    fn network(e: &Self::End) -> &str {
        &e.network
    }

    fn ip(e: &GEnd<'w>) -> Ipv4Addr {
        e.ip
    }

    fn interface(e: &Self::End) -> Option<(&str, &str)> {
        e.instance.map(|i| (i.id.as_str(), i.id.as_str()))
    }

    fn leave(&self, t: &mut Trace, e: &GEnd<'w>, h: Header) {
        t.hop(e.component(), None, h);
        not_running(t, e, "send");
    }

    fn enter(&self, t: &mut Trace, e: &GEnd<'w>, h: Header) {
        t.hop(e.component(), None, h);
        not_running(t, e, "receive");
    }

    fn egress(&self, t: &mut Trace, src: &GEnd<'w>, h: Header) {
        let d = firewall(self.reads, &src.network, GDir::Egress, src.tags(), None, &h);
        self.filter(t, &d, &src.network, GDir::Egress, h);
    }

    fn ingress(&self, t: &mut Trace, d: &GEnd<'w>, src: &GEnd<'w>, h: Header) {
        // Source tags match only for a source in the same network.
        let src_tags = (d.network == src.network).then(|| src.tags());
        let fw = firewall(
            self.reads,
            &d.network,
            GDir::Ingress,
            d.tags(),
            src_tags,
            &h,
        );
        self.filter(t, &fw, &d.network, GDir::Ingress, h);
    }

    fn lookup(&self, e: &GEnd<'w>, ip: Ipv4Addr) -> Option<Route> {
        best(&routes(self.reads, &e.network, e.tags()), ip).cloned()
    }

    fn no_route(&self, src: &GEnd<'w>, h: Header) -> (ComponentRef, String) {
        (
            ComponentRef::new(K::Network, &src.network),
            format!(
                "network {} has no route for {}",
                name_of(&src.network),
                h.dst_ip
            ),
        )
    }

    fn take(
        &self,
        t: &mut Trace,
        src: &GEnd<'w>,
        dst: Option<&GEnd<'w>>,
        r: &Route,
        h: Header,
    ) -> (ComponentRef, Step) {
        let net_ref = ComponentRef::new(K::Network, &src.network);
        t.hop(net_ref.clone(), Some(r.rule()), h);
        if let Some((p, _)) = &r.via {
            t.hop(peering_ref(&src.network, p), None, h);
        }
        let step = match &r.next {
            Next::Subnet(net) => Step::Deliver(net.clone()),
            Next::Static(GcpNextHop::Gateway(g), _) => {
                let dst_ip = v4(h.dst_ip).unwrap_or(Ipv4Addr::UNSPECIFIED);
                Step::Internet(match dst {
                    None if is_private(dst_ip) => Some(format!(
                        "the best route of network {} for {} is {} to {}, but the address is \
                         private: private traffic is not sent to the internet",
                        name_of(&src.network),
                        h.dst_ip,
                        r.name,
                        name_of(g)
                    )),
                    None => None,
                    Some(d) => Some(format!(
                        "the best route of network {} for {} is {} to {}, but the address \
                         lies in network {}: private traffic is not sent to the internet",
                        name_of(&src.network),
                        h.dst_ip,
                        r.name,
                        name_of(g),
                        name_of(&d.network)
                    )),
                })
            }
            Next::Static(GcpNextHop::Instance(i), _) if self.stopped(i) => {
                return (
                    ComponentRef::new(K::Instance, i),
                    Step::Drop {
                        code: Code::BadState,
                        detail: format!(
                            "route {} ({} -> instance {}) cannot deliver {h}: instance {} is \
                             TERMINATED, not RUNNING",
                            r.name,
                            r.dest,
                            name_of(i),
                            name_of(i)
                        ),
                        diagnose: false,
                    },
                );
            }
            Next::Static(hop, holder) => match self.gone(hop, holder) {
                Some(why) => Step::Drop {
                    code: Code::RouteBlackhole,
                    detail: format!(
                        "route {} ({} -> {}) is a blackhole for {h}: {why}",
                        r.name,
                        r.dest,
                        next_hop_name(hop)
                    ),
                    diagnose: false,
                },
                None => Step::Drop {
                    code: Code::UnsupportedComponent,
                    detail: format!(
                        "route {} sends {} to {}, which this engine does not model as a hop",
                        r.name,
                        h.dst_ip,
                        next_hop_name(hop)
                    ),
                    diagnose: false,
                },
            },
        };
        (net_ref, step)
    }

    fn misrouted(
        &self,
        at: &ComponentRef,
        net: &str,
        dst: Option<&GEnd<'w>>,
        h: Header,
    ) -> (ComponentRef, String) {
        match dst {
            // Overlapping ranges: the route leads to another network than the destination's.
            Some(d) => (
                at.clone(),
                format!(
                    "the best route for {} leads to network {}, but the destination is in network {}",
                    h.dst_ip,
                    name_of(net),
                    name_of(&d.network)
                ),
            ),
            None => (
                ComponentRef::new(K::Network, net),
                format!("no instance of network {} holds {}", name_of(net), h.dst_ip),
            ),
        }
    }

    fn back(
        &self,
        t: &mut Trace,
        d: &GEnd<'w>,
        src: &GEnd<'w>,
        r: Header,
    ) -> Option<(ComponentRef, String)> {
        let net_ref = ComponentRef::new(K::Network, &d.network);
        match self.lookup(d, src.ip) {
            Some(rt) if matches!(&rt.next, Next::Subnet(n) if *n == src.network) => {
                t.hop(net_ref, Some(rt.rule()), r);
                if let Some((p, _)) = &rt.via {
                    t.hop(peering_ref(&d.network, p), None, r);
                }
                None
            }
            other => {
                t.hop(net_ref.clone(), other.as_ref().map(Route::rule), r);
                Some((
                    net_ref,
                    format!(
                        "network {} has no route back to {} (network {}) for the reply {r}",
                        name_of(&d.network),
                        src.ip,
                        name_of(&src.network)
                    ),
                ))
            }
        }
    }

    fn diagnose(&self, t: &mut Trace, src: &GEnd<'w>, d: &GEnd<'w>) {
        let (a, b) = (src.network.as_str(), d.network.as_str());
        if actively_peered(self.world, a, b) {
            return;
        }
        let ab = entry(self.world, a, b);
        let ba = entry(self.world, b, a);
        if let Some((holder, p, other)) = ab.map(|p| (a, p, b)).or(ba.map(|p| (b, p, a))) {
            t.block_with(
                Code::PeeringNotActive,
                peering_ref(holder, &p.name),
                format!(
                    "peering {} of network {} to {} is INACTIVE: network {} has no peering back to {}",
                    p.name,
                    name_of(holder),
                    name_of(other),
                    name_of(other),
                    name_of(holder)
                ),
                Some(Fact::GcpPeeringOneSided {
                    network: holder.to_owned(),
                    name: p.name.clone(),
                }),
            );
            return;
        }
        let third = self.world.gcp.networks().keys().find(|c| {
            c.as_str() != a
                && c.as_str() != b
                && actively_peered(self.world, a, c)
                && actively_peered(self.world, c, b)
        });
        let transit = third.map_or(String::new(), |c| {
            format!(
                "; both are peered with {}, but peering is not transitive",
                name_of(c)
            )
        });
        t.block(
            Code::NoPeeringPath,
            ComponentRef::new(K::Network, b),
            format!(
                "networks {} and {} are not peered{transit}",
                name_of(a),
                name_of(b)
            ),
        );
    }
}

/// On the forward leg, an end that is a stopped instance: `BAD_STATE` (it cannot `what`).
fn not_running(t: &mut Trace, e: &GEnd<'_>, what: &str) {
    let Some(i) = e.instance else {
        return;
    };
    if t.leg == crate::model::Leg::Forward && !i.is_running() {
        t.block(
            Code::BadState,
            ComponentRef::new(K::Instance, &i.id),
            format!(
                "instance {} is TERMINATED, not RUNNING: it cannot {what} packets",
                name_of(&i.id)
            ),
        );
    }
}

impl Gcp<'_> {
    /// Whether instance `id` exists and is stopped.
    fn stopped(&self, id: &str) -> bool {
        self.world
            .gcp
            .instances()
            .get(id)
            .is_some_and(|i| !i.is_running())
    }

    /// Why a static route's next hop is gone (a blackhole), if it is.
    fn gone(&self, hop: &GcpNextHop, holder: &str) -> Option<String> {
        match hop {
            GcpNextHop::Instance(i) => (!self.world.gcp.instances().contains_key(i))
                .then(|| format!("next hop instance {i} does not exist")),
            GcpNextHop::Ip(a) => {
                let held = self.reads.gcp_holding(*a).into_iter().any(|i| {
                    i.nics
                        .iter()
                        .any(|n| n.network_ip == *a && n.network == holder)
                });
                (!held).then(|| {
                    format!(
                        "no instance of network {} holds next hop {a}",
                        name_of(holder)
                    )
                })
            }
            _ => None,
        }
    }
}
