//! The bodies of the instance and address changes: `instances.insert` (interfaces with their
//! `accessConfigs`, `canIpForward`, `metadata`, the boot disk's
//! `initializeParams.sourceImage`), `instances.setMetadata` and `addresses.insert`, read into
//! the model's typed inputs without looking at the world.

use serde_json::Value;
use vpcpeer_model::gcp::{
    AccessConfigSpec, AddressSpec, AddressType, FingerprintInput, InstanceSpec, IpInput,
    MetadataInput, MetadataItem, NetworkTier, NicSpec,
};

use super::{required_body, Fields};
use crate::render::fingerprint_value;
use crate::{Call, WireError};

fn network_tier(f: &Fields<'_>) -> Result<Option<NetworkTier>, WireError> {
    match f.str("networkTier")?.as_deref() {
        None => Ok(None),
        Some("PREMIUM") => Ok(Some(NetworkTier::Premium)),
        Some("STANDARD") => Ok(Some(NetworkTier::Standard)),
        Some(_) => Err(f.bad("networkTier")),
    }
}

fn access_config(v: &Value) -> Result<AccessConfigSpec, WireError> {
    let f = Fields::new(v, "resource.networkInterfaces.accessConfigs.");
    match f.str("type")?.as_deref() {
        None | Some("ONE_TO_ONE_NAT") => {}
        // IPv6 access configs (`DIRECT_IPV6`) need IPv6 subnetworks, which are not emulated.
        Some(_) => return Err(f.bad("type")),
    }
    Ok(AccessConfigSpec {
        name: f.str("name")?,
        nat_ip: f.str("natIP")?.as_deref().map(IpInput::parse),
        network_tier: network_tier(&f)?,
    })
}

/// `metadata.items[]` of an instance body or a `setMetadata` body.
fn metadata_items(f: &Fields<'_>) -> Result<Vec<MetadataItem>, WireError> {
    f.objects("items")?
        .into_iter()
        .map(|i| {
            let itf = Fields::new(i, "resource.metadata.items.");
            Ok(MetadataItem {
                key: itf.string("key")?,
                value: itf.string("value")?,
            })
        })
        .collect()
}

/// `instances.insert`.
pub(super) fn instance_spec(call: &Call) -> Result<InstanceSpec, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    let tags = match f.object("tags")? {
        Some(t) => Fields::new(t, "resource.tags.").strings("items")?,
        None => Vec::new(),
    };
    let mut nics = Vec::new();
    for n in f.objects("networkInterfaces")? {
        let nf = Fields::new(n, "resource.networkInterfaces.");
        nics.push(NicSpec {
            network: nf.str("network")?,
            subnetwork: nf.str("subnetwork")?,
            network_ip: nf.str("networkIP")?.as_deref().map(IpInput::parse),
            access_configs: nf
                .objects("accessConfigs")?
                .into_iter()
                .map(access_config)
                .collect::<Result<_, _>>()?,
        });
    }
    let metadata = match f.object("metadata")? {
        Some(m) => metadata_items(&Fields::new(m, "resource.metadata."))?,
        None => Vec::new(),
    };
    Ok(InstanceSpec {
        name: f.string("name")?,
        machine_type: f.string("machineType")?,
        tags,
        nics,
        can_ip_forward: f.bool("canIpForward")?.unwrap_or(false),
        metadata,
        source_image: source_image(&f)?,
    })
}

/// The boot disk's `initializeParams.sourceImage` (the disk marked `boot`, else the first);
/// `None` when no disk is given or it has none (an existing disk attached by `source`).
fn source_image(f: &Fields<'_>) -> Result<Option<String>, WireError> {
    let disks = f.objects("disks")?;
    let mut boot = None;
    for d in &disks {
        if Fields::new(d, "resource.disks.").bool("boot")? == Some(true) {
            boot = Some(*d);
            break;
        }
    }
    let Some(d) = boot.or_else(|| disks.first().copied()) else {
        return Ok(None);
    };
    match Fields::new(d, "resource.disks.").object("initializeParams")? {
        Some(p) => Fields::new(p, "resource.disks.initializeParams.").str("sourceImage"),
        None => Ok(None),
    }
}

/// `instances.setMetadata` (the body is a `Metadata`: `fingerprint` and `items`).
pub(super) fn metadata_input(call: &Call) -> Result<MetadataInput, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    Ok(MetadataInput {
        fingerprint: f.str("fingerprint")?.map(|s| match fingerprint_value(&s) {
            Some(v) => FingerprintInput::Value(v),
            None => FingerprintInput::Malformed(s),
        }),
        items: metadata_items(&f)?,
    })
}

/// `addresses.insert`.
pub(super) fn address_spec(call: &Call) -> Result<AddressSpec, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    let address_type = match f.str("addressType")?.as_deref() {
        None | Some("EXTERNAL") => AddressType::External,
        Some("INTERNAL") => AddressType::Internal,
        Some(_) => return Err(f.bad("addressType")),
    };
    Ok(AddressSpec {
        name: f.string("name")?,
        description: f.string("description")?,
        address: f.str("address")?.as_deref().map(IpInput::parse),
        address_type,
        network_tier: network_tier(&f)?,
    })
}
