//! HA failover as tables: every transition of `health::decide`, then passes of
//! `health::assess` over an AWS↔AWS encrypted link with HA, the clouds' routes following each
//! pass's choice as an apply would make them: failover after the detection time (dated by the
//! cloud's stop time, or by the first pass that saw the failure), failback on and off, both
//! pairs down, the firewall on the outer path, the state lost, the event log's bound.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use vpcpeer_controller::desired::LinkKind;
use vpcpeer_controller::health::{
    assess, decide, EventKind, HaState, Pair, Status, TunnelHealth, MAX_EVENTS,
};
use vpcpeer_controller::observed::{
    GatewayAddress, GatewayInstance, GatewaySubnet, GatewayTable, GatewayTableRoute,
    ObservedGateway,
};
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{validate, Cloud, Desired, Observed, Problem};

fn t(up: bool, since: u64) -> TunnelHealth {
    TunnelHealth {
        vms: ["x".into(), "y".into()],
        up,
        since,
        reason: None,
    }
}

#[test]
fn every_transition_of_the_state_machine() {
    use Pair::{Backup as B, Primary as P};
    const D: u64 = 60;
    // (row, was, primary (up, since), backup (up, since), failback, now, want)
    type Row = (
        &'static str,
        Pair,
        (bool, u64),
        (bool, u64),
        bool,
        u64,
        Pair,
    );
    let table: &[Row] = &[
        (
            "primaries up: stay",
            P,
            (true, 0),
            (true, 0),
            false,
            1000,
            P,
        ),
        (
            "primary down, not yet for d",
            P,
            (false, 950),
            (true, 0),
            false,
            1009,
            P,
        ),
        (
            "primary down just under d",
            P,
            (false, 941),
            (true, 0),
            false,
            1000,
            P,
        ),
        (
            "primary down exactly d: fail over",
            P,
            (false, 940),
            (true, 0),
            false,
            1000,
            B,
        ),
        (
            "primary down long: fail over",
            P,
            (false, 0),
            (true, 0),
            false,
            1000,
            B,
        ),
        (
            "primary down, backup down: stay",
            P,
            (false, 0),
            (false, 0),
            false,
            1000,
            P,
        ),
        (
            "primary down, backup down, failback on",
            P,
            (false, 0),
            (false, 0),
            true,
            1000,
            P,
        ),
        (
            "on backup, primary down: stay",
            B,
            (false, 0),
            (true, 0),
            true,
            1000,
            B,
        ),
        (
            "on backup, primary back, no failback",
            B,
            (true, 0),
            (true, 0),
            false,
            1000,
            B,
        ),
        (
            "on backup, primary back for d: failback",
            B,
            (true, 940),
            (true, 0),
            true,
            1000,
            P,
        ),
        (
            "on backup, primary back under d",
            B,
            (true, 941),
            (true, 0),
            true,
            1000,
            B,
        ),
        (
            "backup down for d, primary up: return",
            B,
            (true, 0),
            (false, 940),
            false,
            1000,
            P,
        ),
        (
            "backup down under d, primary up",
            B,
            (true, 0),
            (false, 941),
            false,
            1000,
            B,
        ),
        (
            "backup down, primary down: stay",
            B,
            (false, 0),
            (false, 0),
            true,
            1000,
            B,
        ),
        (
            "a clock behind the since-time holds",
            P,
            (false, 2000),
            (true, 0),
            false,
            1000,
            P,
        ),
    ];
    for (row, was, p, b, failback, now, want) in table {
        let got = decide(*was, &t(p.0, p.1), Some(&t(b.0, b.1)), *failback, *now, D);
        assert_eq!(got, *want, "{row}");
    }
    // Without HA there is nowhere to go.
    for p in [t(true, 0), t(false, 0)] {
        assert_eq!(decide(P, &p, None, true, 1000, D), P);
    }
}

fn topology(failback: bool, extra: &str) -> Desired {
    let text = format!(
        "
name: t
accounts:
  prod: {{ cloud: aws, account_id: '111111111111' }}
networks:
  a: {{ account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }}
  b: {{ account: prod, region: us-west-2, cidrs: [10.1.0.0/16] }}
gateways:
  a-gw:
    network: a
    subnet: 10.0.255.0/28
    ha: {{ subnet: 10.0.254.0/28, failback: {failback} }}
  b-gw:
    network: b
    subnet: 10.1.255.0/28
    ha: {{ subnet: 10.1.254.0/28, failback: {failback} }}
links: [{{ between: [a, b], type: encrypted }}]
{extra}"
    );
    validate(&parse(&text).unwrap()).unwrap()
}

const VMS: [(&str, &str, [u8; 4]); 4] = [
    ("a-gw", "a", [54, 0, 0, 1]),
    ("b-gw", "b", [54, 0, 0, 2]),
    ("a-gw-hagw", "a", [54, 0, 0, 3]),
    ("b-gw-hagw", "b", [54, 0, 0, 4]),
];

fn ip(vm: &str) -> Ipv4Addr {
    VMS.iter().find(|v| v.0 == vm).unwrap().2.into()
}

fn peer(vm: &str) -> &'static str {
    match vm {
        "a-gw" => "b-gw",
        "b-gw" => "a-gw",
        "a-gw-hagw" => "b-gw-hagw",
        _ => "a-gw-hagw",
    }
}

/// The clouds: every VM healthy, the routes of each side through `routes` (a's gateway, b's).
fn world(routes: Option<[&str; 2]>) -> Observed {
    let mut o = Observed::default();
    for (vm, network, addr) in VMS {
        o.gateways.insert(
            vm.into(),
            ObservedGateway {
                network: network.into(),
                cloud: Cloud::Aws,
                address: Some(GatewayAddress {
                    id: format!("eipalloc-{vm}"),
                    ip: addr.into(),
                }),
                subnet: Some(GatewaySubnet {
                    id: format!("subnet-{vm}"),
                    cidr: None,
                    public: true,
                    created: true,
                }),
                firewall: Some(vec![ip(peer(vm))]),
                inner: Vec::new(),
                instance: Some(GatewayInstance {
                    id: format!("i-{vm}"),
                    digest: String::new(),
                    running: true,
                    forwarding: true,
                    address_attached: true,
                }),
            },
        );
    }
    if let Some(r) = routes {
        route(&mut o, r);
    }
    o
}

/// The routes an apply leaves: each side's peer block through `to`.
fn route(o: &mut Observed, to: [&str; 2]) {
    for (i, (side, peer_block)) in [("a", "10.1.0.0/16"), ("b", "10.0.0.0/16")]
        .into_iter()
        .enumerate()
    {
        let running = o.gateways[to[i]].instance.as_ref().unwrap().running;
        o.gateway_tables.insert(
            side.into(),
            vec![GatewayTable {
                id: format!("rtb-{side}"),
                routes: vec![GatewayTableRoute {
                    destination: peer_block.parse().unwrap(),
                    gateway: Some(to[i].into()),
                    target: format!("i-{}", to[i]),
                    blackhole: !running,
                }],
            }],
        );
    }
}

fn set(o: &mut Observed, vm: &str, f: impl FnOnce(&mut GatewayInstance)) {
    f(o.gateways.get_mut(vm).unwrap().instance.as_mut().unwrap());
}

fn active(d: &Desired) -> [String; 2] {
    match &d.links[0].kind {
        LinkKind::Encrypted { active } => active.clone(),
        LinkKind::Native => panic!("native"),
    }
}

/// One pass, then the routes follow its choice (as the plan's apply would).
fn pass(o: &mut Observed, state: &mut HaState, now: u64) -> vpcpeer_controller::health::Health {
    pass_with(&topology(false, ""), o, state, now)
}

fn pass_with(
    d: &Desired,
    o: &mut Observed,
    state: &mut HaState,
    now: u64,
) -> vpcpeer_controller::health::Health {
    let h = assess(d, o, state, now);
    let a = active(&h.desired);
    route(o, [&a[0], &a[1]]);
    *state = h.state.clone();
    h
}

const PRIMARIES: [&str; 2] = ["a-gw", "b-gw"];
const BACKUPS: [&str; 2] = ["a-gw-hagw", "b-gw-hagw"];

#[test]
fn healthy_links_stay_on_the_primaries_without_events() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    for now in [1000, 2000, 3000] {
        let h = pass(&mut o, &mut s, now);
        assert_eq!(active(&h.desired), PRIMARIES);
        assert_eq!(h.links[0].status, Status::Up);
        assert!(h.events.is_empty(), "{:?}", h.events);
    }
    // A first pass on new clouds (no routes yet) picks the primaries too.
    let h = assess(&topology(false, ""), &world(None), &HaState::default(), 5);
    assert_eq!(active(&h.desired), PRIMARIES);
}

#[test]
fn a_primary_stopped_past_the_detection_time_by_the_clouds_clock_fails_over_in_one_pass() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    pass(&mut o, &mut s, 1000);
    set(&mut o, "a-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 1010);
    // One pass, 60 s after the stop the cloud reports: the backups.
    let h = pass(&mut o, &mut s, 1070);
    assert_eq!(active(&h.desired), BACKUPS);
    assert_eq!(h.links[0].status, Status::Up);
    assert_eq!(h.links[0].was, Pair::Primary);
    assert_eq!(h.events.len(), 1, "{:?}", h.events);
    let e = &h.events[0];
    assert_eq!(e.kind, EventKind::Failover);
    assert_eq!(
        (e.from.clone(), e.to.clone()),
        (PRIMARIES.map(String::from), BACKUPS.map(String::from))
    );
    assert_eq!(e.time, 1070);
    assert!(
        e.reason
            .contains("primary tunnel down for 60 s (detection time 60 s): a-gw is not running"),
        "{}",
        e.reason
    );
    // And it stays there, quietly.
    let h = pass(&mut o, &mut s, 2000);
    assert_eq!(active(&h.desired), BACKUPS);
    assert!(h.events.is_empty());
    assert_eq!(s.events.len(), 1);
}

#[test]
fn without_the_clouds_stop_time_the_first_pass_that_saw_it_dates_the_failure() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    set(&mut o, "b-gw", |i| i.forwarding = false);
    let h = pass(&mut o, &mut s, 1000);
    assert_eq!(active(&h.desired), PRIMARIES);
    assert_eq!(h.links[0].status, Status::Down);
    assert_eq!(h.events[0].kind, EventKind::Down);
    assert!(
        h.events[0].reason.contains("b-gw does not forward"),
        "{}",
        h.events[0].reason
    );
    let h = pass(&mut o, &mut s, 1059);
    assert_eq!(active(&h.desired), PRIMARIES, "59 s < 60 s");
    assert!(h.events.is_empty());
    let h = pass(&mut o, &mut s, 1060);
    assert_eq!(active(&h.desired), BACKUPS);
    let kinds: Vec<EventKind> = h.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Failover, EventKind::Up]);
}

#[test]
fn the_detection_time_comes_from_the_file() {
    let d = topology(false, "detection_time: 20");
    assert_eq!(d.detection_time, 20);
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    set(&mut o, "a-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 1000);
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1019).desired),
        PRIMARIES
    );
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1020).desired),
        BACKUPS
    );
    assert_eq!(topology(false, "").detection_time, 60);
}

#[test]
fn detection_times_out_of_range_and_failback_disagreements_are_refused() {
    for (extra, want) in [
        (
            "detection_time: 19",
            "detection_time: 19 s is out of range; give 20 to 600 seconds",
        ),
        (
            "detection_time: 601",
            "detection_time: 601 s is out of range",
        ),
    ] {
        let text = format!(
            "name: t\naccounts: {{ p: {{ cloud: aws, account_id: '1' }} }}\nnetworks: {{}}\n{extra}\n"
        );
        let problems = validate(&parse(&text).unwrap()).unwrap_err().problems;
        assert!(
            problems.iter().any(|p| matches!(p, Problem::DetectionTime { .. })
                && p.to_string().contains(want)),
            "{problems:?}"
        );
    }
    let text = "
name: t
accounts:
  prod: { cloud: aws, account_id: '111111111111' }
networks:
  a: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }
  b: { account: prod, region: us-west-2, cidrs: [10.1.0.0/16] }
gateways:
  a-gw: { network: a, subnet: 10.0.255.0/28, ha: { subnet: 10.0.254.0/28, failback: true } }
  b-gw: { network: b, subnet: 10.1.255.0/28, ha: { subnet: 10.1.254.0/28 } }
links: [{ between: [a, b], type: encrypted }]
";
    let problems = validate(&parse(text).unwrap()).unwrap_err().problems;
    assert_eq!(
        problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "link a-b: gateway a-gw has `ha.failback: true` and b-gw does not; both sides of a \
          link fail back together, so set it on both or neither"
        ]
    );
}

#[test]
fn without_failback_the_routes_stay_on_the_backups() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    set(&mut o, "a-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 1000);
    assert_eq!(active(&pass(&mut o, &mut s, 1100).desired), BACKUPS);
    set(&mut o, "a-gw", |i| i.running = true);
    o.gateway_stopped_at.clear();
    for now in [1200, 5000, 90_000] {
        let h = pass(&mut o, &mut s, now);
        assert_eq!(active(&h.desired), BACKUPS);
        assert!(h.events.is_empty());
        assert!(h.links[0].primary.up);
    }
}

#[test]
fn with_failback_the_routes_return_once_the_primaries_held_for_the_detection_time() {
    let d = topology(true, "");
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    set(&mut o, "a-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 1000);
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1100).desired),
        BACKUPS
    );
    set(&mut o, "a-gw", |i| i.running = true);
    o.gateway_stopped_at.clear();
    let h = pass_with(&d, &mut o, &mut s, 1200);
    assert_eq!(active(&h.desired), BACKUPS, "up since 1200");
    assert_eq!(h.links[0].primary.since, 1200);
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1259).desired),
        BACKUPS
    );
    let h = pass_with(&d, &mut o, &mut s, 1260);
    assert_eq!(active(&h.desired), PRIMARIES);
    assert_eq!(h.events.len(), 1);
    assert_eq!(h.events[0].kind, EventKind::Failback);
    assert_eq!(h.events[0].to, PRIMARIES.map(String::from));
    assert!(h.events[0]
        .reason
        .contains("primary tunnel up again for 60 s"));
    // A primary flapping restarts the count.
    set(&mut o, "b-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("b-gw".into(), 1300);
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1360).desired),
        BACKUPS
    );
    set(&mut o, "b-gw", |i| i.running = true);
    o.gateway_stopped_at.clear();
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1400).desired),
        BACKUPS
    );
    set(&mut o, "b-gw", |i| i.running = false);
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1430).desired),
        BACKUPS
    );
    set(&mut o, "b-gw", |i| i.running = true);
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1470).desired),
        BACKUPS
    );
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1529).desired),
        BACKUPS
    );
    assert_eq!(
        active(&pass_with(&d, &mut o, &mut s, 1530).desired),
        PRIMARIES
    );
}

#[test]
fn the_backups_failing_send_the_routes_back_to_healthy_primaries() {
    let mut o = world(Some(BACKUPS));
    let mut s = HaState::default();
    set(&mut o, "b-gw-hagw", |i| i.running = false);
    o.gateway_stopped_at.insert("b-gw-hagw".into(), 1000);
    let h = pass(&mut o, &mut s, 1030);
    assert_eq!(
        h.links[0].was,
        Pair::Backup,
        "the routes say so, with no state"
    );
    assert_eq!(active(&h.desired), BACKUPS);
    assert_eq!(h.links[0].status, Status::Down);
    let h = pass(&mut o, &mut s, 1060);
    assert_eq!(active(&h.desired), PRIMARIES);
    assert_eq!(h.events[0].kind, EventKind::Failover);
    assert!(
        h.events[0]
            .reason
            .starts_with("backup tunnel down for 60 s"),
        "{}",
        h.events[0].reason
    );
    assert_eq!(h.links[0].status, Status::Up);
}

#[test]
fn both_pairs_down_leave_the_routes_and_say_why() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    pass(&mut o, &mut s, 900);
    set(&mut o, "a-gw", |i| i.running = false);
    set(&mut o, "a-gw-hagw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 1000);
    o.gateway_stopped_at.insert("a-gw-hagw".into(), 1001);
    let h = pass(&mut o, &mut s, 2000);
    assert_eq!(active(&h.desired), PRIMARIES, "routes stay");
    assert_eq!(h.links[0].status, Status::Down);
    assert_eq!(h.links[0].since, 1000);
    assert_eq!(h.events.len(), 1);
    assert_eq!(h.events[0].kind, EventKind::Down);
    assert_eq!(
        h.events[0].reason,
        "primary tunnel: a-gw is not running; backup tunnel: a-gw-hagw is not running"
    );
    // Once is enough.
    let h = pass(&mut o, &mut s, 3000);
    assert!(h.events.is_empty());
    assert_eq!(h.links[0].since, 1000);
    // The backup returns first: the routes go there at once (the primaries are down for long).
    set(&mut o, "a-gw-hagw", |i| i.running = true);
    o.gateway_stopped_at.remove("a-gw-hagw");
    let h = pass(&mut o, &mut s, 3100);
    assert_eq!(active(&h.desired), BACKUPS);
    let kinds: Vec<EventKind> = h.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Failover, EventKind::Up]);
}

#[test]
fn a_firewall_that_does_not_admit_the_peer_takes_the_tunnel_down() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    o.gateways.get_mut("b-gw").unwrap().firewall = Some(vec![Ipv4Addr::new(9, 9, 9, 9)]);
    let h = pass(&mut o, &mut s, 1000);
    assert_eq!(h.links[0].status, Status::Down);
    assert_eq!(
        h.links[0].primary.reason.as_deref(),
        Some("b-gw's firewall does not admit the tunnel from a-gw (54.0.0.1)")
    );
    assert!(h.links[0].backup.as_ref().unwrap().up);
    assert_eq!(active(&pass(&mut o, &mut s, 1060).desired), BACKUPS);
    // Other outer-path faults, as the clouds' APIs show them.
    let mut o = world(Some(PRIMARIES));
    o.gateways
        .get_mut("a-gw")
        .unwrap()
        .subnet
        .as_mut()
        .unwrap()
        .public = false;
    set(&mut o, "b-gw", |i| i.address_attached = false);
    let h = assess(&topology(false, ""), &o, &HaState::default(), 1);
    assert_eq!(
        h.links[0].primary.reason.as_deref(),
        Some(
            "a-gw is in a subnet without a route to the internet, b-gw has no public address \
             attached"
        )
    );
    o.gateways.get_mut("a-gw").unwrap().instance = None;
    let h = assess(&topology(false, ""), &o, &HaState::default(), 1);
    assert!(h.links[0]
        .primary
        .reason
        .as_deref()
        .unwrap()
        .starts_with("a-gw has no instance"));
}

#[test]
fn losing_the_state_loses_nothing_the_routes_know() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    set(&mut o, "a-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 1000);
    assert_eq!(active(&pass(&mut o, &mut s, 1060).desired), BACKUPS);
    // The state file is gone: the routes still say backups, and nothing moves or is logged.
    let mut s = HaState::default();
    let h = pass(&mut o, &mut s, 1100);
    assert_eq!(h.links[0].was, Pair::Backup);
    assert_eq!(active(&h.desired), BACKUPS);
    assert!(h.events.is_empty());
    // And a state that says backups while the routes say primaries follows the routes.
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    pass(&mut o, &mut s, 1000);
    s.links.get_mut("a-b").unwrap().active = Pair::Backup;
    assert_eq!(pass(&mut o, &mut s, 1001).links[0].was, Pair::Primary);
}

#[test]
fn the_state_round_trips_as_json_and_keeps_the_last_events() {
    let mut o = world(Some(PRIMARIES));
    let mut s = HaState::default();
    let mut now = 1000;
    for _ in 0..(MAX_EVENTS + 10) {
        set(&mut o, "a-gw", |i| i.forwarding = !i.forwarding);
        pass(&mut o, &mut s, now);
        now += 1;
    }
    assert_eq!(s.events.len(), MAX_EVENTS);
    assert_eq!(s.events.last().unwrap().time, now - 1);
    let text = serde_json::to_string(&s).unwrap();
    let back: HaState = serde_json::from_str(&text).unwrap();
    assert_eq!(back, s);
    // An empty or older file reads as the empty state.
    let empty: HaState = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, HaState::default());
    let _: BTreeMap<String, u64> = o.gateway_stopped_at;
}

#[test]
fn the_failover_example_is_valid_with_failback() {
    let text = include_str!("../../../examples/failover.yaml");
    let d = validate(&parse(text).unwrap()).unwrap();
    assert_eq!(d.detection_time, 60);
    assert!(d
        .gateways
        .values()
        .all(|g| g.ha.as_ref().is_some_and(|h| h.failback)));
}

#[test]
fn the_plan_leaves_a_route_to_a_stopped_active_gateway_and_moves_it_when_told() {
    use vpcpeer_controller::{plan, Action};
    let route_steps = |o: &Observed, d: &Desired| -> Vec<String> {
        plan(o, d)
            .steps
            .iter()
            .filter(|s| {
                matches!(
                    s.action,
                    Action::CreateGatewayRoute { .. } | Action::ReplaceGatewayRoute { .. }
                )
            })
            .map(|s| s.to_string())
            .collect()
    };
    let d = topology(false, "");
    let mut o = world(Some(PRIMARIES));
    assert_eq!(route_steps(&o, &d), Vec::<String>::new());
    set(&mut o, "a-gw", |i| i.running = false);
    route(&mut o, PRIMARIES);
    assert!(o.gateway_tables["a"][0].routes[0].blackhole);
    // Stopped and still active (within the detection time, or nowhere to go): no churn.
    let h = assess(&d, &o, &HaState::default(), 1000);
    assert_eq!(route_steps(&o, &h.desired), Vec::<String>::new());
    // A blackhole to a running gateway is drift, made again.
    set(&mut o, "a-gw", |i| i.running = true);
    assert_eq!(route_steps(&o, &d).len(), 1, "{:?}", route_steps(&o, &d));
    // Failed over: both sides' routes move to the backups.
    set(&mut o, "a-gw", |i| i.running = false);
    o.gateway_stopped_at.insert("a-gw".into(), 900);
    let h = assess(&d, &o, &HaState::default(), 1000);
    let steps = route_steps(&o, &h.desired);
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(
        steps[0].contains("a-gw-hagw") && steps[1].contains("b-gw-hagw"),
        "{steps:?}"
    );
}
