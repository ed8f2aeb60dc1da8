//! `POST /_vpcpeer/reach`: a reachability query over the current world, answered as JSON.
//!
//! The request names the caller (`account`, `region`; defaults `000000000000`, `us-east-1`), the
//! two ends (`from`, `to`: `i-…`, `eni-…` or an address), `protocol` (`tcp|udp|icmp|all`) and
//! `port` (TCP/UDP). The handler brings the server's kept [`Snapshot`] of the whole world up to
//! the emulator's `now` ([`crate::snapcache`]) and runs [`vpcpeer_reach::explain()`]; the engine sees every
//! account, as cross-account peering paths need.
//!
//! Scoping (the caller sees only its own resources, as in EC2): an instance or interface id, at
//! either end, must belong to the caller's account and region, else `404` — exactly as if it did
//! not exist, so ids of other accounts are not disclosed. A source address must be held by an
//! interface of the caller (`404` otherwise). A destination address is not scoped: reaching a
//! peer account's address is the very question cross-account peering asks, and an address names
//! no resource.
//!
//! GCP and Azure endpoints (`projects/P/zones/Z/instances/N` or its selfLink, a VM or NIC ARM
//! id, `IP@NETWORK`) name their project or subscription themselves and are not scoped by
//! `account`; [`explain_world`] routes each query to the engine of its cloud, and answers a
//! query whose ends are in two clouds as unreachable (`CROSS_CLOUD_NO_NATIVE_PATH`).
//!
//! Redaction: the path itself crosses the peer's resources, so the answer (and every error
//! message) goes through [`crate::redact`] for the caller — the request's `account` for AWS, the
//! project or subscription of the source end for GCP and Azure: a component of another owner
//! shows its kind and owner (`"id": null`, a `label` such as `route-table (account
//! 222222222222, vpc-…)`), its rule keeps no id or name, and texts name it by that label. The
//! fix of a blocker at such a component says that its owner must make the change.
//!
//! Errors are JSON `{"error": "..."}`: `400` for malformed input and engine refusals (port
//! missing, same interface, ambiguous source address), `404` for unknown or foreign endpoints.
//!
//! The answer is `{"reachable", "forward": [hop], "return": [hop], "blockers": [blocker]}`; the
//! reach crate knows no wire format, so the JSON is built here, and so is each blocker's
//! one-line `fix` suggestion (which reads the snapshot, e.g. to name the peering a missing route
//! should target).

use std::net::IpAddr;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};
use vpcpeer_model::gcp;
use vpcpeer_model::peering::PeeringState;
use vpcpeer_model::{AclAction, RouteTarget, Scope, World};
use vpcpeer_reach::{
    explain_world, CloudRule, Code, ComponentKind, ComponentRef, Direction, Endpoint, Explanation,
    Header, Hop, Leg, Protocol, Query, QueryError, RuleRef, Snapshot, Verdict,
};

use crate::redact::{Redactor, Viewer};

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReachRequest {
    /// Caller account (default `000000000000`).
    #[serde(default)]
    pub account: Option<String>,
    /// Caller region (default `us-east-1`).
    #[serde(default)]
    pub region: Option<String>,
    /// Source: `i-…`, `eni-…` or an address.
    pub from: String,
    /// Destination: `i-…`, `eni-…` or an address.
    pub to: String,
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// Destination port (TCP/UDP).
    #[serde(default)]
    pub port: Option<u16>,
}

/// An error answer: status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message.
    pub message: String,
}

impl ReachError {
    fn bad(message: impl Into<String>) -> Self {
        ReachError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    fn not_found(message: impl Into<String>) -> Self {
        ReachError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

/// Parses a request body.
pub fn parse_request(body: &[u8]) -> Result<ReachRequest, ReachError> {
    serde_json::from_slice(body).map_err(|e| {
        ReachError::bad(format!(
            "expected {{\"from\": ID|IP, \"to\": ID|IP, \"protocol\": \"tcp|udp|icmp|all\", \"port\": N, \"account\"?, \"region\"?}}: {e}"
        ))
    })
}

fn parse_protocol(s: &str) -> Result<Protocol, ReachError> {
    match s.to_ascii_lowercase().as_str() {
        "tcp" => Ok(Protocol::Tcp),
        "udp" => Ok(Protocol::Udp),
        "icmp" => Ok(Protocol::Icmp),
        "all" | "-1" => Ok(Protocol::All),
        _ => Err(ReachError::bad(format!(
            "unknown protocol {s:?}: expected tcp, udp, icmp or all"
        ))),
    }
}

fn parse_endpoint(s: &str, which: &str) -> Result<Endpoint, ReachError> {
    Endpoint::parse(s).ok_or_else(|| {
        ReachError::bad(format!(
            "{which} {:?} is neither an instance id (i-…), an interface id (eni-…), a GCP instance \
             (projects/P/zones/Z/instances/N), an Azure VM or NIC id, an IP address nor IP@NETWORK",
            s.trim()
        ))
    })
}

/// Checks that an id endpoint belongs to `scope`; resolves a source address to the caller's
/// interface when the address is held in several accounts.
fn scope_endpoint(
    world: &World,
    snap: &Snapshot,
    scope: &Scope,
    e: Endpoint,
    is_src: bool,
) -> Result<Endpoint, ReachError> {
    let foreign = |kind: &str, id: &str| {
        ReachError::not_found(format!(
            "{kind} {id} not found in account {} region {}",
            scope.account, scope.region
        ))
    };
    match e {
        Endpoint::Instance(id) => match world.instances.get(&id) {
            Some(i) if &i.scope == scope => Ok(Endpoint::Instance(id)),
            _ => Err(foreign("instance", &id)),
        },
        Endpoint::Eni(id) => match world.network_interfaces.get(&id) {
            Some(n) if &n.scope == scope => Ok(Endpoint::Eni(id)),
            _ => Err(foreign("network interface", &id)),
        },
        Endpoint::Ip(ip) if is_src => {
            let all = snap.enis_by_ip.get(&ip).map(Vec::as_slice).unwrap_or(&[]);
            let mine: Vec<&String> = all
                .iter()
                .filter(|id| {
                    world
                        .network_interfaces
                        .get(id.as_str())
                        .is_some_and(|n| &n.scope == scope)
                })
                .collect();
            match mine.as_slice() {
                // No AWS interface holds it: a GCP or Azure address, for the engine to resolve.
                [] if all.is_empty() => Ok(Endpoint::Ip(ip)),
                [] => Err(ReachError::not_found(format!(
                    "no network interface of account {} region {} holds the source address {ip}",
                    scope.account, scope.region
                ))),
                // Only the caller holds it: keep the address (it may be a secondary one).
                [_] if all.len() == 1 => Ok(Endpoint::Ip(ip)),
                [one] => Ok(Endpoint::Eni((*one).clone())),
                _ => Err(ReachError::bad(format!(
                    "source address {ip} belongs to several network interfaces; name the interface"
                ))),
            }
        }
        // A source address in a named AWS VPC must be the caller's, as a bare one must.
        Endpoint::IpIn(ip, vpc) if is_src && vpc.starts_with("vpc-") => {
            match world.vpcs.get(&vpc) {
                Some(v) if &v.scope == scope => Ok(Endpoint::IpIn(ip, vpc)),
                _ => Err(foreign("VPC", &vpc)),
            }
        }
        other => Ok(other),
    }
}

fn query_error(e: QueryError) -> ReachError {
    match e {
        QueryError::UnknownInstance(_)
        | QueryError::UnknownInterface(_)
        | QueryError::UnknownEndpoint(_)
        | QueryError::UnknownSourceAddress(_) => ReachError::not_found(e.to_string()),
        _ => ReachError::bad(e.to_string()),
    }
}

/// Answers `req` over `world` at `now` from a fresh compile: the JSON verdict, or an error.
pub fn answer(
    world: &World,
    now: vpcpeer_model::Timestamp,
    req: &ReachRequest,
) -> Result<Value, ReachError> {
    answer_from(world, &Snapshot::compile(world, now), req)
}

/// Answers `req` over `world` from `snap`, a snapshot of that same world (the server's kept
/// one, see [`crate::snapcache`]): the JSON verdict, or an error.
pub fn answer_from(
    world: &World,
    snap: &Snapshot,
    req: &ReachRequest,
) -> Result<Value, ReachError> {
    let scope = Scope::new(
        req.account.as_deref().unwrap_or("000000000000"),
        req.region.as_deref().unwrap_or("us-east-1"),
    );
    if scope.account.len() != 12 || !scope.account.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ReachError::bad(format!(
            "account {:?} is not a 12-digit account id",
            scope.account
        )));
    }
    let protocol = parse_protocol(&req.protocol)?;
    let src = parse_endpoint(&req.from, "from")?;
    let dst = parse_endpoint(&req.to, "to")?;
    let port = match protocol {
        Protocol::Tcp | Protocol::Udp => Some(req.port.ok_or_else(|| {
            ReachError::bad(format!("{protocol} queries need a destination port"))
        })?),
        Protocol::Icmp | Protocol::All => None,
    };
    let mut viewer = Viewer {
        account: Some(scope.account.clone()),
        project: owner_in(&src, "projects/").map(|p| gcp::project_of(&p).to_owned()),
        subscription: owner_in(&src, "/subscriptions/").and_then(|id| subscription_of(&id)),
    };
    // An error is redacted as well: it may name the networks that hold an address.
    let redact_error = |viewer: &Viewer, e: ReachError| ReachError {
        message: Redactor::new(world, viewer.clone())
            .with_bare_names(true)
            .text(&e.message),
        ..e
    };
    let src =
        scope_endpoint(world, snap, &scope, src, true).map_err(|e| redact_error(&viewer, e))?;
    let dst =
        scope_endpoint(world, snap, &scope, dst, false).map_err(|e| redact_error(&viewer, e))?;
    let q = Query {
        src,
        dst,
        protocol,
        port,
    };
    let verdict = explain_world(world, snap, &q)
        .map_err(query_error)
        .map_err(|e| redact_error(&viewer, e))?;
    // A bare source address: the caller is whoever owns the interface the engine resolved.
    if let Some(first) = verdict.forward.first() {
        let id = &first.component.id;
        if viewer.project.is_none() && id.starts_with("projects/") {
            viewer.project = Some(gcp::project_of(id).to_owned());
        }
        if viewer.subscription.is_none() {
            viewer.subscription = subscription_of(id);
        }
    }
    let bare = verdict
        .forward
        .iter()
        .chain(&verdict.ret)
        .any(|h| !is_aws(&h.component));
    let r = Redactor::new(world, viewer).with_bare_names(bare);
    Ok(verdict_json(snap, &verdict, &r))
}

/// The GCP path or ARM id (starting with `prefix`) that names the source's owner, if any.
fn owner_in(e: &Endpoint, prefix: &str) -> Option<String> {
    let s = match e {
        Endpoint::GcpInstance(s) | Endpoint::Azure(s) => s.as_str(),
        Endpoint::IpIn(_, hint) => gcp_or_arm(hint),
        _ => return None,
    };
    s.to_ascii_lowercase()
        .starts_with(&prefix.to_ascii_lowercase())
        .then(|| s.to_owned())
}

fn gcp_or_arm(hint: &str) -> &str {
    if hint.contains("/compute/") {
        gcp::relative_path(hint)
    } else {
        hint
    }
}

/// The subscription of an ARM id.
fn subscription_of(id: &str) -> Option<String> {
    let key = vpcpeer_model::azure::key(id);
    let sub = key.strip_prefix("/subscriptions/")?.split('/').next()?;
    (!sub.is_empty()).then(|| sub.to_owned())
}

/// Whether a component is an AWS one (or the internet): its texts hold no bare GCP/Azure names.
fn is_aws(c: &ComponentRef) -> bool {
    !(c.id.starts_with("projects/") || c.id.to_ascii_lowercase().starts_with("/subscriptions/"))
}

/// The JSON form of a verdict, with a fix suggestion per blocker, as `r`'s viewer may see it.
pub fn verdict_json(snap: &Snapshot, v: &Verdict, r: &Redactor<'_>) -> Value {
    let mut out = json!({
        "reachable": v.reachable,
        "forward": v.forward.iter().map(|h| hop_json(h, r)).collect::<Vec<_>>(),
        "return": v.ret.iter().map(|h| hop_json(h, r)).collect::<Vec<_>>(),
        "blockers": v.blockers.iter().map(|b| {
            let fix = fix(snap, v, b);
            let fix = match r.hidden(&b.component.id) {
                Some(h) if changes_the_component(b.code) => {
                    owner_must(&h.owner_words(), &r.text(&fix))
                }
                _ => fix,
            };
            json!({
                "code": b.code.aws_code(),
                "leg": leg_name(b.leg),
                "component": r.component(kind_name(b.component.kind), &b.component.id),
                "detail": b.detail,
                "fix": fix,
            })
        }).collect::<Vec<_>>(),
    });
    // The one pass that guarantees no hidden id or name is left in any text.
    r.json(&mut out);
    out
}

/// Whether the fix of `code` changes the component the blocker names (so that component's owner
/// must make it). The others ask for something elsewhere: the peer side of a peering (GCP's
/// missing entry, Azure's reverse link), the source's own VPC or gateway, or both sides.
fn changes_the_component(code: Code) -> bool {
    match code {
        Code::NoRouteToDestination
        | Code::BadStateRoute
        | Code::BadState
        | Code::EniSgRulesMismatch { .. }
        | Code::SubnetAclRestriction { .. }
        | Code::FirewallRule { .. }
        | Code::NsgRule { .. }
        | Code::NoRoute
        | Code::RouteBlackhole
        | Code::PeeringAccessDisabled => true,
        Code::PcxRequiresAddressInVpcCidr
        | Code::DisconnectedVpcs
        | Code::IgwEdgeToEdge
        | Code::NgwRequiresSourceInVpc
        | Code::UnknownDestination
        | Code::UnsupportedComponent
        | Code::PeeringNotActive
        | Code::NoPeeringPath
        | Code::CrossCloud => false,
    }
}

/// A fix at another owner's component: that owner must make it.
fn owner_must(owner: &str, fix: &str) -> String {
    const VERBS: &[&str] = &[
        "add ", "allow ", "accept ", "create ", "start ", "set ", "remove ", "delete ", "peer ",
        "replace ", "wait ", "repair ", "check ",
    ];
    if VERBS.iter().any(|v| fix.starts_with(v)) {
        format!("its owner ({owner}) must {fix}")
    } else {
        format!("{fix} (a change for its owner, {owner})")
    }
}

fn leg_name(l: Leg) -> &'static str {
    match l {
        Leg::Forward => "forward",
        Leg::Return => "return",
    }
}

fn kind_name(k: ComponentKind) -> &'static str {
    match k {
        ComponentKind::Instance => "instance",
        ComponentKind::NetworkInterface => "network-interface",
        ComponentKind::SecurityGroup => "security-group",
        ComponentKind::NetworkAcl => "network-acl",
        ComponentKind::RouteTable => "route-table",
        ComponentKind::PeeringConnection => "peering-connection",
        ComponentKind::InternetGateway => "internet-gateway",
        ComponentKind::NatGateway => "nat-gateway",
        ComponentKind::Vpc => "vpc",
        ComponentKind::Subnet => "subnet",
        ComponentKind::Internet => "internet",
        ComponentKind::Network => "network",
        ComponentKind::FirewallRule => "firewall-rule",
        ComponentKind::NetworkSecurityGroup => "network-security-group",
    }
}

fn direction_name(d: Direction, acl: bool) -> &'static str {
    match (d, acl) {
        (Direction::Ingress, false) => "ingress",
        (Direction::Egress, false) => "egress",
        (Direction::Ingress, true) => "inbound",
        (Direction::Egress, true) => "outbound",
    }
}

fn rule_json(r: &RuleRef) -> Value {
    match r {
        RuleRef::Route {
            destination,
            target,
        } => json!({
            "type": "route",
            "destination": destination.to_string(),
            "target": target.id(),
        }),
        RuleRef::SecurityGroupRule {
            group_id,
            rule_id,
            direction,
        } => json!({
            "type": "security-group-rule",
            "group_id": group_id,
            "rule_id": rule_id,
            "direction": direction_name(*direction, false),
        }),
        RuleRef::AclRule {
            rule_number,
            action,
            direction,
        } => json!({
            "type": "network-acl-entry",
            "rule_number": rule_number,
            "action": match action { AclAction::Allow => "allow", AclAction::Deny => "deny" },
            "direction": direction_name(*direction, true),
        }),
        RuleRef::Cloud(CloudRule::Route {
            name,
            destination,
            next_hop,
            priority,
        }) => json!({
            "type": "route",
            "name": name,
            "destination": destination,
            "target": next_hop,
            "priority": priority,
        }),
        RuleRef::Cloud(CloudRule::Filter {
            policy,
            rule,
            priority,
            action,
            direction,
        }) => json!({
            "type": "firewall-rule",
            "policy": policy,
            "rule": rule,
            "priority": priority,
            "action": match action { AclAction::Allow => "allow", AclAction::Deny => "deny" },
            "direction": direction_name(*direction, false),
        }),
    }
}

fn header_json(h: &Header) -> Value {
    let mut v = json!({
        "src_ip": h.src_ip.to_string(),
        "dst_ip": h.dst_ip.to_string(),
        "protocol": h.protocol.to_string(),
        "src_port": h.src_port,
        "dst_port": h.dst_port,
    });
    if let Some((t, c)) = h.icmp {
        v["icmp_type"] = json!(t);
        v["icmp_code"] = json!(c);
    }
    v
}

fn hop_json(h: &Hop, r: &Redactor<'_>) -> Value {
    if let Some(RuleRef::SecurityGroupRule {
        group_id, rule_id, ..
    }) = &h.rule
    {
        r.know_rule(rule_id, group_id);
    }
    let hidden = r.hidden(&h.component.id).is_some();
    let mut rule = h.rule.as_ref().map(rule_json).unwrap_or(Value::Null);
    if hidden {
        // The rule of another owner's component: what it did, not what it is called.
        for k in ["group_id", "rule_id", "policy", "rule", "name"] {
            if let Some(x) = rule.get_mut(k) {
                *x = Value::Null;
            }
        }
    }
    json!({
        "component": r.component(kind_name(h.component.kind), &h.component.id),
        "rule": rule,
        "inbound": header_json(&h.inbound),
        "outbound": header_json(&h.outbound),
    })
}

/// The last hop on `leg` that satisfies `pred`.
fn hop_at(v: &Verdict, leg: Leg, pred: impl Fn(&Hop) -> bool) -> Option<&Hop> {
    let hops = match leg {
        Leg::Forward => &v.forward,
        Leg::Return => &v.ret,
    };
    hops.iter().rev().find(|h| pred(h))
}

/// `tcp/443`, `udp/53`, `icmp`, `all traffic`.
fn traffic(h: &Header) -> String {
    match (h.protocol, h.dst_port) {
        (Protocol::Tcp | Protocol::Udp, Some(p)) => format!("{}/{p}", h.protocol),
        (Protocol::All, _) => "all traffic".to_owned(),
        (p, _) => p.to_string(),
    }
}

fn host_net(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}/32"),
        IpAddr::V6(a) => format!("{a}/128"),
    }
}

/// The VPC holding `ip` among the peers of `vpc`, with the peering and the block.
fn peer_for(snap: &Snapshot, vpc: &str, ip: IpAddr) -> Option<(String, String, PeeringState)> {
    let ids = snap.peerings_by_vpc.get(vpc)?;
    let mut best: Option<(String, String, PeeringState)> = None;
    for id in ids {
        let Some(p) = snap.peerings.get(id) else {
            continue;
        };
        let Some(other) = p.other_side(vpc) else {
            continue;
        };
        let Some(ov) = snap.vpcs.get(other) else {
            continue;
        };
        let block = ov
            .ipv4
            .iter()
            .find(|n| matches!(ip, IpAddr::V4(a) if n.contains(&a)))
            .map(|n| n.to_string())
            .or_else(|| {
                ov.ipv6
                    .iter()
                    .find(|n| matches!(ip, IpAddr::V6(a) if n.contains(&a)))
                    .map(|n| n.to_string())
            });
        if let Some(block) = block {
            let cand = (id.clone(), block, p.state);
            if p.is_active() {
                return Some(cand);
            }
            best.get_or_insert(cand);
        }
    }
    best
}

fn state_name(s: PeeringState) -> &'static str {
    vpcpeer_model::ops::peering::state_name(s)
}

/// A one-line suggestion that would remove blocker `b`.
pub fn fix(snap: &Snapshot, v: &Verdict, b: &Explanation) -> String {
    let id = &b.component.id;
    match b.code {
        Code::NoRouteToDestination => {
            let hop = hop_at(v, b.leg, |h| h.component == b.component);
            let (Some(hop), Some(table)) = (hop, snap.tables.get(id)) else {
                return format!("add a route for the destination to {id}");
            };
            let dst = hop.inbound.dst_ip;
            match peer_for(snap, &table.vpc_id, dst) {
                Some((pcx, block, PeeringState::Active)) => {
                    format!("add a route {block} → {pcx} to {id}")
                }
                Some((pcx, block, state)) => format!(
                    "{pcx} is {}: make it active, then add a route {block} → {pcx} to {id}",
                    state_name(state)
                ),
                None => format!(
                    "no peering of {} reaches {dst}: peer the VPCs and add a route for {dst} to {id}",
                    table.vpc_id
                ),
            }
        }
        Code::BadStateRoute => {
            let pcx = hop_at(v, b.leg, |h| h.component == b.component).and_then(|h| {
                match &h.rule {
                    Some(RuleRef::Route {
                        target: RouteTarget::Peering(p),
                        ..
                    }) => Some(p.clone()),
                    _ => None,
                }
            });
            match pcx {
                Some(p) => match snap.peerings.get(&p).map(|x| x.state) {
                    Some(PeeringState::PendingAcceptance) => {
                        format!("accept {p} (it is pending-acceptance)")
                    }
                    Some(PeeringState::InitiatingRequest | PeeringState::Provisioning) => {
                        format!("wait for {p} to become active")
                    }
                    Some(s) => format!(
                        "the peering {p} is {}: remove the route from {id} or re-peer",
                        state_name(s)
                    ),
                    None => format!("{p} no longer exists: remove the route from {id} or re-peer"),
                },
                None => format!("replace the blackhole route in {id} with one to a usable target"),
            }
        }
        Code::BadState => format!("start {id}"),
        Code::PcxRequiresAddressInVpcCidr => {
            "peering is not transitive: peer the two VPCs directly".to_owned()
        }
        Code::DisconnectedVpcs => format!(
            "create a peering connection from {id} to the other VPC, accept it, and route both sides over it"
        ),
        Code::EniSgRulesMismatch { direction } => {
            let group = snap
                .enis
                .get(id)
                .and_then(|e| e.groups.first().cloned())
                .unwrap_or_else(|| format!("a security group of {id}"));
            let hop = hop_at(v, b.leg, |h| {
                h.component.kind == ComponentKind::SecurityGroup
                    && h.component.id == group
                    && h.rule.is_none()
            });
            match (hop, direction) {
                (Some(h), Direction::Ingress) => format!(
                    "allow {} from {} (or its security group) in {group}",
                    traffic(&h.inbound),
                    host_net(h.inbound.src_ip)
                ),
                (Some(h), Direction::Egress) => format!(
                    "allow outbound {} to {} in {group}",
                    traffic(&h.inbound),
                    host_net(h.inbound.dst_ip)
                ),
                (None, _) => format!("add a {} rule to {group}", direction_name(direction, false)),
            }
        }
        Code::SubnetAclRestriction { direction } => {
            let hop = hop_at(v, b.leg, |h| {
                h.component == b.component
                    && matches!(h.rule, Some(RuleRef::AclRule { action: AclAction::Deny, direction: d, .. }) if d == direction)
            });
            match hop {
                Some(h) => {
                    let (way, peer) = match direction {
                        Direction::Ingress => ("inbound", format!("from {}", h.inbound.src_ip)),
                        Direction::Egress => ("outbound", format!("to {}", h.inbound.dst_ip)),
                    };
                    format!(
                        "add an {way} allow entry for {} {peer} in {id} (numbered before any deny that matches)",
                        traffic(&h.inbound)
                    )
                }
                None => format!("add an allow entry in {id}"),
            }
        }
        Code::IgwEdgeToEdge => format!(
            "edge-to-edge routing through {id} is not supported: give the source VPC its own internet gateway"
        ),
        Code::NgwRequiresSourceInVpc => format!(
            "{id} does not serve peered VPCs: use a NAT gateway in the source VPC"
        ),
        Code::UnknownDestination => {
            "no interface holds the destination address: check the address".to_owned()
        }
        Code::FirewallRule { direction } | Code::NsgRule { direction } => {
            cloud_filter_fix(v, b, direction)
        }
        Code::NoRoute => match v.blockers.iter().find(|o| {
            matches!(
                o.code,
                Code::PeeringNotActive | Code::PeeringAccessDisabled | Code::NoPeeringPath
            )
        }) {
            Some(_) => "repair the peering first (see the peering blocker): its routes follow".to_owned(),
            None => format!("add a route for the destination to {id}"),
        },
        Code::RouteBlackhole => format!(
            "remove or repoint the route that drops the traffic at {id} (its next hop is gone or None)"
        ),
        Code::PeeringNotActive => match id.split_once("/peerings/") {
            Some((network, name)) => format!(
                "add the peering back to {network} from the peer network (networks.addPeering) \
                 so that {name} becomes ACTIVE"
            ),
            None if b.detail.contains("Disconnected") => format!(
                "delete {id} and the link on the remote VNet, then create both again so they connect"
            ),
            None => format!(
                "create the reverse peering link on the remote VNet so that {id} becomes Connected"
            ),
        },
        Code::PeeringAccessDisabled => {
            format!("set allowVirtualNetworkAccess to true on {id}")
        }
        Code::NoPeeringPath => format!(
            "peer the two networks directly (from both sides) with {id}; peering is not transitive"
        ),
        Code::CrossCloud => "native peering cannot join clouds: connect them with encrypted \
             peering through a gateway in each cloud (e.g. a transit gateway)"
            .to_owned(),
        Code::UnsupportedComponent => {
            "the path needs a component the engine does not model (e.g. a transit gateway)"
                .to_owned()
        }
    }
}

/// `tcp:443`, `udp:53`, `icmp`, `all` (GCP's way of writing a protocol and port).
fn gcp_traffic(h: &Header) -> String {
    match (h.protocol, h.dst_port) {
        (Protocol::Tcp | Protocol::Udp, Some(p)) => format!("{}:{p}", h.protocol),
        (p, _) => p.to_string(),
    }
}

/// The fix for a GCP firewall or Azure NSG denial: an allow rule ahead of the one that decided.
fn cloud_filter_fix(v: &Verdict, b: &Explanation, direction: Direction) -> String {
    let hop = hop_at(v, b.leg, |h| {
        h.component == b.component
            && matches!(
                h.rule,
                Some(RuleRef::Cloud(CloudRule::Filter {
                    action: AclAction::Deny,
                    ..
                }))
            )
    });
    let Some((
        h,
        Some(RuleRef::Cloud(CloudRule::Filter {
            policy, priority, ..
        })),
    )) = hop.map(|h| (h, h.rule.as_ref()))
    else {
        return format!(
            "add a rule allowing the traffic ahead of the one in {}",
            b.component.id
        );
    };
    let h = &h.inbound;
    match (b.code, direction) {
        (Code::FirewallRule { .. }, Direction::Ingress) => format!(
            "add an ingress firewall rule allowing {} from {} to network {policy} (priority below {priority})",
            gcp_traffic(h),
            host_net(h.src_ip)
        ),
        (Code::FirewallRule { .. }, Direction::Egress) => format!(
            "add an egress firewall rule allowing {} to {} in network {policy} (priority below {priority})",
            gcp_traffic(h),
            host_net(h.dst_ip)
        ),
        (_, Direction::Ingress) => format!(
            "add an inbound security rule allowing {} from {} to {} in {policy} (priority below {priority})",
            traffic(h),
            host_net(h.src_ip),
            host_net(h.dst_ip)
        ),
        (_, Direction::Egress) => format!(
            "add an outbound security rule allowing {} from {} to {} in {policy} (priority below {priority})",
            traffic(h),
            host_net(h.src_ip),
            host_net(h.dst_ip)
        ),
    }
}

#[cfg(test)]
#[path = "reach_tests.rs"]
pub(crate) mod tests;
