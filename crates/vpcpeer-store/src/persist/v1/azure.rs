//! The v1 stored form of the Azure kinds whose domain types moved away from it: network
//! security groups (`AzNsg`) and finished operations (`AzOperation`, whose effective-NSG results
//! hold security rules). v1 keeps a rule's protocol, port ranges and address prefixes as the
//! strings the caller gave; the model now holds them as typed values with that text
//! ([`vpcpeer_model::azure::Spelled`]). These mirrors have the v1 field names, order and types;
//! a rule read back is parsed again from its text (the first release validated every stored
//! rule, so each value parses).

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use vpcpeer_model::azure::input::Syntax;
use vpcpeer_model::azure::security::{AzEffectiveNsg, AzEffectiveRule};
use vpcpeer_model::azure::{
    AzAccess, AzDirection, AzEffectiveRoute, AzNsg, AzOperation, AzOperationResult, AzPlace,
    AzSecurityRule, AzTags, Spelled,
};
use vpcpeer_model::Timestamp;

fn texts<T: Syntax>(v: &[Spelled<T>]) -> Vec<String> {
    v.iter().map(|s| s.text().to_owned()).collect()
}

fn spelled<T: Syntax>(v: Vec<String>) -> Vec<Spelled<T>> {
    v.into_iter().map(Spelled::new).collect()
}

/// A security rule in v1: protocol, ports and prefixes as strings.
#[derive(Serialize, Deserialize)]
struct SecurityRuleV1 {
    name: String,
    priority: u32,
    direction: AzDirection,
    access: AzAccess,
    protocol: String,
    source_ports: Vec<String>,
    destination_ports: Vec<String>,
    source_prefixes: Vec<String>,
    destination_prefixes: Vec<String>,
    description: Option<String>,
}

impl From<&AzSecurityRule> for SecurityRuleV1 {
    fn from(r: &AzSecurityRule) -> Self {
        SecurityRuleV1 {
            name: r.name.clone(),
            priority: r.priority,
            direction: r.direction,
            access: r.access,
            protocol: r.protocol.text().to_owned(),
            source_ports: texts(&r.source_ports),
            destination_ports: texts(&r.destination_ports),
            source_prefixes: texts(&r.source_prefixes),
            destination_prefixes: texts(&r.destination_prefixes),
            description: r.description.clone(),
        }
    }
}

impl From<SecurityRuleV1> for AzSecurityRule {
    fn from(r: SecurityRuleV1) -> Self {
        AzSecurityRule {
            name: r.name,
            priority: r.priority,
            direction: r.direction,
            access: r.access,
            protocol: Spelled::new(r.protocol),
            source_ports: spelled(r.source_ports),
            destination_ports: spelled(r.destination_ports),
            source_prefixes: spelled(r.source_prefixes),
            destination_prefixes: spelled(r.destination_prefixes),
            description: r.description,
        }
    }
}

/// `AzNsg` in v1.
#[derive(Serialize, Deserialize)]
pub(super) struct NsgV1 {
    id: String,
    display_id: String,
    name: String,
    place: AzPlace,
    rules: Vec<SecurityRuleV1>,
    guid: String,
    tags: AzTags,
}

impl From<&AzNsg> for NsgV1 {
    fn from(n: &AzNsg) -> Self {
        NsgV1 {
            id: n.id.clone(),
            display_id: n.display_id.clone(),
            name: n.name.clone(),
            place: n.place.clone(),
            rules: n.rules.iter().map(SecurityRuleV1::from).collect(),
            guid: n.guid.clone(),
            tags: n.tags.clone(),
        }
    }
}

impl From<NsgV1> for AzNsg {
    fn from(n: NsgV1) -> Self {
        AzNsg {
            id: n.id,
            display_id: n.display_id,
            name: n.name,
            place: n.place,
            rules: n.rules.into_iter().map(AzSecurityRule::from).collect(),
            guid: n.guid,
            tags: n.tags,
        }
    }
}

/// `AzEffectiveRule` in v1.
#[derive(Serialize, Deserialize)]
struct EffectiveRuleV1 {
    name: String,
    rule: SecurityRuleV1,
    expanded_source: Vec<Ipv4Net>,
    expanded_destination: Vec<Ipv4Net>,
}

/// `AzEffectiveNsg` in v1.
#[derive(Serialize, Deserialize)]
struct EffectiveNsgV1 {
    nsg_id: String,
    subnet_id: Option<String>,
    nic_id: Option<String>,
    rules: Vec<EffectiveRuleV1>,
    tag_map: BTreeMap<String, Vec<Ipv4Net>>,
}

impl From<&AzEffectiveNsg> for EffectiveNsgV1 {
    fn from(g: &AzEffectiveNsg) -> Self {
        EffectiveNsgV1 {
            nsg_id: g.nsg_id.clone(),
            subnet_id: g.subnet_id.clone(),
            nic_id: g.nic_id.clone(),
            rules: g
                .rules
                .iter()
                .map(|e| EffectiveRuleV1 {
                    name: e.name.clone(),
                    rule: SecurityRuleV1::from(&e.rule),
                    expanded_source: e.expanded_source.clone(),
                    expanded_destination: e.expanded_destination.clone(),
                })
                .collect(),
            tag_map: g.tag_map.clone(),
        }
    }
}

impl From<EffectiveNsgV1> for AzEffectiveNsg {
    fn from(g: EffectiveNsgV1) -> Self {
        AzEffectiveNsg {
            nsg_id: g.nsg_id,
            subnet_id: g.subnet_id,
            nic_id: g.nic_id,
            rules: g
                .rules
                .into_iter()
                .map(|e| AzEffectiveRule {
                    name: e.name,
                    rule: e.rule.into(),
                    expanded_source: e.expanded_source,
                    expanded_destination: e.expanded_destination,
                })
                .collect(),
            tag_map: g.tag_map,
        }
    }
}

/// `AzOperationResult` in v1.
#[derive(Serialize, Deserialize)]
enum OperationResultV1 {
    None,
    EffectiveRoutes(Vec<AzEffectiveRoute>),
    EffectiveNsgs(Vec<EffectiveNsgV1>),
}

/// `AzOperation` in v1.
#[derive(Serialize, Deserialize)]
pub(super) struct OperationV1 {
    id: String,
    subscription: String,
    location: String,
    started: Timestamp,
    result: OperationResultV1,
}

impl From<&AzOperation> for OperationV1 {
    fn from(o: &AzOperation) -> Self {
        OperationV1 {
            id: o.id.clone(),
            subscription: o.subscription.clone(),
            location: o.location.clone(),
            started: o.started,
            result: match &o.result {
                AzOperationResult::None => OperationResultV1::None,
                AzOperationResult::EffectiveRoutes(r) => {
                    OperationResultV1::EffectiveRoutes(r.clone())
                }
                AzOperationResult::EffectiveNsgs(g) => {
                    OperationResultV1::EffectiveNsgs(g.iter().map(EffectiveNsgV1::from).collect())
                }
            },
        }
    }
}

impl From<OperationV1> for AzOperation {
    fn from(o: OperationV1) -> Self {
        AzOperation {
            id: o.id,
            subscription: o.subscription,
            location: o.location,
            started: o.started,
            result: match o.result {
                OperationResultV1::None => AzOperationResult::None,
                OperationResultV1::EffectiveRoutes(r) => AzOperationResult::EffectiveRoutes(r),
                OperationResultV1::EffectiveNsgs(g) => AzOperationResult::EffectiveNsgs(
                    g.into_iter().map(AzEffectiveNsg::from).collect(),
                ),
            },
        }
    }
}
