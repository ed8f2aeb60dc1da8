//! Benchmarks of the reachability engine on a generated topology of 10,000 VPCs and 20,000
//! active peerings, against the naive baselines.
//!
//! The world is built through the real model operations of [`TestEnv`] (the fixture helpers of
//! `tests/common`), alternating accounts A and B: VPC `i` owns 10.(i/256).(i%256).0/24 with one
//! subnet (the whole block) and one instance whose security group admits tcp/443 from
//! 10.0.0.0/8. VPC `i` requests peerings to VPCs `i+1` and `i+97` (mod 10,000), accepted at once,
//! so every VPC has four active peerings; each main route table routes the peer's block over the
//! peering — except that VPC 1 has no route back to VPC 0 (the unreachable query).
//!
//! - `explain`: one cross-VPC tcp/443 query over an active peering, reachable (5,000 → 5,001)
//!   and unreachable (0 → 1, no return route), on the compiled snapshot; `naive` compiles the
//!   snapshot afresh for each query (what answering without a maintained snapshot costs);
//! - `compile`: the full rebuild of the snapshot;
//! - `matrix`: the all-pairs tcp/443 matrix of the first 1,000 instances (999,000 pairs) by
//!   [`matrix`], against `explain_each` (the naive baseline: [`explain`] on every pair);
//! - `audit`: every network-wide check of [`audit`] over the whole world (it finds exactly the
//!   missing return route of VPC 1);
//! - `route_change`: after one route is added to VPC 1's main table, bringing the snapshot up to
//!   date with [`Snapshot::apply_route_table`] (`incremental`) against a full compile (`full`);
//! - `catch_up`: [`Snapshot::apply_changes`] with the keys of one committed change set, as the
//!   server applies them before a query: a route added (`route`), a security group rule
//!   authorized (`sg_rule`), a new peering request accepted (`peering_accept`); compare with
//!   `compile/full`.
//!
//! Run: `cargo bench -p vpcpeer-reach --bench explain -- --warm-up-time 1 --measurement-time 3`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use common::{from_cidr, tcp, try_commit, web_vpc, Build};
use criterion::{criterion_group, criterion_main, Criterion};
use vpcpeer_model::aws::peering::CreatePeering;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::aws::security_group::GroupSelector;
use vpcpeer_model::testkit::{a, b, route, TestEnv};
use vpcpeer_model::{DomainError, Limits, RecordKey, RouteTarget, Scope, Tags, Tx};
use vpcpeer_reach::{audit, explain, matrix, Check, Endpoint, Protocol, Query, Snapshot};

const VPCS: usize = 10_000;
/// VPC `i` requests a peering to each `i + k` (mod [`VPCS`]).
const PEER_STRIDES: [usize; 2] = [1, 97];
/// Instances in the all-pairs matrix.
const MATRIX: usize = 1_000;

/// The generated world and the handles the benchmarks need.
struct Topology {
    env: TestEnv,
    instances: Vec<String>,
    main_rtbs: Vec<String>,
    /// `pcx` of the peering VPC 0 requested to VPC 1.
    pcx01: String,
}

fn cidr(i: usize) -> String {
    format!("10.{}.{}.0/24", i >> 8, i & 255)
}

fn generate() -> Topology {
    let mut env = TestEnv::with_seed(11);
    env.limits = Limits {
        outstanding_peering_requests: None,
        ..Limits::default()
    };
    let scope = |i: usize| if i.is_multiple_of(2) { a() } else { b() };
    let mut vpcs = Vec::with_capacity(VPCS);
    let mut instances = Vec::with_capacity(VPCS);
    for i in 0..VPCS {
        let s = scope(i);
        let (vpc, subnet, sg) = web_vpc(&mut env, &s, &cidr(i), &cidr(i));
        instances.push(env.instance(&s, &subnet, &[&sg]));
        vpcs.push(vpc);
    }
    let main_of: HashMap<&str, &str> = env
        .world
        .aws
        .route_tables()
        .values()
        .filter(|t| t.is_main())
        .map(|t| (t.vpc_id.as_str(), t.id.as_str()))
        .collect();
    let main_rtbs: Vec<String> = vpcs
        .iter()
        .map(|v| main_of[v.as_str()].to_owned())
        .collect();
    let mut pcx01 = String::new();
    for i in 0..VPCS {
        for k in PEER_STRIDES {
            let j = (i + k) % VPCS;
            let pcx = env.peer(&scope(i), &vpcs[i], &scope(j), &vpcs[j], true);
            env.route(
                &scope(i),
                &main_rtbs[i],
                &cidr(j),
                RouteTarget::Peering(pcx.clone()),
            );
            if (i, j) == (0, 1) {
                pcx01 = pcx;
            } else {
                env.route(
                    &scope(j),
                    &main_rtbs[j],
                    &cidr(i),
                    RouteTarget::Peering(pcx.clone()),
                );
            }
        }
    }
    Topology {
        env,
        instances,
        main_rtbs,
        pcx01,
    }
}

/// Runs `f` as `scope` and commits; the keys of the change set.
fn commit<T>(
    env: &mut TestEnv,
    scope: &Scope,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, DomainError>,
) -> (T, Vec<RecordKey>) {
    try_commit(env, scope, f).expect("operation")
}

fn query(t: &Topology, src: usize, dst: usize) -> Query {
    Query {
        src: Endpoint::Instance(t.instances[src].clone()),
        dst: Endpoint::Instance(t.instances[dst].clone()),
        protocol: Protocol::Tcp,
        port: Some(443),
    }
}

fn benches(c: &mut Criterion) {
    let started = Instant::now();
    let mut t = generate();
    let w = &t.env.world;
    eprintln!(
        "generated through model ops in {:.2?}: {} VPCs, {} subnets, {} instances, {} peerings, \
         {} route tables",
        started.elapsed(),
        w.aws.vpcs().len(),
        w.aws.subnets().len(),
        w.aws.instances().len(),
        w.aws.peerings().len(),
        w.aws.route_tables().len()
    );
    let now = t.env.now;
    let snap = Snapshot::compile(&t.env.world, now);

    let ok = query(&t, 5_000, 5_001);
    let blocked = query(&t, 0, 1);
    assert!(explain(&snap, &ok).expect("query").reachable);
    assert!(!explain(&snap, &blocked).expect("query").reachable);

    let mut g = c.benchmark_group("explain");
    g.bench_function("reachable", |b| {
        b.iter(|| explain(black_box(&snap), black_box(&ok)))
    });
    g.bench_function("unreachable", |b| {
        b.iter(|| explain(black_box(&snap), black_box(&blocked)))
    });
    g.sample_size(10);
    g.bench_function("naive_reachable", |b| {
        b.iter(|| explain(&Snapshot::compile(black_box(&t.env.world), now), &ok))
    });
    g.finish();

    let mut g = c.benchmark_group("compile");
    g.sample_size(10);
    g.bench_function("full", |b| {
        b.iter(|| Snapshot::compile(black_box(&t.env.world), now))
    });
    g.finish();

    // All pairs of the first 1,000 instances (999,000 queries), once per pair.
    let first = &t.instances[..MATRIX];
    let m = matrix(&snap, first, Protocol::Tcp, Some(443));
    let reachable = m.iter().filter(|(_, _, ok)| *ok).count();
    eprintln!(
        "matrix of {MATRIX} instances: {} pairs, {reachable} reachable",
        m.len()
    );
    let mut g = c.benchmark_group("matrix");
    g.sample_size(10);
    g.bench_function("tcp443_1000", |b| {
        b.iter(|| matrix(black_box(&snap), black_box(first), Protocol::Tcp, Some(443)))
    });
    g.bench_function("explain_each_1000", |b| {
        b.iter(|| {
            let mut reachable = 0usize;
            for src in first {
                for dst in first.iter().filter(|d| *d != src) {
                    let q = Query {
                        src: Endpoint::Instance(src.clone()),
                        dst: Endpoint::Instance(dst.clone()),
                        protocol: Protocol::Tcp,
                        port: Some(443),
                    };
                    let ok = explain(black_box(&snap), &q).is_ok_and(|v| v.reachable);
                    reachable += usize::from(ok);
                }
            }
            reachable
        })
    });
    g.finish();

    // The network-wide audit: exactly one finding, VPC 1's missing route back to VPC 0.
    let found = audit(&t.env.world, now, &t.env.limits);
    assert_eq!(
        found.iter().map(|f| f.check).collect::<Vec<_>>(),
        vec![Check::MissingReturnRoute],
        "{found:#?}"
    );
    let mut g = c.benchmark_group("audit");
    g.sample_size(10);
    g.bench_function("all_checks", |b| {
        b.iter(|| audit(black_box(&t.env.world), now, &t.env.limits))
    });
    g.finish();

    // One route change: VPC 1 gets its route back to VPC 0.
    let (s1, rtb1) = (b(), t.main_rtbs[1].clone());
    let pcx = t.pcx01.clone();
    t.env.route(&s1, &rtb1, &cidr(0), RouteTarget::Peering(pcx));
    let mut inc = snap.clone();
    inc.apply_route_table(&t.env.world, &rtb1);
    assert!(explain(&inc, &blocked).expect("query").reachable);
    let mut g = c.benchmark_group("route_change");
    g.bench_function("incremental", |b| {
        b.iter(|| inc.apply_route_table(black_box(&t.env.world), black_box(&rtb1)))
    });
    g.sample_size(10);
    g.bench_function("full", |b| {
        b.iter(|| Snapshot::compile(black_box(&t.env.world), now))
    });
    g.finish();

    // Catching the snapshot up after one change set (applying the same keys again redoes the
    // same work, so each iteration measures one catch-up).
    let mut g = c.benchmark_group("catch_up");
    let mut kept = inc;
    let pcx01 = t.pcx01.clone();
    let ((), route_keys) = commit(&mut t.env, &s1, |tx| {
        tx.create_route(route(&rtb1, "10.0.0.0/26", RouteTarget::Peering(pcx01)))
    });
    kept.apply_changes(&t.env.world, now, &route_keys);
    assert!(kept == Snapshot::compile(&t.env.world, now));
    g.bench_function("route", |b| {
        b.iter(|| kept.apply_changes(black_box(&t.env.world), now, black_box(&route_keys)))
    });
    let vpc3 = t.env.world.aws.instances()[&t.instances[3]].vpc_id.clone();
    let sg3 = t.env.sg_named(&vpc3, "web");
    let (_, sg_keys) = commit(&mut t.env, &b(), |tx| {
        tx.authorize_rules(
            SgDir::Ingress,
            &GroupSelector::Id(sg3.clone()),
            &[from_cidr(tcp(Some(22)), "10.0.0.0/8")],
        )
    });
    kept.apply_changes(&t.env.world, now, &sg_keys);
    assert!(kept == Snapshot::compile(&t.env.world, now));
    g.bench_function("sg_rule", |b| {
        b.iter(|| kept.apply_changes(black_box(&t.env.world), now, black_box(&sg_keys)))
    });
    let (v2, v5000) = (
        t.env.world.aws.instances()[&t.instances[2]].vpc_id.clone(),
        t.env.world.aws.instances()[&t.instances[5_000]]
            .vpc_id
            .clone(),
    );
    let (reply, req_keys) = commit(&mut t.env, &a(), |tx| {
        tx.create_peering(CreatePeering {
            vpc_id: v2.clone(),
            peer_vpc_id: v5000.clone(),
            peer_owner_id: Some(a().account),
            peer_region: Some(a().region),
            tags: Tags::new(),
        })
    });
    kept.apply_changes(&t.env.world, now, &req_keys);
    let pcx = reply.connection.id;
    let (_, accept_keys) = commit(&mut t.env, &a(), |tx| tx.accept_peering(&pcx));
    kept.apply_changes(&t.env.world, now, &accept_keys);
    assert!(kept == Snapshot::compile(&t.env.world, now));
    assert!(kept.peerings[&pcx].is_active());
    g.bench_function("peering_accept", |b| {
        b.iter(|| kept.apply_changes(black_box(&t.env.world), now, black_box(&accept_keys)))
    });
    g.finish();
}

criterion_group!(explain_benches, benches);
criterion_main!(explain_benches);
