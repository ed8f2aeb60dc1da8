//! GCP's words for every refusal of the model: [`describe`] gives each [`GcpError`] its class
//! (HTTP status, reason, operation error code) and its message, with an exhaustive `match`, and
//! [`field`] spells each [`Field`] as GCP names it in messages.
//!
//! Wording marked \[UNVERIFIED\] is the emulator's own, where no real GCP message was at hand.

use vpcpeer_model::clouds::{cross_cloud_message, Cloud};
use vpcpeer_model::gcp::limits::MAX_DESCRIPTION;
use vpcpeer_model::gcp::{
    Field, FirewallAction, GcpError, InUseKind, RecordedKind, AUTO_MODE_RANGE,
};

/// The class of a refusal: its HTTP status, reason and operation error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 404 `notFound`.
    NotFound,
    /// 409 `alreadyExists`.
    AlreadyExists,
    /// 400 `invalid`: a field value GCP refuses.
    Invalid,
    /// 400 `badRequest`: a request that cannot be served now or at all.
    BadRequest,
    /// 400 `resourceInUseByAnotherResource`.
    InUse,
    /// 403 `quotaExceeded`.
    QuotaExceeded,
    /// 412 `conditionNotMet`: a stale fingerprint.
    ConditionNotMet,
}

impl Class {
    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Class::NotFound => 404,
            Class::AlreadyExists => 409,
            Class::Invalid | Class::BadRequest | Class::InUse => 400,
            Class::QuotaExceeded => 403,
            Class::ConditionNotMet => 412,
        }
    }

    /// The reason of `errors[]`.
    pub fn reason(self) -> &'static str {
        match self {
            Class::NotFound => "notFound",
            Class::AlreadyExists => "alreadyExists",
            Class::Invalid => "invalid",
            Class::BadRequest => "badRequest",
            Class::InUse => "resourceInUseByAnotherResource",
            Class::QuotaExceeded => "quotaExceeded",
            Class::ConditionNotMet => "conditionNotMet",
        }
    }

    /// The upper-case `code` inside a failed operation's `error.errors[]` (\[UNVERIFIED\] for
    /// `INVALID_USAGE` and `BAD_REQUEST`; the others are seen in real operations).
    pub fn op_error_code(self) -> &'static str {
        match self {
            Class::NotFound => "RESOURCE_NOT_FOUND",
            Class::AlreadyExists => "RESOURCE_ALREADY_EXISTS",
            Class::Invalid => "INVALID_USAGE",
            Class::BadRequest => "BAD_REQUEST",
            Class::InUse => "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE",
            Class::QuotaExceeded => "QUOTA_EXCEEDED",
            Class::ConditionNotMet => "CONDITION_NOT_MET",
        }
    }
}

/// GCP's name for a field in messages.
pub fn field(f: Field) -> String {
    let rules = |a: FirewallAction| match a {
        FirewallAction::Allow => "resource.allowed",
        FirewallAction::Deny => "resource.denied",
    };
    match f {
        Field::Name => "resource.name".into(),
        Field::PeeringName => "networkPeering.name".into(),
        Field::Network => "resource.network".into(),
        Field::IpCidrRange => "resource.ipCidrRange".into(),
        Field::ExpandedRange => "ipCidrRange".into(),
        Field::SecondaryRanges => "resource.secondaryIpRanges".into(),
        Field::SecondaryRangeName => "resource.secondaryIpRanges.rangeName".into(),
        Field::SecondaryRange => "resource.secondaryIpRanges.ipCidrRange".into(),
        Field::DestRange => "resource.destRange".into(),
        Field::NextHopInstance => "resource.nextHopInstance".into(),
        Field::Tags => "resource.tags".into(),
        Field::InstanceTags => "resource.tags.items".into(),
        Field::NetworkInterfaces => "resource.networkInterfaces".into(),
        Field::NicNetwork(i) => format!("resource.networkInterfaces[{i}].network"),
        Field::NicSubnetwork(i) => format!("resource.networkInterfaces[{i}].subnetwork"),
        Field::NicIp(i) => format!("resource.networkInterfaces[{i}].networkIP"),
        Field::NicAccessConfigs(i) => format!("resource.networkInterfaces[{i}].accessConfigs"),
        Field::NicNatIp(i) => format!("resource.networkInterfaces[{i}].accessConfigs[0].natIP"),
        Field::MetadataKey(i) => format!("resource.metadata.items[{i}].key"),
        Field::MetadataFingerprint => "resource.fingerprint".into(),
        Field::Address => "resource.address".into(),
        Field::SourceRanges => "resource.sourceRanges".into(),
        Field::DestinationRanges => "resource.destinationRanges".into(),
        Field::SourceTags => "resource.sourceTags".into(),
        Field::TargetTags => "resource.targetTags".into(),
        Field::Rules(a) => rules(a).into(),
        Field::RulePorts(a) => format!("{}[].ports", rules(a)),
    }
}

/// "Invalid value for field 'F': 'V'." and what follows.
fn invalid_value(f: Field, value: &str, rest: &str) -> String {
    format!("Invalid value for field '{}': '{value}'.{rest}", field(f))
}

/// The class and message of a refusal.
pub fn describe(e: &GcpError) -> (Class, String) {
    use Class::{BadRequest, Invalid};
    let invalid = |m: String| (Invalid, m);
    match e {
        GcpError::NotFound(path) => (
            Class::NotFound,
            format!("The resource '{path}' was not found"),
        ),
        GcpError::AlreadyExists(path) => (
            Class::AlreadyExists,
            format!("The resource '{path}' already exists"),
        ),
        GcpError::InUse { kind, resource, by } => {
            let kind = match kind {
                InUseKind::Network => "network",
                InUseKind::Subnetwork => "subnetwork",
                InUseKind::Address => "address",
            };
            (
                Class::InUse,
                format!("The {kind} resource '{resource}' is already being used by '{by}'"),
            )
        }
        GcpError::BadName { field, value } => invalid(invalid_value(
            *field,
            value,
            " Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
        )),
        GcpError::BadValue { field, value } => invalid(invalid_value(*field, value, "")),
        GcpError::MalformedReference { field, value } => {
            invalid(invalid_value(*field, value, " The URL is malformed."))
        }
        GcpError::CrossProject { field, path } => invalid(invalid_value(
            *field,
            path,
            " Cross-project references for this resource are not allowed.",
        )),
        GcpError::TooMany { field: f, count, max } => invalid(format!(
            "Invalid value for field '{}': {count} items were given; at most {max} are allowed.",
            field(*f)
        )),
        GcpError::DescriptionTooLong { chars } => invalid(format!(
            "Invalid value for field 'resource.description': {chars} characters were given; at most {MAX_DESCRIPTION} are allowed."
        )),
        GcpError::PriorityTooHigh { priority } => invalid(format!(
            "Invalid value for field 'resource.priority': '{priority}'. Must be less than or equal to 65535."
        )),
        GcpError::BadRange { field, value } => invalid(invalid_value(
            *field,
            value,
            " Must be a valid IPv4 CIDR range.",
        )),
        GcpError::HostBitsSet { value } => invalid(format!(
            "Invalid IPCidrRange: {value} has non-zero host bits."
        )),
        GcpError::PrefixLength { range } => invalid(format!(
            "Invalid IPCidrRange: {range}. The prefix length must be between /8 and /29."
        )),
        GcpError::OverlapsOwnRange { range } => invalid(format!(
            "Invalid IPCidrRange: {range} conflicts with another range of the same subnetwork."
        )),
        GcpError::OverlapsSubnetwork {
            range,
            subnetwork,
            region,
        } => invalid(format!(
            "Invalid IPCidrRange: {range} conflicts with existing subnetwork '{subnetwork}' in region '{region}'."
        )),
        // [UNVERIFIED] wording.
        GcpError::OverlapsPeer { range, peering } => invalid(format!(
            "Invalid IPCidrRange: {range} conflicts with peer network in active peering '{peering}'."
        )),
        GcpError::DuplicateRangeName { name } => invalid(format!(
            "Invalid value for field 'resource.secondaryIpRanges': duplicate range name '{name}'."
        )),
        GcpError::NotAnExpansion { new, old } => invalid(format!(
            "Invalid IPCidrRange: {new}. The new range must be larger than and contain the \
             current range {old}."
        )),
        GcpError::AutoModeSubnetwork { subnetwork } => (
            BadRequest,
            format!(
                "The subnetwork resource '{subnetwork}' belongs to an auto mode network and \
                 cannot be deleted while the network is in auto mode."
            ),
        ),
        // [UNVERIFIED] wording; GCP no longer lets new projects create legacy networks.
        GcpError::LegacyNetwork => invalid(
            "Invalid value for field 'resource.autoCreateSubnetworks': unset. Legacy networks are \
             not supported; set autoCreateSubnetworks to true (auto mode) or false (custom mode)."
                .into(),
        ),
        GcpError::Mtu { mtu } => invalid(format!(
            "Invalid value for field 'resource.mtu': '{mtu}'. Must be between 1300 and 8896."
        )),
        GcpError::CustomToAuto => invalid(
            "Invalid value for field 'resource.autoCreateSubnetworks': 'true'. A custom mode \
             network cannot be converted to auto mode."
                .into(),
        ),
        GcpError::PeerNetworkMissing => invalid(
            "Invalid value for field 'networkPeering.network': ''. The peer network must be \
             specified."
                .into(),
        ),
        GcpError::PeerNotGcp { reference } => invalid(cross_cloud_message(Cloud::Gcp, reference)),
        // [UNVERIFIED] wording.
        GcpError::PeerIsSelf { reference } => invalid(format!(
            "Invalid value for field 'networkPeering.network': '{reference}'. A network cannot be \
             peered with itself."
        )),
        GcpError::SubnetRoutesNotExchanged => invalid(
            "Invalid value for field 'networkPeering.exchangeSubnetRoutes': 'false'. Subnet \
             routes are always exchanged; exchangeSubnetRoutes must be true."
                .into(),
        ),
        // [UNVERIFIED] wording.
        GcpError::NoSuchPeering { name, network } => invalid(format!(
            "Invalid value for field 'name': '{name}'. There is no peering with this name in \
             network '{network}'."
        )),
        // [UNVERIFIED] wording.
        GcpError::DuplicatePeeringName { name, network } => invalid(format!(
            "There is already a peering with name '{name}' in network '{network}'."
        )),
        GcpError::AlreadyPeered { existing } => invalid(format!(
            "There is already a peering {existing} with the same network. Select another network."
        )),
        GcpError::PeeringQuota { limit, network } => (
            Class::QuotaExceeded,
            format!(
                "Quota 'PEERINGS_PER_NETWORK' exceeded. Limit: {limit}.0 for network '{network}'."
            ),
        ),
        GcpError::PeeringInProgress => (
            BadRequest,
            "There is a peering operation in progress on the local or peer network. Try again \
             later."
                .into(),
        ),
        GcpError::PeerRangeOverlap {
            peer_range,
            local_range,
            local_subnetwork,
        } => invalid(format!(
            "An IP range in the peer network ({peer_range}) overlaps with an IP range in the \
             local network ({local_range}) allocated by resource ({local_subnetwork})."
        )),
        GcpError::TwoAutoModeNetworks => invalid(format!(
            "Cannot peer two auto mode networks: both reserve {AUTO_MODE_RANGE} for their \
             subnetworks."
        )),
        // [UNVERIFIED] wording.
        GcpError::PeerInLocalAutoRange { peer_range } => invalid(format!(
            "An IP range in the peer network ({peer_range}) overlaps with the range \
             {AUTO_MODE_RANGE} that the local auto mode network reserves for its subnetworks."
        )),
        // [UNVERIFIED] wording.
        GcpError::LocalInPeerAutoRange {
            local_range,
            local_subnetwork,
        } => invalid(format!(
            "An IP range in the local network ({local_range}) allocated by resource \
             ({local_subnetwork}) overlaps with the range {AUTO_MODE_RANGE} that the peer auto \
             mode network reserves for its subnetworks."
        )),
        GcpError::InstanceNotInNetwork { instance, network } => invalid(invalid_value(
            Field::NextHopInstance,
            instance,
            &format!(" The instance has no interface in network '{network}'."),
        )),
        GcpError::UnsupportedGateway { gateway } => invalid(format!(
            "Invalid value for field 'resource.nextHopGateway': '{gateway}'. Only \
             default-internet-gateway is supported."
        )),
        GcpError::BadProtocol { protocol } => invalid(format!(
            "Invalid value for field 'resource.allowed[].IPProtocol': '{protocol}'. Must be one \
             of [tcp, udp, icmp, esp, ah, sctp, ipip, all] or an IP protocol number."
        )),
        GcpError::PortsNotAllowed { protocol } => invalid(format!(
            "Invalid value for field 'resource.allowed[].ports': ports are only allowed for \
             tcp, udp and sctp, not '{protocol}'."
        )),
        GcpError::BadPorts { value } => {
            invalid(format!("Invalid value for field 'ports': '{value}'."))
        }
        GcpError::AllowedXorDenied => {
            invalid("Exactly one of 'allowed' or 'denied' must be specified.".into())
        }
        GcpError::EgressSourceTags => invalid(
            "Invalid value for field 'resource.sourceTags': source tags cannot be set for EGRESS \
             firewall rules."
                .into(),
        ),
        GcpError::BadFirewallRange { field, value } => invalid(invalid_value(
            *field,
            value,
            " Must be a CIDR address range that is contained in 0.0.0.0/0.",
        )),
        GcpError::NoInterfaces => invalid(
            "Invalid value for field 'resource.networkInterfaces': ''. At least one network \
             interface is required."
                .into(),
        ),
        GcpError::SubnetworkRequired { nic } => invalid(invalid_value(
            Field::NicSubnetwork(*nic),
            "",
            " Subnetwork should be specified for custom subnetmode network",
        )),
        GcpError::NicWithoutNetwork { nic } => invalid(format!(
            "Invalid value for field 'resource.networkInterfaces[{nic}]': neither network nor \
             subnetwork is set."
        )),
        GcpError::SubnetworkInOtherRegion {
            nic,
            subnetwork,
            region,
        } => invalid(invalid_value(
            Field::NicSubnetwork(*nic),
            subnetwork,
            &format!(" Subnetwork must be in the same region as the instance ('{region}')."),
        )),
        GcpError::SubnetworkOfOtherNetwork {
            nic,
            network,
            subnetwork,
        } => invalid(invalid_value(
            Field::NicNetwork(*nic),
            network,
            &format!(" The subnetwork '{subnetwork}' belongs to another network."),
        )),
        GcpError::TwoNicsInOneNetwork { nic } => invalid(format!(
            "Invalid value for field 'resource.networkInterfaces[{nic}]'. Multiple network \
             interfaces cannot be in the same network."
        )),
        GcpError::IpOutsideRange { ip, range } => invalid(format!(
            "Requested internal IP address '{ip}' is outside the subnetwork's range or reserved \
             ({range})."
        )),
        GcpError::IpInUse { ip } => (
            BadRequest,
            format!("IP '{ip}' is already being used by another resource."),
        ),
        GcpError::IpSpaceExhausted { subnetwork } => (
            BadRequest,
            format!("IP space of '{subnetwork}' is exhausted."),
        ),
        GcpError::NatIpNotReserved { nic, ip, region } => invalid(invalid_value(
            Field::NicNatIp(*nic),
            &ip.to_string(),
            &format!(" The specified external IP address '{ip}' was not found in region '{region}'."),
        )),
        // [UNVERIFIED] wording.
        GcpError::ExternalIpsExhausted => (
            BadRequest,
            "The zone does not have enough external IP addresses available to fulfil the request."
                .into(),
        ),
        // The emulator's own: GCP has internal static addresses, the emulator does not.
        GcpError::InternalAddressUnsupported => invalid(
            "Invalid value for field 'resource.addressType': 'INTERNAL'. vpcpeer emulates \
             external static addresses only."
                .into(),
        ),
        // [UNVERIFIED] wording.
        GcpError::DuplicateMetadataKey { key } => invalid(format!(
            "Invalid value for field 'resource.metadata.items': duplicate key '{key}'."
        )),
        // [UNVERIFIED] wording.
        GcpError::MetadataTooLarge { key, bytes, max } => invalid(match key {
            Some(k) => format!(
                "Invalid value for field 'resource.metadata.items': the value of '{k}' is \
                 {bytes} bytes; at most {max} are allowed."
            ),
            None => format!(
                "Invalid value for field 'resource.metadata': {bytes} bytes were given; at most \
                 {max} are allowed."
            ),
        }),
        GcpError::FingerprintMismatch => (
            Class::ConditionNotMet,
            "Supplied fingerprint does not match current metadata fingerprint.".into(),
        ),
        // [UNVERIFIED] GCP's behaviour and wording.
        GcpError::OperationRunning { operation } => (
            BadRequest,
            format!("The operation '{operation}' is still running and cannot be deleted."),
        ),
        GcpError::Recorded(r) => {
            let (kind, words) = r.parts();
            let class = match kind {
                RecordedKind::Invalid => Invalid,
                RecordedKind::BadRequest => BadRequest,
                RecordedKind::QuotaExceeded => Class::QuotaExceeded,
            };
            (class, words.to_owned())
        }
    }
}
