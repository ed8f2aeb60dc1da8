//! The AWS part of `/_vpcpeer/inspect`: a VPC (its route tables with each route's state as
//! `DescribeRouteTables` shows it, its security groups and network ACLs) or a VPC peering
//! connection (state at `now`, both sides, options, who may accept, expiry).

use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::aws::route::{route_state, RouteState};
use vpcpeer_model::{AclAction, Timestamp, World};
use vpcpeer_model::{PeerSide, RtAssocTarget, RulePeer, SgRule, Tags, Vpc};
use vpcpeer_wire_aws::render::iso;

use super::{list, yes_no, Builder, Table};
use vpcpeer_api::Inspection;

pub(super) fn inspect(world: &World, now: Timestamp, id: &str) -> Option<Inspection> {
    if let Some(v) = world.aws.vpcs().get(id) {
        return Some(vpc(world, now, v));
    }
    let p = world.aws.peerings().get(id)?;
    let state = p.state_at(now);
    let mut b = Builder::new("aws", "peering", &p.id, p.tags.values().find_map(name_tag));
    b.fact("State", vpcpeer_reach::peering_state_name(state))
        .fact("Requester", side(&p.requester))
        .fact("Accepter", side(&p.accepter));
    if state == PeeringState::PendingAcceptance {
        b.fact(
            "May accept",
            format!(
                "account {} in {} (the accepter's owner, in the accepter's region)",
                p.accepter.scope.account, p.accepter.scope.region
            ),
        )
        .fact("Expires", iso(p.expiration));
    }
    b.fact("Created", iso(p.created))
        .fact("State since", iso(p.state_since_at(now)))
        .fact(
            "DNS resolution, requester side",
            yes_no(p.requester.options.allow_dns_resolution_from_remote_vpc),
        )
        .fact(
            "DNS resolution, accepter side",
            yes_no(p.accepter.options.allow_dns_resolution_from_remote_vpc),
        );
    if let Some(why) = &p.failure_reason {
        b.fact("Failure", why.clone());
    }
    if let Some(by) = &p.deleted_by {
        b.fact("Deleted by", by.clone());
    }
    Some(b.done())
}

fn name_tag(tags: &Tags) -> Option<String> {
    tags.get("Name").cloned()
}

fn side(s: &PeerSide) -> String {
    format!(
        "{} (account {}, {}, {})",
        s.vpc_id,
        s.scope.account,
        s.scope.region,
        list(
            s.ipv4
                .iter()
                .map(ToString::to_string)
                .chain(s.ipv6.iter().map(ToString::to_string))
        )
    )
}

fn vpc(world: &World, now: Timestamp, v: &Vpc) -> Inspection {
    let aws = &world.aws;
    let mut b = Builder::new("aws", "network", &v.id, name_tag(&v.tags));
    b.fact("Account", v.scope.account.clone())
        .fact("Region", v.scope.region.clone())
        .fact(
            "CIDRs",
            list(
                v.ipv4_cidrs()
                    .map(|c| c.to_string())
                    .chain(v.ipv6_cidrs().map(|c| c.to_string())),
            ),
        )
        .fact("Default VPC", yes_no(v.is_default));
    let mut tables: Vec<_> = aws
        .route_tables()
        .values()
        .filter(|t| t.vpc_id == v.id)
        .collect();
    tables.sort_by_key(|t| (!t.is_main(), t.id.clone()));
    for t in tables {
        let subnets: Vec<&str> = t
            .associations
            .iter()
            .filter_map(|a| match &a.target {
                RtAssocTarget::Subnet(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        let title = title(
            format!("Route table {}", t.id),
            t.is_main().then_some("main"),
            &subnets,
        );
        let mut out = Table::new(
            "route-table",
            Some(&t.id),
            title,
            &["Destination", "Target", "State"],
        );
        for r in &t.routes {
            let state = route_state(world, r, now);
            let blackhole = state == RouteState::Blackhole;
            out.row(
                vec![
                    r.destination.to_string(),
                    r.target.id().to_owned(),
                    if blackhole { "blackhole" } else { "active" }.to_owned(),
                ],
                blackhole.then_some("blackhole"),
            );
        }
        b.table(out);
    }
    for g in aws.security_groups().values().filter(|g| g.vpc_id == v.id) {
        let mut out = Table::new(
            "security-group",
            Some(&g.id),
            format!("Security group {} ({})", g.id, g.name),
            &["Direction", "Protocol", "Ports", "Peer", "Description"],
        );
        for (dir, rules) in [("inbound", &g.ingress), ("outbound", &g.egress)] {
            for r in rules {
                out.row(sg_row(dir, r), None);
            }
        }
        b.table(out);
    }
    for a in aws.network_acls().values().filter(|a| a.vpc_id == v.id) {
        let subnets: Vec<&str> = a
            .associations
            .iter()
            .map(|s| s.subnet_id.as_str())
            .collect();
        let title = title(
            format!("Network ACL {}", a.id),
            a.is_default.then_some("default"),
            &subnets,
        );
        let mut out = Table::new(
            "network-acl",
            Some(&a.id),
            title,
            &["Rule", "Direction", "Protocol", "Ports", "CIDR", "Action"],
        );
        let mut entries: Vec<_> = a.entries.iter().collect();
        entries.sort_by_key(|e| (e.egress, e.rule_number));
        for e in entries {
            out.row(
                vec![
                    if e.rule_number >= 32767 {
                        "*".to_owned()
                    } else {
                        e.rule_number.to_string()
                    },
                    if e.egress { "outbound" } else { "inbound" }.to_owned(),
                    protocol(&e.protocol),
                    match e.port_range {
                        Some((a, b)) if a == b => a.to_string(),
                        Some((a, b)) => format!("{a}-{b}"),
                        None => "all".to_owned(),
                    },
                    e.cidr.to_string(),
                    match e.action {
                        AclAction::Allow => "allow",
                        AclAction::Deny => "deny",
                    }
                    .to_owned(),
                ],
                None,
            );
        }
        b.table(out);
    }
    b.done()
}

/// A table's title: `what`, then ` (flag)` and the subnets it is associated with, if any.
fn title(mut what: String, flag: Option<&str>, subnets: &[&str]) -> String {
    if let Some(flag) = flag {
        what.push_str(&format!(" ({flag})"));
    }
    if !subnets.is_empty() {
        what.push_str(&format!(" — subnets {}", subnets.join(", ")));
    }
    what
}

fn protocol(p: &str) -> String {
    match p {
        "-1" => "all".to_owned(),
        "6" => "tcp".to_owned(),
        "17" => "udp".to_owned(),
        "1" => "icmp".to_owned(),
        other => other.to_owned(),
    }
}

fn sg_row(dir: &str, r: &SgRule) -> Vec<String> {
    let ports = match (r.from_port, r.to_port) {
        _ if r.protocol == "-1" => "all".to_owned(),
        (Some(-1), _) | (None, _) => "all".to_owned(),
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a}-{b}"),
        (Some(a), None) => a.to_string(),
    };
    let peer = match &r.peer {
        RulePeer::Cidr4(n) => n.to_string(),
        RulePeer::Cidr6(n) => n.to_string(),
        RulePeer::PrefixList(p) => p.clone(),
        RulePeer::Group {
            group_id,
            user_id,
            peering_id,
        } => match peering_id {
            Some(pcx) => format!("{user_id}/{group_id} (through {pcx})"),
            None => group_id.clone(),
        },
    };
    vec![
        dir.to_owned(),
        protocol(&r.protocol),
        ports,
        peer,
        r.description.clone().unwrap_or_default(),
    ]
}
