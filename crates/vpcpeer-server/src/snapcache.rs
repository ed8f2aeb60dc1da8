//! The server's kept reachability snapshot: `/_vpcpeer/reach` and `/_vpcpeer/matrix` answer from
//! one [`Snapshot`] that is brought up to date on each query instead of compiled afresh.
//!
//! Under the world lock ([`Emulator::with_world_since`]) the cache learns the keys of the records
//! changed since the version it was built at and applies them
//! ([`Snapshot::apply_changes`], which also moves the snapshot to the query's instant); it
//! compiles from scratch only the first time, after a reset, or when more change sets went by
//! than the emulator's change log holds. So a query holds the world lock for the catch-up (a few
//! records) plus the answer, not for a whole compile.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use vpcpeer_model::{Timestamp, World};
use vpcpeer_reach::Snapshot;
use vpcpeer_service::Emulator;

/// A snapshot and the world version it reflects.
#[derive(Debug, Default)]
pub struct SnapshotCache {
    kept: Mutex<Option<(u64, Snapshot)>>,
    compiles: AtomicU64,
}

impl SnapshotCache {
    /// An empty cache (the first query compiles).
    pub fn new() -> Self {
        Self::default()
    }

    /// How many full compiles the cache has done (the rest were catch-ups).
    pub fn compiles(&self) -> u64 {
        self.compiles.load(Ordering::Relaxed)
    }

    /// Runs `f` over the world and a snapshot of it at `now`, under the world lock, after
    /// catching the kept snapshot up.
    pub fn with<T>(
        &self,
        emulator: &Emulator,
        now: Timestamp,
        f: impl FnOnce(&World, &Snapshot) -> T,
    ) -> T {
        // Lock order: this cache, then the world (nothing takes them the other way round). A
        // poisoned lock means a catch-up panicked half way: throw that snapshot away.
        let mut kept = match self.kept.lock() {
            Ok(g) => g,
            Err(poisoned) => {
                let mut g = poisoned.into_inner();
                *g = None;
                g
            }
        };
        let since = kept.as_ref().map(|(v, _)| *v);
        emulator.with_world_since(since, |world, changes| {
            let snap = match (kept.take(), changes.keys) {
                (Some((_, mut snap)), Some(keys)) => {
                    snap.apply_changes(world, now, &keys);
                    snap
                }
                _ => {
                    self.compiles.fetch_add(1, Ordering::Relaxed);
                    Snapshot::compile(world, now)
                }
            };
            let (_, snap) = kept.insert((changes.version, snap));
            f(world, snap)
        })
    }
}

#[cfg(test)]
#[path = "snapcache_tests.rs"]
mod tests;
