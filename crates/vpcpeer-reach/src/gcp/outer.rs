//! The GCP side of a tunnel's outer path: what a gateway instance's network does to the
//! encapsulated packets between its external address and a peer's. Pure questions on the
//! `World`, for the tunnel model:
//!
//! - [`gcp_ingress_admits`]: does the network's firewall admit ingress `protocol`/`port` from
//!   address X to this instance (the first enabled ingress rule that targets it and matches,
//!   by priority, a deny first; none: the implied deny-ingress)?
//! - [`gcp_egress_admits`]: does its egress allow `protocol`/`port` to X (none: the implied
//!   allow-egress)?
//! - [`gcp_internet_route`]: does the network route X (an external address) to
//!   `default-internet-gateway`, with the routes that apply to the instance (its tags)?
//!
//! The packet is seen on the instance's `nic0` with its internal address (GCP translates the
//! external address one to one before the firewall). Whether the instance has an external
//! address, forwards (`canIpForward`) or runs are the model's accessors on
//! [`GcpInstance`](vpcpeer_model::gcp::GcpInstance).

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::gcp::{name_of, Direction as GDir, GcpInstance, GcpNextHop};
use vpcpeer_model::{AclAction, World};

use super::{best, firewall, next_hop_name, routes, Next};
use crate::model::{Header, Protocol};
use crate::snapshot::clouds::Reads;
use crate::walk::is_private;

/// What a firewall evaluation decided for an outer packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpFirewallVerdict {
    /// Whether the packet passes.
    pub allowed: bool,
    /// The deciding rule's name (`implied-deny-ingress`, `implied-allow-egress` when none
    /// matched).
    pub rule: String,
    /// Its relative path (`projects/P/global/firewalls/F`), or `<network>/<implied name>`.
    pub rule_id: String,
    /// Its priority (65535 for the implied rules).
    pub priority: u32,
    /// The network whose rules decided.
    pub network: String,
}

/// How the network of an instance routes an external address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GcpInternetRoute {
    /// Through route `route` (priority `priority`) to `default-internet-gateway`.
    Internet {
        /// The route's name.
        route: String,
        /// Its priority.
        priority: u32,
    },
    /// The address is private (RFC 1918 or 6598): never sent to the internet.
    PrivateAddress,
    /// No route of the network covers the address.
    NoRoute,
    /// The best route leads elsewhere (a subnet, an instance, …): `route` to `next_hop`.
    Elsewhere {
        /// The route's name.
        route: String,
        /// Where it leads.
        next_hop: String,
    },
    /// The instance has no network interface.
    NoInterface,
}

fn header(src: Ipv4Addr, dst: Ipv4Addr, protocol: Protocol, port: u16) -> Header {
    let ports = matches!(protocol, Protocol::Tcp | Protocol::Udp);
    Header {
        src_ip: IpAddr::V4(src),
        dst_ip: IpAddr::V4(dst),
        protocol,
        src_port: ports.then_some(port),
        dst_port: ports.then_some(port),
        icmp: (protocol == Protocol::Icmp).then_some((8, 0)),
    }
}

/// The firewall's verdict on an outer packet of `i` in `dir` (the public helpers below, and
/// the tunnel model through a snapshot's index).
pub(crate) fn verdict(
    reads: Reads<'_>,
    i: &GcpInstance,
    dir: GDir,
    peer: Ipv4Addr,
    protocol: Protocol,
    port: u16,
) -> Option<GcpFirewallVerdict> {
    let nic = i.nics.first()?;
    let h = match dir {
        GDir::Ingress => header(peer, nic.network_ip, protocol, port),
        GDir::Egress => header(nic.network_ip, peer, protocol, port),
    };
    let d = firewall(reads, &nic.network, dir, &i.tags, None, &h);
    Some(GcpFirewallVerdict {
        allowed: d.action == AclAction::Allow,
        rule: d.name,
        rule_id: d.id,
        priority: d.priority,
        network: nic.network.clone(),
    })
}

/// Whether the firewall of `instance`'s network admits `protocol`/`port` (the tunnel's
/// port, both source and destination, as WireGuard sends) arriving from address `from`.
/// `None` when the instance has no interface.
pub fn gcp_ingress_admits(
    world: &World,
    instance: &GcpInstance,
    from: Ipv4Addr,
    protocol: Protocol,
    port: u16,
) -> Option<GcpFirewallVerdict> {
    verdict(
        Reads::scan(world),
        instance,
        GDir::Ingress,
        from,
        protocol,
        port,
    )
}

/// Whether the firewall of `instance`'s network lets `protocol`/`port` leave for address `to`.
/// `None` when the instance has no interface.
pub fn gcp_egress_admits(
    world: &World,
    instance: &GcpInstance,
    to: Ipv4Addr,
    protocol: Protocol,
    port: u16,
) -> Option<GcpFirewallVerdict> {
    verdict(
        Reads::scan(world),
        instance,
        GDir::Egress,
        to,
        protocol,
        port,
    )
}

/// How the network of `instance` (`nic0`) routes address `to`, with the routes that apply to
/// the instance's tags.
pub fn gcp_internet_route(world: &World, instance: &GcpInstance, to: Ipv4Addr) -> GcpInternetRoute {
    internet_route(Reads::scan(world), instance, to)
}

/// [`gcp_internet_route`] through `reads`.
pub(crate) fn internet_route(
    reads: Reads<'_>,
    instance: &GcpInstance,
    to: Ipv4Addr,
) -> GcpInternetRoute {
    let Some(nic) = instance.nics.first() else {
        return GcpInternetRoute::NoInterface;
    };
    if is_private(to) {
        return GcpInternetRoute::PrivateAddress;
    }
    let all = routes(reads, &nic.network, &instance.tags);
    let Some(r) = best(&all, to) else {
        return GcpInternetRoute::NoRoute;
    };
    match &r.next {
        Next::Static(GcpNextHop::Gateway(_), _) => GcpInternetRoute::Internet {
            route: r.name.clone(),
            priority: r.priority,
        },
        Next::Static(hop, _) => GcpInternetRoute::Elsewhere {
            route: r.name.clone(),
            next_hop: next_hop_name(hop),
        },
        Next::Subnet(net) => GcpInternetRoute::Elsewhere {
            route: r.name.clone(),
            next_hop: format!("network {}", name_of(net)),
        },
    }
}

/// The rule of the best route of `instance`'s network (`nic0`) for `to`, as a hop shows it.
pub(crate) fn route_rule(
    reads: Reads<'_>,
    instance: &GcpInstance,
    to: Ipv4Addr,
) -> Option<crate::model::RuleRef> {
    let nic = instance.nics.first()?;
    best(&routes(reads, &nic.network, &instance.tags), to).map(|r| r.rule())
}
