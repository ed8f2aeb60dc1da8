//! The GCP face's two halves of a request: [`command`] parses a change (path, query and JSON
//! body) into a [`Command`] without looking at the world, and [`render_outcome`] renders what
//! it handed back; [`read`] answers gets and lists from the world.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use vpcpeer_model::gcp::{
    self, address_path, firewall_path, instance_path, network_path, route_path, subnetwork_path,
    AddPeering, Command, Direction, FirewallPatch, FirewallSpec, GcpAddress, GcpError, GcpFirewall,
    GcpInstance, GcpNetwork, GcpNextHop, GcpOperation, GcpRoute, GcpSubnetwork, NetworkPatch,
    NetworkSpec, OpScope, Outcome, PeeringDirection, PortsInput, ProtocolInput, RangeInput,
    RouteSpec, RoutingMode, RuleInput, StackType, SubnetSpec, UpdatePeering,
};
use vpcpeer_model::{with_key_prefix, Tx};

use crate::render::{self, Links};

mod vm;
use crate::{Call, Route, WireError};

/// Typed reads of a JSON object's fields, with GCP's "Invalid value for field" on a wrong type.
struct Fields<'a> {
    v: &'a Value,
    prefix: &'a str,
}

impl<'a> Fields<'a> {
    fn new(v: &'a Value, prefix: &'a str) -> Self {
        Fields { v, prefix }
    }

    fn bad(&self, key: &str) -> WireError {
        WireError::invalid(format!(
            "Invalid value for field '{}{key}': '{}'.",
            self.prefix,
            self.v.get(key).map(|x| x.to_string()).unwrap_or_default()
        ))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.v.get(key).filter(|x| !x.is_null())
    }

    fn str(&self, key: &str) -> Result<Option<String>, WireError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.bad(key)),
        }
    }

    fn string(&self, key: &str) -> Result<String, WireError> {
        Ok(self.str(key)?.unwrap_or_default())
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, WireError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.bad(key)),
        }
    }

    fn u32(&self, key: &str) -> Result<Option<u32>, WireError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| self.bad(key)),
            Some(Value::String(s)) => s.parse().map(Some).map_err(|_| self.bad(key)),
            Some(_) => Err(self.bad(key)),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, WireError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| x.as_str().map(str::to_owned).ok_or_else(|| self.bad(key)))
                .collect(),
            Some(_) => Err(self.bad(key)),
        }
    }

    fn objects(&self, key: &str) -> Result<Vec<&'a Value>, WireError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) if a.iter().all(Value::is_object) => Ok(a.iter().collect()),
            Some(_) => Err(self.bad(key)),
        }
    }

    fn object(&self, key: &str) -> Result<Option<&'a Value>, WireError> {
        match self.get(key) {
            None => Ok(None),
            Some(o @ Value::Object(_)) => Ok(Some(o)),
            Some(_) => Err(self.bad(key)),
        }
    }
}

fn required_body(call: &Call) -> Result<&Value, WireError> {
    match &call.body {
        Value::Null => Err(WireError::invalid(
            "Required field 'resource' not specified",
        )),
        v => Ok(v),
    }
}

fn stack_type(f: &Fields<'_>, key: &str) -> Result<Option<StackType>, WireError> {
    match f.str(key)?.as_deref() {
        None => Ok(None),
        Some("IPV4_ONLY") => Ok(Some(StackType::Ipv4Only)),
        Some("IPV4_IPV6") => Ok(Some(StackType::Ipv4Ipv6)),
        Some(_) => Err(f.bad(key)),
    }
}

fn routing_mode(f: &Fields<'_>) -> Result<Option<RoutingMode>, WireError> {
    let Some(rc) = f.object("routingConfig")? else {
        return Ok(None);
    };
    let rc = Fields::new(rc, "resource.routingConfig.");
    match rc.str("routingMode")?.as_deref() {
        None => Ok(None),
        Some("REGIONAL") => Ok(Some(RoutingMode::Regional)),
        Some("GLOBAL") => Ok(Some(RoutingMode::Global)),
        Some(_) => Err(rc.bad("routingMode")),
    }
}

/// Paging over items already in id order: `maxResults` (1–500, default and 0 = 500) and
/// `pageToken` (the id of the first item of the next page).
fn list(
    call: &Call,
    l: &Links,
    kind: &str,
    collection: &str,
    items: Vec<(String, String, Value)>,
) -> Result<Value, WireError> {
    let (items, next) = page(call, items)?;
    let mut v = json!({
        "kind": kind,
        "id": format!("projects/{}/{collection}", call.project),
        "selfLink": l.url(&format!("projects/{}/{collection}", call.project)),
    });
    if !items.is_empty() {
        v["items"] = Value::Array(items.into_iter().map(|(_, _, x)| x).collect());
    }
    if let Some(n) = next {
        v["nextPageToken"] = json!(n);
    }
    Ok(v)
}

/// One page of `items` (id, name, value; in id order) as the request's `filter` (on the name),
/// `pageToken` and `maxResults` select it, and the token of the next page.
#[allow(clippy::type_complexity)]
fn page<T>(
    call: &Call,
    items: Vec<(String, String, T)>,
) -> Result<(Vec<(String, String, T)>, Option<String>), WireError> {
    let max = match call.param("maxResults") {
        None | Some("") => 500,
        Some(s) => match s.parse::<usize>() {
            Ok(0) => 500,
            Ok(n) if n <= 500 => n,
            _ => {
                return Err(WireError::invalid(format!(
                    "Invalid value for field 'maxResults': '{s}'. Must be less than or equal to 500"
                )))
            }
        },
    };
    let filter = call
        .param("filter")
        .filter(|f| !f.trim().is_empty())
        .map(parse_filter)
        .transpose()?;
    let mut items: Vec<(String, String, T)> = items
        .into_iter()
        .filter(|(_, name, _)| match &filter {
            None => true,
            Some((eq, v)) => (name == v) == *eq,
        })
        .collect();
    if let Some(tok) = call.param("pageToken").filter(|t| !t.is_empty()) {
        let start = items.iter().position(|(id, _, _)| id.as_str() >= tok);
        match start {
            Some(i) => {
                items.drain(..i);
            }
            None => items.clear(),
        }
    }
    let next = (items.len() > max).then(|| items[max].0.clone());
    items.truncate(max);
    Ok((items, next))
}

/// `name = "x"` / `name != "x"` (or `eq` / `ne`, quotes optional) → (equal?, value).
fn parse_filter(f: &str) -> Result<(bool, String), WireError> {
    let bad = || {
        WireError::invalid(format!(
            "Invalid value for field 'filter': '{f}'. vpcpeer supports only name = \"x\" and name != \"x\"."
        ))
    };
    let rest = f.trim().strip_prefix("name").ok_or_else(bad)?.trim_start();
    let (eq, rest) = if let Some(r) = rest.strip_prefix("!=") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("eq ") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("ne ") {
        (false, r)
    } else {
        return Err(bad());
    };
    let v = rest.trim().trim_matches('"').to_owned();
    if v.is_empty() {
        return Err(bad());
    }
    Ok((eq, v))
}

/// A record the face lists and gets: its path (the table key) and its name.
trait Listed {
    fn name(&self) -> &str;
}

macro_rules! listed {
    ($($t:ty),*) => {$(
        impl Listed for $t {
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}

listed!(
    GcpNetwork,
    GcpSubnetwork,
    GcpRoute,
    GcpFirewall,
    GcpInstance,
    GcpOperation,
    GcpAddress
);

/// A `kind` list of the records of `table` in `projects/P/{collection}/`, paged by path.
fn list_of<T: Listed>(
    call: &Call,
    l: &Links,
    table: &BTreeMap<String, T>,
    kind: &str,
    collection: &str,
    render: impl Fn(&T) -> Value,
) -> Result<Value, WireError> {
    let prefix = format!("projects/{}/{collection}/", call.project);
    let items = with_key_prefix(table, &prefix)
        .map(|(k, x)| (k.clone(), x.name().to_owned(), render(x)))
        .collect();
    list(call, l, kind, collection, items)
}

/// An aggregated list (`projects/P/aggregated/{collection}`): the records of `table` under every
/// `{scopes}/<s>/{collection}/` of the project, paged and filtered like a list over all of them,
/// grouped by scope (`"zones/us-central1-a": {"instances": [...]}`). Only scopes with items on
/// the page are listed: GCP also lists the empty ones, each with a `NO_RESULTS_ON_PAGE` warning,
/// which clients skip ([UNVERIFIED] choice: the emulator knows more than a hundred zones, and an
/// answer of mostly warnings helps nobody).
fn aggregated_of<T: Listed>(
    call: &Call,
    l: &Links,
    table: &BTreeMap<String, T>,
    (scopes, collection): (&str, &str),
    kind: &str,
    render: impl Fn(&T) -> Value,
) -> Result<Value, WireError> {
    let prefix = format!("projects/{}/{scopes}/", call.project);
    let items = with_key_prefix(table, &prefix)
        .filter_map(|(k, x)| {
            let rest = &k[prefix.len()..];
            let (scope, tail) = rest.split_once('/')?;
            tail.starts_with(&format!("{collection}/"))
                .then(|| (k.clone(), x.name().to_owned(), (scope.to_owned(), x)))
        })
        .collect();
    let (items, next) = page(call, items)?;
    let mut grouped = serde_json::Map::new();
    for (_, _, (scope, x)) in items {
        let entry = grouped
            .entry(format!("{scopes}/{scope}"))
            .or_insert_with(|| json!({ collection: [] }));
        if let Some(list) = entry[collection].as_array_mut() {
            list.push(render(x));
        }
    }
    let path = format!("projects/{}/aggregated/{collection}", call.project);
    let mut v = json!({
        "kind": kind,
        "id": path,
        "selfLink": l.url(&path),
        "items": grouped,
    });
    if let Some(n) = next {
        v["nextPageToken"] = json!(n);
    }
    Ok(v)
}

/// The record of `table` at `id`, rendered, or `notFound`.
fn get_of<T>(
    table: &BTreeMap<String, T>,
    id: String,
    render: impl FnOnce(&T) -> Value,
) -> Result<Value, WireError> {
    table
        .get(&id)
        .map(render)
        .ok_or_else(|| GcpError::NotFound(id).into())
}

fn network_spec(call: &Call) -> Result<NetworkSpec, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    Ok(NetworkSpec {
        name: f.string("name")?,
        description: f.string("description")?,
        auto_create_subnetworks: f.bool("autoCreateSubnetworks")?,
        routing_mode: routing_mode(&f)?,
        mtu: f.u32("mtu")?,
    })
}

fn network_patch(call: &Call) -> Result<NetworkPatch, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    Ok(NetworkPatch {
        description: f.str("description")?,
        routing_mode: routing_mode(&f)?,
        auto_create_subnetworks: f.bool("autoCreateSubnetworks")?,
        mtu: f.u32("mtu")?,
    })
}

fn add_peering_req(call: &Call) -> Result<AddPeering, WireError> {
    let body = required_body(call)?;
    let top = Fields::new(body, "");
    let nested = top.object("networkPeering")?;
    let mut req = AddPeering {
        name: top.string("name")?,
        peer_network: top.string("peerNetwork")?,
        exchange_subnet_routes: top.bool("autoCreateRoutes")?,
        ..Default::default()
    };
    if let Some(np) = nested {
        let f = Fields::new(np, "networkPeering.");
        if let Some(n) = f.str("name")? {
            req.name = n;
        }
        if let Some(n) = f.str("network")? {
            req.peer_network = n;
        }
        req.exchange_subnet_routes = f
            .bool("exchangeSubnetRoutes")?
            .or(f.bool("autoCreateRoutes")?)
            .or(req.exchange_subnet_routes);
        req.export_custom_routes = f.bool("exportCustomRoutes")?.unwrap_or(false);
        req.import_custom_routes = f.bool("importCustomRoutes")?.unwrap_or(false);
        req.export_subnet_routes_with_public_ip = f.bool("exportSubnetRoutesWithPublicIp")?;
        req.import_subnet_routes_with_public_ip = f.bool("importSubnetRoutesWithPublicIp")?;
        req.stack_type = stack_type(&f, "stackType")?;
    }
    Ok(req)
}

fn update_peering_req(call: &Call) -> Result<UpdatePeering, WireError> {
    let top = Fields::new(required_body(call)?, "");
    let np = top
        .object("networkPeering")?
        .ok_or_else(|| WireError::invalid("Required field 'networkPeering' not specified"))?;
    let f = Fields::new(np, "networkPeering.");
    Ok(UpdatePeering {
        name: f.string("name")?,
        export_custom_routes: f.bool("exportCustomRoutes")?,
        import_custom_routes: f.bool("importCustomRoutes")?,
        export_subnet_routes_with_public_ip: f.bool("exportSubnetRoutesWithPublicIp")?,
        import_subnet_routes_with_public_ip: f.bool("importSubnetRoutesWithPublicIp")?,
        stack_type: stack_type(&f, "stackType")?,
    })
}

fn subnet_spec(call: &Call) -> Result<SubnetSpec, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    let mut secondary = Vec::new();
    for r in f.objects("secondaryIpRanges")? {
        let rf = Fields::new(r, "resource.secondaryIpRanges.");
        let name = rf.string("rangeName")?;
        secondary.push((name, RangeInput::parse(&rf.string("ipCidrRange")?)));
    }
    Ok(SubnetSpec {
        name: f.string("name")?,
        description: f.string("description")?,
        network: f.string("network")?,
        ip_cidr_range: RangeInput::parse(&f.string("ipCidrRange")?),
        secondary_ranges: secondary,
        private_ip_google_access: f.bool("privateIpGoogleAccess")?.unwrap_or(false),
    })
}

fn route_spec(call: &Call) -> Result<RouteSpec, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    let mut hops = Vec::new();
    if let Some(g) = f.str("nextHopGateway")? {
        hops.push(GcpNextHop::Gateway(g));
    }
    if let Some(i) = f.str("nextHopInstance")? {
        hops.push(GcpNextHop::Instance(i));
    }
    if let Some(ip) = f.str("nextHopIp")? {
        let a = ip.parse().map_err(|_| f.bad("nextHopIp"))?;
        hops.push(GcpNextHop::Ip(a));
    }
    if let Some(s) = f.str("nextHopIlb")? {
        hops.push(GcpNextHop::Ilb(s));
    }
    if let Some(s) = f.str("nextHopVpnTunnel")? {
        hops.push(GcpNextHop::VpnTunnel(s));
    }
    if hops.len() != 1 {
        return Err(WireError::invalid(
            "Exactly one of nextHopGateway, nextHopInstance, nextHopIp, nextHopIlb or \
             nextHopVpnTunnel must be specified.",
        ));
    }
    Ok(RouteSpec {
        name: f.string("name")?,
        description: f.string("description")?,
        network: f.string("network")?,
        dest_range: RangeInput::parse(&f.string("destRange")?),
        priority: f.u32("priority")?,
        tags: f.strings("tags")?,
        next_hop: hops.remove(0),
    })
}

fn firewall_spec(call: &Call) -> Result<FirewallSpec, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    let rules = |key: &str| rules_of(&f, key);
    let direction = match f.str("direction")?.as_deref() {
        None => None,
        Some("INGRESS") => Some(Direction::Ingress),
        Some("EGRESS") => Some(Direction::Egress),
        Some(_) => return Err(f.bad("direction")),
    };
    Ok(FirewallSpec {
        name: f.string("name")?,
        description: f.string("description")?,
        network: f.str("network")?,
        direction,
        priority: f.u32("priority")?,
        allowed: rules("allowed")?,
        denied: rules("denied")?,
        source_ranges: addresses(f.strings("sourceRanges")?),
        destination_ranges: addresses(f.strings("destinationRanges")?),
        source_tags: f.strings("sourceTags")?,
        target_tags: f.strings("targetTags")?,
        disabled: f.bool("disabled")?.unwrap_or(false),
    })
}

fn rules_of(f: &Fields<'_>, key: &str) -> Result<Vec<RuleInput>, WireError> {
    f.objects(key)?
        .into_iter()
        .map(|r| {
            let rf = Fields::new(r, "resource.rules.");
            let protocol = rf.string("IPProtocol")?;
            let ports = rf.strings("ports")?;
            Ok((
                ProtocolInput::new(protocol),
                ports.iter().map(|p| PortsInput::parse(p)).collect(),
            ))
        })
        .collect()
}

/// Firewall sources or destinations, read at the edge ([`RangeInput::parse_address`]).
fn addresses(texts: Vec<String>) -> Vec<RangeInput> {
    texts.iter().map(|s| RangeInput::parse_address(s)).collect()
}

/// `firewalls.patch` (only the fields present change) or, with `full`, `firewalls.update`
/// (every field is replaced; absent ones are cleared).
fn firewall_patch(call: &Call, full: bool) -> Result<FirewallPatch, WireError> {
    let f = Fields::new(required_body(call)?, "resource.");
    let present = |k: &str| full || f.get(k).is_some();
    let opt_strings = |k: &str| -> Result<Option<Vec<String>>, WireError> {
        Ok(if present(k) {
            Some(f.strings(k)?)
        } else {
            None
        })
    };
    let opt_addresses = |k: &str| Ok::<_, WireError>(opt_strings(k)?.map(addresses));
    let (allowed, denied) = match (f.get("allowed").is_some(), f.get("denied").is_some()) {
        (true, _) => (Some(rules_of(&f, "allowed")?), None),
        (false, true) => (None, Some(rules_of(&f, "denied")?)),
        (false, false) => (None, None),
    };
    Ok(FirewallPatch {
        description: if present("description") {
            Some(f.string("description")?)
        } else {
            None
        },
        priority: f.u32("priority")?,
        allowed,
        denied,
        source_ranges: opt_addresses("sourceRanges")?,
        destination_ranges: opt_addresses("destinationRanges")?,
        source_tags: opt_strings("sourceTags")?,
        target_tags: opt_strings("targetTags")?,
        disabled: f.bool("disabled")?,
    })
}

/// Where the operations of `scope` live: `global/operations`, `regions/R/operations`, …
fn operations_collection(scope: &OpScope) -> String {
    gcp::operation_path("", scope, "")
        .trim_start_matches("projects//")
        .trim_end_matches('/')
        .to_owned()
}

fn operation_id(project: &str, scope: &OpScope, name: &str) -> String {
    gcp::operation_path(project, scope, name)
}

/// The command a change request asks for, parsed from its path, query and body; `None` for a
/// read. Pure: nothing here looks at the world.
pub(crate) fn command(call: &Call) -> Result<Option<Command>, WireError> {
    let name = |n: &String| n.clone();
    Ok(Some(match &call.route {
        Route::NetworkInsert => Command::InsertNetwork(network_spec(call)?),
        Route::NetworkDelete(n) => Command::DeleteNetwork { name: name(n) },
        Route::NetworkPatch(n) => Command::PatchNetwork {
            name: name(n),
            patch: network_patch(call)?,
        },
        Route::AddPeering(n) => Command::AddPeering {
            network: name(n),
            peering: add_peering_req(call)?,
        },
        Route::RemovePeering(n) => {
            let f = Fields::new(required_body(call)?, "");
            Command::RemovePeering {
                network: name(n),
                name: f.string("name")?,
            }
        }
        Route::UpdatePeering(n) => Command::UpdatePeering {
            network: name(n),
            peering: update_peering_req(call)?,
        },
        Route::SubnetInsert(r) => Command::InsertSubnetwork {
            region: name(r),
            spec: subnet_spec(call)?,
        },
        Route::SubnetDelete(r, s) => Command::DeleteSubnetwork {
            region: name(r),
            name: name(s),
        },
        Route::SubnetExpand(r, s) => {
            let f = Fields::new(required_body(call)?, "");
            Command::ExpandSubnetwork {
                region: name(r),
                name: name(s),
                range: RangeInput::parse(&f.string("ipCidrRange")?),
            }
        }
        Route::RouteInsert => Command::InsertRoute(route_spec(call)?),
        Route::RouteDelete(r) => Command::DeleteRoute { name: name(r) },
        Route::FirewallInsert => Command::InsertFirewall(firewall_spec(call)?),
        Route::FirewallDelete(f) => Command::DeleteFirewall { name: name(f) },
        Route::FirewallPatch(f) | Route::FirewallUpdate(f) => Command::PatchFirewall {
            name: name(f),
            patch: firewall_patch(call, matches!(call.route, Route::FirewallUpdate(_)))?,
        },
        Route::InstanceInsert(z) => Command::InsertInstance {
            zone: name(z),
            spec: vm::instance_spec(call)?,
        },
        Route::InstanceStop(z, i) => Command::StopInstance {
            zone: name(z),
            name: name(i),
        },
        Route::InstanceStart(z, i) => Command::StartInstance {
            zone: name(z),
            name: name(i),
        },
        Route::InstanceSetMetadata(z, i) => Command::SetInstanceMetadata {
            zone: name(z),
            name: name(i),
            metadata: vm::metadata_input(call)?,
        },
        Route::AddressInsert(r) => Command::InsertAddress {
            region: name(r),
            spec: vm::address_spec(call)?,
        },
        Route::AddressDelete(r, a) => Command::DeleteAddress {
            region: name(r),
            name: name(a),
        },
        Route::InstanceDelete(z, i) => Command::DeleteInstance {
            zone: name(z),
            name: name(i),
        },
        Route::OperationGet(scope, o) | Route::OperationWait(scope, o) => {
            Command::CompleteOperation {
                id: operation_id(&call.project, scope, o),
            }
        }
        Route::OperationDelete(scope, o) => Command::DeleteOperation {
            id: operation_id(&call.project, scope, o),
        },
        Route::NetworkList
        | Route::NetworkGet(_)
        | Route::ListPeeringRoutes(_)
        | Route::SubnetList(_)
        | Route::SubnetGet(..)
        | Route::RouteList
        | Route::RouteGet(_)
        | Route::FirewallList
        | Route::FirewallGet(_)
        | Route::InstanceList(_)
        | Route::InstanceAggregated
        | Route::SubnetAggregated
        | Route::InstanceGet(..)
        | Route::AddressList(_)
        | Route::AddressGet(..)
        | Route::OperationList(_) => return Ok(None),
    }))
}

/// The reply to a change, from what its command handed back.
pub(crate) fn render_outcome(l: &Links, outcome: Outcome) -> Value {
    match outcome {
        Outcome::Operation(o) => render::operation(l, &o),
        Outcome::OperationDeleted => json!({}),
        Outcome::Settled => Value::Null,
    }
}

/// Answers a read (get, list, `listPeeringRoutes`) from the world as it is.
pub(crate) fn read(tx: &Tx<'_, '_>, call: &Call, l: &Links) -> Result<Value, WireError> {
    let p = call.project.as_str();
    let w = tx.world();
    Ok(match &call.route {
        Route::NetworkList => list_of(call, l, w.gcp.networks(), "compute#networkList", "global/networks", |n| render::network(l, w, n))?,
        Route::NetworkGet(n) => get_of(w.gcp.networks(), network_path(p, n), |n| render::network(l, w, n))?,
        Route::ListPeeringRoutes(n) => {
            let peering = call.param("peeringName").unwrap_or_default();
            if peering.is_empty() {
                return Err(WireError::invalid(
                    "Invalid value for field 'peeringName': ''. The peering name must be specified.",
                ));
            }
            let direction = match call.param("direction") {
                Some("INCOMING") => PeeringDirection::Incoming,
                Some("OUTGOING") => PeeringDirection::Outgoing,
                other => {
                    return Err(WireError::invalid(format!(
                        "Invalid value for field 'direction': '{}'. Must be INCOMING or OUTGOING.",
                        other.unwrap_or_default()
                    )))
                }
            };
            let id = network_path(p, n);
            let routes = gcp::list_peering_routes(
                tx.world(),
                &id,
                peering,
                direction,
                call.param("region").filter(|r| !r.is_empty()),
            )?;
            let items = routes
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        format!("{i:08}"),
                        r.dest_range.to_string(),
                        render::exchanged_route(r),
                    )
                })
                .collect();
            let mut v = list(
                call,
                l,
                "compute#exchangedPeeringRoutesList",
                &format!("global/networks/{n}/listPeeringRoutes"),
                items,
            )?;
            v["id"] = json!(format!("{id}/listPeeringRoutes"));
            v
        }
        Route::SubnetList(r) => list_of(call, l, w.gcp.subnetworks(), "compute#subnetworkList", &format!("regions/{r}/subnetworks"), |s| render::subnetwork(l, s))?,
        Route::SubnetGet(r, s) => get_of(w.gcp.subnetworks(), subnetwork_path(p, r, s), |s| render::subnetwork(l, s))?,
        Route::RouteList => list_of(call, l, w.gcp.routes(), "compute#routeList", "global/routes", |r| render::route(l, r))?,
        Route::RouteGet(r) => get_of(w.gcp.routes(), route_path(p, r), |r| render::route(l, r))?,
        Route::FirewallList => list_of(call, l, w.gcp.firewalls(), "compute#firewallList", "global/firewalls", |f| render::firewall(l, f))?,
        Route::FirewallGet(f) => get_of(w.gcp.firewalls(), firewall_path(p, f), |f| render::firewall(l, f))?,
        Route::InstanceList(z) => list_of(call, l, w.gcp.instances(), "compute#instanceList", &format!("zones/{z}/instances"), |i| render::instance(l, i))?,
        Route::InstanceGet(z, i) => get_of(w.gcp.instances(), instance_path(p, z, i), |i| render::instance(l, i))?,
        Route::InstanceAggregated => aggregated_of(call, l, w.gcp.instances(), ("zones", "instances"), "compute#instanceAggregatedList", |i| render::instance(l, i))?,
        Route::SubnetAggregated => aggregated_of(call, l, w.gcp.subnetworks(), ("regions", "subnetworks"), "compute#subnetworkAggregatedList", |s| render::subnetwork(l, s))?,
        Route::AddressList(r) => list_of(call, l, w.gcp.addresses(), "compute#addressList", &format!("regions/{r}/addresses"), |a| render::address(l, w, a))?,
        Route::AddressGet(r, a) => get_of(w.gcp.addresses(), address_path(p, r, a), |a| render::address(l, w, a))?,
        Route::OperationList(scope) => list_of(call, l, w.gcp.operations(), "compute#operationList", &operations_collection(scope), |o| render::operation(l, o))?,
        Route::NetworkInsert
        | Route::NetworkDelete(_)
        | Route::NetworkPatch(_)
        | Route::AddPeering(_)
        | Route::RemovePeering(_)
        | Route::UpdatePeering(_)
        | Route::SubnetInsert(_)
        | Route::SubnetDelete(..)
        | Route::SubnetExpand(..)
        | Route::RouteInsert
        | Route::RouteDelete(_)
        | Route::FirewallInsert
        | Route::FirewallDelete(_)
        | Route::FirewallPatch(_)
        | Route::FirewallUpdate(_)
        | Route::InstanceInsert(_)
        | Route::InstanceDelete(..)
        | Route::InstanceStop(..)
        | Route::InstanceStart(..)
        | Route::InstanceSetMetadata(..)
        | Route::AddressInsert(_)
        | Route::AddressDelete(..)
        | Route::OperationGet(..)
        | Route::OperationWait(..)
        // A change is no read: [`command`] has a command for it.
        | Route::OperationDelete(..) => return Err(WireError::internal()),
    })
}
