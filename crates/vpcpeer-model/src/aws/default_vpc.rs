//! The default VPC every account has in every region, and the requests that fall back on it.
//!
//! Layout, as the Amazon VPC User Guide ("Default VPCs") describes it: the block
//! `172.31.0.0/16`, `isDefault`, DNS support and DNS hostnames on; one default subnet per
//! availability zone (a `/20` each, `defaultForAz`, `mapPublicIpOnLaunch`); an internet gateway
//! attached; the main route table with `0.0.0.0/0` to that gateway besides the local route; and
//! the default security group and network ACL every VPC has.
//!
//! It is created lazily: [`Command::EnsureDefaultVpc`](crate::aws::Command::EnsureDefaultVpc),
//! which the server runs (when default VPCs are on) before the first EC2 request of an account
//! in a region, lays it out and stores a [`RegionSetup`] for that (account, region). The record
//! is what makes the setup happen once: after the user deletes the default VPC the region stays
//! set up, so nothing comes back until CreateDefaultVpc, and a restart recreates nothing.
//! CreateDefaultVpc and CreateDefaultSubnet work as on AWS.
//!
//! Choices where AWS is unverified [UNVERIFIED]:
//! - Zones get their `/20`s in zone order: the region's first zone `172.31.0.0/20`, the second
//!   `172.31.16.0/20`, and so on (on real accounts the zone-to-block order varies).
//!   CreateDefaultSubnet takes the lowest free `/20` of the block.
//! - A launch without a subnet and without a zone goes to the default subnet of the first zone,
//!   in zone order, that has one.
//! - The first-touch setup ignores the VPC, internet gateway and subnet quotas (it is the
//!   account's starting state); CreateDefaultVpc and CreateDefaultSubnet count the default VPC,
//!   its gateway and its subnets against them like any others, and the default VPC counts
//!   toward the VPCs of the region afterwards.
//! - The `0.0.0.0/0` route of the main table shows the origin CreateRoute, as AWS shows it on a
//!   default VPC.
//! - With default VPCs turned off, CreateDefaultVpc still works (the region then has one) and
//!   records the region as set up.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::aws::check_limit;
use crate::aws::regions::{self, Zone};
use crate::aws::subnet::NewSubnetRecord;
use crate::aws::vpc::NewVpc;
use crate::cidr::overlaps_v4;
use crate::{
    DefaultVpcProblem, DefaultVpcUse, Destination, DomainError, InternetGateway, LimitKind, Route,
    RouteOrigin, RouteTable, RouteTarget, Scope, Subnet, Tags, Timestamp, Tx, Vpc,
};

/// The block of every default VPC, `172.31.0.0/16`.
pub fn default_vpc_block() -> Ipv4Net {
    Ipv4Net::new(std::net::Ipv4Addr::new(172, 31, 0, 0), 16).expect("a valid prefix length")
}

/// The prefix length of a default subnet.
pub const DEFAULT_SUBNET_PREFIX: u8 = 20;

/// An (account, region) the EC2 face has set up: its default VPC was laid out when the account
/// first used the region (or CreateDefaultVpc made one). Only its presence matters; it is never
/// shown to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSetup {
    /// `<account>/<region>` ([`RegionSetup::id_of`]).
    pub id: String,
    /// The account and region.
    pub scope: Scope,
    /// When the region was set up.
    pub created: Timestamp,
}

impl RegionSetup {
    /// The record id of `scope`'s setup.
    pub fn id_of(scope: &Scope) -> String {
        format!("{}/{}", scope.account, scope.region)
    }
}

/// Whether `scope` has been set up (a map lookup: the check the server makes before each EC2
/// request while default VPCs are on).
pub fn region_set_up(world: &crate::World, scope: &Scope) -> bool {
    world
        .aws
        .region_setups()
        .contains_key(&RegionSetup::id_of(scope))
}

/// The `/20` of `block` numbered `i` (zone order), if the block has that many.
fn nth_block(block: Ipv4Net, i: usize) -> Option<Ipv4Net> {
    block.subnets(DEFAULT_SUBNET_PREFIX).ok()?.nth(i)
}

impl Tx<'_, '_> {
    /// The caller's default VPC in its region, if it has one.
    pub fn default_vpc(&self) -> Option<&Vpc> {
        self.list_owned::<Vpc>().find(|v| v.is_default)
    }

    /// The caller's default VPC, or the refusal of a request that needed one for `purpose`.
    pub fn default_vpc_for(&self, purpose: DefaultVpcUse) -> Result<&Vpc, DomainError> {
        self.default_vpc()
            .ok_or(DomainError::DefaultVpc(DefaultVpcProblem::NoDefaultVpc(
                purpose,
            )))
    }

    /// The default subnets of `vpc_id`, in zone order.
    fn default_subnets<'s>(&'s self, vpc_id: &'s str) -> Vec<&'s Subnet> {
        let zones = regions::zones(&self.scope().region);
        let order = |s: &Subnet| zones.iter().position(|z| z.name == s.availability_zone);
        let mut out: Vec<&Subnet> = self
            .in_vpc::<Subnet>(vpc_id)
            .filter(|s| s.default_for_az)
            .collect();
        out.sort_by_key(|s| (order(s), s.id.clone()));
        out
    }

    /// The subnet a launch without one goes to: the default subnet of `zone` (a zone of the
    /// region, already checked), or of the first zone that has one.
    pub fn default_subnet_for_launch(&self, zone: Option<&str>) -> Result<Subnet, DomainError> {
        let vpc = self.default_vpc_for(DefaultVpcUse::Launch)?;
        let subnets = self.default_subnets(&vpc.id);
        let found = match zone {
            Some(z) => subnets.into_iter().find(|s| s.availability_zone == z),
            None => subnets.into_iter().next(),
        };
        match (found, zone) {
            (Some(s), _) => Ok(s.clone()),
            (None, Some(z)) => Err(DomainError::DefaultVpc(
                DefaultVpcProblem::NoDefaultSubnetInZone { zone: z.to_owned() },
            )),
            (None, None) => Err(DomainError::DefaultVpc(
                DefaultVpcProblem::NoDefaultSubnets {
                    vpc_id: vpc.id.clone(),
                },
            )),
        }
    }

    /// Records the caller's region as set up (once).
    fn mark_set_up(&mut self) {
        let id = RegionSetup::id_of(self.scope());
        if self.get::<RegionSetup>(&id).is_none() {
            let record = RegionSetup {
                id,
                scope: self.scope().clone(),
                created: self.now(),
            };
            self.put(record);
        }
    }

    /// EnsureDefaultVpc: on the first touch of the caller's region, lays out its default VPC
    /// (unless one exists) and records the region as set up; afterwards it changes nothing.
    /// Returns the id of the VPC it created, if it created one.
    pub fn ensure_default_vpc(&mut self) -> Option<String> {
        if region_set_up(self.world(), self.scope()) {
            return None;
        }
        let created = match self.default_vpc() {
            Some(_) => None,
            None => Some(self.lay_out_default_vpc().id),
        };
        self.mark_set_up();
        created
    }

    /// CreateDefaultVpc: a default VPC laid out as on first touch, with new ids; refused while
    /// the region has one.
    pub fn create_default_vpc(&mut self) -> Result<Vpc, DomainError> {
        if let Some(v) = self.default_vpc() {
            return Err(DomainError::DefaultVpc(DefaultVpcProblem::VpcExists {
                vpc_id: v.id.clone(),
            }));
        }
        self.check_region_limit::<Vpc>(self.ctx.limits.vpcs_per_region, LimitKind::Vpcs)?;
        self.check_region_limit::<InternetGateway>(
            self.ctx.limits.internet_gateways_per_region,
            LimitKind::InternetGateways,
        )?;
        let vpc = self.lay_out_default_vpc();
        self.mark_set_up();
        Ok(vpc)
    }

    /// CreateDefaultSubnet: the default subnet of a zone (by name or id) in the default VPC, on
    /// the lowest free `/20` of its block.
    pub fn create_default_subnet(
        &mut self,
        zone_name: Option<&str>,
        zone_id: Option<&str>,
    ) -> Result<Subnet, DomainError> {
        let zone = self.pick_zone(zone_name, zone_id)?;
        let vpc = self
            .default_vpc()
            .ok_or(DomainError::DefaultVpc(DefaultVpcProblem::VpcMissing))?
            .clone();
        let siblings: Vec<&Subnet> = self.in_vpc::<Subnet>(&vpc.id).collect();
        if let Some(s) = siblings
            .iter()
            .find(|s| s.default_for_az && s.availability_zone == zone.name)
        {
            return Err(DomainError::DefaultVpc(DefaultVpcProblem::SubnetExists {
                zone: zone.name,
                subnet_id: s.id.clone(),
            }));
        }
        let free = (0..)
            .map_while(|i| nth_block(vpc.primary_cidr(), i))
            .find(|b| {
                !siblings
                    .iter()
                    .any(|s| s.cidr.is_some_and(|c| overlaps_v4(c, *b)))
            })
            .ok_or_else(|| {
                DomainError::DefaultVpc(DefaultVpcProblem::NoFreeBlock {
                    vpc_id: vpc.id.clone(),
                })
            })?;
        check_limit(
            self.ctx.limits.subnets_per_vpc,
            LimitKind::SubnetsPerVpc,
            Some(&vpc.id),
            || siblings.len(),
        )?;
        Ok(self.insert_default_subnet(&vpc.id, zone, free))
    }

    fn insert_default_subnet(&mut self, vpc_id: &str, zone: Zone, cidr: Ipv4Net) -> Subnet {
        self.insert_subnet(NewSubnetRecord {
            vpc_id: vpc_id.to_owned(),
            zone,
            cidr: Some(cidr),
            ipv6: None,
            default_for_az: true,
            tags: Tags::new(),
        })
    }

    /// The default VPC with its gateway, its route to it and a default subnet in every zone.
    fn lay_out_default_vpc(&mut self) -> Vpc {
        let input = NewVpc::new(default_vpc_block());
        let vpc = self.insert_vpc(input, true);
        let igw_id = self.new_id("igw");
        self.put(InternetGateway {
            id: igw_id.clone(),
            scope: self.scope().clone(),
            attached_vpc: Some(vpc.id.clone()),
            tags: Tags::new(),
        });
        let main = self
            .in_vpc::<RouteTable>(&vpc.id)
            .find(|t| t.is_main())
            .map(|t| t.id.clone());
        if let Some(t) = main.and_then(|id| self.get_mut::<RouteTable>(&id)) {
            t.routes.push(Route {
                destination: Destination::V4(Ipv4Net::default()),
                target: RouteTarget::Gateway(igw_id),
                origin: RouteOrigin::CreateRoute,
            });
        }
        let zones = regions::zones(&self.scope().region);
        for (i, zone) in zones.into_iter().enumerate() {
            if let Some(block) = nth_block(default_vpc_block(), i) {
                self.insert_default_subnet(&vpc.id, zone, block);
            }
        }
        vpc
    }
}

#[cfg(test)]
mod tests;
