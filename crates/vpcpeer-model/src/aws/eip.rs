//! The commands of the "eip" area (Elastic IPs, public IPv4 addresses and the network interface
//! lifecycle) as one [`EipCommand`], the one variant [`Command::Eip`](crate::aws::Command::Eip)
//! wraps, with its `apply`. The rules are in [`crate::aws::address`] and
//! [`crate::aws::interface`].

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::aws::address::AssociateAddress;
use crate::aws::interface::{AssignIpv6, AssignPrivate, NewInterface};
use crate::aws::Outcome;
use crate::{DomainError, Tags, Tx};

/// A change of the eip area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EipCommand {
    /// AllocateAddress.
    AllocateAddress {
        /// Tags (TagSpecification `elastic-ip`).
        tags: Tags,
    },
    /// AssociateAddress.
    AssociateAddress(AssociateAddress),
    /// DisassociateAddress.
    DisassociateAddress {
        /// The association.
        association_id: String,
    },
    /// ReleaseAddress.
    ReleaseAddress {
        /// The allocation.
        allocation_id: String,
    },
    /// CreateNetworkInterface.
    CreateNetworkInterface(NewInterface),
    /// AttachNetworkInterface.
    AttachNetworkInterface {
        /// The interface.
        interface_id: String,
        /// The instance.
        instance_id: String,
        /// The device index.
        device_index: u32,
    },
    /// DetachNetworkInterface.
    DetachNetworkInterface {
        /// The attachment.
        attachment_id: String,
    },
    /// AssignPrivateIpAddresses.
    AssignPrivateIps(AssignPrivate),
    /// UnassignPrivateIpAddresses.
    UnassignPrivateIps {
        /// The interface.
        interface_id: String,
        /// The secondary addresses.
        addresses: Vec<Ipv4Addr>,
    },
    /// AssignIpv6Addresses.
    AssignIpv6(AssignIpv6),
    /// UnassignIpv6Addresses.
    UnassignIpv6 {
        /// The interface.
        interface_id: String,
        /// The addresses.
        addresses: Vec<Ipv6Addr>,
    },
}

impl EipCommand {
    /// Applies the command.
    pub(crate) fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Outcome, DomainError> {
        Ok(match self {
            EipCommand::AllocateAddress { tags } => {
                Outcome::AddressAllocated(tx.allocate_address(tags)?)
            }
            EipCommand::AssociateAddress(req) => {
                Outcome::AddressAssociated(tx.associate_address(req)?)
            }
            EipCommand::DisassociateAddress { association_id } => {
                tx.disassociate_address(&association_id)?;
                Outcome::Done
            }
            EipCommand::ReleaseAddress { allocation_id } => {
                tx.release_address(&allocation_id)?;
                Outcome::Done
            }
            EipCommand::CreateNetworkInterface(input) => {
                Outcome::InterfaceCreated(tx.create_network_interface(input)?.id)
            }
            EipCommand::AttachNetworkInterface {
                interface_id,
                instance_id,
                device_index,
            } => Outcome::InterfaceAttached(tx.attach_network_interface(
                &interface_id,
                &instance_id,
                device_index,
            )?),
            EipCommand::DetachNetworkInterface { attachment_id } => {
                tx.detach_network_interface(&attachment_id)?;
                Outcome::Done
            }
            EipCommand::AssignPrivateIps(req) => {
                let interface_id = req.interface_id.clone();
                let addresses = tx.assign_private_ips(req)?;
                Outcome::PrivateIpsAssigned {
                    interface_id,
                    addresses,
                }
            }
            EipCommand::UnassignPrivateIps {
                interface_id,
                addresses,
            } => {
                tx.unassign_private_ips(&interface_id, &addresses)?;
                Outcome::Done
            }
            EipCommand::AssignIpv6(req) => {
                let interface_id = req.interface_id.clone();
                let addresses = tx.assign_ipv6(req)?;
                Outcome::Ipv6Assigned {
                    interface_id,
                    addresses,
                }
            }
            EipCommand::UnassignIpv6 {
                interface_id,
                addresses,
            } => {
                let addresses = tx.unassign_ipv6(&interface_id, &addresses)?;
                Outcome::Ipv6Unassigned {
                    interface_id,
                    addresses,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::address::AssociationTarget;

    /// Every eip command survives the command log's JSON form (a replay applies the same).
    #[test]
    fn commands_round_trip_through_serde() {
        let v4: Ipv4Addr = "10.0.1.9".parse().expect("ip");
        let v6: Ipv6Addr = "2600:1f18::9".parse().expect("ip6");
        let commands = vec![
            EipCommand::AllocateAddress {
                tags: Tags::from([("Name".to_owned(), "x".to_owned())]),
            },
            EipCommand::AssociateAddress(AssociateAddress {
                allocation_id: "eipalloc-00000001".into(),
                target: AssociationTarget::Instance("i-00000001".into()),
                private_ip: Some(v4),
                allow_reassociation: true,
            }),
            EipCommand::DisassociateAddress {
                association_id: "eipassoc-00000001".into(),
            },
            EipCommand::ReleaseAddress {
                allocation_id: "eipalloc-00000001".into(),
            },
            EipCommand::CreateNetworkInterface(NewInterface {
                subnet_id: "subnet-00000001".into(),
                private_ip: Some(v4),
                ipv6_addresses: vec![v6],
                ..Default::default()
            }),
            EipCommand::AttachNetworkInterface {
                interface_id: "eni-00000001".into(),
                instance_id: "i-00000001".into(),
                device_index: 1,
            },
            EipCommand::DetachNetworkInterface {
                attachment_id: "eni-attach-00000001".into(),
            },
            EipCommand::AssignPrivateIps(AssignPrivate {
                interface_id: "eni-00000001".into(),
                addresses: vec![v4],
                count: None,
                allow_reassignment: true,
            }),
            EipCommand::UnassignPrivateIps {
                interface_id: "eni-00000001".into(),
                addresses: vec![v4],
            },
            EipCommand::AssignIpv6(AssignIpv6 {
                interface_id: "eni-00000001".into(),
                addresses: Vec::new(),
                count: Some(2),
            }),
            EipCommand::UnassignIpv6 {
                interface_id: "eni-00000001".into(),
                addresses: vec![v6],
            },
        ];
        for c in commands {
            let c = crate::Command::Aws(crate::aws::Command::Eip(c));
            let json = serde_json::to_string(&c).expect("serialize");
            let back: crate::Command = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, c, "{json}");
        }
    }
}
