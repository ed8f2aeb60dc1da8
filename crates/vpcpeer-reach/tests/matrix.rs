//! [`matrix`] against [`explain`] pair by pair, on a small topology where some pairs reach each
//! other, some are blocked on the walk, some sit in VPCs joined by no peering (the matrix's
//! shortcut) and one instance does not exist.

mod common;

use common::{from_cidr, tcp, Build};
use vpcpeer_model::ops::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{a, b, TestEnv};
use vpcpeer_model::RouteTarget;
use vpcpeer_reach::{explain, matrix, Endpoint, Protocol, Query, Snapshot};

#[test]
fn matrix_agrees_with_explain_pair_by_pair() {
    let mut env = TestEnv::with_seed(5);
    let scopes = [a(), b(), a()];
    let mut vpcs = Vec::new();
    let mut instances = Vec::new();
    for (i, s) in scopes.iter().enumerate() {
        let vpc = env.vpc(s, &format!("10.{i}.0.0/16"));
        let subnet = env.subnet(s, &vpc, &format!("10.{i}.1.0/24"));
        let sg = env.sg(s, &vpc, "web");
        env.allow(
            s,
            &sg,
            SgDir::Ingress,
            from_cidr(tcp(Some(443)), "10.0.0.0/8"),
        );
        // Two instances in VPC 0, one in each other VPC.
        for _ in 0..if i == 0 { 2 } else { 1 } {
            instances.push(env.instance(s, &subnet, &[&sg]));
        }
        vpcs.push(vpc);
    }
    // 0–1 peered with routes both ways; 1–2 peered with a route only from 1 to 2.
    let p01 = env.peer(&scopes[0], &vpcs[0], &scopes[1], &vpcs[1], true);
    let p12 = env.peer(&scopes[1], &vpcs[1], &scopes[2], &vpcs[2], true);
    let rtbs: Vec<String> = vpcs.iter().map(|v| env.main_rtb(v)).collect();
    for (x, y, p) in [(0, 1, &p01), (1, 0, &p01), (1, 2, &p12)] {
        env.route(
            &scopes[x],
            &rtbs[x],
            &format!("10.{y}.0.0/16"),
            RouteTarget::Peering(p.clone()),
        );
    }
    // 0–2 requested, never accepted: pending still counts as connected, so those pairs are
    // walked in full (and blocked). A fourth VPC with no peering at all: its pairs take the
    // disconnected shortcut.
    env.peer(&scopes[0], &vpcs[0], &scopes[2], &vpcs[2], false);
    let extra = env.vpc(&b(), "10.9.0.0/16");
    let extra_subnet = env.subnet(&b(), &extra, "10.9.1.0/24");
    instances.push(env.instance(&b(), &extra_subnet, &[]));
    instances.push("i-0123456789abcdef0".into());
    let snap = Snapshot::compile(&env.world, env.now);

    for (protocol, port) in [(Protocol::Tcp, Some(443)), (Protocol::Tcp, Some(22))] {
        let m = matrix(&snap, &instances, protocol, port);
        let mut want = Vec::new();
        for src in &instances {
            for dst in instances.iter().filter(|d| *d != src) {
                let q = Query {
                    src: Endpoint::Instance(src.clone()),
                    dst: Endpoint::Instance(dst.clone()),
                    protocol,
                    port,
                };
                let ok = explain(&snap, &q).is_ok_and(|v| v.reachable);
                want.push((src.clone(), dst.clone(), ok));
            }
        }
        assert_eq!(m, want, "{protocol} {port:?}");
        let reachable = m.iter().filter(|(_, _, ok)| *ok).count();
        if port == Some(443) {
            // Within VPC 0 both ways, and 0 ↔ 1 (three instances): 2 + 2·2 = 6 pairs.
            assert_eq!(reachable, 6, "{m:#?}");
        } else {
            assert_eq!(reachable, 0, "{m:#?}");
        }
    }
}
