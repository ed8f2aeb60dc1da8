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
//!   `InvalidParameterCombination` (the EC2 face refuses these while it parses the request into
//!   a [`RouteSpec`]).
//! - A route to a managed prefix list (`DestinationPrefixListId`) needs a list the caller sees
//!   (its own or an AWS-managed one); it counts as the list's `MaxEntries` routes of the list's
//!   family in the table's route quota (the Amazon VPC User Guide, "Managed prefix lists").
//!   A route a gateway VPC endpoint programmed cannot be replaced or deleted by hand
//!   [UNVERIFIED code: `InvalidParameterValue`].
//! - A route to a stopped instance is `blackhole`, as to a terminated one; so is a route to an
//!   interface that is detached or whose instance is stopped or terminated.
//! - `ClientToken` of CreateRouteTable is accepted and echoed but not honoured (a retry creates a
//!   second table): route tables have no field to remember it by.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use serde::{Deserialize, Serialize};

use crate::aws::error::Field;
use crate::aws::vpc::local_route;
use crate::aws::{check_limit, has_id_shape};
use crate::{
    Attached, Destination, DomainError, Instance, InstanceState, InternetGateway, Kind, LimitKind,
    Mismatch, NatGateway, NatState, NetworkInterface, Route, RouteOrigin, RouteProblem, RouteTable,
    RouteTarget, RtAssocTarget, RtAssociation, Subnet, Tags, Timestamp, Tx, Vpc, World,
};

/// Whether an instance in `state` forwards traffic (a route to it, or to its interface, is
/// active): pending or running.
pub fn instance_forwards(state: InstanceState) -> bool {
    matches!(state, InstanceState::Running | InstanceState::Pending)
}

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
/// - internet gateway or virtual private gateway (`vgw-`) → blackhole when deleted or detached;
/// - NAT gateway → active iff it exists and is available;
/// - instance → blackhole when gone, stopped or terminated;
/// - network interface → blackhole when gone, detached, or its instance is not running (a
///   service's interface, never attached, is active while it exists);
/// - egress-only internet gateway → blackhole when deleted;
/// - targets the emulator does not model → active.
pub fn route_state(world: &World, route: &Route, now: Timestamp) -> RouteState {
    let ok = match &route.target {
        RouteTarget::Local => true,
        RouteTarget::Peering(id) => world
            .aws
            .peerings
            .get(id)
            .is_some_and(|p| p.is_active_at(now)),
        RouteTarget::Gateway(id) if id.starts_with("vgw-") => world
            .aws
            .vpn_gateways
            .get(id)
            .is_some_and(|g| g.attached_vpc().is_some()),
        RouteTarget::Gateway(id) => world
            .aws
            .internet_gateways
            .get(id)
            .is_some_and(|g| g.attached_vpc.is_some()),
        RouteTarget::NatGateway(id) => world
            .aws
            .nat_gateways
            .get(id)
            .is_some_and(|n| n.state == NatState::Available),
        RouteTarget::Instance(id) => world
            .aws
            .instances
            .get(id)
            .is_some_and(|i| instance_forwards(i.state)),
        RouteTarget::NetworkInterface(id) => {
            world
                .aws
                .network_interfaces
                .get(id)
                .is_some_and(|e| match &e.attachment {
                    Some(a) => world
                        .aws
                        .instances
                        .get(&a.instance_id)
                        .is_some_and(|i| instance_forwards(i.state)),
                    // A service's interface (NAT gateway, endpoint) has no instance to stop.
                    None => e.interface_type != "interface",
                })
        }
        RouteTarget::EgressOnlyInternetGateway(id) => {
            world.aws.egress_only_gateways.contains_key(id)
        }
        RouteTarget::TransitGateway(_) | RouteTarget::VpcEndpoint(_) => true,
    };
    if ok {
        RouteState::Active
    } else {
        RouteState::Blackhole
    }
}

/// [`route_state`] of a route of `table`, also requiring an internet gateway or virtual private
/// gateway to be attached to the table's own VPC (one detached and attached elsewhere leaves the
/// route a blackhole).
pub fn table_route_state(
    world: &World,
    table: &RouteTable,
    route: &Route,
    now: Timestamp,
) -> RouteState {
    if let RouteTarget::Gateway(id) = &route.target {
        let here = Some(table.vpc_id.as_str());
        let attached_here = if id.starts_with("vgw-") {
            world
                .aws
                .vpn_gateways
                .get(id)
                .is_some_and(|g| g.attached_vpc() == here)
        } else {
            world
                .aws
                .internet_gateways
                .get(id)
                .is_some_and(|g| g.attached_vpc.as_deref() == here)
        };
        if !attached_here {
            return RouteState::Blackhole;
        }
    }
    route_state(world, route, now)
}

/// A route of a table, as CreateRoute and ReplaceRoute ask for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteSpec {
    /// The table.
    pub route_table_id: String,
    /// The destination ([`check_destination`] holds for it).
    pub destination: Destination,
    /// The one target.
    pub target: RouteTarget,
}

/// What an association binds, as requested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// Refuses a destination inside the ranges EC2 reserves (`169.254.168.0/22`, `fd00:ec2::/32`).
pub fn check_destination(dest: &Destination) -> Result<(), DomainError> {
    let reserved = match dest {
        Destination::V4(net) => {
            let r = reserved_v4();
            (r.contains(&net.network()) && net.prefix_len() >= r.prefix_len())
                .then_some(Destination::V4(r))
        }
        Destination::V6(net) => {
            let r = reserved_v6();
            (r.contains(&net.network()) && net.prefix_len() >= r.prefix_len())
                .then_some(Destination::V6(r))
        }
        Destination::PrefixList(_) => None,
    };
    match reserved {
        Some(reserved) => Err(DomainError::Route(RouteProblem::ReservedDestination {
            destination: *dest,
            reserved,
        })),
        None => Ok(()),
    }
}

fn family(d: &Destination) -> bool {
    matches!(d, Destination::V4(_))
}

/// The non-local routes of `table` counted as the route quota counts them, per family (IPv4,
/// IPv6): a route to a prefix list counts as `weight(list)`, which gives the list's
/// `MaxEntries` and whether its family is IPv4.
pub(crate) fn route_counts(
    table: &RouteTable,
    weight: impl Fn(&str) -> (usize, bool),
) -> (usize, usize) {
    table
        .routes
        .iter()
        .filter(|r| r.target != RouteTarget::Local)
        .fold((0, 0), |(v4, v6), r| match &r.destination {
            Destination::V4(_) => (v4 + 1, v6),
            Destination::V6(_) => (v4, v6 + 1),
            Destination::PrefixList(p) => match weight(p.as_str()) {
                (n, true) => (v4 + n, v6),
                (n, false) => (v4, v6 + n),
            },
        })
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
    let d = match *dest {
        Destination::V4(d) => IpNet::V4(d),
        Destination::V6(d) => IpNet::V6(d),
        Destination::PrefixList(_) => return LocalRelation::Outside,
    };
    // A block of the other family neither equals nor contains `d`.
    let blocks = vpc
        .ipv4_cidrs()
        .map(IpNet::V4)
        .chain(vpc.ipv6_cidrs().map(IpNet::V6));
    for b in blocks {
        if b == d {
            return LocalRelation::Equal;
        }
        if b.contains(&d.network()) && d.prefix_len() > b.prefix_len() {
            return LocalRelation::Inside;
        }
    }
    LocalRelation::Outside
}

fn different_networks(table: &str, target: &str) -> DomainError {
    DomainError::DifferentVpcs(Mismatch::TableAndTarget {
        table_id: table.to_owned(),
        target_id: target.to_owned(),
    })
}

/// The place of the route to `dest` in `table`, or the refusal naming both when there is none.
fn route_index(table: &RouteTable, dest: &Destination) -> Result<usize, DomainError> {
    table
        .routes
        .iter()
        .position(|r| r.destination == *dest)
        .ok_or_else(|| DomainError::RouteNotFound {
            destination: *dest,
            table: table.id.clone(),
        })
}

/// Refuses a target id of a kind the emulator does not model (`value` in `field`) unless it
/// has the shape `<prefix>-<8 or 17 lowercase hex>`.
fn check_target_id(id: &str, prefix: &str, field: Field) -> Result<(), DomainError> {
    if !has_id_shape(id, prefix) {
        return Err(DomainError::Invalid {
            field,
            value: id.to_owned(),
        });
    }
    Ok(())
}

impl Tx<'_, '_> {
    /// CreateRouteTable: a table with one local route per VPC block; returns its id.
    pub fn create_route_table(&mut self, vpc_id: &str, tags: Tags) -> Result<String, DomainError> {
        self.check_tag_count(&Tags::new(), &tags, None)?;
        let vpc = self.owned::<Vpc>(vpc_id)?.clone();
        check_limit(
            self.ctx.limits.route_tables_per_vpc,
            LimitKind::RouteTablesPerVpc,
            Some(vpc_id),
            || self.in_vpc::<RouteTable>(vpc_id).count(),
        )?;
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
        self.forget_route_table(id);
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
                    return Err(DomainError::DifferentVpcs(Mismatch::TableAndSubnet {
                        table_id: table_id.to_owned(),
                        subnet_id: s,
                    }));
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
            return Err(DomainError::Attached(Attached::RouteTableTarget {
                table_id: table_id.to_owned(),
                target,
                association_id: existing,
            }));
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
            return Err(DomainError::Route(RouteProblem::MainAssociation {
                association_id: assoc_id.to_owned(),
            }));
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
            return Err(DomainError::DifferentVpcs(Mismatch::TableAndAssociation {
                table_id: new_table_id.to_owned(),
                association_id: assoc_id.to_owned(),
            }));
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
                } else if g.starts_with("vgw-") {
                    let vgw = self
                        .owned::<crate::VpnGateway>(g)
                        .map_err(|_| DomainError::not_found(Kind::Gateway, g.clone()))?;
                    if vgw.attached_vpc() != Some(table.vpc_id.as_str()) {
                        return Err(different_networks(tid, g));
                    }
                } else {
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
                let inter_region = pcx.requester.scope.region != pcx.accepter.scope.region;
                if matches!(dest, Destination::V6(_))
                    && inter_region
                    && !self.ctx.limits.ipv6_over_inter_region_peering
                {
                    return Err(DomainError::Ipv6(crate::Ipv6Problem::InterRegionPeering {
                        peering_id: p.clone(),
                    }));
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
                    return Err(DomainError::Route(
                        RouteProblem::InstanceWithSeveralInterfaces {
                            instance_id: i.clone(),
                        },
                    ));
                }
            }
            RouteTarget::NetworkInterface(e) => {
                let eni = self.owned::<NetworkInterface>(e)?;
                if eni.vpc_id != table.vpc_id {
                    return Err(different_networks(tid, e));
                }
            }
            RouteTarget::TransitGateway(t) => {
                check_target_id(t, "tgw", Field::RouteTransitGateway)?
            }
            RouteTarget::EgressOnlyInternetGateway(e) => {
                check_target_id(e, "eigw", Field::RouteEgressOnlyGateway)?;
                if family(dest) {
                    return Err(DomainError::Route(RouteProblem::EgressOnlyForIpv4 {
                        gateway_id: e.clone(),
                    }));
                }
                let gw = self
                    .owned::<crate::EgressOnlyInternetGateway>(e)
                    .map_err(|_| DomainError::not_found(Kind::Gateway, e.clone()))?;
                if gw.vpc_id != table.vpc_id {
                    return Err(different_networks(tid, e));
                }
            }
            RouteTarget::VpcEndpoint(v) => check_target_id(v, "vpce", Field::RouteEndpoint)?,
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
        let subnet_match = self.in_vpc::<Subnet>(&vpc.id).any(|s: &Subnet| match dest {
            Destination::V4(d) => s.cidr == Some(*d),
            Destination::V6(d) => s.ipv6.as_ref().is_some_and(|(_, c)| c == d),
            Destination::PrefixList(_) => false,
        });
        let target_ok = matches!(
            target,
            RouteTarget::NetworkInterface(_)
                | RouteTarget::Instance(_)
                | RouteTarget::NatGateway(_)
                | RouteTarget::VpcEndpoint(_)
        );
        if !subnet_match || !target_ok {
            return Err(DomainError::Route(RouteProblem::MoreSpecificThanVpc {
                destination: *dest,
            }));
        }
        Ok(())
    }

    /// The caller's table `id` and `dest`, checked.
    fn route_of(&self, id: &str, dest: &Destination) -> Result<RouteTable, DomainError> {
        let table = self.owned::<RouteTable>(id)?.clone();
        check_destination(dest)?;
        if let Destination::PrefixList(p) = dest {
            self.prefix_list(p.as_str())?;
        }
        Ok(table)
    }

    /// Refuses a change by hand of a route a VPC endpoint manages.
    fn check_not_managed(&self, table: &RouteTable, dest: &Destination) -> Result<(), DomainError> {
        match self.endpoint_owning(table, dest) {
            Some(endpoint_id) => Err(DomainError::Endpoint(
                crate::EndpointProblem::ManagedRoute {
                    route_table_id: table.id.clone(),
                    endpoint_id,
                },
            )),
            None => Ok(()),
        }
    }

    /// CreateRoute.
    pub fn create_route(&mut self, spec: RouteSpec) -> Result<(), DomainError> {
        let table = self.route_of(&spec.route_table_id, &spec.destination)?;
        let dest = spec.destination;
        let target = self.check_target(&table, spec.target, &dest)?;
        let vpc = self.owned::<Vpc>(&table.vpc_id)?.clone();
        let relation = local_relation(&vpc, &dest);
        if matches!(relation, LocalRelation::Equal)
            || table.routes.iter().any(|r| r.destination == dest)
        {
            return Err(DomainError::RouteAlreadyExists { destination: dest });
        }
        match (relation, &target) {
            (_, RouteTarget::Local) => {
                return Err(DomainError::Route(RouteProblem::LocalNotVpcBlock {
                    destination: dest,
                    vpc_id: vpc.id.clone(),
                }));
            }
            (LocalRelation::Inside, t) => self.check_more_specific(&vpc, &dest, t)?,
            _ => {}
        }
        if let Some(max) = self.ctx.limits.routes_per_table {
            let weight = |id: &str| self.prefix_list_route_weight(id);
            let (v4, v6) = route_counts(&table, weight);
            let (add, is_v4) = match &dest {
                Destination::V4(_) => (1, true),
                Destination::V6(_) => (1, false),
                Destination::PrefixList(p) => weight(p.as_str()),
            };
            if (if is_v4 { v4 } else { v6 }) + add > max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::RoutesPerTable,
                    max,
                    resource: Some(table.id.clone()),
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
    pub fn replace_route(&mut self, spec: RouteSpec) -> Result<(), DomainError> {
        let table = self.route_of(&spec.route_table_id, &spec.destination)?;
        let dest = spec.destination;
        let target = self.check_target(&table, spec.target, &dest)?;
        let idx = route_index(&table, &dest)?;
        self.check_not_managed(&table, &dest)?;
        let vpc = self.owned::<Vpc>(&table.vpc_id)?.clone();
        let relation = local_relation(&vpc, &dest);
        match (&relation, &target) {
            (LocalRelation::Equal, RouteTarget::Local) => {}
            (LocalRelation::Equal, _) => {
                return Err(DomainError::Route(RouteProblem::LocalReplaced {
                    destination: dest,
                    table_id: table.id.clone(),
                }));
            }
            (LocalRelation::Outside, RouteTarget::Local) => {
                return Err(DomainError::Route(RouteProblem::LocalOutsideVpc {
                    destination: dest,
                    vpc_id: vpc.id.clone(),
                }));
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
    pub fn delete_route(
        &mut self,
        route_table_id: &str,
        dest: Destination,
    ) -> Result<(), DomainError> {
        let table = self.route_of(route_table_id, &dest)?;
        let route = &table.routes[route_index(&table, &dest)?];
        self.check_not_managed(&table, &dest)?;
        if route.target == RouteTarget::Local {
            return Err(DomainError::Route(RouteProblem::LocalDeleted {
                destination: dest,
                table_id: table.id.clone(),
            }));
        }
        self.owned_mut::<RouteTable>(&table.id)?
            .routes
            .retain(|r| r.destination != dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
