//! The Azure side of a tunnel's outer path, as pure reads of the world: what a gateway VM's NIC
//! shows the internet (its public IPv4 address, through its public IP resource), whether it
//! forwards (`enableIPForwarding`), whether its VM runs, what the VM booted with (its custom
//! data, decoded), and whether its NSGs and routes carry the tunnel's packets between its
//! private address and a peer's public address. Exported as `vpcpeer_reach::azure_outer`.
//!
//! The NSG checks take the NIC's effective NSGs as the walk does: inbound the subnet's NSG,
//! then the NIC's; outbound the NIC's, then the subnet's; both must allow, the first denial is
//! reported. A packet to or from the internet is seen by the NSGs with the NIC's private
//! address (Azure translates the public address at its edge), so that is the address the rules
//! are matched against.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::Ipv4Net;
use vpcpeer_model::azure::{
    key, AzAccess, AzDirection, AzNextHop, AzNic, AzPublicIp, AzRouteSource, AzVm,
};
use vpcpeer_model::World;

pub use vpcpeer_model::azure::AzPowerState;

use super::nsg::nsg_decision;
use super::{best, nic_end, primary, routes_of, virtual_network};
use crate::model::{Header, Protocol};
use crate::snapshot::clouds::{custom_data_text, nic_public_ip_key, Reads};

/// The NIC stored under an ARM id (any case).
pub fn nic<'w>(world: &'w World, id: &str) -> Option<&'w AzNic> {
    world.azure.nics().get(&key(id))
}

/// The VM using `nic`, if any.
pub fn vm_of_nic<'w>(world: &'w World, nic: &AzNic) -> Option<&'w AzVm> {
    world.azure.vms().get(&key(nic.vm.as_deref()?))
}

/// The primary NIC of `vm` (its first).
pub fn primary_nic<'w>(world: &'w World, vm: &AzVm) -> Option<&'w AzNic> {
    world.azure.nics().get(&key(vm.nics.first()?))
}

/// The public IP resource of `nic`'s primary IP configuration (else of its first
/// configuration that has one).
pub fn public_ip<'w>(world: &'w World, nic: &AzNic) -> Option<&'w AzPublicIp> {
    world.azure.public_ips().get(&nic_public_ip_key(nic)?)
}

/// The public IPv4 address of `nic`: its public IP resource's address, when one is allocated
/// (a Dynamic one has none while its VM is deallocated).
pub fn public_ipv4(world: &World, nic: &AzNic) -> Option<Ipv4Addr> {
    public_ip(world, nic)?.address
}

/// The NIC holding the public address `ip` (through its public IP resource), if any.
pub fn nic_with_public_ipv4(world: &World, ip: Ipv4Addr) -> Option<&AzNic> {
    Reads::scan(world).az_by_public_ip(ip)
}

/// The primary private address of `nic`.
pub fn private_ipv4(nic: &AzNic) -> Option<Ipv4Addr> {
    primary(nic).map(|c| c.private_ip)
}

/// Whether `nic` forwards packets not addressed to it (`enableIPForwarding`).
pub fn ip_forwarding(nic: &AzNic) -> bool {
    nic.ip_forwarding
}

/// The power state of `nic`'s VM; `None` when no VM uses the NIC.
pub fn power_state(world: &World, nic: &AzNic) -> Option<AzPowerState> {
    vm_of_nic(world, nic).map(|vm| vm.power)
}

/// `vm`'s custom data as text (its base64 decoded, as the VM reads it at boot); `None` when it
/// has none or the bytes are not UTF-8.
pub fn custom_data(vm: &AzVm) -> Option<String> {
    custom_data_text(vm)
}

/// Which NSG of a NIC's path decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsgLevel {
    /// The NSG of the NIC's subnet.
    Subnet,
    /// The NSG of the NIC itself.
    Nic,
}

/// An NSG rule that denies a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsgDenial {
    /// The NSG's ARM id, as first spelled.
    pub nsg: String,
    /// The NSG's name.
    pub nsg_name: String,
    /// Where it is attached.
    pub level: NsgLevel,
    /// The rule that denied (its name, `DenyAllInBound` for the default).
    pub rule: String,
    /// Its priority.
    pub priority: u32,
}

/// Whether the effective NSGs of `nic` admit `h` in direction `dir` (`h` carries the NIC's
/// private address on its side); `Err` names the first rule that denies.
pub fn nsg_check(
    world: &World,
    nic: &AzNic,
    dir: AzDirection,
    h: &Header,
) -> Result<(), NsgDenial> {
    let Some(end) = nic_end(world, nic, None) else {
        return Ok(());
    };
    let space = virtual_network(world, end.vnet);
    let subnet = (NsgLevel::Subnet, end.subnet.nsg.as_deref());
    let own = (NsgLevel::Nic, nic.nsg.as_deref());
    let order = match dir {
        AzDirection::Inbound => [subnet, own],
        AzDirection::Outbound => [own, subnet],
    };
    for (level, id) in order {
        let Some(nsg) = id.and_then(|id| world.azure.nsgs().get(&key(id))) else {
            continue;
        };
        let rule = nsg_decision(nsg, dir, h, &space);
        if rule.access == AzAccess::Deny {
            return Err(NsgDenial {
                nsg: nsg.display_id.clone(),
                nsg_name: nsg.name.clone(),
                level,
                rule: rule.name,
                priority: rule.priority,
            });
        }
    }
    Ok(())
}

/// A tunnel packet between the NIC's private address and `peer`, both ends on `port` (as a
/// WireGuard tunnel's are).
fn udp(local: Ipv4Addr, peer: Ipv4Addr, port: u16, inbound: bool) -> Header {
    let (src, dst) = if inbound {
        (peer, local)
    } else {
        (local, peer)
    };
    Header {
        src_ip: IpAddr::V4(src),
        dst_ip: IpAddr::V4(dst),
        protocol: Protocol::Udp,
        src_port: Some(port),
        dst_port: Some(port),
        icmp: None,
    }
}

/// Whether the effective NSGs of `nic` admit inbound udp/`port` from `from` (to the NIC's
/// primary private address, from the same port).
pub fn admits_udp_from(
    world: &World,
    nic: &AzNic,
    port: u16,
    from: Ipv4Addr,
) -> Result<(), NsgDenial> {
    let Some(local) = private_ipv4(nic) else {
        return Ok(());
    };
    nsg_check(
        world,
        nic,
        AzDirection::Inbound,
        &udp(local, from, port, true),
    )
}

/// Whether the effective NSGs of `nic` admit outbound udp/`port` to `to` (from the NIC's
/// primary private address, from the same port).
pub fn admits_udp_to(world: &World, nic: &AzNic, port: u16, to: Ipv4Addr) -> Result<(), NsgDenial> {
    let Some(local) = private_ipv4(nic) else {
        return Ok(());
    };
    nsg_check(
        world,
        nic,
        AzDirection::Outbound,
        &udp(local, to, port, false),
    )
}

/// The effective route `nic` takes to an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OuterRoute {
    /// The user-defined route's name (`None`: a system route).
    pub name: Option<String>,
    /// The route table holding it (ARM id as given), for a user-defined route.
    pub route_table: Option<String>,
    /// The prefix that matched.
    pub prefix: Ipv4Net,
    /// Its next hop type.
    pub next_hop: AzNextHop,
    /// Its next hop address (`VirtualAppliance`).
    pub next_hop_ip: Option<Ipv4Addr>,
}

/// The best effective route of `nic` for `to` (longest prefix; a user route wins a tie).
pub fn route_for(world: &World, nic: &AzNic, to: Ipv4Addr) -> Option<OuterRoute> {
    let end = nic_end(world, nic, None)?;
    let chosen = best(&routes_of(world, &end), to)?;
    let user = chosen.route.source == AzRouteSource::User;
    Some(OuterRoute {
        name: chosen.route.name.clone(),
        route_table: user.then(|| end.subnet.route_table.clone()).flatten(),
        prefix: chosen.prefix,
        next_hop: chosen.route.next_hop,
        next_hop_ip: chosen.route.next_hop_ips.first().copied(),
    })
}

/// Whether the best effective route of `nic` for `to` leads to the internet.
pub fn has_internet_route(world: &World, nic: &AzNic, to: Ipv4Addr) -> bool {
    route_for(world, nic, to).is_some_and(|r| r.next_hop == AzNextHop::Internet)
}

/// The VNet of `nic`'s primary IP configuration (its ARM id as first spelled).
pub(crate) fn vnet_of<'w>(world: &'w World, nic: &'w AzNic) -> Option<&'w str> {
    nic_end(world, nic, None).map(|e| e.vnet.display_id.as_str())
}
