//! In-process tests of the router (no socket).

mod faults;

use axum::body::Body;
use axum::http::Request;

use super::*;
use crate::testing::{
    active_peering, ec2 as call, instance, ok_field, peering_route, refused, request, send,
    send_json, state, vpc_with_instance,
};

const A: &str = "111111111111";
const B: &str = "222222222222";

#[tokio::test]
async fn unknown_action_is_invalid_action() {
    let st = state();
    refused(&st, A, "Action=Frobnicate", (400, "InvalidAction")).await;
}

#[tokio::test]
async fn dry_run_answers_412_and_changes_nothing() {
    let st = state();
    refused(
        &st,
        A,
        "Action=CreateVpc&CidrBlock=10.0.0.0/16&DryRun=true",
        (412, "DryRunOperation"),
    )
    .await;
    assert!(st.emulator.with_world(|w| w.is_empty()));
    refused(
        &st,
        A,
        "Action=CreateVpc&CidrBlock=10.0.0.0/8&DryRun=true",
        (400, "InvalidVpc.Range"),
    )
    .await;
}

#[tokio::test]
async fn accounts_see_only_their_own_vpcs() {
    let st = state();
    let vpc_id = ok_field(&st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16", "vpcId").await;
    let (_, mine) = call(&st, A, "Action=DescribeVpcs&Version=2016-11-15").await;
    assert!(mine.contains(&vpc_id));
    let (_, theirs) = call(&st, B, "Action=DescribeVpcs&Version=2016-11-15").await;
    assert!(!theirs.contains(&vpc_id));
    refused(
        &st,
        B,
        &format!("Action=DescribeVpcs&VpcId.1={vpc_id}"),
        (400, "InvalidVpcID.NotFound"),
    )
    .await;
}

#[tokio::test]
async fn clock_endpoint_advances() {
    let st = state();
    let req = Request::post("/_vpcpeer/clock")
        .header("content-type", "application/json")
        .body(Body::from("{\"advance_seconds\": 60}"))
        .expect("request");
    assert_eq!(send(&st, req).await.0, 200);
    assert_eq!(
        st.emulator.now(),
        vpcpeer_model::Timestamp(1_700_000_060_000)
    );
    let req = Request::post("/_vpcpeer/clock")
        .header("content-type", "application/json")
        .body(Body::from("nope"))
        .expect("request");
    assert_eq!(send(&st, req).await.0, 400);
}

async fn reach(st: &Arc<AppState>, body: serde_json::Value) -> (u16, serde_json::Value) {
    let req = Request::post("/_vpcpeer/reach")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    raw_reach(st, req).await
}

async fn raw_reach(st: &Arc<AppState>, req: Request<Body>) -> (u16, serde_json::Value) {
    send_json(st, req).await
}

#[tokio::test]
async fn reach_inside_one_vpc_is_reachable() {
    let st = state();
    let (_, _, i1, _) = vpc_with_instance(&st, A, "10.0.0.0/16", "10.0.1.0/24").await;
    let sub = ok_field(&st, A, "Action=DescribeSubnets", "subnetId").await;
    let (_, ip2) = instance(&st, A, &sub).await;
    let (status, v) = reach(
        &st,
        serde_json::json!({"account": A, "from": i1, "to": ip2, "protocol": "tcp", "port": 443}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["reachable"], true, "{v}");
    assert_eq!(v["blockers"], serde_json::json!([]));
    let fwd = v["forward"].as_array().expect("forward");
    assert_eq!(fwd[0]["component"]["kind"], "instance");
    assert_eq!(fwd[0]["component"]["id"], i1.as_str());
    assert_eq!(fwd[0]["inbound"]["dst_ip"], ip2.as_str());
    assert_eq!(fwd[0]["inbound"]["dst_port"], 443);
    assert!(fwd
        .iter()
        .any(|h| h["rule"]["type"] == "security-group-rule"));
    assert!(!v["return"].as_array().expect("return").is_empty());
}

#[tokio::test]
async fn reach_over_a_one_sided_peering_names_the_missing_return_route() {
    let st = state();
    let (va, rtb_a, ia, _) = vpc_with_instance(&st, A, "10.0.0.0/16", "10.0.1.0/24").await;
    let (vb, rtb_b, _, ip_b) = vpc_with_instance(&st, B, "10.1.0.0/16", "10.1.1.0/24").await;
    let pcx = active_peering(&st, (A, &va), (B, &vb)).await;
    peering_route(&st, A, &rtb_a, "10.1.0.0/16", &pcx).await;
    let q =
        serde_json::json!({"account": A, "from": ia, "to": ip_b, "protocol": "tcp", "port": 443});
    let (status, v) = reach(&st, q.clone()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["reachable"], false, "{v}");
    let blockers = v["blockers"].as_array().expect("blockers");
    let ret = blockers
        .iter()
        .find(|b| b["code"] == "NO_ROUTE_TO_DESTINATION" && b["leg"] == "return")
        .unwrap_or_else(|| panic!("no return-leg NO_ROUTE_TO_DESTINATION in {v}"));
    // B's table, asked by A: named by kind, owner and (peer, so visible) VPC, not by id.
    assert_eq!(ret["component"]["id"], serde_json::Value::Null);
    assert_eq!(ret["component"]["account"], B);
    assert!(!v.to_string().contains(rtb_b.as_str()), "{v}");
    assert_eq!(
        ret["fix"],
        format!(
            "its owner (account {B}) must add a route 10.0.0.0/16 → {pcx} to \
             route-table (account {B}, {vb})"
        )
        .as_str()
    );
    // The default group of B admits only its own members: an ingress blocker with a fix.
    let sg = blockers
        .iter()
        .find(|b| b["code"] == "ENI_SG_RULES_MISMATCH")
        .unwrap_or_else(|| panic!("no ENI_SG_RULES_MISMATCH in {v}"));
    let fix = sg["fix"].as_str().expect("fix");
    assert!(
        fix.starts_with(&format!(
            "its owner (account {B}) must allow tcp/443 from 10.0.1."
        )),
        "{fix}"
    );

    peering_route(&st, B, &rtb_b, "10.0.0.0/16", &pcx).await;
    let (_, v) = reach(&st, q).await;
    assert!(
        !v["blockers"]
            .as_array()
            .expect("blockers")
            .iter()
            .any(|b| b["code"] == "NO_ROUTE_TO_DESTINATION"),
        "{v}"
    );
}

#[tokio::test]
async fn reach_rejects_bad_input_and_foreign_ids() {
    let st = state();
    let (_, _, ia, ip_a) = vpc_with_instance(&st, A, "10.0.0.0/16", "10.0.1.0/24").await;
    let (_, _, ib, _) = vpc_with_instance(&st, B, "10.1.0.0/16", "10.1.1.0/24").await;
    let req = Request::post("/_vpcpeer/reach")
        .header("content-type", "application/json")
        .body(Body::from("not json"))
        .expect("request");
    let (status, v) = raw_reach(&st, req).await;
    assert_eq!(status, 400);
    assert!(v["error"].as_str().expect("error").contains("expected"));
    let cases = [
        (
            serde_json::json!({"account": A, "from": ia, "to": "10.1.1.9", "protocol": "gre", "port": 1}),
            400,
            "unknown protocol",
        ),
        (
            serde_json::json!({"account": A, "from": ia, "to": "10.1.1.9", "protocol": "tcp"}),
            400,
            "need a destination port",
        ),
        (
            serde_json::json!({"account": A, "from": "nonsense", "to": "10.1.1.9", "protocol": "icmp"}),
            400,
            "neither",
        ),
        (
            serde_json::json!({"account": "12", "from": ia, "to": "10.1.1.9", "protocol": "icmp"}),
            400,
            "12-digit",
        ),
        (
            serde_json::json!({"account": A, "from": ia, "to": ia, "protocol": "icmp"}),
            400,
            "same network interface",
        ),
        (
            serde_json::json!({"account": A, "from": ib, "to": ip_a, "protocol": "icmp"}),
            404,
            "not found in account 111111111111",
        ),
        (
            serde_json::json!({"account": A, "from": ia, "to": ib, "protocol": "icmp"}),
            404,
            "not found",
        ),
        (
            serde_json::json!({"account": A, "from": "i-0000000000000dead", "to": ip_a, "protocol": "icmp"}),
            404,
            "not found",
        ),
        (
            serde_json::json!({"account": A, "from": "10.1.1.4", "to": ip_a, "protocol": "icmp"}),
            404,
            "holds the source address",
        ),
        (
            serde_json::json!({"from": ia, "to": ip_a, "protocol": "icmp"}),
            404,
            "account 000000000000",
        ),
    ];
    for (q, want, msg) in cases {
        let (status, v) = reach(&st, q.clone()).await;
        assert_eq!(status, want, "{q} → {v}");
        let e = v["error"].as_str().expect("error");
        assert!(e.contains(msg), "{q} → {e}");
    }
}

async fn arm(st: &Arc<AppState>, method: &str, path: &str, body: &str) -> (u16, HeaderMap, String) {
    let headers = [
        ("host", "127.0.0.1:4651"),
        ("authorization", "Bearer anything"),
    ];
    let (status, headers, bytes) = send(st, request(method, path, &headers, body.to_owned())).await;
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn arm_requests_reach_the_azure_face_and_commit() {
    let st = state();
    let rg = "/subscriptions/s1/resourcegroups/rg?api-version=2021-04-01";
    let (status, headers, body) = arm(&st, "PUT", rg, r#"{"location":"eastus"}"#).await;
    assert_eq!(status, 201, "{body}");
    assert!(headers.contains_key("x-ms-request-id"));
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let vnet = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v?api-version=2024-05-01";
    let (status, headers, body) = arm(&st, "PUT", vnet, r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}"#).await;
    assert_eq!(status, 201, "{body}");
    // Over plain HTTP the operation URL says http, with the client's host.
    let op = headers["azure-asyncoperation"].to_str().unwrap().to_owned();
    assert!(op.starts_with("http://127.0.0.1:4651/subscriptions/s1/providers/Microsoft.Network/locations/eastus/operations/"), "{op}");
    let (status, _, body) = arm(
        &st,
        "GET",
        op.trim_start_matches("http://127.0.0.1:4651"),
        "",
    )
    .await;
    assert_eq!(
        (status, body.contains("\"Succeeded\"")),
        (200, true),
        "{body}"
    );
    assert_eq!(st.emulator.with_world(|w| w.azure.vnets().len()), 1);
    // A client mistake is an ARM error, and leaves nothing behind.
    let (status, _, body) = arm(
        &st,
        "PUT",
        vnet.replace("/v?", "/w?").as_str(),
        r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["bad"]}}}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.contains("InvalidAddressPrefixFormat"), "{body}");
    assert_eq!(st.emulator.with_world(|w| w.azure.vnets().len()), 1);
}
