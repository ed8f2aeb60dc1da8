//! Tests of [`PgStore`] against a real PostgreSQL server named by `VPCPEER_TEST_PG_URL`
//! (`scripts/test-all.sh` starts a throwaway cluster and sets it). Each store lives in a schema of
//! its own, so tests run in parallel without colliding. Without the variable, the tests that need
//! a server print that they were skipped and return.

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, Config, NoTls};
use vpcpeer_model::{Change, Record, World};
use vpcpeer_store::conformance::{upserts, world_with_vpcs};
use vpcpeer_store::{Store, StoreError, FORMAT_VERSION};

use super::{ChangedKey, PgStore};

mod reconnect;

fn pg_url(test: &str) -> Option<String> {
    match std::env::var("VPCPEER_TEST_PG_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            eprintln!(
                "{test}: skipped, VPCPEER_TEST_PG_URL is unset (scripts/test-all.sh sets it)"
            );
            None
        }
    }
}

/// A fresh schema for `test`, or `None` (the test is skipped) without a server.
fn test_schema(test: &str) -> Option<TestSchema> {
    pg_url(test).map(|url| TestSchema::new(&url))
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A schema of its own in the test database, dropped at the end.
struct TestSchema {
    admin: Client,
    url: String,
    name: String,
}

impl TestSchema {
    fn new(url: &str) -> Self {
        let mut admin = Config::from_str(url)
            .expect("VPCPEER_TEST_PG_URL parses")
            .connect(NoTls)
            .expect("connect to the test PostgreSQL");
        let name = format!(
            "vpcpeer_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
            ))
            .expect("create schema");
        TestSchema {
            admin,
            url: url.to_owned(),
            name,
        }
    }

    /// The connection configuration of a store in this schema.
    fn config(&self) -> Config {
        let mut c = Config::from_str(&self.url).expect("url");
        c.options(&format!("-csearch_path={}", self.name));
        c
    }

    fn open(&self) -> Result<PgStore, StoreError> {
        PgStore::connect(self.config())
    }

    fn exec(&mut self, sql: &str) {
        let sql = format!("SET search_path = {}; {sql}", self.name);
        self.admin.batch_execute(&sql).expect("admin sql");
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
    }
}

fn keys_of(changes: &[Change]) -> Vec<ChangedKey> {
    let mut keys: Vec<ChangedKey> = changes
        .iter()
        .map(|c| ChangedKey {
            table: c.key.table.to_owned(),
            id: c.key.id.clone(),
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn pg_store_conforms() {
    let Some(url) = pg_url("pg_store_conforms") else {
        return;
    };
    let schemas = std::cell::RefCell::new(Vec::new());
    vpcpeer_store::conformance::run(&|| {
        let schema = TestSchema::new(&url);
        let store = schema.open().expect("open");
        schemas.borrow_mut().push(schema);
        Box::new(store)
    });
}

#[test]
fn a_second_server_on_the_same_schema_is_refused_until_the_first_is_gone() {
    let Some(schema) = test_schema("a_second_server_on_the_same_schema_is_refused") else {
        return;
    };
    let first = schema.open().expect("open");
    let err = schema.open().expect_err("the first server holds the lock");
    assert!(
        err.to_string().contains("in use by another vpcpeer server"),
        "{err}"
    );
    assert!(err.to_string().contains(&schema.name), "{err}");
    // Another schema of the same database is another world: it opens.
    let other = TestSchema::new(&schema.url);
    other.open().expect("a different schema is free");
    // Once the first server is gone, its lock is too.
    drop(first);
    schema
        .open()
        .expect("the lock was released with the connection");
}

#[test]
fn reopen_after_drop_keeps_records_meta_and_seq() {
    let Some(schema) = test_schema("reopen_after_drop_keeps_records_meta_and_seq") else {
        return;
    };
    let w = world_with_vpcs(3);
    let s = schema.open().expect("open");
    let changes = upserts(&w);
    s.commit(&[&changes]).expect("commit");
    let vpc_id = w.aws.vpcs().keys().next().expect("a vpc").clone();
    let del: Vec<Change> = changes
        .iter()
        .filter(|c| c.key.id == vpc_id)
        .map(|c| Change {
            key: c.key.clone(),
            value: None,
        })
        .collect();
    assert_eq!(del.len(), 1, "one record is the vpc {vpc_id}");
    let seq = s.commit(&[&del]).expect("commit");
    s.put_meta("clock_offset_ms", "5").expect("meta");
    drop(s);

    let s = schema.open().expect("reopen");
    let snap = s.load().expect("load");
    assert_eq!(snap.seq, seq);
    assert_eq!(
        snap.meta.get("clock_offset_ms").map(String::as_str),
        Some("5")
    );
    let expected = World::from_records(w.records().into_iter().filter(|r| r.key().id != vpc_id));
    let got = World::from_records(snap.records);
    assert_eq!(got.aws.vpcs().len(), 2);
    assert!(!got.aws.vpcs().contains_key(&vpc_id));
    assert_eq!(got.aws.vpcs(), expected.aws.vpcs());
    // The sequence goes on from where it was.
    assert_eq!(s.commit(&[&upserts(&w)]).expect("commit"), seq + 1);
}

#[test]
fn a_corrupt_record_is_reported_with_its_key() {
    let Some(mut schema) = test_schema("a_corrupt_record_is_reported_with_its_key") else {
        return;
    };
    let s = schema.open().expect("open");
    s.commit(&[&upserts(&world_with_vpcs(1))]).expect("commit");
    schema.exec(
        "INSERT INTO vpcpeer_records(tbl, id, body) VALUES('vpc', 'vpc-broken', '\\x7b6e6f'::bytea)",
    );
    match s.load() {
        Err(StoreError::Corrupt { table, id, .. }) => {
            assert_eq!((table.as_str(), id.as_str()), ("vpc", "vpc-broken"));
        }
        other => panic!("expected a corrupt record, got {other:?}"),
    }
}

#[test]
fn data_of_another_format_version_is_refused() {
    let Some(mut schema) = test_schema("data_of_another_format_version_is_refused") else {
        return;
    };
    let s = schema.open().expect("open");
    drop(s);
    let found = FORMAT_VERSION + 1;
    schema.exec(&format!(
        "UPDATE vpcpeer_meta SET value = '{found}' WHERE key = 'format_version'"
    ));
    match schema.open() {
        Err(StoreError::Version { found: f }) => assert_eq!(f, found),
        other => panic!("expected a version error, got {other:?}"),
    }
}

#[test]
fn the_commit_log_lists_changed_keys_by_seq() {
    let Some(schema) = test_schema("the_commit_log_lists_changed_keys_by_seq") else {
        return;
    };
    let s = schema.open().expect("open");
    assert!(s.changes_since(0).expect("log").is_empty());
    let w1 = world_with_vpcs(1);
    let c1 = upserts(&w1);
    let seq1 = s.commit(&[&c1]).expect("commit");
    // Two batches touching overlapping keys: each key is listed once.
    let w2 = world_with_vpcs(2);
    let c2 = upserts(&w2);
    let seq2 = s.commit(&[&c1, &c2]).expect("commit");
    assert_eq!(seq2, seq1 + 1);

    let log = s.changes_since(0).expect("log");
    assert_eq!(
        log.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![seq1, seq2]
    );
    assert_eq!(log[0].keys, keys_of(&c1));
    let both: Vec<Change> = c1.iter().chain(&c2).cloned().collect();
    assert_eq!(log[1].keys, keys_of(&both));
    assert!(log.iter().all(|e| !e.cleared));
    let tail = s.changes_since(seq1).expect("log");
    assert_eq!(tail.len(), 1);
    assert_eq!(tail[0].seq, seq2);
    assert!(s.changes_since(seq2).expect("log").is_empty());

    // A clear is a commit too, and the sequence never goes back.
    s.clear().expect("clear");
    let log = s.changes_since(seq2).expect("log");
    assert_eq!(log.len(), 1);
    assert!(log[0].cleared && log[0].keys.is_empty());
    assert_eq!(log[0].seq, seq2 + 1);
    assert_eq!(s.load().expect("load").seq, seq2 + 1);
    assert_eq!(s.commit(&[&c1]).expect("commit"), seq2 + 2);
}

#[test]
fn open_by_url_uses_the_schema_of_the_url_options() {
    let Some(mut schema) = test_schema("open_by_url_uses_the_schema_of_the_url_options") else {
        return;
    };
    let url = schema.url.clone();
    let sep = if url.contains('?') { '&' } else { '?' };
    let store_url = format!("{url}{sep}options=-csearch_path%3D{}", schema.name);
    let s = PgStore::open(&store_url).expect("open by url");
    assert!(s.target().contains(&schema.name), "{}", s.target());
    s.put_meta("k", "v").expect("meta");
    // The row is in that schema's own table.
    schema.exec("DO $$ BEGIN IF (SELECT count(*) FROM vpcpeer_meta WHERE key = 'k') <> 1 THEN RAISE EXCEPTION 'missing'; END IF; END $$");
}

#[test]
fn a_search_path_without_a_schema_is_refused() {
    let Some(url) = pg_url("a_search_path_without_a_schema_is_refused") else {
        return;
    };
    let mut c = Config::from_str(&url).expect("url");
    c.options("-csearch_path=vpcpeer_no_such_schema");
    let err = PgStore::connect(c).expect_err("no schema");
    assert!(
        err.to_string().contains("names no existing schema"),
        "{err}"
    );
}

#[test]
fn a_malformed_url_is_refused_clearly() {
    let err = PgStore::open("postgres://u@h:notaport/db").expect_err("bad url");
    assert!(err.to_string().contains("invalid PostgreSQL URL"), "{err}");
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    let err = PgStore::open("postgres://alice:s3cret@127.0.0.1:1/worlds").expect_err("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("cannot connect to PostgreSQL at alice@127.0.0.1:1/worlds"),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "{msg}");
}

/// Records written by this backend decode to the same records (the encoding is shared).
#[test]
fn records_round_trip_through_bytea() {
    let Some(schema) = test_schema("records_round_trip_through_bytea") else {
        return;
    };
    let s = schema.open().expect("open");
    let w = world_with_vpcs(4);
    s.commit(&[&upserts(&w)]).expect("commit");
    let mut got: Vec<Record> = s.load().expect("load").records;
    let mut want = w.records();
    got.sort_by_key(|r| r.key().id);
    want.sort_by_key(|r| r.key().id);
    assert_eq!(got, want);
}

/// Rows in the stored form v1, as the first release wrote them (one of every kind, from the
/// persist module's sample), load through this backend: it uses the same persist module.
#[test]
fn rows_written_by_the_first_release_load() {
    let Some(mut schema) = test_schema("rows_written_by_the_first_release_load") else {
        return;
    };
    drop(schema.open().expect("open creates the tables"));
    let sample = include_str!("../../vpcpeer-store/src/persist/v1-sample.jsonl");
    let mut want = Vec::new();
    for line in sample.lines() {
        let row: serde_json::Value = serde_json::from_str(line).expect("sample line");
        let s = |k: &str| row[k].as_str().expect("string").to_owned();
        let (table, id, body) = (s("table"), s("id"), s("body"));
        schema
            .admin
            .execute(
                &format!(
                    "INSERT INTO {}.vpcpeer_records(tbl, id, body) VALUES($1, $2, $3)",
                    schema.name
                ),
                &[&table, &id, &body.as_bytes()],
            )
            .expect("insert a v1 row");
        want.push((table, id));
    }
    let s = schema.open().expect("reopen");
    let mut got: Vec<(String, String)> = s
        .load()
        .expect("v1 rows load")
        .records
        .iter()
        .map(|r| {
            let k = r.key();
            (k.table.to_owned(), k.id)
        })
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(want.len(), 27);
}
