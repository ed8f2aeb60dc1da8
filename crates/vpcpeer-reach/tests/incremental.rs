//! [`Snapshot::apply_route_table`] against a full compile: after each change to one table's
//! routes (create, replace, delete a route; delete a table), the incrementally maintained
//! snapshot has the same route tables as `Snapshot::compile` of the changed world and gives the
//! same `explain` answers for every pair of instances, on several protocols and ports.

mod common;

use common::{web_vpc, Build};
use ipnet::IpNet;
use vpcpeer_model::testkit::{a, b, dest, route, TestEnv};
use vpcpeer_model::{RouteTarget, Scope};
use vpcpeer_reach::snapshot::RouteEntry;
use vpcpeer_reach::{explain, Endpoint, Protocol, Query, Snapshot};

/// Three VPCs (A, B, A) in a line of active peerings 0–1 and 1–2, one subnet and one instance
/// each admitting tcp/443 from 10.0.0.0/8, routes both ways on both peerings.
struct Fx {
    env: TestEnv,
    scopes: [Scope; 3],
    rtbs: Vec<String>,
    pcx: [String; 2],
    instances: Vec<String>,
}

fn cidr(i: usize) -> String {
    format!("10.{i}.0.0/16")
}

fn fixture() -> Fx {
    let mut env = TestEnv::with_seed(3);
    let scopes = [a(), b(), a()];
    let mut vpcs = Vec::new();
    let mut instances = Vec::new();
    for (i, s) in scopes.iter().enumerate() {
        let (vpc, subnet, sg) = web_vpc(&mut env, s, &cidr(i), &format!("10.{i}.1.0/24"));
        instances.push(env.instance(s, &subnet, &[&sg]));
        vpcs.push(vpc);
    }
    let rtbs: Vec<String> = vpcs.iter().map(|v| env.main_rtb(v)).collect();
    let p01 = env.peer(&scopes[0], &vpcs[0], &scopes[1], &vpcs[1], true);
    let p12 = env.peer(&scopes[1], &vpcs[1], &scopes[2], &vpcs[2], true);
    for (x, y, p) in [(0, 1, &p01), (1, 0, &p01), (1, 2, &p12), (2, 1, &p12)] {
        env.route(
            &scopes[x],
            &rtbs[x],
            &cidr(y),
            RouteTarget::Peering(p.clone()),
        );
    }
    Fx {
        env,
        scopes,
        rtbs,
        pcx: [p01, p12],
        instances,
    }
}

/// A table as compared: id, VPC, routes.
type Table = (String, String, Vec<(IpNet, RouteEntry)>);

/// Every table's routes, in a canonical order.
fn tables(s: &Snapshot) -> Vec<Table> {
    let mut out: Vec<_> = s
        .tables
        .values()
        .map(|t| {
            let mut routes: Vec<(IpNet, RouteEntry)> =
                t.lpm.routes().map(|(n, e)| (n, e.clone())).collect();
            routes.sort_by_key(|(n, _)| *n);
            (t.id.clone(), t.vpc_id.clone(), routes)
        })
        .collect();
    out.sort_by(|x, y| x.0.cmp(&y.0));
    out
}

/// Asserts that `inc` answers like a fresh compile of `env`'s world.
fn assert_same(env: &TestEnv, inc: &Snapshot, instances: &[String], step: &str) {
    let full = Snapshot::compile(&env.world, env.now);
    assert_eq!(tables(inc), tables(&full), "tables after {step}");
    let mut reachable = 0;
    for src in instances {
        for dst in instances {
            for (protocol, port) in [
                (Protocol::Tcp, Some(443)),
                (Protocol::Tcp, Some(80)),
                (Protocol::Icmp, None),
            ] {
                let q = Query {
                    src: Endpoint::Instance(src.clone()),
                    dst: Endpoint::Instance(dst.clone()),
                    protocol,
                    port,
                };
                let want = explain(&full, &q);
                assert_eq!(explain(inc, &q), want, "{q:?} after {step}");
                reachable += usize::from(want.is_ok_and(|v| v.reachable));
            }
        }
    }
    assert!(
        reachable > 0,
        "no reachable pair after {step}: a vacuous check"
    );
}

#[test]
fn apply_route_table_matches_compile_after_each_route_change() {
    let mut f = fixture();
    let mut inc = Snapshot::compile(&f.env.world, f.env.now);
    assert_same(&f.env, &inc, &f.instances, "compile");
    let [s0, s1, s2] = f.scopes.clone();
    let [p01, p12] = f.pcx.clone();
    let (r0, r1, r2) = (f.rtbs[0].clone(), f.rtbs[1].clone(), f.rtbs[2].clone());

    // Transitive route 0 → 2 over the 0–1 peering (not carried: peering is not transitive).
    f.env
        .route(&s0, &r0, &cidr(2), RouteTarget::Peering(p01.clone()));
    inc.apply_route_table(&f.env.world, &r0);
    assert_same(&f.env, &inc, &f.instances, "create route 0→2");

    // The return route of 1 → 0 removed: 0 and 1 can no longer talk.
    f.env
        .run(&s1, |tx| tx.delete_route(&r1, dest(&cidr(0))))
        .expect("delete route");
    inc.apply_route_table(&f.env.world, &r1);
    assert_same(&f.env, &inc, &f.instances, "delete route 1→0");

    // …and put back, as a more specific route.
    f.env
        .route(&s1, &r1, "10.0.1.0/24", RouteTarget::Peering(p01.clone()));
    inc.apply_route_table(&f.env.world, &r1);
    assert_same(&f.env, &inc, &f.instances, "create route 1→0 /24");

    // 2's route to 1 replaced by one over the wrong peering.
    f.env
        .run(&s2, |tx| {
            tx.replace_route(route(&r2, &cidr(1), RouteTarget::Peering(p12.clone())))
        })
        .expect("replace route");
    inc.apply_route_table(&f.env.world, &r2);
    assert_same(&f.env, &inc, &f.instances, "replace route 2→1");

    // A table created and compiled in, then deleted.
    let vpc2 = f.env.world.aws.route_tables()[&r2].vpc_id.clone();
    let extra = f
        .env
        .run(&s2, |tx| {
            tx.create_route_table(&vpc2, vpcpeer_model::Tags::new())
        })
        .expect("route table");
    f.env
        .route(&s2, &extra, &cidr(1), RouteTarget::Peering(p12.clone()));
    inc.apply_route_table(&f.env.world, &extra);
    assert_same(&f.env, &inc, &f.instances, "create table");
    f.env
        .run(&s2, |tx| tx.delete_route_table(&extra))
        .expect("delete route table");
    inc.apply_route_table(&f.env.world, &extra);
    assert!(!inc.tables.contains_key(&extra));
    assert_same(&f.env, &inc, &f.instances, "delete table");
}
