//! SQLite backend of the [`Store`] trait: one database file in the data directory, WAL journal.
//! One server per data directory: the store holds an exclusive lock (`flock`) on
//! `vpcpeer.lock` in the directory for as long as it is open, and a second store on the same
//! directory is refused at open. The store's one connection also holds the database in SQLite's
//! exclusive locking mode (`locking_mode=EXCLUSIVE`, set before WAL mode, so that the WAL index
//! is in the process's memory, not in a shared `-shm` file): a commit takes no file lock and
//! touches no shared memory. No other connection can read the file while the store is open.
//!
//! Durability: with [`Durability::Normal`] (the server's default) a commit is in the WAL file when
//! it returns, so an acknowledged change survives any crash of the process (`kill -9`), but the
//! last ones may be lost if the machine loses power. With [`Durability::Full`] every commit is
//! also fsynced before it returns, so it survives a crash of the machine too. The service batches concurrent commits into one transaction, so the
//! cost of an fsync is shared by every request waiting on it.
//!
//! Failures: every write is one SQLite transaction, rolled back when any statement or the commit
//! itself fails (disk full, a read-only file, an I/O error), so a failed write leaves nothing
//! behind and the service takes the in-memory change back. A SQLite commit is never in doubt.
//!
//! Checkpoints: SQLite's automatic checkpoint would run inside the commit that crosses its
//! threshold, stalling that commit and every request queued behind it while the WAL is fsynced
//! and copied back. It is off; a thread of the store checkpoints instead, when the writes pause
//! ([`checkpoint`]).

use std::fs::{File, TryLockError};
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use vpcpeer_model::ChangeSet;
use vpcpeer_store::{check_version, decode, encode, Snapshot, Store, StoreError, FORMAT_VERSION};

mod checkpoint;

use checkpoint::Checkpointer;

/// How hard a commit waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync on every commit (SQLite `synchronous=FULL`).
    Full,
    /// Survives process crashes; may lose the last commits on power loss (`synchronous=NORMAL`).
    Normal,
}

/// A store in a SQLite database file.
#[derive(Debug)]
pub struct SqliteStore {
    /// The store's one connection (the checkpoint thread uses it too, between commits).
    conn: Arc<Mutex<Inner>>,
    /// The checkpoint thread. Declared before the lock file, so that it stops (and drops its
    /// handle on the connection, closing it) before the lock is released.
    checkpointer: Checkpointer,
    /// `vpcpeer.lock`, held locked while the store is open.
    _lock: File,
}

#[derive(Debug)]
struct Inner {
    conn: Connection,
    /// The last committed sequence number (also stored in `meta`).
    seq: u64,
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (or creates) the database `vpcpeer.db` in `dir`.
    pub fn open(dir: &Path, durability: Durability) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        let in_use = || {
            StoreError::Backend(format!(
                "the data directory {} is in use by another vpcpeer server",
                dir.display()
            ))
        };
        let lock_path = dir.join("vpcpeer.lock");
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                StoreError::Backend(format!("cannot open {}: {e}", lock_path.display()))
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(in_use()),
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::Backend(format!(
                    "cannot lock {}: {e}",
                    lock_path.display()
                )))
            }
        }
        let db = dir.join("vpcpeer.db");
        let conn = Connection::open(&db).map_err(backend)?;
        // Only this process uses the file; waiting on a lock held by another server is pointless.
        conn.busy_timeout(std::time::Duration::from_millis(250))
            .map_err(backend)?;
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA locking_mode=EXCLUSIVE;
             PRAGMA journal_mode=WAL;
             PRAGMA synchronous={sync};
             PRAGMA temp_store=MEMORY;
             PRAGMA cache_size=-16384;
             PRAGMA wal_autocheckpoint=0;
             CREATE TABLE IF NOT EXISTS records (
                 tbl TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL,
                 seq INTEGER NOT NULL DEFAULT 0,
                 PRIMARY KEY (tbl, id)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        ))
        .map_err(|e| match e.sqlite_error_code() {
            // A server of an older release holds the file in SQLite's exclusive locking mode.
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                in_use()
            }
            _ => backend(e),
        })?;
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key='format_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES('format_version', ?1)",
                    params![FORMAT_VERSION.to_string()],
                )
                .map_err(backend)?;
            }
            Some(v) => check_version(v.parse().unwrap_or(0))?,
        }
        let seq = last_seq(&conn).map_err(backend)?;
        let conn = Arc::new(Mutex::new(Inner { conn, seq }));
        let checkpointer = Checkpointer::start(
            conn.clone(),
            |inner: &Inner| &inner.conn,
            dir.join("vpcpeer.db-wal"),
        )?;
        Ok(SqliteStore {
            conn,
            checkpointer,
            _lock: lock,
        })
    }
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let inner = self.conn.lock().expect("poisoned");
        let conn = &inner.conn;
        let mut snap = Snapshot::default();
        let mut stmt = conn
            .prepare("SELECT tbl, id, body FROM records")
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(backend)?;
        for row in rows {
            let (tbl, id, body) = row.map_err(backend)?;
            snap.records.push(decode(&tbl, &id, &body)?);
        }
        let mut stmt = conn
            .prepare("SELECT key, value FROM meta")
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(backend)?;
        for row in rows {
            let (k, v) = row.map_err(backend)?;
            if k != "seq" && k != "format_version" {
                snap.meta.insert(k, v);
            }
        }
        snap.seq = inner.seq;
        Ok(snap)
    }

    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let mut inner = self.conn.lock().expect("poisoned");
        let seq = inner.seq + 1;
        let mut written = 0;
        in_transaction(&inner.conn, |conn| {
            written = write_all(conn, batches, seq)?;
            Ok(())
        })
        .map_err(backend)?;
        inner.seq = seq;
        self.checkpointer.shared.committed(written);
        Ok(seq)
    }

    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let inner = self.conn.lock().expect("poisoned");
        inner
            .conn
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
                params![key, value],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        let mut inner = self.conn.lock().expect("poisoned");
        // One transaction, rolled back when any part fails (disk full, I/O error), so a failed
        // clear leaves the records, the metadata and the sequence number as they were.
        let tx = inner.conn.transaction().map_err(backend)?;
        tx.execute_batch("DELETE FROM records; DELETE FROM meta WHERE key <> 'format_version';")
            .map_err(backend)?;
        tx.commit().map_err(backend)?;
        inner.seq = 0;
        Ok(())
    }

    /// A write that changes nothing a load returns: the `format_version` row is rewritten with
    /// its own value, so a full disk or a read-only file fails the ping as it fails a commit.
    fn ping(&self) -> Result<(), StoreError> {
        let mut inner = self.conn.lock().expect("poisoned");
        let tx = inner.conn.transaction().map_err(backend)?;
        tx.execute(
            "UPDATE meta SET value = value WHERE key = 'format_version'",
            [],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }
}

/// Runs `write` in one transaction on `conn`, committed when it succeeds, rolled back when it
/// or the commit fails. The same as rusqlite's `Transaction`, with `BEGIN` and `COMMIT` as cached
/// statements: `Transaction` parses them again on every commit (about 1.5 % of the server's time
/// under CreateTags load).
fn in_transaction(
    conn: &Connection,
    write: impl FnOnce(&Connection) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    let done = write(conn).and_then(|()| conn.prepare_cached("COMMIT")?.execute([]).map(drop));
    if done.is_err() && !conn.is_autocommit() {
        // A failed statement leaves the transaction open, and so may a failed COMMIT (busy);
        // nothing of it may stay behind. A rollback that fails leaves SQLite's own rollback.
        let _ = conn.execute_batch("ROLLBACK");
    }
    done
}

/// The last commit number of the database `conn` opened (see [`write_all`]): the larger of the
/// `seq` row of `meta` and the largest `seq` of a record. A database of an earlier release,
/// whose records have no `seq` column yet, gets it (0 for every record: its number is in `meta`).
/// The number found is written to the `meta` row, so that an earlier release opening the file
/// again, which reads only that row, goes on from it.
fn last_seq(conn: &Connection) -> rusqlite::Result<u64> {
    let has_column: bool = conn.query_row(
        "SELECT count(*) FROM pragma_table_info('records') WHERE name = 'seq'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    if !has_column {
        conn.execute_batch("ALTER TABLE records ADD COLUMN seq INTEGER NOT NULL DEFAULT 0")?;
    }
    let in_meta: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key='seq'", [], |r| r.get(0))
        .optional()?;
    let in_meta: u64 = in_meta.and_then(|v| v.parse().ok()).unwrap_or(0);
    let in_records: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM records", [], |r| {
        r.get(0)
    })?;
    let seq = in_meta.max(u64::try_from(in_records).unwrap_or(0));
    if seq != in_meta {
        write_seq(conn, seq)?;
    }
    Ok(seq)
}

/// The statements of one commit, inside its transaction: the last value of each record its
/// change sets touched (a record several of them changed is written once), each with the commit
/// number `seq`. Returns how many records it wrote or deleted.
///
/// The last commit number is not written on its own when the commit writes a record: every
/// record written carries it, and [`last_seq`] finds the largest at open. A row of `meta`
/// rewritten on every commit would add a page to every commit (the record's page and the meta
/// page: two WAL frames instead of one). Only a commit that writes no record (deletes only) writes
/// its number to `meta`. The largest of the two is always the last commit's: that commit left
/// either a record or the `meta` row with its number, and only a later commit, with a larger
/// number, can overwrite or delete it. It is in the same transaction, so as durable as the rest.
fn write_all(conn: &Connection, batches: &[&ChangeSet], seq: u64) -> rusqlite::Result<u64> {
    let mut put = conn.prepare_cached(
        "INSERT OR REPLACE INTO records(tbl, id, body, seq) VALUES(?1, ?2, ?3, ?4)",
    )?;
    let mut del = conn.prepare_cached("DELETE FROM records WHERE tbl=?1 AND id=?2")?;
    let mut wrote = false;
    let mut records = 0;
    let seq_value = i64::try_from(seq).unwrap_or(i64::MAX);
    for ((table, id), value) in vpcpeer_store::latest(batches) {
        records += 1;
        match value {
            Some(r) => {
                put.execute(params![table, id, encode(r), seq_value])?;
                wrote = true;
            }
            None => {
                del.execute(params![table, id])?;
            }
        };
    }
    if !wrote {
        write_seq(conn, seq)?;
    }
    // A commit that writes no record writes the meta row: a page all the same.
    Ok(records.max(1))
}

/// Sets the `seq` row of `meta`.
fn write_seq(conn: &Connection, seq: u64) -> rusqlite::Result<()> {
    // An UPDATE of the value rewrites one page; INSERT OR REPLACE would delete the row and
    // insert it again, rewriting its key's index page too. The row is missing from a new or a
    // cleared store.
    let seq = seq.to_string();
    let updated = conn
        .prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'seq'")?
        .execute(params![seq])?;
    if updated == 0 {
        conn.prepare_cached("INSERT INTO meta(key, value) VALUES('seq', ?1)")?
            .execute(params![seq])?;
    }
    Ok(())
}

#[cfg(test)]
impl SqliteStore {
    /// Simulates a full disk: the database may not grow past its present size (`None` lifts it).
    fn limit_growth(&self, limited: bool) {
        let inner = self.conn.lock().expect("poisoned");
        let pages: i64 = if limited {
            inner
                .conn
                .query_row("PRAGMA page_count", [], |r| r.get(0))
                .expect("page_count")
        } else {
            4_294_967_294
        };
        let _: i64 = inner
            .conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get(0)
            })
            .expect("max_page_count");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_store_conforms() {
        let dirs = std::cell::RefCell::new(Vec::new());
        vpcpeer_store::conformance::run(&|| {
            let d = tempfile::tempdir().expect("tempdir");
            let s = SqliteStore::open(d.path(), Durability::Normal).expect("open");
            dirs.borrow_mut().push(d);
            Box::new(s)
        });
    }

    #[test]
    fn a_second_server_on_the_same_directory_is_refused() {
        let d = tempfile::tempdir().expect("tempdir");
        let _first = SqliteStore::open(d.path(), Durability::Full).expect("open");
        let err = SqliteStore::open(d.path(), Durability::Full).expect_err("locked");
        assert!(
            err.to_string().contains("in use by another vpcpeer server"),
            "{err}"
        );
    }

    /// Under a steady stream of commits (no pause for the helper to catch up in), the WAL still
    /// starts over from its beginning, so it stays bounded; and every commit is in the database
    /// when it is opened again. (Test threshold: a checkpoint once 64 records were written.)
    #[test]
    fn the_wal_restarts_under_steady_commits_and_keeps_every_commit() {
        use vpcpeer_model::{Scope, Tx, World};
        let d = tempfile::tempdir().expect("tempdir");
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("open");
        let mut world = World::default();
        let clock = vpcpeer_model::Timestamp(1_700_000_000_000);
        let mut ids = vpcpeer_model::SeededIds::new(7);
        let limits = vpcpeer_model::Limits::default();
        const COMMITS: usize = 3_000;
        for i in 0..COMMITS {
            let mut tx = Tx::new(
                &mut world,
                vpcpeer_model::Ctx {
                    scope: Scope::new("111111111111", "us-east-1"),
                    now: clock,
                    ids: &mut ids,
                    limits: &limits,
                },
            );
            let block = format!("10.{}.{}.0/24", i / 256, i % 256)
                .parse()
                .expect("block");
            tx.create_vpc(vpcpeer_model::aws::vpc::NewVpc::new(block))
                .expect("valid");
            let changes = tx.commit();
            s.commit(&[&changes]).expect("commit");
        }
        // Each commit appends at least one page to the WAL: without a restart it would hold
        // more frames than there were commits.
        let (_, frames, _) =
            checkpoint::passive(&s.conn.lock().expect("lock").conn).expect("checkpoint");
        assert!(
            frames < COMMITS as i64,
            "the WAL holds {frames} frames after {COMMITS} commits: it never restarted"
        );
        drop(s);
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("reopen");
        let loaded = World::from_records(s.load().expect("load").records);
        assert_eq!(loaded.aws.vpcs().len(), COMMITS);
        assert_eq!(loaded, world);
    }

    /// The last commit number a reopened store reports is the last commit's, whether that
    /// commit wrote records (the number is in them), deleted only (the number is in `meta`), or
    /// overwrote the record that held the previous number.
    #[test]
    fn reopen_reports_the_last_commit_number() {
        use vpcpeer_model::Change;
        use vpcpeer_store::conformance::{upserts, world_with_vpcs};
        let d = tempfile::tempdir().expect("tempdir");
        let reopen = |s: SqliteStore| {
            drop(s);
            SqliteStore::open(d.path(), Durability::Normal).expect("reopen")
        };
        let w = world_with_vpcs(3);
        let puts = upserts(&w);
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("open");
        let first = s.commit(&[&puts]).expect("puts");
        let s = reopen(s);
        assert_eq!(s.load().expect("load").seq, first);
        // Deletes only: no record carries the number.
        let del = vec![Change {
            key: puts[0].key.clone(),
            value: None,
        }];
        let deleted = s.commit(&[&del]).expect("delete");
        assert_eq!(deleted, first + 1);
        let s = reopen(s);
        assert_eq!(s.load().expect("load").seq, deleted);
        // One record rewritten: it carries the number now, above the meta row's.
        let one = vec![puts[1].clone()];
        let rewritten = s.commit(&[&one]).expect("rewrite");
        assert_eq!(rewritten, deleted + 1);
        let s = reopen(s);
        assert_eq!(s.load().expect("load").seq, rewritten);
        // The record with the last number deleted: the delete's number is in meta.
        let del = vec![Change {
            key: puts[1].key.clone(),
            value: None,
        }];
        let last = s.commit(&[&del]).expect("delete");
        let s = reopen(s);
        let snap = s.load().expect("load");
        assert_eq!(snap.seq, last);
        assert_eq!(snap.records.len(), puts.len() - 2);
        assert!(!snap.meta.contains_key("seq"), "{:?}", snap.meta);
        assert_eq!(s.commit(&[&one]).expect("next"), last + 1);
    }

    /// A database written by the previous layout (records without a `seq` column, the number
    /// in `meta` only) opens with its records and number, and numbering goes on from it.
    #[test]
    fn a_database_of_the_previous_layout_opens_and_goes_on_numbering() {
        use vpcpeer_model::World;
        use vpcpeer_store::conformance::world_with_vpcs;
        let d = tempfile::tempdir().expect("tempdir");
        let w = world_with_vpcs(2);
        {
            let conn = Connection::open(d.path().join("vpcpeer.db")).expect("create");
            conn.execute_batch(
                "PRAGMA locking_mode=EXCLUSIVE;
             PRAGMA journal_mode=WAL;
                 CREATE TABLE records (
                     tbl TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL,
                     PRIMARY KEY (tbl, id)) WITHOUT ROWID;
                 CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 INSERT INTO meta(key, value) VALUES('seq', '41');",
            )
            .expect("old schema");
            conn.execute(
                "INSERT INTO meta(key, value) VALUES('format_version', ?1)",
                params![FORMAT_VERSION.to_string()],
            )
            .expect("version");
            for r in w.records() {
                let key = r.key();
                conn.execute(
                    "INSERT INTO records(tbl, id, body) VALUES(?1, ?2, ?3)",
                    params![key.table, key.id, encode(&r)],
                )
                .expect("record");
            }
        }
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("open");
        let snap = s.load().expect("load");
        assert_eq!(snap.seq, 41);
        assert_eq!(World::from_records(snap.records), w);
        let records = vpcpeer_store::conformance::upserts(&w);
        assert_eq!(s.commit(&[&records[..1].to_vec()]).expect("commit"), 42);
        drop(s);
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("reopen");
        assert_eq!(s.load().expect("load").seq, 42);
    }

    /// The store's connection holds the database in exclusive locking mode: another connection
    /// cannot read it while the store is open, and can once it is closed.
    #[test]
    fn the_database_is_held_exclusively_while_open() {
        use vpcpeer_store::conformance::{upserts, world_with_vpcs};
        let d = tempfile::tempdir().expect("tempdir");
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("open");
        s.commit(&[&upserts(&world_with_vpcs(1))]).expect("commit");
        let count = || -> rusqlite::Result<i64> {
            let other = Connection::open(d.path().join("vpcpeer.db"))?;
            other.query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        };
        let err = count().expect_err("held");
        assert!(
            matches!(
                err.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ),
            "{err}"
        );
        assert!(
            !d.path().join("vpcpeer.db-shm").exists(),
            "no shared-memory index"
        );
        drop(s);
        assert!(count().expect("free once closed") > 0);
    }

    /// When the writes pause, the helper checkpoints them: the database file itself (not only
    /// its WAL) comes to hold them, with no other write and no call to the store.
    #[test]
    fn a_pause_in_the_writes_checkpoints_them() {
        use vpcpeer_store::conformance::{upserts, world_with_vpcs};
        let d = tempfile::tempdir().expect("tempdir");
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("open");
        let db_len = || std::fs::metadata(d.path().join("vpcpeer.db")).map_or(0, |m| m.len());
        let before = db_len();
        // Fewer records than the threshold that checkpoints under steady writes.
        let w = world_with_vpcs(2);
        let records = upserts(&w);
        assert!((records.len() as u64) < checkpoint::RESTART_WRITES);
        s.commit(&[&records]).expect("commit");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while db_len() <= before {
            assert!(std::time::Instant::now() < deadline, "never checkpointed");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        drop(s);
        let s = SqliteStore::open(d.path(), Durability::Normal).expect("reopen");
        assert_eq!(
            vpcpeer_model::World::from_records(s.load().expect("load").records),
            w
        );
    }

    #[test]
    fn reopen_keeps_records() {
        let d = tempfile::tempdir().expect("tempdir");
        let s = SqliteStore::open(d.path(), Durability::Full).expect("open");
        s.put_meta("clock_offset_ms", "5").expect("meta");
        drop(s);
        let s = SqliteStore::open(d.path(), Durability::Full).expect("reopen");
        let snap = s.load().expect("load");
        assert_eq!(
            snap.meta.get("clock_offset_ms").map(String::as_str),
            Some("5")
        );
    }

    /// A commit that does not fit on the disk fails whole (SQLITE_FULL, rolled back), and the
    /// service takes it out of memory: what the emulator shows is what the file holds, and once
    /// there is room again writes go on.
    #[tokio::test]
    async fn a_full_disk_fails_writes_whole_and_the_service_undoes_them() {
        use std::sync::Arc;
        use vpcpeer_model::{aws::vpc::NewVpc, Limits, Scope, SeededIds, Timestamp, World};
        use vpcpeer_service::{Emulator, EmulatorClock, ServiceError};

        let d = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStore::open(d.path(), Durability::Full).expect("open"));
        let emu = Emulator::open(
            store.clone(),
            EmulatorClock::fixed(Timestamp(1_700_000_000_000)),
            Box::new(SeededIds::new(5)),
            Limits::default(),
        )
        .expect("emulator");
        let scope = Scope::new("111111111111", "us-east-1");
        let create = |i: usize| {
            let scope = scope.clone();
            let emu = &emu;
            async move {
                emu.execute_fn(scope, false, |tx| {
                    let block = format!("10.{i}.0.0/16").parse().expect("block");
                    tx.create_vpc(NewVpc::new(block))
                })
                .await
                .map(|r| r.expect("valid"))
            }
        };
        let stored = || World::from_records(store.load().expect("load").records);
        create(0).await.expect("room enough");
        store.limit_growth(true);
        let mut failed = None;
        for i in 1..200 {
            if let Err(e) = create(i).await {
                failed = Some(e);
                break;
            }
        }
        let err = failed.expect("the disk fills up");
        assert!(matches!(err, ServiceError::NotCommitted(_)), "{err}");
        assert!(err.to_string().contains("full"), "{err}");
        assert!(!emu.is_healthy());
        let held = emu.with_world(World::clone);
        assert_eq!(held, stored(), "memory is what the file holds");

        store.limit_growth(false);
        let id = create(250).await.expect("room again");
        assert!(emu.is_healthy());
        assert!(stored().aws.vpcs().contains_key(&id));
        assert_eq!(emu.with_world(World::clone), stored());
    }
}
