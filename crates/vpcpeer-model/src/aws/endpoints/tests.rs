//! Table tests of managed prefix lists and VPC endpoints: every state transition and each refusal.

use super::prefix_list::{aws_list_id, aws_managed_list, AWS_OWNER};
use super::*;
use crate::aws::route::RouteSpec;
use crate::aws::security_group::{Direction, GroupSelector};
use crate::testkit::{a, b, main_table, tcp_port, with_prefix_list, TestEnv, REGION};
use crate::{
    Destination, DomainError, EndpointProblem, Kind, LimitKind, NetworkInterface, RouteTable,
    RouteTarget, Tags,
};

fn new_list(name: &str, max: i64, entries: &[&str]) -> NewPrefixList {
    NewPrefixList {
        name: name.into(),
        family: "IPv4".into(),
        max_entries: max,
        entries: entries.iter().map(|e| (e.to_string(), None)).collect(),
        tags: Tags::new(),
    }
}

fn create_list(env: &mut TestEnv, max: i64, entries: &[&str]) -> String {
    env.run(&a(), |tx| {
        tx.create_prefix_list(new_list("corp", max, entries))
    })
    .expect("list")
    .id
}

fn change(id: &str) -> PrefixListChange {
    PrefixListChange {
        id: id.into(),
        current_version: None,
        name: None,
        max_entries: None,
        add: Vec::new(),
        remove: Vec::new(),
    }
}

fn problem(r: Result<impl std::fmt::Debug, DomainError>) -> EndpointProblem {
    match r {
        Err(DomainError::Endpoint(p)) => p,
        other => panic!("expected an endpoint problem, got {other:?}"),
    }
}

fn pl_dest(id: &str) -> Destination {
    Destination::PrefixList(PrefixListId::parse(id).expect("id"))
}

#[test]
fn prefix_list_ids_round_trip_and_refuse_other_shapes() {
    for ok in ["pl-12345678", "pl-0123456789abcdef0"] {
        let id = PrefixListId::parse(ok).expect(ok);
        assert_eq!(id.as_str(), ok);
        let json = serde_json::to_string(&id).expect("json");
        assert_eq!(json, format!("\"{ok}\""));
        let back: PrefixListId = serde_json::from_str(&json).expect("back");
        assert_eq!(back, id);
    }
    for bad in [
        "pl-1234",
        "pl-XYZ12345",
        "vpc-12345678",
        "pl-0123456789abcdef01",
        "",
    ] {
        assert!(PrefixListId::parse(bad).is_none(), "{bad}");
    }
    assert!(serde_json::from_str::<PrefixListId>("\"pl-x\"").is_err());
}

#[test]
fn create_starts_at_version_one() {
    let mut env = TestEnv::new();
    let l = env
        .run(&a(), |tx| {
            tx.create_prefix_list(new_list("corp", 5, &["10.0.0.0/8", "192.168.0.0/16"]))
        })
        .expect("list");
    assert!(l.id.starts_with("pl-"));
    assert_eq!(l.version, 1);
    assert_eq!(l.state, PrefixListState::CreateComplete);
    assert_eq!(l.entries().len(), 2);
    assert_eq!(env.world.aws.prefix_lists().len(), 1);
}

#[test]
fn create_refusals() {
    let mut env = TestEnv::new();
    let cases: Vec<(NewPrefixList, EndpointProblem)> = vec![
        (
            NewPrefixList {
                family: "IPv5".into(),
                ..new_list("x", 5, &[])
            },
            EndpointProblem::AddressFamily {
                value: "IPv5".into(),
            },
        ),
        (
            new_list("x", 0, &[]),
            EndpointProblem::MaxEntries { value: 0 },
        ),
        (
            new_list("x", 1001, &[]),
            EndpointProblem::MaxEntries { value: 1001 },
        ),
        (
            new_list("com.amazonaws.mine", 5, &[]),
            EndpointProblem::ListName {
                name: "com.amazonaws.mine".into(),
            },
        ),
        (
            new_list("x", 5, &["10.0.0.1/8"]),
            EndpointProblem::EntryCidr {
                cidr: "10.0.0.1/8".into(),
            },
        ),
        (
            new_list("x", 5, &["2001:db8::/32"]),
            EndpointProblem::EntryCidr {
                cidr: "2001:db8::/32".into(),
            },
        ),
        (
            new_list("x", 5, &["10.0.0.0/8", "10.0.0.0/8"]),
            EndpointProblem::DuplicateEntry {
                cidr: "10.0.0.0/8".into(),
            },
        ),
        (
            new_list("x", 1, &["10.0.0.0/8", "11.0.0.0/8"]),
            EndpointProblem::TooManyEntries {
                prefix_list_id: String::new(),
                max_entries: 1,
            },
        ),
    ];
    for (input, want) in cases {
        let got = problem(env.run(&a(), |tx| tx.create_prefix_list(input.clone())));
        assert_eq!(got, want, "{input:?}");
    }
    assert!(env.world.aws.prefix_lists().is_empty());
}

#[test]
fn modify_bumps_the_version_and_keeps_history() {
    let mut env = TestEnv::new();
    let id = create_list(&mut env, 3, &["10.0.0.0/8"]);
    let l = env
        .run(&a(), |tx| {
            tx.modify_prefix_list(PrefixListChange {
                current_version: Some(1),
                add: vec![("11.0.0.0/8".into(), Some("eleven".into()))],
                remove: vec!["10.0.0.0/8".into()],
                name: Some("renamed".into()),
                ..change(&id)
            })
        })
        .expect("modify");
    assert_eq!(l.version, 2);
    assert_eq!(l.state, PrefixListState::ModifyComplete);
    assert_eq!(l.name, "renamed");
    assert_eq!(l.entries().len(), 1);
    assert_eq!(l.entries()[0].description.as_deref(), Some("eleven"));
    assert_eq!(
        l.entries_at(1).expect("v1")[0].cidr.to_string(),
        "10.0.0.0/8"
    );
    assert!(l.entries_at(3).is_none());
    assert!(l.entries_at(0).is_none());
    let l = env
        .run(&a(), |tx| {
            tx.modify_prefix_list(PrefixListChange {
                max_entries: Some(10),
                ..change(&id)
            })
        })
        .expect("resize");
    assert_eq!((l.version, l.max_entries), (3, 10));
}

#[test]
fn modify_refusals() {
    let mut env = TestEnv::new();
    let id = create_list(&mut env, 2, &["10.0.0.0/8", "11.0.0.0/8"]);
    let s3 = aws_list_id(&format!("com.amazonaws.{REGION}.s3"));
    let cases: Vec<(PrefixListChange, EndpointProblem)> = vec![
        (
            PrefixListChange {
                current_version: Some(7),
                ..change(&id)
            },
            EndpointProblem::VersionMismatch {
                prefix_list_id: id.clone(),
                given: 7,
                current: 1,
            },
        ),
        (
            PrefixListChange {
                add: vec![("12.0.0.0/8".into(), None)],
                ..change(&id)
            },
            EndpointProblem::TooManyEntries {
                prefix_list_id: id.clone(),
                max_entries: 2,
            },
        ),
        (
            PrefixListChange {
                remove: vec!["13.0.0.0/8".into()],
                ..change(&id)
            },
            EndpointProblem::EntryNotFound {
                cidr: "13.0.0.0/8".into(),
            },
        ),
        (
            PrefixListChange {
                max_entries: Some(1),
                ..change(&id)
            },
            EndpointProblem::MaxEntriesBelowEntries {
                prefix_list_id: id.clone(),
                entries: 2,
            },
        ),
        (
            PrefixListChange {
                max_entries: Some(5),
                remove: vec!["10.0.0.0/8".into()],
                ..change(&id)
            },
            EndpointProblem::EntriesWithMaxEntries,
        ),
        (
            change(&s3),
            EndpointProblem::AwsManaged {
                prefix_list_id: s3.clone(),
            },
        ),
    ];
    for (c, want) in cases {
        let got = problem(env.run(&a(), |tx| tx.modify_prefix_list(c.clone())));
        assert_eq!(got, want, "{c:?}");
    }
    let l = env.world.aws.prefix_lists().get(&id).expect("list");
    assert_eq!(l.version, 1, "a refused change leaves the list as it was");
    // Another account sees neither the list nor can change it.
    let err = env
        .run(&b(), |tx| tx.modify_prefix_list(change(&id)))
        .unwrap_err();
    assert_eq!(err, DomainError::not_found(Kind::PrefixList, id.clone()));
    let err = env
        .run(&a(), |tx| tx.modify_prefix_list(change("pl-zz")))
        .unwrap_err();
    assert!(matches!(
        err,
        DomainError::MalformedId {
            kind: Kind::PrefixList,
            ..
        }
    ));
}

#[test]
fn aws_managed_lists_are_visible_per_region_and_stable() {
    let mut env = TestEnv::new();
    let lists = env
        .probe(&a(), |tx| Ok(tx.visible_prefix_lists()))
        .expect("lists");
    let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
    assert!(names.contains(&"com.amazonaws.us-east-1.s3") || REGION != "us-east-1");
    assert_eq!(lists.len(), 2);
    assert!(lists.iter().all(|l| l.scope.account == AWS_OWNER));
    let s3 = aws_managed_list("eu-west-1", "s3");
    assert_eq!(s3.id, aws_managed_list("eu-west-1", "s3").id);
    assert_ne!(s3.id, aws_managed_list("us-east-1", "s3").id);
    assert_ne!(s3.id, aws_managed_list("eu-west-1", "dynamodb").id);
    assert!(PrefixListId::parse(&s3.id).is_some());
    let err = env
        .run(&a(), |tx| tx.delete_prefix_list(&s3.id))
        .unwrap_err();
    assert_eq!(err, DomainError::not_found(Kind::PrefixList, s3.id.clone()));
}

#[test]
fn delete_is_refused_while_referenced() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let rtb = main_table(&env, &vpc);
    let igw = env.attached_igw(&a(), &vpc);
    let id = create_list(&mut env, 3, &["192.0.2.0/24"]);
    env.run(&a(), |tx| {
        tx.create_route(RouteSpec {
            route_table_id: rtb.clone(),
            destination: pl_dest(&id),
            target: RouteTarget::Gateway(igw.clone()),
        })
    })
    .expect("route");
    let got = problem(env.run(&a(), |tx| tx.delete_prefix_list(&id)));
    assert_eq!(
        got,
        EndpointProblem::ListInUse {
            prefix_list_id: id.clone(),
            referencing_id: rtb.clone(),
        }
    );
    env.run(&a(), |tx| tx.delete_route(&rtb, pl_dest(&id)))
        .expect("delete route");
    let sg = env.sg(&a(), &vpc, "web");
    env.run(&a(), |tx| {
        tx.authorize_rules(
            Direction::Ingress,
            &GroupSelector::Id(sg.clone()),
            &[with_prefix_list(tcp_port(443), &id)],
        )
    })
    .expect("rule");
    let got = problem(env.run(&a(), |tx| tx.delete_prefix_list(&id)));
    assert_eq!(
        got,
        EndpointProblem::ListInUse {
            prefix_list_id: id.clone(),
            referencing_id: sg.clone(),
        }
    );
    env.run(&a(), |tx| {
        tx.revoke_matching(
            Direction::Ingress,
            &GroupSelector::Id(sg.clone()),
            &[with_prefix_list(tcp_port(443), &id)],
        )
    })
    .expect("revoke");
    let l = env
        .run(&a(), |tx| tx.delete_prefix_list(&id))
        .expect("delete");
    assert_eq!(l.id, id);
    assert!(env.world.aws.prefix_lists().is_empty());
}

#[test]
fn a_route_to_an_unknown_list_is_not_found() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let rtb = main_table(&env, &vpc);
    let err = env
        .run(&a(), |tx| {
            tx.create_route(RouteSpec {
                route_table_id: rtb.clone(),
                destination: pl_dest("pl-0badc0de"),
                target: RouteTarget::Local,
            })
        })
        .unwrap_err();
    assert_eq!(err, DomainError::not_found(Kind::PrefixList, "pl-0badc0de"));
}

#[test]
fn quotas_count_a_referenced_list_as_its_max_entries() {
    let mut env = TestEnv::new();
    env.limits.routes_per_table = Some(10);
    env.limits.rules_per_security_group = Some(10);
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let rtb = main_table(&env, &vpc);
    let igw = env.attached_igw(&a(), &vpc);
    let big = create_list(&mut env, 8, &["192.0.2.0/24"]);
    let route_to = |env: &mut TestEnv, dest: Destination| {
        env.run(&a(), |tx| {
            tx.create_route(RouteSpec {
                route_table_id: rtb.clone(),
                destination: dest,
                target: RouteTarget::Gateway(igw.clone()),
            })
        })
    };
    route_to(&mut env, pl_dest(&big)).expect("8 of 10");
    route_to(&mut env, crate::testkit::dest("1.0.0.0/8")).expect("9 of 10");
    route_to(&mut env, crate::testkit::dest("2.0.0.0/8")).expect("10 of 10");
    let err = route_to(&mut env, crate::testkit::dest("3.0.0.0/8")).unwrap_err();
    assert!(matches!(
        err,
        DomainError::LimitExceeded {
            kind: LimitKind::RoutesPerTable,
            max: 10,
            ..
        }
    ));
    // Growing the referenced list would push the table over its quota.
    let err = env
        .run(&a(), |tx| {
            tx.modify_prefix_list(PrefixListChange {
                max_entries: Some(9),
                ..change(&big)
            })
        })
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::LimitExceeded {
            kind: LimitKind::RoutesPerTable,
            max: 10,
            resource: Some(rtb.clone()),
        }
    );
    // Security group rules: the list counts 8 of the group's 10 rules.
    let sg = env.sg(&a(), &vpc, "web");
    let small = create_list(&mut env, 3, &[]);
    let authorize = |env: &mut TestEnv, pl: &str| {
        env.run(&a(), |tx| {
            tx.authorize_rules(
                Direction::Ingress,
                &GroupSelector::Id(sg.clone()),
                &[with_prefix_list(tcp_port(443), pl)],
            )
        })
    };
    authorize(&mut env, &big).expect("8 of 10");
    let err = authorize(&mut env, &small).unwrap_err();
    assert!(matches!(
        err,
        DomainError::LimitExceeded {
            kind: LimitKind::RulesPerSecurityGroup,
            ..
        }
    ));
}

fn subnet_in(env: &mut TestEnv, vpc: &str, cidr: &str) -> String {
    env.subnet(&a(), vpc, cidr)
}

fn gateway(vpc: &str, tables: &[&str]) -> NewEndpoint {
    NewEndpoint {
        vpc_id: vpc.into(),
        service_name: format!("com.amazonaws.{REGION}.s3"),
        route_table_ids: tables.iter().map(|t| t.to_string()).collect(),
        ..NewEndpoint::default()
    }
}

fn routes_to(env: &TestEnv, table: &str, vpce: &str) -> Vec<Destination> {
    let t: &RouteTable = env.world.aws.route_tables().get(table).expect("table");
    t.routes
        .iter()
        .filter(|r| r.target == RouteTarget::VpcEndpoint(vpce.into()))
        .map(|r| r.destination)
        .collect()
}

#[test]
fn gateway_endpoint_programs_and_unprograms_its_tables() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let main = main_table(&env, &vpc);
    let other = env.route_table(&a(), &vpc);
    let e = env
        .run(&a(), |tx| tx.create_endpoint(gateway(&vpc, &[&main])))
        .expect("endpoint");
    assert!(e.id.starts_with("vpce-"));
    assert_eq!(e.endpoint_type, EndpointType::Gateway);
    assert!(!e.private_dns);
    let s3 = aws_list_id(&format!("com.amazonaws.{REGION}.s3"));
    assert_eq!(routes_to(&env, &main, &e.id), vec![pl_dest(&s3)]);
    // The endpoint's route cannot be deleted or replaced by hand.
    let got = problem(env.run(&a(), |tx| tx.delete_route(&main, pl_dest(&s3))));
    assert_eq!(
        got,
        EndpointProblem::ManagedRoute {
            route_table_id: main.clone(),
            endpoint_id: e.id.clone(),
        }
    );
    // Add the other table, remove the main one.
    env.run(&a(), |tx| {
        tx.modify_endpoint(EndpointChange {
            id: e.id.clone(),
            add_route_tables: vec![other.clone()],
            remove_route_tables: vec![main.clone()],
            policy: Some("{\"Statement\":[]}".into()),
            ..EndpointChange::default()
        })
    })
    .expect("modify");
    assert!(routes_to(&env, &main, &e.id).is_empty());
    assert_eq!(routes_to(&env, &other, &e.id), vec![pl_dest(&s3)]);
    let stored = env.world.aws.vpc_endpoints().get(&e.id).expect("stored");
    assert_eq!(stored.route_table_ids, vec![other.clone()]);
    assert_eq!(stored.policy_document(), "{\"Statement\":[]}");
    env.run(&a(), |tx| {
        tx.modify_endpoint(EndpointChange {
            id: e.id.clone(),
            reset_policy: true,
            ..EndpointChange::default()
        })
    })
    .expect("reset");
    let stored = env.world.aws.vpc_endpoints().get(&e.id).expect("stored");
    assert_eq!(stored.policy_document(), vpce::DEFAULT_POLICY);
    // A second s3 endpoint cannot take a table already routed to the first.
    let got = problem(env.run(&a(), |tx| tx.create_endpoint(gateway(&vpc, &[&other]))));
    assert_eq!(
        got,
        EndpointProblem::RouteTableTaken {
            route_table_id: other.clone(),
            endpoint_id: e.id.clone(),
        }
    );
    // DeleteVpc is refused while the endpoint lives.
    let err = env.run(&a(), |tx| tx.delete_vpc(&vpc)).unwrap_err();
    assert!(matches!(
        err,
        DomainError::DependencyViolation {
            kind: Kind::Vpc,
            ..
        }
    ));
    let unsuccessful = env
        .run(&a(), |tx| {
            Ok(tx.delete_endpoints(&[e.id.clone(), "vpce-0123456789abcdef0".into()]))
        })
        .expect("delete");
    assert_eq!(unsuccessful.len(), 1);
    assert_eq!(unsuccessful[0].0, "vpce-0123456789abcdef0");
    assert!(routes_to(&env, &other, &e.id).is_empty());
    assert!(env.world.aws.vpc_endpoints().is_empty());
    assert!(env.world.indexes_consistent());
}

#[test]
fn interface_endpoint_gets_one_interface_per_subnet() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let s1 = subnet_in(&mut env, &vpc, "10.0.1.0/24");
    let sg = env.sg(&a(), &vpc, "endpoints");
    let e = env
        .run(&a(), |tx| {
            tx.create_endpoint(NewEndpoint {
                vpc_id: vpc.clone(),
                service_name: format!("com.amazonaws.{REGION}.ssm"),
                endpoint_type: Some("Interface".into()),
                subnet_ids: vec![s1.clone()],
                ..NewEndpoint::default()
            })
        })
        .expect("endpoint");
    assert!(e.private_dns);
    assert_eq!(e.eni_ids.len(), 1);
    assert_eq!(e.group_ids, vec![env.default_sg(&vpc)]);
    let eni: &NetworkInterface = env
        .world
        .aws
        .network_interfaces()
        .get(&e.eni_ids[0])
        .expect("eni");
    assert_eq!(eni.interface_type, "vpc_endpoint");
    assert_eq!(eni.subnet_id, s1);
    // Requester-managed: the caller cannot delete it.
    let eni_id = eni.id.clone();
    let err = env
        .run(&a(), |tx| tx.delete_network_interface(&eni_id))
        .unwrap_err();
    assert!(matches!(err, DomainError::InterfaceManaged { .. }));
    // Groups move to the interfaces; the subnet comes off with its interface.
    env.run(&a(), |tx| {
        tx.modify_endpoint(EndpointChange {
            id: e.id.clone(),
            add_groups: vec![sg.clone()],
            remove_groups: vec![env_default(&e)],
            ..EndpointChange::default()
        })
    })
    .expect("groups");
    let eni = env
        .world
        .aws
        .network_interfaces()
        .get(&eni_id)
        .expect("eni");
    assert_eq!(eni.groups, vec![sg.clone()]);
    env.run(&a(), |tx| {
        tx.modify_endpoint(EndpointChange {
            id: e.id.clone(),
            remove_subnets: vec![s1.clone()],
            ..EndpointChange::default()
        })
    })
    .expect("remove subnet");
    assert!(env.world.aws.network_interfaces().get(&eni_id).is_none());
    let got = env
        .run(&a(), |tx| {
            Ok(tx.delete_endpoints(std::slice::from_ref(&e.id)))
        })
        .expect("delete");
    assert!(got.is_empty());
}

fn env_default(e: &VpcEndpoint) -> String {
    e.group_ids[0].clone()
}

#[test]
fn endpoint_refusals() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let other_vpc = env.vpc(&a(), "10.1.0.0/16");
    let main = main_table(&env, &vpc);
    let foreign_table = main_table(&env, &other_vpc);
    let s1 = subnet_in(&mut env, &vpc, "10.0.1.0/24");
    let s2 = subnet_in(&mut env, &vpc, "10.0.2.0/24");
    let iface = |subnets: Vec<String>| NewEndpoint {
        vpc_id: vpc.clone(),
        service_name: format!("com.amazonaws.{REGION}.sts"),
        endpoint_type: Some("Interface".into()),
        subnet_ids: subnets,
        ..NewEndpoint::default()
    };
    let cases: Vec<(NewEndpoint, EndpointProblem)> = vec![
        (
            NewEndpoint {
                service_name: "com.amazonaws.us-east-1.nothing".into(),
                ..gateway(&vpc, &[])
            },
            EndpointProblem::UnknownService {
                name: "com.amazonaws.us-east-1.nothing".into(),
            },
        ),
        (
            NewEndpoint {
                endpoint_type: Some("GatewayLoadBalancer".into()),
                ..gateway(&vpc, &[])
            },
            EndpointProblem::UnsupportedType {
                value: "GatewayLoadBalancer".into(),
            },
        ),
        (
            NewEndpoint {
                endpoint_type: Some("Tunnel".into()),
                ..gateway(&vpc, &[])
            },
            EndpointProblem::EndpointType {
                value: "Tunnel".into(),
            },
        ),
        (
            NewEndpoint {
                service_name: format!("com.amazonaws.{REGION}.sts"),
                ..gateway(&vpc, &[])
            },
            EndpointProblem::TypeNotOffered {
                name: format!("com.amazonaws.{REGION}.sts"),
                endpoint_type: EndpointType::Gateway,
            },
        ),
        (
            gateway(&vpc, &[&foreign_table]),
            EndpointProblem::NotInVpc {
                id: foreign_table.clone(),
                vpc_id: vpc.clone(),
            },
        ),
        (
            NewEndpoint {
                subnet_ids: vec![s1.clone()],
                ..gateway(&vpc, &[&main])
            },
            EndpointProblem::WrongTypeParameter {
                endpoint_type: EndpointType::Gateway,
                what: "subnets",
            },
        ),
        (
            NewEndpoint {
                route_table_ids: vec![main.clone()],
                ..iface(vec![])
            },
            EndpointProblem::WrongTypeParameter {
                endpoint_type: EndpointType::Interface,
                what: "route tables",
            },
        ),
        (
            iface(vec![s1.clone(), s2.clone()]),
            EndpointProblem::SubnetZoneTaken {
                subnet_id: s2.clone(),
                zone: env.world.aws.subnets()[&s2].availability_zone.clone(),
            },
        ),
        (
            NewEndpoint {
                policy: Some("not json".into()),
                ..gateway(&vpc, &[])
            },
            EndpointProblem::Policy,
        ),
    ];
    for (input, want) in cases {
        let got = problem(env.run(&a(), |tx| tx.create_endpoint(input.clone())));
        assert_eq!(got, want, "{input:?}");
    }
    assert!(env.world.aws.vpc_endpoints().is_empty());
    assert!(routes_to(&env, &main, "vpce-x").is_empty());
    let err = env
        .run(&a(), |tx| {
            tx.modify_endpoint(EndpointChange {
                id: "vpce-0123456789abcdef0".into(),
                ..EndpointChange::default()
            })
        })
        .unwrap_err();
    assert_eq!(
        err,
        DomainError::not_found(Kind::VpcEndpoint, "vpce-0123456789abcdef0")
    );
}

#[test]
fn deleting_a_table_takes_it_out_of_its_endpoints() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let rtb = env.route_table(&a(), &vpc);
    let e = env
        .run(&a(), |tx| tx.create_endpoint(gateway(&vpc, &[&rtb])))
        .expect("endpoint");
    env.run(&a(), |tx| tx.delete_route_table(&rtb))
        .expect("delete");
    assert!(env.world.aws.vpc_endpoints()[&e.id]
        .route_table_ids
        .is_empty());
}

#[test]
fn commands_apply_and_roll_back_whole() {
    let mut env = TestEnv::new();
    let vpc = env.vpc(&a(), "10.0.0.0/16");
    let main = main_table(&env, &vpc);
    let before = env.world.clone();
    // The second table is of another VPC: nothing of the first is left behind.
    let other = env.vpc(&a(), "10.1.0.0/16");
    let foreign = main_table(&env, &other);
    let before_other = env.world.clone();
    let r = env.run(&a(), |tx| {
        EndpointCommand::CreateEndpoint {
            input: gateway(&vpc, &[&main, &foreign]),
            client_token: None,
        }
        .apply(tx)
    });
    assert!(r.is_err());
    assert_eq!(env.world, before_other);
    drop(before);
    let out = env
        .run(&a(), |tx| {
            EndpointCommand::CreateEndpoint {
                input: gateway(&vpc, &[&main]),
                client_token: Some("tok".into()),
            }
            .apply(tx)
        })
        .expect("apply");
    assert!(matches!(
        out,
        EndpointOutcome::Endpoint { client_token: Some(ref t), .. } if t == "tok"
    ));
}
