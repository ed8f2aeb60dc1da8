//! One handler per EC2 action. A handler parses its parameters, runs the model command on the
//! transaction and writes the response body (without the envelope).

mod acl;
mod gateway;
mod insights;
mod instance;
mod peering;
mod regions;
mod route;
mod security_group;
mod subnet;
mod tags;
mod vpc;

use vpcpeer_model::{DomainError, Tx};

use crate::{Ec2Error, Params, Xml};

/// The signature of every action handler.
pub type Handler = fn(&mut Tx<'_, '_>, &Params, &mut Xml) -> Result<(), Ec2Error>;

/// The handler of `action`, or `None` for an unknown action (`InvalidAction`).
pub fn handler(action: &str) -> Option<Handler> {
    core_handler(action)
        .or_else(|| subnet::handler(action))
        .or_else(|| route::handler(action))
        .or_else(|| gateway::handler(action))
        .or_else(|| security_group::handler(action))
        .or_else(|| acl::handler(action))
        .or_else(|| instance::handler(action))
        .or_else(|| tags::handler(action))
        .or_else(|| insights::handler(action))
}

fn core_handler(action: &str) -> Option<Handler> {
    Some(match action {
        // --- VPCs ---
        "CreateVpc" => vpc::create_vpc,
        "DescribeVpcs" => vpc::describe_vpcs,
        "DeleteVpc" => vpc::delete_vpc,
        "AssociateVpcCidrBlock" => vpc::associate_vpc_cidr_block,
        "DisassociateVpcCidrBlock" => vpc::disassociate_vpc_cidr_block,
        "ModifyVpcAttribute" => vpc::modify_vpc_attribute,
        "DescribeVpcAttribute" => vpc::describe_vpc_attribute,
        // --- Peering ---
        "CreateVpcPeeringConnection" => peering::create,
        "AcceptVpcPeeringConnection" => peering::accept,
        "RejectVpcPeeringConnection" => peering::reject,
        "DeleteVpcPeeringConnection" => peering::delete,
        "DescribeVpcPeeringConnections" => peering::describe,
        "ModifyVpcPeeringConnectionOptions" => peering::modify_options,
        // --- Regions and zones ---
        "DescribeRegions" => regions::describe_regions,
        "DescribeAvailabilityZones" => regions::describe_availability_zones,
        _ => return None,
    })
}

/// Writes `<return>true</return>`.
pub(crate) fn ok_return(x: &mut Xml) -> Result<(), Ec2Error> {
    x.leaf("return", "true");
    Ok(())
}

/// Adapts a domain result.
pub(crate) fn domain<T>(r: Result<T, DomainError>) -> Result<T, Ec2Error> {
    r.map_err(Ec2Error::from)
}

/// Resolves explicitly requested ids: each must exist (visible to the caller), else NotFound.
pub(crate) fn explicit<'a, T>(
    ids: &[String],
    lookup: impl Fn(&str) -> Result<&'a T, DomainError>,
) -> Result<Vec<&'a T>, Ec2Error> {
    let mut seen = std::collections::BTreeSet::new();
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .map(|id| domain(lookup(id)))
        .collect()
}
