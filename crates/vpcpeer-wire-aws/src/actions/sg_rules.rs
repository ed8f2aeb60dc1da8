//! Security group rule edits: ModifySecurityGroupRules and
//! UpdateSecurityGroupRuleDescriptionsIngress/Egress.
//!
//! ModifySecurityGroupRules takes `GroupId` and `SecurityGroupRule.N.SecurityGroupRuleId` with
//! `SecurityGroupRule.N.SecurityGroupRule.{IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6,
//! PrefixListId, ReferencedGroupId, Description}`: exactly one of the four peers (none is
//! `MissingParameter`, several `InvalidParameterCombination` [UNVERIFIED]); each rule is checked
//! as an authorize checks it. The description updates take `GroupId` or `GroupName`, and
//! `IpPermissions.N.*` or `SecurityGroupRuleDescription.N.{SecurityGroupRuleId, Description}`.
//! Both answer `<return>true</return>`.

use vpcpeer_model::aws::security_group::{
    Direction, GroupPair, RuleEdit, RulePermission, SgRuleCommand,
};
use vpcpeer_model::aws::Command;

use super::permissions::{parse_all, Permission, PermissionUse, Range};
use super::security_group::{ip_permissions, selector};
use super::{change, domain, render_done, Action};
use crate::{Ec2Error, Params};

/// The rule-edit actions.
pub(crate) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "ModifySecurityGroupRules" => change(parse_modify, render_done),
        "UpdateSecurityGroupRuleDescriptionsIngress" => {
            change(|p| parse_descriptions(p, Direction::Ingress), render_done)
        }
        "UpdateSecurityGroupRuleDescriptionsEgress" => {
            change(|p| parse_descriptions(p, Direction::Egress), render_done)
        }
        _ => return None,
    })
}

fn nonempty(p: &Params, name: &str) -> Option<String> {
    p.string(name).filter(|s| !s.is_empty())
}

/// One `SecurityGroupRuleRequest` as a permission with its one peer.
fn rule_request(r: &Params) -> Result<RulePermission, Ec2Error> {
    let description = r.string("Description");
    let range = |value: String| Range {
        value,
        description: description.clone(),
    };
    let mut perm = Permission {
        protocol: r
            .get("IpProtocol")
            .ok_or_else(|| Ec2Error::missing("SecurityGroupRule.N.SecurityGroupRule.IpProtocol"))?
            .to_owned(),
        from_port: r.int("FromPort")?,
        to_port: r.int("ToPort")?,
        ..Permission::default()
    };
    let mut peers = 0;
    if let Some(c) = nonempty(r, "CidrIpv4") {
        perm.ipv4.push(range(c));
        peers += 1;
    }
    if let Some(c) = nonempty(r, "CidrIpv6") {
        perm.ipv6.push(range(c));
        peers += 1;
    }
    if let Some(c) = nonempty(r, "PrefixListId") {
        perm.prefix_lists.push(range(c));
        peers += 1;
    }
    if let Some(g) = nonempty(r, "ReferencedGroupId") {
        perm.groups.push(GroupPair {
            group_id: Some(g),
            description: description.clone(),
            ..GroupPair::default()
        });
        peers += 1;
    }
    if peers > 1 {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "Only one of CidrIpv4, CidrIpv6, PrefixListId and ReferencedGroupId may be specified for a security group rule.",
        ));
    }
    if peers == 0 {
        return Err(Ec2Error::missing(
            "SecurityGroupRule.N.SecurityGroupRule.CidrIpv4",
        ));
    }
    domain(perm.parse(PermissionUse::Authorize))
}

fn parse_modify(p: &Params) -> Result<Command, Ec2Error> {
    let group_id = p.id("GroupId")?;
    let mut edits = Vec::new();
    for item in p.structs("SecurityGroupRule") {
        let rule_id = item
            .get("SecurityGroupRuleId")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Ec2Error::missing("SecurityGroupRule.N.SecurityGroupRuleId"))?
            .to_owned();
        let request = item
            .nested("SecurityGroupRule")
            .ok_or_else(|| Ec2Error::missing("SecurityGroupRule.N.SecurityGroupRule"))?;
        edits.push(RuleEdit {
            rule_id,
            permission: rule_request(&request)?,
        });
    }
    if edits.is_empty() {
        return Err(Ec2Error::missing("SecurityGroupRule"));
    }
    Ok(Command::SgRules(SgRuleCommand::Modify { group_id, edits }))
}

fn parse_descriptions(p: &Params, direction: Direction) -> Result<Command, Ec2Error> {
    let group = selector(p, false)?;
    let permissions = domain(parse_all(&ip_permissions(p)?, PermissionUse::Authorize))?;
    let mut by_id = Vec::new();
    for d in p.structs("SecurityGroupRuleDescription") {
        let id = d
            .get("SecurityGroupRuleId")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Ec2Error::missing("SecurityGroupRuleDescription.N.SecurityGroupRuleId")
            })?;
        let description = d.string("Description");
        if let Some(text) = &description {
            domain(vpcpeer_model::aws::security_group::check_text(
                vpcpeer_model::Field::RuleDescription,
                text,
            ))?;
        }
        by_id.push((id.to_owned(), description));
    }
    if permissions.is_empty() && by_id.is_empty() {
        return Err(Ec2Error::missing("IpPermissions"));
    }
    Ok(Command::SgRules(SgRuleCommand::UpdateDescriptions {
        direction,
        group,
        permissions,
        by_id,
    }))
}
