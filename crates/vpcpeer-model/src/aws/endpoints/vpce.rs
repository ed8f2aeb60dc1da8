//! VPC endpoints (`CreateVpcEndpoint`, `ModifyVpcEndpoint`, `DeleteVpcEndpoints`): gateway
//! endpoints, which program route tables with a route from the service's AWS-managed prefix list
//! to the endpoint, and interface endpoints, which get one network interface per subnet.
//!
//! Rules, from the EC2 API Reference and AWS PrivateLink's guide:
//! - The service must be in the region's catalogue ([`super::catalogue`]) and offer the type
//!   (`InvalidServiceName` otherwise); the type defaults to `Gateway`.
//! - A gateway endpoint takes route tables of its VPC; each gets the route
//!   `pl-… → vpce-…` (origin `CreateRoute`, as DescribeRouteTables shows on AWS), which the
//!   endpoint owns: DeleteRoute and ReplaceRoute refuse it, ModifyVpcEndpoint and
//!   DeleteVpcEndpoints remove it. A table already routing the service's list is refused.
//! - An interface endpoint takes subnets of its VPC, at most one per zone, and security groups
//!   of its VPC (none given: the VPC's default group); each subnet gets a network interface of
//!   type `vpc_endpoint` (requester-managed: DeleteNetworkInterface refuses it).
//! - Endpoints are `available` at once. A VPC with an endpoint cannot be deleted.
//!
//! Choices where AWS is unverified [UNVERIFIED]:
//! - `GatewayLoadBalancer`, `Resource` and `ServiceNetwork` endpoints are refused with
//!   `InvalidParameterValue` (not modelled).
//! - A policy document is checked only for being a JSON object's text (`{…}`); it is stored
//!   as given. Without one, the endpoint shows the full-access default policy.
//! - `ClientToken` is echoed, not honoured.
//! - Deleting a route table removes it from the gateway endpoints that listed it.

use serde::{Deserialize, Serialize};

use super::catalogue::{self, EndpointType};
use super::prefix_list::{aws_managed_list, PrefixListId};
use crate::{
    Destination, DomainError, EndpointProblem, Kind, LimitKind, NetworkInterface, Route,
    RouteOrigin, RouteTable, RouteTarget, Scope, SecurityGroup, Subnet, Tags, Timestamp, Tx, Vpc,
};

/// A VPC endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Its VPC.
    pub vpc_id: String,
    /// `com.amazonaws.<region>.<service>`.
    pub service_name: String,
    /// Gateway or interface.
    pub endpoint_type: EndpointType,
    /// The policy document as given (`None`: the default full-access policy).
    pub policy: Option<String>,
    /// Route tables (gateway endpoints).
    pub route_table_ids: Vec<String>,
    /// Subnets (interface endpoints).
    pub subnet_ids: Vec<String>,
    /// Security groups (interface endpoints).
    pub group_ids: Vec<String>,
    /// Its network interfaces, one per subnet, in subnet order.
    pub eni_ids: Vec<String>,
    /// `PrivateDnsEnabled`.
    pub private_dns: bool,
    /// Creation time.
    pub created: Timestamp,
    /// User tags.
    pub tags: Tags,
}

/// The policy an endpoint without one shows (AWS's default: full access).
pub const DEFAULT_POLICY: &str = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

impl VpcEndpoint {
    /// The policy shown: the stored one, or the default.
    pub fn policy_document(&self) -> &str {
        self.policy.as_deref().unwrap_or(DEFAULT_POLICY)
    }

    /// The service's short name (`s3`).
    pub fn service_short(&self) -> &str {
        self.service_name.rsplit('.').next().unwrap_or_default()
    }
}

/// An endpoint to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEndpoint {
    /// `VpcId`.
    pub vpc_id: String,
    /// `ServiceName`.
    pub service_name: String,
    /// `VpcEndpointType`, as given (`None`: `Gateway`).
    pub endpoint_type: Option<String>,
    /// `PolicyDocument`.
    pub policy: Option<String>,
    /// `RouteTableId.N`.
    pub route_table_ids: Vec<String>,
    /// `SubnetId.N`.
    pub subnet_ids: Vec<String>,
    /// `SecurityGroupId.N`.
    pub group_ids: Vec<String>,
    /// `PrivateDnsEnabled`.
    pub private_dns: Option<bool>,
    /// Tags.
    pub tags: Tags,
}

/// A change to an endpoint (ModifyVpcEndpoint).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointChange {
    /// The endpoint.
    pub id: String,
    /// `AddRouteTableId.N`.
    pub add_route_tables: Vec<String>,
    /// `RemoveRouteTableId.N`.
    pub remove_route_tables: Vec<String>,
    /// `AddSubnetId.N`.
    pub add_subnets: Vec<String>,
    /// `RemoveSubnetId.N`.
    pub remove_subnets: Vec<String>,
    /// `AddSecurityGroupId.N`.
    pub add_groups: Vec<String>,
    /// `RemoveSecurityGroupId.N`.
    pub remove_groups: Vec<String>,
    /// `PolicyDocument`.
    pub policy: Option<String>,
    /// `ResetPolicy`.
    pub reset_policy: bool,
    /// `PrivateDnsEnabled`.
    pub private_dns: Option<bool>,
}

fn problem(p: EndpointProblem) -> DomainError {
    DomainError::Endpoint(p)
}

fn parse_type(text: Option<&str>) -> Result<EndpointType, DomainError> {
    match text {
        None | Some("Gateway") => Ok(EndpointType::Gateway),
        Some("Interface") => Ok(EndpointType::Interface),
        Some(t @ ("GatewayLoadBalancer" | "Resource" | "ServiceNetwork")) => {
            Err(problem(EndpointProblem::UnsupportedType {
                value: t.to_owned(),
            }))
        }
        Some(other) => Err(problem(EndpointProblem::EndpointType {
            value: other.to_owned(),
        })),
    }
}

fn check_policy(policy: &str) -> Result<(), DomainError> {
    let t = policy.trim();
    if t.starts_with('{') && t.ends_with('}') {
        Ok(())
    } else {
        Err(problem(EndpointProblem::Policy))
    }
}

fn wrong_type(t: EndpointType, what: &'static str) -> DomainError {
    problem(EndpointProblem::WrongTypeParameter {
        endpoint_type: t,
        what,
    })
}

fn not_in_vpc(id: &str, vpc_id: &str) -> DomainError {
    problem(EndpointProblem::NotInVpc {
        id: id.to_owned(),
        vpc_id: vpc_id.to_owned(),
    })
}

/// Ids in first-seen order, each once.
fn dedup(ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

impl Tx<'_, '_> {
    /// The caller's endpoint `id`.
    pub fn endpoint(&self, id: &str) -> Result<&VpcEndpoint, DomainError> {
        self.owned::<VpcEndpoint>(id)
    }

    /// The prefix list id the gateway endpoints of `service_short` route to in the caller's
    /// region.
    fn service_list(&self, service_short: &str) -> PrefixListId {
        let list = aws_managed_list(&self.scope().region, service_short);
        PrefixListId::parse(&list.id).expect("AWS-managed ids have the shape of a prefix list id")
    }

    /// Checks that table `table_id` can take the route of gateway endpoint `endpoint_id` to
    /// `pl`, and adds it.
    fn program_table(
        &mut self,
        table_id: &str,
        vpc_id: &str,
        pl: PrefixListId,
        endpoint_id: &str,
    ) -> Result<(), DomainError> {
        let table = self.owned::<RouteTable>(table_id)?.clone();
        if table.vpc_id != vpc_id {
            return Err(not_in_vpc(table_id, vpc_id));
        }
        let dest = Destination::PrefixList(pl);
        if let Some(r) = table.routes.iter().find(|r| r.destination == dest) {
            return Err(problem(EndpointProblem::RouteTableTaken {
                route_table_id: table_id.to_owned(),
                endpoint_id: r.target.id().to_owned(),
            }));
        }
        if let Some(limit) = self.ctx.limits.routes_per_table {
            let weight = |id: &str| self.prefix_list_route_weight(id);
            let (v4, _) = crate::aws::route::route_counts(&table, weight);
            if v4 + weight(pl.as_str()).0 > limit {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::RoutesPerTable,
                    max: limit,
                    resource: Some(table_id.to_owned()),
                });
            }
        }
        self.owned_mut::<RouteTable>(table_id)?.routes.push(Route {
            destination: dest,
            target: RouteTarget::VpcEndpoint(endpoint_id.to_owned()),
            origin: RouteOrigin::CreateRoute,
        });
        Ok(())
    }

    /// Removes the route of endpoint `endpoint_id` from table `table_id` (if it is still there).
    fn unprogram_table(&mut self, table_id: &str, endpoint_id: &str) {
        if let Some(t) = self.get_mut::<RouteTable>(table_id) {
            t.routes
                .retain(|r| !matches!(&r.target, RouteTarget::VpcEndpoint(v) if v == endpoint_id));
        }
    }

    /// A security group of the caller in `vpc_id`.
    fn endpoint_group(&self, id: &str, vpc_id: &str) -> Result<(), DomainError> {
        let g = self.owned::<SecurityGroup>(id)?;
        if g.vpc_id != vpc_id {
            return Err(not_in_vpc(id, vpc_id));
        }
        Ok(())
    }

    /// Adds an interface of endpoint `endpoint_id` in `subnet_id` (a subnet of `vpc_id` whose
    /// zone the endpoint does not use yet: `zones` holds the zones it uses).
    fn endpoint_interface(
        &mut self,
        subnet_id: &str,
        vpc_id: &str,
        endpoint_id: &str,
        groups: &[String],
        zones: &mut Vec<String>,
    ) -> Result<String, DomainError> {
        let subnet: Subnet = self.subnet(subnet_id)?.clone();
        if subnet.vpc_id != vpc_id {
            return Err(not_in_vpc(subnet_id, vpc_id));
        }
        if zones.contains(&subnet.availability_zone) {
            return Err(problem(EndpointProblem::SubnetZoneTaken {
                subnet_id: subnet_id.to_owned(),
                zone: subnet.availability_zone,
            }));
        }
        zones.push(subnet.availability_zone.clone());
        let ip = self.allocate_private_ip(subnet_id, None, &[])?;
        let eni_id = self.new_id("eni");
        self.put(NetworkInterface {
            groups: groups.to_vec(),
            ..crate::aws::gateway::service_interface(
                &eni_id,
                self.scope().clone(),
                &subnet,
                ip,
                "vpc_endpoint",
                format!("VPC Endpoint Interface {endpoint_id}"),
            )
        });
        Ok(eni_id)
    }

    /// CreateVpcEndpoint.
    pub fn create_endpoint(&mut self, input: NewEndpoint) -> Result<VpcEndpoint, DomainError> {
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        let endpoint_type = parse_type(input.endpoint_type.as_deref())?;
        let vpc = self.owned::<Vpc>(&input.vpc_id)?.clone();
        let service =
            catalogue::service(&self.scope().region, &input.service_name).ok_or_else(|| {
                problem(EndpointProblem::UnknownService {
                    name: input.service_name.clone(),
                })
            })?;
        if !service.types.contains(&endpoint_type) {
            return Err(problem(EndpointProblem::TypeNotOffered {
                name: service.name.clone(),
                endpoint_type,
            }));
        }
        if let Some(p) = &input.policy {
            check_policy(p)?;
        }
        let id = self.new_id("vpce");
        let mut endpoint = VpcEndpoint {
            id: id.clone(),
            scope: self.scope().clone(),
            vpc_id: vpc.id.clone(),
            service_name: service.name.clone(),
            endpoint_type,
            policy: input.policy,
            route_table_ids: Vec::new(),
            subnet_ids: Vec::new(),
            group_ids: Vec::new(),
            eni_ids: Vec::new(),
            private_dns: input
                .private_dns
                .unwrap_or(endpoint_type == EndpointType::Interface),
            created: self.now(),
            tags: input.tags,
        };
        match endpoint_type {
            EndpointType::Gateway => {
                if !input.subnet_ids.is_empty() {
                    return Err(wrong_type(endpoint_type, "subnets"));
                }
                if !input.group_ids.is_empty() {
                    return Err(wrong_type(endpoint_type, "security groups"));
                }
                let pl = self.service_list(service.short);
                for t in dedup(&input.route_table_ids) {
                    self.program_table(&t, &vpc.id, pl, &id)?;
                    endpoint.route_table_ids.push(t);
                }
            }
            EndpointType::Interface => {
                if !input.route_table_ids.is_empty() {
                    return Err(wrong_type(endpoint_type, "route tables"));
                }
                let mut groups = dedup(&input.group_ids);
                for g in &groups {
                    self.endpoint_group(g, &vpc.id)?;
                }
                if groups.is_empty() {
                    let default = self
                        .in_vpc::<SecurityGroup>(&vpc.id)
                        .find(|g| g.name == "default")
                        .map(|g| g.id.clone());
                    groups.extend(default);
                }
                let mut zones = Vec::new();
                for s in dedup(&input.subnet_ids) {
                    let eni = self.endpoint_interface(&s, &vpc.id, &id, &groups, &mut zones)?;
                    endpoint.subnet_ids.push(s);
                    endpoint.eni_ids.push(eni);
                }
                endpoint.group_ids = groups;
            }
        }
        self.put(endpoint.clone());
        Ok(endpoint)
    }

    /// ModifyVpcEndpoint.
    pub fn modify_endpoint(&mut self, change: EndpointChange) -> Result<(), DomainError> {
        let mut e = self.endpoint(&change.id)?.clone();
        let t = e.endpoint_type;
        match t {
            EndpointType::Gateway => {
                if !change.add_subnets.is_empty() || !change.remove_subnets.is_empty() {
                    return Err(wrong_type(t, "subnets"));
                }
                if !change.add_groups.is_empty() || !change.remove_groups.is_empty() {
                    return Err(wrong_type(t, "security groups"));
                }
            }
            EndpointType::Interface => {
                if !change.add_route_tables.is_empty() || !change.remove_route_tables.is_empty() {
                    return Err(wrong_type(t, "route tables"));
                }
            }
        }
        if change.policy.is_some() && change.reset_policy {
            return Err(problem(EndpointProblem::PolicyAndReset));
        }
        if let Some(p) = &change.policy {
            check_policy(p)?;
        }
        // Removals first, so a table or subnet may be removed and added back in one request.
        for rt in dedup(&change.remove_route_tables) {
            self.owned::<RouteTable>(&rt)?;
            if !e.route_table_ids.contains(&rt) {
                return Err(DomainError::not_found(Kind::RouteTable, rt));
            }
            self.unprogram_table(&rt, &e.id);
            e.route_table_ids.retain(|x| *x != rt);
        }
        if !change.add_route_tables.is_empty() {
            let pl = self.service_list(e.service_short());
            for rt in dedup(&change.add_route_tables) {
                if e.route_table_ids.contains(&rt) {
                    continue;
                }
                self.program_table(&rt, &e.vpc_id, pl, &e.id)?;
                e.route_table_ids.push(rt);
            }
        }
        for g in dedup(&change.remove_groups) {
            if !e.group_ids.contains(&g) {
                return Err(DomainError::not_found(Kind::SecurityGroup, g));
            }
            e.group_ids.retain(|x| *x != g);
        }
        for g in dedup(&change.add_groups) {
            self.endpoint_group(&g, &e.vpc_id)?;
            if !e.group_ids.contains(&g) {
                e.group_ids.push(g);
            }
        }
        for s in dedup(&change.remove_subnets) {
            let Some(i) = e.subnet_ids.iter().position(|x| *x == s) else {
                return Err(DomainError::not_found(Kind::Subnet, s));
            };
            e.subnet_ids.remove(i);
            let eni = e.eni_ids.remove(i);
            self.remove::<NetworkInterface>(&eni);
        }
        let mut zones: Vec<String> = e
            .subnet_ids
            .iter()
            .filter_map(|s| self.get::<Subnet>(s).map(|s| s.availability_zone.clone()))
            .collect();
        for s in dedup(&change.add_subnets) {
            if e.subnet_ids.contains(&s) {
                continue;
            }
            let groups = e.group_ids.clone();
            let eni = self.endpoint_interface(&s, &e.vpc_id, &e.id, &groups, &mut zones)?;
            e.subnet_ids.push(s);
            e.eni_ids.push(eni);
        }
        if t == EndpointType::Interface {
            let groups = e.group_ids.clone();
            for eni in &e.eni_ids {
                if let Some(n) = self.get_mut::<NetworkInterface>(eni) {
                    if n.groups != groups {
                        n.groups = groups.clone();
                    }
                }
            }
        }
        if change.reset_policy {
            e.policy = None;
        }
        if let Some(p) = change.policy {
            e.policy = Some(p);
        }
        if let Some(d) = change.private_dns {
            e.private_dns = d;
        }
        self.put(e);
        Ok(())
    }

    /// DeleteVpcEndpoints: deletes each endpoint the caller has (its routes and interfaces go
    /// with it); each other id is reported back with the reason, and does not stop the others.
    pub fn delete_endpoints(&mut self, ids: &[String]) -> Vec<(String, DomainError)> {
        let mut unsuccessful = Vec::new();
        for id in dedup(ids) {
            let e = match self.endpoint(&id) {
                Ok(e) => e.clone(),
                Err(err) => {
                    unsuccessful.push((id, err));
                    continue;
                }
            };
            for rt in &e.route_table_ids {
                self.unprogram_table(rt, &e.id);
            }
            for eni in &e.eni_ids {
                self.remove::<NetworkInterface>(eni);
            }
            self.remove::<VpcEndpoint>(&e.id);
        }
        unsuccessful
    }

    /// The caller's endpoint that owns the route to `dest` in table `table`, if one does.
    pub(crate) fn endpoint_owning(&self, table: &RouteTable, dest: &Destination) -> Option<String> {
        let r = table.routes.iter().find(|r| r.destination == *dest)?;
        match &r.target {
            RouteTarget::VpcEndpoint(v) => self
                .get::<VpcEndpoint>(v)
                .filter(|e| e.route_table_ids.contains(&table.id))
                .map(|e| e.id.clone()),
            _ => None,
        }
    }

    /// Takes a deleted route table out of the gateway endpoints that list it.
    pub(crate) fn forget_route_table(&mut self, table_id: &str) {
        let ids: Vec<String> = self
            .list_owned::<VpcEndpoint>()
            .filter(|e| e.route_table_ids.iter().any(|t| t == table_id))
            .map(|e| e.id.clone())
            .collect();
        for id in ids {
            if let Some(e) = self.get_mut::<VpcEndpoint>(&id) {
                e.route_table_ids.retain(|t| t != table_id);
            }
        }
    }
}
