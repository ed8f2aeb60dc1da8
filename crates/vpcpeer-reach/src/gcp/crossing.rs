//! GCP's part of a walk across clouds ([`crate::crossing`]): an instance's hops and firewall
//! rules as the GCP walk records them, a route to a gateway instance (`nextHopInstance`, or a
//! `nextHopIp` an instance of the route's network holds), and delivery inside a network.

use std::net::Ipv4Addr;

use vpcpeer_model::gcp::{name_of, GcpNextHop};

use super::{instance_end, next_hop_name, GEnd, Gcp, Next};
use crate::crossing::Segment;
use crate::model::{ComponentKind as K, ComponentRef, Header};
use crate::trace::Trace;
use crate::tunnel::{clouds::AllClouds, Cloud as TunnelCloudKind, GatewayHost};
use crate::walk::Cloud;

/// A stand-in for a source outside the end's network (no source tags match it).
fn outsider<'w>(ip: Ipv4Addr) -> GEnd<'w> {
    GEnd {
        network: String::new(),
        subnetwork: String::new(),
        ip,
        instance: None,
    }
}

impl<'w> Segment<'w> for Gcp<'w> {
    type End = GEnd<'w>;

    fn ip(e: &GEnd<'w>) -> Ipv4Addr {
        e.ip
    }

    fn leave(&self, t: &mut Trace, e: &GEnd<'w>, h: Header) {
        Cloud::leave(self, t, e, h);
    }

    fn enter(&self, t: &mut Trace, e: &GEnd<'w>, h: Header) {
        Cloud::enter(self, t, e, h);
    }

    fn egress(&self, t: &mut Trace, e: &GEnd<'w>, h: Header) {
        Cloud::egress(self, t, e, h);
    }

    fn ingress(&self, t: &mut Trace, e: &GEnd<'w>, h: Header) {
        let src = outsider(super::v4(h.src_ip).unwrap_or(Ipv4Addr::UNSPECIFIED));
        Cloud::ingress(self, t, e, &src, h);
    }

    fn route_to_vm(
        &self,
        t: &mut Trace,
        e: &GEnd<'w>,
        ip: Ipv4Addr,
        h: Header,
    ) -> Result<GEnd<'w>, (ComponentRef, String)> {
        let net = ComponentRef::new(K::Network, &e.network);
        let Some(r) = self.lookup(e, ip) else {
            t.hop(net.clone(), None, h);
            return Err((
                net,
                format!("network {} has no route for {ip}", name_of(&e.network)),
            ));
        };
        t.hop(net.clone(), Some(r.rule()), h);
        let vm = match &r.next {
            Next::Static(GcpNextHop::Instance(i), _) => Some(i.clone()),
            Next::Static(GcpNextHop::Ip(a), holder) => self
                .reads
                .gcp_holding(*a)
                .into_iter()
                .find(|i| {
                    i.nics
                        .iter()
                        .any(|n| n.network_ip == *a && n.network == *holder)
                })
                .map(|i| i.id.clone()),
            _ => None,
        };
        match vm.and_then(|i| instance_end(self.world, &i).ok()) {
            Some(g) => Ok(g),
            None => {
                let next = match &r.next {
                    Next::Subnet(n) => format!("network {}", name_of(n)),
                    Next::Static(hop, _) => next_hop_name(hop),
                };
                Err((
                    net,
                    format!(
                        "the best route of network {} for {ip} is {} to {next}, not to a gateway instance",
                        name_of(&e.network),
                        r.name
                    ),
                ))
            }
        }
    }

    fn route_to_end(
        &self,
        t: &mut Trace,
        e: &GEnd<'w>,
        to: &GEnd<'w>,
        h: Header,
    ) -> Option<(ComponentRef, String)> {
        let net = ComponentRef::new(K::Network, &e.network);
        let r = self.lookup(e, to.ip);
        t.hop(net.clone(), r.as_ref().map(|r| r.rule()), h);
        if let Some((p, _)) = r.as_ref().and_then(|r| r.via.as_ref()) {
            t.hop(super::peering_ref(&e.network, p), None, h);
        }
        match r.as_ref().map(|r| &r.next) {
            Some(Next::Subnet(n)) if *n == to.network => None,
            _ => Some((
                net,
                format!(
                    "network {} has no route delivering {} in network {} for {h}",
                    name_of(&e.network),
                    to.ip,
                    name_of(&to.network)
                ),
            )),
        }
    }

    fn gateway_in(&self, t: &mut Trace, g: &GEnd<'w>, src: &GEnd<'w>, h: Header) {
        t.hop(g.component(), None, h);
        Cloud::ingress(self, t, g, src, h);
    }

    fn gateway_out(&self, t: &mut Trace, g: &GEnd<'w>, h: Header) {
        Cloud::egress(self, t, g, h);
    }

    fn host<'a>(&self, all: &'a AllClouds<'w>, g: &GEnd<'w>) -> Option<GatewayHost<'a>> {
        all.gcp_host(g.instance?)
    }

    fn end_of_host(&self, h: &GatewayHost<'_>) -> Option<GEnd<'w>> {
        if h.cloud != TunnelCloudKind::Gcp {
            return None;
        }
        instance_end(self.world, h.instance).ok()
    }
}
