//! The regions and availability zones the emulator knows: every current AWS commercial region
//! (the `aws` partition of botocore 1.44's `endpoints.json`, 34 regions), with the zone letters
//! AWS gives new accounts and AWS's zone-id prefixes (`use1-az1`). Which letters an account sees
//! in `us-west-1` varies by account; the emulator uses `a` and `b`.
//!
//! Zone ids: a zone id names the same physical zone in every account, while AWS maps zone
//! *names* to zone ids differently per account. The emulator uses one fixed mapping for every
//! account: the letters in order take `az1`, `az2`, … except in the regions where a legacy zone
//! id is closed to new accounts (`ap-northeast-1`: `apne1-az3`; `ca-central-1`: `cac1-az3`;
//! `us-west-1`: `usw1-az2`), which skip it (`ap-northeast-1a` is `apne1-az4`, as in many
//! accounts) [UNVERIFIED: the exact mapping of any one account]. Local Zones and Wavelength
//! Zones are out of scope.
//!
//! A region outside this table is refused at the EC2 edge (see `vpcpeer-wire-aws`'s identity
//! module); [`zones`] still answers for one, so the model never fails on a region.

/// `(region, zone-id prefix, zone letters, opt-in region)`. Regions launched after March 2019
/// must be enabled by the account (`opt-in-status` `opted-in` once enabled); the emulator treats
/// every account as having enabled them all.
const REGIONS: &[(&str, &str, &str, bool)] = &[
    ("af-south-1", "afs1", "abc", true),
    ("ap-east-1", "ape1", "abc", true),
    ("ap-east-2", "ape2", "abc", true),
    ("ap-northeast-1", "apne1", "acd", false),
    ("ap-northeast-2", "apne2", "abcd", false),
    ("ap-northeast-3", "apne3", "abc", false),
    ("ap-south-1", "aps1", "abc", false),
    ("ap-south-2", "aps2", "abc", true),
    ("ap-southeast-1", "apse1", "abc", false),
    ("ap-southeast-2", "apse2", "abc", false),
    ("ap-southeast-3", "apse3", "abc", true),
    ("ap-southeast-4", "apse4", "abc", true),
    ("ap-southeast-5", "apse5", "abc", true),
    ("ap-southeast-6", "apse6", "abc", true),
    ("ap-southeast-7", "apse7", "abc", true),
    ("ca-central-1", "cac1", "abd", false),
    ("ca-west-1", "caw1", "abc", true),
    ("eu-central-1", "euc1", "abc", false),
    ("eu-central-2", "euc2", "abc", true),
    ("eu-north-1", "eun1", "abc", false),
    ("eu-south-1", "eus1", "abc", true),
    ("eu-south-2", "eus2", "abc", true),
    ("eu-west-1", "euw1", "abc", false),
    ("eu-west-2", "euw2", "abc", false),
    ("eu-west-3", "euw3", "abc", false),
    ("il-central-1", "ilc1", "abc", true),
    ("me-central-1", "mec1", "abc", true),
    ("me-south-1", "mes1", "abc", true),
    ("mx-central-1", "mxc1", "abc", true),
    ("sa-east-1", "sae1", "abc", false),
    ("us-east-1", "use1", "abcdef", false),
    ("us-east-2", "use2", "abc", false),
    ("us-west-1", "usw1", "ab", false),
    ("us-west-2", "usw2", "abcd", false),
];

/// Every known region name, in name order.
pub fn regions() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|r| r.0)
}

/// Whether `region` is known.
pub fn is_region(region: &str) -> bool {
    REGIONS.iter().any(|r| r.0 == region)
}

/// Whether `region` is one an account must enable (DescribeRegions' `opted-in`), rather than
/// one enabled for every account (`opt-in-not-required`).
pub fn is_opt_in(region: &str) -> bool {
    REGIONS.iter().any(|r| r.0 == region && r.3)
}

/// A zone: its name (`us-east-1a`) and id (`use1-az1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// Name.
    pub name: String,
    /// Id.
    pub id: String,
    /// Region.
    pub region: &'static str,
}

/// The zone-id numbers of the zones of a region whose ids are not simply `az1`, `az2`, … in
/// letter order (a legacy zone id closed to new accounts is skipped): one number per letter.
fn zone_numbers(region: &str) -> Option<&'static [u8]> {
    Some(match region {
        "ap-northeast-1" => &[4, 1, 2],
        "ca-central-1" => &[1, 2, 4],
        "us-west-1" => &[1, 3],
        _ => return None,
    })
}

/// The zones of `region` (the first three-letter set for unknown regions, so any region works).
pub fn zones(region: &str) -> Vec<Zone> {
    let (name, prefix, letters) = REGIONS
        .iter()
        .find(|r| r.0 == region)
        .map(|r| (r.0, r.1, r.2))
        .unwrap_or(("unknown", "zz1", "abc"));
    let numbers = zone_numbers(region);
    letters
        .chars()
        .enumerate()
        .map(|(i, l)| Zone {
            name: format!("{region}{l}"),
            id: format!(
                "{prefix}-az{}",
                numbers
                    .and_then(|n| n.get(i))
                    .map_or(i + 1, |n| usize::from(*n))
            ),
            region: name,
        })
        .collect()
}

/// The zone of `region` named `name` or with id `name`.
pub fn zone(region: &str, name: &str) -> Option<Zone> {
    zones(region)
        .into_iter()
        .find(|z| z.name == name || z.id == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_well_formed() {
        let names: Vec<&str> = regions().collect();
        assert_eq!(names.len(), 34);
        assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        for (name, prefix, letters, _) in REGIONS {
            assert!(!letters.is_empty() && letters.bytes().all(|b| b.is_ascii_lowercase()));
            let z = zones(name);
            assert_eq!(z.len(), letters.len());
            assert!(z.iter().all(|z| z.id.starts_with(&format!("{prefix}-az"))));
            let mut ids: Vec<&str> = z.iter().map(|z| z.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), z.len(), "zone ids of {name} are distinct");
            assert_eq!(z[0].region, *name);
        }
        assert!(is_region("mx-central-1") && is_opt_in("mx-central-1"));
        assert!(is_region("us-east-1") && !is_opt_in("us-east-1"));
        assert!(!is_region("zz-fake-9") && !is_region("us-east-1a") && !is_region(""));
        assert_eq!(zones("zz-fake-9")[0].region, "unknown");
        assert_eq!(
            zone("us-east-1", "use1-az6").map(|z| z.name),
            Some("us-east-1f".into())
        );
        let ids = |r: &str| zones(r).into_iter().map(|z| z.id).collect::<Vec<_>>();
        assert_eq!(
            ids("ap-northeast-1"),
            ["apne1-az4", "apne1-az1", "apne1-az2"]
        );
        assert_eq!(ids("ca-central-1"), ["cac1-az1", "cac1-az2", "cac1-az4"]);
        assert_eq!(ids("us-west-1"), ["usw1-az1", "usw1-az3"]);
        assert_eq!(
            ids("us-west-2"),
            ["usw2-az1", "usw2-az2", "usw2-az3", "usw2-az4"]
        );
        assert_eq!(zones("us-east-1").len(), 6);
    }
}
