//! GCP resource records, in their persisted form. Derived facts (a peering's state, the routes a
//! peering exchanges) are computed on read and never stored here.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::GcpError;
use crate::parsed::{Spelled, Syntax};
use crate::Timestamp;

/// How a network's Cloud Routers advertise dynamic routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoutingMode {
    /// Only in the router's region (the default).
    Regional,
    /// In every region.
    Global,
}

/// IP families of a peering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StackType {
    /// IPv4 only (the default).
    Ipv4Only,
    /// IPv4 and IPv6 (IPv6 flows only when both sides choose it).
    Ipv4Ipv6,
}

/// A global VPC network of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpNetwork {
    /// `projects/P/global/networks/N`.
    pub id: String,
    /// Owning project.
    pub project: String,
    /// Name.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Free text.
    pub description: String,
    /// Auto mode (one subnetwork per region in 10.128.0.0/9) or custom mode.
    pub auto_create_subnetworks: bool,
    /// Dynamic routing mode.
    pub routing_mode: RoutingMode,
    /// MTU (1300–8896, default 1460).
    pub mtu: u32,
    /// When it was created.
    pub created: Timestamp,
    /// This side's peering configurations, in the order they were added.
    pub peerings: Vec<GcpPeering>,
}

/// One side's configuration of a peering: intent only. See [`super::peering_view`] for its state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpPeering {
    /// Name, unique within the owning network.
    pub name: String,
    /// The peer network's relative path.
    pub peer_network: String,
    /// Export custom (static and dynamic) routes to the peer.
    pub export_custom_routes: bool,
    /// Import the peer's custom routes.
    pub import_custom_routes: bool,
    /// Export subnet routes whose ranges are privately used public IPv4.
    pub export_subnet_routes_with_public_ip: bool,
    /// Import the peer's subnet routes whose ranges are privately used public IPv4.
    pub import_subnet_routes_with_public_ip: bool,
    /// IP families.
    pub stack_type: StackType,
    /// When this side added it.
    pub created: Timestamp,
}

/// A regional subnetwork.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpSubnetwork {
    /// `projects/P/regions/R/subnetworks/S`.
    pub id: String,
    /// Owning project.
    pub project: String,
    /// Region.
    pub region: String,
    /// Name.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Free text.
    pub description: String,
    /// The network's relative path.
    pub network: String,
    /// Primary range.
    pub ip_cidr_range: Ipv4Net,
    /// Secondary ranges (alias IPs), by name.
    pub secondary_ranges: Vec<SecondaryRange>,
    /// Private Google Access.
    pub private_ip_google_access: bool,
    /// Created with an auto-mode network (deleted with it).
    pub auto_created: bool,
    /// When it was created.
    pub created: Timestamp,
}

impl GcpSubnetwork {
    /// The gateway address: the second address of the primary range.
    pub fn gateway_address(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.ip_cidr_range.network()).wrapping_add(1))
    }

    /// Every range of the subnetwork: the primary first, then the secondaries.
    pub fn ranges(&self) -> impl Iterator<Item = Ipv4Net> + '_ {
        std::iter::once(self.ip_cidr_range).chain(self.secondary_ranges.iter().map(|r| r.range))
    }
}

/// A named secondary range of a subnetwork.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondaryRange {
    /// Name, unique within the subnetwork.
    pub name: String,
    /// Range.
    pub range: Ipv4Net,
}

/// Where a route sends packets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GcpNextHop {
    /// A gateway URL (only `default-internet-gateway` exists).
    Gateway(String),
    /// An instance's relative path.
    Instance(String),
    /// An internal IP address.
    Ip(Ipv4Addr),
    /// An internal load balancer forwarding rule (URL or IP, as given).
    Ilb(String),
    /// A VPN tunnel URL, as given.
    VpnTunnel(String),
}

/// A static route of a network (custom route).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpRoute {
    /// `projects/P/global/routes/R`.
    pub id: String,
    /// Owning project.
    pub project: String,
    /// Name.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Free text.
    pub description: String,
    /// The network's relative path.
    pub network: String,
    /// Destination.
    pub dest_range: Ipv4Net,
    /// Priority, 0–65535 (lower wins).
    pub priority: u32,
    /// Instance tags the route applies to; empty = every instance.
    pub tags: Vec<String>,
    /// Next hop.
    pub next_hop: GcpNextHop,
    /// When it was created.
    pub created: Timestamp,
}

/// Direction of a firewall rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Incoming traffic.
    Ingress,
    /// Outgoing traffic.
    Egress,
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FirewallAction {
    /// `allowed[]`.
    Allow,
    /// `denied[]`.
    Deny,
}

/// One protocol entry of a firewall rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallMatch {
    /// `tcp`, `udp`, `icmp`, `esp`, `ah`, `sctp`, `ipip`, `all`, or an IP protocol number; its
    /// text is the caller's in lower case (GCP answers it so).
    pub protocol: ProtocolInput,
    /// Ports or port ranges (`"22"`, `"8000-8080"`); empty = all ports.
    pub ports: Vec<PortRange>,
}

/// The protocol of a firewall rule entry (`IPProtocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GcpProtocol {
    /// `tcp` (6).
    Tcp,
    /// `udp` (17).
    Udp,
    /// `icmp` (1).
    Icmp,
    /// `esp` (50).
    Esp,
    /// `ah` (51).
    Ah,
    /// `sctp` (132).
    Sctp,
    /// `ipip` (4).
    Ipip,
    /// `all`: every protocol.
    All,
    /// An IP protocol number, 0–255.
    Number(u8),
}

impl GcpProtocol {
    /// Reads a protocol name in any case, or a protocol number (`6`; as Rust reads a `u8`, so
    /// `+6` and `006` are 6).
    pub fn parse(s: &str) -> Option<GcpProtocol> {
        const NAMES: [(&str, GcpProtocol); 8] = [
            ("tcp", GcpProtocol::Tcp),
            ("udp", GcpProtocol::Udp),
            ("icmp", GcpProtocol::Icmp),
            ("esp", GcpProtocol::Esp),
            ("ah", GcpProtocol::Ah),
            ("sctp", GcpProtocol::Sctp),
            ("ipip", GcpProtocol::Ipip),
            ("all", GcpProtocol::All),
        ];
        if let Ok(n) = s.parse::<u8>() {
            return Some(GcpProtocol::Number(n));
        }
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|&(_, p)| p)
    }

    /// The IP protocol number (`None` for `all`).
    pub fn number(self) -> Option<u8> {
        Some(match self {
            GcpProtocol::Tcp => 6,
            GcpProtocol::Udp => 17,
            GcpProtocol::Icmp => 1,
            GcpProtocol::Esp => 50,
            GcpProtocol::Ah => 51,
            GcpProtocol::Sctp => 132,
            GcpProtocol::Ipip => 4,
            GcpProtocol::All => return None,
            GcpProtocol::Number(n) => n,
        })
    }

    /// Whether an entry of this protocol may list ports (TCP, UDP, SCTP, by name or number).
    pub fn takes_ports(self) -> bool {
        matches!(self.number(), Some(6 | 17 | 132))
    }
}

/// A firewall entry's protocol as the face read it: parsed at the edge, with its text (a text
/// that is no protocol is refused by the command in its place among the checks, quoting it).
/// Serialized (the command log, the stored form) as the text.
pub type ProtocolInput = Spelled<GcpProtocol>;

impl Syntax for GcpProtocol {
    fn parse(text: &str) -> Option<Self> {
        GcpProtocol::parse(text)
    }
}

impl Spelled<GcpProtocol> {
    /// The same protocol spelled in lower case (how GCP stores and answers it; names are read
    /// in any case, so the value is the same).
    pub fn lowercased(&self) -> ProtocolInput {
        Spelled::new(self.text().to_ascii_lowercase())
    }
}

/// An inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port.
    pub to: u16,
}

impl PortRange {
    /// Parses `"22"` or `"8000-8080"`.
    pub fn parse(s: &str) -> Option<PortRange> {
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let from: u16 = a.trim().parse().ok()?;
        let to: u16 = b.trim().parse().ok()?;
        (from <= to).then_some(PortRange { from, to })
    }
}

/// A port or port range of a firewall entry as the face read it: parsed at the edge, and a
/// text that is none kept as given, refused by the command in its place among its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortsInput {
    /// A port or an inclusive range.
    Ports(PortRange),
    /// Text that is neither, as given.
    Malformed(String),
}

impl PortsInput {
    /// Reads `"22"` or `"8000-8080"`.
    pub fn parse(s: &str) -> PortsInput {
        PortRange::parse(s).map_or_else(|| PortsInput::Malformed(s.to_owned()), PortsInput::Ports)
    }

    /// The ports, or the refusal of the text.
    pub fn ports(&self) -> Result<PortRange, GcpError> {
        match self {
            PortsInput::Ports(p) => Ok(*p),
            PortsInput::Malformed(s) => Err(GcpError::BadPorts { value: s.clone() }),
        }
    }
}

impl From<&str> for PortsInput {
    fn from(s: &str) -> Self {
        PortsInput::parse(s)
    }
}

impl std::fmt::Display for PortRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// A VPC firewall rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpFirewall {
    /// `projects/P/global/firewalls/F`.
    pub id: String,
    /// Owning project.
    pub project: String,
    /// Name.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Free text.
    pub description: String,
    /// The network's relative path.
    pub network: String,
    /// Ingress or egress.
    pub direction: Direction,
    /// Priority, 0–65535 (lower wins; default 1000).
    pub priority: u32,
    /// Allow or deny what `matches` names.
    pub action: FirewallAction,
    /// Protocols and ports.
    pub matches: Vec<FirewallMatch>,
    /// Source ranges (ingress).
    pub source_ranges: Vec<Ipv4Net>,
    /// Destination ranges (egress, or ingress narrowing).
    pub destination_ranges: Vec<Ipv4Net>,
    /// Source instance tags (ingress).
    pub source_tags: Vec<String>,
    /// Target instance tags; empty = every instance of the network.
    pub target_tags: Vec<String>,
    /// Disabled rules are kept but not enforced.
    pub disabled: bool,
    /// When it was created.
    pub created: Timestamp,
}

/// A network interface of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpNic {
    /// `nic0`, `nic1`, …
    pub name: String,
    /// The network's relative path.
    pub network: String,
    /// The subnetwork's relative path.
    pub subnetwork: String,
    /// Internal IP.
    pub network_ip: Ipv4Addr,
    /// External access (`accessConfigs`, at most one: a one-to-one NAT to an external IPv4
    /// address). Stored only when there is one, so rows of interfaces without external access
    /// are written as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_configs: Vec<GcpAccessConfig>,
}

/// The network service tier of an external address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkTier {
    /// `PREMIUM` (the default).
    #[default]
    Premium,
    /// `STANDARD`.
    Standard,
}

/// A one-to-one NAT of an interface to an external IPv4 address (`type: ONE_TO_ONE_NAT`, the
/// only type for IPv4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpAccessConfig {
    /// Name (`External NAT` unless given).
    pub name: String,
    /// The external address; `None` while the instance is stopped and its ephemeral address was
    /// released. An address that a [`GcpAddress`] of the project holds is static (kept on stop);
    /// any other is ephemeral (derived, never stored: see [`super::address_of`]).
    pub nat_ip: Option<Ipv4Addr>,
    /// Network tier.
    pub network_tier: NetworkTier,
}

/// An instance's run state (`status`): only the two an instance rests in, since stop and start
/// apply within the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceStatus {
    /// `RUNNING` (every instance after insert, and rows stored before the state existed).
    #[default]
    Running,
    /// `TERMINATED`: stopped.
    Terminated,
}

impl InstanceStatus {
    /// Whether it is [`InstanceStatus::Running`].
    pub fn is_running(&self) -> bool {
        *self == InstanceStatus::Running
    }
}

/// One `metadata.items[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataItem {
    /// Key (`[a-zA-Z0-9-_]{1,128}`).
    pub key: String,
    /// Value.
    pub value: String,
}

/// An instance's metadata: its items and the fingerprint `setMetadata` must quote (optimistic
/// locking); a new fingerprint is drawn on every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpMetadata {
    /// The fingerprint (8 bytes; GCP shows them in base64).
    pub fingerprint: u64,
    /// Items, in the order given.
    pub items: Vec<MetadataItem>,
}

/// A regional static external IPv4 address (`addresses` of a region). Whether it is `IN_USE`
/// and by whom is derived from the instances whose access configs hold it ([`super::address_users`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpAddress {
    /// `projects/P/regions/R/addresses/A`.
    pub id: String,
    /// Owning project.
    pub project: String,
    /// Region.
    pub region: String,
    /// Name.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Free text.
    pub description: String,
    /// The reserved address.
    pub address: Ipv4Addr,
    /// Network tier.
    pub network_tier: NetworkTier,
    /// When it was reserved.
    pub created: Timestamp,
}

/// A VM instance (only what networking needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpInstance {
    /// `projects/P/zones/Z/instances/I`.
    pub id: String,
    /// Owning project.
    pub project: String,
    /// Zone.
    pub zone: String,
    /// Name.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Machine type, as given (a URL or a bare type).
    pub machine_type: String,
    /// Network tags (firewall targets and sources, route tags).
    pub tags: Vec<String>,
    /// Network interfaces.
    pub nics: Vec<GcpNic>,
    /// When it was created.
    pub created: Timestamp,
    /// `canIpForward`: may send and receive packets whose addresses are not its own (fixed at
    /// insert). Stored only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub can_ip_forward: bool,
    /// Run state. Stored only when not running, so rows of running instances are written as
    /// before.
    #[serde(default, skip_serializing_if = "InstanceStatus::is_running")]
    pub status: InstanceStatus,
    /// Metadata; `None` only for instances stored before metadata existed (they answer as
    /// before: no `metadata` and no `canIpForward` member), every instance inserted since has
    /// some, if only a fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<GcpMetadata>,
    /// The boot disk's source image as given at insert (`None`: inserted without one, or
    /// stored before disks existed; such an instance answers with no `disks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_image: Option<String>,
    /// When it last started (`lastStartTimestamp`): at insert, then at each `instances.start`
    /// that started it. `None` only for instances stored before start times were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_start: Option<Timestamp>,
    /// When it was last stopped (`lastStopTimestamp`): at each `instances.stop` that stopped
    /// it; a start keeps it. `None` until the first stop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_stop: Option<Timestamp>,
}

/// Where an operation lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpScope {
    /// `projects/P/global/operations`.
    Global,
    /// `projects/P/regions/R/operations`.
    Region(String),
    /// `projects/P/zones/Z/operations`.
    Zone(String),
}

/// An operation's progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpStatus {
    /// Accepted, not applied yet.
    Running,
    /// Finished, with or without an error.
    Done,
}

/// The change a peering operation applies when it completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PendingPeering {
    /// Add `peering` to the target network.
    Add(GcpPeering),
    /// Remove the entry named so from the target network.
    Remove(String),
    /// Replace the flags of the entry with `peering.name`.
    Update(GcpPeering),
}

/// A compute operation (global, regional or zonal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GcpOperation {
    /// `projects/P/global/operations/NAME` (or `regions/R/…`, `zones/Z/…`).
    pub id: String,
    /// Owning project.
    pub project: String,
    /// `operation-<ms>-<hex>-<hex>-<hex>`.
    pub name: String,
    /// GCP's numeric id.
    pub numeric_id: u64,
    /// Where it lives.
    pub scope: OpScope,
    /// `insert`, `delete`, `patch`, `addPeering`, `removePeering`, `updatePeering`, …
    pub operation_type: String,
    /// Relative path of the resource acted on.
    pub target: String,
    /// Numeric id of that resource.
    pub target_id: u64,
    /// Progress.
    pub status: OpStatus,
    /// When it was accepted.
    pub insert_time: Timestamp,
    /// When it finished.
    pub end_time: Option<Timestamp>,
    /// Why it failed, if it did.
    pub error: Option<GcpError>,
    /// For a running peering operation: what it will do, and the peer network it involves
    /// (the target network is `target`).
    pub pending: Option<PendingPeering>,
    /// The peer network a peering operation involves (for the one-at-a-time rule).
    pub peer_network: Option<String>,
}
