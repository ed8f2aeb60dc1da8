//! Reachability inside Azure: effective routes, VNet peering and network security groups,
//! answered in Azure's own terms (the NSG and rule that decided, the effective route and its
//! next hop type).
//!
//! Forward walk: the source VM → its NIC → the NIC's NSG, then the subnet's NSG (outbound; both
//! must allow) → the effective route for the destination → by next hop type → the destination
//! subnet's NSG, then its NIC's NSG (inbound) → the NIC → the VM.
//!
//! - Effective routes are the model's ([`vpcpeer_model::azure::routes::effective_routes`]):
//!   system routes (the VNet's address space `VnetLocal`; the address space of each `Connected`
//!   peering with `allowVirtualNetworkAccess` as `VNetPeering`, or `VNetGlobalPeering` across
//!   regions; `0.0.0.0/0` `Internet`; the private ranges outside the address space dropped),
//!   overridden by the user-defined routes of the subnet's route table. The longest prefix wins;
//!   on a tie a user route beats a system route.
//! - Next hops: `VnetLocal` delivers inside the VNet; a peering hop delivers inside the peer VNet
//!   only (peering is not transitive: the peer's own peers are not in the routes); `Internet`
//!   reaches only addresses outside every VNet; a user route to `None` is `ROUTE_BLACKHOLE`
//!   naming the route; a system route to `None` is `NO_ROUTE`; a `VirtualAppliance` whose
//!   address no NIC holds, or held only by the NIC of a VM that is not running (deallocated or
//!   powered off: the appliance forwards nothing, \[choice\] worded as a blackhole of the route,
//!   whose fix is to start the VM or repoint the route), is `ROUTE_BLACKHOLE`; one that the NIC
//!   of a running VM (or a NIC without a VM) holds (forwarding through an appliance) and
//!   `VirtualNetworkGateway` are `UNSUPPORTED_COMPONENT` (not modelled, never guessed).
//! - NSG rules (the NSG's own plus Azure's default rules) are taken by priority; the first that
//!   matches protocol, source and destination ports and prefixes decides. Prefixes are CIDRs,
//!   addresses, `*`/`Any`, and the service tags `VirtualNetwork` (the VNet's address space,
//!   that of its `Connected` peers with `allowVirtualNetworkAccess`, and the prefixes of the
//!   UDRs on its subnets: `virtual_network_tag` of the model), `Internet` (every address
//!   outside that set and outside the private RFC 1918 / RFC 6598 ranges [UNVERIFIED: Azure
//!   documents the tag as the public address space]) and `AzureLoadBalancer` (the platform address 168.63.129.16); any other
//!   tag never matches. A denial is `NSG_RULE` naming `nsg/rule`. NSGs are stateful: the reply
//!   passes them.
//! - When routing fails between two VNets, the peering is diagnosed: a link that is `Initiated`
//!   or `Disconnected` is `PEERING_NOT_ACTIVE`; a `Connected` pair with
//!   `allowVirtualNetworkAccess` false is `PEERING_ACCESS_DISABLED`; no link is
//!   `NO_PEERING_PATH` (saying so when both are peered with a third VNet). The walk goes on as if
//!   the packet arrived, so every blocker on the path is listed.
//! - Return path: the destination's effective routes must send the reply back (`VnetLocal` in
//!   the same VNet, the peering to the source's VNet across one), else a return-leg `NO_ROUTE`.
//! - Power: a VM that is not running (`PowerState/deallocated` or `stopped`) neither sends nor
//!   receives: a source VM that is not running is `INSTANCE_NOT_RUNNING` on the forward leg,
//!   and so is a destination VM (once each, naming the VM; its fix is to start it). A NIC or
//!   address without a VM always runs. A VM or NIC that does not exist is a query error.
//! - The outer path of a tunnel (a gateway VM's public IP, IP forwarding, power, custom data,
//!   its NSGs for the tunnel's UDP and its route to the internet) is read through [`outer`].

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use vpcpeer_model::azure::peering::{self as azpeering, PeeringState};
use vpcpeer_model::azure::routes::effective_routes;
use vpcpeer_model::azure::security::virtual_network_tag;
use vpcpeer_model::azure::{
    key, ArmId, AzAccess, AzDirection, AzEffectiveRoute, AzIpConfig, AzNextHop, AzNic, AzPlace,
    AzPowerState, AzRouteSource, AzSubnet, AzVm, AzVnet,
};
use vpcpeer_model::{AclAction, World};

use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, Direction, Fact, Header, Leg, QueryError,
    RuleRef,
};
use crate::snapshot::clouds::Reads;
use crate::trace::Trace;

pub(crate) mod crossing;
mod nsg;
pub mod outer;
use crate::walk::{filter_hop, Cloud, Step};
use nsg::nsg_decision;

/// One end inside an Azure VNet: a VM's primary NIC, a NIC, or an address of a subnet.
#[derive(Debug, Clone)]
pub(crate) struct AEnd<'w> {
    /// The VNet.
    pub vnet: &'w AzVnet,
    /// The subnet.
    pub subnet: &'w AzSubnet,
    /// The address.
    pub ip: Ipv4Addr,
    /// The NIC, if the end is one.
    pub nic: Option<&'w AzNic>,
    /// The VM using the NIC, if any.
    pub vm: Option<&'w AzVm>,
}

impl AEnd<'_> {
    fn subnet_id(&self) -> String {
        format!("{}/subnets/{}", self.vnet.display_id, self.subnet.name)
    }

    pub fn component(&self) -> ComponentRef {
        match (self.vm, self.nic) {
            (Some(vm), _) => ComponentRef::new(K::Instance, &vm.display_id),
            (None, Some(nic)) => ComponentRef::new(K::NetworkInterface, &nic.display_id),
            (None, None) => ComponentRef::new(K::Subnet, self.subnet_id()),
        }
    }
}

fn primary(nic: &AzNic) -> Option<&AzIpConfig> {
    nic.ip_configs
        .iter()
        .find(|c| c.primary)
        .or(nic.ip_configs.first())
}

fn subnet_of<'w>(world: &'w World, subnet_id: &str) -> Option<(&'w AzVnet, &'w AzSubnet)> {
    let a = ArmId::parse(subnet_id)?;
    let vnet = world.azure.vnets().get(&key(&a.top_level()))?;
    let (_, name) = a.segments.get(1)?;
    Some((vnet, vnet.subnet(name)?))
}

fn nic_end<'w>(world: &'w World, nic: &'w AzNic, vm: Option<&'w AzVm>) -> Option<AEnd<'w>> {
    let cfg = primary(nic)?;
    let (vnet, subnet) = subnet_of(world, &cfg.subnet_id)?;
    Some(AEnd {
        vnet,
        subnet,
        ip: cfg.private_ip,
        nic: Some(nic),
        vm,
    })
}

/// The end for a VM (its primary NIC) or a NIC, by lower-cased ARM id.
pub(crate) fn resource_end<'w>(world: &'w World, id: &str) -> Result<AEnd<'w>, QueryError> {
    let unknown = || QueryError::UnknownEndpoint(id.to_owned());
    if let Some(vm) = world.azure.vms().get(id) {
        let nic = vm
            .nics
            .first()
            .and_then(|n| world.azure.nics().get(&key(n)))
            .ok_or_else(|| QueryError::InstanceWithoutInterface(vm.display_id.clone()))?;
        return nic_end(world, nic, Some(vm)).ok_or_else(unknown);
    }
    let nic = world.azure.nics().get(id).ok_or_else(unknown)?;
    let vm = nic
        .vm
        .as_deref()
        .and_then(|v| world.azure.vms().get(&key(v)));
    nic_end(world, nic, vm).ok_or_else(unknown)
}

/// The ends address `ip` stands for: NICs holding it, else subnets whose prefix holds it.
pub(crate) fn ip_ends(reads: Reads<'_>, ip: Ipv4Addr) -> Vec<AEnd<'_>> {
    let world = reads.world;
    let mut held = Vec::new();
    for nic in reads.az_holding(ip) {
        for cfg in nic.ip_configs.iter().filter(|c| c.private_ip == ip) {
            if let Some((vnet, subnet)) = subnet_of(world, &cfg.subnet_id) {
                let vm = nic
                    .vm
                    .as_deref()
                    .and_then(|v| world.azure.vms().get(&key(v)));
                held.push(AEnd {
                    vnet,
                    subnet,
                    ip,
                    nic: Some(nic),
                    vm,
                });
            }
        }
    }
    if !held.is_empty() {
        return held;
    }
    world
        .azure
        .vnets()
        .values()
        .flat_map(|v| v.subnets.iter().map(move |s| (v, s)))
        .filter(|(_, s)| s.prefix.contains(&ip))
        .map(|(vnet, subnet)| AEnd {
            vnet,
            subnet,
            ip,
            nic: None,
            vm: None,
        })
        .collect()
}

/// Whether VNets `a` and `b` (keys) are joined by a `Connected` peering.
pub(crate) fn connected(world: &World, a: &str, b: &str) -> bool {
    azpeering::links_of(world, a)
        .any(|l| l.remote_vnet == b && azpeering::state(world, l) == PeeringState::Connected)
}

/// The address space the `VirtualNetwork` tag stands for, seen from `vnet` (the model's, the
/// same the `effectiveNetworkSecurityGroups` read expands).
fn virtual_network(world: &World, vnet: &AzVnet) -> Vec<Ipv4Net> {
    virtual_network_tag(world, vnet)
}

/// A chosen effective route.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    route: AzEffectiveRoute,
    prefix: Ipv4Net,
}

/// The effective routes of an end (a NIC's, or those a NIC in its subnet would have).
fn routes_of(world: &World, e: &AEnd<'_>) -> Vec<AzEffectiveRoute> {
    match e.nic {
        Some(nic) => effective_routes(world, nic),
        None => {
            let probe = AzNic {
                id: String::new(),
                display_id: String::new(),
                name: String::new(),
                place: AzPlace {
                    subscription: e.vnet.place.subscription.clone(),
                    resource_group: e.vnet.place.resource_group.clone(),
                    location: e.vnet.place.location.clone(),
                },
                ip_configs: vec![AzIpConfig {
                    name: "probe".into(),
                    subnet_id: e.subnet_id(),
                    private_ip: e.ip,
                    dynamic: false,
                    primary: true,
                    public_ip: None,
                }],
                nsg: None,
                ip_forwarding: false,
                vm: None,
                guid: String::new(),
                tags: Default::default(),
            };
            effective_routes(world, &probe)
        }
    }
}

fn best(routes: &[AzEffectiveRoute], ip: Ipv4Addr) -> Option<Chosen> {
    routes
        .iter()
        .filter(|r| r.active)
        .flat_map(|r| r.prefixes.iter().map(move |p| (r, *p)))
        .filter(|(_, p)| p.contains(&ip))
        .max_by_key(|(r, p)| {
            (
                p.prefix_len(),
                match r.source {
                    AzRouteSource::User => 2,
                    AzRouteSource::VirtualNetworkGateway => 1,
                    AzRouteSource::Default => 0,
                },
            )
        })
        .map(|(r, p)| Chosen {
            route: r.clone(),
            prefix: p,
        })
}

/// A power state in words.
fn power_words(p: AzPowerState) -> &'static str {
    match p {
        AzPowerState::Running => "running",
        AzPowerState::Stopped => "stopped (powered off)",
        AzPowerState::Deallocated => "deallocated",
    }
}

pub(crate) fn hop_name(h: AzNextHop) -> &'static str {
    match h {
        AzNextHop::VnetLocal => "VnetLocal",
        AzNextHop::VnetPeering => "VNetPeering",
        AzNextHop::VnetGlobalPeering => "VNetGlobalPeering",
        AzNextHop::Internet => "Internet",
        AzNextHop::VirtualAppliance => "VirtualAppliance",
        AzNextHop::VirtualNetworkGateway => "VirtualNetworkGateway",
        AzNextHop::None => "None",
    }
}

/// The Azure side of the walk ([`crate::walk`]).
pub(crate) struct Azure<'w> {
    /// The world.
    pub world: &'w World,
    /// How it finds the NICs holding an address.
    pub reads: Reads<'w>,
}

impl<'w> Azure<'w> {
    /// The walk reading through `reads`.
    pub(crate) fn new(reads: Reads<'w>) -> Self {
        Azure {
            world: reads.world,
            reads,
        }
    }
}

impl Azure<'_> {
    /// The VM and NIC hops of an end, outward (`vm_first`) or inward.
    fn end_hops(&self, t: &mut Trace, e: &AEnd<'_>, h: Header, vm_first: bool) {
        let vm = e.vm.map(|v| ComponentRef::new(K::Instance, &v.display_id));
        let nic = e
            .nic
            .map(|n| ComponentRef::new(K::NetworkInterface, &n.display_id));
        if e.vm.is_none() && e.nic.is_none() {
            t.hop(e.component(), None, h);
            return;
        }
        let (first, second) = if vm_first { (vm, nic) } else { (nic, vm) };
        for c in [first, second].into_iter().flatten() {
            t.hop(c, None, h);
        }
    }

    /// On the forward leg, the blocker of an end whose VM is not running (it cannot `what`:
    /// send or receive).
    fn not_running(&self, t: &mut Trace, e: &AEnd<'_>, what: &str, h: Header) {
        let Some(vm) = e.vm.filter(|v| !v.power.is_running()) else {
            return;
        };
        if t.leg == Leg::Forward {
            t.block(
                Code::InstanceNotRunning,
                ComponentRef::new(K::Instance, &vm.display_id),
                format!(
                    "virtual machine {} is {}: it cannot {what} {h}",
                    vm.name,
                    power_words(vm.power)
                ),
            );
        }
    }

    /// One NSG's verdict on `h`, seen from end `e`.
    fn nsg(&self, t: &mut Trace, nsg_id: Option<&str>, e: &AEnd<'_>, dir: AzDirection, h: Header) {
        let Some(nsg) = nsg_id.and_then(|id| self.world.azure.nsgs().get(&key(id))) else {
            return;
        };
        let space = virtual_network(self.world, e.vnet);
        let r = nsg_decision(nsg, dir, &h, &space);
        let rule = CloudRule::Filter {
            policy: nsg.name.clone(),
            rule: r.name.clone(),
            priority: r.priority,
            action: match r.access {
                AzAccess::Allow => AclAction::Allow,
                AzAccess::Deny => AclAction::Deny,
            },
            direction: match dir {
                AzDirection::Inbound => Direction::Ingress,
                AzDirection::Outbound => Direction::Egress,
            },
        };
        let nsg_ref = ComponentRef::new(K::NetworkSecurityGroup, &nsg.display_id);
        filter_hop(t, nsg_ref, rule, h, |direction| {
            let way = match dir {
                AzDirection::Inbound => "inbound",
                AzDirection::Outbound => "outbound",
            };
            (
                Code::NsgRule { direction },
                format!(
                    "{}/{} (priority {}) denies {way} {h}",
                    nsg.name, r.name, r.priority
                ),
            )
        });
    }

    /// The hop of the effective route chosen for an end; returns the component it names.
    fn route_hop(&self, t: &mut Trace, e: &AEnd<'_>, c: &Chosen, h: Header) -> ComponentRef {
        let table = (c.route.source == AzRouteSource::User)
            .then_some(e.subnet.route_table.as_deref())
            .flatten()
            .and_then(|id| self.world.azure.route_tables().get(&key(id)));
        let at = match table {
            Some(t) => ComponentRef::new(K::RouteTable, &t.display_id),
            None => ComponentRef::new(K::Subnet, e.subnet_id()),
        };
        let next_hop = match c.route.next_hop_ips.first() {
            Some(ip) => format!("{} {ip}", hop_name(c.route.next_hop)),
            None => hop_name(c.route.next_hop).to_owned(),
        };
        t.hop(
            at.clone(),
            Some(RuleRef::Cloud(CloudRule::Route {
                name: c
                    .route
                    .name
                    .clone()
                    .unwrap_or_else(|| "system route".to_owned()),
                destination: c.prefix.to_string(),
                next_hop,
                priority: None,
            })),
            h,
        );
        at
    }

    /// Where a route to a virtual appliance leads: nowhere this engine follows.
    fn appliance(&self, c: &Chosen, h: Header) -> Step {
        let ip = c.route.next_hop_ips.first().copied();
        let holders: Vec<&AzNic> = ip.map(|a| self.reads.az_holding(a)).unwrap_or_default();
        let vm_of = |n: &&AzNic| outer::vm_of_nic(self.world, n);
        let held = holders
            .iter()
            .any(|n| vm_of(n).is_none_or(|vm| vm.power.is_running()));
        let stopped = holders.iter().find_map(vm_of);
        let name = c.route.name.clone().unwrap_or_default();
        let shown = ip.map_or("?".to_owned(), |a| a.to_string());
        let (code, detail) = if let (false, Some(vm)) = (held, stopped) {
            (
                Code::RouteBlackhole,
                format!(
                    "route {name} ({} -> VirtualAppliance {shown}) is a blackhole for {h}: the appliance's virtual machine {} is {}",
                    c.prefix,
                    vm.name,
                    power_words(vm.power)
                ),
            )
        } else if held {
            (
                Code::UnsupportedComponent,
                format!(
                    "route {name} sends {} to the virtual appliance {shown}, which this engine does not model as a hop",
                    h.dst_ip
                ),
            )
        } else {
            (
                Code::RouteBlackhole,
                format!(
                    "route {name} ({} -> VirtualAppliance {shown}) is a blackhole for {h}: no NIC holds the appliance address",
                    c.prefix
                ),
            )
        };
        Step::Drop {
            code,
            detail,
            diagnose: false,
        }
    }
}

impl<'w> Cloud for Azure<'w> {
    type End = AEnd<'w>;
    type Route = Chosen;

    fn network(e: &Self::End) -> &str {
        &e.vnet.id
    }

    fn ip(e: &AEnd<'w>) -> Ipv4Addr {
        e.ip
    }

    fn interface(e: &Self::End) -> Option<(&str, &str)> {
        e.nic.map(|n| (n.id.as_str(), n.display_id.as_str()))
    }

    fn leave(&self, t: &mut Trace, e: &AEnd<'w>, h: Header) {
        self.end_hops(t, e, h, true);
        self.not_running(t, e, "send", h);
    }

    fn enter(&self, t: &mut Trace, e: &AEnd<'w>, h: Header) {
        self.end_hops(t, e, h, false);
        self.not_running(t, e, "receive", h);
    }

    /// The NIC's NSG, then the subnet's (both must allow).
    fn egress(&self, t: &mut Trace, src: &AEnd<'w>, h: Header) {
        let nic_nsg = src.nic.and_then(|n| n.nsg.as_deref());
        self.nsg(t, nic_nsg, src, AzDirection::Outbound, h);
        self.nsg(t, src.subnet.nsg.as_deref(), src, AzDirection::Outbound, h);
    }

    /// The subnet's NSG, then the NIC's.
    fn ingress(&self, t: &mut Trace, d: &AEnd<'w>, _src: &AEnd<'w>, h: Header) {
        self.nsg(t, d.subnet.nsg.as_deref(), d, AzDirection::Inbound, h);
        let nic_nsg = d.nic.and_then(|n| n.nsg.as_deref());
        self.nsg(t, nic_nsg, d, AzDirection::Inbound, h);
    }

    fn lookup(&self, e: &AEnd<'w>, ip: Ipv4Addr) -> Option<Chosen> {
        best(&routes_of(self.world, e), ip)
    }

    fn no_route(&self, src: &AEnd<'w>, h: Header) -> (ComponentRef, String) {
        (
            ComponentRef::new(K::Subnet, src.subnet_id()),
            format!(
                "subnet {}/{} has no effective route for {}",
                src.vnet.name, src.subnet.name, h.dst_ip
            ),
        )
    }

    fn take(
        &self,
        t: &mut Trace,
        src: &AEnd<'w>,
        dst: Option<&AEnd<'w>>,
        c: &Chosen,
        h: Header,
    ) -> (ComponentRef, Step) {
        let at = self.route_hop(t, src, c, h);
        let step = match c.route.next_hop {
            AzNextHop::VnetLocal => Step::Deliver(src.vnet.id.clone()),
            AzNextHop::VnetPeering | AzNextHop::VnetGlobalPeering => {
                let link = azpeering::links_of(self.world, &src.vnet.id).find(|l| {
                    l.allow_vnet_access
                        && azpeering::state(self.world, l) == PeeringState::Connected
                        && l.remote_snapshot.contains(&c.prefix)
                });
                match link {
                    Some(l) => {
                        t.hop(
                            ComponentRef::new(K::PeeringConnection, &l.display_id),
                            None,
                            h,
                        );
                        Step::Deliver(l.remote_vnet.clone())
                    }
                    None => Step::Drop {
                        code: Code::RouteBlackhole,
                        detail: format!("no connected peering carries {} for {h}", c.prefix),
                        diagnose: false,
                    },
                }
            }
            AzNextHop::Internet => Step::Internet(dst.map(|d| {
                format!(
                    "the best effective route for {} is {} -> Internet, but the address \
                     lies in virtual network {}",
                    h.dst_ip, c.prefix, d.vnet.name
                )
            })),
            AzNextHop::None => match (&c.route.source, &c.route.name) {
                (AzRouteSource::User, Some(name)) => Step::Drop {
                    code: Code::RouteBlackhole,
                    detail: format!("user-defined route {name} ({} -> None) drops {h}", c.prefix),
                    diagnose: false,
                },
                _ => Step::Drop {
                    code: Code::NoRoute,
                    detail: format!(
                        "no route of subnet {}/{} leads to {}: the system route {} -> None drops it",
                        src.vnet.name, src.subnet.name, h.dst_ip, c.prefix
                    ),
                    diagnose: true,
                },
            },
            AzNextHop::VirtualAppliance => self.appliance(c, h),
            AzNextHop::VirtualNetworkGateway => Step::Drop {
                code: Code::UnsupportedComponent,
                detail: format!(
                    "the best route for {} leads to a virtual network gateway, which this engine does not model as a hop",
                    h.dst_ip
                ),
                diagnose: false,
            },
        };
        (at, step)
    }

    fn misrouted(
        &self,
        at: &ComponentRef,
        _net: &str,
        dst: Option<&AEnd<'w>>,
        h: Header,
    ) -> (ComponentRef, String) {
        let detail = match dst {
            Some(d) => format!(
                "the best route for {} leads into another virtual network than {}",
                h.dst_ip, d.vnet.name
            ),
            None => format!("no NIC holds {}", h.dst_ip),
        };
        (at.clone(), detail)
    }

    fn back(
        &self,
        t: &mut Trace,
        d: &AEnd<'w>,
        src: &AEnd<'w>,
        r: Header,
    ) -> Option<(ComponentRef, String)> {
        let chosen = self.lookup(d, src.ip);
        let ok = match &chosen {
            Some(c) => match c.route.next_hop {
                AzNextHop::VnetLocal => d.vnet.id == src.vnet.id,
                AzNextHop::VnetPeering | AzNextHop::VnetGlobalPeering => {
                    azpeering::links_of(self.world, &d.vnet.id).any(|l| {
                        l.remote_vnet == src.vnet.id && l.remote_snapshot.contains(&c.prefix)
                    })
                }
                _ => false,
            },
            None => false,
        };
        let at = match &chosen {
            Some(c) => self.route_hop(t, d, c, r),
            None => {
                let at = ComponentRef::new(K::Subnet, d.subnet_id());
                t.hop(at.clone(), None, r);
                at
            }
        };
        if !ok {
            return Some((
                at,
                format!(
                    "the effective routes of subnet {}/{} do not lead back to {} (virtual network {}) for the reply {r}",
                    d.vnet.name, d.subnet.name, src.ip, src.vnet.name
                ),
            ));
        }
        if chosen.is_some_and(|c| c.route.next_hop != AzNextHop::VnetLocal) {
            if let Some(l) =
                azpeering::links_of(self.world, &d.vnet.id).find(|l| l.remote_vnet == src.vnet.id)
            {
                t.hop(
                    ComponentRef::new(K::PeeringConnection, &l.display_id),
                    None,
                    r,
                );
            }
        }
        None
    }

    /// A link not Connected, access disabled, or no peering.
    fn diagnose(&self, t: &mut Trace, src: &AEnd<'w>, d: &AEnd<'w>) {
        let (a, b) = (src.vnet, d.vnet);
        let links: Vec<_> = azpeering::links_of(self.world, &a.id)
            .filter(|l| l.remote_vnet == b.id)
            .chain(azpeering::links_of(self.world, &b.id).filter(|l| l.remote_vnet == a.id))
            .collect();
        if links.is_empty() {
            let third = self.world.azure.vnets().values().find(|c| {
                c.id != a.id
                    && c.id != b.id
                    && connected(self.world, &a.id, &c.id)
                    && connected(self.world, &c.id, &b.id)
            });
            let transit = third.map_or(String::new(), |c| {
                format!(
                    "; both are peered with {}, but peering is not transitive",
                    c.name
                )
            });
            t.block(
                Code::NoPeeringPath,
                ComponentRef::new(K::Network, &b.display_id),
                format!(
                    "virtual networks {} and {} are not peered{transit}",
                    a.name, b.name
                ),
            );
            return;
        }
        let mut found = false;
        for l in &links {
            let state = azpeering::state(self.world, l);
            let (from, to) = if l.vnet == a.id {
                (&a.name, &b.name)
            } else {
                (&b.name, &a.name)
            };
            let c = ComponentRef::new(K::PeeringConnection, &l.display_id);
            match state {
                PeeringState::Connected if !l.allow_vnet_access => {
                    found = true;
                    t.block(
                        Code::PeeringAccessDisabled,
                        c,
                        format!(
                            "peering {} of {from} to {to} is Connected but allowVirtualNetworkAccess is false",
                            l.name
                        ),
                    );
                }
                PeeringState::Connected => {}
                PeeringState::Initiated => {
                    found = true;
                    t.block(
                        Code::PeeringNotActive,
                        c,
                        format!(
                            "peering {} of {from} to {to} is Initiated: {to} has no peering link back to {from}",
                            l.name
                        ),
                    );
                }
                PeeringState::Disconnected => {
                    found = true;
                    t.block_with(
                        Code::PeeringNotActive,
                        c,
                        format!(
                            "peering {} of {from} to {to} is Disconnected: the other side was deleted or re-created",
                            l.name
                        ),
                        Some(Fact::AzureLinkDisconnected),
                    );
                }
            }
        }
        let _ = found;
    }
}
