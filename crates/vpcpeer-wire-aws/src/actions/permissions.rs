//! Security group permissions from request text: the `IpPermissions.N.*` (or legacy flat) form
//! of an authorize/revoke call as text ([`Permission`]), and the one rule that turns it into the
//! typed [`RulePermission`] a command carries ([`Permission::parse`]), before the world is read.
//! Refusals are the model's structured errors ([`RuleProblem`], [`DomainError::TextRefused`]);
//! `crate::error` words them. Group pairs stay ids, resolved when the command runs.

use vpcpeer_model::aws::security_group::{
    check_text, GroupPair, RulePermission, RuleProtocol, RuleRange,
};
use vpcpeer_model::{cidr, DomainError, Field, RuleProblem};

/// A range (CIDR or prefix list id) of a permission as a request gives it, with its
/// description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Range {
    /// The CIDR or prefix list id, as given.
    pub value: String,
    /// Description.
    pub description: Option<String>,
}

/// An `IpPermission` as a request gives it (text). Turned into a [`RulePermission`] with
/// [`Permission::parse`] before a command is built; commands never carry this form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Permission {
    /// `IpProtocol`, as given.
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
/// it needs to find rules (descriptions and prefix list ids are not checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PermissionUse {
    /// AuthorizeSecurityGroupIngress/Egress.
    Authorize,
    /// RevokeSecurityGroupIngress/Egress.
    Revoke,
}

fn range<T>(given: &Range, value: T) -> RuleRange<T> {
    RuleRange {
        value,
        given: given.value.clone(),
        description: given.description.clone(),
    }
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
    pub(crate) fn parse(&self, usage: PermissionUse) -> Result<RulePermission, DomainError> {
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
            out.ipv4.push(range(r, net));
        }
        for r in &self.ipv6 {
            described(r)?;
            let net = cidr::parse_v6(&r.value).ok_or_else(|| malformed_cidr(&r.value))?;
            out.ipv6.push(range(r, net));
        }
        for r in &self.prefix_lists {
            described(r)?;
            if strict {
                check_prefix_list(&r.value)?;
            }
            out.prefix_lists.push(range(r, r.value.clone()));
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

/// Parses every permission of a request, in order.
pub(crate) fn parse_all(
    perms: &[Permission],
    usage: PermissionUse,
) -> Result<Vec<RulePermission>, DomainError> {
    perms.iter().map(|p| p.parse(usage)).collect()
}

/// A rule protocol from its text: `tcp`, `udp`, `icmp`, `icmpv6` (any case), `-1` or `all`, or a
/// number 0–255 (6, 17, 1 and 58 are the named ones).
pub(crate) fn parse_protocol(p: &str) -> Result<RuleProtocol, DomainError> {
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

fn check_description(d: &Option<String>) -> Result<(), DomainError> {
    match d {
        Some(d) => check_text(Field::RuleDescription, d),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
