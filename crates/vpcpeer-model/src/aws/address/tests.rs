//! Table tests of Elastic IPs: allocation, the quota, association (to instances, interfaces and
//! NAT gateways), disassociation, release, launch-time public addresses, and a property: public
//! addresses never collide and always come from the pool.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use proptest::prelude::*;

use super::{AssociateAddress, AssociationTarget, PUBLIC_POOL};
use crate::aws::instance::RunInstances;
use crate::aws::interface::NewInterface;
pub(crate) use crate::testkit::launch;
use crate::testkit::{a, b, public_nat, TestEnv};
use crate::{DomainError, Tags};

/// A short name for a result: `ok`, an eip problem's variant, or the error's kind.
pub(crate) fn name<T>(r: &Result<T, DomainError>) -> String {
    fn head(s: String) -> String {
        s.split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_owned()
    }
    match r {
        Ok(_) => "ok".into(),
        Err(DomainError::Eip(p)) => head(format!("{p:?}")),
        Err(DomainError::Address(p)) => format!("Address.{}", head(format!("{p:?}"))),
        Err(DomainError::NotFound { kind, .. }) => format!("NotFound({kind:?})"),
        Err(DomainError::MalformedId { kind, .. }) => format!("Malformed({kind:?})"),
        Err(DomainError::Attached(p)) => format!("Attached.{}", head(format!("{p:?}"))),
        Err(e) => head(format!("{e:?}")),
    }
}

/// A VPC with one /24 subnet (public addresses on launch as `map_public`); returns the subnet.
pub(crate) fn setup(env: &mut TestEnv, map_public: bool) -> String {
    let v = env.vpc(&a(), "10.0.0.0/16");
    let s = env.subnet(&a(), &v, "10.0.1.0/24");
    env.world
        .aws
        .subnets
        .get_mut(&s)
        .expect("subnet")
        .map_public_ip_on_launch = map_public;
    s
}

fn assoc(alloc: &str, target: AssociationTarget, allow: bool) -> AssociateAddress {
    AssociateAddress {
        allocation_id: alloc.into(),
        target,
        private_ip: None,
        allow_reassociation: allow,
    }
}

fn inst(id: &str) -> AssociationTarget {
    AssociationTarget::Instance(id.into())
}

fn eni(id: &str) -> AssociationTarget {
    AssociationTarget::Interface(id.into())
}

fn allocate(env: &mut TestEnv) -> String {
    env.run(&a(), |tx| tx.allocate_address(Tags::new()))
        .expect("allocate")
        .id
}

#[test]
fn allocation_quota_and_pool() {
    let mut env = TestEnv::new();
    let ids: Vec<String> = (0..5).map(|_| allocate(&mut env)).collect();
    let ips: Vec<Ipv4Addr> = ids
        .iter()
        .map(|id| env.world.aws.elastic_ips[id].public_ip)
        .collect();
    assert_eq!(
        ips[0],
        Ipv4Addr::new(198, 18, 0, 1),
        "lowest presentable first"
    );
    assert_eq!(ips.iter().collect::<BTreeSet<_>>().len(), 5);
    assert!(ids.iter().all(|id| id.starts_with("eipalloc-")));
    let sixth = env.probe(&a(), |tx| tx.allocate_address(Tags::new()));
    assert_eq!(name(&sixth), "LimitExceeded");
    // The quota is per account and region.
    assert!(env.run(&b(), |tx| tx.allocate_address(Tags::new())).is_ok());
    // A released address is free again and reused first.
    env.run(&a(), |tx| tx.release_address(&ids[0]))
        .expect("release");
    let again = env
        .run(&a(), |tx| tx.allocate_address(Tags::new()))
        .expect("allocate");
    assert_eq!(again.public_ip, ips[0]);
    let rows = [
        (ids[0].as_str(), "NotFound(ElasticIp)"),
        ("eipalloc-nothex", "Malformed(ElasticIp)"),
        ("eipalloc-0123456789abcdef0", "NotFound(ElasticIp)"),
    ];
    for (id, want) in rows {
        assert_eq!(
            name(&env.probe(&a(), |tx| tx.release_address(id))),
            want,
            "{id}"
        );
    }
    // Another account does not see them.
    assert_eq!(
        name(&env.probe(&b(), |tx| tx.release_address(&ids[1]))),
        "NotFound(ElasticIp)"
    );
}

#[test]
fn association_transitions() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, false);
    let i1 = launch(&mut env, &s);
    let e2 = env
        .run(&a(), |tx| {
            tx.create_network_interface(NewInterface {
                subnet_id: s.clone(),
                secondary_count: 1,
                ..Default::default()
            })
        })
        .expect("eni");
    let x = allocate(&mut env);
    let y = allocate(&mut env);
    let i1_eni = env.world.aws.instances[&i1].eni_ids[0].clone();
    let first = env
        .run(&a(), |tx| tx.associate_address(assoc(&x, inst(&i1), false)))
        .expect("associate");
    assert!(first.starts_with("eipassoc-"));
    let bound = env.world.aws.elastic_ips[&x]
        .association
        .clone()
        .expect("bound");
    assert_eq!(bound.eni_id, i1_eni);
    let secondary = e2.secondary_ips[0];
    let outside: Ipv4Addr = "10.0.1.200".parse().expect("ip");
    // (what, request, expected)
    let rows: Vec<(&str, AssociateAddress, &str)> = vec![
        ("again", assoc(&x, eni(&e2.id), false), "AlreadyAssociated"),
        ("reassociate", assoc(&x, eni(&e2.id), true), "ok"),
        (
            "target has one",
            assoc(&y, inst(&i1), false),
            "TargetAssociated",
        ),
        ("target has one, allowed", assoc(&y, inst(&i1), true), "ok"),
        (
            "secondary",
            AssociateAddress {
                private_ip: Some(secondary),
                ..assoc(&y, eni(&e2.id), false)
            },
            "ok",
        ),
        (
            "not the interface's",
            AssociateAddress {
                private_ip: Some(outside),
                ..assoc(&y, eni(&e2.id), false)
            },
            "NotOnInterface",
        ),
        (
            "unknown allocation",
            assoc("eipalloc-0123456789abcdef0", inst(&i1), false),
            "NotFound(ElasticIp)",
        ),
        (
            "unknown instance",
            assoc(&y, inst("i-0123456789abcdef0"), false),
            "NotFound(Instance)",
        ),
        (
            "unknown interface",
            assoc(&y, eni("eni-0123456789abcdef0"), false),
            "NotFound(NetworkInterface)",
        ),
    ];
    for (what, req, want) in rows {
        let got = env.probe(&a(), |tx| tx.associate_address(req));
        assert_eq!(name(&got), want, "{what}");
    }
    // Replacing: y on i1's primary address takes the place of x.
    env.run(&a(), |tx| tx.associate_address(assoc(&y, inst(&i1), true)))
        .expect("replace");
    assert!(env.world.aws.elastic_ips[&x].association.is_none());
    assert_eq!(name(&env.probe(&a(), |tx| tx.release_address(&y))), "InUse");
    assert_eq!(
        name(&env.probe(&a(), |tx| {
            tx.disassociate_address("eipassoc-0123456789abcdef0")
        })),
        "NotFound(Association)"
    );
    let y_assoc = env.world.aws.elastic_ips[&y]
        .association
        .clone()
        .expect("y")
        .id;
    assert_eq!(
        name(&env.probe(&b(), |tx| tx.disassociate_address(&y_assoc))),
        "NotFound(Association)",
        "another account cannot disassociate"
    );
    env.run(&a(), |tx| tx.disassociate_address(&y_assoc))
        .expect("disassociate");
    env.run(&a(), |tx| tx.release_address(&y)).expect("release");

    // An instance with two interfaces needs the interface named.
    let dev1 = env
        .run(&a(), |tx| tx.attach_network_interface(&e2.id, &i1, 1))
        .map(|_| ());
    assert_eq!(name(&dev1), "ok");
    assert_eq!(
        name(&env.probe(&a(), |tx| tx.associate_address(assoc(&x, inst(&i1), false)))),
        "SeveralInterfaces"
    );
    // Deleting an interface disassociates its address; terminating an instance too.
    env.run(&a(), |tx| {
        tx.associate_address(assoc(&x, eni(&i1_eni), false))
    })
    .expect("to the primary interface");
    env.run(&a(), |tx| tx.terminate_instances(std::slice::from_ref(&i1)))
        .expect("terminate");
    assert!(env.world.aws.elastic_ips[&x].association.is_none());
    assert_eq!(
        name(&env.probe(&a(), |tx| tx.associate_address(assoc(&x, inst(&i1), false)))),
        "InstanceWithoutInterface"
    );
}

#[test]
fn nat_gateways_hold_their_address() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, false);
    let x = allocate(&mut env);
    let unknown = env.probe(&a(), |tx| {
        tx.create_nat_gateway(public_nat(&s, "eipalloc-0123456789abcdef0"))
    });
    assert_eq!(name(&unknown), "NotFound(ElasticIp)");
    let nat = env
        .run(&a(), |tx| tx.create_nat_gateway(public_nat(&s, &x)))
        .expect("nat");
    let n = env.world.aws.nat_gateways[&nat].clone();
    let bound = env.world.aws.elastic_ips[&x]
        .association
        .clone()
        .expect("bound");
    assert_eq!(
        (bound.eni_id.as_str(), bound.private_ip),
        (n.eni_id.as_str(), n.private_ip)
    );
    let rows: Vec<(&str, Result<(), DomainError>)> = vec![
        ("release", env.probe(&a(), |tx| tx.release_address(&x))),
        (
            "disassociate",
            env.probe(&a(), |tx| tx.disassociate_address(&bound.id)),
        ),
        (
            "second gateway",
            env.probe(&a(), |tx| {
                tx.create_nat_gateway(public_nat(&s, &x)).map(drop)
            }),
        ),
        (
            "to the gateway's interface",
            env.probe(&a(), |tx| {
                let y = tx.allocate_address(Tags::new())?.id;
                tx.associate_address(assoc(&y, eni(&n.eni_id), false))
                    .map(drop)
            }),
        ),
    ];
    let got: Vec<(&str, String)> = rows.iter().map(|(w, r)| (*w, name(r))).collect();
    assert_eq!(
        got,
        vec![
            ("release", "UsedByNatGateway".to_owned()),
            ("disassociate", "UsedByNatGateway".to_owned()),
            ("second gateway", "Attached.AllocationInUse".to_owned()),
            ("to the gateway's interface", "ManagedInterface".to_owned()),
        ]
    );
    env.run(&a(), |tx| tx.delete_nat_gateway(&nat))
        .expect("delete");
    assert!(env.world.aws.elastic_ips[&x].association.is_none());
    env.run(&a(), |tx| tx.release_address(&x))
        .expect("free again");
}

#[test]
fn public_addresses_on_launch() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, true);
    let i1 = launch(&mut env, &s);
    let e1 = env.world.aws.instances[&i1].eni_ids[0].clone();
    let first = env.world.aws.network_interfaces[&e1]
        .public_ip
        .expect("public");
    assert!(PUBLIC_POOL.contains(&first));
    // An explicit `AssociatePublicIpAddress=false` wins over the subnet's setting.
    let input = RunInstances {
        min_count: 1,
        max_count: 1,
        image_id: "ami-12345678".into(),
        network_interfaces: vec![crate::aws::instance::NicSpec {
            subnet_id: Some(s.clone()),
            associate_public_ip: Some(false),
            delete_on_termination: true,
            ..Default::default()
        }],
        ..Default::default()
    };
    let quiet = env.run(&a(), |tx| tx.run_instances(input)).expect("launch");
    let quiet_eni = env.world.aws.instances[&quiet.instance_ids[0]].eni_ids[0].clone();
    assert_eq!(env.world.aws.network_interfaces[&quiet_eni].public_ip, None);
    // An Elastic IP replaces the public address; disassociating gives a new one.
    let x = allocate(&mut env);
    let id = env
        .run(&a(), |tx| tx.associate_address(assoc(&x, inst(&i1), false)))
        .expect("associate");
    assert_eq!(env.world.aws.network_interfaces[&e1].public_ip, None);
    env.run(&a(), |tx| tx.disassociate_address(&id))
        .expect("disassociate");
    let renewed = env.world.aws.network_interfaces[&e1]
        .public_ip
        .expect("renewed");
    assert!(PUBLIC_POOL.contains(&renewed));
    // Terminating releases it: the next allocation may take it.
    env.run(&a(), |tx| tx.terminate_instances(std::slice::from_ref(&i1)))
        .expect("terminate");
    let in_use = env.tx(&a()).public_ips_in_use();
    assert!(!in_use.contains(&renewed));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the sequence of allocations, releases, launches and terminations (two accounts),
    /// every public address in use is distinct, in the pool and presentable.
    #[test]
    fn public_addresses_never_collide(ops in proptest::collection::vec(0u8..6, 1..40)) {
        let mut env = TestEnv::new();
        env.limits.elastic_ips_per_region = None;
        let s = setup(&mut env, true);
        for op in ops {
            match op {
                0 | 1 => { allocate(&mut env); }
                2 => {
                    if let Some(id) = env.world.aws.elastic_ips.keys().next().cloned() {
                        let _ = env.run(&a(), |tx| tx.release_address(&id));
                    }
                }
                3 | 4 => { launch(&mut env, &s); }
                _ => {
                    if let Some(id) = env.world.aws.instances.keys().next().cloned() {
                        let _ = env.run(&a(), |tx| tx.terminate_instances(&[id]));
                    }
                }
            }
            let aws = &env.world.aws;
            let all: Vec<Ipv4Addr> = aws.elastic_ips.values().map(|e| e.public_ip)
                .chain(aws.network_interfaces.values().filter_map(|e| e.public_ip))
                .collect();
            let unique: BTreeSet<&Ipv4Addr> = all.iter().collect();
            prop_assert_eq!(unique.len(), all.len());
            for ip in &all {
                prop_assert!(PUBLIC_POOL.contains(ip));
                prop_assert!(ip.octets()[3] != 0 && ip.octets()[3] != 255);
            }
        }
    }
}
