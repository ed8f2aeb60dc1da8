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
    let rg = AzResourceGroup {
        id,
        display_id: existing
            .as_ref()
            .map_or(display_id, |r| r.display_id.clone()),
        name: existing
            .as_ref()
            .map_or(name.to_owned(), |r| r.name.clone()),
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
    let w = tx.world();
    let inside = |m: &dyn Fn(&World) -> Vec<String>| m(w);
    let vms = inside(&|w| keys_under(&w.az_vms, &prefix));
    let nics = inside(&|w| keys_under(&w.az_nics, &prefix));
    let gws = inside(&|w| keys_under(&w.az_gateways, &prefix));
    let peerings = inside(&|w| keys_under(&w.az_peerings, &prefix));
    let vnets = inside(&|w| keys_under(&w.az_vnets, &prefix));
    let nsgs = inside(&|w| keys_under(&w.az_nsgs, &prefix));
    let rts = inside(&|w| keys_under(&w.az_route_tables, &prefix));
    // A NIC outside the group may sit in one of its subnets: ARM refuses then.
    if let Some(nic) = tx.world().az_nics.values().find(|n| {
        !n.id.starts_with(&prefix)
            && n.ip_configs
                .iter()
                .any(|c| key(&c.subnet_id).starts_with(&prefix))
    }) {
        return Err(AzureError::GroupSubnetInUse {
            nic: nic.display_id.clone(),
        });
    }
    for k in vms {
        tx.remove::<AzVm>(&k);
    }
    for k in nics {
        tx.remove::<AzNic>(&k);
    }
    for k in gws {
        tx.remove::<AzGateway>(&k);
    }
    for k in peerings {
        tx.remove::<AzPeering>(&k);
    }
    for k in vnets {
        tx.remove::<AzVnet>(&k);
    }
    for k in nsgs {
        tx.remove::<AzNsg>(&k);
    }
    for k in rts {
        tx.remove::<AzRouteTable>(&k);
    }
    tx.remove::<AzResourceGroup>(&id);
    Ok(true)
}

fn keys_under<T>(m: &std::collections::BTreeMap<String, T>, prefix: &str) -> Vec<String> {
    m.range(prefix.to_owned()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, _)| k.clone())
        .collect()
}
