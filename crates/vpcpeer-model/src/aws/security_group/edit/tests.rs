//! Table tests of ModifySecurityGroupRules, the description updates and rule tags.

use super::RuleEdit;
use crate::aws::security_group::{Direction, GroupSelector};
use crate::testkit::{a, b, from_group, tcp, tcp_port, TestEnv};
use crate::{DomainError, RulePeer, Tags, VpnProblem};

fn short<T>(r: &Result<T, DomainError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(DomainError::NotFound { kind, .. }) => format!("NotFound({kind:?})"),
        Err(DomainError::MalformedId { kind, .. }) => format!("Malformed({kind:?})"),
        Err(DomainError::PermissionDuplicate { .. }) => "Duplicate".into(),
        Err(DomainError::Missing(_)) => "Missing".into(),
        Err(DomainError::Vpn(VpnProblem::RuleRepeated { .. })) => "Repeated".into(),
        Err(DomainError::Vpn(VpnProblem::DescriptionRuleNotFound)) => "PermissionNotFound".into(),
        Err(other) => format!("{other:?}"),
    }
}

fn edit(rule_id: &str, perm: crate::aws::security_group::RulePermission) -> RuleEdit {
    RuleEdit {
        rule_id: rule_id.to_owned(),
        permission: perm,
    }
}

/// A VPC with a group holding ingress rules for 22 and 80 from 10.0.0.0/8, and its egress rule.
fn setup(env: &mut TestEnv) -> (String, String, String, String) {
    let v = env.vpc(&a(), "10.0.0.0/16");
    let sg = env.sg(&a(), &v, "web");
    let (_, rules) = env
        .run(&a(), |tx| {
            tx.authorize_rules(
                Direction::Ingress,
                &GroupSelector::Id(sg.clone()),
                &[tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")],
            )
        })
        .expect("authorize");
    let egress = env.world.aws.security_groups()[&sg].egress[0].id.clone();
    (sg, rules[0].id.clone(), rules[1].id.clone(), egress)
}

#[test]
fn modify_replaces_the_rule_and_keeps_its_id() {
    let mut env = TestEnv::new();
    let (sg, r22, r80, egress) = setup(&mut env);
    let vpc = env.world.aws.security_groups()[&sg].vpc_id.clone();
    let other = env.sg(&a(), &vpc, "db");
    let rows: Vec<(Vec<RuleEdit>, &str)> = vec![
        (vec![edit(&r22, tcp(2222, "10.0.0.0/8"))], "ok"),
        (vec![edit(&r22, tcp(80, "10.0.0.0/8"))], "Duplicate"),
        (vec![edit(&r22, tcp(22, "10.0.0.0/8"))], "ok"),
        (
            vec![edit(&r22, from_group(tcp_port(22), &other, &a().account))],
            "ok",
        ),
        (vec![edit(&egress, tcp(443, "0.0.0.0/0"))], "ok"),
        (
            vec![
                edit(&r22, tcp(23, "10.0.0.0/8")),
                edit(&r22, tcp(24, "10.0.0.0/8")),
            ],
            "Repeated",
        ),
        (
            vec![
                edit(&r22, tcp(80, "10.0.0.0/8")),
                edit(&r80, tcp(81, "10.0.0.0/8")),
            ],
            "Duplicate",
        ),
        (
            vec![
                edit(&r80, tcp(81, "10.0.0.0/8")),
                edit(&r22, tcp(80, "10.0.0.0/8")),
            ],
            "ok",
        ),
        (
            vec![edit("sgr-0123456789abcdef0", tcp(1, "10.0.0.0/8"))],
            "NotFound(SecurityGroupRule)",
        ),
        (
            vec![edit("sgr-x", tcp(1, "10.0.0.0/8"))],
            "Malformed(SecurityGroupRule)",
        ),
        (vec![], "Missing"),
    ];
    for (edits, want) in rows {
        let what = format!("{edits:?}");
        let got = env.probe(&a(), |tx| tx.modify_security_group_rules(&sg, &edits));
        assert_eq!(short(&got), want, "{what}");
    }
    // A rule of another group is not one of this group's.
    let other_rule = env.world.aws.security_groups()[&other].egress[0].id.clone();
    let got = env.probe(&a(), |tx| {
        tx.modify_security_group_rules(&sg, &[edit(&other_rule, tcp(1, "10.0.0.0/8"))])
    });
    assert_eq!(short(&got), "NotFound(SecurityGroupRule)");
    assert_eq!(
        short(&env.probe(&b(), |tx| {
            tx.modify_security_group_rules(&sg, &[edit(&r22, tcp(1, "10.0.0.0/8"))])
        })),
        "NotFound(SecurityGroup)"
    );

    let tags: Tags = [("Name".to_owned(), "ssh".to_owned())]
        .into_iter()
        .collect();
    env.run(&a(), |tx| {
        tx.set_tags(std::slice::from_ref(&r22), tags.clone())
    })
    .expect("tag the rule");
    env.run(&a(), |tx| {
        tx.modify_security_group_rules(&sg, &[edit(&r22, tcp(2222, "192.168.0.0/16"))])
    })
    .expect("modify");
    let g = &env.world.aws.security_groups()[&sg];
    let r = g.ingress.iter().find(|r| r.id == r22).expect("same id");
    assert_eq!(r.from_port, Some(2222));
    assert_eq!(
        r.peer,
        RulePeer::Cidr4("192.168.0.0/16".parse().expect("net"))
    );
    assert_eq!(r.tags, tags, "tags kept");
    assert_eq!(g.ingress.len(), 2);
}

#[test]
fn descriptions_by_permission_and_by_id() {
    let mut env = TestEnv::new();
    let (sg, r22, r80, egress) = setup(&mut env);
    let mut described = tcp(22, "10.0.0.0/8");
    described.ipv4[0].description = Some("ssh".into());
    let sel = GroupSelector::Id(sg.clone());
    type ById = Vec<(String, Option<String>)>;
    let rows: Vec<(Direction, Vec<_>, ById, &str)> = vec![
        (Direction::Ingress, vec![described.clone()], vec![], "ok"),
        (
            Direction::Egress,
            vec![described.clone()],
            vec![],
            "PermissionNotFound",
        ),
        (
            Direction::Ingress,
            vec![tcp(23, "10.0.0.0/8")],
            vec![],
            "PermissionNotFound",
        ),
        (
            Direction::Ingress,
            vec![],
            vec![(r80.clone(), Some("web".into()))],
            "ok",
        ),
        (
            Direction::Egress,
            vec![],
            vec![(r80.clone(), Some("web".into()))],
            "NotFound(SecurityGroupRule)",
        ),
        (
            Direction::Egress,
            vec![],
            vec![(egress.clone(), Some("out".into()))],
            "ok",
        ),
        (
            Direction::Ingress,
            vec![],
            vec![("sgr-x".into(), None)],
            "Malformed(SecurityGroupRule)",
        ),
        (Direction::Ingress, vec![], vec![], "Missing"),
    ];
    for (dir, perms, ids, want) in rows {
        let what = format!("{dir:?} {perms:?} {ids:?}");
        let got = env.probe(&a(), |tx| {
            tx.update_rule_descriptions(dir, &sel, &perms, &ids)
        });
        assert_eq!(short(&got), want, "{what}");
    }
    env.run(&a(), |tx| {
        tx.update_rule_descriptions(
            Direction::Ingress,
            &sel,
            &[described.clone()],
            &[(r80.clone(), Some("web".into()))],
        )
    })
    .expect("describe");
    let g = &env.world.aws.security_groups()[&sg];
    let d = |id: &str| {
        g.ingress
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.description.clone())
    };
    assert_eq!((d(&r22), d(&r80)), (Some("ssh".into()), Some("web".into())));
    // No description clears it.
    env.run(&a(), |tx| {
        tx.update_rule_descriptions(Direction::Ingress, &sel, &[tcp(22, "10.0.0.0/8")], &[])
    })
    .expect("clear");
    let g = &env.world.aws.security_groups()[&sg];
    assert_eq!(
        g.ingress
            .iter()
            .find(|r| r.id == r22)
            .and_then(|r| r.description.clone()),
        None
    );
}

#[test]
fn rules_take_tags_and_authorize_tags_them() {
    let mut env = TestEnv::new();
    let (sg, r22, _, _) = setup(&mut env);
    let tags: Tags = [("k".to_owned(), "v".to_owned())].into_iter().collect();
    env.run(&a(), |tx| {
        tx.set_tags(std::slice::from_ref(&r22), tags.clone())
    })
    .expect("tag");
    let listed: Vec<String> = env
        .probe(&a(), |tx| {
            Ok(tx
                .tagged_resources()
                .iter()
                .map(|t| t.id.to_owned())
                .collect())
        })
        .expect("list");
    assert!(listed.contains(&r22));
    env.run(&a(), |tx| tx.delete_tags(std::slice::from_ref(&r22), &[]))
        .expect("untag");
    assert!(env.world.aws.security_groups()[&sg].ingress[0]
        .tags
        .is_empty());
    assert_eq!(
        short(&env.probe(&b(), |tx| {
            tx.set_tags(std::slice::from_ref(&r22), tags.clone())
        })),
        "NotFound(SecurityGroupRule)"
    );
    // AuthorizeSecurityGroupIngress with a tag specification tags every new rule.
    let out = env
        .run(&a(), |tx| {
            crate::Apply::apply(
                crate::aws::Command::AuthorizeSecurityGroup {
                    direction: Direction::Ingress,
                    group: GroupSelector::Id(sg.clone()),
                    permissions: vec![tcp(443, "0.0.0.0/0")],
                    tags: tags.clone(),
                },
                tx,
            )
        })
        .expect("authorize");
    let crate::aws::Outcome::RulesAuthorized { rules, .. } = out else {
        panic!("rules")
    };
    assert_eq!(rules[0].tags, tags);
    let stored = &env.world.aws.security_groups()[&sg];
    assert!(stored
        .ingress
        .iter()
        .any(|r| r.id == rules[0].id && r.tags == tags));
}
