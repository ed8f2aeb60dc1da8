//! Resource records. Fields hold domain values (parsed CIDRs, typed states); names of states as a
//! cloud spells them live in the wire crates.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::aws::peering_state::PeeringState;
use crate::Timestamp;

/// User tags of a resource, key → value.
pub type Tags = BTreeMap<String, String>;

/// The account and region a resource lives in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// 12-digit account id.
    pub account: String,
    /// Region name, e.g. `us-east-1`.
    pub region: String,
}

impl Scope {
    /// A scope from its parts.
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Scope {
            account: account.into(),
            region: region.into(),
        }
    }
}

/// State of a CIDR block association.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssocState {
    /// In use.
    Associated,
    /// Removed (kept briefly for display).
    Disassociated,
}

/// An IPv4 block associated with a VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv4Block {
    /// `vpc-cidr-assoc-…`.
    pub association_id: String,
    /// The block.
    pub cidr: Ipv4Net,
    /// Association state.
    pub state: AssocState,
}

/// An IPv6 block associated with a VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv6Block {
    /// `vpc-cidr-assoc-…`.
    pub association_id: String,
    /// The block (a /56 for Amazon-provided).
    pub cidr: Ipv6Net,
    /// `Amazon` or a BYOIP pool id.
    pub pool: String,
    /// Network border group (the region for Amazon-provided blocks).
    pub network_border_group: String,
    /// Association state.
    pub state: AssocState,
}

/// A VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    /// `vpc-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// IPv4 blocks; the first is the primary block.
    pub ipv4: Vec<Ipv4Block>,
    /// IPv6 blocks.
    pub ipv6: Vec<Ipv6Block>,
    /// `default`, `dedicated` or `host`.
    pub instance_tenancy: String,
    /// Whether this is the region's default VPC.
    pub is_default: bool,
    /// DHCP option set id.
    pub dhcp_options_id: String,
    /// `enableDnsSupport`.
    pub dns_support: bool,
    /// `enableDnsHostnames`.
    pub dns_hostnames: bool,
    /// `enableNetworkAddressUsageMetrics`.
    pub nau_metrics: bool,
    /// Creation time.
    pub created: Timestamp,
    /// User tags.
    pub tags: Tags,
}

impl Vpc {
    /// The primary IPv4 block.
    pub fn primary_cidr(&self) -> Ipv4Net {
        self.ipv4[0].cidr
    }

    /// All associated IPv4 blocks.
    pub fn ipv4_cidrs(&self) -> impl Iterator<Item = Ipv4Net> + '_ {
        self.ipv4
            .iter()
            .filter(|b| b.state == AssocState::Associated)
            .map(|b| b.cidr)
    }

    /// All associated IPv6 blocks.
    pub fn ipv6_cidrs(&self) -> impl Iterator<Item = Ipv6Net> + '_ {
        self.ipv6
            .iter()
            .filter(|b| b.state == AssocState::Associated)
            .map(|b| b.cidr)
    }
}

/// A subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    /// `subnet-…`.
    pub id: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Availability zone name, e.g. `us-east-1a`.
    pub availability_zone: String,
    /// Zone id, e.g. `use1-az1`.
    pub availability_zone_id: String,
    /// IPv4 block; `None` for an IPv6-only (`Ipv6Native`) subnet. The stored form of a subnet
    /// with an IPv4 block is unchanged (`"cidr":"10.0.0.0/24"`); an IPv6-only one stores `null`.
    pub cidr: Option<Ipv4Net>,
    /// IPv6 block and its association id.
    pub ipv6: Option<(String, Ipv6Net)>,
    /// `mapPublicIpOnLaunch`.
    pub map_public_ip_on_launch: bool,
    /// `assignIpv6AddressOnCreation`.
    pub assign_ipv6_on_creation: bool,
    /// `defaultForAz`: the default subnet of its zone in the region's default VPC. Stored only
    /// when true, so the rows of other subnets keep their first form.
    #[serde(default, skip_serializing_if = "is_false")]
    pub default_for_az: bool,
    /// `enableDns64`. Stored only when true (rows of other subnets keep their first form).
    #[serde(default, skip_serializing_if = "is_false")]
    pub enable_dns64: bool,
    /// `privateDnsNameOptionsOnLaunch.enableResourceNameDnsAAAARecord`. Stored only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dns_aaaa_on_launch: bool,
    /// User tags.
    pub tags: Tags,
}

impl Subnet {
    /// Whether the subnet is IPv6-only (`ipv6Native`): it has no IPv4 block.
    pub fn ipv6_native(&self) -> bool {
        self.cidr.is_none()
    }
}

/// `skip_serializing_if` for flags stored only when set.
fn is_false(b: &bool) -> bool {
    !*b
}

/// Where a route's traffic goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RouteTarget {
    /// The VPC itself (`gatewayId` = `local`).
    Local,
    /// An internet gateway `igw-…` (or a virtual private gateway `vgw-…`).
    Gateway(String),
    /// A peering connection `pcx-…`.
    Peering(String),
    /// A NAT gateway `nat-…`.
    NatGateway(String),
    /// An instance `i-…`.
    Instance(String),
    /// A network interface `eni-…`.
    NetworkInterface(String),
    /// A transit gateway `tgw-…`.
    TransitGateway(String),
    /// An egress-only internet gateway `eigw-…`.
    EgressOnlyInternetGateway(String),
    /// A VPC endpoint `vpce-…`.
    VpcEndpoint(String),
}

impl RouteTarget {
    /// The target's id as EC2 shows it (`local` for the local route).
    pub fn id(&self) -> &str {
        match self {
            RouteTarget::Local => "local",
            RouteTarget::Gateway(id)
            | RouteTarget::Peering(id)
            | RouteTarget::NatGateway(id)
            | RouteTarget::Instance(id)
            | RouteTarget::NetworkInterface(id)
            | RouteTarget::TransitGateway(id)
            | RouteTarget::EgressOnlyInternetGateway(id)
            | RouteTarget::VpcEndpoint(id) => id,
        }
    }
}

/// A route destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Destination {
    /// An IPv4 prefix.
    V4(Ipv4Net),
    /// An IPv6 prefix.
    V6(Ipv6Net),
    /// A managed prefix list (route destinations only): the route matches each of the list's
    /// blocks.
    PrefixList(crate::PrefixListId),
}

impl Destination {
    /// The prefix list id of a prefix-list destination.
    pub fn prefix_list(&self) -> Option<&str> {
        match self {
            Destination::PrefixList(p) => Some(p.as_str()),
            _ => None,
        }
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::V4(n) => n.fmt(f),
            Destination::V6(n) => n.fmt(f),
            Destination::PrefixList(p) => p.fmt(f),
        }
    }
}

/// How a route came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteOrigin {
    /// Created with the table (local routes).
    CreateRouteTable,
    /// Added by CreateRoute/ReplaceRoute.
    CreateRoute,
}

/// A route in a route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Destination prefix.
    pub destination: Destination,
    /// Target.
    pub target: RouteTarget,
    /// Origin.
    pub origin: RouteOrigin,
}

/// What a route table association binds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RtAssocTarget {
    /// The VPC's main association.
    Main,
    /// A subnet.
    Subnet(String),
    /// A gateway (edge association).
    Gateway(String),
}

/// A route table association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RtAssociation {
    /// `rtbassoc-…`.
    pub id: String,
    /// What it binds.
    pub target: RtAssocTarget,
}

/// A route table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteTable {
    /// `rtb-…`.
    pub id: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Routes, in insertion order.
    pub routes: Vec<Route>,
    /// Associations (the main table carries a `Main` one).
    pub associations: Vec<RtAssociation>,
    /// User tags.
    pub tags: Tags,
}

impl RouteTable {
    /// Whether this is its VPC's main route table.
    pub fn is_main(&self) -> bool {
        self.associations
            .iter()
            .any(|a| a.target == RtAssocTarget::Main)
    }
}

/// An internet gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternetGateway {
    /// `igw-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// The VPC it is attached to.
    pub attached_vpc: Option<String>,
    /// User tags.
    pub tags: Tags,
}

/// Lifecycle of a NAT gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NatState {
    /// Being created.
    Pending,
    /// Usable.
    Available,
    /// Being deleted.
    Deleting,
    /// Gone (visible for a while).
    Deleted,
}

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NatGateway {
    /// `nat-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// VPC of its subnet.
    pub vpc_id: String,
    /// Subnet it lives in.
    pub subnet_id: String,
    /// `true` for public connectivity, `false` for private.
    pub public: bool,
    /// Elastic IP allocation (public NAT).
    pub allocation_id: Option<String>,
    /// Its network interface.
    pub eni_id: String,
    /// Its private address in the subnet.
    pub private_ip: Ipv4Addr,
    /// Lifecycle state.
    pub state: NatState,
    /// Creation time.
    pub created: Timestamp,
    /// Deletion time.
    pub deleted: Option<Timestamp>,
    /// User tags.
    pub tags: Tags,
}

/// The other end of a security group rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RulePeer {
    /// An IPv4 range.
    Cidr4(Ipv4Net),
    /// An IPv6 range.
    Cidr6(Ipv6Net),
    /// A managed prefix list.
    PrefixList(String),
    /// Another security group, possibly in a peer VPC of another account.
    Group {
        /// Referenced group id.
        group_id: String,
        /// Account owning the referenced group.
        user_id: String,
        /// The peering connection through which it is referenced (peer groups).
        peering_id: Option<String>,
    },
}

/// A security group rule (one permission to one peer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SgRule {
    /// `sgr-…`.
    pub id: String,
    /// `-1`, `tcp`, `udp`, `icmp`, `icmpv6` or a protocol number, normalised to lowercase.
    pub protocol: String,
    /// First port (ICMP type), absent for all-protocols.
    pub from_port: Option<i32>,
    /// Last port (ICMP code).
    pub to_port: Option<i32>,
    /// Who the rule admits.
    pub peer: RulePeer,
    /// Description.
    pub description: Option<String>,
    /// User tags of the rule (`security-group-rule`); stored only when there are some, so
    /// rows written before rules had tags read and write back alike.
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl SgRule {
    /// Whether two rules grant the same permission (ignoring id and description).
    pub fn same_permission(&self, other: &SgRule) -> bool {
        self.protocol == other.protocol
            && self.from_port == other.from_port
            && self.to_port == other.to_port
            && self.peer == other.peer
    }
}

/// A security group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// `sg-…`.
    pub id: String,
    /// Name, unique in its VPC.
    pub name: String,
    /// Description.
    pub description: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Inbound rules.
    pub ingress: Vec<SgRule>,
    /// Outbound rules.
    pub egress: Vec<SgRule>,
    /// User tags.
    pub tags: Tags,
}

/// Allow or deny, for a network ACL entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AclAction {
    /// Admit.
    Allow,
    /// Drop.
    Deny,
}

/// A network ACL entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclEntry {
    /// 1–32766 for user rules; 32767 for the implicit deny.
    pub rule_number: i32,
    /// Outbound (`true`) or inbound.
    pub egress: bool,
    /// `-1` or a protocol number as text.
    pub protocol: String,
    /// Allow or deny.
    pub action: AclAction,
    /// Range the rule matches.
    pub cidr: Destination,
    /// Port range (TCP/UDP).
    pub port_range: Option<(i32, i32)>,
    /// ICMP type and code.
    pub icmp: Option<(i32, i32)>,
}

/// A subnet's association with a network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclAssociation {
    /// `aclassoc-…`.
    pub id: String,
    /// The subnet.
    pub subnet_id: String,
}

/// A network ACL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkAcl {
    /// `acl-…`.
    pub id: String,
    /// Owning VPC.
    pub vpc_id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Whether it is the VPC's default ACL.
    pub is_default: bool,
    /// Entries, both directions.
    pub entries: Vec<AclEntry>,
    /// Subnet associations.
    pub associations: Vec<AclAssociation>,
    /// User tags.
    pub tags: Tags,
}

/// Instance lifecycle, with EC2's numeric codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstanceState {
    /// 0.
    Pending,
    /// 16.
    Running,
    /// 32.
    ShuttingDown,
    /// 48.
    Terminated,
    /// 64.
    Stopping,
    /// 80.
    Stopped,
}

/// An instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// `i-…`.
    pub id: String,
    /// `r-…`.
    pub reservation_id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// AMI id.
    pub image_id: String,
    /// Instance type.
    pub instance_type: String,
    /// Subnet of the primary interface.
    pub subnet_id: String,
    /// VPC of the primary interface.
    pub vpc_id: String,
    /// Availability zone.
    pub availability_zone: String,
    /// Network interfaces, primary first.
    pub eni_ids: Vec<String>,
    /// Lifecycle state.
    pub state: InstanceState,
    /// Launch time.
    pub launch_time: Timestamp,
    /// Termination time.
    pub terminated: Option<Timestamp>,
    /// Idempotency token of the launch.
    pub client_token: Option<String>,
    /// Digest of the launch parameters, to tell a retry from a reuse of the token.
    #[serde(default)]
    pub launch_digest: Option<u64>,
    /// Index in its launch.
    pub launch_index: u32,
    /// User tags.
    pub tags: Tags,
    /// The key pair it was launched with (`KeyName`); stored only when set, so the rows of
    /// instances without one keep their first form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// Its user data (`UserData`), in base64 as the EC2 API carries it: what the instance's
    /// image reads at boot (the `vpcpeer-gateway` image: its tunnel configuration). Stored only
    /// when set, so the rows of instances without any keep their first form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
    /// When StopInstances last stopped it, while it stays stopped (EC2 shows it in the
    /// instance's `StateTransitionReason`); stored only when set, so the rows of instances
    /// never stopped keep their first form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Timestamp>,
}

/// Attachment of a network interface to an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EniAttachment {
    /// `eni-attach-…`.
    pub id: String,
    /// The instance.
    pub instance_id: String,
    /// Device index.
    pub device_index: u32,
    /// Attach time.
    pub attach_time: Timestamp,
    /// Whether the ENI dies with the instance.
    pub delete_on_termination: bool,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    /// `eni-…`.
    pub id: String,
    /// Owner account and region.
    pub scope: Scope,
    /// Subnet.
    pub subnet_id: String,
    /// VPC.
    pub vpc_id: String,
    /// Availability zone.
    pub availability_zone: String,
    /// Primary private IPv4 address.
    pub private_ip: Ipv4Addr,
    /// Secondary private IPv4 addresses.
    pub secondary_ips: Vec<Ipv4Addr>,
    /// IPv6 addresses.
    pub ipv6: Vec<Ipv6Addr>,
    /// Security groups.
    pub groups: Vec<String>,
    /// Attachment.
    pub attachment: Option<EniAttachment>,
    /// MAC address.
    pub mac: String,
    /// Description.
    pub description: String,
    /// `interface`, `nat_gateway`, …
    pub interface_type: String,
    /// Source/destination check.
    pub source_dest_check: bool,
    /// User tags.
    pub tags: Tags,
    /// The public IPv4 address Amazon assigned at launch (not an Elastic IP: see
    /// [`crate::aws::address`]). Stored only when set, so older rows keep their form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<Ipv4Addr>,
    /// Whether the interface was given a public IPv4 address at launch, so gets a new one when
    /// an Elastic IP is disassociated from it. Stored only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub public_ip_on_launch: bool,
}

/// Per-side peering options (as in `peeringOptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PeeringOptions {
    /// `allowDnsResolutionFromRemoteVpc`.
    pub allow_dns_resolution_from_remote_vpc: bool,
    /// `allowEgressFromLocalClassicLinkToRemoteVpc`.
    pub allow_egress_from_local_classic_link_to_remote_vpc: bool,
    /// `allowEgressFromLocalVpcToRemoteClassicLink`.
    pub allow_egress_from_local_vpc_to_remote_classic_link: bool,
}

/// One side of a peering connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSide {
    /// The VPC.
    pub vpc_id: String,
    /// Its account and region.
    pub scope: Scope,
    /// Its IPv4 blocks, as last seen (kept when the VPC is gone).
    pub ipv4: Vec<Ipv4Net>,
    /// Its IPv6 blocks, as last seen.
    pub ipv6: Vec<Ipv6Net>,
    /// This side's options.
    pub options: PeeringOptions,
}

/// A VPC peering connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeeringConnection {
    /// `pcx-…`.
    pub id: String,
    /// Requester side.
    pub requester: PeerSide,
    /// Accepter side.
    pub accepter: PeerSide,
    /// Stored state; see [`PeeringConnection::state_at`] for the state at a given time.
    pub state: PeeringState,
    /// When the stored state was entered.
    pub state_since: Timestamp,
    /// When an unaccepted request expires.
    pub expiration: Timestamp,
    /// Account that deleted it, for `deleted`.
    pub deleted_by: Option<String>,
    /// Why it failed, for `failed`.
    pub failure_reason: Option<String>,
    /// Creation time.
    pub created: Timestamp,
    /// Tags per side: each account/region sees only its own.
    pub tags: BTreeMap<String, Tags>,
}

impl PeeringConnection {
    /// Key of the tag set of a viewer (`account/region`).
    pub fn tag_key(scope: &Scope) -> String {
        format!("{}/{}", scope.account, scope.region)
    }
}

mod insights;
mod ipv6;
pub use insights::*;
pub use ipv6::*;
mod eip;
pub use eip::*;
