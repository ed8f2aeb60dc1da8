//! The vocabulary of a reachability query and its answer: endpoints, protocols, packet headers,
//! hops of the forward and return paths, and explanations named after the AWS Reachability
//! Analyzer codes (its documentation's "Explanation codes" page; the GCP, Azure and cross-cloud
//! codes are this emulator's, see [`Code`]).

use std::fmt;
use std::net::IpAddr;

use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::{AclAction, Destination, InstanceState, RouteTarget};

/// EC2's name of a peering connection state (`pending-acceptance`, …). The model keeps typed
/// states only; this is the one spelling of them, quoted by the engine's explanations and audit
/// findings and rendered by the EC2 face (`vpcpeer_wire_aws::peering_state_name` is this
/// function: the wire crate depends on the engine, not the other way round).
pub fn peering_state_name(s: PeeringState) -> &'static str {
    match s {
        PeeringState::InitiatingRequest => "initiating-request",
        PeeringState::PendingAcceptance => "pending-acceptance",
        PeeringState::Provisioning => "provisioning",
        PeeringState::Active => "active",
        PeeringState::Deleting => "deleting",
        PeeringState::Deleted => "deleted",
        PeeringState::Rejected => "rejected",
        PeeringState::Failed => "failed",
        PeeringState::Expired => "expired",
    }
}

/// EC2's name of an instance state (`shutting-down`, …), quoted by the engine's explanations.
pub(crate) fn instance_state_name(s: InstanceState) -> &'static str {
    match s {
        InstanceState::Pending => "pending",
        InstanceState::Running => "running",
        InstanceState::ShuttingDown => "shutting-down",
        InstanceState::Terminated => "terminated",
        InstanceState::Stopping => "stopping",
        InstanceState::Stopped => "stopped",
    }
}

/// `impl Display for $t` writing `self.$name()` (a `&'static str` spelling).
macro_rules! display_by {
    ($t:ty, $name:ident) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.$name())
            }
        }
    };
}
pub(crate) use display_by;

/// The client's ephemeral source port: every query's client sends from this port, so the return
/// path is checked against one concrete port. 49152 lies in both the Linux (32768–60999) and the
/// Windows/IANA (49152–65535) ephemeral ranges, and in the 1024–65535 range AWS tells network
/// ACL authors to open for replies. (Checking a concrete port rather than the whole range keeps
/// headers concrete and does not flag ACLs that open only the common OS ranges.)
pub const EPHEMERAL_PORT: u16 = 49152;

/// One end of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// An instance, through its primary network interface.
    Instance(String),
    /// A network interface.
    Eni(String),
    /// An address: a private address of an interface, or (as a destination only) an address
    /// outside every VPC, standing for the internet.
    Ip(IpAddr),
    /// A GCP instance by relative path (`projects/P/zones/Z/instances/N`), through `nic0`.
    GcpInstance(String),
    /// An Azure VM or NIC by ARM id (lower-cased: ARM ids are case-insensitive).
    Azure(String),
    /// An address with a hint naming the network it lies in (a VPC id, a GCP network path or an
    /// Azure VNet id), for addresses that several networks hold: written `IP@NETWORK`.
    IpIn(IpAddr, String),
}

impl Endpoint {
    /// Reads an endpoint as users name it: an instance id (`i-…`), an interface id (`eni-…`), a
    /// GCP instance (`projects/P/zones/Z/instances/N` or its selfLink URL), an Azure VM or NIC
    /// (ARM id), an IP address, or `IP@NETWORK`. `None` for anything else.
    pub fn parse(s: &str) -> Option<Endpoint> {
        let s = s.trim();
        if let Some((ip, hint)) = s.split_once('@') {
            let hint = hint.trim();
            return match (ip.trim().parse::<IpAddr>(), hint.is_empty()) {
                (Ok(ip), false) => Some(Endpoint::IpIn(ip, hint.to_owned())),
                _ => None,
            };
        }
        if s.contains("/instances/") && (s.starts_with("projects/") || s.contains("/compute/")) {
            let rel = vpcpeer_model::gcp::relative_path(s);
            let parts: Vec<&str> = rel.split('/').collect();
            return match parts.as_slice() {
                ["projects", p, "zones", z, "instances", n]
                    if !p.is_empty() && !z.is_empty() && !n.is_empty() =>
                {
                    Some(Endpoint::GcpInstance(rel.to_owned()))
                }
                _ => None,
            };
        }
        if s.to_ascii_lowercase().starts_with("/subscriptions/") {
            return vpcpeer_model::azure::ArmId::parse(s)
                .filter(|a| {
                    a.is("Microsoft.Compute", &["virtualMachines"])
                        || a.is("Microsoft.Network", &["networkInterfaces"])
                })
                .map(|_| Endpoint::Azure(vpcpeer_model::azure::key(s)));
        }
        if s.starts_with("i-") {
            Some(Endpoint::Instance(s.to_owned()))
        } else if s.starts_with("eni-") {
            Some(Endpoint::Eni(s.to_owned()))
        } else {
            s.parse::<IpAddr>().ok().map(Endpoint::Ip)
        }
    }
}

/// The protocol of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP (needs a port).
    Tcp,
    /// UDP (needs a port).
    Udp,
    /// ICMP echo (ICMPv6 for IPv6 addresses): request type 8/128, reply type 0/129, code 0.
    Icmp,
    /// All traffic: admitted only by rules for all protocols (`-1`).
    All,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "all",
        })
    }
}

/// A question: can `src` reach `dst` with `protocol` on `port` (and can the reply come back)?
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// Who sends.
    pub src: Endpoint,
    /// Who receives.
    pub dst: Endpoint,
    /// Protocol.
    pub protocol: Protocol,
    /// Destination port: required for TCP and UDP, ignored otherwise.
    pub port: Option<u16>,
}

/// A packet header as a component sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// Source address.
    pub src_ip: IpAddr,
    /// Destination address.
    pub dst_ip: IpAddr,
    /// Protocol.
    pub protocol: Protocol,
    /// Source port (TCP/UDP).
    pub src_port: Option<u16>,
    /// Destination port (TCP/UDP).
    pub dst_port: Option<u16>,
    /// ICMP type and code (ICMP).
    pub icmp: Option<(u8, u8)>,
}

impl Header {
    /// The header of `q`'s request from `src` to `dst`: the query's port as destination port and
    /// [`EPHEMERAL_PORT`] as source port for TCP and UDP, an echo request for ICMP. The caller has
    /// checked that TCP and UDP queries carry a port.
    pub fn for_query(q: &Query, src: IpAddr, dst: IpAddr) -> Header {
        let dst_port = match q.protocol {
            Protocol::Tcp | Protocol::Udp => q.port,
            _ => None,
        };
        Header {
            src_ip: src,
            dst_ip: dst,
            protocol: q.protocol,
            src_port: dst_port.map(|_| EPHEMERAL_PORT),
            dst_port,
            icmp: (q.protocol == Protocol::Icmp).then(|| {
                if dst.is_ipv6() {
                    (128, 0)
                } else {
                    (8, 0)
                }
            }),
        }
    }

    /// The reply to this header: addresses and ports swapped, an ICMP echo request answered by
    /// an echo reply.
    pub fn reply(&self) -> Header {
        let icmp = self.icmp.map(|(t, c)| match t {
            8 => (0, c),
            128 => (129, c),
            other => (other, c),
        });
        Header {
            src_ip: self.dst_ip,
            dst_ip: self.src_ip,
            protocol: self.protocol,
            src_port: self.dst_port,
            dst_port: self.src_port,
            icmp,
        }
    }

    /// The address at the other end of this packet, seen from a filter in direction `dir`: its
    /// destination leaving (egress, outbound), its source arriving (ingress, inbound).
    pub fn other_end(&self, dir: Direction) -> IpAddr {
        match dir {
            Direction::Egress => self.dst_ip,
            Direction::Ingress => self.src_ip,
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.src_port, self.dst_port) {
            (Some(s), Some(d)) => write!(
                f,
                "{} {}:{} -> {}:{}",
                self.protocol, self.src_ip, s, self.dst_ip, d
            ),
            _ => write!(f, "{} {} -> {}", self.protocol, self.src_ip, self.dst_ip),
        }
    }
}

/// Kinds of components a path passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ComponentKind {
    /// An instance.
    Instance,
    /// A network interface.
    NetworkInterface,
    /// A security group.
    SecurityGroup,
    /// A network ACL.
    NetworkAcl,
    /// A route table.
    RouteTable,
    /// A peering connection.
    PeeringConnection,
    /// An internet gateway.
    InternetGateway,
    /// A NAT gateway.
    NatGateway,
    /// An egress-only internet gateway (`eigw-…`).
    EgressOnlyInternetGateway,
    /// A virtual private gateway (`vgw-`), the way to on-premises networks.
    VpnGateway,
    /// A VPC.
    Vpc,
    /// A subnet.
    Subnet,
    /// Anything outside every VPC (id `internet`).
    Internet,
    /// A GCP VPC network or an Azure virtual network (its routing).
    Network,
    /// A GCP firewall rule (id: its path, or `NETWORK/implied-…` for the implied rules).
    FirewallRule,
    /// An Azure network security group.
    NetworkSecurityGroup,
    /// A VPC endpoint (a gateway endpoint is a route target reaching its service's prefixes).
    VpcEndpoint,
    /// An encrypted tunnel between two gateway VMs (id `LOCAL->PEER`, the gateways' names in
    /// their configurations; see [`crate::tunnel`]).
    Tunnel,
}

/// A component by kind and id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ComponentRef {
    /// Kind.
    pub kind: ComponentKind,
    /// Resource id (`internet` for [`ComponentKind::Internet`]).
    pub id: String,
}

impl ComponentRef {
    /// A reference from its parts.
    pub fn new(kind: ComponentKind, id: impl Into<String>) -> Self {
        ComponentRef {
            kind,
            id: id.into(),
        }
    }
}

impl fmt::Display for ComponentRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

/// Inbound (ingress) or outbound (egress), for security groups and network ACLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Into the interface or subnet.
    Ingress,
    /// Out of the interface or subnet.
    Egress,
}

/// The rule of a component that decided a hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleRef {
    /// The route that matched (longest prefix).
    Route {
        /// Its destination.
        destination: Destination,
        /// Its target.
        target: RouteTarget,
    },
    /// The security group rule that admitted the packet.
    SecurityGroupRule {
        /// Group holding the rule.
        group_id: String,
        /// `sgr-…`.
        rule_id: String,
        /// Ingress or egress.
        direction: Direction,
    },
    /// The network ACL entry that decided (first match by number); `None` = the implicit deny
    /// (`*`) when no entry matched.
    AclRule {
        /// Entry number.
        rule_number: Option<i32>,
        /// Its action.
        action: AclAction,
        /// Inbound or outbound.
        direction: Direction,
    },
    /// A GCP or Azure route or filtering rule.
    Cloud(CloudRule),
}

/// The route or filtering rule of a GCP or Azure component that decided a hop (their own
/// vocabulary: GCP routes and firewall rules, Azure effective routes and NSG rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudRule {
    /// A route: a GCP subnet, static or peering route, or an Azure effective route.
    Route {
        /// Its name (a GCP route name, `subnet route`, an Azure UDR name or `system route`).
        name: String,
        /// Destination prefix.
        destination: String,
        /// Next hop, in the cloud's words.
        next_hop: String,
        /// GCP priority (lower wins); `None` for Azure.
        priority: Option<u32>,
    },
    /// A GCP firewall rule or an Azure NSG rule.
    Filter {
        /// The GCP network or Azure NSG holding the rule (its name).
        policy: String,
        /// The rule's name (`implied-deny-ingress`, `DenyAllInBound`, …).
        rule: String,
        /// Priority (lower is evaluated first).
        priority: u32,
        /// Allow or deny.
        action: AclAction,
        /// Ingress (inbound) or egress (outbound).
        direction: Direction,
    },
}

/// The path a hop or explanation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Leg {
    /// From the source to the destination.
    Forward,
    /// The reply, from the destination back to the source.
    Return,
}

/// One component on a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The component.
    pub component: ComponentRef,
    /// The route, security group rule or ACL entry that applied, if any.
    pub rule: Option<RuleRef>,
    /// Header entering the component.
    pub inbound: Header,
    /// Header leaving it (differs where a NAT gateway rewrites it).
    pub outbound: Header,
}

/// Why a path is blocked, named after the AWS Reachability Analyzer explanation codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// The route table has no route for the destination, or its best route leads elsewhere
    /// (`NO_ROUTE_TO_DESTINATION`).
    NoRouteToDestination,
    /// The best route is a blackhole: its target is gone or not active, e.g. a pending or
    /// deleted peering (`BAD_STATE_ROUTE`).
    BadStateRoute,
    /// A component on the path is not usable, e.g. a stopped instance (`BAD_STATE`).
    BadState,
    /// A peering delivers only to addresses inside the peer VPC's blocks: no transit
    /// (`PCX_REQUIRES_ADDRESS_IN_VPC_CIDR`).
    PcxRequiresAddressInVpcCidr,
    /// The source and destination VPCs are not joined by a peering that is active or can still
    /// become active (`DISCONNECTED_VPCS`).
    DisconnectedVpcs,
    /// No security group rule of the interface admits the packet (`ENI_SG_RULES_MISMATCH`).
    EniSgRulesMismatch {
        /// Ingress (destination) or egress (source).
        direction: Direction,
    },
    /// The subnet's network ACL denies the packet (`SUBNET_ACL_RESTRICTION`).
    SubnetAclRestriction {
        /// Inbound or outbound.
        direction: Direction,
    },
    /// Traffic that arrived over a peering would leave through the peer's internet gateway:
    /// edge-to-edge routing is not supported (`IGW_EDGE_TO_EDGE`, this emulator's name).
    IgwEdgeToEdge,
    /// Traffic that arrived over a peering would leave through the peer's virtual private
    /// gateway: a peer cannot use your VPN connection (`VGW_EDGE_TO_EDGE`, this emulator's name
    /// in the pattern of `IGW_EDGE_TO_EDGE`; Reachability Analyzer has no code for it).
    VgwEdgeToEdge,
    /// A NAT gateway forwards only traffic that originates in its own VPC, never traffic that
    /// arrived over a peering (`NGW_REQUIRES_SOURCE_IN_VPC`).
    NgwRequiresSourceInVpc,
    /// A route sends the packet to an appliance (an instance or interface route target) whose
    /// interface has its source/destination check on, and the packet is not addressed to it
    /// (`ENI_SOURCE_DEST_CHECK_RESTRICTION`).
    EniSourceDestCheckRestriction,
    /// The routes send the packet back to an appliance it already crossed: a routing loop
    /// (`ROUTING_LOOP`, this emulator's name: Reachability Analyzer has no code for it).
    RoutingLoop,
    /// Traffic that arrived over a peering would leave through the peer's gateway VPC endpoint:
    /// a gateway endpoint serves only traffic from its own VPC (the VPC Peering Guide's
    /// edge-to-edge rule) (`VPCE_GATEWAY_EDGE_TO_EDGE`, this emulator's name).
    VpceGatewayEdgeToEdge,
    /// The destination address lies in a VPC but no interface holds it (`UNKNOWN_DESTINATION`).
    UnknownDestination,
    /// Traffic from the internet would enter a VPC whose only way to the internet is an
    /// egress-only internet gateway, which carries outbound IPv6 connections and their replies
    /// only (`EGRESS_ONLY_IGW_INBOUND`, this emulator's name).
    EgressOnlyInbound,
    /// The path needs a component this engine does not model (transit gateways, VPC endpoints,
    /// VPN gateways)
    /// (`UNSUPPORTED_COMPONENT`).
    UnsupportedComponent,
    /// GCP: a firewall rule, or the implied deny-ingress rule, drops the packet
    /// (`FIREWALL_RULE`, GCP Connectivity Tests' drop cause).
    FirewallRule {
        /// Ingress (destination) or egress (source).
        direction: Direction,
    },
    /// GCP/Azure: no route of the network leads to the destination (`NO_ROUTE`).
    NoRoute,
    /// GCP/Azure: the best route drops the packet: its next hop is gone, or it is a
    /// user-defined route to `None` (`ROUTE_BLACKHOLE`).
    RouteBlackhole,
    /// GCP/Azure: a peering joins the two networks but is not active (GCP `INACTIVE`, Azure
    /// `Initiated` or `Disconnected`) (`PEERING_NOT_ACTIVE`).
    PeeringNotActive,
    /// Azure: the peering is `Connected` but `allowVirtualNetworkAccess` is false
    /// (`PEERING_ACCESS_DISABLED`).
    PeeringAccessDisabled,
    /// GCP/Azure: the two networks are not peered with each other (peering is not transitive)
    /// (`NO_PEERING_PATH`).
    NoPeeringPath,
    /// Azure: a rule of a network security group denies the packet (`NSG_RULE`).
    NsgRule {
        /// Inbound (destination) or outbound (source).
        direction: Direction,
    },
    /// The two ends are in different clouds: native peering cannot join them
    /// (`CROSS_CLOUD_NO_NATIVE_PATH`).
    CrossCloud,
    /// GCP/Azure: an end of the path is a VM that is not running (Azure: deallocated or
    /// powered off), so it neither sends nor receives (`INSTANCE_NOT_RUNNING`, this emulator's
    /// name).
    InstanceNotRunning,
    /// Tunnels (this emulator's codes, [`crate::tunnel`]): a gateway VM's configuration does
    /// not parse, so it brings up no tunnel (`TUNNEL_CONFIG_INVALID`).
    TunnelConfigInvalid,
    /// No gateway VM holds the public address a tunnel's `Endpoint` names, or the VM there does
    /// not run the gateway image with a configuration (`TUNNEL_PEER_NOT_FOUND`).
    TunnelPeerNotFound,
    /// The peer gateway's configuration has no `[Peer]` entry for this gateway's name
    /// (`TUNNEL_PEER_ENTRY_MISSING`).
    TunnelPeerEntryMissing,
    /// A gateway's entry for the other holds a public key that is not the other's
    /// (`TUNNEL_KEY_MISMATCH`).
    TunnelKeyMismatch,
    /// The `Endpoint` port is not the peer gateway's `ListenPort` (`TUNNEL_PORT_MISMATCH`).
    TunnelPortMismatch,
    /// A gateway VM of the tunnel is not running (`TUNNEL_GATEWAY_NOT_RUNNING`).
    TunnelGatewayNotRunning,
    /// A gateway VM of the tunnel has no public IPv4 address (`TUNNEL_NO_PUBLIC_IP`).
    TunnelNoPublicIp,
    /// A gateway's subnet has no active route to an internet gateway of its VPC for the other
    /// gateway's public address (`TUNNEL_NO_INTERNET_ROUTE`).
    TunnelNoInternetRoute,
    /// A gateway's security group does not admit the tunnel's UDP to or from the other
    /// gateway's public address (`TUNNEL_OUTER_BLOCKED_BY_SG`).
    TunnelOuterBlockedBySg {
        /// Ingress (receiving gateway) or egress (sending gateway).
        direction: Direction,
    },
    /// A gateway subnet's network ACL denies the tunnel's UDP (`TUNNEL_OUTER_BLOCKED_BY_ACL`).
    TunnelOuterBlockedByAcl {
        /// Inbound or outbound.
        direction: Direction,
    },
    /// The inner packet's source is not in the receiving gateway's `AllowedIPs` for the sender:
    /// cryptokey routing drops it (`TUNNEL_SOURCE_NOT_ALLOWED`).
    TunnelSourceNotAllowed,
    /// The gateway has no tunnel (or another one) for the reply's destination, so the reply
    /// does not go back through the tunnel it came by (`TUNNEL_NO_ROUTE_FOR_DESTINATION`).
    TunnelNoRouteForDestination,
    /// A GCP or Azure gateway VM on a path across clouds may not forward packets not
    /// addressed to it (GCP `canIpForward` false, Azure NIC `enableIPForwarding` off; AWS's
    /// source/destination check is `ENI_SOURCE_DEST_CHECK_RESTRICTION` on AWS paths)
    /// (`TUNNEL_GATEWAY_NO_FORWARDING`).
    TunnelGatewayNoForwarding,
}

impl Code {
    /// The spelling of the code (AWS Reachability Analyzer's for AWS paths, GCP Connectivity
    /// Tests' or this emulator's for the others).
    pub fn aws_code(&self) -> &'static str {
        match self {
            Code::NoRouteToDestination => "NO_ROUTE_TO_DESTINATION",
            Code::BadStateRoute => "BAD_STATE_ROUTE",
            Code::BadState => "BAD_STATE",
            Code::PcxRequiresAddressInVpcCidr => "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR",
            Code::DisconnectedVpcs => "DISCONNECTED_VPCS",
            Code::EniSgRulesMismatch { .. } => "ENI_SG_RULES_MISMATCH",
            Code::SubnetAclRestriction { .. } => "SUBNET_ACL_RESTRICTION",
            Code::IgwEdgeToEdge => "IGW_EDGE_TO_EDGE",
            Code::VgwEdgeToEdge => "VGW_EDGE_TO_EDGE",
            Code::NgwRequiresSourceInVpc => "NGW_REQUIRES_SOURCE_IN_VPC",
            Code::EgressOnlyInbound => "EGRESS_ONLY_IGW_INBOUND",
            Code::EniSourceDestCheckRestriction => "ENI_SOURCE_DEST_CHECK_RESTRICTION",
            Code::RoutingLoop => "ROUTING_LOOP",
            Code::VpceGatewayEdgeToEdge => "VPCE_GATEWAY_EDGE_TO_EDGE",
            Code::UnknownDestination => "UNKNOWN_DESTINATION",
            Code::UnsupportedComponent => "UNSUPPORTED_COMPONENT",
            Code::FirewallRule { .. } => "FIREWALL_RULE",
            Code::NoRoute => "NO_ROUTE",
            Code::RouteBlackhole => "ROUTE_BLACKHOLE",
            Code::PeeringNotActive => "PEERING_NOT_ACTIVE",
            Code::PeeringAccessDisabled => "PEERING_ACCESS_DISABLED",
            Code::NoPeeringPath => "NO_PEERING_PATH",
            Code::NsgRule { .. } => "NSG_RULE",
            Code::CrossCloud => "CROSS_CLOUD_NO_NATIVE_PATH",
            Code::InstanceNotRunning => "INSTANCE_NOT_RUNNING",
            Code::TunnelConfigInvalid => "TUNNEL_CONFIG_INVALID",
            Code::TunnelPeerNotFound => "TUNNEL_PEER_NOT_FOUND",
            Code::TunnelPeerEntryMissing => "TUNNEL_PEER_ENTRY_MISSING",
            Code::TunnelKeyMismatch => "TUNNEL_KEY_MISMATCH",
            Code::TunnelPortMismatch => "TUNNEL_PORT_MISMATCH",
            Code::TunnelGatewayNotRunning => "TUNNEL_GATEWAY_NOT_RUNNING",
            Code::TunnelNoPublicIp => "TUNNEL_NO_PUBLIC_IP",
            Code::TunnelNoInternetRoute => "TUNNEL_NO_INTERNET_ROUTE",
            Code::TunnelOuterBlockedBySg { .. } => "TUNNEL_OUTER_BLOCKED_BY_SG",
            Code::TunnelOuterBlockedByAcl { .. } => "TUNNEL_OUTER_BLOCKED_BY_ACL",
            Code::TunnelSourceNotAllowed => "TUNNEL_SOURCE_NOT_ALLOWED",
            Code::TunnelNoRouteForDestination => "TUNNEL_NO_ROUTE_FOR_DESTINATION",
            Code::TunnelGatewayNoForwarding => "TUNNEL_GATEWAY_NO_FORWARDING",
        }
    }
}

impl Code {
    /// Whether it is one of the tunnel codes (`TUNNEL_…`).
    pub fn is_tunnel(&self) -> bool {
        self.aws_code().starts_with("TUNNEL_")
    }
}

display_by!(Code, aws_code);

/// One blocker: what, where, on which leg, and a human sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The code.
    pub code: Code,
    /// The resource it names.
    pub component: ComponentRef,
    /// Forward or return path.
    pub leg: Leg,
    /// A sentence naming rule, route, addresses.
    pub detail: String,
    /// What the engine knows of the blocker beyond its component, for [`crate::remedy()`].
    pub fact: Option<Fact>,
}

/// A structured fact about a blocker that its component and code do not carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// GCP: `network`'s peering entry `name` has no entry back from the peer network.
    GcpPeeringOneSided {
        /// The network holding the entry (its relative path).
        network: String,
        /// The entry's name.
        name: String,
    },
    /// Azure: the peering link is `Disconnected` (the other side was deleted or re-created),
    /// not merely `Initiated`.
    AzureLinkDisconnected,
    /// A tunnel blocker's fix, as the tunnel model found it.
    Tunnel(TunnelFix),
}

mod tunnel_fix;
pub use tunnel_fix::{ConfigChange, TunnelFix};

/// The answer to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the packet reaches the destination and the reply comes back.
    pub reachable: bool,
    /// The forward path; for an unreachable query, the most plausible (blocked) path.
    pub forward: Vec<Hop>,
    /// The return path (walked for every query whose forward path reaches a destination
    /// component, blocked or not).
    pub ret: Vec<Hop>,
    /// Every blocker found on the two paths, in path order; empty iff reachable.
    pub blockers: Vec<Explanation>,
}

/// A query the engine cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No such instance.
    #[error("unknown instance {0}")]
    UnknownInstance(String),
    /// The instance has no network interface.
    #[error("instance {0} has no network interface")]
    InstanceWithoutInterface(String),
    /// No such network interface.
    #[error("unknown network interface {0}")]
    UnknownInterface(String),
    /// The source address belongs to no interface.
    #[error("source address {0} belongs to no network interface")]
    UnknownSourceAddress(IpAddr),
    /// The source address belongs to interfaces of several VPCs.
    #[error("source address {0} belongs to several network interfaces; name the interface")]
    AmbiguousSourceAddress(IpAddr),
    /// The source has no address of the destination's family.
    #[error("source {0} has no address of the destination's IP family")]
    NoAddressInFamily(String),
    /// TCP and UDP queries need a port.
    #[error("{0} queries need a destination port")]
    PortRequired(Protocol),
    /// Source and destination are the same interface.
    #[error("source and destination are the same network interface {0}")]
    SameInterface(String),
    /// No such GCP instance, Azure VM or NIC, or the address lies in none of the networks.
    #[error("unknown endpoint {0}")]
    UnknownEndpoint(String),
    /// The address lies in several networks; name one with `IP@NETWORK`.
    #[error("address {0} lies in several networks ({1}); name one as {0}@NETWORK")]
    AmbiguousAddress(IpAddr, String),
    /// GCP and Azure networks are IPv4 here.
    #[error("{0}: only IPv4 is modelled for GCP and Azure networks")]
    Ipv4Only(String),
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn endpoints_parse_as_users_name_them() {
        let cases: &[(&str, Option<Endpoint>)] = &[
            ("i-0abc", Some(Endpoint::Instance("i-0abc".into()))),
            (" eni-0abc ", Some(Endpoint::Eni("eni-0abc".into()))),
            (
                "10.0.1.5",
                Some(Endpoint::Ip("10.0.1.5".parse().expect("ip"))),
            ),
            (
                "2001:db8::1",
                Some(Endpoint::Ip("2001:db8::1".parse().expect("ip"))),
            ),
            (
                "projects/p/zones/us-central1-a/instances/vm-1",
                Some(Endpoint::GcpInstance(
                    "projects/p/zones/us-central1-a/instances/vm-1".into(),
                )),
            ),
            (
                "https://compute.googleapis.com/compute/v1/projects/p/zones/z-a/instances/vm-1",
                Some(Endpoint::GcpInstance("projects/p/zones/z-a/instances/vm-1".into())),
            ),
            ("projects/p/zones/z-a/instances/", None),
            ("projects/p/global/networks/n", None),
            (
                "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1",
                Some(Endpoint::Azure(
                    "/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1"
                        .into(),
                )),
            ),
            (
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1",
                Some(Endpoint::Azure(
                    "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n1"
                        .into(),
                )),
            ),
            (
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
                None,
            ),
            (
                "10.0.0.5@vpc-0abc",
                Some(Endpoint::IpIn(
                    "10.0.0.5".parse().expect("ip"),
                    "vpc-0abc".into(),
                )),
            ),
            ("10.0.0.5@", None),
            ("nope@vpc-0abc", None),
            ("vpc-0abc", None),
            ("10.0.1.0/24", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(&Endpoint::parse(input), want, "{input:?}");
        }
    }
}
