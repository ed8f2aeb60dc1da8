//! AWS's part of a walk across clouds ([`crate::crossing`]), over the [`Snapshot`]: an
//! interface's security groups and its subnet's network ACL, a route (its subnet's route
//! table) to a gateway instance (an instance or network interface target — the appliance path
//! of the AWS walk), and delivery inside a VPC (the `local` route).
//!
//! Security group rules are matched by address (CIDR and prefix-list blocks): a rule naming a
//! group never matches here, where one end is in another cloud (the AWS walk alone follows
//! group references). ACLs are stateless, so the reply crosses them too: the return leg checks
//! the destination's subnet ACL outbound and the source's inbound (in `leave`/`enter` on the
//! return leg).

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::{InstanceState, RouteTarget};

use super::Segment;
use crate::model::{
    Code, ComponentKind as K, ComponentRef, Direction, Endpoint, Header, Leg, RuleRef,
};
use crate::snapshot::{EniView, Snapshot};
use crate::trace::Trace;
use crate::tunnel::{self, clouds::AllClouds, GatewayHost};

/// AWS's segment of a crossing.
pub(crate) struct Aws<'s> {
    /// The snapshot.
    pub snap: &'s Snapshot,
}

/// An interface and its IPv4 address.
pub(crate) struct AwsEnd<'s> {
    eni: &'s EniView,
    ip: Ipv4Addr,
}

/// The end an AWS endpoint stands for: an instance's primary interface, an interface, or the
/// one interface holding an address (`None` for an address no single interface holds).
pub(crate) fn end<'s>(snap: &'s Snapshot, ep: &Endpoint) -> Option<AwsEnd<'s>> {
    let eni = match ep {
        Endpoint::Instance(id) => crate::explain::instance_eni(snap, id).ok()?,
        Endpoint::Eni(id) => snap.enis.get(id)?,
        Endpoint::Ip(ip) | Endpoint::IpIn(ip, _) => match snap.enis_by_ip.get(ip)?.as_slice() {
            [one] => snap.enis.get(one)?,
            _ => return None,
        },
        _ => return None,
    };
    let ip = match ep {
        Endpoint::Ip(IpAddr::V4(a)) | Endpoint::IpIn(IpAddr::V4(a), _) => *a,
        _ => eni.ips.iter().find_map(|a| match a {
            IpAddr::V4(a) => Some(*a),
            IpAddr::V6(_) => None,
        })?,
    };
    Some(AwsEnd { eni, ip })
}

impl Aws<'_> {
    fn acl(&self, t: &mut Trace, subnet: &str, dir: Direction, h: Header) {
        let Some(d) = self.snap.acl_decision(subnet, dir, &h) else {
            return;
        };
        t.hop(d.component(), Some(d.rule(dir)), h);
        if let Some((code, at, detail)) = d.denial(subnet, dir, &h) {
            t.block(code, at, detail);
        }
    }

    fn sg(&self, t: &mut Trace, eni: &EniView, dir: Direction, h: Header) {
        if let Some((group, rule)) = self.snap.sg_admits(eni, dir, &h, |_, _| false) {
            t.hop(group, Some(rule), h);
            return;
        }
        t.hop(eni.sg_component(), None, h);
        let way = match dir {
            Direction::Egress => "egress",
            Direction::Ingress => "ingress",
        };
        t.block(
            Code::EniSgRulesMismatch { direction: dir },
            ComponentRef::new(K::NetworkInterface, &eni.id),
            format!(
                "no {way} rule of the security groups of {} ([{}]) admits {h}",
                eni.id,
                eni.groups.join(", ")
            ),
        );
    }

    /// The interface and instance hops of end `e`; on the forward leg, a stopped instance is
    /// a blocker unless it is a gateway (`gateway`: the tunnel names it,
    /// `TUNNEL_GATEWAY_NOT_RUNNING`).
    fn hops(&self, t: &mut Trace, e: &AwsEnd<'_>, h: Header, instance_first: bool, gateway: bool) {
        let inst = e
            .eni
            .instance
            .as_ref()
            .map(|i| ComponentRef::new(K::Instance, i));
        let eni = Some(ComponentRef::new(K::NetworkInterface, &e.eni.id));
        let (a, b) = if instance_first {
            (inst, eni)
        } else {
            (eni, inst)
        };
        for c in [a, b].into_iter().flatten() {
            t.hop(c, None, h);
        }
        let stopped = e
            .eni
            .instance
            .as_ref()
            .and_then(|i| self.snap.instances.get(i))
            .filter(|i| i.state != InstanceState::Running);
        if let (Some(i), Leg::Forward, false) = (stopped, t.leg, gateway) {
            t.block(
                Code::InstanceNotRunning,
                ComponentRef::new(K::Instance, &i.id),
                format!(
                    "instance {} is not running: it cannot send or receive {h}",
                    i.id
                ),
            );
        }
    }

    fn best(
        &self,
        e: &AwsEnd<'_>,
        ip: Ipv4Addr,
    ) -> (ComponentRef, Option<&crate::snapshot::RouteEntry>) {
        let (_, at, best) = self.snap.route_of_subnet(&e.eni.subnet_id, IpAddr::V4(ip));
        (at, best)
    }
}

impl<'s> Segment<'s> for Aws<'s> {
    type End = AwsEnd<'s>;

    fn ip(e: &AwsEnd<'s>) -> Ipv4Addr {
        e.ip
    }

    fn leave(&self, t: &mut Trace, e: &AwsEnd<'s>, h: Header) {
        self.hops(t, e, h, true, false);
        if t.leg == Leg::Return {
            self.acl(t, &e.eni.subnet_id, Direction::Egress, h);
        }
    }

    fn enter(&self, t: &mut Trace, e: &AwsEnd<'s>, h: Header) {
        if t.leg == Leg::Return {
            self.acl(t, &e.eni.subnet_id, Direction::Ingress, h);
        }
        self.hops(t, e, h, false, false);
    }

    fn egress(&self, t: &mut Trace, e: &AwsEnd<'s>, h: Header) {
        self.sg(t, e.eni, Direction::Egress, h);
        self.acl(t, &e.eni.subnet_id, Direction::Egress, h);
    }

    fn ingress(&self, t: &mut Trace, e: &AwsEnd<'s>, h: Header) {
        self.acl(t, &e.eni.subnet_id, Direction::Ingress, h);
        self.sg(t, e.eni, Direction::Ingress, h);
    }

    fn route_to_vm(
        &self,
        t: &mut Trace,
        e: &AwsEnd<'s>,
        ip: Ipv4Addr,
        h: Header,
    ) -> Result<AwsEnd<'s>, (ComponentRef, String)> {
        let (at, best) = self.best(e, ip);
        t.hop(
            at.clone(),
            best.map(|r| RuleRef::Route {
                destination: r.destination,
                target: r.target.clone(),
            }),
            h,
        );
        // A route to a gateway instance that is not running is a blackhole, but it still
        // names the gateway: the blackhole is recorded and the crossing goes on through that
        // gateway, whose own checks name it as not running (as the AWS walk does for a near
        // appliance). A terminated or missing instance leads nowhere.
        let eni = best.and_then(|r| match &r.target {
            RouteTarget::Instance(i) => {
                let kept = self.snap.instances.get(i).is_some_and(|v| {
                    !matches!(
                        v.state,
                        InstanceState::Terminated | InstanceState::ShuttingDown
                    )
                });
                let eni = crate::explain::instance_eni(self.snap, i).ok()?;
                if !r.active && kept {
                    t.block(
                        Code::BadStateRoute,
                        at.clone(),
                        format!(
                            "{} routes {ip} to instance {i}, which is not running: a blackhole",
                            at.id
                        ),
                    );
                }
                (r.active || kept).then_some(eni)
            }
            RouteTarget::NetworkInterface(n) if r.active => self.snap.enis.get(n),
            _ => None,
        });
        let gw = eni.and_then(|eni| {
            let ip = eni.ips.iter().find_map(|a| match a {
                IpAddr::V4(a) => Some(*a),
                IpAddr::V6(_) => None,
            })?;
            Some(AwsEnd { eni, ip })
        });
        gw.ok_or_else(|| {
            let why = match best {
                None => "has no route for it".to_owned(),
                Some(r) if !r.active => format!("routes it to {}, a blackhole", r.target.id()),
                Some(r) => format!("routes it to {}, not to an instance", r.target.id()),
            };
            (
                at.clone(),
                format!("{} of subnet {} {why} ({ip})", at.id, e.eni.subnet_id),
            )
        })
    }

    fn route_to_end(
        &self,
        t: &mut Trace,
        e: &AwsEnd<'s>,
        to: &AwsEnd<'s>,
        h: Header,
    ) -> Option<(ComponentRef, String)> {
        let (at, best) = self.best(e, to.ip);
        t.hop(
            at.clone(),
            best.map(|r| RuleRef::Route {
                destination: r.destination,
                target: r.target.clone(),
            }),
            h,
        );
        let local = best.is_some_and(|r| r.target == RouteTarget::Local);
        if local && e.eni.vpc_id == to.eni.vpc_id {
            return None;
        }
        Some((
            at.clone(),
            format!(
                "{} of subnet {} does not deliver {} in {} for {h}",
                at.id, e.eni.subnet_id, to.ip, to.eni.vpc_id
            ),
        ))
    }

    fn gateway_in(&self, t: &mut Trace, g: &AwsEnd<'s>, src: &AwsEnd<'s>, h: Header) {
        if g.eni.subnet_id != src.eni.subnet_id {
            self.acl(t, &g.eni.subnet_id, Direction::Ingress, h);
        }
        self.sg(t, g.eni, Direction::Ingress, h);
        self.hops(t, g, h, false, true);
    }

    fn gateway_out(&self, t: &mut Trace, g: &AwsEnd<'s>, h: Header) {
        self.sg(t, g.eni, Direction::Egress, h);
        self.acl(t, &g.eni.subnet_id, Direction::Egress, h);
    }

    fn host<'a>(&self, _all: &'a AllClouds<'s>, g: &AwsEnd<'s>) -> Option<GatewayHost<'a>> {
        tunnel::aws::host_of_eni(self.snap, g.eni)
    }

    fn end_of_host(&self, h: &GatewayHost<'_>) -> Option<AwsEnd<'s>> {
        if h.cloud != tunnel::Cloud::Aws {
            return None;
        }
        let eni = self.snap.enis.get(h.interface)?;
        let IpAddr::V4(ip) = h.private_ip else {
            return None;
        };
        Some(AwsEnd { eni, ip })
    }
}
