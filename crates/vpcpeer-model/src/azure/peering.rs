//! The derived side of VNet peering: a link's `peeringState` and `peeringSyncLevel`, computed on
//! read from the reverse link and the remote VNet's current guid and address space.
//!
//! | situation of link L (A→B)                                           | state        |
//! |---------------------------------------------------------------------|--------------|
//! | B missing, or B's `resourceGuid` differs from the one L saw         | Disconnected |
//! | L connected with reverse R, and R (same guid) still points back at L | Connected    |
//! | L connected once, but R is gone or was re-created                    | Disconnected |
//! | L never connected                                                    | Initiated    |
//!
//! A link connects when it is PUT while its reverse exists and is Initiated; both links then
//! record each other's guid (`connected_with`).

use std::collections::BTreeSet;

use ipnet::Ipv4Net;

use super::{AzPeering, AzVnet};
use crate::{with_key_prefix, World};

/// `peeringState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeringState {
    /// Only this side exists.
    Initiated,
    /// Both sides exist and point at each other.
    Connected,
    /// The other side (or the remote VNet) was deleted or re-created.
    Disconnected,
}

/// `peeringSyncLevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncLevel {
    /// Both links hold the current address spaces.
    FullyInSync,
    /// This link's copy of the remote address space is stale: sync this link.
    LocalNotInSync,
    /// The reverse link's copy of this VNet's address space is stale: sync the remote link.
    RemoteNotInSync,
    /// Both.
    LocalAndRemoteNotInSync,
}

/// The prefix of every peering key under the VNet `vnet_key`.
fn children_prefix(vnet_key: &str) -> String {
    format!("{vnet_key}/virtualnetworkpeerings/")
}

/// The peering links of the VNet `vnet_key`, in key order.
pub fn links_of<'a>(world: &'a World, vnet_key: &str) -> impl Iterator<Item = &'a AzPeering> + 'a {
    with_key_prefix(&world.azure.peerings, &children_prefix(vnet_key)).map(|(_, p)| p)
}

/// The link from `link`'s remote VNet back to its local VNet, if any.
pub fn reverse_of<'a>(world: &'a World, link: &AzPeering) -> Option<&'a AzPeering> {
    links_of(world, &link.remote_vnet).find(|r| r.remote_vnet == link.vnet)
}

/// The state of `link`.
pub fn state(world: &World, link: &AzPeering) -> PeeringState {
    let Some(remote) = world.azure.vnets.get(&link.remote_vnet) else {
        return PeeringState::Disconnected;
    };
    if remote.guid != link.remote_vnet_guid {
        return PeeringState::Disconnected;
    }
    match &link.connected_with {
        None => PeeringState::Initiated,
        Some(g) => match reverse_of(world, link) {
            Some(r) if &r.guid == g && r.connected_with.as_deref() == Some(link.guid.as_str()) => {
                PeeringState::Connected
            }
            _ => PeeringState::Disconnected,
        },
    }
}

fn same_space(a: &[Ipv4Net], b: &[Ipv4Net]) -> bool {
    a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
}

/// Everything a reader of a link sees besides its stored fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeeringView {
    /// `peeringState`.
    pub state: PeeringState,
    /// `peeringSyncLevel`.
    pub sync: SyncLevel,
    /// `localVirtualNetworkAddressSpace`: the local VNet's current prefixes.
    pub local_current: Vec<Ipv4Net>,
    /// `localAddressSpace`: the local prefixes the peer has (the reverse link's copy), or the
    /// current ones while there is no reverse link.
    pub local_peered: Vec<Ipv4Net>,
    /// `remoteVirtualNetworkAddressSpace`: the remote VNet's current prefixes (empty if gone).
    pub remote_current: Vec<Ipv4Net>,
    /// `remoteAddressSpace`: the remote prefixes peered (this link's copy).
    pub remote_peered: Vec<Ipv4Net>,
    /// The remote VNet's location, if it exists.
    pub remote_location: Option<String>,
}

/// The derived view of `link`.
pub fn view(world: &World, link: &AzPeering) -> PeeringView {
    let local: Option<&AzVnet> = world.azure.vnets.get(&link.vnet);
    let remote = world
        .azure
        .vnets
        .get(&link.remote_vnet)
        .filter(|r| r.guid == link.remote_vnet_guid);
    let reverse = reverse_of(world, link);
    let local_current = local.map(|v| v.prefixes.clone()).unwrap_or_default();
    let remote_current = remote.map(|v| v.prefixes.clone()).unwrap_or_default();
    let state = state(world, link);
    let local_stale = state == PeeringState::Connected
        && reverse.is_some_and(|r| !same_space(&r.remote_snapshot, &local_current));
    let remote_stale = remote.is_some() && !same_space(&link.remote_snapshot, &remote_current);
    let sync = match (remote_stale, local_stale) {
        (false, false) => SyncLevel::FullyInSync,
        (true, false) => SyncLevel::LocalNotInSync,
        (false, true) => SyncLevel::RemoteNotInSync,
        (true, true) => SyncLevel::LocalAndRemoteNotInSync,
    };
    PeeringView {
        state,
        sync,
        local_peered: match reverse {
            Some(r) if state == PeeringState::Connected => r.remote_snapshot.clone(),
            _ => local_current.clone(),
        },
        local_current,
        remote_current,
        remote_peered: link.remote_snapshot.clone(),
        remote_location: remote.map(|v| v.place.location.clone()),
    }
}
