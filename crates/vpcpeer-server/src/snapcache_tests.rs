//! The kept snapshot through the HTTP app: after each of a series of EC2 mutations, clock moves
//! and a reset, `/_vpcpeer/reach` and `/_vpcpeer/matrix` answer exactly as a fresh compile of the
//! world does, and the cache compiled only at the start and after the reset.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};
use vpcpeer_reach::Snapshot;

use crate::testing::{ok as ec2, ok_field, send_json, state, vpc_with_instance};
use crate::{audit, reach, AppState};

const A: &str = "111111111111";
const B: &str = "222222222222";

async fn post(st: &Arc<AppState>, path: &str, body: &Value) -> (u16, Value) {
    let req = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    send_json(st, req).await
}

/// A VPC with a subnet and an instance: (vpc, main table, default group, instance, address).
async fn vpc(st: &Arc<AppState>, account: &str, n: u8) -> [String; 5] {
    let cidr = format!("10.{n}.0.0/16");
    let subnet = format!("10.{n}.1.0/24");
    let (vpc, rtb, i, ip) = vpc_with_instance(st, account, &cidr, &subnet).await;
    let filter = format!("Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}");
    let sg = ok_field(
        st,
        account,
        &format!("Action=DescribeSecurityGroups&{filter}"),
        "groupId",
    )
    .await;
    [vpc, rtb, sg, i, ip]
}

/// Every reach query between the instances (by id and by address, as each account) and the
/// matrix answer equal a fresh compile's; returns how many reach answers were reachable.
async fn same_as_fresh(st: &Arc<AppState>, ends: &[(&str, &str, &str)]) -> usize {
    let now = st.emulator.now();
    let mut reachable = 0;
    for (acct, from, _) in ends {
        for (_, to_id, to_ip) in ends {
            for to in [to_id, to_ip] {
                for (protocol, port) in [("tcp", Some(443)), ("icmp", None)] {
                    let q = json!({"account": acct, "from": from, "to": to, "protocol": protocol, "port": port});
                    let (status, got) = post(st, "/_vpcpeer/reach", &q).await;
                    let req = reach::parse_request(q.to_string().as_bytes()).expect("request");
                    let want = st.emulator.with_world(|w| reach::answer(w, now, &req));
                    match want {
                        Ok(want) => {
                            assert_eq!(status, 200, "{q}: {got}");
                            assert_eq!(got, want, "{q}");
                            reachable += usize::from(got["reachable"] == true);
                        }
                        Err(e) => {
                            assert_eq!(status, e.status.as_u16(), "{q}: {got}");
                            assert_eq!(got["error"], e.message.as_str(), "{q}");
                        }
                    }
                }
            }
        }
    }
    let m = json!({"protocol": "tcp", "port": 443});
    let (status, got) = post(st, "/_vpcpeer/matrix", &m).await;
    assert_eq!(status, 200, "{got}");
    let req = audit::parse_matrix(m.to_string().as_bytes()).expect("matrix request");
    let want = st
        .emulator
        .with_world(|w| audit::matrix_answer(w, &Snapshot::compile(w, now), &req))
        .expect("matrix");
    assert_eq!(got, want);
    reachable
}

#[tokio::test]
async fn kept_snapshot_answers_like_a_fresh_compile() {
    let st = state();
    let [va, rtb_a, _sg_a, ia, ip_a] = vpc(&st, A, 0).await;
    let [vb, rtb_b, sg_b, ib, ip_b] = vpc(&st, B, 1).await;
    let ends = [
        (A, ia.as_str(), ip_a.as_str()),
        (B, ib.as_str(), ip_b.as_str()),
    ];
    assert_eq!(same_as_fresh(&st, &ends).await, 0, "no peering yet");
    assert_eq!(st.snapshots.compiles(), 1);

    // A peering, accepted; routes both ways; B admits A: A reaches B.
    let peer = |v: &str| {
        format!("Action=CreateVpcPeeringConnection&VpcId={va}&PeerVpcId={v}&PeerOwnerId={B}")
    };
    let pcx = ok_field(&st, A, &peer(&vb), "vpcPeeringConnectionId").await;
    same_as_fresh(&st, &ends).await;
    ec2(
        &st,
        B,
        &format!("Action=AcceptVpcPeeringConnection&VpcPeeringConnectionId={pcx}"),
    )
    .await;
    for (acct, rtb, cidr) in [(A, &rtb_a, "10.1.0.0/16"), (B, &rtb_b, "10.0.0.0/16")] {
        ec2(
            &st,
            acct,
            &format!("Action=CreateRoute&RouteTableId={rtb}&DestinationCidrBlock={cidr}&VpcPeeringConnectionId={pcx}"),
        )
        .await;
        same_as_fresh(&st, &ends).await;
    }
    ec2(
        &st,
        B,
        &format!("Action=AuthorizeSecurityGroupIngress&GroupId={sg_b}&IpPermissions.1.IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/16"),
    )
    .await;
    let open = same_as_fresh(&st, &ends).await;
    assert!(open > 0, "A reaches B now");

    // A second VPC of B, peered but never accepted, with a route to the request: the request
    // expires when the clock passes its expiration, with no record changed.
    let [vc, _, _, _, _] = vpc(&st, B, 2).await;
    let pending = ok_field(&st, A, &peer(&vc), "vpcPeeringConnectionId").await;
    ec2(
        &st,
        A,
        &format!("Action=CreateRoute&RouteTableId={rtb_a}&DestinationCidrBlock=10.2.0.0/16&VpcPeeringConnectionId={pending}"),
    )
    .await;
    same_as_fresh(&st, &ends).await;
    let (status, _) = post(
        &st,
        "/_vpcpeer/clock",
        &json!({"advance_seconds": 8 * 86_400}),
    )
    .await;
    assert_eq!(status, 200);
    same_as_fresh(&st, &ends).await;
    let state = st.snapshots.with(&st.emulator, st.emulator.now(), |_, s| {
        s.peerings[&pending].state
    });
    assert_eq!(
        state,
        vpcpeer_model::aws::peering_state::PeeringState::Expired
    );

    // Routes and instances go away.
    ec2(
        &st,
        B,
        &format!("Action=DeleteRoute&RouteTableId={rtb_b}&DestinationCidrBlock=10.0.0.0/16"),
    )
    .await;
    assert!(same_as_fresh(&st, &ends).await < open, "no way back from B");
    ec2(
        &st,
        B,
        &format!("Action=TerminateInstances&InstanceId.1={ib}"),
    )
    .await;
    same_as_fresh(&st, &ends).await;
    assert_eq!(
        st.snapshots.compiles(),
        1,
        "caught up every time, never recompiled"
    );

    // A reset empties the world: the kept snapshot is rebuilt, not caught up.
    let (status, _) = post(&st, "/_vpcpeer/reset", &json!({})).await;
    assert_eq!(status, 200);
    let [_, _, _, ix, ip_x] = vpc(&st, A, 0).await;
    let [_, _, _, iy, ip_y] = vpc(&st, A, 3).await;
    let ends = [
        (A, ix.as_str(), ip_x.as_str()),
        (A, iy.as_str(), ip_y.as_str()),
    ];
    same_as_fresh(&st, &ends).await;
    assert_eq!(st.snapshots.compiles(), 2);
}
