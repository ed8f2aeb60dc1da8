//! GCP gateways for the tunnel model: a Compute Engine instance booted from the gateway image
//! (`vpcpeer_model::gcp::GATEWAY_IMAGE`), through its `nic0`, and the outer path's checks on
//! GCP, as pure reads of the [`World`] (`crate::gcp::outer`).
//!
//! - The host: the instance's status, `nic0`'s internal address and network, its external
//!   address (the access config's `natIP`), `canIpForward`, and the configuration compiled from
//!   its `user-data` metadata item.
//! - Sending and receiving: the instance is `RUNNING` (`TUNNEL_GATEWAY_NOT_RUNNING`), has an
//!   external address (`TUNNEL_NO_PUBLIC_IP`; a stopped instance has released an ephemeral
//!   one), the network's firewall lets the UDP out to (egress) or in from (ingress) the other
//!   gateway's public address (`TUNNEL_OUTER_BLOCKED_BY_SG`, the outer path filtered, at the
//!   deciding firewall rule: the implied deny-ingress when none admits it), and the network
//!   routes the other's public address to `default-internet-gateway`
//!   (`TUNNEL_NO_INTERNET_ROUTE`).

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::gcp::{name_of, Direction as GDir, GcpInstance};
use vpcpeer_model::{AclAction, World};

use super::{Blocked, Cloud, GatewayHost, GatewaySetup, OuterStep};
use crate::gcp::outer::{internet_route, route_rule, verdict, GcpInternetRoute};
use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, Direction, Fact, Header, Protocol, RuleRef,
    TunnelFix,
};
use crate::snapshot::clouds::{gcp_setup, Reads};

/// The setup of `i` when it booted from the gateway image (`None` otherwise).
pub fn setup_of(i: &GcpInstance) -> Option<GatewaySetup> {
    gcp_setup(i)
}

/// The gateway host of instance `i` (through `nic0`), with its compiled `setup`.
pub fn host<'a>(i: &'a GcpInstance, setup: Option<&'a GatewaySetup>) -> Option<GatewayHost<'a>> {
    let nic = i.nics.first()?;
    Some(GatewayHost {
        cloud: Cloud::Gcp,
        instance: &i.id,
        interface: &nic.name,
        network: &nic.network,
        private_ip: IpAddr::V4(nic.network_ip),
        public_ip: i.external_ipv4(),
        running: i.is_running(),
        forwarding: i.can_ip_forward(),
        setup,
    })
}

/// The instance holding external address `ip`, if any.
pub fn instance_by_public_ip(world: &World, ip: Ipv4Addr) -> Option<&GcpInstance> {
    Reads::scan(world).gcp_by_public_ip(ip)
}

fn step(component: ComponentRef, rule: Option<RuleRef>, header: Header) -> OuterStep {
    OuterStep {
        component,
        rule,
        header,
        blocked: None,
    }
}

fn v4(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(a) => Some(a),
        IpAddr::V6(_) => None,
    }
}

/// The outer packet `outer` leaving (`dir` egress) or arriving at (ingress) GCP gateway `h`,
/// the network's records read through `reads` (a snapshot's index).
pub(crate) fn outer(
    reads: Reads<'_>,
    h: &GatewayHost<'_>,
    outer: Header,
    dir: Direction,
) -> Vec<OuterStep> {
    let mut out = Vec::new();
    let Some(inst) = reads.world.gcp.instances().get(h.instance) else {
        return out;
    };
    let (Some(peer), Some(local)) = (
        v4(match dir {
            Direction::Egress => outer.dst_ip,
            Direction::Ingress => outer.src_ip,
        }),
        v4(h.private_ip),
    ) else {
        return out;
    };
    let me = ComponentRef::new(K::Instance, h.instance);
    if !h.running {
        let mut s = step(me.clone(), None, outer);
        s.blocked = Some(Blocked {
            code: Code::TunnelGatewayNotRunning,
            component: me.clone(),
            detail: format!(
                "the gateway instance {} is TERMINATED, not RUNNING: the tunnel through it carries nothing",
                name_of(h.instance)
            ),
            fact: None,
        });
        out.push(s);
    }
    if h.public_ip.is_none() {
        let mut s = step(me.clone(), None, outer);
        s.blocked = Some(Blocked {
            code: Code::TunnelNoPublicIp,
            component: me,
            detail: format!(
                "the gateway instance {} has no external address (no access config with a natIP on nic0): the other gateway cannot reach it",
                name_of(h.instance)
            ),
            fact: Some(Fact::Tunnel(TunnelFix::GcpExternalIp {
                instance: h.instance.to_owned(),
            })),
        });
        out.push(s);
    }
    let port = outer.dst_port.unwrap_or_default();
    let gdir = match dir {
        Direction::Egress => GDir::Egress,
        Direction::Ingress => GDir::Ingress,
    };
    let fw = verdict(reads, inst, gdir, peer, Protocol::Udp, port);
    if let Some(fw) = fw {
        let component = ComponentRef::new(K::FirewallRule, &fw.rule_id);
        let policy = name_of(&fw.network).to_owned();
        let mut s = step(
            component.clone(),
            Some(RuleRef::Cloud(CloudRule::Filter {
                policy: policy.clone(),
                rule: fw.rule.clone(),
                priority: fw.priority,
                action: if fw.allowed {
                    AclAction::Allow
                } else {
                    AclAction::Deny
                },
                direction: dir,
            })),
            outer,
        );
        if !fw.allowed {
            let what = match dir {
                Direction::Egress => format!("let udp/{port} out to {peer}"),
                Direction::Ingress => format!("admit udp/{port} from {peer}"),
            };
            s.blocked = Some(Blocked {
                code: Code::TunnelOuterBlockedBySg { direction: dir },
                component,
                detail: format!(
                    "the firewall of network {policy} does not {what} for the gateway instance {} (rule {}, priority {})",
                    name_of(h.instance),
                    fw.rule,
                    fw.priority
                ),
                fact: Some(Fact::Tunnel(TunnelFix::AllowOuterRule {
                    direction: dir,
                    port,
                    peer,
                    local,
                    policy,
                    priority_below: fw.priority,
                })),
            });
        }
        out.push(s);
    }
    route(reads, inst, h, peer, outer, &mut out);
    out
}

/// The network's route for the other gateway's public address `to` must lead to
/// `default-internet-gateway`.
fn route(
    reads: Reads<'_>,
    inst: &GcpInstance,
    h: &GatewayHost<'_>,
    to: Ipv4Addr,
    outer: Header,
    out: &mut Vec<OuterStep>,
) {
    let net = ComponentRef::new(K::Network, h.network);
    let mut s = step(net.clone(), route_rule(reads, inst, to), outer);
    let why = match internet_route(reads, inst, to) {
        GcpInternetRoute::Internet { .. } => {
            out.push(s);
            out.push(step(
                ComponentRef::new(K::Internet, "internet"),
                None,
                outer,
            ));
            return;
        }
        GcpInternetRoute::PrivateAddress => "the address is private".to_owned(),
        GcpInternetRoute::NoRoute => "it has no route for it".to_owned(),
        GcpInternetRoute::Elsewhere { route, next_hop } => {
            format!("its best route {route} leads to {next_hop}, not to default-internet-gateway")
        }
        GcpInternetRoute::NoInterface => "the instance has no interface".to_owned(),
    };
    s.blocked = Some(Blocked {
        code: Code::TunnelNoInternetRoute,
        component: net,
        detail: format!(
            "the gateway instance {}'s network {} cannot reach the other gateway's public address {to}: {why}",
            name_of(h.instance),
            name_of(h.network)
        ),
        fact: Some(Fact::Tunnel(TunnelFix::GcpInternetRoute {
            network: h.network.to_owned(),
        })),
    });
    out.push(s);
}
