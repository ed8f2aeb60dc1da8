//! Table tests of the appliance commands: every stop/start transition, every attribute change,
//! and each refusal (which leaves the world unchanged), plus the route state they drive.

use super::*;
use crate::aws::route::{route_state, RouteState};
use crate::testkit::{a, code, launch, route, TestEnv, A, B};
use crate::{Route, RouteTarget};

struct Fx {
    vpc: String,
    subnet: String,
    sg: String,
    other_sg: String,
}

fn fixture(env: &mut TestEnv) -> Fx {
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let subnet = env.subnet(&a(), &vpc, "10.0.1.0/24");
    let other_vpc = env.vpc(&a(), "10.1.0.0/16");
    let sg = env.sg(&a(), &vpc, "web");
    let other_sg = env.sg(&a(), &other_vpc, "far");
    Fx {
        vpc,
        subnet,
        sg,
        other_sg,
    }
}

fn eni_of(env: &TestEnv, instance: &str) -> String {
    env.world.aws.instances[instance].eni_ids[0].clone()
}

/// A new environment with the [`fixture`] and one instance launched in its subnet: the
/// environment, the fixture, the instance and its primary interface.
fn launched() -> (TestEnv, Fx, String, String) {
    let mut env = TestEnv::new();
    let f = fixture(&mut env);
    let i = launch(&mut env, &f.subnet);
    let eni = eni_of(&env, &i);
    (env, f, i, eni)
}

fn set_state(env: &mut TestEnv, id: &str, s: InstanceState) {
    env.world.aws.instances.get_mut(id).unwrap().state = s;
}

type Shown = Result<Vec<(InstanceState, InstanceState)>, String>;

/// A state before, an action, the (previous, current) shown or the error code, and the state
/// stored after.
type Row = (
    InstanceState,
    &'static str,
    Result<(InstanceState, InstanceState), &'static str>,
    InstanceState,
);

/// Stop and start from each state: what the answer shows and what is stored.
#[test]
fn stop_start_from_each_state() {
    use InstanceState::*;
    // (state before, action, shown (previous, current) or error code, stored after)
    let cases: [Row; 12] = [
        (Running, "stop", Ok((Running, Stopping)), Stopped),
        (Pending, "stop", Ok((Pending, Stopping)), Stopped),
        (Stopped, "stop", Ok((Stopped, Stopped)), Stopped),
        (Stopping, "stop", Ok((Stopping, Stopping)), Stopping),
        (
            Terminated,
            "stop",
            Err("IncorrectInstanceState"),
            Terminated,
        ),
        (
            ShuttingDown,
            "stop",
            Err("IncorrectInstanceState"),
            ShuttingDown,
        ),
        (Stopped, "start", Ok((Stopped, Pending)), Running),
        (Stopping, "start", Ok((Stopping, Pending)), Running),
        (Running, "start", Ok((Running, Running)), Running),
        (Pending, "start", Ok((Pending, Pending)), Pending),
        (
            Terminated,
            "start",
            Err("IncorrectInstanceState"),
            Terminated,
        ),
        (
            ShuttingDown,
            "start",
            Err("IncorrectInstanceState"),
            ShuttingDown,
        ),
    ];
    for (before, action, want, stored) in cases {
        let mut env = TestEnv::new();
        let f = fixture(&mut env);
        let i = launch(&mut env, &f.subnet);
        set_state(&mut env, &i, before);
        let ids = vec![i.clone()];
        let world = env.world.clone();
        let got = env.run_as(A, |tx| match action {
            "stop" => tx.stop_instances(&ids),
            _ => tx.start_instances(&ids),
        });
        let name = format!("{action} from {before:?}");
        match (got, want) {
            (Ok(v), Ok(w)) => assert_eq!(v, vec![(i.clone(), w.0, w.1)], "{name}"),
            (Err(e), Err(c)) => {
                let got = match &e {
                    DomainError::Appliance(ApplianceProblem::IncorrectInstanceState { .. }) => {
                        "IncorrectInstanceState".to_owned()
                    }
                    other => code(other),
                };
                assert_eq!(got, c, "{name}");
                assert_eq!(env.world, world, "{name}: unchanged");
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
        assert_eq!(env.world.aws.instances[&i].state, stored, "{name}: stored");
    }
}

/// Several ids: repeats answered once, all or none (one terminated instance refuses the lot).
#[test]
fn stop_is_all_or_nothing() {
    let mut env = TestEnv::new();
    let f = fixture(&mut env);
    let i1 = launch(&mut env, &f.subnet);
    let i2 = launch(&mut env, &f.subnet);
    let i3 = launch(&mut env, &f.subnet);
    set_state(&mut env, &i3, InstanceState::Terminated);
    let cases: Vec<(&str, Vec<String>, Shown)> = vec![
        ("none", vec![], Err("MissingParameter".into())),
        (
            "unknown",
            vec![i1.clone(), "i-0123456789abcdef0".into()],
            Err("NotFound(Instance)".into()),
        ),
        (
            "malformed",
            vec!["i-zz".into()],
            Err("Malformed(Instance)".into()),
        ),
        (
            "one terminated",
            vec![i1.clone(), i3.clone()],
            Err("IncorrectInstanceState".into()),
        ),
        (
            "two, one repeated",
            vec![i1.clone(), i2.clone(), i1.clone()],
            Ok(vec![
                (InstanceState::Running, InstanceState::Stopping),
                (InstanceState::Running, InstanceState::Stopping),
            ]),
        ),
    ];
    for (name, ids, want) in cases {
        let world = env.world.clone();
        let got = env
            .run_as(A, |tx| tx.stop_instances(&ids))
            .map(|v| v.into_iter().map(|(_, p, c)| (p, c)).collect::<Vec<_>>())
            .map_err(|e| match e {
                DomainError::Appliance(ApplianceProblem::IncorrectInstanceState { .. }) => {
                    "IncorrectInstanceState".to_owned()
                }
                other => code(&other),
            });
        assert_eq!(got, want, "{name}");
        if got.is_err() {
            assert_eq!(env.world, world, "{name}: unchanged");
        }
    }
    // Another account cannot stop A's instance.
    let got = env.run_as(B, |tx| tx.stop_instances(std::slice::from_ref(&i2)));
    assert!(matches!(got, Err(DomainError::NotFound { .. })), "{got:?}");
}

/// Each interface attribute change, and each refusal.
#[test]
fn interface_attribute_changes() {
    let (mut env, f, _, eni) = launched();
    let attach = env.world.aws.network_interfaces[&eni]
        .attachment
        .clone()
        .unwrap()
        .id;
    let many: Vec<String> = (0..6)
        .map(|n| env.sg(&a(), &f.vpc, &format!("g{n}")))
        .collect();
    type Check = fn(&NetworkInterface) -> bool;
    let cases: Vec<(&str, InterfaceChange, Result<Check, &str>)> = vec![
        (
            "check off",
            InterfaceChange::SourceDestCheck(false),
            Ok(|e| !e.source_dest_check),
        ),
        (
            "check on",
            InterfaceChange::SourceDestCheck(true),
            Ok(|e| e.source_dest_check),
        ),
        (
            "description",
            InterfaceChange::Description("nat box".into()),
            Ok(|e| e.description == "nat box"),
        ),
        (
            "description too long",
            InterfaceChange::Description("x".repeat(256)),
            Err("DescriptionTooLong"),
        ),
        (
            "groups",
            InterfaceChange::Groups(vec![f.sg.clone(), f.sg.clone()]),
            Ok(|e| e.groups.len() == 1),
        ),
        (
            "no groups",
            InterfaceChange::Groups(vec![]),
            Err("NoGroups"),
        ),
        (
            "group of another VPC",
            InterfaceChange::Groups(vec![f.other_sg.clone()]),
            Err("GroupNotUsable"),
        ),
        (
            "unknown group",
            InterfaceChange::Groups(vec!["sg-0123456789abcdef0".into()]),
            Err("NotFound(SecurityGroup)"),
        ),
        (
            "six groups",
            InterfaceChange::Groups(many.clone()),
            Err("TooManyGroups"),
        ),
        (
            "delete on termination off",
            InterfaceChange::DeleteOnTermination {
                attachment_id: attach.clone(),
                value: false,
            },
            Ok(|e| {
                e.attachment
                    .as_ref()
                    .is_some_and(|a| !a.delete_on_termination)
            }),
        ),
        (
            "wrong attachment",
            InterfaceChange::DeleteOnTermination {
                attachment_id: "eni-attach-0123456789abcdef0".into(),
                value: true,
            },
            Err("AttachmentNotFound"),
        ),
    ];
    for (name, change, want) in cases {
        let world = env.world.clone();
        let got = env.run_as(A, |tx| tx.modify_interface(&eni, change));
        match (got, want) {
            (Ok(()), Ok(check)) => {
                assert!(check(&env.world.aws.network_interfaces[&eni]), "{name}")
            }
            (Err(e), Err(c)) => {
                let got = match &e {
                    DomainError::Appliance(p) => format!("{p:?}")
                        .split([' ', '{', '('])
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    other => code(other),
                };
                assert_eq!(got, c, "{name}");
                assert_eq!(env.world, world, "{name}: unchanged");
            }
            (got, want) => panic!("{name}: got {got:?}, want ok={}", want.is_ok()),
        }
    }
    // Reset brings the check back on.
    env.run_as(A, |tx| {
        tx.modify_interface(&eni, InterfaceChange::SourceDestCheck(false))
    })
    .unwrap();
    env.run_as(A, |tx| {
        tx.apply_appliance(ApplianceCommand::ResetSourceDestCheck {
            interface_id: eni.clone(),
        })
    })
    .unwrap();
    assert!(env.world.aws.network_interfaces[&eni].source_dest_check);
    // Another account's interface is not found.
    let got = env.run_as(B, |tx| {
        tx.modify_interface(&eni, InterfaceChange::SourceDestCheck(false))
    });
    assert!(matches!(got, Err(DomainError::NotFound { .. })), "{got:?}");
}

/// ModifyInstanceAttribute: source/dest check and groups on the primary interface; instance
/// type only when stopped; nothing on a terminated instance.
#[test]
fn instance_attribute_changes() {
    let (mut env, f, i, eni) = launched();
    let modify = |env: &mut TestEnv, c: InstanceChange| {
        let id = i.clone();
        env.run_as(A, |tx| tx.modify_instance(&id, c))
    };
    modify(&mut env, InstanceChange::SourceDestCheck(false)).unwrap();
    assert!(!env.world.aws.network_interfaces[&eni].source_dest_check);
    modify(&mut env, InstanceChange::Groups(vec![f.sg.clone()])).unwrap();
    assert_eq!(
        env.world.aws.network_interfaces[&eni].groups,
        vec![f.sg.clone()]
    );
    let got = modify(&mut env, InstanceChange::InstanceType("t3.micro".into()));
    assert!(
        matches!(
            got,
            Err(DomainError::Appliance(
                ApplianceProblem::IncorrectInstanceState {
                    action: InstanceAction::Modify,
                    ..
                }
            ))
        ),
        "running: {got:?}"
    );
    set_state(&mut env, &i, InstanceState::Stopped);
    let got = modify(&mut env, InstanceChange::InstanceType("bad type".into()));
    assert!(
        matches!(got, Err(DomainError::UnknownInstanceType { .. })),
        "{got:?}"
    );
    modify(&mut env, InstanceChange::InstanceType("t3.micro".into())).unwrap();
    assert_eq!(env.world.aws.instances[&i].instance_type, "t3.micro");
    set_state(&mut env, &i, InstanceState::Terminated);
    let got = modify(&mut env, InstanceChange::SourceDestCheck(true));
    assert!(
        matches!(
            got,
            Err(DomainError::Appliance(
                ApplianceProblem::IncorrectInstanceState { .. }
            ))
        ),
        "{got:?}"
    );
}

/// The state of routes to an instance and to its interface follows the instance: running →
/// active, stopped → blackhole, started again → active; a detached interface → blackhole.
#[test]
fn routes_follow_the_appliance() {
    let (mut env, f, i, eni) = launched();
    let rtb = env
        .world
        .aws
        .route_tables
        .values()
        .find(|t| t.vpc_id == f.vpc)
        .unwrap()
        .id
        .clone();
    env.run_as(A, |tx| {
        tx.create_route(route(&rtb, "0.0.0.0/0", RouteTarget::Instance(i.clone())))
    })
    .unwrap();
    env.run_as(A, |tx| {
        tx.create_route(route(
            &rtb,
            "8.8.8.0/24",
            RouteTarget::NetworkInterface(eni.clone()),
        ))
    })
    .unwrap();
    let states = |env: &TestEnv| -> Vec<RouteState> {
        let t = &env.world.aws.route_tables[&rtb];
        t.routes
            .iter()
            .filter(|r: &&Route| r.target != RouteTarget::Local)
            .map(|r| route_state(&env.world, r, env.now))
            .collect()
    };
    use RouteState::*;
    assert_eq!(states(&env), vec![Active, Active], "running");
    env.run_as(A, |tx| tx.stop_instances(std::slice::from_ref(&i)))
        .unwrap();
    assert_eq!(states(&env), vec![Blackhole, Blackhole], "stopped");
    env.run_as(A, |tx| tx.start_instances(std::slice::from_ref(&i)))
        .unwrap();
    assert_eq!(states(&env), vec![Active, Active], "started");
    env.world
        .aws
        .network_interfaces
        .get_mut(&eni)
        .unwrap()
        .attachment = None;
    assert_eq!(states(&env)[1], Blackhole, "detached interface");
    env.run_as(A, |tx| tx.terminate_instances(std::slice::from_ref(&i)))
        .unwrap();
    assert_eq!(states(&env), vec![Blackhole, Blackhole], "terminated");
}

/// Stop releases the public address an instance got at launch; start gives it a new one from
/// the pool (not the old one, which another launch took meanwhile); an Elastic IP on the primary
/// address stays across both, and then start draws nothing.
#[test]
fn stop_releases_the_launch_public_address_and_start_draws_a_new_one() {
    let mut env = TestEnv::new();
    let fx = fixture(&mut env);
    env.world
        .aws
        .subnets
        .get_mut(&fx.subnet)
        .expect("subnet")
        .map_public_ip_on_launch = true;
    let public =
        |env: &TestEnv, i: &str| env.world.aws.network_interfaces[&eni_of(env, i)].public_ip;
    let i = launch(&mut env, &fx.subnet);
    let first = public(&env, &i).expect("a public address at launch");

    env.run_as(A, |tx| tx.stop_instances(std::slice::from_ref(&i)))
        .expect("stop");
    assert_eq!(public(&env, &i), None, "released on stop");
    let other = launch(&mut env, &fx.subnet);
    assert_eq!(
        public(&env, &other),
        Some(first),
        "the pool hands it out again"
    );

    env.run_as(A, |tx| tx.start_instances(std::slice::from_ref(&i)))
        .expect("start");
    let second = public(&env, &i).expect("a new public address on start");
    assert_ne!(second, first);

    // With an Elastic IP on the primary address, stop and start leave it alone.
    let alloc = env
        .run_as(A, |tx| tx.allocate_address(crate::Tags::new()))
        .expect("allocate")
        .id;
    env.run_as(A, |tx| {
        tx.associate_address(crate::aws::address::AssociateAddress {
            allocation_id: alloc.clone(),
            target: crate::aws::address::AssociationTarget::Instance(i.clone()),
            private_ip: None,
            allow_reassociation: false,
        })
    })
    .expect("associate");
    for stop in [true, false] {
        let ids = std::slice::from_ref(&i);
        if stop {
            env.run_as(A, |tx| tx.stop_instances(ids)).expect("stop");
        } else {
            env.run_as(A, |tx| tx.start_instances(ids)).expect("start");
        }
        assert_eq!(public(&env, &i), None, "the Elastic IP stands in for it");
        let eip = &env.world.aws.elastic_ips[&alloc];
        assert!(eip.association.is_some(), "the Elastic IP stays associated");
    }
}

/// User data: set at launch (directly or from a launch template, the request's own winning),
/// changed by ModifyInstanceAttribute only while the instance is stopped (a refusal leaves it
/// as it was), removed by an empty value.
#[test]
fn user_data_table() {
    use crate::aws::instance::RunInstances;
    use crate::aws::launch_template::{LaunchTemplateCommand, TemplateData};
    use crate::aws::template_ref::{TemplateRef, TemplateSpec};
    let mut env = TestEnv::new();
    let f = fixture(&mut env);
    let template = env
        .run_as(A, |tx| {
            tx.launch_template_command(LaunchTemplateCommand::Create {
                name: "gateway".into(),
                description: None,
                data: TemplateData {
                    image_id: Some("ami-12345678".into()),
                    user_data: Some("dGVtcGxhdGU=".into()),
                    ..TemplateData::default()
                },
                tags: crate::Tags::new(),
            })
        })
        .expect("template")
        .0
        .id;
    let launch_with = |env: &mut TestEnv, own: Option<&str>, lt: bool| {
        let spec = RunInstances {
            min_count: 1,
            max_count: 1,
            image_id: if lt {
                String::new()
            } else {
                "ami-12345678".into()
            },
            subnet_id: Some(f.subnet.clone()),
            user_data: own.map(str::to_owned),
            launch_template: lt.then(|| TemplateSpec {
                template: TemplateRef {
                    id: Some(template.clone()),
                    name: None,
                },
                version: None,
            }),
            ..Default::default()
        };
        let id = env
            .run_as(A, |tx| tx.run_instances(spec))
            .expect("launch")
            .instance_ids[0]
            .clone();
        env.world.aws.instances[&id].user_data.clone()
    };
    // (own user data, from a template?, stored)
    let rows: &[(Option<&str>, bool, Option<&str>)] = &[
        (None, false, None),
        (Some("aGVsbG8="), false, Some("aGVsbG8=")),
        (None, true, Some("dGVtcGxhdGU=")),
        (Some("b3du"), true, Some("b3du")),
    ];
    for (own, lt, want) in rows {
        assert_eq!(
            launch_with(&mut env, *own, *lt).as_deref(),
            *want,
            "{own:?} {lt}"
        );
    }
    let i = launch(&mut env, &f.subnet);
    let modify = |env: &mut TestEnv, data: &str| {
        let id = i.clone();
        let c = InstanceChange::UserData(data.into());
        env.run_as(A, |tx| tx.modify_instance(&id, c))
    };
    // (state, new value, outcome, stored after)
    type Row = (
        InstanceState,
        &'static str,
        Result<(), &'static str>,
        Option<&'static str>,
    );
    let rows: &[Row] = &[
        (
            InstanceState::Running,
            "bmV3",
            Err("IncorrectInstanceState"),
            None,
        ),
        (InstanceState::Stopped, "bmV3", Ok(()), Some("bmV3")),
        (
            InstanceState::Running,
            "b3RoZXI=",
            Err("IncorrectInstanceState"),
            Some("bmV3"),
        ),
        (InstanceState::Stopped, "", Ok(()), None),
        (
            InstanceState::Terminated,
            "bmV3",
            Err("IncorrectInstanceState"),
            None,
        ),
    ];
    for (state, value, want, stored) in rows {
        set_state(&mut env, &i, *state);
        let got = modify(&mut env, value).map_err(|e| match e {
            DomainError::Appliance(ApplianceProblem::IncorrectInstanceState { .. }) => {
                "IncorrectInstanceState"
            }
            _ => "other",
        });
        assert_eq!(got, *want, "{state:?} {value}");
        assert_eq!(
            env.world.aws.instances[&i].user_data.as_deref(),
            *stored,
            "{state:?} {value}"
        );
    }
}
