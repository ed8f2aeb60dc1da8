//! [`matrix`] against [`explain`] pair by pair, on a small topology where some pairs reach each
//! other, some are blocked on the walk, some sit in VPCs joined by no peering (the matrix's
//! shortcut) and one instance does not exist.

mod common;

use common::{from_cidr, tcp, web_vpc, Build, Pair};
use vpcpeer_model::aws::security_group::Direction as SgDir;
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
        let (vpc, subnet, sg) = web_vpc(
            &mut env,
            s,
            &format!("10.{i}.0.0/16"),
            &format!("10.{i}.1.0/24"),
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

#[test]
fn matrix_cells_name_the_first_blocker_of_explain() {
    // A → B routed both ways; A–C not peered at all.
    let mut p = Pair::new(9);
    p.peer_routed();
    let Pair {
        mut env,
        sa,
        sb,
        vb,
        ..
    } = p;
    let vc = env.vpc(&b(), "10.2.0.0/16");
    let sc = env.subnet(&b(), &vc, "10.2.1.0/24");
    let sgb = env.sg(&b(), &vb, "web");
    let web = from_cidr(tcp(Some(443)), "10.0.0.0/8");
    env.allow(&b(), &sgb, SgDir::Ingress, web);
    let instances = vec![
        env.instance(&a(), &sa, &[]),
        env.instance(&b(), &sb, &[&sgb]),
        env.instance(&b(), &sc, &[]),
        "i-0123456789abcdef0".to_owned(),
    ];
    let snap = Snapshot::compile(&env.world, env.now);
    let cells = vpcpeer_reach::matrix_cells(&snap, &instances, Protocol::Tcp, Some(443));
    assert_eq!(cells.len(), 12);
    for c in &cells {
        let q = Query {
            src: Endpoint::Instance(c.src.clone()),
            dst: Endpoint::Instance(c.dst.clone()),
            protocol: Protocol::Tcp,
            port: Some(443),
        };
        match explain(&snap, &q) {
            Ok(v) => {
                assert_eq!(c.reachable, v.reachable, "{c:?}");
                assert_eq!(c.first_blocker, v.blockers.first().map(|b| b.code), "{c:?}");
                assert!(c.error.is_none());
            }
            Err(e) => {
                assert!(!c.reachable && c.first_blocker.is_none(), "{c:?}");
                assert_eq!(c.error.as_ref(), Some(&e));
            }
        }
    }
    let code = |s: usize, d: usize| {
        cells
            .iter()
            .find(|c| c.src == instances[s] && c.dst == instances[d])
            .expect("cell")
    };
    assert!(code(0, 1).reachable);
    assert_eq!(
        code(0, 2).first_blocker,
        Some(vpcpeer_reach::Code::DisconnectedVpcs)
    );
    assert_eq!(
        code(1, 0).first_blocker,
        Some(vpcpeer_reach::Code::EniSgRulesMismatch {
            direction: vpcpeer_reach::Direction::Ingress
        })
    );
    assert!(code(0, 3).error.is_some());
}
