//! Azure links: each VNet gets its half of the peering (a PUT of
//! `virtualNetworkPeerings/<topology>--<link>`; Azure connects the two once both exist and then
//! routes between them itself, so no route steps), `allowForwardedTraffic`, a sync when the
//! address space changed since (`peeringSyncLevel` not `FullyInSync`) or when this plan adds a
//! block to the peer VNet (Azure then leaves the half whose remote grew not in sync: the step is
//! foreseen, so `plan` shows what `apply` will do in one round), and a delete-and-create
//! when the remote half was deleted (`Disconnected`, which Azure does not repair); then the
//! halves the topology owns and no longer declares.

use std::collections::BTreeSet;

use super::{missing_reason, remove_unkept, Action, AzurePeeringSpec, Conflict, Ctx, Reason};
use crate::desired::Cloud;
use crate::names::peering_name;
use crate::observed::{AzurePeering, AzureState, Detail};

pub(super) fn plan(cx: &mut Ctx<'_>) {
    let topology = cx.desired.name.clone();
    let mut keep: BTreeSet<(String, String)> = BTreeSet::new();
    // The VNets this plan adds a block to.
    let growing: BTreeSet<String> = cx
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::AddCidr {
                network,
                cloud: Cloud::Azure,
                ..
            } => Some(network.clone()),
            _ => None,
        })
        .collect();
    for l in cx.links_of(Cloud::Azure) {
        let name = peering_name(&topology, &l.name);
        let applied = l
            .sides
            .iter()
            .any(|s| peerings(cx, s).iter().any(|p| p.name == name));
        // Gateway transit: the offering half goes first when it is turned on (Azure checks the
        // remote's `allowGatewayTransit` when the other half asks to use it), the using half
        // first when it is turned off.
        let uses_now = |s: &String| {
            peerings(cx, s)
                .iter()
                .any(|p| p.name == name && p.use_remote_gateways)
        };
        let mut order = [&l.sides[0], &l.sides[1]];
        let offered_by_second = l.gateway_transit.as_ref() == Some(&l.sides[1]);
        if offered_by_second || (l.gateway_transit.is_none() && uses_now(&l.sides[1])) {
            order.swap(0, 1);
        }
        for side in order {
            let remote = cx.cloud_id(l.peer_of(side));
            let allow_gateway_transit = l.gateway_transit.as_ref() == Some(side);
            let use_remote_gateways = l.gateway_transit.as_deref() == Some(l.peer_of(side));
            keep.insert((side.clone(), name.clone()));
            let list = peerings(cx, side);
            // A half is created using the remote gateway only when the remote half offers it
            // already or is created (offering) just before it in this plan. When the remote half
            // is there and must be updated to offer, that update comes in a later phase than
            // this create: the half is created without using the gateway, and the next round
            // turns it on once the offer is in place.
            let remote_offers_by_create = peerings(cx, l.peer_of(side))
                .iter()
                .find(|p| p.name == name)
                .is_none_or(|p| p.allow_gateway_transit || p.state == AzureState::Disconnected);
            let spec = AzurePeeringSpec {
                network: side.clone(),
                name: name.clone(),
                remote: remote.clone(),
                allow_forwarded_traffic: l.allow_forwarded_traffic,
                allow_gateway_transit,
                use_remote_gateways,
            };
            let create = Action::AzureCreatePeering(AzurePeeringSpec {
                use_remote_gateways: use_remote_gateways && remote_offers_by_create,
                ..spec.clone()
            });
            match list.iter().find(|p| p.name == name) {
                Some(p) if !p.remote.eq_ignore_ascii_case(&remote) => {
                    cx.conflicts.push(Conflict::NameTaken {
                        network: side.clone(),
                        name: name.clone(),
                        peer: p.remote.clone(),
                    })
                }
                Some(p) if p.state == AzureState::Disconnected => {
                    cx.step(
                        Action::AzureDeletePeering {
                            network: side.clone(),
                            name: name.clone(),
                        },
                        Reason::Disconnected,
                    );
                    cx.step(create, Reason::Disconnected);
                }
                Some(p) => {
                    let options = (
                        p.allow_forwarded_traffic,
                        p.allow_gateway_transit,
                        p.use_remote_gateways,
                    );
                    let wanted = (
                        l.allow_forwarded_traffic,
                        allow_gateway_transit,
                        use_remote_gateways,
                    );
                    if options != wanted {
                        cx.step(Action::AzureUpdatePeering(spec), Reason::OptionsDiffer);
                    }
                    let peer = l.peer_of(side);
                    if p.state == AzureState::Connected && (!p.in_sync || growing.contains(peer)) {
                        let reason = if growing.contains(peer) {
                            Reason::PeerGrows {
                                peer: peer.to_string(),
                            }
                        } else {
                            Reason::OutOfSync
                        };
                        cx.step(
                            Action::AzureSyncPeering {
                                network: side.clone(),
                                name: name.clone(),
                            },
                            reason,
                        );
                    }
                }
                None => match list.iter().find(|p| p.remote.eq_ignore_ascii_case(&remote)) {
                    Some(other) => cx.conflicts.push(Conflict::PairTaken {
                        network: side.clone(),
                        name: other.name.clone(),
                        peer: other.remote.clone(),
                        wanted: name.clone(),
                    }),
                    None => cx.step(create, missing_reason(applied)),
                },
            }
        }
    }
    remove_unkept(
        cx,
        Cloud::Azure,
        &keep,
        |cx, n| peerings(cx, n).iter().map(|p| p.name.clone()).collect(),
        |network, name| Action::AzureDeletePeering { network, name },
    );
}

fn peerings<'a>(cx: &Ctx<'a>, network: &str) -> &'a [AzurePeering] {
    match cx.found(network).map(|n| &n.detail) {
        Some(Detail::Azure { peerings }) => peerings,
        _ => &[],
    }
}
