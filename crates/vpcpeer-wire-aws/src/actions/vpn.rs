//! Virtual private gateways (Create/Attach/Detach/Delete/DescribeVpnGateways), route propagation
//! (Enable/DisableVgwRoutePropagation) and customer gateways
//! (Create/Delete/DescribeCustomerGateways), and the EC2 words of every
//! [`VpnProblem`] (the VPN gateway, DHCP option and rule-edit refusals).
//!
//! Shapes follow the botocore EC2 model: `vpnGateway` (`attachments`, `amazonSideAsn`),
//! `attachment` for AttachVpnGateway, `customerGateway` (`bgpAsn`, `ipAddress`). Choices
//! [UNVERIFIED]: `BgpAsn` and `BgpAsnExtended` together are `InvalidParameterCombination`;
//! `bgpAsnExtended` is shown only for an ASN above 2147483647; `IpAddress` wins over the legacy
//! `PublicIp` when both are given; the wording of the refusals (codes are AWS's).

use vpcpeer_model::aws::vpn::{
    NewCustomerGateway, NewVpnGateway, VgwAttachment, VgwAttachmentState, VpnCommand, VpnOutcome,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{CustomerGateway, VpnGateway, VpnProblem};

use super::{describe_owned, render_done, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::{Ec2Error, Params, Xml};

/// The VPN gateway actions.
pub(crate) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateVpnGateway" => Action::Change {
            parse: parse_create_vgw,
            render: |_, o, x| match o {
                Outcome::Vpn(VpnOutcome::VpnGateway(g)) => {
                    x.node("vpnGateway", |x| render_vgw(x, &g));
                }
                other => unexpected(&other, x),
            },
        },
        "AttachVpnGateway" => Action::Change {
            parse: |p| {
                Ok(Command::Vpn(VpnCommand::AttachVpnGateway {
                    vgw_id: p.id("VpnGatewayId")?,
                    vpc_id: p.id("VpcId")?,
                }))
            },
            render: |_, o, x| match o {
                Outcome::Vpn(VpnOutcome::Attachment(a)) => {
                    x.node("attachment", |x| render_attachment(x, &a));
                }
                other => unexpected(&other, x),
            },
        },
        "DetachVpnGateway" => Action::Change {
            parse: |p| {
                Ok(Command::Vpn(VpnCommand::DetachVpnGateway {
                    vgw_id: p.id("VpnGatewayId")?,
                    vpc_id: p.id("VpcId")?,
                }))
            },
            render: render_done,
        },
        "DeleteVpnGateway" => Action::Change {
            parse: |p| {
                Ok(Command::Vpn(VpnCommand::DeleteVpnGateway {
                    vgw_id: p.id("VpnGatewayId")?,
                }))
            },
            render: render_done,
        },
        "DescribeVpnGateways" => Action::Read(describe_vgws),
        "EnableVgwRoutePropagation" => Action::Change {
            parse: |p| parse_propagation(p, true),
            render: render_done,
        },
        "DisableVgwRoutePropagation" => Action::Change {
            parse: |p| parse_propagation(p, false),
            render: render_done,
        },
        "CreateCustomerGateway" => Action::Change {
            parse: parse_create_cgw,
            render: |_, o, x| match o {
                Outcome::Vpn(VpnOutcome::CustomerGateway(g)) => {
                    x.node("customerGateway", |x| render_cgw(x, &g));
                }
                other => unexpected(&other, x),
            },
        },
        "DeleteCustomerGateway" => Action::Change {
            parse: |p| {
                Ok(Command::Vpn(VpnCommand::DeleteCustomerGateway {
                    cgw_id: p.id("CustomerGatewayId")?,
                }))
            },
            render: render_done,
        },
        "DescribeCustomerGateways" => Action::Read(describe_cgws),
        _ => return None,
    })
}

fn nonempty(p: &Params, name: &str) -> Option<String> {
    p.string(name).filter(|s| !s.is_empty())
}

fn parse_create_vgw(p: &Params) -> Result<Command, Ec2Error> {
    let gateway_type = p.required("Type")?.to_owned();
    Ok(Command::Vpn(VpnCommand::CreateVpnGateway(NewVpnGateway {
        gateway_type,
        amazon_side_asn: nonempty(p, "AmazonSideAsn"),
        availability_zone: nonempty(p, "AvailabilityZone"),
        tags: p.spec_tags_of("vpn-gateway")?,
    })))
}

fn parse_propagation(p: &Params, enable: bool) -> Result<Command, Ec2Error> {
    Ok(Command::Vpn(VpnCommand::SetPropagation {
        route_table_id: p.id("RouteTableId")?,
        vgw_id: p.id("GatewayId")?,
        enable,
    }))
}

fn parse_create_cgw(p: &Params) -> Result<Command, Ec2Error> {
    let gateway_type = p.required("Type")?.to_owned();
    let bgp_asn = match (nonempty(p, "BgpAsn"), nonempty(p, "BgpAsnExtended")) {
        (Some(_), Some(_)) => {
            return Err(Ec2Error::new(
                "InvalidParameterCombination",
                "The parameters BgpAsn and BgpAsnExtended cannot be used together.",
            ))
        }
        (a, b) => a.or(b),
    };
    let ip_address = nonempty(p, "IpAddress")
        .or_else(|| nonempty(p, "PublicIp"))
        .ok_or_else(|| Ec2Error::missing("IpAddress"))?;
    Ok(Command::Vpn(VpnCommand::CreateCustomerGateway(
        NewCustomerGateway {
            gateway_type,
            bgp_asn,
            ip_address,
            device_name: nonempty(p, "DeviceName"),
            tags: p.spec_tags_of("customer-gateway")?,
        },
    )))
}

fn attachment_state(s: VgwAttachmentState) -> &'static str {
    match s {
        VgwAttachmentState::Attached => "attached",
        VgwAttachmentState::Detached => "detached",
    }
}

fn render_attachment(x: &mut Xml, a: &VgwAttachment) {
    x.leaf("vpcId", &a.vpc_id)
        .leaf("state", attachment_state(a.state));
}

/// The `vpnGateway` shape (inner elements).
fn render_vgw(x: &mut Xml, g: &VpnGateway) {
    x.leaf("vpnGatewayId", &g.id)
        .leaf("state", "available")
        .leaf("type", &g.gateway_type);
    x.opt_leaf("availabilityZone", g.availability_zone.as_deref());
    x.list("attachments", g.attachment.iter(), render_attachment)
        .leaf("amazonSideAsn", g.amazon_side_asn)
        .tags(&g.tags);
}

const VGW_FILTERS: &[&str] = &[
    "amazon-side-asn",
    "attachment.state",
    "attachment.vpc-id",
    "availability-zone",
    "state",
    "type",
    "vpn-gateway-id",
];

fn vgw_field(g: &VpnGateway, name: &str) -> Vec<String> {
    match name {
        "amazon-side-asn" => vec![g.amazon_side_asn.to_string()],
        "attachment.state" => g
            .attachment
            .iter()
            .map(|a| attachment_state(a.state).to_owned())
            .collect(),
        "attachment.vpc-id" => g.attachment.iter().map(|a| a.vpc_id.clone()).collect(),
        "availability-zone" => g.availability_zone.iter().cloned().collect(),
        "state" => vec!["available".into()],
        "type" => vec![g.gateway_type.clone()],
        "vpn-gateway-id" => vec![g.id.clone()],
        _ => Vec::new(),
    }
}

fn describe_vgws(tx: &vpcpeer_model::Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("VpnGatewayId", VGW_FILTERS, "vpnGatewaySet");
    let keep = |f: &[Filter], g: &VpnGateway| matches(f, &g.tags, |n| vgw_field(g, n));
    describe_owned(tx, p, page, keep, x, render_vgw)
}

/// The `customerGateway` shape (inner elements).
fn render_cgw(x: &mut Xml, g: &CustomerGateway) {
    x.leaf("customerGatewayId", &g.id)
        .leaf("state", "available")
        .leaf("type", &g.gateway_type)
        .leaf("ipAddress", g.ip_address)
        .leaf("bgpAsn", g.bgp_asn);
    x.opt_leaf(
        "bgpAsnExtended",
        (g.bgp_asn > 2_147_483_647).then_some(g.bgp_asn),
    );
    x.opt_leaf("deviceName", g.device_name.as_deref());
    x.tags(&g.tags);
}

const CGW_FILTERS: &[&str] = &[
    "bgp-asn",
    "customer-gateway-id",
    "ip-address",
    "state",
    "type",
];

fn cgw_field(g: &CustomerGateway, name: &str) -> Vec<String> {
    match name {
        "bgp-asn" => vec![g.bgp_asn.to_string()],
        "customer-gateway-id" => vec![g.id.clone()],
        "ip-address" => vec![g.ip_address.to_string()],
        "state" => vec!["available".into()],
        "type" => vec![g.gateway_type.clone()],
        _ => Vec::new(),
    }
}

fn describe_cgws(tx: &vpcpeer_model::Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("CustomerGatewayId", CGW_FILTERS, "customerGatewaySet");
    let keep = |f: &[Filter], g: &CustomerGateway| matches(f, &g.tags, |n| cgw_field(g, n));
    describe_owned(tx, p, page, keep, x, render_cgw)
}

/// EC2's code and words for a refusal of the VPN area (gateways, DHCP options, rule edits).
pub(crate) fn error(p: &VpnProblem) -> Ec2Error {
    let invalid = |m: String| Ec2Error::new("InvalidParameterValue", m);
    match p {
        VpnProblem::GatewayType { value } => invalid(format!(
            "Value ({value}) for parameter type is invalid. Valid values: ipsec.1"
        )),
        VpnProblem::AmazonSideAsn { value } => invalid(format!(
            "Value ({value}) for parameter amazonSideAsn is invalid. The ASN must be a private ASN in 64512-65534 or 4200000000-4294967294."
        )),
        VpnProblem::BgpAsn { value } => invalid(format!(
            "Value ({value}) for parameter bgpAsn is invalid. The ASN must be in 1-4294967294."
        )),
        VpnProblem::CustomerGatewayAddress { value } => invalid(format!(
            "Value ({value}) for parameter ipAddress is invalid. An IPv4 address is expected."
        )),
        VpnProblem::DeviceNameTooLong => {
            invalid("The device name may be at most 255 characters long.".into())
        }
        VpnProblem::GatewayAttached { gateway_id, vpc_id } => Ec2Error::new(
            "IncorrectState",
            format!("The virtual private gateway '{gateway_id}' is in an incorrect state: it is attached to {vpc_id}."),
        ),
        VpnProblem::VpcHasGateway { vpc_id, gateway_id } => Ec2Error::new(
            "VpnGatewayAttachmentLimitExceeded",
            format!("The VPC '{vpc_id}' already has a virtual private gateway attached ({gateway_id})."),
        ),
        VpnProblem::AttachmentNotFound { gateway_id, vpc_id } => Ec2Error::new(
            "InvalidVpnGatewayAttachment.NotFound",
            format!("The attachment with vpn gateway ID '{gateway_id}' and vpc ID '{vpc_id}' does not exist"),
        ),
        VpnProblem::DhcpKey { key } => invalid(format!(
            "Value ({key}) for parameter name is invalid. Unknown DHCP option"
        )),
        VpnProblem::DhcpValue { key, value } => invalid(format!(
            "Value ({value}) for parameter value is invalid. Invalid value for DHCP option {key}"
        )),
        VpnProblem::DhcpTooManyValues { key, max } => invalid(format!(
            "The DHCP option {key} takes at most {max} value(s)."
        )),
        VpnProblem::DhcpKeyRepeated { key } => invalid(format!(
            "The DHCP option {key} is given more than once."
        )),
        VpnProblem::DhcpNoValue { key } if key.is_empty() => {
            Ec2Error::missing("DhcpConfiguration")
        }
        VpnProblem::DhcpNoValue { key } => invalid(format!(
            "Value () for parameter value is invalid. The DHCP option {key} needs a value"
        )),
        VpnProblem::RuleRepeated { rule_id } => invalid(format!(
            "The security group rule {rule_id} is given more than once."
        )),
        VpnProblem::DescriptionRuleNotFound => Ec2Error::new(
            "InvalidPermission.NotFound",
            "The specified rule does not exist in this security group.",
        ),
    }
}
