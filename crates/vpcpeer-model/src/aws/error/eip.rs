//! Why an Elastic IP or network interface action is refused (the "eip" area: addresses, public
//! IPv4 addresses and the ENI lifecycle), in domain terms; `vpcpeer-wire-aws` words each in
//! EC2's dialect.

use std::net::{Ipv4Addr, Ipv6Addr};

/// A refused Elastic IP or network interface action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EipProblem {
    /// The address is associated and the request did not allow reassociation.
    AlreadyAssociated {
        /// The allocation.
        allocation_id: String,
        /// Its current association.
        association_id: String,
    },
    /// The target private address has another Elastic IP and the request did not allow
    /// reassociation.
    TargetAssociated {
        /// The interface.
        interface_id: String,
        /// Its private address.
        address: Ipv4Addr,
        /// The public address already mapped to it.
        public_ip: Ipv4Addr,
    },
    /// The address is associated (released while in use).
    InUse {
        /// The allocation.
        allocation_id: String,
    },
    /// The address serves a NAT gateway: only deleting the gateway frees it.
    UsedByNatGateway {
        /// The allocation.
        allocation_id: String,
        /// The gateway.
        nat_gateway_id: String,
    },
    /// An association target the request cannot use: a service-managed interface.
    ManagedInterface {
        /// The interface.
        interface_id: String,
    },
    /// The instance has several interfaces: the request must name one.
    SeveralInterfaces {
        /// The instance.
        instance_id: String,
    },
    /// The instance has no interface (it is terminated).
    InstanceWithoutInterface {
        /// The instance.
        instance_id: String,
    },
    /// The private address is not one of the interface's.
    NotOnInterface {
        /// The address.
        address: Ipv4Addr,
        /// The interface.
        interface_id: String,
    },
    /// No address is left in the emulator's public pool.
    PoolExhausted,
    /// A public address that is not one of the caller's Elastic IPs.
    PublicIpNotFound {
        /// The address, as given.
        value: String,
    },
    /// No attachment with that id.
    AttachmentNotFound {
        /// The attachment id, as given.
        attachment_id: String,
    },
    /// The primary interface (device index 0) cannot be detached.
    DetachPrimary {
        /// The attachment.
        attachment_id: String,
    },
    /// The instance already has an interface at the device index.
    DeviceIndexTaken {
        /// The instance.
        instance_id: String,
        /// The index.
        device_index: u32,
    },
    /// The interface and the instance are in different zones.
    DifferentZones {
        /// The interface.
        interface_id: String,
        /// The instance.
        instance_id: String,
    },
    /// The instance is not in a state that accepts an attachment.
    InstanceNotRunning {
        /// The instance.
        instance_id: String,
    },
    /// A private address asked for is held by another interface.
    PrivateIpTaken {
        /// The address.
        address: Ipv4Addr,
    },
    /// An address to unassign is not a secondary address of the interface.
    NotSecondary {
        /// The address.
        address: Ipv4Addr,
        /// The interface.
        interface_id: String,
    },
    /// An IPv6 request in a subnet without an IPv6 block.
    NoIpv6Block {
        /// The subnet.
        subnet_id: String,
    },
    /// An IPv6 address outside the subnet's block.
    Ipv6OutsideSubnet {
        /// The address.
        address: Ipv6Addr,
        /// The subnet.
        subnet_id: String,
    },
    /// An IPv6 address held by an interface already.
    Ipv6Taken {
        /// The address.
        address: Ipv6Addr,
    },
    /// An IPv6 address to unassign that the interface does not hold.
    Ipv6NotAssigned {
        /// The address.
        address: Ipv6Addr,
        /// The interface.
        interface_id: String,
    },
    /// Both explicit addresses and a count given.
    AddressesAndCount,
    /// Neither addresses nor a count given.
    NoAddresses,
    /// More addresses on one interface than the emulator allows.
    TooManyAddresses {
        /// The interface.
        interface_id: String,
        /// The most allowed.
        max: u32,
    },
    /// An existing interface for a launch that is not available (attached).
    InterfaceNotAvailable {
        /// The interface.
        interface_id: String,
    },
    /// An existing interface in a launch of more than one instance.
    ExistingInterfaceForSeveralInstances,
    /// An existing interface given with settings only a new interface takes.
    ExistingInterfaceWithSettings {
        /// The interface.
        interface_id: String,
    },
}
