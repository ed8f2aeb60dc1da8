//! Security group actions: Create/DeleteSecurityGroup, Authorize/RevokeSecurityGroupIngress/Egress,
//! DescribeSecurityGroups, DescribeSecurityGroupRules, DescribeSecurityGroupReferences and
//! DescribeStaleSecurityGroups.
//!
//! Wire shapes follow the botocore EC2 model (`securityGroupInfo`, `groupDescription`, `groups`
//! for `UserIdGroupPairs`, …). `DescribeSecurityGroups` groups rules by (protocol, from, to) into
//! `IpPermission` items as EC2 does; the rule API (`securityGroupRuleSet`) lists one item per rule
//! and shows `-1` ports for rules without ports.
//!
//! Choices where AWS is unverified:
//! - Without `VpcId`, CreateSecurityGroup creates the group in the region's default VPC, or
//!   fails with `VPCIdNotSpecified` where there is none; `GroupName.N` of
//!   DescribeSecurityGroups selects the default VPC's groups (see the model's
//!   `security_group` for a region without one).
//! - Tags given in `TagSpecification` of an authorize call (`security-group-rule`) are given to
//!   every rule the call adds; DescribeSecurityGroupRules shows each rule's `tagSet` and filters
//!   on `tag:<key>`, `tag-key` and `tag-value`.
//! - Revoking by `IpPermissions` something that matches no rule succeeds with `return` true and
//!   lists it in `unknownIpPermissionSet`; an unknown `SecurityGroupRuleId` fails with
//!   `InvalidSecurityGroupRuleId.NotFound`.
//! - In `UserIdGroupPair`s, `vpcId`, `vpcPeeringConnectionId` and `peeringStatus` appear for
//!   references to peer-VPC groups only; `groupName` is omitted once the group is gone.

use std::collections::BTreeSet;

use crate::render::peering_state_name as state_name;
use vpcpeer_model::aws::security_group::{
    CreateSecurityGroup, Direction, GroupPair, GroupReference, GroupSelector, RulePermission,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{RulePeer, Scope, SecurityGroup, SgRule, Tags, Tx};

use super::permissions::{parse_all, Permission, PermissionUse, Range};
use super::{change, domain, explicit, render_named_id, unexpected, Action};
use crate::filter::{self, matches, paginate, Filter};
use crate::{Ec2Error, Params, Xml};

/// The security group actions.
pub(super) fn action(name: &str) -> Option<Action> {
    use Direction::{Egress, Ingress};
    Some(match name {
        "CreateSecurityGroup" => change(parse_create, render_create),
        "DeleteSecurityGroup" => change(
            |p| {
                let group = selector(p, false)?;
                Ok(Command::DeleteSecurityGroup { group })
            },
            |_, o, x| {
                x.leaf("return", "true");
                render_named_id(o, x, "groupId");
            },
        ),
        "AuthorizeSecurityGroupIngress" => change(
            |p| parse_authorize(p, Ingress),
            |tx, o, x| render_authorized(tx, o, x, Ingress),
        ),
        "AuthorizeSecurityGroupEgress" => change(
            |p| parse_authorize(p, Egress),
            |tx, o, x| render_authorized(tx, o, x, Egress),
        ),
        "RevokeSecurityGroupIngress" => change(
            |p| parse_revoke(p, Ingress),
            |_, o, x| render_revoked(o, x, Ingress),
        ),
        "RevokeSecurityGroupEgress" => change(
            |p| parse_revoke(p, Egress),
            |_, o, x| render_revoked(o, x, Egress),
        ),
        "DescribeSecurityGroups" => Action::Read(describe_security_groups),
        "DescribeSecurityGroupRules" => Action::Read(describe_security_group_rules),
        "DescribeSecurityGroupReferences" => Action::Read(describe_security_group_references),
        "DescribeStaleSecurityGroups" => Action::Read(describe_stale_security_groups),
        _ => return None,
    })
}

fn arn(scope: &Scope, kind: &str, id: &str) -> String {
    format!("arn:aws:ec2:{}:{}:{kind}/{id}", scope.region, scope.account)
}

// ---------------------------------------------------------------------------------------------
// Parsing

fn ranges(p: &Params, list: &str, member: &str) -> Result<Vec<Range>, Ec2Error> {
    p.structs(list)
        .iter()
        .map(|r| {
            Ok(Range {
                value: r.required(member)?.to_owned(),
                description: r.string("Description"),
            })
        })
        .collect()
}

fn opt(p: &Params, name: &str) -> Option<String> {
    p.string(name).filter(|s| !s.is_empty())
}

/// `IpPermissions.N.*`.
pub(super) fn ip_permissions(p: &Params) -> Result<Vec<Permission>, Ec2Error> {
    p.structs("IpPermissions")
        .iter()
        .map(|ip| {
            Ok(Permission {
                protocol: ip.required("IpProtocol")?.to_owned(),
                from_port: ip.int("FromPort")?,
                to_port: ip.int("ToPort")?,
                ipv4: ranges(ip, "IpRanges", "CidrIp")?,
                ipv6: ranges(ip, "Ipv6Ranges", "CidrIpv6")?,
                prefix_lists: ranges(ip, "PrefixListIds", "PrefixListId")?,
                groups: ip
                    .structs("Groups")
                    .iter()
                    .map(|g| GroupPair {
                        group_id: opt(g, "GroupId"),
                        group_name: opt(g, "GroupName"),
                        user_id: opt(g, "UserId"),
                        peering_id: opt(g, "VpcPeeringConnectionId"),
                        description: g.string("Description"),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// The permissions of an authorize/revoke call: `IpPermissions.N.*` or the legacy flat form.
fn permissions(p: &Params) -> Result<Vec<Permission>, Ec2Error> {
    let structured = ip_permissions(p)?;
    let flat_names = [
        "IpProtocol",
        "FromPort",
        "ToPort",
        "CidrIp",
        "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId",
    ];
    let flat = flat_names.iter().any(|n| p.get(n).is_some());
    match (structured.is_empty(), flat) {
        (false, true) => Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameter IpPermissions cannot be used with the parameters IpProtocol, FromPort, ToPort, CidrIp, SourceSecurityGroupName or SourceSecurityGroupOwnerId.",
        )),
        (false, false) => Ok(structured),
        (true, false) => Err(Ec2Error::missing("IpPermissions")),
        (true, true) => {
            let mut perm = Permission {
                protocol: p.string("IpProtocol").unwrap_or_else(|| "-1".into()),
                from_port: p.int("FromPort")?,
                to_port: p.int("ToPort")?,
                ..Permission::default()
            };
            if let Some(c) = opt(p, "CidrIp") {
                perm.ipv4.push(Range {
                    value: c,
                    description: None,
                });
            }
            if let Some(name) = opt(p, "SourceSecurityGroupName") {
                let id_like = name.starts_with("sg-");
                perm.groups.push(GroupPair {
                    group_id: id_like.then(|| name.clone()),
                    group_name: (!id_like).then_some(name),
                    user_id: opt(p, "SourceSecurityGroupOwnerId"),
                    ..GroupPair::default()
                });
            }
            Ok(vec![perm])
        }
    }
}

pub(super) fn selector(p: &Params, egress: bool) -> Result<GroupSelector, Ec2Error> {
    if let Some(id) = opt(p, "GroupId") {
        return Ok(GroupSelector::Id(id));
    }
    if !egress {
        if let Some(name) = opt(p, "GroupName") {
            return Ok(GroupSelector::Name(name));
        }
    }
    Err(Ec2Error::missing("GroupId"))
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn write_pair(x: &mut Xml, r: &SgRule, reference: Option<&GroupReference>) {
    let RulePeer::Group {
        group_id, user_id, ..
    } = &r.peer
    else {
        return;
    };
    x.opt_leaf("description", r.description.as_deref())
        .leaf("userId", user_id)
        .leaf("groupId", group_id);
    if let Some(s) = reference {
        x.opt_leaf("groupName", s.group_name.as_deref());
        if let Some((pcx, state)) = &s.peering {
            x.opt_leaf("vpcId", s.vpc_id.as_deref())
                .leaf("vpcPeeringConnectionId", pcx)
                .leaf("peeringStatus", state_name(*state));
        }
    }
}

/// Rules grouped by (protocol, from, to), in order of first appearance.
fn grouped(rules: &[&SgRule]) -> Vec<Vec<SgRule>> {
    let mut out: Vec<Vec<SgRule>> = Vec::new();
    for r in rules {
        match out.iter_mut().find(|g| {
            g.first().is_some_and(|f| {
                f.protocol == r.protocol && f.from_port == r.from_port && f.to_port == r.to_port
            })
        }) {
            Some(g) => g.push((*r).clone()),
            None => out.push(vec![(*r).clone()]),
        }
    }
    out
}

/// The `tag` list of the ranges of one kind among `rules` (`value` picks them): each as `leaf`,
/// with its description.
fn write_ranges(
    x: &mut Xml,
    tag: &str,
    leaf: &str,
    rules: &[SgRule],
    value: fn(&RulePeer) -> Option<String>,
) {
    let items = rules.iter().filter_map(|r| value(&r.peer).map(|v| (v, r)));
    x.list(tag, items, |x, (v, r)| {
        x.leaf(leaf, v)
            .opt_leaf("description", r.description.as_deref());
    });
}

/// `ipPermissions`/`ipPermissionsEgress`/`staleIpPermissions…`: items of grouped rules.
fn write_permissions(
    x: &mut Xml,
    tx: &Tx<'_, '_>,
    tag: &str,
    owner_vpc: &str,
    rules: &[&SgRule],
    stale: bool,
) {
    x.list(tag, grouped(rules), |x, g| {
        let Some(first) = g.first() else {
            return;
        };
        x.leaf("ipProtocol", &first.protocol)
            .opt_leaf("fromPort", first.from_port)
            .opt_leaf("toPort", first.to_port);
        x.list(
            "groups",
            g.iter()
                .filter(|r| matches!(r.peer, RulePeer::Group { .. })),
            |x, r| {
                let reference = tx.group_reference(owner_vpc, &r.peer);
                write_pair(x, r, reference.as_ref());
            },
        );
        if stale {
            return;
        }
        write_ranges(x, "ipRanges", "cidrIp", &g, |p| match p {
            RulePeer::Cidr4(c) => Some(c.to_string()),
            _ => None,
        });
        write_ranges(x, "ipv6Ranges", "cidrIpv6", &g, |p| match p {
            RulePeer::Cidr6(c) => Some(c.to_string()),
            _ => None,
        });
        write_ranges(x, "prefixListIds", "prefixListId", &g, |p| match p {
            RulePeer::PrefixList(l) => Some(l.clone()),
            _ => None,
        });
    });
}

fn write_group(x: &mut Xml, tx: &Tx<'_, '_>, g: &SecurityGroup) {
    let ingress: Vec<&SgRule> = g.ingress.iter().collect();
    let egress: Vec<&SgRule> = g.egress.iter().collect();
    x.leaf("ownerId", &g.scope.account)
        .leaf("groupId", &g.id)
        .leaf("groupName", &g.name)
        .leaf("groupDescription", &g.description);
    write_permissions(x, tx, "ipPermissions", &g.vpc_id, &ingress, false);
    write_permissions(x, tx, "ipPermissionsEgress", &g.vpc_id, &egress, false);
    x.leaf("vpcId", &g.vpc_id)
        .leaf("securityGroupArn", arn(&g.scope, "security-group", &g.id))
        .tags(&g.tags);
}

/// Ports as the rule API shows them: `-1` when the rule has none.
fn rule_ports(r: &SgRule) -> (i32, i32) {
    (r.from_port.unwrap_or(-1), r.to_port.unwrap_or(-1))
}

/// One `SecurityGroupRule` (inner elements).
fn write_rule(
    x: &mut Xml,
    tx: &Tx<'_, '_>,
    g: &SecurityGroup,
    egress: bool,
    r: &SgRule,
    tags: &Tags,
) {
    let (from, to) = rule_ports(r);
    x.leaf("securityGroupRuleId", &r.id)
        .leaf("groupId", &g.id)
        .leaf("groupOwnerId", &g.scope.account)
        .leaf("isEgress", egress)
        .leaf("ipProtocol", &r.protocol)
        .leaf("fromPort", from)
        .leaf("toPort", to);
    match &r.peer {
        RulePeer::Cidr4(c) => {
            x.leaf("cidrIpv4", c);
        }
        RulePeer::Cidr6(c) => {
            x.leaf("cidrIpv6", c);
        }
        RulePeer::PrefixList(p) => {
            x.leaf("prefixListId", p);
        }
        RulePeer::Group {
            group_id, user_id, ..
        } => {
            let reference = tx.group_reference(&g.vpc_id, &r.peer);
            x.node("referencedGroupInfo", |x| {
                x.leaf("groupId", group_id);
                if let Some((pcx, state)) = reference.as_ref().and_then(|s| s.peering.as_ref()) {
                    x.leaf("peeringStatus", state_name(*state));
                    x.leaf("userId", user_id);
                    x.opt_leaf(
                        "vpcId",
                        reference.as_ref().and_then(|s| s.vpc_id.as_deref()),
                    );
                    x.leaf("vpcPeeringConnectionId", pcx);
                } else {
                    x.leaf("userId", user_id);
                }
            });
        }
    }
    x.opt_leaf("description", r.description.as_deref())
        .tags(tags)
        .leaf(
            "securityGroupRuleArn",
            arn(&g.scope, "security-group-rule", &r.id),
        );
}

fn write_revoked(x: &mut Xml, group_id: &str, egress: bool, r: &SgRule) {
    let (from, to) = rule_ports(r);
    x.leaf("securityGroupRuleId", &r.id)
        .leaf("groupId", group_id)
        .leaf("isEgress", egress)
        .leaf("ipProtocol", &r.protocol)
        .leaf("fromPort", from)
        .leaf("toPort", to);
    match &r.peer {
        RulePeer::Cidr4(c) => x.leaf("cidrIpv4", c),
        RulePeer::Cidr6(c) => x.leaf("cidrIpv6", c),
        RulePeer::PrefixList(p) => x.leaf("prefixListId", p),
        RulePeer::Group { group_id, .. } => x.leaf("referencedGroupId", group_id),
    };
    x.opt_leaf("description", r.description.as_deref());
}

/// An `IpPermission` of a request (for `unknownIpPermissionSet`): the protocol as stored, the
/// ranges as the caller spelled them.
fn write_request_permission(x: &mut Xml, p: &RulePermission) {
    x.leaf("ipProtocol", p.protocol.stored())
        .opt_leaf("fromPort", p.from_port)
        .opt_leaf("toPort", p.to_port)
        .list("groups", &p.groups, |x, g| {
            x.opt_leaf("description", g.description.as_deref())
                .opt_leaf("userId", g.user_id.as_deref())
                .opt_leaf("groupId", g.group_id.as_deref())
                .opt_leaf("groupName", g.group_name.as_deref())
                .opt_leaf("vpcPeeringConnectionId", g.peering_id.as_deref());
        })
        .list("ipRanges", &p.ipv4, |x, r| {
            x.leaf("cidrIp", &r.given)
                .opt_leaf("description", r.description.as_deref());
        })
        .list("ipv6Ranges", &p.ipv6, |x, r| {
            x.leaf("cidrIpv6", &r.given)
                .opt_leaf("description", r.description.as_deref());
        })
        .list("prefixListIds", &p.prefix_lists, |x, r| {
            x.leaf("prefixListId", &r.given)
                .opt_leaf("description", r.description.as_deref());
        });
}

// ---------------------------------------------------------------------------------------------
// Changes
//
// Error order: the parameters are checked before the world is read, as EC2 validates a request
// before it looks resources up: the group selector, the permissions' own shape (IpProtocol,
// integer ports, a CidrIp in each range), the tag specifications, then every permission's
// values (`permissions::Permission::parse`: protocol, ports or ICMP type and code, a peer, each
// range's description and block, prefix list ids). Only then, when the command runs, the tag quota, the
// group, the referenced groups and peerings, duplicates and the rules quota. Before commands,
// an unknown group was reported ahead of a bad permission value; a request with both mistakes
// now gets the value's error (no test or client relied on the old order).

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let name = p.required("GroupName")?.to_owned();
    let description = p.required("GroupDescription")?.to_owned();
    let tags = p.spec_tags_of("security-group")?;
    Ok(Command::CreateSecurityGroup(CreateSecurityGroup {
        name,
        description,
        vpc_id: opt(p, "VpcId"),
        tags,
    }))
}

fn render_create(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::GroupCreated(id) = outcome else {
        return unexpected(&outcome, x);
    };
    x.leaf("return", "true");
    if let Ok(g) = tx.owned::<SecurityGroup>(&id) {
        x.leaf("groupId", &g.id)
            .tags(&g.tags)
            .leaf("securityGroupArn", arn(&g.scope, "security-group", &g.id));
    }
}

fn parse_authorize(p: &Params, direction: Direction) -> Result<Command, Ec2Error> {
    let group = selector(p, direction == Direction::Egress)?;
    let text = permissions(p)?;
    let tags = p.spec_tags_of("security-group-rule")?;
    Ok(Command::AuthorizeSecurityGroup {
        direction,
        group,
        permissions: parse_all(&text, PermissionUse::Authorize)?,
        tags,
    })
}

fn render_authorized(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml, direction: Direction) {
    let Outcome::RulesAuthorized {
        group_id, rules, ..
    } = outcome
    else {
        return unexpected(&outcome, x);
    };
    x.leaf("return", "true");
    if let Ok(g) = tx.owned::<SecurityGroup>(&group_id) {
        let egress = direction == Direction::Egress;
        x.list("securityGroupRuleSet", &rules, |x, r| {
            write_rule(x, tx, g, egress, r, &r.tags)
        });
    }
}

fn parse_revoke(p: &Params, direction: Direction) -> Result<Command, Ec2Error> {
    let group = selector(p, direction == Direction::Egress)?;
    let rule_ids = p.list("SecurityGroupRuleId");
    if !rule_ids.is_empty() {
        if !p.structs("IpPermissions").is_empty() {
            return Err(Ec2Error::new(
                "InvalidParameterCombination",
                "The parameters SecurityGroupRuleIds and IpPermissions cannot be used together.",
            ));
        }
        return Ok(Command::RevokeSecurityGroupRules {
            direction,
            group,
            rule_ids,
        });
    }
    let text = permissions(p)?;
    Ok(Command::RevokeSecurityGroup {
        direction,
        group,
        permissions: parse_all(&text, PermissionUse::Revoke)?,
    })
}

fn render_revoked(outcome: Outcome, x: &mut Xml, direction: Direction) {
    let Outcome::RulesRevoked {
        group_id,
        revoked,
        unknown,
    } = outcome
    else {
        return unexpected(&outcome, x);
    };
    let egress = direction == Direction::Egress;
    x.leaf("return", "true");
    if !unknown.is_empty() {
        x.list("unknownIpPermissionSet", &unknown, write_request_permission);
    }
    x.list("revokedSecurityGroupRuleSet", &revoked, |x, r| {
        write_revoked(x, &group_id, egress, r)
    });
}

// ---------------------------------------------------------------------------------------------
// Reads

const PERMISSION_FILTERS: [&str; 9] = [
    "cidr",
    "ipv6-cidr",
    "from-port",
    "to-port",
    "protocol",
    "group-id",
    "group-name",
    "user-id",
    "prefix-list-id",
];

const GROUP_FILTERS: [&str; 5] = [
    "group-id",
    "group-name",
    "vpc-id",
    "owner-id",
    "description",
];

fn group_filters(p: &Params) -> Result<Vec<Filter>, Ec2Error> {
    let mut known: Vec<String> = GROUP_FILTERS.iter().map(|s| (*s).to_owned()).collect();
    for f in PERMISSION_FILTERS {
        known.push(format!("ip-permission.{f}"));
        known.push(format!("egress.ip-permission.{f}"));
    }
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    filter::parse(p, &known)
}

fn permission_field(tx: &Tx<'_, '_>, rules: &[SgRule], name: &str) -> Vec<String> {
    rules
        .iter()
        .filter_map(|r| match (name, &r.peer) {
            ("cidr", RulePeer::Cidr4(c)) => Some(c.to_string()),
            ("ipv6-cidr", RulePeer::Cidr6(c)) => Some(c.to_string()),
            ("prefix-list-id", RulePeer::PrefixList(p)) => Some(p.clone()),
            ("group-id", RulePeer::Group { group_id, .. }) => Some(group_id.clone()),
            ("user-id", RulePeer::Group { user_id, .. }) => Some(user_id.clone()),
            ("group-name", RulePeer::Group { group_id, .. }) => {
                tx.get::<SecurityGroup>(group_id).map(|g| g.name.clone())
            }
            ("protocol", _) => Some(r.protocol.clone()),
            ("from-port", _) => r.from_port.map(|p| p.to_string()),
            ("to-port", _) => r.to_port.map(|p| p.to_string()),
            _ => None,
        })
        .collect()
}

fn group_field(tx: &Tx<'_, '_>, g: &SecurityGroup, name: &str) -> Vec<String> {
    if let Some(f) = name.strip_prefix("egress.ip-permission.") {
        return permission_field(tx, &g.egress, f);
    }
    if let Some(f) = name.strip_prefix("ip-permission.") {
        return permission_field(tx, &g.ingress, f);
    }
    match name {
        "group-id" => vec![g.id.clone()],
        "group-name" => vec![g.name.clone()],
        "vpc-id" => vec![g.vpc_id.clone()],
        "owner-id" => vec![g.scope.account.clone()],
        "description" => vec![g.description.clone()],
        _ => Vec::new(),
    }
}

fn describe_security_groups(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = group_filters(p)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("GroupId");
    let names = p.list("GroupName");
    let items: Vec<&SecurityGroup> = if ids.is_empty() && names.is_empty() {
        tx.list_owned::<SecurityGroup>().collect()
    } else {
        let mut chosen: BTreeSet<String> = explicit(&ids, |id| tx.owned::<SecurityGroup>(id))?
            .into_iter()
            .map(|g| g.id.clone())
            .collect();
        for name in &names {
            chosen.extend(
                domain(tx.groups_named(name))?
                    .into_iter()
                    .map(|g| g.id.clone()),
            );
        }
        tx.list_owned::<SecurityGroup>()
            .filter(|g| chosen.contains(&g.id))
            .collect()
    };
    let items: Vec<&SecurityGroup> = items
        .into_iter()
        .filter(|g| matches(&filters, &g.tags, |n| group_field(tx, g, n)))
        .collect();
    let (page, next) = paginate(items, |g| &g.id, limit, token.as_deref());
    x.list("securityGroupInfo", page, |x, g| write_group(x, tx, g));
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn describe_security_group_rules(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, &["group-id", "security-group-rule-id"])?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("SecurityGroupRuleId");
    // AWS checks the shape of a `group-id` filter value here (issue 11: `InvalidGroupId.Malformed`
    // for `Filter.1.Name=group-id&Filter.1.Value.1=bogus`). A value with a wildcard is left to
    // match [UNVERIFIED: whether AWS accepts wildcards in this filter].
    for f in filters.iter().filter(|f| f.name == "group-id") {
        for v in f.values.iter().filter(|v| !v.contains(['*', '?'])) {
            domain(vpcpeer_model::aws::check_id(
                vpcpeer_model::Kind::SecurityGroup,
                v,
            ))?;
        }
    }
    let all = tx.security_group_rules();
    for id in &ids {
        domain(vpcpeer_model::aws::check_id(
            vpcpeer_model::Kind::SecurityGroupRule,
            id,
        ))?;
        if !all.iter().any(|(_, _, r)| r.id == *id) {
            return Err(Ec2Error::from(vpcpeer_model::DomainError::not_found(
                vpcpeer_model::Kind::SecurityGroupRule,
                id,
            )));
        }
    }
    let items: Vec<_> = all
        .into_iter()
        .filter(|(_, _, r)| ids.is_empty() || ids.contains(&r.id))
        .filter(|(g, _, r)| {
            matches(&filters, &r.tags, |n| match n {
                "group-id" => vec![g.id.clone()],
                "security-group-rule-id" => vec![r.id.clone()],
                _ => Vec::new(),
            })
        })
        .collect();
    let (page, next) = paginate(items, |(_, _, r)| &r.id, limit, token.as_deref());
    x.list("securityGroupRuleSet", page, |x, (g, egress, r)| {
        write_rule(x, tx, g, egress, r, &r.tags)
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn describe_security_group_references(
    tx: &Tx<'_, '_>,
    p: &Params,
    x: &mut Xml,
) -> Result<(), Ec2Error> {
    let ids = p.list("GroupId");
    if ids.is_empty() {
        return Err(Ec2Error::missing("GroupId"));
    }
    let refs = domain(tx.security_group_references(&ids))?;
    x.list("securityGroupReferenceSet", refs, |x, r| {
        x.leaf("groupId", &r.group_id)
            .leaf("referencingVpcId", &r.referencing_vpc_id)
            .leaf("vpcPeeringConnectionId", &r.peering_id);
    });
    Ok(())
}

fn describe_stale_security_groups(
    tx: &Tx<'_, '_>,
    p: &Params,
    x: &mut Xml,
) -> Result<(), Ec2Error> {
    let vpc_id = p.required("VpcId")?;
    let (limit, token) = filter::paging(p, 5, 255)?;
    let groups = domain(tx.stale_security_groups(vpc_id))?;
    let (page, next) = paginate(groups, |s| &s.group.id, limit, token.as_deref());
    x.list("staleSecurityGroupSet", page, |x, s| {
        let ingress: Vec<&SgRule> = s.ingress.iter().collect();
        let egress: Vec<&SgRule> = s.egress.iter().collect();
        x.leaf("description", &s.group.description)
            .leaf("groupId", &s.group.id)
            .leaf("groupName", &s.group.name);
        write_permissions(x, tx, "staleIpPermissions", vpc_id, &ingress, true);
        write_permissions(x, tx, "staleIpPermissionsEgress", vpc_id, &egress, true);
        x.leaf("vpcId", &s.group.vpc_id);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}
