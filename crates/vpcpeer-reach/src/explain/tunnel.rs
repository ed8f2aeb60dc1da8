//! The AWS walk through an encrypted tunnel (the model is [`crate::tunnel`]): a route that
//! sends the packet to an instance of the `vpcpeer-gateway` image whose configuration has a
//! tunnel for the destination.
//!
//! Forward: the appliance checks of `appliance.rs` at gateway A (its subnet's ACL, its groups
//! inbound, its source/destination check), then the outer path both ways (hops with the outer
//! UDP header: A's and B's instance, groups, ACLs, route tables and internet gateways), the
//! tunnel hop (its rule: the matched `AllowedIPs` prefix and the endpoint), gateway B's instance
//! and interface; the inner packet leaves B unchanged (original source and destination): B's
//! source/destination check must be off and its groups must let it out, and B's subnet route
//! table routes it on. When no gateway holds the endpoint address the walk ends at A.
//!
//! Return: the reply crosses B, the tunnel back (B must send the reply's destination into the
//! tunnel to A, A's entry for B must allow the reply's source: [`tunnel::check_return`]) and A.
//! The outer path was checked both ways on the forward leg (the tunnel is one association,
//! whichever end sends).

use super::*;
use crate::tunnel::{self, aws::host_of_eni, Blocked};

/// The two gateways of a tunnel segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TunnelLeg {
    /// The tunnel's component.
    pub(super) component: ComponentRef,
    /// Gateway A's interface (where the inner packet entered the tunnel).
    pub(super) local: String,
    /// Gateway B's interface (where it left).
    pub(super) far: String,
}

impl<'s> Walk<'s> {
    fn block_with(&mut self, b: Blocked) {
        self.blockers.push(Explanation {
            code: b.code,
            component: b.component,
            leg: self.leg,
            detail: b.detail,
            fact: b.fact,
        });
    }

    /// At appliance `eni` (reached from `cur`), after its inbound checks: when it is a gateway
    /// with a tunnel for `h`'s destination, the walk through the tunnel. `None`: not a tunnel
    /// (an ordinary appliance); `Some(next)`: the node the packet is routed on from (gateway
    /// B), or `Some(None)` when the walk ends at A.
    pub(super) fn tunnel(
        &mut self,
        cur: &Node,
        eni: &'s EniView,
        dst: &Dst<'s>,
        h: Header,
        crossed: &mut Vec<String>,
        segs: &mut Vec<Seg>,
    ) -> Option<Option<Node>> {
        let local = host_of_eni(self.s, eni)?;
        let plan = tunnel::plan(self.s, &local, h)?;
        for step in &plan.outer {
            self.hop(
                step.component.clone(),
                step.rule.clone(),
                step.header,
                step.header,
            );
        }
        self.hop(plan.component.clone(), Some(plan.rule.clone()), h, h);
        for b in plan.blockers {
            self.block_with(b);
        }
        let here = node_of_eni(eni);
        segs.push(Seg {
            from: cur.clone(),
            to: here.clone(),
            via: Via::Local,
            hdr: h,
        });
        crossed.push(eni.id.clone());
        let Some(far) = plan.peer.and_then(|p| self.s.enis.get(p.interface)) else {
            return Some(None);
        };
        self.endpoint_hops(far, h, true);
        if far.source_dest_check {
            self.block(
                Code::EniSourceDestCheckRestriction,
                ComponentRef::new(K::NetworkInterface, &far.id),
                format!(
                    "{} (the far end of the tunnel {}) has its source/destination check on and drops {h}, which it forwards",
                    far.id, plan.component.id
                ),
            );
        }
        self.sg(far, Direction::Egress, h, dst.eni());
        let there = node_of_eni(far);
        segs.push(Seg {
            from: here,
            to: there.clone(),
            via: Via::Tunnel(Box::new(TunnelLeg {
                component: plan.component,
                local: eni.id.clone(),
                far: far.id.clone(),
            })),
            hdr: h,
        });
        crossed.push(far.id.clone());
        Some(Some(there))
    }

    /// The reply `r` back through the tunnel of `leg` (from B to A).
    pub(super) fn tunnel_back(&mut self, leg: &TunnelLeg, r: Header) {
        self.hop(leg.component.clone(), None, r, r);
        let (Some(a), Some(b)) = (self.s.enis.get(&leg.local), self.s.enis.get(&leg.far)) else {
            return;
        };
        let (Some(local), Some(far)) = (host_of_eni(self.s, a), host_of_eni(self.s, b)) else {
            return;
        };
        for blocked in tunnel::check_return(&local, &far, r) {
            self.block_with(blocked);
        }
    }
}
