//! Route tables and their user-defined routes.

use super::*;

/// A route as a request describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RouteSpec {
    /// Name.
    pub name: String,
    /// `addressPrefix`.
    pub prefix: AddressPrefix,
    /// `nextHopType`.
    pub next_hop: AzNextHop,
    /// `nextHopIpAddress`.
    pub next_hop_ip: Option<IpAddress>,
}

/// A route table PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutRouteTable {
    /// `location`.
    pub location: Option<String>,
    /// `routes`.
    pub routes: Vec<RouteSpec>,
    /// `disableBgpRoutePropagation`.
    pub disable_bgp_route_propagation: bool,
    /// Tags.
    pub tags: AzTags,
}

fn build_route(spec: &RouteSpec) -> Result<AzRoute, AzureError> {
    check_name(&spec.name)?;
    let prefix = prefix_of(&spec.prefix)?;
    let ip = match (&spec.next_hop, &spec.next_hop_ip) {
        (AzNextHop::VirtualAppliance, Some(ip)) => {
            Some(*ip.value().ok_or_else(|| AzureError::InvalidNextHopIp {
                route: spec.name.clone(),
                ip: ip.text().to_owned(),
            })?)
        }
        (AzNextHop::VirtualAppliance, None) => {
            return Err(AzureError::NextHopIpRequired {
                route: spec.name.clone(),
            })
        }
        (_, Some(_)) => {
            return Err(AzureError::NextHopIpNotAllowed {
                route: spec.name.clone(),
            })
        }
        (_, None) => None,
    };
    if matches!(
        spec.next_hop,
        AzNextHop::VnetPeering | AzNextHop::VnetGlobalPeering
    ) {
        return Err(AzureError::SystemNextHop {
            route: spec.name.clone(),
        });
    }
    Ok(AzRoute {
        name: spec.name.clone(),
        prefix,
        next_hop: spec.next_hop,
        next_hop_ip: ip,
    })
}

/// Creates or updates a route table.
pub fn put_route_table(
    tx: &mut Tx<'_, '_>,
    t: &Target,
    req: PutRouteTable,
) -> Result<(AzRouteTable, bool), AzureError> {
    let (location, display_id, id, existing) =
        put_start::<AzRouteTable>(tx, t, t.network_id("routeTables"), req.location.as_deref())?;
    limits::check_count(req.routes.len(), limits::MAX_ROUTES, Limit::Routes)?;
    let routes = req
        .routes
        .iter()
        .map(build_route)
        .collect::<Result<Vec<_>, _>>()?;
    let mut by_name: HashMap<String, &AzRoute> = HashMap::new();
    let mut by_prefix: HashMap<Ipv4Net, &AzRoute> = HashMap::new();
    for b in &routes {
        let earlier = by_name
            .insert(b.name.to_ascii_lowercase(), b)
            .or(by_prefix.insert(b.prefix, b));
        if let Some(a) = earlier {
            return Err(AzureError::RoutesConflict {
                a: a.name.clone(),
                b: b.name.clone(),
                table: t.name.clone(),
            });
        }
    }
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let rt = AzRouteTable {
        id,
        display_id,
        name,
        place: t.place(&location),
        routes,
        disable_bgp_route_propagation: req.disable_bgp_route_propagation,
        tags: req.tags,
    };
    Ok(saved(tx, rt, &existing))
}

/// The route table a route request names.
fn table_of(tx: &Tx<'_, '_>, table: &Target) -> Result<AzRouteTable, AzureError> {
    required(tx, table, "routeTables", Tagged::RouteTable)
}

/// Creates or updates one route of a route table; returns the table and whether it was created.
pub fn put_route(
    tx: &mut Tx<'_, '_>,
    table: &Target,
    spec: RouteSpec,
) -> Result<(AzRouteTable, bool), AzureError> {
    let mut rt = table_of(tx, table)?;
    let route = build_route(&spec)?;
    let created = upsert_named(&mut rt.routes, route, |r| &mut r.name);
    limits::check_count(rt.routes.len(), limits::MAX_ROUTES, Limit::Routes)?;
    let mut prefixes = BTreeSet::new();
    if rt.routes.iter().any(|r| !prefixes.insert(r.prefix)) {
        return Err(AzureError::RoutePrefixTaken {
            table: rt.name.clone(),
            prefix: spec.prefix.into(),
        });
    }
    tx.put(rt.clone());
    Ok((rt, created))
}

/// Deletes one route; returns whether it existed.
pub fn delete_route(tx: &mut Tx<'_, '_>, table: &Target, name: &str) -> Result<bool, AzureError> {
    let mut rt = table_of(tx, table)?;
    let removed = remove_named(&mut rt.routes, name, |r| &r.name);
    Ok(child_removed(tx, rt, removed))
}

/// Deletes a route table; refused while a subnet uses it.
pub fn delete_route_table(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    delete_unused::<AzRouteTable>(tx, t, "routeTables", |w, id, _| {
        let subnet = referencing_subnet(w, id, false)?;
        Some(AzureError::RouteTableInUse {
            table: t.network_id("routeTables"),
            subnet,
        })
    })
}
