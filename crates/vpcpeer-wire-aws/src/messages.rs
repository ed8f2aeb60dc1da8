//! EC2's words for the structured refusals of the AWS model: each reason kind
//! ([`RouteProblem`], [`PeeringProblem`], …) to its EC2 code and message, with an exhaustive
//! `match` (no catch-all arm), so a new kind does not compile until this face words it. The
//! messages are the emulator's answers from before the model's errors were structured; the
//! table test `tests/messages.rs` pins them byte for byte.

use vpcpeer_model::aws::tags::{MAX_KEY_LEN, MAX_VALUE_LEN};
use vpcpeer_model::text;
use vpcpeer_model::{
    AddressProblem, Attached, DefaultVpcProblem, DefaultVpcUse, Dependent, GroupProblem,
    LaunchProblem, LimitKind, Mismatch, PeeringProblem, PeeringSide, RouteProblem, RtAssocTarget,
    RulePeer, SgRule, TagProblem, VpcProblem,
};

/// An EC2 error code and message (the error module makes them an `Ec2Error`).
pub(crate) type Words = (&'static str, String);

mod eip;
pub(crate) use eip::eip;

fn words(code: &'static str, message: impl Into<String>) -> Words {
    (code, message.into())
}

const VALUE: &str = "InvalidParameterValue";
const COMBINATION: &str = "InvalidParameterCombination";
const NOT_PERMITTED: &str = "OperationNotPermitted";
const GROUP_NOT_FOUND: &str = "InvalidGroup.NotFound";

/// The message of a quota refusal; `resource` is the VPC, route table or tagged resource whose
/// quota it is (empty where the refusal names none).
pub(crate) fn limit(kind: LimitKind, max: usize, resource: Option<&str>) -> String {
    let r = resource.unwrap_or_default();
    match kind {
        LimitKind::ElasticIps => "The maximum number of addresses has been reached.".into(),
        LimitKind::InternetGateways => {
            "The maximum number of internet gateways has been reached.".into()
        }
        LimitKind::Vpcs => "The maximum number of VPCs has been reached.".into(),
        LimitKind::CidrBlocksPerVpc => {
            format!("This network {r} has met its maximum number of allowed CIDRs: {max}")
        }
        LimitKind::SubnetsPerVpc => {
            format!("The maximum number of subnets ({max}) has been reached for {r}.")
        }
        LimitKind::RouteTablesPerVpc => {
            format!("The maximum number of route tables ({max}) has been reached for {r}.")
        }
        LimitKind::OutstandingPeeringRequests => format!(
            "You have reached the limit of {max} outstanding VPC peering connection requests."
        ),
        LimitKind::ActivePeeringsPerVpc => format!(
            "The maximum number of active VPC peering connections ({max}) has been reached for {r}."
        ),
        LimitKind::RoutesPerTable => {
            format!("The maximum number of routes ({max}) has been reached for route table {r}.")
        }
        LimitKind::SecurityGroups => {
            "You have exceeded the number of VPC security groups allowed per region.".into()
        }
        LimitKind::RulesPerSecurityGroup => {
            "The maximum number of rules per security group has been reached.".into()
        }
        LimitKind::EgressOnlyGateways => {
            "The maximum number of egress-only internet gateways has been reached.".into()
        }
        LimitKind::TagsPerResource => {
            let whose = resource
                .map(|id| format!(" for '{id}'"))
                .unwrap_or_default();
            format!("The maximum number of tags per resource ({max}) would be exceeded{whose}")
        }
    }
}

/// The parenthesised detail of a `DependencyViolation`.
pub(crate) fn dependent(d: &Dependent) -> String {
    match d {
        Dependent::EdgeAssociation { route_table_id } => {
            format!("it is associated with route table {route_table_id}")
        }
        Dependent::AclSubnet { subnet_id } => format!("subnet {subnet_id} is associated with it"),
        Dependent::ActivePeering { peering_id } => {
            format!("active VPC peering connection {peering_id}")
        }
        Dependent::PendingPeering { peering_id } => {
            format!("pending VPC peering connection request {peering_id} (reject it first)")
        }
        Dependent::SubnetsInBlock { cidr } => format!("subnets use the CIDR block {cidr}"),
        Dependent::SubnetsInIpv6Block { cidr } => format!("subnets use the CIDR block {cidr}"),
        Dependent::Ipv6Addresses { cidr } => {
            format!("network interfaces hold IPv6 addresses of {cidr}")
        }
        Dependent::Interface { interface_id } => {
            format!("network interface {interface_id} uses it")
        }
        Dependent::ReferencingGroup { group_id } => {
            format!("security group {group_id} references it")
        }
        Dependent::Analyses => "the path has analyses; delete them first".into(),
        Dependent::DhcpVpc { vpc_id } => format!("{vpc_id} is associated with it"),
        Dependent::VpnGateway { gateway_id } => {
            format!("virtual private gateway {gateway_id} is attached to it")
        }
    }
}

/// `Resource.AlreadyAssociated`.
pub(crate) fn attached(a: &Attached) -> Words {
    let message = match a {
        Attached::GatewayAttached { gateway_id, vpc_id } => {
            format!("resource {gateway_id} is already attached to network {vpc_id}")
        }
        Attached::VpcHasGateway { vpc_id, gateway_id } => {
            format!("Network {vpc_id} already has an internet gateway attached ({gateway_id})")
        }
        Attached::AllocationInUse {
            allocation_id,
            nat_gateway_id,
        } => format!(
            "Elastic IP address [{allocation_id}] is already associated with {nat_gateway_id}"
        ),
        Attached::RouteTableTarget {
            table_id,
            target,
            association_id,
        } => {
            let what = match target {
                RtAssocTarget::Subnet(s) | RtAssocTarget::Gateway(s) => s.as_str(),
                RtAssocTarget::Main => "",
            };
            format!("the specified association for route table {table_id} conflicts with an existing association: {what} is already associated by {association_id}")
        }
    };
    words("Resource.AlreadyAssociated", message)
}

/// Two resources in different VPCs (`InvalidParameterValue`).
pub(crate) fn mismatch(m: &Mismatch) -> Words {
    let message = match m {
        Mismatch::AclAndSubnet { acl_id, subnet_id } => {
            format!("Network ACL {acl_id} and subnet {subnet_id} belong to different networks.")
        }
        Mismatch::TableAndTarget {
            table_id,
            target_id,
        } => format!(
            "route table {table_id} and network gateway {target_id} belong to different networks"
        ),
        Mismatch::TableAndSubnet {
            table_id,
            subnet_id,
        } => format!("route table {table_id} and subnet {subnet_id} belong to different networks"),
        Mismatch::TableAndAssociation {
            table_id,
            association_id,
        } => format!(
            "route table {table_id} and association {association_id} belong to different networks"
        ),
    };
    words(VALUE, message)
}

pub(crate) fn route(p: &RouteProblem) -> Words {
    let message = match p {
        RouteProblem::ReservedDestination {
            destination,
            reserved,
        } => format!("The destination CIDR block {destination} is reserved ({reserved}) and cannot be used for a route."),
        RouteProblem::SeveralTargets => {
            return words(
                COMBINATION,
                "More than one target was specified; a route has exactly one target.",
            )
        }
        RouteProblem::MainAssociation { association_id } => format!("The association {association_id} is the main route table association and cannot be disassociated; use ReplaceRouteTableAssociation."),
        RouteProblem::InstanceWithSeveralInterfaces { instance_id } => format!("There are multiple interfaces attached to instance '{instance_id}'. Please specify an interface ID for the operation instead."),
        RouteProblem::EgressOnlyForIpv4 { gateway_id } => format!("Egress-only internet gateway {gateway_id} can only be the target of IPv6 routes."),
        RouteProblem::MoreSpecificThanVpc { destination } => format!("The destination CIDR block {destination} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface, an instance or a NAT gateway, and its destination must match a subnet CIDR block."),
        RouteProblem::LocalNotVpcBlock {
            destination,
            vpc_id,
        } => format!("The destination CIDR block {destination} does not match a CIDR block of {vpc_id}; local routes are created with the VPC's blocks."),
        RouteProblem::LocalReplaced {
            destination,
            table_id,
        } => format!("The local route {destination} of route table {table_id} cannot be replaced with a non-local target."),
        RouteProblem::LocalOutsideVpc {
            destination,
            vpc_id,
        } => format!("The destination CIDR block {destination} is outside the CIDR blocks of {vpc_id}; only routes inside the VPC's blocks can target local."),
        RouteProblem::LocalDeleted {
            destination,
            table_id,
        } => format!("cannot remove local route {destination} in route table {table_id}"),
    };
    words(VALUE, message)
}

pub(crate) fn vpc(p: &VpcProblem) -> Words {
    match p {
        VpcProblem::BlockCoversRoute { cidr, vpc_id } => words(
            VALUE,
            format!("The CIDR '{cidr}' is equal to or larger than the destination of an existing route in a route table of {vpc_id}."),
        ),
        VpcProblem::BlockWhilePending { vpc_id, peering_id } => words(
            NOT_PERMITTED,
            format!("The vpc '{vpc_id}' has a pending VPC peering connection request ({peering_id}); CIDR blocks cannot be added until it is accepted, rejected or deleted."),
        ),
        VpcProblem::BlockOverlapsPeer {
            cidr,
            peer_vpc_id,
            vpc_id,
            peering_id,
        } => words(
            NOT_PERMITTED,
            format!("The CIDR '{cidr}' overlaps with a CIDR of VPC {peer_vpc_id}, which is peered with {vpc_id} by {peering_id}."),
        ),
        VpcProblem::PrimaryBlock { association_id } => words(
            NOT_PERMITTED,
            format!("The vpc CIDR block with association ID {association_id} may not be disassociated. It is the primary IPv4 CIDR block of the VPC"),
        ),
        VpcProblem::HostnamesWithoutDnsSupport => words(
            COMBINATION,
            "Cannot enable DNS hostnames unless DNS support is enabled",
        ),
        VpcProblem::DnsSupportUnderHostnames => words(
            COMBINATION,
            "Cannot disable DNS support while DNS hostnames are enabled",
        ),
    }
}

pub(crate) fn peering(p: &PeeringProblem) -> Words {
    let message = match p {
        PeeringProblem::SameVpc { vpc_id } => {
            return words(
                VALUE,
                format!("The requested VPC peering connection has a VPC and peer VPC that are the same ({vpc_id})"),
            )
        }
        PeeringProblem::DnsNeedsHostnames { peering_id, vpc_id } => {
            return words(
                "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
                format!("Unable to modify peering connection options for {peering_id}, as one or more VPCs ({vpc_id}) do not have DNS hostnames and DNS support enabled."),
            )
        }
        PeeringProblem::AcceptByOtherAccount {
            account,
            peering_id,
        } => format!("User {account} cannot accept peering {peering_id}"),
        PeeringProblem::AcceptInOtherRegion {
            region,
            peering_id,
            accepter_region,
        } => format!("Incorrect region ({region}) specified for this request. VPC peering connection {peering_id} must be accepted in region {accepter_region}"),
        // [UNVERIFIED wording: AWS's accept text with "rejected"; the code is accept's.]
        PeeringProblem::RejectInOtherRegion {
            region,
            peering_id,
            accepter_region,
        } => format!("Incorrect region ({region}) specified for this request. VPC peering connection {peering_id} must be rejected in region {accepter_region}"),
        PeeringProblem::RejectByOther {
            account,
            peering_id,
        } => format!("User ({account}) cannot reject peering {peering_id}"),
        PeeringProblem::DeletePendingByOther {
            account,
            peering_id,
        } => format!("User {account} cannot delete peering {peering_id}: a pending request can only be deleted by its requester; the accepter may reject it"),
        PeeringProblem::OtherSideOptions { account, side } => {
            let side = match side {
                PeeringSide::Requester => "requester",
                PeeringSide::Accepter => "accepter",
            };
            format!("User {account} does not have permission to modify the {side} side peering options")
        }
        PeeringProblem::OptionsWhileInactive { peering_id } => format!("Peering {peering_id} is not active. Peering options can be added only to active peerings."),
        PeeringProblem::ClassicLinkAcrossRegions { peering_id } => format!("Modifying VPC peering connection options AllowEgressFromLocalVpcToRemoteClassicLink and AllowEgressFromLocalClassicLinkToRemoteVpc is not supported for cross-region VPC peering connections ({peering_id})"),
    };
    words(NOT_PERMITTED, message)
}

pub(crate) fn tag(p: &TagProblem) -> Words {
    match p {
        TagProblem::KeyMalformed { key } => words(
            "InvalidTagKey.Malformed",
            format!(
                "Tag key '{}' is not valid: keys may not be empty, longer than {MAX_KEY_LEN} characters, or start with 'aws:'",
                text::visible(key)
            ),
        ),
        TagProblem::KeyCharacter {
            key,
            position,
            character,
        } => words(
            "InvalidTagKey.Malformed",
            format!(
                "Tag key '{}' is not valid: it contains the character {} at position {position}",
                text::visible(key),
                text::unicode_escape(*character)
            ),
        ),
        TagProblem::ValueTooLong { key } => words(
            VALUE,
            format!("Tag value for key '{key}' exceeds the maximum length of {MAX_VALUE_LEN} characters"),
        ),
        TagProblem::ValueCharacter {
            key,
            position,
            character,
        } => words(
            VALUE,
            format!(
                "Tag value for key '{key}' contains the character {} at position {position}, which is not allowed",
                text::unicode_escape(*character)
            ),
        ),
        TagProblem::DuplicateKey { key } => words(
            VALUE,
            format!("Duplicate tag key '{key}' specified in the request"),
        ),
    }
}

pub(crate) fn group(p: &GroupProblem) -> Words {
    match p {
        GroupProblem::NameNotFound { name } => words(
            GROUP_NOT_FOUND,
            format!("The security group '{name}' does not exist"),
        ),
        GroupProblem::NotInVpc { group, vpc_id } => words(
            GROUP_NOT_FOUND,
            format!("The security group '{group}' does not exist in VPC '{vpc_id}'"),
        ),
        GroupProblem::OtherRegion {
            group_id,
            group_region,
            owner_id,
            owner_region,
        } => words(
            GROUP_NOT_FOUND,
            format!("You have specified two resources that belong to different networks. Security group {group_id} is in region {group_region} and {owner_id} is in region {owner_region}: security group references do not work across regions (inter-region VPC peering); reference the peer VPC's CIDR blocks instead."),
        ),
        GroupProblem::NotPeered { .. } => words(
            GROUP_NOT_FOUND,
            "You have specified two resources that belong to different networks.",
        ),
        GroupProblem::NameLikeId { name } => words(
            VALUE,
            format!("Group names may not be in the format sg-*: '{name}'"),
        ),
        GroupProblem::PermissionRepeated => words(
            VALUE,
            "The same permission must not appear multiple times",
        ),
        GroupProblem::NotInDefaultVpc { name, vpc_id } => words(
            GROUP_NOT_FOUND,
            format!("The security group '{name}' does not exist in default VPC '{vpc_id}'"),
        ),
    }
}

pub(crate) fn launch(p: &LaunchProblem) -> Words {
    let message = match p {
        LaunchProblem::DeviceIndexRepeated { device_index } => format!(
            "Each network interface requires a unique device index; {device_index} is given twice"
        ),
        LaunchProblem::NoPrimaryInterface => {
            "A network interface with device index 0 (the primary interface) is required".into()
        }
        LaunchProblem::InterfacesInSeveralZones {
            subnet_id,
            zone,
            primary_zone,
        } => format!("The network interfaces of an instance must be in one availability zone; subnet {subnet_id} is in {zone}, the primary interface's subnet in {primary_zone}"),
        // [UNVERIFIED wording]
        LaunchProblem::SubnetNotInZone { subnet_id, zone } => format!(
            "Value ({zone}) for parameter availabilityZone is invalid. Subnet {subnet_id} is not in availability zone {zone}."
        ),
    };
    words(VALUE, message)
}

/// The refusals about the default VPC. Verified against AWS's answers quoted in public issue
/// threads: `VPCIdNotSpecified` ("No default VPC for this user", with the EC2-Classic sentence
/// for a launch), `DefaultVpcAlreadyExists`, `DefaultVpcDoesNotExist`, `MissingInput` ("No
/// subnets found for the default VPC …") and `InvalidInput` ("No default subnet for
/// availability zone …"); the code `DefaultSubnetAlreadyExistsInAvailabilityZone` is AWS's
/// (its message here is the error-code reference's sentence), and `InsufficientCidrBlocks` for
/// a default VPC with no free /20 is a choice [UNVERIFIED].
pub(crate) fn default_vpc(p: &DefaultVpcProblem) -> Words {
    match p {
        DefaultVpcProblem::NoDefaultVpc(DefaultVpcUse::Launch) => words(
            "VPCIdNotSpecified",
            "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.",
        ),
        DefaultVpcProblem::NoDefaultVpc(DefaultVpcUse::Group) => {
            words("VPCIdNotSpecified", "No default VPC for this user")
        }
        DefaultVpcProblem::VpcExists { .. } => words(
            "DefaultVpcAlreadyExists",
            "A Default VPC already exists for this account in this region.",
        ),
        DefaultVpcProblem::VpcMissing => words(
            "DefaultVpcDoesNotExist",
            "No default VPC exists for this account in this region.",
        ),
        DefaultVpcProblem::SubnetExists { zone, subnet_id } => words(
            "DefaultSubnetAlreadyExistsInAvailabilityZone",
            format!("A default subnet already exists in the specified Availability Zone ({zone}): {subnet_id}. You can have only one default subnet per Availability Zone."),
        ),
        DefaultVpcProblem::NoFreeBlock { vpc_id } => words(
            "InsufficientCidrBlocks",
            format!("The default VPC '{vpc_id}' has no free /20 block for a default subnet."),
        ),
        DefaultVpcProblem::NoDefaultSubnets { vpc_id } => words(
            "MissingInput",
            format!("No subnets found for the default VPC '{vpc_id}'. Please specify a subnet."),
        ),
        DefaultVpcProblem::NoDefaultSubnetInZone { zone } => words(
            "InvalidInput",
            format!("No default subnet for availability zone: '{zone}'."),
        ),
    }
}

pub(crate) fn address(p: &AddressProblem) -> Words {
    match p {
        AddressProblem::OutsideSubnet { address, .. } => words(
            VALUE,
            format!("Address {address} does not fall within the subnet's address range"),
        ),
        AddressProblem::Reserved { address, subnet_id } => words(
            VALUE,
            format!("Address {address} is reserved by AWS in subnet {subnet_id}"),
        ),
        AddressProblem::InUse { address } => words(
            "InvalidIPAddress.InUse",
            format!("address {address} is in use"),
        ),
        AddressProblem::Exhausted { subnet_id } => words(
            "InsufficientFreeAddressesInSubnet",
            format!("insufficient free addresses in subnet {subnet_id}"),
        ),
    }
}

/// A rule as EC2 quotes it in `InvalidPermission.Duplicate`.
pub(crate) fn quote_rule(r: &SgRule) -> String {
    let peer = match &r.peer {
        RulePeer::Cidr4(n) => n.to_string(),
        RulePeer::Cidr6(n) => n.to_string(),
        RulePeer::PrefixList(p) => p.clone(),
        RulePeer::Group { group_id, .. } => group_id.clone(),
    };
    let proto = if r.protocol == "-1" {
        "ALL".to_owned()
    } else {
        r.protocol.to_ascii_uppercase()
    };
    match (r.from_port, r.to_port) {
        (Some(f), Some(t)) => {
            format!("\"peer: {peer}, {proto}, from port: {f}, to port: {t}, ALLOW\"")
        }
        _ => format!("\"peer: {peer}, {proto}, ALLOW\""),
    }
}
