//! Golden tests of vpcpeer's own JSON API: the exact bytes of every admin, reach, audit and
//! matrix answer (and an error) over fixed scenarios, so that a change to the wire shows up as a
//! snapshot diff. Each answer is also read back as its [`vpcpeer_api`] type and written again,
//! which must give the same JSON: the shared types cover the wire exactly, as the CLI (and the
//! controller and console after it) reads it.
//!
//! The snapshots are pretty-printed, which would hide a change of key order; so each test first
//! checks that the bytes sent are the compact form of that same JSON with its keys sorted.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use vpcpeer_api as api;

use crate::audit::tests::{one_sided, A, B};
use crate::reach::tests::{ask, azure_vm, azure_world, world as gcp_world, SUB_A, SUB_B};
use crate::testing::{send, state};
use crate::AppState;

/// The answer to `method path body`: status and the exact bytes.
async fn call(st: &Arc<AppState>, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
    let mut req = Request::builder().method(method).uri(path);
    if body.is_some() {
        req = req.header("content-type", "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let (status, _, bytes) = send(st, req.body(body).expect("request")).await;
    (
        status,
        String::from_utf8(bytes.to_vec()).expect("UTF-8 answer"),
    )
}

/// Checks `raw` is sorted compact JSON that `T` reads and writes back unchanged; returns it
/// pretty-printed, for the snapshot.
pub(crate) fn golden<T: Serialize + DeserializeOwned>(raw: &str) -> String {
    let v: Value = serde_json::from_str(raw).expect("JSON");
    assert_eq!(
        serde_json::to_string(&v).expect("json"),
        raw,
        "not compact JSON with sorted keys"
    );
    let typed: T = serde_json::from_str(raw).expect("the API type reads the answer");
    assert_eq!(
        serde_json::to_value(&typed).expect("json"),
        v,
        "the API type does not write the answer back unchanged"
    );
    serde_json::to_string_pretty(&v).expect("json")
}

#[tokio::test]
async fn admin_answers() {
    let st = state();
    let (status, raw) = call(&st, "GET", "/_vpcpeer/health", None).await;
    assert_eq!(status, 200);
    insta::assert_snapshot!("health", golden::<api::Health>(&raw));
    let (status, raw) = call(&st, "GET", "/_vpcpeer/clock", None).await;
    assert_eq!(status, 200);
    insta::assert_snapshot!("clock", golden::<api::Clock>(&raw));
    let body = json!({"advance_seconds": 60});
    let _: api::AdvanceClock = serde_json::from_value(body.clone()).expect("request");
    let (status, raw) = call(&st, "POST", "/_vpcpeer/clock", Some(body)).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("clock_advanced", golden::<api::Clock>(&raw));
    let (status, raw) = call(&st, "POST", "/_vpcpeer/reset", Some(json!({}))).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("reset", golden::<api::ResetAnswer>(&raw));
    let (status, raw) = call(&st, "POST", "/_vpcpeer/reach", Some(json!({"from": 1}))).await;
    assert_eq!(status, 400, "{raw}");
    insta::assert_snapshot!("reach_error", golden::<api::ErrorAnswer>(&raw));
}

/// The primary private address of `instance`.
fn ip_of(st: &Arc<AppState>, instance: &str) -> String {
    st.emulator.with_world(|w| {
        let eni = &w.aws.instances().get(instance).expect("instance").eni_ids[0];
        w.aws
            .network_interfaces()
            .get(eni)
            .expect("interface")
            .private_ip
            .to_string()
    })
}

#[tokio::test]
async fn aws_reach_audit_and_matrix_answers() {
    let st = state();
    let (a, b, _, _) = one_sided(&st).await;
    let (ip_a, ip_b) = (ip_of(&st, &a[2]), ip_of(&st, &b[2]));
    // A asks: the return route is missing in B's table (B's ids are hidden from A).
    let req = json!({"account": A, "from": a[2], "to": ip_b, "protocol": "tcp", "port": 443});
    let _: api::ReachRequest = serde_json::from_value(req.clone()).expect("request");
    let (status, raw) = call(&st, "POST", "/_vpcpeer/reach", Some(req)).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("reach_aws_as_a", golden::<api::ReachAnswer>(&raw));
    // B asks the way back: its own table, A's hidden.
    let req = json!({"account": B, "from": b[2], "to": ip_a, "protocol": "icmp"});
    let (status, raw) = call(&st, "POST", "/_vpcpeer/reach", Some(req)).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("reach_aws_as_b_icmp", golden::<api::ReachAnswer>(&raw));
    let (status, raw) = call(&st, "POST", "/_vpcpeer/audit", Some(json!({}))).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("audit", golden::<api::AuditAnswer>(&raw));
    let req = json!({"account": B});
    let _: api::AuditRequest = serde_json::from_value(req.clone()).expect("request");
    let (status, raw) = call(&st, "POST", "/_vpcpeer/audit", Some(req)).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("audit_as_b", golden::<api::AuditAnswer>(&raw));
    let req = json!({"protocol": "tcp", "port": 443});
    let _: api::MatrixRequest = serde_json::from_value(req.clone()).expect("request");
    let (status, raw) = call(&st, "POST", "/_vpcpeer/matrix", Some(req)).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("matrix", golden::<api::MatrixAnswer>(&raw));
}

#[test]
fn gcp_and_azure_reach_answers() {
    use crate::reach::tests::{A as GCP_A, B as GCP_B};
    let w = gcp_world();
    for (name, from, to, port) in [
        ("reach_gcp_reachable", GCP_A, GCP_B, 443),
        ("reach_gcp_firewall", GCP_A, GCP_B, 22),
    ] {
        let v = ask(&w, from, to, port).expect("answer");
        let raw = serde_json::to_string(&v).expect("json");
        insta::assert_snapshot!(name, golden::<api::ReachAnswer>(&raw));
    }
    let w = azure_world();
    let (vm_a, vm_b) = (
        azure_vm(SUB_A, "rg-a", "vm-a"),
        azure_vm(SUB_B, "rg-b", "vm-b"),
    );
    let v = ask(&w, &vm_a, &vm_b, 443).expect("answer");
    let raw = serde_json::to_string(&v).expect("json");
    insta::assert_snapshot!("reach_azure_nsg", golden::<api::ReachAnswer>(&raw));
}
