//! Scenario rows for GCP instances with a run state, and the outer-path helpers of a tunnel
//! gateway: a stopped instance cannot send or receive (`BAD_STATE`, fixed by starting it), a
//! route through a stopped next-hop instance drops what it carries, and the firewall and
//! internet-route questions a tunnel's outer path asks ([`gcp_ingress_admits`],
//! [`gcp_egress_admits`], [`gcp_internet_route`]).

mod common;

use std::net::Ipv4Addr;

use common::gcp as cmd;
use vpcpeer_model::gcp::{
    self, AccessConfigSpec, Command, FirewallSpec, GcpNextHop, InstanceSpec, MetadataItem, NicSpec,
};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_reach::{
    explain_world, gcp_egress_admits, gcp_ingress_admits, gcp_internet_route, remedy, Code,
    Endpoint, GcpInternetRoute, Leg, Protocol, Query, Remedy, Snapshot, Verdict,
};

const P: &str = "proj-a";
const ZONE: &str = "us-central1-a";

fn run(env: &mut TestEnv, c: Command) {
    cmd::run_in(env, P, c);
}

fn vm_path(name: &str) -> String {
    gcp::instance_path(P, ZONE, name)
}

fn vm(env: &mut TestEnv, name: &str, ip: &str, tags: &[&str], external: bool) {
    let spec = InstanceSpec {
        name: name.into(),
        machine_type: "e2-small".into(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        nics: vec![NicSpec {
            subnetwork: Some("regions/us-central1/subnetworks/s".into()),
            network_ip: Some(ip.into()),
            access_configs: external
                .then(AccessConfigSpec::default)
                .into_iter()
                .collect(),
            ..Default::default()
        }],
        can_ip_forward: external,
        metadata: vec![MetadataItem {
            key: "user-data".into(),
            value: format!("tunnel of {name}"),
        }],
        source_image: None,
    };
    let zone = ZONE.into();
    run(env, Command::InsertInstance { zone, spec });
}

fn firewall(env: &mut TestEnv, name: &str, direction: gcp::Direction, udp: &str, ranges: &[&str]) {
    run(
        env,
        cmd::firewall(name, "net", direction, "udp", udp, ranges),
    );
}

fn route(env: &mut TestEnv, name: &str, dest: &str, hop: GcpNextHop) {
    run(env, cmd::route(name, "net", dest, hop));
}

/// net 10.1.0.0/24 in us-central1: `a` (10.1.0.10) and `b` (10.1.0.11), `gw` (10.1.0.20, an
/// external address, `canIpForward`), tcp/443 allowed in from the network.
fn base() -> TestEnv {
    let mut env = TestEnv::with_seed(5);
    run(&mut env, cmd::network("net"));
    run(&mut env, cmd::subnetwork("s", "net", "10.1.0.0/24"));
    vm(&mut env, "a", "10.1.0.10", &[], false);
    vm(&mut env, "b", "10.1.0.11", &[], false);
    vm(&mut env, "gw", "10.1.0.20", &["gateway"], true);
    run(
        &mut env,
        Command::InsertFirewall(FirewallSpec {
            name: "allow-443".into(),
            description: String::new(),
            network: Some("global/networks/net".into()),
            direction: None,
            priority: None,
            allowed: vec![("tcp".into(), vec!["443".into()])],
            denied: vec![],
            source_ranges: vec![gcp::RangeInput::parse_address("10.1.0.0/24")],
            destination_ranges: vec![],
            source_tags: vec![],
            target_tags: vec![],
            disabled: false,
        }),
    );
    env
}

fn stop(env: &mut TestEnv, name: &str) {
    let (zone, name) = (ZONE.into(), name.into());
    run(env, Command::StopInstance { zone, name });
}

fn start(env: &mut TestEnv, name: &str) {
    let (zone, name) = (ZONE.into(), name.into());
    run(env, Command::StartInstance { zone, name });
}

fn ask(env: &TestEnv, from: &str, to: &str) -> Verdict {
    let snap = Snapshot::compile(&env.world, env.now);
    explain_world(
        &env.world,
        &snap,
        &Query {
            src: Endpoint::parse(from).expect("from"),
            dst: Endpoint::parse(to).expect("to"),
            protocol: Protocol::Tcp,
            port: Some(443),
        },
    )
    .expect("query")
}

/// `F:CODE@component`, per blocker.
fn blockers(v: &Verdict) -> Vec<String> {
    v.blockers
        .iter()
        .map(|b| {
            let leg = if b.leg == Leg::Forward { "F" } else { "R" };
            format!("{leg}:{}@{}", b.code, gcp::name_of(&b.component.id))
        })
        .collect()
}

struct Row {
    name: &'static str,
    setup: fn(&mut TestEnv),
    from: &'static str,
    to: &'static str,
    want: &'static [&'static str],
}

#[test]
fn run_state_scenarios() {
    let rows = [
        Row {
            name: "both running: reachable",
            setup: |_| {},
            from: "a",
            to: "b",
            want: &[],
        },
        Row {
            name: "a stopped destination cannot receive",
            setup: |e| stop(e, "b"),
            from: "a",
            to: "b",
            want: &["F:BAD_STATE@b"],
        },
        Row {
            name: "a stopped source cannot send",
            setup: |e| stop(e, "a"),
            from: "a",
            to: "b",
            want: &["F:BAD_STATE@a"],
        },
        Row {
            name: "both stopped: each end is named once",
            setup: |e| {
                stop(e, "a");
                stop(e, "b");
            },
            from: "a",
            to: "b",
            want: &["F:BAD_STATE@a", "F:BAD_STATE@b"],
        },
        Row {
            name: "stopped and started again: reachable",
            setup: |e| {
                stop(e, "b");
                start(e, "b");
            },
            from: "a",
            to: "b",
            want: &[],
        },
        Row {
            name: "a route through a stopped next-hop instance drops at that instance",
            setup: |e| {
                route(
                    e,
                    "via-gw",
                    "10.9.0.0/24",
                    GcpNextHop::Instance(vm_path("gw")),
                );
                stop(e, "gw");
            },
            from: "a",
            to: "10.9.0.5",
            want: &["F:BAD_STATE@gw"],
        },
    ];
    for row in rows {
        let mut env = base();
        (row.setup)(&mut env);
        let to = if row.to.contains('.') {
            row.to.to_owned()
        } else {
            vm_path(row.to)
        };
        let v = ask(&env, &vm_path(row.from), &to);
        assert_eq!(blockers(&v), row.want, "{}: {:#?}", row.name, v.blockers);
        assert_eq!(v.reachable, row.want.is_empty(), "{}", row.name);
    }
}

#[test]
fn a_stopped_instance_is_named_with_its_state_and_the_fix_is_to_start_it() {
    let mut env = base();
    stop(&mut env, "b");
    let v = ask(&env, &vm_path("a"), &vm_path("b"));
    let b = v.blockers[0].clone();
    assert_eq!(b.code, Code::BadState);
    assert!(
        b.detail.contains("instance b is TERMINATED, not RUNNING"),
        "{}",
        b.detail
    );
    let snap = Snapshot::compile(&env.world, env.now);
    assert_eq!(
        remedy(&snap, &v, &b),
        Remedy::StartInstance {
            instance: vm_path("b")
        }
    );
    // The route case names the next hop, whose start is the fix too.
    let mut env = base();
    route(
        &mut env,
        "via-gw",
        "10.9.0.0/24",
        GcpNextHop::Instance(vm_path("gw")),
    );
    stop(&mut env, "gw");
    let v = ask(&env, &vm_path("a"), "10.9.0.5");
    let b = v.blockers[0].clone();
    assert!(b.detail.contains("route via-gw"), "{}", b.detail);
    let snap = Snapshot::compile(&env.world, env.now);
    assert_eq!(
        remedy(&snap, &v, &b),
        Remedy::StartInstance {
            instance: vm_path("gw")
        }
    );
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

#[test]
fn the_model_tells_a_gateway_s_external_address_forwarding_state_and_user_data() {
    let mut env = base();
    let gw = env.world.gcp.instances()[&vm_path("gw")].clone();
    assert_eq!(gw.external_ipv4(), Some(ip("35.192.0.1")));
    assert!(gw.can_ip_forward() && gw.is_running());
    assert_eq!(gw.user_data(), Some("tunnel of gw"));
    let a = &env.world.gcp.instances()[&vm_path("a")];
    assert_eq!((a.external_ipv4(), a.can_ip_forward()), (None, false));
    stop(&mut env, "gw");
    let gw = &env.world.gcp.instances()[&vm_path("gw")];
    assert_eq!((gw.external_ipv4(), gw.is_running()), (None, false));
}

#[test]
fn the_firewall_answers_for_a_tunnel_s_outer_packets() {
    let mut env = base();
    let peer = ip("198.18.0.7");
    let other = ip("198.18.0.8");
    // No rule for udp/51820: the implied rules decide.
    let inst = env.world.gcp.instances()[&vm_path("gw")].clone();
    let d = gcp_ingress_admits(&env.world, &inst, peer, Protocol::Udp, 51820).unwrap();
    assert!(!d.allowed);
    assert_eq!(
        (d.rule.as_str(), d.priority),
        ("implied-deny-ingress", 65535)
    );
    let e = gcp_egress_admits(&env.world, &inst, peer, Protocol::Udp, 51820).unwrap();
    assert!(e.allowed);
    assert_eq!(e.rule, "implied-allow-egress");

    // A rule admitting udp/51820 from the peer's address only.
    firewall(
        &mut env,
        "tunnel-in",
        gcp::Direction::Ingress,
        "51820",
        &["198.18.0.7/32"],
    );
    let d = gcp_ingress_admits(&env.world, &inst, peer, Protocol::Udp, 51820).unwrap();
    assert!(d.allowed, "{d:?}");
    assert_eq!(d.rule_id, "projects/proj-a/global/firewalls/tunnel-in");
    assert_eq!(d.network, gcp::network_path(P, "net"));
    assert!(
        !gcp_ingress_admits(&env.world, &inst, other, Protocol::Udp, 51820)
            .unwrap()
            .allowed
    );
    assert!(
        !gcp_ingress_admits(&env.world, &inst, peer, Protocol::Udp, 51821)
            .unwrap()
            .allowed
    );
    assert!(
        !gcp_ingress_admits(&env.world, &inst, peer, Protocol::Tcp, 51820)
            .unwrap()
            .allowed
    );

    // An egress deny of everything at a better priority than an allow.
    run(
        &mut env,
        Command::InsertFirewall(FirewallSpec {
            name: "no-out".into(),
            description: String::new(),
            network: Some("global/networks/net".into()),
            direction: Some(gcp::Direction::Egress),
            priority: Some(900),
            allowed: vec![],
            denied: vec![("all".into(), vec![])],
            source_ranges: vec![],
            destination_ranges: vec![gcp::RangeInput::parse_address("0.0.0.0/0")],
            source_tags: vec![],
            target_tags: vec![],
            disabled: false,
        }),
    );
    firewall(
        &mut env,
        "tunnel-out",
        gcp::Direction::Egress,
        "51820",
        &["198.18.0.7/32"],
    );
    let e = gcp_egress_admits(&env.world, &inst, peer, Protocol::Udp, 51820).unwrap();
    assert_eq!(
        (e.allowed, e.rule.as_str(), e.priority),
        (false, "no-out", 900)
    );
}

#[test]
fn the_internet_route_of_a_gateway_s_network() {
    let mut env = base();
    let inst = env.world.gcp.instances()[&vm_path("gw")].clone();
    let peer = ip("198.18.0.7");
    // A network starts with its default route to the internet.
    let GcpInternetRoute::Internet {
        route: default,
        priority,
    } = gcp_internet_route(&env.world, &inst, peer)
    else {
        panic!("the default route");
    };
    assert!(default.starts_with("default-route-"), "{default}");
    assert_eq!(priority, 1000);
    // Without it, nothing leads there.
    run(&mut env, Command::DeleteRoute { name: default });
    assert_eq!(
        gcp_internet_route(&env.world, &inst, peer),
        GcpInternetRoute::NoRoute
    );
    route(
        &mut env,
        "default-inet",
        "0.0.0.0/0",
        GcpNextHop::Gateway("global/gateways/default-internet-gateway".into()),
    );
    assert_eq!(
        gcp_internet_route(&env.world, &inst, peer),
        GcpInternetRoute::Internet {
            route: "default-inet".into(),
            priority: 1000
        }
    );
    assert_eq!(
        gcp_internet_route(&env.world, &inst, ip("10.9.9.9")),
        GcpInternetRoute::PrivateAddress
    );
    // A more specific route elsewhere wins for the peer's address.
    route(
        &mut env,
        "to-b",
        "198.18.0.0/24",
        GcpNextHop::Instance(vm_path("b")),
    );
    assert_eq!(
        gcp_internet_route(&env.world, &inst, peer),
        GcpInternetRoute::Elsewhere {
            route: "to-b".into(),
            next_hop: "instance b".into()
        }
    );
}
