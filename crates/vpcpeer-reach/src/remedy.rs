//! Typed remedies: for each blocker of a [`Verdict`], the one change that would remove it, as
//! data (the resource to change and the values to put there), never as prose. The server turns
//! a [`Remedy`] into its sentence; the controller can turn it into a plan.
//!
//! [`remedy`] reads the snapshot (to name the peering a missing route should target, the state
//! of a peering a blackhole route points at, the first security group of an interface), the
//! verdict's hops (the header a filter saw, the rule that decided) and the blocker's own facts
//! ([`Explanation::fact`]: which GCP peering entry is one-sided, whether an Azure link is
//! `Disconnected`).

use std::net::IpAddr;

use ipnet::IpNet;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::{AclAction, RouteTarget};

use crate::model::{
    CloudRule, Code, ComponentKind, ConfigChange, Direction, Explanation, Fact, Header, Hop, Leg,
    Protocol, RuleRef, TunnelFix, Verdict,
};
use crate::snapshot::Snapshot;

/// The traffic a rule must admit: a protocol and, for TCP and UDP, the destination port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Traffic {
    /// Protocol.
    pub protocol: Protocol,
    /// Destination port (TCP/UDP).
    pub port: Option<u16>,
}

impl Traffic {
    fn of(h: &Header) -> Traffic {
        Traffic {
            protocol: h.protocol,
            port: h.dst_port,
        }
    }
}

/// The change that would remove one blocker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// Add a route `destination → peering` to `table` (the peering is active).
    AddPeeringRoute {
        /// Route table to change.
        table: String,
        /// The peer VPC's block holding the destination.
        destination: IpNet,
        /// The peering connection to target.
        peering: String,
    },
    /// Make `peering` (now in `state`) active, then add the route `destination → peering` to
    /// `table`.
    ActivatePeeringThenRoute {
        /// The peering connection.
        peering: String,
        /// Its state now.
        state: PeeringState,
        /// The peer VPC's block holding the destination.
        destination: IpNet,
        /// Route table to change.
        table: String,
    },
    /// No peering of `vpc` reaches `destination`: peer the VPCs and route `destination` in
    /// `table`.
    PeerVpcsThenRoute {
        /// The VPC of the table.
        vpc: String,
        /// The destination address.
        destination: IpAddr,
        /// Route table to change.
        table: String,
    },
    /// Add a route for the destination to `table` (an AWS route table, a GCP network or an
    /// Azure route table: the component of the blocker).
    AddRouteForDestination {
        /// Route table or network.
        table: String,
    },
    /// Accept the pending peering request `peering`.
    AcceptPeering {
        /// The peering connection.
        peering: String,
    },
    /// Wait for `peering` to become active.
    WaitForPeering {
        /// The peering connection.
        peering: String,
    },
    /// The route in `table` targets `peering`, which is in `state` (`None`: it no longer
    /// exists): remove the route or peer again.
    RemoveRouteOrRepeer {
        /// Route table holding the route.
        table: String,
        /// The peering the route targets.
        peering: String,
        /// Its state, if it still exists.
        state: Option<PeeringState>,
    },
    /// Replace the blackhole route in `table` with a route to a usable target.
    ReplaceBlackholeRoute {
        /// Route table holding the route.
        table: String,
    },
    /// Turn the source/destination check off on the appliance's interface.
    DisableSourceDestCheck {
        /// The interface.
        interface: String,
    },
    /// Routes lead back to an appliance already crossed: change a route of `table`.
    BreakRoutingLoop {
        /// The route table whose route closes the loop.
        table: String,
    },
    /// Start the stopped instance.
    StartInstance {
        /// The instance.
        instance: String,
    },
    /// Peering is not transitive: peer the two VPCs directly.
    PeerVpcsDirectly,
    /// Create a peering connection from `vpc` to the other VPC, accept it, route both sides.
    CreatePeering {
        /// The source VPC.
        vpc: String,
    },
    /// Allow `traffic` from (ingress) or to (egress) `peer` in security group `group`.
    AllowInSecurityGroup {
        /// Security group to change.
        group: String,
        /// Ingress or egress rule.
        direction: Direction,
        /// What to allow.
        traffic: Traffic,
        /// The other end's address, as a host prefix.
        peer: IpNet,
    },
    /// Add a rule of `direction` to `group` (the blocked header is unknown).
    AddSecurityGroupRule {
        /// Security group to change.
        group: String,
        /// Ingress or egress rule.
        direction: Direction,
    },
    /// Add a rule of `direction` to a security group of `interface` (it has none the snapshot
    /// knows).
    AddInterfaceGroupRule {
        /// The interface.
        interface: String,
        /// Ingress or egress rule.
        direction: Direction,
    },
    /// Add an allow entry of `direction` for `traffic` from (inbound) or to (outbound) `peer` to
    /// network ACL `acl`, numbered before any deny that matches.
    AllowInNetworkAcl {
        /// Network ACL to change.
        acl: String,
        /// Inbound or outbound entry.
        direction: Direction,
        /// What to allow.
        traffic: Traffic,
        /// The other end's address.
        peer: IpAddr,
    },
    /// Add an allow entry to network ACL `acl` (the denying entry is unknown).
    AddNetworkAclEntry {
        /// Network ACL to change.
        acl: String,
    },
    /// Edge-to-edge routing through `gateway` is not supported: give the source VPC its own
    /// internet gateway.
    OwnInternetGateway {
        /// The peer's internet gateway.
        gateway: String,
    },
    /// Edge-to-edge routing through the peer's virtual private gateway `gateway` is not
    /// supported: give the source VPC its own VPN connection (its own virtual private gateway).
    OwnVpnGateway {
        /// The peer's virtual private gateway.
        gateway: String,
    },
    /// `gateway` does not serve peered VPCs: use a NAT gateway in the source VPC.
    OwnNatGateway {
        /// The peer's NAT gateway.
        gateway: String,
    },
    /// The gateway endpoint `endpoint` does not serve peered VPCs: create a gateway endpoint
    /// for the service in the source VPC.
    OwnGatewayEndpoint {
        /// The peer's gateway endpoint.
        endpoint: String,
    },
    /// No interface holds the destination address: check the address.
    CheckDestinationAddress,
    /// Inbound traffic from the internet cannot enter through the egress-only gateway `gateway`:
    /// attach an internet gateway to its VPC (and route to it) for inbound IPv6.
    InternetGatewayForInbound {
        /// The egress-only internet gateway.
        gateway: String,
    },
    /// GCP: add a firewall rule of `direction` allowing `traffic` from (ingress) or to (egress)
    /// `peer` to `network`, with a priority number below `priority_below`.
    AddFirewallRule {
        /// The network (its name, as the denying rule's policy names it).
        network: String,
        /// Ingress or egress.
        direction: Direction,
        /// What to allow.
        traffic: Traffic,
        /// The other end, as a host prefix.
        peer: IpNet,
        /// Priority of the rule that denied (the new rule's number must be lower).
        priority_below: u32,
    },
    /// Azure: add a security rule of `direction` allowing `traffic` from `source` to
    /// `destination` to `nsg`, with a priority number below `priority_below`.
    AddNsgRule {
        /// The network security group (its name).
        nsg: String,
        /// Inbound or outbound.
        direction: Direction,
        /// What to allow.
        traffic: Traffic,
        /// Source host prefix.
        source: IpNet,
        /// Destination host prefix.
        destination: IpNet,
        /// Priority of the rule that denied.
        priority_below: u32,
    },
    /// Add a rule allowing the traffic ahead of the one in `component` (the denying rule is
    /// unknown).
    AllowAhead {
        /// The firewall rule or NSG.
        component: String,
    },
    /// A peering blocker stands on the path: repair it first, its routes follow.
    RepairPeeringFirst,
    /// Remove or repoint the route that drops the traffic at `component`.
    RemoveBlackholeRoute {
        /// The GCP network or Azure route table.
        component: String,
    },
    /// GCP: add the peering back to `network` from the peer network, so that `network`'s entry
    /// `name` becomes `ACTIVE`.
    AddGcpPeeringBack {
        /// The network holding the one-sided entry.
        network: String,
        /// The entry's name.
        name: String,
    },
    /// Azure: `link` is `Disconnected`: delete it and the remote link, then create both again.
    RecreateAzurePeering {
        /// The peering link.
        link: String,
    },
    /// Azure: `link` is `Initiated`: create the reverse link on the remote VNet.
    CreateReverseAzureLink {
        /// The peering link.
        link: String,
    },
    /// Azure: set `allowVirtualNetworkAccess` to true on `link`.
    AllowVnetAccess {
        /// The peering link.
        link: String,
    },
    /// GCP/Azure: peer the two networks directly, from both sides (peering is not transitive).
    PeerNetworksDirectly {
        /// The destination's network.
        network: String,
    },
    /// Native peering cannot join clouds: connect them through a gateway in each cloud.
    ConnectClouds,
    /// Give the gateway instance a public IPv4 address (allocate an Elastic IP and associate it).
    AssignPublicIp {
        /// The instance.
        instance: String,
    },
    /// Add a route `0.0.0.0/0` to an internet gateway in `table` (`gateway`: the one attached
    /// to the VPC; `None`: attach one first).
    AddInternetRoute {
        /// Route table to change.
        table: String,
        /// The internet gateway attached to the table's VPC, if any.
        gateway: Option<String>,
    },
    /// Let gateway VM `instance` forward packets not addressed to it (GCP: insert it with
    /// `canIpForward`; Azure: `enableIPForwarding` on its NIC; AWS: source/destination check
    /// off).
    EnableGatewayForwarding {
        /// The gateway VM.
        instance: String,
    },
    /// GCP: give gateway instance `instance` an external address (an access config on
    /// `nic0`).
    AssignGcpExternalIp {
        /// The instance's path.
        instance: String,
    },
    /// Azure: give the primary IP configuration of gateway NIC `nic` a public IP address.
    AssignAzurePublicIp {
        /// The NIC's ARM id.
        nic: String,
    },
    /// GCP: add a route `0.0.0.0/0` to `default-internet-gateway` in `network` (or remove the
    /// route that overrides it for the gateway).
    AddGcpInternetRoute {
        /// The network's path.
        network: String,
    },
    /// Azure: let gateway NIC `nic` reach the internet (`table`: the route table whose route
    /// overrides the system route `0.0.0.0/0 → Internet`; remove it or add one to `Internet`).
    AddAzureInternetRoute {
        /// The NIC's ARM id.
        nic: String,
        /// The overriding route table, if any.
        table: Option<String>,
    },
    /// Change the gateway configuration in the user data of `instance` (stop it, modify the
    /// `userData` attribute, start it).
    FixGatewayConfig {
        /// The gateway instance.
        instance: String,
        /// The change.
        change: ConfigChange,
    },
    /// The path needs a component the engine does not model.
    Unsupported,
}

/// The last hop on `leg` that satisfies `pred`.
fn hop_at(v: &Verdict, leg: Leg, pred: impl Fn(&Hop) -> bool) -> Option<&Hop> {
    let hops = match leg {
        Leg::Forward => &v.forward,
        Leg::Return => &v.ret,
    };
    hops.iter().rev().find(|h| pred(h))
}

/// The host prefix of an address (`/32`, `/128`).
fn host_net(ip: IpAddr) -> IpNet {
    IpNet::from(ip)
}

/// The VPC block holding `ip` among the peers of `vpc`, with its peering: the first active one,
/// else the first in id order.
fn peer_for(snap: &Snapshot, vpc: &str, ip: IpAddr) -> Option<(String, IpNet, PeeringState)> {
    let ids = snap.peerings_by_vpc.get(vpc)?;
    let mut best = None;
    for id in ids {
        let Some(p) = snap.peerings.get(id) else {
            continue;
        };
        let Some(ov) = p.other_side(vpc).and_then(|o| snap.vpcs.get(o)) else {
            continue;
        };
        let block = match ip {
            IpAddr::V4(a) => ov.ipv4.iter().find(|n| n.contains(&a)).map(|n| (*n).into()),
            IpAddr::V6(a) => ov.ipv6.iter().find(|n| n.contains(&a)).map(|n| (*n).into()),
        };
        if let Some(block) = block {
            let cand = (id.clone(), block, p.state);
            if p.is_active() {
                return Some(cand);
            }
            best.get_or_insert(cand);
        }
    }
    best
}

/// The remedy of blocker `b` of verdict `v`, over the snapshot `snap` the verdict was computed on.
pub fn remedy(snap: &Snapshot, v: &Verdict, b: &Explanation) -> Remedy {
    let id = &b.component.id;
    let at_component = |h: &Hop| h.component == b.component;
    match b.code {
        Code::NoRouteToDestination => {
            let hop = hop_at(v, b.leg, at_component);
            let (Some(hop), Some(table)) = (hop, snap.tables.get(id)) else {
                return Remedy::AddRouteForDestination { table: id.clone() };
            };
            let dst = hop.inbound.dst_ip;
            match peer_for(snap, &table.vpc_id, dst) {
                Some((peering, destination, PeeringState::Active)) => Remedy::AddPeeringRoute {
                    table: id.clone(),
                    destination,
                    peering,
                },
                Some((peering, destination, state)) => Remedy::ActivatePeeringThenRoute {
                    peering,
                    state,
                    destination,
                    table: id.clone(),
                },
                None => Remedy::PeerVpcsThenRoute {
                    vpc: table.vpc_id.clone(),
                    destination: dst,
                    table: id.clone(),
                },
            }
        }
        Code::BadStateRoute => {
            let pcx = hop_at(v, b.leg, at_component).and_then(|h| match &h.rule {
                Some(RuleRef::Route {
                    target: RouteTarget::Peering(p),
                    ..
                }) => Some(p.clone()),
                _ => None,
            });
            let Some(peering) = pcx else {
                return Remedy::ReplaceBlackholeRoute { table: id.clone() };
            };
            match snap.peerings.get(&peering).map(|x| x.state) {
                Some(PeeringState::PendingAcceptance) => Remedy::AcceptPeering { peering },
                Some(PeeringState::InitiatingRequest | PeeringState::Provisioning) => {
                    Remedy::WaitForPeering { peering }
                }
                state => Remedy::RemoveRouteOrRepeer {
                    table: id.clone(),
                    peering,
                    state,
                },
            }
        }
        Code::BadState => Remedy::StartInstance {
            instance: id.clone(),
        },
        Code::PcxRequiresAddressInVpcCidr => Remedy::PeerVpcsDirectly,
        Code::DisconnectedVpcs => Remedy::CreatePeering { vpc: id.clone() },
        Code::EniSgRulesMismatch { direction } => {
            let Some(group) = snap.enis.get(id).and_then(|e| e.groups.first()) else {
                return Remedy::AddInterfaceGroupRule {
                    interface: id.clone(),
                    direction,
                };
            };
            let hop = hop_at(v, b.leg, |h| {
                h.component.kind == ComponentKind::SecurityGroup
                    && &h.component.id == group
                    && h.rule.is_none()
            });
            match hop {
                Some(h) => Remedy::AllowInSecurityGroup {
                    group: group.clone(),
                    direction,
                    traffic: Traffic::of(&h.inbound),
                    peer: host_net(match direction {
                        Direction::Ingress => h.inbound.src_ip,
                        Direction::Egress => h.inbound.dst_ip,
                    }),
                },
                None => Remedy::AddSecurityGroupRule {
                    group: group.clone(),
                    direction,
                },
            }
        }
        Code::SubnetAclRestriction { direction } => {
            let hop = hop_at(v, b.leg, |h| {
                h.component == b.component
                    && matches!(h.rule, Some(RuleRef::AclRule { action: AclAction::Deny, direction: d, .. }) if d == direction)
            });
            match hop {
                Some(h) => Remedy::AllowInNetworkAcl {
                    acl: id.clone(),
                    direction,
                    traffic: Traffic::of(&h.inbound),
                    peer: match direction {
                        Direction::Ingress => h.inbound.src_ip,
                        Direction::Egress => h.inbound.dst_ip,
                    },
                },
                None => Remedy::AddNetworkAclEntry { acl: id.clone() },
            }
        }
        Code::IgwEdgeToEdge => Remedy::OwnInternetGateway {
            gateway: id.clone(),
        },
        Code::VgwEdgeToEdge => Remedy::OwnVpnGateway {
            gateway: id.clone(),
        },
        Code::NgwRequiresSourceInVpc => Remedy::OwnNatGateway {
            gateway: id.clone(),
        },
        Code::VpceGatewayEdgeToEdge => Remedy::OwnGatewayEndpoint {
            endpoint: id.clone(),
        },
        Code::UnknownDestination => Remedy::CheckDestinationAddress,
        Code::EgressOnlyInbound => Remedy::InternetGatewayForInbound {
            gateway: id.clone(),
        },
        Code::EniSourceDestCheckRestriction => Remedy::DisableSourceDestCheck {
            interface: id.clone(),
        },
        Code::RoutingLoop => Remedy::BreakRoutingLoop { table: id.clone() },
        Code::FirewallRule { direction } | Code::NsgRule { direction } => {
            cloud_filter(v, b, direction)
        }
        Code::NoRoute => {
            let peering_blocked = v.blockers.iter().any(|o| {
                matches!(
                    o.code,
                    Code::PeeringNotActive | Code::PeeringAccessDisabled | Code::NoPeeringPath
                )
            });
            if peering_blocked {
                Remedy::RepairPeeringFirst
            } else {
                Remedy::AddRouteForDestination { table: id.clone() }
            }
        }
        Code::RouteBlackhole => Remedy::RemoveBlackholeRoute {
            component: id.clone(),
        },
        Code::PeeringNotActive => match &b.fact {
            Some(Fact::GcpPeeringOneSided { network, name }) => Remedy::AddGcpPeeringBack {
                network: network.clone(),
                name: name.clone(),
            },
            Some(Fact::AzureLinkDisconnected) => Remedy::RecreateAzurePeering { link: id.clone() },
            None | Some(Fact::Tunnel(_)) => Remedy::CreateReverseAzureLink { link: id.clone() },
        },
        Code::PeeringAccessDisabled => Remedy::AllowVnetAccess { link: id.clone() },
        Code::NoPeeringPath => Remedy::PeerNetworksDirectly {
            network: id.clone(),
        },
        Code::CrossCloud => Remedy::ConnectClouds,
        Code::InstanceNotRunning => Remedy::StartInstance {
            instance: id.clone(),
        },
        Code::UnsupportedComponent => Remedy::Unsupported,
        Code::TunnelGatewayNotRunning => Remedy::StartInstance {
            instance: id.clone(),
        },
        Code::TunnelGatewayNoForwarding => Remedy::EnableGatewayForwarding {
            instance: id.clone(),
        },
        Code::TunnelConfigInvalid
        | Code::TunnelPeerNotFound
        | Code::TunnelPeerEntryMissing
        | Code::TunnelKeyMismatch
        | Code::TunnelPortMismatch
        | Code::TunnelNoPublicIp
        | Code::TunnelNoInternetRoute
        | Code::TunnelOuterBlockedBySg { .. }
        | Code::TunnelOuterBlockedByAcl { .. }
        | Code::TunnelSourceNotAllowed
        | Code::TunnelNoRouteForDestination => tunnel_remedy(b),
    }
}

/// The remedy of a tunnel blocker, from the fix the tunnel model recorded.
fn tunnel_remedy(b: &Explanation) -> Remedy {
    let id = b.component.id.clone();
    let Some(Fact::Tunnel(fix)) = &b.fact else {
        return Remedy::Unsupported;
    };
    match fix.clone() {
        TunnelFix::AllowOuter {
            direction,
            port,
            peer,
        } => {
            let traffic = Traffic {
                protocol: Protocol::Udp,
                port: Some(port),
            };
            if b.component.kind == ComponentKind::NetworkAcl {
                Remedy::AllowInNetworkAcl {
                    acl: id,
                    direction,
                    traffic,
                    peer: IpAddr::V4(peer),
                }
            } else {
                Remedy::AllowInSecurityGroup {
                    group: id,
                    direction,
                    traffic,
                    peer: host_net(IpAddr::V4(peer)),
                }
            }
        }
        TunnelFix::AllowOuterRule {
            direction,
            port,
            peer,
            local,
            policy,
            priority_below,
        } => {
            let traffic = Traffic {
                protocol: Protocol::Udp,
                port: Some(port),
            };
            let (peer, local) = (host_net(IpAddr::V4(peer)), host_net(IpAddr::V4(local)));
            if b.component.kind == ComponentKind::FirewallRule {
                Remedy::AddFirewallRule {
                    network: policy,
                    direction,
                    traffic,
                    peer,
                    priority_below,
                }
            } else {
                let (source, destination) = match direction {
                    Direction::Ingress => (peer, local),
                    Direction::Egress => (local, peer),
                };
                Remedy::AddNsgRule {
                    nsg: policy,
                    direction,
                    traffic,
                    source,
                    destination,
                    priority_below,
                }
            }
        }
        TunnelFix::GcpExternalIp { instance } => Remedy::AssignGcpExternalIp { instance },
        TunnelFix::AzurePublicIp { nic } => Remedy::AssignAzurePublicIp { nic },
        TunnelFix::GcpInternetRoute { network } => Remedy::AddGcpInternetRoute { network },
        TunnelFix::AzureInternetRoute { nic, table } => {
            Remedy::AddAzureInternetRoute { nic, table }
        }
        TunnelFix::PublicIp { instance } => Remedy::AssignPublicIp { instance },
        TunnelFix::InternetRoute { gateway } => Remedy::AddInternetRoute { table: id, gateway },
        TunnelFix::Config { instance, change } => Remedy::FixGatewayConfig { instance, change },
    }
}

/// The remedy of a GCP firewall or Azure NSG denial: an allow rule ahead of the one that decided.
fn cloud_filter(v: &Verdict, b: &Explanation, direction: Direction) -> Remedy {
    let decided = hop_at(v, b.leg, |h| {
        h.component == b.component
            && matches!(
                h.rule,
                Some(RuleRef::Cloud(CloudRule::Filter {
                    action: AclAction::Deny,
                    ..
                }))
            )
    })
    .and_then(|h| match &h.rule {
        Some(RuleRef::Cloud(CloudRule::Filter {
            policy, priority, ..
        })) => Some((h.inbound, policy.clone(), *priority)),
        _ => None,
    });
    let Some((h, policy, priority_below)) = decided else {
        return Remedy::AllowAhead {
            component: b.component.id.clone(),
        };
    };
    let traffic = Traffic::of(&h);
    match b.code {
        Code::FirewallRule { .. } => Remedy::AddFirewallRule {
            network: policy,
            direction,
            traffic,
            peer: host_net(match direction {
                Direction::Ingress => h.src_ip,
                Direction::Egress => h.dst_ip,
            }),
            priority_below,
        },
        _ => Remedy::AddNsgRule {
            nsg: policy,
            direction,
            traffic,
            source: host_net(h.src_ip),
            destination: host_net(h.dst_ip),
            priority_below,
        },
    }
}
