//! DescribeInstanceTypes, DescribeInstanceTypeOfferings and DescribeImages: reads of the model's
//! built-in, illustrative [catalogue](vpcpeer_model::aws::catalog) (the same for every account).
//!
//! Choices where AWS is unverified:
//! - DescribeInstanceTypes renders the members scripts read (vCPUs, memory, network, processor
//!   architectures, EBS, placement, boot modes); GPU, FPGA, instance storage and the like are
//!   absent, as for AWS types without them. Unknown `InstanceType.N` is `InvalidInstanceType`
//!   ("The following supplied instance types do not exist: [x]"), as AWS answers.
//! - DescribeImages lists only the catalogue's public images: `Owner.N=self` finds none (images
//!   cannot be registered here), `amazon` those with the `amazon` alias, `vpcpeer` the built-in
//!   `vpcpeer-gateway` image (this emulator's alias), a 12-digit account the images it owns; any
//!   other owner is `InvalidUserID.Malformed` [UNVERIFIED wording].
//!   `ExecutableBy.N` is accepted and ignored (every catalogue image is public).

use vpcpeer_model::aws::catalog::{self, Image, InstanceType};
use vpcpeer_model::aws::regions;
use vpcpeer_model::{Tags, Tx};

use super::Action;
use crate::filter::{self, matches, paginate};
use crate::{Ec2Error, Params, Xml};

/// The catalogue actions (reads).
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "DescribeInstanceTypes" => Action::Read(describe_instance_types),
        "DescribeInstanceTypeOfferings" => Action::Read(describe_instance_type_offerings),
        "DescribeImages" => Action::Read(describe_images),
        _ => return None,
    })
}

const TYPE_FILTERS: &[&str] = &[
    "instance-type",
    "current-generation",
    "free-tier-eligible",
    "burstable-performance-supported",
    "bare-metal",
    "hypervisor",
    "processor-info.supported-architecture",
    "vcpu-info.default-vcpus",
    "vcpu-info.default-cores",
    "memory-info.size-in-mib",
    "network-info.network-performance",
    "network-info.maximum-network-interfaces",
    "network-info.ipv4-addresses-per-interface",
    "network-info.ipv6-supported",
    "supported-usage-class",
    "supported-root-device-type",
    "supported-virtualization-type",
];

/// A filter's values of one instance type.
fn type_field(t: &InstanceType, name: &str) -> Vec<String> {
    let one = |v: String| vec![v];
    match name {
        "instance-type" => one(t.name.into()),
        "current-generation" | "network-info.ipv6-supported" => one("true".into()),
        "free-tier-eligible" => one(t.free_tier.to_string()),
        "burstable-performance-supported" => one(t.burstable.to_string()),
        "bare-metal" => one("false".into()),
        "hypervisor" => one(t.hypervisor.into()),
        "processor-info.supported-architecture" => {
            t.architectures.iter().map(|a| (*a).to_owned()).collect()
        }
        "vcpu-info.default-vcpus" => one(t.vcpus.to_string()),
        "vcpu-info.default-cores" => one(t.cores().to_string()),
        "memory-info.size-in-mib" => one(t.memory_mib.to_string()),
        "network-info.network-performance" => one(t.network_performance.into()),
        "network-info.maximum-network-interfaces" => one(t.max_enis.to_string()),
        "network-info.ipv4-addresses-per-interface" => one(t.ipv4_per_eni.to_string()),
        "supported-usage-class" => vec!["on-demand".into(), "spot".into()],
        "supported-root-device-type" => one("ebs".into()),
        "supported-virtualization-type" => one("hvm".into()),
        _ => Vec::new(),
    }
}

fn describe_instance_types(_tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, TYPE_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 100)?;
    p.bool("IncludeUnsupportedInRegion")?;
    let asked = p.list("InstanceType");
    let unknown: Vec<&str> = asked
        .iter()
        .filter(|n| catalog::instance_type(n).is_none())
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(Ec2Error::new(
            "InvalidInstanceType",
            format!(
                "The following supplied instance types do not exist: [{}]",
                unknown.join(", ")
            ),
        ));
    }
    let no_tags = Tags::new();
    let items: Vec<InstanceType> = catalog::instance_types()
        .filter(|t| asked.is_empty() || asked.iter().any(|a| a == t.name))
        .filter(|t| matches(&filters, &no_tags, |f| type_field(t, f)))
        .collect();
    let (page, next) = paginate(items, |t| t.name, limit, token.as_deref());
    x.list("instanceTypeSet", page, |x, t| render_type(x, &t));
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn render_type(x: &mut Xml, t: &InstanceType) {
    let xen = t.hypervisor == "xen";
    x.leaf("instanceType", t.name)
        .leaf("currentGeneration", true)
        .leaf("freeTierEligible", t.free_tier)
        .scalar_list("supportedUsageClasses", ["on-demand", "spot"])
        .scalar_list("supportedRootDeviceTypes", ["ebs"])
        .scalar_list("supportedVirtualizationTypes", ["hvm"])
        .leaf("bareMetal", false)
        .leaf("hypervisor", t.hypervisor)
        .node("processorInfo", |x| {
            x.scalar_list("supportedArchitectures", t.architectures.iter())
                .leaf(
                    "manufacturer",
                    if t.name.contains("a.") {
                        "AMD"
                    } else {
                        "Intel"
                    },
                );
        })
        .node("vCpuInfo", |x| {
            x.leaf("defaultVCpus", t.vcpus)
                .leaf("defaultCores", t.cores())
                .leaf("defaultThreadsPerCore", t.threads_per_core());
        })
        .node("memoryInfo", |x| {
            x.leaf("sizeInMiB", t.memory_mib);
        })
        .leaf("instanceStorageSupported", false)
        .node("ebsInfo", |x| {
            x.leaf(
                "ebsOptimizedSupport",
                if xen { "unsupported" } else { "default" },
            )
            .leaf("encryptionSupport", "supported")
            .leaf("nvmeSupport", if xen { "unsupported" } else { "required" });
        })
        .node("networkInfo", |x| {
            x.leaf("networkPerformance", t.network_performance)
                .leaf("maximumNetworkInterfaces", t.max_enis)
                .leaf("maximumNetworkCards", 1)
                .leaf("defaultNetworkCardIndex", 0)
                .leaf("ipv4AddressesPerInterface", t.ipv4_per_eni)
                .leaf("ipv6AddressesPerInterface", t.ipv4_per_eni)
                .leaf("ipv6Supported", true)
                .leaf("enaSupport", if xen { "unsupported" } else { "required" })
                .leaf("efaSupported", false);
        })
        .node("placementGroupInfo", |x| {
            x.scalar_list("supportedStrategies", ["cluster", "partition", "spread"]);
        })
        .leaf("hibernationSupported", true)
        .leaf("burstablePerformanceSupported", t.burstable)
        .leaf("dedicatedHostsSupported", !t.burstable)
        .leaf("autoRecoverySupported", true)
        .scalar_list(
            "supportedBootModes",
            if xen {
                &["legacy-bios"][..]
            } else {
                &["legacy-bios", "uefi"][..]
            },
        );
}

/// An offering's location type, as `LocationType` spells it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LocationType {
    Region,
    Zone,
    ZoneId,
}

fn describe_instance_type_offerings(
    tx: &Tx<'_, '_>,
    p: &Params,
    x: &mut Xml,
) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, &["instance-type", "location"])?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let (kind, kind_name) = match p.get("LocationType").unwrap_or("region") {
        "region" => (LocationType::Region, "region"),
        "availability-zone" => (LocationType::Zone, "availability-zone"),
        "availability-zone-id" => (LocationType::ZoneId, "availability-zone-id"),
        other => return Err(Ec2Error::invalid_value("LocationType", other)),
    };
    let region = tx.scope().region.clone();
    let locations: Vec<String> = match kind {
        LocationType::Region => vec![region.clone()],
        LocationType::Zone => regions::zones(&region)
            .into_iter()
            .map(|z| z.name)
            .collect(),
        LocationType::ZoneId => regions::zones(&region).into_iter().map(|z| z.id).collect(),
    };
    let no_tags = Tags::new();
    let mut items: Vec<(String, &'static str, String)> = Vec::new();
    for l in &locations {
        for t in catalog::instance_types() {
            let keep = matches(&filters, &no_tags, |f| match f {
                "instance-type" => vec![t.name.to_owned()],
                "location" => vec![l.clone()],
                _ => Vec::new(),
            });
            if keep {
                items.push((format!("{l}/{}", t.name), t.name, l.clone()));
            }
        }
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = paginate(items, |i| &i.0, limit, token.as_deref());
    x.list("instanceTypeOfferingSet", page, |x, (_, t, l)| {
        x.leaf("instanceType", t)
            .leaf("locationType", kind_name)
            .leaf("location", l);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

const IMAGE_FILTERS: &[&str] = &[
    "architecture",
    "description",
    "hypervisor",
    "image-id",
    "image-type",
    "is-public",
    "name",
    "owner-alias",
    "owner-id",
    "platform",
    "platform-details",
    "root-device-name",
    "root-device-type",
    "state",
    "usage-operation",
    "virtualization-type",
];

/// A filter's values of one image.
fn image_field(i: &Image, name: &str) -> Vec<String> {
    let one = |v: &str| vec![v.to_owned()];
    match name {
        "architecture" => one(i.architecture),
        "description" => one(i.description),
        "hypervisor" => one("xen"),
        "image-id" => one(&i.id),
        "image-type" => one("machine"),
        "is-public" => one("true"),
        "name" => one(i.name),
        "owner-alias" => i.owner_alias.map(|a| a.to_owned()).into_iter().collect(),
        "owner-id" => one(i.owner_id),
        "platform" => i.platform.map(|a| a.to_owned()).into_iter().collect(),
        "platform-details" => one(i.platform_details),
        "root-device-name" => one(i.root_device_name),
        "root-device-type" => one("ebs"),
        "state" => one("available"),
        "usage-operation" => one(usage_operation(i)),
        "virtualization-type" => one("hvm"),
        _ => Vec::new(),
    }
}

fn usage_operation(i: &Image) -> &'static str {
    if i.platform.is_some() {
        "RunInstances:0002"
    } else {
        "RunInstances"
    }
}

/// Whether image `i` is owned by `owner` as `Owner.N` names it (`caller`: the caller's account).
fn owned_by(i: &Image, owner: &str, caller: &str) -> bool {
    match owner {
        "self" => i.owner_id == caller,
        "amazon" | catalog::VPCPEER_ALIAS => i.owner_alias == Some(owner),
        _ => i.owner_id == owner,
    }
}

/// Whether `id` is shaped as an image id (`ami-` and letters or digits), as RunInstances checks.
fn ami_shaped(id: &str) -> bool {
    id.strip_prefix("ami-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn describe_images(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, IMAGE_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    p.bool("IncludeDeprecated")?;
    p.bool("IncludeDisabled")?;
    let owners = p.list("Owner");
    for o in &owners {
        let known = matches!(
            o.as_str(),
            "self" | "amazon" | "aws-marketplace" | "aws-backup-vault" | catalog::VPCPEER_ALIAS
        );
        let account = o.len() == 12 && o.bytes().all(|b| b.is_ascii_digit());
        if !(known || account) {
            return Err(Ec2Error::new(
                "InvalidUserID.Malformed",
                format!("Invalid user id: \"{o}\""),
            ));
        }
    }
    let region = tx.scope().region.clone();
    let all = catalog::images(&region);
    let ids = p.list("ImageId");
    for id in &ids {
        if !ami_shaped(id) {
            return Err(Ec2Error::new(
                "InvalidAMIID.Malformed",
                format!("Invalid id: \"{id}\" (expecting \"ami-...\")"),
            ));
        }
    }
    let missing: Vec<&str> = ids
        .iter()
        .filter(|id| !all.iter().any(|i| &i.id == *id))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(Ec2Error::new(
            "InvalidAMIID.NotFound",
            format!("The image id '[{}]' does not exist", missing.join(", ")),
        ));
    }
    let caller = tx.scope().account.clone();
    let no_tags = Tags::new();
    let items: Vec<Image> = all
        .into_iter()
        .filter(|i| ids.is_empty() || ids.contains(&i.id))
        .filter(|i| owners.is_empty() || owners.iter().any(|o| owned_by(i, o, &caller)))
        .filter(|i| matches(&filters, &no_tags, |f| image_field(i, f)))
        .collect();
    let (page, next) = paginate(items, |i| &i.id, limit, token.as_deref());
    x.list("imagesSet", page, |x, i| render_image(x, &i));
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn render_image(x: &mut Xml, i: &Image) {
    let location = format!("{}/{}", i.owner_alias.unwrap_or(i.owner_id), i.name);
    let snapshot = format!("snap-{}", &i.id["ami-".len()..]);
    x.leaf("imageId", &i.id)
        .leaf("imageLocation", location)
        .leaf("imageState", "available")
        .leaf("imageOwnerId", i.owner_id)
        .leaf("creationDate", i.creation_date)
        .leaf("isPublic", true)
        .leaf("architecture", i.architecture)
        .leaf("imageType", "machine")
        .opt_leaf("platform", i.platform)
        .leaf("platformDetails", i.platform_details)
        .leaf("usageOperation", usage_operation(i))
        .opt_leaf("imageOwnerAlias", i.owner_alias)
        .leaf("name", i.name)
        .leaf("description", i.description)
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", i.root_device_name)
        .list("blockDeviceMapping", [()], |x, ()| {
            x.leaf("deviceName", i.root_device_name).node("ebs", |x| {
                x.leaf("deleteOnTermination", true)
                    .leaf("snapshotId", &snapshot)
                    .leaf("volumeSize", if i.platform.is_some() { 30 } else { 8 })
                    .leaf("volumeType", "gp3")
                    .leaf("encrypted", false);
            });
        })
        .leaf("virtualizationType", "hvm")
        .leaf("hypervisor", "xen")
        .leaf("enaSupport", true)
        .leaf("sriovNetSupport", "simple")
        .opt_leaf("bootMode", i.boot_mode);
}
