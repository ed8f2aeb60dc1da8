//! The walk across clouds through an encrypted tunnel: a query whose two ends are in different
//! clouds (native peering cannot join them) is answered hop by hop through a gateway VM in each
//! cloud (instance → route → gateway → tunnel → gateway → route → instance), forward and
//! return, with the outer path checked by each gateway's own cloud ([`crate::tunnel`] over
//! [`AllClouds`]).
//!
//! Forward: the source leaves (its egress filters), its cloud's best route for the destination
//! must lead to a gateway VM (GCP: a route with `nextHopInstance`, or `nextHopIp` held by an
//! instance; Azure: a user route `VirtualAppliance` whose next-hop address a NIC holds) of the
//! gateway image. Otherwise there is no path through gateways and the answer stays
//! `CROSS_CLOUD_NO_NATIVE_PATH` (`None` here). At gateway A: its ingress filters for the inner
//! packet and whether it may forward (`TUNNEL_GATEWAY_NO_FORWARDING`); its configuration must
//! send the destination into a tunnel ([`tunnel::plan`]; none: `TUNNEL_NO_ROUTE_FOR_DESTINATION`),
//! whose blockers (the far gateway, keys, ports, the outer path both ways) are recorded with
//! the outer hops and the tunnel hop. From gateway B, in the destination's cloud: whether it
//! may forward, its egress filters, its network's route to the destination (it must deliver in
//! the destination's network: else `NO_ROUTE`), the destination's ingress filters.
//!
//! Return: the destination's route for the source's address must lead back to gateway B
//! (else `NO_ROUTE`), B must send the reply into the tunnel to A and A's entry must allow its
//! source ([`tunnel::check_return`]), and A's network must deliver it to the source.
//!
//! Each cloud plugs in through [`Segment`] (`gcp/crossing.rs`, `azure/crossing.rs`); the walk
//! is generic over the source's and the destination's.

use std::net::{IpAddr, Ipv4Addr};

use crate::model::{Code, ComponentKind as K, ComponentRef, Header, Leg, Query, Verdict};
use crate::trace::Trace;
use crate::tunnel::{self, clouds::AllClouds, Blocked, GatewayHost};

pub(crate) mod aws;

/// One cloud's part of a crossing.
pub(crate) trait Segment<'w> {
    /// An end inside a network of the cloud (an instance, NIC or subnet address).
    type End;

    /// The end's address.
    fn ip(e: &Self::End) -> Ipv4Addr;
    /// Records the hops out of an end.
    fn leave(&self, t: &mut Trace, e: &Self::End, h: Header);
    /// Records the hops into an end.
    fn enter(&self, t: &mut Trace, e: &Self::End, h: Header);
    /// Records the end's egress filters.
    fn egress(&self, t: &mut Trace, e: &Self::End, h: Header);
    /// Records the end's ingress filters for a packet from outside its network.
    fn ingress(&self, t: &mut Trace, e: &Self::End, h: Header);
    /// Records the best route of `e` for `ip`; `Ok` with the VM it leads to when that is an
    /// appliance (a route to an instance or a virtual appliance address), else the component
    /// and sentence of why it does not lead to one.
    fn route_to_vm(
        &self,
        t: &mut Trace,
        e: &Self::End,
        ip: Ipv4Addr,
        h: Header,
    ) -> Result<Self::End, (ComponentRef, String)>;
    /// Records the best route of `e` for `to`'s address; `Some` blocker when it does not
    /// deliver it in `to`'s network.
    fn route_to_end(
        &self,
        t: &mut Trace,
        e: &Self::End,
        to: &Self::End,
        h: Header,
    ) -> Option<(ComponentRef, String)>;
    /// Records the inner packet arriving at gateway `g` from `src` (in its network): its
    /// ingress filters.
    fn gateway_in(&self, t: &mut Trace, g: &Self::End, src: &Self::End, h: Header);
    /// Records the inner packet leaving gateway `g` for its network: its egress filters.
    fn gateway_out(&self, t: &mut Trace, g: &Self::End, h: Header);
    /// The gateway host of VM end `g`.
    fn host<'a>(&self, all: &'a AllClouds<'w>, g: &Self::End) -> Option<GatewayHost<'a>>;
    /// The end of gateway host `h`, when it is a VM of this cloud.
    fn end_of_host(&self, h: &GatewayHost<'_>) -> Option<Self::End>;
}

/// Answers `q` from `src` (in `s`'s cloud) to `dst` (in `d`'s) through gateways; `None` when
/// the source's route leads to no gateway VM (no path through gateways: the caller answers
/// `CROSS_CLOUD_NO_NATIVE_PATH`), or, for two ends of one cloud (`same_cloud`), when the
/// gateway has no tunnel for the destination (the cloud's own walk answers then).
pub(crate) fn cross<'w, S: Segment<'w>, D: Segment<'w>>(
    all: &AllClouds<'w>,
    s: &S,
    d: &D,
    q: &Query,
    (src, dst): (&S::End, &D::End),
    same_cloud: bool,
) -> Option<Verdict> {
    let (src_ip, dst_ip) = (S::ip(src), D::ip(dst));
    let h = Header::for_query(q, IpAddr::V4(src_ip), IpAddr::V4(dst_ip));
    let mut t = Trace::new();
    s.leave(&mut t, src, h);
    s.egress(&mut t, src, h);
    let gw_a = s.route_to_vm(&mut t, src, dst_ip, h).ok()?;
    let host_a = s.host(all, &gw_a)?;
    host_a.setup?;
    let plan = tunnel::plan(all, &host_a, h);
    if plan.is_none() && same_cloud {
        return None;
    }
    s.gateway_in(&mut t, &gw_a, src, h);
    forwarding(&mut t, &host_a, h);
    let Some(plan) = plan else {
        no_tunnel(&mut t, &host_a, h);
        return Some(t.verdict());
    };
    for step in &plan.outer {
        t.hop(step.component.clone(), step.rule.clone(), step.header);
    }
    t.hop(plan.component.clone(), Some(plan.rule.clone()), h);
    for b in plan.blockers {
        block(&mut t, b);
    }
    let Some(host_b) = plan.peer else {
        return Some(t.verdict());
    };
    let Some(gw_b) = d.end_of_host(&host_b) else {
        t.block(
            Code::NoRoute,
            ComponentRef::new(K::Instance, host_b.instance),
            format!(
                "the tunnel {} leads to {}, which is not in the destination's cloud: it cannot deliver {h}",
                plan.component.id, host_b.instance
            ),
        );
        return Some(t.verdict());
    };
    let b_ref = ComponentRef::new(K::Instance, host_b.instance);
    t.hop(b_ref.clone(), None, h);
    forwarding(&mut t, &host_b, h);
    d.gateway_out(&mut t, &gw_b, h);
    if let Some((at, why)) = d.route_to_end(&mut t, &gw_b, dst, h) {
        t.block(Code::NoRoute, at, why);
    }
    d.ingress(&mut t, dst, h);
    d.enter(&mut t, dst, h);

    t.leg = Leg::Return;
    let r = h.reply();
    d.leave(&mut t, dst, r);
    match d.route_to_vm(&mut t, dst, src_ip, r) {
        Ok(g)
            if d.host(all, &g)
                .is_some_and(|x| x.instance == host_b.instance) => {}
        Ok(g) => {
            let other = d
                .host(all, &g)
                .map_or_else(|| "another VM".to_owned(), |x| x.instance.to_owned());
            t.block(
                Code::NoRoute,
                b_ref.clone(),
                format!(
                    "the reply {r} is routed to {other}, not back to the gateway {} it came through",
                    host_b.instance
                ),
            );
        }
        Err((at, why)) => t.block(
            Code::NoRoute,
            at,
            format!(
                "{why}: the reply {r} does not go back to the gateway {}",
                host_b.instance
            ),
        ),
    }
    t.hop(b_ref, None, r);
    t.hop(plan.component.clone(), None, r);
    for b in tunnel::check_return(&host_a, &host_b, r) {
        block(&mut t, b);
    }
    t.hop(ComponentRef::new(K::Instance, host_a.instance), None, r);
    if let Some((at, why)) = s.route_to_end(&mut t, &gw_a, src, r) {
        t.block(Code::NoRoute, at, why);
    }
    s.enter(&mut t, src, r);
    Some(t.verdict())
}

fn block(t: &mut Trace, b: Blocked) {
    t.block_with(b.code, b.component, b.detail, b.fact);
}

/// A gateway must be allowed to forward packets that are not addressed to it.
fn forwarding(t: &mut Trace, host: &GatewayHost<'_>, h: Header) {
    if host.forwarding {
        return;
    }
    let setting = match host.cloud {
        tunnel::Cloud::Aws => {
            t.block(
                Code::EniSourceDestCheckRestriction,
                ComponentRef::new(K::NetworkInterface, host.interface),
                format!(
                    "{} (gateway {}) has its source/destination check on and drops {h}, which it forwards",
                    host.interface, host.instance
                ),
            );
            return;
        }
        tunnel::Cloud::Gcp => "it was inserted without canIpForward",
        tunnel::Cloud::Azure => "its NIC has enableIPForwarding off",
    };
    t.block_with(
        Code::TunnelGatewayNoForwarding,
        ComponentRef::new(K::Instance, host.instance),
        format!(
            "the gateway {} may not forward {h}, which is not addressed to it: {setting}",
            host.instance
        ),
        None,
    );
}

/// Gateway A's configuration sends the destination into no tunnel.
fn no_tunnel(t: &mut Trace, host: &GatewayHost<'_>, h: Header) {
    let cfg = tunnel::config_of(host);
    let name = cfg.map_or("?", |c| c.name.as_str());
    let fact = cfg.and_then(|c| c.peers.first()).and_then(|p| {
        let IpAddr::V4(dst) = h.dst_ip else {
            return None;
        };
        Some(crate::model::Fact::Tunnel(
            crate::model::TunnelFix::Config {
                instance: host.instance.to_owned(),
                change: crate::model::ConfigChange::AllowedIps {
                    peer: p.name.clone(),
                    allowed: ipnet::Ipv4Net::from(dst).to_string(),
                },
            },
        ))
    });
    t.block_with(
        Code::TunnelNoRouteForDestination,
        ComponentRef::new(K::Instance, host.instance),
        format!(
            "the gateway {name} ({}) sends {} into no tunnel: no [Peer] entry allows it",
            host.instance, h.dst_ip
        ),
        fact,
    );
}
