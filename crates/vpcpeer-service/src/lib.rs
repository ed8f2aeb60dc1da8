//! The application layer: an [`Emulator`] holds the world in memory, runs each command in a
//! transaction, and does not answer until the store has made the change durable.
//!
//! Commits are funnelled through one writer, a thread or a task on the server's runtime
//! ([`WriterOn`]), in the order they were applied to memory; commits that arrive while the store
//! is busy, or that requests under way are about to make, are written together (group commit),
//! so concurrent clients share a store transaction and its fsync. A command that fails, or a dry
//! run, is rolled back and writes nothing.
//!
//! A command that panics is rolled back too (the [`Tx`] drop guard and an explicit rollback),
//! inside the world lock, before the lock is released: nothing reaches the writer or the change
//! log, the panic is logged, and `execute` answers [`ServiceError::Panicked`], which every face
//! reports as its internal error (500). The world lock is a `parking_lot` mutex (no poisoning):
//! it is never released with a half-applied command, so there is nothing to poison.
//!
//! A write the store fails is taken back out of memory, with every write applied after it that is
//! not yet durable (see the `writer` module): memory equals the store again, and each of those
//! requests answers [`ServiceError::NotCommitted`]. Reads run on memory, which may hold changes
//! that are applied but not yet durable (they are a group commit away); such a change can still
//! be undone if the store fails it, so a reader may briefly have seen a change that is never
//! acknowledged. No *writer* is ever told that a change is committed before it is durable.
//!
//! Every change set applied to memory, and every undo, bumps the world's version and is
//! remembered (its keys, the last [`CHANGE_LOG_CAPACITY`]) in a [`ChangeLog`], so readers that
//! keep something derived from the world can catch up from the keys changed since their version
//! ([`Emulator::with_world_since`]).
//!
//! Whoever follows the emulator live ([`Emulator::subscribe`]) is told, once the writer has
//! written a batch, the command log's last sequence number, the world's version and the clock
//! offset ([`Progress`]), on a `tokio::sync::watch` channel: only the latest value is kept, so a
//! slow follower never holds the writer back and sees a burst of commits as one change.
//!
//! This crate binds no sockets, opens no files and reads no clock: the store, the time source and
//! the id generator are handed in by the composition root.

mod changelog;
mod commands;
mod replay;
mod writer;

pub use changelog::{ChangeLog, WorldChanges, CHANGE_LOG_CAPACITY};
pub use commands::{LogPage, LoggedCommand, COMMAND_LOG_CAPACITY};
pub use replay::{ReplayEntry, ReplayError};
pub use writer::PROBE_EVERY;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{mpsc, Arc};

use parking_lot::Mutex;
use tokio::sync::{oneshot, watch, Notify};
use vpcpeer_model::{
    Apply, Command, Ctx, IdGen, Limits, RecordingIds, Scope, Timestamp, Tx, World,
};
use vpcpeer_store::{Store, StoreError};

use commands::{CommandLog, Pending};
use writer::{Health, Msg, Op, Queue, Writer, CLOCK_KEY};

/// A failure of the emulator itself (never of the client's request). Every face answers it with
/// its dialect's internal error (HTTP 500) and logs the detail.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store could not be read (at start).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store did not commit the change (or an earlier one it was applied after): it has been
    /// taken back out of memory, and nothing of it remains.
    #[error("the change was not committed: {0}")]
    NotCommitted(String),
    /// The command panicked (a bug); its transaction was rolled back and nothing was written.
    #[error("the command panicked and was rolled back: {0}")]
    Panicked(String),
    /// The writer is gone.
    #[error("the storage writer has stopped")]
    WriterGone,
}

/// The text of a panic payload (`panic!` with a message gives a `&str` or a `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
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

struct State {
    world: World,
    ids: Box<dyn IdGen>,
    writer: Queue,
    log: ChangeLog,
}

/// What the emulator and its writer share. The writer holds it weakly, so dropping the
/// emulator drops the queue's sender and the writer ends.
struct Shared {
    /// The world lock.
    state: Mutex<State>,
    clock: EmulatorClock,
    /// Committed commands, pushed by the writer once durable (its own lock: the writer never
    /// takes it while holding the world lock's guard, and readers of the log never block the
    /// world).
    commands: Mutex<CommandLog>,
    /// What followers last heard ([`Shared::announce`]).
    live: watch::Sender<Progress>,
}

/// Where the emulator is, as its followers are told ([`Emulator::subscribe`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// The command log's newest sequence number (0: none yet): moves when a command is durable.
    pub seq: u64,
    /// The world's version ([`Emulator::version`]): also moves on an undo, a reset or a reload,
    /// which the command log does not show.
    pub version: u64,
    /// The clock's offset in milliseconds: moves when the clock is advanced.
    pub clock_offset_ms: i64,
}

impl Shared {
    /// Where the emulator is now.
    fn progress(&self) -> Progress {
        // One lock at a time: the command log's, then the world's (the writer calls this with
        // neither held).
        let seq = self.commands.lock().since(u64::MAX, 0).last;
        Progress {
            seq,
            version: self.state.lock().log.version(),
            clock_offset_ms: self.clock.offset_ms(),
        }
    }

    /// Tells the followers where the emulator is, if that moved.
    pub(crate) fn announce(&self) {
        let now = self.progress();
        self.live.send_if_modified(|p| {
            let moved = *p != now;
            *p = now;
            moved
        });
    }
}

/// Where the emulator's writer runs (see [`Emulator::open_on`]).
#[derive(Debug, Clone)]
pub enum WriterOn {
    /// A thread of its own, which sleeps while the store works: for a store whose commit waits
    /// on a device or a network (an fsync per commit, PostgreSQL), so that requests go on being
    /// served meanwhile.
    Thread,
    /// A task on this tokio runtime (which needs its time driver), run between requests: for a
    /// store whose commit is a few microseconds of CPU (SQLite without an fsync per commit,
    /// memory). A change then costs no hand-off between threads, and the requests under way
    /// join the group being committed.
    Runtime(tokio::runtime::Handle),
}

/// The running emulator.
pub struct Emulator {
    shared: Arc<Shared>,
    limits: Limits,
    health: Arc<Health>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("clock", &self.shared.clock)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Loads the world from `store` and starts the writer on a thread of its own.
    pub fn open(
        store: Arc<dyn Store>,
        clock: EmulatorClock,
        ids: Box<dyn IdGen>,
        limits: Limits,
    ) -> Result<Self, ServiceError> {
        Self::open_on(store, clock, ids, limits, WriterOn::Thread)
    }

    /// Loads the world from `store` and starts the writer where `on` says.
    pub fn open_on(
        store: Arc<dyn Store>,
        clock: EmulatorClock,
        ids: Box<dyn IdGen>,
        limits: Limits,
        on: WriterOn,
    ) -> Result<Self, ServiceError> {
        let snap = store.load()?;
        if let Some(off) = snap.meta.get(CLOCK_KEY).and_then(|v| v.parse().ok()) {
            clock.set_offset_ms(off);
        }
        let world = World::from_records(snap.records);
        let clock_offset = clock.offset_ms();
        let wake = Arc::new(Notify::new());
        let (queue, rx) = Queue::new(wake.clone());
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                world,
                ids,
                writer: queue,
                log: ChangeLog::new(CHANGE_LOG_CAPACITY),
            }),
            clock,
            commands: Mutex::new(CommandLog::new(commands::COMMAND_LOG_CAPACITY)),
            live: watch::Sender::new(Progress {
                clock_offset_ms: clock_offset,
                ..Progress::default()
            }),
        });
        let health = Arc::new(Health::new());
        let writer = Writer::new(store, rx, Arc::downgrade(&shared), health.clone());
        match on {
            WriterOn::Thread => {
                std::thread::Builder::new()
                    .name("vpcpeer-writer".into())
                    .spawn(move || writer.run())
                    .map_err(|e| ServiceError::Store(StoreError::Backend(e.to_string())))?;
            }
            WriterOn::Runtime(runtime) => {
                runtime.spawn(writer.run_task(wake));
            }
        }
        Ok(Emulator {
            shared,
            limits,
            health,
        })
    }

    /// A reproducible emulator for tests and tools: a fresh in-memory store
    /// ([`MemStore`](vpcpeer_store::MemStore)), the clock standing still at `now`, ids drawn from
    /// `seed`, default limits. Two of them given the same commands answer alike.
    pub fn reproducible(now: Timestamp, seed: u64) -> Result<Self, ServiceError> {
        Emulator::open(
            Arc::new(vpcpeer_store::MemStore::new()),
            EmulatorClock::fixed(now),
            Box::new(vpcpeer_model::SeededIds::new(seed)),
            Limits::default(),
        )
    }

    /// The emulator's current time.
    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// Whether the store works now: false from a failed write until a write, or a ping of the
    /// store while degraded (every [`PROBE_EVERY`]), succeeds again and memory is back in step
    /// with the store.
    pub fn is_healthy(&self) -> bool {
        self.health.is_ok()
    }

    /// Quotas in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A fresh id with `prefix` (request ids and the like).
    pub fn fresh_uuid(&self) -> String {
        self.shared.state.lock().ids.uuid()
    }

    async fn wait(rx: oneshot::Receiver<Result<u64, String>>) -> Result<u64, ServiceError> {
        match rx.await {
            Ok(Ok(seq)) => Ok(seq),
            Ok(Err(e)) => Err(ServiceError::NotCommitted(e)),
            Err(_) => Err(ServiceError::WriterGone),
        }
    }

    /// Applies `command` as `scope` in a transaction and, under the same lock, renders its
    /// outcome with `render` (which reads the world as the command left it). On `Ok` the change
    /// is made durable, and the command enters the command log, before this returns; on `Err`,
    /// or when `dry_run`, it is rolled back. If it panics, its changes are rolled back, nothing
    /// is written, and this returns [`ServiceError::Panicked`]. If the store fails the commit, the
    /// changes are taken back out of memory and this returns [`ServiceError::NotCommitted`].
    pub async fn execute<C: Apply, R>(
        &self,
        scope: Scope,
        dry_run: bool,
        command: C,
        render: impl FnOnce(&Tx<'_, '_>, C::Outcome) -> R,
    ) -> Result<Result<R, C::Error>, ServiceError> {
        let logged: Command = command.clone().into();
        self.run(scope, dry_run, Some(logged), move |tx| {
            let outcome = command.apply(tx)?;
            Ok(render(tx, outcome))
        })
        .await
    }

    /// Runs `f` as `scope` in a transaction, like [`execute`](Self::execute) but with a closure
    /// instead of a command value, so it is not in the command log. Only for changes that have
    /// no command yet; being retired.
    pub async fn execute_fn<T, E>(
        &self,
        scope: Scope,
        dry_run: bool,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
    ) -> Result<Result<T, E>, ServiceError> {
        self.run(scope, dry_run, None, f).await
    }

    /// Runs `f` as `scope` on the world, under the world lock, without changing it: reads
    /// (describes, lists, gets). `f` sees the world with every change applied to memory so far.
    pub fn query<R>(&self, scope: Scope, f: impl FnOnce(&Tx<'_, '_>) -> R) -> R {
        let now = self.now();
        let mut guard = self.shared.state.lock();
        let State { world, ids, .. } = &mut *guard;
        let ctx = Ctx {
            scope,
            now,
            ids: ids.as_mut(),
            limits: &self.limits,
        };
        let tx = Tx::new(world, ctx);
        f(&tx)
    }

    /// The committed commands with a sequence number above `since`, at most `limit` of them.
    pub fn commands_since(&self, since: u64, limit: usize) -> LogPage {
        self.shared.commands.lock().since(since, limit)
    }

    /// The body of [`execute`](Self::execute) and [`execute_fn`](Self::execute_fn): `logged`
    /// is the command to log once durable (its ids are recorded while `f` runs).
    async fn run<T, E>(
        &self,
        scope: Scope,
        dry_run: bool,
        logged: Option<Command>,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
    ) -> Result<Result<T, E>, ServiceError> {
        let now = self.now();
        let (rx, v) = {
            let mut guard = self.shared.state.lock();
            let State {
                world,
                ids,
                writer,
                log,
            } = &mut *guard;
            let mut recording = RecordingIds::new(ids.as_mut());
            let ctx = Ctx {
                scope: scope.clone(),
                now,
                ids: &mut recording,
                limits: &self.limits,
            };
            let mut tx = Tx::new(world, ctx);
            let out = match catch_unwind(AssertUnwindSafe(|| f(&mut tx))) {
                Ok(out) => out,
                Err(payload) => {
                    tx.rollback();
                    let message = panic_message(payload.as_ref());
                    tracing::error!(panic = %message,
                        "a command panicked; its transaction was rolled back");
                    if !world.indexes_consistent() {
                        // Only a panic inside the index upkeep itself could get here.
                        tracing::error!("rebuilding the world's indexes after the panic");
                        *world = World::from_records(world.records());
                    }
                    return Err(ServiceError::Panicked(message));
                }
            };
            match out {
                Ok(v) if !dry_run => {
                    let (changes, undo) = tx.commit_with_undo();
                    let drawn = recording.into_drawn();
                    if changes.is_empty() {
                        return Ok(Ok(v));
                    }
                    let logged = logged.map(|command| {
                        Box::new(Pending {
                            at: now,
                            scope,
                            ids: drawn,
                            command,
                        })
                    });
                    let keys: Vec<_> = changes.iter().map(|c| c.key.clone()).collect();
                    let (reply, rx) = oneshot::channel();
                    if let Err(mpsc::SendError(msg)) = writer.send(Msg {
                        op: Op::Commit {
                            changes,
                            undo,
                            logged,
                        },
                        reply,
                    }) {
                        // No writer to make it durable: take it back at once.
                        if let Op::Commit { undo, .. } = msg.op {
                            undo.apply(world);
                        }
                        return Err(ServiceError::WriterGone);
                    }
                    log.push(keys);
                    (rx, v)
                }
                other => {
                    tx.rollback();
                    return Ok(other);
                }
            }
        };
        Self::wait(rx).await?;
        Ok(Ok(v))
    }

    /// Moves the clock forward by `secs` seconds (persisted; if the store fails it, the clock
    /// is put back and this fails).
    pub async fn advance_clock(&self, secs: i64) -> Result<Timestamp, ServiceError> {
        let clock = &self.shared.clock;
        let rx = {
            let guard = self.shared.state.lock();
            let previous_ms = clock.offset_ms();
            let offset_ms = previous_ms.saturating_add(secs.saturating_mul(1000));
            clock.set_offset_ms(offset_ms);
            let (reply, rx) = oneshot::channel();
            let op = Op::Clock {
                offset_ms,
                previous_ms,
            };
            if guard.writer.send(Msg { op, reply }).is_err() {
                clock.set_offset_ms(previous_ms);
                return Err(ServiceError::WriterGone);
            }
            rx
        };
        Self::wait(rx).await?;
        Ok(self.now())
    }

    /// Empties every resource and resets the clock offset (if the store fails it, the world and
    /// clock are put back and this fails).
    pub async fn reset(&self) -> Result<(), ServiceError> {
        let clock = &self.shared.clock;
        let rx = {
            let mut guard = self.shared.state.lock();
            let old = std::mem::take(&mut guard.world);
            let offset_ms = clock.offset_ms();
            clock.set_offset_ms(0);
            let (reply, rx) = oneshot::channel();
            let op = Op::Clear {
                world: Box::new(old),
                offset_ms,
            };
            if let Err(mpsc::SendError(msg)) = guard.writer.send(Msg { op, reply }) {
                if let Op::Clear { world, offset_ms } = msg.op {
                    guard.world = *world;
                    clock.set_offset_ms(offset_ms);
                }
                return Err(ServiceError::WriterGone);
            }
            guard.log.reset();
            rx
        };
        Self::wait(rx).await?;
        Ok(())
    }

    /// Reads the world, under the world lock, with its version and the keys of the records
    /// changed since version `since` (see [`WorldChanges`]): what a reader keeping a derived
    /// structure needs to catch it up consistently with the world it sees. The world may hold
    /// changes not yet durable; if the store fails them they are undone, which is one more
    /// version with their keys.
    pub fn with_world_since<T>(
        &self,
        since: Option<u64>,
        f: impl FnOnce(&World, WorldChanges) -> T,
    ) -> T {
        let guard = self.shared.state.lock();
        let changes = guard.log.changes(since);
        f(&guard.world, changes)
    }

    /// The world's version: bumped by every change set applied to memory, by every undo of
    /// change sets the store failed, and by a reset or a reload.
    pub fn version(&self) -> u64 {
        self.shared.state.lock().log.version()
    }

    /// Follows the emulator: the receiver sees [`Progress`] move once the writer has written
    /// each batch of commits (or undone one, or a clock advance, a reset, a reload). Only the
    /// latest value is kept.
    pub fn subscribe(&self) -> watch::Receiver<Progress> {
        self.shared.live.subscribe()
    }

    /// Reads the world (for snapshots, audits and tests).
    pub fn with_world<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.shared.state.lock().world)
    }
}

#[cfg(test)]
mod faults;
#[cfg(test)]
mod tests;
