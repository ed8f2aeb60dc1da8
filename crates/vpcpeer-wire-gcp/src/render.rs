//! GCP's JSON shapes of networks, peerings, subnetworks, routes, firewalls, instances and
//! operations. Every link is absolute, built on the base URL the request came to.

use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use vpcpeer_model::gcp::{
    address_users, peering_view, Direction, ExchangedRoute, ExchangedRouteType, FirewallAction,
    GcpAccessConfig, GcpAddress, GcpFirewall, GcpInstance, GcpMetadata, GcpNetwork, GcpNextHop,
    GcpOperation, GcpPeering, GcpRoute, GcpSubnetwork, InstanceStatus, NetworkTier, OpScope,
    OpStatus, RoutingMode, StackType,
};
use vpcpeer_model::{Timestamp, World};

use crate::error::{describe, http_error_message};

/// An RFC 3339 time with milliseconds and a numeric offset, as GCP prints them
/// (`2023-11-14T22:13:20.000+00:00`; GCP itself prints Pacific time, the emulator UTC).
pub fn rfc3339(t: Timestamp) -> String {
    let dt = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t.millis()) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// Where links point: the request's own scheme, host and `/compute/v1/`.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    /// `base` such as `http://127.0.0.1:4650/compute/v1/` (a trailing `/` is added if missing).
    pub fn new(base: &str) -> Self {
        let mut base = base.to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        Links { base }
    }

    /// The absolute URL of a relative path.
    pub fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.base)
    }
}

fn routing_mode(m: RoutingMode) -> &'static str {
    match m {
        RoutingMode::Regional => "REGIONAL",
        RoutingMode::Global => "GLOBAL",
    }
}

/// `IPV4_ONLY` / `IPV4_IPV6`.
pub fn stack_type(s: StackType) -> &'static str {
    match s {
        StackType::Ipv4Only => "IPV4_ONLY",
        StackType::Ipv4Ipv6 => "IPV4_IPV6",
    }
}

fn insert_opt(m: &mut Map<String, Value>, k: &str, v: &str) {
    if !v.is_empty() {
        m.insert(k.into(), json!(v));
    }
}

/// The fields every global resource opens with: `kind`, `id`, `creationTimestamp`, `name` and
/// `description` (when set).
fn head(
    kind: &str,
    numeric_id: u64,
    created: Timestamp,
    name: &str,
    description: &str,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".into(), json!(kind));
    m.insert("id".into(), json!(numeric_id.to_string()));
    m.insert("creationTimestamp".into(), json!(rfc3339(created)));
    m.insert("name".into(), json!(name));
    insert_opt(&mut m, "description", description);
    m
}

/// One entry of `network.peerings[]`, with its derived `state` and `stateDetails`.
pub fn peering(l: &Links, world: &World, net: &GcpNetwork, p: &GcpPeering) -> Value {
    let view = peering_view(world, net, p);
    let (state, details) = if view.active {
        ("ACTIVE", "Connected.")
    } else {
        ("INACTIVE", "Waiting for peer network to connect.")
    };
    let mut v = json!({
        "name": p.name,
        "network": l.url(&p.peer_network),
        "state": state,
        "stateDetails": format!("[{}]: {details}", rfc3339(view.since)),
        "autoCreateRoutes": true,
        "exchangeSubnetRoutes": true,
        "exportCustomRoutes": p.export_custom_routes,
        "importCustomRoutes": p.import_custom_routes,
        "exportSubnetRoutesWithPublicIp": p.export_subnet_routes_with_public_ip,
        "importSubnetRoutesWithPublicIp": p.import_subnet_routes_with_public_ip,
        "stackType": stack_type(p.stack_type),
        "updateStrategy": "INDEPENDENT",
    });
    if let Some(mtu) = view.peer_mtu {
        v["peerMtu"] = json!(mtu);
    }
    v
}

/// A network.
pub fn network(l: &Links, world: &World, n: &GcpNetwork) -> Value {
    let subnets: Vec<String> = vpcpeer_model::gcp::subnetworks_of(world, &n.id)
        .map(|s| l.url(&s.id))
        .collect();
    let mut m = head(
        "compute#network",
        n.numeric_id,
        n.created,
        &n.name,
        &n.description,
    );
    m.insert("selfLink".into(), json!(l.url(&n.id)));
    m.insert(
        "selfLinkWithId".into(),
        json!(l.url(&format!(
            "projects/{}/global/networks/{}",
            n.project, n.numeric_id
        ))),
    );
    m.insert(
        "autoCreateSubnetworks".into(),
        json!(n.auto_create_subnetworks),
    );
    if !subnets.is_empty() {
        m.insert("subnetworks".into(), json!(subnets));
    }
    if !n.peerings.is_empty() {
        let ps: Vec<Value> = n.peerings.iter().map(|p| peering(l, world, n, p)).collect();
        m.insert("peerings".into(), json!(ps));
    }
    m.insert(
        "routingConfig".into(),
        json!({"routingMode": routing_mode(n.routing_mode)}),
    );
    m.insert("mtu".into(), json!(n.mtu));
    m.insert(
        "networkFirewallPolicyEnforcementOrder".into(),
        json!("AFTER_CLASSIC_FIREWALL"),
    );
    Value::Object(m)
}

fn region_url(l: &Links, project: &str, region: &str) -> String {
    l.url(&format!("projects/{project}/regions/{region}"))
}

fn zone_url(l: &Links, project: &str, zone: &str) -> String {
    l.url(&format!("projects/{project}/zones/{zone}"))
}

/// A subnetwork.
pub fn subnetwork(l: &Links, s: &GcpSubnetwork) -> Value {
    let mut m = head(
        "compute#subnetwork",
        s.numeric_id,
        s.created,
        &s.name,
        &s.description,
    );
    m.insert("network".into(), json!(l.url(&s.network)));
    m.insert("ipCidrRange".into(), json!(s.ip_cidr_range.to_string()));
    m.insert(
        "gatewayAddress".into(),
        json!(s.gateway_address().to_string()),
    );
    m.insert("region".into(), json!(region_url(l, &s.project, &s.region)));
    m.insert("selfLink".into(), json!(l.url(&s.id)));
    m.insert(
        "privateIpGoogleAccess".into(),
        json!(s.private_ip_google_access),
    );
    if !s.secondary_ranges.is_empty() {
        let r: Vec<Value> = s
            .secondary_ranges
            .iter()
            .map(|r| json!({"rangeName": r.name, "ipCidrRange": r.range.to_string()}))
            .collect();
        m.insert("secondaryIpRanges".into(), json!(r));
    }
    m.insert("stackType".into(), json!("IPV4_ONLY"));
    m.insert("purpose".into(), json!("PRIVATE"));
    Value::Object(m)
}

/// A route.
pub fn route(l: &Links, r: &GcpRoute) -> Value {
    let mut m = head(
        "compute#route",
        r.numeric_id,
        r.created,
        &r.name,
        &r.description,
    );
    m.insert("network".into(), json!(l.url(&r.network)));
    m.insert("destRange".into(), json!(r.dest_range.to_string()));
    m.insert("priority".into(), json!(r.priority));
    if !r.tags.is_empty() {
        m.insert("tags".into(), json!(r.tags));
    }
    let (k, v) = match &r.next_hop {
        GcpNextHop::Gateway(g) => ("nextHopGateway", l.url(g)),
        GcpNextHop::Instance(i) => ("nextHopInstance", l.url(i)),
        GcpNextHop::Ip(ip) => ("nextHopIp", ip.to_string()),
        GcpNextHop::Ilb(s) => ("nextHopIlb", s.clone()),
        GcpNextHop::VpnTunnel(s) => ("nextHopVpnTunnel", s.clone()),
    };
    m.insert(k.into(), json!(v));
    m.insert("routeType".into(), json!("STATIC"));
    m.insert("selfLink".into(), json!(l.url(&r.id)));
    Value::Object(m)
}

/// A firewall rule.
pub fn firewall(l: &Links, f: &GcpFirewall) -> Value {
    let mut m = head(
        "compute#firewall",
        f.numeric_id,
        f.created,
        &f.name,
        &f.description,
    );
    m.insert("network".into(), json!(l.url(&f.network)));
    m.insert("priority".into(), json!(f.priority));
    let ranges =
        |v: &[ipnet::Ipv4Net]| -> Vec<String> { v.iter().map(|r| r.to_string()).collect() };
    if !f.source_ranges.is_empty() {
        m.insert("sourceRanges".into(), json!(ranges(&f.source_ranges)));
    }
    if !f.destination_ranges.is_empty() {
        m.insert(
            "destinationRanges".into(),
            json!(ranges(&f.destination_ranges)),
        );
    }
    if !f.source_tags.is_empty() {
        m.insert("sourceTags".into(), json!(f.source_tags));
    }
    if !f.target_tags.is_empty() {
        m.insert("targetTags".into(), json!(f.target_tags));
    }
    let rules: Vec<Value> = f
        .matches
        .iter()
        .map(|x| {
            let mut r = json!({"IPProtocol": x.protocol.text()});
            if !x.ports.is_empty() {
                let ports: Vec<String> = x.ports.iter().map(|p| p.to_string()).collect();
                r["ports"] = json!(ports);
            }
            r
        })
        .collect();
    let key = match f.action {
        FirewallAction::Allow => "allowed",
        FirewallAction::Deny => "denied",
    };
    m.insert(key.into(), json!(rules));
    m.insert(
        "direction".into(),
        json!(match f.direction {
            Direction::Ingress => "INGRESS",
            Direction::Egress => "EGRESS",
        }),
    );
    m.insert("logConfig".into(), json!({"enable": false}));
    m.insert("disabled".into(), json!(f.disabled));
    m.insert("selfLink".into(), json!(l.url(&f.id)));
    Value::Object(m)
}

/// An instance. `lastStartTimestamp` and `lastStopTimestamp` (Compute v1 `Instance` fields,
/// output only, "in RFC3339 text format" per Google's API reference and SDK) are written like
/// `creationTimestamp`, milliseconds and an offset; each is absent until the instance has one
/// (an instance stored before they were kept has neither) \[UNVERIFIED: the shared spec does not
/// cover instance fields; that GCP omits a field with no value follows its other output-only
/// fields\].
pub fn instance(l: &Links, i: &GcpInstance) -> Value {
    let mt = &i.machine_type;
    let machine_type = if mt.contains("://") {
        mt.clone()
    } else if mt.starts_with("projects/") {
        l.url(mt)
    } else if mt.starts_with("zones/") {
        l.url(&format!("projects/{}/{mt}", i.project))
    } else {
        l.url(&format!(
            "projects/{}/zones/{}/machineTypes/{mt}",
            i.project, i.zone
        ))
    };
    let nics: Vec<Value> = i
        .nics
        .iter()
        .map(|n| {
            let mut v = json!({
                "kind": "compute#networkInterface",
                "name": n.name,
                "network": l.url(&n.network),
                "subnetwork": l.url(&n.subnetwork),
                "networkIP": n.network_ip.to_string(),
                "stackType": "IPV4_ONLY",
            });
            if !n.access_configs.is_empty() {
                v["accessConfigs"] = n.access_configs.iter().map(access_config).collect();
            }
            v
        })
        .collect();
    let mut v = json!({
        "kind": "compute#instance",
        "id": i.numeric_id.to_string(),
        "creationTimestamp": rfc3339(i.created),
        "name": i.name,
        "machineType": machine_type,
        "status": match i.status {
            InstanceStatus::Running => "RUNNING",
            InstanceStatus::Terminated => "TERMINATED",
        },
        "zone": zone_url(l, &i.project, &i.zone),
        "networkInterfaces": nics,
        "selfLink": l.url(&i.id),
    });
    if let Some(t) = i.last_start {
        v["lastStartTimestamp"] = json!(rfc3339(t));
    }
    if let Some(t) = i.last_stop {
        v["lastStopTimestamp"] = json!(rfc3339(t));
    }
    if !i.tags.is_empty() {
        v["tags"] = json!({"items": i.tags});
    }
    if i.source_image.is_some() {
        v["disks"] = json!([boot_disk(l, i)]);
    }
    // An instance stored before metadata existed answers as the first release did.
    if let Some(m) = &i.metadata {
        v["canIpForward"] = json!(i.can_ip_forward);
        v["metadata"] = metadata(m);
    }
    v
}

/// The boot disk of an instance inserted with a source image, as `instances.get` lists it
/// (minimal: the disk is named after the instance, GCP's default, and is not a resource of its
/// own here; `initializeParams` is never returned, as on GCP).
fn boot_disk(l: &Links, i: &GcpInstance) -> Value {
    json!({
        "kind": "compute#attachedDisk",
        "type": "PERSISTENT",
        "mode": "READ_WRITE",
        "source": l.url(&format!("projects/{}/zones/{}/disks/{}", i.project, i.zone, i.name)),
        "deviceName": "persistent-disk-0",
        "index": 0,
        "boot": true,
        "autoDelete": true,
        "interface": "SCSI",
    })
}

/// The `metadata` of an instance (`compute#metadata`; `items` only when there are some).
pub fn metadata(m: &GcpMetadata) -> Value {
    let mut v = json!({
        "kind": "compute#metadata",
        "fingerprint": fingerprint_text(m.fingerprint),
    });
    if !m.items.is_empty() {
        v["items"] = m
            .items
            .iter()
            .map(|i| json!({"key": i.key, "value": i.value}))
            .collect();
    }
    v
}

fn network_tier(t: NetworkTier) -> &'static str {
    match t {
        NetworkTier::Premium => "PREMIUM",
        NetworkTier::Standard => "STANDARD",
    }
}

/// One `accessConfigs[]` entry (`natIP` absent while a stopped instance has released its
/// ephemeral address).
pub fn access_config(a: &GcpAccessConfig) -> Value {
    let mut v = json!({
        "kind": "compute#accessConfig",
        "type": "ONE_TO_ONE_NAT",
        "name": a.name,
        "networkTier": network_tier(a.network_tier),
    });
    if let Some(ip) = a.nat_ip {
        v["natIP"] = json!(ip.to_string());
    }
    v
}

/// A static external address (`compute#address`): `IN_USE` with its `users` while an instance
/// holds it, else `RESERVED`.
pub fn address(l: &Links, w: &World, a: &GcpAddress) -> Value {
    let users = address_users(w, a);
    let mut v = json!({
        "kind": "compute#address",
        "id": a.numeric_id.to_string(),
        "creationTimestamp": rfc3339(a.created),
        "name": a.name,
        "address": a.address.to_string(),
        "addressType": "EXTERNAL",
        "ipVersion": "IPV4",
        "networkTier": network_tier(a.network_tier),
        "status": if users.is_empty() { "RESERVED" } else { "IN_USE" },
        "region": region_url(l, &a.project, &a.region),
        "selfLink": l.url(&a.id),
    });
    if !a.description.is_empty() {
        v["description"] = json!(a.description);
    }
    if !users.is_empty() {
        v["users"] = users.iter().map(|i| json!(l.url(&i.id))).collect();
    }
    v
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A fingerprint as GCP shows it: its 8 bytes in URL-safe base64 with padding
/// (`-goaeN2SGek=`), as the client libraries decode it.
pub fn fingerprint_text(f: u64) -> String {
    let bytes = f.to_be_bytes();
    let mut out = String::with_capacity(12);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Reads a fingerprint written by [`fingerprint_text`] (either base64 alphabet, padding
/// optional); `None` when the text is not 8 bytes of base64.
pub fn fingerprint_value(s: &str) -> Option<u64> {
    let digit = |c: u8| -> Option<u32> {
        let i = match c {
            b'+' => 62,
            b'/' => 63,
            _ => B64.iter().position(|&x| x == c)?,
        };
        u32::try_from(i).ok()
    };
    let s = s.trim_end_matches('=');
    if s.len() != 11 {
        return None;
    }
    let mut acc: u128 = 0;
    for c in s.bytes() {
        acc = (acc << 6) | u128::from(digit(c)?);
    }
    // 11 digits carry 66 bits: the 8 bytes, then two zero bits.
    if acc & 0b11 != 0 {
        return None;
    }
    u64::try_from(acc >> 2).ok()
}

/// An operation; a failed one carries `error.errors[]` and `httpErrorStatusCode` /
/// `httpErrorMessage`, which the client libraries raise from.
pub fn operation(l: &Links, op: &GcpOperation) -> Value {
    let done = op.status == OpStatus::Done;
    let mut m = Map::new();
    m.insert("kind".into(), json!("compute#operation"));
    m.insert("id".into(), json!(op.numeric_id.to_string()));
    m.insert("name".into(), json!(op.name));
    m.insert("operationType".into(), json!(op.operation_type));
    m.insert("targetLink".into(), json!(l.url(&op.target)));
    m.insert("targetId".into(), json!(op.target_id.to_string()));
    m.insert(
        "status".into(),
        json!(if done { "DONE" } else { "RUNNING" }),
    );
    m.insert("user".into(), json!("anonymous@vpcpeer"));
    m.insert("progress".into(), json!(if done { 100 } else { 0 }));
    m.insert("insertTime".into(), json!(rfc3339(op.insert_time)));
    m.insert("startTime".into(), json!(rfc3339(op.insert_time)));
    if let Some(t) = op.end_time {
        m.insert("endTime".into(), json!(rfc3339(t)));
    }
    if let Some(e) = &op.error {
        let (class, message) = describe(e);
        let status = class.status();
        m.insert(
            "error".into(),
            json!({"errors": [{"code": class.op_error_code(), "message": message}]}),
        );
        m.insert("httpErrorStatusCode".into(), json!(status));
        m.insert("httpErrorMessage".into(), json!(http_error_message(status)));
    }
    m.insert("selfLink".into(), json!(l.url(&op.id)));
    match &op.scope {
        OpScope::Global => {}
        OpScope::Region(r) => {
            m.insert("region".into(), json!(region_url(l, &op.project, r)));
        }
        OpScope::Zone(z) => {
            m.insert("zone".into(), json!(zone_url(l, &op.project, z)));
        }
    }
    Value::Object(m)
}

/// One row of `listPeeringRoutes`.
pub fn exchanged_route(r: &ExchangedRoute) -> Value {
    let kind = match r.kind {
        ExchangedRouteType::Subnet => "SUBNET_PEERING_ROUTE",
        ExchangedRouteType::Static => "STATIC_PEERING_ROUTE",
    };
    let mut v = json!({
        "destRange": r.dest_range.to_string(),
        "type": kind,
        "priority": r.priority,
        "imported": r.imported,
    });
    if let Some(region) = &r.next_hop_region {
        v["nextHopRegion"] = json!(region);
    }
    v
}
