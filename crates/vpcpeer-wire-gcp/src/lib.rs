//! The Compute Engine v1 REST face (JSON), enough for VPC Network Peering: networks (with
//! `addPeering`, `removePeering`, `updatePeering`, `listPeeringRoutes`), subnetworks (with
//! `expandIpCidrRange`), routes, firewalls (with `patch` and `update`), instances (with
//! `accessConfigs`, `canIpForward`, `metadata`, `stop`, `start` and `setMetadata`), regional
//! static external addresses (`addresses.insert`, `get`, `list`, `delete`), the aggregated
//! lists of instances and subnetworks, and global, regional and zonal operations (`get`, `wait`,
//! `list`, `delete`).
//!
//! [`parse`] turns a request (method, the path after `/compute/v1/`, query, body) into a [`Call`]
//! or refuses it (unknown URL → 404 `notFound`, bad JSON → 400 `invalid`); [`plan`] makes it a
//! read or a [`Command`] (typed input parsed from the body, without looking at the world);
//! [`read`] answers a read and [`render`] a command's outcome, as GCP's JSON with links on the
//! base URL the request came to; [`handle`] runs all of it on one [`Tx`]. Every error is GCP's
//! error document ([`WireError::body`]).
//!
//! The project in the path is the caller's account ([`Call::scope`]); there is no authentication
//! (clients use anonymous credentials) unless the server checks bearer tokens, whose refusals
//! are in [`auth`]. `requestId` is accepted and ignored [UNVERIFIED: GCP
//! deduplicates retried inserts by it]. List `filter` supports only `name = "x"`, `name != "x"`
//! (and `eq`/`ne`); other filters are refused with 400 `invalid`.
//!
//! This crate does no I/O and knows nothing of HTTP servers, stores or the service layer.

pub mod auth;
pub mod error;
mod handlers;
pub mod messages;
pub mod render;

use serde_json::Value;
use vpcpeer_model::gcp::{is_region, region_of_zone, Command, OpScope, Outcome};
use vpcpeer_model::{Apply, Scope, Tx};

pub use error::WireError;

/// What a parsed request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Route {
    NetworkList,
    NetworkInsert,
    NetworkGet(String),
    NetworkDelete(String),
    NetworkPatch(String),
    AddPeering(String),
    RemovePeering(String),
    UpdatePeering(String),
    ListPeeringRoutes(String),
    SubnetList(String),
    SubnetInsert(String),
    SubnetGet(String, String),
    SubnetDelete(String, String),
    SubnetExpand(String, String),
    RouteList,
    RouteInsert,
    RouteGet(String),
    RouteDelete(String),
    FirewallList,
    FirewallInsert,
    FirewallGet(String),
    FirewallDelete(String),
    FirewallPatch(String),
    FirewallUpdate(String),
    InstanceList(String),
    /// `aggregated/instances`: every zone's instances of the project.
    InstanceAggregated,
    /// `aggregated/subnetworks`: every region's subnetworks of the project.
    SubnetAggregated,
    InstanceInsert(String),
    InstanceGet(String, String),
    InstanceDelete(String, String),
    InstanceStop(String, String),
    InstanceStart(String, String),
    InstanceSetMetadata(String, String),
    AddressList(String),
    AddressInsert(String),
    AddressGet(String, String),
    AddressDelete(String, String),
    OperationList(OpScope),
    OperationGet(OpScope, String),
    OperationWait(OpScope, String),
    OperationDelete(OpScope, String),
}

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Call {
    /// The project in the path.
    pub project: String,
    /// The method asked for.
    pub route: Route,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// The JSON body (`Null` when empty).
    pub body: Value,
}

impl Call {
    /// The caller's scope: the project, and the region of the path (`global` for global
    /// resources, the zone's region for zonal ones).
    pub fn scope(&self) -> Scope {
        let region = match &self.route {
            Route::SubnetList(r)
            | Route::SubnetInsert(r)
            | Route::SubnetGet(r, _)
            | Route::SubnetDelete(r, _)
            | Route::SubnetExpand(r, _)
            | Route::AddressList(r)
            | Route::AddressInsert(r)
            | Route::AddressGet(r, _)
            | Route::AddressDelete(r, _)
            | Route::OperationList(OpScope::Region(r))
            | Route::OperationGet(OpScope::Region(r), _)
            | Route::OperationWait(OpScope::Region(r), _)
            | Route::OperationDelete(OpScope::Region(r), _) => r.clone(),
            Route::InstanceList(z)
            | Route::InstanceInsert(z)
            | Route::InstanceGet(z, _)
            | Route::InstanceDelete(z, _)
            | Route::InstanceStop(z, _)
            | Route::InstanceStart(z, _)
            | Route::InstanceSetMetadata(z, _)
            | Route::OperationList(OpScope::Zone(z))
            | Route::OperationGet(OpScope::Zone(z), _)
            | Route::OperationWait(OpScope::Zone(z), _)
            | Route::OperationDelete(OpScope::Zone(z), _) => {
                region_of_zone(z).unwrap_or("global").to_owned()
            }
            _ => "global".to_owned(),
        };
        Scope::new(self.project.clone(), region)
    }

    /// A query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn route_of(method: &str, seg: &[&str]) -> Option<(String, Route)> {
    use Route::*;
    let s = |x: &str| x.to_owned();
    let [p, rest @ ..] = (match seg {
        ["projects", rest @ ..] => rest,
        _ => return None,
    }) else {
        return None;
    };
    if p.is_empty() {
        return None;
    }
    let op_scope_route = |scope: OpScope, tail: &[&str]| -> Option<Route> {
        match (method, tail) {
            ("GET", []) => Some(OperationList(scope)),
            ("GET", [o]) => Some(OperationGet(scope, s(o))),
            ("DELETE", [o]) => Some(OperationDelete(scope, s(o))),
            ("POST", [o, "wait"]) => Some(OperationWait(scope, s(o))),
            _ => None,
        }
    };
    let route = match rest {
        ["global", "networks"] => match method {
            "GET" => NetworkList,
            "POST" => NetworkInsert,
            _ => return None,
        },
        ["global", "networks", n] => match method {
            "GET" => NetworkGet(s(n)),
            "DELETE" => NetworkDelete(s(n)),
            "PATCH" => NetworkPatch(s(n)),
            _ => return None,
        },
        ["global", "networks", n, verb] => match (method, *verb) {
            ("POST", "addPeering") => AddPeering(s(n)),
            ("POST", "removePeering") => RemovePeering(s(n)),
            ("PATCH", "updatePeering") => UpdatePeering(s(n)),
            ("GET", "listPeeringRoutes") => ListPeeringRoutes(s(n)),
            _ => return None,
        },
        ["global", "routes"] => match method {
            "GET" => RouteList,
            "POST" => RouteInsert,
            _ => return None,
        },
        ["global", "routes", r] => match method {
            "GET" => RouteGet(s(r)),
            "DELETE" => RouteDelete(s(r)),
            _ => return None,
        },
        ["global", "firewalls"] => match method {
            "GET" => FirewallList,
            "POST" => FirewallInsert,
            _ => return None,
        },
        ["global", "firewalls", f] => match method {
            "GET" => FirewallGet(s(f)),
            "DELETE" => FirewallDelete(s(f)),
            "PATCH" => FirewallPatch(s(f)),
            "PUT" => FirewallUpdate(s(f)),
            _ => return None,
        },
        ["global", "operations", tail @ ..] => op_scope_route(OpScope::Global, tail)?,
        ["regions", r, "subnetworks"] => match method {
            "GET" => SubnetList(s(r)),
            "POST" => SubnetInsert(s(r)),
            _ => return None,
        },
        ["regions", r, "subnetworks", n] => match method {
            "GET" => SubnetGet(s(r), s(n)),
            "DELETE" => SubnetDelete(s(r), s(n)),
            _ => return None,
        },
        ["regions", r, "subnetworks", n, "expandIpCidrRange"] if method == "POST" => {
            SubnetExpand(s(r), s(n))
        }
        ["regions", r, "operations", tail @ ..] => op_scope_route(OpScope::Region(s(r)), tail)?,
        ["zones", z, "instances"] => match method {
            "GET" => InstanceList(s(z)),
            "POST" => InstanceInsert(s(z)),
            _ => return None,
        },
        ["zones", z, "instances", i] => match method {
            "GET" => InstanceGet(s(z), s(i)),
            "DELETE" => InstanceDelete(s(z), s(i)),
            _ => return None,
        },
        ["zones", z, "instances", i, verb] if method == "POST" => match *verb {
            "stop" => InstanceStop(s(z), s(i)),
            "start" => InstanceStart(s(z), s(i)),
            "setMetadata" => InstanceSetMetadata(s(z), s(i)),
            _ => return None,
        },
        ["regions", r, "addresses"] => match method {
            "GET" => AddressList(s(r)),
            "POST" => AddressInsert(s(r)),
            _ => return None,
        },
        ["regions", r, "addresses", a] => match method {
            "GET" => AddressGet(s(r), s(a)),
            "DELETE" => AddressDelete(s(r), s(a)),
            _ => return None,
        },
        ["zones", z, "operations", tail @ ..] => op_scope_route(OpScope::Zone(s(z)), tail)?,
        ["aggregated", "instances"] if method == "GET" => InstanceAggregated,
        ["aggregated", "subnetworks"] if method == "GET" => SubnetAggregated,
        _ => return None,
    };
    Some((s(p), route))
}

/// Parses a request. `path` is what follows `/compute/v1/` (percent-encoding already decoded
/// or absent: GCP names never need it).
pub fn parse(method: &str, path: &str, query: &str, body: &[u8]) -> Result<Call, WireError> {
    let seg: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let (project, route) =
        route_of(method, &seg).ok_or_else(|| WireError::no_such_method(method, path))?;
    let query: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(body)
            .map_err(|e| WireError::invalid(format!("Invalid JSON payload received. {e}")))?
    };
    if !matches!(body, Value::Null | Value::Object(_)) {
        return Err(WireError::invalid(
            "Invalid JSON payload received. Expected an object.",
        ));
    }
    Ok(Call {
        project,
        route,
        query,
        body,
    })
}

/// Whether a region or zone in the path is one the emulator knows (else 404 on reads).
fn check_location(call: &Call) -> Result<(), WireError> {
    let bad_region = |r: &str| -> Result<(), WireError> {
        if is_region(r) {
            Ok(())
        } else {
            Err(vpcpeer_model::gcp::GcpError::NotFound(format!(
                "projects/{}/regions/{r}",
                call.project
            ))
            .into())
        }
    };
    let bad_zone = |z: &str| -> Result<(), WireError> {
        if region_of_zone(z).is_some() {
            Ok(())
        } else {
            Err(vpcpeer_model::gcp::GcpError::NotFound(format!(
                "projects/{}/zones/{z}",
                call.project
            ))
            .into())
        }
    };
    match &call.route {
        Route::SubnetList(r)
        | Route::SubnetGet(r, _)
        | Route::AddressList(r)
        | Route::AddressGet(r, _)
        | Route::OperationList(OpScope::Region(r))
        | Route::OperationGet(OpScope::Region(r), _)
        | Route::OperationWait(OpScope::Region(r), _)
        | Route::OperationDelete(OpScope::Region(r), _) => bad_region(r),
        Route::InstanceList(z)
        | Route::InstanceGet(z, _)
        | Route::OperationList(OpScope::Zone(z))
        | Route::OperationGet(OpScope::Zone(z), _)
        | Route::OperationWait(OpScope::Zone(z), _)
        | Route::OperationDelete(OpScope::Zone(z), _) => bad_zone(z),
        _ => Ok(()),
    }
}

/// What a parsed request does: read the world, or change it with a command. (A plan lives for
/// one request and is moved once, so the large command is not worth boxing.)
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Plan {
    /// A get or list: answer with [`read`] (after [`Command::SettleOperations`] when
    /// [`needs_settling`](vpcpeer_model::gcp::needs_settling)).
    Read,
    /// A change: apply the command, then [`render`] its outcome.
    Change(Command),
}

/// Plans `call`: refuses an unknown region or zone of a read or an operation path (404), and
/// parses a change's body into its [`Command`] (400 `invalid` for a malformed field). Pure: it
/// does not look at the world.
pub fn plan(call: &Call) -> Result<Plan, WireError> {
    check_location(call)?;
    Ok(match handlers::command(call)? {
        Some(c) => Plan::Change(c),
        None => Plan::Read,
    })
}

/// Answers a read ([`Plan::Read`]) from the world. `base_url` is where the request came to, up
/// to and including `/compute/v1/`; every link in the reply starts with it.
pub fn read(tx: &Tx<'_, '_>, call: &Call, base_url: &str) -> Result<Value, WireError> {
    handlers::read(tx, call, &render::Links::new(base_url))
}

/// Renders what a change's command handed back (links on `base_url`, as [`read`]).
pub fn render(base_url: &str, outcome: Outcome) -> Value {
    handlers::render_outcome(&render::Links::new(base_url), outcome)
}

/// Runs `call` on `tx` and renders the reply: [`plan`], then the command (which completes the
/// operations whose time has come first, see [`vpcpeer_model::gcp::peering`]) and [`render`],
/// or the due operations' completion and [`read`]. The server splits the same steps between
/// the emulator's `execute` and `query`; tests run them on one `Tx`.
pub fn handle(tx: &mut Tx<'_, '_>, call: &Call, base_url: &str) -> Result<Value, WireError> {
    match plan(call)? {
        Plan::Read => {
            Command::SettleOperations.apply(tx)?;
            read(tx, call, base_url)
        }
        Plan::Change(command) => Ok(render(base_url, command.apply(tx)?)),
    }
}
