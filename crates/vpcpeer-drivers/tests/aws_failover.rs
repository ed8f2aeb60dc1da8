//! HA failover against a vpcpeer server, through EC2 only, as `vpcpeer controller reconcile
//! --once` runs it (observe, `health::assess` at the clouds' time, apply the chosen routes): an
//! AWS↔AWS encrypted link (two accounts, two regions) with an HA backup on each side. The
//! primary is stopped with EC2 `StopInstances`; the emulator's clock moves past the detection
//! time through its admin API; one pass puts every route on the backups, dated by the
//! instance's `StateTransitionReason` and the answers' `Date` header (the emulator's clock,
//! not the test's). With failback the routes return once the primary has run again for the
//! detection time; with both gateways of a side stopped the link is `down`, the routes stay,
//! and the event says why.

mod common;

use common::{
    advance, applied, cloud_secs, ec2, instance, reconcile, with_secret, AWS_ACCOUNTS, START,
};
use vpcpeer_controller::apply::Clouds;
use vpcpeer_controller::health::{EventKind, HaState, Pair, Status};
use vpcpeer_controller::{plan, Desired, Observed};
use vpcpeer_drivers::Drivers;

fn pair(failback: bool) -> Desired {
    with_secret(
        &format!(
            "{AWS_ACCOUNTS}  app: {{ account: one, region: us-east-1, cidrs: [10.1.0.0/16] }}
  db: {{ account: two, region: eu-west-1, cidrs: [10.3.0.0/16] }}
gateways:
  app-gw:
    network: app
    subnet: 10.1.255.0/28
    zone: us-east-1a
    ha: {{ subnet: 10.1.254.0/28, zone: us-east-1b, failback: {failback} }}
  db-gw:
    network: db
    subnet: 10.3.255.0/28
    ha: {{ subnet: 10.3.254.0/28, failback: {failback} }}
links:
  - {{ between: [app, db], type: encrypted }}
detection_time: 60
"
        ),
        5,
    )
}

/// Where each VM is: (account id, region).
fn place(vm: &str) -> (&'static str, &'static str) {
    if vm.starts_with("app") {
        ("111111111111", "us-east-1")
    } else {
        ("222222222222", "eu-west-1")
    }
}

/// Stops or starts (`action`: `StopInstances`, `StartInstances`) the VM `vm` through EC2.
async fn instances(url: &str, dr: &mut Drivers, d: &Desired, vm: &str, action: &str) {
    let id = instance(dr, d, vm).await;
    let (account, region) = place(vm);
    let body = format!("Action={action}&InstanceId.1={id}");
    let (status, text) = ec2(url, account, region, &body).await;
    assert_eq!(status, 200, "{text}");
}

async fn stop(url: &str, dr: &mut Drivers, d: &Desired, vm: &str) {
    instances(url, dr, d, vm, "StopInstances").await;
}

async fn start(url: &str, dr: &mut Drivers, d: &Desired, vm: &str) {
    instances(url, dr, d, vm, "StartInstances").await;
}

/// The gateway VM each side's routes to the peer lead to, and that the instance they target is
/// that VM's.
fn routed(seen: &Observed) -> [String; 2] {
    ["app", "db"].map(|side| {
        let tables = &seen.gateway_tables[side];
        let mut vms: Vec<String> = Vec::new();
        let peer: ipnet::Ipv4Net = if side == "app" {
            "10.3.0.0/16"
        } else {
            "10.1.0.0/16"
        }
        .parse()
        .unwrap();
        for r in tables.iter().flat_map(|t| &t.routes) {
            if r.destination != peer {
                continue;
            }
            let vm = r.gateway.clone().expect("a route to a gateway");
            let id = &seen.gateways[&vm].instance.as_ref().expect("instance").id;
            assert_eq!(&r.target, id, "{side}: {r:?}");
            vms.push(vm);
        }
        vms.dedup();
        assert_eq!(vms.len(), 1, "{side}: one gateway in every table: {vms:?}");
        vms.remove(0)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_primary_fails_over_in_one_pass_once_the_clock_passes_the_detection_time() {
    let d = pair(false);
    let (url, mut dr, _) = applied(&d).await;
    let mut state = HaState::default();
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].status, Status::Up, "{:?}", h.links);
    assert!(h.events.is_empty());
    // The clouds' time is the emulator's, from the answers' Date header.
    assert_eq!(cloud_secs(&dr), START);
    assert_eq!(routed(&dr.observe(&d).await.unwrap()), ["app-gw", "db-gw"]);

    stop(&url, &mut dr, &d, "app-gw").await;
    let seen = dr.observe(&d).await.unwrap();
    assert_eq!(seen.gateway_stopped_at.get("app-gw"), Some(&START));
    // Within the detection time: the link is down, the routes stay (and are not churned).
    advance(&url, 30).await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].status, Status::Down);
    assert_eq!(h.links[0].active, Pair::Primary);
    assert_eq!(h.events[0].kind, EventKind::Down);
    assert!(plan(&dr.observe(&d).await.unwrap(), &h.desired).is_empty());

    // Past it: one pass, and every route is on the backups.
    advance(&url, 31).await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].active, Pair::Backup, "{:?}", h.links);
    assert_eq!(h.links[0].status, Status::Up);
    let kinds: Vec<EventKind> = h.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Failover, EventKind::Up]);
    assert_eq!(h.events[0].time, START + 61);
    assert!(
        h.events[0].reason.starts_with(
            "primary tunnel down for 61 s (detection time 60 s): app-gw is not running"
        ),
        "{}",
        h.events[0].reason
    );
    assert_eq!(
        routed(&dr.observe(&d).await.unwrap()),
        ["app-gw-hagw", "db-gw-hagw"]
    );

    // Without failback the routes stay on the backups once the primary runs again.
    start(&url, &mut dr, &d, "app-gw").await;
    advance(&url, 600).await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].active, Pair::Backup);
    assert!(h.links[0].primary.up);
    assert!(h.events.is_empty(), "{:?}", h.events);
    // A lost state changes nothing: the routes say where the link is.
    let mut lost = HaState::default();
    let h = reconcile(&mut dr, &d, &mut lost).await;
    assert_eq!(h.links[0].was, Pair::Backup);
    assert!(h.events.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_failback_the_routes_return_and_both_gateways_down_is_down_with_a_reason() {
    let d = pair(true);
    let (url, mut dr, _) = applied(&d).await;
    let mut state = HaState::default();
    reconcile(&mut dr, &d, &mut state).await;
    stop(&url, &mut dr, &d, "db-gw").await;
    advance(&url, 60).await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].active, Pair::Backup);

    start(&url, &mut dr, &d, "db-gw").await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].active, Pair::Backup, "not yet up for 60 s");
    advance(&url, 60).await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].active, Pair::Primary);
    assert_eq!(h.events[0].kind, EventKind::Failback);
    assert_eq!(routed(&dr.observe(&d).await.unwrap()), ["app-gw", "db-gw"]);

    // Both gateways of one side down: down, the routes stay, the reason names both.
    stop(&url, &mut dr, &d, "app-gw").await;
    stop(&url, &mut dr, &d, "app-gw-hagw").await;
    advance(&url, 120).await;
    let h = reconcile(&mut dr, &d, &mut state).await;
    assert_eq!(h.links[0].status, Status::Down);
    assert_eq!(h.links[0].active, Pair::Primary);
    assert_eq!(h.events.len(), 1, "{:?}", h.events);
    assert_eq!(h.events[0].kind, EventKind::Down);
    assert_eq!(
        h.events[0].reason,
        "primary tunnel: app-gw is not running; backup tunnel: app-gw-hagw is not running"
    );
    assert_eq!(routed(&dr.observe(&d).await.unwrap()), ["app-gw", "db-gw"]);
    assert!(state.events.iter().any(|e| e.kind == EventKind::Failover));
}
