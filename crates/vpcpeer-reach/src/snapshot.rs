//! The forwarding snapshot: the network state at one instant, compiled for queries.
//!
//! Per route table a longest-prefix-match index of its routes (each with its state at `now`,
//! from [`table_route_state`]), each subnet's effective route table (explicit association, else
//! the VPC's main table) and network ACL (entries split by direction and sorted by number),
//! interfaces by id and by private address, instances with their primary interface, security
//! groups, gateways, and peering connections with their state at `now`. For GCP and Azure, whose
//! walks read the world's records, an index of those records by network and by address, and
//! each gateway VM's compiled configuration ([`clouds`]), so that a query reads only the records
//! it touches.
//!
//! Compiling is one pass over the [`World`]. A compiled snapshot is kept current with
//! [`Snapshot::apply_changes`] (see [`incremental`](crate::incremental)): given the keys of the
//! records a commit changed, it recompiles only the parts they affect, and moves the instant.
//! Nothing here reads a clock or does I/O.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use vpcpeer_model::aws::endpoints::prefix_list::prefix_list_blocks;
use vpcpeer_model::aws::peering_state::PeeringState;
use vpcpeer_model::aws::route::{table_route_state, RouteState};
use vpcpeer_model::{
    AclEntry, Destination, Instance, InstanceState, InternetGateway, NatGateway, NatState,
    NetworkAcl, NetworkInterface, PeerSide, PeeringConnection, RecordKey, Route, RouteTable,
    RouteTarget, RtAssocTarget, RulePeer, Scope, SecurityGroup, SgRule, Subnet, Timestamp, Vpc,
    World,
};

use crate::deps::Deps;
use crate::tunnel::GatewaySetup;

use crate::lpm::Lpm;

pub mod clouds;
pub(crate) mod filters;

use clouds::CloudIndex;

/// A route as compiled: destination, target, and whether it carries traffic at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    /// Destination prefix.
    pub destination: Destination,
    /// Target.
    pub target: RouteTarget,
    /// `false` for a blackhole.
    pub active: bool,
}

/// A route table.
#[derive(Debug, Clone)]
pub struct TableView {
    /// `rtb-…`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Its routes by longest prefix.
    pub lpm: Lpm<RouteEntry>,
}

/// Two tables are equal when they hold the same routes (the index is derived from them).
impl PartialEq for TableView {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.vpc_id == other.vpc_id
            && self.lpm.routes().eq(other.lpm.routes())
    }
}

/// A VPC.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcView {
    /// `vpc-…`.
    pub id: String,
    /// Owner and region.
    pub scope: Scope,
    /// Associated IPv4 blocks.
    pub ipv4: Vec<Ipv4Net>,
    /// Associated IPv6 blocks.
    pub ipv6: Vec<Ipv6Net>,
    /// Its main route table.
    pub main_route_table: Option<String>,
    /// Its default network ACL.
    pub default_acl: Option<String>,
}

impl VpcView {
    /// Whether `ip` lies in one of the VPC's blocks.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => self.ipv4.iter().any(|n| n.contains(&a)),
            IpAddr::V6(a) => self.ipv6.iter().any(|n| n.contains(&a)),
        }
    }
}

/// A subnet with its effective route table and network ACL.
#[derive(Debug, Clone, PartialEq)]
pub struct SubnetView {
    /// `subnet-…`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Explicitly associated table, else the VPC's main table.
    pub route_table: Option<String>,
    /// Associated network ACL, else the VPC's default ACL.
    pub acl: Option<String>,
}

/// A network ACL, its entries split by direction and in rule-number order.
#[derive(Debug, Clone, PartialEq)]
pub struct AclView {
    /// `acl-…`.
    pub id: String,
    /// Inbound entries.
    pub inbound: Vec<AclEntry>,
    /// Outbound entries.
    pub outbound: Vec<AclEntry>,
}

/// A security group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupView {
    /// `sg-…`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Owner and region.
    pub scope: Scope,
    /// Inbound rules.
    pub ingress: Vec<SgRule>,
    /// Outbound rules.
    pub egress: Vec<SgRule>,
}

/// A network interface.
#[derive(Debug, Clone, PartialEq)]
pub struct EniView {
    /// `eni-…`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// Private addresses: primary IPv4 first, then secondary IPv4, then IPv6.
    pub ips: Vec<IpAddr>,
    /// Security groups.
    pub groups: Vec<String>,
    /// The instance it is attached to.
    pub instance: Option<String>,
    /// The NAT gateway it belongs to.
    pub nat_gateway: Option<String>,
    /// Source/destination check: when on, the interface drops a packet it would forward (one
    /// not addressed to it).
    pub source_dest_check: bool,
    /// Its public IPv4 address: an Elastic IP on its primary private address, else the one
    /// Amazon assigned at launch (the outer address of a gateway's tunnels).
    pub public_ip: Option<Ipv4Addr>,
}

impl EniView {
    /// The interface's first address of the family of `like`.
    pub fn address_like(&self, like: IpAddr) -> Option<IpAddr> {
        self.ips
            .iter()
            .copied()
            .find(|a| a.is_ipv4() == like.is_ipv4())
    }
}

/// An instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceView {
    /// `i-…`.
    pub id: String,
    /// Lifecycle state.
    pub state: InstanceState,
    /// Primary interface.
    pub primary_eni: Option<String>,
    /// For an instance of the region's `vpcpeer-gateway` image, the configuration its user data
    /// holds ([`crate::tunnel`]); `None` for any other image.
    pub gateway: Option<GatewaySetup>,
}

/// An internet gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct IgwView {
    /// `igw-…`.
    pub id: String,
    /// The VPC it is attached to.
    pub attached_vpc: Option<String>,
}

/// A NAT gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct NatView {
    /// `nat-…`.
    pub id: String,
    /// Its VPC.
    pub vpc_id: String,
    /// Its subnet.
    pub subnet_id: String,
    /// Its interface.
    pub eni_id: String,
    /// Its private address.
    pub private_ip: IpAddr,
    /// Public connectivity.
    pub public: bool,
    /// Lifecycle state.
    pub state: NatState,
}

/// A peering connection, with the blocks of each side (current blocks of a VPC that still
/// exists, else the blocks recorded on the connection).
#[derive(Debug, Clone, PartialEq)]
pub struct PeeringView {
    /// `pcx-…`.
    pub id: String,
    /// State at the snapshot's instant.
    pub state: PeeringState,
    /// Requester VPC and its region.
    pub requester: (String, Scope),
    /// Accepter VPC and its region.
    pub accepter: (String, Scope),
    /// Requester blocks.
    pub requester_blocks: (Vec<Ipv4Net>, Vec<Ipv6Net>),
    /// Accepter blocks.
    pub accepter_blocks: (Vec<Ipv4Net>, Vec<Ipv6Net>),
}

impl PeeringView {
    /// Whether it carries traffic.
    pub fn is_active(&self) -> bool {
        self.state == PeeringState::Active
    }

    /// Whether it joins `a` and `b` (either way round).
    pub fn connects(&self, a: &str, b: &str) -> bool {
        (self.requester.0 == a && self.accepter.0 == b)
            || (self.requester.0 == b && self.accepter.0 == a)
    }

    /// The VPC on the other side from `vpc`, if `vpc` is one side.
    pub fn other_side(&self, vpc: &str) -> Option<&str> {
        if self.requester.0 == vpc {
            Some(&self.accepter.0)
        } else if self.accepter.0 == vpc {
            Some(&self.requester.0)
        } else {
            None
        }
    }

    /// Whether `ip` lies in the blocks of side `vpc`.
    pub fn side_contains(&self, vpc: &str, ip: IpAddr) -> bool {
        let blocks = if self.requester.0 == vpc {
            &self.requester_blocks
        } else if self.accepter.0 == vpc {
            &self.accepter_blocks
        } else {
            return false;
        };
        match ip {
            IpAddr::V4(a) => blocks.0.iter().any(|n| n.contains(&a)),
            IpAddr::V6(a) => blocks.1.iter().any(|n| n.contains(&a)),
        }
    }
}

/// The compiled network at one instant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The instant it was compiled for.
    pub now: Timestamp,
    /// VPCs by id.
    pub vpcs: HashMap<String, VpcView>,
    /// VPC ids in id order (for deterministic scans).
    pub vpc_order: Vec<String>,
    /// Subnets by id.
    pub subnets: HashMap<String, SubnetView>,
    /// Route tables by id.
    pub tables: HashMap<String, TableView>,
    /// Network ACLs by id.
    pub acls: HashMap<String, AclView>,
    /// Security groups by id.
    pub groups: HashMap<String, GroupView>,
    /// Interfaces by id.
    pub enis: HashMap<String, EniView>,
    /// Interface ids by private address, in id order (addresses may repeat across VPCs).
    pub enis_by_ip: HashMap<IpAddr, Vec<String>>,
    /// Interface ids by public IPv4 address, in id order (a tunnel's endpoint names its peer
    /// gateway by this address).
    pub enis_by_public_ip: HashMap<Ipv4Addr, Vec<String>>,
    /// Instances by id.
    pub instances: HashMap<String, InstanceView>,
    /// Internet gateways by id.
    pub igws: HashMap<String, IgwView>,
    /// NAT gateways by id.
    pub nats: HashMap<String, NatView>,
    /// Egress-only internet gateways (`eigw-…`) by id: the VPC each serves.
    pub eigws: HashMap<String, String>,
    /// Peering connections by id.
    pub peerings: HashMap<String, PeeringView>,
    /// Peering ids by the VPC on either side, in id order.
    pub peerings_by_vpc: HashMap<String, Vec<String>>,
    /// GCP and Azure records by network and address, and their gateways' configurations
    /// ([`clouds`]).
    pub clouds: CloudIndex,
    /// What each compiled part depends on, for [`Snapshot::apply_changes`].
    pub(crate) deps: Deps,
}

/// The prefixes a route's destination stands for: its block, or the current blocks of its
/// prefix list (as the table's owner sees the list).
fn dest_nets(world: &World, t: &RouteTable, d: &Destination) -> Vec<IpNet> {
    match d {
        Destination::V4(n) => vec![IpNet::V4(*n)],
        Destination::V6(n) => vec![IpNet::V6(*n)],
        Destination::PrefixList(p) => prefix_list_blocks(world, &t.scope, p.as_str()),
    }
}

/// The compiled view of route table `t`: its routes with their state at `now`. A route to a
/// prefix list becomes one route per block of the list, all with the list as destination; a
/// static route to the same block wins over them (the Amazon VPC User Guide, "Route priority":
/// a static route takes priority over an overlapping prefix-list route), which the order gives,
/// as the index keeps the last of equal prefixes.
pub(crate) fn table_view(world: &World, t: &RouteTable, now: Timestamp) -> TableView {
    let (lists, statics): (Vec<&Route>, Vec<&Route>) = t
        .routes
        .iter()
        .partition(|r| matches!(r.destination, Destination::PrefixList(_)));
    let lpm = Lpm::new(lists.into_iter().chain(statics).flat_map(|r| {
        let active = table_route_state(world, t, r, now) == RouteState::Active;
        dest_nets(world, t, &r.destination)
            .into_iter()
            .map(move |net| {
                (
                    net,
                    RouteEntry {
                        destination: r.destination,
                        target: r.target.clone(),
                        active,
                    },
                )
            })
    }));
    TableView {
        id: t.id.clone(),
        vpc_id: t.vpc_id.clone(),
        lpm,
    }
}

// One builder per view, used by both `Snapshot::compile` and `Snapshot::apply_changes` so the
// two cannot drift. Each takes only what its view needs; facts a compile precomputes (explicit
// associations, the NAT gateway of an interface, which interfaces exist) come in as parameters,
// so a builder adds no lookup or allocation of its own.

/// The compiled view of VPC `v`. Its main route table and default ACL come from the tables and
/// ACLs, and are filled in by the caller.
pub(crate) fn vpc_view(v: &Vpc) -> VpcView {
    VpcView {
        id: v.id.clone(),
        scope: v.scope.clone(),
        ipv4: v.ipv4_cidrs().collect(),
        ipv6: v.ipv6_cidrs().collect(),
        main_route_table: None,
        default_acl: None,
    }
}

/// The compiled view of subnet `sub`: its explicitly associated route table and ACL, else those
/// of its VPC (looked up in `vpcs`, the compiled VPCs with their associations filled in).
pub(crate) fn subnet_view(
    sub: &Subnet,
    vpcs: &HashMap<String, VpcView>,
    explicit_rtb: Option<String>,
    explicit_acl: Option<String>,
) -> SubnetView {
    let vpc = vpcs.get(&sub.vpc_id);
    SubnetView {
        id: sub.id.clone(),
        vpc_id: sub.vpc_id.clone(),
        route_table: explicit_rtb.or_else(|| vpc.and_then(|v| v.main_route_table.clone())),
        acl: explicit_acl.or_else(|| vpc.and_then(|v| v.default_acl.clone())),
    }
}

/// The compiled view of network ACL `a`: its entries split by direction, in rule-number order.
pub(crate) fn acl_view(a: &NetworkAcl) -> AclView {
    let mut inbound: Vec<AclEntry> = a.entries.iter().filter(|e| !e.egress).cloned().collect();
    let mut outbound: Vec<AclEntry> = a.entries.iter().filter(|e| e.egress).cloned().collect();
    inbound.sort_by_key(|e| e.rule_number);
    outbound.sort_by_key(|e| e.rule_number);
    AclView {
        id: a.id.clone(),
        inbound,
        outbound,
    }
}

/// The compiled view of security group `g`.
pub(crate) fn group_view(world: &World, g: &SecurityGroup) -> GroupView {
    GroupView {
        id: g.id.clone(),
        vpc_id: g.vpc_id.clone(),
        scope: g.scope.clone(),
        ingress: expand_lists(world, g, &g.ingress),
        egress: expand_lists(world, g, &g.egress),
    }
}

/// `rules` with each rule to a prefix list replaced by one rule (same id) per block of the list
/// as the group's owner sees it, so a rule to a list admits exactly the list's current blocks.
/// A list the owner does not see (or an empty one) admits nothing.
fn expand_lists(world: &World, g: &SecurityGroup, rules: &[SgRule]) -> Vec<SgRule> {
    if !rules
        .iter()
        .any(|r| matches!(r.peer, RulePeer::PrefixList(_)))
    {
        return rules.to_vec();
    }
    let mut out = Vec::with_capacity(rules.len());
    for r in rules {
        match &r.peer {
            RulePeer::PrefixList(p) => {
                for net in prefix_list_blocks(world, &g.scope, p) {
                    let peer = match net {
                        IpNet::V4(n) => RulePeer::Cidr4(n),
                        IpNet::V6(n) => RulePeer::Cidr6(n),
                    };
                    out.push(SgRule { peer, ..r.clone() });
                }
            }
            _ => out.push(r.clone()),
        }
    }
    out
}

/// The compiled view of NAT gateway `n`.
pub(crate) fn nat_view(n: &NatGateway) -> NatView {
    NatView {
        id: n.id.clone(),
        vpc_id: n.vpc_id.clone(),
        subnet_id: n.subnet_id.clone(),
        eni_id: n.eni_id.clone(),
        private_ip: IpAddr::V4(n.private_ip),
        public: n.public,
        state: n.state,
    }
}

/// The compiled view of interface `e`, given the NAT gateway it belongs to and the Elastic IP
/// on its primary private address. Its addresses are in [`EniView::ips`] order; the caller
/// indexes them.
pub(crate) fn eni_view(
    e: &NetworkInterface,
    nat_gateway: Option<String>,
    elastic_ip: Option<Ipv4Addr>,
) -> EniView {
    let mut ips: Vec<IpAddr> = vec![IpAddr::V4(e.private_ip)];
    ips.extend(e.secondary_ips.iter().map(|a| IpAddr::V4(*a)));
    ips.extend(e.ipv6.iter().map(|a| IpAddr::V6(*a)));
    EniView {
        id: e.id.clone(),
        vpc_id: e.vpc_id.clone(),
        subnet_id: e.subnet_id.clone(),
        ips,
        groups: e.groups.clone(),
        instance: e.attachment.as_ref().map(|a| a.instance_id.clone()),
        nat_gateway,
        source_dest_check: e.source_dest_check,
        public_ip: elastic_ip.or(e.public_ip),
    }
}

/// The compiled view of instance `i`; its primary interface is its first one, if
/// `eni_exists` says that interface exists.
pub(crate) fn instance_view(i: &Instance, eni_exists: impl Fn(&str) -> bool) -> InstanceView {
    InstanceView {
        id: i.id.clone(),
        state: i.state,
        primary_eni: i.eni_ids.first().filter(|e| eni_exists(e)).cloned(),
        gateway: gateway_setup(i),
    }
}

/// The configuration of a `vpcpeer-gateway` instance: its user data decoded (base64, as the
/// EC2 face stores it) and parsed. `None` for an instance of another image.
fn gateway_setup(i: &Instance) -> Option<GatewaySetup> {
    use base64::Engine as _;
    if !vpcpeer_model::aws::catalog::is_gateway_image(&i.scope.region, &i.image_id) {
        return None;
    }
    let bytes = i
        .user_data
        .as_deref()
        .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok());
    let text = bytes.map(|b| String::from_utf8_lossy(&b).into_owned());
    Some(GatewaySetup::from_text(text.as_deref()))
}

/// The public address each interface gets from an Elastic IP on its primary private address.
pub(crate) fn elastic_ips_by_eni(world: &World) -> HashMap<&str, Ipv4Addr> {
    let mut out = HashMap::new();
    for eip in world.aws.elastic_ips().values() {
        if let Some(a) = &eip.association {
            let primary = world
                .aws
                .network_interfaces()
                .get(&a.eni_id)
                .is_some_and(|e| e.private_ip == a.private_ip);
            if primary {
                out.insert(a.eni_id.as_str(), eip.public_ip);
            }
        }
    }
    out
}

/// The compiled view of internet gateway `g`.
pub(crate) fn igw_view(g: &InternetGateway) -> IgwView {
    IgwView {
        id: g.id.clone(),
        attached_vpc: g.attached_vpc.clone(),
    }
}

/// The compiled view of peering `p` at `now`: each side's blocks are those of its VPC in `vpcs`
/// when that VPC exists, else those recorded on the connection.
pub(crate) fn peering_view(
    p: &PeeringConnection,
    vpcs: &HashMap<String, VpcView>,
    now: Timestamp,
) -> PeeringView {
    let blocks = |side: &PeerSide| match vpcs.get(&side.vpc_id) {
        Some(v) => (v.ipv4.clone(), v.ipv6.clone()),
        None => (side.ipv4.clone(), side.ipv6.clone()),
    };
    PeeringView {
        id: p.id.clone(),
        state: p.state_at(now),
        requester: (p.requester.vpc_id.clone(), p.requester.scope.clone()),
        accepter: (p.accepter.vpc_id.clone(), p.accepter.scope.clone()),
        requester_blocks: blocks(&p.requester),
        accepter_blocks: blocks(&p.accepter),
    }
}

impl Snapshot {
    /// Brings the snapshot up to date after a change to route table `rtb_id` (its routes or
    /// associations, or the table deleted): [`apply_changes`](Snapshot::apply_changes) with that
    /// one key at the snapshot's instant. Afterwards the snapshot equals
    /// `Snapshot::compile(world, self.now)` provided nothing else changed since it was brought up
    /// to date. Cost: that table's routes and the subnets it is (or was) associated with.
    pub fn apply_route_table(&mut self, world: &World, rtb_id: &str) {
        let key = RecordKey {
            table: "rtb",
            id: rtb_id.to_owned(),
        };
        self.apply_changes(world, self.now, std::slice::from_ref(&key));
    }

    /// Compiles `world` as it stands at `now`.
    pub fn compile(world: &World, now: Timestamp) -> Snapshot {
        let mut s = Snapshot {
            now,
            ..Snapshot::default()
        };
        for v in world.aws.vpcs().values() {
            s.vpc_order.push(v.id.clone());
            s.vpcs.insert(v.id.clone(), vpc_view(v));
        }
        let mut explicit_rtb: HashMap<&str, &str> = HashMap::new();
        for t in world.aws.route_tables().values() {
            for a in &t.associations {
                match &a.target {
                    RtAssocTarget::Main => {
                        if let Some(v) = s.vpcs.get_mut(&t.vpc_id) {
                            v.main_route_table = Some(t.id.clone());
                        }
                    }
                    RtAssocTarget::Subnet(sub) => {
                        explicit_rtb.insert(sub.as_str(), t.id.as_str());
                    }
                    RtAssocTarget::Gateway(_) => {}
                }
            }
            s.tables.insert(t.id.clone(), table_view(world, t, now));
        }
        let mut explicit_acl: HashMap<&str, &str> = HashMap::new();
        for a in world.aws.network_acls().values() {
            if a.is_default {
                if let Some(v) = s.vpcs.get_mut(&a.vpc_id) {
                    v.default_acl = Some(a.id.clone());
                }
            }
            for assoc in &a.associations {
                explicit_acl.insert(assoc.subnet_id.as_str(), a.id.as_str());
            }
            s.acls.insert(a.id.clone(), acl_view(a));
        }
        for sub in world.aws.subnets().values() {
            let route_table = explicit_rtb.get(sub.id.as_str()).map(|t| (*t).to_owned());
            let acl = explicit_acl.get(sub.id.as_str()).map(|a| (*a).to_owned());
            s.subnets
                .insert(sub.id.clone(), subnet_view(sub, &s.vpcs, route_table, acl));
        }
        for g in world.aws.security_groups().values() {
            s.groups.insert(g.id.clone(), group_view(world, g));
        }
        for n in world.aws.nat_gateways().values() {
            s.nats.insert(n.id.clone(), nat_view(n));
        }
        let nat_of_eni: HashMap<&str, &str> = world
            .aws
            .nat_gateways()
            .values()
            .map(|n| (n.eni_id.as_str(), n.id.as_str()))
            .collect();
        let eips = elastic_ips_by_eni(world);
        for e in world.aws.network_interfaces().values() {
            let nat = nat_of_eni.get(e.id.as_str()).map(|n| (*n).to_owned());
            let view = eni_view(e, nat, eips.get(e.id.as_str()).copied());
            for ip in &view.ips {
                s.enis_by_ip.entry(*ip).or_default().push(e.id.clone());
            }
            if let Some(ip) = view.public_ip {
                s.enis_by_public_ip
                    .entry(ip)
                    .or_default()
                    .push(e.id.clone());
            }
            s.enis.insert(e.id.clone(), view);
        }
        for i in world.aws.instances().values() {
            let view = instance_view(i, |e| s.enis.contains_key(e));
            s.instances.insert(i.id.clone(), view);
        }
        for g in world.aws.internet_gateways().values() {
            s.igws.insert(g.id.clone(), igw_view(g));
        }
        for g in world.aws.egress_only_gateways().values() {
            s.eigws.insert(g.id.clone(), g.vpc_id.clone());
        }
        for p in world.aws.peerings().values() {
            let view = peering_view(p, &s.vpcs, now);
            for vpc in [&p.requester.vpc_id, &p.accepter.vpc_id] {
                let list = s.peerings_by_vpc.entry(vpc.clone()).or_default();
                if !list.contains(&p.id) {
                    list.push(p.id.clone());
                }
            }
            s.peerings.insert(p.id.clone(), view);
        }
        s.deps = Deps::build(world);
        s.clouds = CloudIndex::build(world);
        s
    }

    /// The active peering joining VPCs `a` and `b`, if any (lowest id first).
    pub fn active_peering_between(&self, a: &str, b: &str) -> Option<&PeeringView> {
        self.peerings_between(a, b)
            .into_iter()
            .find(|p| p.is_active())
    }

    /// Every peering (any state) joining VPCs `a` and `b`, in id order.
    pub fn peerings_between(&self, a: &str, b: &str) -> Vec<&PeeringView> {
        self.peerings_by_vpc
            .get(a)
            .into_iter()
            .flatten()
            .filter_map(|id| self.peerings.get(id))
            .filter(|p| p.connects(a, b))
            .collect()
    }

    /// The interface of VPC `vpc` holding private address `ip`.
    pub fn eni_in_vpc(&self, vpc: &str, ip: IpAddr) -> Option<&EniView> {
        self.enis_by_ip
            .get(&ip)
            .into_iter()
            .flatten()
            .filter_map(|id| self.enis.get(id))
            .find(|e| e.vpc_id == vpc)
    }

    /// The VPCs whose blocks contain `ip`, in id order.
    pub fn vpcs_containing(&self, ip: IpAddr) -> impl Iterator<Item = &VpcView> + '_ {
        self.vpc_order
            .iter()
            .filter_map(|id| self.vpcs.get(id))
            .filter(move |v| v.contains(ip))
    }

    /// The effective route table of subnet `subnet`.
    pub fn table_of_subnet(&self, subnet: &str) -> Option<&TableView> {
        self.subnets
            .get(subnet)
            .and_then(|s| s.route_table.as_ref())
            .and_then(|t| self.tables.get(t))
    }

    /// The network ACL of subnet `subnet`.
    pub fn acl_of_subnet(&self, subnet: &str) -> Option<&AclView> {
        self.subnets
            .get(subnet)
            .and_then(|s| s.acl.as_ref())
            .and_then(|a| self.acls.get(a))
    }
}
