//! The regions and availability zones the emulator knows.

/// `(region, zone-id prefix, zone letters)`.
const REGIONS: &[(&str, &str, &str)] = &[
    ("us-east-1", "use1", "abcdef"),
    ("us-east-2", "use2", "abc"),
    ("us-west-1", "usw1", "ab"),
    ("us-west-2", "usw2", "abcd"),
    ("ca-central-1", "cac1", "abd"),
    ("sa-east-1", "sae1", "abc"),
    ("eu-west-1", "euw1", "abc"),
    ("eu-west-2", "euw2", "abc"),
    ("eu-west-3", "euw3", "abc"),
    ("eu-central-1", "euc1", "abc"),
    ("eu-north-1", "eun1", "abc"),
    ("ap-south-1", "aps1", "abc"),
    ("ap-southeast-1", "apse1", "abc"),
    ("ap-southeast-2", "apse2", "abc"),
    ("ap-northeast-1", "apne1", "acd"),
    ("ap-northeast-2", "apne2", "abcd"),
];

/// Every known region name.
pub fn regions() -> impl Iterator<Item = &'static str> {
    REGIONS.iter().map(|r| r.0)
}

/// Whether `region` is known.
pub fn is_region(region: &str) -> bool {
    REGIONS.iter().any(|r| r.0 == region)
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

/// The zones of `region` (the first three-letter set for unknown regions, so any region works).
pub fn zones(region: &str) -> Vec<Zone> {
    let (name, prefix, letters) =
        REGIONS
            .iter()
            .find(|r| r.0 == region)
            .copied()
            .unwrap_or((REGIONS[0].0, "zz1", "abc"));
    let region_name: &'static str = if is_region(region) { name } else { "unknown" };
    letters
        .chars()
        .enumerate()
        .map(|(i, l)| Zone {
            name: format!("{region}{l}"),
            id: format!("{prefix}-az{}", i + 1),
            region: region_name,
        })
        .collect()
}

/// The zone of `region` named `name` or with id `name`.
pub fn zone(region: &str, name: &str) -> Option<Zone> {
    zones(region)
        .into_iter()
        .find(|z| z.name == name || z.id == name)
}
