//! Table tests of the interface lifecycle (create, attach, detach, delete, assign and unassign
//! private and IPv6 addresses, launch with existing interfaces and address lists), and a
//! property: private addresses are never handed out twice nor from a subnet's reserved five.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use super::{AssignIpv6, AssignPrivate, NewInterface};
use crate::aws::address::tests::{launch, name, setup};
use crate::aws::instance::{NicSpec, RunInstances};
use crate::testkit::{a, b, TestEnv};
use crate::{DomainError, NetworkInterface, Subnet};

fn ip(s: &str) -> Ipv4Addr {
    s.parse().expect("ip")
}

fn ip6(s: &str) -> Ipv6Addr {
    s.parse().expect("ip6")
}

fn new(subnet: &str) -> NewInterface {
    NewInterface {
        subnet_id: subnet.into(),
        ..Default::default()
    }
}

/// A new interface of account A in `subnet` ([`new`]): its id.
fn new_eni(env: &mut TestEnv, subnet: &str) -> String {
    env.run(&a(), |tx| tx.create_network_interface(new(subnet)))
        .expect("eni")
        .id
}

/// An interface in `subnet` asking for the primary address `addr`.
fn at(subnet: &str, addr: &str) -> NewInterface {
    NewInterface {
        private_ip: Some(ip(addr)),
        ..new(subnet)
    }
}

/// An interface in `subnet` asking for the IPv6 address `addr`.
fn at6(subnet: &str, addr: &str) -> NewInterface {
    NewInterface {
        ipv6_addresses: vec![ip6(addr)],
        ..new(subnet)
    }
}

/// A copy of `subnet` under another id, zone and block (and an IPv6 block when given).
fn sibling(env: &mut TestEnv, subnet: &str, id: &str, zone: &str, cidr: &str, v6: Option<&str>) {
    let mut s: Subnet = env.world.aws.subnets[subnet].clone();
    s.id = id.into();
    s.availability_zone = zone.into();
    s.cidr = Some(cidr.parse().expect("cidr"));
    s.ipv6 = v6.map(|n| ("subnet-cidr-assoc-1".into(), n.parse().expect("v6")));
    env.world.aws.subnets.insert(id.into(), s);
}

/// A sibling of `subnet` with an IPv6 block: `subnet-0000000000000006a`, 10.0.6.0/24 and
/// 2600:1f18::/64 in us-east-1a.
fn dual_stack_sibling(env: &mut TestEnv, subnet: &str) {
    sibling(
        env,
        subnet,
        "subnet-0000000000000006a",
        "us-east-1a",
        "10.0.6.0/24",
        Some("2600:1f18::/64"),
    );
}

#[test]
fn create_table() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, false);
    dual_stack_sibling(&mut env, &s);
    let vpc = env.world.aws.subnets[&s].vpc_id.clone();
    let other_vpc = env.vpc(&a(), "10.9.0.0/16");
    let foreign_sg = env.default_sg(&other_vpc);
    let rows: Vec<(&str, NewInterface, &str)> = vec![
        ("plain", new(&s), "ok"),
        ("explicit", at(&s, "10.0.1.50"), "ok"),
        ("reserved network", at(&s, "10.0.1.0"), "Address.Reserved"),
        ("reserved router", at(&s, "10.0.1.1"), "Address.Reserved"),
        ("reserved dns", at(&s, "10.0.1.2"), "Address.Reserved"),
        ("reserved future", at(&s, "10.0.1.3"), "Address.Reserved"),
        (
            "reserved broadcast",
            at(&s, "10.0.1.255"),
            "Address.Reserved",
        ),
        ("outside", at(&s, "10.0.2.9"), "Address.OutsideSubnet"),
        (
            "secondaries",
            NewInterface {
                secondary_ips: vec![ip("10.0.1.60")],
                secondary_count: 3,
                ..new(&s)
            },
            "ok",
        ),
        (
            "too many",
            NewInterface {
                secondary_count: 50,
                ..new(&s)
            },
            "TooManyAddresses",
        ),
        (
            "ipv6 without block",
            NewInterface {
                ipv6_count: 1,
                ..new(&s)
            },
            "NoIpv6Block",
        ),
        (
            "ipv6 count",
            NewInterface {
                ipv6_count: 2,
                ..new("subnet-0000000000000006a")
            },
            "ok",
        ),
        (
            "ipv6 explicit",
            at6("subnet-0000000000000006a", "2600:1f18::99"),
            "ok",
        ),
        (
            "ipv6 outside",
            at6("subnet-0000000000000006a", "2600:1f19::99"),
            "Ipv6OutsideSubnet",
        ),
        (
            "ipv6 reserved",
            at6("subnet-0000000000000006a", "2600:1f18::1"),
            "Ipv6OutsideSubnet",
        ),
        (
            "group of another vpc",
            NewInterface {
                groups: vec![foreign_sg],
                ..new(&s)
            },
            "Group",
        ),
        (
            "unknown subnet",
            new("subnet-0123456789abcdef0"),
            "NotFound(Subnet)",
        ),
    ];
    for (what, input, want) in rows {
        let got = env.probe(&a(), |tx| tx.create_network_interface(input));
        assert_eq!(name(&got), want, "{what}");
    }
    let e = env
        .run(&a(), |tx| {
            tx.create_network_interface(NewInterface {
                secondary_count: 2,
                ipv6_count: 0,
                description: Some("d".into()),
                ..new(&s)
            })
        })
        .expect("eni");
    assert_eq!(e.private_ip, ip("10.0.1.4"), "the first usable address");
    assert_eq!(e.secondary_ips, vec![ip("10.0.1.5"), ip("10.0.1.6")]);
    assert_eq!(
        e.groups,
        vec![env.default_sg(&vpc)],
        "the VPC's default group"
    );
    assert!(e.attachment.is_none());
    let taken = env.probe(&a(), |tx| tx.create_network_interface(at(&s, "10.0.1.5")));
    assert_eq!(name(&taken), "Address.InUse");
    let v6 = env
        .run(&a(), |tx| {
            tx.create_network_interface(NewInterface {
                ipv6_count: 1,
                ..new("subnet-0000000000000006a")
            })
        })
        .expect("v6");
    assert_eq!(v6.ipv6, vec![ip6("2600:1f18::4")]);
}

#[test]
fn attach_detach_delete() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, false);
    sibling(
        &mut env,
        &s,
        "subnet-0000000000000000b",
        "us-east-1b",
        "10.0.7.0/24",
        None,
    );
    let i1 = launch(&mut env, &s);
    let e = new_eni(&mut env, &s);
    let far = new_eni(&mut env, "subnet-0000000000000000b");
    let primary_attach = env.world.aws.network_interfaces[&env.world.aws.instances[&i1].eni_ids[0]]
        .attachment
        .clone()
        .expect("attached")
        .id;
    let rows: Vec<(&str, &str, &str, u32, &str)> = vec![
        ("device 0 taken", &e, &i1, 0, "DeviceIndexTaken"),
        ("other zone", &far, &i1, 1, "DifferentZones"),
        (
            "unknown eni",
            "eni-0123456789abcdef0",
            &i1,
            1,
            "NotFound(NetworkInterface)",
        ),
        (
            "unknown instance",
            &e,
            "i-0123456789abcdef0",
            1,
            "NotFound(Instance)",
        ),
    ];
    for (what, eni, instance, index, want) in rows {
        let got = env.probe(&a(), |tx| tx.attach_network_interface(eni, instance, index));
        assert_eq!(name(&got), want, "{what}");
    }
    let att = env
        .run(&a(), |tx| tx.attach_network_interface(&e, &i1, 1))
        .expect("attach");
    assert!(att.starts_with("eni-attach-"));
    assert_eq!(env.world.aws.instances[&i1].eni_ids.len(), 2);
    let rows: Vec<(&str, Result<(), DomainError>)> = vec![
        (
            "attach again",
            env.probe(&a(), |tx| tx.attach_network_interface(&e, &i1, 2).map(drop)),
        ),
        (
            "delete attached",
            env.probe(&a(), |tx| tx.delete_network_interface(&e)),
        ),
        (
            "detach primary",
            env.probe(&a(), |tx| tx.detach_network_interface(&primary_attach)),
        ),
        (
            "detach unknown",
            env.probe(&a(), |tx| {
                tx.detach_network_interface("eni-attach-0123456789abcdef0")
            }),
        ),
        (
            "detach by another account",
            env.probe(&b(), |tx| tx.detach_network_interface(&att)),
        ),
    ];
    let got: Vec<(&str, String)> = rows.iter().map(|(w, r)| (*w, name(r))).collect();
    let want = vec![
        ("attach again", "InterfaceInUse"),
        ("delete attached", "InterfaceInUse"),
        ("detach primary", "DetachPrimary"),
        ("detach unknown", "AttachmentNotFound"),
        ("detach by another account", "AttachmentNotFound"),
    ];
    assert_eq!(
        got,
        want.into_iter()
            .map(|(a, b)| (a, b.to_owned()))
            .collect::<Vec<_>>()
    );
    env.run(&a(), |tx| tx.detach_network_interface(&att))
        .expect("detach");
    assert!(env.world.aws.network_interfaces[&e].attachment.is_none());
    assert_eq!(env.world.aws.instances[&i1].eni_ids.len(), 1);
    env.run(&a(), |tx| tx.delete_network_interface(&e))
        .expect("delete");
    assert_eq!(
        name(&env.probe(&a(), |tx| tx.delete_network_interface(&e))),
        "NotFound(NetworkInterface)"
    );
}

#[test]
fn assign_and_unassign() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, false);
    dual_stack_sibling(&mut env, &s);
    let e = new_eni(&mut env, &s);
    let other = env
        .run(&a(), |tx| {
            tx.create_network_interface(NewInterface {
                secondary_count: 1,
                ..new(&s)
            })
        })
        .expect("eni");
    let held = other.secondary_ips[0];
    let req = |addresses: Vec<Ipv4Addr>, count: Option<u32>, allow: bool| AssignPrivate {
        interface_id: e.clone(),
        addresses,
        count,
        allow_reassignment: allow,
    };
    let rows: Vec<(&str, AssignPrivate, &str)> = vec![
        ("count", req(vec![], Some(2), false), "ok"),
        ("explicit", req(vec![ip("10.0.1.77")], None, false), "ok"),
        (
            "both",
            req(vec![ip("10.0.1.77")], Some(1), false),
            "AddressesAndCount",
        ),
        ("neither", req(vec![], None, false), "NoAddresses"),
        (
            "reserved",
            req(vec![ip("10.0.1.3")], None, false),
            "Address.Reserved",
        ),
        (
            "outside",
            req(vec![ip("10.1.1.9")], None, false),
            "Address.OutsideSubnet",
        ),
        (
            "held elsewhere",
            req(vec![held], None, false),
            "PrivateIpTaken",
        ),
        (
            "primary elsewhere",
            req(vec![other.private_ip], None, true),
            "PrivateIpTaken",
        ),
        ("reassigned", req(vec![held], None, true), "ok"),
        ("too many", req(vec![], Some(50), false), "TooManyAddresses"),
    ];
    for (what, r, want) in rows {
        let got = env.probe(&a(), |tx| tx.assign_private_ips(r));
        assert_eq!(name(&got), want, "{what}");
    }
    let got = env
        .run(&a(), |tx| {
            tx.assign_private_ips(req(vec![held], None, true))
        })
        .expect("move");
    assert_eq!(got, vec![held]);
    assert!(env.world.aws.network_interfaces[&other.id]
        .secondary_ips
        .is_empty());
    let two = env
        .run(&a(), |tx| {
            tx.assign_private_ips(req(vec![], Some(2), false))
        })
        .expect("count");
    let primary = env.world.aws.network_interfaces[&e].private_ip;
    let rows: Vec<(&str, Vec<Ipv4Addr>, &str)> = vec![
        ("primary", vec![primary], "NotSecondary"),
        ("not held", vec![ip("10.0.1.200")], "NotSecondary"),
        ("none", vec![], "NoAddresses"),
        ("secondary", vec![two[0]], "ok"),
    ];
    for (what, addrs, want) in rows {
        let got = env.probe(&a(), |tx| tx.unassign_private_ips(&e, &addrs));
        assert_eq!(name(&got), want, "{what}");
    }
    env.run(&a(), |tx| tx.unassign_private_ips(&e, &[held, two[1]]))
        .expect("unassign");
    assert_eq!(
        env.world.aws.network_interfaces[&e].secondary_ips,
        vec![two[0]]
    );

    // IPv6.
    let v = new_eni(&mut env, "subnet-0000000000000006a");
    let r6 = |id: &str, addresses: Vec<Ipv6Addr>, count: Option<u32>| AssignIpv6 {
        interface_id: id.into(),
        addresses,
        count,
    };
    let rows: Vec<(&str, AssignIpv6, &str)> = vec![
        ("no block", r6(&e, vec![], Some(1)), "NoIpv6Block"),
        ("count", r6(&v, vec![], Some(2)), "ok"),
        ("explicit", r6(&v, vec![ip6("2600:1f18::abc")], None), "ok"),
        (
            "outside",
            r6(&v, vec![ip6("2600:1f19::abc")], None),
            "Ipv6OutsideSubnet",
        ),
        (
            "both",
            r6(&v, vec![ip6("2600:1f18::abc")], Some(1)),
            "AddressesAndCount",
        ),
        (
            "managed",
            r6("eni-0123456789abcdef0", vec![], Some(1)),
            "NotFound(NetworkInterface)",
        ),
    ];
    for (what, r, want) in rows {
        let got = env.probe(&a(), |tx| tx.assign_ipv6(r));
        assert_eq!(name(&got), want, "{what}");
    }
    let got = env
        .run(&a(), |tx| tx.assign_ipv6(r6(&v, vec![], Some(2))))
        .expect("v6");
    assert_eq!(got, vec![ip6("2600:1f18::4"), ip6("2600:1f18::5")]);
    let taken = env.probe(&a(), |tx| tx.assign_ipv6(r6(&v, vec![got[0]], None)));
    assert_eq!(name(&taken), "Ipv6Taken");
    let gone = env.probe(&a(), |tx| tx.unassign_ipv6(&v, &[ip6("2600:1f18::99")]));
    assert_eq!(name(&gone), "Ipv6NotAssigned");
    env.run(&a(), |tx| tx.unassign_ipv6(&v, &[got[0]]))
        .expect("unassign");
    assert_eq!(env.world.aws.network_interfaces[&v].ipv6, vec![got[1]]);
}

#[test]
fn launch_with_existing_interfaces_and_address_lists() {
    let mut env = TestEnv::new();
    let s = setup(&mut env, true);
    let e = env
        .run(&a(), |tx| tx.create_network_interface(new(&s)))
        .expect("eni");
    let run = |nics: Vec<NicSpec>, max: i64| RunInstances {
        min_count: 1,
        max_count: max,
        image_id: "ami-12345678".into(),
        network_interfaces: nics,
        ..Default::default()
    };
    let existing = |id: &str| NicSpec {
        network_interface_id: Some(id.into()),
        ..Default::default()
    };
    // A primary interface with a private address and a list of secondary ones.
    let address_list = || {
        run(
            vec![NicSpec {
                subnet_id: Some(s.clone()),
                private_ip: Some(ip("10.0.1.40")),
                secondary_ips: vec![ip("10.0.1.41")],
                secondary_count: 1,
                delete_on_termination: true,
                ..Default::default()
            }],
            1,
        )
    };
    let rows: Vec<(&str, RunInstances, &str)> = vec![
        ("existing", run(vec![existing(&e.id)], 1), "ok"),
        (
            "existing twice over",
            run(vec![existing(&e.id)], 2),
            "ExistingInterfaceForSeveralInstances",
        ),
        (
            "existing with a subnet of its own",
            run(
                vec![NicSpec {
                    private_ip: Some(ip("10.0.1.99")),
                    ..existing(&e.id)
                }],
                1,
            ),
            "ExistingInterfaceWithSettings",
        ),
        (
            "unknown",
            run(vec![existing("eni-0123456789abcdef0")], 1),
            "NotFound(NetworkInterface)",
        ),
        ("address list", address_list(), "ok"),
        (
            "address list taken",
            run(
                vec![NicSpec {
                    subnet_id: Some(s.clone()),
                    secondary_ips: vec![e.private_ip],
                    ..Default::default()
                }],
                1,
            ),
            "Address.InUse",
        ),
    ];
    for (what, input, want) in rows {
        let got = env.probe(&a(), |tx| tx.run_instances(input));
        assert_eq!(name(&got), want, "{what}");
    }
    let l = env
        .run(&a(), |tx| tx.run_instances(run(vec![existing(&e.id)], 1)))
        .expect("launch");
    let i = env.world.aws.instances[&l.instance_ids[0]].clone();
    assert_eq!(i.eni_ids, vec![e.id.clone()]);
    let att = env.world.aws.network_interfaces[&e.id]
        .attachment
        .clone()
        .expect("attached");
    assert_eq!((att.device_index, att.delete_on_termination), (0, false));
    assert_eq!(
        env.world.aws.network_interfaces[&e.id].public_ip, None,
        "no public address for an existing interface"
    );
    let again = env.probe(&a(), |tx| tx.run_instances(run(vec![existing(&e.id)], 1)));
    assert_eq!(name(&again), "InterfaceNotAvailable");
    env.run(&a(), |tx| {
        tx.terminate_instances(std::slice::from_ref(&i.id))
    })
    .expect("terminate");
    assert!(
        env.world.aws.network_interfaces[&e.id].attachment.is_none(),
        "kept, detached"
    );
    let l = env
        .run(&a(), |tx| tx.run_instances(address_list()))
        .expect("launch");
    let eni = env.world.aws.instances[&l.instance_ids[0]].eni_ids[0].clone();
    let eni: &NetworkInterface = &env.world.aws.network_interfaces[&eni];
    assert_eq!(eni.private_ip, ip("10.0.1.40"));
    assert_eq!(eni.secondary_ips.len(), 2);
    assert_eq!(eni.secondary_ips[0], ip("10.0.1.41"));
    assert!(eni.public_ip.is_some(), "the subnet maps public addresses");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the sequence of creations, deletions, assignments and unassignments in a /27,
    /// no private address is held twice and none is one of the subnet's reserved five.
    #[test]
    fn private_addresses_never_collide(ops in proptest::collection::vec((0u8..5, 0u32..4), 1..40)) {
        let mut env = TestEnv::new();
        let v = env.vpc(&a(), "10.0.0.0/16");
        let s = env.subnet(&a(), &v, "10.0.1.0/27");
        for (op, n) in ops {
            let enis: Vec<String> = env.world.aws.network_interfaces.keys().cloned().collect();
            let pick = enis.get(n as usize % enis.len().max(1)).cloned();
            let _ = match (op, pick) {
                (0, _) | (_, None) => env
                    .run(&a(), |tx| tx.create_network_interface(NewInterface { secondary_count: n, ..new(&s) }))
                    .map(drop),
                (1, Some(e)) => env.run(&a(), |tx| tx.delete_network_interface(&e)),
                (2, Some(e)) => env
                    .run(&a(), |tx| tx.assign_private_ips(AssignPrivate {
                        interface_id: e, addresses: vec![], count: Some(n.max(1)), allow_reassignment: false,
                    }))
                    .map(drop),
                (3, Some(e)) => {
                    let wanted = Ipv4Addr::from(u32::from(ip("10.0.1.0")) + n * 7 + 1);
                    env.run(&a(), |tx| tx.assign_private_ips(AssignPrivate {
                        interface_id: e, addresses: vec![wanted], count: None, allow_reassignment: n % 2 == 0,
                    })).map(drop)
                }
                (_, Some(e)) => {
                    let first = env.world.aws.network_interfaces[&e].secondary_ips.first().copied();
                    env.run(&a(), |tx| tx.unassign_private_ips(&e, &first.into_iter().collect::<Vec<_>>()))
                }
            };
            let all: Vec<Ipv4Addr> = env.world.aws.network_interfaces.values()
                .flat_map(|e| std::iter::once(e.private_ip).chain(e.secondary_ips.iter().copied()))
                .collect();
            let unique: BTreeSet<&Ipv4Addr> = all.iter().collect();
            prop_assert_eq!(unique.len(), all.len());
            let usable = crate::cidr::host_range("10.0.1.0/27".parse().expect("net"), 4, 1);
            for a in &all {
                prop_assert!(usable.contains(a), "{} is reserved or outside", a);
            }
        }
    }
}
