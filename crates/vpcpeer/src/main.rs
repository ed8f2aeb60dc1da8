//! The `vpcpeer` binary and the composition root: the only place that reads the system clock,
//! draws entropy, picks a store and binds a socket.
//!
//! `serve` binds its sockets (HTTP, and HTTPS next to it unless `--tls-listen off`) before it
//! opens or creates the data directory, so a taken port leaves nothing behind; a bind failure
//! names the address and the flag that chose it. Its announcements on stdout never fail the
//! server (a closed stdout is ignored).

mod audit;
mod aviatrix;
mod controller;
mod controller_api;
mod failover;
mod inspect;
mod limits;
mod reach;
mod security;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use vpcpeer_model::{SeededIds, Timestamp};
use vpcpeer_service::{Emulator, EmulatorClock, WriterOn};
use vpcpeer_store::{MemStore, Store};
use vpcpeer_store_postgres::PgStore;
use vpcpeer_store_sqlite::{Durability, SqliteStore};

/// mimalloc instead of the system allocator: a request allocates and frees many small values
/// (its form, the command, the change set, the reply), and glibc's malloc spent about a tenth of
/// the server's time on them (CreateTags under load; about 6 % less CPU a request with it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Compare the clouds with a topology file and print what `apply` would do.
    ///
    /// Exit status: 0 when the clouds match the file, 2 when changes are pending, 1 on errors
    /// (a refused file, a conflict, a cloud that cannot be read).
    Plan(PlanArgs),
    /// Make the clouds match a topology file: plan, carry the plan out with progress, and again
    /// until nothing is left to do (peerings requested and accepted, routes on both sides,
    /// openings). Exit status: 0 when done, 1 on errors, 2 when --verify finds a path that is
    /// not reachable.
    Apply(controller::ApplyArgs),
    /// Remove everything a topology file's topology owns (routes, rules, peerings, the networks
    /// it created; never networks it was given by id). Exit status: 0 when done, 1 on errors.
    Destroy(controller::TopologyArgs),
    /// The controller: `reconcile --once`, `run` and `status` (HA failover of encrypted links:
    /// health checks, failover and failback, drift repair), and `plan`, `apply`, `destroy` as
    /// above.
    #[command(subcommand)]
    Controller(failover::ControllerCommand),
    /// Run the network-wide checks of a running server and print the findings.
    ///
    /// Exit status: 0 when no finding has error severity, 1 when one has, 2 on errors.
    Audit(audit::AuditArgs),
    /// Show one network or peering of a running server in detail: its facts, route tables
    /// (blackhole routes marked `!`), security groups, ACLs, firewall rules or NSGs; or a
    /// peering's state, sides, options, who may accept it and when it expires.
    ///
    /// Exit status: 0 when shown, 1 on errors.
    Inspect(inspect::InspectArgs),
}

#[derive(clap::Args)]
struct PlanArgs {
    #[command(flatten)]
    topology: controller::TopologyArgs,
    /// Plan what `destroy` would remove instead.
    #[arg(long)]
    destroy: bool,
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
    /// --ephemeral) and served at GET /_vpcpeer/tls/cert.pem. Default: the --listen address
    /// with the next port (127.0.0.1:4651), or port 0 when --listen's port is 0; `off`: no
    /// HTTPS. Port 0 picks a free port; the address and the certificate's path are printed.
    #[arg(long, value_name = "ADDR|off", env = "VPCPEER_TLS_LISTEN", value_parser = parse_tls_listen)]
    tls_listen: Option<TlsListen>,
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
    /// A JSON file of quotas: {"active_peerings_per_vpc": 125, "vpcs_per_region": null, ...},
    /// and "default_vpc": false to start every account empty (as --no-default-vpc).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Start every account empty: no default VPC in any region. By default each account gets
    /// AWS's default VPC (172.31.0.0/16, a default subnet per zone, an internet gateway) in a
    /// region the first time it uses the region through the EC2 face.
    #[arg(long)]
    no_default_vpc: bool,
    #[command(flatten)]
    security: security::SecurityArgs,
    #[command(flatten)]
    aviatrix: aviatrix::AviatrixArgs,
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

/// The `--tls-listen` value.
#[derive(Clone, Copy, Debug)]
enum TlsListen {
    Off,
    At(SocketAddr),
}

fn parse_tls_listen(s: &str) -> Result<TlsListen, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(TlsListen::Off);
    }
    s.parse()
        .map(TlsListen::At)
        .map_err(|e| format!("expected an address such as 127.0.0.1:4651, or off: {e}"))
}

/// Where HTTPS listens: as given, else next to `--listen` (port + 1, or 0 when it is 0).
fn tls_address(args: &ServeArgs) -> anyhow::Result<Option<SocketAddr>> {
    match args.tls_listen {
        Some(TlsListen::Off) => Ok(None),
        Some(TlsListen::At(a)) => Ok(Some(a)),
        None if args.listen.port() == 0 => Ok(Some(SocketAddr::new(args.listen.ip(), 0))),
        None => match args.listen.port().checked_add(1) {
            Some(p) => Ok(Some(SocketAddr::new(args.listen.ip(), p))),
            None => anyhow::bail!(
                "--listen uses port 65535, so HTTPS has no next port: choose one with \
                 --tls-listen ADDR, or --tls-listen off"
            ),
        },
    }
}

/// Binds `addr` for `flag`; a failure says which address and flag, and what to do.
fn bind(addr: SocketAddr, flag: &str, what: &str) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(addr).map_err(|e| {
        use std::io::ErrorKind as K;
        let hint = match e.kind() {
            K::AddrInUse => format!(
                "\nhint: another process (another `vpcpeer serve`?) is listening on {addr}: stop \
                 it, or choose another address with {flag} ADDR (port 0 picks a free port){}",
                if flag == "--tls-listen" {
                    ", or turn HTTPS off with --tls-listen off"
                } else {
                    ""
                }
            ),
            K::PermissionDenied => {
                format!("\nhint: ports below 1024 need privileges: choose another with {flag} ADDR")
            }
            K::AddrNotAvailable => format!(
                "\nhint: {} is not an address of this machine: choose another with {flag} ADDR",
                addr.ip()
            ),
            _ => String::new(),
        };
        anyhow::anyhow!("cannot listen for {what} on {addr} ({flag}): {e}{hint}")
    })
}

/// Prints a line on stdout; a closed stdout (`serve | head -1`) must not stop the server.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|()| out.flush());
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
        // The cause chain on one line, never a backtrace: this is for a person.
        Command::Serve(args) => done(serve(args)),
        Command::Plan(args) => match controller::plan_cmd(&args.topology, args.destroy) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(2),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Apply(args) => match controller::apply_cmd(&args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(2),
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Destroy(args) => done(controller::destroy_cmd(&args)),
        Command::Inspect(args) => done(inspect::run(&args)),
        Command::Controller(cmd) => match failover::run(&cmd) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(2),
            Err(e) => {
                eprintln!("error: {e:#}");
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

/// Exit 0, or print the error's cause chain on one line and exit 1.
fn done(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
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
    let settings = limits::resolve(args.config.as_deref(), &args.limits, args.no_default_vpc)?;
    let tls_addr = tls_address(&args)?;
    let listen: Vec<SocketAddr> = std::iter::once(args.listen).chain(tls_addr).collect();
    let admin_env = std::env::var(security::ADMIN_TOKEN_ENV).ok();
    let auth = security::resolve(&args.security, &listen, admin_env, system_now)?;
    let aviatrix_login = aviatrix::credentials(&args.aviatrix)?;
    // Bind first: a port that is taken must leave nothing behind (no new data directory).
    let plain = bind(args.listen, "--listen", "HTTP")?;
    let tls_socket = match tls_addr {
        Some(a) => Some(bind(a, "--tls-listen", "HTTPS")?),
        None => None,
    };
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut data = args.data_dir.display().to_string();
    // The writer runs as a task on the runtime where a commit is a few microseconds of CPU, and
    // on a thread of its own where it waits on the disk (an fsync per commit) or the network.
    let mut writer_on = WriterOn::Runtime(runtime.handle().clone());
    let store: Arc<dyn Store> = if args.ephemeral {
        data = "in memory".to_owned();
        Arc::new(MemStore::new())
    } else if let Some(url) = &args.store {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!("--store takes a postgres://user@host:port/db URL");
        }
        let pg = PgStore::open(url).context("opening the PostgreSQL store")?;
        data = format!("postgres {}", pg.target());
        writer_on = WriterOn::Thread;
        Arc::new(pg)
    } else {
        let durability = match args.durability {
            DurabilityArg::Full => {
                writer_on = WriterOn::Thread;
                Durability::Full
            }
            DurabilityArg::Normal => Durability::Normal,
        };
        Arc::new(
            SqliteStore::open(&args.data_dir, durability)
                .with_context(|| format!("opening the store in {}", args.data_dir.display()))?,
        )
    };
    let seed = entropy();
    let emulator = Emulator::open_on(
        store,
        EmulatorClock::new(system_now),
        Box::new(SeededIds::new(seed)),
        settings.limits,
        writer_on,
    )
    .context("loading the emulator state")?;
    let config = vpcpeer_server::ServerConfig {
        default_vpcs: settings.default_vpc,
    };
    let state = vpcpeer_server::AppState::configured(emulator, seed.rotate_left(17), auth, config);
    // The Aviatrix-compatible API applies its changes through the clouds' faces of this server.
    let own = plain.local_addr().context("reading the bound address")?;
    let own = if own.ip().is_unspecified() {
        SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), own.port())
    } else {
        own
    };
    let aviatrix = aviatrix::Service::open(
        (!args.ephemeral).then_some(args.data_dir.as_path()),
        vpcpeer_server::describe_addr(own),
        aviatrix_login,
    )
    .context("opening the Aviatrix API's state")?;
    let (aviatrix, aviatrix_reset) = aviatrix.handler();
    state.mount("/v2/api", aviatrix.clone());
    state.mount("/v1/api", aviatrix);
    state.on_reset(aviatrix_reset);
    // The console's controller panel: plan, apply and status against this server's clouds.
    controller_api::Service::new(vpcpeer_server::describe_addr(own)).mount(&state);
    runtime.block_on(async move {
        plain.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(plain)?;
        let addr = listener.local_addr()?;
        let mut ephemeral_tls_dir = None;
        let tls = match tls_socket {
            None => None,
            Some(l) => {
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
                state.set_tls_certificate(identity.cert_pem());
                Some((
                    vpcpeer_server::tls::TlsListener::new(l, &identity)?,
                    identity,
                ))
            }
        };
        say(&format!(
            "vpcpeer listening on {} (data: {data})",
            vpcpeer_server::describe_addr(addr),
        ));
        let tls = match tls {
            None => None,
            Some((l, identity)) => {
                // An absolute path, so clients in any working directory can use it.
                let cert = std::path::absolute(&identity.cert_path)
                    .unwrap_or_else(|_| identity.cert_path.clone());
                say(&format!(
                    "vpcpeer listening on https://{} (certificate: {})",
                    l.local_addr()?,
                    cert.display()
                ));
                Some(l)
            }
        };
        let served = vpcpeer_server::serve(listener, tls, state, options)
            .await
            .context("serving");
        drop(ephemeral_tls_dir);
        served
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls_of(args: &[&str]) -> anyhow::Result<Option<SocketAddr>> {
        let cli = Cli::try_parse_from([&["vpcpeer", "serve"], args].concat())?;
        match cli.command {
            Command::Serve(a) => tls_address(&a),
            _ => unreachable!("serve parses as serve"),
        }
    }

    fn addr(s: &str) -> Option<SocketAddr> {
        Some(s.parse().expect("address"))
    }

    #[test]
    fn https_listens_next_to_http_unless_told_otherwise() {
        let cases: &[(&[&str], Option<SocketAddr>)] = &[
            (&["--listen", "127.0.0.1:4650"], addr("127.0.0.1:4651")),
            (&["--listen", "0.0.0.0:8000"], addr("0.0.0.0:8001")),
            (&["--listen", "127.0.0.1:0"], addr("127.0.0.1:0")),
            (
                &["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:9443"],
                addr("127.0.0.1:9443"),
            ),
            (&["--tls-listen", "off"], None),
            (&["--tls-listen", "OFF"], None),
        ];
        for (args, want) in cases {
            assert_eq!(
                tls_of(args).expect("parses").as_ref(),
                want.as_ref(),
                "{args:?}"
            );
        }
        let err = tls_of(&["--listen", "127.0.0.1:65535"]).expect_err("no next port");
        assert!(err.to_string().contains("--tls-listen"), "{err}");
        assert!(tls_of(&["--tls-listen", "nope"]).is_err());
    }

    #[test]
    fn a_taken_address_names_itself_and_its_flag() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let at = taken.local_addr().expect("addr");
        let err = bind(at, "--tls-listen", "HTTPS")
            .expect_err("in use")
            .to_string();
        assert!(
            err.contains(&format!("on {at} (--tls-listen)")) && err.contains("--tls-listen off"),
            "{err}"
        );
    }
}
