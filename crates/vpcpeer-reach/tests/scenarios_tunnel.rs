//! Scenario rows for encrypted tunnels between `vpcpeer-gateway` instances (AWS ↔ AWS, two
//! regions, no peering): the happy path and every tunnel blocker, each row a topology built
//! through the real model operations (the gateways' configurations rendered by
//! `vpcpeer-gateway` into their user data), one query, and the expected verdict with its
//! blocker codes (leg and code, in path order); then the hop sequence of the happy path and the
//! remedies of the blockers.

mod common;

use common::gateways::{associate_eip, config, gateway_vpc, key, launch_gateway, peer, udp};
use common::{acl_rule, from_cidr, web_instance, Build};
use vpcpeer_gateway::{GatewayConfig, DEFAULT_PORT};
use vpcpeer_model::aws::appliance::InterfaceChange;
use vpcpeer_model::aws::catalog::gateway_image_id;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{a, TestEnv, A};
use vpcpeer_model::{RouteTarget, Scope};
use vpcpeer_reach::{
    explain, remedy, ComponentKind as K, ConfigChange, Direction, Endpoint, Leg, Protocol, Query,
    Remedy, Snapshot, Traffic, Verdict,
};

fn west() -> Scope {
    Scope::new(A, "us-west-2")
}

/// What a row changes from the working layout.
#[derive(Clone, Copy)]
struct Knobs {
    edit_east: fn(&mut GatewayConfig),
    edit_west: fn(&mut GatewayConfig),
    /// Raw user data text for the east gateway instead of its rendered configuration.
    east_text: Option<&'static str>,
    east_image_is_gateway: bool,
    east_eip: bool,
    east_internet_route: bool,
    west_admits_tunnel: bool,
    west_acl_denies_tunnel: bool,
    west_check_on: bool,
    stop_east: bool,
    stop_west: bool,
}

const WORKING: Knobs = Knobs {
    edit_east: |_| {},
    edit_west: |_| {},
    east_text: None,
    east_image_is_gateway: true,
    east_eip: true,
    east_internet_route: true,
    west_admits_tunnel: true,
    west_acl_denies_tunnel: false,
    west_check_on: false,
    stop_east: false,
    stop_west: false,
};

/// The layout's ids.
struct Ids {
    env: TestEnv,
    app: String,
    web: String,
    east_gw: String,
    west_gw: String,
    west_sg: String,
    east_public_rtb: String,
    east_igw: String,
    west_acl: String,
    east_ip: std::net::Ipv4Addr,
    west_ip: std::net::Ipv4Addr,
}

/// Two VPCs, 10.10.0.0/16 in us-east-1 and 10.20.0.0/16 in us-west-2, not peered; a gateway
/// in each public subnet (Elastic IP, check off, its configuration in its user data); each
/// workload table routes the other VPC to its gateway; `app` (east workload) queries `web`
/// (west workload, admitting tcp/443 from 10.10.0.0/16) on tcp/443.
fn build(k: Knobs) -> Ids {
    let mut env = TestEnv::with_seed(22);
    let e = gateway_vpc(&mut env, &a(), "10.10", "gw-sg");
    let w = gateway_vpc(&mut env, &west(), "10.20", "gw-sg");
    let east_eip = env
        .run(&a(), |tx| tx.allocate_address(Default::default()))
        .expect("eip");
    let west_eip = env
        .run(&west(), |tx| tx.allocate_address(Default::default()))
        .expect("eip");
    let (east_ip, west_ip) = (east_eip.public_ip, west_eip.public_ip);
    let mut ec = config(
        "east-gw",
        1,
        vec![peer("west-gw", 2, west_ip, "10.20.0.0/16")],
    );
    let mut wc = config(
        "west-gw",
        2,
        vec![peer("east-gw", 1, east_ip, "10.10.0.0/16")],
    );
    (k.edit_east)(&mut ec);
    (k.edit_west)(&mut wc);
    let east_image = if k.east_image_is_gateway {
        gateway_image_id("us-east-1")
    } else {
        "ami-12345678".into()
    };
    let east_text = k.east_text.map_or_else(|| ec.render(), str::to_owned);
    let (east_gw, _) = launch_gateway(
        &mut env,
        &a(),
        &e.public,
        &e.sg,
        east_image,
        &east_text,
        true,
    );
    let (west_gw, west_eni) = launch_gateway(
        &mut env,
        &west(),
        &w.public,
        &w.sg,
        gateway_image_id("us-west-2"),
        &wc.render(),
        true,
    );
    if k.east_eip {
        associate_eip(&mut env, &a(), &east_eip.id, &east_gw);
    }
    associate_eip(&mut env, &west(), &west_eip.id, &west_gw);
    env.allow(
        &a(),
        &e.sg,
        SgDir::Ingress,
        from_cidr(udp(DEFAULT_PORT), &format!("{west_ip}/32")),
    );
    if k.west_admits_tunnel {
        env.allow(
            &west(),
            &w.sg,
            SgDir::Ingress,
            from_cidr(udp(DEFAULT_PORT), &format!("{east_ip}/32")),
        );
    }
    env.route(
        &a(),
        &e.workload_rtb,
        "10.20.0.0/16",
        RouteTarget::Instance(east_gw.clone()),
    );
    env.route(
        &west(),
        &w.workload_rtb,
        "10.10.0.0/16",
        RouteTarget::Instance(west_gw.clone()),
    );
    let west_acl = env.default_acl(&w.vpc);
    if k.west_acl_denies_tunnel {
        env.acl_entry(
            &west(),
            acl_rule(
                &west_acl,
                50,
                false,
                "udp",
                "deny",
                "0.0.0.0/0",
                Some((51820, 51820)),
            ),
        );
    }
    if !k.east_internet_route {
        env.delete_route(&a(), &e.public_rtb, "0.0.0.0/0");
    }
    if k.west_check_on {
        env.run(&west(), |tx| {
            tx.modify_interface(&west_eni, InterfaceChange::SourceDestCheck(true))
        })
        .expect("check on");
    }
    let app = env.instance(&a(), &e.workload, &[]);
    let web = web_instance(
        &mut env,
        &west(),
        &w.vpc,
        &w.workload,
        "web-sg",
        "10.10.0.0/16",
    );
    if k.stop_east {
        env.run(&a(), |tx| tx.stop_instances(std::slice::from_ref(&east_gw)))
            .expect("stop");
    }
    if k.stop_west {
        env.run(&west(), |tx| {
            tx.stop_instances(std::slice::from_ref(&west_gw))
        })
        .expect("stop");
    }
    Ids {
        env,
        app,
        web,
        east_gw,
        west_gw,
        west_sg: w.sg,
        east_public_rtb: e.public_rtb,
        east_igw: e.igw,
        west_acl,
        east_ip,
        west_ip,
    }
}

fn query(ids: &Ids) -> Query {
    Query {
        src: Endpoint::Instance(ids.app.clone()),
        dst: Endpoint::Instance(ids.web.clone()),
        protocol: Protocol::Tcp,
        port: Some(443),
    }
}

fn verdict(ids: &Ids) -> (Snapshot, Verdict) {
    let snap = Snapshot::compile(&ids.env.world, ids.env.now);
    let v = explain(&snap, &query(ids)).expect("verdict");
    (snap, v)
}

struct Row {
    name: &'static str,
    knobs: Knobs,
    codes: &'static [(Leg, &'static str)],
}

use Leg::{Forward as F, Return as R};

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "two gateways, keys and routes right: reachable through the tunnel",
            knobs: WORKING,
            codes: &[],
        },
        Row {
            name: "the far gateway is stopped",
            knobs: Knobs {
                stop_west: true,
                ..WORKING
            },
            codes: &[(F, "TUNNEL_GATEWAY_NOT_RUNNING"), (R, "BAD_STATE_ROUTE")],
        },
        Row {
            name: "the near gateway is stopped: its route is a blackhole too",
            knobs: Knobs {
                stop_east: true,
                ..WORKING
            },
            codes: &[(F, "BAD_STATE_ROUTE"), (F, "TUNNEL_GATEWAY_NOT_RUNNING")],
        },
        Row {
            name: "the near gateway has no public address",
            knobs: Knobs {
                east_eip: false,
                ..WORKING
            },
            codes: &[(F, "TUNNEL_NO_PUBLIC_IP")],
        },
        Row {
            name: "the near gateway's subnet has no internet route",
            knobs: Knobs {
                east_internet_route: false,
                ..WORKING
            },
            codes: &[(F, "TUNNEL_NO_INTERNET_ROUTE")],
        },
        Row {
            name: "the far gateway's group does not admit the tunnel's UDP",
            knobs: Knobs {
                west_admits_tunnel: false,
                ..WORKING
            },
            codes: &[(F, "TUNNEL_OUTER_BLOCKED_BY_SG")],
        },
        Row {
            name: "the far gateway's subnet ACL denies the tunnel's UDP",
            knobs: Knobs {
                west_acl_denies_tunnel: true,
                ..WORKING
            },
            codes: &[(F, "TUNNEL_OUTER_BLOCKED_BY_ACL")],
        },
        Row {
            name: "the near entry holds the wrong key for the far gateway",
            knobs: Knobs {
                edit_east: |c| c.peers[0].public_key = key(9).public(),
                ..WORKING
            },
            codes: &[(F, "TUNNEL_KEY_MISMATCH")],
        },
        Row {
            name: "the far configuration has no entry for the near gateway",
            knobs: Knobs {
                edit_west: |c| c.peers[0].name = "someone-else".into(),
                ..WORKING
            },
            codes: &[
                (F, "TUNNEL_PEER_ENTRY_MISSING"),
                (R, "TUNNEL_NO_ROUTE_FOR_DESTINATION"),
            ],
        },
        Row {
            name: "the endpoint's port is not the far ListenPort",
            knobs: Knobs {
                edit_west: |c| c.listen_port = 51999,
                ..WORKING
            },
            codes: &[
                // The outer packets go to the endpoint's port (51820), which the group admits.
                (F, "TUNNEL_PORT_MISMATCH"),
            ],
        },
        Row {
            name: "the far entry does not allow the inner source",
            knobs: Knobs {
                edit_west: |c| c.peers[0].allowed_ips = vec!["10.10.9.0/24".parse().expect("net")],
                ..WORKING
            },
            codes: &[
                (F, "TUNNEL_SOURCE_NOT_ALLOWED"),
                (R, "TUNNEL_NO_ROUTE_FOR_DESTINATION"),
            ],
        },
        Row {
            name: "the far gateway sends the reply into another tunnel",
            knobs: Knobs {
                edit_west: |c| {
                    let mut other = c.peers[0].clone();
                    other.name = "other-gw".into();
                    other.public_key = key(7).public();
                    other.allowed_ips = vec!["10.10.2.0/24".parse().expect("net")];
                    c.peers.push(other);
                },
                ..WORKING
            },
            codes: &[(R, "TUNNEL_NO_ROUTE_FOR_DESTINATION")],
        },
        Row {
            name: "the near gateway's configuration does not parse",
            knobs: Knobs {
                east_text: Some(
                    "#vpcpeer-gateway v1\n[Interface]\nName = east-gw\nListenPort = many\n",
                ),
                ..WORKING
            },
            codes: &[(F, "TUNNEL_CONFIG_INVALID")],
        },
        Row {
            name: "no gateway holds the endpoint's address",
            knobs: Knobs {
                edit_east: |c| {
                    c.peers[0].endpoint = "203.0.113.9:51820".parse().expect("endpoint");
                },
                ..WORKING
            },
            codes: &[(F, "TUNNEL_PEER_NOT_FOUND")],
        },
        Row {
            name: "the far gateway's source/destination check is on",
            knobs: Knobs {
                west_check_on: true,
                ..WORKING
            },
            codes: &[(F, "ENI_SOURCE_DEST_CHECK_RESTRICTION")],
        },
    ]
}

#[test]
fn tunnel_scenarios() {
    let mut failures = Vec::new();
    for row in rows() {
        let ids = build(row.knobs);
        let (_, v) = verdict(&ids);
        let got: Vec<(Leg, &str)> = v
            .blockers
            .iter()
            .map(|b| (b.leg, b.code.aws_code()))
            .collect();
        let want: Vec<(Leg, &str)> = row.codes.to_vec();
        if got != want || v.reachable != want.is_empty() {
            failures.push(format!(
                "{}:\n  want {want:?}\n  got  {got:?}\n  {:#?}",
                row.name, v.blockers
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The path names each part: instance → route table → gateway A → tunnel → gateway B → route
/// table → instance, forward, and back through the tunnel.
#[test]
fn the_happy_path_crosses_both_gateways_and_the_tunnel_both_ways() {
    let ids = build(WORKING);
    let (_, v) = verdict(&ids);
    assert!(v.reachable, "{:#?}", v.blockers);
    let at = |hops: &[vpcpeer_reach::Hop], kind: K, id: &str| {
        hops.iter()
            .position(|h| h.component.kind == kind && h.component.id == id)
    };
    let tunnel = "east-gw->west-gw";
    let fwd = [
        at(&v.forward, K::Instance, &ids.app),
        at(&v.forward, K::Instance, &ids.east_gw),
        at(&v.forward, K::Tunnel, tunnel),
        at(&v.forward, K::Instance, &ids.west_gw),
        at(&v.forward, K::Instance, &ids.web),
    ];
    assert!(
        fwd.iter().all(Option::is_some) && fwd.windows(2).all(|w| w[0] < w[1]),
        "{fwd:?}: {:#?}",
        v.forward
    );
    let hop = &v.forward[fwd[2].expect("tunnel hop")];
    match &hop.rule {
        Some(vpcpeer_reach::RuleRef::Cloud(vpcpeer_reach::CloudRule::Route {
            destination,
            next_hop,
            ..
        })) => {
            assert_eq!(destination, "10.20.0.0/16");
            assert_eq!(next_hop, &format!("{}:51820", ids.west_ip));
        }
        other => panic!("tunnel rule {other:?}"),
    }
    // The inner packet keeps its addresses through the tunnel.
    assert_eq!(hop.inbound, hop.outbound);
    assert_eq!(hop.inbound.dst_port, Some(443));
    // The outer path is on the forward leg, UDP between the public addresses.
    assert!(v
        .forward
        .iter()
        .any(|h| h.inbound.dst_ip == std::net::IpAddr::V4(ids.west_ip)
            && h.inbound.src_ip == std::net::IpAddr::V4(ids.east_ip)
            && h.inbound.protocol == Protocol::Udp));
    let ret = [
        at(&v.ret, K::Instance, &ids.web).or(at(&v.ret, K::NetworkInterface, "")),
        at(&v.ret, K::Tunnel, tunnel),
    ];
    assert!(ret[1].is_some(), "reply through the tunnel: {:#?}", v.ret);
}

/// Each blocker's remedy names the component and the change.
#[test]
fn tunnel_remedies() {
    let check = |k: Knobs, want: &dyn Fn(&Ids) -> Vec<Remedy>| {
        let ids = build(k);
        let (snap, v) = verdict(&ids);
        let got: Vec<Remedy> = v.blockers.iter().map(|b| remedy(&snap, &v, b)).collect();
        assert_eq!(got, want(&ids), "{:#?}", v.blockers);
    };
    check(
        Knobs {
            stop_west: true,
            ..WORKING
        },
        &|ids| {
            vec![
                Remedy::StartInstance {
                    instance: ids.west_gw.clone(),
                },
                Remedy::ReplaceBlackholeRoute {
                    table: ids
                        .env
                        .world
                        .aws
                        .route_tables()
                        .values()
                        .find(|t| {
                            t.routes
                                .iter()
                                .any(|r| r.target == RouteTarget::Instance(ids.west_gw.clone()))
                        })
                        .expect("table")
                        .id
                        .clone(),
                },
            ]
        },
    );
    check(
        Knobs {
            west_admits_tunnel: false,
            ..WORKING
        },
        &|ids| {
            vec![Remedy::AllowInSecurityGroup {
                group: ids.west_sg.clone(),
                direction: Direction::Ingress,
                traffic: Traffic {
                    protocol: Protocol::Udp,
                    port: Some(51820),
                },
                peer: ipnet::IpNet::from(std::net::IpAddr::V4(ids.east_ip)),
            }]
        },
    );
    check(
        Knobs {
            west_acl_denies_tunnel: true,
            ..WORKING
        },
        &|ids| {
            vec![Remedy::AllowInNetworkAcl {
                acl: ids.west_acl.clone(),
                direction: Direction::Ingress,
                traffic: Traffic {
                    protocol: Protocol::Udp,
                    port: Some(51820),
                },
                peer: std::net::IpAddr::V4(ids.east_ip),
            }]
        },
    );
    check(
        Knobs {
            east_internet_route: false,
            ..WORKING
        },
        &|ids| {
            vec![Remedy::AddInternetRoute {
                table: ids.east_public_rtb.clone(),
                gateway: Some(ids.east_igw.clone()),
            }]
        },
    );
    check(
        Knobs {
            east_eip: false,
            ..WORKING
        },
        &|ids| {
            vec![Remedy::AssignPublicIp {
                instance: ids.east_gw.clone(),
            }]
        },
    );
    check(
        Knobs {
            edit_east: |c| c.peers[0].public_key = key(9).public(),
            ..WORKING
        },
        &|ids| {
            vec![Remedy::FixGatewayConfig {
                instance: ids.east_gw.clone(),
                change: ConfigChange::PublicKey {
                    peer: "west-gw".into(),
                    public_key: key(2).public().to_string(),
                },
            }]
        },
    );
    check(
        Knobs {
            edit_west: |c| c.peers[0].allowed_ips = vec!["10.10.9.0/24".parse().expect("net")],
            ..WORKING
        },
        &|ids| {
            let app_ip = ids.env.world.aws.network_interfaces()
                [&ids.env.world.aws.instances()[&ids.app].eni_ids[0]]
                .private_ip;
            let fix = ConfigChange::AllowedIps {
                peer: "east-gw".into(),
                allowed: format!("{app_ip}/32"),
            };
            vec![
                Remedy::FixGatewayConfig {
                    instance: ids.west_gw.clone(),
                    change: fix.clone(),
                },
                Remedy::FixGatewayConfig {
                    instance: ids.west_gw.clone(),
                    change: fix,
                },
            ]
        },
    );
}

/// A gateway image instance without a configuration is an ordinary appliance: the packet is
/// routed on from its subnet (here to the internet gateway, which cannot reach a private
/// address of another VPC), and no tunnel code appears.
#[test]
fn a_gateway_without_configuration_is_an_ordinary_router() {
    let ids = build(Knobs {
        east_text: Some("#!/bin/sh\necho not a gateway configuration\n"),
        ..WORKING
    });
    let (_, v) = verdict(&ids);
    assert!(!v.reachable);
    assert!(
        v.blockers
            .iter()
            .all(|b| !b.code.aws_code().starts_with("TUNNEL_")),
        "{:#?}",
        v.blockers
    );
    assert!(v.forward.iter().all(|h| h.component.kind != K::Tunnel));
    let not_image = build(Knobs {
        east_image_is_gateway: false,
        ..WORKING
    });
    let (_, v) = verdict(&not_image);
    assert!(
        v.forward.iter().all(|h| h.component.kind != K::Tunnel),
        "another image: no tunnel"
    );
}
