//! Network ACLs: creation and deletion, numbered entries per direction, and moving a subnet's
//! association between the ACLs of its VPC.
//!
//! A new (non-default) ACL holds only the implicit deny entries: rule 32767 for `0.0.0.0/0` in
//! both directions, plus 32768 for `::/0` when the VPC has an IPv6 block. User entries are numbered
//! 1–32766 and unique per direction. Protocols are stored as EC2 shows them in ACL entries: `-1`
//! or a protocol number; the face parses the request's text (names such as `tcp`, the action, the
//! blocks, the port and ICMP values) into an [`AclEntrySpec`].
//!
//! Choices where AWS is unverified:
//! - Deleting the default ACL gives `InvalidParameterValue` ("cannot delete default network ACL");
//!   an ACL with subnet associations gives `DependencyViolation`.
//! - A missing port range for TCP/UDP, or a missing ICMP type/code for ICMP (1) and ICMPv6 (58),
//!   gives `MissingParameter` (`portRange`/`icmpTypeCode`).
//! - ReplaceNetworkAclAssociation to an ACL of another VPC gives `InvalidParameterValue`.

use crate::aws::error::Field;
use crate::{
    AclAction, AclAssociation, AclEntry, Dependent, Destination, DomainError, Kind, Mismatch,
    NetworkAcl, Tags, Tx, Vpc,
};

/// The protocol of an ACL entry: all protocols, or one IP protocol number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AclProtocol {
    /// Every protocol.
    All,
    /// One IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …).
    Number(u8),
}

impl AclProtocol {
    /// TCP.
    pub const TCP: AclProtocol = AclProtocol::Number(6);
    /// UDP.
    pub const UDP: AclProtocol = AclProtocol::Number(17);
    /// ICMP.
    pub const ICMP: AclProtocol = AclProtocol::Number(1);
    /// ICMPv6.
    pub const ICMPV6: AclProtocol = AclProtocol::Number(58);

    /// Whether entries of this protocol carry a port range.
    pub fn has_ports(self) -> bool {
        matches!(self, AclProtocol::Number(6 | 17))
    }

    /// Whether entries of this protocol carry an ICMP type and code.
    pub fn has_icmp(self) -> bool {
        matches!(self, AclProtocol::Number(1 | 58))
    }

    /// The protocol as an [`AclEntry`] stores it: `-1` or the number.
    pub fn stored(self) -> String {
        match self {
            AclProtocol::All => "-1".to_owned(),
            AclProtocol::Number(n) => n.to_string(),
        }
    }
}

/// Input of CreateNetworkAclEntry / ReplaceNetworkAclEntry, parsed by the face: the model
/// checks only the rules between fields (the rule number's range, a port range for TCP and UDP,
/// an ICMP type and code for ICMP and ICMPv6, `from <= to`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AclEntrySpec {
    /// The ACL.
    pub acl_id: String,
    /// The rule number (1–32766).
    pub rule_number: i64,
    /// The protocol.
    pub protocol: AclProtocol,
    /// Allow or deny.
    pub action: AclAction,
    /// Outbound (`true`) or inbound.
    pub egress: bool,
    /// The IPv4 or IPv6 block the entry matches.
    pub cidr: Destination,
    /// The port range (read for TCP and UDP only).
    pub port_range: Option<(u16, u16)>,
    /// The ICMP type and code, each -1 or 0–255 (read for ICMP and ICMPv6 only).
    pub icmp: Option<(i16, i16)>,
}

/// Why the face refused an entry's values, in domain terms. The refusal travels in the command
/// ([`AclEntryRequest::Refused`]) so that the ACL is looked up first: an unknown ACL is reported
/// ahead of a bad value, as this emulator always answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AclEntryProblem {
    /// A field's value is unusable.
    Invalid {
        /// The field.
        field: Field,
        /// The value as given.
        value: String,
    },
    /// A required field is missing.
    Missing(Field),
    /// Both an IPv4 and an IPv6 block.
    BothBlocks,
    /// A port outside 0–65535.
    PortOutOfRange(i64),
}

impl From<AclEntryProblem> for DomainError {
    fn from(p: AclEntryProblem) -> Self {
        match p {
            AclEntryProblem::Invalid { field, value } => DomainError::Invalid { field, value },
            AclEntryProblem::Missing(field) => DomainError::Missing(field),
            AclEntryProblem::BothBlocks => DomainError::AclBlocksExclusive,
            AclEntryProblem::PortOutOfRange(v) => DomainError::AclPortOutOfRange(v),
        }
    }
}

/// A CreateNetworkAclEntry / ReplaceNetworkAclEntry request: its parsed entry, or the ACL it
/// names and why its values were refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AclEntryRequest {
    /// Values that parsed.
    Parsed(AclEntrySpec),
    /// Values the face refused; the command fails with `problem` once the ACL is found.
    Refused {
        /// The ACL.
        acl_id: String,
        /// The first refused value.
        problem: AclEntryProblem,
    },
}

impl AclEntryRequest {
    /// The entry to apply, after checking that the ACL exists when the values were refused.
    fn entry(&self, tx: &Tx<'_, '_>) -> Result<&AclEntrySpec, DomainError> {
        match self {
            AclEntryRequest::Parsed(input) => Ok(input),
            AclEntryRequest::Refused { acl_id, problem } => {
                tx.owned::<NetworkAcl>(acl_id)?;
                Err(problem.clone().into())
            }
        }
    }
}

/// Checks a user rule number (1–32766).
pub fn check_rule_number(n: i64) -> Result<i32, DomainError> {
    if (1..=32766).contains(&n) {
        Ok(n as i32)
    } else {
        Err(DomainError::Invalid {
            field: Field::AclRuleNumber,
            value: n.to_string(),
        })
    }
}

/// Checks a port range's order (`from <= to`).
pub fn check_port_order(from: u16, to: u16) -> Result<(), DomainError> {
    if from > to {
        return Err(DomainError::Invalid {
            field: Field::AclPortRange,
            value: format!("{from}-{to}"),
        });
    }
    Ok(())
}

/// Validates an entry request into an [`AclEntry`].
fn build_entry(input: &AclEntrySpec) -> Result<AclEntry, DomainError> {
    let rule_number = check_rule_number(input.rule_number)?;
    let mut port_range = None;
    let mut icmp = None;
    if input.protocol.has_ports() {
        let Some((from, to)) = input.port_range else {
            return Err(DomainError::Missing(Field::AclPortRange));
        };
        check_port_order(from, to)?;
        port_range = Some((i32::from(from), i32::from(to)));
    } else if input.protocol.has_icmp() {
        let Some((ty, code)) = input.icmp else {
            return Err(DomainError::Missing(Field::AclIcmpTypeCode));
        };
        icmp = Some((i32::from(ty), i32::from(code)));
    }
    Ok(AclEntry {
        rule_number,
        egress: input.egress,
        protocol: input.protocol.stored(),
        action: input.action,
        cidr: input.cidr,
        port_range,
        icmp,
    })
}

impl Tx<'_, '_> {
    /// CreateNetworkAcl: an ACL with only the implicit deny entries.
    pub fn create_network_acl(&mut self, vpc_id: &str, tags: Tags) -> Result<String, DomainError> {
        let vpc = self.owned::<Vpc>(vpc_id)?;
        let has_v6 = vpc.ipv6_cidrs().next().is_some();
        let mut entries = Vec::new();
        for egress in [true, false] {
            entries.push(implicit_deny(
                32767,
                egress,
                Destination::V4(ipnet::Ipv4Net::default()),
            ));
            if has_v6 {
                entries.push(implicit_deny(
                    32768,
                    egress,
                    Destination::V6(ipnet::Ipv6Net::default()),
                ));
            }
        }
        let id = self.new_id("acl");
        let acl = NetworkAcl {
            id: id.clone(),
            vpc_id: vpc_id.to_owned(),
            scope: self.scope().clone(),
            is_default: false,
            entries,
            associations: Vec::new(),
            tags,
        };
        self.put(acl);
        Ok(id)
    }

    /// DeleteNetworkAcl: not the default ACL, not while subnets are associated.
    pub fn delete_network_acl(&mut self, acl_id: &str) -> Result<(), DomainError> {
        let acl = self.owned::<NetworkAcl>(acl_id)?;
        if acl.is_default {
            return Err(DomainError::DefaultAclUndeletable {
                acl_id: acl_id.to_owned(),
            });
        }
        if let Some(a) = acl.associations.first() {
            return Err(DomainError::DependencyViolation {
                kind: Kind::NetworkAcl,
                id: acl_id.to_owned(),
                dependent: Some(Dependent::AclSubnet {
                    subnet_id: a.subnet_id.clone(),
                }),
            });
        }
        self.remove::<NetworkAcl>(acl_id);
        Ok(())
    }

    /// CreateNetworkAclEntry: a new numbered entry in one direction.
    pub fn create_network_acl_entry(&mut self, input: &AclEntrySpec) -> Result<(), DomainError> {
        let acl = self.owned::<NetworkAcl>(&input.acl_id)?;
        let entry = build_entry(input)?;
        if acl
            .entries
            .iter()
            .any(|e| e.rule_number == entry.rule_number && e.egress == entry.egress)
        {
            return Err(DomainError::AclEntryAlreadyExists {
                acl_id: input.acl_id.clone(),
                rule_number: entry.rule_number,
                egress: entry.egress,
            });
        }
        self.owned_mut::<NetworkAcl>(&input.acl_id)?
            .entries
            .push(entry);
        Ok(())
    }

    /// ReplaceNetworkAclEntry: the numbered entry of that direction must exist.
    pub fn replace_network_acl_entry(&mut self, input: &AclEntrySpec) -> Result<(), DomainError> {
        let acl = self.owned::<NetworkAcl>(&input.acl_id)?;
        let entry = build_entry(input)?;
        let Some(pos) = acl
            .entries
            .iter()
            .position(|e| e.rule_number == entry.rule_number && e.egress == entry.egress)
        else {
            return Err(DomainError::AclEntryNotFound {
                acl_id: input.acl_id.clone(),
                rule_number: entry.rule_number,
                egress: entry.egress,
            });
        };
        let acl = self.owned_mut::<NetworkAcl>(&input.acl_id)?;
        if let Some(slot) = acl.entries.get_mut(pos) {
            *slot = entry;
        }
        Ok(())
    }

    /// The command behind CreateNetworkAclEntry.
    pub fn create_acl_entry(&mut self, request: &AclEntryRequest) -> Result<(), DomainError> {
        self.create_network_acl_entry(request.entry(self)?)
    }

    /// The command behind ReplaceNetworkAclEntry.
    pub fn replace_acl_entry(&mut self, request: &AclEntryRequest) -> Result<(), DomainError> {
        self.replace_network_acl_entry(request.entry(self)?)
    }

    /// DeleteNetworkAclEntry.
    pub fn delete_network_acl_entry(
        &mut self,
        acl_id: &str,
        rule_number: i64,
        egress: bool,
    ) -> Result<(), DomainError> {
        let acl = self.owned::<NetworkAcl>(acl_id)?;
        let n = check_rule_number(rule_number)?;
        if !acl
            .entries
            .iter()
            .any(|e| e.rule_number == n && e.egress == egress)
        {
            return Err(DomainError::AclEntryNotFound {
                acl_id: acl_id.to_owned(),
                rule_number: n,
                egress,
            });
        }
        self.owned_mut::<NetworkAcl>(acl_id)?
            .entries
            .retain(|e| !(e.rule_number == n && e.egress == egress));
        Ok(())
    }

    /// ReplaceNetworkAclAssociation: moves the subnet of `association_id` to `acl_id` (same VPC)
    /// and returns the new association id.
    pub fn replace_network_acl_association(
        &mut self,
        association_id: &str,
        acl_id: &str,
    ) -> Result<String, DomainError> {
        let target = self.owned::<NetworkAcl>(acl_id)?;
        let target_vpc = target.vpc_id.clone();
        let Some((old_acl, assoc)) = self.list_owned::<NetworkAcl>().find_map(|a| {
            a.associations
                .iter()
                .find(|x| x.id == association_id)
                .map(|x| (a.clone(), x.clone()))
        }) else {
            return Err(DomainError::not_found(Kind::Association, association_id));
        };
        if old_acl.vpc_id != target_vpc {
            return Err(DomainError::DifferentVpcs(Mismatch::AclAndSubnet {
                acl_id: acl_id.to_owned(),
                subnet_id: assoc.subnet_id.clone(),
            }));
        }
        let new_id = self.new_id("aclassoc");
        self.owned_mut::<NetworkAcl>(&old_acl.id)?
            .associations
            .retain(|x| x.id != association_id);
        self.owned_mut::<NetworkAcl>(acl_id)?
            .associations
            .push(AclAssociation {
                id: new_id.clone(),
                subnet_id: assoc.subnet_id,
            });
        Ok(new_id)
    }
}

fn implicit_deny(rule_number: i32, egress: bool, cidr: Destination) -> AclEntry {
    AclEntry {
        rule_number,
        egress,
        protocol: "-1".into(),
        action: AclAction::Deny,
        cidr,
        port_range: None,
        icmp: None,
    }
}

/// Entries in the order EC2 lists them: outbound first, then by rule number.
pub fn ordered_entries(acl: &NetworkAcl) -> Vec<&AclEntry> {
    let mut v: Vec<&AclEntry> = acl.entries.iter().collect();
    v.sort_by_key(|e| (!e.egress, e.rule_number));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{a, b, subnet_record, TestEnv};

    fn default_acl(env: &TestEnv, vpc: &str) -> String {
        env.world
            .aws
            .network_acls
            .values()
            .find(|a| a.vpc_id == vpc && a.is_default)
            .unwrap()
            .id
            .clone()
    }

    /// A subnet record associated with the VPC's default ACL (CreateSubnet belongs to another
    /// module); returns (subnet id, association id).
    fn subnet(env: &mut TestEnv, vpc: &str, cidr: &str) -> (String, String) {
        let acl = default_acl(env, vpc);
        env.run(&a(), |tx| {
            let id = tx.new_id("subnet");
            tx.put(subnet_record(&id, vpc, &a(), "us-east-1a", cidr));
            let assoc = tx.new_id("aclassoc");
            tx.owned_mut::<NetworkAcl>(&acl)?
                .associations
                .push(AclAssociation {
                    id: assoc.clone(),
                    subnet_id: id.clone(),
                });
            Ok((id, assoc))
        })
        .unwrap()
    }

    fn entry(acl: &str, n: i64, proto: AclProtocol, egress: bool) -> AclEntrySpec {
        AclEntrySpec {
            acl_id: acl.into(),
            rule_number: n,
            protocol: proto,
            action: AclAction::Allow,
            egress,
            cidr: Destination::V4("10.1.0.0/16".parse().unwrap()),
            port_range: None,
            icmp: None,
        }
    }

    #[test]
    fn new_acl_has_only_implicit_denies() {
        for (ipv6, want) in [
            (false, vec![32767, 32767]),
            (true, vec![32767, 32768, 32767, 32768]),
        ] {
            let mut env = TestEnv::with_seed(5);
            let v = if ipv6 {
                env.vpc_ipv6(&a(), "10.0.0.0/16")
            } else {
                env.vpc(&a(), "10.0.0.0/16")
            };
            let id = env
                .run(&a(), |tx| tx.create_network_acl(&v, Tags::new()))
                .unwrap();
            let acl = &env.world.aws.network_acls[&id];
            assert!(!acl.is_default);
            let got: Vec<i32> = ordered_entries(acl).iter().map(|e| e.rule_number).collect();
            assert_eq!(got, want, "ipv6={ipv6}");
            assert!(acl.entries.iter().all(|e| e.action == AclAction::Deny));
        }
    }

    #[test]
    fn entry_validation_table() {
        type Edit = fn(&mut AclEntrySpec);
        let rows: &[(&str, Edit, Result<(), &str>)] = &[
            ("plain all-protocol", |_| {}, Ok(())),
            (
                "tcp with ports",
                |e| {
                    e.protocol = AclProtocol::TCP;
                    e.port_range = Some((22, 22));
                },
                Ok(()),
            ),
            (
                "tcp without ports",
                |e| e.protocol = AclProtocol::TCP,
                Err("MissingParameter"),
            ),
            (
                "udp ports reversed",
                |e| {
                    e.protocol = AclProtocol::UDP;
                    e.port_range = Some((100, 10));
                },
                Err("InvalidParameterValue"),
            ),
            (
                "ports ignored for all protocols",
                |e| e.port_range = Some((100, 10)),
                Ok(()),
            ),
            (
                "icmp without type",
                |e| e.protocol = AclProtocol::ICMP,
                Err("MissingParameter"),
            ),
            (
                "icmpv6 without type",
                |e| e.protocol = AclProtocol::ICMPV6,
                Err("MissingParameter"),
            ),
            (
                "icmp with type",
                |e| {
                    e.protocol = AclProtocol::ICMP;
                    e.icmp = Some((8, -1));
                },
                Ok(()),
            ),
            (
                "rule 0",
                |e| e.rule_number = 0,
                Err("InvalidParameterValue"),
            ),
            (
                "rule 32767",
                |e| e.rule_number = 32767,
                Err("InvalidParameterValue"),
            ),
            (
                "ipv6 only",
                |e| e.cidr = Destination::V6("2600::/56".parse().unwrap()),
                Ok(()),
            ),
        ];
        for (name, edit, want) in rows {
            let mut env = TestEnv::with_seed(5);
            let v = env.vpc(&a(), "10.0.0.0/16");
            let acl = env
                .run(&a(), |tx| tx.create_network_acl(&v, Tags::new()))
                .unwrap();
            let mut e = entry(&acl, 100, AclProtocol::All, false);
            edit(&mut e);
            let got = env.run(&a(), |tx| tx.create_network_acl_entry(&e));
            let got = got.map_err(|e| match e {
                DomainError::Missing(_) => "MissingParameter",
                DomainError::Invalid { .. } => "InvalidParameterValue",
                other => panic!("{name}: unexpected {other:?}"),
            });
            assert_eq!(got, *want, "{name}");
        }
    }

    #[test]
    fn entries_are_unique_per_direction_and_replaceable() {
        let mut env = TestEnv::with_seed(5);
        let v = env.vpc(&a(), "10.0.0.0/16");
        let acl = env
            .run(&a(), |tx| tx.create_network_acl(&v, Tags::new()))
            .unwrap();
        env.run(&a(), |tx| {
            tx.create_network_acl_entry(&entry(&acl, 100, AclProtocol::TCP, false).with_ports())
        })
        .unwrap();
        // Same number other direction: fine. Same direction: refused.
        env.run(&a(), |tx| {
            tx.create_network_acl_entry(&entry(&acl, 100, AclProtocol::All, true))
        })
        .unwrap();
        let dup = env.run(&a(), |tx| {
            tx.create_network_acl_entry(&entry(&acl, 100, AclProtocol::All, false))
        });
        assert!(matches!(
            dup,
            Err(DomainError::AclEntryAlreadyExists {
                rule_number: 100,
                ..
            })
        ));
        // Replace keeps the number, changes the content.
        let mut r = entry(&acl, 100, AclProtocol::UDP, false).with_ports();
        r.action = AclAction::Deny;
        env.run(&a(), |tx| tx.replace_network_acl_entry(&r))
            .unwrap();
        let e = env.world.aws.network_acls[&acl]
            .entries
            .iter()
            .find(|e| e.rule_number == 100 && !e.egress)
            .unwrap()
            .clone();
        assert_eq!((e.protocol.as_str(), e.action), ("17", AclAction::Deny));
        let missing = env.run(&a(), |tx| {
            tx.replace_network_acl_entry(&entry(&acl, 200, AclProtocol::All, false))
        });
        assert!(matches!(missing, Err(DomainError::AclEntryNotFound { .. })));
        env.run(&a(), |tx| tx.delete_network_acl_entry(&acl, 100, false))
            .unwrap();
        let again = env.run(&a(), |tx| tx.delete_network_acl_entry(&acl, 100, false));
        assert!(matches!(again, Err(DomainError::AclEntryNotFound { .. })));
        assert!(env.world.aws.network_acls[&acl]
            .entries
            .iter()
            .any(|e| e.rule_number == 100 && e.egress));
    }

    impl AclEntrySpec {
        fn with_ports(mut self) -> Self {
            self.port_range = Some((80, 443));
            self
        }
    }

    #[test]
    fn associations_move_within_a_vpc_and_block_deletion() {
        let mut env = TestEnv::with_seed(5);
        let v = env.vpc(&a(), "10.0.0.0/16");
        let other = env.vpc(&a(), "10.9.0.0/16");
        let (subnet_id, assoc) = subnet(&mut env, &v, "10.0.1.0/24");
        let def = default_acl(&env, &v);
        let custom = env
            .run(&a(), |tx| tx.create_network_acl(&v, Tags::new()))
            .unwrap();
        let foreign = env
            .run(&a(), |tx| tx.create_network_acl(&other, Tags::new()))
            .unwrap();

        let err = env.run(&a(), |tx| {
            tx.replace_network_acl_association(&assoc, &foreign)
        });
        assert!(matches!(err, Err(DomainError::DifferentVpcs(_))));
        let err = env.run(&a(), |tx| {
            tx.replace_network_acl_association("aclassoc-0123456789abcdef0", &custom)
        });
        assert!(matches!(
            err,
            Err(DomainError::NotFound {
                kind: Kind::Association,
                ..
            })
        ));

        let new_assoc = env
            .run(&a(), |tx| {
                tx.replace_network_acl_association(&assoc, &custom)
            })
            .unwrap();
        assert_ne!(new_assoc, assoc);
        assert!(env.world.aws.network_acls[&def].associations.is_empty());
        assert_eq!(
            env.world.aws.network_acls[&custom].associations[0].subnet_id,
            subnet_id
        );

        let err = env.run(&a(), |tx| tx.delete_network_acl(&custom));
        assert!(matches!(err, Err(DomainError::DependencyViolation { .. })));
        let err = env.run(&a(), |tx| tx.delete_network_acl(&def));
        assert!(matches!(
            err,
            Err(DomainError::DefaultAclUndeletable { .. })
        ));

        let back = env
            .run(&a(), |tx| {
                tx.replace_network_acl_association(&new_assoc, &def)
            })
            .unwrap();
        assert_eq!(env.world.aws.network_acls[&def].associations[0].id, back);
        env.run(&a(), |tx| tx.delete_network_acl(&custom)).unwrap();
        assert!(!env.world.aws.network_acls.contains_key(&custom));
    }

    #[test]
    fn other_accounts_cannot_touch_an_acl() {
        let mut env = TestEnv::with_seed(5);
        let v = env.vpc(&a(), "10.0.0.0/16");
        let acl = env
            .run(&a(), |tx| tx.create_network_acl(&v, Tags::new()))
            .unwrap();
        let b = b();
        let err = env.run(&b, |tx| tx.delete_network_acl(&acl));
        assert!(matches!(
            err,
            Err(DomainError::NotFound {
                kind: Kind::NetworkAcl,
                ..
            })
        ));
        let err = env.run(&b, |tx| tx.create_network_acl(&v, Tags::new()));
        assert!(matches!(
            err,
            Err(DomainError::NotFound {
                kind: Kind::Vpc,
                ..
            })
        ));
    }
}
