//! Elastic IPs: AllocateAddress, AssociateAddress, DisassociateAddress, ReleaseAddress and
//! DescribeAddresses; and the `association` a public address shows on an interface and an
//! instance.
//!
//! Emulator choices (AWS unverified or deliberately narrower):
//! - `Domain` may be `vpc` or absent; `standard` (EC2-Classic, retired) is
//!   `InvalidParameterValue`. `Address` (BYOIP), `PublicIpv4Pool`, `CustomerOwnedIpv4Pool` and
//!   `IpamPoolId` are refused as unsupported; `NetworkBorderGroup` must be the region.
//! - The public address can stand for the allocation where AWS allows it (`PublicIp` in
//!   AssociateAddress, DisassociateAddress and ReleaseAddress): it must be one of the caller's
//!   Elastic IPs (`InvalidAddress.NotFound`).
//! - A public address gets a public DNS name (`ec2-198-18-0-1.compute-1.amazonaws.com`) only in a
//!   VPC with DNS hostnames enabled, as on AWS.

use std::net::Ipv4Addr;

use vpcpeer_model::aws::address::{AssociateAddress, AssociationTarget};
use vpcpeer_model::aws::eip::EipCommand;
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{DomainError, EipProblem, ElasticIp, Kind, NetworkInterface, Tx, Vpc};

fn domain_err(e: DomainError) -> Ec2Error {
    Ec2Error::from(e)
}

use super::{change, describe_page, render_done, unexpected, Action, Page};
use crate::filter::{matches, Filter};
use crate::{Ec2Error, Params, Xml};

/// The Elastic IP actions.
pub(crate) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "AllocateAddress" => change(parse_allocate, render_allocated),
        "AssociateAddress" => Action::Prepared {
            prepare: prepare_associate,
            render: |_, o, x| match o {
                Outcome::AddressAssociated(id) => {
                    x.leaf("return", "true").leaf("associationId", id);
                }
                other => unexpected(&other, x),
            },
        },
        "DisassociateAddress" => Action::Prepared {
            prepare: prepare_disassociate,
            render: render_done,
        },
        "ReleaseAddress" => Action::Prepared {
            prepare: prepare_release,
            render: render_done,
        },
        "DescribeAddresses" => Action::Read(describe_addresses),
        _ => return None,
    })
}

fn unsupported(name: &str) -> Ec2Error {
    Ec2Error::new(
        "InvalidParameterValue",
        format!("The parameter {name} is not supported by this emulator."),
    )
}

fn parse_allocate(p: &Params) -> Result<Command, Ec2Error> {
    match p.get("Domain").filter(|s| !s.is_empty()) {
        None | Some("vpc") => {}
        Some(other) => {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("Invalid value '{other}' for domain. EC2-Classic is retired: only 'vpc' addresses can be allocated."),
            ))
        }
    }
    for name in [
        "Address",
        "PublicIpv4Pool",
        "CustomerOwnedIpv4Pool",
        "IpamPoolId",
    ] {
        if p.get(name).is_some_and(|v| !v.is_empty()) {
            return Err(unsupported(name));
        }
    }
    let tags = p.spec_tags_of("elastic-ip")?;
    Ok(Command::Eip(EipCommand::AllocateAddress { tags }))
}

fn render_allocated(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::AddressAllocated(e) = outcome else {
        return unexpected(&outcome, x);
    };
    x.leaf("publicIp", e.public_ip)
        .leaf("domain", "vpc")
        .leaf("allocationId", &e.id)
        .leaf("publicIpv4Pool", "amazon")
        .leaf("networkBorderGroup", &e.scope.region);
}

/// The caller's Elastic IP with public address `text`.
fn by_public_ip<'a>(tx: &'a Tx<'_, '_>, text: &str) -> Result<&'a ElasticIp, Ec2Error> {
    let not_found = || {
        Ec2Error::from(DomainError::Eip(EipProblem::PublicIpNotFound {
            value: text.to_owned(),
        }))
    };
    let ip: Ipv4Addr = text.parse().map_err(|_| not_found())?;
    tx.list_owned::<ElasticIp>()
        .find(|e| e.public_ip == ip)
        .ok_or_else(not_found)
}

/// The allocation a request names: `AllocationId`, else `PublicIp`.
fn allocation_of(tx: &Tx<'_, '_>, p: &Params) -> Result<String, Ec2Error> {
    if let Some(id) = p.string("AllocationId").filter(|s| !s.is_empty()) {
        return Ok(id);
    }
    match p.get("PublicIp").filter(|s| !s.is_empty()) {
        Some(ip) => Ok(by_public_ip(tx, ip)?.id.clone()),
        None => Err(Ec2Error::missing("AllocationId")),
    }
}

fn prepare_associate(tx: &Tx<'_, '_>, p: &Params) -> Result<Command, Ec2Error> {
    let instance = p.string("InstanceId").filter(|s| !s.is_empty());
    let interface = p.string("NetworkInterfaceId").filter(|s| !s.is_empty());
    let target = match (instance, interface) {
        (Some(i), None) => AssociationTarget::Instance(i),
        (None, Some(e)) => AssociationTarget::Interface(e),
        (Some(_), Some(_)) => {
            return Err(Ec2Error::new(
                "InvalidParameterCombination",
                "The parameter instanceId cannot be used with the parameter networkInterfaceId",
            ))
        }
        (None, None) => return Err(Ec2Error::missing("InstanceId or NetworkInterfaceId")),
    };
    let private_ip = match p.get("PrivateIpAddress").filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(super::instance::launch::ip_value("PrivateIpAddress", s)?),
    };
    let allow_reassociation = p.bool("AllowReassociation")?.unwrap_or(false);
    let allocation_id = allocation_of(tx, p)?;
    Ok(Command::Eip(EipCommand::AssociateAddress(
        AssociateAddress {
            allocation_id,
            target,
            private_ip,
            allow_reassociation,
        },
    )))
}

fn prepare_disassociate(tx: &Tx<'_, '_>, p: &Params) -> Result<Command, Ec2Error> {
    let association_id = match p.string("AssociationId").filter(|s| !s.is_empty()) {
        Some(id) => id,
        None => match p.get("PublicIp").filter(|s| !s.is_empty()) {
            Some(ip) => {
                let e = by_public_ip(tx, ip)?;
                match &e.association {
                    Some(a) => a.id.clone(),
                    None => return Err(domain_err(DomainError::not_found(Kind::Association, ip))),
                }
            }
            None => return Err(Ec2Error::missing("AssociationId")),
        },
    };
    Ok(Command::Eip(EipCommand::DisassociateAddress {
        association_id,
    }))
}

fn prepare_release(tx: &Tx<'_, '_>, p: &Params) -> Result<Command, Ec2Error> {
    if let Some(g) = p.get("NetworkBorderGroup").filter(|s| !s.is_empty()) {
        if g != tx.scope().region {
            return Err(Ec2Error::invalid_value("NetworkBorderGroup", g));
        }
    }
    let allocation_id = allocation_of(tx, p)?;
    Ok(Command::Eip(EipCommand::ReleaseAddress { allocation_id }))
}

const FILTERS: &[&str] = &[
    "allocation-id",
    "association-id",
    "domain",
    "instance-id",
    "network-border-group",
    "network-interface-id",
    "network-interface-owner-id",
    "private-ip-address",
    "public-ip",
];

/// The interface an Elastic IP is associated with.
fn interface_of<'a>(tx: &'a Tx<'_, '_>, e: &ElasticIp) -> Option<&'a NetworkInterface> {
    e.association
        .as_ref()
        .and_then(|a| tx.get::<NetworkInterface>(&a.eni_id))
}

fn field(tx: &Tx<'_, '_>, e: &ElasticIp, name: &str) -> Vec<String> {
    let a = e.association.as_ref();
    let eni = interface_of(tx, e);
    let one = |v: Option<String>| v.into_iter().collect::<Vec<_>>();
    match name {
        "allocation-id" => vec![e.id.clone()],
        "association-id" => one(a.map(|a| a.id.clone())),
        "domain" => vec!["vpc".into()],
        "instance-id" => one(eni
            .and_then(|n| n.attachment.as_ref())
            .map(|t| t.instance_id.clone())),
        "network-border-group" => vec![e.scope.region.clone()],
        "network-interface-id" => one(a.map(|a| a.eni_id.clone())),
        "network-interface-owner-id" => one(eni.map(|n| n.scope.account.clone())),
        "private-ip-address" => one(a.map(|a| a.private_ip.to_string())),
        "public-ip" => vec![e.public_ip.to_string()],
        _ => Vec::new(),
    }
}

/// The `item` of an Elastic IP (inner elements).
fn render_address(tx: &Tx<'_, '_>, x: &mut Xml, e: &ElasticIp) {
    let eni = interface_of(tx, e);
    x.leaf("publicIp", e.public_ip).leaf("allocationId", &e.id);
    if let Some(a) = &e.association {
        x.leaf("associationId", &a.id);
    }
    x.leaf("domain", "vpc");
    if let Some(i) = eni.and_then(|n| n.attachment.as_ref()) {
        x.leaf("instanceId", &i.instance_id);
    }
    if let (Some(a), Some(n)) = (&e.association, eni) {
        x.leaf("networkInterfaceId", &a.eni_id)
            .leaf("networkInterfaceOwnerId", &n.scope.account)
            .leaf("privateIpAddress", a.private_ip)
            .leaf("subnetId", &n.subnet_id);
    }
    x.tags(&e.tags)
        .leaf("publicIpv4Pool", "amazon")
        .leaf("networkBorderGroup", &e.scope.region);
}

fn describe_addresses(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    // `PublicIp.N` narrows like `AllocationId.N`: each must be the caller's.
    let publics = p.list("PublicIp");
    let mut wanted: Vec<&ElasticIp> = Vec::new();
    for ip in &publics {
        wanted.push(by_public_ip(tx, ip)?);
    }
    let page = Page::new("AllocationId", FILTERS, "addressesSet");
    let keep = |f: &[Filter], e: &ElasticIp| {
        (publics.is_empty() || wanted.iter().any(|w| w.id == e.id))
            && matches(f, &e.tags, |n| field(tx, e, n))
    };
    describe_page(
        p,
        page,
        |_| tx.list_owned::<ElasticIp>().collect(),
        |id| tx.elastic_ip(id),
        keep,
        x,
        |x, e| render_address(tx, x, e),
    )
}

/// A public address as an interface or instance shows it.
pub(crate) struct Public<'a> {
    /// The address.
    pub ip: Ipv4Addr,
    /// The Elastic IP it is, if it is one (else Amazon's).
    pub eip: Option<&'a ElasticIp>,
}

/// The public address mapped to `private_ip` of `eni`: an Elastic IP, or (for the primary
/// address) the one Amazon assigned at launch.
pub(crate) fn public_of<'a>(
    tx: &'a Tx<'_, '_>,
    eni: &NetworkInterface,
    private_ip: Ipv4Addr,
) -> Option<Public<'a>> {
    if let Some(e) = tx.elastic_ip_on(&eni.id, private_ip) {
        return Some(Public {
            ip: e.public_ip,
            eip: Some(e),
        });
    }
    (private_ip == eni.private_ip)
        .then_some(eni.public_ip)
        .flatten()
        .map(|ip| Public { ip, eip: None })
}

/// The public DNS name of `ip` in `region`, when the interface's VPC has DNS hostnames.
pub(crate) fn public_dns_name(tx: &Tx<'_, '_>, eni: &NetworkInterface, ip: Ipv4Addr) -> String {
    let hostnames = tx.get::<Vpc>(&eni.vpc_id).is_some_and(|v| v.dns_hostnames);
    if !hostnames {
        return String::new();
    }
    let dashed = ip.to_string().replace('.', "-");
    match eni.scope.region.as_str() {
        "us-east-1" => format!("ec2-{dashed}.compute-1.amazonaws.com"),
        r => format!("ec2-{dashed}.{r}.compute.amazonaws.com"),
    }
}

/// The `association` element of `private_ip` of `eni`, if it has a public address; `full` adds
/// the Elastic IP's ids (the interface's own shape, not the instance's).
pub(crate) fn render_association(
    tx: &Tx<'_, '_>,
    x: &mut Xml,
    eni: &NetworkInterface,
    private_ip: Ipv4Addr,
    full: bool,
) {
    let Some(p) = public_of(tx, eni, private_ip) else {
        return;
    };
    x.node("association", |x| {
        if full {
            if let Some(e) = p.eip {
                x.leaf("allocationId", &e.id);
                if let Some(a) = &e.association {
                    x.leaf("associationId", &a.id);
                }
            }
        }
        let owner = p.eip.map_or("amazon", |e| e.scope.account.as_str());
        x.leaf("ipOwnerId", owner)
            .leaf("publicDnsName", public_dns_name(tx, eni, p.ip))
            .leaf("publicIp", p.ip);
    });
}
