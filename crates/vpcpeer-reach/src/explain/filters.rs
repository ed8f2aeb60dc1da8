//! The filters of the AWS walk: a subnet's network ACL and an interface's security groups, each
//! recording its hop and, when it drops the packet, its blocker.

use super::*;

impl<'s> Walk<'s> {
    pub(super) fn acl(&mut self, subnet: &str, dir: Direction, h: Header) {
        let Some(d) = self.s.acl_decision(subnet, dir, &h) else {
            return;
        };
        self.hop(d.component(), Some(d.rule(dir)), h, h);
        if let Some((code, at, detail)) = d.denial(subnet, dir, &h) {
            self.block(code, at, detail);
        }
    }

    /// Whether a group reference of a rule of `owner` to `group_id` matches the interface `peer`.
    pub(super) fn group_ref_matches(
        &self,
        owner: &GroupView,
        group_id: &str,
        peer: Option<&EniView>,
    ) -> bool {
        let Some(peer) = peer else {
            return false;
        };
        if !peer.groups.iter().any(|g| g == group_id) {
            return false;
        }
        let Some(g) = self.s.groups.get(group_id) else {
            return false;
        };
        g.vpc_id == owner.vpc_id
            || (g.scope.region == owner.scope.region
                && self
                    .s
                    .active_peering_between(&owner.vpc_id, &g.vpc_id)
                    .is_some())
    }

    /// Security groups of `eni` for `h`; `peer` is the interface at the other end, for group
    /// references.
    pub(super) fn sg(&mut self, eni: &EniView, dir: Direction, h: Header, peer: Option<&EniView>) {
        if eni.nat_gateway.is_some() {
            return;
        }
        let hit = self.s.sg_admits(eni, dir, &h, |g, group_id| {
            self.group_ref_matches(g, group_id, peer)
        });
        if let Some((group, rule)) = hit {
            self.hop(group, Some(rule), h, h);
            return;
        }
        self.hop(eni.sg_component(), None, h, h);
        let way = match dir {
            Direction::Egress => "egress",
            Direction::Ingress => "ingress",
        };
        self.block(
            Code::EniSgRulesMismatch { direction: dir },
            ComponentRef::new(K::NetworkInterface, &eni.id),
            format!(
                "no {way} rule of the security groups [{}] of {} admits {h}",
                eni.groups.join(", "),
                eni.id
            ),
        );
    }
}
