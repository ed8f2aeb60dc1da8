//! Scenario tests as data: each row is a small topology built through the real model
//! operations, one query, and the expected verdict with its blocker codes (leg and AWS code, in
//! path order). A few happy paths also check their hop lists, and the typed remedies
//! ([`remedy`]) of the blockers name the table, peering, group and values the fix needs (the
//! server only words them).

mod common;

use common::{
    acl_rule, check_rows, from_cidr, from_group, inst, q, tcp, verdict, Build, Pair, Row,
};
use ipnet::IpNet;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{a, b, TestEnv, A};
use vpcpeer_model::RouteTarget;
use vpcpeer_reach::{
    explain, remedy, Code, ComponentKind as K, Direction, Endpoint, Leg, Protocol, Query,
    QueryError, Remedy, RuleRef, Snapshot, Traffic,
};

/// A [`Pair`] with one instance in each subnet; B's instance admits tcp/80 from 10.0.0.0/8;
/// A's instance admits nothing.
struct Fx {
    p: Pair,
    ia: String,
    ib: String,
    sga: String,
    sgb: String,
}

fn base() -> Fx {
    let mut p = Pair::new(7);
    let env = &mut p.env;
    let sga = env.sg(&a(), &p.va, "web-a");
    let sgb = env.sg(&b(), &p.vb, "web-b");
    let web = from_cidr(tcp(Some(80)), "10.0.0.0/8");
    env.allow(&b(), &sgb, SgDir::Ingress, web);
    let ia = env.instance(&a(), &p.sa, &[&sga]);
    let ib = env.instance(&b(), &p.sb, &[&sgb]);
    Fx {
        p,
        ia,
        ib,
        sga,
        sgb,
    }
}

/// [`base`] with an active A–B peering and routes both ways; returns the pcx id too.
fn peered() -> (Fx, String) {
    let mut f = base();
    let pcx = f.p.peer_routed();
    (f, pcx)
}

impl Fx {
    /// The world, and a tcp/`port` query from `ia` to `ib`.
    fn ia_to_ib(self, port: u16) -> (TestEnv, Query) {
        let query = q(&self.ia, inst(&self.ib), port);
        (self.p.env, query)
    }

    /// The world, and a query of `protocol` (no port) from `ia` to `ib`.
    fn ia_to_ib_by(self, protocol: Protocol) -> (TestEnv, Query) {
        let query = Query {
            protocol,
            port: None,
            ..q(&self.ia, inst(&self.ib), 0)
        };
        (self.p.env, query)
    }

    /// Adds entry 10 to B's default network ACL: deny `protocol` from/to `cidr` on `ports`,
    /// outbound when `egress`.
    fn deny_in_b_acl(
        &mut self,
        egress: bool,
        protocol: &str,
        cidr: &str,
        ports: Option<(i64, i64)>,
    ) {
        let acl = self.p.env.default_acl(&self.p.vb);
        let rule = acl_rule(&acl, 10, egress, protocol, "deny", cidr, ports);
        self.p.env.acl_entry(&b(), rule);
    }

    /// A group `from-peer-group` in B's VPC admitting tcp/5432 from members of A's `sga`
    /// (a cross-account reference), and a database instance in `sb` under it: the instance.
    fn db_for_sga(&mut self) -> String {
        let (vb, sb) = (self.p.vb.clone(), self.p.sb.clone());
        let sg_ref = self.p.env.sg(&b(), &vb, "from-peer-group");
        let from_sga = from_group(tcp(Some(5432)), &self.sga, A);
        self.p.env.allow(&b(), &sg_ref, SgDir::Ingress, from_sga);
        self.p.env.instance(&b(), &sb, &[&sg_ref])
    }
}

fn ip(s: &str) -> Endpoint {
    Endpoint::Ip(s.parse().expect("ip"))
}

use Leg::{Forward as F, Return as R};

fn scenarios() -> Vec<Row> {
    vec![
        Row {
            name: "peered, routes both ways, port open: reachable",
            build: || peered().0.ia_to_ib(80),
            reachable: true,
            codes: &[],
        },
        Row {
            name: "no route to the peer",
            build: || {
                let mut f = base();
                let pcx = f.p.peer(true);
                f.p.route_b("10.0.0.0/16", RouteTarget::Peering(pcx));
                f.ia_to_ib(80)
            },
            reachable: false,
            codes: &[(F, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "missing return route in the peer's table",
            build: || {
                let mut f = base();
                let pcx = f.p.peer(true);
                f.p.route_a("10.1.0.0/16", RouteTarget::Peering(pcx));
                f.ia_to_ib(80)
            },
            reachable: false,
            codes: &[(R, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "security group of the destination does not admit the port",
            build: || peered().0.ia_to_ib(22),
            reachable: false,
            codes: &[(F, "ENI_SG_RULES_MISMATCH")],
        },
        Row {
            name: "network ACL of the destination denies the reply's ephemeral port",
            build: || {
                let (mut f, _) = peered();
                f.deny_in_b_acl(true, "tcp", "0.0.0.0/0", Some((1024, 65535)));
                f.ia_to_ib(80)
            },
            reachable: false,
            codes: &[(R, "SUBNET_ACL_RESTRICTION")],
        },
        Row {
            name: "network ACL of the destination denies the request inbound",
            build: || {
                let (mut f, _) = peered();
                f.deny_in_b_acl(false, "tcp", "10.0.0.0/16", Some((80, 80)));
                f.ia_to_ib(80)
            },
            reachable: false,
            codes: &[(F, "SUBNET_ACL_RESTRICTION")],
        },
        Row {
            name: "every blocker on the path: no route, SG and ACL all reported",
            build: || {
                let mut f = base();
                let pcx = f.p.peer(true);
                f.p.route_b("10.0.0.0/16", RouteTarget::Peering(pcx));
                f.deny_in_b_acl(false, "-1", "10.0.0.0/16", None);
                f.ia_to_ib(22)
            },
            reachable: false,
            codes: &[
                (F, "NO_ROUTE_TO_DESTINATION"),
                (F, "SUBNET_ACL_RESTRICTION"),
                (F, "ENI_SG_RULES_MISMATCH"),
            ],
        },
        Row {
            name: "transitive attempt A -> B -> C",
            build: || {
                let (mut f, pcx_ab) = peered();
                let vc = f.p.env.vpc(&b(), "10.2.0.0/16");
                let sc = f.p.env.subnet(&b(), &vc, "10.2.1.0/24");
                let sgc = f.p.env.sg(&b(), &vc, "web-c");
                f.p.env.allow(
                    &b(),
                    &sgc,
                    SgDir::Ingress,
                    from_cidr(tcp(Some(80)), "10.0.0.0/8"),
                );
                let ic = f.p.env.instance(&b(), &sc, &[&sgc]);
                let pcx_bc = f.p.env.peer(&b(), &f.p.vb, &b(), &vc, true);
                let rtc = f.p.env.main_rtb(&vc);
                f.p.route_a("10.2.0.0/16", RouteTarget::Peering(pcx_ab));
                f.p.route_b("10.2.0.0/16", RouteTarget::Peering(pcx_bc.clone()));
                f.p.env.route(
                    &b(),
                    &rtc,
                    "10.1.0.0/16",
                    RouteTarget::Peering(pcx_bc.clone()),
                );
                f.p.env
                    .route(&b(), &rtc, "10.0.0.0/16", RouteTarget::Peering(pcx_bc));
                (f.p.env, q(&f.ia, inst(&ic), 80))
            },
            reachable: false,
            codes: &[
                (F, "DISCONNECTED_VPCS"),
                (F, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"),
                (R, "NO_ROUTE_TO_DESTINATION"),
            ],
        },
        Row {
            name: "pending peering: routes both ways are blackholes",
            build: || {
                let mut f = base();
                let pcx = f.p.peer(false);
                f.p.route_a("10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
                f.p.route_b("10.0.0.0/16", RouteTarget::Peering(pcx));
                f.ia_to_ib(80)
            },
            reachable: false,
            codes: &[(F, "BAD_STATE_ROUTE"), (R, "BAD_STATE_ROUTE")],
        },
        Row {
            name: "deleted peering: blackholes, and the VPCs are disconnected",
            build: || {
                let (mut f, pcx) = peered();
                f.p.env
                    .run(&a(), |tx| tx.delete_peering(&pcx))
                    .expect("delete");
                f.ia_to_ib(80)
            },
            reachable: false,
            codes: &[
                (F, "DISCONNECTED_VPCS"),
                (F, "BAD_STATE_ROUTE"),
                (R, "BAD_STATE_ROUTE"),
            ],
        },
        Row {
            name: "edge to edge: A reaches the internet through B's internet gateway",
            build: || {
                let (mut f, pcx) = peered();
                let vb = f.p.vb.clone();
                let igw = f.p.env.igw(&b(), &vb);
                f.p.route_a("0.0.0.0/0", RouteTarget::Peering(pcx));
                f.p.route_b("0.0.0.0/0", RouteTarget::Gateway(igw));
                (f.p.env, q(&f.ia, ip("8.8.8.8"), 443))
            },
            reachable: false,
            codes: &[
                (F, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"),
                (F, "IGW_EDGE_TO_EDGE"),
            ],
        },
        Row {
            name: "edge to edge: A reaches the internet through B's NAT gateway",
            build: || {
                let (mut f, pcx) = peered();
                let vb = f.p.vb.clone();
                f.p.env.igw(&b(), &vb);
                let nat = f.p.env.nat(&b(), &f.p.sb.clone());
                f.p.route_a("0.0.0.0/0", RouteTarget::Peering(pcx));
                f.p.route_b("0.0.0.0/0", RouteTarget::NatGateway(nat));
                (f.p.env, q(&f.ia, ip("8.8.8.8"), 443))
            },
            reachable: false,
            codes: &[
                (F, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"),
                (F, "NGW_REQUIRES_SOURCE_IN_VPC"),
            ],
        },
        Row {
            name: "own internet gateway: reachable",
            build: || {
                let mut f = base();
                let va = f.p.va.clone();
                let igw = f.p.env.igw(&a(), &va);
                f.p.route_a("0.0.0.0/0", RouteTarget::Gateway(igw));
                (f.p.env, q(&f.ia, ip("8.8.8.8"), 443))
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "own NAT gateway in a public subnet: reachable",
            build: || {
                let mut f = base();
                let va = f.p.va.clone();
                let igw = f.p.env.igw(&a(), &va);
                let public = f.p.env.subnet(&a(), &va, "10.0.9.0/24");
                let nat = f.p.env.nat(&a(), &public);
                let rt_public =
                    f.p.env
                        .run(&a(), |tx| tx.create_route_table(&va, Default::default()))
                        .expect("rtb");
                f.p.env
                    .run(&a(), |tx| {
                        tx.associate_route_table(
                            &rt_public,
                            vpcpeer_model::aws::route::AssocRequest::Subnet(public.clone()),
                        )
                    })
                    .expect("associate");
                f.p.env
                    .route(&a(), &rt_public, "0.0.0.0/0", RouteTarget::Gateway(igw));
                f.p.route_a("0.0.0.0/0", RouteTarget::NatGateway(nat));
                (f.p.env, q(&f.ia, ip("8.8.8.8"), 443))
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "cross-account peer security group reference over an active same-region peering",
            build: || {
                let (mut f, _) = peered();
                let db = f.db_for_sga();
                (f.p.env, q(&f.ia, inst(&db), 5432))
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "peer security group reference: the source is not a member",
            build: || {
                let (mut f, _) = peered();
                let (va, sa) = (f.p.va.clone(), f.p.sa.clone());
                let other = f.p.env.sg(&a(), &va, "not-the-referenced-group");
                let src = f.p.env.instance(&a(), &sa, &[&other]);
                let db = f.db_for_sga();
                (f.p.env, q(&src, inst(&db), 5432))
            },
            reachable: false,
            codes: &[(F, "ENI_SG_RULES_MISMATCH")],
        },
        Row {
            name: "peer security group reference turns stale when the peering is deleted",
            build: || {
                let (mut f, pcx) = peered();
                let db = f.db_for_sga();
                f.p.env
                    .run(&b(), |tx| tx.delete_peering(&pcx))
                    .expect("delete");
                (f.p.env, q(&f.ia, inst(&db), 5432))
            },
            reachable: false,
            codes: &[
                (F, "DISCONNECTED_VPCS"),
                (F, "BAD_STATE_ROUTE"),
                (F, "ENI_SG_RULES_MISMATCH"),
                (R, "BAD_STATE_ROUTE"),
            ],
        },
        Row {
            name: "unpeered VPCs, no routes",
            build: || base().ia_to_ib(80),
            reachable: false,
            codes: &[
                (F, "DISCONNECTED_VPCS"),
                (F, "NO_ROUTE_TO_DESTINATION"),
                (R, "NO_ROUTE_TO_DESTINATION"),
            ],
        },
        Row {
            name: "ICMP echo over the peering, admitted by an ICMP rule",
            build: || {
                let (mut f, _) = peered();
                let sgb = f.sgb.clone();
                let icmp = vpcpeer_model::testkit::permission(
                    vpcpeer_model::aws::security_group::RuleProtocol::Icmp,
                    Some(8),
                    Some(-1),
                );
                f.p.env
                    .allow(&b(), &sgb, SgDir::Ingress, from_cidr(icmp, "10.0.0.0/16"));
                f.ia_to_ib_by(Protocol::Icmp)
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "ICMP echo over the peering, no ICMP rule",
            build: || peered().0.ia_to_ib_by(Protocol::Icmp),
            reachable: false,
            codes: &[(F, "ENI_SG_RULES_MISMATCH")],
        },
        Row {
            name: "all traffic needs all-protocol rules: a tcp/80 rule is not enough",
            build: || peered().0.ia_to_ib_by(Protocol::All),
            reachable: false,
            codes: &[(F, "ENI_SG_RULES_MISMATCH")],
        },
        Row {
            name: "address in the peer VPC that no interface holds",
            build: || {
                let (f, _) = peered();
                (f.p.env, q(&f.ia, ip("10.1.200.7"), 80))
            },
            reachable: false,
            codes: &[(F, "UNKNOWN_DESTINATION")],
        },
        Row {
            name: "same VPC, another subnet, default group admits its own members",
            build: || {
                let mut f = base();
                let va = f.p.va.clone();
                let s2 = f.p.env.subnet(&a(), &va, "10.0.2.0/24");
                let src = f.p.env.instance(&a(), &f.p.sa.clone(), &[]);
                let dst = f.p.env.instance(&a(), &s2, &[]);
                (f.p.env, q(&src, inst(&dst), 3306))
            },
            reachable: true,
            codes: &[],
        },
    ]
}

#[test]
fn scenario_table() {
    check_rows(scenarios());
}

fn kinds(hops: &[vpcpeer_reach::Hop]) -> Vec<K> {
    hops.iter().map(|h| h.component.kind).collect()
}

#[test]
fn happy_path_over_a_peering_lists_every_hop() {
    let (f, pcx) = peered();
    let v = verdict(&f.p.env, &q(&f.ia, inst(&f.ib), 80));
    assert!(v.reachable, "{:#?}", v.blockers);
    use K::*;
    assert_eq!(
        kinds(&v.forward),
        [
            Instance,
            NetworkInterface,
            SecurityGroup,
            NetworkAcl,
            RouteTable,
            PeeringConnection,
            NetworkAcl,
            SecurityGroup,
            NetworkInterface,
            Instance
        ]
    );
    assert_eq!(
        kinds(&v.ret),
        [
            NetworkInterface,
            NetworkAcl,
            RouteTable,
            PeeringConnection,
            NetworkAcl,
            NetworkInterface
        ]
    );
    assert_eq!(v.forward[0].component.id, f.ia);
    assert_eq!(v.forward[2].component.id, f.sga);
    assert_eq!(v.forward[4].component.id, f.p.rta);
    assert_eq!(v.forward[5].component.id, pcx);
    assert_eq!(v.forward[7].component.id, f.sgb);
    assert_eq!(v.forward[9].component.id, f.ib);
    assert_eq!(v.ret[2].component.id, f.p.rtb);
    match &v.forward[4].rule {
        Some(RuleRef::Route {
            destination,
            target,
        }) => {
            assert_eq!(destination.to_string(), "10.1.0.0/16");
            assert_eq!(*target, RouteTarget::Peering(pcx.clone()));
        }
        other => panic!("route rule {other:?}"),
    }
    assert!(matches!(
        &v.forward[7].rule,
        Some(RuleRef::SecurityGroupRule { group_id, .. }) if *group_id == f.sgb
    ));
    assert!(matches!(
        &v.forward[3].rule,
        Some(RuleRef::AclRule {
            rule_number: Some(100),
            ..
        })
    ));
    let h = v.forward[0].outbound;
    assert_eq!(h.dst_port, Some(80));
    assert_eq!(h.src_port, Some(vpcpeer_reach::EPHEMERAL_PORT));
    let r = v.ret[0].inbound;
    assert_eq!((r.src_ip, r.dst_ip), (h.dst_ip, h.src_ip));
    assert_eq!(
        (r.src_port, r.dst_port),
        (Some(80), Some(vpcpeer_reach::EPHEMERAL_PORT))
    );
}

#[test]
fn same_subnet_skips_network_acls() {
    let mut f = base();
    let sa = f.p.sa.clone();
    let x = f.p.env.instance(&a(), &sa, &[]);
    let y = f.p.env.instance(&a(), &sa, &[]);
    let acl = f.p.env.default_acl(&f.p.va);
    f.p.env.acl_entry(
        &a(),
        acl_rule(&acl, 1, false, "-1", "deny", "0.0.0.0/0", None),
    );
    let v = verdict(&f.p.env, &q(&x, inst(&y), 22));
    assert!(v.reachable, "{:#?}", v.blockers);
    assert!(!kinds(&v.forward).contains(&K::NetworkAcl));
}

#[test]
fn nat_in_the_private_subnet_rewrites_the_source_then_loops() {
    let mut f = base();
    let va = f.p.va.clone();
    let igw = f.p.env.igw(&a(), &va);
    let nat = f.p.env.nat(&a(), &f.p.sa.clone());
    // The NAT gateway sits in the instance's own (private) subnet: after the NAT rewrote the
    // source, the same table sends 0.0.0.0/0 to the NAT again, which the walk refuses to chain.
    f.p.route_a("0.0.0.0/0", RouteTarget::NatGateway(nat.clone()));
    let v = verdict(&f.p.env, &q(&f.ia, ip("1.1.1.1"), 443));
    assert!(!v.reachable);
    let hop = v
        .forward
        .iter()
        .find(|h| h.component.id == nat)
        .expect("nat hop");
    assert_ne!(hop.inbound.src_ip, hop.outbound.src_ip);
    assert_eq!(v.blockers[0].code.aws_code(), "UNSUPPORTED_COMPONENT");
    assert!(!v.forward.iter().any(|h| h.component.id == igw));
}

#[test]
fn query_errors() {
    let f = base();
    let snap = Snapshot::compile(&f.p.env.world, f.p.env.now);
    let cases: Vec<(Query, QueryError)> = vec![
        (
            q("i-0000000000000dead", inst(&f.ib), 80),
            QueryError::UnknownInstance("i-0000000000000dead".into()),
        ),
        (
            Query {
                port: None,
                ..q(&f.ia, inst(&f.ib), 80)
            },
            QueryError::PortRequired(Protocol::Tcp),
        ),
        (
            q(&f.ia, Endpoint::Eni("eni-00000000".into()), 80),
            QueryError::UnknownInterface("eni-00000000".into()),
        ),
        (
            Query {
                src: ip("10.9.9.9"),
                ..q(&f.ia, inst(&f.ib), 80)
            },
            QueryError::UnknownSourceAddress("10.9.9.9".parse().unwrap()),
        ),
        (q(&f.ia, inst(&f.ia), 80), {
            let eni = f.p.env.world.aws.instances()[&f.ia].eni_ids[0].clone();
            QueryError::SameInterface(eni)
        }),
        (
            q(&f.ia, ip("2600::1"), 80),
            QueryError::NoAddressInFamily(f.p.env.world.aws.instances()[&f.ia].eni_ids[0].clone()),
        ),
    ];
    for (query, want) in cases {
        assert_eq!(explain(&snap, &query), Err(want), "{query:?}");
    }
}

// ------------------------------------------------------------------ typed remedies

/// The blockers of `ia` → `ib` on tcp/`port`, each with its code and remedy; the snapshot.
fn remedies(f: &Fx, port: u16) -> (Snapshot, Vec<(Code, Remedy)>) {
    let snap = Snapshot::compile(&f.p.env.world, f.p.env.now);
    let v = explain(&snap, &q(&f.ia, inst(&f.ib), port)).expect("verdict");
    let r = v
        .blockers
        .iter()
        .map(|b| (b.code, remedy(&snap, &v, b)))
        .collect();
    (snap, r)
}

/// The primary address of instance `i` in `snap`.
fn addr(snap: &Snapshot, i: &str) -> std::net::IpAddr {
    snap.enis[snap.instances[i].primary_eni.as_ref().expect("eni")].ips[0]
}

fn net(s: &str) -> IpNet {
    s.parse().expect("prefix")
}

#[test]
fn a_missing_return_route_names_table_block_and_peering() {
    let mut f = base();
    let pcx = f.p.peer(true);
    f.p.route_a("10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    let (_, r) = remedies(&f, 80);
    let want = Remedy::AddPeeringRoute {
        table: f.p.rtb.clone(),
        destination: net("10.0.0.0/16"),
        peering: pcx,
    };
    assert_eq!(r, vec![(Code::NoRouteToDestination, want)]);
}

#[test]
fn a_pending_peering_is_to_accept_or_to_activate_first() {
    let mut f = base();
    let pcx = f.p.peer(false);
    let (_, r) = remedies(&f, 80);
    let activate = Remedy::ActivatePeeringThenRoute {
        peering: pcx.clone(),
        state: PeeringState::PendingAcceptance,
        destination: net("10.1.0.0/16"),
        table: f.p.rta.clone(),
    };
    assert_eq!(r.first(), Some(&(Code::NoRouteToDestination, activate)));
    f.p.route_a("10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    let (_, r) = remedies(&f, 80);
    let accept = Remedy::AcceptPeering { peering: pcx };
    assert_eq!(r.first(), Some(&(Code::BadStateRoute, accept)), "{r:?}");
}

#[test]
fn a_closed_port_names_the_group_traffic_and_source_host() {
    let (f, _) = peered();
    let (snap, r) = remedies(&f, 443);
    let want = Remedy::AllowInSecurityGroup {
        group: f.sgb.clone(),
        direction: Direction::Ingress,
        traffic: Traffic {
            protocol: Protocol::Tcp,
            port: Some(443),
        },
        peer: IpNet::from(addr(&snap, &f.ia)),
    };
    let code = Code::EniSgRulesMismatch {
        direction: Direction::Ingress,
    };
    assert_eq!(r, vec![(code, want)]);
    assert_eq!(remedies(&f, 80).1, vec![], "reachable: nothing to remedy");
}

#[test]
fn unpeered_vpcs_are_told_to_peer_then_route_each_side() {
    let f = base();
    let (snap, r) = remedies(&f, 80);
    let route = |vpc: &str, to: &str, table: &str| Remedy::PeerVpcsThenRoute {
        vpc: vpc.to_owned(),
        destination: addr(&snap, to),
        table: table.to_owned(),
    };
    assert_eq!(
        r,
        vec![
            (
                Code::DisconnectedVpcs,
                Remedy::CreatePeering {
                    vpc: f.p.vb.clone()
                }
            ),
            (Code::NoRouteToDestination, route(&f.p.va, &f.ib, &f.p.rta)),
            (Code::NoRouteToDestination, route(&f.p.vb, &f.ia, &f.p.rtb)),
        ]
    );
}
