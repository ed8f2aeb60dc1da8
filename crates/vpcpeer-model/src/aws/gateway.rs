//! Internet gateways and NAT gateways.
//!
//! Internet gateways (Amazon VPC User Guide, "Internet gateways"): one per VPC and one VPC per gateway
//! (`Resource.AlreadyAssociated`), detach only from the VPC it is attached to
//! (`Gateway.NotAttached`), delete only when detached (`DependencyViolation`).
//!
//! NAT gateways: created in a subnet with a network interface (`interface_type` `nat_gateway`) holding
//! a private address of the subnet. Choices where AWS differs or is unverified:
//! - A new NAT gateway is `available` at once (AWS shows `pending` for a minute or two first).
//! - A public gateway needs an Elastic IP of the caller that is not associated
//!   (`Resource.AlreadyAssociated`, naming the gateway when another NAT gateway holds it); the
//!   address is associated with the gateway's interface and private address until the gateway is
//!   deleted ([`crate::aws::address`]).
//! - Deleting sets `deleted` at once (AWS passes through `deleting`) and frees the interface; the
//!   gateway stays listed for an hour ([`NAT_DELETED_VISIBLE_MS`]). Deleting it again succeeds.
//! - Detaching an internet gateway that has an edge route table association is refused with
//!   `DependencyViolation` (remove the association first).

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use crate::aws::error::{Conflict, Field};
use crate::{
    Attached, Dependent, DomainError, InternetGateway, Kind, LimitKind, NatGateway, NatState,
    NetworkInterface, RouteTable, RtAssocTarget, Scope, Subnet, Tags, Timestamp, Tx, Vpc,
};

/// How long a deleted NAT gateway stays visible.
pub const NAT_DELETED_VISIBLE_MS: i64 = Timestamp::HOUR;

/// A new NAT gateway (the CreateNatGateway command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewNat {
    /// The subnet.
    pub subnet_id: String,
    /// Elastic IP allocation (public gateways; refused for private ones).
    pub allocation_id: Option<String>,
    /// Public (needs an allocation) or private connectivity.
    pub public: bool,
    /// Requested private address.
    pub private_ip: Option<Ipv4Addr>,
    /// The caller's idempotency token: echoed in the reply, not honoured.
    pub client_token: Option<String>,
    /// Tags.
    pub tags: Tags,
}

impl NewNat {
    /// A public NAT gateway in `subnet_id` with no allocation, address, token or tags (add an
    /// allocation, or make it private, before running it).
    pub fn new(subnet_id: impl Into<String>) -> Self {
        NewNat {
            subnet_id: subnet_id.into(),
            allocation_id: None,
            public: true,
            private_ip: None,
            client_token: None,
            tags: Tags::new(),
        }
    }
}

impl NatGateway {
    /// Whether the gateway is still listed at `now`.
    pub fn visible_at(&self, now: Timestamp) -> bool {
        match (self.state, self.deleted) {
            (NatState::Deleted, Some(t)) => now < t.plus_millis(NAT_DELETED_VISIBLE_MS),
            (NatState::Deleted, None) => false,
            _ => true,
        }
    }
}

/// A MAC address derived from an interface id (`02:` + five bytes of its hex).
pub fn mac_for(eni_id: &str) -> String {
    let suffix = eni_id.rsplit('-').next().unwrap_or_default();
    let hex: String = suffix.chars().filter(char::is_ascii_hexdigit).collect();
    let tail = &hex[hex.len().saturating_sub(10)..];
    let padded = format!("{tail:0>10}");
    let mut out = String::from("02");
    for i in (0..10).step_by(2) {
        out.push(':');
        out.push_str(&padded[i..i + 2]);
    }
    out
}

/// A network interface a service manages in `subnet` (a NAT gateway's, an interface
/// endpoint's): the one address `ip`, no groups, source/destination check on, no public address
/// and no tags.
pub(crate) fn service_interface(
    eni_id: &str,
    scope: Scope,
    subnet: &Subnet,
    ip: Ipv4Addr,
    interface_type: &str,
    description: String,
) -> NetworkInterface {
    NetworkInterface {
        id: eni_id.to_owned(),
        scope,
        subnet_id: subnet.id.clone(),
        vpc_id: subnet.vpc_id.clone(),
        availability_zone: subnet.availability_zone.clone(),
        private_ip: ip,
        secondary_ips: Vec::new(),
        ipv6: Vec::new(),
        groups: Vec::new(),
        attachment: None,
        mac: mac_for(eni_id),
        description,
        interface_type: interface_type.into(),
        source_dest_check: true,
        public_ip: None,
        public_ip_on_launch: false,
        tags: Tags::new(),
    }
}

impl Tx<'_, '_> {
    /// CreateInternetGateway.
    pub fn create_internet_gateway(&mut self, tags: Tags) -> Result<String, DomainError> {
        self.check_tag_count(&Tags::new(), &tags, None)?;
        self.check_region_limit::<InternetGateway>(
            self.ctx.limits.internet_gateways_per_region,
            LimitKind::InternetGateways,
        )?;
        let id = self.new_id("igw");
        self.put(InternetGateway {
            id: id.clone(),
            scope: self.scope().clone(),
            attached_vpc: None,
            tags,
        });
        Ok(id)
    }

    /// AttachInternetGateway.
    pub fn attach_internet_gateway(
        &mut self,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), DomainError> {
        let igw = self.owned::<InternetGateway>(igw_id)?;
        if let Some(v) = &igw.attached_vpc {
            return Err(DomainError::Attached(Attached::GatewayAttached {
                gateway_id: igw_id.to_owned(),
                vpc_id: v.clone(),
            }));
        }
        self.owned::<Vpc>(vpc_id)?;
        if let Some(other) = self
            .list_owned::<InternetGateway>()
            .find(|g| g.attached_vpc.as_deref() == Some(vpc_id))
        {
            return Err(DomainError::Attached(Attached::VpcHasGateway {
                vpc_id: vpc_id.to_owned(),
                gateway_id: other.id.clone(),
            }));
        }
        self.owned_mut::<InternetGateway>(igw_id)?.attached_vpc = Some(vpc_id.to_owned());
        Ok(())
    }

    /// DetachInternetGateway.
    pub fn detach_internet_gateway(
        &mut self,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<(), DomainError> {
        let igw = self.owned::<InternetGateway>(igw_id)?;
        if igw.attached_vpc.as_deref() != Some(vpc_id) {
            crate::aws::check_id(Kind::Vpc, vpc_id)?;
            return Err(DomainError::GatewayNotAttached {
                gateway: igw_id.to_owned(),
                vpc_id: vpc_id.to_owned(),
            });
        }
        let edge = RtAssocTarget::Gateway(igw_id.to_owned());
        if let Some(t) = self
            .list_owned::<RouteTable>()
            .find(|t| t.associations.iter().any(|a| a.target == edge))
        {
            return Err(DomainError::DependencyViolation {
                kind: Kind::InternetGateway,
                id: igw_id.to_owned(),
                dependent: Some(Dependent::EdgeAssociation {
                    route_table_id: t.id.clone(),
                }),
            });
        }
        self.owned_mut::<InternetGateway>(igw_id)?.attached_vpc = None;
        Ok(())
    }

    /// DeleteInternetGateway: only a detached gateway.
    pub fn delete_internet_gateway(&mut self, igw_id: &str) -> Result<(), DomainError> {
        let igw = self.owned::<InternetGateway>(igw_id)?;
        if igw.attached_vpc.is_some() {
            return Err(DomainError::dependency(Kind::InternetGateway, igw_id));
        }
        self.remove::<InternetGateway>(igw_id);
        Ok(())
    }

    /// A NAT gateway of the caller that is still listed.
    pub fn visible_nat(&self, id: &str) -> Result<&NatGateway, DomainError> {
        let now = self.now();
        let nat = self.owned::<NatGateway>(id)?;
        if nat.visible_at(now) {
            Ok(nat)
        } else {
            Err(DomainError::not_found(Kind::NatGateway, id))
        }
    }

    /// CreateNatGateway; returns the new gateway's id.
    pub fn create_nat_gateway(&mut self, input: NewNat) -> Result<String, DomainError> {
        self.new_nat_gateway(input).map(|n| n.id)
    }

    /// CreateNatGateway; returns the new gateway.
    pub(crate) fn new_nat_gateway(&mut self, input: NewNat) -> Result<NatGateway, DomainError> {
        self.check_tag_count(&Tags::new(), &input.tags, None)?;
        let subnet = self.subnet(&input.subnet_id)?.clone();
        let public = input.public;
        let allocation_id = input.allocation_id.filter(|a| !a.is_empty());
        match (&allocation_id, public) {
            (None, true) => return Err(DomainError::Missing(Field::NatAllocation)),
            (Some(_), false) => {
                return Err(DomainError::Conflict(Conflict::AllocationOnPrivateNat))
            }
            (Some(a), true) => {
                if !a.starts_with("eipalloc-") || a.len() <= "eipalloc-".len() {
                    return Err(DomainError::AllocationMalformed {
                        allocation_id: a.clone(),
                    });
                }
                self.nat_allocation(a)?;
            }
            (None, false) => {}
        }
        let ip = self.allocate_private_ip(&subnet.id, input.private_ip, &[])?;
        let id = self.new_id("nat");
        let eni_id = self.new_id("eni");
        let eni = NetworkInterface {
            source_dest_check: false,
            ..service_interface(
                &eni_id,
                self.scope().clone(),
                &subnet,
                ip,
                "nat_gateway",
                format!("Interface for NAT Gateway {id}"),
            )
        };
        self.put(eni);
        let nat = NatGateway {
            id: id.clone(),
            scope: self.scope().clone(),
            vpc_id: subnet.vpc_id,
            subnet_id: subnet.id,
            public,
            allocation_id,
            eni_id,
            private_ip: ip,
            state: NatState::Available,
            created: self.now(),
            deleted: None,
            tags: input.tags,
        };
        self.put(nat.clone());
        if let Some(a) = &nat.allocation_id {
            let association_id = self.new_id("eipassoc");
            self.bind_address(a, &nat.eni_id, ip, association_id)?;
        }
        Ok(nat)
    }

    /// DeleteNatGateway: `deleted` at once; its interface is removed.
    pub fn delete_nat_gateway(&mut self, id: &str) -> Result<(), DomainError> {
        let nat = self.visible_nat(id)?.clone();
        if nat.state == NatState::Deleted {
            return Ok(());
        }
        self.drop_addresses_of(&nat.eni_id, None);
        self.remove::<NetworkInterface>(&nat.eni_id);
        let now = self.now();
        let n = self.owned_mut::<NatGateway>(id)?;
        n.state = NatState::Deleted;
        n.deleted = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{mac_for, NewNat, NAT_DELETED_VISIBLE_MS};
    use crate::testkit::{a, b, outcome, three_vpcs, TestEnv};
    use crate::{NatState, Tags};

    #[test]
    fn internet_gateway_rules() {
        let (mut env, v1, v2, vb) = three_vpcs();
        let g1 = env
            .run(&a(), |tx| tx.create_internet_gateway(Tags::new()))
            .expect("igw");
        let g2 = env
            .run(&a(), |tx| tx.create_internet_gateway(Tags::new()))
            .expect("igw");
        env.run(&a(), |tx| tx.attach_internet_gateway(&g1, &v1))
            .expect("attach");
        // (operation, gateway, vpc, expected)
        let rows: Vec<(&str, &str, &str, &str)> = vec![
            ("attach", &g1, &v2, "AlreadyAssociated"),
            ("attach", &g1, &v1, "AlreadyAssociated"),
            ("attach", &g2, &v1, "AlreadyAssociated"),
            ("attach", &g2, &v2, "ok"),
            ("attach", &g2, &vb, "NotFound"),
            ("attach", &g2, "vpc-0123456789abcdef0", "NotFound"),
            ("attach", "igw-0123456789abcdef0", &v2, "NotFound"),
            ("attach", "igw-x", &v2, "Malformed"),
            ("detach", &g1, &v1, "ok"),
            ("detach", &g1, &v2, "NotAttached"),
            ("detach", &g2, &v1, "NotAttached"),
            ("detach", &g2, "vpc-x", "Malformed"),
            ("delete", &g1, "", "Dependency"),
            ("delete", &g2, "", "ok"),
            ("delete", "igw-0123456789abcdef0", "", "NotFound"),
        ];
        for (op, g, v, want) in rows {
            let got = env.probe(&a(), |tx| match op {
                "attach" => tx.attach_internet_gateway(g, v),
                "detach" => tx.detach_internet_gateway(g, v),
                _ => tx.delete_internet_gateway(g),
            });
            assert_eq!(outcome(&got), want, "{op} {g} {v}");
        }
        // Another account sees none of them.
        assert_eq!(
            outcome(&env.probe(&b(), |tx| tx.delete_internet_gateway(&g2))),
            "NotFound"
        );
        env.run(&a(), |tx| tx.detach_internet_gateway(&g1, &v1))
            .expect("detach");
        env.run(&a(), |tx| tx.delete_internet_gateway(&g1))
            .expect("delete");
        assert!(!env.world.aws.internet_gateways.contains_key(&g1));
        env.limits.internet_gateways_per_region = Some(1);
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.create_internet_gateway(Tags::new()))),
            "Limit"
        );
    }

    /// A NAT gateway in `subnet`: public or private, with an allocation and an address.
    fn nat(subnet: &str, alloc: Option<&str>, public: bool, ip: Option<&str>) -> NewNat {
        NewNat {
            allocation_id: alloc.map(Into::into),
            public,
            private_ip: ip.map(|ip| ip.parse().expect("address")),
            ..NewNat::new(subnet)
        }
    }

    #[test]
    fn nat_gateway_rules() {
        let mut env = TestEnv::new();
        let v = env.vpc(&a(), "10.0.0.0/16");
        let s = env.subnet(&a(), &v, "10.0.1.0/28");
        let mut eip = || {
            env.run(&a(), |tx| tx.allocate_address(Tags::new()))
                .expect("eip")
                .id
        };
        let (e1, e2) = (eip(), eip());
        let (e1, e2) = (e1.as_str(), e2.as_str());
        let used = env
            .run(&a(), |tx| {
                tx.create_nat_gateway(nat(&s, Some(e1), true, None))
            })
            .expect("nat");
        let rows: Vec<(NewNat, &str)> = vec![
            (nat(&s, Some(e2), true, None), "ok"),
            (nat(&s, Some(e2), true, Some("10.0.1.9")), "ok"),
            (nat(&s, None, true, None), "Missing"),
            (nat(&s, None, false, None), "ok"),
            (nat(&s, Some(e2), false, None), "Combination"),
            (nat(&s, Some("alloc-2"), true, None), "Invalid"),
            (nat(&s, Some(e1), true, None), "AlreadyAssociated"),
            (nat(&s, Some("eipalloc-0123abcd"), true, None), "NotFound"),
            (nat(&s, None, false, Some("10.0.1.4")), "InUse"),
            (nat(&s, None, false, Some("10.0.1.1")), "Invalid"),
            (nat(&s, None, false, Some("10.0.2.9")), "Invalid"),
            (
                nat("subnet-0123456789abcdef0", None, false, None),
                "NotFound",
            ),
        ];
        for (input, want) in rows {
            let what = format!("{input:?}");
            let got = env.probe(&a(), |tx| tx.create_nat_gateway(input));
            assert_eq!(outcome(&got), want, "{what}");
        }
        let n = env.world.aws.nat_gateways[&used].clone();
        assert_eq!(n.state, NatState::Available);
        assert_eq!(n.private_ip.to_string(), "10.0.1.4");
        let eni = env.world.aws.network_interfaces[&n.eni_id].clone();
        assert_eq!(eni.interface_type, "nat_gateway");
        assert_eq!(eni.subnet_id, s);
        assert_eq!(eni.mac, mac_for(&n.eni_id));
        // A /28 has 11 usable addresses: fill it.
        for _ in 0..10 {
            env.run(&a(), |tx| tx.create_nat_gateway(nat(&s, None, false, None)))
                .expect("fits");
        }
        let full = env.probe(&a(), |tx| tx.create_nat_gateway(nat(&s, None, false, None)));
        assert!(matches!(
            full,
            Err(crate::DomainError::Address(
                crate::AddressProblem::Exhausted { .. }
            ))
        ));

        // Delete: deleted at once, interface freed, visible for an hour, idempotent.
        env.run(&a(), |tx| tx.delete_nat_gateway(&used))
            .expect("delete");
        let n = env.world.aws.nat_gateways[&used].clone();
        assert_eq!(n.state, NatState::Deleted);
        assert!(!env.world.aws.network_interfaces.contains_key(&n.eni_id));
        env.run(&a(), |tx| tx.delete_nat_gateway(&used))
            .expect("again");
        env.run(&a(), |tx| {
            tx.create_nat_gateway(nat(&s, Some(e1), true, None))
        })
        .expect("allocation and address free again");
        env.now = env.now.plus_millis(NAT_DELETED_VISIBLE_MS);
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.visible_nat(&used).map(|_| ()))),
            "NotFound"
        );
        assert_eq!(
            outcome(&env.probe(&a(), |tx| tx.delete_nat_gateway(&used))),
            "NotFound"
        );
    }

    #[test]
    fn macs_look_like_macs() {
        let m = mac_for("eni-0123456789abcdef0");
        assert_eq!(m.len(), 17);
        assert!(m.starts_with("02:"));
        assert_eq!(mac_for("eni-"), "02:00:00:00:00:00");
    }
}
