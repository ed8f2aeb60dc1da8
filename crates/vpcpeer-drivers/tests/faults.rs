//! The apply loop's retries against the server's fault mode (`POST /_vpcpeer/faults`): the
//! server refuses the next N calls of one action as its cloud refuses a throttled caller, and
//! the controller, which knows nothing of the fault mode, waits them out through its ordinary
//! retry policy, on each cloud; past its attempts it stops, naming the step and the cloud's
//! throttling code. Only the arming goes through the admin API; the drivers speak the clouds'
//! public APIs as always.

mod common;

use common::{drivers, server, topology, up};
use hyper::Method;
use serde_json::json;
use vpcpeer_api::{Face, FaultsAnswer};
use vpcpeer_controller::apply::{ApplyError, Clouds};
use vpcpeer_controller::{Action, Cloud, Desired};
use vpcpeer_drivers::Http;

const A: &str = "111111111111";
const B: &str = "222222222222";

/// Arms `count` throttles of `action` on `face`; the faults then armed.
async fn throttle(url: &str, face: &str, action: &str, count: u32) -> FaultsAnswer {
    let body = json!({"face": face, "action": action, "count": count, "fault": "throttle"});
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gcp_pair_converges_through_a_throttled_add_peering() {
    let url = server().await;
    let d = topology(
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
    );
    throttle(&url, "gcp", "compute.networks.addPeering", 1).await;
    let mut dr = drivers(&url, &d);
    let out = up(&mut dr, &d).await.expect("apply");
    assert_eq!(out.retries, 1, "{out:?}");
    assert!(armed(&url).await.faults.is_empty());
    let again = up(&mut dr, &d).await.expect("apply again");
    assert_eq!(again.steps, 0, "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_pair_converges_through_a_throttled_peering_put() {
    let url = server().await;
    let d = topology(
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
    );
    throttle(
        &url,
        "azure",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
        1,
    )
    .await;
    let mut dr = drivers(&url, &d);
    let out = up(&mut dr, &d).await.expect("apply");
    assert_eq!(out.retries, 1, "{out:?}");
    assert!(armed(&url).await.faults.is_empty());
    let again = up(&mut dr, &d).await.expect("apply again");
    assert_eq!(again.steps, 0, "{again:?}");
}
