//! Google's answers to a caller without valid credentials, and the IAM permission each method
//! needs, for the server's optional bearer-token check (`serve --verify-signatures`).
//!
//! - No `Authorization: Bearer` header: 401 `UNAUTHENTICATED`, "Request is missing required
//!   authentication credential. …", `errors[0]` reason `required`, message "Login Required.".
//! - A token the server does not know: 401 `UNAUTHENTICATED`, "Request had invalid
//!   authentication credentials. …", reason `authError`, message "Invalid Credentials".
//! - A known token that does not grant the project in the path: 403, "Google Compute Engine:
//!   Required 'compute.networks.get' permission for 'projects/P/global/networks/N'.", reason
//!   `forbidden`, as Compute Engine words it, with `status: PERMISSION_DENIED`. [UNVERIFIED:
//!   whether Compute's 403 body carries `status`; clients read `code` and `message`.]
//!
//! Both 401s come with `WWW-Authenticate: Bearer realm="https://accounts.google.com/"` (plus
//! `error="invalid_token"` for a bad token), as Google's front end sends.

use serde_json::{json, Value};
use vpcpeer_model::gcp::OpScope;

use crate::{Call, Route};

/// The `WWW-Authenticate` value of a 401.
pub fn www_authenticate(missing: bool) -> &'static str {
    if missing {
        "Bearer realm=\"https://accounts.google.com/\""
    } else {
        "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""
    }
}

/// The 401 body: no credential at all (`missing`), or one the server does not know.
pub fn unauthenticated(missing: bool) -> Value {
    let (message, detail, reason) = if missing {
        ("Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.", "Login Required.", "required")
    } else {
        ("Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.", "Invalid Credentials", "authError")
    };
    json!({
        "error": {
            "code": 401,
            "message": message,
            "errors": [{
                "message": detail,
                "domain": "global",
                "reason": reason,
                "location": "Authorization",
                "locationType": "header",
            }],
            "status": "UNAUTHENTICATED",
        }
    })
}

/// The 403 body for a token that does not grant `call`'s project.
pub fn forbidden(call: &Call) -> Value {
    let message = format!(
        "Google Compute Engine: Required '{}' permission for '{}'.",
        permission(&call.route),
        resource(call)
    );
    json!({
        "error": {
            "code": 403,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": "forbidden"}],
            "status": "PERMISSION_DENIED",
        }
    })
}

/// The IAM permission a method needs (Compute Engine's names).
pub fn permission(route: &Route) -> &'static str {
    use Route::*;
    let ops = |s: &OpScope, verb: usize| -> &'static str {
        const G: [&str; 3] = [
            "compute.globalOperations.list",
            "compute.globalOperations.get",
            "compute.globalOperations.delete",
        ];
        const R: [&str; 3] = [
            "compute.regionOperations.list",
            "compute.regionOperations.get",
            "compute.regionOperations.delete",
        ];
        const Z: [&str; 3] = [
            "compute.zoneOperations.list",
            "compute.zoneOperations.get",
            "compute.zoneOperations.delete",
        ];
        match s {
            OpScope::Global => G[verb],
            OpScope::Region(_) => R[verb],
            OpScope::Zone(_) => Z[verb],
        }
    };
    match route {
        NetworkList => "compute.networks.list",
        NetworkInsert => "compute.networks.create",
        NetworkGet(_) => "compute.networks.get",
        NetworkDelete(_) => "compute.networks.delete",
        NetworkPatch(_) => "compute.networks.update",
        AddPeering(_) => "compute.networks.addPeering",
        RemovePeering(_) => "compute.networks.removePeering",
        UpdatePeering(_) => "compute.networks.updatePeering",
        ListPeeringRoutes(_) => "compute.networks.listPeeringRoutes",
        SubnetList(_) | SubnetAggregated => "compute.subnetworks.list",
        SubnetInsert(_) => "compute.subnetworks.create",
        SubnetGet(..) => "compute.subnetworks.get",
        SubnetDelete(..) => "compute.subnetworks.delete",
        SubnetExpand(..) => "compute.subnetworks.expandIpCidrRange",
        RouteList => "compute.routes.list",
        RouteInsert => "compute.routes.create",
        RouteGet(_) => "compute.routes.get",
        RouteDelete(_) => "compute.routes.delete",
        FirewallList => "compute.firewalls.list",
        FirewallInsert => "compute.firewalls.create",
        FirewallGet(_) => "compute.firewalls.get",
        FirewallDelete(_) => "compute.firewalls.delete",
        FirewallPatch(_) | FirewallUpdate(_) => "compute.firewalls.update",
        InstanceList(_) | InstanceAggregated => "compute.instances.list",
        InstanceInsert(_) => "compute.instances.create",
        InstanceGet(..) => "compute.instances.get",
        InstanceDelete(..) => "compute.instances.delete",
        InstanceStop(..) => "compute.instances.stop",
        InstanceStart(..) => "compute.instances.start",
        InstanceSetMetadata(..) => "compute.instances.setMetadata",
        AddressList(_) => "compute.addresses.list",
        AddressInsert(_) => "compute.addresses.create",
        AddressGet(..) => "compute.addresses.get",
        AddressDelete(..) => "compute.addresses.delete",
        OperationList(s) => ops(s, 0),
        OperationGet(s, _) | OperationWait(s, _) => ops(s, 1),
        OperationDelete(s, _) => ops(s, 2),
    }
}

/// The resource a permission is checked on: the collection's parent for a list, the new
/// resource for an insert (named by the body's `name`), else the resource in the path.
pub fn resource(call: &Call) -> String {
    use Route::*;
    let p = format!("projects/{}", call.project);
    let named = |collection: String| match call.body.get("name").and_then(Value::as_str) {
        Some(n) => format!("{collection}/{n}"),
        None => p.clone(),
    };
    let op_base = |s: &OpScope| match s {
        OpScope::Global => format!("{p}/global/operations"),
        OpScope::Region(r) => format!("{p}/regions/{r}/operations"),
        OpScope::Zone(z) => format!("{p}/zones/{z}/operations"),
    };
    match &call.route {
        NetworkList | RouteList | FirewallList | InstanceAggregated | SubnetAggregated => p.clone(),
        NetworkInsert => named(format!("{p}/global/networks")),
        RouteInsert => named(format!("{p}/global/routes")),
        FirewallInsert => named(format!("{p}/global/firewalls")),
        NetworkGet(n) | NetworkDelete(n) | NetworkPatch(n) | AddPeering(n) | RemovePeering(n)
        | UpdatePeering(n) | ListPeeringRoutes(n) => format!("{p}/global/networks/{n}"),
        RouteGet(n) | RouteDelete(n) => format!("{p}/global/routes/{n}"),
        FirewallGet(n) | FirewallDelete(n) | FirewallPatch(n) | FirewallUpdate(n) => {
            format!("{p}/global/firewalls/{n}")
        }
        SubnetList(r) => format!("{p}/regions/{r}"),
        SubnetInsert(r) => named(format!("{p}/regions/{r}/subnetworks")),
        SubnetGet(r, n) | SubnetDelete(r, n) | SubnetExpand(r, n) => {
            format!("{p}/regions/{r}/subnetworks/{n}")
        }
        InstanceList(z) => format!("{p}/zones/{z}"),
        InstanceInsert(z) => named(format!("{p}/zones/{z}/instances")),
        InstanceGet(z, n)
        | InstanceDelete(z, n)
        | InstanceStop(z, n)
        | InstanceStart(z, n)
        | InstanceSetMetadata(z, n) => format!("{p}/zones/{z}/instances/{n}"),
        AddressList(r) => format!("{p}/regions/{r}"),
        AddressInsert(r) => named(format!("{p}/regions/{r}/addresses")),
        AddressGet(r, n) | AddressDelete(r, n) => format!("{p}/regions/{r}/addresses/{n}"),
        OperationList(s) => match s {
            OpScope::Global => p.clone(),
            OpScope::Region(r) => format!("{p}/regions/{r}"),
            OpScope::Zone(z) => format!("{p}/zones/{z}"),
        },
        OperationGet(s, n) | OperationWait(s, n) | OperationDelete(s, n) => {
            format!("{}/{n}", op_base(s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse;

    #[test]
    fn permissions_and_resources_table() {
        for (method, path, body, perm, res) in [
            (
                "GET",
                "projects/p/global/networks",
                "",
                "compute.networks.list",
                "projects/p",
            ),
            (
                "POST",
                "projects/p/global/networks",
                "{\"name\":\"n1\"}",
                "compute.networks.create",
                "projects/p/global/networks/n1",
            ),
            (
                "GET",
                "projects/p/global/networks/n1",
                "",
                "compute.networks.get",
                "projects/p/global/networks/n1",
            ),
            (
                "POST",
                "projects/p/global/networks/n1/addPeering",
                "{}",
                "compute.networks.addPeering",
                "projects/p/global/networks/n1",
            ),
            (
                "GET",
                "projects/p/regions/us-central1/subnetworks/s",
                "",
                "compute.subnetworks.get",
                "projects/p/regions/us-central1/subnetworks/s",
            ),
            (
                "GET",
                "projects/p/zones/us-central1-a/instances",
                "",
                "compute.instances.list",
                "projects/p/zones/us-central1-a",
            ),
            (
                "POST",
                "projects/p/zones/us-central1-a/instances/gw/stop",
                "",
                "compute.instances.stop",
                "projects/p/zones/us-central1-a/instances/gw",
            ),
            (
                "POST",
                "projects/p/zones/us-central1-a/instances/gw/setMetadata",
                "{}",
                "compute.instances.setMetadata",
                "projects/p/zones/us-central1-a/instances/gw",
            ),
            (
                "POST",
                "projects/p/regions/us-central1/addresses",
                "{\"name\":\"gw-ip\"}",
                "compute.addresses.create",
                "projects/p/regions/us-central1/addresses/gw-ip",
            ),
            (
                "DELETE",
                "projects/p/regions/us-central1/addresses/gw-ip",
                "",
                "compute.addresses.delete",
                "projects/p/regions/us-central1/addresses/gw-ip",
            ),
            (
                "GET",
                "projects/p/global/operations/op-1",
                "",
                "compute.globalOperations.get",
                "projects/p/global/operations/op-1",
            ),
            (
                "POST",
                "projects/p/zones/us-central1-a/operations/op-2/wait",
                "",
                "compute.zoneOperations.get",
                "projects/p/zones/us-central1-a/operations/op-2",
            ),
        ] {
            let call = parse(method, path, "", body.as_bytes()).expect(path);
            assert_eq!(permission(&call.route), perm, "{path}");
            assert_eq!(resource(&call), res, "{path}");
        }
    }

    #[test]
    fn bodies_have_googles_shape() {
        let v = unauthenticated(false);
        assert_eq!(v["error"]["code"], 401);
        assert_eq!(v["error"]["status"], "UNAUTHENTICATED");
        assert_eq!(v["error"]["errors"][0]["reason"], "authError");
        assert_eq!(
            unauthenticated(true)["error"]["errors"][0]["reason"],
            "required"
        );
        let call = parse("GET", "projects/p/global/networks", "", b"").expect("parse");
        let v = forbidden(&call);
        assert_eq!(v["error"]["code"], 403);
        assert_eq!(
            v["error"]["message"],
            "Google Compute Engine: Required 'compute.networks.list' permission for 'projects/p'."
        );
        assert_eq!(v["error"]["errors"][0]["reason"], "forbidden");
    }
}
