//! PUT and DELETE: the path and JSON body read into an Azure [`Command`] (a pure function of
//! the request), and the command's [`Outcome`] rendered with its long-running-operation headers.

use crate::read::get;
use crate::render::parse_next_hop;
use crate::reply::{error_reply, Reply};
use crate::route::{Kind, Route};
use crate::{body, render, route, Answer, ArmError, Request};
use serde_json::Value;
use vpcpeer_model::azure::input::Syntax;
use vpcpeer_model::azure::ops::{self, Target};
use vpcpeer_model::azure::{
    AddressPrefix, AzAccess, AzDirection, AzGatewayType, AzImageReference, AzPublicIpSku,
    AzSecurityRule, Command, IpAddress, Outcome, Spelled, Written,
};
use vpcpeer_model::{Tx, World};

fn subnet_spec(name: &str, v: &Value, path: &[&str]) -> Result<ops::SubnetSpec, ArmError> {
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
        prefix: prefix.map(AddressPrefix::new),
        nsg: body::string(v, &p(&["properties", "networkSecurityGroup", "id"]))?,
        route_table: body::string(v, &p(&["properties", "routeTable", "id"]))?,
    })
}

fn required_str(v: &Value, path: &[&str], what: &str) -> Result<String, ArmError> {
    body::string(v, path)?.ok_or_else(|| {
        ArmError::bad_request(
            "InvalidRequestFormat",
            format!(
                "Cannot parse the request: {what} requires '{}'.",
                path.join(".")
            ),
        )
    })
}

fn security_rule(r: &Value, name: Option<&str>) -> Result<AzSecurityRule, ArmError> {
    let name = match name {
        Some(n) => n.to_owned(),
        None => required_str(r, &["name"], "a security rule")?,
    };
    // The ports, prefixes and protocol are parsed here into typed values that keep the text
    // (ARM echoes it); one that does not parse is refused by the NSG checks, in their order.
    fn list<T: Syntax>(r: &Value, single: &str, plural: &str) -> Result<Vec<Spelled<T>>, ArmError> {
        let mut out = body::strings(r, &["properties", plural])?.unwrap_or_default();
        if let Some(s) = body::string(r, &["properties", single])? {
            out.insert(0, s);
        }
        Ok(out.into_iter().map(Spelled::new).collect())
    }
    let direction = match required_str(r, &["properties", "direction"], "a security rule")?.to_ascii_lowercase().as_str() {
        "inbound" => AzDirection::Inbound,
        "outbound" => AzDirection::Outbound,
        other => {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: security rule {name} has direction '{other}'; expected Inbound or Outbound."),
            ))
        }
    };
    let access = match required_str(r, &["properties", "access"], "a security rule")?.to_ascii_lowercase().as_str() {
        "allow" => AzAccess::Allow,
        "deny" => AzAccess::Deny,
        other => {
            return Err(ArmError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: security rule {name} has access '{other}'; expected Allow or Deny."),
            ))
        }
    };
    let priority = body::number(r, &["properties", "priority"])?.ok_or_else(|| {
        ArmError::bad_request(
            "SecurityRuleInvalidPriority",
            format!("Security rule {name} has no priority."),
        )
    })?;
    Ok(AzSecurityRule {
        name,
        priority,
        direction,
        access,
        protocol: Spelled::new(required_str(
            r,
            &["properties", "protocol"],
            "a security rule",
        )?),
        source_ports: list(r, "sourcePortRange", "sourcePortRanges")?,
        destination_ports: list(r, "destinationPortRange", "destinationPortRanges")?,
        source_prefixes: list(r, "sourceAddressPrefix", "sourceAddressPrefixes")?,
        destination_prefixes: list(r, "destinationAddressPrefix", "destinationAddressPrefixes")?,
        description: body::string(r, &["properties", "description"])?,
    })
}

fn route_spec(name: &str, r: &Value) -> Result<ops::RouteSpec, ArmError> {
    let hop = required_str(r, &["properties", "nextHopType"], "a route")?;
    Ok(ops::RouteSpec {
        name: name.to_owned(),
        prefix: AddressPrefix::new(required_str(r, &["properties", "addressPrefix"], "a route")?),
        next_hop: parse_next_hop(&hop).ok_or_else(|| {
            ArmError::bad_request(
                "InvalidRequestFormat",
                format!("Cannot parse the request: route {name} has nextHopType '{hop}'; expected VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None."),
            )
        })?,
        next_hop_ip: body::string(r, &["properties", "nextHopIpAddress"])?.map(IpAddress::new),
    })
}

/// The command of a PUT of `kind` named `name`, read from its body `b` (and, for a peering, the
/// `syncRemoteAddressSpace` query parameter).
pub(crate) fn parse_put(
    req: &Request<'_>,
    sub: &str,
    rg: &str,
    kind: &Kind,
    name: &str,
    b: &Value,
) -> Result<Command, ArmError> {
    let t = Target::new(sub, rg, name);
    let location = body::string(b, &["location"])?;
    let tags = body::tags(b)?;
    match kind {
        Kind::ResourceGroup => Ok(Command::PutResourceGroup {
            subscription: sub.to_owned(),
            name: rg.to_owned(),
            location,
            tags,
        }),
        Kind::Vnet => {
            let subnets = body::each(b, &["properties", "subnets"], |s| {
                subnet_spec(&required_str(s, &["name"], "a subnet")?, s, &[])
            })?;
            let vnet = ops::PutVnet {
                location,
                prefixes: body::strings(b, &["properties", "addressSpace", "addressPrefixes"])?
                    .unwrap_or_default()
                    .into_iter()
                    .map(AddressPrefix::new)
                    .collect(),
                subnets,
                tags,
            };
            Ok(Command::PutVnet { target: t, vnet })
        }
        Kind::Subnet(vnet) => {
            let subnet = subnet_spec(name, b, &[])?;
            Ok(Command::PutSubnet {
                vnet: Target::new(sub, rg, vnet),
                subnet,
            })
        }
        Kind::Peering(vnet) => {
            let sync = match route::query_param(req.query, "syncRemoteAddressSpace") {
                None => false,
                Some(v) if v.eq_ignore_ascii_case("true") => true,
                Some(v) => {
                    return Err(ArmError::bad_request(
                        "InvalidParameter",
                        format!("syncRemoteAddressSpace may only be 'true', got '{v}'."),
                    ))
                }
            };
            let flag = |f: &str, d: bool| -> Result<bool, ArmError> {
                Ok(body::boolean(b, &["properties", f])?.unwrap_or(d))
            };
            let peering = ops::PutPeering {
                remote_vnet_id: body::string(b, &["properties", "remoteVirtualNetwork", "id"])?,
                allow_vnet_access: flag("allowVirtualNetworkAccess", true)?,
                allow_forwarded_traffic: flag("allowForwardedTraffic", false)?,
                allow_gateway_transit: flag("allowGatewayTransit", false)?,
                use_remote_gateways: flag("useRemoteGateways", false)?,
                do_not_verify_remote_gateways: flag("doNotVerifyRemoteGateways", false)?,
                sync_remote_address_space: sync,
            };
            Ok(Command::PutPeering {
                vnet: Target::new(sub, rg, vnet),
                name: name.to_owned(),
                peering,
            })
        }
        Kind::Nsg => {
            let rules = body::each(b, &["properties", "securityRules"], |r| {
                security_rule(r, None)
            })?
            .unwrap_or_default();
            Ok(Command::PutNsg {
                target: t,
                nsg: ops::PutNsg {
                    location,
                    rules,
                    tags,
                },
            })
        }
        Kind::RouteTable => {
            let routes = body::each(b, &["properties", "routes"], |r| {
                route_spec(&required_str(r, &["name"], "a route")?, r)
            })?
            .unwrap_or_default();
            let table = ops::PutRouteTable {
                location,
                routes,
                disable_bgp_route_propagation: body::boolean(
                    b,
                    &["properties", "disableBgpRoutePropagation"],
                )?
                .unwrap_or(false),
                tags,
            };
            Ok(Command::PutRouteTable { target: t, table })
        }
        Kind::SecurityRule(nsg) => Ok(Command::PutSecurityRule {
            nsg: Target::new(sub, rg, nsg),
            rule: security_rule(b, Some(name))?,
        }),
        Kind::Route(table) => Ok(Command::PutRoute {
            table: Target::new(sub, rg, table),
            route: route_spec(name, b)?,
        }),
        Kind::Nic => {
            let configs = body::each(b, &["properties", "ipConfigurations"], |c| {
                Ok(ops::IpConfigSpec {
                    name: required_str(c, &["name"], "an IP configuration")?,
                    subnet_id: body::string(c, &["properties", "subnet", "id"])?,
                    private_ip: body::string(c, &["properties", "privateIPAddress"])?
                        .map(IpAddress::new),
                    is_static: body::string(c, &["properties", "privateIPAllocationMethod"])?
                        .is_some_and(|m| m.eq_ignore_ascii_case("static")),
                    primary: body::boolean(c, &["properties", "primary"])?,
                    public_ip: body::string(c, &["properties", "publicIPAddress", "id"])?,
                })
            })?
            .unwrap_or_default();
            let nic = ops::PutNic {
                location,
                ip_configs: configs,
                nsg: body::string(b, &["properties", "networkSecurityGroup", "id"])?,
                ip_forwarding: body::boolean(b, &["properties", "enableIPForwarding"])?
                    .unwrap_or(false),
                tags,
            };
            Ok(Command::PutNic { target: t, nic })
        }
        Kind::Gateway => {
            let gateway_type = match body::string(b, &["properties", "gatewayType"])?.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("vpn") => AzGatewayType::Vpn,
                Some("expressroute") => AzGatewayType::ExpressRoute,
                Some(other) => {
                    return Err(ArmError::bad_request(
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
            let gateway = ops::PutGateway {
                location,
                subnet_id,
                gateway_type,
                vpn_type: body::string(b, &["properties", "vpnType"])?,
                sku: body::string(b, &["properties", "sku", "name"])?,
                tags,
            };
            Ok(Command::PutGateway { target: t, gateway })
        }
        Kind::Vm => {
            let nics = body::each(
                b,
                &["properties", "networkProfile", "networkInterfaces"],
                |n| required_str(n, &["id"], "a network interface reference"),
            )?
            .unwrap_or_default();
            let custom_data = body::string(b, &["properties", "osProfile", "customData"])?;
            if let Some(c) = &custom_data {
                check_custom_data(c)?;
            }
            let image = match body::at(b, &["properties", "storageProfile", "imageReference"]) {
                None => None,
                Some(v) if !v.is_object() => {
                    return Err(ArmError::bad_request(
                        "InvalidRequestFormat",
                        "Cannot parse the request: properties.storageProfile.imageReference must be an object.",
                    ))
                }
                Some(_) => {
                    let member = |m: &str| {
                        body::string(b, &["properties", "storageProfile", "imageReference", m])
                    };
                    Some(AzImageReference {
                        publisher: member("publisher")?,
                        offer: member("offer")?,
                        sku: member("sku")?,
                        version: member("version")?,
                    })
                }
            };
            let vm = ops::PutVm {
                location,
                nics,
                size: body::string(b, &["properties", "hardwareProfile", "vmSize"])?,
                tags,
                custom_data,
                image,
            };
            Ok(Command::PutVm { target: t, vm })
        }
        Kind::PublicIp => {
            let sku = match body::string(b, &["sku", "name"])? {
                None => None,
                Some(s) if s.eq_ignore_ascii_case("basic") => Some(AzPublicIpSku::Basic),
                Some(s) if s.eq_ignore_ascii_case("standard") => Some(AzPublicIpSku::Standard),
                Some(other) => {
                    return Err(ArmError::bad_request(
                        "InvalidRequestFormat",
                        format!(
                        "Cannot parse the request: sku.name '{other}' is not Basic or Standard."
                    ),
                    ))
                }
            };
            let method = body::string(b, &["properties", "publicIPAllocationMethod"])?;
            let is_static = match method.as_deref() {
                None => None,
                Some(m) if m.eq_ignore_ascii_case("static") => Some(true),
                Some(m) if m.eq_ignore_ascii_case("dynamic") => Some(false),
                Some(other) => {
                    return Err(ArmError::bad_request(
                        "InvalidRequestFormat",
                        format!("Cannot parse the request: publicIPAllocationMethod '{other}' is not Static or Dynamic."),
                    ))
                }
            };
            if let Some(v) = body::string(b, &["properties", "publicIPAddressVersion"])? {
                if !v.eq_ignore_ascii_case("ipv4") {
                    return Err(ArmError::bad_request(
                        "InvalidRequestFormat",
                        format!("Cannot parse the request: publicIPAddressVersion '{v}' is not served (IPv4 only)."),
                    ));
                }
            }
            let idle_timeout = body::number(b, &["properties", "idleTimeoutInMinutes"])?;
            if idle_timeout.is_some_and(|m| !(4..=30).contains(&m)) {
                return Err(ArmError::bad_request(
                    "PublicIPIdleTimeoutIsOutOfRange",
                    "The idle timeout of a public IP address must be between 4 and 30 minutes.",
                ));
            }
            let ip = ops::PutPublicIp {
                location,
                sku,
                is_static,
                idle_timeout,
                tags,
            };
            Ok(Command::PutPublicIp { target: t, ip })
        }
    }
}

/// The longest `customData` ARM takes (its documented bound, in characters of base64).
const MAX_CUSTOM_DATA: usize = 87_380;

/// Refuses `customData` that is not base64 or is longer than ARM takes, in ARM's words.
fn check_custom_data(c: &str) -> Result<(), ArmError> {
    let b = c.as_bytes();
    let body = c.trim_end_matches('=');
    let base64 = b.len().is_multiple_of(4)
        && b.len() - body.len() <= 2
        && body
            .bytes()
            .all(|x| x.is_ascii_alphanumeric() || x == b'+' || x == b'/');
    if base64 && c.len() <= MAX_CUSTOM_DATA {
        Ok(())
    } else {
        Err(ArmError::bad_request(
            "InvalidParameter",
            format!("Custom data in OSProfile must be in Base64 encoding and with a maximum length of {MAX_CUSTOM_DATA} characters."),
        ))
    }
}

/// The command of a DELETE of `kind` named `name`.
pub(crate) fn parse_delete(sub: &str, rg: &str, kind: &Kind, name: &str) -> Command {
    let target = Target::new(sub, rg, name);
    let parent = |p: &str| Target::new(sub, rg, p);
    let name = name.to_owned();
    match kind {
        Kind::ResourceGroup => Command::DeleteResourceGroup {
            subscription: sub.to_owned(),
            name: rg.to_owned(),
        },
        Kind::Vnet => Command::DeleteVnet { target },
        Kind::Subnet(v) => Command::DeleteSubnet {
            vnet: parent(v),
            name,
        },
        Kind::Peering(v) => Command::DeletePeering {
            vnet: parent(v),
            name,
        },
        Kind::Nsg => Command::DeleteNsg { target },
        Kind::SecurityRule(nsg) => Command::DeleteSecurityRule {
            nsg: parent(nsg),
            name,
        },
        Kind::RouteTable => Command::DeleteRouteTable { target },
        Kind::Route(table) => Command::DeleteRoute {
            table: parent(table),
            name,
        },
        Kind::Nic => Command::DeleteNic { target },
        Kind::Gateway => Command::DeleteGateway { target },
        Kind::Vm => Command::DeleteVm { target },
        Kind::PublicIp => Command::DeletePublicIp { target },
    }
}

/// The JSON of the record a PUT wrote, as the world now holds it.
fn written(world: &World, record: &Written) -> Value {
    match record {
        Written::Vnet(v) => render::vnet(world, v),
        Written::Subnet { vnet, name } => match vnet.subnet(name) {
            Some(s) => render::subnet(world, vnet, s),
            None => Value::Null,
        },
        Written::Peering(l) => render::peering_json(world, l),
        Written::Nsg(n) => render::nsg(world, n),
        Written::SecurityRule { nsg, name } => nsg
            .rules
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
            .map_or(Value::Null, |r| {
                render::security_rule(&nsg.display_id, "securityRules", r)
            }),
        Written::RouteTable(t) => render::route_table(world, t),
        Written::Route { table, name } => table
            .routes
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
            .map_or(Value::Null, |r| render::route(&table.display_id, r)),
        Written::Nic(n) => render::nic(n),
        Written::Gateway(g) => render::gateway(g),
        Written::Vm(v) => render::vm(v),
        Written::PublicIp(p) => render::public_ip(world, p),
    }
}

/// The reply to a change that succeeded: the record written with its operation URL, the
/// operation URLs of a DELETE (or 204 when nothing was there), the resource after a tag PATCH,
/// or the 202 of an effective read.
pub(crate) fn render(tx: &Tx<'_, '_>, a: &Answer, outcome: Outcome) -> Reply {
    let lro = a.lro();
    match outcome {
        Outcome::ResourceGroup { group, created } => Reply::json(
            if created { 201 } else { 200 },
            render::resource_group(&group),
        ),
        Outcome::Written {
            record,
            created,
            operation,
        } => lro.put(&operation, created, written(tx.world(), &record)),
        Outcome::Deleted(Some(op)) | Outcome::Started(op) => lro.accepted_as(&op),
        Outcome::Deleted(None) => Reply::empty(204),
        Outcome::Retagged => match &a.route {
            Route::Item {
                sub,
                rg,
                kind,
                name,
            } => get(tx.world(), sub, rg, kind, name)
                .map_or_else(|e| error_reply(&e.into()), |v| Reply::json(200, v)),
            _ => Reply::empty(204),
        },
    }
}
