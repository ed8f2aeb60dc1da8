//! Migration test: a data directory written by the first release (stored form v1) is loaded by
//! today's code and served unchanged.
//!
//! The fixture `tests/fixtures/persist-v1/` was written by `scripts/make-persist-fixture.py`
//! with the release binary of that format: `data/vpcpeer.db` (a world built through boto3,
//! google-cloud-compute and azure-mgmt-network), `requests.json` (a fixed list of read
//! requests: EC2 Describe* per account and region, GCP and Azure list/get, reach, audit, the
//! admin clock), `answers/NAME` (the status and body that release answered to each) and
//! `clock.json` (the clock reading at the recording). The test copies the data directory,
//! opens it with the SQLite store, replays every request through the server's router and
//! compares each answer byte for byte; then it writes (accepts the pending peering, adds a
//! route) to show the loaded world is live.
//!
//! It runs in-process (`vpcpeer_server::app`) rather than on the binary because the binary reads
//! the system clock: only in-process can the clock be pinned to the instant of the recording, so
//! time-derived answers (expired and pending peerings, the clock itself) stay the same forever.
//! EC2 request ids come from a random salt in the binary and are compared as `REQUEST-ID`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use vpcpeer_model::{Limits, SeededIds, Timestamp, World};
use vpcpeer_server::{app, AppState};
use vpcpeer_service::{Emulator, EmulatorClock};
use vpcpeer_store::persist::keeps_stored_members;
use vpcpeer_store::{decode, encode, Store};
use vpcpeer_store_sqlite::{Durability, SqliteStore};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/persist-v1")
}

fn json_file(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture().join(name)).expect("fixture file");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// A copy of the fixture's data directory, opened as the server opens it, with the clock pinned
/// to the recording.
fn open_copy() -> (tempfile::TempDir, Arc<SqliteStore>, Arc<AppState>) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixture().join("data/vpcpeer.db"),
        dir.path().join("vpcpeer.db"),
    )
    .expect("copy the fixture");
    let store = Arc::new(SqliteStore::open(dir.path(), Durability::Normal).expect("open v1 data"));
    let base = json_file("clock.json")["base_ms"]
        .as_i64()
        .expect("base_ms");
    let emu = Emulator::open(
        store.clone(),
        EmulatorClock::fixed(Timestamp(base)),
        Box::new(SeededIds::new(7)),
        Limits::default(),
    )
    .expect("load v1 data");
    (dir, store, AppState::new(emu, 1))
}

/// EC2 request ids (`<requestId>`, `<RequestID>`) as `REQUEST-ID`.
fn normalise(body: &str) -> String {
    let mut out = body.to_owned();
    for tag in ["requestId", "RequestID"] {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        let mut from = 0;
        while let Some(i) = out[from..].find(&open).map(|i| i + from + open.len()) {
            let Some(j) = out[i..].find(&close).map(|j| j + i) else {
                break;
            };
            out.replace_range(i..j, "REQUEST-ID");
            from = i;
        }
    }
    out
}

async fn send(st: &Arc<AppState>, req: &Value) -> String {
    let s = |k: &str| req[k].as_str().expect("request field");
    let mut b = Request::builder()
        .method(s("method"))
        .uri(s("path"))
        .header("host", "127.0.0.1:4650");
    for (k, v) in req["headers"].as_object().expect("headers") {
        b = b.header(k.as_str(), v.as_str().expect("header value"));
    }
    let resp = app(st.clone())
        .oneshot(b.body(Body::from(s("body").to_owned())).expect("request"))
        .await
        .expect("response");
    let status = resp.status().as_u16();
    let bytes: Bytes = resp.into_body().collect().await.expect("body").to_bytes();
    format!(
        "{status}\n{}",
        normalise(std::str::from_utf8(&bytes).expect("UTF-8 body"))
    )
}

fn ec2(action: &str, account: &str, region: &str, params: &[(&str, &str)]) -> Value {
    let mut body = format!("Action={action}&Version=2016-11-15");
    for (k, v) in params {
        body.push_str(&format!("&{k}={v}"));
    }
    serde_json::json!({
        "method": "POST", "path": "/", "body": body,
        "headers": {
            "content-type": "application/x-www-form-urlencoded; charset=utf-8",
            "authorization": format!("AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/ec2/aws4_request, SignedHeaders=host, Signature=00"),
        },
    })
}

#[tokio::test]
async fn data_written_by_the_first_release_is_served_unchanged() {
    let (_dir, _store, st) = open_copy();
    let requests = json_file("requests.json");
    let requests = requests.as_array().expect("a list");
    assert!(requests.len() > 100, "the fixture's reads");
    let mut changed = Vec::new();
    for req in requests {
        let name = req["name"].as_str().expect("name");
        let want = std::fs::read_to_string(fixture().join("answers").join(name)).expect("answer");
        let got = send(&st, req).await;
        if got != want {
            let at = got
                .bytes()
                .zip(want.bytes())
                .take_while(|(a, b)| a == b)
                .count();
            let lo = at.saturating_sub(60);
            changed.push(format!(
                "{name}: differs at byte {at}:\n  now:  {:?}\n  then: {:?}",
                got.get(lo..(at + 60).min(got.len())).unwrap_or(""),
                want.get(lo..(at + 60).min(want.len())).unwrap_or(""),
            ));
        }
    }
    assert!(
        changed.is_empty(),
        "{} of {} answers changed:\n{}",
        changed.len(),
        requests.len(),
        changed.join("\n")
    );
}

/// An EC2 call (action, account, region) that must answer 200; the answer as [`send`] gives it.
async fn ok(
    st: &Arc<AppState>,
    (action, account, region): (&str, &str, &str),
    params: &[(&str, &str)],
) -> String {
    let got = send(st, &ec2(action, account, region, params)).await;
    assert!(got.starts_with("200\n"), "{action}: {got}");
    got
}

#[tokio::test]
async fn the_loaded_world_takes_writes() {
    let (_dir, store, st) = open_copy();
    let ids = &json_file("clock.json")["ids"];
    let id = |k: &str| ids[k].as_str().expect("fixture id").to_owned();
    let (a, c) = ("111111111111", "333333333333");

    // C accepts the pending cross-account, cross-region request A made.
    let pcx = id("p_pend");
    ok(
        &st,
        ("AcceptVpcPeeringConnection", c, "eu-west-1"),
        &[("VpcPeeringConnectionId", &pcx)],
    )
    .await;
    let described = ok(
        &st,
        ("DescribeVpcPeeringConnections", a, "us-east-1"),
        &[("VpcPeeringConnectionId.1", &pcx)],
    )
    .await;
    assert!(described.contains("<code>active</code>"), "{described}");

    // A routes a new block of its second VPC's over the active same-account peering.
    ok(
        &st,
        ("CreateRoute", a, "us-east-1"),
        &[
            ("RouteTableId", &id("rt_pub")),
            ("DestinationCidrBlock", "10.1.0.0/16"),
            ("VpcPeeringConnectionId", &id("p_same")),
        ],
    )
    .await;
    let tables = ok(
        &st,
        ("DescribeRouteTables", a, "us-east-1"),
        &[("RouteTableId.1", &id("rt_pub"))],
    )
    .await;
    assert!(
        tables.contains("<destinationCidrBlock>10.1.0.0/16</destinationCidrBlock>"),
        "{tables}"
    );

    // Both are durable: the store holds what memory holds.
    let stored = World::from_records(store.load().expect("load").records);
    assert_eq!(st.emulator.with_world(World::clone), stored);
}

/// Every row of the fixture decodes, and this build writes it back saying everything it said
/// (same members, same values; only fields added since, with defaults, may be new), so a v1
/// directory that is loaded and written to stays v1.
#[test]
fn every_stored_row_is_written_back_alike() {
    let db = rusqlite::Connection::open_with_flags(
        fixture().join("data/vpcpeer.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the fixture read-only");
    let version: String = db
        .query_row(
            "SELECT value FROM meta WHERE key = 'format_version'",
            [],
            |r| r.get(0),
        )
        .expect("format_version");
    assert_eq!(version, "1");
    let mut stmt = db
        .prepare("SELECT tbl, id, body FROM records")
        .expect("query");
    let rows: Vec<(String, String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut tables: Vec<&str> = rows.iter().map(|(t, _, _)| t.as_str()).collect();
    tables.dedup();
    assert_eq!(tables.len(), 27, "every kind of record is in the fixture");
    for (table, id, body) in &rows {
        let record = decode(table, id, body).unwrap_or_else(|e| panic!("{table}/{id}: {e}"));
        keeps_stored_members(body, &encode(&record))
            .unwrap_or_else(|e| panic!("{table}/{id} is written differently now: {e}"));
    }
}

/// The same directory marked as written by a newer format is refused on open, with a message
/// that says so, and its version is left as it was.
#[test]
fn a_directory_of_a_newer_format_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("vpcpeer.db");
    std::fs::copy(fixture().join("data/vpcpeer.db"), &db).expect("copy");
    let newer = vpcpeer_store::FORMAT_VERSION + 1;
    rusqlite::Connection::open(&db)
        .expect("open")
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = 'format_version'",
            [newer.to_string()],
        )
        .expect("mark newer");
    let err = SqliteStore::open(dir.path(), Durability::Normal).expect_err("refused");
    assert!(
        matches!(err, vpcpeer_store::StoreError::Version { found } if found == newer),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("written by a newer vpcpeer"),
        "{err}"
    );
    let kept: String = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row(
            "SELECT value FROM meta WHERE key = 'format_version'",
            [],
            |r| r.get(0),
        )
        .expect("format_version");
    assert_eq!(kept, newer.to_string(), "the version is left as it was");
}
