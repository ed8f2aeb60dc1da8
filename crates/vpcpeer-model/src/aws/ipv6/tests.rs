//! Table tests of the IPv6 area: egress-only internet gateways, subnet IPv6 blocks, IPv6-only
//! subnets, the VPC's IPv6 blocks, the `::/0` default egress rule and the on-launch address.

use std::net::Ipv6Addr;

use ipnet::Ipv6Net;

use super::{Ipv6Command, Ipv6Outcome, IPV6_BLOCKS_PER_VPC};
use crate::aws::instance::RunInstances;
use crate::aws::security_group::CreateSecurityGroup;
use crate::aws::subnet::{NewSubnet, SubnetAttribute};
use crate::aws::vpc::{NewAssociation, NewBlock};
use crate::testkit::{
    self, a, b, dest, launch_one as basic, main_table, outcome, route, v6, TestEnv,
};
use crate::{
    AclAction, AssocState, Destination, DomainError, RouteTable, RouteTarget, RulePeer,
    SecurityGroup, Subnet, Tags,
};

fn vpc_v6(env: &TestEnv, vpc: &str) -> Ipv6Net {
    env.world.aws.vpcs[vpc].ipv6[0].cidr
}

/// The `n`th /64 of the VPC's first IPv6 block.
fn nth64(env: &TestEnv, vpc: &str, n: u128) -> String {
    let base = u128::from(vpc_v6(env, vpc).network());
    Ipv6Net::new(Ipv6Addr::from(base + (n << 64)), 64)
        .expect("64")
        .to_string()
}

fn eigw(env: &mut TestEnv, vpc: &str) -> String {
    env.run(&a(), |tx| tx.create_egress_only_gateway(vpc, Tags::new()))
        .expect("eigw")
        .id
}

fn v6_subnet(env: &mut TestEnv, vpc: &str, cidr: &str, block: &str) -> String {
    env.run(&a(), |tx| {
        tx.create_subnet(NewSubnet {
            ipv6_block: Some(v6(block)),
            ..testkit::subnet(vpc, cidr)
        })
    })
    .expect("subnet")
}

#[test]
fn egress_only_gateway_lifecycle_and_errors() {
    let mut env = TestEnv::new();
    let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let other = env.vpc(&a(), "10.1.0.0/16");
    let foreign = env.vpc(&b(), "10.2.0.0/16");
    let gw = env
        .run(&a(), |tx| {
            Ipv6Command::CreateEgressOnlyGateway {
                vpc_id: vpc.clone(),
                tags: [("Name".to_owned(), "out".to_owned())].into(),
                client_token: Some("tok".into()),
            }
            .apply(tx)
        })
        .expect("create");
    let Ipv6Outcome::Gateway {
        gateway,
        client_token,
    } = gw
    else {
        panic!("not a gateway: {gw:?}");
    };
    assert!(gateway.id.starts_with("eigw-"));
    assert_eq!(gateway.vpc_id, vpc);
    assert_eq!(gateway.tags["Name"], "out");
    assert_eq!(client_token.as_deref(), Some("tok"));
    assert_eq!(env.world.aws.egress_only_gateways[&gateway.id], gateway);

    // (vpc, expected)
    let rows = [
        (vpc.as_str(), "ok"),
        // A VPC without IPv6 may have one too (it is useless until the VPC gets a block).
        (other.as_str(), "ok"),
        ("vpc-0123456789abcdef0", "NotFound"),
        ("vpc-zz", "Malformed"),
        (foreign.as_str(), "NotFound"),
    ];
    for (v, want) in rows {
        let got = env.probe(&a(), |tx| tx.create_egress_only_gateway(v, Tags::new()));
        assert_eq!(outcome(&got), want, "{v}");
    }

    // The regional quota.
    for _ in 1..super::EIGWS_PER_REGION {
        eigw(&mut env, &other);
    }
    let got = env.probe(&a(), |tx| tx.create_egress_only_gateway(&vpc, Tags::new()));
    assert_eq!(outcome(&got), "Limit");
    assert!(matches!(
        got,
        Err(DomainError::LimitExceeded {
            kind: crate::LimitKind::EgressOnlyGateways,
            max: 5,
            ..
        })
    ));

    // DeleteVpc is refused while a gateway is attached.
    let got = env.probe(&a(), |tx| tx.delete_vpc(&vpc));
    assert_eq!(outcome(&got), "Dependency");

    // Delete: by its owner only; twice is NotFound.
    let id = gateway.id.clone();
    let rows = [
        (b(), id.as_str(), "NotFound"),
        (a(), "eigw-0123456789abcdef0", "NotFound"),
        (a(), "eigw-zz", "Malformed"),
        (a(), id.as_str(), "ok"),
        (a(), id.as_str(), "NotFound"),
    ];
    for (scope, g, want) in rows {
        let got = env.run(&scope, |tx| {
            Ipv6Command::DeleteEgressOnlyGateway { id: g.into() }.apply(tx)
        });
        assert_eq!(outcome(&got), want, "{g}");
    }
    assert!(!env.world.aws.egress_only_gateways.contains_key(&id));
    env.run(&a(), |tx| tx.delete_vpc(&vpc))
        .expect("no dependents left");
}

#[test]
fn routes_to_egress_only_gateways() {
    let mut env = TestEnv::new();
    let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let other = env.vpc_ipv6(&a(), "10.1.0.0/16");
    let gw = eigw(&mut env, &vpc);
    let elsewhere = eigw(&mut env, &other);
    let table = main_table(&env, &vpc);
    let t = RouteTarget::EgressOnlyInternetGateway;
    let rows = [
        ("::/0", t(gw.clone()), "ok"),
        ("2001:db8::/32", t(gw.clone()), "ok"),
        ("0.0.0.0/0", t(gw.clone()), "Invalid"),
        ("::/0", t(elsewhere.clone()), "Invalid"),
        ("::/0", t("eigw-0123456789abcdef0".into()), "NotFound"),
        ("::/0", t("eigw-zz".into()), "Invalid"),
    ];
    for (d, target, want) in rows {
        let got = env.probe(&a(), |tx| tx.create_route(route(&table, d, target.clone())));
        assert_eq!(outcome(&got), want, "{d} -> {target:?}");
    }
    env.run(&a(), |tx| {
        tx.create_route(route(&table, "::/0", t(gw.clone())))
    })
    .expect("route");
    let state = |env: &TestEnv| {
        let rt: &RouteTable = &env.world.aws.route_tables[&table];
        let r = rt
            .routes
            .iter()
            .find(|r| r.destination == dest("::/0"))
            .expect("route");
        crate::aws::route::route_state(&env.world, r, env.now)
    };
    assert_eq!(state(&env), crate::aws::route::RouteState::Active);
    env.run(&a(), |tx| tx.delete_egress_only_gateway(&gw))
        .expect("delete");
    assert_eq!(state(&env), crate::aws::route::RouteState::Blackhole);
}

#[test]
fn subnet_ipv6_block_association_table() {
    let mut env = TestEnv::new();
    let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let plain_vpc = env.vpc(&a(), "10.1.0.0/16");
    let s1 = env.subnet(&a(), &vpc, "10.0.1.0/24");
    let s2 = env.subnet(&a(), &vpc, "10.0.2.0/24");
    let plain = env.subnet(&a(), &plain_vpc, "10.1.1.0/24");
    let (b0, b1) = (nth64(&env, &vpc, 0), nth64(&env, &vpc, 1));
    let assoc = |env: &mut TestEnv, s: &str, blk: &str| {
        env.run(&a(), |tx| {
            Ipv6Command::AssociateSubnetBlock {
                subnet_id: s.into(),
                block: v6(blk),
            }
            .apply(tx)
        })
    };
    let got = assoc(&mut env, &s1, &b0).expect("associate");
    let Ipv6Outcome::SubnetBlock(sb) = got else {
        panic!("{got:?}")
    };
    assert!(sb.association_id.starts_with("subnet-cidr-assoc-"));
    assert_eq!(sb.state, AssocState::Associated);
    assert_eq!(sb.cidr.to_string(), b0);
    assert_eq!(
        env.world.aws.subnets[&s1].ipv6,
        Some((sb.association_id.clone(), sb.cidr))
    );

    let wide = Ipv6Net::new(vpc_v6(&env, &vpc).network(), 60)
        .expect("60")
        .to_string();
    // (subnet, block, expected)
    let rows: Vec<(&str, &str, &str)> = vec![
        (&s2, &b0, "Conflict"),
        (&s2, &wide, "Range"),
        (&s2, "2001:db8::/64", "Range"),
        (&plain, "2001:db8::/64", "Range"),
        (&s1, &b1, "Invalid"),
        ("subnet-0123456789abcdef0", &b1, "NotFound"),
        (&s2, &b1, "ok"),
    ];
    for (s, blk, want) in rows {
        let got = env.probe(&a(), |tx| tx.associate_subnet_ipv6(s, &v6(blk)));
        assert_eq!(outcome(&got), want, "{s} {blk}");
    }
    // Another account does not see the subnet.
    let got = env.probe(&b(), |tx| tx.associate_subnet_ipv6(&s2, &v6(&b1)));
    assert_eq!(outcome(&got), "NotFound");

    // Disassociation: refused while an interface holds an address of the block.
    env.run(&a(), |tx| {
        tx.modify_subnet_attribute(&s1, SubnetAttribute::AssignIpv6OnCreation, true)
    })
    .expect("modify");
    let launch = env
        .run(&a(), |tx| tx.run_instances(basic(&s1)))
        .expect("launch");
    let got = env.probe(&a(), |tx| tx.disassociate_subnet_ipv6(&sb.association_id));
    assert_eq!(outcome(&got), "Dependency");
    env.run(&a(), |tx| tx.terminate_instances(&launch.instance_ids))
        .expect("terminate");
    let rows = [
        (b(), sb.association_id.as_str(), "NotFound"),
        (a(), "subnet-cidr-assoc-0123456789abcdef0", "NotFound"),
        (a(), sb.association_id.as_str(), "ok"),
        (a(), sb.association_id.as_str(), "NotFound"),
    ];
    for (scope, id, want) in rows {
        let got = env.run(&scope, |tx| tx.disassociate_subnet_ipv6(id));
        assert_eq!(outcome(&got), want, "{id}");
        if let Ok(out) = got {
            assert_eq!(out.state, AssocState::Disassociated);
            assert_eq!(out.subnet_id, s1);
        }
    }
    let s = &env.world.aws.subnets[&s1];
    assert_eq!(s.ipv6, None);
    assert!(!s.assign_ipv6_on_creation, "turned off with the block");
    // The block is free again.
    assoc(&mut env, &s1, &b0).expect("again");
}

#[test]
fn ipv6_only_subnets() {
    let mut env = TestEnv::new();
    let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let b0 = nth64(&env, &vpc, 0);
    let b1 = nth64(&env, &vpc, 1);
    let native = |cidr: Option<&str>, block: Option<&str>| NewSubnet {
        block: cidr.map(testkit::v4),
        ipv6_block: block.map(v6),
        ipv6_native: true,
        ..testkit::subnet(&vpc, "10.0.0.0/24")
    };
    // (subnet, expected)
    let rows = [
        (native(Some("10.0.9.0/24"), Some(&b1)), "Combination"),
        (native(None, None), "Missing"),
        (native(None, Some("2001:db8::/64")), "Range"),
        (
            NewSubnet {
                block: None,
                ..testkit::subnet(&vpc, "10.0.0.0/24")
            },
            "Missing",
        ),
        (native(None, Some(&b1)), "ok"),
    ];
    for (input, want) in rows {
        let got = env.probe(&a(), |tx| tx.create_subnet(input.clone()));
        assert_eq!(outcome(&got), want, "{input:?}");
    }
    let id = env
        .run(&a(), |tx| tx.create_subnet(native(None, Some(&b0))))
        .expect("native");
    let s: &Subnet = &env.world.aws.subnets[&id];
    assert!(s.ipv6_native());
    assert_eq!(s.cidr, None);
    assert!(s.assign_ipv6_on_creation);
    let assoc_id = s.ipv6.clone().expect("block").0;
    let count = env
        .probe(&a(), |tx| {
            Ok(tx.available_ip_count(&tx.subnet(&id)?.clone()))
        })
        .expect("count");
    assert_eq!(count, 0);
    // Its one block stays; an IPv4 subnet may still take any IPv4 block (no sentinel).
    let got = env.probe(&a(), |tx| tx.disassociate_subnet_ipv6(&assoc_id));
    assert_eq!(outcome(&got), "NotPermitted");
    env.subnet(&a(), &vpc, "10.0.0.0/24");
    // A second IPv6-only subnet conflicts only on its /64.
    let got = env.probe(&a(), |tx| tx.create_subnet(native(None, Some(&b0))));
    assert_eq!(outcome(&got), "Conflict");
    // Launching into it is refused (interfaces need an IPv4 address here).
    let got = env.probe(&a(), |tx| tx.run_instances(basic(&id)));
    assert!(
        matches!(
            got,
            Err(DomainError::Ipv6(
                super::Ipv6Problem::LaunchIntoIpv6Only { .. }
            ))
        ),
        "{got:?}"
    );
    // The VPC block under it cannot go.
    let vpc_assoc = env.world.aws.vpcs[&vpc].ipv6[0].association_id.clone();
    let got = env.probe(&a(), |tx| tx.disassociate_vpc_cidr(&vpc_assoc));
    assert_eq!(outcome(&got), "Dependency");
    env.run(&a(), |tx| tx.delete_subnet(&id)).expect("delete");
}

#[test]
fn vpc_ipv6_blocks_table() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let default_acl = |env: &TestEnv| {
        env.world
            .aws
            .network_acls
            .values()
            .find(|x| x.vpc_id == vpc && x.is_default)
            .expect("acl")
            .clone()
    };
    assert!(default_acl(&env)
        .entries
        .iter()
        .all(|e| matches!(e.cidr, Destination::V4(_))));
    let mut blocks = Vec::new();
    for _ in 0..IPV6_BLOCKS_PER_VPC {
        let got = env
            .run(&a(), |tx| tx.associate_vpc_cidr(&vpc, NewBlock::AmazonIpv6))
            .expect("associate");
        let NewAssociation::Ipv6(blk) = got else {
            panic!("{got:?}")
        };
        assert_eq!(blk.cidr.prefix_len(), 56);
        assert_eq!(blk.pool, "Amazon");
        assert_eq!(blk.network_border_group, "us-east-1");
        assert_eq!(blk.state, AssocState::Associated);
        assert!(!blocks.contains(&blk.cidr), "distinct blocks");
        blocks.push(blk.cidr);
    }
    let got = env.probe(&a(), |tx| tx.associate_vpc_cidr(&vpc, NewBlock::AmazonIpv6));
    assert_eq!(outcome(&got), "Limit");
    // The local routes, and the default ACL opened to IPv6 once (both directions).
    let table = main_table(&env, &vpc);
    for blk in &blocks {
        assert!(env.world.aws.route_tables[&table]
            .routes
            .iter()
            .any(|r| r.destination == Destination::V6(*blk) && r.target == RouteTarget::Local));
    }
    let acl = default_acl(&env);
    let v6_entries: Vec<_> = acl
        .entries
        .iter()
        .filter(|e| matches!(e.cidr, Destination::V6(_)))
        .map(|e| (e.rule_number, e.egress, e.action))
        .collect();
    assert_eq!(v6_entries.len(), 4, "{v6_entries:?}");
    assert!(v6_entries.contains(&(101, false, AclAction::Allow)));
    assert!(v6_entries.contains(&(32768, true, AclAction::Deny)));

    // A subnet in the second block holds it; removing the block removes its local route.
    let b1 = Ipv6Net::new(blocks[1].network(), 64)
        .expect("64")
        .to_string();
    let s = v6_subnet(&mut env, &vpc, "10.0.1.0/24", &b1);
    let assoc = |env: &TestEnv, n: usize| env.world.aws.vpcs[&vpc].ipv6[n].association_id.clone();
    let second = assoc(&env, 1);
    let got = env.probe(&a(), |tx| tx.disassociate_vpc_cidr(&second));
    assert_eq!(outcome(&got), "Dependency");
    let first = assoc(&env, 0);
    let (_, gone) = env
        .run(&a(), |tx| tx.disassociate_vpc_cidr(&first))
        .expect("disassociate");
    let NewAssociation::Ipv6(gone) = gone else {
        panic!("{gone:?}")
    };
    assert_eq!(gone.state, AssocState::Disassociated);
    assert!(!env.world.aws.route_tables[&table]
        .routes
        .iter()
        .any(|r| r.destination == Destination::V6(blocks[0])));
    env.run(&a(), |tx| tx.delete_subnet(&s)).expect("delete");
    env.run(&a(), |tx| tx.disassociate_vpc_cidr(&second))
        .expect("free now");
}

#[test]
fn new_groups_allow_ipv6_out_in_ipv6_vpcs() {
    let mut env = TestEnv::new();
    let dual = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let v4 = env.vpc(&a(), "10.1.0.0/16");
    let any6 = RulePeer::Cidr6("::/0".parse().expect("static"));
    let any4 = RulePeer::Cidr4("0.0.0.0/0".parse().expect("static"));
    // (vpc, expected egress peers)
    let rows = [(&dual, vec![any4.clone(), any6.clone()]), (&v4, vec![any4])];
    for (vpc, want) in rows {
        let id = env
            .run(&a(), |tx| {
                tx.create_security_group(CreateSecurityGroup {
                    name: "web".into(),
                    description: "web".into(),
                    vpc_id: Some(vpc.clone()),
                    tags: Tags::new(),
                })
            })
            .expect("group");
        let g: &SecurityGroup = &env.world.aws.security_groups[&id];
        let peers: Vec<RulePeer> = g.egress.iter().map(|r| r.peer.clone()).collect();
        assert_eq!(peers, want, "{vpc}");
        assert!(g.egress.iter().all(|r| r.protocol == "-1"));
        // The default group likewise.
        let d = env.default_sg(vpc);
        let peers: Vec<RulePeer> = env.world.aws.security_groups[&d]
            .egress
            .iter()
            .map(|r| r.peer.clone())
            .collect();
        assert_eq!(peers, want, "default group of {vpc}");
    }
}

#[test]
fn launch_assigns_ipv6_when_the_subnet_says_so() {
    let mut env = TestEnv::new();
    let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let b0 = nth64(&env, &vpc, 0);
    let s = v6_subnet(&mut env, &vpc, "10.0.1.0/24", &b0);
    let ipv6_of = |env: &TestEnv, instance: &str| {
        let eni = &env.world.aws.instances[instance].eni_ids[0];
        env.world.aws.network_interfaces[eni].ipv6.clone()
    };
    let first = env
        .run(&a(), |tx| tx.run_instances(basic(&s)))
        .expect("launch");
    assert!(
        ipv6_of(&env, &first.instance_ids[0]).is_empty(),
        "off by default"
    );
    env.run(&a(), |tx| {
        tx.modify_subnet_attribute(&s, SubnetAttribute::AssignIpv6OnCreation, true)
    })
    .expect("on");
    let two = env
        .run(&a(), |tx| {
            tx.run_instances(RunInstances {
                min_count: 2,
                max_count: 2,
                ..basic(&s)
            })
        })
        .expect("launch");
    let net: Ipv6Net = b0.parse().expect("net");
    let got: Vec<Ipv6Addr> = two
        .instance_ids
        .iter()
        .flat_map(|i| ipv6_of(&env, i))
        .collect();
    let base = u128::from(net.network());
    assert_eq!(
        got,
        vec![Ipv6Addr::from(base + 4), Ipv6Addr::from(base + 5)],
        "lowest free past the reserved head, distinct"
    );
    assert_eq!(
        env.probe(&a(), |tx| Ok(tx.ipv6_on_launch(&s, &got)))
            .expect("probe"),
        Some(Ipv6Addr::from(base + 6))
    );
}

#[test]
fn ipv6_routes_over_inter_region_peerings_follow_the_switch() {
    let mut env = TestEnv::new();
    let east = a();
    let west = crate::Scope::new(crate::testkit::A, "us-west-2");
    let va = env.vpc_ipv6(&east, "10.0.0.0/16");
    let vb = env.vpc_ipv6(&west, "10.1.0.0/16");
    let pcx = env
        .run(&east, |tx| {
            tx.create_peering(crate::aws::peering::CreatePeering {
                vpc_id: va.clone(),
                peer_vpc_id: vb.clone(),
                peer_region: Some("us-west-2".into()),
                ..Default::default()
            })
        })
        .expect("pcx")
        .connection
        .id;
    env.run(&west, |tx| tx.accept_peering(&pcx))
        .expect("accept");
    let table = main_table(&env, &va);
    let v6b = vpc_v6(&env, &vb).to_string();
    let t = RouteTarget::Peering(pcx.clone());
    // (switch, destination, expected)
    let rows = [
        (true, v6b.as_str(), "ok"),
        (false, v6b.as_str(), "Invalid"),
        (false, "10.1.0.0/16", "ok"),
    ];
    for (on, d, want) in rows {
        env.limits.ipv6_over_inter_region_peering = on;
        let got = env.probe(&east, |tx| tx.create_route(route(&table, d, t.clone())));
        assert_eq!(outcome(&got), want, "{on} {d}");
    }
}

#[test]
fn dns64_and_aaaa_attributes_are_kept() {
    let mut env = TestEnv::new();
    let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let s = env.subnet(&a(), &vpc, "10.0.1.0/24");
    // (attribute, value, dns64 after, aaaa after)
    let rows = [
        (SubnetAttribute::EnableDns64, true, true, false),
        (SubnetAttribute::DnsAaaaOnLaunch, true, true, true),
        (SubnetAttribute::EnableDns64, false, false, true),
        (SubnetAttribute::DnsAaaaOnLaunch, false, false, false),
    ];
    for (attr, value, dns64, aaaa) in rows {
        env.run(&a(), |tx| tx.modify_subnet_attribute(&s, attr, value))
            .expect("modify");
        let got = &env.world.aws.subnets[&s];
        assert_eq!(
            (got.enable_dns64, got.dns_aaaa_on_launch),
            (dns64, aaaa),
            "{attr:?}"
        );
    }
    let got = env.probe(&b(), |tx| {
        tx.modify_subnet_attribute(&s, SubnetAttribute::EnableDns64, true)
    });
    assert_eq!(outcome(&got), "NotFound");
}

#[test]
fn commands_replay_through_serde() {
    let cmds = [
        Ipv6Command::CreateEgressOnlyGateway {
            vpc_id: "vpc-1".into(),
            tags: Tags::new(),
            client_token: None,
        },
        Ipv6Command::DeleteEgressOnlyGateway {
            id: "eigw-1".into(),
        },
        Ipv6Command::AssociateSubnetBlock {
            subnet_id: "subnet-1".into(),
            block: v6("2600:1f18::/64"),
        },
        Ipv6Command::DisassociateSubnetBlock {
            association_id: "subnet-cidr-assoc-1".into(),
        },
    ];
    for c in cmds {
        let json = serde_json::to_string(&crate::aws::Command::Ipv6(c.clone())).expect("json");
        let back: crate::aws::Command = serde_json::from_str(&json).expect("back");
        assert_eq!(back, crate::aws::Command::Ipv6(c));
    }
    // A subnet command logged before `ipv6_native` existed still reads.
    let old = r#"{"vpc_id":"vpc-1","block":{"value":"10.0.0.0/24","text":"10.0.0.0/24"},"ipv6_block":null,"availability_zone":null,"availability_zone_id":null,"tags":{}}"#;
    let s: NewSubnet = serde_json::from_str(old).expect("old form");
    assert!(!s.ipv6_native);
    assert_eq!(s.block.expect("block").text, "10.0.0.0/24");
}
