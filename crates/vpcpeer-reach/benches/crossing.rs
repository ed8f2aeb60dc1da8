//! Benchmark of one explained cross-cloud query through an encrypted tunnel in a world of
//! 10,000 networks: [`explain_world`] on a compiled snapshot, the world built beforehand (out of
//! the measured part).
//!
//! The world is built through the real model operations: 9,000 AWS VPCs (as in `explain.rs`:
//! VPC `i` owns 10.(100+i/256).(i%256).0/24 with one subnet, one instance whose group admits
//! tcp/443 from 10.0.0.0/8, and an active peering to VPC `i+1` routed both ways), 500 GCP
//! networks (one subnetwork 172.(16+i/256).(i%256).0/24, one instance, one firewall rule) and 500
//! Azure VNets (one subnet 172.(24+i/256).(i%256).0/24, one NIC), then the three-cloud gateway
//! layout of `tests/common/world3.rs` (an AWS VPC, a GCP network and an Azure VNet, each with a
//! `vpcpeer-gateway` VM and encrypted tunnels to the other two; workloads route the other clouds
//! to their gateway): 10,003 networks.
//!
//! - `crossing/aws_to_gcp_reachable`: the AWS workload → the GCP workload, tcp/443, through the
//!   AWS gateway's tunnel to the GCP gateway (reachable, both legs);
//! - `crossing/aws_to_gcp_unreachable`: the same after the GCP firewall rule admitting the
//!   tunnel (udp/51820) from the AWS gateway's address is replaced by one that admits only the
//!   Azure gateway's (`TUNNEL_OUTER_BLOCKED_BY_SG`).
//!
//! Run: `cargo bench -p vpcpeer-reach --bench crossing -- --warm-up-time 1 --measurement-time 3`.
//!
//! Figures (the shared 2-core machine under a load average of 8–12, the two builds run in turn
//! so they saw the same load; unloaded the earlier code measured 71–98 µs): before the snapshot
//! indexed the other clouds, 233–241 µs reachable and 236–273 µs unreachable — every query
//! parsed each GCP and Azure gateway VM's configuration (`AllClouds::new`), derived each
//! gateway's public key (X25519) twice in `check_pair`, and scanned every GCP route, subnetwork
//! and firewall rule of the world per route or firewall lookup; after (the snapshot's
//! `CloudIndex`, `src/snapshot/clouds.rs`: records by network and address, gateway
//! configurations compiled with their public keys), 37–43 µs reachable and 32–41 µs
//! unreachable, about six times less, within the 50 µs budget even under that load. The same
//! runs of `benches/explain.rs` (same-cloud `explain`) gave 3.3–4.6 µs before and after.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/common/world3.rs"]
mod world3;

use std::hint::black_box;
use std::time::Instant;

use common::azure::{eastus_nic, subnet_id};
use common::gcp as cmd;
use common::{web_vpc, Build};
use criterion::{criterion_group, criterion_main, Criterion};
use vpcpeer_model::azure::ops::{self as az, PutVnet, SubnetSpec as AzSubnetSpec};
use vpcpeer_model::azure::AzTags;
use vpcpeer_model::gcp::{Command, Direction, InstanceSpec, NicSpec};
use vpcpeer_model::testkit::{a, b, TestEnv};
use vpcpeer_model::{Limits, RouteTarget};
use vpcpeer_reach::{explain_world, Protocol, Query, Snapshot};
use world3::{az_run, build_in, gcp_firewall, gcp_run, End, WORKING, ZONE};

const AWS_VPCS: usize = 9_000;
const GCP_NETWORKS: usize = 500;
const AZURE_VNETS: usize = 500;

fn cidr(first: usize, i: usize) -> String {
    format!("{}.{}.0/24", first + (i >> 8), i & 255)
}

/// The bulk of the world: AWS VPCs, GCP networks and Azure VNets outside the layout's ranges.
fn bulk() -> TestEnv {
    let mut env = TestEnv::with_seed(31);
    env.limits = Limits {
        outstanding_peering_requests: None,
        ..Limits::default()
    };
    let scope = |i: usize| if i.is_multiple_of(2) { a() } else { b() };
    let aws = |i: usize| format!("10.{}", cidr(100, i));
    let mut vpcs = Vec::with_capacity(AWS_VPCS);
    let mut mains = Vec::with_capacity(AWS_VPCS);
    for i in 0..AWS_VPCS {
        let s = scope(i);
        let (vpc, subnet, sg) = web_vpc(&mut env, &s, &aws(i), &aws(i));
        env.instance(&s, &subnet, &[&sg]);
        mains.push(env.main_rtb(&vpc));
        vpcs.push(vpc);
    }
    for i in 0..AWS_VPCS {
        let j = (i + 1) % AWS_VPCS;
        let pcx = env.peer(&scope(i), &vpcs[i], &scope(j), &vpcs[j], true);
        let to_j = RouteTarget::Peering(pcx.clone());
        env.route(&scope(i), &mains[i], &aws(j), to_j);
        env.route(&scope(j), &mains[j], &aws(i), RouteTarget::Peering(pcx));
    }
    for i in 0..GCP_NETWORKS {
        let (net, sub) = (format!("n{i}"), format!("s{i}"));
        gcp_run(&mut env, cmd::network(&net));
        let range = format!("172.{}", cidr(16, i));
        gcp_run(&mut env, cmd::subnetwork(&sub, &net, &range));
        gcp_run(
            &mut env,
            Command::InsertInstance {
                zone: ZONE.into(),
                spec: InstanceSpec {
                    name: format!("vm{i}"),
                    machine_type: "e2-small".into(),
                    nics: vec![NicSpec {
                        subnetwork: Some(format!("regions/us-central1/subnetworks/{sub}")),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            },
        );
        let fw = format!("fw{i}");
        let c = cmd::firewall(&fw, &net, Direction::Ingress, "tcp", "443", &["10.0.0.0/8"]);
        gcp_run(&mut env, c);
    }
    az_run(&mut env, |tx| {
        az::put_resource_group(tx, world3::SUB, "bulk", Some("eastus"), AzTags::new())
    });
    let bt = |name: &str| az::Target::new(world3::SUB, "bulk", name);
    for i in 0..AZURE_VNETS {
        let vnet = format!("v{i}");
        let prefix = format!("172.{}", cidr(24, i));
        let req = PutVnet {
            location: Some("eastus".into()),
            prefixes: vec![prefix.as_str().into()],
            subnets: Some(vec![AzSubnetSpec {
                name: "s".into(),
                prefix: Some(prefix.as_str().into()),
                nsg: None,
                route_table: None,
            }]),
            tags: AzTags::new(),
        };
        az_run(&mut env, |tx| az::put_vnet(tx, &bt(&vnet), req));
        let nic = eastus_nic(subnet_id(&bt(&vnet), "s"), None, false, None);
        az_run(&mut env, |tx| az::put_nic(tx, &bt(&format!("nic{i}")), nic));
    }
    env
}

fn benches(c: &mut Criterion) {
    let started = Instant::now();
    let mut w = build_in(bulk(), WORKING);
    let world = &w.env.world;
    eprintln!(
        "generated through model ops in {:.2?}: {} VPCs, {} GCP networks, {} VNets, {} AWS \
         instances, {} GCP instances, {} NICs, {} peerings",
        started.elapsed(),
        world.aws.vpcs().len(),
        world.gcp.networks().len(),
        world.azure.vnets().len(),
        world.aws.instances().len(),
        world.gcp.instances().len(),
        world.azure.nics().len(),
        world.aws.peerings().len(),
    );
    let q = Query {
        src: world3::endpoint(&w, End::Aws),
        dst: world3::endpoint(&w, End::Gcp),
        protocol: Protocol::Tcp,
        port: Some(443),
    };
    let snap = Snapshot::compile(&w.env.world, w.env.now);
    let v = explain_world(&w.env.world, &snap, &q).expect("query");
    assert!(v.reachable, "{v:#?}");
    let mut g = c.benchmark_group("crossing");
    g.bench_function("aws_to_gcp_reachable", |b| {
        b.iter(|| explain_world(black_box(&w.env.world), black_box(&snap), black_box(&q)))
    });

    // The far gateway's firewall stops admitting the tunnel from the AWS gateway.
    let azure_only = format!("{}/32", w.azure_ip);
    gcp_run(
        &mut w.env,
        Command::DeleteFirewall {
            name: "allow-tunnel".into(),
        },
    );
    gcp_firewall(&mut w.env, "allow-tunnel", "udp", "51820", &[azure_only]);
    let snap = Snapshot::compile(&w.env.world, w.env.now);
    let v = explain_world(&w.env.world, &snap, &q).expect("query");
    let codes: Vec<&str> = v.blockers.iter().map(|b| b.code.aws_code()).collect();
    assert_eq!(codes, ["TUNNEL_OUTER_BLOCKED_BY_SG"], "{v:#?}");
    g.bench_function("aws_to_gcp_unreachable", |b| {
        b.iter(|| explain_world(black_box(&w.env.world), black_box(&snap), black_box(&q)))
    });
    g.finish();
}

criterion_group!(crossing_benches, benches);
criterion_main!(crossing_benches);
