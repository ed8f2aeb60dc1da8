//! Security group permissions as a request gives them ([`Permission`], text) and as commands
//! carry them ([`RulePermission`]: protocol, ports and blocks as domain values). The face parses
//! one into the other with [`Permission::parse`], before the world is read; group pairs stay
//! ids, resolved when the command runs. Also the text rules for group names and descriptions.

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::aws::error::{Field, RuleProblem, TextProblem};
use crate::cidr;
use crate::DomainError;

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

    pub(super) fn text(&self) -> Range {
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
    pub(super) fn has_peers(&self) -> bool {
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
        _ => Err(DomainError::Rule(RuleProblem::UnknownProtocol {
            value: p.to_owned(),
        })),
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
    DomainError::Rule(RuleProblem::MalformedCidr {
        value: s.to_owned(),
    })
}

fn check_prefix_list(s: &str) -> Result<(), DomainError> {
    let ok = s.strip_prefix("pl-").is_some_and(|h| {
        !h.is_empty() && h.len() <= 17 && h.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(DomainError::Rule(RuleProblem::MalformedPrefixList {
            value: s.to_owned(),
        }))
    }
}

/// Characters AWS allows in VPC group names, descriptions and rule descriptions.
pub(super) fn check_text(field: Field, value: &str) -> Result<(), DomainError> {
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

/// Parses every permission of a request, in order.
pub fn parse_all(
    perms: &[Permission],
    usage: PermissionUse,
) -> Result<Vec<RulePermission>, DomainError> {
    perms.iter().map(|p| p.parse(usage)).collect()
}
