//! Network ACL actions: Create/Delete/DescribeNetworkAcls, Create/Replace/DeleteNetworkAclEntry and
//! ReplaceNetworkAclAssociation.
//!
//! `NetworkAcl` renders as `networkAclId`, `vpcId`, `default`, `entrySet`, `associationSet`,
//! `tagSet`, `ownerId` (botocore model names). Entries list outbound first, then by rule number;
//! protocols are numbers (`-1`, `6`, …) as EC2 shows them. The `entry.protocol` filter matches
//! the number or the name (`6` or `tcp`) **[unverified: EC2 may only accept the number]**.
//! `ClientToken` of CreateNetworkAcl is echoed, not used for idempotency.

use vpcpeer_model::aws::acl::{
    check_rule_number, ordered_entries, AclEntryProblem, AclEntryRequest, AclEntrySpec, AclProtocol,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::cidr;
use vpcpeer_model::{AclAction, AclEntry, Destination, Field, NetworkAcl, Tx};

use super::{change, describe_owned, render_done, render_named_id, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::{Ec2Error, Params, Xml};

/// The network ACL actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateNetworkAcl" => change(
            |p| {
                Ok(Command::CreateNetworkAcl {
                    vpc_id: p.id("VpcId")?,
                    tags: p.spec_tags_of("network-acl")?,
                    client_token: p.get("ClientToken").map(str::to_owned),
                })
            },
            render_created,
        ),
        "DeleteNetworkAcl" => by_ids!(DeleteNetworkAcl { id: "NetworkAclId" } => render_done),
        "DescribeNetworkAcls" => Action::Read(describe_network_acls),
        "CreateNetworkAclEntry" => change(
            |p| Ok(Command::CreateNetworkAclEntry(entry_request(p)?)),
            render_done,
        ),
        "ReplaceNetworkAclEntry" => change(
            |p| Ok(Command::ReplaceNetworkAclEntry(entry_request(p)?)),
            render_done,
        ),
        "DeleteNetworkAclEntry" => change(
            |p| {
                Ok(Command::DeleteNetworkAclEntry {
                    acl_id: p.id("NetworkAclId")?,
                    rule_number: required_int(p, "RuleNumber")?,
                    egress: required_bool(p, "Egress")?,
                })
            },
            render_done,
        ),
        "ReplaceNetworkAclAssociation" => by_ids!(ReplaceNetworkAclAssociation {
            association_id: "AssociationId",
            acl_id: "NetworkAclId",
        } => |_, o, x| render_named_id(o, x, "newAssociationId")),
        _ => return None,
    })
}

const FILTERS: &[&str] = &[
    "association.association-id",
    "association.network-acl-id",
    "association.subnet-id",
    "default",
    "entry.cidr",
    "entry.ipv6-cidr",
    "entry.egress",
    "entry.icmp.code",
    "entry.icmp.type",
    "entry.port-range.from",
    "entry.port-range.to",
    "entry.protocol",
    "entry.rule-action",
    "entry.rule-number",
    "network-acl-id",
    "owner-id",
    "vpc-id",
];

fn action_name(a: AclAction) -> &'static str {
    match a {
        AclAction::Allow => "allow",
        AclAction::Deny => "deny",
    }
}

fn protocol_names(p: &str) -> Vec<String> {
    let name = match p {
        "6" => Some("tcp"),
        "17" => Some("udp"),
        "1" => Some("icmp"),
        "58" => Some("icmpv6"),
        "-1" => Some("all"),
        _ => None,
    };
    std::iter::once(p.to_owned())
        .chain(name.map(str::to_owned))
        .collect()
}

fn field(a: &NetworkAcl, name: &str) -> Vec<String> {
    let entries = a.entries.iter();
    let each = |f: &dyn Fn(&AclEntry) -> Option<String>| -> Vec<String> {
        a.entries.iter().filter_map(f).collect()
    };
    match name {
        "association.association-id" => a.associations.iter().map(|x| x.id.clone()).collect(),
        "association.network-acl-id" => {
            if a.associations.is_empty() {
                Vec::new()
            } else {
                vec![a.id.clone()]
            }
        }
        "association.subnet-id" => a.associations.iter().map(|x| x.subnet_id.clone()).collect(),
        "default" => vec![a.is_default.to_string()],
        "entry.cidr" => each(&|e| match e.cidr {
            Destination::V4(c) => Some(c.to_string()),
            _ => None,
        }),
        "entry.ipv6-cidr" => each(&|e| match e.cidr {
            Destination::V6(c) => Some(c.to_string()),
            _ => None,
        }),
        "entry.egress" => each(&|e| Some(e.egress.to_string())),
        "entry.icmp.type" => each(&|e| e.icmp.map(|(t, _)| t.to_string())),
        "entry.icmp.code" => each(&|e| e.icmp.map(|(_, c)| c.to_string())),
        "entry.port-range.from" => each(&|e| e.port_range.map(|(f, _)| f.to_string())),
        "entry.port-range.to" => each(&|e| e.port_range.map(|(_, t)| t.to_string())),
        "entry.protocol" => entries.flat_map(|e| protocol_names(&e.protocol)).collect(),
        "entry.rule-action" => each(&|e| Some(action_name(e.action).to_owned())),
        "entry.rule-number" => each(&|e| Some(e.rule_number.to_string())),
        "network-acl-id" => vec![a.id.clone()],
        "owner-id" => vec![a.scope.account.clone()],
        "vpc-id" => vec![a.vpc_id.clone()],
        _ => Vec::new(),
    }
}

fn write_acl(x: &mut Xml, a: &NetworkAcl) {
    x.leaf("networkAclId", &a.id)
        .leaf("vpcId", &a.vpc_id)
        .leaf("default", a.is_default)
        .list("entrySet", ordered_entries(a), |x, e| {
            x.leaf("ruleNumber", e.rule_number)
                .leaf("protocol", &e.protocol)
                .leaf("ruleAction", action_name(e.action))
                .leaf("egress", e.egress);
            match e.cidr {
                Destination::V4(c) => x.leaf("cidrBlock", c),
                Destination::V6(c) => x.leaf("ipv6CidrBlock", c),
                // ACL entries hold blocks only.
                Destination::PrefixList(_) => x,
            };
            if let Some((ty, code)) = e.icmp {
                x.node("icmpTypeCode", |x| {
                    x.leaf("code", code).leaf("type", ty);
                });
            }
            if let Some((from, to)) = e.port_range {
                x.node("portRange", |x| {
                    x.leaf("from", from).leaf("to", to);
                });
            }
        })
        .list("associationSet", &a.associations, |x, s| {
            x.leaf("networkAclAssociationId", &s.id)
                .leaf("networkAclId", &a.id)
                .leaf("subnetId", &s.subnet_id);
        })
        .tags(&a.tags)
        .leaf("ownerId", &a.scope.account);
}

fn render_created(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::AclCreated { id, client_token } = outcome else {
        return unexpected(&outcome, x);
    };
    if let Ok(a) = tx.owned::<NetworkAcl>(&id) {
        x.node("networkAcl", |x| write_acl(x, a));
    }
    x.opt_leaf("clientToken", client_token);
}

fn describe_network_acls(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("NetworkAclId", FILTERS, "networkAclSet").max(100);
    let keep = |f: &[Filter], a: &NetworkAcl| matches(f, &a.tags, |n| field(a, n));
    describe_owned(tx, p, page, keep, x, write_acl)
}

fn required_bool(p: &Params, name: &str) -> Result<bool, Ec2Error> {
    p.bool(name)?.ok_or_else(|| Ec2Error::missing(name))
}

fn required_int(p: &Params, name: &str) -> Result<i64, Ec2Error> {
    p.int(name)?.ok_or_else(|| Ec2Error::missing(name))
}

/// The text of an entry request, as `CreateNetworkAclEntry`/`ReplaceNetworkAclEntry` give it.
struct EntryText<'a> {
    acl_id: &'a str,
    rule_number: i64,
    protocol: &'a str,
    action: &'a str,
    egress: bool,
    cidr: Option<String>,
    ipv6_cidr: Option<String>,
    port_from: Option<i64>,
    port_to: Option<i64>,
    icmp_type: Option<i64>,
    icmp_code: Option<i64>,
}

fn entry_text(p: &Params) -> Result<EntryText<'_>, Ec2Error> {
    Ok(EntryText {
        acl_id: p.required("NetworkAclId")?,
        rule_number: required_int(p, "RuleNumber")?,
        protocol: p.required("Protocol")?,
        action: p.required("RuleAction")?,
        egress: required_bool(p, "Egress")?,
        cidr: p.string("CidrBlock").filter(|s| !s.is_empty()),
        ipv6_cidr: p.string("Ipv6CidrBlock").filter(|s| !s.is_empty()),
        port_from: p.int("PortRange.From")?,
        port_to: p.int("PortRange.To")?,
        icmp_type: p.int("Icmp.Type")?,
        icmp_code: p.int("Icmp.Code")?,
    })
}

/// An ACL entry protocol: `-1`/`all`, a name (`tcp`, `udp`, `icmp`, `icmpv6`) or a number 0–255.
fn acl_protocol(p: &str) -> Result<AclProtocol, AclEntryProblem> {
    let lower = p.trim().to_ascii_lowercase();
    let named = match lower.as_str() {
        "-1" | "all" => Some(AclProtocol::All),
        "tcp" => Some(AclProtocol::TCP),
        "udp" => Some(AclProtocol::UDP),
        "icmp" => Some(AclProtocol::ICMP),
        "icmpv6" | "ipv6-icmp" => Some(AclProtocol::ICMPV6),
        _ => None,
    };
    if let Some(named) = named {
        return Ok(named);
    }
    match lower.parse::<u8>() {
        Ok(n) if !lower.starts_with('+') => Ok(AclProtocol::Number(n)),
        _ => Err(invalid(Field::AclProtocol, p)),
    }
}

fn invalid(field: Field, value: &str) -> AclEntryProblem {
    AclEntryProblem::Invalid {
        field,
        value: value.to_owned(),
    }
}

/// Parses an entry's values, refusing bad ones in the order EC2 (and this emulator before the
/// face parsed them) checks them: the rule number, the protocol, the action, the blocks, then
/// the ports (TCP, UDP) or ICMP type and code (ICMP, ICMPv6). Ports and ICMP values of other
/// protocols are ignored, unchecked.
fn parse_entry(t: &EntryText<'_>) -> Result<AclEntrySpec, AclEntryProblem> {
    if check_rule_number(t.rule_number).is_err() {
        return Err(invalid(Field::AclRuleNumber, &t.rule_number.to_string()));
    }
    let protocol = acl_protocol(t.protocol)?;
    let action = match t.action.to_ascii_lowercase().as_str() {
        "allow" => AclAction::Allow,
        "deny" => AclAction::Deny,
        _ => return Err(invalid(Field::AclRuleAction, t.action)),
    };
    let cidr = match (t.cidr.as_deref(), t.ipv6_cidr.as_deref()) {
        (Some(c), None) => {
            Destination::V4(cidr::parse_v4(c).ok_or_else(|| invalid(Field::AclEntryIpv4Block, c))?)
        }
        (None, Some(c)) => {
            Destination::V6(cidr::parse_v6(c).ok_or_else(|| invalid(Field::AclEntryIpv6Block, c))?)
        }
        (Some(_), Some(_)) => return Err(AclEntryProblem::BothBlocks),
        (None, None) => return Err(AclEntryProblem::Missing(Field::AclEntryBlock)),
    };
    let mut port_range = None;
    let mut icmp = None;
    if protocol.has_ports() {
        if let (Some(from), Some(to)) = (t.port_from, t.port_to) {
            let port = |v: i64| u16::try_from(v).map_err(|_| AclEntryProblem::PortOutOfRange(v));
            let (from, to) = (port(from)?, port(to)?);
            if from > to {
                return Err(invalid(Field::AclPortRange, &format!("{from}-{to}")));
            }
            port_range = Some((from, to));
        }
    } else if protocol.has_icmp() {
        if let (Some(ty), Some(code)) = (t.icmp_type, t.icmp_code) {
            let value = |v: i64| {
                i16::try_from(v)
                    .ok()
                    .filter(|v| (-1..=255).contains(v))
                    .ok_or_else(|| invalid(Field::AclIcmpTypeCode, &v.to_string()))
            };
            icmp = Some((value(ty)?, value(code)?));
        }
    }
    Ok(AclEntrySpec {
        acl_id: t.acl_id.to_owned(),
        rule_number: t.rule_number,
        protocol,
        action,
        egress: t.egress,
        cidr,
        port_range,
        icmp,
    })
}

/// Reads and parses an entry request. A refused value travels in the command, which reports it
/// only once the ACL is found: an unknown ACL is reported ahead of a bad value, as it always
/// was (EC2's order is unverified).
fn entry_request(p: &Params) -> Result<AclEntryRequest, Ec2Error> {
    let text = entry_text(p)?;
    Ok(match parse_entry(&text) {
        Ok(input) => AclEntryRequest::Parsed(input),
        Err(problem) => AclEntryRequest::Refused {
            acl_id: text.acl_id.to_owned(),
            problem,
        },
    })
}
