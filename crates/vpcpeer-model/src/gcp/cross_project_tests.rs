//! Cross-project references (issue 8, item 8): a project's instances, subnetworks, routes and
//! firewalls may use only its own networks, subnetworks and instances (GCP needs Shared VPC,
//! not modelled, for anything else); peering across projects stays allowed.

use super::*;
use crate::testkit::TestEnv;
use crate::Scope;

const PA: &str = "proj-a";
const PB: &str = "proj-b";

fn run<T>(
    env: &mut TestEnv,
    project: &str,
    f: impl FnOnce(&mut crate::Tx<'_, '_>) -> Result<T, GcpError>,
) -> Result<T, GcpError> {
    env.transact(&Scope::new(project, ""), f)
}

/// Project A's custom network `net-a` with subnetwork `s-a` (10.0.0.0/24, us-central1), an
/// instance `vm-a` on it; project B's network `net-b` likewise.
fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    for (p, n, cidr) in [(PA, "net-a", "10.0.0.0/24"), (PB, "net-b", "10.1.0.0/24")] {
        run(&mut env, p, |tx| {
            insert_network(
                tx,
                p,
                NetworkSpec {
                    name: n.into(),
                    auto_create_subnetworks: Some(false),
                    ..Default::default()
                },
            )
        })
        .expect("network");
        run(&mut env, p, |tx| {
            insert_subnetwork(
                tx,
                p,
                "us-central1",
                SubnetSpec {
                    name: format!("s-{}", &n[4..]),
                    network: network_path(p, n),
                    ip_cidr_range: cidr.into(),
                    ..Default::default()
                },
            )
        })
        .expect("subnetwork");
    }
    instance(
        &mut env,
        PA,
        "vm-a",
        NicSpec {
            subnetwork: Some("regions/us-central1/subnetworks/s-a".into()),
            ..Default::default()
        },
    )
    .expect("instance in its own project");
    env
}

fn instance(
    env: &mut TestEnv,
    project: &str,
    name: &str,
    nic: NicSpec,
) -> Result<GcpOperation, GcpError> {
    run(env, project, |tx| {
        insert_instance(
            tx,
            project,
            "us-central1-a",
            InstanceSpec {
                name: name.into(),
                machine_type: "e2-micro".into(),
                tags: vec![],
                nics: vec![nic],
            },
        )
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
            NicSpec {
                subnetwork: Some(sub_a.into()),
                ..Default::default()
            },
            Field::NicSubnetwork(0),
        ),
        (
            "subnetwork URL of another project",
            NicSpec {
                subnetwork: Some(format!("https://compute.googleapis.com/compute/v1/{sub_a}")),
                ..Default::default()
            },
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
            NicSpec {
                subnetwork: Some("projects/proj-a/regions/us-central1/subnetworks/ghost".into()),
                ..Default::default()
            },
            Field::NicSubnetwork(0),
        ),
    ];
    for (what, nic, field) in cases {
        let r = instance(&mut env, PB, "vm-b", nic);
        assert!(is_cross_project(r.clone(), field), "{what}: {r:?}");
    }
    assert_eq!(env.world.len(), before, "nothing was created");
    // Its own subnetwork works.
    instance(
        &mut env,
        PB,
        "vm-b",
        NicSpec {
            subnetwork: Some("s-b".into()),
            ..Default::default()
        },
    )
    .expect("own subnetwork");
}

#[test]
fn routes_firewalls_and_subnetworks_reference_only_their_project() {
    let mut env = setup();
    let before = env.world.len();
    let route = |network: &str, hop: GcpNextHop| RouteSpec {
        name: "r".into(),
        description: String::new(),
        network: network.into(),
        dest_range: "0.0.0.0/0".into(),
        priority: None,
        tags: vec![],
        next_hop: hop,
    };
    let r = run(&mut env, PB, |tx| {
        insert_route(
            tx,
            PB,
            route(
                "projects/proj-a/global/networks/net-a",
                GcpNextHop::Ip("10.0.0.9".parse().unwrap()),
            ),
        )
    });
    assert!(is_cross_project(r.clone(), Field::Network), "{r:?}");
    let r = run(&mut env, PB, |tx| {
        insert_route(
            tx,
            PB,
            route(
                "global/networks/net-b",
                GcpNextHop::Instance("projects/proj-a/zones/us-central1-a/instances/vm-a".into()),
            ),
        )
    });
    assert!(is_cross_project(r.clone(), Field::NextHopInstance), "{r:?}");
    let r = run(&mut env, PB, |tx| {
        insert_subnetwork(
            tx,
            PB,
            "us-central1",
            SubnetSpec {
                name: "s2".into(),
                network: "projects/proj-a/global/networks/net-a".into(),
                ip_cidr_range: "10.0.5.0/24".into(),
                ..Default::default()
            },
        )
    });
    assert!(is_cross_project(r.clone(), Field::Network), "{r:?}");
    let r = run(&mut env, PB, |tx| {
        insert_firewall(
            tx,
            PB,
            FirewallSpec {
                name: "fw".into(),
                description: String::new(),
                network: Some("projects/proj-a/global/networks/net-a".into()),
                direction: None,
                priority: None,
                allowed: vec![("tcp".into(), vec![])],
                denied: vec![],
                source_ranges: vec!["0.0.0.0/0".into()],
                destination_ranges: vec![],
                source_tags: vec![],
                target_tags: vec![],
                disabled: false,
            },
        )
    });
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
            super::peering::add_peering(
                tx,
                p,
                n,
                super::peering::AddPeering {
                    name: "p".into(),
                    peer_network: peer.into(),
                    ..Default::default()
                },
            )
        })
        .expect("cross-project peering");
    }
}
