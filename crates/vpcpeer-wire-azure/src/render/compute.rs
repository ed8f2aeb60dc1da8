//! ARM JSON of public IP addresses and of a VM's instance view (its power state).
//!
//! The instance view's `ProvisioningState/succeeded` status carries `time`, the end of the VM's
//! last operation (its creation, an update, a deallocate, powerOff or start:
//! `AzVm::last_operation`), the `PowerState/…` status none, as Compute answers; `time` is
//! written as Compute writes it, seven fractional digits and an offset
//! (`2023-11-14T22:13:20.0000000+00:00`). \[UNVERIFIED: the shared spec covers VNet peering
//! only; `InstanceViewStatus.time` is in Compute's REST reference, which statuses carry it and
//! its spelling are from answers Azure gives, not from a reference.\]
//!
//! A VM's `osProfile.customData` is never rendered: ARM does not return it on GET (the VM's own
//! agent reads it at boot), so a client that wants it back must have kept it.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use vpcpeer_model::azure::ops::{ip_config_id, public_ip_user};
use vpcpeer_model::azure::{AzPowerState, AzPublicIp, AzPublicIpSku, AzVm};
use vpcpeer_model::{Timestamp, World};

use super::{etag, id_ref, tags, vm, SUCCEEDED};

/// The spelling of a public IP SKU.
pub fn public_ip_sku(s: AzPublicIpSku) -> &'static str {
    match s {
        AzPublicIpSku::Basic => "Basic",
        AzPublicIpSku::Standard => "Standard",
    }
}

/// A public IP address, with the IP configuration using it.
pub fn public_ip(world: &World, p: &AzPublicIp) -> Value {
    let mut props = Map::new();
    props.insert("provisioningState".into(), json!(SUCCEEDED));
    props.insert("resourceGuid".into(), json!(p.guid));
    if let Some(a) = p.address {
        props.insert("ipAddress".into(), json!(a.to_string()));
    }
    props.insert("publicIPAddressVersion".into(), json!("IPv4"));
    props.insert(
        "publicIPAllocationMethod".into(),
        json!(if p.is_static { "Static" } else { "Dynamic" }),
    );
    props.insert("idleTimeoutInMinutes".into(), json!(p.idle_timeout));
    props.insert("ipTags".into(), json!([]));
    if let Some((nic, config)) = public_ip_user(world, &p.id) {
        props.insert("ipConfiguration".into(), id_ref(&ip_config_id(nic, config)));
    }
    json!({
        "name": p.name,
        "id": p.display_id,
        "etag": etag(&p.guid),
        "type": "Microsoft.Network/publicIPAddresses",
        "location": p.place.location,
        "tags": tags(&p.tags),
        "sku": {"name": public_ip_sku(p.sku), "tier": "Regional"},
        "properties": props,
    })
}

/// The `PowerState/…` code and display status of a power state.
pub fn power_state(p: AzPowerState) -> (&'static str, &'static str) {
    match p {
        AzPowerState::Running => ("PowerState/running", "VM running"),
        AzPowerState::Stopped => ("PowerState/stopped", "VM stopped"),
        AzPowerState::Deallocated => ("PowerState/deallocated", "VM deallocated"),
    }
}

/// A VM's instance view: its provisioning state (with the end of its last operation, when
/// kept) and its power state.
pub fn instance_view(v: &AzVm) -> Value {
    let (code, display) = power_state(v.power);
    let mut provisioning = json!({
        "code": "ProvisioningState/succeeded",
        "level": "Info",
        "displayStatus": "Provisioning succeeded",
    });
    if let Some(t) = v.last_operation {
        provisioning["time"] = json!(status_time(t));
    }
    json!({
        "statuses": [
            provisioning,
            {"code": code, "level": "Info", "displayStatus": display},
        ],
    })
}

/// A status's `time` as Compute writes it: `2023-11-14T22:13:20.1230000+00:00`.
fn status_time(t: Timestamp) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.millis()) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}0000+00:00",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// A VM with its instance view (`GET` with `$expand=instanceView`).
pub fn vm_expanded(v: &AzVm) -> Value {
    let mut out = vm(v);
    out["properties"]["instanceView"] = instance_view(v);
    out
}
