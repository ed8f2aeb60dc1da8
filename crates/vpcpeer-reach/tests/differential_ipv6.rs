//! Differential test of the IPv6 paths: the engine against a naive reference evaluator on random
//! dual-stack topologies.
//!
//! Topologies (from a random seed, through the real model operations): two VPCs of two accounts,
//! each with an Amazon /56, a subnet with its first /64 assigning IPv6 on launch and an
//! instance; a peering between them in a random state, or none; on each side, at random, an IPv6
//! route to the peer's /56 over the peering, an internet gateway (attached or not) and an
//! egress-only internet gateway (kept or deleted), and a `::/0` route to one of them; each
//! instance's group admits tcp/80 from `::/0`, from the peer's /56, or not at all. Queries: each
//! instance to the other's IPv6 address, each to an internet address, and the internet to each.
//!
//! The reference works on the [`World`] with linear scans and answers only "reachable or not",
//! straight from the rules: egress is allowed by every group of a VPC with IPv6 (`::/0`); the
//! longest matching IPv6 route of the subnet's table; a peering carries traffic only when active
//! and only to the peer's blocks; an internet gateway must be attached to the VPC and an
//! egress-only one must exist; traffic from the internet enters only through an attached
//! internet gateway; the reply needs the same kind of route back. (Default network ACLs allow all
//! IPv6.)

mod common;

use std::net::{IpAddr, Ipv6Addr};

use common::{dual_stack_subnet, tcp, Build, Rng};
use ipnet::Ipv6Net;
use proptest::prelude::*;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{self, a, b, TestEnv};
use vpcpeer_model::{Destination, RouteTarget, RulePeer, Scope, Tags, World};
use vpcpeer_reach::{explain, Endpoint, Protocol, Query, Snapshot};

const INTERNET: &str = "2001:db8::77";

struct Side {
    scope: Scope,
    vpc: String,
    block: Ipv6Net,
    inst: String,
}

fn v6_of(w: &World, inst: &str) -> Ipv6Addr {
    let eni = &w.aws.instances()[inst].eni_ids[0];
    w.aws.network_interfaces()[eni].ipv6[0]
}

/// The best IPv6 route of the main table of `vpc` for `ip` (tables are not customised here).
fn best(w: &World, vpc: &str, ip: Ipv6Addr) -> Option<RouteTarget> {
    let t = w
        .aws
        .route_tables()
        .values()
        .find(|t| t.vpc_id == vpc && t.is_main())?;
    t.routes
        .iter()
        .filter_map(|r| match r.destination {
            Destination::V6(n) if n.contains(&ip) => Some((n.prefix_len(), &r.target)),
            _ => None,
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, t)| t.clone())
}

fn igw_attached(w: &World, g: &str, vpc: &str) -> bool {
    w.aws
        .internet_gateways()
        .get(g)
        .is_some_and(|g| g.attached_vpc.as_deref() == Some(vpc))
}

/// Whether `vpc`'s table sends `ip` (on the internet) out: to an attached internet gateway or
/// an existing egress-only one.
fn out_to_internet(w: &World, vpc: &str, ip: Ipv6Addr) -> bool {
    match best(w, vpc, ip) {
        Some(RouteTarget::Gateway(g)) => igw_attached(w, &g, vpc),
        Some(RouteTarget::EgressOnlyInternetGateway(g)) => {
            w.aws.egress_only_gateways().contains_key(&g)
        }
        _ => false,
    }
}

/// Whether `from`'s table sends `ip` (in `to`) over an active peering joining the two.
fn over_peering(
    w: &World,
    now: vpcpeer_model::Timestamp,
    from: &str,
    to: &str,
    ip: Ipv6Addr,
) -> bool {
    match best(w, from, ip) {
        Some(RouteTarget::Peering(p)) => w.aws.peerings().get(&p).is_some_and(|c| {
            c.state_at(now) == PeeringState::Active
                && ((c.requester.vpc_id == from && c.accepter.vpc_id == to)
                    || (c.accepter.vpc_id == from && c.requester.vpc_id == to))
                && w.aws.vpcs()[to].ipv6_cidrs().any(|n| n.contains(&ip))
        }),
        _ => false,
    }
}

/// Whether a group of the instance admits tcp/80 from `src`.
fn admits(w: &World, inst: &str, src: Ipv6Addr) -> bool {
    let eni = &w.aws.instances()[inst].eni_ids[0];
    w.aws.network_interfaces()[eni].groups.iter().any(|g| {
        w.aws.security_groups()[g].ingress.iter().any(|r| {
            let port_ok = match r.protocol.as_str() {
                "-1" => true,
                "tcp" => r.from_port.unwrap_or(0) <= 80 && 80 <= r.to_port.unwrap_or(65535),
                _ => false,
            };
            port_ok && matches!(&r.peer, RulePeer::Cidr6(n) if n.contains(&src))
        })
    })
}

fn reference(env: &TestEnv, src: Option<&Side>, dst: Option<&Side>) -> bool {
    let w = &env.world;
    let net: Ipv6Addr = INTERNET.parse().expect("ip");
    match (src, dst) {
        (Some(s), Some(d)) => {
            let (si, di) = (v6_of(w, &s.inst), v6_of(w, &d.inst));
            over_peering(w, env.now, &s.vpc, &d.vpc, di)
                && admits(w, &d.inst, si)
                && over_peering(w, env.now, &d.vpc, &s.vpc, si)
        }
        (Some(s), None) => out_to_internet(w, &s.vpc, net),
        (None, Some(d)) => {
            let entry = w
                .aws
                .internet_gateways()
                .values()
                .any(|g| g.attached_vpc.as_deref() == Some(d.vpc.as_str()));
            entry && admits(w, &d.inst, net) && out_to_internet(w, &d.vpc, net)
        }
        (None, None) => unreachable!(),
    }
}

fn side(env: &mut TestEnv, scope: Scope, cidr: &str, subnet: &str) -> Side {
    let vpc = env.vpc_ipv6(&scope, cidr);
    let (s, block) = dual_stack_subnet(env, &scope, &vpc, subnet);
    let sg = env.sg(&scope, &vpc, "web");
    let inst = env.instance(&scope, &s, &[&sg]);
    Side {
        scope,
        vpc,
        block,
        inst,
    }
}

fn build(seed: u64) -> (TestEnv, Side, Side) {
    let mut rng = Rng(seed);
    let mut env = TestEnv::with_seed(seed);
    let sa = side(&mut env, a(), "10.0.0.0/16", "10.0.1.0/24");
    let sb = side(&mut env, b(), "10.1.0.0/16", "10.1.1.0/24");
    let pcx = match rng.below(3) {
        0 => None,
        n => Some(env.peer(&a(), &sa.vpc, &b(), &sb.vpc, n == 2)),
    };
    for (me, other) in [(&sa, &sb), (&sb, &sa)] {
        let rtb = env.main_rtb(&me.vpc);
        if let Some(p) = &pcx {
            if rng.chance(70) {
                let _ = env.try_route(
                    &me.scope,
                    &rtb,
                    &other.block.to_string(),
                    RouteTarget::Peering(p.clone()),
                );
            }
        }
        let igw = rng.chance(50).then(|| env.igw(&me.scope, &me.vpc));
        if let Some(g) = &igw {
            if rng.chance(20) {
                env.run(&me.scope, |tx| tx.detach_internet_gateway(g, &me.vpc))
                    .expect("detach");
            }
        }
        let eigw = rng.chance(60).then(|| {
            env.run(&me.scope, |tx| {
                tx.create_egress_only_gateway(&me.vpc, Tags::new())
            })
            .expect("eigw")
            .id
        });
        let target = match (rng.below(3), &igw, &eigw) {
            (0, Some(g), _) => Some(RouteTarget::Gateway(g.clone())),
            (1, _, Some(g)) => Some(RouteTarget::EgressOnlyInternetGateway(g.clone())),
            (2, _, Some(g)) | (0, None, Some(g)) => {
                Some(RouteTarget::EgressOnlyInternetGateway(g.clone()))
            }
            (_, Some(g), None) => Some(RouteTarget::Gateway(g.clone())),
            _ => None,
        };
        if let Some(t) = target {
            let _ = env.try_route(&me.scope, &rtb, "::/0", t);
        }
        if let Some(g) = &eigw {
            if rng.chance(20) {
                env.run(&me.scope, |tx| tx.delete_egress_only_gateway(g))
                    .expect("delete eigw");
            }
        }
        // The instance's own group admits tcp/80 from `::/0`, from the peer's /56, or not.
        let own = env.world.aws.network_interfaces()
            [&env.world.aws.instances()[&me.inst].eni_ids[0]]
            .groups[0]
            .clone();
        let from = match rng.below(3) {
            0 => Some("::/0".to_owned()),
            1 => Some(other.block.to_string()),
            _ => None,
        };
        if let Some(cidr) = from {
            env.allow(
                &me.scope,
                &own,
                SgDir::Ingress,
                testkit::with_cidr6(tcp(Some(80)), &cidr),
            );
        }
    }
    (env, sa, sb)
}

fn q(src: Endpoint, dst: Endpoint) -> Query {
    Query {
        src,
        dst,
        protocol: Protocol::Tcp,
        port: Some(80),
    }
}

/// Runs every query of one topology; returns (queries, reachable ones).
fn check(seed: u64) -> Result<(usize, usize), TestCaseError> {
    let (env, sa, sb) = build(seed);
    let snap = Snapshot::compile(&env.world, env.now);
    let net = Endpoint::Ip(IpAddr::V6(INTERNET.parse().expect("ip")));
    let inst = |s: &Side| Endpoint::Instance(s.inst.clone());
    let to = |s: &Side| Endpoint::Ip(IpAddr::V6(v6_of(&env.world, &s.inst)));
    let cases: Vec<(Query, Option<&Side>, Option<&Side>)> = vec![
        (q(inst(&sa), to(&sb)), Some(&sa), Some(&sb)),
        (q(inst(&sb), to(&sa)), Some(&sb), Some(&sa)),
        (q(inst(&sa), net.clone()), Some(&sa), None),
        (q(inst(&sb), net.clone()), Some(&sb), None),
        (q(net.clone(), inst(&sa)), None, Some(&sa)),
        (q(net, inst(&sb)), None, Some(&sb)),
    ];
    let (mut total, mut yes) = (0, 0);
    for (query, s, d) in cases {
        let want = reference(&env, s, d);
        let got = explain(&snap, &query).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(
            got.reachable,
            want,
            "seed {} query {:?}\nblockers {:#?}",
            seed,
            query,
            got.blockers
        );
        prop_assert_eq!(got.reachable, got.blockers.is_empty());
        total += 1;
        yes += usize::from(want);
    }
    Ok((total, yes))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn engine_agrees_with_the_ipv6_reference(seed in any::<u64>()) {
        check(seed)?;
    }
}

/// The generator is not degenerate: over fixed seeds, a fair share of queries is reachable and
/// a fair share is not.
#[test]
fn random_ipv6_topologies_mix_verdicts() {
    let (mut total, mut yes) = (0, 0);
    for seed in 0..200 {
        let (t, y) = check(seed).expect("agrees");
        total += t;
        yes += y;
    }
    println!("{yes} of {total} reachable");
    assert!(yes * 10 > total, "only {yes} of {total} reachable");
    assert!(yes * 10 < total * 9, "{yes} of {total} reachable");
}
