//! What makes an instance usable as a gateway: its external addresses (access configs), its run
//! state (`instances.stop` and `start`) and its metadata (`instances.setMetadata`), and the read
//! accessors the reachability engine and the tunnel model use.
//!
//! - External addresses come from one emulator pool, [`EXTERNAL_POOL`] = `35.192.0.0/12` (a
//!   block of Google's that looks like GCP's external addresses and cannot collide with the AWS
//!   pool `198.18.0.0/15`), lowest free address first, never one ending in `.0` or `.255`. An
//!   address is unique across every project. A `natIP` given at insert must be a static address
//!   ([`GcpAddress`], `addresses.insert`) of the project in the instance's region that no other
//!   instance uses, as on GCP; an address held by a [`GcpAddress`] is static, any other
//!   ephemeral (derived on read, never stored).
//! - `instances.stop` turns the instance `TERMINATED` and releases its ephemeral external
//!   addresses (GCP's documented behaviour: "If a VM is stopped, any ephemeral external IP
//!   addresses assigned to the VM are released back into the general Compute Engine pool"); the
//!   access config stays, without `natIP`, and `instances.start` draws a new address for it.
//!   Static addresses stay assigned (and `IN_USE`) while the instance is stopped. Stop and start
//!   apply within the request (no `STOPPING` or `PROVISIONING` in between) and are idempotent:
//!   stopping a stopped instance or starting a running one succeeds and changes nothing but the
//!   operation it records.
//! - Each stop and start that changes the state records its time on the transaction's clock,
//!   rendered as `lastStopTimestamp` / `lastStartTimestamp` (Compute v1's `Instance` fields, "Last
//!   stop timestamp in RFC3339 text format" in Google's API reference and SDK); insert records
//!   the first start. A start keeps the last stop time, a stop the last start time, as GCP's
//!   instances show both after a restart \[UNVERIFIED: not in the shared spec; that insert sets
//!   `lastStartTimestamp` is from instances GCP returns, not from a reference\].
//! - `canIpForward` is fixed at insert: Compute v1 has no `setCanIpForward` (only the full
//!   `instances.update`, not emulated).
//! - `setMetadata` replaces every item and must quote the current fingerprint; a missing or
//!   stale one is 412 `conditionNotMet` ([`GcpError::FingerprintMismatch`]). The fingerprint is
//!   a pure function of the instance's numeric id and the number of changes
//!   ([`next_fingerprint`]), so it changes on every change without drawing ids. An instance
//!   stored before metadata existed has no fingerprint to be stale against: any is accepted
//!   \[UNVERIFIED: no such instance exists on GCP\].

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::addresses::{draw_external_ip, external_ips_in_use};
use super::limits::{MAX_METADATA_KEY, MAX_METADATA_TOTAL, MAX_METADATA_VALUE};
use super::operations::{done_op, existing};
use super::*;
use crate::Tx;

/// The metadata key cloud-init's GCE datasource reads the user data from.
pub const USER_DATA_KEY: &str = "user-data";

/// The gateway image on GCP, as a partial URL for `disks[].initializeParams.sourceImage`:
/// vpcpeer's own image (spec choice: it is not a real public image; a project `vpcpeer` holds
/// it the way `debian-cloud` holds Debian's). Its configuration is the `user-data` metadata
/// item ([`USER_DATA_KEY`]). [`is_gateway_image`] also accepts the full URL and the image
/// family (`projects/vpcpeer/global/images/family/vpcpeer-gateway`).
pub const GATEWAY_IMAGE: &str = "projects/vpcpeer/global/images/vpcpeer-gateway";

/// The gateway image's family, as a partial URL.
pub const GATEWAY_IMAGE_FAMILY: &str = "projects/vpcpeer/global/images/family/vpcpeer-gateway";

/// Whether `source_image` (as a client gives it: partial or full URL, image or family) names
/// the gateway image ([`GATEWAY_IMAGE`]).
pub fn is_gateway_image(source_image: &str) -> bool {
    let rel = super::relative_path(source_image);
    rel == GATEWAY_IMAGE || rel == GATEWAY_IMAGE_FAMILY
}

impl GcpInstance {
    /// The external IPv4 address of its first interface (`nic0`'s access config), if it has one
    /// now (a stopped instance has released its ephemeral address).
    pub fn external_ipv4(&self) -> Option<Ipv4Addr> {
        self.nics
            .first()
            .and_then(|n| n.access_configs.first())
            .and_then(|a| a.nat_ip)
    }

    /// Whether it may send and receive packets whose addresses are not its own (`canIpForward`).
    pub fn can_ip_forward(&self) -> bool {
        self.can_ip_forward
    }

    /// Whether it is `RUNNING` (a `TERMINATED` instance neither sends nor receives).
    pub fn is_running(&self) -> bool {
        self.status.is_running()
    }

    /// The value of metadata item `key`, if it has one.
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata
            .as_ref()?
            .items
            .iter()
            .find(|i| i.key == key)
            .map(|i| i.value.as_str())
    }

    /// The `user-data` metadata value (what cloud-init's GCE datasource hands the guest).
    pub fn user_data(&self) -> Option<&str> {
        self.metadata_value(USER_DATA_KEY)
    }

    /// Whether it booted from the gateway image ([`GATEWAY_IMAGE`]).
    pub fn is_gateway(&self) -> bool {
        self.source_image.as_deref().is_some_and(is_gateway_image)
    }
}

/// One `accessConfigs[]` entry of an interface of `instances.insert` (`type` is
/// `ONE_TO_ONE_NAT`, the only one the face accepts).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AccessConfigSpec {
    /// Name (default `External NAT`).
    pub name: Option<String>,
    /// A static address of the project to use; an ephemeral one is drawn when absent.
    pub nat_ip: Option<IpInput>,
    /// Network tier (default: the static address's, else `PREMIUM`).
    pub network_tier: Option<NetworkTier>,
}

/// A `setMetadata` body's fingerprint as the face read it (base64 of 8 bytes), or the text
/// that is none, refused by the command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FingerprintInput {
    /// The fingerprint.
    Value(u64),
    /// Text that is no fingerprint, as given.
    Malformed(String),
}

/// What `instances.setMetadata` takes: the new items and the fingerprint they replace.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetadataInput {
    /// The fingerprint of the metadata the caller read (required).
    pub fingerprint: Option<FingerprintInput>,
    /// Every item the instance will have.
    pub items: Vec<MetadataItem>,
}

/// The fingerprint after `previous` (a splitmix64 step: the same input always gives the same
/// output, and a chain of them does not repeat in practice).
pub fn next_fingerprint(previous: u64) -> u64 {
    let mut z = previous.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Refuses metadata items GCP refuses: a bad key, a key given twice, a value or a whole too
/// large.
pub(crate) fn check_metadata(items: &[MetadataItem]) -> Result<(), GcpError> {
    let mut keys = BTreeSet::new();
    let mut total = 0usize;
    for (i, item) in items.iter().enumerate() {
        let k = &item.key;
        let good = !k.is_empty()
            && k.len() <= MAX_METADATA_KEY
            && k.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !good {
            return Err(GcpError::BadValue {
                field: Field::MetadataKey(i),
                value: k.clone(),
            });
        }
        if !keys.insert(k.as_str()) {
            return Err(GcpError::DuplicateMetadataKey { key: k.clone() });
        }
        if item.value.len() > MAX_METADATA_VALUE {
            return Err(GcpError::MetadataTooLarge {
                key: Some(k.clone()),
                bytes: item.value.len(),
                max: MAX_METADATA_VALUE,
            });
        }
        total += k.len() + item.value.len();
    }
    if total > MAX_METADATA_TOTAL {
        return Err(GcpError::MetadataTooLarge {
            key: None,
            bytes: total,
            max: MAX_METADATA_TOTAL,
        });
    }
    Ok(())
}

/// The addresses a request has to keep clear of: every one in use (for drawing ephemeral
/// addresses) and the static ones its own interfaces claimed so far.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    /// In use anywhere, or handed out by this request.
    pub taken: BTreeSet<Ipv4Addr>,
    /// Static addresses claimed by this request's interfaces.
    pub claimed: BTreeSet<Ipv4Addr>,
}

/// The access configs of interface `nic` of a new instance in `project` and `region`: each
/// `natIP` a static address of the project in the region that nobody uses, else a fresh
/// ephemeral address.
pub(crate) fn plan_access_configs(
    world: &crate::World,
    (project, region): (&str, &str),
    nic: usize,
    specs: &[AccessConfigSpec],
    claims: &mut Claims,
) -> Result<Vec<GcpAccessConfig>, GcpError> {
    use super::limits::{check_count, MAX_ACCESS_CONFIGS};
    check_count(
        Field::NicAccessConfigs(nic),
        specs.len(),
        MAX_ACCESS_CONFIGS,
    )?;
    let mut out = Vec::new();
    for spec in specs {
        let (ip, tier) = match &spec.nat_ip {
            Some(given) => {
                let ip = given.ip(Field::NicNatIp(nic))?;
                let reserved = address_of(world, ip)
                    .filter(|a| a.project == project && a.region == region)
                    .ok_or_else(|| GcpError::NatIpNotReserved {
                        nic,
                        ip,
                        region: region.to_owned(),
                    })?;
                if !address_users(world, reserved).is_empty() || !claims.claimed.insert(ip) {
                    return Err(GcpError::IpInUse { ip });
                }
                (ip, reserved.network_tier)
            }
            None => (draw_external_ip(&mut claims.taken)?, NetworkTier::Premium),
        };
        out.push(GcpAccessConfig {
            name: spec
                .name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "External NAT".to_owned()),
            nat_ip: Some(ip),
            network_tier: spec.network_tier.unwrap_or(tier),
        });
    }
    Ok(out)
}

fn instance_mut<'t>(tx: &'t mut Tx<'_, '_>, id: &str) -> &'t mut GcpInstance {
    tx.get_mut::<GcpInstance>(id).expect("checked above")
}

/// `instances.stop`: `TERMINATED`, ephemeral external addresses released.
pub fn stop_instance(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    set_running(tx, project, zone, name, false)
}

/// `instances.start`: `RUNNING`, a fresh ephemeral address for each access config that
/// released its own on stop.
pub fn start_instance(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    name: &str,
) -> Result<GcpOperation, GcpError> {
    set_running(tx, project, zone, name, true)
}

/// Stop (`run` false) or start an instance: when its state changes, the time of the change is
/// recorded and each access config gets its new `natIP` (a stop releases an ephemeral address,
/// a start draws one for each access config without), all drawn before anything is written.
fn set_running(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    name: &str,
    run: bool,
) -> Result<GcpOperation, GcpError> {
    let id = instance_path(project, zone, name);
    let inst = existing::<GcpInstance>(tx, &id)?;
    let numeric = inst.numeric_id;
    if inst.is_running() != run {
        let world = tx.world();
        let mut taken = external_ips_in_use(world);
        let mut nat_ips: Vec<Vec<Option<Ipv4Addr>>> = Vec::new();
        for n in &inst.nics {
            let mut row = Vec::new();
            for a in &n.access_configs {
                row.push(match (a.nat_ip, run) {
                    (Some(ip), true) => Some(ip),
                    (None, true) => Some(draw_external_ip(&mut taken)?),
                    // A stop keeps static addresses only.
                    (ip, false) => ip.filter(|ip| address_of(world, *ip).is_some()),
                });
            }
            nat_ips.push(row);
        }
        let now = Some(tx.now());
        let i = instance_mut(tx, &id);
        if run {
            i.status = InstanceStatus::Running;
            i.last_start = now;
        } else {
            i.status = InstanceStatus::Terminated;
            i.last_stop = now;
        }
        for (n, row) in i.nics.iter_mut().zip(nat_ips) {
            for (a, ip) in n.access_configs.iter_mut().zip(row) {
                a.nat_ip = ip;
            }
        }
    }
    let verb = if run { "start" } else { "stop" };
    Ok(done_op(
        tx,
        project,
        OpScope::Zone(zone.to_owned()),
        verb,
        &id,
        numeric,
    ))
}

/// `instances.setMetadata`: replaces every item, given the current fingerprint.
pub fn set_instance_metadata(
    tx: &mut Tx<'_, '_>,
    project: &str,
    zone: &str,
    name: &str,
    input: MetadataInput,
) -> Result<GcpOperation, GcpError> {
    let id = instance_path(project, zone, name);
    let inst = existing::<GcpInstance>(tx, &id)?;
    let numeric = inst.numeric_id;
    let given = match &input.fingerprint {
        None => None,
        Some(FingerprintInput::Value(v)) => Some(*v),
        Some(FingerprintInput::Malformed(s)) => {
            return Err(GcpError::BadValue {
                field: Field::MetadataFingerprint,
                value: s.clone(),
            })
        }
    };
    let current = inst.metadata.as_ref().map(|m| m.fingerprint);
    if let Some(current) = current {
        if given != Some(current) {
            return Err(GcpError::FingerprintMismatch);
        }
    }
    check_metadata(&input.items)?;
    let previous = current.unwrap_or(numeric);
    instance_mut(tx, &id).metadata = Some(GcpMetadata {
        fingerprint: next_fingerprint(previous),
        items: input.items,
    });
    Ok(done_op(
        tx,
        project,
        OpScope::Zone(zone.to_owned()),
        "setMetadata",
        &id,
        numeric,
    ))
}
