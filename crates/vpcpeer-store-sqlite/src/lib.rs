//! SQLite backend of the [`Store`] trait: one database file in the data directory, WAL journal.
//!
//! Durability: with [`Durability::Full`] (the default) every commit is fsynced before it returns,
//! so an acknowledged change survives a crash of the process *and* of the machine. With
//! [`Durability::Normal`] commits survive a crash of the process (`kill -9`) but the last ones may
//! be lost on power failure. The service batches concurrent commits into one transaction, so the
//! cost of an fsync is shared by every request waiting on it.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};
use vpcpeer_model::ChangeSet;
use vpcpeer_store::{decode, encode, Snapshot, Store, StoreError, FORMAT_VERSION};

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
    conn: Mutex<Connection>,
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
        let conn = Connection::open(dir.join("vpcpeer.db")).map_err(backend)?;
        let sync = match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode=WAL;
             PRAGMA synchronous={sync};
             CREATE TABLE IF NOT EXISTS records (
                 tbl TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL,
                 PRIMARY KEY (tbl, id)) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        ))
        .map_err(backend)?;
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
            Some(v) if v == FORMAT_VERSION.to_string() => {}
            Some(v) => {
                return Err(StoreError::Version {
                    found: v.parse().unwrap_or(0),
                })
            }
        }
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }
}

impl Store for SqliteStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let conn = self.conn.lock().expect("poisoned");
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
            if k == "seq" {
                snap.seq = v.parse().unwrap_or(0);
            } else if k != "format_version" {
                snap.meta.insert(k, v);
            }
        }
        Ok(snap)
    }

    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let mut conn = self.conn.lock().expect("poisoned");
        let tx = conn.transaction().map_err(backend)?;
        let seq;
        {
            let mut put = tx
                .prepare_cached("INSERT OR REPLACE INTO records(tbl, id, body) VALUES(?1, ?2, ?3)")
                .map_err(backend)?;
            let mut del = tx
                .prepare_cached("DELETE FROM records WHERE tbl=?1 AND id=?2")
                .map_err(backend)?;
            for batch in batches {
                for change in batch.iter() {
                    match &change.value {
                        Some(r) => put
                            .execute(params![change.key.table, change.key.id, encode(r)])
                            .map_err(backend)?,
                        None => del
                            .execute(params![change.key.table, change.key.id])
                            .map_err(backend)?,
                    };
                }
            }
            let current: Option<String> = tx
                .query_row("SELECT value FROM meta WHERE key='seq'", [], |r| r.get(0))
                .optional()
                .map_err(backend)?;
            seq = current.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0) + 1;
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('seq', ?1)",
                params![seq.to_string()],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(seq)
    }

    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let conn = self.conn.lock().expect("poisoned");
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)",
            params![key, value],
        )
        .map_err(backend)?;
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        let conn = self.conn.lock().expect("poisoned");
        conn.execute_batch(
            "BEGIN; DELETE FROM records; DELETE FROM meta WHERE key <> 'format_version'; COMMIT;",
        )
        .map_err(backend)?;
        Ok(())
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
}
