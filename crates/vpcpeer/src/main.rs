//! The `vpcpeer` binary and the composition root: the only place that reads the system clock,
//! draws entropy, picks a store and binds a socket.

mod audit;
mod limits;
mod reach;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use vpcpeer_model::{SeededIds, Timestamp};
use vpcpeer_service::{Emulator, EmulatorClock};
use vpcpeer_store::{MemStore, Store};
use vpcpeer_store_postgres::PgStore;
use vpcpeer_store_sqlite::{Durability, SqliteStore};

#[derive(Parser)]
#[command(
    name = "vpcpeer",
    version,
    about = "Cloud networking with peering, on one machine"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the emulator server (EC2 Query API on / and the admin API on /_vpcpeer).
    Serve(ServeArgs),
    /// Ask a running server whether one endpoint can reach another, and if not, why.
    ///
    /// Exit status: 0 when reachable, 1 when not reachable, 2 on errors (bad arguments,
    /// server unreachable, unknown endpoint). With --matrix: the all-pairs matrix, exit 0.
    Reach(reach::ReachArgs),
    /// Run the network-wide checks of a running server and print the findings.
    ///
    /// Exit status: 0 when no finding has error severity, 1 when one has, 2 on errors.
    Audit(audit::AuditArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum DurabilityArg {
    /// Every answered change survives a crash or kill -9 of the server (SQLite WAL,
    /// synchronous=NORMAL); the last changes may be lost if the machine loses power.
    Normal,
    /// Also fsync every group commit: answered changes survive power loss and OS crashes.
    Full,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on (use port 0 to pick a free port; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:4650", env = "VPCPEER_LISTEN")]
    listen: SocketAddr,
    /// Also serve HTTPS here (same API; Azure's SDK needs it), with a self-signed certificate for
    /// 127.0.0.1/localhost kept in DATA_DIR/tls/cert.pem (a temporary directory with
    /// --ephemeral). Use port 0 to pick a free port; the address and certificate are printed.
    #[arg(long, value_name = "ADDR", env = "VPCPEER_TLS_LISTEN")]
    tls_listen: Option<SocketAddr>,
    /// Directory of the embedded store.
    #[arg(long, default_value = "./vpcpeer-data", env = "VPCPEER_DATA_DIR")]
    data_dir: PathBuf,
    /// Keep everything in memory; nothing is written to disk.
    #[arg(long)]
    ephemeral: bool,
    /// Keep the state in PostgreSQL instead of --data-dir: postgres://user:password@host:port/db (password and port optional)
    /// (no TLS; add ?options=-csearch_path%3DNAME for a schema other than public). Every commit
    /// is durable (synchronous_commit=on) whatever --durability says. --data-dir then only holds
    /// the TLS certificate.
    #[arg(
        long,
        value_name = "URL",
        env = "VPCPEER_STORE",
        conflicts_with = "ephemeral"
    )]
    store: Option<String>,
    /// How hard each commit waits for the disk.
    #[arg(long, value_enum, default_value = "normal")]
    durability: DurabilityArg,
    /// A quota, as NAME=N or NAME=off (repeatable); see `--limit help`.
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    limits: Vec<String>,
    /// A JSON file of quotas: {"active_peerings_per_vpc": 125, "vpcs_per_region": null, ...}.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Seconds a client has to send a whole request head (from connecting, or from the first
    /// byte of a later request on a kept-alive connection); slower connections are closed.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a client has to send a whole request body after its head (else 408).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    body_timeout: Duration,
    /// Seconds a kept-alive connection may wait for its next request before it is closed.
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = seconds)]
    idle_timeout: Duration,
    /// Connections open at once, over both listeners. At the cap a newcomer is still served: the
    /// connection slowest to send its request head, else the longest idle, is closed for it.
    /// Default: the open-file limit (raised to its hard limit at start) less a reserve.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_connections: Option<u64>,
    /// Also accept requests whose Host header names NAME (repeatable, or comma-separated in the
    /// environment; '*' accepts any name). IP addresses and localhost are always accepted; other
    /// names are refused, against DNS rebinding: a server reached as http://vpcpeer:4650 (a
    /// container's name) needs --allow-host vpcpeer.
    #[arg(
        long = "allow-host",
        value_name = "NAME",
        env = "VPCPEER_ALLOW_HOST",
        value_delimiter = ','
    )]
    allow_hosts: Vec<String>,
}

/// A duration in seconds, such as `10` or `0.5`.
fn seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!(
            "'{s}' must be more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Raises the soft limit of open files to the hard limit, and returns the limit in force
/// (`None` when it cannot be read, or is unlimited).
#[cfg(unix)]
fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut lim = getrlimit(Resource::Nofile);
    if lim.current != lim.maximum {
        let raised = rustix::process::Rlimit {
            current: lim.maximum,
            maximum: lim.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => lim = raised,
            Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
        }
    }
    lim.current
}

#[cfg(not(unix))]
fn raise_open_file_limit() -> Option<u64> {
    None
}

fn system_now() -> Timestamp {
    #[allow(clippy::disallowed_methods)]
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(d.as_millis() as i64)
}

fn entropy() -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos() as u64;
    t ^ (u64::from(std::process::id()) << 32) ^ 0x5DEE_CE66_D1CE_4E5B
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match serve(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {e:?}");
                ExitCode::FAILURE
            }
        },
        Command::Audit(args) => match audit::run(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
        Command::Reach(args) => match reach::run(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VPCPEER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let limits = limits::resolve(args.config.as_deref(), &args.limits)?;
    let open_files = raise_open_file_limit();
    let options = vpcpeer_server::ServeOptions {
        header_timeout: args.header_timeout,
        body_timeout: args.body_timeout,
        idle_timeout: args.idle_timeout,
        max_connections: match (args.max_connections, open_files) {
            (Some(n), _) => usize::try_from(n).unwrap_or(usize::MAX),
            (None, Some(nofile)) => vpcpeer_server::conn::default_max_connections(nofile),
            (None, None) => vpcpeer_server::ServeOptions::default().max_connections,
        },
        allow_hosts: args.allow_hosts.clone(),
    };
    let mut data = args.data_dir.display().to_string();
    let store: Arc<dyn Store> = if args.ephemeral {
        data = "in memory".to_owned();
        Arc::new(MemStore::new())
    } else if let Some(url) = &args.store {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!("--store takes a postgres://user@host:port/db URL");
        }
        let pg = PgStore::open(url).context("opening the PostgreSQL store")?;
        data = format!("postgres {}", pg.target());
        Arc::new(pg)
    } else {
        let durability = match args.durability {
            DurabilityArg::Full => Durability::Full,
            DurabilityArg::Normal => Durability::Normal,
        };
        Arc::new(
            SqliteStore::open(&args.data_dir, durability)
                .with_context(|| format!("opening the store in {}", args.data_dir.display()))?,
        )
    };
    let seed = entropy();
    let emulator = Emulator::open(
        store,
        EmulatorClock::new(system_now),
        Box::new(SeededIds::new(seed)),
        limits,
    )
    .context("loading the emulator state")?;
    let state = vpcpeer_server::AppState::new(emulator, seed.rotate_left(17));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("binding {}", args.listen))?;
        let addr = listener.local_addr()?;
        let mut ephemeral_tls_dir = None;
        let tls = match args.tls_listen {
            None => None,
            Some(tls_addr) => {
                // With --ephemeral the certificate lives in a temporary directory that goes away
                // when the server stops.
                let dir = if args.ephemeral {
                    let tmp = tempfile::Builder::new()
                        .prefix("vpcpeer-tls-")
                        .tempdir()
                        .context("creating a temporary directory for the TLS certificate")?;
                    let path = tmp.path().to_path_buf();
                    ephemeral_tls_dir = Some(tmp);
                    path
                } else {
                    args.data_dir.join("tls")
                };
                let identity =
                    vpcpeer_server::tls::load_or_create_identity(&dir).with_context(|| {
                        format!("preparing the TLS certificate in {}", dir.display())
                    })?;
                let l = std::net::TcpListener::bind(tls_addr)
                    .with_context(|| format!("binding {tls_addr}"))?;
                Some((
                    vpcpeer_server::tls::TlsListener::new(l, &identity)?,
                    identity,
                ))
            }
        };
        println!(
            "vpcpeer listening on {} (data: {data})",
            vpcpeer_server::describe_addr(addr),
        );
        let tls = match tls {
            None => None,
            Some((l, identity)) => {
                println!(
                    "vpcpeer listening on https://{} (certificate: {})",
                    l.local_addr()?,
                    identity.cert_path.display()
                );
                Some(l)
            }
        };
        use std::io::Write;
        std::io::stdout().flush().ok();
        let served = vpcpeer_server::serve(listener, tls, state, options)
            .await
            .context("serving");
        drop(ephemeral_tls_dir);
        served
    })
}
