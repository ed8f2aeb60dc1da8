//! Tests of transactions, rollback, dry runs and persistence through the service.

use std::sync::Arc;

use vpcpeer_model::aws::vpc::NewVpc;
use vpcpeer_model::{Ctx, DomainError, Limits, Scope, SeededIds, Timestamp, Tx, World};
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

/// An emulator on a fresh in-memory store, and that store.
fn in_memory() -> (Arc<dyn Store>, Emulator) {
    let store: Arc<dyn Store> = Arc::new(MemStore::new());
    (store.clone(), emulator(store))
}

fn scope() -> Scope {
    Scope::new("111111111111", "us-east-1")
}

fn vpc(cidr: &str) -> NewVpc {
    NewVpc::new(cidr.parse().expect("test block"))
}

#[tokio::test]
async fn committed_changes_reach_the_store() {
    let (store, emu) = in_memory();
    let id = create_vpc(&emu, "10.0.0.0/16").await.expect("service");
    let reloaded = World::from_records(store.load().expect("load").records);
    assert!(reloaded.aws.vpcs().contains_key(&id));
    assert_eq!(emu.with_world(|w| w.clone()), reloaded);
}

#[tokio::test]
async fn failed_command_leaves_no_trace() {
    let (store, emu) = in_memory();
    let before = emu.with_world(|w| w.clone());
    let res = emu
        .execute_fn(scope(), false, |tx| {
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
    let (_, emu) = in_memory();
    let ok = emu
        .execute_fn(scope(), true, |tx| tx.create_vpc(vpc("10.0.0.0/16")))
        .await
        .expect("service");
    assert!(ok.is_ok());
    assert!(emu.with_world(|w| w.is_empty()));
}

#[tokio::test]
async fn clock_offset_survives_reopen() {
    let (store, emu) = in_memory();
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
    let (_, emu) = in_memory();
    let v0 = emu.version();
    let id = create_vpc(&emu, "10.0.0.0/16").await.expect("service");
    let v1 = emu.version();
    assert_eq!(v1, v0 + 1);
    let _ = emu
        .execute_fn(scope(), false, |tx| tx.create_vpc(vpc("10.0.0.0/8")))
        .await
        .expect("service");
    emu.execute_fn(scope(), true, |tx| tx.create_vpc(vpc("10.1.0.0/16")))
        .await
        .expect("service")
        .expect("domain");
    assert_eq!(emu.version(), v1, "failures and dry runs change nothing");
    let (version, keys) = emu.with_world_since(Some(v0), |w, ch| {
        assert!(w.aws.vpcs().contains_key(&id));
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

// ---- store failures: undo, groups, clock, reset, recovery, reload; panics ----

use std::time::{Duration, Instant};

use vpcpeer_model::aws::subnet::NewSubnet;

use tokio::task::JoinHandle;

use crate::faults::{Failure, FaultyStore, Held};

/// A faulty store and an emulator on it, its writer on a thread of its own.
fn faulty() -> (Arc<FaultyStore>, Arc<Emulator>) {
    faulty_on(WriterOn::Thread)
}

/// A faulty store and an emulator on it, its writer where `on` says.
fn faulty_on(on: WriterOn) -> (Arc<FaultyStore>, Arc<Emulator>) {
    let store = Arc::new(FaultyStore::new());
    let emu = Emulator::open_on(
        store.clone(),
        EmulatorClock::fixed(Timestamp(1_700_000_000_000)),
        Box::new(SeededIds::new(3)),
        Limits::default(),
        on,
    )
    .expect("open");
    (store, Arc::new(emu))
}

/// Both places a writer runs: a thread of its own, and a task on the test's runtime. (A test
/// that holds a commit inside the store needs the thread: held on the runtime, the commit would
/// stop the test's own tasks.)
fn writers() -> [WriterOn; 2] {
    [
        WriterOn::Thread,
        WriterOn::Runtime(tokio::runtime::Handle::current()),
    ]
}

/// The store's records as a world (the truth memory must equal).
fn stored(store: &FaultyStore) -> World {
    World::from_records(store.inner.load().expect("load").records)
}

fn memory(emu: &Emulator) -> World {
    emu.with_world(|w| {
        assert!(w.indexes_consistent());
        w.clone()
    })
}

/// Waits (a generous liveness limit, no timing assertion) until `cond` holds.
async fn until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

async fn create_vpc(emu: &Emulator, cidr: &str) -> Result<String, ServiceError> {
    emu.execute_fn(scope(), false, |tx| tx.create_vpc(vpc(cidr)))
        .await
        .map(|r| r.expect("valid vpc"))
}

/// CreateVpc `cidr` on a task of its own.
fn spawn_vpc(emu: &Arc<Emulator>, cidr: &'static str) -> JoinHandle<Result<String, ServiceError>> {
    let emu = emu.clone();
    tokio::spawn(async move { create_vpc(&emu, cidr).await })
}

/// CreateSubnet `cidr` in VPC `parent` on a task of its own.
fn spawn_subnet(
    emu: &Arc<Emulator>,
    parent: String,
    cidr: &'static str,
) -> JoinHandle<Result<Result<String, DomainError>, ServiceError>> {
    let emu = emu.clone();
    tokio::spawn(async move {
        emu.execute_fn(scope(), false, |tx| tx.create_subnet(subnet(&parent, cidr)))
            .await
    })
}

/// Holds the store's next commit, starts CreateVpc 10.0.0.0/16 on a task of its own and waits
/// until the writer is inside that commit: requests sent now queue up behind it.
async fn held_first_commit(
    store: &FaultyStore,
    emu: &Arc<Emulator>,
) -> (Held, JoinHandle<Result<String, ServiceError>>) {
    let held = store.hold_next_commit();
    let first = spawn_vpc(emu, "10.0.0.0/16");
    until("the writer is inside the first commit", || {
        held.entered.try_recv().is_ok()
    })
    .await;
    (held, first)
}

fn subnet(vpc_id: &str, cidr: &str) -> NewSubnet {
    NewSubnet::new(vpc_id, cidr.parse().expect("test block"))
}

/// The reproduction of the issue: a CreateVpc the store fails answers an error, and the VPC is
/// not visible afterwards; memory equals the store; readers keeping derived state learn the
/// undone keys; once the store works, writes succeed and health is ok again. A failure whose
/// outcome the store could not tell (in doubt) is undone the same way.
#[tokio::test]
async fn a_failed_commit_is_undone_and_the_emulator_recovers() {
    for how in [Failure::Backend, Failure::InDoubt] {
        for on in writers() {
            let (store, emu) = faulty_on(on);
            let kept = create_vpc(&emu, "10.0.0.0/16").await.expect("first");
            let before = memory(&emu);
            let v0 = emu.version();
            store.fail_next_commit(how);

            let err = create_vpc(&emu, "10.1.0.0/16")
                .await
                .expect_err("store failed");
            assert!(
                matches!(err, ServiceError::NotCommitted(_)),
                "{how:?}: {err}"
            );
            assert!(!emu.is_healthy(), "{how:?}");
            assert_eq!(memory(&emu), before, "{how:?}: nothing of it remains");
            assert_eq!(stored(&store), before, "{how:?}");
            let listed = emu
                .execute_fn(scope(), false, |tx| {
                    Ok::<_, DomainError>(tx.world().aws.vpcs().keys().cloned().collect::<Vec<_>>())
                })
                .await
                .expect("service")
                .expect("read");
            assert_eq!(listed, vec![kept.clone()], "{how:?}");
            // Applied, then undone: two versions, and the keys of the undone records are listed.
            assert_eq!(emu.version(), v0 + 2, "{how:?}");
            let keys = emu
                .with_world_since(Some(v0), |_, ch| ch.keys)
                .expect("in the log");
            assert!(keys.iter().any(|k| k.table == "vpc"), "{how:?}: {keys:?}");
            assert_eq!(
                emu.with_world_since(Some(v0 + 1), |_, ch| ch.keys),
                Some(keys[keys.len() / 2..].to_vec()),
                "{how:?}: the undo is a version of its own with the same keys"
            );

            let id = create_vpc(&emu, "10.1.0.0/16")
                .await
                .expect("store is back");
            assert!(emu.is_healthy(), "{how:?}: a commit succeeded");
            assert_eq!(memory(&emu), stored(&store), "{how:?}");
            assert!(stored(&store).aws.vpcs().contains_key(&id));
        }
    }
}

/// The id of the first VPC of `w`.
fn first_vpc(w: &World) -> String {
    w.aws.vpcs().keys().next().expect("a VPC").clone()
}

/// Three requests queued behind a commit in flight are grouped into one store commit; when that
/// commit fails, all three are undone (newest first, the dependent subnet included), none is
/// acknowledged, and the one committed before them stays.
#[tokio::test]
async fn a_failure_inside_a_group_undoes_the_whole_group() {
    let (store, emu) = faulty();
    let (held, first) = held_first_commit(&store, &emu).await;
    let after_first = memory(&emu);
    let v1 = emu.version();
    let parent = first_vpc(&after_first);
    let second = spawn_vpc(&emu, "10.1.0.0/16");
    let third = spawn_subnet(&emu, parent, "10.0.1.0/24");
    let fourth = spawn_vpc(&emu, "10.2.0.0/16");
    until("three more change sets are applied", || {
        emu.version() == v1 + 3
    })
    .await;
    store.fail_commit_call(2, Failure::Backend);
    held.release.send(()).expect("release");

    let first = first.await.expect("task").expect("the first one commits");
    assert!(second.await.expect("task").is_err());
    assert!(matches!(
        third.await.expect("task"),
        Err(ServiceError::NotCommitted(_))
    ));
    assert!(fourth.await.expect("task").is_err());
    assert_eq!(store.commit_calls.load(Ordering::SeqCst), 2, "one group");
    assert_eq!(*store.committed_groups.lock().expect("lock"), vec![1]);
    assert_eq!(memory(&emu), after_first);
    assert_eq!(stored(&store), after_first);
    assert!(after_first.aws.vpcs().contains_key(&first));
    assert!(after_first.aws.subnets().is_empty());
}

/// The commit in flight fails while later writes, a clock advance among them, are queued behind
/// it: every one is undone, the clock included, and memory equals the (empty) store.
#[tokio::test]
async fn a_failed_commit_undoes_every_later_write_queued_behind_it() {
    let (store, emu) = faulty();
    let t0 = emu.now();
    let empty = memory(&emu);
    let (held, first) = held_first_commit(&store, &emu).await;
    let parent = first_vpc(&memory(&emu));
    let v1 = emu.version();
    let clock = tokio::spawn({
        let emu = emu.clone();
        async move { emu.advance_clock(3600).await }
    });
    until("the clock moved in memory", || emu.now() != t0).await;
    let dependent = spawn_subnet(&emu, parent, "10.0.1.0/24");
    until("the subnet is applied", || emu.version() == v1 + 1).await;
    store.fail_commit_call(1, Failure::Backend);
    held.release.send(()).expect("release");

    assert!(first.await.expect("task").is_err());
    assert!(clock.await.expect("task").is_err());
    assert!(dependent.await.expect("task").is_err());
    assert_eq!(emu.now(), t0, "the clock advance is undone too");
    assert_eq!(memory(&emu), empty);
    assert_eq!(stored(&store), empty);
    assert!(store.inner.load().expect("load").meta.is_empty());
}

#[tokio::test]
async fn a_failed_clock_advance_puts_the_clock_back() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        let t0 = emu.now();
        let t1 = emu.advance_clock(60).await.expect("advance");
        store.fail_meta.store(true, Ordering::SeqCst);
        let err = emu.advance_clock(3600).await.expect_err("store failed");
        assert!(matches!(err, ServiceError::NotCommitted(_)), "{err}");
        assert_eq!(emu.now(), t1);
        assert_eq!(
            store
                .inner
                .load()
                .expect("load")
                .meta
                .get("clock_offset_ms"),
            Some(&(t1.millis() - t0.millis()).to_string())
        );
        assert!(!emu.is_healthy());
        let t2 = emu.advance_clock(1).await.expect("advance");
        assert_eq!(t2.millis(), t1.millis() + 1000);
        assert!(emu.is_healthy());
    }
}

/// A failed reset puts the old world (and clock) back; readers keeping derived state must
/// rebuild (the log was reset).
#[tokio::test]
async fn a_failed_reset_puts_the_world_back() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
        let t1 = emu.advance_clock(60).await.expect("advance");
        let before = memory(&emu);
        let v0 = emu.version();
        store.fail_clear.store(true, Ordering::SeqCst);
        let err = emu.reset().await.expect_err("store failed");
        assert!(matches!(err, ServiceError::NotCommitted(_)), "{err}");
        assert_eq!(memory(&emu), before);
        assert_eq!(stored(&store), before);
        assert_eq!(emu.now(), t1);
        assert_eq!(emu.with_world_since(Some(v0), |_, ch| ch.keys), None);
        assert!(!emu.is_healthy());
        emu.reset().await.expect("reset");
        assert!(memory(&emu).is_empty() && stored(&store).is_empty());
        assert!(emu.is_healthy());
    }
}

/// While the store is down the emulator is degraded, and stays so while pings fail; once the
/// store is back a ping, with no write at all, makes it healthy again.
#[tokio::test]
async fn health_reports_the_store_as_it_is_now() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        assert!(emu.is_healthy());
        store.down.store(true, Ordering::SeqCst);
        create_vpc(&emu, "10.0.0.0/16")
            .await
            .expect_err("store down");
        assert!(!emu.is_healthy());
        let pings = store.pings.load(Ordering::SeqCst);
        until("the writer pinged the store twice", || {
            store.pings.load(Ordering::SeqCst) >= pings + 2
        })
        .await;
        assert!(!emu.is_healthy(), "still down");
        store.down.store(false, Ordering::SeqCst);
        until("a ping finds the store back", || emu.is_healthy()).await;
        assert_eq!(memory(&emu), stored(&store));
        create_vpc(&emu, "10.0.0.0/16").await.expect("works again");
    }
}

/// The store says it holds changes memory lacks (a commit in doubt was applied after all, or
/// another writer): the write fails, the world is reloaded from the store, and the next writes
/// go on from there.
#[tokio::test]
async fn a_stale_store_is_reloaded_into_memory() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
        // Behind the emulator's back: a VPC and a clock offset in the store only.
        let mut other = World::default();
        let mut ids = SeededIds::new(99);
        let limits = Limits::default();
        let mut tx = Tx::new(
            &mut other,
            Ctx {
                scope: scope(),
                now: Timestamp(0),
                ids: &mut ids,
                limits: &limits,
            },
        );
        tx.create_vpc(vpc("10.5.0.0/16")).expect("vpc");
        let foreign = tx.commit();
        store.inner.commit(&[&foreign]).expect("commit");
        store
            .inner
            .put_meta("clock_offset_ms", "7000")
            .expect("meta");
        let t0 = emu.now();

        store.fail_next_commit(Failure::Stale);
        let v0 = emu.version();
        create_vpc(&emu, "10.1.0.0/16")
            .await
            .expect_err("not committed");
        assert_eq!(emu.now().millis(), t0.millis() + 7000);
        assert!(emu.is_healthy());
        assert_reloaded(&emu, &store, 2, v0, "10.1.0.0/16").await;
    }
}

/// After a reload from the store: memory equals the store and holds `vpcs` VPCs, the change log
/// since `v0` is cut (readers keeping derived state must rebuild), and the next write (CreateVpc
/// `next`) is committed.
async fn assert_reloaded(emu: &Emulator, store: &FaultyStore, vpcs: usize, v0: u64, next: &str) {
    assert_eq!(memory(emu), stored(store), "reloaded");
    assert_eq!(memory(emu).aws.vpcs().len(), vpcs);
    assert_eq!(emu.with_world_since(Some(v0), |_, ch| ch.keys), None);
    create_vpc(emu, next).await.expect("writes go on");
    assert_eq!(memory(emu), stored(store));
}

/// The ambiguous case: the connection was lost during COMMIT and the store could not tell
/// whether it was applied. The service undoes it (the request fails) and is degraded; when the
/// store later finds the commit was applied after all, it reports itself stale, and the writer,
/// pinging while degraded, reloads the world from the store, which is the truth: memory then
/// holds the change whose request answered an error (as a 500 allows), and health is ok.
#[tokio::test]
async fn a_commit_in_doubt_that_was_applied_comes_back_by_a_reload() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
        store.fail_next_commit(Failure::InDoubtApplied);
        let v0 = emu.version();
        create_vpc(&emu, "10.1.0.0/16")
            .await
            .expect_err("in doubt: failed");
        assert_eq!(memory(&emu).aws.vpcs().len(), 1, "undone at first");
        assert_eq!(stored(&store).aws.vpcs().len(), 2, "but the store has it");
        until(
            "a ping finds the store stale and the world is reloaded",
            || emu.is_healthy(),
        )
        .await;
        assert_reloaded(&emu, &store, 2, v0, "10.2.0.0/16").await;
    }
}

/// A command that changes the world and then panics: the world is as before, nothing reached the
/// store, the change log did not move, the panic is reported as `Panicked`, and the next
/// requests work.
#[tokio::test]
async fn a_panicking_command_is_rolled_back_and_reported() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        let kept = create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
        let before = memory(&emu);
        let v0 = emu.version();
        let calls = store.commit_calls.load(Ordering::SeqCst);
        let out = emu
            .execute_fn(scope(), false, |tx| {
                tx.create_vpc(vpc("10.1.0.0/16"))?;
                tx.create_subnet(subnet(&kept, "10.0.1.0/24"))?;
                assert!(tx.is_dirty());
                if tx.world().aws.subnets().len() == 1 {
                    panic!("boom: a bug in a command");
                }
                Ok::<_, DomainError>(())
            })
            .await;
        match out {
            Err(ServiceError::Panicked(m)) => assert!(m.contains("boom"), "{m}"),
            other => panic!("expected Panicked, got {other:?}"),
        }
        assert_eq!(memory(&emu), before);
        assert_eq!(emu.version(), v0);
        assert_eq!(
            store.commit_calls.load(Ordering::SeqCst),
            calls,
            "nothing sent"
        );
        assert!(emu.is_healthy());
        create_vpc(&emu, "10.1.0.0/16")
            .await
            .expect("later requests work");
        assert_eq!(memory(&emu), stored(&store));
    }
}

/// Only commands the store made durable enter the command log, in commit order: not a refused
/// one, not a dry run, not one whose commit failed (undone), not a closure change.
#[tokio::test]
async fn only_durable_commands_enter_the_command_log() {
    use vpcpeer_model::aws::{self, peering::CreatePeering};

    for on in writers() {
        let (store, emu) = faulty_on(on);
        let a = create_vpc(&emu, "10.0.0.0/16").await.expect("a");
        let b = create_vpc(&emu, "10.1.0.0/16").await.expect("b");
        let c = create_vpc(&emu, "10.2.0.0/16").await.expect("c");
        assert!(
            emu.commands_since(0, 10).entries.is_empty(),
            "closures are not logged"
        );
        let peer = |to: &str| {
            aws::Command::CreatePeering(CreatePeering {
                vpc_id: a.clone(),
                peer_vpc_id: to.to_owned(),
                ..Default::default()
            })
        };
        let run = |command: aws::Command, dry_run: bool| {
            let emu = emu.clone();
            async move {
                emu.execute(scope(), dry_run, command, |_, outcome| match outcome {
                    aws::Outcome::Peering(r) => r.connection.id,
                    other => panic!("{other:?}"),
                })
                .await
            }
        };
        let first = run(peer(&b), false)
            .await
            .expect("service")
            .expect("created");
        run(peer(&c), true)
            .await
            .expect("service")
            .expect("dry run");
        let refused = run(peer("vpc-0123456789abcdef0"), false)
            .await
            .expect("service");
        assert!(refused.is_err());
        store.fail_next_commit(Failure::Backend);
        let failed = run(peer(&c), false).await;
        assert!(matches!(failed, Err(ServiceError::NotCommitted(_))));
        let second = run(peer(&c), false)
            .await
            .expect("service")
            .expect("created");

        let page = emu.commands_since(0, 10);
        assert_eq!((page.first, page.last), (1, 2));
        let logged: Vec<_> = page
            .entries
            .iter()
            .map(|e| (e.seq, e.command.clone()))
            .collect();
        assert_eq!(logged, [(1, peer(&b).into()), (2, peer(&c).into())]);
        assert_eq!(page.entries[0].scope, scope());
        assert!(first.ends_with(&page.entries[0].ids[0]));
        assert!(second.ends_with(&page.entries[1].ids[0]));
        assert_eq!(memory(&emu), stored(&store));
    }
}

/// Group commit under contention (two runtime threads, many writers at once): every write is
/// answered, each once it is durable, none is left behind in the queue (a stranded one would
/// never answer: the liveness limit), and memory equals the store; the store received every
/// change set once, in groups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_all_reach_the_store() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        let vpc_id = create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
        let mut tasks = Vec::new();
        for i in 0..64u32 {
            let emu = emu.clone();
            let vpc_id = vpc_id.clone();
            tasks.push(tokio::spawn(async move {
                let cidr = format!("10.0.{i}.0/24");
                emu.execute_fn(scope(), false, |tx| {
                    tx.create_subnet(subnet(&vpc_id, &cidr))
                })
                .await
            }));
        }
        let all = async {
            for t in tasks {
                t.await.expect("task").expect("service").expect("subnet");
            }
        };
        tokio::time::timeout(Duration::from_secs(60), all)
            .await
            .expect("every write answered");
        assert_eq!(memory(&emu).aws.subnets().len(), 64);
        assert_eq!(memory(&emu), stored(&store));
        let groups = store.committed_groups.lock().expect("lock").clone();
        assert_eq!(groups.iter().sum::<usize>(), 65, "{groups:?}");
        assert!(emu.is_healthy());
    }
}

/// The writer task gathers its group from the requests under way: five writes start one round
/// of the scheduler after another, and the task, woken by the first, lets its rounds run before
/// it commits, so all five go in one commit.
#[tokio::test]
async fn the_writer_task_gathers_the_requests_under_way_into_one_commit() {
    let (store, emu) = faulty_on(WriterOn::Runtime(tokio::runtime::Handle::current()));
    let vpc_id = create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
    let tasks: Vec<_> = (1..=5)
        .map(|i| {
            let (emu, vpc_id) = (emu.clone(), vpc_id.clone());
            tokio::spawn(async move {
                for _ in 1..i {
                    tokio::task::yield_now().await;
                }
                let cidr = format!("10.0.{i}.0/24");
                emu.execute_fn(scope(), false, |tx| {
                    tx.create_subnet(subnet(&vpc_id, &cidr))
                })
                .await
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("service").expect("subnet");
    }
    assert_eq!(*store.committed_groups.lock().expect("lock"), vec![1, 5]);
    assert_eq!(memory(&emu), stored(&store));
}

/// Dropping the emulator ends its writer, thread or task, which lets go of the store (a SQLite
/// store then releases its data directory's lock).
#[tokio::test]
async fn dropping_the_emulator_ends_the_writer() {
    for on in writers() {
        let (store, emu) = faulty_on(on);
        create_vpc(&emu, "10.0.0.0/16").await.expect("vpc");
        drop(emu);
        until("the writer let go of the store", || {
            Arc::strong_count(&store) == 1
        })
        .await;
    }
}

#[tokio::test]
async fn followers_hear_of_commits_clock_advances_and_resets() {
    let (_, emu) = in_memory();
    let mut rx = emu.subscribe();
    assert_eq!(*rx.borrow_and_update(), Progress::default());
    let within = std::time::Duration::from_secs(60);
    create_vpc(&emu, "10.0.0.0/16").await.expect("service");
    let seen = *tokio::time::timeout(within, rx.wait_for(|p| p.version >= 1))
        .await
        .expect("told of the commit")
        .expect("sender alive");
    assert_eq!((seen.version, seen.clock_offset_ms), (1, 0));
    emu.advance_clock(60).await.expect("advance");
    let seen = *tokio::time::timeout(within, rx.wait_for(|p| p.clock_offset_ms != 0))
        .await
        .expect("told of the clock")
        .expect("sender alive");
    assert_eq!(seen.clock_offset_ms, 60_000);
    emu.reset().await.expect("reset");
    let seen = *tokio::time::timeout(within, rx.wait_for(|p| p.clock_offset_ms == 0))
        .await
        .expect("told of the reset")
        .expect("sender alive");
    assert_eq!(seen.version, 2, "a reset is a new version");
}
