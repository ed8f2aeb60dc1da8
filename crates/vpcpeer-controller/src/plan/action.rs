//! What a step does: the `Action`s of a plan, one per cloud call (or a few calls the executor
//! makes together), and the phase each is ordered in (see `plan.rs`).

use ipnet::Ipv4Net;

use crate::desired::{Cloud, Opening};

/// A route table: known by id, or the main table of a VPC that an earlier step creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum TableRef {
    /// `rtb-…`.
    Id(String),
    /// The main route table of the step's network, created with it.
    Main,
}

/// A GCP ingress firewall rule as `GcpCreateFirewall` creates it and `GcpUpdateFirewall` sets it
/// (the fields serialize in this order, as the variants' own fields did).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GcpFirewallSpec {
    /// The network.
    pub network: String,
    /// The rule's name.
    pub name: String,
    /// Source ranges.
    pub sources: Vec<Ipv4Net>,
    /// What it allows.
    pub allowed: Vec<Opening>,
}

/// An Azure peering half as `AzureCreatePeering` creates it and `AzureUpdatePeering` sets it
/// (the fields serialize in this order, as the variants' own fields did).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AzurePeeringSpec {
    /// The network.
    pub network: String,
    /// The peering's name.
    pub name: String,
    /// The remote VNet's ARM id.
    pub remote: String,
    /// `allowForwardedTraffic`.
    pub allow_forwarded_traffic: bool,
    /// `allowGatewayTransit` (this side offers its gateway).
    pub allow_gateway_transit: bool,
    /// `useRemoteGateways` (this side uses the peer's gateway).
    pub use_remote_gateways: bool,
}

/// An AWS default-group rule admitting a peer's block, as `AwsAllowIngress` opens it and
/// `AwsRevokeIngress` removes it (the fields serialize in this order, as the variants' own did).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AwsIngressSpec {
    /// The network.
    pub network: String,
    /// The link the rule's description names.
    pub link: String,
    /// Protocol and ports.
    pub opening: Opening,
    /// The source block (the peer's).
    pub source: Ipv4Net,
}

/// An AWS route to the link's peering: in a table `AwsCreateRoute` adds it to (`TableRef`), or
/// in the table by id whose existing route `AwsReplaceRoute` points at it (`String`); the fields
/// serialize in this order, as the variants' own did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeeringRoute<T> {
    /// The network whose table it is.
    pub network: String,
    /// The table.
    pub table: T,
    /// The peer's block.
    pub destination: Ipv4Net,
    /// The link.
    pub link: String,
}

/// A route to a remote block through the local gateway VM: in a table `CreateGatewayRoute` adds
/// it to (`TableRef`; GCP and Azure: `Main`, the network's one table), or in the table by id
/// whose existing route `ReplaceGatewayRoute` points at the VM (`String`); the fields serialize
/// in this order, as the variants' own did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GatewayRoute<T> {
    /// The network.
    pub network: String,
    /// Its cloud.
    pub cloud: Cloud,
    /// The table.
    pub table: T,
    /// The remote block.
    pub destination: Ipv4Net,
    /// The gateway VM.
    pub gateway: String,
    /// The link.
    pub link: String,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Action {
    /// Create a declared network with its blocks (AWS: a VPC and a block per extra CIDR; GCP: a
    /// custom-mode network with a subnetwork per block; Azure: a VNet with that address space).
    CreateNetwork {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// Its blocks.
        cidrs: Vec<Ipv4Net>,
    },
    /// Add a declared block a network lacks (AWS: associate a CIDR block; GCP: a subnetwork;
    /// Azure: extend the address space): a create cut short by a kill, or a block added to the
    /// file since.
    AddCidr {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// The block.
        cidr: Ipv4Net,
    },
    /// Delete a network the topology created (`destroy`).
    DeleteNetwork {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// Its id.
        id: String,
    },
    /// AWS: request a peering from the requester's account, tagged with the link.
    AwsRequestPeering {
        /// The link.
        link: String,
        /// Requester network.
        requester: String,
        /// Accepter network.
        accepter: String,
    },
    /// AWS: tag a live peering made outside the controller, which joins the link's VPCs.
    AwsAdoptPeering {
        /// The link.
        link: String,
        /// `pcx-…`.
        peering: String,
    },
    /// AWS: accept the link's peering in the accepter's account and region.
    AwsAcceptPeering {
        /// The link.
        link: String,
    },
    /// AWS: wait for the link's peering to become active.
    AwsAwaitPeering {
        /// The link.
        link: String,
    },
    /// AWS: turn on `enableDnsHostnames` and `enableDnsSupport` of a VPC (ModifyVpcAttribute),
    /// which DNS resolution over a peering needs on both sides.
    AwsEnableDns {
        /// The network.
        network: String,
    },
    /// AWS: set `AllowDnsResolutionFromRemoteVpc` on both sides.
    AwsSetDns {
        /// The link.
        link: String,
        /// The value.
        enabled: bool,
    },
    /// AWS: delete a peering.
    AwsDeletePeering {
        /// `pcx-…`.
        peering: String,
        /// The link its tags name.
        link: String,
    },
    /// AWS: a route to the link's peering.
    AwsCreateRoute(PeeringRoute<TableRef>),
    /// AWS: point an existing route at the link's peering.
    AwsReplaceRoute(PeeringRoute<String>),
    /// AWS: delete a route the topology owns.
    AwsDeleteRoute {
        /// The network whose table it is.
        network: String,
        /// The table.
        table: String,
        /// Its destination.
        destination: Ipv4Net,
        /// The peering it targets.
        peering: String,
    },
    /// AWS: admit the peer's block into the network's default security group.
    AwsAllowIngress(AwsIngressSpec),
    /// AWS: admit the peer's default security group into the network's default group (both in
    /// one region; the reference crosses the peering).
    AwsAllowGroupIngress {
        /// The network.
        network: String,
        /// The link (the rule's description names it).
        link: String,
        /// Protocol and ports.
        opening: Opening,
        /// The peer network, whose default group is the source.
        peer: String,
    },
    /// AWS: remove a group-sourced rule the topology opened.
    AwsRevokeGroupIngress {
        /// The network.
        network: String,
        /// The link the rule's description names.
        link: String,
        /// Protocol and ports.
        opening: Opening,
        /// The source group.
        group: String,
        /// The source group's account.
        owner: String,
    },
    /// AWS: remove a rule the topology opened.
    AwsRevokeIngress(AwsIngressSpec),
    /// GCP: add the network's half of a peering.
    GcpAddPeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
        /// The peer network's id.
        peer: String,
        /// Export and import custom routes.
        custom_routes: bool,
    },
    /// GCP: change a peering's route exchange.
    GcpUpdatePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
        /// Export and import custom routes.
        custom_routes: bool,
    },
    /// GCP: remove the network's half of a peering.
    GcpRemovePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
    },
    /// GCP: create an ingress firewall rule admitting the peer's blocks.
    GcpCreateFirewall(GcpFirewallSpec),
    /// GCP: set an existing rule's sources and what it allows (`PATCH`).
    GcpUpdateFirewall(GcpFirewallSpec),
    /// GCP: delete a firewall rule the topology owns.
    GcpDeleteFirewall {
        /// The network.
        network: String,
        /// The rule's name.
        name: String,
    },
    /// Azure: create the VNet's half of a peering.
    AzureCreatePeering(AzurePeeringSpec),
    /// Azure: change a peering's options (PUT with the same remote).
    AzureUpdatePeering(AzurePeeringSpec),
    /// Azure: sync a peering after an address-space change (`syncRemoteAddressSpace=true`).
    AzureSyncPeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
    },
    /// Azure: delete the VNet's half of a peering.
    AzureDeletePeering {
        /// The network.
        network: String,
        /// The peering's name.
        name: String,
    },
    /// A public subnet for gateways (AWS: the subnet, an internet gateway attached to the VPC if
    /// it has none, a route table sending 0.0.0.0/0 to it associated with the subnet; Azure: a
    /// subnet of the VNet).
    CreateGatewaySubnet {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// The subnet's block.
        cidr: Ipv4Net,
        /// Its zone (AWS), if the file gives one.
        zone: Option<String>,
    },
    /// A gateway VM's public address (AWS `AllocateAddress`, GCP regional static address, Azure
    /// static public IP), allocated before any gateway launches.
    AllocateAddress {
        /// The gateway VM.
        gateway: String,
        /// Its network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
    },
    /// A gateway VM's firewall: the tunnel port (udp/51820) admitted only from its peers' public
    /// addresses (AWS security group, GCP firewall rule on the VM's tag, Azure NSG on its NIC),
    /// created or set to exactly these peers; and every protocol from its own network's blocks
    /// (`inner`), the traffic it forwards, as Aviatrix's gateway groups admit their VPC's CIDR.
    GatewayFirewall {
        /// The gateway VM.
        gateway: String,
        /// Its network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// The peer gateway VMs whose addresses it admits.
        peers: Vec<String>,
        /// The blocks admitted for every protocol: the network's own (empty on Azure, whose
        /// NSGs admit the VNet by default).
        inner: Vec<Ipv4Net>,
        /// It exists (its rule is set) rather than being created.
        exists: bool,
    },
    /// Launch a gateway VM of the `vpcpeer-gateway` image with its tunnel configuration as user
    /// data (rendered by the executor from the tunnels, the peers' addresses and the keys), tagged
    /// with the configuration's digest; forwarding on; its address attached.
    LaunchGateway {
        /// The gateway VM.
        gateway: String,
        /// Its network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// Its subnet.
        subnet: crate::gateway::SubnetRef,
        /// Its zone, if given.
        zone: Option<String>,
        /// Its size, if given.
        size: Option<String>,
        /// Its tunnels.
        tunnels: Vec<crate::gateway::Tunnel>,
    },
    /// Turn a gateway VM's forwarding back on (AWS source/dest check off, GCP `canIpForward`,
    /// Azure NIC IP forwarding).
    GatewayForwarding {
        /// The gateway VM.
        gateway: String,
        /// Its cloud.
        cloud: Cloud,
    },
    /// Attach a gateway VM's public address to it again.
    AttachAddress {
        /// The gateway VM.
        gateway: String,
        /// Its cloud.
        cloud: Cloud,
    },
    /// Delete a gateway VM (replaced, no longer declared, or `destroy`).
    DeleteGateway {
        /// The gateway VM.
        gateway: String,
        /// Its cloud.
        cloud: Cloud,
        /// Its id.
        id: String,
    },
    /// Delete a gateway VM's firewall.
    DeleteGatewayFirewall {
        /// The gateway VM.
        gateway: String,
        /// Its cloud.
        cloud: Cloud,
    },
    /// Release a gateway VM's public address.
    ReleaseAddress {
        /// The gateway VM.
        gateway: String,
        /// Its cloud.
        cloud: Cloud,
        /// The address's id.
        id: String,
    },
    /// Delete a gateway subnet the controller made (AWS: with its route table, and the internet
    /// gateway when the controller attached it).
    DeleteGatewaySubnet {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// The subnet's id.
        id: String,
    },
    /// A route to a remote block through the local gateway VM (AWS `CreateRoute InstanceId`,
    /// GCP route with `nextHopInstance`, Azure UDR `VirtualAppliance` to its private address in
    /// the topology's route table of the VNet, which the workload subnets are associated with).
    CreateGatewayRoute(GatewayRoute<TableRef>),
    /// Point an existing route at the gateway VM.
    ReplaceGatewayRoute(GatewayRoute<String>),
    /// Delete a route to one of the topology's gateways.
    DeleteGatewayRoute {
        /// The network.
        network: String,
        /// Its cloud.
        cloud: Cloud,
        /// The table.
        table: String,
        /// The destination.
        destination: Ipv4Net,
        /// The gateway VM it leads to.
        gateway: String,
    },
}

impl Action {
    /// The order phase (see the module doc).
    pub(super) fn phase(&self) -> u8 {
        match self {
            Action::CreateNetwork { .. }
            | Action::AddCidr { .. }
            | Action::AwsEnableDns { .. }
            | Action::CreateGatewaySubnet { .. }
            | Action::AllocateAddress { .. } => 0,
            Action::AwsDeleteRoute { .. }
            | Action::AwsRevokeIngress { .. }
            | Action::AwsRevokeGroupIngress { .. }
            | Action::GcpDeleteFirewall { .. }
            | Action::DeleteGatewayRoute { .. } => 10,
            Action::AwsDeletePeering { .. }
            | Action::GcpRemovePeering { .. }
            | Action::AzureDeletePeering { .. }
            | Action::DeleteGateway { .. } => 20,
            Action::DeleteGatewayFirewall { .. }
            | Action::ReleaseAddress { .. }
            | Action::DeleteGatewaySubnet { .. } => 25,
            // A request and its acceptance stay together: AWS allows an account 25 requests
            // awaiting acceptance, so a mesh must not request every peering before accepting.
            Action::AwsRequestPeering { .. }
            | Action::AwsAdoptPeering { .. }
            | Action::AwsAcceptPeering { .. }
            | Action::AwsAwaitPeering { .. }
            | Action::GcpAddPeering { .. }
            | Action::AzureCreatePeering { .. } => 30,
            Action::GatewayFirewall { .. } => 35,
            Action::LaunchGateway { .. }
            | Action::GatewayForwarding { .. }
            | Action::AttachAddress { .. } => 40,
            Action::AwsSetDns { .. }
            | Action::GcpUpdatePeering { .. }
            | Action::AzureUpdatePeering { .. }
            | Action::AzureSyncPeering { .. } => 50,
            Action::AwsCreateRoute { .. }
            | Action::AwsReplaceRoute { .. }
            | Action::CreateGatewayRoute { .. }
            | Action::ReplaceGatewayRoute { .. } => 60,
            Action::AwsAllowIngress { .. }
            | Action::AwsAllowGroupIngress { .. }
            | Action::GcpCreateFirewall { .. }
            | Action::GcpUpdateFirewall { .. } => 70,
            Action::DeleteNetwork { .. } => 80,
        }
    }
}
