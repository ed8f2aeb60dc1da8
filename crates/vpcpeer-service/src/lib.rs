//! The application layer: an [`Emulator`] holds the world in memory, runs each command in a
//! transaction, and does not answer until the store has made the change durable.
//!
//! Commits are funnelled through one writer thread in the order they were applied to memory;
//! commits that arrive while the disk is busy are written together (group commit), so concurrent
//! clients share an fsync. A command that fails, or a dry run, is rolled back and writes nothing.
//!
//! Every committed change set bumps the world's version and is remembered (its keys, the last
//! [`CHANGE_LOG_CAPACITY`]) in a [`ChangeLog`], so readers that keep something derived from the
//! world can catch up from the keys changed since their version ([`Emulator::with_world_since`]).
//!
//! This crate binds no sockets, opens no files and reads no clock: the store, the time source and
//! the id generator are handed in by the composition root.

mod changelog;

pub use changelog::{ChangeLog, WorldChanges, CHANGE_LOG_CAPACITY};

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{mpsc, Arc};

use parking_lot::Mutex;
use tokio::sync::oneshot;
use vpcpeer_model::{ChangeSet, Ctx, IdGen, Limits, Scope, Timestamp, Tx, World};
use vpcpeer_store::{Store, StoreError};

/// A failure of the emulator itself (never of the client's request).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store refused or failed a write.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The writer thread is gone.
    #[error("the storage writer has stopped")]
    WriterGone,
}

/// The emulator's clock: a time source plus an offset that the admin API can advance.
pub struct EmulatorClock {
    source: Box<dyn Fn() -> Timestamp + Send + Sync>,
    offset_ms: AtomicI64,
}

impl std::fmt::Debug for EmulatorClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorClock")
            .field("offset_ms", &self.offset_ms)
            .finish_non_exhaustive()
    }
}

impl EmulatorClock {
    /// A clock reading `source` (the system clock in the server, a constant in tests).
    pub fn new(source: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        EmulatorClock {
            source: Box::new(source),
            offset_ms: AtomicI64::new(0),
        }
    }

    /// A clock stopped at `t` (tests).
    pub fn fixed(t: Timestamp) -> Self {
        Self::new(move || t)
    }

    /// The emulator's current time.
    pub fn now(&self) -> Timestamp {
        (self.source)().plus_millis(self.offset_ms.load(Ordering::SeqCst))
    }

    /// How far the clock has been advanced, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }

    fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::SeqCst);
    }
}

enum Msg {
    Commit(ChangeSet, oneshot::Sender<Result<u64, String>>),
    Meta(String, String, oneshot::Sender<Result<u64, String>>),
    Clear(oneshot::Sender<Result<u64, String>>),
}

struct State {
    world: World,
    ids: Box<dyn IdGen>,
    writer: mpsc::Sender<Msg>,
    log: ChangeLog,
}

/// The running emulator.
pub struct Emulator {
    state: Mutex<State>,
    clock: EmulatorClock,
    limits: Limits,
    healthy: Arc<AtomicBool>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("clock", &self.clock)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

const CLOCK_KEY: &str = "clock_offset_ms";
const MAX_GROUP: usize = 256;

fn writer_loop(store: Arc<dyn Store>, rx: mpsc::Receiver<Msg>, healthy: Arc<AtomicBool>) {
    while let Ok(first) = rx.recv() {
        let mut msgs = vec![first];
        while msgs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(m) => msgs.push(m),
                Err(_) => break,
            }
        }
        // Group consecutive commits; metadata and clear messages go on their own, in order.
        let mut pending: Vec<(ChangeSet, oneshot::Sender<Result<u64, String>>)> = Vec::new();
        let flush = |pending: &mut Vec<(ChangeSet, oneshot::Sender<Result<u64, String>>)>| {
            if pending.is_empty() {
                return;
            }
            let batches: Vec<&ChangeSet> = pending.iter().map(|(c, _)| c).collect();
            let res = store.commit(&batches).map_err(|e| e.to_string());
            if let Err(e) = &res {
                tracing::error!(error = %e, "commit failed; in-memory state is ahead of the store");
                healthy.store(false, Ordering::SeqCst);
            }
            for (_, reply) in pending.drain(..) {
                let _ = reply.send(res.clone());
            }
        };
        for m in msgs {
            match m {
                Msg::Commit(c, reply) => pending.push((c, reply)),
                Msg::Meta(k, v, reply) => {
                    flush(&mut pending);
                    let _ =
                        reply.send(store.put_meta(&k, &v).map(|_| 0).map_err(|e| e.to_string()));
                }
                Msg::Clear(reply) => {
                    flush(&mut pending);
                    let _ = reply.send(store.clear().map(|_| 0).map_err(|e| e.to_string()));
                }
            }
        }
        flush(&mut pending);
    }
}

impl Emulator {
    /// Loads the world from `store` and starts the writer.
    pub fn open(
        store: Arc<dyn Store>,
        clock: EmulatorClock,
        ids: Box<dyn IdGen>,
        limits: Limits,
    ) -> Result<Self, ServiceError> {
        let snap = store.load()?;
        if let Some(off) = snap.meta.get(CLOCK_KEY).and_then(|v| v.parse().ok()) {
            clock.set_offset_ms(off);
        }
        let world = World::from_records(snap.records);
        let (tx, rx) = mpsc::channel();
        let healthy = Arc::new(AtomicBool::new(true));
        let h = healthy.clone();
        std::thread::Builder::new()
            .name("vpcpeer-writer".into())
            .spawn(move || writer_loop(store, rx, h))
            .map_err(|e| ServiceError::Store(StoreError::Backend(e.to_string())))?;
        Ok(Emulator {
            state: Mutex::new(State {
                world,
                ids,
                writer: tx,
                log: ChangeLog::new(CHANGE_LOG_CAPACITY),
            }),
            clock,
            limits,
            healthy,
        })
    }

    /// The emulator's current time.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Whether every commit so far reached the store.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::SeqCst)
    }

    /// Quotas in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A fresh id with `prefix` (request ids and the like).
    pub fn fresh_uuid(&self) -> String {
        self.state.lock().ids.uuid()
    }

    async fn wait(rx: oneshot::Receiver<Result<u64, String>>) -> Result<u64, ServiceError> {
        match rx.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(e)) => Err(ServiceError::Store(StoreError::Backend(e))),
            Err(_) => Err(ServiceError::WriterGone),
        }
    }

    /// Runs `f` as `scope` in a transaction. On `Ok` the changes are made durable before this
    /// returns; on `Err`, or when `dry_run`, they are rolled back.
    pub async fn execute<T, E>(
        &self,
        scope: Scope,
        dry_run: bool,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
    ) -> Result<Result<T, E>, ServiceError> {
        let now = self.clock.now();
        let rx = {
            let mut guard = self.state.lock();
            let State {
                world,
                ids,
                writer,
                log,
            } = &mut *guard;
            let ctx = Ctx {
                scope,
                now,
                ids: ids.as_mut(),
                limits: &self.limits,
            };
            let mut tx = Tx::new(world, ctx);
            let out = f(&mut tx);
            match out {
                Ok(v) if !dry_run => {
                    let changes = tx.commit();
                    if changes.is_empty() {
                        return Ok(Ok(v));
                    }
                    log.push(changes.iter().map(|c| c.key.clone()).collect());
                    let (reply, rx) = oneshot::channel();
                    writer
                        .send(Msg::Commit(changes, reply))
                        .map_err(|_| ServiceError::WriterGone)?;
                    (rx, v)
                }
                other => {
                    tx.rollback();
                    return Ok(other);
                }
            }
        };
        let (rx, v) = rx;
        Self::wait(rx).await?;
        Ok(Ok(v))
    }

    /// Moves the clock forward by `secs` seconds (persisted).
    pub async fn advance_clock(&self, secs: i64) -> Result<Timestamp, ServiceError> {
        let rx = {
            let guard = self.state.lock();
            let off = self
                .clock
                .offset_ms()
                .saturating_add(secs.saturating_mul(1000));
            self.clock.set_offset_ms(off);
            let (reply, rx) = oneshot::channel();
            guard
                .writer
                .send(Msg::Meta(CLOCK_KEY.into(), off.to_string(), reply))
                .map_err(|_| ServiceError::WriterGone)?;
            rx
        };
        Self::wait(rx).await?;
        Ok(self.clock.now())
    }

    /// Empties every resource and resets the clock offset.
    pub async fn reset(&self) -> Result<(), ServiceError> {
        let rx = {
            let mut guard = self.state.lock();
            guard.world = World::default();
            guard.log.reset();
            self.clock.set_offset_ms(0);
            let (reply, rx) = oneshot::channel();
            guard
                .writer
                .send(Msg::Clear(reply))
                .map_err(|_| ServiceError::WriterGone)?;
            rx
        };
        Self::wait(rx).await?;
        Ok(())
    }

    /// Reads the world, under the world lock, with its version and the keys of the records
    /// changed since version `since` (see [`WorldChanges`]): what a reader keeping a derived
    /// structure needs to catch it up consistently with the world it sees.
    pub fn with_world_since<T>(
        &self,
        since: Option<u64>,
        f: impl FnOnce(&World, WorldChanges) -> T,
    ) -> T {
        let guard = self.state.lock();
        let changes = guard.log.changes(since);
        f(&guard.world, changes)
    }

    /// The world's version: bumped by every committed change set and by a reset.
    pub fn version(&self) -> u64 {
        self.state.lock().log.version()
    }

    /// Reads the world (for snapshots, audits and tests).
    pub fn with_world<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.state.lock().world)
    }
}

#[cfg(test)]
mod tests;
