//! Virtual network gateways (in a VNet's `GatewaySubnet`), which peerings may share.

use super::*;

/// A virtual network gateway PUT.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutGateway {
    /// `location`.
    pub location: Option<String>,
    /// `ipConfigurations[0].subnet.id` (the VNet's `GatewaySubnet`).
    pub subnet_id: Option<String>,
    /// `gatewayType`.
    pub gateway_type: AzGatewayType,
    /// `vpnType`.
    pub vpn_type: Option<String>,
    /// `sku.name`.
    pub sku: Option<String>,
    /// Tags.
    pub tags: AzTags,
}

/// Creates or updates a virtual network gateway (in its VNet's `GatewaySubnet`).
pub fn put_gateway(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutGateway,
) -> Result<(AzGateway, bool), AzureError> {
    check_name(&t.name)?;
    require_group(tx.world(), t)?;
    let location = require_location(req.location.as_deref())?.to_owned();
    let display_id = t.network_id("virtualNetworkGateways");
    let id = key(&display_id);
    let existing = tx.get::<AzGateway>(&id).cloned();
    let Some(subnet_id) = req.subnet_id.clone() else {
        return Err(AzureError::GatewaySubnetRequired {
            gateway: display_id,
        });
    };
    same_subscription(&display_id, &subnet_id)?;
    let sref = subnet_ref(&subnet_id)?;
    if !sref.segments[1].1.eq_ignore_ascii_case("GatewaySubnet") {
        return Err(AzureError::NotGatewaySubnet { subnet: subnet_id });
    }
    let (vkey, vnet) = vnet_of_subnet(tx.world(), &sref, &subnet_id)?;
    if vnet.subnet("GatewaySubnet").is_none() {
        return Err(invalid_reference(&subnet_id));
    }
    if vnet.place.location != normalize_location(&location) {
        return Err(AzureError::GatewayLocation {
            vnet: vnet.display_id.clone(),
            location: vnet.place.location.clone(),
            wanted: normalize_location(&location),
        });
    }
    if let Some(e) = &existing {
        if e.vnet != vkey {
            return Err(AzureError::GatewayMoved {
                gateway: display_id,
            });
        }
    }
    if let Some(other) = tx
        .world()
        .azure
        .gateways
        .values()
        .find(|g| g.vnet == vkey && g.id != id && g.gateway_type == req.gateway_type)
    {
        return Err(AzureError::GatewayOfTypeExists {
            vnet: vnet.display_id.clone(),
            other: other.display_id.clone(),
        });
    }
    if let Some(l) = peering::links_of(tx.world(), &vkey).find(|l| l.use_remote_gateways) {
        return Err(AzureError::VnetUsesRemoteGateways {
            vnet: vnet.display_id.clone(),
            peering: l.display_id.clone(),
        });
    }
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let gw = AzGateway {
        id,
        display_id,
        name,
        place: t.place(&location),
        vnet: vkey,
        subnet_id,
        gateway_type: req.gateway_type,
        vpn_type: req.vpn_type.unwrap_or_else(|| "RouteBased".into()),
        sku: req.sku.unwrap_or_else(|| "VpnGw1".into()),
        guid: kept_guid(tx, &existing),
        tags: req.tags,
    };
    Ok(saved(tx, gw, &existing))
}

/// Deletes a gateway; refused while a peer uses it through gateway transit.
pub fn delete_gateway(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    delete_unused::<AzGateway>(tx, t, "virtualNetworkGateways", |w, _, gw| {
        let l = w.azure.peerings.values().find(|l| {
            l.remote_vnet == gw.vnet
                && l.use_remote_gateways
                && peering::state(w, l) == PeeringState::Connected
        })?;
        Some(AzureError::GatewayInUse {
            gateway: gw.display_id.clone(),
            peering: l.display_id.clone(),
        })
    })
}
