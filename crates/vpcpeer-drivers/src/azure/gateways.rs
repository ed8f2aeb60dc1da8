//! Azure gateways: reading them, through ARM (the gateway steps are in `gateway_steps.rs`).
//!
//! What a gateway VM `vm` of topology `t` is on Azure, each piece named `t--vm`
//! (`names::gateway_resource`) in the resource group of its network's account and tagged
//! `vpcpeer:topology`, `vpcpeer:network`, `vpcpeer:gateway` in its PUT:
//! - its address: a public IP (`publicIPAddresses`, Standard SKU, Static);
//! - its subnet: a subnet of the VNet named `t--gw-<block>` (`10.50.255.0/28` →
//!   `t--gw-10-50-255-0-28`) when the file gives a block, or the subnet the file names. An Azure
//!   subnet reaches the internet through the VM's public IP, so it is always public;
//! - its firewall: a network security group with one inbound rule `tunnel` (priority 100)
//!   allowing UDP 51820 from exactly the peers' public IPs; with no peers it has no rule, and the
//!   NSG's default rules admit nothing from the internet;
//! - its NIC: `enableIPForwarding: true`, the NSG, one IP configuration in the subnet with the
//!   public IP;
//! - the VM (`Microsoft.Compute/virtualMachines`): the image `vpcpeer/vpcpeer-gateway/v1`
//!   (`storageProfile.imageReference`), the NIC, `osProfile.customData` = base64 of the
//!   rendered configuration; ARM never returns custom data, so the configuration's digest is the
//!   VM's tag `vpcpeer:config`;
//! - routes: the topology's route table of the VNet, `t--<network>-rt`, associated with the
//!   VNet's subnets but the gateways' own; one UDR per remote block, named `t--vm-r<8 hex>`
//!   (`gcp::gateways::route_name`: the VM it leads to is read from its name), `nextHopType:
//!   VirtualAppliance`, `nextHopIpAddress` = the VM's NIC's private IP. A route whose next hop is
//!   not (or no longer) its VM's address is a blackhole, which the plan points again. The table
//!   is deleted with its last route (so `destroy` leaves nothing).
//!
//! Stop time: a gateway VM that does not run (deallocated or powered off) was stopped when its
//! last operation ended, the `time` of its instance view's `ProvisioningState/succeeded` status
//! (`Observed::gateway_stopped_at`, from which the health check dates its failure). An update
//! of the VM after the stop moves that time later, so the failure is dated later than it was,
//! never earlier (the detection time is then counted from the update).
//!
//! Reading: always, as on AWS, so that a file that drops its last gateways still finds their
//! pieces and removes them: one list each of public IPs, NSGs, NICs and VMs per resource group
//! of the file's Azure accounts, a VM's instance view each, and one `GET` of the route table
//! per VNet found.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde_json::Value;
use vpcpeer_controller::gateway::{SubnetRef, DEFAULT_PORT};
use vpcpeer_controller::names::{
    gateway_resource, owned_name, TAG_CONFIG, TAG_GATEWAY, TAG_NETWORK, TAG_TOPOLOGY,
};
use vpcpeer_controller::observed::{
    GatewayAddress, GatewayInstance, GatewaySubnet, GatewayTable, GatewayTableRoute,
    ObservedGateway,
};
use vpcpeer_controller::{Cloud, Desired, Observed};

use super::arm::{Arm, API};
use crate::clock::rfc3339_secs;
use crate::{DriverError, Drivers};

/// The `Microsoft.Compute` api-version of the VM calls.
pub(super) const API_COMPUTE: &str = "api-version=2024-07-01";
/// The NSG rule that admits the tunnel.
pub(super) const RULE: &str = "tunnel";

/// The ARM id of a resource of `kind` (`Microsoft.Network/publicIPAddresses`) in an account's
/// resource group.
pub(super) fn resource_id(desired: &Desired, account: &str, kind: &str, name: &str) -> String {
    let a = &desired.accounts[account];
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{kind}/{name}",
        a.id,
        a.resource_group.as_deref().unwrap_or_default()
    )
}

/// The name of the subnet made for a gateway block.
pub(super) fn subnet_name(topology: &str, cidr: &Ipv4Net) -> String {
    let text = cidr.to_string().replace(['.', '/'], "-");
    format!("{topology}--gw-{text}")
}

/// The name of the topology's route table of a VNet.
pub(super) fn table_name(topology: &str, network: &str) -> String {
    format!("{topology}--{network}-rt")
}

/// The VM a route of the topology leads to, read from its name `t--vm-r<8 hex>`.
pub(super) fn route_vm<'n>(topology: &str, name: &'n str) -> Option<&'n str> {
    let rest = name.strip_prefix(topology)?.strip_prefix("--")?;
    let (vm, hash) = rest.rsplit_once("-r")?;
    (hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(vm)
}

fn tag<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v["tags"][key].as_str()
}

/// The NIC's first IP configuration's properties.
pub(super) fn ip_config(nic: &Value) -> &Value {
    &nic["properties"]["ipConfigurations"][0]["properties"]
}

/// The private IPv4 address of a NIC.
pub(super) fn private_ip(nic: &Value) -> Option<Ipv4Addr> {
    ip_config(nic)["privateIPAddress"].as_str()?.parse().ok()
}

/// The addresses an NSG's `tunnel` rule admits (UDP 51820, allowed, inbound).
fn tunnel_sources(nsg: &Value) -> Vec<Ipv4Addr> {
    let rules = nsg["properties"]["securityRules"].as_array();
    let port = DEFAULT_PORT.to_string();
    let mut out = Vec::new();
    for r in rules.into_iter().flatten() {
        let p = &r["properties"];
        let is = |k: &str, want: &str| p[k].as_str().is_some_and(|v| v.eq_ignore_ascii_case(want));
        if !(is("access", "Allow") && is("direction", "Inbound") && is("protocol", "Udp")) {
            continue;
        }
        let ports: Vec<&str> = p["destinationPortRanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .chain(p["destinationPortRange"].as_str())
            .collect();
        if !ports.iter().any(|x| *x == port) {
            continue;
        }
        let sources = p["sourceAddressPrefixes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .chain(p["sourceAddressPrefix"].as_str());
        out.extend(
            sources.filter_map(|s| s.strip_suffix("/32").unwrap_or(s).parse::<Ipv4Addr>().ok()),
        );
    }
    out
}

/// The status of an instance view whose code is `code` (any case).
fn status<'v>(view: &'v Value, code: &str) -> Option<&'v Value> {
    view["statuses"].as_array()?.iter().find(|s| {
        s["code"]
            .as_str()
            .is_some_and(|c| c.eq_ignore_ascii_case(code))
    })
}

fn entry<'o>(out: &'o mut Observed, vm: &str, network: &str) -> &'o mut ObservedGateway {
    crate::gateway_entry(out, Cloud::Azure, vm, network)
}

/// The gateway VM and network of a piece tagged with the topology.
fn owner<'v>(topology: &str, v: &'v Value) -> Option<(&'v str, &'v str)> {
    (tag(v, TAG_TOPOLOGY) == Some(topology)).then_some(())?;
    Some((tag(v, TAG_GATEWAY)?, tag(v, TAG_NETWORK)?))
}

/// Reads the topology's Azure gateways (in the resource group of every Azure account of the
/// file) and the route table of every Azure network found.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    // The orphans found so far, so that reaching an orphan's account (`Arm::of`) works
    // while observing, before the whole observation is kept.
    d.found.observed.orphans = out.orphans.clone();
    let t = desired.name.as_str();
    let mut private: BTreeMap<String, Ipv4Addr> = BTreeMap::new();
    let mut seen_groups: Vec<String> = Vec::new();
    for (account, a) in &desired.accounts {
        if a.cloud != Cloud::Azure {
            continue;
        }
        let rg = a.resource_group.as_deref().unwrap_or_default();
        let group = format!("{}/{rg}", a.id).to_ascii_lowercase();
        if seen_groups.contains(&group) {
            continue;
        }
        seen_groups.push(group);
        let call = "GET publicIPAddresses";
        let arm = Arm::at(d, account, None, call)?;
        let list = |kind: &str, api: &str| {
            let path = resource_id(desired, account, kind, "");
            format!("{}?{api}", path.trim_end_matches('/'))
        };
        let pips = arm
            .list(call, &list("Microsoft.Network/publicIPAddresses", API))
            .await?;
        for p in &pips {
            let Some((vm, network)) = owner(t, p) else {
                continue;
            };
            let ip = p["properties"]["ipAddress"]
                .as_str()
                .and_then(|s| s.parse().ok());
            if let Some(ip) = ip {
                entry(out, vm, network).address = Some(GatewayAddress {
                    id: p["id"].as_str().unwrap_or_default().to_string(),
                    ip,
                });
            }
            d.found
                .gateway_places
                .insert(vm.to_string(), (account.clone(), String::new()));
        }
        let call = "GET networkSecurityGroups";
        let nsgs = arm
            .list(call, &list("Microsoft.Network/networkSecurityGroups", API))
            .await?;
        for n in &nsgs {
            let Some((vm, network)) = owner(t, n) else {
                continue;
            };
            entry(out, vm, network).firewall = Some(tunnel_sources(n));
            d.found
                .gateway_places
                .insert(vm.to_string(), (account.clone(), String::new()));
        }
        let call = "GET networkInterfaces";
        let nics = arm
            .list(call, &list("Microsoft.Network/networkInterfaces", API))
            .await?;
        let mut nic_of: BTreeMap<String, Value> = BTreeMap::new();
        for n in nics {
            let Some((vm, network)) = owner(t, &n) else {
                continue;
            };
            if let Some(ip) = private_ip(&n) {
                private.insert(vm.to_string(), ip);
            }
            let subnet = ip_config(&n)["subnet"]["id"].as_str().unwrap_or_default();
            let subnet_name = subnet.rsplit('/').next().unwrap_or_default();
            if owned_name(t, subnet_name) {
                entry(out, vm, network).subnet = Some(GatewaySubnet {
                    id: subnet.to_string(),
                    cidr: None,
                    public: true,
                    created: true,
                });
            }
            nic_of.insert(vm.to_string(), n.clone());
        }
        let call = "GET virtualMachines";
        let vms = arm
            .list(
                call,
                &list("Microsoft.Compute/virtualMachines", API_COMPUTE),
            )
            .await?;
        for v in &vms {
            let Some((vm, network)) = owner(t, v) else {
                continue;
            };
            let id = v["id"].as_str().unwrap_or_default().to_string();
            let view = arm
                .get(
                    "GET virtualMachines instanceView",
                    &format!("{id}/instanceView?{API_COMPUTE}"),
                )
                .await?
                .unwrap_or(Value::Null);
            let running = status(&view, "PowerState/running").is_some();
            if let Some(t) = (!running)
                .then(|| status(&view, "ProvisioningState/succeeded"))
                .flatten()
                .and_then(|s| s["time"].as_str())
                .and_then(rfc3339_secs)
            {
                out.gateway_stopped_at.insert(vm.to_string(), t);
            }
            let nic = nic_of.get(vm);
            let forwarding = nic
                .and_then(|n| n["properties"]["enableIPForwarding"].as_bool())
                .unwrap_or(false);
            let attached_ip = nic.and_then(|n| ip_config(n)["publicIPAddress"]["id"].as_str());
            let e = entry(out, vm, network);
            let address_attached = match (attached_ip, &e.address) {
                (Some(have), Some(a)) => have.eq_ignore_ascii_case(&a.id),
                _ => false,
            };
            e.instance = Some(GatewayInstance {
                digest: tag(v, TAG_CONFIG).unwrap_or_default().to_string(),
                running,
                forwarding,
                address_attached,
                id,
            });
            d.found
                .gateway_instances
                .insert(vm.to_string(), v["id"].as_str().unwrap_or_default().into());
        }
    }
    subnets(d, desired, out).await?;
    tables(d, desired, out, &private).await
}

/// The subnets of the declared gateways, from their VNets' bodies: the one made for the block,
/// or the one named.
async fn subnets(d: &Drivers, desired: &Desired, out: &mut Observed) -> Result<(), DriverError> {
    let t = desired.name.as_str();
    for g in desired.gateways.values() {
        if g.cloud != Cloud::Azure {
            continue;
        }
        let Some(found) = out.networks.get(&g.network) else {
            continue;
        };
        let call = format!("GET virtualNetworks {}", g.network);
        let arm = Arm::of(d, desired, &call, &g.network)?;
        let Some(vnet) = arm.get(&call, &format!("{}?{API}", found.id)).await? else {
            continue;
        };
        let subnets = vnet["properties"]["subnets"].as_array().cloned();
        for vm in g.vms() {
            let (want, created) = match vm.subnet {
                SubnetRef::Create(cidr) => (subnet_name(t, cidr), true),
                SubnetRef::Existing(name) => (name.clone(), false),
            };
            let s = subnets.iter().flatten().find(|s| {
                s["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&want))
            });
            let Some(s) = s else { continue };
            let cidr = s["properties"]["addressPrefix"]
                .as_str()
                .and_then(|c| c.parse().ok());
            entry(out, vm.name, &g.network).subnet = Some(GatewaySubnet {
                id: s["id"].as_str().unwrap_or_default().to_string(),
                cidr,
                public: true,
                created,
            });
        }
    }
    Ok(())
}

/// The topology's route table of every Azure network found (none until it exists).
async fn tables(
    d: &Drivers,
    desired: &Desired,
    out: &mut Observed,
    private: &BTreeMap<String, Ipv4Addr>,
) -> Result<(), DriverError> {
    let t = desired.name.as_str();
    let found: Vec<(String, String)> = out
        .networks
        .iter()
        .chain(out.orphans.iter())
        .filter(|(_, n)| n.detail.cloud() == Cloud::Azure)
        .map(|(name, n)| (name.clone(), n.id.clone()))
        .collect();
    for (name, vnet) in found {
        let call = format!("GET routeTables {name}");
        let arm = Arm::of(d, desired, &call, &name)?;
        let id = table_id(&vnet, t, &name);
        let mut list = Vec::new();
        if let Some(table) = arm.get(&call, &format!("{id}?{API}")).await? {
            let routes = table["properties"]["routes"].as_array().cloned();
            let routes = routes.into_iter().flatten().filter_map(|r| {
                let p = &r["properties"];
                let destination: Ipv4Net = p["addressPrefix"].as_str()?.parse().ok()?;
                let hop = p["nextHopIpAddress"].as_str().unwrap_or_default();
                let gateway = route_vm(t, r["name"].as_str().unwrap_or_default());
                let blackhole = gateway.is_some_and(|vm| {
                    private.get(vm).map(ToString::to_string).as_deref() != Some(hop)
                });
                let target = match p["nextHopType"].as_str().unwrap_or_default() {
                    h if h.eq_ignore_ascii_case("VirtualAppliance") => hop.to_string(),
                    h => h.to_string(),
                };
                Some(GatewayTableRoute {
                    destination,
                    gateway: gateway.map(str::to_string),
                    target,
                    blackhole,
                })
            });
            list.push(GatewayTable {
                id: table["id"].as_str().unwrap_or(&id).to_string(),
                routes: routes.collect(),
            });
        }
        out.gateway_tables.insert(name, list);
    }
    Ok(())
}

/// The ARM id of the topology's route table of a VNet (in the VNet's resource group).
pub(super) fn table_id(vnet: &str, topology: &str, network: &str) -> String {
    let group = vnet.split("/providers/").next().unwrap_or_default();
    format!(
        "{group}/providers/Microsoft.Network/routeTables/{}",
        table_name(topology, network)
    )
}

/// `<topology>--<vm>`: the name of each of a gateway VM's pieces.
pub(super) fn piece(topology: &str, vm: &str) -> String {
    gateway_resource(topology, vm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_rules_read_back() {
        let name = crate::gcp::route_name("t", "hq-gw-hagw", &"10.1.0.0/16".parse().unwrap());
        assert_eq!(route_vm("t", &name), Some("hq-gw-hagw"));
        assert_eq!(route_vm("t", "t--other"), None);
        assert_eq!(route_vm("u", &name), None);
        assert_eq!(
            subnet_name("t", &"10.50.255.0/28".parse().unwrap()),
            "t--gw-10-50-255-0-28"
        );
        let nsg = json!({"properties": {"securityRules": [
            {"name": "tunnel", "properties": {"access": "Allow", "direction": "Inbound",
             "protocol": "Udp", "destinationPortRange": "51820",
             "sourceAddressPrefixes": ["1.2.3.4/32", "5.6.7.8"]}},
            {"name": "other", "properties": {"access": "Allow", "direction": "Inbound",
             "protocol": "Tcp", "destinationPortRange": "51820",
             "sourceAddressPrefix": "9.9.9.9"}},
        ]}});
        assert_eq!(
            tunnel_sources(&nsg),
            vec![Ipv4Addr::new(1, 2, 3, 4), Ipv4Addr::new(5, 6, 7, 8)]
        );
    }
}
