//! `subnetworks.insert`, `delete` and `expandIpCidrRange`: a subnetwork's ranges never overlap
//! the network's other ranges nor those of networks it is actively peered with.

use ipnet::Ipv4Net;

use super::networks::network;
use super::operations::{done_op, existing, insert_record, vacant};
use super::peering::active_peers;
use super::rules::{network_field, network_ranges, RangeInput};
use super::*;
use crate::cidr::overlaps_v4;
use crate::Tx;

/// What `subnetworks.insert` takes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SubnetSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The network, as a URL or partial path.
    pub network: String,
    /// Primary range.
    pub ip_cidr_range: RangeInput,
    /// Secondary ranges: (name, range).
    pub secondary_ranges: Vec<(String, RangeInput)>,
    /// Private Google Access.
    pub private_ip_google_access: bool,
}

/// Refuses `r` when it overlaps a range of a network `net` is actively peered with.
fn check_peers(w: &crate::World, net: &GcpNetwork, r: Ipv4Net) -> Result<(), GcpError> {
    for (peering, peer) in active_peers(w, net) {
        if network_ranges(w, &peer)
            .iter()
            .any(|(x, _)| overlaps_v4(*x, r))
        {
            return Err(GcpError::OverlapsPeer { range: r, peering });
        }
    }
    Ok(())
}

/// Refuses `r` when it overlaps a range of another subnetwork of `network` (`counts` says which
/// ranges count: an expansion skips the range it grows).
fn check_subnetworks(
    w: &crate::World,
    network: &str,
    r: Ipv4Net,
    counts: impl Fn(Ipv4Net, &GcpSubnetwork) -> bool,
) -> Result<(), GcpError> {
    match network_ranges(w, network)
        .into_iter()
        .find(|(x, s)| overlaps_v4(*x, r) && counts(*x, s))
    {
        Some((_, s)) => Err(GcpError::OverlapsSubnetwork {
            range: r,
            subnetwork: s.name.clone(),
            region: s.region.clone(),
        }),
        None => Ok(()),
    }
}

/// `subnetworks.insert`: ranges must not overlap the network's other subnetworks, nor those of
/// networks it is actively peered with.
pub fn insert_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    spec: SubnetSpec,
) -> Result<GcpOperation, GcpError> {
    known_region(project, region)?;
    check_name(Field::Name, &spec.name)?;
    let net_id = network_field(project, &spec.network)?;
    let net = network(tx, &net_id)?.clone();
    let primary = spec.ip_cidr_range.range(Field::IpCidrRange)?;
    if !(8..=29).contains(&primary.prefix_len()) {
        return Err(GcpError::PrefixLength { range: primary });
    }
    super::limits::check_description(&spec.description)?;
    super::limits::check_count(
        Field::SecondaryRanges,
        spec.secondary_ranges.len(),
        super::limits::MAX_SECONDARY_RANGES,
    )?;
    let mut secondary = Vec::new();
    for (name, range) in &spec.secondary_ranges {
        check_name(Field::SecondaryRangeName, name)?;
        let r = range.range(Field::SecondaryRange)?;
        if secondary.iter().any(|s: &SecondaryRange| s.name == *name) {
            return Err(GcpError::DuplicateRangeName { name: name.clone() });
        }
        secondary.push(SecondaryRange {
            name: name.clone(),
            range: r,
        });
    }
    let mine: Vec<Ipv4Net> = std::iter::once(primary)
        .chain(secondary.iter().map(|s| s.range))
        .collect();
    for (i, a) in mine.iter().enumerate() {
        if mine[..i].iter().any(|b| overlaps_v4(*a, *b)) {
            return Err(GcpError::OverlapsOwnRange { range: *a });
        }
    }
    let id = subnetwork_path(project, region, &spec.name);
    vacant::<GcpSubnetwork>(tx, &id)?;
    let w = tx.world();
    for r in &mine {
        check_subnetworks(w, &net_id, *r, |_, _| true)?;
        check_peers(w, &net, *r)?;
    }
    let scope = OpScope::Region(region.to_owned());
    let record = |numeric, now| GcpSubnetwork {
        id,
        project: project.to_owned(),
        region: region.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        network: net_id,
        ip_cidr_range: primary,
        secondary_ranges: secondary,
        private_ip_google_access: spec.private_ip_google_access,
        auto_created: false,
        created: now,
    };
    Ok(insert_record(tx, project, scope, record))
}

/// The subnetwork `name` of `region`, with its path; `notFound` for an unknown region or
/// subnetwork.
fn stored_subnetwork(
    tx: &Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
) -> Result<(String, GcpSubnetwork), GcpError> {
    known_region(project, region)?;
    let id = subnetwork_path(project, region, name);
    let s = existing::<GcpSubnetwork>(tx, &id)?.clone();
    Ok((id, s))
}

/// `subnetworks.delete`: refused while an instance uses it, and for auto-mode subnetworks.
pub fn delete_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let (id, s) = stored_subnetwork(tx, project, region, name)?;
    if s.auto_created {
        return Err(GcpError::AutoModeSubnetwork { subnetwork: id });
    }
    if let Some(i) = tx
        .world()
        .gcp
        .instances
        .values()
        .find(|i| i.nics.iter().any(|n| n.subnetwork == id))
    {
        return Err(GcpError::InUse {
            kind: InUseKind::Subnetwork,
            resource: id.clone(),
            by: i.id.clone(),
        });
    }
    tx.remove::<GcpSubnetwork>(&id);
    let scope = OpScope::Region(region.to_owned());
    Ok(done_op(tx, project, scope, "delete", &id, s.numeric_id))
}

/// `subnetworks.expandIpCidrRange`: the new primary range must contain the old one and be
/// larger, and must not overlap the network's other ranges or those of active peers.
pub fn expand_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
    range: &RangeInput,
) -> Result<GcpOperation, GcpError> {
    let (id, s) = stored_subnetwork(tx, project, region, name)?;
    let new = range.range(Field::ExpandedRange)?;
    let old = s.ip_cidr_range;
    if new.prefix_len() >= old.prefix_len() || !new.contains(&old.network()) {
        return Err(GcpError::NotAnExpansion { new, old });
    }
    if new.prefix_len() < 8 {
        return Err(GcpError::PrefixLength { range: new });
    }
    let w = tx.world();
    check_subnetworks(w, &s.network, new, |r, o| !(o.id == id && r == old))?;
    let net = network(tx, &s.network)?.clone();
    check_peers(w, &net, new)?;
    tx.get_mut::<GcpSubnetwork>(&id)
        .expect("read above")
        .ip_cidr_range = new;
    let scope = OpScope::Region(region.to_owned());
    let op = done_op(tx, project, scope, "expandIpCidrRange", &id, s.numeric_id);
    Ok(op)
}
