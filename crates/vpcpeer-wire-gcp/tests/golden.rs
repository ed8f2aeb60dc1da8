//! Golden tests of the Compute v1 JSON face: requests go through `parse` and `handle` on a test
//! world, replies are compared with reviewed snapshots (insta), and error documents are checked
//! field by field.

mod common;

use common::{call_raw, BASE};
use serde_json::{json, Value};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_model::Timestamp;

fn call(env: &mut TestEnv, method: &str, path: &str, query: &str, body: Value) -> (u16, Value) {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(&body).unwrap()
    };
    call_raw(env, method, path, query, &bytes)
}

fn ok(env: &mut TestEnv, method: &str, path: &str, body: Value) -> Value {
    let (status, v) = call(env, method, path, "", body);
    assert_eq!(status, 200, "{method} {path}: {v}");
    v
}

/// A successful `GET` of `path`.
fn get(env: &mut TestEnv, path: &str) -> Value {
    ok(env, "GET", path, Value::Null)
}

/// A successful `POST` of `body` to `path`.
fn post(env: &mut TestEnv, path: &str, body: Value) -> Value {
    ok(env, "POST", path, body)
}

/// A `GET` of `path` with `query`: its status and document.
fn list(env: &mut TestEnv, path: &str, query: &str) -> (u16, Value) {
    call(env, "GET", path, query, Value::Null)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

fn custom(env: &mut TestEnv, project: &str, name: &str, cidr: &str) {
    post(
        env,
        &format!("projects/{project}/global/networks"),
        json!({"name": name, "autoCreateSubnetworks": false}),
    );
    post(
        env,
        &format!("projects/{project}/regions/us-central1/subnetworks"),
        json!({"name": format!("{name}-sub"), "network": format!("global/networks/{name}"),
               "ipCidrRange": cidr}),
    );
}

/// A successful `addPeering` of net-a's peering `a-to-b` to net-b, with `fields` added to the
/// peering.
fn add_a_to_b(env: &mut TestEnv, fields: Value) -> Value {
    let mut peering = json!({"name": "a-to-b", "network": "projects/proj-b/global/networks/net-b"});
    peering
        .as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    post(
        env,
        "projects/proj-a/global/networks/net-a/addPeering",
        json!({ "networkPeering": peering }),
    )
}

fn op_name(v: &Value) -> String {
    v["name"].as_str().unwrap().to_owned()
}

#[test]
fn insert_network_returns_a_done_operation_and_get_shows_it() {
    let mut env = TestEnv::new();
    let op = post(
        &mut env,
        "projects/proj-a/global/networks",
        json!({"name": "net-a", "autoCreateSubnetworks": false, "mtu": 1500,
               "routingConfig": {"routingMode": "GLOBAL"}}),
    );
    insta::assert_snapshot!("insert_network_op", pretty(&op));
    let net = get(&mut env, "projects/proj-a/global/networks/net-a");
    insta::assert_snapshot!("get_network", pretty(&net));
}

/// A test world whose peering operations stay `RUNNING` for ten seconds, with the custom
/// networks `net-a` (10.0.0.0/24, in proj-a) and `net-b` (`b_cidr`, in proj-b).
fn running_ops_pair(b_cidr: &str) -> TestEnv {
    let mut env = TestEnv::new();
    env.limits.gcp_peering_op_secs = 10;
    custom(&mut env, "proj-a", "net-a", "10.0.0.0/24");
    custom(&mut env, "proj-b", "net-b", b_cidr);
    env
}

#[test]
fn by_default_peering_replies_are_done_operations() {
    let mut env = TestEnv::new();
    custom(&mut env, "proj-a", "net-a", "10.0.0.0/24");
    custom(&mut env, "proj-b", "net-b", "10.1.0.0/24");
    custom(&mut env, "proj-c", "net-c", "10.0.0.0/16");
    let op = add_a_to_b(&mut env, json!({"exchangeSubnetRoutes": true}));
    insta::assert_snapshot!("add_peering_done", pretty(&op));
    let a = get(&mut env, "projects/proj-a/global/networks/net-a");
    assert_eq!(a["peerings"][0]["state"], "INACTIVE", "{a}");
    // The other side at once: no "operation in progress", and the peering is ACTIVE.
    let op = post(
        &mut env,
        "projects/proj-b/global/networks/net-b/addPeering",
        json!({"networkPeering": {"name": "b-to-a",
               "network": "projects/proj-a/global/networks/net-a"}}),
    );
    assert_eq!(op["status"], "DONE");
    let a = get(&mut env, "projects/proj-a/global/networks/net-a");
    assert_eq!(a["peerings"][0]["state"], "ACTIVE", "{a}");
    // A validation failure is the error of the DONE reply itself, and changes nothing.
    let before = env.world.gcp.networks().clone();
    let failed = post(
        &mut env,
        "projects/proj-c/global/networks/net-c/addPeering",
        json!({"networkPeering": {"name": "c-to-a",
               "network": "projects/proj-a/global/networks/net-a"}}),
    );
    insta::assert_snapshot!("add_peering_overlap_done", pretty(&failed));
    assert_eq!(env.world.gcp.networks(), &before);
    for (method, verb, body) in [
        (
            "PATCH",
            "updatePeering",
            json!({"networkPeering": {"name": "a-to-b", "exportCustomRoutes": true}}),
        ),
        ("POST", "removePeering", json!({"name": "a-to-b"})),
    ] {
        let op = ok(
            &mut env,
            method,
            &format!("projects/proj-a/global/networks/net-a/{verb}"),
            body,
        );
        assert_eq!(
            (&op["operationType"], &op["status"]),
            (&json!(verb), &json!("DONE"))
        );
        assert!(op.get("error").is_none(), "{op}");
    }
    let a = get(&mut env, "projects/proj-a/global/networks/net-a");
    assert!(a.get("peerings").is_none(), "removed at once: {a}");
}

#[test]
fn peering_from_one_side_then_the_other() {
    let mut env = running_ops_pair("10.1.0.0/24");
    let op = add_a_to_b(
        &mut env,
        json!({"exchangeSubnetRoutes": true, "exportCustomRoutes": true}),
    );
    insta::assert_snapshot!("add_peering_running", pretty(&op));
    let done = get(
        &mut env,
        &format!("projects/proj-a/global/operations/{}", op_name(&op)),
    );
    assert_eq!(done["status"], "DONE");
    assert!(done.get("error").is_none(), "{done}");
    let a = get(&mut env, "projects/proj-a/global/networks/net-a");
    insta::assert_snapshot!("peering_inactive", pretty(&a["peerings"]));

    env.now = Timestamp(env.now.0 + 60_000);
    // The legacy body form, and completion by `wait`.
    let op = post(
        &mut env,
        "projects/proj-b/global/networks/net-b/addPeering",
        json!({"name": "b-to-a", "peerNetwork":
               "https://www.googleapis.com/compute/v1/projects/proj-a/global/networks/net-a",
               "autoCreateRoutes": true}),
    );
    post(
        &mut env,
        &format!("projects/proj-b/global/operations/{}/wait", op_name(&op)),
        Value::Null,
    );
    let a = get(&mut env, "projects/proj-a/global/networks/net-a");
    insta::assert_snapshot!("peering_active", pretty(&a["peerings"]));
    let (status, routes) = list(
        &mut env,
        "projects/proj-b/global/networks/net-b/listPeeringRoutes",
        "peeringName=b-to-a&direction=INCOMING&region=us-central1&%24alt=json%3Benum-encoding%3Dint",
    );
    assert_eq!(status, 200);
    insta::assert_snapshot!("list_peering_routes", pretty(&routes));
}

#[test]
fn an_overlap_is_the_error_of_the_finished_operation() {
    let mut env = running_ops_pair("10.0.0.0/16");
    let op = add_a_to_b(&mut env, json!({}));
    // Not done yet; a second peering operation on the pair is refused meanwhile.
    let (status, busy) = call(
        &mut env,
        "POST",
        "projects/proj-b/global/networks/net-b/addPeering",
        "",
        json!({"networkPeering": {"name": "b-to-a", "network": "projects/proj-a/global/networks/net-a"}}),
    );
    assert_eq!(status, 400);
    insta::assert_snapshot!("peering_in_progress", pretty(&busy));
    // Ten seconds later any request completes it.
    env.now = Timestamp(env.now.0 + 10_000);
    let list = get(&mut env, "projects/proj-a/global/operations");
    let failed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == op["name"])
        .unwrap()
        .clone();
    insta::assert_snapshot!("add_peering_overlap", pretty(&failed));
    let a = get(&mut env, "projects/proj-a/global/networks/net-a");
    assert!(a.get("peerings").is_none(), "{a}");
}

#[test]
fn errors_are_gcp_error_documents() {
    let mut env = TestEnv::new();
    custom(&mut env, "proj-a", "net-a", "10.0.0.0/24");
    // (method, path, query, body, status, reason, message start)
    type Case = (
        &'static str,
        &'static str,
        &'static str,
        Vec<u8>,
        u16,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        ("GET", "projects/proj-a/global/networks/nope", "", vec![], 404, "notFound",
         "The resource 'projects/proj-a/global/networks/nope' was not found"),
        ("POST", "projects/proj-a/global/networks", "",
         br#"{"name":"net-a","autoCreateSubnetworks":false}"#.to_vec(), 409, "alreadyExists",
         "The resource 'projects/proj-a/global/networks/net-a' already exists"),
        ("POST", "projects/proj-a/global/networks", "", b"{not json".to_vec(), 400, "invalid",
         "Invalid JSON payload received."),
        ("POST", "projects/proj-a/global/networks", "", br#"{"name":"Bad Name","autoCreateSubnetworks":true}"#.to_vec(),
         400, "invalid", "Invalid value for field 'resource.name': 'Bad Name'"),
        ("GET", "projects/proj-a/global/widgets", "", vec![], 404, "notFound",
         "The requested URL GET /compute/v1/projects/proj-a/global/widgets was not found."),
        ("PUT", "projects/proj-a/global/networks/net-a", "", vec![], 404, "notFound", "The requested URL PUT"),
        ("POST", "projects/proj-a/global/networks/net-a/addPeering", "",
         br#"{"networkPeering":{"name":"x","network":"vpc-0a1b2c3d4e5f60718"}}"#.to_vec(), 400, "invalid",
         "Native peering cannot join networks of different clouds: 'vpc-0a1b2c3d4e5f60718' is an AWS network. Cross-cloud links need encrypted peering through gateways"),
        ("POST", "projects/proj-a/global/networks/net-a/addPeering", "",
         br#"{"networkPeering":{"name":"x","network":"/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v"}}"#.to_vec(),
         400, "invalid", "Native peering cannot join networks of different clouds: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v' is an Azure network."),
        ("GET", "projects/proj-a/global/networks/net-a/listPeeringRoutes", "peeringName=x&direction=SIDEWAYS",
         vec![], 400, "invalid", "Invalid value for field 'direction': 'SIDEWAYS'"),
        ("GET", "projects/proj-a/regions/mars1/subnetworks", "", vec![], 404, "notFound",
         "The resource 'projects/proj-a/regions/mars1' was not found"),
        ("GET", "projects/proj-a/global/networks", "maxResults=501", vec![], 400, "invalid",
         "Invalid value for field 'maxResults'"),
        ("GET", "projects/proj-a/global/operations/operation-1-2-3-4", "", vec![], 404, "notFound",
         "The resource 'projects/proj-a/global/operations/operation-1-2-3-4' was not found"),
        ("DELETE", "projects/proj-a/regions/us-central1/subnetworks/net-a-sub", "", vec![], 200, "", ""),
    ];
    for (method, path, query, body, status, reason, message) in cases {
        let before = env.world.clone();
        let (got, v) = call_raw(&mut env, method, path, query, &body);
        assert_eq!(got, status, "{method} {path}: {v}");
        if status == 200 {
            continue;
        }
        assert_eq!(env.world, before, "{method} {path} left a trace");
        assert_eq!(v["error"]["code"], status, "{v}");
        assert_eq!(v["error"]["errors"][0]["reason"], reason, "{v}");
        assert_eq!(v["error"]["errors"][0]["domain"], "global", "{v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with(message), "{method} {path}: {msg}");
        assert_eq!(v["error"]["errors"][0]["message"], msg);
    }
}

#[test]
fn lists_page_by_max_results_and_filter_by_name() {
    let mut env = TestEnv::new();
    for n in ["n1", "n2", "n3"] {
        post(
            &mut env,
            "projects/p/global/networks",
            json!({"name": n, "autoCreateSubnetworks": false}),
        );
    }
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x["name"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (_, page1) = list(&mut env, "projects/p/global/networks", "maxResults=2");
    assert_eq!(names(&page1), ["n1", "n2"]);
    assert_eq!(page1["kind"], "compute#networkList");
    let tok = page1["nextPageToken"].as_str().unwrap().to_owned();
    let (_, page2) = list(
        &mut env,
        "projects/p/global/networks",
        &format!("maxResults=2&pageToken={tok}"),
    );
    assert_eq!(names(&page2), ["n3"]);
    assert!(page2.get("nextPageToken").is_none());
    let (_, f) = list(
        &mut env,
        "projects/p/global/networks",
        "filter=name+%3D+%22n2%22",
    );
    assert_eq!(names(&f), ["n2"]);
    let (_, f) = list(&mut env, "projects/p/global/networks", "filter=name+ne+n2");
    assert_eq!(names(&f), ["n1", "n3"]);
    let (_, other) = list(&mut env, "projects/q/global/networks", "");
    assert!(
        other.get("items").is_none(),
        "projects are separate: {other}"
    );
}

#[test]
fn subnetworks_routes_firewalls_and_instances_render() {
    let mut env = TestEnv::new();
    custom(&mut env, "p", "net", "10.5.0.0/24");
    let sub = get(
        &mut env,
        "projects/p/regions/us-central1/subnetworks/net-sub",
    );
    insta::assert_snapshot!("subnetwork", pretty(&sub));
    post(
        &mut env,
        "projects/p/global/firewalls",
        json!({"name": "allow-ssh", "network": "global/networks/net",
               "allowed": [{"IPProtocol": "tcp", "ports": ["22", "8000-8080"]}],
               "sourceRanges": ["10.1.0.0/16"], "targetTags": ["web"]}),
    );
    let fw = get(&mut env, "projects/p/global/firewalls/allow-ssh");
    insta::assert_snapshot!("firewall", pretty(&fw));
    let op = post(
        &mut env,
        "projects/p/zones/us-central1-a/instances",
        json!({"name": "vm", "machineType": "zones/us-central1-a/machineTypes/e2-micro",
               "tags": {"items": ["web"]},
               "networkInterfaces": [{"subnetwork": "regions/us-central1/subnetworks/net-sub"}]}),
    );
    assert_eq!(op["zone"], format!("{BASE}projects/p/zones/us-central1-a"));
    let vm = get(&mut env, "projects/p/zones/us-central1-a/instances/vm");
    insta::assert_snapshot!("instance", pretty(&vm));
    post(
        &mut env,
        "projects/p/global/routes",
        json!({"name": "via-vm", "network": "global/networks/net", "destRange": "192.168.0.0/16",
               "nextHopInstance": "zones/us-central1-a/instances/vm".replace("zones", "projects/p/zones")}),
    );
    let r = get(&mut env, "projects/p/global/routes/via-vm");
    insta::assert_snapshot!("route", pretty(&r));
    let (_, routes) = list(&mut env, "projects/p/global/routes", "");
    assert_eq!(
        routes["items"].as_array().unwrap().len(),
        2,
        "default route + via-vm"
    );
}

#[test]
fn aggregated_lists_group_instances_by_zone_and_subnetworks_by_region() {
    let mut env = TestEnv::new();
    custom(&mut env, "p", "net", "10.5.0.0/24");
    post(
        &mut env,
        "projects/p/regions/europe-west1/subnetworks",
        json!({"name": "eu", "network": "global/networks/net", "ipCidrRange": "10.6.0.0/24"}),
    );
    for (zone, region, sub, vm) in [
        ("us-central1-a", "us-central1", "net-sub", "a1"),
        ("us-central1-b", "us-central1", "net-sub", "b1"),
        ("europe-west1-b", "europe-west1", "eu", "e1"),
        ("us-central1-a", "us-central1", "net-sub", "a2"),
    ] {
        post(
            &mut env,
            &format!("projects/p/zones/{zone}/instances"),
            json!({"name": vm, "machineType": format!("zones/{zone}/machineTypes/e2-micro"),
                   "networkInterfaces": [{"subnetwork": format!("regions/{region}/subnetworks/{sub}")}]}),
        );
    }
    let scoped = |v: &Value, field: &str| -> Vec<(String, Vec<String>)> {
        v["items"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(scope, list)| {
                let names = list[field]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x["name"].as_str().unwrap().to_owned())
                    .collect();
                (scope.clone(), names)
            })
            .collect()
    };
    let (status, all) = list(&mut env, "projects/p/aggregated/instances", "");
    assert_eq!(status, 200, "{all}");
    assert_eq!(all["kind"], "compute#instanceAggregatedList");
    assert_eq!(all["id"], "projects/p/aggregated/instances");
    let s = |x: &str| x.to_owned();
    assert_eq!(
        scoped(&all, "instances"),
        [
            (s("zones/europe-west1-b"), vec![s("e1")]),
            (s("zones/us-central1-a"), vec![s("a1"), s("a2")]),
            (s("zones/us-central1-b"), vec![s("b1")]),
        ]
    );
    // Paged across scopes, and filtered by name like any list.
    let (_, first) = list(&mut env, "projects/p/aggregated/instances", "maxResults=2");
    assert_eq!(
        scoped(&first, "instances"),
        [
            (s("zones/europe-west1-b"), vec![s("e1")]),
            (s("zones/us-central1-a"), vec![s("a1")]),
        ]
    );
    let tok = first["nextPageToken"].as_str().unwrap().to_owned();
    let (_, rest) = list(
        &mut env,
        "projects/p/aggregated/instances",
        &format!("pageToken={tok}"),
    );
    assert_eq!(
        scoped(&rest, "instances"),
        [
            (s("zones/us-central1-a"), vec![s("a2")]),
            (s("zones/us-central1-b"), vec![s("b1")]),
        ]
    );
    let (_, named) = list(
        &mut env,
        "projects/p/aggregated/instances",
        "filter=name+%3D+%22b1%22",
    );
    assert_eq!(
        scoped(&named, "instances"),
        [(s("zones/us-central1-b"), vec![s("b1")])]
    );
    let (_, subs) = list(&mut env, "projects/p/aggregated/subnetworks", "");
    assert_eq!(subs["kind"], "compute#subnetworkAggregatedList");
    assert_eq!(
        scoped(&subs, "subnetworks"),
        [
            (s("regions/europe-west1"), vec![s("eu")]),
            (s("regions/us-central1"), vec![s("net-sub")]),
        ]
    );
    let (_, none) = list(&mut env, "projects/q/aggregated/instances", "");
    assert_eq!(none["items"], json!({}), "projects are separate: {none}");
}

#[test]
fn firewalls_patch_and_update_and_subnetworks_expand() {
    let mut env = TestEnv::new();
    custom(&mut env, "p", "net", "10.5.0.0/24");
    post(
        &mut env,
        "projects/p/global/firewalls",
        json!({"name": "fw", "network": "global/networks/net",
               "denied": [{"IPProtocol": "udp"}], "sourceTags": ["db"], "targetTags": ["web"]}),
    );
    let op = ok(
        &mut env,
        "PATCH",
        "projects/p/global/firewalls/fw",
        json!({"priority": 10, "disabled": true}),
    );
    assert_eq!(op["operationType"], "patch");
    let fw = get(&mut env, "projects/p/global/firewalls/fw");
    assert_eq!(
        (
            &fw["priority"],
            &fw["disabled"],
            &fw["denied"][0]["IPProtocol"],
            &fw["sourceTags"][0]
        ),
        (&json!(10), &json!(true), &json!("udp"), &json!("db"))
    );
    // update replaces the whole rule: what it leaves out is gone.
    ok(
        &mut env,
        "PUT",
        "projects/p/global/firewalls/fw",
        json!({"name": "fw", "allowed": [{"IPProtocol": "tcp", "ports": ["443"]}],
               "sourceRanges": ["10.9.0.0/16"]}),
    );
    let fw = get(&mut env, "projects/p/global/firewalls/fw");
    assert_eq!(
        fw["allowed"],
        json!([{"IPProtocol": "tcp", "ports": ["443"]}])
    );
    assert!(
        fw.get("denied").is_none() && fw.get("sourceTags").is_none(),
        "{fw}"
    );
    assert_eq!(
        fw["priority"], 10,
        "priority absent from the update body keeps its value"
    );
    let (status, e) = call(
        &mut env,
        "PATCH",
        "projects/p/global/firewalls/fw",
        "",
        json!({"sourceRanges": ["not-a-range"]}),
    );
    assert_eq!(
        (status, &e["error"]["errors"][0]["reason"]),
        (400, &json!("invalid"))
    );

    let op = post(
        &mut env,
        "projects/p/regions/us-central1/subnetworks/net-sub/expandIpCidrRange",
        json!({"ipCidrRange": "10.5.0.0/23"}),
    );
    assert_eq!(op["operationType"], "expandIpCidrRange");
    assert_eq!(
        op["region"],
        format!("{BASE}projects/p/regions/us-central1")
    );
    let sub = get(
        &mut env,
        "projects/p/regions/us-central1/subnetworks/net-sub",
    );
    assert_eq!(sub["ipCidrRange"], "10.5.0.0/23");
}
