//! The harness of the router's in-process tests (no socket): an emulator on a `MemStore` with a
//! fixed clock and seeded ids, and one way to send a request through [`app`] and read the answer.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request};
use http_body_util::BodyExt;
use tower::ServiceExt;
use vpcpeer_model::Timestamp;
use vpcpeer_service::Emulator;

use crate::{app, AppState};

/// A fresh emulator (in memory, clock fixed at 2023-11-14T22:13:20Z, seeded ids) behind the app.
pub(crate) fn state() -> Arc<AppState> {
    AppState::new(emulator(), 1)
}

/// [`state`], with `token` required on `/_vpcpeer/*` (no AWS keys; the clock of [`emulator`]).
pub(crate) fn state_with_admin_token(token: &str) -> Arc<AppState> {
    AppState::with_auth(
        emulator(),
        1,
        crate::auth::Auth::new(None, Some(token), || Timestamp(1_700_000_000_000)),
    )
}

/// The emulator of [`state`]: in memory, clock fixed at 2023-11-14T22:13:20Z, ids seeded with 9.
pub(crate) fn emulator() -> Emulator {
    Emulator::reproducible(Timestamp(1_700_000_000_000), 9).expect("open")
}

/// A request of `method` to `uri` with `headers` and `body`.
pub(crate) fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).expect("request")
}

/// The `content-type` header of a JSON body.
pub(crate) const JSON: (&str, &str) = ("content-type", "application/json");

/// Sends `req` through the router: status, headers and the whole body.
pub(crate) async fn send(st: &Arc<AppState>, req: Request<Body>) -> (u16, HeaderMap, Bytes) {
    let resp = app(st.clone()).oneshot(req).await.expect("response");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, headers, bytes)
}

/// Sends `req` and parses the answer as JSON.
pub(crate) async fn send_json(st: &Arc<AppState>, req: Request<Body>) -> (u16, serde_json::Value) {
    let (status, _, bytes) = send(st, req).await;
    (status, serde_json::from_slice(&bytes).expect("JSON body"))
}

/// `GET path`: the status and the body as text.
pub(crate) async fn get_text(st: &Arc<AppState>, path: &str) -> (u16, String) {
    let req = Request::get(path).body(Body::empty()).expect("request");
    let (status, _, bytes) = send(st, req).await;
    (status, String::from_utf8(bytes.to_vec()).expect("UTF-8"))
}

/// Posts an EC2 Query `body` as `account` (a SigV4-shaped credential in us-east-1).
pub(crate) async fn ec2(st: &Arc<AppState>, account: &str, body: &str) -> (u16, String) {
    let req = Request::post("/")
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential={account}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .expect("request");
    let (status, _, bytes) = send(st, req).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The text between the first `open` and the next `close` in `s`.
pub(crate) fn between<'a>(s: &'a str, open: &str, close: &str) -> &'a str {
    let a = s.find(open).expect(open) + open.len();
    let b = s[a..].find(close).expect(close) + a;
    &s[a..b]
}

/// An EC2 call (API version added) that must fail with `status` and error `code`; its XML.
pub(crate) async fn refused(
    st: &Arc<AppState>,
    account: &str,
    body: &str,
    (status, code): (u16, &str),
) -> String {
    let (got, out) = ec2(st, account, &format!("Version=2016-11-15&{body}")).await;
    assert_eq!(got, status, "{body}: {out}");
    assert_eq!(between(&out, "<Code>", "</Code>"), code, "{body}: {out}");
    out
}

/// An EC2 call (API version added) that must succeed; its XML.
pub(crate) async fn ok(st: &Arc<AppState>, account: &str, body: &str) -> String {
    let (status, out) = ec2(st, account, &format!("Version=2016-11-15&{body}")).await;
    assert_eq!(status, 200, "{body}: {out}");
    out
}

/// An EC2 call that must succeed (as [`ok`]); the text of the first `<tag>` element of its XML.
pub(crate) async fn ok_field(st: &Arc<AppState>, account: &str, body: &str, tag: &str) -> String {
    let out = ok(st, account, body).await;
    between(&out, &format!("<{tag}>"), &format!("</{tag}>")).to_owned()
}

/// A VPC with one subnet and one instance: (vpc, route table, instance, its address).
pub(crate) async fn vpc_with_instance(
    st: &Arc<AppState>,
    account: &str,
    cidr: &str,
    subnet: &str,
) -> (String, String, String, String) {
    let vpc = ok_field(
        st,
        account,
        &format!("Action=CreateVpc&CidrBlock={cidr}"),
        "vpcId",
    )
    .await;
    let sub = ok_field(
        st,
        account,
        &format!("Action=CreateSubnet&VpcId={vpc}&CidrBlock={subnet}"),
        "subnetId",
    )
    .await;
    let rtb = ok_field(
        st,
        account,
        &format!("Action=DescribeRouteTables&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}"),
        "routeTableId",
    )
    .await;
    let (i, ip) = instance(st, account, &sub).await;
    (vpc, rtb, i, ip)
}

/// An instance in subnet `sub`: (instance id, private address).
pub(crate) async fn instance(st: &Arc<AppState>, account: &str, sub: &str) -> (String, String) {
    let body = ok(
        st,
        account,
        &format!("Action=RunInstances&ImageId=ami-0123456789abcdef0&MinCount=1&MaxCount=1&SubnetId={sub}"),
    )
    .await;
    (
        between(&body, "<instanceId>", "</instanceId>").to_owned(),
        between(&body, "<privateIpAddress>", "</privateIpAddress>").to_owned(),
    )
}

/// `account` asks to peer its `vpc` with `peer_vpc` of `peer_owner`: the new connection's id.
pub(crate) async fn request_peering(
    st: &Arc<AppState>,
    account: &str,
    vpc: &str,
    peer_vpc: &str,
    peer_owner: &str,
) -> String {
    ok_field(
        st,
        account,
        &format!(
            "Action=CreateVpcPeeringConnection&VpcId={vpc}&PeerVpcId={peer_vpc}&PeerOwnerId={peer_owner}"
        ),
        "vpcPeeringConnectionId",
    )
    .await
}

/// `account` (the accepter) accepts `pcx`.
pub(crate) async fn accept_peering(st: &Arc<AppState>, account: &str, pcx: &str) {
    ok(
        st,
        account,
        &format!("Action=AcceptVpcPeeringConnection&VpcPeeringConnectionId={pcx}"),
    )
    .await;
}

/// `(account, vpc)` peers with `(peer_owner, peer_vpc)`, which accepts: the active connection.
pub(crate) async fn active_peering(
    st: &Arc<AppState>,
    (account, vpc): (&str, &str),
    (peer_owner, peer_vpc): (&str, &str),
) -> String {
    let pcx = request_peering(st, account, vpc, peer_vpc, peer_owner).await;
    accept_peering(st, peer_owner, &pcx).await;
    pcx
}

/// `account` routes `cidr` in table `rtb` over peering `pcx`.
pub(crate) async fn peering_route(
    st: &Arc<AppState>,
    account: &str,
    rtb: &str,
    cidr: &str,
    pcx: &str,
) {
    ok(
        st,
        account,
        &format!(
            "Action=CreateRoute&RouteTableId={rtb}&DestinationCidrBlock={cidr}&VpcPeeringConnectionId={pcx}"
        ),
    )
    .await;
}
