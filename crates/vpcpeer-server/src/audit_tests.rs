//! In-process tests of `/_vpcpeer/audit` and `/_vpcpeer/matrix` (no socket): a one-sided
//! peering built through the EC2 face, its findings, the account filter, the matrix cells, and
//! malformed bodies answered with 400 JSON errors.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};

use crate::testing::{active_peering, peering_route, send_json, state, vpc_with_instance};
use crate::AppState;

pub(crate) const A: &str = "111111111111";
pub(crate) const B: &str = "222222222222";
const C: &str = "333333333333";

pub(crate) async fn post(st: &Arc<AppState>, path: &str, body: &str) -> (u16, Value) {
    let req = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request");
    send_json(st, req).await
}

/// The ids of a matrix answer's `instances`, in order.
fn instance_ids(v: &Value) -> Vec<&str> {
    v["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect()
}

/// A VPC with one subnet and one instance: (vpc, main route table, instance).
async fn vpc(st: &Arc<AppState>, account: &str, cidr: &str, subnet: &str) -> [String; 3] {
    let (vpc, rtb, i, _) = vpc_with_instance(st, account, cidr, subnet).await;
    [vpc, rtb, i]
}

/// A's VPC peered with B's, routed from A only; C's VPC on its own.
pub(crate) async fn one_sided(
    st: &Arc<AppState>,
) -> ([String; 3], [String; 3], [String; 3], String) {
    let a = vpc(st, A, "10.0.0.0/16", "10.0.1.0/24").await;
    let b = vpc(st, B, "10.1.0.0/16", "10.1.1.0/24").await;
    let c = vpc(st, C, "10.2.0.0/16", "10.2.1.0/24").await;
    let pcx = active_peering(st, (A, &a[0]), (B, &b[0])).await;
    peering_route(st, A, &a[1], "10.1.0.0/16", &pcx).await;
    (a, b, c, pcx)
}

/// A request from A's VPC `a` to C's VPC `c`, awaiting C's acceptance: its id.
pub(crate) async fn request_to_c(st: &Arc<AppState>, a: &[String; 3], c: &[String; 3]) -> String {
    let xml = crate::testing::ok(
        st,
        A,
        &format!(
            "Action=CreateVpcPeeringConnection&VpcId={}&PeerVpcId={}&PeerOwnerId={C}",
            a[0], c[0]
        ),
    )
    .await;
    crate::testing::between(
        &xml,
        "<vpcPeeringConnectionId>",
        "</vpcPeeringConnectionId>",
    )
    .to_owned()
}

#[tokio::test]
async fn audit_names_the_one_sided_route_and_filters_by_account() {
    let st = state();
    let (a, b, _, pcx) = one_sided(&st).await;
    for body in ["", "{}"] {
        let (status, v) = post(&st, "/_vpcpeer/audit", body).await;
        assert_eq!(status, 200, "{v}");
        let f = &v["findings"][0];
        assert_eq!(f["check"], "missing_return_route", "{v}");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["resources"], json!([a[1], pcx, b[0], b[1]]), "{v}");
        assert_eq!(f["accounts"], json!([A, B]));
        assert_eq!(v["summary"]["error"], 1, "{v}");
    }
    let (_, v) = post(&st, "/_vpcpeer/audit", &json!({"account": C}).to_string()).await;
    assert_eq!(v["findings"], json!([]), "{v}");
    assert_eq!(v["summary"], json!({"error": 0, "warning": 0, "info": 0}));
    let (_, v) = post(&st, "/_vpcpeer/audit", &json!({"account": B}).to_string()).await;
    assert_eq!(v["summary"]["error"], 1, "{v}");
}

#[tokio::test]
async fn matrix_lists_instances_and_first_blockers() {
    let st = state();
    let (a, b, c, _) = one_sided(&st).await;
    let (status, v) = post(
        &st,
        "/_vpcpeer/matrix",
        &json!({"protocol": "tcp", "port": 443}).to_string(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let ids = instance_ids(&v);
    let mut want = vec![a[2].as_str(), b[2].as_str(), c[2].as_str()];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(v["cells"].as_array().expect("cells").len(), 6);
    let cell = |from: &str, to: &str| {
        v["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["from"] == from && c["to"] == to)
            .cloned()
            .expect("cell")
    };
    assert_eq!(cell(&a[2], &c[2])["code"], "DISCONNECTED_VPCS");
    assert_eq!(cell(&a[2], &b[2])["reachable"], false);
    assert!(cell(&a[2], &b[2])["code"].is_string());
    assert_eq!(v["reachable"], json!([]));
    // Filters.
    let (_, v) = post(
        &st,
        "/_vpcpeer/matrix",
        &json!({"protocol": "tcp", "port": 443, "account": A}).to_string(),
    )
    .await;
    assert_eq!(v["instances"].as_array().expect("instances").len(), 1);
    assert_eq!(v["cells"], json!([]));
    let (status, v) = post(
        &st,
        "/_vpcpeer/matrix",
        &json!({"protocol": "tcp", "port": 443, "account": A, "instances": [b[2]]}).to_string(),
    )
    .await;
    assert_eq!(status, 404, "{v}");
    // Named instances keep the order given (a repeated one once).
    let (_, v) = post(
        &st,
        "/_vpcpeer/matrix",
        &json!({"protocol": "tcp", "port": 443, "instances": [c[2], a[2], c[2]]}).to_string(),
    )
    .await;
    let ids = instance_ids(&v);
    assert_eq!(ids, [c[2].as_str(), a[2].as_str()], "{v}");
}

#[tokio::test]
async fn malformed_bodies_are_400_json_errors() {
    let st = state();
    let cases: &[(&str, &str)] = &[
        ("/_vpcpeer/audit", "not json"),
        ("/_vpcpeer/audit", r#"{"account": "12"}"#),
        ("/_vpcpeer/audit", r#"{"acount": "111111111111"}"#),
        ("/_vpcpeer/matrix", ""),
        ("/_vpcpeer/matrix", r#"{"protocol": "tcp"}"#),
        ("/_vpcpeer/matrix", r#"{"protocol": "gre", "port": 1}"#),
        ("/_vpcpeer/matrix", r#"{"protocol": "tcp", "port": 70000}"#),
        (
            "/_vpcpeer/matrix",
            r#"{"protocol": "tcp", "port": 1, "instances": "i-1"}"#,
        ),
    ];
    for (path, body) in cases {
        let (status, v) = post(&st, path, body).await;
        assert_eq!(status, 400, "{path} {body}: {v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }
}
