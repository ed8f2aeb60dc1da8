//! Tests of instances and network interfaces: placement, private IPs, security groups, limits.

use super::*;
use crate::testkit::{code, launch_one as basic, subnet_record, TestEnv, A, REGION};
use crate::Scope;

/// A VPC with one subnet per given CIDR; returns (vpc, subnets, default sg).
fn fixture(env: &mut TestEnv, account: &str, cidr: &str, subnets: &[&str]) -> Fixture {
    let scope = Scope::new(account, REGION);
    let vpc = env.vpc(&scope, cidr);
    let mut subnet_ids = Vec::new();
    for (i, s) in subnets.iter().enumerate() {
        let id = format!("subnet-{:017x}", env.world.aws.subnets.len() + 1);
        env.world.aws.subnets.insert(
            id.clone(),
            subnet_record(
                &id,
                &vpc,
                &scope,
                if i < 2 { "us-east-1a" } else { "us-east-1b" },
                s,
            ),
        );
        subnet_ids.push(id);
    }
    let sg = env.default_sg(&vpc);
    Fixture {
        vpc,
        subnets: subnet_ids,
        sg,
    }
}

struct Fixture {
    vpc: String,
    subnets: Vec<String>,
    sg: String,
}

#[test]
fn run_instances_table() {
    let mut env = TestEnv::with_seed(1);
    // subnets: [0] 10.0.1.0/24 (az a), [1] 10.0.2.0/28 (az a, 11 usable), [2] 10.0.3.0/24 (az b)
    let f = fixture(
        &mut env,
        A,
        "10.0.0.0/16",
        &["10.0.1.0/24", "10.0.2.0/28", "10.0.3.0/24"],
    );
    let other = fixture(&mut env, A, "10.1.0.0/16", &["10.1.1.0/24"]);
    let foreign = fixture(&mut env, "222222222222", "10.2.0.0/16", &["10.2.1.0/24"]);
    let s0 = f.subnets[0].clone();
    let s1 = f.subnets[1].clone();
    let s2 = f.subnets[2].clone();
    let nic = |subnet: &str, index: u32| NicSpec {
        device_index: index,
        subnet_id: Some(subnet.into()),
        delete_on_termination: true,
        ..Default::default()
    };
    type Case = (&'static str, RunInstances, Result<usize, &'static str>);
    let cases: Vec<Case> = vec![
        ("one instance", basic(&s0), Ok(1)),
        (
            "max launched",
            RunInstances {
                min_count: 2,
                max_count: 3,
                ..basic(&s0)
            },
            Ok(3),
        ),
        (
            "min zero",
            RunInstances {
                min_count: 0,
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "max below min",
            RunInstances {
                min_count: 3,
                max_count: 2,
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "no image",
            RunInstances {
                image_id: String::new(),
                ..basic(&s0)
            },
            Err("MissingParameter"),
        ),
        (
            "bad type",
            RunInstances {
                instance_type: Some("huge".into()),
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "no subnet, no default VPC",
            RunInstances {
                subnet_id: None,
                ..basic(&s0)
            },
            Err("DefaultVpc(NoDefaultVpc(Launch))"),
        ),
        (
            "unknown subnet",
            basic("subnet-0123456789abcdef0"),
            Err("NotFound(Subnet)"),
        ),
        (
            "malformed subnet",
            basic("subnet-x"),
            Err("Malformed(Subnet)"),
        ),
        (
            "foreign subnet",
            basic(&foreign.subnets[0]),
            Err("NotFound(Subnet)"),
        ),
        (
            "group of another vpc",
            RunInstances {
                security_group_ids: vec![other.sg.clone()],
                ..basic(&s0)
            },
            Err("GroupNotUsable"),
        ),
        (
            "foreign group",
            RunInstances {
                security_group_ids: vec![foreign.sg.clone()],
                ..basic(&s0)
            },
            Err("NotFound(SecurityGroup)"),
        ),
        (
            "own group",
            RunInstances {
                security_group_ids: vec![f.sg.clone(), f.sg.clone()],
                ..basic(&s0)
            },
            Ok(1),
        ),
        (
            "requested ip",
            RunInstances {
                private_ip: Some("10.0.1.200".parse().unwrap()),
                ..basic(&s0)
            },
            Ok(1),
        ),
        (
            "requested ip again",
            RunInstances {
                private_ip: Some("10.0.1.200".parse().unwrap()),
                ..basic(&s0)
            },
            Err("AddressInUse"),
        ),
        (
            "reserved ip",
            RunInstances {
                private_ip: Some("10.0.1.3".parse().unwrap()),
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "ip outside subnet",
            RunInstances {
                private_ip: Some("10.0.9.9".parse().unwrap()),
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "ip with count 2",
            RunInstances {
                max_count: 2,
                private_ip: Some("10.0.1.201".parse().unwrap()),
                ..basic(&s0)
            },
            Err("InvalidParameterCombination"),
        ),
        (
            "subnet and nic",
            RunInstances {
                network_interfaces: vec![nic(&s0, 0)],
                ..basic(&s0)
            },
            Err("InvalidParameterCombination"),
        ),
        (
            "two nics",
            RunInstances {
                subnet_id: None,
                network_interfaces: vec![nic(&s0, 0), nic(&s1, 1)],
                ..basic(&s0)
            },
            Ok(1),
        ),
        (
            "nics in two zones",
            RunInstances {
                subnet_id: None,
                network_interfaces: vec![nic(&s0, 0), nic(&s2, 1)],
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "no primary nic",
            RunInstances {
                subnet_id: None,
                network_interfaces: vec![nic(&s0, 1)],
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "duplicate device index",
            RunInstances {
                subnet_id: None,
                network_interfaces: vec![nic(&s0, 0), nic(&s1, 0)],
                ..basic(&s0)
            },
            Err("InvalidParameterValue"),
        ),
        (
            "public ip with two nics",
            RunInstances {
                subnet_id: None,
                network_interfaces: vec![
                    NicSpec {
                        associate_public_ip: Some(true),
                        ..nic(&s0, 0)
                    },
                    nic(&s1, 1),
                ],
                ..basic(&s0)
            },
            Err("InvalidParameterCombination"),
        ),
        (
            "nic without subnet",
            RunInstances {
                subnet_id: None,
                network_interfaces: vec![NicSpec::default()],
                ..basic(&s0)
            },
            Err("MissingParameter"),
        ),
        (
            "small subnet: as many as fit",
            RunInstances {
                min_count: 5,
                max_count: 50,
                ..basic(&s1)
            },
            // /28 has 11 usable; the two-nic case above took one.
            Ok(10),
        ),
        (
            "small subnet full",
            basic(&s1),
            Err("InsufficientAddresses"),
        ),
        (
            "aws tag",
            RunInstances {
                instance_tags: [("aws:x".to_string(), String::new())].into(),
                ..basic(&s0)
            },
            Err("TagKeyMalformed"),
        ),
        (
            "too many tags",
            RunInstances {
                instance_tags: (0..51).map(|i| (format!("k{i}"), String::new())).collect(),
                ..basic(&s0)
            },
            Err("Limit(TagsPerResource)"),
        ),
    ];
    for (name, input, want) in cases {
        let before = env.world.clone();
        let got = env.run_as(A, |tx| tx.run_instances(input));
        match (&got, want) {
            (Ok(l), Ok(n)) => {
                assert_eq!(l.instance_ids.len(), n, "{name}");
                assert!(l.new, "{name}");
            }
            (Err(e), Err(c)) => {
                assert_eq!(code(e), c, "{name}: {e}");
                assert_eq!(env.world, before, "{name}: refused launch left state");
            }
            _ => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn launch_builds_instances_and_interfaces() {
    let mut env = TestEnv::with_seed(1);
    let f = fixture(&mut env, A, "10.0.0.0/16", &["10.0.1.0/24"]);
    let l = env
        .run_as(A, |tx| {
            tx.run_instances(RunInstances {
                max_count: 2,
                eni_tags: [("role".to_string(), "web".to_string())].into(),
                instance_tags: [("Name".to_string(), "x".to_string())].into(),
                ..basic(&f.subnets[0])
            })
        })
        .unwrap();
    let ips: Vec<String> = l
        .instance_ids
        .iter()
        .map(|id| {
            let i = &env.world.aws.instances[id];
            assert_eq!(i.state, InstanceState::Running);
            assert_eq!(i.reservation_id, l.reservation_id);
            assert_eq!(i.instance_type, "m1.small");
            assert_eq!(i.tags["Name"], "x");
            let e = &env.world.aws.network_interfaces[&i.eni_ids[0]];
            assert_eq!(e.groups, vec![f.sg.clone()]);
            assert_eq!(e.tags["role"], "web");
            assert_eq!(e.mac, mac_for(&e.id));
            assert_eq!(e.attachment.as_ref().unwrap().instance_id, *id);
            e.private_ip.to_string()
        })
        .collect();
    assert_eq!(ips, vec!["10.0.1.4", "10.0.1.5"]);
}

#[test]
fn client_token_idempotency() {
    let mut env = TestEnv::with_seed(1);
    let f = fixture(&mut env, A, "10.0.0.0/16", &["10.0.1.0/24"]);
    let with_token = |t: &str| RunInstances {
        client_token: Some(t.into()),
        ..basic(&f.subnets[0])
    };
    let first = launch(&mut env, with_token("tok"));
    let again = launch(&mut env, with_token("tok"));
    assert!(!again.new);
    assert_eq!(first.reservation_id, again.reservation_id);
    assert_eq!(first.instance_ids, again.instance_ids);
    assert_eq!(env.world.aws.instances.len(), 1);
    let stored = &env.world.aws.instances[&first.instance_ids[0]];
    assert_eq!(client_token_of(stored), Some("tok"));
    let changed = RunInstances {
        instance_type: Some("t3.micro".into()),
        ..with_token("tok")
    };
    let err = env.run_as(A, |tx| tx.run_instances(changed)).unwrap_err();
    assert_eq!(code(&err), "IdempotentParameterMismatch");
    let long = "x".repeat(65);
    let err = env
        .run_as(A, |tx| tx.run_instances(with_token(&long)))
        .unwrap_err();
    assert_eq!(code(&err), "InvalidParameterValue");
    // Another account with the same token is another launch.
    let g = fixture(&mut env, "222222222222", "10.0.0.0/16", &["10.0.1.0/24"]);
    let b = env
        .run_as("222222222222", |tx| {
            tx.run_instances(RunInstances {
                client_token: Some("tok".into()),
                ..basic(&g.subnets[0])
            })
        })
        .unwrap();
    assert!(b.new);
}

/// Runs `spec` as account A; panics if the model refuses.
fn launch(env: &mut TestEnv, spec: RunInstances) -> Launch {
    env.run_as(A, |tx| tx.run_instances(spec)).expect("launch")
}

/// One instance in `subnet` whose primary interface outlives it (`DeleteOnTermination=false`).
fn keep_nic(subnet: &str) -> RunInstances {
    RunInstances {
        subnet_id: None,
        network_interfaces: vec![NicSpec {
            device_index: 0,
            subnet_id: Some(subnet.to_owned()),
            delete_on_termination: false,
            ..Default::default()
        }],
        ..basic(subnet)
    }
}

#[test]
fn terminate_frees_addresses_and_vanishes_after_an_hour() {
    let mut env = TestEnv::with_seed(1);
    let f = fixture(&mut env, A, "10.0.0.0/16", &["10.0.1.0/24"]);
    let a = launch(&mut env, basic(&f.subnets[0]));
    let b = launch(&mut env, keep_nic(&f.subnets[0]));
    let ia = a.instance_ids[0].clone();
    let ib = b.instance_ids[0].clone();
    let eni_b = env.world.aws.instances[&ib].eni_ids[0].clone();

    type Case = (
        &'static str,
        Vec<String>,
        Result<Vec<(InstanceState, InstanceState)>, &'static str>,
    );
    let cases: Vec<Case> = vec![
        ("missing", vec![], Err("MissingParameter")),
        (
            "unknown with known",
            vec![ia.clone(), "i-0123456789abcdef0".into()],
            Err("NotFound(Instance)"),
        ),
        ("malformed", vec!["i-zz".into()], Err("Malformed(Instance)")),
        (
            "first",
            vec![ia.clone(), ia.clone()],
            Ok(vec![(InstanceState::Running, InstanceState::ShuttingDown)]),
        ),
        (
            "again",
            vec![ia.clone()],
            Ok(vec![(InstanceState::Terminated, InstanceState::Terminated)]),
        ),
        (
            "keeps detached nic",
            vec![ib.clone()],
            Ok(vec![(InstanceState::Running, InstanceState::ShuttingDown)]),
        ),
    ];
    for (name, ids, want) in cases {
        let before = env.world.clone();
        let got = env.run_as(A, |tx| tx.terminate_instances(&ids));
        match (got, want) {
            (Ok(v), Ok(w)) => {
                let states: Vec<_> = v.iter().map(|(_, p, c)| (*p, *c)).collect();
                assert_eq!(states, w, "{name}");
            }
            (Err(e), Err(c)) => {
                assert_eq!(code(&e), c, "{name}");
                assert_eq!(env.world, before, "{name}");
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
    assert_eq!(
        env.world.aws.instances[&ia].state,
        InstanceState::Terminated
    );
    // The primary interface of A is gone, B's is detached and keeps its address.
    assert_eq!(env.world.aws.network_interfaces.len(), 1);
    assert!(env.world.aws.network_interfaces[&eni_b]
        .attachment
        .is_none());
    // A's address 10.0.1.4 is free again.
    let c = launch(&mut env, basic(&f.subnets[0]));
    let ic = &env.world.aws.instances[&c.instance_ids[0]];
    let ip = env.world.aws.network_interfaces[&ic.eni_ids[0]].private_ip;
    assert_eq!(ip.to_string(), "10.0.1.4");

    // Visible for an hour, then gone.
    env.now = env.now.plus_millis(TERMINATED_VISIBLE_MS - 1);
    env.run_as(A, |tx| tx.visible_instance(&ia).map(|_| ()))
        .unwrap();
    env.now = env.now.plus_millis(1);
    let err = env
        .run_as(A, |tx| tx.visible_instance(&ia).map(|_| ()))
        .unwrap_err();
    assert_eq!(code(&err), "NotFound(Instance)");
    let err = env
        .run_as(A, |tx| tx.terminate_instances(std::slice::from_ref(&ia)))
        .unwrap_err();
    assert_eq!(code(&err), "NotFound(Instance)");
    launch(&mut env, basic(&f.subnets[0]));
    assert!(!env.world.aws.instances.contains_key(&ia), "purged");
    let _ = f.vpc;
}

#[test]
fn delete_network_interface_table() {
    let mut env = TestEnv::with_seed(1);
    let f = fixture(&mut env, A, "10.0.0.0/16", &["10.0.1.0/24"]);
    let l = launch(&mut env, keep_nic(&f.subnets[0]));
    let eni = env.world.aws.instances[&l.instance_ids[0]].eni_ids[0].clone();
    let attached = env
        .run_as(A, |tx| tx.delete_network_interface(&eni))
        .unwrap_err();
    env.run_as(A, |tx| tx.terminate_instances(&l.instance_ids))
        .unwrap();
    let cases = [
        ("eni-0123456789abcdef0", "NotFound(NetworkInterface)"),
        ("eni-zz", "Malformed(NetworkInterface)"),
    ];
    for (id, want) in cases {
        let e = env
            .run_as(A, |tx| tx.delete_network_interface(id))
            .unwrap_err();
        assert_eq!(code(&e), want, "{id}");
    }
    assert!(matches!(attached, DomainError::InterfaceInUse { .. }));
    let foreign = env
        .run_as("222222222222", |tx| tx.delete_network_interface(&eni))
        .unwrap_err();
    assert_eq!(code(&foreign), "NotFound(NetworkInterface)");
    env.run_as(A, |tx| tx.delete_network_interface(&eni))
        .unwrap();
    assert!(env.world.aws.network_interfaces.is_empty());
}

#[test]
fn mac_is_derived_from_id() {
    let cases = [
        ("eni-0123456789abcdef0", "02:01:23:45:67:89"),
        ("eni-abcdef12", "02:ab:cd:ef:12:00"),
        ("eni-xyz", "02:00:00:00:00:00"),
    ];
    for (id, mac) in cases {
        assert_eq!(mac_for(id), mac, "{id}");
    }
}
