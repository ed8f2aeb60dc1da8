//! Reading a file's gateways: names (the HA backup is `<gateway>-hagw`, which no other gateway
//! may be called), the network each serves (one gateway per network), the subnet (a block inside
//! the network's declared blocks, or an existing subnet), zones inside the network's region and
//! the backup in another zone than the primary.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::{check_name, Cloud, Network, Problem, MAX_NAME};
use crate::gateway::{ha_name, Gateway, HaGateway, SubnetRef};
use crate::topology::TopologyFile;

/// Room a gateway's name leaves in the longest resource name made of it
/// (`<topology>--<gateway>-hagw-tunnel`).
const GATEWAY_SUFFIXES: usize = "---hagw-tunnel".len();

pub(super) fn gateways(
    p: &mut Vec<Problem>,
    file: &TopologyFile,
    networks: &BTreeMap<String, Network>,
) -> BTreeMap<String, Gateway> {
    let mut out = BTreeMap::new();
    let mut by_network: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, g) in &file.gateways {
        check_name(
            p,
            "gateway",
            name,
            MAX_NAME.saturating_sub(file.name.len() + GATEWAY_SUFFIXES),
        );
        let Some(network) = networks.get(&g.network) else {
            p.push(Problem::GatewayUnknownNetwork {
                gateway: name.clone(),
                network: g.network.clone(),
            });
            continue;
        };
        if let Some(first) = by_network.insert(g.network.as_str(), name.as_str()) {
            p.push(Problem::TwoGateways {
                network: g.network.clone(),
                first: first.to_string(),
                second: name.clone(),
            });
        }
        if network.cloud == Cloud::Gcp && network.region.is_none() {
            p.push(Problem::GatewayNoRegion {
                gateway: name.clone(),
                network: g.network.clone(),
            });
        }
        let primary = subnet(p, name, &g.network, network, &g.subnet);
        zone(p, name, network, g.zone.as_deref());
        let ha = g.ha.as_ref().map(|h| {
            let ha = ha_name(name);
            if file.gateways.contains_key(&ha) {
                p.push(Problem::GatewayNameTaken {
                    gateway: name.clone(),
                    ha: ha.clone(),
                });
            }
            let ha_subnet = subnet(p, &ha, &g.network, network, &h.subnet);
            zone(p, &ha, network, h.zone.as_deref());
            if network.cloud == Cloud::Aws {
                if let (Some(a), Some(b)) = (&g.zone, &h.zone) {
                    if a == b {
                        p.push(Problem::HaSameZone {
                            gateway: name.clone(),
                            zone: a.clone(),
                        });
                    } else if ha_subnet == primary {
                        p.push(Problem::HaSubnet {
                            gateway: name.clone(),
                            why: format!(
                                "the backup's subnet {ha_subnet} is the primary's, and an AWS \
                                 subnet is in one zone ({a} and {b} are given)"
                            ),
                        });
                    }
                }
            }
            if let (SubnetRef::Create(a), SubnetRef::Create(b)) = (&primary, &ha_subnet) {
                let overlap = a != b && (a.contains(&b.network()) || b.contains(&a.network()));
                if overlap && network.cloud != Cloud::Gcp {
                    p.push(Problem::HaSubnet {
                        gateway: name.clone(),
                        why: format!(
                            "the backup's subnet {b} overlaps the primary's {a}; give the same \
                             block or one apart"
                        ),
                    });
                }
            }
            HaGateway {
                name: ha,
                subnet: ha_subnet,
                zone: h.zone.clone(),
                failback: h.failback,
            }
        });
        out.insert(
            name.clone(),
            Gateway {
                name: name.clone(),
                network: g.network.clone(),
                cloud: network.cloud,
                subnet: primary,
                zone: g.zone.clone(),
                size: g.size.clone(),
                ha,
            },
        );
    }
    out
}

/// A gateway's subnet: a block (checked against the network's declared blocks) or an existing
/// subnet's id or name.
fn subnet(
    p: &mut Vec<Problem>,
    gateway: &str,
    network_name: &str,
    network: &Network,
    text: &str,
) -> SubnetRef {
    let Ok(cidr) = text.parse::<Ipv4Net>() else {
        if text.contains('/') {
            p.push(Problem::GatewaySubnet {
                gateway: gateway.to_string(),
                why: format!("{text:?} is neither an IPv4 block nor a subnet id or name"),
            });
        }
        return SubnetRef::Existing(text.to_string());
    };
    if cidr.network() != cidr.addr() {
        p.push(Problem::GatewaySubnet {
            gateway: gateway.to_string(),
            why: format!("{cidr} has host bits set (did you mean {}?)", cidr.trunc()),
        });
    }
    let cidr = cidr.trunc();
    let declared = network.declared_cidrs();
    if declared.is_empty() {
        let why = if network.cloud == Cloud::Gcp {
            format!(
                "{network_name} is an existing GCP network: give the name of the subnetwork \
                 the gateway goes in"
            )
        } else {
            format!(
                "{network_name} is an existing network, whose blocks the file does not list: \
                 give an existing public subnet's id or name"
            )
        };
        p.push(Problem::GatewaySubnet {
            gateway: gateway.to_string(),
            why,
        });
    } else if !declared.iter().any(|b| b.contains(&cidr)) {
        let blocks: Vec<String> = declared.iter().map(ToString::to_string).collect();
        p.push(Problem::GatewaySubnet {
            gateway: gateway.to_string(),
            why: format!(
                "{cidr} is not inside {network_name}'s blocks ({})",
                blocks.join(", ")
            ),
        });
    } else if network.cloud == Cloud::Azure && cidr.prefix_len() > 29 {
        p.push(Problem::GatewaySubnet {
            gateway: gateway.to_string(),
            why: format!("{cidr}: the smallest Azure subnet is a /29"),
        });
    } else if network.cloud == Cloud::Aws && !(16..=28).contains(&cidr.prefix_len()) {
        p.push(Problem::GatewaySubnet {
            gateway: gateway.to_string(),
            why: format!("{cidr}: an AWS subnet is a /16 to a /28"),
        });
    }
    SubnetRef::Create(cidr)
}

/// A zone is in the network's region (AWS `us-east-1a` in `us-east-1`, GCP `us-central1-a` in
/// `us-central1`); Azure zones are numbers, unchecked.
fn zone(p: &mut Vec<Problem>, gateway: &str, network: &Network, zone: Option<&str>) {
    let (Some(zone), Some(region)) = (zone, network.region.as_deref()) else {
        return;
    };
    let inside = match network.cloud {
        Cloud::Aws => {
            zone.len() == region.len() + 1
                && zone.starts_with(region)
                && zone.ends_with(|c: char| c.is_ascii_lowercase())
        }
        Cloud::Gcp => zone
            .strip_prefix(region)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|z| z.len() == 1),
        Cloud::Azure => true,
    };
    if !inside {
        p.push(Problem::GatewayZone {
            gateway: gateway.to_string(),
            zone: zone.to_string(),
            region: region.to_string(),
        });
    }
}
