//! Why a virtual private gateway, customer gateway, DHCP options or security group rule edit is
//! refused, in domain terms (the EC2 face words each one in `vpcpeer-wire-aws`).

/// Why a VPN-area request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VpnProblem {
    /// A gateway type other than `ipsec.1`.
    GatewayType {
        /// The type, as given.
        value: String,
    },
    /// An Amazon-side ASN outside the private ranges (64512–65534, 4200000000–4294967294).
    AmazonSideAsn {
        /// The ASN, as given.
        value: String,
    },
    /// A customer gateway BGP ASN outside 1–4294967294.
    BgpAsn {
        /// The ASN, as given.
        value: String,
    },
    /// A customer gateway address that is not an IPv4 address.
    CustomerGatewayAddress {
        /// The address, as given.
        value: String,
    },
    /// A customer gateway device name longer than 255 characters.
    DeviceNameTooLong,
    /// The virtual private gateway is attached to a VPC (attach again, delete).
    GatewayAttached {
        /// The gateway.
        gateway_id: String,
        /// The VPC it is attached to.
        vpc_id: String,
    },
    /// The VPC has a virtual private gateway attached already.
    VpcHasGateway {
        /// The VPC.
        vpc_id: String,
        /// The gateway attached to it.
        gateway_id: String,
    },
    /// The virtual private gateway is not attached to that VPC.
    AttachmentNotFound {
        /// The gateway.
        gateway_id: String,
        /// The VPC.
        vpc_id: String,
    },
    /// A DHCP option name the cloud does not know.
    DhcpKey {
        /// The key, as given.
        key: String,
    },
    /// A DHCP option value the cloud refuses.
    DhcpValue {
        /// The key.
        key: String,
        /// The value, as given.
        value: String,
    },
    /// More values for a DHCP option than it takes.
    DhcpTooManyValues {
        /// The key.
        key: String,
        /// The most it takes.
        max: usize,
    },
    /// A DHCP option given twice in one request.
    DhcpKeyRepeated {
        /// The key.
        key: String,
    },
    /// A DHCP option with no value.
    DhcpNoValue {
        /// The key.
        key: String,
    },
    /// A security group rule named twice in one edit.
    RuleRepeated {
        /// The rule.
        rule_id: String,
    },
    /// A description update whose permission matches no rule of the group.
    DescriptionRuleNotFound,
}
