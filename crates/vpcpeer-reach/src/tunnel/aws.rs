//! AWS gateways for the tunnel model: an EC2 instance of the `vpcpeer-gateway` image, through
//! its primary interface, and the outer path's checks on AWS, over the compiled
//! [`Snapshot`].
//!
//! - The host: the instance's state, the interface's private address, its public IPv4 address
//!   (an Elastic IP on the primary private address, else the one Amazon assigned at launch),
//!   its source/destination check (forwarding allowed when off), and the configuration compiled
//!   from the instance's user data ([`InstanceView::gateway`](crate::snapshot::InstanceView)).
//! - Sending (`outer_send`): the instance runs (`TUNNEL_GATEWAY_NOT_RUNNING`), has a public
//!   address (`TUNNEL_NO_PUBLIC_IP`), a security group of its interface admits the UDP out to
//!   the other's public address (`TUNNEL_OUTER_BLOCKED_BY_SG`, egress), its subnet's ACL lets it
//!   out (`TUNNEL_OUTER_BLOCKED_BY_ACL`, outbound), and its subnet's route table sends the other's
//!   public address to an internet gateway attached to its VPC, by an active route
//!   (`TUNNEL_NO_INTERNET_ROUTE`).
//! - Receiving (`outer_receive`): the instance runs and has the public address the packet is
//!   sent to, its subnet's ACL lets the UDP in from the sender's public address (inbound), a
//!   security group admits it (ingress), and its subnet's route table has the internet route
//!   for the sender's address (replies and the handshake's answer leave that way).
//!
//! Security group rules that reference groups never match a public address; prefix-list rules
//! are compiled into their blocks like everywhere else.

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::{AclAction, InstanceState, RouteTarget};

use super::{Blocked, Cloud, GatewayHost, OuterStep, TunnelCloud};
use crate::model::{
    Code, ComponentKind as K, ComponentRef, Direction, Fact, Header, RuleRef, TunnelFix,
};
use crate::rules::{acl_entry_matches, sg_cidr_admits, sg_protocol_admits};
use crate::snapshot::{EniView, Snapshot};

/// The gateway host of interface `eni` (an instance's primary interface), if the interface is
/// attached to an instance.
pub fn host_of_eni<'s>(s: &'s Snapshot, eni: &'s EniView) -> Option<GatewayHost<'s>> {
    let inst = s.instances.get(eni.instance.as_deref()?)?;
    let private_ip = *eni.ips.first()?;
    Some(GatewayHost {
        cloud: Cloud::Aws,
        instance: &inst.id,
        interface: &eni.id,
        network: &eni.vpc_id,
        private_ip,
        public_ip: eni.public_ip,
        running: inst.state == InstanceState::Running,
        forwarding: !eni.source_dest_check,
        setup: inst.gateway.as_ref(),
    })
}

fn state_name(s: InstanceState) -> &'static str {
    match s {
        InstanceState::Pending => "pending",
        InstanceState::Running => "running",
        InstanceState::ShuttingDown => "shutting-down",
        InstanceState::Terminated => "terminated",
        InstanceState::Stopping => "stopping",
        InstanceState::Stopped => "stopped",
    }
}

fn step(component: ComponentRef, rule: Option<RuleRef>, header: Header) -> OuterStep {
    OuterStep {
        component,
        rule,
        header,
        blocked: None,
    }
}

impl Snapshot {
    fn eni_of_host(&self, h: &GatewayHost<'_>) -> Option<&EniView> {
        self.enis.get(h.interface)
    }

    /// Running and public address, as a sender or receiver (no step when both hold).
    fn host_checks(&self, h: &GatewayHost<'_>, outer: Header, out: &mut Vec<OuterStep>) {
        let inst = ComponentRef::new(K::Instance, h.instance);
        if !h.running {
            let state = self
                .instances
                .get(h.instance)
                .map_or("gone", |i| state_name(i.state));
            let mut s = step(inst.clone(), None, outer);
            s.blocked = Some(Blocked {
                code: Code::TunnelGatewayNotRunning,
                component: inst.clone(),
                detail: format!(
                    "the gateway instance {} is {state}: the tunnel through it carries nothing",
                    h.instance
                ),
                fact: None,
            });
            out.push(s);
        }
        if h.public_ip.is_none() {
            let mut s = step(inst.clone(), None, outer);
            s.blocked = Some(Blocked {
                code: Code::TunnelNoPublicIp,
                component: inst,
                detail: format!(
                    "the gateway instance {} has no public IPv4 address (no Elastic IP, none assigned at launch): the other gateway cannot reach it",
                    h.instance
                ),
                fact: Some(Fact::Tunnel(TunnelFix::PublicIp {
                    instance: h.instance.to_owned(),
                })),
            });
            out.push(s);
        }
    }

    /// The interface's security groups for the outer packet.
    fn outer_sg(&self, eni: &EniView, dir: Direction, outer: Header, out: &mut Vec<OuterStep>) {
        let peer = match dir {
            Direction::Egress => outer.dst_ip,
            Direction::Ingress => outer.src_ip,
        };
        for gid in &eni.groups {
            let Some(g) = self.groups.get(gid) else {
                continue;
            };
            let rules = match dir {
                Direction::Egress => &g.egress,
                Direction::Ingress => &g.ingress,
            };
            if let Some(r) = rules
                .iter()
                .find(|r| sg_protocol_admits(r, &outer) && sg_cidr_admits(r, peer) == Some(true))
            {
                out.push(step(
                    ComponentRef::new(K::SecurityGroup, gid),
                    Some(RuleRef::SecurityGroupRule {
                        group_id: gid.clone(),
                        rule_id: r.id.clone(),
                        direction: dir,
                    }),
                    outer,
                ));
                return;
            }
        }
        let component = match eni.groups.first() {
            Some(g) => ComponentRef::new(K::SecurityGroup, g),
            None => ComponentRef::new(K::NetworkInterface, &eni.id),
        };
        let port = outer.dst_port.unwrap_or_default();
        let IpAddr::V4(peer4) = peer else {
            return;
        };
        let detail = match dir {
            Direction::Ingress => format!(
                "the gateway's security group {} does not admit udp/{port} from {peer4} (interface {}, groups [{}])",
                component.id,
                eni.id,
                eni.groups.join(", ")
            ),
            Direction::Egress => format!(
                "the gateway's security group {} does not let udp/{port} out to {peer4} (interface {}, groups [{}])",
                component.id,
                eni.id,
                eni.groups.join(", ")
            ),
        };
        let mut s = step(component.clone(), None, outer);
        s.blocked = Some(Blocked {
            code: Code::TunnelOuterBlockedBySg { direction: dir },
            component,
            detail,
            fact: Some(Fact::Tunnel(TunnelFix::AllowOuter {
                direction: dir,
                port,
                peer: peer4,
            })),
        });
        out.push(s);
    }

    /// The subnet's network ACL for the outer packet.
    fn outer_acl(&self, eni: &EniView, dir: Direction, outer: Header, out: &mut Vec<OuterStep>) {
        let Some(acl) = self.acl_of_subnet(&eni.subnet_id) else {
            return;
        };
        let (entries, peer) = match dir {
            Direction::Egress => (&acl.outbound, outer.dst_ip),
            Direction::Ingress => (&acl.inbound, outer.src_ip),
        };
        let first = entries.iter().find(|e| acl_entry_matches(e, &outer, peer));
        let action = first.map_or(AclAction::Deny, |e| e.action);
        let rule_number = first.map(|e| e.rule_number);
        let component = ComponentRef::new(K::NetworkAcl, &acl.id);
        let mut s = step(
            component.clone(),
            Some(RuleRef::AclRule {
                rule_number,
                action,
                direction: dir,
            }),
            outer,
        );
        if action == AclAction::Deny {
            let IpAddr::V4(peer4) = peer else {
                return;
            };
            let port = outer.dst_port.unwrap_or_default();
            let (way, prep) = match dir {
                Direction::Egress => ("outbound", "to"),
                Direction::Ingress => ("inbound", "from"),
            };
            let rule = rule_number.map_or("*".to_owned(), |n| n.to_string());
            s.blocked = Some(Blocked {
                code: Code::TunnelOuterBlockedByAcl { direction: dir },
                component: component.clone(),
                detail: format!(
                    "the network ACL {} of the gateway's subnet {} denies {way} udp/{port} {prep} {peer4} (rule {rule})",
                    acl.id, eni.subnet_id
                ),
                fact: Some(Fact::Tunnel(TunnelFix::AllowOuter {
                    direction: dir,
                    port,
                    peer: peer4,
                })),
            });
        }
        out.push(s);
    }

    /// The subnet's route for `to` must lead to an internet gateway attached to the VPC.
    fn outer_route(&self, eni: &EniView, to: IpAddr, outer: Header, out: &mut Vec<OuterStep>) {
        let table = self.table_of_subnet(&eni.subnet_id);
        let component = table.map_or_else(
            || ComponentRef::new(K::Subnet, &eni.subnet_id),
            |t| ComponentRef::new(K::RouteTable, &t.id),
        );
        let best = table.and_then(|t| t.lpm.lookup(to)).map(|(_, e)| e);
        let igw = best.and_then(|e| match &e.target {
            RouteTarget::Gateway(g) if g.starts_with("igw-") && e.active => self
                .igws
                .get(g)
                .filter(|v| v.attached_vpc.as_deref() == Some(eni.vpc_id.as_str())),
            _ => None,
        });
        let rule = best.map(|e| RuleRef::Route {
            destination: e.destination,
            target: e.target.clone(),
        });
        let mut s = step(component.clone(), rule, outer);
        if let Some(g) = igw {
            out.push(s);
            out.push(step(
                ComponentRef::new(K::InternetGateway, &g.id),
                None,
                outer,
            ));
            return;
        }
        let attached = self
            .igws
            .values()
            .filter(|g| g.attached_vpc.as_deref() == Some(eni.vpc_id.as_str()))
            .map(|g| g.id.clone())
            .min();
        let why = match best {
            None => "has no route for it".to_owned(),
            Some(e) if !e.active => format!("routes it to {}, a blackhole", e.target.id()),
            Some(e) => format!(
                "routes it to {}, not to an internet gateway of {}",
                e.target.id(),
                eni.vpc_id
            ),
        };
        s.blocked = Some(Blocked {
            code: Code::TunnelNoInternetRoute,
            component: component.clone(),
            detail: format!(
                "the gateway's subnet {} cannot reach the other gateway's public address {to}: {} {why}",
                eni.subnet_id, component.id
            ),
            fact: Some(Fact::Tunnel(TunnelFix::InternetRoute { gateway: attached })),
        });
        out.push(s);
    }
}

impl TunnelCloud for Snapshot {
    fn host_by_public_ip(&self, ip: Ipv4Addr) -> Option<GatewayHost<'_>> {
        let eni = self
            .enis_by_public_ip
            .get(&ip)?
            .iter()
            .filter_map(|id| self.enis.get(id))
            .find(|e| e.instance.is_some())?;
        host_of_eni(self, eni)
    }

    fn outer_send(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        let mut out = Vec::new();
        let Some(eni) = self.eni_of_host(host) else {
            return out;
        };
        self.host_checks(host, outer, &mut out);
        self.outer_sg(eni, Direction::Egress, outer, &mut out);
        self.outer_acl(eni, Direction::Egress, outer, &mut out);
        self.outer_route(eni, outer.dst_ip, outer, &mut out);
        out
    }

    fn outer_receive(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        let mut out = Vec::new();
        let Some(eni) = self.eni_of_host(host) else {
            return out;
        };
        self.host_checks(host, outer, &mut out);
        self.outer_acl(eni, Direction::Ingress, outer, &mut out);
        self.outer_sg(eni, Direction::Ingress, outer, &mut out);
        self.outer_route(eni, outer.src_ip, outer, &mut out);
        out
    }
}
