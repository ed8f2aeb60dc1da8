//! The v1 stored form of GCP firewall rules (`GcpFirewall`): v1 keeps each entry's
//! `IPProtocol` as its lower-cased string; the model now holds it typed, with that text
//! ([`vpcpeer_model::gcp::ProtocolInput`]). The mirror has the v1 field names, order and types.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use vpcpeer_model::gcp::{
    Direction, FirewallAction, FirewallMatch, GcpFirewall, PortRange, ProtocolInput,
};
use vpcpeer_model::Timestamp;

/// `FirewallMatch` in v1.
#[derive(Serialize, Deserialize)]
struct FirewallMatchV1 {
    protocol: String,
    ports: Vec<PortRange>,
}

/// `GcpFirewall` in v1.
#[derive(Serialize, Deserialize)]
pub(super) struct FirewallV1 {
    id: String,
    project: String,
    name: String,
    numeric_id: u64,
    description: String,
    network: String,
    direction: Direction,
    priority: u32,
    action: FirewallAction,
    matches: Vec<FirewallMatchV1>,
    source_ranges: Vec<Ipv4Net>,
    destination_ranges: Vec<Ipv4Net>,
    source_tags: Vec<String>,
    target_tags: Vec<String>,
    disabled: bool,
    created: Timestamp,
}

impl From<&GcpFirewall> for FirewallV1 {
    fn from(f: &GcpFirewall) -> Self {
        FirewallV1 {
            id: f.id.clone(),
            project: f.project.clone(),
            name: f.name.clone(),
            numeric_id: f.numeric_id,
            description: f.description.clone(),
            network: f.network.clone(),
            direction: f.direction,
            priority: f.priority,
            action: f.action,
            matches: f
                .matches
                .iter()
                .map(|m| FirewallMatchV1 {
                    protocol: m.protocol.text().to_owned(),
                    ports: m.ports.clone(),
                })
                .collect(),
            source_ranges: f.source_ranges.clone(),
            destination_ranges: f.destination_ranges.clone(),
            source_tags: f.source_tags.clone(),
            target_tags: f.target_tags.clone(),
            disabled: f.disabled,
            created: f.created,
        }
    }
}

impl From<FirewallV1> for GcpFirewall {
    fn from(f: FirewallV1) -> Self {
        GcpFirewall {
            id: f.id,
            project: f.project,
            name: f.name,
            numeric_id: f.numeric_id,
            description: f.description,
            network: f.network,
            direction: f.direction,
            priority: f.priority,
            action: f.action,
            matches: f
                .matches
                .into_iter()
                .map(|m| FirewallMatch {
                    protocol: ProtocolInput::new(m.protocol),
                    ports: m.ports,
                })
                .collect(),
            source_ranges: f.source_ranges,
            destination_ranges: f.destination_ranges,
            source_tags: f.source_tags,
            target_tags: f.target_tags,
            disabled: f.disabled,
            created: f.created,
        }
    }
}
