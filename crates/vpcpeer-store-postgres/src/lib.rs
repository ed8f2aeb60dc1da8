//! PostgreSQL backend of the [`Store`] trait (`vpcpeer serve --store postgres://…`).
//!
//! One vpcpeer world lives in one PostgreSQL schema: the first schema of the connection's
//! `search_path` (`public` by default; pick another with `?options=-csearch_path%3Dname` in the
//! URL). [`PgStore::open`] creates three tables there if they are missing:
//!
//! - `vpcpeer_records(tbl, id, body bytea, PRIMARY KEY (tbl, id))`: every record, encoded with
//!   [`vpcpeer_store::encode`], the same bytes as the SQLite backend;
//! - `vpcpeer_meta(key, value)`: the metadata values and `format_version`
//!   ([`FORMAT_VERSION`], checked on open);
//! - `vpcpeer_commits(seq, cleared, tbls, ids)`: one row per commit, with the keys it changed.
//!   The largest `seq` is the store's sequence number.
//!
//! The tables are prefixed so that a database shared with other software does not collide with
//! them.
//!
//! Each [`Store::commit`] is one PostgreSQL transaction: it upserts and deletes the records of
//! every batch (a later batch wins over an earlier one for the same key), then inserts the next
//! `vpcpeer_commits` row. The session runs with `synchronous_commit = on`, so when `commit`
//! returns the transaction is in the server's write-ahead log on disk and survives a crash of
//! vpcpeer or of the database server. [`Store::clear`] is a commit too: it empties records,
//! metadata and the commit log, and leaves one `cleared` commit row, so the sequence number never
//! goes back.
//!
//! **Writer exclusivity.** Like the SQLite backend, one server writes one world. `open` takes a
//! session-level advisory lock (`pg_advisory_lock(class, oid of the schema)`, waiting at most
//! 2 s) and refuses to open when another session holds it: a second `vpcpeer serve` on the same database and schema
//! gets a clear error instead of silently diverging. The lock goes away with the connection, so a
//! killed server does not leave it behind.
//!
//! **Towards replicas.** The commit log is what lets several server replicas share one database
//! later: a replica can call [`PgStore::changes_since`] with the last sequence number it has
//! applied, reload the keys listed (or everything after a `cleared` entry) and apply them to its
//! in-memory world. That later increment still needs: each replica catching up on the other
//! replicas' commits, by `seq`, before it serves a request; and conflict handling on commit (the
//! primary key on `seq` already makes two writers that raced for the same number fail instead of
//! both succeeding; the loser has to catch up and retry its command), which replaces the
//! advisory lock. Today nothing trims the commit log except `clear`, and a lost connection is not
//! re-established: commits then fail, and the server must be restarted.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use postgres::config::Host;
use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use vpcpeer_model::{ChangeSet, Record};
use vpcpeer_store::{decode, encode, Snapshot, Store, StoreError, FORMAT_VERSION};

/// First key of the advisory lock that marks the writer of a schema (`vpcp` in ASCII); the
/// second key is the schema's oid.
const LOCK_CLASS: i32 = 0x7670_6370;

/// How long `open` waits for another session's writer lock before it refuses.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// A store in a PostgreSQL schema, with a single connection held for the life of the store.
pub struct PgStore {
    inner: Mutex<Inner>,
    /// `user@host:port/db (schema s)`, for messages; never the password.
    target: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

struct Inner {
    client: Client,
    /// The last committed sequence number.
    seq: u64,
}

/// A key that one commit wrote or deleted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangedKey {
    /// Table tag of the record.
    pub table: String,
    /// Record id.
    pub id: String,
}

/// One entry of the commit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitEntry {
    /// Its sequence number.
    pub seq: u64,
    /// The commit emptied the store (`clear`); `keys` is then empty.
    pub cleared: bool,
    /// The keys it changed, each once, in key order.
    pub keys: Vec<ChangedKey>,
}

fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend(format!("PostgreSQL: {e}"))
}

/// Where `config` points, without the password.
fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("?");
    let db = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{db}")
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS vpcpeer_records (
    tbl  text  NOT NULL,
    id   text  NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (tbl, id));
CREATE TABLE IF NOT EXISTS vpcpeer_meta (
    key   text PRIMARY KEY,
    value text NOT NULL);
CREATE TABLE IF NOT EXISTS vpcpeer_commits (
    seq     bigint  PRIMARY KEY,
    cleared boolean NOT NULL DEFAULT false,
    tbls    text[]  NOT NULL,
    ids     text[]  NOT NULL);
";

impl PgStore {
    /// Opens the store at a `postgres://user[:password]@host[:port]/db[?options]` URL (or a
    /// `key=value` connection string); creates its tables if missing.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let config = Config::from_str(url).map_err(|e| {
            StoreError::Backend(format!(
                "invalid PostgreSQL URL (expected postgres://user@host:port/db): {e}"
            ))
        })?;
        Self::connect(config)
    }

    /// Opens the store with an already parsed connection configuration. The connection does not
    /// use TLS (loopback or a local socket); a connect timeout of 10 s applies unless one is set.
    pub fn connect(mut config: Config) -> Result<Self, StoreError> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("vpcpeer");
        }
        let target = describe(&config);
        let mut client = config.connect(NoTls).map_err(|e| {
            StoreError::Backend(format!("cannot connect to PostgreSQL at {target}: {e}"))
        })?;
        client
            .batch_execute("SET synchronous_commit = on")
            .map_err(backend)?;
        let row = client
            .query_one(
                "SELECT current_schema()::text, \
                 (SELECT oid::int4 FROM pg_namespace WHERE nspname = current_schema())",
                &[],
            )
            .map_err(backend)?;
        let (Some(schema), Some(schema_oid)) = (
            row.get::<_, Option<String>>(0),
            row.get::<_, Option<i32>>(1),
        ) else {
            return Err(StoreError::Backend(format!(
                "the search_path of {target} names no existing schema to keep the vpcpeer tables in"
            )));
        };
        let target = format!("{target} (schema {schema})");
        // Wait briefly for the lock: a server killed an instant ago holds it until PostgreSQL
        // notices that its connection closed.
        client
            .batch_execute(&format!("SET lock_timeout = {}", LOCK_WAIT.as_millis()))
            .map_err(backend)?;
        let locked = client.execute(
            "SELECT pg_advisory_lock($1, $2)",
            &[&LOCK_CLASS, &schema_oid],
        );
        match locked {
            Ok(_) => {}
            Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                return Err(StoreError::Backend(format!(
                    "the PostgreSQL database {target} is in use by another vpcpeer server"
                )))
            }
            Err(e) => return Err(backend(e)),
        }
        client
            .batch_execute("SET lock_timeout = 0")
            .map_err(backend)?;
        client.batch_execute(SCHEMA).map_err(backend)?;
        let version: Option<String> = client
            .query_opt(
                "SELECT value FROM vpcpeer_meta WHERE key = 'format_version'",
                &[],
            )
            .map_err(backend)?
            .map(|r| r.get(0));
        match version {
            None => {
                client
                    .execute(
                        "INSERT INTO vpcpeer_meta(key, value) VALUES('format_version', $1)",
                        &[&FORMAT_VERSION.to_string()],
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
        let seq = last_seq(&mut client)?;
        Ok(PgStore {
            inner: Mutex::new(Inner { client, seq }),
            target,
        })
    }

    /// Where this store is (`user@host:port/db (schema s)`), for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The commits after `seq`, oldest first: what a replica that has applied everything up to
    /// `seq` must reload.
    pub fn changes_since(&self, seq: u64) -> Result<Vec<CommitEntry>, StoreError> {
        let mut inner = self.inner.lock().expect("poisoned");
        let after = i64::try_from(seq).unwrap_or(i64::MAX);
        let rows = inner
            .client
            .query(
                "SELECT seq, cleared, tbls, ids FROM vpcpeer_commits WHERE seq > $1 ORDER BY seq",
                &[&after],
            )
            .map_err(backend)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let seq: i64 = row.get(0);
            let tbls: Vec<String> = row.get(2);
            let ids: Vec<String> = row.get(3);
            if tbls.len() != ids.len() {
                return Err(StoreError::Corrupt {
                    table: "vpcpeer_commits".to_owned(),
                    id: seq.to_string(),
                    reason: "tbls and ids differ in length".to_owned(),
                });
            }
            out.push(CommitEntry {
                seq: seq as u64,
                cleared: row.get(1),
                keys: tbls
                    .into_iter()
                    .zip(ids)
                    .map(|(table, id)| ChangedKey { table, id })
                    .collect(),
            });
        }
        Ok(out)
    }
}

fn last_seq(client: &mut Client) -> Result<u64, StoreError> {
    let seq: i64 = client
        .query_one("SELECT coalesce(max(seq), 0) FROM vpcpeer_commits", &[])
        .map_err(backend)?
        .get(0);
    Ok(seq as u64)
}

fn next_seq(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq + 1)
        .map_err(|_| StoreError::Backend("the commit sequence number overflowed".to_owned()))
}

impl Store for PgStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let mut inner = self.inner.lock().expect("poisoned");
        let client = &mut inner.client;
        // One read-only transaction, so the records, metadata and seq are one consistent view.
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(backend)?;
        let mut snap = Snapshot::default();
        for row in tx
            .query("SELECT tbl, id, body FROM vpcpeer_records", &[])
            .map_err(backend)?
        {
            let (tbl, id, body): (&str, &str, &[u8]) = (row.get(0), row.get(1), row.get(2));
            snap.records.push(decode(tbl, id, body)?);
        }
        for row in tx
            .query("SELECT key, value FROM vpcpeer_meta", &[])
            .map_err(backend)?
        {
            let (k, v): (String, String) = (row.get(0), row.get(1));
            if k != "format_version" {
                snap.meta.insert(k, v);
            }
        }
        let seq: i64 = tx
            .query_one("SELECT coalesce(max(seq), 0) FROM vpcpeer_commits", &[])
            .map_err(backend)?
            .get(0);
        snap.seq = seq as u64;
        tx.commit().map_err(backend)?;
        Ok(snap)
    }

    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let mut inner = self.inner.lock().expect("poisoned");
        let seq = next_seq(inner.seq)?;
        // The last value of each key wins; each key is written once, so one statement per kind
        // of change is enough (ON CONFLICT cannot touch the same row twice in one statement).
        let mut last: BTreeMap<(&'static str, &str), Option<&Record>> = BTreeMap::new();
        for batch in batches {
            for change in batch.iter() {
                last.insert(
                    (change.key.table, change.key.id.as_str()),
                    change.value.as_ref(),
                );
            }
        }
        let (mut put_tbls, mut put_ids, mut bodies) = (Vec::new(), Vec::new(), Vec::new());
        let (mut del_tbls, mut del_ids) = (Vec::new(), Vec::new());
        for ((tbl, id), value) in &last {
            match value {
                Some(r) => {
                    put_tbls.push(*tbl);
                    put_ids.push(*id);
                    bodies.push(encode(r));
                }
                None => {
                    del_tbls.push(*tbl);
                    del_ids.push(*id);
                }
            }
        }
        let all_tbls: Vec<&str> = last.keys().map(|(t, _)| *t).collect();
        let all_ids: Vec<&str> = last.keys().map(|(_, i)| *i).collect();
        let mut tx = inner.client.transaction().map_err(backend)?;
        if !bodies.is_empty() {
            tx.execute(
                "INSERT INTO vpcpeer_records(tbl, id, body) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) \
                 ON CONFLICT (tbl, id) DO UPDATE SET body = EXCLUDED.body",
                &[&put_tbls, &put_ids, &bodies],
            )
            .map_err(backend)?;
        }
        if !del_ids.is_empty() {
            tx.execute(
                "DELETE FROM vpcpeer_records r \
                 USING unnest($1::text[], $2::text[]) AS d(tbl, id) \
                 WHERE r.tbl = d.tbl AND r.id = d.id",
                &[&del_tbls, &del_ids],
            )
            .map_err(backend)?;
        }
        tx.execute(
            "INSERT INTO vpcpeer_commits(seq, cleared, tbls, ids) VALUES($1, false, $2, $3)",
            &[&seq, &all_tbls, &all_ids],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        inner.seq = seq as u64;
        Ok(inner.seq)
    }

    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if key == "format_version" {
            return Err(StoreError::Backend(
                "the metadata key format_version is reserved".to_owned(),
            ));
        }
        let mut inner = self.inner.lock().expect("poisoned");
        inner
            .client
            .execute(
                "INSERT INTO vpcpeer_meta(key, value) VALUES($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&key, &value],
            )
            .map_err(backend)?;
        Ok(())
    }

    fn clear(&self) -> Result<(), StoreError> {
        let mut inner = self.inner.lock().expect("poisoned");
        let seq = next_seq(inner.seq)?;
        let empty: Vec<&str> = Vec::new();
        let mut tx = inner.client.transaction().map_err(backend)?;
        tx.batch_execute(
            "DELETE FROM vpcpeer_records; \
             DELETE FROM vpcpeer_meta WHERE key <> 'format_version'; \
             DELETE FROM vpcpeer_commits;",
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO vpcpeer_commits(seq, cleared, tbls, ids) VALUES($1, true, $2, $3)",
            &[&seq, &empty, &empty],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        inner.seq = seq as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
