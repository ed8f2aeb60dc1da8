//! The GCP face against foreign references and odd input (issue 8): an instance of one project
//! on another project's subnetwork is refused as GCP refuses it without Shared VPC, and any path
//! or body is answered with a Google error document, never a panic.

use proptest::prelude::*;
use serde_json::{json, Value};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_gcp::{handle, parse};

const BASE: &str = "http://127.0.0.1:4650/compute/v1/";

fn call(env: &mut TestEnv, method: &str, path: &str, body: &[u8]) -> (u16, Value) {
    let c = match parse(method, path, "", body) {
        Ok(c) => c,
        Err(e) => return (e.status, e.body()),
    };
    match env.transact(&c.scope(), |tx| handle(tx, &c, BASE)) {
        Ok(v) => (200, v),
        Err(e) => (e.status, e.body()),
    }
}

fn post(env: &mut TestEnv, path: &str, body: Value) -> (u16, Value) {
    call(env, "POST", path, &serde_json::to_vec(&body).unwrap())
}

/// The reproduction: proj-b's instance on proj-a's subnetwork.
#[test]
fn an_instance_on_another_project_s_subnetwork_is_refused() {
    let mut env = TestEnv::new();
    let (s, v) = post(
        &mut env,
        "projects/proj-a/global/networks",
        json!({"name": "net-a", "autoCreateSubnetworks": false}),
    );
    assert_eq!(s, 200, "{v}");
    let (s, v) = post(
        &mut env,
        "projects/proj-a/regions/us-central1/subnetworks",
        json!({"name": "sub-a", "network": "global/networks/net-a", "ipCidrRange": "10.0.0.0/24"}),
    );
    assert_eq!(s, 200, "{v}");
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
    assert!(env.world.gcp_instances.is_empty());
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
