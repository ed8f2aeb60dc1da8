//! Table tests of the GCP command enum: every command family applied through its one
//! [`Apply::apply`], each with its success (the operation it leaves) and its refusals (the
//! structured error, and nothing changed), in one world built step by step.

use super::tests::{firewall_spec, instance_spec, net_spec, peering_spec, route_spec, subnet_spec};
use super::*;
use crate::command::Apply;
use crate::testkit::TestEnv;
use crate::Scope;

const PA: &str = "proj-a";
const PB: &str = "proj-b";

/// What applying a command should give: the finished operation's type, or a refusal.
enum Want {
    Op(&'static str),
    Refused(GcpError),
    /// A finished operation whose error is this (peering validation), networks unchanged.
    Failed(&'static str, GcpError),
}

fn spec_net(name: &str, auto: bool) -> Command {
    Command::InsertNetwork(net_spec(name, Some(auto)))
}

fn subnet(region: &str, name: &str, network: &str, range: &str) -> Command {
    Command::InsertSubnetwork {
        region: region.into(),
        spec: subnet_spec(name, network, range),
    }
}

fn firewall(name: &str, allowed: &[(&str, &[&str])]) -> Command {
    Command::InsertFirewall(FirewallSpec {
        allowed: allowed
            .iter()
            .map(|(p, ports)| ((*p).into(), ports.iter().map(|x| (*x).into()).collect()))
            .collect(),
        ..firewall_spec(name, "global/networks/net-a")
    })
}

fn route(name: &str, dest: &str, hop: GcpNextHop) -> Command {
    Command::InsertRoute(route_spec(name, "global/networks/net-a", dest, hop))
}

fn instance(name: &str, subnetwork: &str) -> Command {
    let nic = NicSpec {
        subnetwork: Some(subnetwork.into()),
        ..Default::default()
    };
    Command::InsertInstance {
        zone: "us-central1-a".into(),
        spec: instance_spec(name, nic),
    }
}

fn add_peering(network: &str, name: &str, peer: &str) -> Command {
    Command::AddPeering {
        network: network.into(),
        peering: peering_spec(name, peer),
    }
}

fn patch_net(patch: NetworkPatch) -> Command {
    let name = "net-a".into();
    Command::PatchNetwork { name, patch }
}

fn patch_mtu(mtu: u32) -> Command {
    patch_net(NetworkPatch {
        mtu: Some(mtu),
        ..Default::default()
    })
}

fn patch_priority(priority: u32) -> Command {
    let patch = FirewallPatch {
        priority: Some(priority),
        ..Default::default()
    };
    Command::PatchFirewall {
        name: "fw".into(),
        patch,
    }
}

fn expand(range: &str) -> Command {
    let (region, name) = ("us-central1".into(), "s-a".into());
    Command::ExpandSubnetwork {
        region,
        name,
        range: range.into(),
    }
}

fn delete_network(name: &str) -> Command {
    Command::DeleteNetwork { name: name.into() }
}

fn delete_subnetwork(region: &str, name: &str) -> Command {
    let (region, name) = (region.into(), name.into());
    Command::DeleteSubnetwork { region, name }
}

fn delete_instance(name: &str) -> Command {
    let (zone, name) = ("us-central1-a".into(), name.into());
    Command::DeleteInstance { zone, name }
}

fn remove_peering(name: &str) -> Command {
    let (network, name) = ("net-a".into(), name.into());
    Command::RemovePeering { network, name }
}

#[test]
fn every_command_family_applies_or_refuses_without_a_trace() {
    let net_a = network_path(PA, "net-a");
    let net_b = network_path(PB, "net-b");
    let s_a = subnetwork_path(PA, "us-central1", "s-a");
    let n = |s: &str| s.parse::<ipnet::Ipv4Net>().unwrap();
    let cases: Vec<(&str, Command, Want)> = vec![
        // Networks.
        (PA, spec_net("net-a", false), Want::Op("insert")),
        (
            PA,
            spec_net("net-a", false),
            Want::Refused(GcpError::AlreadyExists(net_a.clone())),
        ),
        (
            PA,
            spec_net("Net", false),
            Want::Refused(GcpError::BadName {
                field: Field::Name,
                value: "Net".into(),
            }),
        ),
        (
            PA,
            Command::InsertNetwork(net_spec("legacy", None)),
            Want::Refused(GcpError::LegacyNetwork),
        ),
        (PA, patch_mtu(1500), Want::Op("patch")),
        (
            PA,
            patch_mtu(9000),
            Want::Refused(GcpError::Mtu { mtu: 9000 }),
        ),
        (
            PA,
            patch_net(NetworkPatch {
                auto_create_subnetworks: Some(true),
                ..Default::default()
            }),
            Want::Refused(GcpError::CustomToAuto),
        ),
        (PA, spec_net("gone", false), Want::Op("insert")),
        (PA, delete_network("gone"), Want::Op("delete")),
        (
            PA,
            delete_network("gone"),
            Want::Refused(GcpError::NotFound(network_path(PA, "gone"))),
        ),
        (PB, spec_net("net-b", false), Want::Op("insert")),
        // Subnetworks.
        (
            PA,
            subnet("us-central1", "s-a", "global/networks/net-a", "10.0.0.0/24"),
            Want::Op("insert"),
        ),
        (
            PA,
            subnet("us-east1", "s-2", "global/networks/net-a", "10.0.0.0/25"),
            Want::Refused(GcpError::OverlapsSubnetwork {
                range: n("10.0.0.0/25"),
                subnetwork: "s-a".into(),
                region: "us-central1".into(),
            }),
        ),
        (
            PA,
            subnet("us-east1", "s-2", "global/networks/net-a", "10.0.1.1/24"),
            Want::Refused(GcpError::HostBitsSet {
                value: "10.0.1.1/24".into(),
            }),
        ),
        (
            PA,
            subnet("mars-north1", "s-2", "global/networks/net-a", "10.0.1.0/24"),
            Want::Refused(GcpError::NotFound(
                "projects/proj-a/regions/mars-north1".into(),
            )),
        ),
        (
            PB,
            subnet("us-central1", "s-b", "global/networks/net-b", "10.1.0.0/24"),
            Want::Op("insert"),
        ),
        (
            PB,
            subnet("us-central1", "s-x", &net_a, "10.9.0.0/24"),
            Want::Refused(GcpError::CrossProject {
                field: Field::Network,
                path: net_a.clone(),
            }),
        ),
        (PA, expand("10.0.0.0/23"), Want::Op("expandIpCidrRange")),
        (
            PA,
            expand("10.0.0.0/24"),
            Want::Refused(GcpError::NotAnExpansion {
                new: n("10.0.0.0/24"),
                old: n("10.0.0.0/23"),
            }),
        ),
        (
            PA,
            subnet("us-east1", "s-del", "global/networks/net-a", "10.0.8.0/24"),
            Want::Op("insert"),
        ),
        (
            PA,
            delete_subnetwork("us-east1", "s-del"),
            Want::Op("delete"),
        ),
        (
            PA,
            delete_subnetwork("us-east1", "s-del"),
            Want::Refused(GcpError::NotFound(subnetwork_path(PA, "us-east1", "s-del"))),
        ),
        // Firewalls.
        (PA, firewall("fw", &[("tcp", &["22"])]), Want::Op("insert")),
        (
            PA,
            firewall("fw", &[("tcp", &["22"])]),
            Want::Refused(GcpError::AlreadyExists(firewall_path(PA, "fw"))),
        ),
        (
            PA,
            firewall("fw2", &[("bogus", &[])]),
            Want::Refused(GcpError::BadProtocol {
                protocol: "bogus".into(),
            }),
        ),
        (
            PA,
            firewall("fw2", &[("icmp", &["1"])]),
            Want::Refused(GcpError::PortsNotAllowed {
                protocol: "icmp".into(),
            }),
        ),
        (
            PA,
            firewall("fw2", &[("tcp", &["9-1"])]),
            Want::Refused(GcpError::BadPorts {
                value: "9-1".into(),
            }),
        ),
        (
            PA,
            firewall("fw2", &[]),
            Want::Refused(GcpError::AllowedXorDenied),
        ),
        (PA, patch_priority(10), Want::Op("patch")),
        (
            PA,
            patch_priority(70_000),
            Want::Refused(GcpError::PriorityTooHigh { priority: 70_000 }),
        ),
        (
            PA,
            Command::DeleteFirewall { name: "fw".into() },
            Want::Op("delete"),
        ),
        (
            PA,
            Command::DeleteFirewall { name: "fw".into() },
            Want::Refused(GcpError::NotFound(firewall_path(PA, "fw"))),
        ),
        // Instances.
        (
            PA,
            instance("vm", "regions/us-central1/subnetworks/s-a"),
            Want::Op("insert"),
        ),
        (
            PA,
            instance("vm", "regions/us-central1/subnetworks/s-a"),
            Want::Refused(GcpError::AlreadyExists(instance_path(
                PA,
                "us-central1-a",
                "vm",
            ))),
        ),
        (
            PA,
            instance("vm2", "regions/us-central1/subnetworks/nope"),
            Want::Refused(GcpError::NotFound(subnetwork_path(
                PA,
                "us-central1",
                "nope",
            ))),
        ),
        (
            PA,
            delete_subnetwork("us-central1", "s-a"),
            Want::Refused(GcpError::InUse {
                kind: InUseKind::Subnetwork,
                resource: s_a.clone(),
                by: instance_path(PA, "us-central1-a", "vm"),
            }),
        ),
        // Routes.
        (
            PA,
            route(
                "r",
                "192.168.0.0/16",
                GcpNextHop::Instance(instance_path(PA, "us-central1-a", "nope")),
            ),
            Want::Refused(GcpError::NotFound(instance_path(
                PA,
                "us-central1-a",
                "nope",
            ))),
        ),
        (
            PA,
            route(
                "r",
                "192.168.0.0/16",
                GcpNextHop::Instance(instance_path(PA, "us-central1-a", "vm")),
            ),
            Want::Op("insert"),
        ),
        (
            PA,
            route(
                "r2",
                "192.168.0.0/16",
                GcpNextHop::Gateway("global/gateways/other".into()),
            ),
            Want::Refused(GcpError::UnsupportedGateway {
                gateway: "global/gateways/other".into(),
            }),
        ),
        (
            PA,
            Command::DeleteRoute { name: "r".into() },
            Want::Op("delete"),
        ),
        (
            PA,
            Command::DeleteRoute { name: "r".into() },
            Want::Refused(GcpError::NotFound(route_path(PA, "r"))),
        ),
        (PA, delete_instance("vm"), Want::Op("delete")),
        (
            PA,
            delete_instance("vm"),
            Want::Refused(GcpError::NotFound(instance_path(PA, "us-central1-a", "vm"))),
        ),
        // Peering.
        (
            PA,
            add_peering("net-a", "a-b", &net_b),
            Want::Op("addPeering"),
        ),
        (
            PA,
            add_peering("net-a", "a-b2", &net_b),
            Want::Failed(
                "addPeering",
                GcpError::AlreadyPeered {
                    existing: "a-b".into(),
                },
            ),
        ),
        (
            PA,
            add_peering("net-a", "self", "net-a"),
            Want::Refused(GcpError::PeerIsSelf {
                reference: "net-a".into(),
            }),
        ),
        (
            PA,
            add_peering("net-a", "x", ""),
            Want::Refused(GcpError::PeerNetworkMissing),
        ),
        (
            PB,
            add_peering("net-b", "b-a", &net_a),
            Want::Op("addPeering"),
        ),
        (
            PA,
            Command::UpdatePeering {
                network: "net-a".into(),
                peering: UpdatePeering {
                    name: "a-b".into(),
                    export_custom_routes: Some(true),
                    ..Default::default()
                },
            },
            Want::Op("updatePeering"),
        ),
        (
            PA,
            Command::UpdatePeering {
                network: "net-a".into(),
                peering: UpdatePeering {
                    name: "none".into(),
                    ..Default::default()
                },
            },
            Want::Refused(GcpError::NoSuchPeering {
                name: "none".into(),
                network: net_a.clone(),
            }),
        ),
        (
            PA,
            delete_network("net-a"),
            Want::Refused(GcpError::InUse {
                kind: InUseKind::Network,
                resource: net_a.clone(),
                by: format!("{net_a}/peerings/a-b"),
            }),
        ),
        (PA, remove_peering("a-b"), Want::Op("removePeering")),
        (
            PA,
            remove_peering("a-b"),
            Want::Refused(GcpError::NoSuchPeering {
                name: "a-b".into(),
                network: net_a.clone(),
            }),
        ),
        // Operations (nothing is running: completing one is a no-op; unknown ones are notFound).
        (
            PA,
            Command::CompleteOperation {
                id: "projects/proj-a/global/operations/none".into(),
            },
            Want::Refused(GcpError::NotFound(
                "projects/proj-a/global/operations/none".into(),
            )),
        ),
        (
            PA,
            Command::DeleteOperation {
                id: "projects/proj-a/global/operations/none".into(),
            },
            Want::Refused(GcpError::NotFound(
                "projects/proj-a/global/operations/none".into(),
            )),
        ),
    ];
    let mut env = TestEnv::new();
    for (i, (project, command, want)) in cases.into_iter().enumerate() {
        let before = env.world.clone();
        let scope = Scope::new(project, "global");
        let got = env.transact(&scope, |tx| command.clone().apply(tx));
        match (got, want) {
            (Ok(Outcome::Operation(op)), Want::Op(kind)) => {
                assert_eq!(op.operation_type, kind, "#{i} {command:?}");
                assert_eq!(op.status, OpStatus::Done, "#{i}");
                assert!(op.error.is_none(), "#{i} {command:?}: {:?}", op.error);
                assert_eq!(env.world.gcp.operations.get(&op.id), Some(&*op), "#{i}");
            }
            (Ok(Outcome::Operation(op)), Want::Failed(kind, want)) => {
                assert_eq!(op.operation_type, kind, "#{i} {command:?}");
                assert_eq!(op.error.as_ref(), Some(&want), "#{i} {command:?}");
                assert_eq!(
                    env.world.gcp.networks, before.gcp.networks,
                    "#{i} {command:?}"
                );
            }
            (Err(e), Want::Refused(want)) => {
                assert_eq!(e, want, "#{i} {command:?}");
                assert_eq!(env.world, before, "#{i} {command:?} left a trace");
            }
            (got, _) => panic!("#{i} {command:?}: unexpected {got:?}"),
        }
    }
    // The last operation can be completed (a no-op) and deleted once.
    let op = env
        .world
        .gcp
        .operations
        .values()
        .next()
        .expect("an operation")
        .clone();
    let scope = Scope::new(op.project.clone(), "global");
    let id = op.id.clone();
    let done = env.transact(&scope, |tx| {
        Command::CompleteOperation { id: id.clone() }.apply(tx)
    });
    assert!(matches!(done, Ok(Outcome::Operation(o)) if *o == op));
    let del = env.transact(&scope, |tx| {
        Command::DeleteOperation { id: id.clone() }.apply(tx)
    });
    assert!(matches!(del, Ok(Outcome::OperationDeleted)));
    assert!(!env.world.gcp.operations.contains_key(&id));
    let settle = env.transact(&scope, |tx| Command::SettleOperations.apply(tx));
    assert!(matches!(settle, Ok(Outcome::Settled)));
}

#[test]
fn commands_are_plain_data() {
    let c = add_peering("net-a", "a-b", "projects/proj-b/global/networks/net-b");
    let logged: crate::Command = c.clone().into();
    let text = serde_json::to_string(&logged).unwrap();
    assert_eq!(
        serde_json::from_str::<crate::Command>(&text).unwrap(),
        logged
    );
    assert!(text.starts_with(r#"{"gcp":{"AddPeering""#), "{text}");
}
