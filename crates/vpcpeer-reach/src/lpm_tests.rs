//! Tests of the longest-prefix-match tables: table tests and property tests against
//! [`naive_lookup`].

use super::*;
use proptest::prelude::*;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// `lookup`, the batch lookups and the oracle agree on `addr`, prefix and value.
fn check(lpm: &Lpm<u32>, routes: &[(IpNet, u32)], addrs: &[IpAddr]) {
    for &a in addrs {
        let got = lpm.lookup(a).map(|(n, v)| (n, *v));
        let want = naive_lookup(routes, a).map(|(n, v)| (n, *v));
        assert_eq!(got, want, "lookup of {a}");
    }
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for a in addrs {
        match *a {
            IpAddr::V4(a) => v4.push(a),
            IpAddr::V6(a) => v6.push(a),
        }
    }
    check_batch(
        &v4,
        |a, out| lpm.lookup_v4_many(a, out),
        |a| lpm.lookup_v4(a),
    );
    check_batch(
        &v6,
        |a, out| lpm.lookup_v6_many(a, out),
        |a| lpm.lookup_v6(a),
    );
}

/// The batch lookup `many` answers each of `addrs` as the single lookup `one` does.
fn check_batch<A: Copy + std::fmt::Display, R: PartialEq + std::fmt::Debug>(
    addrs: &[A],
    many: impl FnOnce(&[A], &mut Vec<R>),
    one: impl Fn(A) -> R,
) {
    let mut out = Vec::new();
    many(addrs, &mut out);
    assert_eq!(out.len(), addrs.len());
    for (a, got) in addrs.iter().zip(&out) {
        assert_eq!(*got, one(*a), "batch lookup of {a}");
    }
}

fn distinct(routes: &[(IpNet, u32)]) -> usize {
    let mut nets: Vec<IpNet> = routes.iter().map(|(n, _)| n.trunc()).collect();
    nets.sort();
    nets.dedup();
    nets.len()
}

#[test]
fn empty_table_matches_nothing() {
    let lpm: Lpm<u32> = Lpm::new([]);
    assert!(lpm.is_empty());
    assert_eq!(lpm.len(), 0);
    for a in [
        "0.0.0.0",
        "10.0.0.1",
        "255.255.255.255",
        "::",
        "2001:db8::1",
    ] {
        assert_eq!(lpm.lookup(ip(a)), None);
    }
    assert_eq!(lpm.intervals(), (1, 1));
}

#[test]
fn default_route_only_matches_everything_of_its_family() {
    let routes = vec![(net("0.0.0.0/0"), 7)];
    let lpm = Lpm::new(routes.clone());
    assert_eq!(lpm.len(), 1);
    for a in ["0.0.0.0", "10.0.0.1", "255.255.255.255"] {
        assert_eq!(lpm.lookup(ip(a)), Some((net("0.0.0.0/0"), &7)));
    }
    assert_eq!(lpm.lookup(ip("::1")), None);
    let lpm6 = Lpm::new([(net("::/0"), 9)]);
    assert_eq!(lpm6.lookup(ip("::")), Some((net("::/0"), &9)));
    assert_eq!(
        lpm6.lookup(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
        Some((net("::/0"), &9))
    );
    assert_eq!(lpm6.lookup(ip("1.2.3.4")), None);
    check(&lpm, &routes, &[ip("0.0.0.0"), ip("255.255.255.255")]);
}

#[test]
fn host_routes_match_only_their_address() {
    let routes = vec![
        (net("10.0.0.5/32"), 1),
        (net("0.0.0.0/32"), 2),
        (net("255.255.255.255/32"), 3),
        (net("10.0.0.0/24"), 4),
    ];
    let lpm = Lpm::new(routes.clone());
    assert_eq!(lpm.lookup(ip("10.0.0.5")), Some((net("10.0.0.5/32"), &1)));
    assert_eq!(lpm.lookup(ip("10.0.0.4")), Some((net("10.0.0.0/24"), &4)));
    assert_eq!(lpm.lookup(ip("10.0.0.6")), Some((net("10.0.0.0/24"), &4)));
    assert_eq!(lpm.lookup(ip("0.0.0.0")), Some((net("0.0.0.0/32"), &2)));
    assert_eq!(lpm.lookup(ip("0.0.0.1")), None);
    assert_eq!(
        lpm.lookup(ip("255.255.255.255")),
        Some((net("255.255.255.255/32"), &3))
    );
    assert_eq!(lpm.lookup(ip("255.255.255.254")), None);
    let addrs: Vec<IpAddr> = [
        "0.0.0.0",
        "0.0.0.1",
        "9.255.255.255",
        "10.0.0.0",
        "10.0.0.255",
        "10.0.1.0",
        "255.255.255.254",
        "255.255.255.255",
    ]
    .map(ip)
    .to_vec();
    check(&lpm, &routes, &addrs);
}

#[test]
fn duplicate_prefix_last_wins() {
    // Also an untruncated spelling of the same prefix.
    let routes = vec![
        (net("10.0.0.0/16"), 1),
        (net("10.0.0.0/8"), 2),
        (net("10.0.0.0/16"), 3),
        (net("10.0.9.9/16"), 4),
        (net("2001:db8::/32"), 5),
        (net("2001:db8::1/32"), 6),
    ];
    let lpm = Lpm::new(routes.clone());
    assert_eq!(lpm.len(), 3);
    assert_eq!(lpm.lookup(ip("10.0.1.1")), Some((net("10.0.0.0/16"), &4)));
    assert_eq!(lpm.lookup(ip("10.1.0.0")), Some((net("10.0.0.0/8"), &2)));
    assert_eq!(
        lpm.lookup(ip("2001:db8::7")),
        Some((net("2001:db8::/32"), &6))
    );
    check(
        &lpm,
        &routes,
        &[ip("10.0.1.1"), ip("10.1.0.0"), ip("2001:db8::7")],
    );
}

#[test]
fn nested_prefixes_pick_the_most_specific() {
    let routes = vec![
        (net("0.0.0.0/0"), 0),
        (net("10.0.0.0/8"), 8),
        (net("10.1.0.0/16"), 16),
        (net("10.1.2.0/24"), 24),
        (net("10.1.2.128/25"), 25),
        (net("10.1.2.255/32"), 32),
        (net("10.200.0.0/16"), 160),
    ];
    let lpm = Lpm::new(routes.clone());
    let cases = [
        ("9.255.255.255", "0.0.0.0/0"),
        ("10.0.0.0", "10.0.0.0/8"),
        ("10.1.0.0", "10.1.0.0/16"),
        ("10.1.2.0", "10.1.2.0/24"),
        ("10.1.2.127", "10.1.2.0/24"),
        ("10.1.2.128", "10.1.2.128/25"),
        ("10.1.2.254", "10.1.2.128/25"),
        ("10.1.2.255", "10.1.2.255/32"),
        ("10.1.3.0", "10.1.0.0/16"),
        ("10.2.0.0", "10.0.0.0/8"),
        ("10.200.255.255", "10.200.0.0/16"),
        ("10.201.0.0", "10.0.0.0/8"),
        ("11.0.0.0", "0.0.0.0/0"),
        ("255.255.255.255", "0.0.0.0/0"),
    ];
    for (a, want) in cases {
        assert_eq!(lpm.lookup(ip(a)).map(|(n, _)| n), Some(net(want)), "{a}");
    }
    let addrs: Vec<IpAddr> = cases.iter().map(|(a, _)| ip(a)).collect();
    check(&lpm, &routes, &addrs);
}

#[test]
fn insert_and_remove_match_a_rebuild() {
    let mut lpm = Lpm::new([(net("10.0.0.0/8"), 1), (net("::/0"), 2)]);
    assert_eq!(lpm.insert(net("10.1.0.0/16"), 3), None);
    assert_eq!(lpm.insert(net("10.1.0.0/16"), 4), Some(3));
    assert_eq!(lpm.lookup(ip("10.1.2.3")), Some((net("10.1.0.0/16"), &4)));
    assert_eq!(lpm.remove(net("10.0.0.0/8")), Some(1));
    assert_eq!(lpm.remove(net("10.0.0.0/8")), None);
    assert_eq!(lpm.lookup(ip("10.2.0.0")), None);
    assert_eq!(lpm.remove(net("::/0")), Some(2));
    assert_eq!(lpm.lookup(ip("::1")), None);
    assert_eq!(lpm.len(), 1);
}

/// IPv4 prefix starts: uniform, or clustered inside 10.0.0.0/8 so that tables get many
/// nested prefixes and duplicates.
fn v4_addr() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        (0u32..16).prop_map(|x| 0x0A00_0000 | (x << 16)),
        any::<u16>().prop_map(|x| 0x0A00_0000 | u32::from(x)),
        Just(0),
        Just(u32::MAX),
    ]
}

fn v6_addr() -> impl Strategy<Value = u128> {
    prop_oneof![
        any::<u128>(),
        (0u128..16).prop_map(|x| (0x2001_0db8u128 << 96) | (x << 80)),
        any::<u32>().prop_map(|x| (0x2001_0db8u128 << 96) | u128::from(x)),
        Just(0),
        Just(u128::MAX),
    ]
}

/// Addresses at and around the edges of some routes (network, broadcast, ±1, wrapping),
/// picked by `picks`, plus `random` ones and the ends of the space.
fn probes(routes: &[(IpNet, u32)], picks: &[usize], random: Vec<IpAddr>) -> Vec<IpAddr> {
    let mut out = random;
    out.extend([
        ip("0.0.0.0"),
        ip("255.255.255.255"),
        ip("::"),
        IpAddr::V6(Ipv6Addr::from(u128::MAX)),
    ]);
    if routes.is_empty() {
        return out;
    }
    for &i in picks {
        match routes[i % routes.len()].0.trunc() {
            IpNet::V4(n) => {
                let (lo, hi) = n.range();
                // Truncating to 32 bits wraps as u32 arithmetic would.
                let around = around(lo.into(), hi.into()).map(|x| Ipv4Addr::from(x as u32));
                out.extend(around.map(IpAddr::V4));
            }
            IpNet::V6(n) => {
                let (lo, hi) = n.range();
                out.extend(around(lo, hi).map(|x| IpAddr::V6(Ipv6Addr::from(x))));
            }
        }
    }
    out
}

/// `lo` and `hi` and their neighbours, wrapping.
fn around(lo: u128, hi: u128) -> [u128; 6] {
    [
        lo.wrapping_sub(1),
        lo,
        lo.wrapping_add(1),
        hi.wrapping_sub(1),
        hi,
        hi.wrapping_add(1),
    ]
}

fn v4_routes(max: usize) -> impl Strategy<Value = Vec<(IpNet, u32)>> {
    prop::collection::vec((v4_addr(), 0u8..=32, 0u32..1000), 0..=max).prop_map(|rs| {
        rs.into_iter()
            .map(|(a, len, v)| (IpNet::V4(Ipv4Net::new(a.into(), len).unwrap()), v))
            .collect()
    })
}

fn v6_routes(max: usize) -> impl Strategy<Value = Vec<(IpNet, u32)>> {
    prop::collection::vec((v6_addr(), 0u8..=128, 0u32..1000), 0..=max).prop_map(|rs| {
        rs.into_iter()
            .map(|(a, len, v)| (IpNet::V6(Ipv6Net::new(a.into(), len).unwrap()), v))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn v4_lookup_matches_naive(
        routes in v4_routes(1000),
        picks in prop::collection::vec(any::<usize>(), 0..150),
        random in prop::collection::vec(v4_addr(), 0..100),
    ) {
        let lpm = Lpm::new(routes.clone());
        prop_assert_eq!(lpm.len(), distinct(&routes));
        let (m4, m6) = lpm.intervals();
        prop_assert!(m4 <= 2 * lpm.len() + 1 && m6 == 1);
        let random = random.into_iter().map(|a| IpAddr::V4(a.into())).collect();
        check(&lpm, &routes, &probes(&routes, &picks, random));
    }

    #[test]
    fn v6_lookup_matches_naive(
        routes in v6_routes(1000),
        picks in prop::collection::vec(any::<usize>(), 0..150),
        random in prop::collection::vec(v6_addr(), 0..100),
    ) {
        let lpm = Lpm::new(routes.clone());
        prop_assert_eq!(lpm.len(), distinct(&routes));
        let random = random.into_iter().map(|a| IpAddr::V6(a.into())).collect();
        check(&lpm, &routes, &probes(&routes, &picks, random));
    }

    #[test]
    fn mixed_families_match_naive(
        v4 in v4_routes(60),
        v6 in v6_routes(60),
        picks in prop::collection::vec(any::<usize>(), 0..60),
    ) {
        let mut routes = v4;
        routes.extend(v6);
        // Interleave the families deterministically.
        routes.sort_by_key(|(_, v)| *v);
        let lpm = Lpm::new(routes.clone());
        check(&lpm, &routes, &probes(&routes, &picks, Vec::new()));
    }

    /// Inserting and removing routes one by one gives the same answers as building the
    /// final table from scratch.
    #[test]
    fn incremental_changes_match_naive(
        initial in v4_routes(200),
        ops in prop::collection::vec((any::<bool>(), v4_addr(), 0u8..=32, 0u32..1000), 0..40),
        picks in prop::collection::vec(any::<usize>(), 0..100),
    ) {
        let mut lpm = Lpm::new(initial.clone());
        let mut routes = initial;
        for (add, a, len, v) in ops {
            let n = IpNet::V4(Ipv4Net::new(a.into(), len).unwrap().trunc());
            let had = routes.iter().rev().find(|(m, _)| m.trunc() == n).map(|(_, v)| *v);
            if add {
                prop_assert_eq!(lpm.insert(n, v), had);
                routes.push((n, v));
            } else {
                prop_assert_eq!(lpm.remove(n), had);
                routes.retain(|(m, _)| m.trunc() != n);
            }
            prop_assert_eq!(lpm.len(), distinct(&routes));
        }
        check(&lpm, &routes, &probes(&routes, &picks, Vec::new()));
    }
}
