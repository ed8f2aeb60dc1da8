//! Reading a file's links: sides, kinds, options per cloud, route tables, openings (from the
//! peer's blocks or its default group), gateway transit; encrypted links (a gateway on each
//! side, HA on both or neither, no peering options); each problem pushed as it is found.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    check_name, Cloud, Gateway, Link, LinkKind, Network, Opening, Problem, Protocol, Tables,
    MAX_NAME,
};
use crate::topology::{
    LinkKindFile, OpeningFile, PortsFile, RouteTablesFile, SideTablesFile, TopologyFile,
};

pub(super) fn links(
    p: &mut Vec<Problem>,
    file: &TopologyFile,
    networks: &BTreeMap<String, Network>,
    gateways: &BTreeMap<String, Gateway>,
) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::new();
    let mut names = BTreeSet::new();
    let mut pairs: BTreeMap<(String, String), String> = BTreeMap::new();
    for l in &file.links {
        let [a, b] = &l.between;
        let name = l.name.clone().unwrap_or_else(|| format!("{a}-{b}"));
        check_name(
            p,
            "link",
            &name,
            MAX_NAME.saturating_sub(file.name.len() + 4),
        );
        if !names.insert(name.clone()) {
            p.push(Problem::DuplicateLinkName { link: name.clone() });
        }
        let mut known = true;
        for side in [a, b] {
            if !networks.contains_key(side) {
                known = false;
                p.push(Problem::UnknownNetwork {
                    link: name.clone(),
                    network: side.clone(),
                });
            }
        }
        if a == b {
            p.push(Problem::SelfLink {
                link: name.clone(),
                network: a.clone(),
            });
            continue;
        }
        let key = if a < b {
            (a.clone(), b.clone())
        } else {
            (b.clone(), a.clone())
        };
        if let Some(first) = pairs.get(&key) {
            p.push(Problem::DuplicatePair {
                first: first.clone(),
                second: name.clone(),
                a: a.clone(),
                b: b.clone(),
            });
        } else {
            pairs.insert(key, name.clone());
        }
        if !known {
            continue;
        }
        if l.kind == LinkKindFile::Encrypted {
            if let Some(link) = encrypted(p, &name, l, networks, gateways) {
                out.push(link);
            }
            continue;
        }
        let (ca, cb) = (networks[a].cloud, networks[b].cloud);
        if ca != cb {
            p.push(Problem::CrossCloud {
                link: name.clone(),
                a: a.clone(),
                a_cloud: ca,
                b: b.clone(),
                b_cloud: cb,
            });
            continue;
        }
        let options = [
            (l.dns_resolution, "dns_resolution", Cloud::Aws, "AWS only"),
            (
                l.route_tables.is_some(),
                "route_tables",
                Cloud::Aws,
                "AWS only (GCP and Azure program peer routes themselves)",
            ),
            (
                l.exchange_custom_routes,
                "exchange_custom_routes",
                Cloud::Gcp,
                "GCP only",
            ),
            (
                l.gateway_transit.is_some(),
                "gateway_transit",
                Cloud::Azure,
                "Azure only",
            ),
            (
                l.allow_forwarded_traffic,
                "allow_forwarded_traffic",
                Cloud::Azure,
                "Azure only",
            ),
        ];
        for (set, option, cloud, only) in options {
            if set && cloud != ca {
                p.push(Problem::OptionNotForCloud {
                    link: name.clone(),
                    option,
                    only,
                    cloud: ca,
                });
            }
        }
        if let Some(g) = &l.gateway_transit {
            if g != a && g != b {
                p.push(Problem::TablesNotASide {
                    link: name.clone(),
                    network: g.clone(),
                });
            }
        }
        let tables = tables(p, &name, [a, b], l.route_tables.as_ref());
        let mut open = Vec::new();
        let mut open_from_group = Vec::new();
        for o in &l.open {
            match (opening(p, &name, o), o.from.as_deref()) {
                (None, _) => {}
                (Some(x), None | Some("blocks")) => open.push(x),
                (Some(x), Some("group")) => {
                    let regions = [&networks[a].region, &networks[b].region];
                    let why = if ca != Cloud::Aws {
                        Some("`from: group` is AWS only".to_string())
                    } else if regions[0] != regions[1] {
                        Some(format!(
                            "a security group can name a peer's group only within one region \
                             ({a} is in {}, {b} in {}); open from the peer's blocks",
                            regions[0].as_deref().unwrap_or("?"),
                            regions[1].as_deref().unwrap_or("?")
                        ))
                    } else {
                        None
                    };
                    match why {
                        Some(why) => p.push(Problem::BadOpening {
                            link: name.clone(),
                            what: format!("{x} from group"),
                            why,
                        }),
                        None => open_from_group.push(x),
                    }
                }
                (Some(x), Some(other)) => p.push(Problem::BadOpening {
                    link: name.clone(),
                    what: format!("{x} from {other}"),
                    why: "`from` is `blocks` or `group`".to_string(),
                }),
            }
        }
        out.push(Link {
            name,
            sides: [a.clone(), b.clone()],
            kind: LinkKind::Native,
            tables,
            open,
            open_from_group,
            dns_resolution: l.dns_resolution,
            exchange_custom_routes: l.exchange_custom_routes,
            allow_forwarded_traffic: l.allow_forwarded_traffic,
            gateway_transit: l.gateway_transit.clone(),
        });
    }
    out
}

/// An encrypted link: each side has a gateway (HA on both or neither); the peering options do
/// not apply; route tables may be listed for AWS sides only (GCP routes are the network's, Azure
/// gets one route table of the topology's per VNet).
fn encrypted(
    p: &mut Vec<Problem>,
    name: &str,
    l: &crate::topology::LinkFile,
    networks: &BTreeMap<String, Network>,
    gateways: &BTreeMap<String, Gateway>,
) -> Option<Link> {
    let [a, b] = &l.between;
    let options = [
        (l.dns_resolution, "dns_resolution"),
        (l.exchange_custom_routes, "exchange_custom_routes"),
        (l.allow_forwarded_traffic, "allow_forwarded_traffic"),
        (l.gateway_transit.is_some(), "gateway_transit"),
    ];
    for (set, option) in options {
        if set {
            p.push(Problem::EncryptedOption {
                link: name.to_string(),
                option,
                why: "it is an option of the clouds' own peering, which an encrypted link does                       not use"
                    .to_string(),
            });
        }
    }
    if !l.open.is_empty() {
        p.push(Problem::EncryptedOption {
            link: name.to_string(),
            option: "open",
            why: "not supported on encrypted links yet: admit the peer's blocks in the                   workloads' own security groups, firewall rules or NSGs"
                .to_string(),
        });
    }
    let gw = |n: &str| gateways.values().find(|g| g.network == n);
    let mut active = Vec::new();
    for side in [a, b] {
        match gw(side) {
            Some(g) => active.push(g.name.clone()),
            None => p.push(Problem::NoGateway {
                link: name.to_string(),
                network: side.clone(),
            }),
        }
    }
    if let (Some(ga), Some(gb)) = (gw(a), gw(b)) {
        if ga.ha.is_some() != gb.ha.is_some() {
            let (with, without) = if ga.ha.is_some() { (ga, gb) } else { (gb, ga) };
            p.push(Problem::HaMismatch {
                link: name.to_string(),
                with: with.name.clone(),
                without: without.name.clone(),
            });
        }
        let failback = |g: &Gateway| g.ha.as_ref().is_some_and(|h| h.failback);
        if let (Some(_), Some(_)) = (&ga.ha, &gb.ha) {
            if failback(ga) != failback(gb) {
                let (with, without) = if failback(ga) { (ga, gb) } else { (gb, ga) };
                p.push(Problem::FailbackMismatch {
                    link: name.to_string(),
                    with: with.name.clone(),
                    without: without.name.clone(),
                });
            }
        }
    }
    let tables = tables(p, name, [a, b], l.route_tables.as_ref());
    for (i, t) in tables.iter().enumerate() {
        let side = &l.between[i];
        if matches!(t, Tables::Listed(_)) && networks[side].cloud != Cloud::Aws {
            p.push(Problem::EncryptedOption {
                link: name.to_string(),
                option: "route_tables",
                why: format!(
                    "route tables are listed for AWS sides only; {side} is {} (every workload \
                     subnet gets the routes)",
                    networks[side].cloud
                ),
            });
        }
    }
    let [ga, gb]: [String; 2] = active.try_into().ok()?;
    Some(Link {
        name: name.to_string(),
        sides: [a.clone(), b.clone()],
        kind: LinkKind::Encrypted { active: [ga, gb] },
        tables,
        open: Vec::new(),
        open_from_group: Vec::new(),
        dns_resolution: false,
        exchange_custom_routes: false,
        allow_forwarded_traffic: false,
        gateway_transit: None,
    })
}

fn tables(
    p: &mut Vec<Problem>,
    link: &str,
    sides: [&String; 2],
    file: Option<&RouteTablesFile>,
) -> [Tables; 2] {
    let side = |t: Option<&SideTablesFile>| match t {
        Some(SideTablesFile::Listed(ids)) => Tables::Listed(ids.clone()),
        Some(SideTablesFile::All(_)) | None => Tables::All,
    };
    match file {
        None | Some(RouteTablesFile::All(_)) => [Tables::All, Tables::All],
        Some(RouteTablesFile::PerSide(map)) => {
            for k in map.keys() {
                if !sides.contains(&k) {
                    p.push(Problem::TablesNotASide {
                        link: link.to_string(),
                        network: k.clone(),
                    });
                }
            }
            [side(map.get(sides[0])), side(map.get(sides[1]))]
        }
    }
}

fn opening(p: &mut Vec<Problem>, link: &str, o: &OpeningFile) -> Option<Opening> {
    let bad = |p: &mut Vec<Problem>, why: &str| {
        p.push(Problem::BadOpening {
            link: link.to_string(),
            what: format!("{}/{:?}", o.protocol, o.ports),
            why: why.to_string(),
        });
    };
    let protocol = match o.protocol.to_ascii_lowercase().as_str() {
        "tcp" => Protocol::Tcp,
        "udp" => Protocol::Udp,
        "icmp" => Protocol::Icmp,
        "all" | "-1" => Protocol::All,
        _ => {
            bad(p, "the protocol is one of tcp, udp, icmp, all");
            return None;
        }
    };
    let ports = match &o.ports {
        None => None,
        Some(PortsFile::One(n)) => Some((*n, *n)),
        Some(PortsFile::Text(t)) => {
            let parsed = match t.split_once('-') {
                Some((x, y)) => x.trim().parse().ok().zip(y.trim().parse().ok()),
                None => t.trim().parse().ok().map(|n| (n, n)),
            };
            match parsed {
                Some((x, y)) if x <= y => Some((x, y)),
                _ => {
                    bad(p, "ports are a number or a range `from-to` with from <= to");
                    return None;
                }
            }
        }
    };
    if ports.is_some() && matches!(protocol, Protocol::Icmp | Protocol::All) {
        bad(p, "only tcp and udp openings take ports");
        return None;
    }
    Some(Opening { protocol, ports })
}

/// A VNet uses the gateway of one peer at most.
pub(super) fn remote_gateways(p: &mut Vec<Problem>, links: &[Link]) {
    let mut users: BTreeMap<&str, &str> = BTreeMap::new();
    for l in links {
        let Some(g) = l.gateway_transit.as_deref() else {
            continue;
        };
        let user = l.peer_of(g);
        match users.get(user) {
            Some(first) => p.push(Problem::TwoRemoteGateways {
                network: user.to_string(),
                first: first.to_string(),
                second: g.to_string(),
            }),
            None => {
                users.insert(user, g);
            }
        }
    }
}
