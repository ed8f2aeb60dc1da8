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

use super::{
    outer_walk, Blocked, Cloud, GatewayHost, InternetRoute, OuterChecks, OuterStep, TunnelCloud,
};
use crate::model::{
    instance_state_name, Code, ComponentKind as K, ComponentRef, Direction, Header, RuleRef,
    TunnelFix,
};
use crate::snapshot::filters::AclDecision;
use crate::snapshot::{EniView, IgwView, Snapshot};

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

/// The outer path's checks at an AWS gateway: its interface, over the snapshot.
struct AwsOuter<'s> {
    snap: &'s Snapshot,
    eni: &'s EniView,
}

impl AwsOuter<'_> {
    /// The interface's security groups for the outer packet.
    fn sg(&self, dir: Direction, outer: Header, out: &mut Vec<OuterStep>) {
        let eni = self.eni;
        if let Some((group, rule)) = self.snap.sg_admits(eni, dir, &outer, |_, _| false) {
            out.push(OuterStep::new(group, Some(rule), outer));
            return;
        }
        let component = eni.sg_component();
        let port = outer.dst_port.unwrap_or_default();
        let IpAddr::V4(peer4) = outer.other_end(dir) else {
            return;
        };
        let what = match dir {
            Direction::Ingress => format!("admit udp/{port} from {peer4}"),
            Direction::Egress => format!("let udp/{port} out to {peer4}"),
        };
        let detail = format!(
            "the gateway's security group {} does not {what} (interface {}, groups [{}])",
            component.id,
            eni.id,
            eni.groups.join(", ")
        );
        let fix = TunnelFix::AllowOuter {
            direction: dir,
            port,
            peer: peer4,
        };
        let code = Code::TunnelOuterBlockedBySg { direction: dir };
        let b = Blocked::tunnel(code, component.clone(), detail, fix);
        out.push(OuterStep::new(component, None, outer).stopped(b));
    }

    /// The subnet's network ACL for the outer packet.
    fn acl(&self, dir: Direction, outer: Header, out: &mut Vec<OuterStep>) {
        let subnet = &self.eni.subnet_id;
        let Some(d) = self.snap.acl_decision(subnet, dir, &outer) else {
            return;
        };
        let s = OuterStep::new(d.component(), Some(d.rule(dir)), outer);
        if d.action != AclAction::Deny {
            out.push(s);
            return;
        }
        let IpAddr::V4(peer4) = outer.other_end(dir) else {
            return;
        };
        let port = outer.dst_port.unwrap_or_default();
        let prep = match dir {
            Direction::Egress => "to",
            Direction::Ingress => "from",
        };
        let detail = format!(
            "the network ACL {} of the gateway's subnet {subnet} denies {} udp/{port} {prep} {peer4} (rule {})",
            d.acl.id,
            AclDecision::way(dir),
            d.label()
        );
        let fix = TunnelFix::AllowOuter {
            direction: dir,
            port,
            peer: peer4,
        };
        let code = Code::TunnelOuterBlockedByAcl { direction: dir };
        out.push(s.stopped(Blocked::tunnel(code, d.component(), detail, fix)));
    }
}

impl OuterChecks for AwsOuter<'_> {
    fn not_running(&self, h: &GatewayHost<'_>) -> String {
        let state = self
            .snap
            .instances
            .get(h.instance)
            .map_or("gone", |i| instance_state_name(i.state));
        format!(
            "the gateway instance {} is {state}: the tunnel through it carries nothing",
            h.instance
        )
    }

    fn no_public_ip(&self, h: &GatewayHost<'_>) -> (String, TunnelFix) {
        (
            format!(
                "the gateway instance {} has no public IPv4 address (no Elastic IP, none assigned at launch): the other gateway cannot reach it",
                h.instance
            ),
            TunnelFix::PublicIp {
                instance: h.instance.to_owned(),
            },
        )
    }

    /// Leaving, the security groups then the subnet's ACL; arriving, the other way round.
    fn filters(
        &self,
        _: &GatewayHost<'_>,
        dir: Direction,
        outer: Header,
        out: &mut Vec<OuterStep>,
    ) {
        match dir {
            Direction::Egress => {
                self.sg(dir, outer, out);
                self.acl(dir, outer, out);
            }
            Direction::Ingress => {
                self.acl(dir, outer, out);
                self.sg(dir, outer, out);
            }
        }
    }

    /// The subnet's route for the other gateway's public address must lead to an internet
    /// gateway attached to the VPC.
    fn route(
        &self,
        _: &GatewayHost<'_>,
        dir: Direction,
        outer: Header,
    ) -> (OuterStep, InternetRoute) {
        let (snap, eni, to) = (self.snap, self.eni, outer.other_end(dir));
        let (_, component, best) = snap.route_of_subnet(&eni.subnet_id, to);
        let attached_here = |g: &&IgwView| g.attached_vpc.as_deref() == Some(eni.vpc_id.as_str());
        let igw = best.and_then(|e| match &e.target {
            RouteTarget::Gateway(g) if g.starts_with("igw-") && e.active => {
                snap.igws.get(g).filter(attached_here)
            }
            _ => None,
        });
        let rule = best.map(|e| RuleRef::Route {
            destination: e.destination,
            target: e.target.clone(),
        });
        let s = OuterStep::new(component.clone(), rule, outer);
        if let Some(g) = igw {
            return (s, Ok(ComponentRef::new(K::InternetGateway, &g.id)));
        }
        let attached = snap
            .igws
            .values()
            .filter(attached_here)
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
        let detail = format!(
            "the gateway's subnet {} cannot reach the other gateway's public address {to}: {} {why}",
            eni.subnet_id, component.id
        );
        (
            s,
            Err((detail, TunnelFix::InternetRoute { gateway: attached })),
        )
    }
}

impl Snapshot {
    /// The outer packet `outer` leaving (`dir` egress) or arriving at (ingress) gateway `h`.
    fn outer_at(&self, h: &GatewayHost<'_>, outer: Header, dir: Direction) -> Vec<OuterStep> {
        let Some(eni) = self.enis.get(h.interface) else {
            return Vec::new();
        };
        outer_walk(&AwsOuter { snap: self, eni }, h, outer, dir)
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
        self.outer_at(host, outer, Direction::Egress)
    }

    fn outer_receive(&self, host: &GatewayHost<'_>, outer: Header) -> Vec<OuterStep> {
        self.outer_at(host, outer, Direction::Ingress)
    }
}
