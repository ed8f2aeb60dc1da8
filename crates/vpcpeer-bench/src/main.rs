//! `vpcpeer-bench`: a load generator for EC2 Query API servers (vpcpeer, moto, …).
//!
//! `workload` runs a realistic VPC peering workload from N concurrent clients, each on its own
//! keep-alive HTTP/1.1 connection, and prints requests/s and latency percentiles. `load` fills a
//! server with many VPCs and active peerings, for memory measurements. Both send requests signed
//! with a dummy SigV4 header for account `111111111111` in `us-east-1`; no signature is computed.
//! `workload --workload azure` speaks Azure Resource Manager instead (see `azure.rs`).
//!
//! The generator is built to stay out of the way: one thread by default, one reused form buffer
//! per client, latencies into pre-allocated vectors, percentiles computed after the run.

mod azure;
mod cidrs;
mod http;
mod load;
mod scan;
mod stats;
mod workload;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Map, Value};

use crate::cidrs::cidrs;
use crate::http::{Conn, Endpoint};
use crate::stats::{pid_cpu, process_cpu, round3, Latency, Recorder};
use crate::workload::{Client, Kind, ACTIONS};

#[derive(Parser)]
#[command(
    name = "vpcpeer-bench",
    version,
    about = "Load generator for EC2 Query API servers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the peering workload from concurrent clients and print throughput and latency.
    Workload(WorkloadArgs),
    /// Fill a server with VPCs and active peerings and print how long it took.
    Load(LoadArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    /// A table for people.
    Text,
    /// One JSON object on one line.
    Json,
}

#[derive(clap::Args)]
struct Common {
    /// The server, as http://HOST:PORT.
    #[arg(long)]
    endpoint: String,
    /// Concurrent clients, each with its own connection.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Threads of the generator's own runtime (1 = a single-threaded runtime).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// How to print the results.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    /// A name for this run, echoed in the output.
    #[arg(long)]
    label: Option<String>,
    /// The server's process id, to report the CPU time it used during the measured run.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Also write the JSON result to this file (whatever --output says).
    #[arg(long, value_name = "FILE")]
    json_out: Option<std::path::PathBuf>,
}

/// CPU time of this process and of the server, each if known.
type CpuTimes = (Option<Duration>, Option<Duration>);

impl Common {
    /// The server's CPU time so far, if `--server-pid` was given and is readable.
    fn server_cpu(&self) -> Option<Duration> {
        self.server_pid.and_then(pid_cpu)
    }

    /// This process's and the server's CPU time so far (each if readable): a mark for
    /// [`Common::cpu_since`].
    fn cpu_mark(&self) -> CpuTimes {
        (process_cpu(), self.server_cpu())
    }

    /// This process's and the server's CPU time since `mark`.
    fn cpu_since(&self, (own, server): CpuTimes) -> CpuTimes {
        let since = |now: Option<Duration>, then| now.zip(then).map(|(b, a)| b.saturating_sub(a));
        (since(process_cpu(), own), since(self.server_cpu(), server))
    }

    /// Writes the result `v` to `--json-out` if it was given, then shows it: as JSON
    /// (`--output json`), or as `text` prints it, given the label prefix (`[label] ` or nothing).
    fn report(&self, v: &Value, text: impl FnOnce(&str)) -> anyhow::Result<()> {
        if let Some(path) = &self.json_out {
            std::fs::write(path, format!("{v}\n"))
                .with_context(|| format!("writing {}", path.display()))?;
        }
        match self.output {
            Output::Json => println!("{v}"),
            Output::Text => {
                let label = self.label.as_deref().map(|l| format!("[{l}] "));
                text(&label.unwrap_or_default());
            }
        }
        Ok(())
    }
}

#[derive(clap::Args)]
struct WorkloadArgs {
    #[command(flatten)]
    common: Common,
    /// Measured iterations per client.
    #[arg(long, default_value_t = 100)]
    iterations: usize,
    /// Unmeasured iterations per client before the clock starts.
    #[arg(long, default_value_t = 2)]
    warmup: usize,
    /// Which steps each iteration runs.
    #[arg(long, value_enum, default_value = "full")]
    workload: Kind,
}

#[derive(clap::Args)]
struct LoadArgs {
    #[command(flatten)]
    common: Common,
    /// VPCs to create (each a distinct /24 of 10.0.0.0/8; at most 65,536).
    #[arg(long, default_value_t = 10_000)]
    vpcs: usize,
    /// Peerings to create and accept between those VPCs.
    #[arg(long, default_value_t = 5_000)]
    peerings: usize,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let common = match &cli.command {
        Command::Workload(a) => &a.common,
        Command::Load(a) => &a.common,
    };
    if common.clients == 0 {
        bail!("--clients must be at least 1");
    }
    if common.clients > 2048 {
        bail!("--clients must be at most 2048 (the workload's address blocks run out)");
    }
    let runtime = if common.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(common.threads)
            .enable_all()
            .build()
    }
    .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Workload(a) => run_workload(a).await,
            Command::Load(a) => load::run(a).await,
        }
    })
}

async fn connect_all(endpoint: &Endpoint, clients: usize) -> anyhow::Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        conns.push(Conn::open(endpoint).await?);
    }
    Ok(conns)
}

async fn run_workload(a: WorkloadArgs) -> anyhow::Result<()> {
    let c = &a.common;
    let endpoint = Endpoint::parse(&c.endpoint)?;
    let clients = c.clients;
    let conns = connect_all(&endpoint, clients).await?;
    // Everyone (the clients and this task) meets here after the warm-up; the clock starts then.
    let barrier = Arc::new(tokio::sync::Barrier::new(clients + 1));
    let mut tasks = Vec::with_capacity(clients);
    for (id, conn) in conns.into_iter().enumerate() {
        let barrier = barrier.clone();
        let (kind, warmup, iterations) = (a.workload, a.warmup, a.iterations);
        if kind == Kind::Azure {
            tasks.push(tokio::spawn(async move {
                let mut client = azure::AzClient::new(conn, id, warmup);
                let slot = |i: usize| (id + clients * i) as u64;
                let mut result = Ok(());
                for i in 0..warmup {
                    result = client.iteration(slot(i), &cidrs(slot(i))).await;
                    if result.is_err() {
                        break;
                    }
                }
                client.rec = Recorder::new(azure::ACTIONS.len(), iterations * 2);
                barrier.wait().await;
                if result.is_ok() {
                    for i in warmup..warmup + iterations {
                        result = client.iteration(slot(i), &cidrs(slot(i))).await;
                        if result.is_err() {
                            break;
                        }
                    }
                }
                (client.rec, result)
            }));
            continue;
        }
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(conn, warmup);
            let slot = |i: usize| (id + clients * i) as u64;
            let mut result = Ok(());
            for i in 0..warmup {
                result = client.iteration(kind, &cidrs(slot(i))).await;
                if result.is_err() {
                    break;
                }
            }
            client.rec = Recorder::new(ACTIONS.len(), iterations * 2);
            barrier.wait().await;
            if result.is_ok() {
                for i in warmup..warmup + iterations {
                    result = client.iteration(kind, &cidrs(slot(i))).await;
                    if result.is_err() {
                        break;
                    }
                }
            }
            (client.rec, result)
        }));
    }
    barrier.wait().await;
    let cpu_mark = c.cpu_mark();
    let start = Instant::now();
    let names: &[&str] = if a.workload == Kind::Azure {
        &azure::ACTIONS
    } else {
        &ACTIONS
    };
    let mut total = Recorder::new(names.len(), 0);
    let mut failure = None;
    for t in tasks {
        let (rec, result) = t.await.context("a client task panicked")?;
        total.merge(rec);
        if let Err(e) = result {
            failure.get_or_insert(e);
        }
    }
    let elapsed = start.elapsed();
    let (cpu, server_cpu) = c.cpu_since(cpu_mark);
    if let Some(e) = failure {
        eprintln!("a client stopped early: {e:#}");
    }

    let per_action: Vec<(&str, Latency)> = names
        .iter()
        .zip(total.lat.iter_mut())
        .filter(|(_, l)| !l.is_empty())
        .map(|(name, l)| (*name, Latency::of(l)))
        .collect();
    let mut all: Vec<u64> = total.lat.concat();
    let overall = Latency::of(&mut all);
    let secs = elapsed.as_secs_f64();
    let rps = overall.count as f64 / secs.max(1e-9);

    let mut actions = Map::new();
    for (name, l) in &per_action {
        actions.insert((*name).to_owned(), l.to_json());
    }
    let v = json!({
        "command": "workload",
        "label": c.label,
        "endpoint": c.endpoint,
        "workload": a.workload.name(),
        "clients": clients,
        "iterations": a.iterations,
        "warmup": a.warmup,
        "requests": overall.count,
        "errors": total.errors,
        "mismatches": total.mismatches,
        "skipped": total.skipped,
        "reconnects": total.reconnects,
        "seconds": round3(secs),
        "requests_per_s": round3(rps),
        "p50_ms": round3(overall.p50_ms),
        "p99_ms": round3(overall.p99_ms),
        "max_ms": round3(overall.max_ms),
        "client_cpu_s": cpu.map(|d| round3(d.as_secs_f64())),
        "server_cpu_s": server_cpu.map(|d| round3(d.as_secs_f64())),
        "per_action": Value::Object(actions),
    });
    c.report(&v, |label| {
            println!(
                "{label}workload {} against {}: {} clients x {} iterations (+{} warm-up), {} requests per iteration",
                a.workload.name(),
                c.endpoint,
                clients,
                a.iterations,
                a.warmup,
                a.workload.requests_per_iteration()
            );
            println!(
                "{:>9} {:>7} {:>9} {:>8} {:>9} {:>10} {:>9} {:>9} {:>9}",
                "requests",
                "errors",
                "mismatch",
                "skipped",
                "seconds",
                "req/s",
                "p50 ms",
                "p99 ms",
                "max ms"
            );
            println!(
                "{:>9} {:>7} {:>9} {:>8} {:>9.3} {:>10.1} {:>9.3} {:>9.3} {:>9.3}",
                overall.count,
                total.errors,
                total.mismatches,
                total.skipped,
                secs,
                rps,
                overall.p50_ms,
                overall.p99_ms,
                overall.max_ms
            );
            print_cpu(cpu, server_cpu, elapsed);
            if total.reconnects > 0 {
                println!(
                    "{} requests opened a new connection (the server had closed the previous one)",
                    total.reconnects
                );
            }
            println!(
                "  {:<32} {:>9} {:>9} {:>9} {:>9}",
                "per action", "requests", "p50 ms", "p99 ms", "max ms"
            );
            for (name, l) in &per_action {
                println!(
                    "  {:<32} {:>9} {:>9.3} {:>9.3} {:>9.3}",
                    name, l.count, l.p50_ms, l.p99_ms, l.max_ms
                );
            }
    })
}

/// Prints the generator's own CPU use (and the server's, if known) over a run of `wall`.
fn print_cpu(cpu: Option<Duration>, server: Option<Duration>, wall: Duration) {
    let wall_s = wall.as_secs_f64().max(1e-9);
    let share = |d: Duration| 100.0 * d.as_secs_f64() / wall_s;
    match cpu {
        Some(cpu) => println!(
            "load generator CPU: {:.2} s over {:.2} s wall ({:.0}% of one core)",
            cpu.as_secs_f64(),
            wall.as_secs_f64(),
            share(cpu)
        ),
        None => println!("load generator CPU: unknown (no /proc/self/stat)"),
    }
    if let Some(s) = server {
        println!(
            "server CPU: {:.2} s ({:.0}% of one core)",
            s.as_secs_f64(),
            share(s)
        );
    }
}
