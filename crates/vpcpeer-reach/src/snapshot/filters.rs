//! What a subnet's route table, its network ACL and an interface's security groups decide for
//! one packet, over the compiled AWS records: the decisions the AWS walk
//! (`crates/vpcpeer-reach/src/explain/filters.rs`), the crossing walk
//! (`crates/vpcpeer-reach/src/crossing/aws.rs`) and the tunnel's outer path
//! (`crates/vpcpeer-reach/src/tunnel/aws.rs`) share; each records them in its own words.

use std::net::IpAddr;

use vpcpeer_model::{AclAction, RulePeer};

use super::{AclView, EniView, GroupView, RouteEntry, Snapshot, TableView};
use crate::model::{Code, ComponentKind as K, ComponentRef, Direction, Header, RuleRef};
use crate::rules::{acl_entry_matches, sg_cidr_admits, sg_protocol_admits};

/// A network ACL's decision for one packet.
pub(crate) struct AclDecision<'s> {
    /// The subnet's ACL.
    pub acl: &'s AclView,
    /// The first entry that matched; `None`: the default `*` entry (deny).
    pub rule_number: Option<i32>,
    /// Its action.
    pub action: AclAction,
}

impl AclDecision<'_> {
    /// The ACL's component.
    pub fn component(&self) -> ComponentRef {
        ComponentRef::new(K::NetworkAcl, &self.acl.id)
    }

    /// The deciding entry as a hop's rule.
    pub fn rule(&self, dir: Direction) -> RuleRef {
        RuleRef::AclRule {
            rule_number: self.rule_number,
            action: self.action,
            direction: dir,
        }
    }

    /// The deciding entry's number, `*` for the default one.
    pub fn label(&self) -> String {
        self.rule_number.map_or("*".to_owned(), |n| n.to_string())
    }

    /// The walk's blocker when the ACL denies `h` (`SUBNET_ACL_RESTRICTION`): code, component
    /// and sentence.
    pub fn denial(
        &self,
        subnet: &str,
        dir: Direction,
        h: &Header,
    ) -> Option<(Code, ComponentRef, String)> {
        (self.action == AclAction::Deny).then(|| {
            (
                Code::SubnetAclRestriction { direction: dir },
                self.component(),
                format!(
                    "{} of subnet {subnet} denies {} {h} (rule {})",
                    self.acl.id,
                    Self::way(dir),
                    self.label()
                ),
            )
        })
    }

    /// `outbound` or `inbound`, the ACL's words for `dir`.
    pub fn way(dir: Direction) -> &'static str {
        match dir {
            Direction::Egress => "outbound",
            Direction::Ingress => "inbound",
        }
    }
}

impl EniView {
    /// The component a denial of the interface's security groups names: its first group, else
    /// the interface itself.
    pub(crate) fn sg_component(&self) -> ComponentRef {
        match self.groups.first() {
            Some(g) => ComponentRef::new(K::SecurityGroup, g),
            None => ComponentRef::new(K::NetworkInterface, &self.id),
        }
    }
}

impl Snapshot {
    /// The route table of `subnet` with the component its route hop names (the table, else the
    /// subnet), and its best route for `ip`.
    pub(crate) fn route_of_subnet(
        &self,
        subnet: &str,
        ip: IpAddr,
    ) -> (Option<&TableView>, ComponentRef, Option<&RouteEntry>) {
        let table = self.table_of_subnet(subnet);
        let at = table_component(table, subnet);
        let best = table.and_then(|t| t.lpm.lookup(ip)).map(|(_, e)| e);
        (table, at, best)
    }

    /// The decision of `subnet`'s network ACL for `h` in direction `dir` (`None` when the
    /// subnet has no ACL).
    pub(crate) fn acl_decision(
        &self,
        subnet: &str,
        dir: Direction,
        h: &Header,
    ) -> Option<AclDecision<'_>> {
        let acl = self.acl_of_subnet(subnet)?;
        let entries = match dir {
            Direction::Egress => &acl.outbound,
            Direction::Ingress => &acl.inbound,
        };
        let peer = h.other_end(dir);
        let first = entries.iter().find(|e| acl_entry_matches(e, h, peer));
        Some(AclDecision {
            acl,
            rule_number: first.map(|e| e.rule_number),
            action: first.map_or(AclAction::Deny, |e| e.action),
        })
    }

    /// The first rule of `eni`'s security groups that admits `h` in direction `dir`, as its
    /// group's component and the hop's rule; `group_ref(group, referenced)` decides a rule that
    /// references a group (`None`: no rule admits it).
    pub(crate) fn sg_admits(
        &self,
        eni: &EniView,
        dir: Direction,
        h: &Header,
        group_ref: impl Fn(&GroupView, &str) -> bool,
    ) -> Option<(ComponentRef, RuleRef)> {
        let peer = h.other_end(dir);
        eni.groups.iter().find_map(|gid| {
            let g = self.groups.get(gid)?;
            let rules = match dir {
                Direction::Egress => &g.egress,
                Direction::Ingress => &g.ingress,
            };
            let r = rules.iter().find(|r| {
                sg_protocol_admits(r, h)
                    && sg_cidr_admits(r, peer).unwrap_or_else(|| match &r.peer {
                        RulePeer::Group { group_id, .. } => group_ref(g, group_id),
                        _ => false,
                    })
            })?;
            Some((
                ComponentRef::new(K::SecurityGroup, gid),
                RuleRef::SecurityGroupRule {
                    group_id: gid.clone(),
                    rule_id: r.id.clone(),
                    direction: dir,
                },
            ))
        })
    }
}

/// The component a route hop of `subnet` names: its route table, else the subnet.
pub(crate) fn table_component(table: Option<&TableView>, subnet: &str) -> ComponentRef {
    table.map_or_else(
        || ComponentRef::new(K::Subnet, subnet),
        |t| ComponentRef::new(K::RouteTable, &t.id),
    )
}
