//! One handler per EC2 action, of one of three shapes ([`Action`]):
//! - a **read** (`Describe*`) runs on the world without changing it and writes the body;
//! - a **change** parses its parameters into an [`aws::Command`] (text becomes domain types
//!   here, before the world is touched) and renders the command's [`aws::Outcome`]; the server
//!   hands the command to the emulator, which applies it, logs it and makes it durable;
//! - a **prepared** change first reads the world to build its command (StartNetworkInsightsAnalysis
//!   runs the reach engine, which the model cannot call, and its command carries the result).
//!
//! Handlers write the response body without the envelope.

/// A change whose command is built from required parameters alone, each owned into its field
/// in the order written (so a request missing two names the first): `by_ids!(DeleteVpc { id:
/// "VpcId" } => render_done)`.
macro_rules! by_ids {
    ($variant:ident { $($field:ident: $param:literal),+ $(,)? } => $render:expr) => {
        $crate::actions::Action::Change {
            parse: |p| {
                Ok(vpcpeer_model::aws::Command::$variant {
                    $($field: p.id($param)?),+
                })
            },
            render: $render,
        }
    };
}

mod acl;
mod address;
pub(crate) mod appliance;
mod blocks;
mod catalog;
mod dhcp;
mod endpoints;
mod gateway;
mod insights;
mod instance;
mod interface;
mod ipv6;
mod key_pair;
mod launch_template;
mod peering;
mod permissions;
mod regions;
mod route;
mod security_group;
mod sg_rules;
mod subnet;
mod tags;
mod template_spec;
mod user_data;
mod vpc;
mod vpn;

pub(crate) use vpn::error as vpn_error;

pub(crate) use ipv6::ipv6_problem;
use vpcpeer_model::aws::{Command, Outcome, Owned};
use vpcpeer_model::{Apply, DomainError, Entity, Tx};

use crate::filter::{self, Filter};
use crate::{Ec2Error, Params, Xml};

/// Reads the world to build a prepared change's command.
pub type Prepare = fn(&Tx<'_, '_>, &Params) -> Result<Command, Ec2Error>;

/// A read handler.
pub type Read = fn(&Tx<'_, '_>, &Params, &mut Xml) -> Result<(), Ec2Error>;

/// Parses a change's parameters into its command.
pub type Parse = fn(&Params) -> Result<Command, Ec2Error>;

/// Writes a change's outcome.
pub type Render = fn(&Tx<'_, '_>, Outcome, &mut Xml);

/// How an action runs.
#[derive(Clone, Copy)]
pub enum Action {
    /// A read: changes nothing.
    Read(Read),
    /// A change as a command value.
    Change {
        /// Parameters to command.
        parse: Parse,
        /// Outcome to body.
        render: Render,
    },
    /// A change whose command is built from a read of the world (under the world lock, just
    /// before the command is applied under it again: a change in between is possible, as with
    /// an analysis AWS runs asynchronously).
    Prepared {
        /// Parameters and world to command.
        prepare: Prepare,
        /// Outcome to body.
        render: Render,
    },
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Action::Read(_) => "Read",
            Action::Change { .. } => "Change",
            Action::Prepared { .. } => "Prepared",
        })
    }
}

impl Action {
    /// Runs the action whole on `tx` (parse, apply, render; or the read): for tests and tools
    /// that hold a transaction themselves. The server instead hands a change's command to the
    /// emulator.
    pub fn run(&self, tx: &mut Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
        match self {
            Action::Read(f) => f(tx, p, x),
            Action::Change { parse, render } => {
                let outcome = domain(parse(p)?.apply(tx))?;
                render(tx, outcome, x);
                Ok(())
            }
            Action::Prepared { prepare, render } => {
                let outcome = domain(prepare(tx, p)?.apply(tx))?;
                render(tx, outcome, x);
                Ok(())
            }
        }
    }
}

/// Every EC2 action served, in alphabetical order (STS `GetCallerIdentity` is not one: the
/// server answers it before dispatch). Each has a [`handler`]; tests and fuzzers draw from it.
pub const ACTIONS: &[&str] = &[
    "AcceptVpcPeeringConnection",
    "AllocateAddress",
    "AssignIpv6Addresses",
    "AssignPrivateIpAddresses",
    "AssociateAddress",
    "AssociateDhcpOptions",
    "AssociateRouteTable",
    "AssociateSubnetCidrBlock",
    "AssociateVpcCidrBlock",
    "AttachInternetGateway",
    "AttachNetworkInterface",
    "AttachVpnGateway",
    "AuthorizeSecurityGroupEgress",
    "AuthorizeSecurityGroupIngress",
    "CreateCustomerGateway",
    "CreateDefaultSubnet",
    "CreateDefaultVpc",
    "CreateDhcpOptions",
    "CreateEgressOnlyInternetGateway",
    "CreateInternetGateway",
    "CreateKeyPair",
    "CreateLaunchTemplate",
    "CreateLaunchTemplateVersion",
    "CreateManagedPrefixList",
    "CreateNatGateway",
    "CreateNetworkAcl",
    "CreateNetworkAclEntry",
    "CreateNetworkInsightsPath",
    "CreateNetworkInterface",
    "CreateRoute",
    "CreateRouteTable",
    "CreateSecurityGroup",
    "CreateSubnet",
    "CreateTags",
    "CreateVpc",
    "CreateVpcEndpoint",
    "CreateVpcPeeringConnection",
    "CreateVpnGateway",
    "DeleteCustomerGateway",
    "DeleteDhcpOptions",
    "DeleteEgressOnlyInternetGateway",
    "DeleteInternetGateway",
    "DeleteKeyPair",
    "DeleteLaunchTemplate",
    "DeleteManagedPrefixList",
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
    "DeleteVpcEndpoints",
    "DeleteVpcPeeringConnection",
    "DeleteVpnGateway",
    "DescribeAccountAttributes",
    "DescribeAddresses",
    "DescribeAvailabilityZones",
    "DescribeCustomerGateways",
    "DescribeDhcpOptions",
    "DescribeEgressOnlyInternetGateways",
    "DescribeImages",
    "DescribeInstanceAttribute",
    "DescribeInstanceStatus",
    "DescribeInstanceTypeOfferings",
    "DescribeInstanceTypes",
    "DescribeInstances",
    "DescribeInternetGateways",
    "DescribeKeyPairs",
    "DescribeLaunchTemplateVersions",
    "DescribeLaunchTemplates",
    "DescribeManagedPrefixLists",
    "DescribeNatGateways",
    "DescribeNetworkAcls",
    "DescribeNetworkInsightsAnalyses",
    "DescribeNetworkInsightsPaths",
    "DescribeNetworkInterfaceAttribute",
    "DescribeNetworkInterfaces",
    "DescribePrefixLists",
    "DescribeRegions",
    "DescribeRouteTables",
    "DescribeSecurityGroupReferences",
    "DescribeSecurityGroupRules",
    "DescribeSecurityGroups",
    "DescribeStaleSecurityGroups",
    "DescribeSubnets",
    "DescribeTags",
    "DescribeVpcAttribute",
    "DescribeVpcEndpointServices",
    "DescribeVpcEndpoints",
    "DescribeVpcPeeringConnections",
    "DescribeVpcs",
    "DescribeVpnGateways",
    "DetachInternetGateway",
    "DetachNetworkInterface",
    "DetachVpnGateway",
    "DisableVgwRoutePropagation",
    "DisassociateAddress",
    "DisassociateRouteTable",
    "DisassociateSubnetCidrBlock",
    "DisassociateVpcCidrBlock",
    "EnableVgwRoutePropagation",
    "GetManagedPrefixListEntries",
    "ImportKeyPair",
    "ModifyInstanceAttribute",
    "ModifyManagedPrefixList",
    "ModifyNetworkInterfaceAttribute",
    "ModifySecurityGroupRules",
    "ModifySubnetAttribute",
    "ModifyVpcAttribute",
    "ModifyVpcEndpoint",
    "ModifyVpcPeeringConnectionOptions",
    "RejectVpcPeeringConnection",
    "ReleaseAddress",
    "ReplaceNetworkAclAssociation",
    "ReplaceNetworkAclEntry",
    "ReplaceRoute",
    "ReplaceRouteTableAssociation",
    "ResetNetworkInterfaceAttribute",
    "RevokeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
    "RunInstances",
    "StartInstances",
    "StartNetworkInsightsAnalysis",
    "StopInstances",
    "TerminateInstances",
    "UnassignIpv6Addresses",
    "UnassignPrivateIpAddresses",
    "UpdateSecurityGroupRuleDescriptionsEgress",
    "UpdateSecurityGroupRuleDescriptionsIngress",
];

/// How `action` runs, or `None` for an unknown action (`InvalidAction`).
pub fn handler(action: &str) -> Option<Action> {
    peering::action(action)
        // --- Area 1: VPCs, subnets, route tables and routes, gateways, regions ---
        .or_else(|| vpc::action(action))
        .or_else(|| subnet::action(action))
        .or_else(|| route::action(action))
        .or_else(|| gateway::action(action))
        .or_else(|| regions::action(action))
        .or_else(|| area2_action(action))
        // --- IPv6: egress-only internet gateways, subnet IPv6 blocks ---
        .or_else(|| ipv6::action(action))
        .or_else(|| appliance::action(action))
        // --- Area eip: Elastic IPs and the network interface lifecycle ---
        .or_else(|| address::action(action))
        .or_else(|| interface::action(action))
        // --- VPN gateways, customer gateways, DHCP options, security group rule edits ---
        .or_else(|| vpn::action(action))
        .or_else(|| dhcp::action(action))
        .or_else(|| sg_rules::action(action))
        .or_else(|| endpoints::action(action))
        // --- Catalogue: key pairs, launch templates, instance types, images ---
        .or_else(|| catalog::action(action))
        .or_else(|| key_pair::action(action))
        .or_else(|| launch_template::action(action))
}

pub(crate) use endpoints::endpoint_problem;

/// A change action: its parse and its render (area 2's tables, one line an action).
pub(crate) fn change(parse: Parse, render: Render) -> Action {
    Action::Change { parse, render }
}

/// Renders an outcome that names one id as `<tag>id</tag>`.
pub(crate) fn render_named_id(outcome: Outcome, x: &mut Xml, tag: &str) {
    match outcome {
        Outcome::GroupDeleted(id)
        | Outcome::AclAssociationReplaced(id)
        | Outcome::PathDeleted(id)
        | Outcome::AnalysisDeleted(id) => {
            x.leaf(tag, id);
        }
        other => unexpected(&other, x),
    }
}

/// Area 2: security groups, network ACLs, instances and interfaces, tags, network insights.
fn area2_action(action: &str) -> Option<Action> {
    security_group::action(action)
        .or_else(|| acl::action(action))
        .or_else(|| instance::action(action))
        .or_else(|| tags::action(action))
        .or_else(|| insights::action(action))
}

/// Renders an outcome that shows only success: `<return>true</return>`.
pub(crate) fn render_done(_tx: &Tx<'_, '_>, _outcome: Outcome, x: &mut Xml) {
    x.leaf("return", "true");
}

/// The outcome a renderer did not expect from its own command (a bug): the reply shows only
/// success rather than a half-written body.
pub(crate) fn unexpected(outcome: &Outcome, x: &mut Xml) {
    debug_assert!(false, "unexpected outcome {outcome:?}");
    x.leaf("return", "true");
}

/// The one attribute a `Modify*Attribute` call sets: none given is `MissingParameter` naming
/// `missing`; more than one is `InvalidParameterCombination`.
pub(crate) fn only_one_attribute<T>(given: Vec<T>, missing: &str) -> Result<T, Ec2Error> {
    let mut given = given.into_iter();
    match (given.next(), given.next()) {
        (None, _) => Err(Ec2Error::missing(missing)),
        (Some(one), None) => Ok(one),
        (Some(_), Some(_)) => Err(Ec2Error::new(
            "InvalidParameterCombination",
            "Fields for multiple attribute types specified: only one attribute can be modified per request.",
        )),
    }
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

// --- Area 1: the describe page shared by the Describe* actions of owned records ---

/// The shape of a plain `Describe*` action: its id list parameter, known filters, page bound
/// and result set element.
pub(crate) struct Page<'a> {
    /// The parameter listing explicit ids (`VpcId`).
    pub ids: &'a str,
    /// The filters it knows.
    pub filters: &'a [&'a str],
    /// The smallest `MaxResults` (usually 5).
    pub min: i64,
    /// The largest `MaxResults`.
    pub max: i64,
    /// The element of the result set (`vpcSet`).
    pub set: &'a str,
}

impl<'a> Page<'a> {
    /// A page of `MaxResults` from 5 up to 1000 (the usual bounds).
    pub const fn new(ids: &'a str, filters: &'a [&'a str], set: &'a str) -> Self {
        Page {
            ids,
            filters,
            min: 5,
            max: 1000,
            set,
        }
    }

    /// The same with `MaxResults` from `min`.
    pub const fn min(self, min: i64) -> Self {
        Page { min, ..self }
    }

    /// The same with `MaxResults` up to `max`.
    pub const fn max(self, max: i64) -> Self {
        Page { max, ..self }
    }
}

/// Answers a `Describe*` page: the explicitly requested records (each must exist, else its
/// NotFound) or the candidates (which may use the filters to narrow the search), kept by the
/// filters, paged by id, written as `page.set` with `nextToken`.
pub(crate) fn describe_page<'t, R: Entity>(
    p: &Params,
    page: Page<'_>,
    candidates: impl FnOnce(&[Filter]) -> Vec<&'t R>,
    one: impl Fn(&str) -> Result<&'t R, DomainError>,
    keep: impl Fn(&[Filter], &'t R) -> bool,
    x: &mut Xml,
    render: impl FnMut(&mut Xml, &'t R),
) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, page.filters)?;
    let (limit, token) = filter::paging(p, page.min, page.max)?;
    let ids = p.list(page.ids);
    let items = if ids.is_empty() {
        candidates(&filters)
    } else {
        explicit(&ids, one)?
    };
    let items: Vec<&R> = items.into_iter().filter(|r| keep(&filters, r)).collect();
    let (items, next) = filter::paginate(items, |r| r.id(), limit, token.as_deref());
    x.list(page.set, items, render);
    x.opt_leaf("nextToken", next);
    Ok(())
}

/// [`describe_page`] over the caller's own records of one type (every one a candidate; an
/// explicit id that is not the caller's is NotFound).
pub(crate) fn describe_owned<'t, R: Owned>(
    tx: &'t Tx<'_, '_>,
    p: &Params,
    page: Page<'_>,
    keep: impl Fn(&[Filter], &'t R) -> bool,
    x: &mut Xml,
    render: impl FnMut(&mut Xml, &'t R),
) -> Result<(), Ec2Error> {
    let all = |_: &[Filter]| tx.list_owned::<R>().collect();
    describe_page(p, page, all, |id| tx.owned::<R>(id), keep, x, render)
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
