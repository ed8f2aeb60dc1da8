//! Security groups and their rules, including references to groups in peer VPCs.
//!
//! Behaviour follows the Amazon VPC Peering Guide ("Update your security groups to reference peer
//! security groups", "Unsupported VPC peering configurations") and `DescribeStaleSecurityGroups`:
//! - A rule may reference a group in the same VPC, or in a VPC connected to the rule's VPC by an
//!   *active* peering in the *same region* (any account: the referenced group is looked up in the
//!   whole world, its owner must be the `UserId` given, default the caller). The connection is
//!   recorded in [`RulePeer::Group::peering_id`]. Anything else is refused with
//!   [`DomainError::GroupNotUsable`] (`InvalidGroup.NotFound`).
//! - A peer reference turns *stale* when the referenced group is deleted or when no active
//!   peering connects the two VPCs any more; it stops being stale as soon as a new active peering
//!   between the same VPCs exists ([`Tx::group_reference`] computes this at read time; nothing is
//!   rewritten).
//! - References from a peer VPC never block deleting a group; references from groups of the same
//!   VPC and network interfaces do.
//!
//! Choices where AWS is unverified:
//! - `GroupName` selects a group among all of the caller's groups in the region (there is no
//!   default VPC); a name several VPCs use is refused with `InvalidParameterCombination`.
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

use std::collections::BTreeSet;

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::aws::check_id;
use crate::aws::error::{Field, RuleProblem, TextProblem};
use crate::aws::peering_state::PeeringState;
use crate::cidr;
use crate::{
    DomainError, Kind, LimitKind, PeeringConnection, RulePeer, SecurityGroup, SgRule, Tags, Tx, Vpc,
};

/// Input of CreateSecurityGroup.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSecurityGroup {
    /// `GroupName`.
    pub name: String,
    /// `GroupDescription`.
    pub description: String,
    /// `VpcId`.
    pub vpc_id: String,
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

/// A range (CIDR or prefix list id) of a permission as a request gives it, with its
/// description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// The CIDR or prefix list id, as given.
    pub value: String,
    /// Description.
    pub description: Option<String>,
}

/// A `UserIdGroupPair` of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPair {
    /// `GroupId`.
    pub group_id: Option<String>,
    /// `GroupName` (groups of the same VPC only).
    pub group_name: Option<String>,
    /// `UserId`: the account owning the referenced group (default: the caller).
    pub user_id: Option<String>,
    /// `VpcPeeringConnectionId`.
    pub peering_id: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// An `IpPermission` as a request gives it (text). The face turns it into a [`RulePermission`]
/// with [`Permission::parse`] before building a command; commands never carry this form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permission {
    /// `IpProtocol`, as given (normalised in results).
    pub protocol: String,
    /// `FromPort`.
    pub from_port: Option<i64>,
    /// `ToPort`.
    pub to_port: Option<i64>,
    /// `IpRanges`.
    pub ipv4: Vec<Range>,
    /// `Ipv6Ranges`.
    pub ipv6: Vec<Range>,
    /// `PrefixListIds`.
    pub prefix_lists: Vec<Range>,
    /// `Groups`.
    pub groups: Vec<GroupPair>,
}

/// What a permission is parsed for: an authorize checks every value; a revoke checks only what
/// it needs to find rules (descriptions and prefix list ids are not checked, as before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionUse {
    /// AuthorizeSecurityGroupIngress/Egress.
    Authorize,
    /// RevokeSecurityGroupIngress/Egress.
    Revoke,
}

/// A rule protocol, as the rules store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleProtocol {
    /// Every protocol (`-1`).
    All,
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
    /// ICMPv6 (58).
    Icmpv6,
    /// Any other IP protocol number.
    Number(u8),
}

impl RuleProtocol {
    /// The protocol as a [`SgRule`] stores it: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or the
    /// number.
    pub fn stored(self) -> String {
        match self {
            RuleProtocol::All => "-1".to_owned(),
            RuleProtocol::Tcp => "tcp".to_owned(),
            RuleProtocol::Udp => "udp".to_owned(),
            RuleProtocol::Icmp => "icmp".to_owned(),
            RuleProtocol::Icmpv6 => "icmpv6".to_owned(),
            RuleProtocol::Number(n) => n.to_string(),
        }
    }
}

/// One checked range of a [`RulePermission`]: the typed value, the text the request gave
/// (echoed when a revoke finds no rule for it) and the description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRange<T> {
    /// The block (host bits masked) or prefix list id.
    pub value: T,
    /// The text as given.
    pub given: String,
    /// Description (empty = none).
    pub description: Option<String>,
}

impl<T> RuleRange<T> {
    fn of(given: &Range, value: T) -> Self {
        RuleRange {
            value,
            given: given.value.clone(),
            description: given.description.clone(),
        }
    }

    fn text(&self) -> Range {
        Range {
            value: self.given.clone(),
            description: self.description.clone(),
        }
    }
}

/// A checked `IpPermission`: protocol, ports and blocks are domain values; the group pairs
/// stay ids, resolved against the world when the command runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulePermission {
    /// The protocol.
    pub protocol: RuleProtocol,
    /// From port (TCP/UDP) or ICMP type; `None` for other protocols.
    pub from_port: Option<i32>,
    /// To port (TCP/UDP) or ICMP code; `None` for other protocols.
    pub to_port: Option<i32>,
    /// IPv4 blocks.
    pub ipv4: Vec<RuleRange<Ipv4Net>>,
    /// IPv6 blocks.
    pub ipv6: Vec<RuleRange<Ipv6Net>>,
    /// Prefix list ids.
    pub prefix_lists: Vec<RuleRange<String>>,
    /// Referenced groups.
    pub groups: Vec<GroupPair>,
}

impl Permission {
    fn has_peers(&self) -> bool {
        !(self.ipv4.is_empty()
            && self.ipv6.is_empty()
            && self.prefix_lists.is_empty()
            && self.groups.is_empty())
    }

    /// Checks a permission's values, none of which needs the world, in this order: the
    /// protocol, the ports (or ICMP type and code), that it names a peer, then each IPv4 block,
    /// IPv6 block, prefix list and group pair in turn (for an authorize, each range's
    /// description before its value). Group pairs are resolved when the command runs.
    pub fn parse(&self, usage: PermissionUse) -> Result<RulePermission, DomainError> {
        let protocol = parse_protocol(&self.protocol)?;
        let (from_port, to_port) = rule_ports(protocol, self.from_port, self.to_port)?;
        if !self.has_peers() {
            return Err(DomainError::Rule(RuleProblem::NoPeers));
        }
        let strict = usage == PermissionUse::Authorize;
        let described = |r: &Range| -> Result<(), DomainError> {
            if strict {
                check_description(&r.description)?;
            }
            Ok(())
        };
        let mut out = RulePermission {
            protocol,
            from_port,
            to_port,
            ipv4: Vec::with_capacity(self.ipv4.len()),
            ipv6: Vec::with_capacity(self.ipv6.len()),
            prefix_lists: Vec::with_capacity(self.prefix_lists.len()),
            groups: Vec::with_capacity(self.groups.len()),
        };
        for r in &self.ipv4 {
            described(r)?;
            let net = cidr::parse_v4(&r.value).ok_or_else(|| malformed_cidr(&r.value))?;
            out.ipv4.push(RuleRange::of(r, net));
        }
        for r in &self.ipv6 {
            described(r)?;
            let net = cidr::parse_v6(&r.value).ok_or_else(|| malformed_cidr(&r.value))?;
            out.ipv6.push(RuleRange::of(r, net));
        }
        for r in &self.prefix_lists {
            described(r)?;
            if strict {
                check_prefix_list(&r.value)?;
            }
            out.prefix_lists.push(RuleRange::of(r, r.value.clone()));
        }
        for g in &self.groups {
            if strict {
                check_description(&g.description)?;
            }
            out.groups.push(g.clone());
        }
        Ok(out)
    }
}

/// Result of a revoke by permission.
#[derive(Debug, Clone, Default)]
pub struct RevokeOutcome {
    /// The rules removed.
    pub revoked: Vec<SgRule>,
    /// The parts of the request that matched no rule (protocol normalised).
    pub unknown: Vec<Permission>,
}

/// A rule protocol from its text: `tcp`, `udp`, `icmp`, `icmpv6` (any case), `-1` or `all`, or a
/// number 0–255 (6, 17, 1 and 58 are the named ones).
pub fn parse_protocol(p: &str) -> Result<RuleProtocol, DomainError> {
    let lower = p.trim().to_ascii_lowercase();
    let named = match lower.as_str() {
        "tcp" | "6" => Some(RuleProtocol::Tcp),
        "udp" | "17" => Some(RuleProtocol::Udp),
        "icmp" | "1" => Some(RuleProtocol::Icmp),
        "icmpv6" | "58" => Some(RuleProtocol::Icmpv6),
        "-1" | "all" => Some(RuleProtocol::All),
        _ => None,
    };
    if let Some(named) = named {
        return Ok(named);
    }
    match lower.parse::<u8>() {
        Ok(n) if !lower.starts_with('+') => Ok(RuleProtocol::Number(n)),
        _ => Err(DomainError::Rule(RuleProblem::UnknownProtocol(
            p.to_owned(),
        ))),
    }
}

/// The stored spelling of a rule protocol: `tcp`, `udp`, `icmp`, `icmpv6`, `-1` or a number 0–255.
pub fn normalize_protocol(p: &str) -> Result<String, DomainError> {
    parse_protocol(p).map(RuleProtocol::stored)
}

/// The stored ports of a rule of `protocol`.
fn rule_ports(
    protocol: RuleProtocol,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<(Option<i32>, Option<i32>), DomainError> {
    match protocol {
        RuleProtocol::Tcp | RuleProtocol::Udp => {
            let (Some(f), Some(t)) = (from, to) else {
                return Err(DomainError::Rule(RuleProblem::PortsMissing));
            };
            for v in [f, t] {
                if !(0..=65535).contains(&v) {
                    return Err(DomainError::Rule(RuleProblem::PortOutOfRange(v)));
                }
            }
            if f > t {
                return Err(DomainError::Rule(RuleProblem::PortsReversed(f, t)));
            }
            Ok((Some(f as i32), Some(t as i32)))
        }
        RuleProtocol::Icmp | RuleProtocol::Icmpv6 => {
            let (ty, code) = (from.unwrap_or(-1), to.unwrap_or(-1));
            for v in [ty, code] {
                if !(-1..=255).contains(&v) {
                    return Err(DomainError::Rule(RuleProblem::IcmpOutOfRange(v)));
                }
            }
            if ty == -1 && code != -1 {
                return Err(DomainError::Rule(RuleProblem::IcmpCodeWithAllTypes));
            }
            Ok((Some(ty as i32), Some(code as i32)))
        }
        RuleProtocol::All | RuleProtocol::Number(_) => Ok((None, None)),
    }
}

fn malformed_cidr(s: &str) -> DomainError {
    DomainError::Rule(RuleProblem::MalformedCidr(s.to_owned()))
}

fn check_prefix_list(s: &str) -> Result<(), DomainError> {
    let ok = s.strip_prefix("pl-").is_some_and(|h| {
        !h.is_empty() && h.len() <= 17 && h.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(format!(
            "The prefix list ID '{s}' is malformed"
        )))
    }
}

/// Characters AWS allows in VPC group names, descriptions and rule descriptions.
fn check_text(field: Field, value: &str) -> Result<(), DomainError> {
    const EXTRA: &str = " ._-:/()#,@[]+=&;{}!$*";
    if value.chars().count() > 255 {
        return Err(DomainError::TextRefused {
            field,
            value: value.to_owned(),
            problem: TextProblem::TooLong { max: 255 },
        });
    }
    if let Some(c) = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || EXTRA.contains(*c)))
    {
        return Err(DomainError::TextRefused {
            field,
            value: value.to_owned(),
            problem: TextProblem::Character(c),
        });
    }
    Ok(())
}

fn check_description(d: &Option<String>) -> Result<(), DomainError> {
    match d {
        Some(d) => check_text(Field::RuleDescription, d),
        None => Ok(()),
    }
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

/// A rule as AWS quotes it in `InvalidPermission.Duplicate`.
fn quote_rule(r: &SgRule) -> String {
    let peer = match &r.peer {
        RulePeer::Cidr4(n) => n.to_string(),
        RulePeer::Cidr6(n) => n.to_string(),
        RulePeer::PrefixList(p) => p.clone(),
        RulePeer::Group { group_id, .. } => group_id.clone(),
    };
    let proto = if r.protocol == "-1" {
        "ALL".to_owned()
    } else {
        r.protocol.to_ascii_uppercase()
    };
    match (r.from_port, r.to_port) {
        (Some(f), Some(t)) => {
            format!("\"peer: {peer}, {proto}, from port: {f}, to port: {t}, ALLOW\"")
        }
        _ => format!("\"peer: {peer}, {proto}, ALLOW\""),
    }
}

/// Counts of rules per IP family (group and prefix-list rules count for both).
fn family_counts<'a>(rules: impl Iterator<Item = &'a SgRule>) -> (usize, usize) {
    rules.fold((0, 0), |(v4, v6), r| match r.peer {
        RulePeer::Cidr4(_) => (v4 + 1, v6),
        RulePeer::Cidr6(_) => (v4, v6 + 1),
        RulePeer::PrefixList(_) | RulePeer::Group { .. } => (v4 + 1, v6 + 1),
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

/// Parses every permission of a request, in order.
pub fn parse_all(
    perms: &[Permission],
    usage: PermissionUse,
) -> Result<Vec<RulePermission>, DomainError> {
    perms.iter().map(|p| p.parse(usage)).collect()
}

impl Tx<'_, '_> {
    /// The caller's group named by `sel`.
    pub fn security_group(&self, sel: &GroupSelector) -> Result<&SecurityGroup, DomainError> {
        match sel {
            GroupSelector::Id(id) => self.owned::<SecurityGroup>(id),
            GroupSelector::Name(name) => {
                let found: Vec<&SecurityGroup> = self
                    .list_owned::<SecurityGroup>()
                    .filter(|g| g.name == *name)
                    .collect();
                match found.as_slice() {
                    [g] => Ok(g),
                    [] => Err(DomainError::GroupNotUsable(format!(
                        "The security group '{name}' does not exist"
                    ))),
                    _ => Err(DomainError::AmbiguousGroupName { name: name.clone() }),
                }
            }
        }
    }

    /// CreateSecurityGroup: the group with its allow-all IPv4 egress rule.
    pub fn create_security_group(
        &mut self,
        input: CreateSecurityGroup,
    ) -> Result<String, DomainError> {
        let vpc = self.owned::<Vpc>(&input.vpc_id)?;
        let vpc_id = vpc.id.clone();
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
            return Err(DomainError::invalid(format!(
                "Group names may not be in the format sg-*: '{name}'"
            )));
        }
        if name == "default" {
            return Err(DomainError::GroupReserved(name));
        }
        if self
            .world()
            .security_groups
            .values()
            .any(|g| g.vpc_id == vpc_id && g.name == name)
        {
            return Err(DomainError::GroupDuplicate { name, vpc_id });
        }
        if let Some(max) = self.ctx.limits.security_groups_per_region {
            if self.list_owned::<SecurityGroup>().count() >= max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::SecurityGroups,
                    message:
                        "You have exceeded the number of VPC security groups allowed per region."
                            .into(),
                });
            }
        }
        let id = self.new_id("sg");
        let egress = vec![SgRule {
            id: self.new_id("sgr"),
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: RulePeer::Cidr4(ipnet::Ipv4Net::default()),
            description: None,
        }];
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
            .network_interfaces
            .values()
            .find(|e| e.groups.contains(&id))
        {
            return Err(DomainError::DependencyViolation {
                kind: Kind::SecurityGroup,
                id,
                detail: Some(format!("network interface {} uses it", eni.id)),
            });
        }
        let referencing = w.security_groups.values().find(|o| {
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
                detail: Some(format!("security group {} references it", o.id)),
            });
        }
        self.remove::<SecurityGroup>(&id);
        Ok(id)
    }

    /// An active connection between two VPCs, if any.
    fn active_peering_between(&self, a: &str, b: &str) -> Option<&PeeringConnection> {
        let now = self.now();
        self.world()
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
                .security_groups
                .values()
                .find(|g| g.vpc_id == owner.vpc_id && g.name == name && g.scope == owner.scope);
            return match found {
                Some(g) if user_id == owner.scope.account => Ok(RulePeer::Group {
                    group_id: g.id.clone(),
                    user_id,
                    peering_id: None,
                }),
                _ => Err(DomainError::GroupNotUsable(format!(
                    "The security group '{name}' does not exist in VPC '{}'",
                    owner.vpc_id
                ))),
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
            return Err(DomainError::GroupNotUsable(format!(
                "You have specified two resources that belong to different networks. Security group {group_id} is in region {} and {} is in region {}: security group references do not work across regions (inter-region VPC peering); reference the peer VPC's CIDR blocks instead.",
                referenced.scope.region, owner.id, owner.scope.region
            )));
        }
        let different_networks = || {
            DomainError::GroupNotUsable(
                "You have specified two resources that belong to different networks.".into(),
            )
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

    /// AuthorizeSecurityGroupIngress/Egress from permissions as a request gives them: each is
    /// parsed ([`Permission::parse`]), then [`Tx::authorize_rules`] runs.
    pub fn authorize_security_group(
        &mut self,
        dir: Direction,
        sel: &GroupSelector,
        perms: &[Permission],
    ) -> Result<(String, Vec<SgRule>), DomainError> {
        let perms = parse_all(perms, PermissionUse::Authorize)?;
        self.authorize_rules(dir, sel, &perms)
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
                return Err(DomainError::invalid(
                    "The same permission must not appear multiple times",
                ));
            }
        }
        let existing = rules_of(&group, dir);
        if let Some(r) = rules
            .iter()
            .find(|r| existing.iter().any(|e| same_grant(e, r)))
        {
            return Err(DomainError::PermissionDuplicate(quote_rule(r)));
        }
        if let Some(max) = self.ctx.limits.rules_per_security_group {
            let (v4, v6) = family_counts(existing.iter().chain(rules.iter()));
            if v4 > max || v6 > max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::RulesPerSecurityGroup,
                    message: "The maximum number of rules per security group has been reached."
                        .into(),
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

    /// RevokeSecurityGroupIngress/Egress by permissions as a request gives them: each is parsed
    /// ([`Permission::parse`]), then [`Tx::revoke_matching`] runs.
    pub fn revoke_security_group(
        &mut self,
        dir: Direction,
        sel: &GroupSelector,
        perms: &[Permission],
    ) -> Result<(String, RevokeOutcome), DomainError> {
        let perms = parse_all(perms, PermissionUse::Revoke)?;
        self.revoke_matching(dir, sel, &perms)
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
            let mut unknown = Permission {
                protocol: protocol.clone(),
                from_port: from_port.map(i64::from),
                to_port: to_port.map(i64::from),
                ..Permission::default()
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
                    unknown.ipv4.push(r.text());
                }
            }
            for r in &perm.ipv6 {
                if !take(&|p| *p == RulePeer::Cidr6(r.value)) {
                    unknown.ipv6.push(r.text());
                }
            }
            for r in &perm.prefix_lists {
                if !take(&|p| matches!(p, RulePeer::PrefixList(l) if *l == r.value)) {
                    unknown.prefix_lists.push(r.text());
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

mod references;

pub use references::{GroupReference, SecurityGroupReference, StaleGroup};

#[cfg(test)]
mod tests;
