//! Azure gateways for the tunnel model: a VM of the gateway image
//! (`vpcpeer_model::azure::GATEWAY_IMAGE_OFFER`), through its primary NIC, and the outer
//! path's checks on Azure, as pure reads of the [`World`] ([`crate::azure_outer`]).
//!
//! - The host: the VM's power state, the NIC's primary private address and VNet, the public
//!   IPv4 address of its public IP resource, `enableIPForwarding`, and the configuration
//!   compiled from the VM's `osProfile.customData` (decoded).
//! - Sending and receiving: the VM runs (`TUNNEL_GATEWAY_NOT_RUNNING`: stopped or
//!   deallocated), the NIC has a public address (`TUNNEL_NO_PUBLIC_IP`; a Dynamic one is
//!   released while deallocated), its effective NSGs let the UDP out to (outbound) or in from
//!   (inbound) the other gateway's public address (`TUNNEL_OUTER_BLOCKED_BY_SG`, at the NSG
//!   whose rule denied), and its effective route for the other's public address has next hop
//!   `Internet` (`TUNNEL_NO_INTERNET_ROUTE`).

use std::net::{IpAddr, Ipv4Addr};

use vpcpeer_model::azure::{AzDirection, AzNextHop, AzNic, AzPowerState, AzVm};
use vpcpeer_model::{AclAction, World};

use super::{
    outer_walk_v4, Blocked, Cloud, GatewayHost, GatewaySetup, InternetRoute, OuterChecks, OuterStep,
};
use crate::azure::hop_name;
use crate::azure::outer::{
    admits_udp_from, admits_udp_to, nic, nic_with_public_ipv4, primary_nic, private_ipv4,
    public_ipv4, route_for, vm_of_nic, vnet_of,
};
use crate::model::{
    CloudRule, Code, ComponentKind as K, ComponentRef, Direction, Header, RuleRef, TunnelFix,
};

/// The setup of `vm` when it runs the gateway image (`None` otherwise).
pub fn setup_of(vm: &AzVm) -> Option<GatewaySetup> {
    crate::snapshot::clouds::az_setup(vm)
}

/// The gateway host of `vm` through its primary NIC, with its compiled `setup`.
pub fn host<'a>(
    world: &'a World,
    vm: &'a AzVm,
    setup: Option<&'a GatewaySetup>,
) -> Option<GatewayHost<'a>> {
    let n = primary_nic(world, vm)?;
    Some(GatewayHost {
        cloud: Cloud::Azure,
        instance: &vm.display_id,
        interface: &n.display_id,
        network: vnet_of(world, n)?,
        private_ip: IpAddr::V4(private_ipv4(n)?),
        public_ip: public_ipv4(world, n),
        running: vm.power.is_running(),
        forwarding: n.ip_forwarding,
        setup,
    })
}

/// The VM whose NIC holds public address `ip`, if any.
pub fn vm_by_public_ip(world: &World, ip: Ipv4Addr) -> Option<&AzVm> {
    vm_of_nic(world, nic_with_public_ipv4(world, ip)?)
}

fn power_name(p: AzPowerState) -> &'static str {
    match p {
        AzPowerState::Running => "running",
        AzPowerState::Stopped => "stopped",
        AzPowerState::Deallocated => "deallocated",
    }
}

/// The outer path's checks at an Azure gateway: its NIC, the other gateway's public address
/// and its own private one.
struct AzOuter<'a> {
    world: &'a World,
    n: &'a AzNic,
    peer: Ipv4Addr,
    local: Ipv4Addr,
}

/// The outer packet `outer` leaving (`dir` egress) or arriving at (ingress) Azure gateway `h`.
pub fn outer(world: &World, h: &GatewayHost<'_>, outer: Header, dir: Direction) -> Vec<OuterStep> {
    outer_walk_v4(h, outer, dir, |peer, local| {
        let n = nic(world, h.interface)?;
        Some(AzOuter {
            world,
            n,
            peer,
            local,
        })
    })
}

impl OuterChecks for AzOuter<'_> {
    fn not_running(&self, h: &GatewayHost<'_>) -> String {
        let state = vm_of_nic(self.world, self.n).map_or("gone", |vm| power_name(vm.power));
        format!(
            "the gateway VM {} is {state}: the tunnel through it carries nothing",
            h.instance
        )
    }

    fn no_public_ip(&self, h: &GatewayHost<'_>) -> (String, TunnelFix) {
        let nic = &self.n.display_id;
        (
            format!(
                "the gateway VM {}'s NIC {nic} has no public IPv4 address (none set, or a Dynamic one released while deallocated): the other gateway cannot reach it",
                h.instance
            ),
            TunnelFix::AzurePublicIp { nic: nic.clone() },
        )
    }

    /// The NIC's effective NSGs for the outer packet: the NIC's hop, and the NSG that denies.
    fn filters(
        &self,
        h: &GatewayHost<'_>,
        dir: Direction,
        outer: Header,
        out: &mut Vec<OuterStep>,
    ) {
        let (n, peer) = (self.n, self.peer);
        let port = outer.dst_port.unwrap_or_default();
        let verdict = match dir {
            Direction::Egress => admits_udp_to(self.world, n, port, peer),
            Direction::Ingress => admits_udp_from(self.world, n, port, peer),
        };
        let nic = ComponentRef::new(K::NetworkInterface, &n.display_id);
        out.push(OuterStep::new(nic, None, outer));
        let Err(denial) = verdict else {
            return;
        };
        let component = ComponentRef::new(K::NetworkSecurityGroup, &denial.nsg);
        let rule = RuleRef::Cloud(CloudRule::Filter {
            policy: denial.nsg_name.clone(),
            rule: denial.rule.clone(),
            priority: denial.priority,
            action: AclAction::Deny,
            direction: dir,
        });
        let s = OuterStep::new(component.clone(), Some(rule), outer);
        let (way, what) = match dir {
            Direction::Egress => (AzDirection::Outbound, format!("udp/{port} out to {peer}")),
            Direction::Ingress => (AzDirection::Inbound, format!("udp/{port} in from {peer}")),
        };
        let way = match way {
            AzDirection::Inbound => "inbound",
            AzDirection::Outbound => "outbound",
        };
        let detail = format!(
            "the NSG {} of the gateway VM {} denies {what} ({way} rule {}, priority {})",
            denial.nsg_name, h.instance, denial.rule, denial.priority
        );
        let fix = TunnelFix::AllowOuterRule {
            direction: dir,
            port,
            peer,
            local: self.local,
            policy: denial.nsg_name,
            priority_below: denial.priority,
        };
        let code = Code::TunnelOuterBlockedBySg { direction: dir };
        out.push(s.stopped(Blocked::tunnel(code, component, detail, fix)));
    }

    /// The NIC's effective route for the other gateway's public address must have next hop
    /// `Internet`.
    fn route(
        &self,
        h: &GatewayHost<'_>,
        _: Direction,
        outer: Header,
    ) -> (OuterStep, InternetRoute) {
        let (n, to) = (self.n, self.peer);
        let r = route_for(self.world, n, to);
        let component = match r.as_ref().and_then(|r| r.route_table.clone()) {
            Some(t) => ComponentRef::new(K::RouteTable, t),
            None => ComponentRef::new(K::Network, h.network),
        };
        let rule = r.as_ref().map(|r| {
            RuleRef::Cloud(CloudRule::Route {
                name: r.name.clone().unwrap_or_else(|| "system route".into()),
                destination: r.prefix.to_string(),
                next_hop: match r.next_hop_ip {
                    Some(ip) => format!("{} {ip}", hop_name(r.next_hop)),
                    None => hop_name(r.next_hop).to_owned(),
                },
                priority: None,
            })
        });
        let s = OuterStep::new(component, rule, outer);
        let why = match &r {
            Some(r) if r.next_hop == AzNextHop::Internet => {
                return (s, Ok(ComponentRef::new(K::Internet, "internet")));
            }
            None => "it has no route for it".to_owned(),
            Some(r) => format!(
                "its effective route {} ({}) leads to {}, not to the internet",
                r.name.as_deref().unwrap_or("system route"),
                r.prefix,
                hop_name(r.next_hop)
            ),
        };
        let detail = format!(
            "the gateway VM {}'s NIC {} cannot reach the other gateway's public address {to}: {why}",
            h.instance, n.display_id
        );
        let fix = TunnelFix::AzureInternetRoute {
            nic: n.display_id.clone(),
            table: r.and_then(|r| r.route_table),
        };
        (s, Err((detail, fix)))
    }
}
