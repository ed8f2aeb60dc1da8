//! EC2's words for the refusals of the eip area (Elastic IPs and the network interface
//! lifecycle). Texts AWS is known to use are kept as AWS words them (`Resource.AlreadyAssociated`,
//! the device-index-0 detach, several interfaces); the others are the emulator's
//! [UNVERIFIED wording; codes as AWS documents them].

use vpcpeer_model::EipProblem;

use super::{words, Words, COMBINATION, NOT_PERMITTED, VALUE};

/// The code and message of a refused eip-area action.
pub(crate) fn eip(p: &EipProblem) -> Words {
    match p {
        EipProblem::AlreadyAssociated {
            allocation_id,
            association_id,
        } => words(
            "Resource.AlreadyAssociated",
            format!("resource {allocation_id} is already associated with associate-id {association_id}"),
        ),
        EipProblem::TargetAssociated {
            interface_id,
            address,
            public_ip,
        } => words(
            "Resource.AlreadyAssociated",
            format!("resource {interface_id} and {address} is already associated with public address {public_ip}"),
        ),
        EipProblem::InUse { allocation_id } => words(
            "InvalidIPAddress.InUse",
            format!("The address with allocation id [{allocation_id}] is in use; disassociate it first."),
        ),
        EipProblem::UsedByNatGateway {
            allocation_id,
            nat_gateway_id,
        } => words(
            NOT_PERMITTED,
            format!("The address with allocation id [{allocation_id}] is used by NAT gateway {nat_gateway_id}; delete the NAT gateway to free it."),
        ),
        EipProblem::ManagedInterface { interface_id } => words(
            NOT_PERMITTED,
            format!("You do not have permission to access the specified resource: {interface_id} is managed by AWS"),
        ),
        EipProblem::SeveralInterfaces { instance_id } => words(
            "InvalidInstanceID",
            format!("There are multiple interfaces attached to instance '{instance_id}'. Please specify an interface ID for the operation instead."),
        ),
        EipProblem::InstanceWithoutInterface { instance_id } => words(
            "IncorrectInstanceState",
            format!("The instance '{instance_id}' is not in a valid state for this operation."),
        ),
        EipProblem::NotOnInterface {
            address,
            interface_id,
        } => words(
            VALUE,
            format!("The private IP address {address} is not assigned to network interface {interface_id}."),
        ),
        EipProblem::PoolExhausted => words(
            "InsufficientAddressCapacity",
            "There are no free public IPv4 addresses in the emulator's pool.",
        ),
        EipProblem::PublicIpNotFound { value } => words(
            "InvalidAddress.NotFound",
            format!("Address '{value}' not found."),
        ),
        EipProblem::AttachmentNotFound { attachment_id } => words(
            "InvalidAttachmentID.NotFound",
            format!("The attachment ID '{attachment_id}' does not exist"),
        ),
        EipProblem::DetachPrimary { .. } => words(
            NOT_PERMITTED,
            "The network interface at device index 0 cannot be detached.",
        ),
        EipProblem::DeviceIndexTaken {
            instance_id,
            device_index,
        } => words(
            VALUE,
            format!("Instance '{instance_id}' already has an interface attached at device index '{device_index}'."),
        ),
        EipProblem::DifferentZones {
            interface_id,
            instance_id,
        } => words(
            COMBINATION,
            format!("You may not attach a network interface to an instance if they are not in the same availability zone ({interface_id}, {instance_id})."),
        ),
        EipProblem::InstanceNotRunning { instance_id } => words(
            "IncorrectInstanceState",
            format!("The instance '{instance_id}' is not in a state from which a network interface can be attached."),
        ),
        EipProblem::PrivateIpTaken { address } => words(
            VALUE,
            format!("The specified private IP address {address} is already assigned to a network interface."),
        ),
        EipProblem::NotSecondary {
            address,
            interface_id,
        } => words(
            VALUE,
            format!("Some of the specified addresses are not assigned to interface {interface_id}: {address} is not one of its secondary private IP addresses."),
        ),
        EipProblem::NoIpv6Block { subnet_id } => words(
            VALUE,
            format!("You cannot assign IPv6 addresses in subnet {subnet_id}: it has no IPv6 CIDR block."),
        ),
        EipProblem::Ipv6OutsideSubnet { address, subnet_id } => words(
            VALUE,
            format!("Address {address} does not fall within the usable IPv6 range of subnet {subnet_id}."),
        ),
        EipProblem::Ipv6Taken { address } => words(
            "InvalidIPAddress.InUse",
            format!("address {address} is in use"),
        ),
        EipProblem::Ipv6NotAssigned {
            address,
            interface_id,
        } => words(
            VALUE,
            format!("Some of the specified addresses are not assigned to interface {interface_id}: {address}."),
        ),
        EipProblem::AddressesAndCount => words(
            COMBINATION,
            "Specify either the addresses or a count of addresses, not both.",
        ),
        EipProblem::NoAddresses => words(
            "MissingParameter",
            "The request must contain addresses or a count of addresses.",
        ),
        EipProblem::TooManyAddresses { max, .. } => words(
            "PrivateIpAddressLimitExceeded",
            format!("Number of private addresses will exceed limit of {max} addresses per network interface."),
        ),
        EipProblem::InterfaceNotAvailable { interface_id } => words(
            "InvalidNetworkInterface.InUse",
            format!("Interface: [{interface_id}] in use."),
        ),
        EipProblem::ExistingInterfaceForSeveralInstances => words(
            COMBINATION,
            "An existing network interface can only be used when launching a single instance (MaxCount=1).",
        ),
        EipProblem::ExistingInterfaceWithSettings { interface_id } => words(
            COMBINATION,
            format!("The network interface {interface_id} already exists: a subnet, security groups, addresses or a public address cannot be given with it."),
        ),
    }
}
