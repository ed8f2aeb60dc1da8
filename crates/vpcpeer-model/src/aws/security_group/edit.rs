//! Editing security group rules in place: ModifySecurityGroupRules,
//! UpdateSecurityGroupRuleDescriptionsIngress/Egress, and the tags of rules (`sgr-` ids).
//!
//! Rules (EC2 API Reference):
//! - ModifySecurityGroupRules replaces each named rule of the group (`GroupId`) by the one
//!   described; the rule keeps its id, its direction and its tags. A rule id that is not a rule
//!   of the group is `InvalidSecurityGroupRuleId.NotFound`; a rule that would grant what another
//!   rule of the group (same direction) grants is `InvalidPermission.Duplicate`.
//! - UpdateSecurityGroupRuleDescriptions* sets the description of the rules matching each
//!   permission (or named by id); a permission that matches no rule is
//!   `InvalidPermission.NotFound`. A permission's range or pair with no description clears it.
//!
//! Choices [UNVERIFIED]: a rule named twice in one ModifySecurityGroupRules is
//! `InvalidParameterValue`; all or none of the rules change.

use serde::{Deserialize, Serialize};

use super::{rules_of, rules_of_mut, same_grant, Direction, GroupSelector, RulePermission};
use crate::aws::check_id;
use crate::aws::error::VpnProblem;
use crate::{DomainError, Field, Kind, SecurityGroup, SgRule, Tags, Tx};

/// One rule of a ModifySecurityGroupRules request: the rule and what it becomes (a permission
/// with exactly one peer, its description on that peer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleEdit {
    /// The rule (`sgr-…`).
    pub rule_id: String,
    /// The rule it becomes.
    pub permission: RulePermission,
}

/// The rule-edit commands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SgRuleCommand {
    /// ModifySecurityGroupRules.
    Modify {
        /// The group.
        group_id: String,
        /// The rules.
        edits: Vec<RuleEdit>,
    },
    /// UpdateSecurityGroupRuleDescriptionsIngress/Egress.
    UpdateDescriptions {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// By permission: the description travels on each range or pair.
        permissions: Vec<RulePermission>,
        /// By rule id: `(rule id, description)`.
        by_id: Vec<(String, Option<String>)>,
    },
}

/// What a rule-edit command hands back.
#[derive(Debug, Clone)]
pub enum SgRuleOutcome {
    /// Success only.
    Done,
}

impl SgRuleCommand {
    /// Applies the command.
    pub(crate) fn apply(self, tx: &mut Tx<'_, '_>) -> Result<SgRuleOutcome, DomainError> {
        match self {
            SgRuleCommand::Modify { group_id, edits } => {
                tx.modify_security_group_rules(&group_id, &edits)?
            }
            SgRuleCommand::UpdateDescriptions {
                direction,
                group,
                permissions,
                by_id,
            } => tx.update_rule_descriptions(direction, &group, &permissions, &by_id)?,
        }
        Ok(SgRuleOutcome::Done)
    }
}

fn find_rule<'g>(g: &'g SecurityGroup, id: &str) -> Option<(Direction, &'g SgRule)> {
    g.ingress
        .iter()
        .find(|r| r.id == id)
        .map(|r| (Direction::Ingress, r))
        .or_else(|| {
            g.egress
                .iter()
                .find(|r| r.id == id)
                .map(|r| (Direction::Egress, r))
        })
}

impl Tx<'_, '_> {
    /// The caller's rule `id` (any group), with its group and direction.
    pub fn security_group_rule(
        &self,
        id: &str,
    ) -> Result<(&SecurityGroup, Direction, &SgRule), DomainError> {
        check_id(Kind::SecurityGroupRule, id)?;
        self.list_owned::<SecurityGroup>()
            .find_map(|g| find_rule(g, id).map(|(d, r)| (g, d, r)))
            .ok_or_else(|| DomainError::not_found(Kind::SecurityGroupRule, id))
    }

    /// The tags of the caller's rule `id`, for change.
    pub(crate) fn rule_tags_mut(&mut self, id: &str) -> Result<&mut Tags, DomainError> {
        let (group_id, dir) = {
            let (g, d, _) = self.security_group_rule(id)?;
            (g.id.clone(), d)
        };
        let g = self.owned_mut::<SecurityGroup>(&group_id)?;
        rules_of_mut(g, dir)
            .iter_mut()
            .find(|r| r.id == id)
            .map(|r| &mut r.tags)
            .ok_or_else(|| DomainError::not_found(Kind::SecurityGroupRule, id))
    }

    /// Gives the new rules `rules` of `group_id` (just authorized) the tags of the request.
    pub(crate) fn tag_new_rules(
        &mut self,
        group_id: &str,
        rules: &mut [SgRule],
        tags: &Tags,
    ) -> Result<(), DomainError> {
        if tags.is_empty() {
            return Ok(());
        }
        let g = self.owned_mut::<SecurityGroup>(group_id)?;
        for r in g.ingress.iter_mut().chain(g.egress.iter_mut()) {
            if rules.iter().any(|n| n.id == r.id) {
                r.tags = tags.clone();
            }
        }
        for r in rules {
            r.tags = tags.clone();
        }
        Ok(())
    }

    /// ModifySecurityGroupRules.
    pub fn modify_security_group_rules(
        &mut self,
        group_id: &str,
        edits: &[RuleEdit],
    ) -> Result<(), DomainError> {
        if edits.is_empty() {
            return Err(DomainError::Missing(Field::Permissions));
        }
        let group = self
            .security_group(&GroupSelector::Id(group_id.to_owned()))?
            .clone();
        let mut next = group.clone();
        for (i, e) in edits.iter().enumerate() {
            check_id(Kind::SecurityGroupRule, &e.rule_id)?;
            if edits[..i].iter().any(|o| o.rule_id == e.rule_id) {
                return Err(DomainError::Vpn(VpnProblem::RuleRepeated {
                    rule_id: e.rule_id.clone(),
                }));
            }
            let Some((dir, old)) = find_rule(&next, &e.rule_id).map(|(d, r)| (d, r.clone())) else {
                return Err(DomainError::not_found(Kind::SecurityGroupRule, &e.rule_id));
            };
            let mut made = self.rules_for(&group, std::slice::from_ref(&e.permission))?;
            if made.len() != 1 {
                return Err(DomainError::Missing(Field::Permissions));
            }
            let mut rule = made.remove(0);
            rule.id = old.id.clone();
            rule.tags = old.tags.clone();
            if rules_of(&next, dir)
                .iter()
                .any(|r| r.id != rule.id && same_grant(r, &rule))
            {
                return Err(DomainError::PermissionDuplicate {
                    rule: Box::new(SgRule {
                        id: String::new(),
                        ..rule
                    }),
                });
            }
            if let Some(slot) = rules_of_mut(&mut next, dir)
                .iter_mut()
                .find(|r| r.id == rule.id)
            {
                *slot = rule;
            }
        }
        *self.owned_mut::<SecurityGroup>(&group.id)? = next;
        Ok(())
    }

    /// UpdateSecurityGroupRuleDescriptionsIngress/Egress.
    pub fn update_rule_descriptions(
        &mut self,
        dir: Direction,
        sel: &GroupSelector,
        perms: &[RulePermission],
        by_id: &[(String, Option<String>)],
    ) -> Result<(), DomainError> {
        if perms.is_empty() && by_id.is_empty() {
            return Err(DomainError::Missing(Field::Permissions));
        }
        let group = self.security_group(sel)?.clone();
        let wanted = self.rules_for(&group, perms)?;
        let mut next = group.clone();
        let rules = rules_of_mut(&mut next, dir);
        for w in &wanted {
            let Some(r) = rules.iter_mut().find(|r| same_grant(r, w)) else {
                return Err(DomainError::Vpn(VpnProblem::DescriptionRuleNotFound));
            };
            r.description = w.description.clone();
        }
        for (id, description) in by_id {
            check_id(Kind::SecurityGroupRule, id)?;
            let Some(r) = rules.iter_mut().find(|r| r.id == *id) else {
                return Err(DomainError::not_found(Kind::SecurityGroupRule, id));
            };
            r.description = description.clone().filter(|d| !d.is_empty());
        }
        *self.owned_mut::<SecurityGroup>(&group.id)? = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
