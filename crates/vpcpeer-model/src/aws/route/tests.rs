//! Tests of route tables, routes, associations and route states (blackhole, active).

use super::{route_state, table_route_state, AssocRequest, RouteState};
use crate::aws::peering::CreatePeering;
use crate::aws::peering_state::PeeringState;
use crate::testkit::{self, a, b, dest as to, main_table, outcome, route, TestEnv};
use crate::{
    Destination, Instance, InstanceState, Route, RouteOrigin, RouteTable, RouteTarget, Tags,
    Timestamp,
};

fn subnet(env: &mut TestEnv, vpc: &str, cidr: &str) -> String {
    env.subnet(&a(), vpc, cidr)
}

fn peer(env: &mut TestEnv, from: &str, to: &str) -> String {
    env.run(&a(), |tx| {
        tx.create_peering(CreatePeering {
            vpc_id: from.into(),
            peer_vpc_id: to.into(),
            ..Default::default()
        })
    })
    .expect("pcx")
    .connection
    .id
}

/// A's VPCs 10.0.0.0/16 (with the subnet 10.0.1.0/24) and 10.1.0.0/16, the first requesting a
/// peering to the second: (first VPC, second VPC, subnet, connection).
fn peered_pair(env: &mut TestEnv) -> (String, String, String, String) {
    let va = env.vpc(&a(), "10.0.0.0/16");
    let vb = env.vpc(&a(), "10.1.0.0/16");
    let sa = subnet(env, &va, "10.0.1.0/24");
    let pcx = peer(env, &va, &vb);
    (va, vb, sa, pcx)
}

/// A new internet gateway of A.
fn new_igw(env: &mut TestEnv) -> String {
    env.run(&a(), |tx| tx.create_internet_gateway(Tags::new()))
        .expect("igw")
}

fn attach_igw(env: &mut TestEnv, igw: &str, vpc: &str) {
    env.run(&a(), |tx| tx.attach_internet_gateway(igw, vpc))
        .expect("attach");
}

/// A private NAT gateway of A in `subnet`.
fn private_nat(env: &mut TestEnv, subnet: &str) -> String {
    env.run(&a(), |tx| {
        tx.create_nat_gateway(testkit::private_nat(subnet))
    })
    .expect("nat")
}

fn a_route(target: RouteTarget) -> Route {
    Route {
        destination: Destination::V4("1.0.0.0/8".parse().expect("net")),
        target,
        origin: RouteOrigin::CreateRoute,
    }
}

fn instance(id: &str, state: InstanceState) -> Instance {
    Instance {
        id: id.into(),
        reservation_id: "r-00000001".into(),
        scope: a(),
        image_id: "ami-1".into(),
        instance_type: "t3.micro".into(),
        subnet_id: String::new(),
        vpc_id: String::new(),
        availability_zone: "us-east-1a".into(),
        eni_ids: Vec::new(),
        state,
        launch_time: Timestamp(0),
        terminated: None,
        client_token: None,
        launch_digest: None,
        launch_index: 0,
        tags: Tags::new(),
        key_name: None,
        user_data: None,
        stopped: None,
    }
}

/// Every kind of target, in every state that matters, against the state it must derive to.
#[test]
fn route_state_table() {
    let mut env = TestEnv::new();
    let (va, vb, sa, pcx) = peered_pair(&mut env);
    let template = env.world.aws.peerings[&pcx].clone();
    let states = [
        (
            "pcx-0000000a",
            PeeringState::PendingAcceptance,
            Timestamp::HOUR,
            "blackhole",
        ),
        (
            "pcx-0000000b",
            PeeringState::Active,
            Timestamp::HOUR,
            "active",
        ),
        (
            "pcx-0000000c",
            PeeringState::Deleted,
            Timestamp::HOUR,
            "blackhole",
        ),
        (
            "pcx-0000000d",
            PeeringState::Failed,
            Timestamp::HOUR,
            "blackhole",
        ),
        (
            "pcx-0000000e",
            PeeringState::Rejected,
            Timestamp::HOUR,
            "blackhole",
        ),
        // Pending past its expiration time: expired.
        (
            "pcx-0000000f",
            PeeringState::PendingAcceptance,
            -1,
            "blackhole",
        ),
        (
            "pcx-00000010",
            PeeringState::Provisioning,
            Timestamp::HOUR,
            "blackhole",
        ),
    ];
    for (id, state, ttl, _) in states {
        let mut p = template.clone();
        p.id = id.into();
        p.state = state;
        p.expiration = env.now.plus_millis(ttl);
        env.world.aws.peerings.insert(id.into(), p);
    }
    let igw_on = new_igw(&mut env);
    let igw_off = new_igw(&mut env);
    attach_igw(&mut env, &igw_on, &va);
    let nat_on = private_nat(&mut env, &sa);
    let nat_off = private_nat(&mut env, &sa);
    let eni = env.world.aws.nat_gateways[&nat_on].eni_id.clone();
    env.run(&a(), |tx| tx.delete_nat_gateway(&nat_off))
        .expect("delete nat");
    for (id, st) in [
        ("i-00000001", InstanceState::Running),
        ("i-00000002", InstanceState::Pending),
        ("i-00000003", InstanceState::Stopped),
        ("i-00000004", InstanceState::Terminated),
    ] {
        env.world.aws.instances.insert(id.into(), instance(id, st));
    }
    let mut rows: Vec<(RouteTarget, &str)> = states
        .iter()
        .map(|(id, _, _, want)| (RouteTarget::Peering((*id).into()), *want))
        .collect();
    rows.extend([
        (RouteTarget::Local, "active"),
        (RouteTarget::Peering(pcx.clone()), "blackhole"),
        (RouteTarget::Peering("pcx-99999999".into()), "blackhole"),
        (RouteTarget::Gateway(igw_on.clone()), "active"),
        (RouteTarget::Gateway(igw_off.clone()), "blackhole"),
        (RouteTarget::Gateway("igw-99999999".into()), "blackhole"),
        (RouteTarget::NatGateway(nat_on.clone()), "active"),
        (RouteTarget::NatGateway(nat_off.clone()), "blackhole"),
        (RouteTarget::NatGateway("nat-99999999".into()), "blackhole"),
        (RouteTarget::Instance("i-00000001".into()), "active"),
        (RouteTarget::Instance("i-00000002".into()), "active"),
        (RouteTarget::Instance("i-00000003".into()), "blackhole"),
        (RouteTarget::Instance("i-00000004".into()), "blackhole"),
        (RouteTarget::Instance("i-99999999".into()), "blackhole"),
        (RouteTarget::NetworkInterface(eni), "active"),
        (
            RouteTarget::NetworkInterface("eni-99999999".into()),
            "blackhole",
        ),
        (RouteTarget::TransitGateway("tgw-00000001".into()), "active"),
    ]);
    for (target, want) in rows {
        let got = match route_state(&env.world, &a_route(target.clone()), env.now) {
            RouteState::Active => "active",
            RouteState::Blackhole => "blackhole",
        };
        assert_eq!(got, want, "{target:?}");
    }
    // The same peering route goes blackhole → active → blackhole over the connection's life.
    env.world.aws.peerings.retain(|id, _| *id == pcx);
    let r = a_route(RouteTarget::Peering(pcx.clone()));
    assert_eq!(route_state(&env.world, &r, env.now), RouteState::Blackhole);
    env.run(&a(), |tx| tx.accept_peering(&pcx).map(|_| ()))
        .expect("accept");
    assert_eq!(route_state(&env.world, &r, env.now), RouteState::Active);
    env.run(&a(), |tx| tx.delete_peering(&pcx)).expect("delete");
    assert_eq!(route_state(&env.world, &r, env.now), RouteState::Blackhole);
    // An internet gateway attached to another VPC is a blackhole for this table's route.
    let table: RouteTable = env.world.aws.route_tables[&main_table(&env, &vb)].clone();
    let r = a_route(RouteTarget::Gateway(igw_on.clone()));
    assert_eq!(route_state(&env.world, &r, env.now), RouteState::Active);
    assert_eq!(
        table_route_state(&env.world, &table, &r, env.now),
        RouteState::Blackhole
    );
}

/// CreateRoute: (destination, targets, expected outcome), each on the same setup.
#[test]
fn create_route_rules() {
    let mut env = TestEnv::new();
    let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let vb = env.vpc(&a(), "10.1.0.0/16");
    let vc = env.vpc(&a(), "10.2.0.0/16");
    let sa = subnet(&mut env, &va, "10.0.1.0/24");
    subnet(&mut env, &vb, "10.1.1.0/24");
    let ab = peer(&mut env, &va, &vb);
    let bc = peer(&mut env, &vb, &vc);
    let igw = new_igw(&mut env);
    let igw_b = new_igw(&mut env);
    let igw_off = new_igw(&mut env);
    attach_igw(&mut env, &igw, &va);
    attach_igw(&mut env, &igw_b, &vb);
    let nat = private_nat(&mut env, &sa);
    let eni = env.world.aws.nat_gateways[&nat].eni_id.clone();
    let table = main_table(&env, &va);
    let v6 = env.world.aws.vpcs[&va].ipv6[0].cidr.to_string();
    use RouteTarget as T;
    let g = |s: &str| T::Gateway(s.into());
    let p = |s: &str| T::Peering(s.into());
    let (tgw, eigw) = (T::TransitGateway, T::EgressOnlyInternetGateway);
    let unknown = |make: fn(String) -> RouteTarget, id: &str| make(id.into());
    let rows: Vec<(&str, RouteTarget, &str)> = vec![
        ("0.0.0.0/0", g(&igw), "ok"),
        ("::/0", g(&igw), "ok"),
        ("10.1.0.0/16", p(&ab), "ok"),
        ("10.1.1.0/24", p(&ab), "ok"),
        ("10.0.0.0/8", p(&ab), "ok"),
        ("10.2.0.0/16", p(&bc), "Invalid"),
        ("10.2.0.0/16", p("pcx-0123456789abcdef0"), "NotFound"),
        ("10.2.0.0/16", p("pcx-zz"), "Malformed"),
        ("10.0.0.0/16", g(&igw), "RouteExists"),
        ("10.0.0.0/16", p(&ab), "RouteExists"),
        (v6.as_str(), g(&igw), "RouteExists"),
        ("10.0.1.0/24", p(&ab), "Invalid"),
        ("10.0.1.0/24", g(&igw), "Invalid"),
        ("10.0.1.0/24", T::NatGateway(nat.clone()), "ok"),
        ("10.0.1.0/24", T::NetworkInterface(eni.clone()), "ok"),
        ("10.0.2.0/24", T::NatGateway(nat.clone()), "Invalid"),
        ("0.0.0.0/0", T::NatGateway(nat.clone()), "ok"),
        ("0.0.0.0/0", g(&igw_b), "Invalid"),
        ("0.0.0.0/0", g(&igw_off), "Invalid"),
        ("0.0.0.0/0", g("igw-0123456789abcdef0"), "NotFound"),
        ("0.0.0.0/0", g("vgw-0123456789abcdef0"), "NotFound"),
        (
            "0.0.0.0/0",
            unknown(T::NatGateway, "nat-0123456789abcdef0"),
            "NotFound",
        ),
        (
            "0.0.0.0/0",
            unknown(T::Instance, "i-0123456789abcdef0"),
            "NotFound",
        ),
        ("0.0.0.0/0", T::Local, "Invalid"),
        ("0.0.0.0/0", unknown(tgw, "tgw-0123456789abcdef0"), "ok"),
        ("0.0.0.0/0", unknown(tgw, "tgw-x"), "Invalid"),
        (
            "0.0.0.0/0",
            unknown(eigw, "eigw-0123456789abcdef0"),
            "Invalid",
        ),
        // Egress-only gateways are modelled: an unknown one is not found.
        ("::/0", unknown(eigw, "eigw-0123456789abcdef0"), "NotFound"),
    ];
    // The ranges EC2 reserves, through the attached internet gateway.
    let reserved = [
        ("169.254.168.0/22", "Invalid"),
        ("169.254.169.0/24", "Invalid"),
        ("169.254.0.0/16", "ok"),
        ("fd00:ec2::/32", "Invalid"),
        ("fd00:ec2:0:1::/64", "Invalid"),
        ("fd00::/8", "ok"),
    ];
    let rows = rows
        .into_iter()
        .chain(reserved.map(|(dest, want)| (dest, g(&igw), want)));
    for (dest, target, want) in rows {
        let i = route(&table, dest, target.clone());
        let got = env.probe(&a(), |tx| tx.create_route(i));
        assert_eq!(outcome(&got), want, "{dest} {target:?}");
    }
    for (tid, scope, want) in [
        ("rtb-0123456789abcdef0", a(), "NotFound"),
        (table.as_str(), b(), "NotFound"),
        ("rtb-q", a(), "Malformed"),
    ] {
        let i = route(tid, "0.0.0.0/0", g(&igw));
        assert_eq!(
            outcome(&env.probe(&scope, |tx| tx.create_route(i))),
            want,
            "{tid}"
        );
    }
    // Duplicates of a route just added.
    env.run(&a(), |tx| {
        tx.create_route(route(&table, "0.0.0.0/0", g(&igw)))
    })
    .expect("route");
    let dup = route(&table, "0.0.0.0/0", T::NatGateway(nat.clone()));
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.create_route(dup))),
        "RouteExists"
    );
    // A terminal peering connection cannot be routed to any more.
    env.run(&a(), |tx| tx.delete_peering(&ab))
        .expect("delete pcx");
    let i = route(&table, "10.1.0.0/16", p(&ab));
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.create_route(i))),
        "NotFound"
    );
}

#[test]
fn route_limit_counts_each_family_without_local_routes() {
    let mut env = TestEnv::new();
    env.limits.routes_per_table = Some(2);
    let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let igw = new_igw(&mut env);
    attach_igw(&mut env, &igw, &va);
    let t = main_table(&env, &va);
    let g = || RouteTarget::Gateway(igw.clone());
    for (dest, want) in [
        ("1.0.0.0/8", "ok"),
        ("2.0.0.0/8", "ok"),
        ("3.0.0.0/8", "Limit"),
        ("::/0", "ok"),
        ("2001:db8::/32", "ok"),
        ("2001:db9::/32", "Limit"),
    ] {
        let got = env.run(&a(), |tx| tx.create_route(route(&t, dest, g())));
        assert_eq!(outcome(&got), want, "{dest}");
    }
}

#[test]
fn replace_and_delete_routes() {
    let mut env = TestEnv::new();
    let (va, _, sa, ab) = peered_pair(&mut env);
    let igw = new_igw(&mut env);
    attach_igw(&mut env, &igw, &va);
    let nat = private_nat(&mut env, &sa);
    let t = main_table(&env, &va);
    use RouteTarget as T;
    env.run(&a(), |tx| {
        tx.create_route(route(&t, "0.0.0.0/0", T::Gateway(igw.clone())))?;
        tx.create_route(route(&t, "10.0.1.0/24", T::NatGateway(nat.clone())))
    })
    .expect("routes");
    let rows: Vec<(&str, RouteTarget, &str)> = vec![
        ("0.0.0.0/0", T::NatGateway(nat.clone()), "ok"),
        ("0.0.0.0/0", T::Peering(ab.clone()), "ok"),
        ("0.0.0.0/0", T::Local, "Invalid"),
        ("10.0.0.0/16", T::Gateway(igw.clone()), "Invalid"),
        ("10.0.0.0/16", T::Local, "ok"),
        ("10.0.1.0/24", T::Local, "ok"),
        ("10.0.1.0/24", T::Peering(ab.clone()), "Invalid"),
        ("8.8.0.0/16", T::Gateway(igw.clone()), "RouteNotFound"),
    ];
    for (dest, target, want) in rows {
        let i = route(&t, dest, target.clone());
        let got = env.probe(&a(), |tx| tx.replace_route(i));
        assert_eq!(outcome(&got), want, "replace {dest} {target:?}");
    }
    env.run(&a(), |tx| {
        tx.replace_route(route(&t, "0.0.0.0/0", T::Peering(ab.clone())))
    })
    .expect("replace");
    let r = env.world.aws.route_tables[&t]
        .routes
        .iter()
        .find(|r| r.destination.to_string() == "0.0.0.0/0")
        .cloned()
        .expect("route");
    assert_eq!(r.target, T::Peering(ab.clone()));
    for (dest, want) in [
        ("10.0.0.0/16", "Invalid"),
        ("8.8.0.0/16", "RouteNotFound"),
        ("0.0.0.0/0", "ok"),
        ("10.0.1.0/24", "ok"),
    ] {
        let got = env.probe(&a(), |tx| tx.delete_route(&t, to(dest)));
        assert_eq!(outcome(&got), want, "delete {dest}");
    }
    env.run(&a(), |tx| tx.delete_route(&t, to("0.0.0.0/0")))
        .expect("delete");
    assert_eq!(env.world.aws.route_tables[&t].routes.len(), 2);
}

#[test]
fn route_table_lifecycle_and_associations() {
    let mut env = TestEnv::new();
    let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
    let vb = env.vpc(&a(), "10.1.0.0/16");
    let sa = subnet(&mut env, &va, "10.0.1.0/24");
    let sb = subnet(&mut env, &vb, "10.1.1.0/24");
    let main = main_table(&env, &va);
    let t1 = env.route_table(&a(), &va);
    let t2 = env.route_table(&a(), &va);
    assert_eq!(
        env.world.aws.route_tables[&t1].routes.len(),
        2,
        "a local route per block"
    );
    assert!(env.world.aws.route_tables[&t1]
        .routes
        .iter()
        .all(|r| r.target == RouteTarget::Local && r.origin == RouteOrigin::CreateRouteTable));
    let rows: Vec<(&str, AssocRequest, &str)> = vec![
        (&t1, AssocRequest::Subnet(sa.clone()), "ok"),
        (&t1, AssocRequest::Subnet(sb.clone()), "Invalid"),
        (
            &t1,
            AssocRequest::Subnet("subnet-0123456789abcdef0".into()),
            "NotFound",
        ),
        (
            &t1,
            AssocRequest::Gateway("igw-0123456789abcdef0".into()),
            "NotFound",
        ),
        (
            &t1,
            AssocRequest::Gateway("vgw-0123456789abcdef0".into()),
            "NotFound",
        ),
        (
            "rtb-0123456789abcdef0",
            AssocRequest::Subnet(sa.clone()),
            "NotFound",
        ),
    ];
    for (t, what, want) in rows {
        let w = format!("{what:?}");
        let got = env.probe(&a(), |tx| tx.associate_route_table(t, what));
        assert_eq!(outcome(&got), want, "{t} {w}");
    }
    let assoc = env
        .run(&a(), |tx| {
            tx.associate_route_table(&t1, AssocRequest::Subnet(sa.clone()))
        })
        .expect("assoc");
    for t in [&t1, &t2, &main] {
        let got = env.probe(&a(), |tx| {
            tx.associate_route_table(t, AssocRequest::Subnet(sa.clone()))
        });
        assert_eq!(outcome(&got), "AlreadyAssociated", "{t}");
    }
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.delete_route_table(&t1))),
        "Dependency"
    );
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.delete_route_table(&main))),
        "Dependency"
    );
    assert_eq!(
        outcome(&env.probe(&b(), |tx| tx.delete_route_table(&t2))),
        "NotFound"
    );
    let moved = env
        .run(&a(), |tx| tx.replace_route_table_association(&assoc, &t2))
        .expect("replace");
    assert!(env.world.aws.route_tables[&t1].associations.is_empty());
    assert_eq!(env.world.aws.route_tables[&t2].associations[0].id, moved);
    let main_b = main_table(&env, &vb);
    assert_eq!(
        outcome(&env.probe(&a(), |tx| {
            tx.replace_route_table_association(&moved, &main_b)
        })),
        "Invalid"
    );
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.disassociate_route_table(&assoc))),
        "NotFound"
    );
    env.run(&a(), |tx| tx.disassociate_route_table(&moved))
        .expect("disassociate");
    env.run(&a(), |tx| tx.delete_route_table(&t1))
        .expect("delete t1");
    // Moving the main association.
    let main_assoc = env.world.aws.route_tables[&main].associations[0].id.clone();
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.disassociate_route_table(&main_assoc))),
        "Invalid"
    );
    env.run(&a(), |tx| {
        tx.replace_route_table_association(&main_assoc, &t2)
    })
    .expect("new main");
    assert!(env.world.aws.route_tables[&t2].is_main());
    assert!(!env.world.aws.route_tables[&main].is_main());
    env.run(&a(), |tx| tx.delete_route_table(&main))
        .expect("old main deletable");
    // Quota.
    env.limits.route_tables_per_vpc = Some(2);
    env.run(&a(), |tx| tx.create_route_table(&va, Tags::new()))
        .expect("second");
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.create_route_table(&va, Tags::new()))),
        "Limit"
    );
}

#[test]
fn gateway_edge_association() {
    let mut env = TestEnv::new();
    let va = env.vpc(&a(), "10.0.0.0/16");
    let igw = new_igw(&mut env);
    let t = env.route_table(&a(), &va);
    let got = env.probe(&a(), |tx| {
        tx.associate_route_table(&t, AssocRequest::Gateway(igw.clone()))
    });
    assert_eq!(outcome(&got), "Invalid", "detached gateway");
    attach_igw(&mut env, &igw, &va);
    let assoc = env
        .run(&a(), |tx| {
            tx.associate_route_table(&t, AssocRequest::Gateway(igw.clone()))
        })
        .expect("edge");
    assert_eq!(
        outcome(&env.probe(&a(), |tx| tx.detach_internet_gateway(&igw, &va))),
        "Dependency"
    );
    env.run(&a(), |tx| tx.disassociate_route_table(&assoc))
        .expect("disassociate");
    env.run(&a(), |tx| tx.detach_internet_gateway(&igw, &va))
        .expect("detach");
}
