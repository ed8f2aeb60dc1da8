//! The network interface lifecycle: CreateNetworkInterface, AttachNetworkInterface,
//! DetachNetworkInterface, Assign/UnassignPrivateIpAddresses and Assign/UnassignIpv6Addresses
//! (DeleteNetworkInterface is in [`crate::aws::instance`]).
//!
//! Private IPv4 addresses come from [`Tx::allocate_private_ip`]: never one in use, never one of
//! the five a subnet reserves. IPv6 addresses come from the subnet's IPv6 block: the lowest free
//! address from the block's fifth one (the emulator reserves the first four and the last, as for
//! IPv4 [UNVERIFIED for IPv6]).
//!
//! Choices where AWS is unverified:
//! - One interface holds at most [`MAX_PRIVATE_IPS`] private IPv4 addresses and
//!   [`MAX_IPV6_ADDRESSES`] IPv6 addresses (AWS: by instance type; the largest types allow 50).
//! - An interface can be attached to a `running` or `stopped` instance in its zone, whatever
//!   the VPC (AWS allows interfaces of another VPC of the same account and zone); the device
//!   index must be free. An attached interface is not deleted with its instance
//!   (`DeleteOnTermination` false), as on AWS.
//! - Assigning a private address that another interface holds is `InvalidParameterValue` unless
//!   `AllowReassignment` is set and the address is a secondary address of an interface of the
//!   same subnet (it then moves, with its Elastic IP disassociated).

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::aws::instance::mac_for;
use crate::{
    AddressProblem, DomainError, EipProblem, EniAttachment, Instance, InstanceState,
    NetworkInterface, Subnet, Tags, Tx,
};

/// Most private IPv4 addresses on one interface (primary included).
pub const MAX_PRIVATE_IPS: u32 = 50;

/// Most IPv6 addresses on one interface.
pub const MAX_IPV6_ADDRESSES: u32 = 50;

/// Input of CreateNetworkInterface.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInterface {
    /// `SubnetId`.
    pub subnet_id: String,
    /// The primary private address (`PrivateIpAddress`, or the `Primary` one of
    /// `PrivateIpAddresses.N`).
    pub private_ip: Option<Ipv4Addr>,
    /// Explicit secondary addresses (the others of `PrivateIpAddresses.N`).
    pub secondary_ips: Vec<Ipv4Addr>,
    /// `SecondaryPrivateIpAddressCount`.
    pub secondary_count: u32,
    /// `Ipv6Addresses.N`.
    pub ipv6_addresses: Vec<Ipv6Addr>,
    /// `Ipv6AddressCount`.
    pub ipv6_count: u32,
    /// `SecurityGroupId.N` (empty: the VPC's default group).
    pub groups: Vec<String>,
    /// `Description`.
    pub description: Option<String>,
    /// Tags (TagSpecification `network-interface`).
    pub tags: Tags,
}

/// Private addresses to assign: explicit ones or a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignPrivate {
    /// The interface.
    pub interface_id: String,
    /// `PrivateIpAddress.N`.
    pub addresses: Vec<Ipv4Addr>,
    /// `SecondaryPrivateIpAddressCount`.
    pub count: Option<u32>,
    /// `AllowReassignment`.
    pub allow_reassignment: bool,
}

/// IPv6 addresses to assign: explicit ones or a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignIpv6 {
    /// The interface.
    pub interface_id: String,
    /// `Ipv6Addresses.N`.
    pub addresses: Vec<Ipv6Addr>,
    /// `Ipv6AddressCount`.
    pub count: Option<u32>,
}

/// The range of IPv6 host addresses the emulator hands out in a block (fifth to last but one).
fn ipv6_hosts(net: ipnet::Ipv6Net) -> (u128, u128) {
    let first = u128::from(net.network()).saturating_add(4);
    let last = u128::from(net.broadcast()).saturating_sub(1);
    (first, last)
}

impl Tx<'_, '_> {
    /// Every IPv6 address held by an interface of `subnet_id`.
    pub fn ipv6_in_use(&self, subnet_id: &str) -> BTreeSet<Ipv6Addr> {
        self.world()
            .aws
            .network_interfaces
            .values()
            .filter(|e| e.subnet_id == subnet_id)
            .flat_map(|e| e.ipv6.iter().copied())
            .collect()
    }

    /// IPv6 addresses for an interface of `subnet`: the explicit ones (checked) then `count`
    /// free ones; `taken` holds the addresses in use (and gets the new ones).
    pub(crate) fn allocate_ipv6(
        &self,
        subnet: &Subnet,
        explicit: &[Ipv6Addr],
        count: u32,
        taken: &mut BTreeSet<Ipv6Addr>,
    ) -> Result<Vec<Ipv6Addr>, DomainError> {
        if explicit.is_empty() && count == 0 {
            return Ok(Vec::new());
        }
        let Some((_, net)) = subnet.ipv6 else {
            return Err(DomainError::Eip(EipProblem::NoIpv6Block {
                subnet_id: subnet.id.clone(),
            }));
        };
        let (first, last) = ipv6_hosts(net);
        let mut out = Vec::new();
        for a in explicit {
            let n = u128::from(*a);
            if !net.contains(a) || n < first || n > last {
                return Err(DomainError::Eip(EipProblem::Ipv6OutsideSubnet {
                    address: *a,
                    subnet_id: subnet.id.clone(),
                }));
            }
            if !taken.insert(*a) {
                return Err(DomainError::Eip(EipProblem::Ipv6Taken { address: *a }));
            }
            out.push(*a);
        }
        let mut next = first;
        for _ in 0..count {
            while next <= last && taken.contains(&Ipv6Addr::from(next)) {
                next += 1;
            }
            if next > last {
                return Err(DomainError::Address(AddressProblem::Exhausted {
                    subnet_id: subnet.id.clone(),
                }));
            }
            let a = Ipv6Addr::from(next);
            taken.insert(a);
            out.push(a);
        }
        Ok(out)
    }

    /// Private IPv4 addresses for an interface of `subnet_id`: the primary (requested or
    /// free), the explicit secondaries, then `count` free ones; `taken` lists addresses handed out
    /// earlier in the transaction (and gets the new ones).
    pub(crate) fn allocate_interface_ips(
        &self,
        subnet_id: &str,
        primary: Option<Ipv4Addr>,
        secondaries: &[Ipv4Addr],
        count: u32,
        taken: &mut Vec<Ipv4Addr>,
    ) -> Result<(Ipv4Addr, Vec<Ipv4Addr>), DomainError> {
        // Requested addresses first, so an automatic pick cannot take them.
        let mut requested = Vec::new();
        for a in primary.iter().chain(secondaries) {
            let ip = self.allocate_private_ip(subnet_id, Some(*a), taken)?;
            taken.push(ip);
            requested.push(ip);
        }
        let primary = match primary {
            Some(p) => p,
            None => {
                let ip = self.allocate_private_ip(subnet_id, None, taken)?;
                taken.push(ip);
                ip
            }
        };
        let mut secondary: Vec<Ipv4Addr> = secondaries.to_vec();
        for _ in 0..count {
            let ip = self.allocate_private_ip(subnet_id, None, taken)?;
            taken.push(ip);
            secondary.push(ip);
        }
        Ok((primary, secondary))
    }

    /// CreateNetworkInterface; returns the new interface.
    pub fn create_network_interface(
        &mut self,
        input: NewInterface,
    ) -> Result<NetworkInterface, DomainError> {
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        let subnet = self.subnet(&input.subnet_id)?.clone();
        let groups = self.groups_for(&subnet.vpc_id, &input.groups)?;
        let total = 1 + input.secondary_ips.len() as u64 + u64::from(input.secondary_count);
        let id_for_errors = String::new();
        if total > u64::from(MAX_PRIVATE_IPS) {
            return Err(DomainError::Eip(EipProblem::TooManyAddresses {
                interface_id: id_for_errors,
                max: MAX_PRIVATE_IPS,
            }));
        }
        if input.ipv6_addresses.len() as u64 + u64::from(input.ipv6_count)
            > u64::from(MAX_IPV6_ADDRESSES)
        {
            return Err(DomainError::Eip(EipProblem::TooManyAddresses {
                interface_id: id_for_errors,
                max: MAX_IPV6_ADDRESSES,
            }));
        }
        let mut taken = Vec::new();
        let (private_ip, secondary_ips) = self.allocate_interface_ips(
            &subnet.id,
            input.private_ip,
            &input.secondary_ips,
            input.secondary_count,
            &mut taken,
        )?;
        let mut taken6 = self.ipv6_in_use(&subnet.id);
        let ipv6 = self.allocate_ipv6(
            &subnet,
            &input.ipv6_addresses,
            input.ipv6_count,
            &mut taken6,
        )?;
        let id = self.new_id("eni");
        let eni = NetworkInterface {
            id: id.clone(),
            scope: self.scope().clone(),
            subnet_id: subnet.id.clone(),
            vpc_id: subnet.vpc_id.clone(),
            availability_zone: subnet.availability_zone.clone(),
            private_ip,
            secondary_ips,
            ipv6,
            groups,
            attachment: None,
            mac: mac_for(&id),
            description: input.description.unwrap_or_default(),
            interface_type: "interface".into(),
            source_dest_check: true,
            tags: input.tags,
            public_ip: None,
            public_ip_on_launch: false,
        };
        self.put(eni.clone());
        Ok(eni)
    }

    /// The caller's interface `id` that the caller manages (not a service's).
    fn own_interface(&self, id: &str) -> Result<NetworkInterface, DomainError> {
        let e = self.network_interface(id)?.clone();
        if e.interface_type != "interface" {
            return Err(DomainError::InterfaceManaged { interface_id: e.id });
        }
        Ok(e)
    }

    /// AttachNetworkInterface; returns the attachment id.
    pub fn attach_network_interface(
        &mut self,
        interface_id: &str,
        instance_id: &str,
        device_index: u32,
    ) -> Result<String, DomainError> {
        let eni = self.own_interface(interface_id)?;
        let inst: Instance = self.visible_instance(instance_id)?.clone();
        if let Some(a) = &eni.attachment {
            return Err(DomainError::InterfaceInUse {
                id: eni.id,
                instance_id: a.instance_id.clone(),
            });
        }
        if !matches!(inst.state, InstanceState::Running | InstanceState::Stopped) {
            return Err(DomainError::Eip(EipProblem::InstanceNotRunning {
                instance_id: inst.id,
            }));
        }
        if eni.availability_zone != inst.availability_zone {
            return Err(DomainError::Eip(EipProblem::DifferentZones {
                interface_id: eni.id,
                instance_id: inst.id,
            }));
        }
        let used = inst.eni_ids.iter().any(|id| {
            self.get::<NetworkInterface>(id)
                .and_then(|e| e.attachment.as_ref())
                .is_some_and(|a| a.device_index == device_index)
        });
        if used {
            return Err(DomainError::Eip(EipProblem::DeviceIndexTaken {
                instance_id: inst.id,
                device_index,
            }));
        }
        let attachment_id = self.new_id("eni-attach");
        let now = self.now();
        if let Some(e) = self.get_mut::<NetworkInterface>(interface_id) {
            e.attachment = Some(EniAttachment {
                id: attachment_id.clone(),
                instance_id: inst.id.clone(),
                device_index,
                attach_time: now,
                delete_on_termination: false,
            });
        }
        if let Some(i) = self.get_mut::<Instance>(&inst.id) {
            i.eni_ids.push(interface_id.to_owned());
        }
        Ok(attachment_id)
    }

    /// DetachNetworkInterface: any attachment but the primary interface's.
    pub fn detach_network_interface(&mut self, attachment_id: &str) -> Result<(), DomainError> {
        let eni = self
            .list_owned::<NetworkInterface>()
            .find(|e| e.attachment.as_ref().is_some_and(|a| a.id == attachment_id))
            .cloned()
            .ok_or_else(|| {
                DomainError::Eip(EipProblem::AttachmentNotFound {
                    attachment_id: attachment_id.to_owned(),
                })
            })?;
        let a = eni.attachment.clone().expect("found by its attachment");
        if a.device_index == 0 {
            return Err(DomainError::Eip(EipProblem::DetachPrimary {
                attachment_id: attachment_id.to_owned(),
            }));
        }
        if let Some(e) = self.get_mut::<NetworkInterface>(&eni.id) {
            e.attachment = None;
        }
        if let Some(i) = self.get_mut::<Instance>(&a.instance_id) {
            i.eni_ids.retain(|id| *id != eni.id);
        }
        Ok(())
    }

    /// AssignPrivateIpAddresses; returns the addresses assigned.
    pub fn assign_private_ips(&mut self, req: AssignPrivate) -> Result<Vec<Ipv4Addr>, DomainError> {
        let eni = self.own_interface(&req.interface_id)?;
        let count = match (req.addresses.is_empty(), req.count) {
            (false, Some(_)) => return Err(DomainError::Eip(EipProblem::AddressesAndCount)),
            (true, None | Some(0)) => return Err(DomainError::Eip(EipProblem::NoAddresses)),
            (_, c) => c.unwrap_or(0),
        };
        let now_held = 1 + eni.secondary_ips.len() as u64;
        if now_held + req.addresses.len() as u64 + u64::from(count) > u64::from(MAX_PRIVATE_IPS) {
            return Err(DomainError::Eip(EipProblem::TooManyAddresses {
                interface_id: eni.id,
                max: MAX_PRIVATE_IPS,
            }));
        }
        // Addresses moved from another interface of the subnet (AllowReassignment).
        let mut moved: Vec<(String, Ipv4Addr)> = Vec::new();
        for a in &req.addresses {
            let holder = self
                .world()
                .aws
                .network_interfaces
                .values()
                .find(|e| {
                    e.subnet_id == eni.subnet_id
                        && (e.private_ip == *a || e.secondary_ips.contains(a))
                })
                .map(|e| (e.id.clone(), e.private_ip == *a));
            match holder {
                None => {}
                Some((holder, false)) if req.allow_reassignment && holder != eni.id => {
                    moved.push((holder, *a));
                }
                Some(_) => {
                    return Err(DomainError::Eip(EipProblem::PrivateIpTaken { address: *a }))
                }
            }
        }
        for (holder, a) in &moved {
            self.drop_addresses_of(holder, Some(*a));
            if let Some(e) = self.get_mut::<NetworkInterface>(holder) {
                e.secondary_ips.retain(|x| x != a);
            }
        }
        let mut taken = Vec::new();
        let mut out = Vec::new();
        for a in &req.addresses {
            let ip = self.allocate_private_ip(&eni.subnet_id, Some(*a), &taken)?;
            taken.push(ip);
            out.push(ip);
        }
        for _ in 0..count {
            let ip = self.allocate_private_ip(&eni.subnet_id, None, &taken)?;
            taken.push(ip);
            out.push(ip);
        }
        if let Some(e) = self.get_mut::<NetworkInterface>(&eni.id) {
            e.secondary_ips.extend(out.iter().copied());
        }
        Ok(out)
    }

    /// UnassignPrivateIpAddresses: secondary addresses only; their Elastic IPs are
    /// disassociated.
    pub fn unassign_private_ips(
        &mut self,
        interface_id: &str,
        addresses: &[Ipv4Addr],
    ) -> Result<(), DomainError> {
        let eni = self.own_interface(interface_id)?;
        if addresses.is_empty() {
            return Err(DomainError::Eip(EipProblem::NoAddresses));
        }
        for a in addresses {
            if !eni.secondary_ips.contains(a) {
                return Err(DomainError::Eip(EipProblem::NotSecondary {
                    address: *a,
                    interface_id: eni.id.clone(),
                }));
            }
        }
        for a in addresses {
            self.drop_addresses_of(&eni.id, Some(*a));
        }
        if let Some(e) = self.get_mut::<NetworkInterface>(&eni.id) {
            e.secondary_ips.retain(|x| !addresses.contains(x));
        }
        Ok(())
    }

    /// AssignIpv6Addresses; returns the addresses assigned.
    pub fn assign_ipv6(&mut self, req: AssignIpv6) -> Result<Vec<Ipv6Addr>, DomainError> {
        let eni = self.own_interface(&req.interface_id)?;
        let count = match (req.addresses.is_empty(), req.count) {
            (false, Some(_)) => return Err(DomainError::Eip(EipProblem::AddressesAndCount)),
            (true, None | Some(0)) => return Err(DomainError::Eip(EipProblem::NoAddresses)),
            (_, c) => c.unwrap_or(0),
        };
        if eni.ipv6.len() as u64 + req.addresses.len() as u64 + u64::from(count)
            > u64::from(MAX_IPV6_ADDRESSES)
        {
            return Err(DomainError::Eip(EipProblem::TooManyAddresses {
                interface_id: eni.id,
                max: MAX_IPV6_ADDRESSES,
            }));
        }
        let subnet = self.subnet(&eni.subnet_id)?.clone();
        let mut taken = self.ipv6_in_use(&subnet.id);
        let out = self.allocate_ipv6(&subnet, &req.addresses, count, &mut taken)?;
        if let Some(e) = self.get_mut::<NetworkInterface>(&eni.id) {
            e.ipv6.extend(out.iter().copied());
        }
        Ok(out)
    }

    /// UnassignIpv6Addresses; returns the addresses unassigned.
    pub fn unassign_ipv6(
        &mut self,
        interface_id: &str,
        addresses: &[Ipv6Addr],
    ) -> Result<Vec<Ipv6Addr>, DomainError> {
        let eni = self.own_interface(interface_id)?;
        if addresses.is_empty() {
            return Err(DomainError::Eip(EipProblem::NoAddresses));
        }
        for a in addresses {
            if !eni.ipv6.contains(a) {
                return Err(DomainError::Eip(EipProblem::Ipv6NotAssigned {
                    address: *a,
                    interface_id: eni.id.clone(),
                }));
            }
        }
        if let Some(e) = self.get_mut::<NetworkInterface>(&eni.id) {
            e.ipv6.retain(|x| !addresses.contains(x));
        }
        let mut out = addresses.to_vec();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
