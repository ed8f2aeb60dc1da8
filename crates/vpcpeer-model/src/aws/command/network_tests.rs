//! Table tests of the area-1 commands (VPCs, subnets, route tables and routes, internet and NAT
//! gateways), applied through [`Apply::apply`] as the EC2 face and a replay apply them: each
//! command's success (and the outcome it hands back) and each refusal, on one setup; and a
//! replay of a recorded run with its logged ids on an empty world giving the same records.

use ipnet::{Ipv4Net, Ipv6Net};

use super::{Command, Outcome};
use crate::aws::gateway::NewNat;
use crate::aws::input::Spelled;
use crate::aws::route::{AssocRequest, RouteSpec};
use crate::aws::subnet::{NewSubnet, SubnetAttribute};
use crate::aws::vpc::{NewBlock, NewVpc, Tenancy, VpcAttribute};
use crate::testkit::{a, b, code, TestEnv};
use crate::{
    Apply, Ctx, Destination, DomainError, RecordingIds, RouteTarget, Scope, ScriptedIds, Tags, Tx,
    World,
};

fn v4(s: &str) -> Spelled<Ipv4Net> {
    Spelled::canonical(s.parse().expect("test block"))
}

fn dest(s: &str) -> Destination {
    Destination::V4(s.parse().expect("test destination"))
}

fn vpc(cidr: &str) -> Command {
    Command::CreateVpc(NewVpc {
        block: v4(cidr),
        amazon_ipv6: false,
        tenancy: Tenancy::Default,
        tags: Tags::new(),
    })
}

fn subnet(vpc_id: &str, cidr: &str) -> Command {
    Command::CreateSubnet(NewSubnet {
        vpc_id: vpc_id.into(),
        block: Some(v4(cidr)),
        ipv6_native: false,
        ipv6_block: None,
        availability_zone: None,
        availability_zone_id: None,
        tags: Tags::new(),
    })
}

fn route(table: &str, to: &str, target: RouteTarget) -> RouteSpec {
    RouteSpec {
        route_table_id: table.into(),
        destination: dest(to),
        target,
    }
}

fn nat(subnet_id: &str, allocation: Option<&str>, public: bool) -> Command {
    Command::CreateNatGateway(NewNat {
        subnet_id: subnet_id.into(),
        allocation_id: allocation.map(Into::into),
        public,
        private_ip: None,
        client_token: Some("token-1".into()),
        tags: Tags::new(),
    })
}

/// `ok:<outcome>` or the refusal's name (`NotFound(Vpc)`, `InvalidVpcRange`, …).
fn result(r: &Result<Outcome, DomainError>) -> String {
    match r {
        Ok(o) => format!(
            "ok:{}",
            match o {
                Outcome::Done => "Done",
                Outcome::Vpc(_) => "Vpc",
                Outcome::VpcCidr { .. } => "VpcCidr",
                Outcome::Subnet(_) => "Subnet",
                Outcome::RouteTable { .. } => "RouteTable",
                Outcome::RouteTableAssociation(_) => "RouteTableAssociation",
                Outcome::InternetGateway(_) => "InternetGateway",
                Outcome::NatGateway { .. } => "NatGateway",
                Outcome::NatGatewayDeleted(_) => "NatGatewayDeleted",
                _ => "other",
            }
        ),
        Err(e) => code(e)
            .split([' ', '('])
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// Applies `c` as `scope` and commits it; panics if refused.
fn apply(env: &mut TestEnv, scope: &Scope, c: Command) -> Outcome {
    env.run(scope, |tx| c.apply(tx)).expect("setup command")
}

/// Probes every row on `env` (rolled back after each) and compares the results.
fn check(env: &mut TestEnv, rows: Vec<(Scope, Command, &str)>) {
    for (scope, c, want) in rows {
        let what = format!("{c:?}");
        let before = env.world.clone();
        let got = env.probe(&scope, |tx| c.apply(tx));
        assert_eq!(result(&got), want, "{what}");
        assert_eq!(env.world, before, "a probe leaves no trace: {what}");
    }
}

/// A VPC of `a()` in 10.0.0.0/16 with one subnet, an attached internet gateway and a custom
/// route table: (vpc, subnet, igw, table).
fn setup(env: &mut TestEnv) -> (String, String, String, String) {
    let Outcome::Vpc(v) = apply(env, &a(), vpc("10.0.0.0/16")) else {
        panic!("vpc")
    };
    let Outcome::Subnet(s) = apply(env, &a(), subnet(&v.id, "10.0.1.0/24")) else {
        panic!("subnet")
    };
    let Outcome::InternetGateway(g) = apply(
        env,
        &a(),
        Command::CreateInternetGateway { tags: Tags::new() },
    ) else {
        panic!("igw")
    };
    apply(
        env,
        &a(),
        Command::AttachInternetGateway {
            igw_id: g.id.clone(),
            vpc_id: v.id.clone(),
        },
    );
    let Outcome::RouteTable { table, .. } = apply(
        env,
        &a(),
        Command::CreateRouteTable {
            vpc_id: v.id.clone(),
            tags: Tags::new(),
            client_token: None,
        },
    ) else {
        panic!("table")
    };
    (v.id, s.id, g.id, table.id)
}

#[test]
fn vpc_commands() {
    let mut env = TestEnv::new();
    let (v, _, _, _) = setup(&mut env);
    let Outcome::Vpc(empty) = apply(&mut env, &a(), vpc("10.9.0.0/16")) else {
        panic!("vpc")
    };
    let primary = env.world.aws.vpcs[&v].ipv4[0].association_id.clone();
    let Outcome::VpcCidr { association, .. } = apply(
        &mut env,
        &a(),
        Command::AssociateVpcCidr {
            vpc_id: v.clone(),
            block: NewBlock::Ipv4(v4("10.1.0.0/16")),
        },
    ) else {
        panic!("block")
    };
    let crate::aws::vpc::NewAssociation::Ipv4(secondary) = association else {
        panic!("ipv4 association")
    };
    let unknown = "vpc-0123456789abcdef0".to_owned();
    let assoc = |vpc_id: &str, block: NewBlock| Command::AssociateVpcCidr {
        vpc_id: vpc_id.into(),
        block,
    };
    let attr = |vpc_id: &str, attribute, value| Command::ModifyVpcAttribute {
        vpc_id: vpc_id.into(),
        attribute,
        value,
    };
    check(
        &mut env,
        vec![
            (a(), vpc("10.2.0.0/16"), "ok:Vpc"),
            (a(), vpc("10.0.0.0/8"), "InvalidVpcRange"),
            (
                a(),
                Command::DeleteVpc {
                    id: empty.id.clone(),
                },
                "ok:Done",
            ),
            (
                a(),
                Command::DeleteVpc { id: v.clone() },
                "DependencyViolation",
            ),
            (
                a(),
                Command::DeleteVpc {
                    id: unknown.clone(),
                },
                "NotFound",
            ),
            (a(), Command::DeleteVpc { id: "vpc-x".into() }, "Malformed"),
            (
                b(),
                Command::DeleteVpc {
                    id: empty.id.clone(),
                },
                "NotFound",
            ),
            (
                a(),
                assoc(&v, NewBlock::Ipv4(v4("10.2.0.0/16"))),
                "ok:VpcCidr",
            ),
            (
                a(),
                assoc(&v, NewBlock::Ipv4(v4("10.0.128.0/17"))),
                "InvalidVpcRange",
            ),
            (
                a(),
                assoc(&v, NewBlock::Ipv4(v4("172.16.0.0/16"))),
                "InvalidVpcRange",
            ),
            (
                a(),
                assoc(&v, NewBlock::Ipv4(v4("10.0.0.0/8"))),
                "InvalidVpcRange",
            ),
            (a(), assoc(&v, NewBlock::AmazonIpv6), "ok:VpcCidr"),
            (a(), assoc(&unknown, NewBlock::AmazonIpv6), "NotFound"),
            (
                a(),
                Command::DisassociateVpcCidr {
                    association_id: secondary.association_id.clone(),
                },
                "ok:VpcCidr",
            ),
            (
                a(),
                Command::DisassociateVpcCidr {
                    association_id: primary.clone(),
                },
                "OperationNotPermitted",
            ),
            (
                b(),
                Command::DisassociateVpcCidr {
                    association_id: secondary.association_id.clone(),
                },
                "NotFound",
            ),
            (a(), attr(&v, VpcAttribute::DnsHostnames, true), "ok:Done"),
            (a(), attr(&v, VpcAttribute::NauMetrics, true), "ok:Done"),
            (a(), attr(&v, VpcAttribute::DnsSupport, false), "ok:Done"),
            (
                a(),
                attr(&unknown, VpcAttribute::DnsSupport, true),
                "NotFound",
            ),
        ],
    );
    apply(&mut env, &a(), attr(&v, VpcAttribute::DnsSupport, false));
    check(
        &mut env,
        vec![(
            a(),
            attr(&v, VpcAttribute::DnsHostnames, true),
            "InvalidParameterCombination",
        )],
    );
    env.limits.vpcs_per_region = Some(2);
    check(&mut env, vec![(a(), vpc("10.3.0.0/16"), "Limit")]);
}

#[test]
fn subnet_commands() {
    let mut env = TestEnv::new();
    let (v, s, _, _) = setup(&mut env);
    let with = |f: fn(&mut NewSubnet)| {
        let Command::CreateSubnet(mut n) = subnet(&v, "10.0.2.0/24") else {
            unreachable!()
        };
        f(&mut n);
        Command::CreateSubnet(n)
    };
    let modify = |id: &str, attribute, value| Command::ModifySubnetAttribute {
        subnet_id: id.into(),
        attribute,
        value,
    };
    check(
        &mut env,
        vec![
            (a(), subnet(&v, "10.0.2.0/24"), "ok:Subnet"),
            (a(), subnet(&v, "10.0.1.0/25"), "SubnetConflict"),
            (a(), subnet(&v, "10.1.0.0/24"), "InvalidSubnetRange"),
            (a(), subnet(&v, "10.0.2.0/29"), "InvalidSubnetRange"),
            (b(), subnet(&v, "10.0.2.0/24"), "NotFound"),
            (
                a(),
                with(|n| n.availability_zone = Some("us-east-1c".into())),
                "ok:Subnet",
            ),
            (
                a(),
                with(|n| n.availability_zone = Some("eu-west-1a".into())),
                "InvalidParameterValue",
            ),
            (
                a(),
                with(|n| {
                    n.availability_zone = Some("us-east-1a".into());
                    n.availability_zone_id = Some("use1-az1".into());
                }),
                "InvalidParameterCombination",
            ),
            (
                a(),
                with(|n| {
                    let block: Ipv6Net = "2600:1f18::/64".parse().expect("v6");
                    n.ipv6_block = Some(Spelled::canonical(block));
                }),
                "InvalidSubnetRange",
            ),
            (a(), Command::DeleteSubnet { id: s.clone() }, "ok:Done"),
            (
                a(),
                Command::DeleteSubnet {
                    id: "subnet-0123456789abcdef0".into(),
                },
                "NotFound",
            ),
            (
                a(),
                modify(&s, Some(SubnetAttribute::MapPublicIpOnLaunch), true),
                "ok:Done",
            ),
            (
                a(),
                modify(&s, Some(SubnetAttribute::AssignIpv6OnCreation), true),
                "InvalidParameterValue",
            ),
            (a(), modify(&s, None, false), "ok:Done"),
            (b(), modify(&s, None, false), "NotFound"),
        ],
    );
    env.limits.subnets_per_vpc = Some(1);
    check(&mut env, vec![(a(), subnet(&v, "10.0.2.0/24"), "Limit")]);
}

#[test]
fn route_table_and_route_commands() {
    let mut env = TestEnv::new();
    let (v, s, g, t) = setup(&mut env);
    let main_assoc = env
        .world
        .aws
        .route_tables
        .values()
        .find(|r| r.vpc_id == v && r.is_main())
        .map(|r| r.associations[0].id.clone())
        .expect("main table");
    let Outcome::RouteTableAssociation(explicit) = apply(
        &mut env,
        &a(),
        Command::AssociateRouteTable {
            table_id: t.clone(),
            with: AssocRequest::Subnet(s.clone()),
        },
    ) else {
        panic!("association")
    };
    apply(
        &mut env,
        &a(),
        Command::CreateRoute(route(&t, "0.0.0.0/0", RouteTarget::Gateway(g.clone()))),
    );
    let Outcome::RouteTable { table: spare, .. } = apply(
        &mut env,
        &a(),
        Command::CreateRouteTable {
            vpc_id: v.clone(),
            tags: Tags::new(),
            client_token: Some("t".into()),
        },
    ) else {
        panic!("table")
    };
    let create = |spec| Command::CreateRoute(spec);
    check(
        &mut env,
        vec![
            (
                a(),
                Command::CreateRouteTable {
                    vpc_id: v.clone(),
                    tags: Tags::new(),
                    client_token: None,
                },
                "ok:RouteTable",
            ),
            (
                b(),
                Command::CreateRouteTable {
                    vpc_id: v.clone(),
                    tags: Tags::new(),
                    client_token: None,
                },
                "NotFound",
            ),
            (
                a(),
                Command::DeleteRouteTable {
                    id: spare.id.clone(),
                },
                "ok:Done",
            ),
            (
                a(),
                Command::DeleteRouteTable { id: t.clone() },
                "DependencyViolation",
            ),
            (
                a(),
                Command::AssociateRouteTable {
                    table_id: spare.id.clone(),
                    with: AssocRequest::Subnet(s.clone()),
                },
                "AlreadyAssociated",
            ),
            (
                a(),
                Command::AssociateRouteTable {
                    table_id: spare.id.clone(),
                    with: AssocRequest::Gateway(g.clone()),
                },
                "ok:RouteTableAssociation",
            ),
            (
                a(),
                Command::DisassociateRouteTable {
                    association_id: explicit.clone(),
                },
                "ok:Done",
            ),
            (
                a(),
                Command::DisassociateRouteTable {
                    association_id: main_assoc.clone(),
                },
                "InvalidParameterValue",
            ),
            (
                a(),
                Command::ReplaceRouteTableAssociation {
                    association_id: main_assoc.clone(),
                    table_id: spare.id.clone(),
                },
                "ok:RouteTableAssociation",
            ),
            (
                a(),
                Command::ReplaceRouteTableAssociation {
                    association_id: "rtbassoc-0123456789abcdef0".into(),
                    table_id: spare.id.clone(),
                },
                "NotFound",
            ),
            (
                a(),
                create(route(&t, "10.8.0.0/16", RouteTarget::Gateway(g.clone()))),
                "ok:Done",
            ),
            (
                a(),
                create(route(&t, "0.0.0.0/0", RouteTarget::Gateway(g.clone()))),
                "RouteAlreadyExists",
            ),
            (
                a(),
                create(route(
                    &t,
                    "169.254.168.0/24",
                    RouteTarget::Gateway(g.clone()),
                )),
                "InvalidParameterValue",
            ),
            (
                a(),
                create(route(
                    &t,
                    "10.8.0.0/16",
                    RouteTarget::NatGateway("nat-0123456789abcdef0".into()),
                )),
                "NotFound",
            ),
            (
                a(),
                Command::ReplaceRoute(route(&t, "10.7.0.0/16", RouteTarget::Gateway(g.clone()))),
                "RouteNotFound",
            ),
            (
                a(),
                Command::ReplaceRoute(route(&t, "0.0.0.0/0", RouteTarget::Gateway(g.clone()))),
                "ok:Done",
            ),
            (
                a(),
                Command::DeleteRoute {
                    route_table_id: t.clone(),
                    destination: dest("0.0.0.0/0"),
                },
                "ok:Done",
            ),
            (
                a(),
                Command::DeleteRoute {
                    route_table_id: t.clone(),
                    destination: dest("10.0.0.0/16"),
                },
                "InvalidParameterValue",
            ),
            (
                b(),
                Command::DeleteRoute {
                    route_table_id: t.clone(),
                    destination: dest("0.0.0.0/0"),
                },
                "NotFound",
            ),
        ],
    );
}

#[test]
fn gateway_commands() {
    let mut env = TestEnv::new();
    let (v, s, g, _) = setup(&mut env);
    let Outcome::InternetGateway(free) = apply(
        &mut env,
        &a(),
        Command::CreateInternetGateway { tags: Tags::new() },
    ) else {
        panic!("igw")
    };
    let mut eip = || {
        env.run(&a(), |tx| tx.allocate_address(Tags::new()))
            .expect("eip")
            .id
    };
    let (eip1, eip2) = (eip(), eip());
    let Outcome::NatGateway {
        gateway: live,
        client_token,
    } = apply(&mut env, &a(), nat(&s, Some(&eip1), true))
    else {
        panic!("nat")
    };
    assert_eq!(client_token.as_deref(), Some("token-1"), "echoed");
    let attach = |igw: &str, vpc_id: &str| Command::AttachInternetGateway {
        igw_id: igw.into(),
        vpc_id: vpc_id.into(),
    };
    let detach = |igw: &str, vpc_id: &str| Command::DetachInternetGateway {
        igw_id: igw.into(),
        vpc_id: vpc_id.into(),
    };
    check(
        &mut env,
        vec![
            (
                a(),
                Command::CreateInternetGateway { tags: Tags::new() },
                "ok:InternetGateway",
            ),
            (a(), attach(&free.id, &v), "AlreadyAssociated"),
            (a(), attach(&g, &v), "AlreadyAssociated"),
            (b(), attach(&free.id, &v), "NotFound"),
            (a(), detach(&g, &v), "ok:Done"),
            (a(), detach(&free.id, &v), "GatewayNotAttached"),
            (
                a(),
                Command::DeleteInternetGateway {
                    id: free.id.clone(),
                },
                "ok:Done",
            ),
            (
                a(),
                Command::DeleteInternetGateway { id: g.clone() },
                "DependencyViolation",
            ),
            (a(), nat(&s, Some(&eip2), true), "ok:NatGateway"),
            (a(), nat(&s, None, false), "ok:NatGateway"),
            (a(), nat(&s, None, true), "MissingParameter"),
            (
                a(),
                nat(&s, Some(&eip2), false),
                "InvalidParameterCombination",
            ),
            (a(), nat(&s, Some(&eip1), true), "AlreadyAssociated"),
            (
                a(),
                nat(&s, Some("eipalloc-0123456789abcdef0"), true),
                "NotFound",
            ),
            (
                a(),
                nat("subnet-0123456789abcdef0", None, false),
                "NotFound",
            ),
            (
                a(),
                Command::DeleteNatGateway {
                    id: live.id.clone(),
                },
                "ok:NatGatewayDeleted",
            ),
            (
                b(),
                Command::DeleteNatGateway {
                    id: live.id.clone(),
                },
                "NotFound",
            ),
        ],
    );
    env.limits.internet_gateways_per_region = Some(2);
    check(
        &mut env,
        vec![(
            a(),
            Command::CreateInternetGateway { tags: Tags::new() },
            "Limit",
        )],
    );
}

/// Runs `c` as `scope` at the env's clock with `ids`, committing on success.
fn apply_with(
    world: &mut World,
    env: &TestEnv,
    scope: &Scope,
    ids: &mut dyn crate::IdGen,
    c: Command,
) -> Result<Outcome, DomainError> {
    let ctx = Ctx {
        scope: scope.clone(),
        now: env.now,
        ids,
        limits: &env.limits,
    };
    let mut tx = Tx::new(world, ctx);
    let out = c.apply(&mut tx);
    if out.is_ok() {
        tx.commit();
    } else {
        tx.rollback();
    }
    out
}

/// A run of area-1 commands, recorded with the ids each drew, replays on an empty world (each
/// with its logged ids) to the very same records; a refused command in the run draws nothing
/// that matters and is refused again.
#[test]
fn a_recorded_run_replays_to_the_same_world() {
    let env = TestEnv::new();
    let mut world = World::default();
    let mut source = crate::SeededIds::new(7);
    let mut log: Vec<(Command, Vec<String>, bool)> = Vec::new();
    let mut run = |world: &mut World, c: Command, log: &mut Vec<(Command, Vec<String>, bool)>| {
        let mut rec = RecordingIds::new(&mut source);
        let out = apply_with(world, &env, &a(), &mut rec, c.clone());
        log.push((c, rec.into_drawn(), out.is_ok()));
        out
    };
    let Ok(Outcome::Vpc(v)) = run(&mut world, vpc("10.0.0.0/16"), &mut log) else {
        panic!("vpc")
    };
    let Ok(Outcome::Subnet(s)) = run(&mut world, subnet(&v.id, "10.0.1.0/24"), &mut log) else {
        panic!("subnet")
    };
    let Ok(Outcome::InternetGateway(g)) = run(
        &mut world,
        Command::CreateInternetGateway { tags: Tags::new() },
        &mut log,
    ) else {
        panic!("igw")
    };
    let script = vec![
        Command::AttachInternetGateway {
            igw_id: g.id.clone(),
            vpc_id: v.id.clone(),
        },
        Command::AssociateVpcCidr {
            vpc_id: v.id.clone(),
            block: NewBlock::AmazonIpv6,
        },
        Command::CreateRouteTable {
            vpc_id: v.id.clone(),
            tags: Tags::new(),
            client_token: None,
        },
        nat(&s.id, None, false),
        subnet(&v.id, "10.0.1.0/25"),
        Command::ModifySubnetAttribute {
            subnet_id: s.id.clone(),
            attribute: Some(SubnetAttribute::MapPublicIpOnLaunch),
            value: true,
        },
    ];
    for c in script {
        let _ = run(&mut world, c, &mut log);
    }
    let table = world
        .aws
        .route_tables
        .values()
        .find(|t| t.vpc_id == v.id && !t.is_main())
        .map(|t| t.id.clone())
        .expect("custom table");
    let _ = run(
        &mut world,
        Command::CreateRoute(route(
            &table,
            "0.0.0.0/0",
            RouteTarget::Gateway(g.id.clone()),
        )),
        &mut log,
    );
    assert!(log.iter().any(|(_, _, ok)| !ok), "the run holds a refusal");

    let mut replayed = World::default();
    for (c, drawn, ok) in log {
        let mut ids = ScriptedIds::new(drawn);
        let out = apply_with(&mut replayed, &env, &a(), &mut ids, c.clone());
        assert_eq!(out.is_ok(), ok, "{c:?}");
        assert_eq!(ids.remaining(), 0, "every logged id is used: {c:?}");
    }
    assert_eq!(replayed, world);
}

/// Commands are plain data: each survives the command log's serde round trip.
#[test]
fn commands_round_trip_through_serde() {
    let commands = vec![
        vpc("10.0.0.0/16"),
        subnet("vpc-00000001", "10.0.1.0/24"),
        Command::CreateRoute(route(
            "rtb-00000001",
            "0.0.0.0/0",
            RouteTarget::Peering("pcx-00000001".into()),
        )),
        Command::DeleteRoute {
            route_table_id: "rtb-00000001".into(),
            destination: Destination::V6("::/0".parse().expect("v6")),
        },
        nat("subnet-00000001", Some("eipalloc-1"), true),
        Command::ModifySubnetAttribute {
            subnet_id: "subnet-00000001".into(),
            attribute: None,
            value: false,
        },
    ];
    for c in commands {
        let json = serde_json::to_string(&crate::Command::Aws(c.clone())).expect("serialize");
        let back: crate::Command = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, crate::Command::Aws(c), "{json}");
    }
}
