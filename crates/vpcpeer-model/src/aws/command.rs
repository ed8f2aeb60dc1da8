//! The AWS command enum: every change the EC2 face can ask for, as a value, and its one
//! [`Apply::apply`]. Each variant carries typed, already-parsed input (the wire crate turns
//! parameters into these); the outcome carries what the reply shows.

use serde::{Deserialize, Serialize};

use crate::aws::acl::AclEntryRequest;
use crate::aws::appliance::{ApplianceCommand, ApplianceOutcome};
use crate::aws::dhcp::{DhcpCommand, DhcpOutcome};
use crate::aws::eip::EipCommand;
use crate::aws::endpoints::{EndpointCommand, EndpointOutcome};
use crate::aws::gateway::NewNat;
use crate::aws::insights::{NewAnalysis, PathInput};
use crate::aws::instance::{Launch, RunInstances, Terminated};
use crate::aws::ipv6::{Ipv6Command, Ipv6Outcome};
use crate::aws::peering::{CreatePeering, OptionsChange, OptionsResult, PeeringReply};
use crate::aws::route::{AssocRequest, RouteSpec};
use crate::aws::security_group::{CreateSecurityGroup, Direction, GroupSelector, RulePermission};
use crate::aws::security_group::{SgRuleCommand, SgRuleOutcome};
use crate::aws::subnet::{NewSubnet, SubnetAttribute};
use crate::aws::tags::TagRemoval;
use crate::aws::vpc::{NewAssociation, NewBlock, NewVpc, VpcAttribute};
use crate::aws::vpn::{VpnCommand, VpnOutcome};
use crate::{
    Apply, Destination, DomainError, ElasticIp, InternetGateway, NatGateway, RouteTable, SgRule,
    Subnet, Tags, Tx, Vpc,
};

/// The outcome of a command that shows only success.
fn done(r: Result<(), DomainError>) -> Result<Outcome, DomainError> {
    r.map(|()| Outcome::Done)
}

/// A change to the AWS side of the world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Requests a peering connection (CreateVpcPeeringConnection).
    CreatePeering(CreatePeering),
    /// The accepter's owner accepts a pending request.
    AcceptPeering {
        /// The connection.
        id: String,
    },
    /// The accepter's owner rejects a pending request.
    RejectPeering {
        /// The connection.
        id: String,
    },
    /// Either owner deletes the connection.
    DeletePeering {
        /// The connection.
        id: String,
    },
    /// Each owner changes its own side's options of an active connection.
    ModifyPeeringOptions {
        /// The connection.
        id: String,
        /// Changes to the requester side.
        requester: Option<OptionsChange>,
        /// Changes to the accepter side.
        accepter: Option<OptionsChange>,
    },
    // --- Area 1: VPCs, subnets, route tables and routes, internet and NAT gateways ---
    /// CreateVpc, with its main route table, default security group and default ACL.
    CreateVpc(NewVpc),
    /// DeleteVpc.
    DeleteVpc {
        /// The VPC.
        id: String,
    },
    /// AssociateVpcCidrBlock.
    AssociateVpcCidr {
        /// The VPC.
        vpc_id: String,
        /// The block to add.
        block: NewBlock,
    },
    /// DisassociateVpcCidrBlock.
    DisassociateVpcCidr {
        /// The block's association.
        association_id: String,
    },
    /// ModifyVpcAttribute (one attribute).
    ModifyVpcAttribute {
        /// The VPC.
        vpc_id: String,
        /// The attribute.
        attribute: VpcAttribute,
        /// Its new value.
        value: bool,
    },
    /// CreateSubnet.
    CreateSubnet(NewSubnet),
    /// DeleteSubnet.
    DeleteSubnet {
        /// The subnet.
        id: String,
    },
    /// ModifySubnetAttribute (one attribute).
    ModifySubnetAttribute {
        /// The subnet.
        subnet_id: String,
        /// The attribute the model keeps, or `None` for one it does not model, set to its
        /// default value (only the subnet's existence is checked).
        attribute: Option<SubnetAttribute>,
        /// The new value.
        value: bool,
    },
    /// CreateRouteTable.
    CreateRouteTable {
        /// The VPC.
        vpc_id: String,
        /// Tags.
        tags: Tags,
        /// The caller's idempotency token: echoed in the reply, not honoured.
        client_token: Option<String>,
    },
    /// DeleteRouteTable.
    DeleteRouteTable {
        /// The table.
        id: String,
    },
    /// AssociateRouteTable.
    AssociateRouteTable {
        /// The table.
        table_id: String,
        /// The subnet or gateway to associate.
        with: AssocRequest,
    },
    /// DisassociateRouteTable.
    DisassociateRouteTable {
        /// The association.
        association_id: String,
    },
    /// ReplaceRouteTableAssociation.
    ReplaceRouteTableAssociation {
        /// The association to move.
        association_id: String,
        /// The table it moves to.
        table_id: String,
    },
    /// CreateRoute.
    CreateRoute(RouteSpec),
    /// ReplaceRoute.
    ReplaceRoute(RouteSpec),
    /// DeleteRoute.
    DeleteRoute {
        /// The table.
        route_table_id: String,
        /// The route's destination.
        destination: Destination,
    },
    /// CreateInternetGateway.
    CreateInternetGateway {
        /// Tags.
        tags: Tags,
    },
    /// AttachInternetGateway.
    AttachInternetGateway {
        /// The gateway.
        igw_id: String,
        /// The VPC.
        vpc_id: String,
    },
    /// DetachInternetGateway.
    DetachInternetGateway {
        /// The gateway.
        igw_id: String,
        /// The VPC it is attached to.
        vpc_id: String,
    },
    /// DeleteInternetGateway.
    DeleteInternetGateway {
        /// The gateway.
        id: String,
    },
    /// CreateNatGateway.
    CreateNatGateway(NewNat),
    /// DeleteNatGateway.
    DeleteNatGateway {
        /// The gateway.
        id: String,
    },
    /// Sets up the caller's region on its first EC2 request: lays out its default VPC and
    /// records the region as set up; changes nothing once it is (see
    /// [`default_vpc`](crate::aws::default_vpc)). The server runs it; no client action names it.
    EnsureDefaultVpc,
    /// CreateDefaultVpc.
    CreateDefaultVpc,
    /// CreateDefaultSubnet, in a zone given by name or by id.
    CreateDefaultSubnet {
        /// Zone name (`us-east-1a`).
        availability_zone: Option<String>,
        /// Zone id (`use1-az1`).
        availability_zone_id: Option<String>,
    },
    // --- Area 2: security groups, network ACLs, instances and interfaces, tags, insights ---
    /// Creates a security group with its allow-all egress rule.
    CreateSecurityGroup(CreateSecurityGroup),
    /// Deletes a security group.
    DeleteSecurityGroup {
        /// The group.
        group: GroupSelector,
    },
    /// Adds rules to a group.
    AuthorizeSecurityGroup {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// The permissions (checked; group pairs resolved when applied).
        permissions: Vec<RulePermission>,
        /// Tags for the new rules (each new rule gets them).
        tags: Tags,
    },
    /// Removes the rules matching permissions (what matches nothing is reported).
    RevokeSecurityGroup {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// The permissions.
        permissions: Vec<RulePermission>,
    },
    /// Removes rules by id.
    RevokeSecurityGroupRules {
        /// Inbound or outbound.
        direction: Direction,
        /// The group.
        group: GroupSelector,
        /// The rule ids.
        rule_ids: Vec<String>,
    },
    /// Creates a network ACL with only the implicit deny entries.
    CreateNetworkAcl {
        /// The VPC.
        vpc_id: String,
        /// Its tags.
        tags: Tags,
        /// The request's idempotency token, echoed (not used).
        client_token: Option<String>,
    },
    /// Deletes a network ACL.
    DeleteNetworkAcl {
        /// The ACL.
        id: String,
    },
    /// Adds a numbered entry to an ACL.
    CreateNetworkAclEntry(AclEntryRequest),
    /// Replaces a numbered entry of an ACL.
    ReplaceNetworkAclEntry(AclEntryRequest),
    /// Removes a numbered entry of an ACL.
    DeleteNetworkAclEntry {
        /// The ACL.
        acl_id: String,
        /// The rule number (checked when applied, after the ACL is found).
        rule_number: i64,
        /// Outbound or inbound.
        egress: bool,
    },
    /// Moves a subnet's ACL association to another ACL.
    ReplaceNetworkAclAssociation {
        /// The current association.
        association_id: String,
        /// The ACL to associate.
        acl_id: String,
    },
    /// Launches instances with their interfaces (boxed: the largest input by far).
    RunInstances(Box<RunInstances>),
    /// Terminates instances.
    TerminateInstances {
        /// The instances.
        ids: Vec<String>,
    },
    /// Deletes a detached interface.
    DeleteNetworkInterface {
        /// The interface.
        id: String,
    },
    /// Adds or overwrites tags on resources, all or none.
    CreateTags {
        /// The resources.
        resource_ids: Vec<String>,
        /// The tags (checked).
        tags: Tags,
    },
    /// Removes tags from resources, all or none.
    DeleteTags {
        /// The resources.
        resource_ids: Vec<String>,
        /// What to remove (empty: every user tag).
        tags: Vec<TagRemoval>,
    },
    /// Creates a network insights path.
    CreateInsightsPath(PathInput),
    /// Deletes a network insights path.
    DeleteInsightsPath {
        /// The path.
        id: String,
    },
    /// Stores a finished network insights analysis. The face computes it (the reach engine
    /// reads the world just before; the model cannot call the engine), so the command carries
    /// the result and a replay stores the same one.
    CreateInsightsAnalysis(Box<NewAnalysis>),
    /// Deletes a network insights analysis.
    DeleteInsightsAnalysis {
        /// The analysis.
        id: String,
    },
    // --- IPv6: egress-only internet gateways, subnet IPv6 blocks ---
    /// A change of the IPv6 area ([`Ipv6Command`]).
    Ipv6(Ipv6Command),
    // --- Appliances: interface and instance attributes, stop/start ---
    /// An appliance command (see [`crate::aws::appliance`]).
    Appliance(ApplianceCommand),
    // --- Area eip: Elastic IPs, public IPv4 addresses, the network interface lifecycle ---
    /// An Elastic IP or network interface change ([`crate::aws::eip`]).
    Eip(EipCommand),
    // --- VPN gateways, customer gateways, DHCP options, security group rule edits ---
    /// Virtual private and customer gateways, route propagation.
    Vpn(VpnCommand),
    /// DHCP option sets.
    Dhcp(DhcpCommand),
    /// Security group rule edits (modify, descriptions).
    SgRules(SgRuleCommand),
    // --- VPC endpoints and managed prefix lists ---
    /// A change to prefix lists or VPC endpoints (see [`crate::aws::endpoints`]).
    Endpoint(EndpointCommand),
    // --- Catalogue: key pairs and launch templates ---
    /// A key pair or launch template change.
    Catalog(crate::aws::catalog_command::CatalogCommand),
}

/// What a successful AWS command hands back for the reply.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Nothing to show but success (`<return>true</return>`).
    Done,
    /// A peering connection as the request answered it.
    Peering(PeeringReply),
    /// The peering options after a change.
    PeeringOptions(OptionsResult),
    // --- Area 1: VPCs, subnets, route tables and routes, internet and NAT gateways ---
    /// The VPC a command created.
    Vpc(Vpc),
    /// A VPC block association as the command left it.
    VpcCidr {
        /// The VPC.
        vpc_id: String,
        /// The association.
        association: NewAssociation,
    },
    /// The subnet a command created.
    Subnet(Subnet),
    /// The route table a command created.
    RouteTable {
        /// The table.
        table: RouteTable,
        /// The caller's idempotency token, echoed.
        client_token: Option<String>,
    },
    /// The id of a route table association a command made.
    RouteTableAssociation(String),
    /// The internet gateway a command created.
    InternetGateway(InternetGateway),
    /// The NAT gateway a command created.
    NatGateway {
        /// The gateway.
        gateway: NatGateway,
        /// The caller's idempotency token, echoed.
        client_token: Option<String>,
    },
    /// The NAT gateway a command deleted.
    NatGatewayDeleted(String),
    /// The default VPC the region's setup created (`None`: it was set up already, or had one).
    DefaultVpcEnsured(Option<String>),
    // --- Area 2: security groups, network ACLs, instances and interfaces, tags, insights ---
    /// The id of a new security group.
    GroupCreated(String),
    /// The id of a deleted security group.
    GroupDeleted(String),
    /// The rules an authorize added, with the tags it echoes.
    RulesAuthorized {
        /// The group.
        group_id: String,
        /// The new rules.
        rules: Vec<SgRule>,
        /// The tags of the request.
        tags: Tags,
    },
    /// What a revoke removed and what matched nothing.
    RulesRevoked {
        /// The group.
        group_id: String,
        /// The rules removed.
        revoked: Vec<SgRule>,
        /// The permissions that matched no rule (by-permission revokes only).
        unknown: Vec<RulePermission>,
    },
    /// A new network ACL.
    AclCreated {
        /// The ACL.
        id: String,
        /// The request's token, echoed.
        client_token: Option<String>,
    },
    /// The id of the association a replace made.
    AclAssociationReplaced(String),
    /// What a launch launched.
    Launched(Launch),
    /// The state changes of a termination.
    InstancesTerminated(Vec<Terminated>),
    /// The id of a new insights path.
    PathCreated(String),
    /// The id of a deleted insights path.
    PathDeleted(String),
    /// The id of the analysis a command stored.
    AnalysisCreated(String),
    /// The id of a deleted insights analysis.
    AnalysisDeleted(String),
    // --- IPv6 ---
    /// What an IPv6 command did.
    Ipv6(Ipv6Outcome),
    // --- Appliances: interface and instance attributes, stop/start ---
    /// What an appliance command did.
    Appliance(ApplianceOutcome),
    // --- Area eip: Elastic IPs, public IPv4 addresses, the network interface lifecycle ---
    /// The Elastic IP AllocateAddress made.
    AddressAllocated(ElasticIp),
    /// The id of the association AssociateAddress made.
    AddressAssociated(String),
    /// The id of the interface CreateNetworkInterface made.
    InterfaceCreated(String),
    /// The id of the attachment AttachNetworkInterface made.
    InterfaceAttached(String),
    /// The private addresses AssignPrivateIpAddresses assigned.
    PrivateIpsAssigned {
        /// The interface.
        interface_id: String,
        /// The new addresses.
        addresses: Vec<std::net::Ipv4Addr>,
    },
    /// The IPv6 addresses AssignIpv6Addresses assigned.
    Ipv6Assigned {
        /// The interface.
        interface_id: String,
        /// The new addresses.
        addresses: Vec<std::net::Ipv6Addr>,
    },
    /// The IPv6 addresses UnassignIpv6Addresses removed.
    Ipv6Unassigned {
        /// The interface.
        interface_id: String,
        /// The removed addresses.
        addresses: Vec<std::net::Ipv6Addr>,
    },
    // --- VPN gateways, customer gateways, DHCP options, security group rule edits ---
    /// What a VPN-gateway command did.
    Vpn(VpnOutcome),
    /// What a DHCP option command did.
    Dhcp(DhcpOutcome),
    /// What a rule-edit command did.
    SgRules(SgRuleOutcome),
    // --- VPC endpoints and managed prefix lists ---
    /// What an endpoint or prefix list command did.
    Endpoint(EndpointOutcome),
    // --- Catalogue: key pairs and launch templates ---
    /// What a key pair or launch template command did.
    Catalog(crate::aws::catalog_command::CatalogOutcome),
}

impl Apply for Command {
    type Outcome = Outcome;
    type Error = DomainError;

    fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Outcome, DomainError> {
        Ok(match self {
            Command::CreatePeering(input) => {
                tx.check_tag_count(&crate::Tags::new(), &input.tags, None)?;
                Outcome::Peering(tx.create_peering(input)?)
            }
            Command::AcceptPeering { id } => Outcome::Peering(tx.accept_peering(&id)?),
            Command::RejectPeering { id } => {
                tx.reject_peering(&id)?;
                Outcome::Done
            }
            Command::DeletePeering { id } => {
                tx.delete_peering(&id)?;
                Outcome::Done
            }
            Command::ModifyPeeringOptions {
                id,
                requester,
                accepter,
            } => Outcome::PeeringOptions(tx.modify_peering_options(&id, requester, accepter)?),
            // --- Area 1 ---
            Command::CreateVpc(input) => Outcome::Vpc(tx.new_vpc(input)?),
            Command::DeleteVpc { id } => done(tx.delete_vpc(&id))?,
            Command::AssociateVpcCidr { vpc_id, block } => {
                let association = tx.associate_vpc_cidr(&vpc_id, block)?;
                Outcome::VpcCidr {
                    vpc_id,
                    association,
                }
            }
            Command::DisassociateVpcCidr { association_id } => {
                let (vpc_id, association) = tx.disassociate_vpc_cidr(&association_id)?;
                Outcome::VpcCidr {
                    vpc_id,
                    association,
                }
            }
            Command::ModifyVpcAttribute {
                vpc_id,
                attribute,
                value,
            } => done(tx.modify_vpc_attribute(&vpc_id, attribute, value))?,
            Command::CreateSubnet(input) => Outcome::Subnet(tx.new_subnet(input)?),
            Command::DeleteSubnet { id } => done(tx.delete_subnet(&id))?,
            Command::ModifySubnetAttribute {
                subnet_id,
                attribute: Some(attribute),
                value,
            } => done(tx.modify_subnet_attribute(&subnet_id, attribute, value))?,
            Command::ModifySubnetAttribute {
                subnet_id,
                attribute: None,
                ..
            } => done(tx.subnet(&subnet_id).map(drop))?,
            Command::CreateRouteTable {
                vpc_id,
                tags,
                client_token,
            } => {
                let id = tx.create_route_table(&vpc_id, tags)?;
                Outcome::RouteTable {
                    table: tx.owned::<RouteTable>(&id)?.clone(),
                    client_token,
                }
            }
            Command::DeleteRouteTable { id } => done(tx.delete_route_table(&id))?,
            Command::AssociateRouteTable { table_id, with } => {
                Outcome::RouteTableAssociation(tx.associate_route_table(&table_id, with)?)
            }
            Command::DisassociateRouteTable { association_id } => {
                done(tx.disassociate_route_table(&association_id))?
            }
            Command::ReplaceRouteTableAssociation {
                association_id,
                table_id,
            } => Outcome::RouteTableAssociation(
                tx.replace_route_table_association(&association_id, &table_id)?,
            ),
            Command::CreateRoute(spec) => done(tx.create_route(spec))?,
            Command::ReplaceRoute(spec) => done(tx.replace_route(spec))?,
            Command::DeleteRoute {
                route_table_id,
                destination,
            } => done(tx.delete_route(&route_table_id, destination))?,
            Command::CreateInternetGateway { tags } => {
                let id = tx.create_internet_gateway(tags)?;
                Outcome::InternetGateway(tx.owned::<InternetGateway>(&id)?.clone())
            }
            Command::AttachInternetGateway { igw_id, vpc_id } => {
                done(tx.attach_internet_gateway(&igw_id, &vpc_id))?
            }
            Command::DetachInternetGateway { igw_id, vpc_id } => {
                done(tx.detach_internet_gateway(&igw_id, &vpc_id))?
            }
            Command::DeleteInternetGateway { id } => done(tx.delete_internet_gateway(&id))?,
            Command::CreateNatGateway(input) => {
                let client_token = input.client_token.clone();
                Outcome::NatGateway {
                    gateway: tx.new_nat_gateway(input)?,
                    client_token,
                }
            }
            Command::DeleteNatGateway { id } => {
                tx.delete_nat_gateway(&id)?;
                Outcome::NatGatewayDeleted(id)
            }
            Command::EnsureDefaultVpc => Outcome::DefaultVpcEnsured(tx.ensure_default_vpc()),
            Command::CreateDefaultVpc => Outcome::Vpc(tx.create_default_vpc()?),
            Command::CreateDefaultSubnet {
                availability_zone,
                availability_zone_id,
            } => Outcome::Subnet(tx.create_default_subnet(
                availability_zone.as_deref(),
                availability_zone_id.as_deref(),
            )?),
            // --- Area 2 ---
            Command::CreateSecurityGroup(input) => {
                tx.check_tag_count(&Tags::new(), &input.tags, None)?;
                Outcome::GroupCreated(tx.create_security_group(input)?)
            }
            Command::DeleteSecurityGroup { group } => {
                Outcome::GroupDeleted(tx.delete_security_group(&group)?)
            }
            Command::AuthorizeSecurityGroup {
                direction,
                group,
                permissions,
                tags,
            } => {
                tx.check_tag_count(&Tags::new(), &tags, None)?;
                let (group_id, mut rules) = tx.authorize_rules(direction, &group, &permissions)?;
                tx.tag_new_rules(&group_id, &mut rules, &tags)?;
                Outcome::RulesAuthorized {
                    group_id,
                    rules,
                    tags,
                }
            }
            Command::RevokeSecurityGroup {
                direction,
                group,
                permissions,
            } => {
                let (group_id, out) = tx.revoke_matching(direction, &group, &permissions)?;
                Outcome::RulesRevoked {
                    group_id,
                    revoked: out.revoked,
                    unknown: out.unknown,
                }
            }
            Command::RevokeSecurityGroupRules {
                direction,
                group,
                rule_ids,
            } => {
                let (group_id, revoked) =
                    tx.revoke_security_group_rules(direction, &group, &rule_ids)?;
                Outcome::RulesRevoked {
                    group_id,
                    revoked,
                    unknown: Vec::new(),
                }
            }
            Command::CreateNetworkAcl {
                vpc_id,
                tags,
                client_token,
            } => {
                tx.check_tag_count(&Tags::new(), &tags, None)?;
                Outcome::AclCreated {
                    id: tx.create_network_acl(&vpc_id, tags)?,
                    client_token,
                }
            }
            Command::DeleteNetworkAcl { id } => {
                tx.delete_network_acl(&id)?;
                Outcome::Done
            }
            Command::CreateNetworkAclEntry(request) => {
                tx.create_acl_entry(&request)?;
                Outcome::Done
            }
            Command::ReplaceNetworkAclEntry(request) => {
                tx.replace_acl_entry(&request)?;
                Outcome::Done
            }
            Command::DeleteNetworkAclEntry {
                acl_id,
                rule_number,
                egress,
            } => {
                tx.delete_network_acl_entry(&acl_id, rule_number, egress)?;
                Outcome::Done
            }
            Command::ReplaceNetworkAclAssociation {
                association_id,
                acl_id,
            } => Outcome::AclAssociationReplaced(
                tx.replace_network_acl_association(&association_id, &acl_id)?,
            ),
            Command::RunInstances(input) => {
                tx.check_tag_count(&Tags::new(), &input.instance_tags, None)?;
                tx.check_tag_count(&Tags::new(), &input.eni_tags, None)?;
                Outcome::Launched(tx.run_instances(*input)?)
            }
            Command::TerminateInstances { ids } => {
                Outcome::InstancesTerminated(tx.terminate_instances(&ids)?)
            }
            Command::DeleteNetworkInterface { id } => {
                tx.delete_network_interface(&id)?;
                Outcome::Done
            }
            Command::CreateTags { resource_ids, tags } => {
                tx.set_tags(&resource_ids, tags)?;
                Outcome::Done
            }
            Command::DeleteTags { resource_ids, tags } => {
                tx.delete_tags(&resource_ids, &tags)?;
                Outcome::Done
            }
            Command::CreateInsightsPath(input) => {
                tx.check_tag_count(&Tags::new(), &input.tags, None)?;
                Outcome::PathCreated(tx.create_path(input)?)
            }
            Command::DeleteInsightsPath { id } => {
                tx.delete_insights_path(&id)?;
                Outcome::PathDeleted(id)
            }
            Command::CreateInsightsAnalysis(input) => {
                tx.check_tag_count(&Tags::new(), &input.tags, None)?;
                Outcome::AnalysisCreated(tx.create_insights_analysis(*input)?)
            }
            Command::DeleteInsightsAnalysis { id } => {
                tx.delete_insights_analysis(&id)?;
                Outcome::AnalysisDeleted(id)
            }
            // --- IPv6 ---
            Command::Ipv6(c) => Outcome::Ipv6(c.apply(tx)?),
            Command::Appliance(c) => Outcome::Appliance(tx.apply_appliance(c)?),
            // --- Area eip ---
            Command::Eip(c) => c.apply(tx)?,
            Command::Vpn(c) => Outcome::Vpn(c.apply(tx)?),
            Command::Dhcp(c) => Outcome::Dhcp(c.apply(tx)?),
            Command::SgRules(c) => Outcome::SgRules(c.apply(tx)?),
            Command::Endpoint(c) => Outcome::Endpoint(c.apply(tx)?),
            Command::Catalog(c) => Outcome::Catalog(c.apply(tx)?),
        })
    }
}

// --- Area 1 ---
#[cfg(test)]
mod network_tests;
// --- Area 2 ---
#[cfg(test)]
mod area2_tests;
