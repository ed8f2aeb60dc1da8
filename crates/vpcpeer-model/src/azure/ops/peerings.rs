//! VNet peering links: PUT (create or update, with the overlap, gateway-transit and
//! remote-gateway rules), GET and DELETE.

use super::vnets::{get_vnet, peers_of};
use super::*;

/// A peering PUT.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutPeering {
    /// `remoteVirtualNetwork.id`.
    pub remote_vnet_id: Option<String>,
    /// `allowVirtualNetworkAccess` (default true).
    pub allow_vnet_access: bool,
    /// `allowForwardedTraffic`.
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`.
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`.
    pub use_remote_gateways: bool,
    /// `doNotVerifyRemoteGateways`.
    pub do_not_verify_remote_gateways: bool,
    /// `?syncRemoteAddressSpace=true`.
    pub sync_remote_address_space: bool,
}

impl Default for PutPeering {
    fn default() -> Self {
        PutPeering {
            remote_vnet_id: None,
            allow_vnet_access: true,
            allow_forwarded_traffic: false,
            allow_gateway_transit: false,
            use_remote_gateways: false,
            do_not_verify_remote_gateways: false,
            sync_remote_address_space: false,
        }
    }
}

/// Whether `id` names another cloud's network: an AWS VPC id or ARN, or a GCP network path/URL.
pub fn is_other_cloud_network(id: &str) -> Option<OtherCloud> {
    let t = id.trim();
    let lower = t.to_ascii_lowercase();
    if lower.starts_with("vpc-") || lower.starts_with("arn:aws") {
        return Some(OtherCloud::Aws);
    }
    if lower.contains("/global/networks/")
        || lower.starts_with("projects/")
        || lower.contains("googleapis.com/")
    {
        return Some(OtherCloud::Gcp);
    }
    None
}

/// Creates or updates the peering link `name` of the VNet `vnet`.
pub fn put_peering(
    tx: &mut Tx<'_, '_>,
    vnet: &Target,
    name: &str,
    req: PutPeering,
) -> Result<(AzPeering, bool), AzureError> {
    check_name(name)?;
    let local = get_vnet(tx.world(), vnet)?.clone();
    let display_id = format!("{}/virtualNetworkPeerings/{name}", local.display_id);
    let id = key(&display_id);
    let existing = tx.get::<AzPeering>(&id).cloned();
    let Some(remote_id) = req.remote_vnet_id.clone().filter(|r| !r.trim().is_empty()) else {
        return Err(AzureError::PeeringNeedsRemote {
            peering: display_id,
        });
    };
    if let Some(cloud) = is_other_cloud_network(&remote_id) {
        return Err(AzureError::RemoteInOtherCloud {
            peering: display_id,
            remote: remote_id,
            cloud,
        });
    }
    let remote_ref = ArmId::parse(&remote_id)
        .filter(|r| r.is(NETWORK, &["virtualNetworks"]))
        .ok_or_else(|| AzureError::InvalidRemoteId {
            remote: remote_id.clone(),
        })?;
    let remote_key = key(&remote_ref.top_level());
    if let Some(old) = &existing {
        if old.remote_vnet != remote_key {
            return Err(AzureError::ChangingRemote {
                peering: display_id,
                from: old.remote_vnet_id.clone(),
                to: remote_id,
            });
        }
    }
    if remote_key == local.id {
        return Err(AzureError::PeerWithItself {
            peering: display_id,
        });
    }
    let Some(remote) = tx.world().azure.vnets.get(&remote_key).cloned() else {
        return Err(AzureError::RemoteNotFound {
            peering: display_id,
            remote: remote_id,
        });
    };
    if let Some(other) =
        peering::links_of(tx.world(), &local.id).find(|l| l.remote_vnet == remote_key && l.id != id)
    {
        return Err(AzureError::RemoteAlreadyPeered {
            peering: display_id,
            other: other.display_id.clone(),
            remote: remote.display_id.clone(),
        });
    }
    if existing.is_none() {
        if let Some(max) = tx.ctx.limits.az_peerings_per_vnet {
            if peering::links_of(tx.world(), &local.id).count() >= max {
                return Err(AzureError::PeeringLimit {
                    peering: display_id,
                    vnet: local.display_id.clone(),
                    max,
                });
            }
        }
    }
    let o = overlapping(&local.prefixes, &remote.prefixes);
    if !o.is_empty() {
        return Err(AzureError::PeeringOverlap {
            peering: display_id,
            local: local.display_id.clone(),
            remote: remote.display_id.clone(),
            prefixes: o,
        });
    }
    // Each side against the VNets already peered with the other side.
    for (side, this, other) in [
        (PeeredSide::Local, &local, &remote),
        (PeeredSide::Remote, &remote, &local),
    ] {
        for third in peers_of(tx.world(), other, Some(&this.id)) {
            let o = overlapping(&this.prefixes, &third.prefixes);
            if !o.is_empty() {
                return Err(AzureError::PeeringOverlapsPeer {
                    peering: display_id,
                    local: local.display_id.clone(),
                    remote: remote.display_id.clone(),
                    side,
                    third: third.display_id.clone(),
                    prefixes: o.into(),
                });
            }
        }
    }
    let reverse = peering::links_of(tx.world(), &remote_key)
        .find(|r| r.remote_vnet == local.id)
        .cloned();
    let reverse_state = reverse.as_ref().map(|r| peering::state(tx.world(), r));
    // The reverse link is Disconnected unless it is connected to this very link, or is Initiated
    // and still sees this VNet (same guid).
    let reverse_ok = match (&reverse, reverse_state) {
        (None, _) => true,
        (Some(r), Some(PeeringState::Connected)) => existing
            .as_ref()
            .is_some_and(|e| r.connected_with.as_deref() == Some(&e.guid)),
        (Some(_), Some(PeeringState::Initiated)) => true,
        _ => false,
    };
    if !reverse_ok {
        let r = reverse.as_ref().expect("reverse exists when not ok");
        return Err(AzureError::RemotePeeringDisconnected {
            peering: display_id,
            remote_peering: r.display_id.clone(),
            vnet: local.display_id.clone(),
        });
    }
    if req.use_remote_gateways {
        if gateway_in(tx.world(), &remote.id).is_none() {
            return Err(AzureError::RemoteHasNoGateways {
                peering: display_id,
                remote: remote.display_id.clone(),
            });
        }
        if let Some(g) = gateway_in(tx.world(), &local.id) {
            return Err(AzureError::LocalHasGateway {
                peering: display_id,
                vnet: local.display_id.clone(),
                gateway: g.display_id.clone(),
            });
        }
        if let Some(other) =
            peering::links_of(tx.world(), &local.id).find(|l| l.use_remote_gateways && l.id != id)
        {
            return Err(AzureError::AnotherPeeringUsesRemoteGateways {
                peering: display_id,
                other: other.display_id.clone(),
                vnet: local.display_id.clone(),
            });
        }
        if !reverse.as_ref().is_some_and(|r| r.allow_gateway_transit) {
            return Err(AzureError::RemoteDoesNotAllowTransit {
                peering: display_id,
                remote: remote.display_id.clone(),
                local: local.display_id.clone(),
            });
        }
    }
    if !req.allow_gateway_transit {
        if let Some(r) = reverse.as_ref().filter(|r| {
            r.use_remote_gateways && existing.as_ref().is_some_and(|e| e.allow_gateway_transit)
        }) {
            return Err(AzureError::TransitInUse {
                peering: display_id,
                remote_peering: r.display_id.clone(),
            });
        }
    }
    // Connect with an Initiated reverse link; re-arm a Disconnected link on update.
    let guid = existing
        .as_ref()
        .map_or_else(|| tx.ctx.ids.uuid(), |e| e.guid.clone());
    let keeps_connection = existing
        .as_ref()
        .is_some_and(|e| peering::state(tx.world(), e) == PeeringState::Connected);
    let connected_with = match (&reverse, reverse_state) {
        (Some(r), Some(PeeringState::Initiated)) => {
            let r_id = r.id.clone();
            let g = guid.clone();
            if let Some(rm) = tx.get_mut::<AzPeering>(&r_id) {
                rm.connected_with = Some(g);
            }
            Some(r.guid.clone())
        }
        (Some(r), Some(PeeringState::Connected)) if keeps_connection => Some(r.guid.clone()),
        _ => None,
    };
    let remote_snapshot = match &existing {
        Some(e) if !req.sync_remote_address_space && e.remote_vnet_guid == remote.guid => {
            e.remote_snapshot.clone()
        }
        _ => remote.prefixes.clone(),
    };
    let (display_id, name) = kept_names(&existing, display_id, name);
    let link = AzPeering {
        id: id.clone(),
        display_id,
        name,
        vnet: local.id.clone(),
        remote_vnet_id: existing
            .as_ref()
            .map_or(remote_id, |e| e.remote_vnet_id.clone()),
        remote_vnet: remote_key,
        allow_vnet_access: req.allow_vnet_access,
        allow_forwarded_traffic: req.allow_forwarded_traffic,
        allow_gateway_transit: req.allow_gateway_transit,
        use_remote_gateways: req.use_remote_gateways,
        do_not_verify_remote_gateways: req.do_not_verify_remote_gateways,
        remote_snapshot,
        remote_vnet_guid: remote.guid.clone(),
        guid,
        connected_with,
        created: existing.as_ref().map_or(tx.now(), |e| e.created),
    };
    tx.put(link.clone());
    Ok((link, existing.is_none()))
}

/// Deletes a peering link; the reverse link, if any, becomes Disconnected.
pub fn delete_peering(tx: &mut Tx<'_, '_>, vnet: &Target, name: &str) -> Result<bool, AzureError> {
    let local = get_vnet(tx.world(), vnet)?;
    let id = key(&format!(
        "{}/virtualNetworkPeerings/{name}",
        local.display_id
    ));
    Ok(tx.remove::<AzPeering>(&id).is_some())
}

/// Looks a peering link up.
pub fn get_peering<'a>(
    world: &'a World,
    vnet: &Target,
    name: &str,
) -> Result<&'a AzPeering, AzureError> {
    let local = get_vnet(world, vnet)?;
    let display = format!("{}/virtualNetworkPeerings/{name}", local.display_id);
    world
        .azure
        .peerings
        .get(&key(&display))
        .ok_or(AzureError::ChildNotFound { id: display })
}
