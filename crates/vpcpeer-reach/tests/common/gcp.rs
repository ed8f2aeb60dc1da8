//! GCP commands the fixtures share (a custom-mode network, a subnetwork in `us-central1`, a
//! firewall rule of one protocol and port, a route, an instance's interface), and running one
//! in a project.

use std::net::Ipv4Addr;

use vpcpeer_model::gcp::{
    AccessConfigSpec, Command, Direction, FirewallSpec, GcpError, GcpNextHop, IpInput, NetworkSpec,
    NicSpec, Outcome, RangeInput, RouteSpec, SubnetSpec,
};
use vpcpeer_model::testkit::TestEnv;
use vpcpeer_model::{Apply, Scope};

/// Runs `c` in `project` (it must succeed).
pub fn run_in(env: &mut TestEnv, project: &str, c: Command) {
    let r: Result<Outcome, GcpError> =
        env.transact(&Scope::new(project, "global"), |tx| c.apply(tx));
    r.expect("gcp command");
}

/// A custom-mode network `name` (no automatic subnetworks).
pub fn network(name: &str) -> Command {
    Command::InsertNetwork(NetworkSpec {
        name: name.into(),
        auto_create_subnetworks: Some(false),
        ..Default::default()
    })
}

/// Subnetwork `name` of network `net` in `us-central1`, of `cidr`.
pub fn subnetwork(name: &str, net: &str, cidr: &str) -> Command {
    Command::InsertSubnetwork {
        region: "us-central1".into(),
        spec: SubnetSpec {
            name: name.into(),
            network: format!("global/networks/{net}"),
            ip_cidr_range: cidr.into(),
            ..Default::default()
        },
    }
}

/// Firewall rule `name` of network `net` (priority 1000) allowing `proto`/`port` in from
/// (`Ingress`) or out to (`Egress`) `ranges`.
pub fn firewall(
    name: &str,
    net: &str,
    direction: Direction,
    proto: &str,
    port: &str,
    ranges: &[impl AsRef<str>],
) -> Command {
    let ranges: Vec<RangeInput> = ranges
        .iter()
        .map(|r| RangeInput::parse_address(r.as_ref()))
        .collect();
    let (source_ranges, destination_ranges) = match direction {
        Direction::Ingress => (ranges, vec![]),
        Direction::Egress => (vec![], ranges),
    };
    Command::InsertFirewall(FirewallSpec {
        name: name.into(),
        description: String::new(),
        network: Some(format!("global/networks/{net}")),
        direction: Some(direction),
        priority: Some(1000),
        allowed: vec![(proto.into(), vec![port.into()])],
        denied: vec![],
        source_ranges,
        destination_ranges,
        source_tags: vec![],
        target_tags: vec![],
        disabled: false,
    })
}

/// Route `name` of network `net` (default priority, no tags) for `dest` to `hop`.
pub fn route(name: &str, net: &str, dest: &str, hop: GcpNextHop) -> Command {
    Command::InsertRoute(RouteSpec {
        name: name.into(),
        description: String::new(),
        network: format!("global/networks/{net}"),
        dest_range: dest.into(),
        priority: None,
        tags: vec![],
        next_hop: hop,
    })
}

/// An interface in subnetwork `subnetwork` (`us-central1`) at `ip`, with an access config of
/// external address `nat` when given.
pub fn nic(subnetwork: &str, ip: &str, nat: Option<Ipv4Addr>) -> NicSpec {
    NicSpec {
        subnetwork: Some(format!("regions/us-central1/subnetworks/{subnetwork}")),
        network_ip: Some(ip.into()),
        access_configs: nat
            .map(|a| AccessConfigSpec {
                nat_ip: Some(IpInput::Ip(a)),
                ..Default::default()
            })
            .into_iter()
            .collect(),
        ..Default::default()
    }
}
