//! The typed NSG matcher against the string matcher it replaced (which parsed the rule's text on
//! every hop): same answer for every rule text and packet, valid or not.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::Ipv4Net;
use proptest::prelude::*;
use vpcpeer_model::azure::input::Syntax;
use vpcpeer_model::azure::{AzAccess, AzDirection, AzSecurityRule, Spelled};

use super::rule_matches;
use crate::model::{Header, Protocol};
use crate::walk::is_private;

/// The matcher as it was: strings parsed per call.
mod naive {
    use super::*;

    fn prefix_matches(p: &str, ip: Ipv4Addr, vnet_space: &[Ipv4Net]) -> bool {
        let p = p.trim();
        match p.to_ascii_lowercase().as_str() {
            "*" | "any" | "0.0.0.0/0" => true,
            "virtualnetwork" => vnet_space.iter().any(|n| n.contains(&ip)),
            "internet" => !vnet_space.iter().any(|n| n.contains(&ip)) && !is_private(ip),
            "azureloadbalancer" => ip == Ipv4Addr::new(168, 63, 129, 16),
            _ => p
                .parse::<Ipv4Net>()
                .map(|n| n.contains(&ip))
                .or_else(|_| p.parse::<Ipv4Addr>().map(|a| a == ip))
                .unwrap_or(false),
        }
    }

    fn port_matches(ranges: &[String], port: Option<u16>) -> bool {
        ranges.iter().any(|r| {
            let r = r.trim();
            if r == "*" {
                return true;
            }
            let Some(p) = port else {
                return false;
            };
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            match (a.trim().parse::<u16>(), b.trim().parse::<u16>()) {
                (Ok(a), Ok(b)) => a <= p && p <= b,
                _ => false,
            }
        })
    }

    pub(super) fn rule_matches(r: &Texts, h: &Header, space: &[Ipv4Net]) -> bool {
        let proto = r.protocol.to_ascii_lowercase();
        let proto_ok = match h.protocol {
            Protocol::All => proto == "*",
            Protocol::Tcp => proto == "*" || proto == "tcp",
            Protocol::Udp => proto == "*" || proto == "udp",
            Protocol::Icmp => proto == "*" || proto == "icmp",
        };
        let (IpAddr::V4(src), IpAddr::V4(dst)) = (h.src_ip, h.dst_ip) else {
            return false;
        };
        proto_ok
            && port_matches(&r.source_ports, h.src_port)
            && port_matches(&r.destination_ports, h.dst_port)
            && r.source_prefixes
                .iter()
                .any(|p| prefix_matches(p, src, space))
            && r.destination_prefixes
                .iter()
                .any(|p| prefix_matches(p, dst, space))
    }
}

/// A rule's texts, as the string matcher read them.
#[derive(Debug, Clone)]
struct Texts {
    protocol: String,
    source_ports: Vec<String>,
    destination_ports: Vec<String>,
    source_prefixes: Vec<String>,
    destination_prefixes: Vec<String>,
}

impl Texts {
    fn rule(&self) -> AzSecurityRule {
        fn each<T: Syntax>(v: &[String]) -> Vec<Spelled<T>> {
            v.iter().map(Spelled::new).collect()
        }
        AzSecurityRule {
            name: "r".into(),
            priority: 100,
            direction: AzDirection::Inbound,
            access: AzAccess::Allow,
            protocol: self.protocol.as_str().into(),
            source_ports: each(&self.source_ports),
            destination_ports: each(&self.destination_ports),
            source_prefixes: each(&self.source_prefixes),
            destination_prefixes: each(&self.destination_prefixes),
            description: None,
        }
    }
}

fn protocol() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Tcp", "tcp", "TCP", "Udp", "udp", "Icmp", "icmp", "Esp", "Ah", "*", " *", "Tcp ", "All",
        "any", "",
    ])
    .prop_map(str::to_owned)
}

fn port_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_owned()),
        Just(" * ".to_owned()),
        (0u32..70000).prop_map(|p| p.to_string()),
        (0u16..2000, 0u16..2000).prop_map(|(a, b)| format!("{a}-{b}")),
        (0u16..2000, 0u16..2000).prop_map(|(a, b)| format!(" {a} - {b} ")),
        (0u16..100).prop_map(|p| format!("+{p}")),
        prop::sample::select(vec!["", "-", "80-", "x", "1-2-3", "0-65535"]).prop_map(str::to_owned),
    ]
}

fn octet() -> impl Strategy<Value = u8> {
    prop::sample::select(vec![0u8, 1, 10, 100, 127, 168, 172, 192, 255])
}

fn prefix_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "*",
            " * ",
            "Any",
            "any",
            "0.0.0.0/0",
            "VirtualNetwork",
            "virtualnetwork",
            "Internet",
            "INTERNET",
            "AzureLoadBalancer",
            "Storage",
            "Sql.EastUS",
            "",
            "10.0.0.0/33",
            "x y",
            "168.63.129.16",
        ])
        .prop_map(str::to_owned),
        (octet(), octet(), 0u8..=32).prop_map(|(a, b, l)| format!("{a}.{b}.0.0/{l}")),
        (octet(), octet(), octet(), 0u8..=32)
            .prop_map(|(a, b, c, l)| format!(" {a}.{b}.{c}.1/{l}")),
        (octet(), octet(), octet()).prop_map(|(a, b, c)| format!("{a}.{b}.{c}.4")),
    ]
}

fn texts() -> impl Strategy<Value = Texts> {
    (
        protocol(),
        prop::collection::vec(port_text(), 0..3),
        prop::collection::vec(port_text(), 0..3),
        prop::collection::vec(prefix_text(), 0..3),
        prop::collection::vec(prefix_text(), 0..3),
    )
        .prop_map(|(protocol, sp, dp, sa, da)| Texts {
            protocol,
            source_ports: sp,
            destination_ports: dp,
            source_prefixes: sa,
            destination_prefixes: da,
        })
}

fn address() -> impl Strategy<Value = Ipv4Addr> {
    prop_oneof![
        (octet(), octet(), octet(), octet()).prop_map(|(a, b, c, d)| Ipv4Addr::new(a, b, c, d)),
        Just(Ipv4Addr::new(168, 63, 129, 16)),
        any::<u32>().prop_map(Ipv4Addr::from),
    ]
}

fn header() -> impl Strategy<Value = Header> {
    (
        address(),
        address(),
        prop::sample::select(vec![
            Protocol::Tcp,
            Protocol::Udp,
            Protocol::Icmp,
            Protocol::All,
        ]),
        prop::option::of(0u16..2100),
        prop::option::of(0u16..2100),
    )
        .prop_map(|(s, d, protocol, sp, dp)| Header {
            src_ip: IpAddr::V4(s),
            dst_ip: IpAddr::V4(d),
            protocol,
            src_port: sp,
            dst_port: dp,
            icmp: None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn typed_matcher_agrees_with_the_string_matcher(t in texts(), h in header()) {
        let space: Vec<Ipv4Net> = vec!["10.0.0.0/16".parse().unwrap(), "192.168.1.0/24".parse().unwrap()];
        prop_assert_eq!(rule_matches(&t.rule(), &h, &space), naive::rule_matches(&t, &h, &space));
    }
}

#[test]
fn the_default_rules_decide_as_azure_documents() {
    use vpcpeer_model::azure::AzNsg;
    let nsg = AzNsg {
        id: "n".into(),
        display_id: "n".into(),
        name: "n".into(),
        place: vpcpeer_model::azure::AzPlace {
            subscription: "s".into(),
            resource_group: "g".into(),
            location: "eastus".into(),
        },
        rules: Vec::new(),
        guid: "g".into(),
        tags: Default::default(),
    };
    let space: Vec<Ipv4Net> = vec!["10.0.0.0/16".parse().unwrap()];
    let h = |src: [u8; 4], dst: [u8; 4]| Header {
        src_ip: IpAddr::from(src),
        dst_ip: IpAddr::from(dst),
        protocol: Protocol::Tcp,
        src_port: Some(50000),
        dst_port: Some(443),
        icmp: None,
    };
    let inbound =
        |src, dst| super::nsg_decision(&nsg, AzDirection::Inbound, &h(src, dst), &space).name;
    let outbound =
        |src, dst| super::nsg_decision(&nsg, AzDirection::Outbound, &h(src, dst), &space).name;
    assert_eq!(inbound([10, 0, 1, 4], [10, 0, 2, 4]), "AllowVnetInBound");
    assert_eq!(
        inbound([168, 63, 129, 16], [10, 0, 2, 4]),
        "AllowAzureLoadBalancerInBound"
    );
    assert_eq!(inbound([8, 8, 8, 8], [10, 0, 2, 4]), "DenyAllInBound");
    assert_eq!(
        outbound([10, 0, 1, 4], [8, 8, 8, 8]),
        "AllowInternetOutBound"
    );
    assert_eq!(outbound([10, 0, 1, 4], [172, 16, 0, 1]), "DenyAllOutBound");
}
