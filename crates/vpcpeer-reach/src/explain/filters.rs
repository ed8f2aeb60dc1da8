//! The filters of the AWS walk: a subnet's network ACL and an interface's security groups, each
//! recording its hop and, when it drops the packet, its blocker.

use super::*;

impl<'s> Walk<'s> {
    pub(super) fn acl(&mut self, subnet: &str, dir: Direction, h: Header) {
        let Some(acl) = self.s.acl_of_subnet(subnet) else {
            return;
        };
        let (entries, peer) = match dir {
            Direction::Egress => (&acl.outbound, h.dst_ip),
            Direction::Ingress => (&acl.inbound, h.src_ip),
        };
        let first = entries.iter().find(|e| acl_entry_matches(e, &h, peer));
        let action = first.map_or(AclAction::Deny, |e| e.action);
        let rule_number = first.map(|e| e.rule_number);
        self.hop(
            ComponentRef::new(K::NetworkAcl, &acl.id),
            Some(RuleRef::AclRule {
                rule_number,
                action,
                direction: dir,
            }),
            h,
            h,
        );
        if action == AclAction::Deny {
            let rule = rule_number.map_or("*".to_owned(), |n| n.to_string());
            let way = match dir {
                Direction::Egress => "outbound",
                Direction::Ingress => "inbound",
            };
            self.block(
                Code::SubnetAclRestriction { direction: dir },
                ComponentRef::new(K::NetworkAcl, &acl.id),
                format!(
                    "{} of subnet {subnet} denies {way} {h} (rule {rule})",
                    acl.id
                ),
            );
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
        let peer_ip = match dir {
            Direction::Egress => h.dst_ip,
            Direction::Ingress => h.src_ip,
        };
        for gid in &eni.groups {
            let Some(g) = self.s.groups.get(gid) else {
                continue;
            };
            let rules = match dir {
                Direction::Egress => &g.egress,
                Direction::Ingress => &g.ingress,
            };
            let hit = rules.iter().find(|r| {
                sg_protocol_admits(r, &h)
                    && match sg_cidr_admits(r, peer_ip) {
                        Some(ok) => ok,
                        None => match &r.peer {
                            vpcpeer_model::RulePeer::Group { group_id, .. } => {
                                self.group_ref_matches(g, group_id, peer)
                            }
                            _ => false,
                        },
                    }
            });
            if let Some(r) = hit {
                self.hop(
                    ComponentRef::new(K::SecurityGroup, gid),
                    Some(RuleRef::SecurityGroupRule {
                        group_id: gid.clone(),
                        rule_id: r.id.clone(),
                        direction: dir,
                    }),
                    h,
                    h,
                );
                return;
            }
        }
        let component = match eni.groups.first() {
            Some(g) => ComponentRef::new(K::SecurityGroup, g),
            None => ComponentRef::new(K::NetworkInterface, &eni.id),
        };
        self.hop(component, None, h, h);
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
