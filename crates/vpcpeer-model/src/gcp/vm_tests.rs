//! Table tests of the gateway side of instances, through the command enum: access configs and
//! the external pool, `canIpForward` and metadata at insert, stop and start (twice each), the
//! fingerprint of `setMetadata`, and static addresses (reserve, use, in use, promote, delete).
//! Every refusal leaves the world as it was.

use std::net::Ipv4Addr;

use super::tests::{instance_spec, net_spec, subnet_spec};
use super::*;
use crate::command::Apply;
use crate::testkit::TestEnv;
use crate::{Scope, World};

const PA: &str = "proj-a";
const ZONE: &str = "us-central1-a";
const REGION: &str = "us-central1";

fn apply(env: &mut TestEnv, c: Command) -> Result<GcpOperation, GcpError> {
    env.transact(&Scope::new(PA, "global"), |tx| c.apply(tx))
        .map(|o| match o {
            Outcome::Operation(op) => *op,
            other => panic!("not an operation: {other:?}"),
        })
}

fn setup() -> TestEnv {
    let mut env = TestEnv::new();
    apply(
        &mut env,
        Command::InsertNetwork(net_spec("net-a", Some(false))),
    )
    .unwrap();
    let spec = subnet_spec("s-a", "global/networks/net-a", "10.0.0.0/24");
    let region = REGION.into();
    apply(&mut env, Command::InsertSubnetwork { region, spec }).unwrap();
    env
}

fn nic(access: Option<AccessConfigSpec>) -> NicSpec {
    NicSpec {
        subnetwork: Some("regions/us-central1/subnetworks/s-a".into()),
        access_configs: access.into_iter().collect(),
        ..Default::default()
    }
}

fn ephemeral() -> Option<AccessConfigSpec> {
    Some(AccessConfigSpec::default())
}

fn nat(ip: &str) -> Option<AccessConfigSpec> {
    Some(AccessConfigSpec {
        nat_ip: Some(ip.into()),
        ..Default::default()
    })
}

fn insert(name: &str, access: Option<AccessConfigSpec>) -> Command {
    Command::InsertInstance {
        zone: ZONE.into(),
        spec: instance_spec(name, nic(access)),
    }
}

fn stop(name: &str) -> Command {
    let (zone, name) = (ZONE.into(), name.into());
    Command::StopInstance { zone, name }
}

fn start(name: &str) -> Command {
    let (zone, name) = (ZONE.into(), name.into());
    Command::StartInstance { zone, name }
}

fn set_metadata(
    name: &str,
    fingerprint: Option<FingerprintInput>,
    items: &[(&str, &str)],
) -> Command {
    let items = items
        .iter()
        .map(|(k, v)| MetadataItem {
            key: (*k).into(),
            value: (*v).into(),
        })
        .collect();
    Command::SetInstanceMetadata {
        zone: ZONE.into(),
        name: name.into(),
        metadata: MetadataInput { fingerprint, items },
    }
}

fn reserve(name: &str, address: Option<&str>) -> Command {
    Command::InsertAddress {
        region: REGION.into(),
        spec: AddressSpec {
            name: name.into(),
            address: address.map(IpInput::from),
            ..Default::default()
        },
    }
}

fn release(name: &str) -> Command {
    let (region, name) = (REGION.into(), name.into());
    Command::DeleteAddress { region, name }
}

fn vm<'w>(w: &'w World, name: &str) -> &'w GcpInstance {
    &w.gcp.instances()[&instance_path(PA, ZONE, name)]
}

fn ip(s: &str) -> Ipv4Addr {
    s.parse().unwrap()
}

fn fingerprint(w: &World, name: &str) -> u64 {
    vm(w, name).metadata.as_ref().unwrap().fingerprint
}

/// Applies `c` and checks that it is refused with `want`, changing nothing.
fn refused(env: &mut TestEnv, c: Command, want: GcpError) {
    let before = env.world.clone();
    let got = apply(env, c.clone()).expect_err(&format!("{c:?} should be refused"));
    assert_eq!(got, want, "{c:?}");
    assert_eq!(env.world, before, "{c:?} changed the world");
}

#[test]
fn insert_without_and_with_an_access_config() {
    let mut env = setup();
    let op = apply(&mut env, insert("plain", None)).unwrap();
    assert_eq!(op.operation_type, "insert");
    let plain = vm(&env.world, "plain");
    assert_eq!(plain.external_ipv4(), None);
    assert!(plain.is_running() && !plain.can_ip_forward());
    assert_eq!(plain.user_data(), None);
    let m = plain
        .metadata
        .as_ref()
        .expect("every new instance has metadata");
    assert!(m.items.is_empty());
    assert_eq!(m.fingerprint, next_fingerprint(plain.numeric_id));

    apply(&mut env, insert("gw", ephemeral())).unwrap();
    let gw = vm(&env.world, "gw");
    assert_eq!(gw.external_ipv4(), Some(ip("35.192.0.1")));
    let ac = &gw.nics[0].access_configs[0];
    assert_eq!(ac.name, "External NAT");
    assert_eq!(ac.network_tier, NetworkTier::Premium);
    apply(&mut env, insert("gw2", ephemeral())).unwrap();
    assert_eq!(
        vm(&env.world, "gw2").external_ipv4(),
        Some(ip("35.192.0.2"))
    );

    // canIpForward and metadata as given; user-data is what the accessor reads.
    let mut spec = instance_spec("fwd", nic(ephemeral()));
    spec.can_ip_forward = true;
    spec.metadata = vec![MetadataItem {
        key: USER_DATA_KEY.into(),
        value: "[Interface]\n".into(),
    }];
    let zone = ZONE.into();
    apply(&mut env, Command::InsertInstance { zone, spec }).unwrap();
    let fwd = vm(&env.world, "fwd");
    assert!(fwd.can_ip_forward());
    assert_eq!(fwd.user_data(), Some("[Interface]\n"));
    assert_eq!(fwd.metadata_value("other"), None);
}

#[test]
fn insert_refusals_change_nothing() {
    let mut env = setup();
    let two = NicSpec {
        access_configs: vec![AccessConfigSpec::default(), AccessConfigSpec::default()],
        ..nic(None)
    };
    let zone = || ZONE.to_owned();
    let cases: Vec<(Command, GcpError)> = vec![
        (
            Command::InsertInstance {
                zone: zone(),
                spec: instance_spec("two", two),
            },
            GcpError::TooMany {
                field: Field::NicAccessConfigs(0),
                count: 2,
                max: 1,
            },
        ),
        (
            insert("bad", nat("35.192.0.x")),
            GcpError::BadValue {
                field: Field::NicNatIp(0),
                value: "35.192.0.x".into(),
            },
        ),
        (
            insert("unreserved", nat("35.192.0.9")),
            GcpError::NatIpNotReserved {
                nic: 0,
                ip: ip("35.192.0.9"),
                region: REGION.into(),
            },
        ),
        (
            Command::InsertInstance {
                zone: zone(),
                spec: InstanceSpec {
                    metadata: vec![MetadataItem {
                        key: "bad key".into(),
                        value: String::new(),
                    }],
                    ..instance_spec("meta", nic(None))
                },
            },
            GcpError::BadValue {
                field: Field::MetadataKey(0),
                value: "bad key".into(),
            },
        ),
        (
            Command::InsertInstance {
                zone: zone(),
                spec: InstanceSpec {
                    metadata: ["k", "k"]
                        .iter()
                        .map(|k| MetadataItem {
                            key: (*k).into(),
                            value: String::new(),
                        })
                        .collect(),
                    ..instance_spec("meta", nic(None))
                },
            },
            GcpError::DuplicateMetadataKey { key: "k".into() },
        ),
    ];
    for (c, want) in cases {
        refused(&mut env, c, want);
    }
}

#[test]
fn stop_releases_the_ephemeral_address_and_start_draws_a_new_one() {
    let mut env = setup();
    apply(&mut env, insert("gw", ephemeral())).unwrap();
    let op = apply(&mut env, stop("gw")).unwrap();
    assert_eq!(op.operation_type, "stop");
    assert_eq!(op.target, instance_path(PA, ZONE, "gw"));
    let gw = vm(&env.world, "gw");
    assert_eq!(gw.status, InstanceStatus::Terminated);
    assert!(!gw.is_running());
    assert_eq!(gw.external_ipv4(), None, "released on stop");
    assert_eq!(
        gw.nics[0].access_configs.len(),
        1,
        "the access config stays"
    );

    // Stopping twice succeeds and changes nothing but the operation it records.
    let before = vm(&env.world, "gw").clone();
    let ops = env.world.gcp.operations().len();
    apply(&mut env, stop("gw")).unwrap();
    assert_eq!(vm(&env.world, "gw"), &before);
    assert_eq!(env.world.gcp.operations().len(), ops + 1);

    // Meanwhile another instance takes the released address; start draws the next free one.
    apply(&mut env, insert("other", ephemeral())).unwrap();
    assert_eq!(
        vm(&env.world, "other").external_ipv4(),
        Some(ip("35.192.0.1"))
    );
    assert_eq!(
        apply(&mut env, start("gw")).unwrap().operation_type,
        "start"
    );
    let gw = vm(&env.world, "gw");
    assert!(gw.is_running());
    assert_eq!(gw.external_ipv4(), Some(ip("35.192.0.2")));

    // Starting twice changes nothing but the operation.
    let before = vm(&env.world, "gw").clone();
    apply(&mut env, start("gw")).unwrap();
    assert_eq!(vm(&env.world, "gw"), &before);

    // An instance without external access stops and starts without one.
    apply(&mut env, insert("plain", None)).unwrap();
    apply(&mut env, stop("plain")).unwrap();
    apply(&mut env, start("plain")).unwrap();
    assert_eq!(vm(&env.world, "plain").external_ipv4(), None);

    for c in [stop("ghost"), start("ghost")] {
        refused(
            &mut env,
            c,
            GcpError::NotFound(instance_path(PA, ZONE, "ghost")),
        );
    }
}

/// The run-state times of one instance through inserts, stops and starts (each step one
/// second after the last): `(command, status, lastStartTimestamp, lastStopTimestamp)`, the
/// times in seconds after the test clock's start; a repeated stop or start changes neither.
#[test]
fn stop_and_start_record_their_times_and_keep_the_others() {
    use crate::testkit::NOW;
    let mut env = setup();
    let at = |s: i64| Some(NOW.plus_millis(s * 1_000));
    let steps: [(Command, InstanceStatus, Option<_>, Option<_>); 6] = [
        (
            insert("gw", ephemeral()),
            InstanceStatus::Running,
            at(1),
            None,
        ),
        (stop("gw"), InstanceStatus::Terminated, at(1), at(2)),
        (stop("gw"), InstanceStatus::Terminated, at(1), at(2)),
        (start("gw"), InstanceStatus::Running, at(4), at(2)),
        (start("gw"), InstanceStatus::Running, at(4), at(2)),
        (stop("gw"), InstanceStatus::Terminated, at(4), at(6)),
    ];
    for (i, (c, status, started, stopped)) in steps.into_iter().enumerate() {
        env.now = NOW.plus_millis((i as i64 + 1) * 1_000);
        let what = format!("{c:?}");
        apply(&mut env, c).unwrap();
        let gw = vm(&env.world, "gw");
        assert_eq!(
            (gw.status, gw.last_start, gw.last_stop),
            (status, started, stopped),
            "step {i}: {what}"
        );
    }
}

#[test]
fn set_metadata_needs_the_current_fingerprint() {
    let mut env = setup();
    apply(&mut env, insert("gw", None)).unwrap();
    let f0 = fingerprint(&env.world, "gw");
    let stale = FingerprintInput::Value(f0 ^ 1);
    for (given, want) in [
        (Some(stale), GcpError::FingerprintMismatch),
        (None, GcpError::FingerprintMismatch),
        (
            Some(FingerprintInput::Malformed("nope".into())),
            GcpError::BadValue {
                field: Field::MetadataFingerprint,
                value: "nope".into(),
            },
        ),
    ] {
        refused(
            &mut env,
            set_metadata("gw", given, &[("user-data", "x")]),
            want,
        );
    }
    let op = apply(
        &mut env,
        set_metadata(
            "gw",
            Some(FingerprintInput::Value(f0)),
            &[("user-data", "v1")],
        ),
    )
    .unwrap();
    assert_eq!(op.operation_type, "setMetadata");
    let f1 = fingerprint(&env.world, "gw");
    assert_ne!(f1, f0, "a new fingerprint on every change");
    assert_eq!(vm(&env.world, "gw").user_data(), Some("v1"));
    // The old fingerprint is stale now; the same items again still change the fingerprint.
    refused(
        &mut env,
        set_metadata("gw", Some(FingerprintInput::Value(f0)), &[]),
        GcpError::FingerprintMismatch,
    );
    apply(
        &mut env,
        set_metadata(
            "gw",
            Some(FingerprintInput::Value(f1)),
            &[("user-data", "v1")],
        ),
    )
    .unwrap();
    assert_ne!(fingerprint(&env.world, "gw"), f1);
    // A stopped instance takes metadata too; replacing with nothing clears the items.
    apply(&mut env, stop("gw")).unwrap();
    let f2 = FingerprintInput::Value(fingerprint(&env.world, "gw"));
    apply(&mut env, set_metadata("gw", Some(f2), &[])).unwrap();
    assert_eq!(vm(&env.world, "gw").user_data(), None);
}

#[test]
fn static_addresses_are_reserved_used_kept_on_stop_and_released() {
    let mut env = setup();
    let op = apply(&mut env, reserve("gw-ip", None)).unwrap();
    assert_eq!(op.operation_type, "insert");
    assert_eq!(op.scope, OpScope::Region(REGION.into()));
    let id = address_path(PA, REGION, "gw-ip");
    let a = env.world.gcp.addresses()[&id].clone();
    assert_eq!(a.address, ip("35.192.0.1"));
    assert!(address_users(&env.world, &a).is_empty(), "RESERVED");
    refused(
        &mut env,
        reserve("gw-ip", None),
        GcpError::AlreadyExists(id.clone()),
    );

    // An ephemeral address skips the reserved one.
    apply(&mut env, insert("eph", ephemeral())).unwrap();
    assert_eq!(
        vm(&env.world, "eph").external_ipv4(),
        Some(ip("35.192.0.2"))
    );

    apply(&mut env, insert("gw", nat("35.192.0.1"))).unwrap();
    let users: Vec<String> = address_users(&env.world, &a)
        .iter()
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(users, [instance_path(PA, ZONE, "gw")], "IN_USE by gw");
    refused(
        &mut env,
        insert("gw2", nat("35.192.0.1")),
        GcpError::IpInUse {
            ip: ip("35.192.0.1"),
        },
    );
    refused(
        &mut env,
        release("gw-ip"),
        GcpError::InUse {
            kind: InUseKind::Address,
            resource: id.clone(),
            by: instance_path(PA, ZONE, "gw"),
        },
    );

    // A static address stays through stop and start.
    apply(&mut env, stop("gw")).unwrap();
    assert_eq!(vm(&env.world, "gw").external_ipv4(), Some(ip("35.192.0.1")));
    assert_eq!(address_users(&env.world, &a).len(), 1);
    apply(&mut env, start("gw")).unwrap();
    assert_eq!(vm(&env.world, "gw").external_ipv4(), Some(ip("35.192.0.1")));

    // Deleting the instance frees it; then it can go.
    let (zone, name) = (ZONE.into(), "gw".into());
    apply(&mut env, Command::DeleteInstance { zone, name }).unwrap();
    assert!(address_users(&env.world, &a).is_empty());
    assert_eq!(
        apply(&mut env, release("gw-ip")).unwrap().operation_type,
        "delete"
    );
    refused(&mut env, release("gw-ip"), GcpError::NotFound(id));
}

#[test]
fn a_given_address_promotes_an_ephemeral_one_or_is_refused() {
    let mut env = setup();
    apply(&mut env, insert("eph", ephemeral())).unwrap();
    let eph = "35.192.0.1";
    // Promoted: the instance keeps it, now static (kept on stop).
    apply(&mut env, reserve("promoted", Some(eph))).unwrap();
    let a = env.world.gcp.addresses()[&address_path(PA, REGION, "promoted")].clone();
    assert_eq!(address_users(&env.world, &a).len(), 1);
    apply(&mut env, stop("eph")).unwrap();
    assert_eq!(vm(&env.world, "eph").external_ipv4(), Some(ip(eph)));
    for (name, given, want) in [
        ("again", eph, GcpError::IpInUse { ip: ip(eph) }),
        (
            "outside",
            "8.8.8.8",
            GcpError::BadValue {
                field: Field::Address,
                value: "8.8.8.8".into(),
            },
        ),
    ] {
        refused(&mut env, reserve(name, Some(given)), want);
    }
    let internal = Command::InsertAddress {
        region: REGION.into(),
        spec: AddressSpec {
            name: "int".into(),
            address_type: AddressType::Internal,
            ..Default::default()
        },
    };
    refused(&mut env, internal, GcpError::InternalAddressUnsupported);
    let elsewhere = Command::InsertAddress {
        region: "mars1".into(),
        spec: AddressSpec {
            name: "x".into(),
            ..Default::default()
        },
    };
    refused(
        &mut env,
        elsewhere,
        GcpError::NotFound("projects/proj-a/regions/mars1".into()),
    );
}

#[test]
fn a_static_address_of_another_region_is_not_found_there() {
    let mut env = setup();
    let region = "europe-west1".into();
    let spec = AddressSpec {
        name: "eu".into(),
        ..Default::default()
    };
    apply(&mut env, Command::InsertAddress { region, spec }).unwrap();
    refused(
        &mut env,
        insert("gw", nat("35.192.0.1")),
        GcpError::NatIpNotReserved {
            nic: 0,
            ip: ip("35.192.0.1"),
            region: REGION.into(),
        },
    );
}

#[test]
fn rows_stored_before_these_fields_read_as_running_without_metadata() {
    let v1 = r#"{"id":"projects/p/zones/us-central1-a/instances/vm","project":"p","zone":"us-central1-a","name":"vm","numeric_id":7,"machine_type":"e2-micro","tags":[],"nics":[{"name":"nic0","network":"projects/p/global/networks/n","subnetwork":"projects/p/regions/us-central1/subnetworks/s","network_ip":"10.0.0.2"}],"created":1}"#;
    let i: GcpInstance = serde_json::from_str(v1).unwrap();
    assert!(i.is_running() && !i.can_ip_forward() && i.metadata.is_none());
    assert_eq!((i.last_start, i.last_stop), (None, None));
    assert!(i.nics[0].access_configs.is_empty());
    assert_eq!(
        serde_json::to_string(&i).unwrap(),
        v1,
        "written back byte for byte"
    );
}
