//! IPv6 scenario rows: dual-stack VPCs built through the real model operations (Amazon /56, a
//! /64 per subnet, instances given IPv6 addresses on launch), one IPv6 query each, and the
//! expected verdict with its blocker codes: local routes, a peering with IPv6 routes, an internet
//! gateway and an egress-only internet gateway (`::/0`), traffic from the internet, security
//! group rules on `::/0`. The snapshot kept incrementally agrees with a fresh compile after each
//! IPv6 change.

mod common;

use std::net::{IpAddr, Ipv6Addr};

use common::{check_rows, dual_stack_subnet, inst, tcp, Build, Row};
use ipnet::Ipv6Net;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{self, a, b, TestEnv};
use vpcpeer_model::{RecordKey, RouteTarget, Scope, Tags};
use vpcpeer_reach::{explain, remedy, Code, Endpoint, Leg, Protocol, Query, Remedy, Snapshot};

/// One side: a dual-stack VPC, a subnet with the VPC's first /64 assigning IPv6 on launch, a
/// group admitting tcp/80 from `::/0`, an instance under it.
struct Side {
    vpc: String,
    v6: Ipv6Net,
    rtb: String,
    inst: String,
}

fn side(env: &mut TestEnv, who: &Scope, cidr: &str, subnet: &str) -> Side {
    let vpc = env.vpc_ipv6(who, cidr);
    let (s, v6) = dual_stack_subnet(env, who, &vpc, subnet);
    let sg = env.sg(who, &vpc, "web");
    env.allow(
        who,
        &sg,
        SgDir::Ingress,
        testkit::with_cidr6(tcp(Some(80)), "::/0"),
    );
    let inst = env.instance(who, &s, &[&sg]);
    let rtb = env.main_rtb(&vpc);
    Side { vpc, v6, rtb, inst }
}

/// Account A's dual-stack VPC 10.0.0.0/16 and account B's 10.1.0.0/16, one instance each.
fn pair() -> (TestEnv, Side, Side) {
    let mut env = TestEnv::with_seed(11);
    let sa = side(&mut env, &a(), "10.0.0.0/16", "10.0.1.0/24");
    let sb = side(&mut env, &b(), "10.1.0.0/16", "10.1.1.0/24");
    (env, sa, sb)
}

fn v6_of(env: &TestEnv, inst: &str) -> Ipv6Addr {
    let eni = &env.world.aws.instances()[inst].eni_ids[0];
    env.world.aws.network_interfaces()[eni].ipv6[0]
}

fn tcp80(src: Endpoint, dst: Endpoint) -> Query {
    Query {
        src,
        dst,
        protocol: Protocol::Tcp,
        port: Some(80),
    }
}

fn to_ip(ip: Ipv6Addr) -> Endpoint {
    Endpoint::Ip(IpAddr::V6(ip))
}

const INTERNET: &str = "2001:db8::10";

fn internet() -> Ipv6Addr {
    INTERNET.parse().expect("ip")
}

fn eigw(env: &mut TestEnv, who: &Scope, vpc: &str) -> String {
    env.run(who, |tx| tx.create_egress_only_gateway(vpc, Tags::new()))
        .expect("eigw")
        .id
}

impl Side {
    /// An egress-only internet gateway of `who` for this side's VPC, and the main table's `::/0`
    /// route to it: the gateway.
    fn eigw_default(&self, env: &mut TestEnv, who: &Scope) -> String {
        let g = eigw(env, who, &self.vpc);
        let to = RouteTarget::EgressOnlyInternetGateway(g.clone());
        env.route(who, &self.rtb, "::/0", to);
        g
    }

    /// An internet gateway of account A for this side's VPC, and the main table's `::/0` route
    /// to it.
    fn igw_default(&self, env: &mut TestEnv) {
        let igw = env.igw(&a(), &self.vpc);
        env.route(&a(), &self.rtb, "::/0", RouteTarget::Gateway(igw));
    }

    /// Its instance to an address on the internet.
    fn out_to_internet(&self) -> Query {
        tcp80(inst(&self.inst), to_ip(internet()))
    }

    /// An address on the internet to its instance.
    fn in_from_internet(&self) -> Query {
        tcp80(to_ip(internet()), inst(&self.inst))
    }
}

use Leg::{Forward as F, Return as R};

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "two instances of one dual-stack VPC over the local IPv6 route",
            build: || {
                let (mut env, sa, _) = pair();
                let s = env.world.aws.instances()[&sa.inst].subnet_id.clone();
                let sg = env.sg(&a(), &sa.vpc, "other");
                let other = env.instance(&a(), &s, &[&sg]);
                let q = tcp80(inst(&other), to_ip(v6_of(&env, &sa.inst)));
                (env, q)
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "a group admitting only IPv4 does not admit IPv6",
            build: || {
                let (mut env, sa, _) = pair();
                let s = env.world.aws.instances()[&sa.inst].subnet_id.clone();
                let sg4 = env.sg(&a(), &sa.vpc, "v4-only");
                env.allow(
                    &a(),
                    &sg4,
                    SgDir::Ingress,
                    testkit::with_cidr(tcp(Some(80)), "0.0.0.0/0"),
                );
                let target = env.instance(&a(), &s, &[&sg4]);
                let q = tcp80(inst(&sa.inst), to_ip(v6_of(&env, &target)));
                (env, q)
            },
            reachable: false,
            codes: &[(F, "ENI_SG_RULES_MISMATCH")],
        },
        Row {
            name: "a peering with IPv6 routes both ways",
            build: || {
                let (mut env, sa, sb) = pair();
                let pcx = env.peer(&a(), &sa.vpc, &b(), &sb.vpc, true);
                let t = RouteTarget::Peering(pcx);
                env.route(&a(), &sa.rtb, &sb.v6.to_string(), t.clone());
                env.route(&b(), &sb.rtb, &sa.v6.to_string(), t);
                let q = tcp80(inst(&sa.inst), to_ip(v6_of(&env, &sb.inst)));
                (env, q)
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "a peering with an IPv6 route one way only",
            build: || {
                let (mut env, sa, sb) = pair();
                let pcx = env.peer(&a(), &sa.vpc, &b(), &sb.vpc, true);
                // IPv4 routes both ways do not carry IPv6.
                let t = RouteTarget::Peering(pcx);
                env.route(&a(), &sa.rtb, &sb.v6.to_string(), t.clone());
                env.route(&a(), &sa.rtb, "10.1.0.0/16", t.clone());
                env.route(&b(), &sb.rtb, "10.0.0.0/16", t);
                let q = tcp80(inst(&sa.inst), to_ip(v6_of(&env, &sb.inst)));
                (env, q)
            },
            reachable: false,
            codes: &[(R, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "out to the internet through an egress-only gateway",
            build: || {
                let (mut env, sa, _) = pair();
                sa.eigw_default(&mut env, &a());
                (env, sa.out_to_internet())
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "out to the internet through an internet gateway's ::/0",
            build: || {
                let (mut env, sa, _) = pair();
                sa.igw_default(&mut env);
                (env, sa.out_to_internet())
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "out to the internet with no IPv6 default route",
            build: || {
                let (mut env, sa, _) = pair();
                let igw = env.igw(&a(), &sa.vpc);
                env.route(&a(), &sa.rtb, "0.0.0.0/0", RouteTarget::Gateway(igw));
                (env, sa.out_to_internet())
            },
            reachable: false,
            codes: &[(F, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "in from the internet to an instance behind an egress-only gateway",
            build: || {
                let (mut env, sa, _) = pair();
                sa.eigw_default(&mut env, &a());
                (env, sa.in_from_internet())
            },
            reachable: false,
            codes: &[(F, "EGRESS_ONLY_IGW_INBOUND")],
        },
        Row {
            name: "in from the internet through an internet gateway",
            build: || {
                let (mut env, sa, _) = pair();
                sa.igw_default(&mut env);
                (env, sa.in_from_internet())
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "in from the internet with no gateway at all",
            build: || {
                let (env, sa, _) = pair();
                (env, sa.in_from_internet())
            },
            reachable: false,
            codes: &[(F, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "in through an internet gateway whose reply has no route out",
            build: || {
                let (mut env, sa, _) = pair();
                env.igw(&a(), &sa.vpc);
                (env, sa.in_from_internet())
            },
            reachable: false,
            codes: &[(R, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "through a peer's egress-only gateway (edge to edge)",
            build: || {
                let (mut env, sa, sb) = pair();
                let pcx = env.peer(&a(), &sa.vpc, &b(), &sb.vpc, true);
                sb.eigw_default(&mut env, &b());
                env.route(&a(), &sa.rtb, "::/0", RouteTarget::Peering(pcx));
                (env, sa.out_to_internet())
            },
            reachable: false,
            codes: &[
                (F, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"),
                (F, "IGW_EDGE_TO_EDGE"),
            ],
        },
        Row {
            name: "a deleted egress-only gateway leaves a blackhole",
            build: || {
                let (mut env, sa, _) = pair();
                let g = sa.eigw_default(&mut env, &a());
                env.run(&a(), |tx| tx.delete_egress_only_gateway(&g))
                    .expect("delete");
                (env, sa.out_to_internet())
            },
            reachable: false,
            codes: &[(F, "BAD_STATE_ROUTE")],
        },
    ]
}

#[test]
fn ipv6_scenario_table() {
    check_rows(rows());
}

#[test]
fn the_egress_only_blocker_names_its_gateway_and_fix() {
    let (mut env, sa, _) = pair();
    let g = eigw(&mut env, &a(), &sa.vpc);
    let q = sa.in_from_internet();
    let snap = Snapshot::compile(&env.world, env.now);
    let v = explain(&snap, &q).expect("query");
    let b = &v.blockers[0];
    assert_eq!(b.code, Code::EgressOnlyInbound);
    assert_eq!(b.component.id, g);
    assert_eq!(
        remedy(&snap, &v, b),
        Remedy::InternetGatewayForInbound { gateway: g }
    );
    // An IPv4 address on the internet is still no source.
    let q4 = tcp80(Endpoint::Ip("8.8.8.8".parse().expect("ip")), inst(&sa.inst));
    assert!(explain(&snap, &q4).is_err());
}

/// The incremental snapshot follows egress-only gateways and the routes to them.
#[test]
fn incremental_snapshot_follows_egress_only_gateways() {
    let (mut env, sa, _) = pair();
    let mut snap = Snapshot::compile(&env.world, env.now);
    let g = sa.eigw_default(&mut env, &a());
    let keys = [
        RecordKey {
            table: "eigw",
            id: g.clone(),
        },
        RecordKey {
            table: "rtb",
            id: sa.rtb.clone(),
        },
    ];
    snap.apply_changes(&env.world, env.now, &keys);
    assert_eq!(snap, Snapshot::compile(&env.world, env.now));
    env.run(&a(), |tx| tx.delete_egress_only_gateway(&g))
        .expect("delete");
    // Only the gateway's key: the table routing to it must follow (its route turns blackhole).
    snap.apply_changes(&env.world, env.now, &keys[..1]);
    assert_eq!(snap, Snapshot::compile(&env.world, env.now));
}
