//! The ARM paths this face serves, parsed into a [`Route`]. Fixed segments (`resourceGroups`,
//! `providers`, `Microsoft.Network`, resource types) match case-insensitively, as in ARM.

use vpcpeer_model::azure::ops::VmPowerAction;

/// A resource kind, with the parent name for child resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `Microsoft.Resources/resourceGroups`.
    ResourceGroup,
    /// `Microsoft.Network/virtualNetworks`.
    Vnet,
    /// `virtualNetworks/{vnet}/subnets`.
    Subnet(String),
    /// `virtualNetworks/{vnet}/virtualNetworkPeerings`.
    Peering(String),
    /// `Microsoft.Network/networkSecurityGroups`.
    Nsg,
    /// `networkSecurityGroups/{nsg}/securityRules`.
    SecurityRule(String),
    /// `Microsoft.Network/routeTables`.
    RouteTable,
    /// `routeTables/{table}/routes`.
    Route(String),
    /// `Microsoft.Network/networkInterfaces`.
    Nic,
    /// `Microsoft.Network/virtualNetworkGateways`.
    Gateway,
    /// `Microsoft.Compute/virtualMachines`.
    Vm,
    /// `Microsoft.Network/publicIPAddresses`.
    PublicIp,
}

/// What a request path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// One resource.
    Item {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// Kind.
        kind: Kind,
        /// Name.
        name: String,
    },
    /// A collection: of a resource group, or of the whole subscription when `rg` is `None`.
    List {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: Option<String>,
        /// Kind.
        kind: Kind,
    },
    /// `POST …/networkInterfaces/{nic}/effectiveRouteTable`.
    EffectiveRoutes {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// NIC name.
        nic: String,
    },
    /// `POST …/networkInterfaces/{nic}/effectiveNetworkSecurityGroups`.
    EffectiveNsgs {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// NIC name.
        nic: String,
    },
    /// `GET …/virtualMachines/{vm}/instanceView`.
    VmInstanceView {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// VM name.
        vm: String,
    },
    /// `POST …/virtualMachines/{vm}/deallocate` (`powerOff`, `start`).
    VmAction {
        /// Subscription.
        sub: String,
        /// Resource group.
        rg: String,
        /// VM name.
        vm: String,
        /// Which operation.
        action: VmPowerAction,
    },
    /// `GET …/providers/Microsoft.Network/locations/{loc}/operations/{id}`.
    Operation {
        /// Subscription.
        sub: String,
        /// Operation id.
        id: String,
    },
    /// `GET …/providers/Microsoft.Network/locations/{loc}/operationResults/{id}`.
    OperationResult {
        /// Subscription.
        sub: String,
        /// Operation id.
        id: String,
    },
}

impl Route {
    /// The subscription the path names.
    pub fn subscription(&self) -> &str {
        match self {
            Route::Item { sub, .. }
            | Route::List { sub, .. }
            | Route::EffectiveRoutes { sub, .. }
            | Route::EffectiveNsgs { sub, .. }
            | Route::VmInstanceView { sub, .. }
            | Route::VmAction { sub, .. }
            | Route::Operation { sub, .. }
            | Route::OperationResult { sub, .. } => sub,
        }
    }
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn network_kind(t: &str) -> Option<Kind> {
    Some(match t.to_ascii_lowercase().as_str() {
        "virtualnetworks" => Kind::Vnet,
        "networksecuritygroups" => Kind::Nsg,
        "routetables" => Kind::RouteTable,
        "networkinterfaces" => Kind::Nic,
        "virtualnetworkgateways" => Kind::Gateway,
        "publicipaddresses" => Kind::PublicIp,
        _ => return None,
    })
}

/// Parses a path (percent-decoded segments). `None`: not a path this face serves.
pub fn parse(path: &str) -> Option<Route> {
    let segs: Vec<String> = path
        .trim_end_matches('/')
        .split('/')
        .skip(1)
        .map(percent_decode)
        .collect();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    if s.len() < 2 || !eq(s[0], "subscriptions") || s[1].is_empty() {
        return None;
    }
    let sub = s[1].to_owned();
    let rest = &s[2..];
    match rest {
        [rgs] if eq(rgs, "resourcegroups") => Some(Route::List {
            sub,
            rg: None,
            kind: Kind::ResourceGroup,
        }),
        [rgs, rg] if eq(rgs, "resourcegroups") && !rg.is_empty() => Some(Route::Item {
            sub,
            rg: (*rg).to_owned(),
            kind: Kind::ResourceGroup,
            name: (*rg).to_owned(),
        }),
        [p, ns, locs, _loc, ops, id]
            if eq(p, "providers") && eq(ns, "Microsoft.Network") && eq(locs, "locations") =>
        {
            if eq(ops, "operations") {
                Some(Route::Operation {
                    sub,
                    id: (*id).to_owned(),
                })
            } else if eq(ops, "operationResults") {
                Some(Route::OperationResult {
                    sub,
                    id: (*id).to_owned(),
                })
            } else {
                None
            }
        }
        [p, ns, t] if eq(p, "providers") && eq(ns, "Microsoft.Network") => Some(Route::List {
            sub,
            rg: None,
            kind: network_kind(t)?,
        }),
        [p, ns, t]
            if eq(p, "providers") && eq(ns, "Microsoft.Compute") && eq(t, "virtualMachines") =>
        {
            Some(Route::List {
                sub,
                rg: None,
                kind: Kind::Vm,
            })
        }
        [rgs, rg, p, ns, t, tail @ ..] if eq(rgs, "resourcegroups") && eq(p, "providers") => {
            let rg = (*rg).to_owned();
            let kind = if eq(ns, "Microsoft.Network") {
                network_kind(t)?
            } else if eq(ns, "Microsoft.Compute") && eq(t, "virtualMachines") {
                Kind::Vm
            } else {
                return None;
            };
            match tail {
                [] => Some(Route::List {
                    sub,
                    rg: Some(rg),
                    kind,
                }),
                [name] => Some(Route::Item {
                    sub,
                    rg,
                    kind,
                    name: (*name).to_owned(),
                }),
                [parent, child, rest @ ..] => {
                    let parent = (*parent).to_owned();
                    if kind == Kind::Nic
                        && eq(child, "effectiveNetworkSecurityGroups")
                        && rest.is_empty()
                    {
                        return Some(Route::EffectiveNsgs {
                            sub,
                            rg,
                            nic: parent,
                        });
                    }
                    if kind == Kind::Vm && rest.is_empty() {
                        let (sub, rg, vm) = (sub, rg, parent);
                        if eq(child, "instanceView") {
                            return Some(Route::VmInstanceView { sub, rg, vm });
                        }
                        let action = match child.to_ascii_lowercase().as_str() {
                            "deallocate" => VmPowerAction::Deallocate,
                            "poweroff" => VmPowerAction::PowerOff,
                            "start" => VmPowerAction::Start,
                            _ => return None,
                        };
                        return Some(Route::VmAction {
                            sub,
                            rg,
                            vm,
                            action,
                        });
                    }
                    if kind == Kind::Nic && eq(child, "effectiveRouteTable") && rest.is_empty() {
                        return Some(Route::EffectiveRoutes {
                            sub,
                            rg,
                            nic: parent,
                        });
                    }
                    let ckind = match kind {
                        Kind::Vnet if eq(child, "subnets") => Kind::Subnet(parent),
                        Kind::Vnet if eq(child, "virtualNetworkPeerings") => Kind::Peering(parent),
                        Kind::RouteTable if eq(child, "routes") => Kind::Route(parent),
                        Kind::Nsg if eq(child, "securityRules") => Kind::SecurityRule(parent),
                        _ => return None,
                    };
                    match rest {
                        [] => Some(Route::List {
                            sub,
                            rg: Some(rg),
                            kind: ckind,
                        }),
                        [name] => Some(Route::Item {
                            sub,
                            rg,
                            kind: ckind,
                            name: (*name).to_owned(),
                        }),
                        _ => None,
                    }
                }
            }
        }
        _ => None,
    }
}

/// Decodes `%XX` escapes (invalid escapes are kept as written).
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of query parameter `name` (decoded), if present.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (percent_decode(k) == name).then(|| percent_decode(&v.replace('+', " ")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_served_paths() {
        let r = parse("/subscriptions/S/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/virtualNetworkPeerings/p");
        assert_eq!(
            r,
            Some(Route::Item {
                sub: "S".into(),
                rg: "rg".into(),
                kind: Kind::Peering("v".into()),
                name: "p".into()
            })
        );
        let r = parse("/subscriptions/S/resourcegroups/rg/providers/microsoft.network/NETWORKINTERFACES/n/effectiveRouteTable");
        assert_eq!(
            r,
            Some(Route::EffectiveRoutes {
                sub: "S".into(),
                rg: "rg".into(),
                nic: "n".into()
            })
        );
        assert_eq!(
            parse("/subscriptions/S/providers/Microsoft.Network/locations/eastus/operations/abc"),
            Some(Route::Operation {
                sub: "S".into(),
                id: "abc".into()
            })
        );
        assert_eq!(
            parse("/subscriptions/S/resourcegroups"),
            Some(Route::List {
                sub: "S".into(),
                rg: None,
                kind: Kind::ResourceGroup
            })
        );
        assert_eq!(
            parse(
                "/subscriptions/S/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x"
            ),
            None
        );
        assert_eq!(parse("/subscriptions/S/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/bogus"), None);
        assert_eq!(parse("/"), None);
        assert_eq!(
            parse("/subscriptions/S/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/powerOff"),
            Some(Route::VmAction {
                sub: "S".into(),
                rg: "rg".into(),
                vm: "vm".into(),
                action: VmPowerAction::PowerOff
            })
        );
        assert_eq!(
            parse("/subscriptions/S/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/instanceView"),
            Some(Route::VmInstanceView {
                sub: "S".into(),
                rg: "rg".into(),
                vm: "vm".into()
            })
        );
        assert_eq!(
            parse("/subscriptions/S/providers/Microsoft.Network/publicIPAddresses"),
            Some(Route::List {
                sub: "S".into(),
                rg: None,
                kind: Kind::PublicIp
            })
        );
        assert_eq!(parse("/subscriptions/S/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/restart"), None);
    }

    #[test]
    fn decodes_query_and_escapes() {
        assert_eq!(
            query_param("a=1&api-version=2024-05-01", "api-version").as_deref(),
            Some("2024-05-01")
        );
        assert_eq!(query_param("a=1", "api-version"), None);
        assert_eq!(percent_decode("rg%20x"), "rg x");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
