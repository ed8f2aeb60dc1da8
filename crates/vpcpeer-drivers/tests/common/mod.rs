//! What the drivers' tests share: a vpcpeer server of their own on 127.0.0.1 (a port the system
//! picks), which the drivers reach only over HTTP like any client; drivers for a topology whose
//! every account is on it; the applies, plans and refusals the tests check; the admin calls
//! (faults, the emulator's clock), raw cloud calls and Google's client, set up once.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::Method;
use serde_json::{json, Value};
use vpcpeer_api::FaultsAnswer;
use vpcpeer_controller::apply::{apply, destroy, ApplyError, Clouds, Outcome, Policy};
use vpcpeer_controller::desired::Account;
use vpcpeer_controller::gateway::GatewaySecret;
use vpcpeer_controller::health::{assess, HaState, Health};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{plan, validate, Action, Cloud, Desired, Observed, Plan, Reason, Step};
use vpcpeer_drivers::{Access, DriverError, Drivers, Http};
use vpcpeer_model::Timestamp;
use vpcpeer_server::auth::Auth;
use vpcpeer_server::{AppState, ServeOptions};
use vpcpeer_service::Emulator;

/// The emulator's clock at start, in seconds.
pub const START: u64 = 1_760_000_000;

/// The emulator every test server runs: reproducible, its clock at [`START`].
fn emulator() -> Emulator {
    Emulator::reproducible(Timestamp(1_760_000_000_000), 7).expect("emulator")
}

/// Serves `state` on 127.0.0.1 and returns its base URL. It stops with the test's runtime.
async fn serve(state: std::sync::Arc<AppState>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(vpcpeer_server::serve(
        listener,
        None,
        state,
        ServeOptions::default(),
    ));
    format!("http://{addr}")
}

/// Starts a server on 127.0.0.1 and returns its base URL. It stops with the test's runtime.
pub async fn server() -> String {
    serve(AppState::new(emulator(), 1)).await
}

/// Starts a server that checks callers with `auth`; its base URL.
pub async fn server_with_auth(auth: Auth) -> String {
    serve(AppState::with_auth(emulator(), 1, auth)).await
}

/// The head of a topology `t` of two AWS accounts, `one` (111111111111) and `two`
/// (222222222222), up to its networks.
pub const AWS_ACCOUNTS: &str = "
name: t
accounts:
  one: { cloud: aws, account_id: '111111111111' }
  two: { cloud: aws, account_id: '222222222222' }
networks:
";

/// Reads and validates a topology file's text.
pub fn topology(text: &str) -> Desired {
    let file = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    validate(&file).unwrap_or_else(|e| panic!("{e}"))
}

/// Reads and validates a topology file's text, with the gateway secret of 32 bytes `byte`.
pub fn with_secret(text: &str, byte: u8) -> Desired {
    let mut d = topology(text);
    d.gateway_secret = Some(GatewaySecret::from_bytes([byte; 32]));
    d
}

/// Drivers reaching every account of `desired` as `access` says (given each account's name and
/// declaration), at the clock `now`, polling every 5 ms.
pub fn drivers_with(
    desired: &Desired,
    now: impl Fn() -> SystemTime + Send + Sync + 'static,
    access: impl Fn(&str, &Account) -> Access,
) -> Drivers {
    let access: BTreeMap<String, Access> = desired
        .accounts
        .iter()
        .map(|(name, a)| (name.clone(), access(name, a)))
        .collect();
    Drivers::new(access, Box::new(now)).with_poll(Duration::from_millis(5))
}

/// Drivers reaching every account of `desired` on the server at `url` (AWS: the account id as
/// the access key id, which the server reads as the account).
pub fn drivers(url: &str, desired: &Desired) -> Drivers {
    drivers_with(desired, SystemTime::now, |_, a| Access {
        endpoint: url.to_string(),
        aws_keys: (a.cloud == Cloud::Aws).then(|| (a.id.clone(), "secret".to_string())),
        token: None,
    })
}

/// Drivers reaching every account of `desired` at `endpoint` with a bearer token, as
/// `token` names it for each account.
pub fn token_drivers(endpoint: &str, desired: &Desired, token: impl Fn(&str) -> String) -> Drivers {
    drivers_with(desired, SystemTime::now, |name, _| Access {
        endpoint: endpoint.to_string(),
        aws_keys: None,
        token: Some(token(name)),
    })
}

/// A server of its own and drivers for `desired` on it.
pub async fn launch(desired: &Desired) -> (String, Drivers) {
    let url = server().await;
    let d = drivers(&url, desired);
    (url, d)
}

/// A server of its own and drivers for `desired` on it, after a first apply (which must succeed).
pub async fn applied(desired: &Desired) -> (String, Drivers, Outcome) {
    let (url, mut d) = launch(desired).await;
    let out = up(&mut d, desired).await.expect("apply");
    (url, d, out)
}

/// A server of its own and drivers for `desired` (with gateways) on it, after a first apply
/// that converged in two rounds (one of steps, one whose plan is empty); what they then observe.
pub async fn converged(desired: &Desired) -> (String, Drivers, Observed) {
    let (url, mut d, out) = applied(desired).await;
    assert_eq!(out.rounds, 2, "{out:?}");
    let seen = d.observe(desired).await.expect("observe");
    (url, d, seen)
}

/// The gateway VM `vm` observed running, forwarding, with its address attached and a
/// configuration digest.
pub fn assert_running(seen: &Observed, vm: &str) {
    let i = seen.gateways[vm].instance.as_ref().expect("its instance");
    assert!(
        i.running && i.forwarding && i.address_attached,
        "{vm}: {i:?}"
    );
    assert_eq!(i.digest.len(), 64, "{vm}: {i:?}");
}

/// Short waits, so retries do not slow the tests down.
pub fn policy() -> Policy {
    Policy {
        first_wait: Duration::from_millis(5),
        ..Policy::default()
    }
}

/// Applies `desired` through `d`, printing each step.
pub async fn up(d: &mut Drivers, desired: &Desired) -> Result<Outcome, ApplyError<DriverError>> {
    apply(d, desired, &policy(), &mut |e| eprintln!("{e:?}")).await
}

/// Destroys `desired` through `d`.
pub async fn down(d: &mut Drivers, desired: &Desired) -> Result<Outcome, ApplyError<DriverError>> {
    destroy(d, desired, &policy(), &mut |e| eprintln!("{e:?}")).await
}

/// An apply that stopped at a step the cloud refused.
pub struct Refused {
    pub step: Box<Step>,
    pub error: DriverError,
    pub attempts: u32,
    /// The whole error, as the user reads it.
    pub text: String,
}

/// Applies `desired` through `d`, which must stop at a refused step.
pub async fn refused(d: &mut Drivers, desired: &Desired) -> Refused {
    let err = up(d, desired).await.expect_err("refused");
    let text = err.to_string();
    let ApplyError::Step {
        step,
        error,
        attempts,
    } = err
    else {
        panic!("not a step error: {text}");
    };
    Refused {
        step,
        error,
        attempts,
        text,
    }
}

/// What `d` observes, and the plan for `desired` on it, which must have no conflicts.
pub async fn planned(d: &mut Drivers, desired: &Desired) -> (Observed, Plan) {
    let observed = d.observe(desired).await.expect("observe");
    let p = plan(&observed, desired);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    (observed, p)
}

/// A pair's topology text (`name` … `networks:` … `links:`) without the network `train` and
/// without its links (both accounts stay in the file).
pub fn lake_only(text: &str) -> Desired {
    let cut = text.find("  train: { account").expect("train's network");
    topology(&format!("{}links: []\n", &text[..cut]))
}

/// For a topology that dropped the network `train` (which the drivers must find the only
/// orphan): what they observe, and the plan's steps, each as `show` writes it, sorted; every one
/// is for a stale piece.
pub async fn dropping_train(
    d: &mut Drivers,
    smaller: &Desired,
    show: impl Fn(&Action) -> String,
) -> (Observed, Vec<String>) {
    let (observed, p) = planned(d, smaller).await;
    assert_eq!(
        observed.orphans.keys().collect::<Vec<_>>(),
        ["train"],
        "{observed:?}"
    );
    assert!(p.steps.iter().all(|s| s.reason == Reason::Stale), "{p:?}");
    let mut steps: Vec<String> = p.steps.iter().map(|s| show(&s.action)).collect();
    steps.sort();
    (observed, steps)
}

/// One call to the server's admin API (`/_vpcpeer/…`); it must answer 200. Its body.
async fn admin(url: &str, method: Method, path: &str, body: Option<Value>) -> Vec<u8> {
    let headers = match body {
        Some(_) => vec![("content-type", "application/json".to_string())],
        None => Vec::new(),
    };
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let answer = Http::new()
        .send(
            Cloud::Aws,
            "admin",
            method,
            &format!("{url}/_vpcpeer/{path}"),
            &headers,
            bytes,
        )
        .await
        .expect("answer");
    let text = String::from_utf8_lossy(&answer.body);
    assert_eq!(answer.status, 200, "{path}: {text}");
    answer.body.to_vec()
}

/// Arms `count` faults of kind `fault` of `action` on `face`; the faults then armed.
pub async fn arm_fault(
    url: &str,
    face: &str,
    action: &str,
    count: u32,
    fault: &str,
) -> FaultsAnswer {
    let body = json!({"face": face, "action": action, "count": count, "fault": fault});
    let answer = admin(url, Method::POST, "faults", Some(body)).await;
    serde_json::from_slice(&answer).expect("the faults answer")
}

/// The faults still armed.
pub async fn armed(url: &str) -> FaultsAnswer {
    let answer = admin(url, Method::GET, "faults", None).await;
    serde_json::from_slice(&answer).expect("the faults answer")
}

/// Moves the emulator's clock through its admin API.
pub async fn advance(url: &str, secs: u64) {
    admin(
        url,
        Method::POST,
        "clock",
        Some(json!({ "advance_seconds": secs })),
    )
    .await;
}

/// One raw EC2 call as `account` in `region` (the server reads them from the credential
/// scope): the status and the text of the answer.
pub async fn ec2(url: &str, account: &str, region: &str, body: &str) -> (u16, String) {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential={account}/20260101/{region}/ec2/aws4_request, \
         SignedHeaders=host, Signature=x"
    );
    let answer = Http::new()
        .send(
            Cloud::Aws,
            "test",
            Method::POST,
            url,
            &[
                ("authorization", auth),
                ("content-type", "application/x-www-form-urlencoded".into()),
            ],
            format!("Version=2016-11-15&{body}").into_bytes(),
        )
        .await
        .expect("answer");
    let text = String::from_utf8(answer.body.to_vec()).expect("UTF-8");
    (answer.status, text)
}

/// One raw JSON call of the test's own to `target` (a body goes as `application/json`): the
/// status and the JSON answer (`null` when there is none).
pub async fn json_call(
    cloud: Cloud,
    method: Method,
    target: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let headers = match body {
        Some(_) => vec![("content-type", "application/json".to_string())],
        None => Vec::new(),
    };
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let answer = Http::new()
        .send(cloud, "test", method, target, &headers, bytes)
        .await
        .expect("an answer");
    let v = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    (answer.status, v)
}

/// The clouds' clock as `d` last read it, in seconds.
pub fn cloud_secs(d: &Drivers) -> u64 {
    d.cloud_now()
        .expect("a Date header")
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// The instance id the drivers read for the gateway VM `vm`.
pub async fn instance(d: &mut Drivers, desired: &Desired, vm: &str) -> String {
    let seen = d.observe(desired).await.expect("observe");
    seen.gateways[vm]
        .instance
        .as_ref()
        .expect("an instance")
        .id
        .clone()
}

/// One pass of `vpcpeer controller reconcile --once`: observe, assess at the clouds' time,
/// apply the chosen routes; `state` becomes the pass's.
pub async fn reconcile(d: &mut Drivers, desired: &Desired, state: &mut HaState) -> Health {
    let observed = d.observe(desired).await.expect("observe");
    let h = assess(desired, &observed, state, cloud_secs(d));
    apply(d, &h.desired, &policy(), &mut |e| eprintln!("{e:?}"))
        .await
        .expect("apply");
    *state = h.state.clone();
    h
}

/// A client of Google's Compute Engine SDK of type `$t` on the server at `$url`: anonymous, no
/// retries, its operations polled every 5 ms.
#[macro_export]
macro_rules! gcp_client {
    ($t:ty, $url:expr) => {{
        let _ = rustls::crypto::ring::default_provider().install_default();
        let poll = google_cloud_gax::exponential_backoff::ExponentialBackoffBuilder::new()
            .with_initial_delay(std::time::Duration::from_millis(5))
            .with_maximum_delay(std::time::Duration::from_millis(5))
            .with_scaling(1.0)
            .build()
            .expect("a fixed period");
        <$t>::builder()
            .with_endpoint($url)
            .with_credentials(google_cloud_auth::credentials::anonymous::Builder::new().build())
            .with_retry_policy(google_cloud_gax::retry_policy::NeverRetry)
            .with_polling_backoff_policy(poll)
            .build()
            .await
            .expect("a client")
    }};
}

/// A network `network` of `project` in custom mode, with a subnetwork `subnet` of `cidr` in
/// us-central1, made through Google's client.
pub async fn sdk_network(url: &str, project: &str, network: &str, subnet: &str, cidr: &str) {
    use google_cloud_compute_v1::client::{Networks, Subnetworks};
    use google_cloud_compute_v1::model::{Network, Subnetwork};
    use google_cloud_lro::Poller;
    let networks = gcp_client!(Networks, url);
    networks
        .insert()
        .set_project(project)
        .set_body(
            Network::new()
                .set_name(network)
                .set_auto_create_subnetworks(false),
        )
        .poller()
        .until_done()
        .await
        .expect("network");
    let subnetworks = gcp_client!(Subnetworks, url);
    subnetworks
        .insert()
        .set_project(project)
        .set_region("us-central1")
        .set_body(
            Subnetwork::new()
                .set_name(subnet)
                .set_network(format!("global/networks/{network}"))
                .set_ip_cidr_range(cidr),
        )
        .poller()
        .until_done()
        .await
        .expect("subnetwork");
}
