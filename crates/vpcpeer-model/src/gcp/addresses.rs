//! Regional static external addresses: `addresses.insert` and `delete` under
//! `projects/P/regions/R/addresses`. An address is drawn from the external pool
//! ([`super::EXTERNAL_POOL`]) unless given. Its status is derived: `IN_USE` while an instance's
//! access config holds it (its `users`), else `RESERVED`.
//!
//! - A given `address` that an instance of the same project and region holds as its ephemeral
//!   address is promoted, as on GCP (the address becomes static and `IN_USE` by that
//!   instance). A given address held by anything else is refused (`IpInUse`), and so is one
//!   outside the emulator's pool \[UNVERIFIED: GCP hands out only addresses of its own pool; an
//!   arbitrary free one from the emulator's pool is accepted for tests\].
//! - `INTERNAL` addresses are not emulated (refused with their own error).
//! - Delete is refused while an instance uses the address, as GCP refuses it
//!   (`resourceInUseByAnotherResource`).

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::operations::{delete_record, insert_record, vacant};
use super::*;
use crate::Tx;

/// The emulator's pool of GCP external IPv4 addresses (ephemeral and static).
pub const EXTERNAL_POOL: Ipv4Net = match Ipv4Net::new(Ipv4Addr::new(35, 192, 0, 0), 12) {
    Ok(n) => n,
    Err(_) => panic!("valid pool"),
};

/// Every external address held, by an instance or a static address, in every project.
pub(crate) fn external_ips_in_use(world: &crate::World) -> BTreeSet<Ipv4Addr> {
    let gcp = &world.gcp;
    gcp.addresses
        .values()
        .map(|a| a.address)
        .chain(
            gcp.instances
                .values()
                .flat_map(|i| i.nics.iter())
                .flat_map(|n| n.access_configs.iter())
                .filter_map(|a| a.nat_ip),
        )
        .collect()
}

/// The lowest free address of [`EXTERNAL_POOL`] (and marks it taken in `taken`).
pub(crate) fn draw_external_ip(taken: &mut BTreeSet<Ipv4Addr>) -> Result<Ipv4Addr, GcpError> {
    let range = crate::cidr::host_range(EXTERNAL_POOL, 0, 0);
    let presentable = |a: Ipv4Addr| !matches!(a.octets()[3], 0 | 255);
    let ip = crate::cidr::first_free(range, |a| !presentable(a) || taken.contains(&a))
        .ok_or(GcpError::ExternalIpsExhausted)?;
    taken.insert(ip);
    Ok(ip)
}

/// `addressType`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AddressType {
    /// `EXTERNAL` (the default).
    #[default]
    External,
    /// `INTERNAL` (refused: not emulated).
    Internal,
}

/// What `addresses.insert` takes.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AddressSpec {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// A given address (promotion of an ephemeral one); drawn from the pool when absent.
    pub address: Option<IpInput>,
    /// `addressType`.
    pub address_type: AddressType,
    /// `networkTier` (default `PREMIUM`).
    pub network_tier: Option<NetworkTier>,
}

/// `projects/P/regions/R/addresses/A`.
pub fn address_path(project: &str, region: &str, name: &str) -> String {
    format!("projects/{project}/regions/{region}/addresses/{name}")
}

/// The static address record holding `ip`, in any project.
pub fn address_of(world: &crate::World, ip: Ipv4Addr) -> Option<&GcpAddress> {
    world.gcp.addresses.values().find(|a| a.address == ip)
}

/// The instances using static address `a` (their access configs hold it), in id order: empty
/// means `RESERVED`, else `IN_USE`. Only the address's project is scanned (an instance uses
/// addresses of its own project).
pub fn address_users<'w>(world: &'w crate::World, a: &GcpAddress) -> Vec<&'w GcpInstance> {
    let prefix = format!("projects/{}/zones/", a.project);
    crate::with_key_prefix(&world.gcp.instances, &prefix)
        .map(|(_, i)| i)
        .filter(|i| {
            i.nics
                .iter()
                .flat_map(|n| n.access_configs.iter())
                .any(|c| c.nat_ip == Some(a.address))
        })
        .collect()
}

/// `addresses.insert`.
pub fn insert_address(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    spec: AddressSpec,
) -> Result<GcpOperation, GcpError> {
    known_region(project, region)?;
    check_name(Field::Name, &spec.name)?;
    super::limits::check_description(&spec.description)?;
    if spec.address_type == AddressType::Internal {
        return Err(GcpError::InternalAddressUnsupported);
    }
    let id = address_path(project, region, &spec.name);
    vacant::<GcpAddress>(tx, &id)?;
    let world = tx.world();
    let mut taken = external_ips_in_use(world);
    let address = match &spec.address {
        None => draw_external_ip(&mut taken)?,
        Some(given) => {
            let ip = given.ip(Field::Address)?;
            if !EXTERNAL_POOL.contains(&ip) {
                return Err(GcpError::BadValue {
                    field: Field::Address,
                    value: ip.to_string(),
                });
            }
            let promotable = world
                .gcp
                .instances
                .values()
                .filter(|i| i.project == project && region_of_zone(&i.zone) == Some(region))
                .flat_map(|i| i.nics.iter())
                .flat_map(|n| n.access_configs.iter())
                .any(|c| c.nat_ip == Some(ip));
            if taken.contains(&ip) && (!promotable || address_of(world, ip).is_some()) {
                return Err(GcpError::IpInUse { ip });
            }
            ip
        }
    };
    let record = |numeric, now| GcpAddress {
        id,
        project: project.to_owned(),
        region: region.to_owned(),
        name: spec.name,
        numeric_id: numeric,
        description: spec.description,
        address,
        network_tier: spec.network_tier.unwrap_or_default(),
        created: now,
    };
    Ok(insert_record(
        tx,
        project,
        OpScope::Region(region.to_owned()),
        record,
    ))
}

/// `addresses.delete`: refused while an instance uses the address.
pub fn delete_address(
    tx: &mut Tx<'_, '_>,
    project: &str,
    region: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    let id = address_path(project, region, name);
    if let Some(a) = tx.get::<GcpAddress>(&id) {
        if let Some(user) = address_users(tx.world(), a).first() {
            return Err(GcpError::InUse {
                kind: InUseKind::Address,
                resource: id.clone(),
                by: user.id.clone(),
            });
        }
    }
    delete_record::<GcpAddress>(tx, project, OpScope::Region(region.to_owned()), id, |a| {
        a.numeric_id
    })
}
