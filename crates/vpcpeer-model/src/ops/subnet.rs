//! Subnets, and private address allocation inside them.
//!
//! CreateSubnet enforces EC2's block rules (`shared/spec/aws-ec2.md` §2.3): an IPv4 block of /16–/28
//! inside one of the VPC's associated blocks (`InvalidSubnet.Range`), not overlapping a sibling
//! (`InvalidSubnet.Conflict`), and an optional IPv6 /64 inside one of the VPC's IPv6 blocks. A new
//! subnet is associated with the VPC's default network ACL and implicitly uses the main route
//! table. Choices where AWS is unverified:
//! - An IPv6 block that is not a /64, or outside the VPC's IPv6 blocks (or a VPC without IPv6), is
//!   refused with `InvalidSubnet.Range`, like an IPv4 block.
//! - IPv6-only subnets (`Ipv6Native`) are not supported: every subnet has an IPv4 block.
//! - The subnet is `available` at once (AWS may briefly show `pending`).

use std::net::Ipv4Addr;

use crate::cidr::{self, overlaps_v4, overlaps_v6};
use crate::regions::{self, Zone};
use crate::{
    AclAssociation, DomainError, Kind, LimitKind, NetworkAcl, RouteTable, RtAssocTarget, Subnet,
    Tags, Tx, Vpc,
};

/// Input of CreateSubnet.
#[derive(Debug, Clone, Default)]
pub struct CreateSubnet {
    /// The VPC.
    pub vpc_id: String,
    /// IPv4 block, as given.
    pub cidr_block: String,
    /// IPv6 block, as given (a /64 inside the VPC's /56).
    pub ipv6_cidr_block: Option<String>,
    /// Zone name (`us-east-1a`).
    pub availability_zone: Option<String>,
    /// Zone id (`use1-az1`).
    pub availability_zone_id: Option<String>,
    /// Tags from TagSpecification.
    pub tags: Tags,
}

impl Tx<'_, '_> {
    /// Every private IPv4 address in use in `subnet_id` (ENIs, primary and secondary).
    pub fn addresses_in_use(&self, subnet_id: &str) -> Vec<Ipv4Addr> {
        self.world()
            .network_interfaces
            .values()
            .filter(|e| e.subnet_id == subnet_id)
            .flat_map(|e| std::iter::once(e.private_ip).chain(e.secondary_ips.iter().copied()))
            .collect()
    }

    /// Picks (or checks) a private address in a subnet the caller owns. EC2 reserves the first
    /// four addresses and the last one of every subnet. `taken` lists addresses already handed
    /// out earlier in the same transaction.
    pub fn allocate_private_ip(
        &self,
        subnet_id: &str,
        requested: Option<Ipv4Addr>,
        taken: &[Ipv4Addr],
    ) -> Result<Ipv4Addr, DomainError> {
        let subnet = self.owned::<Subnet>(subnet_id)?;
        let net = subnet.cidr;
        let first = u32::from(net.network());
        let last = u32::from(net.broadcast());
        let usable = (first + 4)..last;
        let in_use = self.addresses_in_use(subnet_id);
        let busy = |a: Ipv4Addr| in_use.contains(&a) || taken.contains(&a);
        match requested {
            Some(ip) => {
                let n = u32::from(ip);
                if !net.contains(&ip) {
                    return Err(DomainError::invalid(format!(
                        "Address {ip} does not fall within the subnet's address range"
                    )));
                }
                if !usable.contains(&n) {
                    return Err(DomainError::invalid(format!(
                        "Address {ip} is reserved by AWS in subnet {subnet_id}"
                    )));
                }
                if busy(ip) {
                    return Err(DomainError::AddressInUse(ip.to_string()));
                }
                Ok(ip)
            }
            None => usable
                .map(Ipv4Addr::from)
                .find(|a| !busy(*a))
                .ok_or_else(|| DomainError::InsufficientAddresses(subnet_id.to_owned())),
        }
    }

    /// The subnet `id` of the caller, or NotFound.
    pub fn subnet(&self, id: &str) -> Result<&Subnet, DomainError> {
        self.owned::<Subnet>(id).map_err(|e| match e {
            DomainError::NotFound { id, .. } => DomainError::not_found(Kind::Subnet, id),
            other => other,
        })
    }

    /// `availableIpAddressCount`: the usable addresses of the block minus those in use.
    pub fn available_ip_count(&self, subnet: &Subnet) -> u64 {
        let used = self.addresses_in_use(&subnet.id).len() as u64;
        cidr::available_addresses(subnet.cidr).saturating_sub(used)
    }

    /// CreateSubnet; returns the new subnet's id.
    pub fn create_subnet(&mut self, input: CreateSubnet) -> Result<String, DomainError> {
        let vpc = self.owned::<Vpc>(&input.vpc_id)?.clone();
        let text = input.cidr_block.as_str();
        let net = cidr::parse_v4(text).ok_or_else(|| {
            DomainError::invalid(format!(
                "Value ({text}) for parameter cidrBlock is invalid. This is not a valid CIDR block."
            ))
        })?;
        if !cidr::valid_block_size(net)
            || !vpc
                .ipv4_cidrs()
                .any(|b| b.contains(&net.network()) && b.contains(&net.broadcast()))
        {
            return Err(DomainError::InvalidSubnetRange {
                cidr: text.to_owned(),
            });
        }
        let siblings: Vec<&Subnet> = self
            .world()
            .subnets
            .values()
            .filter(|s| s.vpc_id == vpc.id)
            .collect();
        if siblings.iter().any(|s| overlaps_v4(s.cidr, net)) {
            return Err(DomainError::SubnetConflict {
                cidr: text.to_owned(),
            });
        }
        let ipv6 = match input.ipv6_cidr_block.as_deref() {
            None => None,
            Some(t6) => {
                let n6 = cidr::parse_v6(t6).ok_or_else(|| {
                    DomainError::invalid(format!(
                        "Value ({t6}) for parameter ipv6CidrBlock is invalid. This is not a valid CIDR block."
                    ))
                })?;
                if n6.prefix_len() != 64 || !vpc.ipv6_cidrs().any(|b| b.contains(&n6.network())) {
                    return Err(DomainError::InvalidSubnetRange {
                        cidr: t6.to_owned(),
                    });
                }
                if siblings
                    .iter()
                    .filter_map(|s| s.ipv6.as_ref())
                    .any(|(_, c)| overlaps_v6(*c, n6))
                {
                    return Err(DomainError::SubnetConflict {
                        cidr: t6.to_owned(),
                    });
                }
                Some(n6)
            }
        };
        let zone = self.pick_zone(
            input.availability_zone.as_deref(),
            input.availability_zone_id.as_deref(),
        )?;
        if let Some(max) = self.ctx.limits.subnets_per_vpc {
            if siblings.len() >= max {
                return Err(DomainError::LimitExceeded {
                    kind: LimitKind::SubnetsPerVpc,
                    message: format!(
                        "The maximum number of subnets ({max}) has been reached for {}.",
                        vpc.id
                    ),
                });
            }
        }
        let id = self.new_id("subnet");
        let ipv6 = ipv6.map(|n| (self.new_id("subnet-cidr-assoc"), n));
        let subnet = Subnet {
            id: id.clone(),
            vpc_id: vpc.id.clone(),
            scope: self.scope().clone(),
            availability_zone: zone.name,
            availability_zone_id: zone.id,
            cidr: net,
            ipv6,
            map_public_ip_on_launch: false,
            assign_ipv6_on_creation: false,
            tags: input.tags,
        };
        self.put(subnet);
        let default_acl = self
            .world()
            .network_acls
            .values()
            .find(|a| a.vpc_id == vpc.id && a.is_default)
            .map(|a| a.id.clone());
        if let Some(acl_id) = default_acl {
            let assoc = AclAssociation {
                id: self.new_id("aclassoc"),
                subnet_id: id.clone(),
            };
            if let Some(acl) = self.get_mut::<NetworkAcl>(&acl_id) {
                acl.associations.push(assoc);
            }
        }
        Ok(id)
    }

    /// The zone a new subnet goes to: the one named, or the region's first.
    fn pick_zone(&self, name: Option<&str>, zone_id: Option<&str>) -> Result<Zone, DomainError> {
        let region = self.scope().region.clone();
        let all = regions::zones(&region);
        let list = || {
            all.iter()
                .map(|z| z.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (name, zone_id) {
            (Some(_), Some(_)) => Err(DomainError::InvalidParameterCombination(
                "The parameters AvailabilityZone and AvailabilityZoneId cannot be used together."
                    .into(),
            )),
            (Some(n), None) => all.iter().find(|z| z.name == n).cloned().ok_or_else(|| {
                DomainError::invalid(format!(
                    "Value ({n}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: {}.",
                    list()
                ))
            }),
            (None, Some(i)) => all.iter().find(|z| z.id == i).cloned().ok_or_else(|| {
                DomainError::invalid(format!(
                    "Value ({i}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zones: {}.",
                    list()
                ))
            }),
            (None, None) => all
                .first()
                .cloned()
                .ok_or_else(|| DomainError::not_found(Kind::Zone, region.clone())),
        }
    }

    /// DeleteSubnet: refused while network interfaces (instances, NAT gateways) use it; removes its
    /// route table and network ACL associations.
    pub fn delete_subnet(&mut self, subnet_id: &str) -> Result<(), DomainError> {
        let subnet = self.subnet(subnet_id)?.clone();
        let busy = self
            .world()
            .network_interfaces
            .values()
            .any(|e| e.subnet_id == subnet_id);
        if busy {
            return Err(DomainError::dependency(Kind::Subnet, subnet_id));
        }
        let target = RtAssocTarget::Subnet(subnet_id.to_owned());
        let tables: Vec<String> = self
            .world()
            .route_tables
            .values()
            .filter(|t| {
                t.vpc_id == subnet.vpc_id && t.associations.iter().any(|a| a.target == target)
            })
            .map(|t| t.id.clone())
            .collect();
        for t in tables {
            if let Some(rt) = self.get_mut::<RouteTable>(&t) {
                rt.associations.retain(|a| a.target != target);
            }
        }
        let acls: Vec<String> = self
            .world()
            .network_acls
            .values()
            .filter(|a| a.associations.iter().any(|x| x.subnet_id == subnet_id))
            .map(|a| a.id.clone())
            .collect();
        for a in acls {
            if let Some(acl) = self.get_mut::<NetworkAcl>(&a) {
                acl.associations.retain(|x| x.subnet_id != subnet_id);
            }
        }
        self.remove::<Subnet>(subnet_id);
        Ok(())
    }
}
