//! The route checks of the audit: blackholes, peering routes (missing return routes, transitive
//! and edge-to-edge attempts), orphaned peerings and overlapping blocks.

use super::*;
use vpcpeer_model::PeeringConnection;

/// Every overlapping pair of a block of `xs` and a block of `ys`, as `x ∩ y`.
fn clashes(xs: &[IpNet], ys: &[IpNet]) -> Vec<String> {
    xs.iter()
        .flat_map(|x| ys.iter().map(move |y| (x, y)))
        .filter(|(x, y)| overlaps(x, y))
        .map(|(x, y)| format!("{x} ∩ {y}"))
        .collect()
}

/// The resources a finding about peering `p` names: `p` and the VPCs it joins.
fn peering_and_vpcs(p: &PeeringConnection) -> Vec<String> {
    vec![
        p.id.clone(),
        p.requester.vpc_id.clone(),
        p.accepter.vpc_id.clone(),
    ]
}

impl<'w> Auditor<'w> {
    pub(super) fn cidr_overlap(&self, out: &mut Vec<Raw>) {
        for p in self.w.aws.peerings().values() {
            let state = p.state_at(self.now);
            if !live(state) && state != PeeringState::Failed {
                continue;
            }
            let clash = clashes(
                &self.blocks(&p.requester.vpc_id, Some(&p.requester)),
                &self.blocks(&p.accepter.vpc_id, Some(&p.accepter)),
            );
            if clash.is_empty() {
                continue;
            }
            let severity = if state == PeeringState::Failed {
                Severity::Warning
            } else {
                Severity::Error
            };
            out.push(raw(
                Check::CidrOverlap,
                severity,
                peering_and_vpcs(p),
                format!(
                    "{} ({}) joins {} and {} whose blocks overlap ({}); a peering never carries overlapping blocks",
                    p.id,
                    state_name(state),
                    p.requester.vpc_id,
                    p.accepter.vpc_id,
                    clash.join("; ")
                ),
                format!(
                    "re-address one of {} and {} so their blocks are disjoint, then request a new peering",
                    p.requester.vpc_id, p.accepter.vpc_id
                ),
            ));
        }
        // Two overlapping VPCs peered with the same third one.
        for hub in self.w.aws.vpcs().keys() {
            let peers: Vec<(&str, &str)> = self
                .w
                .aws
                .peerings_of_vpc(hub)
                .filter(|p| live(p.state_at(self.now)))
                .filter_map(|p| {
                    let other = if p.requester.vpc_id == *hub {
                        &p.accepter.vpc_id
                    } else {
                        &p.requester.vpc_id
                    };
                    (other != hub).then_some((other.as_str(), p.id.as_str()))
                })
                .collect();
            for (i, (x, px)) in peers.iter().enumerate() {
                for (y, py) in &peers[i + 1..] {
                    if x == y {
                        continue;
                    }
                    let clash = clashes(&self.blocks(x, None), &self.blocks(y, None));
                    if clash.is_empty() {
                        continue;
                    }
                    out.push(raw(
                        Check::CidrOverlap,
                        Severity::Warning,
                        vec![
                            hub.clone(),
                            (*x).to_owned(),
                            (*y).to_owned(),
                            (*px).to_owned(),
                            (*py).to_owned(),
                        ],
                        format!(
                            "{hub} is peered with {x} ({px}) and {y} ({py}), whose blocks overlap ({}); a route in {hub} can send the overlap to only one of them",
                            clash.join("; ")
                        ),
                        format!("re-address {x} or {y}, or route only specific subnets of each from {hub}"),
                    ));
                }
            }
        }
    }

    /// Per route of every table: blackholes, routes to pending peerings, transitive and
    /// edge-to-edge attempts, one-sided peering routes.
    pub(super) fn routes(&self, out: &mut Vec<Raw>) {
        for t in self.w.aws.route_tables().values() {
            for r in &t.routes {
                let Some(d) = route_net(&r.destination) else {
                    continue;
                };
                if let RouteTarget::Peering(pcx) = &r.target {
                    let state = self.w.aws.peerings().get(pcx).map(|p| p.state_at(self.now));
                    match state {
                        Some(s) if live(s) && s != PeeringState::Active => {
                            out.push(raw(
                                Check::PeeringRouteWithoutActivePcx,
                                Severity::Warning,
                                vec![t.id.clone(), pcx.clone()],
                                format!(
                                    "route {d} → {pcx} in {} targets a peering that is {}: it drops traffic until the peering is active",
                                    t.id,
                                    state_name(s)
                                ),
                                format!("accept {pcx} as the owner of the accepter VPC"),
                            ));
                            continue;
                        }
                        Some(PeeringState::Active) => {
                            self.peering_route(t, &d, pcx, out);
                            continue;
                        }
                        _ => {}
                    }
                }
                if table_route_state(self.w, t, r, self.now) == RouteState::Blackhole {
                    out.push(self.blackhole(t, &d, &r.target));
                }
            }
        }
    }

    pub(super) fn blackhole(&self, t: &RouteTable, d: &IpNet, target: &RouteTarget) -> Raw {
        let tid = target.id();
        let why = match target {
            RouteTarget::Peering(p) => match self.w.aws.peerings().get(p) {
                Some(c) => format!("the peering is {}", state_name(c.state_at(self.now))),
                None => "the peering no longer exists".to_owned(),
            },
            RouteTarget::Gateway(g) => match self.w.aws.internet_gateways().get(g) {
                Some(x) => match &x.attached_vpc {
                    Some(v) => format!("the gateway is attached to {v}, not to {}", t.vpc_id),
                    None => "the gateway is detached".to_owned(),
                },
                None => "the gateway no longer exists".to_owned(),
            },
            RouteTarget::NatGateway(_) => "the NAT gateway is not available".to_owned(),
            RouteTarget::Instance(_) => "the instance is not running".to_owned(),
            RouteTarget::NetworkInterface(_) => "the interface no longer exists".to_owned(),
            _ => "the target is not usable".to_owned(),
        };
        let fix = match target {
            RouteTarget::Peering(_) => format!(
                "delete the route {d} from {} or point it at an active peering",
                t.id
            ),
            _ => format!(
                "delete the route {d} from {} or replace its target with a usable one",
                t.id
            ),
        };
        raw(
            Check::BlackholeRoutes,
            Severity::Error,
            vec![t.id.clone(), tid.to_owned()],
            format!("route {d} → {tid} in {} is a blackhole: {why}", t.id),
            fix,
        )
    }

    /// A route `d` → `pcx` (active) in table `t`.
    pub(super) fn peering_route(&self, t: &RouteTable, d: &IpNet, pcx: &str, out: &mut Vec<Raw>) {
        let a = t.vpc_id.as_str();
        let Some(side_b) = self.other_side(pcx, a) else {
            return;
        };
        let b = side_b.vpc_id.as_str();
        let b_blocks = self.blocks(b, Some(side_b));
        let a_blocks = self.blocks(a, None);
        // The reply comes back in the family of the request: A's blocks of that family.
        let a_family: Vec<IpNet> = a_blocks
            .iter()
            .copied()
            .filter(|x| x.network().is_ipv4() == d.network().is_ipv4())
            .collect();
        if b_blocks.iter().any(|x| overlaps(x, d)) && !a_family.is_empty() {
            self.return_route(t, d, pcx, b, &a_family, out);
        }
        if b_blocks.iter().any(|x| x.contains(d)) {
            return;
        }
        // Part of `d` lies outside B: who would it be meant for?
        let more_specific: Vec<IpNet> = t
            .routes
            .iter()
            .filter_map(|r| route_net(&r.destination))
            .filter(|o| o.prefix_len() > d.prefix_len() && d.contains(o))
            .chain(a_blocks.iter().copied())
            .collect();
        let mut transit = Vec::new();
        for p in self.w.aws.peerings_of_vpc(b) {
            if p.id == pcx || !live(p.state_at(self.now)) {
                continue;
            }
            let c = if p.requester.vpc_id == b {
                &p.accepter
            } else {
                &p.requester
            };
            if c.vpc_id == a {
                continue;
            }
            // The part of C's block this route decides: the smaller of the two prefixes,
            // unless more specific routes of the table (or A's own blocks) take all of it.
            let hit: Vec<IpNet> = self
                .blocks(&c.vpc_id, Some(c))
                .into_iter()
                .filter(|x| overlaps(x, d))
                .filter(|x| {
                    let part = if x.prefix_len() >= d.prefix_len() {
                        *x
                    } else {
                        *d
                    };
                    !covered(part, &more_specific)
                })
                .collect();
            if !hit.is_empty() {
                transit.push((c.vpc_id.clone(), p.id.clone(), hit));
            }
        }
        for (c, pbc, hit) in transit {
            out.push(raw(
                Check::TransitivePeeringMisconfig,
                Severity::Error,
                vec![t.id.clone(), pcx.to_owned(), c.clone(), pbc.clone()],
                format!(
                    "route {d} → {pcx} in {} sends traffic for {c} ({}) to {b}, which is peered with {c} over {pbc}; peering is not transitive, so {b} drops it",
                    t.id,
                    list(&hit)
                ),
                format!("peer {a} with {c} directly and route {} to that peering", list(&hit)),
            ));
        }
        if let Some(main_b) = self
            .main
            .get(b)
            .and_then(|id| self.w.aws.route_tables().get(*id))
        {
            for r in &main_b.routes {
                let gw = match &r.target {
                    RouteTarget::Gateway(g) if g.starts_with("igw-") => g,
                    RouteTarget::NatGateway(n) => n,
                    _ => continue,
                };
                let Some(gd) = route_net(&r.destination) else {
                    continue;
                };
                if overlaps(&gd, d) {
                    out.push(raw(
                        Check::EdgeToEdgeMisconfig,
                        Severity::Error,
                        vec![t.id.clone(), pcx.to_owned(), gw.clone(), main_b.id.clone()],
                        format!(
                            "route {d} → {pcx} in {} expects {b} to forward to {gw} (route {gd} in {}); a peer's internet or NAT gateway never serves traffic arriving over a peering",
                            t.id, main_b.id
                        ),
                        format!("give {a} its own internet or NAT gateway and route {d} there"),
                    ));
                }
            }
        }
    }

    /// The return half of route `d` → `pcx` in `t`, towards B.
    pub(super) fn return_route(
        &self,
        t: &RouteTable,
        d: &IpNet,
        pcx: &str,
        b: &str,
        a_blocks: &[IpNet],
        out: &mut Vec<Raw>,
    ) {
        let tables = self.serving_tables(b);
        if tables.is_empty() {
            return;
        }
        let routes_back = |rt: &RouteTable| {
            rt.routes.iter().any(|r| {
                r.target == RouteTarget::Peering(pcx.to_owned())
                    && route_net(&r.destination)
                        .is_some_and(|n| a_blocks.iter().any(|x| overlaps(x, &n)))
            })
        };
        let missing: Vec<&RouteTable> =
            tables.iter().copied().filter(|r| !routes_back(r)).collect();
        if missing.is_empty() {
            return;
        }
        let a = &t.vpc_id;
        let severity = if missing.len() == tables.len() {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut resources = vec![t.id.clone(), pcx.to_owned(), b.to_owned()];
        resources.extend(missing.iter().map(|r| r.id.clone()));
        let names: Vec<&str> = missing.iter().map(|r| r.id.as_str()).collect();
        out.push(raw(
            Check::MissingReturnRoute,
            severity,
            resources,
            format!(
                "route {d} → {pcx} in {} has no return route: {} ({b}) route{} no part of {a}'s blocks ({}) back over {pcx}",
                t.id,
                names.join(", "),
                if names.len() == 1 { "s" } else { "" },
                list(a_blocks)
            ),
            format!(
                "add a route {} → {pcx} to {}",
                a_blocks.first().map(ToString::to_string).unwrap_or_default(),
                names.join(" and ")
            ),
        ));
    }

    pub(super) fn orphaned_peerings(&self, out: &mut Vec<Raw>) {
        for p in self.w.aws.peerings().values() {
            if !p.is_active_at(self.now) {
                continue;
            }
            let routed = |vpc: &str| self.routed.contains(&(vpc, p.id.as_str()));
            if routed(&p.requester.vpc_id) || routed(&p.accepter.vpc_id) {
                continue;
            }
            out.push(raw(
                Check::OrphanedPeering,
                Severity::Warning,
                peering_and_vpcs(p),
                format!(
                    "{} is active but no route table of {} or {} routes over it",
                    p.id, p.requester.vpc_id, p.accepter.vpc_id
                ),
                format!(
                    "add routes to the peer's block via {} on both sides, or delete it",
                    p.id
                ),
            ));
        }
    }
}
