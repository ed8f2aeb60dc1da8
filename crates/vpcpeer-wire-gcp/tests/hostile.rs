//! The GCP face against foreign references and odd input (issue 8): an instance of one project
//! on another project's subnetwork is refused as GCP refuses it without Shared VPC, and any path
//! or body is answered with a Google error document, never a panic.

mod common;

use common::{call_raw, BASE};
use proptest::prelude::*;
use serde_json::{json, Value};
use vpcpeer_model::testkit::TestEnv;

fn call(env: &mut TestEnv, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    call_raw(env, method, path, "", body)
}

fn post(env: &mut TestEnv, path: &str, body: Value) -> (u16, Value) {
    call(env, "POST", path, &serde_json::to_vec(&body).unwrap())
}

/// Inserts custom-mode network `net` of `project` and its subnetwork `sub` (10.0.0.0/24 in
/// us-central1); both must succeed.
fn network_with_subnet(env: &mut TestEnv, project: &str, net: &str, sub: &str) {
    let (s, v) = post(
        env,
        &format!("projects/{project}/global/networks"),
        json!({"name": net, "autoCreateSubnetworks": false}),
    );
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(
        env,
        &format!("projects/{project}/regions/us-central1/subnetworks"),
        json!({"name": sub, "network": format!("global/networks/{net}"), "ipCidrRange": "10.0.0.0/24"}),
    );
    assert_eq!(s, 200, "{v}");
}

/// The reproduction: proj-b's instance on proj-a's subnetwork.
#[test]
fn an_instance_on_another_project_s_subnetwork_is_refused() {
    let mut env = TestEnv::new();
    network_with_subnet(&mut env, "proj-a", "net-a", "sub-a");
    let sub = format!("{BASE}projects/proj-a/regions/us-central1/subnetworks/sub-a");
    let (s, v) = post(
        &mut env,
        "projects/proj-b/zones/us-central1-a/instances",
        json!({"name": "vm-b", "machineType": "zones/us-central1-a/machineTypes/e2-micro",
               "networkInterfaces": [{"subnetwork": sub}]}),
    );
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["error"]["errors"][0]["reason"], "invalid", "{v}");
    assert_eq!(
        v["error"]["message"],
        format!("Invalid value for field 'resource.networkInterfaces[0].subnetwork': 'projects/proj-a/regions/us-central1/subnetworks/sub-a'. Cross-project references for this resource are not allowed.")
    );
    assert!(env.world.gcp.instances().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any method, path and body: a Google error document or a success, never a panic or 5xx.
    #[test]
    fn any_request_is_answered(
        method in prop::sample::select(vec!["GET", "POST", "PATCH", "PUT", "DELETE"]),
        path in "(projects/[a-z%é0-9-]{0,8}/)?((global|regions|zones)/[a-z0-9é%-]{0,12}/?){0,3}[a-zA-Z%0-9é-]{0,10}",
        body in prop::collection::vec(any::<u8>(), 0..48),
    ) {
        let mut env = TestEnv::new();
        let (status, v) = call(&mut env, method, &path, &body);
        prop_assert!(status < 500, "{} {}: {}", method, path, v);
        if status >= 400 {
            prop_assert!(v["error"]["code"].is_number(), "{}", v);
        }
    }
}

/// Lists and text a caller sends are bounded (GCP's limits where documented).
/// Inserts the instance `vm` in subnetwork `s` with `n` network tags: the answer.
fn vm_with_tags(env: &mut TestEnv, n: usize) -> (u16, Value) {
    let tags: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    post(
        env,
        "projects/p/zones/us-central1-a/instances",
        json!({"name": "vm", "machineType": "zones/us-central1-a/machineTypes/e2-micro",
               "tags": {"items": tags}, "networkInterfaces": [{"subnetwork": "regions/us-central1/subnetworks/s"}]}),
    )
}

#[test]
fn oversized_lists_and_descriptions_are_refused() {
    let mut env = TestEnv::new();
    let (s, v) = post(
        &mut env,
        "projects/p/global/networks",
        json!({"name": "n", "autoCreateSubnetworks": false, "description": "d".repeat(1 << 20)}),
    );
    assert_eq!(
        (s, v["error"]["errors"][0]["reason"].as_str()),
        (400, Some("invalid")),
        "{v}"
    );
    network_with_subnet(&mut env, "p", "n", "s");
    let (s, v) = vm_with_tags(&mut env, 65);
    assert_eq!(s, 400, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("resource.tags.items"),
        "{v}"
    );
    let ranges: Vec<String> = (0..5001)
        .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
        .collect();
    let (s, v) = post(
        &mut env,
        "projects/p/global/firewalls",
        json!({"name": "fw", "network": "global/networks/n", "allowed": [{"IPProtocol": "tcp"}], "sourceRanges": ranges}),
    );
    assert_eq!(s, 400, "{v}");
    assert!(env.world.gcp.instances().is_empty() && env.world.gcp.firewalls().is_empty());
    let (s, v) = vm_with_tags(&mut env, 64);
    assert_eq!(s, 200, "{v}");
}
