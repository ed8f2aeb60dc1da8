//! ARM JSON of public IP addresses and of a VM's instance view (its power state).
//!
//! A VM's `osProfile.customData` is never rendered: ARM does not return it on GET (the VM's own
//! agent reads it at boot), so a client that wants it back must have kept it.

use serde_json::{json, Map, Value};
use vpcpeer_model::azure::ops::{ip_config_id, public_ip_user};
use vpcpeer_model::azure::{AzPowerState, AzPublicIp, AzPublicIpSku, AzVm};
use vpcpeer_model::World;

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

/// A VM's instance view: its provisioning and power states.
pub fn instance_view(v: &AzVm) -> Value {
    let (code, display) = power_state(v.power);
    json!({
        "statuses": [
            {"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
            {"code": code, "level": "Info", "displayStatus": display},
        ],
    })
}

/// A VM with its instance view (`GET` with `$expand=instanceView`).
pub fn vm_expanded(v: &AzVm) -> Value {
    let mut out = vm(v);
    out["properties"]["instanceView"] = instance_view(v);
    out
}
