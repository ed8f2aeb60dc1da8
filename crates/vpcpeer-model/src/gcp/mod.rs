//! Google Cloud networking: projects (the `account` of a [`Scope`](crate::Scope)), global VPC
//! networks in auto or custom mode, regional subnetworks, routes, firewall rules, instances
//! (internal IPs, external access configs, run state and metadata, `vm.rs`), regional static
//! external addresses, and VPC Network Peering with its operations.
//!
//! Records are keyed by their relative resource path (`projects/P/global/networks/N`,
//! `projects/P/regions/R/subnetworks/S`, `projects/P/zones/Z/instances/I`, …), which is unique.
//!
//! A network's `peerings` hold only this side's *intent*. Whether a peering is `ACTIVE` is derived
//! on read ([`peering_view`]): it is when the peer network exists and has an entry pointing back.
//!
//! Mutations other than peering apply at once and leave a `DONE` operation. Peering changes
//! (add, remove, update) are different because GCP runs one peering operation at a time on a
//! pair of networks: see [`peering`] for the \[UNVERIFIED\] timing the emulator chose.
//!
//! Every change is a [`Command`] with one `apply`; the commands run free functions over a
//! [`Tx`](crate::Tx) returning [`GcpError`], a structured refusal (a kind plus the paths and
//! values involved) that the wire crate words, with its HTTP status and reason.

mod addresses;
mod command;
mod error;
mod firewalls;
mod instances;
pub mod limits;
mod networks;
mod operations;
pub mod peering;
mod resources;
mod routes;
mod rules;
mod subnetworks;
mod tables;
mod vm;

pub use addresses::*;
pub use command::{needs_settling, Command, Outcome};
pub use error::{Field, GcpError, InUseKind, Recorded, RecordedKind};
pub use firewalls::*;
pub use instances::*;
pub use networks::*;
pub use peering::{
    add_peering, delete_operation, get_operation, list_peering_routes, peering_view,
    remove_peering, settle_due_operations, update_peering, AddPeering, ExchangedRoute,
    ExchangedRouteType, PeeringDirection, PeeringView, UpdatePeering,
};
pub use resources::*;
pub use routes::*;
pub use rules::*;
pub use subnetworks::*;
pub use tables::Tables;
pub use vm::{
    is_gateway_image, next_fingerprint, set_instance_metadata, start_instance, stop_instance,
    AccessConfigSpec, FingerprintInput, MetadataInput, GATEWAY_IMAGE, GATEWAY_IMAGE_FAMILY,
    USER_DATA_KEY,
};

#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod cross_project_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod vm_tests;

/// Whether `s` is an RFC 1035 name of 1–63 characters (`[a-z]([-a-z0-9]*[a-z0-9])?`), as GCP
/// requires of every resource name.
pub fn is_valid_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-'
}

/// Refuses a bad resource name given in `field`.
pub fn check_name(field: Field, s: &str) -> Result<(), GcpError> {
    if is_valid_name(s) {
        Ok(())
    } else {
        Err(GcpError::BadName {
            field,
            value: s.to_owned(),
        })
    }
}

/// `projects/P/global/networks/N`.
pub fn network_path(project: &str, name: &str) -> String {
    format!("projects/{project}/global/networks/{name}")
}

/// `projects/P/regions/R/subnetworks/S`.
pub fn subnetwork_path(project: &str, region: &str, name: &str) -> String {
    format!("projects/{project}/regions/{region}/subnetworks/{name}")
}

/// `projects/P/global/routes/R`.
pub fn route_path(project: &str, name: &str) -> String {
    format!("projects/{project}/global/routes/{name}")
}

/// `projects/P/global/firewalls/F`.
pub fn firewall_path(project: &str, name: &str) -> String {
    format!("projects/{project}/global/firewalls/{name}")
}

/// `projects/P/global/operations/O` (or `regions/R/…`, `zones/Z/…`, after `scope`).
pub fn operation_path(project: &str, scope: &OpScope, name: &str) -> String {
    match scope {
        OpScope::Global => format!("projects/{project}/global/operations/{name}"),
        OpScope::Region(r) => format!("projects/{project}/regions/{r}/operations/{name}"),
        OpScope::Zone(z) => format!("projects/{project}/zones/{z}/operations/{name}"),
    }
}

/// `projects/P/zones/Z/instances/I`.
pub fn instance_path(project: &str, zone: &str, name: &str) -> String {
    format!("projects/{project}/zones/{zone}/instances/{name}")
}

/// The relative path inside a compute URL: strips `https://host/compute/v1/` (any host, any API
/// version) or a leading `/`, and keeps the rest as given.
pub fn relative_path(reference: &str) -> &str {
    let r = reference.trim();
    if let Some(i) = r.find("/compute/") {
        let after = &r[i + "/compute/".len()..];
        return after.split_once('/').map_or(after, |(_, rest)| rest);
    }
    r.trim_start_matches('/')
}

/// Resolves a reference to a network, full URL or partial (`projects/P/global/networks/N`,
/// `global/networks/N`, or a bare `N`), to its relative path; partial references without a
/// project name `project`'s networks. `None` when `reference` does not name a GCP network.
pub fn resolve_network(reference: &str, project: &str) -> Option<String> {
    resolve(reference, project, "global/networks")
}

/// Resolves a reference to a subnetwork of `region` (full, `regions/R/subnetworks/S`, or bare).
pub fn resolve_subnetwork(reference: &str, project: &str, region: &str) -> Option<String> {
    let rel = relative_path(reference);
    let parts: Vec<&str> = rel.split('/').collect();
    let (p, r, n) = match parts.as_slice() {
        ["projects", p, "regions", r, "subnetworks", n] => (*p, *r, *n),
        ["regions", r, "subnetworks", n] => (project, *r, *n),
        [n] => (project, region, *n),
        _ => return None,
    };
    (is_valid_name(n) && !p.is_empty() && !r.is_empty()).then(|| subnetwork_path(p, r, n))
}

fn resolve(reference: &str, project: &str, collection: &str) -> Option<String> {
    if crate::clouds::cloud_of(reference).is_some_and(|c| c != crate::clouds::Cloud::Gcp) {
        return None;
    }
    if reference.contains("://") && !reference.contains("/compute/") {
        return None;
    }
    let rel = relative_path(reference);
    let parts: Vec<&str> = rel.split('/').collect();
    let coll: Vec<&str> = collection.split('/').collect();
    let (p, n) = match parts.as_slice() {
        ["projects", p, a, b, n] if [*a, *b] == coll[..] => (*p, *n),
        [a, b, n] if [*a, *b] == coll[..] => (project, *n),
        [n] => (project, *n),
        _ => return None,
    };
    (is_valid_name(n) && !p.is_empty()).then(|| format!("projects/{p}/{collection}/{n}"))
}

/// The last segment of a path (a resource's name).
pub fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The project of a path `projects/P/…`.
pub fn project_of(path: &str) -> &str {
    path.strip_prefix("projects/")
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
}

/// The region of a zone (`us-central1-a` → `us-central1`).
pub fn region_of_zone(zone: &str) -> Option<&str> {
    let (region, suffix) = zone.rsplit_once('-')?;
    (suffix.len() == 1 && suffix.as_bytes()[0].is_ascii_lowercase() && is_region(region))
        .then_some(region)
}

/// Regions that auto-mode networks fill with a subnetwork, and the range each gets (all inside
/// 10.128.0.0/9). The list is the set of regions the emulator knows; ranges follow GCP's
/// published auto-mode table as far as it was known here [UNVERIFIED for the newer regions].
pub const AUTO_MODE_REGIONS: &[(&str, &str)] = &[
    ("us-central1", "10.128.0.0/20"),
    ("europe-west1", "10.132.0.0/20"),
    ("us-west1", "10.138.0.0/20"),
    ("asia-east1", "10.140.0.0/20"),
    ("us-east1", "10.142.0.0/20"),
    ("asia-northeast1", "10.146.0.0/20"),
    ("asia-southeast1", "10.148.0.0/20"),
    ("us-east4", "10.150.0.0/20"),
    ("australia-southeast1", "10.152.0.0/20"),
    ("europe-west2", "10.154.0.0/20"),
    ("europe-west3", "10.156.0.0/20"),
    ("southamerica-east1", "10.158.0.0/20"),
    ("asia-south1", "10.160.0.0/20"),
    ("northamerica-northeast1", "10.162.0.0/20"),
    ("europe-west4", "10.164.0.0/20"),
    ("europe-north1", "10.166.0.0/20"),
    ("us-west2", "10.168.0.0/20"),
    ("asia-east2", "10.170.0.0/20"),
    ("europe-west6", "10.172.0.0/20"),
    ("asia-northeast2", "10.174.0.0/20"),
];

/// The range auto-mode networks reserve for their subnetworks.
pub const AUTO_MODE_RANGE: &str = "10.128.0.0/9";

/// Whether the emulator knows `region` as a GCP region.
pub fn is_region(region: &str) -> bool {
    AUTO_MODE_REGIONS.iter().any(|(r, _)| *r == region)
}

/// `Ok` when the emulator knows `region`, else 404 for the region's path in `project`.
pub(crate) fn known_region(project: &str, region: &str) -> Result<(), GcpError> {
    if is_region(region) {
        Ok(())
    } else {
        Err(GcpError::NotFound(format!(
            "projects/{project}/regions/{region}"
        )))
    }
}

/// The subnetworks of `network`, in id order. Only the network's project is scanned: a
/// subnetwork lives in the project of its network.
pub fn subnetworks_of<'w>(
    world: &'w crate::World,
    network: &str,
) -> impl Iterator<Item = &'w GcpSubnetwork> + 'w {
    let prefix = format!("projects/{}/regions/", project_of(network));
    let network = network.to_owned();
    crate::with_key_prefix(&world.gcp.subnetworks, &prefix)
        .map(|(_, s)| s)
        .filter(move |s| s.network == network)
}

/// A numeric resource id (GCP's uint64 `id`), 19 digits, from the transaction's id source.
pub fn numeric_id(tx: &mut crate::Tx<'_, '_>) -> u64 {
    let hex = tx.ctx.ids.hex17();
    let n = u64::from_str_radix(&hex[..16], 16).unwrap_or(0);
    1_000_000_000_000_000_000 + n % 9_000_000_000_000_000_000
}
