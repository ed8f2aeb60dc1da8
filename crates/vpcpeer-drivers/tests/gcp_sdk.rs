//! Google's own Rust client for Compute Engine (`google-cloud-compute-v1`) against a vpcpeer
//! server of its own, with no driver in between: the emulator answers what the SDK sends (its
//! `$alt=json` and `$apiVersion` query parameters, its headers, its bodies), the SDK's poller
//! follows the emulator's Operation resources to `DONE`, and a refusal reaches the caller with
//! its HTTP status and GCP's reason (404 `notFound`, 409 `alreadyExists`, 429
//! `rateLimitExceeded` from the fault mode), which is what the GCP driver is built on.

mod common;

use common::{arm_fault, armed, server};
use google_cloud_compute_v1::client::Networks;
use google_cloud_compute_v1::model::{operation, Network};
use google_cloud_gax::error::rpc::StatusDetails;
use google_cloud_lro::Poller;

/// The reason of the first `ErrorInfo` of an error's status.
fn reason(e: &google_cloud_gax::error::Error) -> Option<String> {
    e.status()?.details.iter().find_map(|d| match d {
        StatusDetails::ErrorInfo(info) => Some(info.reason.clone()),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_reaches_the_compute_face_and_waits_for_its_operations() {
    let url = server().await;
    let client = gcp_client!(Networks, &url);
    let insert_lake = || {
        client
            .insert()
            .set_project("lake-prod")
            .set_body(
                Network::new()
                    .set_name("lake")
                    .set_auto_create_subnetworks(false),
            )
            .poller()
            .until_done()
    };
    let get = |name: &str| {
        client
            .get()
            .set_project("lake-prod")
            .set_network(name)
            .send()
    };
    let op = insert_lake().await.expect("inserted");
    assert_eq!(op.status, Some(operation::Status::Done), "{op:?}");
    assert!(op.error.is_none(), "{op:?}");
    let net = get("lake").await.expect("read back");
    assert_eq!(net.name.as_deref(), Some("lake"));
    assert_eq!(net.auto_create_subnetworks, Some(false));

    // 404 and 409 come back with their status and GCP's reason.
    let e = get("nope").await.expect_err("absent");
    assert_eq!(e.http_status_code(), Some(404), "{e:?}");
    assert_eq!(reason(&e).as_deref(), Some("notFound"), "{e:?}");
    let e = insert_lake().await.expect_err("exists");
    assert_eq!(e.http_status_code(), Some(409), "{e:?}");
    assert_eq!(reason(&e).as_deref(), Some("alreadyExists"), "{e:?}");

    // The fault mode's throttling: 429 rateLimitExceeded, and no retry by the SDK.
    arm_fault(&url, "gcp", "compute.networks.get", 2, "throttle").await;
    let e = get("lake").await.expect_err("throttled");
    assert_eq!(e.http_status_code(), Some(429), "{e:?}");
    assert_eq!(reason(&e).as_deref(), Some("rateLimitExceeded"), "{e:?}");
    let left = armed(&url).await;
    assert_eq!(left.faults[0].count, 1, "one call, no retry: {left:?}");
}
