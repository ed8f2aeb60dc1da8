//! Where the AWS walk's chosen route leads: a blackhole, the local VPC, a peering connection, an
//! internet, egress-only internet or NAT gateway, a gateway VPC endpoint or a virtual private
//! gateway, each with the hops and blockers of crossing it.
//!
//! A virtual private gateway leads to on-premises networks, which the engine does not model
//! beyond the gateway: a destination outside every VPC whose best route is a `vgw-` "leaves
//! through the VPN gateway" (the path ends at the gateway, reachable when the route is active:
//! the gateway attached to the table's VPC). A route to a detached or deleted gateway is a
//! blackhole (`BAD_STATE_ROUTE`). Traffic that arrived over a peering never leaves through the
//! peer's gateway (`VGW_EDGE_TO_EDGE`).

use super::*;

/// A gateway through which a route leaves the VPC for addresses outside every VPC.
pub(super) struct Exit {
    gateway: ComponentRef,
    /// How the forward segment crosses it (the reply comes back the same way).
    via: Via,
    /// What the gateway is, in a blocker's words.
    name: &'static str,
    /// The packet comes from a private NAT gateway, which may not use an internet gateway.
    from_private_nat: bool,
}

impl<'s> Walk<'s> {
    /// The exit gateway `e` leads to from `cur`, if its target is one: an internet gateway, a
    /// virtual private gateway, an egress-only internet gateway, or a gateway VPC endpoint
    /// routed by its prefix list.
    pub(super) fn exit_of(&self, cur: &Node, e: &RouteEntry) -> Option<Exit> {
        let (kind, id, via, name) = match &e.target {
            RouteTarget::Gateway(g) if g.starts_with("igw-") => (
                K::InternetGateway,
                g,
                Via::Igw(g.clone()),
                "internet gateway",
            ),
            RouteTarget::VpcEndpoint(v) if matches!(e.destination, Destination::PrefixList(_)) => (
                K::VpcEndpoint,
                v,
                Via::Endpoint(v.clone()),
                "gateway endpoint",
            ),
            RouteTarget::Gateway(g) if g.starts_with("vgw-") => (
                K::VpnGateway,
                g,
                Via::Vgw(g.clone()),
                "virtual private gateway",
            ),
            RouteTarget::EgressOnlyInternetGateway(g) => (
                K::EgressOnlyInternetGateway,
                g,
                Via::Eigw(g.clone()),
                "egress-only internet gateway",
            ),
            _ => return None,
        };
        let from_private_nat = kind == K::InternetGateway
            && match &cur.kind {
                NodeKind::Nat(n) => self.s.nats.get(n).is_some_and(|n| !n.public),
                _ => false,
            };
        Some(Exit {
            gateway: ComponentRef::new(kind, id),
            via,
            name,
            from_private_nat,
        })
    }

    pub(super) fn blackhole(&mut self, table_ref: &ComponentRef, e: &RouteEntry, h: Header) {
        let why = match &e.target {
            RouteTarget::Peering(p) => match self.s.peerings.get(p) {
                Some(v) => format!("peering connection {p} is {}", state_name(v.state)),
                None => format!("peering connection {p} does not exist"),
            },
            RouteTarget::Instance(i) => match self.s.instances.get(i) {
                Some(v) => format!("instance {i} is {}", instance_state_name(v.state)),
                None => format!("instance {i} does not exist"),
            },
            RouteTarget::NetworkInterface(id) => match self.s.enis.get(id) {
                None => format!("network interface {id} does not exist"),
                Some(v) => match v.instance.as_ref().and_then(|i| self.s.instances.get(i)) {
                    Some(i) => format!(
                        "network interface {id} is attached to instance {}, which is {}",
                        i.id,
                        instance_state_name(i.state)
                    ),
                    None => format!("network interface {id} is not attached to an instance"),
                },
            },
            other => format!("{} is not usable", other.id()),
        };
        self.block(
            Code::BadStateRoute,
            table_ref.clone(),
            format!(
                "route {} -> {} of {} is a blackhole for {h}: {why}",
                e.destination,
                e.target.id(),
                table_ref.id
            ),
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn local(
        &mut self,
        cur: &Node,
        subnet: &str,
        table_ref: ComponentRef,
        rule: RuleRef,
        dst: &Dst<'s>,
        h: Header,
        segs: &mut Vec<Seg>,
    ) {
        let vpc = cur.vpc.clone();
        // Whether the packet leaves the subnet is known only once the interface is found.
        let target = match dst {
            Dst::Eni { eni, by_ip, ip } if eni.vpc_id != vpc && *by_ip => {
                self.s.eni_in_vpc(&vpc, *ip).or(Some(eni))
            }
            Dst::Eni { eni, .. } => Some(*eni),
            Dst::Unassigned { ip, .. } | Dst::Internet(ip) => self.s.eni_in_vpc(&vpc, *ip),
        };
        if target.is_none_or(|e| e.subnet_id != subnet || e.vpc_id != vpc) {
            self.acl(subnet, Direction::Egress, h);
        }
        self.hop(table_ref, Some(rule), h, h);
        if let Some(eni) = self.land(&vpc, dst, h) {
            let via = if eni.vpc_id == vpc {
                Via::Local
            } else {
                Via::Peering
            };
            self.deliver(cur, eni, h, via, segs);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn peering(
        &mut self,
        cur: &Node,
        table_ref: &ComponentRef,
        e: &RouteEntry,
        pcx: &str,
        dst: &Dst<'s>,
        h: Header,
        segs: &mut Vec<Seg>,
    ) {
        let pcx_ref = ComponentRef::new(K::PeeringConnection, pcx);
        self.hop(pcx_ref.clone(), None, h, h);
        let Some(p) = self.s.peerings.get(pcx) else {
            self.blackhole(table_ref, e, h);
            self.as_if(cur, dst, h, segs);
            return;
        };
        if !e.active {
            self.blackhole(table_ref, e, h);
        }
        let Some(peer) = p.other_side(&cur.vpc) else {
            self.block(
                Code::BadStateRoute,
                table_ref.clone(),
                format!("peering connection {pcx} does not join {}", cur.vpc),
            );
            self.as_if(cur, dst, h, segs);
            return;
        };
        if p.side_contains(peer, h.dst_ip) {
            if let Some(eni) = self.land(peer, dst, h) {
                let via = if eni.vpc_id == cur.vpc {
                    Via::Local
                } else {
                    Via::Peering
                };
                self.deliver(cur, eni, h, via, segs);
            }
            return;
        }
        self.block(
            Code::PcxRequiresAddressInVpcCidr,
            pcx_ref,
            format!(
                "{} is outside the blocks of {peer}; {pcx} delivers only to addresses inside the peer VPC",
                h.dst_ip
            ),
        );
        // Where the peer would send it next: its main table shows an edge-to-edge attempt.
        let onward = self
            .s
            .vpcs
            .get(peer)
            .and_then(|v| v.main_route_table.as_ref())
            .and_then(|t| self.s.tables.get(t));
        if let Decision::Route(next) = self.decide(onward, h.dst_ip) {
            match &next.target {
                RouteTarget::Gateway(igw) if igw.starts_with("igw-") => self.block(
                    Code::IgwEdgeToEdge,
                    ComponentRef::new(K::InternetGateway, igw),
                    format!("traffic that arrived over {pcx} may not leave {peer} through its internet gateway {igw}"),
                ),
                RouteTarget::VpcEndpoint(v)
                    if matches!(next.destination, Destination::PrefixList(_)) =>
                {
                    self.block(
                        Code::VpceGatewayEdgeToEdge,
                        ComponentRef::new(K::VpcEndpoint, v),
                        format!("traffic that arrived over {pcx} may not use the gateway endpoint {v} of {peer}"),
                    )
                }
                RouteTarget::Gateway(vgw) if vgw.starts_with("vgw-") => self.block(
                    Code::VgwEdgeToEdge,
                    ComponentRef::new(K::VpnGateway, vgw),
                    format!("traffic that arrived over {pcx} may not leave {peer} through its virtual private gateway {vgw}: a peer cannot use the VPN connection"),
                ),
                RouteTarget::EgressOnlyInternetGateway(g) => self.block(
                    Code::IgwEdgeToEdge,
                    ComponentRef::new(K::EgressOnlyInternetGateway, g),
                    format!("traffic that arrived over {pcx} may not leave {peer} through its egress-only internet gateway {g}"),
                ),
                RouteTarget::NatGateway(nat) => self.block(
                    Code::NgwRequiresSourceInVpc,
                    ComponentRef::new(K::NatGateway, nat),
                    format!("NAT gateway {nat} forwards only traffic that originates in {peer}, not traffic that arrived over {pcx}"),
                ),
                _ => {}
            }
        }
        self.as_if(cur, dst, h, segs);
    }

    /// A route out of the VPC through an exit gateway: the gateway's hop, a blackhole when the
    /// route is not active, then the internet for a destination outside every VPC (on-premises
    /// for a virtual private gateway: the path ends at the gateway); an address inside a VPC is
    /// not reached through it. An egress-only internet gateway carries the IPv6 traffic the VPC
    /// opens (its replies come back); a gateway endpoint's route (from a prefix list) was chosen
    /// by longest-prefix match over the list's blocks, so the destination lies in the list.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn exit(
        &mut self,
        cur: &Node,
        table_ref: &ComponentRef,
        e: &RouteEntry,
        x: Exit,
        dst: &Dst<'s>,
        h: Header,
        segs: &mut Vec<Seg>,
    ) {
        self.hop(x.gateway.clone(), None, h, h);
        if !e.active {
            self.blackhole(table_ref, e, h);
        }
        let Dst::Internet(_) = dst else {
            self.block(
                Code::NoRouteToDestination,
                table_ref.clone(),
                format!(
                    "the best route of {} for {} leads to the {} {}, but the address lies in {}",
                    table_ref.id,
                    h.dst_ip,
                    x.name,
                    x.gateway.id,
                    dst.vpc().unwrap_or("a VPC")
                ),
            );
            self.as_if(cur, dst, h, segs);
            return;
        };
        if x.from_private_nat {
            self.block(
                Code::NoRouteToDestination,
                table_ref.clone(),
                format!(
                    "a private NAT gateway cannot send {h} to the internet gateway {}",
                    x.gateway.id
                ),
            );
        }
        if x.gateway.kind != K::VpnGateway {
            self.hop(ComponentRef::new(K::Internet, "internet"), None, h, h);
        }
        segs.push(Seg {
            from: cur.clone(),
            to: Node::internet(),
            via: x.via,
            hdr: h,
        });
    }
}
