//! CreateSubnet, CreateDefaultSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute.

use vpcpeer_model::aws::subnet::{NewSubnet, SubnetAttribute};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{Field, Subnet, Tx};

use super::blocks::{ipv4_block, ipv6_block};
use super::{describe_page, domain, only_one_attribute, render_done, unexpected, Action, Page};
use crate::filter::matches;
use crate::{Ec2Error, Params, Xml};

/// The subnet actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateSubnet" => Action::Change {
            parse: parse_create,
            render: |tx, o, x| match o {
                Outcome::Subnet(s) => {
                    x.node("subnet", |x| render(tx, x, &s));
                }
                other => unexpected(&other, x),
            },
        },
        "CreateDefaultSubnet" => Action::Change {
            parse: parse_create_default,
            render: |tx, o, x| match o {
                Outcome::Subnet(s) => {
                    x.node("subnet", |x| render(tx, x, &s));
                }
                other => unexpected(&other, x),
            },
        },
        "DescribeSubnets" => Action::Read(describe_subnets),
        "DeleteSubnet" => by_ids!(DeleteSubnet { id: "SubnetId" } => render_done),
        "ModifySubnetAttribute" => Action::Change {
            parse: parse_modify_attribute,
            render: render_done,
        },
        _ => return None,
    })
}

const FILTERS: &[&str] = &[
    "availability-zone",
    "availabilityZone",
    "availability-zone-id",
    "availabilityZoneId",
    "available-ip-address-count",
    "cidr",
    "cidr-block",
    "cidrBlock",
    "default-for-az",
    "defaultForAz",
    "ipv6-cidr-block-association.ipv6-cidr-block",
    "ipv6-cidr-block-association.association-id",
    "ipv6-cidr-block-association.state",
    "ipv6-native",
    "map-public-ip-on-launch",
    "owner-id",
    "state",
    "subnet-arn",
    "subnet-id",
    "vpc-id",
];

fn arn(s: &Subnet) -> String {
    format!(
        "arn:aws:ec2:{}:{}:subnet/{}",
        s.scope.region, s.scope.account, s.id
    )
}

fn field(tx: &Tx<'_, '_>, s: &Subnet, name: &str) -> Vec<String> {
    match name {
        "availability-zone" | "availabilityZone" => vec![s.availability_zone.clone()],
        "availability-zone-id" | "availabilityZoneId" => vec![s.availability_zone_id.clone()],
        "available-ip-address-count" => vec![tx.available_ip_count(s).to_string()],
        "cidr" | "cidr-block" | "cidrBlock" => s.cidr.iter().map(|c| c.to_string()).collect(),
        "default-for-az" | "defaultForAz" => vec![s.default_for_az.to_string()],
        "ipv6-native" => vec![s.ipv6_native().to_string()],
        "ipv6-cidr-block-association.ipv6-cidr-block" => {
            s.ipv6.iter().map(|(_, c)| c.to_string()).collect()
        }
        "ipv6-cidr-block-association.association-id" => {
            s.ipv6.iter().map(|(a, _)| a.clone()).collect()
        }
        "ipv6-cidr-block-association.state" => {
            s.ipv6.iter().map(|_| "associated".to_owned()).collect()
        }
        "map-public-ip-on-launch" => vec![s.map_public_ip_on_launch.to_string()],
        "owner-id" => vec![s.scope.account.clone()],
        "state" => vec!["available".into()],
        "subnet-arn" => vec![arn(s)],
        "subnet-id" => vec![s.id.clone()],
        "vpc-id" => vec![s.vpc_id.clone()],
        _ => Vec::new(),
    }
}

/// The `subnet` shape (inner elements).
fn render(tx: &Tx<'_, '_>, x: &mut Xml, s: &Subnet) {
    x.leaf("subnetId", &s.id)
        .leaf("subnetArn", arn(s))
        .leaf("state", "available")
        .leaf("vpcId", &s.vpc_id)
        .leaf("ownerId", &s.scope.account)
        .opt_leaf("cidrBlock", s.cidr)
        .leaf("availableIpAddressCount", tx.available_ip_count(s))
        .leaf("availabilityZone", &s.availability_zone)
        .leaf("availabilityZoneId", &s.availability_zone_id)
        .leaf("defaultForAz", s.default_for_az)
        .leaf("mapPublicIpOnLaunch", s.map_public_ip_on_launch)
        .leaf("mapCustomerOwnedIpOnLaunch", false)
        .leaf("assignIpv6AddressOnCreation", s.assign_ipv6_on_creation)
        .list("ipv6CidrBlockAssociationSet", s.ipv6.iter(), |x, (a, c)| {
            x.leaf("associationId", a)
                .leaf("ipv6CidrBlock", c)
                .node("ipv6CidrBlockState", |x| {
                    x.leaf("state", "associated");
                })
                .leaf("ipv6AddressAttribute", "public")
                .leaf("ipSource", "amazon");
        })
        .leaf("ipv6Native", s.ipv6_native())
        .leaf("enableDns64", s.enable_dns64)
        .node("privateDnsNameOptionsOnLaunch", |x| {
            x.leaf("hostnameType", "ip-name")
                .leaf("enableResourceNameDnsARecord", false)
                .leaf("enableResourceNameDnsAAAARecord", s.dns_aaaa_on_launch);
        })
        .tags(&s.tags);
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let vpc_id = p.id("VpcId")?;
    for unsupported in ["Ipv4IpamPoolId", "Ipv6IpamPoolId"] {
        if p.get(unsupported).is_some() {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!(
                    "{unsupported}: IPAM pools are not supported by this emulator; pass CidrBlock."
                ),
            ));
        }
    }
    // `Ipv6Native=true`: an IPv6-only subnet, with `Ipv6CidrBlock` and without `CidrBlock` (the
    // model checks the combination); otherwise `CidrBlock` is required.
    let ipv6_native = p.bool("Ipv6Native")?.unwrap_or(false);
    let cidr_block = match p.get("CidrBlock").filter(|s| !s.is_empty()) {
        None if !ipv6_native => return Err(Ec2Error::missing("CidrBlock")),
        b => b,
    };
    let ipv6_cidr_block = p.get("Ipv6CidrBlock").filter(|s| !s.is_empty());
    let availability_zone = p.string("AvailabilityZone").filter(|s| !s.is_empty());
    let availability_zone_id = p.string("AvailabilityZoneId").filter(|s| !s.is_empty());
    let tags = p.spec_tags_of("subnet")?;
    Ok(Command::CreateSubnet(NewSubnet {
        vpc_id,
        block: cidr_block
            .map(|t| domain(ipv4_block(t, Field::SubnetIpv4Block)))
            .transpose()?,
        ipv6_block: ipv6_cidr_block
            .map(|t| domain(ipv6_block(t, Field::SubnetIpv6Block)))
            .transpose()?,
        ipv6_native,
        availability_zone,
        availability_zone_id,
        tags,
    }))
}

/// CreateDefaultSubnet: a zone by name or by id (one of them, not both; the model refuses
/// both). IPv6-only default subnets (`Ipv6Native`) are not supported.
fn parse_create_default(p: &Params) -> Result<Command, Ec2Error> {
    if p.bool("Ipv6Native")?.unwrap_or(false) {
        return Err(Ec2Error::new(
            "InvalidParameterValue",
            "IPv6-only default subnets (Ipv6Native) are not supported by this emulator.",
        ));
    }
    let availability_zone = p.string("AvailabilityZone").filter(|s| !s.is_empty());
    let availability_zone_id = p.string("AvailabilityZoneId").filter(|s| !s.is_empty());
    if availability_zone.is_none() && availability_zone_id.is_none() {
        return Err(Ec2Error::missing("AvailabilityZone"));
    }
    Ok(Command::CreateDefaultSubnet {
        availability_zone,
        availability_zone_id,
    })
}

fn describe_subnets(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("SubnetId", FILTERS, "subnetSet");
    describe_page(
        p,
        page,
        |_| tx.list_owned::<Subnet>().collect(),
        |id| tx.subnet(id),
        |f, s| matches(f, &s.tags, |n| field(tx, s, n)),
        x,
        |x, s| render(tx, x, s),
    )
}

/// ModifySubnetAttribute: one attribute per call. Attributes the emulator does not model are
/// accepted only with their default value.
fn parse_modify_attribute(p: &Params) -> Result<Command, Ec2Error> {
    let subnet_id = p.id("SubnetId")?;
    let mut given = Vec::new();
    for (param, attr) in [
        ("MapPublicIpOnLaunch", SubnetAttribute::MapPublicIpOnLaunch),
        (
            "AssignIpv6AddressOnCreation",
            SubnetAttribute::AssignIpv6OnCreation,
        ),
        ("EnableDns64", SubnetAttribute::EnableDns64),
        (
            "EnableResourceNameDnsAAAARecordOnLaunch",
            SubnetAttribute::DnsAaaaOnLaunch,
        ),
    ] {
        if let Some(v) = p.bool(&format!("{param}.Value"))? {
            given.push((Some(attr), v));
        }
    }
    for param in [
        "EnableResourceNameDnsARecordOnLaunch",
        "MapCustomerOwnedIpOnLaunch",
    ] {
        if let Some(v) = p.bool(&format!("{param}.Value"))? {
            if v {
                return Err(Ec2Error::new(
                    "InvalidParameterValue",
                    format!("{param} is not supported by this emulator (only false is accepted)."),
                ));
            }
            given.push((None, v));
        }
    }
    if let Some(v) = p.get("PrivateDnsHostnameTypeOnLaunch") {
        if v != "ip-name" {
            return Err(Ec2Error::invalid_value("PrivateDnsHostnameTypeOnLaunch", v));
        }
        given.push((None, false));
    }
    let (attribute, value) = only_one_attribute(given, "MapPublicIpOnLaunch")?;
    Ok(Command::ModifySubnetAttribute {
        subnet_id,
        attribute,
        value,
    })
}
