//! Encrypted links across the three clouds against a vpcpeer server: AWS↔GCP, GCP↔Azure and
//! Azure↔AWS, each side's gateway launched by its cloud's driver through that cloud's public
//! API. What the clouds must hold, checked through Azure's ARM with plain calls (the test's own
//! client) and through the drivers' reading: every gateway's firewall admitting exactly its peers'
//! public IPs; on Azure the public IP (Standard, Static), the NSG rule, the NIC with IP
//! forwarding and the public IP, the VM of the gateway image with its configuration digest tag
//! and custom data, the topology's route table with a `VirtualAppliance` route per remote block
//! to the NIC's private IP; routes on every side to the local gateway; a second apply does
//! nothing; `destroy` leaves nothing (no gateway piece, no route table).

mod common;

use common::{assert_running, converged, down, json_call, policy, up, with_secret};
use hyper::Method;
use serde_json::Value;
use vpcpeer_controller::apply::{apply, Clouds};
use vpcpeer_controller::{Cloud, Desired};

const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// The three networks, with these gateways and links after them.
fn networks_and(rest: &str) -> Desired {
    let text = format!(
        "
name: multi
accounts:
  shop: {{ cloud: aws, account_id: '111111111111' }}
  analytics: {{ cloud: gcp, project: analytics-prod }}
  corp: {{ cloud: azure, subscription: {SUB}, resource_group: net }}
networks:
  web: {{ account: shop, region: us-east-1, cidrs: [10.10.0.0/16] }}
  lake: {{ account: analytics, region: us-central1, cidrs: [10.30.0.0/16] }}
  hq: {{ account: corp, region: westeurope, cidrs: [10.50.0.0/16] }}
{rest}"
    );
    with_secret(&text, 9)
}

fn three() -> Desired {
    networks_and(
        "gateways:
  web-gw: { network: web, subnet: 10.10.255.0/28, zone: us-east-1a }
  lake-gw: { network: lake, subnet: 10.30.0.0/16 }
  hq-gw: { network: hq, subnet: 10.50.255.0/28 }
links:
  - { between: [web, lake], type: encrypted }
  - { between: [lake, hq], type: encrypted }
  - { between: [hq, web], type: encrypted }
",
    )
}

/// `three()` without the GCP gateway and its links: lake stays, unlinked.
fn two() -> Desired {
    networks_and(
        "gateways:
  web-gw: { network: web, subnet: 10.10.255.0/28, zone: us-east-1a }
  hq-gw: { network: hq, subnet: 10.50.255.0/28 }
links:
  - { between: [hq, web], type: encrypted }
",
    )
}

/// The three networks alone: every gateway and link dropped from the file.
fn none() -> Desired {
    networks_and("")
}

/// One plain ARM GET of the resource `name` of `kind` in the group `net`, at the API version
/// of its provider: the status and the JSON body.
async fn arm(url: &str, kind: &str, name: &str) -> (u16, Value) {
    let api = if kind.starts_with("Microsoft.Compute") {
        "2024-07-01"
    } else {
        "2024-05-01"
    };
    let path = format!("/subscriptions/{SUB}/resourceGroups/net/providers/{kind}/{name}");
    let target = format!("{url}{path}?api-version={api}");
    json_call(Cloud::Azure, Method::GET, &target, None).await
}

/// Each of these pieces (kind, name) is gone from ARM.
async fn assert_gone(url: &str, pieces: [(&str, &str); 4]) {
    for (kind, name) in pieces {
        let (s, v) = arm(url, kind, name).await;
        assert_eq!(s, 404, "{kind}/{name}: {v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_clouds_encrypted_converge_and_destroy() {
    let d = three();
    let (url, mut dr, seen) = converged(&d).await;
    let ip = |vm: &str| seen.gateways[vm].address.as_ref().expect("an address").ip;
    for (vm, mut peers) in [
        ("web-gw", vec![ip("lake-gw"), ip("hq-gw")]),
        ("lake-gw", vec![ip("web-gw"), ip("hq-gw")]),
        ("hq-gw", vec![ip("web-gw"), ip("lake-gw")]),
    ] {
        let g = &seen.gateways[vm];
        let mut have = g.firewall.clone().expect("a firewall");
        have.sort();
        peers.sort();
        assert_eq!(have, peers, "{vm}");
        assert_running(&seen, vm);
    }
    for (net, vm, remotes) in [
        ("web", "web-gw", ["10.30.0.0/16", "10.50.0.0/16"]),
        ("lake", "lake-gw", ["10.10.0.0/16", "10.50.0.0/16"]),
        ("hq", "hq-gw", ["10.10.0.0/16", "10.30.0.0/16"]),
    ] {
        let mut to_gw: Vec<String> = seen.gateway_tables[net]
            .iter()
            .flat_map(|t| &t.routes)
            .filter(|r| r.gateway.as_deref() == Some(vm) && !r.blackhole)
            .map(|r| r.destination.to_string())
            .collect();
        to_gw.sort();
        assert_eq!(to_gw, remotes, "{net}: {:?}", seen.gateway_tables[net]);
    }

    // Azure, read with plain ARM calls.
    let (s, pip) = arm(&url, "Microsoft.Network/publicIPAddresses", "multi--hq-gw").await;
    assert_eq!(s, 200, "{pip}");
    assert_eq!(pip["sku"]["name"], "Standard");
    assert_eq!(pip["properties"]["publicIPAllocationMethod"], "Static");
    assert_eq!(pip["properties"]["ipAddress"], ip("hq-gw").to_string());
    let (_, nsg) = arm(
        &url,
        "Microsoft.Network/networkSecurityGroups",
        "multi--hq-gw",
    )
    .await;
    let rule = nsg["properties"]["securityRules"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "tunnel"))
        .cloned()
        .expect("the tunnel rule");
    assert_eq!(rule["properties"]["protocol"], "Udp");
    assert_eq!(rule["properties"]["destinationPortRange"], "51820");
    let mut sources: Vec<String> = rule["properties"]["sourceAddressPrefixes"]
        .as_array()
        .expect("prefixes")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    sources.sort();
    let mut want = vec![
        format!("{}/32", ip("web-gw")),
        format!("{}/32", ip("lake-gw")),
    ];
    want.sort();
    assert_eq!(sources, want);
    let (_, nic) = arm(&url, "Microsoft.Network/networkInterfaces", "multi--hq-gw").await;
    assert_eq!(nic["properties"]["enableIPForwarding"], true);
    let config = &nic["properties"]["ipConfigurations"][0]["properties"];
    assert!(
        config["subnet"]["id"]
            .as_str()
            .is_some_and(|s| s.ends_with("/subnets/multi--gw-10-50-255-0-28")),
        "{nic}"
    );
    let private = config["privateIPAddress"]
        .as_str()
        .expect("a private IP")
        .to_string();
    let (_, vm) = arm(&url, "Microsoft.Compute/virtualMachines", "multi--hq-gw").await;
    assert_eq!(
        vm["tags"]["vpcpeer:config"],
        seen.gateways["hq-gw"].instance.as_ref().unwrap().digest
    );
    let (_, table) = arm(&url, "Microsoft.Network/routeTables", "multi--hq-rt").await;
    let routes = table["properties"]["routes"].as_array().expect("routes");
    assert_eq!(routes.len(), 2, "{table}");
    for r in routes {
        assert_eq!(r["properties"]["nextHopType"], "VirtualAppliance", "{r}");
        assert_eq!(r["properties"]["nextHopIpAddress"], private.as_str(), "{r}");
    }

    let again = apply(&mut dr, &d, &policy(), &mut |_| {})
        .await
        .expect("again");
    assert_eq!((again.rounds, again.steps), (1, 0));

    // The GCP gateway leaves the file with its links: its pieces go, the Azure route to lake
    // goes, and the other gateways are relaunched with one peer each.
    let d = two();
    up(&mut dr, &d).await.expect("the GCP gateway dropped");
    let fewer = dr.observe(&d).await.expect("observe");
    assert_eq!(
        fewer.gateways.keys().collect::<Vec<_>>(),
        ["hq-gw", "web-gw"],
        "{:?}",
        fewer.gateways
    );
    assert_eq!(
        fewer.gateways["hq-gw"].firewall.as_deref(),
        Some(&[ip("web-gw")][..])
    );
    let hq_routes: Vec<String> = fewer.gateway_tables["hq"]
        .iter()
        .flat_map(|t| &t.routes)
        .map(|r| r.destination.to_string())
        .collect();
    assert_eq!(hq_routes, ["10.10.0.0/16"]);
    assert!(fewer.gateway_tables["lake"][0]
        .routes
        .iter()
        .all(|r| r.gateway.is_none()));
    assert!(vpcpeer_controller::plan(&fewer, &d).steps.is_empty());

    // Every gateway leaves the file: their pieces are still found (on every cloud) and go.
    let d = none();
    up(&mut dr, &d).await.expect("every gateway dropped");
    let bare = dr.observe(&d).await.expect("observe");
    assert!(bare.gateways.is_empty(), "{:?}", bare.gateways);
    assert!(vpcpeer_controller::plan(&bare, &d).steps.is_empty());
    assert_gone(
        &url,
        [
            ("Microsoft.Compute/virtualMachines", "multi--hq-gw"),
            ("Microsoft.Network/networkInterfaces", "multi--hq-gw"),
            ("Microsoft.Network/publicIPAddresses", "multi--hq-gw"),
            ("Microsoft.Network/networkSecurityGroups", "multi--hq-gw"),
        ],
    )
    .await;

    down(&mut dr, &d).await.expect("destroy");
    let gone = dr.observe(&d).await.expect("observe");
    assert!(gone.gateways.is_empty(), "{:?}", gone.gateways);
    assert!(gone.networks.is_empty());
    assert_gone(
        &url,
        [
            ("Microsoft.Network/routeTables", "multi--hq-rt"),
            ("Microsoft.Network/networkInterfaces", "multi--hq-gw"),
            ("Microsoft.Network/publicIPAddresses", "multi--hq-gw"),
            ("Microsoft.Network/networkSecurityGroups", "multi--hq-gw"),
        ],
    )
    .await;
}
