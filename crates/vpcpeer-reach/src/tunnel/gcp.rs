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

use super::{
    outer_walk_v4, Blocked, Cloud, GatewayHost, GatewaySetup, InternetRoute, OuterChecks, OuterStep,
};
use crate::gcp::outer::{internet_route, route_rule, verdict, GcpInternetRoute};
use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, Direction, Header, Protocol, RuleRef,
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

/// The outer path's checks at a GCP gateway: its instance, the other gateway's public address
/// and its own private one.
struct GcpOuter<'a> {
    reads: Reads<'a>,
    inst: &'a GcpInstance,
    peer: Ipv4Addr,
    local: Ipv4Addr,
}

/// The outer packet `outer` leaving (`dir` egress) or arriving at (ingress) GCP gateway `h`,
/// the network's records read through `reads` (a snapshot's index).
pub(crate) fn outer(
    reads: Reads<'_>,
    h: &GatewayHost<'_>,
    outer: Header,
    dir: Direction,
) -> Vec<OuterStep> {
    outer_walk_v4(h, outer, dir, |peer, local| {
        let inst = reads.world.gcp.instances().get(h.instance)?;
        Some(GcpOuter {
            reads,
            inst,
            peer,
            local,
        })
    })
}

impl OuterChecks for GcpOuter<'_> {
    fn not_running(&self, h: &GatewayHost<'_>) -> String {
        format!(
            "the gateway instance {} is TERMINATED, not RUNNING: the tunnel through it carries nothing",
            name_of(h.instance)
        )
    }

    fn no_public_ip(&self, h: &GatewayHost<'_>) -> (String, TunnelFix) {
        (
            format!(
                "the gateway instance {} has no external address (no access config with a natIP on nic0): the other gateway cannot reach it",
                name_of(h.instance)
            ),
            TunnelFix::GcpExternalIp {
                instance: h.instance.to_owned(),
            },
        )
    }

    /// The network's firewall: the deciding rule's step.
    fn filters(
        &self,
        h: &GatewayHost<'_>,
        dir: Direction,
        outer: Header,
        out: &mut Vec<OuterStep>,
    ) {
        let (peer, port) = (self.peer, outer.dst_port.unwrap_or_default());
        let gdir = match dir {
            Direction::Egress => GDir::Egress,
            Direction::Ingress => GDir::Ingress,
        };
        let Some(fw) = verdict(self.reads, self.inst, gdir, peer, Protocol::Udp, port) else {
            return;
        };
        let component = ComponentRef::new(K::FirewallRule, &fw.rule_id);
        let policy = name_of(&fw.network).to_owned();
        let rule = RuleRef::Cloud(CloudRule::Filter {
            policy: policy.clone(),
            rule: fw.rule.clone(),
            priority: fw.priority,
            action: if fw.allowed {
                AclAction::Allow
            } else {
                AclAction::Deny
            },
            direction: dir,
        });
        let s = OuterStep::new(component.clone(), Some(rule), outer);
        if fw.allowed {
            out.push(s);
            return;
        }
        let what = match dir {
            Direction::Egress => format!("let udp/{port} out to {peer}"),
            Direction::Ingress => format!("admit udp/{port} from {peer}"),
        };
        let detail = format!(
            "the firewall of network {policy} does not {what} for the gateway instance {} (rule {}, priority {})",
            name_of(h.instance),
            fw.rule,
            fw.priority
        );
        let fix = TunnelFix::AllowOuterRule {
            direction: dir,
            port,
            peer,
            local: self.local,
            policy,
            priority_below: fw.priority,
        };
        let code = Code::TunnelOuterBlockedBySg { direction: dir };
        out.push(s.stopped(Blocked::tunnel(code, component, detail, fix)));
    }

    /// The network's route for the other gateway's public address must lead to `default-internet-gateway`.
    fn route(
        &self,
        h: &GatewayHost<'_>,
        _: Direction,
        outer: Header,
    ) -> (OuterStep, InternetRoute) {
        let (reads, inst, to) = (self.reads, self.inst, self.peer);
        let net = ComponentRef::new(K::Network, h.network);
        let s = OuterStep::new(net, route_rule(reads, inst, to), outer);
        let why = match internet_route(reads, inst, to) {
            GcpInternetRoute::Internet { .. } => {
                return (s, Ok(ComponentRef::new(K::Internet, "internet")));
            }
            GcpInternetRoute::PrivateAddress => "the address is private".to_owned(),
            GcpInternetRoute::NoRoute => "it has no route for it".to_owned(),
            GcpInternetRoute::Elsewhere { route, next_hop } => {
                format!(
                    "its best route {route} leads to {next_hop}, not to default-internet-gateway"
                )
            }
            GcpInternetRoute::NoInterface => "the instance has no interface".to_owned(),
        };
        let detail = format!(
            "the gateway instance {}'s network {} cannot reach the other gateway's public address {to}: {why}",
            name_of(h.instance),
            name_of(h.network)
        );
        let fix = TunnelFix::GcpInternetRoute {
            network: h.network.to_owned(),
        };
        (s, Err((detail, fix)))
    }
}
