//! The rule and table checks of the audit: stale security group references, network ACL
//! ephemeral gaps, shadowed routes and quota headroom.

use super::*;

impl<'w> Auditor<'w> {
    pub(super) fn stale_sg_references(&self, out: &mut Vec<Raw>) {
        for g in self.w.aws.security_groups().values() {
            let rules = g
                .ingress
                .iter()
                .map(|r| ("ingress", r))
                .chain(g.egress.iter().map(|r| ("egress", r)));
            for (dir, r) in rules {
                let RulePeer::Group {
                    group_id,
                    peering_id,
                    ..
                } = &r.peer
                else {
                    continue;
                };
                let referenced = self.w.aws.security_groups().get(group_id);
                let (why, pcx) = match peering_id {
                    None => match referenced {
                        Some(_) => continue,
                        None => (format!("{group_id} no longer exists"), None),
                    },
                    Some(pcx) => {
                        let recorded = self.w.aws.peerings().get(pcx);
                        let peer_vpc = referenced.map(|x| x.vpc_id.clone()).or_else(|| {
                            recorded.map(|p| {
                                if p.requester.vpc_id == g.vpc_id {
                                    p.accepter.vpc_id.clone()
                                } else {
                                    p.requester.vpc_id.clone()
                                }
                            })
                        });
                        let active = peer_vpc.as_deref().is_some_and(|pv| {
                            self.w.aws.peerings_of_vpc(&g.vpc_id).any(|p| {
                                p.is_active_at(self.now)
                                    && ((p.requester.vpc_id == g.vpc_id && p.accepter.vpc_id == pv)
                                        || (p.accepter.vpc_id == g.vpc_id
                                            && p.requester.vpc_id == pv))
                            })
                        });
                        let why = if referenced.is_none() {
                            format!("{group_id} no longer exists")
                        } else if active {
                            continue;
                        } else {
                            match recorded {
                                Some(p) => format!(
                                    "{pcx} is {}, and no other active peering joins {} and {}",
                                    state_name(p.state_at(self.now)),
                                    g.vpc_id,
                                    peer_vpc.as_deref().unwrap_or("?")
                                ),
                                None => format!("{pcx} no longer exists"),
                            }
                        };
                        (why, Some(pcx.clone()))
                    }
                };
                let mut resources = vec![g.id.clone(), r.id.clone(), group_id.clone()];
                resources.extend(pcx);
                out.push(raw(
                    Check::StaleSgReferences,
                    Severity::Warning,
                    resources,
                    format!(
                        "{dir} rule {} of {} references {group_id}, which is stale: {why}; the rule admits nothing",
                        r.id, g.id
                    ),
                    format!(
                        "revoke {} from {}, or restore the peering and reference the peer group again",
                        r.id, g.id
                    ),
                ));
            }
        }
    }

    pub(super) fn nacl_ephemeral_gap(&self, out: &mut Vec<Raw>) {
        const SAMPLES: [u16; 4] = [1024, 32768, 49152, 65535];
        for acl in self.w.aws.network_acls().values() {
            let mut entries: Vec<&AclEntry> = acl.entries.iter().collect();
            entries.sort_by_key(|e| e.rule_number);
            let inbound: Vec<&AclEntry> = entries.iter().copied().filter(|e| !e.egress).collect();
            let outbound: Vec<&AclEntry> = entries.iter().copied().filter(|e| e.egress).collect();
            for (service, other, egress) in
                [(&inbound, &outbound, false), (&outbound, &inbound, true)]
            {
                for e in service.iter() {
                    let protocol = match e.protocol.as_str() {
                        "6" => Protocol::Tcp,
                        "17" => Protocol::Udp,
                        _ => continue,
                    };
                    let Some((from, to)) = e.port_range else {
                        continue;
                    };
                    if e.action != AclAction::Allow || to - from >= 1024 || from < 0 {
                        continue;
                    }
                    let Ok(port) = u16::try_from(from) else {
                        continue;
                    };
                    let peer = net(&e.cidr).network();
                    let local = match peer {
                        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    };
                    let (src, dst) = if egress { (local, peer) } else { (peer, local) };
                    let req = Header {
                        src_ip: src,
                        dst_ip: dst,
                        protocol,
                        src_port: Some(crate::model::EPHEMERAL_PORT),
                        dst_port: Some(port),
                        icmp: None,
                    };
                    // Only entries that decide for their own first port.
                    let first = service
                        .iter()
                        .find(|x| acl_entry_matches(x, &req, peer))
                        .map(|x| x.rule_number);
                    if first != Some(e.rule_number) {
                        continue;
                    }
                    let denied: Vec<u16> = SAMPLES
                        .iter()
                        .copied()
                        .filter(|eph| {
                            let mut rep = req.reply();
                            rep.dst_port = Some(*eph);
                            let verdict = other
                                .iter()
                                .find(|x| acl_entry_matches(x, &rep, peer))
                                .map_or(AclAction::Deny, |x| x.action);
                            verdict == AclAction::Deny
                        })
                        .collect();
                    if denied.is_empty() {
                        continue;
                    }
                    let severity = if denied.len() == SAMPLES.len() && !acl.associations.is_empty()
                    {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    let (back, pre) = if egress {
                        ("inbound", "to")
                    } else {
                        ("outbound", "from")
                    };
                    let proto = if protocol == Protocol::Tcp {
                        "tcp"
                    } else {
                        "udp"
                    };
                    let ports = if from == to {
                        from.to_string()
                    } else {
                        format!("{from}-{to}")
                    };
                    out.push(raw(
                        Check::NaclEphemeralGap,
                        severity,
                        vec![acl.id.clone()],
                        format!(
                            "{} entry #{} allows {proto}/{ports} {pre} {}, but its {back} entries deny the replies to ephemeral port{} {}",
                            acl.id,
                            e.rule_number,
                            net(&e.cidr),
                            if denied.len() == 1 { "" } else { "s" },
                            denied
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        format!(
                            "add an {back} allow entry for {proto} 1024-65535 {} {} to {} (numbered before any deny that matches)",
                            if egress { "from" } else { "to" },
                            net(&e.cidr),
                            acl.id
                        ),
                    ));
                }
            }
        }
    }

    pub(super) fn shadowed_routes(&self, out: &mut Vec<Raw>) {
        for t in self.w.aws.route_tables().values() {
            let own = self.blocks(&t.vpc_id, None);
            for r in &t.routes {
                if r.target == RouteTarget::Local {
                    continue;
                }
                let Some(p) = route_net(&r.destination) else {
                    continue;
                };
                let mut covers: Vec<IpNet> = t
                    .routes
                    .iter()
                    .filter_map(|o| route_net(&o.destination))
                    .filter(|o| o.prefix_len() > p.prefix_len() && p.contains(o))
                    .collect();
                let by_local = matches!(r.target, RouteTarget::Peering(_));
                if by_local {
                    covers.extend(own.iter().copied());
                }
                if !covered(p, &covers) {
                    continue;
                }
                let by: Vec<IpNet> = covers.iter().copied().filter(|c| overlaps(c, &p)).collect();
                out.push(raw(
                    Check::ShadowedRoutes,
                    Severity::Warning,
                    vec![t.id.clone(), r.target.id().to_owned()],
                    format!(
                        "route {p} → {} in {} never wins the longest prefix match: {} cover{} every address of it",
                        r.target.id(),
                        t.id,
                        list(&by),
                        if by.len() == 1 { "s" } else { "" }
                    ),
                    format!("delete the route {p} from {} (it carries no traffic)", t.id),
                ));
            }
        }
    }

    pub(super) fn quota_headroom(&self, limits: &Limits, out: &mut Vec<Raw>) {
        /// AWS's default of network ACL entries per direction (not in [`Limits`]).
        const ACL_RULES_PER_DIRECTION: usize = 20;
        // `what` ends with the quota's name in parentheses: a `--limit` name of `serve`, or
        // the AWS default that the emulator does not enforce.
        let mut check = |used: usize, max: Option<usize>, what: String, ids: Vec<String>| {
            let Some(max) = max else {
                return;
            };
            if max == 0 || used * 5 < max * 4 {
                return;
            }
            let severity = if used >= max {
                Severity::Warning
            } else {
                Severity::Info
            };
            out.push(raw(
                Check::QuotaHeadroom,
                severity,
                ids,
                format!("{what}: {used} of {max} ({}%)", used * 100 / max),
                match what.rsplit_once('(').map(|(_, k)| k.trim_end_matches(')')) {
                    Some(k) if !k.contains(' ') => format!(
                        "remove unused entries, or raise the quota (vpcpeer serve --limit {k}={})",
                        max * 2
                    ),
                    _ => "merge or remove entries before the quota is reached".to_owned(),
                },
            ));
        };
        for t in self.w.aws.route_tables().values() {
            for (fam, v6) in [("IPv4", false), ("IPv6", true)] {
                let n = t
                    .routes
                    .iter()
                    .filter(|r| r.target != RouteTarget::Local)
                    .filter(|r| matches!(r.destination, Destination::V6(_)) == v6)
                    .count();
                check(
                    n,
                    limits.routes_per_table,
                    format!("{fam} routes in {} (routes_per_table)", t.id),
                    vec![t.id.clone()],
                );
            }
        }
        for g in self.w.aws.security_groups().values() {
            for (dir, rules) in [("inbound", &g.ingress), ("outbound", &g.egress)] {
                // Counted as the model enforces it: group and prefix-list peers count in both
                // families.
                let v4 = rules
                    .iter()
                    .filter(|r| !matches!(r.peer, RulePeer::Cidr6(_)))
                    .count();
                let v6 = rules
                    .iter()
                    .filter(|r| !matches!(r.peer, RulePeer::Cidr4(_)))
                    .count();
                for (fam, n) in [("IPv4", v4), ("IPv6", v6)] {
                    check(
                        n,
                        limits.rules_per_security_group,
                        format!("{dir} {fam} rules of {} (rules_per_security_group)", g.id),
                        vec![g.id.clone()],
                    );
                }
            }
        }
        for acl in self.w.aws.network_acls().values() {
            for (dir, egress) in [("inbound", false), ("outbound", true)] {
                let n = acl
                    .entries
                    .iter()
                    .filter(|e| e.egress == egress && e.rule_number < 32767)
                    .count();
                check(
                    n,
                    Some(ACL_RULES_PER_DIRECTION),
                    format!("{dir} entries of {} (AWS default per direction)", acl.id),
                    vec![acl.id.clone()],
                );
            }
        }
        let mut scope_vpcs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut scope_sgs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for v in self.w.aws.vpcs().values() {
            *scope_vpcs
                .entry((&v.scope.account, &v.scope.region))
                .or_default() += 1;
            let active = self
                .w
                .aws
                .peerings_of_vpc(&v.id)
                .filter(|p| p.is_active_at(self.now))
                .count();
            let tables = self.tables.get(v.id.as_str()).map_or(0, Vec::len);
            let subnets = self.subnets.get(v.id.as_str()).map_or(0, Vec::len);
            for (n, limit, what) in [
                (
                    active,
                    limits.active_peerings_per_vpc,
                    "active peerings of {} (active_peerings_per_vpc)",
                ),
                (
                    tables,
                    limits.route_tables_per_vpc,
                    "route tables of {} (route_tables_per_vpc)",
                ),
                (
                    subnets,
                    limits.subnets_per_vpc,
                    "subnets of {} (subnets_per_vpc)",
                ),
                (
                    v.ipv4_cidrs().count(),
                    limits.ipv4_blocks_per_vpc,
                    "IPv4 blocks of {} (ipv4_blocks_per_vpc)",
                ),
            ] {
                check(n, limit, what.replace("{}", &v.id), vec![v.id.clone()]);
            }
        }
        for g in self.w.aws.security_groups().values() {
            *scope_sgs
                .entry((&g.scope.account, &g.scope.region))
                .or_default() += 1;
        }
        for ((acct, region), n) in scope_vpcs {
            check(
                n,
                limits.vpcs_per_region,
                format!("VPCs of account {acct} in {region} (vpcs_per_region)"),
                vec![acct.to_owned()],
            );
        }
        for ((acct, region), n) in scope_sgs {
            check(
                n,
                limits.security_groups_per_region,
                format!(
                    "security groups of account {acct} in {region} (security_groups_per_region)"
                ),
                vec![acct.to_owned()],
            );
        }
        let mut outstanding: BTreeMap<&str, usize> = BTreeMap::new();
        for p in self.w.aws.peerings().values() {
            if p.state_at(self.now) == PeeringState::PendingAcceptance {
                *outstanding.entry(&p.requester.scope.account).or_default() += 1;
            }
        }
        for (acct, n) in outstanding {
            check(
                n,
                limits.outstanding_peering_requests,
                format!(
                    "outstanding peering requests of account {acct} (outstanding_peering_requests)"
                ),
                vec![acct.to_owned()],
            );
        }
    }
}
