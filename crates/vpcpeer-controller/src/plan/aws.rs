//! AWS links: the peering (requested from the first network's account, accepted in the second's,
//! or adopted when one made by hand already joins the pair), its DNS options, a route to each of
//! the peer's blocks in every selected route table on both sides, and the openings in both sides'
//! default security groups; then what the topology owns and no longer declares (routes to its
//! peerings, the peerings, the rules it opened).

use std::collections::BTreeSet;

use ipnet::Ipv4Net;

use super::{
    missing_reason, owned_by, Action, AwsIngressSpec, Conflict, Ctx, PeeringRoute, Reason, TableRef,
};
use crate::desired::{Cloud, Link, Opening, Tables};
use crate::names::{rule_owner, TAG_LINK, TAG_TOPOLOGY};
use crate::observed::{AwsPeering, AwsRouteTable, AwsStatus, AwsTarget, Detail};

/// What the wanted links keep: the peerings they use, the routes and rules they want.
#[derive(Default)]
struct Keep<'a> {
    peerings: BTreeSet<&'a str>,
    routes: BTreeSet<(String, String, Ipv4Net)>,
    rules: BTreeSet<(String, Opening, Ipv4Net)>,
    /// Group-sourced rules: network, opening, source group.
    group_rules: BTreeSet<(String, Opening, String)>,
}

pub(super) fn plan(cx: &mut Ctx<'_>) {
    let mut keep = Keep::default();
    for l in cx.links_of(Cloud::Aws) {
        link(cx, l, &mut keep);
    }
    stale(cx, &keep);
}

fn link<'a>(cx: &mut Ctx<'a>, l: &Link, keep: &mut Keep<'a>) {
    let topology = cx.desired.name.as_str();
    let peerings = &cx.observed.aws_peerings;
    let wanted: BTreeSet<&str> = cx.links.iter().map(|l| l.name.as_str()).collect();
    let tagged = |p: &AwsPeering| {
        owned_by(&p.tags, topology) && p.tags.get(TAG_LINK).map(String::as_str) == Some(&l.name)
    };
    let own = peerings.iter().find(|p| p.status.is_live() && tagged(p));
    let peering = match own {
        Some(p) => Some(p),
        None => {
            let ids = l
                .sides
                .each_ref()
                .map(|s| cx.found(s).map(|n| n.id.as_str()));
            let pair = match ids {
                [Some(a), Some(b)] => peerings
                    .iter()
                    .find(|p| p.status.is_live() && joins(p, a, b)),
                _ => None,
            };
            match pair {
                Some(p) => {
                    let owner = p.tags.get(TAG_TOPOLOGY);
                    let link_of_ours = p.tags.get(TAG_LINK).map(String::as_str);
                    let taken = match owner {
                        None => false,
                        Some(o) if o == topology => {
                            link_of_ours.is_some_and(|k| wanted.contains(k))
                        }
                        Some(_) => true,
                    };
                    if taken {
                        cx.conflicts.push(Conflict::PeeringOfAnother {
                            link: l.name.clone(),
                            peering: p.id.clone(),
                            owner: owner.cloned().unwrap_or_default(),
                        });
                        return;
                    }
                    cx.step(
                        Action::AwsAdoptPeering {
                            link: l.name.clone(),
                            peering: p.id.clone(),
                        },
                        Reason::Unowned,
                    );
                    Some(p)
                }
                None => {
                    // Why there is none, from the last request between these same VPCs: it
                    // was refused or left to expire; or it was deleted (by hand: drift). No
                    // such request: never made (or made for VPCs since replaced).
                    let earlier = peerings
                        .iter()
                        .rev()
                        .find(|p| tagged(p) && matches!(ids, [Some(a), Some(b)] if joins(p, a, b)));
                    let reason = match earlier {
                        Some(p)
                            if matches!(
                                p.status,
                                AwsStatus::Rejected | AwsStatus::Expired | AwsStatus::Failed
                            ) =>
                        {
                            Reason::Ended {
                                peering: p.id.clone(),
                                status: p.status,
                            }
                        }
                        Some(_) => Reason::Drift,
                        None => Reason::Missing,
                    };
                    cx.step(
                        Action::AwsRequestPeering {
                            link: l.name.clone(),
                            requester: l.sides[0].clone(),
                            accepter: l.sides[1].clone(),
                        },
                        reason,
                    );
                    cx.step(
                        Action::AwsAcceptPeering {
                            link: l.name.clone(),
                        },
                        Reason::Missing,
                    );
                    None
                }
            }
        }
    };
    if let Some(p) = peering {
        keep.peerings.insert(p.id.as_str());
        match p.status {
            AwsStatus::PendingAcceptance => cx.step(
                Action::AwsAcceptPeering {
                    link: l.name.clone(),
                },
                Reason::Pending,
            ),
            AwsStatus::InitiatingRequest | AwsStatus::Provisioning => cx.step(
                Action::AwsAwaitPeering {
                    link: l.name.clone(),
                },
                Reason::Provisioning(p.status),
            ),
            _ => {}
        }
    }
    let dns_differs = peering.map_or(l.dns_resolution, |p| {
        p.requester_dns != l.dns_resolution || p.accepter_dns != l.dns_resolution
    });
    if dns_differs {
        let reason = if peering.is_some() {
            Reason::OptionsDiffer
        } else {
            Reason::Missing
        };
        cx.step(
            Action::AwsSetDns {
                link: l.name.clone(),
                enabled: l.dns_resolution,
            },
            reason,
        );
    }
    if l.dns_resolution {
        for side in &l.sides {
            let on = matches!(
                cx.found(side).map(|n| &n.detail),
                Some(Detail::Aws { dns: true, .. })
            );
            let planned = cx
                .steps
                .iter()
                .any(|s| matches!(&s.action, Action::AwsEnableDns { network } if network == side));
            if !on && !planned {
                cx.step(
                    Action::AwsEnableDns {
                        network: side.clone(),
                    },
                    Reason::DnsFor {
                        link: l.name.clone(),
                    },
                );
            }
        }
    }
    // Applied before: the link's own peering is active, so what is missing went out of band.
    let applied = own.is_some_and(|p| p.status == AwsStatus::Active);
    let target = peering.map(|p| p.id.as_str());
    for (i, side) in l.sides.iter().enumerate() {
        let peer = l.peer_of(side);
        routes(cx, l, i, side, peer, target, applied, keep);
        openings(cx, l, side, peer, applied, keep);
        group_openings(cx, l, side, peer, applied, keep);
    }
}

/// Whether a peering joins the two VPCs, in either direction.
fn joins(p: &AwsPeering, a: &str, b: &str) -> bool {
    (p.requester == a && p.accepter == b) || (p.requester == b && p.accepter == a)
}

#[allow(clippy::too_many_arguments)]
fn routes(
    cx: &mut Ctx<'_>,
    l: &Link,
    i: usize,
    side: &str,
    peer: &str,
    target: Option<&str>,
    applied: bool,
    keep: &mut Keep<'_>,
) {
    let destinations = cx.cidrs(peer);
    let Some(found) = cx.found(side) else {
        match &l.tables[i] {
            Tables::All => {
                for d in destinations {
                    let route = peering_route(side, l, TableRef::Main, d);
                    cx.step(Action::AwsCreateRoute(route), Reason::Missing);
                }
            }
            Tables::Listed(_) => cx.conflicts.push(Conflict::TablesOfNewNetwork {
                link: l.name.clone(),
                network: side.to_string(),
            }),
        }
        return;
    };
    let Detail::Aws { route_tables, .. } = &found.detail else {
        return;
    };
    let mut tables: Vec<&AwsRouteTable> = Vec::new();
    match &l.tables[i] {
        Tables::All => tables.extend(route_tables),
        Tables::Listed(ids) => {
            for id in ids {
                match route_tables.iter().find(|t| &t.id == id) {
                    Some(t) => tables.push(t),
                    None => cx.conflicts.push(Conflict::TableNotFound {
                        link: l.name.clone(),
                        network: side.to_string(),
                        table: id.clone(),
                    }),
                }
            }
        }
    }
    tables.sort_by(|a, b| a.id.cmp(&b.id));
    let ours = owned_peerings(cx);
    let gateways: BTreeSet<&str> = cx
        .observed
        .gateways
        .values()
        .filter_map(|g| g.instance.as_ref().map(|i| i.id.as_str()))
        .collect();
    for table in tables {
        let table_ref = || TableRef::Id(table.id.clone());
        for d in &destinations {
            keep.routes.insert((side.to_string(), table.id.clone(), *d));
            let existing = table.routes.iter().find(|r| r.destination == *d);
            match existing.map(|r| (&r.target, r.blackhole)) {
                None => cx.step(
                    Action::AwsCreateRoute(peering_route(side, l, table_ref(), *d)),
                    missing_reason(applied && has_block(cx, peer, d)),
                ),
                Some((AwsTarget::Peering(p), false)) if Some(p.as_str()) == target => {}
                // A route to one of the topology's gateways (the pair's link was encrypted):
                // removed with the gateway routes no encrypted link keeps, then made again.
                Some((AwsTarget::Other(id), _)) if gateways.contains(id.as_str()) => cx.step(
                    Action::AwsCreateRoute(peering_route(side, l, table_ref(), *d)),
                    Reason::Retarget {
                        was: AwsTarget::Other(id.clone()),
                    },
                ),
                Some((AwsTarget::Peering(p), blackhole))
                    if blackhole || ours.contains(p.as_str()) =>
                {
                    cx.step(
                        Action::AwsReplaceRoute(peering_route(side, l, table.id.clone(), *d)),
                        Reason::Retarget {
                            was: AwsTarget::Peering(p.clone()),
                        },
                    )
                }
                Some((other, true)) if !matches!(other, AwsTarget::Local) => cx.step(
                    Action::AwsReplaceRoute(peering_route(side, l, table.id.clone(), *d)),
                    Reason::Retarget { was: other.clone() },
                ),
                Some((other, _)) => cx.conflicts.push(Conflict::RouteTaken {
                    link: l.name.clone(),
                    network: side.to_string(),
                    table: table.id.clone(),
                    destination: *d,
                    target: other.to_string(),
                }),
            }
        }
    }
}

/// Whether the peer has `block` already (a route or rule for a block the file adds is missing,
/// not drift).
fn has_block(cx: &Ctx<'_>, peer: &str, block: &Ipv4Net) -> bool {
    cx.found(peer).is_some_and(|n| n.cidrs.contains(block))
}

/// Ids of every AWS peering the topology's tags mark, whatever its state.
fn owned_peerings<'a>(cx: &Ctx<'a>) -> BTreeSet<&'a str> {
    cx.observed
        .aws_peerings
        .iter()
        .filter(|p| owned_by(&p.tags, &cx.desired.name))
        .map(|p| p.id.as_str())
        .collect()
}

fn openings(
    cx: &mut Ctx<'_>,
    l: &Link,
    side: &str,
    peer: &str,
    applied: bool,
    keep: &mut Keep<'_>,
) {
    let sources = cx.cidrs(peer);
    let ingress = match cx.found(side).map(|n| &n.detail) {
        Some(Detail::Aws { ingress, .. }) => ingress.as_slice(),
        _ => &[],
    };
    for opening in &l.open {
        for source in &sources {
            keep.rules.insert((side.to_string(), *opening, *source));
            if !ingress
                .iter()
                .any(|r| r.opening == *opening && r.source == *source)
            {
                cx.step(
                    Action::AwsAllowIngress(AwsIngressSpec {
                        network: side.to_string(),
                        link: l.name.clone(),
                        opening: *opening,
                        source: *source,
                    }),
                    missing_reason(applied && has_block(cx, peer, source)),
                );
            }
        }
    }
}

/// The link's openings from the peer's default group: a rule naming that group in this side's
/// default group (the peer may not exist yet: then the rule is missing and the executor finds
/// the group once the peer is made).
fn group_openings(
    cx: &mut Ctx<'_>,
    l: &Link,
    side: &str,
    peer: &str,
    applied: bool,
    keep: &mut Keep<'_>,
) {
    let peer_group = match cx.found(peer).map(|n| &n.detail) {
        Some(Detail::Aws { default_group, .. }) => Some(default_group.clone()),
        _ => None,
    };
    let rules = match cx.found(side).map(|n| &n.detail) {
        Some(Detail::Aws { group_ingress, .. }) => group_ingress.as_slice(),
        _ => &[],
    };
    for opening in &l.open_from_group {
        if let Some(g) = &peer_group {
            keep.group_rules
                .insert((side.to_string(), *opening, g.clone()));
        }
        let there = peer_group
            .as_ref()
            .is_some_and(|g| rules.iter().any(|r| r.opening == *opening && &r.group == g));
        if !there {
            cx.step(
                Action::AwsAllowGroupIngress {
                    network: side.to_string(),
                    link: l.name.clone(),
                    opening: *opening,
                    peer: peer.to_string(),
                },
                missing_reason(applied && peer_group.is_some()),
            );
        }
    }
}

/// What the topology owns and the wanted links do not keep.
fn stale(cx: &mut Ctx<'_>, keep: &Keep<'_>) {
    let ours = owned_peerings(cx);
    let reason = cx.gone();
    for name in &cx.networks_of(Cloud::Aws) {
        let Some(Detail::Aws {
            route_tables,
            ingress,
            group_ingress,
            ..
        }) = cx.found(name).map(|n| &n.detail)
        else {
            continue;
        };
        for t in route_tables {
            for r in &t.routes {
                let AwsTarget::Peering(p) = &r.target else {
                    continue;
                };
                let kept = keep
                    .routes
                    .contains(&(name.clone(), t.id.clone(), r.destination));
                if ours.contains(p.as_str()) && !kept {
                    cx.step(
                        Action::AwsDeleteRoute {
                            network: name.clone(),
                            table: t.id.clone(),
                            destination: r.destination,
                            peering: p.clone(),
                        },
                        reason.clone(),
                    );
                }
            }
        }
        for r in group_ingress {
            let Some(link) = rule_owner(&cx.desired.name, &r.description) else {
                continue;
            };
            if !keep
                .group_rules
                .contains(&(name.clone(), r.opening, r.group.clone()))
            {
                cx.step(
                    Action::AwsRevokeGroupIngress {
                        network: name.clone(),
                        link: link.to_string(),
                        opening: r.opening,
                        group: r.group.clone(),
                        owner: r.owner.clone(),
                    },
                    reason.clone(),
                );
            }
        }
        for r in ingress {
            let Some(link) = rule_owner(&cx.desired.name, &r.description) else {
                continue;
            };
            if !keep.rules.contains(&(name.clone(), r.opening, r.source)) {
                cx.step(
                    Action::AwsRevokeIngress(AwsIngressSpec {
                        network: name.clone(),
                        link: link.to_string(),
                        opening: r.opening,
                        source: r.source,
                    }),
                    reason.clone(),
                );
            }
        }
    }
    for p in &cx.observed.aws_peerings {
        if p.status.is_live()
            && owned_by(&p.tags, &cx.desired.name)
            && !keep.peerings.contains(p.id.as_str())
        {
            cx.step(
                Action::AwsDeletePeering {
                    peering: p.id.clone(),
                    link: p.tags.get(TAG_LINK).cloned().unwrap_or_default(),
                },
                reason.clone(),
            );
        }
    }
}

/// The link's route to `destination` in `table` of `side`.
fn peering_route<T>(side: &str, l: &Link, table: T, destination: Ipv4Net) -> PeeringRoute<T> {
    PeeringRoute {
        network: side.to_string(),
        table,
        destination,
        link: l.name.clone(),
    }
}
