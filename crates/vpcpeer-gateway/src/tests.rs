//! The configuration's round trip, its refusals line by line, cryptokey routing and key checks.

use std::net::Ipv4Addr;

use proptest::prelude::*;

use super::*;

fn key(n: u8) -> PrivateKey {
    PrivateKey::from_bytes([n; 32])
}

fn net(s: &str) -> Ipv4Net {
    s.parse().unwrap()
}

fn sample() -> GatewayConfig {
    GatewayConfig {
        name: "aws-gw".into(),
        private_key: key(1),
        listen_port: DEFAULT_PORT,
        peers: vec![
            Peer {
                name: "gcp-gw".into(),
                public_key: key(2).public(),
                endpoint: "34.1.2.3:51820".parse().unwrap(),
                allowed_ips: vec![net("10.30.0.0/16"), net("10.31.0.0/16")],
            },
            Peer {
                name: "az-gw".into(),
                public_key: key(3).public(),
                endpoint: "20.1.2.3:51820".parse().unwrap(),
                allowed_ips: vec![net("10.0.0.0/8"), net("10.50.1.0/24")],
            },
        ],
    }
}

#[test]
fn a_rendered_configuration_parses_back_to_itself() {
    let c = sample();
    let text = c.render();
    assert!(text.starts_with(MARKER));
    assert_eq!(parse_user_data(&text), Some(Ok(c)));
}

#[test]
fn text_without_the_marker_is_not_a_gateway_configuration() {
    assert_eq!(parse_user_data(""), None);
    assert_eq!(parse_user_data("#!/bin/bash\necho hi\n"), None);
    assert_eq!(parse_user_data("#cloud-config\n[Interface]\n"), None);
}

#[test]
fn the_public_key_is_x25519_of_the_private_key() {
    // RFC 7748 §6.1: Alice's private key and public key.
    let alice = PrivateKey::from_bytes([
        0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66,
        0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9,
        0x2c, 0x2a,
    ]);
    let expected = [
        0x85, 0x20, 0xf0, 0x09, 0x89, 0x30, 0xa7, 0x54, 0x74, 0x8b, 0x7d, 0xdc, 0xb4, 0x3e, 0xf7,
        0x5a, 0x0d, 0xbf, 0x3a, 0x0d, 0x26, 0x38, 0x1a, 0xf4, 0xeb, 0xa4, 0xa9, 0x8e, 0xaa, 0x9b,
        0x4e, 0x6a,
    ];
    assert_eq!(alice.public(), PublicKey(expected));
    assert_eq!(
        PublicKey::from_base64(&alice.public().to_string()),
        Some(alice.public())
    );
}

#[test]
fn peer_keys_match_only_when_each_holds_the_others_public_key() {
    let a = sample();
    let mut b = GatewayConfig {
        name: "gcp-gw".into(),
        private_key: key(2),
        listen_port: DEFAULT_PORT,
        peers: vec![Peer {
            name: "aws-gw".into(),
            public_key: key(1).public(),
            endpoint: "3.1.2.3:51820".parse().unwrap(),
            allowed_ips: vec![net("10.10.0.0/16")],
        }],
    };
    assert!(a.peer_key_matches(&b));
    assert!(b.peer_key_matches(&a));
    b.private_key = key(9);
    assert!(
        !a.peer_key_matches(&b),
        "b's key was rotated, a's entry is stale"
    );
    assert!(b.peer_key_matches(&a));
    b.name = "other".into();
    assert!(!a.peer_key_matches(&b), "a has no entry for b");
}

#[test]
fn the_tunnel_for_a_destination_is_the_longest_allowed_prefix() {
    let c = sample();
    let name = |ip: &str| {
        c.peer_for(ip.parse::<Ipv4Addr>().unwrap())
            .map(|p| &*p.name)
    };
    assert_eq!(name("10.30.4.5"), Some("gcp-gw"), "/16 beats /8");
    assert_eq!(name("10.50.1.9"), Some("az-gw"));
    assert_eq!(name("10.99.0.1"), Some("az-gw"), "only the /8 holds it");
    assert_eq!(name("192.168.0.1"), None);
}

#[test]
fn refusals_name_the_line_and_what_is_wrong() {
    let cases: &[(&str, usize, Problem)] = &[
        (
            "#vpcpeer-gateway v1\n[Interface]\nName = a\nPrivateKey = nope\n",
            4,
            Problem::Value {
                key: "PrivateKey",
                value: "nope".into(),
            },
        ),
        (
            "#vpcpeer-gateway v1\n[Interface]\nName = a\n",
            2,
            Problem::Missing("PrivateKey"),
        ),
        ("#vpcpeer-gateway v1\n", 1, Problem::Missing("Name")),
        (
            "#vpcpeer-gateway v1\nName = a\n",
            2,
            Problem::Key("Name".into()),
        ),
        (
            "#vpcpeer-gateway v1\n[Interface]\njunk\n",
            3,
            Problem::Syntax,
        ),
        (
            "#vpcpeer-gateway v1\n[Interface]\n[Interface]\n",
            3,
            Problem::Section("Interface".into()),
        ),
        (
            "#vpcpeer-gateway v1\n[Interface]\nName = a\nListenPort = 70000\n",
            4,
            Problem::Value {
                key: "ListenPort",
                value: "70000".into(),
            },
        ),
        (
            "#vpcpeer-gateway v1\n[Peer]\nName = b\nEndpoint = 1.2.3.4\n",
            4,
            Problem::Value {
                key: "Endpoint",
                value: "1.2.3.4".into(),
            },
        ),
        (
            "#vpcpeer-gateway v1\n[Peer]\nName = b\n[Interface]\n",
            2,
            Problem::Missing("PublicKey"),
        ),
        (
            "#vpcpeer-gateway v1\n[Peer]\nAllowedIPs = 10.0.0.0/33\n",
            3,
            Problem::Value {
                key: "AllowedIPs",
                value: "10.0.0.0/33".into(),
            },
        ),
        (
            "#vpcpeer-gateway v1\n[Peer]\nMtu = 1400\n",
            3,
            Problem::Key("Mtu".into()),
        ),
    ];
    for (text, line, problem) in cases {
        let err = parse_user_data(text).unwrap().unwrap_err();
        assert_eq!(
            (err.line, &err.problem),
            (*line, problem),
            "for {text:?}: {err}"
        );
    }
}

#[test]
fn debug_never_shows_the_private_key() {
    let k = key(7);
    let shown = format!("{:?}", sample_with(k.clone()));
    assert!(!shown.contains(&k.to_base64()), "{shown}");
}

fn sample_with(k: PrivateKey) -> GatewayConfig {
    GatewayConfig {
        private_key: k,
        ..sample()
    }
}

proptest! {
    #[test]
    fn any_configuration_round_trips(
        seed in any::<[u8; 32]>(),
        port in 1u16..,
        peers in proptest::collection::vec(
            (any::<[u8; 32]>(), any::<u32>(), 1u16.., proptest::collection::vec((any::<u32>(), 0u8..=32), 0..4)),
            0..4,
        ),
    ) {
        let c = GatewayConfig {
            name: "gw".into(),
            private_key: PrivateKey::from_bytes(seed),
            listen_port: port,
            peers: peers
                .into_iter()
                .enumerate()
                .map(|(i, (k, ip, port, nets))| Peer {
                    name: format!("peer-{i}"),
                    public_key: PrivateKey::from_bytes(k).public(),
                    endpoint: SocketAddrV4::new(ip.into(), port),
                    allowed_ips: nets
                        .into_iter()
                        .map(|(a, len)| Ipv4Net::new(a.into(), len).unwrap().trunc())
                        .collect(),
                })
                .collect(),
        };
        prop_assert_eq!(parse_user_data(&c.render()), Some(Ok(c)));
    }
}
