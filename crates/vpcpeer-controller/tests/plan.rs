//! The planner's transitions as tables: for a link between two existing networks, each state the
//! clouds can report (a peering in each AWS status, owned or not, a route missing or pointing
//! elsewhere, an Azure half disconnected or out of sync, a GCP name taken) and the steps, with
//! their reasons, or the conflict it must give. The rendered plan of a three-cloud topology is a
//! golden file.

mod common;

use std::collections::BTreeMap;

use common::ACCOUNTS;
use ipnet::Ipv4Net;
use vpcpeer_controller::desired::Desired;
use vpcpeer_controller::names::{TAG_LINK, TAG_TOPOLOGY};
use vpcpeer_controller::observed::{
    AwsIngress, AwsPeering, AwsRoute, AwsRouteTable, AwsStatus, AwsTarget, AzurePeering,
    AzureState, Detail, GcpPeering, Observed, ObservedNetwork,
};
use vpcpeer_controller::plan::TableRef;
use vpcpeer_controller::topology::parse;
use vpcpeer_controller::{plan, plan_destroy, validate, Action, Conflict, Reason};

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

/// A topology with the networks `links` joins (all existing, given by id) and those links.
fn desired(links: &str) -> Desired {
    let all = [
        ("a", "{ account: one, region: us-east-1, id: vpc-a }"),
        ("b", "{ account: two, region: eu-west-1, id: vpc-b }"),
        ("g1", "{ account: gp, id: g1 }"),
        ("g2", "{ account: gp, id: g2 }"),
        ("v1", "{ account: az, region: westeurope, id: v1 }"),
        ("v2", "{ account: az, region: eastus, id: v2 }"),
    ];
    let networks: String = all
        .iter()
        .filter(|(name, _)| {
            links.contains(&format!("[{name},")) || links.contains(&format!(" {name}]"))
        })
        .map(|(name, body)| format!("  {name}: {body}\n"))
        .collect();
    let text = format!(
        "
name: t
{ACCOUNTS}networks:
{networks}links:
{links}"
    );
    validate(&parse(&text).unwrap()).unwrap()
}

const AWS_LINK: &str = "  - { between: [a, b] }\n";

fn route(dest: &str, target: AwsTarget, blackhole: bool) -> AwsRoute {
    AwsRoute {
        destination: net(dest),
        target,
        blackhole,
    }
}

fn aws_net(id: &str, cidr: &str, extra: Vec<AwsRoute>) -> ObservedNetwork {
    let mut routes = vec![route(cidr, AwsTarget::Local, false)];
    routes.extend(extra);
    ObservedNetwork {
        id: id.into(),
        cidrs: vec![net(cidr)],
        detail: Detail::Aws {
            route_tables: vec![AwsRouteTable {
                id: format!("rtb-{id}"),
                main: true,
                routes,
            }],
            default_group: format!("sg-{id}"),
            dns: true,
            group_ingress: Vec::new(),
            ingress: Vec::new(),
        },
    }
}

fn peering(id: &str, status: AwsStatus, tags: &[(&str, &str)]) -> AwsPeering {
    AwsPeering {
        id: id.into(),
        requester: "vpc-a".into(),
        accepter: "vpc-b".into(),
        status,
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        requester_dns: false,
        accepter_dns: false,
    }
}

const OURS: &[(&str, &str)] = &[(TAG_TOPOLOGY, "t"), (TAG_LINK, "a-b")];

/// The two AWS networks; routes to `pcx` on both sides when `routed`.
fn aws_world(peerings: Vec<AwsPeering>, routed: Option<&str>) -> Observed {
    let to = |cidr: &str| {
        routed
            .map(|p| vec![route(cidr, AwsTarget::Peering(p.into()), false)])
            .unwrap_or_default()
    };
    Observed {
        networks: BTreeMap::from([
            (
                "a".into(),
                aws_net("vpc-a", "10.0.0.0/16", to("10.1.0.0/16")),
            ),
            (
                "b".into(),
                aws_net("vpc-b", "10.1.0.0/16", to("10.0.0.0/16")),
            ),
        ]),
        aws_peerings: peerings,
        ..Default::default()
    }
}

/// The two AWS networks peered by the topology's active `pcx-1`, routed on both sides.
fn established() -> Observed {
    aws_world(
        vec![peering("pcx-1", AwsStatus::Active, OURS)],
        Some("pcx-1"),
    )
}

/// A plan as `(action, reason)` lines.
fn lines(observed: &Observed, d: &Desired) -> Vec<String> {
    let p = plan(observed, d);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    p.steps
        .iter()
        .map(|s| format!("{} # {}", s.action, s.reason))
        .collect()
}

const ROUTES_MISSING: [&str; 2] = [
    "route a rtb-vpc-a 10.1.0.0/16 -> peering a-b # declared, not there yet",
    "route b rtb-vpc-b 10.0.0.0/16 -> peering a-b # declared, not there yet",
];

#[test]
fn aws_peering_states_give_their_steps() {
    let d = desired(AWS_LINK);
    let req = "peering a-b: request a -> b # declared, not there yet";
    let acc = "peering a-b: accept # declared, not there yet";
    let table: Vec<(&str, Observed, Vec<&str>)> = vec![
        (
            "nothing yet",
            aws_world(vec![], None),
            [&[req, acc][..], &ROUTES_MISSING[..]].concat(),
        ),
        (
            "pending acceptance",
            aws_world(vec![peering("pcx-1", AwsStatus::PendingAcceptance, OURS)], None),
            [&["peering a-b: accept # the request waits for acceptance"][..], &ROUTES_MISSING[..]].concat(),
        ),
        (
            "provisioning",
            aws_world(vec![peering("pcx-1", AwsStatus::Provisioning, OURS)], Some("pcx-1")),
            vec!["peering a-b: wait until active # the peering is provisioning"],
        ),
        ("active and routed: in sync", aws_world(vec![peering("pcx-1", AwsStatus::Active, OURS)], Some("pcx-1")), vec![]),
        (
            "active, routes removed out of band",
            aws_world(vec![peering("pcx-1", AwsStatus::Active, OURS)], None),
            vec![
                "route a rtb-vpc-a 10.1.0.0/16 -> peering a-b # drift: missing from an established link",
                "route b rtb-vpc-b 10.0.0.0/16 -> peering a-b # drift: missing from an established link",
            ],
        ),
        (
            "expired request",
            aws_world(vec![peering("pcx-1", AwsStatus::Expired, OURS)], None),
            [&["peering a-b: request a -> b # the last request, pcx-1, is expired", acc][..], &ROUTES_MISSING[..]].concat(),
        ),
        (
            "rejected request, its routes blackholes",
            {
                let mut w = aws_world(vec![peering("pcx-1", AwsStatus::Rejected, OURS)], Some("pcx-1"));
                for n in w.networks.values_mut() {
                    if let Detail::Aws { route_tables, .. } = &mut n.detail {
                        route_tables[0].routes[1].blackhole = true;
                    }
                }
                w
            },
            vec![
                "peering a-b: request a -> b # the last request, pcx-1, is rejected",
                acc,
                "route a rtb-vpc-a 10.1.0.0/16 -> peering a-b # it points at pcx-1",
                "route b rtb-vpc-b 10.0.0.0/16 -> peering a-b # it points at pcx-1",
            ],
        ),
        (
            "deleted by hand: drift",
            aws_world(vec![peering("pcx-1", AwsStatus::Deleted, OURS)], None),
            [
                &["peering a-b: request a -> b # drift: missing from an established link", acc][..],
                &ROUTES_MISSING[..],
            ]
            .concat(),
        ),
        (
            "deleted with VPCs since replaced (a destroy, then an apply)",
            aws_world(
                vec![AwsPeering {
                    requester: "vpc-old".into(),
                    ..peering("pcx-1", AwsStatus::Deleted, OURS)
                }],
                None,
            ),
            [&[req, acc][..], &ROUTES_MISSING[..]].concat(),
        ),
        (
            "made by hand, pending: adopted and accepted",
            aws_world(vec![peering("pcx-9", AwsStatus::PendingAcceptance, &[])], None),
            [
                &["peering a-b: adopt pcx-9 (tag it) # made outside this topology; it joins the pair",
                  "peering a-b: accept # the request waits for acceptance"][..],
                &ROUTES_MISSING[..],
            ]
            .concat(),
        ),
        (
            "made by hand, active and routed: adopted only",
            aws_world(vec![peering("pcx-9", AwsStatus::Active, &[])], Some("pcx-9")),
            vec!["peering a-b: adopt pcx-9 (tag it) # made outside this topology; it joins the pair"],
        ),
        (
            "a link no longer declared",
            aws_world(
                vec![
                    peering("pcx-1", AwsStatus::Active, OURS),
                    AwsPeering { id: "pcx-2".into(), requester: "vpc-x".into(), accepter: "vpc-a".into(), ..peering("pcx-2", AwsStatus::Active, &[(TAG_TOPOLOGY, "t"), (TAG_LINK, "x-a")]) },
                ],
                Some("pcx-1"),
            ),
            vec!["peering x-a: pcx-2 # no longer declared"],
        ),
    ];
    for (what, observed, want) in table {
        assert_eq!(lines(&observed, &d), want, "{what}");
    }
}

#[test]
fn aws_dns_options_follow_the_link() {
    let d = desired("  - { between: [a, b], dns_resolution: true }\n");
    let w = established();
    assert_eq!(
        lines(&w, &d),
        ["peering a-b: DNS resolution from the peer on # drift: options differ"]
    );
    let mut w = w;
    w.aws_peerings[0].requester_dns = true;
    w.aws_peerings[0].accepter_dns = true;
    assert_eq!(lines(&w, &d), Vec::<String>::new());
    let fresh = lines(&aws_world(vec![], None), &d);
    assert_eq!(
        fresh[2],
        "peering a-b: DNS resolution from the peer on # declared, not there yet"
    );
}

#[test]
fn aws_routes_of_others_and_of_old_peerings() {
    let d = desired(AWS_LINK);
    // A route of the user's to an internet gateway holds the peer's block: conflict, no step.
    let w = aws_world(vec![peering("pcx-1", AwsStatus::Active, OURS)], None);
    let mut w2 = w.clone();
    if let Detail::Aws { route_tables, .. } = &mut w2.networks.get_mut("a").unwrap().detail {
        route_tables[0].routes.push(route(
            "10.1.0.0/16",
            AwsTarget::Other("igw-1".into()),
            false,
        ));
    }
    let p = plan(&w2, &d);
    assert_eq!(
        p.conflicts,
        [Conflict::RouteTaken {
            link: "a-b".into(),
            network: "a".into(),
            table: "rtb-vpc-a".into(),
            destination: net("10.1.0.0/16"),
            target: "igw-1".into(),
        }]
    );
    assert_eq!(
        p.conflicts[0].to_string(),
        "link a-b: route table rtb-vpc-a in a sends 10.1.0.0/16 to igw-1, not owned by this \
         topology; remove it or leave that table out"
    );
    // A blackhole to a NAT gateway that is gone: replaced.
    let mut w3 = w.clone();
    if let Detail::Aws { route_tables, .. } = &mut w3.networks.get_mut("a").unwrap().detail {
        route_tables[0]
            .routes
            .push(route("10.1.0.0/16", AwsTarget::Other("nat-1".into()), true));
    }
    assert_eq!(
        lines(&w3, &d),
        [
            "route a rtb-vpc-a 10.1.0.0/16 -> peering a-b # it points at nat-1",
            "route b rtb-vpc-b 10.0.0.0/16 -> peering a-b # drift: missing from an established link",
        ]
    );
    // A listed table that is not there.
    let d = desired("  - { between: [a, b], route_tables: { a: [rtb-nope] } }\n");
    let p = plan(&w, &d);
    assert_eq!(
        p.conflicts[0].to_string(),
        "link a-b: route table rtb-nope is not in a"
    );
    assert_eq!(p.steps.len(), 1, "b's side is still planned: {:?}", p.steps);
}

#[test]
fn aws_openings_are_rules_in_the_default_group() {
    let d = desired("  - { between: [a, b], open: [{ protocol: tcp, ports: 443 }] }\n");
    let mut w = established();
    assert_eq!(
        lines(&w, &d),
        [
            "rule a default group: tcp/443 from 10.1.0.0/16 (link a-b) # drift: missing from an established link",
            "rule b default group: tcp/443 from 10.0.0.0/16 (link a-b) # drift: missing from an established link",
        ]
    );
    // A rule of an old version of the link (another port) goes; a rule the user made stays.
    for (name, peer) in [("a", "10.1.0.0/16"), ("b", "10.0.0.0/16")] {
        if let Detail::Aws { ingress, .. } = &mut w.networks.get_mut(name).unwrap().detail {
            let rule = |ports, description: &str| AwsIngress {
                opening: vpcpeer_controller::desired::Opening {
                    protocol: vpcpeer_controller::desired::Protocol::Tcp,
                    ports: Some(ports),
                },
                source: net(peer),
                description: description.into(),
            };
            ingress.push(rule((443, 443), "vpcpeer:t:a-b"));
            ingress.push(rule((80, 80), "vpcpeer:t:a-b"));
            ingress.push(rule((22, 22), "mine"));
        }
    }
    assert_eq!(
        lines(&w, &d),
        [
            "rule a default group: tcp/80 from 10.1.0.0/16 (link a-b) # no longer declared",
            "rule b default group: tcp/80 from 10.0.0.0/16 (link a-b) # no longer declared",
        ]
    );
}

#[test]
fn another_topologys_peering_is_a_conflict() {
    let d = desired(AWS_LINK);
    let w = aws_world(
        vec![peering(
            "pcx-7",
            AwsStatus::Active,
            &[(TAG_TOPOLOGY, "other"), (TAG_LINK, "x")],
        )],
        None,
    );
    let p = plan(&w, &d);
    assert!(p.steps.is_empty(), "{:?}", p.steps);
    assert_eq!(
        p.conflicts[0].to_string(),
        "link a-b: pcx-7 already joins the two VPCs and belongs to topology other"
    );
}

fn gcp_world(g1: Vec<GcpPeering>, g2: Vec<GcpPeering>) -> Observed {
    let n = |name: &str, cidr: &str, peerings| ObservedNetwork {
        id: format!("projects/p/global/networks/{name}"),
        cidrs: vec![net(cidr)],
        detail: Detail::Gcp {
            peerings,
            firewalls: Vec::new(),
        },
    };
    Observed {
        networks: BTreeMap::from([
            ("g1".into(), n("g1", "10.4.0.0/16", g1)),
            ("g2".into(), n("g2", "10.5.0.0/16", g2)),
        ]),
        ..Default::default()
    }
}

fn gcp_peering(name: &str, peer: &str, custom_routes: bool) -> GcpPeering {
    GcpPeering {
        name: name.into(),
        peer: format!("projects/p/global/networks/{peer}"),
        active: true,
        custom_routes,
    }
}

#[test]
fn gcp_halves_options_and_names() {
    let d = desired("  - { between: [g1, g2], exchange_custom_routes: true }\n");
    assert_eq!(
        lines(&gcp_world(vec![], vec![]), &d),
        [
            "peering g1/t--g1-g2 -> p/g2, custom routes exchanged # declared, not there yet",
            "peering g2/t--g1-g2 -> p/g1, custom routes exchanged # declared, not there yet",
        ]
    );
    assert_eq!(
        lines(
            &gcp_world(vec![gcp_peering("t--g1-g2", "g2", false)], vec![]),
            &d
        ),
        [
            "peering g2/t--g1-g2 -> p/g1, custom routes exchanged # drift: missing from an established link",
            "peering g1/t--g1-g2: custom route exchange on # drift: options differ",
        ]
    );
    let p = plan(
        &gcp_world(vec![gcp_peering("by-hand", "g2", true)], vec![]),
        &d,
    );
    assert_eq!(
        p.conflicts[0].to_string(),
        "network g1: peering by-hand, not owned by this topology, already goes to \
         projects/p/global/networks/g2; the cloud allows one per pair (delete it, or rename it to t--g1-g2)"
    );
    let p = plan(
        &gcp_world(vec![gcp_peering("t--g1-g2", "elsewhere", true)], vec![]),
        &d,
    );
    assert!(
        matches!(p.conflicts[0], Conflict::NameTaken { .. }),
        "{:?}",
        p.conflicts
    );
}

fn azure_world(v1: Vec<AzurePeering>, v2: Vec<AzurePeering>) -> Observed {
    let n = |name: &str, cidr: &str, peerings| ObservedNetwork {
        id: format!(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{name}"
        ),
        cidrs: vec![net(cidr)],
        detail: Detail::Azure { peerings },
    };
    Observed {
        networks: BTreeMap::from([
            ("v1".into(), n("v1", "10.6.0.0/16", v1)),
            ("v2".into(), n("v2", "10.7.0.0/16", v2)),
        ]),
        ..Default::default()
    }
}

fn az_peering(remote: &str, state: AzureState, in_sync: bool) -> AzurePeering {
    AzurePeering {
        name: "t--v1-v2".into(),
        // ARM ids are compared without regard to case.
        remote: format!("/subscriptions/s/resourcegroups/RG/providers/Microsoft.Network/virtualNetworks/{remote}"),
        state,
        in_sync,
        allow_forwarded_traffic: false,
        allow_gateway_transit: false,
        use_remote_gateways: false,
    }
}

#[test]
fn azure_halves_disconnected_and_out_of_sync() {
    let d = desired("  - { between: [v1, v2] }\n");
    let connected = || {
        azure_world(
            vec![az_peering("v2", AzureState::Connected, true)],
            vec![az_peering("v1", AzureState::Connected, true)],
        )
    };
    assert_eq!(lines(&connected(), &d), Vec::<String>::new());
    assert_eq!(
        lines(
            &azure_world(
                vec![az_peering("v2", AzureState::Disconnected, true)],
                vec![]
            ),
            &d
        ),
        [
            "peering v1/t--v1-v2 # disconnected: the remote half was deleted",
            "peering v1/t--v1-v2 -> v2 # disconnected: the remote half was deleted",
            "peering v2/t--v1-v2 -> v1 # drift: missing from an established link",
        ]
    );
    let mut w = connected();
    if let Detail::Azure { peerings } = &mut w.networks.get_mut("v2").unwrap().detail {
        peerings[0].in_sync = false;
    }
    assert_eq!(
        lines(&w, &d),
        ["peering v2/t--v1-v2: sync the address space # the address space changed; not in sync"]
    );
    let d = desired("  - { between: [v1, v2], allow_forwarded_traffic: true }\n");
    assert_eq!(
        lines(&connected(), &d),
        [
            "peering v1/t--v1-v2 -> v2, forwarded traffic allowed # drift: options differ",
            "peering v2/t--v1-v2 -> v1, forwarded traffic allowed # drift: options differ",
        ]
    );
}

#[test]
fn a_block_added_to_an_azure_vnet_foresees_the_sync_of_the_peers_half() {
    // v1 is declared with a second block it does not have yet: the plan adds the block and, in
    // the same round, syncs v2's half (whose remote grows), not v1's own.
    let text = format!(
        "
name: t
{ACCOUNTS}networks:
  v1: {{ account: az, region: westeurope, cidrs: [10.6.0.0/16, 10.8.0.0/16] }}
  v2: {{ account: az, region: eastus, id: v2 }}
links:
  - {{ between: [v1, v2] }}
"
    );
    let d = validate(&parse(&text).unwrap()).unwrap();
    let w = azure_world(
        vec![az_peering("v2", AzureState::Connected, true)],
        vec![az_peering("v1", AzureState::Connected, true)],
    );
    assert_eq!(
        lines(&w, &d),
        [
            "block 10.8.0.0/16 in v1 # declared, not there yet",
            "peering v2/t--v1-v2: sync the address space # v1's address space grows; the peering needs a sync",
        ]
    );
    // Once the block is there and the sync done, nothing is left.
    let mut grown = w.clone();
    grown
        .networks
        .get_mut("v1")
        .unwrap()
        .cidrs
        .push(net("10.8.0.0/16"));
    assert_eq!(lines(&grown, &d), Vec::<String>::new());
}

#[test]
fn a_missing_network_given_by_id_is_a_conflict_and_its_links_wait() {
    let d = desired(AWS_LINK);
    let mut w = aws_world(vec![], None);
    w.networks.remove("b");
    let p = plan(&w, &d);
    assert!(p.steps.is_empty(), "{:?}", p.steps);
    assert_eq!(p.conflicts.len(), 1, "{:?}", p.conflicts);
    assert_eq!(p.conflicts[0].to_string(), "network b: vpc-b not found");
}

#[test]
fn destroy_removes_what_the_topology_owns_and_keeps_what_it_was_given() {
    let d = desired(AWS_LINK);
    let w = established();
    let p = plan_destroy(&w, &d);
    assert!(p.conflicts.is_empty());
    let got: Vec<(String, Reason)> = p
        .steps
        .iter()
        .map(|s| (s.action.to_string(), s.reason.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "route a rtb-vpc-a 10.1.0.0/16 -> pcx-1".to_string(),
                Reason::Destroy
            ),
            (
                "route b rtb-vpc-b 10.0.0.0/16 -> pcx-1".to_string(),
                Reason::Destroy
            ),
            ("peering a-b: pcx-1".to_string(), Reason::Destroy),
        ]
    );
    assert!(!p
        .steps
        .iter()
        .any(|s| matches!(s.action, Action::DeleteNetwork { .. })));
}

#[test]
fn a_new_vpc_gets_its_main_table_programmed() {
    let text = "
name: t
accounts:
  one: { cloud: aws, account_id: '111111111111' }
networks:
  a: { account: one, region: us-east-1, cidrs: [10.0.0.0/16, 10.50.0.0/16] }
  b: { account: one, region: us-east-1, cidrs: [10.1.0.0/16] }
links: [{ between: [a, b] }]
";
    let d = validate(&parse(text).unwrap()).unwrap();
    let p = plan(&Observed::default(), &d);
    let routes: Vec<(&str, &TableRef, Ipv4Net)> = p
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::AwsCreateRoute(r) => Some((r.network.as_str(), &r.table, r.destination)),
            _ => None,
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("a", &TableRef::Main, net("10.1.0.0/16")),
            ("b", &TableRef::Main, net("10.0.0.0/16")),
            ("b", &TableRef::Main, net("10.50.0.0/16")),
        ]
    );
}

/// The example topology of the README, planned against empty clouds: the rendered plan is a
/// golden file (`snapshots/plan__three_clouds.snap`).
#[test]
fn the_three_cloud_example_plans_as_the_readme_shows() {
    let text = include_str!("../../../examples/three-clouds.yaml");
    let d = validate(&parse(text).unwrap()).unwrap();
    let p = plan(&Observed::default(), &d);
    insta::assert_snapshot!("three_clouds", p.to_string());
}

#[test]
fn a_network_dropped_from_the_file_is_emptied_of_the_topology_then_deleted() {
    // The file had a and b linked; now it declares only a. b is an orphan: its route to the
    // peering and the link's rule go first (should its delete be refused, nothing of the link is
    // left in it), then the peering, then b.
    let d = desired("").clone();
    let d = Desired {
        networks: [("a".to_string(), desired(AWS_LINK).networks["a"].clone())].into(),
        ..d
    };
    let mut w = established();
    let mut b = w.networks.remove("b").unwrap();
    if let Detail::Aws { ingress, .. } = &mut b.detail {
        ingress.push(AwsIngress {
            opening: vpcpeer_controller::desired::Opening {
                protocol: vpcpeer_controller::desired::Protocol::Tcp,
                ports: Some((443, 443)),
            },
            source: net("10.0.0.0/16"),
            description: "vpcpeer:t:a-b".into(),
        });
    }
    w.orphans.insert("b".into(), b);
    assert_eq!(
        lines(&w, &d),
        [
            "route a rtb-vpc-a 10.1.0.0/16 -> pcx-1 # no longer declared",
            "route b rtb-vpc-b 10.0.0.0/16 -> pcx-1 # no longer declared",
            "rule b default group: tcp/443 from 10.0.0.0/16 (link a-b) # no longer declared",
            "peering a-b: pcx-1 # no longer declared",
            "network b (vpc-b) # no longer declared",
        ]
    );
}

#[test]
fn gateway_transit_offers_before_it_uses() {
    // v2 offers its gateway: its half is created first (Azure checks the offer when v1's half
    // asks to use it), and turning transit off updates the using half first.
    let d = desired("  - { between: [v1, v2], gateway_transit: v2 }\n");
    assert_eq!(
        lines(&azure_world(vec![], vec![]), &d),
        [
            "peering v2/t--v1-v2 -> v1, offers its gateway # declared, not there yet",
            "peering v1/t--v1-v2 -> v2, uses the remote gateway # declared, not there yet",
        ]
    );
    let with = |allow: bool, use_: bool, remote: &str| AzurePeering {
        allow_gateway_transit: allow,
        use_remote_gateways: use_,
        ..az_peering(remote, AzureState::Connected, true)
    };
    let on = azure_world(vec![with(false, true, "v2")], vec![with(true, false, "v1")]);
    assert_eq!(lines(&on, &d), Vec::<String>::new());
    let off = desired("  - { between: [v1, v2] }\n");
    let swapped = azure_world(vec![with(true, false, "v2")], vec![with(false, true, "v1")]);
    assert_eq!(
        lines(&swapped, &off),
        [
            "peering v2/t--v1-v2 -> v1 # drift: options differ",
            "peering v1/t--v1-v2 -> v2 # drift: options differ",
        ]
    );
}

#[test]
fn openings_from_the_peers_group_name_its_default_group() {
    let text = "
name: t
accounts:
  one: { cloud: aws, account_id: '111111111111' }
  two: { cloud: aws, account_id: '222222222222' }
networks:
  a: { account: one, region: us-east-1, id: vpc-a }
  b: { account: two, region: us-east-1, id: vpc-b }
links:
  - { between: [a, b], open: [{ protocol: tcp, ports: 22, from: group }] }
";
    let d = validate(&parse(text).unwrap()).unwrap();
    let mut w = established();
    assert_eq!(
        lines(&w, &d),
        [
            "rule a default group: tcp/22 from b's default group (link a-b) # drift: missing from an established link",
            "rule b default group: tcp/22 from a's default group (link a-b) # drift: missing from an established link",
        ]
    );
    // In place (a's names b's group sg-vpc-b, b's names a's), plus an old rule of the link on
    // port 23: that one goes.
    let rule =
        |port: u16, group: &str, owner: &str| vpcpeer_controller::observed::AwsGroupIngress {
            opening: vpcpeer_controller::desired::Opening {
                protocol: vpcpeer_controller::desired::Protocol::Tcp,
                ports: Some((port, port)),
            },
            group: group.into(),
            owner: owner.into(),
            description: "vpcpeer:t:a-b".into(),
        };
    for (net, peer_group, owner) in [
        ("a", "sg-vpc-b", "222222222222"),
        ("b", "sg-vpc-a", "111111111111"),
    ] {
        if let Detail::Aws { group_ingress, .. } = &mut w.networks.get_mut(net).unwrap().detail {
            group_ingress.push(rule(22, peer_group, owner));
        }
    }
    assert_eq!(lines(&w, &d), Vec::<String>::new());
    if let Detail::Aws { group_ingress, .. } = &mut w.networks.get_mut("a").unwrap().detail {
        group_ingress.push(rule(23, "sg-vpc-b", "222222222222"));
    }
    assert_eq!(
        lines(&w, &d),
        ["rule a default group: tcp/23 from sg-vpc-b (link a-b) # no longer declared"]
    );
}

/// An AWS VPC and a GCP network (both created by the file), each with a gateway, joined by an
/// encrypted link; `extra` adds to the gateways' lines.
fn encrypted(extra: &str) -> Desired {
    let text = format!(
        "
name: t
{ACCOUNTS}networks:
  a: {{ account: one, region: us-east-1, cidrs: [10.0.0.0/16] }}
  g: {{ account: gp, region: us-central1, cidrs: [10.1.0.0/16] }}
gateways:
  a-gw: {{ network: a, subnet: 10.0.255.0/28, zone: us-east-1a }}
  g-gw: {{ network: g, subnet: 10.1.0.0/16 }}
{extra}links:
  - {{ between: [a, g], type: encrypted }}
"
    );
    let mut d = validate(&parse(&text).unwrap()).unwrap();
    d.gateway_secret = Some(vpcpeer_controller::gateway::GatewaySecret::from_bytes(
        [3; 32],
    ));
    d
}

/// The model clouds with `d` applied.
fn applied(d: &Desired) -> common::Clouds {
    let mut clouds = common::Clouds::default();
    let p = plan(&clouds.observe(d), d);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    clouds.apply(d, &p).unwrap();
    assert!(plan(&clouds.observe(d), d).is_empty());
    common::check_reference(&clouds, d).unwrap();
    clouds
}

#[test]
fn an_encrypted_link_allocates_addresses_first_then_firewalls_then_gateways_then_routes() {
    let d = encrypted("");
    assert_eq!(
        lines(&common::Clouds::default().observe(&d), &d),
        [
            "VPC a 10.0.0.0/16 # declared, not there yet",
            "network g 10.1.0.0/16 # declared, not there yet",
            "public subnet 10.0.255.0/28 in a (us-east-1a) # declared, not there yet",
            "public address of gateway a-gw # declared, not there yet",
            "public address of gateway g-gw # declared, not there yet",
            "firewall of gateway a-gw: udp/51820 from g-gw's address; all from 10.0.0.0/16 # declared, not there yet",
            "firewall of gateway g-gw: udp/51820 from a-gw's address; all from 10.1.0.0/16 # declared, not there yet",
            "gateway a-gw in a (10.0.255.0/28), tunnels to g-gw # declared, not there yet",
            "gateway g-gw in g (10.1.0.0/16), tunnels to a-gw # declared, not there yet",
            "route a (main table) 10.1.0.0/16 -> gateway a-gw (link a-g) # declared, not there yet",
            "route g (main table) 10.0.0.0/16 -> gateway g-gw (link a-g) # declared, not there yet",
        ]
    );
    let p = plan(&common::Clouds::default().observe(&d), &d);
    assert_eq!(p.counts(), (11, 0, 0));
}

#[test]
fn gateway_drift_each_gets_its_step() {
    let d = encrypted("");
    // (what changes out of band, the steps it takes)
    type Change = fn(&mut common::Clouds);
    let table: &[(&str, Change, &[&str])] = &[
        (
            "forwarding turned off",
            |c| {
                let g = c.state.gateways.get_mut("a-gw").unwrap();
                g.instance.as_mut().unwrap().forwarding = false;
            },
            &["gateway a-gw: forwarding on # drift: changed out of band"],
        ),
        (
            "the address detached",
            |c| {
                let g = c.state.gateways.get_mut("g-gw").unwrap();
                g.instance.as_mut().unwrap().address_attached = false;
            },
            &["gateway g-gw: attach its public address # drift: changed out of band"],
        ),
        (
            "the firewall opened to someone else",
            |c| {
                let g = c.state.gateways.get_mut("a-gw").unwrap();
                g.firewall = Some(vec!["203.0.113.9".parse().unwrap()]);
            },
            &["firewall of gateway a-gw: udp/51820 from g-gw's address; all from 10.0.0.0/16 # drift: sources or ports differ"],
        ),
        (
            "the rule admitting the gateway's own network revoked by hand",
            |c| {
                c.state.gateways.get_mut("g-gw").unwrap().inner.clear();
            },
            &["firewall of gateway g-gw: udp/51820 from a-gw's address; all from 10.1.0.0/16 # drift: sources or ports differ"],
        ),
        (
            "the own-network rule widened by hand",
            |c| {
                let g = c.state.gateways.get_mut("a-gw").unwrap();
                g.inner = vec!["0.0.0.0/0".parse().unwrap()];
            },
            &["firewall of gateway a-gw: udp/51820 from g-gw's address; all from 10.0.0.0/16 # drift: sources or ports differ"],
        ),
        (
            "a gateway VM with another configuration",
            |c| {
                let g = c.state.gateways.get_mut("a-gw").unwrap();
                g.instance.as_mut().unwrap().digest = "00".into();
            },
            &[
                "gateway a-gw (i-00000000000000009) # its tunnel configuration differs from the one rendered now",
                "gateway a-gw in a (10.0.255.0/28), tunnels to g-gw # its tunnel configuration differs from the one rendered now",
                "route a rtb-00000000000000002 10.1.0.0/16 -> gateway a-gw (link a-g) # it points at i-00000000000000009",
            ],
        ),
        (
            "a gateway VM terminated by hand",
            |c| {
                c.state.gateways.get_mut("g-gw").unwrap().instance = None;
            },
            &[
                "gateway g-gw in g (10.1.0.0/16), tunnels to a-gw # declared, not there yet",
                "route g g/routes 10.0.0.0/16 -> gateway g-gw (link a-g) # it points at i-0000000000000000a",
            ],
        ),
    ];
    for (what, change, want) in table {
        let mut clouds = applied(&d);
        change(&mut clouds);
        assert_eq!(&lines(&clouds.observe(&d), &d), want, "{what}");
        let p = plan(&clouds.observe(&d), &d);
        clouds
            .apply(&d, &p)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(plan(&clouds.observe(&d), &d).is_empty(), "{what}");
        common::check_reference(&clouds, &d).unwrap_or_else(|e| panic!("{what}: {e}"));
    }
}

#[test]
fn a_new_peer_address_replaces_the_gateways_that_tunnel_to_it() {
    let d = encrypted("");
    let mut clouds = applied(&d);
    // g-gw's address was released by hand (the VM lost it): a new one is allocated, and a-gw,
    // whose configuration names the old one, is replaced; g-gw is too, since its own address
    // is not in its configuration but must be attached again.
    let g = clouds.state.gateways.get_mut("g-gw").unwrap();
    g.address = None;
    let p = plan(&clouds.observe(&d), &d);
    let got: Vec<String> = p.steps.iter().map(|s| s.action.to_string()).collect();
    assert!(
        got.contains(&"public address of gateway g-gw".to_string()),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|s| s.starts_with("gateway a-gw in a")),
        "{got:#?}"
    );
    assert!(
        got.contains(
            &"firewall of gateway a-gw: udp/51820 from g-gw's address; all from 10.0.0.0/16"
                .to_string()
        ),
        "{got:#?}"
    );
    clouds.apply(&d, &p).unwrap();
    assert!(plan(&clouds.observe(&d), &d).is_empty());
    common::check_reference(&clouds, &d).unwrap();
}

#[test]
fn gateway_refusals_are_conflicts() {
    // No secret: no keys nobody chose.
    let mut d = encrypted("");
    d.gateway_secret = None;
    let p = plan(&Observed::default(), &d);
    assert_eq!(
        p.conflicts,
        [Conflict::NoGatewaySecret {
            gateway: "a-gw".into()
        }]
    );
    assert!(p.conflicts[0]
        .to_string()
        .contains("VPCPEER_GATEWAY_SECRET"));
    // An existing subnet: missing, then private.
    let text = format!(
        "
name: t
{ACCOUNTS}networks:
  a: {{ account: one, region: us-east-1, id: vpc-a }}
  b: {{ account: two, region: eu-west-1, id: vpc-b }}
gateways:
  a-gw: {{ network: a, subnet: subnet-1 }}
  b-gw: {{ network: b, subnet: subnet-2 }}
links:
  - {{ between: [a, b], type: encrypted }}
"
    );
    let mut d = validate(&parse(&text).unwrap()).unwrap();
    d.gateway_secret = Some(vpcpeer_controller::gateway::GatewaySecret::from_bytes(
        [3; 32],
    ));
    let mut clouds = common::Clouds::default();
    clouds.state = aws_world(Vec::new(), None);
    clouds.gw.existing = vec![("b".into(), "subnet-2".into(), false)];
    let p = plan(&clouds.observe(&d), &d);
    let text: Vec<String> = p.conflicts.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "gateway a-gw: subnet subnet-1 not found in a",
            "gateway b-gw: subnet subnet-2 is not public (its route table sends no 0.0.0.0/0 to an \
             internet gateway), so peers could not reach the gateway; give a public subnet, or a \
             block for the controller to create one",
        ]
    );
    // A route the user owns where the link needs one.
    clouds.gw.existing = vec![
        ("a".into(), "subnet-1".into(), true),
        ("b".into(), "subnet-2".into(), true),
    ];
    if let Detail::Aws { route_tables, .. } =
        &mut clouds.state.networks.get_mut("a").unwrap().detail
    {
        route_tables[0].routes.push(route(
            "10.1.0.0/16",
            AwsTarget::Other("nat-1".into()),
            false,
        ));
    }
    let p = plan(&clouds.observe(&d), &d);
    let text: Vec<String> = p.conflicts.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        ["link a-b: route table rtb-vpc-a in a sends 10.1.0.0/16 to nat-1, not owned by this topology; remove it or leave that table out"]
    );
}

#[test]
fn a_gateway_dropped_from_the_file_goes_with_its_routes_address_firewall_and_subnet() {
    let d = encrypted("");
    let mut clouds = applied(&d);
    let p = plan_destroy(&clouds.observe(&d), &d);
    let got: Vec<String> = p
        .steps
        .iter()
        .map(|s| format!("{} {} # {}", s.action.sign().mark(), s.action, s.reason))
        .collect();
    assert_eq!(
        got,
        [
            "- route a rtb-00000000000000002 10.1.0.0/16 -> gateway a-gw # destroy",
            "- route g g/routes 10.0.0.0/16 -> gateway g-gw # destroy",
            "- gateway a-gw (i-00000000000000009) # destroy",
            "- gateway g-gw (i-0000000000000000a) # destroy",
            "- firewall of gateway a-gw # destroy",
            "- public address of gateway a-gw (eipalloc-00000000000000006) # destroy",
            "- gateway subnet subnet-00000000000000004 in a # destroy",
            "- firewall of gateway g-gw # destroy",
            "- public address of gateway g-gw (eipalloc-00000000000000008) # destroy",
            "- network a (vpc-00000000000000001) # destroy",
            "- network g (projects/p/global/networks/g) # destroy",
        ]
    );
    clouds.apply(&d, &p).unwrap();
    assert!(plan_destroy(&clouds.observe(&d), &d).is_empty());
    assert!(clouds.state.gateways.is_empty() && clouds.gw.subnets.is_empty());
}

#[test]
fn the_multicloud_example_plans_every_gateway_and_route() {
    let text = include_str!("../../../examples/multicloud.yaml");
    let mut d = validate(&parse(text).unwrap()).unwrap();
    d.gateway_secret = Some(vpcpeer_controller::gateway::GatewaySecret::from_bytes(
        [3; 32],
    ));
    let p = plan(&Observed::default(), &d);
    insta::assert_snapshot!("multicloud", p.to_string());
}

/// `plan --output json` prints each step's action externally tagged with the variant's fields in
/// declaration order; the variants that carry a shared struct (`AzurePeeringSpec`,
/// `GcpFirewallSpec`, `AwsIngressSpec`, `PeeringRoute`, `GatewayRoute`) print exactly as they did
/// when they declared those fields themselves.
#[test]
fn folded_actions_keep_their_json() {
    use vpcpeer_controller::desired::{Cloud, Opening, Protocol};
    use vpcpeer_controller::plan::{
        AwsIngressSpec, AzurePeeringSpec, GatewayRoute, GcpFirewallSpec, PeeringRoute,
    };
    let half = AzurePeeringSpec {
        network: "lake".into(),
        name: "demo--lake-train".into(),
        remote:
            "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/train"
                .into(),
        allow_forwarded_traffic: true,
        allow_gateway_transit: false,
        use_remote_gateways: true,
    };
    let half_json = r#"{"network":"lake","name":"demo--lake-train","remote":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/train","allow_forwarded_traffic":true,"allow_gateway_transit":false,"use_remote_gateways":true}"#;
    let rule = GcpFirewallSpec {
        network: "lake".into(),
        name: "demo--lake-train-a".into(),
        sources: vec![net("10.2.0.0/16")],
        allowed: vec![Opening {
            protocol: Protocol::Tcp,
            ports: Some((443, 443)),
        }],
    };
    let rule_json = r#"{"network":"lake","name":"demo--lake-train-a","sources":["10.2.0.0/16"],"allowed":[{"protocol":"tcp","ports":[443,443]}]}"#;
    let ingress = AwsIngressSpec {
        network: "lake".into(),
        link: "lake-train".into(),
        opening: Opening {
            protocol: Protocol::Icmp,
            ports: None,
        },
        source: net("10.2.0.0/16"),
    };
    let ingress_json = r#"{"network":"lake","link":"lake-train","opening":{"protocol":"icmp","ports":null},"source":"10.2.0.0/16"}"#;
    let route = |table| PeeringRoute {
        network: "lake".to_string(),
        table,
        destination: net("10.2.0.0/16"),
        link: "lake-train".into(),
    };
    let via_gateway = GatewayRoute {
        network: "lake".into(),
        cloud: Cloud::Gcp,
        table: TableRef::Main,
        destination: net("10.2.0.0/16"),
        gateway: "gw-lake".into(),
        link: "lake-train".into(),
    };
    let cases = [
        (
            "CreateGatewayRoute",
            Action::CreateGatewayRoute(via_gateway.clone()),
            r#"{"network":"lake","cloud":"Gcp","table":"Main","destination":"10.2.0.0/16","gateway":"gw-lake","link":"lake-train"}"#,
        ),
        (
            "ReplaceGatewayRoute",
            Action::ReplaceGatewayRoute(GatewayRoute {
                network: via_gateway.network,
                cloud: Cloud::Aws,
                table: "rtb-1".to_string(),
                destination: via_gateway.destination,
                gateway: via_gateway.gateway,
                link: via_gateway.link,
            }),
            r#"{"network":"lake","cloud":"Aws","table":"rtb-1","destination":"10.2.0.0/16","gateway":"gw-lake","link":"lake-train"}"#,
        ),
        (
            "AwsAllowIngress",
            Action::AwsAllowIngress(ingress.clone()),
            ingress_json,
        ),
        (
            "AwsRevokeIngress",
            Action::AwsRevokeIngress(ingress),
            ingress_json,
        ),
        (
            "AwsCreateRoute",
            Action::AwsCreateRoute(route(TableRef::Main)),
            r#"{"network":"lake","table":"Main","destination":"10.2.0.0/16","link":"lake-train"}"#,
        ),
        (
            "AwsCreateRoute",
            Action::AwsCreateRoute(route(TableRef::Id("rtb-1".into()))),
            r#"{"network":"lake","table":{"Id":"rtb-1"},"destination":"10.2.0.0/16","link":"lake-train"}"#,
        ),
        (
            "AwsReplaceRoute",
            Action::AwsReplaceRoute(PeeringRoute {
                network: "lake".into(),
                table: "rtb-1".to_string(),
                destination: net("10.2.0.0/16"),
                link: "lake-train".into(),
            }),
            r#"{"network":"lake","table":"rtb-1","destination":"10.2.0.0/16","link":"lake-train"}"#,
        ),
        (
            "AzureCreatePeering",
            Action::AzureCreatePeering(half.clone()),
            half_json,
        ),
        (
            "AzureUpdatePeering",
            Action::AzureUpdatePeering(half),
            half_json,
        ),
        (
            "GcpCreateFirewall",
            Action::GcpCreateFirewall(rule.clone()),
            rule_json,
        ),
        (
            "GcpUpdateFirewall",
            Action::GcpUpdateFirewall(rule),
            rule_json,
        ),
    ];
    for (variant, action, fields) in cases {
        let json = serde_json::to_string(&action).expect("serializes");
        assert_eq!(json, format!(r#"{{"{variant}":{fields}}}"#), "{variant}");
    }
}
