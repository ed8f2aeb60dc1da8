//! `vpcpeer plan`, `apply` and `destroy`: the controller on the command line. Each reads a
//! topology file, checks it (every problem at once), reads the clouds through their public APIs
//! (`vpcpeer-drivers`) and plans; `apply` and `destroy` then carry the plan out with progress on
//! stderr, round after round until a plan comes out empty.
//!
//! Where the clouds are: an account's `endpoint` in the file, else `--endpoint` (the local
//! server by default, so the commands work beside `vpcpeer serve` with no setup). Credentials:
//! an AWS account's keys come from the variables its `credentials` name, else the account id
//! serves as the access key id (what the local server reads as the account); GCP and Azure send
//! the bearer token of `credentials.token_env` when there is one.
//!
//! Gateway keys (encrypted links) are derived from a secret (`vpcpeer_controller::gateway`),
//! read only when the topology has gateways: the base64 of 32 bytes in
//! `VPCPEER_GATEWAY_SECRET`, else the file `VPCPEER_GATEWAY_SECRET_FILE` names, else
//! `$XDG_CONFIG_HOME/vpcpeer/gateway-secret` (`~/.config/vpcpeer/gateway-secret`), which the
//! first run creates with 32 random bytes from the OS (mode 0600). It is never in the repository
//! nor in the topology file; whoever holds it can derive every gateway's private key, and a
//! different secret gives different keys (the next apply replaces every gateway).
//!
//! Encrypted links with HA: `plan` and `apply` route each link through the pair of gateways
//! the health check picks (`vpcpeer_controller::health`, from the clouds' routes, the state
//! file of `vpcpeer controller reconcile` read but never written here, and the clouds' time),
//! so an apply after a failover keeps the routes on the backups rather than moving them back to
//! a stopped primary.
//!
//! Exit status, as `terraform plan -detailed-exitcode`: `plan` 0 = in sync, 2 = changes pending,
//! 1 = error (a refused file, a conflict, an unreachable cloud); `apply` and `destroy` 0 = done,
//! 1 = error, and `apply --verify` 2 = a declared path is not reachable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{anyhow, bail, Context};
use serde_json::json;
use vpcpeer_controller::apply::{self, Clouds, Event, Outcome, Policy};
use vpcpeer_controller::gateway::GatewaySecret;
use vpcpeer_controller::health::{assess, HaState};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::Observed;
use vpcpeer_controller::{plan, plan_destroy, validate, Cloud, Desired, Plan};
use vpcpeer_drivers::{Access, Drivers};

use crate::reach::{emit, Output};

/// The options `plan`, `apply` and `destroy` share.
#[derive(clap::Args)]
pub struct TopologyArgs {
    /// The topology file (YAML): accounts, networks and links.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub endpoint: Endpoint,
    /// How to print: a readable diff, or JSON for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
}

/// `--endpoint`, for the commands that call the clouds.
#[derive(clap::Args, Clone)]
pub struct Endpoint {
    /// Where the clouds are for accounts whose entry in the file names no `endpoint`.
    #[arg(
        long = "endpoint",
        value_name = "ENDPOINT",
        default_value = "http://127.0.0.1:4650",
        env = "VPCPEER_ENDPOINT"
    )]
    pub url: String,
}

/// Arguments of `vpcpeer apply`.
#[derive(clap::Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub topology: TopologyArgs,
    /// Then ask the vpcpeer server (`POST /_vpcpeer/reach`) whether, for every link, an instance
    /// on each side reaches one on the other on each opened port; exit 2 if one does not.
    /// Needs an instance (AWS), VM (GCP) or network interface (Azure) in each linked network;
    /// a side without one is reported and not checked.
    #[arg(long)]
    pub verify: bool,
}

/// Reads and checks the file; prints its notices.
pub(crate) fn load(args: &TopologyArgs) -> anyhow::Result<Desired> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    let file = parse(&text).map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
    let mut desired = validate(&file).map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
    if !desired.gateways.is_empty() {
        desired.gateway_secret = Some(gateway_secret()?);
    }
    // A hub with many spokes gives a note per pair of spokes: the first few, then a count.
    const SHOWN: usize = 5;
    for n in desired.notices.iter().take(SHOWN) {
        eprintln!("note: {n}");
    }
    if desired.notices.len() > SHOWN {
        eprintln!(
            "note: … and {} more such notes",
            desired.notices.len() - SHOWN
        );
    }
    Ok(desired)
}

/// The secret gateway keys are derived from (see the module doc); also the Aviatrix API's.
pub(crate) fn gateway_secret() -> anyhow::Result<GatewaySecret> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let decode = |text: &str, from: &str| -> anyhow::Result<GatewaySecret> {
        let bytes = b64
            .decode(text.trim())
            .with_context(|| format!("{from}: not base64"))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| anyhow!("{from}: {} bytes, want 32", b.len()))?;
        Ok(GatewaySecret::from_bytes(bytes))
    };
    if let Ok(text) = std::env::var("VPCPEER_GATEWAY_SECRET") {
        return decode(&text, "VPCPEER_GATEWAY_SECRET");
    }
    let path = match std::env::var_os("VPCPEER_GATEWAY_SECRET_FILE") {
        Some(p) => PathBuf::from(p),
        None => {
            let config = std::env::var_os("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
                .context(
                    "no VPCPEER_GATEWAY_SECRET, VPCPEER_GATEWAY_SECRET_FILE, XDG_CONFIG_HOME or \
                     HOME: nowhere to keep the gateway secret",
                )?;
            config.join("vpcpeer").join("gateway-secret")
        }
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => decode(&text, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            {
                use std::io::Read as _;
                std::fs::File::open("/dev/urandom")
                    .and_then(|mut f| f.read_exact(&mut bytes))
                    .context("drawing the gateway secret from /dev/urandom")?;
            }
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            {
                use std::io::Write as _;
                let mut f = options
                    .open(&path)
                    .with_context(|| format!("creating {}", path.display()))?;
                writeln!(f, "{}", b64.encode(bytes))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            eprintln!("note: created the gateway secret {}", path.display());
            Ok(GatewaySecret::from_bytes(bytes))
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

/// How to reach each account.
fn access(args: &TopologyArgs, desired: &Desired) -> anyhow::Result<BTreeMap<String, Access>> {
    let var = |name: &str| {
        std::env::var(name).with_context(|| format!("the environment variable {name} is not set"))
    };
    let mut out = BTreeMap::new();
    for (name, a) in &desired.accounts {
        let creds = a.credentials.as_ref();
        let aws_keys = match (a.cloud, creds) {
            (Cloud::Aws, Some(c)) => match (&c.access_key_id_env, &c.secret_access_key_env) {
                (Some(id), Some(secret)) => Some((var(id)?, var(secret)?)),
                _ => bail!(
                    "account {name}: credentials need access_key_id_env and secret_access_key_env"
                ),
            },
            (Cloud::Aws, None) => Some((a.id.clone(), "vpcpeer".to_string())),
            _ => None,
        };
        let token = match creds.and_then(|c| c.token_env.as_deref()) {
            Some(v) => Some(var(v)?),
            None => None,
        };
        let endpoint = a
            .endpoint
            .clone()
            .unwrap_or_else(|| args.endpoint.url.clone());
        out.insert(
            name.clone(),
            Access {
                endpoint,
                aws_keys,
                token,
            },
        );
    }
    Ok(out)
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub(crate) fn drivers(args: &TopologyArgs, desired: &Desired) -> anyhow::Result<Drivers> {
    Ok(Drivers::new(
        access(args, desired)?,
        Box::new(SystemTime::now),
    ))
}

/// The HA state file of a topology file: `VPCPEER_STATE`, else beside it with
/// `.ha-state.json` for its extension (see `failover.rs`).
pub(crate) fn state_path(topology: &Path) -> PathBuf {
    std::env::var_os("VPCPEER_STATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| topology.with_extension("ha-state.json"))
}

/// Reads the state file; a missing one is the empty state, an unreadable one too (with a note:
/// the state is a cache, and the clouds' routes say which gateways are active).
pub(crate) fn read_state(path: &Path) -> HaState {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
            eprintln!(
                "note: {} is not a state file ({e}); starting from the clouds' routes",
                path.display()
            );
            HaState::default()
        }),
        Err(_) => HaState::default(),
    }
}

/// The clouds' time, in Unix seconds: the newest `Date` their answers carried, else the
/// system clock.
pub(crate) fn cloud_now(dr: &Drivers) -> u64 {
    dr.cloud_now()
        .unwrap_or_else(SystemTime::now)
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `desired` with each encrypted link routed through the pair the health check picks now.
fn healthy(args: &TopologyArgs, desired: &Desired, observed: &Observed, dr: &Drivers) -> Desired {
    if !desired.links.iter().any(|l| l.encrypted()) {
        return desired.clone();
    }
    let state = read_state(&state_path(&args.file));
    assess(desired, observed, &state, cloud_now(dr)).desired
}

/// The plan as JSON (`plan --output json`, and the console's `POST /_vpcpeer/controller/plan`):
/// the summary, each step with its sign, cloud, text, reason and typed action,
/// the conflicts.
pub(crate) fn plan_json(p: &Plan) -> serde_json::Value {
    let (add, change, destroy) = p.counts();
    let steps: Vec<serde_json::Value> = p
        .steps
        .iter()
        .map(|s| {
            json!({
                "sign": s.action.sign().mark().to_string(),
                "cloud": s.action.cloud(),
                "text": s.action.to_string(),
                "reason": s.reason.to_string(),
                "action": s.action,
                "why": s.reason,
            })
        })
        .collect();
    let conflicts: Vec<serde_json::Value> = p
        .conflicts
        .iter()
        .map(|c| json!({"text": c.to_string(), "conflict": c}))
        .collect();
    json!({
        "in_sync": p.is_empty(),
        "summary": {"add": add, "change": change, "destroy": destroy},
        "steps": steps,
        "conflicts": conflicts,
    })
}

/// `vpcpeer plan`: whether the clouds match the file (`Ok(true)`), or what would change.
pub fn plan_cmd(args: &TopologyArgs, destroy: bool) -> anyhow::Result<bool> {
    let desired = load(args)?;
    let mut dr = drivers(args, &desired)?;
    let observed = runtime()?
        .block_on(dr.observe(&desired))
        .context("reading the clouds")?;
    let p = if destroy {
        plan_destroy(&observed, &desired)
    } else {
        plan(&observed, &healthy(args, &desired, &observed, &dr))
    };
    match args.output {
        Output::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&plan_json(&p))?
        ))?,
        Output::Table => emit(&p.to_string())?,
    }
    if !p.conflicts.is_empty() {
        bail!("the plan has {} conflict(s)", p.conflicts.len());
    }
    Ok(p.steps.is_empty())
}

/// `vpcpeer apply`: [`run`], then `--verify`. `Ok(false)` when a verified path is not reachable.
pub fn apply_cmd(args: &ApplyArgs) -> anyhow::Result<bool> {
    run(&args.topology, false)?;
    if !args.verify {
        return Ok(true);
    }
    verify(&args.topology)
}

/// `vpcpeer destroy`: [`run`] of the destroy plan.
pub fn destroy_cmd(args: &TopologyArgs) -> anyhow::Result<()> {
    run(args, true)
}

/// Reaches, for each link and each opening, from an endpoint on each side to one on the other,
/// through the server's reachability engine. Prints one line a check.
fn verify(args: &TopologyArgs) -> anyhow::Result<bool> {
    let desired = load(args)?;
    let mut dr = drivers(args, &desired)?;
    let (observed, endpoints) = runtime()?.block_on(async {
        let observed = dr.observe(&desired).await?;
        let endpoints = dr.endpoints(&desired).await?;
        Ok::<_, vpcpeer_drivers::DriverError>((observed, endpoints))
    })?;
    let token = std::env::var("VPCPEER_ADMIN_TOKEN").ok();
    let mut all = true;
    for l in &desired.links {
        if l.open.is_empty() {
            emit(&format!("verify {}: opens nothing, not checked\n", l.name))?;
            continue;
        }
        for (from, to) in [(&l.sides[0], &l.sides[1]), (&l.sides[1], &l.sides[0])] {
            let first = |n: &str| endpoints.get(n).and_then(|v| v.first());
            let (Some(src), Some(dst)) = (first(from), first(to)) else {
                emit(&format!(
                    "verify {from} -> {to}: no instance on both sides, not checked\n"
                ))?;
                continue;
            };
            let network = &desired.networks[from.as_str()];
            let account = &desired.accounts[&network.account];
            let endpoint = account.endpoint.as_deref().unwrap_or(&args.endpoint.url);
            // The destination by address in its network: another account's instance id is not
            // the caller's to name.
            let peer_id = observed
                .networks
                .get(to.as_str())
                .map(|n| n.id.as_str())
                .unwrap_or("");
            for o in &l.open {
                let request = vpcpeer_api::ReachRequest {
                    account: (account.cloud == Cloud::Aws).then(|| account.id.clone()),
                    region: network.region.clone(),
                    from: src.id.clone(),
                    to: format!("{}@{peer_id}", dst.ip),
                    protocol: o.protocol.to_string(),
                    port: o.ports.map(|(first, _)| first),
                };
                let (_, answer): (serde_json::Value, vpcpeer_api::ReachAnswer) =
                    crate::reach::call(endpoint, "/_vpcpeer/reach", &request, token.as_deref())?;
                let what = format!("{from} ({}) -> {to} ({}) {o}", src.id, dst.ip);
                if answer.reachable {
                    emit(&format!("verify {what}: reachable\n"))?;
                } else {
                    all = false;
                    let why: Vec<String> = answer
                        .blockers
                        .iter()
                        .map(|b| format!("{}: {}", b.code, b.detail))
                        .collect();
                    emit(&format!(
                        "verify {what}: NOT reachable ({})\n",
                        why.join("; ")
                    ))?;
                }
            }
        }
    }
    Ok(all)
}

/// `vpcpeer apply` or `destroy`: carries the plan out, with progress on stderr.
fn run(args: &TopologyArgs, destroy: bool) -> anyhow::Result<()> {
    let desired = load(args)?;
    let mut dr = drivers(args, &desired)?;
    let started = Instant::now();
    let mut on = |e: Event<'_>| match e {
        Event::Planned { round, plan } if round == 1 || !plan.steps.is_empty() => {
            if round == 1 && !plan.steps.is_empty() {
                eprint!("{plan}");
            } else if !plan.steps.is_empty() {
                eprintln!("round {round}: {} more step(s)", plan.steps.len());
            }
        }
        Event::Planned { .. } => {}
        Event::Step { index, total, step } => eprintln!("[{}/{total}] {step}", index + 1),
        Event::Retrying {
            attempt,
            error,
            wait,
        } => eprintln!("  attempt {attempt} failed ({error}); again in {wait:?}"),
    };
    let policy = Policy::default();
    let run = runtime()?;
    let done: Result<Outcome, _> = run.block_on(async {
        if destroy {
            apply::destroy(&mut dr, &desired, &policy, &mut on).await
        } else {
            let desired = match desired.links.iter().any(|l| l.encrypted()) {
                true => {
                    let observed = dr
                        .observe(&desired)
                        .await
                        .map_err(apply::ApplyError::Observe)?;
                    healthy(args, &desired, &observed, &dr)
                }
                false => desired.clone(),
            };
            apply::apply(&mut dr, &desired, &policy, &mut on).await
        }
    });
    let out = done.map_err(|e| anyhow!("{e}"))?;
    let secs = started.elapsed().as_secs_f64();
    let verb = if destroy { "Destroy" } else { "Apply" };
    match args.output {
        Output::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({
                "steps": out.steps, "rounds": out.rounds, "retries": out.retries, "seconds": secs,
            }))?
        ))?,
        Output::Table => {
            emit(&format!(
                "{verb} complete: {} step(s) in {} round(s), {} retried.\n",
                out.steps, out.rounds, out.retries
            ))?;
            eprintln!("({secs:.1} s)");
        }
    }
    Ok(())
}
