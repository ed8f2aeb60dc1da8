//! Azure driver: a client of Azure Resource Manager (`Microsoft.Network`, api-version
//! `2024-05-01`), the same calls against the real cloud and the local server.
//!
//! Why a small typed client of its own, where AWS and GCP use their official crates: Microsoft
//! keeps no Rust crate for ARM networking. `azure_mgmt_network` 0.21 (October 2024) is the last
//! release of the generated `azure_mgmt_*` crates, which their README calls "unofficial,
//! unsupported" with "no plans to update" (the source moved to the `legacy` branch of
//! Azure/azure-sdk-for-rust; the maintainers' word in issues #1718 and #1685), and the official
//! `azure_resourcemanager_*` family has no network crate yet. The client is the dozen calls the
//! controller needs, over the crate's one HTTP client (`crate::http`).
//!
//! - `observe`: one `GET` of each VNet of the topology (declared ones by name in the account's
//!   resource group, existing ones by their id: a full ARM id, or a name in that resource group).
//!   The VNet's body carries its address space and, inline, its peerings
//!   (`properties.virtualNetworkPeerings`), so one call per network reads everything the plan
//!   needs. A 404 means the VNet is not there (its resource group missing included). Only IPv4
//!   prefixes are read (a dual-stack VNet's IPv6 prefixes play no part in the plan).
//! - `execute`: a `PUT` of the VNet (`CreateNetwork`, with the declared address space, in the
//!   network's region, tagged `vpcpeer:topology` and `vpcpeer:network`; when ARM answers
//!   `ResourceGroupNotFound` the resource group is created in that region first — it is left in
//!   place by `destroy`, which cannot know who else uses it), a `DELETE` of it (`DeleteNetwork`),
//!   a `PUT` of a peering half (`AzureCreatePeering`), a `GET` then `PUT` of it as it is with
//!   `allowForwardedTraffic` changed (`AzureUpdatePeering`: ARM has no PATCH for peerings, and
//!   what someone set by hand, gateway transit for one, is kept) or with
//!   `&syncRemoteAddressSpace=true` (`AzureSyncPeering`), a `DELETE` of it
//!   (`AzureDeletePeering`).
//! - Orphans: a VNet the controller creates is tagged `vpcpeer:topology` and `vpcpeer:network`
//!   in its PUT itself. After the declared VNets, `observe` lists the VNets of the resource
//!   group of every Azure account of the file (one `GET …/virtualNetworks` per resource group,
//!   pages followed by `nextLink`; a missing group has none) and reads each one tagged with the
//!   topology whose network the file no longer declares into `Observed::orphans`, as a declared
//!   one (the list carries the peerings inline). Its account and location go to
//!   `Found::places`, so that `Arm::of` and `peering_path` reach it when its halves are deleted
//!   and it is deleted (by its id). A VNet the file still names — by its name, or by id under
//!   another name — is never an orphan; a VNet given by id carries no tag unless the topology
//!   made it. VNets of the topology in resource groups no account of the file names are not
//!   looked for.
//! - Long-running operations, errors and retry classes: `arm`.
//! - A 404 on a peering's `PUT` is "not visible yet" (its VNet, or the remote one, may have been
//!   created by an earlier step of the same apply, in another region or subscription whose ARM
//!   replica has not seen it yet); every other 404 on a write is final.

mod arm;
mod gateway_steps;
mod gateways;

use std::collections::BTreeSet;

use hyper::Method;
use ipnet::Ipv4Net;
use serde_json::{json, Value};
use vpcpeer_controller::apply::Retry;
use vpcpeer_controller::desired::Source;
use vpcpeer_controller::names::{azure_vnet_id, TAG_NETWORK, TAG_TOPOLOGY};
use vpcpeer_controller::observed::{AzurePeering, AzureState, Detail, ObservedNetwork};
use vpcpeer_controller::{Action, Cloud, Desired, Observed};

use crate::{DriverError, Drivers};
use arm::{Arm, API, API_RESOURCES};

/// Reads the topology's Azure networks into `out`.
pub(crate) async fn observe(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    for (name, n) in &desired.networks {
        if n.cloud != Cloud::Azure {
            continue;
        }
        let call = format!("GET virtualNetworks {name}");
        let arm = Arm::of(d, desired, &call, name)?;
        let id = declared_id(desired, name);
        let Some(vnet) = arm.get(&call, &format!("{id}?{API}")).await? else {
            continue;
        };
        out.networks.insert(name.clone(), read_vnet(&call, &vnet)?);
    }
    orphans(d, desired, out).await?;
    gateways::observe(d, desired, out).await
}

/// The topology's orphans: in the resource group of every Azure account of the file, the VNets
/// tagged `vpcpeer:topology` with the topology whose `vpcpeer:network` the file no longer
/// declares (one list per resource group; a missing group has none). A VNet the file still
/// names, by its name or by id under another name, is never an orphan.
async fn orphans(
    d: &mut Drivers,
    desired: &Desired,
    out: &mut Observed,
) -> Result<(), DriverError> {
    let mut groups: BTreeSet<(String, String)> = BTreeSet::new();
    for (account, a) in &desired.accounts {
        if a.cloud != Cloud::Azure {
            continue;
        }
        let group = a.resource_group.as_deref().unwrap_or_default();
        let call = format!("GET virtualNetworks {}/{group}", a.id);
        let arm = Arm::at(d, account, None, &call)?;
        let scope = format!("/subscriptions/{}/resourceGroups/{group}", a.id);
        if !groups.insert((arm.endpoint().to_string(), scope.to_ascii_lowercase())) {
            continue;
        }
        let path = format!("{scope}/providers/Microsoft.Network/virtualNetworks?{API}");
        for v in arm.list(&call, &path).await? {
            let tag = |k: &str| v["tags"][k].as_str().map(str::to_string);
            let (Some(topology), Some(name)) = (tag(TAG_TOPOLOGY), tag(TAG_NETWORK)) else {
                continue;
            };
            let id = v["id"].as_str().unwrap_or_default();
            let named = out.networks.values().any(|n| n.id.eq_ignore_ascii_case(id));
            if topology != desired.name
                || named
                || desired.networks.contains_key(&name)
                || out.orphans.contains_key(&name)
            {
                continue;
            }
            let found = read_vnet(&call, &v)?;
            let location = v["location"].as_str().unwrap_or_default().to_string();
            d.found
                .places
                .insert(name.clone(), (account.clone(), location));
            out.orphans.insert(name, found);
        }
    }
    Ok(())
}

/// Carries out one Azure step.
pub(crate) async fn execute(
    d: &mut Drivers,
    desired: &Desired,
    action: &Action,
) -> Result<(), DriverError> {
    match action {
        Action::CreateNetwork { network, cidrs, .. } => {
            let call = format!("PUT virtualNetworks {network}");
            let arm = Arm::of(d, desired, &call, network)?;
            let n = &desired.networks[network];
            let region = n.region.clone().ok_or_else(|| {
                DriverError::transport(Cloud::Azure, &call, "the network has no region")
            })?;
            let body = json!({
                "location": region,
                "tags": {TAG_TOPOLOGY: desired.name, TAG_NETWORK: network},
                "properties": {"addressSpace": {
                    "addressPrefixes": cidrs.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                }},
            });
            let path = format!("{}?{API}", declared_id(desired, network));
            match arm.write(&call, Method::PUT, &path, Some(&body)).await {
                Err(e) if e.code.eq_ignore_ascii_case("ResourceGroupNotFound") => {
                    let account = &desired.accounts[&n.account];
                    let group = format!(
                        "/subscriptions/{}/resourcegroups/{}?{API_RESOURCES}",
                        account.id,
                        account.resource_group.as_deref().unwrap_or_default()
                    );
                    let rg_call = format!("PUT resourceGroups {}", group_name(desired, network));
                    arm.write(
                        &rg_call,
                        Method::PUT,
                        &group,
                        Some(&json!({"location": region})),
                    )
                    .await?;
                    arm.write(&call, Method::PUT, &path, Some(&body)).await
                }
                other => other,
            }
        }
        Action::AddCidr { network, cidr, .. } => {
            // GET the VNet and PUT it back with the block added: a PUT replaces the whole
            // resource, so subnets and peerings must go back as they are.
            let call = format!("PUT virtualNetworks {network} (address space)");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = format!("{}?{API}", declared_id(desired, network));
            let mut body = arm
                .get(&call, &path)
                .await?
                .ok_or_else(|| DriverError::transport(Cloud::Azure, &call, "the VNet is gone"))?;
            let prefixes = &mut body["properties"]["addressSpace"]["addressPrefixes"];
            let mut list: Vec<serde_json::Value> = prefixes.as_array().cloned().unwrap_or_default();
            list.push(json!(cidr.to_string()));
            *prefixes = json!(list);
            arm.write(&call, Method::PUT, &path, Some(&body)).await
        }
        Action::DeleteNetwork { network, id, .. } => {
            let call = format!("DELETE virtualNetworks {network}");
            let arm = Arm::of(d, desired, &call, network)?;
            arm.write(&call, Method::DELETE, &format!("{id}?{API}"), None)
                .await
        }
        Action::AzureCreatePeering(p) => {
            let (network, name) = (&p.network, &p.name);
            let call = format!("PUT virtualNetworkPeerings {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let body = json!({"properties": {
                "remoteVirtualNetwork": {"id": p.remote},
                "allowVirtualNetworkAccess": true,
                "allowForwardedTraffic": p.allow_forwarded_traffic,
                "allowGatewayTransit": p.allow_gateway_transit,
                "useRemoteGateways": p.use_remote_gateways,
            }});
            let path = format!("{}?{API}", peering_path(d, desired, network, name));
            arm.write(&call, Method::PUT, &path, Some(&body))
                .await
                .map_err(not_visible_on_404)
        }
        Action::AzureUpdatePeering(p) => {
            let (network, name) = (&p.network, &p.name);
            let call = format!("PUT virtualNetworkPeerings {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = peering_path(d, desired, network, name);
            let mut body = arm.peering_as_it_is(&call, &path).await?;
            body["properties"]["allowForwardedTraffic"] = json!(p.allow_forwarded_traffic);
            body["properties"]["allowGatewayTransit"] = json!(p.allow_gateway_transit);
            body["properties"]["useRemoteGateways"] = json!(p.use_remote_gateways);
            arm.write(&call, Method::PUT, &format!("{path}?{API}"), Some(&body))
                .await
        }
        Action::AzureSyncPeering { network, name } => {
            let call = format!("PUT virtualNetworkPeerings {network}/{name} (sync)");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = peering_path(d, desired, network, name);
            let body = arm.peering_as_it_is(&call, &path).await?;
            let url = format!("{path}?{API}&syncRemoteAddressSpace=true");
            arm.write(&call, Method::PUT, &url, Some(&body)).await
        }
        Action::AzureDeletePeering { network, name } => {
            let call = format!("DELETE virtualNetworkPeerings {network}/{name}");
            let arm = Arm::of(d, desired, &call, network)?;
            let path = format!("{}?{API}", peering_path(d, desired, network, name));
            arm.write(&call, Method::DELETE, &path, None).await
        }
        other if gateway_steps::execute(d, desired, other).await? => Ok(()),
        other => Err(DriverError::transport(
            Cloud::Azure,
            &other.to_string(),
            "not an Azure step",
        )),
    }
}

/// The network interfaces on each Azure VNet found, by ARM id (for `apply --verify`): the
/// resource group's NICs whose IP configurations sit in one of the VNet's subnets.
pub(crate) async fn instances(
    d: &Drivers,
    desired: &Desired,
    out: &mut std::collections::BTreeMap<String, Vec<crate::Endpoint>>,
) -> Result<(), DriverError> {
    for (name, found) in &d.found.observed.networks {
        if desired.networks.get(name).map(|n| n.cloud) != Some(Cloud::Azure) {
            continue;
        }
        let call = format!("GET networkInterfaces {name}");
        let arm = Arm::of(d, desired, &call, name)?;
        let group = found
            .id
            .split("/providers/")
            .next()
            .unwrap_or_default()
            .to_string();
        let path = format!("{group}/providers/Microsoft.Network/networkInterfaces?{API}");
        let list = arm.get(&call, &path).await?.unwrap_or(Value::Null);
        let prefix = format!("{}/subnets/", found.id.to_ascii_lowercase());
        let ids = list["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|nic| {
                let configs = nic["properties"]["ipConfigurations"].as_array();
                let config = configs.into_iter().flatten().find(|c| {
                    let subnet = c["properties"]["subnet"]["id"].as_str().unwrap_or_default();
                    subnet.to_ascii_lowercase().starts_with(&prefix)
                })?;
                Some(crate::Endpoint {
                    id: nic["id"].as_str()?.to_string(),
                    ip: config["properties"]["privateIPAddress"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                })
            })
            .collect();
        out.insert(name.clone(), ids);
    }
    Ok(())
}

/// The ARM id a network has or will have: its declared id (a full ARM id, or a VNet name in the
/// account's resource group), or its topology name in that resource group.
fn declared_id(desired: &Desired, network: &str) -> String {
    let n = &desired.networks[network];
    let account = &desired.accounts[&n.account];
    let name = match &n.source {
        Source::Existing(id) => id.as_str(),
        Source::Declared(_) => network,
    };
    azure_vnet_id(
        &account.id,
        account.resource_group.as_deref().unwrap_or_default(),
        name,
    )
}

/// `<subscription>/<resource group>` of a network's account, for messages.
fn group_name(desired: &Desired, network: &str) -> String {
    let account = &desired.accounts[&desired.networks[network].account];
    format!(
        "{}/{}",
        account.id,
        account.resource_group.as_deref().unwrap_or_default()
    )
}

/// The path of a peering of `network`: under the VNet's id as the last observe found it (ARM
/// ids are case-insensitive, the found one is as ARM spells it; an orphan's included), else as
/// declared.
fn peering_path(d: &Drivers, desired: &Desired, network: &str, name: &str) -> String {
    let observed = &d.found.observed;
    let found = observed.networks.get(network).or_else(|| {
        let orphan = observed.orphans.get(network);
        orphan.filter(|o| o.detail.cloud() == Cloud::Azure)
    });
    let vnet = match found {
        Some(n) => n.id.clone(),
        None => declared_id(desired, network),
    };
    format!("{vnet}/virtualNetworkPeerings/{name}")
}

/// A 404 on a peering's PUT: its VNet or the remote one may be too new to be seen yet.
fn not_visible_on_404(e: DriverError) -> DriverError {
    match e.status {
        Some(404) => DriverError {
            retry: Retry::NotVisibleYet,
            ..e
        },
        _ => e,
    }
}

/// One VNet's body as the plan reads it.
fn read_vnet(call: &str, v: &Value) -> Result<ObservedNetwork, DriverError> {
    let bad = |what: &str| DriverError::unreadable(Cloud::Azure, call, 200, what.to_string());
    let id = v["id"]
        .as_str()
        .ok_or_else(|| bad("the virtual network has no id"))?
        .to_string();
    let cidrs = ipv4_prefixes(&v["properties"]["addressSpace"]["addressPrefixes"]);
    let mut peerings = Vec::new();
    for p in v["properties"]["virtualNetworkPeerings"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let props = &p["properties"];
        let name = p["name"]
            .as_str()
            .ok_or_else(|| bad("a peering has no name"))?;
        let state = match props["peeringState"].as_str().unwrap_or_default() {
            s if s.eq_ignore_ascii_case("Initiated") => AzureState::Initiated,
            s if s.eq_ignore_ascii_case("Connected") => AzureState::Connected,
            s if s.eq_ignore_ascii_case("Disconnected") => AzureState::Disconnected,
            s => return Err(bad(&format!("peering {name} has peeringState {s:?}"))),
        };
        peerings.push(AzurePeering {
            name: name.to_string(),
            remote: props["remoteVirtualNetwork"]["id"]
                .as_str()
                .ok_or_else(|| bad(&format!("peering {name} has no remoteVirtualNetwork.id")))?
                .to_string(),
            state,
            in_sync: props["peeringSyncLevel"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("FullyInSync")),
            allow_forwarded_traffic: props["allowForwardedTraffic"].as_bool().unwrap_or(false),
            allow_gateway_transit: props["allowGatewayTransit"].as_bool().unwrap_or(false),
            use_remote_gateways: props["useRemoteGateways"].as_bool().unwrap_or(false),
        });
    }
    Ok(ObservedNetwork {
        id,
        cidrs,
        detail: Detail::Azure { peerings },
    })
}

/// The IPv4 prefixes of an `addressPrefixes` array (IPv6 ones are left out).
fn ipv4_prefixes(v: &Value) -> Vec<Ipv4Net> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str()?.parse::<Ipv4Net>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vnet_body_reads_into_what_the_plan_needs() {
        let v = json!({
            "id": "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/a",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16", "fd00::/48", "10.9.0.0/24"]},
                "virtualNetworkPeerings": [{
                    "name": "t--a-b",
                    "properties": {
                        "peeringState": "Disconnected",
                        "peeringSyncLevel": "RemoteNotInSync",
                        "remoteVirtualNetwork": {"id": "/subscriptions/s2/x"},
                        "allowForwardedTraffic": true,
                    },
                }],
            },
        });
        let n = read_vnet("GET", &v).expect("readable");
        assert_eq!(
            n.cidrs,
            vec![
                "10.0.0.0/16".parse::<Ipv4Net>().unwrap(),
                "10.9.0.0/24".parse().unwrap()
            ]
        );
        assert_eq!(
            n.detail,
            Detail::Azure {
                peerings: vec![AzurePeering {
                    name: "t--a-b".into(),
                    remote: "/subscriptions/s2/x".into(),
                    state: AzureState::Disconnected,
                    in_sync: false,
                    allow_forwarded_traffic: true,
                    allow_gateway_transit: false,
                    use_remote_gateways: false,
                }]
            }
        );
        let mut odd = v.clone();
        odd["properties"]["virtualNetworkPeerings"][0]["properties"]["peeringState"] =
            json!("Weird");
        assert_eq!(
            read_vnet("GET", &odd).expect_err("unknown state").code,
            "unreadable-answer"
        );
    }
}
