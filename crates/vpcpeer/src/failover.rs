//! `vpcpeer controller reconcile --once`, `run` and `status`: HA failover on the command line.
//! A pass reads the clouds (`vpcpeer-drivers`), runs the health check
//! (`vpcpeer_controller::health::assess`: which pair of gateways each encrypted link routes
//! through), then applies the plan of that choice like `vpcpeer apply` (route moves for a
//! failover or failback, and any other drift), and keeps the new state.
//!
//! Time is the clouds' clock: the newest `Date` header of the clouds' answers (EC2's, ARM's,
//! and one plain `GET` of each Compute endpoint: `Drivers::cloud_now`; the emulator sends its
//! own, advanceable clock), else the system clock (no answer at all).
//!
//! The state (since-times, each link's status and active pair, the last events) is a small JSON
//! file per topology, written here only, atomically (a temporary file in the same directory,
//! then a rename): `--state FILE`, else `VPCPEER_STATE`, else next to the topology file with
//! `.ha-state.json` for its extension (`demo.yaml` → `demo.ha-state.json`), as terraform keeps
//! `terraform.tfstate` beside its configuration. It is a cache: which pair is active is read
//! from the clouds' routes, so a lost or unreadable file only loses the events and restarts the
//! detection clocks (from the clouds' stop times where they give one).
//!
//! `status --output json` prints [`status_json`], which the console's controller API answers
//! too (`controller_api.rs`).
//!
//! Exit status: `reconcile --once` 0 when every encrypted link is up after the pass, 2 when one
//! is down, 1 on errors; `status` the same without changing anything; `run` keeps going (a failed
//! pass is printed and retried at the next interval) until Ctrl-C.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, Context};
use serde_json::json;
use vpcpeer_controller::apply::{self, Clouds, Event, Policy};
use vpcpeer_controller::health::{assess, HaState, Health, LinkHealth, Status};
use vpcpeer_controller::{Desired, Observed};
use vpcpeer_drivers::Drivers;

use crate::controller::{self, cloud_now, read_state, Endpoint, TopologyArgs};
use crate::reach::{emit, Output};

/// `vpcpeer controller …`.
#[derive(clap::Subcommand)]
pub enum ControllerCommand {
    /// One pass (with --once): read the clouds, check every gateway's health, fail over or
    /// back, repair drift (the apply plan), print what it did. Exit status: 0 when every
    /// encrypted link is up, 2 when one is down, 1 on errors. Without --once, as `run`.
    Reconcile(ReconcileArgs),
    /// Reconcile every --interval seconds until Ctrl-C, a progress line per pass.
    Run(RunArgs),
    /// Each encrypted link: up or down, the gateway each side routes through, since when; the
    /// recent events. Changes nothing. Exit status as `reconcile --once`.
    Status(HaArgs),
    /// As `vpcpeer plan`.
    Plan(PlanArgs),
    /// As `vpcpeer apply`.
    Apply(controller::ApplyArgs),
    /// As `vpcpeer destroy`.
    Destroy(TopologyArgs),
}

/// `vpcpeer controller plan`.
#[derive(clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub topology: TopologyArgs,
    /// Plan what `destroy` would remove instead.
    #[arg(long)]
    pub destroy: bool,
}

/// What the HA commands share.
#[derive(clap::Args)]
pub struct HaArgs {
    /// The topology file (YAML).
    #[arg(value_name = "TOPOLOGY")]
    pub file: PathBuf,
    /// The state file; default: `VPCPEER_STATE`, else next to TOPOLOGY, `<name>.ha-state.json`.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub endpoint: Endpoint,
    /// How to print: tables, or JSON for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
}

/// `vpcpeer controller reconcile`.
#[derive(clap::Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    pub ha: HaArgs,
    /// One pass, then exit.
    #[arg(long)]
    pub once: bool,
    /// Seconds between passes, without --once.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub interval: u64,
}

/// `vpcpeer controller run`.
#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub ha: HaArgs,
    /// Seconds between passes.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub interval: u64,
}

impl HaArgs {
    fn topology(&self) -> TopologyArgs {
        TopologyArgs {
            file: self.file.clone(),
            endpoint: self.endpoint.clone(),
            output: self.output,
        }
    }

    /// The state file (see the module doc).
    fn state_path(&self) -> PathBuf {
        self.state
            .clone()
            .unwrap_or_else(|| controller::state_path(&self.file))
    }
}

/// Runs a `controller` command; `Ok(false)` when a link is down (or the plan pending).
pub fn run(cmd: &ControllerCommand) -> anyhow::Result<bool> {
    match cmd {
        ControllerCommand::Reconcile(a) if a.once => once(&a.ha),
        ControllerCommand::Reconcile(a) => keep_running(&a.ha, a.interval),
        ControllerCommand::Run(a) => keep_running(&a.ha, a.interval),
        ControllerCommand::Status(a) => status(a),
        ControllerCommand::Plan(a) => controller::plan_cmd(&a.topology, a.destroy),
        ControllerCommand::Apply(a) => controller::apply_cmd(a),
        ControllerCommand::Destroy(a) => controller::destroy_cmd(a).map(|()| true),
    }
}

/// Writes the state file atomically: a temporary file beside it, then a rename.
fn write_state(path: &Path, state: &HaState) -> anyhow::Result<()> {
    use std::io::Write as _;
    let text = serde_json::to_string_pretty(state)? + "\n";
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string());
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.unwrap_or_else(|| "ha-state".into()),
        std::process::id()
    ));
    let mut f =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// What one pass did.
struct Pass {
    health: Health,
    steps: usize,
    now: u64,
}

/// One pass: observe, health, apply, keep the state.
async fn pass(
    args: &HaArgs,
    desired: &Desired,
    dr: &mut Drivers,
    quiet: bool,
) -> anyhow::Result<Pass> {
    let path = args.state_path();
    let state = read_state(&path);
    let observed = dr.observe(desired).await.context("reading the clouds")?;
    let now = cloud_now(dr);
    let health = assess(desired, &observed, &state, now);
    let mut on = |e: Event<'_>| match e {
        Event::Step { index, total, step } if !quiet => {
            eprintln!("[{}/{total}] {step}", index + 1)
        }
        Event::Retrying {
            attempt,
            error,
            wait,
        } => eprintln!("  attempt {attempt} failed ({error}); again in {wait:?}"),
        _ => {}
    };
    let applied = apply::apply(dr, &health.desired, &Policy::default(), &mut on).await;
    // The since-times and events hold whether or not the apply went through; a failed route
    // move is decided again by the next pass, from the routes the clouds still have.
    write_state(&path, &health.state)?;
    let out = applied.map_err(|e| anyhow!("{e}"))?;
    Ok(Pass {
        health,
        steps: out.steps,
        now,
    })
}

fn all_up(h: &Health) -> bool {
    h.links.iter().all(|l| l.status == Status::Up)
}

/// `reconcile --once`.
fn once(args: &HaArgs) -> anyhow::Result<bool> {
    let desired = controller::load(&args.topology())?;
    let mut dr = controller::drivers(&args.topology(), &desired)?;
    let p = controller::runtime()?.block_on(pass(args, &desired, &mut dr, false))?;
    match args.output {
        Output::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({
                "time": rfc3339(p.now),
                "steps": p.steps,
                "links": stamped(&p.health.links, "since_time", |l| l.since),
                "events": stamped(&p.health.events, "time_text", |e| e.time),
            }))?
        ))?,
        Output::Table => {
            let mut out = links_table(&p.health.links, false);
            for e in &p.health.events {
                out.push_str(&event_line(e));
            }
            out.push_str(&format!(
                "Reconciled at {}: {} step(s).\n",
                rfc3339(p.now),
                p.steps
            ));
            emit(&out)?;
        }
    }
    Ok(all_up(&p.health))
}

/// `run`: a pass every `interval` seconds until Ctrl-C.
fn keep_running(args: &HaArgs, interval: u64) -> anyhow::Result<bool> {
    let desired = controller::load(&args.topology())?;
    let mut dr = controller::drivers(&args.topology(), &desired)?;
    let rt = controller::runtime()?;
    let wait = Duration::from_secs(interval.max(1));
    eprintln!(
        "reconciling {} every {} s (state {}); Ctrl-C to stop",
        args.file.display(),
        wait.as_secs(),
        args.state_path().display()
    );
    rt.block_on(async {
        loop {
            match pass(args, &desired, &mut dr, false).await {
                Ok(p) => {
                    let down = p.health.links.len()
                        - p.health
                            .links
                            .iter()
                            .filter(|l| l.status == Status::Up)
                            .count();
                    let mut line = format!(
                        "{} pass: {} encrypted link(s), {down} down, {} step(s)\n",
                        rfc3339(p.now),
                        p.health.links.len(),
                        p.steps
                    );
                    for e in &p.health.events {
                        line.push_str(&event_line(e));
                    }
                    emit(&line)?;
                }
                Err(e) => eprintln!("pass failed: {e:#}"),
            }
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                () = dr.sleep(wait) => {}
            }
        }
        eprintln!("stopped");
        Ok(true)
    })
}

/// `status`: the health check without the apply, nor the state written.
fn status(args: &HaArgs) -> anyhow::Result<bool> {
    let desired = controller::load(&args.topology())?;
    let mut dr = controller::drivers(&args.topology(), &desired)?;
    let state = read_state(&args.state_path());
    let observed = controller::runtime()?
        .block_on(dr.observe(&desired))
        .context("reading the clouds")?;
    let now = cloud_now(&dr);
    let h = assess(&desired, &observed, &state, now);
    match args.output {
        Output::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(&status_json(&desired, &observed, &h, &state, now))?
        ))?,
        Output::Table => {
            let recent = recent_events(&state);
            let mut out = links_table(&h.links, true);
            if !recent.is_empty() {
                out.push_str("\nRecent events:\n");
                for e in &recent {
                    out.push_str(&event_line(e));
                }
            }
            emit(&out)?;
        }
    }
    Ok(all_up(&h))
}

/// The last events the state holds, oldest first.
fn recent_events(state: &HaState) -> Vec<vpcpeer_controller::health::Event> {
    let skip = state.events.len().saturating_sub(RECENT_EVENTS);
    state.events[skip..].to_vec()
}

/// How many of the state's events `status` shows.
const RECENT_EVENTS: usize = 10;

/// What `status --output json` prints (and the console's `GET /_vpcpeer/controller/status`
/// answers): the clouds' time, each encrypted link's health (`h`, assessed from `state`), the
/// state's recent events, and each native link's peering as the clouds show it.
pub(crate) fn status_json(
    desired: &Desired,
    observed: &Observed,
    h: &Health,
    state: &HaState,
    now: u64,
) -> serde_json::Value {
    json!({
        "time": rfc3339(now),
        "links": stamped(&h.links, "since_time", |l| l.since),
        "events": stamped(&recent_events(state), "time_text", |e| e.time),
        "native": native_json(desired, observed),
    })
}

/// Each native link: its cloud, its peering (AWS: the newest one between the two VPCs that is
/// not deleted, rejected, failed or expired; GCP and Azure: the topology's peering on the first
/// side), the peering's state, and whether it carries traffic.
fn native_json(desired: &Desired, observed: &Observed) -> serde_json::Value {
    use vpcpeer_controller::names::peering_name;
    use vpcpeer_controller::observed::{AwsStatus, AzureState, Detail};
    let links = desired.links.iter().filter(|l| !l.encrypted()).map(|l| {
        let net = |i: usize| observed.networks.get(&l.sides[i]);
        let cloud = desired
            .networks
            .get(&l.sides[0])
            .and_then(|n| desired.accounts.get(&n.account))
            .map(|a| a.cloud);
        let name = peering_name(&desired.name, &l.name);
        let (peering, state, up) = match (net(0), net(1)) {
            (Some(a), Some(b)) => match &a.detail {
                Detail::Aws { .. } => {
                    let dead = |s: AwsStatus| {
                        matches!(
                            s,
                            AwsStatus::Deleted
                                | AwsStatus::Deleting
                                | AwsStatus::Rejected
                                | AwsStatus::Failed
                                | AwsStatus::Expired
                        )
                    };
                    observed
                        .aws_peerings
                        .iter()
                        .rev()
                        .find(|p| {
                            !dead(p.status)
                                && ((p.requester == a.id && p.accepter == b.id)
                                    || (p.requester == b.id && p.accepter == a.id))
                        })
                        .map(|p| {
                            (
                                Some(p.id.clone()),
                                serde_json::to_value(p.status).unwrap_or_default(),
                                p.status == AwsStatus::Active,
                            )
                        })
                        .unwrap_or((None, json!("missing"), false))
                }
                Detail::Gcp { peerings, .. } => peerings
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| {
                        let state = if p.active { "ACTIVE" } else { "INACTIVE" };
                        (Some(p.name.clone()), json!(state), p.active)
                    })
                    .unwrap_or((None, json!("missing"), false)),
                Detail::Azure { peerings } => peerings
                    .iter()
                    .find(|p| p.name == name)
                    .map(|p| {
                        let state = match p.state {
                            AzureState::Initiated => "Initiated",
                            AzureState::Connected => "Connected",
                            AzureState::Disconnected => "Disconnected",
                        };
                        (
                            Some(p.name.clone()),
                            json!(state),
                            p.state == AzureState::Connected,
                        )
                    })
                    .unwrap_or((None, json!("missing"), false)),
            },
            _ => (None, json!("missing"), false),
        };
        json!({
            "link": l.name,
            "sides": l.sides,
            "cloud": cloud,
            "peering": peering,
            "state": state,
            "up": up,
        })
    });
    serde_json::Value::Array(links.collect())
}

fn tunnel_text(t: &vpcpeer_controller::health::TunnelHealth) -> String {
    match &t.reason {
        None => format!("up since {}", rfc3339(t.since)),
        Some(r) => format!("down since {}: {r}", rfc3339(t.since)),
    }
}

/// The links as a table. For `status` (`routed`), the pair the routes follow now, and a note
/// when the next pass will move them.
fn links_table(links: &[LinkHealth], routed: bool) -> String {
    if links.is_empty() {
        return "No encrypted links.\n".to_string();
    }
    let mut out = String::new();
    for l in links {
        let pair = if routed { l.was } else { l.active };
        let status = if routed && l.was != l.active {
            format!(
                "{} (the next pass moves it to the {} pair)",
                l.status, l.active
            )
        } else {
            l.status.to_string()
        };
        let gateways = |p| match (p, &l.backup) {
            (vpcpeer_controller::health::Pair::Backup, Some(b)) => b.vms.clone(),
            _ => l.primary.vms.clone(),
        };
        let g = gateways(pair);
        out.push_str(&format!(
            "link {}: {status} since {}\n  active: {pair} — {} ({}) ↔ {} ({})\n  primary tunnel: {}\n",
            l.link,
            rfc3339(l.since),
            g[0],
            l.sides[0],
            g[1],
            l.sides[1],
            tunnel_text(&l.primary),
        ));
        if let Some(b) = &l.backup {
            out.push_str(&format!(
                "  backup tunnel: {}\n  failback: {}\n",
                tunnel_text(b),
                if l.failback { "on" } else { "off" }
            ));
        }
    }
    out
}

fn event_line(e: &vpcpeer_controller::health::Event) -> String {
    let pair = |p: &[String; 2]| format!("{} ↔ {}", p[0], p[1]);
    let what = if e.from == e.to {
        pair(&e.to)
    } else {
        format!("{} → {}", pair(&e.from), pair(&e.to))
    };
    format!(
        "{} {} {}: {what} ({})\n",
        rfc3339(e.time),
        e.link,
        e.kind,
        e.reason
    )
}

/// Each item as JSON with its Unix time `at` also written as RFC 3339 under `key`.
fn stamped<T: serde::Serialize>(
    items: &[T],
    key: &str,
    at: impl Fn(&T) -> u64,
) -> serde_json::Value {
    serde_json::Value::Array(
        items
            .iter()
            .map(|item| {
                let mut v = serde_json::to_value(item).unwrap_or_default();
                v[key] = json!(rfc3339(at(item)));
                v
            })
            .collect(),
    )
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC; the date from
/// [`vpcpeer_server::layers::civil_from_days`]).
fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = vpcpeer_server::layers::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_read_as_utc_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_615_999), "2026-12-07T03:59:59Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
    }

    #[test]
    fn the_state_file_sits_beside_the_topology_and_is_replaced_whole() {
        let args = HaArgs {
            file: PathBuf::from("/x/demo.yaml"),
            state: None,
            endpoint: Endpoint { url: String::new() },
            output: Output::Table,
        };
        assert_eq!(args.state_path(), PathBuf::from("/x/demo.ha-state.json"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert_eq!(read_state(&path), HaState::default(), "missing: empty");
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(read_state(&path), HaState::default(), "unreadable: empty");
        let mut s = HaState::default();
        s.tunnels.insert(
            "l/primary".into(),
            vpcpeer_controller::health::Seen {
                up: false,
                since: 7,
            },
        );
        write_state(&path, &s).unwrap();
        assert_eq!(read_state(&path), s);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["s.json"], "no temporary file left");
    }
}
