//! Scenarios of the endpoints area: security group rules to a prefix list admit the list's
//! blocks; a route to a prefix list competes by the list's blocks (a static route to the same
//! block wins); a gateway VPC endpoint reaches its service's addresses; traffic that arrived over
//! a peering may not use the peer's gateway endpoint (no edge-to-edge). Each world is also
//! brought up to date incrementally after a change of a list, and must equal a fresh compile.

mod common;

use common::{q, tcp, verdict, Build, Pair};
use vpcpeer_model::aws::endpoints::prefix_list::aws_managed_list;
use vpcpeer_model::aws::endpoints::{NewEndpoint, NewPrefixList, PrefixListChange};
use vpcpeer_model::aws::route::RouteSpec;
use vpcpeer_model::aws::security_group::Direction as SgDir;
use vpcpeer_model::testkit::{a, b, with_prefix_list, TestEnv};
use vpcpeer_model::{Destination, PrefixListId, RouteTarget, Scope, Tags};
use vpcpeer_reach::{explain, ComponentKind as K, Endpoint, Snapshot, Verdict};

fn codes(v: &Verdict) -> Vec<&'static str> {
    v.blockers.iter().map(|e| e.code.aws_code()).collect()
}

fn list(env: &mut TestEnv, s: &Scope, cidrs: &[&str]) -> String {
    env.run(s, |tx| {
        tx.create_prefix_list(NewPrefixList {
            name: "corp".into(),
            family: "IPv4".into(),
            max_entries: 5,
            entries: cidrs.iter().map(|c| (c.to_string(), None)).collect(),
            tags: Tags::new(),
        })
    })
    .expect("list")
    .id
}

fn pl_route(env: &mut TestEnv, s: &Scope, rtb: &str, pl: &str, target: RouteTarget) {
    env.run(s, |tx| {
        tx.create_route(RouteSpec {
            route_table_id: rtb.into(),
            destination: Destination::PrefixList(PrefixListId::parse(pl).expect("id")),
            target,
        })
    })
    .expect("route");
}

fn s3_endpoint(env: &mut TestEnv, s: &Scope, vpc: &str, rtb: &str) -> String {
    env.run(s, |tx| {
        tx.create_endpoint(NewEndpoint {
            vpc_id: vpc.into(),
            service_name: format!("com.amazonaws.{}.s3", s.region),
            route_table_ids: vec![rtb.into()],
            ..NewEndpoint::default()
        })
    })
    .expect("endpoint")
    .id
}

/// A–B peered and routed; A's instance (default egress) and B's instance whose group admits
/// tcp/80 only from B's prefix list holding `cidrs`.
fn peered_with_list_rule(cidrs: &[&str]) -> (Pair, String, String, String) {
    let mut p = Pair::new(11);
    p.peer_routed();
    let pl = list(&mut p.env, &b(), cidrs);
    let sga = p.env.sg(&a(), &p.va, "a");
    let sgb = p.env.sg(&b(), &p.vb, "b");
    p.env.allow(
        &b(),
        &sgb,
        SgDir::Ingress,
        with_prefix_list(tcp(Some(80)), &pl),
    );
    let ia = p.env.instance(&a(), &p.sa, &[&sga]);
    let ib = p.env.instance(&b(), &p.sb, &[&sgb]);
    (p, pl, ia, ib)
}

#[test]
fn a_group_rule_to_a_prefix_list_admits_the_lists_blocks() {
    let (mut p, pl, ia, ib) = peered_with_list_rule(&["10.0.1.0/24"]);
    let query = q(&ia, Endpoint::Instance(ib.clone()), 80);
    let v = verdict(&p.env, &query);
    assert!(v.reachable, "{:#?}", v.blockers);
    // The list changes to a block without A's subnet: the rule admits nothing of A. The
    // snapshot brought up to date by the list's key alone equals a fresh compile.
    let mut snap = Snapshot::compile(&p.env.world, p.env.now);
    let mut tx = p.env.tx(&b());
    tx.modify_prefix_list(PrefixListChange {
        id: pl.clone(),
        current_version: Some(1),
        name: None,
        max_entries: None,
        add: vec![("10.9.0.0/16".into(), None)],
        remove: vec!["10.0.1.0/24".into()],
    })
    .expect("modify");
    let keys: Vec<_> = tx.commit().into_iter().map(|c| c.key).collect();
    snap.apply_changes(&p.env.world, p.env.now, &keys);
    assert_eq!(snap, Snapshot::compile(&p.env.world, p.env.now));
    let v = explain(&snap, &query).expect("query");
    assert_eq!(codes(&v), ["ENI_SG_RULES_MISMATCH"]);
}

#[test]
fn a_route_to_a_prefix_list_competes_by_its_blocks_and_a_static_route_wins_ties() {
    let mut p = Pair::new(12);
    let pcx = p.peer(true);
    let pl = list(&mut p.env, &a(), &["10.1.0.0/16"]);
    let rta = p.rta.clone();
    pl_route(
        &mut p.env,
        &a(),
        &rta,
        &pl,
        RouteTarget::Peering(pcx.clone()),
    );
    p.route_b("10.0.0.0/16", RouteTarget::Peering(pcx.clone()));
    let sgb = p.env.sg(&b(), &p.vb, "b");
    p.env.allow(
        &b(),
        &sgb,
        SgDir::Ingress,
        common::from_cidr(tcp(Some(80)), "10.0.0.0/16"),
    );
    let ia = p.env.instance(&a(), &p.sa, &[]);
    let ib = p.env.instance(&b(), &p.sb, &[&sgb]);
    let query = q(&ia, Endpoint::Instance(ib), 80);
    let v = verdict(&p.env, &query);
    assert!(v.reachable, "{:#?}", v.blockers);
    // A static route to the same block as the list's, to an internet gateway, takes priority.
    let igw = p.env.igw(&a(), &p.va);
    p.env
        .run(&a(), |tx| {
            tx.modify_prefix_list(PrefixListChange {
                id: pl.clone(),
                current_version: None,
                name: None,
                max_entries: None,
                add: vec![("10.1.1.0/24".into(), None)],
                remove: vec!["10.1.0.0/16".into()],
            })
        })
        .expect("modify");
    p.route_a("10.1.1.0/24", RouteTarget::Gateway(igw));
    let v = verdict(&p.env, &query);
    assert_eq!(codes(&v), ["NO_ROUTE_TO_DESTINATION"]);
}

#[test]
fn a_gateway_endpoint_reaches_its_services_addresses() {
    let mut p = Pair::new(13);
    let (va, rta) = (p.va.clone(), p.rta.clone());
    let vpce = s3_endpoint(&mut p.env, &a(), &va, &rta);
    let ia = p.env.instance(&a(), &p.sa, &[]);
    let s3 = aws_managed_list("us-east-1", "s3");
    let inside = s3.entries()[0].cidr.hosts().next().expect("a host");
    let v = verdict(&p.env, &q(&ia, Endpoint::Ip(inside), 443));
    assert!(v.reachable, "{:#?}", v.blockers);
    let via: Vec<&str> = v
        .forward
        .iter()
        .filter(|h| h.component.kind == K::VpcEndpoint)
        .map(|h| h.component.id.as_str())
        .collect();
    assert_eq!(via, [vpce.as_str()]);
    assert!(v.ret.iter().any(|h| h.component.kind == K::VpcEndpoint));
    // An address outside the service's list has no route.
    let v = verdict(
        &p.env,
        &q(&ia, Endpoint::Ip("8.8.8.8".parse().expect("ip")), 443),
    );
    assert_eq!(codes(&v), ["NO_ROUTE_TO_DESTINATION"]);
    // Without the endpoint the service's addresses have no route either.
    let left = p
        .env
        .run(&a(), |tx| {
            Ok(tx.delete_endpoints(std::slice::from_ref(&vpce)))
        })
        .expect("delete");
    assert!(left.is_empty());
    let v = verdict(&p.env, &q(&ia, Endpoint::Ip(inside), 443));
    assert_eq!(codes(&v), ["NO_ROUTE_TO_DESTINATION"]);
}

#[test]
fn a_peer_may_not_use_my_gateway_endpoint() {
    let mut p = Pair::new(14);
    let pcx = p.peer(true);
    let (vb, rtb) = (p.vb.clone(), p.rtb.clone());
    let vpce = s3_endpoint(&mut p.env, &b(), &vb, &rtb);
    let s3 = aws_managed_list("us-east-1", "s3");
    let block = s3.entries()[0].cidr;
    p.route_a(&block.to_string(), RouteTarget::Peering(pcx));
    let ia = p.env.instance(&a(), &p.sa, &[]);
    let inside = block.hosts().next().expect("a host");
    let v = verdict(&p.env, &q(&ia, Endpoint::Ip(inside), 443));
    assert_eq!(
        codes(&v),
        [
            "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
            "VPCE_GATEWAY_EDGE_TO_EDGE"
        ]
    );
    let blocker = &v.blockers[1];
    assert_eq!(
        (blocker.component.kind, blocker.component.id.as_str()),
        (K::VpcEndpoint, vpce.as_str())
    );
}
