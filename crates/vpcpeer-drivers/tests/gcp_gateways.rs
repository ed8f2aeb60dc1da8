//! The GCP driver's gateways against a vpcpeer server: an AWS↔GCP encrypted link applied through
//! EC2 and Compute Engine, then checked through Google's own client (the same SDK the driver
//! uses, as any GCP user would look): the static address, the firewall rule admitting udp/51820
//! from exactly the AWS gateway's Elastic IP to the gateway's tag, the instance (`canIpForward`,
//! the static address as its `natIP`, its metadata `user-data` a gateway configuration whose
//! peer's endpoint is the AWS gateway's public address), the route to the AWS block through it;
//! a second apply does nothing; a configuration digest changed by hand replaces the VM; `destroy`
//! leaves nothing.

mod common;

use common::{
    assert_running, converged, down, drivers, policy, sdk_network, server, up, with_secret,
};
use google_cloud_compute_v1::client::{Addresses, Firewalls, Instances, Routes};
use google_cloud_compute_v1::model::{metadata, Instance, Metadata};
use google_cloud_lro::Poller;
use vpcpeer_controller::apply::{apply, Clouds};
use vpcpeer_controller::{plan, Action, Desired};

const P: &str = "analytics-prod";
const ZONE: &str = "us-central1-a";

/// web (AWS, its gateway web-gw) and `gcp`, a network of analytics-prod, encrypted.
fn web_and(gcp: &str, gcp_network: &str, gcp_gateway: &str) -> Desired {
    let text = format!(
        "
name: t
accounts:
  shop: {{ cloud: aws, account_id: '111111111111' }}
  analytics: {{ cloud: gcp, project: analytics-prod }}
networks:
  web: {{ account: shop, region: us-east-1, cidrs: [10.10.0.0/16] }}
  {gcp}: {{ account: analytics, region: us-central1, {gcp_network} }}
gateways:
  web-gw: {{ network: web, subnet: 10.10.255.0/28, zone: us-east-1a }}
  {gcp}-gw: {{ network: {gcp}, {gcp_gateway} }}
links:
  - {{ between: [web, {gcp}], type: encrypted }}
"
    );
    with_secret(&text, 7)
}

fn pair() -> Desired {
    web_and(
        "lake",
        "cidrs: [10.30.0.0/16]",
        "subnet: 10.30.0.0/16, zone: us-central1-a",
    )
}

async fn instance(url: &str) -> Option<Instance> {
    let vms = gcp_client!(Instances, url);
    let got = vms
        .get()
        .set_project(P)
        .set_zone(ZONE)
        .set_instance("t--lake-gw")
        .send()
        .await;
    match got {
        Ok(i) => Some(i),
        Err(e) if e.http_status_code() == Some(404) => None,
        Err(e) => panic!("{e:?}"),
    }
}

fn item<'i>(i: &'i Instance, key: &str) -> Option<&'i str> {
    let items = &i.metadata.as_ref()?.items;
    let found = items.iter().find(|it| it.key.as_deref() == Some(key))?;
    found.value.as_deref()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aws_gcp_encrypted_link_launches_the_gcp_gateway_and_destroys() {
    let d = pair();
    let (url, mut dr, seen) = converged(&d).await;
    let ip = |vm: &str| seen.gateways[vm].address.as_ref().expect("an address").ip;
    let (web_ip, lake_ip) = (ip("web-gw"), ip("lake-gw"));
    for (vm, peer) in [("web-gw", lake_ip), ("lake-gw", web_ip)] {
        let g = &seen.gateways[vm];
        assert_eq!(g.firewall.as_deref(), Some(&[peer][..]), "{vm}");
        assert_running(&seen, vm);
    }
    let s = seen.gateways["lake-gw"].subnet.as_ref().expect("a subnet");
    assert!(s.public && !s.created, "{s:?}");
    assert_eq!(s.id, "lake-0");

    // What GCP holds, read through Google's client.
    let addresses = gcp_client!(Addresses, &url);
    let a = addresses
        .get()
        .set_project(P)
        .set_region("us-central1")
        .set_address("t--lake-gw")
        .send()
        .await
        .expect("the static address");
    assert_eq!(a.address, Some(lake_ip.to_string()));
    let vm = instance(&url).await.expect("the gateway instance");
    assert_eq!(vm.can_ip_forward, Some(true));
    assert_eq!(
        vm.tags.as_ref().map(|t| t.items.clone()),
        Some(vec!["vpcpeer-gw-lake-gw".to_string()])
    );
    let nic = &vm.network_interfaces[0];
    assert!(
        nic.subnetwork
            .as_deref()
            .is_some_and(|s| s.ends_with("/regions/us-central1/subnetworks/lake-0")),
        "{nic:?}"
    );
    assert_eq!(
        nic.access_configs[0].nat_ip.as_deref(),
        Some(lake_ip.to_string().as_str())
    );
    let text = item(&vm, "user-data").expect("user-data");
    let config = vpcpeer_gateway::parse_user_data(text)
        .expect("a gateway configuration")
        .expect("it parses");
    assert_eq!(config.name, "lake-gw");
    assert_eq!(config.peers.len(), 1, "{text}");
    assert_eq!(config.peers[0].name, "web-gw");
    assert_eq!(config.peers[0].endpoint.ip(), &web_ip);
    assert_eq!(config.peers[0].endpoint.port(), 51820);
    assert_eq!(
        config.peers[0].allowed_ips,
        vec!["10.10.0.0/16".parse().unwrap()]
    );
    assert_eq!(item(&vm, "vpcpeer-config").map(str::len), Some(64));

    let firewalls = gcp_client!(Firewalls, &url);
    let f = firewalls
        .get()
        .set_project(P)
        .set_firewall("t--lake-gw")
        .send()
        .await
        .expect("the gateway's rule");
    assert_eq!(f.source_ranges, vec![format!("{web_ip}/32")]);
    assert_eq!(f.target_tags, vec!["vpcpeer-gw-lake-gw".to_string()]);
    assert_eq!(f.allowed[0].ip_protocol.as_deref(), Some("udp"));
    assert_eq!(f.allowed[0].ports, vec!["51820".to_string()]);

    let routes = gcp_client!(Routes, &url);
    let listed = routes
        .list()
        .set_project(P)
        .send()
        .await
        .expect("routes")
        .items;
    let to_web: Vec<_> = listed
        .iter()
        .filter(|r| r.dest_range.as_deref() == Some("10.10.0.0/16"))
        .collect();
    assert_eq!(to_web.len(), 1, "{listed:?}");
    assert!(
        to_web[0]
            .next_hop_instance
            .as_deref()
            .is_some_and(|i| i.ends_with("/zones/us-central1-a/instances/t--lake-gw")),
        "{:?}",
        to_web[0]
    );
    // The AWS side routes the GCP block to its gateway.
    let web_routes: Vec<_> = seen.gateway_tables["web"]
        .iter()
        .flat_map(|t| &t.routes)
        .filter(|r| r.gateway.as_deref() == Some("web-gw"))
        .collect();
    assert_eq!(web_routes.len(), 1, "{:?}", seen.gateway_tables);
    assert_eq!(web_routes[0].destination.to_string(), "10.30.0.0/16");
    let lake_routes = &seen.gateway_tables["lake"][0].routes;
    assert!(
        lake_routes
            .iter()
            .any(|r| r.gateway.as_deref() == Some("lake-gw") && !r.blackhole),
        "{lake_routes:?}"
    );

    let again = apply(&mut dr, &d, &policy(), &mut |_| {})
        .await
        .expect("again");
    assert_eq!((again.rounds, again.steps), (1, 0));

    // Someone changes the VM's configuration digest by hand: the plan replaces the VM.
    let vms = gcp_client!(Instances, &url);
    let md = vm.metadata.clone().expect("metadata");
    let items: Vec<_> = md
        .items
        .iter()
        .map(|it| match it.key.as_deref() {
            Some("vpcpeer-config") => metadata::Items::new()
                .set_key("vpcpeer-config")
                .set_value("0".repeat(64)),
            _ => it.clone(),
        })
        .collect();
    vms.set_metadata()
        .set_project(P)
        .set_zone(ZONE)
        .set_instance("t--lake-gw")
        .set_body(
            Metadata::new()
                .set_fingerprint(md.fingerprint.clone().expect("a fingerprint"))
                .set_items(items),
        )
        .poller()
        .until_done()
        .await
        .expect("metadata changed");
    let drifted = plan(&dr.observe(&d).await.expect("observe"), &d);
    assert!(
        drifted.steps.iter().any(
            |s| matches!(&s.action, Action::DeleteGateway { gateway, .. } if gateway == "lake-gw")
        ),
        "{drifted}"
    );
    up(&mut dr, &d).await.expect("replaced");
    let replaced = instance(&url).await.expect("launched again");
    assert_eq!(
        item(&replaced, "vpcpeer-config"),
        item(&vm, "vpcpeer-config")
    );
    let after = dr.observe(&d).await.expect("observe");
    assert!(plan(&after, &d).steps.is_empty());

    down(&mut dr, &d).await.expect("destroy");
    let gone = dr.observe(&d).await.expect("observe");
    assert!(gone.gateways.is_empty(), "{:?}", gone.gateways);
    assert!(gone.networks.is_empty());
    assert!(instance(&url).await.is_none());
    let left = addresses
        .list()
        .set_project(P)
        .set_region("us-central1")
        .send()
        .await
        .expect("addresses")
        .items;
    assert!(left.is_empty(), "{left:?}");
    let rules = firewalls
        .list()
        .set_project(P)
        .send()
        .await
        .expect("rules")
        .items;
    assert!(rules.is_empty(), "{rules:?}");
}

/// A GCP network without a route `0.0.0.0/0 → default-internet-gateway`: the subnetwork the file
/// names for its gateway is not public, and the plan refuses it before any change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_subnetwork_without_the_internet_route_is_refused() {
    use vpcpeer_controller::apply::ApplyError;
    use vpcpeer_controller::Conflict;

    let url = server().await;
    sdk_network(&url, P, "bare", "bare-s", "10.40.0.0/24").await;
    let routes = gcp_client!(Routes, &url);
    let listed = routes.list().set_project(P).send().await.expect("routes");
    let default = listed
        .items
        .iter()
        .find(|r| {
            r.dest_range.as_deref() == Some("0.0.0.0/0")
                && r.network.as_deref().is_some_and(|n| n.ends_with("/bare"))
        })
        .and_then(|r| r.name.clone())
        .expect("the default route of a new network");
    routes
        .delete()
        .set_project(P)
        .set_route(default)
        .poller()
        .until_done()
        .await
        .expect("default route deleted");

    let d = web_and("bare", "id: bare", "subnet: bare-s");
    let mut dr = drivers(&url, &d);
    match up(&mut dr, &d).await {
        Err(ApplyError::Conflicts(c)) => assert!(
            c.iter().any(|c| matches!(
                c,
                Conflict::GatewaySubnetNotPublic { gateway, subnet }
                    if gateway == "bare-gw" && subnet == "bare-s"
            )),
            "{c:?}"
        ),
        other => panic!("{other:?}"),
    }
    let seen = dr.observe(&d).await.expect("observe");
    assert!(
        seen.gateways.values().all(|g| g.address.is_none()
            && g.firewall.is_none()
            && g.instance.is_none()
            && g.subnet.as_ref().is_some_and(|s| !s.public)),
        "nothing was made: {:?}",
        seen.gateways
    );
}
