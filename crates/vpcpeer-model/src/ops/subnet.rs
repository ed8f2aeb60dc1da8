//! Subnets, and private address allocation inside them.

use std::net::Ipv4Addr;

use crate::{DomainError, Kind, Subnet, Tx};

impl Tx<'_, '_> {
    /// Every private IPv4 address in use in `subnet_id` (ENIs, primary and secondary).
    pub fn addresses_in_use(&self, subnet_id: &str) -> Vec<Ipv4Addr> {
        self.world()
            .network_interfaces
            .values()
            .filter(|e| e.subnet_id == subnet_id)
            .flat_map(|e| std::iter::once(e.private_ip).chain(e.secondary_ips.iter().copied()))
            .collect()
    }

    /// Picks (or checks) a private address in a subnet the caller owns. EC2 reserves the first
    /// four addresses and the last one of every subnet. `taken` lists addresses already handed
    /// out earlier in the same transaction.
    pub fn allocate_private_ip(
        &self,
        subnet_id: &str,
        requested: Option<Ipv4Addr>,
        taken: &[Ipv4Addr],
    ) -> Result<Ipv4Addr, DomainError> {
        let subnet = self.owned::<Subnet>(subnet_id)?;
        let net = subnet.cidr;
        let first = u32::from(net.network());
        let last = u32::from(net.broadcast());
        let usable = (first + 4)..last;
        let in_use = self.addresses_in_use(subnet_id);
        let busy = |a: Ipv4Addr| in_use.contains(&a) || taken.contains(&a);
        match requested {
            Some(ip) => {
                let n = u32::from(ip);
                if !net.contains(&ip) {
                    return Err(DomainError::invalid(format!(
                        "Address {ip} does not fall within the subnet's address range"
                    )));
                }
                if !usable.contains(&n) {
                    return Err(DomainError::invalid(format!(
                        "Address {ip} is reserved by AWS in subnet {subnet_id}"
                    )));
                }
                if busy(ip) {
                    return Err(DomainError::AddressInUse(ip.to_string()));
                }
                Ok(ip)
            }
            None => usable
                .map(Ipv4Addr::from)
                .find(|a| !busy(*a))
                .ok_or_else(|| DomainError::InsufficientAddresses(subnet_id.to_owned())),
        }
    }

    /// The subnet `id` of the caller, or NotFound.
    pub fn subnet(&self, id: &str) -> Result<&Subnet, DomainError> {
        self.owned::<Subnet>(id).map_err(|e| match e {
            DomainError::NotFound { id, .. } => DomainError::not_found(Kind::Subnet, id),
            other => other,
        })
    }
}
