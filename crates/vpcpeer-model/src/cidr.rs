//! CIDR parsing and the block rules of VPCs and subnets.

use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv6Net};

/// Parses an IPv4 CIDR, normalising host bits away (`100.68.0.18/18` → `100.68.0.0/18`), as EC2 does.
pub fn parse_v4(s: &str) -> Option<Ipv4Net> {
    let (addr, len) = s.trim().split_once('/')?;
    if len.is_empty() || len.len() > 2 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let addr: Ipv4Addr = addr.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    Ipv4Net::new(addr, len).ok().map(|n| n.trunc())
}

/// Parses an IPv6 CIDR, normalising host bits away.
pub fn parse_v6(s: &str) -> Option<Ipv6Net> {
    let (addr, len) = s.trim().split_once('/')?;
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let net: Ipv6Net = format!("{addr}/{len}").parse().ok()?;
    Some(net.trunc())
}

/// Whether two IPv4 blocks share any address.
pub fn overlaps_v4(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Whether two IPv6 blocks share any address.
pub fn overlaps_v6(a: Ipv6Net, b: Ipv6Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Whether two blocks of either family share any address (blocks of different families never do).
pub fn overlaps(a: &ipnet::IpNet, b: &ipnet::IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The addresses of `net` a cloud hands out to interfaces: all but the first `reserved_low` and
/// the last `reserved_high` (AWS and Azure reserve 4 and 1, GCP 2 and 2).
pub fn host_range(
    net: Ipv4Net,
    reserved_low: u32,
    reserved_high: u32,
) -> std::ops::RangeInclusive<Ipv4Addr> {
    let first = u32::from(net.network()).saturating_add(reserved_low);
    let last = u32::from(net.broadcast()).saturating_sub(reserved_high);
    Ipv4Addr::from(first)..=Ipv4Addr::from(last)
}

/// The lowest address of `range` that `taken` does not claim.
pub fn first_free(
    range: std::ops::RangeInclusive<Ipv4Addr>,
    taken: impl Fn(Ipv4Addr) -> bool,
) -> Option<Ipv4Addr> {
    (u32::from(*range.start())..=u32::from(*range.end()))
        .map(Ipv4Addr::from)
        .find(|a| !taken(*a))
}

/// Whether any block of `a` overlaps any block of `b`.
pub fn any_overlap_v4(a: &[Ipv4Net], b: &[Ipv4Net]) -> bool {
    a.iter().any(|x| b.iter().any(|y| overlaps_v4(*x, *y)))
}

/// VPC and subnet IPv4 blocks must be between /16 and /28.
pub fn valid_block_size(n: Ipv4Net) -> bool {
    (16..=28).contains(&n.prefix_len())
}

/// The RFC 1918 range (or 100.64/10 and 198.19/16, which EC2 treats alike) a block falls in.
fn private_range(n: Ipv4Net) -> Option<Ipv4Net> {
    const RANGES: [(u8, u8, u8, u8, u8); 5] = [
        (10, 0, 0, 0, 8),
        (172, 16, 0, 0, 12),
        (192, 168, 0, 0, 16),
        (100, 64, 0, 0, 10),
        (198, 19, 0, 0, 16),
    ];
    RANGES.iter().find_map(|&(a, b, c, d, l)| {
        let r = Ipv4Net::new(Ipv4Addr::new(a, b, c, d), l).ok()?;
        r.contains(&n.network()).then_some(r)
    })
}

/// EC2's rule for secondary blocks: a block from a different private range than the primary is
/// refused (`10/8` primary → no `172.16/12` or `192.168/16`); publicly routable blocks and
/// `100.64/10` are allowed. `198.19.0.0/16` is always refused as a secondary block.
pub fn secondary_block_restricted(primary: Ipv4Net, new: Ipv4Net) -> bool {
    let reserved = Ipv4Net::new(Ipv4Addr::new(198, 19, 0, 0), 16).expect("static");
    if reserved.contains(&new.network()) {
        return true;
    }
    match (private_range(primary), private_range(new)) {
        (_, None) => false,
        (_, Some(r)) if r.network() == Ipv4Addr::new(100, 64, 0, 0) => false,
        (Some(p), Some(r)) => p != r,
        (None, Some(_)) => true,
    }
}

/// Usable addresses of a subnet (EC2 reserves the first four and the last one).
pub fn available_addresses(n: Ipv4Net) -> u64 {
    (1u64 << (32 - n.prefix_len())).saturating_sub(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn range(n: Ipv4Net) -> (u32, u32) {
        (u32::from(n.network()), u32::from(n.broadcast()))
    }

    #[test]
    fn host_ranges_and_first_free_address() {
        let ip = |s: &str| s.parse::<Ipv4Addr>().unwrap();
        let net = |s: &str| s.parse::<Ipv4Net>().unwrap();
        /// (block, reserved low, reserved high, first host, last host, taken, first free)
        type Case<'a> = (
            &'a str,
            u32,
            u32,
            &'a str,
            &'a str,
            &'a [&'a str],
            Option<&'a str>,
        );
        let cases: &[Case] = &[
            (
                "10.0.0.0/28",
                4,
                1,
                "10.0.0.4",
                "10.0.0.14",
                &[],
                Some("10.0.0.4"),
            ),
            (
                "10.0.0.0/28",
                4,
                1,
                "10.0.0.4",
                "10.0.0.14",
                &["10.0.0.4", "10.0.0.5"],
                Some("10.0.0.6"),
            ),
            (
                "10.0.1.0/29",
                2,
                2,
                "10.0.1.2",
                "10.0.1.5",
                &["10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"],
                None,
            ),
            (
                "10.0.2.0/29",
                2,
                2,
                "10.0.2.2",
                "10.0.2.5",
                &["10.0.2.3"],
                Some("10.0.2.2"),
            ),
        ];
        for &(block, lo, hi, first, last, taken, free) in cases {
            let r = host_range(net(block), lo, hi);
            assert_eq!((*r.start(), *r.end()), (ip(first), ip(last)), "{block}");
            assert!(!r.contains(&net(block).network()) && !r.contains(&net(block).broadcast()));
            let taken: Vec<Ipv4Addr> = taken.iter().map(|s| ip(s)).collect();
            assert_eq!(
                first_free(r, |a| taken.contains(&a)),
                free.map(ip),
                "{block}"
            );
        }
        // A block smaller than its reservations has no host at all.
        let tiny = host_range(net("10.0.3.0/30"), 4, 1);
        assert!(tiny.is_empty());
        assert_eq!(first_free(tiny, |_| false), None);
    }

    proptest! {
        #[test]
        fn parse_print_round_trip(a in any::<u32>(), len in 0u8..=32) {
            let net = Ipv4Net::new(Ipv4Addr::from(a), len).unwrap();
            let parsed = parse_v4(&net.to_string()).unwrap();
            prop_assert_eq!(parsed, net.trunc());
            prop_assert_eq!(parse_v4(&parsed.to_string()), Some(parsed));
        }

        #[test]
        fn overlap_agrees_with_interval_intersection(a in any::<u32>(), la in 0u8..=32,
                                                     b in any::<u32>(), lb in 0u8..=32) {
            let x = Ipv4Net::new(Ipv4Addr::from(a), la).unwrap().trunc();
            let y = Ipv4Net::new(Ipv4Addr::from(b), lb).unwrap().trunc();
            let ((x0, x1), (y0, y1)) = (range(x), range(y));
            let naive = x0 <= y1 && y0 <= x1;
            prop_assert_eq!(overlaps_v4(x, y), naive);
            prop_assert_eq!(overlaps_v4(x, y), overlaps_v4(y, x));
        }

        #[test]
        fn v6_round_trip(hi in any::<u64>(), len in 0u8..=128) {
            let addr = std::net::Ipv6Addr::from((u128::from(hi)) << 64);
            let net = Ipv6Net::new(addr, len).unwrap().trunc();
            prop_assert_eq!(parse_v6(&net.to_string()), Some(net));
        }

        #[test]
        fn garbage_never_panics(s in "\\PC{0,24}") {
            let _ = parse_v4(&s);
            let _ = parse_v6(&s);
        }
    }

    #[test]
    fn table_of_inputs() {
        let cases = [
            ("10.0.0.0/16", Some("10.0.0.0/16")),
            ("100.68.0.18/18", Some("100.68.0.0/18")),
            ("10.0.0.0/33", None),
            ("10.0.0.0", None),
            ("10.0.0/16", None),
            ("10.0.0.0/+8", None),
            ("", None),
            ("abc/8", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_v4(input).map(|n| n.to_string()).as_deref(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn secondary_block_rules() {
        let p = parse_v4("10.0.0.0/16").unwrap();
        assert!(secondary_block_restricted(
            p,
            parse_v4("172.16.0.0/16").unwrap()
        ));
        assert!(secondary_block_restricted(
            p,
            parse_v4("192.168.0.0/16").unwrap()
        ));
        assert!(!secondary_block_restricted(
            p,
            parse_v4("10.1.0.0/16").unwrap()
        ));
        assert!(!secondary_block_restricted(
            p,
            parse_v4("100.64.0.0/16").unwrap()
        ));
        assert!(!secondary_block_restricted(
            p,
            parse_v4("8.8.0.0/16").unwrap()
        ));
        assert!(secondary_block_restricted(
            p,
            parse_v4("198.19.0.0/16").unwrap()
        ));
    }
}
