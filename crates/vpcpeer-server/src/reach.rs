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
//! The answer is `{"reachable", "forward": [hop], "return": [hop], "blockers": [blocker]}`
//! ([`vpcpeer_api::ReachAnswer`]); the reach crate knows no wire format, so the JSON is built
//! here. Each blocker's one-line `fix` is the engine's typed remedy
//! ([`vpcpeer_reach::remedy()`]: the table, peering, group, values to change) put into words by
//! [`remedy_text`]; nothing here reads the engine's prose.

use axum::http::StatusCode;
use serde_json::Value;
use vpcpeer_api as api;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::gcp;
use vpcpeer_model::{AclAction, Scope, World};
use vpcpeer_reach::{
    explain_world, CloudRule, Code, ComponentKind, ComponentRef, Direction, Endpoint, Explanation,
    Header, Hop, Leg, Protocol, Query, QueryError, Remedy, RuleRef, Snapshot, Traffic, Verdict,
};

use crate::redact::{Redactor, Viewer};

/// The request body (the API crate's type).
pub use vpcpeer_api::ReachRequest;

/// An error answer: status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message.
    pub message: String,
}

impl ReachError {
    /// A 400 with `message`.
    pub(crate) fn bad(message: impl Into<String>) -> Self {
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

impl axum::response::IntoResponse for ReachError {
    fn into_response(self) -> axum::response::Response {
        crate::json_error(self.status, &self.message)
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

/// `tcp`, `udp`, `icmp` or `all` (`-1`), in any case.
pub(crate) fn parse_protocol(s: &str) -> Result<Protocol, ReachError> {
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

/// Checks that an id endpoint belongs to `scope`'s account (in any of its regions: a path may
/// cross regions, over an inter-region peering or a tunnel); resolves a source address to the caller's
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
        Endpoint::Instance(id) => match world.aws.instances().get(&id) {
            Some(i) if i.scope.account == scope.account => Ok(Endpoint::Instance(id)),
            _ => Err(foreign("instance", &id)),
        },
        Endpoint::Eni(id) => match world.aws.network_interfaces().get(&id) {
            Some(n) if n.scope.account == scope.account => Ok(Endpoint::Eni(id)),
            _ => Err(foreign("network interface", &id)),
        },
        Endpoint::Ip(ip) if is_src => {
            let all = snap.enis_by_ip.get(&ip).map(Vec::as_slice).unwrap_or(&[]);
            let mine: Vec<&String> = all
                .iter()
                .filter(|id| {
                    world
                        .aws
                        .network_interfaces()
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
            match world.aws.vpcs().get(&vpc) {
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
    let answer = api::ReachAnswer {
        reachable: v.reachable,
        forward: v.forward.iter().map(|h| hop_api(h, r)).collect(),
        ret: v.ret.iter().map(|h| hop_api(h, r)).collect(),
        blockers: v
            .blockers
            .iter()
            .map(|b| {
                let fix = fix(snap, v, b);
                let fix = match r.hidden(&b.component.id) {
                    Some(h) if changes_the_component(b.code) => {
                        owner_must(&h.owner_words(), &r.text(&fix))
                    }
                    _ => fix,
                };
                api::Blocker {
                    code: b.code.aws_code().to_owned(),
                    leg: leg_api(b.leg),
                    component: r.component(kind_name(b.component.kind), &b.component.id),
                    detail: b.detail.clone(),
                    fix,
                }
            })
            .collect(),
    };
    let mut out = serde_json::to_value(&answer).unwrap_or_default();
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
        | Code::PeeringAccessDisabled
        | Code::EniSourceDestCheckRestriction
        | Code::InstanceNotRunning
        | Code::RoutingLoop
        | Code::TunnelConfigInvalid
        | Code::TunnelPeerNotFound
        | Code::TunnelPeerEntryMissing
        | Code::TunnelKeyMismatch
        | Code::TunnelPortMismatch
        | Code::TunnelGatewayNotRunning
        | Code::TunnelNoPublicIp
        | Code::TunnelNoInternetRoute
        | Code::TunnelOuterBlockedBySg { .. }
        | Code::TunnelOuterBlockedByAcl { .. }
        | Code::TunnelSourceNotAllowed
        | Code::TunnelNoRouteForDestination
        | Code::TunnelGatewayNoForwarding => true,
        Code::PcxRequiresAddressInVpcCidr
        | Code::DisconnectedVpcs
        | Code::IgwEdgeToEdge
        | Code::VgwEdgeToEdge
        | Code::NgwRequiresSourceInVpc
        | Code::EgressOnlyInbound
        | Code::VpceGatewayEdgeToEdge
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
        "add ",
        "allow ",
        "accept ",
        "create ",
        "start ",
        "set ",
        "remove ",
        "delete ",
        "peer ",
        "replace ",
        "wait ",
        "repair ",
        "check ",
        "allocate ",
        "attach ",
        "change ",
    ];
    if VERBS.iter().any(|v| fix.starts_with(v)) {
        format!("its owner ({owner}) must {fix}")
    } else {
        format!("{fix} (a change for its owner, {owner})")
    }
}

fn leg_api(l: Leg) -> api::Leg {
    match l {
        Leg::Forward => api::Leg::Forward,
        Leg::Return => api::Leg::Return,
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
        ComponentKind::EgressOnlyInternetGateway => "egress-only-internet-gateway",
        ComponentKind::VpnGateway => "vpn-gateway",
        ComponentKind::Vpc => "vpc",
        ComponentKind::Subnet => "subnet",
        ComponentKind::Internet => "internet",
        ComponentKind::Network => "network",
        ComponentKind::FirewallRule => "firewall-rule",
        ComponentKind::NetworkSecurityGroup => "network-security-group",
        ComponentKind::VpcEndpoint => "vpc-endpoint",
        ComponentKind::Tunnel => "tunnel",
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

fn action_name(a: AclAction) -> &'static str {
    match a {
        AclAction::Allow => "allow",
        AclAction::Deny => "deny",
    }
}

fn rule_api(r: &RuleRef) -> api::Rule {
    match r {
        RuleRef::Route {
            destination,
            target,
        } => api::Rule::Route(api::RouteRule {
            destination: destination.to_string(),
            name: None,
            priority: None,
            target: target.id().to_string(),
        }),
        RuleRef::SecurityGroupRule {
            group_id,
            rule_id,
            direction,
        } => api::Rule::SecurityGroupRule(api::SecurityGroupRule {
            direction: direction_name(*direction, false).to_owned(),
            group_id: Some(group_id.clone()),
            rule_id: Some(rule_id.clone()),
        }),
        RuleRef::AclRule {
            rule_number,
            action,
            direction,
        } => api::Rule::NetworkAclEntry(api::AclEntryRule {
            action: action_name(*action).to_owned(),
            direction: direction_name(*direction, true).to_owned(),
            rule_number: *rule_number,
        }),
        RuleRef::Cloud(CloudRule::Route {
            name,
            destination,
            next_hop,
            priority,
        }) => api::Rule::Route(api::RouteRule {
            destination: destination.clone(),
            name: Some(Some(name.clone())),
            priority: Some(*priority),
            target: next_hop.clone(),
        }),
        RuleRef::Cloud(CloudRule::Filter {
            policy,
            rule,
            priority,
            action,
            direction,
        }) => api::Rule::FirewallRule(api::FilterRule {
            action: action_name(*action).to_owned(),
            direction: direction_name(*direction, false).to_owned(),
            policy: Some(policy.clone()),
            priority: *priority,
            rule: Some(rule.clone()),
        }),
    }
}

/// The rule of another owner's component: what it did, not what it is called.
fn hide_names(rule: &mut api::Rule) {
    match rule {
        api::Rule::Route(r) => {
            if let Some(name) = &mut r.name {
                *name = None;
            }
        }
        api::Rule::SecurityGroupRule(r) => {
            r.group_id = None;
            r.rule_id = None;
        }
        api::Rule::NetworkAclEntry(_) => {}
        api::Rule::FirewallRule(r) => {
            r.policy = None;
            r.rule = None;
        }
    }
}

fn header_api(h: &Header) -> api::Header {
    api::Header {
        src_ip: h.src_ip.to_string(),
        dst_ip: h.dst_ip.to_string(),
        protocol: h.protocol.to_string(),
        src_port: h.src_port,
        dst_port: h.dst_port,
        icmp_type: h.icmp.map(|(t, _)| t),
        icmp_code: h.icmp.map(|(_, c)| c),
    }
}

fn hop_api(h: &Hop, r: &Redactor<'_>) -> api::Hop {
    if let Some(RuleRef::SecurityGroupRule {
        group_id, rule_id, ..
    }) = &h.rule
    {
        r.know_rule(rule_id, group_id);
    }
    let mut rule = h.rule.as_ref().map(rule_api);
    if let (Some(rule), Some(_)) = (&mut rule, r.hidden(&h.component.id)) {
        hide_names(rule);
    }
    api::Hop {
        component: r.component(kind_name(h.component.kind), &h.component.id),
        rule,
        inbound: header_api(&h.inbound),
        outbound: header_api(&h.outbound),
    }
}

/// `tcp/443`, `udp/53`, `icmp`, `all traffic`.
fn traffic(t: &Traffic) -> String {
    match (t.protocol, t.port) {
        (Protocol::Tcp | Protocol::Udp, Some(p)) => format!("{}/{p}", t.protocol),
        (Protocol::All, _) => "all traffic".to_owned(),
        (p, _) => p.to_string(),
    }
}

/// `tcp:443`, `udp:53`, `icmp`, `all` (GCP's way of writing a protocol and port).
fn gcp_traffic(t: &Traffic) -> String {
    match (t.protocol, t.port) {
        (Protocol::Tcp | Protocol::Udp, Some(p)) => format!("{}:{p}", t.protocol),
        (p, _) => p.to_string(),
    }
}

fn state_name(s: PeeringState) -> &'static str {
    vpcpeer_wire_aws::peering_state_name(s)
}

/// A one-line suggestion that would remove blocker `b`: the engine's typed
/// [`vpcpeer_reach::remedy()`], in words.
pub fn fix(snap: &Snapshot, v: &Verdict, b: &Explanation) -> String {
    remedy_text(&vpcpeer_reach::remedy(snap, v, b))
}

/// The sentence of a remedy.
pub fn remedy_text(r: &Remedy) -> String {
    match r {
        Remedy::AddPeeringRoute {
            table,
            destination,
            peering,
        } => format!("add a route {destination} → {peering} to {table}"),
        Remedy::ActivatePeeringThenRoute {
            peering,
            state,
            destination,
            table,
        } => format!(
            "{peering} is {}: make it active, then add a route {destination} → {peering} to {table}",
            state_name(*state)
        ),
        Remedy::PeerVpcsThenRoute {
            vpc,
            destination,
            table,
        } => format!(
            "no peering of {vpc} reaches {destination}: peer the VPCs and add a route for {destination} to {table}"
        ),
        Remedy::AddRouteForDestination { table } => {
            format!("add a route for the destination to {table}")
        }
        Remedy::AcceptPeering { peering } => {
            format!("accept {peering} (it is pending-acceptance)")
        }
        Remedy::WaitForPeering { peering } => format!("wait for {peering} to become active"),
        Remedy::RemoveRouteOrRepeer {
            table,
            peering,
            state: Some(s),
        } => format!(
            "the peering {peering} is {}: remove the route from {table} or re-peer",
            state_name(*s)
        ),
        Remedy::RemoveRouteOrRepeer {
            table,
            peering,
            state: None,
        } => format!("{peering} no longer exists: remove the route from {table} or re-peer"),
        Remedy::ReplaceBlackholeRoute { table } => {
            format!("replace the blackhole route in {table} with one to a usable target")
        }
        Remedy::StartInstance { instance } => format!("start {instance}"),
        Remedy::DisableSourceDestCheck { interface } => format!(
            "turn the source/destination check off on {interface} (ModifyNetworkInterfaceAttribute SourceDestCheck.Value=false)"
        ),
        Remedy::BreakRoutingLoop { table } => {
            format!("change the route of {table} that sends the packet back to an appliance it already crossed")
        }
        Remedy::PeerVpcsDirectly => {
            "peering is not transitive: peer the two VPCs directly".to_owned()
        }
        Remedy::CreatePeering { vpc } => format!(
            "create a peering connection from {vpc} to the other VPC, accept it, and route both sides over it"
        ),
        Remedy::AllowInSecurityGroup {
            group,
            direction: Direction::Ingress,
            traffic: t,
            peer,
        } => format!(
            "allow {} from {peer} (or its security group) in {group}",
            traffic(t)
        ),
        Remedy::AllowInSecurityGroup {
            group,
            direction: Direction::Egress,
            traffic: t,
            peer,
        } => format!("allow outbound {} to {peer} in {group}", traffic(t)),
        Remedy::AddSecurityGroupRule { group, direction } => {
            format!("add a {} rule to {group}", direction_name(*direction, false))
        }
        Remedy::AddInterfaceGroupRule {
            interface,
            direction,
        } => format!(
            "add a {} rule to a security group of {interface}",
            direction_name(*direction, false)
        ),
        Remedy::AllowInNetworkAcl {
            acl,
            direction,
            traffic: t,
            peer,
        } => {
            let (way, peer) = match direction {
                Direction::Ingress => ("inbound", format!("from {peer}")),
                Direction::Egress => ("outbound", format!("to {peer}")),
            };
            format!(
                "add an {way} allow entry for {} {peer} in {acl} (numbered before any deny that matches)",
                traffic(t)
            )
        }
        Remedy::AddNetworkAclEntry { acl } => format!("add an allow entry in {acl}"),
        Remedy::OwnInternetGateway { gateway } => format!(
            "edge-to-edge routing through {gateway} is not supported: give the source VPC its own internet gateway"
        ),
        Remedy::OwnVpnGateway { gateway } => format!(
            "edge-to-edge routing through {gateway} is not supported: a peer cannot use the VPN connection; give the source VPC its own virtual private gateway and VPN connection"
        ),
        Remedy::OwnNatGateway { gateway } => {
            format!("{gateway} does not serve peered VPCs: use a NAT gateway in the source VPC")
        }
        Remedy::InternetGatewayForInbound { gateway } => format!(
            "{gateway} carries only connections its VPC opens: attach an internet gateway to the VPC for inbound IPv6"
        ),
        Remedy::OwnGatewayEndpoint { endpoint } => format!(
            "{endpoint} does not serve peered VPCs: create a gateway endpoint for the service in the source VPC"
        ),
        Remedy::CheckDestinationAddress => {
            "no interface holds the destination address: check the address".to_owned()
        }
        Remedy::AddFirewallRule {
            network,
            direction: Direction::Ingress,
            traffic: t,
            peer,
            priority_below,
        } => format!(
            "add an ingress firewall rule allowing {} from {peer} to network {network} (priority below {priority_below})",
            gcp_traffic(t)
        ),
        Remedy::AddFirewallRule {
            network,
            direction: Direction::Egress,
            traffic: t,
            peer,
            priority_below,
        } => format!(
            "add an egress firewall rule allowing {} to {peer} in network {network} (priority below {priority_below})",
            gcp_traffic(t)
        ),
        Remedy::AddNsgRule {
            nsg,
            direction,
            traffic: t,
            source,
            destination,
            priority_below,
        } => format!(
            "add an {} security rule allowing {} from {source} to {destination} in {nsg} (priority below {priority_below})",
            direction_name(*direction, true),
            traffic(t)
        ),
        Remedy::AllowAhead { component } => {
            format!("add a rule allowing the traffic ahead of the one in {component}")
        }
        Remedy::RepairPeeringFirst => {
            "repair the peering first (see the peering blocker): its routes follow".to_owned()
        }
        Remedy::RemoveBlackholeRoute { component } => format!(
            "remove or repoint the route that drops the traffic at {component} (its next hop is gone or None)"
        ),
        Remedy::AddGcpPeeringBack { network, name } => format!(
            "add the peering back to {network} from the peer network (networks.addPeering) \
             so that {name} becomes ACTIVE"
        ),
        Remedy::RecreateAzurePeering { link } => format!(
            "delete {link} and the link on the remote VNet, then create both again so they connect"
        ),
        Remedy::CreateReverseAzureLink { link } => format!(
            "create the reverse peering link on the remote VNet so that {link} becomes Connected"
        ),
        Remedy::AllowVnetAccess { link } => {
            format!("set allowVirtualNetworkAccess to true on {link}")
        }
        Remedy::PeerNetworksDirectly { network } => format!(
            "peer the two networks directly (from both sides) with {network}; peering is not transitive"
        ),
        Remedy::ConnectClouds => "native peering cannot join clouds: connect them with encrypted \
             peering through a gateway in each cloud (e.g. a transit gateway)"
            .to_owned(),
        Remedy::Unsupported => {
            "the path needs a component the engine does not model (e.g. a transit gateway)"
                .to_owned()
        }
        Remedy::AssignPublicIp { instance } => format!(
            "allocate an Elastic IP and associate it with {instance} (AllocateAddress, AssociateAddress)"
        ),
        Remedy::AddInternetRoute {
            table,
            gateway: Some(g),
        } => format!("add a route 0.0.0.0/0 → {g} to {table}"),
        Remedy::AddInternetRoute {
            table,
            gateway: None,
        } => format!(
            "attach an internet gateway to the VPC of {table} and add a route 0.0.0.0/0 → it to {table}"
        ),
        Remedy::EnableGatewayForwarding { .. }
        | Remedy::AssignGcpExternalIp { .. }
        | Remedy::AssignAzurePublicIp { .. }
        | Remedy::AddGcpInternetRoute { .. }
        | Remedy::AddAzureInternetRoute { .. } => tunnel_words::gateway_fix_text(r),
        Remedy::FixGatewayConfig { instance, change } => format!(
            "change the gateway configuration in the user data of {instance} (stop it, ModifyInstanceAttribute UserData, start it): {}",
            tunnel_words::config_change_text(change)
        ),
    }
}

mod tunnel_words;

#[cfg(test)]
#[path = "reach_tests.rs"]
pub(crate) mod tests;
