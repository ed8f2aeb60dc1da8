//! VPCs and their CIDR blocks. Creating a VPC also creates its main route table, its default
//! security group and its default network ACL; deleting it removes them.

use std::net::Ipv6Addr;

use ipnet::{Ipv4Net, Ipv6Net};

use serde::{Deserialize, Serialize};

use crate::aws::input::Spelled;
use crate::aws::peering_state::PeeringState;
use crate::aws::{check_limit, InVpc};
use crate::cidr::{self, overlaps_v4};
use crate::{
    AclAction, AclEntry, AssocState, Dependent, Destination, DomainError, Ipv4Block, Ipv6Block,
    Kind, LimitKind, NatGateway, NetworkAcl, NetworkInterface, PeeringConnection, Route,
    RouteOrigin, RouteTable, RouteTarget, RtAssocTarget, RtAssociation, RulePeer, SecurityGroup,
    SgRule, Subnet, Tags, Tx, Vpc, VpcProblem,
};

/// A new VPC (the CreateVpc command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVpc {
    /// Primary IPv4 block.
    pub block: Spelled<Ipv4Net>,
    /// Ask for an Amazon-provided IPv6 /56.
    pub amazon_ipv6: bool,
    /// Instance tenancy.
    pub tenancy: Tenancy,
    /// Tags.
    pub tags: Tags,
}

impl NewVpc {
    /// A VPC with `block` (in its canonical spelling), default tenancy, no IPv6 and no tags.
    pub fn new(block: Ipv4Net) -> Self {
        NewVpc {
            block: Spelled::canonical(block),
            amazon_ipv6: false,
            tenancy: Tenancy::Default,
            tags: Tags::new(),
        }
    }
}

/// The instance tenancy of a VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tenancy {
    /// Shared hardware.
    Default,
    /// Dedicated hardware.
    Dedicated,
    /// Dedicated hosts.
    Host,
}

impl Tenancy {
    /// Every tenancy.
    pub const ALL: [Tenancy; 3] = [Tenancy::Default, Tenancy::Dedicated, Tenancy::Host];

    /// The name the VPC record stores (its persisted form).
    pub fn stored(self) -> &'static str {
        match self {
            Tenancy::Default => "default",
            Tenancy::Dedicated => "dedicated",
            Tenancy::Host => "host",
        }
    }

    /// The tenancy whose stored name is `name`.
    pub fn from_stored(name: &str) -> Option<Tenancy> {
        Tenancy::ALL.into_iter().find(|t| t.stored() == name)
    }
}

/// A VPC attribute of DescribeVpcAttribute/ModifyVpcAttribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VpcAttribute {
    /// `enableDnsSupport`.
    DnsSupport,
    /// `enableDnsHostnames`.
    DnsHostnames,
    /// `enableNetworkAddressUsageMetrics`.
    NauMetrics,
}

/// What AssociateVpcCidrBlock should add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NewBlock {
    /// An IPv4 block (already sized by [`check_vpc_block`]).
    Ipv4(Spelled<Ipv4Net>),
    /// An Amazon-provided IPv6 /56.
    AmazonIpv6,
}

/// The association AssociateVpcCidrBlock created.
#[derive(Debug, Clone)]
pub enum NewAssociation {
    /// IPv4.
    Ipv4(Ipv4Block),
    /// IPv6.
    Ipv6(Ipv6Block),
}

/// EC2's size rule for a VPC's IPv4 blocks (/16 to /28), or `InvalidVpcRange`.
pub fn check_vpc_block(b: &Spelled<Ipv4Net>) -> Result<(), DomainError> {
    if cidr::valid_block_size(b.value) {
        Ok(())
    } else {
        Err(DomainError::InvalidVpcRange {
            cidr: b.text.clone(),
            restricted: false,
        })
    }
}

impl Tx<'_, '_> {
    /// CreateVpc; returns the new VPC's id.
    pub fn create_vpc(&mut self, input: NewVpc) -> Result<String, DomainError> {
        self.new_vpc(input).map(|v| v.id)
    }

    /// CreateVpc: the VPC plus its main route table, default security group and default ACL.
    pub(crate) fn new_vpc(&mut self, input: NewVpc) -> Result<Vpc, DomainError> {
        check_vpc_block(&input.block)?;
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        self.check_region_limit::<Vpc>(self.ctx.limits.vpcs_per_region, LimitKind::Vpcs)?;
        Ok(self.insert_vpc(input, false))
    }

    /// Stores a new VPC (checked by the caller) with its main route table, default security
    /// group and default ACL. The region's default VPC (`is_default`) also has DNS hostnames
    /// on, as AWS lays it out.
    pub(crate) fn insert_vpc(&mut self, input: NewVpc, is_default: bool) -> Vpc {
        let id = self.new_id("vpc");
        let dhcp_options_id = self.ensure_default_dhcp_options();
        let mut ipv6 = Vec::new();
        if input.amazon_ipv6 {
            ipv6.push(self.amazon_ipv6_block());
        }
        let vpc = Vpc {
            id,
            scope: self.scope().clone(),
            ipv4: vec![Ipv4Block {
                association_id: self.new_id("vpc-cidr-assoc"),
                cidr: input.block.value,
                state: AssocState::Associated,
            }],
            ipv6,
            instance_tenancy: input.tenancy.stored().to_owned(),
            is_default,
            dhcp_options_id,
            dns_support: true,
            dns_hostnames: is_default,
            nau_metrics: false,
            created: self.now(),
            tags: input.tags,
        };
        self.create_vpc_defaults(&vpc);
        self.put(vpc.clone());
        vpc
    }

    fn amazon_ipv6_block(&mut self) -> Ipv6Block {
        loop {
            let hex = self.ctx.ids.hex17();
            let bits = u64::from_str_radix(&hex[..8], 16).unwrap_or(0) as u32;
            // 2600:1f18:XXXX:XX00::/56 — unique across the world.
            let addr = Ipv6Addr::new(
                0x2600,
                0x1f18,
                (bits >> 16) as u16,
                (bits & 0xff00) as u16,
                0,
                0,
                0,
                0,
            );
            let net = Ipv6Net::new(addr, 56).expect("valid prefix");
            let taken = self
                .world()
                .aws
                .vpcs
                .values()
                .any(|v| v.ipv6_cidrs().any(|c| c == net));
            if !taken {
                return Ipv6Block {
                    association_id: self.new_id("vpc-cidr-assoc"),
                    cidr: net,
                    pool: "Amazon".into(),
                    network_border_group: self.scope().region.clone(),
                    state: AssocState::Associated,
                };
            }
        }
    }

    fn create_vpc_defaults(&mut self, vpc: &Vpc) {
        let scope = vpc.scope.clone();
        let mut routes: Vec<Route> = vpc
            .ipv4_cidrs()
            .map(|c| local_route(Destination::V4(c)))
            .collect();
        routes.extend(vpc.ipv6_cidrs().map(|c| local_route(Destination::V6(c))));
        let rtb = RouteTable {
            id: self.new_id("rtb"),
            vpc_id: vpc.id.clone(),
            scope: scope.clone(),
            routes,
            associations: vec![RtAssociation {
                id: self.new_id("rtbassoc"),
                target: RtAssocTarget::Main,
            }],
            tags: Tags::new(),
        };
        self.put(rtb);

        let sg_id = self.new_id("sg");
        let mut egress = vec![SgRule {
            id: self.new_id("sgr"),
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: RulePeer::Cidr4("0.0.0.0/0".parse().expect("static")),
            description: None,
            tags: Tags::new(),
        }];
        if !vpc.ipv6.is_empty() {
            egress.push(SgRule {
                id: self.new_id("sgr"),
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                peer: RulePeer::Cidr6("::/0".parse().expect("static")),
                description: None,
                tags: Tags::new(),
            });
        }
        let sg = SecurityGroup {
            id: sg_id.clone(),
            name: "default".into(),
            description: "default VPC security group".into(),
            vpc_id: vpc.id.clone(),
            scope: scope.clone(),
            ingress: vec![SgRule {
                id: self.new_id("sgr"),
                protocol: "-1".into(),
                from_port: None,
                to_port: None,
                peer: RulePeer::Group {
                    group_id: sg_id,
                    user_id: scope.account.clone(),
                    peering_id: None,
                },
                description: None,
                tags: Tags::new(),
            }],
            egress,
            tags: Tags::new(),
        };
        self.put(sg);

        let mut entries = Vec::new();
        for egress in [false, true] {
            entries.push(acl_entry(100, egress, AclAction::Allow, v4_any()));
            entries.push(acl_entry(32767, egress, AclAction::Deny, v4_any()));
            if !vpc.ipv6.is_empty() {
                entries.push(acl_entry(101, egress, AclAction::Allow, v6_any()));
                entries.push(acl_entry(32768, egress, AclAction::Deny, v6_any()));
            }
        }
        let acl = NetworkAcl {
            id: self.new_id("acl"),
            vpc_id: vpc.id.clone(),
            scope,
            is_default: true,
            entries,
            associations: Vec::new(),
            tags: Tags::new(),
        };
        self.put(acl);
    }

    /// DeleteVpc. Refused while dependents remain, while an active peering uses the VPC, or while a
    /// request from another account waits for this VPC to accept it; the VPC's own pending
    /// requests are deleted with it.
    pub fn delete_vpc(&mut self, vpc_id: &str) -> Result<(), DomainError> {
        self.owned::<Vpc>(vpc_id)?;
        let w = self.world();
        let now = self.now();
        let in_vpc_dependents = self.in_vpc::<Subnet>(vpc_id).next().is_some()
            || self.in_vpc::<RouteTable>(vpc_id).any(|r| !r.is_main())
            || self
                .in_vpc::<SecurityGroup>(vpc_id)
                .any(|g| g.name != "default")
            || self.in_vpc::<NetworkAcl>(vpc_id).any(|a| !a.is_default)
            || w.aws
                .internet_gateways
                .values()
                .any(|g| g.attached_vpc.as_deref() == Some(vpc_id))
            || self.in_vpc::<NetworkInterface>(vpc_id).next().is_some()
            || self
                .in_vpc::<crate::EgressOnlyInternetGateway>(vpc_id)
                .next()
                .is_some()
            || self
                .in_vpc::<NatGateway>(vpc_id)
                .any(|n| n.state != crate::NatState::Deleted)
            || self.in_vpc::<crate::VpcEndpoint>(vpc_id).next().is_some();
        if in_vpc_dependents {
            return Err(DomainError::dependency(Kind::Vpc, vpc_id));
        }
        if let Some(g) = self.vgw_of_vpc(vpc_id) {
            return Err(DomainError::DependencyViolation {
                kind: Kind::Vpc,
                id: vpc_id.to_owned(),
                dependent: Some(Dependent::VpnGateway {
                    gateway_id: g.id.clone(),
                }),
            });
        }
        let mut withdraw = Vec::new();
        for p in w.aws.peerings_of_vpc(vpc_id) {
            let state = p.state_at(now);
            let is_req = p.requester.vpc_id == vpc_id;
            let is_acc = p.accepter.vpc_id == vpc_id;
            if !is_req && !is_acc {
                continue;
            }
            match state {
                PeeringState::Active | PeeringState::Provisioning | PeeringState::Deleting => {
                    return Err(DomainError::DependencyViolation {
                        kind: Kind::Vpc,
                        id: vpc_id.to_owned(),
                        dependent: Some(Dependent::ActivePeering {
                            peering_id: p.id.clone(),
                        }),
                    });
                }
                PeeringState::PendingAcceptance | PeeringState::InitiatingRequest => {
                    if is_acc && p.requester.scope.account != p.accepter.scope.account {
                        return Err(DomainError::DependencyViolation {
                            kind: Kind::Vpc,
                            id: vpc_id.to_owned(),
                            dependent: Some(Dependent::PendingPeering {
                                peering_id: p.id.clone(),
                            }),
                        });
                    }
                    withdraw.push(p.id.clone());
                }
                _ => {}
            }
        }
        let account = self.scope().account.clone();
        for id in withdraw {
            let p = self.get_mut::<PeeringConnection>(&id).expect("listed");
            p.state = PeeringState::Deleted;
            p.state_since = now;
            p.deleted_by = Some(account.clone());
        }
        self.remove_in_vpc::<RouteTable>(vpc_id);
        self.remove_in_vpc::<SecurityGroup>(vpc_id);
        self.remove_in_vpc::<NetworkAcl>(vpc_id);
        self.remove_in_vpc::<NatGateway>(vpc_id);
        self.remove::<Vpc>(vpc_id);
        Ok(())
    }

    /// Removes every `R` of the VPC `vpc_id` (what DeleteVpc deletes with it).
    fn remove_in_vpc<R: InVpc>(&mut self, vpc_id: &str) {
        for id in self.ids_in_vpc::<R>(vpc_id) {
            self.remove::<R>(&id);
        }
    }

    /// AssociateVpcCidrBlock.
    pub fn associate_vpc_cidr(
        &mut self,
        vpc_id: &str,
        block: NewBlock,
    ) -> Result<NewAssociation, DomainError> {
        let vpc = self.owned::<Vpc>(vpc_id)?.clone();
        let now = self.now();
        match block {
            NewBlock::AmazonIpv6 => {
                check_limit(
                    Some(crate::aws::ipv6::IPV6_BLOCKS_PER_VPC),
                    LimitKind::CidrBlocksPerVpc,
                    Some(vpc_id),
                    || vpc.ipv6.len(),
                )?;
                let b = self.amazon_ipv6_block();
                let net = b.cidr;
                self.owned_mut::<Vpc>(vpc_id)?.ipv6.push(b.clone());
                self.add_local_routes(vpc_id, Destination::V6(net));
                if vpc.ipv6.is_empty() {
                    self.open_default_acl_to_ipv6(vpc_id);
                }
                self.refresh_peer_sides(vpc_id);
                Ok(NewAssociation::Ipv6(b))
            }
            NewBlock::Ipv4(block) => {
                check_vpc_block(&block)?;
                let (net, text) = (block.value, block.text);
                let existing: Vec<Ipv4Net> = vpc.ipv4_cidrs().collect();
                if existing.iter().any(|c| overlaps_v4(*c, net)) {
                    return Err(DomainError::InvalidVpcRange {
                        cidr: text,
                        restricted: false,
                    });
                }
                if cidr::secondary_block_restricted(vpc.primary_cidr(), net) {
                    return Err(DomainError::InvalidVpcRange {
                        cidr: text,
                        restricted: true,
                    });
                }
                check_limit(
                    self.ctx.limits.ipv4_blocks_per_vpc,
                    LimitKind::CidrBlocksPerVpc,
                    Some(vpc_id),
                    || existing.len(),
                )?;
                let covers_route = self
                    .in_vpc::<RouteTable>(vpc_id)
                    .flat_map(|r| r.routes.iter())
                    .any(|r| matches!(r.destination, Destination::V4(d) if net.contains(&d)));
                if covers_route {
                    return Err(DomainError::Vpc(VpcProblem::BlockCoversRoute {
                        cidr: text,
                        vpc_id: vpc_id.to_owned(),
                    }));
                }
                let mut fail = Vec::new();
                for p in self.world().aws.peerings_of_vpc(vpc_id) {
                    let state = p.state_at(now);
                    let (me, other) = if p.requester.vpc_id == vpc_id {
                        (&p.requester, &p.accepter)
                    } else if p.accepter.vpc_id == vpc_id {
                        (&p.accepter, &p.requester)
                    } else {
                        continue;
                    };
                    let overlaps = other.ipv4.iter().any(|c| overlaps_v4(*c, net));
                    match state {
                        PeeringState::PendingAcceptance if me.vpc_id == p.requester.vpc_id => {
                            return Err(DomainError::Vpc(VpcProblem::BlockWhilePending {
                                vpc_id: vpc_id.to_owned(),
                                peering_id: p.id.clone(),
                            }));
                        }
                        PeeringState::PendingAcceptance if overlaps => fail.push(p.id.clone()),
                        PeeringState::Active | PeeringState::Provisioning if overlaps => {
                            return Err(DomainError::Vpc(VpcProblem::BlockOverlapsPeer {
                                cidr: text,
                                peer_vpc_id: other.vpc_id.clone(),
                                vpc_id: vpc_id.to_owned(),
                                peering_id: p.id.clone(),
                            }));
                        }
                        _ => {}
                    }
                }
                for id in fail {
                    let p = self.get_mut::<PeeringConnection>(&id).expect("listed");
                    p.state = PeeringState::Failed;
                    p.state_since = now;
                    p.failure_reason = Some("Overlapping CIDR range".into());
                }
                let b = Ipv4Block {
                    association_id: self.new_id("vpc-cidr-assoc"),
                    cidr: net,
                    state: AssocState::Associated,
                };
                self.owned_mut::<Vpc>(vpc_id)?.ipv4.push(b.clone());
                self.add_local_routes(vpc_id, Destination::V4(net));
                self.refresh_peer_sides(vpc_id);
                Ok(NewAssociation::Ipv4(b))
            }
        }
    }

    /// DisassociateVpcCidrBlock by association id; returns the VPC id and the association.
    pub fn disassociate_vpc_cidr(
        &mut self,
        association_id: &str,
    ) -> Result<(String, NewAssociation), DomainError> {
        let vpc = self
            .list_owned::<Vpc>()
            .find(|v| {
                v.ipv4.iter().any(|b| b.association_id == association_id)
                    || v.ipv6.iter().any(|b| b.association_id == association_id)
            })
            .cloned()
            .ok_or_else(|| DomainError::not_found(Kind::Association, association_id))?;
        if vpc.ipv4[0].association_id == association_id {
            return Err(DomainError::Vpc(VpcProblem::PrimaryBlock {
                association_id: association_id.to_owned(),
            }));
        }
        let dest;
        let assoc;
        if let Some(b) = vpc.ipv4.iter().find(|b| b.association_id == association_id) {
            let in_use = self
                .in_vpc::<Subnet>(&vpc.id)
                .any(|s| s.cidr.is_some_and(|c| b.cidr.contains(&c.network())));
            if in_use {
                return Err(DomainError::DependencyViolation {
                    kind: Kind::Vpc,
                    id: vpc.id.clone(),
                    dependent: Some(Dependent::SubnetsInBlock { cidr: b.cidr }),
                });
            }
            dest = Destination::V4(b.cidr);
            let mut b = b.clone();
            b.state = AssocState::Disassociated;
            assoc = NewAssociation::Ipv4(b);
        } else {
            let b = vpc
                .ipv6
                .iter()
                .find(|b| b.association_id == association_id)
                .expect("found above");
            let in_use = self.in_vpc::<Subnet>(&vpc.id).any(|s| {
                s.ipv6
                    .as_ref()
                    .is_some_and(|(_, c)| b.cidr.contains(&c.network()))
            });
            if in_use {
                return Err(DomainError::DependencyViolation {
                    kind: Kind::Vpc,
                    id: vpc.id.clone(),
                    dependent: Some(Dependent::SubnetsInIpv6Block { cidr: b.cidr }),
                });
            }
            dest = Destination::V6(b.cidr);
            let mut b = b.clone();
            b.state = AssocState::Disassociated;
            assoc = NewAssociation::Ipv6(b);
        }
        let v = self.owned_mut::<Vpc>(&vpc.id)?;
        v.ipv4.retain(|b| b.association_id != association_id);
        v.ipv6.retain(|b| b.association_id != association_id);
        for t in self.ids_in_vpc::<RouteTable>(&vpc.id) {
            let rt = self.get_mut::<RouteTable>(&t).expect("listed");
            rt.routes
                .retain(|r| !(r.target == RouteTarget::Local && r.destination == dest));
        }
        self.refresh_peer_sides(&vpc.id);
        Ok((vpc.id, assoc))
    }

    /// Reads a VPC attribute.
    pub fn vpc_attribute(&self, vpc_id: &str, attr: VpcAttribute) -> Result<bool, DomainError> {
        let v = self.owned::<Vpc>(vpc_id)?;
        Ok(match attr {
            VpcAttribute::DnsSupport => v.dns_support,
            VpcAttribute::DnsHostnames => v.dns_hostnames,
            VpcAttribute::NauMetrics => v.nau_metrics,
        })
    }

    /// ModifyVpcAttribute (one attribute per call). DNS hostnames need DNS support.
    pub fn modify_vpc_attribute(
        &mut self,
        vpc_id: &str,
        attr: VpcAttribute,
        value: bool,
    ) -> Result<(), DomainError> {
        let v = self.owned::<Vpc>(vpc_id)?;
        if attr == VpcAttribute::DnsHostnames && value && !v.dns_support {
            return Err(DomainError::Vpc(VpcProblem::HostnamesWithoutDnsSupport));
        }
        if attr == VpcAttribute::DnsSupport && !value && v.dns_hostnames {
            return Err(DomainError::Vpc(VpcProblem::DnsSupportUnderHostnames));
        }
        let v = self.owned_mut::<Vpc>(vpc_id)?;
        match attr {
            VpcAttribute::DnsSupport => v.dns_support = value,
            VpcAttribute::DnsHostnames => v.dns_hostnames = value,
            VpcAttribute::NauMetrics => v.nau_metrics = value,
        }
        Ok(())
    }

    /// Adds the allow-all IPv6 entries (rule 101 and the implicit deny) to the VPC's default
    /// network ACL, in both directions, as EC2 does when a VPC gets its first IPv6 block
    /// (Amazon VPC User Guide, "Default network ACL"). Entries of those numbers already there
    /// are kept.
    fn open_default_acl_to_ipv6(&mut self, vpc_id: &str) {
        let Some(acl_id) = self
            .in_vpc::<NetworkAcl>(vpc_id)
            .find(|a| a.is_default)
            .map(|a| a.id.clone())
        else {
            return;
        };
        let acl = self.get_mut::<NetworkAcl>(&acl_id).expect("listed");
        for egress in [false, true] {
            for (n, action) in [(101, AclAction::Allow), (32768, AclAction::Deny)] {
                if !acl
                    .entries
                    .iter()
                    .any(|e| e.egress == egress && e.rule_number == n)
                {
                    acl.entries.push(acl_entry(n, egress, action, v6_any()));
                }
            }
        }
    }

    fn add_local_routes(&mut self, vpc_id: &str, dest: Destination) {
        for t in self.ids_in_vpc::<RouteTable>(vpc_id) {
            let rt = self.get_mut::<RouteTable>(&t).expect("listed");
            rt.routes.push(local_route(dest));
        }
    }

    /// Copies a VPC's current blocks into the sides of its live peering connections.
    pub(crate) fn refresh_peer_sides(&mut self, vpc_id: &str) {
        let Some(vpc) = self.get::<Vpc>(vpc_id).cloned() else {
            return;
        };
        let now = self.now();
        let ids: Vec<String> = self
            .world()
            .aws
            .peerings_of_vpc(vpc_id)
            .filter(|p| !p.state_at(now).is_terminal())
            .map(|p| p.id.clone())
            .collect();
        for id in ids {
            let p = self.get_mut::<PeeringConnection>(&id).expect("listed");
            for side in [&mut p.requester, &mut p.accepter] {
                if side.vpc_id == vpc_id {
                    side.ipv4 = vpc.ipv4_cidrs().collect();
                    side.ipv6 = vpc.ipv6_cidrs().collect();
                }
            }
        }
    }
}

/// A `local` route for one of the VPC's blocks.
pub fn local_route(dest: Destination) -> Route {
    Route {
        destination: dest,
        target: RouteTarget::Local,
        origin: RouteOrigin::CreateRouteTable,
    }
}

fn v4_any() -> Destination {
    Destination::V4("0.0.0.0/0".parse().expect("static"))
}

fn v6_any() -> Destination {
    Destination::V6("::/0".parse().expect("static"))
}

fn acl_entry(rule_number: i32, egress: bool, action: AclAction, cidr: Destination) -> AclEntry {
    AclEntry {
        rule_number,
        egress,
        protocol: "-1".into(),
        action,
        cidr,
        port_range: None,
        icmp: None,
    }
}
