//! CreateVpc, CreateDefaultVpc, DescribeVpcs, DeleteVpc, Associate/DisassociateVpcCidrBlock,
//! Modify/DescribeVpcAttribute.

use ipnet::Ipv4Net;
use vpcpeer_model::aws::input::Spelled;
use vpcpeer_model::aws::vpc::{
    check_vpc_block, NewAssociation, NewBlock, NewVpc, Tenancy, VpcAttribute,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{DomainError, Field, Ipv4Block, Ipv6Block, Tx, Vpc};

use super::blocks::ipv4_block;
use super::{describe_owned, domain, only_one_attribute, render_done, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::render::{self, assoc_state};
use crate::{Ec2Error, Params, Xml};

const FILTERS: &[&str] = &[
    "cidr",
    "cidr-block-association.cidr-block",
    "cidr-block-association.association-id",
    "cidr-block-association.state",
    "dhcp-options-id",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.ipv6-pool",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "is-default",
    "owner-id",
    "state",
    "vpc-id",
];

fn field(v: &Vpc, name: &str) -> Vec<String> {
    // One value per associated block.
    let v4 = |f: fn(&Ipv4Block) -> String| -> Vec<String> { v.ipv4.iter().map(f).collect() };
    let v6 = |f: fn(&Ipv6Block) -> String| -> Vec<String> { v.ipv6.iter().map(f).collect() };
    match name {
        "cidr" => vec![v.primary_cidr().to_string()],
        "cidr-block-association.cidr-block" => v4(|b| b.cidr.to_string()),
        "cidr-block-association.association-id" => v4(|b| b.association_id.clone()),
        "cidr-block-association.state" => v4(|b| assoc_state(b.state).to_owned()),
        "dhcp-options-id" => vec![v.dhcp_options_id.clone()],
        "ipv6-cidr-block-association.ipv6-cidr-block" => v6(|b| b.cidr.to_string()),
        "ipv6-cidr-block-association.ipv6-pool" => v6(|b| b.pool.clone()),
        "ipv6-cidr-block-association.association-id" => v6(|b| b.association_id.clone()),
        "ipv6-cidr-block-association.state" => v6(|b| assoc_state(b.state).to_owned()),
        "is-default" => vec![v.is_default.to_string()],
        "owner-id" => vec![v.scope.account.clone()],
        "state" => vec!["available".into()],
        "vpc-id" => vec![v.id.clone()],
        _ => Vec::new(),
    }
}

/// The VPC actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateVpc" => Action::Change {
            parse: parse_create,
            render: render_vpc,
        },
        "CreateDefaultVpc" => Action::Change {
            parse: |_| Ok(Command::CreateDefaultVpc),
            render: render_vpc,
        },
        "DescribeVpcs" => Action::Read(describe_vpcs),
        "DeleteVpc" => by_ids!(DeleteVpc { id: "VpcId" } => render_done),
        "AssociateVpcCidrBlock" => Action::Change {
            parse: parse_associate,
            render: |_, o, x| render_block(o, x, "associating"),
        },
        "DisassociateVpcCidrBlock" => by_ids!(
            DisassociateVpcCidr { association_id: "AssociationId" } =>
                |_, o, x| render_block(o, x, "disassociating")
        ),
        "ModifyVpcAttribute" => Action::Change {
            parse: parse_modify_attribute,
            render: render_done,
        },
        "DescribeVpcAttribute" => Action::Read(describe_vpc_attribute),
        _ => return None,
    })
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    if p.get("Ipv4IpamPoolId").is_some() {
        return Err(Ec2Error::new(
            "InvalidParameterValue",
            "IPAM pools are not supported by this emulator; pass CidrBlock.",
        ));
    }
    let cidr_block = p.required("CidrBlock")?;
    refuse_ipv6_pools(p)?;
    let amazon_ipv6 = p.bool("AmazonProvidedIpv6CidrBlock")?.unwrap_or(false);
    let tenancy = p.string("InstanceTenancy");
    let tags = p.spec_tags_of("vpc")?;
    let block = domain(vpc_block(cidr_block))?;
    let tenancy = match tenancy {
        None => Tenancy::Default,
        Some(t) => domain(Tenancy::from_stored(&t).ok_or(DomainError::Invalid {
            field: Field::VpcTenancy,
            value: t,
        }))?,
    };
    Ok(Command::CreateVpc(NewVpc {
        block,
        amazon_ipv6,
        tenancy,
        tags,
    }))
}

/// A VPC's IPv4 block from text, parsed and sized ([`check_vpc_block`]).
fn vpc_block(text: &str) -> Result<Spelled<Ipv4Net>, DomainError> {
    let block = ipv4_block(text, Field::VpcIpv4Block)?;
    check_vpc_block(&block)?;
    Ok(block)
}

fn render_vpc(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    match outcome {
        Outcome::Vpc(v) => {
            x.node("vpc", |x| render::vpc(x, &v));
        }
        other => unexpected(&other, x),
    }
}

fn describe_vpcs(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("VpcId", FILTERS, "vpcSet");
    let keep = |f: &[Filter], v: &Vpc| matches(f, &v.tags, |n| field(v, n));
    describe_owned(tx, p, page, keep, x, render::vpc)
}

fn ipv4_assoc(x: &mut Xml, b: &Ipv4Block, state: &str) {
    x.node("cidrBlockAssociation", |x| {
        x.leaf("associationId", &b.association_id)
            .leaf("cidrBlock", b.cidr)
            .node("cidrBlockState", |x| {
                x.leaf("state", state);
            });
    });
}

fn ipv6_assoc(x: &mut Xml, b: &Ipv6Block, state: &str) {
    x.node("ipv6CidrBlockAssociation", |x| {
        x.leaf("associationId", &b.association_id)
            .leaf("ipv6CidrBlock", b.cidr)
            .node("ipv6CidrBlockState", |x| {
                x.leaf("state", state);
            })
            .leaf("networkBorderGroup", &b.network_border_group)
            .leaf("ipv6Pool", &b.pool);
    });
}

/// IPv6 blocks from a BYOIP pool (`Ipv6Pool`, `Ipv6CidrBlock`) or an IPAM pool are refused: the
/// emulator hands out Amazon-provided /56 blocks only (`AmazonProvidedIpv6CidrBlock`).
/// `Ipv6CidrBlockNetworkBorderGroup` is accepted and not checked (the block's border group is
/// the region, the only one the emulator knows) `[UNVERIFIED]`.
fn refuse_ipv6_pools(p: &Params) -> Result<(), Ec2Error> {
    for name in [
        "Ipv6Pool",
        "Ipv6CidrBlock",
        "Ipv6IpamPoolId",
        "Ipv6NetmaskLength",
    ] {
        if p.get(name).is_some() {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("{name}: IPv6 pools (BYOIP, IPAM) are not supported by this emulator; pass AmazonProvidedIpv6CidrBlock=true."),
            ));
        }
    }
    Ok(())
}

fn parse_associate(p: &Params) -> Result<Command, Ec2Error> {
    let vpc_id = p.id("VpcId")?;
    refuse_ipv6_pools(p)?;
    let block =
        match (
            p.get("CidrBlock"),
            p.bool("AmazonProvidedIpv6CidrBlock")?.unwrap_or(false),
        ) {
            (Some(c), false) => NewBlock::Ipv4(domain(vpc_block(c))?),
            (None, true) => NewBlock::AmazonIpv6,
            (Some(_), true) => return Err(Ec2Error::new(
                "InvalidParameterCombination",
                "The parameters CidrBlock and AmazonProvidedIpv6CidrBlock cannot be used together.",
            )),
            (None, false) => return Err(Ec2Error::missing("CidrBlock")),
        };
    Ok(Command::AssociateVpcCidr { vpc_id, block })
}

/// The association a block command left, in `state`, and its VPC.
fn render_block(outcome: Outcome, x: &mut Xml, state: &str) {
    let Outcome::VpcCidr {
        vpc_id,
        association,
    } = outcome
    else {
        return unexpected(&outcome, x);
    };
    match association {
        NewAssociation::Ipv4(b) => ipv4_assoc(x, &b, state),
        NewAssociation::Ipv6(b) => ipv6_assoc(x, &b, state),
    }
    x.leaf("vpcId", vpc_id);
}

const ATTRS: [(&str, &str, VpcAttribute); 3] = [
    (
        "EnableDnsSupport",
        "enableDnsSupport",
        VpcAttribute::DnsSupport,
    ),
    (
        "EnableDnsHostnames",
        "enableDnsHostnames",
        VpcAttribute::DnsHostnames,
    ),
    (
        "EnableNetworkAddressUsageMetrics",
        "enableNetworkAddressUsageMetrics",
        VpcAttribute::NauMetrics,
    ),
];

fn parse_modify_attribute(p: &Params) -> Result<Command, Ec2Error> {
    let vpc_id = p.id("VpcId")?;
    let mut given = Vec::new();
    for (param, _, attr) in ATTRS {
        if let Some(v) = p.bool(&format!("{param}.Value"))? {
            given.push((attr, v));
        }
    }
    let (attribute, value) = only_one_attribute(given, "EnableDnsSupport or EnableDnsHostnames")?;
    Ok(Command::ModifyVpcAttribute {
        vpc_id,
        attribute,
        value,
    })
}

fn describe_vpc_attribute(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let vpc_id = p.required("VpcId")?;
    let name = p.required("Attribute")?;
    let (_, tag, attr) = ATTRS
        .iter()
        .find(|(_, tag, _)| *tag == name)
        .ok_or_else(|| Ec2Error::invalid_value("Attribute", name))?;
    let value = domain(tx.vpc_attribute(vpc_id, *attr))?;
    x.leaf("vpcId", vpc_id).node(tag, |x| {
        x.leaf("value", value);
    });
    Ok(())
}
