//! In-process tests of the router (no socket).

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use tower::ServiceExt;
use vpcpeer_model::{Limits, SeededIds, Timestamp};
use vpcpeer_service::{Emulator, EmulatorClock};
use vpcpeer_store::MemStore;

use super::*;

fn state() -> Arc<AppState> {
    let emu = Emulator::open(
        Arc::new(MemStore::new()),
        EmulatorClock::fixed(Timestamp(1_700_000_000_000)),
        Box::new(SeededIds::new(9)),
        Limits::default(),
    )
    .expect("open");
    AppState::new(emu, 1)
}

async fn call(st: &Arc<AppState>, account: &str, body: &str) -> (u16, String) {
    let req = Request::post("/")
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={account}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .expect("request");
    let resp = app(st.clone()).oneshot(req).await.expect("response");
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let a = s.find(open).expect(open) + open.len();
    let b = s[a..].find(close).expect(close) + a;
    &s[a..b]
}

#[tokio::test]
async fn unknown_action_is_invalid_action() {
    let st = state();
    let (status, body) = call(&st, "111111111111", "Action=Frobnicate&Version=2016-11-15").await;
    assert_eq!(status, 400);
    assert!(body.contains("<Code>InvalidAction</Code>"), "{body}");
}

#[tokio::test]
async fn dry_run_answers_412_and_changes_nothing() {
    let st = state();
    let (status, body) = call(
        &st,
        "111111111111",
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16&DryRun=true",
    )
    .await;
    assert_eq!(status, 412, "{body}");
    assert!(body.contains("DryRunOperation"));
    assert!(st.emulator.with_world(|w| w.is_empty()));
    let (status, body) = call(
        &st,
        "111111111111",
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/8&DryRun=true",
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("InvalidVpc.Range"));
}

#[tokio::test]
async fn accounts_see_only_their_own_vpcs() {
    let st = state();
    let (status, body) = call(
        &st,
        "111111111111",
        "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let vpc_id = between(&body, "<vpcId>", "</vpcId>").to_owned();
    let (_, mine) = call(
        &st,
        "111111111111",
        "Action=DescribeVpcs&Version=2016-11-15",
    )
    .await;
    assert!(mine.contains(&vpc_id));
    let (_, theirs) = call(
        &st,
        "222222222222",
        "Action=DescribeVpcs&Version=2016-11-15",
    )
    .await;
    assert!(!theirs.contains(&vpc_id));
    let (status, body) = call(
        &st,
        "222222222222",
        &format!("Action=DescribeVpcs&Version=2016-11-15&VpcId.1={vpc_id}"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("InvalidVpcID.NotFound"));
}

#[tokio::test]
async fn clock_endpoint_advances() {
    let st = state();
    let req = Request::post("/_vpcpeer/clock")
        .body(Body::from("{\"advance_seconds\": 60}"))
        .expect("request");
    let resp = app(st.clone()).oneshot(req).await.expect("response");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(st.emulator.now(), Timestamp(1_700_000_060_000));
    let req = Request::post("/_vpcpeer/clock")
        .body(Body::from("nope"))
        .expect("request");
    let resp = app(st.clone()).oneshot(req).await.expect("response");
    assert_eq!(resp.status().as_u16(), 400);
}
