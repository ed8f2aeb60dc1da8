//! Tests of the fault mode ([`crate::faults`]) through the router: arming, counting down, each
//! face's refusal in its own dialect (status, code, body, headers), nothing applied or logged by
//! a refused request, listing, disarming, reset, and bad arming bodies. The admin answers are
//! golden (insta), read back by their `vpcpeer-api` types as the other admin answers are.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request};
use serde_json::{json, Value};
use vpcpeer_api as api;

use crate::golden_tests::golden;
use crate::testing::{between, ec2, refused, request, send, send_json, state, JSON};
use crate::AppState;

const A: &str = "111111111111";

/// `method /_vpcpeer/faults` with `body`: status and the exact answer.
async fn faults(st: &Arc<AppState>, method: &str, body: Option<&str>) -> (u16, String) {
    faults_at(st, method, "/_vpcpeer/faults", body).await
}

async fn faults_at(
    st: &Arc<AppState>,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
        .expect("request");
    let (status, _, bytes) = send(st, req).await;
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

/// Arms `count` throttles of `action` on `face`; the listing answered.
async fn arm(st: &Arc<AppState>, face: &str, action: &str, count: u32) -> api::FaultsAnswer {
    arm_kind(st, face, action, count, "throttle").await
}

/// Arms `count` faults of kind `fault` of `action` on `face`; the listing answered.
async fn arm_kind(
    st: &Arc<AppState>,
    face: &str,
    action: &str,
    count: u32,
    fault: &str,
) -> api::FaultsAnswer {
    let body = json!({"face": face, "action": action, "count": count, "fault": fault});
    let _: api::ArmFault = serde_json::from_value(body.clone()).expect("request type");
    let (status, raw) = faults(st, "POST", Some(&body.to_string())).await;
    assert_eq!(status, 200, "{raw}");
    serde_json::from_str(&raw).expect("FaultsAnswer")
}

fn armed(answer: &api::FaultsAnswer) -> Vec<(api::Face, &str, u32)> {
    answer
        .faults
        .iter()
        .map(|f| (f.face, f.action.as_str(), f.count))
        .collect()
}

fn logged(st: &AppState) -> usize {
    st.emulator.commands_since(0, 10_000).entries.len()
}

#[tokio::test]
async fn arming_lists_counts_down_and_disarms_golden() {
    let st = state();
    let (status, raw) = faults(&st, "GET", None).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("faults_none", golden::<api::FaultsAnswer>(&raw));
    arm(&st, "azure", "Microsoft.Network/virtualNetworks/write", 1).await;
    arm(&st, "gcp", "compute.networks.addPeering", 1).await;
    let body = r#"{"face":"aws","action":"CreateVpc","count":2,"fault":"throttle"}"#;
    let (status, raw) = faults(&st, "POST", Some(body)).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("faults_armed", golden::<api::FaultsAnswer>(&raw));
    // One CreateVpc is caught: one left.
    let (status, _) = ec2(&st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    assert_eq!(status, 503);
    let (status, raw) = faults(&st, "GET", None).await;
    assert_eq!(status, 200);
    let listed: api::FaultsAnswer = serde_json::from_str(&raw).expect("answer");
    assert_eq!(
        armed(&listed),
        [
            (api::Face::Aws, "CreateVpc", 1),
            (api::Face::Gcp, "compute.networks.addPeering", 1),
            (
                api::Face::Azure,
                "Microsoft.Network/virtualNetworks/write",
                1
            ),
        ]
    );
    // The second is caught too, and the fault is gone.
    let (status, _) = ec2(&st, A, "Action=CreateVpc&CidrBlock=10.0.0.0/16").await;
    assert_eq!(status, 503);
    let (_, raw) = faults(&st, "GET", None).await;
    let listed: api::FaultsAnswer = serde_json::from_str(&raw).expect("answer");
    assert_eq!(listed.faults.len(), 2, "{raw}");
    // Arming again replaces the count.
    let listed = arm(&st, "gcp", "compute.networks.addPeering", 5).await;
    assert_eq!(
        armed(&listed)[0],
        (api::Face::Gcp, "compute.networks.addPeering", 5)
    );
    let (status, raw) = faults(&st, "DELETE", None).await;
    assert_eq!(status, 200, "{raw}");
    insta::assert_snapshot!("faults_disarmed", golden::<api::FaultsAnswer>(&raw));
    let (status, raw) = faults(
        &st,
        "POST",
        Some(r#"{"face":"oracle","action":"X","count":1,"fault":"throttle"}"#),
    )
    .await;
    assert_eq!(status, 400, "{raw}");
    insta::assert_snapshot!("faults_error", golden::<api::ErrorAnswer>(&raw));
}

#[tokio::test]
async fn an_ec2_throttle_refuses_as_ec2_does_and_applies_nothing() {
    let st = state();
    arm(&st, "aws", "CreateVpc", 2).await;
    for _ in 0..2 {
        let (status, xml) = ec2(
            &st,
            A,
            "Version=2016-11-15&Action=CreateVpc&CidrBlock=10.0.0.0/16",
        )
        .await;
        assert_eq!(status, 503, "{xml}");
        assert!(xml.starts_with("<?xml"), "{xml}");
        assert_eq!(between(&xml, "<Code>", "</Code>"), "RequestLimitExceeded");
        assert_eq!(
            between(&xml, "<Message>", "</Message>"),
            "Request limit exceeded."
        );
        assert!(
            !between(&xml, "<RequestID>", "</RequestID>").is_empty(),
            "{xml}"
        );
        assert!(
            st.emulator.with_world(|w| w.is_empty()),
            "a refused request applied something"
        );
        assert_eq!(logged(&st), 0, "a refused request was logged");
    }
    // Other actions were never caught; the third CreateVpc goes through.
    let (status, xml) = ec2(&st, A, "Version=2016-11-15&Action=DescribeVpcs").await;
    assert_eq!(status, 200, "{xml}");
    let (status, xml) = ec2(
        &st,
        A,
        "Version=2016-11-15&Action=CreateVpc&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    assert_eq!(st.emulator.with_world(|w| w.aws.vpcs().len()), 1);
    assert_eq!(logged(&st), 1);
}

#[tokio::test]
async fn a_request_the_face_refuses_anyway_does_not_use_up_the_fault() {
    let st = state();
    arm(&st, "aws", "CreateVpc", 1).await;
    // An API version the face does not speak: its own refusal, before the fault.
    let (status, xml) = ec2(
        &st,
        A,
        "Version=2010-01-01&Action=CreateVpc&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(
        (status, between(&xml, "<Code>", "</Code>")),
        (400, "NoSuchVersion")
    );
    let (_, raw) = faults(&st, "GET", None).await;
    assert!(raw.contains(r#""count":1"#), "{raw}");
}

async fn gcp(st: &Arc<AppState>, method: &str, uri: &str, body: &str) -> (u16, Value) {
    let headers = [("host", "localhost:8443"), JSON];
    send_json(st, request(method, uri, &headers, body.to_owned())).await
}

#[tokio::test]
async fn a_gcp_throttle_is_a_429_rate_limit_exceeded_and_applies_nothing() {
    let st = state();
    arm(&st, "gcp", "compute.networks.create", 1).await;
    let path = "/compute/v1/projects/proj-a/global/networks";
    let body = json!({"name": "net-a", "autoCreateSubnetworks": false}).to_string();
    let (status, v) = gcp(&st, "POST", path, &body).await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(v["error"]["code"], 429, "{v}");
    assert_eq!(
        v["error"]["errors"][0]["reason"], "rateLimitExceeded",
        "{v}"
    );
    assert_eq!(v["error"]["message"], "Rate Limit Exceeded", "{v}");
    assert!(st.emulator.with_world(|w| w.is_empty()));
    assert_eq!(logged(&st), 0);
    // Reads of networks are another permission (compute.networks.list): not caught.
    let (status, v) = gcp(&st, "GET", path, "").await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = gcp(&st, "POST", path, &body).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(st.emulator.with_world(|w| w.gcp.networks().len()), 1);
}

async fn azure(
    st: &Arc<AppState>,
    method: &str,
    path: &str,
    body: &str,
) -> (u16, HeaderMap, Value) {
    let req = request(method, path, &[("host", "127.0.0.1:4651")], body.to_owned());
    let (status, headers, bytes) = send(st, req).await;
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (status, headers, v)
}

#[tokio::test]
async fn an_azure_throttle_is_a_429_too_many_requests_with_retry_after_and_applies_nothing() {
    let st = state();
    let rg = "/subscriptions/s1/resourcegroups/rg?api-version=2021-04-01";
    let (status, _, v) = azure(&st, "PUT", rg, r#"{"location":"eastus"}"#).await;
    assert_eq!(status, 201, "{v}");
    let before = (st.emulator.with_world(|w| w.records()), logged(&st));
    arm(&st, "azure", "Microsoft.Network/virtualNetworks/write", 1).await;
    let vnet = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v?api-version=2024-05-01";
    let body = r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}"#;
    let (status, headers, v) = azure(&st, "PUT", vnet, body).await;
    assert_eq!(status, 429, "{v}");
    assert_eq!(v["error"]["code"], "TooManyRequests", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert_eq!(headers["retry-after"], "0");
    assert!(headers.contains_key("x-ms-request-id"));
    assert_eq!(
        (st.emulator.with_world(|w| w.records()), logged(&st)),
        before
    );
    let (status, _, v) = azure(&st, "PUT", vnet, body).await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(st.emulator.with_world(|w| w.azure.vnets().len()), 1);
}

#[tokio::test]
async fn not_found_and_busy_answer_in_each_clouds_words_and_apply_nothing() {
    let st = state();
    // EC2: the code of the resource the action names, with its id from the request.
    arm_kind(&st, "aws", "AcceptVpcPeeringConnection", 1, "not_found").await;
    let xml = refused(
        &st,
        A,
        "Action=AcceptVpcPeeringConnection&VpcPeeringConnectionId=pcx-0123",
        (400, "InvalidVpcPeeringConnectionID.NotFound"),
    )
    .await;
    assert_eq!(
        between(&xml, "<Message>", "</Message>"),
        "The vpcPeeringConnection ID 'pcx-0123' does not exist"
    );
    arm_kind(&st, "aws", "CreateRoute", 1, "not_found").await;
    refused(
        &st,
        A,
        "Action=CreateRoute&RouteTableId=rtb-9&DestinationCidrBlock=10.1.0.0/16",
        (400, "InvalidRouteTableID.NotFound"),
    )
    .await;
    arm_kind(&st, "aws", "CreateTags", 1, "not_found").await;
    let (_, xml) = ec2(
        &st,
        A,
        "Version=2016-11-15&Action=CreateTags&ResourceId.1=vpc-7&Tag.1.Key=k&Tag.1.Value=v",
    )
    .await;
    assert_eq!(
        between(&xml, "<Message>", "</Message>"),
        "The ID 'vpc-7' is not valid"
    );
    // GCP: 404 notFound naming the resource, and busy as the peering operation in progress.
    arm_kind(&st, "gcp", "compute.networks.addPeering", 1, "not_found").await;
    let add = "/compute/v1/projects/proj-a/global/networks/net-a/addPeering";
    let (status, v) = gcp(&st, "POST", add, r#"{"networkPeering":{}}"#).await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(v["error"]["errors"][0]["reason"], "notFound", "{v}");
    assert_eq!(
        v["error"]["message"],
        "The resource 'projects/proj-a/global/networks/net-a' was not found"
    );
    arm_kind(&st, "gcp", "compute.networks.addPeering", 1, "busy").await;
    let (status, v) = gcp(&st, "POST", add, r#"{"networkPeering":{}}"#).await;
    assert_eq!(status, 400, "{v}");
    assert_eq!(v["error"]["errors"][0]["reason"], "badRequest", "{v}");
    assert_eq!(
        v["error"]["message"],
        "There is a peering operation in progress on the local or peer network. Try again later."
    );
    // ARM: 404 ResourceNotFound naming the VNet and its group; busy as a 409.
    let peering = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/virtualNetworkPeerings/p?api-version=2024-05-01";
    let write = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write";
    arm_kind(&st, "azure", write, 1, "not_found").await;
    let (status, _, v) = azure(&st, "PUT", peering, r#"{"properties":{}}"#).await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(v["error"]["code"], "ResourceNotFound", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(
                "The Resource 'Microsoft.Network/virtualNetworks/v' under resource group 'rg' was not found."
            )),
        "{v}"
    );
    arm_kind(&st, "azure", write, 1, "busy").await;
    let (status, _, v) = azure(&st, "PUT", peering, r#"{"properties":{}}"#).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["error"]["code"], "AnotherOperationInProgress", "{v}");
    assert!(st.emulator.with_world(|w| w.is_empty()));
    assert_eq!(logged(&st), 0, "a refused request was logged");
    let (_, raw) = faults(&st, "GET", None).await;
    assert_eq!(raw, r#"{"faults":[]}"#);
}

#[tokio::test]
async fn reset_disarms_every_fault() {
    let st = state();
    arm(&st, "aws", "CreateVpc", 3).await;
    let (status, raw) = faults_at(&st, "POST", "/_vpcpeer/reset", Some("{}")).await;
    assert_eq!(status, 200, "{raw}");
    let (_, raw) = faults(&st, "GET", None).await;
    assert_eq!(raw, r#"{"faults":[]}"#);
    let (status, xml) = ec2(
        &st,
        A,
        "Version=2016-11-15&Action=CreateVpc&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(status, 200, "{xml}");
}

#[tokio::test]
async fn bad_arming_bodies_are_400s_in_admin_json() {
    let st = state();
    let cases = [
        (
            r#"{"face":"oracle","action":"CreateVpc","count":1,"fault":"throttle"}"#,
            "unknown variant `oracle`",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","count":1,"fault":"explode"}"#,
            "unknown variant `explode`",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","count":0,"fault":"throttle"}"#,
            "count must be 1 or more",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","count":-1,"fault":"throttle"}"#,
            "invalid value",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","fault":"throttle"}"#,
            "missing field `count`",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","count":1,"fault":"throttle","seconds":3}"#,
            "unknown field `seconds`",
        ),
        (
            r#"{"face":"aws","action":"CreateVPC","count":1,"fault":"throttle"}"#,
            "serves no action 'CreateVPC'",
        ),
        (
            r#"{"face":"gcp","action":"networks.addPeering","count":1,"fault":"throttle"}"#,
            "not a Compute Engine permission",
        ),
        (
            r#"{"face":"azure","action":"PUT virtualNetworks","count":1,"fault":"throttle"}"#,
            "not an Azure RBAC action",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","count":1,"fault":"busy"}"#,
            "EC2 has no operation-in-progress refusal",
        ),
        (
            r#"{"face":"aws","action":"CreateVpc","count":1,"fault":"not_found"}"#,
            "names no single resource",
        ),
        (
            r#"{"face":"aws","action":"AcceptVpcPeering","count":1,"fault":"not_found"}"#,
            "serves no action 'AcceptVpcPeering'",
        ),
        ("not json", "expected {\"face\""),
    ];
    for (body, want) in cases {
        let (status, raw) = faults(&st, "POST", Some(body)).await;
        assert_eq!(status, 400, "{body} → {raw}");
        let e: api::ErrorAnswer = serde_json::from_str(&raw).expect("admin error JSON");
        assert!(e.error.contains(want), "{body} → {}", e.error);
    }
    let (_, raw) = faults(&st, "GET", None).await;
    assert_eq!(raw, r#"{"faults":[]}"#, "a refused arming armed something");
}
