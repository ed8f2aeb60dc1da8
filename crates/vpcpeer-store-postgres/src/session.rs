//! One PostgreSQL session of the store: connecting, the writer lock, the tables, and telling a
//! lost connection from an error the server answered.

use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};
use vpcpeer_store::{check_version, StoreError, FORMAT_VERSION};

/// First key of the advisory lock that marks the writer of a schema (`vpcp` in ASCII); the
/// second key is the schema's oid.
pub(crate) const LOCK_CLASS: i32 = 0x7670_6370;

/// How long a session waits for another session's writer lock before it gives up.
pub(crate) const LOCK_WAIT: Duration = Duration::from_secs(2);

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

pub(crate) fn backend(e: postgres::Error) -> StoreError {
    StoreError::Backend(format!("PostgreSQL: {}", detail(&e)))
}

/// The error's text, with the server's message when the server answered (`Display` of a
/// server error is only "db error").
pub(crate) fn detail(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}: {}", db.severity(), db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// Whether `e` means the connection is gone (closed, an I/O error, the server shutting the
/// session down), as opposed to an error the server answered on a live session.
pub(crate) fn connection_lost(e: &postgres::Error, client: &Client) -> bool {
    if e.is_closed() || client.is_closed() {
        return true;
    }
    if std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>()) {
        return true;
    }
    e.code().is_some_and(|c| {
        c.code().starts_with("08")
            || *c == SqlState::ADMIN_SHUTDOWN
            || *c == SqlState::CRASH_SHUTDOWN
            || *c == SqlState::CANNOT_CONNECT_NOW
    })
}

/// A live session holding the writer lock.
pub(crate) struct Session {
    pub(crate) client: Client,
    /// The schema the tables are in, and its oid (the lock's second key).
    pub(crate) schema: String,
    /// The server process of this session (to recognise it if it outlives the connection).
    pub(crate) pid: i32,
}

/// Why a session could not be opened.
pub(crate) enum OpenError {
    /// Another session holds the writer lock of `schema`.
    Locked { holder: Option<i32>, schema: String },
    /// Anything else.
    Store(StoreError),
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> Self {
        OpenError::Store(e)
    }
}

fn pg(e: postgres::Error) -> OpenError {
    OpenError::Store(backend(e))
}

/// Connects, takes the writer lock (terminating `stale_pid`, this store's own earlier session,
/// if PostgreSQL has not noticed yet that its connection is gone and it still holds the lock),
/// creates the tables if missing and checks the format version. `target` names the server in
/// messages.
pub(crate) fn open(
    config: &Config,
    target: &str,
    stale_pid: Option<i32>,
) -> Result<Session, OpenError> {
    let mut client = config.connect(NoTls).map_err(|e| {
        OpenError::Store(StoreError::Backend(format!(
            "cannot connect to PostgreSQL at {target}: {}",
            detail(&e)
        )))
    })?;
    client
        .batch_execute("SET synchronous_commit = on")
        .map_err(pg)?;
    let row = client
        .query_one(
            "SELECT current_schema()::text, \
             (SELECT oid::int4 FROM pg_namespace WHERE nspname = current_schema()), \
             pg_backend_pid()",
            &[],
        )
        .map_err(pg)?;
    let (Some(schema), Some(schema_oid)) = (
        row.get::<_, Option<String>>(0),
        row.get::<_, Option<i32>>(1),
    ) else {
        return Err(OpenError::Store(StoreError::Backend(format!(
            "the search_path of {target} names no existing schema to keep the vpcpeer tables in"
        ))));
    };
    let pid: i32 = row.get(2);
    // Wait briefly for the lock: a server killed an instant ago holds it until PostgreSQL
    // notices that its connection closed.
    client
        .batch_execute(&format!("SET lock_timeout = {}", LOCK_WAIT.as_millis()))
        .map_err(pg)?;
    let mut terminated = false;
    loop {
        match client.execute(
            "SELECT pg_advisory_lock($1, $2)",
            &[&LOCK_CLASS, &schema_oid],
        ) {
            Ok(_) => break,
            Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                let holder = lock_holder(&mut client, schema_oid).map_err(pg)?;
                if holder.is_some() && holder == stale_pid && !terminated {
                    // Our own session from before the connection was lost: end it, then retry.
                    client
                        .execute("SELECT pg_terminate_backend($1)", &[&holder])
                        .map_err(pg)?;
                    terminated = true;
                    continue;
                }
                return Err(OpenError::Locked { holder, schema });
            }
            Err(e) => return Err(pg(e)),
        }
    }
    client.batch_execute("SET lock_timeout = 0").map_err(pg)?;
    client.batch_execute(SCHEMA).map_err(pg)?;
    let version: Option<String> = client
        .query_opt(
            "SELECT value FROM vpcpeer_meta WHERE key = 'format_version'",
            &[],
        )
        .map_err(pg)?
        .map(|r| r.get(0));
    match version {
        None => {
            client
                .execute(
                    "INSERT INTO vpcpeer_meta(key, value) VALUES('format_version', $1)",
                    &[&FORMAT_VERSION.to_string()],
                )
                .map_err(pg)?;
        }
        Some(v) => check_version(v.parse().unwrap_or(0)).map_err(OpenError::Store)?,
    }
    Ok(Session {
        client,
        schema,
        pid,
    })
}

/// The server process holding the writer lock of the schema, if any.
fn lock_holder(client: &mut Client, schema_oid: i32) -> Result<Option<i32>, postgres::Error> {
    Ok(client
        .query_opt(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND classid::bigint = $1 AND objid::bigint = $2 AND objsubid = 2 LIMIT 1",
            &[&i64::from(LOCK_CLASS), &i64::from(schema_oid)],
        )?
        .map(|r| r.get(0)))
}

/// The sequence number of the last commit in the log.
pub(crate) fn last_seq(client: &mut Client) -> Result<u64, postgres::Error> {
    let seq: i64 = client
        .query_one("SELECT coalesce(max(seq), 0) FROM vpcpeer_commits", &[])?
        .get(0);
    Ok(seq as u64)
}
