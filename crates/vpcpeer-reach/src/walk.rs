//! The one walk of the GCP and Azure engines: the skeleton both clouds share, with what differs
//! behind the [`Cloud`] trait (`gcp.rs` and `azure.rs` implement it and hold nothing else of the
//! walk).
//!
//! Forward leg: the source's hops outward and its egress filters → the best route of the
//! source for the destination (none: `NO_ROUTE`, the peering diagnosed) → where the route leads
//! ([`Step`]): delivery inside a network (the destination's, else `NO_ROUTE`, or
//! `UNKNOWN_DESTINATION` when no end holds the address), the internet (or `NO_ROUTE` when the
//! destination cannot be reached that way), or a drop (blackhole, unsupported next hop) → the
//! destination's ingress filters and hops inward → the return leg: the destination's hops
//! outward, its route back to the source (none: `NO_ROUTE`, the peering diagnosed), the
//! source's hops inward. After a blocker the walk goes on as if the packet had arrived, so
//! every blocker on the path is listed; the peering between the two networks is diagnosed once.

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::AclAction;

use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, Direction, Header, Leg, Query, QueryError,
    RuleRef, Verdict,
};
use crate::trace::Trace;

/// Where a chosen route leads.
pub(crate) enum Step {
    /// Into this network (its key): delivered there.
    Deliver(String),
    /// To the internet; `Some(why)` when the destination cannot be reached that way.
    Internet(Option<String>),
    /// Dropped: a blocker at the route, and whether to diagnose the peering.
    Drop {
        /// The blocker's code.
        code: Code,
        /// Its sentence.
        detail: String,
        /// Whether the two networks' peering explains it.
        diagnose: bool,
    },
}

/// What a cloud tells the walk.
pub(crate) trait Cloud {
    /// One end of a query inside a network.
    type End;
    /// A route chosen for a destination.
    type Route;

    /// The key of the end's network (ends are in the same network iff their keys are equal).
    fn network(e: &Self::End) -> &str;
    /// The end's address.
    fn ip(e: &Self::End) -> Ipv4Addr;
    /// The end's interface (key, id as shown), when the end is an instance or interface.
    fn interface(e: &Self::End) -> Option<(&str, &str)>;
    /// Records the hops out of an end (the source going, the destination replying).
    fn leave(&self, t: &mut Trace, e: &Self::End, h: Header);
    /// Records the hops into an end (the destination reached, the source replied to).
    fn enter(&self, t: &mut Trace, e: &Self::End, h: Header);
    /// Records the source's egress filters.
    fn egress(&self, t: &mut Trace, src: &Self::End, h: Header);
    /// Records the destination's ingress filters.
    fn ingress(&self, t: &mut Trace, dst: &Self::End, src: &Self::End, h: Header);
    /// The best route of end `e` for `ip`.
    fn lookup(&self, e: &Self::End, ip: Ipv4Addr) -> Option<Self::Route>;
    /// Where no route of the source leads to the destination: the component and the sentence.
    fn no_route(&self, src: &Self::End, h: Header) -> (ComponentRef, String);
    /// Records the hops of the chosen route `r`; returns the component standing for the routing
    /// decision and where the route leads.
    fn take(
        &self,
        t: &mut Trace,
        src: &Self::End,
        dst: Option<&Self::End>,
        r: &Self::Route,
        h: Header,
    ) -> (ComponentRef, Step);
    /// The route led into network `net`, which is not the destination's (`dst`), or where no
    /// end holds the address (`dst` is `None`): the blocker's component and sentence.
    fn misrouted(
        &self,
        at: &ComponentRef,
        net: &str,
        dst: Option<&Self::End>,
        h: Header,
    ) -> (ComponentRef, String);
    /// Records the destination's route back to the source for the reply `r`; returns the
    /// blocker (component and sentence) when it does not lead back.
    fn back(
        &self,
        t: &mut Trace,
        dst: &Self::End,
        src: &Self::End,
        r: Header,
    ) -> Option<(ComponentRef, String)>;
    /// Records why the two ends' networks cannot talk (an inactive peering, or none).
    fn diagnose(&self, t: &mut Trace, src: &Self::End, dst: &Self::End);
}

/// Answers `q` from `src` to `dst` (or, when `dst` is `None`, to `dst_ip` outside every
/// network of the cloud).
pub(crate) fn explain<C: Cloud>(
    c: &C,
    q: &Query,
    src: &C::End,
    dst: Option<&C::End>,
    dst_ip: IpAddr,
) -> Result<Verdict, QueryError> {
    if dst_ip.is_ipv6() {
        return Err(QueryError::Ipv4Only(dst_ip.to_string()));
    }
    if let (Some((a, shown)), Some((b, _))) = (C::interface(src), dst.and_then(|d| C::interface(d)))
    {
        if a == b {
            return Err(QueryError::SameInterface(shown.to_owned()));
        }
    }
    let h = Header::for_query(q, IpAddr::V4(C::ip(src)), dst_ip);
    let mut w = Walk {
        c,
        src,
        dst,
        t: Trace::new(),
        diagnosed: false,
    };
    w.forward(h);
    Ok(w.t.verdict())
}

/// Records a GCP firewall or Azure NSG decision at `component`: its hop, and when it denies,
/// the blocker `code` with `detail`.
pub(crate) fn filter_hop(
    t: &mut Trace,
    component: ComponentRef,
    rule: CloudRule,
    h: Header,
    denied: impl FnOnce(Direction) -> (Code, String),
) {
    let deny = match &rule {
        CloudRule::Filter {
            action, direction, ..
        } => (*action == AclAction::Deny).then_some(*direction),
        CloudRule::Route { .. } => None,
    };
    t.hop(component.clone(), Some(RuleRef::Cloud(rule)), h);
    if let Some(direction) = deny {
        let (code, detail) = denied(direction);
        t.block(code, component, detail);
    }
}

/// `a` as IPv4, if it is.
pub(crate) fn v4(ip: IpAddr) -> Option<Ipv4Addr> {
    match ip {
        IpAddr::V4(a) => Some(a),
        IpAddr::V6(_) => None,
    }
}

/// RFC 1918 and RFC 6598 addresses, which no internet gateway carries.
pub(crate) fn is_private(a: Ipv4Addr) -> bool {
    a.is_private() || (a.octets()[0] == 100 && (64..128).contains(&a.octets()[1]))
}

struct Walk<'q, C: Cloud> {
    c: &'q C,
    src: &'q C::End,
    dst: Option<&'q C::End>,
    t: Trace,
    diagnosed: bool,
}

impl<C: Cloud> Walk<'_, C> {
    fn forward(&mut self, h: Header) {
        let src = self.src;
        self.c.leave(&mut self.t, src, h);
        self.c.egress(&mut self.t, src, h);
        let dst_ip = v4(h.dst_ip).unwrap_or(Ipv4Addr::UNSPECIFIED);
        let Some(r) = self.c.lookup(src, dst_ip) else {
            let (at, detail) = self.c.no_route(src, h);
            self.t.hop(at.clone(), None, h);
            self.t.block(Code::NoRoute, at, detail);
            self.diagnose();
            self.arrive_as_if(h);
            return;
        };
        let (at, step) = self.c.take(&mut self.t, src, self.dst, &r, h);
        match step {
            Step::Deliver(net) => self.deliver(&net, &at, h),
            Step::Internet(None) => self
                .t
                .hop(ComponentRef::new(K::Internet, "internet"), None, h),
            Step::Internet(Some(why)) => {
                self.t.block(Code::NoRoute, at, why);
                self.diagnose();
                self.arrive_as_if(h);
            }
            Step::Drop {
                code,
                detail,
                diagnose,
            } => {
                self.t.block(code, at, detail);
                if diagnose {
                    self.diagnose();
                }
                self.arrive_as_if(h);
            }
        }
    }

    /// Delivery inside network `net` (the source's or a peer's).
    fn deliver(&mut self, net: &str, at: &ComponentRef, h: Header) {
        match self.dst {
            Some(d) if C::network(d) == net => self.arrive(h),
            dst => {
                let (c, detail) = self.c.misrouted(at, net, dst, h);
                if dst.is_some() {
                    // The route leads to another network than the destination's.
                    self.t.block(Code::NoRoute, c, detail);
                    self.arrive(h);
                } else {
                    self.t.block(Code::UnknownDestination, c, detail);
                }
            }
        }
    }

    fn arrive_as_if(&mut self, h: Header) {
        if self.dst.is_some() {
            self.arrive(h);
        }
    }

    /// The destination's ingress filters, the destination, then the return path.
    fn arrive(&mut self, h: Header) {
        let Some(d) = self.dst else {
            return;
        };
        self.c.ingress(&mut self.t, d, self.src, h);
        self.c.enter(&mut self.t, d, h);
        self.back(d, h.reply());
    }

    fn back(&mut self, d: &C::End, r: Header) {
        self.t.leg = Leg::Return;
        self.c.leave(&mut self.t, d, r);
        if let Some((at, detail)) = self.c.back(&mut self.t, d, self.src, r) {
            self.t.block(Code::NoRoute, at, detail);
            self.diagnose();
        }
        self.c.enter(&mut self.t, self.src, r);
    }

    /// Why the two networks cannot talk, once per query.
    fn diagnose(&mut self) {
        let Some(d) = self.dst else {
            return;
        };
        if C::network(self.src) == C::network(d) || self.diagnosed {
            return;
        }
        self.diagnosed = true;
        self.c.diagnose(&mut self.t, self.src, d);
    }
}
