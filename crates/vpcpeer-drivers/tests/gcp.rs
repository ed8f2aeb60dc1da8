//! The GCP driver against a vpcpeer server of its own, reached only through Compute Engine v1
//! over HTTP: a cross-project pair converges and stays converged, drift made through the public
//! API is planned as drift and repaired, a network given by id is peered and kept by `down`,
//! `down` removes everything the topology owns, the cloud's refusals reach the user in the
//! cloud's words, naming the resource, and a network the file drops (with its link) is deleted
//! with its halves and rules while one given by id never is. A front of the test's own between the driver and the
//! server answers some calls as GCP does under load (an operation still running, "a peering
//! operation is in progress", throttling), to show the driver waits those out.

mod common;

use common::{
    applied, down, drivers, dropping_train, json_call, lake_only, planned, refused, server,
    server_with_auth, token_drivers, topology, up,
};
use hyper::Method;
use serde_json::{json, Value};
use vpcpeer_controller::apply::Clouds;
use vpcpeer_controller::{Action, Cloud, Reason};

/// The accounts every topology here declares, up to its networks.
const HEAD: &str = "
name: demo
accounts:
  lake: { cloud: gcp, project: lake-prod }
  train: { cloud: gcp, project: train-prod }
networks:
";

/// A cross-project pair, each declared with blocks, opening tcp/443 (and more, to check that the
/// firewall rules read back as they were written).
fn pair() -> String {
    format!(
        "{HEAD}  lake: {{ account: lake, region: us-central1, cidrs: [10.10.0.0/16, 10.11.0.0/16] }}
  train: {{ account: train, region: europe-west1, cidrs: [10.20.0.0/16] }}
links:
  - between: [lake, train]
    open:
      - {{ protocol: tcp, ports: 443 }}
      - {{ protocol: tcp, ports: \"8000-8100\" }}
      - {{ protocol: icmp }}
    exchange_custom_routes: true
"
    )
}

/// `HEAD` with these networks (and links).
fn with_head(networks: &str) -> vpcpeer_controller::Desired {
    topology(&format!("{HEAD}{networks}"))
}

/// One Compute Engine call through the public API: the HTTP status and the JSON answer.
async fn gcp(url: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    json_call(
        Cloud::Gcp,
        method,
        &format!("{url}/compute/v1/{path}"),
        body,
    )
    .await
}

/// A change through the public API; it must be accepted and its operation end without error.
async fn change(url: &str, method: Method, path: &str, body: Value) {
    let (status, op) = gcp(url, method, path, Some(body)).await;
    assert_eq!(status, 200, "{path}: {op}");
    assert_eq!(op["status"], "DONE", "{path}: {op}");
    assert!(op.get("error").is_none(), "{path}: {op}");
}

async fn get(url: &str, path: &str) -> (u16, Value) {
    gcp(url, Method::GET, path, None).await
}

/// A firewall rule of `project`.
async fn rule(url: &str, project: &str, name: &str) -> (u16, Value) {
    get(url, &format!("projects/{project}/global/firewalls/{name}")).await
}

/// A subnetwork of lake-prod.
async fn subnetwork(url: &str, region: &str, name: &str) -> (u16, Value) {
    let path = format!("projects/lake-prod/regions/{region}/subnetworks/{name}");
    get(url, &path).await
}

/// A network of the user's in lake-prod, made through the API.
async fn make_network(url: &str, name: &str, auto: bool) {
    let body = json!({"name": name, "autoCreateSubnetworks": auto});
    change(
        url,
        Method::POST,
        "projects/lake-prod/global/networks",
        body,
    )
    .await;
}

/// A firewall rule of the user's in lake-prod on its network `users`, admitting ssh from
/// anywhere.
async fn make_users_rule(url: &str, name: &str) {
    make_network(url, "users", false).await;
    let body = json!({"name": name, "network": "projects/lake-prod/global/networks/users",
        "sourceRanges": ["0.0.0.0/0"], "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]});
    change(
        url,
        Method::POST,
        "projects/lake-prod/global/firewalls",
        body,
    )
    .await;
}

/// The user's network `shared` in lake-prod, with a subnetwork `shared-east` (10.30.0.0/24,
/// and `secondary` as its range `pods` when given), made through the API.
async fn make_shared(url: &str, secondary: Option<&str>) {
    make_network(url, "shared", false).await;
    let mut body = json!({"name": "shared-east", "network": SHARED, "ipCidrRange": "10.30.0.0/24"});
    if let Some(range) = secondary {
        body["secondaryIpRanges"] = json!([{"rangeName": "pods", "ipCidrRange": range}]);
    }
    let path = "projects/lake-prod/regions/us-east1/subnetworks";
    change(url, Method::POST, path, body).await;
}

/// The peerings of a network, as `(name, peer link, state)`.
async fn peerings(url: &str, network: &str) -> Vec<(String, String, String)> {
    let (status, net) = get(url, network).await;
    assert_eq!(status, 200, "{network}: {net}");
    net["peerings"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let s = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                    (s("name"), s("network"), s("state"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The names of a project's firewall rules.
async fn firewall_names(url: &str, project: &str) -> Vec<String> {
    let (status, list) = get(url, &format!("projects/{project}/global/firewalls")).await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

const LAKE: &str = "projects/lake-prod/global/networks/lake";
const TRAIN: &str = "projects/train-prod/global/networks/train";
const SHARED: &str = "projects/lake-prod/global/networks/shared";

/// Both halves of `demo--<link>` ACTIVE, each pointing at the other network.
async fn assert_active(url: &str, a: &str, b: &str, link: &str) {
    for (net, peer) in [(a, b), (b, a)] {
        let ps = peerings(url, net).await;
        assert_eq!(ps.len(), 1, "{net}: {ps:?}");
        let (name, link_url, state) = &ps[0];
        assert_eq!(name, &format!("demo--{link}"));
        assert!(
            link_url.ends_with(&format!("/compute/v1/{peer}")),
            "{link_url}"
        );
        assert_eq!(state, "ACTIVE", "{net}");
    }
}

/// `network` stays, without peerings.
async fn assert_kept_unpeered(url: &str, network: &str) {
    let (status, net) = get(url, network).await;
    assert_eq!(status, 200, "the network given by id stays: {net}");
    assert!(net.get("peerings").is_none(), "{net}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_project_pair_converges_and_stays_converged() {
    let desired = topology(&pair());
    let (url, mut d, first) = applied(&desired).await;
    // Two networks, three subnetworks' worth of blocks, two halves, two rules: one round of
    // steps, then a round whose plan is empty.
    assert_eq!(first.rounds, 2, "{first:?}");
    assert_eq!(first.steps, 6, "{first:?}");
    let second = up(&mut d, &desired).await.expect("second up");
    assert_eq!((second.steps, second.rounds), (0, 1), "{second:?}");

    assert_active(&url, LAKE, TRAIN, "lake-train").await;
    let (_, net) = get(&url, LAKE).await;
    assert_eq!(net["autoCreateSubnetworks"], false);
    assert_eq!(net["peerings"][0]["exportCustomRoutes"], true);
    assert_eq!(net["peerings"][0]["importCustomRoutes"], true);
    for (name, range) in [("lake-0", "10.10.0.0/16"), ("lake-1", "10.11.0.0/16")] {
        let (status, s) = subnetwork(&url, "us-central1", name).await;
        assert_eq!(status, 200, "{s}");
        assert_eq!(s["ipCidrRange"], range);
    }
    let (status, a) = rule(&url, "lake-prod", "demo--lake-train-a").await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["direction"], "INGRESS");
    assert_eq!(a["sourceRanges"], json!(["10.20.0.0/16"]));
    assert!(a["network"].as_str().unwrap().ends_with(LAKE), "{a}");
    let (status, b) = rule(&url, "train-prod", "demo--lake-train-b").await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["sourceRanges"], json!(["10.10.0.0/16", "10.11.0.0/16"]));
    let allowed = b["allowed"].to_string();
    for want in ["\"icmp\"", "\"443\"", "\"8000-8100\""] {
        assert!(allowed.contains(want), "{want} in {allowed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_made_out_of_band_is_planned_as_drift_and_repaired() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;

    // Someone removes train's half and lake's rule through the API.
    let unpeer = json!({"name": "demo--lake-train"});
    change(
        &url,
        Method::POST,
        &format!("{TRAIN}/removePeering"),
        unpeer,
    )
    .await;
    let a = "projects/lake-prod/global/firewalls/demo--lake-train-a";
    let (status, op) = gcp(&url, Method::DELETE, a, None).await;
    assert_eq!(status, 200, "{op}");
    let lake = peerings(&url, LAKE).await;
    assert_eq!(lake[0].2, "INACTIVE", "{lake:?}");

    let (_, p) = planned(&mut d, &desired).await;
    let steps: Vec<(&Action, &Reason)> = p.steps.iter().map(|s| (&s.action, &s.reason)).collect();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(
        steps.iter().any(|(a, r)| matches!(
            a,
            Action::GcpAddPeering { network, name, peer, custom_routes: true }
                if network == "train" && name == "demo--lake-train" && peer == LAKE
        ) && **r == Reason::Drift),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|(a, r)| matches!(
            a,
            Action::GcpCreateFirewall(rule)
                if rule.network == "lake" && rule.name == "demo--lake-train-a"
        ) && **r == Reason::Drift),
        "{steps:?}"
    );

    let repaired = up(&mut d, &desired).await.expect("repair");
    assert_eq!(repaired.steps, 2, "{repaired:?}");
    assert_active(&url, LAKE, TRAIN, "lake-train").await;
    assert!(firewall_names(&url, "lake-prod")
        .await
        .contains(&"demo--lake-train-a".to_string()));
    let again = up(&mut d, &desired).await.expect("up again");
    assert_eq!(again.steps, 0, "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_given_by_id_is_peered_and_kept_by_down() {
    let url = server().await;
    // The user's network, made before the topology exists.
    make_shared(&url, Some("10.31.0.0/20")).await;
    let desired = with_head(
        "  shared: { account: lake, id: projects/lake-prod/global/networks/shared }
  train: { account: train, region: europe-west1, cidrs: [10.20.0.0/16] }
links:
  - between: [shared, train]
    open: [{ protocol: tcp, ports: 443 }]
",
    );
    let mut d = drivers(&url, &desired);
    let done = up(&mut d, &desired).await.expect("up");
    assert_eq!(done.rounds, 2, "{done:?}");
    assert_active(&url, SHARED, TRAIN, "shared-train").await;
    // Train admits the user's network's ranges, primary and secondary, read from the cloud.
    let (_, b) = rule(&url, "train-prod", "demo--shared-train-b").await;
    assert_eq!(b["sourceRanges"], json!(["10.30.0.0/24", "10.31.0.0/20"]));

    let gone = down(&mut d, &desired).await.expect("down");
    assert!(gone.steps > 0, "{gone:?}");
    assert_kept_unpeered(&url, SHARED).await;
    let (status, sub) = subnetwork(&url, "us-east1", "shared-east").await;
    assert_eq!(status, 200, "{sub}");
    assert!(firewall_names(&url, "lake-prod").await.is_empty());
    let (status, _) = get(&url, TRAIN).await;
    assert_eq!(status, 404, "the declared network goes");
    let again = down(&mut d, &desired).await.expect("down again");
    assert_eq!(again.steps, 0, "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_removes_everything_the_topology_owns() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;
    // A rule of the user's in the same project, on another network, is none of the topology's.
    make_users_rule(&url, "allow-ssh").await;

    let gone = down(&mut d, &desired).await.expect("down");
    // Two rules, two halves, two networks.
    assert_eq!((gone.steps, gone.rounds), (6, 2), "{gone:?}");
    for net in [LAKE, TRAIN] {
        let (status, v) = get(&url, net).await;
        assert_eq!(status, 404, "{net}: {v}");
    }
    for (project, region) in [("lake-prod", "us-central1"), ("train-prod", "europe-west1")] {
        let (_, list) = get(
            &url,
            &format!("projects/{project}/regions/{region}/subnetworks"),
        )
        .await;
        assert!(list.get("items").is_none(), "{list}");
    }
    assert_eq!(firewall_names(&url, "lake-prod").await, vec!["allow-ssh"]);
    assert!(firewall_names(&url, "train-prod").await.is_empty());
    let again = down(&mut d, &desired).await.expect("down again");
    assert_eq!((again.steps, again.rounds), (0, 1), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_reach_the_user_in_the_clouds_words() {
    // An auto-mode network given by id reserves 10.128.0.0/9: the plan sees no overlap with the
    // declared block (no auto subnetwork covers it), GCP refuses the peering in its operation.
    let url = server().await;
    make_network(&url, "auto", true).await;
    let desired = with_head(
        "  auto: { account: lake, id: auto }
  train: { account: train, region: us-central1, cidrs: [10.200.0.0/16] }
links:
  - between: [auto, train]
",
    );
    let r = refused(&mut drivers(&url, &desired), &desired).await;
    let text = &r.text;
    assert_eq!(
        r.error.call, "networks.addPeering auto/demo--auto-train",
        "{text}"
    );
    assert_eq!(r.error.code, "INVALID_USAGE", "{text}");
    assert_eq!(r.error.status, Some(400), "{text}");
    assert_eq!(r.attempts, 1, "a refusal is not tried again: {text}");
    assert!(
        text.contains("INVALID_USAGE") && text.contains("10.128.0.0/9"),
        "{text}"
    );

    // A firewall rule's name is the project's: one of another network holds the link's name,
    // and GCP refuses the insert as it answers it (409 alreadyExists).
    let url = server().await;
    make_users_rule(&url, "demo--lake-train-a").await;
    let desired = topology(&pair());
    let r = refused(&mut drivers(&url, &desired), &desired).await;
    let text = &r.text;
    assert_eq!(
        r.error.call, "firewalls.insert lake/demo--lake-train-a",
        "{text}"
    );
    assert_eq!(
        (r.error.status, r.error.code.as_str()),
        (Some(409), "alreadyExists")
    );
    assert!(
        text.contains("alreadyExists") && text.contains("demo--lake-train-a"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_operations_busy_networks_and_throttling_are_waited_out() {
    let url = server().await;
    let busy =
        "There is a peering operation in progress on the local or peer network. Try again later.";
    let front = gcp_front::Front::start(
        &url,
        vec![
            // The first network insert answers a RUNNING operation: the driver polls it.
            gcp_front::Fault::running("POST", "/global/networks"),
            gcp_front::Fault::refuse("POST", "/addPeering", 400, "badRequest", busy),
            gcp_front::Fault::refuse(
                "POST",
                "/global/firewalls",
                429,
                "rateLimitExceeded",
                "Rate Limit Exceeded",
            ),
        ],
    );
    let desired = topology(&pair());
    let mut d = drivers(&front.url, &desired);
    let mut events = Vec::new();
    let out = vpcpeer_controller::apply::apply(&mut d, &desired, &common::policy(), &mut |e| {
        if let vpcpeer_controller::apply::Event::Retrying { error, .. } = e {
            events.push(error.to_string());
        }
    })
    .await
    .expect("up");
    assert_eq!((out.steps, out.retries), (6, 2), "{out:?} {events:?}");
    assert!(
        events[0].contains("networks.addPeering lake/demo--lake-train"),
        "{events:?}"
    );
    assert!(events[0].contains("badRequest"), "{events:?}");
    assert!(
        events[1].contains("firewalls.insert lake/demo--lake-train-a"),
        "{events:?}"
    );
    assert!(
        events[1].contains("HTTP 429 rateLimitExceeded"),
        "{events:?}"
    );
    let seen = front.seen();
    let insert = seen
        .iter()
        .position(|r| r == "POST /compute/v1/projects/lake-prod/global/networks")
        .expect("network insert");
    assert!(
        seen[insert + 1].starts_with("GET /compute/v1/projects/lake-prod/global/operations/"),
        "the running operation is read until DONE before the next call: {seen:#?}"
    );
    assert_eq!(front.faults_left(), 0);
    assert_active(&url, LAKE, TRAIN, "lake-train").await;
}

/// A front between the driver and the server, on 127.0.0.1: it passes each request on (one per
/// connection, blocking threads of its own) and records it, except the calls a [`Fault`] picks,
/// which it answers as GCP does under load. It serves until the test process ends.
mod gcp_front {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};

    use serde_json::{json, Value};

    /// How a picked call is answered.
    enum Answer {
        /// GCP's error document with this status, reason and message.
        Refuse(u16, &'static str, &'static str),
        /// The server's answer, with the operation's `status` set to `RUNNING`.
        Running,
    }

    /// The first call whose method is `method` and whose path ends with `suffix` is answered
    /// otherwise, once.
    pub struct Fault {
        method: &'static str,
        suffix: &'static str,
        answer: Answer,
    }

    impl Fault {
        /// Refuses the call with GCP's error document.
        pub fn refuse(
            method: &'static str,
            suffix: &'static str,
            status: u16,
            reason: &'static str,
            message: &'static str,
        ) -> Self {
            Fault {
                method,
                suffix,
                answer: Answer::Refuse(status, reason, message),
            }
        }

        /// Passes the call on and answers its operation as still running.
        pub fn running(method: &'static str, suffix: &'static str) -> Self {
            Fault {
                method,
                suffix,
                answer: Answer::Running,
            }
        }
    }

    type Shared = Arc<Mutex<(Vec<Fault>, Vec<String>)>>;

    /// A running front.
    pub struct Front {
        /// Its base URL.
        pub url: String,
        shared: Shared,
    }

    impl Front {
        /// Starts a front before the server at `upstream` (`http://127.0.0.1:PORT`).
        pub fn start(upstream: &str, faults: Vec<Fault>) -> Front {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("address"));
            let upstream = upstream.trim_start_matches("http://").to_string();
            let shared: Shared = Arc::new(Mutex::new((faults, Vec::new())));
            let s = shared.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming().flatten() {
                    let (s, upstream) = (s.clone(), upstream.clone());
                    std::thread::spawn(move || serve(conn, &upstream, &s));
                }
            });
            Front { url, shared }
        }

        /// The calls seen, as `METHOD /path` (without the query).
        pub fn seen(&self) -> Vec<String> {
            self.shared.lock().expect("lock").1.clone()
        }

        /// Faults not used yet.
        pub fn faults_left(&self) -> usize {
            self.shared.lock().expect("lock").0.len()
        }
    }

    /// Reads one HTTP/1.1 message (head and `content-length` body) from `c`.
    fn read_message(c: &mut TcpStream) -> Option<(String, Vec<u8>)> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = c.read(&mut chunk).ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let length = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = buf[head_end..].to_vec();
        while body.len() < length {
            let n = c.read(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        Some((head, body))
    }

    fn respond(c: &mut TcpStream, status: u16, body: &[u8]) {
        let head = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = c.write_all(head.as_bytes());
        let _ = c.write_all(body);
    }

    fn serve(mut c: TcpStream, upstream: &str, shared: &Shared) {
        let Some((head, body)) = read_message(&mut c) else {
            return;
        };
        let mut words = head.split_whitespace();
        let method = words.next().unwrap_or_default().to_string();
        let target = words.next().unwrap_or_default().to_string();
        let path = target.split('?').next().unwrap_or_default().to_string();
        let fault = {
            let mut s = shared.lock().expect("lock");
            s.1.push(format!("{method} {path}"));
            let at =
                s.0.iter()
                    .position(|f| f.method == method && path.ends_with(f.suffix));
            at.map(|i| s.0.remove(i))
        };
        if let Some(Fault {
            answer: Answer::Refuse(status, reason, message),
            ..
        }) = fault
        {
            let doc = json!({"error": {"code": status, "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}]}});
            respond(&mut c, status, doc.to_string().as_bytes());
            return;
        }
        // Pass it on, one request per connection.
        let Ok(mut up) = TcpStream::connect(upstream) else {
            return;
        };
        let mut out = String::new();
        for line in head.trim_end().lines() {
            if !line.to_ascii_lowercase().starts_with("connection:") {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        out.push_str("connection: close\r\n\r\n");
        if up.write_all(out.as_bytes()).is_err() || up.write_all(&body).is_err() {
            return;
        }
        let Some((reply_head, reply)) = read_message(&mut up) else {
            return;
        };
        let status: u16 = reply_head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(502);
        let reply = match fault {
            Some(_) => {
                let mut op: Value = serde_json::from_slice(&reply).expect("an operation");
                op["status"] = json!("RUNNING");
                op.as_object_mut().map(|o| o.remove("endTime"));
                op.to_string().into_bytes()
            }
            None => reply,
        };
        respond(&mut c, status, &reply);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_network_again_completes_it_and_fails_on_nothing_done_before() {
    // An apply stopped after the network and its first subnetwork; a step tried again after a
    // lost answer. Either way the same CreateNetwork finishes the job.
    let url = server().await;
    make_network(&url, "lake", false).await;
    change(
        &url,
        Method::POST,
        "projects/lake-prod/regions/us-central1/subnetworks",
        json!({"name": "lake-0", "network": LAKE, "ipCidrRange": "10.10.0.0/16"}),
    )
    .await;
    let desired = topology(&pair());
    let mut d = drivers(&url, &desired);
    let step = vpcpeer_controller::Step {
        action: Action::CreateNetwork {
            network: "lake".into(),
            cloud: Cloud::Gcp,
            cidrs: vec![
                "10.10.0.0/16".parse().unwrap(),
                "10.11.0.0/16".parse().unwrap(),
            ],
        },
        reason: Reason::Missing,
    };
    for _ in 0..2 {
        d.execute(&desired, &step).await.expect("create");
    }
    let observed = d.observe(&desired).await.expect("observe");
    let lake = &observed.networks["lake"];
    assert_eq!(lake.id, LAKE);
    assert_eq!(
        lake.cidrs,
        vec![
            "10.10.0.0/16".parse().unwrap(),
            "10.11.0.0/16".parse().unwrap()
        ]
    );
    let (status, s) = subnetwork(&url, "us-central1", "lake-1").await;
    assert_eq!((status, &s["ipCidrRange"]), (200, &json!("10.11.0.0/16")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rule_is_written_without_sources() {
    // The network given by id has no subnetwork yet: a rule admitting "its ranges" would have
    // no sources, which GCP reads as 0.0.0.0/0. The driver refuses it.
    let url = server().await;
    make_network(&url, "empty", false).await;
    let desired = with_head(
        "  empty: { account: lake, id: empty }
  train: { account: train, region: europe-west1, cidrs: [10.20.0.0/16] }
links:
  - between: [empty, train]
    open: [{ protocol: tcp, ports: 443 }]
",
    );
    let r = refused(&mut drivers(&url, &desired), &desired).await;
    assert_eq!(
        r.error.call, "firewalls.insert train/demo--empty-train-b",
        "{}",
        r.text
    );
    assert_eq!(r.error.code, "noSourceRanges", "{}", r.text);
    assert!(firewall_names(&url, "train-prod").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_and_rules_changed_out_of_band_are_set_back() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;
    // Someone stops lake importing custom routes and opens train's rule to the world on port 22.
    change(
        &url,
        Method::PATCH,
        &format!("{LAKE}/updatePeering"),
        json!({"networkPeering": {"name": "demo--lake-train", "importCustomRoutes": false}}),
    )
    .await;
    change(
        &url,
        Method::PATCH,
        "projects/train-prod/global/firewalls/demo--lake-train-b",
        json!({"sourceRanges": ["0.0.0.0/0"], "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]}),
    )
    .await;

    let (_, p) = planned(&mut d, &desired).await;
    let steps: Vec<(&Action, &Reason)> = p.steps.iter().map(|s| (&s.action, &s.reason)).collect();
    assert!(
        matches!(
            steps[..],
            [
                (
                    Action::GcpUpdatePeering { network: n1, custom_routes: true, .. },
                    Reason::OptionsDiffer
                ),
                (
                    Action::GcpUpdateFirewall(rule),
                    Reason::RuleDiffers
                ),
            ] if n1 == "lake" && rule.network == "train"
        ),
        "{steps:?}"
    );
    let repaired = up(&mut d, &desired).await.expect("repair");
    assert_eq!(repaired.steps, 2, "{repaired:?}");
    let (_, net) = get(&url, LAKE).await;
    assert_eq!(net["peerings"][0]["importCustomRoutes"], true, "{net}");
    let (_, b) = rule(&url, "train-prod", "demo--lake-train-b").await;
    assert_eq!(b["sourceRanges"], json!(["10.10.0.0/16", "10.11.0.0/16"]));
    assert!(!b["allowed"].to_string().contains("\"22\""), "{b}");
}

/// A server that checks GCP bearer tokens: `lake-token` grants lake-prod, `train-token`
/// train-prod.
async fn server_with_tokens() -> String {
    use vpcpeer_server::auth::{Auth, Credentials};
    let credentials = Credentials::from_json(
        r#"{"gcp": [{"token": "lake-token", "projects": ["lake-prod"]},
                    {"token": "train-token", "projects": ["train-prod"]}]}"#,
    )
    .expect("credentials");
    let auth = Auth::new(Some(credentials), None, || {
        vpcpeer_model::Timestamp(1_760_000_000_000)
    });
    server_with_auth(auth).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_project_is_called_with_its_own_token() {
    let url = server_with_tokens().await;
    let desired = topology(&pair());
    let with_tokens = |lake: &'static str, train: &'static str| {
        token_drivers(&url, &desired, move |account| {
            (if account == "lake" { lake } else { train }).to_string()
        })
    };
    // Train's calls with lake's token: GCP refuses them, in its words.
    let mut d = with_tokens("lake-token", "lake-token");
    let err = up(&mut d, &desired).await.expect_err("refused");
    let text = err.to_string();
    let vpcpeer_controller::apply::ApplyError::Observe(error) = err else {
        panic!("not an observe error: {text}");
    };
    assert_eq!(error.call, "networks.get train", "{text}");
    assert_eq!(
        (error.status, error.code.as_str()),
        (Some(403), "forbidden"),
        "{text}"
    );
    assert!(text.contains("compute.networks.get"), "{text}");

    let mut d = with_tokens("lake-token", "train-token");
    let done = up(&mut d, &desired).await.expect("up");
    assert_eq!((done.steps, done.rounds), (6, 2), "{done:?}");
    let gone = down(&mut d, &desired).await.expect("down");
    assert_eq!(gone.steps, 6, "{gone:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_dropped_from_the_file_is_deleted_with_its_halves_and_rules() {
    let desired = topology(&pair());
    let (url, mut d, _) = applied(&desired).await;

    let smaller = lake_only(&pair());
    let (observed, steps) = dropping_train(&mut d, &smaller, |action| match action {
        Action::GcpRemovePeering { network, name } => format!("unpeer {network} {name}"),
        Action::GcpDeleteFirewall { network, name } => format!("unrule {network} {name}"),
        Action::DeleteNetwork { network, id, .. } => format!("delete {network} {id}"),
        other => format!("{other:?}"),
    })
    .await;
    assert_eq!(observed.orphans["train"].id, TRAIN);
    assert_eq!(
        steps,
        [
            format!("delete train {TRAIN}"),
            "unpeer lake demo--lake-train".to_string(),
            "unpeer train demo--lake-train".to_string(),
            "unrule lake demo--lake-train-a".to_string(),
            "unrule train demo--lake-train-b".to_string(),
        ]
    );

    let done = up(&mut d, &smaller).await.expect("up without train");
    assert_eq!(done.steps, 5, "{done:?}");
    let (status, v) = get(&url, TRAIN).await;
    assert_eq!(status, 404, "the dropped network is deleted: {v}");
    let (_, list) = get(&url, "projects/train-prod/regions/europe-west1/subnetworks").await;
    assert!(list.get("items").is_none(), "with its subnetworks: {list}");
    assert!(peerings(&url, LAKE).await.is_empty());
    assert!(firewall_names(&url, "lake-prod").await.is_empty());
    assert!(firewall_names(&url, "train-prod").await.is_empty());
    let again = up(&mut d, &smaller).await.expect("up again");
    assert_eq!((again.steps, again.rounds), (0, 1), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn networks_given_by_id_are_never_orphans() {
    let url = server().await;
    // The user's network, unmarked, given by id, then dropped from the file: it stays.
    make_shared(&url, None).await;
    let train = "  train: { account: train, region: europe-west1, cidrs: [10.20.0.0/16] }\n";
    let with_shared = with_head(&format!(
        "  shared: {{ account: lake, id: {SHARED} }}
{train}links:
  - between: [shared, train]
"
    ));
    let mut d = drivers(&url, &with_shared);
    up(&mut d, &with_shared).await.expect("up");
    let train_only = with_head(train);
    let observed = d.observe(&train_only).await.expect("observe");
    assert!(observed.orphans.is_empty(), "{:?}", observed.orphans);
    up(&mut d, &train_only).await.expect("up without shared");
    let (status, net) = get(&url, SHARED).await;
    assert_eq!(status, 200, "the network given by id stays: {net}");
    let (status, _) = subnetwork(&url, "us-east1", "shared-east").await;
    assert_eq!(status, 200);
    assert!(peerings(&url, TRAIN).await.is_empty());

    // A network the topology made, now given by id under another name: named by the file, so
    // not an orphan, though it carries the topology's mark.
    let (url, mut d, _) = applied(&topology(&pair())).await;
    let adopted = with_head(&format!("  kept: {{ account: lake, id: {LAKE} }}\n{train}"));
    let observed = d.observe(&adopted).await.expect("observe");
    assert!(observed.orphans.is_empty(), "{:?}", observed.orphans);
    let done = up(&mut d, &adopted).await.expect("up");
    // Its half and rule go with the link, and so do train's.
    assert_eq!(done.steps, 4, "{done:?}");
    assert_kept_unpeered(&url, LAKE).await;
    assert_eq!(up(&mut d, &adopted).await.expect("again").steps, 0);
}
