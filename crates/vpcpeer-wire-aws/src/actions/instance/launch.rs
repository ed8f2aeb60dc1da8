//! RunInstances parameters: counts, image, the network interfaces (`NetworkInterface.N`, with
//! `PrivateIpAddresses.M`, `SecondaryPrivateIpAddressCount`, `Ipv6AddressCount`,
//! `Ipv6Addresses.M` and `NetworkInterfaceId`), the instance-level addresses and the tag
//! specifications, parsed into the model's [`RunInstances`].

use std::net::{Ipv4Addr, Ipv6Addr};

use vpcpeer_model::aws::instance::{NicSpec, RunInstances, MAX_INSTANCES_PER_LAUNCH};
use vpcpeer_model::aws::tags::check_request_tags;
use vpcpeer_model::aws::Command;
use vpcpeer_model::Tags;

use crate::params::untaggable;
use crate::{Ec2Error, Params};

fn count(p: &Params, name: &str) -> Result<i64, Ec2Error> {
    p.required(name)?;
    p.int(name)?.ok_or_else(|| Ec2Error::missing(name))
}

fn ip_param(p: &Params, name: &str) -> Result<Option<Ipv4Addr>, Ec2Error> {
    match p.get(name).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            Ec2Error::new(
                "InvalidParameterValue",
                format!(
                    "Value ({s}) for parameter {name} is invalid. {s} is not a valid IPv4 address."
                ),
            )
        }),
    }
}

fn unsupported(name: &str) -> Ec2Error {
    Ec2Error::new(
        "InvalidParameterValue",
        format!("The parameter {name} is not supported by this emulator."),
    )
}

/// An IPv6 address parameter (`InvalidParameterValue` when it does not parse).
pub(crate) fn ip6_value(name: &str, s: &str) -> Result<Ipv6Addr, Ec2Error> {
    s.parse().map_err(|_| {
        Ec2Error::new(
            "InvalidParameterValue",
            format!(
                "Value ({s}) for parameter {name} is invalid. {s} is not a valid IPv6 address."
            ),
        )
    })
}

/// An IPv4 address parameter (`InvalidParameterValue` when it does not parse).
pub(crate) fn ip_value(name: &str, s: &str) -> Result<Ipv4Addr, Ec2Error> {
    s.parse().map_err(|_| {
        Ec2Error::new(
            "InvalidParameterValue",
            format!(
                "Value ({s}) for parameter {name} is invalid. {s} is not a valid IPv4 address."
            ),
        )
    })
}

/// A count parameter between 0 and `max` (absent: 0).
pub(crate) fn small_count(p: &Params, name: &str, max: i64) -> Result<u32, Ec2Error> {
    match p.int(name)? {
        None => Ok(0),
        Some(c) if (0..=max).contains(&c) => Ok(c as u32),
        Some(c) => Err(Ec2Error::invalid_value(name, &c.to_string())),
    }
}

/// The private addresses of a `PrivateIpAddress` and a `PrivateIpAddresses.N` list (members
/// `PrivateIpAddress`, `Primary`): the primary (at most one) and the secondaries.
pub(crate) fn private_ip_list(
    p: &Params,
    list: &str,
) -> Result<(Option<Ipv4Addr>, Vec<Ipv4Addr>), Ec2Error> {
    let mut primary = ip_param(p, "PrivateIpAddress")?;
    let mut secondary = Vec::new();
    for item in p.structs(list) {
        let Some(text) = item.get("PrivateIpAddress").filter(|s| !s.is_empty()) else {
            return Err(Ec2Error::missing(&format!("{list}.N.PrivateIpAddress")));
        };
        let ip = ip_value(&format!("{list}.N.PrivateIpAddress"), text)?;
        if item.bool("Primary")?.unwrap_or(false) {
            match primary {
                Some(other) if other != ip => {
                    return Err(Ec2Error::new(
                        "InvalidParameterValue",
                        "Only one primary private IP address can be specified.",
                    ))
                }
                _ => primary = Some(ip),
            }
        } else if Some(ip) != primary && !secondary.contains(&ip) {
            secondary.push(ip);
        }
    }
    Ok((primary, secondary))
}

/// The IPv6 addresses of a list of structures with an `Ipv6Address` member.
pub(crate) fn ipv6_list(p: &Params, list: &str) -> Result<Vec<Ipv6Addr>, Ec2Error> {
    p.structs(list)
        .iter()
        .filter_map(|i| i.get("Ipv6Address").filter(|s| !s.is_empty()))
        .map(|s| ip6_value(&format!("{list}.N.Ipv6Address"), s))
        .collect()
}

pub(in crate::actions) fn nic_spec(n: &Params) -> Result<NicSpec, Ec2Error> {
    for name in ["NetworkCardIndex", "InterfaceType"] {
        if n.get(name).is_some_and(|v| !v.is_empty() && v != "0") {
            return Err(unsupported(&format!("NetworkInterface.N.{name}")));
        }
    }
    for name in ["Ipv4Prefix", "Ipv6Prefix"] {
        if !n.structs(name).is_empty() {
            return Err(unsupported(&format!("NetworkInterface.N.{name}")));
        }
    }
    let device_index = match n.int("DeviceIndex")? {
        None => {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                "Each network interface requires a device index.",
            ))
        }
        Some(i) if !(0..=31).contains(&i) => {
            return Err(Ec2Error::invalid_value(
                "NetworkInterface.N.DeviceIndex",
                &i.to_string(),
            ))
        }
        Some(i) => i as u32,
    };
    let secondary_count = match n.int("SecondaryPrivateIpAddressCount")? {
        None => 0,
        Some(c) if (0..=49).contains(&c) => c as u32,
        Some(c) => {
            return Err(Ec2Error::invalid_value(
                "NetworkInterface.N.SecondaryPrivateIpAddressCount",
                &c.to_string(),
            ))
        }
    };
    let ipv6_count = small_count(n, "Ipv6AddressCount", 50).map_err(|_| {
        Ec2Error::invalid_value(
            "NetworkInterface.N.Ipv6AddressCount",
            n.get("Ipv6AddressCount").unwrap_or_default(),
        )
    })?;
    let ipv6_addresses = ipv6_list(n, "Ipv6Addresses")?;
    if ipv6_count > 0 && !ipv6_addresses.is_empty() {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameters Ipv6AddressCount and Ipv6Addresses cannot be used together.",
        ));
    }
    let (private_ip, secondary_ips) = private_ip_list(n, "PrivateIpAddresses")?;
    let network_interface_id = n.string("NetworkInterfaceId").filter(|s| !s.is_empty());
    // An existing interface is kept when its instance terminates, unless told otherwise.
    let delete_default = network_interface_id.is_none();
    Ok(NicSpec {
        device_index,
        subnet_id: n.string("SubnetId").filter(|s| !s.is_empty()),
        security_group_ids: n.list("SecurityGroupId"),
        private_ip,
        secondary_count,
        delete_on_termination: n.bool("DeleteOnTermination")?.unwrap_or(delete_default),
        associate_public_ip: n.bool("AssociatePublicIpAddress")?,
        description: n.string("Description"),
        secondary_ips,
        ipv6_count,
        ipv6_addresses,
        network_interface_id,
    })
}

/// Tags of `TagSpecification.N` for instances and for interfaces, each set checked as CreateTags
/// checks them ([`check_request_tags`]; the quota when the command runs); other types are
/// refused.
pub(in crate::actions) fn launch_tags(p: &Params) -> Result<(Tags, Tags), Ec2Error> {
    let mut instance = Vec::new();
    let mut eni = Vec::new();
    for spec in p.structs("TagSpecification") {
        let rt = spec.get("ResourceType").unwrap_or_default();
        let target = match rt {
            "instance" => &mut instance,
            "network-interface" => &mut eni,
            _ => return Err(untaggable(rt)),
        };
        spec.spec_tags(target)?;
    }
    let valid = |pairs: &[(String, String)]| {
        check_request_tags(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    };
    Ok((valid(&instance)?, valid(&eni)?))
}

pub(super) fn check_image(id: &str) -> Result<(), Ec2Error> {
    let ok = id
        .strip_prefix("ami-")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(Ec2Error::new(
            "InvalidAMIID.Malformed",
            format!("Invalid id: \"{id}\" (expecting \"ami-...\")"),
        ))
    }
}

/// RunInstances, checked in this order before the world is read: the counts, the image, the
/// interfaces, the group/subnet combination, unsupported parameters, the tag specifications, the
/// private address and the user data (base64, at most 16 KB decoded: `user_data.rs`). The tag quota, subnets, groups and addresses are checked when the
/// command runs.
pub(super) fn parse_run(p: &Params) -> Result<Command, Ec2Error> {
    let min_count = count(p, "MinCount")?;
    let max_count = count(p, "MaxCount")?;
    if min_count > MAX_INSTANCES_PER_LAUNCH {
        return Err(Ec2Error::new(
            "InstanceLimitExceeded",
            format!(
                "You have requested more instances ({min_count}) than your current instance limit of {MAX_INSTANCES_PER_LAUNCH} allows for the specified instance type."
            ),
        ));
    }
    // With a launch template, the image may come from it (see `template_spec::spec`).
    let launch_template = crate::actions::template_spec::spec(p)?;
    let image_id = match (
        p.string("ImageId").filter(|s| !s.is_empty()),
        &launch_template,
    ) {
        (Some(image), _) => image,
        (None, Some(_)) => String::new(),
        (None, None) => return Err(Ec2Error::missing("ImageId")),
    };
    if !image_id.is_empty() {
        check_image(&image_id)?;
    }
    let nics = p
        .structs("NetworkInterface")
        .iter()
        .map(nic_spec)
        .collect::<Result<Vec<_>, _>>()?;
    let subnet_id = p.string("SubnetId").filter(|s| !s.is_empty());
    let has_subnet = subnet_id.is_some() || nics.iter().any(|n| n.subnet_id.is_some());
    if !p.list("SecurityGroup").is_empty() && has_subnet {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameter groupName cannot be used with the parameter subnet",
        ));
    }
    if p.get("SecondaryPrivateIpAddressCount")
        .is_some_and(|v| !v.is_empty() && v != "0")
    {
        return Err(unsupported("SecondaryPrivateIpAddressCount"));
    }
    let ipv6_count = small_count(p, "Ipv6AddressCount", 50)?;
    let ipv6_addresses = ipv6_list(p, "Ipv6Address")?;
    if ipv6_count > 0 && !ipv6_addresses.is_empty() {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameters Ipv6AddressCount and Ipv6Addresses cannot be used together.",
        ));
    }
    let (instance_tags, eni_tags) = launch_tags(p)?;
    let input = RunInstances {
        min_count,
        max_count,
        image_id,
        instance_type: p.string("InstanceType").filter(|s| !s.is_empty()),
        subnet_id,
        availability_zone: p
            .string("Placement.AvailabilityZone")
            .filter(|s| !s.is_empty()),
        private_ip: ip_param(p, "PrivateIpAddress")?,
        security_group_ids: p.list("SecurityGroupId"),
        security_group_names: p.list("SecurityGroup"),
        network_interfaces: nics,
        instance_tags,
        eni_tags,
        client_token: p.string("ClientToken").filter(|s| !s.is_empty()),
        ipv6_count,
        ipv6_addresses,
        key_name: p.string("KeyName").filter(|s| !s.is_empty()),
        launch_template,
        user_data: crate::actions::user_data::param(p, "UserData")?,
    };
    Ok(Command::RunInstances(Box::new(input)))
}
