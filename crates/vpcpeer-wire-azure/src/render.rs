//! ARM JSON shapes of each resource, built from the model's records and derived views. Field
//! names follow `azure-mgmt-network` 33.1.0 (and `azure-mgmt-resource` for resource groups).
//! Public IP addresses and a VM's instance view are in `compute`.

use serde_json::{json, Map, Value};
use vpcpeer_model::azure::input::Syntax;
use vpcpeer_model::azure::peering::{self, PeeringState, SyncLevel};
use vpcpeer_model::azure::security::AzEffectiveNsg;
use vpcpeer_model::azure::{
    default_security_rules, key, AzAccess, AzDirection, AzEffectiveRoute, AzGateway, AzGatewayType,
    AzImageReference, AzNextHop, AzNic, AzNsg, AzPeering, AzProtocol, AzResourceGroup, AzRoute,
    AzRouteSource, AzRouteTable, AzSecurityRule, AzSubnet, AzTags, AzVm, AzVnet, RulePorts,
    Spelled,
};
use vpcpeer_model::World;

mod compute;
pub use compute::{instance_view, public_ip, vm_expanded};

const SUCCEEDED: &str = "Succeeded";

fn etag(guid: &str) -> String {
    format!("W/\"{guid}\"")
}

fn tags(t: &AzTags) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn prefixes(p: &[ipnet::Ipv4Net]) -> Value {
    json!({ "addressPrefixes": strings(p) })
}

/// Each item's display text (prefixes and addresses as ARM lists them).
fn strings<T: ToString>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|x| x.to_string()).collect()
}

fn id_ref(id: &str) -> Value {
    json!({ "id": id })
}

/// A resource group.
pub fn resource_group(rg: &AzResourceGroup) -> Value {
    json!({
        "id": rg.display_id,
        "name": rg.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": rg.location,
        "tags": tags(&rg.tags),
        "properties": {"provisioningState": SUCCEEDED},
    })
}

/// The spelling of a next hop type.
pub fn next_hop(h: AzNextHop) -> &'static str {
    match h {
        AzNextHop::VnetLocal => "VnetLocal",
        AzNextHop::VnetPeering => "VNetPeering",
        AzNextHop::VnetGlobalPeering => "VNetGlobalPeering",
        AzNextHop::Internet => "Internet",
        AzNextHop::VirtualAppliance => "VirtualAppliance",
        AzNextHop::VirtualNetworkGateway => "VirtualNetworkGateway",
        AzNextHop::None => "None",
    }
}

/// Parses a next hop type a route may name (case-insensitive).
pub fn parse_next_hop(s: &str) -> Option<AzNextHop> {
    Some(match s.to_ascii_lowercase().as_str() {
        "vnetlocal" => AzNextHop::VnetLocal,
        "internet" => AzNextHop::Internet,
        "virtualappliance" => AzNextHop::VirtualAppliance,
        "virtualnetworkgateway" => AzNextHop::VirtualNetworkGateway,
        "none" => AzNextHop::None,
        "vnetpeering" => AzNextHop::VnetPeering,
        "vnetglobalpeering" => AzNextHop::VnetGlobalPeering,
        _ => return None,
    })
}

/// A subnet of `vnet`.
pub fn subnet(world: &World, vnet: &AzVnet, s: &AzSubnet) -> Value {
    let id = format!("{}/subnets/{}", vnet.display_id, s.name);
    let k = key(&id);
    let mut props = Map::new();
    props.insert("provisioningState".into(), json!(SUCCEEDED));
    props.insert("addressPrefix".into(), json!(s.prefix.to_string()));
    if let Some(n) = &s.nsg {
        props.insert("networkSecurityGroup".into(), id_ref(n));
    }
    if let Some(r) = &s.route_table {
        props.insert("routeTable".into(), id_ref(r));
    }
    let ipconfigs: Vec<Value> = world
        .azure
        .nics()
        .values()
        .flat_map(|n| n.ip_configs.iter().map(move |c| (n, c)))
        .filter(|(_, c)| key(&c.subnet_id) == k)
        .map(|(n, c)| id_ref(&format!("{}/ipConfigurations/{}", n.display_id, c.name)))
        .collect();
    if !ipconfigs.is_empty() {
        props.insert("ipConfigurations".into(), Value::Array(ipconfigs));
    }
    json!({
        "name": s.name,
        "id": id,
        "etag": etag(&vnet.guid),
        "type": "Microsoft.Network/virtualNetworks/subnets",
        "properties": props,
    })
}

/// A virtual network, with its subnets and peering links inline.
pub fn vnet(world: &World, v: &AzVnet) -> Value {
    json!({
        "name": v.name,
        "id": v.display_id,
        "etag": etag(&v.guid),
        "type": "Microsoft.Network/virtualNetworks",
        "location": v.place.location,
        "tags": tags(&v.tags),
        "properties": {
            "provisioningState": SUCCEEDED,
            "resourceGuid": v.guid,
            "addressSpace": prefixes(&v.prefixes),
            "subnets": v.subnets.iter().map(|s| subnet(world, v, s)).collect::<Vec<_>>(),
            "virtualNetworkPeerings": peering::links_of(world, &v.id).map(|l| peering_json(world, l)).collect::<Vec<_>>(),
            "enableDdosProtection": false,
        },
    })
}

/// The spelling of a peering state.
pub fn peering_state(s: PeeringState) -> &'static str {
    match s {
        PeeringState::Initiated => "Initiated",
        PeeringState::Connected => "Connected",
        PeeringState::Disconnected => "Disconnected",
    }
}

/// The spelling of a sync level.
pub fn sync_level(s: SyncLevel) -> &'static str {
    match s {
        SyncLevel::FullyInSync => "FullyInSync",
        SyncLevel::LocalNotInSync => "LocalNotInSync",
        SyncLevel::RemoteNotInSync => "RemoteNotInSync",
        SyncLevel::LocalAndRemoteNotInSync => "LocalAndRemoteNotInSync",
    }
}

/// A peering link, with its derived state and sync level.
pub fn peering_json(world: &World, l: &AzPeering) -> Value {
    let v = peering::view(world, l);
    json!({
        "name": l.name,
        "id": l.display_id,
        "etag": etag(&l.guid),
        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "properties": {
            "provisioningState": SUCCEEDED,
            "resourceGuid": l.guid,
            "peeringState": peering_state(v.state),
            "peeringSyncLevel": sync_level(v.sync),
            "remoteVirtualNetwork": id_ref(&l.remote_vnet_id),
            "allowVirtualNetworkAccess": l.allow_vnet_access,
            "allowForwardedTraffic": l.allow_forwarded_traffic,
            "allowGatewayTransit": l.allow_gateway_transit,
            "useRemoteGateways": l.use_remote_gateways,
            "doNotVerifyRemoteGateways": l.do_not_verify_remote_gateways,
            "peerCompleteVnets": true,
            "remoteAddressSpace": prefixes(&v.remote_peered),
            "remoteVirtualNetworkAddressSpace": prefixes(&v.remote_current),
            "localAddressSpace": prefixes(&v.local_peered),
            "localVirtualNetworkAddressSpace": prefixes(&v.local_current),
        },
    })
}

/// The texts of typed rule values, as the caller spelled them.
fn texts<T: Syntax>(values: &[Spelled<T>]) -> Vec<String> {
    values.iter().map(|v| v.text().to_owned()).collect()
}

fn one_or_many(props: &mut Map<String, Value>, single: &str, plural: &str, values: &[String]) {
    if values.len() == 1 {
        props.insert(single.into(), json!(values[0]));
        props.insert(plural.into(), json!([]));
    } else {
        props.insert(plural.into(), json!(values));
    }
}

/// A rule's `sourceAddressPrefix(es)` and `destinationAddressPrefix(es)`, as spelled.
fn address_prefixes(m: &mut Map<String, Value>, r: &AzSecurityRule) {
    let (src, dst) = (texts(&r.source_prefixes), texts(&r.destination_prefixes));
    one_or_many(m, "sourceAddressPrefix", "sourceAddressPrefixes", &src);
    one_or_many(
        m,
        "destinationAddressPrefix",
        "destinationAddressPrefixes",
        &dst,
    );
}

/// A rule's `access`, `priority` and `direction` (the same on a rule and an effective rule).
fn verdict(m: &mut Map<String, Value>, r: &AzSecurityRule) {
    let access = match r.access {
        AzAccess::Allow => "Allow",
        AzAccess::Deny => "Deny",
    };
    m.insert("access".into(), json!(access));
    m.insert("priority".into(), json!(r.priority));
    m.insert("direction".into(), json!(direction(r.direction)));
}

/// `Inbound` / `Outbound`.
pub(crate) fn direction(d: AzDirection) -> &'static str {
    match d {
        AzDirection::Inbound => "Inbound",
        AzDirection::Outbound => "Outbound",
    }
}

/// A security rule of the NSG `nsg_id` (`kind`: `securityRules` or `defaultSecurityRules`).
pub fn security_rule(nsg_id: &str, kind: &str, r: &AzSecurityRule) -> Value {
    let mut p = Map::new();
    p.insert("provisioningState".into(), json!(SUCCEEDED));
    p.insert("protocol".into(), json!(r.protocol.text()));
    one_or_many(
        &mut p,
        "sourcePortRange",
        "sourcePortRanges",
        &texts(&r.source_ports),
    );
    one_or_many(
        &mut p,
        "destinationPortRange",
        "destinationPortRanges",
        &texts(&r.destination_ports),
    );
    address_prefixes(&mut p, r);
    verdict(&mut p, r);
    if let Some(d) = &r.description {
        p.insert("description".into(), json!(d));
    }
    json!({
        "name": r.name,
        "id": format!("{nsg_id}/{kind}/{}", r.name),
        "type": format!("Microsoft.Network/networkSecurityGroups/{kind}"),
        "properties": p,
    })
}

/// References to the subnets whose `attached` resource (an NSG, a route table) is `id`.
fn subnets_using(
    world: &World,
    id: &str,
    attached: impl Fn(&AzSubnet) -> Option<&str>,
) -> Vec<Value> {
    world
        .azure
        .vnets()
        .values()
        .flat_map(|v| v.subnets.iter().map(move |s| (v, s)))
        .filter(|(_, s)| attached(s).is_some_and(|x| key(x) == id))
        .map(|(v, s)| id_ref(&format!("{}/subnets/{}", v.display_id, s.name)))
        .collect()
}

/// A network security group.
pub fn nsg(world: &World, n: &AzNsg) -> Value {
    let subnets = subnets_using(world, &n.id, |s| s.nsg.as_deref());
    let nics: Vec<Value> = world
        .azure
        .nics()
        .values()
        .filter(|x| x.nsg.as_deref().is_some_and(|r| key(r) == n.id))
        .map(|x| id_ref(&x.display_id))
        .collect();
    json!({
        "name": n.name,
        "id": n.display_id,
        "etag": etag(&n.guid),
        "type": "Microsoft.Network/networkSecurityGroups",
        "location": n.place.location,
        "tags": tags(&n.tags),
        "properties": {
            "provisioningState": SUCCEEDED,
            "resourceGuid": n.guid,
            "securityRules": n.rules.iter().map(|r| security_rule(&n.display_id, "securityRules", r)).collect::<Vec<_>>(),
            "defaultSecurityRules": default_security_rules().iter().map(|r| security_rule(&n.display_id, "defaultSecurityRules", r)).collect::<Vec<_>>(),
            "subnets": subnets,
            "networkInterfaces": nics,
        },
    })
}

/// A route of the table `table_id`.
pub fn route(table_id: &str, r: &AzRoute) -> Value {
    let mut p = Map::new();
    p.insert("provisioningState".into(), json!(SUCCEEDED));
    p.insert("addressPrefix".into(), json!(r.prefix.to_string()));
    p.insert("nextHopType".into(), json!(next_hop(r.next_hop)));
    if let Some(ip) = r.next_hop_ip {
        p.insert("nextHopIpAddress".into(), json!(ip.to_string()));
    }
    json!({
        "name": r.name,
        "id": format!("{table_id}/routes/{}", r.name),
        "type": "Microsoft.Network/routeTables/routes",
        "properties": p,
    })
}

/// A route table.
pub fn route_table(world: &World, t: &AzRouteTable) -> Value {
    let subnets = subnets_using(world, &t.id, |s| s.route_table.as_deref());
    json!({
        "name": t.name,
        "id": t.display_id,
        "type": "Microsoft.Network/routeTables",
        "location": t.place.location,
        "tags": tags(&t.tags),
        "properties": {
            "provisioningState": SUCCEEDED,
            "disableBgpRoutePropagation": t.disable_bgp_route_propagation,
            "routes": t.routes.iter().map(|r| route(&t.display_id, r)).collect::<Vec<_>>(),
            "subnets": subnets,
        },
    })
}

/// A network interface.
pub fn nic(n: &AzNic) -> Value {
    let configs: Vec<Value> = n
        .ip_configs
        .iter()
        .map(|c| {
            let mut config = json!({
                "name": c.name,
                "id": format!("{}/ipConfigurations/{}", n.display_id, c.name),
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                "properties": {
                    "provisioningState": SUCCEEDED,
                    "privateIPAddress": c.private_ip.to_string(),
                    "privateIPAllocationMethod": if c.dynamic { "Dynamic" } else { "Static" },
                    "privateIPAddressVersion": "IPv4",
                    "subnet": id_ref(&c.subnet_id),
                    "primary": c.primary,
                },
            });
            if let Some(p) = &c.public_ip {
                config["properties"]["publicIPAddress"] = id_ref(p);
            }
            config
        })
        .collect();
    let mut p = Map::new();
    p.insert("provisioningState".into(), json!(SUCCEEDED));
    p.insert("resourceGuid".into(), json!(n.guid));
    p.insert("ipConfigurations".into(), Value::Array(configs));
    p.insert("enableIPForwarding".into(), json!(n.ip_forwarding));
    p.insert("primary".into(), json!(true));
    if let Some(s) = &n.nsg {
        p.insert("networkSecurityGroup".into(), id_ref(s));
    }
    if let Some(vm) = &n.vm {
        p.insert("virtualMachine".into(), id_ref(vm));
    }
    json!({
        "name": n.name,
        "id": n.display_id,
        "etag": etag(&n.guid),
        "type": "Microsoft.Network/networkInterfaces",
        "location": n.place.location,
        "tags": tags(&n.tags),
        "properties": p,
    })
}

/// A virtual machine.
pub fn vm(v: &AzVm) -> Value {
    let mut out = json!({
        "name": v.name,
        "id": v.display_id,
        "type": "Microsoft.Compute/virtualMachines",
        "location": v.place.location,
        "tags": tags(&v.tags),
        "properties": {
            "provisioningState": SUCCEEDED,
            "vmId": v.guid,
            "hardwareProfile": {"vmSize": v.size},
            "networkProfile": {"networkInterfaces": v.nics.iter().enumerate().map(|(i, n)| json!({"id": n, "properties": {"primary": i == 0}})).collect::<Vec<_>>()},
        },
    });
    if let Some(image) = &v.image {
        out["properties"]["storageProfile"] = json!({"imageReference": image_reference(image)});
    }
    out
}

/// A Marketplace `imageReference` as ARM returns it: the members given, and `exactVersion`
/// (the version the VM was built from: vpcpeer's images have one, `1.0.0`, which `latest`
/// names; another version given is its own exact version).
pub fn image_reference(r: &AzImageReference) -> Value {
    let mut v = Map::new();
    for (name, value) in [
        ("publisher", &r.publisher),
        ("offer", &r.offer),
        ("sku", &r.sku),
        ("version", &r.version),
    ] {
        if let Some(x) = value {
            v.insert(name.into(), json!(x));
        }
    }
    let exact = match r.version.as_deref() {
        None | Some("latest") => "1.0.0",
        Some(given) => given,
    };
    v.insert("exactVersion".into(), json!(exact));
    Value::Object(v)
}

/// The spelling of a gateway type.
pub fn gateway_type(t: AzGatewayType) -> &'static str {
    match t {
        AzGatewayType::Vpn => "Vpn",
        AzGatewayType::ExpressRoute => "ExpressRoute",
    }
}

/// A virtual network gateway.
pub fn gateway(g: &AzGateway) -> Value {
    json!({
        "name": g.name,
        "id": g.display_id,
        "etag": etag(&g.guid),
        "type": "Microsoft.Network/virtualNetworkGateways",
        "location": g.place.location,
        "tags": tags(&g.tags),
        "properties": {
            "provisioningState": SUCCEEDED,
            "resourceGuid": g.guid,
            "gatewayType": gateway_type(g.gateway_type),
            "vpnType": g.vpn_type,
            "sku": {"name": g.sku, "tier": g.sku, "capacity": 2},
            "activeActive": false,
            "enableBgp": false,
            "ipConfigurations": [{
                "name": "default",
                "id": format!("{}/ipConfigurations/default", g.display_id),
                "properties": {
                    "provisioningState": SUCCEEDED,
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": id_ref(&g.subnet_id),
                },
            }],
        },
    })
}

/// One effective route.
pub fn effective_route(r: &AzEffectiveRoute) -> Value {
    let mut m = Map::new();
    if let Some(n) = &r.name {
        m.insert("name".into(), json!(n));
    }
    m.insert("disableBgpRoutePropagation".into(), json!(false));
    m.insert(
        "source".into(),
        json!(match r.source {
            AzRouteSource::Default => "Default",
            AzRouteSource::User => "User",
            AzRouteSource::VirtualNetworkGateway => "VirtualNetworkGateway",
        }),
    );
    m.insert(
        "state".into(),
        json!(if r.active { "Active" } else { "Invalid" }),
    );
    m.insert("addressPrefix".into(), json!(strings(&r.prefixes)));
    m.insert("nextHopIpAddress".into(), json!(strings(&r.next_hop_ips)));
    m.insert("nextHopType".into(), json!(next_hop(r.next_hop)));
    Value::Object(m)
}

/// An effective rule's port range: always `N-M` (`*` is `0-65535`).
fn port_text(p: &RulePorts) -> String {
    match p.value() {
        Some(spec) => {
            let (a, b) = spec.bounds();
            format!("{a}-{b}")
        }
        None => p.text().to_owned(),
    }
}

/// One effective network security group of a NIC.
pub fn effective_nsg(g: &AzEffectiveNsg) -> Value {
    let rules: Vec<Value> = g
        .rules
        .iter()
        .map(|e| {
            let r = &e.rule;
            let sp: Vec<String> = r.source_ports.iter().map(port_text).collect();
            let dp: Vec<String> = r.destination_ports.iter().map(port_text).collect();
            let mut m = Map::new();
            m.insert("name".into(), json!(e.name));
            m.insert(
                "protocol".into(),
                json!(if r.protocol.value() == Some(&AzProtocol::Any) {
                    "All"
                } else {
                    r.protocol.text()
                }),
            );
            one_or_many(&mut m, "sourcePortRange", "sourcePortRanges", &sp);
            one_or_many(&mut m, "destinationPortRange", "destinationPortRanges", &dp);
            address_prefixes(&mut m, r);
            m.insert(
                "expandedSourceAddressPrefix".into(),
                json!(strings(&e.expanded_source)),
            );
            m.insert(
                "expandedDestinationAddressPrefix".into(),
                json!(strings(&e.expanded_destination)),
            );
            verdict(&mut m, r);
            Value::Object(m)
        })
        .collect();
    let mut association = Map::new();
    if let Some(s) = &g.subnet_id {
        association.insert("subnet".into(), id_ref(s));
    }
    if let Some(n) = &g.nic_id {
        association.insert("networkInterface".into(), id_ref(n));
    }
    let tag_map: Map<String, Value> = g
        .tag_map
        .iter()
        .map(|(k, v)| (k.clone(), json!(strings(v))))
        .collect();
    json!({
        "networkSecurityGroup": id_ref(&g.nsg_id),
        "association": association,
        "effectiveSecurityRules": rules,
        "tagMap": tag_map,
    })
}
