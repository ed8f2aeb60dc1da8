//! Google's own Rust client for Compute Engine (`google-cloud-compute-v1`) against a vpcpeer
//! server of its own, with no driver in between: the emulator answers what the SDK sends (its
//! `$alt=json` and `$apiVersion` query parameters, its headers, its bodies), the SDK's poller
//! follows the emulator's Operation resources to `DONE`, and a refusal reaches the caller with
//! its HTTP status and GCP's reason (404 `notFound`, 409 `alreadyExists`, 429
//! `rateLimitExceeded` from the fault mode), which is what the GCP driver is built on.

mod common;

use std::time::Duration;

use common::server;
use google_cloud_compute_v1::client::Networks;
use google_cloud_compute_v1::model::{operation, Network};
use google_cloud_gax::error::rpc::StatusDetails;
use google_cloud_gax::exponential_backoff::ExponentialBackoffBuilder;
use google_cloud_gax::retry_policy::NeverRetry;
use google_cloud_lro::Poller;
use hyper::Method;
use serde_json::json;
use vpcpeer_controller::Cloud;
use vpcpeer_drivers::Http;

async fn networks(url: &str) -> Networks {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let poll = ExponentialBackoffBuilder::new()
        .with_initial_delay(Duration::from_millis(5))
        .with_maximum_delay(Duration::from_millis(5))
        .with_scaling(1.0)
        .build()
        .expect("a fixed period");
    Networks::builder()
        .with_endpoint(url)
        .with_credentials(google_cloud_auth::credentials::anonymous::Builder::new().build())
        .with_retry_policy(NeverRetry)
        .with_polling_backoff_policy(poll)
        .build()
        .await
        .expect("a client")
}

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
    let client = networks(&url).await;
    let op = client
        .insert()
        .set_project("lake-prod")
        .set_body(
            Network::new()
                .set_name("lake")
                .set_auto_create_subnetworks(false),
        )
        .poller()
        .until_done()
        .await
        .expect("inserted");
    assert_eq!(op.status, Some(operation::Status::Done), "{op:?}");
    assert!(op.error.is_none(), "{op:?}");
    let net = client
        .get()
        .set_project("lake-prod")
        .set_network("lake")
        .send()
        .await
        .expect("read back");
    assert_eq!(net.name.as_deref(), Some("lake"));
    assert_eq!(net.auto_create_subnetworks, Some(false));

    // 404 and 409 come back with their status and GCP's reason.
    let e = client
        .get()
        .set_project("lake-prod")
        .set_network("nope")
        .send()
        .await
        .expect_err("absent");
    assert_eq!(e.http_status_code(), Some(404), "{e:?}");
    assert_eq!(reason(&e).as_deref(), Some("notFound"), "{e:?}");
    let e = client
        .insert()
        .set_project("lake-prod")
        .set_body(
            Network::new()
                .set_name("lake")
                .set_auto_create_subnetworks(false),
        )
        .poller()
        .until_done()
        .await
        .expect_err("exists");
    assert_eq!(e.http_status_code(), Some(409), "{e:?}");
    assert_eq!(reason(&e).as_deref(), Some("alreadyExists"), "{e:?}");

    // The fault mode's throttling: 429 rateLimitExceeded, and no retry by the SDK.
    let body = json!({"face": "gcp", "action": "compute.networks.get", "count": 2,
                      "fault": "throttle"});
    let armed = Http::new()
        .send(
            Cloud::Gcp,
            "arm",
            Method::POST,
            &format!("{url}/_vpcpeer/faults"),
            &[("content-type", "application/json".to_string())],
            body.to_string().into_bytes(),
        )
        .await
        .expect("armed");
    assert_eq!(armed.status, 200);
    let e = client
        .get()
        .set_project("lake-prod")
        .set_network("lake")
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(e.http_status_code(), Some(429), "{e:?}");
    assert_eq!(reason(&e).as_deref(), Some("rateLimitExceeded"), "{e:?}");
    let left = Http::new()
        .send(
            Cloud::Gcp,
            "list",
            Method::GET,
            &format!("{url}/_vpcpeer/faults"),
            &[],
            Vec::new(),
        )
        .await
        .expect("listed");
    let left: serde_json::Value = serde_json::from_slice(&left.body).expect("json");
    assert_eq!(left["faults"][0]["count"], 1, "one call, no retry: {left}");
}
