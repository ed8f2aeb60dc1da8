//! Subnets, and private address allocation inside them.
//!
//! CreateSubnet enforces EC2's block rules (Amazon VPC User Guide, "Subnet CIDR blocks"): an IPv4
//! block of /16–/28 inside one of the VPC's associated blocks (`InvalidSubnet.Range`), not
//! overlapping a sibling (`InvalidSubnet.Conflict`), and an optional IPv6 /64 inside one of the
//! VPC's IPv6 blocks. A new subnet is associated with the VPC's default network ACL and implicitly
//! uses the main route table. Choices where AWS is unverified:
//! - An IPv6 block that is not a /64, or outside the VPC's IPv6 blocks (or a VPC without IPv6), is
//!   refused with `InvalidSubnet.Range`, like an IPv4 block.
//! - An IPv6-only subnet (`Ipv6Native`) has no IPv4 block (`Subnet::cidr` is `None`), needs its
//!   IPv6 /64 (`MissingParameter` without it), refuses a `CidrBlock` with it
//!   (`InvalidParameterCombination`), assigns IPv6 addresses on creation, and shows
//!   `availableIpAddressCount` 0. Instances cannot be launched into one here (see
//!   [`instance`](crate::aws::instance)).
//! - The subnet is `available` at once (AWS may briefly show `pending`).

use std::net::Ipv4Addr;

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::aws::check_limit;
use crate::aws::error::{Conflict, Field};
use crate::aws::input::Spelled;
use crate::aws::regions::{self, Zone};
use crate::cidr::{self, overlaps_v4};
use crate::{
    AclAssociation, AddressProblem, DomainError, Kind, LimitKind, NetworkAcl, RouteTable,
    RtAssocTarget, Subnet, Tags, Tx, Vpc,
};

/// A new subnet (the CreateSubnet command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSubnet {
    /// The VPC.
    pub vpc_id: String,
    /// IPv4 block; `None` only for an IPv6-only subnet (`ipv6_native`).
    pub block: Option<Spelled<Ipv4Net>>,
    /// IPv6 block (a /64 inside one of the VPC's IPv6 blocks).
    pub ipv6_block: Option<Spelled<Ipv6Net>>,
    /// `Ipv6Native`: an IPv6-only subnet (no IPv4 block, an IPv6 block required).
    #[serde(default)]
    pub ipv6_native: bool,
    /// Zone name (`us-east-1a`).
    pub availability_zone: Option<String>,
    /// Zone id (`use1-az1`).
    pub availability_zone_id: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl NewSubnet {
    /// A subnet of `vpc_id` with `block` (in its canonical spelling), no IPv6 block, zone or tags.
    pub fn new(vpc_id: impl Into<String>, block: Ipv4Net) -> Self {
        NewSubnet {
            vpc_id: vpc_id.into(),
            block: Some(Spelled::canonical(block)),
            ipv6_block: None,
            ipv6_native: false,
            availability_zone: None,
            availability_zone_id: None,
            tags: Tags::new(),
        }
    }
}

/// A subnet record about to be stored ([`Tx::insert_subnet`]), its blocks and zone checked.
pub(crate) struct NewSubnetRecord {
    /// The VPC.
    pub vpc_id: String,
    /// The zone.
    pub zone: Zone,
    /// The IPv4 block (`None`: IPv6-only).
    pub cidr: Option<Ipv4Net>,
    /// The IPv6 block (its association id is drawn after the subnet's id).
    pub ipv6: Option<Ipv6Net>,
    /// Whether it is the default subnet of its zone (in the default VPC).
    pub default_for_az: bool,
    /// Tags.
    pub tags: Tags,
}

/// A subnet attribute ModifySubnetAttribute can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubnetAttribute {
    /// `mapPublicIpOnLaunch`.
    MapPublicIpOnLaunch,
    /// `assignIpv6AddressOnCreation`.
    AssignIpv6OnCreation,
    /// `enableDns64` (kept; it changes no path the emulator models).
    EnableDns64,
    /// `enableResourceNameDnsAAAARecordOnLaunch` (kept; accepted on any subnet `[UNVERIFIED]`:
    /// the emulator resolves no names).
    DnsAaaaOnLaunch,
}

impl Tx<'_, '_> {
    /// Every private IPv4 address in use in `subnet_id` (ENIs, primary and secondary).
    pub fn addresses_in_use(&self, subnet_id: &str) -> Vec<Ipv4Addr> {
        self.world()
            .aws
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
        let Some(net) = subnet.cidr else {
            return Err(DomainError::Ipv6(crate::Ipv6Problem::LaunchIntoIpv6Only {
                subnet_id: subnet_id.to_owned(),
            }));
        };
        let usable = crate::cidr::host_range(net, 4, 1);
        let in_use = self.addresses_in_use(subnet_id);
        let busy = |a: Ipv4Addr| in_use.contains(&a) || taken.contains(&a);
        match requested {
            Some(ip) => {
                if !net.contains(&ip) {
                    return Err(DomainError::Address(AddressProblem::OutsideSubnet {
                        address: ip,
                        subnet_id: subnet_id.to_owned(),
                    }));
                }
                if !usable.contains(&ip) {
                    return Err(DomainError::Address(AddressProblem::Reserved {
                        address: ip,
                        subnet_id: subnet_id.to_owned(),
                    }));
                }
                if busy(ip) {
                    return Err(DomainError::Address(AddressProblem::InUse { address: ip }));
                }
                Ok(ip)
            }
            None => crate::cidr::first_free(usable, busy).ok_or_else(|| {
                DomainError::Address(AddressProblem::Exhausted {
                    subnet_id: subnet_id.to_owned(),
                })
            }),
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
        subnet
            .cidr
            .map_or(0, |c| cidr::available_addresses(c).saturating_sub(used))
    }

    /// Checks `block` as a subnet's IPv4 block in `vpc`: /16–/28 inside one of the VPC's
    /// blocks (`InvalidSubnet.Range`), overlapping no sibling (`InvalidSubnet.Conflict`).
    fn check_subnet_ipv4(
        &self,
        vpc: &Vpc,
        block: &Spelled<Ipv4Net>,
    ) -> Result<Ipv4Net, DomainError> {
        let text = block.text.as_str();
        let net = block.value;
        if !cidr::valid_block_size(net)
            || !vpc
                .ipv4_cidrs()
                .any(|b| b.contains(&net.network()) && b.contains(&net.broadcast()))
        {
            return Err(DomainError::InvalidSubnetRange {
                cidr: text.to_owned(),
            });
        }
        let conflict = self
            .in_vpc::<Subnet>(&vpc.id)
            .filter_map(|s| s.cidr)
            .any(|c| overlaps_v4(c, net));
        if conflict {
            return Err(DomainError::SubnetConflict {
                cidr: text.to_owned(),
            });
        }
        Ok(net)
    }

    /// CreateSubnet; returns the new subnet's id.
    pub fn create_subnet(&mut self, input: NewSubnet) -> Result<String, DomainError> {
        self.new_subnet(input).map(|s| s.id)
    }

    /// CreateSubnet; returns the new subnet.
    pub(crate) fn new_subnet(&mut self, input: NewSubnet) -> Result<Subnet, DomainError> {
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        let vpc = self.owned::<Vpc>(&input.vpc_id)?.clone();
        let net = match (&input.block, input.ipv6_native) {
            (Some(_), true) => {
                return Err(DomainError::Exclusive(
                    Field::SubnetIpv4Block,
                    Field::SubnetIpv6Native,
                ))
            }
            (None, true) if input.ipv6_block.is_none() => {
                return Err(DomainError::Missing(Field::SubnetIpv6Block))
            }
            (None, true) => None,
            (None, false) => return Err(DomainError::Missing(Field::SubnetIpv4Block)),
            (Some(block), false) => Some(self.check_subnet_ipv4(&vpc, block)?),
        };
        let siblings: Vec<&Subnet> = self.in_vpc::<Subnet>(&vpc.id).collect();
        let ipv6 = match &input.ipv6_block {
            None => None,
            Some(b6) => Some(self.check_subnet_ipv6(&vpc, None, b6)?),
        };
        let zone = self.pick_zone(
            input.availability_zone.as_deref(),
            input.availability_zone_id.as_deref(),
        )?;
        check_limit(
            self.ctx.limits.subnets_per_vpc,
            LimitKind::SubnetsPerVpc,
            Some(&vpc.id),
            || siblings.len(),
        )?;
        Ok(self.insert_subnet(NewSubnetRecord {
            vpc_id: vpc.id,
            zone,
            cidr: net,
            ipv6,
            default_for_az: false,
            tags: input.tags,
        }))
    }

    /// Stores a new subnet (checked by the caller) and associates it with its VPC's default
    /// network ACL. A default subnet maps public addresses on launch; others do not.
    pub(crate) fn insert_subnet(&mut self, new: NewSubnetRecord) -> Subnet {
        let id = self.new_id("subnet");
        let ipv6 = new.ipv6.map(|n| (self.new_id("subnet-cidr-assoc"), n));
        let subnet = Subnet {
            id: id.clone(),
            vpc_id: new.vpc_id,
            scope: self.scope().clone(),
            availability_zone: new.zone.name,
            availability_zone_id: new.zone.id,
            cidr: new.cidr,
            ipv6,
            map_public_ip_on_launch: new.default_for_az,
            // An IPv6-only subnet assigns IPv6 addresses on creation (its interfaces have no
            // other address).
            assign_ipv6_on_creation: new.cidr.is_none(),
            default_for_az: new.default_for_az,
            enable_dns64: false,
            dns_aaaa_on_launch: false,
            tags: new.tags,
        };
        self.put(subnet.clone());
        let default_acl = self
            .world()
            .aws
            .network_acls
            .values()
            .find(|a| a.vpc_id == subnet.vpc_id && a.is_default)
            .map(|a| a.id.clone());
        if let Some(acl_id) = default_acl {
            let assoc = AclAssociation {
                id: self.new_id("aclassoc"),
                subnet_id: id,
            };
            if let Some(acl) = self.get_mut::<NetworkAcl>(&acl_id) {
                acl.associations.push(assoc);
            }
        }
        subnet
    }

    /// The zone a new subnet goes to: the one named, or the region's first.
    pub(crate) fn pick_zone(
        &self,
        name: Option<&str>,
        zone_id: Option<&str>,
    ) -> Result<Zone, DomainError> {
        let region = self.scope().region.clone();
        let all = regions::zones(&region);
        let offered = || all.iter().map(|z| z.name.clone()).collect::<Vec<_>>();
        match (name, zone_id) {
            (Some(_), Some(_)) => Err(DomainError::Conflict(Conflict::ZoneByNameAndId)),
            (Some(n), None) => all.iter().find(|z| z.name == n).cloned().ok_or_else(|| {
                DomainError::ZoneNotOffered {
                    field: Field::SubnetZone,
                    value: n.to_owned(),
                    offered: offered(),
                }
            }),
            (None, Some(i)) => {
                all.iter()
                    .find(|z| z.id == i)
                    .cloned()
                    .ok_or_else(|| DomainError::ZoneNotOffered {
                        field: Field::SubnetZoneId,
                        value: i.to_owned(),
                        offered: offered(),
                    })
            }
            (None, None) => all
                .first()
                .cloned()
                .ok_or_else(|| DomainError::not_found(Kind::Zone, region.clone())),
        }
    }

    /// ModifySubnetAttribute for the attributes the model keeps: `MapPublicIpOnLaunch` and
    /// `AssignIpv6AddressOnCreation` (which needs an IPv6 block).
    pub fn modify_subnet_attribute(
        &mut self,
        subnet_id: &str,
        attr: SubnetAttribute,
        value: bool,
    ) -> Result<(), DomainError> {
        let s = self.subnet(subnet_id)?;
        if attr == SubnetAttribute::AssignIpv6OnCreation && value && s.ipv6.is_none() {
            return Err(DomainError::Ipv6AssignmentWithoutBlock {
                subnet_id: subnet_id.to_owned(),
            });
        }
        let s = self.owned_mut::<Subnet>(subnet_id)?;
        match attr {
            SubnetAttribute::MapPublicIpOnLaunch => s.map_public_ip_on_launch = value,
            SubnetAttribute::AssignIpv6OnCreation => s.assign_ipv6_on_creation = value,
            SubnetAttribute::EnableDns64 => s.enable_dns64 = value,
            SubnetAttribute::DnsAaaaOnLaunch => s.dns_aaaa_on_launch = value,
        }
        Ok(())
    }

    /// DeleteSubnet: refused while network interfaces (instances, NAT gateways) use it; removes its
    /// route table and network ACL associations.
    pub fn delete_subnet(&mut self, subnet_id: &str) -> Result<(), DomainError> {
        let subnet = self.subnet(subnet_id)?.clone();
        let busy = self
            .world()
            .aws
            .network_interfaces
            .values()
            .any(|e| e.subnet_id == subnet_id);
        if busy {
            return Err(DomainError::dependency(Kind::Subnet, subnet_id));
        }
        let target = RtAssocTarget::Subnet(subnet_id.to_owned());
        let tables: Vec<String> = self
            .world()
            .aws
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
            .aws
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

#[cfg(test)]
mod tests {
    use crate::testkit::{a, b, block, eni_record, outcome, subnet as input, v6 as six, TestEnv};
    use crate::{NetworkAcl, Subnet};

    #[test]
    fn create_subnet_rules() {
        let mut env = TestEnv::new();
        let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
        env.run(&a(), |tx| tx.associate_vpc_cidr(&vpc, block("10.1.0.0/16")))
            .expect("secondary");
        env.subnet(&a(), &vpc, "10.0.0.0/24");
        let v6 = env.world.aws.vpcs[&vpc].ipv6[0].cidr;
        let v6_64 = ipnet::Ipv6Net::new(v6.network(), 64).expect("64");
        let v6_other = ipnet::Ipv6Net::new(
            std::net::Ipv6Addr::from(u128::from(v6.network()) + (1u128 << 64)),
            64,
        )
        .expect("64");
        let outside6 = "2001:db8::/64".to_string();
        // (cidr, ipv6, zone, zone id, expected)
        type Row<'a> = (
            &'a str,
            Option<String>,
            Option<&'a str>,
            Option<&'a str>,
            &'a str,
        );
        let rows: Vec<Row> = vec![
            ("10.0.1.0/24", None, None, None, "ok"),
            ("10.1.7.0/24", None, None, None, "ok"),
            ("10.0.1.0/28", None, Some("us-east-1f"), None, "ok"),
            ("10.0.1.0/24", None, None, Some("use1-az2"), "ok"),
            ("10.0.0.0/16", None, None, None, "Conflict"),
            ("10.0.0.128/25", None, None, None, "Conflict"),
            ("10.0.0.0/23", None, None, None, "Conflict"),
            ("10.2.0.0/24", None, None, None, "Range"),
            ("10.0.255.0/24", None, None, None, "ok"),
            ("10.0.0.0/15", None, None, None, "Range"),
            ("10.0.1.0/29", None, None, None, "Range"),
            ("10.0.1.0/24", Some(v6_64.to_string()), None, None, "ok"),
            ("10.0.1.0/24", Some(v6.to_string()), None, None, "Range"),
            ("10.0.1.0/24", Some(outside6), None, None, "Range"),
            ("10.0.1.0/24", None, Some("us-west-2a"), None, "Invalid"),
            ("10.0.1.0/24", None, None, Some("use1-az9"), "Invalid"),
            (
                "10.0.1.0/24",
                None,
                Some("us-east-1a"),
                Some("use1-az1"),
                "Combination",
            ),
        ];
        for (cidr, ipv6, zone, zone_id, want) in rows {
            let mut i = input(&vpc, cidr);
            i.ipv6_block = ipv6.as_deref().map(six);
            i.availability_zone = zone.map(Into::into);
            i.availability_zone_id = zone_id.map(Into::into);
            let got = env.probe(&a(), |tx| tx.create_subnet(i));
            assert_eq!(outcome(&got), want, "{cidr} {ipv6:?} {zone:?} {zone_id:?}");
        }
        // IPv6 siblings conflict too.
        let mut i = input(&vpc, "10.0.1.0/24");
        i.ipv6_block = Some(six(&v6_64.to_string()));
        env.run(&a(), |tx| tx.create_subnet(i)).expect("v6 subnet");
        let mut i = input(&vpc, "10.0.2.0/24");
        i.ipv6_block = Some(six(&v6_64.to_string()));
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_subnet(i))),
            "Conflict"
        );
        let mut i = input(&vpc, "10.0.2.0/24");
        i.ipv6_block = Some(six(&v6_other.to_string()));
        assert_eq!(outcome(&env.probe(&a(), |tx| tx.create_subnet(i))), "ok");
        // Unknown, foreign and malformed VPCs.
        for (vpc_id, scope, want) in [
            ("vpc-0123456789abcdef0", a(), "NotFound"),
            (vpc.as_str(), b(), "NotFound"),
            ("vpc-nope", a(), "Malformed"),
        ] {
            let got = env.probe(&scope, |tx| tx.create_subnet(input(vpc_id, "10.0.9.0/24")));
            assert_eq!(outcome(&got), want, "{vpc_id}");
        }
    }

    #[test]
    fn subnet_defaults_zone_and_acl_association() {
        let mut env = TestEnv::new();
        let vpc = env.vpc(&a(), "10.0.0.0/16");
        let id = env.subnet(&a(), &vpc, "10.0.1.0/24");
        let s = &env.world.aws.subnets[&id];
        assert_eq!(s.availability_zone, "us-east-1a");
        assert_eq!(s.availability_zone_id, "use1-az1");
        let acl = |env: &TestEnv| -> NetworkAcl {
            env.world
                .aws
                .network_acls
                .values()
                .find(|x| x.vpc_id == vpc && x.is_default)
                .cloned()
                .expect("default acl")
        };
        let assocs = acl(&env).associations;
        assert_eq!(assocs.len(), 1);
        assert_eq!(assocs[0].subnet_id, id);
        assert!(assocs[0].id.starts_with("aclassoc-"));
        let count = env
            .run(&a(), |tx| {
                let s = tx.subnet(&id)?.clone();
                Ok(tx.available_ip_count(&s))
            })
            .expect("count");
        assert_eq!(count, 251);
        env.run(&a(), |tx| tx.delete_subnet(&id)).expect("delete");
        assert!(acl(&env).associations.is_empty());
        assert!(!env.world.aws.subnets.contains_key(&id));
    }

    #[test]
    fn delete_subnet_refused_while_an_interface_uses_it() {
        let mut env = TestEnv::new();
        let vpc = env.vpc(&a(), "10.0.0.0/16");
        let id = env.subnet(&a(), &vpc, "10.0.1.0/24");
        let s: Subnet = env.world.aws.subnets[&id].clone();
        env.world.aws.network_interfaces.insert(
            "eni-00000001".into(),
            eni_record("eni-00000001", &id, &vpc, &s.availability_zone, "10.0.1.4"),
        );
        let before = env.world.clone();
        let got = env.run(&a(), |tx| tx.delete_subnet(&id));
        assert_eq!(outcome(&got), "Dependency");
        assert_eq!(env.world, before, "a refused delete leaves no trace");
        let got = env.run(&a(), |tx| {
            let s = tx.subnet(&id)?.clone();
            Ok(tx.available_ip_count(&s))
        });
        assert_eq!(got, Ok(250));
    }

    #[test]
    fn modify_subnet_attributes() {
        use super::SubnetAttribute as A;
        let mut env = TestEnv::new();
        let vpc = env.vpc_ipv6(&a(), "10.0.0.0/16");
        let v4 = env.subnet(&a(), &vpc, "10.0.1.0/24");
        let v6net = env.world.aws.vpcs[&vpc].ipv6[0].cidr;
        let mut i = input(&vpc, "10.0.2.0/24");
        i.ipv6_block = Some(six(&ipnet::Ipv6Net::new(v6net.network(), 64)
            .expect("64")
            .to_string()));
        let v6 = env.run(&a(), |tx| tx.create_subnet(i)).expect("subnet");
        for (id, attr, value, want) in [
            (&v4, A::MapPublicIpOnLaunch, true, "ok"),
            (&v4, A::AssignIpv6OnCreation, true, "Invalid"),
            (&v4, A::AssignIpv6OnCreation, false, "ok"),
            (&v6, A::AssignIpv6OnCreation, true, "ok"),
        ] {
            let got = env.run(&a(), |tx| tx.modify_subnet_attribute(id, attr, value));
            assert_eq!(outcome(&got), want, "{id} {attr:?} {value}");
        }
        assert!(env.world.aws.subnets[&v4].map_public_ip_on_launch);
        assert!(env.world.aws.subnets[&v6].assign_ipv6_on_creation);
        let got = env.run(&b(), |tx| {
            tx.modify_subnet_attribute(&v4, A::MapPublicIpOnLaunch, false)
        });
        assert_eq!(outcome(&got), "NotFound");
    }

    #[test]
    fn subnet_quota() {
        let mut env = TestEnv::new();
        env.limits.subnets_per_vpc = Some(2);
        let vpc = env.vpc(&a(), "10.0.0.0/16");
        for (cidr, want) in [
            ("10.0.1.0/24", "ok"),
            ("10.0.2.0/24", "ok"),
            ("10.0.3.0/24", "Limit"),
        ] {
            let got = env.run(&a(), |tx| tx.create_subnet(input(&vpc, cidr)));
            assert_eq!(outcome(&got), want, "{cidr}");
        }
    }
}
