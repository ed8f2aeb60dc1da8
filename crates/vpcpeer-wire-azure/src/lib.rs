//! The Azure Resource Manager face of vpcpeer (`Microsoft.Network`, plus resource groups and a
//! minimal `Microsoft.Compute/virtualMachines`): a router over (method, path, query, JSON body)
//! that runs one handler on a [`Tx`] and answers (status, headers, JSON).
//!
//! Like the EC2 dialect it does no I/O and knows no HTTP server. Errors are ARM's
//! `{"error": {"code", "message", "details": []}}`. Every request needs an `api-version` query
//! parameter; any date-shaped version (`2024-05-01`, `2023-09-01-preview`) is accepted and all of
//! them get the same behaviour.
//!
//! Long-running operations: changes are applied when the request is made (the emulator has no
//! background work), so a PUT answers 201/200 with `provisioningState: Succeeded` and the
//! `Azure-AsyncOperation` URL of an operation that is already `Succeeded`; a DELETE answers 202
//! with `Location` and `Azure-AsyncOperation`, or 204 when there was nothing to delete; a POST
//! `effectiveRouteTable` or `effectiveNetworkSecurityGroups` answers 202 and its result, computed
//! then, waits at the `Location` URL. Peerings written inline in a VNet's body
//! (`properties.virtualNetworkPeerings`) are ignored: links are changed through their own URLs. `Retry-After` is
//! 1 second; `azure-mgmt-core`'s poller reads the operation once without waiting and finishes.

pub mod auth;
pub mod body;
mod render;
pub mod route;

use serde_json::{json, Value};
use vpcpeer_model::azure::ops::{self, Target};
use vpcpeer_model::azure::{
    key, routes, AzAccess, AzDirection, AzGatewayType, AzOperationResult, AzSecurityRule,
    AzureError,
};
use vpcpeer_model::{Tx, World};

pub use render::{next_hop, parse_next_hop, peering_state, sync_level};
pub use route::{Kind, Route};

/// An HTTP request, as the server received it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `GET`, `PUT`, `POST`, `DELETE`, `HEAD`.
    pub method: &'a str,
    /// The path (still percent-encoded).
    pub path: &'a str,
    /// The raw query string.
    pub query: &'a str,
    /// The body.
    pub body: &'a [u8],
    /// `scheme://host[:port]` the client used, for the operation URLs handed back.
    pub base_url: &'a str,
}

/// An answer: status, extra headers and an optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers besides `content-type`.
    pub headers: Vec<(String, String)>,
    /// JSON body (`None`: no body).
    pub body: Option<Value>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }
}

/// The ARM error document of `e`, as a reply.
pub fn error_reply(e: &AzureError) -> Reply {
    Reply::json(
        e.status,
        json!({"error": {"code": e.code, "message": e.message, "details": []}}),
    )
}

/// A validated request: its route and api-version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// What the path names.
    pub route: Route,
    /// The `api-version` asked for.
    pub api_version: String,
}

/// Whether `v` is `YYYY-MM-DD` or `YYYY-MM-DD-preview` (the suffix in any case). Works on bytes
/// and never slices the string, so any input (non-ASCII included) is answered, not a panic.
fn date_shaped(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let (date, rest) = b.split_at(10);
    date[4] == b'-'
        && date[7] == b'-'
        && date
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (rest.is_empty() || rest.eq_ignore_ascii_case(b"-preview"))
}

/// Parses the path and checks `api-version`, before any transaction.
pub fn prepare(req: &Request<'_>) -> Result<Prepared, AzureError> {
    let Some(route) = route::parse(req.path) else {
        return Err(AzureError::new(
            404,
            "InvalidResourceType",
            format!("The resource type of path '{}' is not served by this emulator (it serves resource groups, Microsoft.Network virtual networks, subnets, peerings, NSGs, route tables, NICs, virtual network gateways, and Microsoft.Compute virtual machines).", req.path),
        ));
    };
    let Some(api_version) = route::query_param(req.query, "api-version") else {
        return Err(AzureError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    if !date_shaped(&api_version) {
        return Err(AzureError::bad_request(
            "InvalidApiVersionParameter",
            format!("The api-version '{api_version}' is invalid. The supported versions are date-shaped, such as '2024-05-01'."),
        ));
    }
    Ok(Prepared { route, api_version })
}

fn method_not_allowed(method: &str) -> AzureError {
    AzureError::new(
        405,
        "MethodNotAllowed",
        format!("The HTTP method '{method}' is not supported on this resource."),
    )
}

struct Lro<'a> {
    base: &'a str,
    sub: &'a str,
    api: &'a str,
}

impl Lro<'_> {
    fn ops_url(&self, location: &str, kind: &str, id: &str) -> String {
        format!(
            "{}/subscriptions/{}/providers/Microsoft.Network/locations/{location}/{kind}/{id}?api-version={}",
            self.base, self.sub, self.api
        )
    }

    fn put(&self, tx: &mut Tx<'_, '_>, location: &str, created: bool, body: Value) -> Reply {
        let op = ops::record_operation(tx, self.sub, location, AzOperationResult::None);
        Reply {
            status: if created { 201 } else { 200 },
            headers: vec![
                (
                    "Azure-AsyncOperation".into(),
                    self.ops_url(&op.location, "operations", &op.id),
                ),
                ("Retry-After".into(), "1".into()),
            ],
            body: Some(body),
        }
    }

    fn accepted(&self, tx: &mut Tx<'_, '_>, location: &str, result: AzOperationResult) -> Reply {
        let op = ops::record_operation(tx, self.sub, location, result);
        Reply {
            status: 202,
            headers: vec![
                (
                    "Location".into(),
                    self.ops_url(&op.location, "operationResults", &op.id),
                ),
                (
                    "Azure-AsyncOperation".into(),
                    self.ops_url(&op.location, "operations", &op.id),
                ),
                ("Retry-After".into(), "1".into()),
            ],
            body: None,
        }
    }
}

/// Runs the request on `tx`.
pub fn handle(tx: &mut Tx<'_, '_>, req: &Request<'_>, p: &Prepared) -> Result<Reply, AzureError> {
    let lro = Lro {
        base: req.base_url.trim_end_matches('/'),
        sub: p.route.subscription(),
        api: &p.api_version,
    };
    let method = req.method.to_ascii_uppercase();
    match &p.route {
        Route::Operation { sub, id } => {
            if method != "GET" {
                return Err(method_not_allowed(&method));
            }
            let op = ops::get_operation(tx.world(), sub, id)?;
            Ok(Reply::json(
                200,
                json!({
                    "id": format!("/subscriptions/{sub}/providers/Microsoft.Network/locations/{}/operations/{}", op.location, op.id),
                    "name": op.id,
                    "status": "Succeeded",
                }),
            ))
        }
        Route::OperationResult { sub, id } => {
            if method != "GET" {
                return Err(method_not_allowed(&method));
            }
            match &ops::get_operation(tx.world(), sub, id)?.result {
                AzOperationResult::None => Ok(Reply::empty(204)),
                AzOperationResult::EffectiveRoutes(r) => Ok(Reply::json(
                    200,
                    json!({"value": r.iter().map(render::effective_route).collect::<Vec<_>>()}),
                )),
                AzOperationResult::EffectiveNsgs(g) => Ok(Reply::json(
                    200,
                    json!({"value": g.iter().map(render::effective_nsg).collect::<Vec<_>>()}),
                )),
            }
        }
        Route::EffectiveRoutes { sub, rg, nic } | Route::EffectiveNsgs { sub, rg, nic } => {
            if method != "POST" {
                return Err(method_not_allowed(&method));
            }
            let t = Target::new(sub, rg, nic);
            let op = if matches!(p.route, Route::EffectiveRoutes { .. }) {
                ops::effective_route_table(tx, &t)?
            } else {
                ops::effective_nsgs(tx, &t)?
            };
            // The operation is already recorded with its result; answer with its URLs.
            Ok(Reply {
                status: 202,
                headers: vec![
                    (
                        "Location".into(),
                        lro.ops_url(&op.location, "operationResults", &op.id),
                    ),
                    (
                        "Azure-AsyncOperation".into(),
                        lro.ops_url(&op.location, "operations", &op.id),
                    ),
                    ("Retry-After".into(), "1".into()),
                ],
                body: None,
            })
        }
        Route::List { sub, rg, kind } => {
            if method != "GET" {
                return Err(method_not_allowed(&method));
            }
            list(tx.world(), sub, rg.as_deref(), kind)
                .map(|v| Reply::json(200, json!({"value": v})))
        }
        Route::Item {
            sub,
            rg,
            kind,
            name,
        } => match method.as_str() {
            "GET" => get(tx.world(), sub, rg, kind, name).map(|v| Reply::json(200, v)),
            "HEAD" if *kind == Kind::ResourceGroup => {
                let exists = tx
                    .world()
                    .az_resource_groups
                    .contains_key(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)));
                Ok(Reply::empty(if exists { 204 } else { 404 }))
            }
            "PUT" => {
                let b = body::parse(req.body)?;
                put(tx, &lro, req, sub, rg, kind, name, &b)
            }
            "DELETE" => delete(tx, &lro, sub, rg, kind, name),
            "PATCH" => {
                let tagged = match kind {
                    Kind::ResourceGroup => ops::Tagged::ResourceGroup,
                    Kind::Vnet => ops::Tagged::Vnet,
                    Kind::Nsg => ops::Tagged::Nsg,
                    Kind::RouteTable => ops::Tagged::RouteTable,
                    Kind::Nic => ops::Tagged::Nic,
                    Kind::Gateway => ops::Tagged::Gateway,
                    Kind::Vm => ops::Tagged::Vm,
                    Kind::Subnet(_) | Kind::Peering(_) | Kind::Route(_) | Kind::SecurityRule(_) => {
                        return Err(method_not_allowed(&method))
                    }
                };
                let b = body::parse(req.body)?;
                if body::at(&b, &["tags"]).is_none() {
                    return Err(AzureError::bad_request(
                        "InvalidRequestFormat",
                        "Cannot parse the request: PATCH updates tags only, and needs a 'tags' object.",
                    ));
                }
                ops::update_tags(tx, tagged, &Target::new(sub, rg, name), body::tags(&b)?)?;
                get(tx.world(), sub, rg, kind, name).map(|v| Reply::json(200, v))
            }
            _ => Err(method_not_allowed(&method)),
        },
    }
}

fn group_exists(world: &World, sub: &str, rg: &str) -> Result<(), AzureError> {
    if world
        .az_resource_groups
        .contains_key(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)))
    {
        Ok(())
    } else {
        Err(AzureError::resource_group_not_found(rg))
    }
}

fn in_scope(id: &str, sub: &str, rg: Option<&str>) -> bool {
    let prefix = match rg {
        Some(rg) => key(&format!(
            "{}/",
            vpcpeer_model::azure::resource_group_id(sub, rg)
        )),
        None => key(&format!("/subscriptions/{sub}/")),
    };
    id.starts_with(&prefix)
}

fn list(world: &World, sub: &str, rg: Option<&str>, kind: &Kind) -> Result<Vec<Value>, AzureError> {
    if let Some(rg) = rg {
        group_exists(world, sub, rg)?;
    }
    let ok = |id: &str| in_scope(id, sub, rg);
    Ok(match kind {
        Kind::ResourceGroup => world
            .az_resource_groups
            .values()
            .filter(|g| g.subscription.eq_ignore_ascii_case(sub))
            .map(render::resource_group)
            .collect(),
        Kind::Vnet => world
            .az_vnets
            .values()
            .filter(|v| ok(&v.id))
            .map(|v| render::vnet(world, v))
            .collect(),
        Kind::Nsg => world
            .az_nsgs
            .values()
            .filter(|v| ok(&v.id))
            .map(|v| render::nsg(world, v))
            .collect(),
        Kind::RouteTable => world
            .az_route_tables
            .values()
            .filter(|v| ok(&v.id))
            .map(|v| render::route_table(world, v))
            .collect(),
        Kind::Nic => world
            .az_nics
            .values()
            .filter(|v| ok(&v.id))
            .map(render::nic)
            .collect(),
        Kind::Gateway => world
            .az_gateways
            .values()
            .filter(|v| ok(&v.id))
            .map(render::gateway)
            .collect(),
        Kind::Vm => world
            .az_vms
            .values()
            .filter(|v| ok(&v.id))
            .map(render::vm)
            .collect(),
        Kind::Subnet(vnet) => {
            let v = ops::get_vnet(world, &Target::new(sub, rg.unwrap_or_default(), vnet))?;
            v.subnets
                .iter()
                .map(|s| render::subnet(world, v, s))
                .collect()
        }
        Kind::Peering(vnet) => {
            let v = ops::get_vnet(world, &Target::new(sub, rg.unwrap_or_default(), vnet))?;
            vpcpeer_model::azure::peering::links_of(world, &v.id)
                .map(|l| render::peering_json(world, l))
                .collect()
        }
        Kind::SecurityRule(nsg) => {
            let n = nsg_of(world, &Target::new(sub, rg.unwrap_or_default(), nsg))?;
            n.rules
                .iter()
                .map(|r| render::security_rule(&n.display_id, "securityRules", r))
                .collect()
        }
        Kind::Route(table) => {
            let t = route_table(world, &Target::new(sub, rg.unwrap_or_default(), table))?;
            t.routes
                .iter()
                .map(|r| render::route(&t.display_id, r))
                .collect()
        }
    })
}

fn route_table<'a>(
    world: &'a World,
    t: &Target,
) -> Result<&'a vpcpeer_model::azure::AzRouteTable, AzureError> {
    group_exists(world, &t.subscription, &t.resource_group)?;
    world
        .az_route_tables
        .get(&key(&t.network_id("routeTables")))
        .ok_or_else(|| {
            AzureError::not_found("Microsoft.Network/routeTables", &t.name, &t.resource_group)
        })
}

fn nsg_of<'a>(world: &'a World, t: &Target) -> Result<&'a vpcpeer_model::azure::AzNsg, AzureError> {
    group_exists(world, &t.subscription, &t.resource_group)?;
    world
        .az_nsgs
        .get(&key(&t.network_id("networkSecurityGroups")))
        .ok_or_else(|| {
            AzureError::not_found(
                "Microsoft.Network/networkSecurityGroups",
                &t.name,
                &t.resource_group,
            )
        })
}

fn get(world: &World, sub: &str, rg: &str, kind: &Kind, name: &str) -> Result<Value, AzureError> {
    let t = Target::new(sub, rg, name);
    let nf = |k: &str| AzureError::not_found(k, name, rg);
    if *kind == Kind::ResourceGroup {
        return world
            .az_resource_groups
            .get(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)))
            .map(render::resource_group)
            .ok_or_else(|| AzureError::resource_group_not_found(rg));
    }
    group_exists(world, sub, rg)?;
    match kind {
        Kind::ResourceGroup => unreachable!("handled above"),
        Kind::Vnet => ops::get_vnet(world, &t).map(|v| render::vnet(world, v)),
        Kind::Subnet(vnet) => {
            let v = ops::get_vnet(world, &Target::new(sub, rg, vnet))?;
            v.subnet(name)
                .map(|s| render::subnet(world, v, s))
                .ok_or_else(|| {
                    AzureError::not_found_id(&format!("{}/subnets/{name}", v.display_id))
                })
        }
        Kind::Peering(vnet) => ops::get_peering(world, &Target::new(sub, rg, vnet), name)
            .map(|l| render::peering_json(world, l)),
        Kind::Nsg => world
            .az_nsgs
            .get(&key(&t.network_id("networkSecurityGroups")))
            .map(|n| render::nsg(world, n))
            .ok_or_else(|| nf("Microsoft.Network/networkSecurityGroups")),
        Kind::RouteTable => route_table(world, &t).map(|r| render::route_table(world, r)),
        Kind::SecurityRule(nsg) => {
            let n = nsg_of(world, &Target::new(sub, rg, nsg))?;
            n.rules
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .map(|r| render::security_rule(&n.display_id, "securityRules", r))
                .ok_or_else(|| {
                    AzureError::not_found_id(&format!("{}/securityRules/{name}", n.display_id))
                })
        }
        Kind::Route(table) => {
            let rt = route_table(world, &Target::new(sub, rg, table))?;
            rt.routes
                .iter()
                .find(|r| r.name.eq_ignore_ascii_case(name))
                .map(|r| render::route(&rt.display_id, r))
                .ok_or_else(|| {
                    AzureError::not_found_id(&format!("{}/routes/{name}", rt.display_id))
                })
        }
        Kind::Nic => world
            .az_nics
            .get(&key(&t.network_id("networkInterfaces")))
            .map(render::nic)
            .ok_or_else(|| nf("Microsoft.Network/networkInterfaces")),
        Kind::Gateway => world
            .az_gateways
            .get(&key(&t.network_id("virtualNetworkGateways")))
            .map(render::gateway)
            .ok_or_else(|| nf("Microsoft.Network/virtualNetworkGateways")),
        Kind::Vm => world
            .az_vms
            .get(&key(&ops::vm_id(&t)))
            .map(render::vm)
            .ok_or_else(|| nf("Microsoft.Compute/virtualMachines")),
    }
}

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
fn put(
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

fn delete(
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

/// The effective routes of a NIC as JSON (for tests and tools that read the world directly).
pub fn effective_routes_json(world: &World, nic: &vpcpeer_model::azure::AzNic) -> Value {
    json!({"value": routes::effective_routes(world, nic).iter().map(render::effective_route).collect::<Vec<_>>()})
}
