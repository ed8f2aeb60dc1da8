//! Scenario tests as data for GCP and Azure networks and for cross-cloud queries: each row is a
//! small topology built through the model's own GCP / Azure commands on a `Tx`, one query, and
//! the expected blockers (leg, code and the component or rule they name), in path order.

mod common;

use common::Build;
use vpcpeer_model::azure::ops::{
    self as az, IpConfigSpec, PutNic, PutNsg, PutPeering, PutRouteTable, PutVm, PutVnet,
    RouteSpec as AzRouteSpec, SubnetSpec as AzSubnetSpec, Target, VmPowerAction,
};
use vpcpeer_model::azure::{AzAccess, AzDirection, AzNextHop, AzSecurityRule, AzTags, AzureError};
use vpcpeer_model::gcp::{
    self, AddPeering, FirewallSpec, GcpError, GcpNextHop, InstanceSpec, NetworkSpec, NicSpec,
    RouteSpec, SubnetSpec,
};
use vpcpeer_model::testkit::{a, TestEnv};
use vpcpeer_model::{Scope, World};
use vpcpeer_reach::{
    explain_world, remedy, CloudRule, Code, Endpoint, Explanation, Fact, Leg, Protocol, Query,
    QueryError, Remedy, RuleRef, Snapshot, Verdict,
};

// ------------------------------------------------------------------ shared

fn ask(
    world: &World,
    env_now: vpcpeer_model::Timestamp,
    from: &str,
    to: &str,
    port: u16,
) -> Result<Verdict, QueryError> {
    let snap = Snapshot::compile(world, env_now);
    explain_world(
        world,
        &snap,
        &Query {
            src: Endpoint::parse(from).expect("from parses"),
            dst: Endpoint::parse(to).expect("to parses"),
            protocol: Protocol::Tcp,
            port: Some(port),
        },
    )
}

/// `F:CODE` / `R:CODE` per blocker, in order.
fn codes(v: &Verdict) -> Vec<String> {
    v.blockers
        .iter()
        .map(|b| {
            let leg = match b.leg {
                Leg::Forward => "F",
                Leg::Return => "R",
            };
            format!("{leg}:{}", b.code)
        })
        .collect()
}

/// Every hop as `id [rule]`, one per line, forward then return.
fn path_text(v: &Verdict) -> String {
    v.forward
        .iter()
        .chain(&v.ret)
        .map(|h| {
            let rule = match &h.rule {
                Some(RuleRef::Cloud(CloudRule::Route { name, next_hop, .. })) => {
                    format!("route {name} -> {next_hop}")
                }
                Some(RuleRef::Cloud(CloudRule::Filter {
                    policy,
                    rule,
                    action,
                    ..
                })) => format!("filter {policy}/{rule} {action:?}"),
                Some(other) => format!("{other:?}"),
                None => String::new(),
            };
            format!("{} {rule}", h.component.id)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check(name: &str, v: &Verdict, want: &[&str], mentions: &[&str]) {
    assert_eq!(codes(v), want, "{name}: blockers {:#?}", v.blockers);
    assert_eq!(v.reachable, want.is_empty(), "{name}");
    let text = format!(
        "{}\n{}",
        path_text(v),
        v.blockers
            .iter()
            .map(|b| format!("{} {}", b.component.id, b.detail))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for m in mentions {
        assert!(text.contains(m), "{name}: expected {m:?} in\n{text}");
    }
    assert!(!v.forward.is_empty(), "{name}: no forward path");
}

/// One scenario row: a topology built on the base world `W`, one query from `from` to `to`
/// (tcp/443), the expected blockers ([`codes`]) and text the path or blockers must mention.
struct Case<W> {
    name: &'static str,
    setup: fn(&mut W),
    from: &'static str,
    to: &'static str,
    want: &'static [&'static str],
    mentions: &'static [&'static str],
}

// ------------------------------------------------------------------ GCP

const PA: &str = "proj-a";
const PB: &str = "proj-b";
const PC: &str = "proj-c";
const ZONE: &str = "us-central1-a";

struct G {
    env: TestEnv,
}

impl G {
    fn run<T>(
        &mut self,
        project: &str,
        f: impl FnOnce(&mut vpcpeer_model::Tx<'_, '_>) -> Result<T, GcpError>,
    ) -> T {
        self.env
            .transact(&Scope::new(project, "global"), f)
            .expect("gcp command")
    }

    fn net(&mut self, project: &str, name: &str, cidr: &str) {
        self.run(project, |tx| {
            gcp::insert_network(
                tx,
                project,
                NetworkSpec {
                    name: name.into(),
                    auto_create_subnetworks: Some(false),
                    ..Default::default()
                },
            )
        });
        let network = gcp::network_path(project, name);
        self.run(project, |tx| {
            gcp::insert_subnetwork(
                tx,
                project,
                "us-central1",
                SubnetSpec {
                    name: format!("{name}-s"),
                    network,
                    ip_cidr_range: cidr.into(),
                    ..Default::default()
                },
            )
        });
    }

    fn vm(&mut self, project: &str, name: &str, net: &str, ip: &str, tags: &[&str]) {
        self.run(project, |tx| {
            gcp::insert_instance(
                tx,
                project,
                ZONE,
                InstanceSpec {
                    name: name.into(),
                    machine_type: "e2-small".into(),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    nics: vec![NicSpec {
                        network: Some(format!("global/networks/{net}")),
                        subnetwork: Some(format!("regions/us-central1/subnetworks/{net}-s")),
                        network_ip: Some(ip.into()),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            )
        });
    }

    fn peer(
        &mut self,
        project: &str,
        net: &str,
        name: &str,
        peer: &str,
        export: bool,
        import: bool,
    ) {
        let op = self.run(project, |tx| {
            gcp::add_peering(
                tx,
                project,
                net,
                AddPeering {
                    name: name.into(),
                    peer_network: peer.into(),
                    exchange_subnet_routes: Some(true),
                    export_custom_routes: export,
                    import_custom_routes: import,
                    ..Default::default()
                },
            )
        });
        let done = self.run(project, |tx| gcp::get_operation(tx, &op.id));
        assert!(done.error.is_none(), "peering {name}: {:?}", done.error);
    }

    #[allow(clippy::too_many_arguments)]
    fn fw(
        &mut self,
        project: &str,
        name: &str,
        net: &str,
        priority: u32,
        allow: bool,
        ports: &[&str],
        sources: &[&str],
        source_tags: &[&str],
        target_tags: &[&str],
    ) {
        let rule = vec![("tcp".into(), ports.iter().map(|p| (*p).into()).collect())];
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        self.run(project, |tx| {
            gcp::insert_firewall(
                tx,
                project,
                FirewallSpec {
                    name: name.into(),
                    description: String::new(),
                    network: Some(format!("global/networks/{net}")),
                    direction: Some(gcp::Direction::Ingress),
                    priority: Some(priority),
                    allowed: if allow { rule.clone() } else { Vec::new() },
                    denied: if allow { Vec::new() } else { rule },
                    source_ranges: sources.iter().map(|s| address(s)).collect(),
                    destination_ranges: Vec::new(),
                    source_tags: strings(source_tags),
                    target_tags: strings(target_tags),
                    disabled: false,
                },
            )
        });
    }

    /// An egress rule of `net` on tcp `ports` to `dests`.
    fn egress(
        &mut self,
        project: &str,
        name: &str,
        net: &str,
        priority: u32,
        allow: bool,
        dests: &[&str],
    ) {
        let rule = vec![("tcp".into(), Vec::new())];
        self.run(project, |tx| {
            gcp::insert_firewall(
                tx,
                project,
                FirewallSpec {
                    name: name.into(),
                    description: String::new(),
                    network: Some(format!("global/networks/{net}")),
                    direction: Some(gcp::Direction::Egress),
                    priority: Some(priority),
                    allowed: if allow { rule.clone() } else { Vec::new() },
                    denied: if allow { Vec::new() } else { rule },
                    source_ranges: Vec::new(),
                    destination_ranges: dests.iter().map(|d| address(d)).collect(),
                    source_tags: Vec::new(),
                    target_tags: Vec::new(),
                    disabled: false,
                },
            )
        });
    }

    /// A static route with a priority and instance tags.
    #[allow(clippy::too_many_arguments)]
    fn route_p(
        &mut self,
        project: &str,
        name: &str,
        net: &str,
        dest: &str,
        priority: u32,
        tags: &[&str],
        hop: GcpNextHop,
    ) {
        self.run(project, |tx| {
            gcp::insert_route(
                tx,
                project,
                RouteSpec {
                    name: name.into(),
                    description: String::new(),
                    network: format!("global/networks/{net}"),
                    dest_range: dest.into(),
                    priority: Some(priority),
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    next_hop: hop,
                },
            )
        });
    }

    /// Two routes for 10.8.0.0/24 (or a wider one): a blackhole via the deleted instance `gw`
    /// and one to an instance that still exists (a2, which the engine does not forward through).
    fn gone_and_live(&mut self, gone_prio: u32, live_prio: u32, live_dest: &str) {
        self.vm(PA, "gw", "net-a", "10.1.0.20", &[]);
        self.route_p(
            PA,
            "via-gone",
            "net-a",
            "10.8.0.0/24",
            gone_prio,
            &[],
            GcpNextHop::Instance(inst(PA, "gw")),
        );
        self.run(PA, |tx| gcp::delete_instance(tx, PA, ZONE, "gw"));
        self.route_p(
            PA,
            "via-a2",
            "net-a",
            live_dest,
            live_prio,
            &[],
            GcpNextHop::Ip("10.1.0.11".parse().expect("ip")),
        );
    }

    fn route(&mut self, project: &str, name: &str, net: &str, dest: &str, hop: GcpNextHop) {
        self.run(project, |tx| {
            gcp::insert_route(
                tx,
                project,
                RouteSpec {
                    name: name.into(),
                    description: String::new(),
                    network: format!("global/networks/{net}"),
                    dest_range: dest.into(),
                    priority: Some(1000),
                    tags: Vec::new(),
                    next_hop: hop,
                },
            )
        });
    }

    fn ask(&self, from: &str, to: &str, port: u16) -> Verdict {
        ask(&self.env.world, self.env.now, from, to, port).expect("query")
    }
}

fn inst(project: &str, name: &str) -> String {
    gcp::instance_path(project, ZONE, name)
}

/// net-a 10.1.0.0/24 (a1 tagged web, a2), net-b 10.2.0.0/24 (b1 tagged db, b2), net-c
/// 10.3.0.0/24 (c1), in three projects; no peering, no firewall rule.
fn gcp_base() -> G {
    let mut g = G {
        env: TestEnv::with_seed(11),
    };
    g.net(PA, "net-a", "10.1.0.0/24");
    g.net(PB, "net-b", "10.2.0.0/24");
    g.net(PC, "net-c", "10.3.0.0/24");
    g.vm(PA, "a1", "net-a", "10.1.0.10", &["web"]);
    g.vm(PA, "a2", "net-a", "10.1.0.11", &[]);
    g.vm(PB, "b1", "net-b", "10.2.0.10", &["db"]);
    g.vm(PB, "b2", "net-b", "10.2.0.11", &[]);
    g.vm(PC, "c1", "net-c", "10.3.0.10", &[]);
    g
}

fn net_path(project: &str, name: &str) -> String {
    gcp::network_path(project, name)
}

fn peer_ab(g: &mut G) {
    g.peer(PA, "net-a", "a-b", &net_path(PB, "net-b"), false, false);
    g.peer(PB, "net-b", "b-a", &net_path(PA, "net-a"), false, false);
}

fn allow_443_into_b(g: &mut G) {
    g.fw(
        PB,
        "allow-443",
        "net-b",
        1000,
        true,
        &["443"],
        &["10.1.0.0/24"],
        &[],
        &[],
    );
}

type GCase = Case<G>;

#[test]
fn gcp_scenarios() {
    let cases: &[GCase] = &[
        GCase {
            name: "reachable across an ACTIVE peering with an allow rule",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
            },
            from: "a1",
            to: "b1",
            want: &[],
            mentions: &[
                "projects/proj-a/global/networks/net-a/peerings/a-b",
                "filter net-b/allow-443 Allow",
                "filter net-a/implied-allow-egress Allow",
                "route peering subnet route from net-b -> network net-b (peering a-b)",
                "route peering subnet route from net-a -> network net-a (peering b-a)",
            ],
        },
        GCase {
            name: "INACTIVE peering (only one side)",
            setup: |g| {
                g.peer(PA, "net-a", "a-b", &net_path(PB, "net-b"), false, false);
                allow_443_into_b(g);
            },
            from: "a1",
            to: "b1",
            want: &["F:NO_ROUTE", "F:PEERING_NOT_ACTIVE", "R:NO_ROUTE"],
            mentions: &["peering a-b of network net-a to net-b is INACTIVE"],
        },
        GCase {
            name: "the implied deny-ingress rule",
            setup: peer_ab,
            from: "a1",
            to: "b1",
            want: &["F:FIREWALL_RULE"],
            mentions: &["projects/proj-b/global/networks/net-b/implied-deny-ingress the implied deny-ingress rule (priority 65535) of network net-b denies ingress"],
        },
        GCase {
            name: "an explicit deny ahead of the allow (lower priority value)",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
                g.fw(PB, "deny-web", "net-b", 900, false, &[], &["10.0.0.0/8"], &[], &[]);
            },
            from: "a1",
            to: "b1",
            want: &["F:FIREWALL_RULE"],
            mentions: &["firewall rule deny-web (priority 900) of network net-b denies ingress"],
        },
        GCase {
            name: "a deny behind the allow (higher priority value) does not decide",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
                g.fw(PB, "deny-web", "net-b", 1100, false, &[], &["10.0.0.0/8"], &[], &[]);
            },
            from: "a1",
            to: "b1",
            want: &[],
            mentions: &["filter net-b/allow-443 Allow"],
        },
        GCase {
            name: "a deny and an allow of equal priority: the deny wins",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
                g.fw(PB, "deny-same", "net-b", 1000, false, &["443"], &["10.1.0.0/24"], &[], &[]);
            },
            from: "a1",
            to: "b1",
            want: &["F:FIREWALL_RULE"],
            mentions: &["deny-same"],
        },
        GCase {
            name: "a tag-targeted allow admits its target",
            setup: |g| {
                peer_ab(g);
                g.fw(PB, "allow-db", "net-b", 1000, true, &["443"], &["10.1.0.0/24"], &[], &["db"]);
            },
            from: "a1",
            to: "b1",
            want: &[],
            mentions: &["filter net-b/allow-db Allow"],
        },
        GCase {
            name: "a tag-targeted allow does not admit an untagged instance",
            setup: |g| {
                peer_ab(g);
                g.fw(PB, "allow-db", "net-b", 1000, true, &["443"], &["10.1.0.0/24"], &[], &["db"]);
            },
            from: "a1",
            to: "b2",
            want: &["F:FIREWALL_RULE"],
            mentions: &["implied-deny-ingress"],
        },
        GCase {
            name: "source tags match instances of the same network",
            setup: |g| {
                g.fw(PA, "from-web", "net-a", 1000, true, &["443"], &[], &["web"], &[]);
            },
            from: "a1",
            to: "a2",
            want: &[],
            mentions: &["filter net-a/from-web Allow", "route subnet route of net-a-s"],
        },
        GCase {
            name: "source tags never match a peer network's instances",
            setup: |g| {
                peer_ab(g);
                g.fw(PB, "from-web", "net-b", 1000, true, &["443"], &[], &["web"], &[]);
            },
            from: "a1",
            to: "b1",
            want: &["F:FIREWALL_RULE"],
            mentions: &["implied-deny-ingress"],
        },
        GCase {
            name: "not transitive: a-b and b-c do not join a and c",
            setup: |g| {
                peer_ab(g);
                g.peer(PB, "net-b", "b-c", &net_path(PC, "net-c"), true, true);
                g.peer(PC, "net-c", "c-b", &net_path(PB, "net-b"), true, true);
                g.fw(PC, "allow-all-443", "net-c", 1000, true, &["443"], &["10.0.0.0/8"], &[], &[]);
            },
            from: "a1",
            to: "c1",
            want: &["F:NO_ROUTE", "F:NO_PEERING_PATH", "R:NO_ROUTE"],
            mentions: &["networks net-a and net-c are not peered; both are peered with net-b, but peering is not transitive"],
        },
        GCase {
            name: "custom routes are not exchanged without the flags",
            setup: |g| {
                peer_ab(g);
                g.route(PB, "to-appliance", "net-b", "10.9.0.0/24", GcpNextHop::Instance(inst(PB, "b2")));
            },
            from: "a1",
            to: "10.9.0.5",
            want: &["F:NO_ROUTE"],
            mentions: &["the address is private"],
        },
        GCase {
            name: "custom routes: exported by b but not imported by a",
            setup: |g| {
                g.peer(PA, "net-a", "a-b", &net_path(PB, "net-b"), false, false);
                g.peer(PB, "net-b", "b-a", &net_path(PA, "net-a"), true, false);
                g.route(PB, "to-appliance", "net-b", "10.9.0.0/24", GcpNextHop::Instance(inst(PB, "b2")));
            },
            from: "a1",
            to: "10.9.0.5",
            want: &["F:NO_ROUTE"],
            mentions: &[],
        },
        GCase {
            name: "custom routes: exported by b and imported by a are followed",
            setup: |g| {
                g.peer(PA, "net-a", "a-b", &net_path(PB, "net-b"), false, true);
                g.peer(PB, "net-b", "b-a", &net_path(PA, "net-a"), true, false);
                g.route(PB, "to-appliance", "net-b", "10.9.0.0/24", GcpNextHop::Instance(inst(PB, "b2")));
            },
            from: "a1",
            to: "10.9.0.5",
            want: &["F:UNSUPPORTED_COMPONENT"],
            mentions: &["route peering route to-appliance from net-b -> instance b2 (peering a-b)"],
        },
        GCase {
            name: "a route to a deleted instance is a blackhole",
            setup: |g| {
                g.vm(PA, "gw", "net-a", "10.1.0.20", &[]);
                g.route(PA, "via-gw", "net-a", "10.8.0.0/24", GcpNextHop::Instance(inst(PA, "gw")));
                g.run(PA, |tx| gcp::delete_instance(tx, PA, ZONE, "gw"));
            },
            from: "a1",
            to: "10.8.0.1",
            want: &["F:ROUTE_BLACKHOLE"],
            mentions: &["next hop instance projects/proj-a/zones/us-central1-a/instances/gw does not exist"],
        },
        GCase {
            name: "an egress deny of the source network",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
                g.egress(PA, "no-out", "net-a", 1000, false, &["10.2.0.0/16"]);
            },
            from: "a1",
            to: "b1",
            want: &["F:FIREWALL_RULE"],
            mentions: &["firewall rule no-out (priority 1000) of network net-a denies egress"],
        },
        GCase {
            name: "an egress allow ahead of an egress deny",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
                g.egress(PA, "no-out", "net-a", 1000, false, &["10.0.0.0/8"]);
                g.egress(PA, "out-to-b", "net-a", 500, true, &["10.2.0.0/24"]);
            },
            from: "a1",
            to: "b1",
            want: &[],
            mentions: &["filter net-a/out-to-b Allow"],
        },
        GCase {
            name: "equal prefixes: the lowest priority value wins (the blackhole)",
            setup: |g| g.gone_and_live(100, 200, "10.8.0.0/24"),
            from: "a1",
            to: "10.8.0.1",
            want: &["F:ROUTE_BLACKHOLE"],
            mentions: &["route via-gone -> instance gw"],
        },
        GCase {
            name: "equal prefixes: the lowest priority value wins (the live route)",
            setup: |g| g.gone_and_live(200, 100, "10.8.0.0/24"),
            from: "a1",
            to: "10.8.0.1",
            want: &["F:UNSUPPORTED_COMPONENT"],
            mentions: &["route via-a2 -> ip 10.1.0.11"],
        },
        GCase {
            name: "the longest prefix wins over priority",
            setup: |g| g.gone_and_live(900, 100, "10.8.0.0/16"),
            from: "a1",
            to: "10.8.0.1",
            want: &["F:ROUTE_BLACKHOLE"],
            mentions: &["route via-gone -> instance gw"],
        },
        GCase {
            name: "a tagged route applies only to instances with the tag",
            setup: |g| {
                g.vm(PA, "gw", "net-a", "10.1.0.20", &[]);
                g.route_p(PA, "web-only", "net-a", "10.8.0.0/24", 100, &["web"], GcpNextHop::Instance(inst(PA, "gw")));
                g.run(PA, |tx| gcp::delete_instance(tx, PA, ZONE, "gw"));
            },
            from: "a2",
            to: "10.8.0.1",
            want: &["F:NO_ROUTE"],
            mentions: &["default-route-"],
        },
        GCase {
            name: "the selfLink URL names the same instance",
            setup: |g| {
                peer_ab(g);
                allow_443_into_b(g);
            },
            from: "https://compute.googleapis.com/compute/v1/projects/proj-a/zones/us-central1-a/instances/a1",
            to: "10.2.0.10",
            want: &[],
            mentions: &["projects/proj-b/zones/us-central1-a/instances/b1"],
        },
    ];
    for c in cases {
        let mut g = gcp_base();
        (c.setup)(&mut g);
        let from = if c.from.contains('/') {
            c.from.to_owned()
        } else {
            short(c.from)
        };
        let to = short(c.to);
        let v = g.ask(&from, &to, 443);
        check(c.name, &v, c.want, c.mentions);
    }
}

/// `a1` → its instance path; addresses and paths as given.
fn short(s: &str) -> String {
    let project = match s.chars().next() {
        Some('a') => PA,
        Some('b') => PB,
        Some('c') => PC,
        _ => return s.to_owned(),
    };
    if s.len() <= 3 {
        inst(project, s)
    } else {
        s.to_owned()
    }
}

#[test]
fn gcp_endpoints_that_do_not_resolve_are_errors() {
    let g = gcp_base();
    let missing = ask(
        &g.env.world,
        g.env.now,
        &inst(PA, "a1"),
        &inst(PB, "nope"),
        443,
    );
    assert_eq!(
        missing.unwrap_err(),
        QueryError::UnknownInstance(inst(PB, "nope"))
    );
    let same = ask(&g.env.world, g.env.now, &inst(PA, "a1"), "10.1.0.10", 443);
    assert!(
        matches!(same, Err(QueryError::SameInterface(_))),
        "{same:?}"
    );
}

#[test]
fn gcp_ip_in_a_subnetwork_with_a_network_hint() {
    let mut g = gcp_base();
    peer_ab(&mut g);
    allow_443_into_b(&mut g);
    // An address of net-b's range that no instance holds, named with its network.
    let v = g.ask(
        &inst(PA, "a1"),
        "10.2.0.99@projects/proj-b/global/networks/net-b",
        443,
    );
    check(
        "address in a subnetwork",
        &v,
        &[],
        &["projects/proj-b/regions/us-central1/subnetworks/net-b-s"],
    );
    let wrong = ask(
        &g.env.world,
        g.env.now,
        &inst(PA, "a1"),
        "10.2.0.99@projects/proj-c/global/networks/net-c",
        443,
    );
    assert!(
        matches!(wrong, Err(QueryError::UnknownEndpoint(_))),
        "{wrong:?}"
    );
}

// ------------------------------------------------------------------ Azure

const SUB: &str = "00000000-0000-0000-0000-0000000000aa";
const RG: &str = "rg";

struct Az {
    env: TestEnv,
}

fn arm(kind: &str, name: &str) -> String {
    Target::new(SUB, RG, name).network_id(kind)
}

fn vm_id(name: &str) -> String {
    az::vm_id(&Target::new(SUB, RG, name))
}

fn allow_vnet() -> PutPeering {
    PutPeering::default()
}

impl Az {
    fn run<T>(
        &mut self,
        f: impl FnOnce(&mut vpcpeer_model::Tx<'_, '_>) -> Result<T, AzureError>,
    ) -> T {
        common::azure::run_in(&mut self.env, SUB, f)
    }

    fn vnet(&mut self, name: &str, location: &str, space: &str, subnet: &str) {
        let req = PutVnet {
            location: Some(location.into()),
            prefixes: vec![space.into()],
            subnets: Some(vec![AzSubnetSpec {
                name: "default".into(),
                prefix: Some(subnet.into()),
                nsg: None,
                route_table: None,
            }]),
            tags: AzTags::new(),
        };
        self.run(|tx| az::put_vnet(tx, &Target::new(SUB, RG, name), req));
    }

    /// PUTs VM `vm`'s NIC `<vm>-nic`: one static address `ip` in `vnet`'s default subnet, and
    /// `nsg` if given. Returns the NIC's name.
    fn put_nic(
        &mut self,
        vm: &str,
        vnet: &str,
        location: &str,
        ip: &str,
        nsg: Option<String>,
    ) -> String {
        let subnet = format!("{}/subnets/default", arm("virtualNetworks", vnet));
        let nic = format!("{vm}-nic");
        self.run(|tx| {
            az::put_nic(
                tx,
                &Target::new(SUB, RG, &nic),
                PutNic {
                    location: Some(location.into()),
                    ip_configs: vec![IpConfigSpec {
                        name: "ipconfig1".into(),
                        subnet_id: Some(subnet),
                        private_ip: Some(ip.into()),
                        is_static: true,
                        primary: Some(true),
                        public_ip: None,
                    }],
                    nsg,
                    ..Default::default()
                },
            )
        });
        nic
    }

    fn vm(&mut self, name: &str, vnet: &str, location: &str, ip: &str) {
        let nic = self.put_nic(name, vnet, location, ip, None);
        let nic_id = arm("networkInterfaces", &nic);
        self.run(|tx| {
            az::put_vm(
                tx,
                &Target::new(SUB, RG, name),
                PutVm {
                    location: Some(location.into()),
                    nics: vec![nic_id],
                    size: None,
                    tags: AzTags::new(),
                    custom_data: None,
                    image: None,
                },
            )
        });
    }

    fn peer(&mut self, vnet: &str, name: &str, remote: &str, req: PutPeering) {
        let remote = arm("virtualNetworks", remote);
        self.run(|tx| {
            az::put_peering(
                tx,
                &Target::new(SUB, RG, vnet),
                name,
                PutPeering {
                    remote_vnet_id: Some(remote),
                    ..req
                },
            )
        });
    }

    fn both(&mut self, x: &str, y: &str) {
        self.peer(x, &format!("{x}-{y}"), y, allow_vnet());
        self.peer(y, &format!("{y}-{x}"), x, allow_vnet());
    }

    fn nsg(&mut self, name: &str, location: &str, rules: Vec<AzSecurityRule>) -> String {
        self.run(|tx| {
            az::put_nsg(
                tx,
                &Target::new(SUB, RG, name),
                PutNsg {
                    location: Some(location.into()),
                    rules,
                    tags: AzTags::new(),
                },
            )
        })
        .0
        .display_id
    }

    /// Re-PUTs `vnet`'s subnet with an NSG and/or a route table.
    fn subnet_assoc(
        &mut self,
        vnet: &str,
        subnet: &str,
        nsg: Option<String>,
        table: Option<String>,
    ) {
        self.run(|tx| {
            az::put_subnet(
                tx,
                &Target::new(SUB, RG, vnet),
                AzSubnetSpec {
                    name: "default".into(),
                    prefix: Some(subnet.into()),
                    nsg,
                    route_table: table,
                },
            )
        });
    }

    /// Re-PUTs VM `vm`'s NIC with an NSG.
    fn nic_nsg(&mut self, vm: &str, vnet: &str, location: &str, ip: &str, nsg: String) {
        self.put_nic(vm, vnet, location, ip, Some(nsg));
    }

    fn route_table(&mut self, name: &str, routes: Vec<AzRouteSpec>) -> String {
        self.run(|tx| {
            az::put_route_table(
                tx,
                &Target::new(SUB, RG, name),
                PutRouteTable {
                    location: Some("eastus".into()),
                    routes,
                    ..Default::default()
                },
            )
        })
        .0
        .display_id
    }

    fn ask(&self, from: &str, to: &str, port: u16) -> Verdict {
        ask(&self.env.world, self.env.now, from, to, port).expect("query")
    }

    /// Deallocates, powers off or starts the VM `vm`.
    fn power(&mut self, vm: &str, action: VmPowerAction) {
        self.run(|tx| az::vm_power(tx, &Target::new(SUB, RG, vm), action));
    }

    /// The VM `nva` (10.10.1.5 in va) as the appliance of a route from va's subnet to vb's.
    fn via_appliance(&mut self) {
        self.both("va", "vb");
        self.vm("nva", "va", "eastus", "10.10.1.5");
        let rt = self.route_table(
            "rt-a",
            vec![AzRouteSpec {
                name: "via-nva".into(),
                prefix: "10.20.1.0/24".into(),
                next_hop: AzNextHop::VirtualAppliance,
                next_hop_ip: Some("10.10.1.5".into()),
            }],
        );
        self.subnet_assoc("va", "10.10.1.0/24", None, Some(rt));
    }
}

fn deny_443(name: &str, priority: u32, dir: AzDirection, source: &str) -> AzSecurityRule {
    AzSecurityRule {
        name: name.into(),
        priority,
        direction: dir,
        access: AzAccess::Deny,
        protocol: "Tcp".into(),
        source_ports: vec!["*".into()],
        destination_ports: vec!["443".into()],
        source_prefixes: vec![source.into()],
        destination_prefixes: vec!["*".into()],
        description: None,
    }
}

/// va 10.10.0.0/16, vb 10.20.0.0/16, vc 10.30.0.0/16 (eastus), vw 10.40.0.0/16 (westus), one
/// subnet `default` and one VM each; no peering, no NSG, no route table.
fn az_base() -> Az {
    let mut z = Az {
        env: TestEnv::with_seed(13),
    };
    z.run(|tx| az::put_resource_group(tx, SUB, RG, Some("eastus"), AzTags::new()));
    z.vnet("va", "eastus", "10.10.0.0/16", "10.10.1.0/24");
    z.vnet("vb", "eastus", "10.20.0.0/16", "10.20.1.0/24");
    z.vnet("vc", "eastus", "10.30.0.0/16", "10.30.1.0/24");
    z.vnet("vw", "westus", "10.40.0.0/16", "10.40.1.0/24");
    z.vm("vm-a", "va", "eastus", "10.10.1.4");
    z.vm("vm-b", "vb", "eastus", "10.20.1.4");
    z.vm("vm-c", "vc", "eastus", "10.30.1.4");
    z.vm("vm-w", "vw", "westus", "10.40.1.4");
    z
}

type ACase = Case<Az>;

#[test]
fn azure_scenarios() {
    let cases: &[ACase] = &[
        ACase {
            name: "reachable across a Connected peering",
            setup: |z| z.both("va", "vb"),
            from: "vm-a",
            to: "vm-b",
            want: &[],
            mentions: &[
                "virtualNetworkPeerings/va-vb",
                "virtualNetworkPeerings/vb-va",
                "route system route -> VNetPeering",
            ],
        },
        ACase {
            name: "Initiated: only one link",
            setup: |z| z.peer("va", "va-vb", "vb", allow_vnet()),
            from: "vm-a",
            to: "vm-b",
            want: &["F:NO_ROUTE", "F:PEERING_NOT_ACTIVE", "R:NO_ROUTE"],
            mentions: &["peering va-vb of va to vb is Initiated"],
        },
        ACase {
            name: "Disconnected: the reverse link was deleted",
            setup: |z| {
                z.both("va", "vb");
                z.run(|tx| az::delete_peering(tx, &Target::new(SUB, RG, "vb"), "vb-va"));
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:NO_ROUTE", "F:PEERING_NOT_ACTIVE", "R:NO_ROUTE"],
            mentions: &["peering va-vb of va to vb is Disconnected"],
        },
        ACase {
            name: "an NSG on the destination NIC denies, naming its rule",
            setup: |z| {
                z.both("va", "vb");
                let nsg = z.nsg("nsg-nic-b", "eastus", vec![deny_443("deny-443", 100, AzDirection::Inbound, "*")]);
                z.nic_nsg("vm-b", "vb", "eastus", "10.20.1.4", nsg);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:NSG_RULE"],
            mentions: &["nsg-nic-b/deny-443 (priority 100) denies inbound"],
        },
        ACase {
            name: "an NSG on the destination subnet denies while the NIC's allows",
            setup: |z| {
                z.both("va", "vb");
                let sub = z.nsg("nsg-sub-b", "eastus", vec![deny_443("deny-from-va", 200, AzDirection::Inbound, "10.10.0.0/16")]);
                z.subnet_assoc("vb", "10.20.1.0/24", Some(sub), None);
                let nic = z.nsg("nsg-nic-b", "eastus", Vec::new());
                z.nic_nsg("vm-b", "vb", "eastus", "10.20.1.4", nic);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:NSG_RULE"],
            mentions: &[
                "nsg-sub-b/deny-from-va (priority 200) denies inbound",
                "filter nsg-nic-b/AllowVnetInBound Allow",
            ],
        },
        ACase {
            name: "the default rules admit a Connected peer (VirtualNetwork includes it)",
            setup: |z| {
                z.both("va", "vb");
                let sub = z.nsg("nsg-sub-b", "eastus", Vec::new());
                z.subnet_assoc("vb", "10.20.1.0/24", Some(sub), None);
            },
            from: "vm-a",
            to: "vm-b",
            want: &[],
            mentions: &["filter nsg-sub-b/AllowVnetInBound Allow"],
        },
        ACase {
            name: "an outbound NSG on the source NIC denies",
            setup: |z| {
                z.both("va", "vb");
                let nsg = z.nsg("nsg-nic-a", "eastus", vec![deny_443("no-out-443", 100, AzDirection::Outbound, "*")]);
                z.nic_nsg("vm-a", "va", "eastus", "10.10.1.4", nsg);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:NSG_RULE"],
            mentions: &["nsg-nic-a/no-out-443 (priority 100) denies outbound"],
        },
        ACase {
            name: "allowVirtualNetworkAccess=false on the source's link",
            setup: |z| {
                z.peer("va", "va-vb", "vb", PutPeering { allow_vnet_access: false, ..PutPeering::default() });
                z.peer("vb", "vb-va", "va", allow_vnet());
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:NO_ROUTE", "F:PEERING_ACCESS_DISABLED"],
            mentions: &["peering va-vb of va to vb is Connected but allowVirtualNetworkAccess is false"],
        },
        ACase {
            name: "allowVirtualNetworkAccess=false on the destination's link",
            setup: |z| {
                z.peer("va", "va-vb", "vb", allow_vnet());
                z.peer("vb", "vb-va", "va", PutPeering { allow_vnet_access: false, ..PutPeering::default() });
                let sub = z.nsg("nsg-sub-b", "eastus", Vec::new());
                z.subnet_assoc("vb", "10.20.1.0/24", Some(sub), None);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:NSG_RULE", "R:NO_ROUTE", "R:PEERING_ACCESS_DISABLED"],
            mentions: &["nsg-sub-b/DenyAllInBound (priority 65500) denies inbound"],
        },
        ACase {
            name: "a user-defined route to None drops",
            setup: |z| {
                z.both("va", "vb");
                let rt = z.route_table("rt-a", vec![AzRouteSpec {
                    name: "drop-vb".into(),
                    prefix: "10.20.0.0/16".into(),
                    next_hop: AzNextHop::None,
                    next_hop_ip: None,
                }]);
                z.subnet_assoc("va", "10.10.1.0/24", None, Some(rt));
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:ROUTE_BLACKHOLE"],
            mentions: &["user-defined route drop-vb (10.20.0.0/16 -> None) drops", "routeTables/rt-a"],
        },
        ACase {
            name: "a user-defined route to a virtual appliance nobody holds",
            setup: |z| {
                z.both("va", "vb");
                let rt = z.route_table("rt-a", vec![AzRouteSpec {
                    name: "via-nva".into(),
                    prefix: "10.20.1.0/24".into(),
                    next_hop: AzNextHop::VirtualAppliance,
                    next_hop_ip: Some("10.10.1.200".into()),
                }]);
                z.subnet_assoc("va", "10.10.1.0/24", None, Some(rt));
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:ROUTE_BLACKHOLE"],
            mentions: &["no NIC holds the appliance address"],
        },
        ACase {
            name: "not transitive: va-vb and vb-vc do not join va and vc",
            setup: |z| {
                z.both("va", "vb");
                z.both("vb", "vc");
            },
            from: "vm-a",
            to: "vm-c",
            want: &["F:NO_ROUTE", "F:NO_PEERING_PATH", "R:NO_ROUTE"],
            mentions: &["virtual networks va and vc are not peered; both are peered with vb, but peering is not transitive"],
        },
        ACase {
            name: "global peering across regions",
            setup: |z| z.both("va", "vw"),
            from: "vm-a",
            to: "vm-w",
            want: &[],
            mentions: &["route system route -> VNetGlobalPeering"],
        },
        ACase {
            name: "an NSG's default rules deny outbound to an unpeered private address",
            setup: |z| {
                let nsg = z.nsg("nsg-sub-a", "eastus", Vec::new());
                z.subnet_assoc("va", "10.10.1.0/24", Some(nsg), None);
            },
            from: "vm-a",
            to: "vm-c",
            want: &["F:NSG_RULE", "F:NO_ROUTE", "F:NO_PEERING_PATH", "R:NO_ROUTE"],
            mentions: &["nsg-sub-a/DenyAllOutBound (priority 65500) denies outbound", "virtual networks va and vc are not peered"],
        },
        ACase {
            name: "an NSG's default rules allow outbound to the internet",
            setup: |z| {
                let nsg = z.nsg("nsg-sub-a", "eastus", Vec::new());
                z.subnet_assoc("va", "10.10.1.0/24", Some(nsg), None);
            },
            from: "vm-a",
            to: "93.184.216.34",
            want: &[],
            mentions: &["filter nsg-sub-a/AllowInternetOutBound Allow"],
        },
        ACase {
            name: "a deallocated source VM cannot send",
            setup: |z| {
                z.both("va", "vb");
                z.power("vm-a", VmPowerAction::Deallocate);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:INSTANCE_NOT_RUNNING"],
            mentions: &["virtual machine vm-a is deallocated: it cannot send"],
        },
        ACase {
            name: "a powered-off destination VM cannot receive",
            setup: |z| {
                z.both("va", "vb");
                z.power("vm-b", VmPowerAction::PowerOff);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:INSTANCE_NOT_RUNNING"],
            mentions: &["virtual machine vm-b is stopped (powered off): it cannot receive"],
        },
        ACase {
            name: "a started VM is reachable again",
            setup: |z| {
                z.both("va", "vb");
                z.power("vm-b", VmPowerAction::Deallocate);
                z.power("vm-b", VmPowerAction::Start);
            },
            from: "vm-a",
            to: "vm-b",
            want: &[],
            mentions: &[],
        },
        ACase {
            name: "both ends stopped: one blocker each",
            setup: |z| {
                z.both("va", "vb");
                z.power("vm-a", VmPowerAction::PowerOff);
                z.power("vm-b", VmPowerAction::Deallocate);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:INSTANCE_NOT_RUNNING", "F:INSTANCE_NOT_RUNNING"],
            mentions: &["vm-a is stopped (powered off)", "vm-b is deallocated"],
        },
        ACase {
            name: "a user-defined route to the NIC of a deallocated appliance VM drops",
            setup: |z| {
                z.via_appliance();
                z.power("nva", VmPowerAction::Deallocate);
            },
            from: "vm-a",
            to: "vm-b",
            want: &["F:ROUTE_BLACKHOLE"],
            mentions: &["the appliance's virtual machine nva is deallocated", "routeTables/rt-a"],
        },
        ACase {
            name: "a user-defined route to a running appliance VM is not followed",
            setup: |z| z.via_appliance(),
            from: "vm-a",
            to: "vm-b",
            want: &["F:UNSUPPORTED_COMPONENT"],
            mentions: &["virtual appliance 10.10.1.5"],
        },
        ACase {
            name: "the internet through the system route",
            setup: |_| {},
            from: "vm-a",
            to: "8.8.8.8",
            want: &[],
            mentions: &["route system route -> Internet", "internet"],
        },
    ];
    for c in cases {
        let mut z = az_base();
        (c.setup)(&mut z);
        let to = if c.to.starts_with("vm-") {
            vm_id(c.to)
        } else {
            c.to.to_owned()
        };
        let v = z.ask(&vm_id(c.from), &to, 443);
        check(c.name, &v, c.want, c.mentions);
    }
}

#[test]
fn azure_addresses_without_a_nic_are_endpoints_of_their_subnet() {
    let mut z = az_base();
    z.both("va", "vb");
    let nsg = z.nsg(
        "nsg-sub-b",
        "eastus",
        vec![deny_443(
            "deny-one",
            300,
            AzDirection::Inbound,
            "10.10.1.50",
        )],
    );
    z.subnet_assoc("vb", "10.20.1.0/24", Some(nsg), None);
    let from = format!(
        "10.10.1.50@{}",
        arm("virtualNetworks", "va")
            .to_uppercase()
            .replace("SUBSCRIPTIONS", "subscriptions")
    );
    let v = z.ask(&from, &vm_id("vm-b"), 443);
    check(
        "an address of va's subnet to vm-b",
        &v,
        &["F:NSG_RULE"],
        &[
            "virtualNetworks/va/subnets/default",
            "nsg-sub-b/deny-one (priority 300)",
        ],
    );
    let v = z.ask("10.10.1.51", &vm_id("vm-b"), 443);
    check(
        "another address of the same subnet",
        &v,
        &[],
        &["filter nsg-sub-b/AllowVnetInBound Allow"],
    );
    let nowhere = ask(&z.env.world, z.env.now, "10.99.0.1", &vm_id("vm-b"), 443);
    assert_eq!(
        nowhere.unwrap_err(),
        QueryError::UnknownSourceAddress("10.99.0.1".parse().expect("ip"))
    );
}

#[test]
fn azure_ids_are_case_insensitive_and_nics_are_endpoints() {
    let mut z = az_base();
    z.both("va", "vb");
    let upper = vm_id("vm-a")
        .to_ascii_uppercase()
        .replace("SUBSCRIPTIONS", "subscriptions");
    let v = z.ask(&upper, &arm("networkInterfaces", "vm-b-nic"), 22);
    check("upper-case VM id to a NIC", &v, &[], &["vm-b-nic"]);
    let missing = ask(&z.env.world, z.env.now, &vm_id("vm-a"), &vm_id("nope"), 22);
    assert!(
        matches!(missing, Err(QueryError::UnknownEndpoint(_))),
        "{missing:?}"
    );
}

// ------------------------------------------------------------------ cross-cloud

/// The blocker of `code` in `v`, with its typed remedy over `world`.
fn remedy_of(
    world: &World,
    now: vpcpeer_model::Timestamp,
    v: &Verdict,
    code: Code,
) -> (Explanation, Remedy) {
    let b = v
        .blockers
        .iter()
        .find(|b| b.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:?}", codes(v)))
        .clone();
    let r = remedy(&Snapshot::compile(world, now), v, &b);
    (b, r)
}

#[test]
fn peering_blockers_carry_the_facts_their_remedies_need() {
    // GCP: net-a has an entry to net-b, net-b none back.
    let mut g = gcp_base();
    g.peer(PA, "net-a", "a-b", &net_path(PB, "net-b"), false, false);
    let v = g.ask(&inst(PA, "a1"), &inst(PB, "b1"), 443);
    let (b, r) = remedy_of(&g.env.world, g.env.now, &v, Code::PeeringNotActive);
    let one_sided = Fact::GcpPeeringOneSided {
        network: net_path(PA, "net-a"),
        name: "a-b".into(),
    };
    assert_eq!(b.fact, Some(one_sided));
    assert_eq!(
        r,
        Remedy::AddGcpPeeringBack {
            network: net_path(PA, "net-a"),
            name: "a-b".into(),
        }
    );
    // Azure: a link alone is Initiated; a link whose reverse was deleted is Disconnected.
    let mut z = az_base();
    z.peer("va", "va-vb", "vb", allow_vnet());
    let v = z.ask(&vm_id("vm-a"), &vm_id("vm-b"), 443);
    let (b, r) = remedy_of(&z.env.world, z.env.now, &v, Code::PeeringNotActive);
    assert_eq!(b.fact, None);
    assert_eq!(
        r,
        Remedy::CreateReverseAzureLink {
            link: b.component.id.clone()
        }
    );
    z.peer("vb", "vb-va", "va", allow_vnet());
    z.run(|tx| az::delete_peering(tx, &Target::new(SUB, RG, "vb"), "vb-va"));
    let v = z.ask(&vm_id("vm-a"), &vm_id("vm-b"), 443);
    let (b, r) = remedy_of(&z.env.world, z.env.now, &v, Code::PeeringNotActive);
    assert_eq!(b.fact, Some(Fact::AzureLinkDisconnected));
    assert_eq!(
        r,
        Remedy::RecreateAzurePeering {
            link: b.component.id.clone()
        }
    );
}

#[test]
fn cross_cloud_queries_are_unreachable_with_their_own_code() {
    let mut g = gcp_base();
    // An Azure VNet and VM, and an AWS VPC and instance, in the same world.
    let mut z = Az {
        env: std::mem::take(&mut g.env),
    };
    z.run(|tx| az::put_resource_group(tx, SUB, RG, Some("eastus"), AzTags::new()));
    z.vnet("va", "eastus", "10.10.0.0/16", "10.10.1.0/24");
    z.vm("vm-a", "va", "eastus", "10.10.1.4");
    let mut env = z.env;
    let vpc = env.vpc(&a(), "10.50.0.0/16");
    let subnet = env.subnet(&a(), &vpc, "10.50.1.0/24");
    let sg = env.sg(&a(), &vpc, "web");
    let i = env.instance(&a(), &subnet, &[&sg]);
    let cases: &[(&str, String, String, &str)] = &[
        ("AWS to GCP", i.clone(), inst(PA, "a1"), "Google Cloud"),
        ("GCP to Azure", inst(PA, "a1"), vm_id("vm-a"), "Azure"),
        ("Azure to AWS", vm_id("vm-a"), i.clone(), "AWS"),
        (
            "GCP to an AWS address",
            inst(PB, "b1"),
            "10.50.1.99".to_owned(),
            "AWS",
        ),
    ];
    for (name, from, to, dst_cloud) in cases {
        let v = ask(&env.world, env.now, from, to, 443).expect(name);
        assert!(!v.reachable, "{name}");
        assert_eq!(v.blockers.len(), 1, "{name}");
        let b = &v.blockers[0];
        assert_eq!(b.code, Code::CrossCloud, "{name}");
        assert_eq!(b.code.to_string(), "CROSS_CLOUD_NO_NATIVE_PATH");
        assert!(
            b.detail.contains(&format!("is in {dst_cloud}")),
            "{name}: {}",
            b.detail
        );
        assert!(
            b.detail
                .contains("native peering cannot join networks of different clouds"),
            "{name}"
        );
        assert!(
            b.detail.contains("encrypted peering through gateways"),
            "{name}"
        );
    }
    // The same world still answers AWS-only queries with the AWS engine.
    let v = ask(&env.world, env.now, &i, "8.8.8.8", 443).expect("aws to internet");
    assert!(v.blockers.iter().all(|b| b.code != Code::CrossCloud));
}

/// A firewall source or destination as the GCP face reads it.
fn address(s: &str) -> gcp::RangeInput {
    gcp::RangeInput::parse_address(s)
}
