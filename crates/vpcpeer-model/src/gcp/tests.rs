//! Table tests of GCP networking and peering: the derived peering state, every peering
//! operation's transitions and refusals, operations that finish within the request (the default)
//! or run for `gcp_peering_op_secs`, the one-operation-at-a-time rule, and route exchange.

use super::*;
use crate::testkit::TestEnv;
use crate::{Scope, Timestamp};

const PA: &str = "proj-a";
const PB: &str = "proj-b";
const PC: &str = "proj-c";

fn s(project: &str) -> Scope {
    Scope::new(project, "global")
}

pub(super) fn run<T>(
    env: &mut TestEnv,
    project: &str,
    f: impl FnOnce(&mut crate::Tx<'_, '_>) -> Result<T, GcpError>,
) -> Result<T, GcpError> {
    env.transact(&s(project), f)
}

/// A network `name`: auto mode, custom mode, or (`None`) legacy, which is refused.
pub(super) fn net_spec(name: &str, auto: Option<bool>) -> NetworkSpec {
    NetworkSpec {
        name: name.into(),
        auto_create_subnetworks: auto,
        ..Default::default()
    }
}

/// A subnetwork `name` of `network` with the primary range `range`.
pub(super) fn subnet_spec(name: &str, network: &str, range: &str) -> SubnetSpec {
    SubnetSpec {
        name: name.into(),
        network: network.into(),
        ip_cidr_range: range.into(),
        ..Default::default()
    }
}

/// A route `name` of `network` to `dest` through `hop`, default priority, no tags.
pub(super) fn route_spec(name: &str, network: &str, dest: &str, hop: GcpNextHop) -> RouteSpec {
    RouteSpec {
        name: name.into(),
        description: String::new(),
        network: network.into(),
        dest_range: dest.into(),
        priority: None,
        tags: vec![],
        next_hop: hop,
    }
}

/// An ingress firewall rule `name` of `network` allowing all of TCP, nothing else set.
pub(super) fn firewall_spec(name: &str, network: &str) -> FirewallSpec {
    FirewallSpec {
        name: name.into(),
        description: String::new(),
        network: Some(network.into()),
        direction: None,
        priority: None,
        allowed: vec![("tcp".into(), vec![])],
        denied: vec![],
        source_ranges: vec![],
        destination_ranges: vec![],
        source_tags: vec![],
        target_tags: vec![],
        disabled: false,
    }
}

/// An e2-micro instance `name` with the one interface `nic`.
pub(super) fn instance_spec(name: &str, nic: NicSpec) -> InstanceSpec {
    InstanceSpec {
        name: name.into(),
        machine_type: "e2-micro".into(),
        tags: vec![],
        nics: vec![nic],
        ..Default::default()
    }
}

/// A peering `name` to `peer`, every flag at its default.
pub(super) fn peering_spec(name: &str, peer: &str) -> AddPeering {
    AddPeering {
        name: name.into(),
        peer_network: peer.into(),
        ..Default::default()
    }
}

fn net(env: &mut TestEnv, project: &str, name: &str, auto: bool) -> String {
    run(env, project, |tx| {
        insert_network(tx, project, net_spec(name, Some(auto)))
    })
    .expect("network");
    network_path(project, name)
}

fn subnet(
    env: &mut TestEnv,
    project: &str,
    region: &str,
    name: &str,
    network: &str,
    cidr: &str,
) -> Result<GcpOperation, GcpError> {
    let spec = subnet_spec(name, network, cidr);
    run(env, project, |tx| {
        insert_subnetwork(tx, project, region, spec)
    })
}

fn custom_net(env: &mut TestEnv, project: &str, name: &str, cidr: &str) -> String {
    let n = net(env, project, name, false);
    subnet(env, project, "us-central1", &format!("{name}-s"), &n, cidr).expect("subnet");
    n
}

/// Seconds a peering operation runs in the tests of the running mode.
const OP_SECS: i64 = 10;

/// Calls addPeering with `req` (and subnet routes exchanged) and returns its operation as the
/// reply shows it (DONE by default, RUNNING with `gcp_peering_op_secs` > 0).
fn add_op(
    env: &mut TestEnv,
    project: &str,
    network: &str,
    req: AddPeering,
) -> Result<GcpOperation, GcpError> {
    let req = AddPeering {
        exchange_subnet_routes: Some(true),
        ..req
    };
    run(env, project, |tx| add_peering(tx, project, network, req))
}

/// updatePeering of `a-to-b` on `net-a` (project A), setting the custom-route flags given.
fn update_a_to_b(env: &mut TestEnv, export: Option<bool>, import: Option<bool>) -> GcpOperation {
    let req = UpdatePeering {
        name: "a-to-b".into(),
        export_custom_routes: export,
        import_custom_routes: import,
        ..Default::default()
    };
    run(env, PA, |tx| update_peering(tx, PA, "net-a", req)).expect("updatePeering")
}

/// Settles the peering operations that are due, as any request does first.
fn settle(env: &mut TestEnv) {
    run(env, PA, |tx| {
        settle_due_operations(tx);
        Ok(())
    })
    .unwrap();
}

fn finish(env: &mut TestEnv, project: &str, op: &str) -> GcpOperation {
    let done = run(env, project, |tx| get_operation(tx, op)).expect("operation");
    assert_eq!(done.status, OpStatus::Done);
    assert!(done.pending.is_none());
    done
}

/// addPeering through to its DONE operation; the operation's error, if any.
fn add(
    env: &mut TestEnv,
    project: &str,
    network: &str,
    name: &str,
    peer: &str,
) -> Result<(), GcpError> {
    add_flags(env, project, network, name, peer, false, false)
}

fn add_flags(
    env: &mut TestEnv,
    project: &str,
    network: &str,
    name: &str,
    peer: &str,
    export: bool,
    import: bool,
) -> Result<(), GcpError> {
    let req = AddPeering {
        export_custom_routes: export,
        import_custom_routes: import,
        ..peering_spec(name, peer)
    };
    let op = add_op(env, project, network, req)?;
    match finish(env, project, &op.id).error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

fn remove(env: &mut TestEnv, project: &str, network: &str, name: &str) -> Result<(), GcpError> {
    let op = run(env, project, |tx| {
        remove_peering(tx, project, network, name)
    })?;
    match finish(env, project, &op.id).error {
        None => Ok(()),
        Some(e) => Err(e),
    }
}

fn state(env: &TestEnv, network: &str, name: &str) -> &'static str {
    let n = &env.world.gcp.networks[network];
    match n.peerings.iter().find(|p| p.name == name) {
        None => "absent",
        Some(p) if peering_view(&env.world, n, p).active => "ACTIVE",
        Some(_) => "INACTIVE",
    }
}

/// Deletes the subnetwork `name` of project A in us-central1.
fn del_subnet(env: &mut TestEnv, name: &str) -> Result<GcpOperation, GcpError> {
    run(env, PA, |tx| delete_subnetwork(tx, PA, "us-central1", name))
}

fn two_custom() -> (TestEnv, String, String) {
    let mut env = TestEnv::new();
    let a = custom_net(&mut env, PA, "net-a", "10.0.0.0/24");
    let b = custom_net(&mut env, PB, "net-b", "10.1.0.0/24");
    (env, a, b)
}

#[test]
fn peering_state_follows_both_sides_intent() {
    let (mut env, a, b) = two_custom();
    // (step, expected state of a-to-b, expected state of b-to-a)
    let steps: &[(&str, &str, &str)] = &[
        ("A adds", "INACTIVE", "absent"),
        ("B adds", "ACTIVE", "ACTIVE"),
        ("A removes", "absent", "INACTIVE"),
        ("A re-adds", "ACTIVE", "ACTIVE"),
        ("B removes", "INACTIVE", "absent"),
        ("A removes", "absent", "absent"),
    ];
    for (step, want_a, want_b) in steps {
        match *step {
            "A adds" | "A re-adds" => add(&mut env, PA, "net-a", "a-to-b", &b).unwrap(),
            "B adds" => add(&mut env, PB, "net-b", "b-to-a", &a).unwrap(),
            "A removes" => remove(&mut env, PA, "net-a", "a-to-b").unwrap(),
            "B removes" => remove(&mut env, PB, "net-b", "b-to-a").unwrap(),
            _ => unreachable!(),
        }
        assert_eq!(state(&env, &a, "a-to-b"), *want_a, "after {step}");
        assert_eq!(state(&env, &b, "b-to-a"), *want_b, "after {step}");
        assert!(env.world.indexes_consistent());
    }
}

#[test]
fn a_peering_to_a_missing_network_stays_inactive_and_connects_when_it_appears() {
    let mut env = TestEnv::new();
    let a = custom_net(&mut env, PA, "net-a", "10.0.0.0/24");
    add(
        &mut env,
        PA,
        "net-a",
        "a-to-b",
        "projects/proj-b/global/networks/net-b",
    )
    .unwrap();
    assert_eq!(state(&env, &a, "a-to-b"), "INACTIVE");
    custom_net(&mut env, PB, "net-b", "10.1.0.0/24");
    add(&mut env, PB, "net-b", "b-to-a", &a).unwrap();
    assert_eq!(state(&env, &a, "a-to-b"), "ACTIVE");
}

#[test]
fn active_since_is_the_later_side_and_peer_mtu_shows_only_when_active() {
    let (mut env, a, b) = two_custom();
    add(&mut env, PA, "net-a", "a-to-b", &b).unwrap();
    let n = env.world.gcp.networks[&a].clone();
    let v = peering_view(&env.world, &n, &n.peerings[0]);
    assert_eq!((v.active, v.since, v.peer_mtu), (false, env.now, None));
    env.now = Timestamp(env.now.0 + 5_000);
    add(&mut env, PB, "net-b", "b-to-a", &a).unwrap();
    let n = env.world.gcp.networks[&a].clone();
    let v = peering_view(&env.world, &n, &n.peerings[0]);
    assert_eq!((v.active, v.since, v.peer_mtu), (true, env.now, Some(1460)));
}

#[test]
fn validation_failures_land_in_the_finished_operation_and_change_nothing() {
    struct Case {
        name: &'static str,
        a_auto: bool,
        a_cidr: Option<&'static str>,
        b_auto: bool,
        b_cidr: Option<&'static str>,
        want: Result<(), GcpError>,
    }
    let a_s = "projects/proj-a/regions/us-central1/subnetworks/net-a-s";
    let overlap = |peer: &str, local: &str, local_subnetwork: &str| {
        Err(GcpError::PeerRangeOverlap {
            peer_range: peer.parse().unwrap(),
            local_range: local.parse().unwrap(),
            local_subnetwork: local_subnetwork.into(),
        })
    };
    let cases = [
        Case {
            name: "disjoint custom",
            a_auto: false,
            a_cidr: Some("10.0.0.0/24"),
            b_auto: false,
            b_cidr: Some("10.1.0.0/24"),
            want: Ok(()),
        },
        Case {
            name: "overlapping custom",
            a_auto: false,
            a_cidr: Some("10.0.0.0/16"),
            b_auto: false,
            b_cidr: Some("10.0.5.0/24"),
            want: overlap("10.0.5.0/24", "10.0.0.0/16", a_s),
        },
        Case {
            name: "auto with auto",
            a_auto: true,
            a_cidr: None,
            b_auto: true,
            b_cidr: None,
            want: overlap(
                "10.128.0.0/20",
                "10.128.0.0/20",
                "projects/proj-a/regions/us-central1/subnetworks/net-a",
            ),
        },
        Case {
            name: "custom outside 10.128/9 with auto",
            a_auto: false,
            a_cidr: Some("10.0.0.0/24"),
            b_auto: true,
            b_cidr: None,
            want: Ok(()),
        },
        Case {
            name: "custom inside 10.128/9 (no subnet clash) with auto",
            a_auto: false,
            a_cidr: Some("10.200.0.0/24"),
            b_auto: true,
            b_cidr: None,
            want: Err(GcpError::LocalInPeerAutoRange {
                local_range: "10.200.0.0/24".parse().unwrap(),
                local_subnetwork: a_s.into(),
            }),
        },
        Case {
            name: "auto with custom inside 10.128/9",
            a_auto: true,
            a_cidr: None,
            b_auto: false,
            b_cidr: Some("10.250.0.0/24"),
            want: Err(GcpError::PeerInLocalAutoRange {
                peer_range: "10.250.0.0/24".parse().unwrap(),
            }),
        },
        Case {
            name: "custom clashing with an auto subnet",
            a_auto: false,
            a_cidr: Some("10.128.0.0/24"),
            b_auto: true,
            b_cidr: None,
            want: overlap("10.128.0.0/20", "10.128.0.0/24", a_s),
        },
    ];
    for c in cases {
        let mut env = TestEnv::new();
        let a = net(&mut env, PA, "net-a", c.a_auto);
        if let Some(cidr) = c.a_cidr {
            subnet(&mut env, PA, "us-central1", "net-a-s", &a, cidr).unwrap();
        }
        let b = net(&mut env, PB, "net-b", c.b_auto);
        if let Some(cidr) = c.b_cidr {
            subnet(&mut env, PB, "us-central1", "net-b-s", &b, cidr).unwrap();
        }
        let before = env.world.gcp.networks.clone();
        let got = add(&mut env, PA, "net-a", "a-to-b", &b);
        match (c.want, got) {
            (Ok(()), Ok(())) => assert_eq!(state(&env, &a, "a-to-b"), "INACTIVE", "{}", c.name),
            (Err(want), Err(got)) => {
                assert_eq!(got, want, "{}", c.name);
                assert_eq!(env.world.gcp.networks, before, "{}", c.name);
            }
            (want, got) => panic!("{}: want {want:?}, got {got:?}", c.name),
        }
    }
}

#[test]
fn request_time_refusals_are_synchronous() {
    let (mut env, a, _b) = two_custom();
    let not_gcp = |r: &str| GcpError::PeerNotGcp {
        reference: r.into(),
    };
    let azure = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
    let cases: &[(&str, &str, &str, GcpError)] = &[
        // (network, name, peer reference, expected refusal)
        (
            "net-a",
            "self",
            "net-a",
            GcpError::PeerIsSelf {
                reference: "net-a".into(),
            },
        ),
        (
            "net-a",
            "self2",
            &a,
            GcpError::PeerIsSelf {
                reference: a.clone(),
            },
        ),
        (
            "net-a",
            "Bad_Name",
            "net-b",
            GcpError::BadName {
                field: Field::PeeringName,
                value: "Bad_Name".into(),
            },
        ),
        (
            "net-a",
            "aws",
            "vpc-0a1b2c3d4e5f60718",
            not_gcp("vpc-0a1b2c3d4e5f60718"),
        ),
        ("net-a", "azure", azure, not_gcp(azure)),
        (
            "net-a",
            "url",
            "https://example.com/networks/x",
            not_gcp("https://example.com/networks/x"),
        ),
        ("net-a", "empty", "", GcpError::PeerNetworkMissing),
    ];
    for (network, name, peer, want) in cases {
        let before = env.world.clone();
        let err = add_op(&mut env, PA, network, peering_spec(name, peer)).unwrap_err();
        assert_eq!(&err, want, "{name}");
        assert_eq!(env.world, before, "{name} left a trace");
    }
    let err = add_op(&mut env, PA, "nope", peering_spec("x", "net-b")).unwrap_err();
    assert_eq!(
        err,
        GcpError::NotFound("projects/proj-a/global/networks/nope".into())
    );
    let err = run(&mut env, PA, |tx| remove_peering(tx, PA, "net-a", "none")).unwrap_err();
    assert_eq!(
        err,
        GcpError::NoSuchPeering {
            name: "none".into(),
            network: network_path(PA, "net-a"),
        }
    );
}

#[test]
fn duplicates_and_quota_fail_inside_the_operation() {
    let (mut env, a, b) = two_custom();
    let c = custom_net(&mut env, PC, "net-c", "10.2.0.0/24");
    add(&mut env, PA, "net-a", "a-to-b", &b).unwrap();
    let dup_peer = add(&mut env, PA, "net-a", "a-to-b-again", &b).unwrap_err();
    assert_eq!(
        dup_peer,
        GcpError::AlreadyPeered {
            existing: "a-to-b".into()
        }
    );
    let dup_name = add(&mut env, PA, "net-a", "a-to-b", &c).unwrap_err();
    assert_eq!(
        dup_name,
        GcpError::DuplicatePeeringName {
            name: "a-to-b".into(),
            network: a.clone(),
        }
    );
    env.limits.gcp_peerings_per_network = Some(1);
    let quota = add(&mut env, PA, "net-a", "a-to-c", &c).unwrap_err();
    assert_eq!(
        quota,
        GcpError::PeeringQuota {
            limit: 1,
            network: a.clone(),
        }
    );
    env.limits.gcp_peerings_per_network = Some(2);
    add(&mut env, PA, "net-a", "a-to-c", &c).unwrap();
    assert_eq!(env.world.gcp.networks[&a].peerings.len(), 2);
}

#[test]
fn one_peering_operation_at_a_time_on_a_pair() {
    let (mut env, a, b) = two_custom();
    env.limits.gcp_peering_op_secs = OP_SECS;
    let c = custom_net(&mut env, PC, "net-c", "10.2.0.0/24");
    let op = add_op(&mut env, PA, "net-a", peering_spec("a-to-b", &b))
        .unwrap()
        .id;
    assert_eq!(env.world.gcp.operations[&op].status, OpStatus::Running);
    // (who, network, peer): every op touching net-a or net-b is refused while it runs.
    let busy: &[(&str, &str, &str)] = &[
        (PA, "net-a", "projects/proj-c/global/networks/net-c"),
        (PB, "net-b", "projects/proj-a/global/networks/net-a"),
        (PC, "net-c", "projects/proj-b/global/networks/net-b"),
    ];
    for (p, n, peer) in busy {
        let e = add_op(&mut env, p, n, peering_spec("x", peer)).unwrap_err();
        assert_eq!(e, GcpError::PeeringInProgress, "{n}");
    }
    // An operation on an unrelated pair is fine.
    let d = custom_net(&mut env, "proj-d", "net-d", "10.3.0.0/24");
    let other = add_op(&mut env, PC, "net-c", peering_spec("c-to-d", &d))
        .unwrap()
        .id;
    assert_eq!(
        state(&env, &a, "a-to-b"),
        "absent",
        "nothing applied while running"
    );
    // Not due yet one second before the deadline; applied by any request once it is.
    env.now = Timestamp(env.now.0 + OP_SECS * 1000 - 1);
    settle(&mut env);
    assert_eq!(env.world.gcp.operations[&op].status, OpStatus::Running);
    env.now = Timestamp(env.now.0 + 1);
    settle(&mut env);
    assert_eq!(env.world.gcp.operations[&op].status, OpStatus::Done);
    assert_eq!(env.world.gcp.operations[&other].status, OpStatus::Done);
    assert_eq!(state(&env, &a, "a-to-b"), "INACTIVE");
    assert_eq!(env.world.gcp.running_operations().count(), 0);
    add(&mut env, PB, "net-b", "b-to-a", &a).unwrap();
    assert_eq!(state(&env, &a, "a-to-b"), "ACTIVE");
    let _ = c;
}

#[test]
fn update_peering_changes_flags_when_it_completes() {
    let (mut env, a, b) = two_custom();
    env.limits.gcp_peering_op_secs = OP_SECS;
    add(&mut env, PA, "net-a", "a-to-b", &b).unwrap();
    let op = update_a_to_b(&mut env, Some(true), None);
    assert_eq!(op.operation_type, "updatePeering");
    assert_eq!(op.status, OpStatus::Running);
    assert!(!env.world.gcp.networks[&a].peerings[0].export_custom_routes);
    assert!(finish(&mut env, PA, &op.id).error.is_none());
    let p = &env.world.gcp.networks[&a].peerings[0];
    assert!(p.export_custom_routes && !p.import_custom_routes);
}

#[test]
fn peering_operations_finish_in_the_request_by_default_and_run_for_the_knob_otherwise() {
    // (gcp_peering_op_secs, status of each reply, whether the reply's change is already applied)
    let cases = [
        (0, OpStatus::Done, true),
        (OP_SECS, OpStatus::Running, false),
    ];
    for (secs, want_status, applied) in cases {
        let (mut env, a, b) = two_custom();
        env.limits.gcp_peering_op_secs = secs;
        let mode = format!("gcp_peering_op_secs={secs}");
        let running = if applied { 0 } else { 1 };

        let op = add_op(&mut env, PA, "net-a", peering_spec("a-to-b", &b)).unwrap();
        assert_eq!(
            (op.status, op.end_time.is_some(), op.pending.is_some()),
            (want_status, applied, !applied),
            "{mode}: addPeering reply"
        );
        assert!(op.error.is_none(), "{mode}");
        let want = if applied { "INACTIVE" } else { "absent" };
        assert_eq!(state(&env, &a, "a-to-b"), want, "{mode}: after add");
        assert_eq!(env.world.gcp.running_operations().count(), running);
        assert!(finish(&mut env, PA, &op.id).error.is_none(), "{mode}");
        assert_eq!(state(&env, &a, "a-to-b"), "INACTIVE", "{mode}");

        let op = update_a_to_b(&mut env, None, Some(true));
        assert_eq!(op.status, want_status, "{mode}: updatePeering reply");
        assert_eq!(
            env.world.gcp.networks[&a].peerings[0].import_custom_routes, applied,
            "{mode}: after update"
        );
        assert!(finish(&mut env, PA, &op.id).error.is_none(), "{mode}");
        assert!(env.world.gcp.networks[&a].peerings[0].import_custom_routes);

        let op = run(&mut env, PA, |tx| remove_peering(tx, PA, "net-a", "a-to-b")).unwrap();
        assert_eq!(op.status, want_status, "{mode}: removePeering reply");
        let want = if applied { "absent" } else { "INACTIVE" };
        assert_eq!(state(&env, &a, "a-to-b"), want, "{mode}: after remove");
        assert_eq!(env.world.gcp.running_operations().count(), running);
        assert!(finish(&mut env, PA, &op.id).error.is_none(), "{mode}");
        assert_eq!(state(&env, &a, "a-to-b"), "absent", "{mode}");
        assert!(env.world.indexes_consistent(), "{mode}");
    }
}

#[test]
fn by_default_a_validation_failure_is_the_error_of_the_done_reply_and_nothing_is_busy() {
    let mut env = TestEnv::new();
    let _a = custom_net(&mut env, PA, "net-a", "10.0.0.0/16");
    let b = custom_net(&mut env, PB, "net-b", "10.0.5.0/24");
    let before = env.world.gcp.networks.clone();
    let op = add_op(&mut env, PA, "net-a", peering_spec("a-to-b", &b)).unwrap();
    assert_eq!(op.status, OpStatus::Done);
    assert!(op.pending.is_none() && op.end_time == Some(env.now));
    assert!(
        matches!(&op.error, Some(GcpError::PeerRangeOverlap { peer_range, .. })
            if peer_range.to_string() == "10.0.5.0/24"),
        "{:?}",
        op.error
    );
    assert_eq!(
        env.world.gcp.networks, before,
        "the failed add left a trace"
    );
    // The stored operation is the reply, and get returns it unchanged.
    assert_eq!(env.world.gcp.operations[&op.id], op);
    assert_eq!(finish(&mut env, PA, &op.id), op);
    // Zero-duration operations never overlap: the peer's own add right away is not refused,
    // and fails the same way inside its DONE operation.
    let a = "projects/proj-a/global/networks/net-a";
    let back = add_op(&mut env, PB, "net-b", peering_spec("b-to-a", a)).unwrap();
    assert_eq!(back.status, OpStatus::Done);
    assert!(
        matches!(&back.error, Some(GcpError::PeerRangeOverlap { .. })),
        "{back:?}"
    );
    assert_eq!(env.world.gcp.running_operations().count(), 0);
    assert_eq!(env.world.gcp.networks, before);
}

fn route(env: &mut TestEnv, project: &str, name: &str, network: &str, dest: &str, tags: &[&str]) {
    let hop = GcpNextHop::Ip("10.0.0.50".parse().unwrap());
    let spec = RouteSpec {
        priority: Some(900),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..route_spec(name, network, dest, hop)
    };
    run(env, project, |tx| insert_route(tx, project, spec)).expect("route");
}

fn routes(
    env: &TestEnv,
    network: &str,
    peering: &str,
    dir: PeeringDirection,
) -> Vec<(String, &'static str, bool)> {
    list_peering_routes(&env.world, network, peering, dir, Some("us-central1"))
        .unwrap()
        .into_iter()
        .map(|r| {
            let kind = match r.kind {
                ExchangedRouteType::Subnet => "SUBNET",
                ExchangedRouteType::Static => "STATIC",
            };
            (r.dest_range.to_string(), kind, r.imported)
        })
        .collect()
}

#[test]
fn custom_routes_cross_only_with_export_on_one_side_and_import_on_the_other() {
    // (A exports, B imports, does B install A's static route?)
    let cases = [
        (false, false, None),
        (true, false, Some(false)),
        (false, true, None),
        (true, true, Some(true)),
    ];
    for (export, import, want) in cases {
        let (mut env, a, b) = two_custom();
        route(&mut env, PA, "to-onprem", &a, "192.168.0.0/16", &[]);
        route(&mut env, PA, "tagged", &a, "172.16.0.0/12", &["web"]);
        add_flags(&mut env, PA, "net-a", "a-to-b", &b, export, false).unwrap();
        assert!(
            routes(&env, &a, "a-to-b", PeeringDirection::Outgoing).is_empty(),
            "inactive"
        );
        add_flags(&mut env, PB, "net-b", "b-to-a", &a, false, import).unwrap();
        let incoming = routes(&env, &b, "b-to-a", PeeringDirection::Incoming);
        let mut expect = vec![("10.0.0.0/24".to_string(), "SUBNET", true)];
        if let Some(imported) = want {
            expect.push(("192.168.0.0/16".to_string(), "STATIC", imported));
        }
        assert_eq!(incoming, expect, "export={export} import={import}");
        // The exporter's OUTGOING view says the same.
        assert_eq!(
            routes(&env, &a, "a-to-b", PeeringDirection::Outgoing),
            expect
        );
        // B exports nothing custom: A receives only B's subnet.
        assert_eq!(
            routes(&env, &a, "a-to-b", PeeringDirection::Incoming),
            vec![("10.1.0.0/24".to_string(), "SUBNET", true)]
        );
    }
}

#[test]
fn peering_is_not_transitive_and_routes_go_when_a_side_leaves() {
    let mut env = TestEnv::new();
    let a = custom_net(&mut env, PA, "hub", "10.0.0.0/24");
    let b = custom_net(&mut env, PB, "spoke-b", "10.1.0.0/24");
    let c = custom_net(&mut env, PC, "spoke-c", "10.2.0.0/24");
    add_flags(&mut env, PA, "hub", "hub-b", &b, true, true).unwrap();
    add_flags(&mut env, PB, "spoke-b", "b-hub", &a, true, true).unwrap();
    add_flags(&mut env, PA, "hub", "hub-c", &c, true, true).unwrap();
    add_flags(&mut env, PC, "spoke-c", "c-hub", &a, true, true).unwrap();
    // B hears only the hub's own subnet, never C's (learned by the hub).
    assert_eq!(
        routes(&env, &b, "b-hub", PeeringDirection::Incoming),
        vec![("10.0.0.0/24".to_string(), "SUBNET", true)]
    );
    assert_eq!(
        routes(&env, &a, "hub-b", PeeringDirection::Outgoing),
        vec![("10.0.0.0/24".to_string(), "SUBNET", true)]
    );
    assert_eq!(
        routes(&env, &c, "c-hub", PeeringDirection::Incoming),
        vec![("10.0.0.0/24".to_string(), "SUBNET", true)]
    );
    remove(&mut env, PB, "spoke-b", "b-hub").unwrap();
    assert!(routes(&env, &a, "hub-b", PeeringDirection::Incoming).is_empty());
}

#[test]
fn subnets_may_not_overlap_their_network_or_an_active_peer() {
    let (mut env, a, b) = two_custom();
    let e = subnet(&mut env, PA, "us-east1", "dup", &a, "10.0.0.128/25").unwrap_err();
    assert_eq!(
        e,
        GcpError::OverlapsSubnetwork {
            range: "10.0.0.128/25".parse().unwrap(),
            subnetwork: "net-a-s".into(),
            region: "us-central1".into(),
        }
    );
    // Before the peering is active, B may take a range A uses; after, it may not.
    add(&mut env, PA, "net-a", "a-to-b", &b).unwrap();
    add(&mut env, PB, "net-b", "b-to-a", &a).unwrap();
    let e = subnet(&mut env, PB, "us-central1", "clash", &b, "10.0.0.0/28").unwrap_err();
    assert!(matches!(e, GcpError::OverlapsPeer { peering, .. } if peering == "b-to-a"));
    subnet(&mut env, PB, "us-central1", "fine", &b, "10.9.0.0/28").unwrap();
    let e = subnet(&mut env, PB, "mars-north1", "x", &b, "10.8.0.0/28").unwrap_err();
    assert_eq!(
        e,
        GcpError::NotFound("projects/proj-b/regions/mars-north1".into())
    );
    let e = subnet(&mut env, PB, "us-central1", "host", &b, "10.8.0.1/28").unwrap_err();
    assert_eq!(
        e,
        GcpError::HostBitsSet {
            value: "10.8.0.1/28".into()
        }
    );
}

#[test]
fn networks_and_their_dependents() {
    let mut env = TestEnv::new();
    let auto = net(&mut env, PA, "auto", true);
    let subnets = env
        .world
        .gcp
        .subnetworks
        .values()
        .filter(|s| s.network == auto)
        .count();
    assert_eq!(subnets, AUTO_MODE_REGIONS.len());
    assert_eq!(
        env.world
            .gcp
            .routes
            .values()
            .filter(|r| r.network == auto)
            .count(),
        1,
        "the default internet route"
    );
    let e = run(&mut env, PA, |tx| {
        insert_network(tx, PA, net_spec("auto", Some(false)))
    })
    .unwrap_err();
    assert_eq!(e, GcpError::AlreadyExists(auto.clone()));
    let legacy = run(&mut env, PA, |tx| {
        insert_network(tx, PA, net_spec("legacy", None))
    });
    let legacy = legacy.unwrap_err();
    assert_eq!(legacy, GcpError::LegacyNetwork);
    // An instance in an auto network lands in the zone's region subnet at .2, then .3.
    for (name, want) in [("vm1", "10.128.0.2"), ("vm2", "10.128.0.3")] {
        let nic = NicSpec {
            network: Some("global/networks/auto".into()),
            ..Default::default()
        };
        let spec = instance_spec(name, nic);
        run(&mut env, PA, |tx| {
            insert_instance(tx, PA, "us-central1-a", spec)
        })
        .unwrap();
        let i = &env.world.gcp.instances[&instance_path(PA, "us-central1-a", name)];
        assert_eq!(i.nics[0].network_ip.to_string(), want);
        assert_eq!(
            i.nics[0].subnetwork,
            subnetwork_path(PA, "us-central1", "auto")
        );
    }
    let e = run(&mut env, PA, |tx| delete_network(tx, PA, "auto")).unwrap_err();
    assert!(matches!(e, GcpError::InUse { .. }), "{e:?}");
    for vm in ["vm1", "vm2"] {
        run(&mut env, PA, |tx| {
            delete_instance(tx, PA, "us-central1-a", vm)
        })
        .unwrap();
    }
    run(&mut env, PA, |tx| delete_network(tx, PA, "auto")).unwrap();
    assert!(env.world.gcp.subnetworks.is_empty() && env.world.gcp.routes.is_empty());
    let e = run(&mut env, PA, |tx| delete_network(tx, PA, "auto")).unwrap_err();
    assert_eq!(e, GcpError::NotFound(auto));
}

#[test]
fn a_network_with_peerings_cannot_be_deleted_and_its_peer_goes_inactive_once_it_is() {
    let (mut env, a, b) = two_custom();
    add(&mut env, PA, "net-a", "a-to-b", &b).unwrap();
    add(&mut env, PB, "net-b", "b-to-a", &a).unwrap();
    let e = run(&mut env, PA, |tx| delete_network(tx, PA, "net-a")).unwrap_err();
    assert!(matches!(e, GcpError::InUse { ref by, .. } if by.ends_with("/peerings/a-to-b")));
    remove(&mut env, PA, "net-a", "a-to-b").unwrap();
    del_subnet(&mut env, "net-a-s").unwrap();
    run(&mut env, PA, |tx| delete_network(tx, PA, "net-a")).unwrap();
    assert_eq!(state(&env, &b, "b-to-a"), "INACTIVE");
}

#[test]
fn references_resolve_like_gcp_partial_urls() {
    let cases = [
        ("net-b", Some("projects/p/global/networks/net-b")),
        (
            "global/networks/net-b",
            Some("projects/p/global/networks/net-b"),
        ),
        (
            "projects/q/global/networks/n",
            Some("projects/q/global/networks/n"),
        ),
        (
            "https://www.googleapis.com/compute/v1/projects/q/global/networks/n",
            Some("projects/q/global/networks/n"),
        ),
        (
            "http://127.0.0.1:4650/compute/v1/projects/q/global/networks/n",
            Some("projects/q/global/networks/n"),
        ),
        ("projects/q/regions/r/subnetworks/n", None),
        ("vpc-0a1b2c3d4e5f60718", None),
        ("Net_B", None),
    ];
    for (r, want) in cases {
        assert_eq!(resolve_network(r, "p").as_deref(), want, "{r}");
    }
}

#[test]
fn expanding_a_subnetwork_is_checked_like_creating_one() {
    let (mut env, a, b) = two_custom();
    subnet(&mut env, PA, "us-east1", "second", &a, "10.0.2.0/24").unwrap();
    add(&mut env, PA, "net-a", "a-to-b", &b).unwrap();
    add(&mut env, PB, "net-b", "b-to-a", &a).unwrap();
    let mut expand = |project: &str, name: &str, range: &str| {
        run(&mut env, project, |tx| {
            expand_subnetwork(tx, project, "us-central1", name, &range.into())
        })
        .map(|op| op.operation_type)
    };
    let n = |s: &str| s.parse::<ipnet::Ipv4Net>().unwrap();
    let not_larger = |new: &str| GcpError::NotAnExpansion {
        new: n(new),
        old: n("10.0.0.0/24"),
    };
    // (project, subnetwork, new range, expected outcome)
    let cases: &[(&str, &str, &str, Result<(), GcpError>)] = &[
        (PA, "net-a-s", "10.0.0.0/25", Err(not_larger("10.0.0.0/25"))),
        (PA, "net-a-s", "10.2.0.0/16", Err(not_larger("10.2.0.0/16"))),
        (
            PA,
            "net-a-s",
            "10.0.0.0/22",
            Err(GcpError::OverlapsSubnetwork {
                range: n("10.0.0.0/22"),
                subnetwork: "second".into(),
                region: "us-east1".into(),
            }),
        ),
        (
            PB,
            "net-b-s",
            "10.0.0.0/15",
            Err(GcpError::OverlapsPeer {
                range: n("10.0.0.0/15"),
                peering: "b-to-a".into(),
            }),
        ),
        (PA, "net-a-s", "10.0.0.0/23", Ok(())),
    ];
    for (project, name, range, want) in cases {
        match (expand(project, name, range), want) {
            (Ok(t), Ok(())) => assert_eq!(t, "expandIpCidrRange"),
            (got, want) => assert_eq!(got.map(drop).as_ref(), want.as_ref(), "{range}"),
        }
    }
    let s = &env.world.gcp.subnetworks[&subnetwork_path(PA, "us-central1", "net-a-s")];
    assert_eq!(s.ip_cidr_range.to_string(), "10.0.0.0/23");
}

/// Patches the network `auto` of project A to auto mode (`true`) or custom mode.
fn to_auto(env: &mut TestEnv, auto: bool) -> Result<GcpOperation, GcpError> {
    let patch = NetworkPatch {
        auto_create_subnetworks: Some(auto),
        ..Default::default()
    };
    run(env, PA, |tx| patch_network(tx, PA, "auto", patch))
}

#[test]
fn converting_an_auto_network_to_custom_frees_its_subnetworks() {
    let mut env = TestEnv::new();
    net(&mut env, PA, "auto", true);
    let e = del_subnet(&mut env, "auto").unwrap_err();
    assert!(matches!(e, GcpError::AutoModeSubnetwork { .. }), "{e:?}");
    to_auto(&mut env, false).unwrap();
    del_subnet(&mut env, "auto").unwrap();
    // The other regions' subnetworks are now ordinary ones: the network cannot go before them.
    let e = run(&mut env, PA, |tx| delete_network(tx, PA, "auto")).unwrap_err();
    assert!(matches!(e, GcpError::InUse { .. }), "{e:?}");
    let back = to_auto(&mut env, true).unwrap_err();
    assert_eq!(back, GcpError::CustomToAuto);
}

#[test]
fn subnetworks_routes_and_firewalls_live_in_their_network_s_project() {
    let mut env = TestEnv::new();
    let a = net(&mut env, PA, "net-a", false);
    let e = subnet(&mut env, PB, "us-central1", "s", &a, "10.0.0.0/24").unwrap_err();
    assert!(
        matches!(
            e,
            GcpError::CrossProject {
                field: Field::Network,
                ..
            }
        ),
        "{e:?}"
    );
    let e = run(&mut env, PB, |tx| {
        insert_firewall(tx, PB, firewall_spec("fw", &a))
    })
    .unwrap_err();
    assert!(matches!(e, GcpError::CrossProject { .. }), "{e:?}");
    assert!(env.world.gcp.subnetworks.is_empty() && env.world.gcp.firewalls.is_empty());
}
