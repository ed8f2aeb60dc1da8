//! The writer: it makes the changes applied to memory durable, in the order they were applied,
//! and takes them back out of memory when the store fails them.
//!
//! **Who writes.** The [`Writer`] (the store, the queue's receiving end, the health) sits behind
//! its own lock. When the store commits quickly ([`Store::commits_quickly`]: the default SQLite
//! store, the in-memory one), the request that queued a change yields once (so that the other
//! requests already readable apply and queue theirs), then takes that lock if it is free and
//! commits everything queued itself, in one transaction (leader/follower group commit): there is
//! no hand-off to another thread and no wake-up back, which on this kind of machine cost more
//! than the commit, and the group is as large as with the writer thread. A thread that finds the lock held (someone is committing) rings the
//! writer thread's doorbell instead and waits for its reply; the writer thread then takes the
//! lock and commits what is queued (so nothing queued is ever left behind: whoever holds the
//! lock commits until it finds the queue empty, and whoever finds it held has rung). With a
//! store that waits for a flush or a peer (`--durability full`, PostgreSQL), every commit goes
//! to the writer thread, as before, and a slow commit blocks no request thread.
//!
//! **Group commit.** Consecutive change sets that are queued together go to the store in one
//! [`Store::commit`]; a clock change or a clear goes on its own, in its place in the order.
//!
//! **A failed write is undone.** Change sets reach memory before they are durable, in order. So
//! when the store fails one, memory is ahead of the store by that change set *and by every later
//! one* (its group, the rest of the writer's batch, and whatever `execute` queued meanwhile,
//! which may build on it). The writer takes the world lock, drains the queue (everything in it
//! was applied before the lock was taken, and nothing new can be applied while it is held), and
//! undoes all of them newest first: a change set with its [`Undo`] (the old records), a clock
//! advance by restoring the previous offset, a reset by putting the old world back. The keys it
//! restored go into the [`ChangeLog`](crate::ChangeLog) as a new version (a reset undone is a
//! reset of the log), so readers keeping derived state catch up. Every one of them answers
//! [`ServiceError::NotCommitted`](crate::ServiceError::NotCommitted); none was acknowledged
//! before (replies are sent only after the store returns), so nothing acknowledged is lost and
//! memory again equals the store.
//!
//! **Locks.** The writer never holds the world lock while it talks to the store, and `execute`
//! never waits on the writer while it holds the world lock (it only queues on an unbounded
//! channel), so there is no lock-order cycle, and a slow or reconnecting store never blocks the
//! world lock: requests go on being applied and queued, and wait for their reply.
//!
//! **In doubt, stale, reload.** A store that cannot tell whether a write was applied answers
//! [`StoreError::InDoubt`]; it is undone like any failure (the likely outcome when a connection
//! drops), and the store settles it when it can. If it finds the write was applied after all, or
//! that someone else changed it, it answers [`StoreError::Stale`]: then the writer reloads the
//! whole world (and the clock offset) from the store, which is the truth, failing every change
//! still queued on the old memory. Until a reload succeeds, the emulator stays degraded and fails
//! every write.
//!
//! **Health.** Degraded from a failed write until a write succeeds or, while degraded, a
//! [`Store::ping`] every [`PROBE_EVERY`] does (and a pending reload is done): health reports the
//! store as it is now.
//!
//! A panic inside the store (a bug) is caught and treated as a failure of that write, so the
//! writer thread never dies with changes in memory that the store does not hold.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::oneshot;
use vpcpeer_model::{ChangeSet, Undo, World};
use vpcpeer_store::{Store, StoreError};

use crate::commands::Pending;
use crate::Shared;

/// Metadata key of the clock offset.
pub(crate) const CLOCK_KEY: &str = "clock_offset_ms";

/// Most messages the writer takes from its queue at once.
const MAX_GROUP: usize = 256;

/// How often a degraded writer pings the store to notice that it is back.
pub const PROBE_EVERY: Duration = Duration::from_secs(1);

/// The answer to one queued write: the store's sequence number, or why it was not committed
/// (its in-memory change has been undone).
pub(crate) type Reply = oneshot::Sender<Result<u64, String>>;

/// One write, applied to memory already, waiting to be made durable.
pub(crate) struct Msg {
    pub(crate) op: Op,
    pub(crate) reply: Reply,
}

/// What to write, with what takes it back out of memory.
pub(crate) enum Op {
    /// A committed transaction's changes, and their undo.
    Commit {
        changes: ChangeSet,
        undo: Undo,
        /// The command that made them, for the command log once durable (`None`: a change not
        /// made by a command value).
        logged: Option<Box<Pending>>,
    },
    /// The clock offset moved to `offset_ms` from `previous_ms`.
    Clock { offset_ms: i64, previous_ms: i64 },
    /// A reset: the world and clock offset it replaced.
    Clear { world: Box<World>, offset_ms: i64 },
}

impl Op {
    fn is_commit(&self) -> bool {
        matches!(self, Op::Commit { .. })
    }
}

/// Whether the store works, as of the last write or ping.
#[derive(Debug)]
pub(crate) struct Health {
    ok: AtomicBool,
}

impl Health {
    pub(crate) fn new() -> Self {
        Health {
            ok: AtomicBool::new(true),
        }
    }

    pub(crate) fn is_ok(&self) -> bool {
        self.ok.load(Ordering::SeqCst)
    }

    /// Sets the flag; true when it changed.
    fn set(&self, ok: bool) -> bool {
        self.ok.swap(ok, Ordering::SeqCst) != ok
    }
}

pub(crate) struct Writer {
    store: Arc<dyn Store>,
    rx: Receiver<Msg>,
    health: Arc<Health>,
    /// The store said memory is behind it: reload before anything else.
    reload_needed: bool,
}

/// Runs `op` on the store, turning a panic inside it into a failure.
fn guarded<T>(what: &str, op: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
    catch_unwind(AssertUnwindSafe(op)).unwrap_or_else(|payload| {
        Err(StoreError::Backend(format!(
            "the store panicked during {what}: {}",
            crate::panic_message(payload.as_ref())
        )))
    })
}

/// How many groups a request thread that took the writer's lock commits before it hands the
/// rest of the queue to the writer thread (so a request is not kept committing others' changes
/// for long while its own answer is ready).
const LEADER_ROUNDS: usize = 2;

/// The writer thread: it waits for the doorbell (rung by a request thread that found the writer
/// busy, or by one whose store does not commit quickly) and commits what is queued; while the
/// store is degraded it pings it every [`PROBE_EVERY`]. It ends when the emulator is dropped.
pub(crate) fn run(weak: Weak<Shared>, doorbell: Receiver<()>) {
    loop {
        let rung = match doorbell.recv_timeout(PROBE_EVERY) {
            Ok(()) => true,
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let Some(shared) = weak.upgrade() else {
            return;
        };
        let mut writer = shared.writer.lock();
        if !rung {
            if !writer.health.is_ok() || writer.reload_needed {
                writer.probe(&shared);
            }
            continue;
        }
        // Rings that came while this one waited are served by this drain.
        while doorbell.try_recv().is_ok() {}
        writer.drain(&shared, usize::MAX);
    }
}

impl Writer {
    pub(crate) fn new(store: Arc<dyn Store>, rx: Receiver<Msg>, health: Arc<Health>) -> Self {
        Writer {
            store,
            rx,
            health,
            reload_needed: false,
        }
    }

    /// Commits what is queued, a group (up to [`MAX_GROUP`] messages) at a time, until the queue
    /// is empty or `rounds` groups were committed; true when it found the queue empty.
    pub(crate) fn drain(&mut self, shared: &Shared, rounds: usize) -> bool {
        for _ in 0..rounds {
            let mut batch = VecDeque::new();
            while batch.len() < MAX_GROUP {
                match self.rx.try_recv() {
                    Ok(m) => batch.push_back(m),
                    Err(_) => break,
                }
            }
            if batch.is_empty() {
                return true;
            }
            self.process(shared, batch);
        }
        false
    }

    /// What a request thread does after queueing: commits the queue itself when the writer is
    /// free and the store commits quickly now, else rings the writer thread's doorbell (see the
    /// module docs).
    pub(crate) fn lead_or_ring(shared: &Shared) {
        if let Some(mut writer) = shared.writer.try_lock() {
            if writer.store.commits_quickly() && writer.drain(shared, LEADER_ROUNDS) {
                return;
            }
        }
        if shared.doorbell.send(()).is_err() {
            // The writer thread is gone (it ends only when the emulator is dropped): commit here.
            shared.writer.lock().drain(shared, usize::MAX);
        }
    }

    fn process(&mut self, shared: &Shared, mut batch: VecDeque<Msg>) {
        if self.reload_needed {
            let reason = "the world is being reloaded from the store".to_owned();
            if let Err(back) = self.reload(shared, batch.into(), &reason) {
                self.undo(shared, back, &reason);
            }
            return;
        }
        while let Some(front) = batch.front() {
            let n = if front.op.is_commit() {
                batch.iter().take_while(|m| m.op.is_commit()).count()
            } else {
                1
            };
            let res = match &front.op {
                Op::Commit { .. } => {
                    let sets: Vec<&ChangeSet> = batch
                        .iter()
                        .take(n)
                        .filter_map(|m| match &m.op {
                            Op::Commit { changes, .. } => Some(changes),
                            _ => None,
                        })
                        .collect();
                    guarded("commit", || self.store.commit(&sets))
                }
                Op::Clock { offset_ms, .. } => guarded("put_meta", || {
                    self.store
                        .put_meta(CLOCK_KEY, &offset_ms.to_string())
                        .map(|()| 0)
                }),
                Op::Clear { .. } => guarded("clear", || self.store.clear().map(|()| 0)),
            };
            match res {
                Ok(seq) => {
                    if self.health.set(true) {
                        tracing::warn!("the store works again");
                    }
                    Self::log_durable(shared, batch.iter_mut().take(n));
                    for m in batch.drain(..n) {
                        // The undo information (and a reset's old world) is dropped here, on
                        // this thread, not under the world lock.
                        let _ = m.reply.send(Ok(seq));
                    }
                }
                Err(e) => {
                    self.failed(shared, batch.into(), e);
                    return;
                }
            }
        }
    }

    /// Puts the commands of `durable` (just made durable, in commit order) into the command log;
    /// a durable reset empties it.
    fn log_durable<'m>(shared: &Shared, durable: impl Iterator<Item = &'m mut Msg>) {
        let mut log = shared.commands.lock();
        for m in durable {
            match &mut m.op {
                Op::Commit { logged, .. } => {
                    if let Some(p) = logged.take() {
                        log.push(*p);
                    }
                }
                Op::Clear { .. } => log.clear(),
                Op::Clock { .. } => {}
            }
        }
    }

    /// The store failed the first of `failed`: undo it and everything after it.
    fn failed(&mut self, shared: &Shared, failed: Vec<Msg>, e: StoreError) {
        let reason = format!("the store failed: {e}");
        self.health.set(false);
        tracing::error!(error = %e, writes = failed.len(),
            "a write failed; undoing it, and every later write, in memory");
        let failed = if matches!(e, StoreError::Stale(_)) {
            self.reload_needed = true;
            match self.reload(shared, failed, &reason) {
                Ok(()) => return,
                Err(back) => back,
            }
        } else {
            failed
        };
        self.undo(shared, failed, &reason);
    }

    /// Takes `failed` and everything still queued out of memory, newest first, and fails them.
    fn undo(&mut self, shared: &Shared, failed: Vec<Msg>, reason: &str) {
        let mut replies = Vec::new();
        let mut dropped = Vec::new();
        {
            let mut st = shared.state.lock();
            let mut all = failed;
            // Everything queued was applied before this lock was taken, on top of `failed`.
            all.extend(self.rx.try_iter());
            let mut keys = Vec::new();
            let mut reset = false;
            for m in all.into_iter().rev() {
                match m.op {
                    Op::Commit { undo, .. } => {
                        keys.extend(undo.keys().cloned());
                        undo.apply(&mut st.world);
                    }
                    Op::Clock { previous_ms, .. } => shared.clock.set_offset_ms(previous_ms),
                    Op::Clear { world, offset_ms } => {
                        dropped.push(std::mem::replace(&mut st.world, *world));
                        shared.clock.set_offset_ms(offset_ms);
                        reset = true;
                    }
                }
                replies.push(m.reply);
            }
            if reset {
                st.log.reset();
            } else if !keys.is_empty() {
                st.log.push(keys);
            }
        }
        drop(dropped);
        tracing::warn!(
            undone = replies.len(),
            "in-memory state is back to what the store holds"
        );
        for r in replies {
            let _ = r.send(Err(format!("{reason}; undone in memory")));
        }
    }

    /// Replaces the world and clock offset with the store's; fails `in_hand` and everything
    /// queued (they were applied to the memory being replaced). Gives `in_hand` back when the
    /// store cannot be read.
    fn reload(&mut self, shared: &Shared, in_hand: Vec<Msg>, reason: &str) -> Result<(), Vec<Msg>> {
        // The writer is the store's only writer, so what it reads here stays current until it
        // has swapped it in.
        let snap = match guarded("load", || self.store.load()) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot reload the world from the store yet");
                return Err(in_hand);
            }
        };
        let offset = snap
            .meta
            .get(CLOCK_KEY)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let world = World::from_records(snap.records);
        let mut all = in_hand;
        let old = {
            let mut st = shared.state.lock();
            all.extend(self.rx.try_iter());
            shared.clock.set_offset_ms(offset);
            st.log.reset();
            shared.commands.lock().clear();
            std::mem::replace(&mut st.world, world)
        };
        drop(old);
        self.reload_needed = false;
        self.health.set(true);
        tracing::warn!(
            failed = all.len(),
            "reloaded the world from the store, which is the truth"
        );
        fail_all(
            all,
            &format!("{reason}; the world was reloaded from the store"),
        );
        Ok(())
    }

    /// While degraded: is the store back?
    fn probe(&mut self, shared: &Shared) {
        match guarded("ping", || self.store.ping()) {
            Ok(()) if self.reload_needed => {
                let _ = self.reload(shared, Vec::new(), "the store is back");
            }
            Ok(()) => {
                if self.health.set(true) {
                    tracing::warn!("the store works again");
                }
            }
            Err(StoreError::Stale(why)) => {
                tracing::warn!(reason = %why, "the store changed behind this server; reloading");
                self.reload_needed = true;
                let _ = self.reload(shared, Vec::new(), "the store is back");
            }
            Err(e) => tracing::debug!(error = %e, "the store still fails"),
        }
    }
}

fn fail_all(msgs: Vec<Msg>, reason: &str) {
    for m in msgs {
        let _ = m.reply.send(Err(reason.to_owned()));
    }
}
