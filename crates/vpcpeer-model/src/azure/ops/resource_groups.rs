//! Resource groups: PUT creates or updates one, DELETE removes it with everything it holds.

use super::*;

/// Creates or updates a resource group; returns it and whether it was created.
pub fn put_resource_group(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    name: &str,
    location: Option<&str>,
    tags: AzTags,
) -> Result<(AzResourceGroup, bool), AzureError> {
    let valid = !name.is_empty()
        && name.len() <= 90
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-()".contains(c));
    if !valid {
        return Err(AzureError::InvalidGroupName {
            name: name.to_owned(),
        });
    }
    let location = require_location(location)?;
    let display_id = resource_group_id(subscription, name);
    let id = key(&display_id);
    let existing = tx.get::<AzResourceGroup>(&id).cloned();
    if let Some(rg) = &existing {
        if rg.location != normalize_location(location) {
            return Err(AzureError::GroupLocationChanged {
                location: rg.location.clone(),
                wanted: normalize_location(location),
            });
        }
    }
    let (display_id, name) = kept_names(&existing, display_id, name);
    let rg = AzResourceGroup {
        id,
        display_id,
        name,
        subscription: subscription.to_owned(),
        location: normalize_location(location),
        tags,
    };
    tx.put(rg.clone());
    Ok((rg, existing.is_none()))
}

/// Deletes a resource group and everything in it; returns whether it existed.
pub fn delete_resource_group(
    tx: &mut Tx<'_, '_>,
    subscription: &str,
    name: &str,
) -> Result<bool, AzureError> {
    let id = key(&resource_group_id(subscription, name));
    if tx.get::<AzResourceGroup>(&id).is_none() {
        return Ok(false);
    }
    let prefix = format!("{id}/");
    // A NIC outside the group may sit in one of its subnets: ARM refuses then.
    if let Some(nic) = tx.world().azure.nics.values().find(|n| {
        !n.id.starts_with(&prefix)
            && n.ip_configs
                .iter()
                .any(|c| key(&c.subnet_id).starts_with(&prefix))
    }) {
        return Err(AzureError::GroupSubnetInUse {
            nic: nic.display_id.clone(),
        });
    }
    // Nor may a NIC outside the group keep one of its public IPs.
    if let Some(nic) = tx.world().azure.nics.values().find(|n| {
        !n.id.starts_with(&prefix)
            && n.ip_configs.iter().any(|c| {
                c.public_ip
                    .as_deref()
                    .is_some_and(|p| key(p).starts_with(&prefix))
            })
    }) {
        let config = nic
            .ip_configs
            .iter()
            .find(|c| {
                c.public_ip
                    .as_deref()
                    .is_some_and(|p| key(p).starts_with(&prefix))
            })
            .expect("found above");
        return Err(AzureError::PublicIpCannotBeDeleted {
            ip: config.public_ip.clone().unwrap_or_default(),
            config: ip_config_id(nic, config),
        });
    }
    // The public IPs outside the group that its NICs let go of.
    let released: Vec<String> = with_key_prefix(&tx.world().azure.nics, &prefix)
        .flat_map(|(_, n)| n.ip_configs.iter().filter_map(|c| c.public_ip.as_deref()))
        .map(key)
        .filter(|p| !p.starts_with(&prefix))
        .collect();
    // Users before what they use: VMs, NICs, gateways, peerings, then VNets, NSGs, route tables.
    remove_under::<AzVm>(tx, &prefix, |w| &w.azure.vms);
    remove_under::<AzNic>(tx, &prefix, |w| &w.azure.nics);
    for p in released {
        refresh_dynamic(tx, &p, false)?;
    }
    remove_under::<AzPublicIp>(tx, &prefix, |w| &w.azure.public_ips);
    remove_under::<AzGateway>(tx, &prefix, |w| &w.azure.gateways);
    remove_under::<AzPeering>(tx, &prefix, |w| &w.azure.peerings);
    remove_under::<AzVnet>(tx, &prefix, |w| &w.azure.vnets);
    remove_under::<AzNsg>(tx, &prefix, |w| &w.azure.nsgs);
    remove_under::<AzRouteTable>(tx, &prefix, |w| &w.azure.route_tables);
    tx.remove::<AzResourceGroup>(&id);
    Ok(true)
}

/// Removes every record of the table `table` picks whose key starts with `prefix`.
fn remove_under<T: crate::Entity>(
    tx: &mut Tx<'_, '_>,
    prefix: &str,
    table: impl Fn(&World) -> &std::collections::BTreeMap<String, T>,
) {
    let keys: Vec<String> = with_key_prefix(table(tx.world()), prefix)
        .map(|(k, _)| k.clone())
        .collect();
    for k in keys {
        tx.remove::<T>(&k);
    }
}
