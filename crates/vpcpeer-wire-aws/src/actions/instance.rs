//! RunInstances, DescribeInstances, TerminateInstances, DescribeNetworkInterfaces and
//! DeleteNetworkInterface (to remove interfaces kept with `DeleteOnTermination=false`).
//!
//! Emulator choices (AWS unverified or deliberately narrower):
//! - Any `ami-<alphanumerics>` image id is accepted; there is no AMI catalogue.
//! - `SecurityGroup.N` (group names) is refused with `InvalidParameterCombination` when a subnet
//!   is given, as AWS does for non-default VPCs; without a subnet the names are the default
//!   VPC's groups, and the launch goes to a default subnet (of `Placement.AvailabilityZone` when
//!   given; see the model's `default_vpc`).
//! - `NetworkInterface.N.InterfaceType`, `NetworkCardIndex` and prefixes are not supported
//!   (`InvalidParameterValue`); existing interfaces, address lists and IPv6 addresses are
//!   (`instance/launch.rs`).
//! - A public IPv4 address shows as `ipAddress` (and `dnsName` in a VPC with DNS hostnames)
//!   and in each interface's `association`: an Elastic IP on the primary address, else the one
//!   Amazon assigned at launch.
//! - Terminated instances show no subnet, VPC, addresses, interfaces or groups, like AWS after the
//!   interfaces are released [unverified detail].
//! - The reservation's own `groupSet` is empty (VPC launches), the instance's lists its groups.

use std::net::Ipv4Addr;

use vpcpeer_model::aws::instance::client_token_of;
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{DomainError, Instance, InstanceState, NetworkInterface, SecurityGroup, Tx};

pub(super) mod launch;

pub(super) use launch::{launch_tags, nic_spec};

use super::address::{public_dns_name, public_of, render_association};
use super::{change, explicit, render_done, unexpected, Action};
use crate::filter::{self, matches, paginate};
use crate::render::iso;
use crate::{Ec2Error, Params, Xml};

/// The instance and network interface actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "RunInstances" => change(launch::parse_run, render_run),
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
    "ip-address",
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
    "addresses.association.owner-id",
    "addresses.association.public-ip",
    "addresses.private-ip-address",
    "addresses.primary",
    "association.allocation-id",
    "association.association-id",
    "association.ip-owner-id",
    "association.public-dns-name",
    "association.public-ip",
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
    "ipv6-addresses.ipv6-address",
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

pub(super) fn state_xml(x: &mut Xml, tag: &str, s: InstanceState) {
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

pub(super) fn group_set(tx: &Tx<'_, '_>, x: &mut Xml, groups: &[String]) {
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
    let public = primary.and_then(|e| public_of(tx, e, e.private_ip).map(|p| (e, p.ip)));
    x.leaf(
        "privateDnsName",
        primary
            .map(|e| private_dns_name(e.private_ip, region))
            .unwrap_or_default(),
    )
    .leaf(
        "dnsName",
        public
            .map(|(e, ip)| public_dns_name(tx, e, ip))
            .unwrap_or_default(),
    );
    // `StateTransitionReason`: when the user terminated or stopped it, on the emulator's clock.
    let stopped = i.stopped.filter(|_| i.state == InstanceState::Stopped);
    if let Some(t) = i.terminated.filter(|_| terminated).or(stopped) {
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
        x.leaf("privateIpAddress", e.private_ip);
        x.opt_leaf("ipAddress", public.map(|(_, ip)| ip));
        x.leaf("sourceDestCheck", e.source_dest_check);
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
pub(super) fn eni_item(tx: &Tx<'_, '_>, x: &mut Xml, e: &NetworkInterface, full: bool) {
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
    render_association(tx, x, e, e.private_ip, full);
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
        render_association(tx, x, e, a, full);
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
        "ip-address" => enis
            .first()
            .and_then(|e| public_of(tx, e, e.private_ip))
            .map(|p| p.ip.to_string())
            .into_iter()
            .collect(),
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
        "addresses.association.public-ip" => std::iter::once(e.private_ip)
            .chain(e.secondary_ips.iter().copied())
            .filter_map(|ip| public_of(tx, e, ip).map(|p| p.ip.to_string()))
            .collect(),
        "addresses.association.owner-id" => std::iter::once(e.private_ip)
            .chain(e.secondary_ips.iter().copied())
            .filter_map(|ip| public_of(tx, e, ip))
            .map(|p| {
                p.eip
                    .map_or("amazon".to_owned(), |x| x.scope.account.clone())
            })
            .collect(),
        "association.public-ip" => public_of(tx, e, e.private_ip)
            .map(|p| p.ip.to_string())
            .into_iter()
            .collect(),
        "association.public-dns-name" => public_of(tx, e, e.private_ip)
            .map(|p| public_dns_name(tx, e, p.ip))
            .into_iter()
            .collect(),
        "association.ip-owner-id" => public_of(tx, e, e.private_ip)
            .map(|p| {
                p.eip
                    .map_or("amazon".to_owned(), |x| x.scope.account.clone())
            })
            .into_iter()
            .collect(),
        "association.allocation-id" => public_of(tx, e, e.private_ip)
            .and_then(|p| p.eip.map(|x| x.id.clone()))
            .into_iter()
            .collect(),
        "association.association-id" => public_of(tx, e, e.private_ip)
            .and_then(|p| {
                p.eip
                    .and_then(|x| x.association.as_ref().map(|a| a.id.clone()))
            })
            .into_iter()
            .collect(),
        "ipv6-addresses.ipv6-address" => e.ipv6.iter().map(ToString::to_string).collect(),
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
    use super::launch::{check_image, nic_spec};
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
                "DeviceIndex=0&InterfaceType=efa",
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
