//! Azure Resource Manager's answers to a caller without valid credentials, and the RBAC action
//! each request needs, for the server's optional bearer-token check
//! (`serve --verify-signatures`). The wording is ARM's:
//!
//! - no `Authorization` header: 401 `AuthenticationFailed`, "Authentication failed. The
//!   'Authorization' header is missing.";
//! - a header that is not `Bearer <token>`: 401 `AuthenticationFailed`, "Authentication failed.
//!   The 'Authorization' header is provided in an invalid format.";
//! - a token the server does not know: 401 `InvalidAuthenticationToken`, "The access token is
//!   invalid.";
//! - a known token that does not grant the subscription in the path: 403 `AuthorizationFailed`,
//!   "The client '…' with object id '…' does not have authorization to perform action
//!   'Microsoft.Network/virtualNetworks/read' over scope '/subscriptions/…' or the scope is
//!   invalid. If access was recently granted, please refresh your credentials."
//!
//! The 401s carry `WWW-Authenticate: Bearer authorization_uri="https://login.microsoftonline.com/common",
//! error="invalid_token", error_description="…"` [UNVERIFIED: ARM's exact challenge; without
//! `claims` in it, azure-core's challenge policy returns the 401 to the caller unchanged].

use serde_json::json;

use crate::route::{Kind, Route};
use crate::Reply;

fn reply(status: u16, code: &str, message: &str, challenge: bool) -> Reply {
    let mut headers = Vec::new();
    if challenge {
        headers.push((
            "WWW-Authenticate".to_owned(),
            format!("Bearer authorization_uri=\"https://login.microsoftonline.com/common\", error=\"invalid_token\", error_description=\"{message}\""),
        ));
    }
    Reply {
        status,
        headers,
        body: Some(json!({"error": {"code": code, "message": message}})),
    }
}

/// 401: the request has no `Authorization` header.
pub fn missing_header() -> Reply {
    reply(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
        true,
    )
}

/// 401: the `Authorization` header is not `Bearer <token>`.
pub fn invalid_format() -> Reply {
    reply(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is provided in an invalid format.",
        true,
    )
}

/// 401: the bearer token is not one the server knows.
pub fn invalid_token() -> Reply {
    reply(
        401,
        "InvalidAuthenticationToken",
        "The access token is invalid.",
        true,
    )
}

/// 403: `client` (the token's name) may not act on the subscription of `route`. `path` is the
/// request path, which ARM reports as the scope.
pub fn authorization_failed(client: &str, method: &str, route: &Route, path: &str) -> Reply {
    let message = format!(
        "The client '{client}' with object id '{client}' does not have authorization to perform action '{}' over scope '{path}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
        action(method, route)
    );
    reply(403, "AuthorizationFailed", &message, false)
}

/// The RBAC action of a request (`Microsoft.Network/virtualNetworks/read`, …).
pub fn action(method: &str, route: &Route) -> String {
    let verb = match method {
        "GET" | "HEAD" => "read",
        "DELETE" => "delete",
        "POST" => "action",
        _ => "write",
    };
    let kind_type = |k: &Kind| match k {
        Kind::ResourceGroup => "Microsoft.Resources/subscriptions/resourceGroups",
        Kind::Vnet => "Microsoft.Network/virtualNetworks",
        Kind::Subnet(_) => "Microsoft.Network/virtualNetworks/subnets",
        Kind::Peering(_) => "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        Kind::Nsg => "Microsoft.Network/networkSecurityGroups",
        Kind::SecurityRule(_) => "Microsoft.Network/networkSecurityGroups/securityRules",
        Kind::RouteTable => "Microsoft.Network/routeTables",
        Kind::Route(_) => "Microsoft.Network/routeTables/routes",
        Kind::Nic => "Microsoft.Network/networkInterfaces",
        Kind::Gateway => "Microsoft.Network/virtualNetworkGateways",
        Kind::Vm => "Microsoft.Compute/virtualMachines",
        Kind::PublicIp => "Microsoft.Network/publicIPAddresses",
    };
    match route {
        Route::Item { kind, .. } | Route::List { kind, .. } => {
            format!("{}/{verb}", kind_type(kind))
        }
        Route::EffectiveRoutes { .. } => {
            "Microsoft.Network/networkInterfaces/effectiveRouteTable/action".to_owned()
        }
        Route::EffectiveNsgs { .. } => {
            "Microsoft.Network/networkInterfaces/effectiveNetworkSecurityGroups/action".to_owned()
        }
        Route::VmInstanceView { .. } => {
            "Microsoft.Compute/virtualMachines/instanceView/read".to_owned()
        }
        Route::VmAction { action, .. } => format!(
            "Microsoft.Compute/virtualMachines/{}/action",
            crate::error::power_action(*action)
        ),
        Route::Operation { .. } => "Microsoft.Network/locations/operations/read".to_owned(),
        Route::OperationResult { .. } => {
            "Microsoft.Network/locations/operationResults/read".to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route::parse;

    #[test]
    fn actions_table() {
        let s = "/subscriptions/11111111-1111-1111-1111-111111111111";
        for (method, path, want) in [
            ("GET", format!("{s}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"), "Microsoft.Network/virtualNetworks/read"),
            ("PUT", format!("{s}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/virtualNetworkPeerings/p"), "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write"),
            ("DELETE", format!("{s}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n"), "Microsoft.Network/networkSecurityGroups/delete"),
            ("PUT", format!("{s}/resourcegroups/rg"), "Microsoft.Resources/subscriptions/resourceGroups/write"),
            ("POST", format!("{s}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n/effectiveRouteTable"), "Microsoft.Network/networkInterfaces/effectiveRouteTable/action"),
            ("GET", format!("{s}/providers/Microsoft.Network/virtualNetworks"), "Microsoft.Network/virtualNetworks/read"),
            ("PUT", format!("{s}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/p"), "Microsoft.Network/publicIPAddresses/write"),
            ("POST", format!("{s}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/deallocate"), "Microsoft.Compute/virtualMachines/deallocate/action"),
            ("GET", format!("{s}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/instanceView"), "Microsoft.Compute/virtualMachines/instanceView/read"),
        ] {
            let route = parse(&path).expect(&path);
            assert_eq!(action(method, &route), want, "{method} {path}");
        }
    }

    #[test]
    fn replies_have_arms_shape() {
        let r = missing_header();
        assert_eq!(r.status, 401);
        let body = r.body.expect("body");
        assert_eq!(body["error"]["code"], "AuthenticationFailed");
        assert!(r.headers.iter().any(|(k, _)| k == "WWW-Authenticate"));
        assert_eq!(
            invalid_token().body.expect("body")["error"]["code"],
            "InvalidAuthenticationToken"
        );
        let route = parse("/subscriptions/s/resourceGroups/rg").expect("route");
        let r = authorization_failed("ci", "GET", &route, "/subscriptions/s/resourceGroups/rg");
        assert_eq!(r.status, 403);
        assert_eq!(
            r.body.expect("body")["error"]["message"],
            "The client 'ci' with object id 'ci' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourceGroups/read' over scope '/subscriptions/s/resourceGroups/rg' or the scope is invalid. If access was recently granted, please refresh your credentials."
        );
    }
}
