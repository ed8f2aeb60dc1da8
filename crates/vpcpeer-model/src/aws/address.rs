//! Elastic IP addresses (AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress)
//! and the public IPv4 addresses Amazon assigns at launch.
//!
//! Both kinds of public address come from one emulator pool, [`PUBLIC_POOL`] = `198.18.0.0/15`
//! (RFC 2544's benchmarking block: 131,072 addresses that belong to no one on the internet, so
//! an address the emulator hands out is never mistaken for a real host; AWS's own blocks are not
//! used for the same reason). Addresses are unique across every account and region; the lowest
//! free address is handed out (addresses ending in `.0` or `.255` are skipped for looks), so a
//! released address is reused first.
//!
//! Choices where AWS is unverified:
//! - Only `Domain` `vpc` (EC2-Classic is retired); the quota is [`Limits::elastic_ips_per_region`]
//!   (AWS: 5 per region) and answers `AddressLimitExceeded`.
//! - An address associated elsewhere, or a private address that has another Elastic IP, needs
//!   `AllowReassociation` (`Resource.AlreadyAssociated`, worded as AWS words each); with it the
//!   address moves and the other one is disassociated.
//! - An address that serves a NAT gateway cannot be disassociated, reassociated or released
//!   until the gateway is deleted (deleting the gateway disassociates it).
//! - Associating with the primary private address of an interface that has an Amazon-assigned
//!   public address releases that public address; disassociating gives the interface a new one
//!   when it was given one at launch (as AWS does for an instance's only interface).
//! - Deleting an interface (or terminating its instance, when the interface goes with it)
//!   disassociates its Elastic IPs; unassigning a secondary private address disassociates the
//!   Elastic IP mapped to it.
//!
//! [`Limits::elastic_ips_per_region`]: crate::Limits::elastic_ips_per_region

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::{
    DomainError, EipAssociation, EipProblem, ElasticIp, Kind, LimitKind, NatGateway,
    NetworkInterface, Tags, Tx,
};

/// The emulator's pool of public IPv4 addresses (Elastic IPs and launch-time public addresses).
pub const PUBLIC_POOL: Ipv4Net = match Ipv4Net::new(Ipv4Addr::new(198, 18, 0, 0), 15) {
    Ok(n) => n,
    Err(_) => panic!("valid pool"),
};

/// What AssociateAddress associates an Elastic IP with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssociationTarget {
    /// An instance (its only interface).
    Instance(String),
    /// A network interface.
    Interface(String),
}

/// Input of AssociateAddress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociateAddress {
    /// `AllocationId`.
    pub allocation_id: String,
    /// `InstanceId` or `NetworkInterfaceId`.
    pub target: AssociationTarget,
    /// `PrivateIpAddress` (default: the interface's primary address).
    pub private_ip: Option<Ipv4Addr>,
    /// `AllowReassociation`.
    pub allow_reassociation: bool,
}

/// Whether `a` is one the pool hands out (not ending in `.0` or `.255`).
fn presentable(a: Ipv4Addr) -> bool {
    let last = a.octets()[3];
    last != 0 && last != 255
}

impl Tx<'_, '_> {
    /// Every public IPv4 address in use, in every account and region.
    pub(crate) fn public_ips_in_use(&self) -> BTreeSet<Ipv4Addr> {
        let aws = &self.world().aws;
        aws.elastic_ips
            .values()
            .map(|e| e.public_ip)
            .chain(aws.network_interfaces.values().filter_map(|e| e.public_ip))
            .collect()
    }

    /// The lowest free address of the pool (and marks it taken in `taken`).
    pub(crate) fn draw_public_ip(
        &self,
        taken: &mut BTreeSet<Ipv4Addr>,
    ) -> Result<Ipv4Addr, DomainError> {
        let range = crate::cidr::host_range(PUBLIC_POOL, 0, 0);
        let ip = crate::cidr::first_free(range, |a| !presentable(a) || taken.contains(&a))
            .ok_or(DomainError::Eip(EipProblem::PoolExhausted))?;
        taken.insert(ip);
        Ok(ip)
    }

    /// The caller's Elastic IP `id`.
    pub fn elastic_ip(&self, id: &str) -> Result<&ElasticIp, DomainError> {
        self.owned::<ElasticIp>(id)
    }

    /// The caller's Elastic IP associated with `private_ip` of interface `eni_id`, if any.
    pub fn elastic_ip_on(&self, eni_id: &str, private_ip: Ipv4Addr) -> Option<&ElasticIp> {
        self.list_owned::<ElasticIp>().find(|e| {
            e.association
                .as_ref()
                .is_some_and(|a| a.eni_id == eni_id && a.private_ip == private_ip)
        })
    }

    /// AllocateAddress.
    pub fn allocate_address(&mut self, tags: Tags) -> Result<ElasticIp, DomainError> {
        self.check_tag_count(&Tags::new(), &tags, None)?;
        self.check_region_limit::<ElasticIp>(
            self.ctx.limits.elastic_ips_per_region,
            LimitKind::ElasticIps,
        )?;
        let mut taken = self.public_ips_in_use();
        let public_ip = self.draw_public_ip(&mut taken)?;
        let eip = ElasticIp {
            id: self.new_id("eipalloc"),
            scope: self.scope().clone(),
            public_ip,
            association: None,
            tags,
        };
        self.put(eip.clone());
        Ok(eip)
    }

    /// The NAT gateway whose interface is `eni_id`, if any.
    fn nat_of_interface(&self, eni_id: &str) -> Option<&NatGateway> {
        self.list_owned::<NatGateway>().find(|n| n.eni_id == eni_id)
    }

    /// Refuses a change to an association that serves a NAT gateway.
    fn check_not_nat(&self, eip: &ElasticIp) -> Result<(), DomainError> {
        let Some(a) = &eip.association else {
            return Ok(());
        };
        match self.get::<NetworkInterface>(&a.eni_id) {
            Some(e) if e.interface_type == "nat_gateway" => {
                Err(DomainError::Eip(EipProblem::UsedByNatGateway {
                    allocation_id: eip.id.clone(),
                    nat_gateway_id: self
                        .nat_of_interface(&a.eni_id)
                        .map(|n| n.id.clone())
                        .unwrap_or_default(),
                }))
            }
            _ => Ok(()),
        }
    }

    /// The interface an association targets.
    fn association_interface(
        &self,
        target: &AssociationTarget,
    ) -> Result<NetworkInterface, DomainError> {
        let eni_id = match target {
            AssociationTarget::Interface(id) => id.clone(),
            AssociationTarget::Instance(id) => {
                let i = self.visible_instance(id)?;
                match i.eni_ids.as_slice() {
                    [] => {
                        return Err(DomainError::Eip(EipProblem::InstanceWithoutInterface {
                            instance_id: id.clone(),
                        }))
                    }
                    [one] => one.clone(),
                    _ => {
                        return Err(DomainError::Eip(EipProblem::SeveralInterfaces {
                            instance_id: id.clone(),
                        }))
                    }
                }
            }
        };
        let eni = self.network_interface(&eni_id)?.clone();
        if eni.interface_type != "interface" {
            return Err(DomainError::Eip(EipProblem::ManagedInterface {
                interface_id: eni.id,
            }));
        }
        Ok(eni)
    }

    /// AssociateAddress; returns the new association's id.
    pub fn associate_address(&mut self, req: AssociateAddress) -> Result<String, DomainError> {
        let eip = self.elastic_ip(&req.allocation_id)?.clone();
        let eni = self.association_interface(&req.target)?;
        let private_ip = req.private_ip.unwrap_or(eni.private_ip);
        if private_ip != eni.private_ip && !eni.secondary_ips.contains(&private_ip) {
            return Err(DomainError::Eip(EipProblem::NotOnInterface {
                address: private_ip,
                interface_id: eni.id,
            }));
        }
        self.check_not_nat(&eip)?;
        if let Some(a) = &eip.association {
            if !req.allow_reassociation {
                return Err(DomainError::Eip(EipProblem::AlreadyAssociated {
                    allocation_id: eip.id.clone(),
                    association_id: a.id.clone(),
                }));
            }
        }
        // The address the target holds already is replaced, if the request allows it.
        if let Some(other) = self
            .elastic_ip_on(&eni.id, private_ip)
            .filter(|o| o.id != eip.id)
            .cloned()
        {
            if !req.allow_reassociation {
                return Err(DomainError::Eip(EipProblem::TargetAssociated {
                    interface_id: eni.id,
                    address: private_ip,
                    public_ip: other.public_ip,
                }));
            }
            self.owned_mut::<ElasticIp>(&other.id)?.association = None;
        }
        // Moving: the interface it leaves gets its Amazon address back.
        self.unbind_address(&eip.id)?;
        let association_id = self.new_id("eipassoc");
        self.bind_address(&eip.id, &eni.id, private_ip, association_id.clone())?;
        Ok(association_id)
    }

    /// Associates the caller's Elastic IP `allocation_id` with `private_ip` of `eni_id`
    /// (releasing the interface's Amazon-assigned address when it is the primary one).
    pub(crate) fn bind_address(
        &mut self,
        allocation_id: &str,
        eni_id: &str,
        private_ip: Ipv4Addr,
        association_id: String,
    ) -> Result<(), DomainError> {
        self.owned_mut::<ElasticIp>(allocation_id)?.association = Some(EipAssociation {
            id: association_id,
            eni_id: eni_id.to_owned(),
            private_ip,
        });
        if let Some(e) = self.get_mut::<NetworkInterface>(eni_id) {
            if e.private_ip == private_ip {
                e.public_ip = None;
            }
        }
        Ok(())
    }

    /// DisassociateAddress.
    pub fn disassociate_address(&mut self, association_id: &str) -> Result<(), DomainError> {
        let eip = self
            .list_owned::<ElasticIp>()
            .find(|e| {
                e.association
                    .as_ref()
                    .is_some_and(|a| a.id == association_id)
            })
            .cloned()
            .ok_or_else(|| DomainError::not_found(Kind::Association, association_id))?;
        self.check_not_nat(&eip)?;
        self.unbind_address(&eip.id)
    }

    /// Takes the association of Elastic IP `allocation_id` away; an interface given a public
    /// address at launch gets a new one when its primary address is freed.
    pub(crate) fn unbind_address(&mut self, allocation_id: &str) -> Result<(), DomainError> {
        let Some(a) = self
            .owned_mut::<ElasticIp>(allocation_id)?
            .association
            .take()
        else {
            return Ok(());
        };
        let renew = self.get::<NetworkInterface>(&a.eni_id).is_some_and(|e| {
            e.public_ip_on_launch && e.private_ip == a.private_ip && e.attachment.is_some()
        });
        if renew {
            let mut taken = self.public_ips_in_use();
            let ip = self.draw_public_ip(&mut taken)?;
            if let Some(e) = self.get_mut::<NetworkInterface>(&a.eni_id) {
                e.public_ip = Some(ip);
            }
        }
        Ok(())
    }

    /// Disassociates every Elastic IP of interface `eni_id` (or only the one on `private_ip`),
    /// without renewing a public address (the interface or address is going away).
    pub(crate) fn drop_addresses_of(&mut self, eni_id: &str, private_ip: Option<Ipv4Addr>) {
        let ids: Vec<String> = self
            .world()
            .aws
            .elastic_ips
            .values()
            .filter(|e| {
                e.association.as_ref().is_some_and(|a| {
                    a.eni_id == eni_id && private_ip.is_none_or(|ip| ip == a.private_ip)
                })
            })
            .map(|e| e.id.clone())
            .collect();
        for id in ids {
            if let Some(e) = self.get_mut::<ElasticIp>(&id) {
                e.association = None;
            }
        }
    }

    /// ReleaseAddress: only an address that is not associated.
    pub fn release_address(&mut self, allocation_id: &str) -> Result<(), DomainError> {
        let eip = self.elastic_ip(allocation_id)?.clone();
        self.check_not_nat(&eip)?;
        if eip.association.is_some() {
            return Err(DomainError::Eip(EipProblem::InUse {
                allocation_id: eip.id,
            }));
        }
        self.remove::<ElasticIp>(allocation_id);
        Ok(())
    }

    /// The Elastic IP a public NAT gateway is to use: the caller's, not associated (one serving
    /// another NAT gateway is refused as that gateway's).
    pub(crate) fn nat_allocation(&self, allocation_id: &str) -> Result<ElasticIp, DomainError> {
        let eip = self.elastic_ip(allocation_id)?.clone();
        if let Some(a) = &eip.association {
            if let Some(n) = self.nat_of_interface(&a.eni_id) {
                return Err(DomainError::Attached(crate::Attached::AllocationInUse {
                    allocation_id: eip.id.clone(),
                    nat_gateway_id: n.id.clone(),
                }));
            }
            return Err(DomainError::Eip(EipProblem::AlreadyAssociated {
                allocation_id: eip.id.clone(),
                association_id: a.id.clone(),
            }));
        }
        Ok(eip)
    }
}

#[cfg(test)]
pub(crate) mod tests;
