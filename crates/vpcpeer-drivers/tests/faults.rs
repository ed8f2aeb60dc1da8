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

use common::{arm_fault, armed, launch, refused, topology, up, AWS_ACCOUNTS};
use vpcpeer_api::{Face, FaultsAnswer};
use vpcpeer_controller::apply::Clouds;
use vpcpeer_controller::observed::AwsStatus;
use vpcpeer_controller::{Action, Desired};

/// Arms `count` throttles of `action` on `face`; the faults then armed.
async fn throttle(url: &str, face: &str, action: &str, count: u32) -> FaultsAnswer {
    arm_fault(url, face, action, count, "throttle").await
}

fn aws_pair() -> Desired {
    topology(&format!(
        "{AWS_ACCOUNTS}  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16] }}
  db: {{ account: two, region: eu-west-1, cidrs: [10.3.0.0/16] }}
links:
  - {{ between: [app, db] }}
"
    ))
}

/// An AWS pair through three throttled peering requests, and through a peering the accepter
/// does not see yet (twice): each converges with one retry per refusal, and the refused calls
/// made nothing (one peering, active).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aws_pair_converges_through_throttled_and_not_yet_visible_peering_calls() {
    for (action, count, fault) in [
        ("CreateVpcPeeringConnection", 3, "throttle"),
        ("AcceptVpcPeeringConnection", 2, "not_found"),
    ] {
        let d = aws_pair();
        let (url, mut dr) = launch(&d).await;
        let listed = arm_fault(&url, "aws", action, count, fault).await;
        assert_eq!(listed.faults.len(), 1, "{fault}");
        let out = up(&mut dr, &d).await.expect("apply");
        assert_eq!(out.retries, count, "{fault}: {out:?}");
        assert!(
            armed(&url).await.faults.is_empty(),
            "{fault}: all were used"
        );
        let seen = dr.observe(&d).await.expect("observe");
        assert_eq!(
            seen.aws_peerings.len(),
            1,
            "{fault}: {:?}",
            seen.aws_peerings
        );
        assert!(
            seen.aws_peerings
                .iter()
                .all(|p| p.status == AwsStatus::Active),
            "{fault}: {:?}",
            seen.aws_peerings
        );
        let again = up(&mut dr, &d).await.expect("apply again");
        assert_eq!((again.steps, again.retries), (0, 0), "{fault}: {again:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_past_the_policy_stops_the_apply_with_the_clouds_code() {
    let d = aws_pair();
    let (url, mut dr) = launch(&d).await;
    throttle(&url, "aws", "CreateVpcPeeringConnection", 100).await;
    let common::Refused {
        step,
        error,
        attempts,
        ..
    } = refused(&mut dr, &d).await;
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
            let (url, mut dr) = launch(&d).await;
            arm_fault(&url, face, action, 1, fault).await;
            let out = up(&mut dr, &d).await.expect("apply");
            assert_eq!(out.retries, 1, "{face} {fault}: {out:?}");
            assert!(armed(&url).await.faults.is_empty(), "{face} {fault}");
            let again = up(&mut dr, &d).await.expect("apply again");
            assert_eq!(again.steps, 0, "{face} {fault}: {again:?}");
        }
    }
}
