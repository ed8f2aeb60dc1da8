//! Table tests of permission parsing: every refusal of a permission's text (protocol, ports,
//! ICMP type and code, peers, blocks, prefix lists, descriptions), pinned as the structured
//! error the wire crate words, and what a valid permission turns into.

use super::*;
use vpcpeer_model::TextProblem;

fn tcp(port: i64) -> Permission {
    Permission {
        protocol: "tcp".into(),
        from_port: Some(port),
        to_port: Some(port),
        ..Permission::default()
    }
}

fn with_cidr(mut p: Permission, cidr: &str) -> Permission {
    p.ipv4.push(Range {
        value: cidr.into(),
        description: None,
    });
    p
}

fn protocol(mut p: Permission, proto: &str) -> Permission {
    p.protocol = proto.into();
    p
}

fn rule(e: RuleProblem) -> DomainError {
    DomainError::Rule(e)
}

#[test]
fn permission_table() {
    type Row = (
        &'static str,
        fn() -> Permission,
        Result<(RuleProtocol, Option<i32>, Option<i32>), DomainError>,
    );
    let rows: &[Row] = &[
        (
            "tcp 22",
            || with_cidr(tcp(22), "10.1.0.0/16"),
            Ok((RuleProtocol::Tcp, Some(22), Some(22))),
        ),
        (
            "number 6 is tcp",
            || protocol(with_cidr(tcp(80), "10.1.0.0/16"), "6"),
            Ok((RuleProtocol::Tcp, Some(80), Some(80))),
        ),
        (
            "all is -1, ports dropped",
            || protocol(with_cidr(tcp(80), "10.1.0.0/16"), "all"),
            Ok((RuleProtocol::All, None, None)),
        ),
        (
            "17 is udp",
            || protocol(with_cidr(tcp(53), "10.1.0.0/16"), "17"),
            Ok((RuleProtocol::Udp, Some(53), Some(53))),
        ),
        (
            "icmp defaults to all",
            || protocol(with_cidr(Permission::default(), "10.1.0.0/16"), "1"),
            Ok((RuleProtocol::Icmp, Some(-1), Some(-1))),
        ),
        (
            "58 is icmpv6",
            || Permission {
                protocol: "58".into(),
                from_port: Some(128),
                to_port: Some(0),
                ipv6: vec![Range {
                    value: "2600::/56".into(),
                    description: None,
                }],
                ..Permission::default()
            },
            Ok((RuleProtocol::Icmpv6, Some(128), Some(0))),
        ),
        (
            "esp keeps its number",
            || protocol(with_cidr(Permission::default(), "10.1.0.0/16"), "50"),
            Ok((RuleProtocol::Number(50), None, None)),
        ),
        (
            "host bits masked",
            || with_cidr(tcp(22), "10.0.0.28/29"),
            Ok((RuleProtocol::Tcp, Some(22), Some(22))),
        ),
        (
            "unknown protocol",
            || protocol(with_cidr(tcp(22), "10.1.0.0/16"), "bogus"),
            Err(rule(RuleProblem::UnknownProtocol {
                value: "bogus".into(),
            })),
        ),
        (
            "tcp without ports",
            || {
                let mut p = with_cidr(tcp(22), "10.1.0.0/16");
                p.to_port = None;
                p
            },
            Err(rule(RuleProblem::PortsMissing)),
        ),
        (
            "tcp reversed ports",
            || {
                let mut p = with_cidr(tcp(22), "10.1.0.0/16");
                p.from_port = Some(100);
                p
            },
            Err(rule(RuleProblem::PortsReversed(100, 22))),
        ),
        (
            "tcp port too high",
            || with_cidr(tcp(65536), "10.1.0.0/16"),
            Err(rule(RuleProblem::PortOutOfRange(65536))),
        ),
        (
            "icmp type out of range",
            || protocol(with_cidr(tcp(256), "10.1.0.0/16"), "icmp"),
            Err(rule(RuleProblem::IcmpOutOfRange(256))),
        ),
        (
            "icmp code without a type",
            || {
                let mut p = protocol(with_cidr(tcp(3), "10.1.0.0/16"), "icmp");
                p.from_port = Some(-1);
                p
            },
            Err(rule(RuleProblem::IcmpCodeWithAllTypes)),
        ),
        (
            "bad cidr",
            || with_cidr(tcp(22), "10.1.0.0"),
            Err(rule(RuleProblem::MalformedCidr {
                value: "10.1.0.0".into(),
            })),
        ),
        (
            "ipv6 in IpRanges",
            || with_cidr(tcp(22), "::/0"),
            Err(rule(RuleProblem::MalformedCidr {
                value: "::/0".into(),
            })),
        ),
        (
            "protocol checked before the peers",
            || protocol(tcp(22), "bogus"),
            Err(rule(RuleProblem::UnknownProtocol {
                value: "bogus".into(),
            })),
        ),
        (
            "no peer at all",
            || tcp(22),
            Err(rule(RuleProblem::NoPeers)),
        ),
        (
            "bad prefix list",
            || {
                let mut p = tcp(22);
                p.prefix_lists.push(Range {
                    value: "nope".into(),
                    description: None,
                });
                p
            },
            Err(rule(RuleProblem::MalformedPrefixList {
                value: "nope".into(),
            })),
        ),
        (
            "bad description",
            || {
                let mut p = tcp(22);
                p.ipv4.push(Range {
                    value: "10.1.0.0/16".into(),
                    description: Some("é".into()),
                });
                p
            },
            Err(DomainError::TextRefused {
                field: Field::RuleDescription,
                value: "é".into(),
                problem: TextProblem::Character('é'),
            }),
        ),
        (
            "description checked before its block",
            || {
                let mut p = tcp(22);
                p.ipv4.push(Range {
                    value: "nope".into(),
                    description: Some("é".into()),
                });
                p
            },
            Err(DomainError::TextRefused {
                field: Field::RuleDescription,
                value: "é".into(),
                problem: TextProblem::Character('é'),
            }),
        ),
        (
            "bad group pair description",
            || {
                let mut p = tcp(22);
                p.groups.push(GroupPair {
                    group_id: Some("sg-1".into()),
                    description: Some("x".repeat(256)),
                    ..GroupPair::default()
                });
                p
            },
            Err(DomainError::TextRefused {
                field: Field::RuleDescription,
                value: "x".repeat(256),
                problem: TextProblem::TooLong { max: 255 },
            }),
        ),
    ];
    for (name, make, want) in rows {
        let got = make()
            .parse(PermissionUse::Authorize)
            .map(|p| (p.protocol, p.from_port, p.to_port));
        assert_eq!(&got, want, "{name}");
    }
}

#[test]
fn blocks_are_masked_and_keep_the_callers_text() {
    let mut p = with_cidr(tcp(22), "10.0.0.28/29");
    p.ipv6.push(Range {
        value: "2600::1/56".into(),
        description: Some("v6".into()),
    });
    let got = p.parse(PermissionUse::Authorize).expect("valid");
    assert_eq!(got.ipv4[0].value, "10.0.0.24/29".parse().unwrap());
    assert_eq!(got.ipv4[0].given, "10.0.0.28/29");
    assert_eq!(got.ipv6[0].value, "2600::/56".parse().unwrap());
    assert_eq!(got.ipv6[0].given, "2600::1/56");
    assert_eq!(got.ipv6[0].description.as_deref(), Some("v6"));
}

#[test]
fn a_revoke_checks_only_what_finds_rules() {
    let mut p = tcp(22);
    p.prefix_lists.push(Range {
        value: "nope".into(),
        description: Some("é".into()),
    });
    let got = p.parse(PermissionUse::Revoke).expect("revoke skips these");
    assert_eq!(got.prefix_lists[0].value, "nope");
    assert!(matches!(
        p.parse(PermissionUse::Authorize),
        Err(DomainError::TextRefused { .. })
    ));
    assert_eq!(
        with_cidr(tcp(22), "10.1.0.0").parse(PermissionUse::Revoke),
        Err(rule(RuleProblem::MalformedCidr {
            value: "10.1.0.0".into()
        })),
        "a revoke still needs a block it can match"
    );
}

#[test]
fn parse_all_stops_at_the_first_refusal() {
    let perms = [
        with_cidr(tcp(22), "10.1.0.0/16"),
        tcp(80),
        protocol(tcp(1), "bogus"),
    ];
    assert_eq!(
        parse_all(&perms, PermissionUse::Authorize),
        Err(rule(RuleProblem::NoPeers))
    );
    assert_eq!(
        parse_all(&perms[..1], PermissionUse::Authorize).map(|v| v.len()),
        Ok(1)
    );
}

#[test]
fn protocol_normalisation() {
    let rows = [
        ("TCP", Ok("tcp")),
        ("6", Ok("tcp")),
        ("udp", Ok("udp")),
        ("17", Ok("udp")),
        ("1", Ok("icmp")),
        ("ICMPv6", Ok("icmpv6")),
        ("58", Ok("icmpv6")),
        ("all", Ok("-1")),
        ("-1", Ok("-1")),
        ("47", Ok("47")),
        ("256", Err(())),
        ("+6", Err(())),
        ("", Err(())),
    ];
    for (input, want) in rows {
        assert_eq!(
            parse_protocol(input)
                .map(RuleProtocol::stored)
                .map_err(|_| ()),
            want.map(str::to_owned),
            "{input}"
        );
    }
}
