//! `GET /_vpcpeer/topology`: the whole emulated estate as the console draws it — the three
//! clouds, their accounts (AWS accounts, GCP projects, Azure subscriptions), regions, networks
//! (AWS VPCs, GCP networks, Azure VNets) with their subnets and instances, and the native
//! peerings between networks with their state as each cloud's own API spells it.
//!
//! It is an admin view: it shows every owner's resources (like `/_vpcpeer/audit` without an
//! `account`). It is built from the world under the read lock, no I/O, and reads nothing the
//! clouds' own reads would not show: derived states (an expired AWS request, a GCP entry whose
//! peer has no reverse entry, an Azure link whose remote VNet was re-created) are computed at the
//! emulator's `now`, which the answer carries.
//!
//! Ordering: clouds `aws`, `gcp`, `azure`; accounts, regions, networks, subnets, instances and
//! peerings by id. Keys are sorted (fields are declared in lexicographic order).
//!
//! **Gateways and encrypted links** (issue 12) have their place here: [`Topology::gateways`]
//! and [`Topology::links`] are empty until the emulator models them. Their shapes are
//! provisional; issue 12 may add fields (with `#[serde(default)]`, so older clients still read
//! the answer).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The answer of `GET /_vpcpeer/topology`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    /// `aws`, `gcp` and `azure`, always all three (a cloud with nothing has no accounts).
    pub clouds: Vec<TopologyCloud>,
    /// Gateways (issue 12): empty until the emulator models them.
    #[serde(default)]
    pub gateways: Vec<TopologyGateway>,
    /// Encrypted links between gateways (issue 12): empty until the emulator models them.
    #[serde(default)]
    pub links: Vec<TopologyLink>,
    /// The emulator's clock when the answer was built, ISO-8601 with milliseconds.
    pub now: String,
    /// The same instant, milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// Every native peering: AWS peering connections (one per connection, still listed by
    /// either party), GCP peering entries and Azure peering links (one per side: each side of
    /// a GCP or Azure peering is a resource of its own, with its own state).
    pub peerings: Vec<TopologyPeering>,
}

/// One cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyCloud {
    /// Its accounts (AWS), projects (GCP) or subscriptions (Azure) that own a network.
    pub accounts: Vec<TopologyAccount>,
    /// `aws`, `gcp` or `azure`.
    pub cloud: String,
}

/// An AWS account, a GCP project or an Azure subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyAccount {
    /// The account id, project id or subscription id.
    pub id: String,
    /// Its regions that hold a network.
    pub regions: Vec<TopologyRegion>,
}

/// A region: an AWS region, an Azure location, or `global` for GCP (a GCP network is global;
/// its subnets carry their own region).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyRegion {
    /// `us-east-1`, `eastus`, `global`.
    pub name: String,
    /// Its networks.
    pub networks: Vec<TopologyNetwork>,
}

/// An AWS VPC, a GCP network or an Azure VNet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyNetwork {
    /// Its address blocks (AWS: the associated IPv4 blocks, primary first; Azure: the address
    /// space; GCP: the subnets' primary ranges, as a GCP network has no block of its own).
    pub cidrs: Vec<String>,
    /// The id the cloud's API and `/_vpcpeer/reach` use: `vpc-…`,
    /// `projects/P/global/networks/N`, or the VNet's ARM id as first spelled.
    pub id: String,
    /// Its instances (AWS instances not terminated, GCP instances, Azure VMs), by id.
    pub instances: Vec<TopologyInstance>,
    /// Whether it is a region's default VPC (AWS) or an auto-mode network (GCP).
    pub is_default: bool,
    /// Its name: the `Name` tag (AWS, when set), the network's or VNet's name.
    pub name: Option<String>,
    /// Its subnets, by id.
    pub subnets: Vec<TopologySubnet>,
    /// Its tags (AWS, Azure; GCP networks have none).
    pub tags: BTreeMap<String, String>,
}

/// A subnet of a network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologySubnet {
    /// Its IPv4 block (`null` for an IPv6-only AWS subnet).
    pub cidr: Option<String>,
    /// `subnet-…`, `projects/P/regions/R/subnetworks/S`, or the subnet's ARM id.
    pub id: String,
    /// The `Name` tag (AWS) or the subnet's name.
    pub name: Option<String>,
    /// Its availability zone (AWS), region (GCP) or the VNet's location (Azure).
    pub zone: String,
}

/// An instance (AWS), VM instance (GCP) or virtual machine (Azure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyInstance {
    /// `i-…`, `projects/P/zones/Z/instances/I`, or the VM's ARM id: what
    /// `/_vpcpeer/reach` takes as an end.
    pub id: String,
    /// Its private IPv4 addresses in this network, primary first.
    pub ips: Vec<String>,
    /// The `Name` tag (AWS) or its name.
    pub name: Option<String>,
    /// The subnet of its first interface in this network.
    pub subnet: String,
}

/// A native peering (or one side of one, for GCP and Azure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyPeering {
    /// `aws`, `gcp` or `azure`.
    pub cloud: String,
    /// When an AWS request that is still `pending-acceptance` expires (ISO-8601); else `null`.
    pub expires: Option<String>,
    /// The same instant, milliseconds since the Unix epoch.
    pub expires_ms: Option<i64>,
    /// The network that made it: the AWS requester VPC, the GCP network holding the entry, the
    /// VNet holding the Azure link.
    pub from: String,
    /// `pcx-…`, `projects/P/global/networks/N/peerings/NAME`, or the link's ARM id.
    pub id: String,
    /// The entry's or link's name (GCP, Azure), the `Name` tag of either party (AWS).
    pub name: Option<String>,
    /// The state as the cloud's API shows it: AWS `pending-acceptance`, `active`, `failed`,
    /// `expired`, `rejected`, `deleted`, …; GCP `ACTIVE`, `INACTIVE`; Azure `Initiated`,
    /// `Connected`, `Disconnected`.
    pub state: String,
    /// The other network: the AWS accepter VPC, the GCP peer network, the Azure remote VNet (an
    /// id that may name a network that no longer exists, or one in another cloud's spelling).
    pub to: String,
}

/// A gateway (issue 12; provisional shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyGateway {
    /// Whether it is the active one of its pair.
    pub active: bool,
    /// Its id.
    pub id: String,
    /// The network it sits in (a [`TopologyNetwork::id`]).
    pub network: String,
    /// Its state, as its API shows it.
    pub state: String,
}

/// An encrypted link between two gateways (issue 12; provisional shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopologyLink {
    /// One end (a [`TopologyGateway::id`]).
    pub a: String,
    /// The other end.
    pub b: String,
    /// Its id.
    pub id: String,
    /// Its state (`up`, `down`, …).
    pub state: String,
}
