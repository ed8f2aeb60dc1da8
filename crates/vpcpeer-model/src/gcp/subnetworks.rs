//! `subnetworks.insert`, `delete` and `expandIpCidrRange`: a subnetwork's ranges never overlap
//! the network's other ranges nor those of networks it is actively peered with.

use ipnet::Ipv4Net;

use super::networks::network;
use super::operations::regional_op;
use super::peering::active_peers;
use super::rules::{network_field, network_ranges, parse_range};
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
    pub ip_cidr_range: String,
    /// Secondary ranges: (name, range).
    pub secondary_ranges: Vec<(String, String)>,
    /// Private Google Access.
    pub private_ip_google_access: bool,
}

fn unknown_region(project: &str, region: &str) -> GcpError {
    GcpError::NotFound(format!("projects/{project}/regions/{region}"))
}

/// Refuses `r` when it overlaps a range of a network `net` is actively peered with.
fn check_peers(w: &crate::World, net: &GcpNetwork, r: Ipv4Net) -> Result<(), GcpError> {
    for (peering, peer) in active_peers(w, net) {
        if network_ranges(w, &peer)
            .iter()
            .any(|(x, _)| overlaps_v4(*x, r))
        {
            // [UNVERIFIED] wording.
            return Err(GcpError::Invalid(format!(
                "Invalid IPCidrRange: {r} conflicts with peer network in active peering '{peering}'."
            )));
        }
    }
    Ok(())
}

/// `subnetworks.insert`: ranges must not overlap the network's other subnetworks, nor those of
/// networks it is actively peered with.
pub fn insert_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    spec: SubnetSpec,
) -> Result<GcpOperation, GcpError> {
    if !is_region(region) {
        return Err(unknown_region(project, region));
    }
    check_name("resource.name", &spec.name)?;
    let net_id = network_field(project, &spec.network)?;
    let net = network(tx, &net_id)?.clone();
    let primary = parse_range("resource.ipCidrRange", &spec.ip_cidr_range)?;
    if !(8..=29).contains(&primary.prefix_len()) {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {primary}. The prefix length must be between /8 and /29."
        )));
    }
    super::limits::check_description(&spec.description)?;
    super::limits::check_count(
        "resource.secondaryIpRanges",
        spec.secondary_ranges.len(),
        super::limits::MAX_SECONDARY_RANGES,
    )?;
    let mut secondary = Vec::new();
    for (name, range) in &spec.secondary_ranges {
        check_name("resource.secondaryIpRanges.rangeName", name)?;
        let r = parse_range("resource.secondaryIpRanges.ipCidrRange", range)?;
        if secondary.iter().any(|s: &SecondaryRange| s.name == *name) {
            return Err(GcpError::Invalid(format!(
                "Invalid value for field 'resource.secondaryIpRanges': duplicate range name '{name}'."
            )));
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
            return Err(GcpError::Invalid(format!(
                "Invalid IPCidrRange: {a} conflicts with another range of the same subnetwork."
            )));
        }
    }
    let id = subnetwork_path(project, region, &spec.name);
    if tx.get::<GcpSubnetwork>(&id).is_some() {
        return Err(GcpError::AlreadyExists(id));
    }
    let w = tx.world();
    for r in &mine {
        if let Some((_, s)) = network_ranges(w, &net_id)
            .into_iter()
            .find(|(x, _)| overlaps_v4(*x, *r))
        {
            return Err(GcpError::Invalid(format!(
                "Invalid IPCidrRange: {r} conflicts with existing subnetwork '{}' in region '{}'.",
                s.name, s.region
            )));
        }
        check_peers(w, &net, *r)?;
    }
    let numeric = numeric_id(tx);
    let now = tx.now();
    tx.put(GcpSubnetwork {
        id: id.clone(),
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
    });
    Ok(regional_op(tx, project, region, "insert", &id, numeric))
}

/// The subnetwork `name` of `region`, with its path; `notFound` for an unknown region or
/// subnetwork.
fn stored_subnetwork(
    tx: &Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
) -> Result<(String, GcpSubnetwork), GcpError> {
    if !is_region(region) {
        return Err(unknown_region(project, region));
    }
    let id = subnetwork_path(project, region, name);
    let s = tx
        .get::<GcpSubnetwork>(&id)
        .ok_or_else(|| GcpError::NotFound(id.clone()))?
        .clone();
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
        return Err(GcpError::BadRequest(format!(
            "The subnetwork resource '{id}' belongs to an auto mode network and cannot be deleted \
             while the network is in auto mode."
        )));
    }
    if let Some(i) = tx
        .world()
        .gcp_instances
        .values()
        .find(|i| i.nics.iter().any(|n| n.subnetwork == id))
    {
        return Err(GcpError::InUse {
            kind: "subnetwork".into(),
            resource: id.clone(),
            by: i.id.clone(),
        });
    }
    tx.remove::<GcpSubnetwork>(&id);
    Ok(regional_op(
        tx,
        project,
        region,
        "delete",
        &id,
        s.numeric_id,
    ))
}

/// `subnetworks.expandIpCidrRange`: the new primary range must contain the old one and be
/// larger, and must not overlap the network's other ranges or those of active peers.
pub fn expand_subnetwork(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
    range: &str,
) -> Result<GcpOperation, GcpError> {
    let (id, s) = stored_subnetwork(tx, project, region, name)?;
    let new = parse_range("ipCidrRange", range)?;
    let old = s.ip_cidr_range;
    if new.prefix_len() >= old.prefix_len() || !new.contains(&old.network()) {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {new}. The new range must be larger than and contain the \
             current range {old}."
        )));
    }
    if new.prefix_len() < 8 {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {new}. The prefix length must be between /8 and /29."
        )));
    }
    let w = tx.world();
    if let Some((_, other)) = network_ranges(w, &s.network)
        .into_iter()
        .find(|(r, o)| overlaps_v4(*r, new) && !(o.id == id && *r == old))
    {
        return Err(GcpError::Invalid(format!(
            "Invalid IPCidrRange: {new} conflicts with existing subnetwork '{}' in region '{}'.",
            other.name, other.region
        )));
    }
    let net = network(tx, &s.network)?.clone();
    check_peers(w, &net, new)?;
    tx.get_mut::<GcpSubnetwork>(&id)
        .expect("read above")
        .ip_cidr_range = new;
    Ok(regional_op(
        tx,
        project,
        region,
        "expandIpCidrRange",
        &id,
        s.numeric_id,
    ))
}
