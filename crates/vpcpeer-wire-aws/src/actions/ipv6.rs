//! IPv6 actions: egress-only internet gateways (Create/Delete/DescribeEgressOnlyInternetGateways)
//! and a subnet's IPv6 block (Associate/DisassociateSubnetCidrBlock), with EC2's words for the
//! IPv6 refusals ([`ipv6_problem`]).
//!
//! DescribeEgressOnlyInternetGateways knows the filters AWS documents for it (`tag:<key>`,
//! `tag-key`; AWS has no `attachment.vpc-id` filter here) and pages with `MaxResults` 5–255.
//! IPAM pools (`Ipv6IpamPoolId`, `Ipv6NetmaskLength`) are refused as not supported.

use vpcpeer_model::aws::ipv6::{Ipv6Command, Ipv6Outcome, SubnetBlock};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{AssocState, EgressOnlyInternetGateway, Field, Ipv6Problem, Tx};

use super::blocks::ipv6_block;
use super::{describe_owned, domain, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::messages::Words;
use crate::{Ec2Error, Params, Xml};

/// The IPv6 actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateEgressOnlyInternetGateway" => Action::Change {
            parse: |p| {
                Ok(Command::Ipv6(Ipv6Command::CreateEgressOnlyGateway {
                    vpc_id: p.id("VpcId")?,
                    tags: p.spec_tags_of("egress-only-internet-gateway")?,
                    client_token: p.string("ClientToken"),
                }))
            },
            render: |_, o, x| match o {
                Outcome::Ipv6(Ipv6Outcome::Gateway {
                    gateway,
                    client_token,
                }) => {
                    x.opt_leaf("clientToken", client_token.as_deref());
                    x.node("egressOnlyInternetGateway", |x| render_eigw(x, &gateway));
                }
                other => unexpected(&other, x),
            },
        },
        "DeleteEgressOnlyInternetGateway" => Action::Change {
            parse: |p| {
                Ok(Command::Ipv6(Ipv6Command::DeleteEgressOnlyGateway {
                    id: p.id("EgressOnlyInternetGatewayId")?,
                }))
            },
            render: |_, _, x| {
                x.leaf("returnCode", true);
            },
        },
        "DescribeEgressOnlyInternetGateways" => Action::Read(describe_eigws),
        "AssociateSubnetCidrBlock" => Action::Change {
            parse: parse_associate_subnet,
            render: render_subnet_block,
        },
        "DisassociateSubnetCidrBlock" => Action::Change {
            parse: |p| {
                Ok(Command::Ipv6(Ipv6Command::DisassociateSubnetBlock {
                    association_id: p.id("AssociationId")?,
                }))
            },
            render: render_subnet_block,
        },
        _ => return None,
    })
}

/// The filters of DescribeEgressOnlyInternetGateways (besides `tag:<key>` and `tag-key`, which
/// every describe knows).
const EIGW_FILTERS: &[&str] = &[];

/// The `egressOnlyInternetGateway` shape (inner elements).
fn render_eigw(x: &mut Xml, g: &EgressOnlyInternetGateway) {
    x.list("attachmentSet", std::iter::once(g), |x, g| {
        x.leaf("state", "attached").leaf("vpcId", &g.vpc_id);
    })
    .leaf("egressOnlyInternetGatewayId", &g.id)
    .tags(&g.tags);
}

fn describe_eigws(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new(
        "EgressOnlyInternetGatewayId",
        EIGW_FILTERS,
        "egressOnlyInternetGatewaySet",
    )
    .max(255);
    let keep = |f: &[Filter], g: &EgressOnlyInternetGateway| matches(f, &g.tags, |_| Vec::new());
    describe_owned(tx, p, page, keep, x, render_eigw)
}

fn parse_associate_subnet(p: &Params) -> Result<Command, Ec2Error> {
    let subnet_id = p.id("SubnetId")?;
    for unsupported in ["Ipv6IpamPoolId", "Ipv6NetmaskLength"] {
        if p.get(unsupported).is_some() {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!(
                    "{unsupported}: IPAM pools are not supported by this emulator; pass Ipv6CidrBlock."
                ),
            ));
        }
    }
    let text = p.required("Ipv6CidrBlock")?;
    Ok(Command::Ipv6(Ipv6Command::AssociateSubnetBlock {
        subnet_id,
        block: domain(ipv6_block(text, Field::SubnetIpv6Block))?,
    }))
}

/// `subnetId` and `ipv6CidrBlockAssociation` of Associate/DisassociateSubnetCidrBlock.
fn render_subnet_block(_: &Tx<'_, '_>, o: Outcome, x: &mut Xml) {
    match o {
        Outcome::Ipv6(Ipv6Outcome::SubnetBlock(b)) => {
            x.leaf("subnetId", &b.subnet_id);
            x.node("ipv6CidrBlockAssociation", |x| subnet_block(x, &b));
        }
        other => unexpected(&other, x),
    }
}

fn subnet_block(x: &mut Xml, b: &SubnetBlock) {
    let state = match b.state {
        AssocState::Associated => "associated",
        AssocState::Disassociated => "disassociated",
    };
    x.leaf("associationId", &b.association_id)
        .leaf("ipv6CidrBlock", b.cidr)
        .node("ipv6CidrBlockState", |x| {
            x.leaf("state", state);
        })
        .leaf("ipv6AddressAttribute", "public")
        .leaf("ipSource", "amazon");
}

/// EC2's code and message for an IPv6 refusal (the codes are `[UNVERIFIED]`; see the model's
/// `aws::ipv6` docs).
pub(crate) fn ipv6_problem(p: &Ipv6Problem) -> Words {
    match p {
        Ipv6Problem::SubnetHasBlock { subnet_id } => (
            "InvalidParameterValue",
            format!("The subnet '{subnet_id}' already has an IPv6 CIDR block associated; a subnet can have only one."),
        ),
        Ipv6Problem::Ipv6OnlySubnetBlock {
            association_id,
            subnet_id,
        } => (
            "OperationNotPermitted",
            format!("The IPv6 CIDR block association '{association_id}' is the only CIDR block of the IPv6-only subnet '{subnet_id}' and cannot be disassociated."),
        ),
        Ipv6Problem::InterRegionPeering { peering_id } => (
            "InvalidParameterValue",
            format!("IPv6 traffic is not supported over the inter-region VPC peering connection '{peering_id}'."),
        ),
        Ipv6Problem::LaunchIntoIpv6Only { subnet_id } => (
            "InvalidParameterValue",
            format!("The subnet '{subnet_id}' is IPv6-only; this emulator launches instances only into subnets with an IPv4 CIDR block."),
        ),
    }
}
