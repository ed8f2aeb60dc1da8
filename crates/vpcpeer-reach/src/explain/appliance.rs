//! A route whose target is an instance or a network interface: the appliance pattern (a NAT
//! instance, a firewall VM, a gateway VM).
//!
//! What the walk does at such a route (each step a hop; a failed check a blocker, after which
//! the walk goes on as if it had passed, like everywhere else):
//! 1. the route is chosen in the table of the packet's current subnet; a blackhole (the
//!    instance stopped or terminated, the interface detached or gone, or its instance not
//!    running) is `BAD_STATE_ROUTE` naming the route, and the walk cannot tell where the packet
//!    would go, so it goes on as if delivered to the destination;
//! 2. the subnet's network ACL outbound, then the appliance subnet's ACL inbound, where the
//!    packet changes subnet;
//! 3. the appliance interface's security groups inbound (the packet comes from the previous
//!    node: the source or an earlier appliance);
//! 4. a route back to an appliance already crossed is `ROUTING_LOOP` (the walk stops there);
//! 5. if the packet is addressed to the appliance itself, it is delivered there;
//! 6. with the interface's source/destination check on, a packet not addressed to one of its
//!    addresses is dropped: `ENI_SOURCE_DEST_CHECK_RESTRICTION` naming the interface;
//! 7. the appliance interface's security groups outbound, towards the final destination;
//! 8. the packet leaves the appliance unchanged (same source and destination: a router, not a
//!    NAT) and the appliance subnet's route table routes it on — unless the appliance is a
//!    `vpcpeer-gateway` instance with a tunnel for the destination: then the packet goes into
//!    the tunnel instead (`tunnel.rs`).
//!
//! The return path replays the segments backwards (see `back.rs`): the reply crosses the
//! appliance too, and each responder's table must lead the reply back — by the local route
//! within a VPC, by a route to the appliance the forward segment came from, or over the peering
//! it crossed. A reply that a table sends around the appliance (the local route, while the
//! forward packet went through it) is accepted: security groups are stateful per interface and
//! the engine does not model an appliance's own connection state. [UNVERIFIED: Reachability
//! Analyzer's exact treatment of asymmetric appliance paths.]
//!
//! A route table may only target an interface of its own VPC (CreateRoute refuses another), so
//! an appliance in a peer VPC is never a route target here; a packet that crossed a peering is
//! delivered in the peer VPC by its destination address and is never routed on, so an appliance
//! in the peer cannot carry it further (edge-to-edge: `PCX_REQUIRES_ADDRESS_IN_VPC_CIDR` names
//! the peering).

use super::*;

impl<'s> Walk<'s> {
    /// The interface a route's instance or interface target sends packets to.
    pub(super) fn appliance_eni(&self, target: &RouteTarget) -> Option<&'s EniView> {
        match target {
            RouteTarget::Instance(i) => self
                .s
                .instances
                .get(i)
                .and_then(|i| i.primary_eni.as_ref())
                .and_then(|e| self.s.enis.get(e)),
            RouteTarget::NetworkInterface(e) => self.s.enis.get(e),
            _ => None,
        }
    }

    /// Crosses the appliance route `e` of `table_ref` (the table of `subnet`, where the packet
    /// `h` is, at node `cur`). Returns the appliance's node when the packet leaves it to be
    /// routed on, `None` when the walk ended here (delivered, or blocked with nowhere known to
    /// go next).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn appliance(
        &mut self,
        cur: &Node,
        subnet: &str,
        table_ref: &ComponentRef,
        e: &'s RouteEntry,
        dst: &Dst<'s>,
        h: Header,
        crossed: &mut Vec<String>,
        segs: &mut Vec<Seg>,
    ) -> Option<Node> {
        let rule = route_rule(e);
        let Some(eni) = self.appliance_eni(&e.target) else {
            self.acl(subnet, Direction::Egress, h);
            self.hop(table_ref.clone(), Some(rule), h, h);
            self.blackhole(table_ref, e, h);
            self.as_if(cur, dst, h, segs);
            return None;
        };
        let crossing = eni.subnet_id != subnet;
        if crossing {
            self.acl(subnet, Direction::Egress, h);
        }
        self.hop(table_ref.clone(), Some(rule), h, h);
        if !e.active {
            self.blackhole(table_ref, e, h);
        }
        if crossed.contains(&eni.id) {
            self.block(
                Code::RoutingLoop,
                table_ref.clone(),
                format!(
                    "{} sends {h} back to {}, which it already crossed",
                    table_ref.id, eni.id
                ),
            );
            return None;
        }
        if eni.ips.contains(&h.dst_ip) {
            // Addressed to the appliance itself: an ordinary delivery.
            self.deliver(cur, eni, h, Via::Local, segs);
            return None;
        }
        if crossing {
            self.acl(&eni.subnet_id, Direction::Ingress, h);
        }
        let from = self.eni_of_node(cur);
        self.sg(eni, Direction::Ingress, h, from);
        self.endpoint_hops(eni, h, false);
        let tunnel_gateway = eni
            .instance
            .as_ref()
            .and_then(|i| self.s.instances.get(i))
            .is_some_and(|i| i.gateway.is_some());
        if eni.source_dest_check {
            self.block(
                Code::EniSourceDestCheckRestriction,
                ComponentRef::new(K::NetworkInterface, &eni.id),
                format!(
                    "{} has its source/destination check on and drops {h}, which is not addressed to it",
                    eni.id
                ),
            );
        }
        if tunnel_gateway {
            // A gateway VM with a tunnel for the destination: into the tunnel (`tunnel.rs`).
            if let Some(next) = self.tunnel(cur, eni, dst, h, crossed, segs) {
                return next;
            }
        }
        self.sg(eni, Direction::Egress, h, dst.eni());
        let node = node_of_eni(eni);
        segs.push(Seg {
            from: cur.clone(),
            to: node.clone(),
            via: Via::Local,
            hdr: h,
        });
        crossed.push(eni.id.clone());
        Some(node)
    }
}
