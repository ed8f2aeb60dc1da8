//! Tests of transactions, rollback, dry runs and persistence through the service.

use std::sync::Arc;

use vpcpeer_model::ops::vpc::CreateVpc;
use vpcpeer_model::{DomainError, Limits, Scope, SeededIds, Timestamp, World};
use vpcpeer_store::{MemStore, Store};

use super::*;

fn emulator(store: Arc<dyn Store>) -> Emulator {
    Emulator::open(
        store,
        EmulatorClock::fixed(Timestamp(1_700_000_000_000)),
        Box::new(SeededIds::new(3)),
        Limits::default(),
    )
    .expect("open")
}

fn scope() -> Scope {
    Scope::new("111111111111", "us-east-1")
}

fn vpc(cidr: &str) -> CreateVpc {
    CreateVpc {
        cidr_block: cidr.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn committed_changes_reach_the_store() {
    let store: Arc<dyn Store> = Arc::new(MemStore::new());
    let emu = emulator(store.clone());
    let id = emu
        .execute(scope(), false, |tx| tx.create_vpc(vpc("10.0.0.0/16")))
        .await
        .expect("service")
        .expect("domain");
    let reloaded = World::from_records(store.load().expect("load").records);
    assert!(reloaded.vpcs.contains_key(&id));
    assert_eq!(emu.with_world(|w| w.clone()), reloaded);
}

#[tokio::test]
async fn failed_command_leaves_no_trace() {
    let store: Arc<dyn Store> = Arc::new(MemStore::new());
    let emu = emulator(store.clone());
    let before = emu.with_world(|w| w.clone());
    let res = emu
        .execute(scope(), false, |tx| {
            tx.create_vpc(vpc("10.0.0.0/16"))?;
            tx.create_vpc(vpc("10.0.0.0/8"))
        })
        .await
        .expect("service");
    assert!(matches!(res, Err(DomainError::InvalidVpcRange { .. })));
    assert_eq!(emu.with_world(|w| w.clone()), before);
    assert!(store.load().expect("load").records.is_empty());
}

#[tokio::test]
async fn dry_run_validates_but_does_not_mutate() {
    let store: Arc<dyn Store> = Arc::new(MemStore::new());
    let emu = emulator(store.clone());
    let ok = emu
        .execute(scope(), true, |tx| tx.create_vpc(vpc("10.0.0.0/16")))
        .await
        .expect("service");
    assert!(ok.is_ok());
    assert!(emu.with_world(|w| w.is_empty()));
}

#[tokio::test]
async fn clock_offset_survives_reopen() {
    let store: Arc<dyn Store> = Arc::new(MemStore::new());
    let emu = emulator(store.clone());
    let t0 = emu.now();
    let t1 = emu.advance_clock(3600).await.expect("advance");
    assert_eq!(t1.millis() - t0.millis(), 3_600_000);
    drop(emu);
    let emu = emulator(store);
    assert_eq!(emu.now(), t1);
}

/// Committed change sets bump the version and are listed by `with_world_since`; failed commands
/// and dry runs do not; a reset cuts earlier versions off.
#[tokio::test]
async fn version_and_changes_since() {
    let emu = emulator(Arc::new(MemStore::new()));
    let v0 = emu.version();
    let id = emu
        .execute(scope(), false, |tx| tx.create_vpc(vpc("10.0.0.0/16")))
        .await
        .expect("service")
        .expect("domain");
    let v1 = emu.version();
    assert_eq!(v1, v0 + 1);
    let _ = emu
        .execute(scope(), false, |tx| tx.create_vpc(vpc("not-a-cidr")))
        .await
        .expect("service");
    emu.execute(scope(), true, |tx| tx.create_vpc(vpc("10.1.0.0/16")))
        .await
        .expect("service")
        .expect("domain");
    assert_eq!(emu.version(), v1, "failures and dry runs change nothing");
    let (version, keys) = emu.with_world_since(Some(v0), |w, ch| {
        assert!(w.vpcs.contains_key(&id));
        (ch.version, ch.keys.expect("in the log"))
    });
    assert_eq!(version, v1);
    assert!(
        keys.iter().any(|k| k.table == "vpc" && k.id == id),
        "{keys:?}"
    );
    assert!(
        keys.len() > 1,
        "the main table, ACL and group too: {keys:?}"
    );
    assert_eq!(
        emu.with_world_since(Some(v1), |_, ch| ch.keys),
        Some(vec![])
    );
    assert_eq!(emu.with_world_since(None, |_, ch| ch.keys), None);
    emu.reset().await.expect("reset");
    assert!(emu.version() > v1);
    assert_eq!(emu.with_world_since(Some(v1), |_, ch| ch.keys), None);
}
