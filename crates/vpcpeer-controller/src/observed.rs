//! What the clouds report about the topology's networks, as the drivers read it through the
//! public APIs (DescribeVpcs, DescribeRouteTables, DescribeVpcPeeringConnections,
//! DescribeSecurityGroups; `networks.get` and `firewalls.list`; `virtualNetworks.get`), reduced to
//! what planning needs. Ids are the clouds' own: a VPC id; `projects/<p>/global/networks/<n>` for
//! a GCP network; the ARM id of a VNet.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use crate::desired::Opening;

/// Everything observed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// The declared networks that were found, by their name in the topology.
    pub networks: BTreeMap<String, ObservedNetwork>,
    /// AWS peerings that join two of the topology's VPCs or carry its tags.
    pub aws_peerings: Vec<AwsPeering>,
    /// Networks the topology created (its tags or names say so) that the file no longer
    /// declares, by the name they were declared with: what they hold of the topology goes, and
    /// so do they.
    pub orphans: BTreeMap<String, ObservedNetwork>,
    /// The topology's gateway VMs and what each owns (address, firewall, subnet, instance), by
    /// VM name, wherever they were found: declared ones and those the file dropped.
    pub gateways: BTreeMap<String, ObservedGateway>,
    /// Per network with a gateway: the route tables encrypted links program, with their routes
    /// (AWS: the VPC's tables but those the controller made for gateway subnets; GCP: one table,
    /// the network's routes; Azure: the topology's route table of the VNet, once it exists).
    pub gateway_tables: BTreeMap<String, Vec<GatewayTable>>,
    /// Gateway VM → when its cloud says it was stopped (Unix seconds on the cloud's clock:
    /// AWS `StateTransitionReason` `User initiated (… GMT)`, GCP `lastStopTimestamp`, Azure
    /// the `time` of the instance view's `ProvisioningState/succeeded`), for the VMs that are
    /// not running and whose cloud says so; the health check dates a failure from it (`health`).
    pub gateway_stopped_at: BTreeMap<String, u64>,
}

/// A gateway VM as found, piece by piece (an apply cut short leaves some pieces only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedGateway {
    /// The network it serves, by its name in the topology (its tags or name say so).
    pub network: String,
    /// The cloud.
    pub cloud: crate::Cloud,
    /// Its public address (AWS Elastic IP, GCP static address, Azure public IP), by id.
    pub address: Option<GatewayAddress>,
    /// Its subnet, when found.
    pub subnet: Option<GatewaySubnet>,
    /// The public addresses its firewall admits on the tunnel port (AWS security group, GCP
    /// firewall rule, Azure NSG rule); `None` when it has no firewall yet.
    pub firewall: Option<Vec<std::net::Ipv4Addr>>,
    /// The blocks its firewall admits every protocol from: the inner traffic of its own network
    /// that it forwards into the tunnels and back (AWS: an all-traffic rule in its security group;
    /// GCP: a second rule `<topology>--<vm>--inner`; Azure: none kept, the NSG's default
    /// `AllowVnetInBound` admits the VNet already).
    pub inner: Vec<Ipv4Net>,
    /// The VM.
    pub instance: Option<GatewayInstance>,
}

/// A gateway's public address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayAddress {
    /// Its id (`eipalloc-…`, the GCP address's name, the public IP's ARM id).
    pub id: String,
    /// The address.
    pub ip: std::net::Ipv4Addr,
}

/// A gateway's subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewaySubnet {
    /// Its id (AWS) or name.
    pub id: String,
    /// Its block.
    pub cidr: Option<Ipv4Net>,
    /// It reaches the internet (AWS: its table sends 0.0.0.0/0 to an internet gateway; GCP and
    /// Azure subnets always do).
    pub public: bool,
    /// The controller made it (so `destroy` removes it, with its route table and internet
    /// gateway when it made those too).
    pub created: bool,
}

/// A gateway's VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayInstance {
    /// Its id (`i-…`, the GCP instance's name, the VM's ARM id).
    pub id: String,
    /// The `vpcpeer:config` tag: the hex SHA-256 of the configuration it was launched with.
    pub digest: String,
    /// It runs (not stopped or deallocated).
    pub running: bool,
    /// It forwards others' packets (AWS source/dest check off, GCP `canIpForward`, Azure NIC
    /// IP forwarding).
    pub forwarding: bool,
    /// Its public address is attached to it.
    pub address_attached: bool,
}

/// A route table an encrypted link programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayTable {
    /// `rtb-…`; the network's id (GCP); the route table's ARM id (Azure).
    pub id: String,
    /// Its routes.
    pub routes: Vec<GatewayTableRoute>,
}

/// A route in a table encrypted links program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayTableRoute {
    /// Destination.
    pub destination: Ipv4Net,
    /// The gateway VM of the topology it leads to, by name; `None` for any other target.
    pub gateway: Option<String>,
    /// What it targets, as the cloud names it.
    pub target: String,
    /// Its target is gone or stopped.
    pub blackhole: bool,
}

impl Detail {
    /// The cloud of the network.
    pub fn cloud(&self) -> crate::Cloud {
        match self {
            Detail::Aws { .. } => crate::Cloud::Aws,
            Detail::Gcp { .. } => crate::Cloud::Gcp,
            Detail::Azure { .. } => crate::Cloud::Azure,
        }
    }
}

/// One network as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedNetwork {
    /// Its id in its cloud.
    pub id: String,
    /// Its address blocks (AWS: associated IPv4 blocks; GCP: subnetwork ranges; Azure: address
    /// space).
    pub cidrs: Vec<Ipv4Net>,
    /// What else the plan reads, per cloud.
    pub detail: Detail,
}

/// Per-cloud detail of a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// AWS.
    Aws {
        /// Its route tables.
        route_tables: Vec<AwsRouteTable>,
        /// Its default security group (openings go there).
        default_group: String,
        /// `enableDnsHostnames` and `enableDnsSupport` are both on (DNS resolution over a
        /// peering needs them in both VPCs).
        dns: bool,
        /// Ingress rules of the default group with an IPv4 CIDR source.
        ingress: Vec<AwsIngress>,
        /// Ingress rules of the default group whose source is another security group.
        group_ingress: Vec<AwsGroupIngress>,
    },
    /// GCP.
    Gcp {
        /// The network's peerings.
        peerings: Vec<GcpPeering>,
        /// Firewall rules whose names the topology owns.
        firewalls: Vec<GcpFirewall>,
    },
    /// Azure.
    Azure {
        /// The VNet's peerings.
        peerings: Vec<AzurePeering>,
    },
}

/// An AWS route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsRouteTable {
    /// `rtb-…`.
    pub id: String,
    /// Whether it is the VPC's main table.
    pub main: bool,
    /// Its IPv4 routes.
    pub routes: Vec<AwsRoute>,
}

/// An AWS route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsRoute {
    /// Destination block.
    pub destination: Ipv4Net,
    /// Target.
    pub target: AwsTarget,
    /// `blackhole` state (the target is gone).
    pub blackhole: bool,
}

/// An AWS route's target.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum AwsTarget {
    /// The VPC's own blocks.
    Local,
    /// A peering connection, `pcx-…`.
    Peering(String),
    /// Anything else (gateway, NAT, instance, interface…), by id.
    Other(String),
}

impl std::fmt::Display for AwsTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AwsTarget::Local => f.write_str("local"),
            AwsTarget::Peering(id) | AwsTarget::Other(id) => f.write_str(id),
        }
    }
}

/// An AWS ingress rule with one IPv4 source block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsIngress {
    /// Protocol and ports.
    pub opening: Opening,
    /// Source block.
    pub source: Ipv4Net,
    /// The rule's description, which marks the rules a link opened.
    pub description: String,
}

/// An AWS ingress rule whose source is a security group (of this account or a peer's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsGroupIngress {
    /// Protocol and ports.
    pub opening: Opening,
    /// The source group, `sg-…`.
    pub group: String,
    /// The source group's account.
    pub owner: String,
    /// The rule's description, which marks the rules a link opened.
    pub description: String,
}

/// An AWS peering connection's status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AwsStatus {
    /// Being created.
    InitiatingRequest,
    /// Waiting for the accepter.
    PendingAcceptance,
    /// Accepted, not yet active.
    Provisioning,
    /// Active.
    Active,
    /// Being deleted.
    Deleting,
    /// Deleted (still listed for a while).
    Deleted,
    /// Rejected by the accepter.
    Rejected,
    /// Not accepted in time.
    Expired,
    /// Failed (e.g. overlapping blocks).
    Failed,
}

impl AwsStatus {
    /// Whether the peering still counts (AWS refuses a second request for the pair).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            AwsStatus::InitiatingRequest
                | AwsStatus::PendingAcceptance
                | AwsStatus::Provisioning
                | AwsStatus::Active
        )
    }
}

/// An AWS peering connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsPeering {
    /// `pcx-…`.
    pub id: String,
    /// Requester VPC id.
    pub requester: String,
    /// Accepter VPC id.
    pub accepter: String,
    /// Status code.
    pub status: AwsStatus,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Requester side's `AllowDnsResolutionFromRemoteVpc`.
    pub requester_dns: bool,
    /// Accepter side's `AllowDnsResolutionFromRemoteVpc`.
    pub accepter_dns: bool,
}

/// A GCP peering, as listed in its network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpPeering {
    /// Its name.
    pub name: String,
    /// The peer network, `projects/<p>/global/networks/<n>`.
    pub peer: String,
    /// `ACTIVE` (the peer has the matching peering) rather than `INACTIVE`.
    pub active: bool,
    /// `exportCustomRoutes` and `importCustomRoutes` both set.
    pub custom_routes: bool,
}

/// A GCP ingress firewall rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcpFirewall {
    /// Its name.
    pub name: String,
    /// Source ranges.
    pub sources: Vec<Ipv4Net>,
    /// What it allows.
    pub allowed: Vec<Opening>,
}

/// An Azure peering's `peeringState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureState {
    /// Only this side exists.
    Initiated,
    /// Both sides exist.
    Connected,
    /// The other side was deleted: this one must be deleted and created again.
    Disconnected,
}

/// An Azure VNet peering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzurePeering {
    /// Its name.
    pub name: String,
    /// The remote VNet's ARM id.
    pub remote: String,
    /// `peeringState`.
    pub state: AzureState,
    /// `peeringSyncLevel` is `FullyInSync`.
    pub in_sync: bool,
    /// `allowForwardedTraffic`.
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit`.
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways`.
    pub use_remote_gateways: bool,
}
