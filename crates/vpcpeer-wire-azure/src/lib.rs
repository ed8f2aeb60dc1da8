//! The Azure Resource Manager face of vpcpeer (`Microsoft.Network`, plus resource groups and a
//! minimal `Microsoft.Compute/virtualMachines`): a router over (method, path, query, JSON body)
//! that turns each request into a [`Plan`]: a [`Read`] answered on the world, or a change as an
//! Azure [`Command`] applied by the emulator and rendered from its [`Outcome`] (status,
//! headers, JSON).
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
//! then, waits at the `Location` URL; so does a VM's `deallocate`, `powerOff` or `start` (its
//! result is empty: 204). Peerings written inline in a VNet's body
//! (`properties.virtualNetworkPeerings`) are ignored: links are changed through their own URLs. `Retry-After` is
//! 1 second; `azure-mgmt-core`'s poller reads the operation once without waiting and finishes.

pub mod auth;
pub mod body;
mod error;
mod read;
mod render;
mod reply;
pub mod route;
mod write;

use serde_json::json;
use vpcpeer_model::azure::ops::{self, Tagged, Target};
use vpcpeer_model::azure::{key, AzOperationResult, AzureError, Command, Outcome};
use vpcpeer_model::Apply;
use vpcpeer_model::{Scope, Tx};

pub use error::{arm_type, ArmError, CROSS_CLOUD};
pub use read::effective_routes_json;
use read::{get, list};
pub use render::{next_hop, parse_next_hop, peering_state, sync_level};
use reply::Lro;
pub use reply::{error_reply, Reply};
pub use route::{Kind, Route};
use write::{parse_delete, parse_put};

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

impl Prepared {
    /// The caller's scope: the subscription of the path, and the region `global`. ARM paths name
    /// no region (a resource's region is its `location`, and the Azure model reads no scope
    /// region), so, as the GCP face does for global resources, the scope says `global`: the
    /// command log records it, and a replay needs a region. \[Choice\] not an Azure spelling.
    pub fn scope(&self) -> Scope {
        Scope::new(self.route.subscription(), "global")
    }
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
pub fn prepare(req: &Request<'_>) -> Result<Prepared, ArmError> {
    let Some(route) = route::parse(req.path) else {
        return Err(ArmError::new(
            404,
            "InvalidResourceType",
            format!("The resource type of path '{}' is not served by this emulator (it serves resource groups, Microsoft.Network virtual networks, subnets, peerings, NSGs, route tables, NICs, public IP addresses, virtual network gateways, and Microsoft.Compute virtual machines).", req.path),
        ));
    };
    let Some(api_version) = route::query_param(req.query, "api-version") else {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    if !date_shaped(&api_version) {
        return Err(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!("The api-version '{api_version}' is invalid. The supported versions are date-shaped, such as '2024-05-01'."),
        ));
    }
    Ok(Prepared { route, api_version })
}

fn method_not_allowed(method: &str) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The HTTP method '{method}' is not supported on this resource."),
    )
}

/// What a request asks for, decided before any transaction: a read, or a change as a
/// [`Command`] with what its reply needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// A read (GET, HEAD): runs on the world without changing it.
    Read(Read),
    /// A change: its command, and how to answer once it is applied.
    Change {
        /// The command (boxed: commands are large beside reads).
        command: Box<Command>,
        /// What the reply needs besides the outcome.
        answer: Answer,
    },
}

/// A read request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// `GET` of an operation's status.
    Operation {
        /// Subscription.
        sub: String,
        /// Operation id.
        id: String,
    },
    /// `GET` of an operation's result.
    OperationResult {
        /// Subscription.
        sub: String,
        /// Operation id.
        id: String,
    },
    /// `GET` of a collection.
    List {
        /// Subscription.
        sub: String,
        /// Resource group (`None`: the whole subscription).
        rg: Option<String>,
        /// Kind.
        kind: Kind,
    },
    /// `GET` of one resource.
    Get {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// Kind.
        kind: Kind,
        /// Name.
        name: String,
    },
    /// `GET` of a VM's instance view (`full`: of the VM with `$expand=instanceView`).
    VmInstanceView {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// VM name.
        vm: String,
        /// The whole VM with its instance view, rather than the view alone.
        full: bool,
    },
    /// `HEAD` of a resource group: 204 when it exists, else 404.
    HeadGroup {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
    },
}

/// What the reply to a change needs besides the command's outcome: where the operation URLs
/// point, and the path (a tag PATCH answers with the resource as it now is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    base: String,
    api: String,
    route: Route,
}

impl Answer {
    fn lro(&self) -> Lro<'_> {
        Lro {
            base: &self.base,
            sub: self.route.subscription(),
            api: &self.api,
        }
    }

    /// The reply to a change that succeeded with `outcome`, reading the world through `tx` as
    /// the command left it.
    pub fn render(&self, tx: &Tx<'_, '_>, outcome: Outcome) -> Reply {
        write::render(tx, self, outcome)
    }
}

fn only(method: &str, allowed: &str) -> Result<(), ArmError> {
    if method == allowed {
        Ok(())
    } else {
        Err(method_not_allowed(method))
    }
}

/// Decides what the request asks for, from the request alone (no world): the method against
/// the route, and for a change its body read into a command.
pub fn plan(req: &Request<'_>, p: &Prepared) -> Result<Plan, ArmError> {
    let method = req.method.to_ascii_uppercase();
    let change = |command: Command| Plan::Change {
        command: Box::new(command),
        answer: Answer {
            base: req.base_url.trim_end_matches('/').to_owned(),
            api: p.api_version.clone(),
            route: p.route.clone(),
        },
    };
    let (sub, rg, kind, name) = match &p.route {
        Route::Operation { sub, id } => {
            only(&method, "GET")?;
            return Ok(Plan::Read(Read::Operation {
                sub: sub.clone(),
                id: id.clone(),
            }));
        }
        Route::OperationResult { sub, id } => {
            only(&method, "GET")?;
            return Ok(Plan::Read(Read::OperationResult {
                sub: sub.clone(),
                id: id.clone(),
            }));
        }
        Route::EffectiveRoutes { sub, rg, nic } => {
            only(&method, "POST")?;
            let nic = Target::new(sub, rg, nic);
            return Ok(change(Command::EffectiveRouteTable { nic }));
        }
        Route::EffectiveNsgs { sub, rg, nic } => {
            only(&method, "POST")?;
            let nic = Target::new(sub, rg, nic);
            return Ok(change(Command::EffectiveNsgs { nic }));
        }
        Route::VmInstanceView { sub, rg, vm } => {
            only(&method, "GET")?;
            return Ok(Plan::Read(Read::VmInstanceView {
                sub: sub.clone(),
                rg: rg.clone(),
                vm: vm.clone(),
                full: false,
            }));
        }
        Route::VmAction {
            sub,
            rg,
            vm,
            action,
        } => {
            only(&method, "POST")?;
            return Ok(change(Command::VmPower {
                target: Target::new(sub, rg, vm),
                action: *action,
            }));
        }
        Route::List { sub, rg, kind } => {
            only(&method, "GET")?;
            return Ok(Plan::Read(Read::List {
                sub: sub.clone(),
                rg: rg.clone(),
                kind: kind.clone(),
            }));
        }
        Route::Item {
            sub,
            rg,
            kind,
            name,
        } => (sub, rg, kind, name),
    };
    let expand = route::query_param(req.query, "$expand");
    match method.as_str() {
        "GET"
            if *kind == Kind::Vm
                && expand
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case("instanceView")) =>
        {
            Ok(Plan::Read(Read::VmInstanceView {
                sub: sub.clone(),
                rg: rg.clone(),
                vm: name.clone(),
                full: true,
            }))
        }
        "GET" => Ok(Plan::Read(Read::Get {
            sub: sub.clone(),
            rg: rg.clone(),
            kind: kind.clone(),
            name: name.clone(),
        })),
        "HEAD" if *kind == Kind::ResourceGroup => Ok(Plan::Read(Read::HeadGroup {
            sub: sub.clone(),
            rg: rg.clone(),
        })),
        "PUT" => {
            let b = body::parse(req.body)?;
            parse_put(req, sub, rg, kind, name, &b).map(change)
        }
        "DELETE" => Ok(change(parse_delete(sub, rg, kind, name))),
        "PATCH" => {
            let tagged = match kind {
                Kind::ResourceGroup => Tagged::ResourceGroup,
                Kind::Vnet => Tagged::Vnet,
                Kind::Nsg => Tagged::Nsg,
                Kind::RouteTable => Tagged::RouteTable,
                Kind::Nic => Tagged::Nic,
                Kind::Gateway => Tagged::Gateway,
                Kind::Vm => Tagged::Vm,
                Kind::PublicIp => Tagged::PublicIp,
                Kind::Subnet(_) | Kind::Peering(_) | Kind::Route(_) | Kind::SecurityRule(_) => {
                    return Err(method_not_allowed(&method))
                }
            };
            let b = body::parse(req.body)?;
            if body::at(&b, &["tags"]).is_none() {
                return Err(ArmError::bad_request(
                    "InvalidRequestFormat",
                    "Cannot parse the request: PATCH updates tags only, and needs a 'tags' object.",
                ));
            }
            Ok(change(Command::UpdateTags {
                kind: tagged,
                target: Target::new(sub, rg, name),
                tags: body::tags(&b)?,
            }))
        }
        _ => Err(method_not_allowed(&method)),
    }
}

/// Answers a read on the world as it is.
pub fn read(tx: &Tx<'_, '_>, r: &Read) -> Result<Reply, ArmError> {
    read_world(tx.world(), r).map_err(ArmError::from)
}

fn read_world(world: &vpcpeer_model::World, r: &Read) -> Result<Reply, AzureError> {
    match r {
        Read::Operation { sub, id } => {
            let op = ops::get_operation(world, sub, id)?;
            Ok(Reply::json(
                200,
                json!({
                    "id": format!("/subscriptions/{sub}/providers/Microsoft.Network/locations/{}/operations/{}", op.location, op.id),
                    "name": op.id,
                    "status": "Succeeded",
                }),
            ))
        }
        Read::OperationResult { sub, id } => match &ops::get_operation(world, sub, id)?.result {
            AzOperationResult::None => Ok(Reply::empty(204)),
            AzOperationResult::EffectiveRoutes(r) => Ok(Reply::json(
                200,
                json!({"value": r.iter().map(render::effective_route).collect::<Vec<_>>()}),
            )),
            AzOperationResult::EffectiveNsgs(g) => Ok(Reply::json(
                200,
                json!({"value": g.iter().map(render::effective_nsg).collect::<Vec<_>>()}),
            )),
        },
        Read::List { sub, rg, kind } => {
            list(world, sub, rg.as_deref(), kind).map(|v| Reply::json(200, json!({"value": v})))
        }
        Read::Get {
            sub,
            rg,
            kind,
            name,
        } => get(world, sub, rg, kind, name).map(|v| Reply::json(200, v)),
        Read::VmInstanceView { sub, rg, vm, full } => {
            let vm = ops::get_vm(world, &Target::new(sub, rg, vm))?;
            Ok(Reply::json(
                200,
                if *full {
                    render::vm_expanded(vm)
                } else {
                    render::instance_view(vm)
                },
            ))
        }
        Read::HeadGroup { sub, rg } => {
            let exists = world
                .azure
                .resource_groups()
                .contains_key(&key(&vpcpeer_model::azure::resource_group_id(sub, rg)));
            Ok(Reply::empty(if exists { 204 } else { 404 }))
        }
    }
}

/// Runs the request on `tx`: a read on the world, or the command applied and its outcome
/// rendered (what the server does under the emulator's lock, for tests that hold a `Tx`).
pub fn handle(tx: &mut Tx<'_, '_>, req: &Request<'_>, p: &Prepared) -> Result<Reply, ArmError> {
    match plan(req, p)? {
        Plan::Read(r) => read(tx, &r),
        Plan::Change { command, answer } => {
            let outcome = (*command).apply(tx)?;
            Ok(answer.render(tx, outcome))
        }
    }
}
