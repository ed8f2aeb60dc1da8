//! Errors in EC2's dialect, and the mapping of every domain error to one.

use std::borrow::Cow;

use vpcpeer_model::aws::instance::MAX_CLIENT_TOKEN;

use crate::messages;
use crate::render::peering_state_name;
use vpcpeer_model::{Conflict, DomainError, Field, Kind, LimitKind, RuleProblem, TextProblem};

/// An EC2 error: code, message and HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ec2Error {
    /// EC2 error code, e.g. `InvalidVpcID.NotFound`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// HTTP status.
    pub status: u16,
}

impl Ec2Error {
    /// A client error (400).
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Ec2Error {
            code: code.to_owned(),
            message: message.into(),
            status: 400,
        }
    }

    /// `MissingParameter`.
    pub fn missing(name: &str) -> Self {
        Self::new(
            "MissingParameter",
            format!("The request must contain the parameter {name}"),
        )
    }

    /// `InvalidParameterValue` for a value of a named parameter.
    pub fn invalid_value(name: &str, value: &str) -> Self {
        Self::new(
            "InvalidParameterValue",
            format!("Value ({value}) for parameter {name} is invalid."),
        )
    }

    /// `InvalidAction`.
    pub fn invalid_action(action: &str) -> Self {
        Self::new(
            "InvalidAction",
            format!("The action {action} is not valid for this web service."),
        )
    }

    /// `DryRunOperation` (412).
    pub fn dry_run_ok() -> Self {
        Ec2Error {
            code: "DryRunOperation".into(),
            message: "Request would have succeeded, but DryRun flag is set.".into(),
            status: 412,
        }
    }

    /// `InternalError` (500); the detail is logged by the server, never sent.
    pub fn internal() -> Self {
        Ec2Error {
            code: "InternalError".into(),
            message: "An internal error has occurred".into(),
            status: 500,
        }
    }
}

/// The EC2 parameter a domain field is read from, as EC2's messages name it (some fields are
/// one of two parameters, or one of several targets, and are named so).
pub fn parameter(field: Field) -> &'static str {
    match field {
        Field::NatAllocation => "AllocationId",
        Field::AclEntryBlock | Field::AclEntryIpv4Block => "cidrBlock",
        Field::AclEntryIpv6Block => "ipv6CidrBlock",
        Field::AclRuleNumber => "ruleNumber",
        Field::AclProtocol => "protocol",
        Field::AclRuleAction => "ruleAction",
        Field::AclPortRange => "portRange",
        Field::AclIcmpTypeCode => "icmpTypeCode",
        Field::PeerVpc => "PeerVpcId",
        Field::PeeringOptions => {
            "RequesterPeeringConnectionOptions or AccepterPeeringConnectionOptions"
        }
        Field::ReferencingGroups => "GroupId",
        Field::TaggedResources => "ResourceId",
        Field::Tags => "Tag",
        Field::RouteDestination => "destinationCidrBlock or destinationIpv6CidrBlock",
        Field::RouteTarget => "exactly one of gatewayId, vpcPeeringConnectionId, natGatewayId, instanceId, networkInterfaceId, transitGatewayId, egressOnlyInternetGatewayId or vpcEndpointId",
        Field::GroupName => "GroupName",
        Field::GroupDescription => "GroupDescription",
        Field::RuleDescription => "Description",
        Field::ReferencedGroup => "GroupId or GroupName",
        Field::Permissions => "IpPermissions",
        Field::LaunchZone => "availabilityZone",
        Field::InterfaceSubnet { .. } => "NetworkInterface.SubnetId",
        Field::Image => "ImageId",
        Field::Instances => "InstanceId",
        Field::PathSource => "Source",
        Field::PathProtocol => "Protocol",
        Field::PathDestinationPort => "DestinationPort",
        Field::PathDestination => "Destination or DestinationIp",
        Field::NatConnectivity => "connectivityType",
        Field::NatPrivateAddress => "privateIpAddress",
        Field::RouteIpv4Destination => "destinationCidrBlock",
        Field::RouteIpv6Destination => "destinationIpv6CidrBlock",
        Field::RouteTransitGateway => "transitGatewayId",
        Field::RouteEgressOnlyGateway => "egressOnlyInternetGatewayId",
        Field::RouteEndpoint => "vpcEndpointId",
        Field::RoutePrefixList => "destinationPrefixListId",
        Field::LaunchMinCount => "minCount",
        Field::ClientToken => "clientToken",
        Field::SubnetIpv4Block => "cidrBlock",
        Field::SubnetIpv6Block => "ipv6CidrBlock",
        Field::VpcIpv4Block => "cidrBlock",
        Field::VpcTenancy => "instanceTenancy",
        Field::PathSourceIp => "SourceIp",
        Field::PathDestinationIp => "DestinationIp",
        Field::SubnetZone => "availabilityZone",
        Field::SubnetZoneId => "availabilityZoneId",
        Field::SubnetIpv6Native => "ipv6Native",
    }
}

/// What a `MissingParameter` message names for a missing field: its parameter, with the
/// emulator's hint where it has one.
fn missing_text(field: Field) -> Cow<'static, str> {
    let name = parameter(field);
    match field {
        Field::NatAllocation => Cow::Owned(format!("{name} (required for a public NAT gateway)")),
        Field::InterfaceSubnet { device_index } => {
            Cow::Owned(format!("{name} (device index {device_index})"))
        }
        Field::ReferencedGroup => Cow::Owned(format!("{name} of the referenced group")),
        Field::AclEntryBlock
        | Field::AclEntryIpv4Block
        | Field::AclEntryIpv6Block
        | Field::AclRuleNumber
        | Field::AclProtocol
        | Field::AclRuleAction
        | Field::AclPortRange
        | Field::AclIcmpTypeCode
        | Field::PeerVpc
        | Field::PeeringOptions
        | Field::ReferencingGroups
        | Field::TaggedResources
        | Field::Tags
        | Field::RouteDestination
        | Field::RouteTarget
        | Field::GroupName
        | Field::GroupDescription
        | Field::Permissions
        | Field::Image
        | Field::Instances
        | Field::PathSource
        | Field::PathProtocol
        | Field::PathDestinationPort
        | Field::PathDestination
        | Field::NatConnectivity
        | Field::NatPrivateAddress
        | Field::RouteIpv4Destination
        | Field::RouteIpv6Destination
        | Field::RouteTransitGateway
        | Field::RouteEgressOnlyGateway
        | Field::RouteEndpoint
        | Field::RoutePrefixList
        | Field::LaunchMinCount
        | Field::ClientToken
        | Field::SubnetIpv4Block
        | Field::SubnetIpv6Block
        | Field::VpcIpv4Block
        | Field::VpcTenancy
        | Field::PathSourceIp
        | Field::PathDestinationIp
        | Field::SubnetZone
        | Field::SubnetZoneId
        | Field::LaunchZone
        | Field::RuleDescription
        | Field::SubnetIpv6Native => Cow::Borrowed(name),
    }
}

/// `InvalidParameterValue` for a field's value: EC2's sentence, with the reason the field's
/// value can be refused for, where the emulator gives one.
fn invalid(field: Field, value: &str) -> Ec2Error {
    const CIDR: &str = " This is not a valid CIDR block.";
    const ENDPOINT: &str =
        " This emulator analyses paths between instances (i-…) and network interfaces (eni-…).";
    let reason: Cow<'static, str> = Cow::Borrowed(match field {
        Field::AclRuleNumber => " The rule number must be in the range 1-32766.",
        Field::AclProtocol => " Must be -1, a protocol number 0-255, or tcp, udp, icmp, icmpv6.",
        Field::AclRuleAction => " Must be allow or deny.",
        Field::AclEntryBlock
        | Field::AclEntryIpv4Block
        | Field::AclEntryIpv6Block
        | Field::RouteIpv4Destination
        | Field::RouteIpv6Destination
        | Field::SubnetIpv4Block
        | Field::SubnetIpv6Block
        | Field::VpcIpv4Block => CIDR,
        Field::AclPortRange => " The from port must not be greater than the to port.",
        Field::AclIcmpTypeCode => " Must be -1 or in the range 0-255.",
        Field::NatConnectivity => " Valid values: public, private.",
        Field::LaunchMinCount => " Expected a positive integer.",
        Field::PathSource | Field::PathDestination => ENDPOINT,
        Field::PathProtocol => " Valid values: tcp, udp.",
        Field::PathDestinationPort => " Valid range: 0-65535.",
        Field::ClientToken => {
            return Ec2Error::new(
                "InvalidParameterValue",
                format!(
                    "Value ({value}) for parameter {} is invalid. It must be at most {MAX_CLIENT_TOKEN} ASCII characters.",
                    parameter(field)
                ),
            )
        }
        Field::NatAllocation
        | Field::NatPrivateAddress
        | Field::PeerVpc
        | Field::PeeringOptions
        | Field::ReferencingGroups
        | Field::TaggedResources
        | Field::Tags
        | Field::RouteDestination
        | Field::RouteTarget
        | Field::RouteTransitGateway
        | Field::RouteEgressOnlyGateway
        | Field::RouteEndpoint
        | Field::RoutePrefixList
        | Field::GroupName
        | Field::GroupDescription
        | Field::ReferencedGroup
        | Field::Permissions
        | Field::LaunchZone
        | Field::InterfaceSubnet { .. }
        | Field::Image
        | Field::Instances
        | Field::VpcTenancy
        | Field::PathSourceIp
        | Field::PathDestinationIp
        | Field::SubnetZone
        | Field::SubnetZoneId
        | Field::RuleDescription
        | Field::SubnetIpv6Native => "",
    });
    Ec2Error::new(
        "InvalidParameterValue",
        format!(
            "Value ({value}) for parameter {} is invalid.{reason}",
            parameter(field)
        ),
    )
}

/// EC2's words for a refused security group rule value (`InvalidParameterValue`).
fn rule_problem(p: &RuleProblem) -> String {
    match p {
        RuleProblem::NoPeers => "Invalid IpPermissions: each permission must specify at least one of IpRanges, Ipv6Ranges, PrefixListIds or Groups.".into(),
        RuleProblem::UnknownProtocol { value } => format!("Invalid value '{value}' for IP protocol. Unknown protocol."),
        RuleProblem::PortsMissing => "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange".into(),
        RuleProblem::PortOutOfRange(v) => format!("Invalid value '{v}' for portRange. Must be in the range 0-65535."),
        RuleProblem::PortsReversed(f, t) => format!("Invalid value '{f}-{t}' for portRange. The from port must not be greater than the to port."),
        RuleProblem::IcmpOutOfRange(v) => format!("Invalid value '{v}' for ICMP type or code. Must be -1 or in the range 0-255."),
        RuleProblem::IcmpCodeWithAllTypes => "Invalid value for ICMP code: when all ICMP types (-1) are allowed, the code must be -1 too.".into(),
        RuleProblem::MalformedCidr { value } => format!("CIDR block {value} is malformed"),
        RuleProblem::MalformedPrefixList { value } => format!("The prefix list ID '{value}' is malformed"),
    }
}

/// EC2's words for parts of a request that cannot go together.
fn conflict(c: Conflict) -> &'static str {
    match c {
        Conflict::AllocationOnPrivateNat => "AllocationId cannot be used with a private NAT gateway.",
        Conflict::PublicAddressWithSeveralInterfaces => "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.",
        Conflict::PrivateAddressForSeveralInstances => "A private IP address can only be specified when launching a single instance (MaxCount=1)",
        Conflict::ZoneByNameAndId => "The parameters AvailabilityZone and AvailabilityZoneId cannot be used together.",
        Conflict::InterfacesWithSubnet => "Network interfaces and an instance-level subnet ID may not be specified on the same request",
        Conflict::InterfacesWithGroups => "Network interfaces and an instance-level security groups may not be specified on the same request",
        Conflict::InterfacesWithPrivateAddress => "Network interfaces and an instance-level private IP address may not be specified on the same request",
        Conflict::SameSourceAndDestination => "Source and Destination must be different resources.",
    }
}

fn not_found(kind: Kind, id: &str) -> Ec2Error {
    let (code, noun) = match kind {
        Kind::Vpc => ("InvalidVpcID.NotFound", "vpc ID"),
        Kind::Subnet => ("InvalidSubnetID.NotFound", "subnet ID"),
        Kind::RouteTable => ("InvalidRouteTableID.NotFound", "routeTable ID"),
        Kind::Route => ("InvalidRoute.NotFound", "route"),
        Kind::InternetGateway => ("InvalidInternetGatewayID.NotFound", "internetGateway ID"),
        Kind::NatGateway => ("NatGatewayNotFound", "NAT gateway"),
        Kind::SecurityGroup => ("InvalidGroup.NotFound", "security group"),
        Kind::SecurityGroupRule => ("InvalidSecurityGroupRuleId.NotFound", "security group rule"),
        Kind::NetworkAcl => ("InvalidNetworkAclID.NotFound", "networkAcl ID"),
        Kind::Instance => ("InvalidInstanceID.NotFound", "instance ID"),
        Kind::NetworkInterface => ("InvalidNetworkInterfaceID.NotFound", "networkInterface ID"),
        Kind::PeeringConnection => (
            "InvalidVpcPeeringConnectionID.NotFound",
            "vpcPeeringConnection ID",
        ),
        Kind::NetworkInsightsPath => (
            "InvalidNetworkInsightsPathId.NotFound",
            "NetworkInsightsPath",
        ),
        Kind::NetworkInsightsAnalysis => (
            "InvalidNetworkInsightsAnalysisId.NotFound",
            "NetworkInsightsAnalysis",
        ),
        Kind::KeyPair => ("InvalidKeyPair.NotFound", "key pair ID"),
        Kind::LaunchTemplate => ("InvalidLaunchTemplateId.NotFound", "launch template ID"),
        Kind::Association => ("InvalidAssociationID.NotFound", "association ID"),
        Kind::Gateway => ("InvalidGatewayID.NotFound", "gateway ID"),
        Kind::EgressOnlyInternetGateway => (
            "InvalidEgressOnlyInternetGatewayId.NotFound",
            "egressOnlyInternetGateway ID",
        ),
        Kind::Zone => ("InvalidZone.NotFound", "zone"),
        Kind::Any => ("InvalidID", "ID"),
        Kind::ElasticIp => ("InvalidAllocationID.NotFound", "allocation ID"),
        Kind::VpnGateway => ("InvalidVpnGatewayID.NotFound", "virtual private gateway ID"),
        Kind::CustomerGateway => ("InvalidCustomerGatewayID.NotFound", "customer gateway ID"),
        Kind::DhcpOptions => ("InvalidDhcpOptionID.NotFound", "DHCP options set ID"),
        Kind::PrefixList => ("InvalidPrefixListID.NotFound", "prefix list ID"),
        Kind::VpcEndpoint => ("InvalidVpcEndpointId.NotFound", "Vpc Endpoint Id"),
    };
    Ec2Error::new(code, format!("The {noun} '{id}' does not exist"))
}

fn malformed(kind: Kind, id: &str) -> Ec2Error {
    let code = match kind {
        Kind::Vpc => "InvalidVpcID.Malformed",
        Kind::Subnet => "InvalidSubnetID.Malformed",
        Kind::RouteTable => "InvalidRouteTableId.Malformed",
        Kind::InternetGateway => "InvalidInternetGatewayId.Malformed",
        Kind::NatGateway => "InvalidNatGatewayID.Malformed",
        Kind::SecurityGroup => "InvalidGroupId.Malformed",
        Kind::SecurityGroupRule => "InvalidSecurityGroupRuleId.Malformed",
        Kind::NetworkAcl => "InvalidNetworkAclID.Malformed",
        Kind::Instance => "InvalidInstanceID.Malformed",
        Kind::NetworkInterface => "InvalidNetworkInterfaceID.Malformed",
        Kind::PeeringConnection => "InvalidVpcPeeringConnectionId.Malformed",
        Kind::NetworkInsightsPath => "InvalidNetworkInsightsPathId.Malformed",
        Kind::NetworkInsightsAnalysis => "InvalidNetworkInsightsAnalysisId.Malformed",
        Kind::EgressOnlyInternetGateway => "InvalidEgressOnlyInternetGatewayId.Malformed",
        Kind::ElasticIp => "InvalidAllocationID.Malformed",
        Kind::PrefixList => "InvalidPrefixListId.Malformed",
        Kind::VpcEndpoint => "InvalidVpcEndpointId.Malformed",
        Kind::KeyPair => "InvalidKeyPair.NotFound",
        Kind::LaunchTemplate => "InvalidLaunchTemplateId.Malformed",
        Kind::Route | Kind::Association | Kind::Gateway | Kind::Zone | Kind::Any => "InvalidID",
        // [UNVERIFIED] codes of the EC2 pattern for these kinds.
        Kind::VpnGateway => "InvalidVpnGatewayID.Malformed",
        Kind::CustomerGateway => "InvalidCustomerGatewayID.Malformed",
        Kind::DhcpOptions => "InvalidDhcpOptionsId.Malformed",
    };
    Ec2Error::new(code, format!("Invalid id: \"{id}\""))
}

fn limit_code(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::ActivePeeringsPerVpc => "ActiveVpcPeeringConnectionPerVpcLimitExceeded",
        LimitKind::OutstandingPeeringRequests => "OutstandingVpcPeeringConnectionLimitExceeded",
        LimitKind::RoutesPerTable => "RouteLimitExceeded",
        LimitKind::RulesPerSecurityGroup => "RulesPerSecurityGroupLimitExceeded",
        LimitKind::Vpcs => "VpcLimitExceeded",
        LimitKind::SubnetsPerVpc => "SubnetLimitExceeded",
        LimitKind::RouteTablesPerVpc => "RouteTableLimitExceeded",
        LimitKind::SecurityGroups => "SecurityGroupLimitExceeded",
        LimitKind::CidrBlocksPerVpc => "CidrLimitExceeded",
        LimitKind::InternetGateways => "InternetGatewayLimitExceeded",
        LimitKind::TagsPerResource => "TagLimitExceeded",
        LimitKind::EgressOnlyGateways => "EgressOnlyInternetGatewayLimitExceeded",
        LimitKind::ElasticIps => "AddressLimitExceeded",
    }
}

/// EC2's message about the entry `rule_number` of `acl_id` in one direction, `state` being
/// "already exists" or "does not exist".
fn acl_entry(rule_number: i32, state: &str, acl_id: &str, egress: bool) -> String {
    let direction = if egress { "egress" } else { "ingress" };
    format!(
        "The network acl entry identified by {rule_number} {state} (network ACL {acl_id}, {direction})."
    )
}

/// A code and message worded by [`messages`], as a client error.
fn worded((code, message): messages::Words) -> Ec2Error {
    Ec2Error::new(code, message)
}

impl From<DomainError> for Ec2Error {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::NotFound { kind, id } => not_found(kind, &id),
            DomainError::MalformedId { kind, id } => malformed(kind, &id),
            DomainError::Missing(field) => Ec2Error::missing(&missing_text(field)),
            DomainError::Invalid { field, value } => invalid(field, &value),
            DomainError::LaunchCountsReversed {
                min_count,
                max_count,
            } => Ec2Error::new(
                "InvalidParameterValue",
                format!("Value ({max_count}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount ({min_count})."),
            ),
            DomainError::ZoneNotOffered {
                field: Field::LaunchZone,
                value,
                ..
            } => Ec2Error::new(
                "InvalidParameterValue",
                format!("Invalid availability zone: [{value}]"),
            ),
            DomainError::ZoneNotOffered {
                field,
                value,
                offered,
            } => Ec2Error::new(
                "InvalidParameterValue",
                format!(
                    "Value ({value}) for parameter {} is invalid. Subnets can currently only be created in the following availability zones: {}.",
                    parameter(field),
                    offered.join(", ")
                ),
            ),
            DomainError::Rule(RuleProblem::NoPeers) => Ec2Error::new(
                "InvalidPermission.Malformed",
                "Invalid IpPermissions: each permission must specify at least one of IpRanges, Ipv6Ranges, PrefixListIds or Groups.",
            ),
            DomainError::Rule(p) => Ec2Error::new("InvalidParameterValue", rule_problem(&p)),
            DomainError::TextRefused {
                field,
                value,
                problem,
            } => {
                let name = match field {
                    Field::RuleDescription => "description",
                    other => parameter(other),
                };
                let why = match problem {
                    TextProblem::TooLong { max } => {
                        format!("Length must be at most {max} characters.")
                    }
                    TextProblem::Character(c) => format!("Character '{c}' is not supported; allowed are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{{}}!$*"),
                };
                Ec2Error::new(
                    "InvalidParameterValue",
                    format!("Invalid value '{value}' for {name}. {why}"),
                )
            }
            DomainError::PrefixListRouteUnsupported => Ec2Error::new(
                "InvalidParameterValue",
                "Routes to managed prefix lists (DestinationPrefixListId) are not supported by this emulator; use DestinationCidrBlock or DestinationIpv6CidrBlock.",
            ),
            DomainError::UnknownInstanceType { instance_type } => Ec2Error::new(
                "InvalidParameterValue",
                format!("Invalid value '{instance_type}' for InstanceType."),
            ),
            DomainError::Ipv6AssignmentWithoutBlock { subnet_id } => Ec2Error::new(
                "InvalidParameterValue",
                format!("Invalid value 'true' for assignIpv6AddressOnCreation. Subnet {subnet_id} has no IPv6 CIDR block."),
            ),
            DomainError::AmbiguousGroupName { name } => Ec2Error::new(
                "InvalidParameterCombination",
                format!("Security groups named '{name}' exist in several VPCs; specify the group by GroupId."),
            ),
            DomainError::Conflict(c) => Ec2Error::new("InvalidParameterCombination", conflict(c)),
            DomainError::Exclusive(a, b) => Ec2Error::new(
                "InvalidParameterCombination",
                format!(
                    "The parameter {} cannot be used with the parameter {}",
                    parameter(a),
                    parameter(b)
                ),
            ),
            DomainError::LaunchTooLarge { min_count, limit } => Ec2Error::new(
                "InvalidParameterValue",
                format!("Value ({min_count}) for parameter minCount is invalid. The emulator launches at most {limit} instances per request."),
            ),
            DomainError::InvalidVpcRange { cidr, restricted } => Ec2Error::new(
                "InvalidVpc.Range",
                if restricted {
                    format!("The CIDR '{cidr}' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.")
                } else {
                    format!("The CIDR '{cidr}' is invalid.")
                },
            ),
            DomainError::InvalidSubnetRange { cidr } => {
                Ec2Error::new("InvalidSubnet.Range", format!("The CIDR '{cidr}' is invalid."))
            }
            DomainError::SubnetConflict { cidr } => Ec2Error::new(
                "InvalidSubnet.Conflict",
                format!("The CIDR '{cidr}' conflicts with another subnet"),
            ),
            DomainError::DependencyViolation {
                kind,
                id,
                dependent,
            } => {
                let noun = match kind {
                    Kind::Vpc => "vpc",
                    Kind::Subnet => "subnet",
                    Kind::RouteTable => "routeTable",
                    Kind::InternetGateway => "internetGateway",
                    Kind::SecurityGroup => "security group",
                    Kind::NetworkAcl => "networkAcl",
                    Kind::Route
                    | Kind::NatGateway
                    | Kind::SecurityGroupRule
                    | Kind::Instance
                    | Kind::NetworkInterface
                    | Kind::PeeringConnection
                    | Kind::NetworkInsightsPath
                    | Kind::NetworkInsightsAnalysis
                    | Kind::EgressOnlyInternetGateway
                    | Kind::KeyPair
                    | Kind::LaunchTemplate
                    | Kind::Association
                    | Kind::Gateway
                    | Kind::Zone
                    | Kind::ElasticIp
                    | Kind::VpnGateway
                    | Kind::CustomerGateway
                    | Kind::PrefixList
                    | Kind::VpcEndpoint
                    | Kind::Any => "resource",
                    Kind::DhcpOptions => "dhcpOptions",
                };
                let mut m = format!("The {noun} '{id}' has dependencies and cannot be deleted.");
                if let Some(d) = dependent {
                    m.push_str(&format!(" ({})", messages::dependent(&d)));
                }
                Ec2Error::new("DependencyViolation", m)
            }
            DomainError::InvalidStateTransition { id, from, to } => Ec2Error::new(
                "InvalidStateTransition",
                format!(
                    "Invalid state transition for {id}, attempted to transition from {} to {}",
                    peering_state_name(from),
                    peering_state_name(to)
                ),
            ),
            DomainError::PeeringAlreadyExists { id } => Ec2Error::new(
                "VpcPeeringConnectionAlreadyExists",
                format!("The vpc peering connection identified by {id} already exists."),
            ),
            DomainError::RouteAlreadyExists { destination } => Ec2Error::new(
                "RouteAlreadyExists",
                format!("The route identified by {destination} already exists."),
            ),
            DomainError::RouteNotFound { destination, table } => Ec2Error::new(
                "InvalidRoute.NotFound",
                format!("no route with destination-cidr-block {destination} in route table {table}"),
            ),
            DomainError::PermissionDuplicate { rule } => Ec2Error::new(
                "InvalidPermission.Duplicate",
                format!(
                    "the specified rule already exists: {}",
                    messages::quote_rule(&rule)
                ),
            ),
            DomainError::GroupDuplicate { name, vpc_id } => Ec2Error::new(
                "InvalidGroup.Duplicate",
                format!("the security group '{name}' already exists for VPC '{vpc_id}'"),
            ),
            DomainError::GroupReserved { name } => Ec2Error::new(
                "InvalidGroup.Reserved",
                format!("the security group name '{name}' is reserved"),
            ),
            DomainError::CannotDeleteDefaultGroup => Ec2Error::new(
                "CannotDelete",
                "the default security group cannot be deleted",
            ),
            DomainError::Attached(a) => worded(messages::attached(&a)),
            DomainError::GatewayNotAttached { gateway, vpc_id } => Ec2Error::new(
                "Gateway.NotAttached",
                format!("the gateway '{gateway}' is not attached to '{vpc_id}'"),
            ),
            DomainError::LimitExceeded {
                kind,
                max,
                resource,
            } => Ec2Error::new(
                limit_code(kind),
                messages::limit(kind, max, resource.as_deref()),
            ),
            DomainError::Address(p) => worded(messages::address(&p)),
            DomainError::Tag(p) => worded(messages::tag(&p)),
            DomainError::DifferentVpcs(m) => worded(messages::mismatch(&m)),
            DomainError::Route(p) => worded(messages::route(&p)),
            DomainError::Vpc(p) => worded(messages::vpc(&p)),
            DomainError::Vpn(p) => crate::actions::vpn_error(&p),
            DomainError::Peering(p) => worded(messages::peering(&p)),
            DomainError::Group(p) => worded(messages::group(&p)),
            DomainError::Launch(p) => worded(messages::launch(&p)),
            DomainError::DefaultVpc(p) => worded(messages::default_vpc(&p)),
            DomainError::Ipv6(p) => worded(crate::actions::ipv6_problem(&p)),
            DomainError::Appliance(p) => worded(crate::actions::appliance::words(&p)),
            DomainError::Endpoint(p) => worded(crate::actions::endpoint_problem(&p)),
            DomainError::Catalog(p) => worded(crate::catalog_messages::words(&p)),
            DomainError::AllocationMalformed { allocation_id } => Ec2Error::new(
                "InvalidParameterValue",
                format!("The allocation ID '{allocation_id}' is malformed"),
            ),
            DomainError::InterfaceManaged { interface_id } => Ec2Error::new(
                "OperationNotPermitted",
                format!("You do not have permission to access the specified resource: {interface_id} is managed by AWS"),
            ),
            DomainError::DefaultAclUndeletable { acl_id } => Ec2Error::new(
                "InvalidParameterValue",
                format!("cannot delete default network ACL {acl_id}"),
            ),
            DomainError::AclEntryAlreadyExists {
                acl_id,
                rule_number,
                egress,
            } => Ec2Error::new(
                "NetworkAclEntryAlreadyExists",
                acl_entry(rule_number, "already exists", &acl_id, egress),
            ),
            DomainError::AclEntryNotFound {
                acl_id,
                rule_number,
                egress,
            } => Ec2Error::new(
                "InvalidNetworkAclEntry.NotFound",
                acl_entry(rule_number, "does not exist", &acl_id, egress),
            ),
            DomainError::IdempotentParameterMismatch { client_token } => Ec2Error::new(
                "IdempotentParameterMismatch",
                format!("client token {client_token} was reused with different parameters"),
            ),
            // --- Area 2: security groups, ACLs, instances, tags, insights ---
            DomainError::AclBlocksExclusive => Ec2Error::new(
                "InvalidParameterCombination",
                "Only one of CidrBlock and Ipv6CidrBlock may be specified.",
            ),
            DomainError::AclPortOutOfRange(v) => Ec2Error::new(
                "InvalidParameterValue",
                format!("Value ({v}) for parameter portRange is invalid. Ports must be in the range 0-65535."),
            ),
            DomainError::InterfaceInUse { id, instance_id } => Ec2Error::new(
                "InvalidNetworkInterface.InUse",
                format!("The network interface '{id}' is currently in use (attached to {instance_id})."),
            ),
            // --- Area eip ---
            DomainError::Eip(p) => worded(messages::eip(&p)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every domain field renders to the EC2 parameter it is read from, and its
    /// `MissingParameter` and `InvalidParameterValue` messages name that parameter.
    #[test]
    fn every_field_renders_to_its_parameter() {
        let table: &[(Field, &str)] = &[
            (Field::NatAllocation, "AllocationId"),
            (Field::AclEntryBlock, "cidrBlock"),
            (Field::AclEntryIpv4Block, "cidrBlock"),
            (Field::AclEntryIpv6Block, "ipv6CidrBlock"),
            (Field::AclRuleNumber, "ruleNumber"),
            (Field::AclProtocol, "protocol"),
            (Field::AclRuleAction, "ruleAction"),
            (Field::AclPortRange, "portRange"),
            (Field::AclIcmpTypeCode, "icmpTypeCode"),
            (Field::PeerVpc, "PeerVpcId"),
            (
                Field::PeeringOptions,
                "RequesterPeeringConnectionOptions or AccepterPeeringConnectionOptions",
            ),
            (Field::ReferencingGroups, "GroupId"),
            (Field::TaggedResources, "ResourceId"),
            (Field::Tags, "Tag"),
            (
                Field::RouteDestination,
                "destinationCidrBlock or destinationIpv6CidrBlock",
            ),
            (
                Field::RouteTarget,
                "exactly one of gatewayId, vpcPeeringConnectionId, natGatewayId, instanceId, networkInterfaceId, transitGatewayId, egressOnlyInternetGatewayId or vpcEndpointId",
            ),
            (Field::GroupName, "GroupName"),
            (Field::GroupDescription, "GroupDescription"),
            (Field::ReferencedGroup, "GroupId or GroupName"),
            (Field::Permissions, "IpPermissions"),
            (Field::LaunchZone, "availabilityZone"),
            (
                Field::InterfaceSubnet { device_index: 0 },
                "NetworkInterface.SubnetId",
            ),
            (Field::Image, "ImageId"),
            (Field::Instances, "InstanceId"),
            (Field::PathSource, "Source"),
            (Field::PathProtocol, "Protocol"),
            (Field::PathDestinationPort, "DestinationPort"),
            (Field::PathDestination, "Destination or DestinationIp"),
            (Field::NatConnectivity, "connectivityType"),
            (Field::NatPrivateAddress, "privateIpAddress"),
            (Field::RouteIpv4Destination, "destinationCidrBlock"),
            (Field::RouteIpv6Destination, "destinationIpv6CidrBlock"),
            (Field::RouteTransitGateway, "transitGatewayId"),
            (Field::RouteEgressOnlyGateway, "egressOnlyInternetGatewayId"),
            (Field::RouteEndpoint, "vpcEndpointId"),
            (Field::LaunchMinCount, "minCount"),
            (Field::ClientToken, "clientToken"),
            (Field::SubnetIpv4Block, "cidrBlock"),
            (Field::SubnetIpv6Block, "ipv6CidrBlock"),
            (Field::VpcIpv4Block, "cidrBlock"),
            (Field::VpcTenancy, "instanceTenancy"),
            (Field::PathSourceIp, "SourceIp"),
            (Field::PathDestinationIp, "DestinationIp"),
            (Field::SubnetZone, "availabilityZone"),
            (Field::SubnetZoneId, "availabilityZoneId"),
            (Field::RuleDescription, "Description"),
            (Field::SubnetIpv6Native, "ipv6Native"),
            (Field::RoutePrefixList, "destinationPrefixListId"),
        ];
        let fields: Vec<Field> = table.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, Field::ALL, "the table covers every field, in order");
        for (field, name) in table {
            assert_eq!(parameter(*field), *name, "{field:?}");
            let missing = Ec2Error::from(DomainError::Missing(*field));
            assert_eq!(missing.code, "MissingParameter");
            assert!(
                missing
                    .message
                    .starts_with(&format!("The request must contain the parameter {name}")),
                "{field:?}: {}",
                missing.message
            );
            let invalid = Ec2Error::from(DomainError::Invalid {
                field: *field,
                value: "x".into(),
            });
            assert_eq!(invalid.code, "InvalidParameterValue");
            assert!(
                invalid
                    .message
                    .starts_with(&format!("Value (x) for parameter {name} is invalid.")),
                "{field:?}: {}",
                invalid.message
            );
        }
        let at = Ec2Error::from(DomainError::Missing(Field::InterfaceSubnet {
            device_index: 2,
        }));
        assert_eq!(
            at.message,
            "The request must contain the parameter NetworkInterface.SubnetId (device index 2)"
        );
    }
}
