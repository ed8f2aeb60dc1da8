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
//! It refuses, too, the fragments of the EC2 messages the model used to build itself (moved to
//! `vpcpeer-wire-aws/src/messages.rs` when `DomainError` became structured; [`EC2_FRAGMENTS`])
//! and EC2's error codes ([`EC2_CODES`]), and it checks that no error kind carries prose: every
//! `String` field of an enum in `src/aws/error.rs` and `src/aws/error/` must be named as an id (`…_id`,
//! `id`) or as one of [`STRING_FIELDS`] (a name, a key, a region, or a value as the caller gave
//! it), and no variant holds an unnamed `String` (`Variant(String)`), which could be anything.
//!
//! Files that still word some errors in EC2 terms are listed in [`PENDING`] with their count of
//! such literals: the list may only shrink (a new literal anywhere fails, and so does a fixed
//! one until its count is lowered), so the remaining work stays visible.

mod common;

use std::path::{Path, PathBuf};

use common::rust_files;

/// Files (relative to `crates/vpcpeer-model/src`) that still hold EC2 parameter wording in
/// error text, and how many such literals each holds. Issue 9 item 1 empties this list.
///
/// `src/aws/peering.rs` keeps one: the status message a failed peering request stores in its record
/// ("The VPC … does not exist in account … and region …"), which is not an error but data of
/// the record (and of its persisted form); moving it to the face needs a typed status reason and
/// a record migration.
const PENDING: &[(&str, usize)] = &[("aws/peering.rs", 1)];

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

/// Fragments of the EC2 messages the model used to word itself (now in `vpcpeer-wire-aws`).
const EC2_FRAGMENTS: &[&str] = &[
    "belong to different networks",
    "is already attached to network",
    "already has an internet gateway attached",
    "is already associated",
    "has met its maximum number",
    "The maximum number of",
    "You have reached the limit",
    "You have exceeded the number",
    "would be exceeded",
    "cannot be used for a route",
    "reserved by AWS",
    "managed by AWS",
    "does not fall within",
    "does not exist",
    "You have specified two resources",
    "must not appear multiple times",
    "may not be specified on the same request",
    "does not have permission",
    "cannot accept peering",
    "cannot reject peering",
    "cannot delete peering",
    "Incorrect region",
    "is not active",
    "Tag key '",
    "Tag value for key",
    "Duplicate tag key",
    "is malformed",
    "Please specify",
    "has dependencies and cannot be deleted",
    "delete them first",
    "reject it first",
    "Cannot enable DNS",
    "Cannot disable DNS",
    "More than one target",
    "must be different resources",
    "device index",
    "peer: ",
    "ALLOW",
    "cannot delete default",
    "cannot remove local route",
    "is given twice",
];

/// EC2 error codes: the EC2 face chooses them; the model names kinds.
const EC2_CODES: &[&str] = &[
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "OperationNotPermitted",
    "MissingParameter",
    "DependencyViolation",
    "IncorrectState",
    "Resource.AlreadyAssociated",
    "InvalidGroup.NotFound",
    "InvalidPermission.Duplicate",
    "InvalidPermission.Malformed",
    "InvalidTagKey.Malformed",
    "InvalidIPAddress.InUse",
    "InsufficientFreeAddressesInSubnet",
    "IdempotentParameterMismatch",
    "DnsHostnamesDisabled",
    "LimitExceeded",
];

/// Names a `String` field of an error kind may have besides ids (`id`, `…_id`): names, keys,
/// regions, accounts and values as the caller gave them. Prose (`message`, `detail`, `reason`,
/// `text`) is not among them.
const STRING_FIELDS: &[&str] = &[
    "account",
    "cidr",
    "client_token",
    "gateway",
    "group",
    "instance_type",
    "key",
    "name",
    "offered",
    "primary_zone",
    "region",
    "accepter_region",
    "group_region",
    "owner_region",
    "resource",
    "table",
    "value",
    "zone",
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
    if let Some(f) = EC2_FRAGMENTS.iter().find(|f| lit.contains(*f)) {
        return Some(format!("a fragment of an EC2 message ({f:?})"));
    }
    if let Some(c) = EC2_CODES.iter().find(|c| lit.contains(*c)) {
        return Some(format!("the EC2 error code {c}"));
    }
    PARAMETER_NAMES
        .iter()
        .find(|n| has_word(lit, n))
        .map(|n| format!("the EC2 parameter name {n}"))
}

/// The bodies of the `pub enum`s of `code`, by enum name.
fn enums(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("pub enum ") {
        let after = &rest[i + "pub enum ".len()..];
        let name: String = after.chars().take_while(|c| is_word_char(*c)).collect();
        let Some(open) = after.find('{') else { break };
        let mut depth = 0;
        let mut end = after.len();
        for (j, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((name, after[open + 1..end].to_owned()));
        rest = &after[end..];
    }
    out
}

/// Why a line of an error enum's body carries prose, if it does: a `String` field whose name
/// is neither an id nor one of [`STRING_FIELDS`], or an unnamed `String`.
fn prose_field(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with('#') || !line.contains("String") {
        return None;
    }
    if let Some((name, ty)) = line.split_once(':') {
        let name = name.trim();
        if name.chars().all(is_word_char) && !ty.contains('(') {
            let allowed = name == "id" || name.ends_with("_id") || STRING_FIELDS.contains(&name);
            return (!allowed).then(|| format!("the String field `{name}`"));
        }
    }
    Some(format!("an unnamed String in `{line}`"))
}

/// Every field of an error kind (in `src/aws/error.rs` and `src/aws/error/`) that carries prose.
fn prose_fields() -> Vec<String> {
    let aws = src().join("aws");
    let mut files = vec![aws.join("error.rs")];
    files.extend(rust_files(&aws.join("error")));
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable source file");
        for (name, body) in enums(&code(&text)) {
            for line in body.lines() {
                if let Some(why) = prose_field(line) {
                    out.push(format!("{}: {name}: {why}", f.display()));
                }
            }
        }
    }
    out
}

#[test]
fn no_error_kind_carries_prose() {
    let found = prose_fields();
    assert!(
        found.is_empty(),
        "an error kind names what went wrong and holds ids and values, never a message; the \
         face words it:\n{}",
        found.join("\n")
    );
    // The scan sees the enums it must: DomainError and the reason kinds beside it.
    let text = std::fs::read_to_string(src().join("aws/error.rs")).expect("error.rs");
    let names: Vec<String> = enums(&code(&text)).into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"DomainError".to_owned()), "{names:?}");
}

#[test]
fn the_prose_detector_tells_ids_and_values_from_messages() {
    let body = enums(
        "pub enum E {\n    A {\n        vpc_id: String,\n        message: String,\n    },\n    \
         B(String),\n    C { offered: Vec<String>, detail: Option<String> },\n    D(Kind),\n}",
    );
    assert_eq!(body.len(), 1);
    let found: Vec<String> = body[0].1.lines().filter_map(prose_field).collect();
    assert_eq!(
        found,
        vec![
            "the String field `message`".to_owned(),
            "an unnamed String in `B(String),`".to_owned(),
            "an unnamed String in `C { offered: Vec<String>, detail: Option<String> },`".to_owned(),
        ]
    );
    for ok in [
        "id: String,",
        "peering_id: String,",
        "resource: Option<String>,",
        "value: String,",
    ] {
        assert_eq!(prose_field(ok), None, "{ok}");
    }
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
        "route table {table} and network gateway {target} belong to different networks",
        "User {} cannot accept peering {id}",
        "InvalidParameterValue",
    ];
    for lit in caught {
        assert!(ec2_wording(lit).is_some(), "{lit}");
    }
    let clean = [
        "the CIDR '{cidr}' is invalid",
        "subnet {} is associated with it",
        "vpc",
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
