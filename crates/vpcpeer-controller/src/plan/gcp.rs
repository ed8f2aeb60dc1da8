//! GCP links: each network gets its half of the peering (`addPeering`, both named
//! `<topology>--<link>`; GCP makes it `ACTIVE` once both halves exist and then exchanges subnet
//! routes itself, so no route steps), the route-exchange option, and, when the link opens
//! traffic, one ingress firewall rule per side admitting the peer's ranges; then the halves and
//! rules the topology owns and no longer declares.

use std::collections::BTreeSet;

use super::{missing_reason, remove_unkept, Action, Conflict, Ctx, GcpFirewallSpec, Reason};
use crate::desired::{Cloud, Opening};
use crate::names::{firewall_name, peering_name};
use crate::observed::{Detail, GcpFirewall, GcpPeering};

pub(super) fn plan(cx: &mut Ctx<'_>) {
    let topology = cx.desired.name.clone();
    let mut keep: BTreeSet<(String, String)> = BTreeSet::new();
    for l in cx.links_of(Cloud::Gcp) {
        let name = peering_name(&topology, &l.name);
        let applied = l
            .sides
            .iter()
            .any(|s| peerings(cx, s).iter().any(|p| p.name == name));
        for (i, side) in l.sides.iter().enumerate() {
            let peer = l.peer_of(side);
            let peer_id = cx.cloud_id(peer);
            keep.insert((side.clone(), name.clone()));
            let list = peerings(cx, side);
            match list.iter().find(|p| p.name == name) {
                Some(p) if !p.peer.eq_ignore_ascii_case(&peer_id) => {
                    cx.conflicts.push(Conflict::NameTaken {
                        network: side.clone(),
                        name: name.clone(),
                        peer: p.peer.clone(),
                    });
                    continue;
                }
                Some(p) => {
                    if p.custom_routes != l.exchange_custom_routes {
                        cx.step(
                            Action::GcpUpdatePeering {
                                network: side.clone(),
                                name: name.clone(),
                                custom_routes: l.exchange_custom_routes,
                            },
                            Reason::OptionsDiffer,
                        );
                    }
                }
                None => {
                    if let Some(other) = list.iter().find(|p| p.peer.eq_ignore_ascii_case(&peer_id))
                    {
                        cx.conflicts.push(Conflict::PairTaken {
                            network: side.clone(),
                            name: other.name.clone(),
                            peer: other.peer.clone(),
                            wanted: name.clone(),
                        });
                        continue;
                    }
                    cx.step(
                        Action::GcpAddPeering {
                            network: side.clone(),
                            name: name.clone(),
                            peer: peer_id,
                            custom_routes: l.exchange_custom_routes,
                        },
                        missing_reason(applied),
                    );
                }
            }
            if l.open.is_empty() {
                continue;
            }
            let rule = firewall_name(&topology, &l.name, i);
            keep.insert((side.clone(), rule.clone()));
            let mut sources = cx.cidrs(peer);
            sources.sort();
            let mut allowed: Vec<Opening> = l.open.clone();
            allowed.sort();
            allowed.dedup();
            let (sources, allowed) = (sources.clone(), allowed.clone());
            let found = firewalls(cx, side).iter().find(|f| f.name == rule);
            if found.is_some_and(|f| same_rule(f, &sources, &allowed)) {
                continue;
            }
            let spec = GcpFirewallSpec {
                network: side.clone(),
                name: rule,
                sources,
                allowed,
            };
            match found {
                Some(_) => cx.step(Action::GcpUpdateFirewall(spec), Reason::RuleDiffers),
                None => cx.step(Action::GcpCreateFirewall(spec), missing_reason(applied)),
            }
        }
    }
    remove_unkept(
        cx,
        Cloud::Gcp,
        &keep,
        |cx, n| peerings(cx, n).iter().map(|p| p.name.clone()).collect(),
        |network, name| Action::GcpRemovePeering { network, name },
    );
    remove_unkept(
        cx,
        Cloud::Gcp,
        &keep,
        |cx, n| firewalls(cx, n).iter().map(|f| f.name.clone()).collect(),
        |network, name| Action::GcpDeleteFirewall { network, name },
    );
}

fn same_rule(f: &GcpFirewall, sources: &[ipnet::Ipv4Net], allowed: &[Opening]) -> bool {
    let mut have_sources = f.sources.clone();
    have_sources.sort();
    let mut have_allowed = f.allowed.clone();
    have_allowed.sort();
    have_allowed.dedup();
    have_sources == sources && have_allowed == allowed
}

fn peerings<'a>(cx: &Ctx<'a>, network: &str) -> &'a [GcpPeering] {
    match cx.found(network).map(|n| &n.detail) {
        Some(Detail::Gcp { peerings, .. }) => peerings,
        _ => &[],
    }
}

fn firewalls<'a>(cx: &Ctx<'a>, network: &str) -> &'a [GcpFirewall] {
    match cx.found(network).map(|n| &n.detail) {
        Some(Detail::Gcp { firewalls, .. }) => firewalls,
        _ => &[],
    }
}
