//! Table tests of the area-2 commands (security groups, network ACLs, instances and interfaces,
//! tags, network insights): each command applied once with success and once per refusal it can
//! give, and a replay of a run of them on a copy of the starting world, which must give the very
//! same records.

use std::net::Ipv4Addr;

use crate::aws::acl::{AclEntryProblem, AclEntryRequest, AclEntrySpec, AclProtocol};
use crate::aws::insights::{CreatePath, PathInput, PathProtocol};
use crate::aws::instance::Launch;
use crate::aws::security_group::{
    CreateSecurityGroup, Direction, GroupPair, GroupSelector, RulePermission,
};
use crate::aws::tags::TagRemoval;
use crate::aws::{Command, Outcome};
use crate::testkit::{a, code, launch_one, TestEnv, NOW};
use crate::{
    AclAction, Ctx, Destination, Field, IdGen, RecordingIds, Scope, ScriptedIds, Tags, Timestamp,
    Tx, World,
};
use crate::{Apply, Command as AnyCommand};

/// A VPC 10.0.0.0/16 of account A with a subnet 10.0.1.0/24, an instance in it and a group
/// `web` allowing TCP 22 from 10.9.0.0/16.
struct Setup {
    env: TestEnv,
    vpc: String,
    subnet: String,
    acl: String,
    sg: String,
    instance: String,
    eni: String,
}

fn tcp(port: u16, cidr: &str) -> Vec<RulePermission> {
    vec![crate::testkit::tcp(port, cidr)]
}

fn apply(env: &mut TestEnv, command: Command) -> Result<Outcome, String> {
    env.transact(&a(), |tx| command.apply(tx))
        .map_err(|e| code(&e))
}

fn setup() -> Setup {
    let mut env = TestEnv::with_seed(9);
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let subnet = env.subnet(&a(), &vpc, "10.0.1.0/24");
    let Ok(Outcome::GroupCreated(sg)) = apply(
        &mut env,
        Command::CreateSecurityGroup(CreateSecurityGroup {
            name: "web".into(),
            description: "web servers".into(),
            vpc_id: Some(vpc.clone()),
            tags: Tags::new(),
        }),
    ) else {
        panic!("group")
    };
    apply(
        &mut env,
        Command::AuthorizeSecurityGroup {
            direction: Direction::Ingress,
            group: GroupSelector::Id(sg.clone()),
            permissions: tcp(22, "10.9.0.0/16"),
            tags: Tags::new(),
        },
    )
    .expect("rule");
    let Ok(Outcome::AclCreated { id: acl, .. }) = apply(
        &mut env,
        Command::CreateNetworkAcl {
            vpc_id: vpc.clone(),
            tags: Tags::new(),
            client_token: None,
        },
    ) else {
        panic!("acl")
    };
    let Ok(Outcome::Launched(launch)) = apply(&mut env, run(&subnet)) else {
        panic!("launch")
    };
    let instance = launch.instance_ids[0].clone();
    let eni = env.world.aws.instances[&instance].eni_ids[0].clone();
    Setup {
        env,
        vpc,
        subnet,
        acl,
        sg,
        instance,
        eni,
    }
}

fn run(subnet: &str) -> Command {
    Command::RunInstances(Box::new(launch_one(subnet)))
}

fn entry(acl: &str, rule_number: i64) -> AclEntryRequest {
    AclEntryRequest::Parsed(AclEntrySpec {
        acl_id: acl.into(),
        rule_number,
        protocol: AclProtocol::TCP,
        action: AclAction::Allow,
        egress: false,
        cidr: Destination::V4("10.1.0.0/16".parse().expect("cidr")),
        port_range: Some((443, 443)),
        icmp: None,
    })
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A short name for an outcome, to compare in the table.
fn shown(r: &Result<Outcome, String>) -> String {
    match r {
        Ok(Outcome::Done) => "done".into(),
        Ok(Outcome::GroupCreated(_)) => "group created".into(),
        Ok(Outcome::GroupDeleted(_)) => "group deleted".into(),
        Ok(Outcome::RulesAuthorized { rules, .. }) => format!("{} authorized", rules.len()),
        Ok(Outcome::RulesRevoked {
            revoked, unknown, ..
        }) => format!("{} revoked, {} unknown", revoked.len(), unknown.len()),
        Ok(Outcome::AclCreated { .. }) => "acl created".into(),
        Ok(Outcome::AclAssociationReplaced(_)) => "association replaced".into(),
        Ok(Outcome::Launched(Launch { instance_ids, .. })) => {
            format!("{} launched", instance_ids.len())
        }
        Ok(Outcome::InstancesTerminated(t)) => format!("{} terminated", t.len()),
        Ok(Outcome::PathCreated(_)) => "path created".into(),
        Ok(Outcome::PathDeleted(_)) => "path deleted".into(),
        Ok(Outcome::AnalysisDeleted(_)) => "analysis deleted".into(),
        Ok(other) => format!("{other:?}"),
        Err(code) => code.clone(),
    }
}

#[test]
fn each_command_succeeds_and_refuses_as_its_rules_say() {
    let s = setup();
    let unknown_sg = "sg-0123456789abcdef0".to_owned();
    let unknown_acl = "acl-0123456789abcdef0".to_owned();
    let group = GroupSelector::Id(s.sg.clone());
    let create_sg = |name: &str, vpc: &str| {
        Command::CreateSecurityGroup(CreateSecurityGroup {
            name: name.into(),
            description: "d".into(),
            vpc_id: Some(vpc.into()),
            tags: Tags::new(),
        })
    };
    let authorize =
        |group: &GroupSelector, perms: Vec<RulePermission>| Command::AuthorizeSecurityGroup {
            direction: Direction::Ingress,
            group: group.clone(),
            permissions: perms,
            tags: Tags::new(),
        };
    let mut peer_group = tcp(80, "10.1.0.0/16");
    peer_group[0].ipv4.clear();
    peer_group[0].groups.push(GroupPair {
        group_id: Some(unknown_sg.clone()),
        ..GroupPair::default()
    });
    let path = |source: &str, protocol: &str| {
        CreatePath {
            source: Some(source.into()),
            destination_ip: Some("10.0.1.200".into()),
            protocol: Some(protocol.into()),
            destination_port: Some(443),
            ..CreatePath::default()
        }
        .parse()
        .map(Command::CreateInsightsPath)
    };
    let rows: Vec<(&str, Command, String)> = vec![
        // Security groups.
        (
            "create group",
            create_sg("api", &s.vpc),
            "group created".into(),
        ),
        (
            "create group twice",
            create_sg("web", &s.vpc),
            "GroupDuplicate { name: \"web\", vpc_id: \"".to_owned() + &s.vpc + "\" }",
        ),
        (
            "create group in unknown VPC",
            create_sg("api", "vpc-0123456789abcdef0"),
            "NotFound(Vpc)".into(),
        ),
        (
            "create group named default",
            create_sg("default", &s.vpc),
            "GroupReserved(\"default\")".into(),
        ),
        (
            "authorize",
            authorize(&group, tcp(443, "10.1.0.0/16")),
            "1 authorized".into(),
        ),
        (
            "authorize a duplicate",
            authorize(&group, tcp(22, "10.9.0.0/16")),
            "PermissionDuplicate(tcp 22-22 from 10.9.0.0/16)".into(),
        ),
        (
            "authorize an unknown group",
            authorize(
                &GroupSelector::Id(unknown_sg.clone()),
                tcp(443, "10.1.0.0/16"),
            ),
            "NotFound(SecurityGroup)".into(),
        ),
        (
            "authorize a reference to an unknown group",
            authorize(&group, peer_group),
            "NotFound(SecurityGroup)".into(),
        ),
        (
            "revoke a rule",
            Command::RevokeSecurityGroup {
                direction: Direction::Ingress,
                group: group.clone(),
                permissions: tcp(22, "10.9.0.0/16"),
            },
            "1 revoked, 0 unknown".into(),
        ),
        (
            "revoke what matches nothing",
            Command::RevokeSecurityGroup {
                direction: Direction::Egress,
                group: group.clone(),
                permissions: tcp(22, "10.9.0.0/16"),
            },
            "0 revoked, 1 unknown".into(),
        ),
        (
            "revoke an unknown rule id",
            Command::RevokeSecurityGroupRules {
                direction: Direction::Ingress,
                group: group.clone(),
                rule_ids: vec!["sgr-0123456789abcdef0".into()],
            },
            "NotFound(SecurityGroupRule)".into(),
        ),
        (
            "delete a group",
            Command::DeleteSecurityGroup {
                group: GroupSelector::Name("web".into()),
            },
            "group deleted".into(),
        ),
        (
            "delete a default group",
            Command::DeleteSecurityGroup {
                group: GroupSelector::Name("default".into()),
            },
            "CannotDeleteDefaultGroup".into(),
        ),
        // Network ACLs.
        (
            "create ACL",
            Command::CreateNetworkAcl {
                vpc_id: s.vpc.clone(),
                tags: Tags::new(),
                client_token: Some("t".into()),
            },
            "acl created".into(),
        ),
        (
            "create ACL in unknown VPC",
            Command::CreateNetworkAcl {
                vpc_id: "vpc-0123456789abcdef0".into(),
                tags: Tags::new(),
                client_token: None,
            },
            "NotFound(Vpc)".into(),
        ),
        (
            "add an entry",
            Command::CreateNetworkAclEntry(entry(&s.acl, 100)),
            "done".into(),
        ),
        (
            "add an entry to an unknown ACL",
            Command::CreateNetworkAclEntry(entry(&unknown_acl, 100)),
            "NotFound(NetworkAcl)".into(),
        ),
        (
            "add a refused entry",
            Command::CreateNetworkAclEntry(AclEntryRequest::Refused {
                acl_id: s.acl.clone(),
                problem: AclEntryProblem::BothBlocks,
            }),
            "AclBlocksExclusive".into(),
        ),
        (
            "a refused entry of an unknown ACL",
            Command::CreateNetworkAclEntry(AclEntryRequest::Refused {
                acl_id: unknown_acl.clone(),
                problem: AclEntryProblem::Missing(Field::AclEntryBlock),
            }),
            "NotFound(NetworkAcl)".into(),
        ),
        (
            "replace a missing entry",
            Command::ReplaceNetworkAclEntry(entry(&s.acl, 100)),
            format!(
                "AclEntryNotFound {{ acl_id: \"{}\", rule_number: 100, egress: false }}",
                s.acl
            ),
        ),
        (
            "delete a missing entry",
            Command::DeleteNetworkAclEntry {
                acl_id: s.acl.clone(),
                rule_number: 100,
                egress: false,
            },
            format!(
                "AclEntryNotFound {{ acl_id: \"{}\", rule_number: 100, egress: false }}",
                s.acl
            ),
        ),
        (
            "replace an unknown association",
            Command::ReplaceNetworkAclAssociation {
                association_id: "aclassoc-0123456789abcdef0".into(),
                acl_id: s.acl.clone(),
            },
            "NotFound(Association)".into(),
        ),
        (
            "delete ACL",
            Command::DeleteNetworkAcl { id: s.acl.clone() },
            "done".into(),
        ),
        (
            "delete unknown ACL",
            Command::DeleteNetworkAcl {
                id: unknown_acl.clone(),
            },
            "NotFound(NetworkAcl)".into(),
        ),
        // Instances and interfaces.
        ("launch", run(&s.subnet), "1 launched".into()),
        (
            "launch into an unknown subnet",
            run("subnet-0123456789abcdef0"),
            "NotFound(Subnet)".into(),
        ),
        (
            "terminate",
            Command::TerminateInstances {
                ids: vec![s.instance.clone()],
            },
            "1 terminated".into(),
        ),
        (
            "terminate nothing",
            Command::TerminateInstances { ids: Vec::new() },
            "MissingParameter".into(),
        ),
        (
            "delete an attached interface",
            Command::DeleteNetworkInterface { id: s.eni.clone() },
            format!(
                "InterfaceInUse {{ id: \"{}\", instance_id: \"{}\" }}",
                s.eni, s.instance
            ),
        ),
        (
            "delete an unknown interface",
            Command::DeleteNetworkInterface {
                id: "eni-0123456789abcdef0".into(),
            },
            "NotFound(NetworkInterface)".into(),
        ),
        // Tags.
        (
            "tag",
            Command::CreateTags {
                resource_ids: vec![s.vpc.clone(), s.sg.clone()],
                tags: tags(&[("Name", "x")]),
            },
            "done".into(),
        ),
        (
            "tag an unknown resource",
            Command::CreateTags {
                resource_ids: vec![s.vpc.clone(), "vpc-0123456789abcdef0".into()],
                tags: tags(&[("Name", "x")]),
            },
            "NotFound(Vpc)".into(),
        ),
        (
            "tag with no tags",
            Command::CreateTags {
                resource_ids: vec![s.vpc.clone()],
                tags: Tags::new(),
            },
            "MissingParameter".into(),
        ),
        (
            "untag",
            Command::DeleteTags {
                resource_ids: vec![s.vpc.clone()],
                tags: vec![TagRemoval {
                    key: "Name".into(),
                    value: None,
                }],
            },
            "done".into(),
        ),
        (
            "untag an unknown resource",
            Command::DeleteTags {
                resource_ids: vec!["i-0123456789abcdef0".into()],
                tags: Vec::new(),
            },
            "NotFound(Instance)".into(),
        ),
        // Network insights.
        (
            "create path",
            path(&s.instance, "tcp").expect("path"),
            "path created".into(),
        ),
        (
            "create path from an unknown instance",
            path("i-0123456789abcdef0", "tcp").expect("path"),
            "NotFound(Instance)".into(),
        ),
        (
            "create path to itself",
            Command::CreateInsightsPath(PathInput {
                destination: Some(s.instance.clone()),
                ..path(&s.instance, "udp")
                    .map(|c| match c {
                        Command::CreateInsightsPath(p) => p,
                        _ => unreachable!(),
                    })
                    .expect("path")
            }),
            "InvalidParameterCombination".into(),
        ),
        (
            "delete unknown path",
            Command::DeleteInsightsPath {
                id: "nip-0123456789abcdef0".into(),
            },
            "NotFound(NetworkInsightsPath)".into(),
        ),
        (
            "delete unknown analysis",
            Command::DeleteInsightsAnalysis {
                id: "nia-0123456789abcdef0".into(),
            },
            "NotFound(NetworkInsightsAnalysis)".into(),
        ),
    ];
    for (name, command, want) in rows {
        let mut env = TestEnv {
            world: s.env.world.clone(),
            ids: s.env.ids.clone(),
            limits: s.env.limits.clone(),
            now: s.env.now,
        };
        let before = env.world.clone();
        let got = shown(&apply(&mut env, command));
        assert_eq!(got, want, "{name}");
        if got == want && want.starts_with(char::is_uppercase) {
            assert_eq!(env.world, before, "{name}: a refused command left a trace");
        }
    }
}

#[test]
fn the_tag_quota_is_checked_when_the_command_runs() {
    let mut s = setup();
    s.env.limits.tags_per_resource = Some(1);
    let got = apply(
        &mut s.env,
        Command::CreateTags {
            resource_ids: vec![s.vpc.clone()],
            tags: tags(&[("a", "1"), ("b", "2")]),
        },
    );
    assert_eq!(shown(&got), "Limit(TagsPerResource)");
    let got = apply(
        &mut s.env,
        Command::CreateSecurityGroup(CreateSecurityGroup {
            name: "api".into(),
            description: "d".into(),
            vpc_id: Some(s.vpc.clone()),
            tags: tags(&[("a", "1"), ("b", "2")]),
        }),
    );
    assert_eq!(shown(&got), "Limit(TagsPerResource)");
}

/// Applies `command` to `world` as `scope` at `now`, drawing ids from `ids`; commits on success.
fn apply_to(
    world: &mut World,
    ids: &mut dyn IdGen,
    scope: &Scope,
    now: Timestamp,
    command: AnyCommand,
) -> bool {
    let limits = crate::Limits::default();
    let ctx = Ctx {
        scope: scope.clone(),
        now,
        ids,
        limits: &limits,
    };
    let mut tx = Tx::new(world, ctx);
    let ok = command.apply(&mut tx).is_ok();
    if ok {
        tx.commit();
    } else {
        tx.rollback();
    }
    ok
}

#[test]
fn a_replay_of_the_logged_commands_gives_the_same_records() {
    let s = setup();
    let start = s.env.world.clone();
    let mut world = start.clone();
    let mut ids = s.env.ids.clone();
    let script: Vec<Command> = vec![
        Command::CreateTags {
            resource_ids: vec![s.vpc.clone(), s.instance.clone()],
            tags: tags(&[("team", "net")]),
        },
        Command::AuthorizeSecurityGroup {
            direction: Direction::Egress,
            group: GroupSelector::Id(s.sg.clone()),
            permissions: tcp(5432, "10.0.1.0/24"),
            tags: Tags::new(),
        },
        Command::CreateNetworkAclEntry(entry(&s.acl, 110)),
        run(&s.subnet),
        Command::CreateInsightsPath(PathInput {
            source: s.instance.clone(),
            destination: None,
            source_ip: None,
            destination_ip: Some(Ipv4Addr::new(10, 0, 1, 9).into()),
            protocol: PathProtocol::Tcp,
            destination_port: 22,
            tags: Tags::new(),
        }),
        Command::TerminateInstances {
            ids: vec![s.instance.clone()],
        },
        Command::DeleteTags {
            resource_ids: vec![s.vpc.clone()],
            tags: Vec::new(),
        },
    ];
    // The log: each committed command with its time and the ids it drew.
    let mut log = Vec::new();
    for (i, command) in script.into_iter().enumerate() {
        let now = NOW.plus_millis(1000 * i as i64);
        let mut recording = RecordingIds::new(&mut ids);
        let command = AnyCommand::Aws(command);
        assert!(
            apply_to(&mut world, &mut recording, &a(), now, command.clone()),
            "{command:?}"
        );
        log.push((now, command, recording.into_drawn()));
    }
    let mut replayed = start;
    for (now, command, drawn) in log {
        let mut scripted = ScriptedIds::new(drawn);
        assert!(apply_to(&mut replayed, &mut scripted, &a(), now, command));
        assert_eq!(scripted.remaining(), 0);
    }
    assert_eq!(replayed, world);
    assert!(world.aws.network_acls[&s.acl]
        .entries
        .iter()
        .any(|e| e.rule_number == 110));
}

#[test]
fn path_text_is_checked_before_the_world_is_read() {
    let good = CreatePath {
        source: Some("i-0123456789abcdef0".into()),
        destination_ip: Some(" 10.0.1.9".into()),
        protocol: Some("TCP".into()),
        destination_port: Some(443),
        ..CreatePath::default()
    };
    let rows: Vec<(&str, CreatePath, &str)> = vec![
        ("good", good.clone(), "ok"),
        (
            "no source",
            CreatePath {
                source: None,
                ..good.clone()
            },
            "MissingParameter",
        ),
        (
            "no protocol",
            CreatePath {
                protocol: None,
                ..good.clone()
            },
            "MissingParameter",
        ),
        (
            "icmp",
            CreatePath {
                protocol: Some("icmp".into()),
                ..good.clone()
            },
            "InvalidParameterValue",
        ),
        (
            "no port",
            CreatePath {
                destination_port: None,
                ..good.clone()
            },
            "MissingParameter",
        ),
        (
            "port too high",
            CreatePath {
                destination_port: Some(65536),
                ..good.clone()
            },
            "InvalidParameterValue",
        ),
        (
            "bad source address",
            CreatePath {
                source_ip: Some("x".into()),
                ..good.clone()
            },
            "InvalidParameterValue",
        ),
        (
            "no destination",
            CreatePath {
                destination_ip: None,
                ..good.clone()
            },
            "MissingParameter",
        ),
    ];
    for (name, text, want) in rows {
        let got = text.parse();
        let shown = match &got {
            Ok(p) => {
                assert_eq!(p.protocol, PathProtocol::Tcp, "{name}");
                assert_eq!(p.destination_ip, Some(Ipv4Addr::new(10, 0, 1, 9).into()));
                "ok".to_owned()
            }
            Err(e) => code(e),
        };
        assert_eq!(shown, want, "{name}");
    }
}
