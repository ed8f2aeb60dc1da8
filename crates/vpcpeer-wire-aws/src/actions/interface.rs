//! The network interface lifecycle: CreateNetworkInterface, AttachNetworkInterface,
//! DetachNetworkInterface, AssignPrivateIpAddresses, UnassignPrivateIpAddresses,
//! AssignIpv6Addresses and UnassignIpv6Addresses (DescribeNetworkInterfaces and
//! DeleteNetworkInterface are with the instances).
//!
//! Emulator choices: prefixes (`Ipv4Prefix…`, `Ipv6Prefix…`), `InterfaceType` (efa, trunk),
//! `NetworkCardIndex` and ENA options are refused as unsupported; `DetachNetworkInterface`'s
//! `Force` is accepted and changes nothing; `ClientToken` is echoed, not honoured.

use vpcpeer_model::aws::eip::EipCommand;
use vpcpeer_model::aws::interface::{AssignIpv6, AssignPrivate, NewInterface};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{NetworkInterface, Tx};

use super::instance::eni_item;
use super::instance::launch::{ip6_value, ip_value, ipv6_list, private_ip_list, small_count};
use super::{change, render_done, unexpected, Action};
use crate::{Ec2Error, Params, Xml};

/// The interface lifecycle actions.
pub(crate) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateNetworkInterface" => change(parse_create, render_created),
        "AttachNetworkInterface" => change(parse_attach, |_, o, x| match o {
            Outcome::InterfaceAttached(id) => {
                x.leaf("attachmentId", id).leaf("networkCardIndex", 0);
            }
            other => unexpected(&other, x),
        }),
        "DetachNetworkInterface" => change(
            |p| {
                p.bool("Force")?;
                Ok(Command::Eip(EipCommand::DetachNetworkInterface {
                    attachment_id: p.id("AttachmentId")?,
                }))
            },
            render_done,
        ),
        "AssignPrivateIpAddresses" => change(parse_assign_private, |_, o, x| match o {
            Outcome::PrivateIpsAssigned {
                interface_id,
                addresses,
            } => {
                x.leaf("return", "true")
                    .leaf("networkInterfaceId", interface_id)
                    .list("assignedPrivateIpAddressesSet", addresses, |x, a| {
                        x.leaf("privateIpAddress", a);
                    });
            }
            other => unexpected(&other, x),
        }),
        "UnassignPrivateIpAddresses" => change(
            |p| {
                refuse_prefixes(p)?;
                let interface_id = p.id("NetworkInterfaceId")?;
                let addresses = addresses(p, "PrivateIpAddress")?;
                Ok(Command::Eip(EipCommand::UnassignPrivateIps {
                    interface_id,
                    addresses,
                }))
            },
            render_done,
        ),
        "AssignIpv6Addresses" => change(parse_assign_ipv6, |_, o, x| match o {
            Outcome::Ipv6Assigned {
                interface_id,
                addresses,
            } => {
                x.scalar_list("assignedIpv6Addresses", addresses);
                x.leaf("networkInterfaceId", interface_id);
            }
            other => unexpected(&other, x),
        }),
        "UnassignIpv6Addresses" => change(
            |p| {
                refuse_prefixes(p)?;
                let interface_id = p.id("NetworkInterfaceId")?;
                let addresses = addresses6(p, "Ipv6Addresses")?;
                Ok(Command::Eip(EipCommand::UnassignIpv6 {
                    interface_id,
                    addresses,
                }))
            },
            |_, o, x| match o {
                Outcome::Ipv6Unassigned {
                    interface_id,
                    addresses,
                } => {
                    x.leaf("networkInterfaceId", interface_id);
                    x.scalar_list("unassignedIpv6Addresses", addresses);
                }
                other => unexpected(&other, x),
            },
        ),
        _ => return None,
    })
}

fn unsupported(name: &str) -> Ec2Error {
    Ec2Error::new(
        "InvalidParameterValue",
        format!("The parameter {name} is not supported by this emulator."),
    )
}

fn refuse_prefixes(p: &Params) -> Result<(), Ec2Error> {
    for name in ["Ipv4Prefix", "Ipv6Prefix"] {
        if !p.list(name).is_empty() || !p.structs(name).is_empty() {
            return Err(unsupported(name));
        }
    }
    for name in ["Ipv4PrefixCount", "Ipv6PrefixCount"] {
        if p.get(name).is_some_and(|v| !v.is_empty() && v != "0") {
            return Err(unsupported(name));
        }
    }
    Ok(())
}

/// IPv4 addresses of a `<name>.N` list.
fn addresses(p: &Params, name: &str) -> Result<Vec<std::net::Ipv4Addr>, Ec2Error> {
    p.list(name).iter().map(|s| ip_value(name, s)).collect()
}

/// IPv6 addresses of a `<name>.N` list.
fn addresses6(p: &Params, name: &str) -> Result<Vec<std::net::Ipv6Addr>, Ec2Error> {
    p.list(name).iter().map(|s| ip6_value(name, s)).collect()
}

/// An optional count `name` of 1 to `max` (0 and more than `max` are refused).
fn count_of(p: &Params, name: &str, max: i64) -> Result<Option<u32>, Ec2Error> {
    match p.int(name)? {
        None => Ok(None),
        Some(c) if (1..=max).contains(&c) => Ok(Some(c as u32)),
        Some(c) => Err(Ec2Error::invalid_value(name, &c.to_string())),
    }
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    refuse_prefixes(p)?;
    for name in ["InterfaceType", "Operator.Principal"] {
        if p.get(name)
            .is_some_and(|v| !v.is_empty() && v != "interface")
        {
            return Err(unsupported(name));
        }
    }
    let subnet_id = p.id("SubnetId")?;
    let (private_ip, secondary_ips) = private_ip_list(p, "PrivateIpAddresses")?;
    let secondary_count = small_count(p, "SecondaryPrivateIpAddressCount", 49)?;
    let ipv6_count = small_count(p, "Ipv6AddressCount", 50)?;
    let ipv6_addresses = ipv6_list(p, "Ipv6Addresses")?;
    if ipv6_count > 0 && !ipv6_addresses.is_empty() {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameters Ipv6AddressCount and Ipv6Addresses cannot be used together.",
        ));
    }
    let description = p.string("Description");
    if let Some(d) = &description {
        if d.chars().count() > 255 {
            return Err(Ec2Error::invalid_value("Description", d));
        }
    }
    let tags = p.spec_tags_of("network-interface")?;
    Ok(Command::Eip(EipCommand::CreateNetworkInterface(
        NewInterface {
            subnet_id,
            private_ip,
            secondary_ips,
            secondary_count,
            ipv6_addresses,
            ipv6_count,
            groups: p.list("SecurityGroupId"),
            description,
            tags,
        },
    )))
}

fn render_created(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::InterfaceCreated(id) = outcome else {
        return unexpected(&outcome, x);
    };
    if let Some(e) = tx.get::<NetworkInterface>(&id) {
        x.node("networkInterface", |x| eni_item(tx, x, e, true));
    }
}

fn parse_attach(p: &Params) -> Result<Command, Ec2Error> {
    if p.get("NetworkCardIndex")
        .is_some_and(|v| !v.is_empty() && v != "0")
    {
        return Err(unsupported("NetworkCardIndex"));
    }
    let interface_id = p.id("NetworkInterfaceId")?;
    let instance_id = p.id("InstanceId")?;
    p.required("DeviceIndex")?;
    let device_index = match p.int("DeviceIndex")? {
        Some(i) if (0..=31).contains(&i) => i as u32,
        Some(i) => return Err(Ec2Error::invalid_value("DeviceIndex", &i.to_string())),
        None => return Err(Ec2Error::missing("DeviceIndex")),
    };
    Ok(Command::Eip(EipCommand::AttachNetworkInterface {
        interface_id,
        instance_id,
        device_index,
    }))
}

fn parse_assign_private(p: &Params) -> Result<Command, Ec2Error> {
    refuse_prefixes(p)?;
    let interface_id = p.id("NetworkInterfaceId")?;
    let addresses = addresses(p, "PrivateIpAddress")?;
    let count = count_of(p, "SecondaryPrivateIpAddressCount", 49)?;
    Ok(Command::Eip(EipCommand::AssignPrivateIps(AssignPrivate {
        interface_id,
        addresses,
        count,
        allow_reassignment: p.bool("AllowReassignment")?.unwrap_or(false),
    })))
}

fn parse_assign_ipv6(p: &Params) -> Result<Command, Ec2Error> {
    refuse_prefixes(p)?;
    let interface_id = p.id("NetworkInterfaceId")?;
    let addresses = addresses6(p, "Ipv6Addresses")?;
    let count = count_of(p, "Ipv6AddressCount", 50)?;
    Ok(Command::Eip(EipCommand::AssignIpv6(AssignIpv6 {
        interface_id,
        addresses,
        count,
    })))
}
