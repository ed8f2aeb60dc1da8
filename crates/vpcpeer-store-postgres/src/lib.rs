//! PostgreSQL backend of the [`Store`] trait (`vpcpeer serve --store postgres://…`).
//!
//! One vpcpeer world lives in one PostgreSQL schema: the first schema of the connection's
//! `search_path` (`public` by default; pick another with `?options=-csearch_path%3Dname` in the
//! URL). [`PgStore::open`] creates three tables there if they are missing:
//!
//! - `vpcpeer_records(tbl, id, body bytea, PRIMARY KEY (tbl, id))`: every record, encoded with
//!   [`vpcpeer_store::encode`], the same bytes as the SQLite backend;
//! - `vpcpeer_meta(key, value)`: the metadata values and `format_version`
//!   ([`FORMAT_VERSION`](vpcpeer_store::FORMAT_VERSION), checked on open);
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
//! **Lost connections.** A broken connection (PostgreSQL restarted, the session terminated, the
//! network cut) is noticed by the operation that uses it, which then reconnects: up to
//! [`Reconnect::attempts`] attempts, backing off from [`Reconnect::first_backoff`] and doubling,
//! each attempt bounded by [`Reconnect::connect_timeout`] (a [`Store::ping`] tries once). It
//! runs on the service's writer thread, never under the world lock. On reconnecting, the store
//! takes the writer lock again; if another session took it meanwhile, and it is not this store's
//! own former session lingering (that one is terminated), the store stays failed for good and
//! says so: another server owns the database now. An operation that failed on a lost connection
//! before anything could have been applied (before `COMMIT` was sent) is run again once on the
//! new connection, so a connection dropped while idle costs a request nothing.
//!
//! **A commit in doubt.** If the connection is lost while `COMMIT` is in flight, PostgreSQL may
//! or may not have committed. The store reconnects at once and looks for the commit's own row in
//! `vpcpeer_commits` (written in the same transaction): there, the commit is reported as
//! succeeded; absent, as failed. When it cannot reconnect in time it answers
//! [`StoreError::InDoubt`] (the service undoes the change, the likely outcome) and settles the
//! question on the first later connection: if the row is there after all, or if the log's last
//! `seq` is not this store's (another writer), every write answers [`StoreError::Stale`] until
//! [`Store::load`] is called, and the service then reloads the world from the store, which is
//! the truth. A metadata write (the clock) whose connection was lost is run again after
//! reconnecting (it is idempotent); when that is not possible it counts as in doubt, and the
//! next connection reports the store stale.
//!
//! **Towards replicas.** The commit log is what lets several server replicas share one database
//! later: a replica can call [`PgStore::changes_since`] with the last sequence number it has
//! applied, reload the keys listed (or everything after a `cleared` entry) and apply them to its
//! in-memory world. That later increment still needs: each replica catching up on the other
//! replicas' commits, by `seq`, before it serves a request; and conflict handling on commit (the
//! primary key on `seq` already makes two writers that raced for the same number fail instead of
//! both succeeding; the loser has to catch up and retry its command), which replaces the
//! advisory lock. Today nothing trims the commit log except `clear`.

mod session;

use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use postgres::config::Host;
use postgres::{Client, Config};
use vpcpeer_model::ChangeSet;
use vpcpeer_store::{decode, encode, Snapshot, Store, StoreError};

use session::{backend, connection_lost, detail, last_seq, OpenError};

/// How a lost connection is re-established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reconnect {
    /// Connection attempts per operation (at least 1; a ping makes one).
    pub attempts: u32,
    /// The wait before the second attempt, doubled before each later one.
    pub first_backoff: Duration,
    /// The connect timeout of one attempt (at most the configured one).
    pub connect_timeout: Duration,
}

impl Default for Reconnect {
    /// Four attempts, 0.1 s then 0.2 s and 0.4 s apart, each given at most 3 s to connect: an
    /// operation waits at most about 13 s for a database that does not answer, and about 0.7 s
    /// for one that refuses connections.
    fn default() -> Self {
        Reconnect {
            attempts: 4,
            first_backoff: Duration::from_millis(100),
            connect_timeout: Duration::from_secs(3),
        }
    }
}

/// A store in a PostgreSQL schema, with one connection, re-established when it is lost.
pub struct PgStore {
    inner: Mutex<Inner>,
    config: Config,
    reconnect: Reconnect,
    /// `user@host:port/db (schema s)`, for messages; never the password.
    target: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .field("reconnect", &self.reconnect)
            .finish_non_exhaustive()
    }
}

/// A write whose outcome is not known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doubt {
    /// The commit (or clear) with this sequence number.
    Commit(u64),
    /// A metadata write.
    Meta,
}

/// What reconnecting found out about a write in doubt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settled {
    /// Nothing was in doubt.
    Nothing,
    /// It was applied (or may have been: a metadata write).
    Applied,
    /// It was not applied.
    NotApplied,
}

struct Inner {
    /// The session; `None` once its connection was found lost (reconnect before the next use).
    client: Option<Client>,
    /// The server process of the last session, to recognise it if it outlives its connection.
    pid: Option<i32>,
    /// The last committed sequence number.
    seq: u64,
    /// A write whose outcome is unknown, settled on the next connection.
    doubt: Option<Doubt>,
    /// Why the store holds changes this process has not loaded; cleared by `load`.
    stale: Option<String>,
    /// Another server took the writer lock: this store stays failed.
    lost: Option<String>,
}

impl Inner {
    /// After `e` on the session: whether its connection was lost, in which case the session is
    /// dropped (the next use reconnects).
    fn drop_if_lost(&mut self, e: &postgres::Error) -> bool {
        let lost = self.client.as_ref().is_some_and(|c| connection_lost(e, c));
        if lost {
            self.client = None;
        }
        lost
    }
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

/// A failed attempt at a write: the error, and whether `COMMIT` had been sent.
struct WriteError {
    error: postgres::Error,
    at_commit: bool,
}

fn before_commit(error: postgres::Error) -> WriteError {
    WriteError {
        error,
        at_commit: false,
    }
}

/// The rows one commit writes: the last value of each key across its batches.
struct Rows<'a> {
    put_tbls: Vec<&'a str>,
    put_ids: Vec<&'a str>,
    bodies: Vec<Vec<u8>>,
    del_tbls: Vec<&'a str>,
    del_ids: Vec<&'a str>,
    all_tbls: Vec<&'a str>,
    all_ids: Vec<&'a str>,
}

impl<'a> Rows<'a> {
    fn of(batches: &[&'a ChangeSet]) -> Self {
        // The last value of each key wins; each key is written once, so one statement per kind
        // of change is enough (ON CONFLICT cannot touch the same row twice in one statement).
        let last = vpcpeer_store::latest(batches);
        let mut rows = Rows {
            put_tbls: Vec::new(),
            put_ids: Vec::new(),
            bodies: Vec::new(),
            del_tbls: Vec::new(),
            del_ids: Vec::new(),
            all_tbls: last.keys().map(|(t, _)| *t).collect(),
            all_ids: last.keys().map(|(_, i)| *i).collect(),
        };
        for ((tbl, id), value) in &last {
            match value {
                Some(r) => {
                    rows.put_tbls.push(*tbl);
                    rows.put_ids.push(*id);
                    rows.bodies.push(encode(r));
                }
                None => {
                    rows.del_tbls.push(*tbl);
                    rows.del_ids.push(*id);
                }
            }
        }
        rows
    }

    /// One transaction: the records, then the commit's row in the log.
    fn write(&self, client: &mut Client, seq: i64) -> Result<(), WriteError> {
        let mut tx = client.transaction().map_err(before_commit)?;
        if !self.bodies.is_empty() {
            tx.execute(
                "INSERT INTO vpcpeer_records(tbl, id, body) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[]) \
                 ON CONFLICT (tbl, id) DO UPDATE SET body = EXCLUDED.body",
                &[&self.put_tbls, &self.put_ids, &self.bodies],
            )
            .map_err(before_commit)?;
        }
        if !self.del_ids.is_empty() {
            tx.execute(
                "DELETE FROM vpcpeer_records r \
                 USING unnest($1::text[], $2::text[]) AS d(tbl, id) \
                 WHERE r.tbl = d.tbl AND r.id = d.id",
                &[&self.del_tbls, &self.del_ids],
            )
            .map_err(before_commit)?;
        }
        tx.execute(
            "INSERT INTO vpcpeer_commits(seq, cleared, tbls, ids) VALUES($1, false, $2, $3)",
            &[&seq, &self.all_tbls, &self.all_ids],
        )
        .map_err(before_commit)?;
        tx.commit().map_err(|error| WriteError {
            error,
            at_commit: true,
        })
    }
}

/// The `clear` transaction.
fn write_clear(client: &mut Client, seq: i64) -> Result<(), WriteError> {
    let empty: Vec<&str> = Vec::new();
    let mut tx = client.transaction().map_err(before_commit)?;
    tx.batch_execute(
        "DELETE FROM vpcpeer_records; \
         DELETE FROM vpcpeer_meta WHERE key <> 'format_version'; \
         DELETE FROM vpcpeer_commits;",
    )
    .map_err(before_commit)?;
    tx.execute(
        "INSERT INTO vpcpeer_commits(seq, cleared, tbls, ids) VALUES($1, true, $2, $3)",
        &[&seq, &empty, &empty],
    )
    .map_err(before_commit)?;
    tx.commit().map_err(|error| WriteError {
        error,
        at_commit: true,
    })
}

/// Why a read failed: PostgreSQL (maybe a lost connection), or what it returned.
enum ReadFail {
    Pg(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for ReadFail {
    fn from(e: postgres::Error) -> Self {
        ReadFail::Pg(e)
    }
}

impl From<StoreError> for ReadFail {
    fn from(e: StoreError) -> Self {
        ReadFail::Store(e)
    }
}

const APPLIED_AFTER_ALL: &str = "a write whose outcome was unknown was applied after all";

fn next_seq(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq + 1)
        .map_err(|_| StoreError::Backend("the commit sequence number overflowed".to_owned()))
}

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
    /// use TLS (loopback or a local socket); a connect timeout of 10 s applies unless one is set,
    /// unacknowledged data times the connection out after 30 s (`tcp_user_timeout`), and TCP
    /// keepalives probe after 30 s idle every 10 s, 3 times, unless set otherwise: a server that
    /// vanished without closing the connection is noticed rather than waited on for ever.
    pub fn connect(config: Config) -> Result<Self, StoreError> {
        Self::connect_with(config, Reconnect::default())
    }

    /// [`connect`](Self::connect), with its own reconnection policy.
    pub fn connect_with(mut config: Config, reconnect: Reconnect) -> Result<Self, StoreError> {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_tcp_user_timeout().is_none() {
            config.tcp_user_timeout(Duration::from_secs(30));
        }
        // TCP keepalives (on by default) probe after 2 h idle unless told otherwise; probe
        // sooner, so a session waiting on a server that vanished is found dead within a minute.
        if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
            config.keepalives_idle(Duration::from_secs(30));
        }
        if config.get_keepalives_interval().is_none() {
            config.keepalives_interval(Duration::from_secs(10));
        }
        if config.get_keepalives_retries().is_none() {
            config.keepalives_retries(3);
        }
        if config.get_application_name().is_none() {
            config.application_name("vpcpeer");
        }
        let server = describe(&config);
        let session = session::open(&config, &server, None).map_err(|e| match e {
            OpenError::Store(e) => e,
            OpenError::Locked { schema, .. } => StoreError::Backend(format!(
                "the PostgreSQL database {server} (schema {schema}) is in use by another \
                 vpcpeer server"
            )),
        })?;
        let target = format!("{server} (schema {})", session.schema);
        let mut client = session.client;
        let seq = last_seq(&mut client).map_err(backend)?;
        Ok(PgStore {
            inner: Mutex::new(Inner {
                client: Some(client),
                pid: Some(session.pid),
                seq,
                doubt: None,
                stale: None,
                lost: None,
            }),
            config,
            reconnect: Reconnect {
                attempts: reconnect.attempts.max(1),
                ..reconnect
            },
            target,
        })
    }

    /// Where this store is (`user@host:port/db (schema s)`), for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while the lock was held (a bug) leaves nothing half done that matters here:
        // the connection is dropped and re-established.
        self.inner.lock().unwrap_or_else(|poisoned| {
            let mut g = poisoned.into_inner();
            g.client = None;
            g
        })
    }

    /// A live session: the present one, or a new one (up to `attempts` tries), whose first use
    /// settles any write in doubt.
    fn ensure(&self, inner: &mut Inner, attempts: u32) -> Result<Settled, StoreError> {
        if let Some(why) = &inner.lost {
            return Err(StoreError::Backend(why.clone()));
        }
        if inner.client.as_ref().is_some_and(|c| !c.is_closed()) {
            return Ok(Settled::Nothing);
        }
        inner.client = None;
        let mut config = self.config.clone();
        let timeout = config
            .get_connect_timeout()
            .map_or(self.reconnect.connect_timeout, |t| {
                (*t).min(self.reconnect.connect_timeout)
            });
        config.connect_timeout(timeout);
        let mut wait = self.reconnect.first_backoff;
        let mut last = None;
        for attempt in 0..attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(wait);
                wait = wait.saturating_mul(2);
            }
            match session::open(&config, &self.target, inner.pid) {
                Ok(s) => {
                    inner.pid = Some(s.pid);
                    inner.client = Some(s.client);
                    return self.settle(inner);
                }
                Err(OpenError::Locked { holder, .. }) => {
                    let why = format!(
                        "the PostgreSQL database {} was taken over by another vpcpeer server \
                         (PostgreSQL process {}) while this server's connection was lost; this \
                         server no longer writes to it: restart it to serve that database again",
                        self.target,
                        holder.map_or_else(|| "?".to_owned(), |p| p.to_string())
                    );
                    inner.lost = Some(why.clone());
                    return Err(StoreError::Backend(why));
                }
                Err(OpenError::Store(e)) => last = Some(e),
            }
        }
        let e = last.unwrap_or_else(|| StoreError::Backend("no connection attempt".to_owned()));
        Err(StoreError::Backend(format!(
            "the connection to PostgreSQL at {} was lost and could not be re-established \
             ({} attempts): {e}",
            self.target,
            attempts.max(1)
        )))
    }

    /// On a new session: compares the log with what this store last committed, settling a write
    /// in doubt, and marks the store stale when it holds what this process has not loaded.
    fn settle(&self, inner: &mut Inner) -> Result<Settled, StoreError> {
        let client = inner.client.as_mut().expect("a new session");
        let last = match last_seq(client) {
            Ok(l) => l,
            Err(e) => {
                inner.client = None;
                return Err(backend(e));
            }
        };
        let settled = match inner.doubt.take() {
            None => Settled::Nothing,
            Some(Doubt::Meta) => Settled::Applied,
            Some(Doubt::Commit(s)) if last == s => Settled::Applied,
            Some(Doubt::Commit(_)) => Settled::NotApplied,
        };
        let expected = if settled == Settled::Applied {
            last
        } else {
            inner.seq
        };
        if last != expected && inner.stale.is_none() {
            inner.stale = Some(format!(
                "its commit log ends at {last}, this server's last commit was {}: another \
                 writer changed it",
                inner.seq
            ));
        }
        inner.seq = last;
        Ok(settled)
    }

    /// The session, after [`ensure`](Self::ensure); a write in doubt that turns out applied
    /// makes the store stale, and a stale store refuses writes.
    fn for_write(&self, inner: &mut Inner, attempts: u32) -> Result<(), StoreError> {
        if self.ensure(inner, attempts)? == Settled::Applied && inner.stale.is_none() {
            inner.stale = Some(APPLIED_AFTER_ALL.into());
        }
        match &inner.stale {
            Some(why) => Err(StoreError::Stale(why.clone())),
            None => Ok(()),
        }
    }

    /// Runs a commit-like transaction (`write`, which appends log row `seq`), reconnecting and
    /// running it again once when the connection was lost before `COMMIT`, and settling it
    /// through the log when it was lost during `COMMIT`.
    fn write_logged(
        &self,
        inner: &mut Inner,
        write: impl Fn(&mut Client, i64) -> Result<(), WriteError>,
    ) -> Result<u64, StoreError> {
        for retry in [false, true] {
            self.for_write(inner, self.reconnect.attempts)?;
            let seq = next_seq(inner.seq)?;
            let client = inner.client.as_mut().expect("ensured");
            let Err(e) = write(client, seq) else {
                inner.seq = seq as u64;
                return Ok(inner.seq);
            };
            if !inner.drop_if_lost(&e.error) {
                // The server answered: the transaction is rolled back, nothing was applied.
                return Err(backend(e.error));
            }
            if !e.at_commit {
                if retry {
                    return Err(backend(e.error));
                }
                continue;
            }
            inner.doubt = Some(Doubt::Commit(seq as u64));
            return match self.ensure(inner, self.reconnect.attempts) {
                Ok(Settled::Applied) => Ok(seq as u64),
                // Another writer changed the log meanwhile: only a reload can tell.
                Ok(_) if inner.stale.is_some() => {
                    Err(StoreError::Stale(inner.stale.clone().unwrap_or_default()))
                }
                Ok(_) => Err(StoreError::Backend(format!(
                    "the connection was lost during COMMIT ({}); after reconnecting, the commit \
                     is not in the log: it was not applied",
                    detail(&e.error)
                ))),
                Err(again) => Err(StoreError::InDoubt(format!(
                    "the connection was lost during COMMIT ({}) and could not be re-established \
                     to tell whether it was applied ({again})",
                    detail(&e.error)
                ))),
            };
        }
        unreachable!("the second round returns")
    }

    /// Runs a read (safe to repeat) on a live session, once more after reconnecting if the
    /// connection was lost.
    fn read<T>(
        &self,
        inner: &mut Inner,
        read: impl Fn(&mut Client) -> Result<T, ReadFail>,
    ) -> Result<T, StoreError> {
        for retry in [false, true] {
            if self.ensure(inner, self.reconnect.attempts)? == Settled::Applied
                && inner.stale.is_none()
            {
                inner.stale = Some(APPLIED_AFTER_ALL.into());
            }
            let client = inner.client.as_mut().expect("ensured");
            match read(client) {
                Ok(v) => return Ok(v),
                Err(ReadFail::Store(e)) => return Err(e),
                Err(ReadFail::Pg(e)) => {
                    if !inner.drop_if_lost(&e) || retry {
                        return Err(backend(e));
                    }
                }
            }
        }
        unreachable!("the second round returns")
    }

    /// The commits after `seq`, oldest first: what a replica that has applied everything up to
    /// `seq` must reload.
    pub fn changes_since(&self, seq: u64) -> Result<Vec<CommitEntry>, StoreError> {
        let mut inner = self.lock();
        let after = i64::try_from(seq).unwrap_or(i64::MAX);
        self.read(&mut inner, |client| {
            let rows = client.query(
                "SELECT seq, cleared, tbls, ids FROM vpcpeer_commits WHERE seq > $1 \
                     ORDER BY seq",
                &[&after],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let seq: i64 = row.get(0);
                let tbls: Vec<String> = row.get(2);
                let ids: Vec<String> = row.get(3);
                if tbls.len() != ids.len() {
                    return Err(ReadFail::Store(StoreError::Corrupt {
                        table: "vpcpeer_commits".to_owned(),
                        id: seq.to_string(),
                        reason: "tbls and ids differ in length".to_owned(),
                    }));
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
        })
    }
}

fn load_snapshot(client: &mut Client) -> Result<Snapshot, ReadFail> {
    // One read-only transaction, so the records, metadata and seq are one consistent view.
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let mut snap = Snapshot::default();
    for row in tx.query("SELECT tbl, id, body FROM vpcpeer_records", &[])? {
        let (tbl, id, body): (&str, &str, &[u8]) = (row.get(0), row.get(1), row.get(2));
        snap.records.push(decode(tbl, id, body)?);
    }
    for row in tx.query("SELECT key, value FROM vpcpeer_meta", &[])? {
        let (k, v): (String, String) = (row.get(0), row.get(1));
        if k != "format_version" {
            snap.meta.insert(k, v);
        }
    }
    let seq: i64 = tx
        .query_one("SELECT coalesce(max(seq), 0) FROM vpcpeer_commits", &[])?
        .get(0);
    snap.seq = seq as u64;
    tx.commit()?;
    Ok(snap)
}

impl Store for PgStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        let mut inner = self.lock();
        let snap = self.read(&mut inner, load_snapshot)?;
        inner.seq = snap.seq;
        inner.stale = None;
        Ok(snap)
    }

    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let mut inner = self.lock();
        let rows = Rows::of(batches);
        self.write_logged(&mut inner, |client, seq| rows.write(client, seq))
    }

    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        if key == "format_version" {
            return Err(StoreError::Backend(
                "the metadata key format_version is reserved".to_owned(),
            ));
        }
        let mut inner = self.lock();
        for retry in [false, true] {
            self.for_write(&mut inner, self.reconnect.attempts)?;
            let client = inner.client.as_mut().expect("ensured");
            let Err(e) = client.execute(
                "INSERT INTO vpcpeer_meta(key, value) VALUES($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&key, &value],
            ) else {
                return Ok(());
            };
            if !inner.drop_if_lost(&e) {
                return Err(backend(e));
            }
            // It may have been applied: setting the same value again is harmless, and when
            // that cannot be done the next session reports the store stale.
            inner.doubt = Some(Doubt::Meta);
            if retry {
                return Err(StoreError::InDoubt(format!(
                    "the connection was lost while writing metadata {key}: {}",
                    detail(&e)
                )));
            }
            if let Err(again) = self.ensure(&mut inner, self.reconnect.attempts) {
                return Err(StoreError::InDoubt(format!(
                    "the connection was lost while writing metadata {key} ({}) and could not be \
                     re-established ({again})",
                    detail(&e)
                )));
            }
            // Reconnected, and the doubt is settled by writing the value again (`ensure`, unlike
            // a later write, does not count this write's own doubt as a reason to reload).
        }
        unreachable!("the second round returns")
    }

    fn clear(&self) -> Result<(), StoreError> {
        let mut inner = self.lock();
        self.write_logged(&mut inner, write_clear).map(|_| ())
    }

    /// One connection attempt if the session is gone (or turns out gone), then a write that
    /// changes nothing a load returns (the `format_version` row set to itself), so a server
    /// that accepts connections but not writes fails it too.
    fn ping(&self) -> Result<(), StoreError> {
        let mut inner = self.lock();
        for retry in [false, true] {
            self.for_write(&mut inner, 1)?;
            let client = inner.client.as_mut().expect("ensured");
            let Err(e) = client.execute(
                "UPDATE vpcpeer_meta SET value = value WHERE key = 'format_version'",
                &[],
            ) else {
                return Ok(());
            };
            if !inner.drop_if_lost(&e) || retry {
                return Err(backend(e));
            }
        }
        unreachable!("the second round returns")
    }
}

#[cfg(test)]
mod tests;
