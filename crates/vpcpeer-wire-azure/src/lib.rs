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
mod read;
mod render;
mod reply;
pub mod route;
mod write;

use serde_json::json;
use vpcpeer_model::azure::ops::{self, Target};
use vpcpeer_model::azure::{key, AzOperationResult, AzureError};
use vpcpeer_model::Tx;

pub use read::effective_routes_json;
use read::{get, list};
pub use render::{next_hop, parse_next_hop, peering_state, sync_level};
use reply::Lro;
pub use reply::{error_reply, Reply};
pub use route::{Kind, Route};
use write::{delete, put};

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
            Ok(lro.accepted_as(&op))
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
