//! [`remedy`] as data: for the blockers of small AWS topologies, the typed remedy names the
//! table, peering, group and values the fix needs (the server only words it).

mod common;

use common::{from_cidr, tcp, Build};
use ipnet::IpNet;
use vpcpeer_model::ops::security_group::Direction as SgDir;
use vpcpeer_model::peering::PeeringState;
use vpcpeer_model::testkit::{a, b, TestEnv};
use vpcpeer_model::RouteTarget;
use vpcpeer_reach::{
    explain, remedy, Code, Direction, Endpoint, Protocol, Query, Remedy, Snapshot, Traffic, Verdict,
};

struct Fx {
    env: TestEnv,
    va: String,
    vb: String,
    ia: String,
    ib: String,
    sgb: String,
    rta: String,
    rtb: String,
}

/// A's 10.0/16 and B's 10.1/16, an instance in each; B's group admits tcp/80 from 10.0.0.0/8.
fn base() -> Fx {
    let mut env = TestEnv::with_seed(21);
    let va = env.vpc(&a(), "10.0.0.0/16");
    let vb = env.vpc(&b(), "10.1.0.0/16");
    let sa = env.subnet(&a(), &va, "10.0.1.0/24");
    let sb = env.subnet(&b(), &vb, "10.1.1.0/24");
    let sgb = env.sg(&b(), &vb, "web");
    env.allow(
        &b(),
        &sgb,
        SgDir::Ingress,
        from_cidr(tcp(Some(80)), "10.0.0.0/8"),
    );
    let ia = env.instance(&a(), &sa, &[]);
    let ib = env.instance(&b(), &sb, &[&sgb]);
    let (rta, rtb) = (env.main_rtb(&va), env.main_rtb(&vb));
    Fx {
        env,
        va,
        vb,
        ia,
        ib,
        sgb,
        rta,
        rtb,
    }
}

/// The verdict of `ia` → `ib` on tcp/`port`, with each blocker's code and remedy.
fn ask(f: &Fx, port: u16) -> (Snapshot, Verdict, Vec<(Code, Remedy)>) {
    let snap = Snapshot::compile(&f.env.world, f.env.now);
    let q = Query {
        src: Endpoint::Instance(f.ia.clone()),
        dst: Endpoint::Instance(f.ib.clone()),
        protocol: Protocol::Tcp,
        port: Some(port),
    };
    let v = explain(&snap, &q).expect("verdict");
    let r = v
        .blockers
        .iter()
        .map(|b| (b.code, remedy(&snap, &v, b)))
        .collect();
    (snap, v, r)
}

fn net(s: &str) -> IpNet {
    s.parse().expect("prefix")
}

#[test]
fn a_missing_return_route_names_table_block_and_peering() {
    let mut f = base();
    let pcx = f.env.peer(&a(), &f.va, &b(), &f.vb, true);
    let rta = f.rta.clone();
    f.env
        .route(&a(), &rta, "10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    let (_, _, r) = ask(&f, 80);
    assert_eq!(
        r,
        vec![(
            Code::NoRouteToDestination,
            Remedy::AddPeeringRoute {
                table: f.rtb.clone(),
                destination: net("10.0.0.0/16"),
                peering: pcx,
            }
        )]
    );
}

#[test]
fn a_route_to_a_pending_peering_asks_to_accept_it() {
    let mut f = base();
    let pcx = f.env.peer(&a(), &f.va, &b(), &f.vb, false);
    let rta = f.rta.clone();
    f.env
        .route(&a(), &rta, "10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    let (_, _, r) = ask(&f, 80);
    assert_eq!(
        r.first(),
        Some(&(Code::BadStateRoute, Remedy::AcceptPeering { peering: pcx })),
        "{r:?}"
    );
}

#[test]
fn a_missing_route_over_a_pending_peering_says_activate_first() {
    let mut f = base();
    let pcx = f.env.peer(&a(), &f.va, &b(), &f.vb, false);
    let (_, _, r) = ask(&f, 80);
    assert_eq!(
        r.first(),
        Some(&(
            Code::NoRouteToDestination,
            Remedy::ActivatePeeringThenRoute {
                peering: pcx,
                state: PeeringState::PendingAcceptance,
                destination: net("10.1.0.0/16"),
                table: f.rta.clone(),
            }
        )),
        "{r:?}"
    );
}

#[test]
fn a_closed_port_names_the_group_traffic_and_source_host() {
    let mut f = base();
    let pcx = f.env.peer(&a(), &f.va, &b(), &f.vb, true);
    let (rta, rtb) = (f.rta.clone(), f.rtb.clone());
    f.env
        .route(&a(), &rta, "10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
    f.env
        .route(&b(), &rtb, "10.0.0.0/16", RouteTarget::Peering(pcx));
    let (snap, _, r) = ask(&f, 443);
    let src_ip = snap.instances[&f.ia]
        .primary_eni
        .as_ref()
        .map(|e| snap.enis[e].ips[0]);
    let src_ip = src_ip.expect("source address");
    assert_eq!(
        r,
        vec![(
            Code::EniSgRulesMismatch {
                direction: Direction::Ingress
            },
            Remedy::AllowInSecurityGroup {
                group: f.sgb.clone(),
                direction: Direction::Ingress,
                traffic: Traffic {
                    protocol: Protocol::Tcp,
                    port: Some(443),
                },
                peer: IpNet::from(src_ip),
            }
        )]
    );
    // Allowed, nothing to remedy.
    let (_, v, r) = ask(&f, 80);
    assert!(v.reachable && r.is_empty(), "{r:?}");
}

#[test]
fn unpeered_vpcs_are_told_to_peer_then_route_each_side() {
    let f = base();
    let (snap, _, r) = ask(&f, 80);
    let ip = |i: &str| snap.enis[snap.instances[i].primary_eni.as_ref().expect("eni")].ips[0];
    assert_eq!(
        r,
        vec![
            (
                Code::DisconnectedVpcs,
                Remedy::CreatePeering { vpc: f.vb.clone() }
            ),
            (
                Code::NoRouteToDestination,
                Remedy::PeerVpcsThenRoute {
                    vpc: f.va.clone(),
                    destination: ip(&f.ib),
                    table: f.rta.clone(),
                }
            ),
            (
                Code::NoRouteToDestination,
                Remedy::PeerVpcsThenRoute {
                    vpc: f.vb.clone(),
                    destination: ip(&f.ia),
                    table: f.rtb.clone(),
                }
            ),
        ]
    );
}
