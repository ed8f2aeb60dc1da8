//! RunInstances, DescribeInstances, TerminateInstances, DescribeNetworkInterfaces and
//! DeleteNetworkInterface (to remove interfaces kept with `DeleteOnTermination=false`).
//!
//! Emulator choices (AWS unverified or deliberately narrower):
//! - Any `ami-<alphanumerics>` image id is accepted; there is no AMI catalogue.
//! - `SecurityGroup.N` (group names) is refused with `InvalidParameterCombination` when a subnet
//!   is given, as AWS does for non-default VPCs; without a subnet the names are the default
//!   VPC's groups, and the launch goes to a default subnet (of `Placement.AvailabilityZone` when
//!   given; see the model's `default_vpc`).
//! - `NetworkInterface.N.NetworkInterfaceId`, IPv6 addresses and `PrivateIpAddresses.M` are not
//!   supported (`InvalidParameterValue`).
//! - Terminated instances show no subnet, VPC, addresses, interfaces or groups, like AWS after the
//!   interfaces are released [unverified detail].
//! - The reservation's own `groupSet` is empty (VPC launches), the instance's lists its groups.

use std::net::Ipv4Addr;

use vpcpeer_model::aws::instance::{
    client_token_of, NicSpec, RunInstances, MAX_INSTANCES_PER_LAUNCH,
};
use vpcpeer_model::aws::tags::check_request_tags;
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{
    DomainError, Instance, InstanceState, NetworkInterface, SecurityGroup, Tags, Tx,
};

use super::{change, explicit, render_done, unexpected, Action};
use crate::filter::{self, matches, paginate};
use crate::params::untaggable;
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The instance and network interface actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "RunInstances" => change(parse_run, render_run),
        "TerminateInstances" => change(
            |p| {
                let ids = p.list("InstanceId");
                Ok(Command::TerminateInstances { ids })
            },
            render_terminated,
        ),
        "DeleteNetworkInterface" => {
            by_ids!(DeleteNetworkInterface { id: "NetworkInterfaceId" } => render_done)
        }
        "DescribeInstances" => Action::Read(describe_instances),
        "DescribeNetworkInterfaces" => Action::Read(describe_network_interfaces),
        _ => return None,
    })
}

const INSTANCE_FILTERS: &[&str] = &[
    "ami-launch-index",
    "availability-zone",
    "client-token",
    "group-id",
    "group-name",
    "image-id",
    "instance-id",
    "instance-state-code",
    "instance-state-name",
    "instance-type",
    "instance.group-id",
    "instance.group-name",
    "key-name",
    "network-interface.network-interface-id",
    "network-interface.private-ip-address",
    "network-interface.subnet-id",
    "network-interface.vpc-id",
    "owner-id",
    "placement.availability-zone",
    "private-dns-name",
    "private-ip-address",
    "reservation-id",
    "subnet-id",
    "tenancy",
    "vpc-id",
];

const ENI_FILTERS: &[&str] = &[
    "addresses.private-ip-address",
    "addresses.primary",
    "attachment.attachment-id",
    "attachment.delete-on-termination",
    "attachment.device-index",
    "attachment.instance-id",
    "attachment.instance-owner-id",
    "attachment.status",
    "availability-zone",
    "description",
    "group-id",
    "group-name",
    "interface-type",
    "mac-address",
    "network-interface-id",
    "owner-id",
    "private-dns-name",
    "private-ip-address",
    "requester-managed",
    "source-dest-check",
    "status",
    "subnet-id",
    "vpc-id",
];

/// EC2's code and name of an instance state.
pub fn state_code_name(s: InstanceState) -> (u16, &'static str) {
    match s {
        InstanceState::Pending => (0, "pending"),
        InstanceState::Running => (16, "running"),
        InstanceState::ShuttingDown => (32, "shutting-down"),
        InstanceState::Terminated => (48, "terminated"),
        InstanceState::Stopping => (64, "stopping"),
        InstanceState::Stopped => (80, "stopped"),
    }
}

fn state_xml(x: &mut Xml, tag: &str, s: InstanceState) {
    let (code, name) = state_code_name(s);
    x.node(tag, |x| {
        x.leaf("code", code).leaf("name", name);
    });
}

/// The private DNS name of an address: `ip-10-0-1-5.ec2.internal` in us-east-1,
/// `ip-10-0-1-5.<region>.compute.internal` elsewhere.
pub fn private_dns_name(ip: Ipv4Addr, region: &str) -> String {
    let dashed = ip.to_string().replace('.', "-");
    if region == "us-east-1" {
        format!("ip-{dashed}.ec2.internal")
    } else {
        format!("ip-{dashed}.{region}.compute.internal")
    }
}

// ---------------------------------------------------------------------------------------------
// RunInstances

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

pub(super) fn nic_spec(n: &Params) -> Result<NicSpec, Ec2Error> {
    for name in [
        "NetworkInterfaceId",
        "Ipv6AddressCount",
        "NetworkCardIndex",
        "InterfaceType",
    ] {
        if n.get(name).is_some_and(|v| !v.is_empty() && v != "0") {
            return Err(unsupported(&format!("NetworkInterface.N.{name}")));
        }
    }
    for name in [
        "Ipv6Addresses",
        "PrivateIpAddresses",
        "Ipv4Prefix",
        "Ipv6Prefix",
    ] {
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
    Ok(NicSpec {
        device_index,
        subnet_id: n.string("SubnetId").filter(|s| !s.is_empty()),
        security_group_ids: n.list("SecurityGroupId"),
        private_ip: ip_param(n, "PrivateIpAddress")?,
        secondary_count,
        delete_on_termination: n.bool("DeleteOnTermination")?.unwrap_or(true),
        associate_public_ip: n.bool("AssociatePublicIpAddress")?,
        description: n.string("Description"),
    })
}

/// Tags of `TagSpecification.N` for instances and for interfaces, each set checked as CreateTags
/// checks them ([`check_request_tags`]; the quota when the command runs); other types are
/// refused.
pub(super) fn launch_tags(p: &Params) -> Result<(Tags, Tags), Ec2Error> {
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

fn check_image(id: &str) -> Result<(), Ec2Error> {
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
/// interfaces, the group/subnet combination, unsupported parameters, the tag specifications and
/// the private address. The tag quota, subnets, groups and addresses are checked when the
/// command runs.
fn parse_run(p: &Params) -> Result<Command, Ec2Error> {
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
    let launch_template = super::template_spec::spec(p)?;
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
    for name in ["Ipv6AddressCount", "SecondaryPrivateIpAddressCount"] {
        if p.get(name).is_some_and(|v| !v.is_empty() && v != "0") {
            return Err(unsupported(name));
        }
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
        key_name: p.string("KeyName").filter(|s| !s.is_empty()),
        launch_template,
    };
    Ok(Command::RunInstances(Box::new(input)))
}

fn render_run(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::Launched(launch) = outcome else {
        return unexpected(&outcome, x);
    };
    let instances: Vec<&Instance> = launch
        .instance_ids
        .iter()
        .filter_map(|id| tx.get::<Instance>(id))
        .collect();
    let owner = tx.scope().account.clone();
    x.leaf("reservationId", &launch.reservation_id)
        .leaf("ownerId", &owner)
        .node("groupSet", |_| {});
    x.list("instancesSet", instances, |x, i| {
        let shown = if launch.new {
            InstanceState::Pending
        } else {
            i.state
        };
        instance_item(tx, x, i, shown);
    });
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn group_set(tx: &Tx<'_, '_>, x: &mut Xml, groups: &[String]) {
    x.list("groupSet", groups, |x, g| {
        x.leaf("groupId", g);
        x.opt_leaf(
            "groupName",
            tx.get::<SecurityGroup>(g).map(|sg| sg.name.as_str()),
        );
    });
}

fn interfaces_of<'a>(tx: &'a Tx<'_, '_>, i: &Instance) -> Vec<&'a NetworkInterface> {
    i.eni_ids
        .iter()
        .filter_map(|id| tx.get::<NetworkInterface>(id))
        .collect()
}

fn instance_groups(enis: &[&NetworkInterface]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in enis {
        for g in &e.groups {
            if !out.contains(g) {
                out.push(g.clone());
            }
        }
    }
    out
}

/// The `item` of an instance (inner elements), showing `shown` as its state.
fn instance_item(tx: &Tx<'_, '_>, x: &mut Xml, i: &Instance, shown: InstanceState) {
    let region = i.scope.region.as_str();
    let enis = interfaces_of(tx, i);
    let primary = enis.first().copied();
    let terminated = i.state == InstanceState::Terminated;
    x.leaf("instanceId", &i.id).leaf("imageId", &i.image_id);
    state_xml(x, "instanceState", shown);
    x.leaf(
        "privateDnsName",
        primary
            .map(|e| private_dns_name(e.private_ip, region))
            .unwrap_or_default(),
    )
    .leaf("dnsName", "");
    if let Some(t) = i.terminated.filter(|_| terminated) {
        let when = iso(t);
        let when = when.get(..19).unwrap_or(&when).replace('T', " ");
        x.leaf("reason", format!("User initiated ({when} GMT)"));
    } else {
        x.leaf("reason", "");
    }
    x.opt_leaf("keyName", i.key_name.as_deref());
    x.leaf("amiLaunchIndex", i.launch_index)
        .node("productCodes", |_| {})
        .leaf("instanceType", &i.instance_type)
        .leaf("launchTime", iso(i.launch_time))
        .node("placement", |x| {
            x.leaf("availabilityZone", &i.availability_zone)
                .leaf("groupName", "")
                .leaf("tenancy", tx.instance_tenancy(i));
        })
        .node("monitoring", |x| {
            x.leaf("state", "disabled");
        });
    if !terminated {
        x.leaf("subnetId", &i.subnet_id).leaf("vpcId", &i.vpc_id);
    }
    if let Some(e) = primary {
        x.leaf("privateIpAddress", e.private_ip)
            .leaf("sourceDestCheck", e.source_dest_check);
    }
    group_set(tx, x, &instance_groups(&enis));
    match shown {
        InstanceState::Pending => {
            x.node("stateReason", |x| {
                x.leaf("code", "pending").leaf("message", "pending");
            });
        }
        InstanceState::ShuttingDown | InstanceState::Terminated => {
            x.node("stateReason", |x| {
                x.leaf("code", "Client.UserInitiatedShutdown").leaf(
                    "message",
                    "Client.UserInitiatedShutdown: User initiated shutdown",
                );
            });
        }
        _ => {}
    }
    x.leaf("architecture", "x86_64")
        .leaf("rootDeviceType", "ebs")
        .leaf("rootDeviceName", "/dev/xvda")
        .node("blockDeviceMapping", |_| {})
        .leaf("virtualizationType", "hvm")
        .opt_leaf("clientToken", client_token_of(i))
        .tags(&i.tags)
        .leaf("hypervisor", "xen");
    x.list("networkInterfaceSet", enis, |x, e| {
        eni_item(tx, x, e, false)
    });
    x.leaf("ebsOptimized", false).leaf("enaSupport", true);
}

fn eni_status(e: &NetworkInterface) -> &'static str {
    if e.attachment.is_some() || requester_managed(e) {
        "in-use"
    } else {
        "available"
    }
}

fn requester_managed(e: &NetworkInterface) -> bool {
    e.interface_type != "interface"
}

/// The `item` of an interface (inner elements); `full` adds what DescribeNetworkInterfaces shows
/// beyond the instance's `networkInterfaceSet`.
fn eni_item(tx: &Tx<'_, '_>, x: &mut Xml, e: &NetworkInterface, full: bool) {
    let region = e.scope.region.as_str();
    x.leaf("networkInterfaceId", &e.id)
        .leaf("subnetId", &e.subnet_id)
        .leaf("vpcId", &e.vpc_id);
    if full {
        x.leaf("availabilityZone", &e.availability_zone);
    }
    x.leaf("description", &e.description)
        .leaf("ownerId", &e.scope.account);
    if full {
        x.leaf("requesterManaged", requester_managed(e));
    }
    x.leaf("status", eni_status(e))
        .leaf("macAddress", &e.mac)
        .leaf("privateIpAddress", e.private_ip)
        .leaf("privateDnsName", private_dns_name(e.private_ip, region))
        .leaf("sourceDestCheck", e.source_dest_check);
    group_set(tx, x, &e.groups);
    if let Some(a) = &e.attachment {
        x.node("attachment", |x| {
            x.leaf("attachmentId", &a.id);
            if full {
                x.leaf("instanceId", &a.instance_id)
                    .leaf("instanceOwnerId", &e.scope.account);
            }
            x.leaf("deviceIndex", a.device_index)
                .leaf("status", "attached")
                .leaf("attachTime", iso(a.attach_time))
                .leaf("deleteOnTermination", a.delete_on_termination)
                .leaf("networkCardIndex", 0);
        });
    }
    let addrs =
        std::iter::once((e.private_ip, true)).chain(e.secondary_ips.iter().map(|a| (*a, false)));
    x.list("privateIpAddressesSet", addrs, |x, (a, primary)| {
        x.leaf("privateIpAddress", a)
            .leaf("privateDnsName", private_dns_name(a, region))
            .leaf("primary", primary);
    });
    x.list("ipv6AddressesSet", &e.ipv6, |x, a| {
        x.leaf("ipv6Address", a);
    });
    x.leaf("interfaceType", &e.interface_type);
    if full {
        x.tags(&e.tags);
    }
}

// ---------------------------------------------------------------------------------------------
// DescribeInstances

fn instance_field(tx: &Tx<'_, '_>, i: &Instance, name: &str) -> Vec<String> {
    let enis = interfaces_of(tx, i);
    let live = i.state != InstanceState::Terminated;
    let (code, state_name) = state_code_name(i.state);
    let groups = instance_groups(&enis);
    let group_names = || {
        groups
            .iter()
            .filter_map(|g| tx.get::<SecurityGroup>(g).map(|sg| sg.name.clone()))
            .collect()
    };
    match name {
        "ami-launch-index" => vec![i.launch_index.to_string()],
        "availability-zone" | "placement.availability-zone" => vec![i.availability_zone.clone()],
        "client-token" => client_token_of(i).map(str::to_owned).into_iter().collect(),
        "group-id" | "instance.group-id" => groups.clone(),
        "group-name" | "instance.group-name" => group_names(),
        "image-id" => vec![i.image_id.clone()],
        "instance-id" => vec![i.id.clone()],
        "instance-state-code" => vec![code.to_string()],
        "instance-state-name" => vec![state_name.to_owned()],
        "instance-type" => vec![i.instance_type.clone()],
        "key-name" => i.key_name.clone().into_iter().collect(),
        "network-interface.network-interface-id" => enis.iter().map(|e| e.id.clone()).collect(),
        "network-interface.private-ip-address" => enis
            .iter()
            .flat_map(|e| std::iter::once(e.private_ip).chain(e.secondary_ips.iter().copied()))
            .map(|a| a.to_string())
            .collect(),
        "network-interface.subnet-id" => enis.iter().map(|e| e.subnet_id.clone()).collect(),
        "network-interface.vpc-id" => enis.iter().map(|e| e.vpc_id.clone()).collect(),
        "owner-id" => vec![i.scope.account.clone()],
        "private-dns-name" => enis
            .first()
            .map(|e| private_dns_name(e.private_ip, &i.scope.region))
            .into_iter()
            .collect(),
        "private-ip-address" => enis
            .first()
            .map(|e| e.private_ip.to_string())
            .into_iter()
            .collect(),
        "reservation-id" => vec![i.reservation_id.clone()],
        "subnet-id" if live => vec![i.subnet_id.clone()],
        "tenancy" => vec![tx.instance_tenancy(i)],
        "vpc-id" if live => vec![i.vpc_id.clone()],
        _ => Vec::new(),
    }
}

/// What a describe lists: every item `all` gives, or the requested `ids` (each must exist), in
/// id order without repeats, kept by `keep`.
fn listed<'a, T>(
    ids: &[String],
    all: impl FnOnce() -> Vec<&'a T>,
    one: impl Fn(&str) -> Result<&'a T, DomainError>,
    id: fn(&T) -> &str,
    keep: impl Fn(&T) -> bool,
) -> Result<Vec<&'a T>, Ec2Error> {
    let mut items = if ids.is_empty() {
        all()
    } else {
        explicit(ids, one)?
    };
    items.sort_by(|a, b| id(a).cmp(id(b)));
    items.dedup_by(|a, b| id(a) == id(b));
    items.retain(|i| keep(i));
    Ok(items)
}

fn describe_instances(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, INSTANCE_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("InstanceId");
    if !ids.is_empty() && limit.is_some() {
        return Err(Ec2Error::new(
            "InvalidParameterCombination",
            "The parameter instancesSet cannot be used with the parameter maxResults",
        ));
    }
    let items = listed(
        &ids,
        || tx.visible_instances().collect(),
        |id| tx.visible_instance(id),
        |i| &i.id,
        |i| matches(&filters, &i.tags, |n| instance_field(tx, i, n)),
    )?;
    let (page, next) = paginate(items, |i| &i.id, limit, token.as_deref());
    // Group the page by reservation, in order of first appearance.
    let mut reservations: Vec<(&str, Vec<&Instance>)> = Vec::new();
    for i in page {
        match reservations
            .iter_mut()
            .find(|(r, _)| *r == i.reservation_id)
        {
            Some((_, v)) => v.push(i),
            None => reservations.push((&i.reservation_id, vec![i])),
        }
    }
    let owner = tx.scope().account.clone();
    x.list("reservationSet", reservations, |x, (rid, instances)| {
        x.leaf("reservationId", rid)
            .leaf("ownerId", &owner)
            .node("groupSet", |_| {});
        x.list("instancesSet", instances, |x, i| {
            instance_item(tx, x, i, i.state)
        });
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// TerminateInstances

fn render_terminated(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::InstancesTerminated(changes) = outcome else {
        return unexpected(&outcome, x);
    };
    x.list("instancesSet", changes, |x, (id, previous, current)| {
        x.leaf("instanceId", id);
        state_xml(x, "currentState", current);
        state_xml(x, "previousState", previous);
    });
}

// ---------------------------------------------------------------------------------------------
// DescribeNetworkInterfaces

fn eni_field(tx: &Tx<'_, '_>, e: &NetworkInterface, name: &str) -> Vec<String> {
    let a = e.attachment.as_ref();
    let all_ips = || {
        std::iter::once(e.private_ip)
            .chain(e.secondary_ips.iter().copied())
            .map(|a| a.to_string())
            .collect()
    };
    match name {
        "addresses.private-ip-address" | "private-ip-address" => all_ips(),
        "addresses.primary" => {
            let mut v = vec!["true".to_owned()];
            if !e.secondary_ips.is_empty() {
                v.push("false".into());
            }
            v
        }
        "attachment.attachment-id" => a.map(|a| a.id.clone()).into_iter().collect(),
        "attachment.delete-on-termination" => a
            .map(|a| a.delete_on_termination.to_string())
            .into_iter()
            .collect(),
        "attachment.device-index" => a.map(|a| a.device_index.to_string()).into_iter().collect(),
        "attachment.instance-id" => a.map(|a| a.instance_id.clone()).into_iter().collect(),
        "attachment.instance-owner-id" => a.map(|_| e.scope.account.clone()).into_iter().collect(),
        "attachment.status" => a.map(|_| "attached".to_owned()).into_iter().collect(),
        "availability-zone" => vec![e.availability_zone.clone()],
        "description" => vec![e.description.clone()],
        "group-id" => e.groups.clone(),
        "group-name" => e
            .groups
            .iter()
            .filter_map(|g| tx.get::<SecurityGroup>(g).map(|sg| sg.name.clone()))
            .collect(),
        "interface-type" => vec![e.interface_type.clone()],
        "mac-address" => vec![e.mac.clone()],
        "network-interface-id" => vec![e.id.clone()],
        "owner-id" => vec![e.scope.account.clone()],
        "private-dns-name" => vec![private_dns_name(e.private_ip, &e.scope.region)],
        "requester-managed" => vec![requester_managed(e).to_string()],
        "source-dest-check" => vec![e.source_dest_check.to_string()],
        "status" => vec![eni_status(e).to_owned()],
        "subnet-id" => vec![e.subnet_id.clone()],
        "vpc-id" => vec![e.vpc_id.clone()],
        _ => Vec::new(),
    }
}

fn describe_network_interfaces(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, ENI_FILTERS)?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let ids = p.list("NetworkInterfaceId");
    let items = listed(
        &ids,
        || tx.list_owned::<NetworkInterface>().collect(),
        |id| tx.network_interface(id),
        |e| &e.id,
        |e| matches(&filters, &e.tags, |n| eni_field(tx, e, n)),
    )?;
    let (page, next) = paginate(items, |e| &e.id, limit, token.as_deref());
    x.list("networkInterfaceSet", page, |x, e| eni_item(tx, x, e, true));
    x.opt_leaf("nextToken", next);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names_by_region() {
        let ip: Ipv4Addr = "10.0.1.5".parse().unwrap();
        let cases = [
            ("us-east-1", "ip-10-0-1-5.ec2.internal"),
            ("eu-west-1", "ip-10-0-1-5.eu-west-1.compute.internal"),
        ];
        for (region, want) in cases {
            assert_eq!(private_dns_name(ip, region), want);
        }
    }

    #[test]
    fn image_ids() {
        let cases = [
            ("ami-1", true),
            ("ami-0123456789abcdef0", true),
            ("ami-", false),
            ("ami-x y", false),
            ("img-1234", false),
            ("", false),
        ];
        for (id, ok) in cases {
            assert_eq!(check_image(id).is_ok(), ok, "{id}");
        }
    }

    #[test]
    fn nic_specs() {
        type Want = Result<(u32, bool), &'static str>;
        let cases: [(&str, Want); 5] = [
            ("DeviceIndex=0&SubnetId=subnet-1", Ok((0, true))),
            ("DeviceIndex=1&DeleteOnTermination=false", Ok((1, false))),
            ("SubnetId=subnet-1", Err("InvalidParameterValue")),
            ("DeviceIndex=x", Err("InvalidParameterValue")),
            (
                "DeviceIndex=0&NetworkInterfaceId=eni-1",
                Err("InvalidParameterValue"),
            ),
        ];
        for (q, want) in cases {
            let p = Params::parse(q, b"");
            match (nic_spec(&p), want) {
                (Ok(n), Ok((i, dot))) => {
                    assert_eq!((n.device_index, n.delete_on_termination), (i, dot), "{q}")
                }
                (Err(e), Err(c)) => assert_eq!(e.code, c, "{q}"),
                (got, want) => panic!("{q}: got {got:?}, want {want:?}"),
            }
        }
    }
}
