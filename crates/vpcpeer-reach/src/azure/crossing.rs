//! Azure's part of a walk across clouds ([`crate::crossing`]): a VM's hops and NSGs as the
//! Azure walk records them, an effective route to a gateway VM (`VirtualAppliance` whose
//! next-hop address a NIC holds), and delivery inside a virtual network.

use std::net::Ipv4Addr;

use vpcpeer_model::azure::{key, AzNextHop};

use super::{outer, resource_end, AEnd, Azure};
use crate::crossing::Segment;
use crate::model::{ComponentKind as K, ComponentRef, Header};
use crate::trace::Trace;
use crate::tunnel::{clouds::AllClouds, Cloud as TunnelCloudKind, GatewayHost};
use crate::walk::Cloud;

impl<'w> Segment<'w> for Azure<'w> {
    type End = AEnd<'w>;

    fn ip(e: &AEnd<'w>) -> Ipv4Addr {
        e.ip
    }

    fn leave(&self, t: &mut Trace, e: &AEnd<'w>, h: Header) {
        Cloud::leave(self, t, e, h);
    }

    fn enter(&self, t: &mut Trace, e: &AEnd<'w>, h: Header) {
        Cloud::enter(self, t, e, h);
    }

    fn egress(&self, t: &mut Trace, e: &AEnd<'w>, h: Header) {
        Cloud::egress(self, t, e, h);
    }

    fn ingress(&self, t: &mut Trace, e: &AEnd<'w>, h: Header) {
        // The Azure walk reads nothing of the source for ingress.
        Cloud::ingress(self, t, e, e, h);
    }

    fn route_to_vm(
        &self,
        t: &mut Trace,
        e: &AEnd<'w>,
        ip: Ipv4Addr,
        h: Header,
    ) -> Result<AEnd<'w>, (ComponentRef, String)> {
        let subnet = ComponentRef::new(K::Subnet, e.subnet_id());
        let Some(c) = self.lookup(e, ip) else {
            t.hop(subnet.clone(), None, h);
            return Err((
                subnet,
                format!(
                    "subnet {}/{} has no effective route for {ip}",
                    e.vnet.name, e.subnet.name
                ),
            ));
        };
        let at = self.route_hop(t, e, &c, h);
        let appliance = (c.route.next_hop == AzNextHop::VirtualAppliance)
            .then(|| c.route.next_hop_ips.first().copied())
            .flatten();
        let vm = appliance.and_then(|a| {
            let holder = self.reads.az_holding(a).into_iter().next()?;
            outer::vm_of_nic(self.world, holder)
        });
        match vm.and_then(|vm| resource_end(self.world, &vm.id).ok()) {
            Some(g) => Ok(g),
            None => Err((
                at,
                format!(
                    "the best effective route of subnet {}/{} for {ip} ({} -> {}) does not lead to a gateway VM",
                    e.vnet.name,
                    e.subnet.name,
                    c.prefix,
                    super::hop_name(c.route.next_hop)
                ),
            )),
        }
    }

    fn route_to_end(
        &self,
        t: &mut Trace,
        e: &AEnd<'w>,
        to: &AEnd<'w>,
        h: Header,
    ) -> Option<(ComponentRef, String)> {
        let c = self.lookup(e, to.ip);
        let at = match &c {
            Some(c) => self.route_hop(t, e, c, h),
            None => {
                let at = ComponentRef::new(K::Subnet, e.subnet_id());
                t.hop(at.clone(), None, h);
                at
            }
        };
        let local = c
            .as_ref()
            .is_some_and(|c| c.route.next_hop == AzNextHop::VnetLocal);
        if local && e.vnet.id == to.vnet.id {
            return None;
        }
        Some((
            at,
            format!(
                "the effective routes of subnet {}/{} do not deliver {} in virtual network {} for {h}",
                e.vnet.name, e.subnet.name, to.ip, to.vnet.name
            ),
        ))
    }

    fn gateway_in(&self, t: &mut Trace, g: &AEnd<'w>, src: &AEnd<'w>, h: Header) {
        t.hop(g.component(), None, h);
        Cloud::ingress(self, t, g, src, h);
    }

    fn gateway_out(&self, t: &mut Trace, g: &AEnd<'w>, h: Header) {
        Cloud::egress(self, t, g, h);
    }

    fn host<'a>(&self, all: &'a AllClouds<'w>, g: &AEnd<'w>) -> Option<GatewayHost<'a>> {
        all.azure_host(g.vm?)
    }

    fn end_of_host(&self, h: &GatewayHost<'_>) -> Option<AEnd<'w>> {
        if h.cloud != TunnelCloudKind::Azure {
            return None;
        }
        resource_end(self.world, &key(h.instance)).ok()
    }
}
