//! The shared harness of tests that drive the model directly: a world, seeded ids, quotas and a
//! fixed clock, with helpers that run a closure in a [`Tx`] and commit or roll it back.
//!
//! Also small builders of typed command inputs from literals ([`vpc`], [`subnet`], [`route`],
//! security group permissions ([`tcp`], [`from_group`]) …), so tests stay short without the
//! model parsing request text: a literal a builder cannot parse is a mistake in the test, and
//! panics.
//!
//! Compiled for this crate's unit tests and, behind the `testkit` feature, for other crates' tests.

use ipnet::{Ipv4Net, Ipv6Net};

use crate::aws::gateway::NewNat;
use crate::aws::input::Spelled;
use crate::aws::instance::RunInstances;
use crate::aws::route::RouteSpec;
use crate::aws::security_group::{GroupPair, RulePermission, RuleProtocol, RuleRange};
use crate::aws::subnet::NewSubnet;
use crate::aws::vpc::{NewBlock, NewVpc};
use crate::{
    cidr, Ctx, Destination, DomainError, Limits, NetworkInterface, RouteTarget, Scope, SeededIds,
    Timestamp, Tx, World,
};

/// Account A.
pub const A: &str = "111111111111";
/// Account B.
pub const B: &str = "222222222222";
/// The region the tests run in unless they say otherwise.
pub const REGION: &str = "us-east-1";
/// The clock every [`TestEnv`] starts at.
pub const NOW: Timestamp = Timestamp(1_700_000_000_000);

/// Account A in [`REGION`].
pub fn a() -> Scope {
    Scope::new(A, REGION)
}

/// Account B in [`REGION`].
pub fn b() -> Scope {
    Scope::new(B, REGION)
}

/// A world, an id source, quotas and a clock.
pub struct TestEnv {
    /// Everything committed so far.
    pub world: World,
    /// Where fresh ids come from.
    pub ids: SeededIds,
    /// Quotas in force.
    pub limits: Limits,
    /// The clock every transaction sees.
    pub now: Timestamp,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    /// An empty world with ids seeded by 42, default quotas and the clock at [`NOW`].
    pub fn new() -> Self {
        Self::with_seed(42)
    }

    /// An empty world with ids seeded by `seed`, default quotas and the clock at [`NOW`].
    pub fn with_seed(seed: u64) -> Self {
        TestEnv {
            world: World::default(),
            ids: SeededIds::new(seed),
            limits: Limits::default(),
            now: NOW,
        }
    }

    /// Runs `f` as `scope`; commits on success, rolls back on error. Any error type, for callers
    /// that map domain errors to their own.
    pub fn transact<T, E>(
        &mut self,
        scope: &Scope,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.exec(scope, true, f)
    }

    /// Runs `f` as `scope`; commits on success, rolls back on error.
    pub fn run<T>(
        &mut self,
        scope: &Scope,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.exec(scope, true, f)
    }

    /// Runs `f` as `account` in [`REGION`]; commits on success, rolls back on error.
    pub fn run_as<T>(
        &mut self,
        account: &str,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.run(&Scope::new(account, REGION), f)
    }

    /// Runs `f` as `scope` and always rolls back (for table tests over one setup).
    pub fn probe<T>(
        &mut self,
        scope: &Scope,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        self.exec(scope, false, f)
    }

    /// A transaction as `scope` on this world, with its ids, clock and limits: for a test that
    /// commits or rolls back itself (and looks at the change set).
    pub fn tx(&mut self, scope: &Scope) -> Tx<'_, '_> {
        let ctx = Ctx {
            scope: scope.clone(),
            now: self.now,
            ids: &mut self.ids,
            limits: &self.limits,
        };
        Tx::new(&mut self.world, ctx)
    }

    fn exec<T, E>(
        &mut self,
        scope: &Scope,
        commit: bool,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut tx = self.tx(scope);
        let out = f(&mut tx);
        if commit && out.is_ok() {
            tx.commit();
        } else {
            tx.rollback();
        }
        out
    }

    /// A VPC of `scope` with `cidr`.
    pub fn vpc(&mut self, scope: &Scope, cidr: &str) -> String {
        self.create_vpc(scope, cidr, false)
    }

    /// A VPC of `scope` with `cidr` and an Amazon-provided IPv6 block.
    pub fn vpc_ipv6(&mut self, scope: &Scope, cidr: &str) -> String {
        self.create_vpc(scope, cidr, true)
    }

    fn create_vpc(&mut self, scope: &Scope, cidr: &str, amazon_ipv6: bool) -> String {
        self.run(scope, |tx| {
            tx.create_vpc(NewVpc {
                amazon_ipv6,
                ..vpc(cidr)
            })
        })
        .expect("vpc")
    }

    /// A subnet of `scope` with `cidr` in `vpc`; panics if the model refuses.
    pub fn subnet(&mut self, scope: &Scope, vpc_id: &str, cidr: &str) -> String {
        self.run(scope, |tx| tx.create_subnet(subnet(vpc_id, cidr)))
            .expect("subnet")
    }

    /// A custom route table of `scope` in `vpc`; panics if the model refuses.
    pub fn route_table(&mut self, scope: &Scope, vpc: &str) -> String {
        self.run(scope, |tx| tx.create_route_table(vpc, crate::Tags::new()))
            .expect("route table")
    }

    /// Requests a peering from `vpc` (as `req`) to `peer_vpc` of `acc` and, if `accept`, accepts
    /// it as `acc`; panics if the model refuses.
    pub fn peer(
        &mut self,
        req: &Scope,
        vpc: &str,
        acc: &Scope,
        peer_vpc: &str,
        accept: bool,
    ) -> String {
        let id = self
            .run(req, |tx| {
                tx.create_peering(crate::aws::peering::CreatePeering {
                    vpc_id: vpc.into(),
                    peer_vpc_id: peer_vpc.into(),
                    peer_owner_id: Some(acc.account.clone()),
                    peer_region: Some(acc.region.clone()),
                    tags: crate::Tags::new(),
                })
            })
            .expect("peering request")
            .connection
            .id;
        if accept {
            self.run(acc, |tx| tx.accept_peering(&id)).expect("accept");
        }
        id
    }

    /// A security group named `name` in `vpc`, with the default allow-all egress; panics if the
    /// model refuses.
    pub fn sg(&mut self, s: &Scope, vpc: &str, name: &str) -> String {
        self.run(s, |tx| {
            tx.create_security_group(crate::aws::security_group::CreateSecurityGroup {
                name: name.into(),
                description: "test group".into(),
                vpc_id: Some(vpc.into()),
                tags: crate::Tags::new(),
            })
        })
        .expect("security group")
    }

    /// An internet gateway of `s` attached to `vpc`; panics if the model refuses.
    pub fn attached_igw(&mut self, s: &Scope, vpc: &str) -> String {
        let igw = self
            .run(s, |tx| tx.create_internet_gateway(crate::Tags::new()))
            .expect("internet gateway");
        self.run(s, |tx| tx.attach_internet_gateway(&igw, vpc))
            .expect("attach");
        igw
    }

    /// The security group named `name` in `vpc`.
    pub fn sg_named(&self, vpc: &str, name: &str) -> String {
        self.world
            .aws
            .security_groups
            .values()
            .find(|g| g.vpc_id == vpc && g.name == name)
            .unwrap_or_else(|| panic!("security group {name} of {vpc}"))
            .id
            .clone()
    }

    /// The security group of `vpc` (the first found: a new VPC has only its default group).
    pub fn default_sg(&self, vpc: &str) -> String {
        self.world
            .aws
            .security_groups
            .values()
            .find(|g| g.vpc_id == vpc)
            .expect("security group")
            .id
            .clone()
    }
}

/// A new environment with two VPCs of account A (`10.0.0.0/16`, `10.1.0.0/16`) and one of B
/// (`10.2.0.0/16`), created in that order: the environment and their ids.
pub fn three_vpcs() -> (TestEnv, String, String, String) {
    let mut env = TestEnv::new();
    let v1 = env.vpc(&a(), "10.0.0.0/16");
    let v2 = env.vpc(&a(), "10.1.0.0/16");
    let vb = env.vpc(&b(), "10.2.0.0/16");
    (env, v1, v2, vb)
}

/// The main route table of `vpc`.
pub fn main_table(env: &TestEnv, vpc: &str) -> String {
    env.world
        .aws
        .route_tables()
        .values()
        .find(|t| t.vpc_id == vpc && t.is_main())
        .map(|t| t.id.clone())
        .expect("main table")
}

/// RunInstances of one instance of a test image in `subnet`, everything else default.
pub fn launch_one(subnet: &str) -> RunInstances {
    RunInstances {
        min_count: 1,
        max_count: 1,
        image_id: "ami-12345678".into(),
        subnet_id: Some(subnet.into()),
        ..Default::default()
    }
}

/// A bare subnet record `id` of `vpc` in `scope` and `zone` (zone id `use1-az1`) with the IPv4
/// block `cidr`: no IPv6 block, every flag off, no tags. For tests that put a subnet in the world
/// without CreateSubnet.
pub fn subnet_record(id: &str, vpc: &str, scope: &Scope, zone: &str, cidr: &str) -> crate::Subnet {
    crate::Subnet {
        id: id.to_owned(),
        vpc_id: vpc.to_owned(),
        scope: scope.clone(),
        availability_zone: zone.to_owned(),
        availability_zone_id: "use1-az1".into(),
        cidr: Some(cidr.parse().expect("test IPv4 block")),
        ipv6: None,
        map_public_ip_on_launch: false,
        assign_ipv6_on_creation: false,
        default_for_az: false,
        enable_dns64: false,
        dns_aaaa_on_launch: false,
        tags: crate::Tags::new(),
    }
}

/// A bare interface record `id` of account A in `subnet` of `vpc` and `zone` with the private
/// address `ip`: no other address, no group, no attachment, no MAC, no tags. For tests that put
/// an interface in the world without CreateNetworkInterface.
pub fn eni_record(id: &str, subnet: &str, vpc: &str, zone: &str, ip: &str) -> NetworkInterface {
    NetworkInterface {
        id: id.to_owned(),
        scope: a(),
        subnet_id: subnet.to_owned(),
        vpc_id: vpc.to_owned(),
        availability_zone: zone.to_owned(),
        private_ip: ip.parse().expect("test address"),
        secondary_ips: Vec::new(),
        ipv6: Vec::new(),
        groups: Vec::new(),
        attachment: None,
        mac: String::new(),
        description: String::new(),
        interface_type: "interface".into(),
        source_dest_check: true,
        tags: crate::Tags::new(),
        public_ip: None,
        public_ip_on_launch: false,
    }
}

/// One instance launched in `subnet` as account A ([`launch_one`]): its id.
pub fn launch(env: &mut TestEnv, subnet: &str) -> String {
    env.run(&a(), |tx| tx.run_instances(launch_one(subnet)))
        .expect("launch")
        .instance_ids[0]
        .clone()
}

/// An IPv4 block written in a test (host bits dropped, the spelling kept).
pub fn v4(text: &str) -> Spelled<Ipv4Net> {
    let value = cidr::parse_v4(text).unwrap_or_else(|| panic!("test IPv4 block {text}"));
    Spelled {
        value,
        text: text.to_owned(),
    }
}

/// An IPv6 block written in a test (host bits dropped, the spelling kept).
pub fn v6(text: &str) -> Spelled<Ipv6Net> {
    let value = cidr::parse_v6(text).unwrap_or_else(|| panic!("test IPv6 block {text}"));
    Spelled {
        value,
        text: text.to_owned(),
    }
}

/// CreateVpc of `cidr`: default tenancy, no IPv6, no tags.
pub fn vpc(cidr: &str) -> NewVpc {
    NewVpc {
        block: v4(cidr),
        ..NewVpc::new(v4(cidr).value)
    }
}

/// CreateSubnet of `cidr` in `vpc_id`: no IPv6 block, zone or tags.
pub fn subnet(vpc_id: &str, cidr: &str) -> NewSubnet {
    NewSubnet {
        block: Some(v4(cidr)),
        ipv6_native: false,
        ..NewSubnet::new(vpc_id, v4(cidr).value)
    }
}

/// CreateNatGateway of a private gateway in `subnet_id`.
pub fn private_nat(subnet_id: &str) -> NewNat {
    NewNat {
        public: false,
        ..NewNat::new(subnet_id)
    }
}

/// CreateNatGateway of a public gateway in `subnet_id` with the allocation `eip`.
pub fn public_nat(subnet_id: &str, eip: &str) -> NewNat {
    NewNat {
        allocation_id: Some(eip.to_owned()),
        ..NewNat::new(subnet_id)
    }
}

/// AssociateVpcCidrBlock of the IPv4 block `cidr`.
pub fn block(cidr: &str) -> NewBlock {
    NewBlock::Ipv4(v4(cidr))
}

/// A route destination: IPv6 when `cidr` has a colon, else IPv4.
pub fn dest(cidr: &str) -> Destination {
    if cidr.contains(':') {
        Destination::V6(v6(cidr).value)
    } else {
        Destination::V4(v4(cidr).value)
    }
}

/// A security group permission of `protocol` with these ports (or ICMP type and code), naming
/// no peer yet: add some with [`with_cidr`], [`with_cidr6`], [`with_prefix_list`],
/// [`from_group`] or [`with_pair`].
pub fn permission(protocol: RuleProtocol, from: Option<i32>, to: Option<i32>) -> RulePermission {
    RulePermission {
        protocol,
        from_port: from,
        to_port: to,
        ipv4: Vec::new(),
        ipv6: Vec::new(),
        prefix_lists: Vec::new(),
        groups: Vec::new(),
    }
}

/// A TCP permission for `port` (ports `from..=to` with [`tcp_ports`]), naming no peer yet.
pub fn tcp_port(port: u16) -> RulePermission {
    tcp_ports(port, port)
}

/// A TCP permission for ports `from..=to`, naming no peer yet.
pub fn tcp_ports(from: u16, to: u16) -> RulePermission {
    permission(RuleProtocol::Tcp, Some(from.into()), Some(to.into()))
}

/// A TCP permission for `port` from `cidr`.
pub fn tcp(port: u16, cidr: &str) -> RulePermission {
    with_cidr(tcp_port(port), cidr)
}

fn rule_range<T>(value: T, text: &str) -> RuleRange<T> {
    RuleRange {
        value,
        given: text.to_owned(),
        description: None,
    }
}

/// `perm` admitting the IPv4 block `cidr` (host bits dropped, the spelling kept).
pub fn with_cidr(mut perm: RulePermission, cidr: &str) -> RulePermission {
    perm.ipv4.push(rule_range(v4(cidr).value, cidr));
    perm
}

/// `perm` admitting the IPv6 block `cidr` (host bits dropped, the spelling kept).
pub fn with_cidr6(mut perm: RulePermission, cidr: &str) -> RulePermission {
    perm.ipv6.push(rule_range(v6(cidr).value, cidr));
    perm
}

/// `perm` admitting the prefix list `id`.
pub fn with_prefix_list(mut perm: RulePermission, id: &str) -> RulePermission {
    perm.prefix_lists.push(rule_range(id.to_owned(), id));
    perm
}

/// `perm` admitting members of group `sg` owned by `account`.
pub fn from_group(perm: RulePermission, sg: &str, account: &str) -> RulePermission {
    with_pair(
        perm,
        GroupPair {
            group_id: Some(sg.to_owned()),
            user_id: Some(account.to_owned()),
            ..GroupPair::default()
        },
    )
}

/// `perm` with the group pair `pair`.
pub fn with_pair(mut perm: RulePermission, pair: GroupPair) -> RulePermission {
    perm.groups.push(pair);
    perm
}

/// CreateRoute/ReplaceRoute of `cidr` ([`dest`]) to `target` in `table`.
pub fn route(table: &str, cidr: &str, target: RouteTarget) -> RouteSpec {
    RouteSpec {
        route_table_id: table.to_owned(),
        destination: dest(cidr),
        target,
    }
}

/// The family a refusal belongs to in the tables of the model's tests: a refused value, parts
/// of a request that cannot go together, or something the caller may not do. (The structured
/// kinds that replaced the model's former prose errors keep the names those tests use.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Value,
    Combination,
    NotPermitted,
}

fn family(e: &DomainError) -> Option<Family> {
    use crate::{AddressProblem as A, GroupProblem as G, PeeringProblem as P, VpcProblem as V};
    use crate::{RouteProblem, TagProblem};
    Some(match e {
        DomainError::Invalid { .. }
        | DomainError::LaunchCountsReversed { .. }
        | DomainError::LaunchTooLarge { .. }
        | DomainError::ZoneNotOffered { .. }
        | DomainError::TextRefused { .. }
        | DomainError::PrefixListRouteUnsupported
        | DomainError::UnknownInstanceType { .. }
        | DomainError::Ipv6AssignmentWithoutBlock { .. }
        | DomainError::DefaultAclUndeletable { .. }
        | DomainError::DifferentVpcs(_)
        | DomainError::AllocationMalformed { .. }
        | DomainError::Launch(_)
        | DomainError::Vpc(V::BlockCoversRoute { .. })
        | DomainError::Address(A::OutsideSubnet { .. } | A::Reserved { .. })
        | DomainError::Peering(P::SameVpc { .. })
        | DomainError::Group(G::NameLikeId { .. } | G::PermissionRepeated)
        | DomainError::Tag(
            TagProblem::ValueTooLong { .. }
            | TagProblem::ValueCharacter { .. }
            | TagProblem::DuplicateKey { .. },
        ) => Family::Value,
        DomainError::Route(r) => match r {
            RouteProblem::SeveralTargets => Family::Combination,
            _ => Family::Value,
        },
        DomainError::Exclusive(..)
        | DomainError::Conflict(_)
        | DomainError::AmbiguousGroupName { .. }
        | DomainError::Vpc(V::HostnamesWithoutDnsSupport | V::DnsSupportUnderHostnames) => {
            Family::Combination
        }
        DomainError::Vpc(_) | DomainError::InterfaceManaged { .. } => Family::NotPermitted,
        DomainError::Ipv6(crate::Ipv6Problem::Ipv6OnlySubnetBlock { .. }) => Family::NotPermitted,
        DomainError::Ipv6(_) => Family::Value,
        DomainError::Peering(p) => match p {
            P::DnsNeedsHostnames { .. } => return None,
            _ => Family::NotPermitted,
        },
        _ => return None,
    })
}

/// A short name for an outcome, to compare in tables.
pub fn outcome<T>(r: &Result<T, DomainError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => match (family(e), e) {
            (Some(Family::Value), _) => "Invalid",
            (Some(Family::Combination), _) => "Combination",
            (Some(Family::NotPermitted), _) => "NotPermitted",
            (None, DomainError::NotFound { .. }) => "NotFound",
            (None, DomainError::MalformedId { .. }) => "Malformed",
            (None, DomainError::Missing(_)) => "Missing",
            (None, DomainError::InvalidSubnetRange { .. }) => "Range",
            (None, DomainError::SubnetConflict { .. }) => "Conflict",
            (None, DomainError::DependencyViolation { .. }) => "Dependency",
            (None, DomainError::RouteAlreadyExists { .. }) => "RouteExists",
            (None, DomainError::RouteNotFound { .. }) => "RouteNotFound",
            (None, DomainError::Attached(_)) => "AlreadyAssociated",
            (None, DomainError::GatewayNotAttached { .. }) => "NotAttached",
            (None, DomainError::LimitExceeded { .. }) => "Limit",
            (None, DomainError::Address(crate::AddressProblem::InUse { .. })) => "InUse",
            _ => "other",
        },
    }
}

/// An error's full name, with the resource kind where it has one (`NotFound(Vpc)`), to compare
/// in tables; errors without a name here show as their `Debug` form.
pub fn code(e: &DomainError) -> String {
    use crate::{AddressProblem as A, TagProblem as T};
    match (family(e), e) {
        (Some(Family::Value), _) => "InvalidParameterValue".into(),
        (Some(Family::Combination), _) => "InvalidParameterCombination".into(),
        (Some(Family::NotPermitted), _) => "OperationNotPermitted".into(),
        (None, DomainError::NotFound { kind, .. }) => format!("NotFound({kind:?})"),
        (None, DomainError::MalformedId { kind, .. }) => format!("Malformed({kind:?})"),
        (None, DomainError::Missing(_)) => "MissingParameter".into(),
        (None, DomainError::Group(_)) => "GroupNotUsable".into(),
        (None, DomainError::GroupReserved { name }) => format!("GroupReserved({name:?})"),
        (None, DomainError::Attached(_)) => "AlreadyAssociated".into(),
        (None, DomainError::PermissionDuplicate { rule }) => {
            let ports = match (rule.from_port, rule.to_port) {
                (Some(f), Some(t)) => format!(" {f}-{t}"),
                _ => String::new(),
            };
            let peer = match &rule.peer {
                crate::RulePeer::Cidr4(n) => n.to_string(),
                crate::RulePeer::Cidr6(n) => n.to_string(),
                crate::RulePeer::PrefixList(p) => p.clone(),
                crate::RulePeer::Group { group_id, .. } => group_id.clone(),
            };
            format!("PermissionDuplicate({}{ports} from {peer})", rule.protocol)
        }
        (None, DomainError::Address(A::InUse { .. })) => "AddressInUse".into(),
        (None, DomainError::Address(A::Exhausted { .. })) => "InsufficientAddresses".into(),
        (None, DomainError::IdempotentParameterMismatch { .. }) => {
            "IdempotentParameterMismatch".into()
        }
        (None, DomainError::LimitExceeded { kind, .. }) => format!("Limit({kind:?})"),
        (None, DomainError::Tag(T::KeyMalformed { .. } | T::KeyCharacter { .. })) => {
            "TagKeyMalformed".into()
        }
        (_, other) => format!("{other:?}"),
    }
}
