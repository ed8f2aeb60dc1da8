//! Public IP addresses (`Microsoft.Network/publicIPAddresses`) and their addresses.
//!
//! Addresses come from one emulator pool, [`PUBLIC_IP_POOL`] = `20.40.0.0/13` (a block Azure
//! announces, so answers look like Azure's; it cannot collide with AWS's `198.18.0.0/15`).
//! Addresses are unique across every subscription; the lowest free one is handed out (those
//! ending in `.0` or `.255` are skipped for looks), so a released address is reused first.
//!
//! - `Static`: allocated at the PUT, kept until the resource is deleted (deallocating the VM
//!   keeps it). A `Standard` address must be `Static` (`StandardSkuPublicIPAddressesMustBeStatic`,
//!   as ARM refuses); without `publicIPAllocationMethod`, `Standard` is `Static` and `Basic`
//!   `Dynamic` \[choice: the API's default is not pinned here\].
//! - `Dynamic`: allocated while an IP configuration of a NIC uses it and that NIC's VM is not
//!   deallocated; released when the configuration lets it go, the NIC is deleted, or the VM is
//!   deallocated (as Azure releases it), and drawn again (maybe another address) on start.
//!   \[Choice\] Azure assigns a Dynamic address once the VM using it runs; a NIC without a VM
//!   counts as running here, so a NIC made before its VM already shows the address.
//! - One IP configuration at a time: a second one is refused (`PublicIPAddressInUse`), and a
//!   DELETE while one uses it too (`PublicIPAddressCannotBeDeleted`); both are ARM's codes.

use super::*;

/// The emulator's pool of Azure public IPv4 addresses.
pub const PUBLIC_IP_POOL: Ipv4Net = match Ipv4Net::new(Ipv4Addr::new(20, 40, 0, 0), 13) {
    Ok(n) => n,
    Err(_) => panic!("valid pool"),
};

/// A public IP PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutPublicIp {
    /// `location`.
    pub location: Option<String>,
    /// `sku.name` (`None`: Basic).
    pub sku: Option<AzPublicIpSku>,
    /// `publicIPAllocationMethod` is `Static` (`None`: not given).
    pub is_static: Option<bool>,
    /// `idleTimeoutInMinutes`.
    pub idle_timeout: Option<u32>,
    /// Tags.
    pub tags: AzTags,
}

/// The ARM id of a public IP address.
pub fn public_ip_id(t: &Target) -> String {
    t.network_id("publicIPAddresses")
}

/// The id of a NIC's IP configuration, as ARM shows it.
pub fn ip_config_id(nic: &AzNic, config: &AzIpConfig) -> String {
    format!("{}/ipConfigurations/{}", nic.display_id, config.name)
}

/// The NIC and IP configuration using the public IP stored under `pip_key`, if one does.
pub fn public_ip_user<'w>(world: &'w World, pip_key: &str) -> Option<(&'w AzNic, &'w AzIpConfig)> {
    world.azure.nics.values().find_map(|n| {
        n.ip_configs
            .iter()
            .find(|c| c.public_ip.as_deref().is_some_and(|p| key(p) == pip_key))
            .map(|c| (n, c))
    })
}

/// Whether the VM of `nic` (if any) holds its addresses: not deallocated.
pub(super) fn nic_active(world: &World, nic: &AzNic) -> bool {
    nic.vm
        .as_deref()
        .and_then(|v| world.azure.vms.get(&key(v)))
        .is_none_or(|vm| vm.power != AzPowerState::Deallocated)
}

/// The lowest free address of the pool.
fn allocate(world: &World) -> Result<Ipv4Addr, AzureError> {
    let used: BTreeSet<Ipv4Addr> = world
        .azure
        .public_ips
        .values()
        .filter_map(|p| p.address)
        .collect();
    let range = crate::cidr::host_range(PUBLIC_IP_POOL, 1, 1);
    crate::cidr::first_free(range, |a| {
        let last = a.octets()[3];
        last == 0 || last == 255 || used.contains(&a)
    })
    .ok_or(AzureError::PublicIpPoolExhausted)
}

/// Gives the Dynamic public IP under `pip_key` an address when `active`, takes it away when
/// not; a Static one, or a key naming nothing, is left alone.
pub(super) fn refresh_dynamic(
    tx: &mut Tx<'_, '_>,
    pip_key: &str,
    active: bool,
) -> Result<(), AzureError> {
    let Some(pip) = tx.get::<AzPublicIp>(pip_key) else {
        return Ok(());
    };
    if pip.is_static || pip.address.is_some() == active {
        return Ok(());
    }
    let address = if active {
        Some(allocate(tx.world())?)
    } else {
        None
    };
    if let Some(p) = tx.get_mut::<AzPublicIp>(pip_key) {
        p.address = address;
    }
    Ok(())
}

/// Brings the Dynamic public IPs of the NIC under `nic_key` in line with its VM's power (after
/// a VM took or let go of the NIC).
pub(super) fn refresh_nic(tx: &mut Tx<'_, '_>, nic_key: &str) -> Result<(), AzureError> {
    let Some(nic) = tx.world().azure.nics.get(nic_key) else {
        return Ok(());
    };
    let active = nic_active(tx.world(), nic);
    let pips: Vec<String> = nic
        .ip_configs
        .iter()
        .filter_map(|c| c.public_ip.as_deref())
        .map(key)
        .collect();
    for p in pips {
        refresh_dynamic(tx, &p, active)?;
    }
    Ok(())
}

/// Creates or updates a public IP address.
pub fn put_public_ip(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutPublicIp,
) -> Result<(AzPublicIp, bool), AzureError> {
    let (location, display_id, id, existing) =
        put_start::<AzPublicIp>(tx, t, public_ip_id(t), req.location.as_deref())?;
    let sku = req.sku.unwrap_or(AzPublicIpSku::Basic);
    let is_static = req.is_static.unwrap_or(sku == AzPublicIpSku::Standard);
    if sku == AzPublicIpSku::Standard && !is_static {
        return Err(AzureError::StandardSkuMustBeStatic { ip: display_id });
    }
    let active = public_ip_user(tx.world(), &id).is_some_and(|(n, _)| nic_active(tx.world(), n));
    let kept = existing.as_ref().and_then(|e| e.address);
    let address = match (kept, is_static || active) {
        (Some(a), true) => Some(a),
        (None, true) => Some(allocate(tx.world())?),
        (_, false) => None,
    };
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let pip = AzPublicIp {
        id,
        display_id,
        name,
        place: t.place(&location),
        sku,
        is_static,
        address,
        idle_timeout: req.idle_timeout.unwrap_or(4),
        guid: kept_guid(tx, &existing),
        tags: req.tags,
    };
    Ok(saved(tx, pip, &existing))
}

/// Deletes a public IP address; refused while an IP configuration uses it.
pub fn delete_public_ip(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    delete_unused::<AzPublicIp>(tx, t, "publicIPAddresses", |world, id, pip| {
        let (nic, config) = public_ip_user(world, id)?;
        Some(AzureError::PublicIpCannotBeDeleted {
            ip: pip.display_id.clone(),
            config: ip_config_id(nic, config),
        })
    })
}

/// Checks the public IPs the IP configurations of the NIC `nic_id` (stored under `nic_key`) ask
/// for: each names a public IP of the NIC's subscription and location that no other NIC's
/// configuration uses, and no two of them name the same one. `configs` are (configuration name,
/// public IP id) pairs.
pub(super) fn check_public_ips(
    world: &World,
    nic_id: &str,
    nic_key: &str,
    location: &str,
    configs: &[(String, String)],
) -> Result<(), AzureError> {
    let mut seen = BTreeSet::new();
    for (config, pip_id) in configs {
        same_subscription(nic_id, pip_id)?;
        ArmId::parse(pip_id)
            .filter(|a| a.is(NETWORK, &["publicIPAddresses"]))
            .ok_or_else(|| invalid_reference(pip_id))?;
        let pkey = key(pip_id);
        let pip = world
            .azure
            .public_ips
            .get(&pkey)
            .ok_or_else(|| invalid_reference(pip_id))?;
        if pip.place.location != normalize_location(location) {
            return Err(foreign_reference(nic_id, pip_id));
        }
        if !seen.insert(pkey.clone()) {
            return Err(AzureError::PublicIpReferencedTwice {
                nic: nic_id.to_owned(),
                ip: pip_id.clone(),
            });
        }
        if let Some((other, c)) = public_ip_user(world, &pkey).filter(|(n, _)| n.id != nic_key) {
            return Err(AzureError::PublicIpInUse {
                config: format!("{nic_id}/ipConfigurations/{config}"),
                ip: pip_id.clone(),
                other: ip_config_id(other, c),
            });
        }
    }
    Ok(())
}
