//! The model names what is wrong in domain terms (`DomainError::Missing(Field)`,
//! `DomainError::Invalid { field, value }`, …) and `vpcpeer-wire-aws` words it in EC2's
//! dialect. This test reads the AWS side of the model's non-test sources (everything under `aws/`)
//! and refuses every string literal that spells an EC2 parameter message: EC2's
//! "Value (…) for parameter X is invalid" sentence, "the parameter X", or an EC2 parameter name.
//!
//! It also refuses EC2's spellings of resource states (`pending-acceptance`, `available`, …):
//! the model keeps typed states, and the EC2 face (or, for peering states, the reachability
//! engine, whose explanations quote them) spells them.
//!
//! Files that still word some errors in EC2 terms are listed in [`PENDING`] with their count of
//! such literals: the list may only shrink (a new literal anywhere fails, and so does a fixed
//! one until its count is lowered), so the remaining work stays visible.

mod common;

use std::path::{Path, PathBuf};

use common::rust_files;

/// Files (relative to `crates/vpcpeer-model/src`) that still hold EC2 parameter wording in
/// error text, and how many such literals each holds. Issue 9 item 1 empties this list.
const PENDING: &[(&str, usize)] = &[];

/// EC2 parameter names as the EC2 face spells them in messages (camelCase query members and
/// the request parameters they come from). Generic words (`protocol`, `description`) are left
/// out: they are domain words too.
const PARAMETER_NAMES: &[&str] = &[
    "AllocationId",
    "assignIpv6AddressOnCreation",
    "associatePublicIPAddress",
    "AvailabilityZone",
    "availabilityZone",
    "AvailabilityZoneId",
    "availabilityZoneId",
    "CidrBlock",
    "cidrBlock",
    "clientToken",
    "connectivityType",
    "destinationCidrBlock",
    "DestinationCidrBlock",
    "DestinationIpv6CidrBlock",
    "DestinationPrefixListId",
    "destinationIpv6CidrBlock",
    "DestinationIp",
    "DestinationPort",
    "egressOnlyInternetGatewayId",
    "gatewayId",
    "GroupDescription",
    "GroupId",
    "GroupName",
    "icmpTypeCode",
    "ImageId",
    "instanceTenancy",
    "InstanceId",
    "InstanceType",
    "IpPermissions",
    "Ipv6CidrBlock",
    "ipv6CidrBlock",
    "maxCount",
    "minCount",
    "MaxCount",
    "PeerVpcId",
    "portRange",
    "privateIpAddress",
    "ResourceId",
    "ruleAction",
    "ruleNumber",
    "SourceIp",
    "SubnetId",
    "transitGatewayId",
    "vpcEndpointId",
];

/// EC2's spellings of resource states (peering connections, NAT gateways, routes, block
/// associations, instances, attachments). A literal that is one of them, or that holds one of
/// the hyphenated ones, spells an EC2 state; single words inside prose ("an active peering
/// connection") do not.
const EC2_STATES: &[&str] = &[
    "initiating-request",
    "pending-acceptance",
    "provisioning",
    "active",
    "deleting",
    "deleted",
    "rejected",
    "failed",
    "expired",
    "pending",
    "available",
    "blackhole",
    "associating",
    "associated",
    "disassociating",
    "disassociated",
    "attaching",
    "attached",
    "detaching",
    "detached",
    "running",
    "stopping",
    "stopped",
    "shutting-down",
    "terminated",
    "in-use",
    "succeeded",
];

/// Why a literal spells an EC2 resource state, if it does.
fn ec2_state(lit: &str) -> Option<String> {
    EC2_STATES
        .iter()
        .find(|s| lit == **s || (s.contains('-') && has_word(lit, s)))
        .map(|s| format!("the EC2 state {s}"))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The non-test code of a file: comment lines dropped, and everything from the first
/// `#[cfg(test)]` on (the model keeps its unit tests at the end of a file or in `tests.rs`).
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The string literals of `code` (plain `"…"` literals with escapes, trailing `//` comments
/// skipped; enough for this crate).
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = code.chars().peekable();
    let mut in_char = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if !in_char && chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' => in_char = !in_char && chars.peek().is_some_and(|n| *n != ' '),
            '"' if !in_char => {
                let mut lit = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                lit.push('\\');
                                lit.push(n);
                            }
                        }
                        '"' => break,
                        c => lit.push(c),
                    }
                }
                out.push(lit);
            }
            _ => {}
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `name` occurs in `s` as a whole word.
fn has_word(s: &str, name: &str) -> bool {
    s.match_indices(name).any(|(i, _)| {
        let before = s[..i].chars().next_back();
        let after = s[i + name.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// Why a literal spells an EC2 parameter message, if it does.
fn ec2_wording(lit: &str) -> Option<String> {
    if lit.contains("for parameter ") {
        return Some("EC2's \"for parameter\" sentence".into());
    }
    if lit.contains("Invalid value '") {
        return Some("EC2's \"Invalid value '…' for X\" sentence".into());
    }
    if lit.contains("The parameter ") || lit.contains("the parameter ") {
        return Some("\"the parameter …\"".into());
    }
    PARAMETER_NAMES
        .iter()
        .find(|n| has_word(lit, n))
        .map(|n| format!("the EC2 parameter name {n}"))
}

/// Every literal of the AWS side of the model that spells EC2 wording, by file.
fn findings() -> Vec<(String, Vec<String>)> {
    let root = src();
    let files = rust_files(&root.join("aws"));
    let mut out = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with("tests.rs") || rel.contains("/tests/") {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("readable source file");
        let hits: Vec<String> = literals(&code(&text))
            .into_iter()
            .filter_map(|l| {
                ec2_wording(&l)
                    .or_else(|| ec2_state(&l))
                    .map(|why| format!("{why}: \"{l}\""))
            })
            .collect();
        if !hits.is_empty() {
            out.push((rel, hits));
        }
    }
    out
}

#[test]
fn the_model_words_no_ec2_parameter_message() {
    let found = findings();
    let mut problems = Vec::new();
    for (file, hits) in &found {
        let allowed = PENDING
            .iter()
            .find(|(f, _)| f == file)
            .map_or(0, |(_, n)| *n);
        if hits.len() != allowed {
            problems.push(format!(
                "{file}: {} literal(s) spell EC2 parameter wording, {allowed} pending:\n    {}",
                hits.len(),
                hits.join("\n    ")
            ));
        }
    }
    for (file, n) in PENDING {
        if !found.iter().any(|(f, _)| f == file) {
            problems.push(format!(
                "{file}: no EC2 parameter wording left, {n} pending: remove it from PENDING"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the model names what is wrong in domain terms (DomainError::Missing/Invalid with a \
         Field) and vpcpeer-wire-aws words it:\n{}",
        problems.join("\n")
    );
}

/// The detector itself: the sentences the model used to build are caught, domain text is not.
#[test]
fn the_detector_catches_ec2_wording_and_only_it() {
    let caught = [
        "Value ({c}) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
        "The parameter destinationCidrBlock cannot be used with the parameter destinationIpv6CidrBlock",
        "GroupId or GroupName of the referenced group",
        "portRange",
        "Invalid value '{v}' for portRange. Must be in the range 0-65535.",
    ];
    for lit in caught {
        assert!(ec2_wording(lit).is_some(), "{lit}");
    }
    let clean = [
        "the CIDR '{cidr}' is invalid",
        "subnet {} is associated with it",
        "vpc",
        "cannot delete default network ACL {acl_id}",
        "portRanges",
    ];
    for lit in clean {
        assert_eq!(ec2_wording(lit), None, "{lit}");
    }
    for lit in [
        "pending-acceptance",
        "available",
        "blackhole",
        "peering is pending-acceptance now",
    ] {
        assert!(ec2_state(lit).is_some(), "{lit}");
    }
    for lit in [
        "active VPC peering connection {}",
        "pending VPC peering connection request {} (reject it first)",
        "Available",
    ] {
        assert_eq!(ec2_state(lit), None, "{lit}");
    }
    let code = code("let a = \"x\"; // \"for parameter y\"\n#[cfg(test)]\nmod t { \"GroupId\" }");
    assert_eq!(literals(&code), vec!["x".to_owned()]);
    assert_eq!(
        literals(r#"f('"', "a\"b", 'c')"#),
        vec![r#"a\"b"#.to_owned()]
    );
}
