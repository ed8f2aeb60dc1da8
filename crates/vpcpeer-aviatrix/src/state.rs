//! The state the actions edit: Aviatrix's own records (accounts, gateways with their HA
//! backups, encrypted peerings, native AWS and Azure peerings, the tunnel detection time) and
//! what the last apply observed of them (addresses, peering ids, blocks). The topology the
//! controller plans from is a pure function of the records ([`AviatrixState::topology`]), so
//! there is one truth and the persisted form is Aviatrix's, independent of the topology file's
//! syntax. An edit is accepted only if that topology passes the controller's own `validate`
//! (see `actions.rs`).
//!
//! Networks are never declared by an action: each one a gateway or a native peering names is an
//! existing network by its id (`vpc_id`), named in the topology after that id
//! ([`network_name`]). It stays in the topology after the last record that names it goes
//! ([`AviatrixState::networks`]), so that the next apply still reads it and removes what the
//! topology left there (the controller only cleans networks its topology declares); it goes
//! with its account.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vpcpeer_controller::topology::{
    AccountFile, GatewayFile, HaFile, LinkFile, LinkKindFile, NetworkFile, RouteTablesFile,
    SideTablesFile, TopologyFile,
};

/// The topology's name: what the controller tags and names its resources with.
pub const TOPOLOGY: &str = "aviatrix";

/// The controller's default tunnel detection time, and its bounds (spec §3.1, §3.3).
pub const DETECTION_DEFAULT: u32 = 60;
/// The shortest detection time.
pub const DETECTION_MIN: u32 = 20;
/// The longest detection time.
pub const DETECTION_MAX: u32 = 600;

/// Aviatrix's cloud types (spec §3.1: AWS = 1, GCP = 4, Azure = 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloudType {
    /// `1`.
    Aws,
    /// `4`.
    Gcp,
    /// `8`.
    Azure,
}

impl CloudType {
    /// From the number a client sends.
    pub fn parse(text: &str) -> Option<CloudType> {
        match text {
            "1" => Some(CloudType::Aws),
            "4" => Some(CloudType::Gcp),
            "8" => Some(CloudType::Azure),
            _ => None,
        }
    }

    /// The number Aviatrix uses.
    pub fn number(self) -> u32 {
        match self {
            CloudType::Aws => 1,
            CloudType::Gcp => 4,
            CloudType::Azure => 8,
        }
    }
}

/// An account (`setup_account_profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Its cloud.
    pub cloud_type: CloudType,
    /// AWS account number, GCP project id or Azure subscription id.
    pub id: String,
    /// Azure: the resource group of its VNets named by bare name (vpcpeer's choice; Aviatrix
    /// names VNets `name:resource_group`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_group: Option<String>,
}

/// A gateway (`connect_container`) with its HA backup (`create_peering_ha_gateway`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gateway {
    /// Its account's name.
    pub account: String,
    /// Its network's id as the client gave it.
    pub vpc_id: String,
    /// Its region (GCP: the zone Aviatrix sends in `vpc_reg`).
    pub vpc_reg: String,
    /// Its size, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gw_size: Option<String>,
    /// Its subnet: a block the controller creates, or an existing subnet's id or name.
    pub subnet: String,
    /// Its zone, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The HA backup `<name>-hagw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ha: Option<HaGateway>,
}

/// A gateway's HA backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HaGateway {
    /// Its subnet.
    pub subnet: String,
    /// Its zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// An encrypted peering (`peer_vpc_pair`) between two gateways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunnel {
    /// `vpc_name1`: the first gateway.
    pub gw1: String,
    /// `vpc_name2`: the second gateway.
    pub gw2: String,
    /// `ha_enabled` as asked.
    pub ha: bool,
}

/// One side of a native peering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// The account's name.
    pub account: String,
    /// The network's id.
    pub vpc_id: String,
    /// Its region.
    pub region: String,
    /// AWS: the route tables to program (all of them when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route_tables: Vec<String>,
}

/// A native peering (`create_aws_peering`, `arm_peer_vnet_pair`): requester then accepter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativePeering {
    /// Its cloud.
    pub cloud_type: CloudType,
    /// The requester.
    pub requester: Side,
    /// The accepter.
    pub accepter: Side,
}

/// What the last apply observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Per gateway VM (primary or `-hagw`): its addresses and whether it runs.
    #[serde(default)]
    pub gateways: BTreeMap<String, GatewayFacts>,
    /// Per native AWS link name: the peering connection's id.
    #[serde(default)]
    pub aws_peerings: BTreeMap<String, String>,
    /// Per network name: its address blocks.
    #[serde(default)]
    pub cidrs: BTreeMap<String, Vec<String>>,
}

/// A gateway VM as last observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayFacts {
    /// Its public address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// Its private address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// Whether its instance runs.
    #[serde(default)]
    pub running: bool,
}

/// The whole state (persisted as JSON by the composition root).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AviatrixState {
    /// Accounts by name.
    #[serde(default)]
    pub accounts: BTreeMap<String, Account>,
    /// Gateways by name (primaries; backups are inside them).
    #[serde(default)]
    pub gateways: BTreeMap<String, Gateway>,
    /// Encrypted peerings, in creation order.
    #[serde(default)]
    pub tunnels: Vec<Tunnel>,
    /// Native peerings, in creation order.
    #[serde(default)]
    pub peerings: Vec<NativePeering>,
    /// `tunnel_detection_time` in seconds.
    #[serde(default = "detection_default")]
    pub detection_time: u32,
    /// What the last apply observed.
    #[serde(default)]
    pub facts: Facts,
    /// Every network a record has named, by its topology name: it stays in the topology after
    /// its last record goes, so that the next apply still reads it and removes what the
    /// topology left in it (an Azure peering, routes); dropped with its account.
    #[serde(default)]
    pub networks: BTreeMap<String, KnownNetwork>,
}

/// A network some record named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownNetwork {
    /// Its account's name.
    pub account: String,
    /// Its id as the client gave it.
    pub vpc_id: String,
    /// Its region.
    pub region: String,
}

fn detection_default() -> u32 {
    DETECTION_DEFAULT
}

impl Default for AviatrixState {
    fn default() -> Self {
        AviatrixState {
            accounts: BTreeMap::new(),
            gateways: BTreeMap::new(),
            tunnels: Vec::new(),
            peerings: Vec::new(),
            detection_time: DETECTION_DEFAULT,
            facts: Facts::default(),
            networks: BTreeMap::new(),
        }
    }
}

/// The reason a stored state cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("the Aviatrix state is not readable: {0}")]
pub struct StateError(#[from] serde_json::Error);

/// The suffix of an HA gateway's name (spec §3.1).
pub const HA_SUFFIX: &str = "-hagw";

/// The name a network gets in the topology: its id in lower case, each run of characters other
/// than letters and digits a hyphen, prefixed `n-` unless it starts with a letter, at most 40
/// characters (so that link names made of two stay within GCP's 63).
pub fn network_name(vpc_id: &str) -> String {
    let mut out = String::new();
    for c in vpc_id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "n-");
    }
    out.truncate(40);
    out.trim_end_matches('-').to_string()
}

/// The name of the native link of a peering.
pub fn native_link_name(p: &NativePeering) -> String {
    format!(
        "{}-{}",
        network_name(&p.requester.vpc_id),
        network_name(&p.accepter.vpc_id)
    )
}

/// The name of an encrypted link.
pub fn tunnel_link_name(t: &Tunnel) -> String {
    format!("{}-{}", t.gw1, t.gw2)
}

impl AviatrixState {
    /// Reads a persisted state.
    pub fn from_json(bytes: &[u8]) -> Result<AviatrixState, StateError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// The persisted form (pretty JSON, keys in order).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Remembers the networks the records name (a record's wins over a remembered one).
    pub fn remember_networks(&mut self) {
        for (name, account, vpc_id, region) in self.networks() {
            self.networks.insert(
                name,
                KnownNetwork {
                    account,
                    vpc_id,
                    region,
                },
            );
        }
    }

    /// The network a gateway or peering side stands in: (name, account, vpc id, region).
    fn networks(&self) -> Vec<(String, String, String, String)> {
        let mut out = Vec::new();
        for g in self.gateways.values() {
            out.push((
                network_name(&g.vpc_id),
                g.account.clone(),
                g.vpc_id.clone(),
                self.region_of(g),
            ));
        }
        for p in &self.peerings {
            for s in [&p.requester, &p.accepter] {
                out.push((
                    network_name(&s.vpc_id),
                    s.account.clone(),
                    s.vpc_id.clone(),
                    s.region.clone(),
                ));
            }
        }
        out
    }

    /// A gateway's region: GCP's `vpc_reg` is a zone (`us-west1-b`), whose region it is in.
    pub fn region_of(&self, g: &Gateway) -> String {
        let gcp = self
            .accounts
            .get(&g.account)
            .is_some_and(|a| a.cloud_type == CloudType::Gcp);
        match (gcp, g.vpc_reg.rsplit_once('-')) {
            (true, Some((region, z))) if z.len() == 1 => region.to_string(),
            _ => g.vpc_reg.clone(),
        }
    }

    /// A gateway's zone: as given, else GCP's `vpc_reg` when it is a zone.
    pub fn zone_of(&self, g: &Gateway) -> Option<String> {
        if g.zone.is_some() {
            return g.zone.clone();
        }
        let region = self.region_of(g);
        (region != g.vpc_reg).then(|| g.vpc_reg.clone())
    }

    /// Two records naming one network differently (another account or region), if any.
    pub fn network_clash(&self) -> Option<String> {
        let mut seen: BTreeMap<String, (String, String, String)> = BTreeMap::new();
        for (name, account, vpc, region) in self.networks() {
            let this = (account, vpc, region);
            if let Some(first) = seen.get(&name) {
                if first != &this {
                    return Some(format!(
                        "VPC {} is already used with account {} in {}; {} in {} names the same network",
                        first.1, first.0, first.2, this.1, this.2
                    ));
                }
            } else {
                seen.insert(name, this);
            }
        }
        None
    }

    /// The network id the topology gives the controller: Azure `name:resource_group[:guid]`
    /// becomes the VNet's ARM id; other ids pass as they are.
    fn network_id(&self, account: &str, vpc_id: &str) -> String {
        let Some(a) = self.accounts.get(account) else {
            return vpc_id.to_string();
        };
        if a.cloud_type != CloudType::Azure || vpc_id.starts_with('/') {
            return vpc_id.to_string();
        }
        let mut parts = vpc_id.split(':');
        let vnet = parts.next().unwrap_or_default();
        match parts.next().filter(|g| !g.is_empty()) {
            Some(group) => vpcpeer_controller::names::azure_vnet_id(&a.id, group, vnet),
            None => vnet.to_string(),
        }
    }

    /// The topology these records declare, for `validate`, `plan` and `apply`.
    pub fn topology(&self) -> TopologyFile {
        let accounts = self
            .accounts
            .iter()
            .map(|(name, a)| {
                let file = match a.cloud_type {
                    CloudType::Aws => AccountFile::Aws {
                        account_id: a.id.clone(),
                        endpoint: None,
                        credentials: None,
                    },
                    CloudType::Gcp => AccountFile::Gcp {
                        project: a.id.clone(),
                        endpoint: None,
                        credentials: None,
                    },
                    CloudType::Azure => AccountFile::Azure {
                        subscription: a.id.clone(),
                        resource_group: a
                            .resource_group
                            .clone()
                            .unwrap_or_else(|| TOPOLOGY.to_string()),
                        endpoint: None,
                        credentials: None,
                    },
                };
                (name.clone(), file)
            })
            .collect();
        let mut networks = BTreeMap::new();
        let remembered = self.networks.iter().map(|(name, n)| {
            (
                name.clone(),
                n.account.clone(),
                n.vpc_id.clone(),
                n.region.clone(),
            )
        });
        for (name, account, vpc, region) in self.networks().into_iter().chain(remembered) {
            let id = self.network_id(&account, &vpc);
            networks.entry(name).or_insert(NetworkFile {
                account,
                // GCP networks are global; there the region is their gateways' subnetworks'.
                region: Some(region).filter(|r| !r.is_empty()),
                id: Some(id),
                cidrs: Vec::new(),
            });
        }
        let gateways = self
            .gateways
            .iter()
            .map(|(name, g)| {
                let file = GatewayFile {
                    network: network_name(&g.vpc_id),
                    subnet: g.subnet.clone(),
                    zone: self.zone_of(g),
                    size: g.gw_size.clone(),
                    ha: g.ha.as_ref().map(|h| HaFile {
                        subnet: h.subnet.clone(),
                        zone: h.zone.clone(),
                        // Aviatrix's backup-gateway HA does not fail back on its own.
                        failback: false,
                    }),
                };
                (name.clone(), file)
            })
            .collect();
        let mut links = Vec::new();
        for p in &self.peerings {
            let (a, b) = (
                network_name(&p.requester.vpc_id),
                network_name(&p.accepter.vpc_id),
            );
            let side = |s: &Side| {
                if s.route_tables.is_empty() {
                    SideTablesFile::All(vpcpeer_controller::topology::AllWord::All)
                } else {
                    SideTablesFile::Listed(s.route_tables.clone())
                }
            };
            let route_tables = (p.cloud_type == CloudType::Aws).then(|| {
                RouteTablesFile::PerSide(BTreeMap::from([
                    (a.clone(), side(&p.requester)),
                    (b.clone(), side(&p.accepter)),
                ]))
            });
            links.push(link(
                native_link_name(p),
                [a, b],
                LinkKindFile::Native,
                route_tables,
            ));
        }
        for t in &self.tunnels {
            let side = |gw: &str| {
                self.gateways
                    .get(gw)
                    .map(|g| network_name(&g.vpc_id))
                    .unwrap_or_else(|| gw.to_string())
            };
            links.push(link(
                tunnel_link_name(t),
                [side(&t.gw1), side(&t.gw2)],
                LinkKindFile::Encrypted,
                None,
            ));
        }
        TopologyFile {
            name: TOPOLOGY.to_string(),
            accounts,
            networks,
            gateways,
            links,
            expect: Vec::new(),
            detection_time: Some(u64::from(self.detection_time)),
        }
    }

    /// Whether an account is named by a gateway or a peering.
    pub fn account_in_use(&self, account: &str) -> Option<String> {
        if let Some((g, _)) = self.gateways.iter().find(|(_, g)| g.account == account) {
            return Some(format!("gateway {g}"));
        }
        self.peerings
            .iter()
            .find(|p| p.requester.account == account || p.accepter.account == account)
            .map(|p| {
                format!(
                    "the peering of {} and {}",
                    p.requester.vpc_id, p.accepter.vpc_id
                )
            })
    }

    /// The encrypted peering of two gateways, in either order.
    pub fn tunnel_index(&self, a: &str, b: &str) -> Option<usize> {
        self.tunnels
            .iter()
            .position(|t| (t.gw1 == a && t.gw2 == b) || (t.gw1 == b && t.gw2 == a))
    }

    /// The native peering of two networks of `cloud`, in either order.
    pub fn peering_index(&self, cloud: CloudType, a: &str, b: &str) -> Option<usize> {
        self.peerings.iter().position(|p| {
            p.cloud_type == cloud
                && ((p.requester.vpc_id == a && p.accepter.vpc_id == b)
                    || (p.requester.vpc_id == b && p.accepter.vpc_id == a))
        })
    }
}

fn link(
    name: String,
    between: [String; 2],
    kind: LinkKindFile,
    route_tables: Option<RouteTablesFile>,
) -> LinkFile {
    LinkFile {
        between,
        name: Some(name),
        kind,
        route_tables,
        open: Vec::new(),
        dns_resolution: false,
        exchange_custom_routes: false,
        allow_forwarded_traffic: false,
        gateway_transit: None,
    }
}
