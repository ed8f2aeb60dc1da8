//! Table tests of the default VPC: the layout the first touch creates, the setup happening
//! once (not again after a deletion, nor in a world rebuilt from its records), CreateDefaultVpc
//! and CreateDefaultSubnet with their refusals, and the requests that fall back on the default
//! VPC (launches, security groups).

use super::*;
use crate::aws::instance::{NicSpec, RunInstances};
use crate::aws::peering::CreatePeering;
use crate::aws::peering_state::PeeringState;
use crate::aws::security_group::{CreateSecurityGroup, GroupSelector};
use crate::aws::{Command, Outcome};
use crate::testkit::{a, b, code, TestEnv, REGION};
use crate::{
    Apply, DefaultVpcUse, Field, GroupProblem, LaunchProblem, NetworkAcl, NetworkInterface,
    RtAssocTarget, RulePeer, SecurityGroup, World,
};

fn apply(env: &mut TestEnv, scope: &Scope, c: Command) -> Result<Outcome, DomainError> {
    env.run(scope, |tx| c.apply(tx))
}

fn ensure(env: &mut TestEnv, scope: &Scope) -> Option<String> {
    match apply(env, scope, Command::EnsureDefaultVpc) {
        Ok(Outcome::DefaultVpcEnsured(v)) => v,
        other => panic!("ensure: {other:?}"),
    }
}

fn default_vpc_of(w: &World, scope: &Scope) -> Option<Vpc> {
    w.aws
        .vpcs()
        .values()
        .find(|v| v.scope == *scope && v.is_default)
        .cloned()
}

fn subnets_of<'w>(w: &'w World, vpc: &str) -> Vec<&'w Subnet> {
    let mut s: Vec<&Subnet> = w
        .aws
        .subnets()
        .values()
        .filter(|s| s.vpc_id == vpc)
        .collect();
    s.sort_by(|x, y| x.availability_zone.cmp(&y.availability_zone));
    s
}

/// The default VPC of `scope` and everything it should hold, checked piece by piece.
fn assert_layout(w: &World, scope: &Scope) -> Vpc {
    let vpc = default_vpc_of(w, scope).expect("a default VPC");
    assert_eq!(vpc.primary_cidr().to_string(), "172.31.0.0/16");
    assert!(vpc.ipv6.is_empty());
    assert!(
        vpc.dns_support && vpc.dns_hostnames,
        "DNS support and hostnames on"
    );
    assert_eq!(vpc.instance_tenancy, "default");
    assert!(vpc.tags.is_empty());

    let zones = regions::zones(&scope.region);
    let subnets = subnets_of(w, &vpc.id);
    let got: Vec<(String, String)> = subnets
        .iter()
        .map(|s| (s.availability_zone.clone(), s.cidr.expect("v4").to_string()))
        .collect();
    let want: Vec<(String, String)> = zones
        .iter()
        .enumerate()
        .map(|(i, z)| (z.name.clone(), format!("172.31.{}.0/20", 16 * i)))
        .collect();
    assert_eq!(got, want, "one /20 per zone, in zone order");
    for s in &subnets {
        assert!(s.default_for_az && s.map_public_ip_on_launch, "{}", s.id);
        assert!(!s.assign_ipv6_on_creation && s.ipv6.is_none());
        assert_eq!(s.scope, *scope);
    }

    let igws: Vec<&InternetGateway> = w
        .aws
        .internet_gateways()
        .values()
        .filter(|g| g.attached_vpc.as_deref() == Some(vpc.id.as_str()))
        .collect();
    assert_eq!(igws.len(), 1, "one internet gateway attached");
    let tables: Vec<&RouteTable> = w
        .aws
        .route_tables()
        .values()
        .filter(|t| t.vpc_id == vpc.id)
        .collect();
    assert_eq!(tables.len(), 1, "only the main table");
    assert!(tables[0].is_main());
    let routes: Vec<(String, String, RouteOrigin)> = tables[0]
        .routes
        .iter()
        .map(|r| {
            (
                r.destination.to_string(),
                r.target.id().to_owned(),
                r.origin,
            )
        })
        .collect();
    assert_eq!(
        routes,
        vec![
            (
                "172.31.0.0/16".to_owned(),
                "local".to_owned(),
                RouteOrigin::CreateRouteTable
            ),
            (
                "0.0.0.0/0".to_owned(),
                igws[0].id.clone(),
                RouteOrigin::CreateRoute
            ),
        ]
    );
    assert!(
        tables[0]
            .associations
            .iter()
            .all(|a| a.target == RtAssocTarget::Main),
        "the subnets use the main table implicitly"
    );

    let groups: Vec<&SecurityGroup> = w
        .aws
        .security_groups()
        .values()
        .filter(|g| g.vpc_id == vpc.id)
        .collect();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "default");
    assert!(matches!(
        &groups[0].ingress[0].peer,
        RulePeer::Group { group_id, .. } if *group_id == groups[0].id
    ));
    let acls: Vec<&NetworkAcl> = w
        .aws
        .network_acls()
        .values()
        .filter(|a| a.vpc_id == vpc.id)
        .collect();
    assert_eq!(acls.len(), 1);
    assert!(acls[0].is_default);
    assert_eq!(
        acls[0].associations.len(),
        zones.len(),
        "every default subnet on the default ACL"
    );
    assert!(region_set_up(w, scope));
    vpc
}

#[test]
fn the_first_touch_lays_out_the_default_vpc_in_every_zone() {
    for region in ["us-east-1", "us-west-1", "ap-northeast-1", "eu-west-3"] {
        let mut env = TestEnv::new();
        let scope = Scope::new("111111111111", region);
        assert!(!region_set_up(&env.world, &scope));
        let created = ensure(&mut env, &scope).expect("created on first touch");
        let vpc = assert_layout(&env.world, &scope);
        assert_eq!(created, vpc.id);
        assert!(env.world.indexes_consistent());
        // Nothing of any other account or region.
        assert!(env.world.aws.vpcs().values().all(|v| v.scope == scope));
    }
}

#[test]
fn the_setup_happens_once() {
    let mut env = TestEnv::new();
    ensure(&mut env, &a());
    let before = env.world.clone();
    let mut tx = env.tx(&a());
    assert_eq!(
        Command::EnsureDefaultVpc.apply(&mut tx).ok().map(|_| ()),
        Some(())
    );
    assert!(!tx.is_dirty(), "a second ensure changes nothing");
    tx.commit();
    assert_eq!(env.world, before);
    // Another account and another region of the same account are set up on their own.
    assert!(ensure(&mut env, &b()).is_some());
    assert!(ensure(&mut env, &Scope::new(crate::testkit::A, "eu-west-1")).is_some());
    assert_layout(&env.world, &b());
    assert_eq!(env.world.aws.region_setups().len(), 3);
}

/// Deletes the default VPC of `scope` as a user must: its subnets, its gateway, then itself.
fn delete_default_vpc(env: &mut TestEnv, scope: &Scope) -> String {
    let vpc = default_vpc_of(&env.world, scope).expect("default VPC").id;
    let subnets: Vec<String> = subnets_of(&env.world, &vpc)
        .iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(
        apply(env, scope, Command::DeleteVpc { id: vpc.clone() })
            .map_err(|e| code(&e))
            .err(),
        Some(format!(
            "{:?}",
            DomainError::dependency(crate::Kind::Vpc, &vpc)
        )),
        "refused while its subnets and gateway remain"
    );
    for id in subnets {
        apply(env, scope, Command::DeleteSubnet { id }).expect("delete subnet");
    }
    let igw = env
        .world
        .aws
        .internet_gateways()
        .values()
        .find(|g| g.attached_vpc.as_deref() == Some(vpc.as_str()))
        .expect("gateway")
        .id
        .clone();
    assert!(
        apply(env, scope, Command::DeleteVpc { id: vpc.clone() }).is_err(),
        "refused while the gateway is attached"
    );
    let detach = Command::DetachInternetGateway {
        igw_id: igw.clone(),
        vpc_id: vpc.clone(),
    };
    apply(env, scope, detach).expect("detach");
    apply(env, scope, Command::DeleteInternetGateway { id: igw }).expect("delete gateway");
    apply(env, scope, Command::DeleteVpc { id: vpc.clone() }).expect("delete VPC");
    vpc
}

#[test]
fn after_deletion_nothing_is_recreated_until_create_default_vpc() {
    let mut env = TestEnv::new();
    ensure(&mut env, &a());
    let old = delete_default_vpc(&mut env, &a());
    assert_eq!(ensure(&mut env, &a()), None, "the region stays set up");
    assert!(default_vpc_of(&env.world, &a()).is_none());
    // A world rebuilt from its records (a restart) is set up as well.
    let reloaded = World::from_records(env.world.records());
    assert!(region_set_up(&reloaded, &a()));
    env.world = reloaded;
    assert_eq!(ensure(&mut env, &a()), None);

    // What needs a default VPC is refused.
    let no_vpc = |u| {
        format!(
            "{:?}",
            DomainError::DefaultVpc(DefaultVpcProblem::NoDefaultVpc(u))
        )
    };
    let launch = Command::RunInstances(Box::new(RunInstances {
        min_count: 1,
        max_count: 1,
        image_id: "ami-12345678".into(),
        ..Default::default()
    }));
    assert_eq!(
        apply(&mut env, &a(), launch.clone())
            .map_err(|e| code(&e))
            .err(),
        Some(no_vpc(DefaultVpcUse::Launch))
    );
    let group = Command::CreateSecurityGroup(CreateSecurityGroup {
        name: "web".into(),
        description: "web".into(),
        vpc_id: None,
        tags: Tags::new(),
    });
    assert_eq!(
        apply(&mut env, &a(), group.clone())
            .map_err(|e| code(&e))
            .err(),
        Some(no_vpc(DefaultVpcUse::Group))
    );
    assert_eq!(
        apply(
            &mut env,
            &a(),
            Command::CreateDefaultSubnet {
                availability_zone: Some("us-east-1a".into()),
                availability_zone_id: None,
            }
        )
        .map_err(|e| code(&e))
        .err(),
        Some(format!(
            "{:?}",
            DomainError::DefaultVpc(DefaultVpcProblem::VpcMissing)
        ))
    );

    // CreateDefaultVpc brings it back, with new ids, laid out alike.
    let Ok(Outcome::Vpc(v)) = apply(&mut env, &a(), Command::CreateDefaultVpc) else {
        panic!("CreateDefaultVpc");
    };
    assert_ne!(v.id, old);
    assert_eq!(assert_layout(&env.world, &a()).id, v.id);
    assert!(apply(&mut env, &a(), launch).is_ok());
    assert!(apply(&mut env, &a(), group).is_ok());
    // And it is not created twice.
    assert_eq!(
        apply(&mut env, &a(), Command::CreateDefaultVpc)
            .map_err(|e| code(&e))
            .err(),
        Some(format!(
            "{:?}",
            DomainError::DefaultVpc(DefaultVpcProblem::VpcExists { vpc_id: v.id })
        ))
    );
}

#[test]
fn create_default_vpc_without_a_setup_sets_the_region_up() {
    // Default VPCs off: nothing ran EnsureDefaultVpc.
    let mut env = TestEnv::new();
    assert!(apply(&mut env, &a(), Command::CreateDefaultVpc).is_ok());
    assert_layout(&env.world, &a());
    let vpcs = env.world.aws.vpcs().len();
    assert_eq!(ensure(&mut env, &a()), None);
    assert_eq!(env.world.aws.vpcs().len(), vpcs);
}

#[test]
fn quotas_bind_create_default_vpc_but_not_the_first_touch() {
    let mut env = TestEnv::new();
    env.limits.vpcs_per_region = Some(0);
    env.limits.internet_gateways_per_region = Some(0);
    env.limits.subnets_per_vpc = Some(1);
    assert!(
        ensure(&mut env, &a()).is_some(),
        "the starting state ignores quotas"
    );
    delete_default_vpc(&mut env, &a());
    assert_eq!(
        apply(&mut env, &a(), Command::CreateDefaultVpc)
            .map_err(|e| code(&e))
            .err(),
        Some("Limit(Vpcs)".into())
    );
    env.limits.vpcs_per_region = Some(1);
    assert_eq!(
        apply(&mut env, &a(), Command::CreateDefaultVpc)
            .map_err(|e| code(&e))
            .err(),
        Some("Limit(InternetGateways)".into())
    );
    env.limits.internet_gateways_per_region = None;
    assert!(apply(&mut env, &a(), Command::CreateDefaultVpc).is_ok());
    // The default VPC now counts toward the region's VPCs.
    let vpc = Command::CreateVpc(crate::aws::vpc::NewVpc::new("10.0.0.0/16".parse().unwrap()));
    assert_eq!(
        apply(&mut env, &a(), vpc).map_err(|e| code(&e)).err(),
        Some("Limit(Vpcs)".into())
    );
}

fn default_subnet(zone: Option<&str>, zone_id: Option<&str>) -> Command {
    Command::CreateDefaultSubnet {
        availability_zone: zone.map(Into::into),
        availability_zone_id: zone_id.map(Into::into),
    }
}

#[test]
fn create_default_subnet_transitions_and_refusals() {
    let mut env = TestEnv::new();
    ensure(&mut env, &a());
    let vpc = default_vpc_of(&env.world, &a()).unwrap().id;
    let subnet_in = |w: &World, zone: &str| {
        subnets_of(w, &vpc)
            .into_iter()
            .find(|s| s.availability_zone == zone && s.default_for_az)
            .map(|s| (s.id.clone(), s.cidr.expect("v4").to_string()))
    };
    let (a_id, _) = subnet_in(&env.world, "us-east-1a").unwrap();
    let (b_id, _) = subnet_in(&env.world, "us-east-1b").unwrap();
    let exists = |zone: &str, id: &str| {
        Some(format!(
            "{:?}",
            DomainError::DefaultVpc(DefaultVpcProblem::SubnetExists {
                zone: zone.into(),
                subnet_id: id.into()
            })
        ))
    };
    let probe = |env: &mut TestEnv, c: Command| apply(env, &a(), c).map_err(|e| code(&e)).err();
    assert_eq!(
        probe(&mut env, default_subnet(Some("us-east-1a"), None)),
        exists("us-east-1a", &a_id)
    );
    assert_eq!(
        probe(&mut env, default_subnet(None, Some("use1-az2"))),
        exists("us-east-1b", &b_id),
        "a zone by its id"
    );
    assert!(matches!(
        apply(&mut env, &a(), default_subnet(Some("us-east-1z"), None)),
        Err(DomainError::ZoneNotOffered {
            field: Field::SubnetZone,
            ..
        })
    ));
    assert_eq!(
        probe(
            &mut env,
            default_subnet(Some("us-east-1a"), Some("use1-az1"))
        ),
        Some("InvalidParameterCombination".into())
    );

    // Zone b's default subnet deleted: a new one takes the lowest free /20 (its old block).
    apply(&mut env, &a(), Command::DeleteSubnet { id: b_id.clone() }).unwrap();
    let Ok(Outcome::Subnet(s)) = apply(&mut env, &a(), default_subnet(Some("us-east-1b"), None))
    else {
        panic!("CreateDefaultSubnet");
    };
    assert_ne!(s.id, b_id);
    assert_eq!(s.cidr.expect("v4").to_string(), "172.31.16.0/20");
    assert!(s.default_for_az && s.map_public_ip_on_launch);
    assert_eq!(
        (
            s.availability_zone.as_str(),
            s.availability_zone_id.as_str()
        ),
        ("us-east-1b", "use1-az2")
    );
    let acl_has = |w: &World, id: &str| {
        w.aws
            .network_acls()
            .values()
            .any(|a| a.is_default && a.associations.iter().any(|x| x.subnet_id == id))
    };
    assert!(acl_has(&env.world, &s.id), "on the default ACL");

    // A non-default subnet in a zone does not count as its default subnet; the new default
    // subnet skips the blocks in use.
    let c_id = subnet_in(&env.world, "us-east-1c").unwrap().0;
    apply(&mut env, &a(), Command::DeleteSubnet { id: c_id }).unwrap();
    let mut own =
        crate::aws::subnet::NewSubnet::new(vpc.clone(), "172.31.32.0/20".parse().unwrap());
    own.availability_zone = Some("us-east-1c".into());
    apply(&mut env, &a(), Command::CreateSubnet(own)).unwrap();
    let Ok(Outcome::Subnet(s)) = apply(&mut env, &a(), default_subnet(Some("us-east-1c"), None))
    else {
        panic!("CreateDefaultSubnet");
    };
    assert_eq!(
        s.cidr.expect("v4").to_string(),
        "172.31.96.0/20",
        "the lowest free /20"
    );

    // Every /20 taken: refused.
    for i in 7..16 {
        let n = crate::aws::subnet::NewSubnet::new(
            vpc.clone(),
            format!("172.31.{}.0/20", 16 * i).parse().unwrap(),
        );
        apply(&mut env, &a(), Command::CreateSubnet(n)).unwrap();
    }
    let d_id = subnet_in(&env.world, "us-east-1d").unwrap().0;
    apply(&mut env, &a(), Command::DeleteSubnet { id: d_id }).unwrap();
    let mut own =
        crate::aws::subnet::NewSubnet::new(vpc.clone(), "172.31.48.0/20".parse().unwrap());
    own.availability_zone = Some("us-east-1d".into());
    apply(&mut env, &a(), Command::CreateSubnet(own)).unwrap();
    assert_eq!(
        probe(&mut env, default_subnet(Some("us-east-1d"), None)),
        Some(format!(
            "{:?}",
            DomainError::DefaultVpc(DefaultVpcProblem::NoFreeBlock {
                vpc_id: vpc.clone()
            })
        ))
    );
}

fn launch(subnet: Option<&str>, zone: Option<&str>) -> RunInstances {
    RunInstances {
        min_count: 1,
        max_count: 1,
        image_id: "ami-12345678".into(),
        subnet_id: subnet.map(Into::into),
        availability_zone: zone.map(Into::into),
        ..Default::default()
    }
}

fn launched_subnet(env: &mut TestEnv, input: RunInstances) -> Result<Subnet, DomainError> {
    let launched = apply(env, &a(), Command::RunInstances(Box::new(input)));
    match launched {
        Ok(Outcome::Launched(l)) => {
            let i = &env.world.aws.instances()[&l.instance_ids[0]];
            Ok(env.world.aws.subnets()[&i.subnet_id].clone())
        }
        Ok(other) => panic!("{other:?}"),
        Err(e) => Err(e),
    }
}

#[test]
fn launches_without_a_subnet_go_to_a_default_subnet() {
    let mut env = TestEnv::new();
    ensure(&mut env, &a());
    let vpc = default_vpc_of(&env.world, &a()).unwrap().id;
    let s = launched_subnet(&mut env, launch(None, None)).unwrap();
    assert_eq!(
        (s.vpc_id.as_str(), s.availability_zone.as_str()),
        (vpc.as_str(), "us-east-1a")
    );
    let s = launched_subnet(&mut env, launch(None, Some("us-east-1c"))).unwrap();
    assert_eq!(s.availability_zone, "us-east-1c");
    assert!(s.default_for_az);

    // The default VPC's default group, and groups named in it.
    let web = env.sg(&a(), &vpc, "web");
    let named = RunInstances {
        security_group_names: vec!["web".into(), "default".into()],
        ..launch(None, None)
    };
    let Ok(Outcome::Launched(l)) = apply(&mut env, &a(), Command::RunInstances(Box::new(named)))
    else {
        panic!("launch");
    };
    let i = &env.world.aws.instances()[&l.instance_ids[0]];
    let eni: &NetworkInterface = &env.world.aws.network_interfaces()[&i.eni_ids[0]];
    assert_eq!(eni.groups, vec![web.clone(), env.sg_named(&vpc, "default")]);

    // An interface without a subnet goes to the default subnet too.
    let nic = RunInstances {
        network_interfaces: vec![NicSpec {
            device_index: 0,
            delete_on_termination: true,
            ..Default::default()
        }],
        ..launch(None, Some("us-east-1b"))
    };
    assert_eq!(
        launched_subnet(&mut env, nic).unwrap().availability_zone,
        "us-east-1b"
    );

    // Refusals.
    let other_vpc = env.vpc(&a(), "10.0.0.0/16");
    let own = env.subnet(&a(), &other_vpc, "10.0.1.0/24");
    assert_eq!(
        launched_subnet(&mut env, launch(None, Some("us-east-1z"))).err(),
        Some(DomainError::ZoneNotOffered {
            field: Field::LaunchZone,
            value: "us-east-1z".into(),
            offered: regions::zones(REGION).into_iter().map(|z| z.name).collect(),
        })
    );
    assert_eq!(
        launched_subnet(&mut env, launch(Some(&own), Some("us-east-1b"))).err(),
        Some(DomainError::Launch(LaunchProblem::SubnetNotInZone {
            subnet_id: own.clone(),
            zone: "us-east-1b".into()
        }))
    );
    assert!(launched_subnet(&mut env, launch(Some(&own), Some("us-east-1a"))).is_ok());
    let foreign_group = RunInstances {
        security_group_names: vec!["nope".into()],
        ..launch(None, None)
    };
    assert_eq!(
        launched_subnet(&mut env, foreign_group).err(),
        Some(DomainError::Group(GroupProblem::NotInDefaultVpc {
            name: "nope".into(),
            vpc_id: vpc.clone()
        }))
    );

    // Zone e's default subnet deleted: a launch there is refused, others still go.
    let e_id = subnets_of(&env.world, &vpc)
        .into_iter()
        .find(|s| s.availability_zone == "us-east-1e")
        .unwrap()
        .id
        .clone();
    apply(&mut env, &a(), Command::DeleteSubnet { id: e_id }).unwrap();
    assert_eq!(
        launched_subnet(&mut env, launch(None, Some("us-east-1e"))).err(),
        Some(DomainError::DefaultVpc(
            DefaultVpcProblem::NoDefaultSubnetInZone {
                zone: "us-east-1e".into()
            }
        ))
    );
    assert!(launched_subnet(&mut env, launch(None, None)).is_ok());
}

#[test]
fn a_default_vpc_without_default_subnets_refuses_launches_without_a_subnet() {
    let mut env = TestEnv::new();
    env.limits = crate::Limits::default();
    ensure(&mut env, &Scope::new(crate::testkit::A, "us-west-1"));
    let scope = Scope::new(crate::testkit::A, "us-west-1");
    let vpc = default_vpc_of(&env.world, &scope).unwrap().id;
    for s in subnets_of(&env.world, &vpc)
        .iter()
        .map(|s| s.id.clone())
        .collect::<Vec<_>>()
    {
        apply(&mut env, &scope, Command::DeleteSubnet { id: s }).unwrap();
    }
    let r = env.run(&scope, |tx| {
        Command::RunInstances(Box::new(launch(None, None))).apply(tx)
    });
    assert_eq!(
        r.map_err(|e| code(&e)).err(),
        Some(format!(
            "{:?}",
            DomainError::DefaultVpc(DefaultVpcProblem::NoDefaultSubnets { vpc_id: vpc })
        ))
    );
}

#[test]
fn groups_without_a_vpc_live_in_the_default_vpc() {
    let mut env = TestEnv::new();
    ensure(&mut env, &a());
    let vpc = default_vpc_of(&env.world, &a()).unwrap().id;
    let other = env.vpc(&a(), "10.0.0.0/16");
    let elsewhere = env.sg(&a(), &other, "elsewhere");
    let Ok(Outcome::GroupCreated(web)) = apply(
        &mut env,
        &a(),
        Command::CreateSecurityGroup(CreateSecurityGroup {
            name: "web".into(),
            description: "web servers".into(),
            vpc_id: None,
            tags: Tags::new(),
        }),
    ) else {
        panic!("CreateSecurityGroup");
    };
    assert_eq!(env.world.aws.security_groups()[&web].vpc_id, vpc);
    // A name selects in the default VPC only (here `default` is in both VPCs).
    let by_name = |env: &mut TestEnv, name: &str| {
        env.probe(&a(), |tx| {
            tx.security_group(&GroupSelector::Name(name.into()))
                .map(|g| g.id.clone())
        })
    };
    assert_eq!(by_name(&mut env, "web"), Ok(web));
    assert_eq!(
        by_name(&mut env, "default"),
        Ok(env.sg_named(&vpc, "default"))
    );
    assert_eq!(
        by_name(&mut env, "elsewhere"),
        Err(DomainError::Group(GroupProblem::NotInDefaultVpc {
            name: "elsewhere".into(),
            vpc_id: vpc.clone()
        }))
    );
    // By id, a group of any VPC.
    assert!(env
        .probe(&a(), |tx| tx
            .security_group(&GroupSelector::Id(elsewhere))
            .map(drop))
        .is_ok());
}

#[test]
fn two_accounts_default_vpcs_overlap_and_cannot_peer() {
    let mut env = TestEnv::new();
    ensure(&mut env, &a());
    ensure(&mut env, &b());
    let va = default_vpc_of(&env.world, &a()).unwrap().id;
    let vb = default_vpc_of(&env.world, &b()).unwrap().id;
    let Ok(Outcome::Peering(p)) = apply(
        &mut env,
        &a(),
        Command::CreatePeering(CreatePeering {
            vpc_id: va,
            peer_vpc_id: vb,
            peer_owner_id: Some(b().account),
            peer_region: None,
            tags: Tags::new(),
        }),
    ) else {
        panic!("request");
    };
    let id = p.connection.id.clone();
    let stored = &env.world.aws.peerings()[&id];
    assert_eq!(stored.state_at(env.now), PeeringState::Failed);
    assert!(apply(&mut env, &b(), Command::AcceptPeering { id }).is_err());
}

#[test]
fn the_setup_is_deterministic_and_replays() {
    // Two worlds given the same ids answer alike; the recorded ids of one replay it on an
    // empty world into the same records.
    let run = || {
        let mut env = TestEnv::with_seed(7);
        ensure(&mut env, &a());
        env.world
    };
    assert_eq!(run(), run());

    let mut env = TestEnv::with_seed(7);
    let mut recording = crate::RecordingIds::new(&mut env.ids);
    let ctx = crate::Ctx {
        scope: a(),
        now: env.now,
        ids: &mut recording,
        limits: &env.limits,
    };
    let mut world = World::default();
    let mut tx = Tx::new(&mut world, ctx);
    Command::EnsureDefaultVpc.apply(&mut tx).unwrap();
    tx.commit();
    let drawn = recording.into_drawn();
    let mut scripted = crate::ScriptedIds::new(drawn);
    let mut again = World::default();
    let ctx = crate::Ctx {
        scope: a(),
        now: env.now,
        ids: &mut scripted,
        limits: &env.limits,
    };
    let mut tx = Tx::new(&mut again, ctx);
    Command::EnsureDefaultVpc.apply(&mut tx).unwrap();
    tx.commit();
    assert_eq!(again, world);
}
