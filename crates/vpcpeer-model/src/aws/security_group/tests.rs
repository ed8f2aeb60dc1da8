//! Table tests of security groups: creation rules, permissions, peer references and staleness.

use super::*;
use crate::aws::error::RuleProblem;
use crate::testkit::{
    self, a, b, eni_record, permission, with_cidr, with_cidr6, with_pair as with_group, TestEnv, A,
    B,
};
use crate::{NetworkInterface, Scope};

fn scope(account: &str, region: &str) -> Scope {
    Scope::new(account, region)
}

/// Security-group helpers on top of the shared harness.
trait GroupEnv {
    /// The group record `id`.
    fn group(&self, id: &str) -> &SecurityGroup;
}

impl GroupEnv for TestEnv {
    fn group(&self, id: &str) -> &SecurityGroup {
        &self.world.aws.security_groups[id]
    }
}

fn tcp(port: u16) -> RulePermission {
    testkit::tcp_port(port)
}

fn by_id(id: &str) -> GroupSelector {
    GroupSelector::Id(id.into())
}

/// A short name of an error, for tables.
fn code(e: &DomainError) -> &'static str {
    match e {
        DomainError::NotFound { .. } => "NotFound",
        DomainError::MalformedId { .. } => "Malformed",
        DomainError::Missing(_) => "Missing",
        DomainError::Invalid { .. }
        | DomainError::Group(GroupProblem::NameLikeId { .. } | GroupProblem::PermissionRepeated) => {
            "InvalidValue"
        }
        DomainError::Conflict(_) => "Combination",
        DomainError::Group(_) => "GroupNotUsable",
        DomainError::GroupDuplicate { .. } => "GroupDuplicate",
        DomainError::GroupReserved { .. } => "Reserved",
        DomainError::PermissionDuplicate { .. } => "PermissionDuplicate",
        DomainError::Rule(RuleProblem::NoPeers) => "PermissionMalformed",
        DomainError::Rule(_) | DomainError::TextRefused { .. } => "InvalidValue",
        DomainError::AmbiguousGroupName { .. } => "Combination",
        DomainError::LimitExceeded { .. } => "Limit",
        DomainError::CannotDeleteDefaultGroup => "CannotDelete",
        DomainError::DependencyViolation { .. } => "Dependency",
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn create_security_group_table() {
    let mut env = TestEnv::with_seed(11);
    let v = env.vpc(&a(), "10.0.0.0/16");
    env.sg(&a(), &v, "web");
    let rows: &[(&str, &str, &str, Result<(), &str>)] = &[
        ("fresh name", "api", "ok", Ok(())),
        (
            "duplicate name in the VPC",
            "web",
            "ok",
            Err("GroupDuplicate"),
        ),
        ("reserved", "default", "ok", Err("Reserved")),
        ("sg- prefix", "sg-123", "ok", Err("InvalidValue")),
        ("bad character", "naïve", "ok", Err("InvalidValue")),
        ("bad description", "x1", "tab\there", Err("InvalidValue")),
        ("empty description", "x2", "", Err("Missing")),
    ];
    for (name, group, desc, want) in rows {
        let got = env.run(&a(), |tx| {
            tx.create_security_group(CreateSecurityGroup {
                name: (*group).into(),
                description: (*desc).into(),
                vpc_id: Some(v.clone()),
                tags: Tags::new(),
            })
        });
        assert_eq!(got.as_ref().map(|_| ()).map_err(code), *want, "{name}");
        if let Ok(id) = got {
            let g = env.group(&id);
            assert!(g.ingress.is_empty());
            assert_eq!(g.egress.len(), 1);
            assert_eq!(g.egress[0].protocol, "-1");
            assert_eq!(
                g.egress[0].peer,
                RulePeer::Cidr4("0.0.0.0/0".parse().unwrap())
            );
        }
    }
    // Same name in another VPC is fine; another account cannot use this VPC.
    let v2 = env.vpc(&a(), "10.1.0.0/16");
    env.sg(&a(), &v2, "web");
    let err = env.run(&b(), |tx| {
        tx.create_security_group(CreateSecurityGroup {
            name: "x".into(),
            description: "x".into(),
            vpc_id: Some(v.clone()),
            tags: Tags::new(),
        })
    });
    assert_eq!(err.map_err(|e| code(&e)), Err("NotFound"));
    // Quota.
    env.limits.security_groups_per_region = Some(env.world.aws.security_groups.len());
    let err = env.run(&a(), |tx| {
        tx.create_security_group(CreateSecurityGroup {
            name: "one-too-many".into(),
            description: "x".into(),
            vpc_id: Some(v.clone()),
            tags: Tags::new(),
        })
    });
    assert_eq!(err.map_err(|e| code(&e)), Err("Limit"));
}

/// What a typed permission stores: the protocol's stored spelling and the ports. (Refusals of a
/// permission's text are pinned where the text is parsed, in the EC2 face's `permissions` tests.)
#[test]
fn permission_table() {
    type Row = (
        &'static str,
        fn() -> RulePermission,
        (&'static str, Option<i32>, Option<i32>),
    );
    let rows: &[Row] = &[
        (
            "tcp 22",
            || with_cidr(tcp(22), "10.1.0.0/16"),
            ("tcp", Some(22), Some(22)),
        ),
        (
            "all, no ports",
            || with_cidr(permission(RuleProtocol::All, None, None), "10.1.0.0/16"),
            ("-1", None, None),
        ),
        (
            "udp",
            || {
                with_cidr(
                    permission(RuleProtocol::Udp, Some(53), Some(53)),
                    "10.1.0.0/16",
                )
            },
            ("udp", Some(53), Some(53)),
        ),
        (
            "icmp, all types",
            || {
                with_cidr(
                    permission(RuleProtocol::Icmp, Some(-1), Some(-1)),
                    "10.1.0.0/16",
                )
            },
            ("icmp", Some(-1), Some(-1)),
        ),
        (
            "icmpv6",
            || {
                with_cidr6(
                    permission(RuleProtocol::Icmpv6, Some(128), Some(0)),
                    "2600::/56",
                )
            },
            ("icmpv6", Some(128), Some(0)),
        ),
        (
            "esp keeps its number",
            || {
                with_cidr(
                    permission(RuleProtocol::Number(50), None, None),
                    "10.1.0.0/16",
                )
            },
            ("50", None, None),
        ),
    ];
    for (name, make, (proto, from, to)) in rows {
        let mut env = TestEnv::with_seed(11);
        let v = env.vpc(&a(), "10.0.0.0/16");
        let g = env.sg(&a(), &v, "web");
        let (_, rules) = env
            .run(&a(), |tx| {
                tx.authorize_rules(Direction::Ingress, &by_id(&g), &[make()])
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rules.len(), 1, "{name}");
        let r = &rules[0];
        assert_eq!(
            (r.protocol.as_str(), r.from_port, r.to_port),
            (*proto, *from, *to),
            "{name}"
        );
        assert!(r.id.starts_with("sgr-"), "{name}");
        assert_eq!(env.group(&g).ingress, rules, "{name}");
    }
}

#[test]
fn duplicates_limits_and_atomicity() {
    let mut env = TestEnv::with_seed(11);
    let v = env.vpc(&a(), "10.0.0.0/16");
    let g = env.sg(&a(), &v, "web");
    let sel = by_id(&g);
    env.run(&a(), |tx| {
        tx.authorize_rules(
            Direction::Ingress,
            &sel,
            &[with_cidr(tcp(22), "10.1.0.0/16")],
        )
    })
    .unwrap();
    // Exact duplicate (even with another description) is refused.
    let mut again = with_cidr(tcp(22), "10.1.0.0/16");
    again.ipv4[0].description = Some("other".into());
    let err = env
        .run(&a(), |tx| {
            tx.authorize_rules(Direction::Ingress, &sel, &[again])
        })
        .unwrap_err();
    assert_eq!(code(&err), "PermissionDuplicate");
    assert!(err.to_string().contains("10.1.0.0/16"));
    // The same permission twice in one request.
    let twice = with_cidr(with_cidr(tcp(80), "10.2.0.0/16"), "10.2.0.0/16");
    let err = env
        .run(&a(), |tx| {
            tx.authorize_rules(Direction::Ingress, &sel, &[twice])
        })
        .unwrap_err();
    assert_eq!(code(&err), "InvalidValue");
    // Same permission in the other direction is fine.
    env.run(&a(), |tx| {
        tx.authorize_rules(
            Direction::Egress,
            &sel,
            &[with_cidr(tcp(22), "10.1.0.0/16")],
        )
    })
    .unwrap();
    // A request with one good and one bad permission applies nothing.
    let before = env.group(&g).clone();
    let err = env.run(&a(), |tx| {
        tx.authorize_rules(
            Direction::Ingress,
            &sel,
            &[
                with_cidr(tcp(443), "10.3.0.0/16"),
                testkit::from_group(tcp(444), "sg-00000000000000bad", A),
            ],
        )
    });
    assert!(err.is_err());
    assert_eq!(*env.group(&g), before);

    // Quota per direction and family: 2 inbound IPv4 rules allowed, one exists.
    env.limits.rules_per_security_group = Some(2);
    let two = with_cidr(
        with_cidr6(with_cidr(tcp(1000), "10.4.0.0/16"), "2600::/56"),
        "10.5.0.0/16",
    );
    let err = env
        .run(&a(), |tx| {
            tx.authorize_rules(Direction::Ingress, &sel, &[two])
        })
        .unwrap_err();
    assert_eq!(code(&err), "Limit");
    env.run(&a(), |tx| {
        tx.authorize_rules(
            Direction::Ingress,
            &sel,
            &[with_cidr(tcp(1000), "10.4.0.0/16")],
        )
    })
    .unwrap();
    // IPv6 has its own count.
    let v6 = with_cidr6(tcp(1000), "2600::/56");
    env.run(&a(), |tx| {
        tx.authorize_rules(Direction::Ingress, &sel, &[v6])
    })
    .unwrap();
}

/// The world of the peer-reference table.
struct Net {
    env: TestEnv,
    /// The group getting rules (account A, VPC a1).
    owner: String,
    same_vpc: String,
    same_account_peer: String,
    cross_account: String,
    cross_region: String,
    pending_peer: String,
    unpeered: String,
    pcx_a2: String,
    pcx_b: String,
}

fn net() -> Net {
    let mut env = TestEnv::with_seed(11);
    let bw = scope(B, "us-west-2");
    let a1 = env.vpc(&a(), "10.0.0.0/16");
    let a2 = env.vpc(&a(), "10.1.0.0/16");
    let a3 = env.vpc(&a(), "10.4.0.0/16");
    let vb = env.vpc(&b(), "10.2.0.0/16");
    let vbw = env.vpc(&bw, "10.3.0.0/16");
    let vb2 = env.vpc(&b(), "10.5.0.0/16");
    let owner = env.sg(&a(), &a1, "owner");
    let same_vpc = env.sg(&a(), &a1, "sibling");
    let same_account_peer = env.sg(&a(), &a2, "a2");
    let unpeered = env.sg(&a(), &a3, "a3");
    let cross_account = env.sg(&b(), &vb, "b");
    let cross_region = env.sg(&bw, &vbw, "bw");
    let pending_peer = env.sg(&b(), &vb2, "b2");
    let pcx_a2 = env.peer(&a(), &a1, &a(), &a2, true);
    let pcx_b = env.peer(&a(), &a1, &b(), &vb, true);
    env.peer(&a(), &a1, &bw, &vbw, true);
    env.peer(&a(), &a1, &b(), &vb2, false);
    Net {
        env,
        owner,
        same_vpc,
        same_account_peer,
        cross_account,
        cross_region,
        pending_peer,
        unpeered,
        pcx_a2,
        pcx_b,
    }
}

fn pair(group_id: &str, user: Option<&str>, pcx: Option<&str>) -> GroupPair {
    GroupPair {
        group_id: Some(group_id.into()),
        user_id: user.map(Into::into),
        peering_id: pcx.map(Into::into),
        ..Default::default()
    }
}

#[test]
fn peer_reference_table() {
    enum Want {
        SameVpc,
        Via(&'static str),
        Err(&'static str),
    }
    type MakePair = fn(&Net) -> GroupPair;
    let rows: &[(&str, MakePair, Want)] = &[
        (
            "same VPC by id",
            |n| pair(&n.same_vpc, None, None),
            Want::SameVpc,
        ),
        (
            "same VPC by name",
            |_| GroupPair {
                group_name: Some("sibling".into()),
                ..Default::default()
            },
            Want::SameVpc,
        ),
        (
            "self reference",
            |n| pair(&n.owner, Some(A), None),
            Want::SameVpc,
        ),
        (
            "active same-account peer",
            |n| pair(&n.same_account_peer, None, None),
            Want::Via("a2"),
        ),
        (
            "active peer with its pcx id",
            |n| pair(&n.same_account_peer, None, Some(&n.pcx_a2)),
            Want::Via("a2"),
        ),
        (
            "active cross-account peer with UserId",
            |n| pair(&n.cross_account, Some(B), None),
            Want::Via("b"),
        ),
        (
            "cross-account without UserId",
            |n| pair(&n.cross_account, None, None),
            Want::Err("NotFound"),
        ),
        (
            "cross-account with wrong UserId",
            |n| pair(&n.cross_account, Some("333333333333"), None),
            Want::Err("NotFound"),
        ),
        (
            "pcx id of another pair of VPCs",
            |n| pair(&n.same_account_peer, None, Some(&n.pcx_b)),
            Want::Err("GroupNotUsable"),
        ),
        (
            "pending peer refused",
            |n| pair(&n.pending_peer, Some(B), None),
            Want::Err("GroupNotUsable"),
        ),
        (
            "cross-region peer refused",
            |n| pair(&n.cross_region, Some(B), None),
            Want::Err("GroupNotUsable"),
        ),
        (
            "unpeered VPC refused",
            |n| pair(&n.unpeered, None, None),
            Want::Err("GroupNotUsable"),
        ),
        (
            "unknown group",
            |_| pair("sg-0123456789abcdef0", None, None),
            Want::Err("NotFound"),
        ),
        (
            "malformed group id",
            |_| pair("sg-xyz", None, None),
            Want::Err("Malformed"),
        ),
        (
            "peer group by name",
            |_| GroupPair {
                group_name: Some("a2".into()),
                ..Default::default()
            },
            Want::Err("GroupNotUsable"),
        ),
        (
            "neither id nor name",
            |_| GroupPair::default(),
            Want::Err("Missing"),
        ),
    ];
    for (name, make, want) in rows {
        let mut n = net();
        let p = make(&n);
        let owner = n.owner.clone();
        let got = n.env.run(&a(), |tx| {
            tx.authorize_rules(
                Direction::Ingress,
                &by_id(&owner),
                &[with_group(tcp(5432), p)],
            )
        });
        match (got, want) {
            (Ok((_, rules)), Want::SameVpc) => {
                assert!(
                    matches!(
                        &rules[0].peer,
                        RulePeer::Group {
                            peering_id: None,
                            ..
                        }
                    ),
                    "{name}: {:?}",
                    rules[0].peer
                );
            }
            (Ok((_, rules)), Want::Via(which)) => {
                let pcx = if *which == "a2" { &n.pcx_a2 } else { &n.pcx_b };
                let RulePeer::Group {
                    peering_id,
                    user_id,
                    ..
                } = &rules[0].peer
                else {
                    panic!("{name}: not a group peer");
                };
                assert_eq!(peering_id.as_ref(), Some(pcx), "{name}");
                assert_eq!(user_id, if *which == "a2" { A } else { B }, "{name}");
            }
            (Err(e), Want::Err(c)) => {
                assert_eq!(code(&e), *c, "{name}: {e}");
                if *name == "cross-region peer refused" {
                    assert!(
                        matches!(e, DomainError::Group(GroupProblem::OtherRegion { .. })),
                        "{name}: {e}"
                    );
                }
                if *c == "GroupNotUsable" && name.contains("refused") {
                    assert!(
                        matches!(
                            e,
                            DomainError::Group(
                                GroupProblem::OtherRegion { .. } | GroupProblem::NotPeered { .. }
                            )
                        ),
                        "{name}: {e}"
                    );
                }
                assert!(n.env.group(&owner).ingress.is_empty(), "{name}");
            }
            (got, _) => panic!("{name}: unexpected {got:?}"),
        }
    }
}

#[test]
fn stale_after_peering_deleted_and_fresh_after_repeering() {
    let mut n = net();
    let owner = n.owner.clone();
    let theirs = n.cross_account.clone();
    let a1 = n.env.group(&owner).vpc_id.clone();
    let vb = n.env.group(&theirs).vpc_id.clone();
    n.env
        .run(&a(), |tx| {
            tx.authorize_rules(
                Direction::Ingress,
                &by_id(&owner),
                &[with_group(tcp(443), pair(&theirs, Some(B), None))],
            )
        })
        .unwrap();
    let refs = n
        .env
        .run(&b(), |tx| {
            tx.security_group_references(std::slice::from_ref(&theirs))
        })
        .unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(
        (
            refs[0].referencing_vpc_id.as_str(),
            refs[0].peering_id.as_str()
        ),
        (a1.as_str(), n.pcx_b.as_str())
    );

    type Step = fn(&mut Net, &str, &str) -> ();
    // Each step, then: is the group stale, and what state does the reference show?
    let steps: &[(&str, Step, bool, PeeringState)] = &[
        ("while active", |_, _, _| {}, false, PeeringState::Active),
        (
            "after B deletes the pcx",
            |n, _, _| {
                let pcx = n.pcx_b.clone();
                n.env.run(&b(), |tx| tx.delete_peering(&pcx)).unwrap();
            },
            true,
            PeeringState::Deleted,
        ),
        (
            "after re-peering (pending only)",
            |n, a1, vb| {
                n.env.peer(&a(), a1, &b(), vb, false);
            },
            true,
            PeeringState::Deleted,
        ),
        (
            "after the new request is accepted",
            |n, _, _| {
                let pending = n
                    .env
                    .world
                    .aws
                    .peerings
                    .values()
                    .find(|p| {
                        p.state == PeeringState::PendingAcceptance
                            && p.accepter.scope == b()
                            && p.id != n.pcx_b
                            && p.accepter.vpc_id == n.env.group(&n.cross_account).vpc_id
                    })
                    .unwrap()
                    .id
                    .clone();
                n.env.run(&b(), |tx| tx.accept_peering(&pending)).unwrap();
            },
            false,
            PeeringState::Active,
        ),
    ];
    for (name, step, stale, state) in steps {
        step(&mut n, &a1, &vb);
        let groups = n.env.run(&a(), |tx| tx.stale_security_groups(&a1)).unwrap();
        assert_eq!(!groups.is_empty(), *stale, "{name}");
        if *stale {
            assert_eq!(groups.len(), 1, "{name}");
            assert_eq!(groups[0].group.id, owner, "{name}");
            assert_eq!(groups[0].ingress.len(), 1, "{name}");
        }
        let rule = n.env.group(&owner).ingress[0].clone();
        let r = n
            .env
            .run(&a(), |tx| Ok(tx.group_reference(&a1, &rule.peer)))
            .unwrap()
            .unwrap();
        assert_eq!(r.stale, *stale, "{name}");
        assert_eq!(r.peering.as_ref().map(|p| p.1), Some(*state), "{name}");
        assert_eq!(r.group_name.as_deref(), Some("b"), "{name}");
        assert_eq!(r.vpc_id.as_deref(), Some(vb.as_str()), "{name}");
        let refs = n
            .env
            .run(&b(), |tx| {
                tx.security_group_references(std::slice::from_ref(&theirs))
            })
            .unwrap();
        assert_eq!(refs.is_empty(), *stale, "{name}");
    }
    // The peer may delete its group although A references it; A's rule turns stale and loses
    // the group name.
    n.env
        .run(&b(), |tx| tx.delete_security_group(&by_id(&theirs)))
        .unwrap();
    let groups = n.env.run(&a(), |tx| tx.stale_security_groups(&a1)).unwrap();
    assert_eq!(groups.len(), 1);
    let rule = n.env.group(&owner).ingress[0].clone();
    let r = n
        .env
        .run(&a(), |tx| Ok(tx.group_reference(&a1, &rule.peer)))
        .unwrap()
        .unwrap();
    assert!(r.stale);
    assert_eq!(r.group_name, None);
    assert_eq!(r.peering.map(|p| p.1), Some(PeeringState::Active));
    // A stale rule can still be revoked by naming the group.
    let (_, out) = n
        .env
        .run(&a(), |tx| {
            tx.revoke_matching(
                Direction::Ingress,
                &by_id(&owner),
                &[with_group(tcp(443), pair(&theirs, None, None))],
            )
        })
        .unwrap();
    assert_eq!(out.revoked.len(), 1);
    assert!(out.unknown.is_empty());
    assert!(n
        .env
        .run(&a(), |tx| tx.stale_security_groups(&a1))
        .unwrap()
        .is_empty());
    // Another account's VPC is not found.
    let err = n
        .env
        .run(&b(), |tx| tx.stale_security_groups(&a1))
        .unwrap_err();
    assert_eq!(code(&err), "NotFound");
}

#[test]
fn delete_security_group_table() {
    let mut n = net();
    let owner = n.owner.clone();
    let sibling = n.same_vpc.clone();
    let theirs = n.cross_account.clone();
    let a1 = n.env.group(&owner).vpc_id.clone();
    // sibling is referenced by owner (same VPC); theirs is referenced from A's VPC (peer).
    n.env
        .run(&a(), |tx| {
            tx.authorize_rules(
                Direction::Egress,
                &by_id(&owner),
                &[
                    with_group(tcp(22), pair(&sibling, None, None)),
                    with_group(tcp(443), pair(&theirs, Some(B), None)),
                ],
            )
        })
        .unwrap();
    let default = n.env.sg_named(&a1, "default");
    let with_eni = n.env.sg(&a(), &a1, "with-eni");
    let eni = NetworkInterface {
        groups: vec![with_eni.clone()],
        mac: "02:00:00:00:00:01".into(),
        ..eni_record(
            "eni-0123456789abcdef0",
            "subnet-0123456789abcdef0",
            &a1,
            "us-east-1a",
            "10.0.0.10",
        )
    };
    n.env
        .run(&a(), |tx| {
            tx.put(eni);
            Ok(())
        })
        .unwrap();
    let rows: Vec<(&str, Scope, GroupSelector, Result<(), &str>)> = vec![
        ("default group", a(), by_id(&default), Err("CannotDelete")),
        (
            "referenced from the same VPC",
            a(),
            by_id(&sibling),
            Err("Dependency"),
        ),
        (
            "used by a network interface",
            a(),
            by_id(&with_eni),
            Err("Dependency"),
        ),
        (
            "another account's group",
            a(),
            by_id(&theirs),
            Err("NotFound"),
        ),
        (
            "unknown name",
            a(),
            GroupSelector::Name("nope".into()),
            Err("GroupNotUsable"),
        ),
        (
            "referenced only from a peer VPC",
            b(),
            by_id(&theirs),
            Ok(()),
        ),
        (
            "self-referencing group by name",
            a(),
            GroupSelector::Name("owner".into()),
            Ok(()),
        ),
        (
            "sibling once its referrer is gone",
            a(),
            by_id(&sibling),
            Ok(()),
        ),
    ];
    for (name, s, sel, want) in rows {
        let got = n.env.run(&s, |tx| tx.delete_security_group(&sel));
        assert_eq!(got.as_ref().map(|_| ()).map_err(code), want, "{name}");
    }
}

#[test]
fn revoke_table() {
    let mut env = TestEnv::with_seed(11);
    let v = env.vpc(&a(), "10.0.0.0/16");
    let g = env.sg(&a(), &v, "web");
    let sel = by_id(&g);
    let (_, rules) = env
        .run(&a(), |tx| {
            tx.authorize_rules(
                Direction::Ingress,
                &sel,
                &[
                    with_cidr(with_cidr(tcp(22), "10.1.0.0/16"), "10.2.0.0/16"),
                    with_cidr(tcp(80), "0.0.0.0/0"),
                ],
            )
        })
        .unwrap();
    assert_eq!(rules.len(), 3);
    // By permission: one known and one unknown peer.
    let (_, out) = env
        .run(&a(), |tx| {
            tx.revoke_matching(
                Direction::Ingress,
                &sel,
                &[with_cidr(with_cidr(tcp(22), "10.1.0.0/16"), "10.9.0.0/16")],
            )
        })
        .unwrap();
    assert_eq!(out.revoked.len(), 1);
    assert_eq!(out.unknown.len(), 1);
    assert_eq!(out.unknown[0].ipv4[0].given, "10.9.0.0/16");
    assert_eq!(out.unknown[0].protocol, RuleProtocol::Tcp);
    assert_eq!(env.group(&g).ingress.len(), 2);
    // Wrong direction: all unknown, nothing removed.
    let (_, out) = env
        .run(&a(), |tx| {
            tx.revoke_matching(Direction::Egress, &sel, &[with_cidr(tcp(80), "0.0.0.0/0")])
        })
        .unwrap();
    assert!(out.revoked.is_empty());
    assert_eq!(out.unknown.len(), 1);
    // By rule id.
    let rows: &[(&str, Direction, String, Result<usize, &str>)] = &[
        (
            "unknown id",
            Direction::Ingress,
            "sgr-0123456789abcdef0".into(),
            Err("NotFound"),
        ),
        (
            "malformed id",
            Direction::Ingress,
            "sgr-zz".into(),
            Err("Malformed"),
        ),
        (
            "right id wrong direction",
            Direction::Egress,
            rules[2].id.clone(),
            Err("NotFound"),
        ),
        ("right id", Direction::Ingress, rules[2].id.clone(), Ok(1)),
        (
            "already revoked",
            Direction::Ingress,
            rules[2].id.clone(),
            Err("NotFound"),
        ),
    ];
    for (name, dir, id, want) in rows {
        let got = env.run(&a(), |tx| {
            tx.revoke_security_group_rules(*dir, &sel, std::slice::from_ref(id))
        });
        assert_eq!(
            got.map(|(_, r)| r.len()).map_err(|e| code(&e)),
            *want,
            "{name}"
        );
    }
    assert_eq!(env.group(&g).ingress.len(), 1);
}
