//! [`Snapshot::apply_changes`] against a full compile for the GCP and Azure part of the snapshot
//! (its index of those clouds' records by network and address, and the gateways' compiled
//! configurations): the three-cloud gateway layout of `tests/common/world3.rs`, then a table of
//! changes made through the model's commands — firewall rules replaced and added, routes deleted
//! and added (to an instance and to an address), the GCP gateway stopped and started and its
//! user data replaced, subnetworks and instances added and deleted, the Azure gateway's NIC moved
//! to a dynamic public IP that deallocation releases (a change to the public IP record alone),
//! its VM restarted and made again with other custom data, a workload NIC's address changed, the AWS
//! gateway stopped. After each change (and, in a second run, after batches of them) the kept
//! snapshot must equal `Snapshot::compile` of the world, and `explain_world` must answer every
//! pair of ends (the workloads and gateways of the three clouds, addresses held by an interface
//! or only by a subnet) the same on both.

mod common;
#[path = "common/world3.rs"]
mod world3;

use std::fmt::Debug;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::azure::{eastus_nic, subnet_id};
use common::gateways::{config, peer};
use common::gcp as cmd;
use vpcpeer_model::azure::ops::{self as az, PutNic, PutPublicIp, PutVm, VmPowerAction};
use vpcpeer_model::azure::AzImageReference;
use vpcpeer_model::gcp::{
    self, Command, FingerprintInput, GcpNextHop, InstanceSpec, MetadataInput, MetadataItem,
};
use vpcpeer_model::testkit::{a, TestEnv};
use vpcpeer_model::{Apply, RecordKey, Scope, Tx};
use vpcpeer_reach::{explain_world, Endpoint, Protocol, Query, Snapshot};
use world3::{build, endpoint, gcp_nic, gcp_vm, t, End, World3, P, SUB, WORKING, ZONE};

/// Runs `f` as `scope` and commits: the keys of the change set (it must succeed).
fn commit<T, E: Debug>(
    env: &mut TestEnv,
    scope: &Scope,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, E>,
) -> Vec<RecordKey> {
    let mut tx = env.tx(scope);
    let out = f(&mut tx);
    if let Err(e) = out {
        tx.rollback();
        panic!("command failed: {e:?}");
    }
    tx.commit().into_iter().map(|c| c.key).collect()
}

fn gcp_cmd(env: &mut TestEnv, c: Command) -> Vec<RecordKey> {
    commit(env, &Scope::new(P, "global"), |tx| c.apply(tx))
}

fn az_cmd<T>(
    env: &mut TestEnv,
    f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, vpcpeer_model::azure::AzureError>,
) -> Vec<RecordKey> {
    commit(env, &Scope::new(SUB, ""), f)
}

/// Firewall rule `name` of `net` admitting the tunnel (udp/51820) from `from`.
fn firewall(name: &str, from: &[String]) -> Command {
    cmd::firewall(name, "net", gcp::Direction::Ingress, "udp", "51820", from)
}

fn instance(name: &str, subnetwork: &str, ip: &str) -> Command {
    let mut nic = gcp_nic(ip, None);
    nic.subnetwork = Some(format!("regions/us-central1/subnetworks/{subnetwork}"));
    Command::InsertInstance {
        zone: ZONE.into(),
        spec: InstanceSpec {
            name: name.into(),
            machine_type: "e2-small".into(),
            nics: vec![nic],
            ..Default::default()
        },
    }
}

/// The Azure gateway's NIC, showing public IP `public_ip`.
fn az_gw_nic(public_ip: Option<String>) -> PutNic {
    eastus_nic(subnet_id(&t("hub"), "gw"), public_ip, true, None)
}

/// One change of the table: its name and the command(s) it runs.
type Change = (&'static str, fn(&mut World3) -> Vec<RecordKey>);

/// The table of changes, in order (later rows build on earlier ones).
fn changes() -> Vec<Change> {
    vec![
        ("gcp: the tunnel rule admits only the Azure gateway", |w| {
            let mut k = gcp_cmd(
                &mut w.env,
                Command::DeleteFirewall {
                    name: "allow-tunnel".into(),
                },
            );
            k.extend(gcp_cmd(
                &mut w.env,
                firewall("allow-tunnel", &[format!("{}/32", w.azure_ip)]),
            ));
            k
        }),
        ("gcp: a second rule admits the AWS gateway", |w| {
            let from = [format!("{}/32", w.aws_ip)];
            gcp_cmd(&mut w.env, firewall("allow-aws", &from))
        }),
        ("gcp: the route to AWS is deleted", |w| {
            gcp_cmd(
                &mut w.env,
                Command::DeleteRoute {
                    name: "to-aws".into(),
                },
            )
        }),
        ("gcp: a route to AWS by the gateway's address", |w| {
            let hop = GcpNextHop::Ip("10.30.0.2".parse().expect("ip"));
            gcp_cmd(
                &mut w.env,
                cmd::route("to-aws-ip", "net", "10.10.0.0/16", hop),
            )
        }),
        ("gcp: the gateway stops", |w| {
            let (zone, name) = (ZONE.into(), "gw".into());
            gcp_cmd(&mut w.env, Command::StopInstance { zone, name })
        }),
        ("gcp: the gateway starts", |w| {
            let (zone, name) = (ZONE.into(), "gw".into());
            gcp_cmd(&mut w.env, Command::StartInstance { zone, name })
        }),
        ("gcp: the gateway's user data loses its AWS peer", |w| {
            let cfg = config(
                "gcp-gw",
                2,
                vec![peer("azure-gw", 3, w.azure_ip, "10.40.0.0/16")],
            );
            set_user_data(w, cfg.render())
        }),
        ("gcp: the gateway's user data gets it back", |w| {
            let cfg = config(
                "gcp-gw",
                2,
                vec![
                    peer("aws-gw", 1, w.aws_ip, "10.10.0.0/16"),
                    peer("azure-gw", 3, w.azure_ip, "10.40.0.0/16"),
                ],
            );
            set_user_data(w, cfg.render())
        }),
        ("gcp: a subnetwork and an instance in it", |w| {
            let mut k = gcp_cmd(&mut w.env, cmd::subnetwork("s2", "net", "10.30.1.0/24"));
            k.extend(gcp_cmd(&mut w.env, instance("app2", "s2", "10.30.1.5")));
            k
        }),
        ("gcp: the workload is deleted", |w| {
            let (zone, name) = (ZONE.into(), "app".into());
            gcp_cmd(&mut w.env, Command::DeleteInstance { zone, name })
        }),
        ("gcp: a workload again, at another address", |w| {
            gcp_cmd(&mut w.env, instance("app", "s", "10.30.0.11"))
        }),
        ("azure: a dynamic public IP", |w| {
            let pip = PutPublicIp {
                location: Some("eastus".into()),
                ..Default::default()
            };
            az_cmd(&mut w.env, |tx| az::put_public_ip(tx, &t("dyn-ip"), pip))
        }),
        ("azure: the gateway's NIC shows it", |w| {
            let nic = az_gw_nic(Some(az::public_ip_id(&t("dyn-ip"))));
            az_cmd(&mut w.env, |tx| az::put_nic(tx, &t("gw-nic"), nic))
        }),
        (
            "azure: the gateway is deallocated (its dynamic address released)",
            |w| {
                az_cmd(&mut w.env, |tx| {
                    az::vm_power(tx, &t("gw"), VmPowerAction::Deallocate)
                })
            },
        ),
        ("azure: the gateway starts (a new dynamic address)", |w| {
            az_cmd(&mut w.env, |tx| {
                az::vm_power(tx, &t("gw"), VmPowerAction::Start)
            })
        }),
        ("azure: the gateway's NIC shows its static IP again", |w| {
            let nic = az_gw_nic(Some(az::public_ip_id(&t("gw-ip"))));
            az_cmd(&mut w.env, |tx| az::put_nic(tx, &t("gw-nic"), nic))
        }),
        (
            "azure: the gateway is made again, its custom data without its GCP peer",
            |w| {
                let cfg = config(
                    "azure-gw",
                    3,
                    vec![peer("aws-gw", 1, w.aws_ip, "10.10.0.0/16")],
                );
                let vm = PutVm {
                    location: Some("eastus".into()),
                    nics: vec![t("gw-nic").network_id("networkInterfaces")],
                    custom_data: Some(STANDARD.encode(cfg.render())),
                    image: Some(AzImageReference::gateway()),
                    ..Default::default()
                };
                // Azure refuses to change a VM's custom data: the VM is made again.
                let mut k = az_cmd(&mut w.env, |tx| az::delete_vm(tx, &t("gw")));
                k.extend(az_cmd(&mut w.env, |tx| az::put_vm(tx, &t("gw"), vm)));
                k
            },
        ),
        ("azure: the workload's NIC moves to another address", |w| {
            let mut nic = eastus_nic(subnet_id(&t("hub"), "app"), None, false, None);
            nic.ip_configs[0].private_ip = Some("10.40.2.50".into());
            nic.ip_configs[0].is_static = true;
            az_cmd(&mut w.env, |tx| az::put_nic(tx, &t("app-nic"), nic))
        }),
        ("aws: the gateway stops", |w| {
            let gw = w.aws_gw.clone();
            common::try_commit(&mut w.env, &a(), |tx| {
                tx.stop_instances(std::slice::from_ref(&gw))
            })
            .expect("stop")
            .1
        }),
    ]
}

fn set_user_data(w: &mut World3, text: String) -> Vec<RecordKey> {
    let fingerprint = w.env.world.gcp.instances()[&gcp_vm("gw")]
        .metadata
        .as_ref()
        .map(|m| FingerprintInput::Value(m.fingerprint));
    gcp_cmd(
        &mut w.env,
        Command::SetInstanceMetadata {
            zone: ZONE.into(),
            name: "gw".into(),
            metadata: MetadataInput {
                fingerprint,
                items: vec![MetadataItem {
                    key: "user-data".into(),
                    value: text,
                }],
            },
        },
    )
}

/// The ends asked about: the three workloads and gateways, and addresses (held by a GCP
/// instance, an Azure NIC, or only by a subnet of each).
fn ends(w: &World3) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = [End::Aws, End::Gcp, End::Azure]
        .into_iter()
        .map(|e| endpoint(w, e))
        .collect();
    out.push(Endpoint::Instance(w.aws_gw.clone()));
    out.extend(Endpoint::parse(&gcp_vm("gw")));
    out.extend(Endpoint::parse(&w.azure_gw));
    for ip in [
        "10.30.0.10",
        "10.30.1.5",
        "10.30.0.99",
        "10.40.2.4",
        "10.40.2.50",
        "10.40.2.99",
    ] {
        out.push(Endpoint::Ip(ip.parse().expect("ip")));
    }
    out
}

/// Asserts that `inc` equals a fresh compile and answers every pair of ends alike; the number
/// of reachable answers.
fn check_same(w: &World3, inc: &Snapshot, step: &str) -> usize {
    let full = Snapshot::compile(&w.env.world, w.env.now);
    assert!(*inc == full, "the kept snapshot differs after: {step}");
    let ends = ends(w);
    let mut reachable = 0;
    for src in &ends {
        for dst in &ends {
            let q = Query {
                src: src.clone(),
                dst: dst.clone(),
                protocol: Protocol::Tcp,
                port: Some(443),
            };
            let want = explain_world(&w.env.world, &full, &q);
            let got = explain_world(&w.env.world, inc, &q);
            assert_eq!(got, want, "{q:?} after: {step}");
            reachable += usize::from(want.is_ok_and(|v| v.reachable));
        }
    }
    reachable
}

/// Each change applied on its own: the kept snapshot follows every one, and the answers do
/// change along the table (the comparison is between snapshots that matter).
#[test]
fn each_change_is_kept() {
    let mut w = build(WORKING);
    let mut inc = Snapshot::compile(&w.env.world, w.env.now);
    let mut counts = vec![check_same(&w, &inc, "the layout")];
    for (name, change) in changes() {
        let keys = change(&mut w);
        assert!(!keys.is_empty(), "{name} changed nothing");
        inc.apply_changes(&w.env.world, w.env.now, &keys);
        counts.push(check_same(&w, &inc, name));
    }
    assert!(counts[0] > 0, "nothing reachable in the working layout");
    let mut distinct = counts.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() > 2, "the answers hardly change: {counts:?}");
}

/// The same changes applied in batches (as the server catches up on several change sets at
/// once), in every batch size up to four.
#[test]
fn batched_changes_are_kept() {
    for size in 2..=4 {
        let mut w = build(WORKING);
        let mut inc = Snapshot::compile(&w.env.world, w.env.now);
        let mut pending = Vec::new();
        let table = changes();
        let last = table.len() - 1;
        for (i, (name, change)) in table.into_iter().enumerate() {
            pending.extend(change(&mut w));
            if (i + 1) % size == 0 || i == last {
                inc.apply_changes(&w.env.world, w.env.now, &pending);
                pending.clear();
                check_same(&w, &inc, name);
            }
        }
    }
}

/// A snapshot that missed a GCP change differs from a fresh compile, and answers from its
/// stale index: without the new route back to AWS the reply has no way back.
#[test]
fn a_missed_change_is_seen() {
    let mut w = build(WORKING);
    gcp_cmd(
        &mut w.env,
        Command::DeleteRoute {
            name: "to-aws".into(),
        },
    );
    let stale = Snapshot::compile(&w.env.world, w.env.now);
    let hop = GcpNextHop::Instance(gcp_vm("gw"));
    gcp_cmd(
        &mut w.env,
        cmd::route("to-aws-2", "net", "10.10.0.0/16", hop),
    );
    let fresh = Snapshot::compile(&w.env.world, w.env.now);
    assert!(stale != fresh);
    let q = Query {
        src: endpoint(&w, End::Aws),
        dst: endpoint(&w, End::Gcp),
        protocol: Protocol::Tcp,
        port: Some(443),
    };
    let now = explain_world(&w.env.world, &fresh, &q).expect("query");
    let before = explain_world(&w.env.world, &stale, &q).expect("query");
    assert!(now.reachable, "{now:#?}");
    assert!(!before.reachable, "{before:#?}");
}
