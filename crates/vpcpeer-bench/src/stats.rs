//! Latency recording (one pre-allocated vector per client and action) and the summary figures.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use serde_json::{json, Value};

use crate::http::{Conn, Reply};
use crate::scan::contains;

/// Set once the first failure's body has been printed, so later failures stay quiet.
static FIRST_FAILURE_SHOWN: AtomicBool = AtomicBool::new(false);

/// Prints `what` to stderr, only for the first failure of the whole run.
pub fn show_first_failure(what: impl FnOnce() -> String) {
    if !FIRST_FAILURE_SHOWN.swap(true, Ordering::Relaxed) {
        eprintln!("first failure (later ones are only counted):\n{}", what());
    }
}

/// What sending one request comes to: the body of a 2xx answer, `None` after a counted failure,
/// or the error that ends the client.
pub type Answer = anyhow::Result<Option<Bytes>>;

/// One client's record: latencies in nanoseconds, per action index.
#[derive(Debug)]
pub struct Recorder {
    /// `lat[action]` holds the latency of every answered request of that action.
    pub lat: Vec<Vec<u64>>,
    /// Requests that got a non-200 answer or no answer.
    pub errors: u64,
    /// Requests not sent because an earlier step they depend on failed.
    pub skipped: u64,
    /// 200 answers that lacked what they should hold (an id a describe should list).
    pub mismatches: u64,
    /// Requests that needed a new connection because the server had closed the previous one.
    pub reconnects: u64,
}

impl Recorder {
    /// A recorder for `actions` kinds of action, with room for `per_action` requests of each.
    pub fn new(actions: usize, per_action: usize) -> Self {
        Recorder {
            lat: (0..actions)
                .map(|_| Vec::with_capacity(per_action))
                .collect(),
            errors: 0,
            skipped: 0,
            mismatches: 0,
            reconnects: 0,
        }
    }

    /// Records one answered request.
    pub fn record(&mut self, action: usize, latency: Duration) {
        self.lat[action].push(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Counts what one request of `action` (named `name`) came back with: the body of a 2xx
    /// answer, or `None` after counting a non-2xx answer or a transport failure as an error (the
    /// first failure of the run shown, with `request`, what was sent). After a transport failure
    /// `conn` reconnects once; a failed reconnect is the `Err`, which ends the client.
    pub async fn counted(
        &mut self,
        conn: &mut Conn,
        (action, name): (usize, &str),
        request: impl FnOnce() -> String,
        reply: anyhow::Result<Reply>,
    ) -> Answer {
        match reply {
            Ok(reply) => {
                self.reconnects += u64::from(reply.reconnected);
                self.record(action, reply.latency);
                if reply.status.is_success() {
                    return Ok(Some(reply.body));
                }
                self.errors += 1;
                show_first_failure(|| {
                    format!(
                        "{name} -> HTTP {}\nrequest: {}\n{}",
                        reply.status,
                        request(),
                        String::from_utf8_lossy(&reply.body)
                    )
                });
                Ok(None)
            }
            Err(e) => {
                self.errors += 1;
                show_first_failure(|| format!("{name}: {e:#}"));
                conn.reconnect()
                    .await
                    .context("reconnecting after a failed request")?;
                Ok(None)
            }
        }
    }

    /// Counts a 2xx answer `body` (if any) without `needle` as a mismatch; the first failure of
    /// the run is shown as `what`.
    pub fn expect(&mut self, body: Option<&Bytes>, needle: &str, what: &str) {
        if let Some(b) = body {
            if !contains(b, needle) {
                self.mismatches += 1;
                show_first_failure(|| {
                    format!(
                        "{what}: no {needle} in the answer:\n{}",
                        String::from_utf8_lossy(b)
                    )
                });
            }
        }
    }

    /// Whether a step of `requests` requests can run: it can when `ready`; when it cannot, they
    /// are counted as skipped.
    pub fn ready(&mut self, ready: bool, requests: u64) -> bool {
        if !ready {
            self.skipped += requests;
        }
        ready
    }

    /// The sides (0, then 1) of a two-sided step to run: those not `missing` what the step needs;
    /// the request of each missing side is counted as skipped.
    pub fn sides(&mut self, missing: [bool; 2]) -> impl Iterator<Item = usize> {
        self.skipped += missing.iter().filter(|m| **m).count() as u64;
        (0..2).filter(move |&s| !missing[s])
    }

    /// Adds another client's record to this one.
    pub fn merge(&mut self, other: Recorder) {
        for (mine, theirs) in self.lat.iter_mut().zip(other.lat) {
            mine.extend_from_slice(&theirs);
        }
        self.errors += other.errors;
        self.skipped += other.skipped;
        self.mismatches += other.mismatches;
        self.reconnects += other.reconnects;
    }
}

/// Count and latency percentiles of a set of requests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Latency {
    /// How many requests.
    pub count: usize,
    /// Median, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile, in milliseconds.
    pub p99_ms: f64,
    /// Slowest, in milliseconds.
    pub max_ms: f64,
}

impl Latency {
    /// Sorts `nanos` in place and takes the nearest-rank percentiles.
    pub fn of(nanos: &mut [u64]) -> Self {
        if nanos.is_empty() {
            return Latency::default();
        }
        nanos.sort_unstable();
        let ms = |n: u64| n as f64 / 1e6;
        Latency {
            count: nanos.len(),
            p50_ms: ms(percentile(nanos, 50.0)),
            p99_ms: ms(percentile(nanos, 99.0)),
            max_ms: ms(nanos[nanos.len() - 1]),
        }
    }

    /// As a JSON object.
    pub fn to_json(self) -> Value {
        json!({
            "requests": self.count,
            "p50_ms": round3(self.p50_ms),
            "p99_ms": round3(self.p99_ms),
            "max_ms": round3(self.max_ms),
        })
    }
}

/// The nearest-rank percentile `p` (0–100] of sorted, non-empty `sorted`.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Rounds to three decimals, for printing.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// CPU time (user + system) this process has used so far, from `/proc/self/stat`; `None` where
/// that file is missing. Assumes the usual 100 clock ticks per second.
pub fn process_cpu() -> Option<Duration> {
    cpu_of("/proc/self/stat")
}

/// CPU time process `pid` has used so far (see [`process_cpu`]).
pub fn pid_cpu(pid: u32) -> Option<Duration> {
    cpu_of(&format!("/proc/{pid}/stat"))
}

fn cpu_of(path: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<u64> = (1..=100).rev().map(|n| n * 1_000_000).collect();
        let l = Latency::of(&mut v);
        assert_eq!(l.count, 100);
        assert_eq!(l.p50_ms, 50.0);
        assert_eq!(l.p99_ms, 99.0);
        assert_eq!(l.max_ms, 100.0);
        let mut one = vec![2_000_000];
        let l = Latency::of(&mut one);
        assert_eq!((l.p50_ms, l.p99_ms, l.max_ms), (2.0, 2.0, 2.0));
        assert_eq!(Latency::of(&mut []), Latency::default());
    }

    #[test]
    fn merge_adds_up() {
        let mut a = Recorder::new(2, 4);
        a.record(0, Duration::from_micros(5));
        a.errors = 1;
        let mut b = Recorder::new(2, 4);
        b.record(1, Duration::from_micros(7));
        b.record(0, Duration::from_micros(9));
        b.mismatches = 2;
        a.merge(b);
        assert_eq!(a.lat[0], vec![5_000, 9_000]);
        assert_eq!(a.lat[1], vec![7_000]);
        assert_eq!((a.errors, a.mismatches, a.skipped), (1, 2, 0));
    }

    #[test]
    fn cpu_time_is_readable_here() {
        if std::path::Path::new("/proc/self/stat").exists() {
            assert!(process_cpu().is_some());
            assert!(pid_cpu(std::process::id()).is_some());
            assert!(pid_cpu(u32::MAX).is_none());
        }
    }
}
