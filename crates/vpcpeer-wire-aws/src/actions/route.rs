//! Route tables (Create/Describe/Delete, Associate/Disassociate/ReplaceRouteTableAssociation)
//! and routes (Create/Replace/DeleteRoute). Route `state` is derived when rendered
//! ([`vpcpeer_model::aws::route::table_route_state`]), never stored.

use vpcpeer_model::aws::route::{
    check_destination, table_route_state, AssocRequest, RouteSpec, RouteState,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{
    Destination, DomainError, Field, Kind, PrefixListId, Route, RouteOrigin, RouteProblem,
    RouteTable, RouteTarget, RtAssocTarget, RtAssociation, Tx,
};

use super::blocks::{ipv4_block, ipv6_block};
use super::{describe_page, domain, render_done, unexpected, Action, Page};
use crate::filter::{self, matches_each, Filter};
use crate::{Ec2Error, Params, Xml};

/// The route table and route actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateRouteTable" => Action::Change {
            parse: |p| {
                Ok(Command::CreateRouteTable {
                    vpc_id: p.id("VpcId")?,
                    tags: p.spec_tags_of("route-table")?,
                    client_token: p.string("ClientToken").filter(|s| !s.is_empty()),
                })
            },
            render: render_created_table,
        },
        "DescribeRouteTables" => Action::Read(describe_route_tables),
        "DeleteRouteTable" => by_ids!(DeleteRouteTable { id: "RouteTableId" } => render_done),
        "AssociateRouteTable" => Action::Change {
            parse: parse_associate,
            render: |_, o, x| render_association(o, x, "associationId"),
        },
        "DisassociateRouteTable" => by_ids!(
            DisassociateRouteTable { association_id: "AssociationId" } => render_done
        ),
        "ReplaceRouteTableAssociation" => by_ids!(
            ReplaceRouteTableAssociation {
                association_id: "AssociationId",
                table_id: "RouteTableId",
            } => |_, o, x| render_association(o, x, "newAssociationId")
        ),
        "CreateRoute" => Action::Change {
            parse: |p| Ok(Command::CreateRoute(domain(route_input(p, false)?.spec())?)),
            render: render_done,
        },
        "ReplaceRoute" => Action::Change {
            parse: |p| Ok(Command::ReplaceRoute(domain(route_input(p, true)?.spec())?)),
            render: render_done,
        },
        "DeleteRoute" => Action::Change {
            parse: |p| {
                let input = route_input(p, false)?;
                Ok(Command::DeleteRoute {
                    destination: domain(input.destination())?,
                    route_table_id: input.route_table_id,
                })
            },
            render: render_done,
        },
        _ => return None,
    })
}

const FILTERS: &[&str] = &[
    "association.route-table-association-id",
    "association.route-table-id",
    "association.subnet-id",
    "association.gateway-id",
    "association.main",
    "owner-id",
    "route-table-id",
    "route.destination-cidr-block",
    "route.destination-ipv6-cidr-block",
    "route.destination-prefix-list-id",
    "route.gateway-id",
    "route.instance-id",
    "route.nat-gateway-id",
    "route.network-interface-id",
    "route.transit-gateway-id",
    "route.egress-only-internet-gateway-id",
    "route.origin",
    "route.state",
    "route.vpc-peering-connection-id",
    "vpc-id",
];

fn state_name(s: RouteState) -> &'static str {
    match s {
        RouteState::Active => "active",
        RouteState::Blackhole => "blackhole",
    }
}

fn origin_name(o: RouteOrigin) -> &'static str {
    match o {
        RouteOrigin::CreateRouteTable => "CreateRouteTable",
        RouteOrigin::CreateRoute => "CreateRoute",
    }
}

/// The `gatewayId` EC2 shows for a route, if any.
fn gateway_id(t: &RouteTarget) -> Option<&str> {
    match t {
        RouteTarget::Local => Some("local"),
        RouteTarget::Gateway(g) | RouteTarget::VpcEndpoint(g) => Some(g),
        _ => None,
    }
}

fn route_field(tx: &Tx<'_, '_>, t: &RouteTable, r: &Route, name: &str) -> Option<String> {
    let s = |v: &str| Some(v.to_owned());
    match (name, &r.target) {
        ("route.destination-cidr-block", _) => match r.destination {
            Destination::V4(n) => Some(n.to_string()),
            _ => None,
        },
        ("route.destination-ipv6-cidr-block", _) => match r.destination {
            Destination::V6(n) => Some(n.to_string()),
            _ => None,
        },
        ("route.destination-prefix-list-id", _) => r.destination.prefix_list().map(str::to_owned),
        ("route.gateway-id", t) => gateway_id(t).map(str::to_owned),
        ("route.instance-id", RouteTarget::Instance(i)) => s(i),
        ("route.instance-id", RouteTarget::NetworkInterface(e)) => tx
            .world()
            .aws
            .network_interfaces()
            .get(e)
            .and_then(|e| e.attachment.as_ref())
            .map(|a| a.instance_id.clone()),
        ("route.nat-gateway-id", RouteTarget::NatGateway(n)) => s(n),
        ("route.network-interface-id", RouteTarget::NetworkInterface(e)) => s(e),
        ("route.network-interface-id", RouteTarget::Instance(i)) => tx
            .world()
            .aws
            .instances()
            .get(i)
            .and_then(|i| i.eni_ids.first().cloned()),
        ("route.transit-gateway-id", RouteTarget::TransitGateway(g)) => s(g),
        ("route.egress-only-internet-gateway-id", RouteTarget::EgressOnlyInternetGateway(g)) => {
            s(g)
        }
        ("route.vpc-peering-connection-id", RouteTarget::Peering(p)) => s(p),
        ("route.origin", _) => s(origin_name(r.origin)),
        ("route.state", _) => s(state_name(table_route_state(tx.world(), t, r, tx.now()))),
        _ => None,
    }
}

fn assoc_field(a: &RtAssociation, table: &RouteTable, name: &str) -> Option<String> {
    match (name, &a.target) {
        ("association.route-table-association-id", _) => Some(a.id.clone()),
        ("association.route-table-id", _) => Some(table.id.clone()),
        ("association.subnet-id", RtAssocTarget::Subnet(s)) => Some(s.clone()),
        ("association.gateway-id", RtAssocTarget::Gateway(g)) => Some(g.clone()),
        ("association.main", t) => Some((*t == RtAssocTarget::Main).to_string()),
        _ => None,
    }
}

fn field(tx: &Tx<'_, '_>, t: &RouteTable, name: &str) -> Vec<String> {
    match name {
        "owner-id" => vec![t.scope.account.clone()],
        "route-table-id" => vec![t.id.clone()],
        "vpc-id" => vec![t.vpc_id.clone()],
        n if n.starts_with("route.") => t
            .routes
            .iter()
            .filter_map(|r| route_field(tx, t, r, n))
            .collect(),
        n if n.starts_with("association.") => t
            .associations
            .iter()
            .filter_map(|a| assoc_field(a, t, n))
            .collect(),
        _ => Vec::new(),
    }
}

/// Offers `t`'s values for filter `name` to `test` (see [`filter::matches_each`]); the common
/// ones without allocating.
fn field_each(
    tx: &Tx<'_, '_>,
    t: &RouteTable,
    name: &str,
    test: &mut dyn FnMut(&str) -> bool,
) -> bool {
    match name {
        "owner-id" => test(&t.scope.account),
        "route-table-id" => test(&t.id),
        "vpc-id" => test(&t.vpc_id),
        "route.vpc-peering-connection-id" => t
            .routes
            .iter()
            .any(|r| matches!(&r.target, RouteTarget::Peering(p) if test(p))),
        "association.subnet-id" => t
            .associations
            .iter()
            .any(|a| matches!(&a.target, RtAssocTarget::Subnet(s) if test(s))),
        _ => field(tx, t, name).iter().any(|v| test(v)),
    }
}

fn render_route(tx: &Tx<'_, '_>, x: &mut Xml, t: &RouteTable, r: &Route) {
    match r.destination {
        Destination::V4(n) => x.leaf("destinationCidrBlock", n),
        Destination::V6(n) => x.leaf("destinationIpv6CidrBlock", n),
        Destination::PrefixList(p) => x.leaf("destinationPrefixListId", p),
    };
    let w = tx.world();
    match &r.target {
        RouteTarget::Local | RouteTarget::Gateway(_) | RouteTarget::VpcEndpoint(_) => {
            x.opt_leaf("gatewayId", gateway_id(&r.target));
        }
        RouteTarget::Peering(p) => {
            x.leaf("vpcPeeringConnectionId", p);
        }
        RouteTarget::NatGateway(n) => {
            x.leaf("natGatewayId", n);
        }
        RouteTarget::Instance(i) => {
            x.leaf("instanceId", i);
            if let Some(inst) = w.aws.instances().get(i) {
                x.leaf("instanceOwnerId", &inst.scope.account);
                x.opt_leaf("networkInterfaceId", inst.eni_ids.first());
            }
        }
        RouteTarget::NetworkInterface(e) => {
            if let Some(eni) = w.aws.network_interfaces().get(e) {
                if let Some(a) = &eni.attachment {
                    x.leaf("instanceId", &a.instance_id)
                        .leaf("instanceOwnerId", &eni.scope.account);
                }
            }
            x.leaf("networkInterfaceId", e);
        }
        RouteTarget::TransitGateway(g) => {
            x.leaf("transitGatewayId", g);
        }
        RouteTarget::EgressOnlyInternetGateway(g) => {
            x.leaf("egressOnlyInternetGatewayId", g);
        }
    }
    x.leaf("origin", origin_name(r.origin))
        .leaf("state", state_name(table_route_state(w, t, r, tx.now())));
}

fn render_assoc(x: &mut Xml, t: &RouteTable, a: &RtAssociation) {
    x.leaf("routeTableAssociationId", &a.id)
        .leaf("routeTableId", &t.id);
    match &a.target {
        RtAssocTarget::Main => {}
        RtAssocTarget::Subnet(s) => {
            x.leaf("subnetId", s);
        }
        RtAssocTarget::Gateway(g) => {
            x.leaf("gatewayId", g);
        }
    }
    x.leaf("main", a.target == RtAssocTarget::Main)
        .node("associationState", |x| {
            x.leaf("state", "associated");
        });
}

/// The `routeTable` shape (inner elements).
fn render(tx: &Tx<'_, '_>, x: &mut Xml, t: &RouteTable) {
    x.leaf("routeTableId", &t.id)
        .leaf("vpcId", &t.vpc_id)
        .leaf("ownerId", &t.scope.account)
        .list("routeSet", t.routes.iter(), |x, r| {
            render_route(tx, x, t, r)
        })
        .list("associationSet", t.associations.iter(), |x, a| {
            render_assoc(x, t, a)
        })
        .list("propagatingVgwSet", tx.propagating_vgws(&t.id), |x, g| {
            x.leaf("gatewayId", &g.id);
        })
        .tags(&t.tags);
}

fn render_created_table(tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    let Outcome::RouteTable {
        table,
        client_token,
    } = outcome
    else {
        return unexpected(&outcome, x);
    };
    x.node("routeTable", |x| render(tx, x, &table));
    x.opt_leaf("clientToken", client_token);
}

fn describe_route_tables(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let page = Page::new("RouteTableId", FILTERS, "routeTableSet").max(100);
    let candidates =
        |filters: &[Filter]| match filter::exact_values(filters, "route.vpc-peering-connection-id")
        {
            // The tables routing to those connections, from the world's index; every filter still
            // applies, this only narrows the candidates.
            Some(wanted) => {
                let mut found: Vec<&RouteTable> = wanted
                    .iter()
                    .flat_map(|pcx| tx.world().aws.route_tables_to_peering(pcx))
                    .filter(|t| t.scope == *tx.scope())
                    .collect();
                found.sort_by(|a, b| a.id.cmp(&b.id));
                found.dedup_by(|a, b| a.id == b.id);
                found
            }
            None => tx.list_owned::<RouteTable>().collect(),
        };
    describe_page(
        p,
        page,
        candidates,
        |id| tx.owned::<RouteTable>(id),
        |f, t| matches_each(f, &t.tags, |n, test| field_each(tx, t, n, test)),
        x,
        |x, t| render(tx, x, t),
    )
}

fn associated(x: &mut Xml) {
    x.node("associationState", |x| {
        x.leaf("state", "associated");
    });
}

fn parse_associate(p: &Params) -> Result<Command, Ec2Error> {
    let table_id = p.id("RouteTableId")?;
    let subnet = p.get("SubnetId").filter(|s| !s.is_empty());
    let gateway = p.get("GatewayId").filter(|s| !s.is_empty());
    if p.get("PublicIpv4Pool").is_some() {
        return Err(Ec2Error::new(
            "InvalidParameterValue",
            "PublicIpv4Pool associations are not supported by this emulator.",
        ));
    }
    let with = match (subnet, gateway) {
        (Some(s), None) => AssocRequest::Subnet(s.to_owned()),
        (None, Some(g)) => AssocRequest::Gateway(g.to_owned()),
        (Some(_), Some(_)) => {
            return Err(Ec2Error::new(
                "InvalidParameterCombination",
                "The parameter subnetId cannot be used with the parameter gatewayId",
            ))
        }
        (None, None) => return Err(Ec2Error::missing("SubnetId")),
    };
    Ok(Command::AssociateRouteTable { table_id, with })
}

/// The association a command made, under `tag`.
fn render_association(outcome: Outcome, x: &mut Xml, tag: &str) {
    let Outcome::RouteTableAssociation(id) = outcome else {
        return unexpected(&outcome, x);
    };
    x.leaf(tag, id);
    associated(x);
}

/// Builds a route target from an id.
type MakeTarget = fn(String) -> RouteTarget;

/// The text of a CreateRoute, ReplaceRoute or DeleteRoute request (DeleteRoute ignores
/// `targets`), as collected from EC2's parameters: [`RouteInput::spec`] and
/// [`RouteInput::destination`] turn it into the typed [`RouteSpec`] and [`Destination`] the
/// commands carry.
#[derive(Debug, Clone, Default)]
struct RouteInput {
    /// The table.
    route_table_id: String,
    /// `DestinationCidrBlock`.
    destination_cidr_block: Option<String>,
    /// `DestinationIpv6CidrBlock`.
    destination_ipv6_cidr_block: Option<String>,
    /// `DestinationPrefixListId`.
    destination_prefix_list_id: Option<String>,
    /// Every target given; exactly one is required.
    targets: Vec<RouteTarget>,
}

impl RouteInput {
    /// The typed route: its one destination ([`RouteInput::destination`]), then its one target.
    fn spec(self) -> Result<RouteSpec, DomainError> {
        let destination = self.destination()?;
        let target = one_target(&self.targets)?;
        Ok(RouteSpec {
            route_table_id: self.route_table_id,
            destination,
            target,
        })
    }

    /// The one destination of the request, outside the ranges EC2 reserves.
    fn destination(&self) -> Result<Destination, DomainError> {
        if let Some(pl) = self.destination_prefix_list_id.as_deref() {
            if self.destination_cidr_block.is_some() {
                return Err(DomainError::Exclusive(
                    Field::RouteIpv4Destination,
                    Field::RoutePrefixList,
                ));
            }
            if self.destination_ipv6_cidr_block.is_some() {
                return Err(DomainError::Exclusive(
                    Field::RouteIpv6Destination,
                    Field::RoutePrefixList,
                ));
            }
            return PrefixListId::parse(pl)
                .map(Destination::PrefixList)
                .ok_or_else(|| DomainError::MalformedId {
                    kind: Kind::PrefixList,
                    id: pl.to_owned(),
                });
        }
        match (
            self.destination_cidr_block.as_deref(),
            self.destination_ipv6_cidr_block.as_deref(),
        ) {
            (Some(_), Some(_)) => Err(DomainError::Exclusive(
                Field::RouteIpv4Destination,
                Field::RouteIpv6Destination,
            )),
            (None, None) => Err(DomainError::Missing(Field::RouteDestination)),
            (Some(s), None) => {
                let net = ipv4_block(s, Field::RouteIpv4Destination)?.value;
                check_destination(&Destination::V4(net))?;
                Ok(Destination::V4(net))
            }
            (None, Some(s)) => {
                let net = ipv6_block(s, Field::RouteIpv6Destination)?.value;
                check_destination(&Destination::V6(net))?;
                Ok(Destination::V6(net))
            }
        }
    }
}

/// The one target of a route request.
fn one_target(targets: &[RouteTarget]) -> Result<RouteTarget, DomainError> {
    match targets {
        [t] => Ok(t.clone()),
        [] => Err(DomainError::Missing(Field::RouteTarget)),
        _ => Err(DomainError::Route(RouteProblem::SeveralTargets)),
    }
}

/// Targets given to CreateRoute/ReplaceRoute, in EC2's parameter names.
fn route_input(p: &Params, allow_local_target: bool) -> Result<RouteInput, Ec2Error> {
    let get = |n: &str| p.get(n).filter(|s| !s.is_empty()).map(str::to_owned);
    for unsupported in [
        "LocalGatewayId",
        "CarrierGatewayId",
        "CoreNetworkArn",
        "OdbNetworkArn",
    ] {
        if get(unsupported).is_some() {
            return Err(Ec2Error::new(
                "InvalidParameterValue",
                format!("Route targets of type {unsupported} are not supported by this emulator."),
            ));
        }
    }
    let mut targets = Vec::new();
    if let Some(g) = get("GatewayId") {
        targets.push(if g == "local" {
            RouteTarget::Local
        } else if g.starts_with("vpce-") {
            RouteTarget::VpcEndpoint(g)
        } else {
            RouteTarget::Gateway(g)
        });
    }
    let typed: [(&str, MakeTarget); 7] = [
        ("VpcPeeringConnectionId", RouteTarget::Peering),
        ("NatGatewayId", RouteTarget::NatGateway),
        ("InstanceId", RouteTarget::Instance),
        ("NetworkInterfaceId", RouteTarget::NetworkInterface),
        ("TransitGatewayId", RouteTarget::TransitGateway),
        (
            "EgressOnlyInternetGatewayId",
            RouteTarget::EgressOnlyInternetGateway,
        ),
        ("VpcEndpointId", RouteTarget::VpcEndpoint),
    ];
    for (name, make) in typed {
        if let Some(v) = get(name) {
            targets.push(make(v));
        }
    }
    if allow_local_target && p.bool("LocalTarget")?.unwrap_or(false) {
        targets.push(RouteTarget::Local);
    }
    Ok(RouteInput {
        route_table_id: p.required("RouteTableId")?.to_owned(),
        destination_cidr_block: get("DestinationCidrBlock"),
        destination_ipv6_cidr_block: get("DestinationIpv6CidrBlock"),
        destination_prefix_list_id: get("DestinationPrefixListId"),
        targets,
    })
}
