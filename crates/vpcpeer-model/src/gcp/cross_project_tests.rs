//! Cross-project references (issue 8, item 8): a project's instances, subnetworks, routes and
//! firewalls may use only its own networks, subnetworks and instances (GCP needs Shared VPC,
//! not modelled, for anything else); peering across projects stays allowed.

use super::tests::{
    firewall_spec, instance_spec, net_spec, peering_spec, route_spec, run, subnet_spec,
};
use super::*;
use crate::testkit::TestEnv;

const PA: &str = "proj-a";
const PB: &str = "proj-b";

/// Project A's custom network `net-a` with subnetwork `s-a` (10.0.0.0/24, us-central1), an
/// instance `vm-a` on it; project B's network `net-b` likewise.
fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    for (p, n, cidr) in [(PA, "net-a", "10.0.0.0/24"), (PB, "net-b", "10.1.0.0/24")] {
        run(&mut env, p, |tx| {
            insert_network(tx, p, net_spec(n, Some(false)))
        })
        .expect("network");
        let spec = subnet_spec(&format!("s-{}", &n[4..]), &network_path(p, n), cidr);
        run(&mut env, p, |tx| {
            insert_subnetwork(tx, p, "us-central1", spec)
        })
        .expect("subnetwork");
    }
    instance(
        &mut env,
        PA,
        "vm-a",
        subnetwork("regions/us-central1/subnetworks/s-a"),
    )
    .expect("instance in its own project");
    env
}

/// An interface on `path`.
fn subnetwork(path: &str) -> NicSpec {
    NicSpec {
        subnetwork: Some(path.into()),
        ..Default::default()
    }
}

fn instance(
    env: &mut TestEnv,
    project: &str,
    name: &str,
    nic: NicSpec,
) -> Result<GcpOperation, GcpError> {
    let spec = instance_spec(name, nic);
    run(env, project, |tx| {
        insert_instance(tx, project, "us-central1-a", spec)
    })
}

fn is_cross_project(r: Result<GcpOperation, GcpError>, field: Field) -> bool {
    matches!(r, Err(GcpError::CrossProject { field: f, .. }) if f == field)
}

#[test]
fn instances_use_only_their_own_project_s_networks() {
    let mut env = setup();
    let before = env.world.len();
    let sub_a = "projects/proj-a/regions/us-central1/subnetworks/s-a";
    let cases: Vec<(&str, NicSpec, Field)> = vec![
        (
            "full subnetwork path of another project",
            subnetwork(sub_a),
            Field::NicSubnetwork(0),
        ),
        (
            "subnetwork URL of another project",
            subnetwork(&format!(
                "https://compute.googleapis.com/compute/v1/{sub_a}"
            )),
            Field::NicSubnetwork(0),
        ),
        (
            "network of another project",
            NicSpec {
                network: Some("projects/proj-a/global/networks/net-a".into()),
                ..Default::default()
            },
            Field::NicNetwork(0),
        ),
        (
            "another project's subnetwork that does not exist (no existence leak)",
            subnetwork("projects/proj-a/regions/us-central1/subnetworks/ghost"),
            Field::NicSubnetwork(0),
        ),
    ];
    for (what, nic, field) in cases {
        let r = instance(&mut env, PB, "vm-b", nic);
        assert!(is_cross_project(r.clone(), field), "{what}: {r:?}");
    }
    assert_eq!(env.world.len(), before, "nothing was created");
    // Its own subnetwork works.
    instance(&mut env, PB, "vm-b", subnetwork("s-b")).expect("own subnetwork");
}

#[test]
fn routes_firewalls_and_subnetworks_reference_only_their_project() {
    let mut env = setup();
    let before = env.world.len();
    let net_a = "projects/proj-a/global/networks/net-a";
    let vm_a = "projects/proj-a/zones/us-central1-a/instances/vm-a";
    let ip = GcpNextHop::Ip("10.0.0.9".parse().unwrap());
    let to_net_a = route_spec("r", net_a, "0.0.0.0/0", ip);
    let r = run(&mut env, PB, |tx| insert_route(tx, PB, to_net_a));
    assert!(is_cross_project(r.clone(), Field::Network), "{r:?}");
    let hop = GcpNextHop::Instance(vm_a.into());
    let via_vm_a = route_spec("r", "global/networks/net-b", "0.0.0.0/0", hop);
    let r = run(&mut env, PB, |tx| insert_route(tx, PB, via_vm_a));
    assert!(is_cross_project(r.clone(), Field::NextHopInstance), "{r:?}");
    let spec = subnet_spec("s2", net_a, "10.0.5.0/24");
    let r = run(&mut env, PB, |tx| {
        insert_subnetwork(tx, PB, "us-central1", spec)
    });
    assert!(is_cross_project(r.clone(), Field::Network), "{r:?}");
    let fw = FirewallSpec {
        source_ranges: vec!["0.0.0.0/0".into()],
        ..firewall_spec("fw", net_a)
    };
    let r = run(&mut env, PB, |tx| insert_firewall(tx, PB, fw));
    assert!(is_cross_project(r.clone(), Field::Network), "{r:?}");
    assert_eq!(env.world.len(), before, "nothing was created");
}

#[test]
fn peering_across_projects_is_still_allowed() {
    let mut env = setup();
    for (p, n, peer) in [
        (PA, "net-a", "projects/proj-b/global/networks/net-b"),
        (PB, "net-b", "projects/proj-a/global/networks/net-a"),
    ] {
        run(&mut env, p, |tx| {
            add_peering(tx, p, n, peering_spec("p", peer))
        })
        .expect("cross-project peering");
    }
}
