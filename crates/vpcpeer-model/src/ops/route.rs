//! Route tables, their associations, and routes.
//!
//! Rules follow the Amazon VPC User Guide ("Route tables"), the VPC Peering Guide ("Update your
//! route tables for a VPC peering connection") and `CreateRoute` in the EC2 API Reference. A
//! route's `state` is never stored: it is derived at read time from its target ([`route_state`]),
//! so a route to a peering connection is `blackhole` while the connection is pending, `active`
//! once accepted and `blackhole` again once it is deleted, without anything rewriting the table.
//!
//! Choices where AWS is unverified:
//! - A route to a peering connection in a terminal state (failed, rejected, expired, deleted) is
//!   refused with `InvalidVpcPeeringConnectionID.NotFound`; routes created earlier stay (as
//!   `blackhole`).
//! - Targets this emulator does not model (transit gateways, egress-only internet gateways, VPC
//!   endpoints) are accepted on the shape of their id and reported `active`.
//! - No target → `MissingParameter`; several targets or destinations →
//!   `InvalidParameterCombination`; prefix-list destinations → `InvalidParameterValue`.
//! - A route to a stopped instance is `blackhole`, as to a terminated one.
//! - `ClientToken` of CreateRouteTable is accepted and echoed but not honoured (a retry creates a
//!   second table): route tables have no field to remember it by.

use ipnet::{Ipv4Net, Ipv6Net};

use crate::cidr;
use crate::ops::vpc::local_route;
use crate::{
    Destination, DomainError, Instance, InstanceState, InternetGateway, Kind, LimitKind,
    NatGateway, NatState, NetworkInterface, Route, RouteOrigin, RouteTable, RouteTarget,
    RtAssocTarget, RtAssociation, Subnet, Tags, Timestamp, Tx, Vpc, World,
};

/// Whether a route can carry traffic now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteState {
    /// Its target is usable.
    Active,
    /// Its target is gone or not usable (traffic is dropped).
    Blackhole,
}

/// The state of `route` at `now`, from its target alone:
/// - `local` → active;
/// - peering connection → active iff it exists and is active at `now`;
/// - internet gateway → blackhole when deleted or detached (any `vgw-` is blackhole: not modelled);
/// - NAT gateway → active iff it exists and is available;
/// - instance → blackhole when gone, stopped or terminated; network interface → blackhole when gone;
/// - targets the emulator does not model → active.
pub fn route_state(world: &World, route: &Route, now: Timestamp) -> RouteState {
    let ok = match &route.target {
        RouteTarget::Local => true,
        RouteTarget::Peering(id) => world.peerings.get(id).is_some_and(|p| p.is_active_at(now)),
        RouteTarget::Gateway(id) => world
            .internet_gateways
            .get(id)
            .is_some_and(|g| g.attached_vpc.is_some()),
        RouteTarget::NatGateway(id) => world
            .nat_gateways
            .get(id)
            .is_some_and(|n| n.state == NatState::Available),
        RouteTarget::Instance(id) => world.instances.get(id).is_some_and(|i| {
            !matches!(
                i.state,
                InstanceState::Terminated
                    | InstanceState::ShuttingDown
                    | InstanceState::Stopped
                    | InstanceState::Stopping
            )
        }),
        RouteTarget::NetworkInterface(id) => world.network_interfaces.contains_key(id),
        RouteTarget::TransitGateway(_)
        | RouteTarget::EgressOnlyInternetGateway(_)
        | RouteTarget::VpcEndpoint(_) => true,
    };
    if ok {
        RouteState::Active
    } else {
        RouteState::Blackhole
    }
}

/// [`route_state`] of a route of `table`, also requiring an internet gateway to be attached to the
/// table's own VPC (one detached and attached elsewhere leaves the route a blackhole).
pub fn table_route_state(
    world: &World,
    table: &RouteTable,
    route: &Route,
    now: Timestamp,
) -> RouteState {
    if let RouteTarget::Gateway(id) = &route.target {
        let attached_here = world
            .internet_gateways
            .get(id)
            .is_some_and(|g| g.attached_vpc.as_deref() == Some(table.vpc_id.as_str()));
        if !attached_here {
            return RouteState::Blackhole;
        }
    }
    route_state(world, route, now)
}

/// Input of CreateRoute, ReplaceRoute and DeleteRoute (DeleteRoute ignores `targets`).
#[derive(Debug, Clone, Default)]
pub struct RouteInput {
    /// The table.
    pub route_table_id: String,
    /// `DestinationCidrBlock`.
    pub destination_cidr_block: Option<String>,
    /// `DestinationIpv6CidrBlock`.
    pub destination_ipv6_cidr_block: Option<String>,
    /// `DestinationPrefixListId` (refused).
    pub destination_prefix_list_id: Option<String>,
    /// Every target given; exactly one is required.
    pub targets: Vec<RouteTarget>,
}

/// What an association binds, as requested.
#[derive(Debug, Clone)]
pub enum AssocRequest {
    /// A subnet.
    Subnet(String),
    /// A gateway (edge association).
    Gateway(String),
}

fn reserved_v4() -> Ipv4Net {
    Ipv4Net::new(std::net::Ipv4Addr::new(169, 254, 168, 0), 22).expect("static")
}

fn reserved_v6() -> Ipv6Net {
    Ipv6Net::new(
        std::net::Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0),
        32,
    )
    .expect("static")
}

/// Parses the one destination of a route request.
pub fn parse_destination(input: &RouteInput) -> Result<Destination, DomainError> {
    if input.destination_prefix_list_id.is_some() {
        return Err(DomainError::invalid(
            "Routes to managed prefix lists (DestinationPrefixListId) are not supported by this emulator; use DestinationCidrBlock or DestinationIpv6CidrBlock.",
        ));
    }
    match (
        input.destination_cidr_block.as_deref(),
        input.destination_ipv6_cidr_block.as_deref(),
    ) {
        (Some(_), Some(_)) => Err(DomainError::InvalidParameterCombination(
            "The parameter destinationCidrBlock cannot be used with the parameter destinationIpv6CidrBlock".into(),
        )),
        (None, None) => Err(DomainError::MissingParameter(
            "destinationCidrBlock or destinationIpv6CidrBlock".into(),
        )),
        (Some(s), None) => {
            let net = cidr::parse_v4(s).ok_or_else(|| {
                DomainError::invalid(format!(
                    "Value ({s}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block."
                ))
            })?;
            let r = reserved_v4();
            if r.contains(&net.network()) && net.prefix_len() >= r.prefix_len() {
                return Err(DomainError::invalid(format!(
                    "The destination CIDR block {net} is reserved ({r}) and cannot be used for a route."
                )));
            }
            Ok(Destination::V4(net))
        }
        (None, Some(s)) => {
            let net = cidr::parse_v6(s).ok_or_else(|| {
                DomainError::invalid(format!(
                    "Value ({s}) for parameter destinationIpv6CidrBlock is invalid. This is not a valid CIDR block."
                ))
            })?;
            let r = reserved_v6();
            if r.contains(&net.network()) && net.prefix_len() >= r.prefix_len() {
                return Err(DomainError::invalid(format!(
                    "The destination CIDR block {net} is reserved ({r}) and cannot be used for a route."
                )));
            }
            Ok(Destination::V6(net))
        }
    }
}

fn one_target(targets: &[RouteTarget]) -> Result<RouteTarget, DomainError> {
    match targets {
        [t] => Ok(t.clone()),
        [] => Err(DomainError::MissingParameter(
            "exactly one of gatewayId, vpcPeeringConnectionId, natGatewayId, instanceId, networkInterfaceId, transitGatewayId, egressOnlyInternetGatewayId or vpcEndpointId".into(),
        )),
        _ => Err(DomainError::InvalidParameterCombination(
            "More than one target was specified; a route has exactly one target.".into(),
        )),
    }
}

fn family(d: &Destination) -> bool {
    matches!(d, Destination::V4(_))
}

/// How `dest` relates to the VPC's own blocks.
enum LocalRelation {
    /// Outside every block (or covering one).
    Outside,
    /// Equal to a block.
    Equal,
    /// Strictly inside a block.
    Inside,
}

fn local_relation(vpc: &Vpc, dest: &Destination) -> LocalRelation {
    match dest {
        Destination::V4(d) => {
            for b in vpc.ipv4_cidrs() {
                if b == *d {
                    return LocalRelation::Equal;
                }
                if b.contains(&d.network()) && d.prefix_len() > b.prefix_len() {
                    return LocalRelation::Inside;
                }
            }
        }
        Destination::V6(d) => {
            for b in vpc.ipv6_cidrs() {
                if b == *d {
                    return LocalRelation::Equal;
                }
                if b.contains(&d.network()) && d.prefix_len() > b.prefix_len() {
                    return LocalRelation::Inside;
                }
            }
        }
    }
    LocalRelation::Outside
}

fn different_networks(table: &str, target: &str) -> DomainError {
    DomainError::invalid(format!(
        "route table {table} and network gateway {target} belong to different networks"
    ))
}

fn prefixed(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|hex| {
            (hex.len() == 8 || hex.len() == 17)
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

impl Tx<'_, '_> {
    /// CreateRouteTable: a table with one local route per VPC block.
    pub fn create_route_table(&mut self, vpc_id: &str, tags: Tags) -> Result<String, DomainError> {
        let vpc = self.owned::<Vpc>(vpc_id)?.clone();
        if let Some(max) = self.ctx.limits.route_tables_per_vpc {
            let n = self
                .world()
                .route_tables
                .values()
                .filter(|t| t.vpc_id == vpc_id)
                .count();
            if n >= max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::RouteTablesPerVpc,
                    message: format!(
                        "The maximum number of route tables ({max}) has been reached for {vpc_id}."
                    ),
                });
            }
        }
        let mut routes: Vec<Route> = vpc
            .ipv4_cidrs()
            .map(|c| local_route(Destination::V4(c)))
            .collect();
        routes.extend(vpc.ipv6_cidrs().map(|c| local_route(Destination::V6(c))));
        let id = self.new_id("rtb");
        self.put(RouteTable {
            id: id.clone(),
            vpc_id: vpc_id.to_owned(),
            scope: self.scope().clone(),
            routes,
            associations: Vec::new(),
            tags,
        });
        Ok(id)
    }

    /// DeleteRouteTable: refused for the main table and any table with associations.
    pub fn delete_route_table(&mut self, id: &str) -> Result<(), DomainError> {
        let t = self.owned::<RouteTable>(id)?;
        if !t.associations.is_empty() {
            return Err(DomainError::dependency(Kind::RouteTable, id));
        }
        self.remove::<RouteTable>(id);
        Ok(())
    }

    /// The caller's table holding association `assoc_id`, and the association.
    fn association(&self, assoc_id: &str) -> Result<(String, RtAssociation), DomainError> {
        self.list_owned::<RouteTable>()
            .find_map(|t| {
                t.associations
                    .iter()
                    .find(|a| a.id == assoc_id)
                    .map(|a| (t.id.clone(), a.clone()))
            })
            .ok_or_else(|| DomainError::not_found(Kind::Association, assoc_id))
    }

    /// AssociateRouteTable with a subnet (one explicit association per subnet) or a gateway
    /// attached to the table's VPC (one edge association per gateway); returns the association id.
    pub fn associate_route_table(
        &mut self,
        table_id: &str,
        what: AssocRequest,
    ) -> Result<String, DomainError> {
        let table = self.owned::<RouteTable>(table_id)?.clone();
        let target = match what {
            AssocRequest::Subnet(s) => {
                let subnet = self.subnet(&s)?;
                if subnet.vpc_id != table.vpc_id {
                    return Err(DomainError::invalid(format!(
                        "route table {table_id} and subnet {s} belong to different networks"
                    )));
                }
                RtAssocTarget::Subnet(s)
            }
            AssocRequest::Gateway(g) => {
                if !g.starts_with("igw-") {
                    return Err(DomainError::not_found(Kind::Gateway, g));
                }
                let igw = self
                    .owned::<InternetGateway>(&g)
                    .map_err(|_| DomainError::not_found(Kind::Gateway, g.clone()))?;
                if igw.attached_vpc.as_deref() != Some(table.vpc_id.as_str()) {
                    return Err(different_networks(table_id, &g));
                }
                RtAssocTarget::Gateway(g)
            }
        };
        if let Some(other) = self
            .list_owned::<RouteTable>()
            .find(|t| t.associations.iter().any(|a| a.target == target))
        {
            let existing = other
                .associations
                .iter()
                .find(|a| a.target == target)
                .map(|a| a.id.clone())
                .unwrap_or_default();
            let what = match &target {
                RtAssocTarget::Subnet(s) | RtAssocTarget::Gateway(s) => s.clone(),
                RtAssocTarget::Main => String::new(),
            };
            return Err(DomainError::AlreadyAssociated(format!(
                "the specified association for route table {table_id} conflicts with an existing association: {what} is already associated by {existing}"
            )));
        }
        let assoc = RtAssociation {
            id: self.new_id("rtbassoc"),
            target,
        };
        let id = assoc.id.clone();
        self.owned_mut::<RouteTable>(table_id)?
            .associations
            .push(assoc);
        Ok(id)
    }

    /// DisassociateRouteTable: the subnet falls back to the main table. The main association
    /// cannot be removed.
    pub fn disassociate_route_table(&mut self, assoc_id: &str) -> Result<(), DomainError> {
        let (table_id, assoc) = self.association(assoc_id)?;
        if assoc.target == RtAssocTarget::Main {
            return Err(DomainError::invalid(format!(
                "The association {assoc_id} is the main route table association and cannot be disassociated; use ReplaceRouteTableAssociation."
            )));
        }
        self.owned_mut::<RouteTable>(&table_id)?
            .associations
            .retain(|a| a.id != assoc_id);
        Ok(())
    }

    /// ReplaceRouteTableAssociation: moves an association (including the VPC's main one) to
    /// another table of the same VPC; returns the new association id.
    pub fn replace_route_table_association(
        &mut self,
        assoc_id: &str,
        new_table_id: &str,
    ) -> Result<String, DomainError> {
        let (old_table_id, assoc) = self.association(assoc_id)?;
        let new_table = self.owned::<RouteTable>(new_table_id)?;
        let old_vpc = self.owned::<RouteTable>(&old_table_id)?.vpc_id.clone();
        if new_table.vpc_id != old_vpc {
            return Err(DomainError::invalid(format!(
                "route table {new_table_id} and association {assoc_id} belong to different networks"
            )));
        }
        self.owned_mut::<RouteTable>(&old_table_id)?
            .associations
            .retain(|a| a.id != assoc_id);
        let new_assoc = RtAssociation {
            id: self.new_id("rtbassoc"),
            target: assoc.target,
        };
        let id = new_assoc.id.clone();
        self.owned_mut::<RouteTable>(new_table_id)?
            .associations
            .push(new_assoc);
        Ok(id)
    }

    /// Checks a target for a route in `table` (to `dest`) and returns it.
    fn check_target(
        &self,
        table: &RouteTable,
        target: RouteTarget,
        dest: &Destination,
    ) -> Result<RouteTarget, DomainError> {
        let tid = table.id.as_str();
        match &target {
            RouteTarget::Local => {}
            RouteTarget::Gateway(g) => {
                if g.starts_with("igw-") {
                    let igw = self
                        .owned::<InternetGateway>(g)
                        .map_err(|_| DomainError::not_found(Kind::Gateway, g.clone()))?;
                    if igw.attached_vpc.as_deref() != Some(table.vpc_id.as_str()) {
                        return Err(different_networks(tid, g));
                    }
                } else {
                    // Virtual private gateways are not modelled.
                    return Err(DomainError::not_found(Kind::Gateway, g.clone()));
                }
            }
            RouteTarget::Peering(p) => {
                let pcx = self.visible_peering(p)?;
                let state = pcx.state_at(self.now());
                if state.is_terminal() {
                    return Err(DomainError::not_found(Kind::PeeringConnection, p.clone()));
                }
                let scope = self.scope();
                let mine = |s: &crate::PeerSide| s.vpc_id == table.vpc_id && s.scope == *scope;
                if !mine(&pcx.requester) && !mine(&pcx.accepter) {
                    return Err(different_networks(tid, p));
                }
            }
            RouteTarget::NatGateway(n) => {
                let nat = self.owned::<NatGateway>(n)?;
                if nat.state == NatState::Deleted || nat.state == NatState::Deleting {
                    return Err(DomainError::not_found(Kind::NatGateway, n.clone()));
                }
                if nat.vpc_id != table.vpc_id {
                    return Err(different_networks(tid, n));
                }
            }
            RouteTarget::Instance(i) => {
                let inst = self.owned::<Instance>(i)?;
                if inst.state == InstanceState::Terminated {
                    return Err(DomainError::not_found(Kind::Instance, i.clone()));
                }
                if inst.vpc_id != table.vpc_id {
                    return Err(different_networks(tid, i));
                }
                if inst.eni_ids.len() > 1 {
                    return Err(DomainError::invalid(format!(
                        "There are multiple interfaces attached to instance '{i}'. Please specify an interface ID for the operation instead."
                    )));
                }
            }
            RouteTarget::NetworkInterface(e) => {
                let eni = self.owned::<NetworkInterface>(e)?;
                if eni.vpc_id != table.vpc_id {
                    return Err(different_networks(tid, e));
                }
            }
            RouteTarget::TransitGateway(t) => {
                if !prefixed(t, "tgw") {
                    return Err(DomainError::invalid(format!(
                        "Value ({t}) for parameter transitGatewayId is invalid."
                    )));
                }
            }
            RouteTarget::EgressOnlyInternetGateway(e) => {
                if !prefixed(e, "eigw") {
                    return Err(DomainError::invalid(format!(
                        "Value ({e}) for parameter egressOnlyInternetGatewayId is invalid."
                    )));
                }
                if family(dest) {
                    return Err(DomainError::invalid(format!(
                        "Egress-only internet gateway {e} can only be the target of IPv6 routes."
                    )));
                }
            }
            RouteTarget::VpcEndpoint(v) => {
                if !prefixed(v, "vpce") {
                    return Err(DomainError::invalid(format!(
                        "Value ({v}) for parameter vpcEndpointId is invalid."
                    )));
                }
            }
        }
        Ok(target)
    }

    /// The rule for destinations inside the VPC's own blocks: only equal to a subnet block, and
    /// only to an interface, instance, NAT gateway or (load-balancer) endpoint.
    fn check_more_specific(
        &self,
        vpc: &Vpc,
        dest: &Destination,
        target: &RouteTarget,
    ) -> Result<(), DomainError> {
        let subnet_match = self
            .world()
            .subnets
            .values()
            .filter(|s| s.vpc_id == vpc.id)
            .any(|s: &Subnet| match dest {
                Destination::V4(d) => s.cidr == *d,
                Destination::V6(d) => s.ipv6.as_ref().is_some_and(|(_, c)| c == d),
            });
        let target_ok = matches!(
            target,
            RouteTarget::NetworkInterface(_)
                | RouteTarget::Instance(_)
                | RouteTarget::NatGateway(_)
                | RouteTarget::VpcEndpoint(_)
        );
        if !subnet_match || !target_ok {
            return Err(DomainError::invalid(format!(
                "The destination CIDR block {dest} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface, an instance or a NAT gateway, and its destination must match a subnet CIDR block."
            )));
        }
        Ok(())
    }

    /// CreateRoute.
    pub fn create_route(&mut self, input: RouteInput) -> Result<(), DomainError> {
        let table = self.owned::<RouteTable>(&input.route_table_id)?.clone();
        let dest = parse_destination(&input)?;
        let target = one_target(&input.targets)?;
        let target = self.check_target(&table, target, &dest)?;
        let vpc = self.owned::<Vpc>(&table.vpc_id)?.clone();
        let relation = local_relation(&vpc, &dest);
        if matches!(relation, LocalRelation::Equal)
            || table.routes.iter().any(|r| r.destination == dest)
        {
            return Err(DomainError::RouteAlreadyExists {
                destination: dest.to_string(),
            });
        }
        match (relation, &target) {
            (_, RouteTarget::Local) => {
                return Err(DomainError::invalid(format!(
                    "The destination CIDR block {dest} does not match a CIDR block of {}; local routes are created with the VPC's blocks.",
                    vpc.id
                )));
            }
            (LocalRelation::Inside, t) => self.check_more_specific(&vpc, &dest, t)?,
            _ => {}
        }
        if let Some(max) = self.ctx.limits.routes_per_table {
            let n = table
                .routes
                .iter()
                .filter(|r| r.target != RouteTarget::Local)
                .filter(|r| family(&r.destination) == family(&dest))
                .count();
            if n >= max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::RoutesPerTable,
                    message: format!(
                        "The maximum number of routes ({max}) has been reached for route table {}.",
                        table.id
                    ),
                });
            }
        }
        self.owned_mut::<RouteTable>(&table.id)?.routes.push(Route {
            destination: dest,
            target,
            origin: RouteOrigin::CreateRoute,
        });
        Ok(())
    }

    /// ReplaceRoute: changes the target of an existing route. The local route of a VPC block
    /// cannot get another target; `LocalTarget` restores a route inside the VPC's blocks to local.
    pub fn replace_route(&mut self, input: RouteInput) -> Result<(), DomainError> {
        let table = self.owned::<RouteTable>(&input.route_table_id)?.clone();
        let dest = parse_destination(&input)?;
        let target = one_target(&input.targets)?;
        let target = self.check_target(&table, target, &dest)?;
        let idx = table
            .routes
            .iter()
            .position(|r| r.destination == dest)
            .ok_or_else(|| DomainError::RouteNotFound {
                destination: dest.to_string(),
                table: table.id.clone(),
            })?;
        let vpc = self.owned::<Vpc>(&table.vpc_id)?.clone();
        let relation = local_relation(&vpc, &dest);
        match (&relation, &target) {
            (LocalRelation::Equal, RouteTarget::Local) => {}
            (LocalRelation::Equal, _) => {
                return Err(DomainError::invalid(format!(
                    "The local route {dest} of route table {} cannot be replaced with a non-local target.",
                    table.id
                )));
            }
            (LocalRelation::Outside, RouteTarget::Local) => {
                return Err(DomainError::invalid(format!(
                    "The destination CIDR block {dest} is outside the CIDR blocks of {}; only routes inside the VPC's blocks can target local.",
                    vpc.id
                )));
            }
            (LocalRelation::Inside, RouteTarget::Local) | (LocalRelation::Outside, _) => {}
            (LocalRelation::Inside, t) => self.check_more_specific(&vpc, &dest, t)?,
        }
        let rt = self.owned_mut::<RouteTable>(&table.id)?;
        if let Some(r) = rt.routes.get_mut(idx) {
            r.target = target;
        }
        Ok(())
    }

    /// DeleteRoute. The local route cannot be deleted.
    pub fn delete_route(&mut self, input: RouteInput) -> Result<(), DomainError> {
        let table = self.owned::<RouteTable>(&input.route_table_id)?.clone();
        let dest = parse_destination(&input)?;
        let route = table
            .routes
            .iter()
            .find(|r| r.destination == dest)
            .ok_or_else(|| DomainError::RouteNotFound {
                destination: dest.to_string(),
                table: table.id.clone(),
            })?;
        if route.target == RouteTarget::Local {
            return Err(DomainError::invalid(format!(
                "cannot remove local route {dest} in route table {}",
                table.id
            )));
        }
        self.owned_mut::<RouteTable>(&table.id)?
            .routes
            .retain(|r| r.destination != dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{route_state, table_route_state, AssocRequest, RouteInput, RouteState};
    use crate::ops::gateway::CreateNat;
    use crate::ops::peering::CreatePeering;
    use crate::ops::subnet::CreateSubnet;
    use crate::peering::PeeringState;
    use crate::testkit::{a, b, outcome, TestEnv};
    use crate::{
        Destination, Instance, InstanceState, Route, RouteOrigin, RouteTable, RouteTarget, Tags,
        Timestamp,
    };

    fn main_table(env: &TestEnv, vpc: &str) -> String {
        env.world
            .route_tables
            .values()
            .find(|t| t.vpc_id == vpc && t.is_main())
            .map(|t| t.id.clone())
            .expect("main table")
    }

    fn subnet(env: &mut TestEnv, vpc: &str, cidr: &str) -> String {
        env.run(&a(), |tx| {
            tx.create_subnet(CreateSubnet {
                vpc_id: vpc.into(),
                cidr_block: cidr.into(),
                ..Default::default()
            })
        })
        .expect("subnet")
    }

    fn peer(env: &mut TestEnv, from: &str, to: &str) -> String {
        env.run(&a(), |tx| {
            tx.create_peering(CreatePeering {
                vpc_id: from.into(),
                peer_vpc_id: to.into(),
                ..Default::default()
            })
        })
        .expect("pcx")
        .connection
        .id
    }

    /// A new internet gateway of A.
    fn new_igw(env: &mut TestEnv) -> String {
        env.run(&a(), |tx| tx.create_internet_gateway(Tags::new()))
            .expect("igw")
    }

    fn attach_igw(env: &mut TestEnv, igw: &str, vpc: &str) {
        env.run(&a(), |tx| tx.attach_internet_gateway(igw, vpc))
            .expect("attach");
    }

    /// A private NAT gateway of A in `subnet`.
    fn private_nat(env: &mut TestEnv, subnet: &str) -> String {
        env.run(&a(), |tx| {
            tx.create_nat_gateway(CreateNat {
                subnet_id: subnet.into(),
                connectivity_type: Some("private".into()),
                ..Default::default()
            })
        })
        .expect("nat")
    }

    fn input(table: &str, dest: &str, targets: Vec<RouteTarget>) -> RouteInput {
        let mut i = RouteInput {
            route_table_id: table.into(),
            targets,
            ..Default::default()
        };
        if dest.contains(':') {
            i.destination_ipv6_cidr_block = Some(dest.into());
        } else if !dest.is_empty() {
            i.destination_cidr_block = Some(dest.into());
        }
        i
    }

    fn route(target: RouteTarget) -> Route {
        Route {
            destination: Destination::V4("1.0.0.0/8".parse().expect("net")),
            target,
            origin: RouteOrigin::CreateRoute,
        }
    }

    fn instance(id: &str, state: InstanceState) -> Instance {
        Instance {
            id: id.into(),
            reservation_id: "r-00000001".into(),
            scope: a(),
            image_id: "ami-1".into(),
            instance_type: "t3.micro".into(),
            subnet_id: String::new(),
            vpc_id: String::new(),
            availability_zone: "us-east-1a".into(),
            eni_ids: Vec::new(),
            state,
            launch_time: Timestamp(0),
            terminated: None,
            client_token: None,
            launch_digest: None,
            launch_index: 0,
            tags: Tags::new(),
        }
    }

    /// Every kind of target, in every state that matters, against the state it must derive to.
    #[test]
    fn route_state_table() {
        let mut env = TestEnv::new();
        let va = env.vpc(&a(), "10.0.0.0/16");
        let vb = env.vpc(&a(), "10.1.0.0/16");
        let sa = subnet(&mut env, &va, "10.0.1.0/24");
        let pcx = peer(&mut env, &va, &vb);
        let template = env.world.peerings[&pcx].clone();
        let states = [
            (
                "pcx-0000000a",
                PeeringState::PendingAcceptance,
                Timestamp::HOUR,
                "blackhole",
            ),
            (
                "pcx-0000000b",
                PeeringState::Active,
                Timestamp::HOUR,
                "active",
            ),
            (
                "pcx-0000000c",
                PeeringState::Deleted,
                Timestamp::HOUR,
                "blackhole",
            ),
            (
                "pcx-0000000d",
                PeeringState::Failed,
                Timestamp::HOUR,
                "blackhole",
            ),
            (
                "pcx-0000000e",
                PeeringState::Rejected,
                Timestamp::HOUR,
                "blackhole",
            ),
            // Pending past its expiration time: expired.
            (
                "pcx-0000000f",
                PeeringState::PendingAcceptance,
                -1,
                "blackhole",
            ),
            (
                "pcx-00000010",
                PeeringState::Provisioning,
                Timestamp::HOUR,
                "blackhole",
            ),
        ];
        for (id, state, ttl, _) in states {
            let mut p = template.clone();
            p.id = id.into();
            p.state = state;
            p.expiration = env.now.plus_millis(ttl);
            env.world.peerings.insert(id.into(), p);
        }
        let igw_on = new_igw(&mut env);
        let igw_off = new_igw(&mut env);
        attach_igw(&mut env, &igw_on, &va);
        let nat_on = private_nat(&mut env, &sa);
        let nat_off = private_nat(&mut env, &sa);
        let eni = env.world.nat_gateways[&nat_on].eni_id.clone();
        env.run(&a(), |tx| tx.delete_nat_gateway(&nat_off))
            .expect("delete nat");
        for (id, st) in [
            ("i-00000001", InstanceState::Running),
            ("i-00000002", InstanceState::Pending),
            ("i-00000003", InstanceState::Stopped),
            ("i-00000004", InstanceState::Terminated),
        ] {
            env.world.instances.insert(id.into(), instance(id, st));
        }
        let mut rows: Vec<(RouteTarget, &str)> = states
            .iter()
            .map(|(id, _, _, want)| (RouteTarget::Peering((*id).into()), *want))
            .collect();
        rows.extend([
            (RouteTarget::Local, "active"),
            (RouteTarget::Peering(pcx.clone()), "blackhole"),
            (RouteTarget::Peering("pcx-99999999".into()), "blackhole"),
            (RouteTarget::Gateway(igw_on.clone()), "active"),
            (RouteTarget::Gateway(igw_off.clone()), "blackhole"),
            (RouteTarget::Gateway("igw-99999999".into()), "blackhole"),
            (RouteTarget::NatGateway(nat_on.clone()), "active"),
            (RouteTarget::NatGateway(nat_off.clone()), "blackhole"),
            (RouteTarget::NatGateway("nat-99999999".into()), "blackhole"),
            (RouteTarget::Instance("i-00000001".into()), "active"),
            (RouteTarget::Instance("i-00000002".into()), "active"),
            (RouteTarget::Instance("i-00000003".into()), "blackhole"),
            (RouteTarget::Instance("i-00000004".into()), "blackhole"),
            (RouteTarget::Instance("i-99999999".into()), "blackhole"),
            (RouteTarget::NetworkInterface(eni), "active"),
            (
                RouteTarget::NetworkInterface("eni-99999999".into()),
                "blackhole",
            ),
            (RouteTarget::TransitGateway("tgw-00000001".into()), "active"),
        ]);
        for (target, want) in rows {
            let got = match route_state(&env.world, &route(target.clone()), env.now) {
                RouteState::Active => "active",
                RouteState::Blackhole => "blackhole",
            };
            assert_eq!(got, want, "{target:?}");
        }
        // The same peering route goes blackhole → active → blackhole over the connection's life.
        env.world.peerings.retain(|id, _| *id == pcx);
        let r = route(RouteTarget::Peering(pcx.clone()));
        assert_eq!(route_state(&env.world, &r, env.now), RouteState::Blackhole);
        env.run(&a(), |tx| tx.accept_peering(&pcx).map(|_| ()))
            .expect("accept");
        assert_eq!(route_state(&env.world, &r, env.now), RouteState::Active);
        env.run(&a(), |tx| tx.delete_peering(&pcx)).expect("delete");
        assert_eq!(route_state(&env.world, &r, env.now), RouteState::Blackhole);
        // An internet gateway attached to another VPC is a blackhole for this table's route.
        let table: RouteTable = env.world.route_tables[&main_table(&env, &vb)].clone();
        let r = route(RouteTarget::Gateway(igw_on.clone()));
        assert_eq!(route_state(&env.world, &r, env.now), RouteState::Active);
        assert_eq!(
            table_route_state(&env.world, &table, &r, env.now),
            RouteState::Blackhole
        );
    }

    /// CreateRoute: (destination, targets, expected outcome), each on the same setup.
    #[test]
    fn create_route_rules() {
        let mut env = TestEnv::new();
        let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
        let vb = env.vpc(&a(), "10.1.0.0/16");
        let vc = env.vpc(&a(), "10.2.0.0/16");
        let sa = subnet(&mut env, &va, "10.0.1.0/24");
        subnet(&mut env, &vb, "10.1.1.0/24");
        let ab = peer(&mut env, &va, &vb);
        let bc = peer(&mut env, &vb, &vc);
        let igw = new_igw(&mut env);
        let igw_b = new_igw(&mut env);
        let igw_off = new_igw(&mut env);
        attach_igw(&mut env, &igw, &va);
        attach_igw(&mut env, &igw_b, &vb);
        let nat = private_nat(&mut env, &sa);
        let eni = env.world.nat_gateways[&nat].eni_id.clone();
        let table = main_table(&env, &va);
        let v6 = env.world.vpcs[&va].ipv6[0].cidr.to_string();
        use RouteTarget as T;
        let g = |s: &str| T::Gateway(s.into());
        let p = |s: &str| T::Peering(s.into());
        let rows: Vec<(&str, Vec<RouteTarget>, &str)> = vec![
            ("0.0.0.0/0", vec![g(&igw)], "ok"),
            ("::/0", vec![g(&igw)], "ok"),
            ("10.1.0.0/16", vec![p(&ab)], "ok"),
            ("10.1.1.0/24", vec![p(&ab)], "ok"),
            ("10.0.0.0/8", vec![p(&ab)], "ok"),
            ("10.2.0.0/16", vec![p(&bc)], "Invalid"),
            ("10.2.0.0/16", vec![p("pcx-0123456789abcdef0")], "NotFound"),
            ("10.2.0.0/16", vec![p("pcx-zz")], "Malformed"),
            ("10.0.0.0/16", vec![g(&igw)], "RouteExists"),
            ("10.0.0.0/16", vec![p(&ab)], "RouteExists"),
            (v6.as_str(), vec![g(&igw)], "RouteExists"),
            ("10.0.1.0/24", vec![p(&ab)], "Invalid"),
            ("10.0.1.0/24", vec![g(&igw)], "Invalid"),
            ("10.0.1.0/24", vec![T::NatGateway(nat.clone())], "ok"),
            ("10.0.1.0/24", vec![T::NetworkInterface(eni.clone())], "ok"),
            ("10.0.2.0/24", vec![T::NatGateway(nat.clone())], "Invalid"),
            ("0.0.0.0/0", vec![T::NatGateway(nat.clone())], "ok"),
            ("0.0.0.0/0", vec![g(&igw_b)], "Invalid"),
            ("0.0.0.0/0", vec![g(&igw_off)], "Invalid"),
            ("0.0.0.0/0", vec![g("igw-0123456789abcdef0")], "NotFound"),
            ("0.0.0.0/0", vec![g("vgw-0123456789abcdef0")], "NotFound"),
            (
                "0.0.0.0/0",
                vec![T::NatGateway("nat-0123456789abcdef0".into())],
                "NotFound",
            ),
            (
                "0.0.0.0/0",
                vec![T::Instance("i-0123456789abcdef0".into())],
                "NotFound",
            ),
            ("0.0.0.0/0", vec![T::Local], "Invalid"),
            (
                "0.0.0.0/0",
                vec![T::TransitGateway("tgw-0123456789abcdef0".into())],
                "ok",
            ),
            (
                "0.0.0.0/0",
                vec![T::TransitGateway("tgw-x".into())],
                "Invalid",
            ),
            (
                "0.0.0.0/0",
                vec![T::EgressOnlyInternetGateway(
                    "eigw-0123456789abcdef0".into(),
                )],
                "Invalid",
            ),
            (
                "::/0",
                vec![T::EgressOnlyInternetGateway(
                    "eigw-0123456789abcdef0".into(),
                )],
                "ok",
            ),
            ("0.0.0.0/0", vec![], "Missing"),
            ("0.0.0.0/0", vec![g(&igw), p(&ab)], "Combination"),
            ("", vec![g(&igw)], "Missing"),
            ("10.0.0.0/33", vec![g(&igw)], "Invalid"),
            ("10.0.0.0", vec![g(&igw)], "Invalid"),
            ("169.254.168.0/22", vec![g(&igw)], "Invalid"),
            ("169.254.169.0/24", vec![g(&igw)], "Invalid"),
            ("169.254.0.0/16", vec![g(&igw)], "ok"),
            ("fd00:ec2::/32", vec![g(&igw)], "Invalid"),
            ("fd00:ec2:0:1::/64", vec![g(&igw)], "Invalid"),
            ("fd00::/8", vec![g(&igw)], "ok"),
        ];
        for (dest, targets, want) in rows {
            let i = input(&table, dest, targets.clone());
            let got = env.probe(&a(), |tx| tx.create_route(i));
            assert_eq!(outcome(&got), want, "{dest} {targets:?}");
        }
        for (tid, scope, want) in [
            ("rtb-0123456789abcdef0", a(), "NotFound"),
            (table.as_str(), b(), "NotFound"),
            ("rtb-q", a(), "Malformed"),
        ] {
            let i = input(tid, "0.0.0.0/0", vec![g(&igw)]);
            assert_eq!(
                outcome(&env.probe(&scope, |tx| tx.create_route(i))),
                want,
                "{tid}"
            );
        }
        let mut both = input(&table, "0.0.0.0/0", vec![g(&igw)]);
        both.destination_ipv6_cidr_block = Some("::/0".into());
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_route(both))),
            "Combination"
        );
        let mut pl = input(&table, "", vec![g(&igw)]);
        pl.destination_prefix_list_id = Some("pl-12345678".into());
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_route(pl))),
            "Invalid"
        );
        // Duplicates of a route just added.
        env.run(&a(), |tx| {
            tx.create_route(input(&table, "0.0.0.0/0", vec![g(&igw)]))
        })
        .expect("route");
        let dup = input(&table, "0.0.0.0/0", vec![T::NatGateway(nat.clone())]);
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_route(dup))),
            "RouteExists"
        );
        // A terminal peering connection cannot be routed to any more.
        env.run(&a(), |tx| tx.delete_peering(&ab))
            .expect("delete pcx");
        let i = input(&table, "10.1.0.0/16", vec![p(&ab)]);
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_route(i))),
            "NotFound"
        );
    }

    #[test]
    fn route_limit_counts_each_family_without_local_routes() {
        let mut env = TestEnv::new();
        env.limits.routes_per_table = Some(2);
        let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
        let igw = new_igw(&mut env);
        attach_igw(&mut env, &igw, &va);
        let t = main_table(&env, &va);
        let g = || vec![RouteTarget::Gateway(igw.clone())];
        for (dest, want) in [
            ("1.0.0.0/8", "ok"),
            ("2.0.0.0/8", "ok"),
            ("3.0.0.0/8", "Limit"),
            ("::/0", "ok"),
            ("2001:db8::/32", "ok"),
            ("2001:db9::/32", "Limit"),
        ] {
            let got = env.run(&a(), |tx| tx.create_route(input(&t, dest, g())));
            assert_eq!(outcome(&got), want, "{dest}");
        }
    }

    #[test]
    fn replace_and_delete_routes() {
        let mut env = TestEnv::new();
        let va = env.vpc(&a(), "10.0.0.0/16");
        let vb = env.vpc(&a(), "10.1.0.0/16");
        let sa = subnet(&mut env, &va, "10.0.1.0/24");
        let ab = peer(&mut env, &va, &vb);
        let igw = new_igw(&mut env);
        attach_igw(&mut env, &igw, &va);
        let nat = private_nat(&mut env, &sa);
        let t = main_table(&env, &va);
        use RouteTarget as T;
        env.run(&a(), |tx| {
            tx.create_route(input(&t, "0.0.0.0/0", vec![T::Gateway(igw.clone())]))?;
            tx.create_route(input(&t, "10.0.1.0/24", vec![T::NatGateway(nat.clone())]))
        })
        .expect("routes");
        let rows: Vec<(&str, Vec<RouteTarget>, &str)> = vec![
            ("0.0.0.0/0", vec![T::NatGateway(nat.clone())], "ok"),
            ("0.0.0.0/0", vec![T::Peering(ab.clone())], "ok"),
            ("0.0.0.0/0", vec![T::Local], "Invalid"),
            ("10.0.0.0/16", vec![T::Gateway(igw.clone())], "Invalid"),
            ("10.0.0.0/16", vec![T::Local], "ok"),
            ("10.0.1.0/24", vec![T::Local], "ok"),
            ("10.0.1.0/24", vec![T::Peering(ab.clone())], "Invalid"),
            ("8.8.0.0/16", vec![T::Gateway(igw.clone())], "RouteNotFound"),
            ("0.0.0.0/0", vec![], "Missing"),
        ];
        for (dest, targets, want) in rows {
            let i = input(&t, dest, targets.clone());
            let got = env.probe(&a(), |tx| tx.replace_route(i));
            assert_eq!(outcome(&got), want, "replace {dest} {targets:?}");
        }
        env.run(&a(), |tx| {
            tx.replace_route(input(&t, "0.0.0.0/0", vec![T::Peering(ab.clone())]))
        })
        .expect("replace");
        let r = env.world.route_tables[&t]
            .routes
            .iter()
            .find(|r| r.destination.to_string() == "0.0.0.0/0")
            .cloned()
            .expect("route");
        assert_eq!(r.target, T::Peering(ab.clone()));
        for (dest, want) in [
            ("10.0.0.0/16", "Invalid"),
            ("8.8.0.0/16", "RouteNotFound"),
            ("bad", "Invalid"),
            ("0.0.0.0/0", "ok"),
            ("10.0.1.0/24", "ok"),
        ] {
            let got = env.probe(&a(), |tx| tx.delete_route(input(&t, dest, vec![])));
            assert_eq!(outcome(&got), want, "delete {dest}");
        }
        env.run(&a(), |tx| tx.delete_route(input(&t, "0.0.0.0/0", vec![])))
            .expect("delete");
        assert_eq!(env.world.route_tables[&t].routes.len(), 2);
    }

    #[test]
    fn route_table_lifecycle_and_associations() {
        let mut env = TestEnv::new();
        let va = env.vpc_ipv6(&a(), "10.0.0.0/16");
        let vb = env.vpc(&a(), "10.1.0.0/16");
        let sa = subnet(&mut env, &va, "10.0.1.0/24");
        let sb = subnet(&mut env, &vb, "10.1.1.0/24");
        let main = main_table(&env, &va);
        let t1 = env
            .run(&a(), |tx| tx.create_route_table(&va, Tags::new()))
            .expect("rtb");
        let t2 = env
            .run(&a(), |tx| tx.create_route_table(&va, Tags::new()))
            .expect("rtb");
        assert_eq!(
            env.world.route_tables[&t1].routes.len(),
            2,
            "a local route per block"
        );
        assert!(env.world.route_tables[&t1]
            .routes
            .iter()
            .all(|r| r.target == RouteTarget::Local && r.origin == RouteOrigin::CreateRouteTable));
        let rows: Vec<(&str, AssocRequest, &str)> = vec![
            (&t1, AssocRequest::Subnet(sa.clone()), "ok"),
            (&t1, AssocRequest::Subnet(sb.clone()), "Invalid"),
            (
                &t1,
                AssocRequest::Subnet("subnet-0123456789abcdef0".into()),
                "NotFound",
            ),
            (
                &t1,
                AssocRequest::Gateway("igw-0123456789abcdef0".into()),
                "NotFound",
            ),
            (
                &t1,
                AssocRequest::Gateway("vgw-0123456789abcdef0".into()),
                "NotFound",
            ),
            (
                "rtb-0123456789abcdef0",
                AssocRequest::Subnet(sa.clone()),
                "NotFound",
            ),
        ];
        for (t, what, want) in rows {
            let w = format!("{what:?}");
            let got = env.probe(&a(), |tx| tx.associate_route_table(t, what));
            assert_eq!(outcome(&got), want, "{t} {w}");
        }
        let assoc = env
            .run(&a(), |tx| {
                tx.associate_route_table(&t1, AssocRequest::Subnet(sa.clone()))
            })
            .expect("assoc");
        for t in [&t1, &t2, &main] {
            let got = env.probe(&a(), |tx| {
                tx.associate_route_table(t, AssocRequest::Subnet(sa.clone()))
            });
            assert_eq!(outcome(&got), "AlreadyAssociated", "{t}");
        }
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.delete_route_table(&t1))),
            "Dependency"
        );
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.delete_route_table(&main))),
            "Dependency"
        );
        assert_eq!(
            outcome(&env.probe(&b(), |tx| tx.delete_route_table(&t2))),
            "NotFound"
        );
        let moved = env
            .run(&a(), |tx| tx.replace_route_table_association(&assoc, &t2))
            .expect("replace");
        assert!(env.world.route_tables[&t1].associations.is_empty());
        assert_eq!(env.world.route_tables[&t2].associations[0].id, moved);
        let main_b = main_table(&env, &vb);
        assert_eq!(
            outcome(&env.probe(&a(), |tx| {
                tx.replace_route_table_association(&moved, &main_b)
            })),
            "Invalid"
        );
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.disassociate_route_table(&assoc))),
            "NotFound"
        );
        env.run(&a(), |tx| tx.disassociate_route_table(&moved))
            .expect("disassociate");
        env.run(&a(), |tx| tx.delete_route_table(&t1))
            .expect("delete t1");
        // Moving the main association.
        let main_assoc = env.world.route_tables[&main].associations[0].id.clone();
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.disassociate_route_table(&main_assoc))),
            "Invalid"
        );
        env.run(&a(), |tx| {
            tx.replace_route_table_association(&main_assoc, &t2)
        })
        .expect("new main");
        assert!(env.world.route_tables[&t2].is_main());
        assert!(!env.world.route_tables[&main].is_main());
        env.run(&a(), |tx| tx.delete_route_table(&main))
            .expect("old main deletable");
        // Quota.
        env.limits.route_tables_per_vpc = Some(2);
        env.run(&a(), |tx| tx.create_route_table(&va, Tags::new()))
            .expect("second");
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_route_table(&va, Tags::new()))),
            "Limit"
        );
    }

    #[test]
    fn gateway_edge_association() {
        let mut env = TestEnv::new();
        let va = env.vpc(&a(), "10.0.0.0/16");
        let igw = new_igw(&mut env);
        let t = env
            .run(&a(), |tx| tx.create_route_table(&va, Tags::new()))
            .expect("rtb");
        let got = env.probe(&a(), |tx| {
            tx.associate_route_table(&t, AssocRequest::Gateway(igw.clone()))
        });
        assert_eq!(outcome(&got), "Invalid", "detached gateway");
        attach_igw(&mut env, &igw, &va);
        let assoc = env
            .run(&a(), |tx| {
                tx.associate_route_table(&t, AssocRequest::Gateway(igw.clone()))
            })
            .expect("edge");
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.detach_internet_gateway(&igw, &va))),
            "Dependency"
        );
        env.run(&a(), |tx| tx.disassociate_route_table(&assoc))
            .expect("disassociate");
        env.run(&a(), |tx| tx.detach_internet_gateway(&igw, &va))
            .expect("detach");
    }
}
