//! Table tests of virtual private gateways, customer gateways and route propagation: every
//! transition and every refusal.

use super::{NewCustomerGateway, NewVpnGateway, VgwAttachmentState, DEFAULT_AMAZON_ASN};
use crate::aws::route::{route_state, table_route_state, RouteState};
use crate::testkit::{a, b, route, three_vpcs, TestEnv};
use crate::{DomainError, RouteTarget, Tags, VpnProblem};

/// A short name for an outcome, to compare in tables.
fn short<T>(r: &Result<T, DomainError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(DomainError::Vpn(p)) => match p {
            VpnProblem::GatewayType { .. } => "Type",
            VpnProblem::AmazonSideAsn { .. } => "AmazonAsn",
            VpnProblem::BgpAsn { .. } => "BgpAsn",
            VpnProblem::CustomerGatewayAddress { .. } => "Address",
            VpnProblem::DeviceNameTooLong => "DeviceName",
            VpnProblem::GatewayAttached { .. } => "IncorrectState",
            VpnProblem::VpcHasGateway { .. } => "AttachmentLimit",
            VpnProblem::AttachmentNotFound { .. } => "AttachmentNotFound",
            other => return format!("{other:?}"),
        }
        .into(),
        Err(DomainError::NotFound { kind, .. }) => format!("NotFound({kind:?})"),
        Err(DomainError::MalformedId { kind, .. }) => format!("Malformed({kind:?})"),
        Err(DomainError::GatewayNotAttached { .. }) => "NotAttached".into(),
        Err(DomainError::DependencyViolation { .. }) => "Dependency".into(),
        Err(DomainError::DifferentVpcs(_)) => "DifferentVpcs".into(),
        Err(other) => format!("{other:?}"),
    }
}

fn vgw(asn: Option<&str>) -> NewVpnGateway {
    NewVpnGateway {
        gateway_type: "ipsec.1".into(),
        amazon_side_asn: asn.map(Into::into),
        availability_zone: None,
        tags: Tags::new(),
    }
}

/// A new gateway of account A (`vgw(None)`): its id.
fn new_vgw(env: &mut TestEnv) -> String {
    env.run(&a(), |tx| tx.create_vpn_gateway(vgw(None)))
        .expect("vgw")
        .id
}

fn cgw(asn: Option<&str>, ip: &str) -> NewCustomerGateway {
    NewCustomerGateway {
        gateway_type: "ipsec.1".into(),
        bgp_asn: asn.map(Into::into),
        ip_address: ip.into(),
        device_name: None,
        tags: Tags::new(),
    }
}

#[test]
fn create_vpn_gateway_checks_type_and_asn() {
    let mut env = TestEnv::new();
    let rows: Vec<(NewVpnGateway, &str)> = vec![
        (vgw(None), "ok"),
        (vgw(Some("64512")), "ok"),
        (vgw(Some("65534")), "ok"),
        (vgw(Some("4200000000")), "ok"),
        (vgw(Some("4294967294")), "ok"),
        (vgw(Some("64511")), "AmazonAsn"),
        (vgw(Some("65535")), "AmazonAsn"),
        (vgw(Some("4294967295")), "AmazonAsn"),
        (vgw(Some("abc")), "AmazonAsn"),
        (
            NewVpnGateway {
                gateway_type: "ipsec.2".into(),
                ..vgw(None)
            },
            "Type",
        ),
    ];
    for (input, want) in rows {
        let what = format!("{input:?}");
        let got = env.probe(&a(), |tx| tx.create_vpn_gateway(input));
        assert_eq!(short(&got), want, "{what}");
    }
    let g = env
        .run(&a(), |tx| tx.create_vpn_gateway(vgw(None)))
        .expect("vgw");
    assert!(g.id.starts_with("vgw-"));
    assert_eq!(g.amazon_side_asn, DEFAULT_AMAZON_ASN);
    assert_eq!(g.attachment, None);
    assert_eq!(env.world.aws.vpn_gateways()[&g.id], g);
}

#[test]
fn attach_detach_delete_transitions() {
    let (mut env, v1, v2, vb) = three_vpcs();
    let g1 = new_vgw(&mut env);
    let g2 = new_vgw(&mut env);
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g1, &v1))
        .expect("attach");
    // (operation, gateway, vpc, expected)
    let rows: Vec<(&str, &str, &str, &str)> = vec![
        ("attach", &g1, &v1, "IncorrectState"),
        ("attach", &g1, &v2, "IncorrectState"),
        ("attach", &g2, &v1, "AttachmentLimit"),
        ("attach", &g2, &v2, "ok"),
        ("attach", &g2, &vb, "NotFound(Vpc)"),
        ("attach", &g2, "vpc-0123456789abcdef0", "NotFound(Vpc)"),
        (
            "attach",
            "vgw-0123456789abcdef0",
            &v2,
            "NotFound(VpnGateway)",
        ),
        ("attach", "vgw-x", &v2, "Malformed(VpnGateway)"),
        ("detach", &g1, &v1, "ok"),
        ("detach", &g1, &v2, "AttachmentNotFound"),
        ("detach", &g2, &v1, "AttachmentNotFound"),
        ("detach", &g2, "vpc-x", "Malformed(Vpc)"),
        ("delete", &g1, "", "IncorrectState"),
        ("delete", &g2, "", "ok"),
        (
            "delete",
            "vgw-0123456789abcdef0",
            "",
            "NotFound(VpnGateway)",
        ),
    ];
    for (op, g, v, want) in rows {
        let got = env.probe(&a(), |tx| match op {
            "attach" => tx.attach_vpn_gateway(g, v).map(drop),
            "detach" => tx.detach_vpn_gateway(g, v),
            _ => tx.delete_vpn_gateway(g),
        });
        assert_eq!(short(&got), want, "{op} {g} {v}");
    }
    // Another account sees none of them.
    assert_eq!(
        short(&env.probe(&b(), |tx| tx.delete_vpn_gateway(&g2))),
        "NotFound(VpnGateway)"
    );
    // A VPC with a gateway attached cannot be deleted.
    assert_eq!(
        short(&env.probe(&a(), |tx| tx.delete_vpc(&v1))),
        "Dependency"
    );
    // Detach: the attachment stays listed as detached; the VPC takes another gateway.
    env.run(&a(), |tx| tx.detach_vpn_gateway(&g1, &v1))
        .expect("detach");
    let att = env.world.aws.vpn_gateways()[&g1]
        .attachment
        .clone()
        .expect("listed");
    assert_eq!(
        (att.vpc_id.as_str(), att.state),
        (v1.as_str(), VgwAttachmentState::Detached)
    );
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g2, &v1))
        .expect("another gateway");
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g1, &v2))
        .expect("the first elsewhere");
    env.run(&a(), |tx| tx.detach_vpn_gateway(&g1, &v2))
        .expect("detach");
    env.run(&a(), |tx| tx.delete_vpn_gateway(&g1))
        .expect("delete");
    assert!(!env.world.aws.vpn_gateways().contains_key(&g1));
}

#[test]
fn routes_to_a_vgw_need_it_attached_here_and_go_blackhole_after() {
    let mut env = TestEnv::new();
    let v1 = env.vpc(&a(), "10.0.0.0/16");
    let v2 = env.vpc(&a(), "10.1.0.0/16");
    let t1 = env.route_table(&a(), &v1);
    let g = new_vgw(&mut env);
    let target = || RouteTarget::Gateway(g.clone());
    let got = env.probe(&a(), |tx| {
        tx.create_route(route(&t1, "192.168.0.0/16", target()))
    });
    assert_eq!(short(&got), "DifferentVpcs", "detached");
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g, &v2))
        .expect("attach");
    let got = env.probe(&a(), |tx| {
        tx.create_route(route(&t1, "192.168.0.0/16", target()))
    });
    assert_eq!(short(&got), "DifferentVpcs", "attached to another VPC");
    env.run(&a(), |tx| tx.detach_vpn_gateway(&g, &v2))
        .expect("detach");
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g, &v1))
        .expect("attach");
    env.run(&a(), |tx| {
        tx.create_route(route(&t1, "192.168.0.0/16", target()))
    })
    .expect("route");
    let state = |env: &TestEnv| {
        let t = &env.world.aws.route_tables()[&t1];
        let r = t.routes.last().expect("route");
        (
            route_state(&env.world, r, env.now),
            table_route_state(&env.world, t, r, env.now),
        )
    };
    assert_eq!(state(&env), (RouteState::Active, RouteState::Active));
    env.run(&a(), |tx| tx.detach_vpn_gateway(&g, &v1))
        .expect("detach");
    assert_eq!(state(&env), (RouteState::Blackhole, RouteState::Blackhole));
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g, &v2))
        .expect("elsewhere");
    assert_eq!(state(&env), (RouteState::Active, RouteState::Blackhole));
    env.run(&a(), |tx| tx.detach_vpn_gateway(&g, &v2))
        .expect("detach");
    env.run(&a(), |tx| tx.delete_vpn_gateway(&g))
        .expect("delete");
    assert_eq!(state(&env), (RouteState::Blackhole, RouteState::Blackhole));
}

#[test]
fn route_propagation_transitions() {
    let mut env = TestEnv::new();
    let v1 = env.vpc(&a(), "10.0.0.0/16");
    let v2 = env.vpc(&a(), "10.1.0.0/16");
    let t1 = env.route_table(&a(), &v1);
    let t2 = env.route_table(&a(), &v2);
    let g = new_vgw(&mut env);
    let set = |env: &mut TestEnv, t: &str, on: bool| {
        env.probe(&a(), |tx| tx.set_vgw_propagation(t, &g, on))
    };
    assert_eq!(short(&set(&mut env, &t1, true)), "NotAttached");
    assert_eq!(
        short(&set(&mut env, &t1, false)),
        "ok",
        "disable what is off"
    );
    env.run(&a(), |tx| tx.attach_vpn_gateway(&g, &v1))
        .expect("attach");
    assert_eq!(short(&set(&mut env, &t2, true)), "NotAttached", "other VPC");
    let rows: Vec<(&str, &str, bool, &str)> = vec![
        (
            "rtb-0123456789abcdef0",
            g.as_str(),
            true,
            "NotFound(RouteTable)",
        ),
        (&t1, "vgw-0123456789abcdef0", true, "NotFound(VpnGateway)"),
        (&t1, "vgw-zz", true, "Malformed(VpnGateway)"),
        (&t1, g.as_str(), true, "ok"),
    ];
    for (t, gw, on, want) in rows {
        let got = env.probe(&a(), |tx| tx.set_vgw_propagation(t, gw, on));
        assert_eq!(short(&got), want, "{t} {gw} {on}");
    }
    for _ in 0..2 {
        env.run(&a(), |tx| tx.set_vgw_propagation(&t1, &g, true))
            .expect("enable, twice");
    }
    assert_eq!(
        env.world.aws.vpn_gateways()[&g].propagations,
        vec![t1.clone()]
    );
    let shown: Vec<String> = env
        .probe(&a(), |tx| {
            Ok(tx
                .propagating_vgws(&t1)
                .iter()
                .map(|g| g.id.clone())
                .collect())
        })
        .expect("read");
    assert_eq!(shown, vec![g.clone()]);
    env.run(&a(), |tx| tx.set_vgw_propagation(&t1, &g, false))
        .expect("disable");
    assert!(env.world.aws.vpn_gateways()[&g].propagations.is_empty());
    // Detaching ends the propagations.
    env.run(&a(), |tx| tx.set_vgw_propagation(&t1, &g, true))
        .expect("enable");
    env.run(&a(), |tx| tx.detach_vpn_gateway(&g, &v1))
        .expect("detach");
    assert!(env.world.aws.vpn_gateways()[&g].propagations.is_empty());
}

#[test]
fn customer_gateways() {
    let mut env = TestEnv::new();
    let rows: Vec<(NewCustomerGateway, &str)> = vec![
        (cgw(Some("65000"), "203.0.113.12"), "ok"),
        (cgw(None, "203.0.113.12"), "ok"),
        (cgw(Some("1"), "198.51.100.1"), "ok"),
        (cgw(Some("4294967294"), "198.51.100.1"), "ok"),
        (cgw(Some("0"), "198.51.100.1"), "BgpAsn"),
        (cgw(Some("4294967295"), "198.51.100.1"), "BgpAsn"),
        (cgw(Some("x"), "198.51.100.1"), "BgpAsn"),
        (cgw(Some("65000"), "198.51.100"), "Address"),
        (cgw(Some("65000"), "2001:db8::1"), "Address"),
        (cgw(Some("65000"), ""), "Address"),
        (
            NewCustomerGateway {
                gateway_type: "ipsec.2".into(),
                ..cgw(None, "198.51.100.1")
            },
            "Type",
        ),
        (
            NewCustomerGateway {
                device_name: Some("d".repeat(256)),
                ..cgw(None, "198.51.100.1")
            },
            "DeviceName",
        ),
    ];
    for (input, want) in rows {
        let what = format!("{:?} {:?}", input.bgp_asn, input.ip_address);
        let got = env.probe(&a(), |tx| tx.create_customer_gateway(input));
        assert_eq!(short(&got), want, "{what}");
    }
    let c = env
        .run(&a(), |tx| {
            tx.create_customer_gateway(NewCustomerGateway {
                device_name: Some("edge-1".into()),
                ..cgw(None, "203.0.113.12")
            })
        })
        .expect("cgw");
    assert!(c.id.starts_with("cgw-"));
    assert_eq!(c.bgp_asn, 65000);
    assert_eq!(c.device_name.as_deref(), Some("edge-1"));
    assert_eq!(
        short(&env.probe(&b(), |tx| tx.delete_customer_gateway(&c.id))),
        "NotFound(CustomerGateway)"
    );
    assert_eq!(
        short(&env.probe(&a(), |tx| tx.delete_customer_gateway("cgw-x"))),
        "Malformed(CustomerGateway)"
    );
    env.run(&a(), |tx| tx.delete_customer_gateway(&c.id))
        .expect("delete");
    assert_eq!(
        short(&env.probe(&a(), |tx| tx.delete_customer_gateway(&c.id))),
        "NotFound(CustomerGateway)"
    );
}

#[test]
fn tags_reach_the_new_kinds() {
    let mut env = TestEnv::new();
    let g = new_vgw(&mut env);
    let c = env
        .run(&a(), |tx| {
            tx.create_customer_gateway(cgw(None, "203.0.113.9"))
        })
        .expect("cgw")
        .id;
    let tags: Tags = [("Name".to_owned(), "x".to_owned())].into_iter().collect();
    env.run(&a(), |tx| {
        tx.set_tags(&[g.clone(), c.clone()], tags.clone())
    })
    .expect("tag");
    assert_eq!(env.world.aws.vpn_gateways()[&g].tags, tags);
    assert_eq!(env.world.aws.customer_gateways()[&c].tags, tags);
    assert_eq!(
        short(&env.probe(&b(), |tx| {
            tx.set_tags(std::slice::from_ref(&g), tags.clone())
        })),
        "NotFound(VpnGateway)"
    );
}
