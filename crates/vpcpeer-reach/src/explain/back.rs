//! The AWS walk's return path: the forward segments walked backwards with the reply header,
//! through each segment's route tables, ACLs and security groups. A responder's table leads a
//! reply back when its best route is the local route (inside a VPC), the peering the segment
//! crossed, or a route to the appliance the segment came from. A segment through a tunnel
//! goes back through it (`tunnel.rs`: the far gateway must send the reply into the tunnel).

use super::*;

impl<'s> Walk<'s> {
    /// The return path: every segment backwards with the reply header.
    pub(super) fn back(&mut self, segs: &[Seg]) {
        let Some(last) = segs.last() else {
            return;
        };
        if let NodeKind::Eni(id) = &last.to.kind {
            if let Some(e) = self.s.enis.get(id) {
                self.hop(
                    ComponentRef::new(K::NetworkInterface, &e.id),
                    None,
                    last.hdr.reply(),
                    last.hdr.reply(),
                );
            }
        }
        for (i, seg) in segs.iter().enumerate().rev() {
            let r = seg.hdr.reply();
            if let Via::Tunnel(leg) = &seg.via {
                // Back through the tunnel: no subnet is crossed, the gateways decide.
                self.tunnel_back(leg, r);
                if let NodeKind::Eni(id) = &seg.from.kind {
                    self.hop(ComponentRef::new(K::NetworkInterface, id), None, r, r);
                }
                continue;
            }
            match (&seg.to.kind, &seg.via) {
                (NodeKind::Internet, Via::Igw(igw)) => {
                    self.hop(ComponentRef::new(K::Internet, "internet"), None, r, r);
                    self.hop(ComponentRef::new(K::InternetGateway, igw), None, r, r);
                }
                (NodeKind::Internet, Via::Endpoint(v)) => {
                    self.hop(ComponentRef::new(K::Internet, "internet"), None, r, r);
                    self.hop(ComponentRef::new(K::VpcEndpoint, v), None, r, r);
                }
                (NodeKind::Internet, Via::Vgw(vgw)) => {
                    self.hop(ComponentRef::new(K::VpnGateway, vgw), None, r, r);
                }
                // The reply of a connection the VPC opened comes back through the egress-only
                // gateway (it is stateful).
                (NodeKind::Internet, Via::Eigw(g)) => {
                    self.hop(ComponentRef::new(K::Internet, "internet"), None, r, r);
                    self.hop(
                        ComponentRef::new(K::EgressOnlyInternetGateway, g),
                        None,
                        r,
                        r,
                    );
                }
                // The reply of a connection from the internet.
                _ if matches!(seg.from.kind, NodeKind::Internet) => {
                    let to_subnet = seg.to.subnet.clone().unwrap_or_default();
                    self.acl(&to_subnet, Direction::Egress, r);
                    self.route_to_internet(&to_subnet, r);
                }
                _ => {
                    let to_subnet = seg.to.subnet.clone().unwrap_or_default();
                    let crossing = seg.via != Via::Local || seg.to.subnet != seg.from.subnet;
                    if crossing {
                        self.acl(&to_subnet, Direction::Egress, r);
                    }
                    self.route_back(seg, &to_subnet, r);
                }
            }
            let crossing = seg.via != Via::Local || seg.to.subnet != seg.from.subnet;
            if crossing {
                if let Some(sub) = &seg.from.subnet {
                    self.acl(sub, Direction::Ingress, r);
                }
            }
            match &seg.from.kind {
                NodeKind::Nat(n) => {
                    let out = match i.checked_sub(1).and_then(|j| segs.get(j)) {
                        Some(prev) => prev.hdr.reply(),
                        None => r,
                    };
                    self.hop(ComponentRef::new(K::NatGateway, n), None, r, out);
                }
                NodeKind::Eni(id) => {
                    if let Some(e) = self.s.enis.get(id) {
                        self.hop(ComponentRef::new(K::NetworkInterface, &e.id), None, r, r);
                    }
                }
                NodeKind::Internet => {}
            }
        }
    }

    /// The responder's route table must send the reply `r` of `seg` back where it came from.
    pub(super) fn route_back(&mut self, seg: &Seg, to_subnet: &str, r: Header) {
        let table = self.s.table_of_subnet(to_subnet);
        let table_ref = table_component(table, to_subnet);
        let same_vpc = seg.from.vpc == seg.to.vpc;
        match self.decide(table, r.dst_ip) {
            Decision::None => {
                self.hop(table_ref.clone(), None, r, r);
                self.block(
                    Code::NoRouteToDestination,
                    table_ref.clone(),
                    format!(
                        "{} has no route back to {} for the reply {r}",
                        table_ref.id, r.dst_ip
                    ),
                );
            }
            Decision::LocalOverride(d) => {
                self.hop(
                    table_ref.clone(),
                    Some(RuleRef::Route {
                        destination: d,
                        target: RouteTarget::Local,
                    }),
                    r,
                    r,
                );
                if !same_vpc {
                    self.wrong_way_back(&table_ref, seg, r);
                }
            }
            Decision::Route(e) => {
                self.hop(table_ref.clone(), Some(route_rule(e)), r, r);
                match (&e.target, same_vpc) {
                    (RouteTarget::Local, true) => {}
                    (RouteTarget::Peering(pcx), false) => {
                        self.hop(ComponentRef::new(K::PeeringConnection, pcx), None, r, r);
                        if !e.active {
                            self.blackhole(&table_ref, e, r);
                            return;
                        }
                        let leads_home = self.s.peerings.get(pcx).is_some_and(|p| {
                            p.other_side(&seg.to.vpc) == Some(seg.from.vpc.as_str())
                                && p.side_contains(&seg.from.vpc, r.dst_ip)
                        });
                        if !leads_home {
                            self.wrong_way_back(&table_ref, seg, r);
                        }
                    }
                    (RouteTarget::Instance(_) | RouteTarget::NetworkInterface(_), true) => {
                        // Back through the appliance the forward segment came from.
                        let back_to = match &seg.from.kind {
                            NodeKind::Eni(id) => Some(id.as_str()),
                            _ => None,
                        };
                        let via = self.appliance_eni(&e.target).map(|x| x.id.as_str());
                        if via.is_none() || via != back_to {
                            self.wrong_way_back(&table_ref, seg, r);
                        } else if !e.active {
                            self.blackhole(&table_ref, e, r);
                        }
                    }
                    _ => self.wrong_way_back(&table_ref, seg, r),
                }
            }
        }
    }

    pub(super) fn wrong_way_back(&mut self, table_ref: &ComponentRef, seg: &Seg, r: Header) {
        self.block(
            Code::NoRouteToDestination,
            table_ref.clone(),
            format!(
                "the best route of {} for the reply {r} does not lead back to {}",
                table_ref.id, seg.from.vpc
            ),
        );
    }
}
