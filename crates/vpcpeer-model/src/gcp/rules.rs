//! Rules the GCP commands share: IPv4 range parsing, the same-project rule for references, and
//! a network's subnetwork ranges (what overlap checks compare against).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::*;

/// Parses an IPv4 range for `field`; host bits must be zero.
pub fn parse_range(field: Field, s: &str) -> Result<Ipv4Net, GcpError> {
    let bad = || GcpError::BadRange {
        field,
        value: s.to_owned(),
    };
    let (addr, len) = s.trim().split_once('/').ok_or_else(bad)?;
    let addr: Ipv4Addr = addr.parse().map_err(|_| bad())?;
    let len: u8 = len.parse().map_err(|_| bad())?;
    let net = Ipv4Net::new(addr, len).map_err(|_| bad())?;
    if net.trunc() != net {
        return Err(GcpError::HostBitsSet {
            value: s.to_owned(),
        });
    }
    Ok(net)
}

/// The ranges of `network`'s subnetworks, each with the subnetwork it belongs to, in address
/// order.
pub fn network_ranges<'w>(
    world: &'w crate::World,
    network: &str,
) -> Vec<(Ipv4Net, &'w GcpSubnetwork)> {
    let mut out: Vec<(Ipv4Net, &GcpSubnetwork)> = subnetworks_of(world, network)
        .flat_map(|s| s.ranges().map(move |r| (r, s)))
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    out
}

/// Subnetworks, routes and firewalls live in the project of their network, and instances use
/// the networks and subnetworks of their own project (Shared VPC's service projects are not
/// emulated). Refuses a reference (`path`, given in `field`) to a resource of another project: GCP allows
/// that only through Shared VPC, which the emulator does not model, and answers 400 `invalid`
/// "Invalid value for field '…': '…'. Cross-project references for this resource are not
/// allowed." (the wording GCP gives an instance template on another project's subnetwork,
/// tranquilitybase-io/tb-gcp#507). Checked before the referenced resource is looked up, so a
/// caller learns nothing of another project's resources. VPC Network Peering is the one
/// cross-project reference GCP allows without Shared VPC (see [`crate::gcp::peering`]).
pub(crate) fn same_project(project: &str, field: Field, path: &str) -> Result<(), GcpError> {
    if project_of(path) == project {
        Ok(())
    } else {
        Err(GcpError::CrossProject {
            field,
            path: path.to_owned(),
        })
    }
}

/// The network a request's `resource.network` names, as a relative path: refused when it is no
/// network reference (`invalid`, "The URL is malformed.") or names another project's network.
pub(crate) fn network_field(project: &str, reference: &str) -> Result<String, GcpError> {
    let net_id =
        resolve_network(reference, project).ok_or_else(|| GcpError::MalformedReference {
            field: Field::Network,
            value: reference.to_owned(),
        })?;
    same_project(project, Field::Network, &net_id)?;
    Ok(net_id)
}

/// A route's or firewall rule's priority (default 1000), refused above 65535.
pub(crate) fn check_priority(priority: Option<u32>) -> Result<u32, GcpError> {
    match priority.unwrap_or(1000) {
        p @ 0..=65535 => Ok(p),
        priority => Err(GcpError::PriorityTooHigh { priority }),
    }
}
