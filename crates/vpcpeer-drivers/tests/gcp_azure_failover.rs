//! HA failover against a vpcpeer server on GCP and Azure, as `vpcpeer controller reconcile
//! --once` runs it (observe, `health::assess` at the clouds' time, apply the chosen routes), in
//! the manner of `aws_failover.rs`:
//! - a GCP↔Azure encrypted link, HA on both sides: the GCP primary is stopped with Compute's
//!   `instances.stop`; its stop time is the instance's `lastStopTimestamp`, and the clouds' time
//!   is the `Date` of the clouds' answers;
//! - an Azure↔Azure link (two subscriptions): the primary is deallocated with ARM's
//!   `deallocate`; its stop time is the `time` of its instance view's provisioning state, the
//!   clouds' time the ARM answers' `Date`.
//!
//! In both, the emulator's clock moves past the detection time through its admin API, and one
//! pass puts every route on the backups. A GCP-only topology reads the clouds' clock too: the
//! GCP face's answers carry the emulator's `Date`, which the drivers read off one plain `GET`
//! beside the SDK's calls.

mod common;

use common::{
    advance, applied, cloud_secs, drivers, instance, reconcile, server, with_secret, START,
};
use hyper::Method;
use vpcpeer_controller::apply::Clouds;
use vpcpeer_controller::health::{EventKind, HaState, Pair, Status};
use vpcpeer_controller::{plan, Cloud, Desired, Observed};
use vpcpeer_drivers::{Drivers, Http};

const SUB_A: &str = "00000000-0000-0000-0000-00000000000a";
const SUB_B: &str = "00000000-0000-0000-0000-00000000000b";

/// lake (GCP) ↔ hq (Azure), a backup on each side.
fn gcp_azure() -> Desired {
    with_secret(
        &format!(
            "
name: t
accounts:
  lakes: {{ cloud: gcp, project: lakes-prod }}
  corp: {{ cloud: azure, subscription: {SUB_A}, resource_group: net }}
networks:
  lake: {{ account: lakes, region: us-central1, cidrs: [10.30.0.0/16] }}
  hq: {{ account: corp, region: westeurope, cidrs: [10.50.0.0/16] }}
gateways:
  lake-gw:
    network: lake
    subnet: 10.30.0.0/16
    ha: {{ subnet: 10.30.0.0/16, zone: us-central1-b }}
  hq-gw:
    network: hq
    subnet: 10.50.255.0/28
    ha: {{ subnet: 10.50.254.0/28 }}
links:
  - {{ between: [lake, hq], type: encrypted }}
detection_time: 60
"
        ),
        7,
    )
}

/// hq (Azure, one subscription) ↔ branch (Azure, another), a backup on each side.
fn azure_pair() -> Desired {
    with_secret(
        &format!(
            "
name: t
accounts:
  corp: {{ cloud: azure, subscription: {SUB_A}, resource_group: net }}
  shops: {{ cloud: azure, subscription: {SUB_B}, resource_group: shops }}
networks:
  hq: {{ account: corp, region: westeurope, cidrs: [10.50.0.0/16] }}
  branch: {{ account: shops, region: eastus, cidrs: [10.60.0.0/16] }}
gateways:
  hq-gw:
    network: hq
    subnet: 10.50.255.0/28
    ha: {{ subnet: 10.50.254.0/28 }}
  branch-gw:
    network: branch
    subnet: 10.60.255.0/28
    ha: {{ subnet: 10.60.254.0/28 }}
links:
  - {{ between: [hq, branch], type: encrypted }}
detection_time: 60
"
        ),
        7,
    )
}

/// One raw call of the test's own (no credentials: the server takes none by default); the
/// answer's status must be below 300.
async fn call(cloud: Cloud, method: Method, url: &str) -> vpcpeer_drivers::http::Answer {
    let a = Http::new()
        .send(cloud, "test", method, url, &[], Vec::new())
        .await
        .expect("answer");
    assert!(
        a.status < 300,
        "{url}: {} {}",
        a.status,
        String::from_utf8_lossy(&a.body)
    );
    a
}

/// The gateway VM each side's routes to the other side lead to (one per side, none a
/// blackhole).
fn routed(seen: &Observed, sides: [(&str, &str); 2]) -> [String; 2] {
    sides.map(|(side, peer)| {
        let peer: ipnet::Ipv4Net = peer.parse().unwrap();
        let mut vms: Vec<String> = Vec::new();
        for r in seen.gateway_tables[side].iter().flat_map(|t| &t.routes) {
            if r.destination != peer {
                continue;
            }
            assert!(!r.blackhole, "{side}: {r:?}");
            vms.push(r.gateway.clone().expect("a route to a gateway"));
        }
        vms.dedup();
        assert_eq!(vms.len(), 1, "{side}: one gateway in every table: {vms:?}");
        vms.remove(0)
    })
}

/// Stopped `at` seconds after [`START`] (the cloud's stop time), the primary is down within
/// the detection time and the routes stay; 61 s after the stop one pass moves them all to the
/// backups.
async fn fails_over(
    url: &str,
    dr: &mut Drivers,
    d: &Desired,
    stopped: &str,
    at: u64,
    sides: [(&str, &str); 2],
) {
    let mut state = HaState::default();
    let seen = dr.observe(d).await.unwrap();
    assert_eq!(seen.gateway_stopped_at.get(stopped), Some(&(START + at)));
    advance(url, 30).await;
    let h = reconcile(dr, d, &mut state).await;
    assert_eq!(h.links[0].status, Status::Down);
    assert_eq!(h.links[0].active, Pair::Primary);
    assert_eq!(h.events[0].kind, EventKind::Down);
    assert!(plan(&dr.observe(d).await.unwrap(), &h.desired).is_empty());

    advance(url, 31).await;
    let h = reconcile(dr, d, &mut state).await;
    assert_eq!(h.links[0].active, Pair::Backup, "{:?}", h.links);
    assert_eq!(h.links[0].status, Status::Up);
    let kinds: Vec<EventKind> = h.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Failover, EventKind::Up]);
    assert_eq!(h.events[0].time, START + at + 61);
    let want =
        format!("primary tunnel down for 61 s (detection time 60 s): {stopped} is not running");
    assert!(
        h.events[0].reason.starts_with(&want),
        "{}",
        h.events[0].reason
    );
    let backups = routed(&dr.observe(d).await.unwrap(), sides);
    assert_eq!(
        backups,
        sides.map(|(side, _)| format!("{side}-gw-hagw")),
        "every route on the backups"
    );
}

/// `d` applied: the clouds' time is the emulator's, from the answers' `Date` header, and each
/// side routes to its primary; 10 s on, the primary `stopped` is stopped through its cloud's API
/// (`stop` gives that call's cloud and URL from the server's URL and the instance id), and then
/// [`fails_over`].
async fn a_stopped_primary_fails_over(
    d: Desired,
    sides: [(&str, &str); 2],
    stopped: &str,
    stop: impl Fn(&str, &str) -> (Cloud, String),
) {
    let (url, mut dr, _) = applied(&d).await;
    assert_eq!(cloud_secs(&dr), START);
    let mut state = HaState::default();
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].status, Status::Up, "{:?}", h.links);
    assert_eq!(
        routed(&dr.observe(&d).await.unwrap(), sides),
        sides.map(|(side, _)| format!("{side}-gw"))
    );

    advance(&url, 10).await;
    let id = instance(&mut dr, &d, stopped).await;
    let (cloud, target) = stop(&url, &id);
    call(cloud, Method::POST, &target).await;
    fails_over(&url, &mut dr, &d, stopped, 10, sides).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gcp_primary_stopped_through_compute_fails_over_once_the_clock_passes() {
    let sides = [("lake", "10.50.0.0/16"), ("hq", "10.30.0.0/16")];
    a_stopped_primary_fails_over(gcp_azure(), sides, "lake-gw", |url, id| {
        (Cloud::Gcp, format!("{url}/compute/v1/{id}/stop"))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_azure_primary_deallocated_through_arm_fails_over_once_the_clock_passes() {
    let sides = [("hq", "10.60.0.0/16"), ("branch", "10.50.0.0/16")];
    a_stopped_primary_fails_over(azure_pair(), sides, "branch-gw", |url, id| {
        let deallocate = format!("{url}{id}/deallocate?api-version=2024-07-01");
        (Cloud::Azure, deallocate)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gcp_only_topology_reads_the_clouds_clock_off_computes_date() {
    let url = server().await;
    advance(&url, 61).await;
    let a = call(
        Cloud::Gcp,
        Method::GET,
        &format!("{url}/compute/v1/projects/lakes-prod/global/networks"),
    )
    .await;
    // START + 61 s: Thu, 09 Oct 2025 08:54:21 GMT.
    assert_eq!(
        a.headers.get("date").and_then(|v| v.to_str().ok()),
        Some("Thu, 09 Oct 2025 08:54:21 GMT")
    );
    let d = with_secret(
        "
name: t
accounts:
  lakes: { cloud: gcp, project: lakes-prod }
networks:
  lake: { account: lakes, region: us-central1, cidrs: [10.30.0.0/16] }
",
        7,
    );
    let mut dr = drivers(&url, &d);
    assert_eq!(dr.cloud_now(), None, "no answer yet");
    dr.observe(&d).await.expect("observe");
    assert_eq!(cloud_secs(&dr), START + 61);
    // The clock moves on: the next observation reads the new time.
    advance(&url, 100).await;
    dr.observe(&d).await.expect("observe");
    assert_eq!(cloud_secs(&dr), START + 161);
}
