//! Lost connections, against the real PostgreSQL of `VPCPEER_TEST_PG_URL`: a terminated session
//! (`pg_terminate_backend`), an outage (a database that refuses connections), another server
//! taking the writer lock, this store's own lingering session, and commits in doubt. The doubtful
//! cases go through a small TCP proxy that cuts the connection exactly around `COMMIT`: before it
//! reaches the server, or after the server answered it but before the client hears the answer.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};
use vpcpeer_model::{Change, World};
use vpcpeer_store::{Store, StoreError};

use super::{pg_url, test_schema, upserts, world_with_vpcs, TestSchema, NEXT};
use crate::{PgStore, Reconnect};

/// Quick to give up, so the failing cases do not wait long.
const QUICK: Reconnect = Reconnect {
    attempts: 2,
    first_backoff: Duration::from_millis(20),
    connect_timeout: Duration::from_secs(2),
};

/// The changes that write the first `n` VPCs of one seeded world: each state holds the one
/// before, so the number of VPCs stored tells which write was the last applied.
fn vpcs(n: usize) -> Vec<Change> {
    upserts(&world_with_vpcs(n))
}

fn stored_vpcs(s: &PgStore) -> usize {
    World::from_records(s.load().expect("load").records)
        .aws
        .vpcs()
        .len()
}

fn admin(url: &str) -> Client {
    Config::from_str(url)
        .expect("url")
        .connect(NoTls)
        .expect("admin connection")
}

/// Terminates the sessions named `app`, waiting until they are gone.
fn terminate(admin: &mut Client, app: &str) -> usize {
    admin
        .query(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity \
             WHERE application_name = $1",
            &[&app],
        )
        .expect("terminate")
        .len()
}

fn unique_app() -> String {
    format!(
        "vpcpeer-reconnect-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The store of `schema`, named `app` in `pg_stat_activity`.
fn open_named(schema: &TestSchema, app: &str, reconnect: Reconnect) -> PgStore {
    let mut c = schema.config();
    c.application_name(app);
    PgStore::connect_with(c, reconnect).expect("open")
}

#[test]
fn a_terminated_session_is_replaced_and_the_next_write_goes_through() {
    let Some(schema) = test_schema("a_terminated_session_is_replaced") else {
        return;
    };
    let app = unique_app();
    let s = open_named(&schema, &app, Reconnect::default());
    s.commit(&[&vpcs(1)]).expect("commit");
    let mut admin = admin(&schema.url);
    assert_eq!(terminate(&mut admin, &app), 1);
    // The connection died while idle: the write notices, reconnects and goes through.
    let seq = s.commit(&[&vpcs(2)]).expect("commit after reconnecting");
    assert_eq!(stored_vpcs(&s), 2);
    assert_eq!(s.load().expect("load").seq, seq);
    // The new session holds the writer lock again.
    let err = schema.open().expect_err("locked");
    assert!(err.to_string().contains("in use"), "{err}");
    // A ping and a metadata write reconnect just as well.
    assert_eq!(terminate(&mut admin, &app), 1);
    s.ping().expect("ping reconnects");
    assert_eq!(terminate(&mut admin, &app), 1);
    s.put_meta("clock_offset_ms", "9")
        .expect("meta after reconnecting");
    assert_eq!(
        s.load().expect("load").meta.get("clock_offset_ms"),
        Some(&"9".to_owned())
    );
}

/// A database that refuses connections: writes and pings fail (after the bounded retries), and
/// nothing of them is stored; once it accepts connections again, a ping succeeds and writes go
/// on where they were.
#[test]
fn an_outage_fails_writes_until_the_database_is_back() {
    let Some(url) = pg_url("an_outage_fails_writes_until_the_database_is_back") else {
        return;
    };
    let db = format!(
        "vpcpeer_outage_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = admin(&url);
    admin
        .batch_execute(&format!("CREATE DATABASE {db}"))
        .expect("create database");
    let mut c = Config::from_str(&url).expect("url");
    c.dbname(&db);
    let app = unique_app();
    c.application_name(&app);
    let s = PgStore::connect_with(c, QUICK).expect("open");
    let seq = s.commit(&[&vpcs(1)]).expect("commit");

    admin
        .batch_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"))
        .expect("close the database");
    assert_eq!(terminate(&mut admin, &app), 1);
    let err = s.commit(&[&vpcs(3)]).expect_err("the database is closed");
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(
        err.to_string().contains("could not be re-established"),
        "{err}"
    );
    s.ping().expect_err("still closed");
    s.put_meta("k", "v").expect_err("still closed");

    admin
        .batch_execute(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
        .expect("open the database");
    s.ping().expect("back");
    assert_eq!(stored_vpcs(&s), 1, "the failed commit left nothing");
    assert_eq!(s.commit(&[&vpcs(2)]).expect("commit"), seq + 1);
    assert_eq!(stored_vpcs(&s), 2);
    drop(s);
    admin
        .batch_execute(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .expect("drop database");
}

#[test]
fn another_server_taking_the_lock_leaves_this_store_failed_for_good() {
    let Some(schema) = test_schema("another_server_taking_the_lock") else {
        return;
    };
    let app = unique_app();
    let first = open_named(&schema, &app, QUICK);
    first.commit(&[&vpcs(1)]).expect("commit");
    let mut admin = admin(&schema.url);
    assert_eq!(terminate(&mut admin, &app), 1);
    let second = schema
        .open()
        .expect("the lock is free: another server opens");
    let err = first.commit(&[&vpcs(2)]).expect_err("taken over");
    assert!(
        err.to_string()
            .contains("taken over by another vpcpeer server"),
        "{err}"
    );
    drop(second);
    let err = first.ping().expect_err("stays failed");
    assert!(err.to_string().contains("taken over"), "{err}");
    assert_eq!(
        stored_vpcs(&schema.open().expect("open")),
        1,
        "the refused commit left nothing"
    );
}

/// This store's previous session still holds the lock (PostgreSQL has not noticed its
/// connection is gone): reconnecting ends it and goes on.
#[test]
fn this_stores_own_lingering_session_is_ended_on_reconnect() {
    let Some(schema) = test_schema("this_stores_own_lingering_session") else {
        return;
    };
    let s = schema.open().expect("open");
    s.commit(&[&vpcs(1)]).expect("commit");
    // Forget the connection without closing it: the server session lives on, lock and all.
    let client = s.inner.lock().expect("lock").client.take();
    std::mem::forget(client);
    s.commit(&[&vpcs(2)])
        .expect("reconnected past the old session");
    assert_eq!(stored_vpcs(&s), 2);
}

/// Where the proxy cuts the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// `COMMIT` never reaches the server (which rolls the transaction back).
    BeforeCommit,
    /// The server commits; its answer never reaches the client.
    AfterCommit,
}

/// A TCP proxy in front of the test server.
struct Proxy {
    port: u16,
    /// New connections are closed at once while set.
    refuse: Arc<AtomicBool>,
    /// The next `COMMIT` is cut this way.
    cut: Arc<Mutex<Option<Cut>>>,
}

/// `COMMIT` as a simple-query message, and the server's `CommandComplete` for it.
const COMMIT_QUERY: &[u8] = b"Q\0\0\0\x0bCOMMIT\0";
const COMMIT_DONE: &[u8] = b"C\0\0\0\x0bCOMMIT\0";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn cut_both(a: &TcpStream, b: &TcpStream) {
    let _ = a.shutdown(Shutdown::Both);
    let _ = b.shutdown(Shutdown::Both);
}

/// Copies `from` to `to` on a thread, each chunk as `inspect` allows: `None` forwards it whole,
/// `Some(n)` only its first `n` bytes and then stops. When either side closes or the copy
/// stops, both connections (`ends`) are cut.
fn relay(
    mut from: TcpStream,
    mut to: TcpStream,
    ends: (TcpStream, TcpStream),
    mut inspect: impl FnMut(&[u8]) -> Option<usize> + Send + 'static,
) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let stop = inspect(&buf[..n]);
            if to.write_all(&buf[..stop.unwrap_or(n)]).is_err() || stop.is_some() {
                break;
            }
        }
        cut_both(&ends.0, &ends.1);
    });
}

impl Proxy {
    fn start(upstream: (String, u16)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let refuse = Arc::new(AtomicBool::new(false));
        let cut = Arc::new(Mutex::new(None));
        let (r, c) = (refuse.clone(), cut.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                if r.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect((upstream.0.as_str(), upstream.1)) else {
                    continue;
                };
                Self::pump(client, server, c.clone());
            }
        });
        Proxy { port, refuse, cut }
    }

    fn pump(client: TcpStream, server: TcpStream, cut: Arc<Mutex<Option<Cut>>>) {
        let awaiting = Arc::new(AtomicBool::new(false));
        let waiting = awaiting.clone();
        let clone = |s: &TcpStream| s.try_clone().expect("clone");
        let ends = || (clone(&client), clone(&server));
        relay(clone(&client), clone(&server), ends(), move |chunk| {
            let armed = *cut.lock().expect("lock");
            if let (Some(how), Some(at)) = (armed, find(chunk, COMMIT_QUERY)) {
                *cut.lock().expect("lock") = None;
                if how == Cut::BeforeCommit {
                    return Some(at);
                }
                waiting.store(true, Ordering::SeqCst);
            }
            None
        });
        relay(clone(&server), clone(&client), ends(), move |chunk| {
            // Once the server has committed, the client never hears of it.
            (awaiting.load(Ordering::SeqCst) && find(chunk, COMMIT_DONE).is_some()).then_some(0)
        });
    }

    /// `config` pointed at this proxy instead.
    fn config(&self, config: &Config) -> Config {
        let mut c = Config::new();
        c.host("127.0.0.1").port(self.port);
        if let Some(u) = config.get_user() {
            c.user(u);
        }
        if let Some(p) = config.get_password() {
            c.password(p);
        }
        if let Some(d) = config.get_dbname() {
            c.dbname(d);
        }
        if let Some(o) = config.get_options() {
            c.options(o);
        }
        c
    }

    fn arm(&self, how: Cut) {
        *self.cut.lock().expect("lock") = Some(how);
    }
}

fn upstream(url: &str) -> (String, u16) {
    let c = Config::from_str(url).expect("url");
    let host = match c.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".to_owned(),
    };
    (host, c.get_ports().first().copied().unwrap_or(5432))
}

fn through_proxy(test: &str) -> Option<(TestSchema, Proxy, PgStore)> {
    let url = &pg_url(test)?;
    if !matches!(
        Config::from_str(url).ok()?.get_hosts().first(),
        Some(Host::Tcp(_))
    ) {
        eprintln!("skipped: the proxy needs a TCP VPCPEER_TEST_PG_URL");
        return None;
    }
    let schema = TestSchema::new(url);
    let proxy = Proxy::start(upstream(url));
    let store = PgStore::connect_with(proxy.config(&schema.config()), QUICK).expect("open");
    Some((schema, proxy, store))
}

/// The server committed but the answer was lost: the store reconnects, finds its commit in the
/// log, and reports it committed.
#[test]
fn a_commit_whose_answer_is_lost_is_found_in_the_log() {
    let Some((_schema, proxy, s)) = through_proxy("a_commit_whose_answer_is_lost") else {
        return;
    };
    let seq = s.commit(&[&vpcs(1)]).expect("commit");
    proxy.arm(Cut::AfterCommit);
    assert_eq!(s.commit(&[&vpcs(2)]).expect("found in the log"), seq + 1);
    assert_eq!(stored_vpcs(&s), 2);
    assert_eq!(s.commit(&[&vpcs(3)]).expect("goes on"), seq + 2);
}

/// `COMMIT` never reached the server: the store reconnects, does not find its commit, and
/// reports it failed; nothing of it is stored.
#[test]
fn a_commit_that_never_reached_the_server_is_reported_failed() {
    let Some((_schema, proxy, s)) = through_proxy("a_commit_that_never_reached_the_server") else {
        return;
    };
    let seq = s.commit(&[&vpcs(1)]).expect("commit");
    proxy.arm(Cut::BeforeCommit);
    let err = s.commit(&[&vpcs(2)]).expect_err("not applied");
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(err.to_string().contains("not applied"), "{err}");
    assert_eq!(stored_vpcs(&s), 1);
    assert_eq!(s.commit(&[&vpcs(3)]).expect("goes on"), seq + 1);
}

/// Commits one VPC, then a second with the connection cut at `cut` and reconnecting refused: that
/// commit is in doubt. Reconnecting is allowed again; the sequence number of the first commit.
fn commit_in_doubt(proxy: &Proxy, s: &PgStore, cut: Cut) -> u64 {
    let seq = s.commit(&[&vpcs(1)]).expect("commit");
    proxy.arm(cut);
    proxy.refuse.store(true, Ordering::SeqCst);
    let err = s.commit(&[&vpcs(2)]).expect_err("in doubt");
    assert!(matches!(err, StoreError::InDoubt(_)), "{err:?}");
    proxy.refuse.store(false, Ordering::SeqCst);
    seq
}

/// The answer to `COMMIT` is lost and the store cannot reconnect to find out: the commit is in
/// doubt. On the next connection the log shows it was applied, so the store is stale (every
/// write refused) until it is loaded again; then writes go on.
#[test]
fn a_commit_in_doubt_makes_the_store_stale_until_it_is_loaded() {
    let Some((_schema, proxy, s)) = through_proxy("a_commit_in_doubt_makes_the_store_stale") else {
        return;
    };
    let seq = commit_in_doubt(&proxy, &s, Cut::AfterCommit);
    let err = s.commit(&[&vpcs(3)]).expect_err("stale");
    assert!(matches!(err, StoreError::Stale(_)), "{err:?}");
    assert!(matches!(s.ping(), Err(StoreError::Stale(_))));
    let snap = s.load().expect("load");
    assert_eq!(snap.seq, seq + 1, "the commit in doubt was applied");
    assert_eq!(World::from_records(snap.records).aws.vpcs().len(), 2);
    s.ping().expect("no longer stale");
    assert_eq!(s.commit(&[&vpcs(3)]).expect("goes on"), seq + 2);
}

/// The same, but `COMMIT` never reached the server: once reconnected, the store knows the commit
/// was not applied, is not stale, and goes on.
#[test]
fn a_commit_in_doubt_that_was_not_applied_leaves_the_store_usable() {
    let Some((_schema, proxy, s)) = through_proxy("a_commit_in_doubt_that_was_not_applied") else {
        return;
    };
    let seq = commit_in_doubt(&proxy, &s, Cut::BeforeCommit);
    assert_eq!(s.commit(&[&vpcs(3)]).expect("not stale"), seq + 1);
    assert_eq!(stored_vpcs(&s), 3);
}
