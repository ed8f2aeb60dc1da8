//! Table tests of DHCP option sets: validation, the default set, association and deletion.

use super::{default_domain_name, default_id, DhcpConfiguration};
use crate::testkit::{a, b, three_vpcs, TestEnv};
use crate::{DomainError, Scope, Tags, VpnProblem};

fn short<T>(r: &Result<T, DomainError>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(DomainError::Vpn(p)) => match p {
            VpnProblem::DhcpKey { .. } => "Key",
            VpnProblem::DhcpValue { .. } => "Value",
            VpnProblem::DhcpTooManyValues { .. } => "TooMany",
            VpnProblem::DhcpKeyRepeated { .. } => "Repeated",
            VpnProblem::DhcpNoValue { .. } => "NoValue",
            other => return format!("{other:?}"),
        }
        .into(),
        Err(DomainError::NotFound { kind, .. }) => format!("NotFound({kind:?})"),
        Err(DomainError::MalformedId { kind, .. }) => format!("Malformed({kind:?})"),
        Err(DomainError::DependencyViolation { .. }) => "Dependency".into(),
        Err(other) => format!("{other:?}"),
    }
}

fn conf(key: &str, values: &[&str]) -> DhcpConfiguration {
    DhcpConfiguration {
        key: key.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

#[test]
fn create_checks_every_option() {
    let mut env = TestEnv::new();
    let rows: Vec<(Vec<DhcpConfiguration>, &str)> = vec![
        (vec![conf("domain-name", &["corp.example.com"])], "ok"),
        (vec![conf("domain-name", &["a.example b.example"])], "ok"),
        (vec![conf("domain-name", &["bad_name"])], "Value"),
        (
            vec![conf("domain-name", &["a.example", "b.example"])],
            "TooMany",
        ),
        (
            vec![conf("domain-name-servers", &["AmazonProvidedDNS"])],
            "ok",
        ),
        (
            vec![conf(
                "domain-name-servers",
                &["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"],
            )],
            "ok",
        ),
        (
            vec![conf(
                "domain-name-servers",
                &["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"],
            )],
            "TooMany",
        ),
        (vec![conf("domain-name-servers", &["dns.example"])], "Value"),
        (
            vec![conf("ntp-servers", &["169.254.169.123", "fd00:ec2::123"])],
            "ok",
        ),
        (vec![conf("ntp-servers", &["ntp.example"])], "Value"),
        (vec![conf("netbios-name-servers", &["10.0.0.9"])], "ok"),
        (vec![conf("netbios-name-servers", &["::1"])], "Value"),
        (vec![conf("netbios-node-type", &["2"])], "ok"),
        (vec![conf("netbios-node-type", &["3"])], "Value"),
        (
            vec![conf("ipv6-address-preferred-lease-time", &["140"])],
            "ok",
        ),
        (
            vec![conf("ipv6-address-preferred-lease-time", &["139"])],
            "Value",
        ),
        (vec![conf("domain-name", &[])], "NoValue"),
        (vec![], "NoValue"),
        (vec![conf("dns", &["10.0.0.2"])], "Key"),
        (
            vec![
                conf("domain-name", &["a.example"]),
                conf("domain-name", &["b.example"]),
            ],
            "Repeated",
        ),
    ];
    for (input, want) in rows {
        let what = format!("{input:?}");
        let got = env.probe(&a(), |tx| tx.create_dhcp_options(input, Tags::new()));
        assert_eq!(short(&got), want, "{what}");
    }
    let d = env
        .run(&a(), |tx| {
            tx.create_dhcp_options(
                vec![
                    conf("domain-name-servers", &["10.0.0.2"]),
                    conf("domain-name", &["corp.example"]),
                ],
                Tags::new(),
            )
        })
        .expect("dopt");
    assert!(d.id.starts_with("dopt-"));
    assert_eq!(
        d.configurations[0].key, "domain-name-servers",
        "request order"
    );
    assert_eq!(env.world.aws.dhcp_options()[&d.id], d);
}

#[test]
fn every_new_vpc_gets_the_regions_default_set() {
    let (env, v1, v2, vb) = three_vpcs();
    let id_a = default_id(&a());
    let id_b = default_id(&b());
    assert_ne!(id_a, id_b);
    assert!(crate::aws::has_id_shape(&id_a, "dopt"), "{id_a}");
    let vpcs = env.world.aws.vpcs();
    assert_eq!(vpcs[&v1].dhcp_options_id, id_a);
    assert_eq!(vpcs[&v2].dhcp_options_id, id_a);
    assert_eq!(vpcs[&vb].dhcp_options_id, id_b);
    let d = &env.world.aws.dhcp_options()[&id_a];
    assert_eq!(d.scope, a());
    let shown: Vec<(&str, Vec<String>)> = d
        .configurations
        .iter()
        .map(|c| (c.key.as_str(), c.values.clone()))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("domain-name", vec![default_domain_name(&a().region)]),
            ("domain-name-servers", vec!["AmazonProvidedDNS".to_owned()]),
        ]
    );
    assert_eq!(default_domain_name("us-east-1"), "ec2.internal");
    assert_eq!(
        default_domain_name("eu-west-1"),
        "eu-west-1.compute.internal"
    );
    // One default set per (account, region).
    assert_eq!(env.world.aws.dhcp_options().len(), 2);
    let other_region = Scope::new(a().account, "eu-west-1");
    assert_ne!(default_id(&other_region), id_a);
}

#[test]
fn associate_and_delete() {
    let mut env = TestEnv::new();
    let v = env.vpc(&a(), "10.0.0.0/16");
    let vb = env.vpc(&b(), "10.2.0.0/16");
    let default = default_id(&a());
    let d = env
        .run(&a(), |tx| {
            tx.create_dhcp_options(vec![conf("domain-name", &["corp.example"])], Tags::new())
        })
        .expect("dopt")
        .id;
    // (operation, set, vpc, expected)
    let rows: Vec<(&str, &str, &str, &str)> = vec![
        ("associate", &d, &v, "ok"),
        ("associate", "default", &v, "ok"),
        ("associate", &d, &vb, "NotFound(Vpc)"),
        (
            "associate",
            "dopt-0123456789abcdef0",
            &v,
            "NotFound(DhcpOptions)",
        ),
        ("associate", "dopt-x", &v, "Malformed(DhcpOptions)"),
        ("delete", &d, "", "ok"),
        ("delete", &default, "", "Dependency"),
        (
            "delete",
            "dopt-0123456789abcdef0",
            "",
            "NotFound(DhcpOptions)",
        ),
    ];
    for (op, set, vpc, want) in rows {
        let got = env.probe(&a(), |tx| match op {
            "associate" => tx.associate_dhcp_options(set, vpc),
            _ => tx.delete_dhcp_options(set),
        });
        assert_eq!(short(&got), want, "{op} {set} {vpc}");
    }
    assert_eq!(
        short(&env.probe(&b(), |tx| tx.delete_dhcp_options(&d))),
        "NotFound(DhcpOptions)"
    );
    env.run(&a(), |tx| tx.associate_dhcp_options(&d, &v))
        .expect("associate");
    assert_eq!(env.world.aws.vpcs()[&v].dhcp_options_id, d);
    assert_eq!(
        short(&env.probe(&a(), |tx| tx.delete_dhcp_options(&d))),
        "Dependency"
    );
    env.run(&a(), |tx| tx.associate_dhcp_options("default", &v))
        .expect("none");
    assert_eq!(env.world.aws.vpcs()[&v].dhcp_options_id, "default");
    env.run(&a(), |tx| tx.delete_dhcp_options(&d))
        .expect("free");
    // The default set, once unused, can be deleted; the next VPC brings it back.
    env.run(&a(), |tx| tx.delete_dhcp_options(&default))
        .expect("delete default");
    assert!(!env.world.aws.dhcp_options().contains_key(&default));
    let v2 = env.vpc(&a(), "10.1.0.0/16");
    assert_eq!(env.world.aws.vpcs()[&v2].dhcp_options_id, default);
    assert!(env.world.aws.dhcp_options().contains_key(&default));
}
