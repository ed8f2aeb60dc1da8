//! Security groups and their rules, including references to groups in peer VPCs.
//!
//! Behaviour follows the Amazon VPC Peering Guide ("Update your security groups to reference peer
//! security groups", "Unsupported VPC peering configurations") and `DescribeStaleSecurityGroups`:
//! - A rule may reference a group in the same VPC, or in a VPC connected to the rule's VPC by an
//!   *active* peering in the *same region* (any account: the referenced group is looked up in the
//!   whole world, its owner must be the `UserId` given, default the caller). The connection is
//!   recorded in [`RulePeer::Group::peering_id`]. Anything else is refused with
//!   [`DomainError::Group`] ([`GroupProblem`](crate::GroupProblem)).
//! - A peer reference turns *stale* when the referenced group is deleted or when no active
//!   peering connects the two VPCs any more; it stops being stale as soon as a new active peering
//!   between the same VPCs exists ([`Tx::group_reference`] computes this at read time; nothing is
//!   rewritten).
//! - References from a peer VPC never block deleting a group; references from groups of the same
//!   VPC and network interfaces do.
//!
//! Choices where AWS is unverified:
//! - `GroupName` alone selects among the groups of the region's default VPC, as on AWS ("The
//!   security group 'x' does not exist in default VPC 'vpc-…'" when it has none of that name);
//!   CreateSecurityGroup without a VPC creates the group there. In a region without a default
//!   VPC, CreateSecurityGroup without a VPC is refused (`VPCIdNotSpecified`), while a name
//!   selects among all of the caller's groups in the region (an emulator leniency: AWS refuses
//!   it), and a name several VPCs use is refused with `InvalidParameterCombination`.
//! - Host bits of a rule CIDR are masked (`10.0.0.28/29` → `10.0.0.24/29`), as AWS does per
//!   ansible/ansible#25403; unparsable CIDRs give `InvalidParameterValue` "CIDR block x is
//!   malformed".
//! - Missing TCP/UDP ports, out-of-range ports and `from > to` give `InvalidParameterValue`; an
//!   ICMP rule without type/code means all types and codes (-1/-1).
//! - The rules quota counts per direction and IP family; a rule referencing a group or a prefix
//!   list counts for both families (AWS quota page).
//! - Revoking by permission reports what matched nothing in `unknown` instead of failing; revoking
//!   an unknown rule id fails with `InvalidSecurityGroupRuleId.NotFound`.
//! - Matching a group peer on revoke and on duplicate detection ignores the peering connection, so
//!   a stale rule can be revoked and a rule is not duplicated across a re-peering.
//! - Order of checks (chosen: EC2 validates a request's parameters before it looks resources
//!   up, and the spec is silent on this action): the commands carry permissions already parsed
//!   at the edge ([`RulePermission`], parsed by the EC2 face: protocol, ports or ICMP type and
//!   code, a peer, each range's description and block), so those errors come before any about the world; when the
//!   command runs, the group, then the referenced groups and peerings in request order, then
//!   duplicates and the rules quota. Until commands, an unknown group was reported ahead of a
//!   bad permission value.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aws::check_id;
use crate::aws::error::Field;
use crate::aws::peering_state::PeeringState;
use crate::{
    DefaultVpcUse, Dependent, DomainError, GroupProblem, Kind, LimitKind, PeeringConnection,
    RulePeer, SecurityGroup, SgRule, Tags, Tx, Vpc,
};

/// Input of CreateSecurityGroup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSecurityGroup {
    /// `GroupName`.
    pub name: String,
    /// `GroupDescription`.
    pub description: String,
    /// `VpcId`; `None`: the region's default VPC.
    pub vpc_id: Option<String>,
    /// Tags from TagSpecification.
    pub tags: Tags,
}

/// How a request names the group it acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupSelector {
    /// `GroupId`.
    Id(String),
    /// `GroupName`.
    Name(String),
}

/// Inbound or outbound rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Inbound.
    Ingress,
    /// Outbound.
    Egress,
}

/// Result of a revoke by permission.
#[derive(Debug, Clone, Default)]
pub struct RevokeOutcome {
    /// The rules removed.
    pub revoked: Vec<SgRule>,
    /// The parts of the request that matched no rule (only the ranges and group pairs that
    /// matched nothing; each range keeps the caller's text).
    pub unknown: Vec<RulePermission>,
}

/// Whether two rules grant the same thing; group peers compare by group and account only.
pub fn same_grant(a: &SgRule, b: &SgRule) -> bool {
    let peers_equal = match (&a.peer, &b.peer) {
        (
            RulePeer::Group {
                group_id: ga,
                user_id: ua,
                ..
            },
            RulePeer::Group {
                group_id: gb,
                user_id: ub,
                ..
            },
        ) => ga == gb && ua == ub,
        (x, y) => x == y,
    };
    peers_equal && a.protocol == b.protocol && a.from_port == b.from_port && a.to_port == b.to_port
}

/// Counts of rules per IP family (group and prefix-list rules count for both); a rule to a
/// prefix list counts as `weight(list)` (its `MaxEntries`, as AWS counts it).
pub(crate) fn family_counts<'a>(
    rules: impl Iterator<Item = &'a SgRule>,
    weight: &dyn Fn(&str) -> usize,
) -> (usize, usize) {
    rules.fold((0, 0), |(v4, v6), r| match &r.peer {
        RulePeer::Cidr4(_) => (v4 + 1, v6),
        RulePeer::Cidr6(_) => (v4, v6 + 1),
        RulePeer::PrefixList(p) => {
            let n = weight(p);
            (v4 + n, v6 + n)
        }
        RulePeer::Group { .. } => (v4 + 1, v6 + 1),
    })
}

fn connects(p: &PeeringConnection, a: &str, b: &str) -> bool {
    (p.requester.vpc_id == a && p.accepter.vpc_id == b)
        || (p.requester.vpc_id == b && p.accepter.vpc_id == a)
}

fn rules_of(g: &SecurityGroup, dir: Direction) -> &Vec<SgRule> {
    match dir {
        Direction::Ingress => &g.ingress,
        Direction::Egress => &g.egress,
    }
}

fn rules_of_mut(g: &mut SecurityGroup, dir: Direction) -> &mut Vec<SgRule> {
    match dir {
        Direction::Ingress => &mut g.ingress,
        Direction::Egress => &mut g.egress,
    }
}

impl Tx<'_, '_> {
    /// The caller's group named by `sel`.
    pub fn security_group(&self, sel: &GroupSelector) -> Result<&SecurityGroup, DomainError> {
        match sel {
            GroupSelector::Id(id) => self.owned::<SecurityGroup>(id),
            GroupSelector::Name(name) => {
                let found = self.groups_named(name)?;
                match found.as_slice() {
                    [g] => Ok(g),
                    _ => Err(DomainError::AmbiguousGroupName { name: name.clone() }),
                }
            }
        }
    }

    /// The caller's groups a bare `GroupName` selects: the default VPC's group of that name, or,
    /// in a region without a default VPC, every group of that name (at least one).
    pub fn groups_named(&self, name: &str) -> Result<Vec<&SecurityGroup>, DomainError> {
        if let Some(vpc) = self.default_vpc() {
            let vpc_id = vpc.id.clone();
            return self
                .list_owned::<SecurityGroup>()
                .find(|g| g.vpc_id == vpc_id && g.name == name)
                .map(|g| vec![g])
                .ok_or_else(|| {
                    DomainError::Group(GroupProblem::NotInDefaultVpc {
                        name: name.to_owned(),
                        vpc_id,
                    })
                });
        }
        let found: Vec<&SecurityGroup> = self
            .list_owned::<SecurityGroup>()
            .filter(|g| g.name == name)
            .collect();
        if found.is_empty() {
            return Err(DomainError::Group(GroupProblem::NameNotFound {
                name: name.to_owned(),
            }));
        }
        Ok(found)
    }

    /// CreateSecurityGroup: the group with its allow-all IPv4 egress rule.
    pub fn create_security_group(
        &mut self,
        input: CreateSecurityGroup,
    ) -> Result<String, DomainError> {
        let vpc = match &input.vpc_id {
            Some(id) => self.owned::<Vpc>(id)?,
            None => self.default_vpc_for(DefaultVpcUse::Group)?,
        };
        let vpc_id = vpc.id.clone();
        let vpc_has_ipv6 = !vpc.ipv6.is_empty();
        let name = input.name;
        if name.is_empty() {
            return Err(DomainError::Missing(Field::GroupName));
        }
        if input.description.is_empty() {
            return Err(DomainError::Missing(Field::GroupDescription));
        }
        check_text(Field::GroupName, &name)?;
        check_text(Field::GroupDescription, &input.description)?;
        if name.to_ascii_lowercase().starts_with("sg-") {
            return Err(DomainError::Group(GroupProblem::NameLikeId { name }));
        }
        if name == "default" {
            return Err(DomainError::GroupReserved { name });
        }
        if self
            .world()
            .aws
            .security_groups
            .values()
            .any(|g| g.vpc_id == vpc_id && g.name == name)
        {
            return Err(DomainError::GroupDuplicate { name, vpc_id });
        }
        self.check_region_limit::<SecurityGroup>(
            self.ctx.limits.security_groups_per_region,
            LimitKind::SecurityGroups,
        )?;
        let id = self.new_id("sg");
        let mut egress = vec![SgRule {
            id: self.new_id("sgr"),
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: RulePeer::Cidr4(ipnet::Ipv4Net::default()),
            description: None,
            tags: crate::Tags::new(),
        }];
        // In a VPC with an IPv6 block, a new group also allows all IPv6 traffic out (Amazon VPC
        // User Guide, "Security groups": "If your VPC has an IPv6 CIDR block, … an outbound
        // rule that allows all outbound IPv6 traffic").
        if vpc_has_ipv6 {
            egress.push(SgRule {
                id: self.new_id("sgr"),
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                peer: RulePeer::Cidr6(ipnet::Ipv6Net::default()),
                description: None,
                tags: crate::Tags::new(),
            });
        }
        let sg = SecurityGroup {
            id: id.clone(),
            name,
            description: input.description,
            vpc_id,
            scope: self.scope().clone(),
            ingress: Vec::new(),
            egress,
            tags: input.tags,
        };
        self.put(sg);
        Ok(id)
    }

    /// DeleteSecurityGroup; returns the id of the deleted group.
    pub fn delete_security_group(&mut self, sel: &GroupSelector) -> Result<String, DomainError> {
        let g = self.security_group(sel)?;
        let id = g.id.clone();
        let vpc_id = g.vpc_id.clone();
        if g.name == "default" {
            return Err(DomainError::CannotDeleteDefaultGroup);
        }
        let w = self.world();
        if let Some(eni) = w
            .aws
            .network_interfaces
            .values()
            .find(|e| e.groups.contains(&id))
        {
            return Err(DomainError::DependencyViolation {
                kind: Kind::SecurityGroup,
                id,
                dependent: Some(Dependent::Interface {
                    interface_id: eni.id.clone(),
                }),
            });
        }
        let referencing = w.aws.security_groups.values().find(|o| {
            o.id != id
                && o.vpc_id == vpc_id
                && o.ingress
                    .iter()
                    .chain(o.egress.iter())
                    .any(|r| matches!(&r.peer, RulePeer::Group { group_id, .. } if *group_id == id))
        });
        if let Some(o) = referencing {
            return Err(DomainError::DependencyViolation {
                kind: Kind::SecurityGroup,
                id,
                dependent: Some(Dependent::ReferencingGroup {
                    group_id: o.id.clone(),
                }),
            });
        }
        self.remove::<SecurityGroup>(&id);
        Ok(id)
    }

    /// An active connection between two VPCs, if any.
    fn active_peering_between(&self, a: &str, b: &str) -> Option<&PeeringConnection> {
        let now = self.now();
        self.world()
            .aws
            .peerings
            .values()
            .find(|p| connects(p, a, b) && p.is_active_at(now))
    }

    /// Resolves a group pair of an authorize request against `owner` (the group getting the rule).
    fn resolve_pair(
        &self,
        owner: &SecurityGroup,
        pair: &GroupPair,
    ) -> Result<RulePeer, DomainError> {
        let user_id = pair
            .user_id
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| owner.scope.account.clone());
        let Some(group_id) = pair.group_id.as_deref().filter(|s| !s.is_empty()) else {
            let Some(name) = pair.group_name.as_deref().filter(|s| !s.is_empty()) else {
                return Err(DomainError::Missing(Field::ReferencedGroup));
            };
            // Names resolve within the owner's VPC only (peer groups need their id).
            let found = self
                .world()
                .aws
                .security_groups
                .values()
                .find(|g| g.vpc_id == owner.vpc_id && g.name == name && g.scope == owner.scope);
            return match found {
                Some(g) if user_id == owner.scope.account => Ok(RulePeer::Group {
                    group_id: g.id.clone(),
                    user_id,
                    peering_id: None,
                }),
                _ => Err(DomainError::Group(GroupProblem::NotInVpc {
                    group: name.to_owned(),
                    vpc_id: owner.vpc_id.clone(),
                })),
            };
        };
        check_id(Kind::SecurityGroup, group_id)?;
        let referenced = match self.get::<SecurityGroup>(group_id) {
            Some(g) if g.scope.account == user_id => g,
            _ => return Err(DomainError::not_found(Kind::SecurityGroup, group_id)),
        };
        if referenced.vpc_id == owner.vpc_id {
            return Ok(RulePeer::Group {
                group_id: group_id.to_owned(),
                user_id,
                peering_id: None,
            });
        }
        if referenced.scope.region != owner.scope.region {
            return Err(DomainError::Group(GroupProblem::OtherRegion {
                group_id: group_id.to_owned(),
                group_region: referenced.scope.region.clone(),
                owner_id: owner.id.clone(),
                owner_region: owner.scope.region.clone(),
            }));
        }
        let different_networks = || {
            DomainError::Group(GroupProblem::NotPeered {
                group_id: group_id.to_owned(),
            })
        };
        let pcx = match pair.peering_id.as_deref().filter(|s| !s.is_empty()) {
            Some(pcx_id) => {
                check_id(Kind::PeeringConnection, pcx_id)?;
                match self.get::<PeeringConnection>(pcx_id) {
                    Some(p)
                        if connects(p, &owner.vpc_id, &referenced.vpc_id)
                            && p.is_active_at(self.now()) =>
                    {
                        p
                    }
                    _ => return Err(different_networks()),
                }
            }
            None => self
                .active_peering_between(&owner.vpc_id, &referenced.vpc_id)
                .ok_or_else(different_networks)?,
        };
        Ok(RulePeer::Group {
            group_id: group_id.to_owned(),
            user_id,
            peering_id: Some(pcx.id.clone()),
        })
    }

    /// The rules a list of permissions asks for (ids not yet assigned).
    fn rules_for(
        &self,
        owner: &SecurityGroup,
        perms: &[RulePermission],
    ) -> Result<Vec<SgRule>, DomainError> {
        let mut out = Vec::new();
        for perm in perms {
            let protocol = perm.protocol.stored();
            let mut push = |peer: RulePeer, description: &Option<String>| {
                out.push(SgRule {
                    id: String::new(),
                    protocol: protocol.clone(),
                    from_port: perm.from_port,
                    to_port: perm.to_port,
                    peer,
                    description: description.clone().filter(|d| !d.is_empty()),
                    tags: crate::Tags::new(),
                });
            };
            for r in &perm.ipv4 {
                push(RulePeer::Cidr4(r.value), &r.description);
            }
            for r in &perm.ipv6 {
                push(RulePeer::Cidr6(r.value), &r.description);
            }
            for r in &perm.prefix_lists {
                push(RulePeer::PrefixList(r.value.clone()), &r.description);
            }
            for g in &perm.groups {
                push(self.resolve_pair(owner, g)?, &g.description);
            }
        }
        Ok(out)
    }

    /// The command behind AuthorizeSecurityGroupIngress/Egress: adds one rule per (permission ×
    /// peer) and returns the group id and the new rules. After the group is found, group pairs
    /// are resolved in request order, then duplicates (within the request, then against the
    /// group) and the rules quota are checked.
    pub fn authorize_rules(
        &mut self,
        dir: Direction,
        sel: &GroupSelector,
        perms: &[RulePermission],
    ) -> Result<(String, Vec<SgRule>), DomainError> {
        if perms.is_empty() {
            return Err(DomainError::Missing(Field::Permissions));
        }
        let group = self.security_group(sel)?.clone();
        let mut rules = self.rules_for(&group, perms)?;
        for (i, r) in rules.iter().enumerate() {
            if rules[..i].iter().any(|o| same_grant(o, r)) {
                return Err(DomainError::Group(GroupProblem::PermissionRepeated));
            }
        }
        let existing = rules_of(&group, dir);
        if let Some(r) = rules
            .iter()
            .find(|r| existing.iter().any(|e| same_grant(e, r)))
        {
            return Err(DomainError::PermissionDuplicate {
                rule: Box::new(r.clone()),
            });
        }
        if let Some(max) = self.ctx.limits.rules_per_security_group {
            let weight = |id: &str| self.prefix_list_weight(id);
            let (v4, v6) = family_counts(existing.iter().chain(rules.iter()), &weight);
            if v4 > max || v6 > max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::RulesPerSecurityGroup,
                    max,
                    resource: None,
                });
            }
        }
        for r in &mut rules {
            r.id = self.new_id("sgr");
        }
        let g = self.owned_mut::<SecurityGroup>(&group.id)?;
        rules_of_mut(g, dir).extend(rules.iter().cloned());
        Ok((group.id, rules))
    }

    /// The command behind RevokeSecurityGroupIngress/Egress by permission. What matches no rule
    /// is reported in [`RevokeOutcome::unknown`] (protocol normalised, ranges as given).
    pub fn revoke_matching(
        &mut self,
        dir: Direction,
        sel: &GroupSelector,
        perms: &[RulePermission],
    ) -> Result<(String, RevokeOutcome), DomainError> {
        if perms.is_empty() {
            return Err(DomainError::Missing(Field::Permissions));
        }
        let group = self.security_group(sel)?.clone();
        let existing = rules_of(&group, dir);
        let mut removed: BTreeSet<String> = BTreeSet::new();
        let mut out = RevokeOutcome::default();
        for perm in perms {
            let protocol = perm.protocol.stored();
            let (from_port, to_port) = (perm.from_port, perm.to_port);
            let mut unknown = RulePermission {
                protocol: perm.protocol,
                from_port,
                to_port,
                ipv4: Vec::new(),
                ipv6: Vec::new(),
                prefix_lists: Vec::new(),
                groups: Vec::new(),
            };
            let mut take = |pred: &dyn Fn(&RulePeer) -> bool| -> bool {
                let hit = existing.iter().find(|r| {
                    r.protocol == protocol
                        && r.from_port == from_port
                        && r.to_port == to_port
                        && pred(&r.peer)
                });
                match hit {
                    Some(r) => {
                        if removed.insert(r.id.clone()) {
                            out.revoked.push(r.clone());
                        }
                        true
                    }
                    None => false,
                }
            };
            for r in &perm.ipv4 {
                if !take(&|p| *p == RulePeer::Cidr4(r.value)) {
                    unknown.ipv4.push(r.clone());
                }
            }
            for r in &perm.ipv6 {
                if !take(&|p| *p == RulePeer::Cidr6(r.value)) {
                    unknown.ipv6.push(r.clone());
                }
            }
            for r in &perm.prefix_lists {
                if !take(&|p| matches!(p, RulePeer::PrefixList(l) if *l == r.value)) {
                    unknown.prefix_lists.push(r.clone());
                }
            }
            for pair in &perm.groups {
                let wanted = match (pair.group_id.as_deref(), pair.group_name.as_deref()) {
                    (Some(id), _) if !id.is_empty() => {
                        check_id(Kind::SecurityGroup, id)?;
                        Some(id.to_owned())
                    }
                    (_, Some(name)) if !name.is_empty() => self
                        .world()
                        .aws
                        .security_groups
                        .values()
                        .find(|g| g.vpc_id == group.vpc_id && g.name == name)
                        .map(|g| g.id.clone()),
                    _ => return Err(DomainError::Missing(Field::ReferencedGroup)),
                };
                let user = pair.user_id.clone().filter(|u| !u.is_empty());
                let hit = wanted.is_some_and(|wanted| {
                    take(&|p| {
                        matches!(p, RulePeer::Group { group_id, user_id, .. }
                            if *group_id == wanted && user.as_ref().is_none_or(|u| u == user_id))
                    })
                });
                if !hit {
                    unknown.groups.push(pair.clone());
                }
            }
            if unknown.has_peers() {
                out.unknown.push(unknown);
            }
        }
        let g = self.owned_mut::<SecurityGroup>(&group.id)?;
        rules_of_mut(g, dir).retain(|r| !removed.contains(&r.id));
        Ok((group.id, out))
    }

    /// RevokeSecurityGroupIngress/Egress by `SecurityGroupRuleId.N`: every id must name a rule
    /// of that direction in the group.
    pub fn revoke_security_group_rules(
        &mut self,
        dir: Direction,
        sel: &GroupSelector,
        rule_ids: &[String],
    ) -> Result<(String, Vec<SgRule>), DomainError> {
        let group = self.security_group(sel)?.clone();
        let existing = rules_of(&group, dir);
        let mut revoked: Vec<SgRule> = Vec::new();
        for id in rule_ids {
            check_id(Kind::SecurityGroupRule, id)?;
            let Some(r) = existing.iter().find(|r| r.id == *id) else {
                return Err(DomainError::not_found(Kind::SecurityGroupRule, id));
            };
            if !revoked.iter().any(|x| x.id == r.id) {
                revoked.push(r.clone());
            }
        }
        let g = self.owned_mut::<SecurityGroup>(&group.id)?;
        rules_of_mut(g, dir).retain(|r| !revoked.iter().any(|x| x.id == r.id));
        Ok((group.id, revoked))
    }

    /// Every rule of the caller's groups, with its group and direction (`true` = egress), in
    /// rule id order.
    pub fn security_group_rules(&self) -> Vec<(&SecurityGroup, bool, &SgRule)> {
        let mut out: Vec<(&SecurityGroup, bool, &SgRule)> = self
            .list_owned::<SecurityGroup>()
            .flat_map(|g| {
                g.ingress
                    .iter()
                    .map(move |r| (g, false, r))
                    .chain(g.egress.iter().map(move |r| (g, true, r)))
            })
            .collect();
        out.sort_by(|a, b| a.2.id.cmp(&b.2.id));
        out
    }
}

mod edit;
mod permission;
mod references;

pub use permission::{check_text, GroupPair, RulePermission, RuleProtocol, RuleRange};

pub use edit::{RuleEdit, SgRuleCommand, SgRuleOutcome};
pub use references::{GroupReference, SecurityGroupReference, StaleGroup};

#[cfg(test)]
mod tests;
