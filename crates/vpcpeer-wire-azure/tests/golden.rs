//! Golden tests of the ARM face: each request runs through `prepare` and `handle` on a seeded
//! world, and the status, headers and JSON body are compared with the stored snapshot.

mod common;

use common::{API, BASE, SUB};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_wire_azure::Reply;

fn net(path: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/{path}")
}

fn call(env: &mut TestEnv, method: &str, path: &str, query: &str, body: &str) -> Reply {
    common::call(env, method, path, query, body.as_bytes())
}

/// A request (empty body) that is accepted (202), and the `GET` of the URL its `header` names
/// (below [`BASE`], without the query).
fn accepted(env: &mut TestEnv, method: &str, path: &str, header: &str) -> (Reply, Reply) {
    let r = call(env, method, path, API, "");
    assert_eq!(r.status, 202);
    let (_, url) = r
        .headers
        .iter()
        .find(|(k, _)| k == header)
        .unwrap_or_else(|| panic!("no {header} header"));
    let url = url.trim_start_matches(BASE).split('?').next().unwrap();
    let followed = call(env, "GET", url, API, "");
    (r, followed)
}

fn show(r: &Reply) -> String {
    let mut out = format!("{}\n", r.status);
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\n"));
    }
    if let Some(b) = &r.body {
        out.push('\n');
        out.push_str(&serde_json::to_string_pretty(b).unwrap());
    }
    out
}

fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    common::put_group(&mut env);
    for (name, prefix, subnet) in [
        ("vnet-a", "10.0.0.0/16", "10.0.1.0/24"),
        ("vnet-b", "10.1.0.0/16", "10.1.1.0/24"),
    ] {
        let body = format!(
            r#"{{"location":"eastus","properties":{{"addressSpace":{{"addressPrefixes":["{prefix}"]}},"subnets":[{{"name":"default","properties":{{"addressPrefix":"{subnet}"}}}}]}}}}"#
        );
        let r = call(
            &mut env,
            "PUT",
            &net(&format!("virtualNetworks/{name}")),
            API,
            &body,
        );
        assert_eq!(r.status, 201, "{}", show(&r));
    }
    env
}

fn peer(env: &mut TestEnv, from: &str, name: &str, to: &str) -> Reply {
    let body = format!(
        r#"{{"properties":{{"remoteVirtualNetwork":{{"id":"{}"}},"allowVirtualNetworkAccess":true}}}}"#,
        net(&format!("virtualNetworks/{to}"))
    );
    call(
        env,
        "PUT",
        &net(&format!(
            "virtualNetworks/{from}/virtualNetworkPeerings/{name}"
        )),
        API,
        &body,
    )
}

#[test]
fn create_virtual_network() {
    let mut env = TestEnv::new();
    call(
        &mut env,
        "PUT",
        &format!("/subscriptions/{SUB}/resourcegroups/rg"),
        API,
        r#"{"location":"East US"}"#,
    );
    let r = call(
        &mut env,
        "PUT",
        &net("virtualNetworks/vnet-a"),
        API,
        r#"{"location":"eastus","tags":{"env":"test"},"properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"default","properties":{"addressPrefix":"10.0.1.0/24"}}]}}"#,
    );
    insta::assert_snapshot!(show(&r));
}

#[test]
fn peering_initiated_then_connected() {
    let mut env = setup();
    let r = peer(&mut env, "vnet-a", "a-to-b", "vnet-b");
    insta::assert_snapshot!("peering_initiated", show(&r));
    peer(&mut env, "vnet-b", "b-to-a", "vnet-a");
    let r = call(
        &mut env,
        "GET",
        &net("virtualNetworks/vnet-a/virtualNetworkPeerings/a-to-b"),
        API,
        "",
    );
    insta::assert_snapshot!("peering_connected", show(&r));
}

#[test]
fn overlap_error_document() {
    let mut env = setup();
    let body = r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.128.0/17"]}}}"#;
    call(&mut env, "PUT", &net("virtualNetworks/vnet-c"), API, body);
    let r = peer(&mut env, "vnet-a", "a-to-c", "vnet-c");
    insta::assert_snapshot!(show(&r));
}

#[test]
fn cross_cloud_refusal() {
    let mut env = setup();
    let body = r#"{"properties":{"remoteVirtualNetwork":{"id":"vpc-0123456789abcdef0"}}}"#;
    let r = call(
        &mut env,
        "PUT",
        &net("virtualNetworks/vnet-a/virtualNetworkPeerings/to-aws"),
        API,
        body,
    );
    insta::assert_snapshot!(show(&r));
}

#[test]
fn request_errors() {
    let mut env = setup();
    let path = net("virtualNetworks/vnet-a");
    let cases = [
        ("GET", path.as_str(), "", ""),
        ("GET", path.as_str(), "api-version=latest", ""),
        ("PUT", path.as_str(), API, "{not json"),
        ("PUT", path.as_str(), API, r#"{"location": 5}"#),
        ("GET", &net("virtualNetworks/nope"), API, ""),
        ("GET", &format!("/subscriptions/{SUB}/resourceGroups/ghost/providers/Microsoft.Network/virtualNetworks/v"), API, ""),
        ("GET", &format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s"), API, ""),
        ("PATCH", path.as_str(), API, "{}"),
        ("PATCH", &net("virtualNetworks/vnet-a/subnets/default"), API, r#"{"tags":{}}"#),
        ("GET", &net("virtualNetworks/vnet-a/virtualNetworkPeerings/nope"), API, ""),
        ("HEAD", &format!("/subscriptions/{SUB}/resourcegroups/ghost"), API, ""),
        ("HEAD", &format!("/subscriptions/{SUB}/resourcegroups/rg"), API, ""),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(m, p, q, b)| format!("{m} {p}?{q}\n{}", show(&call(&mut env, m, p, q, b))))
        .collect();
    insta::assert_snapshot!(out.join("\n\n"));
}

#[test]
fn delete_and_operations() {
    let mut env = setup();
    peer(&mut env, "vnet-a", "a-to-b", "vnet-b");
    let peering = net("virtualNetworks/vnet-a/virtualNetworkPeerings/a-to-b");
    let (r, op) = accepted(&mut env, "DELETE", &peering, "Azure-AsyncOperation");
    let again = call(&mut env, "DELETE", &peering, API, "");
    insta::assert_snapshot!(format!("{}\n\n{}\n\n{}", show(&r), show(&op), show(&again)));
}

#[test]
fn effective_route_table() {
    let mut env = setup();
    peer(&mut env, "vnet-a", "a-to-b", "vnet-b");
    peer(&mut env, "vnet-b", "b-to-a", "vnet-a");
    let body = format!(
        r#"{{"location":"eastus","properties":{{"ipConfigurations":[{{"name":"ip1","properties":{{"subnet":{{"id":"{}"}}}}}}]}}}}"#,
        net("virtualNetworks/vnet-a/subnets/default")
    );
    let nic = call(&mut env, "PUT", &net("networkInterfaces/nic1"), API, &body);
    assert_eq!(nic.status, 201, "{}", show(&nic));
    let effective = net("networkInterfaces/nic1/effectiveRouteTable");
    let (r, result) = accepted(&mut env, "POST", &effective, "Location");
    insta::assert_snapshot!(format!("{}\n\n{}", show(&r), show(&result)));
}

#[test]
fn patch_replaces_tags() {
    let mut env = setup();
    let r = call(
        &mut env,
        "PATCH",
        &net("virtualNetworks/vnet-a"),
        API,
        r#"{"tags":{"team":"net"}}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body.as_ref().unwrap()["tags"],
        serde_json::json!({"team": "net"})
    );
    let r = call(&mut env, "GET", &net("virtualNetworks/vnet-a"), API, "");
    assert_eq!(
        r.body.as_ref().unwrap()["tags"],
        serde_json::json!({"team": "net"})
    );
    let r = call(
        &mut env,
        "PATCH",
        &net("virtualNetworks/ghost"),
        API,
        r#"{"tags":{}}"#,
    );
    assert_eq!(r.status, 404);
}
