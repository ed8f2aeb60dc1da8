//! `firewalls.insert`, `patch` and `delete`: a network's ingress and egress rules.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::networks::network;
use super::operations::{delete_record, done_op, existing, vacant};
use super::rules::{check_priority, network_field, RangeInput};
use super::*;
use crate::Tx;

/// What `firewalls.insert` takes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FirewallSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The network, as a URL or partial path (default: `global/networks/default`).
    pub network: Option<String>,
    /// Default ingress.
    pub direction: Option<Direction>,
    /// Default 1000.
    pub priority: Option<u32>,
    /// `allowed[]` as (protocol, ports).
    pub allowed: Vec<RuleInput>,
    /// `denied[]` as (protocol, ports).
    pub denied: Vec<RuleInput>,
    /// Source ranges (read with [`RangeInput::parse_address`]).
    pub source_ranges: Vec<RangeInput>,
    /// Destination ranges (read with [`RangeInput::parse_address`]).
    pub destination_ranges: Vec<RangeInput>,
    /// Source tags.
    pub source_tags: Vec<String>,
    /// Target tags.
    pub target_tags: Vec<String>,
    /// Disabled.
    pub disabled: bool,
}

/// One `allowed[]` or `denied[]` entry: the protocol as read at the edge (a text that is no
/// protocol is refused by the command) and its ports.
pub type RuleInput = (ProtocolInput, Vec<PortsInput>);

fn matches_of(list: &[RuleInput]) -> Result<Vec<FirewallMatch>, GcpError> {
    let mut out = Vec::new();
    for (proto, ports) in list {
        let Some(p) = proto.value() else {
            return Err(GcpError::BadProtocol {
                protocol: proto.text().to_owned(),
            });
        };
        if !ports.is_empty() && !p.takes_ports() {
            return Err(GcpError::PortsNotAllowed {
                protocol: proto.text().to_owned(),
            });
        }
        let ports = ports
            .iter()
            .map(PortsInput::ports)
            .collect::<Result<_, _>>()?;
        out.push(FirewallMatch {
            protocol: proto.lowercased(),
            ports,
        });
    }
    Ok(out)
}

/// `firewalls.insert`. Ingress rules without sources get `0.0.0.0/0`; egress rules without
/// destinations get `0.0.0.0/0`.
pub fn insert_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: FirewallSpec,
) -> Result<GcpOperation, GcpError> {
    let f = build_firewall(tx, project, spec)?;
    vacant::<GcpFirewall>(tx, &f.id)?;
    let (id, numeric) = (f.id.clone(), f.numeric_id);
    tx.put(f);
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "insert",
        &id,
        numeric,
    ))
}

/// What `firewalls.patch` may change (`None` keeps the current value). The network, name and
/// direction cannot change.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FirewallPatch {
    /// New description.
    pub description: Option<String>,
    /// New priority.
    pub priority: Option<u32>,
    /// New `allowed[]` (clears `denied[]`).
    pub allowed: Option<Vec<RuleInput>>,
    /// New `denied[]` (clears `allowed[]`).
    pub denied: Option<Vec<RuleInput>>,
    /// New source ranges.
    pub source_ranges: Option<Vec<RangeInput>>,
    /// New destination ranges.
    pub destination_ranges: Option<Vec<RangeInput>>,
    /// New source tags.
    pub source_tags: Option<Vec<String>>,
    /// New target tags.
    pub target_tags: Option<Vec<String>>,
    /// Enable or disable.
    pub disabled: Option<bool>,
}

/// `firewalls.patch`: the rule with the given fields replaced, validated as a new rule would be.
pub fn patch_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
    patch: FirewallPatch,
) -> Result<GcpOperation, GcpError> {
    let id = firewall_path(project, name);
    let old = existing::<GcpFirewall>(tx, &id)?.clone();
    let rules: Vec<RuleInput> = old
        .matches
        .iter()
        .map(|m| {
            let ports = m.ports.iter().map(|p| PortsInput::Ports(*p)).collect();
            (m.protocol.clone(), ports)
        })
        .collect();
    let (mut allowed, mut denied) = match old.action {
        FirewallAction::Allow => (rules, Vec::new()),
        FirewallAction::Deny => (Vec::new(), rules),
    };
    if let Some(a) = patch.allowed {
        allowed = a;
        denied.clear();
    }
    if let Some(d) = patch.denied {
        denied = d;
        allowed.clear();
    }
    let kept = |v: &[Ipv4Net]| v.iter().map(|r| RangeInput::Range(*r)).collect::<Vec<_>>();
    let spec = FirewallSpec {
        name: old.name.clone(),
        description: patch.description.unwrap_or(old.description.clone()),
        network: Some(old.network.clone()),
        direction: Some(old.direction),
        priority: Some(patch.priority.unwrap_or(old.priority)),
        allowed,
        denied,
        source_ranges: patch
            .source_ranges
            .unwrap_or_else(|| kept(&old.source_ranges)),
        destination_ranges: patch
            .destination_ranges
            .unwrap_or_else(|| kept(&old.destination_ranges)),
        source_tags: patch.source_tags.unwrap_or(old.source_tags.clone()),
        target_tags: patch.target_tags.unwrap_or(old.target_tags.clone()),
        disabled: patch.disabled.unwrap_or(old.disabled),
    };
    let mut f = build_firewall(tx, project, spec)?;
    f.numeric_id = old.numeric_id;
    f.created = old.created;
    tx.put(f);
    Ok(done_op(
        tx,
        project,
        OpScope::Global,
        "patch",
        &id,
        old.numeric_id,
    ))
}

fn build_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    spec: FirewallSpec,
) -> Result<GcpFirewall, GcpError> {
    check_name(Field::Name, &spec.name)?;
    let net_ref = spec
        .network
        .clone()
        .unwrap_or_else(|| "global/networks/default".into());
    let net_id = network_field(project, &net_ref)?;
    network(tx, &net_id)?;
    {
        use super::limits::*;
        check_description(&spec.description)?;
        let ranges = MAX_FIREWALL_RANGES;
        check_count(Field::SourceRanges, spec.source_ranges.len(), ranges)?;
        check_count(
            Field::DestinationRanges,
            spec.destination_ranges.len(),
            ranges,
        )?;
        check_count(Field::SourceTags, spec.source_tags.len(), MAX_SOURCE_TAGS)?;
        check_count(Field::TargetTags, spec.target_tags.len(), MAX_TARGET_TAGS)?;
        for (action, list) in [
            (FirewallAction::Allow, &spec.allowed),
            (FirewallAction::Deny, &spec.denied),
        ] {
            check_count(Field::Rules(action), list.len(), MAX_FIREWALL_ENTRIES)?;
            for (_, ports) in list.iter() {
                check_count(Field::RulePorts(action), ports.len(), MAX_FIREWALL_ENTRIES)?;
            }
        }
    }
    let direction = spec.direction.unwrap_or(Direction::Ingress);
    let (action, matches) = match (spec.allowed.is_empty(), spec.denied.is_empty()) {
        (false, true) => (FirewallAction::Allow, matches_of(&spec.allowed)?),
        (true, false) => (FirewallAction::Deny, matches_of(&spec.denied)?),
        _ => return Err(GcpError::AllowedXorDenied),
    };
    let priority = check_priority(spec.priority)?;
    if direction == Direction::Egress && !spec.source_tags.is_empty() {
        return Err(GcpError::EgressSourceTags);
    }
    let ranges = |field: Field, v: &[RangeInput]| -> Result<Vec<Ipv4Net>, GcpError> {
        v.iter().map(|r| r.address(field)).collect()
    };
    let mut source_ranges = ranges(Field::SourceRanges, &spec.source_ranges)?;
    let mut destination_ranges = ranges(Field::DestinationRanges, &spec.destination_ranges)?;
    let any = Ipv4Net::new(Ipv4Addr::UNSPECIFIED, 0).expect("0.0.0.0/0");
    if direction == Direction::Ingress && source_ranges.is_empty() && spec.source_tags.is_empty() {
        source_ranges.push(any);
    }
    if direction == Direction::Egress && destination_ranges.is_empty() {
        destination_ranges.push(any);
    }
    for t in spec.source_tags.iter().chain(&spec.target_tags) {
        check_name(Field::Tags, t)?;
    }
    let id = firewall_path(project, &spec.name);
    let numeric = numeric_id(tx);
    let now = tx.now();
    Ok(GcpFirewall {
        id,
        project: project.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        network: net_id,
        direction,
        priority,
        action,
        matches,
        source_ranges,
        destination_ranges,
        source_tags: spec.source_tags,
        target_tags: spec.target_tags,
        disabled: spec.disabled,
        created: now,
    })
}

/// `firewalls.delete`.
pub fn delete_firewall(
    tx: &mut Tx<'_, '_>,
    project: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    delete_record::<GcpFirewall>(
        tx,
        project,
        OpScope::Global,
        firewall_path(project, name),
        |f| f.numeric_id,
    )
}
