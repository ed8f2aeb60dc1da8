//! Azure's own bounds on what one request may carry, and the address checks over input lists,
//! each `O(n log n)` (sort and sweep) so that no request holds the world lock for long.
//!
//! Sources: "Networking limits - Azure Resource Manager" (Microsoft Learn,
//! azure-subscription-service-limits, the virtual network limits table): 3,000 subnets per virtual network, 1,000 rules per
//! NSG, 4,000 addresses and ranges for the source (and, separately, the destination) of an NSG
//! rule, 400 routes per route table, 256 private IP addresses per network interface; and "Tag
//! resources - limitations" (Microsoft Learn): 50 tags per resource, a tag name at most 512
//! characters, a value at most 256, names without `<`, `>`, `%`, `&`, `\`, `?`, `/`.
//!
//! \[UNVERIFIED\] Choices: Azure documents no limit on the address prefixes of one VNet's address
//! space (MicrosoftDocs/azure-docs issues 54713 and 122325 asked, unanswered); the emulator allows
//! [`MAX_ADDRESS_PREFIXES`]. NICs per VM depend on the VM size; the emulator allows
//! [`MAX_VM_NICS`], the most the common sizes document. A list over its bound is refused with
//! [`AzureError::TooMany`] naming the [`Limit`]; the ARM codes (observed ones and the ones chosen
//! by analogy) are listed where `vpcpeer-wire-azure` renders them.

use ipnet::Ipv4Net;

use super::{AzTags, AzureError, Limit};
use crate::text;

/// Address prefixes in one VNet's address space (emulator's choice, see the module docs).
pub const MAX_ADDRESS_PREFIXES: usize = 1000;
/// Subnets per virtual network.
pub const MAX_SUBNETS: usize = 3000;
/// Security rules per NSG.
pub const MAX_SECURITY_RULES: usize = 1000;
/// Addresses and ranges for the source, and separately the destination, of one security rule.
pub const MAX_RULE_PREFIXES: usize = 4000;
/// Routes per route table.
pub const MAX_ROUTES: usize = 400;
/// IP configurations (private IP addresses) per network interface.
pub const MAX_IP_CONFIGS: usize = 256;
/// Network interfaces per VM (emulator's choice, see the module docs).
pub const MAX_VM_NICS: usize = 8;
/// Tags per resource.
pub const MAX_TAGS: usize = 50;
/// Characters of a tag name.
pub const MAX_TAG_NAME: usize = 512;
/// Characters of a tag value.
pub const MAX_TAG_VALUE: usize = 256;

/// Refuses a list of `n` items longer than `max` ([`AzureError::TooMany`] naming `limit`).
pub fn check_count(n: usize, max: usize, limit: Limit) -> Result<(), AzureError> {
    if n > max {
        return Err(AzureError::TooMany {
            limit,
            max,
            count: n,
        });
    }
    Ok(())
}

/// Refuses more than [`MAX_TAGS`] tags.
pub fn check_tag_count(n: usize) -> Result<(), AzureError> {
    if n > MAX_TAGS {
        return Err(AzureError::TooManyTags { count: n });
    }
    Ok(())
}

/// Checks the `tags` of any ARM resource against Azure's tag limits (see the module docs). The
/// one check every PUT and PATCH of this face runs on its tags.
pub fn check_tags(tags: &AzTags) -> Result<(), AzureError> {
    check_tag_count(tags.len())?;
    for (name, value) in tags {
        if name.trim().is_empty() {
            return Err(AzureError::EmptyTagName);
        }
        if name.chars().count() > MAX_TAG_NAME {
            return Err(AzureError::TagNameTooLong { name: name.clone() });
        }
        if name
            .chars()
            .any(|c| "<>%&\\?/".contains(c) || text::is_refused_char(c))
        {
            return Err(AzureError::TagNameCharacters { name: name.clone() });
        }
        if value.chars().count() > MAX_TAG_VALUE {
            return Err(AzureError::TagValueTooLong {
                value: value.clone(),
            });
        }
    }
    Ok(())
}

fn first(n: Ipv4Net) -> u32 {
    u32::from(n.network())
}

fn last(n: Ipv4Net) -> u32 {
    u32::from(n.broadcast())
}

/// The order every sweep here uses: by first address, then prefix length.
fn by_start(n: &Ipv4Net) -> (u32, u8) {
    (first(*n), n.prefix_len())
}

/// Of two overlapping prefixes, the more specific one (the one inside the other).
fn more_specific(x: Ipv4Net, y: Ipv4Net) -> Ipv4Net {
    if x.prefix_len() >= y.prefix_len() {
        x
    } else {
        y
    }
}

/// The indexes `(i, j)` of two prefixes of `nets` that overlap, if any, `i` the one that starts
/// first: sorted by first address, a prefix overlaps an earlier one exactly when it starts at or
/// before the furthest end seen so far. `O(n log n)`.
pub fn first_overlap_index(nets: &[Ipv4Net]) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = (0..nets.len()).collect();
    order.sort_by_key(|&i| by_start(&nets[i]));
    let mut widest: Option<usize> = None;
    for i in order {
        match widest {
            Some(w) if first(nets[i]) <= last(nets[w]) => return Some((w, i)),
            _ => widest = Some(i),
        }
    }
    None
}

/// Two prefixes of `nets` that overlap, if any (see [`first_overlap_index`]).
pub fn first_overlap(nets: &[Ipv4Net]) -> Option<(Ipv4Net, Ipv4Net)> {
    first_overlap_index(nets).map(|(i, j)| (nets[i], nets[j]))
}

/// The prefixes of `a` and `b` that overlap a prefix of the other list (of each overlapping pair,
/// the more specific prefix), sorted and without repeats. Each list is sorted and swept once
/// against the other: `O((n + m) log(n + m))` plus the size of the answer.
pub fn overlapping(a: &[Ipv4Net], b: &[Ipv4Net]) -> Vec<Ipv4Net> {
    let sort = |l: &[Ipv4Net]| sorted(&l.iter().map(Ipv4Net::trunc).collect::<Vec<_>>());
    let (a, b) = (sort(a), sort(b));
    let mut out = Vec::new();
    // For each prefix of one list, the prefixes of the other that start inside it (found by
    // binary search), and the one before those that may contain it.
    for (xs, ys) in [(&a, &b), (&b, &a)] {
        for x in xs.iter() {
            let start = ys.partition_point(|y| first(*y) < first(*x));
            for y in &ys[start..] {
                if first(*y) > last(*x) {
                    break;
                }
                out.push(more_specific(*x, *y));
            }
        }
    }
    out.sort_by_key(by_start);
    out.dedup();
    out
}

/// Whether some prefix of `sorted` (sorted by first address and pairwise disjoint, as a VNet's
/// validated address space is) contains `n`. `O(log n)`.
pub fn contained_in_sorted(sorted: &[Ipv4Net], n: Ipv4Net) -> bool {
    let i = sorted.partition_point(|p| first(*p) <= first(n));
    i > 0 && sorted[i - 1].contains(&n)
}

/// `nets` sorted by first address (then prefix length), for [`contained_in_sorted`].
pub fn sorted(nets: &[Ipv4Net]) -> Vec<Ipv4Net> {
    let mut v = nets.to_vec();
    v.sort_by_key(by_start);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cidr::overlaps_v4;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    fn net() -> impl Strategy<Value = Ipv4Net> {
        // Few distinct high bits, so overlaps are common.
        (0u32..8, 0u32..256, 4u8..=28).prop_map(|(hi, lo, len)| {
            Ipv4Net::new(Ipv4Addr::from((10 << 24) | (hi << 21) | (lo << 13)), len)
                .expect("valid length")
                .trunc()
        })
    }

    fn naive_any(nets: &[Ipv4Net]) -> bool {
        nets.iter()
            .enumerate()
            .any(|(i, a)| nets[i + 1..].iter().any(|b| overlaps_v4(*a, *b)))
    }

    fn naive_overlapping(a: &[Ipv4Net], b: &[Ipv4Net]) -> Vec<Ipv4Net> {
        let mut out = std::collections::BTreeSet::new();
        for x in a {
            for y in b {
                if overlaps_v4(*x, *y) {
                    out.insert(more_specific(*x, *y));
                }
            }
        }
        sorted(&out.into_iter().collect::<Vec<_>>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The sweep finds an overlap exactly when the pairwise check does, and what it names
        /// does overlap.
        #[test]
        fn first_overlap_agrees_with_pairwise(nets in prop::collection::vec(net(), 0..12)) {
            let got = first_overlap(&nets);
            prop_assert_eq!(got.is_some(), naive_any(&nets));
            if let Some((a, b)) = got {
                prop_assert!(overlaps_v4(a, b));
                prop_assert!(nets.contains(&a) && nets.contains(&b));
            }
        }

        #[test]
        fn overlapping_agrees_with_pairwise(
            a in prop::collection::vec(net(), 0..10),
            b in prop::collection::vec(net(), 0..10),
        ) {
            prop_assert_eq!(overlapping(&a, &b), naive_overlapping(&a, &b));
        }

        #[test]
        fn containment_agrees_with_a_scan(nets in prop::collection::vec(net(), 0..10), n in net()) {
            let mut disjoint: Vec<Ipv4Net> = Vec::new();
            for x in nets {
                if !disjoint.iter().any(|d| overlaps_v4(*d, x)) {
                    disjoint.push(x);
                }
            }
            let s = sorted(&disjoint);
            prop_assert_eq!(contained_in_sorted(&s, n), disjoint.iter().any(|d| d.contains(&n)));
        }
    }

    #[test]
    fn tag_limits() {
        let tags = |pairs: &[(&str, &str)]| -> AzTags {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let code = |t: &AzTags| check_tags(t).err().map(|e| crate::azure::tests::kind(&e));
        let (k513, v256, v1m) = ("k".repeat(513), "v".repeat(256), "v".repeat(1 << 20));
        // (what, tags, the refusal's kind or None)
        let cases: [(&str, AzTags, Option<&str>); 7] = [
            ("ordinary", tags(&[("env", "prod"), ("Owner", "")]), None),
            ("at the bounds", tags(&[(&k513[1..], &v256)]), None),
            ("long name", tags(&[(&k513, "v")]), Some("TagNameTooLong")),
            ("blank name", tags(&[(" ", "v")]), Some("EmptyTagName")),
            ("slash", tags(&[("a/b", "v")]), Some("TagNameCharacters")),
            (
                "control",
                tags(&[("a\u{1}", "v")]),
                Some("TagNameCharacters"),
            ),
            ("long value", tags(&[("k", &v1m)]), Some("TagValueTooLong")),
        ];
        for (what, t, want) in cases {
            assert_eq!(code(&t).as_deref(), want, "{what}");
        }
        let many: AzTags = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
        assert_eq!(code(&many).as_deref(), Some("TooManyTags"));
        // (That the message of a 1 MiB value is short is the wire's concern: wire-azure's
        // `error::tests`.)
    }
}
