//! The interfaces and addresses of a launch: an existing interface a launch attaches, and the
//! private IPv4 and IPv6 addresses of each new interface of each instance.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{NicSpec, PlannedNic, RunInstances};
use crate::{DomainError, EipProblem, Tx};

/// The addresses one interface of one instance gets.
#[derive(Debug, Clone)]
pub(super) struct NicAddresses {
    pub(super) primary: Ipv4Addr,
    pub(super) secondary: Vec<Ipv4Addr>,
    pub(super) ipv6: Vec<Ipv6Addr>,
}

impl Tx<'_, '_> {
    /// An existing interface a launch attaches (`NetworkInterface.N.NetworkInterfaceId`).
    pub(super) fn plan_existing_nic(
        &self,
        input: &RunInstances,
        s: &NicSpec,
        id: &str,
    ) -> Result<PlannedNic, DomainError> {
        let eni = self.network_interface(id)?.clone();
        if eni.interface_type != "interface" {
            return Err(DomainError::InterfaceManaged {
                interface_id: eni.id,
            });
        }
        if eni.attachment.is_some() {
            return Err(DomainError::Eip(EipProblem::InterfaceNotAvailable {
                interface_id: eni.id,
            }));
        }
        if input.max_count > 1 {
            return Err(DomainError::Eip(
                EipProblem::ExistingInterfaceForSeveralInstances,
            ));
        }
        let settings = s.subnet_id.as_deref().is_some_and(|x| x != eni.subnet_id)
            || !s.security_group_ids.is_empty()
            || s.private_ip.is_some()
            || !s.secondary_ips.is_empty()
            || s.secondary_count > 0
            || s.ipv6_count > 0
            || !s.ipv6_addresses.is_empty()
            || s.associate_public_ip == Some(true);
        if settings {
            return Err(DomainError::Eip(
                EipProblem::ExistingInterfaceWithSettings {
                    interface_id: eni.id,
                },
            ));
        }
        let subnet = self.subnet(&eni.subnet_id)?.clone();
        Ok(PlannedNic {
            device_index: s.device_index,
            subnet,
            groups: eni.groups.clone(),
            private_ip: Some(eni.private_ip),
            secondary_count: 0,
            delete_on_termination: s.delete_on_termination,
            description: eni.description.clone(),
            secondary_ips: eni.secondary_ips.clone(),
            ipv6_count: 0,
            ipv6_addresses: eni.ipv6.clone(),
            existing: Some(eni),
            public: false,
        })
    }

    /// Addresses for one instance's interfaces (requested ones first, so an automatic pick
    /// cannot take them); an existing interface keeps its own.
    pub(super) fn addresses_for(
        &self,
        nics: &[PlannedNic],
        taken: &mut BTreeMap<String, Vec<Ipv4Addr>>,
        taken6: &mut BTreeMap<String, BTreeSet<Ipv6Addr>>,
    ) -> Result<Vec<NicAddresses>, DomainError> {
        let mut out: Vec<Option<NicAddresses>> = vec![None; nics.len()];
        for (i, n) in nics.iter().enumerate() {
            if let Some(e) = &n.existing {
                out[i] = Some(NicAddresses {
                    primary: e.private_ip,
                    secondary: e.secondary_ips.clone(),
                    ipv6: e.ipv6.clone(),
                });
                continue;
            }
            let t = taken.entry(n.subnet.id.clone()).or_default();
            for a in n.private_ip.iter().chain(&n.secondary_ips) {
                let ip = self.allocate_private_ip(&n.subnet.id, Some(*a), t)?;
                t.push(ip);
            }
        }
        for (i, n) in nics.iter().enumerate() {
            if n.existing.is_some() {
                continue;
            }
            let t = taken.entry(n.subnet.id.clone()).or_default();
            let primary = match n.private_ip {
                Some(p) => p,
                None => {
                    let ip = self.allocate_private_ip(&n.subnet.id, None, t)?;
                    t.push(ip);
                    ip
                }
            };
            let mut secondary = n.secondary_ips.clone();
            for _ in 0..n.secondary_count {
                let ip = self.allocate_private_ip(&n.subnet.id, None, t)?;
                t.push(ip);
                secondary.push(ip);
            }
            if 1 + secondary.len() as u64 > u64::from(crate::aws::interface::MAX_PRIVATE_IPS) {
                return Err(DomainError::Eip(EipProblem::TooManyAddresses {
                    interface_id: String::new(),
                    max: crate::aws::interface::MAX_PRIVATE_IPS,
                }));
            }
            let t6 = match taken6.entry(n.subnet.id.clone()) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(self.ipv6_in_use(&n.subnet.id))
                }
            };
            let ipv6 = self.allocate_ipv6(&n.subnet, &n.ipv6_addresses, n.ipv6_count, t6)?;
            out[i] = Some(NicAddresses {
                primary,
                secondary,
                ipv6,
            });
        }
        Ok(out.into_iter().flatten().collect())
    }
}
