//! Fixture helpers shared by the reachability tests: build topologies through the real model
//! operations of [`TestEnv`] (VPCs, subnets, routes, peerings, groups, ACL entries, gateways,
//! instances), so every fixture is one the emulator itself could hold; and the scenario table
//! runner ([`Row`], [`check_rows`]) the scenario files share.

#![allow(dead_code)]

pub mod azure;
pub mod gateways;
pub mod gcp;

use ipnet::Ipv6Net;
use vpcpeer_model::aws::acl::{AclEntrySpec, AclProtocol};
use vpcpeer_model::aws::instance::RunInstances;
use vpcpeer_model::aws::security_group::{Direction, GroupSelector, RulePermission};
use vpcpeer_model::aws::subnet::{NewSubnet, SubnetAttribute};
use vpcpeer_model::testkit::{self, a, b, TestEnv};
use vpcpeer_model::{
    AclAction, AclEntry, Destination, DomainError, RecordKey, RouteTable, RouteTarget,
    RtAssocTarget, Scope, Tags, Tx, World,
};
use vpcpeer_reach::{explain, Endpoint, Leg, Protocol, Query, Snapshot, Verdict};

/// SplitMix64: a random run that is a pure function of the seed proptest draws.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    /// One of `items`, if any.
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len())].clone())
    }
    /// One of `xs`, which must not be empty.
    pub fn one<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Runs `f` as `scope` in a transaction: its result and the keys of the change set it
/// committed; a failed `f` is rolled back.
pub fn try_commit<T>(
    env: &mut TestEnv,
    scope: &Scope,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, DomainError>,
) -> Result<(T, Vec<RecordKey>), DomainError> {
    let mut tx = env.tx(scope);
    match f(&mut tx) {
        Ok(out) => Ok((out, tx.commit().into_iter().map(|c| c.key).collect())),
        Err(e) => {
            tx.rollback();
            Err(e)
        }
    }
}

/// A VPC of `vpc_cidr` with one subnet of `subnet_cidr` and a group `web` admitting tcp/443
/// from 10.0.0.0/8: (VPC, subnet, group).
pub fn web_vpc(
    env: &mut TestEnv,
    s: &Scope,
    vpc_cidr: &str,
    subnet_cidr: &str,
) -> (String, String, String) {
    let vpc = env.vpc(s, vpc_cidr);
    let subnet = env.subnet(s, &vpc, subnet_cidr);
    let sg = env.sg(s, &vpc, "web");
    env.allow(
        s,
        &sg,
        Direction::Ingress,
        from_cidr(tcp(Some(443)), "10.0.0.0/8"),
    );
    (vpc, subnet, sg)
}

/// The route table `subnet` uses, read from the world's records without the engine (for the
/// differential tests' references): its explicit association, else its VPC's main table.
pub fn table_of<'w>(w: &'w World, subnet: &str) -> Option<&'w RouteTable> {
    let vpc = &w.aws.subnets().get(subnet)?.vpc_id;
    let explicit = w.aws.route_tables().values().find(|t| {
        t.associations
            .iter()
            .any(|a| a.target == RtAssocTarget::Subnet(subnet.to_owned()))
    });
    explicit.or_else(|| {
        w.aws.route_tables().values().find(|t| {
            t.vpc_id == *vpc
                && t.associations
                    .iter()
                    .any(|a| a.target == RtAssocTarget::Main)
        })
    })
}

/// An instance in `subnet` of `vpc` whose own group `sg_name` admits tcp/443 from `from`.
pub fn web_instance(
    env: &mut TestEnv,
    s: &Scope,
    vpc: &str,
    subnet: &str,
    sg_name: &str,
    from: &str,
) -> String {
    let sg = env.sg(s, vpc, sg_name);
    env.allow(s, &sg, Direction::Ingress, from_cidr(tcp(Some(443)), from));
    env.instance(s, subnet, &[&sg])
}

/// The entries of `subnet`'s network ACL in one direction, by rule number (`None`: the subnet
/// has no ACL), read from the world's records without the engine (for the differential tests'
/// references).
pub fn acl_entries<'w>(w: &'w World, subnet: &str, egress: bool) -> Option<Vec<&'w AclEntry>> {
    let acl = w
        .aws
        .network_acls()
        .values()
        .find(|a| a.associations.iter().any(|x| x.subnet_id == subnet))?;
    let mut entries: Vec<_> = acl.entries.iter().filter(|e| e.egress == egress).collect();
    entries.sort_by_key(|e| e.rule_number);
    Some(entries)
}

/// Two VPCs: A's 10.0.0.0/16 (account A) and B's 10.1.0.0/16 (account B), with one subnet each
/// (10.0.1.0/24, 10.1.1.0/24) and their main route tables.
pub struct Pair {
    pub env: TestEnv,
    pub va: String,
    pub vb: String,
    pub sa: String,
    pub sb: String,
    pub rta: String,
    pub rtb: String,
}

impl Pair {
    /// The two VPCs, in a world whose ids are seeded with `seed`.
    pub fn new(seed: u64) -> Pair {
        let mut env = TestEnv::with_seed(seed);
        let va = env.vpc(&a(), "10.0.0.0/16");
        let vb = env.vpc(&b(), "10.1.0.0/16");
        let sa = env.subnet(&a(), &va, "10.0.1.0/24");
        let sb = env.subnet(&b(), &vb, "10.1.1.0/24");
        let (rta, rtb) = (env.main_rtb(&va), env.main_rtb(&vb));
        Pair {
            env,
            va,
            vb,
            sa,
            sb,
            rta,
            rtb,
        }
    }

    /// An active A–B peering with routes both ways in the main tables: its id.
    pub fn peer_routed(&mut self) -> String {
        let pcx = self.peer(true);
        self.route_a("10.1.0.0/16", RouteTarget::Peering(pcx.clone()));
        self.route_b("10.0.0.0/16", RouteTarget::Peering(pcx.clone()));
        pcx
    }

    /// An A–B peering (accepted when `active`), without routes: its id.
    pub fn peer(&mut self, active: bool) -> String {
        self.env.peer(&a(), &self.va, &b(), &self.vb, active)
    }

    /// A route in A's main table.
    pub fn route_a(&mut self, cidr: &str, target: RouteTarget) {
        self.env.route(&a(), &self.rta, cidr, target);
    }

    /// A route in B's main table.
    pub fn route_b(&mut self, cidr: &str, target: RouteTarget) {
        self.env.route(&b(), &self.rtb, cidr, target);
    }
}

/// What the model answered to a change.
pub type Answer = Result<(), DomainError>;

/// Topology-building helpers on top of the model's test harness.
pub trait Build {
    /// The main route table of `vpc`.
    fn main_rtb(&self, vpc: &str) -> String;
    /// The default network ACL of `vpc`.
    fn default_acl(&self, vpc: &str) -> String;
    /// Adds a route; panics if the model refuses it.
    fn route(&mut self, s: &Scope, rtb: &str, cidr: &str, target: RouteTarget);
    /// Deletes the IPv4 route to `cidr`; panics if the model refuses.
    fn delete_route(&mut self, s: &Scope, rtb: &str, cidr: &str);
    /// Adds a route; the model's answer.
    fn try_route(&mut self, s: &Scope, rtb: &str, cidr: &str, to: RouteTarget) -> Answer;
    /// Authorizes one permission.
    fn allow(&mut self, s: &Scope, sg: &str, dir: Direction, perm: RulePermission);
    /// An instance in `subnet` with groups `sgs` (empty: the VPC's default group).
    fn instance(&mut self, s: &Scope, subnet: &str, sgs: &[&str]) -> String;
    /// Adds an ACL entry.
    fn acl_entry(&mut self, s: &Scope, input: AclEntrySpec);
    /// An internet gateway attached to `vpc`.
    fn igw(&mut self, s: &Scope, vpc: &str) -> String;
    /// A public NAT gateway in `subnet`, with an Elastic IP allocated for it.
    fn nat(&mut self, s: &Scope, subnet: &str) -> String;
}

impl Build for TestEnv {
    fn main_rtb(&self, vpc: &str) -> String {
        self.world
            .aws
            .route_tables()
            .values()
            .find(|t| t.vpc_id == vpc && t.is_main())
            .expect("main route table")
            .id
            .clone()
    }

    fn default_acl(&self, vpc: &str) -> String {
        self.world
            .aws
            .network_acls()
            .values()
            .find(|a| a.vpc_id == vpc && a.is_default)
            .expect("default acl")
            .id
            .clone()
    }

    fn route(&mut self, s: &Scope, rtb: &str, cidr: &str, target: RouteTarget) {
        self.try_route(s, rtb, cidr, target).expect("route");
    }

    fn delete_route(&mut self, s: &Scope, rtb: &str, cidr: &str) {
        self.run(s, |tx| tx.delete_route(rtb, testkit::dest(cidr)))
            .expect("delete route");
    }

    fn try_route(&mut self, s: &Scope, rtb: &str, cidr: &str, to: RouteTarget) -> Answer {
        self.run(s, |tx| tx.create_route(testkit::route(rtb, cidr, to)))
    }

    fn allow(&mut self, s: &Scope, sg: &str, dir: Direction, perm: RulePermission) {
        self.run(s, |tx| {
            tx.authorize_rules(dir, &GroupSelector::Id(sg.into()), &[perm])
        })
        .expect("authorize");
    }

    fn instance(&mut self, s: &Scope, subnet: &str, sgs: &[&str]) -> String {
        self.run(s, |tx| {
            tx.run_instances(RunInstances {
                min_count: 1,
                max_count: 1,
                image_id: "ami-12345678".into(),
                subnet_id: Some(subnet.into()),
                security_group_ids: sgs.iter().map(|g| (*g).to_owned()).collect(),
                ..Default::default()
            })
        })
        .expect("instance")
        .instance_ids[0]
            .clone()
    }

    fn acl_entry(&mut self, s: &Scope, input: AclEntrySpec) {
        self.run(s, |tx| tx.create_network_acl_entry(&input))
            .expect("acl entry");
    }

    fn igw(&mut self, s: &Scope, vpc: &str) -> String {
        self.run(s, |tx| {
            let id = tx.create_internet_gateway(Tags::new())?;
            tx.attach_internet_gateway(&id, vpc)?;
            Ok(id)
        })
        .expect("igw")
    }

    fn nat(&mut self, s: &Scope, subnet: &str) -> String {
        self.run(s, |tx| {
            let eip = tx.allocate_address(vpcpeer_model::Tags::new())?.id;
            tx.create_nat_gateway(testkit::public_nat(subnet, &eip))
        })
        .expect("nat")
    }
}

/// A TCP permission for one port (or all ports with `None`).
pub fn tcp(port: Option<u16>) -> RulePermission {
    port.map_or_else(|| testkit::tcp_ports(0, 65535), testkit::tcp_port)
}

/// `perm` admitting `cidr`.
pub fn from_cidr(perm: RulePermission, cidr: &str) -> RulePermission {
    testkit::with_cidr(perm, cidr)
}

/// `perm` admitting members of group `sg` owned by `account`.
pub fn from_group(perm: RulePermission, sg: &str, account: &str) -> RulePermission {
    testkit::from_group(perm, sg, account)
}

/// An ACL entry of `acl`.
#[allow(clippy::too_many_arguments)]
pub fn acl_rule(
    acl: &str,
    number: i64,
    egress: bool,
    protocol: &str,
    action: &str,
    cidr: &str,
    ports: Option<(i64, i64)>,
) -> AclEntrySpec {
    let protocol = match protocol {
        "-1" => AclProtocol::All,
        "tcp" => AclProtocol::TCP,
        "udp" => AclProtocol::UDP,
        "icmp" => AclProtocol::ICMP,
        n => AclProtocol::Number(n.parse().expect("a protocol number")),
    };
    let action = match action {
        "allow" => AclAction::Allow,
        "deny" => AclAction::Deny,
        other => panic!("ACL action {other}"),
    };
    let ports = ports.map(|(from, to)| {
        let port = |p: i64| u16::try_from(p).expect("a port");
        (port(from), port(to))
    });
    AclEntrySpec {
        acl_id: acl.into(),
        rule_number: number,
        protocol,
        action,
        egress,
        cidr: Destination::V4(cidr.parse().expect("an IPv4 block")),
        port_range: ports,
        icmp: None,
    }
}

/// A subnet of `cidr` in the dual-stack `vpc` holding the VPC's first /64 and assigning IPv6
/// addresses on launch: (subnet, the VPC's IPv6 block).
pub fn dual_stack_subnet(env: &mut TestEnv, s: &Scope, vpc: &str, cidr: &str) -> (String, Ipv6Net) {
    let block = env.world.aws.vpcs()[vpc].ipv6[0].cidr;
    let first = Ipv6Net::new(block.network(), 64).expect("64").to_string();
    let subnet = env
        .run(s, |tx| {
            let id = tx.create_subnet(NewSubnet {
                ipv6_block: Some(testkit::v6(&first)),
                ..testkit::subnet(vpc, cidr)
            })?;
            tx.modify_subnet_attribute(&id, SubnetAttribute::AssignIpv6OnCreation, true)?;
            Ok(id)
        })
        .expect("subnet");
    (subnet, block)
}

/// A tcp/`port` query from instance `src` to `dst`.
pub fn q(src: &str, dst: Endpoint, port: u16) -> Query {
    Query {
        src: Endpoint::Instance(src.into()),
        dst,
        protocol: Protocol::Tcp,
        port: Some(port),
    }
}

/// Instance `id` as an endpoint.
pub fn inst(id: &str) -> Endpoint {
    Endpoint::Instance(id.into())
}

/// The verdict on `query` of a snapshot compiled from `env`'s world.
pub fn verdict(env: &TestEnv, query: &Query) -> Verdict {
    let snap = Snapshot::compile(&env.world, env.now);
    explain(&snap, query).expect("query")
}

/// The blockers of `v`: leg and AWS code, in path order.
pub fn codes(v: &Verdict) -> Vec<(Leg, &'static str)> {
    v.blockers
        .iter()
        .map(|b| (b.leg, b.code.aws_code()))
        .collect()
}

/// One scenario row: a world and a query, and the verdict expected.
pub struct Row {
    pub name: &'static str,
    pub build: fn() -> (TestEnv, Query),
    pub reachable: bool,
    /// The blockers, in path order.
    pub codes: &'static [(Leg, &'static str)],
}

/// Explains every row's query in its world and checks the verdict: reachable as the row says,
/// with exactly its blockers (and reachable exactly when there are none); names every row that
/// fails.
pub fn check_rows(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for row in rows {
        let (env, query) = (row.build)();
        let snap = Snapshot::compile(&env.world, env.now);
        let v = explain(&snap, &query).unwrap_or_else(|e| panic!("{}: {e:?}", row.name));
        let got = codes(&v);
        if v.reachable != row.reachable || got != row.codes {
            failures.push(format!(
                "{}: want reachable={} {:?}, got reachable={} {:?}\n  {:#?}",
                row.name, row.reachable, row.codes, v.reachable, got, v.blockers
            ));
        }
        assert_eq!(v.reachable, v.blockers.is_empty(), "{}", row.name);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
