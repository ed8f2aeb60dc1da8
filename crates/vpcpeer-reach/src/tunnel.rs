//! Encrypted tunnels between gateway VMs, cloud-neutral: what makes a tunnel carry an inner
//! packet, whichever clouds its two gateways run in.
//!
//! A gateway is a VM of the built-in `vpcpeer-gateway` image; its configuration is the text a
//! controller put in its user data ([`vpcpeer_gateway`]: a WireGuard-style `[Interface]` and one
//! `[Peer]` per tunnel). A packet that a route sends to such a VM goes **into a tunnel** when
//! the configuration has a peer whose `AllowedIPs` hold the inner destination
//! ([`GatewayConfig::peer_for`], cryptokey routing); otherwise the VM is an ordinary router.
//! [`plan`] then checks, in this order, each failure a named blocker:
//! 1. the far gateway: the VM whose public IPv4 address is the peer's `Endpoint` address, of the
//!    gateway image, with a configuration (`TUNNEL_PEER_NOT_FOUND`; a configuration that does
//!    not parse on either side is `TUNNEL_CONFIG_INVALID`);
//! 2. the far configuration has a `[Peer]` entry named after this gateway
//!    (`TUNNEL_PEER_ENTRY_MISSING`), each side's entry for the other holds the other's public
//!    key (`TUNNEL_KEY_MISMATCH`, [`GatewayConfig::peer_key_matches`] both ways), and the
//!    `Endpoint` port is the far `ListenPort` (`TUNNEL_PORT_MISMATCH`);
//! 3. the inner source lies in the far entry's `AllowedIPs` (cryptokey routing on receipt,
//!    `TUNNEL_SOURCE_NOT_ALLOWED`);
//! 4. the **outer path, both ways** (a WireGuard tunnel needs each end to reach the other):
//!    UDP from this gateway's public address and `ListenPort` to the endpoint, and from the far
//!    gateway's public address and `ListenPort` back to this one's, each checked leaving the
//!    sender and arriving at the receiver by the sender's and the receiver's cloud
//!    ([`TunnelCloud::outer_send`], [`TunnelCloud::outer_receive`]).
//!
//! The inner packet then leaves the far gateway with its original source and destination and
//! is routed on from there by the far network. The return path comes back through the same
//! tunnel: the far gateway must send the reply's destination into the tunnel to this gateway
//! (`TUNNEL_NO_ROUTE_FOR_DESTINATION`), and this gateway's entry for the far one must allow the
//! reply's source ([`check_return`]).
//!
//! **The clouds.** The model reads gateways through [`TunnelCloud`]: a cloud gives the
//! [`GatewayHost`] at a public address (cloud, VM, network, private and public address, running,
//! forwarding allowed, configuration) and checks the outer path at a host of its own
//! (AWS: running, public IP, internet route, network ACL and security group —
//! `tunnel/aws.rs`, implemented on the [`Snapshot`](crate::Snapshot); GCP: running, external
//! address, firewall rules, a route to `default-internet-gateway` — `tunnel/gcp.rs`; Azure:
//! power state, the NIC's public IP, its NSGs, an effective route to `Internet` —
//! `tunnel/azure.rs`). [`clouds::AllClouds`] answers [`TunnelCloud::host_by_public_ip`] across
//! the three clouds and delegates each outer check to the cloud of the host it is given.
//! Nothing in this module names a cloud's resources.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::Ipv4Net;
use vpcpeer_gateway::{ConfigError, GatewayConfig, Peer, PublicKey};

use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, ConfigChange, Direction, Fact, Header,
    Protocol, RuleRef, TunnelFix,
};

pub mod aws;
pub mod azure;
pub mod clouds;
pub mod gcp;

/// The cloud a gateway VM runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// An EC2 instance.
    Aws,
    /// A Compute Engine instance.
    Gcp,
    /// An Azure VM.
    Azure,
}

/// A configuration that parses, with the public key of its private key (derived once, when the
/// snapshot compiles the VM: a query compares keys without deriving any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedConfig {
    /// The configuration.
    pub config: GatewayConfig,
    /// `config.private_key.public()`.
    pub public_key: PublicKey,
}

impl KeyedConfig {
    /// Whether this configuration's entry for `other` holds `other`'s public key (what
    /// [`GatewayConfig::peer_key_matches`] says, with the key already derived).
    pub fn peer_key_matches(&self, other: &KeyedConfig) -> bool {
        self.config
            .peer(&other.config.name)
            .is_some_and(|p| p.public_key == other.public_key)
    }
}

/// What a gateway VM's boot configuration says (compiled once per VM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewaySetup {
    /// A configuration that parses.
    Config(Box<KeyedConfig>),
    /// No configuration (no user data, or text without the marker line): no tunnels, an
    /// ordinary router.
    Missing,
    /// A configuration that does not parse: no tunnels.
    Invalid(ConfigError),
}

impl GatewaySetup {
    /// The setup of a gateway VM whose user data is `text` (already decoded).
    pub fn from_text(text: Option<&str>) -> GatewaySetup {
        match text.and_then(vpcpeer_gateway::parse_user_data) {
            None => GatewaySetup::Missing,
            Some(Ok(config)) => GatewaySetup::Config(Box::new(KeyedConfig {
                public_key: config.private_key.public(),
                config,
            })),
            Some(Err(e)) => GatewaySetup::Invalid(e),
        }
    }
}

/// A VM as the tunnel model sees it, whichever cloud runs it.
#[derive(Debug, Clone, Copy)]
pub struct GatewayHost<'a> {
    /// Its cloud.
    pub cloud: Cloud,
    /// The VM (`i-…`, a GCP instance path, an Azure VM id).
    pub instance: &'a str,
    /// The interface that holds its addresses.
    pub interface: &'a str,
    /// Its network (VPC, GCP network, VNet).
    pub network: &'a str,
    /// Its private address.
    pub private_ip: IpAddr,
    /// Its public IPv4 address, if any.
    pub public_ip: Option<Ipv4Addr>,
    /// Whether it runs.
    pub running: bool,
    /// Whether its cloud lets it forward packets not addressed to it (AWS: source/destination
    /// check off; GCP `canIpForward`; Azure NIC IP forwarding).
    pub forwarding: bool,
    /// Its configuration; `None` when the VM is not of the gateway image.
    pub setup: Option<&'a GatewaySetup>,
}

/// A blocker the tunnel model found, before the walk records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// Its code.
    pub code: Code,
    /// The component to change.
    pub component: ComponentRef,
    /// The sentence.
    pub detail: String,
    /// The fix's data.
    pub fact: Option<Fact>,
}

/// One component the outer path crosses, with the rule that decided and its blocker, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OuterStep {
    /// The component.
    pub component: ComponentRef,
    /// The rule that applied.
    pub rule: Option<RuleRef>,
    /// The outer header there.
    pub header: Header,
    /// Why it stops the outer packet, if it does.
    pub blocked: Option<Blocked>,
}

/// A cloud's side of the tunnel model (see the module doc: the trait a GCP or Azure gateway
/// implements to plug in).
pub trait TunnelCloud {
    /// The VM holding public address `ip`, if any.
    fn host_by_public_ip(&self, ip: Ipv4Addr) -> Option<GatewayHost<'_>>;
    /// The outer packet `outer` leaving `host` (its sender): the VM runs, has a public
    /// address, its filters let the packet out and a route leads it to the internet.
    fn outer_send(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep>;
    /// The outer packet `outer` arriving at `host` (its receiver): the VM runs, its filters
    /// admit the packet from the sender's public address, and its network can answer.
    fn outer_receive(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep>;
}

impl Blocked {
    /// A blocker whose fix is the tunnel fix `fix`.
    pub(crate) fn tunnel(
        code: Code,
        component: ComponentRef,
        detail: String,
        fix: TunnelFix,
    ) -> Blocked {
        Blocked {
            code,
            component,
            detail,
            fact: Some(Fact::Tunnel(fix)),
        }
    }
}

impl OuterStep {
    /// A step through `component`, decided by `rule`, that does not stop the packet.
    pub(crate) fn new(component: ComponentRef, rule: Option<RuleRef>, header: Header) -> Self {
        OuterStep {
            component,
            rule,
            header,
            blocked: None,
        }
    }

    /// This step, stopping the packet with `b`.
    pub(crate) fn stopped(mut self, b: Blocked) -> Self {
        self.blocked = Some(b);
        self
    }
}

/// Where a gateway's route for the other gateway's public address leads: on to the next
/// component (the internet, an internet gateway), or why not, with the fix.
pub(crate) type InternetRoute = Result<ComponentRef, (String, TunnelFix)>;

/// A cloud's outer-path checks at one of its gateway hosts: the parts [`outer_walk`] runs, in
/// its order, for every cloud.
pub(crate) trait OuterChecks {
    /// Why host `h`, which does not run, carries nothing (its state named).
    fn not_running(&self, h: &GatewayHost<'_>) -> String;
    /// Why host `h` has no public address, and the fix.
    fn no_public_ip(&self, h: &GatewayHost<'_>) -> (String, TunnelFix);
    /// Records the host's filters for `outer` in direction `dir` (their steps, and the
    /// blocker of the one that drops it).
    fn filters(&self, h: &GatewayHost<'_>, dir: Direction, outer: Header, out: &mut Vec<OuterStep>);
    /// The host's route step for the other gateway's public address (`outer`'s other end in
    /// direction `dir`), and where it leads.
    fn route(
        &self,
        h: &GatewayHost<'_>,
        dir: Direction,
        outer: Header,
    ) -> (OuterStep, InternetRoute);
}

/// The outer packet `outer` leaving (`dir` egress) or arriving at (ingress) gateway `h`, checked
/// by its cloud's `checks`: the host runs (`TUNNEL_GATEWAY_NOT_RUNNING`) and has a public
/// address (`TUNNEL_NO_PUBLIC_IP`), its filters pass the packet, and its route for the other
/// end's public address leads to the internet (`TUNNEL_NO_INTERNET_ROUTE`).
pub(crate) fn outer_walk(
    checks: &impl OuterChecks,
    h: &GatewayHost<'_>,
    outer: Header,
    dir: Direction,
) -> Vec<OuterStep> {
    let mut out = Vec::new();
    let me = instance_ref(h);
    if !h.running {
        out.push(OuterStep::new(me.clone(), None, outer).stopped(Blocked {
            code: Code::TunnelGatewayNotRunning,
            component: me.clone(),
            detail: checks.not_running(h),
            fact: None,
        }));
    }
    if h.public_ip.is_none() {
        let (detail, fix) = checks.no_public_ip(h);
        let b = Blocked::tunnel(Code::TunnelNoPublicIp, me.clone(), detail, fix);
        out.push(OuterStep::new(me, None, outer).stopped(b));
    }
    checks.filters(h, dir, outer, &mut out);
    let (s, next) = checks.route(h, dir, outer);
    match next {
        Ok(next) => {
            out.push(s);
            out.push(OuterStep::new(next, None, outer));
        }
        Err((detail, fix)) => {
            let b = Blocked::tunnel(
                Code::TunnelNoInternetRoute,
                s.component.clone(),
                detail,
                fix,
            );
            out.push(s.stopped(b));
        }
    }
    out
}

/// [`outer_walk`] at a gateway whose cloud's checks need the two gateways' IPv4 addresses (GCP,
/// Azure): `checks` of the other end's public address and this host's private one, when both
/// are IPv4 and the cloud finds the host's records (no steps otherwise).
pub(crate) fn outer_walk_v4<C: OuterChecks>(
    h: &GatewayHost<'_>,
    outer: Header,
    dir: Direction,
    checks: impl FnOnce(Ipv4Addr, Ipv4Addr) -> Option<C>,
) -> Vec<OuterStep> {
    let checks = match (outer.other_end(dir), h.private_ip) {
        (IpAddr::V4(peer), IpAddr::V4(local)) => checks(peer, local),
        _ => None,
    };
    checks.map_or_else(Vec::new, |c| outer_walk(&c, h, outer, dir))
}

/// A tunnel an inner packet goes into, and everything that stops it.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// The tunnel's component (`LOCAL->PEER`).
    pub component: ComponentRef,
    /// The cryptokey route that chose it (the matched `AllowedIPs` prefix, the endpoint).
    pub rule: RuleRef,
    /// The far gateway, when one was found at the endpoint.
    pub peer: Option<GatewayHost<'a>>,
    /// The outer path's components, both ways.
    pub outer: Vec<OuterStep>,
    /// Every blocker, in the order found (outer ones included, once each).
    pub blockers: Vec<Blocked>,
}

fn instance_ref(h: &GatewayHost<'_>) -> ComponentRef {
    ComponentRef::new(K::Instance, h.instance)
}

fn config_fix(code: Code, host: &GatewayHost<'_>, detail: String, change: ConfigChange) -> Blocked {
    let fix = TunnelFix::Config {
        instance: host.instance.to_owned(),
        change,
    };
    Blocked::tunnel(code, instance_ref(host), detail, fix)
}

fn invalid(host: &GatewayHost<'_>, e: &ConfigError) -> Blocked {
    config_fix(
        Code::TunnelConfigInvalid,
        host,
        format!(
            "the gateway configuration in the user data of {} does not parse ({e}): it brings up no tunnel",
            host.instance
        ),
        ConfigChange::Repair {
            line: e.line,
            problem: e.problem.to_string(),
        },
    )
}

/// The outer UDP header from `from` to `to`.
fn outer_header(from: Ipv4Addr, from_port: u16, to: Ipv4Addr, to_port: u16) -> Header {
    Header {
        src_ip: IpAddr::V4(from),
        dst_ip: IpAddr::V4(to),
        protocol: Protocol::Udp,
        src_port: Some(from_port),
        dst_port: Some(to_port),
        icmp: None,
    }
}

/// The configuration of a gateway host, if it has one that parses.
pub fn config_of<'a>(h: &GatewayHost<'a>) -> Option<&'a GatewayConfig> {
    keyed_of(h).map(|k| &k.config)
}

/// The configuration of a gateway host with its public key, if it has one that parses.
pub fn keyed_of<'a>(h: &GatewayHost<'a>) -> Option<&'a KeyedConfig> {
    match h.setup {
        Some(GatewaySetup::Config(c)) => Some(&**c),
        _ => None,
    }
}

/// The tunnel `inner` goes into at gateway `local`, or `None` when it goes into none (the VM
/// is not of the gateway image, has no configuration, or no peer allows the destination: an
/// ordinary router then). A configuration that does not parse is a plan with no peer and its
/// blocker.
pub fn plan<'a, C: TunnelCloud>(
    net: &'a C,
    local: &GatewayHost<'a>,
    inner: Header,
) -> Option<Plan<'a>> {
    let setup = local.setup?;
    let IpAddr::V4(dst) = inner.dst_ip else {
        return None;
    };
    let cfg = match setup {
        GatewaySetup::Missing => return None,
        GatewaySetup::Invalid(e) => {
            return Some(Plan {
                component: ComponentRef::new(K::Tunnel, format!("{}->?", local.instance)),
                rule: RuleRef::Cloud(CloudRule::Route {
                    name: "no tunnel".into(),
                    destination: dst.to_string(),
                    next_hop: "none".into(),
                    priority: None,
                }),
                peer: None,
                outer: Vec::new(),
                blockers: vec![invalid(local, e)],
            })
        }
        GatewaySetup::Config(c) => &**c,
    };
    let keyed = cfg;
    let cfg = &keyed.config;
    let peer = cfg.peer_for(dst)?;
    let matched = peer
        .allowed_ips
        .iter()
        .filter(|n| n.contains(&dst))
        .max_by_key(|n| n.prefix_len())
        .copied()
        .unwrap_or_else(|| Ipv4Net::from(dst));
    let mut p = Plan {
        component: ComponentRef::new(K::Tunnel, format!("{}->{}", cfg.name, peer.name)),
        rule: RuleRef::Cloud(CloudRule::Route {
            name: format!("tunnel {} -> {}", cfg.name, peer.name),
            destination: matched.to_string(),
            next_hop: peer.endpoint.to_string(),
            priority: None,
        }),
        peer: None,
        outer: Vec::new(),
        blockers: Vec::new(),
    };
    let endpoint = *peer.endpoint.ip();
    let far = net.host_by_public_ip(endpoint);
    let far_cfg = match far.as_ref().and_then(|f| f.setup) {
        Some(GatewaySetup::Config(c)) => Some(&**c),
        Some(GatewaySetup::Invalid(e)) => {
            p.blockers.push(invalid(far.as_ref()?, e));
            None
        }
        _ => {
            let what = match &far {
                None => "no VM holds that public address".to_owned(),
                Some(f) if f.setup.is_none() => format!(
                    "{} holds it but does not run the {} image",
                    f.instance,
                    vpcpeer_gateway::IMAGE_NAME
                ),
                Some(f) => format!("{} holds it but has no gateway configuration", f.instance),
            };
            p.blockers.push(config_fix(
                Code::TunnelPeerNotFound,
                local,
                format!(
                    "the tunnel {} -> {} of {} goes to {endpoint}, but {what}",
                    cfg.name, peer.name, local.instance
                ),
                ConfigChange::Endpoint {
                    peer: peer.name.clone(),
                },
            ));
            None
        }
    };
    let (Some(far), Some(far_cfg)) = (far, far_cfg) else {
        return Some(p);
    };
    p.peer = Some(far);
    check_pair(&mut p, local, keyed, peer, &far, far_cfg, inner);
    outer_both_ways(net, &mut p, local, cfg, peer, &far, &far_cfg.config);
    Some(p)
}

/// Step 2 and 3 of the module doc: the far entry, the keys, the port, the inner source.
fn check_pair(
    p: &mut Plan<'_>,
    local: &GatewayHost<'_>,
    keyed: &KeyedConfig,
    peer: &Peer,
    far: &GatewayHost<'_>,
    far_keyed: &KeyedConfig,
    inner: Header,
) {
    let (cfg, far_cfg) = (&keyed.config, &far_keyed.config);
    let src_net = match inner.src_ip {
        IpAddr::V4(a) => Ipv4Net::from(a).to_string(),
        IpAddr::V6(a) => a.to_string(),
    };
    let Some(back) = far_cfg.peer(&cfg.name) else {
        p.blockers.push(config_fix(
            Code::TunnelPeerEntryMissing,
            far,
            format!(
                "the gateway {} ({}) has no [Peer] entry named {}: it accepts no tunnel from {}",
                far_cfg.name, far.instance, cfg.name, local.instance
            ),
            ConfigChange::AddPeer {
                name: cfg.name.clone(),
                public_key: keyed.public_key.to_string(),
                allowed: src_net,
            },
        ));
        return;
    };
    if !keyed.peer_key_matches(far_keyed) {
        p.blockers.push(key_mismatch(local, cfg, peer, far_keyed));
    }
    if !far_keyed.peer_key_matches(keyed) {
        p.blockers.push(key_mismatch(far, far_cfg, back, keyed));
    }
    if peer.endpoint.port() != far_cfg.listen_port {
        p.blockers.push(config_fix(
            Code::TunnelPortMismatch,
            local,
            format!(
                "the tunnel {} -> {} of {} sends to port {}, but {} listens on udp/{}",
                cfg.name,
                peer.name,
                local.instance,
                peer.endpoint.port(),
                far_cfg.name,
                far_cfg.listen_port
            ),
            ConfigChange::EndpointPort {
                peer: peer.name.clone(),
                port: far_cfg.listen_port,
            },
        ));
    }
    let allowed = match inner.src_ip {
        IpAddr::V4(a) => back.allowed_ips.iter().any(|n| n.contains(&a)),
        IpAddr::V6(_) => false,
    };
    if !allowed {
        p.blockers.push(config_fix(
            Code::TunnelSourceNotAllowed,
            far,
            format!(
                "the entry {} of gateway {} ({}) does not allow the source {} (AllowedIPs {}): the far end drops {inner}",
                back.name,
                far_cfg.name,
                far.instance,
                inner.src_ip,
                join(&back.allowed_ips)
            ),
            ConfigChange::AllowedIps {
                peer: back.name.clone(),
                allowed: src_net,
            },
        ));
    }
}

/// `TUNNEL_KEY_MISMATCH` at `host` (configured by `cfg`): its `entry` for `other` does not
/// hold `other`'s public key.
fn key_mismatch(
    host: &GatewayHost<'_>,
    cfg: &GatewayConfig,
    entry: &Peer,
    other: &KeyedConfig,
) -> Blocked {
    config_fix(
        Code::TunnelKeyMismatch,
        host,
        format!(
            "the entry {} of gateway {} ({}) holds public key {}, but {}'s key is {}: the handshake fails",
            entry.name,
            cfg.name,
            host.instance,
            entry.public_key,
            other.config.name,
            other.public_key
        ),
        ConfigChange::PublicKey {
            peer: entry.name.clone(),
            public_key: other.public_key.to_string(),
        },
    )
}

fn join(nets: &[Ipv4Net]) -> String {
    if nets.is_empty() {
        return "none".into();
    }
    nets.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Step 4 of the module doc: the outer path from each gateway to the other.
fn outer_both_ways<C: TunnelCloud>(
    net: &C,
    p: &mut Plan<'_>,
    local: &GatewayHost<'_>,
    cfg: &GatewayConfig,
    peer: &Peer,
    far: &GatewayHost<'_>,
    far_cfg: &GatewayConfig,
) {
    let unspecified = Ipv4Addr::UNSPECIFIED;
    let far_ip = *peer.endpoint.ip();
    let local_ip = local.public_ip.unwrap_or(unspecified);
    let there = outer_header(local_ip, cfg.listen_port, far_ip, peer.endpoint.port());
    let back = outer_header(far_ip, far_cfg.listen_port, local_ip, cfg.listen_port);
    let mut steps = net.outer_send(local, there);
    if local.public_ip.is_some() {
        // Without a public address, the far end's checks of packets to or from it say
        // nothing more than `TUNNEL_NO_PUBLIC_IP` does.
        steps.extend(net.outer_receive(far, there));
        steps.extend(net.outer_send(far, back));
    }
    steps.extend(net.outer_receive(local, back));
    for s in &steps {
        if let Some(b) = &s.blocked {
            let seen = p
                .blockers
                .iter()
                .any(|x| x.code == b.code && x.component == b.component);
            if !seen {
                p.blockers.push(b.clone());
            }
        }
    }
    p.outer = steps;
}

/// The reply `r` of an inner packet that went from `local` to `far` through their tunnel: the
/// far gateway must send it back into the tunnel to `local`, and `local`'s entry for the far
/// one must allow its source. Blockers in that order.
pub fn check_return(local: &GatewayHost<'_>, far: &GatewayHost<'_>, r: Header) -> Vec<Blocked> {
    let (Some(cfg), Some(far_cfg)) = (config_of(local), config_of(far)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (IpAddr::V4(dst), IpAddr::V4(src)) = (r.dst_ip, r.src_ip) else {
        return out;
    };
    let via = far_cfg.peer_for(dst);
    if via.is_none_or(|v| v.name != cfg.name) {
        let why = match via {
            None => "no tunnel allows it".to_owned(),
            Some(v) => format!("it goes into the tunnel to {} instead", v.name),
        };
        let entry = far_cfg.peer(&cfg.name).map(|e| e.name.clone());
        out.push(config_fix(
            Code::TunnelNoRouteForDestination,
            far,
            format!(
                "the gateway {} ({}) does not send the reply {r} back to {}: {why}",
                far_cfg.name, far.instance, cfg.name
            ),
            ConfigChange::AllowedIps {
                peer: entry.unwrap_or_else(|| cfg.name.clone()),
                allowed: Ipv4Net::from(dst).to_string(),
            },
        ));
    }
    if let Some(e) = cfg.peer(&far_cfg.name) {
        if !e.allowed_ips.iter().any(|n| n.contains(&src)) {
            out.push(config_fix(
                Code::TunnelSourceNotAllowed,
                local,
                format!(
                    "the entry {} of gateway {} ({}) does not allow the reply's source {src} (AllowedIPs {})",
                    e.name,
                    cfg.name,
                    local.instance,
                    join(&e.allowed_ips)
                ),
                ConfigChange::AllowedIps {
                    peer: e.name.clone(),
                    allowed: Ipv4Net::from(src).to_string(),
                },
            ));
        }
    }
    out
}
