//! PUT and DELETE: the JSON body read into the model's typed request, the command run, the
//! result rendered with its long-running-operation headers.

use crate::render::parse_next_hop;
use crate::reply::{Lro, Reply};
use crate::route::Kind;
use crate::{body, render, route, Request};
use serde_json::Value;
use vpcpeer_model::azure::ops::{self, Target};
use vpcpeer_model::azure::{
    key, AzAccess, AzDirection, AzGatewayType, AzOperationResult, AzSecurityRule, AzureError,
};
use vpcpeer_model::Tx;

fn subnet_spec(name: &str, v: &Value, path: &[&str]) -> Result<ops::SubnetSpec, AzureError> {
    let p = |rest: &[&'static str]| -> Vec<&str> {
        path.iter().copied().chain(rest.iter().copied()).collect()
    };
    let prefix = match body::string(v, &p(&["properties", "addressPrefix"]))? {
        Some(s) => Some(s),
        None => body::strings(v, &p(&["properties", "addressPrefixes"]))?
            .and_then(|x| x.into_iter().next()),
    };
    Ok(ops::SubnetSpec {
        name: name.to_owned(),
        prefix,
        nsg: body::string(v, &p(&["properties", "networkSecurityGroup", "id"]))?,
        route_table: body::string(v, &p(&["properties", "routeTable", "id"]))?,
    })
}

fn required_str(v: &Value, path: &[&str], what: &str) -> Result<String, AzureError> {
    body::string(v, path)?.ok_or_else(|| {
        AzureError::bad_request(
            "InvalidRequestFormat",
            format!(
                "Cannot parse the request: {what} requires '{}'.",
                path.join(".")
            ),
        )
    })
}

fn security_rule(r: &Value, name: Option<&str>) -> Result<AzSecurityRule, AzureError> {
    let name = match name {
        Some(n) => n.to_owned(),
        None => required_str(r, &["name"], "a security rule")?,
    };
    let list = |single: &str, plural: &str| -> Result<Vec<String>, AzureError> {
        let mut out = body::strings(r, &["properties", plural])?.unwrap_or_default();
        if let Some(s) = body::string(r, &["properties", single])? {
            out.insert(0, s);
        }
        Ok(out)
    };
    let direction = match required_str(r, &["properties", "direction"], "a security rule")?.to_ascii_lowercase().as_str() {
        "inbound" => AzDirection::Inbound,
        "outbound" => AzDirection::Outbound,
        other => {
            return Err(AzureError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: security rule {name} has direction '{other}'; expected Inbound or Outbound."),
            ))
        }
    };
    let access = match required_str(r, &["properties", "access"], "a security rule")?.to_ascii_lowercase().as_str() {
        "allow" => AzAccess::Allow,
        "deny" => AzAccess::Deny,
        other => {
            return Err(AzureError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: security rule {name} has access '{other}'; expected Allow or Deny."),
            ))
        }
    };
    let priority = body::number(r, &["properties", "priority"])?.ok_or_else(|| {
        AzureError::bad_request(
            "SecurityRuleInvalidPriority",
            format!("Security rule {name} has no priority."),
        )
    })?;
    Ok(AzSecurityRule {
        name,
        priority,
        direction,
        access,
        protocol: required_str(r, &["properties", "protocol"], "a security rule")?,
        source_ports: list("sourcePortRange", "sourcePortRanges")?,
        destination_ports: list("destinationPortRange", "destinationPortRanges")?,
        source_prefixes: list("sourceAddressPrefix", "sourceAddressPrefixes")?,
        destination_prefixes: list("destinationAddressPrefix", "destinationAddressPrefixes")?,
        description: body::string(r, &["properties", "description"])?,
    })
}

fn route_spec(name: &str, r: &Value) -> Result<ops::RouteSpec, AzureError> {
    let hop = required_str(r, &["properties", "nextHopType"], "a route")?;
    Ok(ops::RouteSpec {
        name: name.to_owned(),
        prefix: required_str(r, &["properties", "addressPrefix"], "a route")?,
        next_hop: parse_next_hop(&hop).ok_or_else(|| {
            AzureError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: route {name} has nextHopType '{hop}'; expected VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None."),
            )
        })?,
        next_hop_ip: body::string(r, &["properties", "nextHopIpAddress"])?,
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn put(
    tx: &mut Tx<'_, '_>,
    lro: &Lro<'_>,
    req: &Request<'_>,
    sub: &str,
    rg: &str,
    kind: &Kind,
    name: &str,
    b: &Value,
) -> Result<Reply, AzureError> {
    let t = Target::new(sub, rg, name);
    let location = body::string(b, &["location"])?;
    let tags = body::tags(b)?;
    match kind {
        Kind::ResourceGroup => {
            let (g, created) = ops::put_resource_group(tx, sub, rg, location.as_deref(), tags)?;
            Ok(Reply::json(
                if created { 201 } else { 200 },
                render::resource_group(&g),
            ))
        }
        Kind::Vnet => {
            let subnets = match body::array(b, &["properties", "subnets"])? {
                None => None,
                Some(a) => Some(
                    a.iter()
                        .map(|s| subnet_spec(&required_str(s, &["name"], "a subnet")?, s, &[]))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            let req = ops::PutVnet {
                location,
                prefixes: body::strings(b, &["properties", "addressSpace", "addressPrefixes"])?
                    .unwrap_or_default(),
                subnets,
                tags,
            };
            let (v, created) = ops::put_vnet(tx, &t, req)?;
            let out = render::vnet(tx.world(), &v);
            Ok(lro.put(tx, &v.place.location, created, out))
        }
        Kind::Subnet(vnet) => {
            let spec = subnet_spec(name, b, &[])?;
            let (v, created) = ops::put_subnet(tx, &Target::new(sub, rg, vnet), spec)?;
            let s = v.subnet(name).expect("subnet just written");
            let out = render::subnet(tx.world(), &v, s);
            Ok(lro.put(tx, &v.place.location, created, out))
        }
        Kind::Peering(vnet) => {
            let sync = match route::query_param(req.query, "syncRemoteAddressSpace") {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) => {
                    return Err(AzureError::bad_request(
                        "InvalidParameter",
                        format!("syncRemoteAddressSpace may only be 'true', got '{v}'."),
                    ))
                }
            };
            let flag = |f: &str, d: bool| -> Result<bool, AzureError> {
                Ok(body::boolean(b, &["properties", f])?.unwrap_or(d))
            };
            let p = ops::PutPeering {
                remote_vnet_id: body::string(b, &["properties", "remoteVirtualNetwork", "id"])?,
                allow_vnet_access: flag("allowVirtualNetworkAccess", true)?,
                allow_forwarded_traffic: flag("allowForwardedTraffic", false)?,
                allow_gateway_transit: flag("allowGatewayTransit", false)?,
                use_remote_gateways: flag("useRemoteGateways", false)?,
                do_not_verify_remote_gateways: flag("doNotVerifyRemoteGateways", false)?,
                sync_remote_address_space: sync,
            };
            let (l, created) = ops::put_peering(tx, &Target::new(sub, rg, vnet), name, p)?;
            let out = render::peering_json(tx.world(), &l);
            let loc = tx
                .world()
                .az_vnets
                .get(&l.vnet)
                .map(|v| v.place.location.clone())
                .unwrap_or_default();
            Ok(lro.put(tx, &loc, created, out))
        }
        Kind::Nsg => {
            let rules = body::array(b, &["properties", "securityRules"])?
                .map(|a| {
                    a.iter()
                        .map(|r| security_rule(r, None))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            let (n, created) = ops::put_nsg(
                tx,
                &t,
                ops::PutNsg {
                    location,
                    rules,
                    tags,
                },
            )?;
            let out = render::nsg(tx.world(), &n);
            Ok(lro.put(tx, &n.place.location, created, out))
        }
        Kind::RouteTable => {
            let routes = body::array(b, &["properties", "routes"])?
                .map(|a| {
                    a.iter()
                        .map(|r| route_spec(&required_str(r, &["name"], "a route")?, r))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            let req = ops::PutRouteTable {
                location,
                routes,
                disable_bgp_route_propagation: body::boolean(
                    b,
                    &["properties", "disableBgpRoutePropagation"],
                )?
                .unwrap_or(false),
                tags,
            };
            let (r, created) = ops::put_route_table(tx, &t, req)?;
            let out = render::route_table(tx.world(), &r);
            Ok(lro.put(tx, &r.place.location, created, out))
        }
        Kind::SecurityRule(nsg) => {
            let rule = security_rule(b, Some(name))?;
            let (n, created) = ops::put_security_rule(tx, &Target::new(sub, rg, nsg), rule)?;
            let r = n
                .rules
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .expect("rule just written");
            let out = render::security_rule(&n.display_id, "securityRules", r);
            Ok(lro.put(tx, &n.place.location, created, out))
        }
        Kind::Route(table) => {
            let spec = route_spec(name, b)?;
            let (rt, created) = ops::put_route(tx, &Target::new(sub, rg, table), spec)?;
            let r = rt
                .routes
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .expect("route just written");
            let out = render::route(&rt.display_id, r);
            Ok(lro.put(tx, &rt.place.location, created, out))
        }
        Kind::Nic => {
            let configs = body::array(b, &["properties", "ipConfigurations"])?
                .map(|a| {
                    a.iter()
                        .map(|c| {
                            Ok(ops::IpConfigSpec {
                                name: required_str(c, &["name"], "an IP configuration")?,
                                subnet_id: body::string(c, &["properties", "subnet", "id"])?,
                                private_ip: body::string(c, &["properties", "privateIPAddress"])?,
                                is_static: body::string(
                                    c,
                                    &["properties", "privateIPAllocationMethod"],
                                )?
                                .is_some_and(|m| m.eq_ignore_ascii_case("static")),
                                primary: body::boolean(c, &["properties", "primary"])?,
                            })
                        })
                        .collect::<Result<Vec<_>, AzureError>>()
                })
                .transpose()?
                .unwrap_or_default();
            let req = ops::PutNic {
                location,
                ip_configs: configs,
                nsg: body::string(b, &["properties", "networkSecurityGroup", "id"])?,
                ip_forwarding: body::boolean(b, &["properties", "enableIPForwarding"])?
                    .unwrap_or(false),
                tags,
            };
            let (n, created) = ops::put_nic(tx, &t, req)?;
            let out = render::nic(&n);
            Ok(lro.put(tx, &n.place.location, created, out))
        }
        Kind::Gateway => {
            let gateway_type = match body::string(b, &["properties", "gatewayType"])?.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("vpn") => AzGatewayType::Vpn,
                Some("expressroute") => AzGatewayType::ExpressRoute,
                Some(other) => {
                    return Err(AzureError::bad_request(
                        "InvalidRequestFormat",
                        format!("Cannot parse the request: gatewayType '{other}' is not Vpn or ExpressRoute."),
                    ))
                }
            };
            let subnet_id = match body::array(b, &["properties", "ipConfigurations"])? {
                Some(a) => match a.first() {
                    Some(c) => body::string(c, &["properties", "subnet", "id"])?,
                    None => None,
                },
                None => None,
            };
            let req = ops::PutGateway {
                location,
                subnet_id,
                gateway_type,
                vpn_type: body::string(b, &["properties", "vpnType"])?,
                sku: body::string(b, &["properties", "sku", "name"])?,
                tags,
            };
            let (g, created) = ops::put_gateway(tx, &t, req)?;
            let out = render::gateway(&g);
            Ok(lro.put(tx, &g.place.location, created, out))
        }
        Kind::Vm => {
            let nics = body::array(b, &["properties", "networkProfile", "networkInterfaces"])?
                .map(|a| {
                    a.iter()
                        .map(|n| required_str(n, &["id"], "a network interface reference"))
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?
                .unwrap_or_default();
            let req = ops::PutVm {
                location,
                nics,
                size: body::string(b, &["properties", "hardwareProfile", "vmSize"])?,
                tags,
            };
            let (v, created) = ops::put_vm(tx, &t, req)?;
            let out = render::vm(&v);
            Ok(lro.put(tx, &v.place.location, created, out))
        }
    }
}

pub(crate) fn delete(
    tx: &mut Tx<'_, '_>,
    lro: &Lro<'_>,
    sub: &str,
    rg: &str,
    kind: &Kind,
    name: &str,
) -> Result<Reply, AzureError> {
    let t = Target::new(sub, rg, name);
    let w = tx.world();
    // The location of the thing deleted, for the operation URL (taken before it goes).
    let location: Option<String> = match kind {
        Kind::ResourceGroup => w
            .az_resource_groups
            .get(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)))
            .map(|g| g.location.clone()),
        Kind::Vnet => w
            .az_vnets
            .get(&key(&t.network_id("virtualNetworks")))
            .map(|v| v.place.location.clone()),
        Kind::Subnet(v) | Kind::Peering(v) => w
            .az_vnets
            .get(&key(&Target::new(sub, rg, v).network_id("virtualNetworks")))
            .map(|v| v.place.location.clone()),
        Kind::Nsg => w
            .az_nsgs
            .get(&key(&t.network_id("networkSecurityGroups")))
            .map(|v| v.place.location.clone()),
        Kind::RouteTable => w
            .az_route_tables
            .get(&key(&t.network_id("routeTables")))
            .map(|v| v.place.location.clone()),
        Kind::SecurityRule(nsg) => w
            .az_nsgs
            .get(&key(
                &Target::new(sub, rg, nsg).network_id("networkSecurityGroups")
            ))
            .map(|v| v.place.location.clone()),
        Kind::Route(table) => w
            .az_route_tables
            .get(&key(&Target::new(sub, rg, table).network_id("routeTables")))
            .map(|v| v.place.location.clone()),
        Kind::Nic => w
            .az_nics
            .get(&key(&t.network_id("networkInterfaces")))
            .map(|v| v.place.location.clone()),
        Kind::Gateway => w
            .az_gateways
            .get(&key(&t.network_id("virtualNetworkGateways")))
            .map(|v| v.place.location.clone()),
        Kind::Vm => w
            .az_vms
            .get(&key(&ops::vm_id(&t)))
            .map(|v| v.place.location.clone()),
    };
    let existed = match kind {
        Kind::ResourceGroup => ops::delete_resource_group(tx, sub, rg)?,
        Kind::Vnet => ops::delete_vnet(tx, &t)?,
        Kind::Subnet(v) => ops::delete_subnet(tx, &Target::new(sub, rg, v), name)?,
        Kind::Peering(v) => ops::delete_peering(tx, &Target::new(sub, rg, v), name)?,
        Kind::Nsg => ops::delete_nsg(tx, &t)?,
        Kind::RouteTable => ops::delete_route_table(tx, &t)?,
        Kind::Route(table) => ops::delete_route(tx, &Target::new(sub, rg, table), name)?,
        Kind::SecurityRule(nsg) => ops::delete_security_rule(tx, &Target::new(sub, rg, nsg), name)?,
        Kind::Nic => ops::delete_nic(tx, &t)?,
        Kind::Gateway => ops::delete_gateway(tx, &t)?,
        Kind::Vm => ops::delete_vm(tx, &t)?,
    };
    match (existed, location) {
        (true, Some(loc)) => Ok(lro.accepted(tx, &loc, AzOperationResult::None)),
        _ => Ok(Reply::empty(204)),
    }
}
