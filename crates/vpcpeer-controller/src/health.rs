//! HA failover, sans-IO: from what the clouds report (`Observed`), the controller's last state
//! ([`HaState`], a cache the composition root keeps in a file) and the time on the clouds' clock
//! (`now`, Unix seconds), [`assess`] decides which pair of gateways each encrypted link routes
//! through, and returns the `Desired` with that choice in each link's `active`, the new state and
//! the events of this pass. The plan then moves the routes like any other drift.
//!
//! **Health.** A gateway VM is healthy when it exists, runs, holds its public address, forwards
//! and its subnet is public ([`vm_health`]): the tunnel's outer path as a client of the clouds'
//! APIs sees it. A tunnel (one link's primary↔primary or backup↔backup pair) is up when both
//! VMs are healthy and each one's firewall admits the other's public address.
//!
//! **Pairs, not sides.** Tunnels pair primary with primary and backup with backup, so both sides
//! of a link move together: a link's routes follow the primary tunnel or the backup tunnel
//! ([`Pair`]), and `active` names that pair's VM on each side.
//!
//! **The state machine** ([`decide`]), with `d` the detection time (`detection_time`, 20-600 s,
//! 60 by default, as Aviatrix's `tunnel_detection_time`):
//! - on the primaries: stay while their tunnel is up; once it has been down for `d` and the
//!   backup tunnel is up, fail over to the backups;
//! - on the backups: with `ha.failback`, return to the primaries once their tunnel has been up
//!   again for `d`; without it (the default, Aviatrix's non-preemptive HA) stay while the backup
//!   tunnel is up; once the backup tunnel has been down for `d` and the primary one is up, return;
//! - both tunnels down: the link is `down`, the routes stay where they are, an event says why.
//!
//! **Since when.** A tunnel is down since the earliest time one of its VMs was stopped when the
//! cloud says (`Observed::gateway_stopped_at`: AWS `StateTransitionReason`, GCP
//! `lastStopTimestamp`, Azure the instance view's provisioning `time`), else since the first
//! pass that saw it down (kept in the state). So a primary stopped, the clock moved past `d`, and
//! one pass fails over. Up since the first pass that saw it up again.
//!
//! **The state is a cache.** Which pair is active is read from the clouds' routes first (a route
//! of the link to a backup VM means the backups); the state only adds since-times and events.
//! Lost, the next pass starts again from the routes, counting down-times from then (or from the
//! cloud's stop time).

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::desired::{Desired, Link, LinkKind};
pub use crate::desired::{DEFAULT_DETECTION_TIME, DETECTION_TIME};
use crate::observed::Observed;

/// Events kept in the state, newest last.
pub const MAX_EVENTS: usize = 50;

/// Which pair of gateways a link routes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pair {
    /// The primaries' tunnel.
    Primary,
    /// The HA backups' tunnel.
    Backup,
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Pair::Primary => "primary",
            Pair::Backup => "backup",
        })
    }
}

/// A link's status: its active tunnel is up, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The active tunnel is up.
    Up,
    /// The active tunnel is down (no healthy pair to move to, or not for the detection time yet).
    Down,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Status::Up => "up",
            Status::Down => "down",
        })
    }
}

/// What the controller remembers between passes: a cache (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HaState {
    /// Per tunnel (`<link>/primary`, `<link>/backup`): up or down, since when.
    #[serde(default)]
    pub tunnels: BTreeMap<String, Seen>,
    /// Per encrypted link: its status, since when, its active pair.
    #[serde(default)]
    pub links: BTreeMap<String, LinkSeen>,
    /// The last [`MAX_EVENTS`] events, oldest first.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// A tunnel as last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// Up.
    pub up: bool,
    /// Since when (Unix seconds).
    pub since: u64,
}

/// A link as last decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSeen {
    /// Up or down.
    pub status: Status,
    /// Since when (Unix seconds).
    pub since: u64,
    /// The pair its routes follow.
    pub active: Pair,
}

/// What happened to a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// Routes moved to the backups (or, the backups failing, back to the primaries).
    Failover,
    /// Routes returned to the recovered primaries (`failback`).
    Failback,
    /// The active tunnel went down with nowhere to go.
    Down,
    /// The active tunnel is up again.
    Up,
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            EventKind::Failover => "failover",
            EventKind::Failback => "failback",
            EventKind::Down => "down",
            EventKind::Up => "up",
        })
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When (Unix seconds, the clouds' clock).
    pub time: u64,
    /// The link.
    pub link: String,
    /// What happened.
    pub kind: EventKind,
    /// The gateways each side routed to before.
    pub from: [String; 2],
    /// The gateways each side routes to now.
    pub to: [String; 2],
    /// Why.
    pub reason: String,
}

/// Why a gateway VM is not healthy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Unhealthy {
    /// No instance found.
    Missing,
    /// Stopped or deallocated.
    Stopped,
    /// No public address, or not attached to it.
    NoAddress,
    /// Does not forward others' packets.
    NotForwarding,
    /// Its subnet does not reach the internet.
    SubnetNotPublic,
}

impl fmt::Display for Unhealthy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unhealthy::Missing => "has no instance",
            Unhealthy::Stopped => "is not running",
            Unhealthy::NoAddress => "has no public address attached",
            Unhealthy::NotForwarding => "does not forward (source/destination check on)",
            Unhealthy::SubnetNotPublic => "is in a subnet without a route to the internet",
        })
    }
}

/// Whether a gateway VM is healthy, as its cloud's API shows it.
pub fn vm_health(observed: &Observed, vm: &str) -> Result<Ipv4Addr, Unhealthy> {
    let g = observed.gateways.get(vm).ok_or(Unhealthy::Missing)?;
    let i = g.instance.as_ref().ok_or(Unhealthy::Missing)?;
    if !i.running {
        return Err(Unhealthy::Stopped);
    }
    let address = g.address.as_ref().ok_or(Unhealthy::NoAddress)?;
    if !i.address_attached {
        return Err(Unhealthy::NoAddress);
    }
    if !i.forwarding {
        return Err(Unhealthy::NotForwarding);
    }
    if g.subnet.as_ref().is_some_and(|s| !s.public) {
        return Err(Unhealthy::SubnetNotPublic);
    }
    Ok(address.ip)
}

/// One tunnel's health this pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TunnelHealth {
    /// Its two VMs, side by side.
    pub vms: [String; 2],
    /// Up.
    pub up: bool,
    /// Since when (Unix seconds).
    pub since: u64,
    /// Why it is down.
    pub reason: Option<String>,
}

/// A link after this pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkHealth {
    /// The link.
    pub link: String,
    /// Its two networks.
    pub sides: [String; 2],
    /// Up or down.
    pub status: Status,
    /// Since when (Unix seconds).
    pub since: u64,
    /// The pair the routes followed before this pass (the clouds' routes say).
    pub was: Pair,
    /// The pair they follow now.
    pub active: Pair,
    /// The gateway of each side the routes point at now.
    pub gateways: [String; 2],
    /// The primaries' tunnel.
    pub primary: TunnelHealth,
    /// The backups' tunnel, with HA.
    pub backup: Option<TunnelHealth>,
    /// `ha.failback` on.
    pub failback: bool,
}

/// The outcome of a pass.
#[derive(Debug, Clone)]
pub struct Health {
    /// The topology with each encrypted link's `active` chosen.
    pub desired: Desired,
    /// The state to keep.
    pub state: HaState,
    /// Each encrypted link.
    pub links: Vec<LinkHealth>,
    /// This pass's events.
    pub events: Vec<Event>,
}

/// One pass of the health check (see the module doc).
pub fn assess(desired: &Desired, observed: &Observed, state: &HaState, now: u64) -> Health {
    let mut out = desired.clone();
    let mut next = HaState {
        tunnels: BTreeMap::new(),
        links: BTreeMap::new(),
        events: state.events.clone(),
    };
    let mut links = Vec::new();
    let mut events = Vec::new();
    for l in out.links.iter_mut() {
        if !l.encrypted() {
            continue;
        }
        let Some(h) = link(desired, observed, state, now, l, &mut next, &mut events) else {
            continue;
        };
        l.kind = LinkKind::Encrypted {
            active: h.gateways.clone(),
        };
        links.push(h);
    }
    next.events.extend(events.iter().cloned());
    let drop = next.events.len().saturating_sub(MAX_EVENTS);
    next.events.drain(..drop);
    Health {
        desired: out,
        state: next,
        links,
        events,
    }
}

/// One encrypted link's pass; `None` when a side has no gateway (validation refuses that).
fn link(
    desired: &Desired,
    observed: &Observed,
    state: &HaState,
    now: u64,
    l: &Link,
    next: &mut HaState,
    events: &mut Vec<Event>,
) -> Option<LinkHealth> {
    let ga = desired.gateway_of(&l.sides[0])?;
    let gb = desired.gateway_of(&l.sides[1])?;
    let primaries = [ga.name.clone(), gb.name.clone()];
    let backups = match (&ga.ha, &gb.ha) {
        (Some(a), Some(b)) => Some([a.name.clone(), b.name.clone()]),
        _ => None,
    };
    let failback = backups.is_some()
        && [ga, gb]
            .iter()
            .all(|g| g.ha.as_ref().is_some_and(|h| h.failback));
    let mut check = |pair: Pair, vms: &[String; 2]| {
        let key = format!("{}/{pair}", l.name);
        let t = tunnel(observed, state.tunnels.get(&key), now, vms);
        next.tunnels.insert(
            key,
            Seen {
                up: t.up,
                since: t.since,
            },
        );
        t
    };
    let primary = check(Pair::Primary, &primaries);
    let backup = backups.as_ref().map(|b| check(Pair::Backup, b));
    let names = |p: Pair| match (p, &backups) {
        (Pair::Backup, Some(b)) => b.clone(),
        _ => primaries.clone(),
    };
    let was = routed(desired, observed, l, backups.as_ref())
        .or_else(|| state.links.get(&l.name).map(|s| s.active))
        .filter(|p| *p == Pair::Primary || backups.is_some())
        .unwrap_or(Pair::Primary);
    let d = desired.detection_time;
    let active = decide(was, &primary, backup.as_ref(), failback, now, d);
    let up = match active {
        Pair::Primary => primary.up,
        Pair::Backup => backup.as_ref().is_some_and(|b| b.up),
    };
    let status = if up { Status::Up } else { Status::Down };
    let before = state.links.get(&l.name);
    let down_reason = || {
        let mut why = vec![format!("primary tunnel: {}", reason(&primary))];
        if let Some(b) = &backup {
            why.push(format!("backup tunnel: {}", reason(b)));
        }
        why.join("; ")
    };
    let mut event = |kind, reason: String| {
        events.push(Event {
            time: now,
            link: l.name.clone(),
            kind,
            from: names(was),
            to: names(active),
            reason,
        });
    };
    if active != was {
        let (kind, reason) = match (active, &backup) {
            (Pair::Backup, _) => (
                EventKind::Failover,
                format!(
                    "primary tunnel down for {} s (detection time {d} s): {}",
                    now.saturating_sub(primary.since),
                    reason(&primary)
                ),
            ),
            (Pair::Primary, Some(b)) if b.up => (
                EventKind::Failback,
                format!(
                    "primary tunnel up again for {} s (detection time {d} s)",
                    now.saturating_sub(primary.since)
                ),
            ),
            (Pair::Primary, b) => (
                EventKind::Failover,
                format!(
                    "backup tunnel down for {} s (detection time {d} s): {}",
                    b.as_ref().map_or(0, |b| now.saturating_sub(b.since)),
                    b.as_ref().map_or_else(String::new, reason)
                ),
            ),
        };
        event(kind, reason);
    }
    let previous = before.map_or(Status::Up, |b| b.status);
    if status != previous {
        match status {
            Status::Down => event(EventKind::Down, down_reason()),
            Status::Up => event(EventKind::Up, format!("the {active} tunnel is up")),
        }
    }
    let since = match before {
        Some(b) if b.status == status && active == was => b.since,
        _ if active == was && status == Status::Down => match active {
            Pair::Primary => primary.since,
            Pair::Backup => backup.as_ref().map_or(now, |b| b.since),
        },
        _ => now,
    };
    next.links.insert(
        l.name.clone(),
        LinkSeen {
            status,
            since,
            active,
        },
    );
    Some(LinkHealth {
        link: l.name.clone(),
        sides: l.sides.clone(),
        status,
        since,
        was,
        active,
        gateways: names(active),
        primary,
        backup,
        failback,
    })
}

/// Why a tunnel is down, or `up`.
fn reason(t: &TunnelHealth) -> String {
    t.reason.clone().unwrap_or_else(|| "up".to_string())
}

/// The transition of the module doc: the pair to route through, from the pair routed through.
pub fn decide(
    was: Pair,
    primary: &TunnelHealth,
    backup: Option<&TunnelHealth>,
    failback: bool,
    now: u64,
    detection: u64,
) -> Pair {
    let Some(backup) = backup else {
        return Pair::Primary;
    };
    let held = |t: &TunnelHealth| now.saturating_sub(t.since) >= detection;
    match was {
        Pair::Primary if !primary.up && held(primary) && backup.up => Pair::Backup,
        Pair::Primary => Pair::Primary,
        Pair::Backup if backup.up => {
            if failback && primary.up && held(primary) {
                Pair::Primary
            } else {
                Pair::Backup
            }
        }
        Pair::Backup if held(backup) && primary.up => Pair::Primary,
        Pair::Backup => Pair::Backup,
    }
}

/// A tunnel's health now, and since when (see the module doc).
fn tunnel(observed: &Observed, seen: Option<&Seen>, now: u64, vms: &[String; 2]) -> TunnelHealth {
    let health = [vm_health(observed, &vms[0]), vm_health(observed, &vms[1])];
    let mut why = Vec::new();
    for (i, h) in health.iter().enumerate() {
        if let Err(e) = h {
            why.push(format!("{} {e}", vms[i]));
        }
    }
    if let (Ok(a), Ok(b)) = (&health[0], &health[1]) {
        for (vm, peer, ip) in [(&vms[0], &vms[1], b), (&vms[1], &vms[0], a)] {
            let admits = observed
                .gateways
                .get(vm)
                .and_then(|g| g.firewall.as_ref())
                .is_some_and(|f| f.contains(ip));
            if !admits {
                why.push(format!(
                    "{vm}'s firewall does not admit the tunnel from {peer} ({ip})"
                ));
            }
        }
    }
    let up = why.is_empty();
    let since = match seen {
        Some(s) if s.up == up => s.since,
        _ if !up => vms
            .iter()
            .filter_map(|vm| observed.gateway_stopped_at.get(vm))
            .copied()
            .filter(|t| *t <= now)
            .min()
            .unwrap_or(now),
        _ => now,
    };
    TunnelHealth {
        vms: vms.clone(),
        up,
        since,
        reason: (!up).then(|| why.join(", ")),
    }
}

/// Which pair the clouds' routes follow for this link: a route to one of the peer's blocks
/// through a backup VM means the backups, through a primary the primaries; `None` without any.
fn routed(
    desired: &Desired,
    observed: &Observed,
    l: &Link,
    backups: Option<&[String; 2]>,
) -> Option<Pair> {
    let mut primary = false;
    for (i, side) in l.sides.iter().enumerate() {
        let peer = l.peer_of(side);
        let blocks: Vec<Ipv4Net> = match desired.networks.get(peer) {
            Some(n) if !n.declared_cidrs().is_empty() => n.declared_cidrs().to_vec(),
            _ => observed
                .networks
                .get(peer)
                .map(|n| n.cidrs.clone())
                .unwrap_or_default(),
        };
        let gateway = desired.gateway_of(side).map(|g| g.name.as_str());
        let tables = observed.gateway_tables.get(side.as_str());
        for r in tables.into_iter().flatten().flat_map(|t| &t.routes) {
            if !blocks.contains(&r.destination) {
                continue;
            }
            match r.gateway.as_deref() {
                Some(g) if backups.is_some_and(|b| b[i] == g) => return Some(Pair::Backup),
                Some(g) if Some(g) == gateway => primary = true,
                _ => {}
            }
        }
    }
    primary.then_some(Pair::Primary)
}
