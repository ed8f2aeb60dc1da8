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

/// Each (method, path, query, body) request in turn, with its reply ([`show`]), one after the
/// other with a blank line between.
fn transcript<P: AsRef<str>, B: AsRef<str>>(
    env: &mut TestEnv,
    cases: &[(&str, P, &str, B)],
) -> String {
    let out: Vec<String> = cases
        .iter()
        .map(|(m, p, q, b)| {
            let (p, b) = (p.as_ref(), b.as_ref());
            format!("{m} {p}?{q}\n{}", show(&call(env, m, p, q, b)))
        })
        .collect();
    out.join("\n\n")
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
    insta::assert_snapshot!(transcript(&mut env, &cases));
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

fn compute(path: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/{path}")
}

/// A gateway-shaped VM: a Standard (Static) public IP on a NIC with IP forwarding, a VM with
/// custom data; reads of each; the VM deallocated and started through its POSTs, a minute apart,
/// with its instance view after each (the provisioning state dated by the last operation).
#[test]
fn public_ip_nic_and_vm_power() {
    let mut env = setup();
    let mut out = Vec::new();
    let mut step = |env: &mut TestEnv, title: &str, m: &str, p: &str, q: &str, b: &str| {
        let r = call(env, m, p, q, b);
        out.push(format!("== {title}: {m} {p}?{q}\n{}", show(&r)));
        r
    };
    step(
        &mut env,
        "Standard public IP",
        "PUT",
        &net("publicIPAddresses/gw-ip"),
        API,
        r#"{"location":"eastus","sku":{"name":"Standard"},"properties":{"publicIPAllocationMethod":"Static"},"tags":{"role":"gateway"}}"#,
    );
    let nic_body = format!(
        r#"{{"location":"eastus","properties":{{"enableIPForwarding":true,"ipConfigurations":[{{"name":"ipconfig1","properties":{{"subnet":{{"id":"{}"}},"publicIPAddress":{{"id":"{}"}}}}}}]}}}}"#,
        net("virtualNetworks/vnet-a/subnets/default"),
        net("publicIPAddresses/gw-ip"),
    );
    step(
        &mut env,
        "NIC with the public IP",
        "PUT",
        &net("networkInterfaces/gw-nic"),
        API,
        &nic_body,
    );
    step(
        &mut env,
        "the address shows its IP configuration",
        "GET",
        &net("publicIPAddresses/gw-ip"),
        API,
        "",
    );
    let vm_body = format!(
        r#"{{"location":"eastus","properties":{{"hardwareProfile":{{"vmSize":"Standard_B2s"}},"osProfile":{{"computerName":"gw","adminUsername":"azureuser","customData":"I3ZwY3BlZXItZ2F0ZXdheSB2MQo="}},"networkProfile":{{"networkInterfaces":[{{"id":"{}"}}]}}}}}}"#,
        net("networkInterfaces/gw-nic"),
    );
    step(
        &mut env,
        "VM with custom data (never returned)",
        "PUT",
        &compute("virtualMachines/gw"),
        API,
        &vm_body,
    );
    // Each power operation a minute after the last step: the instance view dates the last one.
    env.now = env.now.plus_millis(60_000);
    step(
        &mut env,
        "deallocate",
        "POST",
        &compute("virtualMachines/gw/deallocate"),
        API,
        "",
    );
    step(
        &mut env,
        "instance view",
        "GET",
        &compute("virtualMachines/gw/instanceView"),
        API,
        "",
    );
    env.now = env.now.plus_millis(60_000);
    step(
        &mut env,
        "start",
        "POST",
        &compute("virtualMachines/gw/start"),
        API,
        "",
    );
    step(
        &mut env,
        "VM expanded",
        "GET",
        &compute("virtualMachines/gw"),
        &format!("{API}&$expand=instanceView"),
        "",
    );
    step(
        &mut env,
        "list of the subscription",
        "GET",
        &format!("/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses"),
        API,
        "",
    );
    insta::assert_snapshot!(out.join("\n\n"));
}

/// The refusals of public IPs and VM power, in ARM's words.
#[test]
fn public_ip_and_power_errors() {
    let mut env = setup();
    let nic = |pip: &str| {
        format!(
            r#"{{"location":"eastus","properties":{{"ipConfigurations":[{{"name":"ipconfig1","properties":{{"subnet":{{"id":"{}"}},"publicIPAddress":{{"id":"{}"}}}}}}]}}}}"#,
            net("virtualNetworks/vnet-a/subnets/default"),
            net(&format!("publicIPAddresses/{pip}")),
        )
    };
    call(
        &mut env,
        "PUT",
        &net("publicIPAddresses/dyn"),
        API,
        r#"{"location":"eastus"}"#,
    );
    call(
        &mut env,
        "PUT",
        &net("networkInterfaces/n1"),
        API,
        &nic("dyn"),
    );
    let vm_body = format!(
        r#"{{"location":"eastus","properties":{{"networkProfile":{{"networkInterfaces":[{{"id":"{}"}}]}}}}}}"#,
        net("networkInterfaces/n1"),
    );
    call(
        &mut env,
        "PUT",
        &compute("virtualMachines/vm1"),
        API,
        &vm_body,
    );
    call(
        &mut env,
        "POST",
        &compute("virtualMachines/vm1/deallocate"),
        API,
        "",
    );
    let cases = [
        ("PUT", net("publicIPAddresses/std"), API, r#"{"location":"eastus","sku":{"name":"Standard"},"properties":{"publicIPAllocationMethod":"Dynamic"}}"#.to_owned()),
        ("PUT", net("networkInterfaces/n2"), API, nic("dyn")),
        ("DELETE", net("publicIPAddresses/dyn"), API, String::new()),
        ("POST", compute("virtualMachines/vm1/powerOff"), API, String::new()),
        ("POST", compute("virtualMachines/ghost/start"), API, String::new()),
        ("GET", compute("virtualMachines/vm1/deallocate"), API, String::new()),
        ("PUT", compute("virtualMachines/vm2"), API, vm_body.replace(r#""networkProfile""#, r#""osProfile":{"customData":"not base64!"},"networkProfile""#)),
        ("PUT", compute("virtualMachines/vm1"), API, vm_body.replace(r#""networkProfile""#, r#""osProfile":{"customData":"b3RoZXI="},"networkProfile""#)),
        ("GET", net("publicIPAddresses/dyn"), API, String::new()),
    ];
    insta::assert_snapshot!(transcript(&mut env, &cases));
}

/// A VM of the gateway image: `storageProfile.imageReference` stored and returned as ARM
/// returns it (with `exactVersion`), kept by an update that leaves it out, and a PUT changing
/// it refused with ARM's `PropertyChangeNotAllowed` (the VM unchanged).
#[test]
fn gateway_image_reference() {
    use vpcpeer_model::azure::{AzImageReference, GATEWAY_IMAGE_OFFER, GATEWAY_IMAGE_PUBLISHER};
    let mut env = setup();
    let nic_body = format!(
        r#"{{"location":"eastus","properties":{{"enableIPForwarding":true,"ipConfigurations":[{{"name":"ipconfig1","properties":{{"subnet":{{"id":"{}"}}}}}}]}}}}"#,
        net("virtualNetworks/vnet-a/subnets/default"),
    );
    let r = call(
        &mut env,
        "PUT",
        &net("networkInterfaces/gw-nic"),
        API,
        &nic_body,
    );
    assert_eq!(r.status, 201, "{}", show(&r));
    let vm_body = |image: &str| {
        format!(
            r#"{{"location":"eastus","properties":{{"hardwareProfile":{{"vmSize":"Standard_B2s"}},{image}"osProfile":{{"computerName":"gw","customData":"I3ZwY3BlZXItZ2F0ZXdheSB2MQo="}},"networkProfile":{{"networkInterfaces":[{{"id":"{}"}}]}}}}}}"#,
            net("networkInterfaces/gw-nic"),
        )
    };
    let gateway = format!(
        r#""storageProfile":{{"imageReference":{{"publisher":"{GATEWAY_IMAGE_PUBLISHER}","offer":"{GATEWAY_IMAGE_OFFER}","sku":"v1","version":"latest"}}}},"#
    );
    let mut out = Vec::new();
    let created = call(
        &mut env,
        "PUT",
        &compute("virtualMachines/gw"),
        API,
        &vm_body(&gateway),
    );
    out.push(format!("== created\n{}", show(&created)));
    let vm = |env: &TestEnv| {
        env.world
            .azure
            .vms()
            .values()
            .find(|v| v.name == "gw")
            .cloned()
            .expect("the VM")
    };
    assert!(vm(&env).is_gateway());
    assert_eq!(vm(&env).image, Some(AzImageReference::gateway()));
    // An update without the image keeps it.
    let kept = call(
        &mut env,
        "PUT",
        &compute("virtualMachines/gw"),
        API,
        &vm_body(""),
    );
    assert_eq!(kept.status, 200, "{}", show(&kept));
    assert_eq!(
        kept.body.as_ref().unwrap()["properties"]["storageProfile"],
        created.body.as_ref().unwrap()["properties"]["storageProfile"]
    );
    // Changing it is refused.
    let other = r#""storageProfile":{"imageReference":{"publisher":"Canonical","offer":"ubuntu-24_04-lts","sku":"server","version":"latest"}},"#;
    let refused = call(
        &mut env,
        "PUT",
        &compute("virtualMachines/gw"),
        API,
        &vm_body(other),
    );
    out.push(format!("== changed\n{}", show(&refused)));
    assert!(vm(&env).is_gateway());
    // An imageReference that is not an object is refused; nothing is created.
    let bad = r#""storageProfile":{"imageReference":"vpcpeer-gateway"},"#;
    let r = call(
        &mut env,
        "PUT",
        &compute("virtualMachines/gw2"),
        API,
        &vm_body(bad),
    );
    assert_eq!(r.status, 400, "{}", show(&r));
    assert!(!env.world.azure.vms().values().any(|v| v.name == "gw2"));
    insta::assert_snapshot!(out.join("\n\n"));
}
