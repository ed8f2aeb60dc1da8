//! WAL checkpoints off the request path.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses the threshold, in the
//! service's writer: that commit, and every request queued behind it, waits while the WAL is
//! fsynced and copied back into the database file. Here automatic checkpoints are off
//! (`wal_autocheckpoint=0`) and a [`Checkpointer`] thread runs `PRAGMA wal_checkpoint(PASSIVE)`
//! instead, with the same `synchronous` level as the writer (so the WAL is fsynced before its
//! frames are copied and the database file after).
//!
//! The writer's connection holds the database in SQLite's exclusive locking mode (no file locks
//! and no shared-memory WAL index on each commit: about a third of a commit's CPU), so no other
//! connection may open it, and the helper checkpoints on the writer's own connection, holding
//! the writer's lock: a commit that comes meanwhile waits for the checkpoint (an fsync of the
//! WAL and one of the database file with `synchronous=NORMAL`). So the helper checkpoints when
//! the writes pause: after [`IDLE`] without a commit, when any were made since the last
//! checkpoint. Under a steady stream of commits it checkpoints once [`RESTART_WRITES`] records
//! were written since the last one (about as many WAL pages: 16 MiB), so that the WAL stays
//! bounded.
//!
//! What keeps that wait short is that the WAL is on disk already: every [`SYNC_WRITES`] records
//! written, the helper fsyncs the WAL file (`fdatasync` on a descriptor of its own, without the
//! writer's lock; the writer goes on appending meanwhile). Left to pile up, the WAL's dirty pages
//! would be written back in one go inside the checkpoint's fsync (16 MiB: tens of milliseconds
//! with every request waiting), or the kernel would throttle the writer itself once there are
//! too many. The checkpoint then fsyncs only the few frames since, copies the few pages the
//! commits changed (the same pages, written again and again) and fsyncs those: a few
//! milliseconds, once per [`RESTART_WRITES`] records (the CreateTags benchmark: about once a
//! second). SQLite does not lock the WAL file (only the database file, which the helper does not
//! open), so the helper's descriptor cannot release a lock of SQLite's when it is closed.
//!
//! With one connection, a checkpoint copies every frame (no reader holds one back), and the
//! writer's next transaction starts the WAL over from its beginning.
//!
//! Durability is unchanged: a commit is durable when [`crate::SqliteStore::commit`] returns (in
//! the WAL, fsynced with `Durability::Full`); checkpoints only move committed pages from the WAL
//! into the database file, and a crash during one is recovered by SQLite from the WAL on the
//! next open.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use vpcpeer_store::StoreError;

/// How long the writes pause before the helper checkpoints what they wrote.
pub(crate) const IDLE: Duration = Duration::from_millis(200);
/// Records written since the last checkpoint from which the helper checkpoints without waiting
/// for a pause (each writes about one WAL page of 4 KiB: 16 MiB).
#[cfg(not(test))]
pub(crate) const RESTART_WRITES: u64 = 4_096;
#[cfg(test)]
pub(crate) const RESTART_WRITES: u64 = 64;
/// Records written since the WAL was last fsynced from which the helper fsyncs it (2 MiB).
#[cfg(not(test))]
pub(crate) const SYNC_WRITES: u64 = 512;
#[cfg(test)]
pub(crate) const SYNC_WRITES: u64 = 16;

/// What the writer and the helper share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Commits made, ever (the helper compares it with what it saw).
    commits: AtomicU64,
    /// Records written since the last checkpoint.
    writes: AtomicU64,
    /// Records written since the WAL was last fsynced.
    unsynced: AtomicU64,
    /// Set on drop: the helper stops.
    stop: Mutex<bool>,
    wake: Condvar,
}

impl Shared {
    /// Called by the writer after each commit that wrote `records` records (or deleted them).
    pub(crate) fn committed(&self, records: u64) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        let before = self.writes.fetch_add(records, Ordering::Relaxed);
        let unsynced = self.unsynced.fetch_add(records, Ordering::Relaxed);
        if (before < RESTART_WRITES && before + records >= RESTART_WRITES)
            || (unsynced < SYNC_WRITES && unsynced + records >= SYNC_WRITES)
        {
            self.wake.notify_one();
        }
    }
}

/// The helper thread.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    pub(crate) shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Runs one passive checkpoint on `conn`: (busy, frames in the WAL, frames backfilled).
pub(crate) fn passive(conn: &Connection) -> rusqlite::Result<(bool, i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get::<_, i64>(0)? != 0, r.get(1)?, r.get(2)?))
    })
}

impl Checkpointer {
    /// Starts the helper on the writer's connection: `writer` is the lock the writer holds while
    /// it commits, `conn` finds the connection in what it guards; `wal` is the WAL file.
    pub(crate) fn start<T: Send + 'static>(
        writer: Arc<Mutex<T>>,
        conn: fn(&T) -> &Connection,
        wal: PathBuf,
    ) -> Result<Self, StoreError> {
        let shared = Arc::new(Shared::default());
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&theirs, &writer, conn, &wal))
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }
}

/// Writes the WAL's pages to disk (a missing file has none).
fn sync(wal: &Path) {
    if let Ok(f) = std::fs::File::open(wal) {
        let _ = f.sync_data();
    }
}

fn run<T>(shared: &Shared, writer: &Mutex<T>, conn: fn(&T) -> &Connection, wal: &Path) {
    // Commits as of the helper's last look.
    let mut seen = 0;
    loop {
        {
            let stop = shared.stop.lock().unwrap_or_else(|e| e.into_inner());
            if *stop {
                return;
            }
            let (stop, _) = shared
                .wake
                .wait_timeout_while(stop, IDLE, |stop| {
                    !*stop
                        && shared.writes.load(Ordering::Relaxed) < RESTART_WRITES
                        && shared.unsynced.load(Ordering::Relaxed) < SYNC_WRITES
                })
                .unwrap_or_else(|e| e.into_inner());
            if *stop {
                return;
            }
        }
        let commits = shared.commits.load(Ordering::Relaxed);
        let paused = commits == seen;
        seen = commits;
        let writes = shared.writes.load(Ordering::Relaxed);
        if writes == 0 {
            // Records counted as unsynced but written before the last checkpoint took the lock
            // are in it (it fsyncs the WAL): forget them, or the wait above would not wait.
            shared.unsynced.store(0, Ordering::Relaxed);
            continue;
        }
        // Counted before the fsync: what is written meanwhile may not be in it.
        shared.unsynced.store(0, Ordering::Relaxed);
        sync(wal);
        if !paused && writes < RESTART_WRITES {
            continue;
        }
        let writer = writer.lock().unwrap_or_else(|e| e.into_inner());
        // Counted under the writer's lock: every record written so far is in the WAL being
        // checkpointed.
        shared.writes.store(0, Ordering::Relaxed);
        // A failed checkpoint is harmless (the frames stay in the WAL, which SQLite reads as
        // part of the database); the next one retries.
        // (Counted back below the threshold, so that it is retried on the next pause or after
        // more writes, not at once.)
        if passive(conn(&writer)).is_err() {
            shared
                .writes
                .fetch_add(writes.clamp(1, RESTART_WRITES - 1), Ordering::Relaxed);
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        *self.shared.stop.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
