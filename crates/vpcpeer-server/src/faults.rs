//! The opt-in fault mode, for testing a client's retries: `POST /_vpcpeer/faults` arms a fault
//! on one action of one face (`{"face": "aws", "action": "CreateVpcPeeringConnection", "count":
//! 3, "fault": "throttle"}`), and the next `count` requests of that action are refused as the
//! cloud refuses them in one of three situations a client must live through: `throttle` (the
//! caller is throttled), `not_found` (what the request names is not visible yet: eventual
//! consistency right after a create) and `busy` (another operation holds the resource).
//! `GET /_vpcpeer/faults` lists what is armed, with the counts left; `DELETE /_vpcpeer/faults`
//! and `POST /_vpcpeer/reset` disarm everything. The admin token guards these routes like every
//! other `/_vpcpeer/*` route.
//!
//! A caught request is refused once its face has authenticated it and named its action (a
//! request refused before that, unauthenticated, of an unknown action or API version, or
//! unreadable, is refused as before and does not use up the fault), and **before** its
//! parameters are checked or it reaches the emulator: nothing is applied, nothing logged, no id
//! drawn. The refusals, in each face's dialect:
//! - EC2: HTTP 503, error code `RequestLimitExceeded`, message `Request limit exceeded.` (the
//!   status and code are the spec's; the message is the one AWS is commonly seen to send,
//!   [UNVERIFIED] against a published source);
//! - GCP: HTTP 429, reason `rateLimitExceeded`, message `Rate Limit Exceeded` (the reason and
//!   status are the spec's; the message is [UNVERIFIED]);
//! - ARM: HTTP 429, code `TooManyRequests`, with `Retry-After: 0` so that SDKs retry at once.
//!
//! `not_found`:
//! - EC2: HTTP 400 with the `Invalid…ID.NotFound` code of the resource the action names, and
//!   that resource's id from the request in the message (`InvalidVpcPeeringConnectionID.NotFound`,
//!   "The vpcPeeringConnection ID 'pcx-…' does not exist"; the spec's codes and texts, table in
//!   [`ec2_not_found`]). An action that names no single resource (`CreateVpc`) cannot be armed.
//! - GCP: HTTP 404, reason `notFound`, "The resource 'projects/p/global/networks/n' was not
//!   found" (the resource the path names).
//! - ARM: HTTP 404, code `ResourceNotFound`, "The Resource 'Microsoft.Network/virtualNetworks/v'
//!   under resource group 'rg' was not found." (the top-level resource the path names).
//!
//! `busy`:
//! - GCP: HTTP 400, reason `badRequest`, "There is a peering operation in progress on the local
//!   or peer network. Try again later." (the spec's observed text; "route operation" for the
//!   `compute.routes.*` permissions);
//! - ARM: HTTP 409, code `AnotherOperationInProgress`, "Another operation on this or dependent
//!   resource is in progress." (the spec does not confirm the status: 409 Conflict is
//!   [UNVERIFIED]);
//! - EC2 has no such refusal, and refuses the arming.
//!
//! Actions are named as each face already names them: the EC2 `Action` parameter; the IAM
//! permission of the Compute method (`compute.networks.addPeering`, as in the face's 403s); the
//! RBAC action of the ARM request (`Microsoft.Network/virtualNetworks/virtualNetworkPeerings/
//! write`: `read` for GET, `write` for PUT and PATCH, `delete`, `action` for POST). An EC2 action
//! the face does not serve is refused when arming; GCP and Azure names are checked for shape
//! only (a name no request has is armed but never fires).
//!
//! Faults live in memory only: they are not persisted, not in the command log, and a restart
//! disarms them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use vpcpeer_api::{ArmFault, Face, Fault, FaultKind, FaultsAnswer};

use crate::{json_error, AppState};

/// The armed faults: by face and action, the kind and the requests left to catch.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<BTreeMap<(Face, String), (FaultKind, u32)>>,
    /// Whether the map may hold anything: every request asks, and with nothing armed (the usual
    /// case) the answer costs one atomic load rather than a shared lock.
    any: AtomicBool,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<(Face, String), (FaultKind, u32)>> {
        // A panic while holding this lock cannot leave the map half-changed: take it as is.
        self.armed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Arms `fault` for the next `count` requests of `action` on `face` (replacing what was
    /// armed for that action).
    pub fn arm(&self, face: Face, action: &str, fault: FaultKind, count: u32) {
        let mut armed = self.lock();
        armed.insert((face, action.to_owned()), (fault, count));
        self.any.store(true, Ordering::Release);
    }

    /// Whether a request of `action` on `face` is caught, counting it down (a fault whose count
    /// reaches zero is disarmed).
    pub fn take(&self, face: Face, action: &str) -> Option<FaultKind> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut armed = self.lock();
        if armed.is_empty() {
            return None;
        }
        let key = (face, action.to_owned());
        let (kind, left) = armed.get_mut(&key)?;
        let kind = *kind;
        *left -= 1;
        if *left == 0 {
            armed.remove(&key);
            self.any.store(!armed.is_empty(), Ordering::Release);
        }
        Some(kind)
    }

    /// Whether anything is armed (so a face can skip naming its action when nothing is).
    pub fn any(&self) -> bool {
        self.any.load(Ordering::Acquire)
    }

    /// Disarms everything.
    pub fn clear(&self) {
        let mut armed = self.lock();
        armed.clear();
        self.any.store(false, Ordering::Release);
    }

    /// What is armed, by face then action.
    pub fn list(&self) -> FaultsAnswer {
        FaultsAnswer {
            faults: self
                .lock()
                .iter()
                .map(|((face, action), (fault, count))| Fault {
                    action: action.clone(),
                    count: *count,
                    face: *face,
                    fault: *fault,
                })
                .collect(),
        }
    }
}

/// Why an arming request is refused, or `None`.
fn check(req: &ArmFault) -> Option<String> {
    if req.count == 0 {
        return Some("count must be 1 or more".to_owned());
    }
    let a = req.action.as_str();
    let named = match req.face {
        Face::Aws if vpcpeer_wire_aws::handler(a).is_none() => Some(format!(
            "the EC2 face serves no action '{a}' (give the Action parameter's value, e.g. CreateVpcPeeringConnection)"
        )),
        Face::Gcp if !a.starts_with("compute.") || a.split('.').count() != 3 => Some(format!(
            "'{a}' is not a Compute Engine permission name (e.g. compute.networks.addPeering)"
        )),
        Face::Azure
            if !(a.starts_with("Microsoft.")
                && ["/read", "/write", "/delete", "/action"]
                    .iter()
                    .any(|v| a.ends_with(v))) =>
        {
            Some(format!(
                "'{a}' is not an Azure RBAC action (e.g. Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write)"
            ))
        }
        _ => None,
    };
    // The action first (a misspelt one is named as such), then whether its face has the kind.
    named.or_else(|| match (req.face, req.fault) {
        (Face::Aws, FaultKind::Busy) => Some(
            "EC2 has no operation-in-progress refusal: arm 'throttle' or 'not_found'".to_owned(),
        ),
        (Face::Aws, FaultKind::NotFound) if ec2_not_found(a).is_none() => Some(format!(
            "'{a}' names no single resource that could be not found yet (arm 'not_found' on an \
             action that takes a resource id, e.g. AcceptVpcPeeringConnection)"
        )),
        _ => None,
    })
}

/// `POST /_vpcpeer/faults`.
pub(crate) async fn arm(State(st): State<Arc<AppState>>, body: Bytes) -> Response {
    let req: ArmFault = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "expected {{\"face\": \"aws\"|\"gcp\"|\"azure\", \"action\": NAME, \"count\": N, \"fault\": \"throttle\"|\"not_found\"|\"busy\"}}: {e}"
                ),
            )
        }
    };
    if let Some(msg) = check(&req) {
        return json_error(StatusCode::BAD_REQUEST, &msg);
    }
    st.faults.arm(req.face, &req.action, req.fault, req.count);
    Json(st.faults.list()).into_response()
}

/// `GET /_vpcpeer/faults`.
pub(crate) async fn list(State(st): State<Arc<AppState>>) -> Response {
    Json(st.faults.list()).into_response()
}

/// `DELETE /_vpcpeer/faults`.
pub(crate) async fn disarm(State(st): State<Arc<AppState>>) -> Response {
    st.faults.clear();
    Json(st.faults.list()).into_response()
}

/// What a `not_found` fault answers to an EC2 action: the error code, the parameter that
/// names the resource (its first member, `.1`, for a list), and the message around the id. The
/// codes and texts are the spec's (`aws-ec2.md`, "Not found"); `None` for an action that names
/// no single resource.
pub(crate) fn ec2_not_found(
    action: &str,
) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    const PCX: (&str, &str, &str, &str) = (
        "InvalidVpcPeeringConnectionID.NotFound",
        "VpcPeeringConnectionId",
        "The vpcPeeringConnection ID '",
        "' does not exist",
    );
    const TABLE: (&str, &str, &str, &str) = (
        "InvalidRouteTableID.NotFound",
        "RouteTableId",
        "The routeTable ID '",
        "' does not exist",
    );
    const GROUP: (&str, &str, &str, &str) = (
        "InvalidGroup.NotFound",
        "GroupId",
        "The security group '",
        "' does not exist",
    );
    const VPC: (&str, &str, &str, &str) = (
        "InvalidVpcID.NotFound",
        "VpcId",
        "The vpc ID '",
        "' does not exist",
    );
    const SUBNET: (&str, &str, &str, &str) = (
        "InvalidSubnetID.NotFound",
        "SubnetId",
        "The subnet ID '",
        "' does not exist",
    );
    const INSTANCE: (&str, &str, &str, &str) = (
        "InvalidInstanceID.NotFound",
        "InstanceId",
        "The instance ID '",
        "' does not exist",
    );
    const ID: (&str, &str, &str, &str) = ("InvalidID", "ResourceId", "The ID '", "' is not valid");
    Some(match action {
        a if a.contains("VpcPeeringConnection") && a != "CreateVpcPeeringConnection" => PCX,
        "CreateRoute"
        | "ReplaceRoute"
        | "DeleteRoute"
        | "DeleteRouteTable"
        | "AssociateRouteTable"
        | "DescribeRouteTables" => TABLE,
        a if a.contains("SecurityGroup") && a != "CreateSecurityGroup" => GROUP,
        "CreateSecurityGroup"
        | "CreateSubnet"
        | "CreateRouteTable"
        | "ModifyVpcAttribute"
        | "DescribeVpcAttribute"
        | "DeleteVpc"
        | "AssociateVpcCidrBlock"
        | "DescribeVpcs" => VPC,
        "DeleteSubnet" | "DescribeSubnets" | "ModifySubnetAttribute" => SUBNET,
        "DescribeInstances" | "TerminateInstances" | "StartInstances" | "StopInstances" => INSTANCE,
        "CreateTags" | "DeleteTags" => ID,
        _ => return None,
    })
}

/// The EC2 refusal of a caught request (`param` reads the request's parameters).
pub(crate) fn ec2_error<'p>(
    kind: FaultKind,
    action: &str,
    param: impl Fn(&str) -> Option<&'p str>,
) -> vpcpeer_wire_aws::Ec2Error {
    match kind {
        FaultKind::Throttle => {
            let mut e =
                vpcpeer_wire_aws::Ec2Error::new("RequestLimitExceeded", "Request limit exceeded.");
            e.status = 503;
            e
        }
        // Busy is refused when arming; should one be caught all the same, it reads as the
        // resource not being visible, the nearest EC2 refusal.
        FaultKind::NotFound | FaultKind::Busy => {
            let (code, name, before, after) = ec2_not_found(action).unwrap_or((
                "InvalidParameterValue",
                "",
                "The resource '",
                "' does not exist",
            ));
            let id = param(name)
                .or_else(|| param(&format!("{name}.1")))
                .unwrap_or_default();
            vpcpeer_wire_aws::Ec2Error::new(code, format!("{before}{id}{after}"))
        }
    }
}

/// The resource a Compute path names: `projects/p/global/networks/n` of
/// `/compute/v1/projects/p/global/networks/n/addPeering` (the path as given when it has no
/// such shape).
fn gcp_resource(path: &str) -> &str {
    let rel = path.trim_start_matches('/');
    let rel = rel.strip_prefix("compute/v1/").unwrap_or(rel);
    let parts: Vec<&str> = rel.split('/').collect();
    let keep = match parts.get(2) {
        Some(&"global") => 5,
        Some(&"regions") | Some(&"zones") => 6,
        _ => parts.len(),
    };
    let end: usize = parts
        .iter()
        .take(keep.min(parts.len()))
        .map(|p| p.len() + 1)
        .sum();
    &rel[..end.saturating_sub(1)]
}

/// The GCP refusal of a caught request to `path`, whose IAM permission is `permission`.
pub(crate) fn gcp_error(
    kind: FaultKind,
    permission: &str,
    path: &str,
) -> vpcpeer_wire_gcp::WireError {
    match kind {
        FaultKind::Throttle => vpcpeer_wire_gcp::WireError {
            status: 429,
            reason: "rateLimitExceeded",
            message: "Rate Limit Exceeded".to_owned(),
        },
        FaultKind::NotFound => vpcpeer_wire_gcp::WireError {
            status: 404,
            reason: "notFound",
            message: format!("The resource '{}' was not found", gcp_resource(path)),
        },
        FaultKind::Busy => {
            let what = if permission.starts_with("compute.routes.") {
                "route"
            } else {
                "peering"
            };
            vpcpeer_wire_gcp::WireError {
                status: 400,
                reason: "badRequest",
                message: format!(
                    "There is a {what} operation in progress on the local or peer network. Try again later."
                ),
            }
        }
    }
}

/// The top-level resource an ARM path names, as ARM's `ResourceNotFound` says it
/// (`Microsoft.Network/virtualNetworks/v`), and its resource group.
fn arm_resource(path: &str) -> (String, String) {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let at = |key: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(key))
            .and_then(|i| parts.get(i + 1))
            .copied()
            .unwrap_or_default()
    };
    let group = at("resourceGroups").to_owned();
    let resource = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("providers"))
        .map(|i| {
            parts[i + 1..]
                .iter()
                .take(3)
                .copied()
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_else(|| at("resourceGroups").to_owned());
    (resource, group)
}

/// The ARM refusal of a caught request to `path`.
pub(crate) fn azure_reply(kind: FaultKind, path: &str) -> vpcpeer_wire_azure::Reply {
    match kind {
        FaultKind::Throttle => {
            let e = vpcpeer_wire_azure::ArmError::new(
                429,
                "TooManyRequests",
                "The request is being throttled. Retry after the number of seconds in the Retry-After header.",
            );
            let mut reply = vpcpeer_wire_azure::error_reply(&e);
            reply
                .headers
                .push(("Retry-After".to_owned(), "0".to_owned()));
            reply
        }
        FaultKind::NotFound => {
            let (resource, group) = arm_resource(path);
            let e = vpcpeer_wire_azure::ArmError::new(
                404,
                "ResourceNotFound",
                format!(
                    "The Resource '{resource}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                ),
            );
            vpcpeer_wire_azure::error_reply(&e)
        }
        FaultKind::Busy => {
            let e = vpcpeer_wire_azure::ArmError::new(
                409,
                "AnotherOperationInProgress",
                "Another operation on this or dependent resource is in progress.",
            );
            vpcpeer_wire_azure::error_reply(&e)
        }
    }
}
