//! The emulator's own failures through the real request path, in each caller's dialect: a panic
//! inside the transaction, and a commit the store fails. Each answers its face's internal error
//! (EC2 `InternalError` XML, GCP `backendError` JSON, ARM `InternalServerError` JSON, admin
//! `{"error": …}` JSON) with status 500, and leaves the world and the store as they were.
//!
//! How the panic is provoked without a backdoor in the product: the emulator takes its id source
//! as an input, so these tests hand it a [`FusedIds`] that panics on a chosen draw. A twin
//! emulator, set up identically, first counts how many ids the request draws; the fuse is then
//! set on the last of them. In each request used here the last draw comes after the request has
//! put records: CreateVpc draws the default ACL's id after putting the main route table and the
//! default security group; a GCP network insert names its operation after putting the network
//! and its default route; an ARM VNet PUT records its operation after putting the VNet. So the
//! panic hits a half-applied transaction, which must be rolled back.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use vpcpeer_model::{ChangeSet, IdGen, Limits, SeededIds, Timestamp, World};
use vpcpeer_service::{Emulator, EmulatorClock};
use vpcpeer_store::{MemStore, Snapshot, Store, StoreError};

use crate::testing::{ec2, instance, ok_field, send, send_json, vpc_with_instance};
use crate::AppState;

/// Ids from a seeded source, with a fuse: draw number `blow_at` (counting from 1, 0 = never)
/// panics, once.
struct FusedIds {
    ids: SeededIds,
    draws: Arc<AtomicUsize>,
    blow_at: Arc<AtomicUsize>,
}

impl IdGen for FusedIds {
    fn hex17(&mut self) -> String {
        let n = self.draws.fetch_add(1, Ordering::SeqCst) + 1;
        if self
            .blow_at
            .compare_exchange(n, 0, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            panic!("injected: the id source broke on draw {n}");
        }
        self.ids.hex17()
    }
}

/// A store that fails every call while `down` is set, and can hold the next commit until the
/// test lets it go on (then failing it if `down` is set by then).
#[derive(Default)]
struct SwitchStore {
    inner: MemStore,
    down: AtomicBool,
    hold: Mutex<Option<(mpsc::Sender<()>, mpsc::Receiver<()>)>>,
}

impl SwitchStore {
    fn check(&self) -> Result<(), StoreError> {
        if self.down.load(Ordering::SeqCst) {
            Err(StoreError::Backend("the test store is down".into()))
        } else {
            Ok(())
        }
    }

    /// Holds the next commit: (entered, release).
    fn hold_next_commit(&self) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered_tx, entered) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        *self.hold.lock().expect("lock") = Some((entered_tx, release_rx));
        (entered, release)
    }
}

impl Store for SwitchStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
        self.check()?;
        self.inner.load()
    }
    fn commit(&self, batches: &[&ChangeSet]) -> Result<u64, StoreError> {
        let held = self.hold.lock().expect("lock").take();
        if let Some((entered, release)) = held {
            let _ = entered.send(());
            let _ = release.recv();
        }
        self.check()?;
        self.inner.commit(batches)
    }
    fn put_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.check()?;
        self.inner.put_meta(key, value)
    }
    fn clear(&self) -> Result<(), StoreError> {
        self.check()?;
        self.inner.clear()
    }
    fn ping(&self) -> Result<(), StoreError> {
        self.check()
    }
}

struct Rig {
    st: Arc<AppState>,
    store: Arc<SwitchStore>,
    draws: Arc<AtomicUsize>,
    blow_at: Arc<AtomicUsize>,
}

impl Rig {
    fn new() -> Self {
        let store = Arc::new(SwitchStore::default());
        let draws = Arc::new(AtomicUsize::new(0));
        let blow_at = Arc::new(AtomicUsize::new(0));
        let emu = Emulator::open(
            store.clone(),
            EmulatorClock::fixed(Timestamp(1_700_000_000_000)),
            Box::new(FusedIds {
                ids: SeededIds::new(9),
                draws: draws.clone(),
                blow_at: blow_at.clone(),
            }),
            Limits::default(),
        )
        .expect("open");
        Rig {
            st: AppState::new(emu, 1),
            store,
            draws,
            blow_at,
        }
    }

    fn memory(&self) -> World {
        self.st.emulator.with_world(|w| {
            assert!(w.indexes_consistent());
            w.clone()
        })
    }

    fn stored(&self) -> World {
        World::from_records(self.store.inner.load().expect("load").records)
    }

    fn draws(&self) -> usize {
        self.draws.load(Ordering::SeqCst)
    }
}

/// One request of a face, and how its internal error looks.
#[derive(Clone, Copy)]
enum Face {
    Ec2,
    Gcp,
    Arm,
}

const VNET: &str = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v?api-version=2024-05-01";

impl Face {
    /// A fresh rig holding what the request needs first (committed normally).
    async fn rig(self) -> Rig {
        let rig = Rig::new();
        if let Face::Arm = self {
            let (status, _, body) = super::arm(
                &rig.st,
                "PUT",
                "/subscriptions/s1/resourcegroups/rg?api-version=2021-04-01",
                r#"{"location":"eastus"}"#,
            )
            .await;
            assert_eq!(status, 201, "{body}");
        }
        rig
    }

    /// The request: its status and body.
    async fn request(self, rig: &Rig) -> (u16, String) {
        match self {
            Face::Ec2 => {
                ec2(
                    &rig.st,
                    "111111111111",
                    "Version=2016-11-15&Action=CreateVpc&CidrBlock=10.0.0.0/16",
                )
                .await
            }
            Face::Gcp => {
                let req = Request::post("/compute/v1/projects/proj-a/global/networks")
                    .header("host", "localhost")
                    .header("content-type", "application/json")
                    .body(Body::from(
                        r#"{"name":"net-a","autoCreateSubnetworks":false}"#,
                    ))
                    .expect("request");
                let (status, _, body) = send(&rig.st, req).await;
                (status, String::from_utf8_lossy(&body).into_owned())
            }
            Face::Arm => {
                let (status, _, body) = super::arm(
                    &rig.st,
                    "PUT",
                    VNET,
                    r#"{"location":"eastus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]}}}"#,
                )
                .await;
                (status, body)
            }
        }
    }

    /// Checks that `(status, body)` is this face's internal error.
    fn assert_internal(self, status: u16, body: &str) {
        assert_eq!(status, 500, "{body}");
        match self {
            Face::Ec2 => {
                assert!(
                    body.starts_with("<?xml")
                        && body.contains("<Errors><Error><Code>InternalError</Code>"),
                    "{body}"
                );
                assert!(body.contains("<RequestID>"), "{body}");
            }
            Face::Gcp => {
                let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
                assert_eq!(v["error"]["code"], 500, "{v}");
                assert_eq!(v["error"]["errors"][0]["reason"], "backendError", "{v}");
            }
            Face::Arm => {
                let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
                assert_eq!(v["error"]["code"], "InternalServerError", "{v}");
            }
        }
        assert!(!body.contains("injected"), "no detail leaks: {body}");
    }

    /// Checks that `(status, body)` is a success.
    fn assert_ok(self, status: u16, body: &str) {
        let want = match self {
            Face::Ec2 | Face::Gcp => 200,
            Face::Arm => 201,
        };
        assert_eq!(status, want, "{body}");
    }

    fn name(self) -> &'static str {
        match self {
            Face::Ec2 => "EC2",
            Face::Gcp => "GCP",
            Face::Arm => "ARM",
        }
    }
}

const FACES: [Face; 3] = [Face::Ec2, Face::Gcp, Face::Arm];

#[tokio::test]
async fn a_panic_inside_the_transaction_is_a_500_in_each_dialect_and_leaves_nothing() {
    for face in FACES {
        // The twin counts the draws of the request.
        let twin = face.rig().await;
        let d0 = twin.draws();
        let (status, body) = face.request(&twin).await;
        face.assert_ok(status, &body);
        let draws = twin.draws() - d0;
        assert!(draws >= 2, "{}: {draws} draws", face.name());

        let rig = face.rig().await;
        assert_eq!(rig.draws(), d0, "{}: the twins agree", face.name());
        let before = rig.memory();
        let version = rig.st.emulator.version();
        rig.blow_at.store(d0 + draws, Ordering::SeqCst);
        let (status, body) = face.request(&rig).await;
        assert_eq!(
            rig.blow_at.load(Ordering::SeqCst),
            0,
            "{}: the fuse blew",
            face.name()
        );
        face.assert_internal(status, &body);
        assert_eq!(rig.memory(), before, "{}: rolled back", face.name());
        assert_eq!(rig.stored(), before, "{}: nothing written", face.name());
        assert_eq!(rig.st.emulator.version(), version, "{}", face.name());
        assert!(rig.st.emulator.is_healthy(), "{}", face.name());
        // The server goes on: the same request now succeeds.
        let (status, body) = face.request(&rig).await;
        face.assert_ok(status, &body);
        assert_eq!(rig.memory(), rig.stored(), "{}", face.name());
    }
}

#[tokio::test]
async fn a_commit_the_store_fails_is_a_500_in_each_dialect_and_leaves_nothing() {
    for face in FACES {
        let rig = face.rig().await;
        let before = rig.memory();
        rig.store.down.store(true, Ordering::SeqCst);
        let (status, body) = face.request(&rig).await;
        face.assert_internal(status, &body);
        assert_eq!(rig.memory(), before, "{}: undone", face.name());
        let (status, report) = health(&rig).await;
        assert_eq!(
            (status, report["status"].as_str()),
            (503, Some("degraded")),
            "{}",
            face.name()
        );
        rig.store.down.store(false, Ordering::SeqCst);
        assert_eq!(rig.stored(), before, "{}", face.name());
        let (status, body) = face.request(&rig).await;
        face.assert_ok(status, &body);
        let (status, report) = health(&rig).await;
        assert_eq!((status, report["status"].as_str()), (200, Some("ok")));
        assert_eq!(rig.memory(), rig.stored(), "{}", face.name());
    }
}

async fn health(rig: &Rig) -> (u16, serde_json::Value) {
    let req = Request::get("/_vpcpeer/health")
        .body(Body::empty())
        .expect("request");
    send_json(&rig.st, req).await
}

async fn admin(rig: &Rig, path: &str, body: &str) -> (u16, serde_json::Value) {
    let req = Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request");
    send_json(&rig.st, req).await
}

/// The admin API's writes (clock, reset) answer its JSON 500 when the store fails them, and
/// change nothing.
#[tokio::test]
async fn admin_writes_the_store_fails_are_a_500_in_admin_json() {
    let rig = Rig::new();
    let (status, _) = ec2(
        &rig.st,
        "111111111111",
        "Version=2016-11-15&Action=CreateVpc&CidrBlock=10.0.0.0/16",
    )
    .await;
    assert_eq!(status, 200);
    let before = rig.memory();
    let now = rig.st.emulator.now();
    rig.store.down.store(true, Ordering::SeqCst);
    for (path, body) in [
        ("/_vpcpeer/clock", r#"{"advance_seconds": 60}"#),
        ("/_vpcpeer/reset", "{}"),
    ] {
        let (status, v) = admin(&rig, path, body).await;
        assert_eq!(status, 500, "{path}: {v}");
        assert_eq!(v, serde_json::json!({"error": "internal error"}), "{path}");
        assert_eq!(rig.memory(), before, "{path}");
        assert_eq!(rig.st.emulator.now(), now, "{path}");
    }
    rig.store.down.store(false, Ordering::SeqCst);
    let (status, _) = admin(&rig, "/_vpcpeer/clock", r#"{"advance_seconds": 60}"#).await;
    assert_eq!(status, 200);
    assert!(rig.st.emulator.is_healthy());
}

/// A reader of the kept reachability snapshot that saw a write applied but not yet durable sees
/// it go again when the store fails it: the undo is a version of the world with the keys it
/// restored, so the snapshot catches up (without a full compile) to the world as it is.
#[tokio::test]
async fn the_kept_reach_snapshot_follows_an_undone_write() {
    const A: &str = "111111111111";
    let rig = Rig::new();
    let st = rig.st.clone();
    let (vpc, _, i1, _) = vpc_with_instance(&st, A, "10.0.0.0/16", "10.0.1.0/24").await;
    let sub = ok_field(&st, A, "Action=DescribeSubnets", "subnetId").await;
    let (_, ip2) = instance(&st, A, &sub).await;
    let sg = ok_field(
        &st,
        A,
        &format!("Action=DescribeSecurityGroups&Filter.1.Name=vpc-id&Filter.1.Value.1={vpc}"),
        "groupId",
    )
    .await;
    let query =
        serde_json::json!({"account": A, "from": i1, "to": ip2, "protocol": "tcp", "port": 443});
    let reachable = |st: Arc<AppState>| {
        let query = query.clone();
        async move {
            let req = Request::post("/_vpcpeer/reach")
                .header("content-type", "application/json")
                .body(Body::from(query.to_string()))
                .expect("request");
            let (status, v) = send_json(&st, req).await;
            assert_eq!(status, 200, "{v}");
            v["reachable"].as_bool().expect("reachable")
        }
    };
    assert!(reachable(st.clone()).await);
    assert_eq!(st.snapshots.compiles(), 1);

    // Revoke the default group's rule for its own members, held inside the store's commit.
    let (entered, release) = rig.store.hold_next_commit();
    let revoke = tokio::spawn({
        let st = st.clone();
        let body = format!(
            "Version=2016-11-15&Action=RevokeSecurityGroupIngress&GroupId={sg}\
             &IpPermissions.1.IpProtocol=-1&IpPermissions.1.Groups.1.GroupId={sg}"
        );
        async move { ec2(&st, A, &body).await }
    });
    let start = Instant::now();
    while entered.try_recv().is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the commit never started"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // Applied, not yet durable: a reader sees it (documented).
    assert!(!reachable(st.clone()).await);
    rig.store.down.store(true, Ordering::SeqCst);
    release.send(()).expect("release");
    let (status, body) = revoke.await.expect("task");
    Face::Ec2.assert_internal(status, &body);
    assert!(reachable(st.clone()).await, "the undone revoke is gone");
    assert_eq!(st.snapshots.compiles(), 1, "caught up, not recompiled");
    rig.store.down.store(false, Ordering::SeqCst);
    assert_eq!(rig.memory(), rig.stored());
}
