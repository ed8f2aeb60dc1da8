//! CPU cost of the SQLite store's group commit, without the server around it: the CreateTags
//! benchmark's write (one VPC's tag overwritten by each of a group of requests, so each commit
//! writes that one record) committed `COMMITS` times, groups of `GROUP` change sets.
//!
//! Prints the CPU time (every thread of the process: the writer and the checkpoint helper) per
//! commit and per change set, read from `/proc/self/task/*/schedstat`. Build it in release
//! (`cargo run --release -p vpcpeer-store-sqlite --example commit_cost -- [COMMITS] [GROUP]`)
//! and compare builds run one after the other on the same machine.

use vpcpeer_model::{Ctx, Limits, Scope, SeededIds, Timestamp, Tx, World};
use vpcpeer_store::Store;
use vpcpeer_store_sqlite::{Durability, SqliteStore};

/// CPU time of every thread of this process, in nanoseconds.
fn cpu_ns() -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task") {
        let path = task.expect("task").path().join("schedstat");
        if let Ok(text) = std::fs::read_to_string(path) {
            total += text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

/// Commits timed together (their change sets are made before).
const CHUNK: usize = 1_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let commits: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let group: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(8);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path(), Durability::Normal).expect("open");
    let mut world = vpcpeer_store::conformance::world_with_vpcs(50);
    store
        .commit(&[&vpcpeer_store::conformance::upserts(&world)])
        .expect("seed");
    let vpc = world.aws.vpcs().keys().nth(25).expect("a vpc").clone();
    let mut ids = SeededIds::new(3);
    let limits = Limits::default();
    let mut tag = |world: &mut World, i: usize| {
        let mut tx = Tx::new(
            world,
            Ctx {
                scope: Scope::new("111111111111", "us-east-1"),
                now: Timestamp(1_700_000_000_000),
                ids: &mut ids,
                limits: &limits,
            },
        );
        let tags = [("bench".to_owned(), format!("v{}", i % 7))].into();
        tx.set_tags(std::slice::from_ref(&vpc), tags).expect("tag");
        tx.commit()
    };
    // Warm up (statement cache, WAL file, first checkpoints).
    for i in 0..1_000 {
        let sets: Vec<_> = (0..group).map(|j| tag(&mut world, i + j)).collect();
        store
            .commit(&sets.iter().collect::<Vec<_>>())
            .expect("commit");
    }
    // The change sets are made ahead of each chunk of commits, so that only the commits count.
    let mut ns = 0u64;
    for chunk in 0..commits.div_ceil(CHUNK) {
        let n = CHUNK.min(commits - chunk * CHUNK);
        let groups: Vec<Vec<_>> = (0..n)
            .map(|i| (0..group).map(|j| tag(&mut world, i + j)).collect())
            .collect();
        let start = cpu_ns();
        for sets in &groups {
            store
                .commit(&sets.iter().collect::<Vec<_>>())
                .expect("commit");
        }
        ns += cpu_ns() - start;
    }
    let ns = ns as f64;
    println!(
        "commits={commits} group={group} cpu_us_per_commit={:.2} cpu_us_per_change={:.2}",
        ns / commits as f64 / 1e3,
        ns / (commits * group) as f64 / 1e3
    );
}
