//! The built-in catalogue of instance types and public images that DescribeInstanceTypes,
//! DescribeInstanceTypeOfferings and DescribeImages answer from, and the instance-type rule of
//! RunInstances. Pure data: the catalogue is the same for every account and never changes.
//!
//! The catalogue is **illustrative**, not AWS's: a few families (`t2`, `t3`, `t3a`, `m5`,
//! `m6i`, `c5`, `r5`) in common sizes, with AWS's published vCPUs, memory, network performance,
//! interface and address limits and architectures, each offered in every zone of every region
//! [choice: AWS offers each type in a subset]. Images: a few public AMIs per region (Amazon Linux
//! 2023 for x86_64 and arm64, Ubuntu 22.04 and 24.04, Windows Server 2022), whose ids are derived
//! from the region and the image name (stable across runs, different per region, as on AWS);
//! names, owners and dates are illustrative.
//!
//! RunInstances accepts more than the catalogue lists: any size of a real instance family
//! ([`is_launchable_type`]: `c6i.large`, `m7g.xlarge`, the default `m1.small`), so that scripts
//! written for AWS launch unchanged, and refuses a name of no known family or size (`t2.micr`,
//! `foo.bar`) as AWS refuses an unknown type. An `ImageId` need not be in the catalogue: any
//! well-formed `ami-…` is accepted (tests and scripts use arbitrary ones) [choice].

mod images;

pub use images::{
    gateway_image_id, image, images, is_gateway_image, Image, AMAZON_OWNER, CANONICAL_OWNER,
    GATEWAY_IMAGE_NAME, VPCPEER_ALIAS, VPCPEER_OWNER,
};

/// One instance type of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceType {
    /// Name (`t3.micro`).
    pub name: &'static str,
    /// Default vCPUs.
    pub vcpus: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Network performance as AWS words it (`Up to 5 Gigabit`).
    pub network_performance: &'static str,
    /// Supported architectures (`i386`, `x86_64`, `arm64`).
    pub architectures: &'static [&'static str],
    /// Most network interfaces.
    pub max_enis: u32,
    /// Most IPv4 addresses per interface.
    pub ipv4_per_eni: u32,
    /// Burstable (`t` families).
    pub burstable: bool,
    /// Free tier eligible.
    pub free_tier: bool,
    /// Hypervisor (`xen` or `nitro`).
    pub hypervisor: &'static str,
}

impl InstanceType {
    /// Default cores (vCPUs over two threads per core, at least one).
    pub fn cores(&self) -> u32 {
        (self.vcpus / self.threads_per_core()).max(1)
    }

    /// Default threads per core (one on a single-vCPU type).
    pub fn threads_per_core(&self) -> u32 {
        if self.vcpus == 1 {
            1
        } else {
            2
        }
    }
}

const X86: &[&str] = &["x86_64"];
const X86_32: &[&str] = &["i386", "x86_64"];

/// `(name, vcpus, memory MiB, network, architectures, ENIs, IPv4 per ENI)` per family.
type Row = (
    &'static str,
    u32,
    u64,
    &'static str,
    &'static [&'static str],
    u32,
    u32,
);

const LOW_MOD: &str = "Low to Moderate";
const UP5: &str = "Up to 5 Gigabit";
const UP10: &str = "Up to 10 Gigabit";
const UP12: &str = "Up to 12.5 Gigabit";

const ROWS: &[Row] = &[
    ("c5.2xlarge", 8, 16384, UP10, X86, 4, 15),
    ("c5.4xlarge", 16, 32768, UP10, X86, 8, 30),
    ("c5.9xlarge", 36, 73728, "12 Gigabit", X86, 8, 30),
    ("c5.large", 2, 4096, UP10, X86, 3, 10),
    ("c5.xlarge", 4, 8192, UP10, X86, 4, 15),
    ("m5.2xlarge", 8, 32768, UP10, X86, 4, 15),
    ("m5.4xlarge", 16, 65536, UP10, X86, 8, 30),
    ("m5.8xlarge", 32, 131072, "10 Gigabit", X86, 8, 30),
    ("m5.large", 2, 8192, UP10, X86, 3, 10),
    ("m5.xlarge", 4, 16384, UP10, X86, 4, 15),
    ("m6i.2xlarge", 8, 32768, UP12, X86, 4, 15),
    ("m6i.4xlarge", 16, 65536, UP12, X86, 8, 30),
    ("m6i.8xlarge", 32, 131072, "12.5 Gigabit", X86, 8, 30),
    ("m6i.large", 2, 8192, UP12, X86, 3, 10),
    ("m6i.xlarge", 4, 16384, UP12, X86, 4, 15),
    ("r5.2xlarge", 8, 65536, UP10, X86, 4, 15),
    ("r5.4xlarge", 16, 131072, UP10, X86, 8, 30),
    ("r5.large", 2, 16384, UP10, X86, 3, 10),
    ("r5.xlarge", 4, 32768, UP10, X86, 4, 15),
    ("t2.2xlarge", 8, 32768, "Moderate", X86, 3, 15),
    ("t2.large", 2, 8192, LOW_MOD, X86, 3, 12),
    ("t2.medium", 2, 4096, LOW_MOD, X86_32, 3, 6),
    ("t2.micro", 1, 1024, LOW_MOD, X86_32, 2, 2),
    ("t2.nano", 1, 512, LOW_MOD, X86_32, 2, 2),
    ("t2.small", 1, 2048, LOW_MOD, X86_32, 3, 4),
    ("t2.xlarge", 4, 16384, "Moderate", X86, 3, 15),
    ("t3.2xlarge", 8, 32768, UP5, X86, 4, 15),
    ("t3.large", 2, 8192, UP5, X86, 3, 12),
    ("t3.medium", 2, 4096, UP5, X86, 3, 6),
    ("t3.micro", 2, 1024, UP5, X86, 2, 2),
    ("t3.nano", 2, 512, UP5, X86, 2, 2),
    ("t3.small", 2, 2048, UP5, X86, 3, 4),
    ("t3.xlarge", 4, 16384, UP5, X86, 4, 15),
    ("t3a.2xlarge", 8, 32768, UP5, X86, 4, 15),
    ("t3a.large", 2, 8192, UP5, X86, 3, 12),
    ("t3a.medium", 2, 4096, UP5, X86, 3, 6),
    ("t3a.micro", 2, 1024, UP5, X86, 2, 2),
    ("t3a.nano", 2, 512, UP5, X86, 2, 2),
    ("t3a.small", 2, 2048, UP5, X86, 2, 4),
    ("t3a.xlarge", 4, 16384, UP5, X86, 4, 15),
];

fn of_row(r: &Row) -> InstanceType {
    let (name, vcpus, memory_mib, network_performance, architectures, max_enis, ipv4_per_eni) = *r;
    InstanceType {
        name,
        vcpus,
        memory_mib,
        network_performance,
        architectures,
        max_enis,
        ipv4_per_eni,
        burstable: name.starts_with('t'),
        free_tier: matches!(name, "t2.micro" | "t3.micro"),
        hypervisor: if name.starts_with("t2.") {
            "xen"
        } else {
            "nitro"
        },
    }
}

/// Every instance type of the catalogue, in name order.
pub fn instance_types() -> impl Iterator<Item = InstanceType> {
    ROWS.iter().map(of_row)
}

/// The catalogue's type `name`.
pub fn instance_type(name: &str) -> Option<InstanceType> {
    ROWS.iter().find(|r| r.0 == name).map(of_row)
}

/// Real instance families a launch accepts beyond the catalogue (current and previous
/// generations of AWS's general purpose, compute, memory, storage and accelerated families).
const FAMILIES: &[&str] = &[
    "a1", "c1", "c3", "c4", "c5", "c5a", "c5ad", "c5d", "c5n", "c6a", "c6g", "c6gd", "c6gn", "c6i",
    "c6id", "c6in", "c7a", "c7g", "c7gd", "c7gn", "c7i", "c8g", "d2", "d3", "d3en", "g4ad", "g4dn",
    "g5", "g5g", "g6", "i3", "i3en", "i4g", "i4i", "im4gn", "inf1", "inf2", "is4gen", "m1", "m2",
    "m3", "m4", "m5", "m5a", "m5ad", "m5d", "m5dn", "m5n", "m5zn", "m6a", "m6g", "m6gd", "m6i",
    "m6id", "m6idn", "m6in", "m7a", "m7g", "m7gd", "m7i", "m7i-flex", "m8g", "p3", "p4d", "p5",
    "r3", "r4", "r5", "r5a", "r5ad", "r5b", "r5d", "r5dn", "r5n", "r6a", "r6g", "r6gd", "r6i",
    "r6id", "r7a", "r7g", "r7gd", "r7i", "r8g", "t1", "t2", "t3", "t3a", "t4g", "trn1", "u-3tb1",
    "x1", "x1e", "x2gd", "x2idn", "x2iedn", "z1d",
];

/// Whether `size` is an instance size: `nano` … `xlarge`, `<n>xlarge`, `metal`, `metal-<n>xl`.
fn is_size(size: &str) -> bool {
    if matches!(
        size,
        "nano" | "micro" | "small" | "medium" | "large" | "xlarge" | "metal"
    ) {
        return true;
    }
    let n = size.strip_suffix("xlarge").or_else(|| {
        size.strip_prefix("metal-")
            .and_then(|s| s.strip_suffix("xl"))
    });
    n.is_some_and(|n| {
        !n.is_empty()
            && n.len() <= 3
            && !n.starts_with('0')
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Whether RunInstances accepts `name`: a catalogue type, or a size of a known family.
pub fn is_launchable_type(name: &str) -> bool {
    if instance_type(name).is_some() {
        return true;
    }
    name.split_once('.')
        .is_some_and(|(family, size)| FAMILIES.contains(&family) && is_size(size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_sorted_unique_and_consistent() {
        let names: Vec<&str> = instance_types().map(|t| t.name).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        for t in instance_types() {
            let (family, size) = t.name.split_once('.').expect("family.size");
            assert!(
                FAMILIES.contains(&family),
                "{} is of a known family",
                t.name
            );
            assert!(is_size(size), "{}", t.name);
            assert!(t.cores() * t.threads_per_core() == t.vcpus || t.vcpus == 1);
            assert!(t.max_enis >= 2 && t.ipv4_per_eni >= 2);
            assert!(is_launchable_type(t.name));
        }
        assert_eq!(instance_type("t3.micro").map(|t| t.vcpus), Some(2));
        assert_eq!(instance_type("t2.micro").map(|t| t.cores()), Some(1));
        assert!(instance_type("m1.small").is_none());
    }

    #[test]
    fn launchable_types_are_real_families_and_sizes() {
        for ok in [
            "t2.micro",
            "m1.small",
            "c6i.large",
            "m7g.16xlarge",
            "m5.metal",
            "m7i-flex.xlarge",
            "u-3tb1.56xlarge",
            "c7i.metal-24xl",
        ] {
            assert!(is_launchable_type(ok), "{ok}");
        }
        for bad in [
            "",
            "t2",
            "t2.",
            ".micro",
            "t2.micr",
            "foo.bar",
            "t2.micro.x",
            "T2.MICRO",
            "t2.0xlarge",
            "m5.xxlarge",
            "m5.1000xlarge",
            "t9.micro",
        ] {
            assert!(!is_launchable_type(bad), "{bad}");
        }
    }
}
