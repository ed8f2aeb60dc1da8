//! The apply loop's retries against the server's fault mode (`POST /_vpcpeer/faults`): the
//! server refuses the next N calls of one action as its cloud refuses a throttled caller
//! (`throttle`), a call naming a resource not visible yet (`not_found`, AWS's eventual
//! consistency) or a call on a resource another operation holds (`busy`: GCP's "peering
//! operation in progress", Azure's `AnotherOperationInProgress`). The controller, which knows
//! nothing of the fault mode, reads each refusal in its cloud's words, classes it, and waits it
//! out through its ordinary retry policy; past its attempts it stops, naming the step and the
//! cloud's code. Only the arming goes through the admin API; the drivers speak the clouds'
//! public APIs as always.

mod common;

use common::{drivers, server, topology, up};
use hyper::Method;
use serde_json::json;
use vpcpeer_api::{Face, FaultsAnswer};
use vpcpeer_controller::apply::{ApplyError, Clouds};
use vpcpeer_controller::observed::AwsStatus;
use vpcpeer_controller::{Action, Cloud, Desired};
use vpcpeer_drivers::Http;

const A: &str = "111111111111";
const B: &str = "222222222222";

/// Arms `count` throttles of `action` on `face`; the faults then armed.
async fn throttle(url: &str, face: &str, action: &str, count: u32) -> FaultsAnswer {
    arm(url, face, action, count, "throttle").await
}

/// Arms `count` faults of kind `fault` of `action` on `face`; the faults then armed.
async fn arm(url: &str, face: &str, action: &str, count: u32, fault: &str) -> FaultsAnswer {
    let body = json!({"face": face, "action": action, "count": count, "fault": fault});
    let answer = Http::new()
        .send(
            Cloud::Aws,
            "arm a fault",
            Method::POST,
            &format!("{url}/_vpcpeer/faults"),
            &[("content-type", "application/json".to_string())],
            body.to_string().into_bytes(),
        )
        .await
        .expect("answer");
    let text = String::from_utf8_lossy(&answer.body).into_owned();
    assert_eq!(answer.status, 200, "{text}");
    serde_json::from_str(&text).expect("the faults answer")
}

/// The faults still armed.
async fn armed(url: &str) -> FaultsAnswer {
    let answer = Http::new()
        .send(
            Cloud::Aws,
            "list faults",
            Method::GET,
            &format!("{url}/_vpcpeer/faults"),
            &[],
            Vec::new(),
        )
        .await
        .expect("answer");
    assert_eq!(answer.status, 200);
    serde_json::from_slice(&answer.body).expect("the faults answer")
}

fn aws_pair() -> Desired {
    topology(&format!(
        "
name: t
accounts:
  one: {{ cloud: aws, account_id: '{A}' }}
  two: {{ cloud: aws, account_id: '{B}' }}
networks:
  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16] }}
  db: {{ account: two, region: eu-west-1, cidrs: [10.3.0.0/16] }}
links:
  - {{ between: [app, db] }}
"
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aws_pair_converges_through_three_throttled_peering_requests() {
    let url = server().await;
    let d = aws_pair();
    let listed = throttle(&url, "aws", "CreateVpcPeeringConnection", 3).await;
    assert_eq!(listed.faults.len(), 1);
    let mut dr = drivers(&url, &d);
    let out = up(&mut dr, &d).await.expect("apply");
    assert_eq!(out.retries, 3, "{out:?}");
    assert!(armed(&url).await.faults.is_empty(), "all three were used");
    // One peering, active: the refused requests created nothing.
    let seen = dr.observe(&d).await.expect("observe");
    assert_eq!(seen.aws_peerings.len(), 1, "{:?}", seen.aws_peerings);
    let again = up(&mut dr, &d).await.expect("apply again");
    assert_eq!((again.steps, again.retries), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aws_pair_converges_through_a_peering_the_accepter_does_not_see_yet() {
    let url = server().await;
    let d = aws_pair();
    arm(&url, "aws", "AcceptVpcPeeringConnection", 2, "not_found").await;
    let mut dr = drivers(&url, &d);
    let out = up(&mut dr, &d).await.expect("apply");
    assert_eq!(out.retries, 2, "{out:?}");
    assert!(armed(&url).await.faults.is_empty(), "both were used");
    let seen = dr.observe(&d).await.expect("observe");
    assert_eq!(seen.aws_peerings.len(), 1, "{:?}", seen.aws_peerings);
    assert!(
        seen.aws_peerings
            .iter()
            .all(|p| p.status == AwsStatus::Active),
        "{:?}",
        seen.aws_peerings
    );
    let again = up(&mut dr, &d).await.expect("apply again");
    assert_eq!((again.steps, again.retries), (0, 0), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_past_the_policy_stops_the_apply_with_the_clouds_code() {
    let url = server().await;
    let d = aws_pair();
    throttle(&url, "aws", "CreateVpcPeeringConnection", 100).await;
    let mut dr = drivers(&url, &d);
    let err = up(&mut dr, &d).await.expect_err("the apply must give up");
    let ApplyError::Step {
        step,
        error,
        attempts,
    } = err
    else {
        panic!("not a step error: {err}");
    };
    assert_eq!(attempts, 8, "the default policy's attempts");
    assert!(
        matches!(step.action, Action::AwsRequestPeering { .. }),
        "{:?}",
        step.action
    );
    assert_eq!(error.code, "RequestLimitExceeded", "{error}");
    assert_eq!(error.status, Some(503), "{error}");
    // Exactly the attempts reached the server, and no peering was made.
    let left = armed(&url).await;
    assert_eq!(
        left.faults
            .iter()
            .map(|f| (f.face, f.action.as_str(), f.count))
            .collect::<Vec<_>>(),
        [(Face::Aws, "CreateVpcPeeringConnection", 100 - 8)]
    );
    let seen = dr.observe(&d).await.expect("observe");
    assert!(seen.aws_peerings.is_empty(), "{:?}", seen.aws_peerings);
}

/// A GCP pair across projects, and an Azure pair across subscriptions.
fn gcp_pair() -> Desired {
    topology(
        "
name: t
accounts:
  lake: { cloud: gcp, project: lake-prod }
  train: { cloud: gcp, project: train-prod }
networks:
  lake: { account: lake, region: us-central1, cidrs: [10.10.0.0/16] }
  train: { account: train, region: europe-west1, cidrs: [10.20.0.0/16] }
links:
  - { between: [lake, train] }
",
    )
}

fn azure_pair() -> Desired {
    topology(
        "
name: t
accounts:
  a: { cloud: azure, subscription: 11111111-1111-1111-1111-111111111111, resource_group: net-a }
  b: { cloud: azure, subscription: 22222222-2222-2222-2222-222222222222, resource_group: net-b }
networks:
  lake:  { account: a, region: westeurope, cidrs: [10.1.0.0/16] }
  train: { account: b, region: eastus, cidrs: [10.2.0.0/16] }
links:
  - between: [lake, train]
",
    )
}

/// A GCP pair through a throttled and a busy `networks.addPeering`, an Azure pair through a
/// throttled and a busy peering PUT: each converges with one retry per refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcp_and_azure_pairs_converge_through_throttled_and_busy_peering_calls() {
    let cases = [
        ("gcp", "compute.networks.addPeering", gcp_pair()),
        (
            "azure",
            "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
            azure_pair(),
        ),
    ];
    for (face, action, d) in cases {
        for fault in ["throttle", "busy"] {
            let url = server().await;
            arm(&url, face, action, 1, fault).await;
            let mut dr = drivers(&url, &d);
            let out = up(&mut dr, &d).await.expect("apply");
            assert_eq!(out.retries, 1, "{face} {fault}: {out:?}");
            assert!(armed(&url).await.faults.is_empty(), "{face} {fault}");
            let again = up(&mut dr, &d).await.expect("apply again");
            assert_eq!(again.steps, 0, "{face} {fault}: {again:?}");
        }
    }
}
