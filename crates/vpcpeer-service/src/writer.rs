//! The writer: it makes the changes applied to memory durable, in the order they were
//! applied, and takes them back out of memory when the store fails them.
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
//! **Where it runs.** On a thread of its own ([`Writer::run`]), which sleeps while the store
//! works: for a store whose commit waits on a device or a network. Or as a task on the server's
//! runtime ([`Writer::run_task`]), for a store whose commit is a few microseconds of CPU: then a
//! change costs no hand-off between threads (two context switches and two wake-ups a request on
//! a busy core), and the task gathers its group by yielding to the scheduler for a few rounds
//! before it commits, so the requests already under way join the commit. Both run the same
//! [`Writer::process`]. On the runtime, whatever a commit waits for holds up that runtime thread
//! (the SQLite store's short checkpoint catch-up, once per 64 MiB of WAL; a reload after a stale
//! store); the other runtime threads go on serving.
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
//! **Watchers.** After each batch (and each probe) the writer publishes the command log's last
//! sequence number, the world's version and the clock offset ([`crate::Progress`]) on a
//! `tokio::sync::watch` channel, which wakes whoever follows the emulator
//! ([`Emulator::subscribe`](crate::Emulator::subscribe): the console's event stream) only when
//! one of them moved.
//!
//! A panic inside the store (a bug) is caught and treated as a failure of that write, so the
//! writer thread never dies with changes in memory that the store does not hold.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::{oneshot, Notify};
use vpcpeer_model::{ChangeSet, Undo, World};
use vpcpeer_store::{Store, StoreError};

use crate::commands::Pending;
use crate::Shared;

/// Metadata key of the clock offset.
pub(crate) const CLOCK_KEY: &str = "clock_offset_ms";

/// Most messages the writer takes from its queue at once.
const MAX_GROUP: usize = 256;

/// How many rounds of the scheduler the writer task lets run, gathering the changes they queue,
/// before it commits a group (fewer when the group is full or the queue closed). A round costs
/// about a microsecond when nothing else is ready; under load, more rounds make larger groups
/// (the CreateTags benchmark, 8 connections: 3.1 changes a commit after one round, 7.9 after
/// eight).
const GATHER_ROUNDS: usize = 8;

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

/// The writer's queue as the emulator holds it: a send wakes the writer task (a thread needs no
/// more than the channel); dropping it ends the writer, thread or task, once it has drained what
/// was sent.
pub(crate) struct Queue {
    /// `None` only while being dropped.
    tx: Option<mpsc::Sender<Msg>>,
    wake: Arc<Notify>,
}

impl Queue {
    /// A queue and its receiving end; `wake` is notified on every send and on drop.
    pub(crate) fn new(wake: Arc<Notify>) -> (Self, Receiver<Msg>) {
        let (tx, rx) = mpsc::channel();
        (Queue { tx: Some(tx), wake }, rx)
    }

    /// Queues `msg` (never blocks); gives it back when the writer is gone.
    pub(crate) fn send(&self, msg: Msg) -> Result<(), mpsc::SendError<Msg>> {
        match &self.tx {
            Some(tx) => tx.send(msg)?,
            None => return Err(mpsc::SendError(msg)),
        }
        self.wake.notify_one();
        Ok(())
    }
}

impl Drop for Queue {
    fn drop(&mut self) {
        // The sender goes first, so that the task it wakes finds the queue closed.
        drop(self.tx.take());
        self.wake.notify_one();
    }
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
    /// The emulator; gone when it was dropped (then nothing is left to undo).
    shared: Weak<Shared>,
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

impl Writer {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        rx: Receiver<Msg>,
        shared: Weak<Shared>,
        health: Arc<Health>,
    ) -> Self {
        Writer {
            store,
            rx,
            shared,
            health,
            reload_needed: false,
        }
    }

    /// Serves the queue on a thread of its own until the emulator is dropped.
    pub(crate) fn run(mut self) {
        loop {
            let first = if self.health.is_ok() && !self.reload_needed {
                match self.rx.recv() {
                    Ok(m) => m,
                    Err(_) => return,
                }
            } else {
                match self.rx.recv_timeout(PROBE_EVERY) {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        self.probe();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            let mut batch = VecDeque::from([first]);
            self.gather(&mut batch);
            self.process(batch);
        }
    }

    /// Serves the queue as a task on the runtime until the emulator is dropped (see the module
    /// doc). `wake` is notified on every send and when the queue is dropped. The runtime needs
    /// its time driver while the store is degraded (the probe).
    pub(crate) async fn run_task(mut self, wake: Arc<Notify>) {
        let mut full = false;
        loop {
            if full {
                // The last group was cut at its size limit: the rest is queued already.
            } else if self.health.is_ok() && !self.reload_needed {
                wake.notified().await;
            } else if tokio::time::timeout(PROBE_EVERY, wake.notified())
                .await
                .is_err()
            {
                self.probe();
                continue;
            }
            let mut batch = VecDeque::new();
            let mut open = self.gather(&mut batch);
            // Let the requests under way queue theirs: a few rounds of the scheduler, in which
            // every task that is ready runs and the connections that became readable are read.
            for _ in 0..GATHER_ROUNDS {
                if !open || batch.is_empty() || batch.len() >= MAX_GROUP {
                    break;
                }
                tokio::task::yield_now().await;
                open = self.gather(&mut batch);
            }
            full = batch.len() >= MAX_GROUP;
            if !batch.is_empty() {
                self.process(batch);
            }
            if !open {
                return;
            }
        }
    }

    /// Moves what is queued into `batch`, up to [`MAX_GROUP`]; false when the queue is closed
    /// (the emulator is gone) and empty.
    fn gather(&self, batch: &mut VecDeque<Msg>) -> bool {
        while batch.len() < MAX_GROUP {
            match self.rx.try_recv() {
                Ok(m) => batch.push_back(m),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
        true
    }

    /// Writes `batch` (see [`Writer::write`]), then tells the watchers what moved
    /// ([`Shared::announce`]).
    fn process(&mut self, batch: VecDeque<Msg>) {
        self.write(batch);
        if let Some(shared) = self.shared.upgrade() {
            shared.announce();
        }
    }

    fn write(&mut self, mut batch: VecDeque<Msg>) {
        if self.reload_needed {
            let reason = "the world is being reloaded from the store".to_owned();
            if let Err(back) = self.reload(batch.into(), &reason) {
                self.undo(back, &reason);
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
                    self.log_durable(batch.iter_mut().take(n));
                    for m in batch.drain(..n) {
                        // The undo information (and a reset's old world) is dropped here, on
                        // this thread, not under the world lock.
                        let _ = m.reply.send(Ok(seq));
                    }
                }
                Err(e) => {
                    self.failed(batch.into(), e);
                    return;
                }
            }
        }
    }

    /// Puts the commands of `durable` (just made durable, in commit order) into the command log;
    /// a durable reset empties it.
    fn log_durable<'m>(&self, durable: impl Iterator<Item = &'m mut Msg>) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
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
    fn failed(&mut self, failed: Vec<Msg>, e: StoreError) {
        let reason = format!("the store failed: {e}");
        self.health.set(false);
        tracing::error!(error = %e, writes = failed.len(),
            "a write failed; undoing it, and every later write, in memory");
        let failed = if matches!(e, StoreError::Stale(_)) {
            self.reload_needed = true;
            match self.reload(failed, &reason) {
                Ok(()) => return,
                Err(back) => back,
            }
        } else {
            failed
        };
        self.undo(failed, &reason);
    }

    /// Takes `failed` and everything still queued out of memory, newest first, and fails them.
    fn undo(&mut self, failed: Vec<Msg>, reason: &str) {
        let Some(shared) = self.shared.upgrade() else {
            return fail_all(failed, reason);
        };
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
    fn reload(&mut self, in_hand: Vec<Msg>, reason: &str) -> Result<(), Vec<Msg>> {
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
        let Some(shared) = self.shared.upgrade() else {
            fail_all(in_hand, reason);
            return Ok(());
        };
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

    /// While degraded: is the store back? (A reload tells the watchers.)
    fn probe(&mut self) {
        self.ping();
        if let Some(shared) = self.shared.upgrade() {
            shared.announce();
        }
    }

    fn ping(&mut self) {
        match guarded("ping", || self.store.ping()) {
            Ok(()) if self.reload_needed => {
                let _ = self.reload(Vec::new(), "the store is back");
            }
            Ok(()) => {
                if self.health.set(true) {
                    tracing::warn!("the store works again");
                }
            }
            Err(StoreError::Stale(why)) => {
                tracing::warn!(reason = %why, "the store changed behind this server; reloading");
                self.reload_needed = true;
                let _ = self.reload(Vec::new(), "the store is back");
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
