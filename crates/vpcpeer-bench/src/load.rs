//! `load`: fills a server with VPCs (distinct /24s of 10.0.0.0/8) and then with active peerings
//! between them (create + accept), from concurrent clients, and reports how long each phase took.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use serde_json::json;

use crate::http::Endpoint;
use crate::scan::first_tag;
use crate::stats::{round3, show_first_failure, Latency, Recorder};
use crate::workload::{Client, ACCEPT_PCX, ACTIONS, CREATE_PCX, CREATE_VPC};
use crate::{connect_all, print_cpu, LoadArgs};

/// The /24 of VPC number `j` (< 65,536).
pub fn vpc_cidr(j: usize) -> String {
    format!("10.{}.{}.0/24", (j >> 8) & 255, j & 255)
}

/// The two VPCs (indexes into `n`) that peering number `j` joins: first (0,1), (2,3), …; once
/// every VPC has one, (0,3), (2,5), … and so on, so no pair repeats while rounds remain below n/2.
pub fn peering_pair(j: usize, n: usize) -> (usize, usize) {
    let round = (2 * j) / n;
    let a = (2 * j) % n;
    (a, (a + 1 + 2 * round) % n)
}

/// What one phase measured.
struct Phase {
    name: &'static str,
    done: usize,
    errors: u64,
    seconds: f64,
    latency: Latency,
}

pub(crate) async fn run(a: LoadArgs) -> anyhow::Result<()> {
    let c = &a.common;
    if a.vpcs > 65_536 {
        bail!("--vpcs must be at most 65536 (distinct /24s of 10.0.0.0/8)");
    }
    if a.peerings > 0 && a.vpcs < 2 {
        bail!("peerings need at least two VPCs");
    }
    let endpoint = Endpoint::parse(&c.endpoint)?;
    let conns = connect_all(&endpoint, c.clients).await?;
    let per_client = a.vpcs.max(a.peerings) / c.clients + 1;
    let mut clients: Vec<Client> = conns
        .into_iter()
        .map(|conn| Client::new(conn, per_client))
        .collect();
    let cpu_mark = c.cpu_mark();
    let start = Instant::now();

    // Phase 1: VPCs.
    let t = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(clients.len());
    for mut client in clients.drain(..) {
        let next = next.clone();
        let total = a.vpcs;
        tasks.push(tokio::spawn(async move {
            let mut made: Vec<(usize, String)> = Vec::with_capacity(per_client);
            let result: anyhow::Result<()> = async {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= total {
                        return Ok(());
                    }
                    client
                        .form
                        .start("CreateVpc")
                        .param("CidrBlock", &vpc_cidr(j));
                    if let Some(body) = client.send(CREATE_VPC).await? {
                        match first_tag(&body, "vpcId") {
                            Some(id) => made.push((j, id.to_owned())),
                            None => {
                                client.rec.mismatches += 1;
                                show_first_failure(|| {
                                    format!(
                                        "CreateVpc: no <vpcId> in:\n{}",
                                        String::from_utf8_lossy(&body)
                                    )
                                });
                            }
                        }
                    }
                }
            }
            .await;
            (client, made, result)
        }));
    }
    let mut vpcs: Vec<Option<String>> = vec![None; a.vpcs];
    let mut rec = Recorder::new(ACTIONS.len(), 0);
    for task in tasks {
        let (client, made, result) = task.await.context("a client task panicked")?;
        result?;
        for (j, id) in made {
            vpcs[j] = Some(id);
        }
        clients.push(client);
    }
    let vpc_ids: Arc<Vec<String>> = Arc::new(vpcs.into_iter().flatten().collect());
    let vpc_secs = t.elapsed().as_secs_f64();
    for client in &mut clients {
        rec.merge(std::mem::replace(
            &mut client.rec,
            Recorder::new(ACTIONS.len(), per_client),
        ));
    }
    let vpc_phase = Phase {
        name: "CreateVpc",
        done: vpc_ids.len(),
        errors: rec.errors + rec.mismatches,
        seconds: vpc_secs,
        latency: Latency::of(&mut rec.lat[CREATE_VPC]),
    };

    // Phase 2: peerings, each created and then accepted by the same client.
    let t = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let active = Arc::new(AtomicUsize::new(0));
    let peerings = if vpc_ids.len() < 2 { 0 } else { a.peerings };
    let mut tasks = Vec::with_capacity(clients.len());
    for mut client in clients.drain(..) {
        let (next, active, ids) = (next.clone(), active.clone(), vpc_ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut pcx = String::new();
            let result: anyhow::Result<()> = async {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= peerings {
                        return Ok(());
                    }
                    let (x, y) = peering_pair(j, ids.len());
                    if x == y {
                        client.rec.skipped += 1;
                        continue;
                    }
                    client
                        .form
                        .start("CreateVpcPeeringConnection")
                        .param("VpcId", &ids[x])
                        .param("PeerVpcId", &ids[y]);
                    let Some(body) = client.send(CREATE_PCX).await? else {
                        continue;
                    };
                    let Some(id) = first_tag(&body, "vpcPeeringConnectionId") else {
                        client.rec.mismatches += 1;
                        continue;
                    };
                    pcx.clear();
                    pcx.push_str(id);
                    client
                        .form
                        .start("AcceptVpcPeeringConnection")
                        .param("VpcPeeringConnectionId", &pcx);
                    if client.send(ACCEPT_PCX).await?.is_some() {
                        active.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            .await;
            (client, result)
        }));
    }
    let mut rec = Recorder::new(ACTIONS.len(), 0);
    for task in tasks {
        let (client, result) = task.await.context("a client task panicked")?;
        result?;
        rec.merge(client.rec);
    }
    let pcx_secs = t.elapsed().as_secs_f64();
    let mut both: Vec<u64> = [&rec.lat[CREATE_PCX][..], &rec.lat[ACCEPT_PCX][..]].concat();
    let pcx_phase = Phase {
        name: "CreateVpcPeeringConnection+Accept",
        done: active.load(Ordering::Relaxed),
        errors: rec.errors + rec.mismatches + rec.skipped,
        seconds: pcx_secs,
        latency: Latency::of(&mut both),
    };
    let elapsed = start.elapsed();
    let (cpu, server_cpu) = c.cpu_since(cpu_mark);

    let phases = [vpc_phase, pcx_phase];
    let ph: Vec<_> = phases
        .iter()
        .map(|p| {
            json!({
                "phase": p.name,
                "done": p.done,
                "errors": p.errors,
                "seconds": round3(p.seconds),
                "requests": p.latency.count,
                "requests_per_s": round3(p.latency.count as f64 / p.seconds.max(1e-9)),
                "p50_ms": round3(p.latency.p50_ms),
                "p99_ms": round3(p.latency.p99_ms),
                "max_ms": round3(p.latency.max_ms),
            })
        })
        .collect();
    let v = json!({
        "command": "load",
        "label": c.label,
        "endpoint": c.endpoint,
        "clients": c.clients,
        "vpcs": phases[0].done,
        "active_peerings": phases[1].done,
        "seconds": round3(elapsed.as_secs_f64()),
        "client_cpu_s": cpu.map(|d| round3(d.as_secs_f64())),
        "server_cpu_s": server_cpu.map(|d| round3(d.as_secs_f64())),
        "phases": ph,
    });
    c.report(&v, |label| {
        println!(
            "{label}load against {}: {} VPCs, {} active peerings in {:.2} s ({} clients)",
            c.endpoint,
            phases[0].done,
            phases[1].done,
            elapsed.as_secs_f64(),
            c.clients
        );
        println!(
            "  {:<34} {:>7} {:>7} {:>9} {:>10} {:>9} {:>9} {:>9}",
            "phase", "done", "errors", "seconds", "req/s", "p50 ms", "p99 ms", "max ms"
        );
        for p in &phases {
            println!(
                "  {:<34} {:>7} {:>7} {:>9.3} {:>10.1} {:>9.3} {:>9.3} {:>9.3}",
                p.name,
                p.done,
                p.errors,
                p.seconds,
                p.latency.count as f64 / p.seconds.max(1e-9),
                p.latency.p50_ms,
                p.latency.p99_ms,
                p.latency.max_ms
            );
        }
        print_cpu(cpu, server_cpu, elapsed);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpc_cidrs_are_distinct_24s() {
        assert_eq!(vpc_cidr(0), "10.0.0.0/24");
        assert_eq!(vpc_cidr(257), "10.1.1.0/24");
        assert_eq!(vpc_cidr(65_535), "10.255.255.0/24");
    }

    #[test]
    fn peering_pairs_do_not_repeat() {
        let n = 100;
        let mut seen = std::collections::HashSet::new();
        let mut per_vpc = vec![0; n];
        for j in 0..150 {
            let (a, b) = peering_pair(j, n);
            assert_ne!(a, b);
            assert!(seen.insert((a.min(b), a.max(b))), "pair {j} repeats");
            per_vpc[a] += 1;
            per_vpc[b] += 1;
        }
        assert_eq!(peering_pair(0, n), (0, 1));
        assert_eq!(peering_pair(49, n), (98, 99));
        assert_eq!(peering_pair(50, n), (0, 3));
        assert!(per_vpc.iter().all(|&k| (2..=4).contains(&k)));
        // The memory target's shape: 10,000 VPCs, 5,000 peerings, one peering each.
        let mut once = vec![0u8; 10_000];
        for j in 0..5_000 {
            let (a, b) = peering_pair(j, 10_000);
            once[a] += 1;
            once[b] += 1;
        }
        assert!(once.iter().all(|&k| k == 1));
    }
}
