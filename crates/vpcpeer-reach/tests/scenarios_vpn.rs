//! Scenario rows for virtual private gateways: a destination outside every VPC whose best route
//! is a `vgw-` leaves through the VPN gateway (reachable while the gateway is attached to the
//! table's VPC); a route to a detached gateway is a blackhole; traffic that arrived over a
//! peering never leaves through the peer's gateway (`VGW_EDGE_TO_EDGE`). Also the incremental
//! snapshot following gateway attachments.

mod common;

use common::{check_rows, try_commit, verdict, Build, Pair, Row};
use vpcpeer_model::aws::vpn::NewVpnGateway;
use vpcpeer_model::testkit::{a, b, TestEnv};
use vpcpeer_model::{RouteTarget, Scope};
use vpcpeer_reach::{
    explain, remedy, ComponentKind as K, Endpoint, Leg, Protocol, Query, Remedy, Snapshot,
};

use Leg::Forward as F;

const ONPREM: &str = "192.168.7.9";

/// A new virtual private gateway of `s`, attached to `vpc`.
fn vgw(env: &mut TestEnv, s: &Scope, vpc: &str) -> String {
    env.run(s, |tx| {
        let g = tx.create_vpn_gateway(NewVpnGateway {
            gateway_type: "ipsec.1".into(),
            amazon_side_asn: None,
            availability_zone: None,
            tags: Default::default(),
        })?;
        tx.attach_vpn_gateway(&g.id, vpc)?;
        Ok(g.id)
    })
    .expect("vgw")
}

/// A VPN gateway of A attached to A's VPC, and A's route of 192.168.0.0/16 to it: the gateway.
fn onprem_through_own_vgw(p: &mut Pair) -> String {
    let va = p.va.clone();
    let g = vgw(&mut p.env, &a(), &va);
    p.route_a("192.168.0.0/16", RouteTarget::Gateway(g.clone()));
    g
}

/// B's VPN gateway and its route to 192.168.0.0/16, and A's route there over the peering `pcx`:
/// B's gateway.
fn onprem_through_peers_vgw(p: &mut Pair, pcx: String) -> String {
    let vb = p.vb.clone();
    let g = vgw(&mut p.env, &b(), &vb);
    p.route_a("192.168.0.0/16", RouteTarget::Peering(pcx));
    p.route_b("192.168.0.0/16", RouteTarget::Gateway(g.clone()));
    g
}

/// A peered pair with an instance in each subnet (default groups: all egress, ingress from the
/// group only); returns the pair, A's instance and the peering.
fn peered_pair() -> (Pair, String, String) {
    let mut p = Pair::new(11);
    let pcx = p.peer_routed();
    let sa = p.sa.clone();
    let ia = p.env.instance(&a(), &sa, &[]);
    (p, ia, pcx)
}

fn to(src: &str, dst: &str) -> Query {
    Query {
        src: Endpoint::Instance(src.into()),
        dst: Endpoint::Ip(dst.parse().expect("ip")),
        protocol: Protocol::Tcp,
        port: Some(443),
    }
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "own attached VPN gateway: leaves through it",
            build: || {
                let (mut p, ia, _) = peered_pair();
                onprem_through_own_vgw(&mut p);
                (p.env, to(&ia, ONPREM))
            },
            reachable: true,
            codes: &[],
        },
        Row {
            name: "VPN gateway detached after the route: blackhole",
            build: || {
                let (mut p, ia, _) = peered_pair();
                let g = onprem_through_own_vgw(&mut p);
                let va = p.va.clone();
                p.env
                    .run(&a(), |tx| tx.detach_vpn_gateway(&g, &va))
                    .expect("detach");
                (p.env, to(&ia, ONPREM))
            },
            reachable: false,
            codes: &[(F, "BAD_STATE_ROUTE")],
        },
        Row {
            name: "VPN gateway deleted after the route: blackhole",
            build: || {
                let (mut p, ia, _) = peered_pair();
                let g = onprem_through_own_vgw(&mut p);
                let va = p.va.clone();
                p.env
                    .run(&a(), |tx| {
                        tx.detach_vpn_gateway(&g, &va)?;
                        tx.delete_vpn_gateway(&g)
                    })
                    .expect("delete");
                (p.env, to(&ia, ONPREM))
            },
            reachable: false,
            codes: &[(F, "BAD_STATE_ROUTE")],
        },
        Row {
            name: "no route to on-premises",
            build: || {
                let (mut p, ia, _) = peered_pair();
                let va = p.va.clone();
                vgw(&mut p.env, &a(), &va);
                (p.env, to(&ia, ONPREM))
            },
            reachable: false,
            codes: &[(F, "NO_ROUTE_TO_DESTINATION")],
        },
        Row {
            name: "edge to edge: A reaches on-premises through B's VPN gateway",
            build: || {
                let (mut p, ia, pcx) = peered_pair();
                onprem_through_peers_vgw(&mut p, pcx);
                (p.env, to(&ia, ONPREM))
            },
            reachable: false,
            codes: &[
                (F, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"),
                (F, "VGW_EDGE_TO_EDGE"),
            ],
        },
        Row {
            name: "a VPN route does not reach into a peer VPC",
            build: || {
                let mut p = Pair::new(11);
                let pcx = p.peer(true);
                p.route_b("10.0.0.0/16", RouteTarget::Peering(pcx));
                let va = p.va.clone();
                let g = vgw(&mut p.env, &a(), &va);
                p.route_a("10.1.0.0/16", RouteTarget::Gateway(g));
                let sa = p.sa.clone();
                let ia = p.env.instance(&a(), &sa, &[]);
                let sb = p.sb.clone();
                let ib = p.env.instance(&b(), &sb, &[]);
                let eni = p.env.world.aws.instances()[&ib].eni_ids[0].clone();
                let dst = p.env.world.aws.network_interfaces()[&eni]
                    .private_ip
                    .to_string();
                (p.env, to(&ia, &dst))
            },
            reachable: false,
            codes: &[(F, "NO_ROUTE_TO_DESTINATION"), (F, "ENI_SG_RULES_MISMATCH")],
        },
    ]
}

#[test]
fn vpn_gateway_scenarios() {
    check_rows(rows());
}

#[test]
fn the_vpn_hop_is_named_both_ways() {
    let (mut p, ia, _) = peered_pair();
    let g = onprem_through_own_vgw(&mut p);
    let v = verdict(&p.env, &to(&ia, ONPREM));
    assert!(v.reachable, "{:#?}", v.blockers);
    let last = v.forward.last().expect("hops");
    assert_eq!(
        (last.component.kind, last.component.id.as_str()),
        (K::VpnGateway, g.as_str())
    );
    let first_back = v.ret.first().expect("return hops");
    assert_eq!(first_back.component.kind, K::VpnGateway);
    assert!(!v.forward.iter().any(|h| h.component.kind == K::Internet));
}

#[test]
fn the_edge_to_edge_blocker_names_the_peers_gateway_and_its_remedy() {
    let (mut p, ia, pcx) = peered_pair();
    let g = onprem_through_peers_vgw(&mut p, pcx);
    let v = verdict(&p.env, &to(&ia, ONPREM));
    let b = v
        .blockers
        .iter()
        .find(|b| b.code.aws_code() == "VGW_EDGE_TO_EDGE")
        .expect("blocker");
    assert_eq!(
        (b.component.kind, b.component.id.as_str()),
        (K::VpnGateway, g.as_str())
    );
    assert!(b.detail.contains("virtual private gateway"), "{}", b.detail);
    let snap = Snapshot::compile(&p.env.world, p.env.now);
    assert_eq!(
        remedy(&snap, &v, b),
        Remedy::OwnVpnGateway { gateway: g.clone() }
    );
}

/// The kept snapshot follows a gateway's attachment: the routes to it turn blackhole and active
/// again as a full compile has them.
#[test]
fn incremental_snapshot_follows_vgw_attachment() {
    let (mut p, ia, _) = peered_pair();
    let g = onprem_through_own_vgw(&mut p);
    let va = p.va.clone();
    let mut snap = Snapshot::compile(&p.env.world, p.env.now);
    let q = to(&ia, ONPREM);
    let steps: Vec<(&str, bool)> = vec![("detach", false), ("attach", true), ("detach", false)];
    for (op, reachable) in steps {
        let (_, keys) = try_commit(&mut p.env, &a(), |tx| match op {
            "detach" => tx.detach_vpn_gateway(&g, &va),
            _ => tx.attach_vpn_gateway(&g, &va).map(drop),
        })
        .expect(op);
        snap.apply_changes(&p.env.world, p.env.now, &keys);
        let fresh = Snapshot::compile(&p.env.world, p.env.now);
        assert!(snap == fresh, "after {op}");
        let v = explain(&snap, &q).expect("explains");
        assert_eq!(v.reachable, reachable, "after {op}: {:#?}", v.blockers);
    }
}
