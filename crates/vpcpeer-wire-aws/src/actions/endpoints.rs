//! VPC endpoints and managed prefix lists (issue 11): the action table of the area, and the EC2
//! wording of its refusals ([`endpoint_problem`]). The actions live in
//! [`prefix_lists`](self::prefix_lists) and [`vpce`](self::vpce).
//!
//! Error codes where AWS's exact answer is unverified [UNVERIFIED]: a version mismatch answers
//! `PrefixListVersionMismatch`; an entry change that cannot apply (a block given twice, removed
//! but absent, more entries than `MaxEntries`, an AWS-managed list) `InvalidPrefixListModification`;
//! a referenced list's delete `DependencyViolation`; a route an endpoint manages, changed by
//! hand, `InvalidParameterValue`; a policy that is not a JSON object `InvalidPolicyDocument`.
//! Known AWS answers kept: `InvalidServiceName`, `RouteAlreadyExists` for a table already
//! routed to the service, `DuplicateSubnetsInSameZone`, `InvalidParameter` for route tables on
//! an interface endpoint (and subnets or groups on a gateway one).

mod prefix_lists;
mod vpce;

use vpcpeer_model::EndpointProblem as P;

use super::Action;
use crate::messages::Words;

/// The actions of the area.
pub(super) fn action(name: &str) -> Option<Action> {
    prefix_lists::action(name).or_else(|| vpce::action(name))
}

/// EC2's code and message for a refusal of the area.
pub(crate) fn endpoint_problem(p: &P) -> Words {
    let invalid = "InvalidParameterValue";
    let modification = "InvalidPrefixListModification";
    match p {
        P::AddressFamily { value } => (
            invalid,
            format!("The address family '{value}' is invalid: use IPv4 or IPv6."),
        ),
        P::MaxEntries { value } => (
            invalid,
            format!("Value ({value}) for parameter maxEntries is invalid. It must be between 1 and 1000."),
        ),
        P::ListName { name } => (
            invalid,
            format!("The prefix list name '{name}' is invalid: it must be 1 to 255 characters and may not start with 'com.amazonaws'."),
        ),
        P::EntryCidr { cidr } => (
            invalid,
            format!("The CIDR '{cidr}' is invalid for this prefix list."),
        ),
        P::DuplicateEntry { cidr } => (
            modification,
            format!("The prefix list entry {cidr} is specified more than once or already exists."),
        ),
        P::EntryNotFound { cidr } => (
            modification,
            format!("The prefix list entry {cidr} does not exist."),
        ),
        P::TooManyEntries {
            prefix_list_id,
            max_entries,
        } if prefix_list_id.is_empty() => (
            invalid,
            format!("The number of entries exceeds the maximum number of entries ({max_entries})."),
        ),
        P::TooManyEntries {
            prefix_list_id,
            max_entries,
        } => (
            modification,
            format!("The prefix list {prefix_list_id} would exceed its maximum number of entries ({max_entries})."),
        ),
        P::MaxEntriesBelowEntries {
            prefix_list_id,
            entries,
        } => (
            invalid,
            format!("The maximum number of entries of {prefix_list_id} cannot be less than its current number of entries ({entries})."),
        ),
        P::VersionMismatch {
            prefix_list_id,
            given,
            current,
        } => (
            "PrefixListVersionMismatch",
            format!("The prefix list {prefix_list_id} has version {current}, not the version {given} given."),
        ),
        P::VersionNotFound {
            prefix_list_id,
            version,
        } => (
            invalid,
            format!("The prefix list {prefix_list_id} has no version {version}."),
        ),
        P::EntriesWithMaxEntries => (
            "InvalidParameterCombination",
            "The maximum number of entries cannot be changed in the same request as the entries.".into(),
        ),
        P::AwsManaged { prefix_list_id } => (
            modification,
            format!("The prefix list {prefix_list_id} is managed by AWS and cannot be changed."),
        ),
        P::ListInUse {
            prefix_list_id,
            referencing_id,
        } => (
            "DependencyViolation",
            format!("The prefix list {prefix_list_id} is referenced by {referencing_id} and cannot be deleted."),
        ),
        P::UnknownService { name } => (
            "InvalidServiceName",
            format!("The Vpc Endpoint Service '{name}' does not exist"),
        ),
        P::EndpointType { value } => (
            invalid,
            format!("Value ({value}) for parameter vpcEndpointType is invalid."),
        ),
        P::UnsupportedType { value } => (
            invalid,
            format!("VPC endpoints of type {value} are not supported by this emulator; use Gateway or Interface."),
        ),
        P::TypeNotOffered {
            name,
            endpoint_type,
        } => (
            invalid,
            format!("The Vpc Endpoint Service '{name}' does not support endpoint type {}.", endpoint_type.name()),
        ),
        P::WrongTypeParameter {
            endpoint_type,
            what,
        } => (
            "InvalidParameter",
            format!(
                "{} are not supported for {} type VPC Endpoint.",
                capitalised(what),
                endpoint_type.name()
            ),
        ),
        P::RouteTableTaken {
            route_table_id,
            endpoint_id,
        } => (
            "RouteAlreadyExists",
            format!("route table {route_table_id} already has a route to the service's prefix list (through {endpoint_id})"),
        ),
        P::SubnetZoneTaken { subnet_id, zone } => (
            "DuplicateSubnetsInSameZone",
            format!("Found another VPC endpoint subnet in the availability zone ({zone}) of {subnet_id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service."),
        ),
        P::NotInVpc { id, vpc_id } => (
            "InvalidParameter",
            format!("{id} does not belong to {vpc_id}."),
        ),
        P::ManagedRoute {
            route_table_id,
            endpoint_id,
        } => (
            invalid,
            format!("The route in {route_table_id} is managed by the VPC endpoint {endpoint_id}; change it with ModifyVpcEndpoint."),
        ),
        P::Policy => (
            "InvalidPolicyDocument",
            "The policy document is not a valid JSON object.".into(),
        ),
        P::PolicyAndReset => (
            "InvalidParameterCombination",
            "PolicyDocument cannot be given with ResetPolicy.".into(),
        ),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
