//! The Azure driver against a vpcpeer server of the test's own, over ARM only: a
//! cross-subscription global pair converges and stays converged, a half deleted out of band is
//! reported as drift and repaired, an existing VNet given by id is peered and kept by `down`,
//! `down` removes what the topology owns, a refusal reaches the user in ARM's words, and a VNet
//! the file drops (with its link) is deleted with its halves while one given by id never is.
//! The tests read and change the cloud out of band with plain ARM calls, never the emulator's
//! admin API.

mod common;

use common::{
    applied, down, drivers, dropping_train, json_call, lake_only, planned, refused, server,
    topology, up, Refused,
};
use hyper::Method;
use serde_json::{json, Value};
use vpcpeer_controller::apply::Clouds;
use vpcpeer_controller::plan::AzurePeeringSpec;
use vpcpeer_controller::{plan, Action, Cloud, Reason};

const API: &str = "api-version=2024-05-01";
const SUB_A: &str = "11111111-1111-1111-1111-111111111111";
const SUB_B: &str = "22222222-2222-2222-2222-222222222222";

/// A topology of the two subscriptions' accounts with these networks (and links).
fn with_accounts(networks: &str) -> String {
    format!(
        "name: demo
accounts:
  a: {{ cloud: azure, subscription: {SUB_A}, resource_group: net-a }}
  b: {{ cloud: azure, subscription: {SUB_B}, resource_group: net-b }}
networks:
{networks}"
    )
}

/// A cross-subscription, cross-region pair, both VNets declared (their resource groups do not
/// exist yet: the driver creates them).
fn pair() -> String {
    with_accounts(
        "  lake:  { account: a, region: westeurope, cidrs: [10.1.0.0/16] }
  train: { account: b, region: eastus, cidrs: [10.2.0.0/16, 10.3.0.0/24] }
links:
  - between: [lake, train]
",
    )
}

/// spoke (declared, account a) linked to the existing VNet `hub` given by id, with `options`
/// on the link.
fn spoke_and_hub(hub: &str, options: &str) -> vpcpeer_controller::Desired {
    topology(&with_accounts(&format!(
        "  spoke: {{ account: a, region: westeurope, cidrs: [10.9.0.0/16] }}
  hub:   {{ account: b, region: northeurope, id: {hub} }}
links:
  - between: [spoke, hub]
{options}"
    )))
}

fn vnet(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}")
}

/// One plain ARM call: the status and the JSON body (`null` when there is none).
async fn arm(url: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let target = if path.contains("api-version=") {
        format!("{url}{path}")
    } else {
        format!("{url}{path}{sep}{API}")
    };
    json_call(Cloud::Azure, method, &target, body).await
}

/// A peering of a VNet, read with ARM.
async fn half(url: &str, vnet_id: &str, name: &str) -> (u16, Value) {
    let path = format!("{vnet_id}/virtualNetworkPeerings/{name}");
    arm(url, Method::GET, &path, None).await
}

/// A peering's `peeringState`, or `None` when it is not there.
async fn state(url: &str, vnet_id: &str, name: &str) -> Option<String> {
    let (status, v) = half(url, vnet_id, name).await;
    (status == 200).then(|| {
        v["properties"]["peeringState"]
            .as_str()
            .unwrap()
            .to_string()
    })
}

/// Creates a resource group and a VNet with `prefixes` through ARM.
async fn make_vnet(url: &str, sub: &str, rg: &str, name: &str, region: &str, prefixes: &[&str]) {
    let (s, _) = arm(
        url,
        Method::PUT,
        &format!("/subscriptions/{sub}/resourcegroups/{rg}?api-version=2021-04-01"),
        Some(json!({"location": region})),
    )
    .await;
    assert!(s == 200 || s == 201, "resource group: {s}");
    let (s, v) = arm(
        url,
        Method::PUT,
        &vnet(sub, rg, name),
        Some(json!({"location": region, "properties": {"addressSpace": {"addressPrefixes": prefixes}}})),
    )
    .await;
    assert!(s == 200 || s == 201, "vnet: {s} {v}");
}

/// The existing VNet `hub` (10.8.0.0/16) of subscription B's group `shared`, made through ARM;
/// its id.
async fn make_hub(url: &str) -> String {
    make_vnet(url, SUB_B, "shared", "hub", "northeurope", &["10.8.0.0/16"]).await;
    vnet(SUB_B, "shared", "hub")
}

/// A half `name` from the VNet `from` to the VNet `to`, put by hand through ARM.
async fn peer_by_hand(url: &str, from: &str, to: &str, name: &str) {
    let (s, v) = arm(
        url,
        Method::PUT,
        &format!("{from}/virtualNetworkPeerings/{name}"),
        Some(json!({"properties": {"remoteVirtualNetwork": {"id": to}}})),
    )
    .await;
    assert!(s == 200 || s == 201, "{s} {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_subscription_global_pair_converges_and_stays() {
    let url = server().await;
    let desired = topology(&pair());
    let mut d = drivers(&url, &desired);
    // Neither resource group exists: the driver makes each before its VNet.
    let (s, v) = arm(&url, Method::GET, &vnet(SUB_B, "net-b", "train"), None).await;
    assert_eq!(
        (s, &v["error"]["code"]),
        (404, &json!("ResourceGroupNotFound"))
    );
    let first = up(&mut d, &desired).await.expect("up");
    // Two VNets and two halves, in one round; the second round's plan is empty.
    assert_eq!((first.steps, first.rounds), (4, 2), "{first:?}");
    let again = up(&mut d, &desired).await.expect("second up");
    assert_eq!(again.steps, 0, "{again:?}");

    let (lake, train) = (vnet(SUB_A, "net-a", "lake"), vnet(SUB_B, "net-b", "train"));
    for id in [&lake, &train] {
        assert_eq!(
            state(&url, id, "demo--lake-train").await.as_deref(),
            Some("Connected"),
            "{id}"
        );
    }
    let (s, v) = arm(&url, Method::GET, &train, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["location"], "eastus");
    assert_eq!(
        v["tags"],
        json!({"vpcpeer:topology": "demo", "vpcpeer:network": "train"})
    );
    let group = format!("/subscriptions/{SUB_B}/resourcegroups/net-b?api-version=2021-04-01");
    let (s, g) = arm(&url, Method::GET, &group, None).await;
    assert_eq!((s, &g["location"]), (200, &json!("eastus")));
    assert_eq!(
        v["properties"]["addressSpace"]["addressPrefixes"],
        json!(["10.2.0.0/16", "10.3.0.0/24"])
    );
    let (_, p) = half(&url, &lake, "demo--lake-train").await;
    assert!(p["properties"]["remoteVirtualNetwork"]["id"]
        .as_str()
        .unwrap()
        .eq_ignore_ascii_case(&train));
    assert_eq!(p["properties"]["peeringSyncLevel"], "FullyInSync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_deleted_out_of_band_is_drift_and_up_repairs_it() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;
    let (lake, train) = (vnet(SUB_A, "net-a", "lake"), vnet(SUB_B, "net-b", "train"));
    let (s, _) = arm(
        &url,
        Method::DELETE,
        &format!("{lake}/virtualNetworkPeerings/demo--lake-train"),
        None,
    )
    .await;
    assert!(s == 200 || s == 202, "delete: {s}");
    assert_eq!(
        state(&url, &train, "demo--lake-train").await.as_deref(),
        Some("Disconnected")
    );

    let (_, p) = planned(&mut d, &desired).await;
    let lake_half = p
        .steps
        .iter()
        .find(|s| matches!(&s.action, Action::AzureCreatePeering(p) if p.network == "lake"));
    assert_eq!(lake_half.map(|s| &s.reason), Some(&Reason::Drift), "{p:?}");
    // The Disconnected half is deleted and made again (Azure does not repair it).
    assert!(p.steps.iter().any(|s| matches!(&s.action,
        Action::AzureDeletePeering { network, .. } if network == "train")
        && s.reason == Reason::Disconnected));

    let fixed = up(&mut d, &desired).await.expect("repair");
    assert_eq!(fixed.steps, 3, "{fixed:?}");
    for id in [&lake, &train] {
        assert_eq!(
            state(&url, id, "demo--lake-train").await.as_deref(),
            Some("Connected")
        );
    }
    assert_eq!(up(&mut d, &desired).await.expect("again").steps, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_vnet_is_peered_and_kept_by_down() {
    let url = server().await;
    let hub = make_hub(&url).await;
    let desired = spoke_and_hub(&hub, "    allow_forwarded_traffic: true\n");
    let mut d = drivers(&url, &desired);
    let out = up(&mut d, &desired).await.expect("up");
    assert_eq!(out.steps, 3, "one VNet and two halves: {out:?}");
    let spoke = vnet(SUB_A, "net-a", "spoke");
    for id in [&spoke, &hub] {
        let (_, p) = half(&url, id, "demo--spoke-hub").await;
        assert_eq!(p["properties"]["peeringState"], "Connected", "{id}");
        assert_eq!(p["properties"]["allowForwardedTraffic"], true, "{id}");
    }

    let gone = down(&mut d, &desired).await.expect("down");
    assert_eq!(gone.steps, 3, "two halves and the declared VNet: {gone:?}");
    let (s, v) = arm(&url, Method::GET, &hub, None).await;
    assert_eq!(s, 200, "the existing VNet stays");
    assert_eq!(v["properties"]["virtualNetworkPeerings"], json!([]));
    assert_eq!(arm(&url, Method::GET, &spoke, None).await.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_removes_everything_the_topology_owns_and_only_that() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;
    // A peering of another owner on the same VNet is left alone.
    make_vnet(
        &url,
        SUB_A,
        "net-a",
        "other",
        "westeurope",
        &["10.50.0.0/16"],
    )
    .await;
    let lake = vnet(SUB_A, "net-a", "lake");
    let other = vnet(SUB_A, "net-a", "other");
    peer_by_hand(&url, &other, &lake, "mine").await;

    let gone = down(&mut d, &desired).await.expect("down");
    assert_eq!(gone.steps, 4, "two halves and two VNets: {gone:?}");
    for id in [&lake, &vnet(SUB_B, "net-b", "train")] {
        assert_eq!(arm(&url, Method::GET, id, None).await.0, 404, "{id}");
    }
    assert_eq!(arm(&url, Method::GET, &other, None).await.0, 200);
    assert_eq!(
        state(&url, &other, "mine").await.as_deref(),
        Some("Disconnected"),
        "its remote VNet went with the topology"
    );
    assert_eq!(down(&mut d, &desired).await.expect("second down").steps, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_reported_in_arms_words() {
    let url = server().await;
    // hub is already peered (outside the topology) with a VNet whose space overlaps spoke's:
    // only ARM knows, so the plan goes ahead and the PUT of spoke's half is refused.
    let hub = make_hub(&url).await;
    make_vnet(
        &url,
        SUB_B,
        "shared",
        "old",
        "northeurope",
        &["10.9.0.0/16"],
    )
    .await;
    let old = vnet(SUB_B, "shared", "old");
    for (from, to) in [(&hub, &old), (&old, &hub)] {
        peer_by_hand(&url, from, to, "by-hand").await;
    }
    let desired = spoke_and_hub(&hub, "");
    let Refused {
        step,
        error,
        text: shown,
        ..
    } = refused(&mut drivers(&url, &desired), &desired).await;
    assert_eq!(error.code, "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet");
    assert_eq!(error.status, Some(400));
    assert_eq!(error.cloud, Cloud::Azure);
    assert!(matches!(&step.action, Action::AzureCreatePeering(p) if p.network == "spoke"));
    assert_eq!(
        error.call,
        "PUT virtualNetworkPeerings spoke/demo--spoke-hub"
    );
    assert!(
        shown.contains("VnetAddressSpaceOverlapsWithAlreadyPeeredVnet")
            && shown.contains("10.9.0.0/16")
            && shown.contains("spoke/demo--spoke-hub"),
        "{shown}"
    );
}

/// A scripted ARM on 127.0.0.1 for what the emulator never answers (operations still running,
/// failed operations, throttling): it answers each request with the next reply of its script
/// (`{base}` in a header is its own URL) and keeps what it was asked.
mod fake {
    use std::sync::{Arc, Mutex};

    use tokio::net::TcpStream;

    /// Reads what is there (the workspace's tokio has no `io-util`).
    async fn read_some(sock: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            sock.readable().await?;
            match sock.try_read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                other => return other,
            }
        }
    }

    async fn write_all(sock: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            sock.writable().await?;
            match sock.try_write(data) {
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// A request as received: method, path with query, `Authorization`.
    #[derive(Debug, Clone)]
    pub struct Seen {
        pub method: String,
        pub target: String,
        pub authorization: Option<String>,
    }

    /// One scripted reply: status, headers, body.
    pub type Reply = (u16, Vec<(&'static str, String)>, String);

    /// The answer to a gateway read (`crates/vpcpeer-drivers/src/azure/gateways.rs`): empty
    /// lists of public IPs, NSGs, NICs and VMs, and no route table.
    fn gateway_read(target: &str) -> Option<Reply> {
        let lists = [
            "/publicIPAddresses?",
            "/networkSecurityGroups?",
            "/networkInterfaces?",
            "/virtualMachines?",
        ];
        if lists.iter().any(|l| target.contains(l)) {
            return Some((200, vec![], r#"{"value": []}"#.into()));
        }
        target.contains("/routeTables/").then(|| {
            let body = r#"{"error": {"code": "ResourceNotFound", "message": "none"}}"#;
            (404, vec![], body.into())
        })
    }

    /// Starts the fake; its URL and the log of requests.
    pub async fn start(script: Vec<Reply>) -> (String, Arc<Mutex<Vec<Seen>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.into_iter()));
        let (b, l) = (base.clone(), log.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (base, log, script) = (b.clone(), l.clone(), script.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        match read_some(&sock, &mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let header = |name: &str| {
                        head.lines().find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.trim()
                                .eq_ignore_ascii_case(name)
                                .then(|| v.trim().to_string())
                        })
                    };
                    let length: usize = header("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    while buf.len() < head_end + length {
                        match read_some(&sock, &mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let mut words = head.split_whitespace();
                    let seen = Seen {
                        method: words.next().unwrap_or_default().to_string(),
                        target: words.next().unwrap_or_default().to_string(),
                        authorization: header("authorization"),
                    };
                    // The gateway reads every observation makes (the topology's gateway pieces,
                    // a VNet's route table) find nothing: answered here, outside the script
                    // and the log, which are about the peering calls.
                    let (status, headers, body) = if let Some(reply) = gateway_read(&seen.target) {
                        reply
                    } else {
                        log.lock().unwrap().push(seen);
                        script
                            .lock()
                            .unwrap()
                            .next()
                            .unwrap_or((500, vec![], "{}".into()))
                    };
                    let mut out = format!(
                        "HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                        body.len()
                    );
                    for (k, v) in headers {
                        out.push_str(&format!("{k}: {}\r\n", v.replace("{base}", &base)));
                    }
                    out.push_str("\r\n");
                    out.push_str(&body);
                    let _ = write_all(&sock, out.as_bytes()).await;
                });
            }
        });
        (base, log)
    }
}

/// Drivers for `desired` on the fake at `url`, with a bearer token.
fn token_drivers(url: &str, desired: &vpcpeer_controller::Desired) -> vpcpeer_drivers::Drivers {
    common::token_drivers(&format!("{url}/"), desired, |_| "tok".into())
        .with_poll(std::time::Duration::from_millis(1))
}

/// One step of `pair()`'s topology, carried out alone.
async fn run(url: &str, action: Action) -> Result<(), vpcpeer_drivers::DriverError> {
    let desired = topology(&pair());
    let mut d = token_drivers(url, &desired);
    let step = vpcpeer_controller::Step {
        action,
        reason: Reason::Missing,
    };
    d.execute(&desired, &step).await
}

fn create_lake_half() -> Action {
    Action::AzureCreatePeering(AzurePeeringSpec {
        network: "lake".into(),
        name: "demo--lake-train".into(),
        remote: vnet(SUB_B, "net-b", "train"),
        allow_forwarded_traffic: false,
        allow_gateway_transit: false,
        use_remote_gateways: false,
    })
}

fn status(s: &str) -> String {
    json!({ "status": s }).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waits_for_its_async_operation_with_the_token_on_every_call() {
    let op = vec![(
        "Azure-AsyncOperation",
        "{base}/op/1?api-version=2024-05-01".to_string(),
    )];
    let (url, log) = fake::start(vec![
        (
            201,
            op,
            json!({"properties": {"provisioningState": "Updating"}}).to_string(),
        ),
        (200, vec![], status("InProgress")),
        (200, vec![], status("InProgress")),
        (200, vec![], status("Succeeded")),
    ])
    .await;
    run(&url, create_lake_half()).await.expect("done");
    let seen = log.lock().unwrap().clone();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.target.as_str()))
        .collect();
    let put = format!(
        "{}/virtualNetworkPeerings/demo--lake-train?{API}",
        vnet(SUB_A, "net-a", "lake")
    );
    let poll = "/op/1?api-version=2024-05-01";
    assert_eq!(
        calls,
        vec![
            ("PUT", put.as_str()),
            ("GET", poll),
            ("GET", poll),
            ("GET", poll)
        ]
    );
    assert!(seen
        .iter()
        .all(|s| s.authorization.as_deref() == Some("Bearer tok")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_operation_is_an_error_in_its_own_words() {
    let op = vec![("Azure-AsyncOperation", "{base}/op/2".to_string())];
    let failed = json!({"status": "Failed", "error": {
        "code": "RemotePeeringIsDisconnected", "message": "remote peering is Disconnected"}});
    let (url, _) = fake::start(vec![
        (201, op, "{}".into()),
        (200, vec![], status("InProgress")),
        (200, vec![], failed.to_string()),
    ])
    .await;
    let e = run(&url, create_lake_half()).await.expect_err("failed");
    assert_eq!(
        (
            e.code.as_str(),
            e.message.as_str(),
            e.retry,
            e.call.as_str()
        ),
        (
            "RemotePeeringIsDisconnected",
            "remote peering is Disconnected",
            vpcpeer_controller::apply::Retry::Never,
            "PUT virtualNetworkPeerings lake/demo--lake-train"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_with_only_a_location_is_polled_until_it_stops_answering_202() {
    let loc = vec![("Location", "{base}/result/3".to_string())];
    let (url, log) = fake::start(vec![
        (202, loc.clone(), String::new()),
        (202, loc, String::new()),
        (204, vec![], String::new()),
    ])
    .await;
    let delete = Action::AzureDeletePeering {
        network: "train".into(),
        name: "demo--lake-train".into(),
    };
    run(&url, delete).await.expect("deleted");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[0].method, "DELETE");
    assert!(seen[1..].iter().all(|s| s.target == "/result/3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_without_operation_headers_waits_for_provisioning_state() {
    let state = |s: &str| json!({"properties": {"provisioningState": s}}).to_string();
    let (url, log) = fake::start(vec![
        (200, vec![], state("Updating")),
        (200, vec![], state("Updating")),
        (200, vec![], state("Succeeded")),
    ])
    .await;
    let create = Action::CreateNetwork {
        network: "train".into(),
        cloud: Cloud::Azure,
        cidrs: vec!["10.2.0.0/16".parse().unwrap()],
    };
    run(&url, create).await.expect("created");
    let seen = log.lock().unwrap().clone();
    let train = format!("{}?{API}", vnet(SUB_B, "net-b", "train"));
    assert_eq!(
        seen.iter()
            .map(|s| (s.method.as_str(), s.target.as_str()))
            .collect::<Vec<_>>(),
        vec![("PUT", train.as_str()), ("GET", &train), ("GET", &train)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_busy_answers_are_retryable_and_the_loop_retries_them() {
    use vpcpeer_controller::apply::Retry;
    for (status, code, retry) in [
        (429, "TooManyRequests", Retry::Throttled),
        (409, "AnotherOperationInProgress", Retry::Busy),
        (404, "ResourceNotFound", Retry::NotVisibleYet),
        (400, "InvalidRequestFormat", Retry::Never),
    ] {
        let body = json!({"error": {"code": code, "message": "m"}}).to_string();
        let (url, _) = fake::start(vec![(status, vec![], body)]).await;
        let e = run(&url, create_lake_half()).await.expect_err(code);
        assert_eq!(
            (e.code.as_str(), e.status, e.retry),
            (code, Some(status), retry)
        );
    }
    // Through the apply loop: a throttled PUT is tried again and the apply converges.
    let desired = topology(&pair().replace("10.2.0.0/16, 10.3.0.0/24", "10.2.0.0/16"));
    let vnet_body = |name: &str, sub: &str, rg: &str, cidr: &str| {
        json!({"id": vnet(sub, rg, name), "properties": {
            "addressSpace": {"addressPrefixes": [cidr]}, "virtualNetworkPeerings": []}})
        .to_string()
    };
    let peer = |name: &str, sub: &str, rg: &str, cidr: &str, remote: String| {
        json!({"id": vnet(sub, rg, name), "properties": {
            "addressSpace": {"addressPrefixes": [cidr]},
            "virtualNetworkPeerings": [{"name": "demo--lake-train", "properties": {
                "peeringState": "Connected", "peeringSyncLevel": "FullyInSync",
                "remoteVirtualNetwork": {"id": remote}, "allowForwardedTraffic": false}}]}})
        .to_string()
    };
    let throttled = json!({"error": {"code": "TooManyRequests", "message": "slow down"}});
    // Each observe lists the VNets of each account's resource group, for orphans: none here.
    let none = || (200, vec![], json!({"value": []}).to_string());
    let (url, log) = fake::start(vec![
        (
            200,
            vec![],
            vnet_body("lake", SUB_A, "net-a", "10.1.0.0/16"),
        ),
        (
            200,
            vec![],
            vnet_body("train", SUB_B, "net-b", "10.2.0.0/16"),
        ),
        none(),
        none(),
        (429, vec![], throttled.to_string()),
        (201, vec![], "{}".into()),
        (201, vec![], "{}".into()),
        (
            200,
            vec![],
            peer(
                "lake",
                SUB_A,
                "net-a",
                "10.1.0.0/16",
                vnet(SUB_B, "net-b", "train"),
            ),
        ),
        (
            200,
            vec![],
            peer(
                "train",
                SUB_B,
                "net-b",
                "10.2.0.0/16",
                vnet(SUB_A, "net-a", "lake"),
            ),
        ),
        none(),
        none(),
    ])
    .await;
    let mut d = token_drivers(&url, &desired);
    let out = up(&mut d, &desired).await.expect("converged");
    assert_eq!((out.steps, out.retries, out.rounds), (2, 1, 2), "{out:?}");
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 11, "{seen:?}");
    let lists = seen
        .iter()
        .filter(|s| {
            s.target
                .contains("/providers/Microsoft.Network/virtualNetworks?")
        })
        .count();
    assert_eq!(
        lists, 4,
        "one list per resource group per observe: {seen:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_space_change_is_synced_and_options_change_in_place() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;
    let (lake, train) = (vnet(SUB_A, "net-a", "lake"), vnet(SUB_B, "net-b", "train"));
    let half = |id: &str| format!("{id}/virtualNetworkPeerings/demo--lake-train");

    // train grows a block out of band: the halves are out of sync until a sync PUT.
    let grown = json!({"location": "eastus", "properties": {"addressSpace": {
        "addressPrefixes": ["10.2.0.0/16", "10.3.0.0/24", "10.4.0.0/24"]}}});
    let (s, v) = arm(&url, Method::PUT, &train, Some(grown)).await;
    assert_eq!(s, 200, "{v}");
    let observed = d.observe(&desired).await.expect("observe");
    let p = plan(&observed, &desired);
    assert!(
        p.steps
            .iter()
            .any(|s| matches!(s.action, Action::AzureSyncPeering { .. })
                && s.reason == Reason::OutOfSync),
        "{p:?}"
    );
    let synced = up(&mut d, &desired).await.expect("sync");
    assert!(synced.steps >= 1, "{synced:?}");
    for id in [&lake, &train] {
        let (_, p) = arm(&url, Method::GET, &half(id), None).await;
        assert_eq!(p["properties"]["peeringSyncLevel"], "FullyInSync", "{id}");
        assert_eq!(p["properties"]["peeringState"], "Connected", "{id}");
    }
    let (_, p) = arm(&url, Method::GET, &half(&lake), None).await;
    assert!(p["properties"]["remoteAddressSpace"]["addressPrefixes"]
        .as_array()
        .unwrap()
        .contains(&json!("10.4.0.0/24")));

    // Someone allows gateway transit on lake's half by hand; the topology turns on forwarded
    // traffic: both halves change in place, and the gateway transit the topology does not
    // declare is turned off again (the topology owns the link's options).
    let (_, mut body) = arm(&url, Method::GET, &half(&lake), None).await;
    body["properties"]["allowGatewayTransit"] = json!(true);
    let (s, v) = arm(&url, Method::PUT, &half(&lake), Some(body)).await;
    assert_eq!(s, 200, "{v}");
    let forwarded_text = pair().replace(
        "between: [lake, train]",
        "between: [lake, train]\n    allow_forwarded_traffic: true",
    );
    let forwarded = topology(&forwarded_text);
    let changed = up(&mut d, &forwarded).await.expect("options");
    assert_eq!(changed.steps, 2, "{changed:?}");
    for id in [&lake, &train] {
        let (_, p) = arm(&url, Method::GET, &half(id), None).await;
        assert_eq!(p["properties"]["allowForwardedTraffic"], true, "{id}");
        assert_eq!(p["properties"]["peeringState"], "Connected", "{id}");
    }
    let (_, p) = arm(&url, Method::GET, &half(&lake), None).await;
    assert_eq!(p["properties"]["allowGatewayTransit"], false);

    // The file gives lake a second block: the plan foresees the sync of train's half that the
    // new block calls for, so one round does both and leaves the halves in sync.
    let wider = topology(
        &forwarded_text.replace("cidrs: [10.1.0.0/16]", "cidrs: [10.1.0.0/16, 10.9.0.0/24]"),
    );
    let seen = d.observe(&wider).await.expect("observe");
    let planned = plan(&seen, &wider);
    assert_eq!(planned.steps.len(), 2, "{planned:?}");
    let grown = up(&mut d, &wider).await.expect("a block more");
    assert_eq!((grown.steps, grown.rounds), (2, 2), "{grown:?}");
    for id in [&lake, &train] {
        let (_, p) = arm(&url, Method::GET, &half(id), None).await;
        assert_eq!(p["properties"]["peeringSyncLevel"], "FullyInSync", "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vnet_dropped_from_the_file_is_deleted_with_its_halves() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;
    let (lake, train) = (vnet(SUB_A, "net-a", "lake"), vnet(SUB_B, "net-b", "train"));

    let smaller = lake_only(&pair());
    let (observed, steps) = dropping_train(&mut d, &smaller, |action| match action {
        Action::AzureDeletePeering { network, name } => format!("unpeer {network} {name}"),
        Action::DeleteNetwork { network, .. } => format!("delete {network}"),
        other => format!("{other:?}"),
    })
    .await;
    assert!(observed.orphans["train"].id.eq_ignore_ascii_case(&train));
    assert_eq!(
        steps,
        [
            "delete train",
            "unpeer lake demo--lake-train",
            "unpeer train demo--lake-train"
        ]
    );

    let done = up(&mut d, &smaller).await.expect("up without train");
    assert_eq!(done.steps, 3, "{done:?}");
    let (s, v) = arm(&url, Method::GET, &train, None).await;
    assert_eq!(s, 404, "the dropped VNet is deleted: {v}");
    let (s, v) = arm(&url, Method::GET, &lake, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["properties"]["virtualNetworkPeerings"], json!([]), "{v}");
    let again = up(&mut d, &smaller).await.expect("up again");
    assert_eq!((again.steps, again.rounds), (0, 1), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vnets_given_by_id_are_never_orphans() {
    let url = server().await;
    // The user's VNet, untagged, given by id, then dropped from the file: it stays.
    make_vnet(&url, SUB_B, "net-b", "hub", "northeurope", &["10.8.0.0/16"]).await;
    let hub = vnet(SUB_B, "net-b", "hub");
    let with_hub = spoke_and_hub(&hub, "");
    let mut d = drivers(&url, &with_hub);
    up(&mut d, &with_hub).await.expect("up");
    let spoke_only = topology(&with_accounts(
        "  spoke: { account: a, region: westeurope, cidrs: [10.9.0.0/16] }\n",
    ));
    let observed = d.observe(&spoke_only).await.expect("observe");
    assert!(observed.orphans.is_empty(), "{:?}", observed.orphans);
    up(&mut d, &spoke_only).await.expect("up without hub");
    assert_eq!(arm(&url, Method::GET, &hub, None).await.0, 200, "hub stays");
    let (_, v) = arm(&url, Method::GET, &vnet(SUB_A, "net-a", "spoke"), None).await;
    assert_eq!(v["properties"]["virtualNetworkPeerings"], json!([]), "{v}");

    // A VNet the topology made, now given by id under another name: named by the file, so not
    // an orphan, though it carries the topology's tags.
    let (url, mut d, _) = applied(&topology(&pair())).await;
    let train = vnet(SUB_B, "net-b", "train");
    let adopted = topology(&with_accounts(&format!(
        "  lake: {{ account: a, region: westeurope, cidrs: [10.1.0.0/16] }}
  kept: {{ account: b, region: eastus, id: {train} }}
"
    )));
    let observed = d.observe(&adopted).await.expect("observe");
    assert!(observed.orphans.is_empty(), "{:?}", observed.orphans);
    let done = up(&mut d, &adopted).await.expect("up");
    assert_eq!(done.steps, 2, "the link's two halves: {done:?}");
    assert_eq!(arm(&url, Method::GET, &train, None).await.0, 200);
    assert_eq!(up(&mut d, &adopted).await.expect("again").steps, 0);
}
