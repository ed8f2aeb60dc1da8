//! WAL checkpoints off the request path.
//!
//! SQLite's automatic checkpoint runs inside the commit that crosses the threshold, in the
//! service's writer: that commit, and every request queued behind it, waits while the WAL is
//! fsynced and copied back into the database file. Here automatic checkpoints are off
//! (`wal_autocheckpoint=0`) and a [`Checkpointer`] thread with a connection of its own runs
//! `PRAGMA wal_checkpoint(PASSIVE)` every [`EVERY_COMMITS`] commits (or every [`EVERY`] when
//! there were any). A passive checkpoint never blocks the writer: it copies the frames that were
//! committed when it started, with the same `synchronous` level as the writer (so the WAL is
//! fsynced before its frames are copied and the database file after), and the writer goes on
//! appending meanwhile.
//!
//! The WAL file restarts from its beginning only when a write transaction starts while every
//! frame is backfilled. Under a steady stream of commits a passive checkpoint never quite catches
//! up (each pass ends a few commits behind), so when the WAL holds [`RESTART_FRAMES`] frames or
//! more the helper runs one more pass holding the writer's lock: nearly every frame is backfilled
//! by then, so that pass is short (the frames committed since the previous one), and the writer's
//! next transaction starts the WAL over. The WAL file therefore stays about [`RESTART_FRAMES`]
//! pages (64 MiB) at most, as with SQLite's automatic checkpoint at that threshold before, and
//! the writer waits only for that short pass, once per 64 MiB written, instead of for a whole
//! checkpoint.
//!
//! Durability is unchanged: a commit is durable when [`crate::SqliteStore::commit`] returns, as
//! before (in the WAL, fsynced with `Durability::Full`); checkpoints only move committed pages
//! from the WAL into the database file, and a crash during one is recovered by SQLite from the
//! WAL on the next open.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;
use vpcpeer_store::StoreError;

/// Commits between two passive checkpoints of the helper (sooner when idle: see [`EVERY`]).
#[cfg(not(test))]
pub(crate) const EVERY_COMMITS: u64 = 512;
#[cfg(test)]
pub(crate) const EVERY_COMMITS: u64 = 8;
/// The longest the helper waits before checkpointing commits it has not yet seen.
pub(crate) const EVERY: Duration = Duration::from_millis(200);
/// WAL size (in pages) from which the helper completes a checkpoint holding the writer's lock,
/// so that the WAL restarts from its beginning (16,384 pages of 4 KiB: 64 MiB).
#[cfg(not(test))]
pub(crate) const RESTART_FRAMES: i64 = 16_384;
#[cfg(test)]
pub(crate) const RESTART_FRAMES: i64 = 64;

/// What the writer and the helper share.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Commits since the helper's last pass.
    commits: AtomicU64,
    /// Set on drop: the helper stops.
    stop: Mutex<bool>,
    wake: Condvar,
}

impl Shared {
    /// Called by the writer after each commit.
    pub(crate) fn committed(&self) {
        if self.commits.fetch_add(1, Ordering::Relaxed) + 1 == EVERY_COMMITS {
            self.wake.notify_one();
        }
    }
}

/// The helper thread and its connection.
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
    /// Opens the helper's connection to `db` (with `synchronous` as given) and starts it.
    /// `writer` is the lock the writer holds while it commits.
    pub(crate) fn start<T: Send + 'static>(
        db: &Path,
        synchronous: &str,
        writer: Arc<Mutex<T>>,
    ) -> Result<Self, StoreError> {
        let backend = |e: rusqlite::Error| StoreError::Backend(e.to_string());
        let conn = Connection::open(db).map_err(backend)?;
        conn.busy_timeout(Duration::from_millis(250))
            .map_err(backend)?;
        conn.execute_batch(&format!(
            "PRAGMA synchronous={synchronous}; PRAGMA wal_autocheckpoint=0;"
        ))
        .map_err(backend)?;
        let shared = Arc::new(Shared::default());
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &theirs, &writer))
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }
}

fn run<T>(conn: &Connection, shared: &Shared, writer: &Mutex<T>) {
    loop {
        {
            let stop = shared.stop.lock().unwrap_or_else(|e| e.into_inner());
            if *stop {
                return;
            }
            let (stop, _) = shared
                .wake
                .wait_timeout_while(stop, EVERY, |stop| {
                    !*stop && shared.commits.load(Ordering::Relaxed) < EVERY_COMMITS
                })
                .unwrap_or_else(|e| e.into_inner());
            if *stop {
                return;
            }
        }
        if shared.commits.swap(0, Ordering::Relaxed) == 0 {
            continue;
        }
        // A failed or busy checkpoint is harmless (the frames stay in the WAL, which SQLite
        // reads as part of the database); the next pass retries.
        if let Ok((_, log, _)) = passive(conn) {
            if log >= RESTART_FRAMES {
                // Catch up with the writer held off, so that its next transaction restarts the
                // WAL (see the module docs).
                let _writer = writer.lock().unwrap_or_else(|e| e.into_inner());
                let _ = passive(conn);
            }
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
