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

/// Every EC2 action served, in alphabetical order (STS `GetCallerIdentity` is not one: the
/// server answers it before dispatch). Each has a [`handler`]; tests and fuzzers draw from it.
pub const ACTIONS: &[&str] = &[
    "AcceptVpcPeeringConnection",
    "AssociateRouteTable",
    "AssociateVpcCidrBlock",
    "AttachInternetGateway",
    "AuthorizeSecurityGroupEgress",
    "AuthorizeSecurityGroupIngress",
    "CreateInternetGateway",
    "CreateNatGateway",
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "CreateNetworkInsightsPath",
    "CreateRoute",
    "CreateRouteTable",
    "CreateSecurityGroup",
    "CreateSubnet",
    "CreateTags",
    "CreateVpc",
    "CreateVpcPeeringConnection",
    "DeleteInternetGateway",
    "DeleteNatGateway",
    "DeleteNetworkAcl",
    "DeleteNetworkAclEntry",
    "DeleteNetworkInsightsAnalysis",
    "DeleteNetworkInsightsPath",
    "DeleteNetworkInterface",
    "DeleteRoute",
    "DeleteRouteTable",
    "DeleteSecurityGroup",
    "DeleteSubnet",
    "DeleteTags",
    "DeleteVpc",
    "DeleteVpcPeeringConnection",
    "DescribeAvailabilityZones",
    "DescribeInstances",
    "DescribeInternetGateways",
    "DescribeNatGateways",
    "DescribeNetworkAcls",
    "DescribeNetworkInsightsAnalyses",
    "DescribeNetworkInsightsPaths",
    "DescribeNetworkInterfaces",
    "DescribeRegions",
    "DescribeRouteTables",
    "DescribeSecurityGroupReferences",
    "DescribeSecurityGroupRules",
    "DescribeSecurityGroups",
    "DescribeStaleSecurityGroups",
    "DescribeSubnets",
    "DescribeTags",
    "DescribeVpcAttribute",
    "DescribeVpcPeeringConnections",
    "DescribeVpcs",
    "DetachInternetGateway",
    "DisassociateRouteTable",
    "DisassociateVpcCidrBlock",
    "ModifySubnetAttribute",
    "ModifyVpcAttribute",
    "ModifyVpcPeeringConnectionOptions",
    "RejectVpcPeeringConnection",
    "ReplaceNetworkAclAssociation",
    "ReplaceNetworkAclEntry",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "RevokeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RunInstances",
    "StartNetworkInsightsAnalysis",
    "TerminateInstances",
];

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_action_has_a_handler_and_the_list_is_sorted() {
        for a in ACTIONS {
            assert!(handler(a).is_some(), "{a} is listed but has no handler");
        }
        assert!(
            ACTIONS.windows(2).all(|w| w[0] < w[1]),
            "ACTIONS is not sorted"
        );
        assert!(handler("GetCallerIdentity").is_none());
    }
}
