//! IPv6: egress-only internet gateways, subnet IPv6 block associations, the IPv6 address an
//! instance gets on launch, and the shared checks of a subnet's /64.
//!
//! The VPC side (Amazon-provided /56 blocks on CreateVpc and AssociateVpcCidrBlock) lives in
//! [`vpc`](crate::aws::vpc); IPv6-only subnets (`Ipv6Native`) in [`subnet`](crate::aws::subnet).
//! Behaviour follows the Amazon VPC User Guide ("IPv6 support for your VPC", "Enable outbound
//! IPv6 traffic using an egress-only internet gateway", "Subnet CIDR blocks"). Choices where AWS is
//! unverified, marked `[UNVERIFIED]`:
//! - An egress-only internet gateway is attached at creation and until deleted; several may serve
//!   one VPC (AWS documents a per-Region quota of 5, which [`EIGWS_PER_REGION`] enforces, and
//!   no per-VPC one) `[UNVERIFIED]`. Deleting one leaves the routes to it as blackholes (as a
//!   deleted NAT gateway does) `[UNVERIFIED]`. DeleteVpc is refused while one is attached (AWS
//!   answers `DependencyViolation`, as reported by cloud-nuke#345).
//! - A subnet has at most one IPv6 block (AWS: one /64 per subnet); associating a second is
//!   refused with `InvalidParameterValue` `[UNVERIFIED code]`. Disassociating it is refused while
//!   a network interface of the subnet holds an IPv6 address in it (`DependencyViolation`
//!   `[UNVERIFIED code]`) and for an IPv6-only subnet, whose only block it is
//!   (`OperationNotPermitted` `[UNVERIFIED code]`); it turns `assignIpv6AddressOnCreation` off.
//!   The association leaves the subnet at once (AWS shows it `disassociated` for a while).
//! - IPv6 over an inter-region peering: the Peering Guide of 2017 said IPv6 did not cross
//!   inter-Region peerings; AWS's current IPv6 material treats peering as protocol-agnostic. The
//!   emulator carries it by default and refuses IPv6 routes to an inter-region peering
//!   (`InvalidParameterValue` `[UNVERIFIED]`) when
//!   [`Limits::ipv6_over_inter_region_peering`](crate::Limits) is off (the spec's switch).
//! - The address a launch assigns is the lowest free one of the subnet's /64 past the four EC2
//!   reserves at its start (AWS picks an arbitrary free one; AWS reserves the first four and the
//!   last IPv6 address of a subnet block).

use std::net::Ipv6Addr;

use ipnet::Ipv6Net;
use serde::{Deserialize, Serialize};

use crate::aws::input::Spelled;
use crate::cidr::overlaps_v6;
use crate::{
    AssocState, Dependent, DomainError, EgressOnlyInternetGateway, Kind, LimitKind, Subnet, Tags,
    Tx, Vpc,
};

/// IPv6 blocks per VPC (Amazon VPC quotas: "IPv6 CIDR blocks per VPC", 5).
pub const IPV6_BLOCKS_PER_VPC: usize = 5;

/// Egress-only internet gateways per Region (Amazon VPC quotas: 5, adjustable).
pub const EIGWS_PER_REGION: usize = 5;

/// Addresses EC2 reserves at the start of a subnet's IPv6 block.
const RESERVED_V6_HEAD: u128 = 4;

/// A change of the IPv6 area (one variant of [`Command`](crate::aws::Command)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Ipv6Command {
    /// CreateEgressOnlyInternetGateway.
    CreateEgressOnlyGateway {
        /// The VPC it serves.
        vpc_id: String,
        /// Tags.
        tags: Tags,
        /// The caller's idempotency token: echoed in the reply, not honoured.
        client_token: Option<String>,
    },
    /// DeleteEgressOnlyInternetGateway.
    DeleteEgressOnlyGateway {
        /// The gateway.
        id: String,
    },
    /// AssociateSubnetCidrBlock (an IPv6 /64).
    AssociateSubnetBlock {
        /// The subnet.
        subnet_id: String,
        /// The block.
        block: Spelled<Ipv6Net>,
    },
    /// DisassociateSubnetCidrBlock.
    DisassociateSubnetBlock {
        /// The association (`subnet-cidr-assoc-…`).
        association_id: String,
    },
}

/// A subnet's IPv6 block association as a command left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetBlock {
    /// The subnet.
    pub subnet_id: String,
    /// `subnet-cidr-assoc-…`.
    pub association_id: String,
    /// The block.
    pub cidr: Ipv6Net,
    /// `associated` after an association, `disassociated` after a disassociation.
    pub state: AssocState,
}

/// What an [`Ipv6Command`] hands back for the reply.
#[derive(Debug, Clone)]
pub enum Ipv6Outcome {
    /// The egress-only internet gateway a command created.
    Gateway {
        /// The gateway.
        gateway: EgressOnlyInternetGateway,
        /// The caller's idempotency token, echoed.
        client_token: Option<String>,
    },
    /// The egress-only internet gateway a command deleted.
    GatewayDeleted(String),
    /// A subnet block association.
    SubnetBlock(SubnetBlock),
}

impl Ipv6Command {
    /// Applies the command on `tx`.
    pub fn apply(self, tx: &mut Tx<'_, '_>) -> Result<Ipv6Outcome, DomainError> {
        Ok(match self {
            Ipv6Command::CreateEgressOnlyGateway {
                vpc_id,
                tags,
                client_token,
            } => Ipv6Outcome::Gateway {
                gateway: tx.create_egress_only_gateway(&vpc_id, tags)?,
                client_token,
            },
            Ipv6Command::DeleteEgressOnlyGateway { id } => {
                tx.delete_egress_only_gateway(&id)?;
                Ipv6Outcome::GatewayDeleted(id)
            }
            Ipv6Command::AssociateSubnetBlock { subnet_id, block } => {
                Ipv6Outcome::SubnetBlock(tx.associate_subnet_ipv6(&subnet_id, &block)?)
            }
            Ipv6Command::DisassociateSubnetBlock { association_id } => {
                Ipv6Outcome::SubnetBlock(tx.disassociate_subnet_ipv6(&association_id)?)
            }
        })
    }
}

impl Tx<'_, '_> {
    /// CreateEgressOnlyInternetGateway: a gateway attached to the caller's VPC `vpc_id`.
    pub fn create_egress_only_gateway(
        &mut self,
        vpc_id: &str,
        tags: Tags,
    ) -> Result<EgressOnlyInternetGateway, DomainError> {
        self.check_tag_count(&Tags::new(), &tags, None)?;
        self.owned::<Vpc>(vpc_id)?;
        self.check_region_limit::<EgressOnlyInternetGateway>(
            Some(EIGWS_PER_REGION),
            LimitKind::EgressOnlyGateways,
        )?;
        let gateway = EgressOnlyInternetGateway {
            id: self.new_id("eigw"),
            scope: self.scope().clone(),
            vpc_id: vpc_id.to_owned(),
            created: self.now(),
            tags,
        };
        self.put(gateway.clone());
        Ok(gateway)
    }

    /// DeleteEgressOnlyInternetGateway. Routes to it stay, as blackholes.
    pub fn delete_egress_only_gateway(&mut self, id: &str) -> Result<(), DomainError> {
        self.owned::<EgressOnlyInternetGateway>(id)?;
        self.remove::<EgressOnlyInternetGateway>(id);
        Ok(())
    }

    /// Checks `block` as the IPv6 /64 of a subnet of `vpc` (other than `except`): a /64 inside
    /// one of the VPC's IPv6 blocks (`InvalidSubnet.Range`) overlapping no sibling's
    /// (`InvalidSubnet.Conflict`).
    pub(crate) fn check_subnet_ipv6(
        &self,
        vpc: &Vpc,
        except: Option<&str>,
        block: &Spelled<Ipv6Net>,
    ) -> Result<Ipv6Net, DomainError> {
        let (net, text) = (block.value, block.text.as_str());
        if net.prefix_len() != 64 || !vpc.ipv6_cidrs().any(|b| b.contains(&net.network())) {
            return Err(DomainError::InvalidSubnetRange {
                cidr: text.to_owned(),
            });
        }
        let conflict = self
            .in_vpc::<Subnet>(&vpc.id)
            .filter(|s| Some(s.id.as_str()) != except)
            .filter_map(|s| s.ipv6.as_ref())
            .any(|(_, c)| overlaps_v6(*c, net));
        if conflict {
            return Err(DomainError::SubnetConflict {
                cidr: text.to_owned(),
            });
        }
        Ok(net)
    }

    /// AssociateSubnetCidrBlock: gives the caller's subnet its IPv6 /64.
    pub fn associate_subnet_ipv6(
        &mut self,
        subnet_id: &str,
        block: &Spelled<Ipv6Net>,
    ) -> Result<SubnetBlock, DomainError> {
        let subnet = self.subnet(subnet_id)?.clone();
        if subnet.ipv6.is_some() {
            return Err(DomainError::Ipv6(Ipv6Problem::SubnetHasBlock {
                subnet_id: subnet_id.to_owned(),
            }));
        }
        let vpc = self.owned::<Vpc>(&subnet.vpc_id)?.clone();
        let net = self.check_subnet_ipv6(&vpc, Some(subnet_id), block)?;
        let association_id = self.new_id("subnet-cidr-assoc");
        self.owned_mut::<Subnet>(subnet_id)?.ipv6 = Some((association_id.clone(), net));
        Ok(SubnetBlock {
            subnet_id: subnet_id.to_owned(),
            association_id,
            cidr: net,
            state: AssocState::Associated,
        })
    }

    /// DisassociateSubnetCidrBlock by association id (a subnet's IPv6 block).
    pub fn disassociate_subnet_ipv6(
        &mut self,
        association_id: &str,
    ) -> Result<SubnetBlock, DomainError> {
        let subnet = self
            .list_owned::<Subnet>()
            .find(|s| {
                s.ipv6
                    .as_ref()
                    .is_some_and(|(a, _)| a.as_str() == association_id)
            })
            .cloned()
            .ok_or_else(|| DomainError::not_found(Kind::Association, association_id))?;
        let (_, cidr) = subnet.ipv6.clone().expect("found by it");
        if subnet.cidr.is_none() {
            return Err(DomainError::Ipv6(Ipv6Problem::Ipv6OnlySubnetBlock {
                association_id: association_id.to_owned(),
                subnet_id: subnet.id.clone(),
            }));
        }
        if !self.ipv6_in_use(&subnet.id).is_empty() {
            return Err(DomainError::DependencyViolation {
                kind: Kind::Subnet,
                id: subnet.id.clone(),
                dependent: Some(Dependent::Ipv6Addresses { cidr }),
            });
        }
        let s = self.owned_mut::<Subnet>(&subnet.id)?;
        s.ipv6 = None;
        s.assign_ipv6_on_creation = false;
        Ok(SubnetBlock {
            subnet_id: subnet.id,
            association_id: association_id.to_owned(),
            cidr,
            state: AssocState::Disassociated,
        })
    }

    /// The IPv6 address a new interface in `subnet_id` gets by default: the lowest free one of
    /// the subnet's /64 when the subnet assigns IPv6 addresses on creation, else none. `taken`
    /// lists addresses handed out earlier in the same transaction. (The launch calls it for each
    /// primary interface; explicit IPv6 assignment is the network interfaces' area.)
    pub fn ipv6_on_launch(&self, subnet_id: &str, taken: &[Ipv6Addr]) -> Option<Ipv6Addr> {
        let subnet = self.get::<Subnet>(subnet_id)?;
        if !subnet.assign_ipv6_on_creation {
            return None;
        }
        let (_, net) = subnet.ipv6.as_ref()?;
        self.free_ipv6(subnet_id, *net, taken)
    }

    /// The lowest address of `net` past the reserved head that no interface of `subnet_id`
    /// holds and `taken` does not list.
    pub fn free_ipv6(&self, subnet_id: &str, net: Ipv6Net, taken: &[Ipv6Addr]) -> Option<Ipv6Addr> {
        let in_use = self.ipv6_in_use(subnet_id);
        let first = u128::from(net.network()) + RESERVED_V6_HEAD;
        let last = u128::from(net.broadcast()).checked_sub(1)?;
        (first..=last)
            .map(Ipv6Addr::from)
            .find(|a| !in_use.contains(a) && !taken.contains(a))
    }
}

/// Why an IPv6 change is refused, in domain terms (the EC2 face words it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ipv6Problem {
    /// The subnet has an IPv6 block already (one per subnet).
    SubnetHasBlock {
        /// The subnet.
        subnet_id: String,
    },
    /// The only block of an IPv6-only subnet cannot be removed.
    Ipv6OnlySubnetBlock {
        /// The association.
        association_id: String,
        /// The subnet.
        subnet_id: String,
    },
    /// An instance launched into an IPv6-only subnet: the emulator's interfaces need an IPv4
    /// address.
    LaunchIntoIpv6Only {
        /// The subnet.
        subnet_id: String,
    },
    /// An IPv6 route to an inter-region peering while the emulator is set to carry no IPv6
    /// across regions ([`Limits::ipv6_over_inter_region_peering`](crate::Limits) off).
    InterRegionPeering {
        /// The connection.
        peering_id: String,
    },
}

#[cfg(test)]
mod tests;
