//! Benchmark of the pure part of one HA reconcile pass (`vpcpeer controller reconcile --once`
//! without its I/O): `health::assess` then `plan`, over 1,000 encrypted links with HA.
//!
//! **The shape: a chain.** 1,001 AWS VPCs `n0`…`n1000` in one account, alternating between
//! `us-east-1` and `us-west-2` (so every link is inter-region), VPC `i` owning
//! 10.(i/16).((i%16)·16).0/20; each has one gateway `n<i>-gw` (a /28 at the top of its block)
//! with an HA backup `n<i>-gw-hagw` (the /28 below), and VPC `i` is joined to VPC `i+1` by an
//! encrypted link: 1,000 links, 2,002 gateway VMs, each VM in two tunnels (one at each end of
//! the chain), two routes per inner VPC. A chain rather than 1,000 separate pairs: neighbouring
//! spokes peered to each other, each gateway carrying more than one link, as gateways do.
//!
//! **The clouds** are the model of `crates/vpcpeer-controller/tests/common/mod.rs` (shared with
//! the tests through `#[path]`), with the topology applied (the plan carried out in the model,
//! then planned again: empty), so the `Observed` is what the controller reads after an apply:
//! every gateway VM running with the configuration its digest says, every route on the
//! primaries. The HA state is that of a pass over it.
//!
//! - `reconcile/failover_1000_links`: every primary stopped through EC2 at `T0` (the routes to
//!   them blackholes, `gateway_stopped_at` = `T0`), the clock at `T0 + 61` (past the default
//!   detection time, 60 s): assess + plan. Checked once, outside the measured loop: every link
//!   fails over, the plan is exactly the 2,000 route replacements onto the backups, and carried
//!   out in the model it leaves the next pass steady on the backups.
//! - `reconcile/steady_1000_links`: nothing down (assess + plan; checked: no events, empty plan).
//! - `reconcile/failover_assess_only`, `reconcile/failover_plan_only`: the two halves of the
//!   failover pass.
//!
//! Run: `cargo bench -p vpcpeer-controller --bench reconcile -- --warm-up-time 1
//! --measurement-time 3`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use common::Clouds;
use criterion::{criterion_group, criterion_main, Criterion};
use ipnet::Ipv4Net;
use vpcpeer_controller::desired::LinkKind;
use vpcpeer_controller::gateway::GatewaySecret;
use vpcpeer_controller::health::{assess, EventKind, HaState, Pair, Status};
use vpcpeer_controller::observed::{AwsTarget, Detail};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{plan, validate, Action, Desired, Observed};

/// Encrypted links in the chain (networks: one more).
const LINKS: usize = 1_000;
/// When the primaries were stopped, on the clouds' clock (Unix seconds).
const T0: u64 = 1_800_000_000;

/// VPC `i`'s block: the `i`-th /20 of 10.0.0.0/8.
fn block(i: usize) -> Ipv4Net {
    format!("10.{}.{}.0/20", i / 16, (i % 16) * 16)
        .parse()
        .expect("a /20 of 10.0.0.0/8")
}

/// A /28 of VPC `i`'s block, `k` from its top (0: the last one).
fn top28(i: usize, k: u32) -> Ipv4Net {
    let b = block(i);
    let last = u32::from(b.broadcast()) + 1 - 16 * (k + 1);
    Ipv4Net::new(last.into(), 28).expect("a /28")
}

/// The chain of `links` encrypted links with HA (see the module doc).
fn chain(links: usize) -> Desired {
    let mut t = String::from(
        "name: chain\naccounts:\n  prod: { cloud: aws, account_id: '111111111111' }\nnetworks:\n",
    );
    let region = |i: usize| ["us-east-1", "us-west-2"][i % 2];
    for i in 0..=links {
        let _ = writeln!(
            t,
            "  n{i}: {{ account: prod, region: {}, cidrs: [{}] }}",
            region(i),
            block(i)
        );
    }
    t.push_str("gateways:\n");
    for i in 0..=links {
        let _ = writeln!(
            t,
            "  n{i}-gw: {{ network: n{i}, subnet: {}, ha: {{ subnet: {} }} }}",
            top28(i, 0),
            top28(i, 1)
        );
    }
    t.push_str("links:\n");
    for i in 0..links {
        let _ = writeln!(t, "  - {{ between: [n{i}, n{}], type: encrypted }}", i + 1);
    }
    let mut d = validate(&parse(&t).expect("the chain parses")).expect("the chain is valid");
    d.gateway_secret = Some(GatewaySecret::from_bytes([7; 32]));
    d
}

/// The model clouds with `d` applied: one plan carried out, the next plan empty.
fn applied(d: &Desired) -> Clouds {
    let mut clouds = Clouds::default();
    let p = plan(&clouds.observe(d), d);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    clouds.apply(d, &p).expect("the model takes the plan");
    let again = plan(&clouds.observe(d), d);
    assert!(again.is_empty(), "not in sync after the apply:\n{again}");
    clouds
}

/// Stops a gateway VM as EC2 does: the instance stops, routes to it turn blackholes.
fn stop(clouds: &mut Clouds, vm: &str) {
    let g = clouds.state.gateways.get_mut(vm).expect("the VM exists");
    let i = g.instance.as_mut().expect("the VM runs");
    i.running = false;
    let id = i.id.clone();
    for n in clouds.state.networks.values_mut() {
        if let Detail::Aws { route_tables, .. } = &mut n.detail {
            for r in route_tables.iter_mut().flat_map(|t| t.routes.iter_mut()) {
                if r.target == AwsTarget::Other(id.clone()) {
                    r.blackhole = true;
                }
            }
        }
    }
}

fn primaries(d: &Desired) -> Vec<String> {
    d.gateways.values().map(|g| g.name.clone()).collect()
}

/// Each encrypted link's active pair of VMs.
fn active(d: &Desired) -> Vec<[String; 2]> {
    d.links
        .iter()
        .filter_map(|l| match &l.kind {
            LinkKind::Encrypted { active } => Some(active.clone()),
            LinkKind::Native => None,
        })
        .collect()
}

/// Panics unless the failover pass moved every link, and only its routes, to the backups.
fn check_failover(d: &Desired, observed: &Observed, state: &HaState, now: u64) {
    let h = assess(d, observed, state, now);
    assert_eq!(h.links.len(), LINKS);
    for l in &h.links {
        assert_eq!(
            (l.was, l.active, l.status),
            (Pair::Primary, Pair::Backup, Status::Up),
            "{}",
            l.link
        );
    }
    let failovers = h.events.iter().filter(|e| e.kind == EventKind::Failover);
    assert_eq!(failovers.count(), LINKS, "{:?}", h.events.first());
    let p = plan(observed, &h.desired);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    let mut want = BTreeSet::new();
    for l in &h.desired.links {
        let LinkKind::Encrypted { active } = &l.kind else {
            unreachable!("every link is encrypted")
        };
        for (i, side) in l.sides.iter().enumerate() {
            assert!(active[i].ends_with("-hagw"), "{}: {active:?}", l.name);
            for c in d.networks[l.peer_of(side)].declared_cidrs() {
                want.insert((side.clone(), *c, active[i].clone()));
            }
        }
    }
    let got: BTreeSet<(String, Ipv4Net, String)> = p
        .steps
        .iter()
        .map(|s| match &s.action {
            Action::ReplaceGatewayRoute(r) => (r.network.clone(), r.destination, r.gateway.clone()),
            other => panic!("a step other than a route move: {other}"),
        })
        .collect();
    assert_eq!(p.steps.len(), 2 * LINKS);
    assert_eq!(got, want);
}

/// Panics unless a pass over `observed` is steady on `pair` (no event, nothing to do).
fn check_steady(d: &Desired, observed: &Observed, state: &HaState, now: u64, pair: Pair) {
    let h = assess(d, observed, state, now);
    assert!(h.events.is_empty(), "{:?}", h.events.first());
    assert!(h
        .links
        .iter()
        .all(|l| l.status == Status::Up && l.was == pair && l.active == pair));
    let p = plan(observed, &h.desired);
    assert!(p.is_empty(), "{p}");
}

fn bench(c: &mut Criterion) {
    let start = Instant::now();
    let d = chain(LINKS);
    let mut clouds = applied(&d);
    eprintln!(
        "{LINKS} encrypted links, {} networks, {} gateway VMs: applied in the model in {:.1?}",
        d.networks.len(),
        clouds.state.gateways.len(),
        start.elapsed()
    );
    let steady = clouds.observe(&d);
    // The state of the pass before: everything up since an hour before the stop.
    let state = assess(&d, &steady, &HaState::default(), T0 - 3_600).state;
    check_steady(&d, &steady, &state, T0, Pair::Primary);

    for vm in primaries(&d) {
        stop(&mut clouds, &vm);
    }
    let mut down = clouds.observe(&d);
    for vm in primaries(&d) {
        down.gateway_stopped_at.insert(vm, T0);
    }
    let now = T0 + 61;
    check_failover(&d, &down, &state, now);
    // Carried out, the plan leaves the clouds steady on the backups.
    let h = assess(&d, &down, &state, now);
    clouds
        .apply(&d, &plan(&down, &h.desired))
        .expect("the model takes the route moves");
    let mut after = clouds.observe(&d);
    after.gateway_stopped_at = down.gateway_stopped_at.clone();
    check_steady(&d, &after, &h.state, now + 10, Pair::Backup);
    assert!(active(&assess(&d, &after, &h.state, now + 10).desired)
        .iter()
        .all(|a| a.iter().all(|vm| vm.ends_with("-hagw"))));

    let mut g = c.benchmark_group("reconcile");
    g.sample_size(10);
    g.bench_function("failover_1000_links", |b| {
        b.iter(|| {
            let h = assess(black_box(&d), black_box(&down), black_box(&state), now);
            plan(black_box(&down), &h.desired)
        })
    });
    g.bench_function("steady_1000_links", |b| {
        b.iter(|| {
            let h = assess(black_box(&d), black_box(&steady), black_box(&state), T0);
            plan(black_box(&steady), &h.desired)
        })
    });
    g.bench_function("failover_assess_only", |b| {
        b.iter(|| assess(black_box(&d), black_box(&down), black_box(&state), now))
    });
    let failed_over = assess(&d, &down, &state, now).desired;
    g.bench_function("failover_plan_only", |b| {
        b.iter(|| plan(black_box(&down), black_box(&failed_over)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
