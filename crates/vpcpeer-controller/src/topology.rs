//! The topology file as the user writes it (YAML): accounts, networks and links, read with serde
//! and nothing more. What the values mean, and whether they hold together, is `desired.rs`'s job:
//! this module only gives the file its shape, so that a misspelt key or a wrong type is refused
//! with the file's own line and column.
//!
//! ```yaml
//! name: demo                      # owned resources carry it (tags, name prefixes)
//! accounts:
//!   prod: { cloud: aws, account_id: "111111111111" }
//!   analytics: { cloud: gcp, project: analytics-prod }
//!   hub: { cloud: azure, subscription: 00000000-0000-0000-0000-000000000001, resource_group: net }
//! networks:
//!   app: { account: prod, region: us-east-1, cidrs: [10.0.0.0/16] }   # created if absent
//!   db:  { account: prod, region: us-west-2, id: vpc-0123456789abcdef0 } # existing
//! links:
//!   - between: [app, db]
//!     # name: app-db              # the default
//!     route_tables: all           # or per side: { app: [rtb-…], db: all }
//!     open: [{ protocol: tcp, ports: "5432" }]   # or `from: group`: the peer's default group
//!     dns_resolution: true
//! expect: [[app, db]]             # pairs that must talk (each must be a link)
//! ```
//!
//! Encrypted links join networks of any clouds through a gateway in each (see `gateway.rs`):
//!
//! ```yaml
//! gateways:
//!   app-gw:                       # the HA gateway is named app-gw-hagw
//!     network: app
//!     subnet: 10.0.255.0/28       # a public subnet the controller creates, or an existing id/name
//!     zone: us-east-1a            # optional (AWS, GCP)
//!     size: t3.small              # optional: the cloud's default gateway size otherwise
//!     ha: { subnet: 10.0.254.0/28, zone: us-east-1b }   # failback: true to return
//! detection_time: 60              # HA: seconds a tunnel is down before failover (20-600)
//! links:
//!   - between: [app, lake]        # lake (GCP) has its own gateway
//!     type: encrypted
//! ```

use std::collections::BTreeMap;

use ipnet::Ipv4Net;
use serde::Deserialize;

/// A whole topology file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologyFile {
    /// The topology's name. Every resource the controller creates carries it, which is how a
    /// later run finds what it owns without a state file.
    pub name: String,
    /// Accounts (AWS), projects (GCP) and subscriptions (Azure), by the name links use.
    pub accounts: BTreeMap<String, AccountFile>,
    /// Networks by name.
    pub networks: BTreeMap<String, NetworkFile>,
    /// Gateways by name: the ends of encrypted links, one per network (and its HA backup).
    #[serde(default)]
    pub gateways: BTreeMap<String, GatewayFile>,
    /// The links: which networks must talk.
    #[serde(default)]
    pub links: Vec<LinkFile>,
    /// Pairs of networks the user expects to talk. Each must be a link: peering is not
    /// transitive, so a path through a third network does not count (validation says so).
    #[serde(default)]
    pub expect: Vec<[String; 2]>,
    /// HA: how long (seconds) an encrypted link's active tunnel must be seen down before its
    /// routes move to the other pair of gateways, and how long a recovered primary tunnel must
    /// be seen up before a failback (Aviatrix's `tunnel_detection_time`): 20 to 600, 60 when
    /// absent.
    #[serde(default)]
    pub detection_time: Option<u64>,
}

/// One account, project or subscription.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "cloud", rename_all = "lowercase", deny_unknown_fields)]
pub enum AccountFile {
    /// An AWS account.
    Aws {
        /// The 12-digit account id.
        account_id: String,
        /// The EC2 endpoint; the local vpcpeer server when absent.
        #[serde(default)]
        endpoint: Option<String>,
        /// Where the access keys come from; test keys for the account when absent.
        #[serde(default)]
        credentials: Option<CredentialsFile>,
    },
    /// A GCP project.
    Gcp {
        /// The project id.
        project: String,
        /// The Compute Engine endpoint; the local vpcpeer server when absent.
        #[serde(default)]
        endpoint: Option<String>,
        /// Where the bearer token comes from; none when absent (the emulator needs none).
        #[serde(default)]
        credentials: Option<CredentialsFile>,
    },
    /// An Azure subscription (and the resource group the controller's VNets live in).
    Azure {
        /// The subscription id.
        subscription: String,
        /// The resource group of the networks declared with address spaces.
        resource_group: String,
        /// The ARM endpoint; the local vpcpeer server when absent.
        #[serde(default)]
        endpoint: Option<String>,
        /// Where the bearer token comes from; none when absent (the emulator needs none).
        #[serde(default)]
        credentials: Option<CredentialsFile>,
    },
}

/// Credentials by the environment variables that hold them (never the secrets in the file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsFile {
    /// AWS: the variable holding the access key id.
    #[serde(default)]
    pub access_key_id_env: Option<String>,
    /// AWS: the variable holding the secret access key.
    #[serde(default)]
    pub secret_access_key_env: Option<String>,
    /// GCP and Azure: the variable holding a bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
}

/// One network: an existing one by id, or one to create with its address blocks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkFile {
    /// The account (project, subscription) it belongs to.
    pub account: String,
    /// AWS and Azure: its region. GCP networks are global (regions go to their subnetworks).
    #[serde(default)]
    pub region: Option<String>,
    /// An existing network: VPC id (AWS), network name (GCP) or VNet name (Azure).
    #[serde(default)]
    pub id: Option<String>,
    /// A network to create (or found again by its name): its address blocks, the first primary.
    #[serde(default)]
    pub cidrs: Vec<Ipv4Net>,
}

/// A gateway: a VM in a public subnet of its network that ends the network's encrypted links.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayFile {
    /// The network it serves (at most one gateway per network).
    pub network: String,
    /// A CIDR inside the network (a public subnet the controller creates; GCP: one of the
    /// network's declared blocks, whose subnetwork it uses) or an existing subnet's id (AWS) or
    /// name (GCP, Azure), which must be public.
    pub subnet: String,
    /// The zone (AWS, GCP); the cloud's choice (AWS) or the region's `-a` zone (GCP) when absent.
    #[serde(default)]
    pub zone: Option<String>,
    /// The VM size; each cloud's default gateway size when absent.
    #[serde(default)]
    pub size: Option<String>,
    /// A backup gateway `<name>-hagw`, with its own subnet and zone.
    #[serde(default)]
    pub ha: Option<HaFile>,
}

/// The backup gateway of a gateway.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HaFile {
    /// As the primary's `subnet`.
    pub subnet: String,
    /// Its zone: on AWS a different one from the primary's when both are given.
    #[serde(default)]
    pub zone: Option<String>,
    /// Whether the routes return to the primaries once their tunnel has been up again for the
    /// detection time (preemptive HA). Off by default, like Aviatrix's non-preemptive HA: after
    /// a failover the routes stay on the backups while their tunnel is up. Both gateways of an
    /// encrypted link must agree.
    #[serde(default)]
    pub failback: bool,
}

/// One link between two networks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkFile {
    /// The two networks. For AWS the first one requests the peering and the second accepts it.
    pub between: [String; 2],
    /// The link's name; `<first>-<second>` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// `native` (cloud peering) or `encrypted` (gateways).
    #[serde(default, rename = "type")]
    pub kind: LinkKindFile,
    /// AWS: which route tables get routes to the peer (every one of the VPC's when absent).
    #[serde(default)]
    pub route_tables: Option<RouteTablesFile>,
    /// Traffic each side admits from the other's address blocks.
    #[serde(default)]
    pub open: Vec<OpeningFile>,
    /// AWS: resolve the peer's public DNS names to private addresses, on both sides.
    #[serde(default)]
    pub dns_resolution: bool,
    /// GCP: export and import custom routes, on both sides.
    #[serde(default)]
    pub exchange_custom_routes: bool,
    /// Azure: allow traffic forwarded by a network virtual appliance, on both sides.
    #[serde(default)]
    pub allow_forwarded_traffic: bool,
    /// Azure: the side whose VPN or ExpressRoute gateway the other side uses (gateway transit:
    /// `allowGatewayTransit` on its half, `useRemoteGateways` on the other's).
    #[serde(default)]
    pub gateway_transit: Option<String>,
}

/// The kind of a link.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKindFile {
    /// The clouds' own peering.
    #[default]
    Native,
    /// WireGuard-style tunnels between the two networks' gateways (any clouds).
    Encrypted,
}

/// Which route tables a link programs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RouteTablesFile {
    /// The word `all`, for both sides.
    All(AllWord),
    /// Per side: the network's name to `all` or a list of route table ids.
    PerSide(BTreeMap<String, SideTablesFile>),
}

/// One side's route tables.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SideTablesFile {
    /// The word `all`.
    All(AllWord),
    /// These route table ids.
    Listed(Vec<String>),
}

/// The word `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllWord {
    /// `all`.
    All,
}

/// Traffic a link opens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningFile {
    /// `tcp`, `udp`, `icmp` or `all`.
    pub protocol: String,
    /// A port (`443`), a range (`8000-8100`), or absent for every port.
    #[serde(default)]
    pub ports: Option<PortsFile>,
    /// Whom to admit: `blocks` (the default: the peer's address blocks) or `group` (AWS, both
    /// sides in one region: the peer's default security group, referenced across the peering).
    #[serde(default)]
    pub from: Option<String>,
}

/// Ports as written: a number or a `from-to` string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PortsFile {
    /// One port.
    One(u16),
    /// A range or a single port, as text.
    Text(String),
}

/// Reads a topology file's text. The error carries serde's message with line and column.
pub fn parse(text: &str) -> Result<TopologyFile, yaml_serde::Error> {
    yaml_serde::from_str(text)
}
